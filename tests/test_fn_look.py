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


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('XMATCH("^b.*2$",{"a1","b12","b22"},3)', 2.0),
        ('XMATCH("^b.*2$",{"a1","b12","b22"},3,-1)', 3.0),
        ('XMATCH("B",{"a1","b12"},3)', E("#N/A")),  # case-sensitive
        ('XMATCH("[",{"a"},3)', E("#VALUE!")),
        ('XMATCH("b",{"a","b"},3,2)', E("#VALUE!")),
        ('XLOOKUP("^x",{"ax","xy"},{1,2},,3)', 2.0),
        ('XMATCH("1$",{10,11},3)', 2.0),  # numbers as their text
    ],
)
def test_xmatch_regular_expressions(formula: str, expected: Any) -> None:
    """match_mode 3 (Excel 365's regular-expression match)."""
    assert one(formula) == expected


def test_own_book_name_reads_as_the_name() -> None:
    """``[0]!name`` is a name of this very workbook (sheetjs named_ranges_2011.xlsx)."""
    from addin.refresh.external_refs import quote_external

    assert quote_external("SUM([0]!col1_)", {}) == "SUM(col1_)"
