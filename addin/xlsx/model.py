"""The workbook as the refresh engine sees it: the contract between the package
reader (:mod:`addin.xlsx.workbook` and its part readers), the calculator (:mod:`addin.refresh.engine`)
and the writer (:mod:`addin.xlsx.writer`).

Coordinates are 1-based ``(row, col)`` tuples, as in the A1 notation they come
from (``B3`` is ``(3, 2)``). Cell values use the kernel's types: ``float`` for
numbers (dates are their serial numbers), ``str``, ``bool``,
:class:`udfs.errors.ExcelError`, and ``None`` for a blank.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from heapq import merge
from itertools import repeat
from typing import Literal

import numpy as np

from addin.xlsx.a1 import MAX_COL, MAX_ROW, quote_sheet, to_a1
from addin.xlsx.cell_keys import distinct, keys_of
from addin.xlsx.formula import row_template
from addin.xlsx.formula_shift import Template, compile_template, instantiate, row_format
from udfs.errors import ExcelError

CellValue = float | str | bool | ExcelError | None
Coord = tuple[int, int]


@dataclass(eq=False)
class SharedGroup:
    """One shared formula of a sheet (``<f t="shared" si=…>``): the master cell
    (the one holding the text), the ``ref`` and ``si`` it declares, its text.

    The group is what a child cell's :class:`~addin.xlsx.model.Formula` points
    to; its text is worked out by :meth:`expand` only when read. ``ref`` is as
    written in the file and not trusted for anything: the group's cells are
    the cells that name its ``si``. Expanding 100,000 children one reference
    at a time is slow, so for each column offset the template is turned once
    into a format string whose placeholders are the relative row numbers; a
    child then costs one ``str.format``.
    """

    master: Coord
    si: str
    ref: str | None
    text: str
    template: Template = field(repr=False)
    fast: dict[int, tuple[str, list[int], int, int] | None] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def of(cls, master: Coord, si: str, ref: str | None, text: str) -> SharedGroup:
        return cls(master, si, ref, text, compile_template(text))

    def expand(self, coord: Coord) -> str:
        """The text of cell ``coord``: the master's, every relative reference
        moved by the distance (``#REF!`` where one leaves the sheet)."""
        drow, dcol = coord[0] - self.master[0], coord[1] - self.master[1]
        if dcol not in self.fast:
            self.fast[dcol] = row_format(self.template, dcol)
        plan = self.fast[dcol]
        if plan is not None:
            fmt, bases, lo, hi = plan
            if lo + drow >= 1 and hi + drow <= MAX_ROW:
                return fmt.format(*[b + drow for b in bases])
        return instantiate(self.template, drow, dcol)

    def rows_on_sheet(self, dcol: int) -> tuple[int, int] | None:
        """The row offsets from the master, ``(lo, hi)`` inclusive, at which
        the text moved ``dcol`` columns keeps every reference on the sheet
        (elsewhere :meth:`expand` writes ``#REF!``); ``None`` when a column
        leaves it at every row."""
        lo, hi = 1 - MAX_ROW, MAX_ROW - 1
        for part in self.template:
            if isinstance(part, str):
                continue
            kind, col_abs, col, row_abs, row = part
            if kind != "row" and not col_abs and not 1 <= col + dcol <= MAX_COL:
                return None
            if kind != "col" and not row_abs:
                lo, hi = max(lo, 1 - row), min(hi, MAX_ROW - row)
        return lo, hi


FormulaKind = Literal["normal", "array", "dynamic"]


class Formula:
    """One cell's formula as stored in the package.

    ``text`` is the formula without the leading ``=``, exactly as in the XML
    (``_xlfn.`` prefixes, ``_xludf.`` names and all), as Excel shows it in the
    cell. ``kind`` is ``"array"`` for a legacy CSE array formula
    (``t="array"``), ``"dynamic"`` for a dynamic-array formula (``t="array"``
    with a ``cm`` metadata reference), else ``"normal"``. ``ref`` is the range
    an array formula occupies (``"C1:C9"``) as written in the file, ``None``
    for normal formulas.

    A cell of a shared formula (``<f t="shared">``, made by :meth:`shared`)
    keeps its group: ``group`` is the :class:`SharedGroup`
    (master cell, ``ref``, ``si``, master text) and ``at`` the cell; both are
    ``None`` for any other formula. A child's ``text`` (the master's text
    moved to the cell, as Excel fills it) is worked out only when something
    reads it, so a 100,000-row group costs no 100,000 strings unless they are
    wanted; the engine takes the group as blocks without them. Immutable;
    equality and hashing are by ``(text, kind, ref)``, so a child equals the
    same formula written out.
    """

    __slots__ = ("kind", "ref", "text")

    text: str
    kind: FormulaKind
    ref: str | None
    group: SharedGroup | None = None
    at: Coord | None = None

    def __init__(self, text: str, kind: FormulaKind = "normal", ref: str | None = None) -> None:
        _SET_TEXT(self, text)
        _SET_KIND(self, kind)
        _SET_REF(self, ref)

    @staticmethod
    def shared(group: SharedGroup, at: Coord, text: str | None = None) -> Formula:
        """The formula of cell ``at`` in shared group ``group``: the master's
        ``text`` for the master, ``None`` for a child (computed when read)."""
        f = _SharedFormula.__new__(_SharedFormula)
        _SET_TEXT(f, text)
        _SET_KIND(f, "normal")
        _SET_REF(f, None)
        _SET_GROUP(f, group)
        _SET_AT(f, at)
        return f

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Formula is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Formula is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Formula):
            return NotImplemented
        return (self.text, self.kind, self.ref) == (other.text, other.kind, other.ref)

    def __hash__(self) -> int:
        return hash((self.text, self.kind, self.ref))

    def __repr__(self) -> str:
        shared = f", group={self.group.si!r}" if self.group is not None else ""
        return f"Formula({self.text!r}, {self.kind!r}, {self.ref!r}{shared})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Formula, (self.text, self.kind, self.ref))


class _SharedFormula(Formula):
    """A :class:`Formula` of a shared group: two more slots, which only the
    cells of groups pay for, and ``text`` worked out on first read (a plain
    formula's ``text`` stays a slot, read at slot speed)."""

    __slots__ = ("at", "group")

    @property
    def text(self) -> str:  # type: ignore[override]  # read-only: Formula is immutable
        text: str | None = _GET_TEXT(self, _SharedFormula)
        if text is None:
            group, at = self.group, self.at
            assert group is not None
            assert at is not None
            text = group.expand(at)
            _SET_TEXT(self, text)
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (Formula.shared, (self.group, self.at, _GET_TEXT(self, _SharedFormula)))


# the slots' own accessors: building a Formula around ``__setattr__`` (which
# refuses) at a third of the cost of ``object.__setattr__``
_GET_TEXT = Formula.__dict__["text"].__get__
_SET_TEXT, _SET_KIND, _SET_REF = (Formula.__dict__[n].__set__ for n in ("text", "kind", "ref"))
_SET_AT, _SET_GROUP = (_SharedFormula.__dict__[n].__set__ for n in ("at", "group"))


@dataclass(eq=False)
class FormulaRun:
    """Consecutive rows of one column holding one formula filled down: the
    cells of one shared group (``first.group``), or formulas written cell by
    cell whose texts are equal in R1C1 form — each the first cell's text with
    its relative row numbers moved down by the distance (``fmt`` and ``base``,
    :func:`addin.xlsx.formula.row_template` of the first text).

    A run is kept as its first formula and its length: 100,000 rows filled
    down cost no 100,000 :class:`Formula` objects, texts or keys. A cell's
    formula is made when it is read (:meth:`formula`), equal to the one the
    file wrote: a plain text is the format filled with the moved numbers —
    the very test that put the cell in the run.
    """

    row: int
    col: int
    n: int
    first: Formula
    fmt: str = ""
    base: tuple[int, ...] = ()

    @property
    def last(self) -> int:
        return self.row + self.n - 1

    def formula(self, row: int) -> Formula:
        """The formula of the run's cell in ``row``."""
        k = row - self.row
        if k == 0:
            return self.first
        group = self.first.group
        if group is not None:
            at = (row, self.col)
            return Formula.shared(group, at, group.text if at == group.master else None)
        if not self.base:
            return self.first  # no relative row: every cell holds the same text
        return Formula(self.fmt % tuple([b + k for b in self.base]))

    def items(self) -> Iterator[tuple[Coord, Formula]]:
        """The run's cells and their formulas, top down."""
        col = self.col
        for r in range(self.row, self.row + self.n):
            yield (r, col), self.formula(r)

    def follows(self, coord: Coord, f: Formula) -> bool:
        """Whether ``f`` at ``coord`` is the run's formula in the row just below it."""
        if coord[1] != self.col or coord[0] != self.row + self.n:
            return False
        if f.__class__ is Formula:  # a plain formula (kind and ref checked below)
            if self.first.group is not None or f.kind != "normal" or f.ref is not None:
                return False
            base, k = self.base, self.n
            if not base:
                return f.text == self.first.text
            if len(base) == 1:
                return f.text == self.fmt % (base[0] + k)
            return f.text == self.fmt % tuple([b + k for b in base])
        group = self.first.group
        if group is None or f.group is not group or f.kind != "normal" or f.ref:
            return False
        return (f.at == group.master) == (_GET_TEXT(f, _SharedFormula) is not None)


def _filled_texts(run: FormulaRun, m: int) -> list[str]:
    """The texts of the ``m`` rows below a plain ``run``, as filled down."""
    fmt, base, k = run.fmt, run.base, run.n
    if not base:
        return [run.first.text] * m
    if len(base) == 1:
        b = base[0] + k
        return [fmt % x for x in range(b, b + m)]
    if len(set(base)) == 1:
        b, w = base[0] + k, len(base)
        return [fmt % ((x,) * w) for x in range(b, b + m)]
    return [fmt % tuple([x + d for x in base]) for d in range(k, k + m)]


def _run_of(coord: Coord, above: Formula, f: Formula) -> FormulaRun | None:
    """The run of two cells ``above`` (one row up) and ``f`` at ``coord``, or
    ``None`` when ``f`` is not ``above`` filled down."""
    if above.kind != "normal" or above.ref or f.kind != "normal" or f.ref:
        return None
    r, c = coord
    if above.group is not None:
        if f.group is not above.group:
            return None
        run = FormulaRun(r - 1, c, 1, above)
    elif f.group is not None:
        return None
    else:
        fmt, base = row_template(above.text)
        run = FormulaRun(r - 1, c, 1, above, fmt, base)
    return run if run.follows(coord, f) else None


def _last_start(starts: dict[int, list[int]], coord: Coord) -> int | None:
    """The index of the last span in ``coord``'s column starting at or above
    its row (``starts``: each column's spans' first rows, sorted), or ``None``."""
    column = starts.get(coord[1])
    if column is None:
        return None
    i = bisect_right(column, coord[0]) - 1
    return i if i >= 0 else None


class SheetFormulas(MutableMapping[Coord, Formula]):
    """A sheet's formulas by anchor cell: a mapping like a ``dict``, which
    keeps the formulas filled down a column as :class:`FormulaRun` blocks
    (one object per run, not per cell) and the others one by one.

    Runs are recognised as cells are added: a formula set just below a run
    that it continues (or below a single formula it continues) extends the
    run. Reading a run's cell makes its :class:`Formula` (equal to the one
    set). Iteration is in row-major order (row, then column), as a sheet's
    cells are written. The engine takes :meth:`runs` and :meth:`singles`
    directly, without a Formula per cell.
    """

    __slots__ = ("_cells", "_count", "_low", "_ordered", "_runs", "_starts", "_tail")

    def __init__(self, items: Iterable[tuple[Coord, Formula]] | None = None) -> None:
        self._cells: dict[Coord, Formula] = {}
        self._runs: dict[int, list[FormulaRun]] = {}  # by column, sorted by row
        self._starts: dict[int, list[int]] = {}  # each column's runs' first rows
        self._count = 0  # cells in runs
        self._low: dict[int, int] = {}  # each column's lowest formula row (deletions aside)
        self._tail: dict[int, FormulaRun] = {}  # each column's run ending in that row
        self._ordered = True  # ``_cells`` iterates in row-major order
        if items is not None:
            for coord, f in items:
                self[coord] = f

    # -- the runs ---------------------------------------------------------
    def runs(self) -> list[FormulaRun]:
        """Every run, column by column, each column's by row."""
        return [run for col in sorted(self._runs) for run in self._runs[col]]

    def singles(self) -> dict[Coord, Formula]:
        """The formulas kept one by one (not in a run); read-only."""
        return self._cells

    def distinct(self) -> Iterator[Formula]:
        """One formula per run (its first) and every single formula: enough
        for a question every cell of a run answers alike (the functions,
        names and external references it uses)."""
        yield from self._cells.values()
        for column in self._runs.values():
            for run in column:
                yield run.first

    def spans(self) -> list[tuple[Coord, Formula, range]]:
        """Each single formula and each run as (its first cell, its first
        formula, its rows), in row-major order of the first cells: for a
        question every cell of a run answers alike, asked once per run but
        answered for all its rows (no :class:`Formula` per cell)."""
        out = [((row, col), f, range(row, row + 1)) for (row, col), f in self._cells.items()]
        for column in self._runs.values():
            out.extend(((run.row, run.col), run.first, range(run.row, run.last + 1)) for run in column)
        out.sort(key=lambda span: span[0])
        return out

    def run_at(self, coord: Coord) -> FormulaRun | None:
        """The run holding the cell ``coord``, or ``None`` (a single formula, or none)."""
        i = _last_start(self._starts, coord)
        if i is None:
            return None
        run = self._runs[coord[1]][i]
        return run if coord[0] <= run.last else None

    def _add_run(self, run: FormulaRun) -> None:
        column = self._runs.setdefault(run.col, [])
        starts = self._starts.setdefault(run.col, [])
        i = bisect_right(starts, run.row)
        column.insert(i, run)
        starts.insert(i, run.row)
        self._count += run.n
        if run.last >= self._low.get(run.col, 0):
            self._low[run.col] = run.last
            self._tail[run.col] = run

    def _remove_run(self, run: FormulaRun) -> None:
        column, starts = self._runs[run.col], self._starts[run.col]
        i = bisect_right(starts, run.row) - 1
        del column[i], starts[i]
        if not column:
            del self._runs[run.col], self._starts[run.col]
        if self._tail.get(run.col) is run:
            del self._tail[run.col]
        self._count -= run.n

    def _split(self, run: FormulaRun, row: int) -> None:
        """Take cell ``row`` out of ``run``: the rows above and below stay runs
        (a part of one row becomes a single formula)."""
        self._remove_run(run)
        if row > run.row:
            self._keep(FormulaRun(run.row, run.col, row - run.row, run.first, run.fmt, run.base))
        if row < run.last:
            below = run.formula(row + 1)
            k = row + 1 - run.row
            base = tuple([b + k for b in run.base])
            self._keep(FormulaRun(row + 1, run.col, run.last - row, below, run.fmt, base))

    def _keep(self, run: FormulaRun) -> None:
        if run.n == 1:
            self._put_single((run.row, run.col), run.first)
        else:
            self._add_run(run)

    def _put_single(self, coord: Coord, f: Formula) -> None:
        cells = self._cells
        if self._ordered and cells and coord not in cells and coord < next(reversed(cells)):
            self._ordered = False
        cells[coord] = f
        if coord[0] > self._low.get(coord[1], 0):
            self._low[coord[1]] = coord[0]

    # -- the mapping ------------------------------------------------------
    def __getitem__(self, coord: Coord) -> Formula:
        f = self._cells.get(coord)
        if f is not None:
            return f
        run = self.run_at(coord) if self._runs else None
        if run is None:
            raise KeyError(coord)
        return run.formula(coord[0])

    def __contains__(self, coord: object) -> bool:
        if coord in self._cells:
            return True
        if not self._runs or not isinstance(coord, tuple):
            return False
        return self.run_at(coord) is not None

    def __setitem__(self, coord: Coord, f: Formula) -> None:
        r, c = coord
        low = self._low.get(c, 0)
        if r == low + 1:  # just below the column's last formula: a run may go on
            tail = self._tail.get(c)
            if tail is not None and tail.row + tail.n == r:
                if tail.follows(coord, f):
                    tail.n += 1
                    self._count += 1
                    self._low[c] = r
                    return
            else:
                above = self._cells.get((low, c))
                if above is not None:
                    run = _run_of(coord, above, f)
                    if run is not None:
                        del self._cells[(low, c)]
                        run.n = 2
                        self._add_run(run)
                        return
        elif r <= low and self._runs:
            run = self.run_at(coord)
            if run is not None:
                self._split(run, r)
        self._put_single(coord, f)

    def add_texts(self, rows: list[int], cols: list[int], texts: list[str]) -> None:
        """Set plain formulas (``Formula(text)``) at ``(rows[i], cols[i])``
        (each column's cells top down), as :meth:`__setitem__` would one by
        one; the cells that continue their column's run only lengthen it, a
        column at a time (no Formula made for them)."""
        by_col: dict[int, list[int]] = {}
        for i, c in enumerate(cols):
            by_col.setdefault(c, []).append(i)
        tail, low = self._tail, self._low
        for c, where in by_col.items():
            rs = [rows[i] for i in where]
            ts = [texts[i] for i in where]
            i, n = 0, len(rs)
            while i < n:
                run = tail.get(c)
                if run is not None and run.first.group is None and low[c] == run.row + run.n - 1:
                    fmt, base, k = run.fmt, run.base, run.n
                    nxt, j = run.row + k, i
                    # the rest of the column continuing the run (the usual case): its
                    # texts made in one comprehension and compared as one list
                    if rs[i] == nxt and rs[-1] - nxt == n - 1 - i and ts[i:] == _filled_texts(run, n - i):
                        self._count += n - i
                        run.n = k + n - i
                        low[c] = rs[-1]
                        break
                    if len(base) == 1:
                        b = base[0]
                        while j < n and rs[j] == nxt and ts[j] == fmt % (b + k):
                            j, k, nxt = j + 1, k + 1, nxt + 1
                    elif len(set(base)) == 1:  # every relative row the formula's own
                        b, m = base[0], len(base)
                        while j < n and rs[j] == nxt and ts[j] == fmt % ((b + k,) * m):
                            j, k, nxt = j + 1, k + 1, nxt + 1
                    elif base:
                        while j < n and rs[j] == nxt and ts[j] == fmt % tuple([x + k for x in base]):
                            j, k, nxt = j + 1, k + 1, nxt + 1
                    else:
                        first = run.first.text
                        while j < n and rs[j] == nxt and ts[j] == first:
                            j, k, nxt = j + 1, k + 1, nxt + 1
                    if j > i:
                        self._count += k - run.n
                        run.n = k
                        low[c] = nxt - 1
                        i = j
                        continue
                self[(rs[i], c)] = Formula(ts[i])
                i += 1

    def __delitem__(self, coord: Coord) -> None:
        if coord in self._cells:
            del self._cells[coord]
            return
        run = self.run_at(coord) if self._runs else None
        if run is None:
            raise KeyError(coord)
        self._split(run, coord[0])

    def __len__(self) -> int:
        return len(self._cells) + self._count

    def __bool__(self) -> bool:
        return bool(self._cells) or bool(self._runs)

    def __iter__(self) -> Iterator[Coord]:
        if not self._ordered:
            self._cells = dict(sorted(self._cells.items()))
            self._ordered = True
        if not self._runs:
            return iter(self._cells)
        streams: list[Iterable[Coord]] = [self._cells]
        for column in self._runs.values():
            for run in column:
                streams.append(zip(range(run.row, run.row + run.n), repeat(run.col)))
        return merge(*streams)

    def items(self) -> ItemsView[Coord, Formula]:
        return _FormulaItems(self)

    def _items(self) -> Iterator[tuple[Coord, Formula]]:
        """The items in row-major order, a run's formulas made as they come
        (no lookup per cell)."""
        if not self._ordered:
            self._cells = dict(sorted(self._cells.items()))
            self._ordered = True
        if not self._runs:
            return iter(self._cells.items())
        streams: list[Iterable[tuple[Coord, Formula]]] = [self._cells.items()]
        for column in self._runs.values():
            for run in column:
                streams.append(run.items())
        return merge(*streams, key=_coord_of)

    def clear(self) -> None:
        self._cells.clear()
        self._runs.clear()
        self._starts.clear()
        self._low.clear()
        self._tail.clear()
        self._count = 0
        self._ordered = True

    def __repr__(self) -> str:
        return (
            f"SheetFormulas({len(self._cells)} single, {sum(map(len, self._runs.values()))} runs)"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_formulas, (self._cells, self.runs()))


class _FormulaItems(ItemsView[Coord, Formula]):
    """A sheet's formulas' items, a run's made as they come (not a lookup per cell)."""

    _mapping: SheetFormulas

    def __iter__(self) -> Iterator[tuple[Coord, Formula]]:
        return self._mapping._items()


def _coord_of(item: tuple[Coord, Formula]) -> Coord:
    return item[0]


def _rebuild_formulas(cells: dict[Coord, Formula], runs: list[FormulaRun]) -> SheetFormulas:
    out = SheetFormulas()
    for coord, f in cells.items():
        out._put_single(coord, f)
    for run in runs:
        out._add_run(run)
    return out


@dataclass
class Sheet:
    """A worksheet: constants and cached values, and the formulas.

    ``values`` holds every non-empty cell: constants, and for formula cells the
    value cached in the file (which the engine replaces) — a plain dict, or for
    a sheet the reader decoded into typed columns an
    :class:`addin.xlsx.columns.CellValues` (the same mapping, built on first
    read; the engine reads its columns). ``formulas`` maps the anchor cell of
    each formula to it (:class:`SheetFormulas`: formulas filled down a column
    are kept as runs; a plain dict given is turned into one).
    """

    name: str
    values: MutableMapping[Coord, CellValue] = field(default_factory=dict)
    formulas: SheetFormulas = field(default_factory=SheetFormulas)
    max_row: int = 0
    max_col: int = 0
    #: rows hidden in the file (``<row hidden="1">``), and of those the ones an
    #: AutoFilter hides (inside the sheet's ``<autoFilter ref>``): SUBTOTAL and
    #: AGGREGATE skip them
    hidden_rows: frozenset[int] = frozenset()
    filtered_rows: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.formulas, SheetFormulas):  # a plain dict given
            self.formulas = SheetFormulas(self.formulas.items())


@dataclass(frozen=True)
class Table:
    """An Excel table (``xl/tables/tableN.xml``), for structured references."""

    name: str
    sheet: str
    first: Coord  # top-left cell of the whole ref, header included
    last: Coord  # bottom-right cell, totals row included
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0
    #: the table's AutoFilter filters (a ``<filterColumn>``): its hidden data
    #: rows are filtered out, which SUBTOTAL and AGGREGATE skip
    filtered: bool = False


@dataclass(frozen=True)
class DefinedName:
    """A defined name: its formula text (``参数!$B$2:$C$5``) and scope."""

    name: str
    text: str
    sheet: str | None = None  # the sheet it is local to, ``None`` for workbook scope


@dataclass
class ExternalLink:
    """A link to another workbook (``xl/externalLinks/externalLinkN.xml``).

    Formulas write it ``[index]Sheet!A1`` (``index`` counts the workbook's
    ``<externalReference>`` elements from 1). ``target`` is the linked file as
    the relationship gives it (relative to the linking workbook, absolute, or a
    URL); ``values`` the values Excel cached for the cells it read, by sheet;
    ``names`` the linked book's defined names with their formula, when given.
    """

    index: int
    part: str
    target: str
    sheets: tuple[str, ...] = ()
    values: dict[str, dict[Coord, CellValue]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Repair:
    """One repair the reader made as Excel makes it on opening a damaged file:
    the formula of cell ``cell`` (A1) on ``sheet`` dropped and its cached value
    kept; ``reason`` says what was wrong and what was done (``中文 / English``)."""

    sheet: str
    cell: str
    reason: str

    @property
    def where(self) -> str:
        """The sheet and cell as a formula writes them (``'My Sheet'!A1``)."""
        return f"{quote_sheet(self.sheet)}!{self.cell}"


@dataclass
class Workbook:
    """Everything the calculator needs from one package."""

    sheets: list[Sheet]
    names: list[DefinedName] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    date1904: bool = False
    external_links: list[ExternalLink] = field(default_factory=list)
    #: The package holds a VBA project: a call to a name Excel does not know may
    #: be one of its functions, not a typo.
    macros: bool = False
    #: What the reader repaired the way Excel repairs it on opening, one
    #: :class:`Repair` each. Every command that reads the workbook says them
    #: (:func:`addin.summary.echo_repairs`; refresh in its report, and its
    #: output carries the repaired cells).
    repairs: list[Repair] = field(default_factory=list)

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name`` (case-insensitive, as Excel matches names)."""
        folded = name.casefold()
        for s in self.sheets:
            if s.name.casefold() == folded:
                return s
        raise KeyError(name)


@dataclass(frozen=True)
class CellRef:
    """One cell of one sheet, for reports (``说明!B3``)."""

    sheet: str
    coord: Coord

    def __str__(self) -> str:
        return f"{self.sheet}!{to_a1(*self.coord)}"


def overlay(out: np.ndarray, cells: Mapping[Coord, CellValue], col: int, rows: np.ndarray) -> np.ndarray:
    """Put the values ``cells`` holds in column ``col`` at ``rows`` into
    ``out`` (aligned with ``rows``), walking the smaller of the two; returns
    which of ``rows`` had a cell there (its value may be ``None``)."""
    present = np.zeros(len(rows), dtype=bool)
    if not cells:
        return present
    if len(cells) < len(rows):
        where: dict[int, list[int]] = {}
        for i, r in enumerate(rows.tolist()):
            where.setdefault(r, []).append(i)
        for (r, c), v in cells.items():
            if c == col and r in where:
                for i in where[r]:
                    out[i], present[i] = v, True
    else:
        for i, r in enumerate(rows.tolist()):
            if (r, col) in cells:
                out[i], present[i] = cells[(r, col)], True
    return present


class SheetResults(MutableMapping[Coord, CellValue]):
    """A sheet's computed values by cell: a mapping like a ``dict``, which
    keeps a block of one column computed at once as one array (``float64``
    when every value is a finite number, else one object per value) instead
    of a key and a value object per cell. :meth:`put_column` stores a block,
    :meth:`number_columns` gives the ``float64`` ones to a writer that
    splices arrays; the other cells are kept one by one."""

    __slots__ = ("_blocks", "_cells", "_count", "_starts")

    def __init__(self) -> None:
        self._cells: dict[Coord, CellValue] = {}
        self._blocks: dict[int, list[tuple[int, np.ndarray]]] = {}  # by column, sorted by row
        self._starts: dict[int, list[int]] = {}
        self._count = 0

    def put_column(self, row: int, col: int, values: np.ndarray) -> None:
        """The values of rows ``row``, ``row + 1``, … of column ``col`` (cells
        set one by one there before are replaced)."""
        n = len(values)
        if n == 0:
            return
        while col in self._starts:  # a block overlapping these rows: back to cells first
            i = bisect_right(self._starts[col], row + n - 1) - 1
            if i < 0:
                break
            r0, old = self._blocks[col][i]
            if r0 + len(old) <= row or not self._unpack((r0, col)):
                break
        cells = self._cells
        if cells:
            if len(cells) <= n:
                clash = [k for k in cells if k[1] == col and row <= k[0] < row + n]
            else:
                clash = [(r, col) for r in range(row, row + n) if (r, col) in cells]
            for k in clash:
                del cells[k]
        starts = self._starts.setdefault(col, [])
        i = bisect_right(starts, row)
        starts.insert(i, row)
        self._blocks.setdefault(col, []).insert(i, (row, values))
        self._count += n

    def number_columns(self) -> Iterator[tuple[int, int, np.ndarray]]:
        """Each block of finite numbers as ``(first row, column, float64 values)``."""
        for col, blocks in self._blocks.items():
            for row, values in blocks:
                if values.dtype == np.float64:
                    yield row, col, values

    def other_items(self) -> Iterator[tuple[Coord, CellValue]]:
        """The cells not in a block of numbers, with their values."""
        yield from self._cells.items()
        for col, blocks in self._blocks.items():
            for row, values in blocks:
                if values.dtype != np.float64:
                    yield from zip(zip(range(row, row + len(values)), repeat(col)), values.tolist(), strict=True)

    def column(self, col: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The results of column ``col`` at ``rows``: their values (an object
        array in the order of ``rows``) and which rows have a result (a
        result may be ``None``, a blank) — a block's taken as a slice of its
        array, not looked up cell by cell."""
        rows = np.asarray(rows, dtype=np.int64)
        values = np.full(len(rows), None, dtype=object)
        present = np.zeros(len(rows), dtype=bool)
        for row, block in self._blocks.get(col, ()):
            where = np.flatnonzero((rows >= row) & (rows < row + len(block)))
            if len(where):
                values[where] = block[rows[where] - row].astype(object, copy=False)
                present[where] = True
        present |= overlay(values, self._cells, col, rows)
        return values, present

    def cell_keys(self, *, given: bool = False, filled: bool = False) -> np.ndarray:
        """The cells with a result as sorted keys ``row * 2**15 + col`` (int64):
        those whose result is not ``None``; with ``filled``, not ``""`` either;
        with ``given``, every cell given a result (``None`` too)."""
        cells = [(r, c) for (r, c), v in self._cells.items() if given or _holds(v, filled)]
        parts = [keys_of(np.array([r for r, _c in cells], dtype=np.int64), np.array([c for _r, c in cells], dtype=np.int64))]
        for col, blocks in self._blocks.items():
            for row, block in blocks:
                keys = keys_of(np.arange(row, row + len(block)), col)
                if block.dtype != np.float64 and not given:
                    keys = keys[np.array([_holds(v, filled) for v in block.tolist()], dtype=bool)]
                parts.append(keys)
        return distinct(np.concatenate(parts))

    def _block_at(self, coord: Coord) -> tuple[int, np.ndarray] | None:
        i = _last_start(self._starts, coord)
        if i is None:
            return None
        row, values = self._blocks[coord[1]][i]
        return (row, values) if coord[0] < row + len(values) else None

    def _unpack(self, coord: Coord) -> bool:
        """Turn the block holding ``coord`` back into cells one by one."""
        got = self._block_at(coord)
        if got is None:
            return False
        row, values = got
        col = coord[1]
        i = self._starts[col].index(row)
        del self._starts[col][i], self._blocks[col][i]
        if not self._starts[col]:
            del self._starts[col], self._blocks[col]
        self._count -= len(values)
        self._cells.update(zip(zip(range(row, row + len(values)), repeat(col)), values.tolist(), strict=True))
        return True

    def __getitem__(self, coord: Coord) -> CellValue:
        cells = self._cells
        if coord in cells:
            return cells[coord]
        got = self._block_at(coord) if self._blocks else None
        if got is None:
            raise KeyError(coord)
        value: CellValue = got[1][coord[0] - got[0]].item() if got[1].dtype == np.float64 else got[1][coord[0] - got[0]]
        return value

    def __contains__(self, coord: object) -> bool:
        if coord in self._cells:
            return True
        return bool(self._blocks) and isinstance(coord, tuple) and self._block_at(coord) is not None

    def __setitem__(self, coord: Coord, value: CellValue) -> None:
        if self._blocks and coord not in self._cells:
            self._unpack(coord)
        self._cells[coord] = value

    def __delitem__(self, coord: Coord) -> None:
        if self._blocks and coord not in self._cells:
            self._unpack(coord)
        del self._cells[coord]

    def __len__(self) -> int:
        return len(self._cells) + self._count

    def __iter__(self) -> Iterator[Coord]:
        yield from self._cells
        for col, blocks in self._blocks.items():
            for row, values in blocks:
                yield from zip(range(row, row + len(values)), repeat(col))

    def items(self) -> ItemsView[Coord, CellValue]:
        return _ResultItems(self)

    def _items(self) -> Iterator[tuple[Coord, CellValue]]:
        yield from self._cells.items()
        for col, blocks in self._blocks.items():
            for row, values in blocks:
                yield from zip(zip(range(row, row + len(values)), repeat(col)), values.tolist(), strict=True)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_results, (self._cells, [(r, c, v) for c, bs in self._blocks.items() for r, v in bs]))


class _ResultItems(ItemsView[Coord, CellValue]):
    """A sheet's results' items, a block's at array speed (not a lookup per cell)."""

    _mapping: SheetResults

    def __iter__(self) -> Iterator[tuple[Coord, CellValue]]:
        return self._mapping._items()


def _holds(value: CellValue, filled: bool) -> bool:
    """Whether a result is a value (not ``None``; with ``filled``, not ``""``)."""
    return value is not None and not (filled and isinstance(value, str) and value == "")


def _rebuild_results(cells: dict[Coord, CellValue], blocks: list[tuple[int, int, np.ndarray]]) -> SheetResults:
    out = SheetResults()
    out._cells.update(cells)
    for row, col, values in blocks:
        out.put_column(row, col, values)
    return out


@dataclass
class Results:
    """What the calculator computed: a value for every formula cell and every
    cell a dynamic array spills into, keyed by sheet name then coordinate
    (the engine's as :class:`SheetResults`, a block's values one array)."""

    values: dict[str, MutableMapping[Coord, CellValue]] = field(default_factory=dict)
    #: For each dynamic-array anchor (``Formula.kind == "dynamic"``), the
    #: bottom-right cell of the range its result spills into (the anchor itself
    #: for a single value), keyed by sheet name then anchor. The writer uses it
    #: to update the formula's ``ref`` and to blank cells an earlier, larger
    #: spill left behind. An anchor missing here keeps the ``ref`` in the file.
    spills: dict[str, dict[Coord, Coord]] = field(default_factory=dict)
    #: For each external-link part whose linked workbook was computed in the
    #: same refresh (``ExternalLink.part``), that workbook's fresh values
    #: (sheet → coord → value): the writer updates the values the part caches.
    link_caches: dict[str, dict[str, dict[Coord, CellValue]]] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(v) for v in self.values.values())


class RefreshError(Exception):
    """A workbook that cannot be refreshed; ``cells`` say where and why."""

    def __init__(self, message: str, cells: list[tuple[CellRef, str]] | None = None) -> None:
        super().__init__(message)
        self.cells = cells or []


class UnsupportedFormulaError(RefreshError):
    """Formulas using functions or constructs outside the supported list (exit 1)."""


class CircularReferenceError(RefreshError):
    """Formula cells that depend on themselves (exit 1)."""


class UnreadableWorkbookError(RefreshError):
    """Not a workbook, corrupt, encrypted, ``.xls`` or hostile (exit 2)."""


def unreadable(zh: str, en: str) -> UnreadableWorkbookError:
    """The error for a file we refuse, its message in Chinese and English."""
    return UnreadableWorkbookError(f"{zh} / {en}")
