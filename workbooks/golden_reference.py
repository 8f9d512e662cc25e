"""Expected results of each template's sample data, by a deliberately plain reading.

This module is the *independent* side of the golden tests: it never calls the
kernel (``udfs``) nor reads the templates' parameter tables. Every number of a
scheme is written here as the document states it (SCHEMES.md and seeds/), with
plain loops and :class:`decimal.Decimal` for money, so a wrong band edge, a
wrong rate in a 参数 table or a kernel bug shows up as a difference.

Only the *inputs* (the sample rows) and the cell layout (which cell holds a
result) come from the template description. The choices each template makes
where the document is silent are restated here from the template's 说明 sheet.
Where the 说明 offers two readings (a 参数 choice such as t2's ``Y口径``), both are
written here and only *which one is in force* is read from the template's scalar,
so ``tests/test_templates_readings.py`` can check the other reading end to end.

``golden(template) -> {"sheet!A1": value}`` for every result cell that matters.
A value of ``""`` is an empty result as Excel holds it: text returned by a
formula such as ``IF(…,"晋升主管","")``, or a person who takes no place in a
ranking (the kernel gives ``None`` there and the add-in hands it to Excel as
``""``, see ``addin.hosts.convert.to_host``).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbooks.model import FIRST_ROW, DataSheet, Template

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
        # 「在年度目标考核达标以上,考核对象还可享受……增发一个月基本工资奖励」: 达标 = the 60-point 达标奖金
        # band (80 under the other reading); no task condition unless the 参数 choice asks for it
        line = D(t.param("增发分数线"))
        task_ok = t.param("增发须完成任务") == "否" or done[first] == "是"
        extra = D(r["月基本工资"]) if score >= line and task_ok else Decimal(0)
        out[key(staff, "增发一个月基本工资", i)] = yuan(extra)
        out[key(staff, "奖金合计", i)] = yuan(bonus + extra)
    return out


# --------------------------------------------------------------------------- t2
def t2_wangxiao(t: Template) -> dict[str, Any]:
    """网销: Y = 到店/目标 (or 邀约/目标 under the literal reading); Y≤100% 60,
    100%<Y≤110% 70, Y>110% 80 per delivered car (or customer group); fines
    1000 / 500 per breach.

    「电话专员：底薪1600 绩效：邀约到店10元/组，成功交付60-80元/台」: base pay and
    both piece rates are the 电话专员's only — a 销售顾问 row with invitation
    and delivery figures is paid none of them, only fined.
    """
    out: dict[str, Any] = {}
    s = t.data_sheet("月度绩效")
    # 「额外处销售顾问1000元，电话专员500元的罚款」: per breach, by the role of the person in the ledger
    role = {r["工号"]: r["岗位"] for r in rows_of(s)}
    fines = ledger(t, {}, "工号", out,
                   each_of=lambda e: Decimal(1000 if role[e["工号"]] == "销售顾问" else 500))
    counts: dict[str, Decimal] = {}
    for e in rows_of(t.data_sheet("扣款登记")):
        counts[e["工号"]] = counts.get(e["工号"], Decimal(0)) + D(e["次数"])
    literal_y = t.param("Y口径") == "实际邀约"  # 「(实际邀约数=Y)」 read literally
    per_group = t.param("交付计奖单位") == "组"  # 「按60元/组核算」 read literally
    for i, r in enumerate(rows_of(s)):
        target, invited = D(r["月度邀约目标（组）"]), D(r["邀约到店（组）"])
        numerator = D(r["实际邀约（组）"]) if literal_y else invited
        y = numerator / target if target > 0 else Decimal(0)
        if y <= 1:
            rate = Decimal(60)
        elif y <= Decimal("1.1"):
            rate = Decimal(70)
        else:
            rate = Decimal(80)
        phone = r["岗位"] == "电话专员"
        base = Decimal(1600) if phone else Decimal(0)
        invite_pay = invited * 10 if phone else Decimal(0)
        units = D(r["成功交付（组）"]) if per_group else D(r["成功交付（台）"])
        deliver_pay = units * rate if phone else Decimal(0)
        fine = by_person(fines, r["工号"])
        out[key(s, "违规次数", i)] = num(counts.get(r["工号"], Decimal(0)))
        out[key(s, "达成率Y", i)] = num(y)
        out[key(s, "交付单价", i)] = num(rate)
        out[key(s, "底薪", i)] = yuan(base)
        out[key(s, "邀约奖", i)] = yuan(invite_pay)
        out[key(s, "交付奖", i)] = yuan(deliver_pay)
        out[key(s, "罚款", i)] = yuan(fine)
        out[key(s, "应发合计", i)] = yuan(base + invite_pay + deliver_pay - fine)
    return out


# --------------------------------------------------------------------------- ranking helpers
def competition_ranks(values: dict[int, Decimal], ascending: bool = False) -> dict[int, int]:
    """1 + number of people strictly better (RANK.EQ)."""
    out = {}
    for i, v in values.items():
        better = 0
        for w in values.values():
            if (w < v) if ascending else (w > v):
                better += 1
        out[i] = better + 1
    return out


def prize_of_place(table: list[tuple[int, int, Decimal]], place: int) -> Decimal:
    for lo, hi, amount in table:
        if lo <= place <= hi:
            return amount
    return Decimal(0)


def prizes_shared(values: dict[int, Decimal], table: list[tuple[int, int, Decimal]],
                  ascending: bool = False, each: bool = False) -> dict[int, Decimal]:
    """Prize per person. Tied people over places k..k+m-1: with ``each`` all get
    place k's prize; otherwise they pool those places' prizes and split to the
    fen, leftover fen to the earlier rows."""
    order = sorted(values, key=lambda i: (values[i] if ascending else -values[i], i))
    out: dict[int, Decimal] = {}
    pos = 0
    while pos < len(order):
        tied = [i for i in order[pos:] if values[i] == values[order[pos]]]
        places = range(pos + 1, pos + 1 + len(tied))
        if each:
            for i in tied:
                out[i] = prize_of_place(table, pos + 1)
        else:
            pool = sum((prize_of_place(table, p) for p in places), Decimal(0))
            cents = int((pool * 100).to_integral_value())
            share, extra = divmod(cents, len(tied))
            for k, i in enumerate(sorted(tied)):
                out[i] = Decimal(share + (1 if k < extra else 0)) / 100
        pos += len(tied)
    return out


# --------------------------------------------------------------------------- t3
def t3_hujiao(t: Template) -> dict[str, Any]:
    """呼叫中心: the month's best of each group leads it next month (ties by
    position); 3 months running → 主管; the 主管 whose two groups total lowest
    3 months running → demoted. Example prizes 800/500/300 (individual),
    1000/600 (group); bottom 3 individuals −0.5 point, bottom group −0.5 point
    on a 3% commission."""
    out: dict[str, Any] = {}
    s = t.data_sheet("人员业绩")
    rows = rows_of(s)
    months = ["1月", "2月", "3月"]
    elig = [r["参加排名"] == "是" for r in rows]
    group_rank: list[list[int | None]] = [[None] * len(months) for _ in rows]
    for m, month in enumerate(months):
        for g in {r["组别"] for r in rows if r["组别"]}:
            members = [i for i, r in enumerate(rows) if elig[i] and r["组别"] == g and r[f"{month}业绩"] is not None]
            members.sort(key=lambda i, mo=month: (-D(rows[i][f"{mo}业绩"]), i))  # type: ignore[misc]
            for place, i in enumerate(members, start=1):
                group_rank[i][m] = place
    this = f"{months[-1]}业绩"
    present = {i: D(r[this]) for i, r in enumerate(rows) if elig[i] and r[this] is not None}
    ind_rank = competition_ranks(present)
    ind_prize = prizes_shared(present, [(1, 1, Decimal(800)), (2, 2, Decimal(500)), (3, 3, Decimal(300))])
    ind_cut = prizes_shared(present, [(1, 3, Decimal("-0.5"))], ascending=True, each=True)
    gs = t.data_sheet("小组")
    groups = rows_of(gs)
    totals: dict[str, list[Decimal]] = {}
    for gi, g in enumerate(groups):
        totals[g["组别"]] = []
        for month in months:
            tot = sum((D(r[f"{month}业绩"]) for r in rows if r["组别"] == g["组别"]), Decimal(0))
            totals[g["组别"]].append(tot)
            out[key(gs, f"{month}小组业绩", gi)] = yuan(tot)
    gvals = {gi: totals[g["组别"]][-1] for gi, g in enumerate(groups)}
    g_rank = competition_ranks(gvals)
    g_prize = prizes_shared(gvals, [(1, 1, Decimal(1000)), (2, 2, Decimal(600))])
    g_cut = prizes_shared(gvals, [(1, 1, Decimal("-0.5"))], ascending=True, each=True)
    cut_of_group = {}
    for gi, g in enumerate(groups):
        out[key(gs, "本月小组名次", gi)] = g_rank[gi]
        out[key(gs, "小组奖", gi)] = yuan(g_prize[gi])
        out[key(gs, "小组降点（百分点）", gi)] = num(g_cut[gi])
        cut_of_group[g["组别"]] = g_cut[gi]
    for i, r in enumerate(rows):
        for m, month in enumerate(months):
            out[key(s, f"{month}组内名次", i)] = group_rank[i][m] if group_rank[i][m] is not None else ""
        run = 0
        for m in reversed(range(len(months))):
            if group_rank[i][m] is None:
                if run == 0:
                    continue
                break
            if group_rank[i][m] == 1:
                run += 1
            else:
                break
        out[key(s, "连任组长月数", i)] = run
        out[key(s, "晋升", i)] = "晋升主管" if run >= 3 else ""
        if elig[i] and r[this] is None:
            # on leave (blank month): 「对于业绩额外突出的个人……现金奖励；对业绩最低的个人……减少提成百分比」 —
            # no sales is neither: no place, no prize, no cut, and pay 0 (not #VALUE!)
            group_cut = cut_of_group.get(r["组别"], Decimal(0))
            out[key(s, "本月个人名次", i)] = ""
            out[key(s, "本月个人奖", i)] = ""
            out[key(s, "个人降点（百分点）", i)] = ""
            out[key(s, "小组降点（百分点）", i)] = num(group_cut)
            out[key(s, "提成比例", i)] = num(Decimal("0.03") + group_cut / 100)
            out[key(s, "本月提成", i)] = 0.0
            out[key(s, "本月奖金合计", i)] = 0.0
        elif elig[i]:
            group_cut = cut_of_group.get(r["组别"], Decimal(0))
            rate = Decimal("0.03") + (ind_cut[i] + group_cut) / 100
            commission = D(r[this]) * rate
            out[key(s, "本月个人名次", i)] = ind_rank[i]
            out[key(s, "本月个人奖", i)] = yuan(ind_prize[i])
            out[key(s, "个人降点（百分点）", i)] = num(ind_cut[i])
            out[key(s, "小组降点（百分点）", i)] = num(group_cut)
            out[key(s, "提成比例", i)] = num(rate)
            out[key(s, "本月提成", i)] = yuan(commission)
            out[key(s, "本月奖金合计", i)] = yuan(Decimal(str(yuan(commission))) + ind_prize[i])
        else:
            out[key(s, "本月个人名次", i)] = ""
            out[key(s, "本月个人奖", i)] = ""
            out[key(s, "个人降点（百分点）", i)] = ""
            out[key(s, "小组降点（百分点）", i)] = 0.0
            out[key(s, "提成比例", i)] = 0.0
            out[key(s, "本月提成", i)] = 0.0
            out[key(s, "本月奖金合计", i)] = 0.0
    ss = t.data_sheet("主管")
    sups = rows_of(ss)
    bottom: list[list[int | str]] = []
    for si, sp in enumerate(sups):
        bottom.append([])
        for m, month in enumerate(months):
            tot = sum((totals[g["组别"]][m] for g in groups if g["主管"] == sp["主管"]), Decimal(0))
            out[key(ss, f"{month}两组合计", si)] = yuan(tot)
    # 「若连续三个月该主管负责的两个小组业绩最低的将降为小组长」: the two groups' total lowest among the
    # 主管 (default), or both groups the lowest two of all groups (降级口径 = 两组皆最低).
    both_lowest = t.param("降级口径") == "两组皆最低"
    for m, month in enumerate(months):
        g_low = competition_ranks({gi: totals[g["组别"]][m] for gi, g in enumerate(groups)}, ascending=True)
        for gi in range(len(groups)):
            out[key(gs, f"{month}倒数名次", gi)] = g_low[gi]
        vals = {si: D(out[key(ss, f"{month}两组合计", si)]) for si in range(len(sups))}
        rk = competition_ranks(vals, ascending=True)
        for si, sp in enumerate(sups):
            if both_lowest:
                mine = [gi for gi, g in enumerate(groups) if g["主管"] == sp["主管"]]
                low: int | str = 1 if sum(1 for gi in mine if g_low[gi] <= 2) == 2 else ""
            else:
                low = rk[si]
            out[key(ss, f"{month}末位名次", si)] = low
            bottom[si].append(low)
    for si in range(len(sups)):
        run = 0
        for v in reversed(bottom[si]):
            if v != 1:
                break
            run += 1
        out[key(ss, "垫底连续月数", si)] = run
        out[key(ss, "降级", si)] = "降为小组长" if run >= 3 else ""
    return out


# --------------------------------------------------------------------------- t4
def split_to_fen(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Shares in proportion to weights, whole fen, leftover fen by largest
    remainder (ties to the earlier weight), adding up to ``amount``."""
    cents = int((amount * 100).to_integral_value())
    total = sum(weights, Decimal(0))
    exact = [Decimal(cents) * w / total for w in weights]
    floors = [int(e) for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) / 100 for f in floors]


def t4_baoxian(t: Template) -> dict[str, Any]:
    """保险竞赛: city premium = agents' sum; targets ×1万; speed prize 10000/
    8000/6000 to budget achievers by date, filled up by start achievers by
    date; split 1 : 0.5; national 8000 for ≥10万 and rank ≤10; individuals
    with city at start target and ≥1万 (含), prizes 5000/4000/3000/2000×12/
    1000×20 shared on ties; fee 35%."""
    targets = {"南昌": (18, 23), "景德镇": (9, 13), "萍乡": (9, 13), "九江": (15, 20), "新余": (9, 13),
               "鹰潭": (9, 13), "赣州": (18, 23), "宜春": (18, 23), "吉安": (15, 20), "上饶": (15, 20),
               "抚州": (15, 19)}
    out: dict[str, Any] = {}
    ps = t.data_sheet("个人竞赛")
    agents = rows_of(ps)
    cs = t.data_sheet("城市业绩")
    cities = rows_of(cs)
    total = {c["城市"]: Decimal(0) for c in cities}
    for a in agents:
        total[a["城市"]] += D(a["签单保费（元）"])
    start_ok, speed_prize = {}, {}
    candidates = []
    for i, c in enumerate(cities):
        name = c["城市"]
        s_t, b_t = Decimal(targets[name][0]) * 10000, Decimal(targets[name][1]) * 10000
        start_ok[name] = total[name] >= s_t
        budget = total[name] >= b_t
        out[key(cs, "活动保费（元）", i)] = yuan(total[name])
        out[key(cs, "起始目标（元）", i)] = yuan(s_t)
        out[key(cs, "预算目标（元）", i)] = yuan(b_t)
        out[key(cs, "达成起始", i)] = "是" if start_ok[name] else "否"
        out[key(cs, "达成预算", i)] = "是" if budget else "否"
        # 「活动时间 2018年5月1日- 2018年10月31日」: the date that orders the speed prize is checked against it
        out[key(cs, "日期核对", i)] = ""
        out[key(cs, "参加速度奖", i)] = "否"
        if start_ok[name]:
            date = c["达成预算目标日期"] if budget else c["达成起始目标日期"]
            # 「按照任务保费目标完成先后顺序」: without the date there is no order to take a place in
            if date is None:
                out[key(cs, "日期核对", i)] = "未填达成日期：不参加速度奖"
            else:
                candidates.append((0 if budget else 1, date, i))
                out[key(cs, "参加速度奖", i)] = "是"
                inside = dt.date(2018, 5, 1) <= date <= dt.date(2018, 10, 31)
                out[key(cs, "日期核对", i)] = "期内" if inside else "日期不在活动期内"
        rank = c["全国排名"]
        out[key(cs, "全国奖", i)] = yuan(Decimal(8000) if total[name] >= 100000 and rank and rank <= 10 else Decimal(0))
    candidates.sort()
    assert len({(k, d) for k, d, _ in candidates}) == len(candidates), "sample has no speed ties"
    place_prize = {1: Decimal(10000), 2: Decimal(8000), 3: Decimal(6000)}
    for i, c in enumerate(cities):
        speed_prize[c["城市"]] = Decimal(0)
        out[key(cs, "速度奖名次", i)] = ""
        out[key(cs, "速度奖", i)] = ""
    for place, (_k, _d, i) in enumerate(candidates, start=1):
        speed_prize[cities[i]["城市"]] = place_prize.get(place, Decimal(0))
        out[key(cs, "速度奖名次", i)] = place
        out[key(cs, "速度奖", i)] = yuan(place_prize.get(place, Decimal(0)))
    al = t.data_sheet("速度奖分配")
    staff = rows_of(al)
    coef = {"销管部经理": Decimal(1), "相关工作人员": Decimal("0.5")}
    # 「奖励对象为市分公司销管部经理及销管部相关工作人员」: each city's prize among that city's people
    for city in dict.fromkeys(r["城市"] for r in staff):
        rows = [k for k, r in enumerate(staff) if r["城市"] == city]
        shares = split_to_fen(speed_prize[city], [coef[staff[k]["职务"]] for k in rows])
        for k, share in zip(rows, shares, strict=True):
            out[key(al, "系数", k)] = num(coef[staff[k]["职务"]])
            out[key(al, "分得奖金", k)] = yuan(share)
    eligible = {i: D(a["签单保费（元）"]) for i, a in enumerate(agents)
                if start_ok[a["城市"]] and D(a["签单保费（元）"]) >= 10000}
    ranks = competition_ranks(eligible)
    table = [(1, 1, Decimal(5000)), (2, 2, Decimal(4000)), (3, 3, Decimal(3000)), (4, 15, Decimal(2000)),
             (16, 35, Decimal(1000))]
    prizes = prizes_shared(eligible, table, each=t.param("个人奖并列") == "同奖")
    for i, a in enumerate(agents):
        out[key(ps, "所在市达成起始", i)] = "是" if start_ok[a["城市"]] else "否"
        out[key(ps, "参赛资格", i)] = "是" if i in eligible else "否"
        out[key(ps, "全省名次", i)] = ranks.get(i, "")
        out[key(ps, "个人奖", i)] = yuan(prizes[i]) if i in eligible else ""
        out[key(ps, "手续费", i)] = yuan(D(a["签单保费（元）"]) * Decimal("0.35"))
    speed_sum = sum(speed_prize.values(), Decimal(0))
    ind_sum = sum(prizes.values(), Decimal(0))
    out["汇总!B4"] = yuan(speed_sum)
    out["汇总!B5"] = yuan(ind_sum)
    out["汇总!B6"] = yuan(speed_sum + ind_sum)
    out["汇总!B8"] = yuan(80000 - speed_sum - ind_sum)
    # a city's prize that nobody on 速度奖分配 can receive is shown, not lost
    split_sum = sum((speed_prize[c] for c in {r["城市"] for r in staff if r["城市"]}), Decimal(0))
    out["汇总!B11"] = yuan(split_sum)
    out["汇总!B12"] = yuan(speed_sum - split_sum)
    return out


# --------------------------------------------------------------------------- t5
def t5_xiaoshou(t: Template) -> dict[str, Any]:
    """销售员: 经销商管理 30 − 5 per item (≥0) + 销售员管理; 出勤 100 − 4 per day,
    half a day counts as a day (≥0); month = 70% × 日常 + 30% × 出勤; pay =
    base × score ÷ 80; year = sum ÷ 12; flag if 3 months running < 70 or any
    month < 60; magazine 20 per copy, all copies at 25 above 20 (全额)."""
    import math

    out: dict[str, Any] = {}
    ms = t.data_sheet("月度考核")
    score_of: dict[tuple[str, int], Decimal] = {}
    for i, r in enumerate(rows_of(ms)):
        dealer = max(Decimal(0), 30 - 5 * D(r["经销商管理扣分项数"]))
        daily = dealer + D(r["销售员管理得分"])
        days = math.ceil(float(r["缺勤天数"]))
        attendance = max(Decimal(0), Decimal(100) - 4 * days)
        score = daily * Decimal("0.7") + attendance * Decimal("0.3")
        score_of[(r["工号"], r["月份"])] = score
        out[key(ms, "经销商管理得分", i)] = num(dealer)
        out[key(ms, "日常工作得分", i)] = num(daily)
        out[key(ms, "出勤得分", i)] = num(attendance)
        out[key(ms, "月度得分", i)] = num(score)
        out[key(ms, "月度工资", i)] = yuan(D(r["核定月工资"]) * score / 80)
    ys = t.data_sheet("年度考核")
    # 「连续三个月考核分低于70分，或者一个月低于60分」 speaks of scores: a month with
    # no appraisal (joined in July, or not yet appraised) is no score, so not a low
    # one and it breaks a run — unless the 参数 choice 缺月记分 = 按0分 counts it as 0.
    missing_zero = t.param("缺月记分") == "按0分"
    for i, r in enumerate(rows_of(ys)):
        scores: list[Decimal | None] = [score_of.get((r["工号"], m), Decimal(0) if missing_zero else None)
                                        for m in range(1, 13)]
        for m, v in enumerate(scores, start=1):
            out[key(ys, f"{m}月", i)] = num(v) if v is not None else ""
        out[key(ys, "年度得分", i)] = num(sum((v for v in scores if v is not None), Decimal(0)) / 12)
        longest70 = longest60 = run70 = run60 = 0
        for v in scores:
            run70 = run70 + 1 if v is not None and v < 70 else 0
            run60 = run60 + 1 if v is not None and v < 60 else 0
            longest70, longest60 = max(longest70, run70), max(longest60, run60)
        out[key(ys, "最长连续低于70分月数", i)] = longest70
        out[key(ys, "最长连续低于60分月数", i)] = longest60
        out[key(ys, "转岗/再培训", i)] = "转岗/再培训" if longest70 >= 3 or longest60 >= 1 else ""
    zs = t.data_sheet("杂志征订")
    # 第五条「严重损坏或丢失须按每套30元赔偿」, 第九条「对乙方罚款500元」, deducted from the commission
    owed = ledger(t, {"宣传资料严重损坏或丢失": Decimal(30), "参与竞争型报刊征订": Decimal(500)}, "编号", out)
    for i, r in enumerate(rows_of(zs)):
        n = D(r["征订份数"])
        pay = n * (25 if n > 20 else 20)
        minus = by_person(owed, r["编号"])
        out[key(zs, "提成", i)] = yuan(pay)
        out[key(zs, "赔偿与罚款", i)] = yuan(minus)
        out[key(zs, "实发", i)] = yuan(pay - minus)
    lift(t, out)
    regional_managers(t, out)
    return out


def regional_managers(t: Template, out: dict[str, Any]) -> None:
    """区域经理 (日常工作考核 100 分): 月报 20+20+20, 周报审查 10, 培训 10, 月报上报 10, 管理 10;
    「如连续不上交材料者,视情节轻重给予加倍扣分」 — the points lost on the four 材料 items
    doubled when marked 连续 (the template's example ×2), never below 0; month = 70 % 日常 +
    30 % 出勤 (100 − 4 per day, half a day a day). 效益奖励: 「区域分公司利润的20%对经理以及
    财务主管进行奖励,其中至少50%是对经理个人的奖励」."""
    import math

    ms = t.data_sheet("区域经理考核")
    caps = [("月工作总结", 20), ("月工作计划", 20), ("销售方案", 20), ("月报按时上报", 10),
            ("周报审查指导", 10), ("组织培训", 10), ("区域管理", 10)]
    for i, r in enumerate(rows_of(ms)):
        got = [min(D(r[h]), Decimal(c)) for h, c in caps]
        papers, others = sum(got[:4], Decimal(0)), sum(got[4:], Decimal(0))
        lost = (70 - papers) * (2 if r["连续不上交材料"] == "是" else 1) + (30 - others)
        daily = max(Decimal(0), 100 - lost)
        attendance = max(Decimal(0), Decimal(100) - 4 * math.ceil(float(r["缺勤天数"])))
        out[key(ms, "材料得分", i)] = num(papers)
        out[key(ms, "其他得分", i)] = num(others)
        out[key(ms, "日常工作得分", i)] = num(daily)
        out[key(ms, "出勤得分", i)] = num(attendance)
        out[key(ms, "月度得分", i)] = num(daily * Decimal("0.7") + attendance * Decimal("0.3"))
    ps = t.data_sheet("效益奖励")
    for i, r in enumerate(rows_of(ps)):
        gain = D(r["利润（元）"])
        pool = Decimal(str(yuan(gain * Decimal("0.2")))) if gain > 0 else Decimal(0)
        share = min(Decimal(1), max(Decimal("0.5"), D(r["经理所占比例"])))
        manager = Decimal(str(yuan(pool * share)))
        out[key(ps, "奖励总额", i)] = yuan(pool)
        out[key(ps, "经理实得比例", i)] = num(share)
        out[key(ps, "经理奖励", i)] = yuan(manager)
        out[key(ps, "财务主管奖励", i)] = yuan(pool - manager)


def lift(t: Template, out: dict[str, Any]) -> None:
    """电梯 (业务员合同范文3): 「目标任务内:合同总价的5‰,按回款率结算提成」; 「超目标任务提成:
    设备总价的1%,按回款率结算提成,超额完成销售任务:每台500元奖金」; 「销售费用:每台500元……
    超支部分在销售奖金中扣出」. Units beyond the year's target in signing order are 超目标; a
    contract straddling the target is split by units; 回款率 = paid ÷ contract total, at most 1."""
    cs, ps = t.data_sheet("电梯合同"), t.data_sheet("电梯提成")
    people = rows_of(ps)
    target = {p["销售员"]: int(p["年度目标台数"]) for p in people}
    contracts = rows_of(cs)
    sums: dict[str, dict[str, Decimal]] = {p["销售员"]: {} for p in people}
    for i, c in enumerate(contracts):
        who, n = c["销售员"], int(c["台数"])
        before = sum(int(x["台数"]) for x in contracts if x["销售员"] == who and x["签订序号"] < c["签订序号"])
        over = n if before >= target[who] else max(0, before + n - target[who])
        total, device, paid = D(c["合同总价"]), D(c["设备总价"]), D(c["已回款"])
        ratio = min(Decimal(1), paid / total) if total > 0 else Decimal(0)
        inside = Decimal(str(yuan(total * (n - over) / n * Decimal("0.005") * ratio))) if n else Decimal(0)
        beyond = Decimal(str(yuan(device * over / n * Decimal("0.01") * ratio))) if n else Decimal(0)
        bonus = Decimal(500 * over)
        out[key(cs, "此前累计台数", i)] = before
        out[key(cs, "年度目标台数", i)] = target[who]
        out[key(cs, "超目标台数", i)] = over
        out[key(cs, "回款率", i)] = num(ratio)
        out[key(cs, "目标内提成", i)] = yuan(inside)
        out[key(cs, "超目标提成", i)] = yuan(beyond)
        out[key(cs, "超额奖金", i)] = yuan(bonus)
        acc = sums[who]
        for k, v in (("台数", Decimal(n)), ("内", inside), ("超", beyond), ("奖", bonus)):
            acc[k] = acc.get(k, Decimal(0)) + v
    for i, p in enumerate(people):
        acc = sums[p["销售员"]]
        units = acc.get("台数", Decimal(0))
        allowance = units * 500 + D(p["大项目另定额度"])
        overspend = max(Decimal(0), D(p["实际销售费用"]) - allowance)
        out[key(ps, "全年台数", i)] = num(units)
        out[key(ps, "目标内提成合计", i)] = yuan(acc.get("内", Decimal(0)))
        out[key(ps, "超目标提成合计", i)] = yuan(acc.get("超", Decimal(0)))
        out[key(ps, "超额奖金（年底发放）", i)] = yuan(acc.get("奖", Decimal(0)))
        out[key(ps, "销售费用额度", i)] = yuan(allowance)
        out[key(ps, "费用超支", i)] = yuan(overspend)
        out[key(ps, "应发合计", i)] = yuan(acc.get("内", Decimal(0)) + acc.get("超", Decimal(0))
                                          + acc.get("奖", Decimal(0)) - overspend)


# --------------------------------------------------------------------------- t6
def t6_weixi(t: Template) -> dict[str, Any]:
    """客户维系: valid mobile orders (not 副卡, not 无月租, active 4G, not
    re-done); 营业员 20 each for the first 5, 40 each beyond; other roles the
    same with 2; 效能 1 per due customer, 0.5 otherwise; broadband 20 per
    预存送费 household for everyone, 光纤平移 0.5 效能 and no money."""
    out: dict[str, Any] = {}
    mob = rows_of(t.data_sheet("移动办理"))
    bb = rows_of(t.data_sheet("宽带办理"))
    ps = t.data_sheet("人员")
    for i, p in enumerate(rows_of(ps)):
        valid = due = every = every_due = 0
        for o in mob:
            if o["揽装人工号"] != p["工号"]:
                continue
            every += 1
            every_due += o["到期目标客户"] == "是"
            if o["副卡"] == "是" or o["无月租"] == "是" or o["有效4G卡"] != "是" or o["中途取消重办"] == "是":
                continue
            valid += 1
            if o["到期目标客户"] == "是":
                due += 1
        limit = 5 if p["岗位"] == "营业员" else 2
        reward = Decimal(0)
        for household in range(1, valid + 1):
            reward += 20 if household <= limit else 40
        prepaid = prepaid_due = moved = 0
        for o in bb:
            if o["揽装人工号"] != p["工号"]:
                continue
            if o["业务类型"] == "预存送费":
                prepaid += 1
                if o["到期目标客户"] == "是":
                    prepaid_due += 1
            elif o["业务类型"] == "光纤平移":
                moved += 1
        bb_reward = Decimal(20 * prepaid)
        out[key(ps, "移动有效户数", i)] = valid
        out[key(ps, "移动到期目标户数", i)] = due
        out[key(ps, "移动奖励", i)] = yuan(reward)
        if t.param("无效单计效能") == "是":  # 「不纳入奖励范畴」 read as the reward only
            out[key(ps, "移动效能", i)] = num(every_due * Decimal(1) + (every - every_due) * Decimal("0.5"))
        else:
            out[key(ps, "移动效能", i)] = num(due * Decimal(1) + (valid - due) * Decimal("0.5"))
        out[key(ps, "宽带预存户数", i)] = prepaid
        out[key(ps, "宽带到期目标户数", i)] = prepaid_due
        out[key(ps, "光纤平移户数", i)] = moved
        out[key(ps, "宽带奖励", i)] = yuan(bb_reward)
        out[key(ps, "宽带效能", i)] = num(prepaid_due + (prepaid - prepaid_due) * Decimal("0.5")
                                         + moved * Decimal("0.5"))
        out[key(ps, "奖励合计", i)] = yuan(reward + bb_reward)
    t6_postal(t, out)
    return out


def t6_postal(t: Template, out: dict[str, Any]) -> None:
    """邮政大客户维护: 「采用百分制,信息量50分、贡献率50分,达到标准得基本分,超额完成按比例加分,
    未完成按比列扣分」 with 「一月不低于50户」 and 「贡献率不低本月单位业绩的70%」: each half
    in proportion to its standard, not capped; 「一周不低于10户」 a flag."""
    ps = t.data_sheet("客户维护考核")
    for i, r in enumerate(rows_of(ps)):
        info = 50 * D(r["本月收集户数"]) / 50
        share = 50 * D(r["客户贡献率"]) / Decimal("0.7")
        out[key(ps, "信息量得分", i)] = num(info)
        out[key(ps, "贡献率得分", i)] = num(share)
        out[key(ps, "考核得分", i)] = num(info + share)
        out[key(ps, "每周达标", i)] = "是" if r["最少一周户数"] >= 10 else "否"


# --------------------------------------------------------------------------- t7
def t7_weixiu(t: Template) -> dict[str, Any]:
    """维修部: 20/40/30/10 % of four ten-point scores; ≥9 优, ≥7 良, ≥5 中,
    below 5 差 (the template's choice for 4–5); 组长 500/300/200/0, 组员
    300/200/100/0. Floating bonus = base × 30% × dept/100 + base × 70% ×
    own/10; dept = utilisation (×40, 48 at ≥99%) + work orders (×15, 18 at
    100%) + the two scores typed in."""
    out: dict[str, Any] = {}
    lines = rows_of(t.data_sheet("设备运行"))
    down = sum((D(r["设备原因停机时间（小时）"]) for r in lines), Decimal(0))
    run = sum((D(r["本月生产时间（小时）"]) for r in lines), Decimal(0))
    # 「本月报修后完成数量/本月总报修数量」 has no value in a month with no requests (or, for the
    # utilisation, no production hours): the 参数 choices 无报修完成率 / 无生产利用率 stand in (default
    # 100%: nothing was left undone), never #DIV/0! reaching every 浮动奖金.
    util = 1 - down / run if run > 0 else D(t.param("无生产利用率"))
    util_score = Decimal(48) if util >= Decimal("0.99") else util * 40
    dept_sheet = t.sheets[[s.name for s in t.sheets].index("部门得分")]
    vals = dept_sheet.block.values  # type: ignore[union-attr]
    done_rate = D(vals["B9"]) / D(vals["B8"]) if D(vals["B8"]) > 0 else D(t.param("无报修完成率"))
    order_score = Decimal(18) if done_rate >= 1 else done_rate * 15
    dept = util_score + order_score + D(vals["B12"]) + D(vals["B13"])
    out["部门得分!B6"] = num(util)
    out["部门得分!B7"] = num(util_score)
    out["部门得分!B11"] = num(order_score)
    out["部门得分!B14"] = num(dept)
    # 设备部2015年激励方案: 「考评分数在90分奖励500元」 (90 and above, the template's reading) each quarter;
    # 「……无重大消防和安全事故……奖励各车间设备主任1000元」
    ds = t.data_sheet("设备主任奖励")
    for i, r in enumerate(rows_of(ds)):
        total = Decimal(0)
        for q in "一二三四":
            v = r[f"{q}季度考评分"]
            award = Decimal(500) if v is not None and D(v) >= 90 else Decimal(0)
            total += award
            out[key(ds, f"{q}季度奖励", i)] = yuan(award)
        safe = Decimal(1000) if r["全年无重大事故"] == "是" else Decimal(0)
        out[key(ds, "无事故奖励", i)] = yuan(safe)
        out[key(ds, "全年奖励合计", i)] = yuan(total + safe)
    # 「责任人乐捐5元」 per item not completed on time, 「弄虚造假每次给予300元处罚」: deducted from the month's total
    owed = ledger(t, {"事项未按时按质完成（乐捐）": Decimal(5), "弄虚造假": Decimal(300)}, "工号", out)
    gs = t.data_sheet("等级评分")
    score_of: dict[str, Decimal] = {}
    for i, r in enumerate(rows_of(gs)):
        score = (D(r["工作态度"]) * Decimal("0.2") + D(r["维修技能"]) * Decimal("0.4")
                 + D(r["服从情况"]) * Decimal("0.3") + D(r["部门协作"]) * Decimal("0.1"))
        if score >= 9:
            grade, lead, member = "优", 500, 300
        elif score >= 7:
            grade, lead, member = "良", 300, 200
        elif score >= 5:
            grade, lead, member = "中", 200, 100
        else:
            grade, lead, member = "差", 0, 0
        bonus = Decimal(lead if r["岗位"] == "组长" else member)
        base = D(r["核定月浮动奖金"])
        floating = base * Decimal("0.3") * dept / 100 + base * Decimal("0.7") * score / 10
        score_of[r["工号"]] = score
        out[key(gs, "综合得分", i)] = num(score)
        out[key(gs, "等级", i)] = grade
        out[key(gs, "等级奖金", i)] = yuan(bonus)
        out[key(gs, "浮动奖金", i)] = yuan(floating)
        total = bonus + Decimal(str(yuan(floating)))
        out[key(gs, "奖金合计", i)] = yuan(total)
        out[key(gs, "乐捐与罚款", i)] = yuan(by_person(owed, r["工号"]))
        out[key(gs, "实发合计", i)] = yuan(total - by_person(owed, r["工号"]))
    # 「岗位工资中70%作为基本工资,30%作为考核工资」, 「上满全勤工作时间方能得到全部基本工资」 (short
    # attendance pro rata, or nothing under 缺勤基本工资 = 不发); 考核 = the person's ten-point score ÷ 10
    pro_rata = t.param("缺勤基本工资") == "按比例"
    ws = t.data_sheet("岗位工资")
    for i, r in enumerate(rows_of(ws)):
        pay, due, came = D(r["月岗位工资"]), D(r["应出勤天数"]), D(r["实际出勤天数"])
        if came >= due:
            base = Decimal(str(yuan(pay * Decimal("0.7"))))
        else:
            base = Decimal(str(yuan(pay * Decimal("0.7") * came / due))) if pro_rata else Decimal(0)
        score = score_of[r["工号"]]
        merit = Decimal(str(yuan(pay * Decimal("0.3") * score / 10)))
        out[key(ws, "基本工资", i)] = yuan(base)
        out[key(ws, "考核得分（十分制）", i)] = num(score)
        out[key(ws, "考核工资", i)] = yuan(merit)
        out[key(ws, "岗位工资合计", i)] = yuan(base + merit)
    return out


# --------------------------------------------------------------------------- ledgers
def ledger(t: Template, each: dict[str, Decimal], id_header: str, out: dict[str, Any],
           each_of: Callable[[dict[str, Any]], Decimal] | None = None) -> dict[tuple[str, int], Decimal]:
    """The 扣款登记 sheet: amount = count × the 事项's amount per occurrence (or
    ``each_of(row)``); returns the total per (id, month of the event)."""
    es = t.data_sheet("扣款登记")
    totals: dict[tuple[str, int], Decimal] = {}
    for i, r in enumerate(rows_of(es)):
        unit = each_of(r) if each_of else each[r["事项"]]
        amount = unit * D(r["次数"])
        month = r["日期"].month
        totals[(r[id_header], month)] = totals.get((r[id_header], month), Decimal(0)) + amount
        out[key(es, "月份", i)] = month
        out[key(es, "每次扣款", i)] = yuan(unit)
        out[key(es, "扣款金额", i)] = yuan(amount)
    return totals


def by_person(totals: dict[tuple[str, int], Decimal], who: str) -> Decimal:
    return sum((v for (w, _m), v in totals.items() if w == who), Decimal(0))


# --------------------------------------------------------------------------- t8
def forced_labels(scores: dict[int, Decimal], shares: list[Decimal], labels: list[str]) -> dict[int, str]:
    """「按照强制比例分布」: counts share/Σ × n by largest remainder (equal remainders to
    the better label), handed out from the best score down; people with equal scores
    all get the label of the best place they share (1 + number strictly better)."""
    n = len(scores)
    total = sum(shares, Decimal(0))
    quotas = [s * n / total for s in shares]
    counts = [int(q) for q in quotas]
    for k in sorted(range(len(shares)), key=lambda k: (-(quotas[k] - counts[k]), k))[:n - sum(counts)]:
        counts[k] += 1
    label_of_place: list[str] = []
    for lab, c in zip(labels, counts, strict=True):
        label_of_place += [lab] * c
    ranks = competition_ranks(scores)
    return {i: label_of_place[ranks[i] - 1] for i in scores}


def t8_xiaoshoubu(t: Template) -> dict[str, Any]:
    """销售部: 「满分为100分,各项权重不同」 — the template's example weights 20/30/50 %;
    「按照强制比例分布,确定各人考核系数」 — 优秀 10 %, 良好 20 %, 合格 40 %, 基本合格 20 %,
    不合格 10 %, coefficients 1.2/1.1/1.0/0.9/0.8, per month over the people appraised
    that month; 「工资总额=基本工资+销售提成+福利费」 with the coefficient on 基本工资;
    fines 「处罚1000元罚款」 (泄密, 出卖合同, 私揽工程), 「每次处罚工程负责人50元」 (未汇报),
    「一发现将处罚500元」 (不服从, 顶撞, 散布言论, 擅自离岗) per occurrence, deducted in the
    month of the event; the year = mean of the months appraised, distributed again."""
    labels = ["优秀", "良好", "合格", "基本合格", "不合格"]
    shares = [Decimal("0.1"), Decimal("0.2"), Decimal("0.4"), Decimal("0.2"), Decimal("0.1")]
    coef = dict(zip(labels, [Decimal("1.2"), Decimal("1.1"), Decimal(1), Decimal("0.9"), Decimal("0.8")],
                    strict=True))
    fine_each = {"泄漏商业和技术秘密": 1000, "出卖公司合同、技术": 1000, "未经批准参与其它工程项目": 1000,
                 "未汇报项目进展": 50, "不服从工作安排": 500, "顶撞主管领导": 500,
                 "散布不利于公司形象的言论": 500, "擅自离岗": 500}
    out: dict[str, Any] = {}
    fines = ledger(t, {k: Decimal(v) for k, v in fine_each.items()}, "工号", out)
    ms = t.data_sheet("月度评估")
    rows = rows_of(ms)
    score: dict[int, Decimal] = {}
    for i, r in enumerate(rows):
        score[i] = D(r["职业素养"]) * Decimal("0.2") + D(r["工作能力"]) * Decimal("0.3") + D(r["工作业绩"]) * Decimal("0.5")
    grade: dict[int, str] = {}
    for m in range(1, 13):
        grade.update(forced_labels({i: v for i, v in score.items() if rows[i]["月份"] == m}, shares, labels))
    paid: dict[int, Decimal] = {}
    for i, r in enumerate(rows):
        total = Decimal(str(yuan(D(r["基本工资"]) * coef[grade[i]] + D(r["销售提成"]) + D(r["福利费"]))))
        fine = fines.get((r["工号"], r["月份"]), Decimal(0))
        paid[i] = total - fine
        out[key(ms, "月度得分", i)] = num(score[i])
        out[key(ms, "月度等级", i)] = grade[i]
        out[key(ms, "考核系数", i)] = num(coef[grade[i]])
        out[key(ms, "工资总额", i)] = yuan(total)
        out[key(ms, "当月罚款", i)] = yuan(fine)
        out[key(ms, "实发工资", i)] = yuan(paid[i])
        out[key(ms, "明细键", i)] = f"{r['工号']}-{r['月份']}"
    es = t.data_sheet("扣款登记")
    on_pay = {(r["工号"], r["月份"]) for r in rows}
    for j, e in enumerate(rows_of(es)):
        out[key(es, "扣除情况", j)] = "已扣" if (e["工号"], e["日期"].month) in on_pay else "未扣：当月无工资行"
    ys = t.data_sheet("年度评估")
    people = rows_of(ys)
    year: dict[int, Decimal] = {}
    for p, person in enumerate(people):
        mine = {r["月份"]: score[i] for i, r in enumerate(rows) if r["工号"] == person["工号"]}
        for m in range(1, 13):
            out[key(ys, f"{m}月", p)] = num(mine[m]) if m in mine else ""
        out[key(ys, "评估月数", p)] = len(mine)
        if mine:
            year[p] = sum(mine.values(), Decimal(0)) / len(mine)
            out[key(ys, "年度得分", p)] = num(year[p])
        else:
            out[key(ys, "年度得分", p)] = ""
        out[key(ys, "全年罚款", p)] = yuan(by_person(fines, person["工号"]))
        # 「在违规日期所在月份的工资中扣除」: a fine whose month has no pay row of the person is not deducted
        out[key(ys, "未扣罚款", p)] = yuan(sum((v for (w, m), v in fines.items()
                                               if w == person["工号"] and (w, m) not in on_pay), Decimal(0)))
        out[key(ys, "全年实发", p)] = yuan(sum((paid[i] for i, r in enumerate(rows) if r["工号"] == person["工号"]),
                                              Decimal(0)))
    year_grade = forced_labels(year, shares, labels)
    for p in range(len(people)):
        out[key(ys, "年度等级", p)] = year_grade.get(p, "")
        out[key(ys, "年度考核系数", p)] = num(coef[year_grade[p]]) if p in year_grade else ""
    return out


GOLDEN: dict[str, Callable[[Template], dict[str, Any]]] = {
    "t1-gongxiaoshe": t1_gongxiaoshe,
    "t2-wangxiao": t2_wangxiao,
    "t3-hujiao": t3_hujiao,
    "t4-baoxian": t4_baoxian,
    "t5-xiaoshou": t5_xiaoshou,
    "t6-weixi": t6_weixi,
    "t7-weixiu": t7_weixiu,
    "t8-xiaoshoubu": t8_xiaoshoubu,
}


def _is_empty_row(s: DataSheet, row: dict[str, Any]) -> bool:
    """A row whose key column (the sheet's ``empty_key``) is blank: nobody is in it."""
    header = next(c.header for c in s.cols if c.name == s.empty_key)
    return row[header] is None or row[header] == ""


def golden(t: Template) -> dict[str, Any]:
    """Every result cell of ``t``'s data rows. Empty rows (the key column blank,
    anywhere among the data) give an empty result in every result column and
    change nobody else's: the reference is computed without them and its cells
    moved back to where each person's row is."""
    kept: dict[str, list[int]] = {}
    compact = copy.deepcopy(t)
    for s in compact.sheets:
        if isinstance(s, DataSheet) and s.empty_key is not None:
            heads = [c.header for c in s.cols if c.is_input]
            rows = [list(r) for r in s.iter_rows()]
            keep = [i for i, r in enumerate(rows) if not _is_empty_row(s, dict(zip(heads, r, strict=True)))]
            if len(keep) < len(rows):
                kept[s.name] = keep
                s.rows = [rows[i] for i in keep]
                s.nrows = len(keep)
    out = GOLDEN[t.id](compact)
    if not kept:
        return out
    moved: dict[str, Any] = {}
    for where, value in out.items():
        sheet, cell = where.split("!", 1)
        letters = cell.rstrip("0123456789")
        row = int(cell[len(letters):])
        if sheet in kept and row >= FIRST_ROW:
            row = FIRST_ROW + kept[sheet][row - FIRST_ROW]
        moved[f"{sheet}!{letters}{row}"] = value
    for name, keep in kept.items():
        s = t.data_sheet(name)
        for i in sorted(set(range(s.nrows)) - set(keep)):
            for c in s.cols:
                if not c.is_input:
                    moved[key(s, c.header, i)] = ""
    return moved
