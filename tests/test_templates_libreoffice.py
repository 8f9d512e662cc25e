"""LibreOffice opens every template without ``#REF!`` or stray ``#NAME?``, and
computes the templates' plain-Excel formulas (XLOOKUP, SUMIFS broadcasting,
IF arithmetic, spills) to the golden values.

LibreOffice does not know the contract functions, so the committed files show
``#NAME?`` in exactly the cells that depend on them. To check the rest of each
template, the test builds a copy in which every formula column that calls a
contract function is replaced by its golden values (as typed constants),
recalculates the copy in LibreOffice, and compares every other golden cell.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from addin.validate.structure import contract_calls
from workbooks import writer
from workbooks.golden_reference import golden
from workbooks.model import DataSheet, FreeSheet, Template
from workbooks.templates import REGISTRY

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
ERRORS = ("#NAME?", "#REF!", "#VALUE!", "#N/A", "#DIV/0!", "#NUM!", "Err:")
#: Golden cells computed by plain Excel formulas (no contract call) per template.
MIN_PLAIN_CELLS = {"t1-gongxiaoshe": 72, "t2-wangxiao": 32, "t3-hujiao": 132, "t4-baoxian": 235,
                   "t5-xiaoshou": 774, "t6-weixi": 224, "t7-weixiu": 4, "t8-xiaoshoubu": 1620}


def recalc(src: Path, out_dir: Path) -> Path:
    """Open ``src`` in headless LibreOffice (which recalculates on load) and save as xlsx."""
    assert SOFFICE is not None
    profile = out_dir / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out_dir / "out"), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    return out_dir / "out" / src.name


def frozen(t: Template, gold: dict[str, Any]) -> tuple[Template, set[str]]:
    """A copy of ``t`` whose contract-function columns hold their golden values."""
    t = copy.deepcopy(t)
    frozen_cells: set[str] = set()
    for s in t.sheets:
        if not isinstance(s, DataSheet):
            continue
        old_rows = [list(r) for r in s.iter_rows()]
        cols = s.cols
        freeze = [j for j, c in enumerate(cols) if c.formula and contract_calls(c.formula)]
        if not freeze:
            continue
        new_rows = []
        for i, row in enumerate(old_rows):
            it = iter(row)
            values = []
            for j, c in enumerate(cols):
                if c.is_input:
                    values.append(next(it))
                elif j in freeze:
                    k = f"{s.name}!{s.cell(c.header, i)}"
                    assert k in gold, f"no golden value for contract column cell {k}"
                    v = gold[k]
                    values.append(None if v == "" else v)
                    frozen_cells.add(k)
            new_rows.append(values)
        for j in freeze:
            cols[j].formula = None
        s.rows = new_rows
    return t, frozen_cells


@pytest.mark.parametrize("tid", list(REGISTRY))
def test_committed_template_has_no_ref_errors(tid: str, tmp_path: Path) -> None:
    """Opened in LibreOffice, the committed file shows no #REF! anywhere and
    #NAME? only in cells whose formula calls (or reads) a contract function."""
    t = REGISTRY[tid]()
    path = tmp_path / t.filename
    writer.save(t, path)
    wb = openpyxl.load_workbook(recalc(path, tmp_path), data_only=True)
    names = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("#REF"):
                    pytest.fail(f"{ws.title}!{c.coordinate}: #REF!")
                names += c.value == "#NAME?"
    assert names > 0, "contract-function cells should be #NAME? in LibreOffice"


@pytest.mark.parametrize("tid", list(REGISTRY))
def test_plain_formulas_match_golden_in_libreoffice(tid: str, tmp_path: Path) -> None:
    """With contract columns replaced by golden constants, LibreOffice computes
    every other result cell to the golden value."""
    t = REGISTRY[tid]()
    gold = golden(t)
    ft, frozen_cells = frozen(t, gold)
    ft.sheets = [s for s in ft.sheets if not (isinstance(s, FreeSheet) and s.kind == "explain")]
    path = tmp_path / t.filename
    writer.save(ft, path)
    wb = openpyxl.load_workbook(recalc(path, tmp_path), data_only=True)
    errors = [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets for row in ws.iter_rows()
              for c in row if isinstance(c.value, str) and c.value.startswith(ERRORS)]
    assert not errors, f"error values outside contract-function cells: {errors[:8]}"
    checked, bad = 0, []
    for k, g in gold.items():
        if k in frozen_cells:
            continue
        sheet, cell = k.split("!")
        v = wb[sheet][cell].value
        checked += 1
        if isinstance(g, str):
            ok = (v or "") == g
        else:
            ok = isinstance(v, (int, float)) and abs(v - g) <= 0.005
        if not ok:
            bad.append((k, v, g))
    assert not bad, f"{len(bad)} of {checked} cells differ, first: {bad[:6]}"
    assert checked >= MIN_PLAIN_CELLS[tid], checked
