"""The calculation engine (addin.refresh.engine) and its function library
(addin.refresh.functions): Excel semantics, blocks against per-cell evaluation,
spills, cycles, unsupported functions, names, tables and other sheets."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.refresh.engine import calculate
from addin.xlsx.excel_names import add_prefixes, stored_name
from addin.xlsx.model import (
    CircularReferenceError,
    DefinedName,
    Formula,
    Sheet,
    Table,
    UnsupportedFormulaError,
    Workbook,
)
from udfs.errors import ExcelError

Cells = dict[str, Any]


def _coord(a1: str) -> tuple[int, int]:
    from addin.xlsx.a1 import from_a1

    return from_a1(a1)


def book(cells: Cells, *, other: dict[str, Cells] | None = None, **kw: Any) -> Workbook:
    """A workbook from ``{"A1": value or "=formula"}`` (sheet ``S``, then ``other`` sheets)."""
    sheets = []
    for name, content in [("S", cells), *((other or {}).items())]:
        sh = Sheet(name)
        for a1, v in content.items():
            if isinstance(v, str) and v.startswith("="):
                # stored as Excel stores what one types: newer functions with _xlfn.
                sh.formulas[_coord(a1)] = Formula(add_prefixes(v[1:]))
            elif isinstance(v, Formula):
                sh.formulas[_coord(a1)] = Formula(add_prefixes(v.text), v.kind, v.ref)
            else:
                sh.values[_coord(a1)] = (
                    float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                )
        sheets.append(sh)
    return Workbook(sheets, **kw)


def calc(cells: Cells, **kw: Any) -> dict[str, Any]:
    """Values of the formula cells of sheet S by A1 address."""
    from addin.xlsx.a1 import to_a1

    res = calculate(book(cells, **kw))
    return {to_a1(*c): v for c, v in res.values.get("S", {}).items()}


def one(formula: str, **cells: Any) -> Any:
    """The value of ``formula`` in Z1 with the given cells."""
    return calc({**cells, "Z1": "=" + formula})["Z1"]


def err(code: str) -> ExcelError:
    return ExcelError(code)


# ------------------------------------------------------------- operators


def test_arithmetic_blank_and_numeric_text() -> None:
    """Blanks are 0, numeric text converts, other text is #VALUE!."""
    assert one("A1+2") == 2.0
    assert one('A1*"3"', A1=2) == 6.0
    assert one('"1,000"+1') == 1001.0
    assert one('"50%"*2') == 1.0
    assert one('"abc"+1') == err("#VALUE!")


def test_division_by_zero_and_error_propagation() -> None:
    """x/0 is #DIV/0!; the leftmost error wins."""
    assert one("1/0") == err("#DIV/0!")
    assert one("A1+B1", A1=err("#N/A"), B1=err("#REF!")) == err("#N/A")


def test_power_edge_cases() -> None:
    """0^0 is #NUM!, 0^-1 #DIV/0!, (-8)^(1/3) #NUM!, -2^2 = 4."""
    assert one("0^0") == err("#NUM!")
    assert one("0^-1") == err("#DIV/0!")
    assert one("(-8)^(1/3)") == err("#NUM!")
    assert one("-2^2") == 4.0


def test_floating_point_cancellation_is_zero() -> None:
    """0.1+0.2-0.3 is exactly 0 as Excel shows it, and 0.1+0.2=0.3 is TRUE."""
    assert one("0.1+0.2-0.3") == 0.0
    assert one("0.1+0.2=0.3") is True


def test_comparison_rules() -> None:
    """Text > numbers, booleans > text, text equality ignores case, blank = 0 = ""."""
    assert one('"a">99999') is True
    assert one('TRUE>"zzz"') is True
    assert one('"ABC"="abc"') is True
    assert one("A1=0") is True
    assert one('A1=""') is True
    assert one("A1=FALSE") is True


def test_concatenation_formats_numbers_like_excel() -> None:
    """& writes numbers in General format: 15 digits, no trailing zeros."""
    assert one('1/3&""') == "0.333333333333333"
    assert one('2.50&"元"') == "2.5元"
    assert one("TRUE&1") == "TRUE1"
    assert one('1E+20&""') == "1E+20"


# ------------------------------------------------------------- functions


def test_if_family() -> None:
    """IF with omitted branches, IFS, IFERROR, IFNA."""
    assert one("IF(FALSE,1)") is False
    assert one("IF(TRUE,,1)") == 0.0
    assert one('IF(A1>1,"big","small")', A1=2) == "big"
    assert one("IFS(A1>5,1,A1>1,2)", A1=3) == 2.0
    assert one("IFS(FALSE,1)") == err("#N/A")
    assert one("IFERROR(1/0,7)") == 7.0
    assert one("IFNA(1/0,7)") == err("#DIV/0!")
    assert one("IFNA(NA_CELL,7)".replace("NA_CELL", "A1"), A1=err("#N/A")) == 7.0


def test_and_or_not() -> None:
    """Text in ranges is ignored; nothing logical is #VALUE!."""
    assert one("AND(A1:A2)", A1=True, A2="x") is True
    assert one("OR(A1:A2)", A1=0, A2=0) is False
    assert one("AND(A1:A2)", A1="x") == err("#VALUE!")
    assert one("NOT(0)") is True


def test_sum_count_average_min_max() -> None:
    """Range values: text and booleans ignored; direct arguments coerced."""
    cells = {"A1": 1, "A2": "2", "A3": True, "A4": 4}
    assert one("SUM(A1:A4)", **cells) == 5.0
    assert one('SUM(A1:A4,"2",TRUE)', **cells) == 8.0
    assert one("COUNT(A1:A4)", **cells) == 2.0
    assert one("COUNTA(A1:A5)", **cells) == 4.0
    assert one("COUNTBLANK(A1:A6)", **cells) == 2.0
    assert one("AVERAGE(A1:A4)", **cells) == 2.5
    assert one("AVERAGE(A5:A6)") == err("#DIV/0!")
    assert one("MIN(A1:A4)", **cells) == 1.0
    assert one("MAX(A5:A6)") == 0.0
    assert one("SUM(A1:A2)", A1=1, A2=err("#NUM!")) == err("#NUM!")


def test_criteria_functions() -> None:
    """COUNTIF/SUMIF(S)/AVERAGEIF(S)/MINIFS/MAXIFS with operators and wildcards."""
    cells = {"A1": "苹果", "A2": "香蕉", "A3": "苹果派", "B1": 10, "B2": 20, "B3": 30}
    assert one('COUNTIF(A1:A3,"苹果*")', **cells) == 2.0
    assert one('SUMIF(A1:A3,"苹果",B1:B3)', **cells) == 10.0
    assert one('SUMIF(B1:B3,">15")', **cells) == 50.0
    assert one('SUMIFS(B1:B3,A1:A3,"<>香蕉",B1:B3,">=20")', **cells) == 30.0
    assert one('AVERAGEIF(A1:A3,"苹果*",B1:B3)', **cells) == 20.0
    assert one('AVERAGEIFS(B1:B3,A1:A3,"x")', **cells) == err("#DIV/0!")
    assert one('COUNTIFS(A1:A3,"?蕉",B1:B3,20)', **cells) == 1.0
    assert one('MAXIFS(B1:B3,A1:A3,"苹果*")', **cells) == 30.0
    assert one('MINIFS(B1:B3,A1:A3,"无")', **cells) == 0.0
    assert one('COUNTIF(A1:A4,"")', **cells) == 1.0


def test_sumproduct() -> None:
    """Non-numbers count as 0; arguments are evaluated as arrays; sizes must agree."""
    cells = {"A1": 1, "A2": 2, "A3": "x", "B1": 3, "B2": 4, "B3": 5}
    assert one("SUMPRODUCT(A1:A3,B1:B3)", **cells) == 11.0
    assert one("SUMPRODUCT((A1:A3>1)*B1:B3)", **cells) == 9.0
    assert one("SUMPRODUCT(A1:A2,B1:B3)", **cells) == err("#VALUE!")


def test_rounding() -> None:
    """ROUND is half away from zero on the 15-digit decimal; ROUNDUP/DOWN, INT, MOD."""
    assert one("ROUND(2.675,2)") == 2.68
    assert one("ROUND(-1.005,2)") == -1.01
    assert one("ROUND(1234.5,-1)") == 1230.0
    assert one("ROUNDUP(0.1+0.2,1)") == 0.3
    assert one("ROUNDDOWN(-2.79,1)") == -2.7
    assert one("INT(-2.5)") == -3.0
    assert one("MOD(-3,2)") == 1.0
    assert one("MOD(3,-2)") == -1.0
    assert one("MOD(1,0)") == err("#DIV/0!")
    assert one("ABS(-3)") == 3.0


def test_lookups() -> None:
    """VLOOKUP/HLOOKUP/MATCH/XMATCH/XLOOKUP/INDEX/CHOOSE, exact and approximate."""
    cells = {"A1": 0, "A2": 100, "A3": 200, "B1": "低", "B2": "中", "B3": "高", "C1": None}
    assert one("VLOOKUP(150,A1:B3,2)", **cells) == "中"
    assert one("VLOOKUP(150,A1:B3,2,FALSE)", **cells) == err("#N/A")
    assert one("VLOOKUP(200,A1:B3,3,FALSE)", **cells) == err("#REF!")
    assert one('HLOOKUP(2,{1,2;"a","b"},2,0)') == "b"
    assert one('MATCH("中",B1:B3,0)', **cells) == 2.0
    assert one("MATCH(250,A1:A3)", **cells) == 3.0
    assert one('MATCH("?",B1:B3,0)', **cells) == 1.0
    assert one('XMATCH("高",B1:B3)', **cells) == 3.0
    assert one("XMATCH(150,A1:A3,1)", **cells) == 3.0
    assert one('XLOOKUP("高",B1:B3,A1:A3)', **cells) == 200.0
    assert one('XLOOKUP("无",B1:B3,A1:A3,"没有")', **cells) == "没有"
    assert one("INDEX(A1:B3,2,2)", **cells) == "中"
    assert one("SUM(INDEX(A1:B3,0,1))", **cells) == 300.0
    assert one("INDEX(A1:A3,5)", **cells) == err("#REF!")
    assert one('CHOOSE(2,"a","b")') == "b"
    assert one("CHOOSE(3,1,2)") == err("#VALUE!")


def test_vlookup_of_a_blank_cell_is_zero() -> None:
    """VLOOKUP returning an empty cell gives 0, INDEX keeps the reference (ISBLANK)."""
    cells = {"A1": "k", "B1": None, "A2": "z"}
    assert one('VLOOKUP("k",A1:B2,2,0)', **cells) == 0.0
    assert one("ISBLANK(INDEX(A1:B2,1,2))", **cells) is True
    # inside a formula the blank is passed on, not turned into 0: Excel's
    # ISNUMBER(VLOOKUP(...)) of an empty cell is FALSE and VLOOKUP(...)&"" is ""
    assert one('ISNUMBER(VLOOKUP("k",A1:B2,2,0))', **cells) is False
    assert one('VLOOKUP("k",A1:B2,2,0)&""', **cells) == ""
    assert one('VLOOKUP("k",A1:B2,2,0)+1', **cells) == 1.0


def test_rank_functions() -> None:
    """RANK/RANK.EQ/RANK.AVG with ties, order, and a number not in the list."""
    cells = {"A1": 90, "A2": 80, "A3": 80, "A4": 70, "A5": "x"}
    assert one("RANK(80,A1:A5)", **cells) == 2.0
    assert one("_xlfn.RANK.EQ(70,A1:A5,1)", **cells) == 1.0
    assert one("_xlfn.RANK.AVG(80,A1:A5)", **cells) == 2.5
    assert one("RANK(85,A1:A5)", **cells) == err("#N/A")


def test_large_small() -> None:
    """LARGE/SMALL take the k-th value; k out of range is #NUM!."""
    cells = {"A1": 3, "A2": 1, "A3": 2}
    assert one("LARGE(A1:A3,1)", **cells) == 3.0
    assert one("SMALL(A1:A3,2)", **cells) == 2.0
    assert one("LARGE(A1:A3,4)", **cells) == err("#NUM!")


def test_information_functions() -> None:
    """ISBLANK is true only for empty cells; ISNUMBER/ISTEXT/ISERROR/ISNA."""
    assert one("ISBLANK(A1)") is True
    assert one('ISBLANK("")') is False
    assert one("ISNUMBER(A1)", A1=1) is True
    assert one("ISTEXT(A1)", A1="1") is True
    assert one("ISERROR(1/0)") is True
    assert one("ISNA(1/0)") is False


def test_text_functions() -> None:
    """LEN/LEFT/RIGHT/MID on Chinese text, CONCAT, TEXTJOIN."""
    assert one('LEN("绩效奖金")') == 4.0
    assert one('LEFT("绩效奖金",2)') == "绩效"
    assert one('RIGHT("绩效奖金")') == "金"
    assert one('MID("绩效奖金",2,2)') == "效奖"
    assert one('MID("abc",0,1)') == err("#VALUE!")
    assert one('CONCAT(A1:A2,"!")', A1="a", A2=1) == "a1!"
    assert one('TEXTJOIN("、",TRUE,A1:A3)', A1="甲", A3="丙") == "甲、丙"


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234.5, "0", "1235"),
        (1234.567, "0.00", "1234.57"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (0.256, "0%", "26%"),
        (0.2567, "0.0%", "25.7%"),
        (45292, "yyyy-mm-dd", "2024-01-01"),
        (45292, "yyyy年m月d日", "2024年1月1日"),
        (-5, "0.00", "-5.00"),
        (7, '0"元"', "7元"),
    ],
)
def test_text_number_formats(value: float, fmt: str, expected: str) -> None:
    """TEXT with the number and date formats the templates use."""
    assert one(f'TEXT(A1,"{fmt.replace(chr(34), chr(34) * 2)}")', A1=value) == expected


def test_dates_1900_system() -> None:
    """DATE/YEAR/MONTH/DAY/EDATE/EOMONTH with Excel's 1900-02-29 and overflow."""
    assert one("DATE(2024,1,1)") == 45292.0
    assert one("DATE(1900,2,29)") == 60.0
    assert one("DATE(1900,3,1)") == 61.0
    assert one("DATE(2024,14,1)") == one("DATE(2025,2,1)")
    assert one("DATE(0,1,0)") == 0.0
    assert one("DATE(0.9,0.9,0.9)") == err("#NUM!")
    assert one("DAY(60)") == 29.0
    assert one("MONTH(0)") == 1.0
    assert one("YEAR(-1)") == err("#NUM!")
    assert one("EDATE(DATE(2024,1,31),1)") == one("DATE(2024,2,29)")
    assert one("EOMONTH(DATE(2024,1,15),-1)") == one("DATE(2023,12,31)")


def test_dates_1904_system() -> None:
    """With date1904 serial 0 is 1904-01-01."""
    assert calc({"Z1": "=DATE(1904,1,2)"}, date1904=True)["Z1"] == 1.0


def test_row_column_rows_columns() -> None:
    """ROW()/COLUMN() of the formula's cell and of references; ROWS/COLUMNS."""
    assert calc({"C5": "=ROW()+COLUMN()"})["C5"] == 8.0
    assert one("ROW(B7:B9)") == 7.0
    assert one("ROWS(A1:C4)*10+COLUMNS(A1:C4)") == 43.0
    assert one("COLUMNS({1,2,3})") == 3.0


# ------------------------------------------------- references and context


def test_implicit_intersection_in_a_normal_formula() -> None:
    """A range where one value is expected takes the cell in the formula's row."""
    cells = {"A1": 1, "A2": 2, "A3": 3, "B2": "=A1:A3*10", "D9": "=A1:A3*10"}
    out = calc(cells)
    assert out["B2"] == 20.0
    assert out["D9"] == err("#VALUE!")


def test_legacy_array_formula_fills_its_range() -> None:
    """{=A1:A3*2} over B1:B4: each cell its element, beyond the result #N/A."""
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": Formula("A1:A3*2", "array", "B1:B4")}
    out = calc(cells)
    assert [out[f"B{r}"] for r in range(1, 5)] == [2.0, 4.0, 6.0, err("#N/A")]


def test_array_formula_sum_of_if() -> None:
    """{=SUM(IF(A1:A3>1,B1:B3))} lifts IF over the arrays."""
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": 10, "B2": 20, "B3": 30}
    cells["C1"] = Formula("SUM(IF(A1:A3>1,B1:B3))", "array", "C1")
    assert calc(cells)["C1"] == 50.0


def test_dynamic_array_spills() -> None:
    """A dynamic formula spills into the cells below; A1# reads the spill."""
    cells = {
        "A1": 1, "A2": 2, "A3": 3,
        "B1": Formula("A1:A3*10", "dynamic", "B1:B3"),
        "C1": "=SUM(B1#)",
        "D1": "=B3+1",
    }  # fmt: skip
    out = calc(cells)
    assert [out["B1"], out["B2"], out["B3"]] == [10.0, 20.0, 30.0]
    assert out["C1"] == 60.0
    assert out["D1"] == 31.0


def test_blocked_spill_is_spill_error() -> None:
    """A non-empty cell in the way gives #SPILL! in the anchor."""
    cells = {"A1": 1, "A2": 2, "B1": Formula("A1:A2", "dynamic", "B1"), "B2": "x"}
    assert calc(cells)["B1"] == err("#SPILL!")


def test_shrinking_spill_clears_old_cells() -> None:
    """Cells of the previous spill range no longer covered come back blank."""
    cells = {"A1": 5, "B1": Formula("A1:A1*2", "dynamic", "B1:B3"), "B2": 99.0, "B3": 99.0}
    out = calc(cells)
    assert out["B1"] == 10.0
    assert out["B2"] is None
    assert out["B3"] is None


def test_cross_sheet_references() -> None:
    """References into a sheet whose name has Chinese and spaces."""
    wb = book({"A1": "='销售 数据'!B2*2"}, other={"销售 数据": {"B2": 21}})
    assert calculate(wb).values["S"][(1, 1)] == 42.0


def test_defined_names() -> None:
    """Workbook and sheet-scoped names, names holding formulas and constants."""
    wb = book(
        {"A1": 5, "B1": "=rate*A1", "C1": "=SUM(税率)", "D1": "=local", "E1": "=nope"},
        other={"P": {"A1": 0.1, "A2": 0.2}},
        names=[
            DefinedName("rate", "P!$A$1"),
            DefinedName("税率", "P!$A$1:$A$2"),
            DefinedName("local", "3*2", "S"),
        ],
    )
    out = calculate(wb).values["S"]
    assert out[(1, 2)] == 0.5
    assert out[(1, 3)] == pytest.approx(0.3)
    assert out[(1, 4)] == 6.0
    assert out[(1, 5)] == err("#NAME?")


def test_structured_references() -> None:
    """表1[金额], [@金额] inside the table, Table[#All] and header-row columns."""
    cells: Cells = {"A1": "姓名", "B1": "金额", "C1": "双倍"}
    for r, (n, v) in enumerate([("甲", 10), ("乙", 20), ("丙", 30)], start=2):
        cells[f"A{r}"], cells[f"B{r}"] = n, v
        cells[f"C{r}"] = "=[@金额]*2"
    cells["E1"] = "=SUM(表1[金额])"
    cells["E2"] = "=ROWS(表1[#All])"
    cells["E3"] = "=SUM(表1[[#This Row],[金额]:[双倍]])"
    cells["E4"] = "=COUNTA(表1[#Headers])"
    table = Table("表1", "S", (1, 1), (4, 3), ("姓名", "金额", "双倍"))
    out = calc(cells, tables=[table])
    assert [out["C2"], out["C3"], out["C4"]] == [20.0, 40.0, 60.0]
    assert out["E1"] == 60.0
    assert out["E2"] == 4.0
    assert out["E3"] == 60.0
    assert out["E4"] == 3.0


def test_whole_column_references() -> None:
    """SUM(A:A) and VLOOKUP over whole columns."""
    cells = {"A1": 1, "A2": 2, "B1": "a", "B2": "b", "D1": "=SUM(A:A)", "D2": "=VLOOKUP(2,A:B,2,0)"}
    out = calc(cells)
    assert out["D1"] == 3.0
    assert out["D2"] == "b"


# ------------------------------------------------------ order and errors


def test_dependencies_across_blocks_and_sheets_are_ordered() -> None:
    """Formulas reading formulas (in any order of appearance) see computed values."""
    cells = {"A1": "=B1+1", "B1": "=C1*2", "C1": "=P!A1", "D1": "=A1+B1+C1"}
    wb = book(cells, other={"P": {"A1": "=3"}})
    out = calculate(wb).values["S"]
    assert out[(1, 3)] == 3.0
    assert out[(1, 2)] == 6.0
    assert out[(1, 1)] == 7.0
    assert out[(1, 4)] == 16.0


def test_running_total_in_one_column() -> None:
    """C3=C2+B3 filled down reads its own column: evaluated cell by cell in order."""
    cells: Cells = {"C1": "=B1"}
    for r in range(1, 21):
        cells[f"B{r}"] = r
        if r > 1:
            cells[f"C{r}"] = f"=C{r - 1}+B{r}"
    out = calc(cells)
    assert out["C20"] == 210.0


def test_circular_reference_is_reported() -> None:
    """A1 → B1 → A1 raises CircularReferenceError naming both cells."""
    with pytest.raises(CircularReferenceError) as exc:
        calc({"A1": "=B1+1", "B1": "=A1*2", "C1": "=1"})
    cells = {str(c) for c, _ in exc.value.cells}
    assert cells == {"S!A1", "S!B1"}


def test_self_reference_is_circular() -> None:
    """A cell that reads itself is circular."""
    with pytest.raises(CircularReferenceError):
        calc({"A1": "=SUM(A1:A3)"})


def test_unsupported_functions_are_listed_per_cell() -> None:
    """Every cell using a function outside the list is reported with the name."""
    cells = {
        "A1": '=CONVERT(B1,"m","ft")',
        "A2": '=CONVERT(B2,"m","ft")',
        "A3": "=BESSELJ(B1,1)+1",
        "A4": "=1",
    }
    with pytest.raises(UnsupportedFormulaError) as exc:
        calc(cells)
    reported = {(str(c), m.rsplit(" ", 1)[-1]) for c, m in exc.value.cells}
    assert reported == {("S!A1", "CONVERT"), ("S!A2", "CONVERT"), ("S!A3", "BESSELJ")}


def test_misspelt_function_is_name_error_as_in_excel() -> None:
    """A misspelling of an Excel function, or ``_xlfn.`` before a name Excel
    lacks, is #NAME? (Excel's answer; LibreOffice agrees), not a refused file;
    IFERROR sees the error."""
    got = calc({"A1": 1.0, "B1": "=SUMM(A1:A3)", "B2": '=IFERROR(VLOKUP(1,A1,1),"x")',
                "B3": "=_xlfn.NOTAFUNC(1)", "B4": "=ISERROR(AVERGE(A1))"})  # fmt: skip
    assert (got["B1"], got["B3"]) == (ExcelError("#NAME?"), ExcelError("#NAME?"))
    assert (got["B2"], got["B4"]) == ("x", True)


def test_unknown_name_that_may_be_a_user_function_is_refused() -> None:
    """A name like no Excel function may be a VBA or add-in function Excel
    computed (sheetjs comments test: ``Comment(A1)``); so may a misspelling in
    a workbook with VBA, and any ``_xll.`` add-in call: refused, named."""
    for cells, kw in (({"A1": "=CalcBonus(2)"}, {}), ({"A1": "=SUMM(2)"}, {"macros": True}),
                      ({"A1": "=_xll.DSSDATA(2)"}, {})):  # fmt: skip
        with pytest.raises(UnsupportedFormulaError):
            calc(cells, **kw)


def test_unreadable_formula_is_unsupported() -> None:
    """Formula text the parser cannot read is reported, not guessed."""
    with pytest.raises(UnsupportedFormulaError):
        calc({"A1": "=[1]Sheet1!A1"})


# --------------------------------------------------- contract functions


TAX = {
    "E1": 0, "F1": 0.03, "E2": 3000, "F2": 0.10, "E3": 12000, "F3": 0.20,
    "E4": 25000, "F4": 0.25, "E5": 35000, "F5": 0.30, "E6": 55000, "F6": 0.35,
    "E7": 80000, "F7": 0.45,
}  # fmt: skip


@pytest.mark.parametrize("spelling", ["TIERED", "_xludf.TIERED", "_xldudf_JX_TIERED", "JX.TIERED"])
def test_contract_function_in_every_spelling(spelling: str) -> None:
    """TIERED is found however the file spells it (FUNCTIONS.md examples)."""
    cells = {**TAX, "A1": 12000, "A2": 100000}
    cells["B1"] = f'={spelling}(A1,$E$1:$F$7,"超额")'
    cells["B2"] = f'={spelling}(A2,$E$1:$F$7,"超额")'
    out = calc(cells)
    assert out["B1"] == 990.0
    assert out["B2"] == 29840.0


def test_contract_function_spills() -> None:
    """A lifted contract function over a column spills one result per row."""
    cells = {**TAX, "A1": 12000, "A2": 100000}
    cells["B1"] = Formula('TIERED(A1:A2,E1:F7,"超额")', "dynamic", "B1:B2")
    out = calc(cells)
    assert out["B1"] == 990.0
    assert out["B2"] == 29840.0


def test_contract_function_row_error_stays_in_its_row() -> None:
    """A text x in one row gives that row #VALUE!, the other rows compute."""
    cells: Cells = {**TAX}
    for r, x in enumerate([12000, "abc", 100000], start=1):
        cells[f"A{r}"] = x
        cells[f"B{r}"] = f'=TIERED(A{r},$E$1:$F$7,"超额")'
    out = calc(cells)
    assert out["B1"] == 990.0
    assert out["B2"] == err("#VALUE!")
    assert out["B3"] == 29840.0


# ------------------------------------------ blocks against per-cell evaluation

BLOCK_FORMULAS = [
    "A{r}*2+B{r}",
    'IF(A{r}>B{r},A{r}-B{r},"低")',
    "ROUND(A{r}/7,2)",
    "_xlfn.RANK.EQ(A{r},$A$1:$A$40)",
    "RANK(A{r},$A$1:$A$40,1)",
    "_xlfn.RANK.AVG(A{r},$A$1:$A$40)",
    "VLOOKUP(C{r},$H$1:$I$5,2,FALSE)",
    "MATCH(C{r},$H$1:$H$5,0)",
    "_xlfn.XMATCH(C{r},$H$1:$H$5)",
    "SUMPRODUCT(A{r}:B{r},$J$1:$K$1)",
    "IFERROR(A{r}/B{r},-1)",
    'A{r}&"-"&C{r}',
    "A{r}>=B{r}",
    "-A{r}%",
    "A{r}^2",
    "$A$1:$A$40*10",
    "SUM($A$1:A{r})",
    "COUNTIF($C$1:$C$40,C{r})",
    'SUMIFS($A$1:$A$40,$C$1:$C$40,C{r},$B$1:$B$40,"<>0")',
    "ISBLANK(B{r})",
    'TIERED(A{r},$E$1:$F$3,"超额")',
    "ROW()*COLUMN()",
    "INDEX($A$1:$A$40,ROW())",
    "ROUND($A$1:$A$40,1)",
    "VLOOKUP(C{r},tbl,2,FALSE)",
    "SUM(tbl)+A{r}",
    'INDEX($A$1:$B$40,0,1)&""',
    "AVERAGEIFS($A$1:$A$40,$C$1:$C$40,C{r})",
    '_xlfn.MAXIFS($A$1:$A$40,$C$1:$C$40,C{r},$B$1:$B$40,">0")',
    "_xlfn.MINIFS($B$1:$B$40,$C$1:$C$40,C{r},$A$1:$A$40,A{r})",
    "SUMIF($C$1:$C$40,C{r},$A$1:$A$40)",
    "COUNTIFS($C$1:$C$40,C{r},$B$1:$B$40,B{r})",
    "POINT_BONUS(A{r},B{r},$E$1:$F$3)",
    'TIERED(B{r},$E$1:$F$3,"超额")+TIERED(A{r},$E$1:$F$3,"全额")',
]

_values = st.one_of(
    st.integers(-50, 50).map(float),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.none(),
    st.sampled_from(["a", "B", "", "7", "文本"]),
    st.booleans(),
    st.sampled_from([ExcelError("#N/A"), ExcelError("#DIV/0!")]),
)


@settings(max_examples=40, deadline=None)
@given(
    a=st.lists(_values, min_size=40, max_size=40),
    b=st.lists(_values, min_size=40, max_size=40),
    keys=st.lists(
        st.sampled_from(["k1", "k2", "K3", "k9", None, 1.0, "1", True, "TRUE", "k1 ", "<>k1", ""]),
        min_size=40,
        max_size=40,
    ),
)
def test_blocks_equal_per_cell_evaluation(a: list[Any], b: list[Any], keys: list[Any]) -> None:
    """On random data (numbers, text, blanks, booleans, errors), evaluating each
    filled-down column as one vectorised block gives exactly the per-cell values."""
    cells: Cells = {"H1": "k1", "H2": "k2", "H3": "k3", "H4": 1, "H5": "k1",
                    "I1": 10, "I2": None, "I3": "三", "I4": 40, "I5": 50,
                    "J1": 0.7, "K1": 0.3, "E1": 0, "F1": 0.1, "E2": 100, "F2": 0.2,
                    "E3": 1000, "F3": 0.3}  # fmt: skip
    for r in range(1, 41):
        for col, vals in (("A", a), ("B", b), ("C", keys)):
            if vals[r - 1] is not None:
                cells[f"{col}{r}"] = vals[r - 1]
    col_names = ["L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y",
                 "Z", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL",
                 "AM", "AN", "AO", "AP", "AQ", "AR", "AS"]  # fmt: skip
    for name, f in zip(col_names, BLOCK_FORMULAS, strict=True):
        for r in range(1, 41):
            cells[f"{name}{r}"] = "=" + f.format(r=r)
    names = [DefinedName("tbl", "S!$H$1:$I$5")]
    vec = calculate(book(cells, names=names), vectorise=True).values["S"]
    ref = calculate(book(cells, names=names), vectorise=False).values["S"]
    assert vec.keys() == ref.keys()
    for k in ref:
        x, y = vec[k], ref[k]
        assert type(x) is type(y), (k, x, y)
        assert x == y, (k, x, y)


def test_a_cell_is_a_block_of_one_row(monkeypatch: Any) -> None:
    """One evaluator: a cell is a block of one row and takes the block's path
    without making a per-row value; ``vectorise=False`` splits every block
    into such cells (the reference the blocks are compared with), while the
    same column as one block makes per-row values."""
    from addin.refresh.functions.columns import RowArea, RowValues

    made: list[str] = []
    for cls in (RowValues, RowArea):
        real = cls.__init__

        def counted(self: Any, *args: Any, _real: Any = real, **kw: Any) -> None:
            made.append(type(self).__name__)
            _real(self, *args, **kw)

        monkeypatch.setattr(cls, "__init__", counted)
    cells: Cells = {f"{c}{r}": float(r * k) for r in range(1, 41) for c, k in (("A", 3), ("B", 5))}
    cells.update({"C1": "k1", "H1": "k1", "I1": 10, "E1": 0, "F1": 0.1, "J1": 0.7, "K1": 0.3})
    for j, f in enumerate(BLOCK_FORMULAS):
        for r in range(1, 41):
            cells[f"{chr(ord('L') + j % 10)}{r + 41 * (j // 10)}"] = "=" + f.format(r=r)
    wb = book(cells, names=[DefinedName("tbl", "S!$H$1:$I$5")])
    cellwise = calculate(wb, vectorise=False).values["S"]
    assert made == []
    assert calculate(wb).values["S"] == cellwise
    assert {"RowValues", "RowArea"} <= set(made)


def test_contract_function_filled_down_is_one_kernel_call() -> None:
    """POINT_BONUS(D2,F2,门槛) filled down, with per-row arguments in any
    position (registry role ``row``), is one kernel call for the block (the
    gate table parsed once), and equals the cell-by-cell values."""
    import udfs.bands

    calls: list[int] = []
    kernel = udfs.bands.point_bonus

    def counted(*args: Any) -> Any:
        calls.append(1)
        return kernel(*args)

    from addin import registry

    spec = registry.by_name("POINT_BONUS")
    assert spec.kernel is kernel
    cells: Cells = {"H1": 0, "I1": 0, "H2": 60, "I2": 20, "H3": 80}
    for r in range(1, 51):
        cells[f"D{r}"] = 40 + r
        cells[f"F{r}"] = 30 + r % 3
        cells[f"G{r}"] = f"=POINT_BONUS(D{r},F{r},$H$1:$I$3)"
    cells["D7"] = "abc"
    spec._kernel[0] = counted
    try:
        vec = calculate(book(cells)).values["S"]
    finally:
        spec._kernel[0] = kernel
    assert len(calls) == 1
    ref = calculate(book(cells), vectorise=False).values["S"]
    assert vec == ref
    assert vec[(7, 7)] == err("#VALUE!")
    assert vec[(1, 7)] == 0.0
    assert vec[(50, 7)] == 90 * 32


def test_per_row_criteria_with_wildcards_are_linear() -> None:
    """COUNTIF with a wildcard criterion that makes a regular expression
    backtrack exponentially takes the kernel's linear matcher (one matcher)."""
    crit = "*?*?*?*?*?*?*?*?*?*?*?*?b"
    cells: Cells = {f"A{r}": "a" * 60 for r in range(1, 6)}
    cells["A3"] = "a" * 59 + "b"
    assert one(f'COUNTIF(A1:A5,"{crit}")', **cells) == 1.0


def test_blocks_are_evaluated_once_per_column() -> None:
    """A 2,000-row column of RANK.EQ agrees with a direct count (O(n log n) path)."""
    random.seed(7)
    vals = [float(random.randrange(100)) for _ in range(2000)]
    cells: Cells = {f"A{r}": v for r, v in enumerate(vals, start=1)}
    for r in range(1, 2001):
        cells[f"B{r}"] = f"=_xlfn.RANK.EQ(A{r},$A$1:$A$2000)"
    out = calc(cells)
    for r in (1, 500, 2000):
        v = vals[r - 1]
        assert out[f"B{r}"] == 1.0 + sum(1 for x in vals if x > v)


def test_spill_growing_beyond_the_saved_range_orders_its_readers() -> None:
    """A dynamic array that now spills further than the range saved in the file
    (rows were added) is computed before the cells that read the new part, even
    when those come first in the workbook."""
    data: Cells = {f"A{r}": r for r in range(1, 6)}
    data["B1"] = Formula("A1:A5*10", "dynamic", "B1:B2")  # saved when 2 rows long
    wb = book({"C1": "=P!B5+1"}, other={"P": data})
    res = calculate(wb)
    assert res.values["P"][(5, 2)] == 50.0
    assert res.values["S"][(1, 3)] == 51.0


def test_spill_growing_unread_is_sized_in_one_pass(monkeypatch: Any) -> None:
    """A dynamic array growing to 20,000 rows that no earlier cell reads is
    computed in one pass of the engine (no rerun), its values all in place."""
    from addin.refresh import engine

    runs: list[int] = []
    real = engine.Engine.run

    def counted(self: Any) -> Any:
        runs.append(1)
        return real(self)

    monkeypatch.setattr(engine.Engine, "run", counted)
    data: Cells = {f"A{r}": r for r in range(1, 20_001)}
    data["B1"] = Formula("A1:A20000*2", "dynamic", "B1")  # saved when 1 row long
    data["C1"] = "=SUM(B1:B20000)"
    res = calculate(book(data))
    assert runs == [1]
    assert res.values["S"][(20_000, 2)] == 40_000.0
    assert res.values["S"][(1, 3)] == float(20_000 * 20_001)
    assert res.spills["S"][(1, 2)] == (20_000, 2)


def test_results_report_where_each_spill_ends() -> None:
    """``Results.spills`` gives each dynamic anchor's bottom-right cell, grown,
    shrunk or blocked, so the writer can update the formula's ``ref``."""
    data: Cells = {f"A{r}": r for r in range(1, 6)}
    data["B1"] = Formula("A1:A5*10", "dynamic", "B1:B2")  # grows to B5
    data["C1"] = Formula("A1:A1*2", "dynamic", "C1:C3")  # shrinks to C1
    data["D1"] = Formula("A1:A2", "dynamic", "D1")  # blocked by D2
    data["D2"] = "x"
    res = calculate(book({}, other={"P": data}))
    assert res.spills["P"] == {(1, 2): (5, 2), (1, 3): (1, 3), (1, 4): (1, 4)}


def test_anchorarray_and_single_as_stored_in_files() -> None:
    """Files store ``A1#`` as _xlfn.ANCHORARRAY(A1) and ``@A1:A3`` as
    _xlfn.SINGLE(A1:A3): the spill and the implicit intersection."""
    cells: Cells = {"A1": 1, "A2": 2, "A3": 3}
    cells["B1"] = Formula("A1:A3*2", "dynamic", "B1:B3")
    cells["C1"] = "=SUM(_xlfn.ANCHORARRAY(B1))"
    for r in (1, 2, 3):
        cells[f"D{r}"] = "=_xlfn.SINGLE($A$1:$A$3)*10"
    out = calc(cells)
    assert out["C1"] == 12.0
    assert [out["D1"], out["D2"], out["D3"]] == [10.0, 20.0, 30.0]


def test_supported_function_list_covers_the_issue() -> None:
    """Every function the refresh issue requires is in the engine's list."""
    from addin.refresh.functions import supported_functions

    required = {
        "IF", "IFS", "IFERROR", "IFNA", "AND", "OR", "NOT", "SUM", "SUMIF", "SUMIFS",
        "SUMPRODUCT", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "COUNTIFS", "AVERAGE",
        "AVERAGEIF", "AVERAGEIFS", "MIN", "MAX", "MINIFS", "MAXIFS", "ROUND", "ROUNDUP",
        "ROUNDDOWN", "INT", "ABS", "MOD", "VLOOKUP", "HLOOKUP", "XLOOKUP", "INDEX", "MATCH",
        "XMATCH", "CHOOSE", "RANK", "RANK.EQ", "RANK.AVG", "LARGE", "SMALL", "ISBLANK",
        "ISNUMBER", "ISTEXT", "ISERROR", "ISNA", "LEN", "LEFT", "RIGHT", "MID", "TEXT",
        "CONCAT", "TEXTJOIN", "DATE", "YEAR", "MONTH", "DAY", "EOMONTH", "EDATE", "ROW",
        "ROWS", "COLUMN", "COLUMNS",
    }  # fmt: skip
    assert set(required) <= set(supported_functions())


def test_names_referring_to_each_other_are_name_errors() -> None:
    """Names defined through each other in a loop give #NAME?, not a hang."""
    wb = book(
        {"A1": "=loop_a+1", "B1": "=SUM(ok)"},
        other={"P": {"A1": 2}},
        names=[
            DefinedName("loop_a", "loop_b"),
            DefinedName("loop_b", "loop_a"),
            DefinedName("ok", "inner*2"),
            DefinedName("inner", "P!$A$1"),
        ],
    )
    out = calculate(wb).values["S"]
    assert out[(1, 1)] == err("#NAME?")
    assert out[(1, 2)] == 4.0


@settings(max_examples=30, deadline=None)
@given(
    keys=st.lists(
        st.sampled_from(["k1", "K1", "k2", None, 1.0, "1", True, "TRUE", "", "<>k1", "k?"]),
        min_size=30,
        max_size=30,
    ),
    amounts=st.lists(st.integers(-5, 5).map(float), min_size=30, max_size=30),
)
def test_lifted_calls_equal_cell_by_cell_calls(keys: list[Any], amounts: list[float]) -> None:
    """A dynamic-array formula lifted over a column (which shares hash indexes
    across elements) gives exactly what the same function gives cell by cell."""
    cells: Cells = {}
    for r in range(1, 31):
        if keys[r - 1] is not None:
            cells[f"A{r}"] = keys[r - 1]
        cells[f"B{r}"] = amounts[r - 1]
    pairs = {
        "D": ("COUNTIF($A$1:$A$30,{x})", "A"),
        "E": ("SUMIFS($B$1:$B$30,$A$1:$A$30,{x})", "A"),
        "F": ("MATCH({x},$A$1:$A$30,0)", "A"),
        "G": ("_xlfn.XMATCH({x},$A$1:$A$30)", "A"),
        "H": ('_xlfn.XLOOKUP({x},$A$1:$A$30,$B$1:$B$30,"-")', "A"),
        "I": ("VLOOKUP({x},$A$1:$B$30,2,FALSE)", "A"),
        "P": ('COUNTIFS($A$1:$A$30,{x},$B$1:$B$30,">0")', "A"),
        "Q": ('COUNTIFS($B$1:$B$30,{x},$A$1:$A$30,"k1",$B$1:$B$30,1)', "B"),
    }
    dyn_cols = {"D": "J", "E": "K", "F": "L", "G": "M", "H": "N", "I": "O", "P": "R", "Q": "S"}
    for col, (f, src) in pairs.items():
        for r in range(1, 31):
            cells[f"{col}{r}"] = "=" + f.format(x=f"{src}{r}")
        dyn = dyn_cols[col]
        cells[f"{dyn}1"] = Formula(f.format(x=f"{src}1:{src}30"), "dynamic", f"{dyn}1:{dyn}30")
    from addin.xlsx.a1 import to_a1

    res = calculate(book(cells), vectorise=False).values["S"]  # plain cells: no shared indexes
    out = {to_a1(*c): v for c, v in res.items()}
    for col, dyn in dyn_cols.items():
        for r in range(1, 31):
            x, y = out[f"{col}{r}"], out[f"{dyn}{r}"]
            assert type(x) is type(y), (col, r, x, y)
            assert x == y, (col, r, x, y)


_ATOMS = ["1", "0", "-2.5", '"abc"', '"1"', '""', "TRUE", "#N/A", "#DIV/0!", "A1", "B2",
          "A1:A5", "A1:C3", "$A$1:$B$5", "{1,2;3,4}", '{"a",1}', "Z9", "A:A", "1:2",
          "A1:A5 A2:B3", "(A1:A2,B1:B2)", "A1#", "[@x]", "T[x]", "nm"]  # fmt: skip
_OPS = ["+", "-", "*", "/", "^", "&", "=", "<>", "<", ">=", ":"]


def _formulas() -> st.SearchStrategy[str]:
    from addin.refresh.functions import supported_functions

    # draws and the clock differ between the two evaluations compared
    names = [n for n in supported_functions() if n not in {"RAND", "RANDBETWEEN", "RANDARRAY", "NOW"}]
    return st.recursive(
        st.sampled_from(_ATOMS),
        lambda inner: st.one_of(
            st.builds(
                lambda f, args: f"{f}({','.join(args)})",
                st.sampled_from([stored_name(n) for n in names]),
                st.lists(st.one_of(inner, st.just("")), max_size=5),
            ),
            st.builds(lambda a, op, b: f"{a}{op}{b}", inner, st.sampled_from(_OPS), inner),
            st.builds(lambda a: f"-{a}%", inner),
        ),
        max_leaves=12,
    )


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(_formulas(), min_size=3, max_size=3),
    kinds=st.lists(st.sampled_from(["normal", "array", "dynamic"]), min_size=3, max_size=3),
)
def test_random_formulas_never_crash_and_blocks_agree(texts: list[str], kinds: list[str]) -> None:
    """Random formulas over every supported function, operator and reference
    form compute to values (never an exception other than the refresh errors),
    and their filled-down copies give the same values vectorised as cell by cell."""
    from addin.xlsx.model import RefreshError

    wb = random_formula_book(texts, kinds)
    try:
        vec = calculate(wb).values["S"]
        ref_values = calculate(wb, vectorise=False).values["S"]
    except RefreshError:
        return
    for k, v in ref_values.items():
        w = vec[k]
        assert type(v) is type(w), (k, v, w)
        assert v == w or (isinstance(v, float) and v != v and w != w), (k, v, w)


def random_formula_book(texts: list[str], kinds: list[str]) -> Workbook:
    """Sheet S: mixed values in A1:C5, each formula once in E (as its kind) and
    filled down G…, a name and a table over the values."""
    sheet = Sheet("S")
    pool = [1.0, -3.5, "x", "1", True, "文本", 0.0, ExcelError("#N/A")]
    for r in range(1, 6):
        for c in range(1, 4):
            sheet.values[(r, c)] = pool[(r * 3 + c) % len(pool)]
    for i, (t, kind) in enumerate(zip(texts, kinds, strict=True)):
        ref = f"E{8 + 3 * i}:F{9 + 3 * i}" if kind != "normal" else None
        sheet.formulas[(8 + 3 * i, 5)] = Formula(t, kind, ref)  # type: ignore[arg-type]
        for r in range(10, 14):
            moved = t.replace("A1", f"A{r - 9}").replace("B2", f"B{r - 8}")
            sheet.formulas[(r, 7 + i)] = Formula(moved)
    return Workbook(
        [sheet],
        names=[DefinedName("nm", "S!$A$1:$A$3")],
        tables=[Table("T", "S", (1, 1), (5, 3), ("x", "y", "z"))],
    )


def test_expanding_ranges_filled_down() -> None:
    """SUM($A$1:A1) and COUNTIF($B$1:B1,B1) filled down: running sums and counts."""
    cells: Cells = {}
    for r in range(1, 7):
        cells[f"A{r}"] = r
        cells[f"B{r}"] = "甲" if r % 2 else "乙"
        cells[f"C{r}"] = f"=SUM($A$1:A{r})"
        cells[f"D{r}"] = f"=COUNTIF($B$1:B{r},B{r})"
    out = calc(cells)
    assert [out[f"C{r}"] for r in range(1, 7)] == [1.0, 3.0, 6.0, 10.0, 15.0, 21.0]
    assert [out[f"D{r}"] for r in range(1, 7)] == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]


def test_repeated_parameter_groups_take_their_roles() -> None:
    """A declaration's ``repeat(...)`` group cycles after the declared
    parameters (SUMIFS's criteria_range/criteria pairs, CONCATENATE's texts);
    beyond a function without one, positions read whole; the default counts
    are the declared parameters (any number with a repeated group)."""
    from addin.refresh.functions import FUNCTIONS
    from addin.refresh.functions._core import register, repeat
    from addin.registry import PER_ROW, WHOLE

    sumifs = FUNCTIONS["SUMIFS"]
    assert [sumifs.role(i) for i in range(9)] == [WHOLE, WHOLE, PER_ROW] + [WHOLE, PER_ROW] * 3
    assert (sumifs.min_args, sumifs.max_args) == (3, None)
    assert [FUNCTIONS["CONCATENATE"].lifts(i) for i in (0, 1, 7)] == [True, True, True]
    assert [FUNCTIONS["SUM"].role(i) for i in (0, 9)] == [WHOLE, WHOLE]
    vlookup = FUNCTIONS["VLOOKUP"]
    assert (vlookup.min_args, vlookup.max_args, vlookup.role(4)) == (3, 4, WHOLE)
    try:
        register("ZZ.TEST", PER_ROW, repeat(WHOLE, PER_ROW))(lambda *a: 0.0)
        spec = FUNCTIONS["ZZ.TEST"]
        assert (spec.min_args, spec.max_args) == (1, None)
        assert [spec.role(i) for i in range(5)] == [PER_ROW, WHOLE, PER_ROW, WHOLE, PER_ROW]
    finally:
        FUNCTIONS.pop("ZZ.TEST", None)
    with pytest.raises(ValueError, match="only the last"):
        register("ZZ.BAD", repeat(WHOLE), PER_ROW)
    with pytest.raises(ValueError, match="at least one"):
        repeat()


def test_repeated_groups_in_formulas() -> None:
    """A per-row argument inside a repeated group is implicitly intersected in
    a normal formula (SUMIFS's second criterion, CONCATENATE's fifth text,
    IFS's third condition), and a filled-down block of such calls gives the
    cell-by-cell values."""
    cells: Cells = {}
    for r in range(1, 7):
        cells[f"A{r}"] = "甲" if r % 2 else "乙"
        cells[f"B{r}"] = r % 3
        cells[f"C{r}"] = 10 * r
        cells[f"D{r}"] = f"=SUMIFS($C$1:$C$6,$A$1:$A$6,A{r},$B$1:$B$6,$B$1:$B$6)"
        cells[f"E{r}"] = f"=COUNTIFS($A$1:$A$6,\"*\",$B$1:$B$6,\">=0\",$B$1:$B$6,B{r})"
        cells[f"F{r}"] = '=CONCATENATE("a","b","c","d",$C$1:$C$6)'
        cells[f"G{r}"] = "=_xlfn.IFS(FALSE,1,FALSE,2,$B$1:$B$6>0,\"+\",TRUE,\"0\")"
    vec = calculate(book(cells)).values["S"]
    ref = calculate(book(cells), vectorise=False).values["S"]
    assert vec == ref
    out = calc(cells)
    expected_sum = [sum(10 * k for k in range(1, 7) if k % 2 == r % 2 and k % 3 == r % 3)
                    for r in range(1, 7)]  # fmt: skip
    assert [out[f"D{r}"] for r in range(1, 7)] == [float(x) for x in expected_sum]
    assert [out[f"E{r}"] for r in range(1, 7)] == [2.0] * 6
    assert [out[f"F{r}"] for r in range(1, 7)] == [f"abcd{10 * r}" for r in range(1, 7)]
    assert [out[f"G{r}"] for r in range(1, 7)] == ["0" if r % 3 == 0 else "+" for r in range(1, 7)]


_KEY_CELLS = st.one_of(
    st.none(),
    st.sampled_from(["1", "1.0", " 2 ", "2", "abc", "ABC", "Abc", "50%", "2024-01-31", "E0001", ""]),
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 0.5, 1e-16, 45322.0]),
    st.text(max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_KEY_CELLS, max_size=40))
def test_text_and_number_key_index_equals_the_typed_one(cells: list[object]) -> None:
    """The fast index of a key column of texts, numbers and blanks finds the
    same cells under the same keys as the per-type index it stands in for."""
    from addin.refresh.functions import criteria

    fast = criteria._text_or_number_index(list(cells))
    typed = criteria._typed_index(list(cells))
    assert {k: v.tolist() for k, v in fast.items()} == {
        k: v.tolist() for k, v in typed.items() if len(v)
    }
