"""The read model's formula mapping (:class:`addin.xlsx.model.SheetFormulas`):
formulas filled down a column kept as runs, the mapping the same as a dict
of one Formula per cell; and the results' (:class:`~addin.xlsx.model.SheetResults`),
a block's values one array."""

from __future__ import annotations

import pickle
import random

import numpy as np

from addin.xlsx.model import Formula, SharedGroup, Sheet, SheetFormulas, SheetResults
from udfs.errors import ExcelError


def _filled(rows: range, col: int, text: str) -> dict[tuple[int, int], Formula]:
    return {(r, col): Formula(text.format(r=r)) for r in rows}


def test_a_column_filled_down_is_one_run_and_reads_back_the_same() -> None:
    cells = {
        **_filled(range(2, 1002), 3, "B{r}*2+$A$1"),
        **_filled(range(2, 1002), 4, "SUM($B$2:B{r})"),
    }
    f = SheetFormulas(sorted(cells.items()))
    assert len(f.runs()) == 2
    assert not f.singles()
    assert len(f) == len(cells)
    assert dict(f) == cells
    assert list(f) == sorted(cells)  # row-major, as a sheet's cells are written
    assert f[(500, 4)] == Formula("SUM($B$2:B500)")
    assert (1002, 3) not in f
    assert (1, 3) not in f


def test_a_break_in_the_column_ends_the_run() -> None:
    cells = _filled(range(1, 11), 2, "A{r}+1")
    cells[(5, 2)] = Formula("A5+2")  # typed over
    cells[(8, 2)] = Formula("A9+1")  # not the formula filled down
    f = SheetFormulas(sorted(cells.items()))
    assert dict(f) == cells
    assert [(run.row, run.n) for run in f.runs()] == [(1, 4), (6, 2), (9, 2)]
    assert set(f.singles()) == {(5, 2), (8, 2)}


def test_setting_and_deleting_inside_a_run_splits_it() -> None:
    rng = random.Random(25)
    cells = _filled(range(1, 200), 1, "B{r}*C{r}")
    f = SheetFormulas(sorted(cells.items()))
    for _ in range(60):
        r = rng.randrange(1, 205)
        if rng.random() < 0.5 and (r, 1) in cells:
            del f[(r, 1)], cells[(r, 1)]
        else:
            new = Formula(f"B{r}*C{r}" if rng.random() < 0.5 else f"X{r}")
            f[(r, 1)] = cells[(r, 1)] = new
        assert dict(f) == cells
        assert len(f) == len(cells)


def test_shared_group_cells_are_a_run_without_a_text_each() -> None:
    group = SharedGroup.of((2, 3), "0", "C2:C9", "A2*2")
    f = SheetFormulas()
    for r in range(2, 10):
        f[(r, 3)] = Formula.shared(group, (r, 3), group.text if r == 2 else None)
    assert len(f.runs()) == 1
    assert f[(2, 3)].text == "A2*2"
    assert f[(7, 3)].text == "A7*2"
    assert f[(7, 3)].group is group


def test_a_sheet_given_a_dict_keeps_it_as_runs_and_pickles() -> None:
    cells = _filled(range(2, 50), 5, "ROUND(D{r}*0.3,2)")
    sheet = Sheet("s", formulas=dict(cells))
    assert isinstance(sheet.formulas, SheetFormulas)
    assert len(sheet.formulas.runs()) == 1
    again = pickle.loads(pickle.dumps(sheet))
    assert dict(again.formulas) == cells
    assert list(sheet.formulas.distinct()) == [cells[(2, 5)]]


def test_items_are_the_lookups_in_row_major_order() -> None:
    cells = {**_filled(range(3, 40), 2, "A{r}*2"), **_filled(range(1, 30), 4, "C{r}&D$1")}
    cells[(2, 9)] = Formula("Z1")
    f = SheetFormulas(cells.items())  # not in row-major order
    assert [k for k, _v in f.items()] == sorted(cells)
    assert dict(f.items()) == cells


def test_sheet_results_keep_a_block_as_one_array() -> None:
    r = SheetResults()
    r[(1, 2)] = "head"
    r.put_column(2, 2, np.array([1.0, 2.5, 3.0]))
    r.put_column(2, 3, np.array(["a", ExcelError("#N/A"), None], dtype=object))
    assert len(r) == 7
    assert r[(3, 2)] == 2.5
    assert type(r[(3, 2)]) is float
    assert [(row, col, list(v)) for row, col, v in r.number_columns()] == [(2, 2, [1.0, 2.5, 3.0])]
    assert dict(r.other_items()) == {(1, 2): "head", (2, 3): "a", (3, 3): ExcelError("#N/A"), (4, 3): None}
    r[(3, 2)] = "over"  # a cell of a block set on its own
    del r[(4, 2)]
    assert dict(r) == {(1, 2): "head", (2, 2): 1.0, (3, 2): "over", (2, 3): "a", (3, 3): ExcelError("#N/A"), (4, 3): None}
    assert dict(pickle.loads(pickle.dumps(r))) == dict(r)


def test_add_texts_is_setting_them_one_by_one() -> None:
    rng = random.Random(7)
    rows, cols, texts = [], [], []
    for r in range(1, 400):
        for c in (2, 3, 5):
            if rng.random() < 0.95:
                rows.append(r)
                cols.append(c)
                texts.append(f"A{r}*{c}+A{r + 1}" if rng.random() < 0.9 else f"B{r}")
    bulk, one = SheetFormulas(), SheetFormulas()
    bulk.add_texts(rows[:500], cols[:500], texts[:500])
    bulk.add_texts(rows[500:], cols[500:], texts[500:])
    for r, c, t in zip(rows, cols, texts, strict=True):
        one[(r, c)] = Formula(t)
    assert dict(bulk) == dict(one)
    assert [(run.row, run.col, run.n) for run in bulk.runs()] == [(run.row, run.col, run.n) for run in one.runs()]


def test_add_texts_a_column_continued_whole_batches_at_a_time() -> None:
    rows = [r for r in range(2, 3002) for _c in (2, 3)]
    cols = [c for _r in range(2, 3002) for c in (2, 3)]
    texts = [f"A{r}*$B$1+A{r + 1}" if c == 2 else f"IF(A{r}>1,A{r},0)" for r, c in zip(rows, cols, strict=True)]
    texts[4001] = "IF(A2002>1,A2002,1)"  # one cell typed over, in the middle of a batch
    bulk = SheetFormulas()
    for at in range(0, len(rows), 1000):
        bulk.add_texts(rows[at : at + 1000], cols[at : at + 1000], texts[at : at + 1000])
    assert dict(bulk) == {(r, c): Formula(t) for r, c, t in zip(rows, cols, texts, strict=True)}
    assert [(run.row, run.col, run.n) for run in bulk.runs()] == [(2, 2, 3000), (2, 3, 2000), (2003, 3, 999)]


def test_sheet_results_read_a_column_and_their_cell_keys() -> None:
    """``column``: a column at many rows, a block's values sliced, with which
    rows have a result (``None`` is one); ``cell_keys``: the cells given a
    result, holding a value, or holding one other than ""."""
    from addin.xlsx.cell_keys import keys_of

    r = SheetResults()
    r[(1, 2)] = "head"
    r[(9, 2)] = ""
    r[(8, 3)] = None
    r.put_column(2, 2, np.array([1.0, 2.5, 3.0]))
    r.put_column(2, 3, np.array(["a", ExcelError("#N/A"), None, ""], dtype=object))
    rows = np.array([1, 2, 3, 4, 5, 8, 9, 9, 0], dtype=np.int64)
    for col in (1, 2, 3):
        values, present = r.column(col, rows)
        assert values.tolist() == [r.get((row, col)) for row in rows.tolist()]
        assert present.tolist() == [(row, col) in r for row in rows.tolist()]
        assert [type(v) for v in values.tolist()] == [type(r.get((row, col))) for row in rows.tolist()]
    cells = dict(r)

    def keys(pick: list[tuple[int, int]]) -> list[int]:
        pick = sorted(pick)
        return keys_of(np.array([a for a, _b in pick]), np.array([b for _a, b in pick])).tolist()

    assert r.cell_keys(given=True).tolist() == keys(list(cells))
    assert r.cell_keys().tolist() == keys([k for k, v in cells.items() if v is not None])
    assert r.cell_keys(filled=True).tolist() == keys([k for k, v in cells.items() if v is not None and v != ""])
