"""t5-xiaoshou：销售员月度与年度考核 (seeds/003, SCHEMES.md §5)."""

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
    deductions_ledger,
    deductions_table,
    explain_sheet,
    month_pivot,
    person_name,
    xlookup,
)

ID = "t5-xiaoshou"
VERSION = "1.0"
SEED = 12
MONTHS = 12
YEAR = 2019
MANAGER_ITEMS = [("月工作总结", 20), ("月工作计划", 20), ("销售方案", 20), ("月报按时上报", 10),
                 ("周报审查指导", 10), ("组织培训", 10), ("区域管理", 10)]
DAMAGE = "宣传资料严重损坏或丢失"
RIVAL = "参与竞争型报刊征订"

README = [
    ("方案是什么", [
        "销售员按月考核：日常工作（百分制，权重70%）与出勤（百分制，权重30%）加权得月度考核分；年度考核分为12个月考核分之和除以12。"
        "考核分是基本底薪和绩效工资的调节系数（80分拿全额）。连续三个月低于70分或一个月低于60分的要转岗和再培训。"
        "另附杂志征订协议的按份提成。",
    ]),
    ("原文条款（销售员考核细则、业务员薪酬改革、杂志征订协议，原文为繁体，此处转为简体）", [
        "原文考核频次：「年度考核……即销售员年度考核得分=(销售人员该年度12个月度考核分之和)÷12。」",
        "原文考核细则：「月度考核得分=(日常工作考核得分×权重70%)+(出勤×权重30%)」；「出勤(百分制)：权重30% 当月满勤100分，缺勤1天扣4分。(半天按1天计)」",
        "原文(五)销售员日常工作考核(百分制)：「1、经销商的管理方面(30分)，出现下列情况，每项扣5分」（共六项）；「2、销售员管理方面(70分)」（周报等）。",
        "原文：「基本底薪和绩效工资由分公司经理依据行政管理办法和工作计划，按月考核上报省公司计算发放，80分即可享受全额工资，超过80分按比例增发，"
        "低于80分相应扣发」。",
        "原文：「对于连续三个月考核分低于70分，或者一个月低于60分的业务员，要进行转岗和再次培训，培训后仍然不能胜任的则淘汰。」",
        "原文杂志征订协议第六条：「乙方的工资结算为提成每份20元，征定量超20份提成增加到25元/份。」",
        "原文(四)区域经理的日常工作考核(100分)：「1、月报(60分)」——月工作总结(20分)、月工作计划(20分)、可操作性强的销售方案(20分)；"
        "「2、区域经理应针对销售业务员的周报,认真审查,及时发现问题并给予指导。(10分)」「3、区域经理应定期组织销售员培训,每月最少一次」(10分)；"
        "「4、区域经理应于每月30日前将月报上报到销售计划部」(10分)；「5、区域经理有管理所在区域的销售业务员的责任。」(10分)；"
        "「注:如连续不上交材料者,视情节轻重给予加倍扣分。」",
        "原文业务员薪酬改革 5：「经理不参加销售提成,而是对整个区域分公司的效益负责……区域分公司利润的20%对经理以及财务主管进行奖励,"
        "其中至少50%是对经理个人的奖励」。",
        "原文业务员合同范文3：「销售目标为:48台电/扶梯,平均每月4台电/扶梯。」「1、目标任务内:合同总价的5‰,按回款率结算提成。"
        "2、销售费用:每台500元,大项目视项目情况而定,超支部分在销售奖金中扣出。3、超目标任务提成:设备总价的1%,按回款率结算提成,"
        "超额完成销售任务:每台500元奖金,年底发放。」",
        "原文杂志征订协议第五条：「乙方须保管好甲方所提供的宣传资料，严重损坏或丢失须按每套30元赔偿。」；第九条：「乙方在协议期内不得参与"
        "其他竞争型报刊书籍的宣传和征订活动。如有违反，一经发现乙方须赔偿甲方的损失并对乙方罚款500元。」",
    ]),
    ("怎样填写", [
        "1. 「月度考核」表：每人每月一行——月份（1—12）、经销商管理扣分项数（每项扣5分）、销售员管理得分（0—70）、缺勤天数（半天填0.5）、"
        "核定月工资（底薪+绩效工资）。",
        "2. 「年度考核」表：每人一行，填工号与姓名；各月得分、年度得分与转岗标记由公式算出。",
        "3. 「杂志征订」表：每人一行填征订份数；「扣款登记」表每发生一次记一行（日期、编号、事项、次数；资料损坏丢失的次数填套数），"
        "按编号从提成中扣除；「提成明细」表选编号看分档明细；「个人明细」表选工号看年度情况。",
        "4. 「区域经理考核」表：每位区域经理每月一行，填七项得分、是否连续不上交材料、缺勤天数；「效益奖励」表每个区域分公司一行，"
        "填本期利润与经理所占比例。",
        "5. 「电梯合同」表：每份电梯合同一行——签订序号（全年按签订先后1、2、3……）、销售员、台数、合同总价、设备总价、已回款；"
        "「电梯提成」表每位销售员一行——年度目标台数、全年实际销售费用、大项目另定的费用额度。",
    ]),
    ("公式", [
        "经销商管理得分 = DEDUCT(经销商满分, 扣分项数, 每项扣分)；出勤得分 = DEDUCT(出勤满分, ROUNDUP(缺勤天数, 0), 缺勤扣分)（半天按1天）。",
        "月度得分 = WSCORE(日常工作得分:出勤得分, 月度权重)；月度工资 = MONEY(核定月工资 × 月度得分 ÷ 全额基准分)。",
        "各月得分 = SUMIFS(月度得分, 月度工号, 工号, 月份, 月份序号)（一个公式溢出12列），没有该月记录的按参数「缺月记分」留空或记0；"
        "年度得分 = 合计 ÷ 全年月数。",
        "连续低分 = STREAK(各月得分, \"<\"&连续低分线)；单月低分 = STREAK(各月得分, \"<\"&单月低分线)（≥1即有）。",
        "杂志提成 = TIERED(征订份数, 杂志提成表, 杂志提成口径, \"上含\")。",
        "区域经理：材料得分 = WSCORE(月报三项与按时上报, 材料权重, 材料满分)，其他得分同理；日常工作得分 = DEDUCT(日常满分, "
        "材料失分 × (连续不上交时「加倍倍数」，否则1) + 其他失分, 1)（最低0分）；月度得分 = WSCORE(日常:出勤, 月度权重)，与销售员相同。",
        "效益奖励：奖励总额 = 利润 × 20%（利润不为正时0）；经理奖励 = 总额 × 经理比例（低于50%按50%）；财务主管奖励 = 总额 − 经理奖励。",
        "电梯：超目标台数 = 此前累计台数（签订序号在前的合同）已达目标则全部，跨过目标则超出的部分；回款率 = 已回款 ÷ 合同总价（最多100%）；"
        "目标内提成 = 合同总价 × 目标内台数占比 × 5‰ × 回款率；超目标提成 = 设备总价 × 超目标台数占比 × 1% × 回款率；超额奖金 = 超目标台数 × 500；"
        "费用超支 = 实际销售费用 − (全年台数 × 500 + 大项目另定额度)（不足为0）；应发 = 各项提成 + 超额奖金 − 费用超支。",
    ]),
    ("文件未写明之处与本模板的做法（可改参数）", [
        "① 杂志提成的读法：「征定量超20份提成增加到25元/份」可读作超过20份后全部按25元（全额），或只有第21份起按25元（超额）。"
        "本模板默认「全额」：30份 → 750元；改参数「杂志提成口径」为「超额」：30份 → 20×20+10×25 = 650元。「超20份」按大于20份（20份整仍按20元，上含）。",
        "② 工资系数：「超过80分按比例增发，低于80分相应扣发」读作 系数 = 月度得分 ÷ 80（无上下限），参数「全额基准分」。",
        "③ 连续三个月：按一年中最长的连续低分月数（STREAK 默认「最长」）。缺少的月份（年中入职、尚未考核的月份）："
        "原文「连续三个月考核分低于70分，或者一个月低于60分」说的是考核分，没有考核的月份不是低于60分的考核分。"
        "参数「缺月记分」＝不计（默认）：缺月留空，不算低分，并打断连续；＝按0分：缺月记0分，算作低分（年中刷新时人人都会被标记转岗）。",
        "④ 年度得分固定除以12（原文），不足12个月的人员也除以12，参数「全年月数」。",
        "⑤ 销售员管理方面（70分）的细项在原文中不全，本模板直接填其得分；经销商管理方面按扣分项数计。",
        "⑥ 出勤得分与经销商管理得分最低为0（「扣完为止」）。",
        "⑦ 杂志征订的赔偿（30元/套）与罚款（500元）从提成中扣除，扣后可为负数（应向甲方缴纳）；第九条「赔偿甲方的损失」的金额原文未定，"
        "不在本表内，须另行登记。",
        "⑧ 电梯「超目标任务」：按签订先后，销售员全年累计台数超过「年度目标台数」（原文48台）之后的台数为超目标；一份合同跨过目标时按台数比例拆分"
        "合同总价与设备总价。另一读法（全年超出台数按全年平均比例计）未采用。「按回款率结算」：提成 × 已回款 ÷ 合同总价，回款超过合同总价按100%；"
        "未回款部分待回款后重算。超额奖金「年底发放」，本表列入全年应发。「大项目视项目情况而定」的费用额度填在「大项目另定额度」；"
        "「超支部分在销售奖金中扣出」：从全年提成与奖金中扣除，扣后可为负数。",
        "⑨ 区域经理「加倍扣分」：「连续不上交材料」读作本月与上月都未交月报等材料；此时月报、按时上报四项的失分乘参数「加倍倍数」（默认2），"
        "其他三项不加倍，日常工作得分最低0分（扣完为止）。是否「连续」由考核人判断后在表中选「是」。",
        "⑩ 效益奖励：「其中至少50%是对经理个人的奖励」——经理所占比例由公司确定，填在表中；低于参数「经理最低比例」（50%）的按50%计，"
        "其余归财务主管；利润为负或0时不发。奖励发放周期原文未写。",
    ]),
]


def _months(n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(n):
        base = rng.choice([3000, 3200, 3500, 3800, 4200, 4500])
        for m in range(1, MONTHS + 1):
            k = rng.choice([0, 0, 0, 1, 1, 2])
            mgmt = rng.choice([58, 60, 62, 64, 65, 66, 68, 70])
            absent = rng.choice([0, 0, 0, 0, 0.5, 1, 1.5, 2])
            if i == 2 and 4 <= m <= 6:  # three months below 70 in a row
                k, mgmt, absent = 3, 45, 2
            if i == 6 and m == 9:  # one month below 60
                k, mgmt, absent = 5, 40, 5
            if i == 10 and m in (3, 4, 8):  # below 70 twice running, then once: no flag
                k, mgmt, absent = 3, 45, 2
            if i == n - 1 and m < 7:  # joined in July: no score before, not a low score
                continue
            if i == n - 1:  # full marks every month: 30 + 70, full attendance
                k, mgmt, absent = 0, 70, 0
            rows.append([f"XS{i + 1:03d}", person_name(900 + i), m, k, mgmt, absent, base])
    return rows


def _managers(rng: random.Random) -> list[list[Any]]:
    """Four 区域经理 × 12 months; one misses the 月报 two months running (加倍扣分)."""
    rows = []
    for k in range(4):
        for m in range(1, MONTHS + 1):
            items = [min(f, round(f * rng.uniform(0.7, 1.0))) for _h, f in MANAGER_ITEMS]
            late = "否"
            if k == 1 and m in (5, 6):  # no 月报 in May and June: the second month is doubled
                items[:4] = [0, 0, 0, 0]
                late = "是" if m == 6 else "否"
            rows.append([f"QJ{k + 1:02d}", person_name(1300 + k), m, *items, late, rng.choice([0, 0, 0.5, 1, 2])])
    return rows


def _branches(rng: random.Random) -> list[list[Any]]:
    """Six 区域分公司: one with a loss, one whose 经理 share is typed below the minimum."""
    out = []
    for k, name in enumerate(["东区", "西区", "南区", "北区", "中区", "沿江"]):
        gain = -35000 if k == 3 else round(rng.uniform(80000, 600000), -2)
        share = [0.5, 0.6, 0.7, 0.5, 0.4, 0.55][k]
        out.append([f"{name}分公司", person_name(1400 + 2 * k), person_name(1401 + 2 * k), gain, share])
    return out


def _lift_sales(rng: random.Random) -> tuple[list[list[Any]], list[list[Any]]]:
    """Four elevator salespeople (target 48 台); the first two pass the target, one of them
    with a contract that straddles it; some contracts not yet fully paid."""
    names = [person_name(1100 + k) for k in range(4)]
    sellers = [[n, 48, e, extra] for n, e, extra in zip(names, [30000, 21000, 9000, 26000], [None, None, None, 5000],
                                                           strict=True)]
    units = {0: [8, 8, 8, 8, 8, 6, 5, 4, 3], 1: [6, 6, 6, 6, 6, 6, 6, 5, 4], 2: [4, 5, 3, 6], 3: [7, 8, 6, 9, 5]}
    queue = [(k, u) for k, us in units.items() for u in us]
    rng.shuffle(queue)
    queue.sort(key=lambda ku: units[ku[0]].index(ku[1]))  # round-robin-ish over the year, deterministic
    contracts = []
    for seq, (k, u) in enumerate(queue, start=1):
        device = u * rng.choice([180000, 220000, 260000])
        total = device + u * rng.choice([20000, 30000, 40000])
        paid = total if seq % 4 else round(total * rng.choice([0.3, 0.6, 0.85]), -2)
        day = dt.date(YEAR, 1 + (seq - 1) * 12 // len(queue), 1 + seq % 27)
        contracts.append([seq, f"DT{YEAR}-{seq:03d}", names[k], day, u, total, device, paid])
    return sellers, contracts


def template(n_staff: int = 30, seed: int = SEED) -> Template:
    rng = random.Random(seed)
    months = _months(n_staff, rng)
    staff = list(dict.fromkeys((r[0], r[1]) for r in months))
    staff_rows = [list(p) for p in staff]
    monthly = DataSheet(
        name="月度考核",
        title="销售员月度考核与月度工资",
        note="每人每月一行。黄色为填写列；灰色列为公式（已锁定）。",
        cols=[
            Col("工号", "text", name="月度工号", width=8),
            Col("姓名", "text", name="月度姓名", width=9),
            Col("月份", "int", name="月份", width=6),
            Col("经销商管理扣分项数", "int", name="扣分项数", width=10),
            Col("销售员管理得分", "number", name="销售员管理得分", fmt=styling.SCORE, width=10),
            Col("缺勤天数", "number", name="缺勤天数", fmt="0.0", width=8),
            Col("核定月工资", "money", name="核定月工资", width=12),
            Col("经销商管理得分", "number", name="经销商得分", fmt=styling.SCORE, width=10,
                formula="DEDUCT(经销商满分,扣分项数,每项扣分)"),
            Col("日常工作得分", "number", name="日常得分", fmt=styling.SCORE, width=10,
                formula="经销商得分+销售员管理得分"),
            Col("出勤得分", "number", name="出勤得分", fmt=styling.SCORE, width=9,
                formula="DEDUCT(出勤满分,ROUNDUP(缺勤天数,0),缺勤扣分)"),
            Col("月度得分", "number", name="月度得分", fmt=styling.SCORE, width=9, formula="WSCORE(月度分项,月度权重)"),
            Col("工资系数", "number", name="工资系数", fmt="0.0000", width=9, formula="月度得分/全额基准分"),
            Col("月度工资", "money", name="月度工资", width=12, formula="MONEY(核定月工资*工资系数)"),
        ],
        rows=months,
        nrows=len(months),
        spare=SPARE_ROWS,
        empty_key="月度工号",
        blocks={"月度分项": ("日常工作得分", "出勤得分")},
    )
    month_cols = month_pivot(MONTHS, 'IF(缺月记分="按0分",0,"")')
    yearly = DataSheet(
        name="年度考核",
        title="销售员年度考核与转岗标记",
        note="每人一行；1—12月得分由一个公式从「月度考核」表汇总（溢出12列）。",
        cols=[
            Col("工号", "text", name="工号", width=8),
            Col("姓名", "text", name="姓名", width=9),
            *month_cols,
            Col("年度得分", "number", name="年度得分", fmt=styling.SCORE, width=9,
                formula="SUMIFS(月度得分,月度工号,工号)/全年月数"),
            Col("最长连续低于70分月数", "int", name="连续低分月数", width=10,
                formula='STREAK(年度月分,"<"&连续低分线)'),
            Col("最长连续低于60分月数", "int", name="单月低分月数", width=10,
                formula='STREAK(年度月分,"<"&单月低分线)'),
            Col("转岗/再培训", "text", name="转岗标记", width=12,
                formula='IF((连续低分月数>=连续低分月数线)+(单月低分月数>=1),"转岗/再培训","")'),
        ],
        rows=staff_rows,
        nrows=len(staff_rows),
        spare=SPARE_ROWS,
        empty_key="工号",
        blocks={"年度月分": ("1月", f"{MONTHS}月")},
    )
    copies = [0, 5, 19, 20, 21, 25, 30, 40]
    students = [[f"ZD{i + 1:03d}", person_name(1000 + i),
                 copies[i] if i < len(copies) else rng.randint(3, 45)] for i in range(32)]
    magazine = DataSheet(
        name="杂志征订",
        title="《空中英语教室》征订提成",
        note="每人一行填征订份数。提成口径见参数「杂志提成口径」。",
        cols=[
            Col("编号", "text", name="征订编号", width=8),
            Col("姓名", "text", name="征订姓名", width=9),
            Col("征订份数", "int", name="征订份数", width=9),
            Col("提成", "money", name="杂志提成", width=12, formula='TIERED(征订份数,杂志提成表,杂志提成口径,"上含")'),
            Col("赔偿与罚款", "money", name="杂志扣款", width=11, formula="SUMIFS(扣款金额,事项工号,征订编号)"),
            Col("实发", "money", name="杂志实发", width=12, formula="MONEY(杂志提成-杂志扣款)"),
        ],
        rows=students,
        nrows=len(students),
        spare=SPARE_ROWS,
        empty_key="征订编号",
    )
    events = [[dt.date(YEAR, 9, 2 + k), students[i][0], kind, n, ""]
              for k, (i, kind, n) in enumerate([(3, DAMAGE, 1), (9, DAMAGE, 2), (12, RIVAL, 1), (20, DAMAGE, 1)])]
    ledger = deductions_ledger(events, "编号", "征订编号", title="杂志征订：宣传资料赔偿与违约罚款登记")
    managers = DataSheet(
        name="区域经理考核",
        title="区域经理月度考核（日常工作百分制 × 70% + 出勤 × 30%）",
        note="每位区域经理每月一行：各项得分（不超过该项满分）、是否连续不上交材料、缺勤天数。灰色列为公式。",
        cols=[
            Col("工号", "text", name="经理工号", width=8),
            Col("姓名", "text", name="经理姓名", width=9),
            Col("月份", "int", name="经理月份", width=6),
            *[Col(h, "number", fmt=styling.SCORE, width=9) for h, _f in MANAGER_ITEMS],
            Col("连续不上交材料", "choice", name="连续未交", choices=YES_NO, width=9),
            Col("缺勤天数", "number", name="经理缺勤天数", fmt="0.0", width=8),
            Col("材料得分", "number", name="材料得分", fmt=styling.SCORE, width=9,
                formula="WSCORE(材料分项,材料权重,材料满分)"),
            Col("其他得分", "number", name="其他得分", fmt=styling.SCORE, width=9,
                formula="WSCORE(其他分项,其他权重,其他满分)"),
            Col("日常工作得分", "number", name="经理日常得分", fmt=styling.SCORE, width=10,
                formula='DEDUCT(日常满分,(SUM(材料满分)-材料得分)*IF(连续未交="是",加倍倍数,1)+SUM(其他满分)-其他得分,1)'),
            Col("出勤得分", "number", name="经理出勤得分", fmt=styling.SCORE, width=9,
                formula="DEDUCT(出勤满分,ROUNDUP(经理缺勤天数,0),缺勤扣分)"),
            Col("月度得分", "number", name="经理月度得分", fmt=styling.SCORE, width=9,
                formula="WSCORE(经理月度分项,月度权重)"),
        ],
        rows=_managers(rng),
        nrows=4 * MONTHS,
        spare=SPARE_ROWS,
        empty_key="经理工号",
        blocks={"材料分项": (MANAGER_ITEMS[0][0], MANAGER_ITEMS[3][0]),
                "其他分项": (MANAGER_ITEMS[4][0], MANAGER_ITEMS[-1][0]),
                "经理月度分项": ("日常工作得分", "出勤得分")},
    )
    profit = DataSheet(
        name="效益奖励",
        title="区域分公司效益奖励（利润的20%奖励经理与财务主管）",
        note="每个区域分公司一行：本期利润、经理所占比例（不低于参数「经理最低比例」）。灰色列为公式。",
        cols=[
            Col("区域分公司", "text", name="分公司", width=12),
            Col("经理", "text", name="分公司经理", width=9),
            Col("财务主管", "text", name="财务主管", width=9),
            Col("利润（元）", "money", name="分公司利润", width=14),
            Col("经理所占比例", "percent", name="经理比例", width=9),
            Col("奖励总额", "money", name="效益奖励总额", width=12,
                formula="IF(分公司利润>0,MONEY(分公司利润*效益奖励比例),0)"),
            Col("经理实得比例", "percent", name="经理实得比例", width=9,
                formula="IF(经理比例<经理最低比例,经理最低比例,IF(经理比例>1,1,经理比例))"),
            Col("经理奖励", "money", name="经理奖励", width=12, formula="MONEY(效益奖励总额*经理实得比例)"),
            Col("财务主管奖励", "money", name="财务主管奖励", width=12, formula="MONEY(效益奖励总额-经理奖励)"),
        ],
        rows=_branches(rng),
        nrows=6,
        spare=SPARE_ROWS,
        empty_key="分公司",
    )
    sellers, contracts = _lift_sales(rng)
    lift_contracts = DataSheet(
        name="电梯合同",
        title="电梯销售合同与提成（按签订先后）",
        note="每份合同一行，「签订序号」按全年签订先后编号（1、2、3……）；某销售员累计台数超过年度目标后的台数为超目标。",
        cols=[
            Col("签订序号", "int", name="签订序号", width=7),
            Col("合同编号", "text", name="合同编号", width=12),
            Col("销售员", "choice", name="合同销售员", choices_ref="电梯销售员", width=9),
            Col("签订日期", "date", name="签订日期", width=11),
            Col("台数", "int", name="合同台数", width=6),
            Col("合同总价", "money", name="合同总价", width=13),
            Col("设备总价", "money", name="设备总价", width=13),
            Col("已回款", "money", name="已回款", width=13),
            Col("此前累计台数", "int", name="此前台数", width=8,
                formula='SUMIFS(合同台数,合同销售员,合同销售员,签订序号,"<"&签订序号)'),
            Col("年度目标台数", "int", name="合同目标台数", width=8, formula=xlookup("合同销售员", "电梯销售员", "年度目标台数")),
            Col("超目标台数", "int", name="超目标台数", width=8,
                formula="IF(此前台数>=合同目标台数,合同台数,IF(此前台数+合同台数>合同目标台数,此前台数+合同台数-合同目标台数,0))"),
            Col("回款率", "percent", name="回款率", width=8,
                formula="IF(合同总价>0,IF(已回款>=合同总价,1,已回款/合同总价),0)"),
            Col("目标内提成", "money", name="目标内提成", width=11,
                formula="IF(合同台数>0,MONEY(合同总价*(合同台数-超目标台数)/合同台数*目标内提成率*回款率),0)"),
            Col("超目标提成", "money", name="超目标提成", width=11,
                formula="IF(合同台数>0,MONEY(设备总价*超目标台数/合同台数*超目标提成率*回款率),0)"),
            Col("超额奖金", "money", name="超额奖金", width=10, formula="MONEY(超目标台数*超额每台奖金)"),
        ],
        rows=contracts,
        nrows=len(contracts),
        spare=SPARE_ROWS,
        empty_key="签订序号",
    )
    lift_people = DataSheet(
        name="电梯提成",
        title="电梯销售员年度提成、超额奖金与销售费用",
        note="每位电梯销售员一行：年度目标台数、全年实际销售费用、大项目另定的费用额度。其余由公式从「电梯合同」表汇总。",
        cols=[
            Col("销售员", "text", name="电梯销售员", width=9),
            Col("年度目标台数", "int", name="年度目标台数", width=8),
            Col("实际销售费用", "money", name="实际销售费用", width=12),
            Col("大项目另定额度", "money", name="另定费用额度", required=False, width=12),
            Col("全年台数", "int", name="全年台数", width=8, formula="SUMIFS(合同台数,合同销售员,电梯销售员)"),
            Col("目标内提成合计", "money", name="目标内提成合计", width=12, formula="SUMIFS(目标内提成,合同销售员,电梯销售员)"),
            Col("超目标提成合计", "money", name="超目标提成合计", width=12, formula="SUMIFS(超目标提成,合同销售员,电梯销售员)"),
            Col("超额奖金（年底发放）", "money", name="超额奖金合计", width=12, formula="SUMIFS(超额奖金,合同销售员,电梯销售员)"),
            Col("销售费用额度", "money", name="费用额度", width=12, formula="全年台数*每台销售费用+另定费用额度"),
            Col("费用超支", "money", name="费用超支", width=11, formula="IF(实际销售费用>费用额度,MONEY(实际销售费用-费用额度),0)"),
            Col("应发合计", "money", name="电梯应发", width=12,
                formula="MONEY(目标内提成合计+超目标提成合计+超额奖金合计-费用超支)"),
        ],
        rows=sellers,
        nrows=len(sellers),
        spare=SPARE_ROWS,
        empty_key="电梯销售员",
    )
    explain = explain_sheet(
        "个人明细", "销售员年度考核明细", "工号", "工号", str(staff[2][0]),
        [
            ("姓名", chosen("姓名"), "text"),
            ("年度得分", chosen("年度得分"), "score"),
            ("最长连续低于70分月数", chosen("连续低分月数"), "int"),
            ("最长连续低于60分月数", chosen("单月低分月数"), "int"),
            ("转岗/再培训", chosen("转岗标记"), "text"),
            ("全年月度工资合计", "SUMIFS(月度工资,月度工号,$B$4)", "money"),
        ],
    )
    detail = explain_sheet(
        "提成明细", "杂志征订提成分档明细", "编号", "征订编号", str(students[6][0]),
        [
            ("姓名", chosen("征订姓名", "征订编号"), "text"),
            ("征订份数", chosen("征订份数", "征订编号"), "int"),
            ("提成口径", "杂志提成口径", "text"),
            ("提成", chosen("杂志提成", "征订编号"), "money"),
            ("赔偿与罚款", chosen("杂志扣款", "征订编号"), "money"),
            ("实发", chosen("杂志实发", "征订编号"), "money"),
        ],
        [Detail("TIER_DETAIL 逐档明细（最后一行为合计）", ["档起", "档止", "份数", "单价", "金额"],
                f'TIER_DETAIL({chosen("征订份数", "征订编号")},杂志提成表,杂志提成口径,"上含")', 3)],
    )
    return Template(
        id=ID, version=VERSION, title="销售员月度与年度考核", filename="t5_xiaoshou.xlsx",
        source="销售员考核细则、业务员薪酬改革、杂志征订协议（方案：销售员月度与年度考核）", readme=README,
        scalars=[
            Scalar("经销商满分", "经销商管理方面满分", 30),
            Scalar("每项扣分", "经销商管理每项扣分", 5),
            Scalar("出勤满分", "出勤满分", 100),
            Scalar("日常满分", "区域经理日常工作满分", 100),
            Scalar("加倍倍数", "连续不上交材料时材料失分的倍数", 2,
                   note="原文「视情节轻重给予加倍扣分」：默认2倍，情节较重可改大"),
            Scalar("效益奖励比例", "区域分公司利润中用于奖励经理与财务主管的比例", 0.2, kind="percent"),
            Scalar("经理最低比例", "奖励中经理个人所占的最低比例", 0.5, kind="percent"),
            Scalar("缺勤扣分", "缺勤1天扣分（半天按1天）", 4),
            Scalar("全额基准分", "享受全额工资的分数", 80),
            Scalar("全年月数", "年度得分的除数", 12, kind="int"),
            Scalar("连续低分线", "连续低分的分数线（低于）", 70),
            Scalar("连续低分月数线", "连续几个月低分要转岗", 3, kind="int"),
            Scalar("单月低分线", "单月低分的分数线（低于）", 60),
            Scalar("缺月记分", "没有考核记录的月份", "不计", kind="choice", choices=("不计", "按0分"),
                   note="不计＝留空，不算低分（默认）；按0分＝记0分，算低分"),
            Scalar("杂志提成口径", "超20份后的计法", "全额", kind="choice", choices=("全额", "超额"),
                   note="全额＝全部份数按25元；超额＝只有超出部分按25元"),
        ],
        tables=[
            ParamTable("材料满分", "区域经理：月报等材料各项满分（连续不上交时失分加倍）",
                       [h for h, _f in MANAGER_ITEMS[:4]], [[f for _h, f in MANAGER_ITEMS[:4]]], "weights", total=70),
            ParamTable("材料权重", "区域经理：材料各项权重（1＝直接相加）", [h for h, _f in MANAGER_ITEMS[:4]],
                       [[1] * 4], "weights"),
            ParamTable("其他满分", "区域经理：其他各项满分", [h for h, _f in MANAGER_ITEMS[4:]],
                       [[f for _h, f in MANAGER_ITEMS[4:]]], "weights", total=30),
            ParamTable("其他权重", "区域经理：其他各项权重（1＝直接相加）", [h for h, _f in MANAGER_ITEMS[4:]],
                       [[1] * 3], "weights"),
            ParamTable("月度权重", "月度考核权重", ["日常工作", "出勤"], [[0.7, 0.3]], "weights",
                       fmts=[styling.PERCENT, styling.PERCENT], total=1),
            ParamTable("月份序号", "年度表的月份", [f"{m}月" for m in range(1, MONTHS + 1)],
                       [list(range(1, MONTHS + 1))], "list"),
            ParamTable("电梯提成率", "电梯销售提成（业务员合同范文3「三、销售提成」）",
                       ["目标内提成率（合同总价）", "超目标提成率（设备总价）", "超额每台奖金（元）", "每台销售费用（元）"],
                       [[0.005, 0.01, 500, 500]], "lookup", fmts=["0.0%", styling.PERCENT, styling.MONEY, styling.MONEY],
                       cell_names={(0, 0): "目标内提成率", (0, 1): "超目标提成率", (0, 2): "超额每台奖金",
                                   (0, 3): "每台销售费用"}),
            deductions_table("杂志征订协议的赔偿与罚款（元/次）", [
                (DAMAGE, 30, "第五条：严重损坏或丢失须按每套30元赔偿（次数填套数）"),
                (RIVAL, 500, "第九条：参与其他竞争型报刊书籍的宣传和征订，罚款500元"),
            ]),
            ParamTable("杂志提成表", "杂志征订提成（上含：20份整属20元档）", ["份数起点", "每份提成（元）"],
                       [[0, 20], [20, 25]], "band", fmts=[styling.INT, styling.MONEY], side="upper"),
        ],
        sheets=[monthly, yearly, managers, profit, magazine, ledger, lift_contracts, lift_people, explain, detail],
        slip=Slip("月度考核", key="工号", name="姓名", paid=("月度工资",)),
    )
