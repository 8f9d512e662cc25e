"""addin/xlsx/columns.py: a sheet read into typed columns answers one cell
(``in``, ``get``, ``[]``) exactly as the merged dict does, without building it
(the refresh's pay checks test a few cells of sheets that may hold millions)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from test_colscan import _book, _random_cells

from addin.xlsx.columns import CellValues
from addin.xlsx.workbook import read_workbook


def _values(tmp_path: Path, seed: int) -> CellValues:
    rng = random.Random(seed)
    path = _book(tmp_path / f"c{seed}.xlsx", _random_cells(rng, 30), ["甲", "乙", "a&amp;b", "d"])
    values = read_workbook(path, formula_values=True).sheets[0].values
    assert isinstance(values, CellValues)
    return values


def test_one_cell_is_answered_as_the_merged_dict_answers_it(tmp_path: Path) -> None:
    for seed in range(8):
        values = _values(tmp_path, seed)
        assert values.columns is not None
        assert len(values.columns) > 0
        probes = [(r, c) for r in range(0, 33) for c in range(0, 8)]
        probes += [(np.int64(2), np.int64(1)), (2.0, 1), (2.5, 1), (True, 1), ("2", 1), (2,), "A1", None]
        got = [(p in values, values.get(p, "absent")) for p in probes]  # type: ignore[call-overload]
        assert values._merged is None  # answered from the columns, no dict of the sheet built
        merged = dict(_values(tmp_path, seed))
        want = [(p in merged, merged.get(p, "absent")) for p in probes]  # type: ignore[call-overload]
        for p, g, w in zip(probes, got, want, strict=True):
            assert g == w, p
            assert type(g[1]) is type(w[1]), p


def test_changing_a_cell_merges_and_is_seen(tmp_path: Path) -> None:
    values = _values(tmp_path, 3)
    some = next(iter(dict(_values(tmp_path, 3))))
    values[some] = "新"
    assert values[some] == "新"
    assert some in values
    del values[some]
    assert some not in values


def test_a_column_and_the_cell_keys_are_the_merged_dicts() -> None:
    """``column`` (a column at many rows) and ``cell_keys`` (the cells present,
    or holding a value other than ""): answered from the columns as the
    merged dict answers them, the cells decoded one by one over the columns."""
    import tempfile

    from addin.xlsx.cell_keys import keys_of

    with tempfile.TemporaryDirectory() as folder:
        for seed in range(8):
            values = _values(Path(folder), seed)
            merged = dict(_values(Path(folder), seed))
            rows = np.array([5, 0, 1, 3, 3, 40, 2, 7, 12, 30, 31, 1], dtype=np.int64)
            for col in range(0, 9):
                got = values.column(col, rows).tolist()
                assert got == [merged.get((r, col)) for r in rows.tolist()], (seed, col)
            for filled in (False, True):
                want = sorted(
                    (r, c) for (r, c), v in merged.items() if not filled or (v is not None and v != "")
                )
                keys = values.cell_keys(filled=filled)
                assert keys.tolist() == keys_of(np.array([r for r, _c in want]), np.array([c for _r, c in want])).tolist()
            assert values._merged is None  # no dict of the sheet built
            values.merged()
            assert values.column(2, rows).tolist() == [merged.get((r, 2)) for r in rows.tolist()]
            assert values.cell_keys(filled=True).tolist() == values.cell_keys(filled=True).tolist()
