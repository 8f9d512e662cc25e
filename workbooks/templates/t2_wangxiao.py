"""t2-wangxiao：网销电话专员绩效工资 (seeds/000 第二篇, SCHEMES.md §2)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from workbooks import styling
from workbooks.model import Col, DataSheet, ParamTable, Scalar, Slip, Template
from workbooks.templates.common import (
    KINDS,
    LEDGER_ID,
    SPARE_ROWS,
    chosen,
    deductions_ledger,
    explain_sheet,
    person_name,
    xlookup,
)

ID = "t2-wangxiao"
VERSION = "1.0"
SEED = 20170207
ROLES = ("电话专员", "销售顾问")
BREACH = "违反客户信息管理规定"

README = [
    ("方案是什么", [
        "汽车4S店网销改制：电话专员负责网络客户的回访与邀约，待遇为底薪加绩效——邀约到店按组计奖，成功交付按台计奖，"
        "每台单价随当月邀约达成率分三档；违反客户信息管理规定的，销售顾问与电话专员分别罚款。",
    ]),
    ("原文条款（《网销改制方案》）", [
        "原文五、1：「电话专员：底薪1600 绩效：邀约到店10元/组，成功交付60-80元/台 绩效核算方式：(实际邀约数=Y)网销经理制定月度邀约目标"
        " Y≤100%时，按60元/组核算；100%∠Y≤110%时，按70元/组核算；110%∠Y时，按80元/组核算；」（原文的「∠」是小于号）",
        "原文六、5：「电话专员不得私下转换客户联系方式、变更专属销售顾问、或与销售顾问私下协商变卖网络客户信息。若发现有以上类似情况的扣除该销售"
        "顾问该车销售奖励额外处销售顾问1000元，电话专员500元的罚款。」",
    ]),
    ("怎样填写", [
        "「月度绩效」表每人一行：岗位、当月邀约目标（组）、实际邀约（组）、实际邀约到店（组）、成功交付（台）与其中的组数。"
        "达成率、交付单价、各项奖金与应发由公式算出。「个人明细」表选工号查看逐项计算。",
        "「扣款登记」表：当月每发现一次违规记一行（日期、工号、事项、次数）；每次罚款按违规人的岗位（参数「罚款标准」），"
        "按工号汇总到「月度绩效」表的违规次数与罚款。",
    ]),
    ("公式", [
        "达成率 Y = 邀约到店（或按参数「Y口径」取实际邀约）÷ 月度邀约目标；交付单价 = BAND(Y, 交付单价档, 2, \"上含\")："
        "Y 恰为100%按60元，恰为110%按70元。",
        "底薪、邀约奖、交付奖只发电话专员（IF(岗位=\"电话专员\", …, 0)）；罚款 = SUMIFS(扣款金额, 事项工号, 工号)，"
        "扣款金额 = 次数 × 违规人岗位的罚款；应发 = MONEY(底薪 + 邀约奖 + 交付奖 − 罚款)。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① Y 的含义：原文写「(实际邀约数=Y)网销经理制定月度邀约目标」又按百分比分档。两种读法：Y = 实际邀约到店组数 ÷ 月度邀约目标"
        "（参数「Y口径」＝邀约到店，默认，与「邀约到店10元/组」计奖的口径一致），或 Y = 实际邀约组数（不论是否到店）÷ 月度邀约目标"
        "（「Y口径」＝实际邀约，按原文字面）。",
        "② 档位边界：原文「Y≤100%」「100%<Y≤110%」，边界值属于下一档以下（上含），参数「交付单价档」的起点 100%、110%；"
        "比较时按12位有效数字，44÷40 恰为110%。",
        "③ 原文按「元/组」写交付单价（「按60元/组核算」），但标题是「成功交付60-80元/台」。两种读法：按成功交付台数计"
        "（参数「交付计奖单位」＝台，默认，依标题）；或按成交的客户组数计（「交付计奖单位」＝组，依档位条文，一组客户买两台只计一次）。",
        "④ 月度邀约目标为0或空：达成率记0（按最低档）。",
        "⑤ 底薪、邀约奖与交付奖原文只写在「电话专员」名下（「电话专员：底薪1600 绩效：邀约到店10元/组，成功交付60-80元/台」），"
        "所以销售顾问行即使填了邀约与交付数也不计这三项，只在本表记罚款（负数应发＝应扣款）；其销售奖励不在本方案内，"
        "「扣除该销售顾问该车销售奖励」需另行处理。罚款标准见参数「罚款标准」。",
    ]),
]


def _rows(n: int, rng: random.Random) -> list[list[Any]]:
    month = dt.date(2017, 3, 1)
    rows = []
    edge = [(40, 40), (40, 44), (40, 45), (40, 41), (50, 30), (30, 33)]
    for i in range(n):
        role = "销售顾问" if i % 5 == 4 else "电话专员"
        if role == "电话专员":
            target, invited = edge[i] if i < len(edge) else (rng.choice([30, 35, 40, 45, 50]), 0)
            if i >= len(edge):
                invited = max(0, round(target * rng.uniform(0.6, 1.3)))
            delivered = max(0, round(invited * rng.uniform(0.2, 0.5)))
            asked = invited + rng.choice([0, 2, 5, 8])
        elif i % 10 == 4:  # a 销售顾问 with invitation and delivery figures: not paid the 电话专员's rates
            target, asked, invited, delivered = 0, 15, 12, 5
        else:
            target = asked = invited = delivered = 0
        groups = delivered - (1 if delivered >= 4 else 0)  # one group bought two cars
        rows.append([f"WX{i + 1:03d}", person_name(i + 100), role, month, target, asked, invited, delivered, groups])
    return rows


def _events(rows: list[list[Any]]) -> list[list[Any]]:
    """One breach each for every 11th person (both roles), on a day of the month."""
    return [[dt.date(2017, 3, 5 + i % 20), r[0], BREACH, 1, ""] for i, r in enumerate(rows) if i % 11 == 3]


def template(n_staff: int = 32, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    rows = _rows(n_staff, rng)
    ledger = deductions_ledger(_events(rows), "工号", "工号",
                               each=xlookup(xlookup(LEDGER_ID, "工号", "岗位"), "罚款岗位", "罚款金额"),
                               title="违反客户信息管理规定登记（罚款）")
    sheet = DataSheet(
        name="月度绩效",
        title="网销电话专员月度绩效工资",
        note="每人每月一行。黄色为填写列；灰色列为公式（已锁定）。",
        cols=[
            Col("工号", "text", name="工号", width=9),
            Col("姓名", "text", name="姓名", width=9),
            Col("岗位", "choice", name="岗位", choices=ROLES, width=10),
            Col("月份", "date", name="月份", width=11, fmt="yyyy-mm"),
            Col("月度邀约目标（组）", "int", name="邀约目标", width=10),
            Col("实际邀约（组）", "int", name="实际邀约", width=10),
            Col("邀约到店（组）", "int", name="邀约到店", width=10),
            Col("成功交付（台）", "int", name="成功交付", width=10),
            Col("成功交付（组）", "int", name="交付组数", width=10),

            Col("达成率Y", "percent", name="达成率", width=10,
                formula='IF(邀约目标>0,IF(Y口径="实际邀约",实际邀约,邀约到店)/邀约目标,0)'),
            Col("交付单价", "money", name="交付单价", width=10, formula='BAND(达成率,交付单价档,2,"上含")'),
            Col("底薪", "money", name="底薪额", width=10, formula='IF(岗位="电话专员",底薪,0)'),
            Col("邀约奖", "money", name="邀约奖", width=10, formula='IF(岗位="电话专员",MONEY(邀约到店*邀约单价),0)'),
            Col("交付奖", "money", name="交付奖", width=10, formula='IF(岗位="电话专员",MONEY(IF(交付计奖单位="组",交付组数,成功交付)*交付单价),0)'),
            Col("违规次数", "int", name="违规次数", width=8, formula="SUMIFS(事项次数,事项工号,工号)"),
            Col("罚款", "money", name="罚款", width=10, formula="SUMIFS(扣款金额,事项工号,工号)"),
            Col("应发合计", "money", name="应发合计", width=12, formula="MONEY(底薪额+邀约奖+交付奖-罚款)"),
        ],
        rows=rows,
        nrows=len(rows),
        spare=SPARE_ROWS,
        empty_key="工号",
    )
    explain = explain_sheet(
        "个人明细", "个人月度绩效工资明细", "工号", "工号", rows[0][0],
        [
            ("姓名", chosen("姓名"), "text"),
            ("岗位", chosen("岗位"), "text"),
            ("月度邀约目标（组）", chosen("邀约目标"), "int"),
            ("邀约到店（组）", chosen("邀约到店"), "int"),
            ("达成率Y", chosen("达成率"), "percent"),
            ("交付单价（元/台）", chosen("交付单价"), "money"),
            ("成功交付（台）", chosen("成功交付"), "int"),
            ("底薪", chosen("底薪额"), "money"),
            ("邀约奖", chosen("邀约奖"), "money"),
            ("交付奖", chosen("交付奖"), "money"),
            ("罚款", chosen("罚款"), "money"),
            ("应发合计", chosen("应发合计"), "money"),
        ],
    )
    return Template(
        id=ID, version=VERSION, title="网销电话专员绩效工资", filename="t2_wangxiao.xlsx",
        source="《网销改制方案》（方案：网销电话专员绩效工资）", readme=README,
        scalars=[
            Scalar("底薪", "电话专员底薪（元/月）", 1600, kind="money"),
            Scalar("邀约单价", "邀约到店（元/组）", 10, kind="money"),
            Scalar("Y口径", "达成率Y的分子", "邀约到店", kind="choice", choices=("邀约到店", "实际邀约"),
                   note="邀约到店＝到店组数÷目标（默认）；实际邀约＝邀约组数÷目标（原文「实际邀约数=Y」字面）"),
            Scalar("交付计奖单位", "交付单价按台还是按组", "台", kind="choice", choices=("台", "组"),
                   note="台＝成功交付台数×单价（默认，依「60-80元/台」）；组＝成交客户组数×单价（依「按60元/组核算」）"),
        ],
        tables=[
            ParamTable("交付单价档", "交付单价按达成率Y分档（上含：Y恰为100%属60元档）", ["达成率起点", "交付单价（元/台）"],
                       [[0, 60], [1, 70], [1.1, 80]], "band", fmts=[styling.PERCENT, styling.MONEY], side="upper"),
            ParamTable("罚款标准", "违规罚款（元/次）", ["岗位", "罚款（元）"], [["销售顾问", 1000], ["电话专员", 500]],
                       "lookup", fmts=[None, styling.MONEY], col_names={0: "罚款岗位", 1: "罚款金额"}),
            ParamTable("扣款标准", "违规事项（每次罚款按违规人的岗位，见「罚款标准」）", ["事项", "原文"],
                       [[BREACH, "原文六、5：私下转换客户联系方式、变更专属销售顾问、或私下协商变卖网络客户信息"]], "lookup",
                       col_names={0: KINDS}),
        ],
        sheets=[sheet, ledger, explain],
        slip=Slip("月度绩效", key="工号", name="姓名", paid=("应发合计",)),
    )
