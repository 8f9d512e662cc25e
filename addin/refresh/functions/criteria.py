"""Excel's criteria (">=80", "a*", "<>x") for COUNTIF-like functions."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    _CMP,
    _SHARED,
    MISSING,
    Area,
    EngineFunction,
    _cached,
    _when_reused,
    as_array,
    call,
    round15,
    shared_work,
    text_to_number,
)
from addin.refresh.functions.cellkinds import FLOAT, OTHER, TEXT, kinds_and_floats
from addin.refresh.functions.columns import Rows, RowValues, is_rows, plain, round15_array
from udfs.errors import (
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
    parse_error,
)
from udfs.wildcards import wildcard_matcher

_CRIT_OP = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.DOTALL)


def make_criterion(crit: Any) -> Callable[[Any], bool]:
    """COUNTIF-style criterion → a predicate on one cell value."""
    if isinstance(crit, ExcelError):
        return lambda v: isinstance(v, ExcelError) and v.code == crit.code
    if crit is None or crit is MISSING:
        crit = 0.0
    if isinstance(crit, bool):
        return lambda v: isinstance(v, bool) and v == crit
    if isinstance(crit, float | int):
        c = round15(float(crit))

        def eq_num(v: Any) -> bool:
            if isinstance(v, bool):
                return False
            if isinstance(v, float | int):
                return round15(float(v)) == c
            if isinstance(v, str):
                n = text_to_number(v)
                return n is not None and round15(n) == c
            return False

        return eq_num
    text = str(crit)
    m = _CRIT_OP.match(text)
    assert m is not None
    op, rhs = m.group(1) or "=", m.group(2)
    explicit = m.group(1) is not None
    num = text_to_number(rhs) if rhs.strip() else None
    up = rhs.upper()
    if rhs == "":
        if op == "=":
            return (lambda v: v is None) if explicit else (lambda v: v is None or v == "")
        if op == "<>":
            return lambda v: v is not None
        return lambda v: False  # "<", ">=" … against nothing match nothing, as in Excel
    if up in ("TRUE", "FALSE"):
        b = up == "TRUE"
        if op == "=":
            return lambda v: isinstance(v, bool) and v == b
        if op == "<>":
            return lambda v: not (isinstance(v, bool) and v == b)
        btest = _CMP[op]
        return lambda v: isinstance(v, bool) and btest(int(v) - int(b))
    err = parse_error(rhs.strip())
    if err is not None and op in ("=", "<>"):
        if op == "=":
            return lambda v: isinstance(v, ExcelError) and v.code == err.code
        return lambda v: not (isinstance(v, ExcelError) and v.code == err.code)
    if num is not None:
        c = round15(num)
        test = _CMP[op]

        def num_pred(v: Any) -> bool:
            if isinstance(v, bool) or v is None:
                return op == "<>"
            if isinstance(v, float | int):
                x = round15(float(v))
                return test(0 if x == c else (-1 if x < c else 1))
            if isinstance(v, str) and op == "=":
                n = text_to_number(v)
                return n is not None and round15(n) == c
            return op == "<>"

        return num_pred
    if op in ("=", "<>"):
        fits = wildcard_matcher(rhs)
        if op == "=":
            return lambda v: isinstance(v, str) and fits(v)
        return lambda v: not (isinstance(v, str) and fits(v))
    test = _CMP[op]
    low = rhs.casefold()

    def text_pred(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        x = v.casefold()
        return test(0 if x == low else (-1 if x < low else 1))

    return text_pred


def _area_like(rng: Any, shape: tuple[int, int]) -> np.ndarray:
    """``sum_range`` resized to ``shape`` from its top-left cell (Excel's rule)."""
    if isinstance(rng, Area):
        top, left = rng.top, rng.left
        return _cached(
            rng,
            f"like:{shape}",
            lambda: rng.grid.block(top, left, top + shape[0] - 1, left + shape[1] - 1),
        )
    arr = as_array(rng)
    if arr.shape != shape:
        raise fail(VALUE, "区域大小不一致 / ranges differ in size")
    return arr


def _criteria_select(pairs: list[tuple[Any, Any]]) -> tuple[np.ndarray, tuple[int, int]]:
    """Flat positions (ascending) of the cells meeting every criterion, and the
    ranges' shape.

    Inside :func:`shared_work` (a function lifted over many criteria, or run
    down a block of rows), equality criteria use a hash index of their range
    and every criterion's cell mask is kept, so each further call costs about
    the size of its smallest hit list instead of a pass over the ranges."""
    shape: tuple[int, int] | None = None
    # per criterion: its hit list (equality criteria inside shared_work) and a
    # maker of its cell mask, built only when needed
    hit_lists: list[np.ndarray | None] = []
    mask_makers: list[Callable[[], np.ndarray]] = []
    for rng, crit in pairs:
        if not isinstance(rng, Area | np.ndarray):
            raise fail(VALUE, "条件区域须为区域 / criteria_range must be a range")
        arr = as_array(rng)
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            raise fail(VALUE, "条件区域大小不一致 / ranges differ in size")
        c = _scalar_crit(crit)
        key = _simple_criterion(c) if _SHARED else None
        index = (
            _when_reused(rng, "criteria-index", functools.partial(_equality_index, arr))
            if key is not None
            else None
        )
        if index is not None:
            hits = index.get(key, _NO_HITS)
            hit_lists.append(hits)
            mask_makers.append(
                functools.partial(
                    _cached,
                    rng,
                    f"criteria-mask:{key!r}",
                    functools.partial(_hit_mask, hits, arr.size),
                )
            )
        else:
            hit_lists.append(None)
            if _SHARED:
                tag = f"criteria-pred:{type(c).__name__}:{c!r}"
                mask_makers.append(
                    functools.partial(
                        _cached, rng, tag, functools.partial(_predicate_mask, c, arr, rng)
                    )
                )
            else:
                mask_makers.append(functools.partial(_predicate_mask, c, arr))
    assert shape is not None
    with_hits = [k for k, h in enumerate(hit_lists) if h is not None]
    if with_hits:
        first = min(with_hits, key=lambda k: len(hit_lists[k]))  # type: ignore[arg-type]
        sel = hit_lists[first]
        assert sel is not None
        for k, make in enumerate(mask_makers):
            if k != first and len(sel):
                sel = sel[make()[sel]]
        return sel, shape
    combined = mask_makers[0]()
    for make in mask_makers[1:]:
        combined = combined & make()
    return np.flatnonzero(combined), shape


_NO_HITS = np.zeros(0, dtype=np.intp)


def _hit_mask(hits: np.ndarray, size: int) -> np.ndarray:
    m = np.zeros(size, dtype=bool)
    m[hits] = True
    return m


def _predicate_mask(crit: Any, arr: np.ndarray, owner: Any = None) -> np.ndarray:
    """Whether each cell of ``arr`` meets ``crit``; with ``owner`` (the range
    ``arr`` was read from) the cells' kinds and rounded numbers are worked out
    once for every number criterion on that range (:func:`_cached`)."""
    compare = _number_comparison(crit)
    if compare is not None and arr.size > _VECTOR_FROM:
        flat = arr.ravel()
        build = functools.partial(_rounded_numbers, flat)
        numbers = build() if owner is None else _cached(owner, "criteria-numbers", build)
        return _number_mask(*compare, flat, numbers)
    pred = make_criterion(crit)
    return np.fromiter((pred(v) for v in arr.ravel()), dtype=bool, count=arr.size)


#: ranges of more cells than this test a number comparison as arrays
_VECTOR_FROM = 64


def _number_comparison(crit: Any) -> tuple[str, float] | None:
    """``(op, number)`` of a text criterion that compares with a number
    (``">=80"``, ``"<>3"``, ``"=1E3"``) — the criteria :func:`make_criterion`
    tests with its number predicate — else ``None``."""
    if not isinstance(crit, str):
        return None
    m = _CRIT_OP.match(crit)
    assert m is not None
    op, rhs = m.group(1) or "=", m.group(2)
    if rhs == "" or not rhs.strip() or rhs.upper() in ("TRUE", "FALSE"):
        return None
    if op in ("=", "<>") and parse_error(rhs.strip()) is not None:
        return None
    num = text_to_number(rhs)
    return None if num is None else (op, round15(num))


def _rounded_numbers(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kind of each cell of ``flat``, where its numbers are, and those
    numbers rounded to 15 digits, as :func:`_number_mask` compares them."""
    kinds, floats = kinds_and_floats(flat)
    numbers = np.flatnonzero(kinds == FLOAT)
    return kinds, numbers, round15_array(floats[numbers])


def _number_mask(
    op: str, c: float, flat: np.ndarray, prepared: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> np.ndarray:
    """:func:`make_criterion`'s number predicate over ``flat`` at array speed:
    numbers compared after rounding to 15 digits, numeric text only under
    ``=``, anything else matching only ``<>`` (``prepared``:
    :func:`_rounded_numbers` of ``flat``)."""
    kinds, numbers, x = prepared
    out = np.full(flat.size, op == "<>", dtype=bool)
    if len(numbers):
        out[numbers] = _CMP_ARRAY[op](x, c)
    if op == "=":
        for i in np.flatnonzero(kinds == TEXT).tolist():
            n = text_to_number(flat[i])
            out[i] = n is not None and round15(n) == c
    others = np.flatnonzero(kinds == OTHER)
    for i in others.tolist():  # ints (in arrays functions build) count as numbers, bools not
        v = flat[i]
        if isinstance(v, int) and not isinstance(v, bool):
            r = round15(float(v))
            out[i] = _CMP[op](0 if r == c else (-1 if r < c else 1))
    return out


_CMP_ARRAY: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _simple_criterion(c: Any) -> Any:
    """The equality key of a criterion that only tests equality with one value
    (``"张三"``, ``3``, ``"=3"``, ``TRUE``), else ``None``."""
    if isinstance(c, bool):
        return ("b", c)
    if isinstance(c, float | int):
        return ("n", round15(float(c)))
    if not isinstance(c, str):
        return None
    t = c[1:] if c.startswith("=") else c
    if not t or t[0] in "<>=" or "*" in t or "?" in t or "~" in t:
        return None
    if t.upper() in ("TRUE", "FALSE"):
        return ("b", t.upper() == "TRUE")
    if parse_error(t.strip()) is not None:
        return None
    n = text_to_number(t) if t.strip() else None
    if n is not None:
        return ("n", round15(n))
    return ("s", t.lower())


_TEXT_OR_NUMBER = frozenset((str, float, type(None)))


def _equality_index(arr: np.ndarray) -> dict[Any, np.ndarray]:
    """Flat positions of each cell value under the keys of
    :func:`_simple_criterion` (numeric text is found by number too).

    Each distinct value is keyed once; the positions are slices of one stable
    sort of the cells by key (ascending within a key)."""
    flat = arr.ravel().tolist()
    if set(map(type, flat)) <= _TEXT_OR_NUMBER:
        return _text_or_number_index(flat)
    return _typed_index(flat)


def _text_or_number_index(flat: list[Any]) -> dict[Any, np.ndarray]:
    """:func:`_equality_index` of texts, numbers and blanks — the usual key
    column. No text equals a number as a dictionary key, so the distinct
    values are numbered in one pass at C speed and keyed once each; the cells
    are then grouped by numpy."""
    # each cell → the position where its value first occurs (a C-level loop)
    raw: dict[Any, int] = {}
    first_at = np.fromiter(
        map(raw.setdefault, flat, range(len(flat))), dtype=np.intp, count=len(flat)
    )
    code_of: dict[Any, int] = {}
    first = np.full(len(flat), -1, dtype=np.intp)  # by first position: the value's key code
    second = np.full(len(flat), -1, dtype=np.intp)  # numeric text: its number's key code
    for v, at in raw.items():
        if v.__class__ is str:
            first[at] = code_of.setdefault(("s", v.lower()), len(code_of))
            n = text_to_number(v)
            if n is not None:
                second[at] = code_of.setdefault(("n", round15(n)), len(code_of))
        elif v is not None:
            first[at] = code_of.setdefault(("n", round15(v)), len(code_of))
    keys = list(code_of)
    index = _positions(first[first_at], keys)
    extra = second[first_at]
    if (extra >= 0).any():
        _add_numeric_text(index, _positions(extra, keys))
    return index


def _positions(codes: np.ndarray, keys: list[Any]) -> dict[Any, np.ndarray]:
    """For each key code in ``codes`` (-1: none), the ascending positions holding it."""
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    return {
        keys[c]: order[bounds[c] : bounds[c + 1]]
        for c in range(len(keys))
        if bounds[c + 1] > bounds[c]
    }


def _add_numeric_text(index: dict[Any, np.ndarray], more: dict[Any, np.ndarray]) -> None:
    """Add to ``index`` the positions of numeric texts under their numbers' keys."""
    for k, positions in more.items():
        have = index.get(k)
        index[k] = positions if have is None else np.union1d(have, positions)


def _typed_index(flat: list[Any]) -> dict[Any, np.ndarray]:
    """:func:`_equality_index` of any cells (logicals, errors, numbers as
    ints): each value keyed with its type, so ``TRUE`` is not ``1``."""
    code_of: dict[Any, int] = {}
    seen: dict[tuple[type, Any], tuple[int, Any]] = {}
    extra: dict[Any, list[int]] = {}  # numeric text, found by its number too
    codes = np.full(len(flat), -1, dtype=np.intp)
    for i, v in enumerate(flat):
        hit = seen.get((v.__class__, v))
        if hit is None:
            second = None
            if isinstance(v, bool):
                first: Any = ("b", v)
            elif isinstance(v, float | int):
                first = ("n", round15(float(v)))
            elif isinstance(v, str):
                first = ("s", v.lower())
                n = text_to_number(v)
                second = None if n is None else ("n", round15(n))
            else:
                first = None
            code = -1 if first is None else code_of.setdefault(first, len(code_of))
            hit = seen[(v.__class__, v)] = (code, second)
        codes[i] = hit[0]
        if hit[1] is not None:
            extra.setdefault(hit[1], []).append(i)
    index = _positions(codes, list(code_of))
    _add_numeric_text(index, {k: np.array(v, dtype=np.intp) for k, v in extra.items()})
    return index


def _scalar_crit(c: Any) -> Any:
    if isinstance(c, Area):
        return c.value()
    if isinstance(c, np.ndarray):
        return c.ravel()[0]
    return c


def _selected_numbers(arr: np.ndarray, selected: np.ndarray) -> list[float]:
    """The numbers at the ``selected`` flat positions (errors there raised)."""
    out = []
    # only the selected cells are read (a column of a wide grid is a strided
    # view: raveling it would copy it whole on every call)
    rows, cols = np.divmod(selected, arr.shape[1])
    for v in arr[rows, cols].tolist():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


# ------------------------------------------------------------ grouped criteria

#: The criteria functions a block computes in one grouped pass: where the
#: aggregated range is (argument position; ``None``: the criteria range itself,
#: ``-1``: none, a count), where the range/criteria pairs start, and whether an
#: optional aggregated range follows one pair (SUMIF/AVERAGEIF).
GROUPED: dict[str, tuple[int | None, int, bool]] = {
    "COUNTIF": (-1, 0, False),
    "COUNTIFS": (-1, 0, False),
    "SUMIF": (None, 0, True),
    "AVERAGEIF": (None, 0, True),
    "SUMIFS": (0, 1, False),
    "AVERAGEIFS": (0, 1, False),
    "MAXIFS": (0, 1, False),
    "MINIFS": (0, 1, False),
}


def grouped_ifs(name: str, args: list[Any], per_row: dict[int, list[Any]], n: int) -> list[Any]:
    """``name`` (one of :data:`GROUPED`) for ``n`` rows whose criteria at the
    positions of ``per_row`` differ from row to row: one pass grouped by the
    distinct criteria (a hash of the criteria columns) instead of a criteria
    selection per row.

    Where every per-row criterion is an equality (``"张三"``, ``3``, ``TRUE``)
    a group's cells come from a hash index of its criteria range; a group whose
    result needs more than a sum, count or extreme of plain numbers (an error
    in the selected cells, an average of nothing) and every other criterion
    give ``None`` for its rows: the caller computes those with the function
    itself (one call per distinct criteria, not per row)."""
    agg, first, optional_target = GROUPED[name]
    pairs = list(range(first, first + 2 if optional_target else len(args), 2))
    if not pairs or len(args) < first + 2 or (not optional_target and (len(args) - first) % 2):
        return [None] * n
    keys_of: list[list[Any]] = []
    for p in pairs:
        if p + 1 in per_row:
            memo: dict[tuple[type, Any], Any] = {}
            keys = []
            for c in per_row[p + 1]:
                k = memo.get((c.__class__, c), _NO_KEY)
                if k is _NO_KEY:
                    k = memo[(c.__class__, c)] = _simple_criterion(_scalar_crit(c))
                if k is None:
                    return [None] * n
                keys.append(k)
            keys_of.append(keys)
        else:
            keys_of.append([])
    try:
        if any(p in per_row or not isinstance(args[p], Area | np.ndarray) for p in pairs):
            return [None] * n
        arrays = [as_array(args[p]) for p in pairs]
        shape = arrays[0].shape
        if any(a.shape != shape for a in arrays):
            return [None] * n
        if agg == -1:
            target = None
        elif agg is None:
            extra = first + 2
            if extra in per_row:
                return [None] * n
            has = len(args) > extra and args[extra] is not MISSING
            target = _area_like(args[extra], shape) if has else arrays[0]
        else:
            if agg in per_row or not isinstance(args[agg], Area | np.ndarray):
                return [None] * n
            target = as_array(args[agg])
            if target.shape != shape:
                return [None] * n
    except ExcelErrorRaised:
        return [None] * n
    shared = [
        k for k, p in enumerate(pairs) if p + 1 not in per_row
    ]  # the same criterion on every row: one mask
    base: np.ndarray | None = None
    for k in shared:
        m = _predicate_mask(_scalar_crit(args[pairs[k] + 1]), arrays[k], args[pairs[k]])
        base = m.ravel() if base is None else base & m.ravel()
    varying = [k for k in range(len(pairs)) if k not in shared]
    indexes = [
        _cached(args[pairs[k]], "criteria-index", functools.partial(_equality_index, arrays[k]))
        for k in varying
    ]
    numbers = None if target is None else _number_column(target)
    out: list[Any] = [None] * n
    done: dict[tuple[Any, ...], Any] = {}
    members: dict[tuple[int, Any], set[int]] = {}  # a key's cells as a set, built once
    if len(varying) == 1:  # the common case, one criterion varying: one index lookup per key
        index, keys = indexes[0], keys_of[varying[0]]
        for i, kk in enumerate(keys):
            found = done.get(kk, _NO_KEY)
            if found is _NO_KEY:
                sel = index.get(kk, _NO_HITS)
                if base is not None and len(sel):
                    sel = sel[base[sel]]
                found = done[kk] = _aggregate(name, sel, numbers)
            out[i] = found
        return out
    for i in range(n):
        key = tuple(keys_of[k][i] for k in varying)
        if key not in done:
            hits = sorted(
                (
                    (idx.get(kk, _NO_HITS), j, kk)
                    for j, (idx, kk) in enumerate(zip(indexes, key, strict=True))
                ),
                key=lambda t: len(t[0]),
            )
            sel = hits[0][0]
            for other, j, kk in hits[1:]:
                if not len(sel):
                    break
                inside = members.get((j, kk))
                if inside is None:
                    inside = members[(j, kk)] = set(other.tolist())
                sel = np.array([x for x in sel.tolist() if x in inside], dtype=np.intp)
            if base is not None and len(sel):
                sel = sel[base[sel]]
            done[key] = _aggregate(name, sel, numbers)
        out[i] = done[key]
    return out


_NO_KEY = object()


#: the aggregated range of a grouped pass (:func:`_number_column`): each
#: cell's value as a number, whether it is one, whether it is an error, and
#: whether any is
NumberColumn = tuple[np.ndarray, np.ndarray, np.ndarray, bool]


def _number_column(target: np.ndarray) -> NumberColumn:
    """The aggregated range flat, at array speed (a 1,048,575-row log is one
    column): each cell's number (floats and ints, not logicals), where the
    numbers are and where the errors are."""
    flat = target.ravel()
    kinds, floats = kinds_and_floats(flat)
    nums = np.array(floats, dtype=np.float64)  # writable: ints are put in below
    isnum = kinds == FLOAT
    iserr = np.zeros(len(flat), dtype=bool)
    for i in np.flatnonzero(kinds == OTHER).tolist():  # ints count as numbers, bools not
        v = flat[i]
        if isinstance(v, int) and not isinstance(v, bool):
            nums[i], isnum[i] = float(v), True
        elif isinstance(v, ExcelError):
            iserr[i] = True
    return nums, isnum, iserr, bool(iserr.any())


def _aggregate(name: str, sel: np.ndarray, numbers: NumberColumn | None) -> Any:
    """One group's result, or ``None`` when the function itself must say it."""
    if numbers is None:
        return float(len(sel))
    nums, isnum, iserr, any_err = numbers
    if any_err and iserr[sel].any():
        return None  # the first error in the selection, as the function raises it
    vals = nums[sel[isnum[sel]]].tolist()  # in the selection's order, as plain floats
    if name in ("SUMIF", "SUMIFS"):
        return math.fsum(vals)
    if not vals:
        return 0.0 if name in ("MAXIFS", "MINIFS") else None
    if name in ("AVERAGEIF", "AVERAGEIFS"):
        return math.fsum(vals) / len(vals)
    return max(vals) if name == "MAXIFS" else min(vals)


def grouped_column(
    spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]
) -> RowValues | None:
    """COUNTIF/SUMIFS … whose criteria vary by row: one grouped pass
    (:func:`addin.refresh.functions.criteria.grouped_ifs`); the groups it
    leaves to the function are computed once per distinct criteria (the
    column path of every function in :data:`GROUPED`)."""
    n = bx.n
    per_row: dict[int, list[Any]] = {}
    for i, a in enumerate(args):
        if not is_rows(a):
            continue
        if not spec.lifts(i) or not isinstance(a, RowValues) or not plain(a):
            return None
        per_row[i] = a.v.tolist()
    with shared_work():
        res = grouped_ifs(spec.name, args, per_row, n)
        done: dict[tuple[Any, ...], Any] = {}
        row = list(args)
        for r in range(n):
            if res[r] is not None:
                continue
            key = tuple((type(v[r]), v[r]) for v in per_row.values())
            if key not in done:
                for i, v in per_row.items():
                    row[i] = v[r]
                done[key] = call(spec, row, bx.one(r))
            res[r] = done[key]
    out = np.empty(n, dtype=object)
    out[:] = res
    return RowValues(out)
