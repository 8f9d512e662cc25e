"""Splicing values into one worksheet part (:mod:`addin.xlsx.sheet_writer`):
spill cells created in order, namespace prefixes, ``t``/``vm`` attributes,
dynamic arrays growing and shrinking, a large part deflated while it is made."""

from __future__ import annotations

import re

import pytest

import addin.xlsx.package_writer as package_writer
import addin.xlsx.sheet_writer as sheet_writer
from addin.xlsx.model import CellValue, Coord
from addin.xlsx.sheet_writer import splice_sheet
from udfs.errors import DIV0, NA

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_spliced_part_deflated_as_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part the package deflates is deflated slice by slice while it is
    spliced: it inflates to exactly what :func:`splice_sheet` makes; when the
    second pass has work (a text with spaces in a formula cell) the part comes
    back whole as bytes; when nothing changes, the input itself."""
    import zlib

    monkeypatch.setattr(sheet_writer, "_SPLICE_SLICE", 64)  # many slices
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f><v>0</v></c></row>'
        for r in range(1, 200)
    )
    xml = sheet_xml(rows)
    updates: dict[Coord, CellValue] = {(r, 2): r * 2.0 for r in range(1, 200)}
    expected, n = splice_sheet(xml, updates)
    got, m = sheet_writer.splice_deflated(xml, updates, {}, list)
    assert isinstance(got, package_writer.Deflated)
    assert (m, n) == (199, 199)
    assert zlib.decompress(got.data, -15) == expected
    assert (got.crc, got.size) == (zlib.crc32(expected), len(expected))
    spaced = {**updates, (5, 2): " 有空格 "}
    whole, k = sheet_writer.splice_deflated(xml, spaced, {}, list)
    assert whole == splice_sheet(xml, spaced)[0]
    assert k == 199
    same = {(r, 2): 0.0 for r in range(1, 200)}
    assert sheet_writer.splice_deflated(xml, same, {}, list) == (xml, 0)


def sheet_xml(data: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return f"<{p}worksheet {xmlns}><{p}sheetData>{data}</{p}sheetData></{p}worksheet>".encode()


def test_spill_cells_are_created_in_row_and_column_order() -> None:
    """Spill cells that do not exist are inserted in column order, rows in row order."""
    xml = sheet_xml(
        '<row r="2"><c r="A2"><v>1</v></c><c r="C2" s="4"/><c r="E2"><v>5</v></c></row>'
        '<row r="5" spans="1:1"/><row r="7"><c r="A7"><v>7</v></c></row>'
    )
    updates: dict[Coord, CellValue] = {
        (2, 2): 10.0,
        (2, 3): 11.0,
        (2, 4): "十二",
        (2, 6): True,
        (1, 1): 0.5,
        (5, 2): 50.0,
        (6, 1): 60.0,
        (9, 1): DIV0,
    }
    new, n = splice_sheet(xml, updates)
    assert n == len(updates)
    text = new.decode()
    refs = re.findall(r'<c r="([A-Z]+\d+)"', text)
    assert refs == ["A1", "A2", "B2", "C2", "D2", "E2", "F2", "B5", "A6", "A7", "A9"]
    rows = re.findall(r'<row r="(\d+)"', text)
    assert rows == ["1", "2", "5", "6", "7", "9"]
    assert '<c r="C2" s="4"><v>11</v></c>' in text  # style kept on an existing blank
    assert '<c r="D2" t="inlineStr"><is><t>十二</t></is></c>' in text
    assert '<row r="5" spans="1:1"><c r="B5"><v>50</v></c></row>' in text


def test_prefixed_namespace_and_missing_r_attributes() -> None:
    """Sheets written with a namespace prefix and without ``r`` on cells still splice."""
    xml = sheet_xml(
        "<x:row><x:c><x:f>1+1</x:f><x:v>0</x:v></x:c><x:c><x:v>3</x:v></x:c></x:row>", "x"
    )
    new, n = splice_sheet(xml, {(1, 1): 2.0, (1, 3): 4.0})
    assert n == 2
    assert new.decode().endswith(
        "<x:row><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c><x:v>3</x:v></x:c>"
        '<x:c r="C1"><x:v>4</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )


def test_type_attribute_and_value_metadata() -> None:
    """``t`` is replaced in place or removed; ``vm`` (metadata of the old value) is
    dropped when the value changes and kept when it does not."""
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="2" t="e" vm="3"><f>X()</f><v>#VALUE!</v></c>'
        '<c r="B1" t="e" vm="4"><f>Y()</f><v>#N/A</v></c>'
        '<c r="C1" t="str"><f>Z()</f><v>old</v></c></row>'
    )
    new, n = splice_sheet(xml, {(1, 1): 3.0, (1, 2): NA, (1, 3): False})
    assert n == 2
    text = new.decode()
    assert '<c r="A1" s="2"><f>X()</f><v>3</v></c>' in text
    assert '<c r="B1" t="e" vm="4"><f>Y()</f><v>#N/A</v></c>' in text
    assert '<c r="C1" t="b"><f>Z()</f><v>0</v></c>' in text


def test_formula_cell_without_cached_value_gets_one() -> None:
    """A formula saved without ``<v>`` gets the value after its ``<f>``."""
    xml = sheet_xml('<row r="1"><c r="A1"><f>1/0</f></c><c r="B1"><f t="shared" si="0"/></c></row>')
    new, _ = splice_sheet(xml, {(1, 1): DIV0, (1, 2): "x"})
    assert '<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' in new.decode()
    assert '<c r="B1" t="str"><f t="shared" si="0"/><v>x</v></c>' in new.decode()


def test_legacy_array_formula_cells_without_f_are_written() -> None:
    """Without a dynamic array the first pass writes formula cells only; the
    other cells of a legacy array formula (no ``<f>`` of their own) and plain
    cells the results name are still written, by the second pass."""
    xml = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="array" ref="B1:B3">A1:A3*2</f><v>0</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>0</v></c></row>'
        '<row r="3"><c r="A3" s="1"/><c r="B3" s="5"><v>0</v></c><c r="C3"><f>B3</f><v>0</v></c></row>'
    )
    new, n = splice_sheet(xml, {(1, 2): 2.0, (2, 2): 4.0, (3, 2): 0.0, (3, 3): 0.0, (3, 1): 9.0})
    text = new.decode()
    assert n == 3
    assert '<c r="B1"><f t="array" ref="B1:B3">A1:A3*2</f><v>2</v></c>' in text
    assert '<c r="B2"><v>4</v></c>' in text
    assert '<c r="B3" s="5"><v>0</v></c><c r="C3"><f>B3</f><v>0</v></c>' in text
    assert '<c r="A3" s="1"><v>9</v></c>' in text


def test_dynamic_array_spill_shrinks_and_grows() -> None:
    """A dynamic array's new extent updates its ``ref``; cells the old spill covered
    are blanked (style kept); new spill cells are written."""
    xml = sheet_xml(
        '<row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3">SEQUENCE(N)</f><v>1</v></c></row>'
        '<row r="2"><c r="A2" s="5"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
    )
    shrunk, _ = splice_sheet(xml, {(1, 1): 9.0, (2, 1): 8.0}, {(1, 1): (2, 1)})
    text = shrunk.decode()
    assert '<f t="array" ref="A1:A2">SEQUENCE(N)</f><v>9</v>' in text
    assert '<c r="A2" s="5"><v>8</v></c>' in text
    assert '<c r="A3"/>' in text
    grown, _ = splice_sheet(
        xml, {(1, 1): 1.0, (2, 1): 2.0, (3, 1): 3.0, (4, 1): 4.0}, {(1, 1): (4, 1)}
    )
    text = grown.decode()
    assert 'ref="A1:A4"' in text
    assert '<row r="4"><c r="A4"><v>4</v></c></row>' in text


def test_empty_sheet_data_gets_rows() -> None:
    """``<sheetData/>`` is opened up for new cells."""
    xml = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode()
    new, n = splice_sheet(xml, {(3, 2): 1.0})
    assert n == 1
    assert b'<sheetData><row r="3"><c r="B3"><v>1</v></c></row></sheetData>' in new


def test_attribute_order_and_quotes_other_producers_use() -> None:
    """``r`` after other attributes and single-quoted values (other producers) still splice."""
    xml = sheet_xml(
        "<row r='1'><c s='1' r='A1'><f>1+1</f><v>0</v></c><c t='str' r='B1'><f>T()</f><v>a</v></c></row>"
    )
    new, n = splice_sheet(xml, {(1, 1): 2.0, (1, 2): "b", (1, 3): 3.0})
    assert n == 3
    text = new.decode()
    assert "<c s='1' r='A1'><f>1+1</f><v>2</v></c>" in text
    assert "<c t=\"str\" r='B1'><f>T()</f><v>b</v></c>" in text
    assert text.endswith('<c r="C1"><v>3</v></c></row></sheetData></worksheet>')
