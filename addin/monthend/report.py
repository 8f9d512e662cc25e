"""The xlsx report of ``jixiao diff --out``: one sheet per compared sheet,
changed cells highlighted, a totals row, frozen headers, money formatted.

This is a new workbook written by openpyxl (no cached values are at stake:
every cell is a constant).

比较报告：每个比较的工作表一页，差异高亮，合计行，冻结表头，金额格式。
"""

from __future__ import annotations

from pathlib import Path

from addin.monthend.diff import SheetDiff, WorkbookDiff

__all__ = ["write_report"]

MONEY = "#,##0.00;[Red]-#,##0.00"
_BAD = '[]:*?/\\'


def _title(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in _BAD else ch for ch in name)[:28] or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        title, n = f"{base[:25]}~{n}", n + 1
    used.add(title.casefold())
    return title


def write_report(result: WorkbookDiff, out: Path) -> None:
    """Write ``result`` to ``out`` (atomically: a half-written report never
    replaces an older one)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from addin.xlsx.writer import write_atomically

    wb = Workbook()
    summary = wb.active
    summary.title = "概要 Summary"
    summary.append(["旧文件 Old", Path(result.old).name])
    summary.append(["新文件 New", Path(result.new).name])
    summary.append(["工作表 Sheet", "变化 Changed", "新增 Added", "删除 Removed", "单元格 Cells"])
    for s in result.sheets:
        summary.append([s.sheet, len(s.changed), len(s.added), len(s.removed), len(s.cells)])
    for note in result.notes:
        summary.append([note])
    bold = Font(bold=True)
    fills = {
        "变化": PatternFill("solid", fgColor="FFF2CC"),
        "新增": PatternFill("solid", fgColor="E2EFDA"),
        "删除": PatternFill("solid", fgColor="FCE4D6"),
    }
    for cell in summary[3]:
        cell.font = bold
    used = {summary.title.casefold()}
    for s in result.sheets:
        if s.different:
            _sheet(wb.create_sheet(_title(s.sheet, used)), s, bold, fills)
    write_atomically(out, wb.save)


def _sheet(ws: object, s: SheetDiff, bold: object, fills: dict[str, object]) -> None:
    """One compared sheet's page. Rows are counted here, not asked of openpyxl:
    ``ws.max_row`` walks every cell written so far, which made a report of
    20,000 changed people quadratic (117 s)."""
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    if s.mode == "cells":
        ws.append(["单元格 Cell", "旧值 Old", "新值 New", "差额 Diff"])
        for r, c in enumerate(s.cells, start=2):
            ws.append([c.column, c.old, c.new, c.difference])
            for j in (2, 3, 4):
                ws.cell(r, j).number_format = MONEY
            ws.cell(r, 4).fill = fills["变化"]
        width = 4
    else:
        head = ["类型 Kind", s.key or "", s.label or ""]
        for col in s.columns:
            head += [f"{col} 旧", f"{col} 新", f"{col} 差额"]
        ws.append(head)
        width = len(head)
        r = 1
        for tag, people in (("变化", s.changed), ("新增", s.added), ("删除", s.removed)):
            for p in people:
                by_col = {c.column: c for c in p.changes}
                row: list[object] = [tag, p.key, p.label]
                for col in s.columns:
                    got = by_col.get(col)
                    row += [got.old, got.new, got.difference] if got else [None, None, None]
                ws.append(row)
                r += 1
                ws.cell(r, 1).fill = fills[tag]
                for i, col in enumerate(s.columns):
                    if col in by_col:
                        for j in range(3):
                            ws.cell(r, 4 + 3 * i + j).fill = fills[tag]
                for j in range(4, width + 1):
                    ws.cell(r, j).number_format = MONEY
        total: list[object] = ["合计 Total", "", ""]
        for col in s.columns:
            total += list(s.totals.get(col, (None, None, None)))
        ws.append(total)
        r += 1
        for j in range(1, width + 1):
            ws.cell(r, j).font = bold
            if j >= 4:
                ws.cell(r, j).number_format = MONEY
        if s.errors:  # error values are not in the totals: count them under it
            counts: list[object] = ["错误值（不计入合计）Errors", "", ""]
            for col in s.columns:
                e_old, e_new = s.errors.get(col, ([], []))
                counts += [len(e_old) or None, len(e_new) or None, None]
            ws.append(counts)
            r += 1
            for j in range(4, width + 1):
                ws.cell(r, j).number_format = MONEY
    for j in range(1, width + 1):
        ws.cell(1, j).font = bold
    ws.freeze_panes = "B2" if s.mode == "cells" else "D2"
    for j in range(1, width + 1):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = 14
