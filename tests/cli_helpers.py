"""Running ``jixiao`` commands in-process for the CLI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from addin.cli import main

__all__ = ["EXCEL_FILES", "assert_no_traceback", "copy_excel_file", "run_cli"]

EXCEL_FILES = Path(__file__).resolve().parents[2] / "shared" / "excel-files"


def run_cli(command: str, *args: str | Path) -> Result:
    """``jixiao COMMAND ARGS…`` through click's runner."""
    return CliRunner().invoke(main, [command, *map(str, args)])


def assert_no_traceback(result: Result) -> None:
    """The command ended with a message and an exit code, not an exception."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def copy_excel_file(name: str, folder: Path, as_name: str | None = None) -> Path:
    """A copy of ``../shared/excel-files/NAME`` in ``folder`` (renamed to ``as_name``)."""
    target = folder / (as_name or name)
    shutil.copyfile(EXCEL_FILES / name, target)
    return target
