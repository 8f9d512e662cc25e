"""Lookup functions' order of checks and errors as arguments
(addin/refresh/functions/look.py; issue 24)."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, calc, one

from addin.xlsx.model import Formula
from udfs.errors import ExcelError


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


def test_blank_lookup_value_finds_the_first_blank_cell() -> None:
    """XLOOKUP/XMATCH match a blank or omitted lookup value to a blank cell (on
    a whole column the row after the data): 0 from the return column, not
    if_not_found."""
    cells = {"A1": "a", "A2": "b", "B1": 1.0, "B2": 2.0, "D1": "x"}
    got = calc({**cells, "E1": '=XLOOKUP(C1,A:A,B:B,"none")', "E2": "=XMATCH(,A:A)",
                "E3": '=XLOOKUP(C1,A1:A2,B1:B2,"none")', "E4": "=XMATCH(C1,A:A,0,-1)"})  # fmt: skip
    assert got["E1"] == 0.0
    assert got["E2"] == 3.0
    assert got["E3"] == "none"
    assert got["E4"] > 3.0


#: The last-row idioms: the row of the last non-blank cell of a column (A3 here,
#: a blank in between, the column read whole or bounded), as Excel computes them
#: in a normal formula (LOOKUP's vectors are array parameters) and in an array
#: formula (MAX(IF(…))); tests/test_libreoffice_functions.py checks the same
#: formulas against LibreOffice.
LAST_ROW_IDIOMS = [
    ('LOOKUP(2,1/(A:A<>""),ROW(A:A))', 3.0),
    ('LOOKUP(2,1/(A1:A10<>""),ROW(A1:A10))', 3.0),
    ('INDEX(B:B,LOOKUP(2,1/(A:A<>""),ROW(A:A)))', 30.0),
    ('LOOKUP(2,1/(B:B<>""),B:B)', 40.0),
]
LAST_ROW_ARRAYS = [
    ('MAX(IF(A:A<>"",ROW(A:A)))', 3.0),
    ('MAX(IF($B:$B<>"",ROW($B:$B)))', 4.0),
    ('SUM(IF(A:A<>"",ROW(A:A)))', 4.0),
]
LAST_ROW_DATA: dict[str, Any] = {"A1": "k1", "A3": "k3", "B1": 10.0, "B2": 20.0, "B3": 30.0, "B4": 40.0}


@pytest.mark.parametrize(("formula", "expected"), LAST_ROW_IDIOMS)
def test_last_row_idiom_in_a_normal_formula(formula: str, expected: float) -> None:
    """LOOKUP reads its vectors as arrays in a normal formula (no Ctrl+Shift+Enter)."""
    assert calc({**LAST_ROW_DATA, "D1": "=" + formula})["D1"] == expected


@pytest.mark.parametrize(("formula", "expected"), LAST_ROW_ARRAYS)
def test_last_row_idiom_in_an_array_formula(formula: str, expected: float) -> None:
    """ROW(A:A) over a whole column lines up with A:A<>"" (both stop at the used extent)."""
    got = calc({**LAST_ROW_DATA, "D1": Formula(formula, "array", "D1")})
    assert got["D1"] == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # binary search steps over the empty rows below the data of a whole column
        ('XLOOKUP(20,C:C,B:B,"nf",0,-2)', 2.0),
        ('XLOOKUP(25,C:C,B:B,"nf",-1,-2)', 2.0),
        ('XLOOKUP(25,C:C,B:B,"nf",1,-2)', 1.0),
        ('XLOOKUP(2.5,B:B,C:C,"nf",1,2)', 10.0),
        ('XLOOKUP(9,B:B,C:C,"nf",1,2)', "nf"),  # nothing larger: not a blank row
        ('XLOOKUP(9,B:B,C:C,"nf",-1,2)', 10.0),
        ("XMATCH(3,B:B,0,2)", 3.0),
        ("XMATCH(2,D1:D9,0,2)", 5.0),  # a blank inside the data is stepped over too
    ],
)
def test_binary_search_skips_blanks(formula: str, expected: Any) -> None:
    """Agrees with LibreOffice, which steps over empty cells as Excel does."""
    cells = {"B1": 1.0, "B2": 2.0, "B3": 3.0, "C1": 30.0, "C2": 20.0, "C3": 10.0,
             "D1": 0.5, "D2": 1.0, "D4": 1.5, "D5": 2.0, "D6": 4.0, "D9": 7.0}  # fmt: skip
    assert calc({**cells, "Z1": "=" + formula})["Z1"] == expected


def test_lookup_result_must_be_one_row_or_column() -> None:
    """pycel lookup.xlsx!J30: a 2-D result_vector is #N/A even when the value is found."""
    cells = {"A1": 1.0, "A2": 2.0, "B1": "x", "B2": "y", "C1": "p", "C2": "q"}
    assert calc({**cells, "Z1": "=LOOKUP(2,A1:A2,B1:C2)"})["Z1"] == E("#N/A")
    assert calc({**cells, "Z1": "=LOOKUP(2,A1:A2,B1:B2)"})["Z1"] == "y"


@pytest.mark.parametrize(
    ("size", "expected"),
    [("1", 1.0), ("0.9", 1.0), ("0.3", 1.0), ("1.2", 1.0), ("2.5", 3.0), ("3.99", 6.0),
     ("0", E("#REF!"))],
)  # fmt: skip
def test_offset_extent_is_truncated_from_its_far_edge(size: str, expected: Any) -> None:
    """ironcalc ROW_COLUM.xlsx OFFSET!K45–K51: 3.99 wide is 3, 0.9 wide is 1."""
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "A4": 4.0}
    assert calc({**cells, "Z1": f"=SUM(OFFSET(A1,0,0,{size},1))"})["Z1"] == expected
    assert calc({**cells, "B1": 1.0, "Z1": f"=SUM(OFFSET(A1,0,1,1,{size}))"})["Z1"] == (
        1.0 if not isinstance(expected, ExcelError) else expected
    )


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("ADDRESS(2,3)", "$C$2"),  # Microsoft's ADDRESS examples
        ("ADDRESS(2,3,2)", "C$2"),
        ("ADDRESS(2,3,2,FALSE)", "R2C[3]"),
        ('ADDRESS(2,3,1,FALSE,"[Book1]Sheet1")', "'[Book1]Sheet1'!R2C3"),
        ('ADDRESS(2,3,1,FALSE,"EXCEL SHEET")', "'EXCEL SHEET'!R2C3"),
        ("ADDRESS(2,3,3)", "$C2"),
        ("ADDRESS(2,3,4,FALSE)", "R[2]C[3]"),
        ('ADDRESS(2,3,1,TRUE,"数据")', "数据!$C$2"),
        ('ADDRESS(2,3,1,TRUE,"2024")', "'2024'!$C$2"),
        ('ADDRESS(2,3,1,TRUE,"it\'s")', "'it''s'!$C$2"),
        ('ADDRESS(2,3,1,TRUE,"")', "$C$2"),
        ("ADDRESS(2.9,3.9)", "$C$2"),
        ("ADDRESS(1048576,16384)", "$XFD$1048576"),
        ("ADDRESS(1,703)", "$AAA$1"),
        ("ADDRESS(0,1)", E("#VALUE!")),
        ("ADDRESS(1,16385)", E("#VALUE!")),
        ("ADDRESS(1,1,5)", E("#VALUE!")),
        ("ADDRESS(1,1,1,)", "R1C1"),  # a1 written empty is FALSE
        ("ADDRESS(1,1,,TRUE)", E("#VALUE!")),  # abs_num written empty is 0
        ("ADDRESS(1/0,1)", E("#DIV/0!")),
        ("INDIRECT(ADDRESS(2,1))", 7.0),
    ],
)
def test_address(formula: str, expected: Any) -> None:
    assert one(formula, A2=7.0) == expected
