"""Pyodide under Node for the tests: where it is, whether it is installed, how to run a script.

``make pyodide`` (called by ``make test``) installs the npm packages of
package.json and the wheels pinned in ``scripts/pyodide-wheels.json`` into
``.cache/pyodide/`` (scripts/install_pyodide.py). A test that needs them is
skipped with a reason when they are missing — except under ``CI=true``, where
that is a failure.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from external import in_ci

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
WHEELS = ROOT / ".cache" / "pyodide"
PINS: list[dict[str, str]] = json.loads((ROOT / "scripts" / "pyodide-wheels.json").read_text("utf-8"))["wheels"]
JS = Path(__file__).resolve().parent / "js"


def pinned(version: str) -> str:
    """The version package.json pins for an npm package."""
    return str(json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"][version])


def wheel(prefix: str) -> Path:
    """The pinned wheel whose file name starts with ``prefix`` (``"numpy-"``)."""
    (pin,) = [p for p in PINS if p["file"].startswith(prefix)]
    return WHEELS / pin["file"]


def _sha256(path: Path) -> str:
    """The file's sha256, read in blocks by the standard library."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def missing_reason() -> str | None:
    """Why the Pyodide tests cannot run here (None when they can)."""
    if shutil.which("node") is None:
        return "node is not installed (Node.js 20)"
    for name in ("pyodide", "et-jsapi-declare", "typescript"):
        manifest = NODE_MODULES / name / "package.json"
        if not manifest.exists():
            return f"node_modules/{name} missing: run make pyodide"
        have = json.loads(manifest.read_text("utf-8"))["version"]
        if have != pinned(name):
            return f"node_modules/{name} is {have}, package.json pins {pinned(name)}: run make pyodide"
    for pin in PINS:
        path = WHEELS / pin["file"]
        if not path.exists() or _sha256(path) != pin["sha256"]:
            return f"{path.relative_to(ROOT)} missing or not the pinned sha256: run make pyodide"
    return None


def require_pyodide() -> None:
    """Skip the running test when Pyodide is not installed (fail under ``CI=true``)."""
    reason = missing_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"CI must run the Pyodide tests: {reason}", pytrace=False)
    pytest.skip(reason)


def run_node(script: str, *args: str | Path, payload: Any = None, timeout: float = 600) -> Any:
    """Run ``tests/js/<script>`` with ``args``, ``payload`` as JSON on stdin; the JSON of
    its last line of output (Pyodide may print before it)."""
    proc = subprocess.run(
        ["node", str(JS / script), *map(str, args)],
        input=json.dumps(payload, ensure_ascii=False),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip(), f"{script} printed nothing:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])
