"""``jixiao lint WORKBOOK``: find, in a hand-written office workbook, the
patterns our functions replace, cell by cell, with the replacement.

=========================  ====================================================
code                       pattern
=========================  ====================================================
``lint.nested-if``         nested ``IF`` over ascending thresholds → ``BAND`` or
                           ``TIERED`` (and which mode the chain computes),
                           offered only once the engine has computed both the
                           same (:mod:`addin.maintain.lint_proof`)
``lint.nested-if-kept``    such a chain that no band table computes, and why:
                           an equality branch, a branch that varies by row, a
                           value where the rewrite would pay differently
``lint.vlookup-unsorted``  ``VLOOKUP(…, TRUE)`` (or no 4th argument) over a table
                           whose first column is not ascending
``lint.literal-rate``      a rate typed into a formula instead of a parameter cell
``lint.inconsistent``      a filled-down column whose formula changes shape in
                           the middle (Excel's "inconsistent formula")
``lint.rank-ties``         ``RANK`` over tied values where a prize is paid by rank
=========================  ====================================================

Exit codes: 0 nothing found, 1 findings, 2 the workbook cannot be read.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from addin.language import Lang, language_option, say
from addin.maintain import read_or_exit
from addin.maintain.explain import unparse
from addin.maintain.lint_proof import Candidate, Verdict, probes, prove, replace
from addin.summary import repair_note
from addin.validate.extents import iter_refs
from addin.validate.formulas import r1c1_keys
from addin.validate.report import Report
from addin.validate.view import find_sheet, name_ref
from addin.xlsx.a1 import to_a1
from addin.xlsx.formula import (
    Binary,
    Bool,
    FormulaSyntaxError,
    Func,
    Missing,
    Name,
    Node,
    Number,
    Ref,
    Text,
    Unary,
    children,
    function_names,
    parse,
)
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.model import CellValue, Coord, Sheet, Workbook
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError
from udfs.explain import number_text

__all__ = ["lint", "lint_command"]

#: numbers a formula may hold without being a rate: flags, sort orders, "half"
_PLAIN = {0.0, 1.0, 2.0, -1.0, 100.0}
#: (function, 0-based argument) where an integer is an index or a digit count
_INDEX_ARGS = {
    ("ROUND", 1), ("ROUNDUP", 1), ("ROUNDDOWN", 1), ("VLOOKUP", 2), ("HLOOKUP", 2), ("INDEX", 1),
    ("INDEX", 2), ("MATCH", 2), ("BAND", 2), ("LEFT", 1), ("RIGHT", 1), ("MID", 1), ("MID", 2),
    ("OFFSET", 1), ("OFFSET", 2), ("CHOOSE", 0), ("MONEY", 1),
}  # fmt: skip
#: a comparison read with its operands swapped (``5<x`` is ``x>5``)
_MIRROR = {">=": "<=", ">": "<", "<": ">", "<=": ">=", "=": "=", "<>": "<>"}
_RANKS = {"RANK", "RANK.EQ", "RANK.AVG"}


@dataclass(frozen=True)
class _Step:
    op: str  # the comparison with x on the left
    x: str
    threshold: float
    value: Node


@dataclass(frozen=True)
class _Nest:
    """Nested IFs comparing one value ``x`` with constants: the comparisons
    (outermost first), the last else, and the IF calls themselves."""

    steps: list[_Step]
    last: Node
    ifs: list[Func]

    @property
    def x(self) -> str:
        return self.steps[0].x


@dataclass(frozen=True)
class _Plan:
    """What lint says about a nest: a proven rewrite (``candidate`` with its
    ``verdict``) or why it keeps the IFs (``reason``, zh and en)."""

    nest: _Nest
    mode: tuple[str, str] = ("", "")
    fn: str = ""
    rows: tuple[tuple[float, str], ...] = ()
    side: str = ""
    candidate: Candidate | None = None
    verdict: Verdict | None = None
    reason: tuple[str, str] | None = None


def _number(wb: Workbook, sheet: str, node: Node) -> float | None:
    """A literal number, or the number in a constant cell."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Number):
        return -node.operand.value
    if isinstance(node, Ref) and node.is_cell:
        s = find_sheet(wb, node.sheet or sheet)
        if s is not None and (node.top, node.left) not in s.formulas:
            v = s.values.get((node.top, node.left))
            return v if isinstance(v, float) else None
    return None


def _name(func: Func) -> str:
    return func.base_name.upper()


def _nest(wb: Workbook, sheet: str, node: Node) -> _Nest | None:
    """The IFs nested in each other's else that compare one value with
    constants (``=`` and ``<>`` included: they are why a chain may not be a
    band table), at least two; ``None`` otherwise."""
    steps: list[_Step] = []
    ifs: list[Func] = []
    while isinstance(node, Func) and _name(node) == "IF" and len(node.args) in (2, 3):
        cond = node.args[0]
        if not isinstance(cond, Binary) or cond.op not in _MIRROR:
            break
        op, x, t = cond.op, cond.left, _number(wb, sheet, cond.right)
        if t is None:
            op, x, t = _MIRROR[cond.op], cond.right, _number(wb, sheet, cond.left)
        x_text = unparse(x, None)
        if t is None or x_text is None or (steps and x_text != steps[0].x):
            break
        steps.append(_Step(op, x_text, t, node.args[1]))
        ifs.append(node)
        node = node.args[2] if len(node.args) == 3 else Bool(False)
    return _Nest(steps, node, ifs) if len(steps) >= 2 else None


def _ordered(steps: list[_Step]) -> bool:
    """One comparison throughout, thresholds in the order a band table needs."""
    if len({s.op for s in steps}) != 1:
        return False
    ts = [s.threshold for s in steps]
    if steps[0].op in (">=", ">"):
        return all(a > b for a, b in itertools.pairwise(ts))
    return all(a < b for a, b in itertools.pairwise(ts))


def _constant(wb: Workbook, node: Node, x: str | None) -> bool:
    """Whether ``node`` is the same in every row: no ``x`` (unless ``x`` is
    None), no reference that moves down a column, no name of a column (read
    row by row), no argument-less function (ROW(), TODAY(), RAND() …)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if x is not None and unparse(cur, None) == x:
            return False
        if isinstance(cur, Ref):
            if cur.rows and not (cur.abs_top and cur.abs_bottom):
                return False
        elif isinstance(cur, Name):
            target = name_ref(wb, cur.name)
            if target is not None and (not target.rows or target.bottom != target.top):
                return False
        elif isinstance(cur, Func) and not cur.args and _name(cur) not in ("TRUE", "FALSE", "PI"):
            return False
        stack.extend(children(cur))
    return True


def _uses(node: Node, x: str, op: str) -> bool:
    """Whether ``node`` holds ``x op something`` (``x-5`` for op ``-``)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Binary):
            if cur.op == op and unparse(cur.left, None) == x:
                return True
            stack.extend((cur.left, cur.right))
        elif isinstance(cur, Func):
            stack.extend(cur.args)
        elif isinstance(cur, Unary):
            stack.append(cur.operand)
    return False


def _rate(node: Node, x: str) -> Node | None:
    """The rate in ``x*rate`` or in ``(x-start)*rate + …``."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Binary):
            if cur.op == "*":
                for this, other in ((cur.left, cur.right), (cur.right, cur.left)):
                    if unparse(this, None) == x or (
                        isinstance(this, Binary) and this.op == "-" and unparse(this.left, None) == x
                    ):
                        return other
            stack.extend((cur.left, cur.right))
    return None


def _zero(node: Node) -> bool:
    return isinstance(node, Number) and node.value == 0


def _bands(
    steps: list[_Step], last: Node, rates_of: str | None, first: float = 0.0
) -> tuple[list[tuple[float, Node]], str]:
    """The band table (start, value — or the rate of ``rates_of`` when given)
    a chain computes, the first band starting at ``first``, and its side."""

    def value(node: Node) -> Node:
        if rates_of is not None and not _zero(node):
            rate = _rate(node, rates_of)
            assert rate is not None  # checked by the caller
            return rate
        return node

    vals = [value(s.value) for s in steps]
    else_value = value(last)
    if steps[0].op in (">=", ">"):
        rows = [(first, else_value)] + [(s.threshold, v) for s, v in reversed(list(zip(steps, vals, strict=True)))]
        side = "下含" if steps[0].op == ">=" else "上含"
    else:
        starts = [first] + [s.threshold for s in steps]
        rows = list(zip(starts, [*vals, else_value], strict=True))
        side = "下含" if steps[0].op == "<" else "上含"
    return rows, side


def _shown(node: Node, default: str = "?") -> str:
    """A formula argument as written, for a suggested rewrite (``default`` when
    it cannot be rewritten as text)."""
    return unparse(node, None) or default


def _more(n: int) -> tuple[str, str]:
    """What a finding adds when ``n`` more cells of the column have the same formula."""
    if n <= 0:
        return "", ""
    return f"（同列另有 {n} 个同样的公式）", f" (and {n} more like it in this column)"


def _why_not(wb: Workbook, nest: _Nest) -> tuple[str, str] | None:
    """Why the nest cannot be a band table, before computing anything."""
    x = nest.x
    equal = [s for s in nest.steps if s.op in ("=", "<>")]
    if equal:
        shown = "、".join(f"{x}{s.op}{number_text(s.threshold)} → {_shown(s.value)}" for s in equal)
        return (
            f"含等值分支（{shown}）：档位表只能按区间取值，改写会丢掉这一档",
            f"it has an equality branch ({shown.replace('、', ', ')}): a band table holds intervals only, "
            "a rewrite would drop it",
        )
    if not _ordered(nest.steps):
        ops = " ".join(f"{x}{s.op}{number_text(s.threshold)}" for s in nest.steps)
        return (
            f"比较方向或阈值顺序不一致（{ops}），不是一张档位表",
            f"the comparisons are not one direction in order ({ops}): not one band table",
        )
    for node in [s.value for s in nest.steps] + [nest.last]:
        if _constant(wb, node, x):
            continue
        rate = _rate(node, x)
        if rate is None or not _constant(wb, rate, x) or not _constant(wb, _drop_x(node, x), None):
            return (
                f"分支 {_shown(node)} 既不是常数也不是 {x} 乘固定费率（随行变化），档位表装不下",
                f"the branch {_shown(node)} is neither a constant nor {x} times a fixed rate (it varies by row): "
                "no band table holds it",
            )
    return None


def _drop_x(node: Node, x: str) -> Node:
    """``node`` with ``x`` replaced by 0 (what is left must be constant)."""
    return replace(node, lambda n: Number(0.0) if unparse(n, None) == x else None)


def _plan(wb: Workbook, sheet: str, cells: list[Coord], tree: Node, nest: _Nest) -> _Plan:
    """The rewrite a nest suggests, ready to prove, or why there is none."""
    reason = _why_not(wb, nest)
    if reason is not None:
        return _Plan(nest, reason=reason)
    x = nest.x
    extra: tuple[Node, ...]
    values = [s.value for s in nest.steps] + [nest.last]
    consts = [_constant(wb, v, x) for v in values]
    if all(consts):
        # the lowest band reaches below every value tried: 0, or under the
        # lowest probe (a start is not in its band when the side is 上含)
        upper = nest.steps[0].op in (">", "<=")
        lowest = min(0.0, *probes([s.threshold for s in nest.steps]))
        rows, side = _bands(nest.steps, nest.last, None, math.floor(lowest) - (1 if upper else 0))
        band_side = "" if side == "下含" else ', , "上含"'
        fn = f"BAND({x}, 档位表{band_side})"
        mode = ("查档取值", "a band lookup: the value of the band holding x")
        fn_name, extra = "BAND", ((Missing(), Text("上含")) if side == "上含" else ())
    elif all(not c or _zero(v) for c, v in zip(consts, values, strict=True)):
        rows, side = _bands(nest.steps, nest.last, x)
        side_arg = "" if side == "下含" else ', "上含"'
        word = "超额" if any(_uses(v, x, "-") for v in values) else "全额"
        fn = f'TIERED({x}, 档位表, "{word}"{side_arg})'
        mode = (word, "marginal: each slice at its band's rate" if word == "超额" else "whole: all of x at its band's rate")
        fn_name, extra = "TIERED", ((Text(word), Text("上含")) if side == "上含" else (Text(word),))
    else:
        return _Plan(nest, reason=(
            "分支有的是常数、有的是按费率计算，既不是 BAND 也不是 TIERED",
            "some branches are constants and others x times a rate: neither BAND nor TIERED",
        ))  # fmt: skip
    x_node = parse(x)

    def call(table: Node) -> Node:
        return Func(fn_name, (x_node, table, *extra))

    candidate = Candidate(
        sheet, tuple(cells), tree, nest.ifs[0], x, call, tuple(rows), tuple(s.threshold for s in nest.steps)
    )
    shown_rows = tuple((a, _shown(v)) for a, v in rows)
    return _Plan(nest, mode, fn, shown_rows, side, candidate)


def _nest_plans(wb: Workbook, sheet: Sheet, cells: list[Coord], tree: Node) -> _Plan | None:
    """The plan for the first nest in the formula, outermost first."""
    for func in function_names(tree):
        nest = _nest(wb, sheet.name, func)
        if nest is not None:
            return _plan(wb, sheet.name, cells, tree, nest)
    return None


def _whole_text(tree: Node, plan: _Plan) -> str:
    """The suggested formula: the call alone, or the formula with the chain replaced."""
    if plan.nest.ifs[0] is tree:
        return plan.fn
    mark = Name("\x00")
    text = unparse(replace(tree, lambda n: mark if n is plan.nest.ifs[0] else None), None)
    return plan.fn if text is None else text.replace("\x00", plan.fn)


def _nested_if(report: Report, sheet: Sheet, coord: Coord, tree: Node, plan: _Plan, more: int) -> None:
    n = len(plan.nest.steps)
    zh_more, en_more = _more(more)
    verdict = plan.verdict
    reason = plan.reason
    if reason is None and verdict is not None and not verdict.ok:
        x = plan.nest.x
        if verdict.error is not None:
            reason = (f"无法计算核对改写（{verdict.error}）", f"the rewrite could not be checked ({verdict.error})")
        else:
            got, want, at = (_value_text(v) for v in (verdict.rewrite, verdict.formula, verdict.x))
            reason = (
                f"改写为 ={plan.fn} 后在 {x}={at} 时得 {got}，原公式得 {want}，付款不同",
                f"rewritten as ={plan.fn} it gives {got} at {x}={at} where the formula gives {want}: it pays differently",
            )
    if reason is not None:
        report.add(
            "lint.nested-if-kept", sheet.name, to_a1(*coord),
            f"{n} 层嵌套 IF 按阈值分档，但不能改写为 BAND/TIERED：{reason[0]}{zh_more}",
            f"{n} nested IFs over thresholds cannot be rewritten as BAND/TIERED: {reason[1]}{en_more}",
        )  # fmt: skip
        return
    assert verdict is not None
    table = "；".join(f"{number_text(a)} → {b}" for a, b in plan.rows)
    fn = _whole_text(tree, plan)
    report.add(
        "lint.nested-if", sheet.name, to_a1(*coord),
        f"{n} 层嵌套 IF 按阈值分档（{plan.mode[0]}，{plan.side}）：把档位放进参数表（{table}），"
        f"公式改为 ={fn}（已用引擎核对 {verdict.compared} 个取值：本列的值、各阈值及其 ±0.01、±1 和档间值，付款相同）"
        f"{zh_more}",
        f"{n} nested IFs over ascending thresholds ({plan.mode[1]}; edge "
        f"{'lower' if plan.side == '下含' else 'upper'} {plan.side}): put the bands in "
        f"a parameter table ({table.replace('；', '; ')}) and write ={fn} (checked with the engine on "
        f"{verdict.compared} values — the column's own, each threshold, ±0.01, ±1 and between — it pays the same)"
        f"{en_more}",
    )  # fmt: skip


def _value_text(v: CellValue) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, ExcelError):
        return v.code
    return "空 blank" if v is None else number_text(v)


def _first_column(wb: Workbook, sheet: str, node: Node) -> tuple[str, list[tuple[int, float]]] | None:
    if isinstance(node, Name):
        target = name_ref(wb, node.name)
        return None if target is None else _first_column(wb, sheet, target)
    if not isinstance(node, Ref) or not node.rows:
        return None
    s = find_sheet(wb, node.sheet or sheet)
    if s is None:
        return None
    bottom = min(node.bottom, s.max_row)
    col = [(r, v) for r in range(node.top, bottom + 1) if isinstance(v := s.values.get((r, node.left)), float)]
    return s.name, col


def _vlookup(report: Report, wb: Workbook, sheet: Sheet, coord: Coord, tree: Node, more: int) -> None:
    for func in function_names(tree):
        if _name(func) != "VLOOKUP" or len(func.args) < 3:
            continue
        if len(func.args) >= 4:
            flag = func.args[3]
            exact = (isinstance(flag, Bool) and not flag.value) or (isinstance(flag, Number) and flag.value == 0)
            if exact:
                continue
        found = _first_column(wb, sheet.name, func.args[1])
        if found is None:
            continue
        where, col = found
        bad = next(((r, v, p) for (pr, p), (r, v) in itertools.pairwise(col) if v <= p), None)
        if bad is None:
            continue
        r, v, p = bad
        table = _shown(func.args[1])
        x = _shown(func.args[0])
        col_no = _shown(func.args[2], "2")
        report.add(
            "lint.vlookup-unsorted", sheet.name, to_a1(*coord),
            f"VLOOKUP 近似匹配要求首列升序，但 {where}!{to_a1(r, _col(func.args[1], wb))} 的 "
            f"{number_text(v)} 不大于上一行的 {number_text(p)}，结果会取错档。排好序后改为 =BAND({x}, {table}, {col_no})"
            f"（BAND 会检查档位表）{_more(more)[0]}",
            f"VLOOKUP with approximate match needs an ascending first column, but {number_text(v)} at row {r} of "
            f"{where} is not above {number_text(p)}: wrong bands result. Sort it and write "
            f"=BAND({x}, {table}, {col_no}) (BAND checks its table){_more(more)[1]}",
        )  # fmt: skip


def _col(node: Node, wb: Workbook) -> int:
    target = name_ref(wb, node.name) if isinstance(node, Name) else node
    return target.left if isinstance(target, Ref) else 1


def _literals(tree: Node) -> Iterator[float]:
    """Numbers in the formula that are neither plain flags nor index arguments."""
    stack: list[tuple[Node, str | None, int]] = [(tree, None, -1)]
    while stack:
        cur, parent, i = stack.pop()
        if isinstance(cur, Number):
            if cur.value not in _PLAIN and (parent, i) not in _INDEX_ARGS:
                yield cur.value
        elif isinstance(cur, Func):
            stack.extend((a, _name(cur), k) for k, a in enumerate(cur.args))
        elif isinstance(cur, Binary):
            stack.extend(((cur.left, None, -1), (cur.right, None, -1)))
        elif isinstance(cur, Unary):
            stack.append((cur.operand, parent, i))


def _column_runs(sheet: Sheet, keys: dict[Coord, str]) -> dict[tuple[int, str], list[Coord]]:
    """Formula cells grouped by column and R1C1 form (``keys``: :func:`r1c1_keys`)."""
    runs: dict[tuple[int, str], list[Coord]] = {}
    for r, c in sorted(sheet.formulas):
        runs.setdefault((c, keys[(r, c)]), []).append((r, c))
    return runs


def _literal_rates(
    report: Report, sheet: Sheet, trees: dict[Coord, Node], skip: set[Coord], keys: dict[Coord, str]
) -> None:
    for (_c, _key), cells in _column_runs(sheet, keys).items():
        first = cells[0]
        if first in skip or first not in trees:
            continue
        nums = sorted(set(_literals(trees[first])))
        if not nums:
            continue
        shown = "、".join(number_text(n) for n in nums)
        span, span_en = _more(len(cells) - 1)
        report.add(
            "lint.literal-rate", sheet.name, to_a1(*first),
            f"公式里直接写了 {shown}{span}：改费率、金额等参数就得改公式。把它放进参数单元格并起个名称"
            "（如 提成比例），公式引用名称",
            f"{', '.join(number_text(n) for n in nums)} typed into the formula{span_en}: changing a rate or amount "
            "means editing formulas. Put it in a parameter cell with a defined name (e.g. 提成比例) and refer to the name",
        )  # fmt: skip


def _inconsistent(report: Report, sheet: Sheet, keys: dict[Coord, str]) -> None:
    by_col: dict[int, list[tuple[int, str]]] = {}
    for (r, c), f in sorted(sheet.formulas.items()):
        if f.kind == "normal":
            by_col.setdefault(c, []).append((r, keys[(r, c)]))
    for c, cells in by_col.items():
        for k in range(1, len(cells) - 1):
            (r0, above), (r, key), (r2, below) = cells[k - 1], cells[k], cells[k + 1]
            if r0 == r - 1 and r2 == r + 1 and above == below and key != above:
                common = Counter(x for _, x in cells).most_common(1)[0][0]
                if common != above:
                    continue
                want = "=" + shift_formula(sheet.formulas[(r0, c)].text, 1, 0)
                got = "=" + sheet.formulas[(r, c)].text
                report.add(
                    "lint.inconsistent", sheet.name, to_a1(r, c),
                    f"与上下行的公式不一致（Excel 的“不一致的公式”）：此处为 {got}，按上下行应为 {want}",
                    f"inconsistent with the formulas above and below (Excel's 'inconsistent formula'): "
                    f"{got} here, {want} by the rows around it",
                )  # fmt: skip


def _rank_ties(
    report: Report, wb: Workbook, sheet: Sheet, trees: dict[Coord, Node], readers: list[tuple[Sheet, Coord, Node]]
) -> None:
    """RANK over tied values whose rank column a prize formula reads."""
    seen: set[tuple[str, int]] = set()
    for coord, tree in trees.items():
        for func in function_names(tree):
            if _name(func) not in _RANKS or len(func.args) < 2 or (sheet.name, coord[1]) in seen:
                continue
            found = _first_column(wb, sheet.name, func.args[1])
            if found is None:
                continue
            values = [v for _r, v in found[1]]
            ties = sorted({v for v, n in Counter(values).items() if n > 1}, reverse=True)
            prize = _prize_reader(readers, sheet.name, coord[1])
            if not ties or prize is None:
                continue
            seen.add((sheet.name, coord[1]))
            values_text = _shown(func.args[1])
            report.add(
                "lint.rank-ties", sheet.name, to_a1(*coord),
                f"{values_text} 中有并列（{'、'.join(number_text(t) for t in ties[:3])}），RANK 给并列者同一名次，"
                f"{prize} 按名次发奖时并列者都拿满额，奖金可能超出预算。改用 "
                f'=RANK_PRIZE({values_text}, 奖项表, , , "均分") 或 "同奖"，写明并列怎么分',
                f"{values_text} has ties ({', '.join(number_text(t) for t in ties[:3])}): RANK gives them one place "
                f"and {prize} pays each of them in full, which can exceed the budget. Use "
                f'=RANK_PRIZE({values_text}, prizes, , , "均分") (share) or "同奖" (each) to say how ties are paid',
            )  # fmt: skip


def _representatives(sheet: Sheet, keys: dict[Coord, str]) -> dict[Coord, tuple[Node, list[Coord]]]:
    """The first cell of each column's group of same-shape formulas, parsed,
    with the group's cells (a filled-down column is parsed once)."""
    out: dict[Coord, tuple[Node, list[Coord]]] = {}
    for cells in _column_runs(sheet, keys).values():
        try:
            out[cells[0]] = (parse(sheet.formulas[cells[0]].text), cells)
        except FormulaSyntaxError:
            continue  # jixiao validate reports it
    return out


def _prize_reader(readers: list[tuple[Sheet, Coord, Node]], sheet: str, col: int) -> str | None:
    """A formula paying by the rank column: it reads that column and compares it
    or looks it up (IF, VLOOKUP, LOOKUP, INDEX/MATCH)."""
    for s, coord, tree in readers:
        if not any((r.sheet or s.name) == sheet and r.left <= col <= r.right for r in iter_refs(tree)):
            continue
        names = {_name(f) for f in function_names(tree)}
        if names & {"IF", "IFS", "VLOOKUP", "LOOKUP", "XLOOKUP", "INDEX", "CHOOSE"} and not names & _RANKS:
            return f"{s.name}!{to_a1(*coord)}"
    return None


def lint(path: str | Path) -> Report:
    """Every finding of the workbook at ``path``; raises
    :class:`~addin.xlsx.model.UnreadableWorkbookError`."""
    wb = read_workbook(path)
    report = Report(str(path))
    for repair in wb.repairs:
        report.note(*repair_note(repair.where, repair.reason))
    keys = {sheet.name: r1c1_keys(sheet) for sheet in wb.sheets}
    reps = {sheet.name: _representatives(sheet, keys[sheet.name]) for sheet in wb.sheets}
    readers = [(sheet, coord, tree) for sheet in wb.sheets for coord, (tree, _c) in reps[sheet.name].items()]
    plans: dict[tuple[str, Coord], _Plan] = {}
    for sheet in wb.sheets:
        for coord, (tree, cells) in reps[sheet.name].items():
            plan = _nest_plans(wb, sheet, cells, tree)
            if plan is not None:
                plans[(sheet.name, coord)] = plan
    to_prove = [p for p in plans.values() if p.candidate is not None]
    verdicts = prove(wb, [p.candidate for p in to_prove if p.candidate is not None]) if to_prove else []
    for key, plan in list(plans.items()):
        if plan.candidate is not None:
            plans[key] = dataclasses.replace(plan, verdict=verdicts[to_prove.index(plan)])
    for sheet in wb.sheets:
        trees = {coord: tree for coord, (tree, _c) in reps[sheet.name].items()}
        chained: set[Coord] = set()
        for coord, (tree, cells) in sorted(reps[sheet.name].items()):
            plan = plans.get((sheet.name, coord))
            if plan is not None:
                _nested_if(report, sheet, coord, tree, plan, len(cells) - 1)
                if plan.verdict is not None and plan.verdict.ok:
                    chained.add(coord)
            _vlookup(report, wb, sheet, coord, tree, len(cells) - 1)
        _literal_rates(report, sheet, trees, chained, keys[sheet.name])
        _inconsistent(report, sheet, keys[sheet.name])
        _rank_ties(report, wb, sheet, trees, readers)
    return report


def render(report: Report, lang: Lang) -> str:
    """A heading, then one line per finding."""
    notes = [f"  ({say(lang, zh, en)})" for zh, en in report.notes]
    if not report.problems:
        return "\n".join([f"{report.path}: " + say(lang, "未发现可替换的写法", "nothing to replace"), *notes])
    n = len(report.problems)
    head = say(lang, f"{n} 处可改进", f"{n} finding{'s' if n != 1 else ''}")
    findings = [f"  {p.where}  [{p.code}] {p.text(lang)}" for p in report.problems]
    return "\n".join([f"{report.path}: {head}", *notes, *findings])


@click.command("lint")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@language_option()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON for machines")
def lint_command(workbook: Path, lang: Lang, as_json: bool) -> None:
    """找出手写公式中可用本工具函数替换的写法 / find hand-written patterns our functions replace.

    退出码 / exit code: 0 未发现 nothing found, 1 有发现 findings, 2 无法读取 unreadable.
    """
    report = read_or_exit(lint, workbook)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(report, lang))
    sys.exit(1 if report.problems else 0)
