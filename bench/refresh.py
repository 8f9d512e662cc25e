"""Benchmark ``jixiao refresh``: the built-in engine end to end against ``formulas``.

First, the workbook offices really have (the evaluator issue): 10,000 people
with formulas filled down row by row (each cell its own formula text) — a rate
``VLOOKUP(C2,收入档,2,TRUE)``, gates ``IF(D2>=80,D2*F2,IF(D2>=60,D2*20,0))``,
``ROUND``, ``RANK.EQ`` over the column, ``SUMIFS`` over a 30,000-row log,
``COUNTIF`` of the department and a household pay of nested IFs — and the same
sheet with ``POINT_BONUS(D2,F2,门槛)`` and ``TIERED(E2,户档,"超额")`` (the
contract version), at 10,000 and 100,000 people. Each is measured against the
floor in the same run (unzip, lxml parse and re-serialise every sheet, re-zip:
any refresh does at least that), and at 10,000 people against LibreOffice and
pycel where installed (``pip install pycel``, the ``bench`` extra; pycel knows
no RANK.EQ, a sorted-column plugin stands in; ``--pycel-rows`` runs it on fewer
rows and scales linearly, a lower bound). ``--per-row-only`` stops there.

Generates workbooks shaped like the measurement in the refresh issue — one row
per person with a sales amount and three KPI scores, and four formula columns
filled down as Excel saves them (shared formulas):

* 提成  ``TIERED(B2,参数!$A$2:$B$6,"超额")``   (a contract function, add-in UDF)
* 排名  ``_xlfn.RANK.EQ(B2,$B$2:$B$N)``
* 等级  ``VLOOKUP(B2,参数!$D$2:$E$6,2,TRUE)``
* 综合分 ``SUMPRODUCT(C2:E2,参数!$G$2:$I$2)``

and the eight templates scaled by ``workbooks.generate`` to the same sizes,
and refreshes them (read package → calculate → write values into a copy):

* with the built-in engine at 10,000 and 100,000 rows;
* with the ``formulas`` library (``pip install formulas``; a ``dev`` extra) at
  10,000 rows — ``formulas`` knows no ``TIERED``, so a plain Python
  implementation of the marginal (超额) mode is registered for it. ``--quick``
  runs ``formulas`` on fewer rows and scales its time linearly to 10,000 rows;
  ``formulas`` evaluates ``RANK.EQ`` per cell over the whole column, so the
  linear scale *under*-estimates its real time and the printed ratio is a
  lower bound.

Each measurement runs in a fresh child process so its peak memory (max RSS) is
its own. Targets from the issue: 10,000 rows < 1.5 s end to end, 100,000 rows
< 15 s, ≥ 200× faster than ``formulas``, peak memory < 1 GB at 100,000 rows.

Usage::

    .venv/bin/python bench/refresh.py            # full run (formulas: minutes)
    .venv/bin/python bench/refresh.py --quick    # formulas on 1,000 rows, scaled
    .venv/bin/python bench/refresh.py --folder   # 200 workbooks: --jobs 2 vs --scheduler local:2

``--folder`` copies the eight templates round-robin into a folder of 200
workbooks and refreshes it twice in a new process each time, ``--jobs 2`` and
``--scheduler local:2`` (Dask, cluster start-up included), printing the
throughput in workbooks per second and the ratio measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import shapes  # bench/shapes.py, beside this script: the generated workbook shapes

TIERS = [(0, 0.01), (50_000, 0.02), (100_000, 0.03), (150_000, 0.04), (180_000, 0.05)]
GRADES = [(0, "D"), (60_000, "C"), (100_000, "B"), (140_000, "A"), (180_000, "S")]
WEIGHTS = [0.5, 0.3, 0.2]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# ---------------------------------------------------------------------------
# Generating the workbook (raw XML, shared formulas, like Excel saves it)
# ---------------------------------------------------------------------------


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _params_sheet() -> str:
    rows = [
        '<row r="1">'
        + _inline("A1", "起点")
        + _inline("B1", "费率")
        + _inline("D1", "起点")
        + _inline("E1", "等级")
        + _inline("G1", "权重1")
        + _inline("H1", "权重2")
        + _inline("I1", "权重3")
        + "</row>"
    ]
    for i in range(5):
        r = i + 2
        cells = (
            f'<c r="A{r}"><v>{TIERS[i][0]}</v></c><c r="B{r}"><v>{TIERS[i][1]}</v></c>'
            f'<c r="D{r}"><v>{GRADES[i][0]}</v></c>' + _inline(f"E{r}", GRADES[i][1])
        )
        if r == 2:
            cells += "".join(
                f'<c r="{col}2"><v>{w}</v></c>' for col, w in zip("GHI", WEIGHTS, strict=True)
            )
        rows.append(f'<row r="{r}">{cells}</row>')
    return _sheet("".join(rows), "A1:I6")


def _sheet(data: str, dimension: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="{dimension}"/>'
        f"<sheetData>{data}</sheetData></worksheet>"
    )


def _data_sheet(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    last = n + 1
    parts = [
        '<row r="1">'
        + "".join(
            _inline(f"{c}1", h)
            for c, h in zip(
                "ABCDEFGHI",
                ["工号", "销售额", "KPI1", "KPI2", "KPI3", "提成", "排名", "等级", "综合分"],
                strict=True,
            )
        )
        + "</row>"
    ]
    formulas = {
        "F": 'TIERED(B2,参数!$A$2:$B$6,"超额")'.replace('"', "&quot;"),
        "G": f"_xlfn.RANK.EQ(B2,$B$2:$B${last})",
        "H": "VLOOKUP(B2,参数!$D$2:$E$6,2,TRUE)",
        "I": "SUMPRODUCT(C2:E2,参数!$G$2:$I$2)",
    }
    for i in range(n):
        r = i + 2
        sales = round(rng.uniform(0, 200_000), 2)
        k1, k2, k3 = rng.randint(60, 100), rng.randint(60, 100), rng.randint(60, 100)
        cells = [
            _inline(f"A{r}", f"E{i + 1:06d}"),
            f'<c r="B{r}"><v>{sales}</v></c><c r="C{r}"><v>{k1}</v></c>'
            f'<c r="D{r}"><v>{k2}</v></c><c r="E{r}"><v>{k3}</v></c>',
        ]
        for si, (col, text) in enumerate(formulas.items()):
            if r == 2:
                cells.append(
                    f'<c r="{col}2"><f t="shared" ref="{col}2:{col}{last}" si="{si}">{text}</f><v>0</v></c>'
                )
            else:
                cells.append(f'<c r="{col}{r}"><f t="shared" si="{si}"/><v>0</v></c>')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    return _sheet("".join(parts), f"A1:I{last}")


def generate(path: Path, n: int) -> Path:
    """Write the benchmark workbook with ``n`` data rows to ``path``."""
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_CT}"/>'
            f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{SHEET_CT}"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="数据" sheetId="1" r:id="rId1"/><sheet name="参数" sheetId="2" r:id="rId2"/>'
            '</sheets><calcPr calcId="191029"/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": _data_sheet(n),
        "xl/worksheets/sheet2.xml": _params_sheet(),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------
# The per-row workbook: formulas filled down row by row, as offices write them
# ---------------------------------------------------------------------------

#: 收入档 (revenue band → rate), 门槛 (score gates: below 60 nothing, 20 a point
#: from 60, the person's own rate from 80) and 户档 (households, marginal).
REVENUE_BANDS = [(0, 0.01), (50_000, 0.02), (100_000, 0.03), (150_000, 0.04), (180_000, 0.05)]
GATES = [(0, 0), (60, 20), (80, None)]
HOUSEHOLD_BANDS = [(0, 20), (5, 30), (10, 40)]
DEPARTMENTS = 40
LOG_PER_PERSON = 3

#: The per-row columns (G…M) of the 人员 sheet, row 2's text; ``{last}`` is the
#: last person's row, ``{log}`` the log's last row. The contract version
#: replaces the nested IFs of H and M by POINT_BONUS and TIERED.
PER_ROW_STANDARD = shapes.PER_ROW_FORMULAS
PER_ROW_CONTRACT = {
    **PER_ROW_STANDARD,
    "H": "POINT_BONUS(D2,F2,门槛)",
    "M": 'TIERED(E2,户档,"超额")',
}


def _per_row_params() -> str:
    head = ["起点", "费率", "", "门槛", "每分", "", "户数起点", "每户"]
    rows = [
        '<row r="1">'
        + "".join(_inline(f"{c}1", h) for c, h in zip("ABCDEFGH", head, strict=True) if h)
        + "</row>"
    ]
    for i in range(5):
        r = i + 2
        cells = f'<c r="A{r}"><v>{REVENUE_BANDS[i][0]}</v></c><c r="B{r}"><v>{REVENUE_BANDS[i][1]}</v></c>'
        if i < 3:
            start, rate = GATES[i]
            cells += f'<c r="D{r}"><v>{start}</v></c>'
            if rate is not None:
                cells += f'<c r="E{r}"><v>{rate}</v></c>'
            cells += (
                f'<c r="G{r}"><v>{HOUSEHOLD_BANDS[i][0]}</v></c>'
                f'<c r="H{r}"><v>{HOUSEHOLD_BANDS[i][1]}</v></c>'
            )
        rows.append(f'<row r="{r}">{cells}</row>')
    return _sheet("".join(rows), "A1:H6")


def _log_sheet(n_people: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    m = n_people * LOG_PER_PERSON
    parts = [
        '<row r="1">'
        + _inline("A1", "工号")
        + _inline("B1", "月份")
        + _inline("C1", "金额")
        + "</row>"
    ]
    for i in range(m):
        r = i + 2
        who = rng.randrange(n_people) + 1
        parts.append(
            f'<row r="{r}">{_inline(f"A{r}", f"E{who:06d}")}<c r="B{r}"><v>{rng.randint(1, 12)}</v></c>'
            f'<c r="C{r}"><v>{round(rng.uniform(0, 5_000), 2)}</v></c></row>'
        )
    return _sheet("".join(parts), f"A1:C{m + 1}")


def _people_sheet(n: int, contract: bool, seed: int = 7) -> str:
    rng = random.Random(seed)
    last, log = n + 1, n * LOG_PER_PERSON + 1
    head = [
        "工号",
        "部门",
        "收入",
        "考核分",
        "户数",
        "每分单价",
        "费率",
        "分值奖金",
        "提成",
        "排名",
        "明细合计",
        "部门人数",
        "户数奖",
    ]
    parts = [
        '<row r="1">'
        + "".join(_inline(f"{c}1", h) for c, h in zip("ABCDEFGHIJKLM", head, strict=True))
        + "</row>"
    ]
    templates = PER_ROW_CONTRACT if contract else PER_ROW_STANDARD
    texts = {c: t.format(last=last, log=log).replace('"', "&quot;") for c, t in templates.items()}
    for i in range(n):
        r = i + 2
        cells = [
            _inline(f"A{r}", f"E{i + 1:06d}"),
            _inline(f"B{r}", f"部门{rng.randrange(DEPARTMENTS) + 1:02d}"),
            f'<c r="C{r}"><v>{round(rng.uniform(0, 200_000), 2)}</v></c>'
            f'<c r="D{r}"><v>{rng.randint(40, 100)}</v></c>'
            f'<c r="E{r}"><v>{rng.randint(0, 20)}</v></c>'
            f'<c r="F{r}"><v>{rng.choice((30, 35, 40))}</v></c>',
        ]
        for col, text in texts.items():
            # filled down row by row: each cell its own formula text, as
            # files written by hand or by other tools have them
            cells.append(f'<c r="{col}{r}"><f>{_shift_rows(text, i)}</f><v>0</v></c>')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    return _sheet("".join(parts), f"A1:M{last}")


def _shift_rows(text: str, k: int) -> str:
    """The row-2 formula ``text`` filled down ``k`` rows (relative row 2 only)."""
    import re

    return re.sub(r"(?<![$0-9A-Z])([A-M])2(?![0-9])", lambda m: f"{m.group(1)}{2 + k}", text)


def generate_per_row(path: Path, n: int, contract: bool = False) -> Path:
    """The per-row workbook of ``n`` people (人员, a 3n-row log 明细, 参数 with
    three named tables), every formula filled down row by row."""
    sheets = {"人员": _people_sheet(n, contract), "明细": _log_sheet(n), "参数": _per_row_params()}
    names = shapes.PER_ROW_NAMES
    return _package(path, sheets, names)


def _package(path: Path, sheets: dict[str, str], names: dict[str, str] | None = None) -> Path:
    """A minimal .xlsx of ``sheets`` (name → sheet XML) and defined ``names``."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>'
        for i in range(1, len(sheets) + 1)
    )
    defined = "".join(
        f'<definedName name="{k}">{v}</definedName>' for k, v in (names or {}).items()
    )
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(sheets, 1)
            )
            + "</sheets>"
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + '<calcPr calcId="191029"/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Relationships>"
        ),
    }
    for i, xml in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


def child_floor(path: Path) -> dict[str, Any]:
    """The floor: unzip, parse and re-serialise every sheet with lxml, re-zip —
    what any refresh must at least do, with no calculation."""
    from lxml import etree

    t0, c0 = time.perf_counter(), time.process_time()
    out = path.with_name(path.stem + ".floor.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = etree.tostring(
                    etree.fromstring(data), xml_declaration=True, encoding="UTF-8"
                )
            zout.writestr(info, data)
    return {"total": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": _peak_mb()}


def child_pycel(path: Path) -> dict[str, Any]:
    """Evaluate every formula of the 人员 sheet with pycel (evaluation only: pycel
    writes no file), from loading the workbook on."""
    t0 = time.perf_counter()
    from pycel import ExcelCompiler

    _pycel_names_shim()
    t1 = time.perf_counter()
    xl = ExcelCompiler(filename=str(path), plugins=[__name__])
    t2 = time.perf_counter()
    last = _last_row(xl)
    ranges = [f"人员!{col}2:{col}{last}" for col in PER_ROW_STANDARD]
    for addrs in ranges:  # builds the graph (pycel takes the file's cached values)
        xl.evaluate(addrs)
    xl.recalculate()  # every formula computed
    t3 = time.perf_counter()
    values: dict[str, Any] = {}
    for col, addrs in zip(PER_ROW_STANDARD, ranges, strict=True):
        for r, row in enumerate(xl.evaluate(addrs), 2):
            v = row[0] if isinstance(row, tuple) else row
            values[f"{col}{r}"] = _plain(v)
    return {
        "import": t1 - t0,
        "read": t2 - t1,
        "calculate": t3 - t2,
        "total": t3 - t1,
        "peak_mb": _peak_mb(),
        "values": values,
    }


_RANK_CACHE: dict[int, tuple[Any, list[float]]] = {}


def rank_eq(value: Any, ref: Any, order: Any = 0) -> Any:
    """RANK.EQ for pycel, which has none (a plugin): the column sorted once per
    range object, then a binary search — kinder to pycel than a per-cell scan."""
    import bisect

    hit = _RANK_CACHE.get(id(ref))
    if hit is None or hit[0] is not ref:
        flat = sorted(
            float(x)
            for row in ref
            for x in (row if isinstance(row, tuple) else (row,))
            if isinstance(x, int | float) and not isinstance(x, bool)
        )
        hit = _RANK_CACHE[id(ref)] = (ref, flat)
    flat = hit[1]
    v = float(value)
    if order:
        return bisect.bisect_left(flat, v) + 1
    return len(flat) - bisect.bisect_right(flat, v) + 1


def _pycel_names_shim() -> None:
    """pycel 1.0b30 reads defined names through openpyxl < 3.1's
    ``defined_names.definedName``; openpyxl 3.1 holds them in a dict."""
    from pycel.excelwrapper import ExcelOpxWrapper

    def defined_names(self: Any) -> dict[str, Any]:
        if self.workbook is not None and self._defined_names is None:
            self._defined_names = {
                str(d.name): [(alias, ws) for ws, alias in d.destinations if ws in self.workbook]
                for d in self.workbook.defined_names.values()
            }
        return self._defined_names

    ExcelOpxWrapper.defined_names = property(defined_names)


def _last_row(xl: Any) -> int:
    ws = xl.excel.workbook["人员"]
    return int(ws.max_row)


# ---------------------------------------------------------------------------
# Child processes: one measurement each
# ---------------------------------------------------------------------------


def _phases(t0: float, t1: float, t2: float, t3: float, t4: float) -> dict[str, float]:
    """The seconds of each phase of a timed child run from its five timestamps
    (start, imported, read, calculated, written); the total leaves out imports."""
    return {"import": t1 - t0, "read": t2 - t1, "calculate": t3 - t2, "write": t4 - t3, "total": t4 - t1}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_builtin(path: Path) -> dict[str, Any]:
    """Refresh ``path`` with the built-in engine; stage times and checks."""
    t0 = time.perf_counter()
    from addin.refresh.engine import calculate
    from addin.xlsx.package import gc_paused
    from addin.xlsx.workbook import read_workbook
    from addin.xlsx.writer import write_results

    t1 = time.perf_counter()
    with gc_paused():  # as jixiao refresh runs it
        wb = read_workbook(path, formula_values=False)
        t2 = time.perf_counter()
        results = calculate(wb)
        t3 = time.perf_counter()
        out = path.with_name(path.stem + ".refreshed.xlsx")
        summary = write_results(path, results, out)
        t4 = time.perf_counter()
    values = results.values.get("数据", {})
    sample = {
        f"{c}{r}": _plain(values.get((r, ci)))
        for r in (2, 3, 4)
        for c, ci in zip("FGHI", (6, 7, 8, 9), strict=True)
    }
    return {
        **_phases(t0, t1, t2, t3, t4),
        "cells": results.count(),
        "written": summary.cells_changed,
        "peak_mb": _peak_mb(),
        "sample": sample,
        "inputs": _inputs(wb) if "数据" in {s.name for s in wb.sheets} else {},
    }


def _plain(v: Any) -> Any:
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return str(v)


def _inputs(wb: Any) -> dict[str, list[float]]:
    s = wb.sheet("数据")
    return {
        str(r): [s.values[(r, 2)], s.values[(r, 3)], s.values[(r, 4)], s.values[(r, 5)]]
        for r in (2, 3, 4)
    }


def _tiered(x: Any, table: Any, mode: Any) -> Any:
    """TIERED in 超额 (marginal) mode, plain Python, for ``formulas``."""
    import numpy as np

    def one(v: float) -> float:
        rows = np.asarray(table, dtype=float).reshape(-1, 2)
        total = 0.0
        for k, (start, rate) in enumerate(rows):
            end = rows[k + 1][0] if k + 1 < len(rows) else float("inf")
            if v > start:
                total += (min(v, end) - start) * rate
        return round(total + 1e-9, 2)

    arr = np.asarray(x, dtype=object)
    if arr.shape == ():
        return one(float(arr))
    return np.vectorize(lambda v: one(float(v)), otypes=[float])(arr)


def child_formulas(path: Path) -> dict[str, Any]:
    """Refresh ``path`` with the ``formulas`` library (load, compile, calculate, write)."""
    t0 = time.perf_counter()
    import formulas

    functions = formulas.get_functions()
    functions["TIERED"] = _tiered
    t1 = time.perf_counter()
    model = formulas.ExcelModel().loads(str(path)).finish()
    t2 = time.perf_counter()
    solution = model.calculate()
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        model.write(dirpath=tmp)
    t4 = time.perf_counter()
    sample: dict[str, Any] = {}
    for key, value in solution.items():
        ref = str(key).upper()
        if "数据" in ref and "!" in ref:
            cell = ref.rsplit("!", 1)[1]
            if cell in {f"{c}{r}" for c in "FGHI" for r in (2, 3, 4)}:
                v = value.value[0, 0] if hasattr(value, "value") else value
                sample[cell] = _plain(v.item() if hasattr(v, "item") else v)
    return {
        **_phases(t0, t1, t2, t3, t4),
        "peak_mb": _peak_mb(),
        "sample": sample,
    }


def child_env() -> dict[str, str]:
    """The environment of every measured child: Python's bytecode cached, as an
    installed jixiao has it (``pip install`` compiles it), in a cache of the
    bench's own (``PYTHONPYCACHEPREFIX``, nothing written into the source tree).
    With ``PYTHONDONTWRITEBYTECODE`` set, as in some shells and CI, every run
    would compile its ~100 modules again: about 1 s of CPU measured as imports."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "jixiao-bench-pycache")
    return env


def run_child(kind: str, path: Path, timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=child_env(),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _bench_templates(folder: Path, sizes: list[int]) -> None:
    """The eight templates, scaled by ``workbooks.generate``, refreshed end to end."""
    from workbooks.generate import large_template
    from workbooks.templates import REGISTRY
    from workbooks.writer import save

    for n in sizes:
        for tid in sorted(REGISTRY):
            path = folder / f"{tid}-{n}.xlsx"
            save(large_template(tid, n), path)
            r = run_child("builtin", path, timeout=900)
            print(
                f"template {tid:<15} {n:>7,}: total {r['total']:.2f} s (read {r['read']:.2f}, "
                f"calculate {r['calculate']:.2f}, write {r['write']:.2f}), {r['cells']:,} cells, "
                f"peak {r['peak_mb']:.0f} MB"
            )
            path.unlink()


def run_cli(path: Path) -> float:
    """Wall-clock seconds of ``jixiao refresh PATH`` in a fresh interpreter."""
    return _run_cli(path)[0]


def cli_cpu(path: Path, runs: int = 1) -> float:
    """CPU seconds of the whole ``jixiao refresh PATH`` process, as a user runs
    it: interpreter start-up, imports, reading, calculating, the checks of who
    is paid, writing and the report (the lowest of ``runs``, as the floors)."""
    return min(_run_cli(path)[1] for _ in range(runs))


def _run_cli(path: Path) -> tuple[float, float]:
    """``jixiao refresh PATH`` in a fresh interpreter: its wall-clock and CPU seconds."""
    out = path.with_name(path.stem + ".cli.xlsx")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from addin.cli import main; main()",
            "refresh",
            str(path),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=child_env(),
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.unlink(missing_ok=True)
    if proc.returncode not in (0, 1):  # 1: written, with error values or pay problems listed
        raise RuntimeError(
            f"jixiao refresh failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def _expected(inputs: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r, (sales, k1, k2, k3) in inputs.items():
        out[f"F{r}"] = _tiered(sales, [list(t) for t in TIERS], "超额")
        out[f"I{r}"] = round(k1 * WEIGHTS[0] + k2 * WEIGHTS[1] + k3 * WEIGHTS[2], 10)
        out[f"H{r}"] = next(g for s, g in reversed(GRADES) if sales >= s)
    return out


def bench_folder(files: int) -> int:
    """Throughput of ``jixiao refresh DIR`` on ``files`` template workbooks:
    ``--jobs 2`` against ``--scheduler local:2``; the outputs must agree."""
    import shutil

    templates = sorted((Path(__file__).resolve().parents[1] / "workbooks" / "templates").glob("*.xlsx"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="jixiao-folder-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(files):
            t = templates[i % len(templates)]
            shutil.copy(t, src / f"{i:04d}-{t.name}")
        walls: dict[str, float] = {}
        for label, extra in (("--jobs 2", ["--jobs", "2"]), ("--scheduler local:2", ["--scheduler", "local:2"])):
            out = Path(tmp) / label.split()[0].strip("-")  # jobs, scheduler
            cli = [sys.executable, "-c", "from addin.cli import main; main()"]
            cmd = [*cli, "refresh", str(src), "--out", str(out), *extra]
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            walls[label] = time.perf_counter() - t0
            if done.returncode != 0:
                print(f"{label}: exit {done.returncode}\n{done.stderr[-2000:]}")
                return 1
            print(f"{label:<20} {files} workbooks in {walls[label]:.1f} s: {files / walls[label]:.1f} workbooks/s")
        same = all(
            (Path(tmp) / "jobs" / p.name).read_bytes() == p.read_bytes()
            for p in (Path(tmp) / "scheduler").iterdir()
        )
        ratio = walls["--jobs 2"] / walls["--scheduler local:2"]
        print(f"Dask / processes throughput ratio: {ratio:.2f} (same run); outputs identical: {same}")
        return 0 if same else 1
def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return str(a) == str(b)


def bench_per_row(folder: Path, sizes: list[int], others: bool, pycel_rows: int = 10_000) -> bool:
    """The per-row workbook (standard and contract versions) at each size:
    the floor and the built-in refresh in the same run, and at 10,000 rows
    LibreOffice and pycel (``others``) where installed. Prints ratios."""
    ok = True
    ten: dict[bool, float] = {}
    for n in sizes:
        for contract in (False, True):
            label = "contract" if contract else "standard"
            path = generate_per_row(folder / f"per-row-{label}-{n}.xlsx", n, contract)
            floor = min(run_child("floor", path, timeout=600)["total"] for _ in range(2))
            r = run_child("builtin", path, timeout=1800)
            ratio = r["total"] / floor
            # the target is for 10,000 rows; larger sizes are held to growth and memory
            verdict = f" (target ≤ 1.5×: {'ok' if ratio <= 1.5 else 'MISSED'})" if n == 10_000 else ""
            print(
                f"per-row {label:<8} {n:>7,} rows: total {r['total']:.2f} s (read {r['read']:.2f}, "
                f"calculate {r['calculate']:.2f}, write {r['write']:.2f}), floor {floor:.2f} s "
                f"→ {ratio:.1f}× the floor{verdict}, peak {r['peak_mb']:.0f} MB"
            )
            if n == 10_000:
                ten[contract] = r["total"]
            elif contract in ten:
                grow = r["total"] / ten[contract]
                print(
                    f"  {n:,} / 10,000 rows: {grow:.1f}× (target ≤ 12×: "
                    f"{'ok' if grow <= 12 else 'MISSED'}); memory target < 1024 MB: "
                    f"{'ok' if r['peak_mb'] < 1024 else 'MISSED'}"
                )
            if n == 10_000 and others:
                ok = _per_row_others(path, r["total"], contract, pycel_rows) and ok
            path.unlink()
    return ok


def _per_row_others(path: Path, builtin_total: float, contract: bool, pycel_rows: int) -> bool:
    """LibreOffice (both versions) and pycel (standard functions only) on ``path``;
    pycel on ``pycel_rows`` rows when fewer than 10,000, its time scaled linearly
    (pycel's per-cell SUMIFS/COUNTIF/RANK grow quadratically: a lower bound)."""
    from refresh_libreoffice import libreoffice_line  # bench/, beside this file

    line, ok = libreoffice_line(path, builtin_total, target=10.0)
    print(f"  {line}")
    if contract:
        return ok
    try:
        import pycel  # noqa: F401
    except ImportError:
        print("  pycel: skipped (pip install pycel, or the bench extra)")
        return ok
    small = path
    if pycel_rows < 10_000:
        small = generate_per_row(path.with_name(f"per-row-pycel-{pycel_rows}.xlsx"), pycel_rows)
    p = run_child("pycel", small, timeout=7200)
    from addin.refresh.engine import calculate
    from addin.xlsx.workbook import read_workbook

    mine = calculate(read_workbook(small)).values["人员"]
    differ = [cell for cell, v in p["values"].items() if not _same(v, mine.get(from_a1_text(cell)))]
    scale = 10_000 / pycel_rows if pycel_rows < 10_000 else 1.0
    ratio = p["total"] * scale / builtin_total
    note = f", measured on {pycel_rows:,} rows × {scale:g}: a lower bound" if scale != 1 else ""
    print(
        f"  pycel: {p['total'] * scale:.2f} s evaluating only (load {p['read']:.2f}, evaluate "
        f"{p['calculate']:.2f}{note}); built-in is {ratio:.1f}× faster (target ≥ 8×: "
        f"{'ok' if ratio >= 8 else 'MISSED'}); "
        + (f"{len(differ):,} cells differ, e.g. {differ[:5]}" if differ else "all cells agree")
    )
    return ok and ratio >= 8


def from_a1_text(cell: str) -> tuple[int, int]:
    from addin.xlsx.a1 import from_a1

    return from_a1(cell)


# ---------------------------------------------------------------------------
# The targets of the column-store issue: who wrote the file, and Excel's row limit
# ---------------------------------------------------------------------------


def child_inflate(path: Path) -> dict[str, Any]:
    """The row-limit floor: inflate every part and deflate it again into a new
    package — what reading and re-zipping alone cost, with no XML parsed."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = path.with_name(path.stem + ".inflated.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            with zin.open(info) as src, zout.open(info.filename, "w", force_zip64=True) as dst:
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
    return {"total": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": _peak_mb()}


def child_refresh(path: Path) -> dict[str, Any]:
    """Refresh ``path`` as ``jixiao refresh`` does (read, calculate, write into a
    copy), stage by stage, from a fresh interpreter (imports timed apart); then,
    outside the timing, the computed 人员 columns for the independent check."""
    t0 = time.perf_counter()
    from addin.refresh.engine import calculate
    from addin.xlsx.package import gc_paused
    from addin.xlsx.workbook import read_workbook
    from addin.xlsx.writer import write_results

    t1, c1 = time.perf_counter(), time.process_time()
    with gc_paused():
        wb = read_workbook(path, formula_values=False)
        t2 = time.perf_counter()
        results = calculate(wb)
        t3 = time.perf_counter()
        del wb  # as jixiao refresh does: the read model is freed before writing
        write_results(path, results, path.with_name(path.stem + ".refreshed.xlsx"))
        t4, c4 = time.perf_counter(), time.process_time()
    peak = _peak_mb()
    people = results.values.get("人员", {})
    columns: dict[str, list[Any]] = {}
    for (_row, col), v in sorted(people.items()):
        columns.setdefault(chr(64 + col), []).append(_plain(v))
    return {
        **_phases(t0, t1, t2, t3, t4),
        "cpu": c4 - c1,
        "peak_mb": peak,
        "columns": columns,
    }


def child_libreoffice(path: Path) -> dict[str, Any]:
    """LibreOffice refreshing ``path`` (start-up not counted), its address space
    capped at 8 GB so a runaway soffice fails instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))  # inherited by soffice
    from refresh_libreoffice import time_libreoffice  # bench/, beside this file

    r = time_libreoffice(path)
    return {"total": r["total"], "startup": r["startup"], "cells": r["cells"]}


def _check(columns: dict[str, list[Any]], expected: dict[str, Any]) -> str:
    """How the engine's columns compare with the independently computed ones."""
    import numpy as np

    wrong = 0
    for col, want in expected.items():
        got = columns.get(col, [])
        if len(got) != len(want):
            return f"column {col}: {len(got):,} values, expected {len(want):,}"
        ok = [isinstance(g, float) for g in got]
        nums = np.array([g if k else np.nan for g, k in zip(got, ok, strict=True)], dtype=float)
        wrong += int(np.count_nonzero(~np.isclose(nums, want, rtol=1e-9, atol=1e-9)))
    n = len(next(iter(expected.values())))
    return "all correct" if not wrong else f"{wrong:,} of {n * len(expected):,} values WRONG"


def _best_of_two(kind: str, path: Path, timeout: float) -> tuple[float, float]:
    """A floor measured twice: the lower wall-clock and the lower CPU seconds."""
    runs = [run_child(kind, path, timeout=timeout) for _ in range(2)]
    return min(r["total"] for r in runs), min(r["cpu"] for r in runs)


def _refresh_best_of_two(path: Path, timeout: float) -> dict[str, Any]:
    """The refresh measured twice, as its floor is: the run of fewer CPU
    seconds (on this shared 2-core machine one file's CPU time ranged
    4.8-7.3 s between runs)."""
    return min((run_child("refresh", path, timeout=timeout) for _ in range(2)), key=lambda r: r["cpu"])


def _as_run(cpu: float, floor_cpu: float) -> str:
    """The ratio of the command as a user runs it (start-up and imports included)."""
    return f"as run (jixiao refresh, start-up and imports included) {cpu:.2f} s CPU → {cpu / floor_cpu:.2f}×"


def _stages(r: dict[str, Any]) -> str:
    return (
        f"{r['cpu']:6.2f} s CPU, {r['total']:.2f} s wall (read {r['read']:.2f}, calculate {r['calculate']:.2f}, "
        f"write {r['write']:.2f}; imports {r['import']:.2f} apart), peak {r['peak_mb']:,.0f} MB"
    )


def bench_targets(folder: Path, others: bool, big: int = 100_000) -> bool:
    """The four targets of the column-store issue, measured in one run:

    1. the per-row 10,000-person workbook as openpyxl, LibreOffice and Excel
       (shared formulas) write it, each within 1.5× its floor (unzip, lxml
       parse and re-serialise every sheet, re-zip — best of two);
    2. the 10,000-person / 1,048,575-row-log workbook within 2× inflating and
       re-deflating the same package, under 1 GB peak;
    3. ``big`` (100,000) per-row people (openpyxl's form) within 10× the
       10,000 time, under 500 MB peak.

    The ratios are of CPU seconds (each child's own, threads included;
    imports timed apart and not counted; refresh and floor each the lower of
    two runs), the wall-clock ones beside them, and
    the ratio of the whole ``jixiao refresh`` process as a user runs it
    (interpreter start-up, imports and the checks of who is paid included): on a shared, loaded machine wall time measures
    the neighbours as much as the work. Every computed value is checked against
    numpy. With ``others``, LibreOffice (and ``formulas`` on 1,000 rows,
    scaled) run on the same files, bounded."""

    rows: list[tuple[str, str, bool | None]] = []  # what, measured, target met
    ok = True
    forms: dict[str, Path | None] = {}
    t = time.perf_counter()
    forms["openpyxl"] = shapes.per_row_openpyxl(folder / "per-row-openpyxl.xlsx", 10_000)
    forms["LibreOffice"], why = shapes.libreoffice_copy(forms["openpyxl"])
    forms["Excel"] = shapes.per_row_excel(folder / "per-row-excel.xlsx", 10_000)
    print(f"generated the per-row forms in {time.perf_counter() - t:.0f} s")
    cli_cpu(forms["Excel"])  # not measured: fills the children's bytecode cache (child_env)
    expected = shapes.per_row_expected(shapes.per_row_data(10_000))
    ten = 0.0
    for form, path in forms.items():
        if path is None:
            rows.append((f"per-row 10,000, {form}'s form", f"not generated: {why}", None))
            ok = False
            continue
        floor, floor_cpu = _best_of_two("floor", path, timeout=600)
        r = _refresh_best_of_two(path, timeout=1800)
        ratio = r["cpu"] / floor_cpu
        as_run = cli_cpu(path, runs=2)
        if form == "openpyxl":
            ten = r["cpu"]
        check = _check(r["columns"], expected)
        met = ratio <= 1.5 and check == "all correct"
        rows.append((
            f"per-row 10,000, {form}'s form ({path.stat().st_size / 1e6:.1f} MB)",
            f"{_stages(r)}; floor {floor_cpu:.2f} s CPU → {ratio:.2f}× (≤ 1.5×; wall "
            f"{r['total']:.2f} / {floor:.2f} s = {r['total'] / floor:.2f}×); {_as_run(as_run, floor_cpu)}; "
            f"{check}",
            met,
        ))  # fmt: skip
        print(f"  {rows[-1][0]}: {rows[-1][1]}", flush=True)
        ok = ok and met
        if others and form == "openpyxl":
            rows.extend(_others_per_row(path, r["total"]))
    t = time.perf_counter()
    limit = shapes.row_limit_excel(folder / "row-limit.xlsx")
    print(f"generated the row-limit workbook in {time.perf_counter() - t:.0f} s "
          f"({limit.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip
    floor, floor_cpu = _best_of_two("inflate", limit, timeout=900)
    r = _refresh_best_of_two(limit, timeout=3600)
    check = _check(r["columns"], shapes.row_limit_expected(shapes.row_limit_data()))
    ratio = r["cpu"] / floor_cpu
    as_run = cli_cpu(limit, runs=2)
    met = ratio <= 2.0 and r["peak_mb"] < 1024 and check == "all correct"
    rows.append((
        "row limit: 10,000 people, 1,048,575-row log",
        f"{_stages(r)}; inflate+re-deflate {floor_cpu:.2f} s CPU → {ratio:.2f}× (≤ 2×, "
        f"< 1,024 MB; wall {r['total']:.2f} / {floor:.2f} s = {r['total'] / floor:.2f}×); "
        f"{_as_run(as_run, floor_cpu)}; {check}",
        met,
    ))  # fmt: skip
    print(f"  {rows[-1][0]}: {rows[-1][1]}", flush=True)
    ok = ok and met
    if others:
        rows.append(_libreoffice_row(limit, r["total"], "row limit"))
    limit.unlink()
    path = shapes.per_row_openpyxl(folder / f"per-row-openpyxl-{big}.xlsx", big)
    r = run_child("refresh", path, timeout=3600)
    check = _check(r["columns"], shapes.per_row_expected(shapes.per_row_data(big)))
    grow = r["cpu"] / ten if ten else float("inf")
    met = grow <= 10 and r["peak_mb"] < 500 and check == "all correct"
    rows.append((
        f"per-row {big:,}, openpyxl's form",
        f"{_stages(r)} → {grow:.1f}× the 10,000 CPU time (≤ 10×, < 500 MB); {check}",
        met,
    ))  # fmt: skip
    ok = ok and met
    print(f"\nTargets (load average {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores):")
    for what, measured, target in rows:
        verdict = {True: "MET", False: "MISSED", None: "—"}[target]
        print(f"  [{verdict:^6}] {what}: {measured}")
    return ok


def _others_per_row(path: Path, builtin_total: float) -> list[tuple[str, str, None]]:
    """LibreOffice and ``formulas`` on the per-row workbook (references, no target)."""

    out = [_libreoffice_row(path, builtin_total, "per-row 10,000")]
    small = shapes.per_row_openpyxl(path.with_name("per-row-formulas-1000.xlsx"), 1_000)
    try:
        fr = run_child("formulas", small, timeout=1800)
        out.append((
            "  formulas on per-row 1,000 (×10, a lower bound)",
            f"{fr['total'] * 10:.1f} s → built-in {fr['total'] * 10 / builtin_total:,.0f}× faster",
            None,
        ))  # fmt: skip
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        out.append(("  formulas on per-row 1,000", f"failed: {str(exc)[-200:]}", None))
    try:
        import pycel  # noqa: F401

        out.append(("  pycel", "see --per-row-only (pycel runs there)", None))
    except ImportError:
        out.append(("  pycel", "not installed (pip install pycel, the bench extra)", None))
    return out


def _libreoffice_row(path: Path, builtin_total: float, what: str) -> tuple[str, str, None]:
    """LibreOffice refreshing ``path`` in a bounded child: its time, or how it failed."""
    from addin.refresh.libreoffice import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return (f"  LibreOffice on {what}", f"skipped ({reason})", None)
    try:
        r = run_child("libreoffice", path, timeout=1800)
    except subprocess.TimeoutExpired:
        return (f"  LibreOffice on {what}", "did not finish within 30 min", None)
    except RuntimeError as exc:
        tail = str(exc).strip().splitlines()[-1][:160]
        return (f"  LibreOffice on {what}", f"FAILED (crashed or refused): {tail}", None)
    return (
        f"  LibreOffice on {what}",
        f"{r['total']:.1f} s (+{r['startup']:.0f} s start-up) → built-in {r['total'] / builtin_total:.0f}× faster",
        None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="formulas on fewer rows, scaled")
    parser.add_argument("--formulas-rows", type=int, default=None)
    parser.add_argument("--skip-formulas", action="store_true")
    parser.add_argument("--skip-templates", action="store_true")
    parser.add_argument("--skip-libreoffice", action="store_true")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--folder", action="store_true", help="200 workbooks: --jobs vs Dask")
    parser.add_argument("--files", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--per-row-only", action="store_true", help="only the per-row workbook")
    parser.add_argument("--skip-others", action="store_true", help="no LibreOffice, no pycel")
    parser.add_argument(
        "--pycel-rows", type=int, default=10_000, help="pycel on fewer rows, scaled (lower bound)"
    )
    parser.add_argument(
        "--targets",
        action="store_true",
        help="the column-store targets: per-row 10,000 as openpyxl, LibreOffice and Excel "
        "write it, the 1,048,575-row log, 100,000 per-row people",
    )
    parser.add_argument(
        "--others", action="store_true", help="with --targets: LibreOffice and formulas too"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path = args.child
        fn = {
            "builtin": child_builtin,
            "formulas": child_formulas,
            "floor": child_floor,
            "pycel": child_pycel,
            "refresh": child_refresh,
            "inflate": child_inflate,
            "libreoffice": child_libreoffice,
        }[kind]
        print(json.dumps(fn(Path(path)), ensure_ascii=False))
        return 0

    if args.folder:
        return bench_folder(args.files)
    if args.targets:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        with tempfile.TemporaryDirectory(prefix="jixiao-targets-") as tmp:
            return 0 if bench_targets(Path(tmp), args.others) else 1
    sizes = [int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f} at start"
        + (
            " (busy: absolute times are inflated; ratios hold)"
            if load > (os.cpu_count() or 1)
            else ""
        )
    )
    f_rows = args.formulas_rows or (1_000 if args.quick else 10_000)
    ok = True
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        folder = Path(tmp)
        ok = bench_per_row(folder, sizes, not args.skip_others, args.pycel_rows)
        if args.per_row_only:
            return 0 if ok else 1
        builtin: dict[int, dict[str, Any]] = {}
        for n in sizes:
            t = time.perf_counter()
            path = generate(folder / f"bench-{n}.xlsx", n)
            gen = time.perf_counter() - t
            r = run_child("builtin", path, timeout=600)
            builtin[n] = r
            print(
                f"built-in  {n:>7,} rows: total {r['total']:.2f} s "
                f"(read {r['read']:.2f}, calculate {r['calculate']:.2f}, write {r['write']:.2f}; "
                f"import {r['import']:.2f} not counted), {r['cells']:,} cells, "
                f"peak {r['peak_mb']:.0f} MB   [generated in {gen:.1f} s, "
                f"{path.stat().st_size / 1e6:.1f} MB]"
            )
            expected = _expected(r["inputs"])
            for cell, value in expected.items():
                got = r["sample"].get(cell)
                close = (
                    isinstance(got, float) and isinstance(value, float) and abs(got - value) < 1e-9
                )
                if not (got == value or close):
                    print(f"  ! {cell}: built-in gave {got!r}, expected {value!r}")
                    ok = False
            wall = run_cli(path)
            print(f"  jixiao refresh (new process, imports included): {wall:.2f} s wall clock")
            target = 1.5 if n <= 10_000 else 15.0 * n / 100_000
            verdict = "ok" if wall < target else "MISSED"
            print(f"  target < {target:g} s end to end: {verdict}")
            if n >= 100_000:
                print(f"  memory target < 1024 MB: {'ok' if r['peak_mb'] < 1024 else 'MISSED'}")
            if n == 10_000 and not args.skip_libreoffice:
                from refresh_libreoffice import libreoffice_line  # bench/, beside this file

                line, lo_ok = libreoffice_line(path, r["total"])
                print(f"  {line}")
                ok = ok and lo_ok
        if not args.skip_templates:
            _bench_templates(folder, sizes)
        if not args.skip_formulas:
            fpath = generate(folder / f"bench-formulas-{f_rows}.xlsx", f_rows)
            print(f"formulas  {f_rows:>7,} rows: running (this can take minutes) …", flush=True)
            fr = run_child("formulas", fpath, timeout=3600)
            same = run_child("builtin", fpath, timeout=600)
            scale = 10_000 / f_rows
            f_total = fr["total"] * scale
            note = (
                f" (measured on {f_rows:,} rows × {scale:g}, linear: a lower bound)"
                if scale != 1
                else ""
            )
            print(
                f"formulas  {f_rows:>7,} rows: total {fr['total']:.1f} s (load+compile {fr['read']:.1f}, "
                f"calculate {fr['calculate']:.1f}, write {fr['write']:.1f}), peak {fr['peak_mb']:.0f} MB"
            )
            mismatches = [
                c
                for c, v in fr["sample"].items()
                if c in same["sample"]
                and not (
                    v == same["sample"][c]
                    or (
                        isinstance(v, float)
                        and isinstance(same["sample"][c], float)
                        and abs(v - same["sample"][c]) < 1e-6
                    )
                )
            ]
            print(
                f"  values agree with the built-in engine on {len(fr['sample']) - len(mismatches)}"
                f"/{len(fr['sample'])} sampled cells"
                + (f"; differ: {mismatches}" if mismatches else "")
            )
            base = builtin.get(10_000) or same
            ratio = f_total / base["total"]
            print(
                f"ratio at 10,000 rows: formulas {f_total:.1f} s{note} / built-in {base['total']:.2f} s "
                f"= {ratio:,.0f}×  (target ≥ 200×: {_ratio_verdict(ratio, scale)})"
            )
    return 0 if ok else 1


def _ratio_verdict(ratio: float, scale: float) -> str:
    """The verdict on the ratio to ``formulas``. Scaled up from fewer rows, the
    ratio is a lower bound (``formulas`` grows faster than linearly): below the
    target it does not decide, the full 10,000-row run does."""
    if ratio >= 200:
        return "ok"
    if scale != 1:
        return "not decided by --quick (a lower bound); run without --quick"
    return "MISSED"


if __name__ == "__main__":
    sys.exit(main())
