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

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

__all__ = ["decimal_reference", "round_decimal", "round_sig"]

FloatArray = npt.NDArray[np.float64]


def _exponents(ax: FloatArray) -> npt.NDArray[np.int64]:
    """floor(log10(ax)) for positive finite ``ax``, exact at powers of ten."""
    e = np.floor(np.log10(ax)).astype(np.int64)
    # log10 can be one off next to powers of ten; correct with exact comparisons.
    e -= (np.power(10.0, e) > ax).astype(np.int64)
    e += (np.power(10.0, e + 1) <= ax).astype(np.int64)
    return e


def _scale(ax: FloatArray, m: npt.NDArray[np.int64]) -> FloatArray:
    """ax × 10**m, dividing for negative m so that the factor stays exact."""
    up = m >= 0
    out = np.empty_like(ax)
    out[up] = ax[up] * np.power(10.0, m[up])
    out[~up] = ax[~up] / np.power(10.0, -m[~up])
    return out


def _unscale(n: FloatArray, m: npt.NDArray[np.int64]) -> FloatArray:
    """n × 10**-m, the nearest double to the decimal n·10⁻ᵐ."""
    up = m >= 0
    out = np.empty_like(n)
    out[up] = n[up] / np.power(10.0, m[up])
    out[~up] = n[~up] * np.power(10.0, -m[~up])
    return out


def round_sig(x: npt.ArrayLike, n: int) -> FloatArray:
    """Round to ``n`` significant digits, half away from zero.

    NaN and infinities pass through; zero stays zero.

    >>> round_sig([0.1 + 0.2, 123456.7890123], 12).tolist()
    [0.3, 123456.789012]
    """
    arr = np.asarray(x, dtype=np.float64)
    out = arr.copy()
    ok = np.isfinite(arr) & (arr != 0)
    if not ok.any():
        return out
    ax = np.abs(arr[ok])
    m = (n - 1) - _exponents(ax)
    digits = np.floor(_scale(ax, m) + 0.5)
    out[ok] = np.copysign(_unscale(digits, m), arr[ok])
    return out


def round_decimal(x: npt.ArrayLike, digits: int = 2, *, half_even: bool = False) -> FloatArray:
    """Round to ``digits`` decimals as decimal arithmetic would.

    The value is first read as its 15-significant-digit decimal (Excel's
    precision), then rounded half away from zero (``ROUND``, 四舍五入) or, with
    ``half_even``, half to even (GB/T 8170, 四舍六入五成双), on exact integers.
    ``digits`` may be negative (round to tens, hundreds …).

    >>> round_decimal([0.125, 0.135, 1234.5], 2, half_even=True).tolist()
    [0.12, 0.14, 1234.5]
    >>> round_decimal([1234.5, -1234.5], -1).tolist()
    [1230.0, -1230.0]
    """
    arr = np.asarray(x, dtype=np.float64)
    out = arr.copy()
    ok = np.isfinite(arr) & (arr != 0)
    if not ok.any():
        return out
    ax = np.abs(arr[ok])
    e = _exponents(ax)
    m = 14 - e  # ax × 10**m is the 15-digit integer of ax
    n15 = np.floor(_scale(ax, m) + 0.5)
    k = m - digits  # how many of those digits fall below the rounding place
    res = np.empty_like(ax)

    keep = k <= 0  # already no finer than the rounding place
    res[keep] = _unscale(n15[keep], m[keep])

    tiny = k >= 16  # below half a unit of the rounding place: rounds to 0
    res[tiny] = 0.0

    mid = ~keep & ~tiny
    if mid.any():
        n_int = n15[mid].astype(np.int64)
        base = np.power(10, k[mid]).astype(np.int64)
        q, r = np.divmod(n_int, base)
        twice = 2 * r
        if half_even:
            q += (twice > base) | ((twice == base) & (q % 2 == 1))
        else:
            q += twice >= base
        res[mid] = _unscale(q.astype(np.float64), np.full_like(q, digits))
    out[ok] = np.copysign(res, arr[ok])
    out[out == 0] = 0.0  # no negative zero
    return out


def decimal_reference(x: float, digits: int = 2, *, half_even: bool = False) -> Decimal:
    """Scalar reference for :func:`round_decimal`, with :mod:`decimal`.

    >>> decimal_reference(2.675, 2)
    Decimal('2.68')
    """
    d = Decimal(f"{x:.15g}")
    mode = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
    return d.quantize(Decimal(1).scaleb(-digits), rounding=mode)
