"""Where a workbook's pay slips (工资条) come from: the sheet, its header rows,
the key and name columns, the columns a slip shows and the columns paid out.

Three sources, in this order: options given on the command line; the ``slip``
entry of a structure spec (every template ships one; ``jixiao spec init``
writes one for an office's own workbook; format: ``docs/spec-format.md``);
and, for a workbook without either, the same reading ``spec init`` does.

工资条的位置：命令行选项、结构说明中的 ``slip``，或按 ``spec init`` 的方法从工作簿识别。
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from addin.xlsx.a1 import col_letters, col_number
from addin.xlsx.model import CellValue, Sheet, Workbook

__all__ = [
    "KEY_WORDS",
    "NAME_WORDS",
    "PAID_WORDS",
    "SlipPlan",
    "SlipPlanError",
    "column_of",
    "header_cells",
    "plan_from_spec",
]

#: header words of a key column, a name column and a paid-out column, best first
KEY_WORDS = ("工号", "员工编号", "职工号", "人员编号", "编号", "员工号", "账号", "代码", "ID")
NAME_WORDS = ("姓名", "名字", "员工姓名", "职工姓名", "销售员", "经理", "主管", "name")
PAID_WORDS = ("实发", "应发", "实得", "奖金合计", "奖励合计", "合计", "总额", "工资", "奖金", "奖励")
#: key or name cells saying a row is the sheet's total, not a person
TOTAL_WORDS = ("合计", "总计", "小计", "total")


class SlipPlanError(ValueError):
    """The slip cannot be placed; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(en)


@dataclass(frozen=True)
class SlipPlan:
    """One sheet's slip layout (columns are 1-based numbers)."""

    sheet: str
    header_first: int
    header_row: int
    first_row: int
    last_row: int | None  # the template's last row; rows go on while the key column does
    key: int
    name: int | None
    columns: tuple[int, ...]
    paid: tuple[int, ...]
    source: str  # "options" | "spec" | "inferred"

    def as_spec(self) -> dict[str, Any]:
        """The ``slip`` entry of a structure spec describing this plan."""
        out: dict[str, Any] = {"sheet": self.sheet}
        if self.header_first != self.header_row:
            out["header_first"] = self.header_first
        out.update(header_row=self.header_row, first_row=self.first_row)
        if self.last_row is not None:
            out["last_row"] = self.last_row
        out["key"] = col_letters(self.key)
        if self.name is not None:
            out["name"] = col_letters(self.name)
        out["columns"] = [col_letters(c) for c in self.columns]
        out["paid"] = [col_letters(c) for c in self.paid]
        return out


def _text(v: CellValue) -> str:
    return "" if v is None else str(v).strip()


def header_cells(sheet: Sheet, header_first: int, header_row: int) -> dict[int, list[tuple[int, CellValue]]]:
    """The cells of each header row (column, value), in the sheet's order:
    one pass over the sheet's cells, however many columns are then named."""
    rows: dict[int, list[tuple[int, CellValue]]] = {r: [] for r in range(header_first, header_row + 1)}
    for (r, c), v in sheet.values.items():
        got = rows.get(r)
        if got is not None:
            got.append((c, v))
    return rows


def column_of(
    sheet: Sheet, header_first: int, header_row: int, given: str,
    headers: dict[int, list[tuple[int, CellValue]]] | None = None,
) -> int:  # fmt: skip
    """A column given as a letter (``B``) or by its header text (``姓名``);
    ``headers``: :func:`header_cells` of the header rows, when known."""
    given = given.strip()
    if headers is None:
        headers = header_cells(sheet, header_first, header_row)
    for row in range(header_row, header_first - 1, -1):
        for c, v in headers.get(row, ()):
            if _text(v) == given:
                return c
    if given.isascii() and given.isalpha() and len(given) <= 3:
        return col_number(given.upper())
    raise SlipPlanError(
        f"工作表 {sheet.name} 第 {header_row} 行没有表头“{given}”",
        f"sheet {sheet.name} has no header {given!r} in row {header_row}",
    )


def plan_from_spec(wb: Workbook, entry: dict[str, Any]) -> SlipPlan:
    """The plan a spec's ``slip`` entry declares (columns as letters or headers)."""
    try:
        sheet = wb.sheet(str(entry["sheet"]))
    except KeyError:
        raise SlipPlanError(
            f"结构说明的工资条工作表 {entry['sheet']} 不存在", f"the spec's slip sheet {entry['sheet']!r} does not exist"
        ) from None
    header_row = int(entry["header_row"])
    header_first = int(entry.get("header_first", header_row))

    headers = header_cells(sheet, header_first, header_row)

    def col(given: str) -> int:
        return column_of(sheet, header_first, header_row, given, headers)

    key = col(entry["key"])
    columns = tuple(col(c) for c in entry.get("columns") or []) or tuple(
        sorted(c for c, v in headers.get(header_row, ()) if _text(v))
    )
    return SlipPlan(
        sheet=sheet.name,
        header_first=header_first,
        header_row=header_row,
        first_row=int(entry.get("first_row", header_row + 1)),
        last_row=int(entry["last_row"]) if entry.get("last_row") else None,
        key=key,
        name=col(entry["name"]) if entry.get("name") else None,
        columns=columns,
        paid=tuple(col(c) for c in entry.get("paid") or []),
        source="spec",
    )
