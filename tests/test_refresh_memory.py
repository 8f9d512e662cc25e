"""Memory of a refresh per formula cell stays bounded (issue 25: 100,000
per-row people under 500 MB).

Measured with :mod:`tracemalloc` (the Python heap, deterministic), never time:
the peak of ``jixiao refresh``'s whole job (read, calculate, write) over the
formula cells of a per-row sheet whose every formula is written out (as
openpyxl and LibreOffice save them, no shared formulas). A second copy of
the read model or of the engine kept beside the writer's work fails here.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from pathlib import Path

from xlsx_helpers import make_xlsx

from addin.refresh.engine import calculate
from addin.refresh.job import load_engine, refresh_file
from addin.xlsx.workbook import read_workbook

ROWS = 4_000
FORMULAS = ("B{r}*2", "IF(C{r}>10,C{r}-10,0)", "ROUND(D{r}*0.3,2)", "SUM(B{r}:E{r})")
#: the most traced peak bytes the job may cost per formula cell: about 1.3 ×
#: what it costs now (measured here: 428; 665 while every formula cell was a
#: Formula with its own text and every result a dict entry, 914 while the
#: engine and the read model, a reference cycle, outlived ``calculate`` into
#: writing)
PER_FORMULA_CELL = 560
#: the most traced bytes the read model may keep per formula cell of columns
#: filled down: about 2.5 × what it keeps now (measured: 32, the value columns
#: included; 281 with a Formula, its text and its key per cell)
READ_PER_FORMULA_CELL = 80


def _per_row(path: Path, rows: int) -> Path:
    cells = []
    for r in range(2, rows + 2):
        row = [f'<c r="A{r}" t="inlineStr"><is><t>P{r}</t></is></c>', f'<c r="B{r}"><v>{r % 97}</v></c>']
        for k, text in enumerate(FORMULAS):
            col = "CDEF"[k]
            row.append(f'<c r="{col}{r}"><f>{text.format(r=r)}</f><v>0</v></c>')
        cells.append(f'<row r="{r}">{"".join(row)}</row>')
    return make_xlsx(path, {"人员": "".join(cells)})


def test_calculate_leaves_nothing_for_the_cyclic_collector(tmp_path: Path) -> None:
    """With the collector paused (as a refresh runs), the workbook is freed as
    soon as its last name goes: the engine leaves no cycle holding it."""
    wb = read_workbook(_per_row(tmp_path / "b.xlsx", 50), formula_values=False)
    alive = weakref.ref(wb)
    was = gc.isenabled()
    gc.disable()
    try:
        results = calculate(wb)
        del wb
        assert alive() is None
    finally:
        if was:
            gc.enable()
    assert results.values["人员"][(2, 6)] == 6.0  # SUM(B2:E2) = 2 + 4 + 0 + 0


def test_read_model_keeps_filled_down_columns_as_runs(tmp_path: Path) -> None:
    """A per-row sheet's formulas, each written out as its own text, are kept
    as one run per column (no Formula, text or key per cell) and the read
    model's traced size per formula cell stays under its bound."""
    source = _per_row(tmp_path / "people.xlsx", ROWS)
    gc.collect()
    tracemalloc.start()
    try:
        wb = read_workbook(source, formula_values=False)
        kept, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    formulas = wb.sheets[0].formulas
    assert len(formulas) == ROWS * len(FORMULAS)
    assert len(formulas.runs()) == len(FORMULAS)
    assert not formulas.singles()
    assert formulas[(ROWS, 4)].text == FORMULAS[1].format(r=ROWS)
    cells = ROWS * len(FORMULAS)
    assert kept / cells < READ_PER_FORMULA_CELL, f"{kept / cells:.0f} bytes a formula cell"


def test_refresh_peak_per_formula_cell(tmp_path: Path) -> None:
    """The whole job's traced peak per formula cell stays under its bound."""
    source = _per_row(tmp_path / "people.xlsx", ROWS)
    calc = load_engine("builtin")
    gc.collect()
    tracemalloc.start()
    try:
        report = refresh_file(source, tmp_path / "out.xlsx", calc)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.exit_code == 0, report.message
    cells = ROWS * len(FORMULAS)
    assert report.cells_computed == cells
    assert peak / cells < PER_FORMULA_CELL, f"{peak / cells:.0f} bytes a formula cell"
