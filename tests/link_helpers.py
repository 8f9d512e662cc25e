"""Build small workbooks that link to other workbooks (``[1]Sheet!A1``), for the
folder-refresh tests: openpyxl writes the sheets, then the ``externalLink``
parts are added to the package as Excel writes them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LINK_TYPE = f"{_REL}/externalLink"
_PATH_TYPE = f"{_REL}/externalLinkPath"
_LINK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"


def external_link_xml(sheet: str, cached: dict[str, float]) -> str:
    """One externalLink part: one linked sheet and the values Excel cached."""
    rows: dict[int, list[str]] = {}
    for ref, value in cached.items():
        row = int(re.sub(r"[A-Z]+", "", ref))
        rows.setdefault(row, []).append(f'<cell r="{ref}"><v>{value}</v></cell>')
    data = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<externalLink xmlns="{_MAIN}"><externalBook xmlns:r="{_REL}" r:id="rId1">'
        f"<sheetNames><sheetName val={quoteattr(sheet)}/></sheetNames>"
        f'<sheetDataSet><sheetData sheetId="0">{data}</sheetData></sheetDataSet>'
        "</externalBook></externalLink>"
    )


def make_workbook(
    path: Path,
    cells: dict[str, dict[str, object]],
    links: list[tuple[str, str, dict[str, float]]] = (),  # type: ignore[assignment]
) -> Path:
    """``cells``: sheet → A1 → value or ``=formula``; ``links``: (target file,
    linked sheet, cached values) for ``[1]``, ``[2]`` …"""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, values in cells.items():
        ws = wb.create_sheet(sheet)
        for ref, value in values.items():
            ws[ref] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if links:
        _add_links(path, list(links))
    return path


def _add_links(path: Path, links: list[tuple[str, str, dict[str, float]]]) -> None:
    with zipfile.ZipFile(path) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    refs, rels, cts = [], [], []
    for i, (target, sheet, cached) in enumerate(links, start=1):
        part = f"externalLinks/externalLink{i}.xml"
        entries[f"xl/{part}"] = external_link_xml(sheet, cached).encode()
        entries[f"xl/externalLinks/_rels/externalLink{i}.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_PATH_TYPE}" Target={quoteattr(escape(target))} '
            'TargetMode="External"/></Relationships>'
        ).encode()
        refs.append(f'<externalReference r:id="rIdX{i}"/>')
        rels.append(f'<Relationship Id="rIdX{i}" Type="{_LINK_TYPE}" Target="{part}"/>')
        cts.append(f'<Override PartName="/xl/{part}" ContentType="{_LINK_CT}"/>')
    book = entries["xl/workbook.xml"].decode()
    if "xmlns:r=" not in book.split(">", 2)[1]:
        book = book.replace("<workbook ", f'<workbook xmlns:r="{_REL}" ', 1)
    anchor = "</sheets>"
    book = book.replace(anchor, anchor + f"<externalReferences>{''.join(refs)}</externalReferences>", 1)
    entries["xl/workbook.xml"] = book.encode()
    wrels = entries["xl/_rels/workbook.xml.rels"].decode()
    entries["xl/_rels/workbook.xml.rels"] = wrels.replace(
        "</Relationships>", "".join(rels) + "</Relationships>"
    ).encode()
    ct = entries["[Content_Types].xml"].decode()
    entries["[Content_Types].xml"] = ct.replace("</Types>", "".join(cts) + "</Types>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)
