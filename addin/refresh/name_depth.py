"""How deep defined names nest, measured without recursion, and the limit.

A defined name may refer to another (``总额`` = ``底薪+奖金``, ``奖金`` = …). The
engine evaluates a name by evaluating the names it refers to, one stack frame
group per level, so a chain of 12,000 names ran out of stack (a ``RecursionError``,
exit 3). This module measures each name's nesting depth iteratively — a name
that refers to no name is depth 1, otherwise one more than the deepest name it
refers to — and :func:`check_name_depth` refuses, naming every formula cell that
reads a name nested deeper than :data:`MAX_NAME_DEPTH`, before anything is
evaluated (exit 2, nothing written; validate lists them). Names that refer to
themselves through others are the engine's to report (``#NAME?``); here a
cycle counts once.

名称嵌套深度：逐层迭代计算，超过上限的名称被引用时，列出引用它的单元格并拒绝计算。
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from addin.xlsx.formula import FormulaSyntaxError, Name, Node, parse
from addin.xlsx.model import CellRef, UnsupportedFormulaError, Workbook

__all__ = ["MAX_NAME_DEPTH", "NestingTooDeepError", "check_name_depth", "name_depths"]

#: the deepest chain of defined names a formula may read. Chains of 8,000 were
#: measured to compute right in the engine's deep stack and 12,000 to exhaust
#: it; this leaves room for deep formulas inside the names.
MAX_NAME_DEPTH = 4_000


class NestingTooDeepError(UnsupportedFormulaError):
    """Formula cells reading names nested deeper than :data:`MAX_NAME_DEPTH`."""


#: a word that may be a defined name (a cheap first sieve before parsing)
_IDENTIFIER = re.compile(r"[^\W\d][\w.]*")


def _child_nodes(node: Node) -> Iterator[Node]:
    for attr in ("args", "items"):
        kids = getattr(node, attr, None)
        if isinstance(kids, tuple | list):
            yield from kids
    for attr in ("left", "right", "operand", "anchor"):
        kid = getattr(node, attr, None)
        if kid is not None and not isinstance(kid, str | int | float | bool):
            yield kid


def _names_in(text: str) -> set[str]:
    """The defined names (case-folded) a formula text refers to."""
    try:
        root = parse(text)
    except (FormulaSyntaxError, RecursionError, ValueError):
        return set()
    found: set[str] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.add(node.name.casefold())
        stack.extend(_child_nodes(node))
    return found


def name_depths(wb: Workbook) -> dict[str, int]:
    """Each defined name's nesting depth (case-folded name → depth; definitions
    of one name in several scopes count as their deepest)."""
    refers: dict[str, set[str]] = {}
    for dn in wb.names:
        refers.setdefault(dn.name.casefold(), set()).update(_names_in(dn.text))
    depth: dict[str, int] = {}
    for start in refers:
        if start in depth:
            continue
        # iterative post-order walk; a name met again while open is a cycle
        open_names: set[str] = {start}
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(refers[start]))]
        while stack:
            name, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                open_names.discard(name)
                depth[name] = 1 + max(
                    (depth.get(c, 0) for c in refers[name] if c in refers), default=0
                )
                continue
            if child in refers and child not in depth and child not in open_names:
                open_names.add(child)
                stack.append((child, iter(refers[child])))
    return depth


def check_name_depth(wb: Workbook) -> None:
    """Raise :class:`UnsupportedFormulaError` naming every formula cell that reads
    a defined name nested deeper than :data:`MAX_NAME_DEPTH`."""
    if len(wb.names) <= MAX_NAME_DEPTH:
        return  # a chain needs that many names: the common case costs nothing
    depths = name_depths(wb)
    deep = {n for n, d in depths.items() if d > MAX_NAME_DEPTH}
    if not deep:
        return
    cells: list[tuple[CellRef, str]] = []
    for sheet in wb.sheets:
        for coord, formula in sheet.formulas.items():
            source = formula.group.text if formula.group is not None else formula.text
            words = {w.casefold() for w in _IDENTIFIER.findall(source)} & deep
            if not words or not (words := _names_in(source) & deep):
                continue
            level = max(depths[n] for n in words)
            cells.append(
                (
                    CellRef(sheet.name, coord),
                    f"名称嵌套 {level} 层，超过上限 {MAX_NAME_DEPTH} 层 / reads defined names "
                    f"nested {level} levels deep, more than the limit of {MAX_NAME_DEPTH}",
                )
            )
    if cells:
        raise NestingTooDeepError(
            f"{cells[0][0]}: {cells[0][1]}" + (f" (+{len(cells) - 1})" if len(cells) > 1 else ""),
            cells,
        )
