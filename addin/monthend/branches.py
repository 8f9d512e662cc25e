"""Which branch of each ``IF`` / ``IFS`` a cell's formula took, for
``jixiao explain``: the condition is evaluated for the cell's row on the
values the explanation shows (a reference, a name's cell for the row, a
lookup, literals, comparisons, arithmetic, ``&``, ``AND``/``OR``/``NOT``,
``ISBLANK``/``ISNUMBER``/``ISTEXT``), as Excel compares (text
case-insensitively, a blank as 0 or ""). Calls and references that sit only in
a branch not taken are marked so the explanation can grey them; a condition
it cannot evaluate leaves both branches unmarked and says so.

条件分支：按本行的值判断 IF/IFS 的条件，标出采用的分支，未采用分支里的函数与引用标为“未采用”。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from addin.maintain.explain import unparse
from addin.xlsx.formula import (
    Binary,
    Bool,
    Func,
    Node,
    Number,
    Percent,
    Text,
    Unary,
    children,
)
from addin.xlsx.model import CellValue
from udfs.errors import ExcelError
from udfs.explain import number_text

__all__ = ["Branches", "branches"]

Scalar = Callable[[Node], CellValue]  # raises LookupError when it cannot read a node


@dataclass
class Branches:
    """What :func:`branches` found: the nodes (by ``id``) inside branches not
    taken, and one line per decided (or undecided) condition."""

    not_taken: set[int] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)

    def taken(self, node: Node) -> bool:
        """Whether ``node`` lies on the path the formula took."""
        return id(node) not in self.not_taken


class _UnknownError(Exception):
    """A condition that cannot be evaluated here."""


def _compare(op: str, a: CellValue, b: CellValue) -> bool:
    if a is None:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)

    def rank(v: CellValue) -> tuple[int, object]:
        if isinstance(v, bool):
            return 2, v
        if isinstance(v, str):
            return 1, v.casefold()
        return 0, v

    ka, kb = rank(a), rank(b)
    if op == "=":
        return ka == kb
    if op == "<>":
        return ka != kb
    less = ka[0] < kb[0] if ka[0] != kb[0] else ka[1] < kb[1]  # type: ignore[operator]
    equal = ka == kb
    return {"<": less, "<=": less or equal, ">": not less and not equal, ">=": not less}[op]


def _number(v: CellValue) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, float | int):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise _UnknownError from None
    raise _UnknownError


def _evaluate(node: Node, scalar: Scalar) -> CellValue:
    """The value of a condition (or a part of one) for the row."""
    if isinstance(node, Number | Text | Bool):
        return node.value
    if isinstance(node, Unary) and node.op in "+-":
        v = _number(_evaluate(node.operand, scalar))
        return -v if node.op == "-" else v
    if isinstance(node, Percent):
        return _number(_evaluate(node.operand, scalar)) / 100
    if isinstance(node, Binary):
        a, b = _evaluate(node.left, scalar), _evaluate(node.right, scalar)
        if isinstance(a, ExcelError) or isinstance(b, ExcelError):
            raise _UnknownError
        if node.op in ("=", "<>", "<", "<=", ">", ">="):
            return _compare(node.op, a, b)
        if node.op == "&":
            return "".join("" if v is None else number_text(v) if not isinstance(v, str) else v for v in (a, b))
        x, y = _number(a), _number(b)
        if node.op == "+":
            return x + y
        if node.op == "-":
            return x - y
        if node.op == "*":
            return x * y
        if node.op == "/" and y != 0:
            return x / y
        if node.op == "^":
            return float(x**y)
        raise _UnknownError
    if isinstance(node, Func):
        name = node.base_name.upper()
        if name in ("AND", "OR"):
            values = [_truth(_evaluate(a, scalar)) for a in node.args]
            return all(values) if name == "AND" else any(values)
        if name == "NOT" and len(node.args) == 1:
            return not _truth(_evaluate(node.args[0], scalar))
        if name in ("TRUE", "FALSE") and not node.args:
            return name == "TRUE"
        if name in ("ISBLANK", "ISNUMBER", "ISTEXT") and len(node.args) == 1:
            arg = _evaluate(node.args[0], scalar)
            if name == "ISBLANK":
                return arg is None
            if name == "ISTEXT":
                return isinstance(arg, str)
            return isinstance(arg, float | int) and not isinstance(arg, bool)
    try:
        return scalar(node)
    except LookupError:
        raise _UnknownError from None


def _truth(v: CellValue) -> bool:
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if isinstance(v, float | int):
        return v != 0
    if isinstance(v, str) and v.upper() in ("TRUE", "FALSE"):
        return v.upper() == "TRUE"
    raise _UnknownError


def _shown(node: Node) -> str:
    return unparse(node, None) or "…"


def _value_text(v: CellValue) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return f'"{v}"' if isinstance(v, str) else number_text(v)


def _inside(node: Node) -> list[Node]:
    """Every node of a sub-tree, itself included."""
    out: list[Node] = []
    stack = [node]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(children(cur))
    return out


def branches(tree: Node, scalar: Scalar) -> Branches:
    """The branches ``tree`` took at the row ``scalar`` reads values for."""
    out = Branches()

    def drop(node: Node) -> None:
        out.not_taken.update(id(n) for n in _inside(node))

    def visit(node: Node) -> None:
        if id(node) in out.not_taken:
            return
        if isinstance(node, Func) and node.base_name.upper() == "IF" and len(node.args) in (2, 3):
            cond = node.args[0]
            visit(cond)
            try:
                value = _truth(_evaluate(cond, scalar))
            except _UnknownError:
                out.lines.append(
                    f"IF({_shown(cond)}, …)：条件无法按本行判断，两个分支都列出 / "
                    "the condition cannot be evaluated for this row: both branches shown"
                )
                for arg in node.args[1:]:
                    visit(arg)
                return
            branch = 1 if value else 2
            used = node.args[branch] if branch < len(node.args) else None
            other = node.args[3 - branch] if 3 - branch < len(node.args) else None
            used_text = _shown(used) if used is not None else "FALSE"
            out.lines.append(
                f"▶ IF({_shown(cond)}) 为 {_value_text(value)}：采用第 {branch} 个分支 {used_text}"
                + (f"；✗ 未采用 {_shown(other)}" if other is not None else "")
                + f" / the condition is {_value_text(value)}: branch {branch} is used"
                + (", the other is not" if other is not None else "")
            )
            if other is not None:
                drop(other)
            if used is not None:
                visit(used)
            return
        if isinstance(node, Func) and node.base_name.upper() == "IFS" and len(node.args) >= 2:
            pairs = list(zip(node.args[::2], node.args[1::2], strict=False))
            for k, (cond, value_node) in enumerate(pairs, start=1):
                visit(cond)
                try:
                    hit = _truth(_evaluate(cond, scalar))
                except _UnknownError:
                    out.lines.append(
                        f"IFS 第 {k} 个条件 {_shown(cond)} 无法按本行判断，其后的分支都列出 / "
                        f"condition {k} cannot be evaluated for this row: the branches from it on are shown"
                    )
                    for c, v in pairs[k - 1 :]:
                        visit(c)
                        visit(v)
                    return
                if hit:
                    out.lines.append(
                        f"▶ IFS 第 {k} 个条件 {_shown(cond)} 成立：采用 {_shown(value_node)}；其余分支未采用 / "
                        f"condition {k} holds: its value is used, the others are not"
                    )
                    visit(value_node)
                    for c, v in pairs[k:]:
                        drop(c)
                        drop(v)
                    for _c, v in pairs[: k - 1]:
                        drop(v)
                    return
            for _c, v in pairs:
                drop(v)
            out.lines.append("IFS 没有条件成立（#N/A）/ no condition holds (#N/A)")
            return
        for child in children(node):
            visit(child)

    visit(tree)
    return out
