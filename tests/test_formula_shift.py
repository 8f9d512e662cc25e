"""Moving a formula's text as Excel fills it (:mod:`addin.xlsx.formula_shift`),
against hand-worked cases and, on every shared formula of a real Excel file,
against openpyxl's translator (an independent implementation)."""

from __future__ import annotations

import pytest
from external import SharedDir
from lxml import etree
from openpyxl.formula.translate import Translator
from xlsx_helpers import MAIN

from addin.xlsx.a1 import from_a1
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.workbook import open_workbook, read_workbook


@pytest.mark.parametrize(
    ("text", "drow", "dcol", "expected"),
    [
        ("A1+B2", 1, 0, "A2+B3"),
        ("$A$1+A$1+$A1", 2, 2, "$A$1+C$1+$A3"),
        ("SUM(B2:C3)", 0, 1, "SUM(C2:D3)"),
        ('IF(A1="A1",1,0)', 1, 0, 'IF(A2="A1",1,0)'),
        ("'My Sheet'!A1+Sheet2!B$2", 1, 1, "'My Sheet'!B2+Sheet2!C$2"),
        ("LOG10(A1)", 1, 0, "LOG10(A2)"),
        ("SUM(A:A)+SUM($B:C)", 0, 1, "SUM(B:B)+SUM($B:D)"),
        ("SUM(1:2)+SUM($3:4)", 1, 0, "SUM(2:3)+SUM($3:5)"),
        ("Table1[[#This Row],[A1]]+A1", 1, 0, "Table1[[#This Row],[A1]]+A2"),
        ("_xlfn.RANK.EQ(B2,$B$2:$B$9)", 3, 0, "_xlfn.RANK.EQ(B5,$B$2:$B$9)"),
        ("A1-1", -1, 0, "#REF!-1"),
        ("参数!B2*1.5E+3", 1, 0, "参数!B3*1.5E+3"),
        ("TRUE+a1", 1, 0, "TRUE+a2"),
    ],
)
def test_shift_formula(text: str, drow: int, dcol: int, expected: str) -> None:
    """Relative references move, anchored parts, strings, names and functions do not."""
    assert shift_formula(text, drow, dcol).upper() == expected.upper()


def test_shared_formulas_match_an_independent_translator(shared_dir: SharedDir) -> None:
    """Every one of the 8,102 shared-formula children in formulas-test.xlsx expands to
    the text openpyxl's translator gives (an independent implementation)."""
    path = shared_dir / "excel-oracle" / "formulas-test.xlsx"
    wb = read_workbook(path)
    checked = 0
    ns = {"m": MAIN}
    with open_workbook(path) as pkg:
        for sp in pkg.sheet_parts:
            root = etree.fromstring(pkg.read(sp.part))
            cells = [(c.get("r"), c.find("m:f", ns)) for c in root.iterfind(".//m:c", ns)]
            shared = [(r, f) for r, f in cells if f is not None and f.get("t") == "shared"]
            masters = {f.get("si"): (r, f.text) for r, f in shared if f.text}
            sheet = wb.sheet(sp.name)
            for ref, f in shared:
                if f.text:
                    continue
                origin, text = masters[f.get("si")]
                expected = Translator("=" + text, origin=origin).translate_formula(ref)
                assert sheet.formulas[from_a1(ref)].text == expected[1:], ref
                checked += 1
    assert checked == 8102


def test_formula_shift_doctests() -> None:
    """The examples in :mod:`addin.xlsx.formula_shift` hold."""
    import doctest

    from addin.xlsx import formula_shift

    result = doctest.testmod(formula_shift, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
