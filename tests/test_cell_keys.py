"""addin/xlsx/cell_keys.py: a cell as one int64 key; sets of keys sorted,
each once, and membership by binary search — what ``np.unique`` and
``np.isin`` give, without their hashing."""

from __future__ import annotations

import numpy as np

from addin.xlsx.a1 import MAX_COL, MAX_ROW
from addin.xlsx.cell_keys import cols_of, distinct, keys_of, member, rows_of


def test_a_key_gives_back_its_row_and_column() -> None:
    rows = np.array([1, 2, MAX_ROW, 7, MAX_ROW], dtype=np.int64)
    cols = np.array([1, MAX_COL, 3, MAX_COL, MAX_COL], dtype=np.int64)
    keys = keys_of(rows, cols)
    assert rows_of(keys).tolist() == rows.tolist()
    assert cols_of(keys).tolist() == cols.tolist()
    # row-major: sorting keys sorts by row, then column
    pairs = sorted(zip(rows.tolist(), cols.tolist(), strict=True))
    assert [(int(k) >> 15, int(k) & 0x7FFF) for k in np.sort(keys)] == pairs
    assert keys_of(np.array([4, 5]), 9).tolist() == [(4 << 15) + 9, (5 << 15) + 9]


def test_distinct_and_member_are_unique_and_isin() -> None:
    rng = np.random.default_rng(5)
    for size, span in ((0, 10), (1, 10), (50, 20), (5_000, 1 << 35), (5_000, 300)):
        keys = rng.integers(0, span, size, dtype=np.int64)
        among = distinct(rng.integers(0, span, size // 2 + 1, dtype=np.int64))
        assert distinct(keys).tolist() == np.unique(keys).tolist()
        assert member(keys, among).tolist() == np.isin(keys, among).tolist()
        assert member(keys, distinct(np.array([], dtype=np.int64))).tolist() == [False] * size
