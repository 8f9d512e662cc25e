"""The dependency graph: the functions a block calls (refused before anything
is computed when unsupported), the rectangles it reads, and the blocks in an
order that computes every precedent first (cycles reported).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any

from addin.refresh import data_tables
from addin.refresh.engine.blocks import Block, group_blocks, shift_node
from addin.refresh.engine.grid import (
    ref_bounds,
)
from addin.refresh.engine.names import NamesMixin, relative_to
from addin.refresh.engine.setup import Rect
from addin.refresh.functions import Area, CallContext
from addin.xlsx.excel_names import is_excel_function, misspelling_of
from addin.xlsx.formula import (
    Binary,
    FormulaSyntaxError,
    Func,
    Intersect,
    Name,
    Node,
    Percent,
    RangeOp,
    Ref,
    SpillRef,
    StructRef,
    Unary,
    Union,
    formula_excerpt,
    parse,
)
from addin.xlsx.model import (
    CellRef,
    CircularReferenceError,
    UnsupportedFormulaError,
)


class GraphMixin(NamesMixin):
    """What each block reads, and an order that computes it first."""

    def build_blocks(self) -> None:
        """The workbook's formula cells as blocks (:func:`.blocks.group_blocks`),
        each parsed and checked (:meth:`parse_blocks`)."""
        self.blocks = group_blocks(self.wb, self.grids, self._formula_coords, self.spill_extents)
        self.parse_blocks()

    def parse_blocks(self) -> None:
        """Parse every block's tree (a shared formula's is parsed already) and
        raise :class:`UnsupportedFormulaError` listing every cell whose formula
        does not parse or calls a function the engine lacks, before anything
        is computed."""
        unsupported: list[tuple[CellRef, str]] = []
        functions: dict[str, int] = {}
        unreadable = 0
        for b in self.blocks:
            try:
                if b.node is None:
                    b.node = parse(b.formula.text)
            except FormulaSyntaxError as exc:
                unreadable += b.n
                for cell in b.cells():
                    unsupported.append(
                        (
                            CellRef(self.grids[b.sheet].name, cell),
                            f"无法解析的公式（如外部链接）/ unreadable formula "
                            f"(e.g. a link to another workbook): {formula_excerpt(b.formula.text)} ({exc})",
                        )
                    )
                continue
            if data_tables.is_data_table(b):
                continue  # {=TABLE(…)}: computed per input by data_tables
            for fname in dict.fromkeys(self._unsupported_in(b.node)):
                shown = Func(fname, ()).base_name  # as Excel shows it: _XLFN.UNICHAR is UNICHAR
                functions[shown] = functions.get(shown, 0) + b.n
                for cell in b.cells():
                    unsupported.append(
                        (
                            CellRef(self.grids[b.sheet].name, cell),
                            f"不支持的函数 / unsupported function {shown}",
                        )
                    )
        if unsupported:
            parts = []
            if functions:
                listed = ", ".join(f"{k} ({v})" for k, v in sorted(functions.items()))
                parts.append(f"不支持的函数 / unsupported functions: {listed}")
            if unreadable:
                parts.append(f"无法解析的公式 / unreadable formulas: {unreadable}")
            raise UnsupportedFormulaError(
                f"{len({c for c, _ in unsupported})} 个单元格的公式无法计算 / "
                f"{len({c for c, _ in unsupported})} cells have formulas the engine cannot "
                "compute; " + "; ".join(parts),
                unsupported,
            )

    def _unsupported_in(self, node: Node) -> list[str]:
        out: list[str] = []
        seen: set[tuple[str | None, str]] = set()
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, Func):
                if self.spec(cur.name) is None:
                    lam = self._lambda_of(cur.name, None)
                    if lam is None:
                        if not self.unknown_to_excel(cur.name):
                            out.append(cur.name)
                    elif lam.args:
                        stack.append(lam.args[-1])
                stack.extend(cur.args)
            elif isinstance(cur, Unary | Percent):
                stack.append(cur.operand)
            elif isinstance(cur, Binary | RangeOp | Intersect):
                stack.extend((cur.left, cur.right))
            elif isinstance(cur, Union):
                stack.extend(cur.items)
            elif isinstance(cur, SpillRef):
                stack.append(cur.anchor)
            elif isinstance(cur, Name):
                key = (cur.sheet, cur.name.casefold())
                if key in seen:
                    continue
                seen.add(key)
                dn = self._name_node(cur, None)
                if dn is not None:
                    stack.append(dn)
        return out

    def unknown_to_excel(self, name: str) -> bool:
        """Whether Excel answers a call to ``name`` with #NAME?, which the
        evaluator gives too, rather than the call being one the engine cannot
        compute (the workbook is refused, naming it).

        Excel shows #NAME? for a name it does not know, unless a user-defined
        function of that name is loaded (VBA in the workbook, an add-in, the
        personal macro workbook). So: ``_xlfn.`` before a name Excel lacks is
        #NAME? (only Excel writes that prefix); a bare name is #NAME? when it is
        a misspelling of an Excel function (``SUMM(``, ``VLOKUP(``: the
        validator's "did you mean") in a workbook without VBA. Any other
        unknown name may be a user-defined function (``Comment(A1)`` in
        sheetjs's comments test, computed by one) and is refused, as are
        add-in calls (``_xll.``)."""
        upper = name.upper()
        base = Func(name, ()).base_name
        if upper.startswith("_XLL.") or is_excel_function(base):
            return False
        if upper.startswith("_XLFN."):
            return True
        return not self.wb.macros and bool(misspelling_of(base))

    def precedents(self, b: Block) -> list[tuple[str, int, int, int, int]]:
        out: list[tuple[str, int, int, int, int]] = []
        seen_names: set[tuple[str | None, str]] = set()

        def walk(node: Node, sheet: str, shift: bool) -> None:
            stack: list[tuple[Node, str, bool]] = [(node, sheet, shift)]
            while stack:
                cur, sh, sft = stack.pop()
                if isinstance(cur, Ref):
                    key = cur.sheet.casefold() if cur.sheet else sh
                    if key not in self.grids:
                        parts = self.three_d_parts(cur)
                        if parts is not None:
                            stack.extend((dataclasses.replace(parts[1], sheet=n), sh, sft)
                                         for n in parts[0])  # fmt: skip
                        continue
                    last = cur.shifted(b.n - 1, 0) if sft else cur
                    top, bottom = min(cur.top, last.top), max(cur.bottom, last.bottom)
                    g = self.grids[key]
                    out.append(
                        (
                            key,
                            top,
                            cur.left,
                            min(bottom, g.limit_rows),
                            min(cur.right, g.limit_cols),
                        )
                    )
                elif isinstance(cur, Func):
                    stack.extend((a, sh, sft) for a in cur.args)
                    if self.spec(cur.name) is None:
                        lam = self._lambda_of(cur.name, sh)
                        if lam is not None and lam.args:
                            stack.append((lam.args[-1], sh, False))
                elif isinstance(cur, Unary | Percent):
                    stack.append((cur.operand, sh, sft))
                elif isinstance(cur, Binary | RangeOp | Intersect):
                    parts = self.three_d_parts(cur)
                    if parts is not None:
                        stack.extend((dataclasses.replace(parts[1], sheet=n), sh, sft)
                                     for n in parts[0])  # fmt: skip
                        continue
                    stack.append((cur.left, sh, sft))
                    stack.append((cur.right, sh, sft))
                elif isinstance(cur, Union):
                    stack.extend((a, sh, sft) for a in cur.items)
                elif isinstance(cur, SpillRef):
                    stack.append((cur.anchor, sh, sft))
                    if isinstance(cur.anchor, Ref):
                        key = cur.anchor.sheet.casefold() if cur.anchor.sheet else sh
                        f = self._formula_at(key, (cur.anchor.top, cur.anchor.left))
                        if f is not None and f.ref:
                            (r1, c1), (r2, c2) = ref_bounds(f.ref)
                            out.append((key, r1, c1, r2, c2))
                        wider = self.spill_extents.get((key, (cur.anchor.top, cur.anchor.left)))
                        if wider is not None:
                            out.append((key, cur.anchor.top, cur.anchor.left, *wider))
                elif isinstance(cur, Name):
                    dn = self._name_def(cur, sh)
                    if dn is None:
                        continue
                    k = (dn.sheet, dn.name.casefold())
                    if k in seen_names:
                        continue
                    seen_names.add(k)
                    nn = self._name_node(cur, sh)
                    if nn is not None:
                        nsh = dn.sheet.casefold() if dn.sheet else sh
                        # relative parts seen from the block's first row, spread over its rows
                        stack.append((relative_to(nn, b.row - 1, b.col - 1), nsh, sft))
                elif isinstance(cur, StructRef):
                    grid = self.grids[sh]
                    for row in (b.row, b.row + b.n - 1):
                        a = self.struct_area(cur, CallContext(grid, row, b.col))
                        if isinstance(a, Area):
                            out.append((a.grid.name.casefold(), a.top, a.left, a.bottom, a.right))

        assert b.node is not None
        walk(b.node, b.sheet, True)
        if data_tables.is_data_table(b) and b.formula.ref:
            (r1, c1), (r2, c2) = ref_bounds(b.formula.ref)
            out.extend(data_tables.precedents(b, r1, c1, r2, c2))
        for sheet, top, bottom, col, rect in self.late_reads:
            if sheet == b.sheet and b.col <= col <= b.right and top <= b.bottom and bottom >= b.row:
                out.append(rect)
        return out

    def _dynamic_read(self, area: Area) -> None:
        """OFFSET/INDIRECT evaluated to ``area`` inside the block being evaluated."""
        if self._current is not None:
            g = self.grids[area.grid.name.casefold()]
            rect = (g.name.casefold(), area.top, area.left,
                    min(area.bottom, g.limit_rows), min(area.right, g.limit_cols))  # fmt: skip
            self.dynamic_reads.append((self._current, rect))

    def late(self, order: list[Block]) -> list[tuple[str, int, int, int, Rect]]:
        """Reads through OFFSET/INDIRECT of formula cells computed after the
        reader: the precedents the next pass must add."""
        if not self.dynamic_reads:
            return []
        pos = {id(b): i for i, b in enumerate(order)}
        index = self._index()
        out = []
        for reader, rect in self.dynamic_reads:
            if any(pos.get(id(self.blocks[j]), -1) >= pos[id(reader)]
                   for j in self._query(index, rect)):  # fmt: skip
                out.append((reader.sheet, reader.row, reader.bottom, reader.col, rect))
        return list(dict.fromkeys(out))

    def order(self) -> list[Block]:
        """Blocks in an order that computes every precedent first."""
        while True:
            # split blocks that read their own cells (running totals)
            split: list[Block] = []
            for b in self.blocks:
                if b.n > 1 and b.node is not None and self._reads_itself(b):
                    split.extend(self._split(b))
                else:
                    split.append(b)
            self.blocks = split
            index = self._index()
            for i, b in enumerate(self.blocks):
                b.deps = set()
                if b.node is None:
                    continue
                for rect in self.precedents(b):
                    b.deps.update(self._query(index, rect))
                b.deps.discard(i) if b.n > 1 else None
            order, left = _toposort(self.blocks)
            if not left:
                return [self.blocks[i] for i in order]
            cycles = _cycles(self.blocks, left)
            multi = {i for comp in cycles for i in comp if self.blocks[i].n > 1}
            if not multi:
                cells: list[tuple[CellRef, str]] = []
                for comp in cycles:
                    for i in comp:
                        blk = self.blocks[i]
                        for cell in blk.cells():
                            cells.append(
                                (
                                    CellRef(self.grids[blk.sheet].name, cell),
                                    "循环引用 / circular reference",
                                )
                            )
                cells.sort(key=lambda t: (t[0].sheet, t[0].coord))
                raise CircularReferenceError(
                    "公式存在循环引用 / circular reference: "
                    + ", ".join(str(c) for c, _ in cells[:20])
                    + (" …" if len(cells) > 20 else ""),
                    cells,
                )
            new: list[Block] = []
            for i, b in enumerate(self.blocks):
                new.extend(self._split(b) if i in multi else [b])
            self.blocks = new

    def _reads_itself(self, b: Block) -> bool:
        for sheet, top, left, bottom, right in self.precedents(b):
            if sheet == b.sheet and left <= b.col <= right and top <= b.bottom and bottom >= b.row:
                return True
        return False

    def _split(self, b: Block) -> list[Block]:
        out = []
        for i in range(b.n):
            r = b.row + i
            # the same formula seen from row r: re-parse only the shift
            nb = Block(
                b.sheet, r, b.col, 1, b.formula, shift_node(b.node, i), bottom=r, right=b.col
            )
            out.append(nb)
        return out

    def _index(self) -> dict[str, dict[int, tuple[list[int], list[int], list[int]]]]:
        raw: dict[str, dict[int, list[tuple[int, int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for i, b in enumerate(self.blocks):
            for c in range(b.col, b.right + 1):
                raw[b.sheet][c].append((b.row, b.bottom, i))
        index: dict[str, dict[int, tuple[list[int], list[int], list[int]]]] = {}
        for sheet, cols in raw.items():
            index[sheet] = {}
            for c, lst in cols.items():
                lst.sort()
                # a running maximum of ends makes the interval search exact
                ends, run = [], 0
                for _, e, _ in lst:
                    run = max(run, e)
                    ends.append(run)
                index[sheet][c] = ([s for s, _, _ in lst], ends, [i for _, _, i in lst])
        return index

    def _query(self, index: dict[str, Any], rect: tuple[str, int, int, int, int]) -> Iterable[int]:
        sheet, top, left, bottom, right = rect
        cols = index.get(sheet)
        if not cols:
            return ()
        found: list[int] = []
        if right - left + 1 > len(cols):
            candidates: Iterable[int] = (c for c in cols if left <= c <= right)
        else:
            candidates = (c for c in range(left, right + 1) if c in cols)
        for c in candidates:
            starts, ends, ids = cols[c]
            k = bisect_left(ends, top)
            while k < len(starts) and starts[k] <= bottom:
                found.append(ids[k])
                k += 1
        return found


def _toposort(blocks: list[Block]) -> tuple[list[int], set[int]]:
    n = len(blocks)
    indeg = [0] * n
    users: list[list[int]] = [[] for _ in range(n)]
    for i, b in enumerate(blocks):
        for d in b.deps:
            users[d].append(i)
            indeg[i] += 1
    queue = deque(i for i in range(n) if indeg[i] == 0)
    order: list[int] = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for u in users[i]:
            indeg[u] -= 1
            if indeg[u] == 0:
                queue.append(u)
    left = set(range(n)) - set(order)
    return order, left


def _cycles(blocks: list[Block], nodes: set[int]) -> list[list[int]]:
    """Strongly connected components among ``nodes`` that are real cycles
    (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on: set[int] = set()
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(d for d in blocks[root].deps if d in nodes)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(d for d in blocks[w].deps if d in nodes))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in blocks[v].deps:
                    comps.append(comp)
    return comps
