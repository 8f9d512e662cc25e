"""Input columns: values match the column's kind (number, whole number, date,
choice …) and its data validation list; required cells are not blank.

The rows checked are the template's data rows, extended down to the last row a
clerk filled in; rows after the last filled row are not people and are not
reported.
"""

from __future__ import annotations

from typing import Any

from addin.validate.report import Report
from addin.validate.view import DataValidation, WorkbookView, find_sheet, present_cells
from addin.xlsx.a1 import col_number, from_a1, to_a1
from addin.xlsx.formula import FormulaSyntaxError, Name, Ref, parse
from addin.xlsx.model import CellValue, Sheet, Workbook
from udfs.errors import ExcelError
from udfs.inputs import is_blank

__all__ = ["check_inputs", "check_required"]

_NUMERIC = {"number", "int", "money", "percent", "date"}
_KIND_ZH = {
    "number": "数值", "int": "整数", "money": "金额", "percent": "百分比",
    "date": "日期", "text": "文本", "choice": "选项",
}  # fmt: skip


def _range_values(wb: Workbook, node: object, sheet: str) -> list[str] | None:
    """The texts in the range a list validation or choice name points at."""
    if isinstance(node, Name):
        for dn in wb.names:
            if dn.name.casefold() == node.name.casefold():
                try:
                    return _range_values(wb, parse(dn.text), sheet)
                except FormulaSyntaxError:
                    return None
        return None
    if isinstance(node, Ref):
        target = find_sheet(wb, node.sheet or sheet)
        if target is None:
            return None
        return [
            str(v).strip()
            for coord in present_cells(target, node.top, node.left, node.bottom, node.right)
            if not is_blank(v := target.values.get(coord))
        ]
    return None


def _allowed(wb: Workbook, sheet: str, formula1: str) -> list[str] | None:
    """The allowed values of a list validation (``"是,否"`` or a range/name)."""
    text = formula1.strip()
    if text.startswith('"') and text.endswith('"'):
        return [p.strip() for p in text[1:-1].split(",")]
    try:
        return _range_values(wb, parse(text), sheet)
    except FormulaSyntaxError:
        return None


def _kind_problem(kind: str, value: CellValue) -> bool:
    """Whether ``value`` is wrong for a column of ``kind``."""
    if kind in _NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        return kind == "int" and float(value) != int(value)
    return False


def _data_extent(sheet: Sheet, cols: list[int], last: int) -> int:
    """The last data row: the spec's ``last_row``, or further down while the
    rows right below hold values in the columns (people a clerk added; what
    follows the first empty row is another table, not more people)."""
    while any(not is_blank(sheet.values.get((last + 1, c))) for c in cols):
        last += 1
    return last


def _check_value(
    report: Report, sheet: Sheet, coord: tuple[int, int], entry: dict[str, Any],
    allowed: list[str] | None,
) -> None:  # fmt: skip
    cell = to_a1(*coord)
    value = sheet.values.get(coord)
    header = entry.get("header") or cell
    if coord in sheet.formulas:
        return  # a formula in an input cell is the clerk's choice; results are checked elsewhere
    if is_blank(value):
        if entry.get("required", True):
            report.add(
                "input.blank", sheet.name, cell,
                f"“{header}”为必填项，此处为空",
                f"{header!r} is required but blank",
            )  # fmt: skip
        return
    if isinstance(value, ExcelError):
        report.add(
            "input.error", sheet.name, cell,
            f"“{header}”含错误值 {value}", f"{header!r} holds the error {value}",
        )  # fmt: skip
        return
    kind = entry.get("kind", "text")
    if _kind_problem(kind, value):
        zh = _KIND_ZH.get(kind, kind)
        extra = "（以文本形式存储的数字）" if isinstance(value, str) and _looks_numeric(value) else ""
        extra_en = " (a number stored as text)" if extra else ""
        report.add(
            "input.kind", sheet.name, cell,
            f"“{header}”应为{zh}，实为 {value!r}{extra}",
            f"{header!r} should be a {kind}, found {value!r}{extra_en}",
        )  # fmt: skip
        return
    if allowed is not None and str(value).strip() not in allowed:
        report.add(
            "input.choice", sheet.name, cell,
            f"“{header}”的值“{value}”不在允许的选项中：{'、'.join(allowed)}",
            f"{header!r}: {value!r} is not one of the allowed values: {', '.join(allowed)}",
        )  # fmt: skip


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").strip().rstrip("%"))
    except ValueError:
        return False
    return True


def _choices(wb: Workbook, sheet: str, entry: dict[str, Any]) -> list[str] | None:
    if entry.get("choices"):
        return [str(c) for c in entry["choices"]]
    if entry.get("choices_name"):
        return _range_values(wb, Name(entry["choices_name"]), sheet)
    return None


def check_inputs(report: Report, view: WorkbookView, spec: dict[str, Any], missing: set[str]) -> None:
    """Input columns and input cells declared by the template, then every list
    validation in the workbook."""
    wb = view.workbook
    by_sheet: dict[str, list[dict[str, Any]]] = {}
    for entry in spec.get("inputs", []):
        by_sheet.setdefault(entry["sheet"], []).append(entry)
    checked: set[tuple[str, int, int]] = set()
    for sheet_name, entries in by_sheet.items():
        if sheet_name in missing:
            continue
        sheet = find_sheet(wb, sheet_name)
        if sheet is None:
            continue
        columns = [e for e in entries if "column" in e]
        if columns:
            cols = [col_number(e["column"]) for e in columns]
            first = min(int(e["first_row"]) for e in columns)
            last = _data_extent(sheet, cols, max(int(e.get("last_row") or first - 1) for e in columns))
            for entry, col in zip(columns, cols, strict=True):
                allowed = _choices(wb, sheet_name, entry)
                for row in range(int(entry["first_row"]), last + 1):
                    _check_value(report, sheet, (row, col), entry, allowed)
                    checked.add((sheet_name, row, col))
        for entry in entries:
            if "cell" in entry:
                coord = from_a1(entry["cell"])
                _check_value(report, sheet, coord, entry, _choices(wb, sheet_name, entry))
                checked.add((sheet_name, *coord))
    _check_list_validations(report, view, checked)


def check_required(report: Report, wb: Workbook, spec: dict[str, Any]) -> None:
    """Required input columns left blank in a row that holds a person (another
    input of the row is filled): what ``jixiao refresh`` checks before it can
    say ✓ — a blank 户数 or 销售额 pays that person as if it were 0."""
    by_sheet: dict[str, list[dict[str, Any]]] = {}
    for entry in spec.get("inputs", []):
        if "column" in entry:
            by_sheet.setdefault(entry["sheet"], []).append(entry)
    for sheet_name, columns in by_sheet.items():
        sheet = find_sheet(wb, sheet_name)
        if sheet is None:
            continue
        cols = [col_number(e["column"]) for e in columns]
        first = min(int(e["first_row"]) for e in columns)
        last = _data_extent(sheet, cols, max(int(e.get("last_row") or first - 1) for e in columns))
        required = [(e, c) for e, c in zip(columns, cols, strict=True) if e.get("required", True)]
        for row in range(first, last + 1):
            filled = [sheet.values.get((row, c)) for c in cols if not is_blank(sheet.values.get((row, c)))]
            if not filled:
                continue  # an empty row is nobody
            who = " ".join(str(v) for v in filled if isinstance(v, str))[:40] or f"第 {row} 行"
            for entry, col in required:
                coord = (row, col)
                if row < int(entry["first_row"]) or coord in sheet.formulas or not is_blank(sheet.values.get(coord)):
                    continue
                header = entry.get("header") or to_a1(*coord)
                report.add(
                    "input.blank", sheet.name, to_a1(*coord),
                    f"“{header}”为必填项，这一行（{who}）却是空的：按空白计算，这个人会少发或不发。修正：填入后再刷新",
                    f"{header!r} is required but blank in this row ({who}): computed as blank, this person is "
                    "underpaid or not paid. Fix: fill it in and refresh again",
                )  # fmt: skip


def _check_list_validations(
    report: Report, view: WorkbookView, checked: set[tuple[str, int, int]]
) -> None:
    """Cells under a list validation hold one of its values (pasting bypasses
    Excel's own check)."""
    wb = view.workbook
    for sheet_name, validations in view.validations.items():
        sheet = find_sheet(wb, sheet_name)
        if sheet is None:
            continue
        lists: list[tuple[DataValidation, list[str]]] = []
        for dv in validations:
            if dv.type == "list":
                allowed = _allowed(wb, sheet_name, dv.formula1)
                if allowed is not None:
                    lists.append((dv, allowed))
        if not lists:
            continue
        for coord, value in sheet.values.items():
            if (sheet_name, *coord) in checked or coord in sheet.formulas or is_blank(value):
                continue
            for dv, allowed in lists:
                if dv.covers(coord) and str(value).strip() not in allowed:
                    report.add(
                        "input.validation", sheet_name, to_a1(*coord),
                        f"值“{value}”不符合该单元格的数据验证列表：{'、'.join(allowed)}",
                        f"{value!r} is not in the cell's validation list: {', '.join(allowed)}",
                    )  # fmt: skip
                    break
