"""Rows beyond what the formulas read: data a clerk typed below the last row of
a defined name, an Excel table or a fixed range a formula reads (a spill
anchor's ``$D$4:$D$35``) is never calculated — those people are silently not
paid, refresh exits 0.

An area is a rectangle with a fixed bottom row (names, tables, absolute-bottom
ranges in formulas); the rows found are the ones right below it that hold a
typed value in its columns, up to the first empty row (so the next table of a
parameter sheet, after its blank separator row, is not taken for more data) or
to a totals row (a formula in it adds up the area above).
Whole-column ranges (``$A:$A``) have no rows beyond them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from addin.validate.report import Report
from addin.validate.view import find_sheet, name_ref, present_cells
from addin.xlsx.a1 import to_a1
from addin.xlsx.formula import (
    MAX_ROW,
    Binary,
    FormulaSyntaxError,
    Func,
    Intersect,
    Name,
    Node,
    Percent,
    RangeOp,
    Ref,
    Unary,
    Union,
    digitless,
    parse,
)
from addin.xlsx.model import Sheet, Workbook
from udfs.inputs import is_blank

__all__ = ["check_extents", "iter_refs"]


_FIXED_ROW = re.compile(r"\$\d+")


@dataclass(frozen=True)
class _Area:
    sheet: str
    top: int
    left: int
    bottom: int
    right: int


def _leaves(node: Node) -> Iterator[Ref | Name]:
    """Every reference and name of a parsed formula (what it reads)."""
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Ref | Name):
            yield cur
        elif isinstance(cur, Func):
            stack.extend(cur.args)
        elif isinstance(cur, Unary | Percent):
            stack.append(cur.operand)
        elif isinstance(cur, Binary | RangeOp | Intersect):
            stack.extend((cur.left, cur.right))
        elif isinstance(cur, Union):
            stack.extend(cur.items)


def iter_refs(node: Node) -> Iterator[Ref]:
    """Every cell or range reference in a parsed formula."""
    return (n for n in _leaves(node) if isinstance(n, Ref))


def _area(ref: Ref, sheet: str) -> _Area | None:
    """The rectangle of a multi-row range with a fixed bottom, else ``None``."""
    if not ref.rows or ref.bottom <= ref.top or ref.bottom >= MAX_ROW:
        return None
    return _Area(ref.sheet or sheet, ref.top, ref.left, ref.bottom, ref.right)


def _areas(wb: Workbook) -> dict[_Area, list[tuple[str, str]]]:
    """Every fixed-extent area the workbook reads → what reads it (names first)."""
    out: dict[_Area, list[tuple[str, str]]] = {}
    for dn in wb.names:
        try:
            node = parse(dn.text)
        except FormulaSyntaxError:
            continue
        if isinstance(node, Ref) and node.sheet and (a := _area(node, node.sheet)):
            out.setdefault(a, []).append((f"“{dn.name}”", repr(dn.name)))
    for t in wb.tables:
        if t.totals_rows == 0 and t.last[0] > t.first[0]:
            a = _Area(t.sheet, t.first[0], t.first[1], t.last[0], t.last[1])
            out.setdefault(a, []).append((f"“{t.name}”", repr(t.name)))
    for sheet in wb.sheets:
        seen: set[object] = set()
        for coord, formula, _rows in sheet.formulas.spans():  # a run's cells read alike
            # a fixed bottom is written with "$": a formula without one reads
            # no such area; a filled-down column is read once (its formulas
            # differ only in their relative row numbers, not in the "$" rows)
            group = formula.group
            text = group.text if group is not None else formula.text
            if "$" not in text:
                continue
            key = id(group) if group is not None else (digitless(text), *_FIXED_ROW.findall(text))
            if key in seen:
                continue
            seen.add(key)
            try:
                tree = parse(text)
            except FormulaSyntaxError:
                continue  # the formula checks report it
            for ref in iter_refs(tree):
                if ref.abs_bottom and (a := _area(ref, sheet.name)) and a not in out:
                    rng = f"{to_a1(a.top, a.left)}:{to_a1(a.bottom, a.right)}"
                    at = f"{sheet.name}!{to_a1(*coord)}"
                    out[a] = [(f"{at} 读取的 {rng}", f"{rng} read by {at}")]
    return out


def _typed_row(sheet: Sheet, row: int, left: int, right: int) -> bool:
    return any(
        coord not in sheet.formulas and not is_blank(sheet.values.get(coord))
        for coord in present_cells(sheet, row, left, row, right)
    )


def _totals_row(wb: Workbook, sheet: Sheet, row: int, area: _Area) -> bool:
    """Whether a formula of the row adds up the area above it (a 合计 row):
    it reads the area's rows, by range or by name."""
    for coord in present_cells(sheet, row, 1, row, sheet.max_col or area.right):
        formula = sheet.formulas.get(coord)
        if formula is None:
            continue
        try:
            tree = parse(formula.text)
        except FormulaSyntaxError:
            continue
        refs = [r for n in _leaves(tree) if (r := n if isinstance(n, Ref) else name_ref(wb, n.name)) is not None]
        if any(r.rows and r.top <= area.top and r.bottom >= area.bottom - 1 and r.bottom < row for r in refs):
            return True
    return False


def _rows_below(wb: Workbook, sheet: Sheet, area: _Area) -> tuple[int, int] | None:
    row = area.bottom + 1
    while _typed_row(sheet, row, area.left, area.right) and not _totals_row(wb, sheet, row, area):
        row += 1
    return (area.bottom + 1, row - 1) if row > area.bottom + 1 else None


def check_extents(report: Report, wb: Workbook) -> None:
    """Report rows typed right below a name, table or fixed range, once per
    sheet and block of rows, with the fix."""
    found: dict[tuple[str, int, int], tuple[_Area, list[tuple[str, str]]]] = {}
    for area, readers in _areas(wb).items():
        sheet = find_sheet(wb, area.sheet)
        if sheet is None:
            continue
        rows = _rows_below(wb, sheet, area)
        if rows is None:
            continue
        key = (sheet.name, *rows)
        if key in found:
            found[key][1].extend(readers)
        else:
            found[key] = (area, list(readers))
    for (sheet_name, first, last), (area, readers) in found.items():
        span = f"{first}" if first == last else f"{first}–{last}"
        who = "、".join(dict.fromkeys(zh for zh, _ in readers))
        who_en = ", ".join(dict.fromkeys(en for _, en in readers))
        report.add(
            "extent.beyond-range", sheet_name, to_a1(first, area.left),
            f"“{sheet_name}”第 {span} 行在 {who} 的范围（第 {area.top}–{area.bottom} 行）之外，"
            f"公式读不到这些行：写在这里的人员不会被计算（不发奖金），档位不会被用到。修正：在第 {area.bottom} 行之前插入行再填入"
            f"（名称与公式随之扩展），或在“公式 → 名称管理器”中把这些名称延长到第 {last} 行",
            f"rows {span} of {sheet_name} are outside {who_en} (rows {area.top}-{area.bottom}): no formula "
            f"reads them: people there will not be paid, bands there not used. Fix: insert rows above row {area.bottom} and fill "
            f"them in (names and formulas grow with them), or extend the names to row {last} in "
            "Formulas > Name Manager",
        )  # fmt: skip
