"""The workbook part (:mod:`addin.xlsx.workbook`) and the tables it reaches
(:mod:`addin.xlsx.tables`): defined names with their scopes, tables with
their columns, and the calculation state every output declares."""

from __future__ import annotations

from external import SharedDir

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
