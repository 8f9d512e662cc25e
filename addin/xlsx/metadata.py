"""The cell metadata part (``xl/metadata.xml``): which ``cm`` values of the
cells mark a dynamic-array formula (``XLDAPR`` with ``fDynamic``), as opposed
to a legacy array formula.
"""

from __future__ import annotations

from addin.xlsx.package import Package
from addin.xlsx.safexml import children, local_name

__all__ = ["dynamic_cell_metadata"]


def dynamic_cell_metadata(package: Package, part: str) -> frozenset[str]:
    """The ``cm`` values (1-based cellMetadata blocks) that mark dynamic arrays."""
    root = package.parse(part)
    type_names = [t.get("name") or "" for t in children(root, "metadataTypes", "metadataType")]
    dynamic_future: set[int] = set()
    for fm in children(root, "futureMetadata"):
        if fm.get("name") != "XLDAPR":
            continue
        for i, bk in enumerate(c for c in fm if local_name(c.tag) == "bk"):
            for el in bk.iter():
                if local_name(el.tag) == "dynamicArrayProperties" and el.get("fDynamic") in (
                    "1",
                    "true",
                ):
                    dynamic_future.add(i)
    out: set[str] = set()
    for i, bk in enumerate(children(root, "cellMetadata", "bk"), start=1):
        for rc in bk:
            if local_name(rc.tag) != "rc":
                continue
            try:
                t, v = int(rc.get("t") or 0), int(rc.get("v") or 0)
            except ValueError:
                continue
            if 1 <= t <= len(type_names) and type_names[t - 1] == "XLDAPR" and v in dynamic_future:
                out.add(str(i))
    return frozenset(out)
