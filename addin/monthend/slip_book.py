"""Writing pay slips (工资条) as xlsx files that are made fresh — never a copy
of the workbook — so a slip file holds nothing but what it shows.

The office's own look is read from its sheet (:func:`read_look`): column
widths, the fonts, fills, borders, alignment and number formats of the header
rows and of each person's row. The slips are laid out (:func:`write_slips`)
one block per person — the header rows, the person's rows, one merged row per
explained amount — with a blank row to cut along in the printable file, on A4
with a manual page break wherever a block would otherwise be split. Row
heights are set explicitly so the breaks computed here are the ones Excel and
LibreOffice print.

工资条文件：全新写出（不复制原工作簿），沿用原表的字体、格式和列宽；A4 纸，每人一块不跨页。
"""

from __future__ import annotations

import math
import unicodedata
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook as XlWorkbook
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from addin.xlsx.a1 import from_a1
from addin.xlsx.model import CellValue

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
    """The slip sheet's appearance: widths, header cells, each row's cells."""

    widths: dict[int, float] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    cells: dict[tuple[int, int], CellLook] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def width(self, col: int) -> float:
        return self.widths.get(col, DEFAULT_WIDTH)


@dataclass
class SlipBlock:
    """One person's slip: values by row (header rows first) in the slip's
    columns, the source rows they came from, and the explained amounts."""

    header: list[list[CellValue]]
    header_rows: list[int]
    rows: list[list[CellValue]]
    source_rows: list[int]
    notes: list[tuple[str, list[str]]] = field(default_factory=list)


def book_rows(blocks: list[SlipBlock], *, summary: bool, cut: bool) -> int:
    """The rows :func:`write_slips` writes for ``blocks``: the summary and a
    blank row, then per block its header rows, its rows, one row per note and
    the blank row to cut along."""
    per_block = sum(len(b.header_rows) + len(b.source_rows) + len(b.notes) + cut for b in blocks)
    return per_block + (2 if summary else 0)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_look(path: Path, sheet: str, header_rows: range, rows: set[int], columns: tuple[int, ...]) -> Look:
    """Widths, hidden columns, merges and the cells' styles of ``sheet`` (read
    only: a large sheet is streamed once)."""
    from lxml import etree

    look = Look()
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        wanted = set(header_rows) | rows
        for row in ws.iter_rows(min_row=min(wanted), max_row=max(wanted)):
            for cell in row:
                r, c = getattr(cell, "row", None), getattr(cell, "column", None)
                if r not in wanted or c not in columns:
                    continue
                look.cells[(r, c)] = CellLook(cell.font, cell.fill, cell.border, cell.alignment,
                                              cell.number_format or "General")
        source = ws._get_source()  # the sheet part, for <cols> and <mergeCells>
        try:
            for _event, el in etree.iterparse(source, events=("end",), huge_tree=True):
                tag = _local(el.tag)
                if tag == "col":
                    lo, hi = int(el.get("min", "1")), int(el.get("max", "1"))
                    for c in range(lo, min(hi, 16384) + 1):
                        if c in columns:
                            if el.get("width"):
                                look.widths[c] = float(el.get("width"))
                            if el.get("hidden") in ("1", "true"):
                                look.hidden.add(c)
                elif tag == "mergeCell":
                    first, _, last = (el.get("ref") or "").partition(":")
                    (r1, c1), (r2, c2) = from_a1(first), from_a1(last or first)
                    if r1 in header_rows and r2 in header_rows:
                        look.merges.append((r1, c1, r2, c2))
                elif tag == "row":
                    el.clear()
        finally:
            source.close()
    finally:
        wb.close()
    return look


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


def page_rows(heights: list[float], blocks: list[tuple[int, int]], page_height: float) -> list[int]:
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


def _style(cell: Any, look: CellLook, *, header: bool = False) -> None:
    """Give ``cell`` the source cell's look; a header cell is centred and wrapped."""
    for attr in ("font", "fill", "border", "alignment"):
        value = getattr(look, attr)
        if value is not None:
            setattr(cell, attr, value)
    cell.number_format = look.number_format
    if header:
        horizontal = look.alignment.horizontal if look.alignment is not None else None
        cell.alignment = Alignment(horizontal=horizontal or "center", vertical="center", wrap_text=True)


def _font_size(look: CellLook | None) -> float:
    size = getattr(getattr(look, "font", None), "sz", None)
    return float(size) if size else 11.0


class SlipWriter:
    """Writes slip files one after another: one openpyxl workbook is reused,
    its sheet replaced for each file, so each distinct look (font, fill,
    border, alignment, format) is registered once and then copied by index —
    thousands of per-person files cost little more than their cells. A file
    holds only the sheet written for it; the shared style table holds looks,
    never values."""

    def __init__(self, columns: tuple[int, ...], look: Look, title: str) -> None:
        self.columns = columns
        self.look = look
        self.title = title
        self.wb = XlWorkbook()
        self.wb.properties.creator = "jixiao"
        self.wb.properties.lastModifiedBy = "jixiao"
        self._styles: dict[tuple[object, ...], Any] = {}

    def _styled(self, cell: Any, key: tuple[object, ...], apply: Any) -> None:
        known = self._styles.get(key)
        if known is not None:
            cell._style = copy(known)
            return
        apply(cell)
        self._styles[key] = copy(cell._style)

    def write(
        self,
        path: Path,
        blocks: list[SlipBlock],
        *,
        summary: tuple[str, float | None, str] | None = None,
        cut: bool = True,
    ) -> None:
        """One xlsx at ``path`` holding ``blocks`` (values only) on one sheet;
        ``summary`` (label, amount, number format) heads it."""
        for other in list(self.wb.worksheets):
            self.wb.remove(other)
        ws = self.wb.create_sheet(self.title)
        _fill(self, ws, blocks, summary, cut)
        self.wb.save(path)


def write_slips(
    path: Path,
    blocks: list[SlipBlock],
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


def _fill(
    writer: SlipWriter,
    ws: Worksheet,
    blocks: list[SlipBlock],
    summary: tuple[str, float | None, str] | None,
    cut: bool,
) -> None:
    columns, look = writer.columns, writer.look
    width = len(columns)
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = look.width(c)
    total_width = sum(look.width(c) for c in columns)
    heights: list[float] = []
    spans: list[tuple[int, int]] = []

    def put_row(values: list[CellValue], source_row: int, *, header: bool) -> None:
        r = len(heights) + 1
        need = 1
        for i, (c, v) in enumerate(zip(columns, values, strict=True), start=1):
            cell_look = look.cells.get((source_row, c))
            cell = ws.cell(row=r, column=i, value=v)
            if cell_look is not None:
                writer._styled(cell, (*cell_look.key(), header),
                               lambda cell, cell_look=cell_look: _style(cell, cell_look, header=header))
            if header or (cell_look and cell_look.alignment is not None and cell_look.alignment.wrap_text):
                need = max(need, _lines_needed(_shown(v), look.width(c), _font_size(cell_look)))
        size = max(_font_size(look.cells.get((source_row, c))) for c in columns)
        heights.append(max(DEFAULT_HEIGHT, need * size * 1.35 + 2))
        ws.row_dimensions[r].height = heights[-1]

    def put_text(text: str, size: float, *, bold: bool = False) -> None:
        r = len(heights) + 1
        cell = ws.cell(row=r, column=1, value=text)

        def plain(cell: Any) -> None:
            cell.font = Font(sz=size, b=bold)
            cell.alignment = Alignment(wrap_text=True, vertical="top")

        writer._styled(cell, ("text", size, bold), plain)
        if width > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        heights.append(max(DEFAULT_HEIGHT, _lines_needed(text, total_width, size) * size * 1.35 + 3))
        ws.row_dimensions[r].height = heights[-1]

    def blank() -> None:
        heights.append(DEFAULT_HEIGHT)
        ws.row_dimensions[len(heights)].height = DEFAULT_HEIGHT

    if summary is not None:
        label, amount, fmt = summary
        r = 1
        ws.cell(row=r, column=1, value=label).font = Font(b=True)
        if amount is not None:
            at = max(width, 2)
            cell = ws.cell(row=r, column=at, value=amount)
            cell.number_format = fmt
            cell.font = Font(b=True)
            if at > 2:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=at - 1)
        heights.append(DEFAULT_HEIGHT + 3)
        ws.row_dimensions[r].height = heights[-1]
        blank()
    position = {c: i for i, c in enumerate(columns, start=1)}
    for block in blocks:
        first = len(heights) + 1
        for values, source_row in zip(block.header, block.header_rows, strict=True):
            put_row(values, source_row, header=True)
        for r1, c1, r2, c2 in look.merges:
            if c1 in position and c2 in position and position[c2] - position[c1] == c2 - c1:
                top = first + block.header_rows.index(r1)
                bottom = first + block.header_rows.index(r2)
                if (top, position[c1]) != (bottom, position[c2]):
                    ws.merge_cells(start_row=top, start_column=position[c1], end_row=bottom, end_column=position[c2])
        for values, source_row in zip(block.rows, block.source_rows, strict=True):
            put_row(values, source_row, header=False)
        for label, lines in block.notes:
            put_text(f"{label}：\n" + "\n".join(lines), NOTE_SIZE)
        spans.append((first, len(heights)))
        if cut:
            blank()
    page = _page(total_width)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = page.orientation
    ws.page_setup.scale = page.scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP
    ws.page_margins.header = ws.page_margins.footer = MARGIN_HEADER
    ws.print_options.horizontalCentered = True
    # the page must hold a block and the cut row after it
    for row in page_rows(heights, [(a, b + (1 if cut else 0)) for a, b in spans], page.height * 0.95):
        ws.row_breaks.append(Break(id=row))
