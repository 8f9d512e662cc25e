"""Vectorised rounding that agrees with decimal arithmetic.

Excel stores doubles but shows, compares and rounds them as 15-significant-digit
decimals: ``ROUND(2.675, 2)`` is 2.68 although the double nearest 2.675 is
2.67499999…  The kernel follows the same rule, vectorised over numpy arrays:

* :func:`round_sig` rounds to ``n`` significant digits (12 for band comparisons,
  15 to clean float noise such as ``87.10000000000001``);
* :func:`round_decimal` rounds to ``digits`` decimals exactly as
  :class:`decimal.Decimal` would round the value's 15-digit decimal, half away
  from zero or half to even, using integer arithmetic on the 15 digits;
* :func:`decimal_reference` is the slow, obviously-correct scalar version that
  tests compare the vectorised one with.

>>> float(round_decimal(2.675, 2))
2.68
>>> float(round_decimal(2.665, 2, half_even=True))
2.66
>>> float(round_decimal(-1.005, 2))
-1.01
>>> float(round_sig(1150 / 1000, 12))
1.15
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "decimal_difference",
    "decimal_reference",
    "round_decimal",
    "round_decimal_one",
    "round_decimal_or_flag",
    "round_sig",
    "significant_unit",
]

FloatArray = npt.NDArray[np.float64]
P = ParamSpec("P")
R = TypeVar("R")
IntArray = npt.NDArray[np.int64]

# Powers of ten as np.power computes them, looked up instead of recomputed:
# _POW10[_OFFSET + k] == np.power(10.0, k) for every exponent a double can have.
_OFFSET = 350
with np.errstate(over="ignore", under="ignore"):
    _POW10: FloatArray = np.power(10.0, np.arange(-_OFFSET, _OFFSET + 1, dtype=np.float64))
_POW10.setflags(write=False)


def _pow10(k: IntArray) -> FloatArray:
    """10.0**k elementwise (k within a double's exponent range), by table look-up."""
    return np.take(_POW10, k + _OFFSET)


# Decimal exponents by binary exponent: a double ax = f·2**b (0.5 <= f < 1,
# np.frexp) lies in [2**(b-1), 2**b), which holds at most one power of ten, so
# floor(log10(ax)) is _E_LOW[b] or one more, decided by one exact comparison.
_B_OFFSET = 1100
_B = np.arange(-_B_OFFSET, _B_OFFSET + 1)
with np.errstate(over="ignore", under="ignore"):
    _E_LOW: IntArray = (
        np.searchsorted(_POW10, np.ldexp(1.0, _B - 1), side="right") - 1 - _OFFSET
    ).astype(np.int64)
    _E_NEXT: FloatArray = np.take(_POW10, np.clip(_E_LOW + 1 + _OFFSET, 0, 2 * _OFFSET))


#: Largest k for which 10.0**k is exact.
_EXACT_POWER = 22


def _exponents(ax: FloatArray) -> IntArray:
    """floor(log10(ax)) for positive finite ``ax``, exact at powers of ten
    (``10.0**e <= ax < 10.0**(e + 1)`` with np.power's powers of ten)."""
    i = np.frexp(ax)[1] + _B_OFFSET
    return np.take(_E_LOW, i) + (ax >= np.take(_E_NEXT, i))


def _scale(ax: FloatArray, m: IntArray) -> FloatArray:
    """ax × 10**m, dividing for negative m so that the factor stays exact."""
    if m.size and m.min() >= 0:
        return ax * _pow10(m)
    return np.where(m >= 0, ax * _pow10(np.maximum(m, 0)), ax / _pow10(np.maximum(-m, 0)))


def _unscale(n: FloatArray, m: IntArray) -> FloatArray:
    """n × 10**-m, the nearest double to the decimal n·10⁻ᵐ."""
    if m.size and m.min() >= 0:
        return n / _pow10(m)
    return np.where(m >= 0, n / _pow10(np.maximum(m, 0)), n * _pow10(np.maximum(-m, 0)))


#: Below this magnitude 10**m overflows while scaling; such values (and
#: subnormals) are left as they are by round_sig and round to 0 in round_decimal.
_TINY = 1e-290


def _regular(arr: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_] | None]:
    """|arr| with NaN, infinities, zeros and near-zeros replaced by 1, and where
    they were.

    The mask is ``None`` when every value is finite and not tiny, the common
    case, which then needs no masking at all.
    """
    ax = np.abs(arr)
    odd = ~(ax < np.inf) | (ax < _TINY)  # NaN compares false, so ~(ax < inf) catches it
    if not odd.any():
        return ax, None
    return np.where(odd, 1.0, ax), odd


def _quiet(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` without numpy's overflow warnings: the extremes of the double
    range overflow in intermediate scalings and are then handled explicitly."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with np.errstate(over="ignore", invalid="ignore"):
            return func(*args, **kwargs)

    return wrapper


@_quiet
def round_sig(x: npt.ArrayLike, n: int) -> FloatArray:
    """Round to ``n`` significant digits, half away from zero.

    NaN and infinities pass through; zero stays zero; magnitudes below
    1e-290 (where the scaling by 10**m would overflow) are returned unchanged.
    The few largest doubles round up to inf (beyond the largest 15-digit
    number), which callers report as ``#NUM!``.

    >>> round_sig([0.1 + 0.2, 123456.7890123], 12).tolist()
    [0.3, 123456.789012]
    """
    arr = np.asarray(x, dtype=np.float64)
    ax, odd = _regular(arr)
    e = _exponents(ax)
    m = (n - 1) - e
    if n < 15:
        # Round the value's 15-significant-digit reading (what Excel shows and a
        # clerk typed), not its binary value: 2500029.678085 is a tie at 12 digits
        # although the nearest double is a little below it.
        m15 = 14 - e
        n15 = np.floor(_scale(ax, m15) + 0.5)  # an integer below 2**53: exact
        base = _POW10[_OFFSET + 15 - n]
        digits = np.floor(n15 / base)
        digits += 2.0 * (n15 - digits * base) >= base
        far = (np.abs(m) > _EXACT_POWER) | (np.abs(m15) > _EXACT_POWER)
    else:
        digits = np.floor(_scale(ax, m) + 0.5)
        far = np.abs(m) > _EXACT_POWER
    out = np.asarray(np.copysign(_unscale(digits, m), arr))
    if odd is not None:
        out = np.asarray(np.where(odd, arr, out))
    if odd is not None:
        far &= ~odd
    if far.any():  # 10**m is not an exact double: round those few in decimal
        out[far] = [_decimal_sig(float(v), n) for v in arr[far]]
    return out


def _decimal_sig(v: float, n: int) -> float:
    """``v`` rounded to ``n`` significant digits, half up: its 15-digit reading
    when ``n`` is below 15 (as :func:`round_sig`), else its exact binary value."""
    d = Decimal(f"{v:.15g}") if n < 15 else Decimal(v)
    with localcontext() as ctx:
        ctx.prec = max(n, 28)
        return float(d.quantize(Decimal(1).scaleb(d.adjusted() - n + 1), rounding=ROUND_HALF_UP))


@_quiet
def significant_unit(x: npt.ArrayLike, n: int) -> FloatArray:
    """The place value of the ``n``-th significant digit of each non-zero ``x``.

    >>> significant_unit([3000.0, -0.25], 12).tolist()
    [1e-08, 1e-12]
    """
    arr = np.asarray(x, dtype=np.float64)
    ax, odd = _regular(arr)
    unit = _unscale(np.ones_like(ax), (n - 1) - _exponents(ax))
    if odd is not None:
        unit = np.where(odd, np.nan, unit)
    return unit


@_quiet
def decimal_difference(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """``a − b`` as the difference of the two values' 15-digit decimals.

    A double such as 1000.01 is really 1000.00999999999999…; subtracting 1000
    leaves 0.00999999999999090, whose half at 50% rounds to 0.00 instead of the
    0.01 a clerk computes. Here both values are first read on the 15-digit grid
    of the larger one (exact integers below 10**15), subtracted exactly, and
    scaled back, giving the double nearest the decimal difference. Where that
    grid is not an exact power of ten (magnitudes outside [1e-7, 1e15)) the
    plain float difference is returned. (A double with a 16th digit of exactly
    5, which few have, is read to the even 15th digit.)

    >>> float(decimal_difference(1000.01, 1000) * 0.5)
    0.005
    >>> float(1000.01 - 1000) * 0.5
    0.004999999999995453
    """
    aa = np.asarray(a, dtype=np.float64)
    bb = np.asarray(b, dtype=np.float64)
    big = np.maximum(np.abs(aa), np.abs(bb))
    if big.size == 0:
        return aa - bb
    lo, hi = big.min(), big.max()
    if lo >= 1e-7 and hi < 1e15:  # all on exact grids: no masking needed
        p = _pow10(14 - _exponents(big))
        return (np.rint(aa * p) - np.rint(bb * p)) / p
    exact = (big >= 1e-7) & (big < 1e15)  # 10**m below is then exact (0 <= m <= 21)
    if not exact.any():
        return aa - bb
    p = _pow10(np.clip(14 - _exponents(np.where(exact, big, 1.0)), 0, 22))
    return np.where(exact, (np.rint(aa * p) - np.rint(bb * p)) / p, aa - bb)


#: Relative margin of the fast rounding path: values this close (relative)
#: to a rounding tie are rounded by the exact path instead. Reading a double as
#: its 15-digit decimal moves it by at most 5e-15 of its size, 20× less.
_NEAR_TIE = 1e-13

#: Arrays shorter than this skip the fast path (its checks cost more there).
_FAST_MIN_SIZE = 64


@_quiet
def round_decimal(x: npt.ArrayLike, digits: int = 2, *, half_even: bool = False) -> FloatArray:
    """Round to ``digits`` decimals as decimal arithmetic would.

    The value is first read as its 15-significant-digit decimal (Excel's
    precision), then rounded half away from zero (``ROUND``, 四舍五入) or, with
    ``half_even``, half to even (GB/T 8170, 四舍六入五成双), on exact integers.
    ``digits`` may be negative (round to tens, hundreds …).

    Long arrays take a fast path: ``floor(|x|·10**digits + 0.5)`` is the
    answer for every value not within 1e-13 (relative) of a rounding tie, and
    only the values that are (half-cents, typically) go the exact way.

    >>> round_decimal([0.125, 0.135, 1234.5], 2, half_even=True).tolist()
    [0.12, 0.14, 1234.5]
    >>> round_decimal([1234.5, -1234.5], -1).tolist()
    [1230.0, -1230.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.size >= _FAST_MIN_SIZE and 0 <= digits <= _EXACT_POWER:
        out, unsure = round_decimal_or_flag(arr, digits, np.abs(arr) * _NEAR_TIE)
        redo = np.flatnonzero(unsure)  # few: index them rather than mask whole arrays
        if redo.size:
            flat = out.reshape(-1)
            flat[redo] = _round_decimal_exact(arr.reshape(-1)[redo], digits, half_even)
        return out
    return _round_decimal_exact(arr, digits, half_even)


def round_decimal_or_flag(
    x: FloatArray, digits: int, slack: FloatArray | float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Round half away from zero by ``floor(|x|·10**digits + 0.5)``, and flag
    the values that may be wrong that way.

    ``slack`` is how far (absolute, per value or one for all) the decimal the
    caller means may lie from the double ``x``; a value is flagged when a
    rounding tie lies within that distance, and the caller must round it
    exactly (``round_decimal`` on the flagged values, or a more exact sum
    first). Unflagged values are rounded correctly whichever way ties go, so
    this serves half-even as well. NaN comes back unflagged and unchanged;
    values too large to scale are flagged. ``digits`` must be 0 … 22.

    >>> out, unsure = round_decimal_or_flag(np.array([2.675, 2.6749, 1.0]), 2, 1e-12)
    >>> out.tolist(), unsure.tolist()
    ([2.68, 2.67, 1.0], [True, False, False])
    """
    scale = _POW10[_OFFSET + digits]
    y = np.abs(x) * scale
    t = y + 0.5
    r = np.floor(t)
    f = t - r  # exact: t and floor(t) share their binade
    band = np.multiply(slack, scale) + 2e-16 * t  # + the rounding of y and t themselves
    unsure = (f <= band) | (f >= 1.0 - band) | (y == np.inf)  # inf: overflowed scaling
    out = np.copysign(r / scale, x)
    out += 0.0  # no negative zero
    return out, unsure


def round_decimal_one(v: float, digits: int, slack: float) -> float | None:
    """:func:`round_decimal_or_flag` for one finite double in plain Python (the
    per-cell path, no numpy): the rounded value, or ``None`` where a rounding
    tie lies within ``slack`` or ``v`` is too large to scale (the caller then
    rounds the array way). ``digits`` must be 0 … 22.

    >>> round_decimal_one(2.6749, 2, 1e-12), round_decimal_one(2.675, 2, 1e-12)
    (2.67, None)
    """
    scale = float(_POW10[_OFFSET + digits])
    y = abs(v) * scale
    if not y < 2.0**52:
        return None
    t = y + 0.5
    r = float(math.floor(t))
    f = t - r
    margin = slack * scale + 2e-16 * t
    if f <= margin or f >= 1.0 - margin:
        return None
    return math.copysign(r / scale, v) + 0.0


def _round_decimal_exact(arr: FloatArray, digits: int, half_even: bool) -> FloatArray:
    """:func:`round_decimal` on the 15-digit integers of the values."""
    ax, odd = _regular(arr)
    e = _exponents(ax)
    m = 14 - e  # ax × 10**m is the 15-digit integer of ax
    n15 = np.floor(_scale(ax, m) + 0.5)
    # How many of those digits fall below the rounding place. Beyond 16 the
    # value is below half a unit of the rounding place and rounds to 0: capping
    # there keeps 10**k exact and gives quotient 0, remainder < base / 2.
    k = m - digits
    tiny = k > 16
    if tiny.any():  # n15 may even be inf there (10**m overflows for subnormals)
        n15 = np.where(tiny, 0.0, n15)
        k = np.minimum(k, 16)
    # Integers below 2**53 stored as doubles: n15 < 10**15, so the quotient,
    # remainder and comparisons below are exact (the float quotient of
    # n15 / 10**k never rounds up to the next integer at these sizes).
    base = _pow10(np.maximum(k, 0))
    q = np.floor(n15 / base)
    twice = 2.0 * (n15 - q * base)
    if half_even:
        q += (twice > base) | ((twice == base) & (np.fmod(q, 2.0) == 1.0))
    else:
        q += twice >= base
    res = q / _POW10[_OFFSET + digits] if digits >= 0 else q * _POW10[_OFFSET - digits]
    keep = k <= 0  # already no finer than the rounding place
    if keep.any():
        res = np.where(keep, _unscale(n15, m), res)
    out = np.asarray(np.copysign(res, arr))
    if odd is not None:
        out = np.asarray(np.where(odd, np.where(np.abs(arr) < _TINY, 0.0, arr), out))
    # Tiny values kept to many decimals (10**m not an exact double): in decimal.
    far = (m > _EXACT_POWER) & (m - digits <= 16)
    if odd is not None:
        far &= ~odd
    if far.any():
        out[far] = [
            float(decimal_reference(float(v), digits, half_even=half_even)) for v in arr[far]
        ]
    out += 0.0  # no negative zero (-0.0 + 0.0 is 0.0)
    return out


def decimal_reference(x: float, digits: int = 2, *, half_even: bool = False) -> Decimal:
    """Scalar reference for :func:`round_decimal`, with :mod:`decimal`.

    >>> decimal_reference(2.675, 2)
    Decimal('2.68')
    """
    d = Decimal(f"{x:.15g}")
    mode = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
    with localcontext() as ctx:
        # Room for every digit down to the rounding place (a double's exponent
        # spans ±324 and digits may be a few hundred): quantize never overflows.
        ctx.prec = 1000
        return d.quantize(Decimal(1).scaleb(-digits), rounding=mode)
