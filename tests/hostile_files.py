"""Builders of hostile and broken files, for the tests of every reader.

Each builder writes one file into a folder and returns its path. None of them
is large on disk: the bombs are small files that would be huge if inflated or
expanded, which is the point.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["HOSTILE", "minimal_xlsx"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c></row></sheetData>'
    "</worksheet>"
)


def minimal_xlsx(
    sheet_xml: str | bytes = _SHEET,
    extra: dict[str, bytes] | None = None,
    compresslevel: int | None = None,
) -> bytes:
    """A small valid workbook package (one sheet), optionally with extra entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _not_a_zip(folder: Path) -> Path:
    p = folder / "notes.xlsx"
    p.write_text("这不是工作簿 / this is not a workbook\n", encoding="utf-8")
    return p


def _truncated(folder: Path) -> Path:
    p = folder / "truncated.xlsx"
    data = minimal_xlsx()
    p.write_bytes(data[: len(data) // 2])
    return p


def _legacy_xls(folder: Path) -> Path:
    p = folder / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"Workbook".ljust(512, b"\0"))
    return p


def _encrypted(folder: Path) -> Path:
    # An OLE2 container whose directory names EncryptionInfo: how Excel stores a
    # password-protected .xlsx.
    name = "EncryptionInfo".encode("utf-16-le")
    p = folder / "secret.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + name.ljust(512, b"\0"))
    return p


def _zip_bomb(folder: Path) -> Path:
    p = folder / "bomb.xlsx"
    big = b"<row/>" * (200 * 1024 * 1024 // 6)  # 200 MB of the same bytes
    p.write_bytes(minimal_xlsx(big, compresslevel=9))
    return p


def _xml_bomb(folder: Path) -> Path:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row>"
        "</sheetData></worksheet>"
    )
    p = folder / "laughs.xlsx"
    p.write_bytes(minimal_xlsx(lol))
    return p


def _traversal(folder: Path) -> Path:
    p = folder / "escape.xlsx"
    p.write_bytes(minimal_xlsx(extra={"../../evil.txt": b"x"}))
    return p


#: name → builder, for parametrised tests.
HOSTILE: dict[str, Callable[[Path], Path]] = {
    "not-a-zip": _not_a_zip,
    "truncated-zip": _truncated,
    "legacy-xls": _legacy_xls,
    "encrypted": _encrypted,
    "zip-bomb": _zip_bomb,
    "xml-bomb": _xml_bomb,
    "path-traversal": _traversal,
}
