"""The styles part (``xl/styles.xml``): how many cell formats it defines,
which a cell's ``s`` index must stay below.
"""

from __future__ import annotations

from addin.xlsx.model import unreadable
from addin.xlsx.package import Package, iter_elements
from addin.xlsx.safexml import local_name

__all__ = ["cell_format_count"]


def cell_format_count(package: Package) -> int:
    """How many cell formats (``cellXfs/xf``) the styles part defines; 1 (the
    default format Excel assumes) when the workbook has no styles part. A
    styles relationship whose part is missing is refused, naming it."""
    for rel_type, target in package.workbook_rels.values():
        if rel_type.endswith("/styles"):
            if not package.has(target):
                raise unreadable(
                    f"{package.path.name} 缺少样式部件 {target}",
                    f"{package.path.name}: its styles part {target} is missing",
                )
            count = 0
            for _xf in iter_elements(package, target, ("cellXfs",)):
                count = max(count, sum(1 for c in _xf if local_name(c.tag) == "xf"))
                _xf.clear(keep_tail=False)
            return max(count, 1)
    return 1
