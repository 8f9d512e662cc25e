"""Small workbook packages built by hand for the package-layer tests
(test_package, test_workbook, test_worksheets, test_formula_shift, …), and
the check that a file is refused with a bilingual message."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from external import shared_files

from addin.xlsx import colscan
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.workbook import read_workbook

#: A real workbook of the repository (the damaged-file tests start from it).
TEMPLATE = Path(__file__).resolve().parents[1] / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"
EXCEL_FILES = shared_files("excel-files", "*.xls*")
ORACLE_FILES = shared_files("excel-oracle", "*.xlsx")



def compiled_scanner() -> ModuleType:
    """The compiled cell scanner (``addin/xlsx/_cellscan.c``); see :func:`built`."""
    return built(colscan._cellscan, "addin.xlsx._cellscan")


def built(module: ModuleType | None, name: str) -> ModuleType:
    """A compiled helper (``name``, ``None`` when not built). Its build is
    optional for a user without a C compiler (numpy does the same work), so
    its tests are skipped only where there is none; where there is one, a
    missing build fails them."""
    if module is None:
        if shutil.which("cc") is None and shutil.which("gcc") is None:
            pytest.skip(f"no C compiler here: {name} cannot be built")
        pytest.fail(
            f"a C compiler is here but {name} is not built, or built for another interface "
            "(addin/native.py): pip install -e . again"
        )
    return module


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
#: the content type of a workbook's main part (its ``Override`` in ``[Content_Types].xml``)
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def make_xlsx(
    path: Path,
    sheets: dict[str, str],
    *,
    workbook_extra: str = "",
    workbook_pr: str = "",
    shared_strings: str | None = None,
    extra_parts: dict[str, bytes] | None = None,
    sheet_rels: dict[int, str] | None = None,
) -> Path:
    """A minimal workbook package: ``sheets`` maps names to ``<sheetData>`` content."""
    parts: dict[str, bytes] = {}
    sst_type = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings is not None
        else b""
    )
    parts["[Content_Types].xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="' + BOOK_TYPE.encode() + b'"/>'
        + sst_type + b"</Types>"
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared_strings is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{shared_strings}</sst>'.encode()
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode()
    )
    sheet_list = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}<sheets>{sheet_list}</sheets>'
        f"{workbook_extra}</workbook>"
    ).encode()
    for i, data in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{data}</sheetData></worksheet>'
        ).encode()
    for i, rels_xml in (sheet_rels or {}).items():
        parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = (
            f'<Relationships xmlns="{PKG}">{rels_xml}</Relationships>'.encode()
        )
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return path


def count_formula_elements(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(
            len(re.findall(rb"<f[ >/]", zf.read(n)))
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


def assert_unreadable(path: Path, *words: str) -> str:
    """``read_workbook`` refuses with a bilingual message containing ``words``."""
    with pytest.raises(UnreadableWorkbookError) as info:
        read_workbook(path)
    message = str(info.value)
    assert " / " in message
    assert re.search(r"[\u4e00-\u9fff]", message), message
    for word in words:
        assert word in message, message
    return message
