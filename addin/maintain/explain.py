"""Why a contract function's cell holds what it holds, for ``jixiao test``:
bands and amounts for ``TIERED`` (the kernel's ``TIER_DETAIL``), the band
reached for ``BAND`` and ``POINT_BONUS``, rank, ties and prize row for
``RANKX`` and ``RANK_PRIZE``, the argument values for the others.

The arguments are evaluated by the refresh engine itself, in the same
calculation as the case: :func:`plan` adds one normal formula per scalar
argument on a scratch sheet, in the row of the cell explained (so a column
name intersects to that row, as in the cell's own formula); tables and ranking
columns are read from their names or ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from addin import registry
from addin.refresh.engine import contract_function
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
from udfs.bands import tier_detail
from udfs.ranking import rankx

__all__ = ["Plan", "explain", "plan", "unparse"]

SCRATCH = "__jixiao_explain__"
_EXPLAINED = {"TIERED", "BAND", "POINT_BONUS", "RANKX", "RANK_PRIZE", "TIER_DETAIL"}


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
            if spec is None or spec.name not in _EXPLAINED:
                continue
            call = _Call(spec.name, func, sheet.name)
            for i, (arg, node) in enumerate(zip(spec.args, func.args, strict=False)):
                if arg.kind != "table" and not isinstance(node, Missing):
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


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _kernel_args(wb: Workbook, results: Results, call: _Call, args: dict[int, CellValue]) -> list[Any] | None:
    spec = registry.by_name(call.name)
    out: list[Any] = []
    for i, arg in enumerate(spec.args[: len(call.func.args)]):
        if arg.kind == "table":
            table = _range_values(wb, results, call.func.args[i], call.home)
            if table is None:
                return None
            out.append(table[0])
        else:
            out.append(args.get(i))
    return out


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
        kernel_args = _kernel_args(wb, results, call, args)
        value = None
        if kernel_args is not None and call.name not in ("RANKX", "RANK_PRIZE"):
            fn = contract_function(call.name)
            value = fn(*kernel_args) if fn is not None else None
            if isinstance(value, np.ndarray):  # one value, or a table the lines below show
                value = value.reshape(-1)[0] if value.size == 1 else None
        head = f"{call.name}({shown})" + ("" if value is None else f" = {_fmt(value)}")
        lines = [head, *_detail(wb, results, call, args, coord)]
        per_call.append((value is not None and value == got, lines))
    chosen = [lines for hit, lines in per_call if hit] or [lines for _hit, lines in per_call]
    return [line for lines in chosen for line in lines]


def _detail(wb: Workbook, results: Results, call: _Call, args: dict[int, CellValue], coord: Coord) -> list[str]:
    spec = registry.by_name(call.name)
    nodes = dict(enumerate(call.func.args))
    by_name = {a.name: i for i, a in enumerate(spec.args)}
    if call.name in ("TIERED", "TIER_DETAIL"):
        table = _range_values(wb, results, nodes[by_name["table"]], call.home)
        if table is None:
            return ["  (档位表不是名称或区域，无法展开 / the band table is not a name or a range)"]
        detail = tier_detail(args.get(0), table[0], args.get(2), args.get(3))
        if not isinstance(detail, np.ndarray):
            return [f"  TIER_DETAIL: {detail}"]
        out = ["  档起 from | 档止 to | 数量 quantity | 费率 rate | 金额 amount"]
        out += ["  " + " | ".join(_fmt(v) for v in row) for row in detail.tolist()]
        return out
    if call.name in ("BAND", "POINT_BONUS"):
        key = "table" if call.name == "BAND" else "gates"
        table = _range_values(wb, results, nodes[by_name[key]], call.home)
        x = args.get(0)
        if table is None or not isinstance(x, float):
            return []
        upper = str(args.get(by_name["side"], "") or "").strip() in ("上含", "upper")
        reached = [row for row in table[0].tolist()
                   if isinstance(row[0], float) and (x > row[0] if upper else x >= row[0])]
        if not reached:
            return [f"  {_fmt(x)} 低于第一档起点 / below the first band start"]
        return [f"  {_fmt(x)} 落在起点为 {_fmt(reached[-1][0])} 的档：{' | '.join(_fmt(v) for v in reached[-1])}"
                f" / {_fmt(x)} is in the band starting at {_fmt(reached[-1][0])}"]
    if call.name in ("RANKX", "RANK_PRIZE"):
        return _rank_detail(wb, results, call, args, coord)
    return []


def _rank_detail(wb: Workbook, results: Results, call: _Call, args: dict[int, CellValue], coord: Coord) -> list[str]:
    spec = registry.by_name(call.name)
    nodes = dict(enumerate(call.func.args))
    by_name = {a.name: i for i, a in enumerate(spec.args)}
    narrowed = [n for n in ("order", "groups", "eligible") if n in by_name and by_name[n] in call.arg_cells]
    found = _range_values(wb, results, nodes[by_name["values"]], call.home)
    if narrowed or found is None or found[0].shape[1] != 1:
        return []  # ranks within groups, among eligible rows or with tie-breaks: the arguments say it
    column, ref = found
    i = coord[0] - ref.top
    if not 0 <= i < column.shape[0]:
        return []
    scores = np.array([[v if isinstance(v, float) else np.nan] for v in column[:, 0]], dtype=float)
    method = args.get(by_name["method"]) if "method" in by_name else None
    ranks = np.asarray(rankx(scores, None, method or None))
    mine = column[i, 0]
    ties = sum(1 for v in column[:, 0] if v == mine)
    rank = ranks.reshape(-1)[i]
    out = [f"  成绩 {_fmt(mine)} 排第 {_fmt(float(rank))} 名（并列 {ties} 人）"
           f" / score {_fmt(mine)} ranks {_fmt(float(rank))} ({ties} tied)"]
    if call.name == "RANK_PRIZE":
        prizes = _range_values(wb, results, nodes[by_name["prizes"]], call.home)
        if prizes is not None:
            out.extend(_prize_lines(prizes[0].tolist(), int(rank), ties, str(args.get(by_name["ties"]) or "均分")))
    return out


def _prize_lines(rows: list[list[Any]], rank: int, ties: int, rule: str) -> list[str]:
    """The prize of the places a tie takes (rank … rank+ties-1), and how the
    tie rule turns them into this person's amount."""

    def amount(place: int) -> float:
        for row in rows:
            if isinstance(row[0], float) and isinstance(row[1], float) and row[0] <= place <= row[1]:
                return float(row[2]) if isinstance(row[2], float) else 0.0
        return 0.0

    places = list(range(rank, rank + ties))
    each = [amount(p) for p in places]
    lines = [f"  名次 {p} 的奖金 {_fmt(a)} / prize of place {p}: {_fmt(a)}" for p, a in zip(places, each, strict=True)]
    if ties > 1:
        if rule.strip() in ("同奖", "each"):
            lines.append(f"  同奖：并列者都得第 {rank} 名的 {_fmt(each[0])} / each: all get place {rank}'s {_fmt(each[0])}")
        else:
            total = " + ".join(_fmt(a) for a in each)
            lines.append(f"  均分：({total}) / {ties} = {_fmt(round(sum(each) / ties, 2))}"
                         f" / share: ({total}) / {ties}")
    return lines
