"""Timing shared by the benchmark scripts (the machine is shared, so each takes the best run)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeats`` runs of ``run()`` in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result
