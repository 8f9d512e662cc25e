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
import time
from pathlib import Path

__all__ = ["SOFFICE", "SOFFICE_MEMORY", "SOFFICE_TIMEOUT", "libreoffice_convert"]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: the address space one LibreOffice run may take (it maps ~1.5 GB on start)
SOFFICE_MEMORY = 6 * 1024**3
#: seconds one conversion run may take, all its files together
SOFFICE_TIMEOUT = 900.0


def libreoffice_convert(
    paths: list[Path],
    out_dir: Path,
    filter_: str = "csv",
    *,
    memory: int = SOFFICE_MEMORY,
    timeout: float = SOFFICE_TIMEOUT,
) -> dict[Path, Path]:
    """Convert ``paths`` with LibreOffice (its own profile in ``out_dir``) to
    csv, or to the format ``filter_`` names (``"ods"``: a re-save that, unlike
    csv, does not write out every row and column up to a far cell such as
    XFD1048576, and unlike xlsx export survives deep defined-name chains); for
    each file LibreOffice could load, what it wrote (a csv: the first sheet's).

    One ``soffice`` run converts the files in order; if it stops early (a file
    crashed it), the first file it did not convert is tried again in a run of
    its own — a long run of LibreOffice sometimes stops on a file it opens
    alone (``make fuzz``: 2 of about 900 outputs, each converted at once on
    its own) — and left out as the one that could not be opened only if that
    run fails too; a new run takes the rest. A file not converted, or a run
    stopped by the caps, leaves that file out of the answer: the caller
    reports it.
    """
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    found: dict[Path, Path] = {}
    remaining = list(paths)
    while remaining and time.monotonic() < deadline:
        if not _run(remaining, out_dir, filter_, memory, deadline - time.monotonic()):
            break  # stopped by the time cap: the rest stays unconverted
        converted = _converted(remaining, out_dir, filter_)
        found |= converted
        missing = [p for p in remaining if p not in converted]
        # the first one missing stopped the run: tried alone
        alone = missing[:1] if time.monotonic() < deadline else []
        if alone and _run(alone, out_dir, filter_, memory, deadline - time.monotonic()):
            found |= _converted(alone, out_dir, filter_)
        remaining = missing[1:]
    return found


def _run(paths: list[Path], out_dir: Path, filter_: str, memory: int, timeout: float) -> bool:
    """One soffice run over ``paths``; ``False`` if the time cap stopped it."""
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
    finished = True
    try:
        proc.wait(timeout=max(timeout, 1.0))
    except subprocess.TimeoutExpired:
        finished = False
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin and anything it started
        proc.wait()
    return finished


def _converted(paths: list[Path], out_dir: Path, filter_: str) -> dict[Path, Path]:
    ext = filter_.split(":")[0]
    found: dict[Path, Path] = {}
    for p in paths:
        hits = [out_dir / f"{p.stem}.{ext}", *sorted(out_dir.glob(f"{p.stem}-*.{ext}"))]
        existing = [h for h in hits if h.is_file()]
        if existing:
            found[p] = existing[0]
    return found
