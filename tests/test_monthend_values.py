"""addin/monthend/values.py: the columns holding formula results, each with
its first row, are those of every formula cell (runs and ranges included)."""

from __future__ import annotations

from addin.monthend.values import formula_cells, formula_columns
from addin.xlsx.model import Formula, Sheet, Workbook


def test_formula_columns_are_the_formula_cells_columns() -> None:
    sheet = Sheet("S")
    for r in range(3, 40):  # a run filled down
        sheet.formulas[(r, 2)] = Formula(f"A{r}*2")
    sheet.formulas[(7, 5)] = Formula("1+1")
    sheet.formulas[(2, 6)] = Formula("SEQUENCE(3,2)", kind="dynamic", ref="F2:G4")
    sheet.formulas[(1, 9)] = Formula("{1,2}", kind="array", ref="I5:J1")  # a range upside down: no cells
    wb = Workbook([sheet])
    cells = formula_cells(wb, "S")
    want: dict[int, int] = {}
    for r, c in sorted(cells):
        want.setdefault(c, r)
    assert formula_columns(wb, "S") == want
