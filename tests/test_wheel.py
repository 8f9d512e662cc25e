"""The wheel stands on its own.

The wheel is built from a copy of the repository's files (never in the
checkout, which the build would litter with ``build/`` and ``*.egg-info``),
installed — not editable — into a fresh virtual environment, and its
``jixiao`` is run from outside the checkout: it lists the functions, refreshes
and validates the template it carries as package data, and writes the xlwings
Lite bundle. pip fetches the dependencies as for any user (its local cache
makes that quick).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from addin import registry
from addin.xlsx.a1 import from_a1
from addin.xlsx.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]

#: Not part of what a plain clone holds, or made by a build or a run.
NOT_SOURCES = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist", "out")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command outside the checkout, without this session's PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must succeed."""
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def build_wheel(work: Path) -> Path:
    """Build the wheel from a copy of the sources; the build warns of nothing deprecated."""
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    log = ok(run(sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", work / "dist", src, cwd=work))
    deprecated = [line for line in log.splitlines() if "deprecat" in line.lower()]
    assert deprecated == [], "the build warns of something deprecated"
    (wheel,) = (work / "dist").glob("jixiao-*.whl")
    return wheel


def install(wheel: Path, work: Path) -> Path:
    """A fresh virtual environment with the wheel and its dependencies; its ``bin``."""
    venv = work / "venv"
    ok(run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work))
    python = venv / "bin" / "python"
    ok(run(sys.executable, "-m", "pip", "--python", python, "install", "-q", wheel, cwd=work))
    return venv / "bin"


@pytest.mark.slow
def test_wheel_installs_and_runs(tmp_path: Path) -> None:
    """Build → install in a fresh venv → ``jixiao functions``, ``refresh`` and
    ``validate`` of the bundled t1_gongxiaoshe.xlsx (its values are the golden
    ones), ``lite-bundle``. One test, so the wheel is built once per run."""
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for template_id in ("t1-gongxiaoshe", "t7-weixiu"):
        assert f"workbooks/specs/{template_id}.json" in names
    assert "workbooks/templates/t1_gongxiaoshe.xlsx" in names
    assert not any(n.startswith("tests/") for n in names)

    bin_dir = install(wheel, tmp_path)
    jixiao = bin_dir / "jixiao"

    listed = ok(run(jixiao, "functions", cwd=tmp_path))
    assert all(name in listed for name in registry.names())

    where = "import pathlib, workbooks; print(pathlib.Path(workbooks.__file__).parent)"
    package_dir = Path(ok(run(bin_dir / "python", "-c", where, cwd=tmp_path)).strip())
    assert package_dir.is_relative_to(bin_dir.parent), "workbooks imported from outside the venv"
    template = package_dir / "templates" / "t1_gongxiaoshe.xlsx"
    refreshed = tmp_path / "t1.refreshed.xlsx"
    ok(run(jixiao, "refresh", template, "--out", refreshed, cwd=tmp_path))
    ok(run(jixiao, "validate", refreshed, cwd=tmp_path))

    golden = json.loads((ROOT / "workbooks" / "golden" / "t1-gongxiaoshe.json").read_text("utf-8"))
    book = read_workbook(refreshed)
    for key, want in golden["values"].items():
        sheet, cell = key.split("!")
        got = book.sheet(sheet).values.get(from_a1(cell))
        assert got == pytest.approx(want) if isinstance(want, float) else got == want, key

    ok(run(jixiao, "lite-bundle", tmp_path / "lite", cwd=tmp_path))
    assert {p.name for p in (tmp_path / "lite").iterdir()} == {"main.py", "requirements.txt"}

    # the first hour as the README tells it: a template out of the installed
    # package, refreshed, its slips (from outside the checkout, no source tree)
    listed = ok(run(jixiao, "new", "--list", cwd=tmp_path))
    assert "t8-xiaoshoubu" in listed
    ok(run(jixiao, "new", "t2", "-o", tmp_path / "网销.xlsx", cwd=tmp_path))
    ok(run(jixiao, "refresh", tmp_path / "网销.xlsx", cwd=tmp_path))
    slips = ok(run(jixiao, "slips", tmp_path / "网销.refreshed.xlsx", "--split", tmp_path / "slips", cwd=tmp_path))
    assert "与表中合计一致" in slips
    assert len(list((tmp_path / "slips").glob("*.xlsx"))) == 32
