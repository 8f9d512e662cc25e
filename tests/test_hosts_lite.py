"""The xlwings Lite bundle: self-contained main.py that imports and computes with only numpy + xlwings.

The bundle is checked in a fresh virtual environment that holds nothing but numpy
and xlwings (the versions of this project's venv, installed with pip). The venv is
cached between runs in the system temp directory (override with
``JIXIAO_LITE_VENV``), guarded by a file lock so parallel workers build it once.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import fcntl
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import pytest
import xlwings
import xlwings.server
from click.testing import CliRunner
from host_helpers import assert_bundle_imports_only
from lite_helpers import CALLS, here_call, lite_payload

from addin.cli import main as cli
from addin.hosts import officejs
from addin.hosts.lite import (
    BUNDLE_ROOT,
    XLWINGS_FLOOR,
    XLWINGS_TESTED,
    build_main,
    build_requirements,
    write_bundle,
)
from addin.hosts.sources import SHIPPED_MODULES
from addin.registry import FUNCTIONS

pytestmark = pytest.mark.slow

PINS = {name: importlib.metadata.version(name) for name in ("numpy", "xlwings")}


def _venv_dir() -> Path:
    configured = os.environ.get("JIXIAO_LITE_VENV")
    if configured:
        return Path(configured)
    tag = "-".join(f"{k}{v}" for k, v in sorted(PINS.items()))
    return Path(tempfile.gettempdir()) / f"jixiao-lite-venv-py{sys.version_info[0]}{sys.version_info[1]}-{tag}"


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(scope="session")
def lite_python() -> Path:
    """A python with only numpy and xlwings installed (built once, then reused)."""
    root = _venv_dir()
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            building = root.with_name(root.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            shutil.rmtree(root, ignore_errors=True)
            venv.EnvBuilder(with_pip=True, clear=True).create(building)
            pins = [f"{name}=={version}" for name, version in PINS.items()]
            subprocess.run(
                [str(_venv_python(building)), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
                check=True,
            )
            building.rename(root)
            (root / ".complete").write_text("ok\n")
    python = _venv_python(root)
    # venvs hard-code their path in scripts; the interpreter itself runs from anywhere.
    installed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    )
    names = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert names <= {"numpy", "xlwings", "pip", "setuptools"}, names
    return python


RUNNER = r'''
import json, sys, traceback
sys.path.insert(0, sys.argv[1])
import main
import udfs
import addin.hosts.convert
assert type(udfs.__spec__.loader).__name__ == "_BundleFinder", udfs.__spec__
assert type(addin.hosts.convert.__spec__.loader).__name__ == "_BundleFinder"
import asyncio
import xlwings.server


def lite_call(p):
    # What xlwings Lite does with a raised exception: its message goes to Excel.
    try:
        return asyncio.run(xlwings.server.custom_functions_call(p, main))
    except Exception as e:
        return {"error": str(e)}


payloads = json.load(sys.stdin)
out = {"exported": main.EXPORTED, "results": [lite_call(p) for p in payloads]}
out["meta"] = xlwings.server.custom_functions_meta(main)
out["modules"] = sorted({getattr(main, n).__module__ for n in main.EXPORTED})
try:
    addin.hosts.convert.cut_help(None, 5)
except TypeError:
    out["traceback"] = traceback.format_exc()
print(json.dumps(out))
'''


def test_bundle_files(tmp_path: Path) -> None:
    """The command writes main.py and requirements.txt (xlwings pinned, numpy from Pyodide)."""
    result = CliRunner().invoke(cli, ["lite-bundle", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["main.py", "requirements.txt"]
    assert (tmp_path / "out" / "main.py").read_text(encoding="utf-8") == build_main()
    lines = [ln for ln in build_requirements().splitlines() if ln and not ln.startswith("#")]
    assert lines == [f"xlwings=={XLWINGS_TESTED}", "numpy"]


def test_bundle_into_an_unwritable_folder_is_exit_2_without_traceback(tmp_path: Path) -> None:
    """An OUTDIR under a plain file cannot be made: exit 2 naming the path, no traceback."""
    from click.testing import CliRunner

    from addin.hosts.lite import lite_bundle_command

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(lite_bundle_command, [str(blocker / "sub")])
    assert result.exit_code == 2
    assert str(blocker / "sub") in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an OSError


def test_pinned_xlwings_is_the_tested_one_and_meets_the_floor() -> None:
    """The pin is the xlwings these tests run the bundle with, and not below the floor."""
    assert PINS["xlwings"] == XLWINGS_TESTED
    version = tuple(int(p) for p in XLWINGS_TESTED.split("."))
    assert version >= tuple(int(p) for p in XLWINGS_FLOOR.split(".")) >= (0, 36, 7)


def test_bundle_imports_only_numpy_xlwings_and_stdlib() -> None:
    """main.py and every module it carries import nothing beyond the stdlib, numpy, xlwings
    and the bundled modules themselves."""
    sources = assert_bundle_imports_only(build_main(), {"numpy", "xlwings"})
    assert set(SHIPPED_MODULES) < set(sources)
    assert {"udfs", "udfs.errors", "udfs.bands", "udfs.scoring", "udfs.ranking", "udfs.money"} <= set(sources)


def test_bundle_computes_in_a_fresh_venv(lite_python: Path, tmp_path: Path) -> None:
    """In a venv with only numpy and xlwings, main.py imports (its modules served from the
    bundle), exposes every registry function as JX.NAME and computes what the project does."""
    out_dir = tmp_path / "lite"
    write_bundle(out_dir)
    payloads = [lite_payload(name, args, xlwings.__version__) for name, args in CALLS]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    proc = subprocess.run(
        [str(lite_python), "-I", "-c", RUNNER, str(out_dir)],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["exported"] == [s.name for s in FUNCTIONS]
    assert sorted(f["name"] for f in got["meta"]["functions"]) == sorted(f"JX.{s.name}" for s in FUNCTIONS)
    here = [here_call(p) for p in payloads]
    assert got["results"] == here
    assert got["meta"] == json.loads(json.dumps(xlwings.server.custom_functions_meta(officejs)))
    bad_keyword = got["results"][-2]
    assert bad_keyword["error"].startswith("TIERED: 参数 mode")
    assert " / " in bad_keyword["error"]
    assert got["modules"] == ["main"]
    trace = got["traceback"]
    assert f'File "{BUNDLE_ROOT}/addin/hosts/convert.py", line' in trace
    assert "if len(text) <= limit:" in trace


def test_bundle_refuses_an_xlwings_below_the_floor(lite_python: Path, tmp_path: Path) -> None:
    """With an xlwings older than the floor, importing main.py fails with a message saying
    which version is needed (Chinese, then English), before anything is defined."""
    out_dir = tmp_path / "lite"
    write_bundle(out_dir)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import xlwings; xlwings.__version__ = '0.36.6'\n"
        "try:\n    import main\nexcept ImportError as e:\n    print(e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(
        [str(lite_python), "-I", "-c", code, str(out_dir)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )
    assert proc.stdout.startswith(f"jixiao 需要 xlwings >= {XLWINGS_FLOOR}，当前为 0.36.6")
    assert f"jixiao needs xlwings >= {XLWINGS_FLOOR}" in proc.stdout
