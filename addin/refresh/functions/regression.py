"""Statistical functions of least squares: SLOPE, INTERCEPT, RSQ, PEARSON,
CORREL, COVAR, COVARIANCE.P/S, STEYX, FORECAST(.LINEAR), TREND, GROWTH,
LINEST, LOGEST (Microsoft's function reference for each).

Two families, with Excel's two ways of reading their data:

- the *paired* functions (SLOPE … FORECAST) take two ranges or arrays of the
  same number of values (else #N/A) and use the pairs where both are numbers:
  text, logicals and blanks in either drop the pair, an error in either is
  that error; too few pairs or no spread is #DIV/0!;
- the *model* functions (TREND, GROWTH, LINEST, LOGEST) need numbers in
  every cell of ``known_y's`` and ``known_x's`` (#VALUE! otherwise: a blank or
  text there is not skipped), fit ``y = m₁x₁ + … + mₖxₖ + b`` by least
  squares (``const`` FALSE: ``b = 0``) — GROWTH and LOGEST fit ``ln y``, so
  a ``y`` ≤ 0 is #NUM! — and return arrays that spill. When ``known_y's`` is
  one column, each column of ``known_x's`` is a variable; when it is one row,
  each row. ``known_x's`` omitted is 1, 2, 3, …; ``new_x's`` omitted is
  ``known_x's``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from addin.refresh.functions._core import MISSING, as_array, register, to_bool, to_number
from addin.registry import PER_ROW, WHOLE
from udfs.errors import DIV0, NA, NUM, REF, VALUE, ExcelError, ExcelErrorRaised, fail

# ------------------------------------------------------------------ paired data


def _pairs(ys: Any, xs: Any) -> tuple[np.ndarray, np.ndarray]:
    """The (y, x) pairs where both are numbers, as two float arrays. An error
    given as a whole argument (an undefined name's #NAME?) comes before the
    sizes are compared."""
    for v in (ys, xs):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
    a, b = as_array(ys).ravel(), as_array(xs).ravel()
    if len(a) != len(b):
        raise fail(NA, "两组数据个数不同 / the two data sets differ in size")
    yv, xv = [], []
    for y, x in zip(a.tolist(), b.tolist(), strict=True):
        for v in (y, x):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
        if _is_number(y) and _is_number(x):
            yv.append(float(y))
            xv.append(float(x))
    return np.array(yv, dtype=float), np.array(xv, dtype=float)


def _is_number(v: Any) -> bool:
    return isinstance(v, float | int) and not isinstance(v, bool)


def _centred(ys: Any, xs: Any, least: int = 1) -> tuple[np.ndarray, np.ndarray, int]:
    y, x = _pairs(ys, xs)
    n = len(y)
    if n < least:
        raise fail(DIV0, f"成对数值少于 {least} 组 / fewer than {least} pairs of numbers")
    return y - y.mean(), x - x.mean(), n


def _slope_intercept(ys: Any, xs: Any) -> tuple[float, float]:
    y, x = _pairs(ys, xs)
    if len(y) == 0:
        raise fail(DIV0, "没有成对数值 / no pairs of numbers")
    dx = x - x.mean()
    sxx = float(np.dot(dx, dx))
    if sxx == 0:
        raise fail(DIV0, "x 值没有差异 / the x values do not vary")
    m = float(np.dot(dx, y - y.mean())) / sxx
    return m, float(y.mean()) - m * float(x.mean())


@register("SLOPE", WHOLE, WHOLE)
def SLOPE(known_y: Any, known_x: Any) -> float:
    """SLOPE(known_y's, known_x's): the least-squares line's slope over the
    numeric pairs; sizes differ #N/A; no pairs or constant x #DIV/0!."""
    return _slope_intercept(known_y, known_x)[0]


@register("INTERCEPT", WHOLE, WHOLE)
def INTERCEPT(known_y: Any, known_x: Any) -> float:
    """INTERCEPT(known_y's, known_x's): where that line meets x = 0."""
    return _slope_intercept(known_y, known_x)[1]


@register("FORECAST", PER_ROW, WHOLE, WHOLE)
def FORECAST(x: Any, known_y: Any, known_x: Any) -> float:
    """FORECAST(x, known_y's, known_x's) = FORECAST.LINEAR: the line's value at
    ``x`` (a text ``x`` that is no number #VALUE!, an error that error; an
    array of ``x`` gives an array)."""
    at = to_number(x)
    m, b = _slope_intercept(known_y, known_x)
    return b + m * at


register("FORECAST.LINEAR", PER_ROW, WHOLE, WHOLE)(FORECAST)


def _correl(ys: Any, xs: Any) -> float:
    dy, dx, _ = _centred(ys, xs)
    den = math.sqrt(float(np.dot(dx, dx)) * float(np.dot(dy, dy)))
    if den == 0:
        raise fail(DIV0, "数据没有差异 / a data set does not vary")
    return float(np.dot(dx, dy)) / den


@register("CORREL", WHOLE, WHOLE)
def CORREL(array1: Any, array2: Any) -> float:
    """CORREL(array1, array2): Pearson's correlation of the numeric pairs;
    a set without spread #DIV/0!."""
    return _correl(array1, array2)


register("PEARSON", WHOLE, WHOLE)(CORREL)


@register("RSQ", WHOLE, WHOLE)
def RSQ(known_y: Any, known_x: Any) -> float:
    """RSQ(known_y's, known_x's): the square of PEARSON."""
    r = _correl(known_y, known_x)
    return r * r


@register("COVARIANCE.P", WHOLE, WHOLE)
def COVARIANCE_P(array1: Any, array2: Any) -> float:
    """COVARIANCE.P(array1, array2) = COVAR: the population covariance of the pairs."""
    dy, dx, n = _centred(array1, array2)
    return float(np.dot(dx, dy)) / n


register("COVAR", WHOLE, WHOLE)(COVARIANCE_P)


@register("COVARIANCE.S", WHOLE, WHOLE)
def COVARIANCE_S(array1: Any, array2: Any) -> float:
    """COVARIANCE.S(array1, array2): the sample covariance (fewer than 2 pairs #DIV/0!)."""
    dy, dx, n = _centred(array1, array2, 2)
    return float(np.dot(dx, dy)) / (n - 1)


@register("STEYX", WHOLE, WHOLE)
def STEYX(known_y: Any, known_x: Any) -> float:
    """STEYX(known_y's, known_x's): the standard error of the predicted y
    (fewer than 3 pairs, or constant x, #DIV/0!)."""
    dy, dx, n = _centred(known_y, known_x, 3)
    sxx, syy, sxy = float(np.dot(dx, dx)), float(np.dot(dy, dy)), float(np.dot(dx, dy))
    if sxx == 0:
        raise fail(DIV0, "x 值没有差异 / the x values do not vary")
    return math.sqrt(max(syy - sxy * sxy / sxx, 0.0) / (n - 2))


# ------------------------------------------------------------------ models


def _numbers(a: Any, what: str) -> Any:
    """Every cell of a model argument as a number (#VALUE! for anything else)."""
    if isinstance(a, ExcelError):
        raise ExcelErrorRaised(a)
    arr = as_array(a)
    out = np.empty(arr.shape, dtype=float)
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if not _is_number(v):
            raise fail(VALUE, f"{what} 须全为数值 / {what} must be all numbers")
        out[idx] = float(v)
    return out


class _Model:
    """A least-squares fit of ``y`` on the variables of ``x``."""

    def __init__(self, known_y: Any, known_x: Any, const: Any, log: bool) -> None:
        y = _numbers(known_y, "known_y's")
        if log:
            if (y <= 0).any():
                raise fail(NUM, "known_y's 须全为正数 / known_y's must be positive")
            y = np.log(y)
        self.by_rows = y.shape[0] == 1 and y.shape[1] > 1
        n = y.size
        if known_x is MISSING or known_x is None:
            x = np.arange(1, n + 1, dtype=float).reshape(y.shape)
        else:
            x = _numbers(known_x, "known_x's")
        self.x_shape = x.shape
        if y.shape[0] != 1 and y.shape[1] != 1:  # a 2-D y: x of its shape, one variable
            if x.shape != y.shape:
                raise fail(REF, "known_x's 与 known_y's 大小不符 / sizes differ")
            variables = x.reshape(-1, 1)
        elif x.size == n:
            variables = x.reshape(-1, 1)
        elif self.by_rows and x.shape[1] == n:
            variables = x.T
        elif not self.by_rows and x.shape[0] == n:
            variables = x
        else:
            raise fail(REF, "known_x's 与 known_y's 大小不符 / sizes differ")
        self.k = variables.shape[1]
        self.const = True if const is MISSING or const is None else to_bool(const)
        design = np.hstack([variables, np.ones((n, 1))]) if self.const else variables
        coef, *_ = np.linalg.lstsq(design, y.reshape(-1), rcond=None)
        self.m = coef[: self.k]
        self.b = float(coef[self.k]) if self.const else 0.0
        self.y = y.reshape(-1)
        self.fitted = design @ coef
        self.design = design
        self.n = n

    def predict(self, new_x: Any) -> np.ndarray:
        """The fitted value at each new point, shaped as Excel returns it."""
        if new_x is MISSING or new_x is None:
            x = np.arange(1, self.n + 1, dtype=float).reshape(self.x_shape) if self.k == 1 else None
            if x is None:
                return self.fitted.reshape(-1, 1) if not self.by_rows else self.fitted.reshape(1, -1)
        else:
            x = _numbers(new_x, "new_x's")
        if self.k == 1:
            return self.m[0] * x + self.b
        if self.by_rows:
            if x.shape[0] != self.k:
                raise fail(REF, "new_x's 的变量数不符 / new_x's has the wrong number of rows")
            return (self.m @ x + self.b).reshape(1, -1)
        if x.shape[1] != self.k:
            raise fail(REF, "new_x's 的变量数不符 / new_x's has the wrong number of columns")
        return (x @ self.m + self.b).reshape(-1, 1)

    def statistics(self) -> np.ndarray:
        """LINEST's five rows: coefficients, their standard errors, r² and the
        standard error of y, F and the degrees of freedom, the regression and
        residual sums of squares (#N/A where a row has fewer values)."""
        w = self.k + 1
        out = np.full((5, w), NA, dtype=object)
        out[0, :] = self.coefficients()
        df = self.n - self.k - (1 if self.const else 0)
        resid = self.y - self.fitted
        ss_resid = float(np.dot(resid, resid))
        centre = self.y.mean() if self.const else 0.0
        ss_total = float(np.dot(self.y - centre, self.y - centre))
        ss_reg = ss_total - ss_resid
        out[2, 0] = ss_reg / ss_total if ss_total else 1.0
        out[4, 0], out[4, 1] = ss_reg, ss_resid
        out[3, 1] = float(df)
        if df > 0:
            s2 = ss_resid / df
            out[2, 1] = math.sqrt(s2)
            out[3, 0] = (ss_reg / self.k) / s2 if s2 else NUM
            try:
                cov = s2 * np.linalg.inv(self.design.T @ self.design)
                se = np.sqrt(np.maximum(np.diag(cov), 0.0))
                out[1, : self.k] = [float(v) for v in se[: self.k][::-1]]
                out[1, self.k] = float(se[self.k]) if self.const else NA
            except np.linalg.LinAlgError:
                out[1, :] = NUM
        else:
            out[2, 1] = NUM
            out[3, 0] = NUM
        return out

    def coefficients(self) -> list[float]:
        return [float(v) for v in self.m[::-1]] + [self.b]


def _result(values: np.ndarray) -> np.ndarray:
    out = np.empty(values.shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        out[idx] = float(v) if math.isfinite(float(v)) else NUM
    return out


@register("TREND", WHOLE, WHOLE, WHOLE, PER_ROW, min_args=1)
def TREND(known_y: Any, known_x: Any = MISSING, new_x: Any = MISSING, const: Any = MISSING) -> Any:
    """TREND(known_y's, [known_x's], [new_x's], [const=TRUE]): the least-squares
    fit's values at ``new_x's`` (an array the shape of ``new_x's`` for one
    variable, one value per new point for several)."""
    return _result(_Model(known_y, known_x, const, log=False).predict(new_x))


@register("GROWTH", WHOLE, WHOLE, WHOLE, PER_ROW, min_args=1)
def GROWTH(known_y: Any, known_x: Any = MISSING, new_x: Any = MISSING, const: Any = MISSING) -> Any:
    """GROWTH(known_y's, [known_x's], [new_x's], [const=TRUE]): the exponential
    fit ``y = b·m^x`` at ``new_x's`` (a ``y`` ≤ 0 is #NUM!)."""
    fit = _Model(known_y, known_x, const, log=True)
    return _result(np.exp(fit.predict(new_x)))


def _estimate(known_y: Any, known_x: Any, const: Any, stats: Any, log: bool) -> np.ndarray:
    fit = _Model(known_y, known_x, const, log)
    full = False if stats is MISSING or stats is None else to_bool(stats)
    out = fit.statistics() if full else np.array([fit.coefficients()], dtype=object)
    if log:
        for j in range(out.shape[1]):
            if isinstance(out[0, j], float):
                out[0, j] = math.exp(out[0, j])
    return out


@register("LINEST", WHOLE, WHOLE, PER_ROW, PER_ROW, min_args=1)
def LINEST(known_y: Any, known_x: Any = MISSING, const: Any = MISSING, stats: Any = MISSING) -> Any:
    """LINEST(known_y's, [known_x's], [const=TRUE], [stats=FALSE]): the row
    ``{mₖ, …, m₁, b}``; with ``stats`` five rows (standard errors; r² and the
    standard error of y; F and the degrees of freedom; the regression and
    residual sums of squares), #N/A where a row is shorter."""
    return _estimate(known_y, known_x, const, stats, log=False)


@register("LOGEST", WHOLE, WHOLE, PER_ROW, PER_ROW, min_args=1)
def LOGEST(known_y: Any, known_x: Any = MISSING, const: Any = MISSING, stats: Any = MISSING) -> Any:
    """LOGEST(known_y's, [known_x's], [const=TRUE], [stats=FALSE]): the curve
    ``y = b·m₁^x₁ ⋯ mₖ^xₖ`` as ``{mₖ, …, m₁, b}``; the statistics are those of
    the linear fit of ``ln y``, as Excel gives them."""
    return _estimate(known_y, known_x, const, stats, log=True)

