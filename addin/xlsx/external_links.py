"""External-link parts (``xl/externalLinks/externalLinkN.xml``): links to other
workbooks — the linked file, its sheets and defined names, and the values
Excel cached for the cells the formulas read.

Reading them is part of reading the workbook (:func:`read_external_links`,
which :func:`addin.xlsx.workbook.read_workbook` calls). Writing
(:func:`update_cached_values`): after a refresh, the values cached in an
``externalLink`` part are replaced by the freshly computed values of the
linked workbook, in the writer's one pass over the package (every other
entry copied as it is), so Excel shows the same numbers before it updates
links.

外部链接：读取链接及其缓存值；刷新后在写出时一并更新缓存值。
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from addin.xlsx.a1 import from_a1
from addin.xlsx.model import CellValue, Coord, ExternalLink
from addin.xlsx.package import Package, rels_part
from addin.xlsx.safexml import children, local_name, rel_id, safe_parser
from addin.xlsx.sheetxml import decode_xstring, format_number
from udfs.errors import ExcelError, parse_error

__all__ = ["read_external_links", "update_cached_values"]

_EXTERNAL_LINK_REL = "/externalLink"


def _external_target(package: Package, part: str) -> str:
    """The ``TargetMode="External"`` target of ``part``'s relationships."""
    rels = rels_part(part)
    if not package.has(rels):
        return ""
    for rel in package.parse_rels(rels):
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


# ------------------------------------------------------------------ writing


def _set_cell(cell: etree._Element, value: CellValue) -> bool:
    """Set one cached ``<cell>`` to ``value``; whether it changed."""
    ns = cell.tag.rpartition("}")[0] + "}" if "}" in cell.tag else ""
    v = next((c for c in cell if local_name(c.tag) == "v"), None)
    if isinstance(value, bool):
        t, text = "b", "1" if value else "0"
    elif isinstance(value, float | int):
        t, text = None, format_number(float(value))
    elif isinstance(value, ExcelError):
        t, text = "e", str(value)
    elif value is None:
        t, text = None, None
    else:
        t, text = "str", str(value)
    old = (cell.get("t"), None if v is None else v.text)
    if old == (t, text):
        return False
    if t is None:
        cell.attrib.pop("t", None)
    else:
        cell.set("t", t)
    if text is None:
        if v is not None:
            cell.remove(v)
    else:
        if v is None:
            v = etree.SubElement(cell, ns + "v")
        v.text = text
    return True


def update_cached_values(
    data: bytes, fresh: Mapping[str, Mapping[Coord, CellValue]]
) -> bytes | None:
    """An external-link part (``data``) with the values cached for the linked
    workbook's sheets in ``fresh`` (sheet → coord → value; sheet names
    compared without regard to case) replaced, and their ``refreshError``
    dropped; ``None`` when nothing changes. Only cells already cached are
    touched, so Excel shows the same numbers before it updates links. The
    writer calls it in its one pass over the package
    (:func:`addin.xlsx.writer.write_results`)."""
    root = etree.fromstring(data, safe_parser())
    sheets = [s.get("val") or "" for s in children(root, "externalBook", "sheetNames", "sheetName")]
    folded = {k.casefold(): v for k, v in fresh.items()}
    changed = False
    for sd in children(root, "externalBook", "sheetDataSet", "sheetData"):
        try:
            values = folded.get(sheets[int(sd.get("sheetId") or "0")].casefold())
        except (ValueError, IndexError):
            continue
        if values is None:
            continue
        if sd.get("refreshError") is not None:
            del sd.attrib["refreshError"]
            changed = True
        for cell in (c for row in sd for c in row if local_name(c.tag) == "cell"):
            try:
                coord = from_a1(cell.get("r") or "")
            except ValueError:
                continue
            changed |= _set_cell(cell, values.get(coord))
    if not changed:
        return None
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out
