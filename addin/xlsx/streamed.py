"""A new workbook streamed to disk row by row: for reports of any length.

openpyxl builds a cell object per cell and hashes a cell's font and fill again
each time one is set: a report of a million rows took minutes and gigabytes.
Here a workbook is a list of :class:`StreamedSheet` whose rows are any
iterable (a generator is read once, as the sheet is written), each value
plain or :class:`Styled` with one of a few :class:`Look`\\ s; the parts are
written straight into the zip — constant memory, a few microseconds a cell.
Only what a report needs: numbers, texts (inline), booleans, bold, a solid
fill, a number format, column widths and frozen panes.

新工作簿逐行流式写出（报告用）：内存恒定，与行数成正比的时间。
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_letters, from_a1
from addin.xlsx.sheet_writer import escape_text
from addin.xlsx.sheetxml import format_number

__all__ = ["Look", "StreamedSheet", "Styled", "write_book"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: bytes of sheet XML gathered before each write into the zip
_FLUSH = 1 << 20
#: characters a sheet name may not hold (Excel's rule), and its longest length
_BAD_TITLE = set('[]:*?/\\')
_TITLE_MAX = 31


class Look(NamedTuple):
    """A cell's appearance: bold, a solid fill (``"FFF2CC"``), a number format
    (a tuple: hashed at C speed, once per styled cell)."""

    bold: bool = False
    fill: str | None = None
    number_format: str | None = None


class Styled(NamedTuple):
    """A value with its :class:`Look`."""

    value: object
    look: Look


@dataclass
class StreamedSheet:
    """One sheet: its ``title``, its ``rows`` (each a sequence of values, plain
    or :class:`Styled`; ``None`` leaves a cell empty, with its look if styled), column ``widths`` by
    column number, and ``freeze``, the first cell that scrolls (``"D2"``)."""

    title: str
    rows: Iterable[Sequence[object]]
    widths: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None


class _Styles:
    """The looks met while writing, numbered as ``cellXfs`` entries (0 plain)."""

    def __init__(self) -> None:
        self.index: dict[Look, int] = {Look(): 0}
        self.attrs: dict[Look, str] = {Look(): ""}

    def attr(self, look: Look) -> str:
        """The cell's ``s`` attribute for ``look`` ("" for the plain look)."""
        got = self.attrs.get(look)
        if got is None:
            n = self.index[look] = len(self.index)
            got = self.attrs[look] = f' s="{n}"'
        return got

    def xml(self) -> str:
        formats = sorted({lk.number_format for lk in self.index if lk.number_format})
        fmt_id = {f: 164 + i for i, f in enumerate(formats)}
        fills = sorted({lk.fill for lk in self.index if lk.fill})
        fill_id = {f: 2 + i for i, f in enumerate(fills)}
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        out = [_HEAD, f'<styleSheet xmlns="{_MAIN}">']
        if formats:
            out.append(f'<numFmts count="{len(formats)}">')
            out += [f'<numFmt numFmtId="{fmt_id[f]}" formatCode="{_attr(f)}"/>' for f in formats]
            out.append("</numFmts>")
        out.append(f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>')
        out.append(f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
                   '<fill><patternFill patternType="gray125"/></fill>')
        out += [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{f}"/><bgColor indexed="64"/>'
                "</patternFill></fill>" for f in fills]
        out.append("</fills>")
        out.append('<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>')
        out.append('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
        out.append(f'<cellXfs count="{len(self.index)}">')
        for lk in self.index:  # in index order (dicts keep insertion order)
            num = fmt_id.get(lk.number_format or "", 0)
            fill = fill_id.get(lk.fill or "", 0)
            applied = "".join((
                ' applyNumberFormat="1"' if num else "", ' applyFont="1"' if lk.bold else "",
                ' applyFill="1"' if fill else "",
            ))  # fmt: skip
            out.append(f'<xf numFmtId="{num}" fontId="{int(lk.bold)}" fillId="{fill}" borderId="0" xfId="0"{applied}/>')
        out.append("</cellXfs>")
        out.append('<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>')
        out.append("</styleSheet>")
        return "".join(out)


def _attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;")


def _check_title(title: str, used: set[str]) -> None:
    if not title or len(title) > _TITLE_MAX or set(title) & _BAD_TITLE or title.startswith("'") \
            or title.endswith("'") or title.casefold() in used:  # fmt: skip
        raise ValueError(f"not a sheet name Excel accepts (or used twice): {title!r}")
    used.add(title.casefold())


def _cell(ref: str, value: object, s: str) -> str:
    """One ``<c>`` at ``ref`` with style attribute ``s``."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{format_number(float(value))}</v></c>'
    text = str(value)
    if not text.isascii() or "&" in text or "<" in text or ">" in text or "_x" in text or not text.isprintable():
        text = escape_text(text)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _pane(freeze: str | None) -> str:
    if not freeze:
        return ""
    row, col = from_a1(freeze)
    x, y = col - 1, row - 1
    if not x and not y:
        return ""
    active = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<pane{split} topLeftCell="{freeze}" activePane="{active}" state="frozen"/>'
            f'<selection pane="{active}" activeCell="{freeze}" sqref="{freeze}"/>')


def _write_sheet(out: IO[bytes], sheet: StreamedSheet, styles: _Styles, selected: bool) -> None:
    tab = ' tabSelected="1"' if selected else ""
    head = [_HEAD, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
            f'<sheetViews><sheetView{tab} workbookViewId="0">{_pane(sheet.freeze)}</sheetView></sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/>']
    if sheet.widths:
        head.append("<cols>")
        head += [f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in sorted(sheet.widths.items())]
        head.append("</cols>")
    head.append("<sheetData>")
    out.write("".join(head).encode("utf-8"))
    letters: list[str] = [""]
    chunk: list[str] = []
    size = 0
    attr = styles.attr
    for r, values in enumerate(sheet.rows, start=1):
        if r > MAX_ROW:
            raise ValueError(f"sheet {sheet.title!r} has more than {MAX_ROW} rows")
        if len(values) >= len(letters):
            if len(values) > MAX_COL:
                raise ValueError(f"sheet {sheet.title!r} has more than {MAX_COL} columns")
            letters += [col_letters(c) for c in range(len(letters), len(values) + 1)]
        cells = []
        for c, v in enumerate(values, start=1):
            if v.__class__ is Styled:
                v, s = v.value, attr(v.look)  # type: ignore[attr-defined]
            else:
                s = ""
            if v is not None:
                cells.append(_cell(f"{letters[c]}{r}", v, s))
            elif s:  # an empty cell with a look (a money column's blank)
                cells.append(f'<c r="{letters[c]}{r}"{s}/>')
        line = f'<row r="{r}">{"".join(cells)}</row>'
        chunk.append(line)
        size += len(line)
        if size >= _FLUSH:
            out.write("".join(chunk).encode("utf-8"))
            chunk, size = [], 0
    chunk.append("</sheetData></worksheet>")
    out.write("".join(chunk).encode("utf-8"))


def write_book(fh: IO[bytes], sheets: Sequence[StreamedSheet]) -> None:
    """Write a workbook of ``sheets`` (the first one selected) to ``fh``.

    Raises ``ValueError`` for a sheet name Excel refuses, or a sheet past
    Excel's 1,048,576 rows or 16,384 columns (split it before)."""
    used: set[str] = set()
    for sheet in sheets:
        _check_title(sheet.title, used)
    if not sheets:
        raise ValueError("a workbook needs a sheet")
    n = len(sheets)
    styles = _Styles()
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        zf.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ))  # fmt: skip
        zf.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))  # fmt: skip
        entries = "".join(
            f'<sheet name="{_attr(s.title)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1)
        )
        zf.writestr("xl/workbook.xml", (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{entries}</sheets></workbook>"
        ))  # fmt: skip
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ))  # fmt: skip
        for i, sheet in enumerate(sheets, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                _write_sheet(out, sheet, styles, selected=i == 1)
        zf.writestr("xl/styles.xml", styles.xml())
