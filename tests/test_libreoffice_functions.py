"""A differential fuzzer of the built-in functions against LibreOffice (issue 24, point 4).

Each example is one workbook: a data column of every kind of value (numbers of
every magnitude and sign, 0, blanks, text numbers, text, error values) and a
batch of formulas ``FN(arg, …)`` — a function both engines implement, called
with random arguments: literals (numbers, texts, logicals, errors, array
constants), single cells, a column, a row, a 2-D range, a range holding blanks
and errors. The built-in engine and LibreOffice compute the same cells; every
cell where they differ must be explained by :data:`DEPARTURES` — a documented
place where LibreOffice differs from Excel (each entry gives its source) —
else it is a bug of the built-in engine and the test fails, naming it.

Bounded in ``make test`` (a fixed handful of examples); ``make fuzz-excel`` sets
``JIXIAO_LO_EXAMPLES`` for a long run with fresh examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_libreoffice_diff import fuzz_settings, office, same

from addin.refresh.engine import calculate
from addin.refresh.libreoffice import LibreOffice, calculate_with_libreoffice
from addin.xlsx.model import CellValue
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError

__all__ = ["office"]  # the module's LibreOffice fixture, shared with test_libreoffice_diff

#: The data column D!A1:A14 every formula may read (no logicals: LibreOffice
#: stores TRUE as the number 1, a documented difference of its own).
DATA: list[Any] = [1.0, -2.5, 0.0, None, "12", "abc", 1e10, -1e-5, 123456.789, 45292.0,
                   "", "#N/A", 3.0, "#DIV/0!"]  # fmt: skip
LITERALS = ["0", "1", "-1", "2.5", "-2.5", "0.5", "3", "10", "1E+10", "1E-10", '"abc"', '"12"',
            '""', "TRUE", "FALSE", "#N/A", "{1,2,3}", "{1;-2}"]  # fmt: skip
REFS = ["D!A1", "D!A2", "D!A3", "D!A4", "D!A5", "D!A6", "D!A7", "D!A9", "D!A10", "D!A12",
        "D!A1:A3", "D!A1:A14", "D!A1:C1", "D!A1:B3", "D!A7:A10"]  # fmt: skip

#: (name as stored, least and most arguments): functions both engines compute.
FUNCTIONS: list[tuple[str, int, int]] = [
    ("ABS", 1, 1), ("SIGN", 1, 1), ("INT", 1, 1), ("TRUNC", 1, 2), ("ROUND", 2, 2),
    ("ROUNDUP", 2, 2), ("ROUNDDOWN", 2, 2), ("MROUND", 2, 2), ("MOD", 2, 2), ("POWER", 2, 2),
    ("SQRT", 1, 1), ("EXP", 1, 1), ("LN", 1, 1), ("LOG10", 1, 1), ("LOG", 1, 2), ("FACT", 1, 1),
    ("EVEN", 1, 1), ("ODD", 1, 1), ("CEILING", 2, 2), ("FLOOR", 2, 2), ("GCD", 1, 3),
    ("LCM", 1, 3), ("QUOTIENT", 2, 2), ("COMBIN", 2, 2), ("SIN", 1, 1), ("COS", 1, 1),
    ("ATAN2", 2, 2), ("DEGREES", 1, 1), ("RADIANS", 1, 1), ("SUM", 1, 3), ("PRODUCT", 1, 3),
    ("SUMSQ", 1, 2), ("AVERAGE", 1, 3), ("AVERAGEA", 1, 2), ("MAX", 1, 3), ("MIN", 1, 3),
    ("MAXA", 1, 2), ("MINA", 1, 2), ("COUNT", 1, 3), ("COUNTA", 1, 3), ("MEDIAN", 1, 2),
    ("STDEV", 1, 2), ("VAR", 1, 2), ("STDEVP", 1, 2), ("VARP", 1, 2), ("LARGE", 2, 2),
    ("SMALL", 2, 2), ("SLOPE", 2, 2), ("INTERCEPT", 2, 2), ("CORREL", 2, 2),
    ("LEN", 1, 1), ("LEFT", 1, 2), ("RIGHT", 1, 2), ("MID", 3, 3), ("UPPER", 1, 1),
    ("LOWER", 1, 1), ("TRIM", 1, 1), ("REPT", 2, 2), ("EXACT", 2, 2), ("FIND", 2, 3),
    ("SEARCH", 2, 3), ("SUBSTITUTE", 3, 4), ("REPLACE", 4, 4), ("CHAR", 1, 1), ("CODE", 1, 1),
    ("VALUE", 1, 1), ("T", 1, 1), ("N", 1, 1), ("FIXED", 1, 3), ("CONCATENATE", 1, 3),
    ("IF", 1, 3), ("AND", 1, 3), ("OR", 1, 3), ("NOT", 1, 1), ("IFERROR", 2, 2),
    ("ISNUMBER", 1, 1), ("ISTEXT", 1, 1), ("ISBLANK", 1, 1), ("ISERROR", 1, 1), ("ISNA", 1, 1),
    ("ISEVEN", 1, 1), ("ISODD", 1, 1), ("CHOOSE", 2, 4), ("DATE", 3, 3), ("YEAR", 1, 1),
    ("MONTH", 1, 1), ("DAY", 1, 1), ("WEEKDAY", 1, 2), ("EDATE", 2, 2), ("EOMONTH", 2, 2),
    ("DAYS360", 2, 3), ("HOUR", 1, 1), ("TIME", 3, 3), ("PMT", 3, 5), ("PV", 3, 5),
    ("FV", 3, 5), ("NPV", 2, 3), ("SLN", 3, 3), ("COUNTIF", 2, 2), ("SUMIF", 2, 3),
    ("ROWS", 1, 1), ("COLUMNS", 1, 1), ("INDEX", 2, 3), ("MATCH", 2, 3),
]  # fmt: skip


#: Where LibreOffice departs from Excel, by function: (test, reason with its
#: source). ``test(formula, ours, theirs)`` says whether the difference is that one.
Departure = Callable[[str, CellValue, CellValue], bool]


def _both_errors(_f: str, ours: CellValue, theirs: CellValue) -> bool:
    return isinstance(ours, ExcelError) and isinstance(theirs, ExcelError)


def _theirs_error(_f: str, _ours: CellValue, theirs: CellValue) -> bool:
    return isinstance(theirs, ExcelError)


def _literal_logical(formula: str, _o: CellValue, _t: CellValue) -> bool:
    return bool(re.search(r"[(,](TRUE|FALSE)[,)]", formula))


def _text_number_direct(formula: str, _o: CellValue, _t: CellValue) -> bool:
    return '"12"' in formula or "D!A5" in formula or '""' in formula or "D!A11" in formula


def _single_value(formula: str, _o: CellValue, theirs: CellValue) -> bool:
    return isinstance(theirs, ExcelError) and not re.search(r"D!A\d+:|\{", formula)


def _tiny_rate(formula: str, _o: CellValue, _t: CellValue) -> bool:
    return formula.startswith(("PMT(1E-10", "PV(1E-10", "FV(1E-10"))


def _two_d_range(formula: str, ours: CellValue, _t: CellValue) -> bool:
    return isinstance(ours, ExcelError) and "D!A1:B3" in formula


def _negative_date(formula: str, ours: CellValue, _t: CellValue) -> bool:
    return isinstance(ours, ExcelError) and ours.code == "#NUM!" and bool(
        re.search(r"\((D!A2|D!A8|-1|-2\.5|D!A1:C1)\b", formula)
    )


def _huge_digits(formula: str, _o: CellValue, theirs: CellValue) -> bool:
    return isinstance(theirs, ExcelError) and "1E+10" in formula


DEPARTURES: list[tuple[str, Departure, str]] = [
    ("*", _two_d_range,
     "implicit intersection of a 2-D range (D!A1:B3) in a value's place: Excel "
     "intersects a range only along one row or column (Microsoft's implicit "
     "intersection page: 'the cell on the same row or column as the formula'; "
     "IronCalc's implicit_intersection.rs gives no cell for a 2-D range), so "
     "#VALUE!; LibreOffice picks the cell at both the row and the column"),
    ("*", _negative_date,
     "a negative serial as a date: Excel's 1900 date system starts at serial 1 "
     "(Microsoft: 'dates before 1900 are not supported'; YEAR/MONTH/HOUR/EDATE of "
     "a negative number are #NUM!), LibreOffice counts back before 1899-12-30"),
    ("INDEX", lambda f, o, t: isinstance(t, ExcelError) and "{" in f,
     "an array constant where INDEX takes one number: in a (non-array) Excel "
     "formula the array's top-left value is used (Microsoft's implicit "
     "intersection page: 'if the value is an array, pick the top-left value'), "
     "LibreOffice answers #REF!"),
    ("MATCH", _single_value, "as ROWS: a single value is a 1×1 lookup array in Excel"),
    ("TRUNC", _huge_digits,
     "num_digits of 1E+10: more digits than a double holds leave the number "
     "unchanged (Microsoft's TRUNC/ROUND pages put no bound on num_digits); "
     "LibreOffice reads num_digits as a 16-bit integer and answers #VALUE!"),
    ("ROUND", _huge_digits, "as TRUNC"),
    ("DATE", lambda f, o, t: bool(re.match(r"DATE\((\{[^}]*\}|-?[0-9.]+(E[-+]?\d+)?|TRUE|FALSE|D!A)", f)),
     "a year below 1900: Excel adds 1900 to it (Microsoft's DATE page: 'if year "
     "is between 0 and 1899, Excel adds that value to 1900'), LibreOffice reads "
     "0–99 through its two-digit-year setting (1930–2029) and takes other "
     "years as they are"),
    *(
        (fn, lambda f, o, t: bool(re.search(r"[(,](-?\d|D!A(1|2|3|13)\b|\{|TRUE|FALSE)", f)),
         "a serial number before 1900-03-01 as a date: Excel counts the fictitious "
         "1900-02-29 (Microsoft: 'Excel incorrectly assumes that 1900 is a leap "
         "year'), so serial 1 is 1900-01-01; LibreOffice's calendar has no such day "
         "and serial 1 is 1899-12-31")
        for fn in ("YEAR", "MONTH", "DAY", "WEEKDAY", "EDATE", "EOMONTH", "DAYS360", "DATE")
    ),
    ("MROUND", lambda f, o, t: isinstance(o, ExcelError) and o.code == "#NUM!",
     "number and multiple of different signs: #NUM! (Microsoft's MROUND page: "
     "'if number and multiple have different signs, MROUND returns #NUM!'); "
     "LibreOffice rounds to the multiple's magnitude"),
    ("ISEVEN", lambda f, o, t: isinstance(t, ExcelError) and "D!A4" in f,
     "a blank cell is 0 to Excel's number arguments (ISEVEN(blank) is TRUE); "
     "LibreOffice's ISEVEN/ISODD answer #VALUE! for an empty cell"),
    ("ISODD", lambda f, o, t: isinstance(t, ExcelError) and "D!A4" in f, "as ISEVEN"),
    ("EDATE", lambda f, o, t: isinstance(o, ExcelError) and "{" in f,
     "an array where EDATE/EOMONTH take one date or month count: #VALUE! in "
     "Excel (the Excel oracle, excel-oracle in the external material, recorded as the "
     "function's no_lift flag), LibreOffice applies it per element"),
    ("EOMONTH", lambda f, o, t: isinstance(o, ExcelError) and "{" in f, "as EDATE"),
    ("TIME", lambda f, o, t: bool(re.search(r"[(,]-?\d*\.\d|E-10", f)),
     "a fractional hour, minute or second: Excel truncates each to an integer "
     "(Microsoft's TIME page: 'a number from 0 to 32767'; TIME(0.5,10,0) is "
     "0:10), LibreOffice's ScTime (sc/source/core/tool/interpr2.cxx) adds the "
     "fractions (0:40)"),
    ("ROUNDUP", _huge_digits, "as TRUNC"),
    ("ROUNDDOWN", _huge_digits, "as TRUNC"),
    ("ROWS", _single_value,
     "a single value where an array is expected is a 1×1 array in Excel (ROWS(5) "
     "is 1; Microsoft's ROWS page: 'array — an array, an array formula, or a "
     "reference'); LibreOffice's ScRows (sc/source/core/tool/interpr1.cxx) takes "
     "only references and matrices and answers #VALUE!"),
    ("COLUMNS", _single_value, "as ROWS"),
    ("PMT", _tiny_rate,
     "a rate of 1E-10: LibreOffice evaluates (1+rate)^nper − 1 through log1p/expm1 "
     "(sc/source/core/tool/interpr2.cxx, ScGetPMT), the engine the annuity "
     "equation as Microsoft's PV page writes it, so the two part in the 8th digit"),
    ("PV", _tiny_rate, "as PMT"),
    ("FV", _tiny_rate, "as PMT"),
    ("*", _literal_logical,
     "LibreOffice has no logical type: TRUE is the number 1 with a format, so a "
     "logical argument reads as a number where Excel's reference gives #VALUE! or "
     "skips it (LibreOffice help, 'Boolean values'; Excel: e.g. COUNT/SUM ignore "
     "logicals in references)"),
    ("*", _text_number_direct,
     "a text number or an empty text given as an argument: Excel converts "
     "direct text (Microsoft: 'text representations of numbers that you type "
     "directly are counted'), LibreOffice's default setting 'Conversion from text "
     "to number: Generate #VALUE! error' or 'Treat as zero' differs"),
    ("*", _both_errors,
     "both give an error, of another kind: LibreOffice maps its own error codes "
     "(Err:502 'invalid argument') to #VALUE!/#NUM! on export where Excel "
     "documents the other (e.g. LARGE beyond the data: Excel #NUM!)"),
]  # fmt: skip


def explained(formula: str, ours: CellValue, theirs: CellValue) -> str | None:
    """The documented departure this difference is, or ``None`` (a bug)."""
    name = formula.split("(", 1)[0]
    for fn, test, reason in DEPARTURES:
        if fn in ("*", name) and test(formula, ours, theirs):
            return reason
    return None


@st.composite
def calls(draw: st.DrawFn) -> str:
    name, least, most = draw(st.sampled_from(FUNCTIONS))
    n = draw(st.integers(least, most))
    args = [draw(st.one_of(st.sampled_from(LITERALS), st.sampled_from(REFS))) for _ in range(n)]
    return f"{name}({','.join(args)})"


def build(formulas: list[str], path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "F"
    data = wb.create_sheet("D")
    for r, v in enumerate(DATA, start=1):
        if v is None:
            continue
        if isinstance(v, str) and v.startswith("#"):
            data.cell(r, 1, "=" + ("NA()" if v == "#N/A" else "1/0"))
        else:
            data.cell(r, 1, v)
        data.cell(r, 2, r)
        data.cell(r, 3, -r / 4)
    for i, f in enumerate(formulas, start=1):
        ws.cell(i, 1, "=" + f)
    wb.save(path)


@pytest.mark.libreoffice
@fuzz_settings(4)
@given(formulas=st.lists(calls(), min_size=25, max_size=40, unique=True))
def test_functions_agree_with_libreoffice(
    formulas: list[str], office: LibreOffice, tmp_path: Path
) -> None:
    """Every difference from LibreOffice is a documented LibreOffice departure."""
    bugs = unexplained(formulas, office, tmp_path)
    assert not bugs, "\n".join(bugs)


def unexplained(formulas: list[str], office: LibreOffice, folder: Path) -> list[str]:
    """The cells of one batch where the engines differ with no documented reason."""
    path = folder / "functions.xlsx"
    build(formulas, path)
    ours = calculate(read_workbook(path)).values["F"]
    theirs = calculate_with_libreoffice(path, office).values["F"]
    bugs = []
    for i, f in enumerate(formulas, start=1):
        a, b = ours.get((i, 1)), theirs.get((i, 1))
        if not same(a, b) and explained(f, a, b) is None:
            bugs.append(f"={f}: engine {a!r}, LibreOffice {b!r}")
    return bugs


@pytest.mark.libreoffice
def test_last_row_idioms_agree_with_libreoffice(office: LibreOffice, tmp_path: Path) -> None:
    """``LOOKUP(2,1/(A:A<>""),ROW(A:A))`` in a normal formula and
    ``MAX(IF(A:A<>"",ROW(A:A)))`` as an array formula: the engine's values are
    LibreOffice's (and the Excel values tests/test_fn_look.py states)."""
    from openpyxl.worksheet.formula import ArrayFormula
    from test_fn_look import LAST_ROW_ARRAYS, LAST_ROW_DATA, LAST_ROW_IDIOMS

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    for a1, v in LAST_ROW_DATA.items():
        ws[a1] = v
    cells = {}
    for i, (formula, _want) in enumerate(LAST_ROW_IDIOMS, start=1):
        ws[f"D{i}"] = "=" + formula
        cells[(i, 4)] = formula
    for i, (formula, _want) in enumerate(LAST_ROW_ARRAYS, start=1):
        ws[f"E{i}"] = ArrayFormula(f"E{i}", "=" + formula)
        cells[(i, 5)] = formula
    path = tmp_path / "last_row.xlsx"
    wb.save(path)
    ours = calculate(read_workbook(path)).values["S"]
    theirs = calculate_with_libreoffice(path, office).values["S"]
    wants = dict(LAST_ROW_IDIOMS + LAST_ROW_ARRAYS)
    got = {f: (ours.get(c), theirs.get(c)) for c, f in cells.items()}
    assert got == {f: (wants[f], wants[f]) for f in cells.values()}
