"""Blocks: the formula cells computed together (:class:`Block`), where a
formula is evaluated (:class:`BlockContext`: a block of *n* rows), and how
a sheet's formulas are grouped into blocks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from addin.refresh.engine.grid import (
    SheetGrid,
    ref_bounds,
)
from addin.refresh.functions import CallContext
from addin.xlsx.formula import (
    Binary,
    FormulaSyntaxError,
    Func,
    Intersect,
    Node,
    Percent,
    RangeOp,
    Ref,
    SpillRef,
    Unary,
    Union,
    column_runs,
    parse,
)
from addin.xlsx.model import (
    Coord,
    Formula,
    SharedGroup,
    Sheet,
    Workbook,
)


@dataclass(eq=False)
class Block:
    """Formula cells computed together: ``n`` rows of one column (normal
    formulas), or one array/dynamic formula (``n`` = 1)."""

    sheet: str  # casefolded sheet key
    row: int
    col: int
    n: int
    formula: Formula
    node: Node | None = None
    deps: set[int] = field(default_factory=set)
    # the rectangle its results occupy, for the dependency index
    bottom: int = 0
    right: int = 0

    def cells(self) -> Iterable[Coord]:
        for i in range(self.n):
            yield (self.row + i, self.col)


@dataclass
class BlockContext(CallContext):
    """Where a formula is evaluated: a block of ``n`` rows of one column from
    (``row``, ``col``) — a cell is a block of one row — with the formula's
    relative references moved ``dr`` rows down from the text parsed. As a
    :class:`CallContext` (what functions see) it is its first row."""

    dr: int = 0
    n: int = 1

    def one(self, i: int) -> BlockContext:
        """Row ``i`` of the block as a block of one row."""
        return BlockContext(
            self.grid, self.row + i, self.col, self.array_mode, self.date1904, self.dr + i
        )


def group_blocks(
    wb: Workbook,
    grids: dict[str, SheetGrid],
    formula_coords: dict[str, np.ndarray],
    spill_extents: dict[tuple[str, Coord], Coord],
) -> list[Block]:
    """Every formula cell of ``wb`` in a block (the tree of a shared
    formula's block already moved from its master's). Formula cells are blanked in ``grids`` (and the ranges of
    array formulas and spills), as they are recomputed; ``spill_extents``
    widens a dynamic array's block to where an earlier pass found it spilled."""
    blocks: list[Block] = []
    for s in wb.sheets:
        key_sheet = s.name.casefold()
        grid = grids[key_sheet]
        normal: dict[int, list[tuple[int, Formula]]] = defaultdict(list)
        shared: dict[tuple[SharedGroup, int], list[tuple[int, int]]] = defaultdict(list)
        runs: dict[int, list[Block]] = defaultdict(list)
        if s.formulas:
            grid.clear_cells(formula_coords[key_sheet])
        for (r, c), f in s.formulas.singles().items():
            if f.kind == "normal":
                if f.group is not None:
                    shared[(f.group, c)].append((r, 1))
                else:
                    normal[c].append((r, f))
                continue
            b = Block(key_sheet, r, c, 1, f)
            if f.ref:
                (r1, c1), (r2, c2) = ref_bounds(f.ref)
                b.bottom, b.right = max(r, r2), max(c, c2)
                # the previous spill/array values are recomputed
                grid.clear(r1, c1, r2, c2)
            else:
                b.bottom, b.right = r, c
            wider = spill_extents.get((key_sheet, (r, c)))
            if wider is not None:
                b.bottom, b.right = max(b.bottom, wider[0]), max(b.right, wider[1])
            blocks.append(b)
        # formulas filled down a column, kept by the reader as runs: a block each
        for run in s.formulas.runs():
            f0, c = run.first, run.col
            if f0.group is not None:
                shared[(f0.group, c)].append((run.row, run.n))
            else:
                runs[c].append(Block(key_sheet, run.row, c, run.n, f0, bottom=run.last, right=c))
        shared_runs(s, shared, normal, runs)
        for c, cells in normal.items():
            cells.sort()  # by row: a column has one formula per row, so never by Formula
            for r0, n, f0 in column_runs(cells):
                runs[c].append(Block(key_sheet, r0, c, n, f0, bottom=r0 + n - 1, right=c))
        for column in runs.values():
            column.sort(key=lambda b: b.row)
            blocks.extend(column)
    return blocks


def shared_runs(
    s: Sheet,
    shared: dict[tuple[SharedGroup, int], list[tuple[int, int]]],
    normal: dict[int, list[tuple[int, Formula]]],
    runs: dict[int, list[Block]],
) -> None:
    """The blocks a sheet's shared formulas make, added to ``runs`` by
    column: the cells of one group in one column that sit in consecutive
    rows (``shared`` gives them as ``(first row, rows)`` spans) are one
    block, whose tree is the master's, parsed once per group and moved to
    the block's first cell — no child's text is expanded or compared. Cells
    where a moved reference would leave the sheet (``#REF!`` in the text),
    and groups whose master text does not parse, go to ``normal`` and
    take the per-cell path (their reported errors name their own text)."""
    key_sheet = s.name.casefold()
    trees: dict[SharedGroup, Node | None] = {}
    for (group, c), spans in shared.items():
        if group not in trees:
            try:
                trees[group] = parse(group.text)
            except FormulaSyntaxError:
                trees[group] = None
        tree = trees[group]
        mr, mc = group.master
        span = group.rows_on_sheet(c - mc)
        lo, hi = (mr + span[0], mr + span[1]) if span is not None else (1, 0)
        spans.sort()
        merged: list[list[int]] = []  # touching spans joined: [first, last]
        for r0, n in spans:
            if merged and merged[-1][1] + 1 == r0:
                merged[-1][1] = r0 + n - 1
            else:
                merged.append([r0, r0 + n - 1])
        for first, last in merged:
            a, b = (max(first, lo), min(last, hi)) if tree is not None else (first, first - 1)
            if a > b:  # no row on the sheet: every cell its own
                a, b = last + 1, last
            for r in (*range(first, a), *range(b + 1, last + 1)):
                normal[c].append((r, s.formulas[(r, c)]))
            if a <= b:
                node = shift_node(tree, a - mr, c - mc)
                runs[c].append(
                    Block(key_sheet, a, c, b - a + 1, s.formulas[(a, c)], node, bottom=b, right=c)
                )


def shift_node(node: Any, dr: int, dc: int = 0) -> Any:
    """The tree with every relative row moved ``dr`` rows down (and every
    relative column ``dc`` columns right)."""
    nd: Any = node
    if node is None or (dr == 0 and dc == 0):
        return node
    t = nd.__class__
    if t is Ref:
        return nd.shifted(dr, dc)
    if t is Func:
        return Func(nd.name, tuple(shift_node(a, dr, dc) for a in nd.args))
    if t is Binary:
        return Binary(nd.op, shift_node(nd.left, dr, dc), shift_node(nd.right, dr, dc))
    if t is Unary:
        return Unary(nd.op, shift_node(nd.operand, dr, dc))
    if t is Percent:
        return Percent(shift_node(nd.operand, dr, dc))
    if t is RangeOp:
        return RangeOp(shift_node(nd.left, dr, dc), shift_node(nd.right, dr, dc))
    if t is SpillRef:
        return SpillRef(shift_node(nd.anchor, dr, dc))
    if t is Intersect:
        return Intersect(shift_node(nd.left, dr, dc), shift_node(nd.right, dr, dc))
    if t is Union:
        return Union(tuple(shift_node(a, dr, dc) for a in nd.items))
    return node
