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
