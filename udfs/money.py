"""Money: exact rounding to the fen and splits that add up to the pool.

``MONEY`` rounds like Excel's ``ROUND`` but on the value's decimal reading, so
2.675 becomes 2.68 (Excel's ROUND agrees; a naive ``round(2.675, 2)`` in Python
gives 2.67). ``ALLOCATE`` splits a pool in proportion to weights by the largest
remainder method, in whole units (fen by default), so the shares add up to the
pool exactly.

The helpers :func:`exact_integers` and :func:`apportion` are the integer core
of every largest-remainder split in the kernel (``FORCED_DIST`` uses them for
its label counts).

>>> money(2.675)
2.68
>>> allocate(100, [1, 1, 1]).tolist()
[[33.34, 33.33, 33.33]]
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from udfs.errors import ExcelError, ExcelErrorRaised, excel_function, fail
from udfs.inputs import (
    Numbers,
    as_block,
    finish,
    is_blank,
    is_omitted,
    number_or_error,
    one_cell,
    scalar_number,
    spill,
    to_numbers,
)
from udfs.keywords import ROUNDING
from udfs.ranking import read_groups
from udfs.rounding import _exponents, round_decimal, round_decimal_one

__all__ = ["allocate", "apportion", "apportion_groups", "exact_integers", "money"]

ObjectArray = npt.NDArray[np.object_]
T = TypeVar("T")
IntArray = npt.NDArray[Any]  # int64, or object (Python ints) when int64 would overflow

#: Above this, products of units and weights leave int64 and the exact path
#: switches to Python integers.
_INT64_SAFE = 2**62


#: MONEY's ``digits`` range that needs rounding: every double has its 15th
#: significant digit at 10**-338 or above, so more digits change nothing; and
#: with fewer than -308 digits the unit 10**309 is beyond every double.
MAX_DIGITS = 340
MIN_DIGITS = -308

#: ALLOCATE splits at most this many units: a share then has at most 15
#: significant digits, exact as Excel shows numbers.
MAX_UNITS = 10**15


def exact_integers(values: npt.ArrayLike) -> tuple[IntArray, int]:
    """Non-negative finite numbers as exact integers on one decimal scale.

    Each value is read as its 15-significant-digit decimal (Excel's precision)
    and the result ``(ints, exponent)`` satisfies ``value == int × 10**exponent``
    exactly, for every value, with the smallest common exponent that needs.
    ``ints`` is an int64 array of the input's shape, or an object array of
    Python integers when the values span too many orders of magnitude for int64.

    >>> ints, exp = exact_integers([1, 0.5, 0.5])
    >>> ints.tolist(), exp
    ([10, 5, 5], -1)
    >>> ints, exp = exact_integers([0.1 + 0.2, 3000])
    >>> ints.tolist(), exp
    ([3, 30000], -1)
    """
    arr = np.asarray(values, dtype=np.float64)
    flat = arr.reshape(-1)
    nz = flat != 0
    mant = np.zeros(flat.shape, dtype=np.int64)
    expo = np.zeros(flat.shape, dtype=np.int64)
    if nz.any():
        ax = np.abs(flat[nz])
        e = _exponents(ax)
        m = 14 - e
        # 10**m overflows for subnormal values: read those few through decimal
        extreme = np.abs(m) > 300
        m_safe = np.where(extreme, 0, m)
        up = m_safe >= 0
        scaled = np.empty_like(ax)
        scaled[up] = ax[up] * np.power(10.0, m_safe[up])
        scaled[~up] = ax[~up] / np.power(10.0, -m_safe[~up])
        n15 = np.floor(scaled + 0.5).astype(np.int64)  # < 10**15, exact in a double
        p = -m
        for k in np.flatnonzero(extreme):
            digits = _decimal(float(ax[k])).as_tuple()
            n15[k] = int("".join(map(str, digits.digits)))
            p[k] = int(digits.exponent)
        for _ in range(15):  # strip trailing zeros so the integers stay small
            tens = (n15 % 10 == 0) & (n15 != 0)
            if not tens.any():
                break
            n15 = np.where(tens, n15 // 10, n15)
            p = np.where(tens, p + 1, p)
        mant[nz] = n15
        expo[nz] = p
    if not nz.any():
        return mant.reshape(arr.shape), 0
    low = int(expo[nz].min())
    shift = np.where(nz, expo - low, 0)
    # digits needed: up to 15 in the mantissa plus the shift
    if int(shift.max()) + 15 <= 18:
        ints: IntArray = mant * np.power(10, shift).astype(np.int64)
    else:
        ints = np.array(
            [int(a) * 10 ** int(s) for a, s in zip(mant.tolist(), shift.tolist(), strict=True)],
            dtype=object,
        )
    return ints.reshape(arr.shape), low


def apportion(total: int, weights: IntArray) -> IntArray:
    """Split the integer ``total`` in proportion to non-negative integer weights.

    Largest remainder (Hamilton's method): every part first gets the floor of
    its exact quota ``total × wᵢ / Σw``; the units left over go, one each, to the
    largest remainders, equal remainders to the earlier weight. The parts add
    up to ``total`` and each is within one unit of its exact quota. A negative
    total is split as its absolute value, then negated (a symmetric split).
    ``weights`` must not all be 0 (the caller decides what that means).

    >>> apportion(10000, np.array([1, 1, 1])).tolist()
    [3334, 3333, 3333]
    >>> apportion(-5, np.array([1, 1])).tolist()
    [-3, -2]
    """
    w = np.asarray(weights).reshape(-1)
    sign = -1 if total < 0 else 1
    t = abs(int(total))
    s = int(sum(int(x) for x in w)) if w.dtype == object else int(w.sum())
    if s <= 0:
        raise ValueError("apportion needs weights with a positive sum")
    wmax = int(max(w.tolist())) if w.size else 0
    if w.dtype != object and t * wmax < _INT64_SAFE and s < _INT64_SAFE:
        prod = w.astype(np.int64) * np.int64(t)
        q, r = np.divmod(prod, np.int64(s))
        left = t - int(q.sum())
        if left:
            best = np.argsort(-r, kind="stable")[:left]
            q[best] += 1
        return sign * q
    wo = np.array([int(x) for x in w.tolist()], dtype=object)
    prod_o = wo * t
    q_o = prod_o // s
    r_o = prod_o % s
    left = t - int(sum(q_o.tolist()))
    if left:
        rem = r_o.tolist()
        order = sorted(range(len(rem)), key=lambda i: -rem[i])  # stable: earlier wins ties
        for i in order[:left]:
            q_o[i] += 1
    return q_o * sign


def apportion_groups(totals: IntArray, weights: IntArray, group: npt.NDArray[np.int64]) -> IntArray:
    """:func:`apportion` within each group at once: part ``i`` of group ``g``
    splits ``totals[g]`` by the weights of group ``g`` (largest remainder,
    equal remainders to the earlier row, negative totals symmetric).

    ``group`` holds each part's group index into ``totals``; every group that
    has parts must have weights with a positive sum. Vectorised over all
    groups while the products stay in int64; exact Python integers (one
    :func:`apportion` per group) beyond that.

    >>> apportion_groups(np.array([100, -5]), np.array([1, 1, 1, 1, 1]), np.array([0, 1, 0, 1, 0])).tolist()
    [34, -3, 33, -2, 33]
    """
    w = np.asarray(weights).reshape(-1)
    g = np.asarray(group, dtype=np.int64).reshape(-1)
    n = w.size
    out: IntArray
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    t_all = np.asarray(totals)
    small = (
        w.dtype != object
        and t_all.dtype != object
        and int(np.abs(t_all).max(initial=0)) * int(w.max(initial=0)) < _INT64_SAFE
        and int(w.sum()) < _INT64_SAFE
    )
    if not small:
        out = np.zeros(n, dtype=object)
        for k in np.unique(g).tolist():
            rows = np.flatnonzero(g == k)
            out[rows] = apportion(int(t_all[k]), w[rows])
        return out
    by = np.argsort(g, kind="stable")  # by group, rows in their order within it
    gs, ws = g[by], w[by].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    wsum = np.add.reduceat(ws, starts)
    if (wsum <= 0).any():
        raise ValueError("apportion_groups needs weights with a positive sum in every group")
    first = np.repeat(starts, np.diff(np.r_[starts, n]))  # each sorted part's group start
    slot = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, n]))
    tot = t_all.astype(np.int64)[gs[starts]]
    sign = np.where(tot < 0, -1, 1)
    q, r = np.divmod(ws * np.abs(tot)[slot], wsum[slot])
    left = np.abs(tot) - np.add.reduceat(q, starts)
    # within each group: largest remainder first, equal remainders to the earlier row
    order = np.lexsort((np.arange(n), -r, slot))
    place = np.empty(n, dtype=np.int64)
    place[order] = np.arange(n) - first[order]
    q = q + (place < left[slot])
    out = np.empty(n, dtype=np.int64)
    out[by] = q * sign[slot]
    return out


def _explained(err: ExcelError, name: str, row: int | None = None) -> ExcelError:
    """An error passed in without a message, given one that says where it was.

    Errors that already explain themselves are returned unchanged.
    """
    if err.message:
        return err
    if row is None:
        return err.with_message(
            f"参数 {name} 含错误值 {err.code} / {name} holds the error {err.code}"
        )
    return err.with_message(
        f"参数 {name} 第 {row} 行含错误值 {err.code} / {name} row {row} holds the error {err.code}"
    )


def _explain_cells(errors: ObjectArray | None, name: str) -> ObjectArray | None:
    """Per-cell (or per-row) errors with a message each; rows numbered from 1."""
    if errors is None:
        return None
    out = errors.copy()
    flat = out.reshape(-1)
    width = errors.shape[1] if errors.ndim == 2 else 1
    for k, err in enumerate(flat):
        if isinstance(err, ExcelError) and not err.message:
            flat[k] = _explained(err, name, k // width + 1)
    return out


def _guarded(name: str, read: Callable[[], T]) -> T:
    """Run ``read`` (parsing argument ``name``); an error it passes on gets a message."""
    try:
        return read()
    except ExcelErrorRaised as exc:
        raise fail(_explained(exc.error, name)) from None


def _first_error_raised(nums: Numbers, name: str) -> None:
    """Raise the first error of a whole-argument range (weights, shares …), explained."""
    err = nums.first_error()
    if err is not None:
        raise fail(_explained(err, name))


def _decimal(x: float) -> Decimal:
    """The 15-significant-digit decimal of a double (Excel's reading)."""
    return Decimal(f"{x:.15g}")


@excel_function
def allocate(amount: object, weights: object, unit: object = None, groups: object = None) -> Any:
    """Split ``amount`` in proportion to ``weights``, exact to ``unit``.

    ``ALLOCATE(amount, weights, [unit], [groups])``: the shares are whole
    multiples of ``unit`` (default 0.01, one fen) chosen by the largest
    remainder method, so they add up to ``amount`` exactly; equal remainders go
    to the earlier weight. Typical weights are role coefficients (经理 1,
    工作人员 0.5). With ``groups`` each group key (city, department …) splits
    its own amount among its own rows, whatever their number and wherever they
    are: one formula over a whole column.

    Parameters
    ----------
    amount : number or range
        The pool to split. Must be a whole number of ``unit`` s (100.005 with
        unit 0.01 is ``#VALUE!``: round it with ``MONEY`` first). A negative
        amount (a shared penalty) is split like its absolute value, negated.
        With ``groups``: one number that every group splits, or one cell per
        weight carrying the pool of that row's group (e.g. an ``XLOOKUP`` of the
        row's city); the filled cells of one group must agree, and a group whose
        amount cells are all blank splits nothing (its rows give empty results).
    weights : range
        One weight per share, any shape (with ``groups``: one row or column);
        blank cells weigh 0. Weights are relative: {2, 1, 1} splits like
        {0.5, 0.25, 0.25}.
    unit : number, optional
        The smallest share step, > 0: 0.01 (default), 1 for whole yuan, 100 …
    groups : range, optional
        One key per weight (as many cells as ``weights``): the rows with the same
        key split their amount among themselves. Keys compare as in ``RANKX``'s
        ``groups``: text case-insensitively, a number is not the text of that
        number, blank keys form one group of their own. Omitted: one pool.

    Returns
    -------
    range
        The shares in the shape of ``weights`` (a single weight gives a plain
        number).

    Keywords
    --------
    None.

    Errors
    ------
    ``#DIV/0!`` when the weights add up to 0; ``#VALUE!`` for a negative
    weight, text in ``weights``, ``unit`` ≤ 0, or an amount that is not a whole
    number of units. An error in any argument is returned (the split depends
    on every weight). With ``groups`` each of these is the error of the group
    it happens in (its rows show it; the other groups are split), rows of one
    group with different amounts are ``#VALUE!`` for that group, an error as a
    row's key is that row's result (it takes no share), and ``groups`` or an
    amount column with another number of cells than ``weights`` is ``#VALUE!``.

    Excel compatibility
    -------------------
    Excel has no built-in equivalent. ``ROUND(amount*w/SUM(w), 2)`` per share
    is what it replaces: that can miss the pool by a fen or more
    (100 in thirds is 33.33 × 3 = 99.99); ``ALLOCATE`` never does. Per group it
    replaces one such block of rows per group, sized to the sample.

    Examples
    --------
    >>> allocate(6000, [1, 0.5, 0.5]).tolist()
    [[3000.0, 1500.0, 1500.0]]
    >>> allocate(100, [1, 1, 1]).tolist()
    [[33.34, 33.33, 33.33]]
    >>> allocate(10000, [[1], [0.5], [0.5], [0.5]], 1).tolist()
    [[4000.0], [2000.0], [2000.0], [2000.0]]
    >>> str(allocate(100, [0, 0]))
    '#DIV/0!'
    >>> allocate([[600], [100], [600], [100], [600]], [[1], [1], [0.5], [1], [0.5]], None,
    ...          [["南昌"], ["九江"], ["南昌"], ["九江"], ["南昌"]]).tolist()
    [[300.0], [50.0], [150.0], [50.0], [150.0]]
    """
    step = _guarded("unit", lambda: scalar_number(unit, "unit", default=0.01))
    if step <= 0:
        raise fail(
            "#VALUE!", f"参数 unit 必须大于 0，收到 {step:g} / unit must be above 0, got {step:g}"
        )
    if not is_omitted(groups):
        return _allocate_groups(amount, weights, step, groups)
    total = _guarded("amount", lambda: scalar_number(amount, "amount"))
    units = _whole_units(total, step)
    nums = to_numbers(weights, "weights")
    _first_error_raised(nums, "weights")
    w = nums.values
    if (w < 0).any():
        i, j = (int(k) for k in np.argwhere(w < 0)[0])
        raise fail(
            "#VALUE!",
            f"参数 weights 第 {i + 1} 行第 {j + 1} 列为负数 / weights row {i + 1}, "
            f"column {j + 1} is negative",
        )
    ints, _ = exact_integers(w)
    if not np.any(w > 0):
        raise fail("#DIV/0!", "参数 weights 之和为 0，无法分配 / weights add up to 0")
    parts = apportion(units, ints.reshape(-1))
    shares = _in_units(np.asarray(parts, dtype=np.float64), step)
    return spill(finish(shares.reshape(w.shape)))


def _whole_units(total: float, step: float) -> int:
    """``total`` as a whole number of ``step`` s, or the error saying why not."""
    try:
        units_exact = _decimal(total) / _decimal(step)
    except InvalidOperation as exc:  # pragma: no cover - both are finite, step > 0
        raise fail("#NUM!", "参数 amount 或 unit 超出范围 / amount or unit out of range") from exc
    if abs(units_exact) > MAX_UNITS:
        raise fail(
            "#NUM!",
            f"参数 amount（{total:.15g}）超过 unit（{step:.15g}）的 10^15 倍，无法精确到 unit 分配 / "
            f"amount {total:.15g} is more than 10^15 units of {step:.15g}: it cannot be split exactly",
        )
    if units_exact != units_exact.to_integral_value():
        raise fail(
            "#VALUE!",
            f"参数 amount（{total:.15g}）不是 unit（{step:.15g}）的整数倍，请先用 MONEY 取整 / "
            f"amount {total:.15g} is not a whole number of units of {step:.15g}; round it first",
        )
    return int(units_exact)


def _in_units(parts: npt.NDArray[np.float64], step: float) -> npt.NDArray[np.float64]:
    """Whole numbers of units as amounts, rounded to the unit's decimals."""
    exponent = _decimal(step).normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return round_decimal(parts * step, decimals)


def _allocate_groups(amount: object, weights: object, step: float, groups: object) -> Any:
    """ALLOCATE with ``groups``: each key's rows split that key's amount.

    Every check of the one-pool split is made per group, vectorised over the
    rows; a group's problem is the result of that group's rows only.
    """
    w_block = as_block(weights, "weights")
    rows, cols = w_block.shape
    if rows != 1 and cols != 1:
        raise fail(
            "#VALUE!",
            f"参数 weights 有 groups 时应为一行或一列，收到 {rows}×{cols} / "
            f"with groups, weights must be one row or column, got {rows}×{cols}",
        )
    n = w_block.size
    key, key_errors = read_groups(groups, n)
    a_block = as_block(amount, "amount")
    if a_block.size not in (1, n) or (a_block.size == n and 1 not in a_block.shape):
        raise fail(
            "#VALUE!",
            f"参数 amount 有 groups 时应为一个数或与 weights 同样多（{n}）的一行或一列，"
            f"收到 {a_block.shape[0]}×{a_block.shape[1]} / with groups, amount must be one number or "
            f"one row or column of {n} cells, got {a_block.shape[0]}×{a_block.shape[1]}",
        )
    a_flat = a_block.reshape(-1)
    if a_flat.size == 1:
        a_flat = np.repeat(a_flat, n)
    a_blank = np.array([is_blank(c) for c in a_flat.tolist()], dtype=bool)
    a_nums = to_numbers(a_flat.reshape(-1, 1), "amount")
    w_nums = to_numbers(w_block.reshape(-1, 1), "weights")
    a_val, w_val = a_nums.values.reshape(-1), w_nums.values.reshape(-1)
    a_err = _explain_cells(a_nums.errors, "amount")
    w_err = _explain_cells(w_nums.errors, "weights")

    out = np.full(n, None, dtype=object)
    part = np.ones(n, dtype=bool)  # rows that belong to a group
    if key_errors is not None:
        bad_key = np.array([e is not None for e in key_errors], dtype=bool)
        for i in np.flatnonzero(bad_key).tolist():  # few: one by one
            out[i] = _explained(key_errors[i], "groups", i + 1)
        part &= ~bad_key
    codes, g = np.unique(key[part], return_inverse=True)
    g = g.reshape(-1)
    size = codes.size
    idx = np.flatnonzero(part)
    group_error = np.full(size, None, dtype=object)

    def first_row(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """Per group, the first row (index into ``idx``) where ``mask`` holds, or -1."""
        first = np.full(size, n, dtype=np.int64)
        np.minimum.at(first, g[mask], np.flatnonzero(mask))
        return np.where(first == n, -1, first)

    def flag(mask: npt.NDArray[np.bool_], error: Callable[[int], ExcelError]) -> None:
        for k, j in enumerate(first_row(mask).tolist()):
            if j >= 0 and group_error[k] is None:
                group_error[k] = error(int(idx[j]))

    if w_err is not None:
        w_cells = w_err.reshape(-1)
        flag(np.array([e is not None for e in w_cells[idx]], dtype=bool), lambda i: w_cells[i])
    flag(w_val[idx] < 0, lambda i: ExcelError(
        "#VALUE!", f"参数 weights 第 {i + 1} 行为负数 / weights row {i + 1} is negative"))
    if a_err is not None:
        a_cells = a_err.reshape(-1)
        flag(np.array([e is not None for e in a_cells[idx]], dtype=bool), lambda i: a_cells[i])
    filled = ~a_blank[idx] & np.isfinite(a_val[idx])
    lo, hi = np.full(size, np.inf), np.full(size, -np.inf)
    np.minimum.at(lo, g[filled], a_val[idx][filled])
    np.maximum.at(hi, g[filled], a_val[idx][filled])
    has_amount = np.isfinite(lo)
    differ = has_amount & (lo != hi)
    flag(filled & differ[g], lambda i: ExcelError(
        "#VALUE!",
        f"参数 amount 第 {i + 1} 行与同组其他行的总额不同 / amount row {i + 1} differs from "
        "the amount of other rows of its group"))
    w_pos = np.zeros(size, dtype=bool)
    np.logical_or.at(w_pos, g, np.nan_to_num(w_val[idx]) > 0)
    flag(has_amount[g] & ~w_pos[g], lambda i: ExcelError(
        "#DIV/0!", f"参数 weights 在第 {i + 1} 行所在组之和为 0，无法分配 / "
        f"the weights of row {i + 1}'s group add up to 0"))

    totals = np.where(has_amount, lo, 0.0)
    units = np.zeros(size, dtype=object)
    for k in np.flatnonzero(has_amount & (group_error == None)).tolist():  # noqa: E711  (one per group)
        try:
            units[k] = _whole_units(float(totals[k]), step)
        except ExcelErrorRaised as exc:
            group_error[k] = exc.error
    split = has_amount & (group_error == None)  # noqa: E711
    rows_split = split[g]
    if rows_split.any():
        w_ints, _ = exact_integers(np.nan_to_num(w_val[idx][rows_split]))
        sub, gg = np.unique(g[rows_split], return_inverse=True)
        t_ints = units[sub]
        t_arr = t_ints.astype(np.int64) if all(abs(int(t)) < _INT64_SAFE for t in t_ints) else t_ints
        parts = apportion_groups(t_arr, w_ints.reshape(-1), gg.reshape(-1))
        shares = _in_units(np.asarray(parts, dtype=np.float64), step)
        out[idx[rows_split]] = finish(shares.reshape(-1, 1)).reshape(-1).tolist()
    for k in np.flatnonzero(group_error != None).tolist():  # noqa: E711
        out[idx[g == k]] = group_error[k]
    return spill(out.reshape(w_block.shape))


#: The one-value path of MONEY takes numbers from this magnitude (or 0) whose
#: rounded value keeps at most 15 digits, so that cleaning it to 15
#: significant digits leaves it as it is, and places 0 … 8.
_ONE_MIN, _ONE_MAX_DIGITS = 1e-7, 8


def _money_one(cell: object, places: int) -> float | None:
    """MONEY for one plain number, in Python (a per-cell call), or ``None``
    for what the array path must decide: an error, a value near a rounding tie
    (then the half-up or half-even rule matters), a very large or very small
    value, places outside 0 … 8."""
    v = number_or_error(cell, "x")
    if isinstance(v, ExcelError) or not 0 <= places <= _ONE_MAX_DIGITS:
        return None
    a = abs(v)
    if (a != 0 and a < _ONE_MIN) or not a * 10.0**places < 1e15:
        return None
    return round_decimal_one(v, places, a * 1e-13)


@excel_function
def money(x: object, digits: object = None, method: object = None) -> Any:
    """Round money exactly: half away from zero (default) or half to even.

    ``MONEY(x, [digits], [method])`` reads each value as its
    15-significant-digit decimal (what Excel shows) and rounds that decimal, so
    2.675 rounds to 2.68 although the double nearest 2.675 is a little below it.

    Parameters
    ----------
    x : number or range
        The amounts; lifted, one result per cell, in the shape of ``x``. A blank
        is 0; text that is not a number is ``#VALUE!`` in its cell; an error is
        passed through in its cell.
    digits : number, optional
        Decimals to keep (default 2, the fen). 0 rounds to whole yuan, −2 to
        hundreds. A fractional ``digits`` is truncated, as in ``ROUND``.
    method : text, optional
        The rounding rule, see Keywords.

    Returns
    -------
    number or range
        The rounded amounts.

    Keywords
    --------
    method : ``"四舍五入"``/``"half-up"`` (default; half away from zero, like
        ``ROUND``) or ``"四舍六入"``/``"half-even"`` (GB/T 8170 四舍六入五成双:
        an exact half goes to the even neighbour).

    Excel compatibility
    -------------------
    With the default method this is ``ROUND(x, digits)``. Half-even has no
    Excel worksheet equivalent (VBA's ``Round`` rounds half to even but on the
    binary double, so ``Round(2.675, 2)`` there is not reliable); here it is
    exact on the decimal.

    Examples
    --------
    >>> money(2.675)
    2.68
    >>> money(2.665, 2, "四舍六入")
    2.66
    >>> money(-1234.5, -1)
    -1230.0
    >>> money([[0.125], [0.135]], 2, "half-even").tolist()
    [[0.12], [0.14]]
    >>> str(money(1, 2, "bankers"))
    '#VALUE!'
    """
    one, cell = one_cell(x)
    nums = None if one else to_numbers(x, "x")
    d = _guarded("digits", lambda: scalar_number(digits, "digits", default=2.0))
    # Truncated like ROUND's num_digits. Beyond MAX_DIGITS every double keeps all
    # its 15 digits; below MIN_DIGITS every double is under half a unit and rounds to 0.
    places = int(max(MIN_DIGITS - 1, min(MAX_DIGITS, d)))
    half_even = _guarded("method", lambda: ROUNDING.parse(method, "method")) == "half-even"
    if nums is None:
        fast = _money_one(cell, places)
        if fast is not None:
            return fast
        nums = to_numbers(x, "x")
    vals = nums.values
    ok = np.isfinite(vals)
    out = np.full(vals.shape, np.nan)
    if places < MIN_DIGITS:
        out[ok] = 0.0
    else:
        out[ok] = round_decimal(vals[ok], places, half_even=half_even)
    return spill(finish(out, _explain_cells(nums.errors, "x")))
