"""udfs.explain, the one explanation of contract functions (``jixiao explain``
and ``jixiao test`` both show it): ranked functions, ties, groups and errors."""

from __future__ import annotations

from udfs.errors import ExcelError
from udfs.explain import explain_rank_prize, explain_rankx
from udfs.ranking import rank_prize, rankx, standing


def test_standing_is_the_place_rankx_gives() -> None:
    """standing's place is RANKX's "并列" rank within the group, its tie block
    and the group's participants; a person who takes no part has no place."""
    values, groups, eligible = [90, 80, 80, 70, 99], ["A", "A", "B", "A", "A"], [1, 1, 1, 1, 0]
    ranks = rankx(values, None, "并列", groups, eligible).reshape(-1).tolist()
    for i in range(4):
        st = standing(values, None, groups, eligible, i)
        assert st.place == ranks[i]
    second = standing(values, None, groups, eligible, 1)
    assert (second.tied, second.participants) == (1, 3)
    assert standing(values, None, groups, eligible, 4).place is None


def test_rank_prize_each_rule_names_the_best_place() -> None:
    """同奖: every tied person gets the best shared place's prize, and the
    explanation's result is the cell's."""
    table = [[1, 1, 300], [2, 2, 200], [3, 3, 100]]
    d = explain_rank_prize([90, 80, 80, 70], table, ties="同奖", index=2)
    assert d.result == rank_prize([90, 80, 80, 70], table, ties="同奖").reshape(-1)[2] == 200
    assert "同奖：每人得第 2 名的奖金 200 / each: everyone gets place 2's prize" in d.lines
    assert "  名次 3 的奖金 100 / prize of place 3: 100" in d.lines


def test_share_to_the_fen_is_the_kernels_amount() -> None:
    """A pool that does not split evenly: the line shows the person's own
    amount (largest remainder), not a naive division."""
    table = [[1, 1, 100], [2, 2, 0], [3, 3, 0]]
    d0 = explain_rank_prize([5, 5, 5], table, index=0)
    d2 = explain_rank_prize([5, 5, 5], table, index=2)
    assert (d0.result, d2.result) == (33.34, 33.33)
    assert "均分：(100 + 0 + 0) / 3 = 33.34" in d0.lines[-2]


def test_a_ranking_that_is_an_error_is_explained_not_raised() -> None:
    """A bad prize table or tie rule makes the whole column an error: the
    explanation says so (with the kernel's reason) instead of failing."""
    d = explain_rank_prize([90, 80], [[1, "x", 3]], index=1)
    assert isinstance(d.result, ExcelError)
    assert d.result.code == "#VALUE!"
    assert d.lines[0].startswith("整个排名出错")
    d = explain_rankx([90, 80], method="随便", index=0)
    assert isinstance(d.result, ExcelError)
    assert "the whole ranking is an error: #VALUE!" in d.lines[0]
