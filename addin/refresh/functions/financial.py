"""Financial basics: PV, FV, PMT, IPMT, PPMT, NPER, RATE, NPV, IRR, XNPV, XIRR.

The annuity functions share one equation (Excel's documented one):
``pv·(1+r)^n + pmt·(1 + r·type)·((1+r)^n − 1)/r + fv = 0`` (``r = 0``:
``pv + pmt·n + fv = 0``). RATE, IRR and XIRR solve theirs by Newton's method
from the guess, as Excel does, and give #NUM! when it does not converge in
Excel's 20 (RATE) or 100 (IRR, XIRR) steps.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from typing import Any

from addin.refresh.functions._core import (
    MISSING,
    as_array,
    date_serial,
    numbers_of,
    register,
    repeat,
    serial_date,
    to_number,
)
from addin.registry import PER_ROW, WHOLE
from udfs.errors import DIV0, NUM, VALUE, ExcelError, ExcelErrorRaised, fail

#: DB, VDB, CUMIPMT and CUMPRINC step period by period: beyond this many the
#: answer is #NUM! (an engine limit, far past any real schedule; Excel computes on)
MAX_PERIODS = 100_000


def _periods(n: float) -> None:
    if n > MAX_PERIODS:
        raise fail(NUM, f"期数超过 {MAX_PERIODS} / more than {MAX_PERIODS} periods")


def _opt(v: Any, default: float = 0.0) -> float:
    return default if v is MISSING or v is None else to_number(v)


def _type(v: Any) -> float:
    return 0.0 if v is MISSING or v is None or to_number(v) == 0 else 1.0


def _grow(r: float, n: float) -> float:
    try:
        g = (1 + r) ** n
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None
    except ZeroDivisionError:
        raise fail(DIV0, "零的负数次幂 / zero to a negative power") from None
    return _checked(g)


def _discount(v: float, r: float, t: float) -> float:
    """``v / (1 + r)^t``; a negative base with a fractional power is #NUM!."""
    if 1 + r == 0:
        raise fail(DIV0, "rate 为 -1 / rate is -1")
    if 1 + r < 0 and t != int(t):
        raise fail(NUM, "rate 小于 -1 / rate below -1")
    try:
        return v / (1 + r) ** t
    except (OverflowError, ZeroDivisionError):
        raise fail(NUM, "结果溢出 / result overflows") from None


def _checked(x: float | complex) -> float:
    if isinstance(x, complex) or not math.isfinite(x):
        raise fail(NUM, "结果无效 / no valid result")
    return float(x)


def fv_of(r: float, n: float, pmt: float, pv: float, t: float) -> float:
    """The future value of the annuity."""
    if r == 0:
        return -(pv + pmt * n)
    g = _grow(r, n)
    return _checked(-(pv * g + pmt * (1 + r * t) * (g - 1) / r))


def pmt_of(r: float, n: float, pv: float, fv: float, t: float) -> float:
    """The payment of the annuity."""
    if n == 0:
        raise fail(NUM, "期数为零 / nper is 0")
    if r == 0:
        return -(pv + fv) / n
    if r <= -1:
        raise fail(NUM, "rate 不大于 -1 / rate is -1 or below")
    g = _grow(r, n)
    den = (1 + r * t) * (g - 1)
    if den == 0:
        raise fail(NUM, "无解 / no solution")
    return _checked(-(fv + pv * g) * r / den)


@register("PV", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def PV(rate: Any, nper: Any, pmt: Any, fv: Any = MISSING, kind: Any = MISSING) -> float:
    """PV(rate, nper, pmt, [fv=0], [type=0])."""
    r, n, p, f, t = to_number(rate), to_number(nper), to_number(pmt), _opt(fv), _type(kind)
    if r == 0:
        return -(p * n + f)
    if r == -1:
        raise fail(DIV0, "rate 为 -1 / rate is -1")
    g = _grow(r, n)
    return _checked(-(f + p * (1 + r * t) * (g - 1) / r) / g)


@register("FV", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def FV(rate: Any, nper: Any, pmt: Any, pv: Any = MISSING, kind: Any = MISSING) -> float:
    """FV(rate, nper, pmt, [pv=0], [type=0])."""
    return fv_of(to_number(rate), to_number(nper), to_number(pmt), _opt(pv), _type(kind))


@register("PMT", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def PMT(rate: Any, nper: Any, pv: Any, fv: Any = MISSING, kind: Any = MISSING) -> float:
    """PMT(rate, nper, pv, [fv=0], [type=0])."""
    return pmt_of(to_number(rate), to_number(nper), to_number(pv), _opt(fv), _type(kind))


def _ipmt(r: float, per: float, n: float, pv: float, fv: float, t: float) -> float:
    if per < 1 or per >= n + 1:
        raise fail(NUM, "期次超出范围 / per out of range")
    pmt = pmt_of(r, n, pv, fv, t)
    if t == 1 and per == 1:
        return 0.0
    ip = fv_of(r, per - 1, pmt, pv, t) * r
    return ip / (1 + r) if t == 1 else ip


@register("IPMT", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=4)
def IPMT(rate: Any, per: Any, nper: Any, pv: Any, fv: Any = MISSING, kind: Any = MISSING) -> float:
    """IPMT(rate, per, nper, pv, [fv=0], [type=0]): the interest part of a payment."""
    return _ipmt(to_number(rate), to_number(per), to_number(nper), to_number(pv), _opt(fv),
                 _type(kind))  # fmt: skip


@register("PPMT", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=4)
def PPMT(rate: Any, per: Any, nper: Any, pv: Any, fv: Any = MISSING, kind: Any = MISSING) -> float:
    """PPMT(rate, per, nper, pv, [fv=0], [type=0]): the principal part of a payment."""
    r, p, n, v, f, t = (to_number(rate), to_number(per), to_number(nper), to_number(pv), _opt(fv),
                        _type(kind))  # fmt: skip
    return pmt_of(r, n, v, f, t) - _ipmt(r, p, n, v, f, t)


@register("NPER", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def NPER(rate: Any, pmt: Any, pv: Any, fv: Any = MISSING, kind: Any = MISSING) -> float:
    """NPER(rate, pmt, pv, [fv=0], [type=0])."""
    r, p, v, f, t = to_number(rate), to_number(pmt), to_number(pv), _opt(fv), _type(kind)
    if r == 0:
        if p == 0:
            raise fail(NUM, "付款额为零 / pmt is 0")
        return -(v + f) / p
    num, den = p * (1 + r * t) - f * r, p * (1 + r * t) + v * r
    if den == 0 or num / den <= 0 or r <= -1:
        raise fail(NUM, "无解 / no solution")
    return math.log(num / den) / math.log(1 + r)


def _newton(f: Callable[[float], float], guess: float, steps: int) -> float:
    """A rate solving ``f`` by Newton's method with a numeric derivative, from
    the guess. Rates live above −1 (the pole of every discount factor): a step
    that would cross it goes half-way to it instead, so negative rates are
    reached rather than lost to an invalid power. Steps that merely shrink
    while creeping toward −1 are no root: the answer must also bring ``f``
    near zero against its size at the guess (else #NUM!, as Excel)."""
    x = guess
    scale = None
    for _ in range(steps):
        try:
            y = f(x)
            h = 1e-7 * max(1.0, abs(x))
            d = (f(x + h) - y) / h
        except (OverflowError, ZeroDivisionError, ExcelErrorRaised):
            break
        if scale is None:
            scale = max(abs(y), 1.0)
        if d == 0 or not math.isfinite(d):
            break
        nx = x - y / d
        if nx <= -1 < x:
            nx = (x - 1.0) / 2.0
        if abs(nx - x) < 1e-10 * max(1.0, abs(x)):
            if _settled(f, nx, scale or 1.0):
                return nx
            break
        x = nx
    raise fail(NUM, "迭代未收敛 / the iteration does not converge")


def _settled(f: Callable[[float], float], x: float, scale: float) -> bool:
    """Whether ``f(x)`` is zero to within 1e-6 of ``f``'s size at the guess."""
    try:
        y = f(x)
    except (OverflowError, ZeroDivisionError, ExcelErrorRaised):
        return False
    return math.isfinite(y) and abs(y) <= 1e-6 * scale


@register("RATE", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def RATE(nper: Any, pmt: Any, pv: Any, fv: Any = MISSING, kind: Any = MISSING,
         guess: Any = MISSING) -> float:  # fmt: skip
    """RATE(nper, pmt, pv, [fv=0], [type=0], [guess=0.1])."""
    n, p, v, f, t = to_number(nper), to_number(pmt), to_number(pv), _opt(fv), _type(kind)

    def eq(r: float) -> float:
        if r == 0:
            return v + p * n + f
        g = _grow(r, n)
        return v * g + p * (1 + r * t) * (g - 1) / r + f

    return _newton(eq, _opt(guess, 0.1), 20)


def _cash_flows(values: Any) -> list[float]:
    out = []
    for v in as_array(values).ravel():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


@register("NPV", PER_ROW, WHOLE, repeat(WHOLE))
def NPV(rate: Any, *values: Any) -> float:
    """NPV(rate, value1, …): the first value one period from now."""
    r = to_number(rate)
    if r == -1:
        raise fail(VALUE, "rate 为 -1 / rate is -1")
    return math.fsum(_discount(v, r, i + 1) for i, v in enumerate(numbers_of(values)))


#: IRR's polynomial fallback is tried up to this many cash flows (numpy's
#: companion-matrix roots cost the cube of the count).
IRR_ROOTS_LIMIT = 400


def _irr_newton(flows: list[float], guess: float) -> float | None:
    """Newton's method on NPV(r) = Σ vᵢ·(1+r)^−i with its exact derivative,
    from the guess, as Excel iterates; a step that would cross r = −1 (where
    the flows' value has its pole) goes half-way to it instead, so negative
    rates (−0.449, −0.8) are reached. ``None`` if it does not converge."""
    r = guess
    for _ in range(100):
        x = 1.0 / (1.0 + r)
        f = df = 0.0
        xi = 1.0
        try:
            for i, v in enumerate(flows):  # Horner would lose the exponents' order of sums
                f += v * xi
                df -= i * v * xi * x
                xi *= x
        except OverflowError:
            return None
        if df == 0 or not (math.isfinite(f) and math.isfinite(df)):
            return None
        nr = r - f / df
        if nr <= -1:
            nr = (r - 1.0) / 2.0
        if abs(nr - r) <= 1e-12 * max(1.0, abs(r)):
            return nr
        r = nr
    return None


def _irr_roots(flows: list[float], guess: float) -> float | None:
    """The real rate nearest the guess among the roots of Σ vᵢ·xⁱ = 0 with
    x = 1/(1+r) > 0 (numpy's polynomial roots), polished by Newton."""
    import numpy as np

    if len(flows) > IRR_ROOTS_LIMIT:
        return None
    coeffs = list(reversed(flows))
    while coeffs and coeffs[0] == 0:
        coeffs.pop(0)
    if len(coeffs) < 2:
        return None
    roots = np.roots(coeffs)
    real = [z.real for z in roots if abs(z.imag) <= 1e-9 * max(1.0, abs(z)) and z.real > 0]
    rates = sorted((1.0 / x - 1.0 for x in real), key=lambda r: abs(r - guess))
    for r in rates:
        polished = _irr_newton(flows, r)
        if polished is not None:
            return polished
    return None


@register("IRR", WHOLE, PER_ROW, min_args=1)
def IRR(values: Any, guess: Any = MISSING) -> float:
    """IRR(values, [guess=0.1]): the rate r with Σ vᵢ/(1+r)^i = 0 (i from 0).

    Newton's method from the guess with the exact derivative, as Excel
    iterates; where it does not converge, the real root of the flows'
    polynomial nearest the guess (Excel finds the negative rates −0.449 and
    −0.8 of flows that lose money). Numbers in the range or array only: text,
    logicals and blanks there are skipped; an error in it is that error; a
    guess that is text, blank (0.1) or an error as usual. Needs a positive and
    a negative flow (#NUM!); no rate above −1 found: #NUM!."""
    flows = _cash_flows(values)
    if not (any(v > 0 for v in flows) and any(v < 0 for v in flows)):
        raise fail(NUM, "须有正负现金流 / needs a positive and a negative value")
    g = _opt(guess, 0.1)
    if g <= -1:
        raise fail(NUM, "guess 不大于 -1 / guess is -1 or below")
    r = _irr_newton(flows, g)
    if r is None:
        r = _irr_roots(flows, g)
    if r is None or not math.isfinite(r):
        raise fail(NUM, "迭代未收敛 / the iteration does not converge")
    return r


def _dated(values: Any, dates: Any, blank_ok: bool) -> tuple[list[float], list[float]]:
    """XNPV/XIRR's cash flows and their days after the first date. Excel's
    checks (ironcalc XIRR.xlsx row 7–11): a blank value is #NUM! for XNPV and
    skipped by XIRR, TRUE/FALSE or text is #NUM! (XNPV) or #VALUE! (XIRR), a
    negative date #NUM!."""
    raw, when = as_array(values).ravel(), as_array(dates).ravel()
    if len(raw) != len(when):
        raise fail(NUM, "values 与 dates 个数不同 / values and dates differ in count")
    vals, days = [], []
    for v, d in zip(raw, when, strict=True):
        v, d = (None if v is MISSING else v), (None if d is MISSING else d)
        for x in (v, d):
            if isinstance(x, ExcelError):
                raise ExcelErrorRaised(x)
        if v is None and blank_ok:
            continue
        if v is None or isinstance(v, bool | str):
            raise fail(VALUE if blank_ok else NUM, "现金流须为数值 / cash flows must be numbers")
        if d is None or isinstance(d, bool | str):
            raise fail(VALUE, "日期须为数值 / dates must be numbers")
        if d < 0:
            raise fail(NUM, "日期为负 / negative date")
        vals.append(float(v))
        days.append(float(math.trunc(d)))
    if not days or any(d < days[0] for d in days):
        raise fail(NUM, "日期早于首日 / a date before the first")
    return vals, [d - days[0] for d in days]


@register("XNPV", PER_ROW, WHOLE, WHOLE)
def XNPV(rate: Any, values: Any, dates: Any) -> float:
    """XNPV(rate, values, dates): discounted by (1 + rate)^(days/365)."""
    r = to_number(rate)
    if r < 0:
        raise fail(NUM, "rate 为负 / negative rate (ironcalc XIRR.xlsx!Q13)")
    vals, days = _dated(values, dates, False)
    return math.fsum(_discount(v, r, d / 365) for v, d in zip(vals, days, strict=True))


@register("XIRR", WHOLE, WHOLE, PER_ROW, min_args=2)
def XIRR(values: Any, dates: Any, guess: Any = MISSING) -> float:
    """XIRR(values, dates, [guess=0.1])."""
    vals, days = _dated(values, dates, True)
    if not (any(v > 0 for v in vals) and any(v < 0 for v in vals)):
        raise fail(NUM, "须有正负现金流 / needs a positive and a negative value")
    return _newton(lambda r: math.fsum(_discount(v, r, d / 365)
                                       for v, d in zip(vals, days, strict=True)),
                   _opt(guess, 0.1), 100)  # fmt: skip


@register("MIRR", WHOLE, PER_ROW, PER_ROW)
def MIRR(values: Any, finance_rate: Any, reinvest_rate: Any) -> float:
    """MIRR(values, finance_rate, reinvest_rate): negative flows discounted at the
    finance rate, positive ones compounded at the reinvestment rate."""
    flows = _cash_flows(values)
    fr, rr = to_number(finance_rate), to_number(reinvest_rate)
    n = len(flows)
    pos = math.fsum(v * (1 + rr) ** (n - 1 - i) for i, v in enumerate(flows) if v > 0)
    neg = math.fsum(v / (1 + fr) ** i for i, v in enumerate(flows) if v < 0)
    if neg == 0:
        raise fail(DIV0, "没有负现金流 / no negative value")
    if pos == 0:
        return -1.0  # only outflows: everything is lost
    return _checked((-pos / neg) ** (1 / (n - 1)) - 1)


@register("SLN", PER_ROW, PER_ROW, PER_ROW)
def SLN(cost: Any, salvage: Any, life: Any) -> float:
    """SLN(cost, salvage, life): straight-line depreciation per period."""
    n = to_number(life)
    if n == 0:
        raise fail(DIV0, "life 为零 / life is 0")
    return (to_number(cost) - to_number(salvage)) / n


@register("SYD", PER_ROW, PER_ROW, PER_ROW, PER_ROW)
def SYD(cost: Any, salvage: Any, life: Any, per: Any) -> float:
    """SYD(cost, salvage, life, per): sum-of-years' digits depreciation."""
    c, s, n, p = to_number(cost), to_number(salvage), to_number(life), to_number(per)
    if n <= 0 or p <= 0 or p > n:
        raise fail(NUM, "参数超出范围 / argument out of range")
    return (c - s) * (n - p + 1) * 2 / (n * (n + 1))


@register("DB", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=4)
def DB(cost: Any, salvage: Any, life: Any, period: Any, month: Any = MISSING) -> float:
    """DB(cost, salvage, life, period, [month=12]): fixed-declining balance, the
    rate rounded to three decimals as Excel does."""
    c, s, n = to_number(cost), to_number(salvage), to_number(life)
    p = math.trunc(to_number(period))
    m = 12 if month is MISSING else math.trunc(to_number(month))
    if c < 0 or s < 0 or n <= 0 or p <= 0 or not 1 <= m <= 12 or p > n + (1 if m < 12 else 0):
        raise fail(NUM, "参数超出范围 / argument out of range")
    rate = 0.0 if c == 0 else round(1 - (s / c) ** (1 / n), 3)
    total = c * rate * m / 12
    if p == 1:
        return total
    dep = total
    _periods(p)
    for _ in range(2, p + 1):
        dep = (c - total) * rate
        total += dep
    if p > n:
        dep = (c - (total - dep)) * rate * (12 - m) / 12
    return dep


@register("DDB", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=4)
def DDB(cost: Any, salvage: Any, life: Any, period: Any, factor: Any = MISSING) -> float:
    """DDB(cost, salvage, life, period, [factor=2])."""
    c, s, n, p = to_number(cost), to_number(salvage), to_number(life), to_number(period)
    f = 2.0 if factor is MISSING else to_number(factor)
    if c < 0 or s < 0 or n <= 0 or p <= 0 or p > n or f <= 0:
        raise fail(NUM, "参数超出范围 / argument out of range")
    rate = min(f / n, 1.0)
    prior = c - c * (1 - rate) ** (p - 1)  # closed form: a fractional period too
    return max(0.0, min(c * rate * (1 - rate) ** (p - 1), c - s - prior))


@register("VDB", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=5)
def VDB(cost: Any, salvage: Any, life: Any, start: Any, end: Any, factor: Any = MISSING,
        no_switch: Any = MISSING) -> float:  # fmt: skip
    """VDB(cost, salvage, life, start_period, end_period, [factor=2], [no_switch=FALSE]):
    declining balance over a span of periods, switching to straight line when
    that is larger (unless no_switch)."""
    c, s, n = to_number(cost), to_number(salvage), to_number(life)
    a, b = to_number(start), to_number(end)
    f = 2.0 if factor is MISSING else to_number(factor)
    ns = False if no_switch is MISSING else to_number(no_switch) != 0
    if c < 0 or s < 0 or n <= 0 or a < 0 or b < a or b > n or f <= 0:
        raise fail(NUM, "参数超出范围 / argument out of range")
    total, book = 0.0, c
    t = 0
    switched, sl = False, 0.0
    _periods(b)
    while t < math.ceil(b):
        if switched:
            dep = sl
        else:
            dep = min(book * f / n, max(0.0, book - s))
            remaining = n - t
            sl = (book - s) / remaining if remaining > 0 else 0.0
            if not ns and sl > dep:
                switched, dep = True, sl
        lo, hi = max(a, t), min(b, t + 1)
        if hi > lo:
            total += dep * (hi - lo)
        book -= dep
        t += 1
    return total


def _cum(rate: Any, nper: Any, pv: Any, start: Any, end: Any, kind: Any, interest: bool) -> float:
    if any(isinstance(v, bool) for v in (start, end, kind)):
        raise fail(VALUE, "参数不能是逻辑值 / an argument is TRUE/FALSE")
    r, n, v = to_number(rate), to_number(nper), to_number(pv)
    # fractional periods: from the next whole period to the last whole one
    a, b, t = math.ceil(to_number(start)), math.floor(to_number(end)), to_number(kind)
    if r <= 0 or n <= 0 or v <= 0 or a < 1 or b < a or b > n or t not in (0, 1):
        raise fail(NUM, "参数超出范围 / argument out of range")
    pmt = pmt_of(r, n, v, 0.0, t)
    total = 0.0
    _periods(b - a)
    for per in range(a, b + 1):
        ip = _ipmt(r, per, n, v, 0.0, t)
        total += ip if interest else pmt - ip
    return total


@register("CUMIPMT", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW)
def CUMIPMT(rate: Any, nper: Any, pv: Any, start: Any, end: Any, kind: Any) -> float:
    """CUMIPMT(rate, nper, pv, start_period, end_period, type): interest paid over the span."""
    return _cum(rate, nper, pv, start, end, kind, True)


@register("CUMPRINC", PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW, PER_ROW)
def CUMPRINC(rate: Any, nper: Any, pv: Any, start: Any, end: Any, kind: Any) -> float:
    """CUMPRINC(rate, nper, pv, start_period, end_period, type): principal paid over the span."""
    return _cum(rate, nper, pv, start, end, kind, False)


@register("PDURATION", PER_ROW, PER_ROW, PER_ROW)
def PDURATION(rate: Any, pv: Any, fv: Any) -> float:
    """PDURATION(rate, pv, fv): periods for pv to grow to fv."""
    r, p, f = to_number(rate), to_number(pv), to_number(fv)
    if r <= 0 or p <= 0 or f <= 0:
        raise fail(NUM, "参数须为正 / arguments must be positive")
    return (math.log(f) - math.log(p)) / math.log(1 + r)


@register("RRI", PER_ROW, PER_ROW, PER_ROW)
def RRI(nper: Any, pv: Any, fv: Any) -> float:
    """RRI(nper, pv, fv): the equivalent interest rate for the growth."""
    n, p, f = to_number(nper), to_number(pv), to_number(fv)
    if n <= 0 or p == 0:
        raise fail(NUM, "参数超出范围 / argument out of range")
    return _checked((f / p) ** (1 / n) - 1)


@register("FVSCHEDULE", PER_ROW, WHOLE)
def FVSCHEDULE(principal: Any, schedule: Any) -> float:
    """FVSCHEDULE(principal, schedule): compounded by each rate in turn (blanks are 0)."""
    total = to_number(principal)
    for v in as_array(schedule).ravel():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        total *= 1 + (0.0 if v is None else to_number(v))
    return total


def _bill_days(settlement: Any, maturity: Any) -> float:
    """Days from settlement to maturity, at most one calendar year (Excel's checks,
    ironcalc TBILLs.xlsx rows 7–17: TRUE/FALSE is #VALUE!)."""
    if isinstance(settlement, bool) or isinstance(maturity, bool):
        raise fail(VALUE, "日期不能是逻辑值 / a date cannot be TRUE/FALSE")
    s, m = math.trunc(to_number(settlement)), math.trunc(to_number(maturity))
    if s < 0 or s >= m:
        raise fail(NUM, "到期日须晚于结算日 / maturity must follow settlement")
    y, mo, d = serial_date(s)
    if m > date_serial(y + 1, mo, min(d, calendar.monthrange(y + 1, mo)[1]) if d else 1):
        raise fail(NUM, "到期日须在结算日后一年内 / maturity must be within a year after settlement")
    return float(m - s)


def _discount_rate(discount: Any) -> float:
    if isinstance(discount, bool):
        raise fail(VALUE, "贴现率不能是逻辑值 / discount cannot be TRUE/FALSE")
    rate = to_number(discount)
    if rate <= 0:
        raise fail(NUM, "贴现率须为正 / discount must be positive")
    return rate


@register("TBILLPRICE", PER_ROW, PER_ROW, PER_ROW)
def TBILLPRICE(settlement: Any, maturity: Any, discount: Any) -> float:
    """TBILLPRICE(settlement, maturity, discount): price per 100 face value."""
    d, rate = _bill_days(settlement, maturity), _discount_rate(discount)
    price = 100 * (1 - rate * d / 360)
    if price <= 0:
        raise fail(NUM, "价格不为正 / the price is not positive")
    return price


@register("TBILLYIELD", PER_ROW, PER_ROW, PER_ROW)
def TBILLYIELD(settlement: Any, maturity: Any, pr: Any) -> float:
    """TBILLYIELD(settlement, maturity, pr): the bill's yield."""
    if isinstance(pr, bool):
        raise fail(VALUE, "价格不能是逻辑值 / pr cannot be TRUE/FALSE")
    d, price = _bill_days(settlement, maturity), to_number(pr)
    if price <= 0:
        raise fail(NUM, "价格须为正 / pr must be positive")
    return (100 - price) / price * 360 / d


@register("TBILLEQ", PER_ROW, PER_ROW, PER_ROW)
def TBILLEQ(settlement: Any, maturity: Any, discount: Any) -> float:
    """TBILLEQ(settlement, maturity, discount): the bond-equivalent yield (the
    quadratic form beyond half a year)."""
    d, rate = _bill_days(settlement, maturity), _discount_rate(discount)
    if d <= 182:
        den = 360 - rate * d
        if den == 0:
            raise fail(NUM, "无解 / no solution")
        return 365 * rate / den
    price = 100 * (1 - rate * d / 360)
    if price <= 0:
        raise fail(NUM, "价格不为正 / the price is not positive")
    t = d / (366 if d > 365 else 365)  # a year holding 29 February (TBILLs.xlsx!D6)
    return _checked((-t + math.sqrt(t * t - (2 * t - 1) * (1 - 100 / price))) / (t - 0.5))


@register("EFFECT", PER_ROW, PER_ROW)
def EFFECT(nominal: Any, npery: Any) -> float:
    """EFFECT(nominal_rate, npery): (1 + r/n)^n − 1, npery truncated; a rate
    ≤ 0 or npery < 1 is #NUM!."""
    r, n = to_number(nominal), math.trunc(to_number(npery))
    if r <= 0 or n < 1:
        raise fail(NUM, "EFFECT 参数超出范围 / EFFECT arguments out of range")
    return (1 + r / n) ** n - 1


@register("NOMINAL", PER_ROW, PER_ROW)
def NOMINAL(effect: Any, npery: Any) -> float:
    """NOMINAL(effect_rate, npery): n·((1 + e)^(1/n) − 1), npery truncated; a
    rate ≤ 0 or npery < 1 is #NUM!."""
    e, n = to_number(effect), math.trunc(to_number(npery))
    if e <= 0 or n < 1:
        raise fail(NUM, "NOMINAL 参数超出范围 / NOMINAL arguments out of range")
    return n * ((1 + e) ** (1 / n) - 1)


@register("ISPMT", PER_ROW, PER_ROW, PER_ROW, PER_ROW)
def ISPMT(rate: Any, per: Any, nper: Any, pv: Any) -> float:
    """ISPMT(rate, per, nper, pv): the interest of period ``per`` of a loan
    repaid in even principal: pv·rate·(per/nper − 1); nper 0 is #DIV/0!."""
    n = to_number(nper)
    if n == 0:
        raise fail(DIV0, "nper 为零 / nper is 0")
    return to_number(pv) * to_number(rate) * (to_number(per) / n - 1)


def _fraction_scale(fraction: Any) -> tuple[int, float]:
    """DOLLARDE/DOLLARFR: the fraction truncated (below 0 #NUM!, below 1
    #DIV/0!) and the power of ten with as many digits."""
    f = math.trunc(to_number(fraction))
    if f < 0:
        raise fail(NUM, "fraction 为负 / fraction is negative")
    if f < 1:
        raise fail(DIV0, "fraction 小于 1 / fraction is below 1")
    return f, 10.0 ** math.ceil(math.log10(f))


@register("DOLLARDE", PER_ROW, PER_ROW)
def DOLLARDE(fractional: Any, fraction: Any) -> float:
    """DOLLARDE(fractional_dollar, fraction): 1.02 with fraction 16 (one and
    2/16) is 1.125; the decimals read as a numerator over the fraction."""
    x = to_number(fractional)
    f, scale = _fraction_scale(fraction)
    whole = math.trunc(x)
    return whole + (x - whole) * scale / f


@register("DOLLARFR", PER_ROW, PER_ROW)
def DOLLARFR(decimal: Any, fraction: Any) -> float:
    """DOLLARFR(decimal_dollar, fraction): 1.125 with fraction 16 is 1.02."""
    x = to_number(decimal)
    f, scale = _fraction_scale(fraction)
    whole = math.trunc(x)
    return whole + (x - whole) * f / scale
