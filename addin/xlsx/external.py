"""Links to other workbooks in the package: ``xl/externalLinks/externalLinkN.xml``.

Reading them is part of reading the workbook
(:func:`addin.xlsx.external_links.read_external_links`, which the reader calls).

Writing (:func:`update_external_caches`): after a refresh, the cached values
inside the ``externalLink`` parts of an output are replaced by the freshly
computed values of the linked workbook, so Excel shows the same numbers before
it updates links. Only cells already cached are touched; every other entry of
the package is copied byte for byte; the file is replaced atomically.

外部链接：刷新后更新 externalLink 部件中的缓存值。
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from lxml import etree

from addin.xlsx.a1 import from_a1
from addin.xlsx.model import CellValue, Coord
from addin.xlsx.safexml import children, local_name, safe_parser
from udfs.errors import ExcelError

__all__ = ["update_external_caches"]

# ------------------------------------------------------------------ writing


def _set_cell(cell: etree._Element, value: CellValue) -> bool:
    """Set one cached ``<cell>`` to ``value``; whether it changed."""
    ns = cell.tag.rpartition("}")[0] + "}" if "}" in cell.tag else ""
    v = next((c for c in cell if local_name(c.tag) == "v"), None)
    if isinstance(value, bool):
        t, text = "b", "1" if value else "0"
    elif isinstance(value, float | int):
        from addin.xlsx.writer import format_number

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


def _updated_part(data: bytes, fresh: Mapping[str, Mapping[Coord, CellValue]]) -> bytes | None:
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


def update_external_caches(
    path: Path, fresh: Mapping[str, Mapping[str, Mapping[Coord, CellValue]]]
) -> int:
    """Replace the cached values of the external-link parts named in ``fresh``
    (part → sheet → coord → value) in the package at ``path``; the number of
    parts changed. The file is rewritten atomically, other entries unchanged."""
    from addin.xlsx.writer import write_atomically

    with zipfile.ZipFile(path) as zf:
        new_parts: dict[str, bytes] = {}
        for part, values in fresh.items():
            if part in zf.namelist():
                updated = _updated_part(zf.read(part), values)
                if updated is not None:
                    new_parts[part] = updated
        if not new_parts:
            return 0

        def write(fh: IO[bytes]) -> None:
            with zipfile.ZipFile(fh, "w") as out:
                for info in zf.infolist():
                    data = new_parts.get(info.filename)
                    if data is None:
                        data = zf.read(info)
                    out.writestr(info, data, compress_type=info.compress_type)

        write_atomically(path, write, mode_from=path)
    return len(new_parts)
