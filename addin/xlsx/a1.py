"""A1 notation: column letters and cell addresses to 1-based coordinates and back.

>>> to_a1(3, 28)
'AB3'
>>> from_a1("$AB$3")
(3, 28)
>>> col_number("XFD")
16384
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_COL", "MAX_ROW", "col_letters", "col_number", "from_a1", "parse_range", "quote_sheet", "to_a1",
]  # fmt: skip

#: The sheet's edges (Excel 2007 on): the last row and the last column (XFD).
MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_PLAIN_SHEET = re.compile(r"^[^\W\d]\w*$")
_R1C1_LIKE = re.compile(r"^[Rr]\d*([Cc]\d*)?$|^[Cc]\d*$")


def col_number(letters: str) -> int:
    """``"A"`` → 1, ``"AB"`` → 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(col: int) -> str:
    """1 → ``"A"``, 28 → ``"AB"``."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def to_a1(row: int, col: int) -> str:
    """``(3, 28)`` → ``"AB3"``."""
    return f"{col_letters(col)}{row}"


def from_a1(address: str) -> tuple[int, int]:
    """``"$AB$3"`` → ``(3, 28)``; raises ``ValueError`` for anything else."""
    m = _CELL.match(address.strip())
    if not m:
        raise ValueError(f"not a cell address: {address!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``"A1:C3"`` → ``((1, 1), (3, 3))``, a single cell ``"B2"`` → ``((2, 2), (2, 2))``;
    raises ``ValueError`` for anything else."""
    a, _, b = ref.partition(":")
    first = from_a1(a)
    last = from_a1(b) if b else first
    return first, last


def quote_sheet(name: str) -> str:
    """A sheet name as a formula writes it: as it is when it is a plain word
    (letters, digits, underscores, not starting with a digit, not readable as
    a cell such as ``A1`` or ``R1C1``), else in single quotes with quotes doubled.

    >>> quote_sheet("数据"), quote_sheet("My Sheet"), quote_sheet("2024"), quote_sheet("it's")
    ('数据', "'My Sheet'", "'2024'", "'it''s'")
    """
    if _PLAIN_SHEET.match(name) and not _CELL.match(name) and not _R1C1_LIKE.match(name):
        return name
    return "'" + name.replace("'", "''") + "'"
