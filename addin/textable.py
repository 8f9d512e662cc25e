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
    wide: dict[str, int] = {}  # a text with wide characters → its width (a table's kinds repeat)
    wide_at: dict[tuple[bool, ...], list[int]] = {}  # which cells are ASCII → where the others are
    for r in rows:
        cells = list(map(str, r))
        line = "\0".join(cells)
        lens = list(map(len, cells))
        if not line.isascii():  # the cells with wide characters measured (each text once)
            narrow = tuple(map(str.isascii, cells))
            at = wide_at.get(narrow)
            if at is None:
                at = wide_at[narrow] = [i for i, n in enumerate(narrow) if not n]
            for i in at:
                c = cells[i]
                got = wide.get(c)
                if got is None:
                    got = display_width(c)
                    if len(wide) < _KEPT:
                        wide[c] = got
                lens[i] = got
        widths = list(map(max, widths, lens))
        if line.count("\0") != len(cells) - 1:  # a NUL in a cell (a terminal shows none)
            line = "\0".join(c.replace("\0", "\ufffd") for c in cells)
        kept.append(line)
    align = list(right) + [False] * (cols - len(right))
    yield "  ".join(_pad(str(h), w, False) for h, w in zip(header, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    # a line is padded by one format (no call per cell): str.format pads by
    # len, so a cell with wide characters is padded first and the format takes
    # it as it is — one format for each pattern of such cells met
    ascii_line = "  ".join(f"{{:{'>' if a else '<'}{w}}}" for a, w in zip(align, widths, strict=True))
    formats: dict[tuple[bool, ...], tuple[str, list[int]]] = {}
    padded: dict[tuple[int, str], str] = {}
    for i, line in enumerate(kept):
        kept[i] = ""  # each row's text let go as its line is made
        cells = line.split("\0")
        if line.isascii():
            yield ascii_line.format(*cells).rstrip()
            continue
        narrow = tuple(map(str.isascii, cells))
        pattern = formats.get(narrow)
        if pattern is None:
            parts = [f"{{:{'>' if a else '<'}{w}}}" if n else "{}" for a, w, n in zip(align, widths, narrow, strict=True)]
            pattern = formats[narrow] = ("  ".join(parts), [j for j, n in enumerate(narrow) if not n])
        fmt, spots = pattern
        for j in spots:
            c = cells[j]
            text = padded.get((j, c))
            if text is None:
                text = _pad(c, widths[j], align[j])
                if len(padded) < _KEPT:
                    padded[(j, c)] = text
            cells[j] = text
        yield fmt.format(*cells).rstrip()


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
