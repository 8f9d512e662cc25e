"""What-if data tables recomputed per input as Excel does (addin/refresh/data_tables.py)."""

from __future__ import annotations

from typing import Any

from formula_helpers import calc

from addin.xlsx.model import Formula


def _model() -> dict[str, Any]:
    """A2 × B2 through a chain (C2 = A2*B2, D2 = C2+1): the inputs reach the
    result formulas only through other formulas."""
    return {"A2": 1.0, "B2": 2.0, "C2": "=A2*B2", "D2": "=C2+1"}


def test_one_variable_column_table() -> None:
    cells = _model()
    cells.update({"B4": "=D2", "C4": "=C2", "A5": 1.0, "A6": 2.0, "A7": 5.0})
    cells["B5"] = Formula("TABLE(,A2)", "array", "B5:C7")
    got = calc(cells)
    assert [got[f"B{r}"] for r in (5, 6, 7)] == [3.0, 5.0, 11.0]  # (A2 × 2) + 1
    assert [got[f"C{r}"] for r in (5, 6, 7)] == [2.0, 4.0, 10.0]
    assert got["D2"] == 3.0  # the model is put back


def test_one_variable_row_table() -> None:
    cells = _model()
    cells.update({"E4": 10.0, "F4": 20.0, "D5": "=C2"})
    cells["E5"] = Formula("TABLE(B2,)", "array", "E5:F5")
    got = calc(cells)
    assert (got["E5"], got["F5"]) == (10.0, 20.0)  # A2 (1) × B2
    assert got["C2"] == 2.0


def test_two_variable_table() -> None:
    cells = _model()
    cells.update({"A9": "=D2", "B9": 1.0, "C9": 2.0, "A10": 3.0, "A11": 4.0})
    cells["B10"] = Formula("TABLE(B2,A2)", "array", "B10:C11")
    got = calc(cells)
    assert [[got["B10"], got["C10"]], [got["B11"], got["C11"]]] == [[4.0, 7.0], [5.0, 9.0]]


def test_formulas_reading_the_table_come_after_it() -> None:
    cells = _model()
    cells.update({"B4": "=D2", "A5": 1.0, "A6": 2.0, "Z1": "=SUM(B5:B6)"})
    cells["B5"] = Formula("TABLE(,A2)", "array", "B5:B6")
    assert calc(cells)["Z1"] == 8.0
