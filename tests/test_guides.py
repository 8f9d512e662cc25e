"""The install guides' commands, run as an IT person would run them.

Every line of every ```shell block in docs/excel-windows.md and
docs/excel-office-js.md is run, in order, in a scratch folder holding a copy of
the project as ``jixiao/`` and with a fresh virtual environment first on PATH:
building the wheelhouse, installing offline from it, listing a function,
converting a template for each host, validating it, writing the Lite bundle.
(```bat blocks are Windows-only and are not run.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from addin.hosts.template import host_spelling, spellings_in
from addin.registry import lookup

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
GUIDES = [ROOT / "docs" / "excel-windows.md", ROOT / "docs" / "excel-office-js.md"]
_BLOCK = re.compile(r"^( *)```shell\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_SKIP_COPY = shutil.ignore_patterns(
    ".venv",
    ".git",
    "out",
    "build",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "wheelhouse",
)


def shell_commands(guide: Path) -> list[str]:
    """The commands of a guide's ```shell blocks, in order."""
    commands = []
    for m in _BLOCK.finditer(guide.read_text(encoding="utf-8")):
        for line in m.group(2).splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_guides_have_runnable_commands() -> None:
    """Both guides carry the commands this test runs: the one-command wheelhouse, the offline
    install, the template conversion per host and the Lite bundle."""
    windows, officejs = (shell_commands(g) for g in GUIDES)
    assert "python -m pip wheel ./jixiao -w wheelhouse" in windows
    assert "python -m pip install --no-index --find-links wheelhouse jixiao" in windows
    assert any(c.startswith("jixiao template") and "--host classic" in c for c in windows)
    assert "jixiao lite-bundle jixiao-lite" in officejs
    assert {"lite", "server"} <= {m for c in officejs for m in re.findall(r"--host (\w+)", c)}


def test_guide_commands_run(tmp_path: Path) -> None:
    """Each command exits 0 in a fresh environment; the results are what the guides say."""
    work = tmp_path / "work"
    shutil.copytree(ROOT, work / "jixiao", ignore=_SKIP_COPY)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for guide in GUIDES:
        for command in shell_commands(guide):
            proc = subprocess.run(
                command, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=600
            )
            assert proc.returncode == 0, f"{guide.name}: {command}\n{proc.stdout}\n{proc.stderr}"
    assert list((work / "wheelhouse").glob("jixiao-*.whl"))
    assert (work / "jixiao-lite" / "main.py").is_file()
    for name, host in (
        ("供销社-windows.xlsx", "classic"),
        ("供销社-lite.xlsx", "lite"),
        ("供销社-server.xlsx", "server"),
    ):
        found = spellings_in(work / name)
        assert found
        for spelling in found:
            spec = lookup(spelling)
            assert spec is not None
            assert spelling == host_spelling(spec, host)  # type: ignore[arg-type]
