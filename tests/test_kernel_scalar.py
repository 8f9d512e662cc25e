"""The kernel's one-value path gives what its array path gives (issue 13, point 6).

A per-cell UDF in Excel calls ``BAND``, ``TIERED``, ``POINT_BONUS`` and ``MONEY`` with one
value per call; those calls take a plain-Python path (no numpy for the value,
the parsed table kept in a small cache). Here hypothesis draws tables and
values — band starts and the doubles around their 12-digit edges, half-cents,
blanks, error values, text numbers, booleans, huge values — and each scalar
call must equal the same call on a 1×1 range and the same value's cell in a
column long enough (70 values) for the array path's edge look-up and fast
rounding: same value (to the sign of zero) or same error code and message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udfs.band_table import BandTable
from udfs.bands import band, point_bonus, tiered
from udfs.errors import ExcelError
from udfs.money import money

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Column length of the array-path comparison: above the 64 values from which
#: band look-ups use edges and rounding takes its fast path.
COLUMN = 70

_starts = st.lists(
    st.one_of(
        st.integers(-1000, 500_000),
        st.sampled_from([0, 0.1, 1.15, 3000, 1000.01, 1e-9, 1e15, -50.5]),
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda v: float(f"{float(v):.12g}"),
).map(lambda s: sorted(s, key=float))

_rate = st.one_of(
    st.sampled_from([0, 0.03, 0.1, 0.5, 20, 40, 0.45, 1e300]),
    st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 4)),
)

_odd_cells = st.sampled_from(
    [
        None,
        "",
        "85",
        " 1,200 ",
        "85%",
        "¥3000",
        "abc",
        True,
        False,
        "#N/A",
        ExcelError("#DIV/0!", "除数为零 / division by zero"),
        ExcelError("#REF!"),
        1e308,
        -1e308,
        5e-324,
        math.nan,
        math.inf,
        10**400,
    ]
)


def _near(starts: list[Any]) -> st.SearchStrategy[Any]:
    """Values on, just around and between the starts (12-digit edges, half-cents)."""
    picks = st.sampled_from(starts).map(float)
    return st.one_of(
        picks,
        picks.map(lambda s: math.nextafter(s, math.inf)),
        picks.map(lambda s: math.nextafter(s, -math.inf)),
        picks.map(lambda s: s + abs(s) * 4e-13 + 1e-300),
        picks.map(lambda s: s - abs(s) * 4e-13 - 1e-300),
        picks.map(lambda s: s + 0.005),
        picks.map(lambda s: f"{s:.15g}"),
        st.floats(-1e7, 1e7, allow_nan=False).map(lambda v: round(v, 3)),
        st.integers(-(10**6), 10**6),
        _odd_cells,
    )


@st.composite
def _table_and_values(draw: st.DrawFn, *, blank_rates: bool) -> tuple[Any, list[Any]]:
    starts = draw(_starts)
    rate = st.one_of(_rate, st.none()) if blank_rates else _rate
    table: Any = [[s, draw(rate)] for s in starts]
    form = draw(st.sampled_from(["list", "tuple", "array"]))
    if form == "tuple":
        table = tuple(tuple(r) for r in table)
    elif form == "array" and not any(r[1] is None for r in table):
        table = np.array(table, dtype=np.float64)
    values = draw(st.lists(_near(starts), min_size=1, max_size=5))
    return table, values


def _same(a: Any, b: Any, *, messages: bool = True) -> bool:
    """Equal as cells: floats to the sign of zero, errors by code and message
    (by code alone without ``messages``)."""
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return (
            isinstance(a, ExcelError)
            and isinstance(b, ExcelError)
            and a.code == b.code
            and (not messages or a.message == b.message)
        )
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return type(a) is type(b) and a == b


def _cell(result: Any, i: int) -> Any:
    """Row ``i`` of a spilled column (a whole-call error stands for every row)."""
    cell = result if isinstance(result, ExcelError) else result[i, 0]
    return cell.item() if isinstance(cell, np.generic) else cell


def _check(call: Callable[[Any], Any], values: list[Any], *, row_messages: bool = False) -> None:
    """Each value alone and as a 1×1 range (the one-value path) equals its
    cell in a two-row column (the array path on a short array) and in a
    70-row column (edges and fast rounding). With ``row_messages`` (the
    function's messages name the row) errors in the long column are compared
    by code alone."""
    filler = [[float(i)] for i in range(COLUMN - len(values))]
    column = call([[v] for v in values] + filler)
    for i, v in enumerate(values):
        one = call(v)
        assert not isinstance(one, np.ndarray), (v, one)
        boxed = call([[v]])
        assert _same(one, boxed), (v, one, boxed)
        pair = _cell(call([[v], [v]]), 0)
        assert _same(one, pair), (v, one, pair)
        cell = _cell(column, i)
        assert _same(one, cell, messages=not row_messages), (v, one, cell)


@SETTINGS
@given(_table_and_values(blank_rates=False), st.sampled_from([None, "lower", "上含"]))
def test_band_scalar_equals_array(drawn: tuple[Any, list[Any]], side: Any) -> None:
    """BAND on one value equals BAND on that value in a range."""
    table, values = drawn
    _check(lambda x: band(x, table, None, side), values)


@SETTINGS
@given(
    _table_and_values(blank_rates=False),
    st.sampled_from(["超额", "marginal", "全额", "whole"]),
    st.sampled_from([None, "lower", "upper"]),
)
def test_tiered_scalar_equals_array(drawn: tuple[Any, list[Any]], mode: str, side: Any) -> None:
    """TIERED on one value equals TIERED on that value in a range (both modes)."""
    table, values = drawn
    _check(lambda x: tiered(x, table, mode, side), values)


@SETTINGS
@given(
    _table_and_values(blank_rates=True),
    st.one_of(_rate, _odd_cells),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, "下含", "upper", [["上含"]], [[None]]]),
)
def test_point_bonus_scalar_equals_array(
    drawn: tuple[Any, list[Any]], rate: Any, boxed_rate: bool, with_gates: bool, side: Any
) -> None:
    """POINT_BONUS on one score and rate (each alone or as a 1×1 range, as
    the classic host passes them) equals it on that score in a range."""
    table, values = drawn
    gates = table if with_gates else None
    given = [[rate]] if boxed_rate else rate
    _check(lambda x: point_bonus(x, given, gates, side), values)


_amounts = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda n: n / 1000),  # half-cents and their neighbours
    st.integers(-(10**7), 10**7).map(lambda n: n / 1000 + 0.0005),
    st.floats(-1e16, 1e16, allow_nan=False),
    st.floats(-1e-6, 1e-6, allow_nan=False),
    st.sampled_from([2.675, 1.005, -1.005, 2.665, 0.125, 1e-7, 9.999999999999995e14, 0.0, -0.0]),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.10g}"),
    _odd_cells,
)


@SETTINGS
@given(
    st.lists(_amounts, min_size=1, max_size=5),
    st.sampled_from([None, 0, 1, 2, 2.7, 3, 8, 9, 15, -1, -2]),
    st.sampled_from([None, "四舍五入", "half-even", "四舍六入"]),
)
def test_money_scalar_equals_array(values: list[Any], digits: Any, method: Any) -> None:
    """MONEY on one amount equals MONEY on that amount in a range, both rules."""
    _check(lambda x: money(x, digits, method), values, row_messages=True)


def test_whole_call_errors_agree() -> None:
    """A broken table or keyword is the same whole-call error on both paths."""
    cases: list[Callable[[Any], Any]] = [
        lambda x: band(x, [[5, 1], [0, 2]]),
        lambda x: band(x, [[0, 1], ["a", 2]]),
        lambda x: band(x, [[0, 1], [ExcelError("#N/A", "上游 / upstream"), 2]]),
        lambda x: band(x, [[0, 1]], 3),
        lambda x: tiered(x, [[0, "率"], [5, 2]], "超额"),
        lambda x: tiered(x, [[0, 1]], None),
        lambda x: point_bonus(x, 40, [[0, 1], [0, 2]]),
        lambda x: point_bonus(x, 40, [[0, 0]], "sideways"),
        lambda x: money(x, "two"),
        lambda x: money(x, 2, "bankers"),
    ]
    for call in cases:
        for x in (7, ExcelError("#DIV/0!"), "abc"):
            one, boxed = call(x), call([[x]])
            assert isinstance(one, ExcelError), (x, one)
            assert _same(one, boxed), (x, one, boxed)


def test_table_cache_tells_equal_looking_tables_apart() -> None:
    """The parsed-table cache keys on value and type: ``True`` is not 1, an
    error cell is never cached (its message is its own), and a cached table
    cannot be changed by a caller."""
    assert band(1, [[0, 1], [5, 2]]) == 1.0
    assert band(1, [[0, True], [5, 2]]) is True
    first = band(1, [[0, ExcelError("#N/A", "甲 / a")]])
    second = band(1, [[0, ExcelError("#N/A", "乙 / b")]])
    assert isinstance(first, ExcelError)
    assert isinstance(second, ExcelError)
    assert (first.message, second.message) == ("甲 / a", "乙 / b")
    table = [[0, 30], [100, 32]]
    parsed = BandTable.parse(table, "table")
    assert BandTable.parse([[0, 30], [100, 32]], "table") is parsed
    assert not parsed.starts.flags.writeable
    assert not parsed.columns.flags.writeable
    table[1][1] = 99  # the caller's list changes: a new value, a new parse
    assert band(150, table) == 99.0
