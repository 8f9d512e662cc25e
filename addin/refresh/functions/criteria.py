"""Excel's criteria (">=80", "a*", "<>x") for COUNTIF-like functions."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    _CMP,
    _SHARED,
    MISSING,
    Area,
    _cached,
    _when_reused,
    as_array,
    round15,
    text_to_number,
)
from udfs.errors import (
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
    parse_error,
)

_CRIT_OP = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.DOTALL)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Excel wildcards (``*``, ``?``, ``~`` escapes) as a case-insensitive regex."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


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
        rx = wildcard_regex(rhs)
        if op == "=":
            return lambda v: isinstance(v, str) and rx.match(v) is not None
        return lambda v: not (isinstance(v, str) and rx.match(v) is not None)
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
                    functools.partial(_cached, rng, tag, functools.partial(_predicate_mask, c, arr))
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


def _predicate_mask(crit: Any, arr: np.ndarray) -> np.ndarray:
    pred = make_criterion(crit)
    return np.fromiter((pred(v) for v in arr.ravel()), dtype=bool, count=arr.size)


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
    if not t or t[0] in "<>=" or any(ch in t for ch in "*?~"):
        return None
    if t.upper() in ("TRUE", "FALSE"):
        return ("b", t.upper() == "TRUE")
    if parse_error(t.strip()) is not None:
        return None
    n = text_to_number(t) if t.strip() else None
    if n is not None:
        return ("n", round15(n))
    return ("s", t.lower())


def _equality_index(arr: np.ndarray) -> dict[Any, np.ndarray]:
    """Flat positions of each cell value under the keys of
    :func:`_simple_criterion` (numeric text is found by number too)."""
    lists: dict[Any, list[int]] = {}
    for i, v in enumerate(arr.ravel().tolist()):
        if isinstance(v, bool):
            keys: tuple[Any, ...] = (("b", v),)
        elif isinstance(v, float | int):
            keys = (("n", round15(float(v))),)
        elif isinstance(v, str):
            n = text_to_number(v)
            keys = (("s", v.lower()),) if n is None else (("s", v.lower()), ("n", round15(n)))
        else:
            continue
        for k in keys:
            lists.setdefault(k, []).append(i)
    return {k: np.array(v, dtype=np.intp) for k, v in lists.items()}


def _scalar_crit(c: Any) -> Any:
    if isinstance(c, Area):
        return c.value()
    if isinstance(c, np.ndarray):
        return c.ravel()[0]
    return c


def _selected_numbers(arr: np.ndarray, selected: np.ndarray) -> list[float]:
    """The numbers at the ``selected`` flat positions (errors there raised)."""
    out = []
    flat = arr.ravel()
    for i in selected.tolist():
        v = flat[i]
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out
