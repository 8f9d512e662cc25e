"""Proof that a rewrite ``jixiao lint`` proposes pays what the hand-written
formula pays: both are computed by the refresh engine, side by side, before
the rewrite is offered.

For each :class:`Candidate` (a formula, the nested ``IF`` in it and the
``BAND``/``TIERED`` call with its band table that would replace it) a scratch
sheet receives, in five columns:

1. the value tested (``x``): in the rows of the column's own cells, ``x`` as
   those cells read it (a filled-down formula, so a 100,000-row column is one
   block for the engine); below them the probes of :func:`probes` — every
   threshold, ±0.01 and ±1 around it, the middle between two thresholds, 0 and
   half the first threshold, twice the last;
2. the hand-written formula with ``x`` read from column 1;
3. the rewrite with ``x`` read from column 1 and its table from columns 4–5;
4. – 5. the band table: starts, and the value or rate of each band (a formula
   where the chain had one, so a name or a parameter cell is read as the
   formula reads it).

One :func:`~addin.refresh.engine.calculate` of the workbook with that sheet
computes every candidate (if the workbook itself cannot be calculated — a
function the engine lacks, a cycle — its formula cells are taken at their
cached values and only the scratch sheet is computed). A candidate passes
when columns 2 and 3 agree on every row (:func:`same`: numbers to Excel's 15
significant digits, text, logicals and error values exactly); otherwise its
:class:`Verdict` names the first ``x`` where they differ and both values.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from addin.maintain.explain import unparse
from addin.xlsx.formula import Binary, Func, Node, Number, Percent, Ref, Text, Unary, parse
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.model import (
    CellValue,
    Coord,
    Formula,
    RefreshError,
    Results,
    Sheet,
    SheetFormulas,
    Workbook,
)
from udfs.errors import ExcelError

__all__ = ["Candidate", "Verdict", "probes", "prove", "replace", "same"]

SCRATCH = "__jixiao_lint__"
_COLUMNS = 5  # x, formula, rewrite, table starts, table values


@dataclass(frozen=True)
class Candidate:
    """A rewrite to prove.

    ``tree`` is the formula of ``cells[0]`` on ``sheet``; ``chain`` the
    sub-tree (by identity) that ``call(table)`` replaces; ``x`` the text of
    the value the chain tests; ``table`` the band starts with the value (or
    rate) node of each band; ``thresholds`` the numbers the chain compares
    ``x`` with.
    """

    sheet: str
    cells: tuple[Coord, ...]
    tree: Node
    chain: Node
    x: str
    call: Callable[[Node], Node]
    table: tuple[tuple[float, Node], ...]
    thresholds: tuple[float, ...]

    def rewritten(self, table: Node) -> Node:
        """The whole formula with the chain replaced, reading ``table``."""
        new = self.call(table)
        return replace(self.tree, lambda n: new if n is self.chain else None)


@dataclass(frozen=True)
class Verdict:
    """The outcome for one candidate: ``ok``, how many values were compared,
    and where they first differ (``x``, the formula's and the rewrite's
    values) or why nothing could be computed (``error``)."""

    ok: bool
    compared: int = 0
    x: CellValue = None
    formula: CellValue = None
    rewrite: CellValue = None
    error: str | None = None


def replace(node: Node, fn: Callable[[Node], Node | None]) -> Node:
    """``node`` rebuilt with every sub-tree for which ``fn`` returns a node
    replaced by it (outermost first; a replacement is not searched again)."""
    new = fn(node)
    if new is not None:
        return new
    if isinstance(node, Func):
        return Func(node.name, tuple(replace(a, fn) for a in node.args))
    if isinstance(node, Binary):
        return Binary(node.op, replace(node.left, fn), replace(node.right, fn))
    if isinstance(node, Unary):
        return Unary(node.op, replace(node.operand, fn))
    if isinstance(node, Percent):
        return Percent(replace(node.operand, fn))
    return node


def probes(thresholds: Sequence[float]) -> list[float]:
    """The values of ``x`` tried beside the column's own: each threshold and
    ±0.01, ±1 around it, the middle between neighbours, 0 and half the first
    threshold when it is positive, twice the last (or 10 past it).

    >>> probes([5, 10])
    [0.0, 2.5, 4.0, 4.99, 5.0, 5.01, 6.0, 7.5, 9.0, 9.99, 10.0, 10.01, 11.0, 20.0]
    """
    ts = sorted(set(thresholds))
    out: set[float] = set()
    for t in ts:
        out.update((t - 1, t - 0.01, t, t + 0.01, t + 1))
    out.update((a + b) / 2 for a, b in itertools.pairwise(ts))
    if ts[0] > 0:
        out.update((0.0, ts[0] / 2))
    out.add(ts[-1] * 2 if ts[-1] > 0 else ts[-1] + 10)
    return sorted({round(float(v), 10) for v in out})


def same(a: CellValue, b: CellValue) -> bool:
    """Whether two computed values pay the same: numbers equal to Excel's 15
    significant digits (a blank counts as 0), anything else exactly."""
    a = 0.0 if a is None else a
    b = 0.0 if b is None else b
    if isinstance(a, float) and isinstance(b, float):
        return float(f"{a:.15g}") == float(f"{b:.15g}")
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return isinstance(a, ExcelError) and isinstance(b, ExcelError) and a.code == b.code
    return type(a) is type(b) and a == b


def _with_x(node: Node, x: str, probe: Ref) -> Node:
    return replace(node, lambda n: probe if unparse(n, None) == x else None)


def _lay_out(scratch: Sheet, c: Candidate, base: int) -> list[int] | None:
    """Write candidate ``c`` into columns ``base+1 …`` of ``scratch``; the rows
    compared, or ``None`` when a formula cannot be written out."""
    r0 = c.cells[0][0]
    table = Ref(SCRATCH, 1, base + 4, len(c.table), base + 5, True, True, True, True, is_cell=False)
    x_home = unparse(parse(c.x), c.sheet)
    rows: list[int] = []
    for i, (start, value) in enumerate(c.table, start=1):
        scratch.values[(i, base + 4)] = float(start)
        if isinstance(value, Number):
            scratch.values[(i, base + 5)] = float(value.value)
        elif isinstance(value, Text):
            scratch.values[(i, base + 5)] = value.value
        else:
            text = unparse(value, c.sheet)
            if text is None:
                return None
            scratch.formulas[(i, base + 5)] = Formula(text)

    def texts(probe: Ref) -> tuple[str, str] | None:
        original = unparse(_with_x(c.tree, c.x, probe), c.sheet)
        rewrite = unparse(_with_x(c.rewritten(table), c.x, probe), c.sheet)
        return None if original is None or rewrite is None else (original, rewrite)

    own = texts(Ref(SCRATCH, r0, base + 1, r0, base + 1))
    if own is None or x_home is None:
        return None
    for r, _col in c.cells:
        dr = r - r0
        scratch.formulas[(r, base + 1)] = Formula(shift_formula(x_home, dr, 0))
        scratch.formulas[(r, base + 2)] = Formula(shift_formula(own[0], dr, 0))
        scratch.formulas[(r, base + 3)] = Formula(shift_formula(own[1], dr, 0))
        rows.append(r)
    row = max(max(r for r, _ in c.cells), len(c.table))
    for v in probes(c.thresholds):
        row += 1
        pair = texts(Ref(SCRATCH, row, base + 1, row, base + 1, True, True, True, True))
        if pair is None:
            return None
        scratch.values[(row, base + 1)] = v
        scratch.formulas[(row, base + 2)] = Formula(pair[0])
        scratch.formulas[(row, base + 3)] = Formula(pair[1])
        rows.append(row)
    return rows


def _values_only(wb: Workbook) -> Workbook:
    """``wb`` with its formula cells taken at their cached values."""
    sheets = [
        Sheet(s.name, dict(s.values), SheetFormulas(), s.max_row, s.max_col, s.hidden_rows, s.filtered_rows) for s in wb.sheets
    ]
    return Workbook(sheets, list(wb.names), list(wb.tables), wb.date1904, list(wb.external_links))


def _calculate(wb: Workbook, scratch: Sheet) -> Results | str:
    from addin.refresh.engine import calculate

    error = ""
    for book in (wb, _values_only(wb)):
        book.sheets.append(scratch)
        try:
            return calculate(book)
        except (RefreshError, RecursionError) as exc:
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        finally:
            book.sheets.remove(scratch)
    return error


def prove(wb: Workbook, candidates: Sequence[Candidate]) -> list[Verdict]:
    """A verdict per candidate, all computed in one calculation of ``wb``
    (left as it was found)."""
    scratch = Sheet(SCRATCH)
    layout: list[list[int] | None] = []
    for j, c in enumerate(candidates):
        layout.append(_lay_out(scratch, c, j * _COLUMNS))
    if not any(rows for rows in layout):
        return [Verdict(False, error="公式无法改写成文本 / the formula cannot be written out") for _ in candidates]
    scratch.max_row = max(r for r, _ in (*scratch.values, *scratch.formulas))
    scratch.max_col = len(candidates) * _COLUMNS
    results = _calculate(wb, scratch)
    if isinstance(results, str):
        return [Verdict(False, error=results) for _ in candidates]
    got = results.values.get(SCRATCH, {})
    out = []
    for j, rows in enumerate(layout):
        if rows is None:
            out.append(Verdict(False, error="公式无法改写成文本 / the formula cannot be written out"))
            continue
        base = j * _COLUMNS
        bad = next((r for r in rows if not same(got.get((r, base + 2)), got.get((r, base + 3)))), None)
        if bad is None:
            out.append(Verdict(True, len(rows)))
        else:
            x = got.get((bad, base + 1), scratch.values.get((bad, base + 1)))
            out.append(Verdict(False, len(rows), x, got.get((bad, base + 2)), got.get((bad, base + 3))))
    return out
