"""Parameter tables: band tables numeric, ascending and without duplicates;
weights that add up to what the template declares; prize tables whose rank
ranges do not overlap.

Numbers are read with the kernel's own rules (:func:`udfs.inputs.number_or_error`)
and compared at the kernel's 12 significant digits, so a table the validator
passes is a table the functions accept.
"""

from __future__ import annotations

from typing import Any

from addin.validate.report import Report
from addin.validate.view import find_sheet
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.model import CellValue, Sheet, Workbook
from udfs.band_table import COMPARE_DIGITS
from udfs.errors import ExcelError
from udfs.inputs import is_blank, number_or_error
from udfs.rounding import round_sig

__all__ = ["check_tables"]


def _range(wb: Workbook, ref: str) -> tuple[Sheet, int, int, int, int] | None:
    sheet_name, _, rng = ref.rpartition("!")
    sheet = find_sheet(wb, sheet_name.strip("'"))
    if sheet is None:
        return None
    first, _, last = rng.replace("$", "").partition(":")
    (r1, c1), (r2, c2) = from_a1(first), from_a1(last or first)
    return sheet, r1, c1, r2, c2


def _number(value: CellValue) -> float | None:
    if is_blank(value):
        return None
    v = number_or_error(value, "")
    return None if isinstance(v, ExcelError) else v


def _round12(v: float) -> float:
    return float(round_sig(v, COMPARE_DIGITS))


def _check_band(report: Report, wb: Workbook, band: dict[str, Any]) -> None:
    found = _range(wb, band["range"])
    if found is None:
        return
    sheet, r1, c1, r2, c2 = found
    r2 = min(r2, sheet.max_row or r2)  # bounded by the cells present
    name = band["name"]
    _check_band_values(report, sheet, band, (r1, c1, r2, c2))
    previous: tuple[float, str] | None = None
    for r in range(r1, r2 + 1):
        cell = to_a1(r, c1)
        value = sheet.values.get((r, c1))
        if is_blank(value):
            row_blank = all(is_blank(sheet.values.get((r, c))) for c in range(c1, c1 + band.get("columns", 2)))
            if not row_blank:
                report.add(
                    "table.band-blank", sheet.name, cell,
                    f"档位表“{name}”的起点为空", f"band table {name!r}: blank start",
                )  # fmt: skip
            continue
        number = _number(value)
        if number is None:
            report.add(
                "table.band-number", sheet.name, cell,
                f"档位表“{name}”的起点不是数值：{value!r}",
                f"band table {name!r}: start is not a number: {value!r}",
            )  # fmt: skip
            continue
        v = _round12(number)
        if previous is not None:
            if v == previous[0]:
                report.add(
                    "table.band-duplicate", sheet.name, cell,
                    f"档位表“{name}”的起点 {number:g} 与 {previous[1]} 重复",
                    f"band table {name!r}: start {number:g} duplicates {previous[1]}",
                )  # fmt: skip
            elif v < previous[0]:
                report.add(
                    "table.band-order", sheet.name, cell,
                    f"档位表“{name}”未按升序排列：{number:g} 小于上一行 {previous[1]} 的起点",
                    f"band table {name!r} is not ascending: {number:g} is below the start at {previous[1]}",
                )  # fmt: skip
        previous = (v, cell)


def _numeric_columns(sheet: Sheet, band: dict[str, Any], box: tuple[int, int, int, int]) -> list[int]:
    """The band table's value columns that must hold numbers (1-based, the
    start column excluded): the spec's ``numeric_columns``, or when it has none
    every column holding at least one number."""
    r1, c1, r2, c2 = box
    if "numeric_columns" in band:
        return [int(j) for j in band["numeric_columns"] if int(j) > 1]
    width = int(band.get("columns", c2 - c1 + 1))
    return [
        j for j in range(2, width + 1)
        if any(_number(sheet.values.get((r, c1 + j - 1))) is not None
               and not isinstance(sheet.values.get((r, c1 + j - 1)), str)
               for r in range(r1, r2 + 1))
    ]  # fmt: skip


def _check_band_values(
    report: Report, sheet: Sheet, band: dict[str, Any], box: tuple[int, int, int, int]
) -> None:
    """Every numeric value column holds numbers: ``"40元"`` typed as a rate is
    text the functions cannot pay by (a blank is allowed: "the rate argument")."""
    r1, c1, r2, _ = box
    name = band["name"]
    for j in _numeric_columns(sheet, band, box):
        for r in range(r1, r2 + 1):
            value = sheet.values.get((r, c1 + j - 1))
            if is_blank(value) or (r, c1 + j - 1) in sheet.formulas:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                report.add(
                    "table.band-value", sheet.name, to_a1(r, c1 + j - 1),
                    f"档位表“{name}”第 {j} 列应为数值，实为 {value!r}（只填数字，单位写在表头）",
                    f"band table {name!r}: column {j} must hold numbers, found {value!r} "
                    "(type the number only; the unit belongs in the header)",
                )  # fmt: skip


def _check_weights(report: Report, wb: Workbook, group: dict[str, Any]) -> None:
    found = _range(wb, group["range"])
    if found is None:
        return
    sheet, r1, c1, r2, c2 = found
    total = 0.0
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            value = sheet.values.get((r, c))
            if isinstance(value, str) and _number(value) is None:
                continue  # a label beside the weights
            number = _number(value)
            if number is not None:
                total += number
    want = float(group["total"])
    if _round12(total) != _round12(want):
        report.add(
            "table.weights", sheet.name, to_a1(r1, c1),
            f"权重“{group['name']}”合计 {total:g}，模板规定应为 {want:g}",
            f"weights {group['name']!r} add up to {total:g}; the template says {want:g}",
        )  # fmt: skip


def _check_prizes(report: Report, wb: Workbook, table: dict[str, Any]) -> None:
    found = _range(wb, table["range"])
    if found is None:
        return
    sheet, r1, c1, r2, _ = found
    name = table["name"]
    spans: list[tuple[int, int, str]] = []
    for r in range(r1, r2 + 1):
        cells = [sheet.values.get((r, c1 + k)) for k in range(3)]
        if all(is_blank(v) for v in cells):
            continue
        lo, hi = _number(cells[0]), _number(cells[1])
        cell = to_a1(r, c1)
        if lo is None or hi is None or lo != int(lo) or hi != int(hi) or lo < 1 or lo > hi:
            report.add(
                "table.prize-ranks", sheet.name, cell,
                f"奖项表“{name}”的名次 {cells[0]!r}–{cells[1]!r} 无效（应为从小到大的正整数）",
                f"prize table {name!r}: ranks {cells[0]!r}-{cells[1]!r} are not whole numbers from ≤ to",
            )  # fmt: skip
            continue
        if _number(cells[2]) is None:
            report.add(
                "table.prize-amount", sheet.name, to_a1(r, c1 + 2),
                f"奖项表“{name}”的奖金不是数值：{cells[2]!r}",
                f"prize table {name!r}: amount is not a number: {cells[2]!r}",
            )  # fmt: skip
        for a, b, other in spans:
            if lo <= b and a <= hi:
                report.add(
                    "table.prize-overlap", sheet.name, cell,
                    f"奖项表“{name}”的名次 {lo:g}–{hi:g} 与 {other} 的 {a}–{b} 重叠",
                    f"prize table {name!r}: ranks {lo:g}-{hi:g} overlap {a}-{b} at {other}",
                )  # fmt: skip
        spans.append((int(lo), int(hi), cell))


def check_tables(report: Report, wb: Workbook, spec: dict[str, Any]) -> None:
    """Band tables, weight groups and prize tables declared by the template."""
    for band in spec.get("band_tables", []):
        _check_band(report, wb, band)
    for group in spec.get("weight_groups", []):
        _check_weights(report, wb, group)
    for table in spec.get("prize_tables", []):
        _check_prizes(report, wb, table)
