"""``jixiao refresh`` never costs an original and says plainly what went wrong.

Each test reproduces one fault found with a fault-injection harness (issue 12):
error values reported as success, originals and backups overwritten, symlinks
replaced, the input read twice, output-side failures reported as bugs, temp
files left behind, a FIFO blocking forever.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_no_traceback, run_cli
from cli_helpers import copy_excel_file as copy
from click.testing import Result
from external import require

import addin.refresh.job as job
import addin.xlsx.package_writer as package_writer
from addin.xlsx.model import CellValue, Coord, Results, Workbook
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"


def run(*args: str | Path) -> Result:
    return run_cli("refresh", *args)


def written_with_errors(src: Path) -> dict[str, Any]:
    """``refresh --json`` of ``src``: written, exit 1, status ``errors``; its report."""
    result = run(src, "--json")
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    (report,) = json.loads(result.output)["files"]
    assert report["status"] == "errors"
    assert report["output"]
    assert Path(report["output"]).is_file()
    file_report: dict[str, Any] = report
    return file_report


def twos(wb: Workbook, source: Path) -> Results:
    """A stand-in engine: every formula cell gets 2.0."""
    values: dict[str, dict[Coord, CellValue]] = {
        s.name: dict.fromkeys(s.formulas, 2.0) for s in wb.sheets
    }
    return Results(values)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refresh with :func:`twos` instead of the real engine."""
    monkeypatch.setattr(job, "load_engine", lambda name: twos)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------------------
# Errors are loud
# ---------------------------------------------------------------------------


def test_renamed_sheet_ref_errors_are_exit_1_listed_by_sheet(tmp_path: Path) -> None:
    """A template whose parameter sheet was renamed under its defined names
    computes error values in its pay cells: the file is written, but the exit
    code is 1 and every error cell is listed by sheet with its address and
    function; ``--allow-errors`` makes it 0."""
    import openpyxl

    wb = openpyxl.load_workbook(TEMPLATE)
    wb["参数"].title = "参数（旧）"  # the defined names still point at 参数!…
    src = tmp_path / "renamed.xlsx"
    wb.save(src)
    report = written_with_errors(src)
    kinds = {e["error"] for e in report["error_cells"]}
    assert kinds & {"#REF!", "#NAME?"}, kinds
    assert any(e["function"] for e in report["error_cells"])
    assert all(e["where"] == f"{e['sheet']}!{e['cell']}" or "'" in e["where"]
               for e in report["error_cells"])  # fmt: skip
    kind = sorted(kinds)[0]
    text = run(src)
    assert text.exit_code == 1
    assert f"{kind} " in text.output
    allowed = run(src, "--allow-errors")
    assert allowed.exit_code == 0, allowed.output
    assert f"{kind} " in allowed.output


@pytest.mark.usefixtures("fake_engine")
def test_folder_run_reports_every_file_past_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug on one file is that file's exit 3; the folder run goes on and the
    other files are written and reported."""

    def sometimes_broken(wb: Workbook, source: Path) -> Results:
        if source.name.startswith("b"):
            raise ZeroDivisionError("bug")
        return twos(wb, source)

    monkeypatch.setattr(job, "load_engine", lambda name: sometimes_broken)
    monkeypatch.delenv("JIXIAO_DEBUG", raising=False)
    copy("types07.xlsx", tmp_path, "a.xlsx")
    copy("types07.xlsx", tmp_path, "b.xlsx")
    copy("types07.xlsx", tmp_path, "c.xlsx")
    result = run(tmp_path, "--json")
    assert_no_traceback(result)
    doc = json.loads(result.output)
    assert doc["exit_code"] == 3
    status = {Path(f["path"]).name: f["status"] for f in doc["files"]}
    assert status == {"a.xlsx": "ok", "b.xlsx": "internal", "c.xlsx": "ok"}
    assert (tmp_path / "c.refreshed.xlsx").is_file()


# ---------------------------------------------------------------------------
# Output-side failures: exit 2, the path and the OS reason
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_engine")
def test_parent_is_a_file_is_exit_2_naming_the_path(tmp_path: Path) -> None:
    """``--out`` under a path that is a file: exit 2, the path and the reason named,
    and ``--json`` still prints its document."""
    src = copy("types07.xlsx", tmp_path)
    (tmp_path / "plain").write_text("x")
    result = run(src, "--out", tmp_path / "plain" / "out.xlsx", "--json")
    assert_no_traceback(result)
    assert result.exit_code == 2
    (report,) = json.loads(result.output)["files"]
    assert report["status"] == "output"
    assert "plain" in report["message"]
    assert "Not a directory" in report["message"] or "File exists" in report["message"]


@pytest.mark.usefixtures("fake_engine")
@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "No space left"), (errno.EROFS, "Read-only file system")],
)
def test_disk_full_and_read_only_are_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """A disk that fills up or a read-only filesystem: exit 2 with the OS reason,
    no partial output, no temp file left."""

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(package_writer, "_write_raw", fail)
    src = copy("types07.xlsx", tmp_path)
    result = run(src)
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert words in result.output
    assert "types07.refreshed.xlsx" in result.output
    assert names(tmp_path) == ["types07.xlsx"]


# ---------------------------------------------------------------------------
# No original is ever lost
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_engine")
def test_backups_are_numbered_and_never_overwritten(tmp_path: Path) -> None:
    """A second ``--in-place`` keeps the first backup (the true original) and
    writes ``name.bak.2.xlsx``; an unrelated ``name.bak.xlsx`` is not touched."""
    src = copy("types07.xlsx", tmp_path, "工资.xlsx")
    original = src.read_bytes()
    unrelated = tmp_path / "报表.bak.xlsx"
    unrelated.write_bytes(b"someone else's file")
    copy("types07.xlsx", tmp_path, "报表.xlsx")
    assert run(src, "--in-place").exit_code == 0
    first_output = src.read_bytes()
    assert run(src, "--in-place").exit_code == 0
    assert (tmp_path / "工资.bak.xlsx").read_bytes() == original
    assert (tmp_path / "工资.bak.2.xlsx").read_bytes() == first_output
    result = run(tmp_path / "报表.xlsx", "--in-place")
    assert result.exit_code == 0
    assert unrelated.read_bytes() == b"someone else's file"
    assert "报表.bak.2.xlsx" in result.output


@pytest.mark.usefixtures("fake_engine")
def test_out_resolving_to_the_input_is_refused(tmp_path: Path) -> None:
    """``--out`` naming the input (file, or its own folder) is refused with exit 2
    and the input is untouched."""
    src = copy("types07.xlsx", tmp_path)
    before = src.read_bytes()
    result = run(src, "--out", src)
    assert result.exit_code == 2
    assert "--in-place" in result.output
    result = run(tmp_path, "--out", tmp_path, "--json")
    assert result.exit_code == 2
    assert json.loads(result.output[result.output.index("{") :])["exit_code"] == 2
    assert src.read_bytes() == before
    assert names(tmp_path) == ["types07.xlsx"]


@pytest.mark.usefixtures("fake_engine")
def test_in_place_refused_while_excel_has_the_file_open(tmp_path: Path) -> None:
    """Excel's owner file ``~$name.xlsx`` beside the input: ``--in-place`` is
    refused (exit 2), nothing written."""
    src = copy("types07.xlsx", tmp_path)
    before = src.read_bytes()
    (tmp_path / "~$types07.xlsx").write_bytes(b"owner")
    result = run(src, "--in-place", "--lang", "en")
    assert result.exit_code == 2
    assert "open in Excel" in result.output
    assert src.read_bytes() == before
    assert names(tmp_path) == ["types07.xlsx", "~$types07.xlsx"]


@pytest.mark.usefixtures("fake_engine")
def test_in_place_through_a_symlink_keeps_the_link_mode_and_owner(tmp_path: Path) -> None:
    """``--in-place`` on a symlink refreshes the target; the link stays a link;
    the target keeps its mode and owner; the backup is beside the target."""
    real = tmp_path / "data"
    real.mkdir()
    target = copy("types07.xlsx", real)
    os.chmod(target, 0o640)
    owner = target.stat().st_uid, target.stat().st_gid
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    result = run(link, "--in-place")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert read_workbook(target).sheets[0].values[(1, 1)] == 2.0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert (target.stat().st_uid, target.stat().st_gid) == owner
    assert (real / "types07.bak.xlsx").is_file()


@pytest.mark.usefixtures("fake_engine")
def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    """A temp file whose process on this host is gone is removed by the next run
    in that folder; one of a live process is left alone, and so is one another
    host (sharing the folder) is writing — until it is a day old."""
    from addin.xlsx.atomic_write import temp_prefix

    src = copy("types07.xlsx", tmp_path)
    ours = temp_prefix()  # .~jixiao-<host>-<pid>-
    host = ours.removeprefix(".~jixiao-").rsplit("-", 2)[0]
    dead = tmp_path / f".~jixiao-{host}-999999999-abc.tmp"
    dead.write_bytes(b"half")
    alive = tmp_path / f"{ours}abc.tmp"
    alive.write_bytes(b"running")
    other_host = tmp_path / ".~jixiao-elsewhere-999999999-abc.tmp"
    other_host.write_bytes(b"another machine's run")
    abandoned = tmp_path / ".~jixiao-elsewhere-999999998-abc.tmp"
    abandoned.write_bytes(b"two days old")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(abandoned, (two_days_ago, two_days_ago))
    assert run(src).exit_code == 0
    assert not dead.exists()
    assert alive.exists()
    assert other_host.exists()
    assert not abandoned.exists()


# ---------------------------------------------------------------------------
# Read once
# ---------------------------------------------------------------------------


def test_input_replaced_during_the_run_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The input replaced while the engine runs: exit 2, nothing written (the
    harness got 200,000 wrong cached values with exit 0)."""
    src = copy("types07.xlsx", tmp_path)
    other = require("excel-files") / "types06.xlsx"

    def meddling(wb: Workbook, source: Path) -> Results:
        results = twos(wb, source)
        shutil.copyfile(other, tmp_path / "new.xlsx")
        os.replace(tmp_path / "new.xlsx", source)
        return results

    monkeypatch.setattr(job, "load_engine", lambda name: meddling)
    result = run(src, "--lang", "en")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert "changed while it was being refreshed" in result.output
    assert names(tmp_path) == ["types07.xlsx"]


def test_engine_and_writer_share_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer copies the bytes the engine read, not the file again."""
    src = copy("types07.xlsx", tmp_path)
    reads: list[Path] = []
    real_open = Path.open

    def counting(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == src:
            reads.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(job, "load_engine", lambda name: twos)
    monkeypatch.setattr(Path, "open", counting)
    assert run(src).exit_code == 0
    assert len(reads) == 1


def test_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A FIFO named like a workbook is refused at once (it used to block forever)."""
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    result = run(fifo)
    assert result.exit_code == 2
    assert "not a regular file" in result.output


def test_excel_error_value_reason_reaches_the_summary() -> None:
    """The kernel's reason travels with the error value into the report."""
    wb = Workbook([])
    results = Results({"S": {(1, 1): ExcelError("#VALUE!", "不是数字 / not a number")}})
    cells = job._error_cells(results, wb)
    assert [(c.where, c.error, c.reason) for c in cells] == [
        ("S!A1", "#VALUE!", "不是数字 / not a number")
    ]


def _delete_name(wb: Any) -> None:
    del wb.defined_names["项目权重"]


def _rate_as_text(wb: Any) -> None:
    ((sheet, ref),) = wb.defined_names["收入档"].destinations  # the per-point rates
    wb[sheet][ref.replace("$", "").split(":")[0]].offset(0, 1).value = "40元"


@pytest.mark.parametrize("mutate", [_delete_name, _rate_as_text], ids=["deleted-name", "40元"])
def test_broken_template_inputs_are_exit_1(tmp_path: Path, mutate: Any) -> None:
    """A deleted defined name, a rate typed as "40元": pay cells hold error values,
    so the refresh is written but exits 1 and lists them (it used to print ✓, exit 0)."""
    import openpyxl

    wb = openpyxl.load_workbook(TEMPLATE)
    mutate(wb)
    src = tmp_path / "t1.xlsx"
    wb.save(src)
    report = written_with_errors(src)
    assert report["error_cells"]
    assert all(e["reason"] for e in report["error_cells"])


def test_value_blocking_a_spill_is_exit_1(tmp_path: Path) -> None:
    """A value in the way of a dynamic array gives ``#SPILL!``: exit 1, named."""
    import zipfile

    src = tmp_path / "spill.xlsx"
    with (
        zipfile.ZipFile(require("excel-files") / "dynamic_array01.xlsx") as zin,
        zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<f t="array" ref="A1">AVERAGE(TIMEVALUE(B1:B2))</f>',
                    b'<f t="array" ref="A1">B1:B2&amp;"x"</f>',
                ).replace(
                    b'<row r="2" spans="1:2"><c r="B2"',
                    b'<row r="2" spans="1:2"><c r="A2"><v>5</v></c><c r="B2"',
                )
            zout.writestr(info, data)
    result = run(src, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "Sheet1 #SPILL! × 1: A1" in result.output


# ---------------------------------------------------------------------------
# --values: the copy to send around
# ---------------------------------------------------------------------------


def _outside_sheet_data(xml: bytes) -> bytes:
    import re

    return re.sub(rb"<sheetData\b.*</sheetData>", b"", xml, flags=re.DOTALL)


def test_values_copy_keeps_everything_but_the_formulas(tmp_path: Path) -> None:
    """``--values`` writes ``name.values.xlsx``: no formula left, calcChain gone,
    every value a constant; styles, column widths, validations, protection and
    every other part exactly as they were."""
    import re
    import zipfile

    src = tmp_path / "t1.xlsx"
    shutil.copyfile(TEMPLATE, src)
    result = run(src, "--values")
    assert result.exit_code == 0, result.output
    out = tmp_path / "t1.values.xlsx"
    with zipfile.ZipFile(src) as za, zipfile.ZipFile(out) as zb:
        names_b = set(zb.namelist())
        for name in za.namelist():
            if name.endswith("calcChain.xml"):
                assert name not in names_b
                continue
            before, after = za.read(name), zb.read(name)
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(rb"<f[ >/]", after), name
                assert _outside_sheet_data(before) == _outside_sheet_data(after), name
            elif name not in (
                "xl/workbook.xml",
                "[Content_Types].xml",
                "xl/_rels/workbook.xml.rels",
            ):
                assert before == after, name
        sheets = [n for n in za.namelist() if n.startswith("xl/worksheets/sheet")]
        assert any(b"<dataValidation" in za.read(n) for n in sheets)
        assert any(b"<cols>" in za.read(n) for n in sheets)
    refreshed = read_workbook(tmp_path / "t1.values.xlsx")
    assert not any(s.formulas for s in refreshed.sheets)
    assert refreshed.sheets[3].values  # the pay sheet holds its numbers


def test_values_copy_cannot_replace_the_input(tmp_path: Path) -> None:
    """``--values --in-place`` would throw the formulas away: refused, exit 2."""
    src = copy("types07.xlsx", tmp_path)
    result = run(src, "--values", "--in-place", "--json")
    assert result.exit_code == 2
    document = json.loads(result.output[result.output.index("{") :])
    assert document["exit_code"] == 2
    assert "--in-place" in document["message"]
    assert names(tmp_path) == ["types07.xlsx"]


@pytest.mark.usefixtures("fake_engine")
def test_an_output_whose_parent_is_a_file_names_the_output(tmp_path: Path) -> None:
    """``--out blocker/out.xlsx`` where ``blocker`` is a file: exit 2 naming the
    output path (and the parent that is in the way), not only the parent."""
    src = copy("types07.xlsx", tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    dest = blocker / "out.xlsx"
    result = run_cli("refresh", src, "--out", dest, "--lang", "en")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert str(dest) in result.output
def test_values_copy_is_recognised_by_validate(tmp_path: Path) -> None:
    """``jixiao validate`` of the ``--values`` copy: one note saying what it is
    (and to validate the original), not a "clear this cell" problem per result
    cell; exit 0. (A working copy with a result pasted as a value is still
    reported at its cell: test_validate's mutations.)"""
    from addin.validate import validate

    src = tmp_path / "t1.xlsx"
    shutil.copyfile(TEMPLATE, src)
    assert run(src, "--values").exit_code == 0
    report = validate(tmp_path / "t1.values.xlsx")
    assert report.problems == [], report.render_text()
    assert len(report.notes) == 1
    assert "refresh --values" in report.notes[0][1]
    assert report.exit_code == 0
