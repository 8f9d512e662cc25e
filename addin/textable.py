"""Plain-text tables that line up with Chinese text in a terminal.

Chinese characters take two terminal columns; :func:`render` pads by display
width, not by ``len``.

>>> print(render(["姓名", "奖金"], [["张三", "1,200.00"], ["Li", "80.00"]]))
姓名  奖金
----  --------
张三  1,200.00
Li    80.00
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["display_width", "render"]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters count 2)."""
    if text.isascii():  # no wide character: a table of a million rows is mostly these
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    if text.isascii():
        return text.rjust(width) if right else text.ljust(width)
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def render(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[bool] = ()
) -> str:
    """A header, a rule and rows, columns separated by two spaces.

    ``right`` says per column whether to align right (numbers); default left.
    Trailing spaces are stripped from each line.
    """
    cols = len(header)
    widths = [
        max(display_width(str(r[i])) for r in [header, *rows]) for i in range(cols)
    ]
    align = list(right) + [False] * (cols - len(right))
    lines = ["  ".join(_pad(str(h), w, False) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:  # each line stripped as it is made: one list of lines, not two
        lines.append(
            "  ".join(_pad(str(c), w, a) for c, w, a in zip(r, widths, align, strict=True)).rstrip()
        )
    return "\n".join(lines)
