"""t3-hujiao：呼叫中心月度排名与晋降级 (seeds/000 第四篇, SCHEMES.md §3)."""

from __future__ import annotations

import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import SPARE_ROWS, YES_NO, chosen, explain_sheet, person_name

ID = "t3-hujiao"
VERSION = "1.0"
SEED = 33
MONTHS = ["1月", "2月", "3月"]
GROUPS = ["甲一组", "甲二组", "乙一组", "乙二组", "丙一组", "丙二组"]
ROLES = ("经理", "主管", "小组长", "电销专员")

README = [
    ("方案是什么", [
        "呼叫中心团队：经理1名、主管3名（每人管理两个小组）、小组长6名、电销专员24名。每月按业绩在组内重新选出小组长；同一人连续三个月"
        "当选小组长则晋升主管；主管所管两个小组连续三个月业绩最低则降为小组长。业绩突出的个人与小组每月现金奖励，业绩最低的个人与小组减少提成百分比。",
    ]),
    ("原文条款（《电销运营方案》）", [
        "原文初期人员配置：「1、呼叫中心经理：1名 2、主管：3名 3、小组长：6名 4、电销专员：24名」；「主管：管理两个小组」。",
        "原文晋级方式：「每个月小组长将在本组中重新选出业绩最优秀的担任小组长，如连续三个月该组都是同一小组长则提升为主管，若连续三个月该主管"
        "负责的两个小组业绩最低的将降为小组长。」",
        "原文奖惩方案：「对于业绩额外突出的个人和小组每月进行一次现金奖励；对业绩最低的个人及小组减少提成百分比的处罚；超出目标给予一定奖励。"
        "(具体奖励方案在协商)」",
    ]),
    ("怎样填写", [
        "「人员业绩」表每人一行：岗位、所在小组（经理、主管不属于小组，留空）、是否参加排名、各月业绩（元）。模板按3个月（1月—3月），"
        "最后一个月为本月。「小组」表每个小组一行（样例六个）填组名及其主管，「主管」表每位主管一行（样例三位）；"
        "小组、主管的个数不限，新增的接着最后一行往下填即可（表下预留空行，公式已覆盖）。",
        "「个人明细」表选工号查看本月名次、奖金与提成比例。",
    ]),
    ("公式", [
        "组内名次 = RANKX(某月业绩, 0, 组长排名方式, 组别, 参加排名)；当月组内第1名即下月小组长。",
        "连任组长月数 = STREAK(组内名次块, \"=1\", \"last\")：截至本月连续当选的月数，≥ 晋升连续月数 → 晋升主管。",
        "主管两组合计 = SUMIFS(小组业绩, 小组主管, 主管)；主管末位名次 = RANKX(合计, 1)（最低为1）；垫底连续月数 = STREAK(…, \"=1\", \"last\")，"
        "≥ 降级连续月数 → 降为小组长。",
        "个人奖 = RANK_PRIZE(本月业绩, 个人奖表, 参加排名)；个人降点 = RANK_PRIZE(本月业绩, 个人降点表, 参加排名, 1, \"同奖\")（负数＝减点）；"
        "提成 = MONEY(本月业绩 × (基础提成比例 + (个人降点 + 小组降点) × 百分点))；降点表以百分点填写（-0.5 即减0.5%），"
        "因为 RANK_PRIZE 的金额按分（两位小数）取整。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 人数：1+3+6+24＝34人，原文「招聘33名呼叫中心专员」指经理以外的33人；样例共34行。",
        "② 奖励金额、减点幅度、基础提成比例原文「具体奖励方案在协商」：参数表中的数额是示例，须按协商结果修改"
        "（个人奖表、个人降点表、小组奖表、小组降点表、基础提成比例）。",
        "③ 组内并列第一：参数「组长排名方式」默认「顺序」——业绩相同按表中先后，只有一人当选；改为「并列」则并列者都记第1名。",
        "④ 「连续三个月该主管负责的两个小组业绩最低」有两种读法，参数「降级口径」：＝两组合计最低（默认）——主管两组业绩合计在各主管中"
        "最低（末位名次为1）；＝两组皆最低——该主管的两个小组恰是全部小组中业绩最低的两个（「小组」表倒数名次都不超过2，末位名次记1，否则留空）。"
        "两种读法都要连续达到「降级连续月数」。",
        "⑤ 连续月数按截至本月的连续（STREAK 的 \"last\"），不是全年最长。",
        "⑥ 个人奖与个人降点的并列：奖金按「均分」（并列者合计所占名次的奖金后平分到分）；减点按「同奖」（并列者都减）。",
        "⑦ 小组奖发给小组，组内如何分配原文未写，本模板只算小组总额。",
        "⑧ 本月业绩留空（请假、未上岗）：不占名次（RANK_PRIZE 给空），没有个人奖也不减点，本月提成与奖金合计为0——"
        "原文奖惩针对「业绩额外突出的个人」与「业绩最低的个人」，没有业绩的人两者都不是；若当月确实上岗而业绩为0，请填0，则参加排名并可能被减点。",
    ]),
]


def _people(rng: random.Random, groups: list[str]) -> list[list[Any]]:
    rows: list[list[Any]] = [["HJ001", person_name(300), "经理", None, "否", None, None, None]]
    for k in range(len(groups) // 2):
        rows.append([f"HJ{k + 2:03d}", person_name(301 + k), "主管", None, "否", None, None, None])
    used: set[int] = set()
    unique = len(groups) <= 60  # distinct sample values (a deliberate tie is added below)

    def sale(base: float) -> int:
        while True:
            v = int(round(base * rng.uniform(0.7, 1.3), -1))
            if not unique or v not in used:
                used.add(v)
                return v

    n = len(rows)
    for g, group in enumerate(groups):
        scale = 0.6 if g in (4, 5) else 1.0
        for m in range(5):
            role = "小组长" if m == 0 else "电销专员"
            months: list[int | None] = [sale(50000 * scale) for _ in MONTHS]
            if g == 0 and m == 1:  # a star who leads 甲一组 three months running
                months = [sale(95000), sale(96000), sale(97000)]
            if g == 3 and m == 2:  # leads 乙二组 the last two months only
                months[1], months[2] = sale(90000), sale(91000)
            if g == 2 and m == 3:  # on leave this month: blank, takes no place, paid 0 (not #VALUE!)
                months[2] = None
            rows.append([f"HJ{n + 1:03d}", person_name(310 + n), role, group, "是", *months])
            n += 1
    # a tie for individual places 2-3 this month
    this_month = sorted((r[-1] for r in rows if r[-1] is not None), reverse=True)
    second = this_month[1]
    for r in rows:
        if r[-1] == this_month[2]:
            r[-1] = second
    return rows


def template(n_groups: int = len(GROUPS), seed: int = SEED) -> Template:
    """The template; ``n_groups`` (even) scales the team for benchmarks (5 per group)."""
    rng = random.Random(seed)
    groups_names = GROUPS if n_groups == len(GROUPS) else [f"{k // 2 + 1}-{k % 2 + 1}组" for k in range(n_groups)]
    people = _people(rng, groups_names)
    sup_names = [r[1] for r in people if r[2] == "主管"]
    month_cols = [Col(f"{m}业绩", "money", name=f"业绩{i + 1}月", required=False, width=12)
                  for i, m in enumerate(MONTHS)]
    rank_cols = [Col(f"{m}组内名次", "int", name=f"组内名次{i + 1}月", width=8,
                     formula=f"RANKX(业绩{i + 1}月,0,组长排名方式,组别,参加排名)") for i, m in enumerate(MONTHS)]
    last = f"业绩{len(MONTHS)}月"
    sheet = DataSheet(
        name="人员业绩",
        title="呼叫中心人员月度业绩、组内名次与本月奖惩",
        note=f"每人一行；经理、主管不属于小组，「参加排名」填否。本月＝{MONTHS[-1]}。灰色列为公式。",
        cols=[
            Col("工号", "text", name="工号", width=8),
            Col("姓名", "text", name="姓名", width=9),
            Col("岗位", "choice", name="岗位", choices=ROLES, width=9),
            Col("组别", "choice", name="组别", choices_ref="小组组别", required=False, width=9),
            Col("参加排名", "choice", name="参加排名", choices=YES_NO, width=8),
            *month_cols,
            *rank_cols,
            Col("连任组长月数", "int", name="连任组长月数", width=9, formula='STREAK(组内名次块,"=1","last")'),
            Col("晋升", "text", name="晋升", width=9, formula='IF(连任组长月数>=晋升连续月数,"晋升主管","")'),
            Col("本月个人名次", "int", name="本月个人名次", width=9, formula=f"RANKX({last},0,,,参加排名)"),
            Col("本月个人奖", "money", name="个人奖", width=11, formula=f"RANK_PRIZE({last},个人奖表,参加排名)"),
            Col("个人降点（百分点）", "number", name="个人降点", width=9, fmt="0.0",
                formula=f'RANK_PRIZE({last},个人降点表,参加排名,1,"同奖")'),
            Col("小组降点（百分点）", "number", name="人员小组降点", width=9, fmt="0.0",
                formula='IF(组别="",0,_xlfn.XLOOKUP(组别,小组组别,小组降点,0))'),
            Col("提成比例", "percent", name="提成比例", width=9,
                formula='IF(参加排名="是",基础提成比例+(IF(个人降点="",0,个人降点)+人员小组降点)*百分点,0)'),
            Col("本月提成", "money", name="本月提成", width=11, formula=f'IF(参加排名="是",MONEY({last}*提成比例),0)'),
            Col("本月奖金合计", "money", name="本月合计", width=12,
                formula='IF(参加排名="是",MONEY(本月提成+IF(个人奖="",0,个人奖)),0)'),
        ],
        rows=people,
        nrows=len(people),
        spare=SPARE_ROWS,
        empty_key="工号",
        blocks={"组内名次块": (f"{MONTHS[0]}组内名次", f"{MONTHS[-1]}组内名次")},
    )
    groups = DataSheet(
        name="小组",
        title="小组月度业绩与本月小组奖惩",
        note="每个小组一行，填组名与主管（小组数不限，新小组接着最后一行往下填）。灰色列为公式。",
        cols=[
            Col("组别", "text", name="小组组别", width=10),
            Col("主管", "choice", name="小组主管", choices_ref="主管姓名", width=12),
            *[Col(f"{m}小组业绩", "money", name=f"小组业绩{i + 1}月", width=13,
                  formula=f"SUMIFS(业绩{i + 1}月,组别,小组组别)") for i, m in enumerate(MONTHS)],
            *[Col(f"{m}倒数名次", "int", name=f"小组倒数{i + 1}月", width=8,
                  formula=f"RANKX(小组业绩{i + 1}月,1)") for i, m in enumerate(MONTHS)],
            Col("本月小组名次", "int", name="本月小组名次", width=9, formula=f"RANKX(小组业绩{len(MONTHS)}月,0)"),
            Col("小组奖", "money", name="小组奖", width=11, formula=f"RANK_PRIZE(小组业绩{len(MONTHS)}月,小组奖表)"),
            Col("小组降点（百分点）", "number", name="小组降点", width=9, fmt="0.0",
                formula=f'RANK_PRIZE(小组业绩{len(MONTHS)}月,小组降点表,,1,"同奖")'),
        ],
        rows=[[g, sup_names[i // 2]] for i, g in enumerate(groups_names)],
        nrows=len(groups_names),
        spare=SPARE_ROWS,
        empty_key="小组组别",
    )
    sups = DataSheet(
        name="主管",
        title="主管两组合计与降级",
        note="每位主管一行（人数不限，新主管接着最后一行往下填）。末位名次：两组合计最低者为1（参数「降级口径」另一读法：两组皆为最低两组记1）。",
        cols=[
            Col("主管", "text", name="主管姓名", width=12),
            *[Col(f"{m}两组合计", "money", name=f"主管合计{i + 1}月", width=13,
                  formula=f"SUMIFS(小组业绩{i + 1}月,小组主管,主管姓名)") for i, m in enumerate(MONTHS)],
            *[Col(f"{m}末位名次", "int", name=f"主管末位{i + 1}月", width=9,
                  formula=f'IF(降级口径="两组合计最低",RANKX(主管合计{i + 1}月,1),'
                          f'IF(COUNTIFS(小组主管,主管姓名,小组倒数{i + 1}月,"<="&每主管组数)=每主管组数,1,""))')
              for i, m in enumerate(MONTHS)],
            Col("垫底连续月数", "int", name="垫底连续月数", width=9, formula='STREAK(主管末位块,"=1","last")'),
            Col("降级", "text", name="降级", width=11, formula='IF(垫底连续月数>=降级连续月数,"降为小组长","")'),
        ],
        rows=[[r[1]] for r in people if r[2] == "主管"],
        nrows=len(sup_names),
        spare=SPARE_ROWS,
        empty_key="主管姓名",
        blocks={"主管末位块": (f"{MONTHS[0]}末位名次", f"{MONTHS[-1]}末位名次")},
    )
    explain = explain_sheet(
        "个人明细", "个人本月名次与奖惩明细", "工号", "工号", people[4][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("组别", chosen("组别"), "text"),
            ("本月业绩", chosen(last), "money"),
            ("本月组内名次", chosen(f"组内名次{len(MONTHS)}月"), "int"),
            ("连任组长月数", chosen("连任组长月数"), "int"),
            ("晋升", chosen("晋升"), "text"),
            ("本月个人名次", chosen("本月个人名次"), "int"),
            ("本月个人奖", chosen("个人奖"), "money"),
            ("基础提成比例", "基础提成比例", "percent"),
            ("个人降点（百分点）", chosen("个人降点"), "number"),
            ("小组降点（百分点）", chosen("人员小组降点"), "number"),
            ("提成比例", chosen("提成比例"), "percent"),
            ("本月提成", chosen("本月提成"), "money"),
            ("本月奖金合计", chosen("本月合计"), "money"),
        ],
    )
    pct = [styling.INT, styling.INT, "0.0"]
    mon = [styling.INT, styling.INT, styling.MONEY]
    return Template(
        id=ID, version=VERSION, title="呼叫中心月度排名与晋降级", filename="t3_hujiao.xlsx",
        source="《电销运营方案》（方案：呼叫中心月度排名与晋降级）", readme=README,
        scalars=[
            Scalar("基础提成比例", "基础提成比例（示例，原文待协商）", 0.03, kind="percent"),
            Scalar("百分点", "1个百分点（降点表的单位）", 0.01, kind="percent",
                   note="降点表以百分点填写，如 -0.5 即提成比例减0.5%"),
            Scalar("晋升连续月数", "连续当选小组长几个月晋升主管", 3, kind="int"),
            Scalar("降级连续月数", "主管两组连续几个月最低降为小组长", 3, kind="int"),
            Scalar("降级口径", "「两个小组业绩最低」的读法", "两组合计最低", kind="choice",
                   choices=("两组合计最低", "两组皆最低"),
                   note="两组合计最低＝主管两组合计在主管中最低（默认）；两组皆最低＝两组恰为全部小组中最低的两组"),
            Scalar("每主管组数", "每位主管管理的小组数", 2, kind="int"),
            Scalar("组长排名方式", "组内业绩相同时", "顺序", kind="choice", choices=("顺序", "并列"),
                   note="顺序＝按表中先后只选一人；并列＝同列第1"),
        ],
        tables=[
            ParamTable("个人奖表", "本月个人现金奖（示例）", ["名次从", "名次到", "每人奖金（元）"],
                       [[1, 1, 800], [2, 2, 500], [3, 3, 300]], "prize", fmts=mon),
            ParamTable("个人降点表", "本月业绩最低的个人减少提成（从最低数起）", ["倒数名次从", "倒数名次到", "提成增减（百分点）"],
                       [[1, 3, -0.5]], "prize", fmts=pct),
            ParamTable("小组奖表", "本月小组现金奖（示例）", ["名次从", "名次到", "每组奖金（元）"],
                       [[1, 1, 1000], [2, 2, 600]], "prize", fmts=mon),
            ParamTable("小组降点表", "本月业绩最低的小组全组减少提成", ["倒数名次从", "倒数名次到", "提成增减（百分点）"],
                       [[1, 1, -0.5]], "prize", fmts=pct),
        ],
        sheets=[sheet, groups, sups, explain],
        slip=Slip("人员业绩", key="工号", name="姓名", paid=("本月奖金合计",)),
    )
