"""The main cases of each scheme in SCHEMES.md, computed by the kernel.

Each case is a small worked example a clerk would recognise: the inputs, the
formula as it is typed in Excel, and what the kernel pays. ``make demo`` prints
them before refreshing the sample workbooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from udfs import (
    ExcelError,
    allocate,
    band,
    deduct,
    point_bonus,
    rank_prize,
    rankx,
    streak,
    tier_detail,
    tiered,
    wscore,
)

__all__ = ["SCHEMES", "Case", "Scheme"]


@dataclass(frozen=True)
class Case:
    """One line of the demo: who, the formula as typed in Excel, the result."""

    who: str
    formula: str
    compute: Callable[[], Any]


@dataclass(frozen=True)
class Scheme:
    """A scheme of SCHEMES.md and its cases."""

    title: str
    cases: tuple[Case, ...]


# 1. 供销社: revenue band → rate per point; score gates (≥80 band rate, 60–79 20, <60 0).
REVENUE_RATE = [[0, 30], [100000, 32], [200000, 35], [400000, 40]]
SCORE_GATES = [[0, 0], [60, 20], [80, None]]
CO_OP_CAPS = [[30, 20, 10, 15, 10, 15]]
CO_OP_ONES = [[1, 1, 1, 1, 1, 1]]

# 2. 网销电话专员: delivery pay per group by attainment Y, "Y≤100% 60; 100%<Y≤110% 70; >110% 80".
DELIVERY_RATE = [[0, 60], [1.0, 70], [1.1, 80]]

# 4. 保险: individual prizes and the speed prize split 1 : 0.5.
INDIVIDUAL_PRIZES = [[1, 1, 5000], [2, 2, 4000], [3, 3, 3000], [4, 15, 2000], [16, 35, 1000]]

# 5. 销售员: magazine commission 20/份, 25/份 above 20 copies.
MAGAZINE = [[0, 20], [20, 25]]

# 6. 客户维系: 营业员 20 per household up to 5, 40 above; other roles the same from 2.
RETENTION_CLERK = [[0, 20], [5, 40]]
RETENTION_OTHER = [[0, 20], [2, 40]]

# 7. 维修部: ten-point grade and bonus by grade.
GRADE = [[0, "差"], [4.5, "中"], [7, "良"], [9, "优"]]
GRADE_BONUS_LEADER = [[0, 0], [4.5, 200], [7, 300], [9, 500]]


def _yuan(value: Any) -> str:
    return f"¥{value:,.2f}"


def _number(value: object) -> float:
    """A kernel result used in further arithmetic (the demo's inputs are valid)."""
    if isinstance(value, ExcelError):
        raise ValueError(f"demo case failed: {value!r}")
    return float(np.sum(np.asarray(value, dtype=float)))


SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "1. 供销社企业年度考核奖金 (per-point bonus)",
        (
            Case(
                "甲企业 得分",
                "=WSCORE({28,18,9,14,9,14}, 项目权重, 项目上限)",
                lambda: wscore([[28, 18, 9, 14, 9, 14]], CO_OP_ONES, CO_OP_CAPS),
            ),
            Case(
                "甲企业 年收入45万 每分",
                "=BAND(450000, 收入档)",
                lambda: band(450000, REVENUE_RATE),
            ),
            Case(
                "甲企业 92分 奖金",
                "=POINT_BONUS(92, BAND(450000,收入档), 得分门槛)",
                lambda: _yuan(point_bonus(92, band(450000, REVENUE_RATE), SCORE_GATES)),
            ),
            Case(
                "乙企业 70分 奖金",
                "=POINT_BONUS(70, BAND(150000,收入档), 得分门槛)",
                lambda: _yuan(point_bonus(70, band(150000, REVENUE_RATE), SCORE_GATES)),
            ),
            Case(
                "丙企业 59分 奖金",
                "=POINT_BONUS(59, BAND(250000,收入档), 得分门槛)",
                lambda: _yuan(point_bonus(59, band(250000, REVENUE_RATE), SCORE_GATES)),
            ),
        ),
    ),
    Scheme(
        "2. 网销电话专员绩效工资 (delivery pay by attainment)",
        (
            Case(
                "完成率100% 每组",
                '=BAND(100%, 交车单价, , "上含")',
                lambda: band(1.0, DELIVERY_RATE, None, "上含"),
            ),
            Case(
                "完成率105% 每组",
                '=BAND(105%, 交车单价, , "上含")',
                lambda: band(1.05, DELIVERY_RATE, None, "上含"),
            ),
            Case(
                "完成率115% 每组",
                '=BAND(1150/1000, 交车单价, , "上含")',
                lambda: band(1150 / 1000, DELIVERY_RATE, None, "上含"),
            ),
            Case(
                "邀约30组 交车12组 完成率105%",
                '=1600+30*10+12*BAND(105%,交车单价,,"上含")',
                lambda: _yuan(
                    1600 + 30 * 10 + 12 * _number(band(1.05, DELIVERY_RATE, None, "upper"))
                ),
            ),
        ),
    ),
    Scheme(
        "3. 呼叫中心月度排名与晋降级 (ranking within groups)",
        (
            Case(
                "组内排名 (A组 92,85,85; B组 88,70)",
                '=RANKX(得分, 0, "并列", 小组)',
                lambda: rankx(
                    [[92], [85], [85], [88], [70]], 0, "并列", [["A"], ["A"], ["A"], ["B"], ["B"]]
                ),
            ),
            Case(
                "连续担任小组长月数",
                '=STREAK({"张三","李四","李四","李四"}, , "末尾")',
                lambda: streak([["张三", "李四", "李四", "李四"]], None, "末尾"),
            ),
            Case(
                "末位处罚 (最低两名各扣200)",
                "=RANK_PRIZE(得分, {1,2,-200}, , 1)",
                lambda: rank_prize([[92], [85], [78], [88], [70]], [[1, 2, -200]], None, 1),
            ),
        ),
    ),
    Scheme(
        "4. 保险产品竞赛奖励 (individual and speed prizes)",
        (
            Case(
                "个人奖 35人 合计",
                "=SUM(RANK_PRIZE(保费, 个人奖, 资格))",
                lambda: _yuan(
                    _number(rank_prize(np.arange(100, 65, -1.0).reshape(-1, 1), INDIVIDUAL_PRIZES))
                ),
            ),
            Case(
                "并列均分 (90,80,80,70)",
                "=RANK_PRIZE({90,80,80,70}, {1,1,300;2,2,200;3,3,100})",
                lambda: rank_prize([[90, 80, 80, 70]], [[1, 1, 300], [2, 2, 200], [3, 3, 100]]),
            ),
            Case(
                "速度奖10000 经理1:工作人员0.5,0.5",
                "=ALLOCATE(10000, {1,0.5,0.5})",
                lambda: allocate(10000, [[1, 0.5, 0.5]]),
            ),
        ),
    ),
    Scheme(
        "5. 销售员月度与年度考核 (weighted score, attendance, streaks)",
        (
            Case("出勤 缺勤2天", "=DEDUCT(100, 2, 4)", lambda: deduct(100, 2, 4)),
            Case(
                "月度得分 日常85 出勤92",
                "=WSCORE({85,92}, {70%,30%})",
                lambda: wscore([[85, 92]], [[0.7, 0.3]]),
            ),
            Case(
                "连续低于70分月数",
                '=STREAK({75,68,69,65,80}, "<70")',
                lambda: streak([[75, 68, 69, 65, 80]], "<70"),
            ),
            Case(
                "征订杂志26份 (超额)",
                '=TIERED(26, 杂志提成, "超额")',
                lambda: _yuan(tiered(26, MAGAZINE, "超额")),
            ),
            Case(
                "征订杂志26份 (全额)",
                '=TIERED(26, 杂志提成, "全额", "上含")',
                lambda: _yuan(tiered(26, MAGAZINE, "全额", "上含")),
            ),
        ),
    ),
    Scheme(
        "6. 客户维系考核激励 (per-household, marginal)",
        (
            Case(
                "营业员 维系8户",
                '=TIERED(8, 营业员档, "超额")',
                lambda: _yuan(tiered(8, RETENTION_CLERK, "超额")),
            ),
            Case(
                "网格经理 维系8户",
                '=TIERED(8, 其他岗位档, "超额")',
                lambda: _yuan(tiered(8, RETENTION_OTHER, "超额")),
            ),
            Case(
                "营业员 8户 明细",
                '=TIER_DETAIL(8, 营业员档, "超额")',
                lambda: tier_detail(8, RETENTION_CLERK, "超额"),
            ),
        ),
    ),
    Scheme(
        "7. 维修部等级奖金 (grade by score, bonus by grade)",
        (
            Case(
                "十分制得分 (8,9,7,10)",
                "=WSCORE({8,9,7,10}, {20%,40%,30%,10%})",
                lambda: wscore([[8, 9, 7, 10]], [[0.2, 0.4, 0.3, 0.1]]),
            ),
            Case("8.3分 等级", "=BAND(8.3, 等级表)", lambda: band(8.3, GRADE)),
            Case(
                "4.6分 等级 (4–5分之间按参数归中)", "=BAND(4.6, 等级表)", lambda: band(4.6, GRADE)
            ),
            Case(
                "组长 9.2分 奖金",
                "=BAND(9.2, 组长奖金)",
                lambda: _yuan(band(9.2, GRADE_BONUS_LEADER)),
            ),
        ),
    ),
)
