"""Running ``jixiao`` commands in-process for the CLI tests."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result
from external import require

from addin.cli import main

__all__ = ["assert_no_traceback", "copy_excel_file", "run_cli", "small_workbook"]


def run_cli(command: str, *args: str | Path) -> Result:
    """``jixiao COMMAND ARGS…`` through click's runner."""
    return CliRunner().invoke(main, [command, *map(str, args)])


def assert_no_traceback(result: Result) -> None:
    """The command ended with a message and an exit code, not an exception."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def copy_excel_file(name: str, folder: Path, as_name: str | None = None) -> Path:
    """A copy of the external ``excel-files/NAME`` in ``folder`` (renamed to
    ``as_name``); skips the test when the external material is absent."""
    target = folder / (as_name or name)
    shutil.copyfile(require("excel-files") / name, target)
    return target


def small_workbook(name: str, folder: Path, as_name: str | None = None) -> Path:
    """A small workbook written here, for the tests with the stand-in engine (which
    ignores what the formulas say): Sheet1!A1:A12 are formulas over column B. An
    ``.xlsm`` also carries a VBA project part, which a refresh keeps as it is."""
    target = folder / (as_name or name)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in range(1, 13):
        sheet.cell(row, 1, f"=B{row}*2")
        sheet.cell(row, 2, row)
    book.save(target)
    if target.suffix == ".xlsm":
        with zipfile.ZipFile(target, "a") as zf:
            zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    return target
