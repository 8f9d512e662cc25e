"""Spills: a dynamic array's values written from its anchor (``#SPILL!`` when
blocked), sized in one pass; legacy array formulas filling their range; the
``A1#`` operator.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from addin.refresh import functions as fx
from addin.refresh.engine.blocks import Block
from addin.refresh.engine.graph import GraphMixin
from addin.refresh.engine.grid import (
    OVERFLOW,
    cell_value,
    ref_bounds,
)
from addin.refresh.functions import MISSING, Area, MultiArea
from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
)
from addin.xlsx.model import (
    CellValue,
    Coord,
)
from udfs.errors import REF, SPILL, VALUE, ExcelError


class SpillsMixin(GraphMixin):
    """Dynamic arrays spilled and legacy array formulas filled."""

    def _spill(self, b: Block, arr: np.ndarray) -> None:
        """Write a dynamic array's values from its anchor, sized in one pass:
        the target checked for other values and formula cells at once, the
        values set as one block (``#SPILL!`` in the anchor when blocked)."""
        g = self.grids[b.sheet]
        h, w = arr.shape
        old = ref_bounds(b.formula.ref) if b.formula.ref else ((b.row, b.col), (b.row, b.col))
        blocked = False
        if b.row + h - 1 >= MAX_ROW or b.col + w - 1 >= MAX_COL:
            blocked = True  # beyond the edge of the sheet: #SPILL! as in Excel
        elif (h, w) != (1, 1):
            target = g.block(b.row, b.col, b.row + h - 1, b.col + w - 1)
            taken = np.frompyfunc(_is_set, 1, 1)(target).astype(bool)
            taken[0, 0] = False
            blocked = bool(taken.any()) or self._formulas_within(
                b.sheet, (b.row, b.col), (b.row + h - 1, b.col + w - 1)
            )
        out = self.sheet_results(g.name)
        (r1, c1), (r2, c2) = old
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (b.row, b.col) and not (
                    not blocked and r < b.row + h and c < b.col + w
                ):
                    out[(r, c)] = None
        if blocked:
            self._store(
                b,
                (b.row, b.col),
                SPILL.with_message("溢出区域不为空 / the spill range is not empty"),
            )
            self.spills[(b.sheet, (b.row, b.col))] = (b.row, b.col)
            return
        values = np.empty((h, w), dtype=object)
        if arr.dtype == object and not any(isinstance(x, Area) for x in arr.ravel().tolist()):
            values[...] = [[_clean_spill(x) for x in row] for row in arr.tolist()]
        else:
            for idx, x in np.ndenumerate(arr):
                values[idx] = _spill_value(x)
        g.put(b.row, b.col, values)
        flat = values.tolist()
        out.update(
            ((b.row + i, b.col + j), v) for i, row in enumerate(flat) for j, v in enumerate(row)
        )
        end = (b.row + h - 1, b.col + w - 1)
        self.spills[(b.sheet, (b.row, b.col))] = end
        if end[0] > b.bottom or end[1] > b.right:
            self.grown[(b.sheet, (b.row, b.col))] = end
            self._grown_at[(b.sheet, (b.row, b.col))] = self._position.get(id(b), 0)

    def read_too_early(self) -> bool:
        """Whether a block computed before a dynamic array that spilled beyond
        its saved range reads the cells it grew into (only then is another
        pass needed: a spill nobody read early is sized in this one)."""
        for (sheet, anchor), end in self.grown.items():
            at = self._grown_at.get((sheet, anchor), 0)
            for b in self._order[:at]:
                if b.node is None:
                    continue
                for key, top, left, bottom, right in self.precedents(b):
                    if (
                        key == sheet
                        and top <= end[0]
                        and bottom >= anchor[0]
                        and left <= end[1]
                        and right >= anchor[1]
                    ):
                        return True
        return False

    def _formulas_within(self, sheet: str, anchor: Coord, end: Coord) -> bool:
        """Whether a formula cell other than ``anchor`` lies in anchor…end."""
        coords = self._formula_coords.get(sheet)
        if coords is None:
            return False
        rows, cols = coords[:, 0], coords[:, 1]
        inside = (rows >= anchor[0]) & (rows <= end[0]) & (cols >= anchor[1]) & (cols <= end[1])
        inside &= (rows != anchor[0]) | (cols != anchor[1])
        return bool(inside.any())

    def spill_area(self, anchor: Any) -> Any:
        if not isinstance(anchor, Area):
            return anchor if isinstance(anchor, ExcelError) else REF
        key = (anchor.grid.name.casefold(), (anchor.top, anchor.left))
        end = self.spills.get(key)
        if end is None:  # a legacy array formula's range (ironcalc spill_operator.xlsx!G2)
            f = self._formula_at(key[0], key[1])
            if f is not None and f.kind == "array" and f.ref:
                end = ref_bounds(f.ref)[1]
        if end is None:
            return REF.with_message("该单元格没有溢出数组 / no spilled array there")
        return Area(anchor.grid, anchor.top, anchor.left, end[0], end[1])


def as_result_array(v: Any) -> np.ndarray:
    if isinstance(v, MultiArea):
        v = VALUE.with_message("多区域引用不能作为结果 / a multi-area reference is not a value")
    if isinstance(v, Area):
        return v.values()
    return fx.as_array(v)


def _is_set(v: Any) -> bool:
    return v is not None


def _clean_spill(v: Any) -> CellValue:
    """:func:`_spill_value` of a plain value (no reference)."""
    if v.__class__ is float:
        return v if math.isfinite(v) else OVERFLOW
    if v is None or v is MISSING:
        return 0.0
    return cell_value(v)


def _spill_value(v: Any) -> CellValue:
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, Area):
        v = v.value()
        return 0.0 if v is None else v
    return cell_value(v)


def fill_value(arr: np.ndarray, i: int, j: int) -> CellValue:
    """A legacy array formula's value in its range cell (i, j): a single row or
    column repeats, cells beyond the result are #N/A."""
    return _spill_value(fx.broadcast_get(arr, i, j))
