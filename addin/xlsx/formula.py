"""Excel formula text → tokens → abstract syntax tree, and R1C1 keys.

The parser reads formulas exactly as they are stored in a package (no leading
``=``; ``_xlfn.``/``_xlws.``/``_xludf.`` prefixes; English function names;
``,`` between arguments; ``;`` between rows of an array constant).

Operator precedence is Excel's, tightest first: ``:`` (range) and the ``#``
spill suffix; unary ``-``/``+``; ``%``; ``^``; ``*`` ``/``; ``+`` ``-``;
``&``; comparisons. All binary operators associate to the left, so
``-2^2`` is 4 and ``2^3^2`` is 64, as in Excel.

>>> parse("1+2*3")
Binary(op='+', left=Number(value=1.0), right=Binary(op='*', left=Number(value=2.0), right=Number(value=3.0)))
>>> parse("'销售 数据'!$A$1").sheet
'销售 数据'
>>> r1c1_key("A1+$B$2", 3, 3)
'R[-2]C[-2]+R2C2'

:func:`r1c1_key` is what groups a column of formulas into one block: two cells
whose formulas have the same key compute the same thing relative to themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_number
from udfs.errors import ERROR_CODES

__all__ = [
    "MAX_COL",
    "MAX_ROW",
    "MESSAGE_FORMULA_CHARS",
    "WIDE_CHAR",
    "ArrayLit",
    "Binary",
    "Bool",
    "ErrorLit",
    "FormulaSyntaxError",
    "Func",
    "Intersect",
    "Missing",
    "Name",
    "Node",
    "Number",
    "Percent",
    "RangeOp",
    "Ref",
    "SpillRef",
    "StructRef",
    "Text",
    "Unary",
    "Union",
    "children",
    "column_runs",
    "digitless",
    "formula_excerpt",
    "function_names",
    "parse",
    "r1c1_key",
    "row_template",
    "tokenize",
]


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


_T = TypeVar("_T", bound=_HasText)

#: Error literals a formula may contain: Excel's error spellings, one list for
#: the kernel and the parser.
ERROR_LITERALS = ERROR_CODES


#: the most characters of a formula's text a one-line message shows
MESSAGE_FORMULA_CHARS = 200


def formula_excerpt(text: str) -> str:
    """A formula's text as a one-line message shows it: ``=`` and the whole
    text up to :data:`MESSAGE_FORMULA_CHARS` characters, else their start and
    how many more (a mutated 8,204-character formula made refresh's and
    validate's reasons a line 8,000 characters wide).

    >>> formula_excerpt("A1*2")
    '=A1*2'
    >>> e = formula_excerpt("A1+" * 100 + "1")
    >>> e[:7], e[-12:], len(e)
    ('=A1+A1+', '1+A1… (+101)', 209)
    """
    if len(text) <= MESSAGE_FORMULA_CHARS:
        return "=" + text
    return f"={text[:MESSAGE_FORMULA_CHARS]}… (+{len(text) - MESSAGE_FORMULA_CHARS:,})"


class FormulaSyntaxError(ValueError):
    """Formula text the parser cannot read."""


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Number:
    """A number literal."""

    value: float


@dataclass(frozen=True)
class Text:
    """A string literal (``""`` escapes already undone)."""

    value: str


@dataclass(frozen=True)
class Bool:
    """``TRUE`` or ``FALSE``."""

    value: bool


@dataclass(frozen=True)
class ErrorLit:
    """An error literal such as ``#N/A``."""

    code: str


@dataclass(frozen=True)
class Missing:
    """An empty argument: the middle of ``RANKX(A2:A9,,"dense")``."""


@dataclass(frozen=True)
class ArrayLit:
    """An array constant ``{1,2;3,4}``: rows of scalar values."""

    rows: tuple[tuple[float | str | bool | ErrorLitValue, ...], ...]


@dataclass(frozen=True)
class ErrorLitValue:
    """An error inside an array constant."""

    code: str


@dataclass(frozen=True)
class Ref:
    """A cell or a rectangular range, possibly on another sheet.

    Rows and columns are 1-based. Whole columns (``A:C``) have ``rows=False``
    and span rows 1…MAX_ROW; whole rows (``1:3``) have ``cols=False``.
    ``abs_*`` say which parts carry a ``$`` (absolute), the rest are relative
    and move when the formula is copied.
    """

    sheet: str | None
    top: int
    left: int
    bottom: int
    right: int
    abs_top: bool = False
    abs_left: bool = False
    abs_bottom: bool = False
    abs_right: bool = False
    rows: bool = True  # False for whole columns
    cols: bool = True  # False for whole rows
    is_cell: bool = True  # written as one cell (``A1``), not a range

    def shifted(self, dr: int, dc: int) -> Ref:
        """The reference as seen from a cell ``dr`` rows and ``dc`` columns away."""
        if dr == 0 and dc == 0:
            return self
        top = self.top if self.abs_top or not self.rows else self.top + dr
        bottom = self.bottom if self.abs_bottom or not self.rows else self.bottom + dr
        left = self.left if self.abs_left or not self.cols else self.left + dc
        right = self.right if self.abs_right or not self.cols else self.right + dc
        return Ref(
            self.sheet, top, left, bottom, right, self.abs_top, self.abs_left,
            self.abs_bottom, self.abs_right, self.rows, self.cols, self.is_cell,
        )  # fmt: skip


@dataclass(frozen=True)
class Name:
    """A defined name (``税率表``), optionally qualified by a sheet."""

    name: str
    sheet: str | None = None


@dataclass(frozen=True)
class StructRef:
    """A structured reference: ``表1[金额]``, ``[@金额]``, ``T[[#This Row],[A]:[C]]``.

    ``table`` is ``None`` when the table is implied (a formula inside the
    table). ``items`` holds the special items (``#All``, ``#Data``,
    ``#Headers``, ``#Totals``, ``#This Row``; ``@`` is ``#This Row``);
    ``first``/``last`` the column names (``None`` for the whole table).
    """

    table: str | None
    items: tuple[str, ...]
    first: str | None
    last: str | None


@dataclass(frozen=True)
class Func:
    """A function call; ``name`` is upper-case as written (prefixes kept)."""

    name: str
    args: tuple[Node, ...]

    @property
    def base_name(self) -> str:
        """The name without Excel's ``_xlfn.``/``_xlws.`` storage prefixes."""
        n = self.name
        for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
            if n.startswith(prefix):
                return n[len(prefix) :]
        return n

    @property
    def is_lambda(self) -> bool:
        """Whether this is ``LAMBDA(parameter…, body)``: a function written in
        the formula (a defined name holding one is called by the name)."""
        return self.base_name == "LAMBDA"


@dataclass(frozen=True)
class Unary:
    """Unary ``-`` or ``+``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Percent:
    """The ``%`` suffix (divides by 100)."""

    operand: Node


@dataclass(frozen=True)
class Binary:
    """A binary operator: arithmetic, ``&`` or a comparison."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class RangeOp:
    """``:`` between references that are not both plain cells (``INDEX(…):B9``)."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Intersect:
    """The intersection operator (a space): ``B2:E5 C3:D4``."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Union:
    """The union operator inside parentheses: ``(A1:A3,C1:C3)``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class SpillRef:
    """``A1#``: the whole dynamic array spilled from ``A1``."""

    anchor: Node


Node = (
    Number
    | Text
    | Bool
    | ErrorLit
    | Missing
    | ArrayLit
    | Ref
    | Name
    | StructRef
    | Func
    | Unary
    | Percent
    | Binary
    | RangeOp
    | Intersect
    | Union
    | SpillRef
)


# --------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class Token:
    """One lexical token; ``kind`` is one of the ``T_*`` names below."""

    kind: str
    text: str
    value: object = None
    pos: int = 0


#: a character past ASCII in the Basic Multilingual Plane (names may hold
#: them: 收入, 奖金). Written as a negated class: the literal range
#: \u0080-\uffff costs the regular-expression compiler ~25 ms a pattern
#: (a 65,536-entry map), this half a millisecond — the import of the engine
#: compiled eight of them. The formula-text rewriters (formula_shift,
#: external_refs) match names with it too.
WIDE_CHAR = r"[^\x00-\x7f\U00010000-\U0010ffff]"
#: the ASCII characters a name may continue with
_IDENT_ASCII = r"A-Za-z0-9_.\\?"
#: a character a name may start with, and one it may continue with
_IDENT_START = rf"(?:[A-Za-z_\\]|{WIDE_CHAR})"
_IDENT_CHAR = rf"(?:[{_IDENT_ASCII}]|{WIDE_CHAR})"


def _not_after(extra: str) -> str:
    """A lookahead: not followed by a name's character or one of ``extra``."""
    return rf"(?![{_IDENT_ASCII}{extra}]|{WIDE_CHAR})"


def _not_before(extra: str) -> str:
    """A lookbehind: not preceded by a name's character or one of ``extra``."""
    return rf"(?<![{_IDENT_ASCII}{extra}])(?<!{WIDE_CHAR})"


#: where a reference ends (not inside a name, a call, a structured or sheet
#: reference) and, for the R1C1 keys, where one starts
_REF_END = _not_after(r"(\[!")
_REF_END_DOT = _not_after(r"(\[!.")
_REF_START = _not_before("$")

_RE_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RE_CELL = re.compile(rf"(\$?)([A-Za-z]{{1,3}})(\$?)(\d+){_REF_END}")
_RE_COLS = re.compile(rf"(\$?)([A-Za-z]{{1,3}}):(\$?)([A-Za-z]{{1,3}}){_REF_END}")
_RE_ROWS = re.compile(rf"(\$?)(\d+):(\$?)(\d+){_REF_END}")
_RE_IDENT = re.compile(rf"{_IDENT_START}{_IDENT_CHAR}*")
_RE_IDENT_START = re.compile(_IDENT_START)
_RE_SPACE_OPERAND = re.compile(rf"{_IDENT_START}|[0-9]")
_RE_ERROR = re.compile(
    "|".join(re.escape(e) for e in sorted(ERROR_LITERALS, key=len, reverse=True)), re.IGNORECASE
)
_OPERATORS = ("<=", ">=", "<>", "=", "<", ">", "+", "-", "*", "/", "^", "&", "%", ":")


def _cell_ref(sheet: str | None, m: re.Match[str]) -> Ref:
    row, col = int(m.group(4)), col_number(m.group(2))
    ar, ac = m.group(3) == "$", m.group(1) == "$"
    return Ref(sheet, row, col, row, col, ar, ac, ar, ac)


def _on_sheet(m: re.Match[str]) -> bool:
    """Whether a matched A1 text lies on the grid (row 1…MAX_ROW, column A…XFD)."""
    return 1 <= int(m.group(4)) <= MAX_ROW and col_number(m.group(2)) <= MAX_COL


def _cols_ref(sheet: str | None, m: re.Match[str]) -> Ref:
    c1, c2 = col_number(m.group(2)), col_number(m.group(4))
    a1, a2 = m.group(1) == "$", m.group(3) == "$"
    if c1 > c2:
        c1, c2, a1, a2 = c2, c1, a2, a1
    return Ref(sheet, 1, c1, MAX_ROW, c2, True, a1, True, a2, rows=False, is_cell=False)


def _rows_ref(sheet: str | None, m: re.Match[str]) -> Ref:
    r1, r2 = int(m.group(2)), int(m.group(4))
    a1, a2 = m.group(1) == "$", m.group(3) == "$"
    if r1 > r2:
        r1, r2, a1, a2 = r2, r1, a2, a1
    return Ref(sheet, r1, 1, r2, MAX_COL, a1, True, a2, True, cols=False, is_cell=False)


def _read_bracket(text: str, i: int) -> int:
    """Index just past the ``]`` that closes the ``[`` at ``i`` (nesting, ``'`` escapes)."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise FormulaSyntaxError(f"unclosed [ in {text!r}")


def _parse_struct(table: str | None, spec: str) -> StructRef:
    """``[...]`` content → items and column range."""
    inner = spec[1:-1]

    def unescape(s: str) -> str:
        return re.sub(r"'(.)", r"\1", s)

    items: list[str] = []
    cols: list[str] = []
    if not inner.startswith("[") and not inner.startswith("@"):
        part = inner.strip()
        if part.startswith("#"):
            items.append(part)
        elif part:
            cols.append(unescape(part))
    elif inner.startswith("@"):
        items.append("#This Row")
        rest = inner[1:].strip()
        if rest.startswith("["):
            parts = _bracket_parts(rest)
            cols.extend(unescape(p) for p, _ in parts)
            if len(parts) > 1 and parts[1][1] != ":":
                raise FormulaSyntaxError(f"bad structured reference {spec!r}")
        elif rest:
            cols.append(unescape(rest))
    else:
        for part, _sep in _bracket_parts(inner):
            if part.startswith("#"):
                items.append(part)
            else:
                cols.append(unescape(part))
    norm = {"#all": "#All", "#data": "#Data", "#headers": "#Headers", "#totals": "#Totals"}
    fixed: list[str] = []
    for it in items:
        key = it.lower().replace(" ", "")
        if key == "#thisrow":
            fixed.append("#This Row")
        elif key in norm:
            fixed.append(norm[key])
        else:
            raise FormulaSyntaxError(f"unknown structured reference item {it!r}")
    if len(cols) > 2:
        raise FormulaSyntaxError(f"bad structured reference {spec!r}")
    first = cols[0] if cols else None
    last = cols[-1] if cols else None
    return StructRef(table, tuple(fixed), first, last)


def _bracket_parts(s: str) -> list[tuple[str, str]]:
    """``[a],[b]:[c]`` → [("a", ""), ("b", ","), ("c", ":")]."""
    out: list[tuple[str, str]] = []
    i, sep = 0, ""
    while i < len(s):
        ch = s[i]
        if ch == "[":
            j = _read_bracket(s, i)
            out.append((s[i + 1 : j - 1].strip(), sep))
            i, sep = j, ""
        elif ch in ",:":
            sep = ch
            i += 1
        elif ch.isspace():
            i += 1
        else:
            raise FormulaSyntaxError(f"bad structured reference part {s!r}")
    return out


def tokenize(text: str) -> list[Token]:
    """Split formula text (without the leading ``=``) into tokens.

    Kinds: ``num str bool err ref name struct func op ( ) , ; { } spill``.
    A ``func`` token's text is the function name; the ``(`` follows it.
    """
    toks: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            j = i
            while j < n and text[j] in " \t\r\n":
                j += 1
            prev_kind = toks[-1].kind if toks else None
            if (
                prev_kind in ("ref", "name", "struct", ")")
                and j < n
                and (text[j] in "$('" or _RE_SPACE_OPERAND.match(text[j]))
            ):
                toks.append(Token("op", " ", " ", i))
            i = j
            continue
        prev = toks[-1].kind if toks else None
        if ch == '"':
            j = i + 1
            buf = []
            while True:
                if j >= n:
                    raise FormulaSyntaxError(f"unclosed string in {text!r}")
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            toks.append(Token("str", text[i : j + 1], "".join(buf), i))
            i = j + 1
            continue
        if ch == "#":
            if prev in ("ref", "name", ")") and not _RE_ERROR.match(text, i):
                toks.append(Token("spill", "#", None, i))
                i += 1
                continue
            m = _RE_ERROR.match(text, i)
            if not m:
                raise FormulaSyntaxError(f"bad error literal at {i} in {text!r}")
            toks.append(Token("err", m.group(0), m.group(0).upper(), i))
            i = m.end()
            continue
        if ch == "'":
            j = i + 1
            buf = []
            while True:
                if j >= n:
                    raise FormulaSyntaxError(f"unclosed sheet name in {text!r}")
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            if j + 1 >= n or text[j + 1] != "!":
                raise FormulaSyntaxError(f"quoted name without ! in {text!r}")
            i = _after_sheet(text, j + 2, "".join(buf), toks)
            continue
        if ch == "[":
            j = _read_bracket(text, i)
            toks.append(Token("struct", text[i:j], _parse_struct(None, text[i:j]), i))
            i = j
            continue
        if ch in "(),;{}":
            toks.append(Token(ch, ch, None, i))
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _RE_ROWS.match(text, i)
            if m:
                toks.append(Token("ref", m.group(0), _rows_ref(None, m), i))
                i = m.end()
                continue
            m = _RE_NUMBER.match(text, i)
            assert m is not None
            toks.append(Token("num", m.group(0), float(m.group(0)), i))
            i = m.end()
            continue
        if ch == "$" or _RE_IDENT_START.match(ch):
            m = _RE_COLS.match(text, i)
            if m:
                toks.append(Token("ref", m.group(0), _cols_ref(None, m), i))
                i = m.end()
                continue
            m = _RE_ROWS.match(text, i)
            if m and ch == "$":
                toks.append(Token("ref", m.group(0), _rows_ref(None, m), i))
                i = m.end()
                continue
            m = _RE_CELL.match(text, i)
            if m and _on_sheet(m):  # A0 or XFE1 is a name to Excel, not a cell
                toks.append(Token("ref", m.group(0), _cell_ref(None, m), i))
                i = m.end()
                continue
            m = _RE_IDENT.match(text, i)
            if not m:
                raise FormulaSyntaxError(f"unexpected {ch!r} at {i} in {text!r}")
            word = m.group(0)
            j = m.end()
            if j < n and text[j] == "!":
                i = _after_sheet(text, j + 1, word, toks)
                continue
            if j < n and text[j] == "(":
                toks.append(Token("func", word, word.upper(), i))
                i = j
                continue
            if j < n and text[j] == "[":
                k = _read_bracket(text, j)
                toks.append(Token("struct", text[i:k], _parse_struct(word, text[j:k]), i))
                i = k
                continue
            if word.upper() in ("TRUE", "FALSE"):
                toks.append(Token("bool", word, word.upper() == "TRUE", i))
            else:
                toks.append(Token("name", word, Name(word), i))
            i = j
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                toks.append(Token("op", op, op, i))
                i += len(op)
                break
        else:
            raise FormulaSyntaxError(f"unexpected {ch!r} at {i} in {text!r}")
    return toks


def _after_sheet(text: str, i: int, sheet: str, toks: list[Token]) -> int:
    """Read what follows ``Sheet!``: a cell, column/row range, name or ``#REF!``."""
    for rx, make in ((_RE_COLS, _cols_ref), (_RE_ROWS, _rows_ref), (_RE_CELL, _cell_ref)):
        m = rx.match(text, i)
        if m:
            toks.append(Token("ref", m.group(0), make(sheet, m), i))
            return m.end()
    m = _RE_ERROR.match(text, i)
    if m:
        toks.append(Token("err", m.group(0), m.group(0).upper(), i))
        return m.end()
    m = _RE_IDENT.match(text, i)
    if m:
        toks.append(Token("name", m.group(0), Name(m.group(0), sheet), i))
        return m.end()
    raise FormulaSyntaxError(f"nothing after {sheet}! in {text!r}")


# ------------------------------------------------------------------------ parser

_BINARY = {
    "=": 10, "<": 10, ">": 10, "<=": 10, ">=": 10, "<>": 10,
    "&": 20, "+": 30, "-": 30, "*": 40, "/": 40, "^": 50,
}  # fmt: skip
_PREFIX_BP = 60
_ISECT_BP = 75
_PERCENT_BP = 70
_RANGE_BP = 80


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FormulaSyntaxError(f"unexpected end of formula {self.text!r}")
        self.i += 1
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.next()
        if tok.kind != kind:
            raise FormulaSyntaxError(f"expected {kind!r}, found {tok.text!r} in {self.text!r}")
        return tok

    def parse(self) -> Node:
        node = self.expr(0)
        if self.peek() is not None:
            raise FormulaSyntaxError(f"unexpected {self.peek().text!r} in {self.text!r}")  # type: ignore[union-attr]
        return node

    def expr(self, min_bp: int) -> Node:
        left = self.prefix()
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.kind == "spill":
                self.i += 1
                left = SpillRef(left)
                continue
            if tok.kind != "op":
                break
            op = tok.text
            if op == "%":
                if min_bp > _PERCENT_BP:
                    break
                self.i += 1
                left = Percent(left)
                continue
            if op == ":":
                if min_bp > _RANGE_BP:
                    break
                self.i += 1
                right = self.expr(_RANGE_BP + 1)
                left = _make_range(left, right)
                continue
            if op == " ":
                if min_bp > _ISECT_BP:
                    break
                self.i += 1
                left = Intersect(left, self.expr(_ISECT_BP + 1))
                continue
            bp = _BINARY.get(op)
            if bp is None or bp < min_bp:
                break
            self.i += 1
            right = self.expr(bp + 1)
            left = Binary(op, left, right)
        return left

    def prefix(self) -> Node:
        tok = self.next()
        k = tok.kind
        if k == "num":
            return Number(tok.value)  # type: ignore[arg-type]
        if k == "str":
            return Text(tok.value)  # type: ignore[arg-type]
        if k == "bool":
            return Bool(tok.value)  # type: ignore[arg-type]
        if k == "err":
            return ErrorLit(tok.value)  # type: ignore[arg-type]
        if k in ("ref", "name", "struct"):
            return tok.value  # type: ignore[return-value]
        if k == "op" and tok.text in ("-", "+"):
            return Unary(tok.text, self.expr(_PREFIX_BP))
        if k == "(":
            inner = self.expr(0)
            items = [inner]
            while self.peek() is not None and self.peek().kind == ",":  # type: ignore[union-attr]
                self.i += 1
                items.append(self.expr(0))
            self.expect(")")
            return inner if len(items) == 1 else Union(tuple(items))
        if k == "{":
            return self.array()
        if k == "func":
            return self.call(tok.value)  # type: ignore[arg-type]
        raise FormulaSyntaxError(f"unexpected {tok.text!r} in {self.text!r}")

    def call(self, name: str) -> Node:
        self.expect("(")
        args: list[Node] = []
        tok = self.peek()
        if tok is not None and tok.kind == ")":
            self.i += 1
            return Func(name, ())
        while True:
            tok = self.peek()
            if tok is not None and tok.kind in (",", ")"):
                args.append(Missing())
            else:
                args.append(self.expr(0))
            tok = self.next()
            if tok.kind == ")":
                if name in ("_XLFN.ANCHORARRAY", "ANCHORARRAY") and len(args) == 1:
                    return SpillRef(args[0])  # how files store A1#
                return Func(name, tuple(args))
            if tok.kind != ",":
                raise FormulaSyntaxError(f"expected , or ) in {self.text!r}")

    def array(self) -> ArrayLit:
        rows: list[list[float | str | bool | ErrorLitValue]] = [[]]
        while True:
            tok = self.next()
            sign = 1.0
            while tok.kind == "op" and tok.text in ("-", "+"):
                sign = -sign if tok.text == "-" else sign
                tok = self.next()
            if tok.kind == "num":
                rows[-1].append(sign * tok.value)  # type: ignore[operator]
            elif tok.kind == "str" or tok.kind == "bool":
                rows[-1].append(tok.value)  # type: ignore[arg-type]
            elif tok.kind == "err":
                rows[-1].append(ErrorLitValue(tok.value))  # type: ignore[arg-type]
            else:
                raise FormulaSyntaxError(f"bad array constant in {self.text!r}")
            sep = self.next()
            if sep.kind == "}":
                break
            if sep.kind == ";":
                rows.append([])
            elif sep.kind != ",":
                raise FormulaSyntaxError(f"bad array constant in {self.text!r}")
        if len({len(r) for r in rows}) != 1:
            raise FormulaSyntaxError(f"ragged array constant in {self.text!r}")
        return ArrayLit(tuple(tuple(r) for r in rows))


def _edge(a: int, a_abs: bool, b: int, b_abs: bool, *, low: bool) -> tuple[int, bool]:
    """The lower (``low``) or higher of two edges with its ``$`` flag."""
    if a == b:
        return (a, a_abs) if low else (b, b_abs)
    if (a < b) == low:
        return a, a_abs
    return b, b_abs


def _make_range(left: Node, right: Node) -> Node:
    """``A1:B2`` (and ``A1:B2:C3``) becomes one :class:`Ref`; anything else a :class:`RangeOp`."""
    if (
        isinstance(left, Ref)
        and isinstance(right, Ref)
        and left.rows
        and left.cols
        and right.rows
        and right.cols
        and (right.sheet is None or right.sheet == left.sheet)
    ):
        # each edge keeps the $ of the corner it comes from; on a tie the first
        # operand gives the top/left edge, the second the bottom/right one
        top, atop = _edge(left.top, left.abs_top, right.top, right.abs_top, low=True)
        bottom, abot = _edge(
            left.bottom, left.abs_bottom, right.bottom, right.abs_bottom, low=False
        )
        lft, alft = _edge(left.left, left.abs_left, right.left, right.abs_left, low=True)
        rgt, argt = _edge(left.right, left.abs_right, right.right, right.abs_right, low=False)
        return Ref(left.sheet, top, lft, bottom, rgt, atop, alft, abot, argt, is_cell=False)
    return RangeOp(left, right)


#: Excel's limits: a formula's length in characters and its levels of nesting
MAX_FORMULA_LENGTH = 8192
MAX_NESTING = 64


def parse(text: str) -> Node:
    """Parse formula text (a leading ``=`` is allowed) into an AST.

    Formulas longer or more deeply nested than Excel allows
    (:data:`MAX_FORMULA_LENGTH`, :data:`MAX_NESTING`) cannot come from Excel and
    are refused with :class:`FormulaSyntaxError`, as is anything that would
    recurse deeper than Python allows (a long chain of prefix operators).
    """
    if text.startswith("="):
        text = text[1:]
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaSyntaxError(
            f"公式长 {len(text)} 个字符，超过 Excel 上限 {MAX_FORMULA_LENGTH} / the formula has "
            f"{len(text)} characters, more than Excel's {MAX_FORMULA_LENGTH}"
        )
    parser = _Parser(text)
    depth = deepest = 0
    for tok in parser.toks:
        if tok.kind in ("(", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif tok.kind in (")", "}"):
            depth -= 1
    if deepest > MAX_NESTING:
        raise FormulaSyntaxError(
            f"公式嵌套 {deepest} 层，超过 Excel 上限 {MAX_NESTING} / the formula nests "
            f"{deepest} levels, more than Excel's {MAX_NESTING}"
        )
    try:
        return parser.parse()
    except RecursionError:
        raise FormulaSyntaxError(
            "公式嵌套过深 / the formula is nested too deeply"
        ) from None


def children(node: Node) -> tuple[Node, ...]:
    """The operands of a node, left to right (none for a leaf)."""
    if isinstance(node, Func):
        return node.args
    if isinstance(node, Unary | Percent):
        return (node.operand,)
    if isinstance(node, Binary | RangeOp | Intersect):
        return (node.left, node.right)
    if isinstance(node, Union):
        return node.items
    if isinstance(node, SpillRef):
        return (node.anchor,)
    return ()


def function_names(node: Node) -> list[Func]:
    """Every function call in the tree, outermost first."""
    out: list[Func] = []
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Func):
            out.append(cur)
            stack.extend(reversed(cur.args))
        elif isinstance(cur, Unary | Percent):
            stack.append(cur.operand)
        elif isinstance(cur, Binary | RangeOp | Intersect):
            stack.extend((cur.right, cur.left))
        elif isinstance(cur, Union):
            stack.extend(reversed(cur.items))
        elif isinstance(cur, SpillRef):
            stack.append(cur.anchor)
    return out


# ---------------------------------------------------------------------- R1C1 key

_RE_KEY = re.compile(
    r'"(?:[^"]|"")*"'  # strings
    r"|'(?:[^']|'')*'!"  # quoted sheet names
    r"|\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # structured references
    rf"|(?P<cols>{_REF_START}(\$?)([A-Za-z]{{1,3}}):(\$?)([A-Za-z]{{1,3}}){_REF_END})"
    rf"|(?P<rows>{_REF_START}(\$?)(\d+):(\$?)(\d+){_REF_END_DOT})"
    rf"|(?P<cell>{_REF_START}(\$?)([A-Za-z]{{1,3}})(\$?)(\d+){_REF_END})"
    rf"|{_IDENT_START}{_IDENT_CHAR}*"  # names, functions, sheet names
    r"|\d+\.?\d*(?:[eE][+-]?\d+)?"  # numbers (so 1E5 is not a cell)
)


def digitless(text: str) -> bytes:
    """``text`` without its digits: the formulas of a column filled down differ
    only in row numbers, so they share it — a cheap key (a bytes translate,
    no parsing) under which a check reads such a column once.

    >>> digitless("TIERED(B12,档)") == digitless("TIERED(B13,档)")
    True
    """
    return text.encode("utf-8").translate(None, b"0123456789")


def _rel(axis: str, absolute: bool, value: int, base: int) -> str:
    return f"{axis}{value}" if absolute else f"{axis}[{value - base}]"


def r1c1_key(text: str, row: int, col: int) -> str:
    """The formula in R1C1 notation relative to the cell ``(row, col)``.

    Cells holding formulas with equal keys compute the same thing relative to
    themselves (a filled-down column): the engine evaluates such a run as one
    block. Strings, quoted sheet names and structured references are kept
    verbatim; only A1 references are rewritten.

    >>> r1c1_key('B2*$C$1&"A1"', 2, 4)
    'R[0]C[-2]*R1C3&"A1"'
    >>> r1c1_key("SUM(A:A,2:$3)", 5, 1)
    'SUM(C[0]:C[0],R[-3]:R3)'
    """

    def sub(m: re.Match[str]) -> str:
        if m.group("cell"):
            g = m.groups()[11:15]
            return _rel("R", g[2] == "$", int(g[3]), row) + _rel(
                "C", g[0] == "$", col_number(g[1]), col
            )
        if m.group("cols"):
            g = m.groups()[0:5]
            return (
                _rel("C", g[1] == "$", col_number(g[2]), col)
                + ":"
                + _rel("C", g[3] == "$", col_number(g[4]), col)
            )
        if m.group("rows"):
            g = m.groups()[5:10]
            return (
                _rel("R", g[1] == "$", int(g[2]), row)
                + ":"
                + _rel("R", g[3] == "$", int(g[4]), row)
            )
        return m.group(0)

    return _RE_KEY.sub(sub, text)


def row_template(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` as a %-format whose ``%d`` slots are its relative row numbers,
    and those numbers. Two cells of a column hold the same formula filled down
    exactly when the lower text is the template with its numbers moved down by
    the distance (cheaper than comparing :func:`r1c1_key` of every cell).

    >>> row_template("B2*$C$1")
    ('B%d*$C$1', (2,))
    """
    pieces: list[str] = []
    nums: list[int] = []
    pos = 0
    for m in _RE_KEY.finditer(text):
        spans: list[tuple[int, int]] = []
        if m.group("cell") and m.group(14) != "$":
            spans.append(m.span(15))
        elif m.group("rows"):
            if m.group(7) != "$":
                spans.append(m.span(8))
            if m.group(9) != "$":
                spans.append(m.span(10))
        for a, b in spans:
            pieces.append(text[pos:a].replace("%", "%%"))
            pieces.append("%d")
            nums.append(int(text[a:b]))
            pos = b
    pieces.append(text[pos:].replace("%", "%%"))
    return "".join(pieces), tuple(nums)


def column_runs(cells: Sequence[tuple[int, _T]]) -> list[tuple[int, int, _T]]:
    """Split one column's formula cells (sorted by row; anything with a
    ``text``, a :class:`addin.xlsx.model.Formula`) into runs of the same R1C1
    formula: ``(first row, rows, formula of the first row)`` — a column filled
    down cell by cell, as openpyxl and many systems write it, is one run.

    A run's first formula becomes a template of its relative row numbers; the
    next row belongs to the run when its text is exactly the template with
    those numbers moved down one more row — the formula filled down.
    """
    out: list[tuple[int, int, _T]] = []
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
