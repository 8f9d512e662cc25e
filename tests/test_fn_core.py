"""Excel's limits as Excel's answers, and no internal error from a function
(addin/refresh/functions/_core.py; issues 24 and 27).

- a text longer than 32,767 characters is #VALUE! whatever made it (``&``,
  SUBSTITUTE, REPT, CONCAT …), one character less is a text;
- a sum or mean past ±1E308 is #NUM! (Python's ``math.fsum`` raises
  OverflowError there), in every aggregation and down a filled block;
- a text reads as a number only in Excel's syntax: one sign, ASCII digits,
  thousands in threes (``--8``, ``1_000``, Arabic-Indic digits are not numbers);
- any other exception a function raises becomes an error value with its
  reason naming the function, and the refresh goes on.
"""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, calc, one

from addin.refresh.functions import FUNCTIONS, internal_error
from addin.refresh.functions._core import TEXT_LIMIT, text_to_number
from addin.xlsx.model import Formula

BIG = 1e308
LONG = "a" * TEXT_LIMIT


@pytest.mark.parametrize(
    "formula",
    [
        'A3&"x"',
        '"x"&A3',
        'SUBSTITUTE(A3,"a","aa")',
        "REPT(A3,2)",
        "CONCAT(A3,A3)",
        'CONCATENATE(A3,"b")',
        'TEXTJOIN(",",TRUE,A3,"b")',
        'REPLACE(A3,1,0,"b")',
        "UPPER(A3&A3)",
    ],
)
def test_text_past_the_limit_is_value(formula: str) -> None:
    """Excel's specification: 32,767 characters in a cell; a longer result is #VALUE!."""
    got = one(formula, A3=LONG)
    assert got == E("#VALUE!"), got
    assert "32767" in got.message


def test_text_at_the_limit_is_a_text() -> None:
    assert one('LEN(A3&"")', A3=LONG) == float(TEXT_LIMIT)
    assert one('LEN(LEFT(A3,32766)&"x")', A3=LONG) == float(TEXT_LIMIT)


@pytest.mark.parametrize(
    "formula",
    [
        "SUM(A1,A2)",
        "SUM(A1:A2)",
        "AVERAGE(A1:A2)",
        'SUMIF(A1:A2,">0")',
        'SUMIFS(A1:A2,A1:A2,">0")',
        'AVERAGEIF(A1:A2,">0")',
        "SUMPRODUCT(A1:A2)",
        "SUBTOTAL(9,A1:A2)",
        "SUBTOTAL(1,A1:A2)",
        "STDEV(A1:A2,-A1)",
        "VAR(A1:A2,-A1)",
        "SUMSQ(A1)",
        "A1*10",
        "A1+A2",
        "PRODUCT(A1,A2)",
    ],
)
def test_overflow_is_num(formula: str) -> None:
    """±1E308 overflow is #NUM! (Excel), never an internal error."""
    assert one(formula, A1=BIG, A2=BIG) == E("#NUM!")


def test_overflow_down_a_filled_block_is_num_per_row() -> None:
    """A filled-down block whose vectorised path overflows: each row answered."""
    cells: dict[str, Any] = {"A1": BIG, "A2": 1.0, "A3": BIG, "B1": BIG, "B2": 2.0, "B3": 1.0}
    for r in (1, 2, 3):
        cells[f"C{r}"] = Formula(f"SUM(A{r}:B{r})")
    got = calc(cells)
    assert got["C1"] == E("#NUM!")
    assert got["C2"] == 3.0
    assert got["C3"] == BIG + 1.0


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("8", 8.0),
        ("-8", -8.0),
        ("+8", 8.0),
        ("1,000", 1000.0),
        ("$-3", -3.0),
        ("-$3", -3.0),
        ("(5)", -5.0),
        ("50%", 0.5),
        (" 1e3 ", 1000.0),
        ("--8", None),
        ("+-8", None),
        ("1_000", None),
        ("١٢", None),
        ("inf", None),
        ("nan", None),
        ("1,00", None),
        ("1e999", None),
        ("¥", None),  # a currency sign alone (hypothesis found it raised IndexError)
        ("$", None),
        ("()", None),
        ("%", None),
        ("(¥)", None),
    ],
)
def test_text_to_number_reads_excel_syntax_only(text: str, number: float | None) -> None:
    assert text_to_number(text) == number


@pytest.mark.parametrize("formula", ['VALUE("--8")', '"--8"+1', 'EXP(--"--8")', 'SIGN("1_000")'])
def test_not_a_number_text_is_value(formula: str) -> None:
    """The doubly negated text of corpus B's EXP/SIGN sheet: #VALUE!, not exit 3."""
    assert one(formula) == E("#VALUE!")


def test_an_exception_inside_a_function_is_the_cell_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A function that raises (a bug, or Python arithmetic Excel answers) gives
    the cell an error value naming the function; the other cells are computed."""
    spec = FUNCTIONS["ABS"]

    def broken(x: Any) -> float:
        raise IndexError("list index out of range")

    monkeypatch.setitem(FUNCTIONS, "ABS", type(spec)(**{**spec.__dict__, "impl": broken}))
    got = calc({"A1": 1.0, "B1": "=ABS(A1)", "C1": "=A1+1"})
    assert got["B1"] == E("#VALUE!")
    assert "ABS" in got["B1"].message
    assert "IndexError" in got["B1"].message
    assert got["C1"] == 2.0


def test_internal_error_kinds() -> None:
    """Overflow #NUM!, division #DIV/0!, math domain #NUM!, anything else #VALUE!."""
    assert internal_error("F", OverflowError("x")) == E("#NUM!")
    assert internal_error("F", ZeroDivisionError("x")) == E("#DIV/0!")
    assert internal_error("F", ValueError("math domain error")) == E("#NUM!")
    assert internal_error("F", ValueError("could not convert")) == E("#VALUE!")
    assert internal_error("F", TypeError("x")) == E("#VALUE!")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Excel 2007's functions: an argument written empty is blank (0, FALSE, "")
        ("VLOOKUP(2,A1:A3,1,)", E("#N/A")),  # exact match, the common shorthand
        ("VLOOKUP(3,A1:A3,1,)", 3.0),
        ("MATCH(2,A1:A3,)", E("#N/A")),  # match type 0
        ("MATCH(5,A1:A3,)", 3.0),
        ("HLOOKUP(2,A1:A3,1,)", E("#N/A")),
        ("IF(TRUE,,3)", 0.0),
        ("COUNT(1,,2)", 3.0),
        ("COUNTA(1,,2)", 3.0),
        ("AVERAGE(1,,2)", 1.0),
        ("MAX(-1,,-2)", 0.0),
        ('LEFT("abc",)', ""),
        ('FIND("b","abc",)', E("#VALUE!")),
        ('SUBSTITUTE("aXbX","X","-",)', E("#VALUE!")),
        ("NPV(0.1,,1)", 1 / 1.21),
        # newer functions: the parameter's default, as if left out
        ("INDEX(SORT(A1:A3,,-1),1)", 5.0),
        ('XLOOKUP(9,A1:A3,A1:A3,"nf",,)', "nf"),
        ("SUM(SEQUENCE(3,,10))", 33.0),
    ],
)
def test_argument_written_empty(formula: str, expected: Any) -> None:
    """LibreOffice agrees on each of the Excel 2007 cases."""
    got = one(formula, A1=1.0, A2=3.0, A3=5.0)
    assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)
