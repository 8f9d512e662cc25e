"""Worksheet XML as bytes: the one cell grammar of the package reader
(:mod:`addin.xlsx.worksheets`, which the validator reads cells through) and the
writer (:mod:`addin.xlsx.sheet_writer`).

* :data:`SHEETDATA_RE` — where the cells start (``<sheetData>``, with the
  part's namespace prefix).
* :class:`SheetGrammar` — for one namespace prefix (``x:c`` or ``c``), the
  element patterns (row, cell, ``f``, ``v``, ``is``, ``t``, ``rPh``) and the
  two fast cell patterns built from the same pieces: the reader's
  :attr:`~SheetGrammar.scan_cell` (the shapes Excel writes, captured directly)
  and the writer's :attr:`~SheetGrammar.value_cell` (the shapes whose value it
  replaces in one ``re.sub``).
* Text: :func:`xml_text` (element and attribute content as an XML parser
  reports it), :func:`decode_xstring` (OOXML's ``_xHHHH_`` escapes),
  :func:`attributes`/:func:`attribute`, :func:`column` (cell-address
  letters to a column number, cached), and :func:`format_number` (a number
  as the shortest text that reads back exactly, for every value written).

One definition each, so the reader's scanner and the writer's splicer read a
cell the same way.

>>> xml_text(b"a&amp;b&#13;\\r\\nc")
'a&b\\r\\nc'
>>> column(b"AB"), column(b"XFE")
(28, 0)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from addin.xlsx.a1 import MAX_COL, col_number

__all__ = [
    "ADDRESS_RE",
    "SHEETDATA_RE",
    "SheetGrammar",
    "attribute",
    "attributes",
    "column",
    "decode_xstring",
    "format_number",
    "rewrite_formulas",
    "xml_text",
]

#: ``<sheetData …>`` (group 1: the namespace prefix, group 2: ``/`` when empty)
SHEETDATA_RE = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")

#: The text of a formula element: a cell's ``<f …>text</f>`` or a defined
#: name's ``<definedName …>text</definedName>`` (any namespace prefix; a
#: shared formula's child, ``<f …/>``, has none)
_FORMULA_ELEMENT_RE = re.compile(rb"(<(?:\w+:)?(f|definedName)\b[^>]*?(?<!/)>)([^<]*)(</(?:\w+:)?\2>)")

#: A cell address as the ``r`` attribute holds it: (column letters, row digits)
ADDRESS_RE = re.compile(rb"^([A-Za-z]{1,3})(\d+)$")

#: One attribute: (leading space, name, quoted value)
_ATTRIBUTE_RE = re.compile(rb"""(\s+)([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")

# the address of a cell written as Excel writes it: r="B12" first
_ADDRESS = rb'r="([A-Z]{1,3})([0-9]{1,7})"'

_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_XSTRING_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED_ENTITIES[name]
    return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))


def xml_text(raw: bytes) -> str:
    """Element content as an XML parser reports it: line ends normalised to
    ``\\n`` first, then entities and character references decoded (so ``&#13;``
    stays a carriage return, as the XML specification says)."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY_RE.sub(_entity, text)
    return text


def rewrite_formulas(xml: bytes, rewrite: Callable[[str], str]) -> bytes:
    """``xml`` (a worksheet or the workbook part) with the text of every
    formula element passed through ``rewrite``; an element it leaves alone is
    kept byte for byte.

    >>> rewrite_formulas(b'<c r="A1"><f>A1&amp;"x"</f><v>1</v></c><c r="A2"><f t="shared" si="0"/></c>',
    ...                  lambda t: t.replace("A1", "B1")).decode()
    '<c r="A1"><f>B1&amp;"x"</f><v>1</v></c><c r="A2"><f t="shared" si="0"/></c>'
    """

    def one(m: re.Match[bytes]) -> bytes:
        text = xml_text(m.group(3))
        new = rewrite(text)
        if new == text:
            return m.group(0)
        escaped = new.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return m.group(1) + escaped.encode("utf-8") + m.group(4)

    return _FORMULA_ELEMENT_RE.sub(one, xml)


def decode_xstring(text: str) -> str:
    """Undo the ``_xHHHH_`` escapes OOXML uses for characters XML cannot hold."""
    if "_x" not in text:
        return text
    return _XSTRING_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def format_number(x: float) -> str:
    """The shortest text that reads back as exactly ``x`` (``3``, ``0.1``, ``1e-07``)."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def attributes(text: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(leading space, name, quoted value) for each attribute of a start tag's
    attribute text, in order."""
    return _ATTRIBUTE_RE.findall(text)


def attribute(attrs: list[tuple[bytes, bytes, bytes]], name: bytes) -> str | None:
    """The value of attribute ``name`` among ``attrs`` (:func:`attributes`), decoded."""
    for _sp, key, quoted in attrs:
        if key == name:
            return xml_text(quoted[1:-1])
    return None


#: column letters → column number, for every address seen (a sheet has few)
COLUMNS: dict[bytes, int] = {}


def column(letters: bytes) -> int:
    """The column number of cell-address letters (``b"AB"`` → 28); 0 when they
    are not 1–3 letters or lie beyond ``XFD``. Cached in :data:`COLUMNS`, which
    hot loops read directly."""
    col = COLUMNS.get(letters)
    if col is None:
        col = col_number(letters.decode("ascii")) if letters.isalpha() and len(letters) <= 3 else 0
        if col > MAX_COL:
            col = 0
        if len(COLUMNS) < 20_000:
            COLUMNS[letters] = col
    return col


class SheetGrammar:
    """The cell grammar of worksheet XML whose elements carry ``prefix``
    (``b"x:"``, or ``b""`` for the default namespace); one per prefix
    (:meth:`get`)."""

    cache: ClassVar[dict[bytes, SheetGrammar]] = {}

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.prefix = prefix

        def el(name: bytes) -> bytes:  # the element's name, as a pattern
            return p + name

        c, f, v, is_, t = el(b"c"), el(b"f"), el(b"v"), el(b"is"), el(b"t")
        # the elements, each in one form: start tag, attributes, content
        f_el = rb"<" + f + rb"\b([^>]*?)(?:/>|>(.*?)</" + f + rb">)"
        v_el = rb"<" + v + rb"\b[^>]*?(?:/>|>(.*?)</" + v + rb">)"
        is_el = rb"<" + is_ + rb"\b[^>]*?(?:/>|>(.*?)</" + is_ + rb">)"
        self.row_start = re.compile(rb"<" + el(b"row") + rb"\b([^>]*?)(/?)>")
        self.row_end = b"</" + prefix + b"row>"
        self.sheetdata_end = b"</" + prefix + b"sheetData>"
        #: any cell: (attributes, content or None)
        self.cell = re.compile(rb"<" + c + rb"\b([^>]*?)(?:/>|>(.*?)</" + c + rb">)", re.DOTALL)
        self.f_el = re.compile(f_el, re.DOTALL)
        self.f_start = re.compile(rb"<" + f + rb"\b([^>]*?)(/?)>")
        self.v_el = re.compile(v_el, re.DOTALL)
        self.is_el = re.compile(is_el, re.DOTALL)
        self.t_el = re.compile(rb"<" + t + rb"\b[^>]*?(?:/>|>(.*?)</" + t + rb">)", re.DOTALL)
        self.rph = re.compile(rb"<" + el(b"rPh") + rb"\b.*?</" + el(b"rPh") + rb">", re.DOTALL)
        #: a cell's whole content as the schema orders it (CT_Cell: f?, v?, is?,
        #: extLst?): (f attributes, f text, v element, v text, is content) —
        #: no match for anything else (text, a second f, a nested cell)
        def content(name: bytes) -> bytes:  # anything up to the element's own end tag
            return rb"(?:(?!</" + el(name) + rb">).)*"

        self.inner = re.compile(
            rb"\s*(?:<" + f + rb"\b([^>]*?)(?:/>|>([^<]*)</" + f + rb">))?"
            + rb"\s*(<" + v + rb"\b[^>]*?(?:/>|>([^<]*)</" + v + rb">))?"
            + rb"\s*(?:<" + is_ + rb"\b[^>]*?(?:/>|>(" + content(b"is") + rb")</" + is_ + rb">))?"
            + rb"\s*(?:<" + el(b"extLst") + rb"\b[^>]*?(?:/>|>" + content(b"extLst") + rb"</"
            + el(b"extLst") + rb">))?\s*",
            re.DOTALL,
        )
        # pieces of the fast patterns: <v>number-or-text</v>, <is><t>text</t></is>
        v_open, v_close = rb"<" + v + rb">", rb"</" + v + rb">"
        is_t_open = rb"<" + is_ + rb"><" + t
        is_t_close = rb"</" + t + rb"></" + is_ + rb">"
        #: the reader's cell: address, other attributes, then either "/>" or its
        #: content, where the shapes almost every cell has are captured directly
        #: — a plain value, a shared-formula child with an optional value, an
        #: inline string, a formula as its own text with a value — else the
        #: content whole: (letters, digits, attrs, "/", v, child si, child v,
        #: inline text, f text, f v, content)
        self.scan_cell = re.compile(
            rb"<" + c + rb" " + _ADDRESS + rb"([^>]*?)(?:(/)>|>(?:"
            + v_open + rb"([^<]+)" + v_close
            + rb"|<" + f + rb' t="shared" si="([0-9]+)"/>(?:' + v_open + rb"([^<&]+)" + v_close + rb")?"
            + rb"|" + is_t_open + rb">([^<&_\r]+)" + is_t_close
            + rb"|<" + f + rb">([^<]+)</" + f + rb">" + v_open + rb"([^<&]+)" + v_close
            + rb"|(.*?))</" + c + rb">)",
            re.DOTALL,
        )  # fmt: skip
        #: the writer's cell: address, attributes, an optional ``<f>`` element,
        #: then an optional value — (letters, digits, attrs, "/", f element,
        #: v text, empty v, inline text)
        value = (
            rb"(?:" + v_open + rb"([^<]*)" + v_close + rb"|(<" + v + rb"/>)"
            + rb"|" + is_t_open + rb'(?: xml:space="preserve")?>([^<]*)' + is_t_close
            + rb")?</" + c + rb">"
        )  # fmt: skip
        formula = rb"(<" + f + rb"\b[^>]*?(?:/>|>[^<]*</" + f + rb">))"
        self.value_cell = re.compile(
            rb"<" + c + rb" " + _ADDRESS + rb"([^>/]*)(?:(/)>|>" + formula + rb"?" + value + rb")"
        )
        #: the same groups for formula cells only (the "/" group always empty):
        #: where only formula cells change, every other cell is passed over at C speed
        self.formula_value_cell = re.compile(
            rb"<" + c + rb" " + _ADDRESS + rb"([^>/]*)()>" + formula + value
        )
        # a cell starts "<c " (counted at C speed); the other ways are rare, so
        # one search tells whether they need counting too
        self.start = b"<" + prefix + b"c "
        self.odd_start = re.compile(rb"<" + c + rb"[>/\t\n\r]")
        self.odd_starts = [b"<" + prefix + b"c" + end for end in (b">", b"/", b"\t", b"\n", b"\r")]

    @classmethod
    def get(cls, prefix: bytes) -> SheetGrammar:
        grammar = cls.cache.get(prefix)
        if grammar is None:
            grammar = cls.cache[prefix] = cls(prefix)
        return grammar

    def el(self, name: str) -> bytes:
        """The element's name with the prefix (``x:c``)."""
        return self.prefix + name.encode()

    def inline_text(self, body: bytes) -> str | None:
        """The text of an ``<is>`` element's content: its ``<t>`` runs joined,
        phonetic ``<rPh>`` guides left out; ``None`` when a ``<t>`` holds an
        element (text only, says the schema: the general reader names the cell)."""
        if b"rPh" in body:
            body = self.rph.sub(b"", body)
        runs = [m.group(1) or b"" for m in self.t_el.finditer(body)]
        if any(b"<" in run for run in runs):
            return None
        return decode_xstring("".join(xml_text(run) for run in runs))

    def find_cell(self, xml: bytes, ref: bytes) -> re.Match[bytes] | None:
        """The cell ``ref`` (``b"B2"``) anywhere in ``xml``: its content is group 1."""
        p = re.escape(self.prefix)
        return re.search(
            rb"<" + p + rb"c\b[^>]*?\br=[\"']" + ref + rb"[\"'][^>]*>(.*?)</" + p + rb"c>",
            xml,
            re.DOTALL,
        )
