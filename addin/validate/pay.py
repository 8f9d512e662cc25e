"""The checks of ``jixiao validate`` that decide who is paid, which ``jixiao
refresh`` runs too: a refresh ends in ✓ (exit 0) only when none of them finds
anything, whatever ``--allow-errors`` says.

* **Rows nobody computes** — people typed right below a defined name, an Excel
  table or a fixed range a formula reads (:func:`addin.validate.extents.check_extents`).
* **Required inputs left blank** in a row that holds a person, by the template's
  spec (:func:`addin.validate.inputs.check_required`).
* **Newer functions stored without their prefix** (``RANK.EQ(`` where Excel
  writes ``_xlfn.RANK.EQ(``, ``IFS(``, ``XLOOKUP(`` …): Excel shows ``#NAME?``
  and so does the refresh engine (:func:`addin.refresh.functions.lookup`).
  Reported once per column and function with the rows counted, the prefix to
  add and the repair, ``jixiao fix`` (:mod:`addin.maintain.fix`).

发工资前必查：公式读不到的人员行、必填项空白、缺少 _xlfn. 前缀的新函数（按列汇总）。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from addin.validate.extents import check_extents
from addin.validate.inputs import check_required
from addin.validate.report import Report
from addin.xlsx.a1 import col_letters, to_a1
from addin.xlsx.excel_names import stored_name, unprefixed_calls
from addin.xlsx.formula import digitless
from addin.xlsx.model import Workbook

__all__ = ["cells_text", "check_missing_prefixes", "missing_prefixes", "pay_problems"]

#: cells listed by name in a message before "…"
SHOW = 5


def missing_prefixes(wb: Workbook) -> dict[tuple[str, int, str], list[int]]:
    """(sheet, column, function) → the rows whose formula calls the function
    without its prefix. A shared formula is read once, from its master."""
    found: dict[tuple[str, int, str], list[int]] = {}
    for sheet in wb.sheets:
        # a filled-down column's formulas differ only in their row numbers
        # (and names hold no digits that tell two functions apart): read once
        cache: dict[object, set[str]] = {}
        for (_row, col), formula, rows in sheet.formulas.spans():  # a run read once
            group = formula.group
            text = group.text if group is not None else formula.text
            key = id(group) if group is not None else digitless(text)
            names = cache.get(key)
            if names is None:
                names = cache[key] = unprefixed_calls(text)
            for name in names:
                found.setdefault((sheet.name, col, name), []).extend(rows)
    return found


def cells_text(col: int, rows: list[int]) -> tuple[str, str]:
    """The cells of one column, as a range when they are consecutive, else the
    first few (zh, en)."""
    rows = sorted(rows)
    letters = col_letters(col)
    if len(rows) == 1:
        return f"{letters}{rows[0]}", f"{letters}{rows[0]}"
    if rows[-1] - rows[0] + 1 == len(rows):
        span = f"{letters}{rows[0]}:{letters}{rows[-1]}"
        return f"{span}（{len(rows)} 个单元格）", f"{span} ({len(rows)} cells)"
    shown = ", ".join(f"{letters}{r}" for r in rows[:SHOW])
    more = len(rows) - SHOW
    return (
        shown.replace(", ", "、") + (f" 等 {len(rows)} 个单元格" if more > 0 else ""),
        shown + (f", … ({len(rows)} cells)" if more > 0 else ""),
    )


def check_missing_prefixes(report: Report, wb: Workbook, fix_hint: str = "工作簿.xlsx") -> None:
    """One problem per column and function stored without its ``_xlfn.``
    prefix, with the rows counted and the repair."""
    for (sheet, col, name), rows in sorted(missing_prefixes(wb).items(), key=_order(wb)):
        zh_cells, en_cells = cells_text(col, rows)
        stored = stored_name(name)
        report.add(
            "formula.missing-prefix", sheet, to_a1(min(rows), col),
            f"{sheet}!{zh_cells} 的公式调用 {name}，但没有写成 {stored}（Excel 2007 之后的函数在文件中须带此前缀）："
            f"Excel 打开时显示 #NAME?，刷新也按 #NAME? 计算。修正：运行 jixiao fix {fix_hint} 补上前缀，"
            "或在 Excel 中重新输入这些公式",
            f"{sheet}!{en_cells} call {name} stored without its prefix ({stored}; functions newer than Excel "
            f"2007 must carry it in the file): Excel shows #NAME? and the refresh computes #NAME? too. Fix: run "
            f"jixiao fix {fix_hint} to add the prefix, or re-enter the formulas in Excel",
        )  # fmt: skip


def _order(wb: Workbook) -> Any:
    sheets = {s.name: i for i, s in enumerate(wb.sheets)}

    def key(item: tuple[tuple[str, int, str], list[int]]) -> tuple[int, int, int, str]:
        (sheet, col, name), rows = item
        return sheets.get(sheet, len(sheets)), col, min(rows), name

    return key


def pay_problems(wb: Workbook, spec: dict[str, Any] | None, path: str | Path) -> Report:
    """What stops ``wb`` from paying everyone right, besides error values."""
    report = Report(str(path))
    check_extents(report, wb)
    if spec is not None:
        check_required(report, wb, spec)
    check_missing_prefixes(report, wb, Path(path).name)
    return report

