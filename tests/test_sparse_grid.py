"""The engine's cell grid holds memory proportional to the cells present (issue
12, point 6): dense over the rows and columns the cells fill, a sparse map for
cells far beyond, and whole-column references still cut at the used extent."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import _formulas, random_formula_book

from addin.refresh import engine
from addin.refresh.engine import (
    DENSE_FLOOR,
    MATERIALISE_LIMIT,
    RangeTooLargeError,
    SheetGrid,
    calculate,
    dense_extent,
)
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.model import (
    Formula,
    RefreshError,
    Sheet,
    UnsupportedFormulaError,
    Workbook,
)


def far_book(formulas: dict[str, str], far: str = "XFD30000") -> Workbook:
    """Sheet ``S``: 1…5 in A1:A5, 2 in ``far``; sheet ``T`` holds ``formulas``."""
    s = Sheet("S", values={(r, 1): float(r) for r in range(1, 6)})
    s.values[from_a1(far)] = 2.0
    t = Sheet("T", formulas={from_a1(a1): Formula(f) for a1, f in formulas.items()})
    return Workbook([s, t])


def values(wb: Workbook, *, vectorise: bool = True) -> dict[str, Any]:
    """Every computed cell as ``Sheet!A1`` → value."""
    res = calculate(wb, vectorise=vectorise)
    return {f"{sh}!{to_a1(*c)}": v for sh, cells in res.values.items() for c, v in cells.items()}


def test_ordinary_sheet_is_one_dense_block() -> None:
    """A sheet whose cells fill its extent keeps the whole extent dense (the
    fast path: ranges are views of one array, as before)."""
    coords = np.array([(r, c) for r in range(1, 101) for c in range(1, 11)], dtype=np.intp)
    assert dense_extent([coords], 10_000, 30) == (10_000, 30)


def test_one_far_cell_leaves_the_dense_part_small() -> None:
    """One cell at XFD30000 beside a few near A1: the dense part covers the
    near cells only, within the budget."""
    coords = np.array([(1, 1), (2, 1), (3, 2), (30_000, 16_384)], dtype=np.intp)
    r, c = dense_extent([coords], 30_000, 16_384)
    assert (r, c) == (3, 2)
    assert r * c <= DENSE_FLOOR


def test_far_cells_are_read_and_written_sparsely() -> None:
    """A grid whose dense part is one cell: cells beyond it are stored in the
    sparse map, read back one by one and inside ranges, cleared, and moved into
    the dense part when it grows over them."""
    g = SheetGrid("S", 1_000, 1_000, dense=(1, 1))
    g.put_cells(np.array([(50, 50), (60, 2)], dtype=np.intp), np.array(["x", 3.0], dtype=object))
    assert g.data.shape == (1, 1)
    assert g.get(50, 50) == "x"
    assert g.get(60, 2) == 3.0
    assert g.get(50, 51) is None
    assert g.block(49, 49, 50, 50).tolist() == [[None, None], [None, "x"]]
    assert g.block(1, 2, 1_048_576, 2)[59, 0] == 3.0  # a whole column, cut at row 1,000
    assert g.block(1, 2, 1_048_576, 2).shape == (1_000, 1)
    g.clear(60, 1, 60, 5)
    assert g.get(60, 2) is None
    g.set(70, 70, 1.0)  # grows the dense part over (50, 50)
    assert g.data.shape[0] >= 70
    assert g.data.shape[1] >= 70
    assert not g.far
    assert g.get(50, 50) == "x"
    assert np.shares_memory(g.block(49, 49, 50, 50), g.data)


def test_a_range_too_large_to_hold_is_refused() -> None:
    """Materialising more than MATERIALISE_LIMIT cells raises instead of
    allocating gigabytes; the engine names the formula's cell."""
    g = SheetGrid("S", 30_000, 16_384, dense=(1, 1))
    with pytest.raises(RangeTooLargeError):
        g.block(1, 1, 30_000, 16_384)
    assert MATERIALISE_LIMIT < 30_000 * 16_384
    with pytest.raises(UnsupportedFormulaError) as caught:
        values(far_book({"A1": "SUM(S!A1:XFD30000)"}))
    assert [str(ref) for ref, _ in caught.value.cells] == ["T!A1"]
    assert "30,000 rows × 16,384 columns" in str(caught.value)


@pytest.mark.parametrize("vectorise", [True, False])
def test_formulas_read_and_spill_into_the_far_part(vectorise: bool) -> None:
    """Formulas read a far cell, its whole column and whole row, a range
    spanning dense and sparse parts; a filled-down block and a dynamic array
    are written far out and read back — the same in both evaluation modes."""
    wb = far_book(
        {
            "A1": "S!XFD30000*3",
            "A2": "SUM(S!XFD:XFD)+COUNTA(S!A:A)",
            "A3": "SUM(S!30000:30000)",
            "A4": "SUM(S!A1:A30000)+COUNT(S!XFA29990:XFD30000)",
            "A5": "SUM(T!XFA29001#)",
            "A6": "SUM(T!XFB29001:XFB29003)",
        }
    )
    t = wb.sheets[1]
    t.formulas[from_a1("XFA29001")] = Formula("_xlfn.SEQUENCE(3,1,10,5)", kind="dynamic")
    for r in range(29001, 29004):
        t.formulas[(r, 16_382)] = Formula(f"XFA{r}*2")
    got = values(wb, vectorise=vectorise)
    assert got["T!A1"] == 6.0
    assert got["T!A2"] == 2.0 + 5.0
    assert got["T!A3"] == 2.0
    assert got["T!A4"] == 15.0 + 1.0
    assert got["T!XFA29003"] == 20.0
    assert got["T!A5"] == 10.0 + 15.0 + 20.0
    assert got["T!XFB29002"] == 30.0
    assert got["T!A6"] == 2 * (10.0 + 15.0 + 20.0)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(_formulas(), min_size=3, max_size=3),
    kinds=st.lists(st.sampled_from(["normal", "array", "dynamic"]), min_size=3, max_size=3),
)
def test_sparse_grid_computes_what_the_dense_grid_does(texts: list[str], kinds: list[str]) -> None:
    """Random formulas (every supported function, operator and reference form,
    filled down, array and dynamic) give the same values when every cell but A1
    lives in the sparse map as when the whole sheet is one dense array."""
    wb = random_formula_book(texts, kinds)
    try:
        dense = calculate(wb).values["S"]
    except RefreshError:
        return
    with (
        mock.patch.object(engine, "DENSE_FLOOR", 1),
        mock.patch.object(engine, "DENSE_PER_CELL", 0),
    ):
        sparse = calculate(wb).values["S"]
    assert sparse.keys() == dense.keys()
    for k, v in dense.items():
        w = sparse[k]
        assert type(v) is type(w), (k, v, w)
        assert v == w or (isinstance(v, float) and v != v and w != w), (k, v, w)
