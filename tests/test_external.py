"""How the suite behaves without the external material (``tests/external.py``):
skipped with the folder named and counted on the closing line — or, under
``CI=true``, failed. Each case runs pytest in a child process with
``JIXIAO_SHARED`` pointing at a folder that does not exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Tests that need external material: one through the ``shared_dir`` fixture, two
#: parametrised over external files (each absent folder gives one placeholder).
NEEDS_EXTERNAL = [
    "tests/test_registry.py::test_names_match_the_contract",
    "tests/test_package.py::test_reads_every_shared_workbook",
]


def pytest_without_material(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """pytest on :data:`NEEDS_EXTERNAL` with the external material absent."""
    env = {**os.environ, "JIXIAO_SHARED": str(tmp_path / "absent"), "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *NEEDS_EXTERNAL],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )


def test_absent_material_is_skipped_named_and_counted(tmp_path: Path) -> None:
    """Outside CI: every such test is skipped (none fails, no empty parameter
    set), each reason names the missing folder, and the last line counts them."""
    result = pytest_without_material(tmp_path, ci="")
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout
    assert "empty parameter set" not in result.stdout
    for folder in ("FUNCTIONS.md", "excel-files", "excel-oracle"):
        assert f"{tmp_path / 'absent' / folder} is absent" in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert "3 tests skipped for want of external material" in last


def test_absent_material_fails_under_ci(tmp_path: Path) -> None:
    """Under ``CI=true`` the material must be there: its absence is a failure."""
    result = pytest_without_material(tmp_path, ci="true")
    assert result.returncode == 1
    counts = re.findall(r"(\d+) (?:failed|errors?)\b", result.stdout.strip().splitlines()[-2])
    assert sum(map(int, counts)) == 3  # a failure in a fixture, an error in a setup hook
    assert "CI must have the external material" in result.stdout
