"""t6-weixi：客户维系考核激励 (seeds/004, SCHEMES.md §6)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import (
    SPARE_ROWS,
    YES_NO,
    Detail,
    chosen,
    explain_sheet,
    person_name,
)

ID = "t6-weixi"
VERSION = "1.0"
SEED = 2016
ROLES = ("营业员", "中心经理", "网格经理", "装维经理")
BB_TYPES = ("预存送费", "光纤平移")

README = [
    ("方案是什么", [
        "运营商营业部的老客户维系激励：员工为老客户办理「购机送费」（移动）或「预存网费送费」（宽带）优惠，按户奖励，并折算效能计入月度KPI。"
        "移动按户奖励分两段（营业员5户内20元、超出部分40元；其他岗位2户内20元、超出部分40元），宽带每户20元。",
    ]),
    ("原文条款（《关于调整2015年客户维系考核激励方案的通知》）", [
        "原文一、移动：「中心经理、网格经理、装维经理、营业员办理购机送费优惠，非到期目标客户按每户折算0.5个移动效能计入个人月度KPI考核，"
        "到期目标客户(以市公司下发目标客户为准)按每户折算1个移动效能计入个人月度KPI考核，营业员揽装在5户内按每户奖励20元，超出5户部分"
        "每户奖励40元，其它人员揽装2户内按每户奖励20元，超出2户部分每户奖励40元。」",
        "考核细则：「(1)办理购机送费移动号码为不能为副卡、无月租用户……(2)补贴未到期中途取消补贴重新办理购机送费优惠，不纳入奖励范畴。"
        "(3)办理购机送费优惠用户必须为有效使用4G卡用户。(4)折算效能只列入计算月度KPI考核得分，不列入计算移动超量奖。」",
        "原文二、宽带：「非到期目标客户可折算0.5个宽带效能计入KPI考核，到期目标客户……可折算1个宽带效能计入KPI考核，所有员工办理预存网费送费"
        "优惠奖励20元/户。」「办理宽带老客户光纤平移折算0.5个宽带效能计入KPI考核，光纤平移奖励参照相关激励文件。」",
    ]),
    ("原文条款：邮政大客户维护方案（同一文件集）", [
        "四、客户维护考核要求：「1.客户维护按月考核,月底汇总、评比、通报。采用百分制,信息量50分、贡献率50分,达到标准得基本分,"
        "超额完成按比例加分,未完成按比列扣分。 2.客户信息收集一周不低于10户、一月不低于50户。 3.每项业务收集的客户贡献率不低本月单位业绩的70%。」",
    ]),
    ("怎样填写", [
        "1. 「人员」表：每位员工一行，填岗位。",
        "2. 「移动办理」表：每笔购机送费一行——揽装人工号、是否到期目标客户、是否副卡、是否无月租、是否有效使用4G卡、是否中途取消后重办。",
        "3. 「宽带办理」表：每笔一行——揽装人工号、业务类型（预存送费/光纤平移）、是否到期目标客户。",
        "4. 「人员」表的户数、奖励与效能由公式汇总；「个人明细」表选工号查看移动奖励的分段明细（TIER_DETAIL）。",
        "5. 「客户维护考核」表（邮政方案）：每人每月一行——本月收集客户信息户数、各周中最少的一周户数、客户贡献率；得分由公式算出。",
    ]),
    ("公式", [
        "移动有效户数 = COUNTIFS(揽装人, 工号, 副卡, \"否\", 无月租, \"否\", 有效4G, \"是\", 取消重办, \"否\")。",
        "移动奖励 = IF(岗位=\"营业员\", TIERED(户数, 营业员移动档, \"超额\"), TIERED(户数, 其他岗位移动档, \"超额\"))：营业员8户 → 5×20+3×40 = 220元。",
        "移动效能 = 到期户数×到期效能 + (有效户数−到期户数)×非到期效能；宽带同理，光纤平移每户0.5。",
        "宽带奖励 = 预存送费户数 × 宽带单价。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "⑦ 邮政客户维护考核：「达到标准得基本分,超额完成按比例加分,未完成按比列扣分」读作按达成比例计分——信息量得分 = 50 × 本月户数 ÷ 50户，"
        "贡献率得分 = 50 × 贡献率 ÷ 70%，超额不封顶（参数「信息量分值」「月户数标准」「贡献率分值」「贡献率标准」）。"
        "「一周不低于10户」另列为是否达标的标记，不改变得分（参数「周户数标准」）；如贵单位要求周标准未达者扣分，请另行规定。",
        "① 不符合条件的移动办理（副卡、无月租、非有效4G、中途取消重办）不计奖励。是否也不计效能，原文两可：细则(2)只说「不纳入奖励范畴」，"
        "而(1)(3)写「不能为」「必须为」，像是办理条件。参数「无效单计效能」＝否（默认）：不符合条件的办理既不计奖励也不计效能；"
        "＝是：效能按全部办理户数计，只有奖励按有效户数。",
        "② 「其他人员」指中心经理、网格经理、装维经理；宽带条款中的「网格人员」按网格经理。",
        "③ 宽带预存送费：原文前句列举中心经理、网格人员、营业员，后句写「所有员工……奖励20元/户」，本模板对所有岗位都按20元/户。",
        "④ 光纤平移只计效能（0.5/户），奖励「参照相关激励文件」，不在本模板内。",
        "⑤ 户数段的边界：「5户内」含第5户（第1—5户20元，第6户起40元），即超额累进、上含；参数「营业员移动档」「其他岗位移动档」。",
        "⑥ 效能只计入月度KPI，不进入超量奖（原文(4)）；本模板单列效能，不折算金额。",
    ]),
]


def _mobile(staff: list[list[Any]], rng: random.Random) -> list[list[Any]]:
    rows = []
    counts = [8, 5, 6, 2, 3, 0]  # first staff: counts of valid orders to exercise the band edges
    day = dt.date(2016, 1, 4)
    n = 0
    for i, s in enumerate(staff):
        valid = counts[i] if i < len(counts) else rng.randint(0, 9)
        invalid = rng.choice([0, 0, 1, 2])
        for k in range(valid + invalid):
            bad = k >= valid
            flags = ["否", "否", "是", "否"]  # 副卡, 无月租, 有效4G, 取消重办
            if bad:
                j = rng.randrange(4)
                flags[j] = "否" if j == 2 else "是"
            due = "是" if rng.random() < 0.4 else "否"
            rows.append([day + dt.timedelta(days=(n * 3) % 28), f"1{rng.randint(3, 8)}{rng.randint(0, 10**9 - 1):09d}",
                         s[0], due, *flags])
            n += 1
    return rows


def _broadband(staff: list[list[Any]], rng: random.Random) -> list[list[Any]]:
    rows = []
    day = dt.date(2016, 1, 5)
    n = 0
    for s in staff:
        for _ in range(rng.choice([0, 1, 2, 3, 4])):
            kind = "光纤平移" if rng.random() < 0.25 else "预存送费"
            rows.append([day + dt.timedelta(days=(n * 5) % 27), f"KD{rng.randint(0, 10**8 - 1):08d}", s[0], kind,
                         "是" if rng.random() < 0.35 else "否"])
            n += 1
    return rows


def _postal(rng: random.Random) -> list[list[Any]]:
    """32 staff in one month: at, above and below both standards."""
    fixed = [(50, 10, 0.7), (60, 12, 0.84), (40, 8, 0.56), (50, 9, 0.7), (75, 15, 0.35)]
    rows = []
    for k in range(32):
        n, week, share = fixed[k] if k < len(fixed) else (rng.randint(30, 80), rng.randint(5, 18),
                                                          round(rng.uniform(0.4, 0.95), 2))
        rows.append([f"YZ{k + 1:03d}", person_name(1700 + k), 7, n, week, share])
    return rows


def template(n_staff: int = 32, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    staff = [[f"WX{i + 1:03d}", person_name(1200 + i), ROLES[0] if i % 4 != 3 else ROLES[1 + (i // 4) % 3]]
             for i in range(n_staff)]
    staff[3][2] = "网格经理"  # 2 valid orders: exactly at the other roles' edge
    staff[4][2] = "装维经理"  # 3 valid orders: one above the edge
    mobile = _mobile(staff, rng)
    broadband = _broadband(staff, rng)
    mob_sheet = DataSheet(
        name="移动办理",
        title="移动购机送费办理明细（以CRM订单为准）",
        note="每笔一行。不符合条件的（副卡、无月租、非有效4G、中途取消重办）照实填写，公式会自动剔除。",
        cols=[
            Col("办理日期", "date", name="移动日期", width=11),
            Col("号码", "text", name="移动号码", width=13),
            Col("揽装人工号", "choice", name="移动揽装人", choices_ref="工号", width=10),
            Col("到期目标客户", "choice", name="移动到期", choices=YES_NO, width=8),
            Col("副卡", "choice", name="移动副卡", choices=YES_NO, width=6),
            Col("无月租", "choice", name="移动无月租", choices=YES_NO, width=6),
            Col("有效4G卡", "choice", name="移动有效4G", choices=YES_NO, width=7),
            Col("中途取消重办", "choice", name="移动取消重办", choices=YES_NO, width=8),
        ],
        rows=mobile,
        nrows=len(mobile),
        spare=SPARE_ROWS,
        empty_key="移动日期",
    )
    bb_sheet = DataSheet(
        name="宽带办理",
        title="宽带老客户维系办理明细",
        note="每笔一行：业务类型为预存送费或光纤平移。",
        cols=[
            Col("办理日期", "date", name="宽带日期", width=11),
            Col("宽带账号", "text", name="宽带账号", width=13),
            Col("揽装人工号", "choice", name="宽带揽装人", choices_ref="工号", width=10),
            Col("业务类型", "choice", name="宽带类型", choices=BB_TYPES, width=10),
            Col("到期目标客户", "choice", name="宽带到期", choices=YES_NO, width=8),
        ],
        rows=broadband,
        nrows=len(broadband),
        spare=SPARE_ROWS,
        empty_key="宽带日期",
    )
    valid = "移动揽装人,工号,移动副卡,\"否\",移动无月租,\"否\",移动有效4G,\"是\",移动取消重办,\"否\""
    postal = DataSheet(
        name="客户维护考核",
        title="邮政客户维护月度考核（信息量50分 + 贡献率50分）",
        note="每人每月一行：本月收集客户信息户数、各周中最少一周的户数、客户贡献率（占本月单位业绩的比例）。灰色列为公式。",
        cols=[
            Col("工号", "text", name="维护工号", width=8),
            Col("姓名", "text", name="维护姓名", width=9),
            Col("月份", "int", name="维护月份", width=6),
            Col("本月收集户数", "int", name="本月户数", width=9),
            Col("最少一周户数", "int", name="最少周户数", width=9),
            Col("客户贡献率", "percent", name="贡献率", width=9),
            Col("信息量得分", "number", name="信息量得分", fmt=styling.SCORE, width=9,
                formula="信息量分值*本月户数/月户数标准"),
            Col("贡献率得分", "number", name="贡献率得分", fmt=styling.SCORE, width=9,
                formula="贡献率分值*贡献率/贡献率标准"),
            Col("考核得分", "number", name="维护得分", fmt=styling.SCORE, width=9, formula="信息量得分+贡献率得分"),
            Col("每周达标", "text", name="每周达标", width=8, formula='IF(最少周户数>=周户数标准,"是","否")'),
        ],
        rows=_postal(random.Random(seed + 1)),
        nrows=32,
        spare=SPARE_ROWS,
        empty_key="维护工号",
    )
    people = DataSheet(
        name="人员",
        title="客户维系奖励与效能（按人汇总）",
        note="每位员工一行，填岗位；其余列由公式从办理明细汇总。",
        cols=[
            Col("工号", "text", name="工号", width=8),
            Col("姓名", "text", name="姓名", width=9),
            Col("岗位", "choice", name="岗位", choices=ROLES, width=9),
            Col("移动有效户数", "int", name="移动户数", width=9, formula=f"COUNTIFS({valid})"),
            Col("移动到期目标户数", "int", name="移动到期户数", width=9, formula=f'COUNTIFS({valid},移动到期,"是")'),
            Col("移动奖励", "money", name="移动奖励", width=11,
                formula='IF(岗位="营业员",TIERED(移动户数,营业员移动档,"超额"),TIERED(移动户数,其他岗位移动档,"超额"))'),
            Col("移动效能", "number", name="移动效能", width=9, fmt="0.0",
                formula='IF(无效单计效能="是",COUNTIFS(移动揽装人,工号,移动到期,"是")*到期效能'
                        '+(COUNTIFS(移动揽装人,工号)-COUNTIFS(移动揽装人,工号,移动到期,"是"))*非到期效能,'
                        '移动到期户数*到期效能+(移动户数-移动到期户数)*非到期效能)'),
            Col("宽带预存户数", "int", name="宽带户数", width=9, formula='COUNTIFS(宽带揽装人,工号,宽带类型,"预存送费")'),
            Col("宽带到期目标户数", "int", name="宽带到期户数", width=9,
                formula='COUNTIFS(宽带揽装人,工号,宽带类型,"预存送费",宽带到期,"是")'),
            Col("光纤平移户数", "int", name="平移户数", width=9, formula='COUNTIFS(宽带揽装人,工号,宽带类型,"光纤平移")'),
            Col("宽带奖励", "money", name="宽带奖励", width=11, formula="MONEY(宽带户数*宽带单价)"),
            Col("宽带效能", "number", name="宽带效能", width=9, fmt="0.0",
                formula="宽带到期户数*到期效能+(宽带户数-宽带到期户数)*非到期效能+平移户数*平移效能"),
            Col("奖励合计", "money", name="奖励合计", width=12, formula="MONEY(移动奖励+宽带奖励)"),
        ],
        rows=staff,
        nrows=len(staff),
        spare=SPARE_ROWS,
        empty_key="工号",
    )
    explain = explain_sheet(
        "个人明细", "客户维系个人奖励明细", "工号", "工号", staff[0][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("岗位", chosen("岗位"), "text"),
            ("移动有效户数", chosen("移动户数"), "int"),
            ("移动奖励", chosen("移动奖励"), "money"),
            ("移动效能", chosen("移动效能"), "number"),
            ("宽带预存户数", chosen("宽带户数"), "int"),
            ("宽带奖励", chosen("宽带奖励"), "money"),
            ("宽带效能", chosen("宽带效能"), "number"),
            ("奖励合计", chosen("奖励合计"), "money"),
        ],
        [Detail("移动奖励 TIER_DETAIL 分段明细（最后一行为合计）", ["档起", "档止", "户数", "每户", "金额"],
                f'TIER_DETAIL({chosen("移动户数")},IF({chosen("岗位")}="营业员",营业员移动档,其他岗位移动档),"超额")', 3)],
    )
    band_fmt = [styling.INT, styling.MONEY]
    return Template(
        id=ID, version=VERSION, title="客户维系考核激励", filename="t6_weixi.xlsx",
        source="《关于调整2015年客户维系考核激励方案的通知》（方案：客户维系考核激励）", readme=README,
        scalars=[
            Scalar("宽带单价", "宽带预存送费奖励（元/户）", 20, kind="money"),
            Scalar("到期效能", "到期目标客户折算效能（个/户）", 1),
            Scalar("非到期效能", "非到期目标客户折算效能（个/户）", 0.5),
            Scalar("平移效能", "光纤平移折算宽带效能（个/户）", 0.5),
            Scalar("信息量分值", "邮政考核：信息量满分（达标得分）", 50),
            Scalar("月户数标准", "邮政考核：每月收集客户信息不低于（户）", 50, kind="int"),
            Scalar("周户数标准", "邮政考核：每周收集客户信息不低于（户）", 10, kind="int"),
            Scalar("贡献率分值", "邮政考核：贡献率满分（达标得分）", 50),
            Scalar("贡献率标准", "邮政考核：客户贡献率不低于", 0.7, kind="percent"),
            Scalar("无效单计效能", "不符合奖励条件的移动办理计效能", "否", kind="choice", choices=("否", "是"),
                   note="否＝既不计奖励也不计效能（默认）；是＝效能按全部办理户数"),
        ],
        tables=[
            ParamTable("营业员移动档", "营业员移动奖励（超额累进：第1—5户20元，第6户起40元）", ["户数起点", "每户奖励（元）"],
                       [[0, 20], [5, 40]], "band", fmts=band_fmt, side="upper"),
            ParamTable("其他岗位移动档", "中心经理、网格经理、装维经理移动奖励（第1—2户20元，第3户起40元）",
                       ["户数起点", "每户奖励（元）"], [[0, 20], [2, 40]], "band", fmts=band_fmt, side="upper"),
        ],
        sheets=[people, mob_sheet, bb_sheet, postal, explain],
        slip=Slip("人员", key="工号", name="姓名", paid=("奖励合计",)),
    )
