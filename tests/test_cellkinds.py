"""Cell kinds (addin/refresh/functions/cellkinds.py): the compiled pass and its
numpy stand-in give every cell the same kind, by exact type."""

from __future__ import annotations

import numpy as np
import pytest
from xlsx_helpers import built

from addin.refresh.functions import cellkinds
from addin.refresh.functions.cellkinds import (
    BLANK,
    FLOAT,
    OTHER,
    TEXT,
    cell_kinds,
    kinds_and_floats,
)
from udfs.errors import ExcelError


class _Text(str):
    pass


CELLS = [1.5, "a", None, True, 3, np.float64(2.0), ExcelError("#N/A"), _Text("b"), -0.0, "", float("nan")]
KINDS = [FLOAT, TEXT, BLANK, OTHER, OTHER, OTHER, OTHER, OTHER, FLOAT, TEXT, FLOAT]


@pytest.mark.parametrize("compiled", [True, False])
def test_each_cell_has_the_kind_its_exact_type_says(
    monkeypatch: pytest.MonkeyPatch, compiled: bool
) -> None:
    if not compiled:
        monkeypatch.setattr(cellkinds, "_cellkinds", None)
    else:
        built(cellkinds._cellkinds, "addin.refresh.functions._cellkinds")
    flat = np.empty(len(CELLS) * 1000, dtype=object)
    flat[:] = CELLS * 1000
    got = cell_kinds(flat)
    assert got.dtype == np.int8
    assert got.tolist() == KINDS * 1000
    assert cell_kinds(flat[:0]).tolist() == []
    kinds, floats = kinds_and_floats(flat)
    assert kinds.tolist() == got.tolist()
    want = [v if k == FLOAT else 0.0 for v, k in zip(CELLS, KINDS, strict=True)] * 1000
    np.testing.assert_array_equal(floats, np.array(want))
