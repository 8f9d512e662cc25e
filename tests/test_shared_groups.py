"""Shared formulas kept as groups: the reader gives each child its group and
works its text out only when read; the engine takes a group's cells in one
column as blocks parsed once from the master. Every case is checked against
the expanded-text path (the same workbook with each cell's own text)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from external import SharedDir
from xlsx_helpers import make_xlsx

from addin.refresh import engine
from addin.refresh.engine import Engine, calculate, shift_node
from addin.xlsx.a1 import to_a1
from addin.xlsx.formula import FormulaSyntaxError, parse
from addin.xlsx.formula_shift import shift_formula
from addin.xlsx.model import Formula, RefreshError, SharedGroup, SheetFormulas, Workbook
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError


def _cells(rows: dict[int, str]) -> str:
    return "".join(f'<row r="{r}">{cells}</row>' for r, cells in sorted(rows.items()))


def _values(col: str, first: int, last: int) -> dict[int, str]:
    return {r: f'<c r="{col}{r}"><v>{r * 10}</v></c>' for r in range(first, last + 1)}


def _master(cell: str, ref: str, si: int, text: str) -> str:
    return f'<c r="{cell}"><f t="shared" ref="{ref}" si="{si}">{text}</f><v>0</v></c>'


def _child(cell: str, si: int) -> str:
    return f'<c r="{cell}"><f t="shared" si="{si}"/><v>0</v></c>'


def _book(tmp_path: Path, rows: dict[int, str]) -> Workbook:
    return read_workbook(make_xlsx(tmp_path / "s.xlsx", {"S": _cells(rows)}))


def _refuse(self: SharedGroup, coord: tuple[int, int]) -> str:
    raise AssertionError(f"expanded {coord}")


def _book_unexpanded(tmp_path: Path, rows: dict[int, str], mp: pytest.MonkeyPatch) -> Workbook:
    """The workbook, read with every group's expansion refused."""
    with mp.context() as m:
        m.setattr(SharedGroup, "expand", _refuse)
        return _book(tmp_path, rows)


def _add(rows: dict[int, str], r: int, xml: str) -> None:
    rows[r] = rows.get(r, "") + xml


def _expanded(wb: Workbook) -> Workbook:
    """The same workbook with every formula as its own text (no groups), as the
    reader keeps formulas written cell by cell (runs filled down a column)."""
    for s in wb.sheets:
        s.formulas = SheetFormulas((c, Formula(f.text, f.kind, f.ref)) for c, f in s.formulas.items())
    return wb


def _same_as_expanded(path_or_book: Any, tmp_path: Path) -> dict[Any, Any]:
    """Values of the grouped path, checked equal to the expanded-text path's,
    in both the vectorised and the cell-by-cell engine."""
    wb = path_or_book
    grouped = calculate(wb).values
    plain = calculate(_expanded(wb)).values
    assert _plain(grouped) == _plain(plain)
    assert _plain(calculate(wb, vectorise=False).values) == _plain(plain)
    return grouped


def _plain(values: dict[str, dict[Any, Any]]) -> dict[str, dict[Any, Any]]:
    return {s: {c: (str(v) if isinstance(v, ExcelError) else v) for c, v in d.items()} for s, d in values.items()}


def _blocks(wb: Workbook) -> list[tuple[int, int, int]]:
    e = Engine(wb)
    e.build_blocks()
    return sorted((b.row, b.col, b.n) for b in e.blocks)


# ---------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------


def test_children_know_their_group_and_expand_only_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Master and children point to one group (master cell, ref, si, text); a
    child's text is computed on first read and equals the shifted master."""
    rows = _values("A", 2, 6)
    _add(rows, 2, _master("B2", "B2:B6", 0, "A2*2+$A$2"))
    for r in range(3, 7):
        _add(rows, r, _child(f"B{r}", 0))
    formulas = _book_unexpanded(tmp_path, rows, monkeypatch).sheet("S").formulas
    group = formulas[(2, 2)].group
    assert isinstance(group, SharedGroup)
    assert (group.master, group.ref, group.si, group.text) == ((2, 2), "B2:B6", "0", "A2*2+$A$2")
    child = formulas[(5, 2)]
    assert child.group is group
    assert child.at == (5, 2)
    assert child.text == "A5*2+$A$2" == shift_formula(group.text, 3, 0)
    assert child == Formula("A5*2+$A$2")
    with pytest.raises(AttributeError):
        child.kind = "array"  # type: ignore[misc]


def test_children_before_their_master_in_the_xml(tmp_path: Path) -> None:
    """A child written before the master's cell still joins the group (and
    computes like the text Excel would show)."""
    rows = _values("A", 1, 6)
    _add(rows, 2, _child("B2", 7))
    _add(rows, 3, _child("B3", 7))
    _add(rows, 4, _master("B4", "B2:B6", 7, "A4+1"))
    _add(rows, 5, _child("B5", 7))
    wb = _book(tmp_path, rows)
    formulas = wb.sheet("S").formulas
    assert formulas[(2, 2)].group is formulas[(4, 2)].group
    assert formulas[(2, 2)].text == "A2+1"
    got = _same_as_expanded(wb, tmp_path)["S"]
    assert [got[(r, 2)] for r in (2, 3, 4, 5)] == [21.0, 31.0, 41.0, 51.0]
    assert _blocks(wb) == [(2, 2, 4)]


def test_children_whose_references_leave_the_sheet_are_ref_errors(tmp_path: Path) -> None:
    """Where a moved reference would leave the sheet Excel shows ``#REF!``: those
    children take the per-cell path, the rest of the group stays one block."""
    rows = _values("A", 1, 6)
    # the master reads two rows up: children above row 3 point off the sheet
    _add(rows, 3, _master("B3", "B1:B6", 0, "A1+1"))
    for r in (1, 2, 4, 5, 6):
        _add(rows, r, _child(f"B{r}", 0))
    # a master at column A reading one column left of column B: off the sheet to the left
    _add(rows, 1, _master("C1", "C1:D1", 1, "B1*2"))
    _add(rows, 1, _child("D1", 1))
    wb = _book(tmp_path, rows)
    formulas = wb.sheet("S").formulas
    assert formulas[(1, 2)].text == "#REF!+1"
    got = _same_as_expanded(wb, tmp_path)["S"]
    assert str(got[(1, 2)]) == "#REF!"
    assert str(got[(2, 2)]) == "#REF!"
    assert [got[(r, 2)] for r in (3, 4, 5, 6)] == [11.0, 21.0, 31.0, 41.0]
    assert (3, 2, 4) in _blocks(wb)


def test_a_column_shift_off_the_sheet(tmp_path: Path) -> None:
    """A group filled right past column XFD: the cells beyond are ``#REF!``."""
    rows = {1: '<c r="XFB1"><v>5</v></c>'}
    _add(rows, 1, _master("XFC1", "XFC1:XFD1", 0, "XFB1+A1"))
    _add(rows, 1, _child("XFD1", 0))
    wb = _book(tmp_path, rows)
    assert wb.sheet("S").formulas[(1, 16384)].text == "XFC1+B1"
    rows2 = {1: '<c r="A1"><v>5</v></c>'}
    _add(rows2, 1, _master("C1", "C1:E1", 0, "XFD1+A1"))
    _add(rows2, 1, _child("D1", 0))
    _add(rows2, 1, _child("E1", 0))
    (tmp_path / "b").mkdir()
    wb2 = _book(tmp_path / "b", rows2)
    assert wb2.sheet("S").formulas[(1, 4)].text == "#REF!+B1"
    got = _same_as_expanded(wb2, tmp_path)["S"]
    assert got[(1, 3)] == 5.0
    assert str(got[(1, 4)]) == "#REF!"
    assert str(got[(1, 5)]) == "#REF!"


def test_a_master_whose_ref_is_wider_than_the_cells_present(tmp_path: Path) -> None:
    """``ref`` says B2:B100 but only B2:B5 name the group: the cells present are
    the formulas, the rest stay blank."""
    rows = _values("A", 2, 8)
    _add(rows, 2, _master("B2", "B2:B100", 0, "A2-1"))
    for r in (3, 4, 5):
        _add(rows, r, _child(f"B{r}", 0))
    wb = _book(tmp_path, rows)
    assert sorted(wb.sheet("S").formulas) == [(r, 2) for r in (2, 3, 4, 5)]
    got = _same_as_expanded(wb, tmp_path)["S"]
    assert (6, 2) not in got
    assert _blocks(wb) == [(2, 2, 4)]


def test_a_group_broken_by_a_cell_with_its_own_formula(tmp_path: Path) -> None:
    """A cell inside the group's range holding its own formula (or a constant)
    splits the column into blocks of the group around it."""
    rows = _values("A", 2, 10)
    _add(rows, 2, _master("B2", "B2:B10", 0, "A2*3"))
    own = {5: '<c r="B5"><f>A5+1000</f><v>0</v></c>', 8: '<c r="B8"><v>7</v></c>'}
    for r in range(3, 11):
        _add(rows, r, own.get(r, _child(f"B{r}", 0)))
    wb = _book(tmp_path, rows)
    assert wb.sheet("S").formulas[(5, 2)].group is None
    assert (8, 2) not in wb.sheet("S").formulas
    got = _same_as_expanded(wb, tmp_path)["S"]
    assert [got[(r, 2)] for r in (2, 3, 4, 5, 6, 7, 9, 10)] == [
        60.0, 90.0, 120.0, 1050.0, 180.0, 210.0, 270.0, 300.0
    ]  # fmt: skip
    assert _blocks(wb) == [(2, 2, 3), (5, 2, 1), (6, 2, 2), (9, 2, 2)]


def test_a_group_spanning_several_columns(tmp_path: Path) -> None:
    """A group over B2:D5 is one block per column, each moved to its column."""
    rows = _values("A", 2, 5)
    _add(rows, 2, _master("B2", "B2:D5", 0, "$A2*B$1+1"))
    rows[1] = '<c r="B1"><v>1</v></c><c r="C1"><v>2</v></c><c r="D1"><v>3</v></c>'
    for r in range(2, 6):
        for col in "BCD":
            if (col, r) != ("B", 2):
                _add(rows, r, _child(f"{col}{r}", 0))
    wb = _book(tmp_path, rows)
    assert wb.sheet("S").formulas[(4, 4)].text == "$A4*D$1+1"
    got = _same_as_expanded(wb, tmp_path)["S"]
    assert got[(4, 4)] == 40.0 * 3 + 1
    assert _blocks(wb) == [(2, 2, 4), (2, 3, 4), (2, 4, 4)]


def test_a_master_that_does_not_parse_is_reported_per_cell(tmp_path: Path) -> None:
    """An unreadable master text: every cell of the group is listed, as the
    expanded-text path lists them."""
    rows = _values("A", 1, 3)
    _add(rows, 1, _master("B1", "B1:B3", 0, "A1+("))
    _add(rows, 2, _child("B2", 0))
    _add(rows, 3, _child("B3", 0))
    wb = _book(tmp_path, rows)
    with pytest.raises(engine.UnsupportedFormulaError) as grouped:
        calculate(wb)
    with pytest.raises(engine.UnsupportedFormulaError) as plain:
        calculate(_expanded(wb))
    assert grouped.value.cells == plain.value.cells
    assert len(grouped.value.cells) == 3


def test_the_general_reader_keeps_groups_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XML the fast scanner leaves to the element reader (single quotes) gives the
    same groups."""
    rows = _values("A", 2, 4)
    _add(rows, 2, "<c r='B2'><f t='shared' ref='B2:B4' si='0'>A2+5</f></c>")
    _add(rows, 3, "<c r='B3'><f t='shared' si='0'/></c>")
    _add(rows, 4, "<c r='B4'><f t='shared' si='0'/></c>")
    wb = _book_unexpanded(tmp_path, rows, monkeypatch)
    child = wb.sheet("S").formulas[(4, 2)]
    assert child.group is wb.sheet("S").formulas[(2, 2)].group
    assert child.text == "A4+5"
    assert _blocks(wb) == [(2, 2, 3)]


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


def test_the_engine_never_expands_a_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Calculating a workbook of shared formulas reads no child's text."""
    rows = _values("A", 2, 300)
    _add(rows, 2, _master("B2", "B2:C300", 0, 'IF(A2>1000,A2*2,A2)+SUM($A$2:A2)'))
    for r in range(2, 301):
        for col in "BC":
            if (col, r) != ("B", 2):
                _add(rows, r, _child(f"{col}{r}", 0))
    expected = calculate(_expanded(_book(tmp_path, rows))).values
    wb = _book_unexpanded(tmp_path, rows, monkeypatch)
    monkeypatch.setattr(SharedGroup, "expand", _refuse)
    got = calculate(wb).values
    assert _plain(got) == _plain(expected)
    assert _blocks(wb) == [(2, 2, 299), (2, 3, 299)]


def test_the_bench_workbook_agrees_with_its_expanded_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's 数据 workbook (shared formulas over four columns, contract
    and built-in functions): grouped and expanded paths give the same values.
    The bench scripts import each other as scripts do (bench/ first on the path)."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    generate = importlib.import_module("refresh").generate

    path = generate(tmp_path / "bench.xlsx", 200)
    wb = read_workbook(path)
    got = _same_as_expanded(wb, tmp_path)["数据"]
    assert len([c for c in got if c[1] in (6, 7, 8, 9)]) == 800


def _moved_trees_agree(wb: Workbook) -> int:
    """Check, for every shared-formula child of ``wb`` whose references stay on
    the sheet, that the master's tree moved to the child is the tree of the
    child's own text; the number checked."""
    checked = 0
    for s in wb.sheets:
        trees: dict[SharedGroup, Any] = {}
        for (r, c), f in s.formulas.items():
            g = f.group
            if g is None or f.at == g.master:
                continue
            span = g.rows_on_sheet(c - g.master[1])
            if span is None or not span[0] <= r - g.master[0] <= span[1]:
                continue
            if g not in trees:
                try:
                    trees[g] = parse(g.text)
                except FormulaSyntaxError:
                    trees[g] = None  # the engine sends these to the per-cell path
            if trees[g] is None:
                continue
            moved = shift_node(trees[g], r - g.master[0], c - g.master[1])
            assert moved == parse(f.text), f"{s.name}!{to_a1(r, c)}"
            checked += 1
    return checked


def test_moved_master_trees_equal_the_parsed_child_texts(shared_dir: SharedDir) -> None:
    """For every shared-formula child of the Excel-saved oracle workbook, the
    master's tree moved to the child is the tree of the child's own text: the
    engine's shift and the reader's text shift agree."""
    wb = read_workbook(shared_dir / "excel-oracle" / "formulas-test.xlsx")
    assert _moved_trees_agree(wb) > 8000


def test_moved_master_trees_agree_over_the_excel_corpus(shared_dir: SharedDir) -> None:
    """The same agreement over every workbook of the Excel corpus (13,390
    children in 140 files, 231 groups spanning several columns)."""
    checked = 0
    for path in sorted((shared_dir / "excel-corpus").rglob("*.xls[xm]")):
        try:
            wb = read_workbook(path)
        except RefreshError:
            continue  # files the corpus checker also skips as unreadable
        checked += _moved_trees_agree(wb)
    assert checked >= 13_000


def _outcome(wb: Workbook) -> object:
    """The values calculated, or the refusal (its kind and cells)."""
    try:
        return _plain(calculate(wb).values)
    except RefreshError as exc:
        return type(exc).__name__, sorted((str(c), m) for c, m in exc.cells)


def test_grouped_and_expanded_agree_over_the_excel_corpus(
    shared_dir: SharedDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every corpus workbook with shared formulas calculates to the same values
    (or the same refusal) with its groups as with each cell's own text (NOW()
    held at one instant: the two calculations are seconds apart)."""
    import datetime

    from addin.refresh.functions import volatile

    instant = datetime.datetime(2026, 12, 7, 8, 30, 0)
    monkeypatch.setattr(volatile, "now", lambda: instant)
    files = 0
    for path in sorted((shared_dir / "excel-corpus").rglob("*.xls[xm]")):
        try:
            wb = read_workbook(path)
        except RefreshError:
            continue
        if not any(f.group is not None for s in wb.sheets for f in s.formulas.values()):
            continue
        grouped = _outcome(wb)
        assert grouped == _outcome(_expanded(wb)), path.name
        files += 1
    assert files >= 140


# ---------------------------------------------------------------------------
# One sheet-XML grammar for reader and writer
# ---------------------------------------------------------------------------


def test_sheetxml_doctests() -> None:
    """The examples in :mod:`addin.xlsx.sheetxml` hold."""
    import doctest

    from addin.xlsx import sheetxml

    result = doctest.testmod(sheetxml, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="C1"><v>2.5</v></c>',
        '<c r="C1" t="str"><f>A1&amp;"x"</f><v>a&amp;b&#13;_x0009_c</v></c>',
        '<c r="C1" t="inlineStr"><is><r><t>甲</t></r><rPh><t>jia</t></rPh><r><t xml:space="preserve"> 乙</t></r></is></c>',
        '<c r="C1" t="b"><v>1</v></c>',
        '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        "<c r='C1' t='str'><f>\"q\"</f><v>q</v></c>",
    ],
)
def test_reader_and_writer_read_a_cell_alike(tmp_path: Path, cell: str) -> None:
    """The value the reader takes from a cell is the one the writer compares its
    new value with (both through :class:`addin.xlsx.sheetxml.SheetGrammar`)."""
    from addin.xlsx.sheet_writer import _SheetSplicer
    from addin.xlsx.sheetxml import SheetGrammar, attribute, attributes

    wb = read_workbook(make_xlsx(tmp_path / "c.xlsx", {"S": f'<row r="1">{cell}</row>'}))
    read = wb.sheet("S").values[(1, 3)]
    grammar = SheetGrammar.get(b"")
    m = grammar.cell.search(cell.encode())
    assert m is not None
    splicer = _SheetSplicer(b"<sheetData/>", {}, {}, list)
    has, old = splicer._old_value(attribute(attributes(m.group(1)), b"t"), m.group(2))
    assert has
    assert _plain({"": {0: old}}) == _plain({"": {0: read}})
