"""Where each parameter of a template sits on the 参数 sheet.

Scalars first (one row each: 参数 | 取值 | 名称 | 说明, the value in column B),
then each table under its own title and header row, starting in column A.
Every value cell is an unlocked input; labels and headers are locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from workbooks import styling
from workbooks.model import Template, ref

PARAM_SHEET = "参数"
SCALAR_HEADER_ROW = 3


@dataclass
class ParamLayout:
    names: dict[str, str] = field(default_factory=dict)  # name -> 'sheet'!$A$1:$B$2
    cells: dict[tuple[int, int], tuple[Any, str, str | None]] = field(default_factory=dict)
    headers: dict[int, list[str | None]] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    scalar_cells: dict[str, str] = field(default_factory=dict)  # name -> "B4"
    table_ranges: dict[str, str] = field(default_factory=dict)  # name -> "A12:C15"
    header_cells: list[tuple[str, str]] = field(default_factory=list)  # (cell, text)


def _value_style(value: Any, fmt: str | None) -> tuple[str, str | None]:
    if isinstance(value, str):
        return "in_text", None
    if fmt == styling.PERCENT:
        return "in_percent", None
    if fmt == styling.MONEY:
        return "in_money", None
    return "in_number", fmt or "General"


def layout_params(t: Template) -> ParamLayout:
    lay = ParamLayout()
    hdr = ["参数", "取值", "名称（公式引用）", "说明"]
    lay.headers[SCALAR_HEADER_ROW] = list(hdr)
    lay.header_cells += [(f"{get_column_letter(i)}{SCALAR_HEADER_ROW}", h) for i, h in enumerate(hdr, 1)]
    r = SCALAR_HEADER_ROW + 1
    for s in t.scalars:
        fmt = s.fmt or {"percent": styling.PERCENT, "money": styling.MONEY, "date": styling.DATE}.get(s.kind)
        style = {"percent": "in_percent", "money": "in_money", "date": "in_date", "text": "in_text",
                 "choice": "in_choice"}.get(s.kind, "in_number")
        lay.cells[(r, 1)] = (s.label, "label", None)
        lay.cells[(r, 2)] = (s.value, style, fmt if s.kind == "number" and s.fmt else None)
        lay.cells[(r, 3)] = (s.name, "out_text", None)
        lay.cells[(r, 4)] = (s.note, "label", None)
        lay.names[s.name] = ref(PARAM_SHEET, f"B{r}")
        lay.scalar_cells[s.name] = f"B{r}"
        r += 1
    for tb in t.tables:
        r += 1
        lay.titles[r] = f"{tb.title}（名称：{tb.name}）" + (f"　{tb.note}" if tb.note else "")
        r += 1
        lay.headers[r] = list(tb.headers)
        lay.header_cells += [(f"{get_column_letter(i)}{r}", h) for i, h in enumerate(tb.headers, 1)]
        r += 1
        first = r
        ncols = len(tb.headers)
        for row in tb.rows:
            for j, v in enumerate(row):
                fmt = tb.fmts[j] if tb.fmts else None
                style, f = _value_style(v, fmt)
                lay.cells[(r, j + 1)] = (v, style, f)
            r += 1
        last = r - 1
        a1 = f"A{first}:{get_column_letter(ncols)}{last}"
        lay.names[tb.name] = ref(PARAM_SHEET, a1)
        lay.table_ranges[tb.name] = a1
        for j, nm in tb.col_names.items():
            col_l = get_column_letter(j + 1)
            lay.names[nm] = ref(PARAM_SHEET, f"{col_l}{first}:{col_l}{last}")
        for (i, j), nm in tb.cell_names.items():
            lay.names[nm] = ref(PARAM_SHEET, f"{get_column_letter(j + 1)}{first + i}")
    return lay
