"""The writer, XlsxWriter-comparison style: the output package differs from the
input only in the cached values of formula (and spill) cells; every other zip
entry is byte-identical, formula text is untouched, writes are atomic."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import IO

import pytest
from external import SharedDir, shared_files

import addin.xlsx.package_writer as package_writer
import addin.xlsx.sheet_writer as sheet_writer
from addin.xlsx.model import CellValue, Coord, Results, Workbook
from addin.xlsx.sheet_writer import splice_sheet
from addin.xlsx.sheetxml import format_number
from addin.xlsx.workbook import (
    declare_calculated,
    read_workbook,
    set_full_calc_on_load,
)
from addin.xlsx.writer import write_results
from udfs.errors import DIV0, NA, ExcelError

ALL_FILES = shared_files("excel-files", "*.xls*") + shared_files("excel-oracle", "*.xlsx")
NO_FORMULAS = [
    "chart_bar01.xlsx",
    "comment01.xlsx",
    "data_validation01.xlsx",
    "image01.xlsx",
    "macro01.xlsm",
]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cached(wb: Workbook) -> Results:
    """The values the file already caches for its formula cells."""
    return Results({s.name: {c: s.values.get(c) for c in s.formulas} for s in wb.sheets})


def perturbed(wb: Workbook) -> Results:
    """New values of every type for every formula cell (so every cell changes)."""
    kinds: list[CellValue] = [1234.5, "新值 & <x>", True, DIV0, 0.1, NA, False, "  spaced "]
    out: dict[str, dict[Coord, CellValue]] = {}
    for s in wb.sheets:
        cells: dict[Coord, CellValue] = {}
        for i, c in enumerate(sorted(s.formulas)):
            value = kinds[i % len(kinds)]
            if value == s.values.get(c) and type(value) is type(s.values.get(c)):
                value = -7.0
            cells[c] = value
        out[s.name] = cells
    return Results(out)


_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
_TYPE_ATTRS = re.compile(rb'\s(?:t|vm)="[^"]*"')
_VALUE_ELEMENTS = re.compile(rb"<v\b[^>]*?(?:/>|>.*?</v>)|<is>.*?</is>", re.DOTALL)


def _strip_cell(m: re.Match[bytes]) -> bytes:
    attrs = _TYPE_ATTRS.sub(b"", m.group(1))
    inner = _VALUE_ELEMENTS.sub(b"", m.group(3) or b"")
    return b"<c" + attrs + (b">" + inner + b"</c>" if inner else b"/>")


def strip_cached_values(xml: bytes) -> bytes:
    """A sheet with every cell's cached value, ``t`` and ``vm`` removed."""
    return _CELL.sub(_strip_cell, xml)


def compare_packages(before: Path, after: Path, changed_parts: set[str]) -> None:
    """Same entries in the same order with the same compression; unchanged entries
    byte-identical; changed sheet parts equal once cached values are removed."""
    with zipfile.ZipFile(before) as za, zipfile.ZipFile(after) as zb:
        ia, ib = za.infolist(), zb.infolist()
        assert [i.filename for i in ia] == [i.filename for i in ib]
        for a, b in zip(ia, ib, strict=True):
            assert a.compress_type == b.compress_type, a.filename
            assert a.date_time == b.date_time, a.filename
            assert a.external_attr == b.external_attr, a.filename
            da, db = za.read(a), zb.read(b)
            if a.filename == "xl/workbook.xml" and a.filename in changed_parts:
                assert declare_calculated(da) == db  # only <calcPr> says "calculated"
            elif a.filename in changed_parts:
                assert a.filename.startswith("xl/worksheets/"), a.filename
                assert strip_cached_values(da) == strip_cached_values(db), a.filename
            else:
                assert da == db, a.filename
                # raw copy: the very same compressed bytes
                assert (a.CRC, a.compress_size) == (b.CRC, b.compress_size), a.filename


def formula_elements(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [
            f
            for n in zf.namelist()
            if n.startswith("xl/worksheets/sheet")
            for f in re.findall(rb"<f\b.*?(?:/>|</f>)", zf.read(n), re.DOTALL)
        ]


@pytest.mark.parametrize("path", ALL_FILES)
def test_only_cached_values_change(path: Path, tmp_path: Path) -> None:
    """New values for every formula cell: read back exactly; nothing else changes."""
    wb = read_workbook(path)
    results = perturbed(wb)
    out = tmp_path / path.name
    summary = write_results(path, results, out)
    compare_packages(path, out, set(summary.parts_changed))
    after = read_workbook(out)
    for name, cells in results.values.items():
        sheet = after.sheet(name)
        for coord, value in cells.items():
            got = sheet.values.get(coord)
            assert got == value, (name, coord, got, value)
            assert type(got) is type(value), (name, coord, got, value)
        assert sheet.formulas == wb.sheet(name).formulas
    assert formula_elements(out) == formula_elements(path)
    assert summary.cells_changed == sum(len(c) for c in results.values.values())


@pytest.mark.parametrize("path", ALL_FILES)
def test_same_values_give_the_same_bytes(path: Path, tmp_path: Path) -> None:
    """Writing the values a file already caches reproduces the file byte for byte
    (Excel's 17-digit numbers are kept when they are the computed value)."""
    out = tmp_path / path.name
    summary = write_results(path, cached(read_workbook(path)), out)
    assert summary.cells_changed == 0
    assert out.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", NO_FORMULAS)
def test_workbook_without_formulas_is_byte_identical(
    name: str, tmp_path: Path, shared_dir: SharedDir
) -> None:
    """No formulas, nothing computed: the output is the input, byte for byte."""
    src = shared_dir / "excel-files" / name
    assert not any(s.formulas for s in read_workbook(src).sheets)
    out = tmp_path / name
    write_results(src, Results(), out)
    assert out.read_bytes() == src.read_bytes()


def test_macro_workbook_keeps_its_vba_project(tmp_path: Path, shared_dir: SharedDir) -> None:
    """macro01.xlsm keeps vbaProject.bin and its content type after a refresh."""
    src = shared_dir / "excel-files" / "macro01.xlsm"
    wb = read_workbook(src)
    sheet = wb.sheets[0]
    results = Results({sheet.name: {(5, 5): 42.0}})  # a spill-style new cell
    out = tmp_path / "macro01.xlsm"
    write_results(src, results, out)
    with zipfile.ZipFile(src) as za, zipfile.ZipFile(out) as zb:
        assert zb.read("xl/vbaProject.bin") == za.read("xl/vbaProject.bin")
        types = zb.read("[Content_Types].xml")
        assert types == za.read("[Content_Types].xml")
        assert b"application/vnd.ms-office.vbaProject" in types
        assert b"macroEnabled" in types
    assert read_workbook(out).sheets[0].values[(5, 5)] == 42.0


@pytest.mark.parametrize("path", ALL_FILES)
def test_refresh_is_idempotent(path: Path, tmp_path: Path) -> None:
    """Writing the same results into the output again changes nothing."""
    results = perturbed(read_workbook(path))
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    write_results(path, results, once)
    summary = write_results(once, results, twice)
    assert summary.cells_changed == 0
    assert twice.read_bytes() == once.read_bytes()


def test_values_round_trip_exactly(tmp_path: Path, shared_dir: SharedDir) -> None:
    """Awkward values survive: control characters, ``_x`` escapes, markup, line
    ends, big and tiny numbers, negative zero, NaN (as #NUM!)."""
    src = shared_dir / "excel-files" / "formula_results01.xlsx"
    wb = read_workbook(src)
    sheet = wb.sheets[0]
    coords = sorted(sheet.formulas)
    values: list[CellValue] = [
        "tab\there\nnew\r\nline",
        "bell\x07 _x0041_ literal",
        "</v><v>]]>&amp;",
        1e-7,
        123456789012345680.0,
        -0.0,
        0.1 + 0.2,
        "",
        ExcelError("#SPILL!"),
        " lead",
        2.5e300,
    ]
    results = Results({sheet.name: dict(zip(coords, values, strict=False))})
    out = tmp_path / "awkward.xlsx"
    write_results(src, results, out)
    back = read_workbook(out).sheets[0].values
    for coord, value in results.values[sheet.name].items():
        assert back.get(coord) == value, (coord, back.get(coord), value)
    nan = Results({sheet.name: {coords[0]: float("nan")}})
    write_results(src, nan, out)
    assert read_workbook(out).sheets[0].values[coords[0]] == ExcelError("#NUM!")


@pytest.mark.parametrize(
    "size", [0, 1, 2 * 1024 * 1024 - 1, 2 * 1024 * 1024, 2 * 1024 * 1024 + 1, 5 * 1024 * 1024 + 7]
)
def test_deflate_in_pieces_is_one_stream(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts deflated in pieces side by side inflate to exactly the bytes given,
    as one raw deflate stream, and compress as well as one piece would."""
    import random
    import zlib

    monkeypatch.setattr(package_writer.os, "cpu_count", lambda: 4)  # pieces on any machine

    rnd = random.Random(size)
    words = [b"<c r=\"A1\"><v>", b"</v></c>", b"0.5", b"row", bytes(range(256))]
    content = b"".join(rnd.choice(words) for _ in range(size // 8 + 1))[:size]
    for level in (1, 6):
        data = package_writer.deflate(content, level)
        assert zlib.decompress(data, -15) == content
        whole = zlib.compressobj(level, zlib.DEFLATED, -15)
        assert len(data) <= len(whole.compress(content) + whole.flush()) * 1.01 + 64


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


def test_large_sheet_written_through_the_deflater(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh whose sheet is deflated while it is spliced writes a package
    every zip reader accepts (CRC checked) with the computed values in it."""
    from link_helpers import make_workbook

    from addin.refresh.engine import calculate

    monkeypatch.setattr(package_writer, "_DEFLATE_PIECE", 256)  # "large" at 512 bytes
    monkeypatch.setattr(sheet_writer, "_SPLICE_SLICE", 256)
    monkeypatch.setattr(package_writer.os, "cpu_count", lambda: 4)
    cells: dict[str, object] = {f"A{r}": r for r in range(1, 301)}
    cells.update({f"B{r}": f"=A{r}*2" for r in range(1, 301)})
    src = make_workbook(tmp_path / "big.xlsx", {"S": cells})
    out = tmp_path / "out.xlsx"
    summary = write_results(src, calculate(read_workbook(src)), out)
    assert summary.cells_changed == 300
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
    values = read_workbook(out).sheets[0].values
    assert [values[(r, 2)] for r in (1, 150, 300)] == [2.0, 300.0, 600.0]


def test_format_number_is_shortest_round_trip() -> None:
    """Integers without a decimal point; everything else the shortest exact text."""
    assert format_number(3.0) == "3"
    assert format_number(-0.0) == "0"
    assert format_number(0.1) == "0.1"
    assert float(format_number(0.1 + 0.2)) == 0.1 + 0.2
    assert float(format_number(1e300)) == 1e300


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


def test_full_calc_on_load_option(tmp_path: Path, shared_dir: SharedDir) -> None:
    """Off by default (``<calcPr>`` declares the values current); on request
    ``fullCalcOnLoad="1"`` is set instead, and only ``<calcPr>`` changes."""
    src = shared_dir / "excel-files" / "table34.xlsx"
    wb = read_workbook(src)
    results = perturbed(wb)
    plain, forced = tmp_path / "plain.xlsx", tmp_path / "forced.xlsx"
    write_results(src, results, plain)
    summary = write_results(src, results, forced, full_calc_on_load=True)
    assert "xl/workbook.xml" in summary.parts_changed
    with zipfile.ZipFile(src) as za, zipfile.ZipFile(plain) as zp, zipfile.ZipFile(forced) as zf:
        assert zp.read("xl/workbook.xml") == declare_calculated(za.read("xl/workbook.xml"))
        before, after = za.read("xl/workbook.xml"), zf.read("xl/workbook.xml")
        assert after.replace(b' fullCalcOnLoad="1"', b"") == before
        assert re.search(rb'<calcPr [^>]*fullCalcOnLoad="1"', after)
    assert set_full_calc_on_load(b"<workbook><sheets></sheets></workbook>") == (
        b'<workbook><sheets></sheets><calcPr fullCalcOnLoad="1"/></workbook>'
    )


def test_failed_write_leaves_no_partial_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_dir: SharedDir
) -> None:
    """A failure half-way leaves neither the destination nor a temporary file, and an
    existing destination is kept as it was."""
    src = shared_dir / "excel-files" / "table10.xlsx"
    results = perturbed(read_workbook(src))
    out = tmp_path / "out.xlsx"

    def explode(source: object, infos: object, changed: object, fh: IO[bytes], *rest: object) -> None:
        fh.write(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(package_writer, "_write_raw", explode)
    with pytest.raises(OSError, match="disk full"):
        write_results(src, results, out)
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"previous")
    with pytest.raises(OSError, match="disk full"):
        write_results(src, results, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_in_place_write_replaces_the_file(tmp_path: Path, shared_dir: SharedDir) -> None:
    """Source and destination may be the same file (``--in-place``)."""
    src = tmp_path / "book.xlsx"
    src.write_bytes((shared_dir / "excel-files" / "types07.xlsx").read_bytes())
    results = perturbed(read_workbook(src))
    write_results(src, results, src)
    assert read_workbook(src).sheets[0].values == {
        **read_workbook(shared_dir / "excel-files" / "types07.xlsx").sheets[0].values,
        **results.values["Sheet1"],
    }


def test_zip64_source_falls_back_to_rezipping(tmp_path: Path, shared_dir: SharedDir) -> None:
    """A zip64 package (some tools write one) is re-zipped: same names, order and
    contents, values written."""
    src = shared_dir / "excel-files" / "types07.xlsx"
    z64 = tmp_path / "z64.xlsx"
    with zipfile.ZipFile(src) as za, zipfile.ZipFile(z64, "w", zipfile.ZIP_DEFLATED) as zb:
        for info in za.infolist():
            with zb.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(za.read(info))
    results = perturbed(read_workbook(z64))
    out = tmp_path / "out.xlsx"
    summary = write_results(z64, results, out)
    with zipfile.ZipFile(z64) as za, zipfile.ZipFile(out) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            if name not in summary.parts_changed:
                assert za.read(name) == zb.read(name)
    assert read_workbook(out).sheets[0].values[(1, 1)] == results.values["Sheet1"][(1, 1)]


def test_results_for_an_unknown_sheet_are_a_bug(tmp_path: Path, shared_dir: SharedDir) -> None:
    """The engine must only report sheets of the workbook."""
    src = shared_dir / "excel-files" / "types07.xlsx"
    with pytest.raises(KeyError, match="Nope"):
        write_results(src, Results({"Nope": {(1, 1): 1.0}}), tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


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


def test_unchanged_parts_are_streamed_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored part past the per-part budget (a video in the workbook) is not
    refused — no command holds it — and is copied a piece at a time: its bytes
    and CRC intact in the output, while the budget still refuses an XML part
    that size up front."""
    from hostile_files import minimal_xlsx

    from addin.xlsx.model import UnreadableWorkbookError
    from addin.xlsx.package import Limits, read_input

    limits = Limits(max_entry_size=1024**2, max_total_size=8 * 1024**2)
    video = bytes(range(256)) * (12 * 1024)  # 3 MB, three times the part budget
    source = tmp_path / "video.xlsx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(io.BytesIO(minimal_xlsx())) as base:
            for info in base.infolist():
                z.writestr(info, base.read(info))
        z.writestr(zipfile.ZipInfo("xl/media/video.bin"), video, zipfile.ZIP_STORED)
    chunks: list[int] = []
    copy = package_writer._copy_stored

    def counting(fh: IO[bytes], start: int, info: zipfile.ZipInfo, out: IO[bytes]) -> None:
        real_write = out.write

        class Out:
            def write(self, data: bytes) -> int:
                chunks.append(len(data))
                return real_write(data)

        copy(fh, start, info, Out())  # type: ignore[arg-type]

    with read_input(source, limits) as original:
        wb = read_workbook(source, limits, data=original)
        dest = tmp_path / "out.xlsx"
        monkeypatch.setattr(package_writer, "_copy_stored", counting)
        write_results(source, cached(wb), dest, limits=limits, data=original)
    with zipfile.ZipFile(dest) as z:
        assert z.testzip() is None
        assert z.read("xl/media/video.bin") == video
    assert max(chunks) <= package_writer._COPY_CHUNK < len(video)

    big_xml = tmp_path / "big-xml.xlsx"
    big_xml.write_bytes(minimal_xlsx(extra={"xl/media/notes.xml": b" " * (3 * 1024**2)}, compresslevel=0))
    with pytest.raises(UnreadableWorkbookError, match=r"notes\.xml"):
        read_workbook(big_xml, limits)
