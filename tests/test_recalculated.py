"""addin/xlsx/recalculated.py: a sheet's values after a recalculation — the
file's with the engine's results over them — read one cell, a column at many
rows, or as cell keys exactly as the dict the results were written into
(a ``None`` result taking its cell out) reads, without building it."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from test_colscan import _book, _random_cells

from addin.xlsx.cell_keys import keys_of
from addin.xlsx.columns import CellValues
from addin.xlsx.model import CellValue, Coord, SheetResults
from addin.xlsx.recalculated import Recalculated, cell_keys, column_values
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError


def _file(tmp_path: Path, seed: int) -> CellValues:
    rng = random.Random(seed)
    path = _book(tmp_path / f"r{seed}.xlsx", _random_cells(rng, 30), ["甲", "", "a&amp;b", "d"])
    values = read_workbook(path, formula_values=True).sheets[0].values
    assert isinstance(values, CellValues)
    return values


def _results(seed: int) -> SheetResults:
    rng = random.Random(seed)
    out = SheetResults()
    for col in (1, 3, 6):
        start = rng.randint(1, 20)
        if rng.random() < 0.5:
            out.put_column(start, col, np.array([rng.uniform(-9, 9) for _ in range(rng.randint(1, 15))]))
        else:
            pick = [None, "", "x", 2.0, ExcelError("#N/A"), True]
            out.put_column(start, col, np.array([rng.choice(pick) for _ in range(rng.randint(1, 15))], dtype=object))
    for _ in range(10):
        out[(rng.randint(1, 35), rng.randint(1, 8))] = rng.choice([None, "", 1.5, "y"])
    return out


def _written(file: dict[Coord, CellValue], results: SheetResults) -> dict[Coord, CellValue]:
    """The results written into the file's dict one by one (what load did)."""
    out = dict(file)
    for coord, value in results.items():
        if value is None:
            out.pop(coord, None)
        else:
            out[coord] = value
    return out


def test_cells_columns_and_keys_are_the_written_dicts(tmp_path: Path) -> None:
    rows = np.array([1, 2, 3, 5, 5, 8, 13, 21, 30, 34, 40, 0], dtype=np.int64)
    for seed in range(12):
        want = _written(dict(_file(tmp_path, seed)), _results(seed))
        got = Recalculated(_file(tmp_path, seed), _results(seed))
        probes = [(r, c) for r in range(0, 42) for c in range(0, 9)]
        assert [(p in got, got.get(p, "absent")) for p in probes] == [(p in want, want.get(p, "absent")) for p in probes]
        for col in range(0, 9):
            assert column_values(got, col, rows) == [want.get((r, col)) for r in rows.tolist()], (seed, col)
        for filled in (False, True):
            cells = sorted(k for k, v in want.items() if not filled or (v is not None and v != ""))
            expect = keys_of(np.array([r for r, _c in cells]), np.array([c for _r, c in cells])).tolist()
            assert cell_keys(got, filled=filled).tolist() == expect, (seed, filled)
            assert cell_keys(want, filled=filled).tolist() == expect  # a plain dict, one cell at a time
        assert got._merged is None  # all of it without the dict
        assert list(got.items()) == list(want.items())  # merged in the order the write-back gave
        assert column_values(got, 3, rows) == [want.get((r, 3)) for r in rows.tolist()]


def test_results_in_a_plain_dict_and_changes_after_merging(tmp_path: Path) -> None:
    file = _file(tmp_path, 3)
    results: dict[Coord, CellValue | None] = {(2, 1): 7.0, (4, 1): None, (40, 2): "new"}
    want = dict(file)
    want[(2, 1)] = 7.0
    want.pop((4, 1), None)
    want[(40, 2)] = "new"
    got = Recalculated(_file(tmp_path, 3), results)  # type: ignore[arg-type]
    rows = np.arange(0, 42)
    assert column_values(got, 1, rows) == [want.get((r, 1)) for r in rows.tolist()]
    assert cell_keys(got, filled=False).tolist() == cell_keys(want, filled=False).tolist()
    got[(1, 1)] = "set"
    want[(1, 1)] = "set"
    del got[(40, 2)]
    del want[(40, 2)]
    assert dict(got) == want
    assert column_values(got, 1, rows) == [want.get((r, 1)) for r in rows.tolist()]
