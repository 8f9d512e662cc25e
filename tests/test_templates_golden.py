"""The kernel, fed each committed template's parameters and inputs, reproduces
the golden results computed independently by ``workbooks/golden_reference.py``.

Each test reads the values behind the template's defined names from the
committed .xlsx and calls the contract functions (``udfs.*``) exactly as the
template's formulas do; Excel built-ins (XLOOKUP, SUMIFS, IF …) are mirrored
with plain Python. Goldens are keyed by result cell (``"人员奖金!I4"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils.cell import range_boundaries

from workbooks import build as wbuild
from workbooks.model import FIRST_ROW, DataSheet
from workbooks.templates import REGISTRY


class Book:
    """Values behind a committed template's defined names."""

    def __init__(self, tid: str) -> None:
        self.t = REGISTRY[tid]()
        self.wb = openpyxl.load_workbook(wbuild.XLSX_DIR / self.t.filename)
        self.gold: dict[str, Any] = json.loads(
            (wbuild.GOLDEN_DIR / f"{tid}.json").read_text(encoding="utf-8"))["values"]

    def __call__(self, name: str) -> list[list[Any]]:
        """The 2-D block of values a defined name refers to (on a data sheet,
        its data rows: the spare rows below are empty and have no golden cells)."""
        sheet, a1 = self.wb.defined_names[name].attr_text.split("!")
        ws = self.wb[sheet.strip("'")]
        c1, r1, c2, r2 = range_boundaries(a1.replace("$", ""))
        data = next((s for s in self.t.sheets if isinstance(s, DataSheet) and s.name == ws.title), None)
        if data is not None and r1 >= FIRST_ROW:
            r2 = min(r2, data.last_row)
        return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def col(self, name: str) -> list[Any]:
        return [r[0] for r in self(name)]

    def scalar(self, name: str) -> Any:
        return self(name)[0][0]

    def cells(self, sheet: str, header: str) -> Iterator[str]:
        s = self.t.data_sheet(sheet)
        assert isinstance(s, DataSheet)
        for i in range(s.nrows):
            yield f"{sheet}!{s.cell(header, i)}"

    def check(self, sheet: str, header: str, values: Any, money: bool = False) -> int:
        """Compare a computed column with the golden cells; returns cells checked."""
        arr = np.asarray(values, dtype=object).reshape(-1)
        keys = list(self.cells(sheet, header))
        assert len(arr) == len(keys), (sheet, header, len(arr), len(keys))
        bad = []
        for k, v in zip(keys, arr, strict=True):
            g = self.gold[k]
            if isinstance(g, str):  # "" also stands for the kernel's None (see golden_reference)
                ok = (v if v is not None else "") == g
            else:
                ok = isinstance(v, (int, float, np.floating, np.integer)) and abs(float(v) - g) <= (
                    0.004 if money else 1e-9)
            if not ok:
                bad.append((k, v, g))
        assert not bad, f"{len(bad)} cells differ, first: {bad[:5]}"
        return len(keys)


@cache
def book(tid: str) -> Book:
    return Book(tid)


def lookup(keys: list[Any], values: list[Any]) -> dict[Any, Any]:
    return dict(zip(keys, values, strict=True))


def column(x: Any) -> list[list[Any]]:
    return [[v] for v in np.asarray(x, dtype=object).reshape(-1)]


def ledger_owed(b: Book, ids: list[Any]) -> tuple[list[Any], list[Any]]:
    """The 扣款登记 sheet: checks each event's amount (count × the 事项's amount) and
    returns the amounts and their total per id in ``ids``."""
    from udfs.money import money

    each = lookup(b.col("扣款事项"), b.col("扣款单价"))
    amounts: list[Any] = [money(n * each[k]) for n, k in zip(b.col("事项次数"), b.col("事项"), strict=True)]
    b.check("扣款登记", "扣款金额", amounts, money=True)
    return amounts, [sum(a for a, w in zip(amounts, b.col("事项工号"), strict=True) if w == p) for p in ids]


# --------------------------------------------------------------------------- t1
def test_t1_gongxiaoshe() -> None:
    """供销社: WSCORE capped sum, BAND rate by revenue, POINT_BONUS with gates."""
    from udfs.bands import band, point_bonus
    from udfs.money import money
    from udfs.scoring import wscore

    b = book("t1-gongxiaoshe")
    score = wscore(b("评分块"), b("项目权重"), b("项目上限"))
    rate = band(b("企业年收入"), b("收入档"))
    b.check("企业评分", "企业得分", score)
    b.check("企业评分", "每分单价（元）", rate)
    ents = b.col("企业名称")
    s_of = lookup(ents, np.asarray(score).reshape(-1).tolist())
    r_of = lookup(ents, np.asarray(rate).reshape(-1).tolist())
    d_of = lookup(ents, b.col("完成任务"))
    first, second = b.col("所在企业"), b.col("兼任企业")
    staff_score = [s_of[f] if not s else (s_of[f] + s_of[s]) / 2 for f, s in zip(first, second, strict=True)]
    staff_rate = [r_of[f] for f in first]
    b.check("人员奖金", "考核得分", staff_score)
    b.check("人员奖金", "收入档单价", staff_rate)
    paid = np.asarray(point_bonus(column(staff_score), column(staff_rate), b("分数门槛")), dtype=object).reshape(-1)
    fallback = np.asarray(point_bonus(column(staff_score), b.scalar("达标单价"), b("分数门槛")),
                          dtype=object).reshape(-1)
    give_fallback = b.scalar("未完成任务发达标奖") == "是"
    bonus = [p if d_of[f] == "是" else (fb if give_fallback else 0)
             for p, fb, f in zip(paid, fallback, first, strict=True)]
    b.check("人员奖金", "年度奖金", bonus, money=True)
    need_task = b.scalar("增发须完成任务") == "是"
    extra = [base if sc >= b.scalar("增发分数线") and (not need_task or d_of[f] == "是") else 0
             for base, sc, f in zip(b.col("月基本工资"), staff_score, first, strict=True)]
    b.check("人员奖金", "增发一个月基本工资", extra, money=True)
    b.check("人员奖金", "奖金合计", [money(x + e) for x, e in zip(bonus, extra, strict=True)], money=True)


def test_t2_wangxiao() -> None:
    """网销: BAND(…, "上含") on the attainment; base and piece rates for 电话专员
    only; fines by role."""
    from udfs.bands import band
    from udfs.money import money

    b = book("t2-wangxiao")
    target, invited = np.array(b.col("邀约目标"), float), np.array(b.col("邀约到店"), float)
    numerator = np.array(b.col("实际邀约"), float) if b.scalar("Y口径") == "实际邀约" else invited
    y = np.where(target > 0, numerator / np.where(target > 0, target, 1), 0)
    b.check("月度绩效", "达成率Y", y)
    rate = np.asarray(band(column(y), b("交付单价档"), 2, "上含"), float).reshape(-1)
    b.check("月度绩效", "交付单价", rate)
    roles = b.col("岗位")
    fines = lookup(b.col("罚款岗位"), b.col("罚款金额"))
    role_of = lookup(b.col("工号"), roles)
    ev_ids, ev_counts = b.col("事项工号"), b.col("事项次数")
    ev_amount: list[Any] = [money(n * fines[role_of[w]]) for w, n in zip(ev_ids, ev_counts, strict=True)]
    b.check("扣款登记", "扣款金额", ev_amount, money=True)
    counts = [sum(n for w, n in zip(ev_ids, ev_counts, strict=True) if w == p) for p in b.col("工号")]
    b.check("月度绩效", "违规次数", counts)
    phone = np.array([r == "电话专员" for r in roles])
    base = np.where(phone, b.scalar("底薪"), 0)
    invite = np.where(phone, np.asarray(money(column(invited * b.scalar("邀约单价"))), float).reshape(-1), 0)
    units = np.array(b.col("交付组数" if b.scalar("交付计奖单位") == "组" else "成功交付"), float)
    deliver = np.where(phone, np.asarray(money(column(units * rate)), float).reshape(-1), 0)
    fine = np.array([sum(a for w, a in zip(ev_ids, ev_amount, strict=True) if w == p) for p in b.col("工号")], float)
    b.check("月度绩效", "邀约奖", invite, money=True)
    b.check("月度绩效", "交付奖", deliver, money=True)
    b.check("月度绩效", "罚款", fine, money=True)
    b.check("月度绩效", "应发合计", money(column(base + invite + deliver - fine)), money=True)


def flat(x: Any) -> list[Any]:
    return np.asarray(x, dtype=object).reshape(-1).tolist()


def test_t3_hujiao() -> None:
    """呼叫中心: RANKX within groups, STREAK of first places, RANK_PRIZE with
    negative amounts from the bottom, SUMIFS totals."""
    from udfs.money import money
    from udfs.ranking import rank_prize, rankx
    from udfs.scoring import streak

    b = book("t3-hujiao")
    months = ["1月", "2月", "3月"]
    elig, groups = b("参加排名"), b("组别")
    ranks = [flat(rankx(b(f"业绩{m + 1}月"), 0, b.scalar("组长排名方式"), groups, elig)) for m in range(3)]
    for m, name in enumerate(months):
        b.check("人员业绩", f"{name}组内名次", ranks[m])
    block = [list(r) for r in zip(*ranks, strict=True)]
    run = flat(streak(block, "=1", "last"))
    b.check("人员业绩", "连任组长月数", run)
    b.check("人员业绩", "晋升", ["晋升主管" if v >= b.scalar("晋升连续月数") else "" for v in run])
    this = b("业绩3月")
    b.check("人员业绩", "本月个人名次", rankx(this, 0, None, None, elig))
    prize = flat(rank_prize(this, b("个人奖表"), elig))
    cut = flat(rank_prize(this, b("个人降点表"), elig, 1, "同奖"))
    b.check("人员业绩", "本月个人奖", prize, money=True)
    b.check("人员业绩", "个人降点（百分点）", cut)
    # 小组 sheet: SUMIFS per group and month
    names, members = b.col("小组组别"), b.col("组别")
    totals = [[sum(v or 0 for v, g in zip(b.col(f"业绩{m + 1}月"), members, strict=True) if g == name)
               for name in names] for m in range(3)]
    for m, name in enumerate(months):
        b.check("小组", f"{name}小组业绩", totals[m], money=True)
    g_this = column(totals[-1])
    b.check("小组", "本月小组名次", rankx(g_this, 0))
    b.check("小组", "小组奖", rank_prize(g_this, b("小组奖表")), money=True)
    g_cut = flat(rank_prize(g_this, b("小组降点表"), None, 1, "同奖"))
    b.check("小组", "小组降点（百分点）", g_cut)
    cut_of = lookup(names, g_cut)
    yes = [e == "是" for e in b.col("参加排名")]
    person_gcut = [cut_of.get(g, 0) for g in members]
    b.check("人员业绩", "小组降点（百分点）", person_gcut)
    rate = [b.scalar("基础提成比例") + ((c or 0) + g) * b.scalar("百分点") if y else 0
            for c, g, y in zip(cut, person_gcut, yes, strict=True)]
    b.check("人员业绩", "提成比例", rate)
    commission = [money((v or 0) * r) if y else 0 for v, r, y in zip(b.col("业绩3月"), rate, yes, strict=True)]
    b.check("人员业绩", "本月提成", commission, money=True)
    prize_or_0: list[Any] = [p or 0 for p in prize]  # no place (blank month) is no prize
    b.check("人员业绩", "本月奖金合计",
            [money(c + p) if y else 0 for c, p, y in zip(commission, prize_or_0, yes, strict=True)], money=True)
    # 主管 sheet: two groups' total, lowest = 1, STREAK of last places
    sups, group_sup = b.col("主管姓名"), b.col("小组主管")
    sup_tot = [[sum(t for t, s in zip(totals[m], group_sup, strict=True) if s == sp) for sp in sups]
               for m in range(3)]
    g_low = [flat(rankx(column(totals[m]), 1)) for m in range(3)]
    for m, name in enumerate(months):
        b.check("小组", f"{name}倒数名次", g_low[m])
    if b.scalar("降级口径") == "两组合计最低":
        sup_rank = [flat(rankx(column(sup_tot[m]), 1)) for m in range(3)]
    else:  # both of the 主管's groups among the lowest two
        sup_rank = [[1 if sum(1 for lo, s in zip(g_low[m], group_sup, strict=True) if s == sp and lo <= 2) == 2
                     else None for sp in sups] for m in range(3)]
    for m, name in enumerate(months):
        b.check("主管", f"{name}两组合计", sup_tot[m], money=True)
        b.check("主管", f"{name}末位名次", sup_rank[m])
    low = flat(streak([list(r) for r in zip(*sup_rank, strict=True)], "=1", "last"))
    b.check("主管", "垫底连续月数", low)
    b.check("主管", "降级", ["降为小组长" if v >= b.scalar("降级连续月数") else "" for v in low])


def serial(v: Any) -> Any:
    """A date cell as Excel's serial number (what the kernel receives)."""
    from openpyxl.utils.datetime import to_excel

    return to_excel(v) if v is not None else None


def test_t4_baoxian() -> None:
    """保险竞赛: SUMIFS city totals, multi-key RANK_PRIZE with eligibility for the
    speed prize, ALLOCATE 1 : 0.5 : 0.5, individual RANK_PRIZE behind two gates."""
    from udfs.money import allocate, money
    from udfs.ranking import rank_prize, rankx

    b = book("t4-baoxian")
    agent_city, premium = b.col("个人城市"), b.col("个人保费")
    cities = b.col("城市")
    total = [sum(p for p, c in zip(premium, agent_city, strict=True) if c == city) for city in cities]
    b.check("城市业绩", "活动保费（元）", total, money=True)
    start_t = lookup(b.col("城市名"), b.col("起始目标万元"))
    budget_t = lookup(b.col("城市名"), b.col("预算目标万元"))
    unit = b.scalar("万元")
    start_ok = ["是" if t >= start_t[c] * unit else "否" for t, c in zip(total, cities, strict=True)]
    budget_ok = ["是" if t >= budget_t[c] * unit else "否" for t, c in zip(total, cities, strict=True)]
    b.check("城市业绩", "达成起始", start_ok)
    b.check("城市业绩", "达成预算", budget_ok)
    start_d, budget_d = [serial(v) for v in b.col("起始日期")], [serial(v) for v in b.col("预算日期")]
    keys = [[1 if ok == "是" else 0, bd if ok == "是" else (sd or 0)]
            for ok, sd, bd in zip(budget_ok, start_d, budget_d, strict=True)]
    b.check("城市业绩", "速度奖名次", rankx(keys, b("速度奖排序"), None, None, column(start_ok)))
    speed = flat(rank_prize(keys, b("速度奖表"), column(start_ok), b("速度奖排序")))
    b.check("城市业绩", "速度奖", speed, money=True)
    nat = [b.scalar("全国奖额") if t >= b.scalar("全国门槛") and r and 0 < r <= b.scalar("全国奖名额") else 0
           for t, r in zip(total, b.col("全国排名"), strict=True)]
    b.check("城市业绩", "全国奖", nat, money=True)
    prize_of = lookup(cities, [v or 0 for v in speed])
    coef = lookup(b.col("职务名"), b.col("分配系数"))
    weights = [coef[t] for t in b.col("分配职务")]
    b.check("速度奖分配", "系数", weights)
    shares: list[Any] = []
    alloc_city = b.col("分配城市")
    for i in range(0, len(weights), 3):
        shares += flat(allocate(prize_of[alloc_city[i]], [[w] for w in weights[i:i + 3]]))
    b.check("速度奖分配", "分得奖金", shares, money=True)
    ok_of = lookup(cities, start_ok)
    city_ok = [ok_of[c] for c in agent_city]
    b.check("个人竞赛", "所在市达成起始", city_ok)
    elig = ["是" if ok == "是" and p >= b.scalar("个人门槛") else "否"
            for ok, p in zip(city_ok, premium, strict=True)]
    b.check("个人竞赛", "参赛资格", elig)
    b.check("个人竞赛", "全省名次", rankx(column(premium), 0, None, None, column(elig)))
    ind = flat(rank_prize(column(premium), b("个人奖表"), column(elig), None, b.scalar("个人奖并列")))
    b.check("个人竞赛", "个人奖", ind, money=True)
    b.check("个人竞赛", "手续费", [money(p * b.scalar("手续费率")) for p in premium], money=True)
    speed_sum, ind_sum = sum(v or 0 for v in speed), sum(v or 0 for v in ind)
    assert abs(b.gold["汇总!B4"] - speed_sum) < 0.005
    assert abs(b.gold["汇总!B5"] - ind_sum) < 0.005
    assert abs(b.gold["汇总!B8"] - (b.scalar("省奖池") - speed_sum - ind_sum)) < 0.005


def test_t5_xiaoshou() -> None:
    """销售员: DEDUCT, WSCORE 70/30, SUMIFS pivot to 12 months, STREAK of low
    months, TIERED magazine commission with the template's reading."""
    import math

    from udfs.bands import tiered
    from udfs.money import money
    from udfs.scoring import deduct, streak, wscore

    b = book("t5-xiaoshou")
    dealer = flat(deduct(b.scalar("经销商满分"), b("扣分项数"), b.scalar("每项扣分")))
    b.check("月度考核", "经销商管理得分", dealer)
    daily = [d + m for d, m in zip(dealer, b.col("销售员管理得分"), strict=True)]
    b.check("月度考核", "日常工作得分", daily)
    days = [[math.ceil(v)] for v in b.col("缺勤天数")]
    att = flat(deduct(b.scalar("出勤满分"), days, b.scalar("缺勤扣分")))
    b.check("月度考核", "出勤得分", att)
    score = flat(wscore([[d, a] for d, a in zip(daily, att, strict=True)], b("月度权重")))
    b.check("月度考核", "月度得分", score)
    pay = [money(base * (s / b.scalar("全额基准分"))) for base, s in zip(b.col("核定月工资"), score, strict=True)]
    b.check("月度考核", "月度工资", pay, money=True)
    by = {(w, m): s for w, m, s in zip(b.col("月度工号"), b.col("月份"), score, strict=True)}
    months = b("月份序号")[0]
    missing = 0 if b.scalar("缺月记分") == "按0分" else None  # a month with no appraisal is no score
    grid = [[by.get((w, m), missing) for m in months] for w in b.col("工号")]
    for k, m in enumerate(months):
        b.check("年度考核", f"{m}月", [row[k] for row in grid])
    b.check("年度考核", "年度得分", [sum(v or 0 for v in row) / b.scalar("全年月数") for row in grid])
    low70 = flat(streak(grid, f"<{b.scalar('连续低分线')}"))
    low60 = flat(streak(grid, f"<{b.scalar('单月低分线')}"))
    b.check("年度考核", "最长连续低于70分月数", low70)
    b.check("年度考核", "最长连续低于60分月数", low60)
    b.check("年度考核", "转岗/再培训", ["转岗/再培训" if a >= b.scalar("连续低分月数线") or c >= 1 else ""
                                   for a, c in zip(low70, low60, strict=True)])
    pay = flat(tiered(b("征订份数"), b("杂志提成表"), b.scalar("杂志提成口径"), "上含"))
    b.check("杂志征订", "提成", pay, money=True)
    _amounts, owed = ledger_owed(b, b.col("征订编号"))
    b.check("杂志征订", "赔偿与罚款", owed, money=True)
    b.check("杂志征订", "实发", [money(p - o) for p, o in zip(pay, owed, strict=True)], money=True)
    # 电梯: units beyond the target in signing order; commission × 回款率; MONEY per contract
    seq, who, units = b.col("签订序号"), b.col("合同销售员"), b.col("合同台数")
    target = lookup(b.col("电梯销售员"), b.col("年度目标台数"))
    before = [sum(u for s2, w2, u in zip(seq, who, units, strict=True) if w2 == w and s2 < s1)
              for s1, w in zip(seq, who, strict=True)]
    over = [n if p >= target[w] else max(0, p + n - target[w]) for p, n, w in zip(before, units, who, strict=True)]
    b.check("电梯合同", "此前累计台数", before)
    b.check("电梯合同", "超目标台数", over)
    ratio = [min(1, paid / tot) if tot > 0 else 0 for paid, tot in zip(b.col("已回款"), b.col("合同总价"), strict=True)]
    b.check("电梯合同", "回款率", ratio)
    inside = [money(tot * (n - o) / n * b.scalar("目标内提成率") * r)
              for tot, n, o, r in zip(b.col("合同总价"), units, over, ratio, strict=True)]
    beyond = [money(dev * o / n * b.scalar("超目标提成率") * r)
              for dev, n, o, r in zip(b.col("设备总价"), units, over, ratio, strict=True)]
    b.check("电梯合同", "目标内提成", inside, money=True)
    b.check("电梯合同", "超目标提成", beyond, money=True)
    b.check("电梯合同", "超额奖金", [o * b.scalar("超额每台奖金") for o in over], money=True)
    # 区域经理: capped item sums, 材料 points lost ×加倍倍数 when 连续, DEDUCT to 0, WSCORE 70/30
    papers = flat(wscore(b("材料分项"), b("材料权重"), b("材料满分")))
    others = flat(wscore(b("其他分项"), b("其他权重"), b("其他满分")))
    b.check("区域经理考核", "材料得分", papers)
    b.check("区域经理考核", "其他得分", others)
    twice = [b.scalar("加倍倍数") if c == "是" else 1 for c in b.col("连续未交")]
    lost = [[(sum(b("材料满分")[0]) - p) * k + sum(b("其他满分")[0]) - o]
            for p, o, k in zip(papers, others, twice, strict=True)]
    daily_m = flat(deduct(b.scalar("日常满分"), lost, 1))
    b.check("区域经理考核", "日常工作得分", daily_m)
    att_m = flat(deduct(b.scalar("出勤满分"), [[math.ceil(v)] for v in b.col("经理缺勤天数")], b.scalar("缺勤扣分")))
    b.check("区域经理考核", "月度得分", flat(wscore([[d, a] for d, a in zip(daily_m, att_m, strict=True)],
                                                   b("月度权重"))))
    pool: list[Any] = [money(g * b.scalar("效益奖励比例")) if g > 0 else 0 for g in b.col("分公司利润")]
    share = [min(1, max(b.scalar("经理最低比例"), x)) for x in b.col("经理比例")]
    mgr: list[Any] = [money(p * x) for p, x in zip(pool, share, strict=True)]
    b.check("效益奖励", "奖励总额", pool, money=True)
    b.check("效益奖励", "经理奖励", mgr, money=True)
    b.check("效益奖励", "财务主管奖励", [money(p - m) for p, m in zip(pool, mgr, strict=True)], money=True)


def test_t6_weixi() -> None:
    """客户维系: COUNTIFS of valid orders, TIERED "超额" with the table chosen by role."""
    from udfs.bands import tiered
    from udfs.money import money

    b = book("t6-weixi")
    ids, roles = b.col("工号"), b.col("岗位")
    orders = list(zip(b.col("移动揽装人"), b.col("移动副卡"), b.col("移动无月租"), b.col("移动有效4G"),
                      b.col("移动取消重办"), b.col("移动到期"), strict=True))
    ok = [o for o in orders if o[1:5] == ("否", "否", "是", "否")]
    valid = [sum(1 for o in ok if o[0] == w) for w in ids]
    due = [sum(1 for o in ok if o[0] == w and o[5] == "是") for w in ids]
    b.check("人员", "移动有效户数", valid)
    b.check("人员", "移动到期目标户数", due)
    clerk = flat(tiered(column(valid), b("营业员移动档"), "超额"))
    other = flat(tiered(column(valid), b("其他岗位移动档"), "超额"))
    mobile = [c if r == "营业员" else o for c, o, r in zip(clerk, other, roles, strict=True)]
    b.check("人员", "移动奖励", mobile, money=True)
    full, half, move = b.scalar("到期效能"), b.scalar("非到期效能"), b.scalar("平移效能")
    if b.scalar("无效单计效能") == "是":  # 效能 on every order, the reward on valid ones only
        valid_e = [sum(1 for o in orders if o[0] == w) for w in ids]
        due_e = [sum(1 for o in orders if o[0] == w and o[5] == "是") for w in ids]
    else:
        valid_e, due_e = valid, due
    b.check("人员", "移动效能", [d * full + (v - d) * half for v, d in zip(valid_e, due_e, strict=True)])
    bb = list(zip(b.col("宽带揽装人"), b.col("宽带类型"), b.col("宽带到期"), strict=True))
    pre = [sum(1 for o in bb if o[0] == w and o[1] == "预存送费") for w in ids]
    pre_due = [sum(1 for o in bb if o[0] == w and o[1] == "预存送费" and o[2] == "是") for w in ids]
    moved = [sum(1 for o in bb if o[0] == w and o[1] == "光纤平移") for w in ids]
    b.check("人员", "宽带预存户数", pre)
    b.check("人员", "宽带到期目标户数", pre_due)
    b.check("人员", "光纤平移户数", moved)
    bb_pay = [money(n * b.scalar("宽带单价")) for n in pre]
    b.check("人员", "宽带奖励", bb_pay, money=True)
    b.check("人员", "宽带效能", [d * full + (n - d) * half + m * move
                             for n, d, m in zip(pre, pre_due, moved, strict=True)])
    b.check("人员", "奖励合计", [money(m + p) for m, p in zip(mobile, bb_pay, strict=True)], money=True)
    info = [b.scalar("信息量分值") * n / b.scalar("月户数标准") for n in b.col("本月户数")]
    share = [b.scalar("贡献率分值") * x / b.scalar("贡献率标准") for x in b.col("贡献率")]
    b.check("客户维护考核", "信息量得分", info)
    b.check("客户维护考核", "贡献率得分", share)
    b.check("客户维护考核", "考核得分", [x + y for x, y in zip(info, share, strict=True)])
    b.check("客户维护考核", "每周达标", ["是" if w >= b.scalar("周户数标准") else "否" for w in b.col("最少周户数")])


def test_t7_weixiu() -> None:
    """维修部: WSCORE 20/40/30/10, BAND grade and amount by role, department score
    with the 1.2× incentive, floating bonus 30/70."""
    from udfs.bands import band
    from udfs.money import money
    from udfs.scoring import wscore

    b = book("t7-weixiu")
    run = sum(b.col("生产时间"))
    util = 1 - sum(b.col("停机时间")) / run if run > 0 else b.scalar("无生产利用率")
    util_score = (b.scalar("利用率满分") * b.scalar("激励倍数") if util >= b.scalar("利用率激励线")
                  else util * b.scalar("利用率满分"))
    ws = b.wb["部门得分"]
    rate = ws["B9"].value / ws["B8"].value if ws["B8"].value else b.scalar("无报修完成率")
    order_score = (b.scalar("工单满分") * b.scalar("激励倍数") if rate >= b.scalar("工单激励线")
                   else rate * b.scalar("工单满分"))
    dept = util_score + order_score + ws["B12"].value + ws["B13"].value
    for cell, v in (("B6", util), ("B7", util_score), ("B11", order_score), ("B14", dept)):
        assert abs(b.gold[f"部门得分!{cell}"] - v) < 1e-9, cell
    score = flat(wscore(b("评分块"), b("等级权重")))
    b.check("等级评分", "综合得分", score)
    b.check("等级评分", "等级", band(column(score), b("等级表")))
    lead, member = flat(band(column(score), b("等级表"), 3)), flat(band(column(score), b("等级表"), 4))
    bonus = [ld if r == "组长" else mb for ld, mb, r in zip(lead, member, b.col("岗位"), strict=True)]
    b.check("等级评分", "等级奖金", bonus, money=True)
    floating = [money(base * b.scalar("部门比例") * dept / b.scalar("部门满分")
                      + base * b.scalar("个人比例") * s / b.scalar("十分制满分"))
                for base, s in zip(b.col("核定浮动奖金"), score, strict=True)]
    b.check("等级评分", "浮动奖金", floating, money=True)
    total: list[Any] = [money(x + y) for x, y in zip(bonus, floating, strict=True)]
    b.check("等级评分", "奖金合计", total, money=True)
    _amounts, owed = ledger_owed(b, b.col("工号"))
    b.check("等级评分", "乐捐与罚款", owed, money=True)
    b.check("等级评分", "实发合计", [money(x - o) for x, o in zip(total, owed, strict=True)], money=True)
    # 岗位工资: 70% base (pro rata or nothing when short of full attendance) + 30% × score ÷ 10
    score_of = lookup(b.col("工号"), score)
    pay, due, came = b.col("月岗位工资"), b.col("应出勤天数"), b.col("实际出勤天数")
    pro_rata = b.scalar("缺勤基本工资") == "按比例"
    base: list[Any] = [money(p * b.scalar("基本工资比例")) if c >= d
                       else (money(p * b.scalar("基本工资比例") * c / d) if pro_rata else 0)
                       for p, d, c in zip(pay, due, came, strict=True)]
    merit: list[Any] = [money(p * b.scalar("考核工资比例") * score_of[w] / b.scalar("十分制满分"))
                        for p, w in zip(pay, b.col("岗位工号"), strict=True)]
    b.check("岗位工资", "基本工资", base, money=True)
    b.check("岗位工资", "考核工资", merit, money=True)
    b.check("岗位工资", "岗位工资合计", [money(x + y) for x, y in zip(base, merit, strict=True)], money=True)
    quarters = [[v if v is not None and v >= b.scalar("季度奖分数线") else None for v in b.col(f"{q}季度考评分")]
                for q in "一二三四"]
    awards = [[b.scalar("季度奖额") if v is not None else 0 for v in col] for col in quarters]
    for q, col in zip("一二三四", awards, strict=True):
        b.check("设备主任奖励", f"{q}季度奖励", col, money=True)
    safe = [b.scalar("无事故奖额") if x == "是" else 0 for x in b.col("无重大事故")]
    b.check("设备主任奖励", "全年奖励合计", [money(sum(a) + s) for *a, s in zip(*awards, safe, strict=True)],
            money=True)


def test_t8_xiaoshoubu() -> None:
    """销售部: WSCORE of three items, FORCED_DIST per month over the people
    appraised that month, coefficient on 基本工资, fines from the ledger by
    person and month, the year distributed again on the mean of the months."""
    from udfs.money import money
    from udfs.scoring import forced_dist, wscore

    b = book("t8-xiaoshoubu")
    score = flat(wscore(b("评估分项"), b("评估权重")))
    b.check("月度评估", "月度得分", score)
    months, ids = b.col("月份"), b.col("月度工号")
    grade = flat(forced_dist(column(score), b("等级比例"), b("等级名称"), None, column(months)))
    b.check("月度评估", "月度等级", grade)
    coef_of = lookup(b.col("等级名称"), b.col("等级系数"))
    coef = [coef_of[g] for g in grade]
    b.check("月度评估", "考核系数", coef)
    total: list[Any] = [money(base * c + com + wel) for base, c, com, wel
             in zip(b.col("基本工资"), coef, b.col("销售提成"), b.col("福利费"), strict=True)]
    b.check("月度评估", "工资总额", total, money=True)
    amounts, _owed = ledger_owed(b, [])
    ev_month = [d.month for d in b.col("事项日期")]
    fine = [sum(a for a, w, em in zip(amounts, b.col("事项工号"), ev_month, strict=True) if w == i and em == m)
            for i, m in zip(ids, months, strict=True)]
    b.check("月度评估", "当月罚款", fine, money=True)
    paid = [t - f for t, f in zip(total, fine, strict=True)]
    b.check("月度评估", "实发工资", paid, money=True)
    people = b.col("工号")
    year = [sum(s for s, w in zip(score, ids, strict=True) if w == p) / ids.count(p) for p in people]
    b.check("年度评估", "年度得分", year)
    year_grade = flat(forced_dist(column(year), b("等级比例"), b("等级名称")))
    b.check("年度评估", "年度等级", year_grade)
    b.check("年度评估", "年度考核系数", [coef_of[g] for g in year_grade])
    on_pay = set(zip(ids, months, strict=True))
    b.check("扣款登记", "扣除情况", ["已扣" if (w, m) in on_pay else "未扣：当月无工资行"
                                for w, m in zip(b.col("事项工号"), ev_month, strict=True)])
    b.check("年度评估", "未扣罚款", [sum(a for a, w, m in zip(amounts, b.col("事项工号"), ev_month, strict=True)
                                    if w == p and (w, m) not in on_pay) for p in people], money=True)
    b.check("年度评估", "全年实发", [sum(v for v, w in zip(paid, ids, strict=True) if w == p) for p in people],
            money=True)


def test_every_golden_cell_is_checked() -> None:
    """Sanity: goldens exist for every template and are non-trivial."""
    for tid in REGISTRY:
        gold = json.loads((wbuild.GOLDEN_DIR / f"{tid}.json").read_text(encoding="utf-8"))["values"]
        assert len(gold) >= 30, tid
        assert any(isinstance(v, float) and v > 0 for v in gold.values()), tid

