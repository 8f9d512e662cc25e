"""The built-in calculation engine: ``calculate(workbook) -> Results``.

How it works
------------
1. **Blocks.** The cells of one shared formula (the reader keeps the file's
   groups, :class:`addin.xlsx.package.SharedGroup`) that sit in consecutive
   rows of one column form one *block*, whose tree is the master's, parsed
   once per group and moved to the block's first cell — no child's text is
   expanded. The other formula cells of a column whose formulas are equal in
   R1C1 form (:func:`addin.xlsx.formula.r1c1_key`) and that sit in
   consecutive rows form one block too — a column filled down without shared
   formulas — parsed once (its first cell's text).
2. **Order.** Each block's precedents (the rectangles its references cover over
   all its rows) give the edges of a dependency graph between blocks; a block
   that reads its own cells (a running total) is split into single cells.
   Blocks are evaluated in topological order; cells left in a cycle raise
   :class:`CircularReferenceError`.
3. **One evaluator, the block as the unit.** :meth:`_Engine.ev` evaluates a
   formula for a block (:class:`_Bx`: sheet, first row, column, *n* rows, how
   far the formula's references move, array mode); a single cell is a block
   of one row and takes the same path, where nothing is per row. Down a block
   of *n* rows a value is shared by every row unless it can differ: a relative
   single-cell reference becomes a column vector of *n* values, a relative
   range a per-row rectangle, an absolute range one shared value; arithmetic,
   comparisons, ``IF``, ``ROUND``, ``VLOOKUP``/``MATCH``/``XLOOKUP``/``XMATCH``
   exact match (one hash index per table), ``RANK``/``RANK.EQ``/``RANK.AVG``
   (one sort, O(n log n)), ``SUMPRODUCT`` of references and the contract
   functions (one kernel call for the column, its per-row arguments —
   registry role ``row``, in any position — stacked into columns) run as
   numpy operations; ``COUNTIF``/``SUMIFS``/… whose criteria vary by row run
   as one pass grouped by the distinct criteria
   (:func:`addin.refresh.functions.criteria.grouped_ifs`); every other
   function runs row by row on plain values (no re-walking of the formula).
   What has no per-row form (``LET``, a ``LAMBDA`` call, a range fixed at one
   end, arguments read as arrays, names, tables, the range operators) is
   evaluated once when it cannot differ by row, else split into blocks of one
   row, each through the same :meth:`_Engine.ev`. ``calculate(...,
   vectorise=False)`` splits every block into blocks of one row: the
   reference ``tests/test_engine.py`` compares blocks with on random data.
4. **Arrays.** Dynamic-array formulas spill (``#SPILL!`` when the target cells
   are not empty), sized and written in one pass; a spill that grew beyond
   the range saved in the file costs another pass only when a cell computed
   before it reads the new part. Legacy array formulas fill their range; in
   normal formulas a range where one value is expected is implicitly intersected.

Anything outside the supported functions raises
:class:`UnsupportedFormulaError` listing every cell, before anything is computed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import math
import re
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from addin import registry
from addin.refresh import functions as fx
from addin.refresh.functions import MISSING, Area, CallContext, FunctionSpec, MultiArea, criteria
from addin.xlsx.a1 import from_a1
from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
    ArrayLit,
    Binary,
    Bool,
    ErrorLit,
    ErrorLitValue,
    FormulaSyntaxError,
    Func,
    Intersect,
    Missing,
    Name,
    Node,
    Number,
    Percent,
    RangeOp,
    Ref,
    SpillRef,
    StructRef,
    Text,
    Unary,
    Union,
    parse,
    row_template,
)
from addin.xlsx.model import (
    CellRef,
    CellValue,
    CircularReferenceError,
    Coord,
    DefinedName,
    Formula,
    Results,
    Sheet,
    Table,
    UnsupportedFormulaError,
    Workbook,
)
from udfs.errors import NA, NAME, NULL, REF, SPILL, VALUE, ExcelError, ExcelErrorRaised

if TYPE_CHECKING:
    from addin.xlsx.package import SharedGroup

__all__ = ["calculate", "contract_function"]

Rect = tuple[str, int, int, int, int]  # sheet key, top, left, bottom, right
_XL_PREFIX = re.compile(r"_xlfn\.|_xlws\.|_xlpm\.", re.IGNORECASE)


# ------------------------------------------------------------- the cell grid


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


def _dense_extent(parts: Sequence[np.ndarray], rows: int, cols: int) -> tuple[int, int]:
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
        self.formulas: dict[Coord, Formula] = {}
        self.on_dynamic: Callable[[Area], None] | None = None
        self.name_ref: Callable[[str], Any] | None = None  # INDIRECT("a_name")
        self.hidden_rows: frozenset[int] = frozenset()  # what SUBTOTAL and AGGREGATE skip
        self.filtered_rows: frozenset[int] = frozenset()

    def formula_text(self, row: int, col: int) -> str | None:
        """The formula of a cell as Excel shows it (``=…``, storage prefixes dropped)."""
        f = self.formulas.get((row, col))
        if f is None:
            return None
        text = "=" + _XL_PREFIX.sub("", f.text)
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


# ------------------------------------------------------------------ blocks


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


class _Vec:
    """Per-row values of a block: a 1-D array of ``n`` values (float64 when
    every value is a number). ``src`` is ``(grid, top, col)`` when the values
    are a relative single-cell reference (so a range argument sees a cell)."""

    __slots__ = ("src", "v")

    def __init__(self, v: np.ndarray, src: tuple[Any, int, int] | None = None) -> None:
        self.v = v
        self.src = src


class _VArea:
    """A relative multi-cell reference: row ``i`` of the block sees the
    rectangle shifted down by ``i``."""

    __slots__ = ("bottom", "grid", "left", "right", "top")

    def __init__(self, grid: SheetGrid, top: int, left: int, bottom: int, right: int) -> None:
        self.grid, self.top, self.left, self.bottom, self.right = grid, top, left, bottom, right

    def area(self, i: int) -> Area:
        return Area(self.grid, self.top + i, self.left, self.bottom + i, self.right)


@dataclass
class _Bx(CallContext):
    """Where a formula is evaluated: a block of ``n`` rows of one column from
    (``row``, ``col``) — a cell is a block of one row — with the formula's
    relative references moved ``dr`` rows down from the text parsed. As a
    :class:`CallContext` (what functions see) it is its first row."""

    dr: int = 0
    n: int = 1

    def one(self, i: int) -> _Bx:
        """Row ``i`` of the block as a block of one row."""
        return _Bx(self.grid, self.row + i, self.col, self.array_mode, self.date1904, self.dr + i)


_SCALARS = (float, str, bool, ExcelError, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def _plain(vec: _Vec) -> bool:
    """Every row holds one plain value (no array, no reference)."""
    if vec.v.dtype == np.float64:
        return True
    values = vec.v.tolist()
    if set(map(type, values)) <= _SCALAR_TYPES:  # at C speed, the usual answer
        return True
    return all(isinstance(x, _SCALARS) for x in values)


def _is_vec(v: Any) -> bool:
    return isinstance(v, _Vec | _VArea)


def _floats(vec: _Vec) -> np.ndarray | None:
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


def _pure_floats(arr: np.ndarray) -> np.ndarray | None:
    """An object array as float64 when it holds only floats."""
    if arr.dtype == np.float64:
        return arr
    try:
        if set(map(type, arr.tolist())) <= {float}:
            return arr.astype(np.float64)
    except TypeError:  # a 0-d array
        return None
    return None


# -------------------------------------------------------- contract functions


def contract_function(name: str) -> Callable[..., Any] | None:
    """The kernel function a formula's function name refers to, in any of the
    spellings a file may use (``TIERED``, ``_xludf.TIERED``,
    ``_xldudf_JX_TIERED``, ``JX.TIERED``); ``None`` if it is not one of ours."""
    spec = registry.lookup(name)
    if spec is None:
        return None
    lo, hi = spec.arg_counts
    kernel = spec.kernel

    def run(*args: Any) -> Any:
        if not lo <= len(args) <= hi:
            return VALUE.with_message(
                f"{spec.name} 参数个数不对 / {spec.name}: wrong number of arguments"
            )
        return kernel(*args, *([None] * (hi - len(args))))

    run.__name__ = spec.name
    return run


def _kernel_arg(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, Area):
        return v.value() if v.is_cell() else v.values()
    return v


def _kernel_result(r: Any) -> Any:
    if isinstance(r, np.ndarray):
        if r.ndim == 0:
            return _kernel_scalar(r.item())
        arr = r.reshape(1, -1) if r.ndim == 1 else r
        if arr.dtype.kind == "f" and np.isfinite(arr).all():
            out_f = np.empty(arr.shape, dtype=object)
            out_f[...] = (arr + 0.0).tolist()
            return out_f[0, 0] if out_f.shape == (1, 1) else out_f
        out = np.empty(arr.shape, dtype=object)
        for idx, x in np.ndenumerate(arr):
            out[idx] = _kernel_scalar(x)
        return out[0, 0] if out.shape == (1, 1) else out
    return _kernel_scalar(r)


def _kernel_scalar(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if x is None:
        return ""  # an empty result reaches Excel as empty text (addin.hosts.convert)
    if isinstance(x, bool | str | ExcelError):
        return x
    if isinstance(x, int | float):
        f = float(x)
        if math.isnan(f) or math.isinf(f):
            return ExcelError("#NUM!", "结果不是有限数 / result is not a finite number")
        return f
    return x


def _contract_spec(name: str) -> FunctionSpec | None:
    """A contract function as the engine calls it: arguments as the kernel
    takes them, the argument roles from the registry (:mod:`addin.registry`)."""
    fn = contract_function(name)
    if fn is None:
        return None
    roles = registry.by_name(fn.__name__).roles

    def impl(*args: Any) -> Any:
        return _kernel_result(fn(*(_kernel_arg(a) for a in args)))

    return FunctionSpec(
        fn.__name__, impl, roles, 0, None, handles_errors=True, kernel_broadcasts=True
    )


# ------------------------------------------------------------------ engine


class _Engine:
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
        extent: dict[str, tuple[int, int]] = {}  # each sheet's own last row and column
        for s in wb.sheets:
            rc, fc = _coord_array(s.values), _coord_array(s.formulas)
            present[s.name] = (rc, fc)
            last_row, last_col = max(s.max_row, 1), max(s.max_col, 1)
            for coords in (rc, fc):
                if len(coords):
                    last_row = max(last_row, int(coords[:, 0].max()))
                    last_col = max(last_col, int(coords[:, 1].max()))
            for f in s.formulas.values():
                if f.ref:
                    _, (r2, c2) = _ref_bounds(f.ref)
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
            dense = _dense_extent((rc, fc), *extent[s.name])
            g = SheetGrid(s.name, rows, cols, dense)
            if s.values:
                vals = np.empty(len(s.values), dtype=object)
                vals[:] = [
                    v if v.__class__ is float or v.__class__ is str else _clean(v)
                    for v in s.values.values()
                ]
                g.put_cells(rc, vals)
            self.grids[s.name.casefold()] = g
            g.sheets, g.formulas = self.grids, s.formulas
            g.on_dynamic = self._dynamic_read
            g.hidden_rows, g.filtered_rows = s.hidden_rows, s.filtered_rows
            g.name_ref = self._name_ref
        self.tables = {t.name.casefold(): t for t in wb.tables}
        self.names: dict[tuple[str | None, str], DefinedName] = {}
        for dn in wb.names:
            scope = dn.sheet.casefold() if dn.sheet else None
            self.names[(scope, dn.name.casefold())] = dn
        self._name_nodes: dict[tuple[str | None, str], Node | None] = {}
        self._names_open: set[tuple[str | None, str]] = set()
        self._lets: list[dict[str, Any]] = []
        self._specs: dict[str, FunctionSpec | None] = {}
        self._memo: dict[Any, Any] = {}  # what a block derives from shared ranges
        self.spills: dict[tuple[str, Coord], tuple[int, int]] = {}
        self.results = Results()
        self.blocks: list[Block] = []
        self._position: dict[int, int] = {}  # id(block) → its place in the order
        self._order: list[Block] = []
        self._grown_at: dict[tuple[str, Coord], int] = {}

    # ------------------------------------------------------------ set-up

    def spec(self, name: str) -> FunctionSpec | None:
        if name in self._specs:
            return self._specs[name]
        spec: FunctionSpec | None = None
        if not registry.marked_udf(name):
            spec = fx.lookup(name)
        if spec is None:
            spec = _contract_spec(name)
        self._specs[name] = spec
        return spec

    def build_blocks(self) -> None:
        unsupported: list[tuple[CellRef, str]] = []
        for s in self.wb.sheets:
            key_sheet = s.name.casefold()
            grid = self.grids[key_sheet]
            normal: dict[int, list[tuple[int, Formula]]] = defaultdict(list)
            shared: dict[tuple[SharedGroup, int], list[int]] = defaultdict(list)
            if s.formulas:
                grid.clear_cells(self._formula_coords[key_sheet])
            for (r, c), f in s.formulas.items():
                if f.kind == "normal":
                    if f.group is not None:
                        shared[(f.group, c)].append(r)
                    else:
                        normal[c].append((r, f))
                    continue
                b = Block(key_sheet, r, c, 1, f)
                if f.ref:
                    (r1, c1), (r2, c2) = _ref_bounds(f.ref)
                    b.bottom, b.right = max(r, r2), max(c, c2)
                    # the previous spill/array values are recomputed
                    grid.clear(r1, c1, r2, c2)
                else:
                    b.bottom, b.right = r, c
                wider = self.spill_extents.get((key_sheet, (r, c)))
                if wider is not None:
                    b.bottom, b.right = max(b.bottom, wider[0]), max(b.right, wider[1])
                self.blocks.append(b)
            runs = self._shared_runs(s, shared, normal)
            for c, cells in normal.items():
                cells.sort()  # by row: a column has one formula per row, so never by Formula
                for r0, n, f0 in _column_runs(cells, c):
                    runs[c].append(Block(key_sheet, r0, c, n, f0, bottom=r0 + n - 1, right=c))
            for column in runs.values():
                column.sort(key=lambda b: b.row)
                self.blocks.extend(column)
        functions: dict[str, int] = {}
        unreadable = 0
        for b in self.blocks:
            try:
                if b.node is None:
                    b.node = parse(b.formula.text)
            except FormulaSyntaxError as exc:
                unreadable += b.n
                for cell in b.cells():
                    unsupported.append(
                        (
                            CellRef(self.grids[b.sheet].name, cell),
                            f"无法解析的公式（如外部链接）/ unreadable formula "
                            f"(e.g. a link to another workbook): ={b.formula.text} ({exc})",
                        )
                    )
                continue
            for fname in dict.fromkeys(self._unsupported_in(b.node)):
                shown = _display_name(fname)
                functions[shown] = functions.get(shown, 0) + b.n
                for cell in b.cells():
                    unsupported.append(
                        (
                            CellRef(self.grids[b.sheet].name, cell),
                            f"不支持的函数 / unsupported function {shown}",
                        )
                    )
        if unsupported:
            parts = []
            if functions:
                listed = ", ".join(f"{k} ({v})" for k, v in sorted(functions.items()))
                parts.append(f"不支持的函数 / unsupported functions: {listed}")
            if unreadable:
                parts.append(f"无法解析的公式 / unreadable formulas: {unreadable}")
            raise UnsupportedFormulaError(
                f"{len({c for c, _ in unsupported})} 个单元格的公式无法计算 / "
                f"{len({c for c, _ in unsupported})} cells have formulas the engine cannot "
                "compute; " + "; ".join(parts),
                unsupported,
            )

    def _shared_runs(
        self,
        s: Sheet,
        shared: dict[tuple[SharedGroup, int], list[int]],
        normal: dict[int, list[tuple[int, Formula]]],
    ) -> dict[int, list[Block]]:
        """The blocks a sheet's shared formulas make, by column: the cells of
        one group in one column that sit in consecutive rows are one block,
        whose tree is the master's, parsed once per group and moved to the
        block's first cell — no child's text is expanded or compared. Cells
        where a moved reference would leave the sheet (``#REF!`` in the text),
        and groups whose master text does not parse, go to ``normal`` and
        take the per-cell path (their reported errors name their own text)."""
        key_sheet = s.name.casefold()
        runs: dict[int, list[Block]] = defaultdict(list)
        trees: dict[SharedGroup, Node | None] = {}
        for (group, c), rows in shared.items():
            if group not in trees:
                try:
                    trees[group] = parse(group.text)
                except FormulaSyntaxError:
                    trees[group] = None
            tree = trees[group]
            mr, mc = group.master
            span = group.rows_on_sheet(c - mc)
            rows.sort()
            lo, hi = (mr + span[0], mr + span[1]) if span is not None else (1, 0)
            i, n = 0, len(rows)
            while i < n:
                r0 = rows[i]
                j = i + 1
                if tree is None or not lo <= r0 <= hi:
                    normal[c].append((r0, s.formulas[(r0, c)]))
                    i = j
                    continue
                while j < n and rows[j] == r0 + (j - i) and rows[j] <= hi:
                    j += 1
                node = _shift_node(tree, r0 - mr, c - mc)
                f0 = s.formulas[(r0, c)]
                runs[c].append(
                    Block(key_sheet, r0, c, j - i, f0, node, bottom=r0 + j - i - 1, right=c)
                )
                i = j
        return runs

    def _unsupported_in(self, node: Node) -> list[str]:
        out: list[str] = []
        seen: set[tuple[str | None, str]] = set()
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, Func):
                if self.spec(cur.name) is None:
                    lam = self._lambda_of(cur.name, None)
                    if lam is None:
                        out.append(cur.name)
                    elif lam.args:
                        stack.append(lam.args[-1])
                stack.extend(cur.args)
            elif isinstance(cur, Unary | Percent):
                stack.append(cur.operand)
            elif isinstance(cur, Binary | RangeOp | Intersect):
                stack.extend((cur.left, cur.right))
            elif isinstance(cur, Union):
                stack.extend(cur.items)
            elif isinstance(cur, SpillRef):
                stack.append(cur.anchor)
            elif isinstance(cur, Name):
                key = (cur.sheet, cur.name.casefold())
                if key in seen:
                    continue
                seen.add(key)
                dn = self._name_node(cur, None)
                if dn is not None:
                    stack.append(dn)
        return out

    # -------------------------------------------------------- dependencies

    def _name_def(self, name: Name, sheet: str | None) -> DefinedName | None:
        key = name.name.casefold()
        scopes: list[str | None] = []
        if name.sheet:
            scopes.append(name.sheet.casefold())
        elif sheet:
            scopes.append(sheet)
        scopes.append(None)
        for sc in scopes:
            dn = self.names.get((sc, key))
            if dn is not None:
                return dn
        return None

    def _name_node(self, name: Name, sheet: str | None) -> Node | None:
        dn = self._name_def(name, sheet)
        if dn is None:
            return None
        k = (dn.sheet, dn.name.casefold())
        if k not in self._name_nodes:
            self._name_nodes[k] = None  # guards recursion
            try:
                self._name_nodes[k] = parse(dn.text)
            except FormulaSyntaxError:
                self._name_nodes[k] = ErrorLit("#NAME?")
        return self._name_nodes[k]

    def precedents(self, b: Block) -> list[tuple[str, int, int, int, int]]:
        out: list[tuple[str, int, int, int, int]] = []
        seen_names: set[tuple[str | None, str]] = set()

        def walk(node: Node, sheet: str, shift: bool) -> None:
            stack: list[tuple[Node, str, bool]] = [(node, sheet, shift)]
            while stack:
                cur, sh, sft = stack.pop()
                if isinstance(cur, Ref):
                    key = cur.sheet.casefold() if cur.sheet else sh
                    if key not in self.grids:
                        parts = self.three_d_parts(cur)
                        if parts is not None:
                            stack.extend((dataclasses.replace(parts[1], sheet=n), sh, sft)
                                         for n in parts[0])  # fmt: skip
                        continue
                    last = cur.shifted(b.n - 1, 0) if sft else cur
                    top, bottom = min(cur.top, last.top), max(cur.bottom, last.bottom)
                    g = self.grids[key]
                    out.append(
                        (
                            key,
                            top,
                            cur.left,
                            min(bottom, g.limit_rows),
                            min(cur.right, g.limit_cols),
                        )
                    )
                elif isinstance(cur, Func):
                    stack.extend((a, sh, sft) for a in cur.args)
                    if self.spec(cur.name) is None:
                        lam = self._lambda_of(cur.name, sh)
                        if lam is not None and lam.args:
                            stack.append((lam.args[-1], sh, False))
                elif isinstance(cur, Unary | Percent):
                    stack.append((cur.operand, sh, sft))
                elif isinstance(cur, Binary | RangeOp | Intersect):
                    parts = self.three_d_parts(cur)
                    if parts is not None:
                        stack.extend((dataclasses.replace(parts[1], sheet=n), sh, sft)
                                     for n in parts[0])  # fmt: skip
                        continue
                    stack.append((cur.left, sh, sft))
                    stack.append((cur.right, sh, sft))
                elif isinstance(cur, Union):
                    stack.extend((a, sh, sft) for a in cur.items)
                elif isinstance(cur, SpillRef):
                    stack.append((cur.anchor, sh, sft))
                    if isinstance(cur.anchor, Ref):
                        key = cur.anchor.sheet.casefold() if cur.anchor.sheet else sh
                        f = self._formula_at(key, (cur.anchor.top, cur.anchor.left))
                        if f is not None and f.ref:
                            (r1, c1), (r2, c2) = _ref_bounds(f.ref)
                            out.append((key, r1, c1, r2, c2))
                        wider = self.spill_extents.get((key, (cur.anchor.top, cur.anchor.left)))
                        if wider is not None:
                            out.append((key, cur.anchor.top, cur.anchor.left, *wider))
                elif isinstance(cur, Name):
                    dn = self._name_def(cur, sh)
                    if dn is None:
                        continue
                    k = (dn.sheet, dn.name.casefold())
                    if k in seen_names:
                        continue
                    seen_names.add(k)
                    nn = self._name_node(cur, sh)
                    if nn is not None:
                        nsh = dn.sheet.casefold() if dn.sheet else sh
                        # relative parts seen from the block's first row, spread over its rows
                        stack.append((_relative_to(nn, b.row - 1, b.col - 1), nsh, sft))
                elif isinstance(cur, StructRef):
                    grid = self.grids[sh]
                    for row in (b.row, b.row + b.n - 1):
                        a = self.struct_area(cur, CallContext(grid, row, b.col))
                        if isinstance(a, Area):
                            out.append((a.grid.name.casefold(), a.top, a.left, a.bottom, a.right))

        assert b.node is not None
        walk(b.node, b.sheet, True)
        for sheet, top, bottom, col, rect in self.late_reads:
            if sheet == b.sheet and b.col <= col <= b.right and top <= b.bottom and bottom >= b.row:
                out.append(rect)
        return out

    def _dynamic_read(self, area: Area) -> None:
        """OFFSET/INDIRECT evaluated to ``area`` inside the block being evaluated."""
        if self._current is not None:
            g = self.grids[area.grid.name.casefold()]
            rect = (g.name.casefold(), area.top, area.left,
                    min(area.bottom, g.limit_rows), min(area.right, g.limit_cols))  # fmt: skip
            self.dynamic_reads.append((self._current, rect))

    def late(self, order: list[Block]) -> list[tuple[str, int, int, int, Rect]]:
        """Reads through OFFSET/INDIRECT of formula cells computed after the
        reader: the precedents the next pass must add."""
        if not self.dynamic_reads:
            return []
        pos = {id(b): i for i, b in enumerate(order)}
        index = self._index()
        out = []
        for reader, rect in self.dynamic_reads:
            if any(pos.get(id(self.blocks[j]), -1) >= pos[id(reader)]
                   for j in self._query(index, rect)):  # fmt: skip
                out.append((reader.sheet, reader.row, reader.bottom, reader.col, rect))
        return list(dict.fromkeys(out))

    def _formula_at(self, sheet: str, coord: Coord) -> Formula | None:
        g = self.grids.get(sheet)
        if g is None:
            return None
        for s in self.wb.sheets:
            if s.name.casefold() == sheet:
                return s.formulas.get(coord)
        return None

    def order(self) -> list[Block]:
        """Blocks in an order that computes every precedent first."""
        while True:
            # split blocks that read their own cells (running totals)
            split: list[Block] = []
            for b in self.blocks:
                if b.n > 1 and b.node is not None and self._reads_itself(b):
                    split.extend(self._split(b))
                else:
                    split.append(b)
            self.blocks = split
            index = self._index()
            for i, b in enumerate(self.blocks):
                b.deps = set()
                if b.node is None:
                    continue
                for rect in self.precedents(b):
                    b.deps.update(self._query(index, rect))
                b.deps.discard(i) if b.n > 1 else None
            order, left = _toposort(self.blocks)
            if not left:
                return [self.blocks[i] for i in order]
            cycles = _cycles(self.blocks, left)
            multi = {i for comp in cycles for i in comp if self.blocks[i].n > 1}
            if not multi:
                cells: list[tuple[CellRef, str]] = []
                for comp in cycles:
                    for i in comp:
                        blk = self.blocks[i]
                        for cell in blk.cells():
                            cells.append(
                                (
                                    CellRef(self.grids[blk.sheet].name, cell),
                                    "循环引用 / circular reference",
                                )
                            )
                cells.sort(key=lambda t: (t[0].sheet, t[0].coord))
                raise CircularReferenceError(
                    "公式存在循环引用 / circular reference: "
                    + ", ".join(str(c) for c, _ in cells[:20])
                    + (" …" if len(cells) > 20 else ""),
                    cells,
                )
            new: list[Block] = []
            for i, b in enumerate(self.blocks):
                new.extend(self._split(b) if i in multi else [b])
            self.blocks = new

    def _reads_itself(self, b: Block) -> bool:
        for sheet, top, left, bottom, right in self.precedents(b):
            if sheet == b.sheet and left <= b.col <= right and top <= b.bottom and bottom >= b.row:
                return True
        return False

    def _split(self, b: Block) -> list[Block]:
        out = []
        for i in range(b.n):
            r = b.row + i
            # the same formula seen from row r: re-parse only the shift
            nb = Block(
                b.sheet, r, b.col, 1, b.formula, _shift_node(b.node, i), bottom=r, right=b.col
            )
            out.append(nb)
        return out

    def _index(self) -> dict[str, dict[int, tuple[list[int], list[int], list[int]]]]:
        raw: dict[str, dict[int, list[tuple[int, int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for i, b in enumerate(self.blocks):
            for c in range(b.col, b.right + 1):
                raw[b.sheet][c].append((b.row, b.bottom, i))
        index: dict[str, dict[int, tuple[list[int], list[int], list[int]]]] = {}
        for sheet, cols in raw.items():
            index[sheet] = {}
            for c, lst in cols.items():
                lst.sort()
                # a running maximum of ends makes the interval search exact
                ends, run = [], 0
                for _, e, _ in lst:
                    run = max(run, e)
                    ends.append(run)
                index[sheet][c] = ([s for s, _, _ in lst], ends, [i for _, _, i in lst])
        return index

    def _query(self, index: dict[str, Any], rect: tuple[str, int, int, int, int]) -> Iterable[int]:
        sheet, top, left, bottom, right = rect
        cols = index.get(sheet)
        if not cols:
            return ()
        found: list[int] = []
        if right - left + 1 > len(cols):
            candidates: Iterable[int] = (c for c in cols if left <= c <= right)
        else:
            candidates = (c for c in range(left, right + 1) if c in cols)
        for c in candidates:
            starts, ends, ids = cols[c]
            k = bisect_left(ends, top)
            while k < len(starts) and starts[k] <= bottom:
                found.append(ids[k])
                k += 1
        return found

    # ---------------------------------------------------------- evaluation

    def run(self) -> Results:
        self.build_blocks()
        order = self.order()
        # one cache of what is derived from ranges (values, lookup and criteria
        # indexes) for the whole calculation; the per-cell reference mode
        # keeps the plain paths it is tested against
        with fx.shared_work() if self.vectorise else contextlib.nullcontext():
            for k, b in enumerate(order):
                self._position[id(b)] = k
                self._current = b
                try:
                    self.eval_block(b)
                except RangeTooLargeError as exc:
                    raise self._too_large(b, exc) from None
            self._current = None
        self._order = order
        self.late_found = self.late(order)
        # where each dynamic array ended up, so the writer can update the
        # formula's ref and blank what a larger, earlier spill left behind
        for (sheet, anchor), end in self.spills.items():
            self.results.spills.setdefault(self.grids[sheet].name, {})[anchor] = end
        return self.results

    def _too_large(self, b: Block, exc: RangeTooLargeError) -> UnsupportedFormulaError:
        """The refusal of a formula that reads a range too large to hold."""
        where = CellRef(self.grids[b.sheet].name, (b.row, b.col))
        reason = (
            f"公式读取的区域有 {exc.rows:,} 行 × {exc.cols:,} 列，超出可计算的范围 / the formula "
            f"reads a range of {exc.rows:,} rows × {exc.cols:,} columns, more cells than the "
            f"engine holds ({MATERIALISE_LIMIT:,}): ={b.formula.text}"
        )
        return UnsupportedFormulaError(f"{where}: {reason}", [(where, reason)])

    def _store(self, b: Block, coord: Coord, value: Any) -> None:
        g = self.grids[b.sheet]
        g.set(coord[0], coord[1], value)
        self.results.values.setdefault(g.name, {})[coord] = value

    def eval_block(self, b: Block) -> None:
        assert b.node is not None
        g = self.grids[b.sheet]
        if self._memo:
            self._memo = {}
        kind = b.formula.kind
        if kind == "normal":
            bx = _Bx(g, b.row, b.col, False, self.date1904, 0, b.n)
            if b.n == 1:
                self._store(b, (b.row, b.col), self.finish(self.ev(b.node, bx), bx))
            elif not self.vectorise:
                # the reference blocks are tested against: every block split
                # into blocks of one row (cells)
                for i in range(b.n):
                    one = bx.one(i)
                    self._store(b, (one.row, b.col), self.finish(self.ev(b.node, one), one))
            else:
                vals = self.block_values(self.ev(b.node, bx), bx)
                g.put(b.row, b.col, vals.reshape(-1, 1))
                out = self.results.values.setdefault(g.name, {})
                coords = zip(range(b.row, b.row + len(vals)), itertools.repeat(b.col), strict=False)
                out.update(zip(coords, vals.tolist(), strict=True))  # the tuples made at C speed
            return
        bx = _Bx(g, b.row, b.col, True, self.date1904)
        if kind == "array" and b.formula.ref and isinstance(b.node, Func):
            (r1, c1), (r2, c2) = _ref_bounds(b.formula.ref)
            result = self.ev_func(b.node, bx, (r2 - r1 + 1, c2 - c1 + 1))
        else:
            result = self.ev(b.node, bx)
        arr = _as_result_array(result)
        if kind == "array" and b.formula.ref:
            (r1, c1), (r2, c2) = _ref_bounds(b.formula.ref)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self._store(b, (r, c), _fill_value(arr, r - r1, c - c1))
            return
        self._spill(b, arr)

    def _spill(self, b: Block, arr: np.ndarray) -> None:
        """Write a dynamic array's values from its anchor, sized in one pass:
        the target checked for other values and formula cells at once, the
        values set as one block (``#SPILL!`` in the anchor when blocked)."""
        g = self.grids[b.sheet]
        h, w = arr.shape
        old = _ref_bounds(b.formula.ref) if b.formula.ref else ((b.row, b.col), (b.row, b.col))
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
        out = self.results.values.setdefault(g.name, {})
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

    def finish(self, v: Any, cx: CallContext) -> CellValue:
        """A normal formula's value as a cell holds it."""
        if isinstance(v, Area):
            v = fx.intersect(v, cx)
        elif isinstance(v, np.ndarray):
            v = v[0, 0]
            if isinstance(v, Area):
                v = fx.intersect(v, cx)
        if v is None or v is MISSING:
            return 0.0
        if isinstance(v, bool | str | ExcelError):
            return v
        if isinstance(v, int | float | np.integer | np.floating):
            f = float(v)
            if math.isnan(f) or math.isinf(f):
                return ExcelError("#NUM!")
            return f + 0.0
        return VALUE

    # ---------------------------------------------------------- the evaluator

    def ev(self, node: Node, bx: _Bx) -> Any:
        """Evaluate ``node`` for the block ``bx``: one value for all its rows (a
        number, text, error, :class:`Area`, :class:`MultiArea` or array) or —
        only when ``bx.n > 1`` and the value differs from row to row — a
        per-row :class:`_Vec` or :class:`_VArea`. A cell is a block of one row:
        it takes this same path and never makes a per-row value."""
        nd: Any = node
        t = nd.__class__
        if t is Ref:
            return self.ev_ref(nd, bx)
        if t is Number:
            return nd.value
        if t is Func:
            return self.ev_func(nd, bx)
        if t is Binary:
            x = self.operand(self.ev(nd.left, bx), bx)
            y = self.operand(self.ev(nd.right, bx), bx)
            if bx.n == 1 or (not _is_vec(x) and not _is_vec(y)):
                return _lift2(nd.op, x, y, self.date1904)
            return self.binary_rows(nd, x, y, bx)
        if t is Text or t is Bool:
            return nd.value
        if t is Unary or t is Percent:
            return self.ev_unary(nd, bx)
        if t is ErrorLit:
            return ExcelError(nd.code)
        if t is Missing:
            return MISSING
        if t is ArrayLit:
            return _array_value(nd)
        if bx.n > 1:  # the nodes below take one row at a time
            return self.ev(nd, bx.one(0)) if not self._moves(nd, bx) else self.split(nd, bx)
        if t is Name:
            return self.ev_name(nd, bx)
        if t is StructRef:
            return self.struct_area(nd, bx)
        if t is RangeOp:
            three = self.three_d_parts(nd)
            if three is not None:
                return self.three_d(three, bx.dr)
            if (
                isinstance(nd.left, Name)
                and isinstance(nd.right, Ref)
                and nd.right.sheet
                and self._name_def(nd.left, None) is None
            ):  # Sheet1:Sheet9!A1 naming a sheet the workbook lacks: #REF!, as in Excel
                return REF.with_message(f"三维引用的工作表不存在 / no sheet {nd.left.name}")
            a = self.ev(nd.left, bx)
            b = self.ev(nd.right, bx)
            return _range_union(a, b)
        if t is SpillRef:
            return self.spill_area(self.ev(nd.anchor, bx))
        if t is Intersect:
            a = self.ev(nd.left, bx)
            b = self.ev(nd.right, bx)
            return _intersection(a, b)
        if t is Union:
            parts: list[Area] = []
            for item in nd.items:
                v = self.ev(item, bx)
                if isinstance(v, ExcelError):
                    return v
                if isinstance(v, MultiArea):
                    parts.extend(v)
                elif isinstance(v, Area):
                    parts.append(v)
                else:
                    return VALUE.with_message("并集运算需要引用 / , needs references")
            return MultiArea(parts)
        raise TypeError(f"unknown node {node!r}")

    def split(self, node: Node, bx: _Bx) -> _Vec:
        """``node`` down a block of many rows, evaluated as blocks of one row
        (what has no per-row form: LET, a LAMBDA call, a range that moves by
        its end only, an argument read as an array …)."""
        out = np.empty(bx.n, dtype=object)
        for i in range(bx.n):
            out[i] = self.ev(node, bx.one(i))
        return _Vec(out)

    def ev_ref(self, node: Ref, bx: _Bx) -> Any:
        """A reference: an :class:`Area` (shared by the block when its rows
        are fixed); down a block, a relative cell is the column of its values
        and a relative range a :class:`_VArea`."""
        ref = node.shifted(bx.dr, 0) if bx.dr else node
        n = bx.n
        fixed = n == 1 or not ref.rows or (ref.abs_top and ref.abs_bottom)
        grid: Any = bx.grid if ref.sheet is None else self.grids.get(ref.sheet.casefold())
        if grid is None:
            parts = self.three_d_parts(ref)
            if parts is None:
                return REF.with_message(f"工作表不存在 / no sheet {ref.sheet}")
            return self.three_d(parts, 0) if fixed else self.split(node, bx)
        if ref.top < 1 or ref.left < 1 or ref.bottom > MAX_ROW or ref.right > MAX_COL:
            return REF.with_message("引用超出工作表 / reference beyond the sheet")
        if fixed:
            return Area(grid, ref.top, ref.left, ref.bottom, ref.right)
        last = ref.shifted(n - 1, 0)
        if last.bottom > MAX_ROW or last.top < 1:
            return self.split(node, bx)
        if ref.abs_top or ref.abs_bottom:
            return self.split(node, bx)  # one end fixed: SUM($A$1:A1)
        if ref.is_cell:
            vals = grid.block(ref.top, ref.left, ref.top + n - 1, ref.left)[:, 0]
            pf = _pure_floats(vals)
            return _Vec(pf if pf is not None else vals.copy(), (grid, ref.top, ref.left))
        return _VArea(grid, ref.top, ref.left, ref.bottom, ref.right)

    def operand(self, v: Any, bx: _Bx) -> Any:
        """A value an operator (or a function's per-row argument) takes: a
        reference read as its cell, a range implicitly intersected with the
        row — down a block, row by row — or, in array mode, read as an array."""
        if isinstance(v, MultiArea):
            return VALUE.with_message(
                "运算中不能使用多区域引用 / a multi-area reference in an operation"
            )
        if isinstance(v, Area):
            if v.is_cell():
                return v.value()
            if bx.array_mode:
                return v.values()
            if bx.n == 1:
                return fx.intersect(v, bx)
            row, n = bx.row, bx.n
            if v.left == v.right and v.top <= row and row + n - 1 <= v.bottom:
                vals = v.grid.block(row, v.left, row + n - 1, v.left)[:, 0]
                pf = _pure_floats(vals)
                return _Vec(pf if pf is not None else vals.copy())
            out = np.empty(n, dtype=object)
            for i in range(n):
                out[i] = fx.intersect(v, bx.one(i))
            return _Vec(out)
        if isinstance(v, np.ndarray) and v.shape == (1, 1):
            return v[0, 0]
        return v

    def ev_unary(self, node: Unary | Percent, bx: _Bx) -> Any:
        op = node.op if isinstance(node, Unary) else "%"
        a = self.operand(self.ev(node.operand, bx), bx)
        if bx.n == 1 or not _is_vec(a):
            return _lift1(op, a, self.date1904)
        if isinstance(a, _VArea):
            return self.split(node, bx)
        f = _floats(a)
        if f is not None and op != "+":
            return _Vec(-f if op == "-" else f / 100)
        return _Vec(_map(lambda x: _lift1(op, x, self.date1904), a.v))

    def binary_rows(self, node: Binary, a: Any, b: Any, bx: _Bx) -> Any:
        """An operator down a block, one of its operands per row: numpy on
        numbers, else value by value."""
        if isinstance(a, _VArea) or isinstance(b, _VArea):
            return self.split(node, bx)
        n = bx.n
        op = node.op
        if op in ("+", "-", "*", "/", "^") or op in _NP_CMP:
            fa = _floats(a) if isinstance(a, _Vec) else _scalar_float(a)
            fb = _floats(b) if isinstance(b, _Vec) else _scalar_float(b)
            if fa is not None and fb is not None:
                if op in _NP_CMP and (
                    (isinstance(a, _Vec) and a.v.dtype != np.float64)
                    or (isinstance(b, _Vec) and b.v.dtype != np.float64)
                    or (not isinstance(fa, np.ndarray) and not isinstance(a, float))
                    or (not isinstance(fb, np.ndarray) and not isinstance(b, float))
                ):
                    pass  # blanks/logicals compare by type: use the exact path
                else:
                    r = _np_binary(op, np.broadcast_to(fa, n), np.broadcast_to(fb, n))
                    if r is not None:
                        return r
        av = a.v if isinstance(a, _Vec) else None
        bv = b.v if isinstance(b, _Vec) else None
        out = np.empty(n, dtype=object)
        d = self.date1904
        for i in range(n):
            x = av[i] if av is not None else a
            y = bv[i] if bv is not None else b
            if isinstance(x, Area) or isinstance(y, Area):
                one = bx.one(i)
                x, y = self.operand(x, one), self.operand(y, one)
            out[i] = _lift2(op, x, y, d)
        return _Vec(out)

    def ev_func(self, node: Func, bx: _Bx, target: tuple[int, int] | None = None) -> Any:
        """A function call. Down a block of many rows it is evaluated once when
        its value cannot differ by row, and row by row (blocks of one row) when
        it has no per-row form — a LAMBDA call, LET, ROW()/COLUMN(), INDEX of
        a computed array, arguments read as arrays (SUMPRODUCT of references
        excepted); else its arguments are evaluated for the block and it is
        applied once, in one pass (grouped criteria, the fast paths) or per row
        on plain values (:meth:`ev_rows`)."""
        spec = self.spec(node.name)
        many = bx.n > 1
        if many:
            if not self._moves(node, bx):
                bx, many = bx.one(0), False
            elif (
                spec is None
                or spec.name == "LET"
                or (spec.name == "INDEX" and node.args and isinstance(node.args[0], Func))
                or (spec.needs_context and spec.name in ("ROW", "COLUMN") and not node.args)
            ):
                return self.split(node, bx)
            elif spec.array_args:
                fast = self.v_sumproduct(node, spec, bx)
                return fast if fast is not None else self.split(node, bx)
        if spec is None:
            return self.ev_lambda_call(node, bx)
        if spec.name == "LET":
            return self.ev_let(node, bx)
        sub = bx
        if spec.array_args and not bx.array_mode:
            sub = _Bx(bx.grid, bx.row, bx.col, True, bx.date1904, bx.dr)
        if spec.name == "INDEX" and node.args and isinstance(node.args[0], Func):
            # INDEX's array is read as an array, as Excel does: INDEX(ROW(A1:A3),2)
            # is 2 in a normal formula too (pycel excelcompiler.xlsx!F2)
            array = _Bx(bx.grid, bx.row, bx.col, True, bx.date1904, bx.dr)
            args = [self.ev(node.args[0], array), *(self.ev(a, sub) for a in node.args[1:])]
        else:
            args = [self.ev(a, sub) for a in node.args]
        if many:
            for i, a in enumerate(args):  # a range read as one value: per row
                lifts = spec.lifts(i) or spec.name == "SINGLE"
                if lifts and isinstance(a, Area) and not a.is_cell():
                    args[i] = self.operand(a, bx)
            if any(_is_vec(a) for a in args):
                return self.ev_rows(spec, node, args, bx)
        return fx.call(spec, args, sub, target)

    def ev_rows(self, spec: FunctionSpec, node: Func, args: list[Any], bx: _Bx) -> Any:
        """A function down a block whose arguments hold per-row values: criteria
        grouped, a fast path, else applied row by row to plain values."""
        if spec.name in criteria.GROUPED:
            grouped = self.v_grouped(spec, args, bx)
            if grouped is not None:
                return grouped
        fast = self.v_fast(spec, node, args, bx)
        if fast is not None:
            return fast
        return self.v_generic(spec, args, bx)

    def ev_name(self, name: Name, bx: _Bx) -> Any:
        bound = self._let_value(name)
        if bound is not _UNBOUND:
            return bound
        dn = self._name_def(name, bx.grid.name.casefold())
        if dn is None:
            return NAME.with_message(f"未定义的名称 / undefined name {name.name}")
        node = self._name_node(name, bx.grid.name.casefold())
        if node is None:
            return NAME
        # a name with relative parts (=Sheet1!$B1) is stored as seen from A1
        node = _relative_to(node, bx.row - 1, bx.col - 1)
        grid = self.grids.get(dn.sheet.casefold()) if dn.sheet else None
        if grid is not None or bx.dr:  # the name's sheet, its references not moved
            bx = _Bx(grid or bx.grid, bx.row, bx.col, bx.array_mode, bx.date1904)
        key = (dn.sheet, dn.name.casefold())
        if key in self._names_open:
            return NAME.with_message(f"名称循环引用 / the name {dn.name} refers to itself")
        self._names_open.add(key)
        try:
            return self.ev(node, bx)
        finally:
            self._names_open.discard(key)

    def _let_value(self, name: Name) -> Any:
        key = name.name.casefold()
        for scope in reversed(self._lets):
            if key in scope:
                return scope[key]
        return _UNBOUND

    def ev_let(self, node: Func, bx: _Bx) -> Any:
        """LET(name1, value1, …, calculation): each value evaluated once, in order,
        the names seen by the values after them and by the calculation."""
        args = node.args
        if len(args) < 3 or len(args) % 2 == 0:
            return VALUE.with_message("LET 参数个数不对 / LET: wrong number of arguments")
        scope: dict[str, Any] = {}
        self._lets.append(scope)
        try:
            for i in range(0, len(args) - 1, 2):
                nm = args[i]
                if not isinstance(nm, Name):
                    return VALUE.with_message("LET 的名称无效 / LET: not a name")
                scope[nm.name.casefold()] = self.ev(args[i + 1], bx)
            return self.ev(args[-1], bx)
        finally:
            self._lets.pop()

    def _name_ref(self, text: str) -> Any:
        """The reference a defined name stands for (INDIRECT of a name's text)."""
        dn = self._name_def(Name(text), None)
        if dn is None:
            return None
        first = next(iter(self.grids.values()))
        grid = self.grids.get(dn.sheet.casefold(), first) if dn.sheet else first
        return self.ev_name(Name(text), _Bx(grid, 1, 1, False, self.date1904))

    def _lambda_of(self, name: str, sheet: str | None) -> Func | None:
        """The LAMBDA a defined name holds (``cal_month`` = ``LAMBDA(mo, …)``)."""
        node = self._name_node(Name(name), sheet)
        if isinstance(node, Func) and node.base_name == "LAMBDA":
            return node
        return None

    def ev_lambda_call(self, node: Func, bx: _Bx) -> Any:
        """``name(args)`` where the name holds a LAMBDA: the parameters bound to
        the evaluated arguments (as LET binds), then the body."""
        lam = self._lambda_of(node.name, bx.grid.name.casefold())
        if lam is None or not lam.args:
            return NAME.with_message(f"未定义的函数 / unknown function {node.name}")
        params, body = lam.args[:-1], lam.args[-1]
        if len(node.args) != len(params) or not all(isinstance(p, Name) for p in params):
            return VALUE.with_message(
                f"{node.name} 参数个数不对 / {node.name}: wrong number of arguments"
            )
        scope = {
            p.name.casefold(): self.ev(a, bx)
            for p, a in zip(params, node.args, strict=True)
            if isinstance(p, Name)
        }
        self._lets.append(scope)
        try:
            return self.ev(body, _Bx(bx.grid, bx.row, bx.col, bx.array_mode, bx.date1904))
        finally:
            self._lets.pop()

    def three_d_parts(self, node: Any) -> tuple[list[str], Ref] | None:
        """The sheets and the range of a 3-D reference (``Sheet1:Sheet3!A1:B2``,
        ``'Sheet 1:Sheet 3'!A1``), or ``None`` when ``node`` is not one."""
        first = last = None
        ref: Ref | None = None
        if isinstance(node, Ref) and node.sheet and ":" in node.sheet:
            first, _, last = node.sheet.partition(":")
            ref = node
        elif isinstance(node, RangeOp):
            left, right = node.left, node.right
            if isinstance(left, RangeOp) and isinstance(right, Ref) and right.sheet is None:
                inner = self.three_d_parts(left)
                if inner is None:
                    return None
                a = inner[1]
                ref = dataclasses.replace(
                    a, top=min(a.top, right.top), left=min(a.left, right.left),
                    bottom=max(a.bottom, right.bottom), right=max(a.right, right.right),
                    abs_bottom=right.abs_bottom, abs_right=right.abs_right, is_cell=False,
                )  # fmt: skip
                return inner[0], ref
            if isinstance(left, Name) and left.sheet is None and isinstance(right, Ref):
                first, last, ref = left.name, right.sheet, right
        if ref is None or not first or not last:
            return None
        order = [s.name.casefold() for s in self.wb.sheets]
        lo, hi = first.casefold(), last.casefold()
        if lo not in order or hi not in order:
            return None
        i, j = order.index(lo), order.index(hi)
        return order[min(i, j) : max(i, j) + 1], dataclasses.replace(ref, sheet=None)

    def three_d(self, parts: tuple[list[str], Ref], dr: int) -> MultiArea:
        """A 3-D reference: the same range on each sheet, as a union of references."""
        sheets, ref = parts
        ref = ref.shifted(dr, 0) if dr else ref
        return MultiArea(
            Area(self.grids[n], ref.top, ref.left, ref.bottom, ref.right) for n in sheets
        )

    def _table_for(self, sr: StructRef, sheet: str, row: int, col: int) -> Table | None:
        if sr.table is not None:
            return self.tables.get(sr.table.casefold())
        for t in self.wb.tables:
            if (
                t.sheet.casefold() == sheet
                and t.first[0] <= row <= t.last[0]
                and t.first[1] <= col <= t.last[1]
            ):
                return t
        return None

    def struct_area(self, sr: StructRef, cx: CallContext) -> Any:
        t = self._table_for(sr, cx.grid.name.casefold(), cx.row, cx.col)
        if t is None:
            return REF.with_message(f"找不到表 / no table {sr.table}")
        grid = self.grids.get(t.sheet.casefold())
        if grid is None:
            return REF
        top, left = t.first
        bottom, right = t.last
        data_top = top + t.header_rows
        data_bottom = bottom - t.totals_rows
        items = set(sr.items) or {"#Data"}
        if "#This Row" in items:
            if not data_top <= cx.row <= data_bottom:
                return VALUE.with_message("不在表的数据行 / not in a data row of the table")
            r1 = r2 = cx.row
        elif "#All" in items:
            r1, r2 = top, bottom
        else:
            rows: list[int] = []
            if "#Headers" in items and t.header_rows:
                rows += [top, top + t.header_rows - 1]
            if "#Data" in items:
                rows += [data_top, data_bottom]
            if "#Totals" in items and t.totals_rows:
                rows += [data_bottom + 1, bottom]
            if not rows:
                return REF
            r1, r2 = min(rows), max(rows)
        # a column named with a trailing space ("Sales ") is read without it
        cols = [c.strip().casefold() for c in t.columns]
        if sr.first is None:
            c1, c2 = left, right
        else:
            try:
                c1 = left + cols.index(sr.first.strip().casefold())
                c2 = left + cols.index((sr.last or sr.first).strip().casefold())
            except ValueError:
                return REF.with_message(f"表中没有此列 / no column {sr.first} in {t.name}")
            c1, c2 = min(c1, c2), max(c1, c2)
        return Area(grid, r1, c1, r2, c2)

    def spill_area(self, anchor: Any) -> Any:
        if not isinstance(anchor, Area):
            return anchor if isinstance(anchor, ExcelError) else REF
        key = (anchor.grid.name.casefold(), (anchor.top, anchor.left))
        end = self.spills.get(key)
        if end is None:  # a legacy array formula's range (ironcalc spill_operator.xlsx!G2)
            f = self._formula_at(key[0], key[1])
            if f is not None and f.kind == "array" and f.ref:
                end = _ref_bounds(f.ref)[1]
        if end is None:
            return REF.with_message("该单元格没有溢出数组 / no spilled array there")
        return Area(anchor.grid, anchor.top, anchor.left, end[0], end[1])

    def block_values(self, res: Any, bx: _Bx) -> np.ndarray:
        """The cells of a normal-formula block of many rows from its value."""
        n = bx.n
        out = np.empty(n, dtype=object)
        if isinstance(res, _Vec) and res.v.dtype == np.float64 and np.isfinite(res.v).all():
            out[:] = (res.v + 0.0).tolist()
            return out
        if isinstance(res, _Vec):
            vals = res.v.tolist()
            for i, v in enumerate(vals):
                t = v.__class__
                if t is str or t is bool or t is ExcelError or (t is float and math.isfinite(v)):
                    out[i] = v + 0.0 if t is float else v
                else:
                    out[i] = self.finish(v, bx.one(i))
            return out
        if isinstance(res, _VArea):
            for i in range(n):
                out[i] = self.finish(res.area(i), bx.one(i))
            return out
        for i in range(n):
            out[i] = self.finish(res, bx.one(i))
        return out

    def _moves(self, node: Node, bx: _Bx) -> bool:
        """Can the node's value differ from row to row of a block? True for
        relative rows, ROW()/COLUMN(), ``[@col]``, and ranges that a normal
        formula intersects implicitly with the row (``ROUND($A$1:$A$9,0)``)."""
        return self._row_dependent(node, False, False, 0, bx.grid.name.casefold())

    def _row_dependent(self, node: Node, scalar: bool, array: bool, depth: int, sheet: str) -> bool:
        if depth > 50:
            return True
        cur: Any = node
        if isinstance(cur, Ref):
            if cur.rows and not (cur.abs_top and cur.abs_bottom):
                return True
            return scalar and not array and not (cur.top == cur.bottom and cur.left == cur.right)
        if isinstance(cur, Func):
            if (cur.base_name in ("ROW", "COLUMN") and not cur.args) or cur.base_name == "SINGLE":
                return True
            spec = self.spec(cur.name)
            if spec is None:
                return True
            if scalar and not array and spec.name in _REF_RESULTS:
                return True
            sub = array or spec.array_args
            return any(
                self._row_dependent(a, spec.lifts(i), sub, depth + 1, sheet)
                for i, a in enumerate(cur.args)
            )
        if isinstance(cur, Unary | Percent):
            return self._row_dependent(cur.operand, True, array, depth + 1, sheet)
        if isinstance(cur, Binary):
            return self._row_dependent(
                cur.left, True, array, depth + 1, sheet
            ) or self._row_dependent(cur.right, True, array, depth + 1, sheet)
        if isinstance(cur, RangeOp | Intersect | Union | SpillRef):
            if scalar and not array:
                return True
            kids = (
                cur.items
                if isinstance(cur, Union)
                else (cur.anchor,)
                if isinstance(cur, SpillRef)
                else (cur.left, cur.right)
            )
            return any(self._row_dependent(k, False, array, depth + 1, sheet) for k in kids)
        if isinstance(cur, StructRef):
            return "#This Row" in cur.items or (scalar and not array)
        if isinstance(cur, Name):
            target = self._name_node(cur, sheet)
            if target is None:
                return False
            return self._row_dependent(target, scalar, array, depth + 1, sheet)
        return False

    def v_generic(self, spec: FunctionSpec, args: list[Any], bx: _Bx) -> _Vec:
        n = bx.n
        shared = list(args)
        for i, a in enumerate(args):
            if isinstance(a, Area) and spec.name in _VALUE_ONLY and not spec.lifts(i):
                key = id(a)
                if key not in self._memo:
                    self._memo[key] = (a, a.values().copy())
                shared[i] = self._memo[key][1]
        out = np.empty(n, dtype=object)
        vec_idx = [i for i, a in enumerate(args) if _is_vec(a)]
        row = list(shared)
        with fx.shared_work():
            for r in range(n):
                for i in vec_idx:
                    a = args[i]
                    if isinstance(a, _VArea):
                        row[i] = a.area(r)
                    elif a.src is not None and not spec.lifts(i):
                        g, top, col = a.src
                        row[i] = Area(g, top + r, col, top + r, col)
                    else:
                        row[i] = a.v[r]
                out[r] = fx.call(spec, row, bx.one(r))
        return _Vec(out)

    def v_grouped(self, spec: FunctionSpec, args: list[Any], bx: _Bx) -> _Vec | None:
        """COUNTIF/SUMIFS … whose criteria vary by row: one grouped pass
        (:func:`addin.refresh.functions.criteria.grouped_ifs`); the groups it
        leaves to the function are computed once per distinct criteria."""
        n = bx.n
        per_row: dict[int, list[Any]] = {}
        for i, a in enumerate(args):
            if not _is_vec(a):
                continue
            if not spec.lifts(i) or not isinstance(a, _Vec) or not _plain(a):
                return None
            per_row[i] = a.v.tolist()
        if not spec.accepts(len(args)):
            return None
        with fx.shared_work():
            res = criteria.grouped_ifs(spec.name, args, per_row, n)
            done: dict[tuple[Any, ...], Any] = {}
            row = list(args)
            for r in range(n):
                if res[r] is not None:
                    continue
                key = tuple((type(v[r]), v[r]) for v in per_row.values())
                if key not in done:
                    for i, v in per_row.items():
                        row[i] = v[r]
                    done[key] = fx.call(spec, row, bx.one(r))
                res[r] = done[key]
        out = np.empty(n, dtype=object)
        out[:] = res
        return _Vec(out)

    # ---------------------------------------------------------- fast paths

    def v_fast(self, spec: FunctionSpec, node: Func, args: list[Any], bx: _Bx) -> Any:
        name = spec.name
        if not spec.accepts(len(args)):
            return None  # the generic path gives the arity error
        if any(isinstance(a, _Vec) and not _plain(a) for a in args):
            return None  # rows holding arrays or references: lifted per row
        if name == "SINGLE":  # @ of plain values: the values
            return _Vec(args[0].v) if isinstance(args[0], _Vec) else None
        if name in ("VLOOKUP", "HLOOKUP"):
            return self.v_vlookup(spec, args, bx)
        if name in ("MATCH", "XMATCH"):
            return self.v_match(spec, args, bx)
        if name in ("RANK", "RANK.EQ", "RANK.AVG"):
            return self.v_rank(spec, args)
        if name == "ROUND":
            return self.v_round(args)
        if name == "IF":
            return self.v_if(args)
        if spec.kernel_broadcasts and registry.PER_ROW in spec.params:
            return self.v_contract(spec, args, bx)
        return None

    def _shared_array(self, a: Any) -> np.ndarray | None:
        if isinstance(a, Area | np.ndarray):
            key = id(a)
            if key not in self._memo:
                self._memo[key] = (a, fx.as_array(a).copy())
            return self._memo[key][1]
        return None

    def _exact_index(
        self, owner: np.ndarray, items: np.ndarray, how: str, fold: bool
    ) -> dict[Any, int]:
        """First position of each lookup key in ``items`` (a row or column of
        ``owner``, an array the memo keeps alive, so its id is stable)."""
        key = ("idx", id(owner), how, fold)
        if key not in self._memo:
            idx: dict[Any, int] = {}
            for i, v in enumerate(items.tolist()):
                k = fx._lookup_key(v, fold)
                if k is not None and k not in idx:
                    idx[k] = i
            self._memo[key] = idx
        return self._memo[key]

    def v_vlookup(self, spec: FunctionSpec, args: list[Any], bx: _Bx) -> Any:
        if len(args) < 3 or not isinstance(args[0], _Vec) or any(_is_vec(a) for a in args[1:]):
            return None
        table = self._shared_array(args[1])
        if table is None or isinstance(args[2], Area | np.ndarray):
            return None
        approx = args[3] if len(args) > 3 else MISSING
        if isinstance(approx, Area | np.ndarray | ExcelError) or isinstance(args[2], ExcelError):
            return None
        try:
            exact = approx is not MISSING and not fx.to_bool(approx)
            k = fx.to_int(args[2])
        except ExcelErrorRaised:
            return None
        vertical = spec.name == "VLOOKUP"
        if k < 1 or k > (table.shape[1] if vertical else table.shape[0]):
            return None
        keys = table[:, 0] if vertical else table[0, :]
        if not exact:
            return self._v_approx(table, keys, k, vertical, args)
        idx = self._exact_index(table, keys, "col" if vertical else "row", False)
        vals = args[0].v
        n = len(vals)
        out = np.empty(n, dtype=object)
        for i in range(n):
            x = vals[i]
            if isinstance(x, ExcelError):
                out[i] = x
                continue
            if x is None:
                x = 0.0
            if isinstance(x, str) and any(ch in x for ch in "*?~"):
                out[i] = fx.call(spec, [x, args[1], *args[2:]], bx.one(i))
                continue
            p = idx.get(fx._lookup_key(x))
            if p is None:
                out[i] = NA.with_message("找不到匹配值 / no match")
            else:
                # a blank stays blank for the formula around it (VLOOKUP(…)&""
                # is ""); the cell's own value turns it into 0
                out[i] = table[p, k - 1] if vertical else table[k - 1, p]
        return _Vec(out)

    def _v_approx(
        self, table: np.ndarray, keys: np.ndarray, k: int, vertical: bool, args: list[Any]
    ) -> Any:
        """VLOOKUP/HLOOKUP approximate match on a column of numbers sorted
        ascending: one ``searchsorted`` (Excel's binary search finds the same
        row there); anything else goes row by row."""
        sorted_keys = _pure_floats(np.asarray(keys))
        vals = args[0].v
        if sorted_keys is None or vals.dtype != np.float64:
            return None
        rk = _round15_array(sorted_keys)
        if len(rk) > 1 and not (np.diff(rk) >= 0).all():
            return None
        pos = np.searchsorted(rk, _round15_array(vals), "right") - 1
        column = table[:, k - 1] if vertical else table[k - 1, :]
        out = np.empty(len(vals), dtype=object)
        found = pos >= 0
        picked = column[np.where(found, pos, 0)]
        out[:] = picked.tolist()
        out[~found] = NA.with_message("找不到匹配值 / no match")
        return _Vec(out)

    def v_match(self, spec: FunctionSpec, args: list[Any], bx: _Bx) -> Any:
        if not isinstance(args[0], _Vec) or any(_is_vec(a) for a in args[1:]):
            return None
        arr = self._shared_array(args[1])
        if arr is None or (arr.shape[0] != 1 and arr.shape[1] != 1):
            return None
        mode = args[2] if len(args) > 2 else MISSING
        if isinstance(mode, Area | np.ndarray | ExcelError):
            return None
        if len(args) > 3 and args[3] is not MISSING:
            return None
        try:
            m = (1 if spec.name == "MATCH" else 0) if mode is MISSING else fx.to_number(mode)
        except ExcelErrorRaised:
            return None
        if m != 0:
            return None
        fold = spec.name == "XMATCH"
        idx = self._exact_index(arr, arr.ravel(), "all", fold)
        vals = args[0].v
        out = np.empty(len(vals), dtype=object)
        for i, x in enumerate(vals):
            if isinstance(x, ExcelError):
                out[i] = x
            elif x is None or (isinstance(x, str) and any(ch in x for ch in "*?~")):
                out[i] = fx.call(spec, [x, *args[1:]], bx.one(i))
            else:
                p = idx.get(fx._lookup_key(x, fold))
                out[i] = NA.with_message("找不到匹配值 / no match") if p is None else float(p + 1)
        return _Vec(out)

    def v_rank(self, spec: FunctionSpec, args: list[Any]) -> Any:
        if not isinstance(args[0], _Vec) or any(_is_vec(a) for a in args[1:]):
            return None
        ref = args[1]
        if not isinstance(ref, Area | np.ndarray):
            return None
        order = args[2] if len(args) > 2 else MISSING
        if isinstance(order, Area | np.ndarray | ExcelError):
            return None
        try:
            asc = False if order is MISSING else fx.to_number(order) != 0
        except ExcelErrorRaised:
            return None
        arr = self._shared_array(ref)
        assert arr is not None
        vals = args[0].v
        n = len(vals)
        try:
            nums = fx._rank_numbers(arr)
        except ExcelErrorRaised as exc:
            err: ExcelError | None = exc.error
            nums = []
        else:
            err = None
        srt = np.sort(_round15_array(np.array(nums, dtype=np.float64)))
        average = spec.name == "RANK.AVG"
        m = len(srt)
        if vals.dtype == np.float64 and err is None:
            xr = _round15_array(vals)
            lo = np.searchsorted(srt, xr, "left")
            hi = np.searchsorted(srt, xr, "right")
            before = lo if asc else m - hi
            rank = before + 1.0 if not average else before + (hi - lo + 1) / 2
            missing = hi == lo
            if not missing.any():
                return _Vec(rank.astype(np.float64))
            res = rank.astype(object)
            res[missing] = NA.with_message("数值不在排名区域中 / the number is not in ref")
            return _Vec(res)
        out = np.empty(n, dtype=object)
        for i in range(n):
            x = vals[i]
            if isinstance(x, ExcelError):
                out[i] = x
                continue
            try:
                xv = fx.to_number(x, self.date1904)
            except ExcelErrorRaised as exc:
                out[i] = exc.error
                continue
            if err is not None:
                out[i] = err
                continue
            xr1 = fx.round15(xv)
            lo1 = int(np.searchsorted(srt, xr1, "left"))
            hi1 = int(np.searchsorted(srt, xr1, "right"))
            if hi1 == lo1:
                out[i] = NA.with_message("数值不在排名区域中 / the number is not in ref")
                continue
            b1 = lo1 if asc else m - hi1
            out[i] = float(b1 + 1) if not average else b1 + (hi1 - lo1 + 1) / 2
        return _Vec(out)

    def v_round(self, args: list[Any]) -> Any:
        x, d = args[0], args[1]
        if not isinstance(x, _Vec) or _is_vec(d) or not isinstance(d, float):
            return None
        f = x.v if x.v.dtype == np.float64 else None
        if f is None:
            return None
        from udfs._numbers import round_decimal

        return _Vec(round_decimal(f, math.trunc(d)) + 0.0)

    def v_if(self, args: list[Any]) -> Any:
        cond = args[0]
        if not isinstance(cond, _Vec) or len(args) < 2:
            return None
        branches = args[1:]
        if any(isinstance(a, _VArea | Area | np.ndarray) for a in branches):
            return None
        if any(a is MISSING for a in branches):
            return None
        c = cond.v
        if c.dtype == np.float64:
            mask = c != 0
        else:
            if not all(x.__class__ is bool for x in c):
                return None
            mask = c.astype(bool)
        n = len(c)
        yes = branches[0].v if isinstance(branches[0], _Vec) else branches[0]
        if len(branches) == 1:
            no: Any = False
        else:
            no = branches[1].v if isinstance(branches[1], _Vec) else branches[1]
        for val in (yes, no):
            if (
                isinstance(val, np.ndarray)
                and val.dtype == object
                and any(isinstance(v, Area | np.ndarray) or v is None for v in val)
            ):
                return None
        if (
            isinstance(yes, np.ndarray)
            and yes.dtype == np.float64
            and (isinstance(no, float) or (isinstance(no, np.ndarray) and no.dtype == np.float64))
        ):
            return _Vec(np.where(mask, yes, no))
        out = np.empty(n, dtype=object)
        ya = isinstance(yes, np.ndarray)
        na = isinstance(no, np.ndarray)
        for i in range(n):
            out[i] = (yes[i] if ya else yes) if mask[i] else (no[i] if na else no)
        return _Vec(out)

    def v_contract(self, spec: FunctionSpec, args: list[Any], bx: _Bx) -> Any:
        """A contract function down the block in one kernel call: its per-row
        arguments (registry role ``row``, in any position) stacked into columns
        (or row blocks, one row of cells per row), the others passed once. The
        kernel broadcasts the per-row arguments and parses tables once."""
        n = bx.n
        stacked = list(args)
        for i, a in enumerate(args):
            row = spec.role(i) == registry.PER_ROW
            if not _is_vec(a):
                if row and isinstance(a, Area | np.ndarray) and a.shape != (1, 1):
                    return None  # a fixed range read as one per row: cell by cell
                continue
            if not row:
                return None  # a table or population that moves: cell by cell
            if isinstance(a, _Vec):
                col = a.v.reshape(n, 1) if a.v.dtype == np.float64 else np.empty((n, 1), object)
                if col.dtype == object:
                    col[:, 0] = a.v
                stacked[i] = col
            elif a.bottom == a.top:
                stacked[i] = a.grid.block(a.top, a.left, a.top + n - 1, a.right).copy()
            else:
                return None
        res = spec.impl(*stacked)
        if isinstance(res, np.ndarray):
            if res.ndim == 2 and res.shape[0] == n:
                return _Vec(res[:, 0].copy())
            return None
        return res  # one value for every row (an error in a shared argument)

    def v_sumproduct(self, node: Func, spec: FunctionSpec, bx: _Bx) -> Any:
        if spec.name != "SUMPRODUCT" or not node.args:
            return None
        if not all(isinstance(a, Ref) for a in node.args):
            return None
        n = bx.n
        mats: list[np.ndarray] = []
        shape: tuple[int, int] | None = None
        for a in node.args:
            v = self.ev(a, bx)
            if isinstance(v, _VArea):
                h, w = v.bottom - v.top + 1, v.right - v.left + 1
                big = v.grid.block(v.top, v.left, v.bottom + n - 1, v.right)
                m = big.reshape(n, 1, w) if h == 1 else np.stack([big[i : i + h] for i in range(n)])
            elif isinstance(v, _Vec):
                h, w = 1, 1
                m = v.v.astype(object).reshape(n, 1, 1)
            elif isinstance(v, Area):
                h, w = v.shape
                m = np.broadcast_to(fx.as_array(v)[None, :, :], (n, h, w))
            else:
                return None
            if shape is None:
                shape = (h, w)
            elif shape != (h, w):
                return _Vec(
                    np.array(
                        [VALUE.with_message("SUMPRODUCT 各数组大小不同 / arrays differ in size")]
                        * n,
                        dtype=object,
                    )
                )
            mats.append(m)
        assert shape is not None
        total = np.ones((n, shape[0] * shape[1]))
        errors: list[Any] = [None] * n
        for m in mats:
            flat = m.reshape(n, -1)
            fast = _pure_floats(flat.ravel())
            if fast is not None:
                total = total * fast.reshape(flat.shape)
                continue
            vals = np.zeros(flat.shape)
            for idx, x in np.ndenumerate(flat):
                if x.__class__ is float:
                    vals[idx] = x
                elif isinstance(x, ExcelError):
                    if errors[idx[0]] is None:
                        errors[idx[0]] = x
                elif isinstance(x, int) and not isinstance(x, bool):
                    vals[idx] = x
            total = total * vals
        out = np.empty(n, dtype=object)
        rows = total.tolist()
        for i in range(n):
            out[i] = errors[i] if errors[i] is not None else math.fsum(rows[i])
        return _Vec(out)


# ------------------------------------------------------------------ helpers

#: Functions whose result may be a reference (implicitly intersected per row).
_REF_RESULTS = {"INDEX", "XLOOKUP", "IF", "CHOOSE", "IFS", "IFERROR", "IFNA", "OFFSET", "INDIRECT",
                "SWITCH", "LOOKUP"}  # fmt: skip

_VALUE_ONLY = {
    "VLOOKUP", "HLOOKUP", "MATCH", "XMATCH", "SUM", "COUNT", "COUNTA", "AVERAGE", "MIN",
    "MAX", "LARGE", "SMALL", "RANK", "RANK.EQ", "RANK.AVG", "AND", "OR", "CONCAT", "TEXTJOIN",
}  # fmt: skip

_NP_CMP = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    ">": np.greater,
    "<=": np.less_equal,
    ">=": np.greater_equal,
}


def _scalar_float(v: Any) -> Any:
    if v.__class__ is float:
        return v
    return None


def _round15_array(x: np.ndarray) -> np.ndarray:
    """:func:`addin.refresh.functions.round15` element-wise (same results):
    numpy for the values it leaves alone, the scalar function for the rest."""
    from udfs._numbers import round_sig

    x = np.asarray(x, dtype=np.float64)
    r = round_sig(x, 15)
    differ = np.nonzero((r != x) & np.isfinite(x))[0]
    for i in differ.tolist():
        r[i] = fx.round15(float(x[i]))
    return r


def _np_binary(op: str, a: np.ndarray, b: np.ndarray) -> _Vec | None:
    with np.errstate(all="ignore"):
        if op in _NP_CMP:
            r = _NP_CMP[op](_round15_array(a), _round15_array(b))
            return _Vec(r.astype(object))
        if op == "+":
            r = a + b
            tiny = (r != 0) & (np.abs(r) < np.maximum(np.abs(a), np.abs(b)) * 1e-15)
            r = np.where(tiny, 0.0, r)
        elif op == "-":
            r = a - b
            tiny = (r != 0) & (np.abs(r) < np.maximum(np.abs(a), np.abs(b)) * 1e-15)
            r = np.where(tiny, 0.0, r)
        elif op == "*":
            r = a * b
        elif op == "/":
            r = a / b
        else:
            return None  # ^ has many special cases: the exact path
    bad = ~np.isfinite(r)
    if op == "/":
        bad |= b == 0
    if not bad.any():
        return _Vec(r)
    out = r.astype(object)
    for i in np.nonzero(bad)[0]:
        out[i] = fx.binary_op(op, float(a[i]), float(b[i]))
    return _Vec(out)


def _map(fn: Callable[[Any], Any], arr: np.ndarray) -> np.ndarray:
    out = np.empty(len(arr), dtype=object)
    for i, x in enumerate(arr):
        out[i] = fn(x)
    return out


def _lift2(op: str, a: Any, b: Any, d1904: bool) -> Any:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        left, right = fx.as_array(a), fx.as_array(b)
        h, w = max(left.shape[0], right.shape[0]), max(left.shape[1], right.shape[1])
        out = np.empty((h, w), dtype=object)
        for i in range(h):
            for j in range(w):
                out[i, j] = fx.binary_op(
                    op, fx._broadcast_get(left, i, j), fx._broadcast_get(right, i, j), d1904
                )
        return out
    return fx.binary_op(op, a, b, d1904)


def _lift1(op: str, a: Any, d1904: bool) -> Any:
    if isinstance(a, np.ndarray):
        out = np.empty(a.shape, dtype=object)
        for idx, x in np.ndenumerate(a):
            out[idx] = fx.unary_op(op, x, d1904)
        return out
    return fx.unary_op(op, a, d1904)


def _array_value(node: ArrayLit) -> np.ndarray:
    out = np.empty((len(node.rows), len(node.rows[0])), dtype=object)
    for i, row in enumerate(node.rows):
        for j, v in enumerate(row):
            out[i, j] = ExcelError(v.code) if isinstance(v, ErrorLitValue) else v
    return out


def _range_union(a: Any, b: Any) -> Any:
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    if not isinstance(a, Area) or not isinstance(b, Area) or a.grid is not b.grid:
        return VALUE.with_message("区域运算需要同一工作表的引用 / : needs references on one sheet")
    return Area(
        a.grid,
        min(a.top, b.top),
        min(a.left, b.left),
        max(a.bottom, b.bottom),
        max(a.right, b.right),
    )


def _column_runs(cells: list[tuple[int, Formula]], col: int) -> list[tuple[int, int, Formula]]:
    """Split one column's formula cells (sorted by row) into runs of the same
    R1C1 formula: ``(first row, rows, formula of the first row)``.

    A run's first formula becomes a template of its relative row numbers; the
    next row belongs to the run when its text is exactly the template with
    those numbers moved down one more row — the formula filled down.
    """
    out: list[tuple[int, int, Formula]] = []
    i, n = 0, len(cells)
    while i < n:
        r0, f0 = cells[i]
        fmt, base = row_template(f0.text)
        j = i + 1
        if base:
            if len(base) == 1:
                b0 = base[0]
                while (
                    j < n and cells[j][0] == r0 + (j - i) and cells[j][1].text == fmt % (b0 + j - i)
                ):
                    j += 1
            elif len(set(base)) == 1:  # every relative reference on the formula's own row
                b0, m = base[0], len(base)
                while (
                    j < n
                    and cells[j][0] == r0 + (j - i)
                    and cells[j][1].text == fmt % ((b0 + j - i,) * m)
                ):
                    j += 1
            else:
                while j < n and cells[j][0] == r0 + (j - i):
                    k = j - i
                    if cells[j][1].text != fmt % tuple([x + k for x in base]):
                        break
                    j += 1
        else:
            while j < n and cells[j][0] == r0 + (j - i) and cells[j][1].text == f0.text:
                j += 1
        out.append((r0, j - i, f0))
        i = j
    return out


def _display_name(name: str) -> str:
    """A function name as Excel shows it (``_XLFN.UNICHAR`` → ``UNICHAR``)."""
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _intersection(a: Any, b: Any) -> Any:
    for v in (a, b):
        if isinstance(v, ExcelError):
            return v
        if not isinstance(v, Area | MultiArea):
            return VALUE.with_message("交叉运算需要引用 / the space operator needs references")
    xs = list(a) if isinstance(a, MultiArea) else [a]
    ys = list(b) if isinstance(b, MultiArea) else [b]
    parts = []
    for x in xs:
        for y in ys:
            if x.grid is not y.grid:
                continue
            top, bottom = max(x.top, y.top), min(x.bottom, y.bottom)
            left, right = max(x.left, y.left), min(x.right, y.right)
            if top <= bottom and left <= right:
                parts.append(Area(x.grid, top, left, bottom, right))
    if not parts:
        return NULL.with_message("区域没有交集 / the ranges do not intersect")
    return parts[0] if len(parts) == 1 else MultiArea(parts)


def _ref_bounds(ref: str) -> tuple[Coord, Coord]:
    if ":" in ref:
        a, b = ref.split(":", 1)
        return from_a1(a), from_a1(b)
    c = from_a1(ref)
    return c, c


def _coord_array(cells: Mapping[Coord, Any]) -> np.ndarray:
    """The keys of ``cells`` as an ``(n, 2)`` array of (row, col)."""
    flat = np.fromiter(itertools.chain.from_iterable(cells), dtype=np.intp, count=2 * len(cells))
    return flat.reshape(-1, 2)


def _clean(v: Any) -> CellValue:
    if isinstance(v, bool) or v is None or isinstance(v, str | ExcelError):
        return v
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    return v


def _as_result_array(v: Any) -> np.ndarray:
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
        return v
    if v is None or v is MISSING:
        return 0.0
    return _clean(v)


def _spill_value(v: Any) -> CellValue:
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, Area):
        v = v.value()
        return 0.0 if v is None else v
    return _clean(v)


def _fill_value(arr: np.ndarray, i: int, j: int) -> CellValue:
    """A legacy array formula's value in its range cell (i, j): a single row or
    column repeats, cells beyond the result are #N/A."""
    return _spill_value(fx._broadcast_get(arr, i, j))


def _shift_node(node: Any, dr: int, dc: int = 0) -> Any:
    """The tree with every relative row moved ``dr`` rows down (and every
    relative column ``dc`` columns right)."""
    nd: Any = node
    if node is None or (dr == 0 and dc == 0):
        return node
    t = nd.__class__
    if t is Ref:
        return nd.shifted(dr, dc)
    if t is Func:
        return Func(nd.name, tuple(_shift_node(a, dr, dc) for a in nd.args))
    if t is Binary:
        return Binary(nd.op, _shift_node(nd.left, dr, dc), _shift_node(nd.right, dr, dc))
    if t is Unary:
        return Unary(nd.op, _shift_node(nd.operand, dr, dc))
    if t is Percent:
        return Percent(_shift_node(nd.operand, dr, dc))
    if t is RangeOp:
        return RangeOp(_shift_node(nd.left, dr, dc), _shift_node(nd.right, dr, dc))
    if t is SpillRef:
        return SpillRef(_shift_node(nd.anchor, dr, dc))
    if t is Intersect:
        return Intersect(_shift_node(nd.left, dr, dc), _shift_node(nd.right, dr, dc))
    if t is Union:
        return Union(tuple(_shift_node(a, dr, dc) for a in nd.items))
    return node


_UNBOUND = object()


def _relative_to(node: Any, dr: int, dc: int) -> Any:
    """A defined name's tree seen from the cell ``dr`` rows and ``dc`` columns
    from A1: relative rows and columns move, wrapping round the sheet's edge."""
    if (dr == 0 and dc == 0) or node is None:
        return node
    if isinstance(node, Ref):
        if ((node.abs_top and node.abs_bottom) or not node.rows) and (
            (node.abs_left and node.abs_right) or not node.cols
        ):
            return node
        r = node.shifted(dr, dc)

        def wrap(v: int, n: int) -> int:
            return (v - 1) % n + 1

        top, bottom = wrap(r.top, MAX_ROW), wrap(r.bottom, MAX_ROW)
        left, right = wrap(r.left, MAX_COL), wrap(r.right, MAX_COL)
        return dataclasses.replace(r, top=top, bottom=bottom, left=left, right=right)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            if isinstance(v, tuple):
                nv: Any = tuple(_relative_to(x, dr, dc) for x in v)
            elif dataclasses.is_dataclass(v):
                nv = _relative_to(v, dr, dc)
            else:
                continue
            if nv is not v and nv != v:
                changes[f.name] = nv
        return dataclasses.replace(node, **changes) if changes else node
    return node


def _toposort(blocks: list[Block]) -> tuple[list[int], set[int]]:
    n = len(blocks)
    indeg = [0] * n
    users: list[list[int]] = [[] for _ in range(n)]
    for i, b in enumerate(blocks):
        for d in b.deps:
            users[d].append(i)
            indeg[i] += 1
    queue = deque(i for i in range(n) if indeg[i] == 0)
    order: list[int] = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for u in users[i]:
            indeg[u] -= 1
            if indeg[u] == 0:
                queue.append(u)
    left = set(range(n)) - set(order)
    return order, left


def _cycles(blocks: list[Block], nodes: set[int]) -> list[list[int]]:
    """Strongly connected components among ``nodes`` that are real cycles
    (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on: set[int] = set()
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(d for d in blocks[root].deps if d in nodes)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(d for d in blocks[w].deps if d in nodes))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in blocks[v].deps:
                    comps.append(comp)
    return comps


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
    # The engine allocates many small objects while nothing it builds is
    # cyclic garbage: pausing the cyclic collector saves a third of the time.
    from addin.refresh.external_refs import with_external_sheets

    wb = with_external_sheets(wb)  # [1]Sheet1!A1: links to other workbooks
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        extents: dict[tuple[str, Coord], Coord] = {}
        late: list[tuple[str, int, int, int, Rect]] = []
        for _ in range(5):
            engine = _Engine(wb, vectorise, extents, late)
            results = engine.run()
            if (not engine.grown or not engine.read_too_early()) and not engine.late_found:
                return results
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
