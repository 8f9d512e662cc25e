"""The hostile corpus in ``make test`` (issue 27): every command that reads a
workbook, on every file of :mod:`hostile_corpus` — damaged parts and
attributes, the size-bound cases, the earlier issues' hostile files — with its
documented exit code, never exit 3 nor a traceback, under the time and memory
caps, and every workbook it writes opening in openpyxl and LibreOffice.

Bounded: the size budgets and the size-bound cases are divided by
:data:`SCALE` (``hostile_corpus --scale``), so each case still crosses the
limit it is about, at 1/64 of the bytes (about two minutes in all). ``make
fuzz`` runs them at full size, with mutants.

The corpus runs in a fresh Python of its own: its runs are forked from a parent
that has imported only jixiao, so their peak memory is theirs, not this test
process's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import CASES, COMMANDS
from soffice_helpers import SOFFICE

ROOT = Path(__file__).resolve().parents[1]
#: the budgets and the size-bound cases at 1/64 (1 GB → 16 MB, a million rows → 15,625)
SCALE = 64
#: the whole corpus, LibreOffice included, must end within this many seconds
TIMEOUT = 1200


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_command_survives_every_file(tmp_path: Path) -> None:
    args = [sys.executable, str(ROOT / "tests" / "hostile_corpus.py"), "--scale", str(SCALE),
            "--keep", str(tmp_path)]  # fmt: skip
    if SOFFICE is None:
        args.append("--no-libreoffice")
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert f"{len(COMMANDS) * len(CASES)} runs" in done.stdout
    written = {p.name for p in (tmp_path / "out").glob("*.xlsx")}
    for kind in ("refreshed", "diff", "lite", "slips"):  # sound cases wrote these, and they opened
        assert any(name.endswith(f".{kind}.xlsx") for name in written), kind
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: outputs opened in openpyxl only")
