"""One sheet's cells for the engine: a dense, growable grid over the cells
present and a sparse map beyond it (:class:`SheetGrid`), and the helpers
that address and clean cell values.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from addin.refresh.functions import Area
from addin.xlsx.a1 import from_a1
from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
)
from addin.xlsx.model import (
    CellValue,
    Coord,
    Formula,
    SheetFormulas,
)
from udfs.errors import ExcelError

XL_PREFIX = re.compile(r"_xlfn\.|_xlws\.|_xlpm\.", re.IGNORECASE)


#: A sheet's grid is dense (one 8-byte slot per cell) over the rows and columns
#: its cells fill: at least this many slots, or this many per cell present …
DENSE_FLOOR = 1 << 22


DENSE_PER_CELL = 8


#: … and cells beyond it (one stray cell at XFD30000) are kept in a sparse map.
#: The most cells one range a formula reads may materialise (whole columns and
#: rows are first cut at the workbook's used extent): about 256 MB.
MATERIALISE_LIMIT = 1 << 25


class RangeTooLargeError(Exception):
    """A formula reads a range of more cells than :data:`MATERIALISE_LIMIT`."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__(rows, cols)
        self.rows, self.cols = rows, cols


def dense_extent(parts: Sequence[np.ndarray], rows: int, cols: int) -> tuple[int, int]:
    """How many rows and columns of a sheet to hold densely: its whole extent
    (``rows`` × ``cols``) when that costs at most a few slots per cell present
    (the cells' ``(n, 2)`` coordinate arrays ``parts``), else the corner
    (chosen among quantiles of the cells' rows and columns) that holds the
    most cells within that budget."""
    budget = max(DENSE_FLOOR, DENSE_PER_CELL * sum(len(p) for p in parts))
    if rows * cols <= budget:
        return (rows, cols)  # the usual sheet, decided without copying a coordinate
    coords = np.concatenate(parts)
    if not len(coords):
        return (1, 1)
    qs = (0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0)
    r_cands = {1, rows, *np.quantile(coords[:, 0], qs, method="higher").tolist()}
    c_cands = {1, cols, *np.quantile(coords[:, 1], qs, method="higher").tolist()}
    best = (-1, 0, (1, 1))  # the most cells held, then the fewest slots
    for r in r_cands:
        for c in c_cands:
            if r * c <= budget:
                held = int(np.count_nonzero((coords[:, 0] <= r) & (coords[:, 1] <= c)))
                best = max(best, (held, -r * c, (int(r), int(c))))
    return best[2]


class SheetGrid:
    """One sheet's cells (``None`` = blank): a dense, growable 2-D object array
    over the rows and columns the cells fill, and a sparse map (column → row →
    value) for cells beyond it, so memory follows the cells present, not the
    furthest address."""

    def __init__(
        self, name: str, rows: int, cols: int, dense: tuple[int, int] | None = None
    ) -> None:
        self.name = name
        dr, dc = dense if dense is not None else (rows, cols)
        self.data = np.full((max(dr, 1), max(dc, 1)), None, dtype=object)
        self.budget = max(DENSE_FLOOR, self.data.size)  # the dense part grows up to this
        self.far: dict[int, dict[int, Any]] = {}  # cells beyond ``data``: column → row → value
        self.limit_rows = rows  # whole columns are cut here (workbook-wide extent)
        self.limit_cols = cols
        # what INDIRECT, FORMULATEXT and ISFORMULA read: the book's sheets, this sheet's formulas
        self.sheets: dict[str, SheetGrid] = {}
        self.formulas: Mapping[Coord, Formula] = {}
        self.on_dynamic: Callable[[Area], None] | None = None
        self.name_ref: Callable[[str], Any] | None = None  # INDIRECT("a_name")
        self.hidden_rows: frozenset[int] = frozenset()  # what SUBTOTAL and AGGREGATE skip
        self.filtered_rows: frozenset[int] = frozenset()

    def formula_text(self, row: int, col: int) -> str | None:
        """The formula of a cell as Excel shows it (``=…``, storage prefixes dropped)."""
        f = self.formulas.get((row, col))
        if f is None:
            return None
        text = "=" + XL_PREFIX.sub("", f.text)
        return "{" + text + "}" if f.kind == "array" else text

    def get(self, row: int, col: int) -> Any:
        if 1 <= row <= self.data.shape[0] and 1 <= col <= self.data.shape[1]:
            return self.data[row - 1, col - 1]
        far = self.far.get(col)
        return None if far is None else far.get(row)

    def set(self, row: int, col: int, value: Any) -> None:
        r, c = self.data.shape
        if row <= r and col <= c:
            self.data[row - 1, col - 1] = value
            return
        self._grow(row, col)
        self._put_one(row, col, value)

    def put(self, top: int, left: int, values: np.ndarray) -> None:
        """Set the 2-D ``values`` from (top, left)."""
        h, w = values.shape
        self._grow(top + h - 1, left + w - 1)
        r, c = self.data.shape
        if top + h - 1 <= r and left + w - 1 <= c:
            self.data[top - 1 : top - 1 + h, left - 1 : left - 1 + w] = values
            return
        for i, row in enumerate(values.tolist()):
            for j, v in enumerate(row):
                self._put_one(top + i, left + j, v)

    def _put_one(self, row: int, col: int, value: Any) -> None:
        if row <= self.data.shape[0] and col <= self.data.shape[1]:
            self.data[row - 1, col - 1] = value
        elif value is not None:
            self.far.setdefault(col, {})[row] = value
        elif col in self.far:
            self.far[col].pop(row, None)

    def clear(self, top: int, left: int, bottom: int, right: int) -> None:
        """Blank the rectangle."""
        r, c = self.data.shape
        self.data[top - 1 : min(bottom, r), left - 1 : min(right, c)] = None
        for col in [k for k in self.far if left <= k <= right]:
            column = self.far[col]
            for row in [k for k in column if top <= k <= bottom]:
                del column[row]

    def put_cells(self, coords: np.ndarray, values: np.ndarray | None) -> None:
        """Set the cells of an ``(n, 2)`` array of (row, col) to ``values``
        (blank them when ``None``)."""
        r, c = self.data.shape
        inside = (coords[:, 0] <= r) & (coords[:, 1] <= c)
        self.data[coords[inside, 0] - 1, coords[inside, 1] - 1] = (
            None if values is None else values[inside]
        )
        outside = coords[~inside].tolist()
        far = [None] * len(outside) if values is None else values[~inside].tolist()
        for (row, col), v in zip(outside, far, strict=True):
            self._put_one(row, col, v)

    def clear_cells(self, coords: np.ndarray) -> None:
        """Blank the cells of an ``(n, 2)`` array of (row, col)."""
        self.put_cells(coords, None)

    def _grow(self, row: int, col: int) -> None:
        """Room for (row, col): at least half again as many rows or columns, so
        cells set one by one below the grid copy it a logarithmic number of
        times — while the dense part stays within its budget (beyond it the
        cell goes to the sparse map)."""
        r, c = self.data.shape
        if row > r or col > c:
            nr = r if row <= r else max(row, min(r + r // 2, MAX_ROW))
            nc = c if col <= c else max(col, min(c + c // 2, MAX_COL))
            if nr * nc > self.budget:
                nr, nc = max(r, row), max(c, col)
                if nr * nc > self.budget:
                    return
            bigger = np.full((nr, nc), None, dtype=object)
            bigger[:r, :c] = self.data
            self.data = bigger
            for col_, column in list(self.far.items()):  # the sparse cells now inside
                if col_ <= nc:
                    for row_ in [k for k in column if k <= nr]:
                        bigger[row_ - 1, col_ - 1] = column.pop(row_)
                    if not column:
                        del self.far[col_]

    def block(self, top: int, left: int, bottom: int, right: int) -> np.ndarray:
        if bottom >= MAX_ROW:
            bottom = max(top, min(bottom, self.limit_rows))
        if right >= MAX_COL:
            right = max(left, min(right, self.limit_cols))
        h, w = bottom - top + 1, right - left + 1
        r, c = self.data.shape
        if top >= 1 and left >= 1 and bottom <= r and right <= c:
            return self.data[top - 1 : bottom, left - 1 : right]
        if h * w > MATERIALISE_LIMIT:
            raise RangeTooLargeError(h, w)
        out = np.full((h, w), None, dtype=object)
        t0, l0 = max(top, 1), max(left, 1)
        b0, r0 = min(bottom, r), min(right, c)
        if t0 <= b0 and l0 <= r0:
            out[t0 - top : b0 - top + 1, l0 - left : r0 - left + 1] = self.data[
                t0 - 1 : b0, l0 - 1 : r0
            ]
        if self.far:
            self._far_into(out, top, left, bottom, right)
        return out

    def _far_into(self, out: np.ndarray, top: int, left: int, bottom: int, right: int) -> None:
        """Copy the sparse cells inside the rectangle into ``out``, in time
        bounded by the rectangle's size as well as by the cells stored."""
        h, w = out.shape
        cols = range(left, right + 1) if w < len(self.far) else sorted(self.far)
        for col in cols:
            column = self.far.get(col)
            if not column or not left <= col <= right:
                continue
            if h < len(column):
                pairs = ((row, column.get(row)) for row in range(top, bottom + 1))
            else:
                pairs = ((row, v) for row, v in column.items() if top <= row <= bottom)
            for row, v in pairs:
                if v is not None:
                    out[row - top, col - left] = v


def cell_value(v: Any) -> CellValue:
    if isinstance(v, bool) or v is None or isinstance(v, str | ExcelError):
        return v
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
        return f if math.isfinite(f) else OVERFLOW
    return v


#: A number past ±1E308 (or not a number) where a cell would hold it: Excel's #NUM!.
OVERFLOW = ExcelError("#NUM!", "结果溢出 / result overflows (±1E308)")


def coord_array(cells: Mapping[Coord, Any]) -> np.ndarray:
    """The keys of ``cells`` as an ``(n, 2)`` array of (row, col) (a sheet's
    formula runs as ranges, with no tuple per cell)."""
    if isinstance(cells, SheetFormulas):
        single = cells.singles()
        parts = [coord_array(single)] if single else []
        for run in cells.runs():
            rows = np.arange(run.row, run.row + run.n, dtype=np.intp)
            parts.append(np.column_stack((rows, np.full(run.n, run.col, dtype=np.intp))))
        return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.intp)
    flat = np.fromiter(itertools.chain.from_iterable(cells), dtype=np.intp, count=2 * len(cells))
    return flat.reshape(-1, 2)


def ref_bounds(ref: str) -> tuple[Coord, Coord]:
    if ":" in ref:
        a, b = ref.split(":", 1)
        return from_a1(a), from_a1(b)
    c = from_a1(ref)
    return c, c
