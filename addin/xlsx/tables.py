"""Table parts (``xl/tables/tableN.xml``): a sheet's tables (ListObjects), which
structured references (``Table1[Amount]``) name.
"""

from __future__ import annotations

from lxml import etree

from addin.xlsx.a1 import MAX_ROW, parse_range
from addin.xlsx.model import Table, unreadable
from addin.xlsx.package import Package
from addin.xlsx.safexml import children
from addin.xlsx.sheetxml import decode_xstring

__all__ = ["read_table"]


def read_table(package: Package, part: str, sheet: str) -> Table:
    """The table of part ``part`` on sheet ``sheet``: its name, range, columns,
    header and totals rows, and whether its filter filters a column."""
    root = package.parse(part)
    ref = root.get("ref") or ""
    try:
        first, last = parse_range(ref)
    except ValueError:
        raise unreadable(
            f"表格部件 {part} 的区域 {ref!r} 无效", f"table part {part} has an invalid ref {ref!r}"
        ) from None
    columns = tuple(
        decode_xstring(c.get("name") or "") for c in children(root, "tableColumns", "tableColumn")
    )
    return Table(
        name=root.get("displayName") or root.get("name") or "",
        sheet=sheet,
        first=first,
        last=last,
        columns=columns,
        header_rows=_count_attr(root, "headerRowCount", 1, part),
        totals_rows=_count_attr(root, "totalsRowCount", 0, part),
        filtered=any(True for _ in children(root, "autoFilter", "filterColumn")),
    )


def _count_attr(el: etree._Element, name: str, default: int, part: str) -> int:
    """A small non-negative count attribute (``headerRowCount`` …), validated."""
    raw = el.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or int(raw) > MAX_ROW:
        raise unreadable(
            f"部件 {part} 的 {name}={raw!r} 无效", f"part {part} has an invalid {name}={raw!r}"
        )
    return int(raw)
