"""The vocabulary of column paths: a function down a block of rows in one pass.

A formula filled down a column is evaluated once for the block of its rows
(:mod:`addin.refresh.engine`). A value that differs by row is a
:class:`RowValues` (one value per row) or a :class:`RowArea` (a range moving
down with the row); a function's *column path*, registered with the function
(``register("VLOOKUP", …, column=vlookup_column)``), takes such arguments and
returns the per-row values at numpy speed, or ``None`` to leave the block to
the function applied row by row — which must give the same values (the
engine's ``vectorise=False`` mode is that reference, and the differential
tests compare the two).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from addin.refresh.functions._core import Area, CallContext, Grid, as_array, round15
from udfs.errors import ExcelError
from udfs.rounding import round_sig


class Rows(Protocol):
    """The block a column path is applied to: ``n`` rows from the formula's
    first cell; ``one(i)`` is row ``i`` as a call context."""

    n: int
    date1904: bool

    def one(self, i: int) -> CallContext: ...


#: ``column(spec, args, rows, memo)`` → per-row values, one value, or ``None``.
ColumnPath = Callable[..., Any]


class RowValues:
    """Per-row values of a block: a 1-D array of ``n`` values (float64 when
    every value is a number). ``src`` is ``(grid, top, col)`` when the values
    are a relative single-cell reference (so a range argument sees a cell)."""

    __slots__ = ("src", "v")

    def __init__(self, v: np.ndarray, src: tuple[Any, int, int] | None = None) -> None:
        self.v = v
        self.src = src


class RowArea:
    """A relative multi-cell reference: row ``i`` of the block sees the
    rectangle shifted down by ``i``."""

    __slots__ = ("bottom", "grid", "left", "right", "top")

    def __init__(self, grid: Grid, top: int, left: int, bottom: int, right: int) -> None:
        self.grid, self.top, self.left, self.bottom, self.right = grid, top, left, bottom, right

    def area(self, i: int) -> Area:
        return Area(self.grid, self.top + i, self.left, self.bottom + i, self.right)


_SCALARS = (float, str, bool, ExcelError, type(None))


_SCALAR_TYPES = frozenset(_SCALARS)


def plain(vec: RowValues) -> bool:
    """Every row holds one plain value (no array, no reference)."""
    if vec.v.dtype == np.float64:
        return True
    values = vec.v.tolist()
    if set(map(type, values)) <= _SCALAR_TYPES:  # at C speed, the usual answer
        return True
    return all(isinstance(x, _SCALARS) for x in values)


def is_rows(v: Any) -> bool:
    return isinstance(v, RowValues | RowArea)


def floats(vec: RowValues) -> np.ndarray | None:
    """The vector as float64 if every value is a number, blank (0) or logical."""
    v = vec.v
    if v.dtype == np.float64:
        return v
    out = np.empty(len(v))
    for i, x in enumerate(v):
        t = x.__class__
        if t is float:
            out[i] = x
        elif x is None:
            out[i] = 0.0
        elif t is bool:
            out[i] = 1.0 if x else 0.0
        else:
            return None
    return out


def pure_floats(arr: np.ndarray) -> np.ndarray | None:
    """An object array as float64 when it holds only floats."""
    if arr.dtype == np.float64:
        return arr
    try:
        if set(map(type, arr.tolist())) <= {float}:
            return arr.astype(np.float64)
    except TypeError:  # a 0-d array
        return None
    return None


def round15_array(x: np.ndarray) -> np.ndarray:
    """:func:`addin.refresh.functions.round15` element-wise (same results):
    numpy for the values it leaves alone, the scalar function for the rest."""
    x = np.asarray(x, dtype=np.float64)
    r = round_sig(x, 15)
    differ = np.nonzero((r != x) & np.isfinite(x))[0]
    for i in differ.tolist():
        r[i] = round15(float(x[i]))
    return r


def shared_array(memo: dict[Any, Any], a: Any) -> np.ndarray | None:
    """A range or array argument shared by every row as one 2-D array, made
    once per block (``memo`` keeps it, and so its id, alive)."""
    if isinstance(a, Area | np.ndarray):
        key = id(a)
        if key not in memo:
            memo[key] = (a, as_array(a).copy())
        return memo[key][1]
    return None
