"""The package reader: real Excel files, shared formulas, tables, names, and
hostile or corrupt files refused with a clear message before anything is inflated."""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from external import SharedDir, shared_files
from lxml import etree
from openpyxl.formula.translate import Translator

from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.package import Limits, check_workbook_file
from addin.xlsx.workbook import open_workbook, read_workbook
from udfs.errors import DIV0, NA

#: A real workbook of the repository (the damaged-file tests start from it).
TEMPLATE = Path(__file__).resolve().parents[1] / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"
EXCEL_FILES = shared_files("excel-files", "*.xls*")
ORACLE_FILES = shared_files("excel-oracle", "*.xlsx")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def make_xlsx(
    path: Path,
    sheets: dict[str, str],
    *,
    workbook_extra: str = "",
    workbook_pr: str = "",
    shared_strings: str | None = None,
    extra_parts: dict[str, bytes] | None = None,
    sheet_rels: dict[int, str] | None = None,
) -> Path:
    """A minimal workbook package: ``sheets`` maps names to ``<sheetData>`` content."""
    parts: dict[str, bytes] = {}
    parts["[Content_Types].xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared_strings is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{shared_strings}</sst>'.encode()
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode()
    )
    sheet_list = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}<sheets>{sheet_list}</sheets>'
        f"{workbook_extra}</workbook>"
    ).encode()
    for i, data in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{data}</sheetData></worksheet>'
        ).encode()
    for i, rels_xml in (sheet_rels or {}).items():
        parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = (
            f'<Relationships xmlns="{PKG}">{rels_xml}</Relationships>'.encode()
        )
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return path


def count_formula_elements(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(
            len(re.findall(rb"<f[ >/]", zf.read(n)))
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


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


def test_array_and_dynamic_array_formulas(shared_dir: SharedDir) -> None:
    """``t="array"`` keeps its ref; a ``cm`` pointing at XLDAPR metadata marks a dynamic array."""
    arr = read_workbook(shared_dir / "excel-files" / "array_formula01.xlsx").sheet("Sheet1")
    f = arr.formulas[(1, 1)]
    assert (f.text, f.kind, f.ref) == ("SUM(B1:C1*B2:C2)", "array", "A1:A3")
    assert arr.max_row == 3
    dyn = read_workbook(shared_dir / "excel-files" / "dynamic_array01.xlsx").sheet("Sheet1")
    g = dyn.formulas[(1, 1)]
    assert (g.text, g.kind, g.ref) == ("AVERAGE(TIMEVALUE(B1:B2))", "dynamic", "A1")


def test_cell_types_inline_rich_dates_and_1904(tmp_path: Path) -> None:
    """Every cell type: numbers, shared (rich) strings, inline strings, str, bool,
    errors, ISO dates in the 1904 system; missing ``r`` attributes are implied."""
    path = make_xlsx(
        tmp_path / "types.xlsx",
        {
            "数据": (
                '<row r="1"><c r="A1"><v>1.5</v></c><c r="B1" t="s"><v>0</v></c>'
                '<c r="C1" t="inlineStr"><is><t>内联</t></is></c>'
                '<c r="D1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
                '<c r="E1" t="b"><v>1</v></c><c r="F1" t="e"><v>#DIV/0!</v></c>'
                '<c r="G1" t="d"><v>1904-01-03T12:00:00</v></c><c r="H1" s="0"/></row>'
                "<row><c><v>7</v></c><c><v>8</v></c></row>"
                '<row r="5"><c r="A5" t="s"><v>1</v></c></row>'
            )
        },
        workbook_pr='<workbookPr date1904="1"/>',
        shared_strings=(
            "<si><t>绩效</t></si><si><r><t>富</t></r><r><rPr><b/></rPr><t>文本_x000D_</t></r>"
            "<rPh><t>ふ</t></rPh></si>"
        ),
    )
    wb = read_workbook(path)
    assert wb.date1904
    s = wb.sheet("数据")
    assert s.values[(1, 1)] == 1.5
    assert s.values[(1, 2)] == "绩效"
    assert s.values[(1, 3)] == "内联"
    assert s.values[(1, 4)] == "ab"
    assert s.formulas[(1, 4)].text == '"a"&"b"'
    assert s.values[(1, 5)] is True
    assert s.values[(1, 6)] == DIV0
    assert s.values[(1, 7)] == 2.5
    assert (1, 8) not in s.values  # a styled blank holds no value
    assert s.values[(2, 1)] == 7
    assert s.values[(2, 2)] == 8
    assert s.values[(5, 1)] == "富文本\r"
    assert (s.max_row, s.max_col) == (5, 7)


def test_shared_formula_in_a_block_and_before_its_master(tmp_path: Path) -> None:
    """A 2-D shared range expands per cell, even when a child precedes its master."""
    path = make_xlsx(
        tmp_path / "shared.xlsx",
        {
            "S": (
                '<row r="1"><c r="C1"><f t="shared" si="0"/></c></row>'
                '<row r="2"><c r="B2"><f t="shared" ref="B2:C3" si="0">$A2*A$1</f></c>'
                '<c r="C2"><f t="shared" si="0"/></c></row>'
                '<row r="3"><c r="B3"><f t="shared" si="0"/></c><c r="C3"><f t="shared" si="0"/></c></row>'
            )
        },
    )
    f = read_workbook(path).sheet("S").formulas
    assert {to_a1(*k): v.text for k, v in f.items()} == {
        "C1": "$A1*B$1",
        "B2": "$A2*A$1",
        "C2": "$A2*B$1",
        "B3": "$A3*A$1",
        "C3": "$A3*B$1",
    }


# ---------------------------------------------------------------------------
# Hostile and corrupt files
# ---------------------------------------------------------------------------


def assert_unreadable(path: Path, *words: str) -> str:
    """``read_workbook`` refuses with a bilingual message containing ``words``."""
    with pytest.raises(UnreadableWorkbookError) as info:
        read_workbook(path)
    message = str(info.value)
    assert " / " in message
    assert re.search(r"[\u4e00-\u9fff]", message), message
    for word in words:
        assert word in message, message
    return message


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


def test_invalid_large_xml_part_checked_beside_the_scanner(tmp_path: Path) -> None:
    """A sheet large enough to be checked on a second thread while it is scanned:
    malformed XML is still reported as such (not as whatever the scanner met),
    and the same well-formed sheet reads normally."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 60_001))
    good = make_xlsx(tmp_path / "good.xlsx", {"S": rows})
    wb = read_workbook(good)
    assert wb.sheets[0].values[(60_000, 1)] == 60_000.0
    # an unclosed element near the end, after a bad address the scanner would refuse first
    bad = rows.replace('<c r="A5">', '<c r="A1048577">') + '<row r="60001"><c r="A60001"><v>1</v></row>'
    path = make_xlsx(tmp_path / "broken-large.xlsx", {"S": bad})
    assert_unreadable(path, "xl/worksheets/sheet1.xml", "not valid XML")


@pytest.mark.parametrize("quote", ['"', "'"])  # ' : the element-by-element reader
def test_formula_values_left_out_for_a_refresh(tmp_path: Path, quote: str) -> None:
    """``formula_values=False`` (how a refresh reads) keeps the formulas and the
    constants but not the values cached in formula cells."""
    q = quote
    rows = (
        f"<row r={q}1{q}><c r={q}A1{q}><v>1</v></c><c r={q}B1{q}><f>A1*2</f><v>2</v></c>"
        f"<c r={q}C1{q}><f t={q}shared{q} ref={q}C1:C2{q} si={q}0{q}>A1</f><v>1</v></c></row>"
        f"<row r={q}2{q}><c r={q}A2{q} t={q}inlineStr{q}><is><t>x</t></is></c>"
        f"<c r={q}C2{q}><f t={q}shared{q} si={q}0{q}/><v>7</v></c></row>"
    )
    path = make_xlsx(tmp_path / "cached.xlsx", {"S": rows})
    full = read_workbook(path).sheets[0]
    lean = read_workbook(path, formula_values=False).sheets[0]
    assert full.values == {(1, 1): 1.0, (1, 2): 2.0, (1, 3): 1.0, (2, 1): "x", (2, 3): 7.0}
    assert lean.values == {(1, 1): 1.0, (2, 1): "x"}
    assert lean.formulas == full.formulas
    assert set(lean.formulas) == {(1, 2), (1, 3), (2, 3)}
    assert (lean.max_row, lean.max_col) == (full.max_row, full.max_col)


def test_invalid_cell_address(tmp_path: Path) -> None:
    """A cell address off the sheet is refused with the address."""
    path = make_xlsx(tmp_path / "addr.xlsx", {"S": '<row r="1"><c r="A1048577"><v>1</v></c></row>'})
    assert_unreadable(path, "A1048577")


def test_check_workbook_file_accepts_real_files(shared_dir: SharedDir) -> None:
    """The reusable check passes every real workbook (the validator uses it)."""
    for path in [*(shared_dir / "excel-files").glob("*.xls*"), *(shared_dir / "excel-oracle").glob("*.xlsx")]:
        check_workbook_file(path)


def test_check_does_not_inflate(tmp_path: Path) -> None:
    """``check_workbook_file`` reads only the zip directory: a corrupt entry still passes
    the check (it is caught later, by the reader)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("xl/workbook.xml", "garbage")
    path = tmp_path / "lazy.xlsx"
    path.write_bytes(buf.getvalue())
    check_workbook_file(path)
    assert_unreadable(path, "xl/workbook.xml")


@pytest.mark.parametrize("path", EXCEL_FILES + ORACLE_FILES)
def test_fast_scanner_agrees_with_the_element_reader(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The regular-expression scanner and the general lxml reader give the same model."""
    import addin.xlsx.worksheets as worksheets_module

    fast = read_workbook(path)
    monkeypatch.setattr(worksheets_module, "_scan_sheet", lambda data, rd, part: False)
    slow = read_workbook(path)
    assert fast == slow


def test_scanner_shapes_agree_with_the_element_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formulas filled down as their own text (the scanner's direct capture),
    typed formula results, entities and a ``&#13;`` character reference (kept as
    a carriage return, line ends normalised first) read the same by the scanner
    and by lxml."""
    import addin.xlsx.worksheets as worksheets_module

    path = make_xlsx(
        tmp_path / "shapes.xlsx",
        {
            "S": (
                '<row r="1"><c r="A1"><f>B1*2</f><v>4</v></c><c r="B1"><v>2</v></c>'
                '<c r="C1" t="str"><f>"a"&amp;"&#13;b"</f><v>a&#13;b</v></c>'
                '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                '<c r="E1" t="b"><f>TRUE</f><v>1</v></c><c r="F1"><f> </f><v>3</v></c></row>'
                '<row r="2"><c r="A2"><f>B2*2</f><v>0</v></c>'
                '<c r="B2" t="str"><v>x\r\ny&#13;&#10;z</v></c></row>'
            )
        },
    )
    fast = read_workbook(path)
    s = fast.sheet("S")
    assert {to_a1(*k): f.text for k, f in s.formulas.items()} == {
        "A1": "B1*2",
        "C1": '"a"&"\rb"',
        "D1": "1/0",
        "E1": "TRUE",
        "A2": "B2*2",
    }
    assert s.values[(1, 1)] == 4.0
    assert s.values[(1, 3)] == "a\rb"
    assert s.values[(1, 4)] == DIV0
    assert s.values[(1, 5)] is True
    assert s.values[(1, 6)] == 3.0
    assert s.values[(2, 2)] == "x\ny\r\nz"
    monkeypatch.setattr(worksheets_module, "_scan_sheet", lambda data, rd, part: False)
    assert read_workbook(path) == fast


def test_unusual_xml_shapes_use_the_element_reader(tmp_path: Path) -> None:
    """Single quotes, whitespace, comments, CDATA and cells without ``r`` are read right."""
    path = make_xlsx(
        tmp_path / "odd.xlsx",
        {
            "S": (
                "<!-- a comment --><row r='1'><c r='A1'><v>1</v></c>\n"
                '<c r="B1" t="str">\n  <f>"x"&amp;"y"</f>\n  <v><![CDATA[x<y]]></v>\n</c></row>'
                '<row r="2"><c><v>2</v></c><c t="inlineStr"><is><t xml:space="preserve"> a_x0042_ </t></is></c></row>'
            )
        },
    )
    s = read_workbook(path).sheet("S")
    assert s.values == {(1, 1): 1.0, (1, 2): "x<y", (2, 1): 2.0, (2, 2): " aB "}
    assert s.formulas[(1, 2)].text == '"x"&"y"'


def test_empty_inline_string_is_empty_text(tmp_path: Path) -> None:
    """``<is><t></t></is>`` is a cell holding empty text, not a blank cell: the
    writer stores a kernel's empty result that way, and reading it back must
    give ``""`` (the fast scanner once dropped it)."""
    path = make_xlsx(
        tmp_path / "empty.xlsx",
        {
            "S": '<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c><c r="B1"><v>1</v></c></row>'
        },
    )
    values = read_workbook(path).sheets[0].values
    assert values[(1, 1)] == ""
    assert values[(1, 2)] == 1.0


@pytest.mark.parametrize("index", ["-1", "2", "x"])
def test_shared_string_index_out_of_range(tmp_path: Path, index: str) -> None:
    """A shared-string index that is negative, too large or not a number is refused."""
    path = make_xlsx(
        tmp_path / "sst.xlsx",
        {"S": f'<row r="1"><c r="A1" t="s"><v>{index}</v></c></row>'},
        shared_strings="<si><t>a</t></si><si><t>b</t></si>",
    )
    assert_unreadable(path, "A1")
