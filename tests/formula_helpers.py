"""Formulas computed by the engine on small workbooks, for the function tests
(test_excel_families and the test_fn_* modules that mirror
addin/refresh/functions/)."""

from __future__ import annotations

from typing import Any

import pytest

from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.excel_names import add_prefixes
from addin.xlsx.model import Formula, Sheet, Workbook
from udfs.errors import ExcelError

Cells = dict[str, Any]


def sheet(name: str, cells: Cells) -> Sheet:
    """A sheet from ``{"A1": value, "B1": "=formula", "C1": Formula(...)}``,
    the formulas stored as Excel stores what one types (newer functions with
    their ``_xlfn.`` prefix: without it Excel, and the engine, answer #NAME?)."""
    sh = Sheet(name)
    for a1, v in cells.items():
        if isinstance(v, Formula):
            sh.formulas[from_a1(a1)] = Formula(add_prefixes(v.text), v.kind, v.ref)
        elif isinstance(v, str) and v.startswith("="):
            sh.formulas[from_a1(a1)] = Formula(add_prefixes(v[1:]))
        else:
            sh.values[from_a1(a1)] = float(v) if type(v) is int else v
    return sh


def calc(cells: Cells, *, others: dict[str, Cells] | None = None, **kw: Any) -> dict[str, Any]:
    """Computed values of sheet S by A1 address (other sheets after it)."""
    sheets = [sheet("S", cells)] + [sheet(n, c) for n, c in (others or {}).items()]
    res = calculate(Workbook(sheets, **kw))
    return {to_a1(*c): v for c, v in res.values.get("S", {}).items()}


def one(formula: str, **cells: Any) -> Any:
    """The value of ``formula`` (in Z1) over the given cells."""
    return calc({**cells, "Z1": "=" + formula})["Z1"]


def E(code: str) -> ExcelError:
    """An Excel error value."""
    return ExcelError(code)


def approx(x: float) -> Any:
    """A number to Excel's display precision."""
    return pytest.approx(x, rel=1e-9, abs=1e-12)
