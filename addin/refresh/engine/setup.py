"""The engine's state: grids, names, tables and results built from a workbook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from addin import registry
from addin.refresh import functions as fx
from addin.refresh.engine.blocks import Block, BlockContext
from addin.refresh.engine.grid import (
    SheetGrid,
    cell_value,
    coord_array,
    dense_extent,
    ref_bounds,
)
from addin.refresh.functions import Area, EngineFunction
from addin.refresh.functions.contract import contract_spec
from addin.xlsx.columns import CellValues
from addin.xlsx.formula import (
    Node,
)
from addin.xlsx.model import (
    Coord,
    DefinedName,
    Formula,
    Results,
    SheetResults,
    Workbook,
)

Rect = tuple[str, int, int, int, int]  # sheet key, top, left, bottom, right


def sheet_cells(values: Mapping[Coord, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A sheet's cells as an ``(n, 2)`` (row, col) array and an object array
    of their values (cleaned for the grid); a sheet read into typed columns
    (:class:`addin.xlsx.columns.CellValues`) straight from its arrays, with no
    object per cell but the values themselves."""
    columns = values.columns if isinstance(values, CellValues) else None
    cells = values.cells if isinstance(values, CellValues) else values
    if columns is not None and not cells:
        return columns.coords(), columns.objects()
    coords = coord_array(cells)
    vals = np.empty(len(cells), dtype=object)
    vals[:] = [
        v if v.__class__ is float or v.__class__ is str else cell_value(v) for v in cells.values()
    ]
    if columns is not None:
        return np.concatenate([columns.coords(), coords]), np.concatenate([columns.objects(), vals])
    return coords, vals


class EngineBase:
    """The engine's state, built from a workbook: a grid per sheet holding its
    values (formula cells blanked until computed), the defined names and
    tables, the function specs by name, and what a calculation records."""

    def __init__(
        self,
        wb: Workbook,
        vectorise: bool = True,
        spill_extents: dict[tuple[str, Coord], Coord] | None = None,
        late_reads: list[tuple[str, int, int, int, Rect]] | None = None,
    ) -> None:
        self.wb = wb
        self.vectorise = vectorise
        # where dynamic arrays spilled beyond the range saved in the file (an
        # earlier pass found them): their dependents must come after them
        self.spill_extents = dict(spill_extents or {})
        self.grown: dict[tuple[str, Coord], Coord] = {}
        # ranges OFFSET/INDIRECT read (known only when evaluated) that hold
        # formulas an earlier pass computed too late: (sheet, top, bottom, col, rect)
        self.late_reads = list(late_reads or [])
        self.dynamic_reads: list[tuple[Block, Rect]] = []
        self.late_found: list[tuple[str, int, int, int, Rect]] = []
        self._current: Block | None = None
        self.date1904 = wb.date1904
        rows = cols = 1  # the workbook's extent: where whole columns and rows are cut
        # every sheet's cells as (row, col) arrays: the extent and the grids from them
        present: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        cell_values: dict[str, np.ndarray] = {}
        extent: dict[str, tuple[int, int]] = {}  # each sheet's own last row and column
        for s in wb.sheets:
            rc, cell_values[s.name] = sheet_cells(s.values)
            fc = coord_array(s.formulas)
            present[s.name] = (rc, fc)
            last_row, last_col = max(s.max_row, 1), max(s.max_col, 1)
            for coords in (rc, fc):
                if len(coords):
                    last_row = max(last_row, int(coords[:, 0].max()))
                    last_col = max(last_col, int(coords[:, 1].max()))
            for f in s.formulas.distinct():  # a run's cells have no ref
                if f.ref:
                    _, (r2, c2) = ref_bounds(f.ref)
                    last_row, last_col = max(last_row, r2), max(last_col, c2)
            extent[s.name] = (last_row, last_col)
            rows, cols = max(rows, last_row), max(cols, last_col)
        self.grids: dict[str, SheetGrid] = {}
        # every sheet's formula cells as (row, col): blanked before computing,
        # and where a spill must not land
        self._formula_coords = {name.casefold(): fc for name, (_rc, fc) in present.items()}
        for s in wb.sheets:
            rc, fc = present[s.name]
            # held densely over the sheet's own cells (not the whole workbook's
            # extent: a 30-cell parameter sheet beside a 300,000-row log is not
            # 300,000 rows of slots); whole columns are still cut at ``rows``
            dense = dense_extent((rc, fc), *extent[s.name])
            g = SheetGrid(s.name, rows, cols, dense)
            if len(rc):
                g.put_cells(rc, cell_values.pop(s.name))
            self.grids[s.name.casefold()] = g
            g.sheets, g.formulas = self.grids, s.formulas
            g.on_dynamic = self._dynamic_read
            g.hidden_rows, g.filtered_rows = s.hidden_rows, s.filtered_rows
            g.name_ref = self._name_ref
        self.tables = {t.name.casefold(): t for t in wb.tables}
        for t in wb.tables:  # rows a table's own filter hides are filtered too
            tg = self.grids.get(t.sheet.casefold())
            if t.filtered and tg is not None and tg.hidden_rows:
                top, bottom = t.first[0] + t.header_rows, t.last[0] - t.totals_rows
                tg.filtered_rows = tg.filtered_rows | {
                    r for r in tg.hidden_rows if top <= r <= bottom
                }
        self.names: dict[tuple[str | None, str], DefinedName] = {}
        for dn in wb.names:
            scope = dn.sheet.casefold() if dn.sheet else None
            self.names[(scope, dn.name.casefold())] = dn
        self._name_nodes: dict[tuple[str | None, str], Node | None] = {}
        self._names_open: set[tuple[str | None, str]] = set()
        self._lets: list[dict[str, Any]] = []
        self._specs: dict[str, EngineFunction | None] = {}
        self._memo: dict[Any, Any] = {}  # what a block derives from shared ranges
        self.spills: dict[tuple[str, Coord], tuple[int, int]] = {}
        self.results = Results()
        self.blocks: list[Block] = []
        self._position: dict[int, int] = {}  # id(block) → its place in the order
        self._order: list[Block] = []
        self._running: list[Block] = []  # the order being computed (data tables read it)
        self._grown_at: dict[tuple[str, Coord], int] = {}

    def spec(self, name: str) -> EngineFunction | None:
        if name in self._specs:
            return self._specs[name]
        spec: EngineFunction | None = None
        if not registry.marked_udf(name):
            spec = fx.lookup(name)
        if spec is None:
            spec = contract_spec(name)
        self._specs[name] = spec
        return spec

    def _formula_at(self, sheet: str, coord: Coord) -> Formula | None:
        g = self.grids.get(sheet)
        if g is None:
            return None
        for s in self.wb.sheets:
            if s.name.casefold() == sheet:
                return s.formulas.get(coord)
        return None

    def _store(self, b: Block, coord: Coord, value: Any) -> None:
        g = self.grids[b.sheet]
        g.set(coord[0], coord[1], value)
        self.sheet_results(g.name)[coord] = value

    def sheet_results(self, name: str) -> SheetResults:
        """The results of sheet ``name`` (made on first use)."""
        out = self.results.values.get(name)
        if out is None:
            out = self.results.values[name] = SheetResults()
        assert isinstance(out, SheetResults)
        return out

    # What the other modules of the package provide (the grids call back into them).

    def ev(self, node: Node, bx: BlockContext) -> Any:
        """Evaluate ``node`` for the block ``bx`` (:mod:`.evaluate`)."""
        raise NotImplementedError

    def release(self) -> None:
        """Unlink the grids from each other and from the engine. They point
        to the book's grids (INDIRECT) and to the engine's own methods, which
        makes the engine, its grids and the workbook a reference cycle: with
        the cyclic collector paused (as a refresh runs) they would outlive
        :func:`calculate` and sit in memory beside the writer's work."""
        for g in self.grids.values():
            g.sheets, g.formulas = {}, {}
            g.on_dynamic = g.name_ref = None
        self.grids = {}

    def _dynamic_read(self, area: Area) -> None:
        """Record a range OFFSET/INDIRECT evaluated to (:mod:`.graph`)."""
        raise NotImplementedError

    def _name_ref(self, text: str) -> Any:
        """The reference a defined name stands for (:mod:`.names`)."""
        raise NotImplementedError
