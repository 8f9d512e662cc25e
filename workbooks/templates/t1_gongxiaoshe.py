"""t1-gongxiaoshe：供销社企业年度考核奖金 (seeds/000 第一篇, SCHEMES.md §1)."""

from __future__ import annotations

import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import (
    SPARE_ROWS,
    YES_NO,
    chosen,
    explain_sheet,
    person_name,
    xlookup,
)

ID = "t1-gongxiaoshe"
VERSION = "1.0"
ITEMS = ["资产经营收入", "企业管理", "五大网络建设", "社会稳定和安全生产", "年终工作测评", "其他工作", "加分"]
CAPS = [30, 20, 10, 15, 10, 15]
BONUS_CAP = 10
SEED = 20120101

README = [
    ("方案是什么", [
        "县供销社对返聘的企业经营管理人员实行年度目标考核：按百分制给企业打分（六个考核项目加加分部分），"
        "再按企业年收入确定每分奖金单价，考核得分乘以单价即为年度目标考核奖金。",
    ]),
    ("原文条款（《供销社企业指导方案》）", [
        "原文三、考核内容：「1、资产经营收入(30分)。2、企业管理(20分)。……3、五大网络建设(10分)。……4、社会稳定和安全生产(15分)。……"
        "5、年终工作测评(10分)。6、其他工作(15分)。……7、加分部分。包括资产经营收入、清收老欠、招商引资、其他工作等内容。」",
        "原文四、1：「在完成县社下达资产收入任务的前提下，年收入40万元以上(含40万元)按每分40元计发奖金，年收入20-40万元(含20万元)"
        "按每分35元计发奖金，年收入10-20万元(含10万元)按每分32元计发奖金，年收入10万以下按每分30元计发奖金。」",
        "原文四、2：「企业考核得分在80分(含80分)以上考核对象可按以上相应标准计发奖金，得分在60-79分(含60分)考核对象一律按每分20元"
        "计发达标奖金，得分在59分以下，考核对象不得享受年度奖金。」",
        "原文四、3：「在年度目标考核达标以上,考核对象还可享受国家法定假加班工资和增发一个月基本工资奖励。」",
        "原文五、1：「由各考核对象根据考核方案，对照考核评分表、先进行自评，然后由县社考评工作组进行初评，并交县社财会股核实有关财务指标"
        "完成情况，最后汇总报县社主任办公会议审定考核结果。」",
        "原文五、2：「企业负责人兼任企业报账员的随兼任企业考核得分，兼任两个企业报帐员的取其平均得分。」",
    ]),
    ("怎样填写", [
        "1. 「企业评分」表：每个企业一行，填年收入（元）、是否完成县社下达的资产收入任务（是/否）和审定后的各项得分。"
        "企业得分与每分单价由公式算出（灰色列，已锁定）。",
        "2. 「人员奖金」表：每个考核对象一行，填所在企业；兼任第二个企业报账员的，在「兼任企业」填第二个企业，否则留空；"
        "填月基本工资（用于「增发一个月基本工资」）。",
        "3. 「个人明细」表：在 B4 选择工号，逐项查看此人的得分、单价与奖金。",
        "4. 费率、分数档、满分都在「参数」表，改参数即改方案，公式里没有写死的方案数字。",
    ]),
    ("公式", [
        "企业得分 = WSCORE(评分块, 项目权重, 项目上限)：六项按满分封顶后相加，再加封顶后的加分。",
        "每分单价 = BAND(企业年收入, 收入档)：收入档下含（40万元整按40元/分）。",
        "年度奖金 = POINT_BONUS(考核得分, 每分单价, 分数门槛)：80分及以上按单价，60分（含）至80分按达标单价，60分以下为0。",
        "增发一个月基本工资 = IF(考核得分 ≥ 增发分数线（且按参数须完成任务时已完成）, 月基本工资, 0)；奖金合计 = 年度奖金 + 增发。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 59分与60分之间（如59.5分）：原文「59分以下」与「60-79分(含60分)」之间有空档。本模板按「60分（含）以上才发」处理，"
        "59.5分不发；分数档起点在「参数」表的「分数门槛」。",
        "② 79分与80分之间（如79.5分）：按达标单价（每分20元），80分（含）起按收入档单价。",
        "③ 加分部分没有写上限：本模板默认加分最多计10分，参数「项目上限」表最后一格（加分上限）；改成更大的数即等于不封顶。",
        "④ 未完成资产收入任务：原文说收入档单价以完成任务为前提，未说是否仍发达标奖。本模板默认不发任何年度奖金；"
        "把参数「未完成任务发达标奖」改为「是」，则未完成任务者80分以上也只按达标单价（每分20元）计发。",
        "⑤ 兼任两个企业报账员：考核得分取两个企业得分的平均（原文）；收入档单价与是否完成任务取「所在企业」（第一个企业）——原文未写，"
        "如需改为第二个企业，请把第二个企业填在「所在企业」列。",
        "⑥ 会计核算组与食堂管理员由县社另行评定得分和分值标准（原文五、3），不在本模板内。",
        "⑦ 「达标以上」增发一个月基本工资：两种读法——得分达到「达标奖金」档即60分（含）以上（参数「增发分数线」＝60，默认，"
        "原文四、2把60-79分的奖金称为「达标奖金」）；或只有80分（含）以上（改为80）。原文此条未以完成资产收入任务为前提，"
        "参数「增发须完成任务」默认「否」。「国家法定假加班工资」按考勤另计，不在本表内。",
    ]),
]


def _enterprises(n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    revenues_fixed = [400000, 200000, 100000, 399999.99, 99999.99]
    for i in range(n):
        name = f"{'东南西北中'[i % 5]}{'城关新华和平建设胜利红星人民前进'[(i * 2) % 16:(i * 2) % 16 + 2]}{i + 1:02d}号供销公司"
        revenue = revenues_fixed[i] if i < len(revenues_fixed) else round(rng.uniform(50000, 800000), -2)
        done = "否" if i % 9 == 4 else "是"
        quality = [0.95, 0.85, 0.7, 0.55][i % 4] if i < 12 else rng.uniform(0.5, 1.0)
        scores = []
        for cap in CAPS:
            s = min(cap, round(cap * min(1.05, quality + rng.uniform(-0.08, 0.1)) * 2) / 2)
            scores.append(s)
        bonus = rng.choice([0, 0, 0.5, 1, 2, 3, 5, 12])
        rows.append([f"QY{i + 1:03d}", name, revenue, done, *scores, bonus])
    return rows


def _staff(enterprises: list[list[Any]], n: int) -> list[list[Any]]:
    rows = []
    ne = len(enterprises)
    for i in range(n):
        ent = enterprises[i % ne][1]
        role = "企业负责人" if i < ne else "报账员"
        second = enterprises[(i * 7 + 3) % ne][1] if i >= ne and i % 2 == 0 else None
        if second == ent:
            second = None
        rows.append([f"GX{i + 1:04d}", person_name(i), role, ent, second, (2200, 2500, 2800, 3000)[i % 4]])
    return rows


def template(n_staff: int = 36, n_enterprises: int = 30, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    ents = _enterprises(n_enterprises, rng)
    staff = _staff(ents, n_staff)
    score_cols = [Col(h, "number", fmt=styling.SCORE, width=9) for h in ITEMS]
    ent_sheet = DataSheet(
        name="企业评分",
        title="企业考核评分表（审定得分）",
        note="每个企业一行：填年收入、是否完成资产收入任务、县社审定的各项得分。灰色列为公式，请勿改动。",
        cols=[
            Col("企业编号", "text", name="企业编号", width=10),
            Col("企业名称", "text", name="企业名称", width=22),
            Col("年收入（元）", "money", name="企业年收入", width=16),
            Col("完成资产收入任务", "choice", name="完成任务", choices=YES_NO, width=10),
            *score_cols,
            Col("企业得分", "number", name="企业得分", fmt=styling.SCORE, width=10,
                formula="WSCORE(评分块,项目权重,项目上限)"),
            Col("每分单价（元）", "money", name="档位单价", width=12, formula="BAND(企业年收入,收入档)"),
        ],
        rows=ents,
        nrows=len(ents),
        spare=SPARE_ROWS,
        empty_key="企业编号",
        blocks={"评分块": (ITEMS[0], ITEMS[-1])},
    )
    look = lambda key, col: xlookup(key, "企业名称", col)  # noqa: E731
    staff_sheet = DataSheet(
        name="人员奖金",
        title="考核对象年度目标考核奖金",
        note="每个考核对象一行；兼任两个企业报账员的在「兼任企业」填第二个企业（得分取平均）。灰色列为公式。",
        cols=[
            Col("工号", "text", name="工号", width=9),
            Col("姓名", "text", name="姓名", width=9),
            Col("岗位", "choice", name="岗位", choices=("企业负责人", "报账员"), width=11),
            Col("所在企业", "choice", name="所在企业", choices_ref="企业名称", width=22),
            Col("兼任企业", "choice", name="兼任企业", choices_ref="企业名称", required=False, width=22),
            Col("月基本工资", "money", name="月基本工资", width=11),
            Col("考核得分", "number", name="考核得分", fmt=styling.SCORE, width=10,
                formula=f'IF(兼任企业="",{look("所在企业", "企业得分")},'
                        f'({look("所在企业", "企业得分")}+{look("兼任企业", "企业得分")})/2)'),
            Col("完成任务", "text", name="人员完成任务", width=9, formula=look("所在企业", "完成任务")),
            Col("收入档单价", "money", name="人员单价", width=11, formula=look("所在企业", "档位单价")),
            Col("年度奖金", "money", name="年度奖金", width=13,
                formula='IF(人员完成任务="是",POINT_BONUS(考核得分,人员单价,分数门槛),'
                        'IF(未完成任务发达标奖="是",POINT_BONUS(考核得分,达标单价,分数门槛),0))'),
            Col("增发一个月基本工资", "money", name="增发月工资", width=12,
                formula='IF((考核得分>=增发分数线)*((增发须完成任务="否")+(人员完成任务="是")),月基本工资,0)'),
            Col("奖金合计", "money", name="奖金合计", width=13, formula="MONEY(年度奖金+增发月工资)"),
        ],
        rows=staff,
        nrows=len(staff),
        spare=SPARE_ROWS,
        empty_key="工号",
    )
    explain = explain_sheet(
        "个人明细", "个人年度奖金计算明细", "工号", "工号", staff[0][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("所在企业", chosen("所在企业"), "text"),
            ("兼任企业", chosen("兼任企业"), "text"),
            ("所在企业得分", xlookup(chosen("所在企业"), "企业名称", "企业得分"), "score"),
            ("考核得分（兼任取平均）", chosen("考核得分"), "score"),
            ("所在企业年收入", xlookup(chosen("所在企业"), "企业名称", "企业年收入"), "money"),
            ("完成资产收入任务", chosen("人员完成任务"), "text"),
            ("收入档单价（元/分）", chosen("人员单价"), "money"),
            ("分数门槛单价（空=按收入档）", f"BAND({chosen('考核得分')},分数门槛)", "money"),
            ("年度奖金", chosen("年度奖金"), "money"),
            ("增发一个月基本工资", chosen("增发月工资"), "money"),
            ("奖金合计", chosen("奖金合计"), "money"),
        ],
    )
    return Template(
        id=ID,
        version=VERSION,
        title="供销社企业年度考核奖金",
        filename="t1_gongxiaoshe.xlsx",
        source="《供销社企业指导方案》（方案：供销社企业年度考核奖金）",
        readme=README,
        scalars=[
            Scalar("未完成任务发达标奖", "未完成资产收入任务者是否仍按达标单价计发", "否", kind="choice",
                   choices=YES_NO, note="原文未写；默认「否」＝不发"),
            Scalar("增发分数线", "「达标以上」增发一个月基本工资的得分线（含）", 60, fmt=styling.SCORE,
                   note="60＝达标奖金档起点（默认）；80＝按收入档计奖的标准"),
            Scalar("增发须完成任务", "增发一个月基本工资是否也以完成资产收入任务为前提", "否", kind="choice",
                   choices=YES_NO, note="原文四、3未写此前提；默认「否」"),
        ],
        tables=[
            ParamTable("项目上限", "评分项目满分（封顶）", ITEMS, [[*CAPS, BONUS_CAP]], "weights",
                       note="前六项满分合计100；最后一格为加分上限（原文未写，默认10）", total=100, total_span=6),
            ParamTable("项目权重", "评分项目权重（1＝直接相加）", ITEMS, [[1] * len(ITEMS)], "weights"),
            ParamTable("收入档", "年收入档与每分单价（下含：40万元整属40元档）", ["年收入起点（元）", "每分单价（元）"],
                       [[0, 30], [100000, 32], [200000, 35], [400000, 40]], "band",
                       fmts=[styling.MONEY, styling.MONEY], side="lower"),
            ParamTable("分数门槛", "得分门槛（空单价＝按收入档单价）", ["得分起点", "每分单价（元）"],
                       [[0, 0], [60, 20], [80, None]], "band", fmts=[styling.SCORE, styling.MONEY], side="lower",
                       note="60分以下不发；60（含）至80分每分20元；80分（含）以上按收入档",
                       cell_names={(1, 1): "达标单价"}),
        ],
        sheets=[ent_sheet, staff_sheet, explain],
        slip=Slip("人员奖金", key="工号", name="姓名", paid=("奖金合计",)),
    )

