"""Math and trigonometry: sums, rounding, SUMPRODUCT, SUBTOTAL, SUMIF(S)."""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import numpy as np

from addin.refresh.functions._core import MISSING, as_array, numbers_of, register, to_int, to_number
from addin.refresh.functions.criteria import _area_like, _criteria_select, _selected_numbers
from addin.refresh.functions.stat import COUNT, COUNTA, _ifs_numbers
from udfs.errors import (
    DIV0,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


@register("SUM", "R*", 1, None)
def SUM(*args: Any) -> float:
    """SUM(number1, …)."""
    return math.fsum(numbers_of(args)) if args else 0.0


@register("SUMPRODUCT", "R*", 1, None, array_args=True)
def SUMPRODUCT(*args: Any) -> float:
    """SUMPRODUCT(array1, …): non-numbers count as 0; shapes must agree."""
    arrays = [as_array(a) for a in args]
    shape = arrays[0].shape
    for arr in arrays:
        for v in arr.ravel():
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
    for arr in arrays:
        if arr.shape != shape:
            raise fail(VALUE, "SUMPRODUCT 各数组大小不同 / arrays differ in size")
    total = np.ones(shape)
    for arr in arrays:
        vals = np.zeros(shape)
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if isinstance(v, float | int) and not isinstance(v, bool):
                vals[idx] = v
        total = total * vals
    return math.fsum(total.ravel().tolist())


_SUBTOTAL_KINDS = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT",
                   7: "STDEV", 8: "STDEVP", 9: "SUM", 10: "VAR", 11: "VARP"}  # fmt: skip


@register("SUBTOTAL", "SR*", 2, None)
def SUBTOTAL(code: Any, *refs: Any) -> float:
    """SUBTOTAL(function_num, ref1, …) for codes 1–11 and 101–111.

    Differences from Excel: rows hidden by filtering or by hand are not known
    to the engine, so 101–111 count them like 1–11; SUBTOTAL cells inside the
    ranges are not skipped.
    """
    k = to_int(code)
    kind = _SUBTOTAL_KINDS.get(k % 100 if k > 100 else k)
    if kind is None or not (1 <= k <= 11 or 101 <= k <= 111):
        raise fail(VALUE, "SUBTOTAL 的函数编号无效 / invalid function_num")
    if kind == "COUNT":
        return COUNT(*refs)
    if kind == "COUNTA":
        return COUNTA(*refs)
    nums = numbers_of(refs)
    if kind == "SUM":
        return math.fsum(nums)
    if kind in ("MAX", "MIN"):
        return (max(nums) if kind == "MAX" else min(nums)) if nums else 0.0
    if kind == "PRODUCT":
        return math.prod(nums) if nums else 0.0
    if kind == "AVERAGE":
        if not nums:
            raise fail(DIV0, "没有数值可平均 / nothing to average")
        return math.fsum(nums) / len(nums)
    sample = kind in ("STDEV", "VAR")
    if len(nums) < (2 if sample else 1):
        raise fail(DIV0, "数值个数不足 / not enough numbers")
    mean = math.fsum(nums) / len(nums)
    var = math.fsum((x - mean) ** 2 for x in nums) / (len(nums) - (1 if sample else 0))
    return math.sqrt(var) if kind.startswith("STDEV") else var


@register("SUMIF", "RSR", 2, 3, handles_errors=True)
def SUMIF(rng: Any, crit: Any, sum_range: Any = MISSING) -> float:
    """SUMIF(range, criteria, [sum_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if sum_range is MISSING else _area_like(sum_range, shape)
    return math.fsum(_selected_numbers(target, selected))


@register("SUMIFS", "R|RS", 3, None, handles_errors=True)
def SUMIFS(target: Any, *pairs: Any) -> float:
    """SUMIFS(sum_range, criteria_range1, criteria1, …)."""
    return math.fsum(_ifs_numbers(target, pairs))


def _decimal15(x: float) -> Decimal:
    return Decimal(f"{x:.15g}")


def _round_with(x: float, digits: int, mode: str) -> float:
    if x == 0:
        return 0.0
    d = _decimal15(x)
    digits = max(-330, min(330, digits))  # beyond a double's range: x itself, or 0
    q = Decimal(1).scaleb(-digits)
    try:
        r = d.quantize(q, rounding=mode)
    except ArithmeticError:
        return x
    return float(r)


@register("ROUND", "SS", 2, 2)
def ROUND(x: Any, digits: Any) -> float:
    """ROUND(number, num_digits): half away from zero on the 15-digit decimal."""
    return _round_with(to_number(x), to_int(digits), ROUND_HALF_UP)


@register("ROUNDUP", "SS", 2, 2)
def ROUNDUP(x: Any, digits: Any) -> float:
    """ROUNDUP(number, num_digits): away from zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_UP)


@register("ROUNDDOWN", "SS", 2, 2)
def ROUNDDOWN(x: Any, digits: Any) -> float:
    """ROUNDDOWN(number, num_digits): toward zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_DOWN)


@register("INT", "S", 1, 1)
def INT(x: Any) -> float:
    """INT(number): rounded down to an integer."""
    return float(math.floor(to_number(x)))


@register("ABS", "S", 1, 1)
def ABS(x: Any) -> float:
    """ABS(number)."""
    return abs(to_number(x))


@register("MOD", "SS", 2, 2)
def MOD(n: Any, d: Any) -> float:
    """MOD(number, divisor): the remainder with the divisor's sign."""
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise fail(DIV0, "MOD 除数为零 / MOD by zero")
    r = a - b * math.floor(a / b)
    if r != 0 and abs(r) < abs(b) * 1e-15:
        r = 0.0
    return r
