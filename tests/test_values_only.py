"""The values-only copy and the repair of single formulas
(:mod:`addin.xlsx.values_only`)."""

from __future__ import annotations

import doctest
import zipfile
from pathlib import Path

import openpyxl
from xlsx_helpers import BOOK_TYPE, MAIN, PKG, REL, make_xlsx

import addin.xlsx.values_only as values_only
from addin.xlsx.model import Repair
from addin.xlsx.package_writer import Deflated, write_package
from addin.xlsx.workbook import open_workbook, read_workbook

CHAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"


def test_values_only_doctests() -> None:
    result = doctest.testmod(values_only, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def _book_with_calc_chain(path: Path) -> Path:
    """Two sheets, the first with a text formula Excel drops (``t="str"``, a
    ``cm``) beside a sound one, and a ``calcChain.xml`` listing both."""
    sheets = {
        "S": '<row r="1"><c r="A1" t="str" cm="1"><f> </f><v>abc</v></c>'
        '<c r="B1"><f>LEN(A1)</f><v>3</v></c></row>',
        "T": '<row r="1"><c r="A1"><f si="0"/><v>7</v></c></row>',
    }
    rels = (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/calcChain" Target="calcChain.xml"/></Relationships>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        f'<Override PartName="/xl/calcChain.xml" ContentType="{CHAIN_TYPE}"/></Types>'
    )
    chain = f'<calcChain xmlns="{MAIN}"><c r="A1" i="1"/><c r="B1"/><c r="A1" i="2"/></calcChain>'
    return make_xlsx(path, sheets, extra_parts={
        "xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": types.encode(),
        "xl/calcChain.xml": chain.encode(),
    })  # fmt: skip


def test_the_repair_excel_makes_is_made_in_the_parts_written(tmp_path: Path) -> None:
    """Each repaired cell loses its formula and keeps its value (a text result
    becoming an inline string: ``t="str"`` belongs to formula cells); the other
    formulas stay; ``calcChain.xml`` goes with its relationship and type; the
    copy opens in openpyxl and reads back with nothing left to repair."""
    src = _book_with_calc_chain(tmp_path / "in.xlsx")
    wb = read_workbook(src)
    assert [r.where for r in wb.repairs] == ["S!A1", "T!A1"]
    out = tmp_path / "out.xlsx"
    with open_workbook(src) as package:
        changed: dict[str, bytes | Deflated] = {}
        removed = values_only.repair_formulas(package, changed, wb.repairs)
        write_package(src, package, changed, out, removed=removed)
    assert removed == {"xl/calcChain.xml"}
    with zipfile.ZipFile(out) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in z.read("[Content_Types].xml")
        s = z.read("xl/worksheets/sheet1.xml")
    assert b'<c r="A1" t="inlineStr"><is><t xml:space="preserve">abc</t></is></c>' in s
    assert b"<f>LEN(A1)</f>" in s
    again = read_workbook(out)
    assert again.repairs == []
    assert again.sheet("S").values[(1, 1)] == "abc"
    assert again.sheet("T").values[(1, 1)] == 7.0
    assert list(again.sheet("S").formulas) == [(1, 2)]
    book = openpyxl.load_workbook(out)
    assert book["S"]["A1"].value == "abc"
    assert book["S"]["B1"].value == "=LEN(A1)"


def test_no_repair_changes_nothing_and_a_repair_touches_only_its_cell(tmp_path: Path) -> None:
    """Without repairs no part changes (calcChain kept); a repair on one
    sheet leaves the same address on another sheet alone."""
    src = _book_with_calc_chain(tmp_path / "in.xlsx")
    with open_workbook(src) as package:
        changed: dict[str, bytes | Deflated] = {}
        assert values_only.repair_formulas(package, changed, []) == frozenset()
        assert changed == {}
        values_only.repair_formulas(package, changed, [Repair("t", "A1", "x / x")])  # case-insensitive
        assert set(changed) == {"xl/worksheets/sheet2.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
        assert b"<f si=" not in changed["xl/worksheets/sheet2.xml"]
