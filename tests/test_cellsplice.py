"""The compiled number splicer (addin/xlsx/_cellsplice.c) writes exactly the
bytes the writer's Python values pass writes: random formula cells of every
shape, random updates (numbers equal to the old ones or not, in other
spellings, text, booleans, errors, blanks), with and without a prefix."""

from __future__ import annotations

import random

import pytest
from xlsx_helpers import built

from addin.xlsx import sheet_writer
from addin.xlsx.sheet_writer import splice_sheet
from udfs.errors import ExcelError

NUMBERS = [0.0, -0.0, 1.0, 2.5, 1e15, 1e16, -3e-7, 123456789012345.6, 0.1 + 0.2, 7.0, 1e300]


def _sheet(rng: random.Random, prefix: str, rows: int) -> tuple[bytes, list[tuple[int, int]]]:
    c, f, v = f"{prefix}c", f"{prefix}f", f"{prefix}v"
    shapes = [
        '<{c} r="{ref}"><{f}>A1*2</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" s="3"><{f} t="shared" si="0"/><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" t="str"><{f}>"x"</{f}><{v}>x</{v}></{c}>',
        '<{c} r="{ref}" vm="1"><{f}>A1</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}"><{f}>A1</{f}><{v}></{v}></{c}>',
        '<{c} r="{ref}"><{f}>A1</{f}><{v}/></{c}>',
        '<{c} r="{ref}"><{f}>A1</{f}></{c}>',
        '<{c} r="{ref}"><{f} ca="1">NOW()</{f}><{v}> {old} </{v}></{c}>',
        '<{c} r="{ref}"><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}"><{f}>A1&amp;"&lt;"</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}"><{f} t="array" ref="{ref}">A1:A2</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" s="0" t="n"><{f} aca="false">A1*2</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" t="n" s="1"><{f}>A1</{f}><{v}/></{c}>',
        '<{c} r="{ref}" t="n"><{f}>A1</{f}></{c}>',
        '<{c} r="{ref}" t="n"><{f}>A1</{f}><{v}></{v}></{c}>',
        '<{c} r="{ref}" t="n" cat="1"><{f}>A1</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" t="s"><{f}>A1</{f}><{v}>{old}</{v}></{c}>',
        '<{c} r="{ref}" t="n"><{v}>{old}</{v}></{c}>',
    ]
    cells, coords = [], []
    for r in range(1, rows + 1):
        row = []
        for col, letters in ((1, "A"), (2, "B"), (28, "AB"), (16384, "XFD")):
            if rng.random() < 0.8:
                old = rng.choice(["1", "2.5", "1E+16", "1e16", "-3E-07", "0", "1_0", "nan", "7.000"])
                row.append(rng.choice(shapes).format(c=c, f=f, v=v, ref=f"{letters}{r}", old=old))
                coords.append((r, col))
        cells.append(f'<{prefix}row r="{r}">{"".join(row)}</{prefix}row>')
    ns = f'xmlns:{prefix[:-1]}="urn:x"' if prefix else ""
    xml = f"<{prefix}worksheet {ns}><{prefix}sheetData>{''.join(cells)}</{prefix}sheetData></{prefix}worksheet>"
    return xml.encode(), coords


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("prefix", ["", "x:"])
def test_the_compiled_splice_writes_what_the_values_pass_writes(
    monkeypatch: pytest.MonkeyPatch, seed: int, prefix: str
) -> None:
    built(sheet_writer._cellsplice, "addin.xlsx._cellsplice")
    rng = random.Random(seed)
    xml, coords = _sheet(rng, prefix, 40)
    updates: dict[tuple[int, int], object] = {}
    for coord in coords:
        if rng.random() < 0.9:
            updates[coord] = rng.choice(
                [*NUMBERS, rng.uniform(-1e6, 1e6), "t", True, ExcelError("#N/A"), None, float("inf")]
            )
    compiled = splice_sheet(xml, updates)
    with monkeypatch.context() as m:
        m.setattr(sheet_writer, "_cellsplice", None)
        python = splice_sheet(xml, updates)
    assert compiled == python
