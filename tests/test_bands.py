"""BAND, TIERED, TIER_DETAIL and POINT_BONUS (udfs.bands) against the formula contract.

Reference values come from FUNCTIONS.md, from the 2019 individual-income-tax
tables (checked with the quick-deduction form the tax office publishes), and
from small decimal implementations written here, independent of the kernel.
"""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from udfs.bands import ROUNDING_LABEL, TOTAL_LABEL, band, point_bonus, tier_detail, tiered
from udfs.errors import ExcelError
from udfs.rounding import decimal_difference, round_decimal, round_sig, significant_unit

CENT = Decimal("0.01")

REVENUE = [[0, 30], [100000, 32], [200000, 35], [400000, 40]]
EDGES = [[0, 60], [1, 70], [1.1, 80]]
GATES = [[0, 0], [60, 20], [80, None]]

# 2019 individual income tax (综合所得), rates and quick deductions (速算扣除数).
MONTHLY_STARTS = [0, 3000, 12000, 25000, 35000, 55000, 80000]
ANNUAL_STARTS = [0, 36000, 144000, 300000, 420000, 660000, 960000]
RATES = ["0.03", "0.10", "0.20", "0.25", "0.30", "0.35", "0.45"]
MONTHLY_QUICK = [0, 210, 1410, 2660, 4410, 7160, 15160]
ANNUAL_QUICK = [0, 2520, 16920, 31920, 52920, 85920, 181920]
MONTHLY = [[s, float(r)] for s, r in zip(MONTHLY_STARTS, RATES, strict=True)]
ANNUAL = [[s, float(r)] for s, r in zip(ANNUAL_STARTS, RATES, strict=True)]


def fen(d: Decimal) -> float:
    """A decimal amount rounded to the fen, half away from zero, as a float."""
    return float(d.quantize(CENT, rounding=ROUND_HALF_UP))


def quick_deduction_tax(x: str, starts: list[int], quick: list[int]) -> float:
    """Tax by the published form: taxable × rate − quick deduction, for the band
    where taxable is above the start ("超过3000元至12000元的部分"); 0 if not positive."""
    d = Decimal(x)
    if d <= 0:
        return 0.0
    k = max(i for i, s in enumerate(starts) if d > s or i == 0)
    return fen(d * Decimal(RATES[k]) - quick[k])


def errors_of(result: Any) -> list[ExcelError]:
    """The error values in a result, in reading order."""
    cells = np.asarray(result, dtype=object).ravel()
    return [c for c in cells if isinstance(c, ExcelError)]


def assert_error(result: Any, code: str, *words: str) -> None:
    """``result`` is the error ``code`` whose message mentions every word."""
    assert isinstance(result, ExcelError), result
    assert result.code == code, (result, result.message)
    for w in words:
        assert w in result.message, (w, result.message)


# --------------------------------------------------------------------------- FUNCTIONS.md examples


def test_band_contract_example_revenue() -> None:
    """FUNCTIONS.md: BAND(450000, {0,30;100000,32;200000,35;400000,40}) → 40."""
    assert band(450000, REVENUE) == 40


def test_band_contract_example_upper_side() -> None:
    """FUNCTIONS.md: with "upper", 1.0 is in the band below 1 (60) and 1.1 below 1.1 (70)."""
    assert band(1.0, EDGES, 2, "upper") == 60
    assert band(1.1, EDGES, 2, "upper") == 70


def test_band_lower_side_at_the_same_edges() -> None:
    """The default "lower" puts a value equal to a start in the band that starts there."""
    assert band(1.0, EDGES) == 70
    assert band(1.1, EDGES, None, "下含") == 80
    assert band(1.1, EDGES, 2, "上含") == 70


def test_band_first_start_is_in_the_first_band_either_side() -> None:
    """A value equal to the first start is in the first band with either side."""
    assert band(0, EDGES, 2, "upper") == 60
    assert band(0, EDGES, 2, "lower") == 60


def test_tiered_contract_example_marginal_households() -> None:
    """FUNCTIONS.md: TIERED(8, {0,20;5,40}, "超额") → 220 (5×20 + 3×40)."""
    assert tiered(8, [[0, 20], [5, 40]], "超额") == 220


def test_tiered_contract_example_whole_upper() -> None:
    """FUNCTIONS.md: TIERED(30, {0,20;20,25}, "全额", "upper") → 750."""
    assert tiered(30, [[0, 20], [20, 25]], "全额", "upper") == 750


def test_tiered_contract_example_income_tax() -> None:
    """FUNCTIONS.md: the monthly income-tax table, "超额": 12000 → 990, 100000 → 29840."""
    assert tiered(12000, MONTHLY, "超额") == 990
    assert tiered(100000, MONTHLY, "超额") == 29840


def test_tier_detail_contract_total_equals_tiered() -> None:
    """FUNCTIONS.md: TIER_DETAIL's total row equals TIERED's result."""
    for x in (0, 8, 5, 4.99, 100):
        detail = tier_detail(x, [[0, 20], [5, 40]], "超额")
        assert detail[-1, 0] == TOTAL_LABEL
        assert detail[-1, 4] == tiered(x, [[0, 20], [5, 40]], "超额")


def test_point_bonus_contract_example_with_rate_from_band() -> None:
    """FUNCTIONS.md: rate from revenue BAND(...) = 40, gates {0,0;60,20;80,(blank)}:
    85 → 3400, 70 → 1400, 59 → 0."""
    rate = band(450000, REVENUE)
    assert rate == 40
    assert point_bonus(85, rate, GATES) == 3400
    assert point_bonus(70, rate, GATES) == 1400
    assert point_bonus(59, rate, GATES) == 0


# --------------------------------------------------------------------------- income tax, every edge


def _edge_values(starts: list[int]) -> list[str]:
    """Each start, and one cent either side of it, as decimal text."""
    out = []
    for s in starts:
        for delta in ("-0.01", "0", "0.01"):
            out.append(str(Decimal(s) + Decimal(delta)))
    return out


@pytest.mark.parametrize(
    ("starts", "table", "quick"),
    [(MONTHLY_STARTS, MONTHLY, MONTHLY_QUICK), (ANNUAL_STARTS, ANNUAL, ANNUAL_QUICK)],
    ids=["monthly", "annual"],
)
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_income_tax_at_every_edge_and_one_cent_either_side(
    starts: list[int], table: list[list[float]], quick: list[int], side: str
) -> None:
    """2019 IIT tables: each band edge and ±0.01 equals rate × x − quick deduction,
    whichever side (a marginal amount is continuous at the edges)."""
    xs = [*_edge_values(starts), "0", "1", "100000", "1000000", "1234567.89"]
    for x in xs:
        expected = quick_deduction_tax(x, starts, quick)
        assert tiered(float(x), table, "超额", side) == expected, x
    column = [[float(x)] for x in xs]
    got = tiered(column, table, "marginal", side).ravel().tolist()
    assert got == [quick_deduction_tax(x, starts, quick) for x in xs]


def test_income_tax_half_cents_round_up() -> None:
    """Slices that end on half a fen round up, as the decimal computation does:
    3000.05 → 90 + 0.005 → 90.01; 12000.05 is 990.01; 3000.15 → 90.015 → 90.02."""
    assert tiered(3000.05, MONTHLY, "超额") == 90.01
    assert tiered(3000.15, MONTHLY, "超额") == 90.02
    assert tiered(12000.05, MONTHLY, "超额") == 990.01
    assert tiered(36000.05, ANNUAL, "超额") == 1080.01


def test_income_tax_detail_lists_each_band() -> None:
    """TIER_DETAIL of 13000 on the monthly table: three bands and the total 1190."""
    rows = tier_detail(13000, MONTHLY, "超额").tolist()
    assert rows == [
        [0.0, 3000.0, 3000.0, 0.03, 90.0],
        [3000.0, 12000.0, 9000.0, 0.1, 900.0],
        [12000.0, 25000.0, 1000.0, 0.2, 200.0],
        [TOTAL_LABEL, None, 13000.0, None, 1190.0],
    ]


# --------------------------------------------------------------------------- exactness


def test_one_cent_slice_above_a_start_is_a_cent() -> None:
    """1000.01 over a start of 1000 at 50%: the slice is 0.01 (not 0.0099999…),
    0.005 rounds up to 0.01 — float subtraction alone would give 0.00."""
    table = [[0, 0], [1000, 0.5]]
    assert tiered(1000.01, table, "超额") == 0.01
    assert tiered([1000.01] * 100, table, "超额").ravel().tolist() == [0.01] * 100


def test_band_compares_at_twelve_digits() -> None:
    """1150/1000 lands in the band starting at 115%, like the contract says."""
    table = [[0, "低"], [1.15, "中"], [1.3, "高"]]
    assert band(1150 / 1000, table) == "中"
    assert band(0.1 + 0.2, [[0, 1], [0.3, 2]]) == 2
    long = band([[1150 / 1000]] * 100, table)
    assert set(long.ravel().tolist()) == {"中"}


def test_whole_mode_side_at_an_edge() -> None:
    """ "全额" at a start: lower takes the new band's rate, upper the band below's."""
    table = [[0, 20], [20, 25]]
    assert tiered(20, table, "全额") == 500
    assert tiered(20, table, "全额", "upper") == 400
    assert tiered(20.01, table, "全额", "upper") == 500.25


def test_whole_mode_rounds_money_half_away_from_zero() -> None:
    """Whole-mode amounts are rounded on the decimal value: 1.005 × 1 → 1.01, 2.675 → 2.68."""
    assert tiered(1.005, [[0, 1]], "whole") == 1.01
    assert tiered(2.675, [[0, 1]], "retro") == 2.68
    assert tiered(-2.675, [[-10, 1]], "全额") == -2.68


# --------------------------------------------------------------------------- lifting and shapes


def test_lifting_keeps_the_shape_of_x() -> None:
    """A column gives a column, a row a row, a block a block, one cell a number."""
    col = tiered([[8], [3]], [[0, 20], [5, 40]], "超额")
    assert col.shape == (2, 1)
    assert col.ravel().tolist() == [220, 60]
    row = band([450000, 50000], REVENUE)
    assert row.shape == (1, 2)
    block = point_bonus(np.array([[85.0, 70.0], [59.0, 100.0]]), 40, GATES)
    assert block.tolist() == [[3400, 1400], [0, 4000]]
    assert isinstance(tiered(np.float64(8), [[0, 20], [5, 40]], "超额"), float)


def test_errors_stay_in_their_cells() -> None:
    """An error or text in one cell of x is that cell's result; the others compute."""
    x = [[8], [ExcelError("#DIV/0!")], ["abc"], [None], ["9"]]
    got = tiered(x, [[0, 20], [5, 40]], "超额").ravel().tolist()
    assert got[0] == 220
    assert got[1] == ExcelError("#DIV/0!")
    assert isinstance(got[2], ExcelError)
    assert got[2].code == "#VALUE!"
    assert "x" in got[2].message
    assert got[3] == 0  # blank is 0
    assert got[4] == 260  # numeric text is a number
    got_band = band([[450000], ["#N/A"], [True]], REVENUE).ravel().tolist()
    assert got_band[0] == 40
    assert got_band[1] == ExcelError("#N/A")
    assert got_band[2] == ExcelError("#VALUE!")


def test_long_column_with_errors_matches_cell_by_cell() -> None:
    """Over 64 values (the edge-comparison path) errors and values land per cell."""
    x: list[Any] = [float(v) for v in range(-5, 95)]
    x[10] = "text"
    x[20] = ExcelError("#REF!")
    table = [[0, 0.1], [50, 0.2]]
    got = tiered([[v] for v in x], table, "超额", "upper").ravel().tolist()
    assert got == [tiered(v, table, "超额", "upper") for v in x]
    got_band = band([[v] for v in x], table).ravel().tolist()
    assert got_band == [band(v, table) for v in x]


# --------------------------------------------------------------------------- BAND details


def test_band_text_grades_and_column() -> None:
    """The looked-up cell may be text; ``column`` picks which column (1 = the start)."""
    table = [[0, "差", 0], [5, "中", 100], [7, "良", 200], [9, "优", 300]]
    assert band(9.5, table) == "优"
    assert band(7.2, table, 3) == 200
    assert band(7.2, table, 1) == 7
    assert band(7.2, table, 3.9) == 200  # truncated like VLOOKUP


def test_band_blank_looked_up_cell_is_zero() -> None:
    """A blank cell in the looked-up column gives 0, as VLOOKUP does."""
    table = [[0, 10], [5, None], [9, "优"]]
    assert band(6, table) == 0
    assert band([[6], [1]], table).ravel().tolist() == [0, 10]


def test_band_error_cell_is_returned_for_that_band() -> None:
    """An error in the table's value column is the result of values in that band only."""
    table = [[0, 10], [5, ExcelError("#DIV/0!")], [9, 30]]
    got = band([[1], [6], [10]], table).ravel().tolist()
    assert got == [10, ExcelError("#DIV/0!"), 30]


def test_band_below_first_start_is_na_with_message() -> None:
    """Below the first start is #N/A, the message quoting the value and the start."""
    got = band(-3, REVENUE)
    assert_error(got, "#N/A", "-3", "0", "x")
    many = band(np.arange(-2000.0, 10.0), REVENUE)
    errs = errors_of(many)
    assert len(errs) == 2000
    assert all(e.code == "#N/A" and e.message for e in errs)


def test_band_skips_blank_rows_of_an_oversized_range() -> None:
    """A range selected larger than the table (blank rows at the end) is fine."""
    table = [*REVENUE, [None, None], ["", None]]
    assert band(450000, table) == 40


# --------------------------------------------------------------------------- TIERED details


def test_tiered_below_first_start_pays_nothing() -> None:
    """Below the first start TIERED is 0 in both modes."""
    table = [[5, 20], [10, 40]]
    assert tiered(4, table, "超额") == 0
    assert tiered(4, table, "全额") == 0
    assert tiered(7, table, "超额") == 40  # (7 − 5) × 20: nothing below 5
    assert tiered(-10, MONTHLY, "超额") == 0


def test_tiered_negative_first_start_counts_from_it() -> None:
    """A negative first start: the amount is measured from it, not from 0."""
    table = [[-100, 0.1], [0, 0.2]]
    assert tiered(-50, table, "超额") == 5
    assert tiered(50, table, "超额") == 20
    assert tiered(-150, table, "超额") == 0
    assert tiered(-50, table, "全额") == -5


def test_tiered_blank_rate_is_zero_and_extra_columns_are_ignored() -> None:
    """A blank rate is 0 (a free band); columns after the rate are labels."""
    table = [[0, None, "免"], [5, 40, "超出5户"]]
    assert tiered(8, table, "超额") == 120


def test_tiered_all_mode_spellings() -> None:
    """Every spelling of both modes, any case, gives its mode."""
    table = [[0, 20], [5, 40]]
    for word in ("超额", "marginal", "excess", "MARGINAL", " Excess "):
        assert tiered(8, table, word) == 220, word
    for word in ("全额", "whole", "retro", "Whole"):
        assert tiered(8, table, word) == 320, word


def test_magazine_commission_both_readings() -> None:
    """SCHEMES.md 5: 20 per copy, 25 above 20 copies — the two readings differ."""
    table = [[0, 20], [20, 25]]
    assert tiered(30, table, "超额", "upper") == 650
    assert tiered(30, table, "全额", "upper") == 750
    assert tiered(20, table, "全额", "upper") == 400


# --------------------------------------------------------------------------- TIER_DETAIL details


def test_tier_detail_whole_mode_has_one_band_row() -> None:
    """ "全额": one row for the band holding x (quantity = x), then the total."""
    got = tier_detail(20, [[0, 20], [20, 25]], "全额").tolist()
    assert got == [[20.0, None, 20.0, 25.0, 500.0], [TOTAL_LABEL, None, 20.0, None, 500.0]]
    got = tier_detail(20, [[0, 20], [20, 25]], "全额", "upper").tolist()
    assert got == [[0.0, 20.0, 20.0, 20.0, 400.0], [TOTAL_LABEL, None, 20.0, None, 400.0]]


def test_tier_detail_last_band_has_blank_end() -> None:
    """The open last band's "to" is blank; its quantity is what is above its start."""
    got = tier_detail(8, [[0, 20], [5, 40]], "超额").tolist()
    assert got == [
        [0.0, 5.0, 5.0, 20.0, 100.0],
        [5.0, None, 3.0, 40.0, 120.0],
        [TOTAL_LABEL, None, 8.0, None, 220.0],
    ]


def test_tier_detail_on_a_start_lists_no_empty_band() -> None:
    """x exactly on a start: the band starting there holds nothing and has no row,
    whichever side."""
    for side in ("lower", "upper"):
        got = tier_detail(5, [[0, 20], [5, 40]], "超额", side).tolist()
        assert got == [[0.0, 5.0, 5.0, 20.0, 100.0], [TOTAL_LABEL, None, 5.0, None, 100.0]]


def test_tier_detail_below_first_start_is_only_the_total() -> None:
    """Nothing pays below the first start: the total row alone, 0."""
    got = tier_detail(3, [[5, 20]], "超额").tolist()
    assert got == [[TOTAL_LABEL, None, 0.0, None, 0.0]]


def test_tier_detail_shows_a_rounding_difference_row() -> None:
    """Two half-fen bands round up to 0.01 each but the total 0.01 rounds once:
    a "尾差" row of −0.01 makes the amount column add up to the total."""
    got = tier_detail(0.02, [[0, 0.5], [0.01, 0.5]], "超额").tolist()
    assert got == [
        [0.0, 0.01, 0.01, 0.5, 0.01],
        [0.01, None, 0.01, 0.5, 0.01],
        [ROUNDING_LABEL, None, None, None, -0.01],
        [TOTAL_LABEL, None, 0.02, None, 0.01],
    ]
    assert got[-1][4] == tiered(0.02, [[0, 0.5], [0.01, 0.5]], "超额")


def test_tier_detail_lists_zero_rate_bands() -> None:
    """A band with rate 0 that x passes through is listed (amount 0), so the rows
    account for all of x above the first start."""
    got = tier_detail(8, [[0, 0], [5, 40]], "超额").tolist()
    assert got[0] == [0.0, 5.0, 5.0, 0.0, 0.0]
    assert got[-1] == [TOTAL_LABEL, None, 8.0, None, 120.0]


# --------------------------------------------------------------------------- POINT_BONUS details


def test_point_bonus_without_gates_is_score_times_rate() -> None:
    """Without gates: score × rate, rounded to the fen; omitted and "" gates alike."""
    assert point_bonus(85.5, 40) == 3420
    assert point_bonus(85.5, 40, "") == 3420
    assert point_bonus(33.333, 3) == 100.0
    assert point_bonus(0.335, 1) == 0.34


def test_point_bonus_per_person_rate_from_band() -> None:
    """SCHEMES.md 1: a column of revenues gives a column of rates via BAND, then
    POINT_BONUS with the gates: ≥80 at the revenue rate, 60–79 at 20, below 60 nothing."""
    revenues = [[450000], [150000], [50000], [250000], [400000]]
    scores = [[85], [80], [79.5], [60], [59.9]]
    rates = band(revenues, REVENUE)
    assert rates.ravel().tolist() == [40, 32, 30, 35, 40]
    got = point_bonus(scores, rates, GATES).ravel().tolist()
    assert got == [3400, 2560, 1590, 1200, 0]


def test_point_bonus_gates_side() -> None:
    """A score equal to a gate start: "lower" is in the gate's band, "upper" below it."""
    assert point_bonus(80, 40, GATES) == 3200
    assert point_bonus(80, 40, GATES, "upper") == 1600
    assert point_bonus(60, 40, GATES, "上含") == 0


def test_point_bonus_below_first_gate_pays_nothing() -> None:
    """A score below the first gate start pays 0."""
    assert point_bonus(50, 40, [[60, 20], [80, None]]) == 0


def test_point_bonus_error_in_a_rate_is_that_persons_result() -> None:
    """A per-person rate that is an error (e.g. BAND's #N/A) is that person's result."""
    rates = band([[450000], [-1]], REVENUE)
    got = point_bonus([[85], [85]], rates, GATES).ravel().tolist()
    assert got[0] == 3400
    assert got[1] == ExcelError("#N/A")
    got = point_bonus([[ExcelError("#VALUE!")], [90]], ExcelError("#NUM!")).ravel().tolist()
    assert got == [ExcelError("#VALUE!"), ExcelError("#NUM!")]


def test_point_bonus_broadcasts_score_and_rate() -> None:
    """One score against a column of rates is one result per rate (the
    per-row arguments broadcast against each other, whichever is the column)."""
    out = point_bonus(85, [[40], [30]], [[0, 0], [60, 20], [80, None]])
    assert np.asarray(out).ravel().tolist() == [3400.0, 2550.0]


def test_point_bonus_rate_of_wrong_shape() -> None:
    """A rate range neither one cell nor score's shape is #VALUE! naming rate."""
    assert_error(point_bonus([[85], [70]], [[40, 30]]), "#VALUE!", "rate", "score")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ([[0, 1], [10, 2], [5, 3]], ["table", "第 3 行", "row 3", "below"]),
        ([[0, 1], [5, 2], [5, 3]], ["table", "row 3", "duplicates"]),
        ([["a", 1], [5, 2]], ["table", "row 1", "not a number"]),
        ([[0, 1], [None, 2], [5, 3]], ["table", "row 2", "blank start"]),
        ([[None, None], [None, None]], ["table", "empty"]),
        ([[0], [5]], ["table", "2 columns"]),
        ([[1, 1], [1 + 1e-13, 2]], ["table", "row 2", "duplicates"]),
    ],
    ids=["unsorted", "duplicate", "text-start", "blank-start", "blank", "one-column", "dup-12"],
)
def test_bad_tables_are_value_errors_naming_the_row(table: list[Any], words: list[str]) -> None:
    """Unsorted, duplicated (also at 12 digits), non-numeric or blank starts, a blank
    table and a one-column table: #VALUE! with a message naming table (and row)."""
    results = [
        (band(1, table), "table"),
        (tiered(1, table, "超额"), "table"),
        (tier_detail(1, table, "全额"), "table"),
        (point_bonus(1, 1, table), "gates"),
    ]
    for result, name in results:
        assert_error(result, "#VALUE!", *[w.replace("table", name) for w in words])


def test_text_rate_is_value_error_naming_row_and_column() -> None:
    """Text in the rate column is #VALUE! naming the row and column."""
    assert_error(tiered(8, [[0, 20], [5, "四十"]], "超额"), "#VALUE!", "table", "row 2", "column 2")
    assert_error(point_bonus(85, 40, [[0, 0], [60, "x"]]), "#VALUE!", "gates", "row 2")


def test_unknown_and_missing_keywords() -> None:
    """Unknown mode or side, and a missing mode, are #VALUE! naming the argument."""
    table = [[0, 20], [5, 40]]
    assert_error(tiered(8, table, "progressive"), "#VALUE!", "mode", "超额")
    assert_error(tiered(8, table, None), "#VALUE!", "mode", "required")
    assert_error(tiered(8, table, ""), "#VALUE!", "mode", "required")
    assert_error(tier_detail(8, table, None), "#VALUE!", "mode")
    assert_error(tiered(8, table, "超额", "middle"), "#VALUE!", "side")
    assert_error(band(8, table, 2, "both"), "#VALUE!", "side")
    assert_error(point_bonus(8, 1, table, "x"), "#VALUE!", "side")
    assert_error(tiered(8, table, 1), "#VALUE!", "mode")


def test_errors_passed_in_are_passed_through() -> None:
    """An error given as x, mode, side, column or inside a table comes back unchanged."""
    table = [[0, 20], [5, 40]]
    assert tiered(ExcelError("#N/A"), table, "超额") == ExcelError("#N/A")
    assert band("#DIV/0!", table) == ExcelError("#DIV/0!")
    assert tiered(8, table, ExcelError("#REF!")) == ExcelError("#REF!")
    assert band(8, table, ExcelError("#NUM!")) == ExcelError("#NUM!")
    assert tiered(8, [[0, 20], [ExcelError("#N/A"), 40]], "超额") == ExcelError("#N/A")
    assert tiered(8, [[0, 20], [5, ExcelError("#DIV/0!")]], "超额") == ExcelError("#DIV/0!")
    assert tier_detail(ExcelError("#N/A"), table, "超额") == ExcelError("#N/A")
    assert point_bonus(ExcelError("#N/A"), 40) == ExcelError("#N/A")


def test_band_column_out_of_range() -> None:
    """A column beyond the table is #REF!, below 1 #VALUE!, as VLOOKUP."""
    assert_error(band(8, REVENUE, 3), "#REF!", "column", "2")
    assert_error(band(8, REVENUE, 0), "#VALUE!", "column")
    assert_error(band(8, REVENUE, "two"), "#VALUE!", "column")


def test_tier_detail_needs_one_value() -> None:
    """TIER_DETAIL explains one value: a range of more cells is #VALUE!, text too."""
    assert_error(tier_detail([1, 2], [[0, 20]], "超额"), "#VALUE!", "x", "single")
    assert_error(tier_detail("abc", [[0, 20]], "超额"), "#VALUE!", "x")
    assert tier_detail([[8]], [[0, 20], [5, 40]], "超额")[-1, 4] == 220


def test_text_in_x_is_value_error_per_cell() -> None:
    """Text in x (BAND, POINT_BONUS) is that cell's #VALUE! naming the argument."""
    assert_error(band("abc", REVENUE), "#VALUE!", "x")
    assert_error(point_bonus("abc", 40), "#VALUE!", "score")
    assert_error(point_bonus(85, "forty"), "#VALUE!", "rate")


# --------------------------------------------------------------------------- properties

# Money-like numbers: amounts in fen, rates with up to four decimals.
fen_values = st.integers(min_value=-(10**8), max_value=10**10).map(lambda n: Decimal(n) / 100)
rate_values = st.integers(min_value=0, max_value=10**5).map(lambda n: Decimal(n) / 10**4)


@st.composite
def tables(draw: Any, *, increasing: bool = False, first_zero: bool = False) -> tuple[Any, ...]:
    """A band table as (starts, rates) of decimals; rates non-decreasing if asked."""
    n = draw(st.integers(min_value=1, max_value=8))
    starts = sorted(set(draw(st.lists(fen_values, min_size=n, max_size=n))))
    if first_zero:
        starts = sorted({Decimal(0)} | {s for s in starts if s > 0})
    rates = draw(st.lists(rate_values, min_size=len(starts), max_size=len(starts)))
    if increasing:
        rates = sorted(rates)
    return starts, rates


def as_table(starts: list[Decimal], rates: list[Decimal]) -> list[list[float]]:
    """Decimals as the floats a worksheet range holds."""
    return [[float(s), float(r)] for s, r in zip(starts, rates, strict=True)]


def marginal_reference(x: Decimal, starts: list[Decimal], rates: list[Decimal]) -> float:
    """Σ rate × portion of x in each band, in decimal, from the first start."""
    total = Decimal(0)
    for j, s in enumerate(starts):
        end = starts[j + 1] if j + 1 < len(starts) else None
        top = x if end is None else min(x, end)
        if top > s:
            total += (top - s) * rates[j]
    return fen(total)


@settings(max_examples=300, deadline=None)
@given(tables(increasing=True, first_zero=True), st.lists(fen_values, min_size=1, max_size=80))
def test_marginal_equals_quick_deduction_form(table: tuple[Any, ...], xs: list[Decimal]) -> None:
    """For non-decreasing rates and a first start of 0, marginal TIERED equals the
    quick-deduction form max(0, maxₖ(x × rateₖ − deductionₖ)), deductions built
    like the tax office's: dₖ = dₖ₋₁ + startₖ × (rateₖ − rateₖ₋₁)."""
    starts, rates = table
    quick = [Decimal(0)]
    for k in range(1, len(starts)):
        quick.append(quick[-1] + starts[k] * (rates[k] - rates[k - 1]))
    got = tiered([[float(x)] for x in xs], as_table(starts, rates), "超额")
    got_list = np.asarray(got, dtype=float).ravel().tolist()
    for x, value in zip(xs, got_list, strict=True):
        form = max(x * r - d for r, d in zip(rates, quick, strict=True))
        expected = fen(max(form, Decimal(0))) if x > 0 else 0.0
        assert value == expected, (x, value, expected)


@settings(max_examples=300, deadline=None)
@given(tables(), st.lists(fen_values, min_size=1, max_size=80))
def test_marginal_equals_decimal_slices(table: tuple[Any, ...], xs: list[Decimal]) -> None:
    """Any table (negative starts, falling rates): marginal TIERED is the decimal
    sum of rate × portion of x in each band, rounded to the fen."""
    starts, rates = table
    got = np.asarray(tiered([[float(x)] for x in xs], as_table(starts, rates), "超额"))
    for x, value in zip(xs, got.ravel().tolist(), strict=True):
        assert value == marginal_reference(x, starts, rates), x


@settings(max_examples=200, deadline=None)
@given(
    tables(),
    fen_values,
    st.sampled_from(["超额", "全额"]),
    st.sampled_from(["lower", "upper"]),
)
def test_tier_detail_rows_add_up_to_tiered(
    table: tuple[Any, ...], x: Decimal, mode: str, side: str
) -> None:
    """The amount column of TIER_DETAIL (bands and any 尾差 row) adds up to the
    total row, which is TIERED's result; the quantities add up to the total quantity."""
    starts, rates = table
    t = as_table(starts, rates)
    detail = tier_detail(float(x), t, mode, side)
    assert detail.shape[1] == 5
    body, total = detail[:-1], detail[-1]
    assert total[0] == TOTAL_LABEL
    assert total[4] == tiered(float(x), t, mode, side)
    assert sum(Decimal(str(a)) for a in body[:, 4]) == Decimal(str(total[4]))
    bands = [r for r in body if r[0] != ROUNDING_LABEL]
    assert sum(Decimal(str(r[2])) for r in bands) == Decimal(str(total[2]))
    for r in bands:
        assert r[4] == fen(Decimal(str(r[2])) * Decimal(str(r[3])))


# Values near starts: a start plus a few units of its 12th digit, or far off.
@st.composite
def near_values(draw: Any, starts: list[float]) -> float:
    """A value on, just around (within the 12-digit rounding), or between starts."""
    s = draw(st.sampled_from(starts))
    unit = abs(s) * 1e-11 if s else 1e-12
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return s
    if kind == 1:
        return s + draw(st.integers(-12, 12)) * unit / 4
    if kind == 2:
        return float(np.nextafter(s, draw(st.sampled_from([-np.inf, np.inf]))))
    return s + draw(st.floats(-1e6, 1e6, allow_nan=False))


def linear_band(x: float, starts: list[float], side: str) -> int:
    """Band index by walking the table from the top (−1 below the first start)."""
    r = float(round_sig(x, 12))
    for k in range(len(starts) - 1, -1, -1):
        if r > starts[k] or (r == starts[k] and (side == "lower" or k == 0)):
            return k
    return -1


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from(["lower", "upper"]))
def test_band_agrees_with_a_linear_search(data: Any, side: str) -> None:
    """BAND on a column (short, and long enough for the edge path) picks the band a
    linear search picks after 12-digit rounding; below the first start is #N/A."""
    raw = data.draw(
        st.lists(
            st.floats(-1e9, 1e9, allow_nan=False).map(lambda v: float(round_sig(v, 12))),
            min_size=1,
            max_size=10,
            unique=True,
        )
    )
    starts = sorted(raw)
    assume(all(b > a for a, b in itertools.pairwise(starts)))
    table = [[s, k] for k, s in enumerate(starts)]
    size = data.draw(st.sampled_from([3, 70]))
    xs = [data.draw(near_values(starts)) for _ in range(size)]
    got = band([[x] for x in xs], table, 2, side)
    got_list = np.asarray(got, dtype=object).ravel().tolist()
    for x, value in zip(xs, got_list, strict=True):
        k = linear_band(x, starts, side)
        if k < 0:
            assert value == ExcelError("#N/A"), (x, value)
        else:
            assert value == k, (x, value, k)


@settings(max_examples=40, deadline=None)
@given(
    tables(),
    st.lists(fen_values, min_size=64, max_size=120),
    st.sampled_from(["超额", "全额"]),
    st.sampled_from(["lower", "upper"]),
)
def test_tiered_on_a_vector_equals_tiered_per_element(
    table: tuple[Any, ...], xs: list[Decimal], mode: str, side: str
) -> None:
    """TIERED on a column (edge comparison path) equals TIERED on each cell alone."""
    starts, rates = table
    t = as_table(starts, rates)
    # Put some values exactly on the starts, where side matters.
    values = [float(x) for x in xs] + [float(s) for s in starts]
    got = tiered([[v] for v in values], t, mode, side).ravel().tolist()
    assert got == [tiered(v, t, mode, side) for v in values]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**15 - 1),
    st.integers(min_value=-12, max_value=6),
)
def test_twelve_digit_comparison_of_typed_decimals(digits: int, exponent: int) -> None:
    """A number typed with up to 15 digits is compared as its decimal rounded to 12
    significant digits (half away from zero), as the contract promises."""
    typed = Decimal(digits).scaleb(exponent)
    x = float(typed)
    expected = typed.quantize(Decimal(1).scaleb(typed.adjusted() - 11), rounding=ROUND_HALF_UP)
    assert float(round_sig(x, 12)) == float(expected)


def test_many_bands_column_matches_cell_by_cell() -> None:
    """A table of 40 bands (binary search path) on a long column gives what each
    cell gives alone, on and around every start, both sides."""
    starts = [round(-50 + 7.3 * k, 2) for k in range(40)]
    table = [[s, k] for k, s in enumerate(starts)]
    xs = [s + d for s in starts for d in (-0.01, 0.0, 1e-13, 0.01)] + [-1e9, 1e9]
    for side in ("lower", "upper"):
        got = band([[x] for x in xs], table, 2, side).ravel().tolist()
        assert got == [band(x, table, 2, side) for x in xs]
        money = tiered([[x] for x in xs], table, "全额", side).ravel().tolist()
        assert money == [tiered(x, table, "全额", side) for x in xs]


def test_long_column_of_half_cents_matches_decimal() -> None:
    """A long column (fast paths) of values a few cents around each start, at
    rates that make half-fen slices, equals the decimal computation."""
    starts = [Decimal(s) for s in ("0", "1000", "3000", "12000.5")]
    rates = [Decimal(r) for r in ("0", "0.5", "0.1", "0.25")]
    table = as_table(starts, rates)
    xs = [s + Decimal(k) / 100 for s in starts for k in range(-30, 31)]
    xs += [Decimal(k) / 100 + 123456 for k in range(100)]
    got = tiered([[float(x)] for x in xs], table, "超额").ravel().tolist()
    assert got == [marginal_reference(x, starts, rates) for x in xs]
    whole = tiered([[float(x)] for x in xs], table, "全额").ravel().tolist()
    expected = []
    for x in xs:
        k = max((i for i, s in enumerate(starts) if x >= s), default=-1)
        expected.append(0.0 if k < 0 else fen(x * rates[k]))
    assert whole == expected


def test_results_beyond_the_range_of_numbers_are_num_errors() -> None:
    """Amounts that overflow a double are #NUM! with a message, never inf; so is
    the largest double as a rate shown by TIER_DETAIL (at 15 digits it rounds up
    past the range, as in the other kernel functions). As a start it works."""
    huge = 1.7976931348623157e308
    got = tiered([[2], [0.5]], [[0, huge]], "全额").ravel().tolist()
    assert_error(got[0], "#NUM!", "range")
    assert got[1] == float(f"{huge / 2:.15g}")  # its 15-digit decimal, like any amount
    assert_error(point_bonus(1e308, 10), "#NUM!", "range")
    detail = tier_detail(0, [[0, huge], [1, 0]], "全额")
    assert_error(detail[0, 3], "#NUM!", "range")
    assert detail[-1, 4] == 0
    assert band([[5], [huge]], [[0, 1], [huge, 2]]).ravel().tolist() == [1, 2]
    assert_error(band(5, [[0, float("inf")]]), "#NUM!")


def test_rounding_helpers_accept_empty_arrays() -> None:
    """The shared rounding helpers return empty arrays for empty input (other
    kernel functions call them on the cells that remain after filtering)."""
    empty = np.array([], dtype=np.float64)
    assert round_sig(empty, 12).size == 0
    assert round_decimal(empty, 2).size == 0
    assert decimal_difference(empty, empty).size == 0
    assert significant_unit(empty, 12).size == 0
