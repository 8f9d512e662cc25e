"""``jixiao refresh`` end to end with click's CliRunner: exit codes, summaries,
outputs, backups, folders, unreadable and unsupported files — never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import assert_no_traceback, run_cli
from cli_helpers import small_workbook as workbook
from click.testing import Result
from external import SharedDir, shared_files

import addin.refresh.job as job
from addin.xlsx.model import (
    CellRef,
    CellValue,
    CircularReferenceError,
    Coord,
    Results,
    UnsupportedFormulaError,
    Workbook,
)
from addin.xlsx.workbook import declare_calculated, read_workbook
from udfs.errors import DIV0

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

EXCEL_FILES = shared_files("excel-files", "*.xls*")


def fake_calculate(wb: Workbook, source: Path) -> Results:
    """A stand-in engine: every formula cell gets 2.0, except that in a file whose
    name has "formula_results" every third gets #DIV/0!."""
    if "unsupported" in source.name:
        raise UnsupportedFormulaError(
            "2 个单元格使用了不支持的函数 / 2 cells use unsupported functions",
            [
                (CellRef("Sheet1", (1, 1)), "不支持的函数 / unsupported function BESSELJ"),
                (CellRef("Sheet1", (2, 1)), "不支持的函数 / unsupported function BESSELJ"),
            ],
        )
    if "circular" in source.name:
        raise CircularReferenceError(
            "公式存在循环引用 / circular reference: Sheet1!A1",
            [(CellRef("Sheet1", (1, 1)), "循环引用 / circular reference")],
        )
    values: dict[str, dict[Coord, CellValue]] = {}
    errors = "formula_results" in source.name
    for s in wb.sheets:
        values[s.name] = {
            c: (DIV0.with_message("除数为 0 / divide by zero") if errors and i % 3 == 2 else 2.0)
            for i, c in enumerate(sorted(s.formulas))
        }
    return Results(values)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refresh with :func:`fake_calculate` instead of the real engine."""
    monkeypatch.setattr(job, "load_engine", lambda name: fake_calculate)


def run(*args: str | Path) -> Result:
    return run_cli("refresh", *args)


# ---------------------------------------------------------------------------
# With a stand-in engine
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_engine")
def test_default_output_beside_the_input(tmp_path: Path) -> None:
    """``name.refreshed.xlsx`` beside the input; the input is untouched; the
    summary names the cells computed and the error values by sheet with their
    cells and the kernel's reason: written with error values is exit 1."""
    src = workbook("formula_results01.xlsx", tmp_path)
    before = src.read_bytes()
    result = run(src)
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    out = tmp_path / "formula_results01.refreshed.xlsx"
    assert out.is_file()
    assert src.read_bytes() == before
    assert "计算 12 个单元格" in result.output
    assert "12 cells computed" in result.output
    assert "4 formula cells hold error values" in result.output
    assert "Sheet1 #DIV/0! × 4: A3, A6, A9, A12 — 除数为 0 / divide by zero" in result.output
    assert "divide by zero" in result.output
    values = read_workbook(out).sheets[0].values
    assert values[(1, 1)] == 2.0
    assert values[(3, 1)] == DIV0


@pytest.mark.usefixtures("fake_engine")
def test_out_path_for_one_file(tmp_path: Path) -> None:
    """``--out`` names the output file."""
    src = workbook("types07.xlsx", tmp_path)
    out = tmp_path / "elsewhere" / "结果.xlsx"
    out.parent.mkdir()
    result = run(src, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert not (tmp_path / "types07.refreshed.xlsx").exists()


@pytest.mark.usefixtures("fake_engine")
def test_in_place_keeps_a_backup(tmp_path: Path) -> None:
    """``--in-place`` rewrites the input and keeps the original as ``name.bak.xlsx``."""
    src = workbook("types07.xlsx", tmp_path, "工资.xlsx")
    before = src.read_bytes()
    result = run(src, "--in-place")
    assert result.exit_code == 0, result.output
    backup = tmp_path / "工资.bak.xlsx"
    assert backup.read_bytes() == before
    assert src.read_bytes() != before
    assert read_workbook(src).sheets[0].values[(1, 1)] == 2.0
    assert "工资.bak.xlsx" in result.output


def test_out_and_in_place_are_exclusive(tmp_path: Path) -> None:
    """Asking for both is a usage error (exit 2) and writes nothing."""
    src = workbook("types07.xlsx", tmp_path)
    result = run(src, "--in-place", "--out", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["types07.xlsx"]


@pytest.mark.usefixtures("fake_engine")
def test_folder_recursion_skips_outputs_locks_and_backups(tmp_path: Path) -> None:
    """Folders are searched recursively for .xlsx/.xlsm; Excel lock files, our
    outputs and backups are skipped; a total line closes the summary."""
    sub = tmp_path / "分行" / "一月"
    sub.mkdir(parents=True)
    workbook("types07.xlsx", tmp_path)
    workbook("macro01.xlsm", sub)
    workbook("types06.xlsx", sub, "old.refreshed.xlsx")
    workbook("types06.xlsx", sub, "old.bak.xlsx")
    (sub / "~$types07.xlsx").write_bytes(b"lock")
    (sub / "notes.txt").write_text("x")
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "types07.refreshed.xlsx").is_file()
    assert (sub / "macro01.refreshed.xlsm").is_file()
    assert not (sub / "old.refreshed.refreshed.xlsx").exists()
    assert "共 2 个文件" in result.output
    with zipfile.ZipFile(sub / "macro01.refreshed.xlsm") as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


@pytest.mark.usefixtures("fake_engine")
def test_folder_with_out_directory_and_jobs(tmp_path: Path) -> None:
    """``--out DIR`` mirrors the folder; ``--jobs 2`` runs worker processes."""
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    for name in ("types06.xlsx", "types07.xlsx", "utf8_05.xlsx"):
        workbook(name, src / "a")
    out = tmp_path / "out"
    result = run(src, "--out", out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "a").iterdir()) == [
        "types06.xlsx",
        "types07.xlsx",
        "utf8_05.xlsx",
    ]
    assert sorted(p.name for p in (src / "a").iterdir()) == [
        "types06.xlsx",
        "types07.xlsx",
        "utf8_05.xlsx",
    ]


@pytest.mark.usefixtures("fake_engine")
def test_unreadable_file_exit_2_with_message(tmp_path: Path) -> None:
    """A non-workbook gets exit 2 and a bilingual message; nothing is written."""
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("not a workbook")
    result = run(bad)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "无法读取" in result.output
    assert "not an Excel workbook" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏文件.xlsx"]


@pytest.mark.usefixtures("fake_engine")
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64) + "Workbook".encode("utf-16-le"), ".xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
        (b"PK\x03\x04truncated", "corrupt"),
    ],
)
def test_hostile_inputs_exit_2(tmp_path: Path, content: bytes, words: str) -> None:
    """.xls, encrypted and truncated files: exit 2, a message, no traceback."""
    path = tmp_path / "input.xlsx"
    path.write_bytes(content)
    result = run(path)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert words in result.output


def test_missing_file_exit_2(tmp_path: Path) -> None:
    """A path that does not exist is reported, not a traceback."""
    result = run(tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "找不到文件" in result.output


@pytest.mark.usefixtures("fake_engine")
def test_unsupported_exit_2_lists_cells_and_writes_nothing(tmp_path: Path) -> None:
    """Unsupported functions: exit 2, every cell and function named, nothing written."""
    src = workbook("types07.xlsx", tmp_path, "unsupported.xlsx")
    result = run(src)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "未写出文件" in result.output
    assert "unsupported function BESSELJ × 2: Sheet1!A1, Sheet1!A2" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unsupported.xlsx"]


@pytest.mark.usefixtures("fake_engine")
def test_circular_reference_exit_2(tmp_path: Path) -> None:
    """A circular reference is reported with its cells (exit 2), nothing written."""
    src = workbook("types07.xlsx", tmp_path, "circular.xlsx")
    result = run(src, "--lang", "en")
    assert result.exit_code == 2
    assert "circular reference, nothing written" in result.output
    assert "循环" not in result.output
    assert "Sheet1!A1" in result.output
    assert not (tmp_path / "circular.refreshed.xlsx").exists()


@pytest.mark.usefixtures("fake_engine")
def test_worst_file_decides_the_exit_code(tmp_path: Path) -> None:
    """A folder with a good, an unsupported and an unreadable file exits 2, and the
    good file is still refreshed."""
    workbook("types07.xlsx", tmp_path)
    workbook("types06.xlsx", tmp_path, "unsupported.xlsx")
    (tmp_path / "broken.xlsx").write_text("x")
    result = run(tmp_path)
    assert result.exit_code == 2
    assert (tmp_path / "types07.refreshed.xlsx").is_file()
    assert "3 files: 1 written, 2 not written" in result.output


@pytest.mark.usefixtures("fake_engine")
def test_json_summary(tmp_path: Path) -> None:
    """``--json`` prints one machine-readable document with every file's report."""
    workbook("formula_results01.xlsx", tmp_path)
    workbook("types06.xlsx", tmp_path, "unsupported.xlsx")
    result = run(tmp_path, "--json")
    assert result.exit_code == 2
    doc = json.loads(result.output)
    assert doc["command"] == "refresh"
    assert doc["exit_code"] == 2
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    ok = by_name["formula_results01.xlsx"]
    assert ok["status"] == "errors"
    assert ok["exit_code"] == 1
    assert ok["cells_computed"] == 12
    assert ok["error_values"]["#DIV/0!"][0] == "Sheet1!A3"
    first = ok["error_cells"][0]
    assert (first["where"], first["sheet"], first["cell"], first["error"]) == (
        "Sheet1!A3", "Sheet1", "A3", "#DIV/0!"
    )
    assert first["reason"] == "除数为 0 / divide by zero"
    bad = by_name["unsupported.xlsx"]
    assert bad["status"] == "unsupported"
    assert bad["exit_code"] == 2
    assert bad["problem_details"][0]["where"] == "Sheet1!A1"
    assert bad["problem_details"][0]["code"] == "refresh.unsupported"


def test_internal_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in an engine surfaces as exit 3 and one line, not a traceback."""

    def broken(wb: Workbook, source: Path) -> Results:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(job, "load_engine", lambda name: broken)
    monkeypatch.delenv("JIXIAO_DEBUG", raising=False)
    src = workbook("types07.xlsx", tmp_path)
    result = run(src)
    assert result.exit_code == 3
    assert "内部错误" in result.output
    assert "ZeroDivisionError: bug" in result.output
    assert_no_traceback(result)


def test_help_is_bilingual() -> None:
    """``jixiao refresh --help`` explains the command in Chinese and English."""
    result = run("--help")
    assert result.exit_code == 0
    assert "重算工作簿" in result.output
    assert "Recalculate workbooks" in result.output


# ---------------------------------------------------------------------------
# With the built-in engine (issue 8.2 and 8.3)
# ---------------------------------------------------------------------------

_CELL = re.compile(r"^'?[^!]+'?![A-Z]{1,3}\d+$")


@pytest.mark.parametrize("path", EXCEL_FILES, ids=lambda p: p.name)
def test_real_excel_files_round_trip(path: Path, tmp_path: Path) -> None:
    """Every workbook saved by Excel refreshes (exit 0) — or, for a function outside
    the supported list, exits 1 naming the cells — and the output differs from the
    input only in the cached values of formula cells."""
    src = tmp_path / path.name
    shutil.copyfile(path, src)
    result = run(src, "--json")
    assert_no_traceback(result)
    doc = json.loads(result.output)
    (report,) = doc["files"]
    assert report["status"] in ("ok", "errors", "unsupported"), report
    if report["status"] == "unsupported":
        assert result.exit_code == 2
        assert report["problem_details"]
        assert all(_CELL.match(p["where"]) for p in report["problem_details"])
        assert all("unsupported" in p["en"] for p in report["problem_details"])
        return
    assert result.exit_code == (1 if report["error_cells"] else 0)
    out = Path(report["output"])
    with zipfile.ZipFile(path) as za, zipfile.ZipFile(out) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            if name == "xl/workbook.xml":
                assert zb.read(name) in (za.read(name), declare_calculated(za.read(name)))
            elif not name.startswith("xl/worksheets/sheet"):
                assert za.read(name) == zb.read(name), name
    before, after = read_workbook(path), read_workbook(out)
    for s0, s1 in zip(before.sheets, after.sheets, strict=True):
        assert s0.formulas == s1.formulas
        for coord, value in s0.values.items():
            if coord not in s0.formulas and not _in_array_range(s0, coord):
                assert s1.values.get(coord) == value, (s0.name, coord)


def _in_array_range(sheet: object, coord: tuple[int, int]) -> bool:
    from addin.xlsx.a1 import from_a1

    for f in sheet.formulas.values():  # type: ignore[attr-defined]
        if f.ref and ":" in f.ref:
            a, b = (from_a1(x) for x in f.ref.split(":"))
            if a[0] <= coord[0] <= b[0] and a[1] <= coord[1] <= b[1]:
                return True
    return False


def test_structured_references_evaluate(tmp_path: Path, shared_dir: SharedDir) -> None:
    """table34.xlsx: ``Table1[[#This Row],[Column3]]`` evaluates to column 3's value."""
    src = tmp_path / "table34.xlsx"
    shutil.copyfile(shared_dir / "excel-files" / "table34.xlsx", src)
    result = run(src)
    assert result.exit_code == 0, result.output
    sheet = read_workbook(tmp_path / "table34.refreshed.xlsx").sheets[0]
    for row in range(3, 7):
        assert sheet.values[(row, 6)] == sheet.values[(row, 5)]


def test_formulas_test_workbook_lists_unsupported_functions(
    tmp_path: Path, shared_dir: SharedDir
) -> None:
    """Issue 8.3: the original formulas-test.xlsx exits 2 with a clear list of the
    unsupported functions and their cells, writes nothing, and shows no traceback."""
    src = tmp_path / "formulas-test.xlsx"
    shutil.copyfile(shared_dir / "excel-oracle" / "formulas-test.xlsx", src)
    result = run(src)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "不支持" in result.output
    assert re.search(r"unsupported function [A-Z][A-Z0-9.]+ × \d+: \S+![A-Z]+\d+", result.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["formulas-test.xlsx"]


def test_libreoffice_not_installed_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--engine libreoffice`` where soffice cannot run: exit 2 with the reason, before
    any file is touched."""
    import addin.refresh.libreoffice as libreoffice

    monkeypatch.setattr(libreoffice, "unavailable_reason", lambda: "soffice is not installed")
    src = workbook("types07.xlsx", tmp_path)
    result = run(src, "--engine", "libreoffice")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "soffice is not installed" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["types07.xlsx"]


def test_engine_failure_on_one_workbook_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine that gives up on a workbook (a RefreshError of its own) is reported
    as a failed refresh, exit 2, nothing written."""
    from addin.xlsx.model import RefreshError

    def gives_up(wb: Workbook, source: Path) -> Results:
        raise RefreshError("LibreOffice 无法打开 / LibreOffice could not open the file")

    monkeypatch.setattr(job, "load_engine", lambda name: gives_up)
    src = workbook("types07.xlsx", tmp_path)
    result = run(src, "--lang", "en")
    assert result.exit_code == 2
    assert "refresh failed, nothing written" in result.output
    assert "LibreOffice could not open the file" in result.output
    assert not (tmp_path / "types07.refreshed.xlsx").exists()


def test_scheduler_without_the_cluster_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--scheduler local:2`` where dask.distributed is not installed: exit 2
    (nothing written) with the command that installs it, no traceback."""
    import sys

    for name in [m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask → ModuleNotFoundError
    monkeypatch.setitem(sys.modules, "distributed", None)
    workbook("a.xlsx", tmp_path)
    workbook("b.xlsx", tmp_path)
    result = run_cli("refresh", tmp_path, "--scheduler", "local:2")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "pip install 'jixiao[cluster]'" in result.output
    assert not list(tmp_path.glob("*.refreshed.xlsx"))


def test_folder_reports_name_files_by_their_path_in_the_folder(tmp_path: Path) -> None:
    """Two 奖金表.xlsx in 东区/ and 西区/ are told apart; no TODAY() line when
    no formula is volatile, one when TODAY() was computed."""
    for region in ("东区", "西区"):
        (tmp_path / "月结" / region).mkdir(parents=True)
        workbook("奖金表.xlsx", tmp_path / "月结" / region)
    result = run(tmp_path / "月结")
    assert result.exit_code == 0, result.output
    assert "✓ 东区/奖金表.xlsx → 奖金表.refreshed.xlsx" in result.output
    assert "✓ 西区/奖金表.xlsx → 奖金表.refreshed.xlsx" in result.output
    assert "TODAY()" not in result.output
    volatile_book = tmp_path / "today.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "=TODAY()"
    book.save(volatile_book)
    assert "TODAY() 取" in run(volatile_book).output


def test_a_killed_worker_is_retried_once_and_every_file_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--jobs 2`` with a worker killed: the pool breaks; every unfinished file
    is tried once more (as the Dask path does), a file that kills its worker
    twice is ``worker-died`` (exit 2), and all six files are reported — not a
    BrokenProcessPool traceback with 2 of 6 written."""
    import os
    import signal

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c", "d", "e", "f"):
        workbook(f"{name}.xlsx", folder)
    marker = tmp_path / "killed-once"

    def killing(wb: Workbook, source: Path) -> Results:
        if source.name == "b.xlsx" and not marker.exists():
            marker.write_text("x")
            os.kill(os.getpid(), signal.SIGKILL)
        if source.name == "e.xlsx":
            os.kill(os.getpid(), signal.SIGKILL)
        return fake_calculate(wb, source)

    monkeypatch.setattr(job, "load_engine", lambda name: killing)
    result = run(folder, "--jobs", "2", "--out", tmp_path / "out", "--json")
    assert_no_traceback(result)
    document = json.loads(result.output)
    statuses = {Path(f["path"]).name: f["status"] for f in document["files"]}
    assert statuses == {
        "a.xlsx": "ok", "b.xlsx": "ok", "c.xlsx": "ok", "d.xlsx": "ok",
        "e.xlsx": "worker-died", "f.xlsx": "ok",
    }  # fmt: skip
    assert document["exit_code"] == 2
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", "f.xlsx"]


@pytest.mark.parametrize("f", ["<f> </f>", '<f si="0"/>'])
def test_a_formula_excel_repairs_is_repaired_the_same_and_said(tmp_path: Path, f: str) -> None:
    """A formula cell whose formula Excel drops on opening (whitespace text,
    ``si`` without ``t="shared"``) is its cached value to the calculation, as in
    Excel, and the summary and ``--json`` say so naming the file and cell."""
    from xlsx_helpers import make_xlsx

    src = make_xlsx(
        tmp_path / "r.xlsx",
        {"S": f'<row r="1"><c r="A1">{f}<v>5</v></c><c r="B1"><f>A1*2</f><v>0</v></c></row>'},
    )
    out = tmp_path / "out.xlsx"
    result = run_cli("refresh", src, "--out", out)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "S!A1" in x)
    assert line.strip().startswith("r.xlsx：S!A1：")
    assert "r.xlsx: S!A1: " in line
    assert "repaired as Excel repairs it" in line
    assert openpyxl.load_workbook(out)["S"]["B1"].value == "=A1*2"
    repaired = read_workbook(out)  # the output carries Excel's repair: nothing to repair again
    assert repaired.repairs == []
    assert repaired.sheet("S").values == {(1, 1): 5.0, (1, 2): 10.0}
    assert list(repaired.sheet("S").formulas) == [(1, 2)]
    summary = json.loads(run_cli("refresh", src, "--out", out, "--json").output)
    assert [where for where, _ in summary["files"][0]["repairs"]] == ["S!A1"]
