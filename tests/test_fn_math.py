"""Math functions' edges (addin/refresh/functions/math.py; issue 24):
trigonometry past 2^27, SUBTOTAL's errors as arguments and filtered rows."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, calc, one

from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1
from addin.xlsx.model import Formula, Sheet, Table, Workbook


@pytest.mark.parametrize("fn", ["SIN", "COS", "TAN"])
def test_trig_past_two_to_the_27_is_num(fn: str) -> None:
    assert one(f"{fn}(2^27)") == E("#NUM!")
    assert one(f"{fn}(-1E+20)") == E("#NUM!")
    assert isinstance(one(f"{fn}(2^27-1)"), float)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SUBTOTAL(2,#REF!)", E("#REF!")),
        ("SUBTOTAL(9,A1:A2,#REF!)", E("#REF!")),
        ("SUBTOTAL(9,A1:A2)", 3.0),
        ("AGGREGATE(9,6,#REF!)", E("#REF!")),
    ],
)
def test_subtotal_error_arguments(formula: str, expected: Any) -> None:
    assert one(formula, A1=1.0, A2=2.0) == expected


def _table_sheet(filtered: bool) -> dict[str, Any]:
    sh = Sheet("S")
    sh.values[from_a1("A1")] = "Sales"
    for r, v in enumerate([1.0, 2.0, 4.0], start=2):
        sh.values[(r, 1)] = v
    sh.hidden_rows = frozenset({3})
    sh.formulas[from_a1("C1")] = Formula("SUBTOTAL(9,T1[Sales])")
    sh.formulas[from_a1("C2")] = Formula("SUBTOTAL(109,T1[Sales])")
    table = Table("T1", "S", (1, 1), (4, 1), ("Sales",), filtered=filtered)
    res = calculate(Workbook([sh], tables=[table]))
    return {"C1": res.values["S"][(1, 3)], "C2": res.values["S"][(2, 3)]}


def test_subtotal_skips_rows_a_table_filter_hides() -> None:
    """poi ConditionalFormattingSamples.xlsx: a table's own filter hides rows."""
    assert _table_sheet(filtered=True) == {"C1": 5.0, "C2": 5.0}


def test_subtotal_counts_rows_hidden_by_hand() -> None:
    """Under filter buttons that filter nothing a hidden row is hidden by hand:
    1–11 count it, 101–111 do not."""
    assert _table_sheet(filtered=False) == {"C1": 7.0, "C2": 5.0}


def test_sum_of_sheet_with_no_filter() -> None:
    assert calc({"A1": 1.0, "A2": "=SUBTOTAL(9,A1)"})["A2"] == 1.0
