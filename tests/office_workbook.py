"""A small office workbook of our own making (not one of the templates), as a
maintainer would have built it by hand: a band table on 参数, people on 人员
with a filled-down TIERED column, a spilled list on 汇总. Used by the spec,
cases and lint tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

PEOPLE = [("WX001", "张三", "营业员", 8), ("WX002", "李四", "营业员", 3), ("WX003", "王五", "经理", 5),
          ("WX004", "赵六", "营业员", 0), ("WX005", "钱七", "经理", 12)]  # fmt: skip


def _name(wb: openpyxl.Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def build_office_workbook(path: Path) -> Path:
    """Write the workbook to ``path`` (unrefreshed: formulas without values)."""
    wb = openpyxl.Workbook()
    p = wb.active
    p.title = "参数"
    p.append(["户数起点", "每户奖励（元）"])
    p.append([0, 20])
    p.append([5, 40])
    p["D1"], p["D2"] = "岗位", "营业员"
    p["D3"] = "经理"
    _name(wb, "奖励档", "'参数'!$A$2:$B$3")
    _name(wb, "岗位表", "'参数'!$D$2:$D$3")
    s = wb.create_sheet("人员")
    s.append(["工号", "姓名", "岗位", "户数", "奖励"])
    for i, (wid, name, post, n) in enumerate(PEOPLE, start=2):
        s.append([wid, name, post, n, f'=TIERED(D{i},奖励档,"超额")'])
    dv = DataValidation(type="list", formula1="岗位表")
    dv.add("C2:C6")
    s.add_data_validation(dv)
    for col, name in zip("ABCDE", ["工号", "姓名", "岗位", "户数", "奖励"], strict=True):
        _name(wb, name, f"'人员'!${col}$2:${col}$6")
    t = wb.create_sheet("汇总")
    t["A1"], t["B1"] = "工号", "合计"
    t["A2"] = ArrayFormula("A2:A6", "=工号")
    t["B2"] = "=SUM(奖励)"
    wb.save(path)
    return path
