"""The styles part (``xl/styles.xml``): how many cell formats it defines,
which a cell's ``s`` index must stay below, and that each of those formats
points at fonts, fills, borders and a cell style the part defines.
"""

from __future__ import annotations

from addin.xlsx.model import unreadable
from addin.xlsx.package import Package, iter_elements
from addin.xlsx.safexml import ROOT_HEAD, check_root, local_name

__all__ = ["cell_format_count"]

#: a cell format's attribute → the list of the styles part it indexes
_INDEXES = {"fontId": "fonts", "fillId": "fills", "borderId": "borders", "xfId": "cellStyleXfs"}


def cell_format_count(package: Package) -> int:
    """How many cell formats (``cellXfs/xf``) the styles part defines; 1 (the
    default format Excel assumes) when the workbook has no styles part. A
    styles relationship whose part is missing is refused, naming it, and so is
    a cell format whose ``fontId``, ``fillId``, ``borderId`` or ``xfId`` is
    past the list it indexes (openpyxl cannot open such a package: found by
    ``make fuzz``'s structural mutants, an ``<xf>`` moved out of
    ``<cellStyleXfs>``)."""
    for rel_type, target in package.workbook_rels.values():
        if rel_type.endswith("/styles"):
            if not package.has(target):
                raise unreadable(
                    f"{package.path.name} 缺少样式部件 {target}",
                    f"{package.path.name}: its styles part {target} is missing",
                )
            with package.open(target) as stream:
                check_root(stream.read(ROOT_HEAD), target, ("styleSheet",))
            sizes: dict[str, int] = {}
            formats: list[dict[str, str]] = []
            for el in iter_elements(package, target, ("cellXfs", *_INDEXES.values())):
                name = local_name(el.tag)
                items = [c for c in el if isinstance(c.tag, str)]
                sizes[name] = max(sizes.get(name, 0), len(items))
                if name == "cellXfs" and len(items) >= len(formats):
                    formats = [{k: str(c.get(k)) for k in _INDEXES if c.get(k) is not None}
                               for c in items if local_name(c.tag) == "xf"]
                el.clear(keep_tail=False)
            for i, xf in enumerate(formats):
                for attr, value in xf.items():
                    size = sizes.get(_INDEXES[attr])
                    if size is not None and (not value.isdigit() or int(value) >= size):
                        raise unreadable(
                            f"部件 {target} 的单元格格式 cellXfs/xf[{i}] 的 {attr}={value!r} "
                            f"超出 <{_INDEXES[attr]}> 的 {size} 项，Excel 无法打开",
                            f"part {target}: cell format cellXfs/xf[{i}] has {attr}={value!r}, "
                            f"past the {size} entries of <{_INDEXES[attr]}>; Excel cannot open it",
                        )
            return max(len(formats), 1)
    return 1
