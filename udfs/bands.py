"""Bands, tiered amounts and per-point bonuses: ``BAND``, ``TIERED``,
``TIER_DETAIL`` and ``POINT_BONUS`` (FUNCTIONS.md, "Bands, bonuses and commissions").

All four read a *band table*: band starts, ascending, in the first column, and
what applies from each start on in the others (:class:`udfs.band_table.BandTable`).
``side`` says where a value equal to a start belongs (``"下含"``/``"lower"``, the
default: in the band that starts there; ``"上含"``/``"upper"``: in the band
below). Values are compared with starts after rounding both to 12 significant
digits, so ``1150/1000`` is in the band that starts at ``115%``.

``BAND``, ``TIERED`` and ``POINT_BONUS`` are lifted: give them a column and
they return a column, one result per cell, an error in one cell staying in
that cell. Long columns run on whole numpy arrays (a million values in well
under a second); ``TIER_DETAIL`` explains one ``TIERED`` result row by row.

>>> band(450000, [[0, 30], [100000, 32], [200000, 35], [400000, 40]])
40.0
>>> tiered(8, [[0, 20], [5, 40]], "超额")
220.0
>>> point_bonus(85, 40, [[0, 0], [60, 20], [80, None]])
3400.0
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.band_table import BandTable
from udfs.errors import ExcelError, excel_function, fail
from udfs.inputs import (
    OUT_OF_RANGE,
    as_block,
    broadcast_numbers,
    is_blank,
    lay_errors,
    merge_errors,
    number_or_error,
    one_cell,
    overflow_errors,
    scalar_number,
    spill,
    to_numbers,
)
from udfs.keywords import MODE, SIDE
from udfs.rounding import (
    decimal_difference,
    round_decimal,
    round_decimal_one,
    round_decimal_or_flag,
    round_sig,
)

__all__ = ["band", "point_bonus", "tier_detail", "tiered"]

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

#: Label of TIER_DETAIL's total row (first cell).
TOTAL_LABEL = "合计"
#: Label of TIER_DETAIL's rounding-difference row, shown only when the bands'
#: amounts, each rounded to the fen, do not add up to the rounded total.
ROUNDING_LABEL = "尾差"


#: Above this many values below the first start, BAND's #N/A messages stop
#: quoting each value (building a million messages would cost more than the lookup).
_MAX_DETAILED_MESSAGES = 1000


# --------------------------------------------------------------------------- helpers


def _fmt(v: float) -> str:
    """A number as a clerk writes it: 15 significant digits, no trailing ``.0``."""
    return f"{v:.15g}"


def _dec(v: float) -> Decimal:
    """A double as its 15-significant-digit decimal (what Excel shows)."""
    return Decimal(_fmt(v))


def _below_errors(
    xv: FloatArray, below: npt.NDArray[np.bool_], bands: BandTable, x_name: str, table_name: str
) -> ObjectArray | None:
    """``#N/A`` where a value is below the first start (BAND), with the value quoted."""
    if not below.any():
        return None
    s0 = _fmt(float(bands.starts[0]))
    out = np.full(xv.shape, None, dtype=object)
    where = np.flatnonzero(below.ravel())
    flat = out.reshape(-1)
    if where.size > _MAX_DETAILED_MESSAGES:
        err = ExcelError(
            "#N/A",
            f"参数 {x_name} 的值低于 {table_name} 的第一个起点 {s0}，不在任何档内 / "
            f"{x_name} is below the first start {s0} of {table_name}",
        )
        flat[where] = err
        return out
    for i in where:
        v = _fmt(float(xv.reshape(-1)[i]))
        flat[i] = ExcelError(
            "#N/A",
            f"参数 {x_name} 的值 {v} 低于 {table_name} 的第一个起点 {s0}，不在任何档内 / "
            f"{x_name} = {v} is below the first start {s0} of {table_name}",
        )
    return out


def _cumulative(bands: BandTable, rates: FloatArray) -> FloatArray:
    """Marginal amount accrued at each band start: Σ rateⱼ × widthⱼ below it,
    summed exactly in decimal (a handful of bands), then stored as doubles."""
    total = Decimal(0)
    out = np.zeros(len(bands), dtype=np.float64)
    for k in range(1, len(bands)):
        width = _dec(float(bands.starts[k])) - _dec(float(bands.starts[k - 1]))
        total += _dec(float(rates[k - 1])) * width
        out[k] = float(total)
    return out


def _tiered_amounts(
    xv: FloatArray, bands: BandTable, rates: FloatArray, mode: str, side: str
) -> FloatArray:
    """TIERED on a float array of any shape, rounded to the fen (NaN stays NaN).

    ``"marginal"``: cumulative amount at the start of x's band (summed in
    decimal) plus that band's rate × (x − start). ``"whole"``: x × the rate of
    x's band. Below the first start: 0.

    Marginal amounts are first computed in doubles; only those that land
    within float error of a half-fen (:func:`round_decimal_or_flag`) are
    recomputed with the slice read on decimals (:func:`decimal_difference`), so
    that 1000.01 over a start of 1000 at 50% pays 0.01, not 0.00.
    """
    idx = bands.locate(xv, side)
    below = idx < 0
    any_below = bool(below.any())
    k = np.maximum(idx, 0) if any_below else idx
    rate = np.take(rates, k)
    if mode != "marginal":
        amount = xv * rate
        if any_below:
            amount = np.where(below, 0.0, amount)
        return round_decimal(amount, 2)
    cumulative = _cumulative(bands, rates)
    start = np.take(bands.starts, k)
    accrued = np.take(cumulative, k)
    # A value that only reaches its start after 12-digit rounding has no slice.
    amount = accrued + rate * np.maximum(xv - start, 0.0)
    if any_below:
        amount = np.where(below, 0.0, amount)
    # How far the doubles may be from the decimal amount: a few ulps of the
    # amount, of rate × x, of rate × start and of the accrued sum (x itself is
    # only its 15-digit decimal to 5e-15), with a wide margin.
    r_max = float(np.abs(rates).max())
    fixed = r_max * float(np.abs(bands.starts).max()) + float(np.abs(cumulative).max())
    slack = (np.abs(amount) + np.abs(xv) * r_max + fixed) * 1e-13
    out, unsure = round_decimal_or_flag(amount, 2, slack)
    redo = np.flatnonzero(unsure)  # few: index them rather than mask whole arrays
    if redo.size:

        def pick(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.take(a.reshape(-1), redo)

        slice_ = np.maximum(decimal_difference(pick(xv), pick(start)), 0.0)
        exact = pick(accrued) + pick(rate) * slice_
        if any_below:
            exact = np.where(pick(below), 0.0, exact)
        out.reshape(-1)[redo] = round_decimal(exact, 2)
    return out


def _rates(bands: BandTable, name: str) -> FloatArray:
    """The rate column (second) of a TIERED table: blank is 0, text is #VALUE!."""
    return bands.numeric_column(1, name)


# --------------------------------------------------------------------------- one value
#
# A per-cell UDF in Excel calls the kernel with one value per call, ten
# thousand times down a column. These helpers give BAND, TIERED and
# POINT_BONUS a plain-Python path for that case, with the same arithmetic as
# the array path, step by step, so the results are identical (a property
# test compares them); the rare values the fast rounding is unsure of go
# through the array path.


def _finish_one(amount: float) -> float | ExcelError:
    """One amount rounded to the fen as :func:`round_decimal` would; a value
    beyond the range of doubles is ``#NUM!``."""
    if not math.isfinite(amount):
        return OUT_OF_RANGE
    out = round_decimal_one(amount, 2, abs(amount) * 1e-13)
    if out is None:
        out = float(round_decimal(np.array([amount]), 2)[0])
    return out if math.isfinite(out) else OUT_OF_RANGE


def _memo_rates(bands: BandTable, name: str, blank: float = 0.0) -> list[float]:
    """The rate column as a Python list, computed once per (cached) table."""
    key = ("rates", name, blank)
    found = bands.memo.get(key)
    if found is None:
        found = bands.numeric_column(1, name, blank=blank).tolist()
        bands.memo[key] = found
    return found


def _below_one(x: float, bands: BandTable, x_name: str, table_name: str) -> ExcelError:
    """BAND's ``#N/A`` for one value below the first start (as :func:`_below_errors`)."""
    v, s0 = _fmt(x), _fmt(float(bands.starts[0]))
    return ExcelError(
        "#N/A",
        f"参数 {x_name} 的值 {v} 低于 {table_name} 的第一个起点 {s0}，不在任何档内 / "
        f"{x_name} = {v} is below the first start {s0} of {table_name}",
    )


# --------------------------------------------------------------------------- BAND


@excel_function
def band(x: object, table: object, column: object = None, side: object = None) -> Any:
    """The value in ``column`` of the band that holds ``x`` (lifted over ``x``).

    Parameters
    ----------
    x : number or range
        Value(s) to look up: a cell, a column, a row or a block; the result has
        the same shape. A blank cell is 0; text or an error is that cell's
        ``#VALUE!`` or error.
    table : range
        Band table: starts in the first column (ascending, no duplicates,
        numbers), what applies from each start on in the other columns
        (numbers or text, e.g. rates or grades "优"/"良").
    column : int, optional
        Which column of ``table`` to return, counted like VLOOKUP's
        ``col_index_num``: 2 (the default) is the first column after the starts,
        1 returns the band's start. Decimals are truncated.
    side : {"下含", "lower", "上含", "upper"}, optional
        Where a value equal to a start belongs (default ``"lower"``).

    Returns
    -------
    scalar or 2-D array
        The looked-up cell per value of ``x``: a number, text, or the error the
        cell holds. A blank looked-up cell gives 0, as VLOOKUP does.

    Keywords
    --------
    side : ``"下含"``/``"lower"`` (``≥ start``, "40万元以上(含40万元)");
        ``"上含"``/``"upper"`` (``> start``, "100%<Y≤110%").

    Excel compatibility
    -------------------
    ``BAND(x, table, column)`` is ``VLOOKUP(x, table, column, TRUE)`` with three
    differences: the table is checked (an unsorted or duplicated start, or a
    start that is not a number, is ``#VALUE!`` with the row, where VLOOKUP
    silently returns a wrong band); values are compared at 12 significant
    digits (``1150/1000`` is in the band starting at ``1.15``); and ``"upper"``
    has no VLOOKUP equivalent. Below the first start is ``#N/A`` with a message
    quoting the value, like VLOOKUP's ``#N/A``. A column beyond the table is
    ``#REF!`` and a column below 1 is ``#VALUE!``, as in VLOOKUP.

    Examples
    --------
    >>> band(450000, [[0, 30], [100000, 32], [200000, 35], [400000, 40]])
    40.0
    >>> grades = [[0, "差"], [5, "中"], [7, "良"], [9, "优"]]
    >>> band([[9.2], [7], [4.5]], grades).ravel().tolist()
    ['优', '良', '差']
    >>> band(1.0, [[0, 60], [1, 70], [1.1, 80]], 2, "upper")
    60.0
    >>> band(1.1, [[0, 60], [1, 70], [1.1, 80]], 2, "上含")
    70.0
    >>> band(-1, [[0, 60], [1, 70]])
    ExcelError('#N/A', '参数 x 的值 -1 低于 table 的第一个起点 0，不在任何档内 / x = -1 is below the first start 0 of table')
    """
    where = SIDE.parse(side, "side")
    bands = BandTable.parse(table, "table")
    col = _column_number(column, bands)
    one, cell = one_cell(x)
    if one:
        return _band_one(cell, bands, col, where)
    nums = to_numbers(x, "x")
    xv = nums.values
    idx = bands.locate(xv, where)
    below = idx < 0
    k = np.maximum(idx, 0)
    if col == 1:
        cells: npt.NDArray[Any] = bands.starts.copy()
    else:
        cells = _lookup_cells(bands.columns[:, col - 2])
    values = np.take(cells, k)
    errors = merge_errors(nums.errors, _below_errors(xv, below, bands, "x", "table"))
    return spill(lay_errors(values, errors))


def _band_one(x: object, bands: BandTable, col: int, where: str) -> Any:
    """BAND for one cell ``x``."""
    xv = number_or_error(x, "x")
    if isinstance(xv, ExcelError):
        return xv
    k = bands.locate_one(xv, where)
    if k < 0:
        return _below_one(xv, bands, "x", "table")
    cells = bands.memo.get(("cells", col))
    if cells is None:
        found = bands.starts if col == 1 else _lookup_cells(bands.columns[:, col - 2])
        cells = [c.item() if isinstance(c, np.generic) else c for c in found.tolist()]
        bands.memo[("cells", col)] = cells
    return cells[k]


def _column_number(column: object, bands: BandTable) -> int:
    """BAND's ``column``: default 2; truncated; below 1 #VALUE!, beyond the table #REF!."""
    c = scalar_number(column, "column", default=2.0)
    width = bands.columns.shape[1] + 1
    n = math.trunc(c)
    if n < 1:
        raise fail(
            "#VALUE!",
            f"参数 column 应不小于 1，收到 {_fmt(c)} / column must be 1 or more, got {_fmt(c)}",
        )
    if n > width:
        raise fail(
            "#REF!",
            f"参数 column 为 {n}，但 table 只有 {width} 列 / column is {n} but table has only "
            f"{width} columns",
        )
    return n


def _lookup_cells(cells: ObjectArray) -> npt.NDArray[Any]:
    """A looked-up column: blanks become 0 (VLOOKUP's rule), numbers floats.

    All numbers → a float array (the fast path); otherwise an object array
    holding numbers, text, booleans and errors as given; a value of any other
    type is ``#VALUE!``.
    """
    out = np.empty(cells.shape, dtype=object)
    numeric = True
    for i, cell in enumerate(cells):
        if is_blank(cell):
            out[i] = 0.0
        elif isinstance(cell, bool | np.bool_):
            out[i] = bool(cell)
            numeric = False
        elif isinstance(cell, int | float | np.integer | np.floating):
            try:
                v = float(cell)
            except OverflowError:  # a Python int beyond a double (10**400)
                v = math.inf
            out[i] = v if math.isfinite(v) else OUT_OF_RANGE
            numeric = numeric and math.isfinite(v)
        elif isinstance(cell, str | ExcelError):
            out[i] = cell
            numeric = False
        else:  # no cell holds this (a date object, a complex number …)
            out[i] = ExcelError(
                "#VALUE!",
                f"参数 table 的值类型无法识别 / table: unsupported {type(cell).__name__}",
            )
            numeric = False
    if numeric:
        return out.astype(np.float64)
    return out


# --------------------------------------------------------------------------- TIERED


@excel_function
def tiered(x: object, table: object, mode: object, side: object = None) -> Any:
    """Tiered amount of ``x`` by a table of band starts and rates (lifted over ``x``).

    Parameters
    ----------
    x : number or range
        Quantity (revenue, households, taxable income …): a cell, a column, a
        row or a block; the result has the same shape. A blank is 0; text or an
        error is that cell's ``#VALUE!`` or error.
    table : range
        Band starts (first column) and the rate per unit of ``x`` from each
        start on (second column: 0.05 for 5%, or 20 per household). A blank
        rate is 0; text in the rate column is ``#VALUE!``; further columns are
        ignored (room for labels or notes).
    mode : {"超额", "marginal", "excess", "全额", "whole", "retro"}
        Required: the two readings of a tiered table pay differently.
    side : {"下含", "lower", "上含", "upper"}, optional
        Where a value equal to a start belongs (default ``"lower"``). It only
        changes ``"全额"`` results: marginal amounts are continuous at starts.

    Returns
    -------
    float or 2-D array
        The amount, rounded to 0.01 (half away from zero, on the decimal value).

    Keywords
    --------
    mode : ``"超额"``/``"marginal"``/``"excess"`` — each slice of ``x`` at its own
        band's rate (tax-style: "超出5户部分每户40元"); ``"全额"``/``"whole"``/``"retro"``
        — all of ``x`` at the rate of the band that holds ``x``.
    side : ``"下含"``/``"lower"``, ``"上含"``/``"upper"``.

    Notes
    -----
    Marginal: the slices are counted from the first start, so a value below
    it pays 0 and ``TIERED = Σ rateⱼ × (portion of x in band j)``. A table
    whose first start is negative counts from there too (``{-100,0.1}`` pays
    5 on ``x = -50``): the amount is always measured from the first start, never
    from 0. Whole: ``x × rate`` of its band, also for negative ``x``.
    Each slice is taken on the 15-digit decimals of ``x`` and the start, so
    ``1000.01`` above a start of ``1000`` at 50% pays 0.01 (0.005 rounded up).

    Excel compatibility
    -------------------
    Marginal mode equals the quick-deduction formula Excel users write for
    income tax, ``ROUND(x*rate - deduction, 2)`` with ``deduction`` looked up
    by ``VLOOKUP``, or the ``SUMPRODUCT((x>starts)*(x-starts)*rate_steps)``
    idiom, but needs neither the deduction column nor the rate steps, and
    works on the decimal values: in doubles ``1000.01*0.5-500`` is
    0.004999999999995, a half-fen a hair low that such formulas can round
    down. Whole
    mode is ``ROUND(x*VLOOKUP(x, table, 2, TRUE), 2)``, with 0 instead of
    ``#N/A`` below the first start.

    Examples
    --------
    >>> tiered(8, [[0, 20], [5, 40]], "超额")
    220.0
    >>> tiered(30, [[0, 20], [20, 25]], "全额", "upper")
    750.0
    >>> tax = [[0, 0.03], [3000, 0.10], [12000, 0.20], [25000, 0.25],
    ...        [35000, 0.30], [55000, 0.35], [80000, 0.45]]
    >>> tiered([[12000], [100000], [-5]], tax, "marginal").ravel().tolist()
    [990.0, 29840.0, 0.0]
    >>> tiered(8, [[0, 20], [5, 40]], None)
    ExcelError('#VALUE!', '参数 mode 必须填写，可选：超额、excess、marginal、全额、retro、whole / mode is required')
    """
    how = MODE.parse(mode, "mode")
    where = SIDE.parse(side, "side")
    bands = BandTable.parse(table, "table")
    one, cell = one_cell(x)
    if one:
        return _tiered_one(cell, bands, how, where)
    rates = _rates(bands, "table")
    nums = to_numbers(x, "x")
    with np.errstate(over="ignore", invalid="ignore"):
        amounts = _tiered_amounts(nums.values, bands, rates, how, where)
    return spill(lay_errors(amounts, merge_errors(nums.errors, overflow_errors(amounts))))


def _tiered_one(x: object, bands: BandTable, how: str, where: str) -> float | ExcelError:
    """TIERED for one cell ``x``: :func:`_tiered_amounts`' arithmetic on
    Python floats; a value the fast rounding is unsure of goes the array way."""
    rates = _memo_rates(bands, "table")
    xv = number_or_error(x, "x")
    if isinstance(xv, ExcelError):
        return xv
    idx = bands.locate_one(xv, where)
    k = max(idx, 0)
    rate = rates[k]
    if how != "marginal":
        return _finish_one(0.0 if idx < 0 else xv * rate)
    facts = bands.memo.get("marginal")
    if facts is None:
        cumulative = _cumulative(bands, np.array(rates))
        r_max = max(abs(r) for r in rates)
        fixed = r_max * float(np.abs(bands.starts).max()) + float(np.abs(cumulative).max())
        facts = (cumulative.tolist(), bands.starts.tolist(), r_max, fixed)
        bands.memo["marginal"] = facts
    accrued, starts, r_max, fixed = facts
    amount = 0.0 if idx < 0 else accrued[k] + rate * max(xv - starts[k], 0.0)
    if math.isfinite(amount):
        slack = (abs(amount) + abs(xv) * r_max + fixed) * 1e-13
        out = round_decimal_one(amount, 2, slack)
        if out is not None:
            return out
    amounts = _tiered_amounts(np.array([[xv]]), bands, np.array(rates), how, where)
    v = float(amounts[0, 0])
    return v if math.isfinite(v) else OUT_OF_RANGE


@excel_function
def tier_detail(x: object, table: object, mode: object, side: object = None) -> Any:
    """How one ``TIERED`` result is made up: one row per band that pays, then a total.

    Parameters
    ----------
    x : number
        One value (a range of more than one cell is ``#VALUE!``).
    table, mode, side
        As in :func:`tiered`.

    Returns
    -------
    2-D array, five columns
        ``(band from, band to, quantity in band, rate, amount)`` per band, in
        table order, then the total row ``("合计", blank, total quantity, blank,
        amount)`` whose amount is exactly ``TIERED(x, table, mode, side)``.

        * ``"超额"``: one row for every band ``x`` reaches with a positive
          quantity — bands with rate 0 included, so the rows account for all
          of ``x`` above the first start; quantity = the part of ``x`` in the
          band. ``x`` exactly on a start has nothing in the band starting
          there, so that band has no row.
        * ``"全额"``: one row, the band that holds ``x``; quantity = ``x``.
        * band from / to are the band's own limits from the table; the last
          band has no end, so its "to" is blank.
        * amounts are rounded to the fen per band. When those rounded amounts
          do not add up to the rounded total (several half-cents), a row
          ``("尾差", blank, blank, blank, difference)`` before the total shows
          the difference, so the amount column always adds up to the total.
        * ``x`` below the first start: no band pays, only the total row, 0.

    Keywords
    --------
    As in :func:`tiered`.

    Excel compatibility
    -------------------
    No Excel equivalent; it spills like a dynamic-array formula (5 columns,
    one row per band plus the total).

    Examples
    --------
    >>> tax = [[0, 0.03], [3000, 0.10], [12000, 0.20], [25000, 0.25]]
    >>> for row in tier_detail(13000, tax, "超额").tolist():
    ...     print(row)
    [0.0, 3000.0, 3000.0, 0.03, 90.0]
    [3000.0, 12000.0, 9000.0, 0.1, 900.0]
    [12000.0, 25000.0, 1000.0, 0.2, 200.0]
    ['合计', None, 13000.0, None, 1190.0]
    >>> tier_detail(30, [[0, 20], [20, 25]], "全额", "upper").tolist()
    [[20.0, None, 30.0, 25.0, 750.0], ['合计', None, 30.0, None, 750.0]]
    """
    how = MODE.parse(mode, "mode")
    where = SIDE.parse(side, "side")
    bands = BandTable.parse(table, "table")
    rates = _rates(bands, "table")
    xv = scalar_number(x, "x")  # one cell: a range of more is #VALUE!, an error passes
    arr = np.array([xv])
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(_tiered_amounts(arr, bands, rates, how, where)[0])
    if not math.isfinite(total):
        raise fail(OUT_OF_RANGE)
    with localcontext() as ctx, np.errstate(over="ignore", invalid="ignore"):
        # Exact however large: the decimals below never round or overflow.
        ctx.prec, ctx.Emax, ctx.Emin = 2000, 10**6, -(10**6)
        return _detail_rows(xv, bands, rates, how, where, total)


def _detail_rows(
    xv: float, bands: BandTable, rates: FloatArray, how: str, where: str, total: float
) -> npt.NDArray[Any]:
    """TIER_DETAIL's rows for one value whose TIERED result is ``total``."""
    arr = np.array([xv])
    k = int(bands.locate(arr, where)[0])
    starts = [float(s) for s in bands.starts]

    def end_of(j: int) -> float | None:
        return starts[j + 1] if j + 1 < len(starts) else None

    rows: list[list[Any]] = []
    quantity_total = Decimal(0)
    paid = Decimal(0)
    if k >= 0 and how == "whole":
        q = _dec(xv)
        amount = (q * _dec(float(rates[k]))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        rows.append([starts[k], end_of(k), float(q), float(rates[k]), float(amount)])
        quantity_total, paid = q, amount
    elif k >= 0:
        top = _dec(xv)
        for j in range(k + 1):
            lo = _dec(starts[j])
            hi = top if j == k else min(top, _dec(starts[j + 1]))
            q = hi - lo
            if q <= 0:
                continue
            amount = (q * _dec(float(rates[j]))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            rows.append([starts[j], end_of(j), float(q), float(rates[j]), float(amount)])
            quantity_total += q
            paid += amount
    difference = _dec(total) - paid
    if difference != 0:
        rows.append([ROUNDING_LABEL, None, None, None, float(difference)])
    rows.append([TOTAL_LABEL, None, float(quantity_total), None, total])
    out = np.empty((len(rows), 5), dtype=object)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            out[i, j] = _clean(cell)
    return out


def _clean(cell: Any) -> Any:
    """Numbers at Excel's 15 significant digits (0.1+0.2 shows as 0.3); a number
    beyond the range of doubles is ``#NUM!``."""
    if isinstance(cell, float):
        shown = float(round_sig(cell, 15)) + 0.0
        return shown if math.isfinite(shown) else OUT_OF_RANGE
    return cell


# --------------------------------------------------------------------------- POINT_BONUS


@excel_function
def point_bonus(score: object, rate: object, gates: object = None, side: object = None) -> Any:
    """Money per score point ("分值奖金"): score × rate, after gates (lifted over ``score``).

    Parameters
    ----------
    score : number or range
        Score(s): a cell, a column, a row or a block; the result has the same
        shape. Blank is 0; text or an error is that cell's ``#VALUE!`` or error.
    rate : number or range
        Money per point: one number for everyone, or a range of the same shape
        as ``score`` (a per-person rate, e.g. from ``BAND`` on revenue); an
        error in a person's rate is that person's result. ``score`` and
        ``rate`` broadcast against each other (one score and a column of rates
        is one result per rate).
    gates : range, optional
        Band table of score starts and the rate per point from each start on;
        an empty rate cell means "the ``rate`` argument". A score below the
        first gate pays 0. Without gates every score pays score × rate.
    side : {"下含", "lower", "上含", "upper"}, optional
        Where a score equal to a gate start belongs (default ``"lower"``: "60分
        (含60分)" is in the band starting at 60).

    Returns
    -------
    float or 2-D array
        The bonus, rounded to 0.01 (half away from zero, on the decimal value).

    Keywords
    --------
    side : ``"下含"``/``"lower"``, ``"上含"``/``"upper"``.

    Excel compatibility
    -------------------
    Without gates it is ``ROUND(score*rate, 2)``. With gates it replaces a
    nested ``IF(score>=80, score*rate, IF(score>=60, score*20, 0))``, with the
    thresholds in a table instead of the formula and compared at 12
    significant digits.

    Examples
    --------
    >>> gates = [[0, 0], [60, 20], [80, None]]
    >>> point_bonus([[85], [70], [59]], 40, gates).ravel().tolist()
    [3400.0, 1400.0, 0.0]
    >>> point_bonus([[85], [85]], [[40], [30]]).ravel().tolist()
    [3400.0, 2550.0]
    """
    where = SIDE.parse(side, "side")
    one_score, score_cell = one_cell(score)
    one_rate, rate_cell = one_cell(rate)
    if one_score and one_rate:
        return _point_bonus_one(score_cell, rate_cell, gates, where)
    scores, rates = broadcast_numbers(
        score=to_numbers(score, "score"), rate=to_numbers(rate, "rate")
    )
    rate_values, rate_errors = rates.values, rates.errors
    per_point = rate_values
    below: npt.NDArray[np.bool_] | None = None
    if not _omitted_table(gates):
        table = BandTable.parse(gates, "gates")
        gate_rates = table.numeric_column(1, "gates", blank=np.nan)
        idx = table.locate(scores.values, where)
        below = idx < 0
        gate_rate = np.take(gate_rates, np.maximum(idx, 0))
        per_point = np.where(np.isnan(gate_rate), rate_values, gate_rate)
    with np.errstate(over="ignore", invalid="ignore"):
        amount = scores.values * per_point
    if below is not None and below.any():
        amount = np.where(below, 0.0, amount)
    with np.errstate(over="ignore", invalid="ignore"):
        amounts = round_decimal(amount, 2)
    errors = merge_errors(merge_errors(scores.errors, rate_errors), overflow_errors(amounts))
    return spill(lay_errors(amounts, errors))


def _point_bonus_one(score: object, rate: object, gates: object, where: str) -> Any:
    """POINT_BONUS for one score and one rate."""
    gate_rate = math.nan
    below = False
    sv = number_or_error(score, "score")
    if not _omitted_table(gates):
        table = BandTable.parse(gates, "gates")
        gate_rates = _memo_rates(table, "gates", blank=math.nan)
        if not isinstance(sv, ExcelError):
            idx = table.locate_one(sv, where)
            below = idx < 0
            gate_rate = gate_rates[max(idx, 0)]
    rv = number_or_error(rate, "rate")
    if isinstance(sv, ExcelError):
        return sv
    if isinstance(rv, ExcelError):
        return rv
    per_point = rv if math.isnan(gate_rate) else gate_rate
    return _finish_one(0.0 if below else sv * per_point)


def _omitted_table(value: object) -> bool:
    """``gates`` left out or empty (``None``, ``""``, a single blank cell)."""
    if value is None:
        return True
    if isinstance(value, list | tuple) and len(value) > 1:
        return False  # several rows (or cells): a table
    block = as_block(value, "gates")
    return block.size == 1 and is_blank(block[0, 0])
