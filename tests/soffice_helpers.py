"""Opening files in LibreOffice headless from the tests: one ``soffice`` run
converts many files (a start per file would take minutes on a shared machine),
under a memory cap and a time cap, and nothing of it outlives the call.

A hostile file can make LibreOffice grow without bound (an array formula over a
whole sheet once took it to 22 GB), so every run here has an address-space
limit (``RLIMIT_AS``, LibreOffice's ``ulimit -v``), its own session (process
group), and that whole group is killed when the conversion ends, finishes or
not: ``soffice`` starts ``soffice.bin`` as a child that would otherwise stay.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

__all__ = ["SOFFICE", "SOFFICE_MEMORY", "SOFFICE_TIMEOUT", "convert_to_csv"]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: the address space one LibreOffice run may take (it maps ~1.5 GB on start)
SOFFICE_MEMORY = 6 * 1024**3
#: seconds one conversion run may take, all its files together
SOFFICE_TIMEOUT = 900.0


def convert_to_csv(
    paths: list[Path],
    out_dir: Path,
    filter_: str = "csv",
    *,
    memory: int = SOFFICE_MEMORY,
    timeout: float = SOFFICE_TIMEOUT,
) -> dict[Path, Path]:
    """Convert ``paths`` to csv in one LibreOffice run (its own profile in
    ``out_dir``); for each file LibreOffice could load, its (first sheet's) csv.

    A file LibreOffice cannot load, or a run stopped by the caps, leaves the
    files not yet converted out of the answer: the caller reports them.
    """
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = f"-env:UserInstallation=file://{out_dir / 'profile'}"
    proc = subprocess.Popen(
        # ``ulimit -v`` in a shell that then becomes soffice (no preexec_fn: the
        # calling process may have threads)
        ["sh", "-c", 'ulimit -v "$0" && exec "$@"', str(memory // 1024),
         SOFFICE, profile, "--headless", "--convert-to", filter_, "--outdir", str(out_dir),
         *map(str, paths)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    found: dict[Path, Path] = {}
    for p in paths:
        hits = [out_dir / (p.stem + ".csv"), *sorted(out_dir.glob(f"{p.stem}-*.csv"))]
        existing = [h for h in hits if h.is_file()]
        if existing:
            found[p] = existing[0]
    return found
