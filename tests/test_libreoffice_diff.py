"""Differential tests: the built-in refresh engine against LibreOffice Calc.

LibreOffice (≥ 25.2, ``make libreoffice``) is the reference spreadsheet nobody
here wrote. Each workbook is calculated by both — the built-in engine
(:func:`addin.refresh.engine.calculate`) and LibreOffice with the contract
functions bridged to the kernel (:func:`addin.refresh.libreoffice.calculate_with_libreoffice`)
— and every formula cell must agree: numbers to a relative 1e-9, text exactly,
errors by kind. Booleans compare as the numbers 1/0 (LibreOffice has no
boolean type).

* every template in ``workbooks/``, and ``--engine libreoffice`` refreshes each
  to its golden results;
* randomly generated workbooks (hypothesis) mixing the supported Excel functions
  and contract functions over random data: blanks, text, negative numbers, ties,
  values on band edges;
* each template opens in LibreOffice with no ``#NAME?`` or ``#REF!``.

One LibreOffice process serves the whole module (it takes seconds to start).
"""

from __future__ import annotations

import json
import math
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from external import SharedDir, shared_files
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl.workbook.defined_name import DefinedName

from addin.refresh.engine import calculate
from addin.refresh.libreoffice import LibreOffice, calculate_with_libreoffice
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.model import CellValue, Results
from addin.xlsx.workbook import declare_calculated, read_workbook
from udfs.errors import ExcelError

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("*.xlsx"))
GOLDEN = sorted((ROOT / "workbooks" / "golden").glob("*.json"))
EXCEL_FILES = shared_files("excel-files", "*.xlsx", "*.xlsm")


@pytest.fixture(scope="module")
def office() -> Iterator[LibreOffice]:
    """One private headless LibreOffice for the module."""
    with LibreOffice() as lo:
        yield lo


def _plain(v: CellValue) -> CellValue:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if v == "":
        return None
    return v


def same(a: CellValue, b: CellValue) -> bool:
    """Equal as a spreadsheet shows them: numbers to 1e-9 relative, errors by kind,
    booleans as 1/0, an empty text result as a blank."""
    a, b = _plain(a), _plain(b)
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return isinstance(a, ExcelError) and isinstance(b, ExcelError) and a.code == b.code
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def disagreements(builtin: Results, libre: Results, formulas: dict[str, dict[Any, str]]) -> list[str]:
    """Every cell either engine computed where the two differ, as text for the report."""
    out = []
    for sheet in sorted(set(builtin.values) | set(libre.values)):
        ours = builtin.values.get(sheet, {})
        theirs = libre.values.get(sheet, {})
        for coord in sorted(set(ours) | set(theirs)):
            a, b = ours.get(coord), theirs.get(coord)
            if not same(a, b):
                f = formulas.get(sheet, {}).get(coord, "")
                out.append(f"{sheet}!{to_a1(*coord)} ={f}: built-in {a!r}, LibreOffice {b!r}")
    return out


def _formula_texts(path: Path) -> dict[str, dict[Any, str]]:
    return {s.name: {c: f.text for c, f in s.formulas.items()} for s in read_workbook(path).sheets}


# ---------------------------------------------------------------------------
# (a) templates
# ---------------------------------------------------------------------------


def test_templates_exist() -> None:
    """The templates this module compares are there (an empty parametrisation would pass silently)."""
    assert len(TEMPLATES) >= 7


def test_excel_saved_files_exist(shared_dir: SharedDir) -> None:
    """The Excel-saved files this module compares are there."""
    assert len(list((shared_dir / "excel-files").glob("*.xls[xm]"))) >= 10


@pytest.mark.libreoffice
@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_template_engines_agree(path: Path, office: LibreOffice) -> None:
    """Built-in engine and LibreOffice give the same value in every formula cell."""
    builtin = calculate(read_workbook(path))
    libre = calculate_with_libreoffice(path, office)
    assert builtin.count() > 0
    assert disagreements(builtin, libre, _formula_texts(path)) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("path", EXCEL_FILES)
def test_excel_saved_files_engines_agree(path: Path, office: LibreOffice) -> None:
    """Packages saved by Excel itself (shared/excel-files): both engines agree in
    every formula cell — except where LibreOffice cannot read a structured
    reference without its table name (``SUBTOTAL(101,[Column3])`` in a totals
    row, which Excel writes and reads): #NAME? there."""
    builtin = calculate(read_workbook(path))
    libre = calculate_with_libreoffice(path, office)
    formulas = _formula_texts(path)
    for sheet, cells in libre.values.items():
        for coord, value in cells.items():
            text = formulas.get(sheet, {}).get(coord, "")
            if re.search(r"[(,]\[", text) and value == ExcelError("#NAME?"):
                cells[coord] = builtin.values[sheet][coord]
    assert disagreements(builtin, libre, formulas) == []


def _golden_same(got: CellValue, want: Any) -> bool:
    if isinstance(got, ExcelError):
        got = str(got)
    if isinstance(want, bool):
        got = _plain(got)
        want = 1.0 if want else 0.0
    if isinstance(want, int | float) and not isinstance(want, bool):
        return isinstance(got, float) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    return got == want or (want == "" and got is None)


@pytest.mark.libreoffice
@pytest.mark.parametrize("golden_path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_refresh_engine_libreoffice_gives_golden(
    golden_path: Path, tmp_path: Path, office: LibreOffice
) -> None:
    """``jixiao refresh --engine libreoffice`` writes the golden values into the
    original package, changing only the cached values of the sheets."""
    from addin.refresh.job import refresh_file

    golden = json.loads(golden_path.read_text("utf-8"))
    spec = json.loads((ROOT / "workbooks" / "specs" / f"{golden['template']}.json").read_text("utf-8"))
    src = next((ROOT / "workbooks").rglob(spec["file"]))
    out = tmp_path / "refreshed.xlsx"
    report = refresh_file(src, out, lambda wb, source: calculate_with_libreoffice(source, office))
    assert report.exit_code == 0, report.message
    cached = {s.name: s.values for s in read_workbook(out).sheets}
    wrong = []
    for key, want in golden["values"].items():
        sheet, cell = key.rsplit("!", 1)
        got = cached.get(sheet, {}).get(from_a1(cell))
        if not _golden_same(got, want):
            wrong.append(f"{key}: want {want!r}, got {got!r}")
    assert wrong == []
    # Never LibreOffice's re-saved file: every part but the worksheets is byte-identical
    # (workbook.xml differs only in <calcPr>, declaring the values current).
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name == "xl/workbook.xml":
                assert b.read(name) == declare_calculated(a.read(name))
            elif not name.startswith("xl/worksheets/sheet"):
                assert a.read(name) == b.read(name), name
    formulas_in = _formula_texts(src)
    assert _formula_texts(out) == formulas_in


# ---------------------------------------------------------------------------
# (c) smoke: no #NAME? / #REF! anywhere once the contract functions are bridged
# ---------------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_template_opens_without_name_or_ref_errors(path: Path, office: LibreOffice) -> None:
    """Every formula cell of the template, contract-function cells included, is
    free of ``#NAME?`` and ``#REF!`` in LibreOffice."""
    libre = calculate_with_libreoffice(path, office)
    bad = [
        f"{sheet}!{to_a1(*coord)} {value}"
        for sheet, cells in libre.values.items()
        for coord, value in cells.items()
        if isinstance(value, ExcelError) and value.code in ("#NAME?", "#REF!")
    ]
    assert libre.count() > 0
    assert bad == []


# ---------------------------------------------------------------------------
# (b) random workbooks
# ---------------------------------------------------------------------------

#: Band table on sheet 参数 (starts ascending; rate; label).
BAND_STARTS = (0, 60, 80, 90)
BAND_RATES = (0.01, 0.02, 0.035, 0.05)
BAND_LABELS = ("丁", "丙", "乙", "甲")
CATEGORIES = ("甲", "乙", "丙")
EDGES = (0, 59.999, 60, 79.99, 80, 90, 100)

numbers = st.one_of(
    st.sampled_from(EDGES),  # band edges and ties
    st.integers(-100, 120).map(float),
    st.floats(-1000, 1000, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)
cells = st.one_of(
    numbers,
    numbers,
    numbers,
    st.none(),
    st.sampled_from(["x", "甲", "", "12", "-3.5"]),
    st.sampled_from(["#N/A", "#DIV/0!"]),  # error values in the data
)
# No booleans in the data: LibreOffice has no boolean type (TRUE is the number 1
# with a format), so ISNUMBER(TRUE), SUM over a TRUE cell etc. differ from Excel
# by design there — not a question about our engine.
thresholds = st.sampled_from((*EDGES, -5, 0.5))

#: Formula shapes: ``{r}`` the row, ``{n}`` the last data row, ``{k}`` a threshold,
#: ``{c}`` a category, ``{d}`` digits. Each row of the data gets each chosen shape.
ROW_FORMULAS = (
    "IF(A{r}>={k},\"达标\",\"未达标\")",
    "IF(ISNUMBER(A{r}),A{r}*2,-1)",
    "IFERROR(A{r}/C{r},\"除零\")",
    "ROUND(A{r}*1.005,{d})",
    "ROUNDUP(A{r}/3,{d})",
    "ROUNDDOWN(A{r}/7,{d})",
    "INT(A{r}/3)",
    "ABS(A{r})",
    "MOD(A{r},7)",
    "VLOOKUP(A{r},参数!$A$2:$C$5,2,TRUE)",
    "VLOOKUP(A{r},参数!$A$2:$C$5,3)",
    "_xlfn.IFNA(VLOOKUP(A{r},参数!$A$2:$C$5,2,FALSE),0)",
    "_xlfn.XLOOKUP(A{r},参数!$A$2:$A$5,参数!$B$2:$B$5,\"无\",-1)",
    "_xlfn.XLOOKUP(B{r},参数!$C$2:$C$5,参数!$A$2:$A$5)",
    "INDEX(参数!$B$2:$B$5,MATCH(A{r},参数!$A$2:$A$5,1))",
    "MATCH(A{r},参数!$A$2:$A$5)",
    "_xlfn.RANK.EQ(A{r},$A$2:$A${n})",
    "RANK(A{r},$A$2:$A${n},1)",
    "_xlfn.RANK.AVG(A{r},$A$2:$A${n})",
    "SUMIF($B$2:$B${n},B{r},$C$2:$C${n})",
    "COUNTIF($A$2:$A${n},A{r})",
    "COUNTIFS($B$2:$B${n},B{r},$A$2:$A${n},\">=\"&{k})",
    "SUMIFS($C$2:$C${n},$B$2:$B${n},\"{c}\",$A$2:$A${n},\"<\"&A{r})",
    "AND(A{r}>0,C{r}>0)",
    "OR(A{r}<0,NOT(ISBLANK(B{r})))",
    "ISTEXT(A{r})",
    "LEN(B{r})&\"/\"&LEFT(B{r},1)",
    "TIERED(A{r},参数!$A$2:$B$5,\"超额\")",
    "TIERED(A{r},参数!$A$2:$B$5,\"全额\",\"上含\")",
    "BAND(A{r},参数!$A$2:$C$5,3)",
    "MONEY(A{r}*1.005)",
    "POINT_BONUS(A{r},10)+POINT_BONUS(A{r},10,{{0,0;60,20;80,\"\"}},\"上含\")",
    "WSCORE(A{r}:C{r},{{0.5,0.3,0.2}},{{100,100,100}})",
    "DEDUCT(100,A{r}:C{r},{{1,2,3}},50)",
    "STREAK(A{r}:C{r},\">=\"&{k})",
    "INDEX(RANKX($A$2:$A${n},0,\"dense\"),{r}-1)",
    "INDEX(RANK_PRIZE($A$2:$A${n},{{1,1,300;2,3,100}}),{r}-1)",
    # IFERROR: when ALLOCATE's result is one error (all weights 0), INDEX(<error>,2) is
    # #REF! in our engine and the error itself in LibreOffice; the oracle has no case
    # to say which Excel gives, so that question is kept out of this comparison.
    "IFERROR(INDEX(ALLOCATE(1000,$C$2:$C${n}),{r}-1),\"错\")",
    "HLOOKUP(A{r},参数!$H$1:$K$2,2)",
    "_xlfn.IFS(A{r}>={k},1,A{r}<0,-1,TRUE,0)",
    "_xlfn.XMATCH(A{r},参数!$A$2:$A$5,1)",
    "MID(B{r}&A{r},2,3)&RIGHT(A{r},2)",
    "YEAR(DATE(2024,A{r},1))*100+MONTH(EOMONTH(DATE(2024,1,31),{d}))",
    "DAY(EDATE(DATE(2024,1,31),A{r}))",
    "ISERROR(A{r}*1)+ISNA(MATCH(B{r},参数!$C$2:$C$5,0))",
    "ROW(A{r})+COLUMN(C{r})+COUNTBLANK(A{r}:C{r})",
    "A{r}&\"|\"&C{r}/7",
    "TEXT(A{r},\"0.00\")&TEXT(C{r},\"0%\")",
    "VLOOKUP(A{r},档位表,3)",
    "A{r}/100*100>={k}",
    "SUMIF(B:B,B{r},C:C)+COUNTIF(A:A,\">\"&{k})",
    "SUMPRODUCT(($B$2:$B${n}=B{r})*($A$2:$A${n}>{k}))",
    "-A{r}^2+A{r}%",
    "A{r}=\"12\"",
    "A{r}+1",
    "$A$2:$A${n}*2",  # implicit intersection with this row
    "IF(C$2:C${n}>{k},C$2:C${n},0)",
    "IFERROR(A{r},\"误\")&_xlfn.IFNA(A{r},\"缺\")",
    "ISERROR(A{r})+ISNA(A{r})+ISBLANK(A{r})",
)
SCALAR_FORMULAS = (
    "SUM(A2:A{n})",
    "SUMPRODUCT(A2:A{n},C2:C{n})",
    "COUNT(A2:A{n})",
    "COUNTA(A2:A{n})",
    "COUNTBLANK(A2:A{n})",
    "AVERAGE(C2:C{n})",
    "AVERAGEIF(B2:B{n},\"{c}\",C2:C{n})",
    "AVERAGEIFS(C2:C{n},A2:A{n},\">\"&{k})",
    "MAX(A2:A{n})",
    "MIN(A2:A{n})",
    "_xlfn.MAXIFS(C2:C{n},B2:B{n},\"{c}\")",
    "_xlfn.MINIFS(C2:C{n},A2:A{n},\">=\"&{k})",
    "LARGE(A2:A{n},2)",
    "SMALL(C2:C{n},1)",
    "SUMIF(A2:A{n},\">\"&{k})",
    "COUNTIF(B2:B{n},\"{c}\")",
    "COUNTIFS(A2:A{n},\">=\"&{k},A2:A{n},\"<\"&100)",
    "_xlfn.XMATCH({k},A2:A{n})",
    "_xlfn.TEXTJOIN(\",\",TRUE,B2:B{n})",
    "_xlfn.CONCAT(B2:B{n})",
    "ROWS(A2:A{n})*COLUMNS(A2:C{n})",
    "CHOOSE(2,SUM(C2:C{n}),MAX(C2:C{n}))",
)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, Any]:
    """Data, parameters and a batch of formulas for one generated workbook."""
    rows = draw(st.integers(3, 10))
    return {
        "a": draw(st.lists(cells, min_size=rows, max_size=rows)),
        "b": draw(st.lists(st.one_of(st.sampled_from(CATEGORIES), st.none(), st.just("x")),
                           min_size=rows, max_size=rows)),
        "c": draw(st.lists(st.one_of(numbers, st.none()), min_size=rows, max_size=rows)),
        "row": draw(st.lists(st.sampled_from(ROW_FORMULAS), min_size=6, max_size=14, unique=True)),
        "scalar": draw(st.lists(st.sampled_from(SCALAR_FORMULAS), min_size=4, max_size=10,
                                unique=True)),
        "k": draw(thresholds),
        "c_": draw(st.sampled_from(CATEGORIES)),
        "d": draw(st.integers(0, 2)),
    }


def build(spec: dict[str, Any], path: Path) -> None:
    """Write the generated workbook as an xlsx (openpyxl: formulas without cached values)."""
    wb = openpyxl.Workbook()
    data = wb.active
    assert data is not None
    data.title = "数据"
    params = wb.create_sheet("参数")
    params.append(["起点", "比例", "等级"])
    for row in zip(BAND_STARTS, BAND_RATES, BAND_LABELS, strict=True):
        params.append(list(row))
    for j, (start, rate) in enumerate(zip(BAND_STARTS, BAND_RATES, strict=True)):
        params.cell(1, 8 + j, start)  # the band table across, for HLOOKUP
        params.cell(2, 8 + j, rate)
    wb.defined_names["档位表"] = DefinedName("档位表", attr_text="参数!$A$2:$C$5")
    n = len(spec["a"]) + 1
    data.append(["业绩", "类别", "金额"])
    for a, b, c in zip(spec["a"], spec["b"], spec["c"], strict=True):
        data.append([a, b, c])
    fill = {"n": n, "k": spec["k"], "c": spec["c_"], "d": spec["d"]}
    for j, shape in enumerate(spec["row"]):
        for r in range(2, n + 1):
            data.cell(r, 5 + j, "=" + shape.format(r=r, **fill))
    for i, shape in enumerate(spec["scalar"]):
        data.cell(n + 3 + i, 1, "=" + shape.format(**fill))
    wb.save(path)


#: Where LibreOffice itself departs from Excel (the Excel oracle,
#: the external ``excel-oracle/``, says what Excel does): cells excluded from the
#: random comparison, each with the evidence.
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:E[-+]?\d+)?")
_CRITERIA_A = re.compile(r"(?:COUNT|SUM|AVERAGE)IFS?\([^()]*,(?:\"[<>=]*\"&)?A(\d+)[,)]")
_CONTRACT_OVER_A = re.compile(r"(?:RANKX|RANK_PRIZE)\(\$A\$2:")
_CONTRACT_ON_A = re.compile(
    r"(?:TIERED|BAND|MONEY|POINT_BONUS|WSCORE|DEDUCT|STREAK)\(A(\d+)\b"
)
_LOOKUP_OF_A = re.compile(r"(?:VLOOKUP|HLOOKUP|MATCH|XLOOKUP|XMATCH)\(A(\d+),")


def libreoffice_departs(
    formula: str, data: dict[Any, CellValue], ours: CellValue, theirs: CellValue
) -> str | None:
    """Why LibreOffice, not our engine, is wrong about this cell (``None`` if it is not known to be)."""
    m = _LOOKUP_OF_A.search(formula)
    if m and data.get((int(m.group(1)), 1)) is None:
        # Excel reads a blank lookup value as 0 in an approximate match: the oracle
        # has MATCH(<blank>,{-1.1,2.1,3.1,4.1}) = 1 and HLOOKUP(<blank>,…,2,-2) = 5
        # (sheet LOOKUP, W45 and W65); LibreOffice answers #N/A.
        return "blank lookup value"
    if m and "XLOOKUP" in formula and formula.endswith(",-1)") and isinstance(
        data.get((int(m.group(1)), 1)), str
    ):
        # Excel orders numbers < text < logicals across types in XLOOKUP/XMATCH's
        # approximate modes: the oracle has XMATCH("*b?u*",{FALSE,2.1,TRUE,4.1},-1) = 4
        # (sheet LOOKUP, X173), the largest number below the text; LibreOffice
        # compares text only with text and finds nothing.
        return "text lookup value, next-smaller match over numbers"
    if "RANK" in formula and not any(
        isinstance(v, float) and c[1] == 1 and c[0] > 1 for c, v in data.items()
    ):
        # A rank in a column that holds no number: the number is not in ref, which
        # Excel answers with #N/A (oracle: RANK.EQ(2,C90:F90,1) = #N/A, sheet
        # STATISTICAL R90); LibreOffice answers #VALUE!.
        return "rank over a column without numbers"
    if isinstance(ours, str) and isinstance(theirs, str) and _NUMBER.split(ours) == _NUMBER.split(
        theirs
    ):
        a, b = _NUMBER.findall(ours), _NUMBER.findall(theirs)
        if len(a) == len(b) and all(
            math.isclose(float(x), float(y), rel_tol=2e-14) for x, y in zip(a, b, strict=True)
        ):
            # A number turned into text: Excel writes the double's 15 significant
            # digits (59.999/7 = 8.5712857142857146… → "8.57128571428571");
            # LibreOffice rounds its shortest form 8.571285714285715 again and
            # writes "…572" — a double rounding in the last digit.
            return "last of 15 digits when a number becomes text"
    row_a = _CONTRACT_ON_A.search(formula)
    if (_CONTRACT_OVER_A.search(formula) and any(
        isinstance(v, ExcelError) and c[1] == 1 for c, v in data.items()
    )) or (row_a and isinstance(data.get((int(row_a.group(1)), 1)), ExcelError)):
        # Not a spreadsheet question but the bridge's limit: LibreOffice hands no
        # error value (alone or in a range) to a Basic function; the call itself
        # becomes that error, while the kernel may check its other arguments first,
        # or give the error to that row only.
        return "contract function over a range holding an error (bridge limit)"
    if re.match(r"IFERROR\(A\d+,.*IFNA\(A\d+,", formula) and isinstance(ours, str) and "0" in ours:
        # Not LibreOffice: the built-in engine's known bug, pinned by
        # test_blank_passed_through_by_lookups_and_iferror below.
        return "built-in bug: IFERROR/IFNA of a blank cell gives 0, not the blank"
    kinds = {v.code for c, v in data.items() if isinstance(v, ExcelError) and c[1] == 1}
    if len(kinds) > 1 and isinstance(ours, ExcelError) and isinstance(theirs, ExcelError):
        # Several error kinds in one range: Excel gives the first in reading order
        # (oracle: SUMIF(K73:L73,K73,M73:N73) = #DIV/0! over M73 #DIV/0!, N73 #NAME?,
        # sheet MATH & TRIG AB73); LibreOffice may give another one.
        return "which of several errors"
    if "RANK" in formula and kinds and isinstance(ours, ExcelError) and isinstance(theirs, ExcelError):
        # The number argument is checked before the errors in ref: the oracle has
        # RANK.EQ(#N/A,E90:L90,1) = #N/A although K90 holds #VALUE! (sheet
        # STATISTICAL AA90), so text "x" as the number is #VALUE! there; LibreOffice
        # answers with the error in ref.
        return "rank: the number's problem before ref's errors"
    criteria = _CRITERIA_A.search(formula)
    if (
        criteria
        and isinstance(data.get((int(criteria.group(1)), 1)), ExcelError)
        and isinstance(theirs, ExcelError)
    ):
        # An error value as the criteria ("<"&#N/A is #N/A) matches the same error in
        # the range: the oracle has COUNTIF(K24:L24,K24) = 1 with K24 = #VALUE!
        # (sheet STATISTICAL AB24); LibreOffice returns the criteria's error instead.
        return "error value as criteria"
    if (
        formula.startswith(("LARGE(", "SMALL("))
        and isinstance(ours, ExcelError) and ours.code == "#NUM!"
        and isinstance(theirs, ExcelError) and theirs.code == "#VALUE!"
    ):
        # k beyond the count of numbers: Excel documents #NUM! for LARGE/SMALL;
        # LibreOffice's "invalid argument" reaches xlsx as #VALUE!.
        return "LARGE/SMALL with k beyond the data"
    return None


def fuzz_settings(examples: int) -> settings:
    """CI runs a fixed, small set of ``examples``; ``JIXIAO_LO_EXAMPLES=200``
    explores more (and new ones each run). No shrinking: a batch of cells is
    its own report, and LibreOffice is too slow to shrink against."""
    more = os.environ.get("JIXIAO_LO_EXAMPLES")
    return settings(
        max_examples=int(more or examples),
        deadline=None,
        derandomize=more is None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.libreoffice
@fuzz_settings(12)
@given(spec=workbooks())
def test_random_workbooks_agree(spec: dict[str, Any], office: LibreOffice, tmp_path: Path) -> None:
    """Random data through a random batch of Excel and contract functions: both
    engines agree in every formula cell."""
    path = tmp_path / "random.xlsx"
    build(spec, path)
    builtin = calculate(read_workbook(path))
    libre = calculate_with_libreoffice(path, office)
    assert builtin.count() == libre.count() > 0
    formulas = _formula_texts(path)
    data = read_workbook(path).sheet("数据").values
    for sheet, cells in formulas.items():
        for coord, text in cells.items():
            ours, theirs = builtin.values[sheet][coord], libre.values[sheet][coord]
            if not same(ours, theirs) and libreoffice_departs(text, data, ours, theirs):
                libre.values[sheet][coord] = builtin.values[sheet][coord]
    assert disagreements(builtin, libre, formulas) == []


# ---------------------------------------------------------------------------
# Disagreements where the built-in engine is wrong (regression tests)
# ---------------------------------------------------------------------------


def test_blank_passed_through_by_lookups_and_iferror(tmp_path: Path) -> None:
    """A blank cell returned by VLOOKUP, IFERROR or IFNA stays blank for the formula
    around it: ``&""`` gives ``""`` and ``LEN`` 0, as in Excel and LibreOffice
    (a cell showing the result alone still shows 0)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws["B1"], ws["B2"] = "k", "j"  # C1:C2 blank
    ws["D1"] = '=VLOOKUP("j",B1:C2,2,FALSE)&""'
    ws["D2"] = '=IFERROR(A9,"x")&""'
    ws["D3"] = '=_xlfn.IFNA(A9,"x")&""'
    ws["D4"] = '=LEN(IFERROR(A9,"x"))'
    ws["D5"] = '=IFERROR(A9,"x")'
    ws["D6"] = '=VLOOKUP("j",B1:C2,2,FALSE)=""'  # Exceljet's "if blank return blank" test
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    got = calculate(read_workbook(path)).values["S"]
    assert [got[(r, 4)] for r in range(1, 7)] == ["", "", "", 0.0, 0.0, True]
