"""RANKX and RANK_PRIZE (FUNCTIONS.md, "Ranking and prizes"; SCHEMES.md §3 and §4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.errors import ExcelError
from udfs.ranking import rank_prize, rankx

PRIZES_35 = [[1, 1, 5000], [2, 2, 4000], [3, 3, 3000], [4, 15, 2000], [16, 35, 1000]]
PRIZES_3 = [[1, 1, 300], [2, 2, 200], [3, 3, 100]]


def flat(result: Any) -> list[Any]:
    """A spilled result as a flat list (a scalar as a one-item list)."""
    if isinstance(result, np.ndarray):
        return list(result.ravel().tolist())
    return [result]


def column(*items: Any) -> list[list[Any]]:
    """A column range, as Excel hands one over."""
    return [[x] for x in items]


def is_error(value: Any, code: str) -> bool:
    """``value`` is the Excel error ``code`` and carries a message."""
    return isinstance(value, ExcelError) and value.code == code and bool(value.message)


# --------------------------------------------------------------------------- FUNCTIONS.md


def test_prize_table_pays_56000_to_35_people() -> None:
    """FUNCTIONS.md: the individual prize table pays 56000 to places 1–35."""
    result = rank_prize(column(*range(100, 65, -1)), PRIZES_35)
    paid = flat(result)
    assert sum(paid) == 56000
    assert paid[:4] == [5000, 4000, 3000, 2000]
    assert paid[14:16] == [2000, 1000]
    assert paid[-1] == 1000


def test_prize_share_example() -> None:
    """FUNCTIONS.md: {90,80,80,70}, three prizes, ties "share" → 300,150,150,0."""
    assert flat(rank_prize([90, 80, 80, 70], PRIZES_3, None, None, "share")) == [300, 150, 150, 0]
    assert flat(rank_prize([90, 80, 80, 70], PRIZES_3, ties="均分")) == [300, 150, 150, 0]


def test_prize_share_is_the_default() -> None:
    """Omitted or empty ``ties`` means "share"."""
    assert flat(rank_prize([90, 80, 80, 70], PRIZES_3)) == [300, 150, 150, 0]
    assert flat(rank_prize([90, 80, 80, 70], PRIZES_3, "", "", "")) == [300, 150, 150, 0]


# --------------------------------------------------------------------------- RANKX methods


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (None, [1, 2, 2, 4]),
        ("并列", [1, 2, 2, 4]),
        ("competition", [1, 2, 2, 4]),
        ("中国式", [1, 2, 2, 3]),
        ("Dense", [1, 2, 2, 3]),
        ("平均", [1, 2.5, 2.5, 4]),
        ("average", [1, 2.5, 2.5, 4]),
        ("顺序", [1, 2, 3, 4]),
        ("ORDINAL", [1, 2, 3, 4]),
    ],
)
def test_rankx_methods_on_ties(method: Any, expected: list[float]) -> None:
    """Each tie method, by its Chinese or English keyword (case-insensitive)."""
    assert flat(rankx([90, 80, 80, 70], None, method)) == expected


def test_rankx_ordinal_breaks_ties_by_position() -> None:
    """ "顺序": tied people are numbered in row order, the earlier row first."""
    assert flat(rankx([80, 90, 80, 80], 0, "ordinal")) == [2, 1, 3, 4]


def test_rankx_smallest_first() -> None:
    """order 1 ranks the smallest first; any non-zero order does, as in RANK.EQ."""
    assert flat(rankx([3, 1, 2], 1)) == [3, 1, 2]
    assert flat(rankx([3, 1, 2], 2)) == [3, 1, 2]
    assert flat(rankx([3, 1, 2], 0)) == [1, 3, 2]
    assert flat(rankx([3, 1, 2], True)) == [3, 1, 2]


def test_rankx_ties_at_twelve_significant_digits() -> None:
    """0.1+0.2 ties with 0.3: keys are compared at 12 significant digits."""
    assert flat(rankx([0.1 + 0.2, 0.3, 0.29999999], None, "competition")) == [1, 1, 3]
    assert flat(rankx([1150 / 1000, 1.15], 1)) == [1, 1]


def test_rankx_orientation_follows_the_input() -> None:
    """A row in spills a row out; a column or a block spills a column; one cell is a scalar."""
    row = rankx([5, 7, 6])
    assert isinstance(row, np.ndarray)
    assert row.shape == (1, 3)
    col = rankx(column(5, 7, 6))
    assert isinstance(col, np.ndarray)
    assert col.shape == (3, 1)
    block = rankx([[1, 5], [1, 7], [0, 6]])
    assert isinstance(block, np.ndarray)
    assert block.shape == (3, 1)
    assert rankx(42) == 1
    assert rankx([[42]]) == 1
    assert flat(rankx(np.array([5.0, 7.0, 6.0]))) == [3, 1, 2]
    two = rankx(np.array([[5.0], [7.0]]))
    assert isinstance(two, np.ndarray)
    assert two.shape == (2, 1)


def test_rankx_result_is_float_array_when_everyone_ranks() -> None:
    """Without blanks or errors the result is a plain float array."""
    result = rankx(column(1, 2, 3))
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.float64


def test_rankx_blanks_take_no_place() -> None:
    """Blank values (None or "") get an empty result and take no place, like RANK.EQ."""
    assert flat(rankx([90, None, 80, "", 70])) == [1, None, 2, None, 3]
    assert flat(rankx([None, None])) == [None, None]


def test_rankx_numeric_text_is_a_number() -> None:
    """Text that reads as a number (as Excel's VALUE would read it) is that number."""
    assert flat(rankx(["85", 90, "1,200"])) == [3, 2, 1]


# --------------------------------------------------------------------------- groups


def test_rankx_groups_call_centre() -> None:
    """SCHEMES.md §3: staff ranked within their 小组; each group has its own 1st."""
    scores = column(88, 92, 75, 92, 60, 81)
    teams = column("一组", "一组", "二组", "二组", "一组", "二组")
    assert flat(rankx(scores, None, None, teams)) == [2, 1, 3, 1, 3, 2]


def test_rankx_groups_with_each_method() -> None:
    """Dense, average and ordinal ranks restart in every group as well."""
    scores = [5, 5, 3, 5, 5, 3, 1]
    groups = [1, 1, 1, 2, 2, 2, 2]
    assert flat(rankx(scores, 0, "dense", groups)) == [1, 1, 2, 1, 1, 2, 3]
    assert flat(rankx(scores, 0, "average", groups)) == [1.5, 1.5, 3, 1.5, 1.5, 3, 4]
    assert flat(rankx(scores, 0, "ordinal", groups)) == [1, 2, 3, 1, 2, 3, 4]


def test_rankx_group_labels() -> None:
    """Text labels are case-insensitive, blank labels form one group, 1 and "1" differ."""
    assert flat(rankx([3, 1, 2, 5], None, None, ["a", "A", None, ""])) == [1, 2, 2, 1]
    assert flat(rankx([3, 1, 2], None, None, [1, "1", 1.0])) == [1, 1, 2]
    assert flat(rankx([3, 1, 2], None, None, [True, False, True])) == [1, 1, 2]


def test_rankx_group_error_is_that_rows_result() -> None:
    """An error among the group labels is that person's result; the others are ranked."""
    result = flat(rankx([3, 1, 2], None, None, [1, ExcelError("#REF!"), 1]))
    assert result[0] == 1
    assert isinstance(result[1], ExcelError)
    assert result[1].code == "#REF!"
    assert result[2] == 2


# --------------------------------------------------------------------------- eligible


def test_rankx_eligible_flags() -> None:
    """TRUE/1/是 take part; FALSE/0/否/blank get an empty result and take no place."""
    values = [90, 85, 80, 75, 70, 65]
    eligible = [True, 0, "是", "否", None, 1]
    assert flat(rankx(values, None, None, None, eligible)) == [1, None, 2, None, None, 3]


def test_rankx_eligible_numeric_array() -> None:
    """Flags may come as a numeric or boolean numpy array."""
    values = np.array([[3.0], [2.0], [1.0]])
    assert flat(rankx(values, eligible=np.array([[1], [0], [1]]))) == [1, None, 2]
    assert flat(rankx(values, eligible=np.array([True, False, True]))) == [1, None, 2]


def test_rankx_ineligible_row_with_text_is_empty() -> None:
    """Someone who takes no part gets an empty result even if their value is text."""
    assert flat(rankx([90, "离职", 80], eligible=[1, 0, 1])) == [1, None, 2]


def test_rankx_eligible_error_is_that_rows_result() -> None:
    """An error or unreadable text in ``eligible`` is that person's result."""
    result = flat(rankx([3, 2, 1], eligible=[1, ExcelError("#N/A"), "maybe"]))
    assert result[0] == 1
    assert isinstance(result[1], ExcelError)
    assert result[1].code == "#N/A"
    assert is_error(result[2], "#VALUE!")


# --------------------------------------------------------------------------- multi-key


def test_rankx_later_columns_break_ties() -> None:
    """With a block, people equal on the first key are ordered by the second."""
    block = [[90, 3], [90, 5], [80, 9], [90, 5]]
    assert flat(rankx(block)) == [3, 1, 4, 1]
    assert flat(rankx(block, None, "ordinal")) == [3, 1, 4, 2]


def test_rankx_per_column_order_speed_prize() -> None:
    """SCHEMES.md §4 speed prize: reached target first (order 0), then earliest date (order 1)."""
    # reached 预算目标 (1/0), date reached as an Excel serial; not reached: no date.
    cities = [[1, 43300], [0, None], [1, 43290], [1, 43300], [0, None], [1, 43310]]
    assert flat(rankx(cities, [0, 1])) == [2, 5, 1, 2, 5, 4]
    assert flat(rankx(cities, [[0], [1]])) == [2, 5, 1, 2, 5, 4]


def test_rankx_blank_tie_break_sorts_last_whichever_order() -> None:
    """A blank in a tie-break column comes after every number, ascending or descending."""
    block = [[1, None], [1, 5], [1, 2]]
    assert flat(rankx(block, [0, 1])) == [3, 2, 1]
    assert flat(rankx(block, [0, 0])) == [3, 1, 2]


def test_rankx_blank_first_key_takes_no_place() -> None:
    """A person whose first key is blank takes no place, even with later keys filled."""
    assert flat(rankx([[None, 5], [3, 1], [4, 1]])) == [None, 2, 1]


def test_rank_prize_speed_prize_filled_from_start_target() -> None:
    """SCHEMES.md §4: places 1–3 go to cities reaching 预算目标 by date, then 起始目标 by date.

    Level 2 = reached 预算目标, 1 = only 起始目标, 0 = neither (not eligible).
    """
    cities = ["南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭"]
    level = [1, 2, 0, 1, 2, 0]
    date = [43300, 43320, None, 43290, 43310, None]
    values = [[lv, d] for lv, d in zip(level, date, strict=True)]
    eligible = [lv >= 1 for lv in level]
    speed = [[1, 1, 10000], [2, 2, 8000], [3, 3, 6000]]
    paid = flat(rank_prize(values, speed, eligible, [0, 1]))
    assert dict(zip(cities, paid, strict=True)) == {
        "南昌": 0,
        "景德镇": 8000,
        "萍乡": None,
        "九江": 6000,
        "新余": 10000,
        "鹰潭": None,
    }


def test_rank_prize_individuals_with_eligibility() -> None:
    """SCHEMES.md §4 individuals: only those whose city reached 起始目标 and who sold ≥ 10000."""
    premium = [52000, 9999.99, 48000, 30000, 10000]
    city_reached = [True, True, False, True, True]
    eligible = [r and p >= 10000 for r, p in zip(city_reached, premium, strict=True)]
    paid = flat(rank_prize(column(*premium), PRIZES_35, column(*eligible)))
    assert paid == [5000, None, None, 4000, 3000]


# --------------------------------------------------------------------------- RANK_PRIZE ties


def test_rank_prize_each_gives_the_best_shared_place() -> None:
    """ "同奖"/"each": everyone tied gets the prize of the best place they share."""
    assert flat(rank_prize([90, 80, 80, 70], PRIZES_3, ties="同奖")) == [300, 200, 200, 0]
    assert flat(rank_prize([90, 80, 80, 80], PRIZES_3, ties="each")) == [300, 200, 200, 200]


def test_rank_prize_share_largest_remainder_to_earlier_rows() -> None:
    """A pool that does not split evenly: the spare fen go to the earlier rows."""
    assert flat(rank_prize(column(7, 7, 7), [[1, 1, 100]])) == [33.34, 33.33, 33.33]
    # two places of 5 fen = 10 fen among six people: four get 2 fen, two get 1 fen
    six = flat(rank_prize(column(7, 7, 7, 7, 7, 7), [[1, 2, 0.05]]))
    assert six == [0.02, 0.02, 0.02, 0.02, 0.01, 0.01]


def test_rank_prize_share_tie_block_spanning_prize_and_no_prize() -> None:
    """People tied across places with and without prizes pool only what those places pay."""
    # 80s sit on places 3–5; only place 3 pays (100): 33.34/33.33/33.33.
    paid = flat(rank_prize([95, 90, 80, 80, 80], PRIZES_3))
    assert paid == [300, 200, 33.34, 33.33, 33.33]
    assert sum(round(p * 100) for p in paid) == 60000


def test_rank_prize_penalties_for_the_bottom() -> None:
    """末位处罚: order 1 puts the lowest first; negative amounts are penalties."""
    penalties = [[1, 1, -500], [2, 3, -200]]
    assert flat(rank_prize([60, 95, 70, 88, 65], penalties, None, 1)) == [-500, 0, -200, 0, -200]


def test_rank_prize_negative_pool_splits_by_magnitude() -> None:
    """A penalty shared by a tie is split like a prize: the spare fen to the earlier row."""
    assert flat(rank_prize(column(1, 1, 1), [[1, 1, -100]], None, 1)) == [-33.34, -33.33, -33.33]


def test_rank_prize_fewer_people_than_places() -> None:
    """With fewer people than places only the places occupied pay."""
    assert flat(rank_prize([10, 20], PRIZES_35)) == [4000, 5000]


def test_rank_prize_unsorted_table_and_blank_rows() -> None:
    """Table rows may come in any order; fully blank rows are skipped."""
    table = [[3, 3, 100], [None, None, None], [1, 1, 300], [2, 2, 200]]
    assert flat(rank_prize([90, 80, 80, 70], table)) == [300, 150, 150, 0]


def test_rank_prize_amounts_rounded_to_the_fen() -> None:
    """Amounts per person are rounded to the fen (half up, decimal-exact) before paying."""
    assert flat(rank_prize([2, 1], [[1, 2, 2.675]])) == [2.68, 2.68]


def test_rank_prize_gaps_in_the_table_pay_nothing() -> None:
    """Places not covered by any row pay 0; taking part but winning nothing is 0, not empty."""
    assert flat(rank_prize([5, 4, 3, 2], [[1, 1, 10], [3, 3, 5]])) == [10, 0, 5, 0]


def test_rank_prize_blank_and_ineligible_are_empty() -> None:
    """Blank values and people not eligible get an empty result, not 0."""
    assert flat(rank_prize([90, None, 80, 70], PRIZES_3, [1, 1, 0, 1])) == [300, None, None, 200]


def test_rank_prize_row_errors_and_orientation() -> None:
    """A row with text is #VALUE!; a row in gives a row out, a column a column."""
    result = rank_prize([90, "缺考", 80], PRIZES_3)
    assert isinstance(result, np.ndarray)
    assert result.shape == (1, 3)
    assert result[0, 0] == 300
    assert is_error(result[0, 1], "#VALUE!")
    assert result[0, 2] == 200
    col = rank_prize(column(1, 2), PRIZES_3)
    assert isinstance(col, np.ndarray)
    assert col.shape == (2, 1)
    assert rank_prize(90, PRIZES_3) == 300


# --------------------------------------------------------------------------- bad input


def test_text_in_values_is_row_error_with_message() -> None:
    """Text in values is #VALUE! for that row, naming the row; it takes no place."""
    result = flat(rankx(column(90, "请假", 80)))
    assert result[0] == 1
    assert is_error(result[1], "#VALUE!")
    assert "第 2 行" in result[1].message
    assert "row 2" in result[1].message
    assert result[2] == 2


def test_text_in_a_key_column_names_the_key() -> None:
    """Text in a tie-break column of a block is that row's #VALUE!, naming row and key."""
    result = flat(rankx([[1, "x"], [2, 3]]))
    assert is_error(result[0], "#VALUE!")
    assert "key 2" in result[0].message
    assert result[1] == 1


def test_boolean_in_values_is_row_error() -> None:
    """A boolean is not a number to rank (booleans are for flags)."""
    result = flat(rankx([3, True, 1]))
    assert is_error(result[1], "#VALUE!")
    assert result[0] == 1
    assert result[2] == 2


def test_errors_in_values_pass_through() -> None:
    """An Excel error in values is that row's result, unchanged; others rank without it."""
    na = ExcelError("#N/A", "查无此人")
    result = flat(rankx([90, na, 80, "#DIV/0!"]))
    assert result[0] == 1
    assert result[1] is na or (result[1] == na and result[1].message == "查无此人")
    assert result[2] == 2
    assert isinstance(result[3], ExcelError)
    assert result[3].code == "#DIV/0!"


def test_nan_in_numeric_array_is_num_error() -> None:
    """A NaN in a numpy float column is not a number: #NUM! for that row."""
    result = flat(rankx(np.array([[2.0], [np.nan], [1.0]])))
    assert result[0] == 1
    assert is_error(result[1], "#NUM!")
    assert result[2] == 2


@pytest.mark.parametrize("method", ["fancy", "升序", 3])
def test_unknown_method_is_value_error(method: Any) -> None:
    """An unknown method keyword is #VALUE! with the accepted words in the message."""
    result = rankx([1, 2], None, method)
    assert is_error(result, "#VALUE!")
    assert "中国式" in result.message


def test_unknown_ties_is_value_error() -> None:
    """An unknown ties keyword is #VALUE! with a message."""
    result = rank_prize([1, 2], PRIZES_3, None, None, "平分")
    assert is_error(result, "#VALUE!")
    assert "均分" in result.message


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ([[1, 2, 500], [2, 3, 300]], ["第 1 行与第 2 行", "overlap"]),
        ([[4, 10, 1], [1, 3, 5], [3, 3, 2]], ["第 2 行与第 3 行", "overlap"]),
        ([[0, 1, 500]], ["第 1 行", "≥ 1"]),
        ([[1, 1, 500], [1.5, 2, 300]], ["第 2 行", "whole number"]),
        ([[3, 2, 500]], ["第 1 行", "after to rank"]),
        ([[1, None, 500]], ["第 1 行", "blank"]),
        ([[1, 1, None]], ["第 1 行", "amount is blank"]),
        ([[1, 1, "五百"]], ["第 1 行", "not a number"]),
        ([[1, "一", 500]], ["第 1 行", "not a number"]),
        ([[1, 1]], ["3 列", "3 columns"]),
        ([[1, 1, 500, 7]], ["3 列", "3 columns"]),
        ([[None, None, None]], ["为空", "empty"]),
    ],
)
def test_malformed_prize_table(table: Any, words: list[str]) -> None:
    """Overlapping, malformed or empty prize tables are #VALUE! with a message naming the row."""
    result = rank_prize([1, 2, 3], table)
    assert is_error(result, "#VALUE!")
    for word in words:
        assert word in result.message


def test_error_in_prize_table_passes_through() -> None:
    """An error cell in the prize table is the whole result."""
    result = rank_prize([1, 2], [[1, 1, ExcelError("#REF!")]])
    assert isinstance(result, ExcelError)
    assert result.code == "#REF!"


def test_huge_prize_amount_is_num_error() -> None:
    """An amount too large to pay exactly in fen is #NUM!."""
    assert is_error(rank_prize([1, 2], [[1, 1, 1e15]]), "#NUM!")


def test_prize_table_huge_rank_is_fine() -> None:
    """A very wide rank range (e.g. "16 onwards" written as 16–999999) is accepted."""
    assert flat(rank_prize([3, 2, 1], [[1, 1, 10], [2, 999999, 1]])) == [10, 1, 1]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"groups": [1, 2, 3]}, "groups"),
        ({"groups": [[1, 2], [3, 4]]}, "groups"),
        ({"eligible": [1, 1]}, "eligible"),
        ({"eligible": [[1, 1], [1, 1]]}, "eligible"),
    ],
)
def test_mismatched_lengths(kwargs: dict[str, Any], name: str) -> None:
    """groups/eligible must hold one cell per person, as one row or column."""
    result = rankx([[1], [2], [3], [4]], **kwargs)
    assert is_error(result, "#VALUE!")
    assert name in result.message
    assert "4" in result.message


def test_rank_prize_mismatched_eligible() -> None:
    """RANK_PRIZE checks ``eligible``'s length as RANKX does."""
    assert is_error(rank_prize([1, 2, 3], PRIZES_3, [1, 1]), "#VALUE!")


@pytest.mark.parametrize(("order", "word"), [("desc", "order"), ([0, 1], "order")])
def test_bad_order(order: Any, word: str) -> None:
    """order must be numbers, one or one per key column: else #VALUE! with a message."""
    result = rankx([3, 1, 2], order)
    assert is_error(result, "#VALUE!")
    assert word in result.message


def test_error_in_order_passes_through() -> None:
    """An error handed in as ``order`` is the whole result."""
    result = rankx([3, 1, 2], ExcelError("#N/A"))
    assert isinstance(result, ExcelError)
    assert result.code == "#N/A"


@pytest.mark.parametrize("empty", [[], [[]], np.zeros((0, 1))])
def test_empty_ranges(empty: Any) -> None:
    """An empty values range or prize table is #VALUE! with a message."""
    assert is_error(rankx(empty), "#VALUE!")
    assert is_error(rank_prize(empty, PRIZES_3), "#VALUE!")
    assert is_error(rank_prize([1, 2], empty), "#VALUE!")


def test_ragged_values_is_value_error() -> None:
    """Rows of different lengths are not a range: #VALUE!."""
    assert is_error(rankx([[1, 2], [3]]), "#VALUE!")


def test_no_one_takes_part() -> None:
    """When nobody takes part every result is empty, not an error."""
    assert flat(rankx([1, 2], eligible=[0, 0])) == [None, None]
    assert flat(rank_prize([None, None], PRIZES_3)) == [None, None]


def test_inputs_are_not_modified() -> None:
    """The arguments handed in are left as they were."""
    values = np.array([[3.0], [np.nan], [1.0]])
    table = [[1, 1, 300], [2, 2, 200]]
    rank_prize(values, table)
    assert np.isnan(values[1, 0])
    assert table == [[1, 1, 300], [2, 2, 200]]


# --------------------------------------------------------------------------- properties

SMALL = st.one_of(st.none(), st.integers(-3, 3).map(float), st.sampled_from([0.5, 2.5, -1.5]))
PEOPLE = st.lists(SMALL, min_size=1, max_size=40)


def reference_competition(values: list[float | None], desc: bool) -> list[float | None]:
    """RANK.EQ's definition: 1 + how many values are strictly better; blanks take no place."""
    present = [v for v in values if v is not None]
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
        else:
            better = sum(1 for w in present if (w > v if desc else w < v))
            out.append(1.0 + better)
    return out


@settings(max_examples=150, deadline=None)
@given(PEOPLE, st.booleans())
def test_competition_agrees_with_rank_eq(values: list[float | None], desc: bool) -> None:
    """ "competition" is 1 + the count of values strictly better (RANK.EQ)."""
    result = flat(rankx(column(*values), 0 if desc else 1, "competition"))
    assert result == reference_competition(values, desc)


@settings(max_examples=150, deadline=None)
@given(PEOPLE, st.booleans())
def test_average_agrees_with_rank_avg(values: list[float | None], desc: bool) -> None:
    """ "average" is the competition rank + (count tied − 1)/2 (RANK.AVG)."""
    result = flat(rankx(column(*values), 0 if desc else 1, "average"))
    comp = reference_competition(values, desc)
    for v, r, c in zip(values, result, comp, strict=True):
        if v is None:
            assert r is None
        else:
            assert c is not None
            tied = sum(1 for w in values if w == v)
            assert r == c + (tied - 1) / 2


@settings(max_examples=150, deadline=None)
@given(PEOPLE, st.booleans())
def test_dense_is_rank_among_unique_values(values: list[float | None], desc: bool) -> None:
    """ "dense" is the rank of the value among the distinct values."""
    result = flat(rankx(column(*values), 0 if desc else 1, "dense"))
    unique = sorted({v for v in values if v is not None}, reverse=desc)
    for v, r in zip(values, result, strict=True):
        assert r == (None if v is None else unique.index(v) + 1)


@settings(max_examples=150, deadline=None)
@given(PEOPLE, st.booleans())
def test_ordinal_is_a_permutation(values: list[float | None], desc: bool) -> None:
    """ "ordinal" numbers the participants 1…p once each, sorted by value then position."""
    result = flat(rankx(column(*values), 0 if desc else 1, "ordinal"))
    ranked = [r for r in result if r is not None]
    assert sorted(ranked) == [float(k) for k in range(1, len(ranked) + 1)]
    people = [i for i, v in enumerate(values) if v is not None]
    expected = sorted(people, key=lambda i: (-values[i] if desc else values[i], i))  # type: ignore[operator]
    assert [result[i] for i in expected] == [float(k) for k in range(1, len(people) + 1)]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(SMALL, st.sampled_from(["甲", "乙", "丙"]), st.booleans()), min_size=1),
    st.sampled_from(["competition", "dense", "average", "ordinal"]),
)
def test_groups_rank_each_group_on_its_own(
    rows: list[tuple[float | None, str, bool]], method: str
) -> None:
    """Ranking with groups and eligible equals ranking each group's eligible people alone."""
    values = [v for v, _, _ in rows]
    groups = [g for _, g, _ in rows]
    eligible = [e for _, _, e in rows]
    result = flat(rankx(column(*values), None, method, column(*groups), column(*eligible)))
    for label in set(groups):
        members = [i for i, g in enumerate(groups) if g == label and eligible[i]]
        if not members:
            continue
        alone = flat(rankx(column(*[values[i] for i in members]), None, method))
        assert [result[i] for i in members] == alone
    for i, e in enumerate(eligible):
        if not e:
            assert result[i] is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=30),
    st.tuples(st.integers(0, 1), st.integers(0, 1)),
)
def test_multi_key_matches_sorting_by_tuples(
    rows: list[tuple[int, int]], order: tuple[int, int]
) -> None:
    """Two keys with per-column order: competition rank = 1 + people better on the tuple.

    (At least two people: a single row is a list of people, not one person's keys.)
    """

    def sort_key(row: tuple[int, int]) -> tuple[int, int]:
        return tuple(v if o else -v for v, o in zip(row, order, strict=True))  # type: ignore[return-value]

    result = flat(rankx([list(r) for r in rows], list(order)))
    for row, r in zip(rows, result, strict=True):
        assert r == 1 + sum(1 for other in rows if sort_key(other) < sort_key(row))


PRIZE_ROWS = st.lists(
    st.tuples(st.integers(1, 4), st.integers(0, 300_000)),  # (places in row, amount in fen)
    min_size=1,
    max_size=5,
)


def build_table(rows: list[tuple[int, int]]) -> tuple[list[list[float]], list[int]]:
    """A prize table of consecutive rank ranges, and the fen paid per place."""
    table: list[list[float]] = []
    per_place: list[int] = []
    start = 1
    for width, fen in rows:
        table.append([start, start + width - 1, fen / 100])
        per_place += [fen] * width
        start += width
    return table, per_place


def fen(amounts: list[Any]) -> list[int]:
    """Payouts in fen (exact integers), people who take no part left out."""
    return [round(a * 100) for a in amounts if a is not None]


@settings(max_examples=150, deadline=None)
@given(PEOPLE, PRIZE_ROWS)
def test_share_never_pays_more_than_the_table(
    values: list[float | None], rows: list[tuple[int, int]]
) -> None:
    """ "share" pays exactly the places occupied, so never more than the table in total."""
    table, per_place = build_table(rows)
    paid = flat(rank_prize(column(*values), table))
    taking_part = sum(1 for v in values if v is not None)
    assert all(abs(a * 100 - round(a * 100)) < 1e-6 for a in paid if a is not None)
    assert sum(fen(paid)) == sum(per_place[:taking_part])
    assert sum(fen(paid)) <= sum(per_place)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), PRIZE_ROWS)
def test_share_pays_the_whole_table_without_ties(people: int, rows: list[tuple[int, int]]) -> None:
    """Without ties and with at least as many people as places, the table is paid exactly."""
    table, per_place = build_table(rows)
    count = max(people, len(per_place))
    values = column(*range(count, 0, -1))
    paid = fen(flat(rank_prize(values, table)))
    assert sum(paid) == sum(per_place)
    assert paid[: len(per_place)] == per_place
    assert paid == fen(flat(rank_prize(values, table, ties="each")))


@settings(max_examples=150, deadline=None)
@given(PEOPLE, PRIZE_ROWS)
def test_each_pays_at_least_share(values: list[float | None], rows: list[tuple[int, int]]) -> None:
    """For non-increasing positive prizes, "each" pays every person at least "share" does."""
    rows = sorted(rows, key=lambda r: -r[1])  # better places pay at least as much
    table, _ = build_table(rows)
    share = flat(rank_prize(column(*values), table, ties="share"))
    each = flat(rank_prize(column(*values), table, ties="each"))
    for s, e in zip(share, each, strict=True):
        assert (s is None) == (e is None)
        if s is not None:
            assert e >= s


@settings(max_examples=100, deadline=None)
@given(PEOPLE, PRIZE_ROWS)
def test_share_splits_each_tie_pool_evenly(
    values: list[float | None], rows: list[tuple[int, int]]
) -> None:
    """Within a tie the shares differ by at most one fen, the larger ones on earlier rows."""
    table, per_place = build_table(rows)
    paid = flat(rank_prize(column(*values), table))
    ranks = flat(rankx(column(*values)))
    for rank in {r for r in ranks if r is not None}:
        members = [i for i, r in enumerate(ranks) if r == rank]
        shares = [round(paid[i] * 100) for i in members]
        k = int(rank)
        pool = sum(per_place[k - 1 : k - 1 + len(members)])
        assert sum(shares) == pool
        assert shares == sorted(shares, reverse=True)
        assert shares[0] - shares[-1] <= 1


def test_large_column_agrees_with_reference() -> None:
    """A few thousand rows with many ties: the vectorised path agrees with the definition."""
    rng = np.random.default_rng(7)
    values = rng.integers(0, 50, 3000).astype(float)
    result = rankx(values.reshape(-1, 1))
    assert isinstance(result, np.ndarray)
    better = (values[None, :] > values[:, None]).sum(axis=1)
    assert np.array_equal(result.ravel(), 1.0 + better)


def test_nan_flags_and_labels_are_num_errors() -> None:
    """A NaN among eligible flags or group labels is #NUM! for that row, in arrays or lists."""
    nan = float("nan")
    assert is_error(flat(rankx([3, 2, 1], eligible=np.array([1.0, nan, 1.0])))[1], "#NUM!")
    assert is_error(flat(rankx([3, 2, 1], eligible=[1, nan, "是"]))[1], "#NUM!")
    by_array = flat(rankx([3, 2, 1], groups=np.array([1.0, nan, 1.0])))
    assert by_array[0] == 1
    assert is_error(by_array[1], "#NUM!")
    assert by_array[2] == 2
    assert is_error(flat(rankx([3, 2, 1], groups=[1, nan, "a"]))[1], "#NUM!")


def test_numeric_group_array() -> None:
    """Group numbers may come as a numpy array (e.g. a team number column)."""
    result = rankx(np.array([[5.0], [9.0], [7.0], [8.0]]), groups=np.array([[2], [1], [2], [1]]))
    assert flat(result) == [2, 1, 1, 2]


def test_nan_in_prize_table_is_num_error() -> None:
    """A NaN in a numpy prize table is #NUM!, naming the row."""
    result = rank_prize([2, 1], np.array([[1.0, 1.0, 100.0], [2.0, np.nan, 50.0]]))
    assert is_error(result, "#NUM!")
    assert "第 2 行" in result.message


def test_integers_beyond_a_double_are_num_errors() -> None:
    """Regression: a Python int too large for a double (10**400) in values, eligible
    or groups raised OverflowError from ``astype(float)``; it is #NUM! for that
    row, as any number beyond a double is."""
    result = flat(rankx([[3], [10**400], [1]]))
    assert result[0] == 1
    assert result[2] == 2
    assert is_error(result[1], "#NUM!")
    result = flat(rankx([3, 2, 1], eligible=[1, 10**400, 0]))
    assert result[0] == 1
    assert is_error(result[1], "#NUM!")
    assert result[2] is None
    result = flat(rankx([3, 2, 1], groups=[1, 10**400, 1]))
    assert result[0] == 1
    assert is_error(result[1], "#NUM!")
    assert result[2] == 2


def test_nan_of_any_float_type_in_eligible_is_num_error() -> None:
    """Regression: a NaN eligible flag of a numpy float type other than float64
    (np.float16, np.longdouble) went through to_flags, where only Python floats
    were checked for NaN, so bool(nan) made the row take part; and infinity was
    TRUE. Any NaN or infinity in eligible is now #NUM! for that row."""
    eligible = np.array([np.float16("nan"), 1, np.longdouble("inf"), np.float32(0)], dtype=object)
    result = flat(rankx([1, 2, 3, 4], eligible=eligible))
    assert is_error(result[0], "#NUM!")
    assert result[1] == 1
    assert is_error(result[2], "#NUM!")
    assert result[3] is None


def test_numpy_scalars_of_any_type_are_numbers_everywhere() -> None:
    """Regression: cells were sorted by exact type, so a group label of another
    numpy number type (np.int8, np.float16) or a str subclass fell into "other"
    and was #VALUE! ("unsupported value"), although values accepted them. They
    are now numbers (and text) in groups and eligible too."""
    groups = np.array([np.int8(1), np.float16(1), 1], dtype=object)
    assert flat(rankx([1, 2, 3], groups=groups)) == [3, 2, 1]

    class Label(str):
        """A str subclass, as some libraries hand over."""

    groups = np.array([Label("a"), "A", "b"], dtype=object)
    assert flat(rankx([1, 2, 3], groups=groups)) == [2, 1, 1]
    eligible = np.array([np.int8(1), np.float16(0), Label("是")], dtype=object)
    assert flat(rankx([1, 2, 3], eligible=eligible)) == [2, None, 1]
