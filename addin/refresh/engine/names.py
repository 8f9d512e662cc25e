"""Names: defined names (their trees, scopes, relative parts), LET and LAMBDA
bindings, 3-D references and structured references to tables.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from addin.refresh.engine.blocks import BlockContext
from addin.refresh.engine.setup import EngineBase
from addin.refresh.functions import Area, CallContext, MultiArea
from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
    ErrorLit,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    RangeOp,
    Ref,
    StructRef,
    parse,
)
from addin.xlsx.model import (
    DefinedName,
    Table,
)
from udfs.errors import NAME, REF, VALUE


class NamesMixin(EngineBase):
    """Defined names, LET, LAMBDA, 3-D references and tables."""

    def _name_def(self, name: Name, sheet: str | None) -> DefinedName | None:
        key = name.name.casefold()
        scopes: list[str | None] = []
        if name.sheet:
            scopes.append(name.sheet.casefold())
        elif sheet:
            scopes.append(sheet)
        scopes.append(None)
        for sc in scopes:
            dn = self.names.get((sc, key))
            if dn is not None:
                return dn
        return None

    def _name_node(self, name: Name, sheet: str | None) -> Node | None:
        dn = self._name_def(name, sheet)
        if dn is None:
            return None
        k = (dn.sheet, dn.name.casefold())
        if k not in self._name_nodes:
            self._name_nodes[k] = None  # guards recursion
            try:
                self._name_nodes[k] = parse(dn.text)
            except FormulaSyntaxError:
                self._name_nodes[k] = ErrorLit("#NAME?")
        return self._name_nodes[k]

    def ev_name(self, name: Name, bx: BlockContext) -> Any:
        bound = self._let_value(name)
        if bound is not _UNBOUND:
            return bound
        dn = self._name_def(name, bx.grid.name.casefold())
        if dn is None:
            return NAME.with_message(f"未定义的名称 / undefined name {name.name}")
        node = self._name_node(name, bx.grid.name.casefold())
        if node is None:
            return NAME
        # a name with relative parts (=Sheet1!$B1) is stored as seen from A1
        node = relative_to(node, bx.row - 1, bx.col - 1)
        grid = self.grids.get(dn.sheet.casefold()) if dn.sheet else None
        if grid is not None or bx.dr:  # the name's sheet, its references not moved
            bx = BlockContext(grid or bx.grid, bx.row, bx.col, bx.array_mode, bx.date1904)
        key = (dn.sheet, dn.name.casefold())
        if key in self._names_open:
            return NAME.with_message(f"名称循环引用 / the name {dn.name} refers to itself")
        self._names_open.add(key)
        try:
            return self.ev(node, bx)
        finally:
            self._names_open.discard(key)

    def _let_value(self, name: Name) -> Any:
        key = name.name.casefold()
        for scope in reversed(self._lets):
            if key in scope:
                return scope[key]
        return _UNBOUND

    def ev_let(self, node: Func, bx: BlockContext) -> Any:
        """LET(name1, value1, …, calculation): each value evaluated once, in order,
        the names seen by the values after them and by the calculation."""
        args = node.args
        if len(args) < 3 or len(args) % 2 == 0:
            return VALUE.with_message("LET 参数个数不对 / LET: wrong number of arguments")
        scope: dict[str, Any] = {}
        self._lets.append(scope)
        try:
            for i in range(0, len(args) - 1, 2):
                nm = args[i]
                if not isinstance(nm, Name):
                    return VALUE.with_message("LET 的名称无效 / LET: not a name")
                scope[nm.name.casefold()] = self.ev(args[i + 1], bx)
            return self.ev(args[-1], bx)
        finally:
            self._lets.pop()

    def _name_ref(self, text: str) -> Any:
        """The reference a defined name stands for (INDIRECT of a name's text)."""
        dn = self._name_def(Name(text), None)
        if dn is None:
            return None
        first = next(iter(self.grids.values()))
        grid = self.grids.get(dn.sheet.casefold(), first) if dn.sheet else first
        return self.ev_name(Name(text), BlockContext(grid, 1, 1, False, self.date1904))

    def _lambda_of(self, name: str, sheet: str | None) -> Func | None:
        """The LAMBDA a defined name holds (``cal_month`` = ``LAMBDA(mo, …)``)."""
        node = self._name_node(Name(name), sheet)
        if isinstance(node, Func) and node.is_lambda:
            return node
        return None

    def ev_lambda_call(self, node: Func, bx: BlockContext) -> Any:
        """``name(args)`` where the name holds a LAMBDA: the parameters bound to
        the evaluated arguments (as LET binds), then the body."""
        lam = self._lambda_of(node.name, bx.grid.name.casefold())
        if lam is None or not lam.args:
            return NAME.with_message(f"未定义的函数 / unknown function {node.name}")
        params, body = lam.args[:-1], lam.args[-1]
        if len(node.args) != len(params) or not all(isinstance(p, Name) for p in params):
            return VALUE.with_message(
                f"{node.name} 参数个数不对 / {node.name}: wrong number of arguments"
            )
        scope = {
            p.name.casefold(): self.ev(a, bx)
            for p, a in zip(params, node.args, strict=True)
            if isinstance(p, Name)
        }
        self._lets.append(scope)
        try:
            return self.ev(body, BlockContext(bx.grid, bx.row, bx.col, bx.array_mode, bx.date1904))
        finally:
            self._lets.pop()

    def three_d_parts(self, node: Any) -> tuple[list[str], Ref] | None:
        """The sheets and the range of a 3-D reference (``Sheet1:Sheet3!A1:B2``,
        ``'Sheet 1:Sheet 3'!A1``), or ``None`` when ``node`` is not one."""
        first = last = None
        ref: Ref | None = None
        if isinstance(node, Ref) and node.sheet and ":" in node.sheet:
            first, _, last = node.sheet.partition(":")
            ref = node
        elif isinstance(node, RangeOp):
            left, right = node.left, node.right
            if isinstance(left, RangeOp) and isinstance(right, Ref) and right.sheet is None:
                inner = self.three_d_parts(left)
                if inner is None:
                    return None
                a = inner[1]
                ref = dataclasses.replace(
                    a, top=min(a.top, right.top), left=min(a.left, right.left),
                    bottom=max(a.bottom, right.bottom), right=max(a.right, right.right),
                    abs_bottom=right.abs_bottom, abs_right=right.abs_right, is_cell=False,
                )  # fmt: skip
                return inner[0], ref
            if isinstance(left, Name) and left.sheet is None and isinstance(right, Ref):
                first, last, ref = left.name, right.sheet, right
        if ref is None or not first or not last:
            return None
        order = [s.name.casefold() for s in self.wb.sheets]
        lo, hi = first.casefold(), last.casefold()
        if lo not in order or hi not in order:
            return None
        i, j = order.index(lo), order.index(hi)
        return order[min(i, j) : max(i, j) + 1], dataclasses.replace(ref, sheet=None)

    def three_d(self, parts: tuple[list[str], Ref], dr: int) -> MultiArea:
        """A 3-D reference: the same range on each sheet, as a union of references."""
        sheets, ref = parts
        ref = ref.shifted(dr, 0) if dr else ref
        return MultiArea(
            Area(self.grids[n], ref.top, ref.left, ref.bottom, ref.right) for n in sheets
        )

    def _table_for(self, sr: StructRef, sheet: str, row: int, col: int) -> Table | None:
        if sr.table is not None:
            return self.tables.get(sr.table.casefold())
        for t in self.wb.tables:
            if (
                t.sheet.casefold() == sheet
                and t.first[0] <= row <= t.last[0]
                and t.first[1] <= col <= t.last[1]
            ):
                return t
        return None

    def struct_area(self, sr: StructRef, cx: CallContext) -> Any:
        t = self._table_for(sr, cx.grid.name.casefold(), cx.row, cx.col)
        if t is None:
            return REF.with_message(f"找不到表 / no table {sr.table}")
        grid = self.grids.get(t.sheet.casefold())
        if grid is None:
            return REF
        top, left = t.first
        bottom, right = t.last
        data_top = top + t.header_rows
        data_bottom = bottom - t.totals_rows
        items = set(sr.items) or {"#Data"}
        if "#This Row" in items:
            if not data_top <= cx.row <= data_bottom:
                return VALUE.with_message("不在表的数据行 / not in a data row of the table")
            r1 = r2 = cx.row
        elif "#All" in items:
            r1, r2 = top, bottom
        else:
            rows: list[int] = []
            if "#Headers" in items and t.header_rows:
                rows += [top, top + t.header_rows - 1]
            if "#Data" in items:
                rows += [data_top, data_bottom]
            if "#Totals" in items and t.totals_rows:
                rows += [data_bottom + 1, bottom]
            if not rows:
                return REF
            r1, r2 = min(rows), max(rows)
        # a column named with a trailing space ("Sales ") is read without it
        cols = [c.strip().casefold() for c in t.columns]
        if sr.first is None:
            c1, c2 = left, right
        else:
            try:
                c1 = left + cols.index(sr.first.strip().casefold())
                c2 = left + cols.index((sr.last or sr.first).strip().casefold())
            except ValueError:
                return REF.with_message(f"表中没有此列 / no column {sr.first} in {t.name}")
            c1, c2 = min(c1, c2), max(c1, c2)
        return Area(grid, r1, c1, r2, c2)


_UNBOUND = object()


def relative_to(node: Any, dr: int, dc: int) -> Any:
    """A defined name's tree seen from the cell ``dr`` rows and ``dc`` columns
    from A1: relative rows and columns move, wrapping round the sheet's edge."""
    if (dr == 0 and dc == 0) or node is None:
        return node
    if isinstance(node, Ref):
        if ((node.abs_top and node.abs_bottom) or not node.rows) and (
            (node.abs_left and node.abs_right) or not node.cols
        ):
            return node
        r = node.shifted(dr, dc)

        def wrap(v: int, n: int) -> int:
            return (v - 1) % n + 1

        top, bottom = wrap(r.top, MAX_ROW), wrap(r.bottom, MAX_ROW)
        left, right = wrap(r.left, MAX_COL), wrap(r.right, MAX_COL)
        return dataclasses.replace(r, top=top, bottom=bottom, left=left, right=right)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            v = getattr(node, f.name)
            if isinstance(v, tuple):
                nv: Any = tuple(relative_to(x, dr, dc) for x in v)
            elif dataclasses.is_dataclass(v):
                nv = relative_to(v, dr, dc)
            else:
                continue
            if nv is not v and nv != v:
                changes[f.name] = nv
        return dataclasses.replace(node, **changes) if changes else node
    return node
