"""t4-baoxian：保险产品竞赛奖励 (seeds/002 篇4, SCHEMES.md §4)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, FreeSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import (
    SPARE_ROWS,
    chosen,
    explain_sheet,
    person_name,
    summary_block,
    xlookup,
)

ID = "t4-baoxian"
VERSION = "1.0"
SEED = 2018
CITIES = [("南昌", 18, 23), ("景德镇", 9, 13), ("萍乡", 9, 13), ("九江", 15, 20), ("新余", 9, 13),
          ("鹰潭", 9, 13), ("赣州", 18, 23), ("宜春", 18, 23), ("吉安", 15, 20), ("上饶", 15, 20),
          ("抚州", 15, 19)]
# sample outcome per city: (total premium, start reached, budget reached, national rank)
OUTCOME: dict[str, tuple[int, dt.date | None, dt.date | None, int | None]] = {
    "南昌": (245300, dt.date(2018, 7, 2), dt.date(2018, 8, 20), 4),
    "景德镇": (100000, dt.date(2018, 10, 1), None, 31),
    "萍乡": (71200, None, None, None),
    "九江": (168900, dt.date(2018, 7, 30), None, 15),
    "新余": (55800, None, None, None),
    "鹰潭": (82400, None, None, None),
    "赣州": (236700, dt.date(2018, 7, 25), dt.date(2018, 9, 5), 8),
    "宜春": (201500, dt.date(2018, 8, 10), None, 12),
    "吉安": (152300, dt.date(2018, 9, 20), None, 20),
    "上饶": (139900, None, None, 24),
    "抚州": (171000, dt.date(2018, 8, 28), None, 17),
}
AGENTS_PER_CITY = 6
TITLES = ("销管部经理", "相关工作人员")

README = [
    ("方案是什么", [
        "人保财险江西省分公司「保游无忧、同行天下」营销推动活动（2018年5月1日—10月31日）：两款产品（保游天下 LAY、代步工具 LAI）"
        "通过手机营销系统APP出单。总公司按保费对地市分公司全国排名奖励；省公司拿出8万元设任务达成速度奖（市分公司）和个人保费规模贡献奖。",
    ]),
    ("原文条款（《“保游无忧，同行天下”营销推动活动方案》，原文为繁体，此处转为简体）", [
        "原文五（一）：「竞赛期间内，在手机营销系统APP内出单的以上两款框架产品，总部统一配置35%手续费比例。」",
        "原文五（二）1：「对两款产品保费规模达到10万元以上的地市级分公司进行排名，对于全国排名前10位的地市级分公司给予8000元业务推动费用支持。」",
        "原文五（二）2：「省公司拿出8万元用于表彰此次营销推动活动中实施效果良好的市分公司和业绩突出的个人」。",
        "原文(1)任务达成速度奖：「达成预算目标任务的市分公司，按照任务保费目标完成先后顺序前三名入围该奖项，入围数量小于三家的情况下，"
        "以达成起始目标任务的市公司补齐入围数量，前三名分别奖励10000元、8000元、6000元。」",
        "原文(2)个人保费规模贡献奖：「业务员所在市公司完成起始任务目标且个人签单保费一万元(含)以上获得资格参与竞赛排名，满足上述条件后，"
        "按个人实际签单保费排名，对全省排前35名的业务人员进行奖励，第一名奖励5000元，第二名奖励4000元，第三名奖励3000元，"
        "第4-15名每人奖励2000元，第16-35名每人奖励1000元。」",
        "原文(3)：「奖励对象为市分公司销管部经理及销管部相关工作人员。奖励系数如下：销管部经理系数为1，销管部相关工作人员0.5。」",
        "原文附表一（单位：万元）：南昌 18/23，景德镇 9/13，萍乡 9/13，九江 15/20，新余 9/13，鹰潭 9/13，赣州 18/23，宜春 18/23，"
        "吉安 15/20，上饶 15/20，抚州 15/19（起始目标/预算目标），起始目标合计150。",
    ]),
    ("怎样填写", [
        "1. 「个人竞赛」表：每位业务员一行，填所在市和活动期内两款产品APP签单保费（元）。市公司保费由此汇总。",
        "2. 「城市业绩」表：11个市各一行，填达成起始目标、达成预算目标的日期（未达成留空）和总公司通报的全国排名（无则留空）。",
        "3. 「速度奖分配」表：每位销管部经理、相关工作人员一行，填所在市、姓名、职务；每市人数不限，行的先后不限（不必按市排在一起），"
        "新人员接着最后一行往下填即可（表下预留空行，公式已覆盖）。分得奖金由一个 ALLOCATE 公式按所在市分组、按系数分到分。",
        "4. 「汇总」表核对省公司两项奖励合计不超过8万元；「个人明细」表选工号查看个人计算。",
    ]),
    ("公式", [
        "市保费 = SUMIFS(个人保费, 个人城市, 城市)；达成起始/预算 = 市保费 ≥ 目标（万元）× 万元。",
        "速度奖 = RANK_PRIZE(速度键, 速度奖表, 参加速度奖, 速度奖排序)：速度键两列——是否达成预算（1先0后）、达成日期（早者先），"
        "即先排达成预算的市（按预算达成日），不足三家由只达成起始目标的市按起始达成日补齐；"
        "参加速度奖 = 达成起始目标且填了排序所用的达成日期。",
        "个人奖 = RANK_PRIZE(个人保费, 个人奖表, 参赛资格)：并列者均分所占名次的奖金（到分），合计不超过 56000 元。",
        "分得奖金 = ALLOCATE(所在市速度奖, 系数, , 所在市)：第4个参数「所在市」使每个市只分本市的速度奖，按本市各人系数（1 : 0.5 : 0.5 …）"
        "以最大余数法分到分，合计恰等于该市奖金；未得速度奖的市各人分得 0。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 是否达成目标以活动保费（个人签单保费汇总）判断，日期列只用于排先后；两者不一致时以保费为准，请核对日期。",
        "② 全国排名由总公司通报，本模板不计算，只按「保费≥10万元且全国排名≤10」给8000元（参数：全国门槛、全国奖名额、全国奖额）。",
        "③ 个人并列：原文只列名次与奖额。两种读法：并列者合计所占名次的奖金后平分到分（参数「个人奖并列」＝均分，默认，"
        "省公司奖金总额不超出预算）；或并列者每人都得较好名次的奖金（＝同奖，总额可能超出，见「汇总」表奖池结余）。",
        "④ 35%手续费按个人签单保费计算（原文由总部系统配置，本表仅供核对），参数「手续费率」。",
        "⑤ 每市分配人数：原文只给系数（经理1、相关工作人员0.5），未限人数。本模板每市人数不限（1人、3人、5人……），"
        "一个公式按「所在市」分组分配；「速度奖分配」表中没有人员的市，其速度奖无人分得（请在「汇总」表核对）。",
        "⑥ 活动时间「2018年5月1日- 2018年10月31日」（参数「活动开始」「活动结束」）：达成起始目标的市，其用于排速度奖的达成日期"
        "须在活动期内；「日期核对」列标出日期在活动期外的市，请核对（保费以活动期内签单汇总，模板不据此改动名次）。",
        "⑦ 未填达成日期：原文「按照任务保费目标完成先后顺序」——没有完成日期就无从排先后。保费已达目标、但排序所用的日期"
        "（达成预算的市用预算达成日期，只达成起始目标的市用起始达成日期）未填的市，不参加速度奖排名、不得速度奖"
        "（不会被当作最早达成而排第一），「日期核对」列写明「未填达成日期：不参加速度奖」；补填日期后自动参加。",
    ]),
]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    amounts = [int(total * w / sum(weights) / 10) * 10 for w in weights]
    amounts[0] += total - sum(amounts)
    return amounts


def _agents(rng: random.Random, per_city: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    n = 0
    for city, _s, _b in CITIES:
        total = OUTCOME[city][0] * per_city // AGENTS_PER_CITY // 10 * 10
        for amount in _split(total, per_city, rng):
            rows.append([f"BX{n + 1:03d}", person_name(500 + n), city, amount])
            n += 1
    # the 1万(含) gate: one agent exactly at it, one just below, in an eligible city
    rows[7][3], rows[8][3] = rows[7][3] + rows[8][3] - 10000, 10000
    rows[9][3], rows[10][3] = rows[9][3] + rows[10][3] - 9990, 9990
    return rows


def template(n_agents: int = AGENTS_PER_CITY * len(CITIES), seed: int = SEED) -> Template:
    """The template; ``n_agents`` scales the agents for benchmarks (premiums scale along)."""
    rng = random.Random(seed)
    agents = _agents(rng, max(AGENTS_PER_CITY, n_agents // len(CITIES)))
    cities = DataSheet(
        name="城市业绩",
        title="市分公司活动保费、目标达成与速度奖",
        note="每市一行：填达成目标的日期（未达成留空）与总公司通报的全国排名。保费由「个人竞赛」表汇总。",
        cols=[
            Col("城市", "choice", name="城市", choices_ref="城市名", width=8),
            Col("达成起始目标日期", "date", name="起始日期", required=False, width=12),
            Col("达成预算目标日期", "date", name="预算日期", required=False, width=12),
            Col("全国排名", "int", name="全国排名", required=False, width=8),
            Col("活动保费（元）", "money", name="市保费", width=14, formula="SUMIFS(个人保费,个人城市,城市)"),
            Col("起始目标（元）", "money", name="起始目标元", width=13,
                formula=f"{xlookup('城市', '城市名', '起始目标万元')}*万元"),
            Col("预算目标（元）", "money", name="预算目标元", width=13,
                formula=f"{xlookup('城市', '城市名', '预算目标万元')}*万元"),
            Col("达成起始", "text", name="达成起始", width=8, formula='IF(市保费>=起始目标元,"是","否")'),
            Col("达成预算", "text", name="达成预算", width=8, formula='IF(市保费>=预算目标元,"是","否")'),
            Col("速度键：达成预算", "int", name="速度键预算", width=9, formula='IF(达成预算="是",1,0)'),
            Col("速度键：达成日期", "date", name="速度键日期", width=12,
                formula='IF(达成预算="是",IF(预算日期="","",预算日期),IF(起始日期="","",起始日期))'),
            Col("日期核对", "text", name="日期核对", width=16,
                formula='IF(达成起始="是",IF(速度键日期="","未填达成日期：不参加速度奖",'
                        'IF((速度键日期>=活动开始)*(速度键日期<=活动结束),"期内","日期不在活动期内")),"")'),
            Col("参加速度奖", "text", name="参加速度奖", width=8,
                formula='IF((达成起始="是")*(速度键日期<>""),"是","否")'),
            Col("速度奖名次", "int", name="速度奖名次", width=8, formula="RANKX(速度键,速度奖排序,,,参加速度奖)"),
            Col("速度奖", "money", name="速度奖", width=11, formula="RANK_PRIZE(速度键,速度奖表,参加速度奖,速度奖排序)"),
            Col("全国奖", "money", name="全国奖", width=11,
                formula="IF((市保费>=全国门槛)*(全国排名>0)*(全国排名<=全国奖名额),全国奖额,0)"),
        ],
        rows=[[c, OUTCOME[c][1], OUTCOME[c][2], OUTCOME[c][3]] for c, _s, _b in CITIES],
        nrows=len(CITIES),
        blocks={"速度键": ("速度键：达成预算", "速度键：达成日期")},
    )
    staff_rows = []
    for i, (city, _s, _b) in enumerate(CITIES):
        staff_rows.append([city, person_name(700 + 3 * i), "销管部经理"])
        staff_rows.append([city, person_name(701 + 3 * i), "相关工作人员"])
        staff_rows.append([city, person_name(702 + 3 * i), "相关工作人员"])
    city_prize = xlookup("分配城市", "城市", 'IF(速度奖="",0,速度奖)')  # a city without the prize: 0 to split
    alloc = DataSheet(
        name="速度奖分配",
        title="任务达成速度奖的分配（销管部经理1，相关工作人员0.5）",
        note="每人一行：所在市、姓名、职务（每市人数不限，行的先后不限）；分得奖金由一个 ALLOCATE 公式按所在市分组分配。",
        cols=[
            Col("城市", "choice", name="分配城市", choices_ref="城市名", width=8),
            Col("姓名", "text", name="分配姓名", width=10),
            Col("职务", "choice", name="分配职务", choices=TITLES, width=12),
            Col("系数", "number", name="分配系数列", width=8, formula=xlookup("分配职务", "职务名", "分配系数")),
            Col("分得奖金", "money", name="分得奖金", width=12,
                formula=f"ALLOCATE({city_prize},分配系数列,,分配城市)"),
        ],
        rows=staff_rows,
        nrows=len(staff_rows),
        spare=SPARE_ROWS,
        empty_key="分配姓名",
    )
    people = DataSheet(
        name="个人竞赛",
        title="个人保费规模贡献奖与手续费",
        note="每位业务员一行：所在市、两款产品APP签单保费（元）。灰色列为公式。",
        cols=[
            Col("工号", "text", name="工号", width=8),
            Col("姓名", "text", name="姓名", width=9),
            Col("城市", "choice", name="个人城市", choices_ref="城市名", width=8),
            Col("签单保费（元）", "money", name="个人保费", width=14),
            Col("所在市达成起始", "text", name="所在市达成起始", width=9, formula=xlookup("个人城市", "城市", "达成起始")),
            Col("参赛资格", "text", name="参赛资格", width=8,
                formula='IF((所在市达成起始="是")*(个人保费>=个人门槛),"是","否")'),
            Col("全省名次", "int", name="全省名次", width=8, formula="RANKX(个人保费,0,,,参赛资格)"),
            Col("个人奖", "money", name="个人奖", width=11, formula="RANK_PRIZE(个人保费,个人奖表,参赛资格,,个人奖并列)"),
            Col("手续费", "money", name="手续费", width=12, formula="MONEY(个人保费*手续费率)"),
        ],
        rows=agents,
        nrows=len(agents),
        spare=SPARE_ROWS,
        empty_key="工号",
    )
    b = summary_block("奖励汇总与核对", "省公司两项奖励合计不应超过省公司奖池（8万元）。", ["项目", "金额"],
                      {"A": 30, "B": 16, "C": 40})
    lines = [("任务达成速度奖合计", "SUM(速度奖)", "速度奖合计"), ("个人保费规模贡献奖合计", "SUM(个人奖)", "个人奖合计"),
             ("省公司奖励合计", "速度奖合计+个人奖合计", "省奖励合计"), ("省公司奖池", "省奖池", None),
             ("奖池结余（负数＝超支）", "省奖池-省奖励合计", "奖池结余"), ("总公司全国排名奖合计", "SUM(全国奖)", None),
             ("手续费合计", "SUM(手续费)", None),
             ("速度奖已分到个人合计", "SUM(分得奖金)", "速度奖已分配"),
             ("速度奖未分到个人（「速度奖分配」表中无人员的市，应为0）", "速度奖合计-速度奖已分配", None)]
    for i, (label, f, nm) in enumerate(lines):
        r = 4 + i
        b.values[f"A{r}"], b.styles[f"A{r}"] = label, "label"
        b.values[f"B{r}"], b.styles[f"B{r}"] = "=" + f, "res_money"
        if nm:
            b.names[nm] = f"B{r}"
    summary = FreeSheet("汇总", b, kind="result")
    explain = explain_sheet(
        "个人明细", "业务员个人奖计算明细", "工号", "工号", agents[0][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("所在市", chosen("个人城市"), "text"),
            ("签单保费（元）", chosen("个人保费"), "money"),
            ("所在市达成起始目标", chosen("所在市达成起始"), "text"),
            ("个人门槛（元，含）", "个人门槛", "money"),
            ("参赛资格", chosen("参赛资格"), "text"),
            ("全省名次", chosen("全省名次"), "int"),
            ("个人奖", chosen("个人奖"), "money"),
            ("手续费", chosen("手续费"), "money"),
        ],
    )
    return Template(
        id=ID, version=VERSION, title="保险产品竞赛奖励（保游无忧、同行天下）", filename="t4_baoxian.xlsx",
        source="《“保游无忧，同行天下”营销推动活动方案》（方案：保险产品竞赛奖励）", readme=README,
        scalars=[
            Scalar("万元", "单位换算：1万元（元）", 10000, kind="money"),
            Scalar("全国门槛", "参加全国排名的保费门槛（元，含）", 100000, kind="money"),
            Scalar("全国奖名额", "全国排名前几名获奖", 10, kind="int"),
            Scalar("全国奖额", "全国排名奖（元/市）", 8000, kind="money"),
            Scalar("个人门槛", "个人签单保费门槛（元，含）", 10000, kind="money"),
            Scalar("手续费率", "APP出单手续费比例", 0.35, kind="percent"),
            Scalar("省奖池", "省公司奖励总额（元）", 80000, kind="money"),
            Scalar("活动开始", "活动开始日期", dt.date(2018, 5, 1), kind="date"),
            Scalar("活动结束", "活动结束日期", dt.date(2018, 10, 31), kind="date"),
            Scalar("个人奖并列", "个人奖并列时", "均分", kind="choice", choices=("均分", "同奖"),
                   note="均分＝并列者平分所占名次奖金（默认）；同奖＝每人得较好名次的奖金"),
        ],
        tables=[
            ParamTable("城市目标", "附表一 任务分解（万元）", ["公司", "起始目标（万元）", "预算目标（万元）"],
                       [[c, s, bb] for c, s, bb in CITIES], "lookup",
                       col_names={0: "城市名", 1: "起始目标万元", 2: "预算目标万元"}),
            ParamTable("速度奖表", "任务达成速度奖（元/市）", ["名次从", "名次到", "奖金（元）"],
                       [[1, 1, 10000], [2, 2, 8000], [3, 3, 6000]], "prize",
                       fmts=[styling.INT, styling.INT, styling.MONEY]),
            ParamTable("速度奖排序", "速度奖排序方向（0＝大者先，1＝小者先）", ["达成预算（1先）", "达成日期（早者先）"],
                       [[0, 1]], "lookup"),
            ParamTable("个人奖表", "个人保费规模贡献奖（元/人）", ["名次从", "名次到", "奖金（元）"],
                       [[1, 1, 5000], [2, 2, 4000], [3, 3, 3000], [4, 15, 2000], [16, 35, 1000]], "prize",
                       fmts=[styling.INT, styling.INT, styling.MONEY]),
            ParamTable("分配系数表", "速度奖分配系数", ["职务", "系数"], [["销管部经理", 1], ["相关工作人员", 0.5]],
                       "lookup", col_names={0: "职务名", 1: "分配系数"}),
        ],
        sheets=[people, cities, alloc, summary, explain],
        slip=Slip("个人竞赛", key="工号", name="姓名", paid=("个人奖", "手续费")),
    )
