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
from collections.abc import Iterable, Iterator, Sequence

__all__ = ["display_width", "lines", "render"]


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


def lines(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, right: Sequence[bool] = ()
) -> Iterator[str]:
    """The lines of :func:`render`, made as they are read: the rows are read
    once (a generator is fine), each kept as one string until the widths are
    known — a table of a million rows costs its text, not a list per row."""
    cols = len(header)
    widths = [display_width(str(h)) for h in header]
    kept: list[str] = []
    # a cell with wide characters is kept with one _MARK per extra column, so
    # that its length is its width: every line is then padded by one
    # str.format (which pads by length) and the marks taken out after
    marked: dict[str, str] = {}  # a text with wide characters → it marked (a table's kinds repeat)
    wide_at: dict[tuple[bool, ...], list[int]] = {}  # which cells are ASCII → where the others are
    slow: set[int] = set()  # the lines holding a _MARK of their own: padded cell by cell
    for r in rows:
        cells = list(map(str, r))
        line = "\0".join(cells)
        if line.count("\0") != len(cells) - 1:  # a NUL in a cell (a terminal shows none)
            cells = [c.replace("\0", "\ufffd") for c in cells]
            line = "\0".join(cells)
        if _MARK in line:
            slow.add(len(kept))
            lens = [display_width(c) for c in cells]
        elif not line.isascii():
            narrow = tuple(map(str.isascii, cells))
            at = wide_at.get(narrow)
            if at is None:
                at = wide_at[narrow] = [i for i, n in enumerate(narrow) if not n]
            for i in at:
                c = cells[i]
                got = marked.get(c)
                if got is None:
                    got = c + _MARK * (display_width(c) - len(c))
                    if len(marked) < _KEPT:
                        marked[c] = got
                cells[i] = got
            line = "\0".join(cells)
        lens = list(map(len, cells)) if len(kept) not in slow else lens
        widths = list(map(max, widths, lens))
        kept.append(line)
    align = list(right) + [False] * (cols - len(right))
    yield "  ".join(_pad(str(h), w, False) for h, w in zip(header, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    each = "  ".join(f"{{:{'>' if a else '<'}{w}}}" for a, w in zip(align, widths, strict=True))
    for i, line in enumerate(kept):
        kept[i] = ""  # each row's text let go as its line is made
        if i in slow:
            yield "  ".join(map(_pad, line.split("\0"), widths, align)).rstrip()
            continue
        text = each.format(*line.split("\0"))
        yield (text.replace(_MARK, "") if _MARK in text else text).rstrip()


#: stands for a wide character's second column in :func:`lines` (a control
#: character no terminal shows; a line holding one of its own is padded apart)
_MARK = "\x01"

#: texts with wide characters whose widths :func:`lines` keeps to use again
_KEPT = 4096


def render(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, right: Sequence[bool] = ()
) -> str:
    """A header, a rule and rows, columns separated by two spaces.

    ``right`` says per column whether to align right (numbers); default left.
    Trailing spaces are stripped from each line.
    """
    return "\n".join(lines(header, rows, right=right))
