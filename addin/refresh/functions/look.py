"""Lookup and reference: MATCH, XMATCH, XLOOKUP, VLOOKUP, INDEX, CHOOSE, ROW …"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    _SHARED,
    MISSING,
    Area,
    CallContext,
    EngineFunction,
    MultiArea,
    _cached,
    _type_rank,
    _when_reused,
    as_array,
    call,
    compare,
    intersect,
    register,
    repeat,
    round15,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from addin.refresh.functions.columns import (
    Rows,
    RowValues,
    is_rows,
    pure_floats,
    round15_array,
    shared_array,
)
from addin.refresh.functions.criteria import _scalar_crit
from addin.registry import PER_ROW, WHOLE
from addin.xlsx.a1 import col_letters, quote_sheet
from addin.xlsx.formula import MAX_COL, MAX_ROW, FormulaSyntaxError, RangeOp, Ref, parse
from udfs.errors import (
    NA,
    REF,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)
from udfs.wildcards import wildcard_matcher


def _single_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    """``@`` of plain per-row values: the values."""
    return RowValues(args[0].v) if isinstance(args[0], RowValues) else None


@register("SINGLE", WHOLE, needs_context=True, intersects=True, column=_single_column)
def SINGLE(ctx: CallContext, v: Any) -> Any:
    """The ``@`` operator (stored as ``_xlfn.SINGLE``): implicit intersection of
    a range with the formula's row or column, the first value of an array."""
    if isinstance(v, Area):
        return intersect(v, ctx)
    if isinstance(v, MultiArea):
        return VALUE
    if isinstance(v, np.ndarray):
        return v[0, 0]
    return v


def _lookup_key(v: Any, fold: bool = False) -> Any:
    """A hashable key equal for values Excel's exact match treats as equal
    (MATCH/VLOOKUP ignore case; XMATCH/XLOOKUP also fold ``ß`` to ``ss``)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, float | int):
        return ("n", round15(float(v)))
    if isinstance(v, str):
        return ("s", v.casefold() if fold else v.lower())
    return None


def exact_position(
    value: Any,
    items: list[Any],
    wildcards: bool,
    reverse: bool = False,
    fold: bool = False,
    owner: Any = None,
) -> int:
    """0-based position of the first (or last) exact match, -1 if none.

    ``owner``: the range object ``items`` come from; inside :func:`shared_work`
    a hash index of ``items`` is built once for it."""
    order = range(len(items) - 1, -1, -1) if reverse else range(len(items))
    has_wild = wildcards and isinstance(value, str) and any(ch in value for ch in "*?~")
    if owner is not None and _SHARED and not has_wild:

        def build() -> dict[Any, int]:
            idx: dict[Any, int] = {}
            for i in order:
                k = _lookup_key(items[i], fold)
                if k is not None and k not in idx:
                    idx[k] = i
            return idx

        index = _when_reused(owner, f"exact:{fold}:{reverse}:{len(items)}", build)
        if index is not None:
            return index.get(_lookup_key(value, fold), -1)
    if has_wild:
        fits = wildcard_matcher(value)
        for i in order:
            v = items[i]
            if isinstance(v, str) and fits(v):
                return i
        return -1
    key = _lookup_key(value, fold)
    for i in order:
        if _lookup_key(items[i], fold) == key:
            return i
    return -1


def _xrank(v: Any) -> int:
    if v is None or v is MISSING:
        return 3
    return _type_rank(v)


def xcompare(a: Any, b: Any) -> int:
    """Ordering across types as Excel's lookups see it: numbers < text <
    logicals < a blank lookup value."""
    ra, rb = _xrank(a), _xrank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 3:
        return 0
    return compare(a, b)


def approx_position(value: Any, items: list[Any], descending: bool = False) -> int:
    """MATCH/VLOOKUP approximate match.

    Ascending (type 1): Excel's binary search for the last item <= value; an
    item of another type where the search lands counts as larger. Descending
    (type -1): a scan that stops at the first item of the value's type below
    it, skipping other types, and keeps the last item >= value.
    """
    rank = _type_rank(value)
    if descending:
        best = -1
        for i, v in enumerate(items):
            if v is None or isinstance(v, ExcelError) or _type_rank(v) != rank:
                continue
            c = compare(v, value)
            if c < 0:
                break
            best = i
            if c == 0:  # an exact match ends the scan (pycel lookup.xlsx!G32)
                break
        return best
    lo, hi = 0, len(items) - 1
    best = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        v = items[mid]
        if v is None or isinstance(v, ExcelError) or _type_rank(v) != rank:
            # another type where the search lands: use the next item of the
            # value's type before ``hi`` instead (none: search the lower half)
            k = mid + 1
            while k <= hi and (
                items[k] is None or isinstance(items[k], ExcelError) or _type_rank(items[k]) != rank
            ):
                k += 1
            if k > hi:
                hi = mid - 1
                continue
            c = compare(items[k], value)
            if c > 0:
                hi = mid - 1
                continue
            mid, v = k, items[k]
        c = compare(v, value)
        if c == 0:
            # a match ends the search (at the last of a run of equal items)
            while (
                mid + 1 < len(items)
                and _type_rank(items[mid + 1]) == rank
                and (items[mid + 1] is not None and compare(items[mid + 1], value) == 0)
            ):
                mid += 1
            return mid
        if c < 0:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return best


def _binary_x(value: Any, items: list[Any], mode: int, descending: bool) -> int:
    """XMATCH's binary search (search_mode 2/-2) with cross-type ordering.
    Blank cells are stepped over, as Excel's binary search does: where the
    search lands on one it goes on from the next filled cell before ``hi`` (none:
    the lower half), so the empty rows below the data of a whole column
    (``XLOOKUP(x,A:A,B:B,,1,2)``) are never found, in either direction."""
    lo, hi = 0, len(items) - 1
    cand = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] is None:
            k = mid + 1
            while k <= hi and items[k] is None:
                k += 1
            if k > hi:
                hi = mid - 1
                continue
            mid = k
        v = items[mid]
        c = 1 if isinstance(v, ExcelError) else xcompare(v, value)
        if c == 0:
            return mid
        if c < 0:
            if mode == -1:
                cand = mid
            if descending:
                hi = mid - 1
            else:
                lo = mid + 1
        else:
            if mode == 1:
                cand = mid
            if descending:
                lo = mid + 1
            else:
                hi = mid - 1
    return cand


def _items_of(array: Any) -> list[Any]:
    """A one-row or one-column range as a list (cached inside :func:`shared_work`).
    An error value in place of the range (``#REF!`` of a deleted one) is that error."""
    if isinstance(array, ExcelError):
        raise ExcelErrorRaised(array)
    return _cached(array, "items", lambda: _vector_items(as_array(array)))


def _vector_items(arr: np.ndarray) -> list[Any]:
    if arr.shape[0] != 1 and arr.shape[1] != 1:
        raise fail(NA, "查找区域须为单行或单列 / lookup_array must be one row or column")
    return list(arr.ravel())


def _match_column(
    spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any], xmatch: bool
) -> Any:
    """MATCH/XMATCH exact match down a block: one hash index of the array."""
    if not isinstance(args[0], RowValues) or any(is_rows(a) for a in args[1:]):
        return None
    arr = shared_array(memo, args[1])
    if arr is None or (arr.shape[0] != 1 and arr.shape[1] != 1):
        return None
    mode = args[2] if len(args) > 2 else MISSING
    if isinstance(mode, Area | np.ndarray | ExcelError):
        return None
    if len(args) > 3 and args[3] is not MISSING:
        return None
    try:
        m = (0 if xmatch else 1) if mode is MISSING else to_number(mode)
    except ExcelErrorRaised:
        return None
    if m != 0:
        return None
    fold = xmatch
    idx = exact_index(memo, arr, arr.ravel(), "all", fold)
    vals = args[0].v
    out = np.empty(len(vals), dtype=object)
    for i, x in enumerate(vals):
        if isinstance(x, ExcelError):
            out[i] = x
        elif x is None or (isinstance(x, str) and any(ch in x for ch in "*?~")):
            out[i] = call(spec, [x, *args[1:]], bx.one(i))
        else:
            p = idx.get(_lookup_key(x, fold))
            out[i] = NA.with_message("找不到匹配值 / no match") if p is None else float(p + 1)
    return RowValues(out)


def _match_col(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _match_column(spec, args, bx, memo, xmatch=False)


def _xmatch_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _match_column(spec, args, bx, memo, xmatch=True)


@register("MATCH", PER_ROW, WHOLE, PER_ROW, min_args=2, values_only=True, column=_match_col)
def MATCH(value: Any, array: Any, match_type: Any = MISSING) -> float:
    """MATCH(lookup_value, lookup_array, [match_type=1])."""
    mt = 1 if match_type is MISSING else to_number(match_type)
    items = _items_of(array)
    if value is None or value is MISSING:
        if mt == 0:
            raise fail(NA, "查找值为空 / lookup value is blank")
        value = 0.0
    if mt == 0:
        pos = exact_position(value, items, wildcards=True, owner=items)
    else:
        pos = approx_position(value, items, descending=mt < 0)
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    return float(pos + 1)


def _mode_int(v: Any) -> int:
    """XMATCH/XLOOKUP's match_mode and search_mode are rounded down (-1.1 is -2),
    as Excel does (oracle LOOKUP!AH162:AW170)."""
    return math.floor(to_number(v))


def _regex_position(value: Any, items: list[Any], reverse: bool) -> int:
    """match_mode 3 (Excel 365): the first (last) text the lookup value, read
    as a regular expression, matches anywhere in — case-sensitive, as Excel's
    REGEX functions; numbers are matched as their text; an invalid pattern is
    #VALUE!."""
    try:
        pattern = re.compile(to_text(value))
    except re.error:
        raise fail(VALUE, "正则表达式无效 / invalid regular expression") from None
    order = range(len(items) - 1, -1, -1) if reverse else range(len(items))
    for i in order:
        v = items[i]
        if v is None or isinstance(v, ExcelError):
            continue
        if pattern.search(to_text(v)):
            return i
    return -1


def _blank_position(items: list[Any], array: Any, search: int) -> int:
    """Where XMATCH/XLOOKUP's exact match finds a blank (or omitted) lookup
    value: the first (last, searching from the end) blank cell of the lookup
    range — on a whole column the row after the data, whose cells the engine
    does not hold (Excel's XLOOKUP of an empty cell is 0, not #N/A, for that
    reason). -1 when the range holds no blank."""
    extent = array.size if isinstance(array, Area) else len(items)
    if search == -1:
        if extent > len(items):
            return extent - 1
        return next((i for i in range(len(items) - 1, -1, -1) if items[i] is None), -1)
    found = next((i for i, v in enumerate(items) if v is None), -1)
    return found if found >= 0 or extent <= len(items) else len(items)


def _xmatch_pos(value: Any, items: list[Any], mode: int, search: int, owner: Any = None) -> int:
    if mode not in (0, -1, 1, 2, 3) or search not in (1, -1, 2, -2):
        raise fail(VALUE, "XMATCH/XLOOKUP 模式参数无效 / invalid match_mode or search_mode")
    if search in (2, -2):
        if mode in (2, 3):
            raise fail(VALUE, "通配符不能用二分查找 / wildcards need a linear search")
        return _binary_x(value, items, mode, search == -2)
    if mode == 3:
        return _regex_position(value, items, search == -1)
    if mode in (0, 2):
        if value is None:
            return -1
        return exact_position(
            value, items, wildcards=mode == 2, reverse=search == -1, fold=mode == 0, owner=owner
        )
    best, best_v = -1, None
    order = range(len(items) - 1, -1, -1) if search == -1 else range(len(items))
    for i in order:
        v = items[i]
        if v is None or isinstance(v, ExcelError):
            continue
        c = xcompare(v, value)
        if c == 0:
            return i
        if (mode == -1 and c < 0) or (mode == 1 and c > 0):
            if best_v is None:
                best, best_v = i, v
            else:
                cb = xcompare(v, best_v)
                if (mode == -1 and cb > 0) or (mode == 1 and cb < 0):
                    best, best_v = i, v
    return best


@register(
    "XMATCH", PER_ROW, WHOLE, PER_ROW, PER_ROW, min_args=2, values_only=True, column=_xmatch_column
)
def XMATCH(value: Any, array: Any, mode: Any = MISSING, search: Any = MISSING) -> float:
    """XMATCH(lookup_value, lookup_array, [match_mode=0], [search_mode=1]).

    match_mode 0 exact (case-insensitive), -1 exact or next smaller, 1 exact
    or next larger (across types numbers < text < logicals), 2 wildcards,
    3 a regular expression; search_mode 1 first-to-last, -1 last-to-first,
    2/-2 binary over ascending/descending data (wildcards and regular
    expressions then #VALUE!). Modes are rounded down; other values #VALUE!.
    An error value as the array (#REF!) is that error; not found #N/A."""
    items = _items_of(array)
    m = 0 if mode is MISSING else _mode_int(mode)
    s = 1 if search is MISSING else _mode_int(search)
    if value is MISSING:
        value = None
    if value is None and m == 0 and s in (1, -1):
        pos = _blank_position(items, array, s)
    else:
        pos = _xmatch_pos(value, items, m, s, items)
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    return float(pos + 1)


@register(
    "XLOOKUP", PER_ROW, WHOLE, WHOLE, WHOLE, PER_ROW, PER_ROW, min_args=3, returns_reference=True
)
def XLOOKUP(
    value: Any,
    lookup: Any,
    result: Any,
    if_not_found: Any = MISSING,
    mode: Any = MISSING,
    search: Any = MISSING,
) -> Any:
    """XLOOKUP(lookup_value, lookup_array, return_array, [if_not_found], [match_mode], [search_mode])."""
    items = _items_of(lookup)
    if isinstance(result, ExcelError):
        raise ExcelErrorRaised(result)
    larr = as_array(lookup)
    m = 0 if mode is MISSING else _mode_int(_scalar_crit(mode))
    s = 1 if search is MISSING else _mode_int(_scalar_crit(search))
    if value is MISSING:
        value = None
    if value is None and m == 0 and s in (1, -1):
        pos = _blank_position(items, lookup, s)
    else:
        pos = _xmatch_pos(value, items, m, s, items)
    if pos < 0:
        if if_not_found is MISSING:
            raise fail(NA, "找不到匹配值 / no match")
        return if_not_found
    rshape = result.shape if isinstance(result, Area | np.ndarray) else (1, 1)
    # a whole column's size, not its used part (XLOOKUP(x,A:A,B:B) with B longer)
    lshape = lookup.shape if isinstance(lookup, Area) else larr.shape
    vertical = (lshape[1] == 1 and lshape[0] > 1) or lshape == (1, 1)
    if vertical:
        if rshape[0] != lshape[0]:
            raise fail(VALUE, "返回区域大小不符 / return_array size differs")
        return _take(result, pos, 0, pos, rshape[1] - 1)
    if rshape[1] != lshape[1]:
        raise fail(VALUE, "返回区域大小不符 / return_array size differs")
    return _take(result, 0, pos, rshape[0] - 1, pos)


def _take(src: Any, r0: int, c0: int, r1: int, c1: int) -> Any:
    if isinstance(src, Area):
        return src.sub(r0, c0, r1, c1)
    arr = as_array(src)
    part = arr[r0 : r1 + 1, c0 : c1 + 1]
    return part[0, 0] if part.shape == (1, 1) else part


def _line_lookup(value: Any, table: Any, index: Any, approx: Any, vertical: bool) -> Any:
    """VLOOKUP (``vertical``: search the first column, return column ``index``)
    and HLOOKUP (search the first row, return row ``index``)."""
    if isinstance(table, ExcelError):
        raise ExcelErrorRaised(table)
    if isinstance(table, str):
        raise fail(VALUE, "表格须为区域或数组 / table_array must be a range or an array")
    arr = as_array(table)
    if not vertical:
        arr = arr.T
    k = to_int(index)
    what = ("列号", "col_index_num") if vertical else ("行号", "row_index_num")
    if k > arr.shape[1]:
        raise fail(REF, f"{what[0]}超出表格 / {what[1]} is beyond the table")
    is_approx = True if approx is MISSING else to_bool(approx)
    if value is None or value is MISSING:
        value = 0.0
    items = _cached(table, "col0" if vertical else "row0", lambda: list(arr[:, 0]))
    pos = (
        approx_position(value, items)
        if is_approx
        else exact_position(value, items, True, owner=items)
    )
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    if k < 1:  # checked after the search: not found is #N/A first (calamine errors.xlsx!A7)
        raise fail(VALUE, f"{what[0]}小于 1 / {what[1]} is below 1")
    return arr[pos, k - 1]  # a blank stays blank; the cell's value makes it 0


def exact_index(
    memo: dict[Any, Any], owner: np.ndarray, items: np.ndarray, how: str, fold: bool
) -> dict[Any, int]:
    """First position of each lookup key in ``items`` (a row or column of
    ``owner``, an array the memo keeps alive, so its id is stable)."""
    key = ("idx", id(owner), how, fold)
    if key not in memo:
        idx: dict[Any, int] = {}
        for i, v in enumerate(items.tolist()):
            k = _lookup_key(v, fold)
            if k is not None and k not in idx:
                idx[k] = i
        memo[key] = idx
    return memo[key]


def _line_column(
    spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any], vertical: bool
) -> Any:
    """VLOOKUP/HLOOKUP down a block: exact match through one hash index of the
    table's first column (row), approximate match by one binary search."""
    if len(args) < 3 or not isinstance(args[0], RowValues) or any(is_rows(a) for a in args[1:]):
        return None
    table = shared_array(memo, args[1])
    if table is None or isinstance(args[2], Area | np.ndarray):
        return None
    approx = args[3] if len(args) > 3 else MISSING
    if isinstance(approx, Area | np.ndarray | ExcelError) or isinstance(args[2], ExcelError):
        return None
    try:
        exact = approx is not MISSING and not to_bool(approx)
        k = to_int(args[2])
    except ExcelErrorRaised:
        return None
    if k < 1 or k > (table.shape[1] if vertical else table.shape[0]):
        return None
    keys = table[:, 0] if vertical else table[0, :]
    if not exact:
        return _approx_column(table, keys, k, vertical, args)
    idx = exact_index(memo, table, keys, "col" if vertical else "row", False)
    vals = args[0].v
    n = len(vals)
    out = np.empty(n, dtype=object)
    for i in range(n):
        x = vals[i]
        if isinstance(x, ExcelError):
            out[i] = x
            continue
        if x is None:
            x = 0.0
        if isinstance(x, str) and any(ch in x for ch in "*?~"):
            out[i] = call(spec, [x, args[1], *args[2:]], bx.one(i))
            continue
        p = idx.get(_lookup_key(x))
        if p is None:
            out[i] = NA.with_message("找不到匹配值 / no match")
        else:
            # a blank stays blank for the formula around it (VLOOKUP(…)&""
            # is ""); the cell's own value turns it into 0
            out[i] = table[p, k - 1] if vertical else table[k - 1, p]
    return RowValues(out)


def _approx_column(
    table: np.ndarray, keys: np.ndarray, k: int, vertical: bool, args: list[Any]
) -> Any:
    """VLOOKUP/HLOOKUP approximate match on a column of numbers sorted
    ascending: one ``searchsorted`` (Excel's binary search finds the same
    row there); anything else goes row by row."""
    sorted_keys = pure_floats(np.asarray(keys))
    vals = args[0].v
    if sorted_keys is None or vals.dtype != np.float64:
        return None
    rk = round15_array(sorted_keys)
    if len(rk) > 1 and not (np.diff(rk) >= 0).all():
        return None
    pos = np.searchsorted(rk, round15_array(vals), "right") - 1
    column = table[:, k - 1] if vertical else table[k - 1, :]
    out = np.empty(len(vals), dtype=object)
    found = pos >= 0
    picked = column[np.where(found, pos, 0)]
    out[:] = picked.tolist()
    out[~found] = NA.with_message("找不到匹配值 / no match")
    return RowValues(out)


def _vlookup_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _line_column(spec, args, bx, memo, vertical=True)


def _hlookup_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _line_column(spec, args, bx, memo, vertical=False)


@register(
    "VLOOKUP",
    PER_ROW,
    WHOLE,
    PER_ROW,
    PER_ROW,
    min_args=3,
    values_only=True,
    column=_vlookup_column,
)
def VLOOKUP(value: Any, table: Any, col: Any, approx: Any = MISSING) -> Any:
    """VLOOKUP(lookup_value, table_array, col_index_num, [range_lookup=TRUE]).

    Order of the checks, as Excel makes them: a text or number as the table is
    #VALUE!; ``col_index_num`` beyond the table #REF!; the search (not found:
    #N/A); then ``col_index_num`` below 1 #VALUE! (so VLOOKUP(B1,B1,B1,3) over
    blanks is #N/A). A blank lookup value is 0; an error one is that error;
    ``range_lookup`` TRUE (default, any non-zero number): the last item ≤ the
    value by binary search over a sorted first column, FALSE: the first equal
    item, case-insensitive, with ``*``/``?``/``~`` wildcards for text. A blank
    cell found returns 0 (the reference's value); an array of lookup values
    gives an array."""
    return _line_lookup(value, table, col, approx, vertical=True)


@register(
    "HLOOKUP",
    PER_ROW,
    WHOLE,
    PER_ROW,
    PER_ROW,
    min_args=3,
    values_only=True,
    column=_hlookup_column,
)
def HLOOKUP(value: Any, table: Any, row: Any, approx: Any = MISSING) -> Any:
    """HLOOKUP(lookup_value, table_array, row_index_num, [range_lookup=TRUE])."""
    return _line_lookup(value, table, row, approx, vertical=False)


@register(
    "INDEX", WHOLE, PER_ROW, PER_ROW, PER_ROW, min_args=2, returns_reference=True, array_first=True
)
def INDEX(src: Any, row: Any, col: Any = MISSING, area: Any = MISSING) -> Any:
    """INDEX(array, row_num, [column_num]): a cell, or a whole row/column for 0."""
    k = 1 if area is MISSING else to_int(area)
    if isinstance(src, MultiArea):
        if not 1 <= k <= len(src):
            raise fail(REF, "INDEX 区域编号超出 / area_num out of range")
        src = src[k - 1]
    elif k != 1:
        raise fail(REF, "INDEX 区域编号超出 / area_num out of range")
    h, w = src.shape if isinstance(src, Area | np.ndarray) else (1, 1)
    r = 0 if row is MISSING or row is None else to_int(row)
    c = 0 if col is MISSING or col is None else to_int(col)
    if r < 0 or c < 0:
        raise fail(VALUE, "INDEX 行列号为负 / negative row or column")
    if col is MISSING and (h == 1 or w == 1) and not (h == 1 and w == 1):
        # one row or column: the single index runs along it
        if h == 1:
            r, c = 1, r
    elif col is MISSING and isinstance(src, Area) and h > 1 and w > 1:
        raise fail(REF, "二维区域须给出列号 / a 2-D range needs column_num")
    if r > h or c > w:
        raise fail(REF, "INDEX 超出区域 / index beyond the range")
    r0, r1 = (0, h - 1) if r == 0 else (r - 1, r - 1)
    c0, c1 = (0, w - 1) if c == 0 else (c - 1, c - 1)
    if not isinstance(src, Area | np.ndarray):
        return src
    return _take(src, r0, c0, r1, c1)


@register("CHOOSE", PER_ROW, WHOLE, repeat(WHOLE), lift_all=True, returns_reference=True)
def CHOOSE(index: Any, *choices: Any) -> Any:
    """CHOOSE(index_num, value1, …)."""
    i = to_int(index)
    if i < 1 or i > len(choices):
        raise fail(VALUE, "CHOOSE 序号超出 / index_num out of range")
    v = choices[i - 1]
    return 0.0 if v is MISSING else v


@register("ROW", WHOLE, min_args=0, needs_context=True, reads_position=True)
def ROW(ctx: CallContext, ref: Any = MISSING) -> Any:
    """ROW([reference])."""
    if ref is MISSING:
        return float(ctx.row)
    if isinstance(ref, ExcelError):
        return ref
    if not isinstance(ref, Area):
        raise fail(VALUE, "ROW 需要引用 / ROW needs a reference")
    if ctx.array_mode and ref.height > 1:
        # a whole column stops where its values do (the used extent), so ROW(A:A)
        # lines up with A:A<>"" in MAX(IF(A:A<>"",ROW(A:A)))
        bottom = ref.bottom if ref.bottom < MAX_ROW else ref.top + as_array(ref).shape[0] - 1
        return np.arange(ref.top, bottom + 1, dtype=float).astype(object).reshape(-1, 1)
    return float(ref.top)


@register("COLUMN", WHOLE, min_args=0, needs_context=True, reads_position=True)
def COLUMN(ctx: CallContext, ref: Any = MISSING) -> Any:
    """COLUMN([reference])."""
    if ref is MISSING:
        return float(ctx.col)
    if isinstance(ref, ExcelError):
        return ref
    if not isinstance(ref, Area):
        raise fail(VALUE, "COLUMN 需要引用 / COLUMN needs a reference")
    if ctx.array_mode and ref.width > 1:
        right = ref.right if ref.right < MAX_COL else ref.left + as_array(ref).shape[1] - 1
        return np.arange(ref.left, right + 1, dtype=float).astype(object).reshape(1, -1)
    return float(ref.left)


@register("ROWS", WHOLE)
def ROWS(a: Any) -> float:
    """ROWS(array)."""
    if isinstance(a, ExcelError):
        return a  # type: ignore[return-value]
    if isinstance(a, MultiArea):
        raise fail(REF, "多区域引用 / a multi-area reference")
    return float(a.shape[0]) if isinstance(a, Area | np.ndarray) else 1.0


@register("COLUMNS", WHOLE)
def COLUMNS(a: Any) -> float:
    """COLUMNS(array)."""
    if isinstance(a, ExcelError):
        return a  # type: ignore[return-value]
    if isinstance(a, MultiArea):
        raise fail(REF, "多区域引用 / a multi-area reference")
    return float(a.shape[1]) if isinstance(a, Area | np.ndarray) else 1.0


@register("LOOKUP", PER_ROW, WHOLE, WHOLE, min_args=2, returns_reference=True, array_params=(1, 2))
def LOOKUP(value: Any, lookup_vector: Any, result: Any = MISSING) -> Any:
    """LOOKUP(lookup_value, lookup_vector, [result_vector]): the approximate match
    (the last item ≤ value, sorted ascending); the array form searches the first
    row of a wider-than-tall array, else the first column, and returns the last.
    A result_vector of more than one row and column is #N/A (pycel
    lookup.xlsx!J30); one shorter than the match reads on past its end."""
    arr = as_array(lookup_vector)
    h, w = arr.shape
    if value is None or value is MISSING:
        value = 0.0
    # the first row of a wider-than-tall array, else its first column (also when
    # a result vector is given: pycel lookup.xlsx!C28)
    items = list(arr[0, :]) if w > h else list(arr[:, 0])
    pos = approx_position(value, items)
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    if result is MISSING:
        return _take(lookup_vector, h - 1, pos, h - 1, pos) if w > h else \
            _take(lookup_vector, pos, w - 1, pos, w - 1)  # fmt: skip
    rh, rw = result.shape if isinstance(result, Area | np.ndarray) else (1, 1)
    if rh > 1 and rw > 1:
        raise fail(NA, "结果区域须为单行或单列 / result_vector must be one row or column")
    if rh == 1:
        if pos >= rw and not isinstance(result, Area):
            raise fail(NA, "结果区域太短 / result_vector too short")
        return _take(result, 0, pos, 0, pos) if pos < rw else _extend(result, 0, pos)
    if pos >= rh and not isinstance(result, Area):
        raise fail(NA, "结果区域太短 / result_vector too short")
    return _take(result, pos, 0, pos, 0) if pos < rh else _extend(result, pos, 0)


def _extend(result: Area, dr: int, dc: int) -> Any:
    """A cell beyond a result range that is too short (Excel reads on past its end)."""
    return Area(result.grid, result.top + dr, result.left + dc, result.top + dr, result.left + dc)


def _note_dynamic(area: Area) -> Area:
    """Tell the engine a formula read ``area`` through OFFSET/INDIRECT (found
    only now, at evaluation time), so it can order the formula after the cells there."""
    hook = getattr(area.grid, "on_dynamic", None)
    if hook is not None:
        hook(area)
    return area


@register("OFFSET", WHOLE, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=2, returns_reference=True)
def OFFSET(ref: Any, rows: Any, cols: Any = MISSING, height: Any = MISSING,
           width: Any = MISSING) -> Any:  # fmt: skip
    """OFFSET(reference, rows, cols, [height], [width]): a reference moved and
    resized; beyond the sheet is #REF!."""
    if isinstance(ref, ExcelError):
        return ref
    if isinstance(ref, MultiArea) or not isinstance(ref, Area):
        raise fail(VALUE, "OFFSET 需要引用 / OFFSET needs a reference")
    dr = 0 if rows is MISSING or rows is None else to_int(rows)
    dc = 0 if cols is MISSING or cols is None else to_int(cols)
    h = ref.height if height is MISSING or height is None else _extent(height)
    w = ref.width if width is MISSING or width is None else _extent(width)
    if h == 0 or w == 0:
        raise fail(REF, "高度或宽度为零 / height or width is 0")
    top, left = ref.top + dr, ref.left + dc
    bottom, right = top + h - 1, left + w - 1
    if h < 0:
        top, bottom = top + h + 1, top
    if w < 0:
        left, right = left + w + 1, left
    if top < 1 or left < 1 or bottom > MAX_ROW or right > MAX_COL:
        raise fail(REF, "引用超出工作表 / reference beyond the sheet")
    return _note_dynamic(Area(ref.grid, top, left, bottom, right))


def _extent(size: Any) -> int:
    """OFFSET's height or width: Excel places the far edge ``size - 1`` cells
    on, truncated toward zero, so 3.99 is 3 wide but 0.9 is 1 (ironcalc
    ROW_COLUM.xlsx OFFSET!K45–K51); 0 stays 0 (#REF!)."""
    x = to_number(size)
    if x == 0:
        return 0
    return math.trunc(x - 1) + 1 if x > 0 else math.trunc(x + 1) - 1


_NAME_TEXT = re.compile(r"^[A-Za-z_\\][\w.]*$")
_CELL_TEXT = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+$|^[Rr]\d*[Cc]\d*$")
_R1C1 = re.compile(r"^R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?$", re.IGNORECASE)


def _r1c1_part(text: str | None, here: int) -> int:
    if not text:
        return here
    if text.startswith("["):
        return here + int(text[1:-1])
    return int(text)


def _indirect_ref(text: str, a1: bool, ctx: CallContext) -> tuple[str | None, tuple[int, int, int, int]]:
    """(sheet, (top, left, bottom, right)) of a reference written as text."""
    sheet, bang, addr = text.rpartition("!")
    if bang and sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    if not a1:
        corners = []
        for part in addr.split(":"):
            m = _R1C1.match(part.strip())
            if m is None:
                raise fail(REF, f"无效的引用 / not a reference: {text!r}")
            corners.append((_r1c1_part(m.group(1), ctx.row), _r1c1_part(m.group(2), ctx.col)))
        (t, lf), (b, r) = corners[0], corners[-1]
        return (sheet or None), (min(t, b), min(lf, r), max(t, b), max(lf, r))
    try:
        node = parse(addr.strip())
    except FormulaSyntaxError:
        raise fail(REF, f"无效的引用 / not a reference: {text!r}") from None
    if isinstance(node, RangeOp) and isinstance(node.left, Ref) and isinstance(node.right, Ref):
        p, q = node.left, node.right
        return (sheet or None), (min(p.top, q.top), min(p.left, q.left), max(p.bottom, q.bottom),
                                 max(p.right, q.right))  # fmt: skip
    if isinstance(node, Ref):
        return (sheet or None), (node.top, node.left, node.bottom, node.right)
    raise fail(REF, f"无效的引用 / not a reference: {text!r}")


@register("ADDRESS", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=2)
def ADDRESS(row: Any, column: Any, abs_num: Any = MISSING, a1: Any = MISSING,
            sheet: Any = MISSING) -> str:  # fmt: skip
    """ADDRESS(row_num, column_num, [abs_num=1], [a1=TRUE], [sheet_text]): a
    cell's address as text. Row and column are truncated and must lie on the
    sheet, abs_num 1–4 ($A$1, A$1, $A1, A1), else #VALUE!; R1C1 style writes
    the relative parts as R[2]/C[3] (Microsoft's examples). A sheet name is
    quoted when a formula would quote it ('My Sheet'!, '[Book1]Sheet1'!);
    an empty one adds nothing (LibreOffice agrees). An argument written
    empty is blank (:meth:`~addin.refresh.functions.EngineFunction.empty_argument`):
    abs_num 0 (#VALUE!), a1 FALSE."""
    r, c = to_int(row), to_int(column)
    kind = 1 if abs_num is MISSING else to_int(abs_num)
    if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL and 1 <= kind <= 4):
        raise fail(VALUE, "ADDRESS 参数超出范围 / ADDRESS argument out of range")
    row_abs, col_abs = kind in (1, 2), kind in (1, 3)
    if a1 is MISSING or to_bool(a1):
        text = f"{'$' if col_abs else ''}{col_letters(c)}{'$' if row_abs else ''}{r}"
    else:
        text = f"R{r if row_abs else f'[{r}]'}C{c if col_abs else f'[{c}]'}"
    name = "" if sheet is MISSING or sheet is None else to_text(sheet)
    return f"{quote_sheet(name)}!{text}" if name else text


@register("INDIRECT", PER_ROW, PER_ROW, min_args=1, needs_context=True, returns_reference=True)
def INDIRECT(ctx: CallContext, text: Any, a1: Any = MISSING) -> Any:
    """INDIRECT(ref_text, [a1=TRUE]): the reference a text names (A1 or R1C1
    style, on this or another sheet of the workbook); a name, another
    workbook or bad text is #REF!."""
    t = to_text(text).strip()
    style_a1 = True if a1 is MISSING else to_bool(a1)
    if not t:
        raise fail(REF, "空引用 / empty reference")
    named = getattr(ctx.grid, "name_ref", None)
    if named is not None and _NAME_TEXT.match(t) and not _CELL_TEXT.match(t):
        area = named(t)  # a defined name (phpspreadsheet IndirectFormulaSelection.xlsx!A5)
        if isinstance(area, Area):
            return _note_dynamic(area)
    sheet, (top, left, bottom, right) = _indirect_ref(t, style_a1, ctx)
    grid: Any = ctx.grid
    if sheet is not None:
        grid = getattr(ctx.grid, "sheets", {}).get(sheet.casefold())
        if grid is None:
            raise fail(REF, f"工作表不存在 / no sheet {sheet}")
    if top < 1 or left < 1 or bottom > MAX_ROW or right > MAX_COL:
        raise fail(REF, "引用超出工作表 / reference beyond the sheet")
    return _note_dynamic(Area(grid, top, left, bottom, right))


@register("TRANSPOSE", WHOLE, array_args=True)
def TRANSPOSE(a: Any) -> Any:
    """TRANSPOSE(array)."""
    if isinstance(a, ExcelError):
        return a
    arr = as_array(a)
    out = np.empty((arr.shape[1], arr.shape[0]), dtype=object)
    out[:, :] = arr.T
    return out


@register("HYPERLINK", PER_ROW, PER_ROW, min_args=1)
def HYPERLINK(link: Any, friendly: Any = MISSING) -> Any:
    """HYPERLINK(link_location, [friendly_name]): the cell shows the friendly
    name (a number stays a number; a blank friendly name cell shows 0), or the
    link location as text when it is omitted; the jump itself is Excel's UI,
    nothing a refresh computes. An error in either argument is that error."""
    if friendly is MISSING:
        return to_text(link)
    return 0.0 if friendly is None else friendly
