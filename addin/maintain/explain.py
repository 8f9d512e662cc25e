"""Why a contract function's cell holds what it holds, for ``jixiao test``:
the kernel's own explanation (:mod:`udfs.explain`, the one ``jixiao explain``
shows) — bands and amounts for ``TIERED`` and ``TIER_DETAIL``, the band reached
for ``BAND`` and ``POINT_BONUS``, place, ties and prize share for ``RANKX`` and
``RANK_PRIZE`` — after the call with its argument values.

The arguments are evaluated by the refresh engine itself, in the same
calculation as the case: :func:`plan` adds one normal formula per argument
read for the row on a scratch sheet, in the row of the cell explained (so a
column name intersects to that row, as in the cell's own formula); tables and
ranked fields are read whole from their names or ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from addin import registry
from addin.validate.view import array_anchor, find_sheet, name_ref
from addin.xlsx.a1 import col_letters
from addin.xlsx.formula import (
    ArrayLit,
    Binary,
    Bool,
    ErrorLit,
    ErrorLitValue,
    FormulaSyntaxError,
    Func,
    Missing,
    Name,
    Node,
    Number,
    Percent,
    Ref,
    Text,
    Unary,
    function_names,
    parse,
)
from addin.xlsx.model import CellValue, Coord, Formula, Results, Sheet, Workbook
from udfs.errors import ExcelErrorRaised
from udfs.explain import EXPLAINERS, RANKED, number_text

__all__ = ["Plan", "explain", "plan", "unparse"]

SCRATCH = "__jixiao_explain__"


def _lit(v: object) -> str:
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, ErrorLitValue):
        return v.code
    return repr(v)


def unparse(node: Node, sheet: str | None) -> str | None:
    """Formula text of a parsed node, every reference qualified by ``sheet``
    when given (so it means the same on another sheet); ``None`` for the rare
    constructs it does not rewrite (structured references, unions …).

    >>> unparse(parse('IF(A2>=5,A2*0.4,"无")'), None)
    'IF(A2>=5,A2*0.4,"无")'
    >>> unparse(parse("(B2-5)*40+$C$1"), "人员")
    "('人员'!B2-5)*40+'人员'!$C$1"
    """
    if isinstance(node, Number):
        v = node.value
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    if isinstance(node, Text | Bool):
        return _lit(node.value)
    if isinstance(node, ErrorLit):
        return node.code
    if isinstance(node, Missing):
        return ""
    if isinstance(node, ArrayLit):
        return "{" + ";".join(",".join(_lit(v) for v in row) for row in node.rows) + "}"
    if isinstance(node, Ref):
        return _ref_a1(node, node.sheet or sheet)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Func):
        args = [unparse(a, sheet) for a in node.args]
        return None if any(a is None for a in args) else f"{node.name}({','.join(a or '' for a in args)})"
    if isinstance(node, Unary):
        inner = unparse(node.operand, sheet)
        return None if inner is None else f"{node.op}({inner})"
    if isinstance(node, Percent):
        inner = unparse(node.operand, sheet)
        return None if inner is None else f"({inner})%"
    if isinstance(node, Binary):
        left, right = unparse(node.left, sheet), unparse(node.right, sheet)
        if left is None or right is None:
            return None
        prec = _PREC.get(node.op, 0)
        return f"{_wrap(node.left, left, prec)}{node.op}{_wrap(node.right, right, prec + 0.5)}"
    return None


#: operator precedence, Excel's order (comparison lowest)
_PREC = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}


def _wrap(node: Node, text: str, prec: float) -> str:
    """Parentheses where the child binds less tightly than its parent."""
    return f"({text})" if isinstance(node, Binary) and _PREC.get(node.op, 0) < prec else text


def _ref_a1(ref: Ref, sheet: str | None) -> str:
    """A1 text of a reference with its ``$`` kept, qualified by ``sheet``."""
    prefix = "'" + sheet.replace("'", "''") + "'!" if sheet else ""

    def cell(row: int, col: int, abs_row: bool, abs_col: bool) -> str:
        return f"{'$' if abs_col else ''}{col_letters(col)}{'$' if abs_row else ''}{row}"

    if not ref.rows:
        return f"{prefix}{'$' if ref.abs_left else ''}{col_letters(ref.left)}:" \
               f"{'$' if ref.abs_right else ''}{col_letters(ref.right)}"
    if not ref.cols:
        return f"{prefix}{'$' if ref.abs_top else ''}{ref.top}:{'$' if ref.abs_bottom else ''}{ref.bottom}"
    first = cell(ref.top, ref.left, ref.abs_top, ref.abs_left)
    if ref.is_cell:
        return prefix + first
    return f"{prefix}{first}:{cell(ref.bottom, ref.right, ref.abs_bottom, ref.abs_right)}"


@dataclass
class _Call:
    name: str  # canonical contract name
    func: Func
    home: str  # the sheet of the explained cell
    arg_cells: dict[int, Coord] = field(default_factory=dict)


@dataclass
class Plan:
    """Scratch formulas added for the cells to explain."""

    calls: dict[tuple[str, Coord], list[_Call]] = field(default_factory=dict)


def plan(wb: Workbook, targets: list[tuple[Sheet, Coord]]) -> Plan:
    """Add to ``wb`` the scratch formulas that explaining ``targets`` needs."""
    out = Plan()
    scratch = Sheet(SCRATCH)
    col = 0

    def add(text: str | None, row: int) -> Coord | None:
        nonlocal col
        if text is None:
            return None
        col += 1
        scratch.formulas[(row, col)] = Formula(text)
        return (row, col)

    for sheet, coord in targets:
        anchor = array_anchor(sheet, coord)
        if anchor is None:
            continue
        try:
            tree = parse(sheet.formulas[anchor].text)
        except FormulaSyntaxError:
            continue
        calls = []
        for func in function_names(tree):
            spec = registry.lookup(func.name)
            if spec is None or spec.name not in EXPLAINERS:
                continue
            call = _Call(spec.name, func, sheet.name)
            kinds = EXPLAINERS[spec.name][1]
            for i, (kind, node) in enumerate(zip(kinds, func.args, strict=False)):
                if not isinstance(node, Missing) and (kind == "row" or not _whole(node)):
                    cell = add(unparse(node, sheet.name), coord[0])
                    if cell is not None:
                        call.arg_cells[i] = cell
            calls.append(call)
        if calls:
            out.calls[(sheet.name, coord)] = calls
    if scratch.formulas:
        scratch.max_row = max(r for r, _ in scratch.formulas)
        scratch.max_col = col
        wb.sheets.append(scratch)
    return out


def _range_values(wb: Workbook, results: Results, node: Node, home: str) -> tuple[np.ndarray, Ref] | None:
    """A table or ranking column as calculated: from a name or a range."""
    if isinstance(node, Name):
        target = name_ref(wb, node.name)
        return None if target is None else _range_values(wb, results, target, home)
    if isinstance(node, ArrayLit):
        arr = np.array([list(row) for row in node.rows], dtype=object)
        return arr, Ref(None, 1, 1, len(node.rows), len(node.rows[0]))
    if not isinstance(node, Ref) or not node.rows or not node.cols:
        return None
    sheet = find_sheet(wb, node.sheet or home)
    if sheet is None:
        return None
    computed = results.values.get(sheet.name, {})
    bottom = min(node.bottom, max(sheet.max_row, node.top))
    arr = np.empty((bottom - node.top + 1, node.right - node.left + 1), dtype=object)
    for i in range(arr.shape[0]):
        for j in range(arr.shape[1]):
            c = (node.top + i, node.left + j)
            arr[i, j] = computed[c] if c in computed else sheet.values.get(c)
    return arr, node


def _whole(node: Node) -> bool:
    """Whether an argument read whole is a table or field (else a value, e.g. ``order`` 1)."""
    return isinstance(node, Name | Ref | ArrayLit)


def _fmt(v: Any) -> str:
    return "" if v is None else number_text(v)


def explain(
    wb: Workbook, results: Results, p: Plan, sheet: Sheet, coord: Coord, got: CellValue = None
) -> list[str]:
    """Lines explaining the cell (empty when it calls no contract function):
    the calls whose value is the cell's, else every call."""
    scratch = results.values.get(SCRATCH, {})
    per_call: list[tuple[bool, list[str]]] = []
    for call in p.calls.get((sheet.name, coord), []):
        args: dict[int, CellValue] = {i: scratch.get(c) for i, c in call.arg_cells.items()}
        spec = registry.by_name(call.name)
        shown = ", ".join(f"{a.name}={_fmt(args[i])}" for i, a in enumerate(spec.args) if i in args)
        value, detail = _kernel_detail(wb, results, call, args, coord)
        head = f"{call.name}({shown})" + ("" if value is None else f" = {_fmt(value)}")
        per_call.append((value is not None and value == got, [head, *("  " + line for line in detail)]))
    chosen = [lines for hit, lines in per_call if hit] or [lines for _hit, lines in per_call]
    return [line for lines in chosen for line in lines]


def _kernel_detail(
    wb: Workbook, results: Results, call: _Call, args: dict[int, CellValue], coord: Coord
) -> tuple[CellValue, list[str]]:
    """The cell's value as the kernel explains it (``None`` for TIER_DETAIL's
    table) and the kernel's lines (:data:`udfs.explain.EXPLAINERS`)."""
    explainer, kinds = EXPLAINERS[call.name]
    kernel_args: list[Any] = []
    index = None
    for i, (kind, node) in enumerate(zip(kinds, call.func.args, strict=False)):
        found = None if kind == "row" or not _whole(node) else _range_values(wb, results, node, call.home)
        if kind == "whole" and _whole(node) and found is None:
            return None, ["(参数不是名称或区域，无法展开 / an argument is not a name or a range)"]
        kernel_args.append(args.get(i) if found is None else found[0])
        if i == 0 and found is not None and call.name in RANKED:
            column, ref = found
            index = coord[0] - ref.top if column.shape[1] == 1 else coord[1] - ref.left
            if not 0 <= index < max(column.shape):
                index = None  # the cell is not beside the ranked field
    try:
        if call.name in RANKED:
            if index is None:
                return None, []  # ranked field not a range, or the cell not in its rows
            d = explainer(*kernel_args, index=index)
        else:
            d = explainer(*kernel_args)
    except ExcelErrorRaised as exc:
        return None, [f"无法解释 / cannot explain: {exc.error}"]
    return (None if call.name == "TIER_DETAIL" else d.result), d.lines
