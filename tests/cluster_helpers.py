"""Task runners for the Dask tests that kill their worker (importable by the
workers, which get the test session's sys.path)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from addin.refresh import links


def die_once_on_b(item: Any) -> Any:
    """Kill the worker the first time it runs ``b.xlsx``, then refresh normally."""
    source: Path = item[0].source
    marker = item[0].output.parent / f"{source.stem}.died"
    if source.name == "b.xlsx" and not marker.exists():
        _write_half(item[0].output)
        marker.touch()
        os._exit(1)
    return links.run_item(item)


def always_die_on_b(item: Any) -> Any:
    """Kill every worker that runs ``b.xlsx`` (after starting to write it)."""
    if item[0].source.name == "b.xlsx":
        _write_half(item[0].output)
        os._exit(1)
    return links.run_item(item)


def _write_half(dest: Path) -> None:
    """What a worker killed while writing leaves: a temporary file beside the output."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    (dest.parent / f".~jixiao-{os.getpid()}.tmp").write_bytes(b"PK\x03\x04 half")
