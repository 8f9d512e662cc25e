"""The xlsx report of ``jixiao diff --out``: one sheet per compared sheet,
changed cells highlighted, a totals row, frozen headers, money formatted.

This is a new workbook (no cached values are at stake: every cell is a
constant), streamed row by row (:mod:`addin.xlsx.streamed`): a report of a
million added people is written in seconds, in constant memory. A page longer
than Excel's 1,048,576 rows continues on a second sheet (``Sheet1 (2)``)
under the same header.

比较报告：每个比较的工作表一页，差异高亮，合计行，冻结表头，金额格式。
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

from addin.monthend.diff import SheetDiff, WorkbookDiff
from addin.xlsx.a1 import MAX_ROW
from addin.xlsx.atomic_write import write_atomically
from addin.xlsx.streamed import Look, Row, StreamedSheet, Styled, write_book

__all__ = ["write_report"]

MONEY = "#,##0.00;[Red]-#,##0.00"
_BAD = '[]:*?/\\'
BOLD = Look(bold=True)
FILLS = {"变化": "FFF2CC", "新增": "E2EFDA", "删除": "FCE4D6"}
#: rows a page holds under its header (Excel's last row is the header's + this)
PAGE_ROWS = MAX_ROW - 1


def _title(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in _BAD else ch for ch in name)[:28] or "Sheet"
    title, n = base, 2
    while title.casefold() in used:
        title, n = f"{base[:25]}~{n}", n + 1
    used.add(title.casefold())
    return title


def write_report(result: WorkbookDiff, out: Path) -> None:
    """Write ``result`` to ``out`` (atomically: a half-written report never
    replaces an older one)."""
    summary: list[Sequence[object]] = [
        ["旧文件 Old", Path(result.old).name],
        ["新文件 New", Path(result.new).name],
        [Styled(h, BOLD) for h in ("工作表 Sheet", "变化 Changed", "新增 Added", "删除 Removed", "单元格 Cells")],
        *([s.sheet, len(s.changed), len(s.added), len(s.removed), len(s.cells)] for s in result.sheets),
        *([note] for note in result.notes),
    ]
    sheets = [StreamedSheet("概要 Summary", summary)]
    used = {sheets[0].title.casefold()}
    for s in result.sheets:
        if not s.different:
            continue
        head = _head(s)
        body = _body(s)
        count = len(s.cells) if s.mode == "cells" else len(s.changed) + len(s.added) + len(s.removed) + 1 + bool(
            s.errors
        )
        title = _title(s.sheet, used)
        for page in range(max(1, -(-count // PAGE_ROWS))):
            rows = itertools.chain([head], itertools.islice(body, PAGE_ROWS))
            name = title if page == 0 else _title(f"{s.sheet} ({page + 1})", used)
            sheets.append(StreamedSheet(name, rows, dict.fromkeys(range(1, len(head) + 1), 14.0),
                                        "B2" if s.mode == "cells" else "D2"))
    write_atomically(out, lambda fh: write_book(fh, sheets))


#: the money looks: plain, bold (totals), and on each kind's fill
_MONEY = {
    (fill, bold): Look(bold=bold, fill=FILLS[fill] if fill else None, number_format=MONEY)
    for fill in (None, *FILLS) for bold in (False, True)
}  # fmt: skip


def _money(value: object, fill: str | None = None, bold: bool = False) -> Styled:
    return Styled(value, _MONEY[(fill, bold)])


def _head(s: SheetDiff) -> list[object]:
    if s.mode == "cells":
        head = ["单元格 Cell", "旧值 Old", "新值 New", "差额 Diff"]
    else:
        head = ["类型 Kind", s.key or "", s.label or ""]
        for col in s.columns:
            head += [f"{col} 旧", f"{col} 新", f"{col} 差额"]
    return [Styled(h, BOLD) for h in head]


def _body(s: SheetDiff) -> Iterator[list[object] | Row]:
    """One compared sheet's rows under its header (people or cells, then the
    totals), made as the sheet is written."""
    if s.mode == "cells":
        for c in s.cells:
            yield [c.column, _money(c.old), _money(c.new), _money(c.difference, "变化")]
        return
    blank = _money(None)
    for tag, people in (("变化", s.changed), ("新增", s.added), ("删除", s.removed)):
        kind = Styled(tag, Look(fill=FILLS[tag]))
        look = _MONEY[(tag, False)]
        # a person with every column (each one added or removed): plain values
        # with one list of looks for all of them, no Styled per cell
        looks = [kind.look, None, None, *[look] * (3 * len(s.columns))]
        for p in people:
            if [c.column for c in p.changes] == s.columns:
                values: list[object] = [tag, p.key, p.label]
                for c in p.changes:
                    values += [c.old, c.new, c.difference]
                yield Row(values, None, looks)
                continue
            row: list[object] = [kind, p.key, p.label]
            by_col = {c.column: c for c in p.changes}
            for col in s.columns:
                got = by_col.get(col)
                if got is None:
                    row += [blank, blank, blank]
                else:
                    row += [Styled(got.old, look), Styled(got.new, look), Styled(got.difference, look)]
            yield row
    total: list[object] = [Styled("合计 Total", BOLD), Styled("", BOLD), Styled("", BOLD)]
    for col in s.columns:
        total += [_money(v, bold=True) for v in s.totals.get(col, (None, None, None))]
    yield total
    if s.errors:  # error values are not in the totals: count them under it
        counts: list[object] = ["错误值（不计入合计）Errors", "", ""]
        for col in s.columns:
            e_old, e_new = s.errors.get(col, ([], []))
            counts += [_money(len(e_old) or None), _money(len(e_new) or None), _money(None)]
        yield counts
