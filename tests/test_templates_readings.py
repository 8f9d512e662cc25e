"""Each reading a document leaves open, and each edge the committed sample
data does not reach, computed end to end: the template is built with the
other choice on its 参数 sheet (or the edge in its data), refreshed by the
engine, and compared cell by cell with :mod:`workbooks.golden_reference`,
which restates both readings from the documents' words.

Where the issue named a pay error, a test below also states the document's
clause and the result it implies for the person concerned.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_refresh_templates import _differences

from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1
from addin.xlsx.workbook import read_workbook
from workbooks import writer
from workbooks.golden_reference import golden
from workbooks.model import DataSheet, FreeSheet, Scalar, Template
from workbooks.templates import REGISTRY


def _set(name: str, value: Any) -> Callable[[Template], None]:
    def apply(t: Template) -> None:
        s: Scalar = next(s for s in t.scalars if s.name == name)
        assert s.choices is None or value in s.choices, (name, value)
        s.value = value
    return apply


def _edit_rows(sheet: str, edit: Callable[[list[list[Any]]], None]) -> Callable[[Template], None]:
    def apply(t: Template) -> None:
        s = t.data_sheet(sheet)
        rows = [list(r) for r in s.iter_rows()]
        edit(rows)
        s.rows = rows
    return apply


def _both(*steps: Callable[[Template], None]) -> Callable[[Template], None]:
    def apply(t: Template) -> None:
        for step in steps:
            step(t)
    return apply


def _t4_date_outside(rows: list[list[Any]]) -> None:
    """A city that reached only its start target records it before 「2018年5月1日」."""
    r = next(r for r in rows if r[1] is not None and r[2] is None)
    r[1] = dt.date(2018, 4, 28)


def _t4_tie(t: Template) -> None:
    """Two eligible agents tie for 3rd and 4th place (3000 and 2000 元): 2500 each
    shared, 3000 each under 「同奖」."""
    s = t.data_sheet("个人竞赛")
    g = golden(t)
    rows = [list(r) for r in s.iter_rows()]
    places = {g[f"个人竞赛!{s.cell('全省名次', i)}"]: i for i in range(s.nrows)}
    rows[places[4]][3] = rows[places[3]][3]
    s.rows = rows


def _t7_block(values: dict[str, Any]) -> Callable[[Template], None]:
    def apply(t: Template) -> None:
        s = next(s for s in t.sheets if isinstance(s, FreeSheet) and s.name == "部门得分")
        s.block.values.update(values)
    return apply


def _t7_no_production(rows: list[list[Any]]) -> None:
    for r in rows:
        r[-2] = r[-1] = 0


READINGS: dict[str, tuple[str, Callable[[Template], None]]] = {
    "t1-extra-month-at-80": ("t1-gongxiaoshe", _set("增发分数线", 80)),
    "t1-extra-month-needs-task": ("t1-gongxiaoshe", _set("增发须完成任务", "是")),
    "t2-Y=实际邀约": ("t2-wangxiao", _set("Y口径", "实际邀约")),
    "t2-per-group": ("t2-wangxiao", _set("交付计奖单位", "组")),
    "t3-both-groups-lowest": ("t3-hujiao", _set("降级口径", "两组皆最低")),
    "t4-ties-shared": ("t4-baoxian", _t4_tie),
    "t4-ties-each": ("t4-baoxian", _both(_t4_tie, _set("个人奖并列", "同奖"))),
    "t4-date-outside": ("t4-baoxian", _edit_rows("城市业绩", _t4_date_outside)),
    "t5-missing-as-0": ("t5-xiaoshou", _set("缺月记分", "按0分")),
    "t6-invalid-count-effect": ("t6-weixi", _set("无效单计效能", "是")),
    "t7-no-requests": ("t7-weixiu", _t7_block({"B8": 0, "B9": 0})),
    "t7-no-requests-scores-0": ("t7-weixiu", _both(_t7_block({"B8": 0, "B9": 0}), _set("无报修完成率", 0))),
    "t7-no-production": ("t7-weixiu", _edit_rows("设备运行", _t7_no_production)),
    "t7-short-attendance-no-base": ("t7-weixiu", _set("缺勤基本工资", "不发")),
}


def _refreshed(t: Template, tmp_path: Path) -> dict[str, dict[Any, Any]]:
    path = tmp_path / t.filename
    writer.save(t, path)
    return calculate(read_workbook(path)).values


@pytest.mark.parametrize("case", sorted(READINGS))
def test_other_reading_refreshes_to_golden(case: str, tmp_path: Path) -> None:
    """With the other reading (or the edge) in place, the engine's results
    equal the independent reference cell by cell, and they differ from the
    committed golden values somewhere (the choice matters)."""
    tid, apply = READINGS[case]
    t = REGISTRY[tid]()
    default = golden(t)
    t = copy.deepcopy(t)
    apply(t)
    want = golden(t)
    assert want != default, "the reading or edge changes no result: a dead parameter"
    assert _differences(_refreshed(t, tmp_path), want) == []


def _row(t: Template, sheet: str, pred: Callable[[dict[str, Any]], bool]) -> int:
    s: DataSheet = t.data_sheet(sheet)
    heads = [c.header for c in s.cols if c.is_input]
    return next(i for i, r in enumerate(s.iter_rows()) if pred(dict(zip(heads, r, strict=True))))


def test_t2_sales_adviser_gets_no_piece_rates() -> None:
    """「电话专员：底薪1600 绩效：邀约到店10元/组，成功交付60-80元/台」: the rates are
    the 电话专员's; a 销售顾问 row with invitation and delivery figures earns none."""
    t = REGISTRY["t2-wangxiao"]()
    s = t.data_sheet("月度绩效")
    i = _row(t, "月度绩效", lambda r: r["岗位"] == "销售顾问" and r["成功交付（台）"] > 0)
    g = golden(t)
    assert g[f"月度绩效!{s.cell('邀约奖', i)}"] == 0
    assert g[f"月度绩效!{s.cell('交付奖', i)}"] == 0
    assert g[f"月度绩效!{s.cell('应发合计', i)}"] == -g[f"月度绩效!{s.cell('罚款', i)}"]


def test_t3_person_on_leave_is_paid_zero() -> None:
    """A ranked person with a blank month takes no place, gets no prize and no
    cut, and is paid 0 — not #VALUE!."""
    t = REGISTRY["t3-hujiao"]()
    s = t.data_sheet("人员业绩")
    i = _row(t, "人员业绩", lambda r: r["参加排名"] == "是" and r["3月业绩"] is None)
    g = golden(t)
    assert g[f"人员业绩!{s.cell('本月个人奖', i)}"] == ""
    assert g[f"人员业绩!{s.cell('本月提成', i)}"] == 0
    assert g[f"人员业绩!{s.cell('本月奖金合计', i)}"] == 0


def test_t5_july_joiner_is_not_flagged() -> None:
    """「连续三个月考核分低于70分，或者一个月低于60分」 speaks of scores: someone with
    six months at 100 points and no score before July is not flagged."""
    t = REGISTRY["t5-xiaoshou"]()
    s = t.data_sheet("年度考核")
    i = s.nrows - 1
    g = golden(t)
    assert g[f"年度考核!{s.cell('1月', i)}"] == ""
    assert g[f"年度考核!{s.cell('12月', i)}"] == 100
    assert g[f"年度考核!{s.cell('转岗/再培训', i)}"] == ""


def test_t7_no_requests_scores_full_not_div0(tmp_path: Path) -> None:
    """「若本月工单完成率为100%，则本项本月得分为15*1.2=18分」: with no repair
    request nothing was left undone (default reading), so the item scores 18
    and every 浮动奖金 is a number."""
    t = copy.deepcopy(REGISTRY["t7-weixiu"]())
    _t7_block({"B8": 0, "B9": 0})(t)
    g = golden(t)
    assert g["部门得分!B11"] == 18
    values = _refreshed(t, tmp_path)
    s = t.data_sheet("等级评分")
    got = [values["等级评分"].get(from_a1(s.cell("浮动奖金", i))) for i in range(s.nrows)]
    assert all(isinstance(v, float | int) for v in got), got


def test_t8_fines_by_occurrence_in_the_month_of_the_event() -> None:
    """「凡未向主管领导汇报项目进展情况的,每次处罚工程负责人50元」 and 「一发现将处罚500元」:
    a fine is the 事项's amount per occurrence, deducted from the pay of the month
    the event is dated in, and 实发 = 工资总额 − that month's fines."""
    t = REGISTRY["t8-xiaoshoubu"]()
    g = golden(t)
    ev, ms = t.data_sheet("扣款登记"), t.data_sheet("月度评估")
    events = [dict(zip([c.header for c in ev.cols if c.is_input], r, strict=True)) for r in ev.iter_rows()]
    j = next(j for j, e in enumerate(events) if e["事项"] == "未汇报项目进展" and e["次数"] == 2)
    assert g[f"扣款登记!{ev.cell('扣款金额', j)}"] == 100
    e = events[j]
    i = _row(t, "月度评估", lambda r: r["工号"] == e["工号"] and r["月份"] == e["日期"].month)
    month_fines = sum(g[f"扣款登记!{ev.cell('扣款金额', k)}"] for k, x in enumerate(events)
                      if x["工号"] == e["工号"] and x["日期"].month == e["日期"].month)
    assert g[f"月度评估!{ms.cell('当月罚款', i)}"] == month_fines >= 100
    assert g[f"月度评估!{ms.cell('实发工资', i)}"] == pytest.approx(g[f"月度评估!{ms.cell('工资总额', i)}"] - month_fines)


def test_t8_tie_at_the_cut_gets_the_better_grade() -> None:
    """「按照强制比例分布」 with 优秀 10 % of 29 people = 3 places: four people tied
    at the top in March all get 优秀 (the kernel's and the reference's tie rule)."""
    t = REGISTRY["t8-xiaoshoubu"]()
    g = golden(t)
    ms = t.data_sheet("月度评估")
    march = [i for i, r in enumerate(ms.iter_rows()) if r[2] == 3]
    top = [g[f"月度评估!{ms.cell('月度等级', i)}"] for i in march if g[f"月度评估!{ms.cell('月度得分', i)}"] == 96]
    assert top == ["优秀"] * 4
    assert len(march) == 29


def test_t5_elevator_contract_straddling_the_target() -> None:
    """「销售目标为:48台」, 「目标任务内:合同总价的5‰」, 「超目标任务提成:设备总价的1%」 and
    「每台500元奖金」: a contract that takes its seller from below to above 48 units is
    split by units — the part up to 48 at 5‰ of the contract price, the rest at 1 % of
    the equipment price plus 500 per unit, both × 回款率."""
    t = REGISTRY["t5-xiaoshou"]()
    g = golden(t)
    cs = t.data_sheet("电梯合同")
    heads = [c.header for c in cs.cols if c.is_input]
    rows = [dict(zip(heads, r, strict=True)) for r in cs.iter_rows()]
    i = next(i for i in range(cs.nrows)
             if 0 < g[f"电梯合同!{cs.cell('超目标台数', i)}"] < rows[i]["台数"])
    r, over = rows[i], g[f"电梯合同!{cs.cell('超目标台数', i)}"]
    assert g[f"电梯合同!{cs.cell('此前累计台数', i)}"] + r["台数"] - over == 48
    ratio = min(1, r["已回款"] / r["合同总价"])
    assert g[f"电梯合同!{cs.cell('目标内提成', i)}"] == pytest.approx(
        round(r["合同总价"] * (r["台数"] - over) / r["台数"] * 0.005 * ratio, 2))
    assert g[f"电梯合同!{cs.cell('超目标提成', i)}"] == pytest.approx(
        round(r["设备总价"] * over / r["台数"] * 0.01 * ratio, 2))
    assert g[f"电梯合同!{cs.cell('超额奖金', i)}"] == 500 * over


def test_t5_regional_manager_doubled_and_profit_share() -> None:
    """「如连续不上交材料者,视情节轻重给予加倍扣分」: with no 月报 two months running
    the 70 points of the 材料 items are lost twice, so the daily score is 0 (扣完为止);
    「区域分公司利润的20%……其中至少50%是对经理个人的奖励」: a share typed as 40 % pays
    the manager 50 %, and a loss pays nothing."""
    t = REGISTRY["t5-xiaoshou"]()
    g = golden(t)
    ms = t.data_sheet("区域经理考核")
    i = _row(t, "区域经理考核", lambda r: r["连续不上交材料"] == "是")
    assert g[f"区域经理考核!{ms.cell('材料得分', i)}"] == 0
    assert g[f"区域经理考核!{ms.cell('日常工作得分', i)}"] == 0
    ps = t.data_sheet("效益奖励")
    low = _row(t, "效益奖励", lambda r: r["经理所占比例"] < 0.5)
    assert g[f"效益奖励!{ps.cell('经理实得比例', low)}"] == 0.5
    loss = _row(t, "效益奖励", lambda r: r["利润（元）"] < 0)
    assert g[f"效益奖励!{ps.cell('奖励总额', loss)}"] == 0


def test_t7_director_at_90_is_rewarded() -> None:
    """「每季度百分制考核评比一次,考评分数在90分奖励500元」 read as 90 and above: 90
    earns 500, 89.5 nothing, a quarter not appraised nothing; 「无重大消防和安全事故……
    奖励各车间设备主任1000元」 adds 1000 for a year without accident."""
    t = REGISTRY["t7-weixiu"]()
    g = golden(t)
    ds = t.data_sheet("设备主任奖励")
    assert [g[f"设备主任奖励!{ds.cell(f'{q}季度奖励', 0)}"] for q in "一二三四"] == [500, 0, 500, 0]
    assert g[f"设备主任奖励!{ds.cell('全年奖励合计', 0)}"] == 2000
