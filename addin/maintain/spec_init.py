"""``jixiao spec init WORKBOOK [-o SPEC]``: write a structure spec from an
existing workbook, for the maintainer to edit and ``jixiao validate --spec``
to guard it with.

What it recognises (format: ``docs/spec-format.md``):

* sheets, workbook-scope defined names, Excel tables;
* on each sheet a data block: its header row (the row above the first row of
  the sheet's column names, else the first row of two or more labels with data
  under it), its columns — a column of formulas is a result (its formula's
  R1C1 form, or the spill anchor and range), the others are inputs with the
  kind their values show (number, money, percent, date, text, or choice from a
  list validation);
* formulas outside data blocks as result cells;
* single-cell names holding constants as parameters;
* band and prize tables from the functions that read them (a contract
  function's table argument, ``VLOOKUP(…, TRUE)``), with their numeric columns;
* names used by list validations as lists;
* the pay slip (``jixiao slips``): the data block with a key column (工号…), its
  name and paid-out columns.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click

from addin import registry
from addin.language import language_option, say
from addin.maintain import read_or_exit
from addin.monthend.slip_plan import KEY_WORDS, NAME_WORDS, PAID_WORDS, SlipPlan
from addin.summary import EXIT_NOT_WRITTEN, echo_repairs
from addin.validate.formulas import BlockKey, FormulaBlocks
from addin.validate.structure import contract_calls
from addin.validate.view import (
    WorkbookView,
    find_sheet,
    load_view,
    name_ref,
    present_cells,
    ref_box,
)
from addin.xlsx.a1 import col_letters, to_a1
from addin.xlsx.atomic_write import write_atomically
from addin.xlsx.formula import (
    Bool,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    Number,
    Ref,
    Text,
    function_names,
    parse,
    r1c1_key,
)
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.model import CellValue, Coord, Formula, Sheet, Workbook
from udfs.inputs import is_blank

__all__ = ["infer_slip", "infer_spec", "spec_command"]

_MONEY_WORDS = ("元", "金额", "奖", "工资", "薪", "费", "提成", "保费")
_DATE_WORDS = ("日期", "时间", "date")
_PERCENT_WORDS = ("率", "%", "％", "比例", "占比")
#: how far down a sheet to look for a header row when no name says where it is
_HEADER_SCAN = 30


@dataclass(frozen=True)
class _Block:
    header_row: int
    first: int
    last: int
    cols: tuple[int, ...]


def _text(v: CellValue) -> str:
    return "" if v is None else str(v).strip()


def _column_names(wb: Workbook) -> dict[tuple[str, int], tuple[str, int, int]]:
    """(sheet, column) → (name, first row, last row) of single-column, multi-row names."""
    out: dict[tuple[str, int], tuple[str, int, int]] = {}
    for dn in wb.names:
        try:
            node = parse(dn.text)
        except FormulaSyntaxError:
            continue
        if isinstance(node, Ref) and node.sheet and node.rows and node.left == node.right and node.bottom > node.top:
            sheet = find_sheet(wb, node.sheet)
            if sheet is not None:
                out[(sheet.name, node.left)] = (dn.name, node.top, node.bottom)
    return out


def _typed(sheet: Sheet, coord: tuple[int, int]) -> bool:
    return coord in sheet.formulas or not is_blank(sheet.values.get(coord))


def _labels(sheet: Sheet, row: int) -> list[int]:
    return [c for (r, c) in present_cells(sheet, row, 1, row, sheet.max_col or 16384)
            if (r, c) not in sheet.formulas and isinstance(sheet.values.get((r, c)), str)]


def _find_block(sheet: Sheet, named: dict[tuple[str, int], tuple[str, int, int]]) -> _Block | None:
    """The sheet's data block: under the header row, as deep as its columns go."""
    tops = [(first, last) for (s, _c), (_n, first, last) in named.items() if s == sheet.name]
    if tops:
        first = min(f for f, _ in tops)
        header = first - 1
        if header < 1:
            return None
        last = max(la for _, la in tops)
    else:
        header = 0
        for row in range(1, _HEADER_SCAN + 1):
            labels = _labels(sheet, row)
            if len(labels) >= 2 and sum(_typed(sheet, (row + 1, c)) for c in labels) >= 2:
                header = row
                break
        if not header:
            return None
        first, last = header + 1, header
    cols = tuple(_labels(sheet, header))
    if len(cols) < 2:
        return None
    row = max(last, first)
    while any(_typed(sheet, (row + 1, c)) for c in cols):
        row += 1
    return _Block(header, first, row, cols)


def _spill_cover(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Cells inside a spill or array range → its anchor."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for anchor, f in sheet.formulas.items():
        box = ref_box(f.ref) if f.kind != "normal" else None
        if box is not None:
            (r1, c1), (r2, c2) = box
            for r in range(r1, min(r2, max(sheet.max_row, r1)) + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != anchor:
                        out[(r, c)] = anchor
    return out


def _calls(text: str) -> list[str]:
    try:
        return sorted(set(contract_calls(text)))
    except FormulaSyntaxError:
        return []


class _Shared:
    """Facts of a formula cell that the cells of its block share — the
    functions it calls, its R1C1 form — worked out once per block (a shared
    group, or a column filled down cell by cell:
    :class:`addin.validate.formulas.FormulaBlocks`), so a million rows of one
    formula are parsed once, not a million times. Any other cell is worked out
    on its own."""

    def __init__(self) -> None:
        self.blocks = FormulaBlocks()
        self.known: dict[tuple[str, BlockKey], Any] = {}

    def _once(self, what: str, sheet: Sheet, f: Formula, coord: Coord, work: Callable[[], Any]) -> Any:
        key = self.blocks.key(sheet, coord, f)
        if key is None:
            return work()
        got = self.known.get((what, key))
        if got is None:
            got = self.known[(what, key)] = work()
        return got

    def calls(self, sheet: Sheet, f: Formula, coord: Coord) -> list[str]:
        """The registry functions the formula at ``coord`` calls."""
        calls: list[str] = self._once("calls", sheet, f, coord, lambda: _calls(f.text))
        return calls

    def r1c1(self, sheet: Sheet, f: Formula, coord: Coord) -> str:
        """The formula at ``coord`` in R1C1 form (the same down a filled column)."""
        key: str = self._once("r1c1", sheet, f, coord, lambda: r1c1_key(f.text, *coord))
        return key


def _kind(header: str, values: list[CellValue]) -> str:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values or len(numbers) < len(values):
        return "text"  # text, or a mix the maintainer should decide about
    low = header.casefold()
    if any(w in low for w in _DATE_WORDS):
        return "date"
    if any(w in header for w in _PERCENT_WORDS) and all(-1 <= float(v) <= 1 for v in numbers):
        return "percent"
    if any(w in header for w in _MONEY_WORDS):
        return "money"
    return "number"


def _choice(view: WorkbookView, sheet: Sheet, cells: list[tuple[int, int]]) -> dict[str, Any] | None:
    """The choice list that validates every one of ``cells`` (a list over only
    some of a column's rows, as on a label/value 参数 sheet, makes no column kind)."""
    for dv in view.validations.get(sheet.name, []):
        if dv.type != "list" or not all(dv.covers(c) for c in cells):
            continue
        text = dv.formula1.strip()
        if text.startswith('"') and text.endswith('"'):
            return {"kind": "choice", "choices": [p.strip() for p in text[1:-1].split(",")]}
        try:
            node = parse(text)
        except FormulaSyntaxError:
            return None
        if isinstance(node, Name):
            return {"kind": "choice", "choices_name": node.name}
        return {"kind": "choice"}
    return None


def _column_entry(
    view: WorkbookView, sheet: Sheet, block: _Block, col: int, name: str | None,
    cover: dict[tuple[int, int], tuple[int, int]], warnings: list[tuple[str, str]], shared: _Shared,
) -> tuple[str, dict[str, Any]] | None:  # fmt: skip
    letter = col_letters(col)
    header = _text(sheet.values.get((block.header_row, col)))
    where = {"sheet": sheet.name, "column": letter, "header": header, "first_row": block.first,
             "last_row": block.last}
    top = (block.first, col)
    f = sheet.formulas.get(top)
    if f is not None and f.kind != "normal" and f.ref and ":" in f.ref:
        return "results", {**where, "formula": True, "spill": True, "anchor": to_a1(*top), "ref": f.ref,
                           "name": name, "functions": _calls(f.text)}
    if top in cover:
        return "results", {**where, "formula": False, "spilled_into": True}
    rows = range(block.first, block.last + 1)
    by_row = {r: shared.r1c1(sheet, sheet.formulas[(r, col)], (r, col)) for r in rows if (r, col) in sheet.formulas}
    keys = list(by_row.values())
    common, count = Counter(keys).most_common(1)[0] if keys else ("", 0)
    if count >= 2 and count * 2 > len(rows):
        # a filled-down column, one formula in R1C1 form — with a warning for
        # each row that breaks it, which validate --spec will report
        first = next(r for r in rows if by_row.get(r) == common)
        text = sheet.formulas[(first, col)].text
        for r in rows:
            if by_row.get(r) != common:
                warnings.append(_odd_row(sheet, col, r, header, shift_formula(text, r - first, 0)))
        return "results", {**where, "formula": True, "spill": False, "name": name, "functions": _calls(text),
                           "r1c1": common}
    if keys:
        return None  # different formulas row by row (a label/value sheet): result cells
    values = [sheet.values.get((r, col)) for r in rows]
    filled = [v for v in values if not is_blank(v)]
    entry = {**where, "kind": _kind(header, filled), "choices": None, "choices_name": None,
             "required": bool(values) and len(filled) == len(values), "name": name}
    entry.update(_choice(view, sheet, [(r, col) for r in rows]) or {})
    return "inputs", entry


def _odd_row(sheet: Sheet, col: int, row: int, header: str, expected: str) -> tuple[str, str]:
    """The warning for a row of a result column that breaks its formula."""
    cell = f"{sheet.name}!{to_a1(row, col)}"
    f = sheet.formulas.get((row, col))
    if f is not None:
        zh_got, en_got = f"为 ={f.text}", f"holds ={f.text}"
    elif is_blank(sheet.values.get((row, col))):
        zh_got, en_got = "是空的", "is empty"
    else:
        zh_got, en_got = "填的是值而不是公式", "holds a typed value, not a formula"
    return (
        f"{cell}：按“{header}”列其他行，这里应为 ={expected}，实际{zh_got}。说明按多数行记录此列，"
        "jixiao validate --spec 会报告这一行：改正它，或在说明中改写此列",
        f"{cell}: by the other rows of column {header!r} it should be ={expected}, but it {en_got}. The spec records "
        "the column by its majority and jixiao validate --spec will report this row: correct it, or edit the spec",
    )


def _table_args(wb: Workbook) -> list[tuple[str, Node, str, str | None]]:
    """(sheet, table node, "band"|"prize", side keyword) for every table a formula reads."""
    out: list[tuple[str, Node, str, str | None]] = []
    seen: set[object] = set()
    blocks = FormulaBlocks()
    for sheet in wb.sheets:
        for coord, f in sheet.formulas.items():
            # a block (shared group, filled-down run) whose tables are names or
            # absolute ranges reads the same tables from every cell: its first
            # cell speaks for it
            group = blocks.key(sheet, coord, f)
            if group in seen:
                continue
            text = f.text
            if text in seen:
                continue
            seen.add(text)
            try:
                tree = parse(text)
            except FormulaSyntaxError:
                continue
            found = [t for func in function_names(tree) for t in _tables_of(sheet.name, func)]
            out.extend(found)
            if group is not None and all(_same_everywhere(node) for _s, node, _k, _side in found):
                seen.add(group)
    return out


def _same_everywhere(node: Node) -> bool:
    """Whether a table argument names the same cells from any cell: a name, or
    a range with every edge absolute (a relative one moves with the formula)."""
    if isinstance(node, Ref):
        return node.abs_top and node.abs_left and node.abs_bottom and node.abs_right
    return True


def _tables_of(sheet: str, func: Func) -> list[tuple[str, Node, str, str | None]]:
    upper = func.name.upper().removeprefix("_XLFN.")
    if upper == "VLOOKUP" and len(func.args) >= 2:
        exact = len(func.args) >= 4 and (
            (isinstance(func.args[3], Bool) and not func.args[3].value)
            or (isinstance(func.args[3], Number) and func.args[3].value == 0)
        )
        return [] if exact else [(sheet, func.args[1], "band", None)]
    spec = registry.lookup(func.name)
    if spec is None:
        return []
    side = None
    for arg, node in zip(spec.args, func.args, strict=False):
        if arg.name == "side" and isinstance(node, Text):
            side = "upper" if node.value.strip() in ("上含", "upper") else "lower"
    return [
        (sheet, node, "prize" if arg.name == "prizes" else "band", side)
        for arg, node in zip(spec.args, func.args, strict=False)
        if arg.kind == "table"
    ]


def _resolve(wb: Workbook, sheet: str, node: Node) -> tuple[str, Ref] | None:
    """A table argument's label and rectangle (a name or an absolute range)."""
    if isinstance(node, Name):
        target = name_ref(wb, node.name)
        return None if target is None else (node.name, target)
    if isinstance(node, Ref) and node.rows and node.cols and node.bottom > node.top:
        ref = node if node.sheet else Ref(sheet, node.top, node.left, node.bottom, node.right)
        return f"{ref.sheet}!{to_a1(ref.top, ref.left)}:{to_a1(ref.bottom, ref.right)}", ref
    return None


def _tables(wb: Workbook) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    bands: dict[str, dict[str, Any]] = {}
    prizes: dict[str, dict[str, Any]] = {}
    for sheet_name, node, kind, side in _table_args(wb):
        found = _resolve(wb, sheet_name, node)
        if found is None:
            continue
        label, ref = found
        sheet = find_sheet(wb, ref.sheet or sheet_name)
        if sheet is None:
            continue
        rng = f"{sheet.name}!{to_a1(ref.top, ref.left)}:{to_a1(ref.bottom, ref.right)}"
        if kind == "prize":
            prizes.setdefault(rng, {"name": label, "range": rng})
            continue
        width = ref.right - ref.left + 1
        numeric = [
            j + 1 for j in range(width)
            if any(isinstance(v, int | float) and not isinstance(v, bool)
                   for r in range(ref.top, ref.bottom + 1) if (v := sheet.values.get((r, ref.left + j))) is not None)
            and all(isinstance(v, int | float) or is_blank(v)
                    for r in range(ref.top, ref.bottom + 1) if (v := sheet.values.get((r, ref.left + j))) is not None)
        ]  # fmt: skip
        entry = bands.setdefault(rng, {"name": label, "range": rng, "columns": width, "ascending": True,
                                       "side": side or "lower", "numeric_columns": numeric})
        if side:
            entry["side"] = side
    return list(bands.values()), list(prizes.values())


def _parameters_and_lists(view: WorkbookView) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    wb = view.workbook
    list_names = set()
    for dvs in view.validations.values():
        for dv in dvs:
            if dv.type == "list":
                try:
                    node = parse(dv.formula1.strip())
                except FormulaSyntaxError:
                    continue
                if isinstance(node, Name):
                    list_names.add(node.name.casefold())
    params, lists = [], []
    for dn in wb.names:
        if dn.sheet is not None:
            continue
        try:
            node = parse(dn.text)
        except FormulaSyntaxError:
            continue
        if not isinstance(node, Ref) or node.sheet is None:
            continue
        sheet = find_sheet(wb, node.sheet)
        if sheet is None:
            continue
        rng = f"{sheet.name}!{to_a1(node.top, node.left)}:{to_a1(node.bottom, node.right)}"
        if dn.name.casefold() in list_names:
            lists.append({"name": dn.name, "range": rng})
        elif node.is_cell and (node.top, node.left) not in sheet.formulas:
            value = sheet.values.get((node.top, node.left))
            kind = "text" if isinstance(value, str) else _kind(dn.name, [value])
            params.append({"name": dn.name, "sheet": sheet.name, "cell": to_a1(node.top, node.left),
                           "kind": kind, "choices": None})
    return params, lists


def _match_header(headers: dict[int, str], words: tuple[str, ...], avoid: set[int]) -> int | None:
    """The column whose header best matches ``words`` (earlier word first, then
    the rightmost column for paid-out words, the leftmost for keys and names)."""
    for word in words:
        hits = [c for c, h in headers.items() if c not in avoid and word.casefold() in h.casefold()]
        if hits:
            return hits[0]
    return None


def _unique_texts(sheet: Sheet, col: int, first: int, last: int) -> bool:
    values = [sheet.values.get((r, col)) for r in range(first, last + 1)]
    filled = [_text(v) for v in values if not is_blank(v)]
    return bool(filled) and len(set(filled)) == len(filled)


def infer_slip(wb: Workbook) -> SlipPlan | None:
    """The slip a workbook without a declaration most likely means: the data
    block (found as ``spec init`` finds it) with a key column, preferring one
    with a name column and a paid-out column, then the one with most rows."""
    named = _column_names(wb)
    best: tuple[tuple[int, int, int], SlipPlan] | None = None
    for sheet in wb.sheets:
        block = _find_block(sheet, named)
        if block is None or block.last < block.first:
            continue
        headers = {c: _text(sheet.values.get((block.header_row, c))) for c in block.cols}
        key = _match_header(headers, KEY_WORDS, set())
        if key is None:
            key = next((c for c in block.cols if _unique_texts(sheet, c, block.first, block.last)), None)
        if key is None:
            continue
        name = _match_header(headers, NAME_WORDS, {key})
        paid = None
        for word in PAID_WORDS:
            hits = [c for c, h in headers.items() if c not in (key, name) and word in h
                    and any(isinstance(sheet.values.get((r, c)), int | float) or (r, c) in sheet.formulas
                           for r in range(block.first, block.last + 1))]
            if hits:
                paid = hits[-1]
                break
        plan = SlipPlan(
            sheet=sheet.name, header_first=block.header_row, header_row=block.header_row, first_row=block.first,
            last_row=None, key=key, name=name, columns=tuple(block.cols), paid=(paid,) if paid else (),
            source="inferred",
        )
        score = (int(name is not None) + int(paid is not None), block.last - block.first, -wb.sheets.index(sheet))
        if best is None or score > best[0]:
            best = (score, plan)
    return None if best is None else best[1]


def infer_spec(
    view: WorkbookView, template: str, warnings: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """A spec for the workbook read into ``view``; ``template`` is its id.
    What the maintainer must look at (a result column with a row that breaks
    its formula) is appended to ``warnings`` (zh, en)."""
    if warnings is None:
        warnings = []
    wb = view.workbook
    named = _column_names(wb)
    shared = _Shared()
    headers: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for sheet in wb.sheets:
        block = _find_block(sheet, named)
        cover = _spill_cover(sheet)
        in_block: set[tuple[int, int]] = set()
        if block is not None:
            for col in block.cols:
                headers.append({"sheet": sheet.name, "cell": to_a1(block.header_row, col),
                                "text": _text(sheet.values.get((block.header_row, col)))})
                name = named.get((sheet.name, col), (None, 0, 0))[0]
                found = _column_entry(view, sheet, block, col, name, cover, warnings, shared)
                if found is not None:
                    (inputs if found[0] == "inputs" else results).append(found[1])
                    in_block.update((r, col) for r in range(block.first, block.last + 1))
        for coord in sorted(sheet.formulas):
            if coord in in_block or coord in cover:
                continue
            f = sheet.formulas[coord]
            entry: dict[str, Any] = {"sheet": sheet.name, "cell": to_a1(*coord), "formula": True,
                                     "functions": shared.calls(sheet, f, coord)}
            if f.kind != "normal" and f.ref and ":" in f.ref:
                entry.update(spill=True, anchor=to_a1(*coord), ref=f.ref)
            results.append(entry)
    bands, prizes = _tables(wb)
    params, lists = _parameters_and_lists(view)
    return {
        "$comment": "由 jixiao spec init 生成，请核对后再用 jixiao validate --spec 校验；格式见 docs/spec-format.md。"
                    " Written by jixiao spec init: review it, then check the workbook with jixiao validate --spec;"
                    " format: docs/spec-format.md. Keys starting with $comment are notes and are ignored.",
        "format": 1,
        "template": template,
        "version": view.template_version or "1",
        "title": template,
        "file": view.path.name,
        "properties": {},
        "sheets": [s.name for s in wb.sheets],
        "names": {dn.name: dn.text for dn in wb.names if dn.sheet is None and not dn.name.startswith("_xlnm.")},
        "tables": [{"name": t.name, "sheet": t.sheet, "columns": list(t.columns)} for t in wb.tables],
        "headers": headers,
        "parameters": params,
        "inputs": inputs,
        "results": results,
        "band_tables": bands,
        "weight_groups": [],
        "prize_tables": prizes,
        "lists": lists,
        **({"slip": slip.as_spec()} if (slip := infer_slip(wb)) is not None else {}),
    }


def _dump(spec: dict[str, Any], fh: IO[bytes]) -> None:
    """``spec`` as indented JSON, written piece by piece: ``json.dumps`` of a
    million result cells held 12 million string pieces before joining them."""
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="\n")
    json.dump(spec, text, ensure_ascii=False, indent=1)
    text.write("\n")
    text.flush()
    text.detach()  # the caller closes the file


@click.group("spec")
def spec_command() -> None:
    """结构说明文件 / structure specs of workbooks."""


@spec_command.command("init")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（默认 工作簿名.spec.json）/ output file (default WORKBOOK.spec.json)")
@click.option("--force", is_flag=True, help="覆盖已有的说明文件 / overwrite an existing spec")
@language_option()
def init_command(workbook: Path, output: Path | None, force: bool, lang: str) -> None:
    """从工作簿生成结构说明 / write a structure spec from a workbook.

    退出码 / exit code: 0 已写出 written, 2 无法读取工作簿或说明已存在（未加 --force）
    workbook unreadable, or the spec exists (without --force).
    """
    output = output or workbook.with_suffix(".spec.json")
    if output.exists() and not force:
        click.echo(say(
            lang,
            f"{output}：说明文件已存在，未覆盖（它可能已经核对修改过）；确要重新生成请加 --force，或用 -o 另写一个文件",
            f"{output}: the spec exists and was left alone (it may have been reviewed and edited); add --force to "
            "overwrite it, or write another file with -o",
            sep="\n",
        ), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    view = read_or_exit(load_view, workbook)
    echo_repairs(workbook, view.workbook.repairs)
    warnings: list[tuple[str, str]] = []
    spec = infer_spec(view, view.template_id or workbook.stem, warnings)
    for zh, en in warnings:
        click.echo(say(lang, f"注意：{zh}", f"warning: {en}", sep="\n  "), err=True)
    write_atomically(output, lambda fh: _dump(spec, fh))
    n_in, n_res = len(spec["inputs"]), len(spec["results"])
    click.echo(say(
        lang,
        f"{output}：{len(spec['sheets'])} 个工作表、{n_in} 个输入、{n_res} 个结果、{len(spec['band_tables'])} 个档位表；"
        f"请核对后运行 jixiao validate --spec {output} {workbook}",
        f"{output}: {len(spec['sheets'])} sheets, {n_in} inputs, {n_res} results, "
        f"{len(spec['band_tables'])} band tables; review it, then run jixiao validate --spec {output} {workbook}",
        sep="\n",
    ))
