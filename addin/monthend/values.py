"""A workbook's computed values as a reader sees them: the values cached in
the file, recalculated by the built-in engine when a formula cell has none
(a workbook saved by openpyxl, or never opened in Excel).

工作簿的计算结果：优先使用文件中缓存的值；公式单元格缺少缓存值时用内置引擎重算。
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from addin.summary import EXIT_NOT_WRITTEN, echo_repairs
from addin.xlsx.a1 import parse_range
from addin.xlsx.columns import CellValues
from addin.xlsx.model import (
    CellValue,
    Coord,
    RefreshError,
    Sheet,
    UnreadableWorkbookError,
    Workbook,
)
from addin.xlsx.recalculated import Recalculated
from udfs.errors import ExcelError

__all__ = ["EXIT_UNREADABLE", "Loaded", "formula_cells", "formula_columns", "load", "plain", "readable_or_exit"]

#: exit code of ``jixiao diff`` / ``jixiao explain`` when a file cannot be read
EXIT_UNREADABLE = EXIT_NOT_WRITTEN  # the file could not be read: nothing done


@dataclass
class Loaded:
    """A workbook, its template id (if any) and whether it was recalculated."""

    path: Path
    workbook: Workbook
    template_id: str | None
    recalculated: bool

    def value(self, sheet: str, coord: Coord) -> CellValue:
        """The value of one cell (``None`` for a blank)."""
        return self.workbook.sheet(sheet).values.get(coord)


def formula_cells(workbook: Workbook, sheet: str) -> set[Coord]:
    """Cells of ``sheet`` holding a formula result: every formula anchor and
    every cell of an array formula's or dynamic array's range."""
    s = workbook.sheet(sheet)
    cells = set(s.formulas)
    for (row, col), f in s.formulas.items():
        if f.ref:
            (r1, c1), (r2, c2) = parse_range(f.ref)
            cells.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        cells.add((row, col))
    return cells


def formula_columns(workbook: Workbook, sheet: str) -> dict[int, int]:
    """The columns of :func:`formula_cells`, each with its first row: from the
    sheet's single formulas (and the ranges they fill) and its runs of a
    formula filled down, without a coordinate per cell."""
    s = workbook.sheet(sheet)
    out: dict[int, int] = {}

    def add(row: int, col: int) -> None:
        if out.get(col, row + 1) > row:
            out[col] = row

    for (row, col), f in s.formulas.singles().items():
        add(row, col)
        if f.ref:
            (r1, c1), (r2, c2) = parse_range(f.ref)
            for c in range(c1, c2 + 1) if r2 >= r1 else ():
                add(r1, c)
    for run in s.formulas.runs():
        add(run.row, run.col)
    return out


def load(path: str | Path, *, recalculate: bool | None = None, by_column: bool = False) -> Loaded:
    """Read ``path``; recalculate when a formula cell has no cached value
    (``recalculate=True`` forces it, ``False`` never does).

    Each sheet's values are one plain dict, for looking cells up one at a
    time (explain, slips); with ``by_column`` they stay the file's columns
    with the engine's results over them (:class:`Recalculated`), for reading
    a column at many rows (:func:`addin.xlsx.recalculated.column_values`,
    diff) without a dict of every cell.

    Raises :class:`~addin.xlsx.model.UnreadableWorkbookError` for a file that
    cannot be read, and the engine's errors when a needed recalculation fails.
    """
    from addin.validate.view import load_view

    view = load_view(Path(path))
    wb = view.workbook
    echo_repairs(path, wb.repairs)
    if recalculate is None:
        recalculate = any(coord not in _cached(s) for s in wb.sheets for coord in s.formulas)
    if recalculate:
        from addin.refresh.deep_stack import with_deep_stack
        from addin.refresh.engine import calculate

        results = with_deep_stack(lambda: calculate(wb))  # formulas as deep as Excel allows
        for s in wb.sheets:
            got = results.values.get(s.name)
            if got:
                s.values = Recalculated(s.values, got)
    if not by_column:
        for s in wb.sheets:
            # explain and slips look cells up one at a time, millions of times
            # on a big sheet: a plain dict (made after the engine read the columns)
            if isinstance(s.values, CellValues | Recalculated):
                s.values = s.values.merged()
    return Loaded(Path(path), wb, view.template_id, bool(recalculate))


def _cached(sheet: Sheet) -> Mapping[Coord, CellValue]:
    """Where a formula cell's cached value is: the cells the reader decoded one
    by one (its value columns hold constants only), without merging the two."""
    values = sheet.values
    if isinstance(values, CellValues) and values.columns is not None:
        return values.cells
    return values


@contextmanager
def readable_or_exit(*paths: Path) -> Iterator[None]:
    """For a command: a missing file, an unreadable one, or one whose missing
    values cannot be recalculated ends the command with a message naming it and
    exit 2 (never a traceback)."""
    for path in paths:
        if not path.is_file():
            click.echo(f"找不到文件 {path} / no such file: {path}", err=True)
            sys.exit(EXIT_UNREADABLE)
    try:
        yield
    except UnreadableWorkbookError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_UNREADABLE)
    except RefreshError as exc:  # values missing and the recalculation refused
        click.echo(f"缺少缓存值且无法重算 / no cached values and cannot recalculate: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)


def plain(v: CellValue) -> float | str | bool | None:
    """A cell value for JSON and reports (errors as their text)."""
    if isinstance(v, ExcelError):
        return str(v)
    return v
