"""WSCORE, DEDUCT, STREAK and FORCED_DIST: contract examples, bad input, invariants."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from kernel_helpers import arr, assert_error, grid

from udfs.errors import ExcelError
from udfs.scoring import deduct, forced_dist, streak, wscore

NA = ExcelError("#N/A", "查无此人 / not found")


# ---------------------------------------------------------------- WSCORE


def test_wscore_contract_examples() -> None:
    """FUNCTIONS.md: WSCORE({85,92},{0.7,0.3}) = 87.1; with caps {30,20}: 50."""
    assert wscore([85, 92], [0.7, 0.3]) == 87.1
    assert wscore([35, 20], [1, 1], [30, 20]) == 50


def test_wscore_lifts_over_rows() -> None:
    """One weighted score per person, as a spilled column."""
    out = arr(wscore([[85, 92], [70, 80], [100, 0]], [0.7, 0.3]))
    assert out.shape == (3, 1)
    assert out[:, 0].tolist() == [87.1, 73.0, 70.0]


def test_wscore_blank_caps_mean_no_cap() -> None:
    """A blank cap leaves that item uncapped; blanks in scores count 0."""
    assert grid(wscore([[35, 20, 9], [25, None, 10]], [1, 1, 1], [30, 20, None])) == [
        [59.0],
        [35.0],
    ]
    assert wscore([35, 25], [1, 1], [None, ""]) == 60


def test_wscore_parameters_may_stand_in_a_column() -> None:
    """Weights and caps listed vertically on a settings sheet are accepted."""
    assert wscore([85, 92], [[0.7], [0.3]]) == 87.1
    assert wscore([35, 20], [1, 1], [[30], [20]]) == 50


def test_wscore_scheme_five_monthly_score() -> None:
    """SCHEMES 5: 日常工作考核得分×70% + 出勤×30%, attendance from DEDUCT."""
    attendance = deduct(100, 2, 4)
    assert wscore([90, attendance], ["70%", "30%"]) == 90.6


def test_wscore_numeric_text_and_numpy() -> None:
    """Numeric text in scores is its number; numpy blocks work without conversion."""
    assert wscore(["85", "92"], [0.7, 0.3]) == 87.1
    out = arr(wscore(np.array([[85.0, 92.0], [60.0, 60.0]]), np.array([0.7, 0.3])))
    assert out[:, 0].tolist() == [87.1, 60.0]


def test_wscore_error_in_one_row_only() -> None:
    """Text or an error in one person's row is that person's result; others are fine."""
    out = arr(wscore([[85, 92], [85, "缺考"], [NA, 1], [60, 60]], [0.7, 0.3]))
    assert out[0, 0] == 87.1
    assert_error(out[1, 0], "#VALUE!")
    assert "缺考" in out[1, 0].message
    assert str(out[2, 0]) == "#N/A"
    assert out[3, 0] == 60.0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (([85, 92], [0.7, 0.2, 0.1]), "#VALUE!"),
        (([85, 92], [[0.7, 0.3], [0.7, 0.3]]), "#VALUE!"),
        (([85, 92], [0.7, 0.3], [30]), "#VALUE!"),
        (([85, 92], [0.7, "七成"]), "#VALUE!"),
        (([85, 92], [0.7, True]), "#VALUE!"),
        (([85, 92], [0.7, 0.3], [30, "满分"]), "#VALUE!"),
        (([85, 92], [0.7, NA]), "#N/A"),
        (([85, 92], [0.7, 0.3], [NA, 1]), "#N/A"),
        (([], [1]), "#VALUE!"),
        (([85, 92], []), "#VALUE!"),
        (([[1, 2], [3]], [1, 1]), "#VALUE!"),
    ],
)
def test_wscore_bad_input(args: tuple[object, ...], code: str) -> None:
    """Width mismatch, text/booleans/errors in weights or caps, empty or ragged ranges."""
    assert_error(wscore(*args), code)


def test_wscore_width_message_says_what_was_expected() -> None:
    """The width message names the argument and both shapes."""
    err = wscore([[85, 92]], [0.7, 0.2, 0.1])
    assert isinstance(err, ExcelError)
    assert "weights" in err.message
    assert "2" in err.message
    assert "1×3" in err.message


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=8).flatmap(
        lambda width: st.lists(
            st.lists(
                st.integers(min_value=-2000, max_value=2000).map(lambda k: k / 2),
                min_size=width,
                max_size=width,
            ),
            min_size=1,
            max_size=30,
        )
    )
)
def test_wscore_with_unit_weights_is_the_row_sum(rows: list[list[float]]) -> None:
    """Weights of 1 and no caps give exactly each row's sum."""
    width = len(rows[0])
    got = np.asarray(wscore(rows, [1] * width), dtype=float).reshape(-1)
    expected = [float(sum(Decimal(str(v)) for v in row)) for row in rows]
    assert got.tolist() == expected


# ---------------------------------------------------------------- DEDUCT


def test_deduct_contract_examples() -> None:
    """FUNCTIONS.md: 100−2×4 = 92; 30 − 2 items × 5 = 20; 10 − 7×2 floors at 0."""
    assert deduct(100, 2, 4) == 92
    assert deduct(30, [1, 1, 0, 0, 0, 0], 5) == 20
    assert deduct(10, 7, 2) == 0


def test_deduct_lifted_with_points_row_and_floor() -> None:
    """A block of counts with a points row; full and floor per person or for all."""
    counts = [[1, 0], [0, 3], [30, 1]]
    assert grid(deduct(100, counts, [4, 2])) == [[96.0], [94.0], [0.0]]
    assert grid(deduct(100, counts, [4, 2], 40)) == [[96.0], [94.0], [40.0]]
    assert grid(deduct([[100], [50], [200]], counts, [4, 2])) == [[96.0], [44.0], [78.0]]
    assert grid(deduct([100, 50, 200], counts, [4, 2], [[0], [45], [0]])) == [
        [96.0],
        [45.0],
        [78.0],
    ]


def test_deduct_one_counts_row_for_every_full() -> None:
    """A single counts row is used for every person of a full column; a 1-D
    list of full marks is read as one per person."""
    assert grid(deduct([[100], [90]], [1, 1], 5)) == [[90.0], [80.0]]
    assert grid(deduct([100, 90], 1, 4)) == [[96.0], [86.0]]


def test_deduct_half_days_and_blanks() -> None:
    """Fractional counts are allowed; blank counts are 0; scores are not rounded to fen."""
    assert deduct(100, [0.5, None], [4, 3]) == 98
    assert deduct(100, 1, 0.333) == 99.667


def test_deduct_bad_row_is_that_rows_result() -> None:
    """A negative count, text or an error in one person's row affects that row only."""
    out = arr(deduct([[100], [100], [NA], [100]], [[1], [-1], [1], ["三"]], 4))
    assert out[0, 0] == 96.0
    assert_error(out[1, 0], "#VALUE!")
    assert "counts row 2" in out[1, 0].message
    assert str(out[2, 0]) == "#N/A"
    assert_error(out[3, 0], "#VALUE!")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((100, [1, 2], [4, 2, 1]), "#VALUE!"),
        ((100, [1, 2], -4), "#VALUE!"),
        ((100, [1, 2], [4, "四"]), "#VALUE!"),
        ((100, [1, 2], [4, NA]), "#N/A"),
        (([[100], [90], [80]], [[1], [2]], 4), "#VALUE!"),
        ((100, [[1], [2]], 4, [[0], [1], [2]]), "#VALUE!"),
        (([[100, 90]], 1, 4), "#VALUE!"),
        ((100, [], 4), "#VALUE!"),
        ((100, 1, 4, "底线"), "#VALUE!"),
        ((100, 1, 4, NA), "#N/A"),
        ((-1, -1, 4), "#VALUE!"),
    ],
)
def test_deduct_bad_input(args: tuple[object, ...], code: str) -> None:
    """Points of the wrong width, negative or text points, row-count mismatches,
    empty counts, text or error floors give the documented error."""
    result = deduct(*args)
    if isinstance(result, np.ndarray):  # lifted: every row carries the error
        for cell in result.ravel():
            assert_error(cell, code)
    else:
        assert_error(result, code)


def test_deduct_full_as_row_is_explained() -> None:
    """Passing full marks as a row says it must be one value or one column."""
    err = deduct([[100, 90]], 1, 4)
    assert isinstance(err, ExcelError)
    assert "full" in err.message
    assert "column" in err.message


# ---------------------------------------------------------------- STREAK


def test_streak_contract_examples() -> None:
    """FUNCTIONS.md: <70 run of 3; the same name three times at the end."""
    assert streak([75, 68, 69, 65, 80], "<70") == 3
    assert streak(["张三", "李四", "李四", "李四"], None, "last") == 3
    assert streak(["张三", "李四", "李四", "李四"], "", "末尾") == 3


def test_streak_lifted_over_rows() -> None:
    """One run length per person, as a spilled column of whole numbers."""
    out = arr(streak([[75, 68, 69, 65, 80], [60, 65, 90, 50, None], [90, 95, 99, 100, 91]], "<70"))
    assert out.shape == (3, 1)
    assert out[:, 0].tolist() == [3, 2, 0]


def test_streak_which_last() -> None:
    """Which "last": the run ending at the last non-blank cell; 0 if that cell fails."""
    rows = [
        [65, 60, 75, 68, 69],
        [65, 60, 75, 68, 90],
        [65, 66, None, None, None],
        [None, None, None, None, None],
    ]
    assert grid(streak(rows, "<70", "last")) == [[2], [0], [2], [0]]
    assert grid(streak(rows, "<70", "最长")) == [[2], [2], [2], [0]]


def test_streak_blanks_break_runs() -> None:
    """A blank month breaks a run, with or without criteria."""
    assert streak([60, 60, None, 60, 60, 60], "<70") == 3
    assert streak([1, 1, None, 1, 1], None) == 2
    assert streak([1, 1, "", 1, 1], None, "last") == 2


def test_streak_without_criteria_counts_equal_neighbours() -> None:
    """Runs of equal values: a lone value is 1; text ignores case; 85 ≠ "85"."""
    assert streak([1, 2, 3]) == 1
    assert streak(["a", "A", "b"]) == 2
    assert streak([85, "85", 85]) == 1
    assert streak([True, True, 1]) == 2
    assert streak([0.1 + 0.2, 0.3, 0.3]) == 3  # equal at 12 significant digits
    assert streak([None, None]) == 0


@pytest.mark.parametrize(
    ("values", "criteria", "expected"),
    [
        ([95, 90, 89, 92], ">=90", 2),
        ([95, 90, 89, 92], ">90", 1),
        ([95, 90, 89, 92], "<=90", 2),
        ([0, 3, 4, 0, 5], "<>0", 2),
        ([0, 3, 4, 0, 5], 0, 1),
        ([0, 3, 4, 0, 5], "0", 1),
        ([0, 3, 4, 0, 5], "=0", 1),
        (["优", "良", "优", "优"], "=优", 2),
        (["优", "良", "优", "优"], "优", 2),
        (["优", "良", "优", "优"], "<>优", 1),
        (["Good", "GOOD", "good", "bad"], "good", 3),
        (["优秀", "优良", "良好", "优"], "优*", 2),
        (["ab", "ac", "abc", "a"], "a?", 2),
        (["a*", "a*", "ab"], "a~*", 2),
        (["b", "c", "a", "d"], ">a", 2),
        ([0.3, 0.1 + 0.2, 0.3], "=0.3", 3),
        ([0.85, 0.9, 0.95], ">=90%", 2),
        ([True, True, False, True], True, 2),
        ([True, True, False, True], "TRUE", 2),
        ([True, True, False, True], "<>TRUE", 1),
        ([1, "x", True, None, 2], "<>", 3),
        ([1, 1, None, 1], "=", 0),
    ],
)
def test_streak_countif_criteria(values: list[object], criteria: object, expected: int) -> None:
    """COUNTIF criteria: operators, bare values, text case-insensitively, wildcards,
    12-digit numbers, percents, booleans, "<>" for not blank."""
    assert streak(values, criteria) == expected


def test_streak_numeric_text_follows_countif() -> None:
    """As in COUNTIF: = with a number matches numeric text, < and > do not,
    <> with a number matches text; a text criterion never matches a number."""
    assert streak(["85", 85, "085"], 85) == 3
    assert streak([60, "65", 60], "<70") == 1
    assert streak([60, "65", 60], "<>70") == 3
    assert streak([1, 1, "1"], "=abc") == 0


def test_streak_accepts_numpy_scalars_and_arrays() -> None:
    """numpy numbers, booleans and strings behave like their Python counterparts."""
    assert streak([np.float64(1), np.int64(1), 1.0]) == 3
    assert streak([np.bool_(True), True, np.float64(1)]) == 2
    assert streak(np.array([["优", "优", "良"]])) == 2
    assert streak(np.array([["优", "优", "良"]]), "=良") == 1
    assert streak(np.array([[True, True, False]]), True) == 2


def test_streak_error_in_one_row_only() -> None:
    """An error value in a row makes that row's result the error; other rows fine."""
    out = arr(streak([[60, NA, 60], [60, 60, 60], [60, "#DIV/0!", 1]], "<70"))
    assert str(out[0, 0]) == "#N/A"
    assert out[1, 0] == 3
    assert str(out[2, 0]) == "#DIV/0!"
    nan_row = arr(streak(np.array([[1.0, np.nan], [1.0, 1.0]])))
    assert_error(nan_row[0, 0], "#NUM!")
    assert nan_row[1, 0] == 2


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (([1, 2], "<3", "first"), "#VALUE!"),
        (([1, 2], "<3", 1), "#VALUE!"),
        (([1, 2], ["<3", ">1"]), "#VALUE!"),
        (([1, 2], NA), "#N/A"),
        (([1, 2], "#REF!"), "#REF!"),
        (([1, 2], "<3", NA), "#N/A"),
        (([],), "#VALUE!"),
        (([[1, 2], [3]],), "#VALUE!"),
    ],
)
def test_streak_bad_input(args: tuple[object, ...], code: str) -> None:
    """Unknown which, several criteria cells, errors as criteria or which, empty/ragged values."""
    assert_error(streak(*args), code)


# Criteria the loop below understands, with the plain Python test each one means.
_REFERENCE_TESTS: dict[str, Any] = {
    "<70": lambda c: isinstance(c, int | float) and c < 70,
    ">=60": lambda c: isinstance(c, int | float) and c >= 60,
    "=65": lambda c: isinstance(c, int | float) and c == 65,
    "=优": lambda c: isinstance(c, str) and c.casefold() == "优",
    "<>优": lambda c: not (isinstance(c, str) and c.casefold() == "优"),
    "Ab": lambda c: isinstance(c, str) and c.casefold() == "ab",
}


def _reference_streak(row: list[object], criteria: str | None, which: str) -> int:
    """A plain per-row loop: run lengths of cells meeting ``criteria`` (or of
    equal neighbours without it, text ignoring case); blanks break runs."""

    def key(cell: object) -> object:
        return (str, cell.casefold()) if isinstance(cell, str) else (float, cell)

    best = current = 0
    previous: object = None
    last_filled = -1
    run_at: list[int] = []
    for j, cell in enumerate(row):
        if cell is None:
            current, previous = 0, None
        elif criteria is None:
            same = previous is not None and key(cell) == key(previous)
            current = current + 1 if same else 1
            previous = cell
        elif _REFERENCE_TESTS[criteria](cell):
            current += 1
        else:
            current = 0
        if cell is not None:
            last_filled = j
        run_at.append(current)
        best = max(best, current)
    if which == "longest":
        return best
    return run_at[last_filled] if last_filled >= 0 else 0


@settings(max_examples=250, deadline=None)
@given(
    rows=st.integers(min_value=1, max_value=12).flatmap(
        lambda width: st.lists(
            st.lists(
                st.one_of(
                    st.none(),
                    st.integers(min_value=55, max_value=75),
                    st.sampled_from(["优", "良", "ab", "AB", "Ab"]),
                ),
                min_size=width,
                max_size=width,
            ),
            min_size=1,
            max_size=25,
        )
    ),
    criteria=st.one_of(st.none(), st.sampled_from(sorted(_REFERENCE_TESTS))),
    which=st.sampled_from(["longest", "last"]),
)
def test_streak_agrees_with_a_per_row_loop(
    rows: list[list[object]], criteria: str | None, which: str
) -> None:
    """Vectorised STREAK equals a straightforward loop on random rows of numbers,
    text and blanks, for several criteria and without."""
    got = np.asarray(streak(rows, criteria, which), dtype=object).reshape(-1).tolist()
    expected = [_reference_streak(list(r), criteria, which) for r in rows]
    assert got == expected


def test_streak_on_many_rows_matches_the_loop() -> None:
    """10,000 people × 12 months: the vectorised result equals the loop row for row."""
    rng = np.random.default_rng(7)
    block = rng.integers(55, 80, size=(10_000, 12)).astype(float)
    got = arr(streak(block, "<70", "last"))[:, 0].tolist()
    expected = [_reference_streak(row, "<70", "last") for row in block.tolist()]
    assert got == expected


# ---------------------------------------------------------------- FORCED_DIST

EXAMPLE_SCORES = [95, 90, 85, 80, 75, 70, 65, 60, 55, 50]


def test_forced_dist_contract_example() -> None:
    """FUNCTIONS.md: 10 people, 20/70/10 → A,A,B,B,B,B,B,B,B,C."""
    out = grid(forced_dist(EXAMPLE_SCORES, [0.2, 0.7, 0.1], ["A", "B", "C"]))
    assert out == [["A", "A", "B", "B", "B", "B", "B", "B", "B", "C"]]


def test_forced_dist_keeps_the_scores_shape_and_order() -> None:
    """A column of scores in any order gives a column of labels for the same people."""
    scores = [[70], [95], [50], [85], [90], [55], [60], [65], [75], [80]]
    out = grid(forced_dist(scores, [[20], [70], [10]], ["优", "合格", "待改进"]))
    assert [r[0] for r in out] == [
        "合格",
        "优",
        "待改进",
        "合格",
        "优",
        "合格",
        "合格",
        "合格",
        "合格",
        "合格",
    ]


def test_forced_dist_low_first() -> None:
    """order 1: the lowest score is best (e.g. error counts)."""
    out = grid(forced_dist(EXAMPLE_SCORES, [0.2, 0.7, 0.1], ["A", "B", "C"], 1))
    assert out == [["C", "B", "B", "B", "B", "B", "B", "B", "A", "A"]]


def test_forced_dist_ties_across_a_cut_get_the_better_label() -> None:
    """Tied people on the A/B cut all get A; B shrinks; the total stays n."""
    scores = [95, 90, 90, 80, 75, 70, 65, 60, 55, 50]
    out = grid(forced_dist(scores, [0.2, 0.7, 0.1], ["A", "B", "C"]))[0]
    assert out == ["A", "A", "A", "B", "B", "B", "B", "B", "B", "C"]
    scores = [95, 90, 85, 80, 75, 70, 65, 60, 50, 50]
    out = grid(forced_dist(scores, [0.2, 0.7, 0.1], ["A", "B", "C"]))[0]
    assert out == ["A", "A", "B", "B", "B", "B", "B", "B", "B", "B"]  # C not handed out


def test_forced_dist_tie_swallowing_a_whole_label() -> None:
    """A tie group covering a label's places gives all of them the better label."""
    out = grid(forced_dist([90, 90, 90, 80], [1, 1, 1], ["a", "b", "c"]))[0]
    assert out == ["a", "a", "a", "c"]


def test_forced_dist_largest_remainder_counts() -> None:
    """Counts are rounded by largest remainder, equal remainders to the earlier label."""
    out = grid(forced_dist(list(range(7, 0, -1)), [1, 1, 1], ["a", "b", "c"]))[0]
    assert out == ["a", "a", "a", "b", "b", "c", "c"]
    out = grid(forced_dist([4, 3, 2, 1], [0.15, 0.7, 0.15], ["a", "b", "c"]))[0]
    assert out == ["a", "b", "b", "b"]  # quotas 0.6, 2.8, 0.6: a wins the tie


def test_forced_dist_blanks_and_errors_take_no_place() -> None:
    """Blank scores get no label and don't count; an error is that person's result."""
    out = arr(forced_dist([[90], [None], [80], ["缺考"], [NA], [70]], [1, 1], ["上", "下"]))
    assert out[0, 0] == "上"
    assert out[1, 0] is None
    assert out[2, 0] == "上"  # n = 3: counts 2, 1
    assert_error(out[3, 0], "#VALUE!")
    assert str(out[4, 0]) == "#N/A"
    assert out[5, 0] == "下"
    empty = grid(forced_dist([[None], [None]], [1, 1], ["上", "下"]))
    assert empty == [[None], [None]]


def test_forced_dist_numeric_labels_and_zero_share() -> None:
    """Labels may be numbers (coefficients); a label with share 0 is never given."""
    out = grid(forced_dist([4, 3, 2, 1], [1, 0, 1], [1.2, 1.0, 0.8]))[0]
    assert out == [1.2, 1.2, 0.8, 0.8]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (([1, 2], [1, 1], ["a", "b", "c"]), "#VALUE!"),
        (([1, 2], [1, -1], ["a", "b"]), "#VALUE!"),
        (([1, 2], [0, 0], ["a", "b"]), "#DIV/0!"),
        (([1, 2], [1, "半"], ["a", "b"]), "#VALUE!"),
        (([1, 2], [1, NA], ["a", "b"]), "#N/A"),
        (([1, 2], [1, 1], ["a", None]), "#VALUE!"),
        (([1, 2], [1, 1], ["a", NA]), "#N/A"),
        (([[1, 2], [3, 4]], [1, 1], ["a", "b"]), "#VALUE!"),
        (([1, 2], [[1, 1], [1, 1]], ["a", "b", "c", "d"]), "#VALUE!"),
        (([1, 2], [1, 1], ["a", "b"], "desc"), "#VALUE!"),
        (([1, 2], [1, 1], ["a", "b"], [0, 1]), "#VALUE!"),
        (([1, 2], [1, 1], ["a", "b"], NA), "#N/A"),
        (([], [1], ["a"]), "#VALUE!"),
    ],
)
def test_forced_dist_bad_input(args: tuple[object, ...], code: str) -> None:
    """Mismatched shares/labels, negative/zero/text shares, blank or error labels,
    a 2-D score block, a bad order, empty scores."""
    assert_error(forced_dist(*args), code)


def _reference_counts(n: int, shares: list[int]) -> list[int]:
    """Largest remainder with fractions, equal remainders to the earlier share."""
    total = sum(shares)
    quotas = [Fraction(n * s, total) for s in shares]
    counts = [q.numerator // q.denominator for q in quotas]
    order = sorted(range(len(shares)), key=lambda k: (-(quotas[k] - counts[k]), k))
    for k in order[: n - sum(counts)]:
        counts[k] += 1
    return counts


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(
        st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60, unique=True
    ),
    shares=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6).filter(any),
    low_first=st.booleans(),
)
def test_forced_dist_counts_without_ties(
    scores: list[int], shares: list[int], low_first: bool
) -> None:
    """With distinct scores each label goes to exactly its largest-remainder count,
    in rank order."""
    labels = [f"L{k}" for k in range(len(shares))]
    result = forced_dist(scores, shares, labels, 1 if low_first else 0)
    out = np.asarray(result, dtype=object).reshape(-1).tolist()
    counts = _reference_counts(len(scores), shares)
    assert [out.count(lab) for lab in labels] == counts
    ranked = sorted(range(len(scores)), key=lambda i: scores[i], reverse=not low_first)
    expected = [lab for lab, c in zip(labels, counts, strict=True) for _ in range(c)]
    assert [out[i] for i in ranked] == expected


def test_bare_errors_passed_in_get_a_message_saying_where() -> None:
    """An error arriving from Excel without a message is passed through with one
    that names the argument (and the row for lifted arguments)."""
    bare = ExcelError("#N/A")
    out = arr(wscore([[1, 2], [bare, 1]], [1, 1]))
    assert_error(out[1, 0], "#N/A")
    assert "scores row 2" in out[1, 0].message
    assert_error(wscore([1, 2], [1, bare]), "#N/A")
    out = arr(deduct([[100], [bare]], 1, 4))
    assert_error(out[1, 0], "#N/A")
    assert "full row 2" in out[1, 0].message
    assert_error(streak([1, bare], "<3"), "#N/A")
    assert_error(streak([1, 2], "<3", bare), "#N/A")
    assert_error(streak([1, 2], "#REF!"), "#REF!")
    out = arr(forced_dist([[1], [bare]], [1], ["a"]))
    assert_error(out[1, 0], "#N/A")
    assert_error(forced_dist([1, 2], [1, 1], ["a", bare]), "#N/A")
    err = forced_dist([1, 2], [1, 1], ["a", "b"], bare)
    assert_error(err, "#N/A")
    assert isinstance(err, ExcelError)
    assert "order" in err.message


def test_integers_beyond_a_double_are_num_errors() -> None:
    """Regression: a Python int too large for a double (10**400) raised OverflowError
    from ``float()``/``astype`` instead of being that cell's #NUM!."""
    out = arr(wscore([[10**400, 1], [1, 2]], [1, 1]))
    assert_error(out[0, 0], "#NUM!")
    assert out[1, 0] == 3.0
    out = arr(streak(np.array([[1, 1], [-(10**400), 2]], dtype=object), "<3"))
    assert_error(out[1, 0], "#NUM!")
    assert out[0, 0] == 2
    assert_error(deduct(10**400, 1, 1), "#NUM!")


def test_overflowing_results_are_num_errors() -> None:
    """Regression: a weighted score or deduction beyond a double (1e308 × 10, or
    1e308 − (−1e308)) came back as inf, and inf − inf as NaN; a cell cannot hold
    either: the row's result is #NUM! (with a message), other rows unaffected."""
    out = arr(wscore([[1e308, 1e308], [1, 2]], [10, 1]))
    assert_error(out[0, 0], "#NUM!")
    assert out[1, 0] == 12.0
    assert_error(wscore([1e308, -1e308], [10, 10]), "#NUM!")  # inf - inf
    # the largest double shows as 1.79769313486232e308 at 15 digits: beyond it
    assert_error(deduct(1.7976931348623157e308, 0, 0), "#NUM!")


def test_forced_dist_labels_come_back_as_plain_values() -> None:
    """Regression: numpy labels were returned via ``.item()``, so a ``np.longdouble``
    label stayed a numpy scalar, ``np.uint64(2**64-1)`` became an int beyond a
    double and a NaN label came back as NaN. Numeric labels are now doubles,
    text and booleans stay as they are, NaN/inf is #NUM!, '#N/A' text an error."""
    out = grid(forced_dist([2, 1], [1, 1], [np.longdouble(1.5), np.uint64(2**64 - 1)]))[0]
    assert out == [1.5, float(2**64)]
    assert all(type(v) is float for v in out)
    out = grid(forced_dist([2, 1], [1, 1], np.array(["优", "良"])))[0]
    assert out == ["优", "良"]
    assert all(type(v) is str for v in out)
    assert grid(forced_dist([2, 1], [1, 1], [np.True_, False]))[0] == [True, False]
    assert_error(forced_dist([2, 1], [1, 1], ["a", float("nan")]), "#NUM!")
    assert_error(forced_dist([2, 1], [1, 1], ["a", "#N/A"]), "#N/A")


def _regex_reference(pattern: str) -> re.Pattern[str]:
    """COUNTIF wildcards as a regular expression (slow on some patterns, but obviously right)."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


@settings(max_examples=200, deadline=None)
@given(
    pattern=st.text(alphabet="ab*?~", min_size=1, max_size=7),
    texts=st.lists(st.text(alphabet="ab*?~", max_size=6), min_size=1, max_size=6),
)
def test_streak_wildcards_match_like_the_regex_reference(pattern: str, texts: list[str]) -> None:
    """COUNTIF wildcards (* ? and ~ escapes) match exactly as the regex translation does."""
    assume(pattern[0] not in "<>=")
    ref = _regex_reference(pattern)
    expected = [ref.fullmatch(t) is not None and t != "" for t in texts]
    runs, best = 0, 0
    for hit in expected:
        runs = runs + 1 if hit else 0
        best = max(best, runs)
    assert streak([texts], pattern) == best


def test_streak_wildcards_take_linear_time() -> None:
    """Regression: criteria such as "*?*?*?…b" were turned into a regular
    expression whose backtracking took exponential time (10 pairs on a 40-letter
    cell: seconds; 15 pairs: hours). They are now matched in at most
    len(text) × len(pattern) steps."""
    assert streak([["a" * 40, "a" * 40 + "b"]], "*?" * 30 + "b") == 1
    assert streak([["优秀", "优", "良好"]], "优*") == 2


def test_text_with_underscores_is_not_a_number() -> None:
    """Regression: numeric text went through Python's float(), which reads
    "1_000" as 1000 (digit grouping in Python literals); Excel's VALUE does not,
    so such a cell is #VALUE!. Commas, %, ¥ and full-width digits still read."""
    assert_error(wscore(["1_000"], [1]), "#VALUE!")
    assert_error(deduct(100, "1_0", 1), "#VALUE!")
    assert wscore(["1,200", "85%", "¥3", "８５"], [1, 1, 1, 1]) == 1200 + 0.85 + 3 + 85


# ---------------------------------------------------------------- FORCED_DIST groups


def _reference_forced(scores: list[Any], shares: list[int], labels: list[str], low_first: bool) -> list[Any]:
    """One group by the contract's words with plain loops: counts by largest
    remainder, a person's label is the one of their RANK.EQ place; blanks
    take no place and get nothing."""
    people = [i for i, s in enumerate(scores) if s is not None and s != ""]
    counts = _reference_counts(len(people), shares)
    place_label = [lab for lab, c in zip(labels, counts, strict=True) for _ in range(c)]
    out: list[Any] = [None] * len(scores)
    for i in people:
        better = sum(
            1 for j in people if (scores[j] < scores[i] if low_first else scores[j] > scores[i])
        )
        out[i] = place_label[better]
    return out


def test_forced_dist_groups_distribute_within_each_key() -> None:
    """「根据部门内考核得分情况,按照强制比例分布」: each month on its own, rows of a
    month anywhere in the column, a month of 1, 2 and 5 people."""
    scores = [[90], [60], [85], [70], [88], [None], [75], [95], [80], [65]]
    months = [[1], [2], [1], [2], [3], [3], [3], [3], [3], [3]]
    out = grid(forced_dist(scores, [0.2, 0.6, 0.2], ["A", "B", "C"], None, months))
    # months 1 and 2: 2 people each, quotas 0.4/1.2/0.4 → floors 0,1,0, the unit
    # left to the largest remainder (0.4, A before C) → A 1, B 1;
    # month 3: 5 people (the blank row takes no seat) → 1,3,1
    assert out == [["A"], ["B"], ["B"], ["A"], ["B"], [None], ["B"], ["A"], ["B"], ["C"]]


def test_forced_dist_group_of_one_and_keys_as_text() -> None:
    """A department of one takes the label its single seat gets; text keys are
    case-insensitive and a number key is not the text of that number."""
    out = grid(forced_dist([[50], [70], [60], [80]], [1, 1], ["上", "下"], 0, [["销售"], [1], ["1"], [1]]))
    assert out == [["上"], ["下"], ["上"], ["上"]]
    out = grid(forced_dist([[50], [70]], [1, 1], ["上", "下"], 0, [["a"], ["A"]]))
    assert out == [["下"], ["上"]]


def test_forced_dist_group_errors() -> None:
    """An error key is that person's result (no place); groups of another length
    than scores is #VALUE! for the whole result."""
    out = arr(forced_dist([[90], [80], [70]], [1, 1], ["上", "下"], 0, [[1], [ExcelError("#N/A")], [1]]))
    assert_error(out[1, 0], "#N/A")
    assert out[0, 0] == "上"
    assert out[2, 0] == "下"
    assert_error(forced_dist([[90], [80]], [1, 1], ["上", "下"], 0, [[1], [1], [1]]), "#VALUE!")


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=0, max_value=12)),
            st.integers(min_value=0, max_value=4),
        ),
        min_size=1,
        max_size=80,
    ),
    shares=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=5).filter(any),
    low_first=st.booleans(),
)
def test_forced_dist_groups_equal_one_call_per_group(
    rows: list[tuple[int | None, int]], shares: list[int], low_first: bool
) -> None:
    """The vectorised grouped result equals the plain per-group loop: any group
    sizes, ties on every cut (scores from a small range), blanks anywhere."""
    scores = [[s] for s, _g in rows]
    keys = [[g] for _s, g in rows]
    labels = [f"L{k}" for k in range(len(shares))]
    got = np.asarray(forced_dist(scores, shares, labels, 1 if low_first else 0, keys), dtype=object)
    got_list = got.reshape(-1).tolist()
    for g in {g for _s, g in rows}:
        members = [i for i, (_s, k) in enumerate(rows) if k == g]
        want = _reference_forced([rows[i][0] for i in members], shares, labels, low_first)
        assert [got_list[i] for i in members] == want


def test_forced_dist_groups_at_scale_match_the_loop() -> None:
    """3,000 people in 12 months of uneven size, ties everywhere: vectorised = loop."""
    rng = np.random.default_rng(22)
    n = 3000
    scores = rng.integers(60, 70, size=n).astype(float).tolist()
    months = rng.integers(1, 13, size=n).tolist()
    got = arr(forced_dist([[s] for s in scores], [1, 2, 4, 2, 1], list("ABCDE"), 0, [[m] for m in months]))
    for m in range(1, 13):
        members = [i for i in range(n) if months[i] == m]
        want = _reference_forced([scores[i] for i in members], [1, 2, 4, 2, 1], list("ABCDE"), False)
        assert [got[i, 0] for i in members] == want
