"""``jixiao explain WORKBOOK 'SHEET!CELL'``: why a cell holds its value.

The cell's formula and value, then its precedents as a tree with their values
— defined names resolved to what they cover, ranges summarised (cells,
numbers, sum, min, max; small tables listed) — down to the input cells or
``--depth`` levels. A cell inside a dynamic array is explained through its
anchor's formula at that row: a column the formula reads row by row
(``BAND(企业年收入, 收入档)``) leads to the row's own cell. A ``VLOOKUP`` or
``XLOOKUP`` leads to the cell it found. For a contract function the kernel's
own explanation of the row is shown (:mod:`udfs.explain`): the band chosen and
why, the tier slices, the gate, the place, ties and prize share.

Values are the ones cached in the file; a workbook without them (never opened
in Excel, or saved by openpyxl) is recalculated first.

解释单元格：公式、取值、引用链（名称解析、区域汇总）直到输入单元格或指定深度；
合同函数附内核自己的说明（档位与原因、分段金额、门槛、名次、并列与分摊）。
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from addin.language import DEFAULT_LANG, language_option, pick, say
from addin.monthend.branches import Branches, branches
from addin.monthend.values import Loaded, load, plain, readable_or_exit
from addin.refresh.deep_stack import with_deep_stack
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.formula import (
    ArrayLit,
    Binary,
    Bool,
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
    Text,
    Unary,
    Union,
    function_names,
    parse,
)
from addin.xlsx.formula import FormulaSyntaxError as _Syntax
from addin.xlsx.model import CellValue, Coord, Formula
from udfs.errors import ExcelErrorRaised
from udfs.explain import in_language, number_text

__all__ = ["Step", "explain", "explain_command"]

EXIT_OK, EXIT_BAD_CELL = 0, 1
#: ranges up to this many cells are listed in full (band and prize tables)
LIST_CELLS = 40
LIST_ROWS = 12
#: how a step was reached: the row of a column read row by row, the cell a lookup found
_VIA_ROW, _VIA_FOUND = " 的本行 / this row of it", " 查到 / found"

JSONValue = Any


@dataclass
class Step:
    """One node of the explanation tree."""

    ref: str  # 'Sheet'!A1, a range, or a defined name
    kind: str  # formula | input | range | name | lookup
    value: JSONValue = None
    formula: str | None = None
    via: str | None = None  # the name or range that led here (企业年收入 → C7)
    note: str | None = None
    summary: dict[str, Any] | None = None
    details: list[dict[str, Any]] = field(default_factory=list)
    children: list[Step] = field(default_factory=list)
    #: which branch each IF/IFS of the formula took at this row, one line each
    branches: list[str] = field(default_factory=list)
    #: False when the precedent is read only by a branch of IF/IFS the row did
    #: not take (:mod:`addin.monthend.branches`)
    taken: bool = True


def quote(sheet: str) -> str:
    """A sheet name as written in a formula (quoted unless plain)."""
    if sheet.replace("_", "a").isalnum() and not sheet[0].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def address(sheet: str, top: int, left: int, bottom: int | None = None, right: int | None = None) -> str:
    """``'Sheet'!A1`` or ``'Sheet'!A1:B4``."""
    text = f"{quote(sheet)}!{to_a1(top, left)}"
    if bottom is not None and right is not None and (bottom, right) != (top, left):
        text += f":{to_a1(bottom, right)}"
    return text


def parse_target(text: str) -> tuple[str, Coord]:
    """``'人员奖金'!I7`` or ``人员奖金!I7`` → (sheet, (row, col))."""
    sheet, bang, cell = text.rpartition("!")
    if not bang or not sheet:
        raise click.UsageError(f"单元格应写作 工作表!A1 / give the cell as SHEET!A1: {text}")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    try:
        return sheet, from_a1(cell)
    except ValueError:
        raise click.UsageError(f"不是单元格地址 / not a cell address: {cell}") from None


# ------------------------------------------------------------------ the walk


@dataclass
class _Here:
    """Where a formula is evaluated: its sheet, anchor and the row/col inside
    the array it fills (0, 0 for a single cell)."""

    sheet: str
    anchor: Coord
    dr: int = 0
    dc: int = 0
    height: int = 1
    width: int = 1


def _span(ref: str) -> tuple[Coord, Coord]:
    """The first and last cell of an A1 range (one cell for ``A1``)."""
    first, _, last = ref.partition(":")
    return from_a1(first), from_a1(last or first)


class _Explainer:
    def __init__(self, loaded: Loaded, depth: int | None) -> None:
        self.loaded = loaded
        self.wb = loaded.workbook
        self.depth = depth
        self.seen: set[tuple[str, Coord]] = set()
        self._ranges: dict[str, list[tuple[Coord, Formula, Coord, Coord]]] = {}

    # ---- values

    def value(self, sheet: str, coord: Coord) -> CellValue:
        return self.wb.sheet(sheet).values.get(coord)

    def block(self, sheet: str, top: int, left: int, bottom: int, right: int) -> list[list[CellValue]]:
        values = self.wb.sheet(sheet).values
        return [[values.get((r, c)) for c in range(left, right + 1)] for r in range(top, bottom + 1)]

    def formula_of(self, sheet: str, coord: Coord) -> tuple[Formula, _Here] | None:
        s = self.wb.sheet(sheet)
        f = s.formulas.get(coord)
        if f is not None and not f.ref:
            return f, _Here(s.name, coord)
        own = [(coord, f, *_span(f.ref))] if f is not None and f.ref else []
        for anchor, g, (r1, c1), (r2, c2) in own + self._ranged(s.name):
            if r1 <= coord[0] <= r2 and c1 <= coord[1] <= c2:
                here = _Here(s.name, anchor, coord[0] - r1, coord[1] - c1, r2 - r1 + 1, c2 - c1 + 1)
                return g, here
        return None

    def _ranged(self, sheet: str) -> list[tuple[Coord, Formula, Coord, Coord]]:
        """The sheet's array and dynamic-array formulas with their ranges, found
        once (a slip explains every row: a scan of every formula per cell was
        quadratic in the rows)."""
        found = self._ranges.get(sheet)
        if found is None:
            found = [
                (anchor, g, *_span(g.ref))
                for anchor, g in self.wb.sheet(sheet).formulas.items()
                if g.ref
            ]
            self._ranges[sheet] = found
        return found

    # ---- names and references

    def name_target(self, name: Name, sheet: str) -> tuple[str, Node | None]:
        """The defined name's text and parsed formula (``None``: not defined)."""
        key = name.name.casefold()
        scopes = [name.sheet or sheet, None]
        for scope in scopes:
            for dn in self.wb.names:
                if dn.name.casefold() == key and (dn.sheet or None) == scope:
                    try:
                        return dn.text, parse(dn.text)
                    except _Syntax:
                        return dn.text, None
        return "", None

    def resolve(self, node: Node, here: _Here) -> tuple[str, int, int, int, int] | None:
        """The rectangle a reference or a name covers (sheet, top, left, bottom, right)."""
        if isinstance(node, Ref):
            sheet = node.sheet or here.sheet
            return self.wb.sheet(sheet).name, node.top, node.left, node.bottom, node.right
        if isinstance(node, Name):
            _text, target = self.name_target(node, here.sheet)
            if isinstance(target, Ref):
                return self.resolve(target, here)
        return None

    def aligned(self, rect: tuple[str, int, int, int, int], here: _Here) -> Coord | None:
        """The cell of ``rect`` that the formula's row reads, when the formula
        fills an array as tall (or as wide) as ``rect`` — a column read row by row."""
        _s, top, left, bottom, right = rect
        if here.height > 1 and left == right and bottom - top + 1 == here.height:
            return top + here.dr, left
        if here.width > 1 and top == bottom and right - left + 1 == here.width:
            return top, left + here.dc
        return None

    def scalar(self, node: Node, here: _Here) -> CellValue:
        """The value of an argument for this row (a cell, the row's cell of a
        column, a literal, or a lookup); raises ``LookupError`` otherwise."""
        if isinstance(node, Number | Text | Bool):
            return node.value
        if isinstance(node, Missing):
            return None
        if isinstance(node, Unary) and node.op == "-":
            v = self.scalar(node.operand, here)
            if isinstance(v, float | int) and not isinstance(v, bool):
                return -v
        if isinstance(node, Func) and node.base_name in ("VLOOKUP", "XLOOKUP"):
            found = self.lookup(node, here)
            if found is not None:
                return self.value(*found)
        rect = self.resolve(node, here)
        if rect is not None:
            s, top, left, bottom, right = rect
            if (top, left) == (bottom, right):
                return self.value(s, (top, left))
            cell = self.aligned(rect, here)
            if cell is not None:
                return self.value(s, cell)
        raise LookupError(node)

    def table(self, node: Node, here: _Here) -> Any:
        """An argument taken whole: a range's values, an array literal, or a scalar."""
        if isinstance(node, ArrayLit):
            return [[_lit(v) for v in row] for row in node.rows]
        if isinstance(node, Missing):
            return None
        rect = self.resolve(node, here)
        if rect is not None:
            return self.block(*rect)
        return self.scalar(node, here)

    def lookup(self, node: Func, here: _Here) -> tuple[str, Coord] | None:
        """The cell a VLOOKUP / XLOOKUP found (exact or approximate match)."""
        try:
            key = self.scalar(node.args[0], here)
        except LookupError:
            return None
        if node.base_name == "VLOOKUP" and len(node.args) >= 3:
            rect = self.resolve(node.args[1], here)
            try:
                col = self.scalar(node.args[2], here)
                approx = self.scalar(node.args[3], here) if len(node.args) > 3 else True
            except LookupError:
                return None
            if rect is None or not isinstance(col, float | int):
                return None
            s, top, left, bottom, _right = rect
            keys = [self.value(s, (r, left)) for r in range(top, bottom + 1)]
            row = _match(key, keys, exact=approx in (False, 0, 0.0))
            return None if row is None else (s, (top + row, left + int(col) - 1))
        if node.base_name == "XLOOKUP" and len(node.args) >= 3:
            look, ret = self.resolve(node.args[1], here), self.resolve(node.args[2], here)
            if look is None or ret is None:
                return None
            s, top, left, bottom, right = look
            keys = [self.value(s, (r, c)) for r in range(top, bottom + 1) for c in range(left, right + 1)]
            i = _match(key, keys, exact=True)
            if i is None:
                return None
            rs, rtop, rleft, _rb, rright = ret
            return (rs, (rtop + i, rleft)) if rleft == rright else (rs, (rtop, rleft + i))
        return None

    # ---- the tree

    def cell(self, sheet: str, coord: Coord, level: int, via: str | None = None) -> Step:
        sheet = self.wb.sheet(sheet).name
        ref = address(sheet, *coord)
        value = plain(self.value(sheet, coord))
        found = self.formula_of(sheet, coord)
        if found is None:
            return Step(ref, "input", value, via=via)
        f, here = found
        step = Step(ref, "formula", value, formula="=" + f.text, via=via)
        if (here.dr, here.dc) != (0, 0) or here.height * here.width > 1:
            anchor = to_a1(*here.anchor)
            step.note = (
                f"{anchor} 处数组公式的第 {here.dr + 1} 行 / row {here.dr + 1} of the array "
                f"formula at {anchor}"
            )
        if (sheet, coord) in self.seen:
            step.note = "见上文 / explained above"
            return step
        self.seen.add((sheet, coord))
        if self.depth is not None and level >= self.depth:
            step.note = (step.note + "；" if step.note else "") + "已到 --depth / --depth reached"
            return step
        try:
            node = parse(f.text)
        except _Syntax as exc:
            step.note = f"无法解析的公式 / unreadable formula: {exc}"
            return step
        taken = branches(node, lambda n: self.scalar(n, here))
        step.details = self.contract_details(node, here, taken)
        step.branches = taken.lines
        step.children = self.precedents(node, here, level, taken)
        return step

    def precedents(self, node: Node, here: _Here, level: int, taken: Branches | None = None) -> list[Step]:
        out: list[Step] = []
        done: set[str] = set()
        refs = _references(node)
        used = {repr(ref) for ref in refs if taken is None or taken.taken(ref)}
        for ref in refs:
            key = repr(ref)
            if key in done:
                continue
            done.add(key)
            if key not in used:
                out.extend(dataclasses.replace(s, taken=False) for s in self.precedents(ref, here, level))
                continue
            if isinstance(ref, Func):  # a lookup: the cell it found
                hit = self.lookup(ref, here)
                if hit is not None:
                    child = self.cell(hit[0], hit[1], level + 1, via=f"{_fname(ref)}{_VIA_FOUND}")
                    out.append(child)
                continue
            out.append(self.reference(ref, here, level))
        return out

    def reference(self, ref: Ref | Name, here: _Here, level: int) -> Step:
        label = ref.name if isinstance(ref, Name) else None
        if isinstance(ref, Name):
            text, target = self.name_target(ref, here.sheet)
            if not text:
                return Step(ref.name, "name", "#NAME?", note="未定义的名称 / undefined name")
            if not isinstance(target, Ref):
                step = Step(ref.name, "name", formula="=" + text)
                if target is not None and (self.depth is None or level + 1 < self.depth):
                    step.children = self.precedents(target, here, level + 1)
                return step
            ref_node: Ref = target
        else:
            ref_node = ref
        rect = self.resolve(ref_node, here)
        assert rect is not None
        s, top, left, bottom, right = rect
        if (top, left) == (bottom, right):
            return self.cell(s, (top, left), level + 1, via=label)
        cell = self.aligned(rect, here)
        shown = address(s, top, left, bottom, right)
        if cell is not None:
            return self.cell(s, cell, level + 1, via=f"{label or shown}{_VIA_ROW}")
        if here.height > 1 and bottom - top + 1 == here.height:  # a block read row by row
            row = top + here.dr
            return Step(
                address(s, row, left, row, right), "range",
                via=f"{label or shown}{_VIA_ROW}",
                summary=summarise(self.block(s, row, left, row, right)),
            )
        return Step(shown, "range", via=label, summary=summarise(self.block(s, top, left, bottom, right)))

    def contract_details(self, node: Node, here: _Here, taken: Branches | None = None) -> list[dict[str, Any]]:
        from addin.monthend.kernel_detail import detail_for

        out: list[dict[str, Any]] = []
        for call in function_names(node):
            try:
                detail = detail_for(call, self, here)
            except (LookupError, ExcelErrorRaised) as exc:
                reason = exc.error if isinstance(exc, ExcelErrorRaised) else "参数无法按行取值"
                detail = {"function": call.base_name, "lines": [f"无法逐行解释 / cannot explain this row: {reason}"]}
            if detail is not None:
                if taken is not None and not taken.taken(call):
                    detail["taken"] = False  # a branch the row did not take: shown greyed
                out.append(detail)
        return out


def _lit(v: object) -> CellValue:
    from addin.xlsx.formula import ErrorLitValue

    if isinstance(v, ErrorLitValue):
        from udfs.errors import parse_error

        return parse_error(v.code)
    return v  # type: ignore[return-value]


def _fname(node: Func) -> str:
    return node.base_name


def _match(key: CellValue, keys: list[CellValue], *, exact: bool) -> int | None:
    """Index of ``key`` in ``keys`` (text case-insensitive), or for an
    approximate match the last key ≤ ``key`` (VLOOKUP's sorted search)."""

    def norm(v: CellValue) -> object:
        return v.casefold() if isinstance(v, str) else v

    k = norm(key)
    if exact:
        for i, v in enumerate(keys):
            if norm(v) == k and v is not None:
                return i
        return None
    best = None
    for i, v in enumerate(keys):
        if isinstance(v, float | int) and isinstance(key, float | int) and v <= key:
            best = i
    return best


def _references(node: Node) -> list[Ref | Name | Func]:
    """References, names and lookups of a formula, left to right (iteratively:
    ``=A1+A1+…`` at Excel's 8,192 characters is a tree 2,730 levels deep)."""
    out: list[Ref | Name | Func] = []
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        kids: list[Node] = []
        if isinstance(n, Ref | Name):
            out.append(n)
        elif isinstance(n, Func):
            if n.base_name in ("VLOOKUP", "XLOOKUP"):
                out.append(n)
            kids = list(n.args)
        elif isinstance(n, Unary | Percent):
            kids = [n.operand]
        elif isinstance(n, Binary | RangeOp | Intersect):
            kids = [n.left, n.right]
        elif isinstance(n, Union):
            kids = list(n.items)
        elif isinstance(n, SpillRef):
            kids = [n.anchor]
        stack.extend(reversed(kids))  # the leftmost is taken next
    return out


def summarise(rows: list[list[CellValue]]) -> dict[str, Any]:
    """Cells, non-blank cells, numbers, min and max; their sum (decimal-exact)
    only for a single row or column — a list of amounts. Over a table (band
    starts beside rates, ranks beside prizes) a sum means nothing and is not
    shown. Every value when the range is small (a band or prize table).

    >>> "sum" in summarise([[0, 30], [100000, 32]]), summarise([[1.1], [2.2]])["sum"]
    (False, 3.3)
    """
    flat = [v for row in rows for v in row]
    nums = [float(v) for v in flat if isinstance(v, float | int) and not isinstance(v, bool)]
    width = len(rows[0]) if rows else 0
    out: dict[str, Any] = {
        "rows": len(rows),
        "columns": width,
        "filled": sum(v not in (None, "") for v in flat),
        "numbers": len(nums),
    }
    if nums:
        if len(rows) == 1 or width == 1:
            out["sum"] = float(sum((Decimal(repr(x)) for x in nums), Decimal(0)))
        out["min"], out["max"] = min(nums), max(nums)
    if len(flat) <= LIST_CELLS and len(rows) <= LIST_ROWS:
        out["values"] = [[plain(v) for v in row] for row in rows]
    return out


#: the most levels an explanation expands (``--depth`` at most this): a chain of
#: 100,000 cells each reading the next is explained to this depth with a note,
#: the rest being the same step again — bounded time, memory and stack.
MAX_DEPTH = 100


def explain(path: str | Path, target: str, *, depth: int | None = None) -> Step:
    """The explanation tree of ``target`` (``SHEET!A1``) in the workbook at ``path``,
    at most ``depth`` (and never more than :data:`MAX_DEPTH`) levels deep."""
    depth = MAX_DEPTH if depth is None else min(depth, MAX_DEPTH)
    loaded = load(path)
    sheet, coord = parse_target(target)
    try:
        loaded.workbook.sheet(sheet)
    except KeyError:
        raise click.UsageError(f"没有工作表 {sheet} / no sheet {sheet}") from None
    # a formula Excel accepts may be a tree ~2,700 operators deep (8,192
    # characters), walked recursively: on the engine's deep stack
    step = with_deep_stack(lambda: _Explainer(loaded, depth).cell(sheet, coord, 0))
    if loaded.recalculated:
        step.note = ((step.note + "；") if step.note else "") + "文件缺少缓存值，已重算 / recalculated"
    return step


# ------------------------------------------------------------------ display


def _v(v: JSONValue, lang: str = DEFAULT_LANG) -> str:
    return f"（{say(lang, '空', 'blank')}）" if v is None else number_text(v)


def _one(text: str, lang: str) -> str:
    """One language of a note ("中文 / English", several joined by "；")."""
    if lang == "zh-en":
        return text
    return ("；" if lang == "zh" else "; ").join(in_language(part, lang) for part in text.split("；"))



def _via(via: str, lang: str) -> str:
    """The label of the edge to a step: a name, "NAME 的本行" or "VLOOKUP 查到"."""
    if lang == "zh-en":
        return via
    for tail, zh, en in ((_VIA_ROW, " 的本行", " (this row)"), (_VIA_FOUND, " 查到", " found")):
        if via.endswith(tail):
            return via[: -len(tail)] + (zh if lang == "zh" else en)
    return via


def render(step: Step, indent: str = "", last: bool = True, top: bool = True, lang: str = DEFAULT_LANG) -> list[str]:
    """The tree as text lines; ``lang`` "zh-en" (both, Chinese first), "zh" or "en"."""
    branch = "" if top else ("└─ " if last else "├─ ")
    via = f"{_via(step.via, lang)} → " if step.via else ""
    head = f"{indent}{branch}{via}{step.ref}"
    if step.kind == "range":
        s = step.summary or {}
        zh = (f"  区域 {s.get('rows')}×{s.get('columns')}：{s.get('filled')} 个非空，{s.get('numbers')} 个数值"
              + (f"，合计 {_v(s['sum'])}" if "sum" in s else ""))
        en = (f"  range {s.get('rows')}×{s.get('columns')}: {s.get('filled')} filled, {s.get('numbers')} numbers"
              + (f", sum {_v(s['sum'])}" if "sum" in s else ""))
        head += (zh + f" / range, {s.get('numbers')} numbers") if lang == "zh-en" else zh if lang == "zh" else en
    else:
        head += f" = {_v(step.value, lang)}"
        if step.kind == "input":
            head += f"  [{say(lang, '输入', 'input')}]"
    if not step.taken:
        head = click.style(f"{head}  ✗ {say(lang, '未采用的分支', 'branch not taken')}", dim=True)
    lines = [head]
    pad = indent + ("" if top else ("   " if last else "│  "))
    if step.formula:
        lines.append(f"{pad}   {say(lang, '公式', 'formula')}: {step.formula}")
    if step.note:
        lines.append(f"{pad}   {_one(step.note, lang)}")
    if step.kind == "range" and step.summary and "values" in step.summary:
        for row in step.summary["values"]:
            lines.append(f"{pad}   | " + " | ".join(_v(v, lang) if v is not None else "" for v in row))
    lines += [f"{pad}   {pick(line, lang)}" for line in step.branches]
    for d in step.details:
        shown = [f"{pad}     {pick(line, lang)}" for line in d["lines"]]
        if d.get("taken", True):
            lines.append(f"{pad}   【{d['function']}】")
            lines += shown
        else:
            lines.append(click.style(f"{pad}   ✗【{d['function']}】{say(lang, '未采用的分支', 'branch not taken')}", dim=True))
            lines += [click.style(line, dim=True) for line in shown]
    for i, child in enumerate(step.children):
        lines += render(child, pad, i == len(step.children) - 1, top=False, lang=lang)
    return lines


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("cell")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    help=f"最多展开几层（至多 {MAX_DEPTH}）/ levels to expand (at most {MAX_DEPTH}).",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / print JSON.")
@language_option()
def explain_command(workbook: Path, cell: str, depth: int | None, as_json: bool, lang: str) -> None:
    """解释一个单元格的值：公式、引用链和合同函数的计算过程。

    退出码：0 成功，1 工作表或单元格不存在，2 文件无法读取。

    Explain a cell's value: its formula, its precedents with their values, and
    for a contract function how the kernel computed that row.
    Exit codes: 0 explained; 1 no such sheet/cell; 2 the file cannot be read.
    """
    with readable_or_exit(workbook):
        try:
            step = explain(workbook, cell, depth=depth)
        except click.UsageError as exc:
            click.echo(exc.message, err=True)
            sys.exit(EXIT_BAD_CELL)
    if as_json:
        click.echo(json.dumps(asdict(step), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo("\n".join(render(step, lang=lang)))
    sys.exit(EXIT_OK)
