"""The workbook part (:mod:`addin.xlsx.workbook`) and the tables it reaches
(:mod:`addin.xlsx.tables`): defined names with their scopes, tables with
their columns, and the calculation state every output declares."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from external import SharedDir
from xlsx_helpers import PKG, REL, assert_unreadable, make_xlsx

from addin.xlsx.a1 import from_a1
from addin.xlsx.workbook import EXCEL_CALC_ID, declare_calculated, read_workbook


def test_tables_and_their_columns(shared_dir: SharedDir) -> None:
    """Tables come from the sheet relationships with their area and column names."""
    wb = read_workbook(shared_dir / "excel-files" / "table10.xlsx")
    (table,) = wb.tables
    assert table.name == "Table1"
    assert table.sheet == "Sheet1"
    assert (table.first, table.last) == ((3, 2), (6, 11))
    assert table.columns == tuple(f"Column{i}" for i in range(1, 11))
    assert (table.header_rows, table.totals_rows) == (1, 1)  # totalsRowCount="1"
    (t34,) = read_workbook(shared_dir / "excel-files" / "table34.xlsx").tables
    assert (t34.first, t34.last, t34.totals_rows) == ((2, 3), (6, 6), 0)
    f34 = read_workbook(shared_dir / "excel-files" / "table34.xlsx").sheet("Sheet1").formulas
    assert f34[from_a1("F3")].text == "Table1[[#This Row],[Column3]]"


def test_defined_names_workbook_and_sheet_scope(shared_dir: SharedDir) -> None:
    """Workbook names keep their text; ``localSheetId`` becomes the sheet's name."""
    wb = read_workbook(shared_dir / "excel-oracle" / "excel-computed.xlsx")
    names = {(n.name, n.sheet): n.text for n in wb.names}
    assert names[("a", None)] == "CORE!$B$2:$C$3"
    assert names[("h", None)] == "CORE!$K$4:$K$6 CORE!$J$5:$L$5"
    assert names[("_xlnm._FilterDatabase", "EXTRA")] == "EXTRA!$T$2:$AR$17"
    assert len(wb.names) == 16


def test_output_declares_itself_calculated() -> None:
    """By default ``fullCalcOnLoad`` goes and ``calcId`` rises to Excel's current
    engine (an older id makes Excel recalculate everything on open: ``#NAME?``
    for every contract function without the add-in); a newer id is kept."""
    openpyxl_made = b'<workbook><sheets/><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    assert declare_calculated(openpyxl_made) == (
        f'<workbook><sheets/><calcPr calcId="{EXCEL_CALC_ID}"/></workbook>'.encode()
    )
    newer = b'<x:workbook><x:calcPr calcId="999999"/></x:workbook>'
    assert declare_calculated(newer) == newer
    assert declare_calculated(b"<workbook><sheets></sheets></workbook>") == (
        f'<workbook><sheets></sheets><calcPr calcId="{EXCEL_CALC_ID}"/></workbook>'.encode()
    )


def test_binary_workbook_is_refused_and_a_stray_bin_is_not(tmp_path: Path) -> None:
    """A package whose workbook is ``xl/workbook.bin`` (.xlsb) is refused naming
    the format; an XML workbook that merely carries a part of that name is read."""
    made = make_xlsx(
        tmp_path / "made.xlsx",
        {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'},
        extra_parts={"xl/workbook.bin": b"\x83\x01\x00"},
    )
    xlsb = tmp_path / "book.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(xlsb, "w") as dst:
        for name in src.namelist():  # the package's workbook is the binary part
            dst.writestr(
                name,
                src.read(name)
                if name != "_rels/.rels"
                else (
                    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                    f'Type="{REL}/officeDocument" Target="xl/workbook.bin"/></Relationships>'
                ),
            )
    assert_unreadable(xlsb, ".xlsb")
    stray = make_xlsx(
        tmp_path / "stray.xlsx",
        {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'},
        extra_parts={"xl/workbook.bin": b"\x83\x01\x00"},
    )
    assert read_workbook(stray).sheet("S").values.get((1, 1)) == 1


@pytest.mark.parametrize("given", ["", "application/xml"])
def test_a_shared_strings_part_without_its_type_is_refused_naming_it(tmp_path: Path, given: str) -> None:
    """Applications find the shared strings by their content type: with the
    ``Override`` deleted (or another type) openpyxl saw no table and could not
    open the output (``make fuzz``); refused naming the part and the type."""
    path = make_xlsx(tmp_path / "s.xlsx", {"S": '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'},
                     shared_strings="<si><t>x</t></si>")  # fmt: skip
    assert read_workbook(path).sheet("S").values[(1, 1)] == "x"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sst = b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"'
    types = parts["[Content_Types].xml"].replace(sst, f'ContentType="{given}"'.encode())
    if not given:  # the Override deleted: the Default application/xml applies
        types = re.sub(rb'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', b"", types)
    parts["[Content_Types].xml"] = types
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    assert_unreadable(path, "[Content_Types].xml", "/xl/sharedStrings.xml", "not a shared-strings table's")
