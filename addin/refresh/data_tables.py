"""What-if data tables (Data ▸ What-If Analysis ▸ Data Table), as Excel computes them.

Excel stores a data table as ``<f t="dataTable" ref="B5:B11" r1="A2" dtr="0"/>``
and shows it as ``{=TABLE(row_input_cell, column_input_cell)}``; the reader
(:mod:`addin.xlsx.worksheets`) keeps that text, with an empty argument for the
input a one-variable table does not use. The layout around ``ref``:

- a **column** of inputs (``TABLE(,A2)``): the input values stand in the column
  left of ``ref``, the formulas in the row above it; cell (i, j) is the
  formula above column j computed with A2 set to the input left of row i;
- a **row** of inputs (``TABLE(B2,)``): the values in the row above, the
  formulas in the column to the left; cell (i, j) is the formula left of row
  i with B2 set to the value above column j;
- **two** inputs (``TABLE(B2,A2)``): one formula at the corner above-left;
  cell (i, j) is it with B2 set to the value above column j and A2 to the value
  left of row i.

Excel recomputes the model once per input (or pair): every formula that
depends on an input cell is computed again with the input replaced, the
result read, and the sheet put back. :func:`compute` does exactly that with
the engine's own blocks, in the engine's order, so a table reads whatever
chain of formulas stands between its inputs and its result formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from addin.xlsx.formula import Func, Ref
from udfs.errors import ExcelError

Rect = tuple[str, int, int, int, int]  # (sheet key, top, left, bottom, right)


class _Block(Protocol):
    sheet: str
    row: int
    col: int
    bottom: int
    right: int
    node: Any
    formula: Any


B = TypeVar("B", bound=_Block)


class _Grid(Protocol):
    def get(self, row: int, col: int) -> Any: ...

    def set(self, row: int, col: int, value: Any) -> None: ...


def is_data_table(b: _Block) -> bool:
    """Whether the block is a data table's ``{=TABLE(…)}``."""
    node = b.node
    return (
        b.formula.kind == "array"
        and bool(b.formula.ref)
        and isinstance(node, Func)
        and node.name.upper() == "TABLE"
    )


def _inputs(b: _Block) -> tuple[Ref | None, Ref | None]:
    args = [*b.node.args, None, None]
    row_in, col_in = args[0], args[1]
    return (
        row_in if isinstance(row_in, Ref) else None,
        col_in if isinstance(col_in, Ref) else None,
    )


def precedents(b: _Block, top: int, left: int, bottom: int, right: int) -> list[Rect]:
    """What the table reads besides its input cells: the row above it and the
    column to its left (input values and result formulas)."""
    return [(b.sheet, top - 1, left - 1, top - 1, right), (b.sheet, top, left - 1, bottom, left - 1)]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] == b[0] and a[1] <= b[3] and b[1] <= a[3] and a[2] <= b[4] and b[2] <= a[4]


def compute(
    b: B,
    bounds: tuple[int, int, int, int],
    earlier: Sequence[B],
    grid_of: Callable[[str], _Grid],
    sheet_key: Callable[[Ref, str], str],
    reads: Callable[[B], list[Rect]],
    evaluate: Callable[[B], None],
) -> dict[tuple[int, int], Any]:
    """The table's values by cell: the model recomputed per input.

    ``earlier`` are the blocks computed before the table, in order; ``reads``
    gives a block's precedent rectangles and ``evaluate`` computes a block
    again (storing its values), both the engine's own."""
    top, left, bottom, right = bounds
    row_in, col_in = _inputs(b)
    if row_in is None and col_in is None:
        err = ExcelError("#REF!", "数据表没有输入单元格 / the data table has no input cell")
        return {(i, j): err for i in range(top, bottom + 1) for j in range(left, right + 1)}
    inputs = [(sheet_key(ref, b.sheet), ref.top, ref.left) for ref in (row_in, col_in) if ref]
    dirty: list[Rect] = [(s, r, c, r, c) for s, r, c in inputs]
    affected = []
    for blk in earlier:  # the formulas an input reaches, in the engine's order
        if blk.node is None or is_data_table(blk):
            continue
        if any(_overlaps(rect, d) for rect in reads(blk) for d in dirty):
            affected.append(blk)
            dirty.append((blk.sheet, blk.row, blk.col, max(blk.bottom, blk.row), blk.right))
    grid = grid_of(b.sheet)
    saved = [grid_of(s).get(r, c) for s, r, c in inputs]
    out: dict[tuple[int, int], Any] = {}
    for i in range(top, bottom + 1):
        for j in range(left, right + 1):
            if row_in is not None and col_in is not None:
                given = [grid.get(top - 1, j), grid.get(i, left - 1)]
                source = (top - 1, left - 1)
            elif col_in is not None:
                given, source = [grid.get(i, left - 1)], (top - 1, j)
            else:
                given, source = [grid.get(top - 1, j)], (i, left - 1)
            for (s, r, c), v in zip(inputs, given, strict=True):
                grid_of(s).set(r, c, v)
            for blk in affected:
                evaluate(blk)
            v = grid.get(*source)
            out[(i, j)] = 0.0 if v is None else v
    for (s, r, c), v in zip(inputs, saved, strict=True):
        grid_of(s).set(r, c, v)
    for blk in affected:  # the sheet as it was
        evaluate(blk)
    return out
