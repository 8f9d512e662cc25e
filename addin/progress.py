"""A progress line for long work (a folder, thousands of slips, a big file):
drawn on standard error only when it is a terminal, so scripts, pipes, logs
and tests see nothing — the rule ``rich`` and ``tqdm`` follow.

进度显示：只在终端上显示，重定向到文件或管道时不输出。
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress(total, "刷新 / refreshing") as p: ... p.advance()``.

    >>> import io
    >>> with Progress(3, "x", stream=io.StringIO()) as p:  # not a terminal: silent
    ...     p.advance(3)
    >>> p.done
    3
    """

    #: seconds between redraws
    EVERY = 0.1

    def __init__(self, total: int | None, label: str, *, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:  # fmt: skip
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled
        self.done = 0
        self.note = ""
        self._drawn = 0.0
        self._width = 0

    def advance(self, n: int = 1, note: str = "") -> None:
        """Count ``n`` more done; ``note`` (a file name) is shown after the count."""
        self.done += n
        self.note = note or self.note
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= self.EVERY or self.done == self.total):
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            text = f"{self.label} {self.done}/{self.total} ({self.done * 100 // self.total}%)"
        else:
            text = f"{self.label} {self.done}"
        if self.note:
            text += f" {self.note}"
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        """Erase the line (the command's own report follows)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()
