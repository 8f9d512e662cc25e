"""The evaluator: one formula tree evaluated for a block of rows."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from addin.refresh import data_tables
from addin.refresh import functions as fx
from addin.refresh.engine.blocks import Block, BlockContext
from addin.refresh.engine.grid import (
    MATERIALISE_LIMIT,
    RangeTooLargeError,
    ref_bounds,
)
from addin.refresh.engine.spills import SpillsMixin, as_result_array, fill_value
from addin.refresh.functions import MISSING, Area, CallContext, EngineFunction, MultiArea
from addin.refresh.functions.columns import (
    RowArea,
    RowValues,
    floats,
    is_rows,
    plain,
    pure_floats,
    round15_array,
)
from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
    ArrayLit,
    Binary,
    Bool,
    ErrorLit,
    ErrorLitValue,
    Func,
    Intersect,
    Missing,
    Name,
    Node,
    Number,
    Percent,
    RangeOp,
    Ref,
    SpillRef,
    StructRef,
    Text,
    Unary,
    Union,
)
from addin.xlsx.model import (
    CellRef,
    CellValue,
    Results,
    UnsupportedFormulaError,
)
from udfs.errors import NULL, REF, VALUE, ExcelError


class Engine(SpillsMixin):
    """The calculation of one workbook: blocks, their order, their values."""

    def run(self) -> Results:
        self.build_blocks()
        order = self.order()
        # one cache of what is derived from ranges (values, lookup and criteria
        # indexes) for the whole calculation; the per-cell reference mode
        # keeps the plain paths it is tested against
        self._running = order
        with fx.shared_work() if self.vectorise else contextlib.nullcontext():
            for k, b in enumerate(order):
                self._position[id(b)] = k
                self._current = b
                try:
                    self.eval_block(b)
                except RangeTooLargeError as exc:
                    raise self._too_large(b, exc) from None
                except fx.INTERNAL_ERRORS as exc:
                    self._contain(b, exc)
            self._current = None
        self._order = order
        self.late_found = self.late(order)
        # where each dynamic array ended up, so the writer can update the
        # formula's ref and blank what a larger, earlier spill left behind
        for (sheet, anchor), end in self.spills.items():
            self.results.spills.setdefault(self.grids[sheet].name, {})[anchor] = end
        return self.results

    def _too_large(self, b: Block, exc: RangeTooLargeError) -> UnsupportedFormulaError:
        """The refusal of a formula that reads a range too large to hold."""
        where = CellRef(self.grids[b.sheet].name, (b.row, b.col))
        reason = (
            f"公式读取的区域有 {exc.rows:,} 行 × {exc.cols:,} 列，超出可计算的范围 / the formula "
            f"reads a range of {exc.rows:,} rows × {exc.cols:,} columns, more cells than the "
            f"engine holds ({MATERIALISE_LIMIT:,}): ={b.formula.text}"
        )
        return UnsupportedFormulaError(f"{where}: {reason}", [(where, reason)])

    def _contain(self, b: Block, exc: BaseException) -> None:
        """A block whose evaluation raised: each of its cells computed on its
        own, and a cell that still raises gets the error value with the reason
        (:func:`~addin.refresh.functions.internal_error`), never the refresh
        stopped by one formula (issue 24: no internal error on any file)."""
        g = self.grids[b.sheet]
        where = f"={b.formula.text}"
        if b.formula.kind != "normal":
            err = fx.internal_error(where, exc)
            if b.formula.kind == "array" and b.formula.ref:
                (r1, c1), (r2, c2) = ref_bounds(b.formula.ref)
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        self._store(b, (r, c), err)
            else:
                self._spill(b, as_result_array(err))
            return
        assert b.node is not None
        bx = BlockContext(g, b.row, b.col, False, self.date1904, 0, b.n)
        for i in range(b.n):
            one = bx.one(i)
            try:
                value = self.finish(self.ev(b.node, one), one)
            except fx.INTERNAL_ERRORS as cell_exc:
                value = fx.internal_error(where, cell_exc)
            self._store(b, (one.row, b.col), value)

    def _data_table(self, b: Block) -> None:
        """A what-if data table: its model recomputed per input (:mod:`..data_tables`)."""
        assert b.formula.ref is not None
        (r1, c1), (r2, c2) = ref_bounds(b.formula.ref)
        values = data_tables.compute(
            b,
            (r1, c1, r2, c2),
            self._running[: self._position.get(id(b), 0)],
            lambda key: self.grids[key],
            lambda ref, sheet: ref.sheet.casefold() if ref.sheet else sheet,
            self.precedents,
            self.eval_block,
        )
        for coord, v in values.items():
            self._store(b, coord, v)

    def eval_block(self, b: Block) -> None:
        assert b.node is not None
        g = self.grids[b.sheet]
        if self._memo:
            self._memo = {}
        kind = b.formula.kind
        if kind == "normal":
            bx = BlockContext(g, b.row, b.col, False, self.date1904, 0, b.n)
            if b.n == 1:
                self._store(b, (b.row, b.col), self.finish(self.ev(b.node, bx), bx))
            elif not self.vectorise:
                # the reference blocks are tested against: every block split
                # into blocks of one row (cells)
                for i in range(b.n):
                    one = bx.one(i)
                    self._store(b, (one.row, b.col), self.finish(self.ev(b.node, one), one))
            else:
                vals = self.block_values(self.ev(b.node, bx), bx)
                g.put(b.row, b.col, vals.reshape(-1, 1))
                self.sheet_results(g.name).put_column(b.row, b.col, _numbers_if_all(vals))
            return
        if data_tables.is_data_table(b):
            self._data_table(b)
            return
        bx = BlockContext(g, b.row, b.col, True, self.date1904)
        if kind == "array" and b.formula.ref and isinstance(b.node, Func):
            (r1, c1), (r2, c2) = ref_bounds(b.formula.ref)
            result = self.ev_func(b.node, bx, (r2 - r1 + 1, c2 - c1 + 1))
        else:
            result = self.ev(b.node, bx)
        arr = as_result_array(result)
        if kind == "array" and b.formula.ref:
            (r1, c1), (r2, c2) = ref_bounds(b.formula.ref)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self._store(b, (r, c), fill_value(arr, r - r1, c - c1))
            return
        self._spill(b, arr)

    def finish(self, v: Any, cx: CallContext) -> CellValue:
        """A normal formula's value as a cell holds it."""
        if isinstance(v, Area):
            v = fx.intersect(v, cx)
        elif isinstance(v, np.ndarray):
            v = v[0, 0]
            if isinstance(v, Area):
                v = fx.intersect(v, cx)
        if v is None or v is MISSING:
            return 0.0
        if isinstance(v, bool | str | ExcelError):
            return v
        if isinstance(v, int | float | np.integer | np.floating):
            f = float(v)
            if math.isnan(f) or math.isinf(f):
                return ExcelError("#NUM!")
            return f + 0.0
        return VALUE

    def ev(self, node: Node, bx: BlockContext) -> Any:
        """Evaluate ``node`` for the block ``bx``: one value for all its rows (a
        number, text, error, :class:`Area`, :class:`MultiArea` or array) or —
        only when ``bx.n > 1`` and the value differs from row to row — a
        per-row :class:`RowValues` or :class:`RowArea`. A cell is a block of one row:
        it takes this same path and never makes a per-row value."""
        nd: Any = node
        t = nd.__class__
        if t is Ref:
            return self.ev_ref(nd, bx)
        if t is Number:
            return nd.value
        if t is Func:
            return self.ev_func(nd, bx)
        if t is Binary:
            x = self.operand(self.ev(nd.left, bx), bx)
            y = self.operand(self.ev(nd.right, bx), bx)
            if bx.n == 1 or (not is_rows(x) and not is_rows(y)):
                return _lift2(nd.op, x, y, self.date1904)
            return self.binary_rows(nd, x, y, bx)
        if t is Text or t is Bool:
            return nd.value
        if t is Unary or t is Percent:
            return self.ev_unary(nd, bx)
        if t is ErrorLit:
            return ExcelError(nd.code)
        if t is Missing:
            return MISSING
        if t is ArrayLit:
            return _array_value(nd)
        if bx.n > 1:  # the nodes below take one row at a time
            return self.ev(nd, bx.one(0)) if not self._moves(nd, bx) else self.split(nd, bx)
        if t is Name:
            return self.ev_name(nd, bx)
        if t is StructRef:
            return self.struct_area(nd, bx)
        if t is RangeOp:
            three = self.three_d_parts(nd)
            if three is not None:
                return self.three_d(three, bx.dr)
            if (
                isinstance(nd.left, Name)
                and isinstance(nd.right, Ref)
                and nd.right.sheet
                and self._name_def(nd.left, None) is None
            ):  # Sheet1:Sheet9!A1 naming a sheet the workbook lacks: #REF!, as in Excel
                return REF.with_message(f"三维引用的工作表不存在 / no sheet {nd.left.name}")
            a = self.ev(nd.left, bx)
            b = self.ev(nd.right, bx)
            return _range_union(a, b)
        if t is SpillRef:
            return self.spill_area(self.ev(nd.anchor, bx))
        if t is Intersect:
            a = self.ev(nd.left, bx)
            b = self.ev(nd.right, bx)
            return _intersection(a, b)
        if t is Union:
            parts: list[Area] = []
            for item in nd.items:
                v = self.ev(item, bx)
                if isinstance(v, ExcelError):
                    return v
                if isinstance(v, MultiArea):
                    parts.extend(v)
                elif isinstance(v, Area):
                    parts.append(v)
                else:
                    return VALUE.with_message("并集运算需要引用 / , needs references")
            return MultiArea(parts)
        raise TypeError(f"unknown node {node!r}")

    def split(self, node: Node, bx: BlockContext) -> RowValues:
        """``node`` down a block of many rows, evaluated as blocks of one row
        (what has no per-row form: LET, a LAMBDA call, a range that moves by
        its end only, an argument read as an array …)."""
        out = np.empty(bx.n, dtype=object)
        for i in range(bx.n):
            out[i] = self.ev(node, bx.one(i))
        return RowValues(out)

    def ev_ref(self, node: Ref, bx: BlockContext) -> Any:
        """A reference: an :class:`Area` (shared by the block when its rows
        are fixed); down a block, a relative cell is the column of its values
        and a relative range a :class:`RowArea`."""
        ref = node.shifted(bx.dr, 0) if bx.dr else node
        n = bx.n
        fixed = n == 1 or not ref.rows or (ref.abs_top and ref.abs_bottom)
        grid: Any = bx.grid if ref.sheet is None else self.grids.get(ref.sheet.casefold())
        if grid is None:
            parts = self.three_d_parts(ref)
            if parts is None:
                return REF.with_message(f"工作表不存在 / no sheet {ref.sheet}")
            return self.three_d(parts, 0) if fixed else self.split(node, bx)
        if ref.top < 1 or ref.left < 1 or ref.bottom > MAX_ROW or ref.right > MAX_COL:
            return REF.with_message("引用超出工作表 / reference beyond the sheet")
        if fixed:
            return Area(grid, ref.top, ref.left, ref.bottom, ref.right)
        last = ref.shifted(n - 1, 0)
        if last.bottom > MAX_ROW or last.top < 1:
            return self.split(node, bx)
        if ref.abs_top or ref.abs_bottom:
            return self.split(node, bx)  # one end fixed: SUM($A$1:A1)
        if ref.is_cell:
            vals = grid.block(ref.top, ref.left, ref.top + n - 1, ref.left)[:, 0]
            pf = pure_floats(vals)
            return RowValues(pf if pf is not None else vals.copy(), (grid, ref.top, ref.left))
        return RowArea(grid, ref.top, ref.left, ref.bottom, ref.right)

    def operand(self, v: Any, bx: BlockContext) -> Any:
        """A value an operator (or a function's per-row argument) takes: a
        reference read as its cell, a range implicitly intersected with the
        row — down a block, row by row — or, in array mode, read as an array."""
        if isinstance(v, MultiArea):
            return VALUE.with_message(
                "运算中不能使用多区域引用 / a multi-area reference in an operation"
            )
        if isinstance(v, Area):
            if v.is_cell():
                return v.value()
            if bx.array_mode:
                return v.values()
            if bx.n == 1:
                return fx.intersect(v, bx)
            row, n = bx.row, bx.n
            if v.left == v.right and v.top <= row and row + n - 1 <= v.bottom:
                vals = v.grid.block(row, v.left, row + n - 1, v.left)[:, 0]
                pf = pure_floats(vals)
                return RowValues(pf if pf is not None else vals.copy())
            out = np.empty(n, dtype=object)
            for i in range(n):
                out[i] = fx.intersect(v, bx.one(i))
            return RowValues(out)
        if isinstance(v, np.ndarray) and v.shape == (1, 1):
            return v[0, 0]
        return v

    def ev_unary(self, node: Unary | Percent, bx: BlockContext) -> Any:
        op = node.op if isinstance(node, Unary) else "%"
        a = self.operand(self.ev(node.operand, bx), bx)
        if bx.n == 1 or not is_rows(a):
            return _lift1(op, a, self.date1904)
        if isinstance(a, RowArea):
            return self.split(node, bx)
        f = floats(a)
        if f is not None and op != "+":
            return RowValues(-f if op == "-" else f / 100)
        return RowValues(_map(lambda x: _lift1(op, x, self.date1904), a.v))

    def binary_rows(self, node: Binary, a: Any, b: Any, bx: BlockContext) -> Any:
        """An operator down a block, one of its operands per row: numpy on
        numbers, else value by value."""
        if isinstance(a, RowArea) or isinstance(b, RowArea):
            return self.split(node, bx)
        n = bx.n
        op = node.op
        if op in ("+", "-", "*", "/", "^") or op in _NP_CMP:
            fa = floats(a) if isinstance(a, RowValues) else _scalar_float(a)
            fb = floats(b) if isinstance(b, RowValues) else _scalar_float(b)
            if fa is not None and fb is not None:
                if op in _NP_CMP and (
                    (isinstance(a, RowValues) and a.v.dtype != np.float64)
                    or (isinstance(b, RowValues) and b.v.dtype != np.float64)
                    or (not isinstance(fa, np.ndarray) and not isinstance(a, float))
                    or (not isinstance(fb, np.ndarray) and not isinstance(b, float))
                ):
                    pass  # blanks/logicals compare by type: use the exact path
                else:
                    r = _np_binary(op, np.broadcast_to(fa, n), np.broadcast_to(fb, n))
                    if r is not None:
                        return r
        av = a.v if isinstance(a, RowValues) else None
        bv = b.v if isinstance(b, RowValues) else None
        out = np.empty(n, dtype=object)
        d = self.date1904
        for i in range(n):
            x = av[i] if av is not None else a
            y = bv[i] if bv is not None else b
            if isinstance(x, Area) or isinstance(y, Area):
                one = bx.one(i)
                x, y = self.operand(x, one), self.operand(y, one)
            out[i] = _lift2(op, x, y, d)
        return RowValues(out)

    def ev_func(self, node: Func, bx: BlockContext, target: tuple[int, int] | None = None) -> Any:
        """A function call. Down a block of many rows it is evaluated once when
        its value cannot differ by row, and row by row (blocks of one row) when
        it has no per-row form — a LAMBDA call, LET, ROW()/COLUMN(), INDEX of
        a computed array, arguments read as arrays (SUMPRODUCT of references
        excepted); else its arguments are evaluated for the block and it is
        applied once, in one pass (grouped criteria, the fast paths) or per row
        on plain values (:meth:`ev_rows`)."""
        spec = self.spec(node.name)
        many = bx.n > 1
        if many:
            if not self._moves(node, bx):
                bx, many = bx.one(0), False
            elif (
                spec is None
                or spec.binds_names
                or (spec.array_first and node.args and isinstance(node.args[0], Func))
                or (spec.reads_position and not node.args)
            ):
                return self.split(node, bx)
            elif spec.array_args:
                fast = self.references_column(spec, node, bx)
                return fast if fast is not None else self.split(node, bx)
            elif any(i in spec.array_params and not isinstance(a, Ref) for i, a in enumerate(node.args)):
                return self.split(node, bx)  # a computed array parameter: row by row
        if spec is None:
            return self.ev_lambda_call(node, bx)
        if spec.binds_names:
            return self.ev_let(node, bx)
        sub = bx
        if spec.array_args and not bx.array_mode:
            sub = BlockContext(bx.grid, bx.row, bx.col, True, bx.date1904, bx.dr)
        if spec.array_first and node.args and isinstance(node.args[0], Func):
            # INDEX's array is read as an array, as Excel does: INDEX(ROW(A1:A3),2)
            # is 2 in a normal formula too (pycel excelcompiler.xlsx!F2)
            array = BlockContext(bx.grid, bx.row, bx.col, True, bx.date1904, bx.dr)
            args = [self.ev(node.args[0], array), *(self.ev(a, sub) for a in node.args[1:])]
        elif spec.array_params and not sub.array_mode:
            array = BlockContext(bx.grid, bx.row, bx.col, True, bx.date1904, bx.dr)
            args = [self.ev(a, array if i in spec.array_params else sub) for i, a in enumerate(node.args)]
        else:
            args = [self.ev(a, sub) for a in node.args]
        if any(a is MISSING for a in args):
            empty = spec.empty_argument()
            args = [empty if a is MISSING else a for a in args]
        if many:
            for i, a in enumerate(args):  # a range read as one value: per row
                lifts = spec.lifts(i) or spec.intersects
                if lifts and isinstance(a, Area) and not a.is_cell():
                    args[i] = self.operand(a, bx)
            if any(is_rows(a) for a in args):
                return self.ev_rows(spec, node, args, bx)
        return fx.call(spec, args, sub, target)

    def ev_rows(self, spec: EngineFunction, node: Func, args: list[Any], bx: BlockContext) -> Any:
        """A function down a block whose arguments hold per-row values: its
        column path (declared with the function) when it takes the block, else
        applied row by row to plain values. The column path is offered only
        calls Excel accepts whose per-row values are plain (no arrays or
        references in a row: those are lifted row by row)."""
        column = spec.column
        if (
            column is not None
            and spec.accepts(len(args))
            and not any(isinstance(a, RowValues) and not plain(a) for a in args)
        ):
            fast = column(spec, args, bx, self._memo)
            if fast is not None:
                return fast
        return self.v_generic(spec, args, bx)

    def references_column(self, spec: EngineFunction, node: Func, bx: BlockContext) -> Any:
        """A function reading its arguments as arrays down a block that moves
        (SUMPRODUCT(A2:C2,$A$1:$C$1)): its column path given the references as
        evaluated for the block, when every argument is a reference; ``None``
        (row by row) otherwise."""
        if spec.column is None or not node.args or not all(isinstance(a, Ref) for a in node.args):
            return None
        args = [self.ev(a, bx) for a in node.args]
        if any(a is MISSING for a in args):
            empty = spec.empty_argument()
            args = [empty if a is MISSING else a for a in args]
        return spec.column(spec, args, bx, self._memo)

    def block_values(self, res: Any, bx: BlockContext) -> np.ndarray:
        """The cells of a normal-formula block of many rows from its value."""
        n = bx.n
        out = np.empty(n, dtype=object)
        if isinstance(res, RowValues) and res.v.dtype == np.float64 and np.isfinite(res.v).all():
            out[:] = (res.v + 0.0).tolist()
            return out
        if isinstance(res, RowValues):
            vals = res.v.tolist()
            for i, v in enumerate(vals):
                t = v.__class__
                if t is str or t is bool or t is ExcelError or (t is float and math.isfinite(v)):
                    out[i] = v + 0.0 if t is float else v
                else:
                    out[i] = self.finish(v, bx.one(i))
            return out
        if isinstance(res, RowArea):
            for i in range(n):
                out[i] = self.finish(res.area(i), bx.one(i))
            return out
        for i in range(n):
            out[i] = self.finish(res, bx.one(i))
        return out

    def _moves(self, node: Node, bx: BlockContext) -> bool:
        """Can the node's value differ from row to row of a block? True for
        relative rows, ROW()/COLUMN(), ``[@col]``, and ranges that a normal
        formula intersects implicitly with the row (``ROUND($A$1:$A$9,0)``)."""
        return self._row_dependent(node, False, False, 0, bx.grid.name.casefold())

    def _row_dependent(self, node: Node, scalar: bool, array: bool, depth: int, sheet: str) -> bool:
        if depth > 50:
            return True
        cur: Any = node
        if isinstance(cur, Ref):
            if cur.rows and not (cur.abs_top and cur.abs_bottom):
                return True
            return scalar and not array and not (cur.top == cur.bottom and cur.left == cur.right)
        if isinstance(cur, Func):
            spec = self.spec(cur.name)
            if spec is None or (spec.reads_position and not cur.args) or spec.intersects:
                return True
            if scalar and not array and spec.returns_reference:
                return True
            sub = array or spec.array_args
            return any(
                self._row_dependent(a, spec.lifts(i), sub or i in spec.array_params, depth + 1, sheet)
                for i, a in enumerate(cur.args)
            )
        if isinstance(cur, Unary | Percent):
            return self._row_dependent(cur.operand, True, array, depth + 1, sheet)
        if isinstance(cur, Binary):
            return self._row_dependent(
                cur.left, True, array, depth + 1, sheet
            ) or self._row_dependent(cur.right, True, array, depth + 1, sheet)
        if isinstance(cur, RangeOp | Intersect | Union | SpillRef):
            if scalar and not array:
                return True
            kids = (
                cur.items
                if isinstance(cur, Union)
                else (cur.anchor,)
                if isinstance(cur, SpillRef)
                else (cur.left, cur.right)
            )
            return any(self._row_dependent(k, False, array, depth + 1, sheet) for k in kids)
        if isinstance(cur, StructRef):
            return "#This Row" in cur.items or (scalar and not array)
        if isinstance(cur, Name):
            target = self._name_node(cur, sheet)
            if target is None:
                return False
            return self._row_dependent(target, scalar, array, depth + 1, sheet)
        return False

    def v_generic(self, spec: EngineFunction, args: list[Any], bx: BlockContext) -> RowValues:
        n = bx.n
        shared = list(args)
        for i, a in enumerate(args):
            if isinstance(a, Area) and spec.values_only and not spec.lifts(i):
                key = id(a)
                if key not in self._memo:
                    self._memo[key] = (a, a.values().copy())
                shared[i] = self._memo[key][1]
        out = np.empty(n, dtype=object)
        vec_idx = [i for i, a in enumerate(args) if is_rows(a)]
        row = list(shared)
        with fx.shared_work():
            for r in range(n):
                for i in vec_idx:
                    a = args[i]
                    if isinstance(a, RowArea):
                        row[i] = a.area(r)
                    elif a.src is not None and not spec.lifts(i):
                        g, top, col = a.src
                        row[i] = Area(g, top + r, col, top + r, col)
                    else:
                        row[i] = a.v[r]
                out[r] = fx.call(spec, row, bx.one(r))
        return RowValues(out)


_NP_CMP = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    ">": np.greater,
    "<=": np.less_equal,
    ">=": np.greater_equal,
}


def _scalar_float(v: Any) -> Any:
    if v.__class__ is float:
        return v
    return None


def _np_binary(op: str, a: np.ndarray, b: np.ndarray) -> RowValues | None:
    with np.errstate(all="ignore"):
        if op in _NP_CMP:
            r = _NP_CMP[op](round15_array(a), round15_array(b))
            return RowValues(r.astype(object))
        if op == "+":
            r = a + b
            tiny = (r != 0) & (np.abs(r) < np.maximum(np.abs(a), np.abs(b)) * 1e-15)
            r = np.where(tiny, 0.0, r)
        elif op == "-":
            r = a - b
            tiny = (r != 0) & (np.abs(r) < np.maximum(np.abs(a), np.abs(b)) * 1e-15)
            r = np.where(tiny, 0.0, r)
        elif op == "*":
            r = a * b
        elif op == "/":
            r = a / b
        else:
            return None  # ^ has many special cases: the exact path
    bad = ~np.isfinite(r)
    if op == "/":
        bad |= b == 0
    if not bad.any():
        return RowValues(r)
    out = r.astype(object)
    for i in np.nonzero(bad)[0]:
        out[i] = fx.binary_op(op, float(a[i]), float(b[i]))
    return RowValues(out)


def _map(fn: Callable[[Any], Any], arr: np.ndarray) -> np.ndarray:
    out = np.empty(len(arr), dtype=object)
    for i, x in enumerate(arr):
        out[i] = fn(x)
    return out


def _lift2(op: str, a: Any, b: Any, d1904: bool) -> Any:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        left, right = fx.as_array(a), fx.as_array(b)
        h, w = max(left.shape[0], right.shape[0]), max(left.shape[1], right.shape[1])
        out = np.empty((h, w), dtype=object)
        for i in range(h):
            for j in range(w):
                out[i, j] = fx.binary_op(
                    op, fx.broadcast_get(left, i, j), fx.broadcast_get(right, i, j), d1904
                )
        return out
    return fx.binary_op(op, a, b, d1904)


def _lift1(op: str, a: Any, d1904: bool) -> Any:
    if isinstance(a, np.ndarray):
        out = np.empty(a.shape, dtype=object)
        for idx, x in np.ndenumerate(a):
            out[idx] = fx.unary_op(op, x, d1904)
        return out
    return fx.unary_op(op, a, d1904)


def _array_value(node: ArrayLit) -> np.ndarray:
    out = np.empty((len(node.rows), len(node.rows[0])), dtype=object)
    for i, row in enumerate(node.rows):
        for j, v in enumerate(row):
            out[i, j] = ExcelError(v.code) if isinstance(v, ErrorLitValue) else v
    return out


def _range_union(a: Any, b: Any) -> Any:
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    if not isinstance(a, Area) or not isinstance(b, Area) or a.grid is not b.grid:
        return VALUE.with_message("区域运算需要同一工作表的引用 / : needs references on one sheet")
    return Area(
        a.grid,
        min(a.top, b.top),
        min(a.left, b.left),
        max(a.bottom, b.bottom),
        max(a.right, b.right),
    )


def _intersection(a: Any, b: Any) -> Any:
    for v in (a, b):
        if isinstance(v, ExcelError):
            return v
        if not isinstance(v, Area | MultiArea):
            return VALUE.with_message("交叉运算需要引用 / the space operator needs references")
    xs = list(a) if isinstance(a, MultiArea) else [a]
    ys = list(b) if isinstance(b, MultiArea) else [b]
    parts = []
    for x in xs:
        for y in ys:
            if x.grid is not y.grid:
                continue
            top, bottom = max(x.top, y.top), min(x.bottom, y.bottom)
            left, right = max(x.left, y.left), min(x.right, y.right)
            if top <= bottom and left <= right:
                parts.append(Area(x.grid, top, left, bottom, right))
    if not parts:
        return NULL.with_message("区域没有交集 / the ranges do not intersect")
    return parts[0] if len(parts) == 1 else MultiArea(parts)


def _numbers_if_all(vals: np.ndarray) -> np.ndarray:
    """A block's values (an object array) as ``float64`` when every one is a
    finite number (8 bytes a cell in the results), else as they are."""
    try:
        numbers = vals.astype(np.float64)
    except (TypeError, ValueError):
        return vals
    if not bool(np.isfinite(numbers).all()):
        return vals
    kinds = set(np.frompyfunc(type, 1, 1)(vals).tolist())  # no bool, no text "1.5"
    return numbers if kinds == {float} else vals
