"""The zip layer (:mod:`addin.xlsx.package`): real Excel files read whole, and
hostile or corrupt files refused with a clear message before anything is
inflated. Each part's reader has its own tests (test_workbook, test_worksheets,
test_tables, test_formula_shift)."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from external import SharedDir
from xlsx_helpers import (
    BOOK_TYPE,
    EXCEL_FILES,
    MAIN,
    ORACLE_FILES,
    PKG,
    REL,
    TEMPLATE,
    assert_unreadable,
    count_formula_elements,
    make_xlsx,
)

from addin.xlsx.a1 import from_a1
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.package import Limits, check_workbook_file
from addin.xlsx.workbook import read_workbook
from udfs.errors import DIV0, NA

# ---------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXCEL_FILES + ORACLE_FILES)
def test_reads_every_shared_workbook(path: Path) -> None:
    """Every workbook saved by Excel reads, with one formula per ``<f>`` element."""
    wb = read_workbook(path)
    assert wb.sheets
    assert sum(len(s.formulas) for s in wb.sheets) == count_formula_elements(path)
    for sheet in wb.sheets:
        for row, col in list(sheet.values) + list(sheet.formulas):
            assert 1 <= row <= sheet.max_row
            assert 1 <= col <= sheet.max_col


def test_shared_workbooks_exist(shared_dir: SharedDir) -> None:
    """The shared reference files are there (the parametrised tests are not vacuous)."""
    assert len(list((shared_dir / "excel-files").glob("*.xls*"))) >= 16
    assert len(list((shared_dir / "excel-oracle").glob("*.xlsx"))) == 2


def test_oracle_counts_and_kinds(shared_dir: SharedDir) -> None:
    """excel-computed.xlsx: 2,825 formulas, of which array and dynamic-array ones are told apart."""
    wb = read_workbook(shared_dir / "excel-oracle" / "excel-computed.xlsx")
    formulas = [f for s in wb.sheets for f in s.formulas.values()]
    assert len(formulas) == 2825
    kinds = {k: sum(f.kind == k for f in formulas) for k in ("normal", "array", "dynamic")}
    assert kinds == {"normal": 2470, "array": 197, "dynamic": 158}
    assert [s.name for s in wb.sheets][:3] == ["COVERAGE", "AUTOMATION", "COMPATIBILITY"]
    logical = wb.sheet("logical")
    f = logical.formulas[from_a1("R11")]
    assert f.text == "_xlfn.IFS(C11,D11,E11,F11)"
    assert f.kind == "dynamic"
    assert f.ref == "R11"


def test_cached_values_of_each_type(shared_dir: SharedDir) -> None:
    """Numbers, shared strings, formula strings, booleans and errors come back typed."""
    wb = read_workbook(shared_dir / "excel-oracle" / "excel-computed.xlsx")
    lookup = wb.sheet("LOOKUP")
    assert lookup.values[from_a1("B1")] == pytest.approx(0.825)
    assert lookup.formulas[from_a1("B1")].text == 'COUNTIF(B3:B353,"=DONE")/COUNTA(A3:A353)'
    assert isinstance(wb.sheet("LOGICAL").values[from_a1("U11")], type(NA))
    assert wb.sheet("LOGICAL").values[from_a1("U11")] == NA
    values = [v for s in wb.sheets for v in s.values.values()]
    assert any(v is True for v in values)
    assert any(v is False for v in values)
    assert any(v == DIV0 for v in values if not isinstance(v, (str, bool, float)))


# ---------------------------------------------------------------------------
# Hostile and corrupt files
# ---------------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    """A text file renamed .xlsx is refused as not a workbook."""
    path = tmp_path / "notes.xlsx"
    path.write_text("hello, 不是工作簿")
    assert_unreadable(path, "不是 Excel 工作簿", "not an Excel workbook")


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist gets a message, not FileNotFoundError."""
    assert_unreadable(tmp_path / "nope.xlsx", "找不到文件", "no such file")


def test_truncated_zip(tmp_path: Path) -> None:
    """Half of a real workbook: the zip's directory is gone."""
    data = TEMPLATE.read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert_unreadable(path, "损坏", "corrupt")


def test_corrupt_entry_data(tmp_path: Path) -> None:
    """Damaged compressed data inside a zip whose directory is intact."""
    src = TEMPLATE
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    data[start : start + 64] = bytes(64)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    assert_unreadable(path, "损坏", "corrupt")


def test_legacy_xls(tmp_path: Path) -> None:
    """An OLE2 compound file with a Workbook stream is a legacy .xls."""
    path = tmp_path / "old.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le")
    )
    assert_unreadable(path, ".xls", "save it as .xlsx")


def test_encrypted_workbook(tmp_path: Path) -> None:
    """Password-protected .xlsx files are OLE2 containers with EncryptionInfo/EncryptedPackage."""
    path = tmp_path / "secret.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(500)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(10)
        + "EncryptedPackage".encode("utf-16-le")
    )
    assert_unreadable(path, "已加密", "encrypted")


def test_zip_bomb_refused_before_inflating(tmp_path: Path) -> None:
    """A 64 MiB entry of zeros (ratio ~1000:1) is refused from the directory alone,
    with little memory used."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            block = bytes(1 << 20)
            for _ in range(64):
                fh.write(block)
    tracemalloc.start()
    try:
        assert_unreadable(path, "压缩炸弹", "zip bomb")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2


def test_total_size_limit(tmp_path: Path) -> None:
    """Declared sizes above the total limit are refused (limits are configurable)."""
    path = make_xlsx(tmp_path / "big.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'})
    with pytest.raises(UnreadableWorkbookError, match="zip bomb"):
        check_workbook_file(path, Limits(max_total_size=100))


def test_lying_sizes_cannot_inflate_past_the_declared_size(tmp_path: Path) -> None:
    """An entry that declares a small size but inflates to more is cut off and refused."""
    path = make_xlsx(
        tmp_path / "liar.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></c></row>' * 2000}
    )
    data = bytearray(path.read_bytes())
    cd_start = data.find(b"PK\x01\x02")
    record = data.find(b"xl/worksheets/sheet1.xml", cd_start) - 46
    assert data[record : record + 4] == b"PK\x01\x02"
    data[record + 24 : record + 28] = struct.pack("<I", 100)  # uncompressed size
    path.write_bytes(bytes(data))
    assert_unreadable(path)


def billion_laughs() -> str:
    """The classic XML bomb: ten levels of ten-fold entity expansion (10^9 "lol")."""
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return '<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + "]>"


def test_billion_laughs(tmp_path: Path) -> None:
    """Entity declarations (the billion-laughs XML bomb) are refused, not expanded."""
    path = make_xlsx(tmp_path / "lol.xlsx", {"S": ""})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        billion_laughs()
        + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
    tracemalloc.start()
    try:
        assert_unreadable(path, "DTD", "refused")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2


def test_external_entity_in_workbook_part(tmp_path: Path) -> None:
    """An external entity (XXE) in workbook.xml is refused; no file is read."""
    path = make_xlsx(tmp_path / "xxe.xlsx", {"S": ""})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = (
        b'<?xml version="1.0"?><!-- harmless --><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + parts["xl/workbook.xml"].replace(b'name="S"', b'name="&x;"')
    )
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
    assert_unreadable(path, "DTD")


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "xl/../../evil.xml", "C:/evil.xml"]
)
def test_path_traversal_names(tmp_path: Path, name: str) -> None:
    """Entry names that climb out of the package are refused."""
    path = make_xlsx(tmp_path / "trav.xlsx", {"S": ""}, extra_parts={name: b"x"})
    assert_unreadable(path, "路径穿越", "path traversal")


def test_zip_without_workbook_parts(tmp_path: Path) -> None:
    """A zip that is not an OOXML package (e.g. a renamed archive)."""
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert_unreadable(path, "[Content_Types].xml")


def test_invalid_xml_part(tmp_path: Path) -> None:
    """Malformed sheet XML names the part."""
    path = make_xlsx(tmp_path / "broken.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></row>'})
    assert_unreadable(path, "xl/worksheets/sheet1.xml", "not valid XML")


def test_check_workbook_file_accepts_real_files(shared_dir: SharedDir) -> None:
    """The reusable check passes every real workbook (the validator uses it)."""
    for path in [*(shared_dir / "excel-files").glob("*.xls*"), *(shared_dir / "excel-oracle").glob("*.xlsx")]:
        check_workbook_file(path)


def test_check_does_not_inflate(tmp_path: Path) -> None:
    """``check_workbook_file`` reads only the zip directory: a corrupt entry still passes
    the check (it is caught later, by the reader)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr("xl/workbook.xml", "garbage")
    path = tmp_path / "lazy.xlsx"
    path.write_bytes(buf.getvalue())
    check_workbook_file(path)
    assert_unreadable(path, "xl/workbook.xml")




@pytest.mark.parametrize("flag", [b"\x01\x00", b"\x40\x00", b"\xd3\x00"])
def test_an_entry_its_local_header_calls_encrypted_is_refused(tmp_path: Path, flag: bytes) -> None:
    """The central directory says plain, the local header encrypted (bit 0, or
    bit 6): zipfile reads it, LibreOffice does not, and an output copying the
    entry opened nowhere (``make fuzz``: ``template`` copied it unchanged)."""
    path = make_xlsx(tmp_path / "e.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'})
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x03\x04")  # the first entry's local header
    data[at + 6 : at + 8] = flag
    path.write_bytes(bytes(data))
    assert_unreadable(path, "local header", "encryption flag")
