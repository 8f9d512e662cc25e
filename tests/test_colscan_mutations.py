"""The compiled cell scanner (``addin/xlsx/_cellscan.c``) on mutated sheet bytes.

The scanner is C reading bytes an attacker may write, so it is fuzzed here as
such code should be: sheets of every cell shape a writer produces
(``test_colscan._random_cells``) with bytes replaced, inserted, deleted and
cut, scanned over random windows. It must never crash, everything it hands
back must lie inside the window and the sheet, and where the mutant is still
well-formed XML the workbook must read exactly as the one-cell-at-a-time
reader reads it (same values, formulas and extent, or the same refusal).
``JIXIAO_SCAN_MUTANTS`` raises the number of mutants (``make fuzz``).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from lxml import etree
from test_colscan import _book, _both, _random_cells
from xlsx_helpers import compiled_scanner

from addin.xlsx import colscan
from addin.xlsx.a1 import MAX_COL, MAX_ROW
from addin.xlsx.columns import INLINE, SHARED

MUTANTS = int(os.environ.get("JIXIAO_SCAN_MUTANTS", "400"))

#: what a mutation inserts: markup of the cells, quotes, entities, bytes no
#: UTF-8 allows, long digit runs, the tags the scanner refuses on
PIECES = [
    b"<", b">", b'"', b"'", b"/", b"=", b" ", b"\t", b"\n", b"&amp;", b"&#24037;", b"&", b";",
    b"<c", b"</c>", b'<c r="A1">', b'<c r="XFD1048576">', b'<c r="XFE1">', b'<c r="A0">', b"<v>",
    b"</v>", b"<v/>", b"<f>", b"</f>", b'<f aca="false">', b' t="s"', b' t="inlineStr"', b' t="str"',
    b" t=\"e\"", b"<is><t>", b"</t></is>", b"<!--x-->", b"<![CDATA[1]]>", b"<?p?>", b"\xff", b"\x00",
    b"9" * 30, b"-", b"e", b"e999", b".", b"1", b"0",
]  # fmt: skip



@pytest.fixture
def compiled() -> ModuleType:
    return compiled_scanner()


#: balanced pieces, inserted where a tag ends: the mutant stays well-formed
#: XML more often, so the comparison with the cell reader runs on many
BALANCED = [
    b"<!--x-->", b"<![CDATA[1]]>", b"<?p?>", b'<c r="A1"/>', b'<c r="B2"><v>1</v></c>', b"<v>2</v>",
    b"<f>1</f>", b"<x/>", b" ", b"\n", b"&amp;", b"&#24037;", b"9" * 30, b"1e5", b"-", b".", b"e",
    b'<c r="A1" t="s"><v>7</v></c>', b'<c t="n" r="C3"><v>3</v></c>', b'<c r="XFD1048576"/>',
]  # fmt: skip


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with one to six random edits: half the time only balanced
    pieces inserted after a ``>``, otherwise any bytes anywhere."""
    b = bytearray(data)
    if rng.random() < 0.5:
        ends = [i + 1 for i, ch in enumerate(b) if ch == ord(">")]
        for _ in range(rng.randint(1, 4)):
            at = rng.choice(ends) if ends else 0
            b[at:at] = rng.choice(BALANCED)
        return bytes(b)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(b) + 1)
        what = rng.random()
        if what < 0.35:
            b[at:at] = rng.choice(PIECES)
        elif what < 0.6 and at < len(b):
            b[at] = rng.choice(b'<>"/= cfvrtis0123456789AZe.-&;')
        elif what < 0.85:
            del b[at : at + rng.randint(1, 12)]
        else:
            del b[at:]
    return bytes(b)


def _check_bounds(got: tuple[bytearray, ...], start: int, end: int, n_shared: int) -> None:
    """What the scanner handed back lies inside the window and the sheet."""
    keys_b, rows_b, cols_b, kinds_b, numbers_b, texts_b, rest_b, inline_b, forms_b = got
    rows = np.frombuffer(rows_b, dtype=np.int32)
    cols = np.frombuffer(cols_b, dtype=np.int32)
    kinds = np.frombuffer(kinds_b, dtype=np.uint8)
    texts = np.frombuffer(texts_b, dtype=np.int32)
    n = len(rows)
    assert len(cols) == len(kinds) == len(texts) == n == len(numbers_b) // 8
    assert ((rows >= 1) & (rows <= MAX_ROW)).all()
    assert ((cols >= 1) & (cols <= MAX_COL)).all()
    shared = kinds == SHARED
    assert ((texts[shared] >= 0) & (texts[shared] < n_shared)).all()
    assert (kinds <= INLINE).all()
    assert np.isfinite(np.frombuffer(numbers_b, dtype=np.float64)).all()
    keys = np.frombuffer(keys_b, dtype=np.int64)
    assert (keys[1:] > keys[:-1]).all()
    rest = np.frombuffer(rest_b, dtype=np.int64)
    assert ((rest >= start) & (rest < end)).all()
    spans = np.frombuffer(inline_b, dtype=np.int64).reshape(-1, 3)
    assert ((spans[:, 0] >= 0) & (spans[:, 0] < n)).all()
    assert ((spans[:, 1] >= start) & (spans[:, 1] + spans[:, 2] <= end) & (spans[:, 2] >= 0)).all()
    forms = np.frombuffer(forms_b, dtype=np.int64).reshape(-1, 6)
    assert ((forms[:, 2] >= start) & (forms[:, 2] + forms[:, 3] <= end) & (forms[:, 3] > 0)).all()
    assert ((forms[:, 4] >= -1) & (forms[:, 4] < n)).all()
    assert ((forms[:, 5] >= start) & (forms[:, 5] < end)).all()


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_mutated_sheets_never_crash_the_scanner_and_read_as_the_cell_reader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str, compiled: ModuleType
) -> None:
    rng = random.Random(20261207)
    strings = ["甲", "乙", "a&amp;b", "d"]
    well_formed = 0
    for k in range(MUTANTS):
        data = _mutate(rng, _random_cells(rng, rng.randint(1, 12), prefix).encode())
        for start, end in [(0, len(data)), sorted(rng.randrange(len(data) + 1) for _ in range(2))]:
            for fv in (True, False):
                got = compiled.scan(data, start, end, prefix.encode(), len(strings), fv)
                if got is not None:
                    _check_bounds(got, start, end, len(strings))
        path = _book(tmp_path / f"m{k}.xlsx", data.decode("utf-8", "replace"), strings, prefix)
        ns = f' xmlns:x="{colscan.__name__}"' if prefix else ""
        try:
            etree.fromstring(f"<w{ns}>".encode() + data + b"</w>")
        except etree.XMLSyntaxError:
            continue  # the reader refuses it before any scanner: nothing to compare
        well_formed += 1
        fast, slow, _took = _both(path, monkeypatch, formula_values=rng.random() < 0.8)
        assert fast == slow, k
    assert well_formed >= MUTANTS // 4  # the comparison really ran
