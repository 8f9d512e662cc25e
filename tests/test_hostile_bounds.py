"""Bounded resources, and never exit 3 on input (issue 12, "Resources").

Each test reproduces one fault found with a fault-injection harness: formulas
Excel accepts that ended in RecursionError, formulas beyond Excel's limits,
attribute values that crashed the reader, a ROUND that raised, two sheets whose
names differ only in case, the phantom 29 February 1900 in TEXT.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import assert_no_traceback, run_cli
from click.testing import Result
from external import require

from addin.xlsx.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]


run = run_cli


def assert_clean(result: Result) -> None:
    """No traceback, no exit 3."""
    assert_no_traceback(result)
    assert result.exit_code in (0, 1, 2), result.output


def one_formula(path: Path, formula: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws["A1"] = 1
    ws["B1"] = formula
    wb.save(path)
    return path


def edited(src: Path, dst: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of ``src`` with the first ``old`` in ``part`` replaced by ``new``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(part, info.filename):
                changed = re.sub(old, new, data, count=1)
                assert changed != data, (part, old)
                data = changed
            zout.writestr(info, data)
    return dst


def test_longest_formula_excel_accepts_is_computed(tmp_path: Path) -> None:
    """``=A1+A1+…`` at Excel's 8,192 characters (2,730 terms, a tree that deep)
    is computed, not a RecursionError."""
    src = one_formula(tmp_path / "long.xlsx", "=" + "+".join(["A1"] * 2730))
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    assert read_workbook(tmp_path / "long.refreshed.xlsx").sheets[0].values[(1, 2)] == 2730.0


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("=" + "ABS(" * 100 + "A1" + ")" * 100, "100 levels"),
        ("=" + "(" * 400 + "A1" + ")" * 400, "400 levels"),
        ("=" + "+".join(["A1"] * 3000), "more than Excel's 8192"),
    ],
    ids=["functions-100", "parentheses-400", "9000-characters"],
)
def test_formulas_beyond_excel_limits_fail_with_a_message(
    tmp_path: Path, formula: str, words: str
) -> None:
    """Deeper or longer than Excel allows: exit 2 naming the limit, nothing written;
    validate reports it as a formula problem."""
    src = one_formula(tmp_path / "deep.xlsx", formula)
    result = run("refresh", src, "--lang", "en")
    assert_clean(result)
    assert result.exit_code == 2
    assert words in result.output
    assert not (tmp_path / "deep.refreshed.xlsx").exists()
    checked = run("validate", src)
    assert_clean(checked)
    assert checked.exit_code == 1


def test_prefix_operator_chain_is_a_message_in_validate(tmp_path: Path) -> None:
    """8,000 minus signs: validate reports a formula problem instead of a traceback."""
    src = one_formula(tmp_path / "neg.xlsx", "=" + "-" * 8000 + "A1")
    result = run("validate", src, "--json")
    assert_clean(result)
    problems = json.loads(result.output)["files"][0]["problem_details"]
    assert any("nested too deeply" in p["en"] for p in problems)
    assert_clean(run("refresh", src))


def test_round_to_ten_billion_digits(tmp_path: Path) -> None:
    """``=ROUND(1,1E10)`` is 1 (it ended in exit 3)."""
    src = one_formula(tmp_path / "round.xlsx", "=ROUND(1,1E10)+ROUND(5,-1E10)")
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    assert read_workbook(tmp_path / "round.refreshed.xlsx").sheets[0].values[(1, 2)] == 1.0


def test_table_count_attribute_that_is_not_a_number(tmp_path: Path) -> None:
    """``headerRowCount="abc"``: exit 2 with the part and attribute named, in refresh
    and validate (it was exit 3 and a traceback)."""
    src = edited(
        require("excel-files") / "table10.xlsx",
        tmp_path / "hdr.xlsx",
        r"xl/tables/table\d+\.xml",
        rb"<table ",
        rb'<table headerRowCount="abc" ',
    )
    for command in ("refresh", "validate"):
        result = run(command, src)
        assert_clean(result)
        assert result.exit_code == 2
        assert "headerRowCount='abc'" in result.output


def test_sheet_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    """Sheets "S" and "s" (Excel cannot make this file): exit 2, nothing written
    (one sheet's formulas used to stay stale with exit 0)."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "S"
    first["A1"], first["B1"] = 3, "=A1*2"
    second = wb.create_sheet("T")
    second["A1"], second["B1"] = 5, "=A1*2"
    wb.save(tmp_path / "two.xlsx")
    src = edited(
        tmp_path / "two.xlsx", tmp_path / "case.xlsx", r"xl/workbook\.xml", rb'name="T"', rb'name="s"'
    )
    result = run("refresh", src, "--lang", "en")
    assert_clean(result)
    assert result.exit_code == 2
    assert "case-insensitively" in result.output
    assert not (tmp_path / "case.refreshed.xlsx").exists()


def test_text_of_the_phantom_leap_day(tmp_path: Path) -> None:
    """``TEXT(60, "dddd")`` — Excel's 29 February 1900 — is a Wednesday, not a
    crash (the corpus file sheetjs issue 2717 ended in exit 3)."""
    src = one_formula(tmp_path / "leap.xlsx", '=TEXT(60,"dddd yyyy-mm-dd")')
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    value = read_workbook(tmp_path / "leap.refreshed.xlsx").sheets[0].values[(1, 2)]
    assert value == "Wednesday 1900-02-29"


def _refresh_peak_kb(src: Path) -> tuple[int, int]:
    """Exit code and peak resident memory (KB) of ``jixiao refresh src`` run in
    a fresh interpreter (so no other test's allocations count)."""
    import subprocess
    import sys

    code = (
        "import resource, sys\n"
        "from addin.cli import main\n"
        "try:\n"
        "    main(['refresh', sys.argv[1], '--lang', 'en'])\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        "print('PEAK', status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(src)], capture_output=True, text=True, timeout=300
    )
    last = proc.stdout.strip().splitlines()[-1].split()
    assert last[0] == "PEAK", proc.stdout + proc.stderr
    return int(last[1]), int(last[2])


def test_one_far_cell_refreshes_with_bounded_memory(tmp_path: Path) -> None:
    """A tiny file with one cell at XFD30000 (a dense grid would take 3.7 GB)
    refreshes correctly — formulas reading the far cell, its whole column and
    its whole row — in about the memory of the same file without the far cell."""

    def save(name: str, far: bool) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "S"
        ws["A1"], ws["B1"] = 1, "=A1+1"
        ws["C1"], ws["D1"] = "=SUM(XFD:XFD)+COUNTA(A:A)", "=SUM(30000:30000)"
        if far:
            ws["XFD30000"], ws["E1"] = 2, "=XFD30000*3"
        wb.save(tmp_path / name)
        return tmp_path / name

    near_code, near_peak = _refresh_peak_kb(save("near.xlsx", far=False))
    far_code, far_peak = _refresh_peak_kb(save("far.xlsx", far=True))
    assert (near_code, far_code) == (0, 0)
    assert far_peak < near_peak + 100 * 1024, (near_peak, far_peak)  # KB
    out = read_workbook(tmp_path / "far.refreshed.xlsx").sheets[0].values
    assert out[(1, 2)] == 2.0
    assert out[(1, 5)] == 6.0
    assert out[(30000, 16384)] == 2.0
    assert out[(1, 3)] == 2.0 + 1.0  # SUM(XFD:XFD) + COUNTA(A:A)
    assert out[(1, 4)] == 2.0
    assert_clean(run("validate", tmp_path / "far.xlsx"))


def test_a_formula_reading_an_absurd_range_is_refused(tmp_path: Path) -> None:
    """A formula that itself reads ~500 million cells (S!A1:XFD30000) is
    refused with exit 2 naming its cell, nothing written — not gigabytes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws["A1"], ws["XFD30000"] = 1, 2
    wb.create_sheet("T")["A1"] = "=SUM(S!A1:XFD30000)"
    src = tmp_path / "huge.xlsx"
    wb.save(src)
    result = run("refresh", src, "--lang", "en")
    assert_clean(result)
    assert result.exit_code == 2
    assert "T!A1" in result.output
    assert "30,000 rows × 16,384 columns" in result.output
    assert not (tmp_path / "huge.refreshed.xlsx").exists()


def _padded_bomb(path: Path, inflated: int, padding: int) -> None:
    """A package whose sheet is ``inflated`` bytes of XML deflated to almost
    nothing, followed inside the entry by ``padding`` junk bytes, so the ratio
    its header declares looks harmless."""
    import struct
    import zlib

    base = require("excel-files") / "types07.xlsx"
    sheet = "xl/worksheets/sheet1.xml"
    body = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData/>' + b" " * inflated + b"</worksheet>"
    )
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = co.compress(body) + co.flush() + bytes(range(256)) * (padding // 256)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, b"PLACEHOLDER" if info.filename == sheet else zin.read(info))
    data = bytearray(path.read_bytes())
    # splice the raw entry in by hand: rebuild the archive around the new bytes
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    out = bytearray()
    central = bytearray()
    for info in infos:
        start = info.header_offset
        n, m = struct.unpack("<HH", data[start + 26 : start + 30])
        payload = bytes(data[start + 30 + n + m : start + 30 + n + m + info.compress_size])
        crc, usize = info.CRC, info.file_size
        if info.filename == sheet:
            payload, crc, usize = deflated, zlib.crc32(body), len(body)
        name = info.filename.encode()
        offset = len(out)
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(payload), usize, len(name), 0
        )
        out += name + payload
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(payload), usize,
            len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    eocd = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(infos), len(infos), len(central), len(out), 0
    )
    path.write_bytes(bytes(out + central + eocd))


def test_padding_does_not_evade_the_ratio_check(tmp_path: Path) -> None:
    """A sheet that inflates 60 MB from ~60 KB, padded with 600 KB of junk so
    its header declares a ratio under 200: refused while inflating, in refresh
    and validate, long before it is all in memory."""
    src = tmp_path / "padded.xlsx"
    _padded_bomb(src, 60 * 1024**2, 600 * 1024)
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size / info.compress_size < 200  # the header looks harmless
    for command in ("refresh", "validate"):
        result = run(command, src, "--lang", "en") if command == "refresh" else run(command, src)
        assert_clean(result)
        assert result.exit_code == 2, result.output
        assert "zip bomb" in result.output or "压缩炸弹" in result.output


def test_validate_walks_the_cells_present_not_whole_sheet_names(tmp_path: Path) -> None:
    """A template whose defined names point at ``参数!$A:$XFD`` (17 billion cells):
    validate finishes with its problems listed instead of walking every address."""
    import time

    src = tmp_path / "wide.xlsx"
    template = ROOT / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                text = re.sub(
                    r'(<definedName name="[^"]*"[^>]*>)[^<]*<', r"\1参数!$A:$XFD<", data.decode()
                )
                data = text.encode()
            zout.writestr(info, data)
    started = time.perf_counter()
    result = run("validate", src)
    assert_clean(result)
    assert result.exit_code == 1
    print(f"validate with whole-sheet names: {time.perf_counter() - started:.2f} s")


def test_text_a_hair_before_midnight_carries_into_the_next_day(tmp_path: Path) -> None:
    """``TEXT`` of a time that rounds up to midnight shows the next day at 00:00,
    as Excel does — not "24:00:00" nor a crash."""
    src = one_formula(tmp_path / "late.xlsx", '=TEXT(45000.999999999,"yyyy-mm-dd hh:mm:ss")')
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    value = read_workbook(tmp_path / "late.refreshed.xlsx").sheets[0].values[(1, 2)]
    assert value == "2023-03-16 00:00:00"


def test_validate_reports_a_bug_per_file_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while validating one file is that file's exit 3 in the ``--json``
    document, not a traceback; the other files are still validated."""
    import addin.validate.cli as validate_cli
    from addin.validate import validate as real_validate

    def sometimes_broken(path: Path, spec: object = None) -> object:
        if path.name.startswith("b"):
            raise ZeroDivisionError("bug")
        return real_validate(path, spec)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_cli, "validate", sometimes_broken)
    monkeypatch.delenv("JIXIAO_DEBUG", raising=False)
    for name in ("a.xlsx", "b.xlsx"):
        one_formula(tmp_path / name, "=A1+1")
    result = run("validate", tmp_path, "--json")
    assert_no_traceback(result)
    document = json.loads(result.output)
    assert document["exit_code"] == 3
    assert [(Path(f["path"]).name, f["status"]) for f in document["files"]] == [
        ("a.xlsx", "ok"),
        ("b.xlsx", "internal"),
    ]


def test_a_chain_of_names_is_computed_right_or_refused_naming_the_cell(tmp_path: Path) -> None:
    """3,000 names each one more than the next compute to 3,001 exactly; past
    MAX_NAME_DEPTH (a chain of 12,000 was a RecursionError, exit 3) refresh
    refuses naming the cell and validate lists it."""
    from hostile_corpus import _names_chain

    from addin.refresh.name_depth import MAX_NAME_DEPTH

    right = tmp_path / "chain.xlsx"
    right.write_bytes(_names_chain(3_000))
    result = run("refresh", right)
    assert result.exit_code == 0, result.output
    assert read_workbook(tmp_path / "chain.refreshed.xlsx").sheets[0].values[(1, 1)] == 3001.0
    deep = tmp_path / "deep.xlsx"
    deep.write_bytes(_names_chain(MAX_NAME_DEPTH + 10))
    refused = run("refresh", deep, "--lang", "en")
    assert_clean(refused)
    assert refused.exit_code == 2
    assert "Sheet1!A1" in refused.output
    assert f"more than the limit of {MAX_NAME_DEPTH}" in refused.output
    assert not (tmp_path / "deep.refreshed.xlsx").exists()
    checked = run("validate", deep, "--json")
    assert_clean(checked)
    codes = [p["code"] for p in json.loads(checked.output)["files"][0]["problem_details"]]
    assert "formula.nesting" in codes
