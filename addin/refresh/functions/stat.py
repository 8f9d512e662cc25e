"""Statistical functions: counts, averages, extremes, *IFS aggregations, ranks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    MISSING,
    Area,
    EngineFunction,
    MultiArea,
    as_array,
    iter_values,
    numbers_of,
    register,
    repeat,
    round15,
    text_to_number,
    to_number,
)
from addin.refresh.functions.columns import Rows, RowValues, is_rows, round15_array, shared_array
from addin.refresh.functions.criteria import (
    _area_like,
    _criteria_select,
    _selected_numbers,
    grouped_column,
    grouped_ifs,
    make_criterion,
)
from addin.registry import PER_ROW, WHOLE
from udfs.errors import (
    DIV0,
    NA,
    NUM,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


@register("COUNT", WHOLE, repeat(WHOLE), values_only=True)
def COUNT(*args: Any) -> float:
    """COUNT(value1, …): numbers in ranges; direct arguments that read as numbers
    (an argument written empty is the number 0: COUNT(1,,2) is 3, LibreOffice
    agrees)."""
    n = sum(1 for a in args if a is None)
    for v, from_range in iter_values(tuple(a for a in args if a is not None)):
        if isinstance(v, bool):
            n += 0 if from_range else 1
        elif isinstance(v, float | int) or (
            isinstance(v, str) and not from_range and text_to_number(v) is not None
        ):
            n += 1
    return float(n)


@register("COUNTA", WHOLE, repeat(WHOLE), values_only=True)
def COUNTA(*args: Any) -> float:
    """COUNTA(value1, …): non-blank values; an argument written empty counts
    (COUNTA(1,,2) is 3)."""
    n = 0
    for a in args:
        if a is MISSING or a is None:
            n += 1
            continue
        for v, _ in iter_values((a,)):
            if v is not None:
                n += 1
    return float(n)


@register("COUNTBLANK", WHOLE)
def COUNTBLANK(a: Any) -> float:
    """COUNTBLANK(range): blank cells and cells holding ""."""
    if isinstance(a, Area):
        arr = a.values()
        nonblank = sum(1 for v in arr.ravel() if not (v is None or v == ""))
        return float(a.size - nonblank)
    arr = as_array(a)
    return float(sum(1 for v in arr.ravel() if v is None or v == ""))


@register("AVERAGE", WHOLE, repeat(WHOLE), values_only=True)
def AVERAGE(*args: Any) -> float:
    """AVERAGE(number1, …)."""
    nums = numbers_of(args)
    if not nums:
        raise fail(DIV0, "没有数值可平均 / nothing to average")
    return math.fsum(nums) / len(nums)


@register("MIN", WHOLE, repeat(WHOLE), values_only=True)
def MIN(*args: Any) -> float:
    """MIN(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return min(nums) if nums else 0.0


@register("MAX", WHOLE, repeat(WHOLE), values_only=True)
def MAX(*args: Any) -> float:
    """MAX(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return max(nums) if nums else 0.0


@register("COUNTIF", WHOLE, PER_ROW, handles_errors=True, column=grouped_column, grouped=grouped_ifs)
def COUNTIF(rng: Any, crit: Any) -> float:
    """COUNTIF(range, criteria)."""
    selected, _ = _criteria_select([(rng, crit)])
    return float(len(selected)) + _unseen_blanks([(rng, crit)])


def _unseen_blanks(pairs: list[tuple[Any, Any]]) -> float:
    """Cells of whole columns (or rows) past the used range, read as cut there:
    they are blank, and count when every criterion accepts a blank (``"<>x"``
    counts the 1,048,5xx blank rows of a column, as in Excel)."""
    first = pairs[0][0]
    if not isinstance(first, Area):
        return 0.0
    unseen = first.size - as_array(first).size
    if unseen <= 0:
        return 0.0
    for _rng, crit in pairs:
        c = crit.value() if isinstance(crit, Area) and crit.is_cell() else crit
        if isinstance(c, Area | np.ndarray) or not make_criterion(c)(None):
            return 0.0
    return float(unseen)


@register(
    "COUNTIFS", WHOLE, PER_ROW, repeat(WHOLE, PER_ROW), handles_errors=True, column=grouped_column, grouped=grouped_ifs
)
def COUNTIFS(*args: Any) -> float:
    """COUNTIFS(range1, criteria1, …)."""
    if len(args) % 2:
        raise fail(VALUE, "COUNTIFS 参数须成对 / needs range/criteria pairs")
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    selected, _ = _criteria_select(pairs)
    return float(len(selected)) + _unseen_blanks(pairs)


def _ifs_numbers(target: Any, pairs: tuple[Any, ...]) -> list[float]:
    if len(pairs) % 2 or not pairs:
        raise fail(VALUE, "参数须成对 / needs range/criteria pairs")
    selected, shape = _criteria_select([(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])
    arr = as_array(target)
    if arr.shape != shape:
        raise fail(VALUE, "区域大小不一致 / ranges differ in size")
    return _selected_numbers(arr, selected)


@register(
    "AVERAGEIF", WHOLE, PER_ROW, WHOLE, min_args=2, handles_errors=True, column=grouped_column, grouped=grouped_ifs
)
def AVERAGEIF(rng: Any, crit: Any, avg_range: Any = MISSING) -> float:
    """AVERAGEIF(range, criteria, [average_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if avg_range is MISSING else _area_like(avg_range, shape)
    nums = _selected_numbers(target, selected)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register(
    "AVERAGEIFS",
    WHOLE,
    WHOLE,
    PER_ROW,
    repeat(WHOLE, PER_ROW),
    handles_errors=True,
    column=grouped_column, grouped=grouped_ifs,
)
def AVERAGEIFS(target: Any, *pairs: Any) -> float:
    """AVERAGEIFS(average_range, criteria_range1, criteria1, …)."""
    nums = _ifs_numbers(target, pairs)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register(
    "MAXIFS",
    WHOLE,
    WHOLE,
    PER_ROW,
    repeat(WHOLE, PER_ROW),
    handles_errors=True,
    column=grouped_column, grouped=grouped_ifs,
)
def MAXIFS(target: Any, *pairs: Any) -> float:
    """MAXIFS(max_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return max(nums) if nums else 0.0


@register(
    "MINIFS",
    WHOLE,
    WHOLE,
    PER_ROW,
    repeat(WHOLE, PER_ROW),
    handles_errors=True,
    column=grouped_column, grouped=grouped_ifs,
)
def MINIFS(target: Any, *pairs: Any) -> float:
    """MINIFS(min_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return min(nums) if nums else 0.0


def _rank_numbers(ref: Any) -> list[float]:
    if isinstance(ref, MultiArea):  # RANK(A1,(B1,B2,B3)) (poi 61063.xlsx!A4)
        return [x for part in ref for x in _rank_numbers(part)]
    if not isinstance(ref, Area | np.ndarray):
        raise fail(VALUE, "RANK 的 ref 须为区域 / ref must be a range")
    out = []
    for v in as_array(ref).ravel():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


def rank_of(x: float, nums: list[float], ascending: bool, average: bool) -> float:
    """Rank of ``x`` among ``nums`` (RANK.EQ, or RANK.AVG when ``average``)."""
    xr = round15(x)
    rounded = [round15(v) for v in nums]
    if xr not in rounded:
        raise fail(NA, "数值不在排名区域中 / the number is not in ref")
    before = sum(1 for v in rounded if (v < xr if ascending else v > xr))
    if not average:
        return float(before + 1)
    ties = sum(1 for v in rounded if v == xr)
    return before + (ties + 1) / 2


def _rank_column(
    spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any], average: bool
) -> Any:
    """RANK/RANK.EQ/RANK.AVG down a block: one sort of the reference, a
    binary search per row (O(n log n))."""
    if not isinstance(args[0], RowValues) or any(is_rows(a) for a in args[1:]):
        return None
    ref = args[1]
    if not isinstance(ref, Area | np.ndarray):
        return None
    order = args[2] if len(args) > 2 else MISSING
    if isinstance(order, Area | np.ndarray | ExcelError):
        return None
    try:
        asc = False if order is MISSING else to_number(order) != 0
    except ExcelErrorRaised:
        return None
    arr = shared_array(memo, ref)
    assert arr is not None
    vals = args[0].v
    n = len(vals)
    try:
        nums = _rank_numbers(arr)
    except ExcelErrorRaised as exc:
        err: ExcelError | None = exc.error
        nums = []
    else:
        err = None
    srt = np.sort(round15_array(np.array(nums, dtype=np.float64)))
    m = len(srt)
    if vals.dtype == np.float64 and err is None:
        xr = round15_array(vals)
        lo = np.searchsorted(srt, xr, "left")
        hi = np.searchsorted(srt, xr, "right")
        before = lo if asc else m - hi
        rank = before + 1.0 if not average else before + (hi - lo + 1) / 2
        missing = hi == lo
        if not missing.any():
            return RowValues(rank.astype(np.float64))
        res = rank.astype(object)
        res[missing] = NA.with_message("数值不在排名区域中 / the number is not in ref")
        return RowValues(res)
    out = np.empty(n, dtype=object)
    for i in range(n):
        x = vals[i]
        if isinstance(x, ExcelError):
            out[i] = x
            continue
        try:
            xv = to_number(x, bx.date1904)
        except ExcelErrorRaised as exc:
            out[i] = exc.error
            continue
        if err is not None:
            out[i] = err
            continue
        xr1 = round15(xv)
        lo1 = int(np.searchsorted(srt, xr1, "left"))
        hi1 = int(np.searchsorted(srt, xr1, "right"))
        if hi1 == lo1:
            out[i] = NA.with_message("数值不在排名区域中 / the number is not in ref")
            continue
        b1 = lo1 if asc else m - hi1
        out[i] = float(b1 + 1) if not average else b1 + (hi1 - lo1 + 1) / 2
    return RowValues(out)


def _rank_eq_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _rank_column(spec, args, bx, memo, average=False)


def _rank_avg_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    return _rank_column(spec, args, bx, memo, average=True)


@register("RANK.EQ", PER_ROW, WHOLE, PER_ROW, min_args=2, values_only=True, column=_rank_eq_column)
def RANK_EQ(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.EQ(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, False)


@register(
    "RANK.AVG", PER_ROW, WHOLE, PER_ROW, min_args=2, values_only=True, column=_rank_avg_column
)
def RANK_AVG(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.AVG(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, True)


register("RANK", PER_ROW, WHOLE, PER_ROW, min_args=2, values_only=True, column=_rank_eq_column)(
    RANK_EQ
)


def _kth(array: Any, k: Any, largest: bool) -> float:
    """SMALL's k-th value, k truncated; LARGE's as SMALL's (n - k + 1)-th, also
    truncated, after k < 1 is refused — how Excel treats a fractional k
    (oracle: LARGE(…,2.2) is the 3rd largest, SMALL(…,2.2) the 2nd smallest)."""
    if isinstance(array, Area | np.ndarray):
        nums = sorted(_rank_numbers(array))
    else:
        nums = [to_number(array)]
    kk = to_number(k)
    n = len(nums)
    i = math.trunc(n - kk + 1) if largest else math.trunc(kk)
    if not nums or kk < 1 or i < 1 or i > n:
        raise fail(NUM, "k 超出范围 / k is out of range")
    return nums[i - 1]


@register("LARGE", WHOLE, PER_ROW, values_only=True)
def LARGE(array: Any, k: Any) -> float:
    """LARGE(array, k)."""
    return _kth(array, k, True)


@register("SMALL", WHOLE, PER_ROW, values_only=True)
def SMALL(array: Any, k: Any) -> float:
    """SMALL(array, k)."""
    return _kth(array, k, False)


# ------------------------------------------------------------ the A forms and spreads


def _a_numbers(args: tuple[Any, ...]) -> list[float]:
    """Values of AVERAGEA/MAXA/MINA: in references numbers, TRUE 1, FALSE and
    text 0, blanks skipped; in an array value (``{1,"a"}``, a computed array)
    text is skipped, as ECMA-376 §18.17.7 words it ("text values in the array
    … are ignored") and Excel computes it; direct arguments coerced (text that
    is no number is #VALUE!); an error anywhere is that error."""
    out: list[float] = []
    for a in args:
        in_array = isinstance(a, np.ndarray)
        for v, from_range in iter_values((a,)):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if v is None:
                continue
            if isinstance(v, bool):
                out.append(1.0 if v else 0.0)
            elif isinstance(v, str):
                if not in_array:
                    out.append(0.0 if from_range else to_number(v))
            else:
                out.append(float(v))
    return out


@register("AVERAGEA", WHOLE, repeat(WHOLE))
def AVERAGEA(*args: Any) -> float:
    """AVERAGEA(value1, …): text and FALSE count as 0, TRUE as 1."""
    nums = _a_numbers(args)
    if not nums:
        raise fail(DIV0, "没有数值可平均 / nothing to average")
    return math.fsum(nums) / len(nums)


@register("MAXA", WHOLE, repeat(WHOLE))
def MAXA(*args: Any) -> float:
    """MAXA(value1, …)."""
    nums = _a_numbers(args)
    return max(nums) if nums else 0.0


@register("MINA", WHOLE, repeat(WHOLE))
def MINA(*args: Any) -> float:
    """MINA(value1, …)."""
    nums = _a_numbers(args)
    return min(nums) if nums else 0.0


@register("MEDIAN", WHOLE, repeat(WHOLE))
def MEDIAN(*args: Any) -> float:
    """MEDIAN(number1, …)."""
    nums = sorted(numbers_of(args))
    if not nums:
        raise fail(NUM, "没有数值 / no numbers")
    n = len(nums)
    return nums[n // 2] if n % 2 else (nums[n // 2 - 1] + nums[n // 2]) / 2


@register("MODE.SNGL", WHOLE, repeat(WHOLE))
def MODE_SNGL(*args: Any) -> float:
    """MODE.SNGL(number1, …): the most frequent number, the first one seen on a tie;
    no repeated number is #N/A."""
    counts: dict[float, int] = {}
    for x in numbers_of(args):
        counts[x] = counts.get(x, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        raise fail(NA, "没有重复的数值 / no number repeats")
    return next(x for x, c in counts.items() if c == best)


register("MODE", WHOLE, repeat(WHOLE))(MODE_SNGL)


def variance(nums: list[float], sample: bool) -> float:
    """The variance of ``nums`` (sample: n − 1); too few numbers is #DIV/0!."""
    n = len(nums)
    if n < (2 if sample else 1):
        raise fail(DIV0, "数值个数不足 / not enough numbers")
    mean = math.fsum(nums) / n
    return math.fsum((x - mean) * (x - mean) for x in nums) / (n - 1 if sample else n)


def _spread(name: str, sample: bool, root: bool, a_form: bool = False) -> None:
    def impl(*args: Any) -> float:
        nums = _a_numbers(args) if a_form else numbers_of(args)
        v = variance(nums, sample)
        return math.sqrt(v) if root else v

    impl.__doc__ = f"{name}(number1, …)."
    register(name, WHOLE, repeat(WHOLE))(impl)


for _n, _s, _r in (("STDEV.S", True, True), ("STDEV", True, True), ("STDEV.P", False, True),
                   ("STDEVP", False, True), ("VAR.S", True, False), ("VAR", True, False),
                   ("VAR.P", False, False), ("VARP", False, False)):  # fmt: skip
    _spread(_n, _s, _r)
_spread("STDEVA", True, True, True)
_spread("VARA", True, False, True)


def _sorted_numbers(array: Any) -> list[float]:
    nums = sorted(_rank_numbers(array) if isinstance(array, Area | np.ndarray) else
                  [to_number(array)])  # fmt: skip
    if not nums:
        raise fail(NUM, "没有数值 / no numbers")
    return nums


def percentile_inc(nums: list[float], k: float) -> float:
    """PERCENTILE.INC on sorted numbers: linear between ranks (n − 1)·k."""
    if not 0 <= k <= 1:
        raise fail(NUM, "k 须在 0 到 1 之间 / k must be between 0 and 1")
    pos = (len(nums) - 1) * k
    i = math.floor(pos)
    frac = pos - i
    if i + 1 >= len(nums):
        return nums[-1]
    return nums[i] + frac * (nums[i + 1] - nums[i])


def percentile_exc(nums: list[float], k: float) -> float:
    """PERCENTILE.EXC on sorted numbers: ranks (n + 1)·k, outside 1…n is #NUM!."""
    n = len(nums)
    pos = (n + 1) * k
    if pos < 1 or pos > n:
        raise fail(NUM, "k 超出范围 / k out of range")
    i = math.floor(pos)
    return nums[i - 1] if i >= n else nums[i - 1] + (pos - i) * (nums[i] - nums[i - 1])


@register("PERCENTILE.INC", WHOLE, PER_ROW)
def PERCENTILE_INC(array: Any, k: Any) -> float:
    """PERCENTILE.INC(array, k)."""
    return percentile_inc(_sorted_numbers(array), to_number(k))


register("PERCENTILE", WHOLE, PER_ROW)(PERCENTILE_INC)


@register("PERCENTILE.EXC", WHOLE, PER_ROW)
def PERCENTILE_EXC(array: Any, k: Any) -> float:
    """PERCENTILE.EXC(array, k)."""
    return percentile_exc(_sorted_numbers(array), to_number(k))


@register("QUARTILE.INC", WHOLE, PER_ROW)
def QUARTILE_INC(array: Any, q: Any) -> float:
    """QUARTILE.INC(array, quart): quart truncated to 0–4."""
    k = math.trunc(to_number(q))
    if not 0 <= k <= 4:
        raise fail(NUM, "quart 须在 0 到 4 / quart must be 0 to 4")
    return percentile_inc(_sorted_numbers(array), k / 4)


register("QUARTILE", WHOLE, PER_ROW)(QUARTILE_INC)


@register("QUARTILE.EXC", WHOLE, PER_ROW)
def QUARTILE_EXC(array: Any, q: Any) -> float:
    """QUARTILE.EXC(array, quart): quart 1–3."""
    k = math.trunc(to_number(q))
    if not 1 <= k <= 3:
        raise fail(NUM, "quart 须在 1 到 3 / quart must be 1 to 3")
    return percentile_exc(_sorted_numbers(array), k / 4)


def _cut_digits(x: float, digits: int) -> float:
    f = 10.0 ** min(digits, 15)
    return math.floor(round15(x * f)) / f


@register("PERCENTRANK.INC", WHOLE, PER_ROW, PER_ROW, min_args=2)
def PERCENTRANK_INC(array: Any, x: Any, sig: Any = MISSING) -> float:
    """PERCENTRANK.INC(array, x, [significance=3]): the rank as a fraction,
    interpolated between neighbours, cut (not rounded) to significance digits."""
    nums = _sorted_numbers(array)
    v = to_number(x)
    d = 3 if sig is MISSING else math.trunc(to_number(sig))
    if d < 1:
        raise fail(NUM, "significance 须至少为 1 / significance must be at least 1")
    n = len(nums)
    if v < nums[0] or v > nums[-1]:
        raise fail(NA, "数值超出数组范围 / x is outside the array")
    if n == 1:
        return 1.0
    below = sum(1 for t in nums if t < v)
    if v in nums:
        return _cut_digits(below / (n - 1), d)
    lo, hi = nums[below - 1], nums[below]
    return _cut_digits((below - 1 + (v - lo) / (hi - lo)) / (n - 1), d)


register("PERCENTRANK", WHOLE, PER_ROW, PER_ROW, min_args=2)(PERCENTRANK_INC)


@register("DEVSQ", WHOLE, repeat(WHOLE))
def DEVSQ(*args: Any) -> float:
    """DEVSQ(number1, …): the sum of squared deviations from the mean."""
    nums = numbers_of(args)
    if not nums:
        raise fail(NUM, "没有数值 / no numbers")
    mean = math.fsum(nums) / len(nums)
    return math.fsum((x - mean) * (x - mean) for x in nums)


@register("AVEDEV", WHOLE, repeat(WHOLE))
def AVEDEV(*args: Any) -> float:
    """AVEDEV(number1, …): the mean absolute deviation."""
    nums = numbers_of(args)
    if not nums:
        raise fail(NUM, "没有数值 / no numbers")
    mean = math.fsum(nums) / len(nums)
    return math.fsum(abs(x - mean) for x in nums) / len(nums)


@register("GEOMEAN", WHOLE, repeat(WHOLE))
def GEOMEAN(*args: Any) -> float:
    """GEOMEAN(number1, …): all numbers must be positive."""
    nums = numbers_of(args)
    if not nums or min(nums) <= 0:
        raise fail(NUM, "须为正数 / numbers must be positive")
    return math.exp(math.fsum(math.log(x) for x in nums) / len(nums))


@register("TRIMMEAN", WHOLE, PER_ROW)
def TRIMMEAN(array: Any, percent: Any) -> float:
    """TRIMMEAN(array, percent): the mean without the lowest and highest
    percent/2 of the numbers (the count cut rounded down to an even number)."""
    nums = sorted(_rank_numbers(array))
    p = to_number(percent)
    if not nums or not 0 <= p < 1:
        raise fail(NUM, "percent 须在 0 到 1 / percent must be in [0, 1)")
    k = math.floor(len(nums) * p / 2)
    kept = nums[k : len(nums) - k]
    return math.fsum(kept) / len(kept)


@register("STANDARDIZE", PER_ROW, PER_ROW, PER_ROW)
def STANDARDIZE(x: Any, mean: Any, sd: Any) -> float:
    """STANDARDIZE(x, mean, standard_dev): (x − mean)/sd; sd ≤ 0 is #NUM!."""
    s = to_number(sd)
    if s <= 0:
        raise fail(NUM, "标准差须为正 / standard_dev must be above 0")
    return (to_number(x) - to_number(mean)) / s


@register("FISHER", PER_ROW)
def FISHER(x: Any) -> float:
    """FISHER(x): atanh(x); |x| ≥ 1 is #NUM!."""
    v = to_number(x)
    if not -1 < v < 1:
        raise fail(NUM, "FISHER 需要 -1 < x < 1 / FISHER needs -1 < x < 1")
    return math.atanh(v)


@register("FISHERINV", PER_ROW)
def FISHERINV(y: Any) -> float:
    """FISHERINV(y): tanh(y)."""
    return math.tanh(to_number(y))


@register("HARMEAN", WHOLE, repeat(WHOLE), values_only=True)
def HARMEAN(*args: Any) -> float:
    """HARMEAN(number1, …): n / Σ(1/x) over the numbers (as AVERAGE reads
    them); one ≤ 0, or none, is #NUM!."""
    nums = numbers_of(args)
    if not nums or any(v <= 0 for v in nums):
        raise fail(NUM, "HARMEAN 需要正数 / HARMEAN needs numbers above 0")
    return len(nums) / math.fsum(1 / v for v in nums)


def _moments(args: tuple[Any, ...], least: int) -> tuple[list[float], float, float]:
    """The numbers, their mean and sample standard deviation; fewer than
    ``least`` numbers or no spread is #DIV/0!."""
    nums = numbers_of(args)
    n = len(nums)
    if n < least:
        raise fail(DIV0, "数值个数不足 / not enough numbers")
    mean = math.fsum(nums) / n
    s = math.sqrt(variance(nums, True))
    if s == 0:
        raise fail(DIV0, "标准差为零 / the standard deviation is 0")
    return nums, mean, s


@register("SKEW", WHOLE, repeat(WHOLE), values_only=True)
def SKEW(*args: Any) -> float:
    """SKEW(number1, …): n/((n−1)(n−2))·Σ((x−mean)/s)³; fewer than 3 numbers
    or no spread is #DIV/0!."""
    nums, mean, s = _moments(args, 3)
    n = len(nums)
    return n / ((n - 1) * (n - 2)) * math.fsum(((x - mean) / s) ** 3 for x in nums)


@register("KURT", WHOLE, repeat(WHOLE), values_only=True)
def KURT(*args: Any) -> float:
    """KURT(number1, …): n(n+1)/((n−1)(n−2)(n−3))·Σ((x−mean)/s)⁴ −
    3(n−1)²/((n−2)(n−3)); fewer than 4 numbers or no spread is #DIV/0!."""
    nums, mean, s = _moments(args, 4)
    n = len(nums)
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3))
    return head * math.fsum(((x - mean) / s) ** 4 for x in nums) - 3 * (n - 1) ** 2 / (
        (n - 2) * (n - 3)
    )
