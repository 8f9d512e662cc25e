"""The streamed workbook writer (:mod:`addin.xlsx.streamed`): what a row says
is what openpyxl reads back, however the row was given."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from addin.xlsx.sheetxml import decode_xstring
from addin.xlsx.streamed import Look, Row, StreamedSheet, Styled, write_book

MONEY = Look(number_format="#,##0.00", bold=True)
FILL = Look(fill="FFF2CC")


def _read(cells: tuple[object, ...]) -> list[object]:
    """Values as Excel reads them (openpyxl leaves ``_xHHHH_`` escapes as they are)."""
    return [decode_xstring(v) if isinstance(v, str) else v for v in cells]


def _book(rows: list[object], tmp_path: Path, name: str) -> tuple[Path, str]:
    """The workbook of ``rows`` on one sheet, and its sheet part's XML."""
    buf = io.BytesIO()
    write_book(buf, [StreamedSheet("S", rows)])  # type: ignore[arg-type]
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    with zipfile.ZipFile(path) as zf:
        return path, zf.read("xl/worksheets/sheet1.xml").decode()


def test_looks_given_per_row_write_what_styled_values_write(tmp_path: Path) -> None:
    """A row of plain values with its ``looks`` is the same sheet (cells,
    styles, the blank cell keeping its look) as the row of :class:`Styled`."""
    values = ["工号 E1", 1234.5, None, True, "a & b < c"]
    looks = (FILL, MONEY, MONEY, None, FILL)
    styled = [v if lk is None else Styled(v, lk) for v, lk in zip(values, looks, strict=True)]
    _p1, by_styled = _book([Row(styled, 20.0), Row(styled)], tmp_path, "styled.xlsx")
    _p2, by_looks = _book([Row(values, 20.0, looks), Row(values, None, looks)], tmp_path, "looks.xlsx")
    assert by_looks == by_styled
    assert '<c r="C1" s="2"/>' in by_looks  # an empty money cell keeps its format


def test_a_repeated_row_is_numbered_where_it_is_written(tmp_path: Path) -> None:
    """One :class:`Row` object written again and again (a header over every
    slip) lands in each of its rows with all of its cells."""
    header = Row(["工号", Styled("实发", MONEY), None, "x\x01y"], 18.0, repeated=True)
    rows: list[object] = []
    for i in range(1, 6):
        rows += [header, [f"E{i}", float(i) * 100.25]]
    path, xml = _book(rows, tmp_path, "repeated.xlsx")
    ws = load_workbook(path).active
    for r in range(1, 11, 2):
        assert _read(tuple(c.value for c in ws[r])) == ["工号", "实发", None, "x\x01y"]
        assert ws.cell(row=r, column=2).number_format == "#,##0.00"
        assert ws.row_dimensions[r].height == 18.0
        assert [c.value for c in ws[r + 1]][:2] == [f"E{(r + 1) // 2}", (r + 1) // 2 * 100.25]
    assert "\x00" not in xml


def test_texts_are_written_as_themselves(tmp_path: Path) -> None:
    """Texts in any script, markup characters, control characters and a
    literal ``_x0041_`` read back unchanged."""
    texts = ["员工一", "a & b", "<t>", "_x0041_", "tab\there", "line\nbreak", "\ufffe", "Ω≈ç"]
    path, _xml = _book([texts], tmp_path, "texts.xlsx")
    assert _read(tuple(c.value for c in load_workbook(path).active[1])) == texts
