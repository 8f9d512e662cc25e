"""What only calculating, or a calculated file, shows: circular references
(the refresh engine finds them; the file would otherwise pass), and result
cells of a refreshed workbook that hold error values (a column of ``#VALUE!``
is not a sound workbook).

The engine calculates in memory (:func:`addin.refresh.engine.calculate`);
nothing is written.
"""

from __future__ import annotations

from collections import defaultdict

from addin.refresh.deep_stack import with_deep_stack
from addin.refresh.engine import calculate
from addin.refresh.name_depth import NestingTooDeepError
from addin.validate.report import Report
from addin.validate.view import present_cells, ref_box
from addin.xlsx.a1 import col_letters, to_a1
from addin.xlsx.model import CircularReferenceError, Coord, RefreshError, Sheet, Workbook
from udfs.errors import ExcelError

__all__ = ["check_circular", "check_error_values"]

#: how many addresses a finding lists before "…"
_SHOW = 5


def check_circular(report: Report, wb: Workbook) -> None:
    """Cells whose formulas depend on themselves, each reported."""
    try:
        with_deep_stack(lambda: calculate(wb))  # formulas as deep as Excel allows
    except CircularReferenceError as exc:
        for ref, _why in exc.cells:
            report.add(
                "formula.circular", ref.sheet, to_a1(*ref.coord),
                "循环引用：此公式（经由其他单元格）引用了自身，无法计算",
                "circular reference: this formula depends on itself (through other cells)",
            )  # fmt: skip
    except NestingTooDeepError as exc:
        for ref, why in exc.cells:
            zh, _, en = why.partition(" / ")
            report.add("formula.nesting", ref.sheet, to_a1(*ref.coord), zh, en or zh)
    except RefreshError:
        return  # unsupported functions and the like: the formula checks report them


def _result_cells(sheet: Sheet) -> list[Coord]:
    """Formula cells and the cells their stored array/spill ranges cover."""
    cells = set(sheet.formulas)
    for f in sheet.formulas.values():
        box = ref_box(f.ref) if f.kind != "normal" else None
        if box is not None:
            cells.update(present_cells(sheet, *box[0], *box[1]))
    return sorted(cells)


def check_error_values(report: Report, wb: Workbook) -> None:
    """On a refreshed workbook, result cells holding error values: one finding
    per column, with the count, the kinds and the first addresses."""
    for sheet in wb.sheets:
        by_col: dict[int, list[tuple[Coord, ExcelError]]] = defaultdict(list)
        for coord in _result_cells(sheet):
            value = sheet.values.get(coord)
            if isinstance(value, ExcelError):
                by_col[coord[1]].append((coord, value))
        for col, hits in sorted(by_col.items()):
            kinds = "、".join(sorted({str(v) for _, v in hits}))
            cells = [to_a1(*c) for c, _ in hits]
            shown = ", ".join(cells[:_SHOW]) + (" …" if len(cells) > _SHOW else "")
            report.add(
                "result.error-value", sheet.name, cells[0],
                f"第 {col_letters(col)} 列有 {len(hits)} 个结果单元格是错误值 {kinds}：{shown}"
                "（查看这些行的输入，或用 jixiao refresh 重新计算后再看）",
                f"column {col_letters(col)} has {len(hits)} result cell(s) holding {kinds.replace('、', ', ')}: "
                f"{shown} (check the inputs of these rows, or recalculate with jixiao refresh)",
            )  # fmt: skip
