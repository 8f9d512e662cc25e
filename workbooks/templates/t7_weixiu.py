"""t7-weixiu：维修部等级奖金与设备浮动奖金 (seeds/004, SCHEMES.md §7)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, FreeSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import (
    SPARE_ROWS,
    YES_NO,
    chosen,
    deductions_ledger,
    deductions_table,
    explain_sheet,
    person_name,
    summary_block,
    xlookup,
)

ID = "t7-weixiu"
VERSION = "1.0"
SEED = 7
ITEMS = ["工作态度", "维修技能", "服从情况", "部门协作"]
GROUPS = ("一组", "二组", "三组", "四组")
LEVELS = ("一级", "二级", "三级", "四级", "五级", "六级", "七级")
DIRECTORS = ("前处理设备主任", "后处理设备主任", "印花设备主任", "锅炉主任", "电气主任")
LATE = "事项未按时按质完成（乐捐）"
FAKE = "弄虚造假"
LINES = [("涂装一线", 12, 600), ("涂装二线", 20, 600), ("涂装三线", 8, 600), ("喷涂线", 30, 600),
         ("烘干线", 22, 600), ("包装线", 16, 600)]

README = [
    ("方案是什么", [
        "两份相关文件合为一个工作簿：①维修部激励方案——四项按十分制打分、加权后分优良中差四等，组长与组员按等级发月度奖金；"
        "②设备科考核方案——个人月浮动奖金由本部门（设备科）考核分和本人考核分按30%/70%计发，部门考核分含设备利用率、维修工单完成率等。",
    ]),
    ("原文条款（《维修部激励方案》《涂装生产部设备科考核方案（草案）》）", [
        "维修部激励方案：「工作态度占20%的比例维修技能占40% 服从情况占30% 部门协作占10%」；「施行10分制，分值分为优良中差。9分及以上为优，"
        "7分及以上为良，5分及以上为中，4分及以下为差。奖金为：组长优500元良300元中200元差无奖励 组员优300元良200元中100元差无奖励」。",
        "设备科考核方案：「个人月浮动奖金=个人核定月浮动奖金*30%*本部分考核分数+个人核定月浮动奖金*70%*本人本月考核分数」。",
        "「①设备利用率(本项目满分为40分，权重40%) 按实际比例计算，计算方法：[1-(各线累计设备原因停机时间/各线总计本月生产时间)*100%]*40分」；"
        "「备注：设立一个激励值：即若本月的设备利用率为99%(含)，则本月此项得分为满分的1.2倍(40*12=48分)。小于此数值的全部按比例计算。」",
        "「②设备维修工单完成率(本项目满分为15分，权重15%) 计算方法：月度完成率=(本月报修后完成数量/本月总报修数量)*100%*20分同设备利用率一样"
        "按比例得分」；「C:此项也设立一个激励值，若本月工单完成率为100%，则本项本月得分为15*1.2=18分。」",
        "「③设备原因造成损失率(满分15分，权重15%)」——原文在此处截断。",
    ]),
    ("原文条款：设备部考核方案（初稿）", [
        "2.1 对设备动力部的考核指标：「上满全勤工作时间方能得到全部基本工资。」「维修人员岗位工资定为一,二,三,四,五,六,七级」；"
        "「岗位工资中70%作为基本工资,30%作为考核工资。」「一级岗位:(3000元/月)」",
    ]),
    ("原文条款：设备部2015年激励方案", [
        "二、设备主任季度评比奖励方案：「每季度百分制考核评比一次,考评分数在90分奖励500元。」（参评人员：前后处理、印花设备主任、锅炉主任、电气主任）",
        "三、重大质量、安全事故预防方案：「2015年2月一2016年1月,设备动力无重大消防和安全事故,无设备导致的质量事故」……「奖励各车间设备主任1000元。」",
    ]),
    ("原文条款：同一文件集中的乐捐与罚款", [
        "产能攻关事项跟进表：各事项「未按时按质完成」的，「责任人乐捐5元」。",
        "转介绍奖励方案：「本公司员工应秉承真实的原则进行介绍,一经发现弄虚造假每次给予300元处罚。」",
    ]),
    ("怎样填写", [
        "1. 「等级评分」表：每人一行——组别、岗位（组长/组员）、四项十分制得分、个人核定月浮动奖金。",
        "2. 「设备运行」表：各生产线本月设备原因停机时间与生产时间（小时）；「部门得分」表填报修总数、完成数与另两项得分。",
        "3. 「个人明细」表选工号查看等级、奖金与浮动奖金的计算。",
    ]),
    ("公式", [
        "综合得分 = WSCORE(评分块, 等级权重)；等级 = BAND(综合得分, 等级表)；等级奖金 = IF(岗位=\"组长\", BAND(综合得分, 等级表, 3), "
        "BAND(综合得分, 等级表, 4))。",
        "设备利用率 = 1 − 停机合计 ÷ 生产合计；利用率得分 = IF(利用率 ≥ 99%, 40 × 1.2, 利用率 × 40)；工单得分同理（15分，100%时 ×1.2）。",
        "浮动奖金 = MONEY(核定 × 部门比例 × 部门得分 ÷ 部门满分 + 核定 × 个人比例 × 综合得分 ÷ 十分制满分)。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 4分与5分之间（如4.5分）：原文「5分及以上为中，4分及以下为差」未覆盖。本模板按「不到5分为差」处理（中档起点5，上一档以下皆差）；"
        "如要4分以上即为中，把参数「等级表」中「中」的起点改为 4.0001（或你们认定的分数）。",
        "② 「本部分考核分数」读作本部门（设备科）考核分，「本人本月考核分数」取本人维修部十分制综合得分；两者都折成满分的比例（÷100、÷10）"
        "后相乘，参数「部门满分」「十分制满分」。",
        "③ 工单完成率原文「*100%*20分」与「满分为15分」「15*1.2=18分」矛盾，本模板按15分计，参数「工单满分」。",
        "④ 原文在损失率处截断：设备损失率得分与第四类（维修费用率）得分直接填写在「部门得分」表，四类满分按 40+15+15+30=100。",
        "⑤ 激励值 1.2 倍在达到 99%（含）/100% 时适用，低于时按比例，无其他封顶。",
        "⑥ 「根据当月情况总监可以决定各组或全部门不执行此方案」：不执行时把该组人员的核定奖金填0或删去该行。",
        "⑦ 本月没有报修（总报修数量为0）时「本月报修后完成数量/本月总报修数量」无从计算（÷0）。两种读法：没有未完成的工单，"
        "完成率按100%（参数「无报修完成率」＝100%，默认，得15×1.2＝18分）；或本项不得分（填0%）。本月没有生产时间时设备利用率同理，"
        "参数「无生产利用率」（默认100%）。这样 #DIV/0! 不会传到每个人的浮动奖金。",
        "⑧ 维修部激励方案本身没有罚款条款；同一文件集中另有两条按次扣款的规定（上引）：事项未按时按质完成由责任人乐捐5元，"
        "弄虚造假每次处罚300元。本模板把它们列为参数「扣款标准」的示例事项，登记在「扣款登记」表，从当月奖金合计中扣除（扣后可为负数）；"
        "贵单位未采用的事项可从参数表删去或把金额改为0。",
        "⑨ 设备主任季度评比：「考评分数在90分奖励500元」读作90分（含）以上奖励500元（参数「季度奖分数线」「季度奖额」），"
        "89.5分不奖；百分制的考评办法原文未列出（「具体考评办法如下」之后缺文），分数直接填写；未评的季度留空，不奖。",
        "⑩ 全年无事故奖励：原文条件是整个「设备动力」全年无重大消防和安全事故、无设备导致的质量事故，奖励「各车间设备主任」。"
        "本模板每位主任一行填「全年无重大事故」：按原文全部门一个条件时，各行填同一个值；如贵单位按各自车间考核，则分别填写。",
        "⑪ 岗位工资：原文只给出一级岗位3000元/月，二至七级的金额与考核工资的考核办法没有写出。本模板每人填本级月岗位工资；"
        "基本工资 = 岗位工资 × 70%（参数「基本工资比例」），「上满全勤工作时间方能得到全部基本工资」——未满勤时按实际出勤天数折算"
        "（参数「缺勤基本工资」＝按比例，默认），或改为「不发」；考核工资 = 岗位工资 × 30% × 本人维修部十分制综合得分 ÷ 10"
        "（以维修部月度评分作为考核，本模板的做法）。",
    ]),
]

SCORES = [(9, 9, 9, 9), (7, 7, 7, 7), (5, 5, 5, 5), (5, 4, 5, 4), (4, 4, 4, 4), (10, 9, 8, 10), (6, 7, 8, 7),
          (8, 9, 9, 10)]


def _staff(n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(n):
        items = SCORES[i] if i < len(SCORES) else tuple(rng.randint(3, 10) for _ in ITEMS)
        role = "组长" if i % 8 in (0, 3) else "组员"
        rows.append([f"WB{i + 1:03d}", person_name(1500 + i), GROUPS[i % 4], role, *items,
                     rng.choice([800, 1000, 1200, 1500])])
    return rows


def _directors(rng: random.Random) -> list[list[Any]]:
    """The five 设备主任 the 2015 scheme names; 90 exactly, 89.5 and a quarter not appraised."""
    fixed: list[list[float | None]] = [[90, 89.5, 95, None], [92, 91, 88, 93], [85, 90.5, 90, 96]]
    rows: list[list[Any]] = []
    for k, post in enumerate(DIRECTORS):
        scores: list[float | None] = (fixed[k] if k < len(fixed)
                                      else [round(rng.uniform(80, 99) * 2) / 2 for _ in range(4)])
        rows.append([person_name(1600 + k), post, *scores, "否" if k == 2 else "是"])
    return rows


def template(n_staff: int = 32, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    staff = _staff(n_staff, rng)
    grade = DataSheet(
        name="等级评分",
        title="维修部月度等级奖金与个人月浮动奖金",
        note="每人一行：四项十分制得分与个人核定月浮动奖金。灰色列为公式。",
        cols=[
            Col("工号", "text", name="工号", width=8),
            Col("姓名", "text", name="姓名", width=9),
            Col("组别", "choice", name="组别", choices=GROUPS, width=7),
            Col("岗位", "choice", name="岗位", choices=("组长", "组员"), width=7),
            *[Col(h, "number", fmt="0.0", width=8) for h in ITEMS],
            Col("核定月浮动奖金", "money", name="核定浮动奖金", width=12),
            Col("综合得分", "number", name="综合得分", fmt=styling.SCORE, width=9, formula="WSCORE(评分块,等级权重)"),
            Col("等级", "text", name="等级", width=6, formula="BAND(综合得分,等级表)"),
            Col("等级奖金", "money", name="等级奖金", width=10,
                formula='IF(岗位="组长",BAND(综合得分,等级表,3),BAND(综合得分,等级表,4))'),
            Col("浮动奖金", "money", name="浮动奖金", width=11,
                formula="MONEY(核定浮动奖金*部门比例*部门得分/部门满分+核定浮动奖金*个人比例*综合得分/十分制满分)"),
            Col("奖金合计", "money", name="奖金合计", width=11, formula="MONEY(等级奖金+浮动奖金)"),
            Col("乐捐与罚款", "money", name="个人扣款", width=10, formula="SUMIFS(扣款金额,事项工号,工号)"),
            Col("实发合计", "money", name="实发合计", width=11, formula="MONEY(奖金合计-个人扣款)"),
        ],
        rows=staff,
        nrows=len(staff),
        spare=SPARE_ROWS,
        empty_key="工号",
        blocks={"评分块": (ITEMS[0], ITEMS[-1])},
    )
    lines = DataSheet(
        name="设备运行",
        title="各生产线本月设备原因停机时间与生产时间",
        note="每条生产线一行（小时）。",
        cols=[
            Col("生产线", "text", name="生产线", width=12),
            Col("设备原因停机时间（小时）", "number", name="停机时间", fmt="0.0", width=14),
            Col("本月生产时间（小时）", "number", name="生产时间", fmt="0.0", width=14),
        ],
        rows=[list(x) for x in LINES],
        nrows=len(LINES),
        spare=SPARE_ROWS,
        empty_key="生产线",
        landscape=False,
    )
    b = summary_block("设备科（本部门）月度考核得分", "黄色格填写；四类合计即「本部分考核分数」（满分100）。",
                      ["项目", "数值", "说明"], {"A": 30, "B": 14, "C": 50})
    rows = [
        ("停机时间合计（小时）", "=SUM(停机时间)", "out_number", "停机合计", None, "来自「设备运行」表"),
        ("生产时间合计（小时）", "=SUM(生产时间)", "out_number", "生产合计", None, ""),
        ("设备利用率", "=IF(生产合计>0,1-停机合计/生产合计,无生产利用率)", "out_percent", "设备利用率", None,
         "[1-停机/生产]；本月无生产时间取参数「无生产利用率」"),
        ("①设备利用率得分", "=IF(设备利用率>=利用率激励线,利用率满分*激励倍数,设备利用率*利用率满分)", "out_score",
         "利用率得分", None, "99%（含）以上 = 40×1.2"),
        ("本月总报修数量", 125, "in_int", "报修总数", "int", "填写"),
        ("本月报修后完成数量", 120, "in_int", "完成数", "int", "填写"),
        ("维修工单完成率", "=IF(报修总数>0,完成数/报修总数,无报修完成率)", "out_percent", "工单完成率", None,
         "本月无报修取参数「无报修完成率」"),
        ("②维修工单完成率得分", "=IF(工单完成率>=工单激励线,工单满分*激励倍数,工单完成率*工单满分)", "out_score",
         "工单得分", None, "100% = 15×1.2"),
        ("③设备原因损失率得分", 13.5, "in_score", "损失率得分", "number", "原文截断，直接填得分（满分15）"),
        ("④维修费用率得分", 27, "in_score", "费用率得分", "number", "原文未列，直接填得分（满分30）"),
        ("本部门考核得分", "=利用率得分+工单得分+损失率得分+费用率得分", "res_score", "部门得分", None, "四类合计"),
    ]
    for i, (label, value, style, nm, kind, note) in enumerate(rows):
        r = 4 + i
        b.values[f"A{r}"], b.styles[f"A{r}"] = label, "label"
        b.values[f"B{r}"], b.styles[f"B{r}"] = value, style
        b.values[f"C{r}"], b.styles[f"C{r}"] = note, "label"
        b.names[nm] = f"B{r}"
        if kind:
            b.unlocked.add(f"B{r}")
            b.kinds[f"B{r}"] = kind
    dept = FreeSheet("部门得分", b, kind="result")
    quarters = [f"{q}季度" for q in "一二三四"]
    directors = DataSheet(
        name="设备主任奖励",
        title="设备主任季度评比奖励与全年无事故奖励（设备部2015年激励方案）",
        note="每位设备主任一行：四个季度的百分制考评分数（未评留空）与本车间全年有无重大事故。灰色列为公式。",
        cols=[
            Col("姓名", "text", name="主任姓名", width=9),
            Col("岗位", "choice", name="主任岗位", choices=DIRECTORS, width=14),
            *[Col(f"{q}考评分", "number", name=f"{q}考评分", fmt=styling.SCORE, required=False, width=9)
              for q in quarters],
            Col("全年无重大事故", "choice", name="无重大事故", choices=YES_NO, width=9),
            *[Col(f"{q}奖励", "money", name=f"{q}奖励", width=10,
                  formula=f'IF({q}考评分="",0,IF({q}考评分>=季度奖分数线,季度奖额,0))') for q in quarters],
            Col("无事故奖励", "money", name="无事故奖励", width=10, formula='IF(无重大事故="是",无事故奖额,0)'),
            Col("全年奖励合计", "money", name="主任奖励合计", width=12,
                formula="MONEY(" + "+".join(f"{q}奖励" for q in quarters) + "+无事故奖励)"),
        ],
        rows=_directors(rng),
        nrows=len(DIRECTORS),
        spare=SPARE_ROWS,
        empty_key="主任姓名",
    )
    events = [[dt.date(2019, 8, 3 + 2 * k), staff[i][0], kind, n, ""]
              for k, (i, kind, n) in enumerate([(1, LATE, 1), (4, LATE, 2), (4, FAKE, 1), (9, LATE, 1)])
              if i < len(staff)]
    ledger = deductions_ledger(events, "工号", "工号", title="乐捐与罚款登记")
    post_pay = DataSheet(
        name="岗位工资",
        title="维修人员岗位工资：70%基本工资 + 30%考核工资（设备部考核方案）",
        note="每人一行：工号、岗位级别、该级月岗位工资（按贵单位定级表填写；样例中二级及以下的金额只是示例）、本月应出勤与实际出勤天数。灰色列为公式。",
        cols=[
            Col("工号", "choice", name="岗位工号", choices_ref="工号", width=8),
            Col("岗位级别", "choice", name="岗位级别", choices=LEVELS, width=8),
            Col("月岗位工资", "money", name="月岗位工资", width=11),
            Col("应出勤天数", "number", name="应出勤天数", fmt="0.0", width=8),
            Col("实际出勤天数", "number", name="实际出勤天数", fmt="0.0", width=8),
            Col("基本工资", "money", name="岗位基本工资", width=11,
                formula='IF(实际出勤天数>=应出勤天数,MONEY(月岗位工资*基本工资比例),'
                        'IF(缺勤基本工资="按比例",MONEY(月岗位工资*基本工资比例*实际出勤天数/应出勤天数),0))'),
            Col("考核得分（十分制）", "number", name="岗位考核得分", fmt=styling.SCORE, width=9,
                formula=xlookup("岗位工号", "工号", "综合得分")),
            Col("考核工资", "money", name="岗位考核工资", width=11,
                formula="MONEY(月岗位工资*考核工资比例*岗位考核得分/十分制满分)"),
            Col("岗位工资合计", "money", name="岗位工资合计", width=12, formula="MONEY(岗位基本工资+岗位考核工资)"),
        ],
        rows=[[r[0], LEVELS[i % 4], (3000, 2700, 2400, 2100)[i % 4], 22, 22 if i % 6 else 20.5]
              for i, r in enumerate(staff)],
        nrows=len(staff),
        spare=SPARE_ROWS,
        empty_key="岗位工号",
    )
    explain = explain_sheet(
        "个人明细", "维修人员奖金明细", "工号", "工号", staff[3][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("岗位", chosen("岗位"), "text"),
            ("综合得分（十分制）", chosen("综合得分"), "score"),
            ("等级", chosen("等级"), "text"),
            ("等级奖金", chosen("等级奖金"), "money"),
            ("核定月浮动奖金", chosen("核定浮动奖金"), "money"),
            ("本部门考核得分", "部门得分", "score"),
            ("浮动奖金", chosen("浮动奖金"), "money"),
            ("奖金合计", chosen("奖金合计"), "money"),
            ("乐捐与罚款", chosen("个人扣款"), "money"),
            ("实发合计", chosen("实发合计"), "money"),
        ],
    )
    return Template(
        id=ID, version=VERSION, title="维修部等级奖金与设备浮动奖金", filename="t7_weixiu.xlsx",
        source="《维修部激励方案》《涂装生产部设备科考核方案（草案）》（方案：维修部等级奖金与设备浮动奖金）", readme=README,
        scalars=[
            Scalar("十分制满分", "个人评分满分", 10),
            Scalar("部门满分", "部门考核满分", 100),
            Scalar("利用率满分", "设备利用率满分", 40),
            Scalar("利用率激励线", "设备利用率激励值（含）", 0.99, kind="percent"),
            Scalar("工单满分", "维修工单完成率满分", 15),
            Scalar("工单激励线", "工单完成率激励值（含）", 1, kind="percent"),
            Scalar("激励倍数", "达到激励值时满分的倍数", 1.2),
            Scalar("季度奖分数线", "设备主任季度考评奖励的分数线（含）", 90, fmt=styling.SCORE,
                   note="原文「考评分数在90分奖励500元」读作90分及以上"),
            Scalar("季度奖额", "设备主任季度考评奖励（元）", 500, kind="money"),
            Scalar("无事故奖额", "全年无重大事故奖励（元/设备主任）", 1000, kind="money"),
            Scalar("基本工资比例", "岗位工资中作为基本工资的比例", 0.7, kind="percent"),
            Scalar("考核工资比例", "岗位工资中作为考核工资的比例", 0.3, kind="percent"),
            Scalar("缺勤基本工资", "未上满全勤时的基本工资", "按比例", kind="choice", choices=("按比例", "不发"),
                   note="按比例＝按实际出勤天数折算（默认）；不发＝未满勤不得基本工资"),
            Scalar("无报修完成率", "本月无报修时的工单完成率", 1, kind="percent",
                   note="100%＝无未完成工单（默认）；0%＝本项不得分"),
            Scalar("无生产利用率", "本月无生产时间时的设备利用率", 1, kind="percent",
                   note="100%＝无停机影响（默认）；0%＝本项不得分"),
        ],
        tables=[
            ParamTable("等级权重", "评分权重", ITEMS, [[0.2, 0.4, 0.3, 0.1]], "weights",
                       fmts=[styling.PERCENT] * 4, total=1),
            ParamTable("等级表", "等级与奖金（下含：9分整为优；不到5分为差）", ["得分起点", "等级", "组长奖金（元）", "组员奖金（元）"],
                       [[0, "差", 0, 0], [5, "中", 200, 100], [7, "良", 300, 200], [9, "优", 500, 300]], "band",
                       fmts=[styling.SCORE, None, styling.MONEY, styling.MONEY], side="lower"),
            ParamTable("浮动比例", "个人月浮动奖金的构成", ["本部门考核部分", "本人考核部分"], [[0.3, 0.7]], "weights",
                       fmts=[styling.PERCENT, styling.PERCENT], total=1,
                       cell_names={(0, 0): "部门比例", (0, 1): "个人比例"}),
            deductions_table("乐捐与罚款（元/次，示例：同一文件集中的规定）", [
                (LATE, 5, "产能攻关事项跟进表：未按时按质完成，责任人乐捐5元"),
                (FAKE, 300, "转介绍奖励方案：一经发现弄虚造假每次给予300元处罚"),
            ]),
        ],
        sheets=[grade, lines, dept, directors, post_pay, ledger, explain],
        slip=Slip("等级评分", key="工号", name="姓名", paid=("实发合计",)),
    )
