"""The whole-sheet column scanner (addin/xlsx/colscan.py) reads exactly what the
one-cell-at-a-time scanner reads: same values, same refusals, on every shape of
cell a writer produces — and hands anything unusual back to it. Every test runs
with the compiled scanner (addin/xlsx/_cellscan.c) and with its numpy stand-in."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
from xlsx_helpers import BOOK_TYPE, compiled_scanner

from addin.refresh.engine import calculate
from addin.xlsx import colscan, worksheets
from addin.xlsx.columns import CellValues
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.workbook import read_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(params=["compiled", "numpy"], autouse=True)
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test once with the compiled scanner and once with the numpy passes."""
    if request.param == "numpy":
        monkeypatch.setattr(colscan, "_cellscan", None)
    else:
        compiled_scanner()
    return str(request.param)


def _book(path: Path, sheet_data: str, strings: list[str], prefix: str = "") -> Path:
    """A one-sheet package whose sheet data is ``sheet_data`` (elements written
    with ``prefix``) and whose shared strings are ``strings``."""
    ns = f'xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    sst = "".join(f"<si><t>{s}</t></si>" for s in strings)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {ns}>'
        f"<{prefix}sheetData>{sheet_data}</{prefix}sheetData></{prefix}worksheet>"
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{sst}</sst>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def _both(
    path: Path, monkeypatch: pytest.MonkeyPatch, formula_values: bool = True
) -> tuple[dict, dict, bool]:
    """The sheet's values read with the column scanner and without it, and
    whether the column scanner took the sheet (a refusal must be the same)."""
    refused: str | None = None
    try:
        fast = read_workbook(path, formula_values=formula_values).sheets[0]
    except UnreadableWorkbookError as exc:
        refused = str(exc)
    if refused is not None:
        with monkeypatch.context() as m:
            m.setattr(worksheets, "scan_columns", lambda *a, **k: None)
            with pytest.raises(UnreadableWorkbookError) as slow_exc:
                read_workbook(path, formula_values=formula_values)
        assert str(slow_exc.value) == refused
        return {}, {}, False
    took = isinstance(fast.values, CellValues)
    with monkeypatch.context() as m:
        m.setattr(worksheets, "scan_columns", lambda *a, **k: None)
        slow = read_workbook(path, formula_values=formula_values).sheets[0]
    assert not isinstance(slow.values, CellValues)
    assert (fast.max_row, fast.max_col) == (slow.max_row, slow.max_col)
    assert fast.formulas == slow.formulas
    return dict(fast.values), dict(slow.values), took


def _random_cells(rng: random.Random, rows: int, prefix: str = "") -> str:
    c, v, f = f"{prefix}c", f"{prefix}v", f"{prefix}f"
    shapes = [
        lambda ref: f'<{c} r="{ref}"><{v}>{rng.uniform(-1e6, 1e6)!r}</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" s="0" t="n"><{v}>{rng.randint(-99, 99)}</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{v}> 1.5E3 </{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="s"><{v}>{rng.randrange(4)}</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>a&amp;b_x000D_&#24037;</{prefix}t></{prefix}is></{c}>',
        lambda ref: f'<{c} r="{ref}" t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve"> x </{prefix}t></{prefix}is></{c}>',
        lambda ref: f'<{c} r="{ref}" t="b"><{v}>1</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="e"><{v}>#N/A</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="str"><{v}></{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" s="0"/>',
        lambda ref: f'<{c} r="{ref}"><{v}></{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="s"><{v}/></{c}>',
        lambda ref: f'<{c} r="{ref}"></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f}>1+1</{f}><{v}>2</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="str"><{f}>"a"&amp;"b"</{f}><{v}>ab</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="d"><{v}>2024-01-31T00:00:00</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" s="0" t="n"><{f} aca="false">SUM(A1:B2)&gt;=1</{f}><{v}>0</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f}>VLOOKUP(A1,&#25910;&#20837;,2,TRUE)</{f}><{v}></{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f}>1&#13;\r\n+2</{f}><{v}/></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f}> </{f}><{v}>7</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f}>&#32;</{f}><{v}>8</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f} ca="1">TODAY()</{f}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="e"><{f}>1/0</{f}><{v}>#DIV/0!</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f} t="array" ref="{ref}">1</{f}><{v}>1</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="str"><{f}>MIDB("ciao",F26,2)</{f}><{v}/></{c}>',
        lambda ref: f'<{c} r="{ref}" t="str"><{f}>""</{f}><{v}></{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="s"><{f}>A1</{f}><{v}/></{c}>',
        lambda ref: f'<{c} r="{ref}"><{v}>{"1" * 40}.5</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{v}>-.5e-3</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{v}>+7.</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>{"长" * 120}</{prefix}t></{prefix}is></{c}>',
        lambda ref: f'<{c} r="{ref}" t="inlineStr"><{prefix}is><{prefix}t></{prefix}t></{prefix}is></{c}>',
        lambda ref: f"<{c} r=\"{ref}\" s='0'><{v}>3</{v}></{c}>",
        lambda ref: f'<{c} r="{ref}"  s="0"><{v}>4</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="&#115;"><{v}>1</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t=""><{v}>1</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}"><{f} aca="false">A1&amp;"x"</{f}><{v}>{"9" * 70}</{v}></{c}>',
        lambda ref: f'<{c} r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>x</{prefix}t></{prefix}is><{prefix}extLst/></{c}>',
    ]
    out = []
    for r in range(1, rows + 1):
        cells = "".join(
            rng.choice(shapes)(f"{col}{r}") for col in ("A", "B", "C", "AA", "XFD") if rng.random() < 0.8
        )
        out.append(f'<{prefix}row r="{r}">{cells}</{prefix}row>')
    return "".join(out)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("formula_values", [True, False])
def test_the_columns_read_what_the_cell_scanner_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, prefix: str, formula_values: bool
) -> None:
    """Values, formulas (their text decoded, their cached values kept or left
    out as asked) and the sheet's extent are the same either way."""
    rng = random.Random(seed)
    path = _book(tmp_path / "b.xlsx", _random_cells(rng, 60, prefix), ["甲", "乙", "a&amp;b", "d"], prefix)
    fast, slow, took = _both(path, monkeypatch, formula_values)
    assert took
    assert fast == slow
    assert {type(v) for v in fast.values()} <= {float, str, bool, type(None)} | {
        type(v) for v in slow.values()
    }


@pytest.mark.parametrize(
    "data",
    [
        # out of order and repeated cells: the cell scanner decides (the last one wins)
        '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
        '<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
        # the address not first, lower case, beyond the sheet
        '<row r="1"><c s="0" r="A1"><v>1</v></c></row>',
        '<row r="1"><c r="a1"><v>1</v></c></row>',
        # a very long number, whitespace between the tags
        '<row r="1"><c r="A1"><v>' + "1" * 40 + "</v></c></row>",
        '<row r="1"><c r="A1">\n  <v>1</v>\n</c></row>',
        # whitespace around a shared string's index, in both attribute orders
        '<row r="1"><c r="A1" t="s"><v> 0 </v></c></row>',
        '<row r="1"><c r="A1" t="s" s="0"><v> 0 </v></c></row>',
    ],
)
def test_unusual_sheets_read_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str) -> None:
    path = _book(tmp_path / "b.xlsx", data, ["a"])
    fast, slow, _ = _both(path, monkeypatch)
    assert fast == slow


def test_a_greater_than_sign_inside_an_attribute_is_read_as_the_xml_says(tmp_path: Path) -> None:
    """``>`` may stand unescaped in an attribute's value: the cell still holds
    its value (the one-by-one pattern, cut at that ``>``, read none)."""
    path = _book(tmp_path / "b.xlsx", '<row r="1"><c r="A1" foo="a>b"><v>1</v></c></row>', [])
    assert dict(read_workbook(path).sheets[0].values) == {(1, 1): 1.0}


@pytest.mark.parametrize("raw", ["1_000", "nan", "inf", "1e400", "12abc", "0x10"])
def test_numbers_the_file_syntax_forbids_are_refused_naming_the_cell(tmp_path: Path, raw: str) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 50))
    rows += f'<row r="50"><c r="B50"><v>{raw}</v></c></row>'
    path = _book(tmp_path / "b.xlsx", rows, [])
    with pytest.raises(UnreadableWorkbookError, match="B50"):
        read_workbook(path)


def test_a_shared_string_index_out_of_range_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "b.xlsx", '<row r="7"><c r="C7" t="s"><v>5</v></c></row>', ["a"])
    with pytest.raises(UnreadableWorkbookError, match="C7"):
        read_workbook(path)


def test_the_engine_reads_the_columns_without_a_dict(tmp_path: Path) -> None:
    """The engine builds its grid from the columns; the mapping is never merged."""
    n = 3000
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>{r % 2}</v></c></row>'
        for r in range(1, n + 1)
    )
    rows += f'<row r="{n + 1}"><c r="C{n + 1}"><f>SUMIFS(A1:A{n},B1:B{n},"x",A1:A{n},"&gt;=10")</f></c></row>'
    wb = read_workbook(_book(tmp_path / "b.xlsx", rows, ["x", "y"]))
    values = wb.sheets[0].values
    assert isinstance(values, CellValues)
    got = calculate(wb).values["S"][(n + 1, 3)]
    assert values.columns is not None  # never turned into a dict
    want = sum(r for r in range(1, n + 1) if r % 2 == 0 and r >= 10)
    assert got == want
    assert len(values) == 2 * n  # the formula cell (no cached value) holds none
    assert np.array_equal(values.columns.rows[:4], [1, 1, 2, 2])


@pytest.mark.parametrize("seed", range(4))
def test_the_markup_facts_are_where_the_expressions_match(scanner: str, seed: int) -> None:
    """The compiled pass finds the first ``<row r>``, ``spans`` and ``s`` value
    the sheet-markup check refuses exactly where its regular expressions do,
    and counts ``row `` and ``row r="`` as ``bytes.count`` does."""

    from addin.xlsx.worksheets import _ROW_R_BAD_RE, _SPANS_BAD_RE, style_index_bad_re

    if scanner == "numpy":  # unbuilt: no facts, the check searches with its expressions
        assert colscan.markup_facts(b'<row r="x">', 1) is None
        return
    rng = random.Random(seed)
    pieces = [
        '<row r="', "<x:row r=\"", 'row ', ' s="', ' spans="', '"', '1', '0', '9', '1048576',
        '1048577', '99999999', '0999999', ':', ' ', 'a', '>', '<', '<c r="A1"', '12', '123', '00',
    ]  # fmt: skip
    for _ in range(400):
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))).encode()
        n_styles = rng.choice([1, 9, 12, 123])
        s_bad = style_index_bad_re(n_styles)
        found = [p.search(data) for p in (_ROW_R_BAD_RE, _SPANS_BAD_RE, s_bad)]
        want = (*(m.start() if m else -1 for m in found), data.count(b"row "), data.count(b'row r="'))
        assert colscan.markup_facts(data, n_styles) == want, data


@pytest.mark.parametrize(
    "data",
    [
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>1</f><f>2</f></c></row>',  # a second formula
        '<row r="1"><c r="B1"><c r="C2"><v>1</v></c><f>2</f></c></row>',  # a cell in a cell
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1">99<v>1</v></c></row>',  # text beside the value
        '<row r="1"><c r="B1">:v></c></row>',  # a '>' in that text
        '<row r="1"><c r="B1" t="inlineStr"><is><t xml:space="preserve"><c r="XFD9"/> x </t></is></c></row>',
    ],
)
def test_cell_content_the_schema_forbids_is_refused_naming_the_cell(tmp_path: Path, data: str) -> None:
    """Found by tests/test_colscan_mutations.py: each reader took a different
    part of such a cell (the first formula, the last, the inner cell, nothing),
    so none is taken — every path refuses it the same way, naming the cell."""
    path = _book(tmp_path / "b.xlsx", data, ["a"])
    with pytest.raises(UnreadableWorkbookError, match="B1"):
        read_workbook(path)


@pytest.mark.parametrize(
    "data",
    [
        '<row r="1"><!--x--><c r="A1" t=""><v>1</v></c></row>',  # t="" by the element reader
        '<row r="1"><c r="A1"\tt="str"><f>"a"</f><v/></c><c r="B1"><v>2</v></c></row>',  # a tab before t
        '<row r="1"><c r="A1" t="s"><v>9999999999999999999999999999990</v></c></row>',  # an index past int64
    ],
)
def test_odd_but_readable_cells_read_alike_by_every_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str
) -> None:
    fast, slow, _took = _both(_book(tmp_path / "b.xlsx", data, ["a"]), monkeypatch)
    assert fast == slow
