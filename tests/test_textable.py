"""addin/textable.py: a table's lines pad each cell to its column's width
as a terminal shows it (a wide character two columns), right or left."""

from __future__ import annotations

import random
import unicodedata

from addin.textable import lines


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _reference(header: list[str], rows: list[list[str]], right: list[bool]) -> list[str]:
    table = [header, *rows]
    widths = [max(_width(r[i]) for r in table) for i in range(len(header))]

    def pad(text: str, w: int, a: bool) -> str:
        gap = " " * (w - _width(text))
        return gap + text if a else text + gap

    out = ["  ".join(pad(h, w, False) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(pad(c, w, a) for c, w, a in zip(r, widths, right, strict=True)).rstrip() for r in rows]
    return out


def test_lines_pad_by_display_width() -> None:
    rng = random.Random(3)
    words = ["新增", "变化", "删除", "张三", "Li", "", "1,200.00", "+35", "-0.01", "E00001", "ａｂ", "x{0}y", "王五 Wang", "a\x01b", "张\x01"]
    for _ in range(30):
        cols = rng.randint(1, 7)
        header = [rng.choice(words) or "h" for _ in range(cols)]
        right = [rng.random() < 0.5 for _ in range(cols)]
        rows = [[rng.choice(words) for _ in range(cols)] for _ in range(rng.randint(0, 40))]
        assert list(lines(header, (tuple(r) for r in rows), right=right)) == _reference(header, rows, right)
