"""Formula checks: every call names a known function, with a valid number of
arguments and valid keywords, band and prize tables of the right width, no
``#REF!``, and Excel's ``_xlfn.`` prefix on functions newer than Excel 2007.

Names, spellings, argument counts and keywords come from
:mod:`addin.registry`, the argument counts of Excel's own functions from their
declarations in :mod:`addin.refresh.functions`; formulas are read with the
refresh engine's parser, so the validator and the engine never disagree on
what a formula says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from addin import registry
from addin.refresh.functions import lookup as excel_function
from addin.validate.report import Report
from addin.validate.view import find_sheet
from addin.xlsx.a1 import MAX_ROW, to_a1
from addin.xlsx.excel_names import FUTURE_FUNCTIONS, is_excel_function, misspelling_of
from addin.xlsx.formula import (
    ArrayLit,
    ErrorLit,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    Ref,
    StructRef,
    Text,
    formula_excerpt,
    function_names,
    parse,
    r1c1_key,
)
from addin.xlsx.model import Coord, Formula, Sheet, Workbook

__all__ = ["BlockKey", "FormulaBlocks", "check_formulas", "r1c1_keys", "table_width"]

_STRING = re.compile(r'"(?:[^"]|"")*"')

#: Minimum columns of a table argument, by argument name (a band table needs its
#: starts and at least one value column; a prize table from, to, amount).
_MIN_COLUMNS = {"prizes": 3}
_DEFAULT_MIN_COLUMNS = 2


def _resolve_name(wb: Workbook, name: str, sheet: str) -> Node | None:
    """The parsed formula of a defined name visible from ``sheet``."""
    folded = name.casefold()
    best = None
    for dn in wb.names:
        if dn.name.casefold() != folded:
            continue
        if dn.sheet is not None and dn.sheet.casefold() != sheet.casefold():
            continue
        if best is None or dn.sheet is not None:  # a sheet-local name wins
            best = dn
    if best is None:
        return None
    try:
        return parse(best.text)
    except FormulaSyntaxError:
        return None


def table_width(wb: Workbook, node: Node, sheet: str) -> int | None:
    """How many columns a table argument has, or ``None`` when it can't be told
    without calculating (a function result, an expression)."""
    if isinstance(node, Ref):
        return node.right - node.left + 1 if node.rows or node.cols else None
    if isinstance(node, ArrayLit):
        return len(node.rows[0]) if node.rows else 0
    if isinstance(node, Name):
        target = _resolve_name(wb, node.name, sheet)
        return None if target is None or isinstance(target, Name) else table_width(wb, target, sheet)
    if isinstance(node, StructRef):
        for t in wb.tables:
            if node.table is not None and t.name.casefold() == node.table.casefold():
                if node.first is None:
                    return len(t.columns)
                names = [c.casefold() for c in t.columns]
                try:
                    lo = names.index(node.first.casefold())
                    hi = names.index((node.last or node.first).casefold())
                except ValueError:
                    return None
                return hi - lo + 1
    return None


def _literal_text(wb: Workbook, node: Node, sheet: str) -> str | None:
    """The text a keyword argument holds when it is a literal or a constant cell."""
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Ref) and node.is_cell:
        target = find_sheet(wb, node.sheet or sheet)
        if target is None:
            return None
        coord = (node.top, node.left)
        if coord in target.formulas:
            return None
        value = target.values.get(coord)
        return value if isinstance(value, str) else None
    return None


def _has_ref_error(text: str) -> bool:
    return "#REF!" in _STRING.sub("", text).upper()


def _suggest(name: str) -> str:
    return misspelling_of(name, registry.names())


def _check_call(
    report: Report, wb: Workbook, sheet: str, cell: str, func: Func
) -> None:
    upper = func.name.upper()
    spec = registry.lookup(upper)
    if spec is not None:
        lo, hi = spec.arg_counts
        n = len(func.args)
        if not lo <= n <= hi:
            want = f"{lo}" if lo == hi else f"{lo}–{hi}"
            report.add(
                "formula.arg-count", sheet, cell,
                f"{spec.name} 需要 {want} 个参数，公式给了 {n} 个：{spec.signature}",
                f"{spec.name} takes {want} arguments, the formula passes {n}: {spec.signature}",
            )  # fmt: skip
        for arg, node in zip(spec.args, func.args, strict=False):
            if arg.kind == "keyword" and arg.keyword is not None:
                word = _literal_text(wb, node, sheet)
                if word is None or (word == "" and arg.optional):
                    continue
                if word.strip().casefold() not in {s.casefold() for s in arg.spellings}:
                    allowed = "、".join(arg.spellings)
                    report.add(
                        "formula.keyword", sheet, cell,
                        f"{spec.name} 的参数 {arg.name} 不认识关键字“{word}”，可选：{allowed}",
                        f"{spec.name}: unknown {arg.name} keyword {word!r}; accepted: {', '.join(arg.spellings)}",
                    )  # fmt: skip
            elif arg.kind == "table":
                need = _MIN_COLUMNS.get(arg.name, _DEFAULT_MIN_COLUMNS)
                width = table_width(wb, node, sheet)
                if width is not None and width < need:
                    report.add(
                        "formula.table-shape", sheet, cell,
                        f"{spec.name} 的参数 {arg.name} 只有 {width} 列，至少需要 {need} 列",
                        f"{spec.name}: {arg.name} has {width} column(s), needs at least {need}",
                    )  # fmt: skip
        return
    _check_excel_arg_count(report, sheet, cell, func)
    if upper.startswith(("_XLFN.", "_XLWS.")):
        return  # stored the way Excel stores post-2007 functions
    if upper.startswith(registry.UDF_PREFIXES):
        report.add(
            "formula.unknown-function", sheet, cell,
            f"未知的自定义函数 {func.name}",
            f"unknown user-defined function {func.name}",
        )  # fmt: skip
        return
    if upper in FUTURE_FUNCTIONS:
        return  # stored without its prefix: reported per column (addin.validate.pay)
    if is_excel_function(upper):
        return
    hint = _suggest(upper)
    report.add(
        "formula.unknown-function", sheet, cell,
        f"未知函数 {func.name}" + (f"（是否应为 {hint}？）" if hint else ""),
        f"unknown function {func.name}" + (f" (did you mean {hint}?)" if hint else ""),
    )  # fmt: skip


def _check_excel_arg_count(report: Report, sheet: str, cell: str, func: Func) -> None:
    """A call of an Excel function the refresh engine knows passes as many
    arguments as its declaration allows (:mod:`addin.refresh.functions`);
    Excel itself refuses such a formula, a generated file may hold one."""
    spec = excel_function(func.name)
    n = len(func.args)
    if spec is None or spec.accepts(n):
        return
    lo, hi = spec.min_args, spec.max_args
    want_zh = f"至少 {lo}" if hi is None else f"{lo}" if lo == hi else f"{lo}–{hi}"
    want_en = f"at least {lo}" if hi is None else f"{lo}" if lo == hi else f"{lo}–{hi}"
    report.add(
        "formula.arg-count", sheet, cell,
        f"{spec.name} 需要 {want_zh} 个参数，公式给了 {n} 个",
        f"{spec.name} takes {want_en} arguments, the formula passes {n}",
    )  # fmt: skip


def iter_formulas(wb: Workbook) -> Iterator[tuple[str, Coord, str]]:
    """(sheet, coordinate, text) of every formula, in sheet then row order."""
    for sheet in wb.sheets:
        for coord in sorted(sheet.formulas):
            yield sheet.name, coord, sheet.formulas[coord].text


def check_formulas(report: Report, wb: Workbook) -> None:
    """Check every formula of the workbook (see the module docstring).

    The cells of one block (:class:`FormulaBlocks`: a shared formula, or a
    column filled down cell by cell with one formula in R1C1 form) share their
    syntax, functions, argument counts and table widths. Once one cell of a
    block checks clean, the block's other cells are clean too and are neither
    expanded nor parsed — a million rows of one formula cost one check, not a
    million. A block whose cell has a finding, or whose keyword arguments are
    cell references (their values differ by row), is checked cell by cell, as
    is any shared cell whose moved text left the sheet (``#REF!``).
    """
    clean: set[BlockKey] = set()
    blocks = FormulaBlocks()
    for sheet in wb.sheets:
        for coord in sorted(sheet.formulas):
            formula = sheet.formulas[coord]
            block = blocks.key(sheet, coord, formula)
            if block is not None and block in clean:
                continue
            before = len(report.problems)
            tree = _check_formula(report, wb, sheet.name, coord, formula.text)
            if (
                block is not None
                and tree is not None
                and len(report.problems) == before
                and not _reads_keyword_cells(tree)
            ):
                clean.add(block)


#: a block of formula cells: ``("shared", group id, column offset)`` or
#: ``("run", run id, column)``
BlockKey = tuple[str, int, int]


class FormulaBlocks:
    """Which cells hold the same formula moved, so that what a formula's text
    says (its functions, its R1C1 form, its checks) is worked out once per
    block, not once per cell.

    Two kinds of block, as the refresh engine evaluates them: the cells of a
    shared group at one column offset whose moved references stay on the sheet
    (the group's ``rows_on_sheet``), and a run of a column filled down cell by
    cell, none shared (as openpyxl writes it), which the reader keeps as one
    :class:`addin.xlsx.model.FormulaRun` — up to the row where a relative row
    of its text would pass the sheet's last row (that text is not Excel's).
    """

    def __init__(self) -> None:
        self._spans: dict[tuple[int, int], tuple[int, int] | None] = {}

    def key(self, sheet: Sheet, coord: Coord, formula: Formula) -> BlockKey | None:
        """The block of ``formula`` at ``coord`` on ``sheet``; ``None`` for a
        cell that is a block of its own."""
        group = formula.group
        if group is not None:
            drow, dcol = coord[0] - group.master[0], coord[1] - group.master[1]
            at = (id(group), dcol)
            if at not in self._spans:
                self._spans[at] = group.rows_on_sheet(dcol)
            rows = self._spans[at]
            if rows is None or not rows[0] <= drow <= rows[1]:
                return None
            return ("shared", *at)
        if formula.kind != "normal":
            return None
        run = sheet.formulas.run_at(coord)
        if run is None or run.n < 2 or run.first.group is not None:
            return None
        if run.base and coord[0] - run.row + max(run.base) > MAX_ROW:
            return None
        return ("run", id(run), coord[1])


def r1c1_keys(sheet: Sheet) -> dict[Coord, str]:
    """Every formula cell of ``sheet`` in R1C1 form (what the cells of a
    filled-down column share), worked out once per block
    (:class:`FormulaBlocks`): a million rows of one formula cost one
    conversion, not a million."""
    blocks = FormulaBlocks()
    known: dict[BlockKey, str] = {}
    out: dict[Coord, str] = {}
    for coord, f in sheet.formulas.items():
        block = blocks.key(sheet, coord, f)
        if block is None:
            out[coord] = r1c1_key(f.text, *coord)
            continue
        got = known.get(block)
        if got is None:
            got = known[block] = r1c1_key(f.text, *coord)
        out[coord] = got
    return out


def _reads_keyword_cells(tree: Node) -> bool:
    """Whether a contract function's keyword argument is a cell reference
    (checked through the cell's value, which moves with the formula)."""
    for func in function_names(tree):
        spec = registry.lookup(func.name.upper())
        if spec is None:
            continue
        for arg, node in zip(spec.args, func.args, strict=False):
            if arg.kind == "keyword" and isinstance(node, Ref):
                return True
    return False


def _check_formula(report: Report, wb: Workbook, sheet: str, coord: Coord, text: str) -> Node | None:
    """The checks of one formula; its parsed tree (``None`` if it does not parse)."""
    cell = to_a1(*coord)
    if _has_ref_error(text):
        report.add(
            "formula.ref-error", sheet, cell,
            f"公式含 #REF!（引用的单元格或工作表已被删除）：{formula_excerpt(text)}",
            f"formula contains #REF! (a referenced cell or sheet was deleted): {formula_excerpt(text)}",
        )  # fmt: skip
    try:
        tree = parse(text)
    except FormulaSyntaxError as exc:
        report.add(
            "formula.syntax", sheet, cell,
            f"公式无法解析（{exc}）：{formula_excerpt(text)}",
            f"formula cannot be parsed ({exc}): {formula_excerpt(text)}",
        )  # fmt: skip
        return None
    if isinstance(tree, ErrorLit):
        return tree
    for func in function_names(tree):
        _check_call(report, wb, sheet, cell, func)
    return tree
