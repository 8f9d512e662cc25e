"""Writing a file atomically, and the temporary files that takes.

:func:`write_atomically` writes into a temporary file beside the destination
and renames it over the destination, so a failure (or Ctrl-C) leaves no
partial file; the temporary files are named after their host and process so a
later run can tell one a killed run left (:func:`remove_stale_temp_files`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = [
    "FOREIGN_TEMP_AGE",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "remove_own_temp_files",
    "remove_stale_temp_files",
    "temp_prefix",
    "write_atomically",
]


TEMP_PREFIX = ".~jixiao-"
TEMP_SUFFIX = ".tmp"
#: ``.~jixiao-<host>-<pid>-<random>.tmp``; the older ``.~jixiao-<pid>-<random>.tmp``
#: (no host) is still recognised
_TEMP_RE = re.compile(r"^\.~jixiao-(?:(?P<host>[A-Za-z0-9_.]+)-)?(?P<pid>\d+)-[^/]*\.tmp$")
#: a temporary file another host (or an unknown one) left is stale only after this
#: long untouched: its process cannot be asked whether it is alive
FOREIGN_TEMP_AGE = 24 * 3600.0

#: the temporary files this process is writing now (removed if it is interrupted)
_OWN_TEMP_FILES: set[Path] = set()


def _host_tag() -> str:
    """This machine's name as it appears in a temporary file's name."""
    import socket

    host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
    return host[:64]


def temp_prefix() -> str:
    """The prefix of this process's temporary files: ``.~jixiao-<host>-<pid>-``.
    Host and process together name the owner, so several machines writing into
    one shared folder (a Dask cluster over a network share) never take each
    other's files for stale."""
    return f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-"


def remove_stale_temp_files(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder``. A file is
    stale when it is provably so: written on this host by a process that no
    longer exists; one from another host, or without a host in its name, only
    when untouched for :data:`FOREIGN_TEMP_AGE`. The files removed."""
    import time

    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    here = _host_tag()
    now = time.time() if now is None else now
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None:
            continue
        if m.group("host") == here:
            if _process_alive(int(m.group("pid"))):
                continue
        else:
            try:
                age = now - (folder / name).stat().st_mtime
            except OSError:
                continue
            if age < FOREIGN_TEMP_AGE:
                continue
        try:
            (folder / name).unlink()
        except OSError:
            continue
        removed.append(folder / name)
    return removed


def remove_own_temp_files() -> None:
    """Remove the temporary files this process is writing (Ctrl-C: nothing
    half-written stays behind)."""
    for path in list(_OWN_TEMP_FILES):
        with contextlib.suppress(OSError):
            path.unlink()
        _OWN_TEMP_FILES.discard(path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def write_atomically(
    dest: Path, write: Callable[[IO[bytes]], None], mode_from: Path | None = None
) -> None:
    """Call ``write`` on a temporary file beside ``dest``, then rename it over ``dest``.

    On any failure the temporary file is removed and ``dest`` is untouched.
    With ``mode_from`` the new file gets that file's permission bits and, where
    the operating system allows it, its owner and group. (Renaming over
    ``dest`` gives it a new inode: other hard links to the old file keep the
    old content.)
    """
    dest = Path(dest)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(), suffix=TEMP_SUFFIX, dir=dest.parent)
    tmp = Path(tmp_name)
    _OWN_TEMP_FILES.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode_from is not None:
            st = mode_from.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                # only root may give a file away: then the owner is the caller's
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, st.st_uid, st.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _OWN_TEMP_FILES.discard(tmp)
