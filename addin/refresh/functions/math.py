"""Math and trigonometry: sums, rounding, SUMPRODUCT, SUBTOTAL, SUMIF(S)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import numpy as np

from addin.refresh.functions import volatile
from addin.refresh.functions._core import (
    MISSING,
    Area,
    EngineFunction,
    MultiArea,
    as_array,
    format_general,
    numbers_of,
    op_pow,
    register,
    repeat,
    round15,
    to_int,
    to_number,
    to_text,
)
from addin.refresh.functions.columns import RowArea, Rows, RowValues, is_rows, pure_floats
from addin.refresh.functions.criteria import (
    _area_like,
    _criteria_select,
    _selected_numbers,
    grouped_column,
    grouped_ifs,
)
from addin.refresh.functions.stat import (
    COUNT,
    COUNTA,
    LARGE,
    MEDIAN,
    MODE_SNGL,
    PERCENTILE_EXC,
    PERCENTILE_INC,
    QUARTILE_EXC,
    QUARTILE_INC,
    SMALL,
    _ifs_numbers,
    variance,
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
from udfs.rounding import round_decimal


@register("SUM", WHOLE, repeat(WHOLE), values_only=True)
def SUM(*args: Any) -> float:
    """SUM(number1, …)."""
    return math.fsum(numbers_of(args)) if args else 0.0


def _sumproduct_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    """SUMPRODUCT of references down a block (its arguments the references as
    evaluated for the block: moving ranges, per-row cells, fixed ranges)."""
    if not args:
        return None
    n = bx.n
    mats: list[np.ndarray] = []
    shape: tuple[int, int] | None = None
    for v in args:
        if isinstance(v, RowArea):
            h, w = v.bottom - v.top + 1, v.right - v.left + 1
            big = v.grid.block(v.top, v.left, v.bottom + n - 1, v.right)
            m = big.reshape(n, 1, w) if h == 1 else np.stack([big[i : i + h] for i in range(n)])
        elif isinstance(v, RowValues):
            h, w = 1, 1
            m = v.v.astype(object).reshape(n, 1, 1)
        elif isinstance(v, Area):
            h, w = v.shape
            m = np.broadcast_to(as_array(v)[None, :, :], (n, h, w))
        else:
            return None
        if shape is None:
            shape = (h, w)
        elif shape != (h, w):
            return RowValues(
                np.array(
                    [VALUE.with_message("SUMPRODUCT 各数组大小不同 / arrays differ in size")] * n,
                    dtype=object,
                )
            )
        mats.append(m)
    assert shape is not None
    total = np.ones((n, shape[0] * shape[1]))
    errors: list[Any] = [None] * n
    for m in mats:
        flat = m.reshape(n, -1)
        fast = pure_floats(flat.ravel())
        if fast is not None:
            total = total * fast.reshape(flat.shape)
            continue
        vals = np.zeros(flat.shape)
        for idx, x in np.ndenumerate(flat):
            if x.__class__ is float:
                vals[idx] = x
            elif isinstance(x, ExcelError):
                if errors[idx[0]] is None:
                    errors[idx[0]] = x
            elif isinstance(x, int) and not isinstance(x, bool):
                vals[idx] = x
        total = total * vals
    out = np.empty(n, dtype=object)
    rows = total.tolist()
    for i in range(n):
        out[i] = errors[i] if errors[i] is not None else math.fsum(rows[i])
    return RowValues(out)


@register("SUMPRODUCT", WHOLE, repeat(WHOLE), array_args=True, column=_sumproduct_column)
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
_NESTED = re.compile(r"\b(?:_xlfn\.)?(?:SUBTOTAL|AGGREGATE)\s*\(", re.IGNORECASE)


def _visible(ref: Any, rows: str, nested: bool = True, errors: bool = False) -> Any:
    """The values of ``ref`` that SUBTOTAL/AGGREGATE see: without cells holding
    SUBTOTAL or AGGREGATE themselves (``nested``), without the ``rows`` hidden
    ("filtered": those an AutoFilter hides, "hidden": every hidden row, "": none),
    and without error values (``errors``). Arrays keep their values."""
    if isinstance(ref, MultiArea):
        parts = [_visible(a, rows, nested, errors) for a in ref]
        return np.concatenate([p.reshape(1, -1) for p in parts], axis=1)
    arr = as_array(ref).copy()
    if isinstance(ref, Area):
        g = ref.grid
        skip: frozenset[int] = getattr(g, rows + "_rows", frozenset()) if rows else frozenset()
        formulas = getattr(g, "formulas", {}) if nested else {}
        for (i, j), _v in np.ndenumerate(arr):
            r, c = ref.top + i, ref.left + j
            if r in skip or ((r, c) in formulas and _NESTED.search(formulas[(r, c)].text)):
                arr[i, j] = None
    if errors:
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, ExcelError):
                arr[idx] = None
    return arr


def _aggregate(kind: str, refs: list[Any]) -> float:
    if kind == "COUNT":
        return COUNT(*refs)
    if kind == "COUNTA":
        return COUNTA(*refs)
    nums = numbers_of(tuple(refs))
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
    if kind == "MEDIAN":
        return MEDIAN(*refs)
    if kind == "MODE.SNGL":
        return MODE_SNGL(*refs)
    v = variance(nums, kind in ("STDEV", "VAR"))
    return math.sqrt(v) if kind.startswith("STDEV") else v


@register("SUBTOTAL", PER_ROW, WHOLE, repeat(WHOLE))
def SUBTOTAL(code: Any, *refs: Any) -> float:
    """SUBTOTAL(function_num, ref1, …) for codes 1–11 and 101–111: SUBTOTAL and
    AGGREGATE cells inside the ranges are skipped, so are rows a filter hides
    (the sheet's AutoFilter or a table's, when it filters a column); 101–111
    skip every hidden row, also those hidden by hand. Rows are hidden as the
    file saved them.

    A ref that is an error value (``SUBTOTAL(2,#REF!)`` after its range was
    deleted) is that error, even for COUNT; errors inside the ranges are
    errors for every function but COUNT/COUNTA. An invalid function_num is
    #VALUE!."""
    for r in refs:
        if isinstance(r, ExcelError):
            raise ExcelErrorRaised(r)
    k = to_int(code)
    kind = _SUBTOTAL_KINDS.get(k % 100 if k > 100 else k)
    if kind is None or not (1 <= k <= 11 or 101 <= k <= 111):
        raise fail(VALUE, "SUBTOTAL 的函数编号无效 / invalid function_num")
    rows = "hidden" if k > 100 else "filtered"
    return _aggregate(kind, [_visible(r, rows) for r in refs if r is not MISSING])


_AGGREGATE_KINDS = {**_SUBTOTAL_KINDS, 12: "MEDIAN", 13: "MODE.SNGL", 14: "LARGE", 15: "SMALL",
                    16: "PERCENTILE.INC", 17: "QUARTILE.INC", 18: "PERCENTILE.EXC",
                    19: "QUARTILE.EXC"}  # fmt: skip


@register("AGGREGATE", PER_ROW, PER_ROW, WHOLE, repeat(WHOLE))
def AGGREGATE(code: Any, options: Any, *refs: Any) -> float:
    """AGGREGATE(function_num, options, ref1, …) and AGGREGATE(14–19, options,
    array, k). Options 0–3 skip nested SUBTOTAL/AGGREGATE cells, 4–7 do not;
    1, 3, 5, 7 skip hidden rows; 2, 3, 6, 7 skip error values."""
    k, opt = to_int(code), to_int(options)
    if refs and isinstance(refs[0], ExcelError):  # a deleted reference, not a value to skip
        raise ExcelErrorRaised(refs[0])
    kind = _AGGREGATE_KINDS.get(k)
    if kind is None or not 0 <= opt <= 7:
        raise fail(VALUE, "AGGREGATE 的参数无效 / invalid function_num or options")
    rows = "hidden" if opt in (1, 3, 5, 7) else ""
    nested, errors = opt <= 3, opt in (2, 3, 6, 7)
    if k >= 14:
        if len(refs) != 2:
            raise fail(VALUE, "AGGREGATE 需要 k / AGGREGATE needs k")
        arr = _visible(refs[0], rows, nested, errors)
        kk = refs[1].value() if isinstance(refs[1], Area) else refs[1]
        fn = {"LARGE": LARGE, "SMALL": SMALL, "PERCENTILE.INC": PERCENTILE_INC,
              "QUARTILE.INC": QUARTILE_INC, "PERCENTILE.EXC": PERCENTILE_EXC,
              "QUARTILE.EXC": QUARTILE_EXC}[kind]  # fmt: skip
        return fn(arr, kk)
    return _aggregate(kind, [_visible(r, rows, nested, errors) for r in refs if r is not MISSING])


@register("SUMIF", WHOLE, PER_ROW, WHOLE, min_args=2, handles_errors=True, column=grouped_column, grouped=grouped_ifs)
def SUMIF(rng: Any, crit: Any, sum_range: Any = MISSING) -> float:
    """SUMIF(range, criteria, [sum_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if sum_range is MISSING else _area_like(sum_range, shape)
    return math.fsum(_selected_numbers(target, selected))


@register(
    "SUMIFS",
    WHOLE,
    WHOLE,
    PER_ROW,
    repeat(WHOLE, PER_ROW),
    handles_errors=True,
    column=grouped_column, grouped=grouped_ifs,
)
def SUMIFS(target: Any, *pairs: Any) -> float:
    """SUMIFS(sum_range, criteria_range1, criteria1, …)."""
    return math.fsum(_ifs_numbers(target, pairs))


def _decimal15(x: float) -> Decimal:
    return Decimal(f"{x:.15g}")


def _round_with(x: float, digits: int, mode: str) -> float:
    if x == 0:
        return 0.0
    digits = max(-400, min(400, digits))  # past any float's digits: no change
    d = _decimal15(x)
    digits = max(-330, min(330, digits))  # beyond a double's range: x itself, or 0
    q = Decimal(1).scaleb(-digits)
    try:
        r = d.quantize(q, rounding=mode)
    except ArithmeticError:
        return x
    return float(r)


def _round_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    """ROUND of per-row numbers to a fixed number of digits: numpy, exact
    as the scalar ROUND (:func:`udfs.rounding.round_decimal`)."""
    x, d = args[0], args[1]
    if not isinstance(x, RowValues) or is_rows(d) or not isinstance(d, float):
        return None
    f = x.v if x.v.dtype == np.float64 else None
    if f is None:
        return None
    return RowValues(round_decimal(f, math.trunc(d)) + 0.0)


@register("ROUND", PER_ROW, PER_ROW, column=_round_column)
def ROUND(x: Any, digits: Any) -> float:
    """ROUND(number, num_digits): half away from zero on the 15-digit decimal."""
    return _round_with(to_number(x), to_int(digits), ROUND_HALF_UP)


@register("ROUNDUP", PER_ROW, PER_ROW)
def ROUNDUP(x: Any, digits: Any) -> float:
    """ROUNDUP(number, num_digits): away from zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_UP)


@register("ROUNDDOWN", PER_ROW, PER_ROW)
def ROUNDDOWN(x: Any, digits: Any) -> float:
    """ROUNDDOWN(number, num_digits): toward zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_DOWN)


@register("INT", PER_ROW)
def INT(x: Any) -> float:
    """INT(number): rounded down to an integer."""
    return float(math.floor(to_number(x)))


@register("ABS", PER_ROW)
def ABS(x: Any) -> float:
    """ABS(number)."""
    return abs(to_number(x))


@register("MOD", PER_ROW, PER_ROW)
def MOD(n: Any, d: Any) -> float:
    """MOD(number, divisor): the remainder with the divisor's sign."""
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise fail(DIV0, "MOD 除数为零 / MOD by zero")
    r = a - b * math.floor(a / b)
    if r != 0 and abs(r) < abs(b) * 1e-15:
        r = 0.0
    return r


# ------------------------------------------------------------------ rounding rules


@register("TRUNC", PER_ROW, PER_ROW, min_args=1)
def TRUNC(x: Any, digits: Any = MISSING) -> float:
    """TRUNC(number, [num_digits=0]): toward zero."""
    return _round_with(to_number(x), 0 if digits is MISSING else to_int(digits), ROUND_DOWN)


def _multiple(x: float, sig: float, up: bool) -> float:
    """``x`` rounded to a multiple of ``sig`` (> 0 or < 0) by floor (``up`` False)
    or ceiling of ``x / sig``; the quotient is first cut to 15 digits, so
    FLOOR(0.3, 0.1) is 0.3 as in Excel, not 0.2."""
    q = round15(x / sig)
    k = math.ceil(q) if up else math.floor(q)
    return round15(k * sig)


@register("MROUND", PER_ROW, PER_ROW)
def MROUND(x: Any, m: Any) -> float:
    """MROUND(number, multiple): half away from zero; signs must agree (#NUM!)."""
    a, b = to_number(x), to_number(m)
    if b == 0 or a == 0:
        return 0.0
    if (a > 0) != (b > 0):
        raise fail(NUM, "数值与倍数符号不同 / number and multiple differ in sign")
    q = _round_with(round15(a / b), 0, ROUND_HALF_UP)
    return round15(q * b)


@register("FLOOR", PER_ROW, PER_ROW, min_args=1)
def FLOOR(x: Any, sig: Any = MISSING) -> float:
    """FLOOR(number, significance): down to a multiple; a positive number with a
    negative significance is #NUM!, significance 0 is #DIV/0! (Excel 2010+)."""
    a = to_number(x)
    s = 1.0 if sig is MISSING else to_number(sig)
    if a == 0:
        return 0.0
    if s == 0:
        raise fail(DIV0, "基数为零 / significance is 0")
    if a > 0 and s < 0:
        raise fail(NUM, "正数的基数为负 / negative significance for a positive number")
    return _multiple(a, s, False)


@register("CEILING", PER_ROW, PER_ROW, min_args=1)
def CEILING(x: Any, sig: Any = MISSING) -> float:
    """CEILING(number, significance): up to a multiple (away from zero when both
    are negative); significance 0 gives 0."""
    a = to_number(x)
    s = 1.0 if sig is MISSING else to_number(sig)
    if a == 0 or s == 0:
        return 0.0
    if a > 0 and s < 0:
        raise fail(NUM, "正数的基数为负 / negative significance for a positive number")
    return _multiple(a, s, True)


def _math_round(x: Any, sig: Any, mode: Any, up: bool) -> float:
    a = to_number(x)
    s = 1.0 if sig is MISSING else abs(to_number(sig))
    away = False if mode is MISSING else to_number(mode) != 0
    if a == 0 or s == 0:
        return 0.0
    if a < 0 and away:
        up = not up
    return _multiple(a, s, up)


@register("FLOOR.MATH", PER_ROW, PER_ROW, PER_ROW, min_args=1)
def FLOOR_MATH(x: Any, sig: Any = MISSING, mode: Any = MISSING) -> float:
    """FLOOR.MATH(number, [significance=1], [mode]): toward −∞ (toward zero for a
    negative number when mode is not 0); the sign of significance is ignored."""
    return _math_round(x, sig, mode, False)


@register("CEILING.MATH", PER_ROW, PER_ROW, PER_ROW, min_args=1)
def CEILING_MATH(x: Any, sig: Any = MISSING, mode: Any = MISSING) -> float:
    """CEILING.MATH(number, [significance=1], [mode]): toward +∞ (away from zero
    for a negative number when mode is not 0)."""
    return _math_round(x, sig, mode, True)


@register("FLOOR.PRECISE", PER_ROW, PER_ROW, min_args=1)
def FLOOR_PRECISE(x: Any, sig: Any = MISSING) -> float:
    """FLOOR.PRECISE(number, [significance=1]): toward −∞."""
    return _math_round(x, sig, MISSING, False)


@register("CEILING.PRECISE", PER_ROW, PER_ROW, min_args=1)
def CEILING_PRECISE(x: Any, sig: Any = MISSING) -> float:
    """CEILING.PRECISE(number, [significance=1]): toward +∞."""
    return _math_round(x, sig, MISSING, True)


register("ISO.CEILING", PER_ROW, PER_ROW, min_args=1)(CEILING_PRECISE)


@register("EVEN", PER_ROW)
def EVEN(x: Any) -> float:
    """EVEN(number): away from zero to an even integer."""
    a = to_number(x)
    k = math.ceil(round15(abs(a)) / 2) * 2
    return float(math.copysign(k, a)) if a else 0.0


@register("ODD", PER_ROW)
def ODD(x: Any) -> float:
    """ODD(number): away from zero to an odd integer (ODD(0) is 1)."""
    a = to_number(x)
    k = math.ceil(round15(abs(a)))
    if k % 2 == 0:
        k += 1
    return float(-k if a < 0 else k)


# ------------------------------------------------------------ arithmetic


@register("PRODUCT", WHOLE, repeat(WHOLE))
def PRODUCT(*args: Any) -> float:
    """PRODUCT(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return float(math.prod(nums)) if nums else 0.0


@register("SUMSQ", WHOLE, repeat(WHOLE))
def SUMSQ(*args: Any) -> float:
    """SUMSQ(number1, …)."""
    return math.fsum(x * x for x in numbers_of(args))


@register("SQRT", PER_ROW)
def SQRT(x: Any) -> float:
    """SQRT(number); a negative number is #NUM!."""
    a = to_number(x)
    if a < 0:
        raise fail(NUM, "负数不能开平方 / square root of a negative number")
    return math.sqrt(a)


@register("SQRTPI", PER_ROW)
def SQRTPI(x: Any) -> float:
    """SQRTPI(number): √(number·π)."""
    a = to_number(x)
    if a < 0:
        raise fail(NUM, "负数不能开平方 / square root of a negative number")
    return math.sqrt(a * math.pi)


@register("POWER", PER_ROW, PER_ROW)
def POWER(x: Any, y: Any) -> float:
    """POWER(number, power): as the ^ operator."""
    r = op_pow(to_number(x), to_number(y))
    if not math.isfinite(r):
        raise fail(NUM, "结果溢出 / result overflows")
    return r


@register("SIGN", PER_ROW)
def SIGN(x: Any) -> float:
    """SIGN(number): 1, 0 or -1."""
    a = to_number(x)
    return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)


@register("PI")
def PI() -> float:
    """PI()."""
    return math.pi


@register("EXP", PER_ROW)
def EXP(x: Any) -> float:
    """EXP(number); beyond the largest number is #NUM!."""
    try:
        return math.exp(to_number(x))
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None


def _positive(x: Any) -> float:
    a = to_number(x)
    if a <= 0:
        raise fail(NUM, "对数的参数须为正数 / logarithm of a number not above 0")
    return a


@register("LN", PER_ROW)
def LN(x: Any) -> float:
    """LN(number)."""
    return math.log(_positive(x))


@register("LOG10", PER_ROW)
def LOG10(x: Any) -> float:
    """LOG10(number)."""
    return math.log10(_positive(x))


@register("LOG", PER_ROW, PER_ROW, min_args=1)
def LOG(x: Any, base: Any = MISSING) -> float:
    """LOG(number, [base=10]); base 1 is #DIV/0!."""
    a = _positive(x)
    b = 10.0 if base is MISSING else _positive(base)
    if b == 1:
        raise fail(DIV0, "底数为 1 / base 1")
    return math.log10(a) if b == 10 else math.log(a) / math.log(b)


@register("QUOTIENT", PER_ROW, PER_ROW)
def QUOTIENT(n: Any, d: Any) -> float:
    """QUOTIENT(numerator, denominator): the integer part of the division."""
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise fail(DIV0, "除数为零 / division by zero")
    return float(math.trunc(round15(a / b)))


def _whole_numbers(args: tuple[Any, ...]) -> list[int]:
    out = []
    for x in numbers_of(args):
        if x < 0:
            raise fail(NUM, "参数不能为负 / negative argument")
        out.append(math.trunc(x))
    return out


@register("GCD", WHOLE, repeat(WHOLE))
def GCD(*args: Any) -> float:
    """GCD(number1, …): numbers truncated; a negative one is #NUM!."""
    return float(math.gcd(*_whole_numbers(args)))


@register("LCM", WHOLE, repeat(WHOLE))
def LCM(*args: Any) -> float:
    """LCM(number1, …): numbers truncated; a negative one is #NUM!."""
    nums = _whole_numbers(args)
    return 0.0 if 0 in nums else float(math.lcm(*nums))


@register("FACT", PER_ROW)
def FACT(x: Any) -> float:
    """FACT(number): number truncated; negative is #NUM!."""
    a = to_number(x)
    if a < 0 or a > 170:
        raise fail(NUM, "FACT 参数超出范围 / FACT argument out of range")
    return float(math.factorial(math.trunc(a)))


@register("COMBIN", PER_ROW, PER_ROW)
def COMBIN(n: Any, k: Any) -> float:
    """COMBIN(number, number_chosen): both truncated."""
    a, b = math.trunc(to_number(n)), math.trunc(to_number(k))
    if a < 0 or b < 0 or b > a:
        raise fail(NUM, "COMBIN 参数超出范围 / COMBIN arguments out of range")
    k = min(b, a - b)
    # k·ln(a) − ln(k!) bounds ln C(a, k) from above: beyond a float, #NUM!
    if k and k * math.log(a) - math.lgamma(k + 1) > 710:
        raise fail(NUM, "结果溢出 / result overflows")
    try:
        return float(math.comb(a, k))
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None


#: Excel computes the sine, cosine and tangent only of angles below 2^27 in
#: magnitude (134,217,728 radians): past it the reduction modulo 2π has lost the
#: angle, and SIN, COS, TAN, COT, CSC, SEC answer #NUM! (Microsoft's COT/CSC/SEC
#: pages: "|number| < 2^27"; Excel answers SIN and COS the same way).
TRIG_LIMIT = 2.0**27


def _angle(a: float) -> bool:
    return abs(a) < TRIG_LIMIT


def _trig(name: str, fn: Callable[[float], float], domain: Callable[[float], bool] | None = None) -> None:
    def impl(x: Any) -> float:
        a = to_number(x)
        if domain is not None and not domain(a):
            raise fail(NUM, f"{name} 参数超出定义域 / {name} argument out of range")
        try:
            return fn(a)
        except (OverflowError, ValueError):
            raise fail(NUM, f"{name} 结果溢出 / {name} overflows") from None

    impl.__doc__ = (
        f"{name}(number): a blank is 0, a text number converts, other text and an "
        f"error argument give #VALUE!/the error; an array is applied element by element; "
        f"outside the domain (SIN/COS/TAN: |number| ≥ 2^27) or past ±1E308, #NUM!."
    )
    register(name, PER_ROW)(impl)


for _name, _fn, _dom in (
    ("SIN", math.sin, _angle),
    ("COS", math.cos, _angle),
    ("TAN", math.tan, _angle),
    ("ASIN", math.asin, lambda a: -1 <= a <= 1),
    ("ACOS", math.acos, lambda a: -1 <= a <= 1),
    ("ATAN", math.atan, None),
    ("SINH", math.sinh, None),
    ("COSH", math.cosh, None),
    ("TANH", math.tanh, None),
    ("ASINH", math.asinh, None),
    ("ACOSH", math.acosh, lambda a: a >= 1),
    ("ATANH", math.atanh, lambda a: -1 < a < 1),
    ("DEGREES", math.degrees, None),
    ("RADIANS", math.radians, None),
):
    _trig(_name, _fn, _dom)


@register("ATAN2", PER_ROW, PER_ROW)
def ATAN2(x: Any, y: Any) -> float:
    """ATAN2(x_num, y_num): the angle of the point (x, y); (0, 0) is #DIV/0!."""
    a, b = to_number(x), to_number(y)
    if a == 0 and b == 0:
        raise fail(DIV0, "ATAN2(0,0)")
    return math.atan2(b, a)


@register("RAND")
def RAND() -> float:
    """RAND(): from the refresh's random generator (``--seed`` fixes it)."""
    return volatile.rng().random()


@register("RANDBETWEEN", PER_ROW, PER_ROW)
def RANDBETWEEN(lo: Any, hi: Any) -> float:
    """RANDBETWEEN(bottom, top): bottom rounded up, top rounded down."""
    a, b = math.ceil(to_number(lo)), math.floor(to_number(hi))
    if a > b:
        raise fail(NUM, "下限大于上限 / bottom is above top")
    return float(volatile.rng().randint(a, b))


@register("ERF", PER_ROW, PER_ROW, min_args=1)
def ERF(lower: Any, upper: Any = MISSING) -> float:
    """ERF(lower_limit, [upper_limit]): the error function, between the limits when two."""
    a = to_number(lower)
    if upper is MISSING:
        return math.erf(a)
    return math.erf(to_number(upper)) - math.erf(a)


@register("ERF.PRECISE", PER_ROW)
def ERF_PRECISE(x: Any) -> float:
    """ERF.PRECISE(x)."""
    return math.erf(to_number(x))


@register("ERFC", PER_ROW)
def ERFC(x: Any) -> float:
    """ERFC(x): 1 − ERF(x)."""
    return math.erfc(to_number(x))


register("ERFC.PRECISE", PER_ROW)(ERFC)


def _from_base(v: Any, base: int, bits: int) -> float:
    t = to_text(v).strip().upper() if not isinstance(v, float) else format_general(v)
    if len(t) > 10 or not t or any(ch not in "0123456789ABCDEF"[:base] for ch in t):
        raise fail(NUM, "不是有效的数字 / not a valid number in that base")
    n = int(t, base)
    if len(t) == 10 and n >= base**10 // 2:
        n -= base**10  # ten digits: two's complement
    return float(n)


def _to_base(v: Any, places: Any, base: int, lo: float, hi: float) -> str:
    n = math.trunc(to_number(v))
    if not lo <= n <= hi:
        raise fail(NUM, "数值超出范围 / number out of range")
    if n < 0:
        n += base**10
        return np.base_repr(n, base)
    text = np.base_repr(n, base)
    if places is not MISSING:
        p = math.trunc(to_number(places))
        if p < len(text) or p > 10:
            raise fail(NUM, "places 太小 / places too small")
        text = text.rjust(p, "0")
    return text


for _nm, _b in (("HEX2DEC", 16), ("BIN2DEC", 2), ("OCT2DEC", 8)):
    register(_nm, PER_ROW)(
        lambda v, _b=_b: _from_base(v, _b, 10)
    )
for _nm, _b, _lo, _hi in (("DEC2HEX", 16, -(2**39), 2**39 - 1), ("DEC2BIN", 2, -512, 511),
                          ("DEC2OCT", 8, -(2**29), 2**29 - 1)):  # fmt: skip
    register(_nm, PER_ROW, PER_ROW, min_args=1)(
        lambda v, places=MISSING, _b=_b, _lo=_lo, _hi=_hi: _to_base(v, places, _b, _lo, _hi)
    )


# ---------------------------------------------------------------- more of Excel's
# math and engineering functions, by Microsoft's function reference


@register("FACTDOUBLE", PER_ROW)
def FACTDOUBLE(n: Any) -> float:
    """FACTDOUBLE(number): n·(n−2)·(n−4)…, the number truncated; 0 gives 1,
    a negative number #NUM! (Microsoft's reference); past a float #NUM!."""
    k = math.trunc(to_number(n))
    if k < 0:
        raise fail(NUM, "FACTDOUBLE 的参数为负 / FACTDOUBLE of a negative number")
    out = 1.0
    for i in range(k, 1, -2):
        out *= i
        if math.isinf(out):
            raise fail(NUM, "结果溢出 / result overflows")
    return out


@register("GAMMALN", PER_ROW)
def GAMMALN(x: Any) -> float:
    """GAMMALN(x): ln Γ(x); x ≤ 0 is #NUM!."""
    v = to_number(x)
    if v <= 0:
        raise fail(NUM, "GAMMALN 的参数须为正 / GAMMALN needs x above 0")
    return math.lgamma(v)


register("GAMMALN.PRECISE", PER_ROW)(GAMMALN)


@register("GAMMA", PER_ROW)
def GAMMA(x: Any) -> float:
    """GAMMA(x): Γ(x); 0 and the negative integers are #NUM!, as is a result
    past a float."""
    v = to_number(x)
    if v <= 0 and v == math.floor(v):
        raise fail(NUM, "GAMMA 在 0 与负整数处无定义 / GAMMA of 0 or a negative integer")
    try:
        return math.gamma(v)
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None


@register("MULTINOMIAL", WHOLE, repeat(WHOLE), values_only=True)
def MULTINOMIAL(*args: Any) -> float:
    """MULTINOMIAL(number1, …): (Σn)! / Πn!, each number truncated; a
    negative one #NUM!, a text or logical #VALUE! (blanks are skipped)."""
    ks: list[int] = []
    for a in args:
        for v in as_array(a).ravel() if isinstance(a, Area | np.ndarray) else [a]:
            if v is None or v is MISSING:
                continue
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if isinstance(v, bool) or (isinstance(v, str) and isinstance(a, Area | np.ndarray)):
                raise fail(VALUE, "MULTINOMIAL 需要数值 / MULTINOMIAL needs numbers")
            k = math.trunc(to_number(v))
            if k < 0:
                raise fail(NUM, "MULTINOMIAL 的参数为负 / MULTINOMIAL of a negative number")
            ks.append(k)
    total = sum(ks)
    if total > 170:
        raise fail(NUM, "结果溢出 / result overflows")
    out = math.factorial(total)
    for k in ks:
        out //= math.factorial(k)
    return float(out)


@register("PERMUT", PER_ROW, PER_ROW)
def PERMUT(n: Any, k: Any) -> float:
    """PERMUT(number, number_chosen): n!/(n−k)!, both truncated; n ≤ 0, k < 0 or
    k > n #NUM!."""
    a, b = math.trunc(to_number(n)), math.trunc(to_number(k))
    if a <= 0 or b < 0 or b > a:
        raise fail(NUM, "PERMUT 参数超出范围 / PERMUT arguments out of range")
    if b * math.log(a) > 710:
        raise fail(NUM, "结果溢出 / result overflows")
    return float(math.perm(a, b))


@register("PERMUTATIONA", PER_ROW, PER_ROW)
def PERMUTATIONA(n: Any, k: Any) -> float:
    """PERMUTATIONA(number, number_chosen): n^k with repetition, both truncated;
    a negative one #NUM!."""
    a, b = math.trunc(to_number(n)), math.trunc(to_number(k))
    if a < 0 or b < 0:
        raise fail(NUM, "PERMUTATIONA 参数为负 / PERMUTATIONA of a negative number")
    try:
        return float(a) ** b
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None


@register("SERIESSUM", PER_ROW, PER_ROW, PER_ROW, WHOLE)
def SERIESSUM(x: Any, n: Any, m: Any, coefficients: Any) -> float:
    """SERIESSUM(x, n, m, coefficients): Σ aᵢ·x^(n+i·m) over the coefficients
    in order; a coefficient that is not a number is #VALUE!."""
    xv, nv, mv = to_number(x), to_number(n), to_number(m)
    total = []
    for i, a in enumerate(as_array(coefficients).ravel()):
        if isinstance(a, ExcelError):
            raise ExcelErrorRaised(a)
        if not isinstance(a, float | int) or isinstance(a, bool):
            raise fail(VALUE, "系数须为数值 / coefficients must be numbers")
        total.append(a * op_pow(xv, nv + i * mv))
    return math.fsum(total)


@register("DELTA", PER_ROW, PER_ROW, min_args=1)
def DELTA(a: Any, b: Any = MISSING) -> float:
    """DELTA(number1, [number2=0]): 1 when equal, else 0; text is #VALUE!."""
    return 1.0 if to_number(a) == (0.0 if b is MISSING else to_number(b)) else 0.0


@register("GESTEP", PER_ROW, PER_ROW, min_args=1)
def GESTEP(n: Any, step: Any = MISSING) -> float:
    """GESTEP(number, [step=0]): 1 when the number is at least the step, else 0."""
    return 1.0 if to_number(n) >= (0.0 if step is MISSING else to_number(step)) else 0.0


_ROMAN = (("M", 1000), ("D", 500), ("C", 100), ("L", 50), ("X", 10), ("V", 5), ("I", 1))


@register("ROMAN", PER_ROW, PER_ROW, min_args=1)
def ROMAN(n: Any, form: Any = MISSING) -> str:
    """ROMAN(number, [form=0]): the number (truncated, 0–3999; 0 is "") in
    Roman numerals. Form 0 (or TRUE) is classic (499 is CDXCIX); forms 1–4
    (FALSE is 4) are ever more concise: a subtraction may reach one more
    order further each form (499: LDVLIV, XDIX, VDIV, ID), as Excel and
    LibreOffice write them."""
    v = math.trunc(to_number(n))
    if form is MISSING or form is True:
        mode = 0
    elif form is False:
        mode = 4
    else:
        mode = math.trunc(to_number(form))
    if not 0 <= v <= 3999 or not 0 <= mode <= 4:
        raise fail(VALUE, "ROMAN 参数超出范围 / ROMAN arguments out of range")
    chars = [c for c, _ in _ROMAN]
    values = [x for _, x in _ROMAN]
    out: list[str] = []
    last = len(values) - 1
    for i in range(last // 2 + 1):
        index = 2 * i
        digit = v // values[index]
        if digit % 5 == 4:
            index2 = index - 1 if digit == 4 else index - 2
            steps = 0
            while steps < mode and index < last:
                steps += 1
                if values[index2] - values[index + 1] <= v:
                    index += 1
                else:
                    steps = mode
            out.append(chars[index] + chars[index2])
            v += values[index] - values[index2]
        else:
            if digit > 4:
                out.append(chars[index - 1])
            out.append(chars[index] * (digit % 5))
            v %= values[index]
    return "".join(out)


_ROMAN_VALUE = dict(_ROMAN)


@register("ARABIC", PER_ROW)
def ARABIC(text: Any) -> float:
    """ARABIC(text): a Roman numeral's value (any case, surrounding spaces
    ignored, a leading minus negates; "" is 0); any other text is #VALUE!."""
    t = to_text(text).strip().upper()
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.removeprefix("-")
    if len(t) > 255 or any(ch not in _ROMAN_VALUE for ch in t):
        raise fail(VALUE, "不是罗马数字 / not a Roman numeral")
    total = 0
    for i, ch in enumerate(t):
        x = _ROMAN_VALUE[ch]
        total += -x if i + 1 < len(t) and _ROMAN_VALUE[t[i + 1]] > x else x
    return sign * total


@register("BASE", PER_ROW, PER_ROW, PER_ROW, min_args=2)
def BASE(n: Any, radix: Any, min_length: Any = MISSING) -> str:
    """BASE(number, radix, [min_length]): the number (truncated, 0 to 2^53) in
    base 2–36, padded with zeros to min_length (at most 255)."""
    v, r = math.trunc(to_number(n)), math.trunc(to_number(radix))
    width = 0 if min_length is MISSING else math.trunc(to_number(min_length))
    if not 0 <= v < 2**53 or not 2 <= r <= 36 or not 0 <= width <= 255:
        raise fail(NUM, "BASE 参数超出范围 / BASE arguments out of range")
    return np.base_repr(v, r).rjust(width, "0")


@register("DECIMAL", PER_ROW, PER_ROW)
def DECIMAL(text: Any, radix: Any) -> float:
    """DECIMAL(text, radix): a number written in base 2–36 (any case, at most
    255 characters); a digit outside the base is #NUM!."""
    t, r = to_text(text).strip(), math.trunc(to_number(radix))
    if not 2 <= r <= 36:
        raise fail(NUM, "radix 超出范围 / radix out of range")
    if len(t) > 255:
        raise fail(VALUE, "文本过长 / text too long")
    try:
        return float(int(t, r)) if t else 0.0
    except ValueError:
        raise fail(NUM, "不是该进制的数 / not a number in that base") from None


for _nm, _fb, _tb, _lo, _hi in (
    ("BIN2HEX", 2, 16, -(2**39), 2**39 - 1), ("BIN2OCT", 2, 8, -(2**29), 2**29 - 1),
    ("HEX2BIN", 16, 2, -512, 511), ("HEX2OCT", 16, 8, -(2**29), 2**29 - 1),
    ("OCT2BIN", 8, 2, -512, 511), ("OCT2HEX", 8, 16, -(2**39), 2**39 - 1),
):  # fmt: skip
    register(_nm, PER_ROW, PER_ROW, min_args=1)(
        lambda v, places=MISSING, _fb=_fb, _tb=_tb, _lo=_lo, _hi=_hi: _to_base(
            _from_base(v, _fb, 10), places, _tb, _lo, _hi
        )
    )


def _bits(v: Any) -> int:
    x = to_number(v)
    if x < 0 or x != math.floor(x) or x >= 2**48:
        raise fail(NUM, "须为 0 到 2^48 的整数 / must be a whole number from 0 to 2^48")
    return int(x)


@register("BITAND", PER_ROW, PER_ROW)
def BITAND(a: Any, b: Any) -> float:
    """BITAND(number1, number2): both whole numbers from 0 to 2^48 − 1, else #NUM!."""
    return float(_bits(a) & _bits(b))


@register("BITOR", PER_ROW, PER_ROW)
def BITOR(a: Any, b: Any) -> float:
    """BITOR(number1, number2)."""
    return float(_bits(a) | _bits(b))


@register("BITXOR", PER_ROW, PER_ROW)
def BITXOR(a: Any, b: Any) -> float:
    """BITXOR(number1, number2)."""
    return float(_bits(a) ^ _bits(b))


def _shift(a: Any, n: Any, left: bool) -> float:
    v, k = _bits(a), math.trunc(to_number(n))
    if abs(k) > 53:
        raise fail(NUM, "移位超过 53 / shift beyond 53")
    k = k if left else -k
    out = v << k if k >= 0 else v >> -k
    if out >= 2**48:
        raise fail(NUM, "结果超过 2^48 / result beyond 2^48")
    return float(out)


@register("BITLSHIFT", PER_ROW, PER_ROW)
def BITLSHIFT(a: Any, n: Any) -> float:
    """BITLSHIFT(number, shift_amount): a negative shift goes right."""
    return _shift(a, n, True)


@register("BITRSHIFT", PER_ROW, PER_ROW)
def BITRSHIFT(a: Any, n: Any) -> float:
    """BITRSHIFT(number, shift_amount): a negative shift goes left."""
    return _shift(a, n, False)


def _pairs(xs: Any, ys: Any) -> list[tuple[float, float]]:
    """SUMX2MY2 and its kin: the two arrays element by element (different
    sizes #N/A), pairs where either is not a number skipped."""
    a, b = as_array(xs), as_array(ys)
    if a.size != b.size:
        raise fail(NA, "两个数组大小不同 / the arrays differ in size")
    out = []
    for x, y in zip(a.ravel(), b.ravel(), strict=True):
        for v in (x, y):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
        if isinstance(x, float | int) and isinstance(y, float | int) and not (
            isinstance(x, bool) or isinstance(y, bool)
        ):
            out.append((float(x), float(y)))
    return out


@register("SUMX2MY2", WHOLE, WHOLE, values_only=True)
def SUMX2MY2(xs: Any, ys: Any) -> float:
    """SUMX2MY2(array_x, array_y): Σ(x² − y²)."""
    return math.fsum(x * x - y * y for x, y in _pairs(xs, ys))


@register("SUMX2PY2", WHOLE, WHOLE, values_only=True)
def SUMX2PY2(xs: Any, ys: Any) -> float:
    """SUMX2PY2(array_x, array_y): Σ(x² + y²)."""
    return math.fsum(x * x + y * y for x, y in _pairs(xs, ys))


@register("SUMXMY2", WHOLE, WHOLE, values_only=True)
def SUMXMY2(xs: Any, ys: Any) -> float:
    """SUMXMY2(array_x, array_y): Σ(x − y)²."""
    return math.fsum((x - y) * (x - y) for x, y in _pairs(xs, ys))
