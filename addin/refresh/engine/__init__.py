"""The built-in calculation engine: ``calculate(workbook) -> Results``.

How it works
------------
1. **Blocks.** The cells of one shared formula (the reader keeps the file's
   groups, :class:`addin.xlsx.model.SharedGroup`) that sit in consecutive
   rows of one column form one *block*, whose tree is the master's, parsed
   once per group and moved to the block's first cell — no child's text is
   expanded. The other formula cells of a column whose formulas are equal in
   R1C1 form and that sit in consecutive rows form one block too — a column
   filled down without shared formulas — parsed once (its first cell's text).
   The reader already keeps both kinds as runs
   (:class:`addin.xlsx.model.SheetFormulas`), which become blocks without a
   Formula per cell; a block's results are one array
   (:class:`addin.xlsx.model.SheetResults`).
2. **Order.** Each block's precedents (the rectangles its references cover over
   all its rows) give the edges of a dependency graph between blocks; a block
   that reads its own cells (a running total) is split into single cells.
   Blocks are evaluated in topological order; cells left in a cycle raise
   :class:`CircularReferenceError`.
3. **One evaluator, the block as the unit.** :meth:`Engine.ev` evaluates a
   formula for a block (:class:`BlockContext`: sheet, first row, column, *n* rows, how
   far the formula's references move, array mode); a single cell is a block
   of one row and takes the same path, where nothing is per row. Down a block
   of *n* rows a value is shared by every row unless it can differ: a relative
   single-cell reference becomes a column vector of *n* values, a relative
   range a per-row rectangle, an absolute range one shared value.
   Arithmetic and comparisons run as numpy operations, and so does every
   function that declares a *column path* with its registration
   (:mod:`addin.refresh.functions.columns`): ``IF``, ``ROUND``,
   ``VLOOKUP``/``HLOOKUP``/``MATCH``/``XMATCH`` exact match (one hash index
   per table), ``RANK``/``RANK.EQ``/``RANK.AVG`` (one sort, O(n log n)),
   ``SUMPRODUCT`` of references, the contract functions (one kernel call for
   the column, its per-row arguments — registry role ``row``, in any position
   — stacked into columns) and ``COUNTIF``/``SUMIFS``/… whose criteria vary by
   row (one pass grouped by the distinct criteria,
   :func:`addin.refresh.functions.criteria.grouped_ifs`); every other function
   runs row by row on plain values (no re-walking of the formula).
   What has no per-row form (``LET``, a ``LAMBDA`` call, a range fixed at one
   end, arguments read as arrays, names, tables, the range operators) is
   evaluated once when it cannot differ by row, else split into blocks of one
   row, each through the same :meth:`Engine.ev`. ``calculate(...,
   vectorise=False)`` splits every block into blocks of one row: the
   reference ``tests/test_engine.py`` compares blocks with on random data.
4. **Arrays.** Dynamic-array formulas spill (``#SPILL!`` when the target cells
   are not empty), sized and written in one pass; a spill that grew beyond
   the range saved in the file costs another pass only when a cell computed
   before it reads the new part. Legacy array formulas fill their range; in
   normal formulas a range where one value is expected is implicitly intersected.

Anything outside the supported functions raises
:class:`UnsupportedFormulaError` listing every cell, before anything is computed.

The package, one module per job:

- :mod:`.grid` — each sheet's cells (:class:`SheetGrid`);
- :mod:`.setup` — the engine's state built from a workbook, function specs by name;
- :mod:`.blocks` — blocks and the block context (:class:`BlockContext`);
- :mod:`.names` — defined names, LET, LAMBDA, 3-D references, tables;
- :mod:`.graph` — precedents, the order of the blocks, cycles;
- :mod:`.spills` — dynamic arrays and legacy array formulas;
- :mod:`.evaluate` — the evaluator (:class:`Engine`).

The evaluator knows no function by name: what a function needs of it is
declared on its spec (:class:`addin.refresh.functions.EngineFunction`: returns a
reference, reads values only, binds names, its column path …), in the module
of the function library that defines the function.
"""

from __future__ import annotations

import gc

from addin.refresh.engine.blocks import Block, BlockContext, shift_node
from addin.refresh.engine.evaluate import Engine
from addin.refresh.engine.grid import (
    DENSE_FLOOR,
    DENSE_PER_CELL,
    MATERIALISE_LIMIT,
    RangeTooLargeError,
    SheetGrid,
    dense_extent,
    ref_bounds,
)
from addin.refresh.engine.setup import Rect
from addin.refresh.external_refs import with_external_sheets
from addin.refresh.name_depth import check_name_depth
from addin.xlsx.model import (
    CircularReferenceError,
    Coord,
    Results,
    UnsupportedFormulaError,
    Workbook,
)

__all__ = [
    "DENSE_FLOOR",
    "DENSE_PER_CELL",
    "MATERIALISE_LIMIT",
    "Block",
    "BlockContext",
    "CircularReferenceError",
    "Engine",
    "RangeTooLargeError",
    "SheetGrid",
    "UnsupportedFormulaError",
    "calculate",
    "dense_extent",
    "ref_bounds",
    "shift_node",
]


def calculate(wb: Workbook, *, vectorise: bool = True) -> Results:
    """Recalculate every formula of ``wb``.

    ``vectorise=False`` splits every block into blocks of one row, each cell
    evaluated on its own (the reference block evaluation is tested against).

    Returns the value of every formula cell and of every cell a dynamic array
    spills into (``None`` for cells a shrunken spill no longer covers).
    Raises :class:`UnsupportedFormulaError` (every cell using a function or
    construct outside the supported list, or the cell of a formula reading a
    range of more than :data:`MATERIALISE_LIMIT` cells) and
    :class:`CircularReferenceError`.
    """
    check_name_depth(wb)  # names nested past the limit: refused, the cells named
    wb = with_external_sheets(wb)  # [1]Sheet1!A1: links to other workbooks
    # The engine allocates many small objects while nothing it builds is
    # cyclic garbage: pausing the cyclic collector saves a third of the time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        extents: dict[tuple[str, Coord], Coord] = {}
        late: list[tuple[str, int, int, int, Rect]] = []
        for _ in range(5):
            engine = Engine(wb, vectorise, extents, late)
            try:
                results = engine.run()
                if (not engine.grown or not engine.read_too_early()) and not engine.late_found:
                    return results
            finally:
                engine.release()
            # OFFSET/INDIRECT read formula cells computed after them: again,
            # with those ranges among their precedents
            late.extend(r for r in engine.late_found if r not in late)
            # a dynamic array spilled beyond the range saved in the file: cells
            # reading the new part may have been computed before it; again,
            # now with the real extent in the dependency graph
            extents.update(engine.grown)
        return results
    finally:
        if was_enabled:
            gc.enable()
