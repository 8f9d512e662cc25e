"""Database functions' criteria as Excel's advanced filter reads them
(addin/refresh/functions/database.py; issue 24). The table mirrors ironcalc's
DMIN_DMAX_DAVERAGE_DSUM.xlsx (rows 56–60), written here from scratch."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, calc

DB: dict[str, Any] = {
    "A1": "City", "B1": "Revenue", "C1": True, "D1": 1.0, "E1": "true",
    "A2": "Berlin", "B2": 12000.0, "C2": "a", "D2": "b",
    "A3": "Caracas", "B3": 9600.0, "C3": "b", "D3": "B",
    "A4": "Berlino", "B4": 11000.0, "C4": "A", "D4": "balpha",
    "A5": " Berlin", "B5": 6000.0, "C5": "x", "D5": "ab",
    "A6": "BERLIN", "B6": 15000.0, "C6": "aa", "D6": "",
}  # fmt: skip


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"G1": "City", "G2": "Berlin"}, 38000.0),  # begins with, any case; " Berlin" not
        ({"G1": "City", "G2": '="=Berlin"'}, 27000.0),  # = : the equal text only
        ({"G1": "City", "G2": "<>Berlin"}, 26600.0),
        ({"G1": True, "G2": "a"}, 38000.0),  # TRUE names the first heading reading "true"
        ({"G1": "true", "G2": "a"}, 38000.0),
        ({"G1": 1.0, "G2": "b"}, 32600.0),  # the number 1 heading: b, B, balpha
        ({"G1": "City", "G2": None}, 53600.0),  # a blank criterion accepts all
        ({"G1": "City", "G2": "Berlin", "G3": "Caracas"}, 47600.0),  # rows are OR
    ],
)
def test_dsum_criteria(criteria: dict[str, Any], expected: float) -> None:
    bottom = 3 if "G3" in criteria else 2
    cells = {**DB, **{k: v for k, v in criteria.items() if v is not None}}
    cells["Z1"] = f'=DSUM(A1:E6,"Revenue",G1:G{bottom})'
    assert calc(cells)["Z1"] == expected


def test_dget_and_field_errors() -> None:
    cells = {**DB, "G1": "City", "G2": '="=Caracas"', "Z1": '=DGET(A1:E6,"Revenue",G1:G2)',
             "Z2": "=DSUM(A1:E6,0,G1:G2)", "Z3": '=DSUM(A1:E6,"Nope",G1:G2)',
             "Z4": '=DGET(A1:E6,"Revenue",G1:G1)'}  # fmt: skip
    got = calc(cells)
    assert got["Z1"] == 9600.0
    assert got["Z2"] == E("#VALUE!")
    assert got["Z3"] == E("#VALUE!")
    assert got["Z4"] == E("#VALUE!")
