"""A template described as data: sheets, columns, parameters, formulas.

One description feeds three things, so they cannot disagree: the workbook
(:mod:`workbooks.writer`), its structure spec for ``jixiao validate``
(:mod:`workbooks.spec`) and the large benchmark copies (:mod:`workbooks.generate`).

Layout shared by every data sheet (input and result sheets alike)::

    row 1  sheet title            (TITLE_ROW)
    row 2  how to fill it in      (NOTE_ROW)
    row 3  column headers         (HEADER_ROW, frozen, printed on every page)
    row 4… one row per person     (FIRST_ROW)

A column is either an *input* (the clerk types it; unlocked, validated) or a
*formula* column (locked). A formula column with ``spill=True`` holds ONE
dynamic-array formula in its first data row whose result spills down all data
rows; with ``spill=False`` it holds a per-row formula where ``{r}`` stands for
the row number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from openpyxl.utils import get_column_letter

from addin.registry import lookup
from addin.xlsx.formula import tokenize

TITLE_ROW = 1
NOTE_ROW = 2
HEADER_ROW = 3
FIRST_ROW = 4

Kind = Literal["text", "number", "int", "money", "percent", "date", "choice"]


@dataclass
class Col:
    """One column of a data sheet."""

    header: str
    kind: Kind = "number"
    name: str | None = None  # defined name over the column's data cells
    formula: str | None = None  # formula text without "=", for formula columns
    spill: bool = True  # one dynamic-array formula (True) or one formula per row
    choices: tuple[str, ...] | None = None  # allowed values (kind "choice")
    choices_ref: str | None = None  # or: a defined name holding the allowed values
    required: bool = True
    width: float = 12.0
    fmt: str | None = None  # number format overriding the kind's default
    note: str = ""
    span: int = 1  # a spill this many columns wide (the columns to its right have formula="")

    @property
    def is_input(self) -> bool:
        return self.formula is None

    @property
    def is_covered(self) -> bool:
        """Filled by the spill of a formula to its left (no formula of its own)."""
        return self.formula == ""


def empty_when_blank(key: str, formula: str) -> str:
    """``formula`` giving ``""`` in the rows where the column ``key`` is blank.

    >>> empty_when_blank("工号", "MONEY(底薪)")
    'IF(工号="","",MONEY(底薪))'
    """
    return f'IF({key}="","",{formula})'


def guard_contract_arguments(key: str, formula: str, columns: Iterable[str]) -> str:
    """``formula`` with every computed column argument of a contract call empty where ``key`` is blank.

    The rule (why spare rows stay empty everywhere and no contract call sees an
    error): the empty rows of a sheet hold ``""`` in every result column
    (:func:`empty_when_blank`), and ``""`` poisons arithmetic — ``""+""`` is
    ``#VALUE!`` in Excel, LibreOffice and the engine alike. Excel hands a UDF
    such an element and the outer ``IF`` throws the row's result away, but
    LibreOffice Calc fails the *whole* add-in call when any element of an
    input array is an error (``Err:504``), so one spare row emptied the whole
    column. Hence every argument of a contract function (a registry function:
    ``MONEY``, ``TIERED``, ``RANKX`` …) that is *computed* from this sheet's
    columns — an expression, not a bare name, reference or constant — is
    itself written ``IF(key="","",argument)``: in a filled row it is the same
    value, in an empty row it is the empty text, which every contract function
    reads as a blank (no rank, no seat, an empty result) exactly as it reads
    the ``""`` a bare result column holds there. The empty text, not ``0``: a
    ``0`` would take a place in a ranking or a distribution. A bare name needs
    no guard (it already is ``""`` or a value), and neither does an argument
    that names no column of the sheet (``"<"&连续低分线`` is a scalar; guarding
    it would turn it into a column). Visible results are unchanged: the spare
    rows still show nothing, the filled rows the same amounts.

    >>> guard_contract_arguments("工号", "MONEY(年度奖金+增发月工资)", ["年度奖金", "增发月工资"])
    'MONEY(IF(工号="","",年度奖金+增发月工资))'
    >>> guard_contract_arguments("工号", 'STREAK(月分,"<"&低分线)', ["月分"])
    'STREAK(月分,"<"&低分线)'
    >>> guard_contract_arguments("工号", "SUM(a+b)+MONEY(a*ROUND(b,0))", ["a", "b"])
    'SUM(a+b)+MONEY(IF(工号="","",a*ROUND(b,0)))'
    """
    names = set(columns)
    toks = tokenize(formula)
    inserts: list[tuple[int, int, str]] = []  # (position, order, text): closings before openings
    # Each open bracket: whether it is a contract call's, and where its current argument starts.
    stack: list[tuple[bool, int]] = []

    def close_argument(start: int, end: int) -> None:
        arg = [t for t in toks if start <= t.pos < end]
        if len(arg) > 1 and any(t.kind == "name" and t.text in names for t in arg):
            inserts.append((start, 1, f'IF({key}="","",'))
            inserts.append((end, 0, ")"))

    for i, tok in enumerate(toks):
        if tok.kind in ("(", "{"):
            contract = i > 0 and toks[i - 1].kind == "func" and lookup(toks[i - 1].text) is not None
            stack.append((contract and tok.kind == "(", tok.pos + 1))
        elif tok.kind in (")", "}"):
            contract, start = stack.pop()
            if contract:
                close_argument(start, tok.pos)
        elif tok.kind == "," and stack:
            contract, start = stack[-1]
            if contract:
                close_argument(start, tok.pos)
            stack[-1] = (contract, tok.pos + 1)
    out = formula
    for pos, _order, text in sorted(inserts, reverse=True):
        out = out[:pos] + text + out[pos:]
    return out


@dataclass
class DataSheet:
    """An input or result sheet: a header row and one row per person/item."""

    name: str
    title: str
    note: str
    cols: list[Col]
    rows: Sequence[Sequence[Any]] | Callable[[], Iterable[Sequence[Any]]]
    nrows: int  # number of data rows (the spill height)
    landscape: bool = True
    blocks: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (first, last header)
    #: Empty rows below the data that the names, spills and validations cover
    #: (input cells unlocked), so a person typed under the last one is computed.
    spare: int = 0
    #: The defined name of the column whose blank cell means "nobody in this row"
    #: (工号, 日期 …): every spilling result column then gives ``""`` there, so
    #: empty rows — in the middle or the spare ones — give empty results, never
    #: an error value. ``None``: the sheet has no such rows (a fixed list).
    empty_key: str | None = None

    def __post_init__(self) -> None:
        if self.empty_key is None:
            return
        columns = [c.name for c in self.cols if c.name] + list(self.blocks)
        for c in self.cols:
            if c.formula and c.spill:
                guarded = guard_contract_arguments(self.empty_key, c.formula, columns)
                c.formula = empty_when_blank(self.empty_key, guarded)

    def letter(self, header: str) -> str:
        """Column letter of the column with this header."""
        for i, c in enumerate(self.cols, start=1):
            if c.header == header:
                return get_column_letter(i)
        raise KeyError(header)

    def cell(self, header: str, index: int) -> str:
        """A1 address (no sheet) of data row ``index`` (0-based) in column ``header``."""
        return f"{self.letter(header)}{FIRST_ROW + index}"

    @property
    def last_row(self) -> int:
        """The last row of data (of the rows given)."""
        return FIRST_ROW + self.nrows - 1

    @property
    def end_row(self) -> int:
        """The last row the names, spills and validations cover (data and spare rows)."""
        return self.last_row + self.spare

    def iter_rows(self) -> Iterable[Sequence[Any]]:
        """Input values row by row (one value per *input* column, in column order)."""
        return self.rows() if callable(self.rows) else self.rows


@dataclass
class Scalar:
    """One named parameter cell."""

    name: str
    label: str
    value: Any
    kind: Kind = "number"
    fmt: str | None = None
    note: str = ""
    choices: tuple[str, ...] | None = None


TableKind = Literal["band", "prize", "weights", "lookup", "list"]


@dataclass
class ParamTable:
    """A block of parameter cells under a header row, named as a whole.

    ``kind``: ``band`` (first column starts ascending; ``side`` says which
    side the document puts a start on), ``prize`` (from rank, to rank, amount),
    ``weights`` (one row of weights adding up to ``total``), ``lookup`` (a key
    column and values), ``list`` (allowed values of a choice column).
    ``col_names`` names single columns of the block as well (0-based index).
    """

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    kind: TableKind
    fmts: Sequence[str | None] | None = None
    note: str = ""
    side: str | None = None
    total: float | None = None
    total_span: int | None = None  # weights: only the first k cells must add up to total
    col_names: dict[int, str] = field(default_factory=dict)
    cell_names: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based


@dataclass
class Block:
    """Free layout for explanation sheets: cells by address."""

    values: dict[str, Any] = field(default_factory=dict)  # "B4" -> value or "=formula"
    styles: dict[str, str] = field(default_factory=dict)  # "B4" -> style key
    arrays: dict[str, str] = field(default_factory=dict)  # anchor -> spill ref ("B10:F14")
    unlocked: set[str] = field(default_factory=set)
    choices: dict[str, str] = field(default_factory=dict)  # cell -> list formula ("=工号")
    widths: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> "B5" or "B5:B9"
    kinds: dict[str, str] = field(default_factory=dict)  # unlocked input cell -> kind


@dataclass
class FreeSheet:
    """A sheet laid out cell by cell (说明, 个人明细, summaries)."""

    name: str
    block: Block
    kind: Literal["explain", "result", "readme"] = "explain"
    freeze: str | None = None
    print_rows: str | None = None


@dataclass(frozen=True)
class Slip:
    """The pay slip (工资条) of a template, by column headers: the data sheet,
    its key and name columns, the columns a slip shows (all but ``leave_out``)
    and the columns whose sum is what a person is paid."""

    sheet: str
    key: str
    name: str
    paid: tuple[str, ...]
    leave_out: tuple[str, ...] = ()


@dataclass
class Template:
    """Everything one template file holds."""

    id: str
    version: str
    title: str
    filename: str
    readme: list[tuple[str, list[str]]]  # (heading, paragraphs) for 说明
    scalars: list[Scalar]
    tables: list[ParamTable]
    sheets: list[DataSheet | FreeSheet]  # in workbook order after 说明 and 参数
    source: str = ""  # the source documents by title, and the scheme
    slip: Slip | None = None  # the pay slip ``jixiao slips`` makes

    def data_sheet(self, name: str) -> DataSheet:
        for s in self.sheets:
            if isinstance(s, DataSheet) and s.name == name:
                return s
        raise KeyError(name)

    def param(self, name: str) -> Any:
        """A parameter's value (a scalar) or rows (a table), by its name: the
        golden reference reads the document's numbers through it."""
        for s in self.scalars:
            if s.name == name:
                return s.value
        for t in self.tables:
            if t.name == name:
                return t.rows
        raise KeyError(name)


def ref(sheet: str, a1: str) -> str:
    """An absolute reference with the sheet quoted (``'参数'!$B$4:$C$7``)."""
    parts = []
    for p in a1.split(":"):
        col = "".join(ch for ch in p if ch.isalpha())
        row = "".join(ch for ch in p if ch.isdigit())
        parts.append(f"${col}${row}")
    return f"'{sheet}'!" + ":".join(parts)
