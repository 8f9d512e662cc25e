"""t8-xiaoshoubu：销售部月度与年度评估 (《销售部运营方案》第十一节、第十二节)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, ParamTable, Slip, Template, empty_when_blank
from workbooks.templates.common import (
    SPARE_ROWS,
    deductions_ledger,
    deductions_table,
    explain_sheet,
    month_pivot,
    person_name,
    xlookup,
)

ID = "t8-xiaoshoubu"
VERSION = "1.0"
SEED = 1101
MONTHS = 12
YEAR = 2024
ITEMS = ["职业素养", "工作能力", "工作业绩"]
GRADES = [("优秀", 0.1, 1.2), ("良好", 0.2, 1.1), ("合格", 0.4, 1.0), ("基本合格", 0.2, 0.9), ("不合格", 0.1, 0.8)]
#: 事项, 每次罚款（元）, 原文出处 — 《销售部运营方案》第十二节第二条
FINES = [
    ("泄漏商业和技术秘密", 1000, "第二条1：「对造成该事件的相关人员处罚1000元罚款」"),
    ("出卖公司合同、技术", 1000, "第二条1：同上"),
    ("未经批准参与其它工程项目", 1000, "第二条1：同上"),
    ("未汇报项目进展", 50, "第二条4：「每次处罚工程负责人50元」"),
    ("不服从工作安排", 500, "第二条5：「一发现将处罚500元」"),
    ("顶撞主管领导", 500, "第二条5：同上"),
    ("散布不利于公司形象的言论", 500, "第二条5：同上"),
    ("擅自离岗", 500, "第二条5：同上"),
]

README = [
    ("方案是什么", [
        "销售部经理每月对员工的职业素养、工作能力和工作业绩评分（满分100分，各项权重不同），在部门内按强制比例分布定出等级，"
        "每个等级对应一个考核系数；月度工资总额 = 基本工资 × 考核系数 + 销售提成 + 福利费，再扣除当月违规罚款。"
        "年度评估由各月评估汇总，同样按强制比例分布定出年度等级与系数。",
    ]),
    ("原文条款（《销售部运营方案》第十一节「销售部考核」、第十二节「奖励与考核」）", [
        "第十一节 三、月度/年度评估：「销售部经理每月/年度对员工的职业素养、工作能力和工作业绩进行评估,满分为100分,各项权重不同,"
        "最终汇总形成员工月度/年度评估结果,根据部门内考核得分情况,按照强制比例分布,确定各人考核系数。」",
        "销售人员薪酬体系构成：「工资总额=基本工资+销售提成+福利费」",
        "第十二节第二条 1：「对于泄漏公司商业和技术秘密;出卖公司合同、技术;或未经公司批准参与其它公司或个人的工程项目、或方案的人员,"
        "一旦发现视情节轻重,对造成该事件的相关人员处罚1000元罚款。」",
        "第十二节第二条 4：「凡未向主管领导汇报项目进展情况的,每次处罚工程负责人50元。」",
        "第十二节第二条 5：「对于不服从工作安排、有过急言行顶撞主管领导、散布不利于公司形象的言论和擅自离岗的有关人员,一发现将处罚500元,"
        "直至给予开除。」",
    ]),
    ("怎样填写", [
        "1. 「月度评估」表：每人每月一行，行的先后不限（可按月份或按人排列，中间可有空行）——工号、姓名、月份（1—12）、三项评分（各0—100）、"
        "基本工资、销售提成、福利费。月度得分、等级、考核系数、罚款与工资由公式算出；等级由一个公式按「月份」分组给出，"
        "每月人数多少都按该月在册人员分布。新人员或新月份接着最后一行往下填即可（表下预留空行，公式已覆盖）；空行的结果为空。",
        "2. 「扣款登记」表：每发生一次违规记一行——日期、工号、事项（从列表选择）、次数。每次罚款按参数「扣款标准」，"
        "按工号与月份扣在「月度评估」表当月的工资里；「扣除情况」列注明该笔是否已扣——该人该月在「月度评估」表没有工资行时为"
        "「未扣：当月无工资行」，金额计入「年度评估」表的「未扣罚款」，不会悄悄漏掉。",
        "3. 「年度评估」表：每人一行，填工号与姓名；各月得分、年度得分、年度等级与系数、全年罚款与实发由公式汇总。",
        "4. 「个人明细」表：选工号与月份，逐项查看当月计算。",
    ]),
    ("公式", [
        "月度得分 = WSCORE(三项评分, 评估权重)；月度等级 = FORCED_DIST(月度得分, 等级比例, 等级名称, , 月份)"
        "（第5个参数「月份」：每个月在该月的人员中分布，一列一个公式）；"
        "考核系数 = XLOOKUP(等级, 等级名称, 等级系数)。",
        "工资总额 = MONEY(基本工资 × 考核系数 + 销售提成 + 福利费)；当月罚款 = SUMIFS(扣款金额, 事项工号, 工号, 事项月份, 月份)；"
        "实发 = MONEY(工资总额 − 当月罚款)。",
        "扣款金额 = MONEY(次数 × XLOOKUP(事项, 扣款事项, 扣款单价))；扣除情况 = 该工号该月在「月度评估」表有无工资行。",
        "年度得分 = 有评估的各月得分之和 ÷ 评估月数；年度等级 = FORCED_DIST(年度得分, 等级比例, 等级名称)；"
        "未扣罚款 = 全年罚款 − 各月已扣的当月罚款。",
        "每个结果列的公式外层为 IF(工号=\"\",\"\", …)（登记表为 IF(事项日期=\"\",\"\", …)）：空行的结果为空，不出现错误值。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 三项权重：原文只说「各项权重不同」，未给数值。本模板的示例为职业素养20%、工作能力30%、工作业绩50%（参数「评估权重」，合计须为100%）。",
        "② 强制比例与等级：原文未给比例与等级名称。本模板的示例为 优秀10%、良好20%、合格40%、基本合格20%、不合格10%"
        "（参数「等级表」的「强制比例」列，按其和的比例使用）；人数按比例取整用最大余数法，合计恰为当月人数；"
        "分数相同的人同得较好的等级（该等级人数可能多于比例）。",
        "③ 考核系数：原文只说「确定各人考核系数」。本模板的示例为 1.2、1.1、1.0、0.9、0.8（参数「等级表」的「考核系数」列），"
        "并读作乘在基本工资上：工资总额 = 基本工资 × 考核系数 + 销售提成 + 福利费（提成与福利费不乘系数）。",
        "④ 罚款：每个事项每次的金额见参数「扣款标准」。原文「视情节轻重」：情节较重的可按次数多记，或在参数中改金额；"
        "「直至给予开除」「开除」不在工资计算之内。罚款在违规日期所在月份的工资中扣除，扣后可为负数（即应补缴）。",
        "⑤ 年度评估：原文「最终汇总形成员工月度/年度评估结果」。本模板取有评估的各月月度得分的平均（年中入职的人只按入职后的月份平均），"
        "再在全体人员中按同一强制比例定年度等级与年度考核系数；年度系数如何使用（如年终奖）原文未写，本表只列出。",
        "⑥ 某月没有评估记录的人（未入职、离职）不参加该月的强制分布，也不占人数；每月按当月有评估的人数分布，人数不限（1人、2人、5人……）。"
        "没有任何月度评估的人，年度得分、等级与系数为空。",
        "⑦ 罚款所在月份没有该人的工资行（已离职、漏填）：原文未写如何处理。本模板不从别的月份扣，而是在「扣款登记」表标出「未扣：当月无工资行」，"
        "并在「年度评估」表的「未扣罚款」列列出金额，由财务决定补扣或核销。",
    ]),
]


def _staff(n: int) -> list[tuple[str, str, int]]:
    """(工号, 姓名, first month): the last person joins in July."""
    return [(f"XSB{i + 1:03d}", person_name(1200 + i), 7 if i == n - 1 else 1) for i in range(n)]


def _monthly(staff: list[tuple[str, str, int]], rng: random.Random) -> list[list[Any]]:
    base = {sid: rng.choice([3000, 3200, 3500, 4000, 4500]) for sid, _n, _m in staff}
    rows = []
    for m in range(1, MONTHS + 1):
        for k, (sid, name, first) in enumerate(staff):
            if m < first:
                continue
            scores = [rng.randint(60, 98) for _ in ITEMS]
            if m == 3 and k in (4, 5, 6, 7):  # four tied for the three 优秀 places in March: all 优秀
                scores = [96, 96, 96]
            if m == 3 and k == 8:
                scores = [95, 95, 95]
            commission = rng.choice([0, 800, 1500, 2600, 3900])
            rows.append([sid, name, m, *scores, base[sid], commission, 300])
    return rows


def _events(staff: list[tuple[str, str, int]], rng: random.Random) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for j in range(24):
        sid = staff[rng.randrange(len(staff) - 1)][0]
        m = rng.randint(1, MONTHS)
        kind = FINES[j % len(FINES)][0] if j < len(FINES) else rng.choice(["未汇报项目进展", "擅自离岗", "不服从工作安排"])
        count = 2 if j % 7 == 3 else 1
        rows.append([dt.date(YEAR, m, rng.randint(1, 28)), sid, kind, count, ""])
    rows.sort(key=lambda r: r[0])
    return rows


def template(n_staff: int = 30, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    staff = _staff(n_staff)
    monthly_rows = _monthly(staff, rng)
    event_rows = _events(staff, rng)
    cols = [
        Col("工号", "text", name="月度工号", width=9),
        Col("姓名", "text", name="月度姓名", width=9),
        Col("月份", "int", name="月份", width=6),
        *[Col(item, "number", name=item, fmt=styling.SCORE, width=9) for item in ITEMS],
        Col("基本工资", "money", name="基本工资", width=11),
        Col("销售提成", "money", name="销售提成", width=11),
        Col("福利费", "money", name="福利费", width=10),
        Col("月度得分", "number", name="月度得分", fmt=styling.SCORE, width=9, formula="WSCORE(评估分项,评估权重)"),
    ]
    cols += [
        Col("月度等级", "text", name="月度等级", width=9, formula="FORCED_DIST(月度得分,等级比例,等级名称,,月份)"),
        Col("考核系数", "number", name="考核系数", fmt="0.00", width=8, formula=xlookup("月度等级", "等级名称", "等级系数")),
        Col("工资总额", "money", name="工资总额", width=12, formula="MONEY(基本工资*考核系数+销售提成+福利费)"),
        Col("当月罚款", "money", name="当月罚款", width=10, formula="SUMIFS(扣款金额,事项工号,月度工号,事项月份,月份)"),
        Col("实发工资", "money", name="实发工资", width=12, formula="MONEY(工资总额-当月罚款)"),
        Col("明细键", "text", name="明细键", width=11, formula='月度工号&"-"&月份'),
    ]
    monthly = DataSheet(
        name="月度评估",
        title="销售部月度评估、强制分布与月度工资",
        note="每人每月一行，先后不限；等级按月份分组由一个公式给出。新行接着往下填（已预留）。黄色为填写列，灰色列为公式。",
        cols=cols,
        rows=monthly_rows,
        nrows=len(monthly_rows),
        blocks={"评估分项": (ITEMS[0], ITEMS[-1])},
        spare=SPARE_ROWS,
        empty_key="月度工号",
    )
    events = deductions_ledger(event_rows, "工号", "工号", title="违规事项登记（罚款）")
    events.cols.append(
        Col("扣除情况", "text", name="扣除情况", width=16, formula=empty_when_blank(
            "事项日期", 'IF(COUNTIFS(月度工号,事项工号,月份,事项月份)>0,"已扣","未扣：当月无工资行")')))
    month_cols = month_pivot(MONTHS, '""')
    yearly = DataSheet(
        name="年度评估",
        title="销售部年度评估",
        note="每人一行；1—12月得分由一个公式从「月度评估」表汇总（溢出12列，没有评估的月份留空）。",
        cols=[
            Col("工号", "text", name="工号", width=9),
            Col("姓名", "text", name="姓名", width=9),
            *month_cols,
            Col("评估月数", "int", name="评估月数", width=8, formula="COUNTIFS(月度工号,工号)"),
            Col("年度得分", "number", name="年度得分", fmt=styling.SCORE, width=9,
                formula='IF(评估月数>0,SUMIFS(月度得分,月度工号,工号)/评估月数,"")'),
            Col("年度等级", "text", name="年度等级", width=9, formula="FORCED_DIST(年度得分,等级比例,等级名称)"),
            Col("年度考核系数", "number", name="年度考核系数", fmt="0.00", width=9,
                formula=f'IF(年度等级="","",{xlookup("年度等级", "等级名称", "等级系数")})'),
            Col("全年罚款", "money", name="全年罚款", width=11, formula="SUMIFS(扣款金额,事项工号,工号)"),
            Col("未扣罚款", "money", name="未扣罚款", width=11, formula="全年罚款-SUMIFS(当月罚款,月度工号,工号)"),
            Col("全年实发", "money", name="全年实发", width=13, formula="SUMIFS(实发工资,月度工号,工号)"),
        ],
        rows=[[sid, name] for sid, name, _m in staff],
        nrows=len(staff),
        spare=SPARE_ROWS,
        empty_key="工号",
    )
    key = '$B$4&"-"&$B$5'
    explain = explain_sheet(
        "个人明细", "个人月度评估与工资明细", "工号", "工号", staff[4][0],
        [
            ("姓名", xlookup("$B$4", "工号", "姓名"), "text"),
            ("月份", "$B$5", "int"),
            *[(item, xlookup(key, "明细键", item), "score") for item in ITEMS],
            ("月度得分", xlookup(key, "明细键", "月度得分"), "score"),
            ("月度等级（强制分布）", xlookup(key, "明细键", "月度等级"), "text"),
            ("考核系数", xlookup(key, "明细键", "考核系数"), "number"),
            ("基本工资", xlookup(key, "明细键", "基本工资"), "money"),
            ("销售提成", xlookup(key, "明细键", "销售提成"), "money"),
            ("福利费", xlookup(key, "明细键", "福利费"), "money"),
            ("工资总额", xlookup(key, "明细键", "工资总额"), "money"),
            ("当月罚款", xlookup(key, "明细键", "当月罚款"), "money"),
            ("实发工资", xlookup(key, "明细键", "实发工资"), "money"),
            ("年度得分", xlookup("$B$4", "工号", "年度得分"), "score"),
            ("年度等级", xlookup("$B$4", "工号", "年度等级"), "text"),
        ],
    )
    b = explain.block
    b.values["A5"], b.styles["A5"] = "选择月份", "header"
    b.values["B5"], b.styles["B5"] = 3, "in_int"
    b.unlocked.add("B5")
    b.choices["B5"] = "=月份序号"
    pct = [None, styling.PERCENT, "0.00"]
    return Template(
        id=ID, version=VERSION, title="销售部月度与年度评估", filename="t8_xiaoshoubu.xlsx",
        source="《销售部运营方案》第十一节「销售部考核」、第十二节「奖励与考核」", readme=README,
        scalars=[],
        tables=[
            ParamTable("评估权重", "三项评估权重（示例，原文「各项权重不同」，合计100%）", list(ITEMS), [[0.2, 0.3, 0.5]],
                       "weights", fmts=[styling.PERCENT] * 3, total=1),
            ParamTable("等级表", "强制比例分布与考核系数（示例，由好到差）", ["等级", "强制比例", "考核系数"],
                       [list(g) for g in GRADES], "lookup", fmts=pct,
                       col_names={0: "等级名称", 1: "等级比例", 2: "等级系数"}),
            deductions_table("违规事项与每次罚款（第十二节第二条）", FINES),
            ParamTable("月份序号", "年度表的月份", [f"{m}月" for m in range(1, MONTHS + 1)],
                       [list(range(1, MONTHS + 1))], "list"),
        ],
        sheets=[monthly, events, yearly, explain],
        slip=Slip("月度评估", key="工号", name="姓名", paid=("实发工资",), leave_out=("明细键",)),
    )
