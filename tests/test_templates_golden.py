"""The kernel, fed each committed template's parameters and inputs, reproduces
the golden results computed independently by ``workbooks/golden_reference.py``.

Each test reads the values behind the template's defined names from the
committed .xlsx and calls the contract functions (``udfs.*``) exactly as the
template's formulas do; Excel built-ins (XLOOKUP, SUMIFS, IF …) are mirrored
with plain Python. Goldens are keyed by result cell (``"人员奖金!I4"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils.cell import range_boundaries

from workbooks import build as wbuild
from workbooks.model import DataSheet
from workbooks.templates import REGISTRY


class Book:
    """Values behind a committed template's defined names."""

    def __init__(self, tid: str) -> None:
        self.t = REGISTRY[tid]()
        self.wb = openpyxl.load_workbook(wbuild.XLSX_DIR / self.t.filename)
        self.gold: dict[str, Any] = json.loads(
            (wbuild.GOLDEN_DIR / f"{tid}.json").read_text(encoding="utf-8"))["values"]

    def __call__(self, name: str) -> list[list[Any]]:
        """The 2-D block of values a defined name refers to."""
        sheet, a1 = self.wb.defined_names[name].attr_text.split("!")
        ws = self.wb[sheet.strip("'")]
        c1, r1, c2, r2 = range_boundaries(a1.replace("$", ""))
        return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def col(self, name: str) -> list[Any]:
        return [r[0] for r in self(name)]

    def scalar(self, name: str) -> Any:
        return self(name)[0][0]

    def cells(self, sheet: str, header: str) -> Iterator[str]:
        s = self.t.data_sheet(sheet)
        assert isinstance(s, DataSheet)
        for i in range(s.nrows):
            yield f"{sheet}!{s.cell(header, i)}"

    def check(self, sheet: str, header: str, values: Any, money: bool = False) -> int:
        """Compare a computed column with the golden cells; returns cells checked."""
        arr = np.asarray(values, dtype=object).reshape(-1)
        keys = list(self.cells(sheet, header))
        assert len(arr) == len(keys), (sheet, header, len(arr), len(keys))
        bad = []
        for k, v in zip(keys, arr, strict=True):
            g = self.gold[k]
            if isinstance(g, str) or g is None:
                ok = (v if v is not None else "") == (g if g is not None else "")
            else:
                ok = isinstance(v, (int, float, np.floating, np.integer)) and abs(float(v) - g) <= (
                    0.004 if money else 1e-9)
            if not ok:
                bad.append((k, v, g))
        assert not bad, f"{len(bad)} cells differ, first: {bad[:5]}"
        return len(keys)


@cache
def book(tid: str) -> Book:
    return Book(tid)


def lookup(keys: list[Any], values: list[Any]) -> dict[Any, Any]:
    return dict(zip(keys, values, strict=True))


def column(x: Any) -> list[list[Any]]:
    return [[v] for v in np.asarray(x, dtype=object).reshape(-1)]


# --------------------------------------------------------------------------- t1
def test_t1_gongxiaoshe() -> None:
    """供销社: WSCORE capped sum, BAND rate by revenue, POINT_BONUS with gates."""
    from udfs.bands import band, point_bonus
    from udfs.scoring import wscore

    b = book("t1-gongxiaoshe")
    score = wscore(b("评分块"), b("项目权重"), b("项目上限"))
    rate = band(b("企业年收入"), b("收入档"))
    b.check("企业评分", "企业得分", score)
    b.check("企业评分", "每分单价（元）", rate)
    ents = b.col("企业名称")
    s_of = lookup(ents, np.asarray(score).reshape(-1).tolist())
    r_of = lookup(ents, np.asarray(rate).reshape(-1).tolist())
    d_of = lookup(ents, b.col("完成任务"))
    first, second = b.col("所在企业"), b.col("兼任企业")
    staff_score = [s_of[f] if not s else (s_of[f] + s_of[s]) / 2 for f, s in zip(first, second, strict=True)]
    staff_rate = [r_of[f] for f in first]
    b.check("人员奖金", "考核得分", staff_score)
    b.check("人员奖金", "收入档单价", staff_rate)
    paid = np.asarray(point_bonus(column(staff_score), column(staff_rate), b("分数门槛")), dtype=object).reshape(-1)
    fallback = np.asarray(point_bonus(column(staff_score), b.scalar("达标单价"), b("分数门槛")),
                          dtype=object).reshape(-1)
    give_fallback = b.scalar("未完成任务发达标奖") == "是"
    bonus = [p if d_of[f] == "是" else (fb if give_fallback else 0)
             for p, fb, f in zip(paid, fallback, first, strict=True)]
    b.check("人员奖金", "年度奖金", bonus, money=True)


def test_t2_wangxiao() -> None:
    """网销: BAND(…, "上含") on the attainment, fines by role."""
    from udfs.bands import band
    from udfs.money import money

    b = book("t2-wangxiao")
    target, invited = np.array(b.col("邀约目标"), float), np.array(b.col("邀约到店"), float)
    y = np.where(target > 0, invited / np.where(target > 0, target, 1), 0)
    b.check("月度绩效", "达成率Y", y)
    rate = np.asarray(band(column(y), b("交付单价档"), 2, "上含"), float).reshape(-1)
    b.check("月度绩效", "交付单价", rate)
    roles = b.col("岗位")
    fines = lookup(b.col("罚款岗位"), b.col("罚款金额"))
    base = np.array([b.scalar("底薪") if r == "电话专员" else 0 for r in roles], float)
    invite = np.asarray(money(column(invited * b.scalar("邀约单价"))), float).reshape(-1)
    deliver = np.asarray(money(column(np.array(b.col("成功交付"), float) * rate)), float).reshape(-1)
    fine = np.asarray(money(column([n * fines[r] for n, r in zip(b.col("违规次数"), roles, strict=True)])),
                      float).reshape(-1)
    b.check("月度绩效", "邀约奖", invite, money=True)
    b.check("月度绩效", "交付奖", deliver, money=True)
    b.check("月度绩效", "罚款", fine, money=True)
    b.check("月度绩效", "应发合计", money(column(base + invite + deliver - fine)), money=True)


def test_every_golden_cell_is_checked() -> None:
    """Sanity: goldens exist for every template and are non-trivial."""
    for tid in REGISTRY:
        gold = json.loads((wbuild.GOLDEN_DIR / f"{tid}.json").read_text(encoding="utf-8"))["values"]
        assert len(gold) >= 30, tid
        assert any(isinstance(v, float) and v > 0 for v in gold.values()), tid

