"""Math functions' edges (addin/refresh/functions/math.py; issue 24):
trigonometry past 2^27, SUBTOTAL's errors as arguments and filtered rows."""

from __future__ import annotations

import math
from typing import Any

import pytest
from formula_helpers import E, approx, calc, one

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


def nine(x: float) -> Any:
    """A result as Microsoft's examples print it, to nine decimals."""
    return pytest.approx(x, rel=1e-8)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's examples for each function
        ("FACTDOUBLE(6)", 48.0),
        ("FACTDOUBLE(7)", 105.0),
        ("FACTDOUBLE(-1)", E("#NUM!")),
        ("GAMMALN(4)", approx(math.log(6))),
        ("GAMMALN(0)", E("#NUM!")),
        ("GAMMA(2.5)", nine(1.329340388)),
        ("GAMMA(-3.75)", nine(0.267866129)),
        ("GAMMA(0)", E("#NUM!")),
        ("GAMMA(-2)", E("#NUM!")),
        ("MULTINOMIAL(2,3,4)", 1260.0),
        ("MULTINOMIAL(-1,2)", E("#NUM!")),
        ("PERMUT(100,3)", 970200.0),
        ("PERMUT(3,4)", E("#NUM!")),
        ("PERMUTATIONA(3,2)", 9.0),
        ("SERIESSUM(PI()/4,0,2,{1,-0.5,0.041666667,-0.001388889})", nine(0.707103215)),
        ("DELTA(5,4)", 0.0),
        ("DELTA(5,5)", 1.0),
        ("DELTA(0.5)", 0.0),
        ('DELTA("a",1)', E("#VALUE!")),
        ("GESTEP(5,4)", 1.0),
        ("GESTEP(-4,-5)", 1.0),
        ("GESTEP(-1)", 0.0),
        ("ROMAN(499,0)", "CDXCIX"),
        ("ROMAN(499,1)", "LDVLIV"),
        ("ROMAN(499,2)", "XDIX"),
        ("ROMAN(499,3)", "VDIV"),
        ("ROMAN(499,4)", "ID"),
        ("ROMAN(2013,0)", "MMXIII"),
        ("ROMAN(0)", ""),
        ("ROMAN(49,FALSE)", "IL"),  # FALSE is the simplified form 4 (LibreOffice: classic)
        ("ROMAN(4000)", E("#VALUE!")),
        ('ARABIC("LVII")', 57.0),
        ('ARABIC("mcmxii")', 1912.0),
        ('ARABIC("ABC")', E("#VALUE!")),
        ("BASE(7,2)", "111"),
        ("BASE(100,16)", "64"),
        ("BASE(15,2,10)", "0000001111"),
        ("BASE(-1,2)", E("#NUM!")),
        ('DECIMAL("FF",16)', 255.0),
        ('DECIMAL("zap",36)', 45745.0),
        ('DECIMAL("2",2)', E("#NUM!")),
        ("BIN2HEX(11111011,4)", "00FB"),
        ("BIN2HEX(1111111111)", "FFFFFFFFFF"),
        ("BIN2OCT(1001,3)", "011"),
        ('HEX2BIN("F",8)', "00001111"),
        ('HEX2BIN("FFFFFFFE00")', "1000000000"),
        ('HEX2OCT("3B4E")', "35516"),
        ('HEX2OCT("FFFFFFFF00")', "7777777400"),
        ("OCT2BIN(3,3)", "011"),
        ("OCT2BIN(7777777000)", "1000000000"),
        ("OCT2HEX(100,4)", "0040"),
        ("OCT2HEX(7777777533)", "FFFFFFFF5B"),
        ('HEX2BIN("200")', E("#NUM!")),  # 512 is past BIN's ten digits
        ("BITAND(13,25)", 9.0),
        ("BITOR(23,10)", 31.0),
        ("BITXOR(5,3)", 6.0),
        ("BITLSHIFT(4,2)", 16.0),
        ("BITRSHIFT(13,2)", 3.0),
        ("BITAND(1.5,1)", E("#NUM!")),
        ("SUMX2MY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", -55.0),
        ("SUMX2PY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 521.0),
        ("SUMXMY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 79.0),
        ("SUMXMY2({1,2},{1,2,3})", E("#N/A")),
        ("MDETERM({3,6,1;1,1,0;3,10,2})", approx(1.0)),
        ("MDETERM({1,3,8,5;1,3,6,1;1,1,1,0;7,3,10,2})", approx(88.0)),
        ("MDETERM({1,2,3})", E("#VALUE!")),
        ("INDEX(MINVERSE({4,-1;2,0}),2,2)", approx(2.0)),
        ("INDEX(MINVERSE({4,-1;2,0}),1,2)", approx(0.5)),
        ("MINVERSE({1,2;2,4})", E("#NUM!")),
        ("SUM(MUNIT(3))", 3.0),
        ("STANDARDIZE(42,40,1.5)", approx(4 / 3)),
        ("STANDARDIZE(42,40,0)", E("#NUM!")),
        ("FISHER(0.75)", nine(0.972955075)),
        ("FISHER(1)", E("#NUM!")),
        ("FISHERINV(0.972955075)", nine(0.75)),
        ("HARMEAN(4,5,8,7,11,4,3)", nine(5.028375962)),
        ("HARMEAN(4,0)", E("#NUM!")),
        ("SKEW(3,4,5,2,3,4,5,6,4,7)", nine(0.359543071)),
        ("KURT(3,4,5,2,3,4,5,6,4,7)", nine(-0.151799637)),
        ("KURT(1,2,3)", E("#DIV/0!")),
        ("EFFECT(0.0525,4)", nine(0.053542667)),
        ("NOMINAL(0.053543,4)", nine(0.05250032)),
        ("EFFECT(0,4)", E("#NUM!")),
        ("ISPMT(0.1/12,1,3*12,8000000)", nine(-64814.81481)),
        ("DOLLARDE(1.02,16)", approx(1.125)),
        ("DOLLARDE(1.1,32)", approx(1.3125)),
        ("DOLLARFR(1.125,16)", approx(1.02)),
        ("DOLLARFR(1.125,32)", approx(1.04)),
        ("DOLLARDE(1.02,0)", E("#DIV/0!")),
        ("DOLLARDE(1.02,-1)", E("#NUM!")),
    ],
)
def test_more_functions_by_microsofts_examples(formula: str, expected: Any) -> None:
    """The examples' results are printed to nine decimals (``nine``)."""
    assert one(formula) == expected
