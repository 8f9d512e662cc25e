"""Writing pay slips (工资条) as xlsx files that are made fresh — never a copy
of the workbook — so a slip file holds nothing but what it shows.

The office's own look is read from its sheet (:func:`read_look`): column
widths, the fonts, fills, borders, alignment and number formats of the header
rows and of each person's row. The slips are laid out (:func:`write_slips`)
one block per person — the header rows, the person's rows, one merged row per
explained amount — with a blank row to cut along in the printable file, on A4
with a manual page break wherever a block would otherwise be split. Row
heights are set explicitly so the breaks computed here are the ones Excel and
LibreOffice print. Files are streamed row by row (:mod:`addin.xlsx.streamed`),
each distinct look written once: a book of 200,000 slips costs its rows, not
an object per cell.

工资条文件：全新写出（不复制原工作簿），沿用原表的字体、格式和列宽；A4 纸，每人一块不跨页。
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font
from openpyxl.styles.fills import PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.xml.functions import tostring

from addin.xlsx.a1 import MAX_COL, col_letters, from_a1, parse_range
from addin.xlsx.atomic_write import write_atomically
from addin.xlsx.model import CellValue
from addin.xlsx.streamed import Look as StreamedLook
from addin.xlsx.streamed import PageSetup, Row, StreamedSheet, Styled, write_book

__all__ = ["Look", "SlipBlock", "SlipWriter", "book_rows", "page_rows", "read_look", "text_units", "write_slips"]

#: Excel's default column width (characters) and row height (points)
DEFAULT_WIDTH, DEFAULT_HEIGHT = 8.43, 15.0
NOTE_SIZE = 9.0
#: A4 in points, and the margins used (inches → points)
A4 = (595.0, 842.0)
MARGIN_SIDE, MARGIN_TOP, MARGIN_HEADER = 0.4, 0.6, 0.3


@dataclass
class CellLook:
    """One source cell's appearance (openpyxl style objects, copied on use)."""

    font: Any = None
    fill: Any = None
    border: Any = None
    alignment: Any = None
    number_format: str = "General"

    def key(self) -> tuple[object, ...]:
        """The same key for cells of the same look (openpyxl hands out one
        object per distinct style of the source)."""
        return (id(self.font), id(self.fill), id(self.border), id(self.alignment), self.number_format)


@dataclass
class Look:
    """The slip sheet's appearance: widths, merged header cells, and each
    source row's cells in the slip's ``columns`` — one tuple per row, ``None``
    where the row has no cell, rows of the same looks sharing one tuple (a
    sheet of 200,000 alike rows holds a handful of tuples, not a million
    entries)."""

    columns: tuple[int, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    rows: dict[int, tuple[CellLook | None, ...]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def width(self, col: int) -> float:
        return self.widths.get(col, DEFAULT_WIDTH)

    def cell(self, row: int, col: int) -> CellLook | None:
        """The look of the source cell ``(row, col)``; ``None`` when it has none."""
        got = self.rows.get(row)
        if got is None or col not in self.columns:
            return None
        return got[self.columns.index(col)]


@dataclass
class SlipBlock:
    """One person's slip: values by row (header rows first) in the slip's
    columns, the source rows they came from, and the explained amounts."""

    header: list[list[CellValue]]
    header_rows: list[int]
    rows: list[list[CellValue]]
    source_rows: list[int]
    notes: list[tuple[str, list[str]]] = field(default_factory=list)


def book_rows(blocks: Iterable[tuple[int, int, int]], *, summary: bool, cut: bool) -> int:
    """The rows :func:`write_slips` writes for blocks of (header rows, rows,
    notes) each: the summary and a blank row, then per block its header rows,
    its rows, one row per note and the blank row to cut along."""
    per_block = sum(header + rows + notes + cut for header, rows, notes in blocks)
    return per_block + (2 if summary else 0)


#: the elements of a sheet part the look is read from: a cell's start tag
#: with its address and style where a writer puts them (first, in this order),
#: then the rest of its attributes; a ``row``, ``col`` or ``mergeCell``
#: start tag with its attribute text
_TAG = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?(?:c\b(?: r="([A-Z]{1,3})(\d{1,7})")?(?: s="(\d{1,9})")?|(row|col|mergeCell)\b)([^>]*)>'
)
_ATTR = re.compile(rb'\b(r|s|min|max|width|hidden|ref)="([^"]*)"')
_REF = re.compile(rb'\br="([^"]*)"')
_STYLE = re.compile(rb'\bs="([^"]*)"')
_CHUNK = 1 << 20

#: one tag found by :data:`_TAG`: a cell's address letters, row and style
#: (empty unless written first), the other tag's name (empty for a cell) and
#: the rest of the attributes
_Tag = tuple[bytes, bytes, bytes, bytes, bytes]


def _tags(source: IO[bytes]) -> Iterator[list[_Tag]]:
    """The ``c``, ``row``, ``col`` and ``mergeCell`` start tags of a sheet
    part (:data:`_Tag`), a chunk's tags at a time (a tag never holds ``<``, so
    a chunk is cut before its last one)."""
    rest = b""
    while True:
        data = source.read(_CHUNK)
        buf = rest + data
        cut = len(buf) if not data else buf.rfind(b"<")
        if cut < 0:
            cut = 0
        yield _TAG.findall(buf, 0, cut)
        rest = buf[cut:]
        if not data:
            return


class _RowLooks:
    """The style ids of the cells of each wanted row, gathered as the sheet
    part is read and kept as shared tuples of :class:`CellLook`."""

    def __init__(self, wb: Any, look: Look) -> None:
        self.wb, self.look = wb, look
        self.index = {c: i for i, c in enumerate(look.columns)}
        self.styles: dict[int, CellLook] = {}
        self.shared: dict[tuple[int, ...], tuple[CellLook | None, ...]] = {}

    def keep(self, row: int, ids: list[int]) -> None:
        """Keep the style ids of a row's cells (-1: no cell); a row met again
        adds to what it had."""
        key = tuple(ids)
        got = self.shared.get(key)
        if got is None:
            got = self.shared[key] = tuple(None if i < 0 else self._style(i) for i in ids)
        before = self.look.rows.get(row)
        if before is not None:
            got = tuple(b if g is None else g for g, b in zip(got, before, strict=True))
        self.look.rows[row] = got

    def _style(self, style_id: int) -> CellLook:
        cell = self.styles.get(style_id)
        if cell is None:
            cell = self.styles[style_id] = _cell_look(self.wb, style_id)
        return cell


def read_look(path: Path, sheet: str, header_rows: range, rows: set[int], columns: tuple[int, ...]) -> Look:
    """Widths, hidden columns, merges and the cells' styles of ``sheet``: the
    styles part through openpyxl (once), the sheet part by one streamed scan
    of its tags — no cell object per cell, so 200,000 rows read in seconds."""
    look = Look(columns)
    # openpyxl's reader up to the styles: its read-only worksheet would parse
    # the whole sheet for its dimensions before a cell is asked for
    reader = ExcelReader(path, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        wb = reader.wb
        target = next((rel.target for ws, rel in reader.parser.find_sheets() if ws.name == sheet), None)
        if target is None:
            return look
        wanted = set(header_rows) | rows
        found = _RowLooks(wb, look)
        wanted_cols = found.index
        width = len(columns)
        col_of: dict[bytes, int] = {}

        def column(letters: bytes) -> int:
            got = col_of.get(letters)
            if got is None:
                got = col_of[letters] = from_a1(letters.decode("ascii", "replace") + "1")[1]
            return got

        row = col = 0
        kept_row, ids = 0, None  # the row whose cells are being read, their style ids
        ref_of, style_of = _REF.search, _STYLE.search
        with reader.archive.open(target) as source:
            for tags in _tags(source):
                for letters, digits, style, tag, text in tags:
                    if not tag:  # a cell
                        if letters and b'r="' not in text and b's="' not in text:
                            got = col_of.get(letters)
                            col = got if got is not None else column(letters)
                            row = int(digits)
                            style_id = int(style) if style else 0
                        else:  # its attributes elsewhere in the tag: read them there
                            if letters:
                                text = b' r="' + letters + digits + b'"' + text
                            if style:
                                text = b' s="' + style + b'"' + text
                            m = ref_of(text)
                            if m is None:
                                col += 1
                            else:
                                ref = m.group(1)
                                name = ref.rstrip(b"0123456789")
                                col = column(name)
                                if len(name) < len(ref):
                                    row = int(ref[len(name):])
                            s = style_of(text)
                            style_id = int(s.group(1) or 0) if s is not None else 0
                        if row in wanted and col in wanted_cols:
                            if row != kept_row or ids is None:
                                if ids is not None:
                                    found.keep(kept_row, ids)
                                kept_row, ids = row, [-1] * width
                            ids[wanted_cols[col]] = style_id
                    elif tag == b"row":
                        r = _attrs(text).get(b"r")
                        row, col = (int(r) if r else row + 1), 0
                    elif tag == b"col":
                        attrs = _attrs(text)
                        lo, hi = int(attrs.get(b"min", b"1")), int(attrs.get(b"max", b"1"))
                        for c in range(lo, min(hi, MAX_COL) + 1):
                            if c in wanted_cols:
                                if attrs.get(b"width"):
                                    look.widths[c] = float(attrs[b"width"])
                                if attrs.get(b"hidden") in (b"1", b"true"):
                                    look.hidden.add(c)
                    else:  # mergeCell
                        ref = _attrs(text).get(b"ref", b"").decode("ascii", "replace")
                        (r1, c1), (r2, c2) = parse_range(ref)
                        if r1 in header_rows and r2 in header_rows:
                            look.merges.append((r1, c1, r2, c2))
        if ids is not None:
            found.keep(kept_row, ids)
    finally:
        reader.archive.close()
    return look


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(text))


def _cell_look(wb: Any, style_id: int) -> CellLook:
    """The look of cell format ``style_id`` of a workbook openpyxl read (as
    its read-only cells give it)."""
    styles = wb._cell_styles
    if not 0 <= style_id < len(styles):
        style_id = 0
    xf = styles[style_id]
    fmt_id = xf.numFmtId
    if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
        number_format = BUILTIN_FORMATS.get(fmt_id, "General")
    else:
        number_format = wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
    return CellLook(wb._fonts[xf.fontId], wb._fills[xf.fillId], wb._borders[xf.borderId],
                    wb._alignments[xf.alignmentId], number_format or "General")


def text_units(text: str) -> int:
    """Width of ``text`` in character units of an 11-point font: a wide (CJK)
    character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines_needed(text: str, width_chars: float, size: float) -> int:
    per_line = max(1.0, width_chars * 11.0 / size - 1)
    return sum(max(1, math.ceil(text_units(part) / per_line)) for part in text.split("\n"))


def _shown(value: CellValue) -> str:
    return "" if value is None else str(value)


@dataclass
class _Page:
    orientation: str
    scale: int
    height: float  # usable height in points, at 100 %


def _page(total_width: float) -> _Page:
    """A4 portrait, or landscape when the slip is wide; scaled to the width."""
    # character widths → pixels → points, generously (LibreOffice without the
    # office's fonts draws wider than Excel's 7 pixels a character): a wider
    # estimate only scales the page down more, never lets a column fall off
    pts = total_width * 10 * 0.75 + 20
    best: _Page | None = None
    for orientation, (w, h) in (("portrait", A4), ("landscape", (A4[1], A4[0]))):
        usable_w = w - 2 * MARGIN_SIDE * 72
        usable_h = h - 2 * MARGIN_TOP * 72
        scale = max(10, min(100, math.floor(usable_w / pts * 100)))
        if best is None or scale > best.scale:
            best = _Page(orientation, scale, usable_h * 100 / scale)
    assert best is not None
    return best


def page_rows(heights: Sequence[float], blocks: Iterable[tuple[int, int]], page_height: float) -> list[int]:
    """Rows after which a page must break so that no block (first, last row,
    1-based) is split: a block that does not fit on what is left of a page
    starts a new one.

    >>> page_rows([10.0] * 9, [(1, 3), (4, 6), (7, 9)], 65)
    [6]
    """
    breaks: list[int] = []
    page_start = 1
    for first, last in blocks:
        if first > page_start and sum(heights[page_start - 1:last]) > page_height:
            breaks.append(first - 1)
            page_start = first
    return breaks


def _xml(style: Any) -> str | None:
    """An openpyxl style object as the element of a styles part."""
    return None if style is None else str(tostring(style.to_tree()).decode("utf-8"))


def _streamed_look(look: CellLook, *, header: bool = False) -> StreamedLook:
    """The source cell's look for the streamed writer; a header cell is
    centred and wrapped."""
    alignment = look.alignment
    if header:
        horizontal = alignment.horizontal if alignment is not None else None
        alignment = Alignment(horizontal=horizontal or "center", vertical="center", wrap_text=True)
    fill = None if look.fill is None or look.fill == PatternFill() else look.fill
    return StreamedLook(
        number_format=None if look.number_format == "General" else look.number_format,
        font=_xml(look.font), pattern=_xml(fill), border=_xml(look.border), alignment=_xml(alignment),
    )


def _font_size(look: CellLook | None) -> float:
    size = getattr(getattr(look, "font", None), "sz", None)
    return float(size) if size else 11.0


class SlipWriter:
    """Writes slip files one after another in the same look (each distinct
    look of the source converted once, whatever the number of files). A file
    holds only the sheet written for it and document properties naming
    jixiao: looks, never another person's values."""

    def __init__(self, columns: tuple[int, ...], look: Look, title: str) -> None:
        if look.columns != columns:
            raise ValueError(f"the look was read for columns {look.columns}, not {columns}")
        self.columns = columns
        self.look = look
        self.title = title
        self._looks: dict[tuple[object, ...], StreamedLook] = {}
        self._plans: dict[tuple[int, bool], tuple[tuple[CellLook | None, ...], _RowPlan]] = {}
        self._none: tuple[CellLook | None, ...] = (None,) * len(columns)

    def streamed(self, look: CellLook, header: bool) -> StreamedLook:
        """The streamed form of ``look`` (of a header cell: centred, wrapped)."""
        key = (*look.key(), header)
        got = self._looks.get(key)
        if got is None:
            got = self._looks[key] = _streamed_look(look, header=header)
        return got

    def plan(self, source_row: int, header: bool) -> _RowPlan:
        """How the cells of ``source_row`` are written: their looks, the cells
        whose text may wrap, the largest font — worked out once per distinct
        row of looks (:attr:`Look.rows` shares them)."""
        cells = self.look.rows.get(source_row, self._none)
        key = (id(cells), header)
        got = self._plans.get(key)
        if got is None or got[0] is not cells:
            looks = tuple(None if c is None else self.streamed(c, header) for c in cells)
            wraps = tuple(
                (i, self.look.width(col), _font_size(c))
                for i, (col, c) in enumerate(zip(self.columns, cells, strict=True))
                if header or (c and c.alignment is not None and c.alignment.wrap_text)
            )
            size = max((_font_size(c) for c in cells), default=11.0)
            got = self._plans[key] = (cells, _RowPlan(looks, wraps, size))
        return got[1]

    def write(
        self,
        path: Path,
        blocks: Iterable[SlipBlock],
        *,
        summary: tuple[str, float | None, str] | None = None,
        cut: bool = True,
    ) -> None:
        """One xlsx at ``path`` holding ``blocks`` (values only) on one sheet;
        ``summary`` (label, amount, number format) heads it. Written whole or
        not at all."""
        sheet = _sheet(self, blocks, summary, cut)
        write_atomically(path, lambda fh: write_book(fh, [sheet], creator="jixiao"))


def write_slips(
    path: Path,
    blocks: Iterable[SlipBlock],
    columns: tuple[int, ...],
    look: Look,
    *,
    title: str,
    summary: tuple[str, float | None, str] | None = None,
    cut: bool = True,
) -> None:
    """One xlsx at ``path`` holding ``blocks`` (values only) on one sheet
    called ``title``; ``summary`` (label, amount, number format) heads it."""
    SlipWriter(columns, look, title).write(path, blocks, summary=summary, cut=cut)


class _RowPlan(NamedTuple):
    """How a source row's cells are written (:meth:`SlipWriter.plan`)."""

    looks: tuple[StreamedLook | None, ...]
    wraps: tuple[tuple[int, float, float], ...]  # (index, width, font size) of cells whose text may wrap
    size: float  # the largest font of the row


def _text_look(size: float, bold: bool) -> StreamedLook:
    return StreamedLook(font=_xml(Font(sz=size, b=bold)), alignment=_xml(Alignment(wrap_text=True, vertical="top")))


_BOLD = StreamedLook(font=_xml(Font(b=True)))


def _sheet(
    writer: SlipWriter,
    blocks: Iterable[SlipBlock],
    summary: tuple[str, float | None, str] | None,
    cut: bool,
) -> StreamedSheet:
    """The slip sheet: its rows made as it is written, with each row's height,
    the merges, and after the last row the page breaks that keep every block
    on one page."""
    columns, look = writer.columns, writer.look
    total_width = sum(look.width(c) for c in columns)
    page = _page(total_width)
    sheet = StreamedSheet(
        writer.title, (), widths={i: look.width(c) for i, c in enumerate(columns, start=1)},
        page=PageSetup(9, page.orientation, page.scale,
                       (MARGIN_SIDE, MARGIN_SIDE, MARGIN_TOP, MARGIN_TOP, MARGIN_HEADER, MARGIN_HEADER), centred=True),
    )  # fmt: skip
    sheet.rows = _rows(writer, sheet, blocks, summary, cut, page)
    return sheet


def _rows(
    writer: SlipWriter,
    sheet: StreamedSheet,
    blocks: Iterable[SlipBlock],
    summary: tuple[str, float | None, str] | None,
    cut: bool,
    page: _Page,
) -> Iterator[Row]:
    columns, look = writer.columns, writer.look
    width = len(columns)
    last = col_letters(width)
    total_width = sum(look.width(c) for c in columns)
    heights = array("d")
    firsts, lasts = array("l"), array("l")  # each block's rows
    made: dict[tuple[int, tuple[CellValue, ...]], Row] = {}  # header rows, the same in every block

    def person_row(values: list[CellValue], source_row: int, *, header: bool) -> Row:
        if header:
            key = (source_row, tuple(values))
            got = made.get(key)
            if got is not None:
                return got
        plan = writer.plan(source_row, header)
        need = 1
        for i, width_chars, size_ in plan.wraps:
            need = max(need, _lines_needed(_shown(values[i]), width_chars, size_))
        # an empty text is an empty cell, as openpyxl writes it
        cells = [None if v == "" else v for v in values] if "" in values else values
        row = Row(cells, max(DEFAULT_HEIGHT, need * plan.size * 1.35 + 2), plan.looks, repeated=header)
        if header:
            made[key] = row
        return row

    def text_row(text: str, size: float, *, bold: bool = False) -> Row:
        r = len(heights) + 1
        if width > 1:
            sheet.merges.append(f"A{r}:{last}{r}")
        heights.append(max(DEFAULT_HEIGHT, _lines_needed(text, total_width, size) * size * 1.35 + 3))
        return Row([Styled(text, _text_look(size, bold))], heights[-1])

    blank_row = Row((), DEFAULT_HEIGHT)

    def blank() -> Row:
        heights.append(DEFAULT_HEIGHT)
        return blank_row

    if summary is not None:
        label, amount, fmt = summary
        values: list[object] = [Styled(label, _BOLD)]
        if amount is not None:
            at = max(width, 2)
            money = StreamedLook(number_format=None if fmt == "General" else fmt, font=_BOLD.font)
            values += [None] * (at - 2) + [Styled(amount, money)]
            if at > 2:
                sheet.merges.append(f"A1:{col_letters(at - 1)}1")
        heights.append(DEFAULT_HEIGHT + 3)
        yield Row(values, heights[-1])
        yield blank()
    position = {c: i for i, c in enumerate(columns, start=1)}
    header: tuple[list[list[CellValue]], list[int], list[Row]] | None = None  # the header rows last made
    for block in blocks:
        first = len(heights) + 1
        if header is None or header[0] is not block.header or header[1] is not block.header_rows:
            made_rows = [person_row(values_, source_row, header=True)
                         for values_, source_row in zip(block.header, block.header_rows, strict=True)]
            header = (block.header, block.header_rows, made_rows)
        for row in header[2]:
            heights.append(row.height or DEFAULT_HEIGHT)
            yield row
        for r1, c1, r2, c2 in look.merges:
            if c1 in position and c2 in position and position[c2] - position[c1] == c2 - c1:
                top = first + block.header_rows.index(r1)
                bottom = first + block.header_rows.index(r2)
                if (top, position[c1]) != (bottom, position[c2]):
                    sheet.merges.append(f"{col_letters(position[c1])}{top}:{col_letters(position[c2])}{bottom}")
        for values_, source_row in zip(block.rows, block.source_rows, strict=True):
            row = person_row(values_, source_row, header=False)
            heights.append(row.height or DEFAULT_HEIGHT)
            yield row
        for label_, lines in block.notes:
            yield text_row(f"{label_}：\n" + "\n".join(lines), NOTE_SIZE)
        firsts.append(first)
        lasts.append(len(heights) + (1 if cut else 0))  # the page must hold a block and the cut row after it
        if cut:
            yield blank()
    sheet.breaks += page_rows(heights, zip(firsts, lasts, strict=True), page.height * 0.95)
