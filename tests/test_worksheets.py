"""Worksheet parts (:mod:`addin.xlsx.worksheets`): cell types, shared, array and
dynamic-array formulas, the regular-expression scanner against the
element-by-element reader, and cells refused naming the part and cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from external import SharedDir
from xlsx_helpers import EXCEL_FILES, ORACLE_FILES, assert_unreadable, compiled_scanner, make_xlsx

from addin.xlsx.a1 import to_a1
from addin.xlsx.model import UnreadableWorkbookError, Workbook
from addin.xlsx.workbook import read_workbook
from udfs.errors import DIV0


def test_array_and_dynamic_array_formulas(shared_dir: SharedDir) -> None:
    """``t="array"`` keeps its ref; a ``cm`` pointing at XLDAPR metadata marks a dynamic array."""
    arr = read_workbook(shared_dir / "excel-files" / "array_formula01.xlsx").sheet("Sheet1")
    f = arr.formulas[(1, 1)]
    assert (f.text, f.kind, f.ref) == ("SUM(B1:C1*B2:C2)", "array", "A1:A3")
    assert arr.max_row == 3
    dyn = read_workbook(shared_dir / "excel-files" / "dynamic_array01.xlsx").sheet("Sheet1")
    g = dyn.formulas[(1, 1)]
    assert (g.text, g.kind, g.ref) == ("AVERAGE(TIMEVALUE(B1:B2))", "dynamic", "A1")


def test_cell_types_inline_rich_dates_and_1904(tmp_path: Path) -> None:
    """Every cell type: numbers, shared (rich) strings, inline strings, str, bool,
    errors, ISO dates in the 1904 system; missing ``r`` attributes are implied."""
    path = make_xlsx(
        tmp_path / "types.xlsx",
        {
            "数据": (
                '<row r="1"><c r="A1"><v>1.5</v></c><c r="B1" t="s"><v>0</v></c>'
                '<c r="C1" t="inlineStr"><is><t>内联</t></is></c>'
                '<c r="D1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
                '<c r="E1" t="b"><v>1</v></c><c r="F1" t="e"><v>#DIV/0!</v></c>'
                '<c r="G1" t="d"><v>1904-01-03T12:00:00</v></c><c r="H1" s="0"/></row>'
                "<row><c><v>7</v></c><c><v>8</v></c></row>"
                '<row r="5"><c r="A5" t="s"><v>1</v></c></row>'
            )
        },
        workbook_pr='<workbookPr date1904="1"/>',
        shared_strings=(
            "<si><t>绩效</t></si><si><r><t>富</t></r><r><rPr><b/></rPr><t>文本_x000D_</t></r>"
            "<rPh><t>ふ</t></rPh></si>"
        ),
    )
    wb = read_workbook(path)
    assert wb.date1904
    s = wb.sheet("数据")
    assert s.values[(1, 1)] == 1.5
    assert s.values[(1, 2)] == "绩效"
    assert s.values[(1, 3)] == "内联"
    assert s.values[(1, 4)] == "ab"
    assert s.formulas[(1, 4)].text == '"a"&"b"'
    assert s.values[(1, 5)] is True
    assert s.values[(1, 6)] == DIV0
    assert s.values[(1, 7)] == 2.5
    assert (1, 8) not in s.values  # a styled blank holds no value
    assert s.values[(2, 1)] == 7
    assert s.values[(2, 2)] == 8
    assert s.values[(5, 1)] == "富文本\r"
    assert (s.max_row, s.max_col) == (5, 7)


def test_shared_formula_in_a_block_and_before_its_master(tmp_path: Path) -> None:
    """A 2-D shared range expands per cell, even when a child precedes its master."""
    path = make_xlsx(
        tmp_path / "shared.xlsx",
        {
            "S": (
                '<row r="1"><c r="C1"><f t="shared" si="0"/></c></row>'
                '<row r="2"><c r="B2"><f t="shared" ref="B2:C3" si="0">$A2*A$1</f></c>'
                '<c r="C2"><f t="shared" si="0"/></c></row>'
                '<row r="3"><c r="B3"><f t="shared" si="0"/></c><c r="C3"><f t="shared" si="0"/></c></row>'
            )
        },
    )
    f = read_workbook(path).sheet("S").formulas
    assert {to_a1(*k): v.text for k, v in f.items()} == {
        "C1": "$A1*B$1",
        "B2": "$A2*A$1",
        "C2": "$A2*B$1",
        "B3": "$A3*A$1",
        "C3": "$A3*B$1",
    }


def test_invalid_large_xml_part_checked_beside_the_scanner(tmp_path: Path) -> None:
    """A sheet large enough to be checked on a second thread while it is scanned:
    malformed XML is still reported as such (not as whatever the scanner met),
    and the same well-formed sheet reads normally."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 60_001))
    good = make_xlsx(tmp_path / "good.xlsx", {"S": rows})
    wb = read_workbook(good)
    assert wb.sheets[0].values[(60_000, 1)] == 60_000.0
    # an unclosed element near the end, after a bad address the scanner would refuse first
    bad = rows.replace('<c r="A5">', '<c r="A1048577">') + '<row r="60001"><c r="A60001"><v>1</v></row>'
    path = make_xlsx(tmp_path / "broken-large.xlsx", {"S": bad})
    assert_unreadable(path, "xl/worksheets/sheet1.xml", "not valid XML")


@pytest.mark.parametrize("quote", ['"', "'"])  # ' : the element-by-element reader
def test_formula_values_left_out_for_a_refresh(tmp_path: Path, quote: str) -> None:
    """``formula_values=False`` (how a refresh reads) keeps the formulas and the
    constants but not the values cached in formula cells."""
    q = quote
    rows = (
        f"<row r={q}1{q}><c r={q}A1{q}><v>1</v></c><c r={q}B1{q}><f>A1*2</f><v>2</v></c>"
        f"<c r={q}C1{q}><f t={q}shared{q} ref={q}C1:C2{q} si={q}0{q}>A1</f><v>1</v></c></row>"
        f"<row r={q}2{q}><c r={q}A2{q} t={q}inlineStr{q}><is><t>x</t></is></c>"
        f"<c r={q}C2{q}><f t={q}shared{q} si={q}0{q}/><v>7</v></c></row>"
    )
    path = make_xlsx(tmp_path / "cached.xlsx", {"S": rows})
    full = read_workbook(path).sheets[0]
    lean = read_workbook(path, formula_values=False).sheets[0]
    assert full.values == {(1, 1): 1.0, (1, 2): 2.0, (1, 3): 1.0, (2, 1): "x", (2, 3): 7.0}
    assert lean.values == {(1, 1): 1.0, (2, 1): "x"}
    assert lean.formulas == full.formulas
    assert set(lean.formulas) == {(1, 2), (1, 3), (2, 3)}
    assert (lean.max_row, lean.max_col) == (full.max_row, full.max_col)


def test_invalid_cell_address(tmp_path: Path) -> None:
    """A cell address off the sheet is refused with the address."""
    path = make_xlsx(tmp_path / "addr.xlsx", {"S": '<row r="1"><c r="A1048577"><v>1</v></c></row>'})
    assert_unreadable(path, "A1048577")


@pytest.mark.parametrize("path", EXCEL_FILES + ORACLE_FILES)
def test_fast_scanner_agrees_with_the_element_reader(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The regular-expression scanner and the general lxml reader give the same model."""
    import addin.xlsx.worksheets as worksheets_module

    fast = read_workbook(path)
    monkeypatch.setattr(worksheets_module, "_scan_sheet", lambda data, rd, part: False)
    slow = read_workbook(path)
    assert fast == slow


def test_scanner_shapes_agree_with_the_element_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formulas filled down as their own text (the scanner's direct capture),
    typed formula results, entities and a ``&#13;`` character reference (kept as
    a carriage return, line ends normalised first) read the same by the scanner
    and by lxml."""
    import addin.xlsx.worksheets as worksheets_module

    path = make_xlsx(
        tmp_path / "shapes.xlsx",
        {
            "S": (
                '<row r="1"><c r="A1"><f>B1*2</f><v>4</v></c><c r="B1"><v>2</v></c>'
                '<c r="C1" t="str"><f>"a"&amp;"&#13;b"</f><v>a&#13;b</v></c>'
                '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                '<c r="E1" t="b"><f>TRUE</f><v>1</v></c><c r="F1"><f> </f><v>3</v></c></row>'
                '<row r="2"><c r="A2"><f>B2*2</f><v>0</v></c>'
                '<c r="B2" t="str"><v>x\r\ny&#13;&#10;z</v></c></row>'
            )
        },
    )
    fast = read_workbook(path)
    s = fast.sheet("S")
    assert {to_a1(*k): f.text for k, f in s.formulas.items()} == {
        "A1": "B1*2",
        "C1": '"a"&"\rb"',
        "D1": "1/0",
        "E1": "TRUE",
        "A2": "B2*2",
    }
    assert s.values[(1, 1)] == 4.0
    assert s.values[(1, 3)] == "a\rb"
    assert s.values[(1, 4)] == DIV0
    assert s.values[(1, 5)] is True
    assert s.values[(1, 6)] == 3.0
    assert s.values[(2, 2)] == "x\ny\r\nz"
    monkeypatch.setattr(worksheets_module, "_scan_sheet", lambda data, rd, part: False)
    assert read_workbook(path) == fast


def test_unusual_xml_shapes_use_the_element_reader(tmp_path: Path) -> None:
    """Single quotes, whitespace, comments, CDATA and cells without ``r`` are read right."""
    path = make_xlsx(
        tmp_path / "odd.xlsx",
        {
            "S": (
                "<!-- a comment --><row r='1'><c r='A1'><v>1</v></c>\n"
                '<c r="B1" t="str">\n  <f>"x"&amp;"y"</f>\n  <v><![CDATA[x<y]]></v>\n</c></row>'
                '<row r="2"><c><v>2</v></c><c t="inlineStr"><is><t xml:space="preserve"> a_x0042_ </t></is></c></row>'
            )
        },
    )
    s = read_workbook(path).sheet("S")
    assert s.values == {(1, 1): 1.0, (1, 2): "x<y", (2, 1): 2.0, (2, 2): " aB "}
    assert s.formulas[(1, 2)].text == '"x"&"y"'


def test_empty_inline_string_is_empty_text(tmp_path: Path) -> None:
    """``<is><t></t></is>`` is a cell holding empty text, not a blank cell: the
    writer stores a kernel's empty result that way, and reading it back must
    give ``""`` (the fast scanner once dropped it)."""
    path = make_xlsx(
        tmp_path / "empty.xlsx",
        {
            "S": '<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c><c r="B1"><v>1</v></c></row>'
        },
    )
    values = read_workbook(path).sheets[0].values
    assert values[(1, 1)] == ""
    assert values[(1, 2)] == 1.0


@pytest.mark.parametrize("index", ["-1", "2", "x"])
def test_shared_string_index_out_of_range(tmp_path: Path, index: str) -> None:
    """A shared-string index that is negative, too large or not a number is refused."""
    path = make_xlsx(
        tmp_path / "sst.xlsx",
        {"S": f'<row r="1"><c r="A1" t="s"><v>{index}</v></c></row>'},
        shared_strings="<si><t>a</t></si><si><t>b</t></si>",
    )
    assert_unreadable(path, "A1")


@pytest.mark.parametrize("module", ["addin.xlsx.worksheets", "addin.xlsx.safexml", "addin.xlsx.a1"])
def test_part_reader_doctests(module: str) -> None:
    """The examples in the worksheet reader and the helpers it uses hold."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


#: every cell reader: the compiled column scanner, its numpy twin, the
#: one-by-one scanner alone, the element-by-element reader
READERS = ("compiled", "numpy", "cells", "elements")


def _read_with(
    path: Path, reader: str, monkeypatch: pytest.MonkeyPatch, formula_values: bool = True
) -> Workbook:
    import addin.xlsx.worksheets as worksheets_module
    from addin.xlsx import colscan

    with monkeypatch.context() as m:
        if reader == "compiled":
            compiled_scanner()
        elif reader == "numpy":
            m.setattr(colscan, "_cellscan", None)
        elif reader == "cells":
            m.setattr(worksheets_module, "scan_columns", lambda *a, **k: None)
        else:
            m.setattr(worksheets_module, "_scan_sheet", lambda data, rd, part: False)
        return read_workbook(path, formula_values=formula_values)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("f", "said"),
    [
        ("<f> </f>", "<f> holds only whitespace"),
        ("<f>\n\t</f>", "<f> holds only whitespace"),
        ('<f si="0"/>', "<f si=…> has no text and no t"),
        ('<f si="7"></f>', "<f si=…> has no text and no t"),
        ('<f t="normal" ref="A1"/>', "<f ref=…> has no text and no t"),
    ],
)
@pytest.mark.parametrize("formula_values", [True, False])
def test_a_formula_without_text_is_repaired_as_excel_does_and_said(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
    f: str,
    said: str,
    formula_values: bool,
) -> None:
    """``<f> </f>`` and ``<f si="0"/>`` (no ``t="shared"``) are damage Excel
    repairs on opening: the formula dropped, the cached value kept. Every
    reader does the same and records the repair naming the sheet and cell,
    once, whatever path read the sheet (rows enough for the column scanner)."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f><v>0</v></c></row>'
        for r in range(2, 40)
    )
    data = f'<row r="1"><c r="A1">{f}<v>5</v></c><c r="B1"><f>A1*2</f><v>0</v></c></row>{rows}'
    path = make_xlsx(tmp_path / "f.xlsx", {"My S": data})
    wb = _read_with(path, reader, monkeypatch, formula_values)
    s = wb.sheet("My S")
    assert (1, 1) not in s.formulas
    assert s.values[(1, 1)] == 5.0  # the cached value is the cell's value
    assert s.formulas[(1, 2)].text == "A1*2"
    assert [(r.sheet, r.cell, r.where) for r in wb.repairs] == [("My S", "A1", "'My S'!A1")]
    reason = wb.repairs[0].reason
    assert said in reason
    assert "xl/worksheets/sheet1.xml" in reason
    assert "修复" in reason.split(" / ")[0]  # Chinese first


@pytest.mark.parametrize("reader", READERS)
def test_excel_s_own_empty_formulas_are_read_without_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """``<f ca="1"/>`` (what Excel writes in the spill cells of a volatile
    dynamic array), a bare ``<f/>`` and a shared formula's child are no
    damage: nothing is repaired, nothing said."""
    data = (
        '<row r="1"><c r="A1"><f ca="1"/><v>1</v></c><c r="B1"><f/><v>2</v></c>'
        '<c r="C1"><f t="shared" ref="C1:C2" si="0">A1+1</f><v>2</v></c></row>'
        '<row r="2"><c r="C2"><f t="shared" si="0"/><v>1</v></c></row>'
    )
    path = make_xlsx(tmp_path / "ok.xlsx", {"S": data})
    wb = _read_with(path, reader, monkeypatch)
    assert wb.repairs == []
    assert set(wb.sheet("S").formulas) == {(1, 3), (2, 3)}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("t", ["xyz", "", "Shared"])
def test_a_formula_type_the_schema_does_not_have_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, t: str
) -> None:
    """``<f t>`` is one of normal, shared, array, dataTable (ST_CellFormulaType):
    another was read as a normal formula by guess; now every reader refuses
    it naming the part, the cell and the value."""
    data = f'<row r="1"><c r="A1"><f t="{t}">1+1</f><v>2</v></c></row>'
    path = make_xlsx(tmp_path / "t.xlsx", {"S": data})
    assert_unreadable(path, "xl/worksheets/sheet1.xml", f"A1 <f t> is invalid: b'{t}'")
    with pytest.raises(UnreadableWorkbookError, match="<f t>"):
        _read_with(path, reader, monkeypatch)
