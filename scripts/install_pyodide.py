"""Install what the Pyodide and WPS tests need: ``npm ci`` and the pinned wheels.

Run by ``make pyodide`` (which ``make test`` calls). Every download comes from a
package registry through its ordinary client: npm packages with ``npm ci``
(versions and sha512 in package-lock.json), the wheels listed in
``scripts/pyodide-wheels.json`` with ``npm pack`` or ``pip download``; each
wheel is checked against its sha256 before it is kept in ``.cache/pyodide/``.
A wheel already there with the right sha256 is not fetched again.
Exit code 0 when everything is in place, 1 with a message otherwise.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "scripts" / "pyodide-wheels.json"
CACHE = ROOT / ".cache" / "pyodide"


def sha256(path: Path) -> str:
    """The file's sha256, read in blocks by the standard library."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fetch_from_npm(spec: str, member: str, into: Path) -> Path:
    """``member`` of the npm package ``spec``'s tarball (``npm pack`` checks its sha512)."""
    subprocess.run(["npm", "pack", "--silent", spec], cwd=into, check=True, stdout=subprocess.DEVNULL)
    (tarball,) = into.glob("*.tgz")
    with tarfile.open(tarball) as tar:
        source = tar.extractfile(member)
        if source is None:
            raise SystemExit(f"{spec} has no {member}")
        target = into / Path(member).name
        with target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return target


def fetch_from_pypi(requirement: str, into: Path) -> Path:
    """The wheel pip picks for ``requirement`` on Pyodide's platform (Python 3.13, ABI 2025_0)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "--platform", "pyodide_2025_0_wasm32", "--python-version", "3.13",
         "--dest", str(into), requirement],
        check=True,
    )
    (wheel,) = into.glob("*.whl")
    return wheel


def install_wheels() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    for pin in json.loads(PINS.read_text("utf-8"))["wheels"]:
        target = CACHE / pin["file"]
        if target.exists() and sha256(target) == pin["sha256"]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            got = (
                fetch_from_npm(pin["npm"], pin["member"], Path(tmp))
                if "npm" in pin
                else fetch_from_pypi(pin["pypi"], Path(tmp))
            )
            actual = sha256(got)
            if got.name != pin["file"] or actual != pin["sha256"]:
                raise SystemExit(
                    f"{pin['file']}: got {got.name} with sha256 {actual}, pinned {pin['sha256']}"
                )
            shutil.move(str(got), target)
        print(f"pyodide wheel ok: {pin['file']}")


def main() -> None:
    if shutil.which("npm") is None:
        raise SystemExit("npm is missing: install Node.js 20 (Debian: apt-get install nodejs npm)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"], cwd=ROOT, check=True)
    install_wheels()


if __name__ == "__main__":
    main()
