"""Formula work on a deep stack: the engine walks formula trees recursively, so
refresh, validate, diff and ``jixiao test`` calculate in a thread with a large
stack. Its own module so that every command can use it without importing the
refresh job (which imports the validator: a cycle)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

#: A formula Excel accepts (8,192 characters) can be a chain of ~2,700 binary
#: operators, a tree that deep; the engine walks trees recursively. The work runs
#: in a thread with a large stack under this raised, bounded recursion limit.
RECURSION_LIMIT = 25_000
STACK_SIZE = 512 * 1024**2

_T = TypeVar("_T")


def with_deep_stack(work: Callable[[], _T]) -> _T:
    """``work()`` in a thread with a :data:`STACK_SIZE` stack and at least
    :data:`RECURSION_LIMIT` Python frames; its result, or its exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the calling thread unchanged
            outcome.append((False, exc))

    with _deep_stack_lock:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size(STACK_SIZE)
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            # a daemon: Ctrl-C ends the command at once (the next run removes its temp file)
            worker = threading.Thread(target=run, name="jixiao-refresh", daemon=True)
            worker.start()
            worker.join()
        finally:
            threading.stack_size(old_stack)
            sys.setrecursionlimit(old_limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    result: _T = value
    return result


_deep_stack_lock = threading.Lock()
