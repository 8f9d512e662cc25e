"""The everyday Excel function families real workbooks use (issue 14): math and
rounding, text, dates and working days, logic and information, lookup and
dynamic arrays, aggregation, financial basics, the TEXT format language,
volatile functions, 3-D references, LET and relative names.

Expected values are Excel's documented examples (support.microsoft.com's page
of each function) or, where cited as ``file!cell``, the value Excel cached in
that workbook of the external ``excel-corpus/``; every workbook here is our own.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from formula_helpers import Cells, E, approx, calc, one, sheet

from addin.refresh.engine import calculate
from addin.refresh.functions import volatile
from addin.refresh.functions.numfmt import format_value
from addin.xlsx.a1 import to_a1
from addin.xlsx.model import (
    DefinedName,
    Formula,
    Sheet,
    UnsupportedFormulaError,
    Workbook,
)
from udfs.errors import ExcelError

# ------------------------------------------------------------ math and rounding


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("TRUNC(8.9)", 8.0),
        ("TRUNC(-8.9)", -8.0),
        ("TRUNC(-3.789,1)", -3.7),
        ("MROUND(10,3)", 9.0),
        ("MROUND(-10,-3)", -9.0),
        ("MROUND(1.3,0.2)", 1.4),
        ("MROUND(5,-2)", E("#NUM!")),
        ("FLOOR(3.7,2)", 2.0),
        ("FLOOR(-2.5,-2)", -2.0),
        ("FLOOR(2.5,-2)", E("#NUM!")),
        ("FLOOR(0.3,0.1)", 0.3),
        ("CEILING(2.5,1)", 3.0),
        ("CEILING(-2.5,2)", -2.0),
        ("CEILING(-2.5,-2)", -4.0),
        ("CEILING(1.5,0.1)", 1.5),
        ("FLOOR.MATH(-5.5,2,-1)", -4.0),
        ("FLOOR.MATH(-8.1,2)", -10.0),
        ("CEILING.MATH(-5.5,2,-1)", -6.0),
        ("CEILING.MATH(24.3,5)", 25.0),
        ("CEILING.PRECISE(-4.6,-2)", -4.0),
        ("FLOOR.PRECISE(-3.2,-1)", -4.0),
        ("PRODUCT(5,15,30)", 2250.0),
        ("SQRT(16)", 4.0),
        ("SQRT(-16)", E("#NUM!")),
        ("POWER(5,2)", 25.0),
        ("SIGN(-0.00001)", -1.0),
        ("LOG(86,2.7182818)", pytest.approx(4.454347, rel=1e-6)),
        ("LOG10(1E5)", 5.0),
        ("LN(0)", E("#NUM!")),
        ("EXP(1)", approx(2.718281828459045)),
        ("QUOTIENT(-10,3)", -3.0),
        ("GCD(24,36)", 12.0),
        ("LCM(24,36)", 72.0),
        ("SUMSQ(3,4)", 25.0),
        ("DEGREES(PI())", 180.0),
        ("SIN(PI()/2)", 1.0),
        ("ATAN2(1,1)", approx(0.785398163)),
        ("ATAN2(0,0)", E("#DIV/0!")),
        ("ASIN(2)", E("#NUM!")),
        ("EVEN(-1)", -2.0),
        ("ODD(2)", 3.0),
        ("FACT(5)", 120.0),
        ("COMBIN(8,2)", 28.0),
    ],
)
def test_math_and_rounding(formula: str, expected: Any) -> None:
    """Excel's documented examples of the math and rounding functions."""
    assert one(formula) == expected


# ------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('RIGHT("a string",10)', "a string"),  # was "ng": a count beyond the text
        ('FIND("M","Miriam McGovern")', 1.0),
        ('FIND("m","Miriam McGovern")', 6.0),
        ('FIND("M","Miriam McGovern",3)', 8.0),
        ('FIND("z","abc")', E("#VALUE!")),
        ('SEARCH("e","Statements",6)', 7.0),
        ('SEARCH("m?g","Miriam McGovern")', 8.0),
        ('SEARCH("~?","a?b")', 2.0),
        ('SUBSTITUTE("Quarter 1, 2011","1","2",3)', "Quarter 1, 2012"),
        ('SUBSTITUTE("Sales Data","Sales","Cost")', "Cost Data"),
        ('REPLACE("abcdefghijk",6,5,"*")', "abcde*k"),
        ('UPPER("total")', "TOTAL"),
        ('LOWER("E. E. Cummings")', "e. e. cummings"),
        ('PROPER("this is a TITLE")', "This Is A Title"),
        ('PROPER("2-way street")', "2-Way Street"),
        ('TRIM(" First Quarter   Earnings ")', "First Quarter Earnings"),
        ('CLEAN(CHAR(9)&"Monthly report"&CHAR(10))', "Monthly report"),
        ('VALUE("$1,000")', 1000.0),
        ('VALUE("16:48:00")-VALUE("12:00:00")', approx(0.2)),
        ('VALUE("abc")', E("#VALUE!")),
        ('NUMBERVALUE("2.500,27",",",".")', 2500.27),
        ('NUMBERVALUE("3.5%")', 0.035),
        ("CHAR(65)", "A"),
        ("CHAR(128)", "€"),
        ('CODE("A")', 65.0),
        ("UNICHAR(66)", "B"),
        ('UNICODE("€")', 8364.0),
        ('REPT("*-",3)', "*-*-*-"),
        ('EXACT("Word","word")', False),
        ("FIXED(1234.567,1)", "1,234.6"),
        ("FIXED(1234.567,-1)", "1,230"),
        ("FIXED(-1234.567,-1,TRUE)", "-1230"),
        ("DOLLAR(-1234.567,2)", "($1,234.57)"),
        ('T("Rainfall")', "Rainfall"),
        ("T(19)", ""),
        ('TEXTBEFORE("Red riding hood\'s, red hood","hood")', "Red riding "),
        ('TEXTBEFORE("Red riding hood\'s, red hood","red",1,1)', ""),
        ('TEXTAFTER("Red riding hood\'s, red hood","hood",-1)', ""),
        ('TEXTAFTER("Red riding hood\'s, red hood","Red",2,1)', " hood"),
        ('TEXTAFTER("abc","x")', E("#N/A")),
    ],
)
def test_text_functions(formula: str, expected: Any) -> None:
    """Excel's documented examples of the text functions (and RIGHT's fix)."""
    assert one(formula) == expected


# -------------------------------------------------------------- dates and times


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("TIME(12,0,0)", 0.5),
        ("TIME(16,48,10)", approx(0.700115741)),
        ("TIME(27,0,0)", 0.125),
        ("TIME(-1,0,0)", E("#NUM!")),
        ('TIMEVALUE("2:24 AM")', 0.1),
        ("TIMEVALUE(0.5)", E("#VALUE!")),  # a number is not a time text
        ('DATEVALUE("2008-08-22")', 39682.0),
        ("HOUR(0.75)", 18.0),
        ("MINUTE(TIME(12,45,0))", 45.0),
        ("SECOND(TIME(4,48,18))", 18.0),
        ("WEEKDAY(DATE(2008,2,14))", 5.0),  # a Thursday
        ("WEEKDAY(DATE(2008,2,14),2)", 4.0),
        ("WEEKDAY(DATE(2008,2,14),3)", 3.0),
        ("WEEKDAY(DATE(2008,2,14),16)", 6.0),
        ("WEEKDAY(DATE(2008,2,14),9)", E("#NUM!")),
        ("WEEKNUM(DATE(2012,3,9))", 10.0),
        ("WEEKNUM(DATE(2012,3,9),2)", 11.0),
        ("ISOWEEKNUM(40613)", 10.0),  # 2012-03-09
        ("DAYS(DATE(2021,3,15),DATE(2021,2,1))", 42.0),
        ("DAYS360(DATE(2011,1,30),DATE(2011,12,31))", 330.0),
        ('DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")', 2.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")', 440.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")', 75.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"MD")', 14.0),
        ('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YM")', 2.0),
        ('DATEDIF(DATE(2003,1,1),DATE(2001,1,1),"Y")', E("#NUM!")),
        ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30))", pytest.approx(0.58055556, rel=1e-7)),
        ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),1)", pytest.approx(0.57650273, rel=1e-7)),
        ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),3)", pytest.approx(0.57808219, rel=1e-7)),
        ("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1))", 110.0),
        ("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1),DATE(2012,11,22))", 109.0),
        ("NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31))", 22.0),
        ('NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),7,{"2006/1/2","2006/1/16"})', 22.0),
        ("NETWORKDAYS.INTL(DATE(2006,2,28),DATE(2006,1,31))", -21.0),
        ('NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"0010001")', 22.0),
        ("WORKDAY(DATE(2008,10,1),151)", 39933.0),  # 2009-04-30
        ("WORKDAY.INTL(DATE(2012,1,1),30,0)", E("#NUM!")),
        ("WORKDAY.INTL(DATE(2012,1,1),90,11)", 41013.0),  # 2012-04-14
        ('WORKDAY.INTL(DATE(2012,1,1),30,17)', 40944.0),  # 2012-02-05
    ],
)
def test_dates_and_working_days(formula: str, expected: Any) -> None:
    """Excel's documented examples of the date, time and working-day functions."""
    assert one(formula) == expected


def test_today_and_rand_follow_the_refresh_settings() -> None:
    """TODAY()/NOW() stand on the configured day and RAND() repeats under one seed."""
    try:
        volatile.configure(datetime.date(2026, 3, 1), 7)
        first = calc({"A1": "=TODAY()", "A2": "=NOW()-TODAY()", "A3": "=RAND()"})
        volatile.configure(datetime.date(2026, 3, 1), 7)
        again = calc({"A3": "=RAND()", "A4": "=RANDBETWEEN(1,6)"})
    finally:
        volatile.configure()
    assert first["A1"] == 46082.0  # 2026-03-01
    assert 0 <= first["A2"] < 1
    assert first["A3"] == again["A3"]
    assert again["A4"] in {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}


# -------------------------------------------------------- logic and information


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('SWITCH(2,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "Monday"),
        ('SWITCH(99,1,"Sunday",2,"Monday")', E("#N/A")),
        ('SWITCH("1",1,"number","text")', "text"),
        ("XOR(3>0,2<9)", False),
        ("XOR(3>12,4>6,TRUE)", True),
        ("ISEVEN(-1)", False),
        ("ISEVEN(2.5)", True),
        ("ISODD(5)", True),
        ("ISLOGICAL(TRUE)", True),
        ('ISNONTEXT("x")', False),
        ("ISERR(NA())", False),
        ("ISERR(1/0)", True),
        ("ISREF(A1)", True),
        ("ISREF(1)", False),
        ("N(TRUE)", 1.0),
        ('N("7")', 0.0),
        ('TYPE("Smith")', 2.0),
        ("TYPE({1,2})", 64.0),
        ("ERROR.TYPE(1/0)", 2.0),
        ("ERROR.TYPE(1)", E("#N/A")),
        ('AND("1",1)', True),  # corpus: direct text that is no logical is skipped
    ],
)
def test_logic_and_information(formula: str, expected: Any) -> None:
    """Excel's documented examples of the logical and information functions."""
    assert one(formula) == expected


def test_formulatext_and_isformula() -> None:
    """FORMULATEXT shows the formula without storage prefixes; a constant is #N/A."""
    got = calc(
        {
            "A1": "=_xlfn.CONCAT(B1,1)",
            "B1": 3,
            "C1": "=_xlfn.FORMULATEXT(A1)",
            "C2": "=_xlfn.FORMULATEXT(B1)",
            "C3": "=_xlfn.ISFORMULA(A1)",
            "C4": "=_xlfn.ISFORMULA(B1)",
        }
    )
    assert got["C1"] == "=CONCAT(B1,1)"
    assert got["C2"] == E("#N/A")
    assert (got["C3"], got["C4"]) == (True, False)


# ------------------------------------------------------ lookup and dynamic arrays


def test_lookup_vector_and_array_forms() -> None:
    """LOOKUP: approximate match in a sorted vector; the array form returns the last column."""
    cells = {"A1": 4.14, "A2": 4.19, "A3": 5.17, "A4": 5.77, "A5": 6.39,
             "B1": "red", "B2": "orange", "B3": "yellow", "B4": "green", "B5": "blue"}  # fmt: skip
    assert one("LOOKUP(4.19,A1:A5,B1:B5)", **cells) == "orange"
    assert one("LOOKUP(5.75,A1:A5,B1:B5)", **cells) == "yellow"
    assert one("LOOKUP(7.66,A1:A5,B1:B5)", **cells) == "blue"
    assert one("LOOKUP(0,A1:A5,B1:B5)", **cells) == E("#N/A")
    assert one('LOOKUP("C",{"a","b","c","d";1,2,3,4})') == 3.0
    assert one('LOOKUP("bump",{"a",1;"b",2;"c",3})') == 2.0


def test_offset_and_indirect_read_cells_computed_later() -> None:
    """OFFSET/INDIRECT find their precedents when evaluated: a formula reading a
    formula cell through them still sees its final value."""
    got = calc(
        {
            "A1": "=SUM(OFFSET(B1,1,0,2,1))",
            "A2": '=INDIRECT("B"&3)*2',
            "A3": '=SUM(INDIRECT("R2C2:R3C2",FALSE))',
            "A4": '=INDIRECT("T!A1")',
            "A5": "=ROWS(OFFSET(B1,0,0,-3,1))",
            "A6": "=OFFSET(B1,-1,0)",
            "B1": 1,
            "B2": "=B3*10",
            "B3": "=C1+1",
            "C1": "=4",
        },
        others={"T": {"A1": "=7*6"}},
    )
    assert got["A1"] == 55.0
    assert got["A2"] == 10.0
    assert got["A3"] == 55.0
    assert got["A4"] == 42.0
    assert got["A6"] == E("#REF!")


def test_dynamic_array_functions_spill() -> None:
    """SEQUENCE, SORT, SORTBY, FILTER, UNIQUE, TAKE, DROP, CHOOSEROWS/COLS, VSTACK,
    HSTACK, TRANSPOSE spill their documented results; C2# reads a spill."""

    def d(text: str) -> Formula:
        return Formula(text, "dynamic")

    got = calc(
        {
            "A1": 3, "A2": 1, "A3": 2, "B1": "c", "B2": "a", "B3": "b",
            "D1": d("SORT(A1:B3)"),
            "G1": d("FILTER(B1:B3,A1:A3>1)"),
            "G5": d('FILTER(B1:B3,A1:A3>5,"none")'),
            "H1": d("SEQUENCE(2,3,10,5)"),
            "L1": d('UNIQUE({1;2;1;"a";"A"})'),
            "M1": d("SORTBY(B1:B3,A1:A3,-1)"),
            "N1": d("VSTACK(A1:A2,B1:B3)"),
            "O1": d("TAKE(A1:B3,-1)"),
            "Q1": d("TRANSPOSE(A1:A3)"),
            "Q3": d("DROP(A1:B3,2,1)"),
            "Q5": d("CHOOSECOLS(A1:B3,-1)"),
            "R5": d("CHOOSEROWS(A1:B3,2)"),
            "U1": d("HSTACK(A1,B1:B2)"),
            "Z1": "=SUM(H1#)",
            "Z2": d("FILTER(A1:A3,A1:A3>9)"),
        }
    )  # fmt: skip
    assert [got[c] for c in ("D1", "E1", "D2", "E2", "D3", "E3")] == [1.0, "a", 2.0, "b", 3.0, "c"]
    assert (got["G1"], got["G2"], got["G5"]) == ("c", "b", "none")
    assert [got[c] for c in ("H1", "I1", "J1", "H2", "J2")] == [10.0, 15.0, 20.0, 25.0, 35.0]
    assert [got[c] for c in ("L1", "L2", "L3")] == [1.0, 2.0, "a"]
    assert [got[c] for c in ("M1", "M2", "M3")] == ["c", "b", "a"]
    assert [got[f"N{i}"] for i in range(1, 6)] == [3.0, 1.0, "c", "a", "b"]
    assert (got["O1"], got["P1"]) == (2.0, "b")
    assert [got[c] for c in ("Q1", "R1", "S1")] == [3.0, 1.0, 2.0]
    assert got["Q3"] == "b"
    assert [got[c] for c in ("Q5", "Q6", "Q7")] == ["c", "a", "b"]
    assert (got["R5"], got["S5"]) == (1.0, "a")
    assert (got["U1"], got["V1"], got["U2"], got["V2"]) == (3.0, "c", E("#N/A"), "a")
    assert got["Z1"] == 135.0
    assert got["Z2"] == E("#CALC!")


def test_mmult() -> None:
    """MMULT multiplies matrices; text inside is #VALUE!."""
    assert one("SUM(MMULT({1,3;7,2},{2,0;0,2}))") == 26.0
    assert one('SUM(MMULT({1,"a"},{1;2}))') == E("#VALUE!")


def test_let_binds_names_in_order() -> None:
    """LET evaluates each value once, later values and the calculation see earlier names."""
    got = calc(
        {
            "A1": 2,
            "A2": 5,
            "B1": "=_xlfn.LET(_xlpm.x,A1*2,_xlpm.y,_xlpm.x+1,_xlpm.x*_xlpm.y)",
            "B2": "=_xlfn.LET(_xlpm.x,A2*2,_xlpm.y,_xlpm.x+1,_xlpm.x*_xlpm.y)",
            "B3": "=_xlfn.LET(_xlpm.x,1,_xlpm.x+1,2)",
        }
    )
    assert (got["B1"], got["B2"]) == (20.0, 110.0)
    assert got["B3"] == E("#VALUE!")


def test_lambda_is_refused_loudly() -> None:
    """A LAMBDA is not computed: the cell is named as unsupported, never a silent value."""
    with pytest.raises(UnsupportedFormulaError) as info:
        calc({"A1": "=_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1)(2)"})
    assert "S!A1" in str(info.value.cells[0][0])


# ----------------------------------------------- 3-D references and relative names


def test_three_d_reference_sums_across_sheets() -> None:
    """``SUM(S:U!A1)`` adds A1 of S, T and U (workbook order), not #NAME?."""
    got = calc(
        {"A1": 1, "B1": "=SUM(S:U!A1)", "B2": "=COUNT(S:U!A1:A2)", "B3": "=MAX(T:U!A1)"},
        others={"T": {"A1": "=10*2"}, "U": {"A1": 300, "A2": 4}},
    )
    assert (got["B1"], got["B2"], got["B3"]) == (321.0, 4.0, 300.0)


def test_three_d_reference_filled_down_moves_with_its_row() -> None:
    """A 3-D reference filled down, quoted (``'T:U'!A1:A2``) or not, moves with
    each row of the block, as evaluated cell by cell (the quoted form was once
    read for the block's first row only)."""
    cells: Cells = {}
    for r in range(1, 5):
        cells[f"B{r}"] = f"=SUM('T:U'!A{r}:A{r + 1})"
        cells[f"C{r}"] = f"=SUM(T:U!A{r})"
    others: dict[str, Cells] = {
        "T": {f"A{r}": r for r in range(1, 6)},
        "U": {f"A{r}": 10 * r for r in range(1, 6)},
    }
    got = calc(cells, others=others)
    assert [got[f"B{r}"] for r in range(1, 5)] == [33.0, 55.0, 77.0, 99.0]
    assert [got[f"C{r}"] for r in range(1, 5)] == [11.0, 22.0, 33.0, 44.0]


def test_three_d_reference_to_a_missing_sheet_is_ref() -> None:
    """A 3-D reference naming a sheet the workbook lacks is #REF!, never #NAME?."""
    assert one("SUM(S:Q!A1)") == E("#REF!")


def test_xlookup_on_whole_columns() -> None:
    """XLOOKUP over whole columns whose used parts differ in height; binary search;
    a blank lookup value with if_not_found."""
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": "a", "B2": "b", "B3": "c", "B4": "d"}
    assert one("XLOOKUP(2,A:A,B:B)", **cells) == "b"
    assert one("XLOOKUP(2.5,A1:A3,B1:B3,,-1,2)", **cells) == "b"
    assert one("XLOOKUP(2.5,A1:A3,B1:B3,,1,2)", **cells) == "c"
    assert one('XLOOKUP(,A1:A3,B1:B3,"none")', **cells) == "none"


def test_structured_references_with_odd_column_names() -> None:
    """Table columns with a trailing space, ``#`` (escaped ``'#``) or brackets, the
    totals row, and SUBTOTAL in the totals row reading its own column."""
    from addin.xlsx.model import Table

    t = Table("T", "S", (1, 1), (4, 4), ("Sales ", "Amount", "#Qty", "Price (USD)"), 1, 1)
    got = calc(
        {"A1": "Sales ", "B1": "Amount", "C1": "#Qty", "D1": "Price (USD)",
         "A2": 1, "B2": 10, "C2": 5, "D2": 7, "A3": 2, "B3": 20, "C3": 6, "D3": 8,
         "A4": "=SUBTOTAL(109,T[Sales ])", "B4": "=SUM(T[Amount])",
         "F1": "=SUM(T[Sales ])", "F2": "=T[[#Totals],[Amount]]", "F3": "=SUM(T['#Qty])",
         "F4": "=SUM(T[[Sales ]:[Amount]])", "F5": "=SUM(T[Price (USD)])"},
        tables=[t],
    )  # fmt: skip
    assert (got["A4"], got["F1"], got["F2"], got["F3"], got["F4"], got["F5"]) == (
        3.0, 3.0, 30.0, 11.0, 33.0, 15.0,
    )  # fmt: skip


def test_relative_defined_name_follows_the_row() -> None:
    """A name ``=S!$A1`` (stored as seen from A1) reads the using cell's row."""
    got = calc(
        {"A1": 1, "A2": 2, "A3": "=A2*10", "B1": "=nm*10", "B2": "=nm*10", "B3": "=nm+1"},
        names=[DefinedName("nm", "S!$A1")],
    )
    assert (got["B1"], got["B2"], got["B3"]) == (10.0, 20.0, 21.0)


# ------------------------------------------------------------------ aggregation


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("AVERAGEA(A1:A4)", 2.25),  # 3, TRUE=1, "x"=0, 5
        ("MAXA(A1:A4)", 5.0),
        ("MINA(A1:A4)", 0.0),
        ("MEDIAN(1,2,3,4,5,6)", 3.5),
        ("MODE.SNGL(5.6,4,4,3,2,4)", 4.0),
        ("MODE(1,2,3)", E("#N/A")),
        ("STDEV.S(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", approx(27.46391572)),
        ("STDEV.P(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", pytest.approx(26.05455814, rel=1e-9)),
        ("VAR.S(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", approx(754.2666667)),
        ("VAR.P(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", approx(678.84)),
        ("PERCENTILE.INC({1,3,2,4},0.3)", approx(1.9)),
        ("QUARTILE.INC({1,2,4,7,8,9,10,12},1)", 3.5),
        ("PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},2)", 0.333),
        ("PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},8)", 0.666),
        ("AGGREGATE(4,6,{1,2,3})", 3.0),
        ("AGGREGATE(14,6,{1,5,3},2)", 3.0),
    ],
)
def test_aggregation(formula: str, expected: Any) -> None:
    """Excel's documented examples of the statistics functions."""
    assert one(formula, A1=3, A2=True, A3="x", A4=5) == expected


def test_countif_counts_blank_rows_of_whole_columns() -> None:
    """COUNTIF(A:A,"<>x") counts every row of the column (Excel 1,048,575 for one
    "x"), not only the used ones; a criterion refusing blanks adds nothing."""
    got = calc(
        {
            "A1": "x",
            "A2": 5,
            "B1": '=COUNTIF(A:A,"<>x")',
            "B2": '=COUNTIFS(A:A,"<>x",C:C,"")',
            "B3": '=COUNTIF(A:A,">1")',
            "B4": '=COUNTIF(A:A,"")',
        }
    )
    assert got["B1"] == 1048575.0
    assert got["B2"] == 1048575.0
    assert got["B3"] == 1.0
    assert got["B4"] == 1048574.0


def test_subtotal_skips_nested_subtotals_and_hidden_rows() -> None:
    """SUBTOTAL skips SUBTOTAL cells in its range and rows an AutoFilter hid;
    109 also skips rows hidden by hand; AGGREGATE's options choose the same."""
    s = sheet(
        "S",
        {
            "A1": 1,
            "A2": 2,
            "A3": "=SUBTOTAL(9,A1:A2)",
            "A4": 10,
            "A5": 100,
            "B1": "=SUBTOTAL(9,A1:A5)",
            "B2": "=SUBTOTAL(109,A1:A5)",
            "B3": "=_xlfn.AGGREGATE(9,5,A1:A5)",
            "B4": "=_xlfn.AGGREGATE(9,4,A1:A5)",
        },
    )
    s.hidden_rows = frozenset({4, 5})
    s.filtered_rows = frozenset({5})
    res = calculate(Workbook([s]))
    got = {to_a1(*c): v for c, v in res.values["S"].items()}
    assert got["B1"] == 13.0  # A1 + A2 + A4 (A5 filtered out, A3 nested)
    assert got["B2"] == 3.0
    assert got["B3"] == 6.0  # option 5: hidden rows skipped, the nested SUBTOTAL kept
    assert got["B4"] == 116.0


@pytest.mark.parametrize(
    ("auto_filter", "filtered"),
    [
        ('<autoFilter ref="A1:A5"><filterColumn colId="0"><filters><filter val="1"/></filters>'
         "</filterColumn></autoFilter>", {2}),
        ('<autoFilter ref="A1:A5"/>', set()),  # filter buttons filtering nothing: hidden by hand
    ],
)  # fmt: skip
def test_reader_records_hidden_and_filtered_rows(
    tmp_path: Any, auto_filter: str, filtered: set[int]
) -> None:
    """The package reader keeps ``<row hidden="1">`` and, when the AutoFilter
    filters a column, which of them are in its range (filtered out)."""
    import zipfile

    from addin.xlsx.workbook import read_workbook

    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="2" hidden="1"><c r="A2"><v>2</v></c></row>'
        '<row r="7" hidden="1"><c r="A7"><v>7</v></c></row></sheetData>'
        f"{auto_filter}</worksheet>"
    )
    path = tmp_path / "h.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxml'
            'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
            'workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    wb = read_workbook(path)
    assert wb.sheets[0].hidden_rows == frozenset({2, 7})
    assert wb.sheets[0].filtered_rows == frozenset(filtered)


# -------------------------------------------------------------------- financial


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("PMT(0.08/12,10,10000)", approx(-1037.0320893591636)),
        ("PMT(0.06/12,18*12,0,50000)", approx(-129.0811608679973)),
        ("PV(0.08/12,12*20,500,,0)", approx(-59777.14585118777)),
        ("FV(0.06/12,10,-200,-500,1)", approx(2581.4033740601362)),
        ("FV(0.12/12,12,-1000)", approx(12682.503013196976)),
        ("NPER(0.12/12,-100,-1000,10000,1)", approx(59.67386567429457)),
        ("RATE(4*12,-200,8000)", approx(0.007701472488201555)),
        ("IPMT(0.1/12,1,3*12,8000)", approx(-66.66666666666667)),
        ("PPMT(0.1/12,1,2*12,2000)", approx(-75.62318600836664)),
        ("NPV(0.1,-10000,3000,4200,6800)", approx(1188.4434123352207)),
        ("IRR({-70000,12000,15000,18000,21000,26000})", approx(0.08663094803653162)),
        ("IRR({-70000,12000,15000,18000,21000},-0.1)", approx(-0.021244848273410185)),
        (
            "XNPV(0.09,{-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904})",
            approx(2086.647602031535),
        ),
        (
            "XIRR({-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904},0.1)",
            pytest.approx(0.373362535, rel=1e-8),
        ),
        ("IRR({1,2,3})", E("#NUM!")),
    ],
)
def test_financial(formula: str, expected: Any) -> None:
    """Excel's documented examples of the financial functions."""
    assert one(formula) == expected


# --------------------------------------------------------- the TEXT format language


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234.567, "#,##0.00", "1,234.57"),
        (-1234.567, "#,##0.00_);(#,##0.00)", "(1,234.57)"),
        (1234.567, "#,##0.00_);(#,##0.00)", "1,234.57 "),  # _) pads one space
        (1, '"$"#,##0_);[Red]("$"#,##0)', "$1 "),
        (-1, '"$"#,##0_);[Red]("$"#,##0)', "($1)"),
        (1234567890, '#,##0,,"M"', "1,235M"),  # thousands scaling
        (1e6, "#,##0.00,", "1,000.00"),
        (0.256, "0.0%", "25.6%"),
        (12345, "0.00E+00", "1.23E+04"),
        (0.000123, "0.00E+00", "1.23E-04"),
        (123456, "##0.0E+0", "123.5E+3"),
        (1.25, "# ?/?", "1 1/4"),
        (0.75, "?/?", "3/4"),
        (3, "# ?/?", "3    "),
        (45000.5, "yyyy-mm-dd hh:mm:ss", "2023-03-15 12:00:00"),
        (45000, "dddd, mmmm d, yy", "Wednesday, March 15, 23"),
        (45000, "mmmmm", "M"),
        (45000, "[$-409]mmm d", "Mar 15"),  # locale prefix read as en-US
        (1.5, "[h]:mm:ss", "36:00:00"),  # elapsed hours
        (0.5001, "hh:mm:ss.000", "12:00:08.640"),  # fractional seconds
        (0.5, "h:mm AM/PM", "12:00 PM"),
        (0.25, "mm:ss", "00:00"),
        (5, '[<10]"small";"big"', "small"),  # condition sections
        (50, '[<10]"small";"big"', "big"),
        ("x", ';;;"hi"', "hi"),  # a text-only section
        ("abc", '@ "x"', "abc x"),
        (3.1, "#.###", "3.1"),
        (1, "0.##", "1."),
        (-5, "[Red]0;[Blue]-0", "-5"),
        (0, '0;-0;"zero"', "zero"),
        (5551234, "000-0000", "555-1234"),
        (1234, "000000", "001234"),
        (1234.5, "[$€-407] #,##0.00", "€ 1,234.50"),
        (-0.001, "0.00", "0.00"),
        (-12.5, "$#,##0.00", "-$12.50"),
    ],
)
def test_text_format_language(value: Any, fmt: str, expected: str) -> None:
    """TEXT's format codes as Excel (en-US) shows them."""
    assert format_value(value, fmt) == expected


def test_text_function_uses_the_format_language() -> None:
    """TEXT() goes through the format language; numeric text is formatted as a number."""
    assert one('TEXT(1234.5,"#,##0.00")') == "1,234.50"
    assert one('TEXT("12","0.00")') == "12.00"
    assert one('TEXT("abc","0.00")') == "abc"


# --------------------------------------------------- the corpus's single-cell fixes


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("RANK(A1,(A1,A2,A3),1)", 2.0),  # poi 61063.xlsx!A4: a union as ref
        ("MATCH(0,{0,1,2,3,4},-1)", 1.0),  # pycel lookup.xlsx!G32: stops at the exact match
        ('TIMEVALUE("24:00")', 0.0),  # ironcalc DATE_TIME.xlsx!C5
        ('VALUE("23:99")', approx(24.65 / 24)),  # pycel text.xlsx: the last part runs on
        ('VALUE("24:99")', E("#VALUE!")),
        ('DATEVALUE("29-Feb-1900")', 60.0),  # ironcalc DATE_TIME.xlsx!C8
        ('DATEVALUE("June 9, 1969")', 25363.0),  # sheetjs formula_stress_test.xlsx!B3
        ("YEARFRAC(1/0,200,-1)", E("#NUM!")),  # pycel yearfrac.xlsx!P3: basis first
        ("YEARFRAC(1,200,TRUE)", E("#VALUE!")),  # pycel yearfrac.xlsx!K9
        ('VLOOKUP(1,"Nothing",1)', E("#VALUE!")),  # ironcalc HVLOOKUP.xlsx!N13
        ("PV(-1,20,300)", E("#DIV/0!")),  # ironcalc PV.xlsx!A14
        ("PMT(-1,1,-100)", E("#NUM!")),  # ironcalc PMT.xlsx!G24
        ("DDB(100,10.233,4.2312,3.2,1.5)", approx(13.532735530775124)),  # DB_DDB.xlsx!H13
        ("MIRR({-6,-1,-2},0.1,0.2)", -1.0),  # ironcalc MIRR.xlsx!F18
        ("CUMIPMT(0.01,36,8000,TRUE,10,0)", E("#VALUE!")),  # CUMPRINC_CUMIPMT.xlsx!G27
        ("XNPV(-0.4,{-400,100},{44958,44986})", E("#NUM!")),  # ironcalc XIRR.xlsx!Q13
        ("SUM(FREQUENCY(A1:A2/0,{1}))", E("#DIV/0!")),  # ironcalc FREQUENCY.xlsx!P1
        ('TEXT(TRUE,"#.###")', "TRUE"),  # pycel text.xlsx!L17
        ('TEXT(-1,"")', "-"),  # pycel text.xlsx TextNumbers!C13
        ('VALUETOTEXT("a",1)', '"a"'),
        ("ERF(0.745)", approx(0.70792892)),
        ("ERFC(1)", approx(0.157299207)),
        ('HEX2DEC("FFFFFFFF5B")', -165.0),
        ("DEC2BIN(9,8)", "00001001"),
        ("TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", approx(3.777777778)),
        ("SLN(30000,7500,10)", 2250.0),
        ("SYD(30000,7500,10,1)", approx(4090.909090909)),
        ("DB(1000000,100000,6,1,7)", approx(186083.3333333)),
        ("VDB(2400,300,10*12,6,18)", approx(396.3060532647509)),
        ("CUMPRINC(0.09/12,30*12,125000,13,24,0)", approx(-934.1071234208764)),
        ("MIRR({-120000,39000,30000,21000,37000,46000},0.1,0.12)", approx(0.1260941303659051)),
        ("PDURATION(0.025,2000,2200)", approx(3.859866162)),
        ("RRI(96,10000,11000)", pytest.approx(0.0009933, rel=1e-4)),
        ("FVSCHEDULE(1,{0.09,0.11,0.1})", approx(1.33089)),
        ("TBILLPRICE(DATE(2008,3,31),DATE(2008,6,1),0.09)", approx(98.45)),
        ("TBILLYIELD(DATE(2008,3,31),DATE(2008,6,1),98.45)", approx(0.09141696292534264)),
        ("TBILLEQ(DATE(2008,3,31),DATE(2008,6,1),0.0914)", approx(0.09415149356594302)),
        ("TBILLEQ(14640,15006,0.5)", approx(0.8522961312491701)),  # ironcalc TBILLs.xlsx!D6
        ("TBILLPRICE(1000,1366,0.5)", E("#NUM!")),  # TBILLs.xlsx!N8: past one year
        ("TBILLPRICE(45366,45731,TRUE)", E("#VALUE!")),  # TBILLs.xlsx!N17
        ("INDEX(ROW(A1:A3),2)", 2.0),  # pycel excelcompiler.xlsx!F2
        ("INDEX(COLUMN(A1:B1),1,2)", 2.0),  # pycel excelcompiler.xlsx!I2
    ],
)
def test_single_cell_fixes_and_more_functions(formula: str, expected: Any) -> None:
    """Cells the corpus showed wrong, and the functions added for it."""
    assert one(formula, A1=7, A2=3.5, A3=12) == expected


def test_countif_against_nothing_and_not_a_number() -> None:
    """``"<>"&23`` counts the text "23" as different (ironcalc COUNTIFS.xlsx!E2);
    ``"<="&""`` matches nothing (COUNTIFS.xlsx!M9)."""
    cells = {"A1": 23, "A2": "23", "A3": True, "A4": "", "A5": "hey"}
    assert one('COUNTIF(A1:A5,"<>"&23)', **cells) == 4.0
    assert one('COUNTIF(A1:A5,"<=")', **cells) == 0.0
    assert one('COUNTIF(A1:A5,">")', **cells) == 0.0


def test_database_functions() -> None:
    """DSUM & co.: criteria rows are alternatives, a row's cells all required; a
    condition under a blank heading matches nothing; no records is #VALUE!."""
    db = {"A1": "Tree", "B1": "Height", "C1": "Profit",
          "A2": "Apple", "B2": 18, "C2": 105, "A3": "Pear", "B3": 12, "C3": 96,
          "A4": "Cherry", "B4": 13, "C4": 105, "A5": "Apple", "B5": 14, "C5": 75,
          "A6": "Apple", "B6": 8, "C6": 45,
          "E1": "Tree", "F1": "Height", "E2": "Apple", "F2": ">10", "E3": "Pear",
          "G1": None, "G2": "Apple"}  # fmt: skip
    got = calc(
        {
            **db,
            "K1": '=DSUM(A1:C6,"Profit",E1:F3)',
            "K2": '=DCOUNT(A1:C6,"Height",E1:F2)',
            "K3": "=DMAX(A1:C6,3,E1:F2)",
            "K4": '=DGET(A1:C6,"Profit",E1:F2)',
            "K5": '=DAVERAGE(A1:C6,"Profit",E1:E2)',
            "K6": '=DSUM(A1:C6,"Profit",G1:G2)',
            "K7": '=DSUM(A1:C1,"Profit",E1:F2)',
        }
    )
    assert got["K1"] == 105 + 75 + 96
    assert got["K2"] == 2.0
    assert got["K3"] == 105.0
    assert got["K4"] == E("#NUM!")
    assert got["K5"] == 75.0
    assert got["K6"] == 0.0
    assert got["K7"] == E("#VALUE!")


def test_named_lambda_is_called() -> None:
    """A name holding a LAMBDA is called like a function (ironcalc yearly_calendar.xlsx)."""
    got = calc(
        {"A1": 3, "B1": "=add_tax(A1,0.5)", "B2": Formula("week()", "dynamic")},
        names=[
            DefinedName("add_tax", "_xlfn.LAMBDA(_xlpm.x,_xlpm.r,_xlpm.x*(1+_xlpm.r))"),
            DefinedName("week", '_xlfn.LAMBDA(LEFT(TEXT(2+_xlfn.SEQUENCE(1,7,0),"ddd")))'),
        ],
    )
    assert got["B1"] == 4.5
    assert [got[c] for c in ("B2", "C2", "D2", "H2")] == ["M", "T", "W", "S"]


def test_textsplit_expand_and_indirect_of_a_name() -> None:
    """TEXTSPLIT cuts into a grid padded with #N/A; EXPAND pads; INDIRECT reads a name."""
    got = calc(
        {
            "A1": Formula('TEXTSPLIT("a,b;c",",",";")', "dynamic"),
            "D1": Formula('EXPAND({1,2},2,3,"-")', "dynamic"),
            "G1": 100,
            "G2": "=INDIRECT(\"RATE_\"&\"USD\")",
        },
        names=[DefinedName("RATE_USD", "S!$G$1")],
    )
    assert [got[c] for c in ("A1", "B1", "A2", "B2")] == ["a", "b", "c", E("#N/A")]
    assert [got[c] for c in ("D1", "E1", "F1", "D2")] == [1.0, 2.0, "-", "-"]
    assert got["G2"] == 100.0


def test_spill_cells_holding_an_empty_formula_are_values(tmp_path: Any) -> None:
    """``<f ca="1"/>`` in the spill cells of a volatile dynamic array is no formula."""
    from addin.xlsx import worksheets

    rd = worksheets.SheetReader(Sheet("S"), [], frozenset(), False)
    worksheets._add_formula(rd, (2, 1), {"ca": "1"}, "", None)
    worksheets._add_formula(rd, (1, 1), {}, "RAND()", None)
    assert list(rd.sheet.formulas) == [(1, 1)]


@pytest.mark.usefixtures("both_languages")  # the check reads the English half of the note
def test_refresh_cli_today_and_seed(tmp_path: Any) -> None:
    """``jixiao refresh --today D --seed N`` fixes TODAY() and RAND(); --json records them."""
    import json

    import openpyxl
    from click.testing import CliRunner

    from addin.refresh.cli import refresh_command
    from addin.xlsx.workbook import read_workbook

    src = tmp_path / "v.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=TODAY()"
    ws["A2"] = "=RANDBETWEEN(1,1000000)"
    wb.save(src)
    outs = []
    for name in ("a.xlsx", "b.xlsx"):
        res = CliRunner().invoke(
            refresh_command,
            [str(src), "--out", str(tmp_path / name), "--today", "2026-03-01", "--seed", "5",
             "--json"],
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        summary = json.loads(res.output)
        assert summary["today"] == "2026-03-01"
        assert summary["seed"] == 5
        outs.append(read_workbook(tmp_path / name).sheets[0].values)
    volatile.configure()
    assert outs[0][(1, 1)] == 46082.0
    assert outs[0][(2, 1)] == outs[1][(2, 1)]
    res = CliRunner().invoke(
        refresh_command, [str(src), "--out", str(tmp_path / "c.xlsx"), "--lang", "en"]
    )
    assert f"TODAY() is {datetime.date.today().isoformat()}" in res.output


@pytest.mark.parametrize(
    "formula",
    [
        "DEVSQ(1E+300,0)",
        "VAR.S(2.5,1E+300)",
        "EXPAND(1,1E+300)",
        "SEQUENCE(1E+300)",
        "RANDARRAY(1E+300,2)",
        "WORKDAY(1E+300,1)",
        "WORKDAY(1,1E+300)",
        "DOLLAR(2.5,1E+300)",
        "XIRR(-0.5,,2.5)",
        "COMBIN(1E+300,45000)",
        "DB(1,0,1E+300,1E+300)",
        "VDB(1,0,1E+300,0,1E+300)",
        "CUMIPMT(0.1,1E+300,1,1,1E+300,0)",
    ],
)
def test_hostile_arguments_give_errors_not_crashes(formula: str) -> None:
    """Absurd sizes and ranges end in an Excel error value, never an exception or a hang."""
    assert isinstance(one(formula), ExcelError)


def test_huge_digit_counts_leave_the_number() -> None:
    """ROUND/TRUNC to more digits than a float holds change nothing; TEXT writes 1E+300 out."""
    assert one("TRUNC(2.5,1E+300)") == 2.5
    assert one("ROUND(2.5,-1E+300)") == 0.0
    assert one('TEXT(1E+300,"0")') == "1" + "0" * 300
