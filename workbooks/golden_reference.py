"""Expected results of each template's sample data, by a deliberately plain reading.

This module is the *independent* side of the golden tests: it never calls the
kernel (``udfs``) nor reads the templates' parameter tables. Every number of a
scheme is written here as the document states it (SCHEMES.md and seeds/), with
plain loops and :class:`decimal.Decimal` for money, so a wrong band edge, a
wrong rate in a 参数 table or a kernel bug shows up as a difference.

Only the *inputs* (the sample rows) and the cell layout (which cell holds a
result) come from the template description. The choices each template makes
where the document is silent are restated here from the template's 说明 sheet.

``golden(template) -> {"sheet!A1": value}`` for every result cell that matters.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbooks.model import DataSheet, Template

CENT = Decimal("0.01")


def D(x: Any) -> Decimal:
    """A number as Decimal via its shortest repr (what a clerk typed)."""
    if x is None or x == "":
        return Decimal(0)
    return Decimal(repr(float(x))) if not isinstance(x, int) else Decimal(x)


def yuan(x: Decimal) -> float:
    """Round half away from zero to the fen, as a float for JSON."""
    return float(x.quantize(CENT, rounding=ROUND_HALF_UP))


def num(x: Decimal) -> float:
    return float(round(x, 10))


def rows_of(s: DataSheet) -> list[dict[str, Any]]:
    """The sample rows of ``s`` as dicts keyed by input header."""
    heads = [c.header for c in s.cols if c.is_input]
    return [dict(zip(heads, r, strict=True)) for r in s.iter_rows()]


def key(s: DataSheet, header: str, i: int) -> str:
    return f"{s.name}!{s.cell(header, i)}"


# --------------------------------------------------------------------------- t1
def t1_gongxiaoshe(t: Template) -> dict[str, Any]:
    """供销社: score = capped sum (加分 capped at 10, the template's choice);
    rate by revenue (≥40万 40, ≥20万 35, ≥10万 32, else 30); ≥80 score×rate,
    60–<80 score×20, <60 nothing; task not done → nothing."""
    out: dict[str, Any] = {}
    ent = t.data_sheet("企业评分")
    caps = {"资产经营收入": 30, "企业管理": 20, "五大网络建设": 10, "社会稳定和安全生产": 15,
            "年终工作测评": 10, "其他工作": 15, "加分": 10}
    scores: dict[str, Decimal] = {}
    rates: dict[str, Decimal] = {}
    done: dict[str, str] = {}
    for i, r in enumerate(rows_of(ent)):
        total = Decimal(0)
        for item, cap in caps.items():
            v = D(r[item])
            total += v if v < cap else Decimal(cap)
        revenue = D(r["年收入（元）"])
        if revenue >= 400000:
            rate = Decimal(40)
        elif revenue >= 200000:
            rate = Decimal(35)
        elif revenue >= 100000:
            rate = Decimal(32)
        else:
            rate = Decimal(30)
        name = r["企业名称"]
        scores[name], rates[name], done[name] = total, rate, r["完成资产收入任务"]
        out[key(ent, "企业得分", i)] = num(total)
        out[key(ent, "每分单价（元）", i)] = num(rate)
    staff = t.data_sheet("人员奖金")
    for i, r in enumerate(rows_of(staff)):
        first, second = r["所在企业"], r["兼任企业"]
        score = scores[first] if not second else (scores[first] + scores[second]) / 2
        if done[first] != "是":
            bonus = Decimal(0)
        elif score >= 80:
            bonus = score * rates[first]
        elif score >= 60:
            bonus = score * 20
        else:
            bonus = Decimal(0)
        out[key(staff, "考核得分", i)] = num(score)
        out[key(staff, "收入档单价", i)] = num(rates[first])
        out[key(staff, "年度奖金", i)] = yuan(bonus)
    return out


# --------------------------------------------------------------------------- t2
def t2_wangxiao(t: Template) -> dict[str, Any]:
    """网销: Y = 到店/目标; Y≤100% 60, 100%<Y≤110% 70, Y>110% 80 per delivery;
    底薪 1600 and 10 per invitation for 电话专员; fines 1000 / 500 per breach."""
    out: dict[str, Any] = {}
    s = t.data_sheet("月度绩效")
    for i, r in enumerate(rows_of(s)):
        target, invited = D(r["月度邀约目标（组）"]), D(r["邀约到店（组）"])
        y = invited / target if target > 0 else Decimal(0)
        if y <= 1:
            rate = Decimal(60)
        elif y <= Decimal("1.1"):
            rate = Decimal(70)
        else:
            rate = Decimal(80)
        base = Decimal(1600) if r["岗位"] == "电话专员" else Decimal(0)
        invite_pay = invited * 10
        deliver_pay = D(r["成功交付（台）"]) * rate
        fine = D(r["违规次数"]) * (1000 if r["岗位"] == "销售顾问" else 500)
        out[key(s, "达成率Y", i)] = num(y)
        out[key(s, "交付单价", i)] = num(rate)
        out[key(s, "邀约奖", i)] = yuan(invite_pay)
        out[key(s, "交付奖", i)] = yuan(deliver_pay)
        out[key(s, "罚款", i)] = yuan(fine)
        out[key(s, "应发合计", i)] = yuan(base + invite_pay + deliver_pay - fine)
    return out


GOLDEN: dict[str, Callable[[Template], dict[str, Any]]] = {
    "t1-gongxiaoshe": t1_gongxiaoshe,
    "t2-wangxiao": t2_wangxiao,
}


def golden(t: Template) -> dict[str, Any]:
    return GOLDEN[t.id](t)
