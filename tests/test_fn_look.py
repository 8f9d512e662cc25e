"""Lookup functions' order of checks and errors as arguments
(addin/refresh/functions/look.py; issue 24)."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, one


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("VLOOKUP(B1,B1,B1,3)", E("#N/A")),  # calamine errors.xlsx!A7: the search first
        ("VLOOKUP(1,A1:A2,0,FALSE)", E("#VALUE!")),  # found, then column 0
        ("VLOOKUP(5,A1:A2,0,FALSE)", E("#N/A")),
        ("VLOOKUP(1,A1:A2,3,FALSE)", E("#REF!")),
        ("VLOOKUP(1,#REF!,2,FALSE)", E("#REF!")),
        ("MATCH(1,#REF!,0)", E("#REF!")),
        ("XMATCH(1,#REF!)", E("#REF!")),
        ("XLOOKUP(1,#REF!,#REF!)", E("#REF!")),
        ("XLOOKUP(1,A1:A2,#REF!)", E("#REF!")),
        ("XLOOKUP(1,A1:A2,A1:A2)", 1.0),
    ],
)
def test_lookup_errors_and_order(formula: str, expected: Any) -> None:
    assert one(formula, A1=1.0, A2=2.0) == expected
