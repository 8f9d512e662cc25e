"""Write a :class:`~workbooks.model.Template` as an .xlsx package.

openpyxl writes the workbook (write-only mode, so 100,000-row copies stay fast
and memory stays flat); two things openpyxl cannot express are then added to
the package in one pass:

* **Dynamic-array formulas.** openpyxl's ``ArrayFormula`` writes
  ``<f t="array" ref="F4:F40">…</f>``, which Excel reads as a legacy CSE array
  formula (shown in braces, fixed size, not spilling). Excel marks a *dynamic*
  array formula by a ``cm="1"`` attribute on the anchor cell pointing into
  ``xl/metadata.xml``, whose cell-metadata record carries the ``XLDAPR``
  ``dynamicArrayProperties fDynamic="1"`` extension (compare
  ``shared/excel-files/dynamic_array01.xlsx``, saved by Excel). openpyxl 3.1
  neither writes ``cm`` nor the metadata part (and drops both when it loads a
  file), so :func:`_add_dynamic_array_metadata` adds the part, its content
  type and workbook relationship, and ``cm="1"`` on every spill anchor. The
  ``ref`` written is the range the result is expected to fill (all data rows),
  which is what Excel itself stores after calculating.
* **Deterministic bytes.** Core properties get fixed timestamps and every zip
  entry a fixed date, so building twice gives the same file.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.writer.excel import ExcelWriter

from workbooks import styling
from workbooks.model import (
    FIRST_ROW,
    HEADER_ROW,
    Block,
    Col,
    DataSheet,
    FreeSheet,
    Template,
    ref,
)
from workbooks.params_layout import ParamLayout, layout_params

FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
README_SHEET = "说明"
PARAM_SHEET = "参数"

METADATA_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" '
    'copy="1" pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" '
    'clearFormats="1" clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk>'
    '</futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata>'
    "</metadata>"
)
METADATA_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"


_STYLE_CACHE: dict[tuple[int, str, str | None], Any] = {}


def _cell(ws: Any, value: Any, style: str, fmt: str | None = None) -> WriteOnlyCell:
    """A write-only cell with style ``style``. The style is resolved once per
    workbook and copied (openpyxl's ``StyleArray``), so large sheets stay fast."""
    c = WriteOnlyCell(ws, value)
    k = (id(ws.parent), style, fmt)
    cached = _STYLE_CACHE.get(k)
    if cached is None:
        styling.apply(c, style, fmt)
        _STYLE_CACHE[k] = copy.copy(c._style)
    else:
        c._style = copy.copy(cached)
    return c


def _protect(ws: Any) -> None:
    """Sheet protection without a password: locked cells (formulas, layout)
    can't be overwritten, unlocked input cells stay editable; sorting and
    filtering stay allowed."""
    p = ws.protection
    p.sheet = True
    p.sort = False
    p.autoFilter = False
    p.formatColumns = False
    p.formatRows = False


def _print_setup(ws: Any, landscape: bool, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows


# --------------------------------------------------------------------------- 说明
def _readme_rows(t: Template, ws: Any) -> Iterable[list[Any]]:
    yield [_cell(ws, f"{t.title}（模板 {t.id} 版本 {t.version}）", "title")]
    yield [_cell(ws, f"依据：{t.source}。本工作簿由 workbooks/build.py 生成，请勿改动公式列与参数表结构。", "note")]
    for heading, paras in t.readme:
        yield []
        yield [_cell(ws, heading, "h2")]
        for p in paras:
            style = "quote" if p.startswith("「") or p.startswith("原文") else "para"
            yield [_cell(ws, p, style)]
    rows = _rows_paragraphs(t)
    if rows:
        yield []
        yield [_cell(ws, "行数、新增人员与空行", "h2")]
        for p in rows:
            yield [_cell(ws, p, "para")]


def _rows_paragraphs(t: Template) -> list[str]:
    """What the 说明 says about the rows of each sheet an office fills: how far
    the formulas reach, where to add people, what an empty row gives."""
    out = []
    for s in t.sheets:
        if not isinstance(s, DataSheet) or s.empty_key is None:
            continue
        key = next(c.header for c in s.cols if c.name == s.empty_key)
        out.append(
            f"「{s.name}」表：公式与名称覆盖第 {FIRST_ROW}—{s.end_row} 行（样例数据之下预留 {s.spare} 行）。"
            f"新增的人员或事项接着最后一行往下填，即参加计算；行的先后不限。「{key}」为空的行是空行，"
            f"各结果列为空，不参加排名、分布与汇总。第 {s.end_row} 行以下填写的内容不在公式范围内，"
            "jixiao validate 会指出该行，请联系模板维护者扩展。"
        )
    return out


def _text_lines(text: str, width: float) -> int:
    """Lines a wrapped paragraph takes in a column ``width`` characters wide
    (CJK characters count double)."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -(-units // int(width - 4)))


def _write_readme(t: Template, wb: Workbook) -> None:
    ws = wb.create_sheet(README_SHEET)
    width = 120
    ws.column_dimensions["A"].width = width
    _protect(ws)
    _print_setup(ws, False, None)
    for r, row in enumerate(_readme_rows(t, ws), start=1):
        if row and row[0].style_id and isinstance(row[0].value, str):
            lines = _text_lines(row[0].value, width)
            if lines > 1:
                ws.row_dimensions[r].height = 14 * lines + 4
        ws.append(row)


# --------------------------------------------------------------------------- 参数
def _write_params(t: Template, wb: Workbook, lay: ParamLayout) -> None:
    ws = wb.create_sheet(PARAM_SHEET)
    for letter, width in zip("ABCDEFG", (26, 14, 14, 14, 14, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width
    _protect(ws)
    _print_setup(ws, False, None)
    rows: dict[int, list[Any]] = {}
    rows[1] = [_cell(ws, f"参数（{t.title}）", "title")]
    rows[2] = [_cell(ws, "黄色单元格可修改；名称列是公式里引用的名称。改动参数后结果表自动重算。", "note")]
    for r, text in lay.headers.items():
        rows[r] = [_cell(ws, h, "header") if h is not None else None for h in text]
    for r, title in lay.titles.items():
        rows[r] = [_cell(ws, title, "h2")]
    for (r, c), (value, style, fmt) in lay.cells.items():
        row = rows.setdefault(r, [])
        while len(row) < c:
            row.append(None)
        row[c - 1] = _cell(ws, value, style, fmt)
    for s in t.scalars:
        if s.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(s.choices) + '"', allow_blank=False)
            dv.error = "请从下拉列表中选择 / choose from the list"
            dv.showErrorMessage = True
            ws.data_validations.append(dv)
            dv.add(lay.scalar_cells[s.name])
    for r in range(1, max(rows) + 1):
        ws.append(rows.get(r, []))


# --------------------------------------------------------------------------- data sheets
def _validation(col: Col, sqref: str) -> DataValidation | None:
    if col.kind == "choice" and col.choices_ref:
        dv = DataValidation(type="list", formula1="=" + col.choices_ref, allow_blank=not col.required)
    elif col.kind == "choice" and col.choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=not col.required)
    elif col.kind in ("number", "money", "percent", "int"):
        dv = DataValidation(type="whole" if col.kind == "int" else "decimal", operator="greaterThanOrEqual",
                            formula1="0", allow_blank=not col.required)
    elif col.kind == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=not col.required)
    else:
        return None
    dv.error = "输入值不符合此列要求 / value not allowed in this column"
    dv.errorTitle = col.header
    dv.showErrorMessage = True
    dv.add(sqref)
    return dv


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(v: float | int) -> str:
    if isinstance(v, bool):
        raise TypeError("booleans are not sample data")
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return repr(float(v))


def _data_rows_xml(s: DataSheet, style_ids: list[int]) -> Iterator[str]:
    """The data rows of ``s`` as sheet XML, one ``<row>`` at a time.

    Written directly rather than through openpyxl cells: the same XML openpyxl
    would write (inline strings, ``s`` style ids from the workbook's cell
    styles), plus ``cm="1"`` on spill anchors, at a fraction of the cost, so
    100,000-row benchmark copies are quick.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    letters = [get_column_letter(i) for i in range(1, len(s.cols) + 1)]
    inputs = [j for j, c in enumerate(s.cols) if c.is_input]
    last = s.end_row
    r = FIRST_ROW
    spare: Iterable[Sequence[Any]] = ([None] * len(inputs) for _ in range(s.spare))
    for values in itertools.chain(s.iter_rows(), spare):
        cells: list[str | None] = [None] * len(s.cols)
        for j, v in zip(inputs, values, strict=True):
            a = f'{letters[j]}{r}" s="{style_ids[j]}"'
            if v is None:
                cells[j] = f'<c r="{a}/>'
            elif isinstance(v, str):
                cells[j] = f'<c r="{a} t="inlineStr"><is><t>{_xml_text(v)}</t></is></c>'
            elif isinstance(v, dt.date):
                cells[j] = f'<c r="{a}><v>{_number(to_excel(v))}</v></c>'
            else:
                cells[j] = f'<c r="{a}><v>{_number(v)}</v></c>'
        for j, c in enumerate(s.cols):
            if c.is_input:
                continue
            a = f'{letters[j]}{r}" s="{style_ids[j]}"'
            cell = f'<c r="{a}/>'
            if c.is_covered:
                pass
            elif c.spill:
                if r == FIRST_ROW:
                    ref_ = f"{letters[j]}{FIRST_ROW}:{letters[j + c.span - 1]}{last}"
                    cell = f'<c r="{a} cm="1"><f t="array" ref="{ref_}">{_xml_text(str(c.formula))}</f><v></v></c>'
            else:
                cell = f'<c r="{a}><f>{_xml_text(str(c.formula).format(r=r))}</f><v></v></c>'
            cells[j] = cell
        yield f'<row r="{r}">' + "".join(x for x in cells if x) + "</row>"
        r += 1
    if r - FIRST_ROW != s.nrows + s.spare:
        raise ValueError(f"{s.name}: {r - FIRST_ROW - s.spare} rows written, {s.nrows} declared")


def _write_data_sheet(s: DataSheet, wb: Workbook) -> Iterator[str]:
    """Title, note and header rows through openpyxl; returns the generator of
    the data rows' XML, which :func:`to_bytes` splices into the sheet."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(s.name)
    for i, col in enumerate(s.cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = f"A{FIRST_ROW}"
    _protect(ws)
    _print_setup(ws, s.landscape, f"{HEADER_ROW}:{HEADER_ROW}")
    last = s.end_row
    for i, col in enumerate(s.cols, start=1):
        if col.is_input and s.nrows + s.spare:
            letter = get_column_letter(i)
            dv = _validation(col, f"{letter}{FIRST_ROW}:{letter}{last}")
            if dv is not None:
                ws.data_validations.append(dv)
    ws.append([_cell(ws, s.title, "title")])
    ws.append([_cell(ws, s.note, "note")])
    ws.append([_cell(ws, c.header, "header") for c in s.cols])
    style_ids = []
    for c in s.cols:
        kind = "score" if c.fmt == styling.SCORE else c.kind
        style_ids.append(_cell(ws, None, ("in_" if c.is_input else "out_") + kind, c.fmt).style_id)
    return _data_rows_xml(s, style_ids)


def _write_free_sheet(s: FreeSheet, wb: Workbook, anchors: list[str]) -> None:
    from openpyxl.utils.cell import coordinate_from_string, get_column_letter

    ws = wb.create_sheet(s.name)
    b: Block = s.block
    for letter, width in b.widths.items():
        ws.column_dimensions[letter].width = width
    if s.freeze:
        ws.freeze_panes = s.freeze
    _protect(ws)
    _print_setup(ws, False, s.print_rows)
    grid: dict[int, dict[int, Any]] = {}
    from openpyxl.utils import column_index_from_string

    for addr in set(b.values) | set(b.styles):
        col_letter, row_no = coordinate_from_string(addr)
        grid.setdefault(row_no, {})[column_index_from_string(col_letter)] = addr
    for addr, kind in b.kinds.items():
        dv = _validation(Col(addr, kind), addr)  # type: ignore[arg-type]
        if dv is not None:
            ws.data_validations.append(dv)
    for addr, list_formula in b.choices.items():
        dv = DataValidation(type="list", formula1=list_formula, allow_blank=False)
        dv.error = "请从下拉列表中选择 / choose from the list"
        dv.showErrorMessage = True
        dv.add(addr)
        ws.data_validations.append(dv)
    for r in range(1, (max(grid) if grid else 0) + 1):
        cols = grid.get(r, {})
        row: list[Any] = []
        for c in range(1, (max(cols) if cols else 0) + 1):
            found = cols.get(c)
            if found is None:
                row.append(None)
                continue
            addr = found
            value = b.values.get(addr)
            if addr in b.arrays:
                value = ArrayFormula(b.arrays[addr], value)
                anchors.append(addr)
            style = b.styles.get(addr, "label")
            cell = _cell(ws, value, style)
            if addr in b.unlocked:
                from openpyxl.styles import Protection

                cell.protection = Protection(locked=False)
            row.append(cell)
        ws.append(row)
    del get_column_letter


# --------------------------------------------------------------------------- workbook
def _data_anchors(s: DataSheet) -> list[str]:
    """Spill anchors of a data sheet (their ``cm`` is written with the rows)."""
    from openpyxl.utils import get_column_letter

    out = []
    for j, c in enumerate(s.cols, start=1):
        if c.formula and c.spill:
            out.append(f"{get_column_letter(j)}{FIRST_ROW}")
    return out


def build_workbook(t: Template) -> tuple[Workbook, dict[str, list[str]], dict[str, Iterator[str]]]:
    """The openpyxl workbook for ``t`` (without data rows), per sheet its spill
    anchors, and per data sheet the generator of its data rows' XML."""
    wb = Workbook(write_only=True)
    _STYLE_CACHE.clear()
    lay = layout_params(t)
    _write_readme(t, wb)
    _write_params(t, wb, lay)
    anchors: dict[str, list[str]] = {README_SHEET: [], PARAM_SHEET: []}
    rows: dict[str, Iterator[str]] = {}
    for s in t.sheets:
        anchors[s.name] = []
        if isinstance(s, DataSheet):
            rows[s.name] = _write_data_sheet(s, wb)
            anchors[s.name] = _data_anchors(s)
        else:
            _write_free_sheet(s, wb, anchors[s.name])
    for name, target in defined_names(t, lay).items():
        wb.defined_names[name] = DefinedName(name, attr_text=target)
    props = wb.properties
    props.creator = "jixiao workbooks/build.py"
    props.lastModifiedBy = "jixiao"
    props.title = t.title
    props.subject = f"{t.id} {t.version}"
    props.keywords = "jixiao;绩效;奖金"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    wb.custom_doc_props.append(StringProperty(name="jixiao.template", value=t.id))
    wb.custom_doc_props.append(StringProperty(name="jixiao.version", value=t.version))
    return wb, anchors, rows


def defined_names(t: Template, lay: ParamLayout | None = None) -> dict[str, str]:
    """Every defined name of the template and the range it refers to."""
    lay = lay or layout_params(t)
    names = dict(lay.names)
    from openpyxl.utils import get_column_letter

    for s in t.sheets:
        if isinstance(s, FreeSheet):
            for name, a1 in s.block.names.items():
                names[name] = ref(s.name, a1)
            continue
        for i, c in enumerate(s.cols, start=1):
            if c.name:
                letter = get_column_letter(i)
                names[c.name] = ref(s.name, f"{letter}{FIRST_ROW}:{letter}{s.end_row}")
        for name, (h1, h2) in s.blocks.items():
            names[name] = ref(s.name, f"{s.letter(h1)}{FIRST_ROW}:{s.letter(h2)}{s.end_row}")
    return names


def _finish_package(raw: bytes, sheets: list[tuple[list[str], Iterator[str] | None]], out: IO[bytes]) -> None:
    """Rewrite openpyxl's package into ``out``: data rows spliced into their
    sheets, ``cm="1"`` on free-sheet spill anchors, ``xl/metadata.xml``, fixed
    zip timestamps."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    any_anchor = any(a for a, _rows in sheets)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m:
                sheet_anchors, rows = sheets[int(m.group(1)) - 1]
                text = data.decode("utf-8")
                if rows is None:
                    for a in sheet_anchors:
                        text, n = re.subn(f'<c r="{a}"(?=[ >])', f'<c r="{a}" cm="1"', text, count=1)
                        if n != 1:
                            raise ValueError(f"spill anchor {a} not found in {info.filename}")
                    dst.writestr(zi, text.encode("utf-8"))
                    continue
                head, tail = text.split("</sheetData>", 1)
                with dst.open(zi, "w", force_zip64=True) as f:
                    f.write(head.encode("utf-8"))
                    chunk: list[str] = []
                    for row in rows:
                        chunk.append(row)
                        if len(chunk) >= 2000:
                            f.write("".join(chunk).encode("utf-8"))
                            chunk.clear()
                    f.write("".join(chunk).encode("utf-8"))
                    f.write(("</sheetData>" + tail).encode("utf-8"))
                continue
            if info.filename == "[Content_Types].xml" and any_anchor:
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/xl/metadata.xml" ContentType="{METADATA_CT}"/></Types>'.encode(),
                )
            elif info.filename == "xl/_rels/workbook.xml.rels" and any_anchor:
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdMeta1" Type="{METADATA_REL}" Target="metadata.xml"/>'
                    "</Relationships>".encode(),
                )
            dst.writestr(zi, data)
        if any_anchor:
            zi = zipfile.ZipInfo("xl/metadata.xml", ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, METADATA_XML.encode())


def write(t: Template, out: IO[bytes]) -> None:
    """Write the finished .xlsx package of ``t`` to the binary stream ``out``."""
    wb, anchors, rows = build_workbook(t)
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    order = [README_SHEET, PARAM_SHEET] + [s.name for s in t.sheets]
    _finish_package(buf.getvalue(), [(anchors[n], rows.get(n)) for n in order], out)


def to_bytes(t: Template) -> bytes:
    """The finished .xlsx package of ``t``."""
    buf = io.BytesIO()
    write(t, buf)
    return buf.getvalue()


def save(t: Template, path: Path) -> Path:
    """Write ``t`` to ``path`` whole (via a temporary file, then rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        with tmp.open("wb") as f:
            write(t, f)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


__all__ = ["build_workbook", "defined_names", "save", "to_bytes", "write"]
