"""``jixiao lint WORKBOOK``: find, in a hand-written office workbook, the
patterns our functions replace, cell by cell, with the replacement.

=========================  ====================================================
code                       pattern
=========================  ====================================================
``lint.nested-if``         nested ``IF`` over ascending thresholds → ``BAND`` or
                           ``TIERED`` (and which mode the chain computes)
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

import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from addin.maintain import read_or_exit
from addin.maintain.explain import unparse
from addin.validate.extents import iter_refs
from addin.validate.report import Lang, Report
from addin.validate.view import find_sheet, name_ref
from addin.xlsx.a1 import to_a1
from addin.xlsx.formula import (
    Binary,
    Bool,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    Number,
    Ref,
    Unary,
    function_names,
    parse,
    r1c1_key,
)
from addin.xlsx.model import Coord, Sheet, Workbook
from addin.xlsx.package import read_workbook, shift_formula
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
_FLIP = {">=": "<=", ">": "<", "<": ">", "<=": ">="}
_RANKS = {"RANK", "RANK.EQ", "RANK.AVG"}


@dataclass(frozen=True)
class _Step:
    op: str  # the comparison with x on the left
    x: str
    threshold: float
    value: Node


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


def _chain(wb: Workbook, sheet: str, node: Node) -> tuple[list[_Step], Node] | None:
    """The comparisons of a nested IF chain on one value, and its last else."""
    steps: list[_Step] = []
    while isinstance(node, Func) and _name(node) == "IF" and len(node.args) in (2, 3):
        cond = node.args[0]
        if not isinstance(cond, Binary) or cond.op not in _FLIP:
            break
        op, x, t = cond.op, cond.left, _number(wb, sheet, cond.right)
        if t is None:
            op, x, t = _FLIP[cond.op], cond.right, _number(wb, sheet, cond.left)
        x_text = unparse(x, None)
        if t is None or x_text is None:
            break
        steps.append(_Step(op, x_text, t, node.args[1]))
        node = node.args[2] if len(node.args) == 3 else Bool(False)
    if len(steps) < 2 or len({s.x for s in steps}) != 1 or len({s.op for s in steps}) != 1:
        return None
    ts = [s.threshold for s in steps]
    descending = all(a > b for a, b in itertools.pairwise(ts))
    ascending = all(a < b for a, b in itertools.pairwise(ts))
    if (steps[0].op in (">=", ">") and descending) or (steps[0].op in ("<", "<=") and ascending):
        return steps, node
    return None


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


def _rate(node: Node, x: str) -> str | None:
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
                        return unparse(other, None)
            stack.extend((cur.left, cur.right))
    return None


def _bands(steps: list[_Step], last: Node, rates_of: str | None) -> tuple[list[tuple[float, str]], str]:
    """The band table (start, value text — or the rate of ``rates_of`` when
    given) a chain computes, and its side."""

    def text(node: Node) -> str:
        if rates_of is not None:
            if isinstance(node, Number) and node.value == 0:
                return "0"
            return _rate(node, rates_of) or "?"
        return _shown(node)

    vals = [text(s.value) for s in steps]
    else_text = text(last)
    if steps[0].op in (">=", ">"):
        rows = [(0.0, else_text)] + [(s.threshold, v) for s, v in reversed(list(zip(steps, vals, strict=True)))]
        side = "下含" if steps[0].op == ">=" else "上含"
    else:
        starts = [0.0] + [s.threshold for s in steps]
        rows = list(zip(starts, [*vals, else_text], strict=True))
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


def _nested_if(report: Report, wb: Workbook, sheet: Sheet, coord: Coord, tree: Node, more: int) -> bool:
    for func in function_names(tree):
        found = _chain(wb, sheet.name, func)
        if found is None:
            continue
        steps, last = found
        x = steps[0].x
        values = [s.value for s in steps] + [last]
        tiered = all(_rate(v, x) or (isinstance(v, Number) and v.value == 0) for v in values)
        rows, side = _bands(steps, last, x if tiered else None)
        table = "；".join(f"{number_text(a)} → {b}" for a, b in rows)
        side_arg = "" if side == "下含" else ', "上含"'
        if tiered and not any(_uses(v, x, "-") for v in values):
            fn, mode = f'TIERED({x}, 档位表, "全额"{side_arg})', ("全额", "whole: all of x at its band's rate")
        elif tiered:
            fn, mode = f'TIERED({x}, 档位表, "超额"{side_arg})', ("超额", "marginal: each slice at its band's rate")
        else:
            band_side = "" if side == "下含" else ', , "上含"'
            fn, mode = f"BAND({x}, 档位表{band_side})", ("查档取值", "a band lookup: the value of the band holding x")
        zh, en = _more(more)
        report.add(
            "lint.nested-if", sheet.name, to_a1(*coord),
            f"{len(steps)} 层嵌套 IF 按阈值分档（{mode[0]}，{side}）：把档位放进参数表（{table}），"
            f"公式改为 ={fn}{zh}",
            f"{len(steps)} nested IFs over ascending thresholds ({mode[1]}; edge "
            f"{'lower' if side == '下含' else 'upper'} {side}): put the bands in "
            f"a parameter table ({table.replace('；', '; ')}) and write ={fn}{en}",
        )  # fmt: skip
        return True
    return False


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


def _column_runs(sheet: Sheet) -> dict[tuple[int, str], list[Coord]]:
    """Formula cells grouped by column and R1C1 form."""
    runs: dict[tuple[int, str], list[Coord]] = {}
    for (r, c), f in sorted(sheet.formulas.items()):
        runs.setdefault((c, r1c1_key(f.text, r, c)), []).append((r, c))
    return runs


def _literal_rates(report: Report, sheet: Sheet, trees: dict[Coord, Node], skip: set[Coord]) -> None:
    for (_c, _key), cells in _column_runs(sheet).items():
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


def _inconsistent(report: Report, sheet: Sheet) -> None:
    by_col: dict[int, list[tuple[int, str]]] = {}
    for (r, c), f in sorted(sheet.formulas.items()):
        if f.kind == "normal":
            by_col.setdefault(c, []).append((r, r1c1_key(f.text, r, c)))
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


def _representatives(sheet: Sheet) -> dict[Coord, tuple[Node, int]]:
    """The first cell of each column's group of same-shape formulas, parsed,
    with how many more cells share it (a filled-down column is parsed once)."""
    out: dict[Coord, tuple[Node, int]] = {}
    for cells in _column_runs(sheet).values():
        try:
            out[cells[0]] = (parse(sheet.formulas[cells[0]].text), len(cells) - 1)
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
    reps = {sheet.name: _representatives(sheet) for sheet in wb.sheets}
    readers = [(sheet, coord, tree) for sheet in wb.sheets for coord, (tree, _n) in reps[sheet.name].items()]
    for sheet in wb.sheets:
        trees = {coord: tree for coord, (tree, _n) in reps[sheet.name].items()}
        chained: set[Coord] = set()
        for coord, (tree, more) in sorted(reps[sheet.name].items()):
            if _nested_if(report, wb, sheet, coord, tree, more):
                chained.add(coord)
            _vlookup(report, wb, sheet, coord, tree, more)
        _literal_rates(report, sheet, trees, chained)
        _inconsistent(report, sheet)
        _rank_ties(report, wb, sheet, trees, readers)
    return report


def render(report: Report, lang: Lang) -> str:
    """A heading, then one line per finding."""
    if not report.problems:
        return f"{report.path}: " + ("未发现可替换的写法" if lang == "zh" else "nothing to replace")
    n = len(report.problems)
    head = f"{n} 处可改进" if lang == "zh" else f"{n} finding{'s' if n != 1 else ''}"
    return "\n".join([f"{report.path}: {head}", *(f"  {p.where}  [{p.code}] {p.text(lang)}" for p in report.problems)])


@click.command("lint")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="报告语言 / report language")
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
