"""The workbook as the refresh engine sees it: the contract between the package
reader (:mod:`addin.xlsx.workbook` and its part readers), the calculator (:mod:`addin.refresh.engine`)
and the writer (:mod:`addin.xlsx.writer`).

Coordinates are 1-based ``(row, col)`` tuples, as in the A1 notation they come
from (``B3`` is ``(3, 2)``). Cell values use the kernel's types: ``float`` for
numbers (dates are their serial numbers), ``str``, ``bool``,
:class:`udfs.errors.ExcelError`, and ``None`` for a blank.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Literal

from addin.xlsx.a1 import MAX_COL, MAX_ROW, to_a1
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


@dataclass
class Sheet:
    """A worksheet: constants and cached values, and the formulas.

    ``values`` holds every non-empty cell: constants, and for formula cells the
    value cached in the file (which the engine replaces) — a plain dict, or for
    a sheet the reader decoded into typed columns an
    :class:`addin.xlsx.columns.CellValues` (the same mapping, built on first
    read; the engine reads its columns). ``formulas`` maps the anchor cell of
    each formula to it.
    """

    name: str
    values: MutableMapping[Coord, CellValue] = field(default_factory=dict)
    formulas: dict[Coord, Formula] = field(default_factory=dict)
    max_row: int = 0
    max_col: int = 0
    #: rows hidden in the file (``<row hidden="1">``), and of those the ones an
    #: AutoFilter hides (inside the sheet's ``<autoFilter ref>``): SUBTOTAL and
    #: AGGREGATE skip them
    hidden_rows: frozenset[int] = frozenset()
    filtered_rows: frozenset[int] = frozenset()


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


@dataclass
class Results:
    """What the calculator computed: a value for every formula cell and every
    cell a dynamic array spills into, keyed by sheet name then coordinate."""

    values: dict[str, dict[Coord, CellValue]] = field(default_factory=dict)
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
