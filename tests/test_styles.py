"""addin/xlsx/styles.py: the cell formats of the styles part, and what they index."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hostile_files import _CONTENT_TYPES, _ROOT_RELS, _SHEET, _WORKBOOK, _WORKBOOK_RELS

from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.workbook import read_workbook

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STYLES = (
    f'<styleSheet xmlns="{_NS}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf fontId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf fontId="0" fillId="0" borderId="0" xfId="0"/>{second}</cellXfs></styleSheet>'
)


def _book(folder: Path, second: str) -> Path:
    buf = io.BytesIO()
    rel = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/styles" Target="styles.xml"/></Relationships>')  # fmt: skip
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("</Relationships>", rel))
        z.writestr("xl/worksheets/sheet1.xml", _SHEET.replace('<c r="A1">', '<c r="A1" s="1">'))
        z.writestr("xl/styles.xml", _STYLES.format(second=second))
    path = folder / "book.xlsx"
    path.write_bytes(buf.getvalue())
    return path


def test_formats_indexing_what_the_part_defines_read(tmp_path: Path) -> None:
    book = read_workbook(_book(tmp_path, '<xf fontId="0" xfId="0"/>'))
    assert book.sheets[0].values  # the cell with s="1" was read


@pytest.mark.parametrize("attr", ["fontId", "fillId", "borderId", "xfId"])
def test_a_format_past_its_list_is_refused_naming_it(tmp_path: Path, attr: str) -> None:
    with pytest.raises(UnreadableWorkbookError) as err:
        read_workbook(_book(tmp_path, f'<xf {attr}="1"/>'))
    assert f"cellXfs/xf[1] has {attr}='1'" in str(err.value)
