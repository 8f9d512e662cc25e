"""External-link parts (``xl/externalLinks/externalLinkN.xml``): links to other
workbooks — the linked file, its sheets and defined names, and the values
Excel cached for the cells the formulas read.

Reading them is part of reading the workbook (:func:`read_external_links`,
which :func:`addin.xlsx.workbook.read_workbook` calls); updating the cached
values after a refresh is :mod:`addin.xlsx.external`.
"""

from __future__ import annotations

from lxml import etree

from addin.xlsx.a1 import from_a1
from addin.xlsx.model import CellValue, Coord, ExternalLink
from addin.xlsx.package import Package, rels_part
from addin.xlsx.safexml import children, local_name, rel_id
from addin.xlsx.sheetxml import decode_xstring
from udfs.errors import ExcelError, parse_error

__all__ = ["read_external_links"]

_EXTERNAL_LINK_REL = "/externalLink"


def _external_target(package: Package, part: str) -> str:
    """The ``TargetMode="External"`` target of ``part``'s relationships."""
    rels = rels_part(part)
    if not package.has(rels):
        return ""
    for rel in package.parse(rels):
        if local_name(rel.tag) == "Relationship" and rel.get("TargetMode") == "External":
            return rel.get("Target") or ""
    return ""


def _value(t: str | None, v: str | None) -> CellValue:
    if v is None:
        return None
    if t == "str" or t == "s" or t == "inlineStr":
        return decode_xstring(v)
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return parse_error(v.strip()) or ExcelError("#REF!")
    try:
        return float(v)
    except ValueError:
        return decode_xstring(v)


def read_external_links(package: Package, root: etree._Element) -> list[ExternalLink]:
    """The workbook's external links, ``index`` 1, 2 … in ``workbook.xml`` order:
    each ``<externalReference>`` (formulas write the N-th as ``[N]Sheet!A1``),
    its part, the linked file (the part's relationship with
    ``TargetMode="External"``), the linked sheets, the values Excel cached for
    the cells it read, and the linked book's defined names."""
    out: list[ExternalLink] = []
    for i, ref in enumerate(children(root, "externalReferences", "externalReference"), start=1):
        rel = package.workbook_rels.get(rel_id(ref) or "")
        if rel is None or not rel[0].endswith(_EXTERNAL_LINK_REL) or not package.has(rel[1]):
            continue
        part = rel[1]
        link_root = package.parse(part)
        sheets = tuple(
            s.get("val") or "" for s in children(link_root, "externalBook", "sheetNames", "sheetName")
        )
        values: dict[str, dict[Coord, CellValue]] = {}
        for data in children(link_root, "externalBook", "sheetDataSet", "sheetData"):
            try:
                sheet = sheets[int(data.get("sheetId") or "0")]
            except (ValueError, IndexError):
                continue
            cells = values.setdefault(sheet, {})
            for cell in (c for row in data for c in row if local_name(c.tag) == "cell"):
                try:
                    coord = from_a1(cell.get("r") or "")
                except ValueError:
                    continue
                v = next((c.text for c in cell if local_name(c.tag) == "v"), None)
                cells[coord] = _value(cell.get("t"), v)
        names = {
            dn.get("name") or "": (dn.get("refersTo") or "").lstrip("=")
            for dn in children(link_root, "externalBook", "definedNames", "definedName")
        }
        out.append(ExternalLink(i, part, _external_target(package, part), sheets, values, names))
    return out
