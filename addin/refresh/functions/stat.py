"""Statistical functions: counts, averages, extremes, *IFS aggregations, ranks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    FUNCTIONS,
    MISSING,
    Area,
    FunctionSpec,
    as_array,
    iter_values,
    numbers_of,
    register,
    round15,
    text_to_number,
    to_number,
)
from addin.refresh.functions.criteria import _area_like, _criteria_select, _selected_numbers
from udfs.errors import (
    DIV0,
    NA,
    NUM,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


@register("COUNT", "R*", 1, None)
def COUNT(*args: Any) -> float:
    """COUNT(value1, …): numbers in ranges; direct arguments that read as numbers."""
    n = 0
    for v, from_range in iter_values(args):
        if isinstance(v, bool):
            n += 0 if from_range else 1
        elif isinstance(v, float | int) or (
            isinstance(v, str) and not from_range and text_to_number(v) is not None
        ):
            n += 1
    return float(n)


@register("COUNTA", "R*", 1, None)
def COUNTA(*args: Any) -> float:
    """COUNTA(value1, …): non-blank values."""
    n = 0
    for a in args:
        if a is MISSING:
            n += 1
            continue
        for v, _ in iter_values((a,)):
            if v is not None:
                n += 1
    return float(n)


@register("COUNTBLANK", "R", 1, 1)
def COUNTBLANK(a: Any) -> float:
    """COUNTBLANK(range): blank cells and cells holding ""."""
    if isinstance(a, Area):
        arr = a.values()
        nonblank = sum(1 for v in arr.ravel() if not (v is None or v == ""))
        return float(a.size - nonblank)
    arr = as_array(a)
    return float(sum(1 for v in arr.ravel() if v is None or v == ""))


@register("AVERAGE", "R*", 1, None)
def AVERAGE(*args: Any) -> float:
    """AVERAGE(number1, …)."""
    nums = numbers_of(args)
    if not nums:
        raise fail(DIV0, "没有数值可平均 / nothing to average")
    return math.fsum(nums) / len(nums)


@register("MIN", "R*", 1, None)
def MIN(*args: Any) -> float:
    """MIN(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return min(nums) if nums else 0.0


@register("MAX", "R*", 1, None)
def MAX(*args: Any) -> float:
    """MAX(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return max(nums) if nums else 0.0


@register("COUNTIF", "RS", 2, 2, handles_errors=True)
def COUNTIF(rng: Any, crit: Any) -> float:
    """COUNTIF(range, criteria)."""
    selected, _ = _criteria_select([(rng, crit)])
    return float(len(selected))


@register("COUNTIFS", "|RS", 2, None, handles_errors=True)
def COUNTIFS(*args: Any) -> float:
    """COUNTIFS(range1, criteria1, …)."""
    if len(args) % 2:
        raise fail(VALUE, "COUNTIFS 参数须成对 / needs range/criteria pairs")
    selected, _ = _criteria_select([(args[i], args[i + 1]) for i in range(0, len(args), 2)])
    return float(len(selected))


def _ifs_numbers(target: Any, pairs: tuple[Any, ...]) -> list[float]:
    if len(pairs) % 2 or not pairs:
        raise fail(VALUE, "参数须成对 / needs range/criteria pairs")
    selected, shape = _criteria_select([(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])
    arr = as_array(target)
    if arr.shape != shape:
        raise fail(VALUE, "区域大小不一致 / ranges differ in size")
    return _selected_numbers(arr, selected)


@register("AVERAGEIF", "RSR", 2, 3, handles_errors=True)
def AVERAGEIF(rng: Any, crit: Any, avg_range: Any = MISSING) -> float:
    """AVERAGEIF(range, criteria, [average_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if avg_range is MISSING else _area_like(avg_range, shape)
    nums = _selected_numbers(target, selected)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register("AVERAGEIFS", "R|RS", 3, None, handles_errors=True)
def AVERAGEIFS(target: Any, *pairs: Any) -> float:
    """AVERAGEIFS(average_range, criteria_range1, criteria1, …)."""
    nums = _ifs_numbers(target, pairs)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register("MAXIFS", "R|RS", 3, None, handles_errors=True)
def MAXIFS(target: Any, *pairs: Any) -> float:
    """MAXIFS(max_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return max(nums) if nums else 0.0


@register("MINIFS", "R|RS", 3, None, handles_errors=True)
def MINIFS(target: Any, *pairs: Any) -> float:
    """MINIFS(min_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return min(nums) if nums else 0.0


def _rank_numbers(ref: Any) -> list[float]:
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


@register("RANK.EQ", "SRS", 2, 3)
def RANK_EQ(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.EQ(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, False)


@register("RANK.AVG", "SRS", 2, 3)
def RANK_AVG(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.AVG(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, True)


FUNCTIONS["RANK"] = FunctionSpec("RANK", RANK_EQ, "SRS", 2, 3)


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


@register("LARGE", "RS", 2, 2)
def LARGE(array: Any, k: Any) -> float:
    """LARGE(array, k)."""
    return _kth(array, k, True)


@register("SMALL", "RS", 2, 2)
def SMALL(array: Any, k: Any) -> float:
    """SMALL(array, k)."""
    return _kth(array, k, False)
