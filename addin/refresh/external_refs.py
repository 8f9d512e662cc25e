"""References into other workbooks, for the engine: ``[1]Sheet1!$A$1``.

Excel stores a link to another workbook as ``[N]Sheet!A1``, N counting the
workbook's external links (:class:`addin.xlsx.model.ExternalLink`), and a name
defined in the other book as ``[N]!name``. :func:`with_external_sheets` gives
the engine a workbook where each linked sheet is one more (read-only) sheet
called ``[N]Sheet`` holding the linked values — the values Excel cached in the
linking file, or the freshly computed values of the linked workbook when the
folder refresh supplies them (:mod:`addin.refresh.links`) — and where formulas
and defined names refer to it as ``'[N]Sheet'!A1``. Nothing else of the engine
changes: a reference into another workbook is a reference to that sheet.

``[0]!name`` is a name of the linking workbook itself (Excel writes the
book's own index as 0): it reads as ``name``.

A name of the other book whose definition the link part does not carry
(``[2]!A`` with no ``refersTo``) stays unreadable, and the cell is reported as
unsupported, as before.

外部引用：把链接工作簿的工作表作为只读工作表 ``[N]Sheet`` 交给引擎（缓存值或新算出的值）。
"""

from __future__ import annotations

import re
from dataclasses import replace

from addin.xlsx.formula import WIDE_CHAR
from addin.xlsx.model import DefinedName, ExternalLink, Formula, Sheet, SheetFormulas, Workbook

__all__ = ["external_sheet_name", "quote_external", "with_external_sheets"]

# [N]Sheet! outside quotes (a sheet name runs to the "!"), and [N]!name
_SHEET = re.compile(r"\[(\d+)\]([^\s'\"!(),;:+\-*/&=<>^%{}\[\]]+)!")
#: a defined name: an ASCII letter, "_", "\\" or a character past ASCII
#: (:data:`~addin.xlsx.formula.WIDE_CHAR`), then word characters, ".", "\\"
_NAME = rf"(?:[A-Za-z_\\]|{WIDE_CHAR})(?:[\w.\\]|{WIDE_CHAR})*"
_BOOK_NAME = re.compile(rf"\[(\d+)\]!({_NAME})")
# [N]Sheet!name: a name of the linked book scoped to one of its sheets
_SHEET_NAME = re.compile(
    r"\[(\d+)\][^\s'\"!(),;:+\-*/&=<>^%{}\[\]]+!(?![A-Za-z]{1,3}\$?\d)"
    rf"({_NAME})(?![(\w])"
)
# 'quoted sheet' and "string" segments, left alone
_SEGMENTS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")


def external_sheet_name(index: int, sheet: str) -> str:
    """The engine's name for a linked sheet: ``[1]Sheet1``."""
    return f"[{index}]{sheet}"


def quote_external(text: str, links: dict[int, ExternalLink]) -> str:
    """``[1]Sheet1!$A$1`` → ``'[1]Sheet1'!$A$1``; ``[1]!m`` → the name's
    definition in the linked book, on its linked sheet. Text inside string
    literals and already quoted sheet names is left alone.

    >>> quote_external('SUM([1]Sheet1!A1:B2,"[1]x!")', {})
    'SUM(\\'[1]Sheet1\\'!A1:B2,"[1]x!")'
    """
    if "[" not in text:
        return text
    parts = _SEGMENTS.split(text)
    for i in range(0, len(parts), 2):  # the unquoted segments
        part = _BOOK_NAME.sub(lambda m: _book_name(m, links), parts[i])
        part = _SHEET_NAME.sub(lambda m: _book_name(m, links), part)
        parts[i] = _SHEET.sub(lambda m: f"'[{m.group(1)}]{m.group(2)}'!", part)
    return "".join(parts)


def _book_name(m: re.Match[str], links: dict[int, ExternalLink]) -> str:
    if int(m.group(1)) == 0:  # [0]!name: a name of this very workbook, as Excel writes it
        return m.group(2)
    link = links.get(int(m.group(1)))
    target = link.names.get(m.group(2)) if link else None
    if not target or "!" not in target:
        return m.group(0)
    sheet, _, ref = target.rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    return f"'[{m.group(1)}]{sheet.replace(chr(39), chr(39) * 2)}'!{ref}"


def _names_own_book(wb: Workbook) -> bool:
    """Whether a formula writes ``[0]!name`` (a shared formula's cells judged by
    their group's text, so no child's text is worked out)."""
    return any(
        "[0]!" in (f.group.text if f.group is not None else f.text)
        for s in wb.sheets
        for f in s.formulas.distinct()
    )


def with_external_sheets(wb: Workbook) -> Workbook:
    """``wb`` with its linked sheets added and its references to them quoted
    (``wb`` itself when it has no external links)."""
    if not wb.external_links and not _names_own_book(wb):
        return wb
    links = {link.index: link for link in wb.external_links}
    sheets: list[Sheet] = []
    for s in wb.sheets:
        if any("[" in f.text for f in s.formulas.distinct()):
            formulas = SheetFormulas(
                (c, f if "[" not in f.text else Formula(quote_external(f.text, links), f.kind, f.ref))
                for c, f in s.formulas.items()
            )
            s = replace(s, formulas=formulas)
        sheets.append(s)
    for link in wb.external_links:
        for name in link.sheets:
            if not link.values.get(name):
                # Excel cached nothing of that sheet (it could not read it):
                # references to it are #REF!, as Excel shows them
                # (calamine errors.xlsx Feuil1!A5, phpspreadsheet bug1686b.xlsx A3, A5)
                continue
            values = dict(link.values[name])
            rows = max((r for r, _c in values), default=0)
            cols = max((c for _r, c in values), default=0)
            sheets.append(Sheet(external_sheet_name(link.index, name), values, SheetFormulas(), rows, cols))
    names = [
        dn if "[" not in dn.text else DefinedName(dn.name, quote_external(dn.text, links), dn.sheet)
        for dn in wb.names
    ]
    return replace(wb, sheets=sheets, names=names)
