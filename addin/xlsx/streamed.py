"""A new workbook streamed to disk row by row: for reports of any length.

openpyxl builds a cell object per cell and hashes a cell's font and fill again
each time one is set: a report of a million rows took minutes and gigabytes.
Here a workbook is a list of :class:`StreamedSheet` whose rows are any
iterable (a generator is read once, as the sheet is written), each value
plain or :class:`Styled` with one of a few :class:`Look`\\ s; the parts are
written straight into the zip — constant memory, a few microseconds a cell.
What reports and the printable pay slips need: numbers, texts (inline),
booleans; looks made of bold, a solid fill and a number format, or of whole
``<font>``/``<fill>``/``<border>``/``<alignment>`` elements copied from a
source workbook's styles; column widths, frozen panes, row heights, merged
cells, manual page breaks and the page set-up.

新工作簿逐行流式写出（报告用）：内存恒定，与行数成正比的时间。
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_letters, from_a1
from addin.xlsx.sheet_writer import escape_text
from addin.xlsx.sheetxml import format_number

__all__ = ["Look", "PageSetup", "Row", "StreamedSheet", "Styled", "write_book"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: bytes of sheet XML gathered before each write into the zip
_FLUSH = 1 << 20
#: deflate's level: a report is written once and read once, and level 1
#: deflates three times as fast as zlib's default 6 for ~30 % more bytes
#: (the 170 MB sheet of a 600,000-row slip book: 0.7 s and 16.7 MB, not 2.2 s
#: and 12.9 MB)
COMPRESS_LEVEL = 1
#: characters a sheet name may not hold (Excel's rule), and its longest length
_BAD_TITLE = set('[]:*?/\\')
_TITLE_MAX = 31


class Look(NamedTuple):
    """A cell's appearance: bold, a solid fill (``"FFF2CC"``), a number format
    (a tuple: hashed at C speed, once per styled cell) — or, for a look copied
    from another workbook, whole elements of a styles part: ``font`` (a
    ``<font>`` element, over ``bold``), ``pattern`` (a ``<fill>``, over
    ``fill``), ``border`` (a ``<border>``) and ``alignment`` (an
    ``<alignment/>``), as XML text."""

    bold: bool = False
    fill: str | None = None
    number_format: str | None = None
    font: str | None = None
    pattern: str | None = None
    border: str | None = None
    alignment: str | None = None


class Styled(NamedTuple):
    """A value with its :class:`Look`."""

    value: object
    look: Look


class Row(NamedTuple):
    """A row of values with its height in points (``None``: the default).

    ``looks``, when given, is each value's :class:`Look` (``None``: plain), the
    values then being plain: a row of many cells in a few repeated looks costs
    no :class:`Styled` per cell, and one sequence object given again is read
    once. ``repeated`` says the same :class:`Row` object is written again and
    again (a header over every block): its cells are made once and only its
    row number changes."""

    values: Sequence[object]
    height: float | None = None
    looks: Sequence[Look | None] | None = None
    repeated: bool = False


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: paper (9 is A4), orientation, scale (per cent),
    margins in inches, and whether the print is centred across the page."""

    paper: int = 9
    orientation: str = "portrait"
    scale: int = 100
    margins: tuple[float, float, float, float, float, float] = (0.7, 0.7, 0.75, 0.75, 0.3, 0.3)
    centred: bool = False  # left, right, top, bottom, header, footer ↑


@dataclass
class StreamedSheet:
    """One sheet: its ``title``, its ``rows`` (each a sequence of values, plain
    or :class:`Styled`, or a :class:`Row` with its height; ``None`` leaves a
    cell empty, with its look if styled), column ``widths`` by column number,
    and ``freeze``, the first cell that scrolls (``"D2"``).

    ``merges`` (ranges such as ``"A3:E3"``) and ``breaks`` (rows after which
    a page ends) are read after the rows are written, so a generator of rows
    may add to them as it goes; ``page`` sets up printing."""

    title: str
    rows: Iterable[Sequence[object] | Row]
    widths: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None
    merges: list[str] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    page: PageSetup | None = None


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
        default_font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        fonts = [f"<font>{default_font}</font>", f"<font><b/>{default_font}</font>"]
        fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
        borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
        font_id: dict[str, int] = {}
        fill_id: dict[str, int] = {}
        border_id: dict[str, int] = {}

        def number(table: dict[str, int], items: list[str], xml: str) -> int:
            got = table.get(xml)
            if got is None:
                got = table[xml] = len(items)
                items.append(xml)
            return got

        xfs = []
        for lk in self.index:  # in index order (dicts keep insertion order)
            num = fmt_id.get(lk.number_format or "", 0)
            font = number(font_id, fonts, lk.font) if lk.font else int(lk.bold)
            if lk.pattern:
                fill = number(fill_id, fills, lk.pattern)
            elif lk.fill:
                fill = number(fill_id, fills, f'<fill><patternFill patternType="solid"><fgColor rgb="FF{lk.fill}"/>'
                                              '<bgColor indexed="64"/></patternFill></fill>')
            else:
                fill = 0
            border = number(border_id, borders, lk.border) if lk.border else 0
            applied = "".join((
                ' applyNumberFormat="1"' if num else "", ' applyFont="1"' if font else "",
                ' applyFill="1"' if fill else "", ' applyBorder="1"' if border else "",
                ' applyAlignment="1"' if lk.alignment else "",
            ))  # fmt: skip
            head = f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}'
            xfs.append(f"{head}>{lk.alignment}</xf>" if lk.alignment else f"{head}/>")
        out = [_HEAD, f'<styleSheet xmlns="{_MAIN}">']
        if formats:
            out.append(f'<numFmts count="{len(formats)}">')
            out += [f'<numFmt numFmtId="{fmt_id[f]}" formatCode="{_attr(f)}"/>' for f in formats]
            out.append("</numFmts>")
        out += [f'<fonts count="{len(fonts)}">', *fonts, "</fonts>"]
        out += [f'<fills count="{len(fills)}">', *fills, "</fills>"]
        out += [f'<borders count="{len(borders)}">', *borders, "</borders>"]
        out.append('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
        out += [f'<cellXfs count="{len(xfs)}">', *xfs, "</cellXfs>"]
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
    cls = value.__class__
    if cls is float and math.isfinite(value):  # type: ignore[arg-type]
        return f'<c r="{ref}"{s}><v>{format_number(value)}</v></c>'  # type: ignore[arg-type]
    if cls is not str:
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float) and math.isfinite(value):
            return f'<c r="{ref}"{s}><v>{format_number(float(value))}</v></c>'
    text = str(value)
    # a printable text without markup or an ``_x`` escape is its own XML
    if "&" in text or "<" in text or ">" in text or "_x" in text or not text.isprintable():
        text = escape_text(text)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


#: where a repeated row's number goes in its cells, made once (no cell's XML
#: holds it: a text's control characters are written as ``_xHHHH_``)
_ROW_MARK = "\x00"


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


def _tail(sheet: StreamedSheet) -> str:
    """What follows the rows: merged cells, the page set-up, page breaks."""
    out = []
    if sheet.merges:
        out.append(f'<mergeCells count="{len(sheet.merges)}">')
        out += [f'<mergeCell ref="{ref}"/>' for ref in sheet.merges]
        out.append("</mergeCells>")
    page = sheet.page
    if page is not None:
        if page.centred:
            out.append('<printOptions horizontalCentered="1"/>')
        left, right, top, bottom, header, footer = page.margins
        out.append(f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="{header}" '
                   f'footer="{footer}"/>')
        out.append(f'<pageSetup paperSize="{page.paper}" scale="{page.scale}" orientation="{page.orientation}"/>')
    if sheet.breaks:
        n = len(sheet.breaks)
        out.append(f'<rowBreaks count="{n}" manualBreakCount="{n}">')
        out += [f'<brk id="{r}" max="{MAX_COL - 1}" man="1"/>' for r in sheet.breaks]
        out.append("</rowBreaks>")
    return "".join(out)


def _write_sheet(out: IO[bytes], sheet: StreamedSheet, styles: _Styles, selected: bool) -> None:
    tab = ' tabSelected="1"' if selected else ""
    head = [_HEAD, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">']
    if sheet.page is not None:
        head.append('<sheetPr><pageSetUpPr fitToPage="0"/></sheetPr>')
    head += [f'<sheetViews><sheetView{tab} workbookViewId="0">{_pane(sheet.freeze)}</sheetView></sheetViews>',
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
    # the ``s`` attributes of each ``looks`` sequence, and each repeated row's
    # cells cut at its row number (kept with the object: its id stays its own)
    row_attrs: dict[int, tuple[Sequence[Look | None], list[tuple[str, str]]]] = {}
    made: dict[int, tuple[Row, list[str]]] = {}
    heights: dict[float | None, str] = {None: ""}
    for r, item in enumerate(sheet.rows, start=1):
        if r > MAX_ROW:
            raise ValueError(f"sheet {sheet.title!r} has more than {MAX_ROW} rows")
        looks: Sequence[Look | None] | None = None
        again: Row | None = None  # a row written again and again
        if isinstance(item, Row):
            values, height, looks, repeated = item
            if repeated:
                again = item
        else:
            values, height = item, None
        if len(values) >= len(letters):
            if len(values) > MAX_COL:
                raise ValueError(f"sheet {sheet.title!r} has more than {MAX_COL} columns")
            letters += [col_letters(c) for c in range(len(letters), len(values) + 1)]
        ht = heights.get(height)
        if ht is None:
            ht = f' ht="{height:g}" customHeight="1"'
            if len(heights) < 4096:  # a few heights, each written many times
                heights[height] = ht
        if again is not None:
            got = made.get(id(again))
            if got is None or got[0] is not again:
                pieces = _cells(values, looks, _ROW_MARK, letters, attr, row_attrs)
                got = made[id(again)] = (again, "".join(pieces).split(_ROW_MARK))
            body = str(r).join(got[1])
        elif values:
            body = "".join(_cells(values, looks, str(r), letters, attr, row_attrs))
        else:
            body = ""
        line = f'<row r="{r}"{ht}>{body}</row>'
        chunk.append(line)
        size += len(line)
        if size >= _FLUSH:
            out.write("".join(chunk).encode("utf-8"))
            chunk, size = [], 0
    chunk.append("</sheetData>")
    chunk.append(_tail(sheet))
    chunk.append("</worksheet>")
    out.write("".join(chunk).encode("utf-8"))


def _cells(
    values: Sequence[object],
    looks: Sequence[Look | None] | None,
    row: str,
    letters: list[str],
    attr: Callable[[Look], str],
    row_attrs: dict[int, tuple[Sequence[Look | None], list[tuple[str, str]]]],
) -> list[str]:
    """The ``<c>`` elements of one row numbered ``row``: values plain or
    :class:`Styled`, or plain with their ``looks``."""
    cells = []
    if looks is None:
        for c, v in enumerate(values, start=1):
            if v.__class__ is Styled:
                v, s = v.value, attr(v.look)  # type: ignore[attr-defined]
            else:
                s = ""
            if v is not None:
                cells.append(_cell(f"{letters[c]}{row}", v, s))
            elif s:  # an empty cell with a look (a money column's blank)
                cells.append(f'<c r="{letters[c]}{row}"{s}/>')
        return cells
    # each column's start of a cell and ``s`` attribute, once per ``looks``;
    # a finite float and a plain text written here as :func:`_cell` writes them
    known = row_attrs.get(id(looks))
    if known is None or known[0] is not looks:
        known = row_attrs[id(looks)] = (looks, [
            (f'<c r="{letters[c]}', "" if lk is None else attr(lk)) for c, lk in enumerate(looks, start=1)
        ])  # fmt: skip
    for (start, s), v in zip(known[1], values, strict=True):
        cls = v.__class__
        if cls is float:
            if math.isfinite(v):  # type: ignore[arg-type]
                cells.append(f'{start}{row}"{s}><v>{format_number(v)}</v></c>')  # type: ignore[arg-type]
                continue
        elif cls is str:
            if "&" in v or "<" in v or ">" in v or "_x" in v or not v.isprintable():  # type: ignore[operator, attr-defined]
                v = escape_text(v)  # type: ignore[arg-type]
            cells.append(f'{start}{row}"{s} t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>')
            continue
        elif v is None:
            if s:  # an empty cell with a look
                cells.append(f'{start}{row}"{s}/>')
            continue
        cells.append(_cell(start[6:] + row, v, s))
    return cells


def _core(creator: str) -> str:
    """The document properties part naming only ``creator``."""
    who = escape_text(creator)
    return (
        f'{_HEAD}<cp:coreProperties xmlns:cp="{_CORE}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{who}</dc:creator><cp:lastModifiedBy>{who}</cp:lastModifiedBy></cp:coreProperties>"
    )


def write_book(fh: IO[bytes], sheets: Sequence[StreamedSheet], *, creator: str | None = None) -> None:
    """Write a workbook of ``sheets`` (the first one selected) to ``fh``;
    with ``creator``, document properties naming it (and nothing else).

    Raises ``ValueError`` for a sheet name Excel refuses, or a sheet past
    Excel's 1,048,576 rows or 16,384 columns (split it before)."""
    used: set[str] = set()
    for sheet in sheets:
        _check_title(sheet.title, used)
    if not sheets:
        raise ValueError("a workbook needs a sheet")
    n = len(sheets)
    styles = _Styles()
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
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
            + ('<Override PartName="/docProps/core.xml" '
               'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' if creator else "")
            + f"{overrides}</Types>"
        ))  # fmt: skip
        core_rel = (f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" '
                    'Target="docProps/core.xml"/>' if creator else "")  # fmt: skip
        zf.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>{core_rel}</Relationships>'
        ))  # fmt: skip
        if creator:
            zf.writestr("docProps/core.xml", _core(creator))
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
