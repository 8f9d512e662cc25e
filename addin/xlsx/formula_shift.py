"""Moving a formula's text as Excel fills it: every reference not anchored by
``$`` shifted by a distance in rows and columns (:func:`shift_formula`), and
the compiled form a shared formula keeps so its children cost one
``str.format`` each (:func:`compile_template`, :func:`instantiate`,
:func:`row_format`; :class:`addin.xlsx.model.SharedGroup` uses them).

Part of the formula grammar's side of the package layer, apart from the zip
layer: it works on formula text only. Strings, sheet names, structured
references and function names are left alone; a reference pushed off the
sheet becomes ``#REF!``.
"""

from __future__ import annotations

import re

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_letters, col_number
from addin.xlsx.formula import WIDE_CHAR

__all__ = ["RefPart", "Template", "compile_template", "instantiate", "row_format", "shift_formula"]

_TOKEN_RE = re.compile(
    r"""
    (?P<string>"(?:[^"]|"")*")
  | (?P<quoted>'(?:[^']|'')*')
  | (?P<bracket>\[(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*\])
  | (?P<colrange>(?<![\w.$])\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![\w.(!\[$]))
  | (?P<rowrange>(?<![\w.$])\$?\d+:\$?\d+(?![\w.(!\[$]))
  | (?P<number>\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?|\.\d+(?:[Ee][+-]?\d+)?)
  | (?P<word>(?:[$A-Za-z_\\]|WIDE)(?:[\w.$\\]|WIDE)*)
  | (?P<other>.)
    """.replace("WIDE", WIDE_CHAR),  # a name's non-ASCII characters, as the formula grammar has them
    re.VERBOSE | re.DOTALL,
)
_CELL_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_COLPART_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROWPART_RE = re.compile(r"^(\$?)(\d+)$")

#: A compiled formula: literal text and references to shift. Each reference
#: part is (kind, col_abs, col, row_abs, row); kind "cell", "col", "row".
RefPart = tuple[str, bool, int, bool, int]
Template = list[str | RefPart]


def compile_template(text: str) -> Template:
    """``text`` as a :data:`Template`: its literal text and the references to shift."""
    parts: Template = []
    lit: list[str] = []

    def ref(part: RefPart) -> None:
        if lit:
            parts.append("".join(lit))
            lit.clear()
        parts.append(part)

    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        tok = m.group()
        if kind == "word":
            end = m.end()
            nxt = text[end : end + 1]
            cm = _CELL_RE.match(tok)
            if cm and nxt not in ("(", "!", "[") and not _after_bang_name(text, m.start()):
                col, row = col_number(cm.group(2)), int(cm.group(4))
                if col <= MAX_COL and 1 <= row <= MAX_ROW:
                    ref(("cell", cm.group(1) == "$", col, cm.group(3) == "$", row))
                    continue
            lit.append(tok)
        elif kind == "colrange":
            a, b = tok.split(":")
            ma, mb = _COLPART_RE.match(a), _COLPART_RE.match(b)
            assert ma is not None
            assert mb is not None
            ca, cb = col_number(ma.group(2)), col_number(mb.group(2))
            if ca > MAX_COL or cb > MAX_COL:
                lit.append(tok)
                continue
            ref(("col", ma.group(1) == "$", ca, False, 0))
            lit.append(":")
            ref(("col", mb.group(1) == "$", cb, False, 0))
        elif kind == "rowrange":
            a, b = tok.split(":")
            ra, rb = _ROWPART_RE.match(a), _ROWPART_RE.match(b)
            assert ra is not None
            assert rb is not None
            ref(("row", False, 0, ra.group(1) == "$", int(ra.group(2))))
            lit.append(":")
            ref(("row", False, 0, rb.group(1) == "$", int(rb.group(2))))
        else:
            lit.append(tok)
    if lit:
        parts.append("".join(lit))
    # fold references that never move (fully absolute) into the literal text
    folded: Template = []
    for part in parts:
        if isinstance(part, tuple) and _is_fixed(part):
            part = _render(part, 0, 0)
        if isinstance(part, str) and folded and isinstance(folded[-1], str):
            folded[-1] += part
        else:
            folded.append(part)
    return folded


def _after_bang_name(text: str, start: int) -> bool:
    """True when the word at ``start`` follows a ``.`` (part of a dotted name)."""
    return start > 0 and text[start - 1] == "."


def _is_fixed(part: RefPart) -> bool:
    kind, col_abs, _c, row_abs, _r = part
    if kind == "cell":
        return col_abs and row_abs
    if kind == "col":
        return col_abs
    return row_abs


_LETTERS: dict[int, str] = {}


def _letters(col: int) -> str:
    text = _LETTERS.get(col)
    if text is None:
        text = _LETTERS[col] = col_letters(col)
    return text


def _render(part: RefPart, drow: int, dcol: int) -> str:
    kind, col_abs, col, row_abs, row = part
    if kind != "row" and not col_abs:
        col += dcol
        if not 1 <= col <= MAX_COL:
            return "#REF!"
    if kind != "col" and not row_abs:
        row += drow
        if not 1 <= row <= MAX_ROW:
            return "#REF!"
    if kind == "cell":
        return f"{'$' if col_abs else ''}{_letters(col)}{'$' if row_abs else ''}{row}"
    if kind == "col":
        return ("$" if col_abs else "") + _letters(col)
    return ("$" if row_abs else "") + str(row)


def instantiate(template: Template, drow: int, dcol: int) -> str:
    """The text of ``template`` moved ``drow`` rows and ``dcol`` columns."""
    if len(template) == 1 and isinstance(template[0], str):
        return template[0]
    out = []
    for p in template:
        out.append(p if isinstance(p, str) else _render(p, drow, dcol))
    return "".join(out)


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """``text`` with its relative references moved ``drow`` rows and ``dcol`` columns.

    This is how Excel fills a shared formula: the master cell's text, with every
    reference not anchored by ``$`` shifted by the distance to the cell.
    Strings, sheet names, structured references and function names are left
    alone; a reference pushed off the sheet becomes ``#REF!``.

    >>> shift_formula("SUM(B2:C2)*$D$1+Sheet2!A1", 3, 1)
    'SUM(C5:D5)*$D$1+Sheet2!B4'
    >>> shift_formula('IF(A1="B2",LOG10(A$1),A:A)', 1, 1)
    'IF(B2="B2",LOG10(B$1),B:B)'
    """
    return instantiate(compile_template(text), drow, dcol)


def row_format(template: Template, dcol: int) -> tuple[str, list[int], int, int] | None:
    """``template`` shifted ``dcol`` columns as a format string over its relative rows."""
    out: list[str] = []
    bases: list[int] = []
    for part in template:
        if isinstance(part, str):
            out.append(part.replace("{", "{{").replace("}", "}}"))
            continue
        kind, col_abs, col, row_abs, row = part
        if kind != "row":
            if not col_abs:
                col += dcol
                if not 1 <= col <= MAX_COL:
                    return None
            out.append(("$" if col_abs else "") + _letters(col))
        if kind != "col":
            if row_abs:
                out.append(f"${row}")
            else:
                out.append("{}")
                bases.append(row)
    if not bases:
        return None
    return "".join(out), bases, min(bases), max(bases)
