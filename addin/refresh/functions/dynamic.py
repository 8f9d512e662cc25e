"""Dynamic arrays: SEQUENCE, FILTER, SORT, SORTBY, UNIQUE, TAKE, DROP,
CHOOSEROWS, CHOOSECOLS, HSTACK, VSTACK, TOCOL, TOROW, MMULT.

Each returns a 2-D array the engine spills. Arguments are read as arrays
(``array_args``), so ``FILTER(A2:B9, A2:A9>5)`` compares the whole column even
in a formula saved without the dynamic-array flag. An empty result is #CALC!,
as in Excel.
"""

from __future__ import annotations

import math
from functools import cmp_to_key
from typing import Any

import numpy as np

from addin.refresh.functions import volatile
from addin.refresh.functions._core import (
    MISSING,
    Area,
    as_array,
    compare,
    register,
    repeat,
    round15,
    to_bool,
    to_int,
    to_number,
)
from addin.registry import PER_ROW, WHOLE
from addin.xlsx.formula import MAX_COL, MAX_ROW
from udfs.errors import CALC, NA, NUM, VALUE, ExcelError, ExcelErrorRaised, fail


def _key(v: Any) -> Any:
    """UNIQUE's equality: text ignoring case, numbers to 15 digits, types apart."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, str):
        return ("s", v.lower())
    if isinstance(v, float | int):
        return ("n", round15(float(v)))
    if isinstance(v, ExcelError):
        return ("e", v.code)
    return ("", None)


#: the most cells SEQUENCE, RANDARRAY and EXPAND build (an engine limit: a
#: result larger than this could not spill into a sheet's used part anyway)
MAX_CELLS = 10_000_000


def _size_ok(h: int, w: int) -> None:
    if h > MAX_ROW or w > MAX_COL or h * w > MAX_CELLS:
        raise fail(NUM, "结果数组过大 / the result array is too large")


def _arr(a: Any) -> np.ndarray:
    if isinstance(a, ExcelError):
        raise ExcelErrorRaised(a)
    return as_array(a)


def _empty(what: str) -> ExcelError:
    return CALC.with_message(f"结果为空 / the result is empty ({what})")


def _blank_zero(arr: np.ndarray) -> np.ndarray:
    """Blanks in a spilled result show as 0, as Excel spills them."""
    out = arr.copy()
    for idx, v in np.ndenumerate(out):
        if v is None:
            out[idx] = 0.0
    return out


@register("SEQUENCE", PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=1)
def SEQUENCE(rows: Any, cols: Any = MISSING, start: Any = MISSING, step: Any = MISSING) -> Any:
    """SEQUENCE(rows, [columns=1], [start=1], [step=1])."""
    h = 1 if rows is MISSING else to_int(rows)
    w = 1 if cols is MISSING else to_int(cols)
    s = 1.0 if start is MISSING else to_number(start)
    d = 1.0 if step is MISSING else to_number(step)
    if h < 0 or w < 0:
        raise fail(VALUE, "行数或列数为负 / negative rows or columns")
    if h == 0 or w == 0:
        raise fail(VALUE, "SEQUENCE 的行数或列数为零 / SEQUENCE of zero rows or columns")
    _size_ok(h, w)
    out = (s + d * np.arange(h * w, dtype=float)).reshape(h, w)
    return out.astype(object)


@register("FILTER", WHOLE, WHOLE, WHOLE, min_args=2, array_args=True)
def FILTER(array: Any, include: Any, if_empty: Any = MISSING) -> Any:
    """FILTER(array, include, [if_empty]): the rows (or columns) whose include value is TRUE."""
    arr, inc = _arr(array), _arr(include)
    h, w = arr.shape
    if inc.shape[1] == 1 and inc.shape[0] == h:
        axis = 0
    elif inc.shape[0] == 1 and inc.shape[1] == w:
        axis = 1
    else:
        raise fail(VALUE, "include 的大小与数组不符 / include does not fit the array")
    keep = []
    for v in inc.ravel():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        keep.append(False if v is None else to_bool(v) if not isinstance(v, str) else _text_bool(v))
    idx = [i for i, k in enumerate(keep) if k]
    if not idx:
        if if_empty is MISSING:
            return _empty("FILTER")
        return if_empty
    return _blank_zero(arr[idx, :] if axis == 0 else arr[:, idx])


def _text_bool(v: str) -> bool:
    raise fail(VALUE, f"文本“{v}”不是逻辑值 / text {v!r} is not TRUE/FALSE")


def _sort_cmp(a: Any, b: Any) -> int:
    """SORT's order: numbers < text < logicals < errors < blanks."""

    def rank(v: Any) -> int:
        if v is None:
            return 4
        if isinstance(v, ExcelError):
            return 3
        if isinstance(v, bool):
            return 2
        if isinstance(v, str):
            return 1
        return 0

    ra, rb = rank(a), rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra >= 3:
        return 0
    return compare(a, b)


def _order(keys: list[tuple[list[Any], int]], n: int) -> list[int]:
    def cmp(i: int, j: int) -> int:
        for col, direction in keys:
            c = _sort_cmp(col[i], col[j])
            if c:
                # blanks and errors stay last whatever the direction? Excel
                # reverses the whole order for descending
                return c * direction
        return 0

    return sorted(range(n), key=cmp_to_key(cmp))


@register("SORT", WHOLE, WHOLE, WHOLE, WHOLE, min_args=1, array_args=True)
def SORT(array: Any, index: Any = MISSING, order: Any = MISSING, by_col: Any = MISSING) -> Any:
    """SORT(array, [sort_index=1], [sort_order=1], [by_col=FALSE])."""
    arr = _arr(array)
    cols = False if by_col is MISSING else to_bool(_one(by_col))
    work = arr.T if cols else arr
    idxs = [1] if index is MISSING else [to_int(v) for v in _arr(index).ravel()]
    dirs = [1] if order is MISSING else [to_int(v) for v in _arr(order).ravel()]
    if len(dirs) == 1:
        dirs = dirs * len(idxs)
    keys = []
    for k, d in zip(idxs, dirs, strict=False):
        if not 1 <= k <= work.shape[1] or d not in (1, -1):
            raise fail(VALUE, "排序列号或顺序无效 / sort_index or sort_order out of range")
        keys.append((list(work[:, k - 1]), d))
    out = work[_order(keys, work.shape[0]), :]
    return _blank_zero(out.T if cols else out)


def _one(v: Any) -> Any:
    if isinstance(v, Area | np.ndarray):
        return as_array(v)[0, 0]
    return v


@register("SORTBY", WHOLE, WHOLE, repeat(WHOLE), array_args=True)
def SORTBY(array: Any, *by: Any) -> Any:
    """SORTBY(array, by_array1, [sort_order1], …): by one row or column each."""
    arr = _arr(array)
    h, w = arr.shape
    keys: list[tuple[list[Any], int]] = []
    vertical = True
    i = 0
    while i < len(by):
        b = _arr(by[i])
        d = 1 if i + 1 >= len(by) or by[i + 1] is MISSING else to_int(_one(by[i + 1]))
        if d not in (1, -1):
            raise fail(VALUE, "sort_order 无效 / invalid sort_order")
        if b.shape == (h, 1) and (h > 1 or w == 1):
            vertical = True
        elif b.shape == (1, w):
            vertical = False
        else:
            raise fail(VALUE, "by_array 大小不符 / by_array does not fit the array")
        keys.append((list(b.ravel()), d))
        i += 2
    if vertical:
        return _blank_zero(arr[_order(keys, h), :])
    return _blank_zero(arr[:, _order(keys, w)])


@register("UNIQUE", WHOLE, WHOLE, WHOLE, min_args=1, array_args=True)
def UNIQUE(array: Any, by_col: Any = MISSING, once: Any = MISSING) -> Any:
    """UNIQUE(array, [by_col=FALSE], [exactly_once=FALSE]): distinct rows (text
    compared ignoring case), in the order first seen."""
    arr = _arr(array)
    cols = False if by_col is MISSING else to_bool(_one(by_col))
    only = False if once is MISSING else to_bool(_one(once))
    work = arr.T if cols else arr
    seen: dict[tuple[Any, ...], list[int]] = {}
    for i in range(work.shape[0]):
        key = tuple(_key(v) for v in work[i, :])
        seen.setdefault(key, []).append(i)
    rows = [v[0] for v in seen.values() if not only or len(v) == 1]
    if not rows:
        return _empty("UNIQUE")
    out = work[rows, :]
    return _blank_zero(out.T if cols else out)


def _span(n: int, k: int, from_end: bool) -> range:
    k = max(-n, min(n, k))
    if from_end:
        return range(n - k, n) if k >= 0 else range(0, n + k)
    return range(0, k) if k >= 0 else range(n + k, n)


@register("TAKE", WHOLE, WHOLE, WHOLE, min_args=2, array_args=True)
def TAKE(array: Any, rows: Any, cols: Any = MISSING) -> Any:
    """TAKE(array, rows, [columns]): from the start, or from the end when negative."""
    arr = _arr(array)
    h, w = arr.shape
    r = h if rows is MISSING else to_int(_one(rows))
    c = w if cols is MISSING else to_int(_one(cols))
    rr = list(range(0, min(r, h))) if r >= 0 else list(range(max(0, h + r), h))
    cc = list(range(0, min(c, w))) if c >= 0 else list(range(max(0, w + c), w))
    if not rr or not cc:
        raise fail(VALUE, "TAKE 的结果为空 / TAKE leaves nothing")
    return _blank_zero(arr[np.ix_(rr, cc)])


@register("DROP", WHOLE, WHOLE, WHOLE, min_args=2, array_args=True)
def DROP(array: Any, rows: Any, cols: Any = MISSING) -> Any:
    """DROP(array, rows, [columns]): without the first (or, negative, last) rows/columns."""
    arr = _arr(array)
    h, w = arr.shape
    r = 0 if rows is MISSING else to_int(_one(rows))
    c = 0 if cols is MISSING else to_int(_one(cols))
    rr = list(range(r, h)) if r >= 0 else list(range(0, max(0, h + r)))
    cc = list(range(c, w)) if c >= 0 else list(range(0, max(0, w + c)))
    if not rr or not cc:
        raise fail(VALUE, "DROP 的结果为空 / DROP leaves nothing")
    return _blank_zero(arr[np.ix_(rr, cc)])


def _choose(arr: np.ndarray, picks: tuple[Any, ...], axis: int) -> np.ndarray:
    n = arr.shape[axis]
    idx = []
    for p in picks:
        for v in _arr(p).ravel():
            k = to_int(v)
            if k == 0 or abs(k) > n:
                raise fail(VALUE, "序号超出范围 / index out of range")
            idx.append(k - 1 if k > 0 else n + k)
    return _blank_zero(arr[idx, :] if axis == 0 else arr[:, idx])


@register("CHOOSEROWS", WHOLE, WHOLE, repeat(WHOLE), array_args=True)
def CHOOSEROWS(array: Any, *rows: Any) -> Any:
    """CHOOSEROWS(array, row_num1, …): negative numbers count from the end."""
    return _choose(_arr(array), rows, 0)


@register("CHOOSECOLS", WHOLE, WHOLE, repeat(WHOLE), array_args=True)
def CHOOSECOLS(array: Any, *cols: Any) -> Any:
    """CHOOSECOLS(array, col_num1, …)."""
    return _choose(_arr(array), cols, 1)


def _stack(arrays: tuple[Any, ...], vertical: bool) -> np.ndarray:
    parts = [_arr(a) for a in arrays if a is not MISSING]
    if not parts:
        raise fail(VALUE, "没有数组 / no arrays to stack")
    if vertical:
        w = max(p.shape[1] for p in parts)
        h = sum(p.shape[0] for p in parts)
    else:
        h = max(p.shape[0] for p in parts)
        w = sum(p.shape[1] for p in parts)
    out = np.full((h, w), NA, dtype=object)
    at = 0
    for p in parts:
        ph, pw = p.shape
        if vertical:
            out[at : at + ph, :pw] = p
            at += ph
        else:
            out[:ph, at : at + pw] = p
            at += pw
    return _blank_zero(out)


@register("VSTACK", WHOLE, repeat(WHOLE), array_args=True)
def VSTACK(*arrays: Any) -> Any:
    """VSTACK(array1, …): one below the other; short rows padded with #N/A."""
    return _stack(arrays, True)


@register("HSTACK", WHOLE, repeat(WHOLE), array_args=True)
def HSTACK(*arrays: Any) -> Any:
    """HSTACK(array1, …): side by side; short columns padded with #N/A."""
    return _stack(arrays, False)


def _to_line(array: Any, ignore: Any, by_col: Any) -> list[Any]:
    arr = _arr(array)
    mode = 0 if ignore is MISSING else to_int(_one(ignore))
    scan = False if by_col is MISSING else to_bool(_one(by_col))
    vals = list((arr.T if scan else arr).ravel())
    if mode in (1, 3):
        vals = [v for v in vals if v is not None]
    if mode in (2, 3):
        vals = [v for v in vals if not isinstance(v, ExcelError)]
    if not vals:
        raise fail(CALC, "结果为空 / the result is empty")
    return [0.0 if v is None else v for v in vals]


@register("TOCOL", WHOLE, WHOLE, WHOLE, min_args=1, array_args=True)
def TOCOL(array: Any, ignore: Any = MISSING, by_col: Any = MISSING) -> Any:
    """TOCOL(array, [ignore=0], [scan_by_column=FALSE])."""
    vals = _to_line(array, ignore, by_col)
    out = np.empty((len(vals), 1), dtype=object)
    out[:, 0] = vals
    return out


@register("TOROW", WHOLE, WHOLE, WHOLE, min_args=1, array_args=True)
def TOROW(array: Any, ignore: Any = MISSING, by_col: Any = MISSING) -> Any:
    """TOROW(array, [ignore=0], [scan_by_column=FALSE])."""
    vals = _to_line(array, ignore, by_col)
    out = np.empty((1, len(vals)), dtype=object)
    out[0, :] = vals
    return out


@register("MMULT", WHOLE, WHOLE, array_args=True)
def MMULT(a: Any, b: Any) -> Any:
    """MMULT(array1, array2): every value must be a number (else #VALUE!)."""
    x, y = _arr(a), _arr(b)
    if x.shape[1] != y.shape[0]:
        raise fail(VALUE, "矩阵大小不符 / the arrays do not fit")

    def nums(m: np.ndarray) -> np.ndarray:
        out = np.empty(m.shape)
        for idx, v in np.ndenumerate(m):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if not isinstance(v, float | int) or isinstance(v, bool):
                raise fail(VALUE, "MMULT 需要数值 / MMULT needs numbers")
            out[idx] = v
        return out

    prod = nums(x) @ nums(y)
    if not np.isfinite(prod).all():
        return NUM
    return prod.astype(object) if prod.shape != (1, 1) else float(prod[0, 0])


@register("RANDARRAY", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=0)
def RANDARRAY(rows: Any = MISSING, cols: Any = MISSING, lo: Any = MISSING, hi: Any = MISSING,
              whole: Any = MISSING) -> Any:  # fmt: skip
    """RANDARRAY([rows=1], [columns=1], [min=0], [max=1], [whole_number=FALSE])."""
    h = 1 if rows is MISSING else to_int(rows)
    w = 1 if cols is MISSING else to_int(cols)
    a = 0.0 if lo is MISSING else to_number(lo)
    b = 1.0 if hi is MISSING else to_number(hi)
    ints = False if whole is MISSING else to_bool(whole)
    if h < 1 or w < 1 or a > b:
        raise fail(VALUE, "RANDARRAY 参数无效 / invalid RANDARRAY arguments")
    _size_ok(h, w)
    r = volatile.rng()
    out = np.empty((h, w), dtype=object)
    for idx in np.ndindex(h, w):
        out[idx] = (
            float(r.randint(math.ceil(a), math.floor(b))) if ints else a + (b - a) * r.random()
        )
    return out


@register("LET", WHOLE, repeat(WHOLE), min_args=3, binds_names=True)
def LET(*args: Any) -> Any:
    """LET(name1, value1, …, calculation). The engine evaluates LET itself
    (:meth:`addin.refresh.engine.names.NamesMixin.ev_let` binds the names); this entry
    makes it a known function, and with the values already evaluated the
    result is the calculation's."""
    return args[-1]


@register("EXPAND", WHOLE, WHOLE, WHOLE, WHOLE, min_args=2, array_args=True)
def EXPAND(array: Any, rows: Any, cols: Any = MISSING, pad: Any = MISSING) -> Any:
    """EXPAND(array, rows, [columns], [pad_with=#N/A]): grown to rows × columns."""
    arr = _arr(array)
    h, w = arr.shape
    r = h if rows is MISSING or _one(rows) is None else to_int(_one(rows))
    c = w if cols is MISSING or _one(cols) is None else to_int(_one(cols))
    if r < h or c < w:
        raise fail(VALUE, "EXPAND 不能缩小数组 / EXPAND cannot shrink the array")
    _size_ok(r, c)
    out = np.full((r, c), NA if pad is MISSING else _one(pad), dtype=object)
    out[:h, :w] = arr
    return _blank_zero(out)


@register("FREQUENCY", WHOLE, WHOLE, array_args=True)
def FREQUENCY(data: Any, bins: Any) -> Any:
    """FREQUENCY(data_array, bins_array): counts per bin (≤ each bin, sorted), one more for above."""
    for v in (*_arr(data).ravel(), *_arr(bins).ravel()):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
    nums = [float(v) for v in _arr(data).ravel()
            if isinstance(v, float | int) and not isinstance(v, bool)]  # fmt: skip
    edges = [float(v) for v in _arr(bins).ravel()
             if isinstance(v, float | int) and not isinstance(v, bool)]  # fmt: skip
    order = sorted(range(len(edges)), key=lambda i: edges[i])
    counts = [0.0] * (len(edges) + 1)
    for x in nums:
        for i in order:
            if x <= edges[i]:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    out = np.empty((len(counts), 1), dtype=object)
    out[:, 0] = counts
    return out


def _square(a: Any) -> np.ndarray:
    """A square array of numbers (MDETERM, MINVERSE): a blank, text or
    logical cell is #VALUE!, as is a shape that is not square."""
    arr = as_array(a)
    h, w = arr.shape
    if h != w:
        raise fail(VALUE, "须为方阵 / the array must be square")
    out = np.empty((h, w))
    for (i, j), v in np.ndenumerate(arr):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if v is None or isinstance(v, bool | str):
            raise fail(VALUE, "数组须全为数值 / the array must hold numbers only")
        out[i, j] = v
    return out


@register("MDETERM", WHOLE, array_args=True)
def MDETERM(array: Any) -> float:
    """MDETERM(array): the determinant of a square array of numbers."""
    return float(np.linalg.det(_square(array)))


@register("MINVERSE", WHOLE, array_args=True)
def MINVERSE(array: Any) -> Any:
    """MINVERSE(array): the inverse of a square array of numbers; a singular
    one (determinant 0) is #NUM!."""
    m = _square(array)
    if np.linalg.det(m) == 0:
        raise fail(NUM, "矩阵不可逆 / the matrix is singular")
    inv = np.linalg.inv(m)
    return inv.astype(object) if inv.shape != (1, 1) else float(inv[0, 0])


@register("MUNIT", PER_ROW)
def MUNIT(n: Any) -> Any:
    """MUNIT(dimension): the identity matrix of that size (below 1 #VALUE!)."""
    k = math.trunc(to_number(n))
    if k < 1:
        raise fail(VALUE, "维数须至少为 1 / dimension must be at least 1")
    return np.identity(k).astype(object) if k > 1 else 1.0
