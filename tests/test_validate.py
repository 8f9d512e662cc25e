"""``jixiao validate``: every template passes; a corpus of mutations, each of
which a clerk could make by accident, is caught at the right sheet and cell
with the right message; hostile files are refused with exit code 2.

Mutations are generated here from each template's own structure spec, so a new
template is covered without new test code.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hostile_files import HOSTILE
from openpyxl.worksheet.formula import ArrayFormula

from addin import registry
from addin.validate import validate
from addin.validate.cli import validate_command
from addin.xlsx.formula import Text, function_names, parse

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "workbooks" / "specs").glob("*.json"))


def _spec(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _template_file(spec: dict[str, Any]) -> Path:
    matches = list((ROOT / "workbooks").rglob(spec["file"]))
    assert matches, f"template file {spec['file']} not found"
    return matches[0]


def _formula_text(value: object) -> str | None:
    if isinstance(value, ArrayFormula):
        return (value.text or "").lstrip("=")
    if isinstance(value, str) and value.startswith("="):
        return value[1:]
    return None


def _column_and_row(cell: str) -> tuple[str, int]:
    """``"B12"`` → ``("B", 12)``."""
    return "".join(ch for ch in cell if ch.isalpha()), int("".join(ch for ch in cell if ch.isdigit()))


def _table_top_left(ref: str) -> tuple[str, str, int]:
    """A spec table range ``"参数!A5:C9"`` → its sheet, first column and first row."""
    sheet, rng = ref.split("!")
    return (sheet, *_column_and_row(rng.split(":")[0]))


def _set_formula(ws: Any, cell: str, text: str) -> None:
    old = ws[cell].value
    if isinstance(old, ArrayFormula):
        ws[cell].value = ArrayFormula(old.ref, "=" + text)
    else:
        ws[cell].value = "=" + text


def _put(sheet: str, cell: str, value: object) -> Callable[[Any], None]:
    """A mutation that types ``value`` into one cell."""

    def apply(w: Any) -> None:
        w[sheet][cell].value = value

    return apply


def _put_formula(sheet: str, cell: str, text: str) -> Callable[[Any], None]:
    """A mutation that replaces one cell's formula (an array formula stays one)."""
    return lambda w: _set_formula(w[sheet], cell, text)


def _copy_down(sheet: str, col: str, top: int) -> Callable[[Any], None]:
    """A mutation that copies the cell at ``col``/``top`` into the cell below it."""

    def apply(w: Any) -> None:
        ws = w[sheet]
        ws[f"{col}{top + 1}"].value = ws[f"{col}{top}"].value

    return apply


@dataclass(frozen=True)
class Mutation:
    """One accident: what it does to the workbook and what the validator must say."""

    name: str
    apply: Callable[[Any], None]
    code: str
    sheet: str | None
    cell: str | None


def _mutations(spec: dict[str, Any], wb: Any) -> list[Mutation]:
    """Every mutation that applies to this template (computed from its spec)."""
    out: list[Mutation] = []
    data_sheets = [s for s in spec["sheets"] if s not in ("说明", "参数")]
    gone = data_sheets[0]
    out.append(
        Mutation("delete-sheet", lambda w, s=gone: w.remove(w[s]), "structure.missing-sheet", gone, None)
    )
    header = next(h for h in spec["headers"] if h["sheet"] in data_sheets)

    def rename_header(w: Any, h: dict[str, Any] = header) -> None:
        w[h["sheet"]][h["cell"]].value = h["text"] + "（改）"

    out.append(Mutation("rename-header", rename_header, "structure.header", header["sheet"], header["cell"]))

    def move_header(w: Any, h: dict[str, Any] = header) -> None:
        ws = w[h["sheet"]]
        ws[h["cell"]].value = None
        ws.cell(row=ws[h["cell"]].row, column=ws.max_column + 2).value = h["text"]

    out.append(Mutation("move-header", move_header, "structure.header", header["sheet"], header["cell"]))

    result = next(r for r in spec["results"] if "column" in r)
    anchor = result.get("anchor") or f"{result['column']}{result['first_row']}"

    paste_number = _put(result["sheet"], anchor, 1234.5)
    out.append(Mutation("paste-number", paste_number, "result.not-formula", result["sheet"], anchor))

    per_row = [
        r for r in spec["results"]
        if "column" in r and r.get("formula") and not r.get("spill") and not r.get("spilled_into")
    ]  # fmt: skip
    if per_row:
        r = per_row[0]
        row = r["first_row"] + 1
        cell = f"{r['column']}{row}"

        def drift(w: Any, r: dict[str, Any] = r, cell: str = cell) -> None:
            ws = w[r["sheet"]]
            ws[cell].value = "=" + (_formula_text(ws[cell].value) or "0") + "+0"

        out.append(Mutation("drift-row", drift, "result.inconsistent", r["sheet"], cell))

    spilled = next((r for r in spec["results"] if r.get("spill") and r.get("ref")), None)
    if spilled is not None:
        first, _, last = spilled["ref"].partition(":")
        if last and last != first:
            col, row = _column_and_row(first)
            blocked = f"{col}{row + 1}"
            block_spill = _put(spilled["sheet"], blocked, "=1+1")
            out.append(Mutation("block-spill", block_spill, "result.spill-blocked", spilled["sheet"], blocked))

    bands = spec.get("band_tables", [])
    if bands:
        band = bands[0]
        sheet, col, top = _table_top_left(band["range"])

        def unsort(w: Any, s: str = sheet, c: str = col, t: int = top) -> None:
            ws = w[s]
            a, b = ws[f"{c}{t}"], ws[f"{c}{t + 1}"]
            a.value, b.value = b.value, a.value

        out.append(Mutation("unsort-band", unsort, "table.band-order", sheet, f"{col}{top + 1}"))

        duplicate = _copy_down(sheet, col, top)
        out.append(Mutation("duplicate-band", duplicate, "table.band-duplicate", sheet, f"{col}{top + 1}"))
        text_start = _put(sheet, f"{col}{top + 1}", "十万")
        out.append(Mutation("text-band-start", text_start, "table.band-number", sheet, f"{col}{top + 1}"))

    name = next(iter(spec["names"]))

    def break_name(w: Any, n: str = name) -> None:
        w.defined_names[n].attr_text = "#REF!"

    out.append(Mutation("break-name", break_name, "structure.broken-name", None, None))

    # Formulas that call a contract function with a literal keyword.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                text = _formula_text(c.value)
                if not text:
                    continue
                for f in function_names(parse(text)):
                    fspec = registry.lookup(f.name)
                    if fspec is None:
                        continue
                    kw = [
                        a.value for a, arg in zip(f.args, fspec.args, strict=False)
                        if arg.kind == "keyword" and isinstance(a, Text) and a.value
                    ]  # fmt: skip
                    if kw and not any(m.name == "wrong-keyword" for m in out):
                        wrong_kw = _put_formula(ws.title, c.coordinate, text.replace(f'"{kw[0]}"', '"随便"', 1))
                        out.append(Mutation("wrong-keyword", wrong_kw, "formula.keyword", ws.title, c.coordinate))
                    if not any(m.name == "wrong-arg-count" for m in out):
                        lo, _hi = fspec.arg_counts
                        too_few = f"{fspec.name}(" + ",".join(["1"] * (lo - 1)) + ")"
                        wrong_count = _put_formula(ws.title, c.coordinate, too_few)
                        out.append(Mutation("wrong-arg-count", wrong_count, "formula.arg-count", ws.title, c.coordinate))

    no_prefix = _put_formula(result["sheet"], anchor, "XLOOKUP(1,{1,2},{3,4})")
    out.append(Mutation("missing-xlfn", no_prefix, "formula.missing-prefix", result["sheet"], anchor))
    ref_error = _put_formula(result["sheet"], anchor, "SUM(#REF!)")
    out.append(Mutation("ref-error", ref_error, "formula.ref-error", result["sheet"], anchor))

    numeric = [i for i in spec["inputs"] if "column" in i and i["kind"] in ("number", "money", "int", "percent")]
    if numeric:
        i = numeric[0]
        cell = f"{i['column']}{i['first_row'] + 2}"
        out.append(Mutation("text-in-number", _put(i["sheet"], cell, "八十五"), "input.kind", i["sheet"], cell))
        out.append(Mutation("number-as-text", _put(i["sheet"], cell, "85"), "input.kind", i["sheet"], cell))
    required = [i for i in spec["inputs"] if "column" in i and i.get("required")]
    if required:
        i = required[0]
        cell = f"{i['column']}{i['first_row'] + 1}"
        out.append(Mutation("blank-required", _put(i["sheet"], cell, None), "input.blank", i["sheet"], cell))
    choices = [i for i in spec["inputs"] if "column" in i and (i.get("choices") or i.get("choices_name"))]
    if choices:
        i = choices[0]
        cell = f"{i['column']}{i['first_row']}"
        bad_choice = _put(i["sheet"], cell, "不存在的选项")
        out.append(Mutation("bad-choice", bad_choice, "input.choice", i["sheet"], cell))
    weights = spec.get("weight_groups", [])
    if weights:
        g = weights[0]
        sheet, rng = g["range"].split("!")
        first = rng.split(":")[0]

        def bad_weight(w: Any, s: str = sheet, a: str = first) -> None:
            ws = w[s]
            row = ws[a].row
            for c in ws[row]:
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    c.value = c.value + 1
                    return

        out.append(Mutation("weights-off", bad_weight, "table.weights", sheet, first))
    prizes = spec.get("prize_tables", [])
    if prizes:
        p = prizes[0]
        sheet, col, top = _table_top_left(p["range"])
        overlap = _copy_down(sheet, col, top)
        out.append(Mutation("prize-overlap", overlap, "table.prize-overlap", sheet, f"{col}{top + 1}"))
    return out


def _save_mutated(spec: dict[str, Any], mutation: str, out: Path) -> Mutation:
    """Apply the mutation called ``mutation`` to the template of ``spec`` and save it as ``out``."""
    wb = openpyxl.load_workbook(_template_file(spec))
    m = next(x for x in _mutations(spec, wb) if x.name == mutation)
    m.apply(wb)
    wb.save(out)
    return m


def _cases() -> list[Any]:
    cases = []
    for spec_path in SPECS:
        spec = _spec(spec_path)
        wb = openpyxl.load_workbook(_template_file(spec))
        for m in _mutations(spec, wb):
            cases.append(pytest.param(spec_path, m.name, id=f"{spec['template']}-{m.name}"))
    return cases


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_every_template_is_sound(spec_path: Path) -> None:
    """Each committed template validates clean against its own spec, found by the
    template id stored in the file."""
    spec = _spec(spec_path)
    report = validate(_template_file(spec))
    assert report.template == spec["template"]
    assert report.problems == [], report.render_text()
    assert report.exit_code == 0


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_openpyxl_round_trip_is_sound(spec_path: Path, tmp_path: Path) -> None:
    """The control for the mutation corpus: re-saving with openpyxl alone
    introduces no problem, so every finding below is the mutation's."""
    spec = _spec(spec_path)
    wb = openpyxl.load_workbook(_template_file(spec))
    out = tmp_path / "copy.xlsx"
    wb.save(out)
    report = validate(out)
    assert report.problems == [], report.render_text()


@pytest.mark.parametrize(("spec_path", "mutation"), _cases())
def test_mutation_is_caught(spec_path: Path, mutation: str, tmp_path: Path) -> None:
    """A clerk's accident is reported with the right check, sheet and cell, and
    a message in Chinese and English; the input file is not modified."""
    out = tmp_path / f"{mutation}.xlsx"
    m = _save_mutated(_spec(spec_path), mutation, out)
    before = out.read_bytes()
    report = validate(out)
    found = [(p.code, p.sheet, p.cell) for p in report.problems]
    assert (m.code, m.sheet, m.cell) in found, report.render_text()
    hit = next(p for p in report.problems if (p.code, p.sheet, p.cell) == (m.code, m.sheet, m.cell))
    assert hit.zh
    assert hit.en
    assert hit.zh != hit.en
    assert report.exit_code == 1
    assert out.read_bytes() == before


def test_move_header_says_where_it_went(tmp_path: Path) -> None:
    """A header moved to another column is reported where it should be, and the
    message says where it was found."""
    out = tmp_path / "moved.xlsx"
    _save_mutated(_spec(SPECS[0]), "move-header", out)
    hit = next(p for p in validate(out).problems if p.code == "structure.header")
    assert "found at" in hit.en
    assert "在" in hit.zh


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_is_refused(kind: str, tmp_path: Path) -> None:
    """A non-workbook, truncated zip, .xls, encrypted file, zip bomb, XML bomb or
    path-traversal entry gets exit 2 and a message, quickly and in bounded
    memory, never a traceback."""
    path = HOSTILE[kind](tmp_path)
    before = path.read_bytes()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = CliRunner().invoke(validate_command, [str(path)])
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "无法读取" in result.output
    # Guards against a hang or an inflated bomb, not a speed target: refusing
    # takes milliseconds, the bounds are orders of magnitude above that.
    assert elapsed < 30, elapsed
    assert grown_mb < 200, grown_mb
    assert path.read_bytes() == before


def test_cli_json_and_english(tmp_path: Path) -> None:
    """``--json`` gives machine-readable problems with locations; ``--lang en``
    gives English messages; exit 1 when problems are found."""
    out = tmp_path / "pasted.xlsx"
    m = _save_mutated(_spec(SPECS[0]), "paste-number", out)
    runner = CliRunner()
    res = runner.invoke(validate_command, [str(out), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert any(p["code"] == "result.not-formula" and p["cell"] == m.cell for p in data["files"][0]["problem_details"])
    res_en = runner.invoke(validate_command, [str(out), "--lang", "en"])
    assert "result cell should hold a formula" in res_en.output


def test_cli_folder_of_templates_is_clean_and_fast() -> None:
    """``jixiao validate workbooks/`` runs clean over every template (the issue
    asks for under 2 s; that is measured by bench, here only reported)."""
    res = CliRunner().invoke(validate_command, [str(ROOT / "workbooks")])
    assert res.exit_code == 0, res.output
    assert res.output.count("结构完好") == len(SPECS)


def test_workbook_without_template_gets_formula_checks(tmp_path: Path) -> None:
    """A workbook not made from a template is still checked for formula
    problems (here a misspelled contract function, with a suggestion)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=TIERD(B1, C1:D3, \"超额\")"
    out = tmp_path / "plain.xlsx"
    wb.save(out)
    report = validate(out)
    hit = next(p for p in report.problems if p.code == "formula.unknown-function")
    assert hit.cell == "A1"
    assert "TIERED" in hit.en


def test_excel_function_argument_counts_come_from_their_declarations(tmp_path: Path) -> None:
    """A call of one of Excel's own functions with a count its declaration
    (``register("VLOOKUP", PER_ROW, WHOLE, PER_ROW, PER_ROW, min_args=3)``)
    does not allow is named by cell, prefixed or not; a repeated group takes
    any number, and counts within the declaration pass."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=VLOOKUP(B1,C1:D3)"
    ws["A2"] = "=_xlfn.IFS(B1)"
    ws["A3"] = "=ROUND(B1,2,3)"
    ws["A4"] = "=SUM(B1,B2,B3,B4,B5,B6,B7,B8,B9,B10)+VLOOKUP(B1,C1:D3,2)+ROUND(B1,2)"
    ws["A5"] = "=SUMIFS(B1:B3,C1:C3,1,D1:D3,2,E1:E3,3)+_xlfn.IFS(B1,1,B2,2)"
    out = tmp_path / "counts.xlsx"
    wb.save(out)
    hits = {p.cell: p for p in validate(out).problems if p.code == "formula.arg-count"}
    assert sorted(hits) == ["A1", "A2", "A3"]
    assert "VLOOKUP takes 3–4 arguments, the formula passes 2" in hits["A1"].en
    assert "IFS takes at least 2 arguments" in hits["A2"].en
    assert "ROUND 需要 2 个参数，公式给了 3 个" in hits["A3"].zh


def test_declared_excel_tables_are_checked(tmp_path: Path) -> None:
    """A spec may declare Excel tables (ListObjects): a missing table, or one
    that lost a declared column, is reported."""
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["姓名", "金额"])
    ws.append(["张三", 100])
    ws.add_table(Table(displayName="明细", ref="A1:B2"))
    out = tmp_path / "tables.xlsx"
    wb.save(out)
    spec = {
        "template": "x",
        "version": "1",
        "sheets": ["数据"],
        "tables": [
            {"name": "明细", "sheet": "数据", "columns": ["姓名", "金额", "部门"]},
            {"name": "费率表", "sheet": "数据"},
        ],
    }
    found = {(p.code, p.cell) for p in validate(out, spec).problems}
    assert ("structure.table-columns", "A1") in found
    assert ("structure.missing-table", None) in found


def _shared_sheet(rows: int, master: str, keywords: dict[int, str] | None = None) -> bytes:
    """A sheet with ``rows`` rows of one shared formula in C (text ``master`` at
    C1), a number in A and a keyword text (by row) in B."""
    cells = []
    for r in range(1, rows + 1):
        f = (f'<f t="shared" ref="C1:C{rows}" si="0">{master}</f>' if r == 1
             else '<f t="shared" si="0"/>')  # fmt: skip
        word = (keywords or {}).get(r, "超额")
        cells.append(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>{word}</t></is></c>'
            f'<c r="C{r}">{f}</c></row>'
        )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(cells) + "</sheetData></worksheet>"
    ).encode()  # fmt: skip


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formula texts validate's checks parse from now on, in order."""
    import addin.validate.formulas as formulas

    parsed: list[str] = []

    def counting_parse(text: str) -> object:
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(formulas, "parse", counting_parse)
    return parsed


def test_shared_formulas_are_checked_as_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean shared group is parsed and checked once, not once per row (a
    million rows took validate 38 s and 2.3 GB); a group with a finding is
    still reported at every cell, and a keyword given as a cell reference is
    checked at every row (its value moves with the formula)."""
    from hostile_files import minimal_xlsx

    parsed = _count_parses(monkeypatch)
    big = tmp_path / "big.xlsx"
    big.write_bytes(minimal_xlsx(_shared_sheet(5_000, 'TIERED(A1,{0,1;10,2},"超额")')))
    assert validate(big).exit_code == 0
    assert parsed == ['TIERED(A1,{0,1;10,2},"超额")']

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(minimal_xlsx(_shared_sheet(3, "TIERED(A1)")))
    hits = [p.cell for p in validate(bad).problems if p.code == "formula.arg-count"]
    assert hits == ["C1", "C2", "C3"]

    words = tmp_path / "words.xlsx"
    words.write_bytes(minimal_xlsx(_shared_sheet(4, "TIERED(A1,{0,1;10,2},B1)", {3: "大约"})))
    hits = [p.cell for p in validate(words).problems if p.code == "formula.keyword"]
    assert hits == ["C3"]


def _filled_sheet(rows: int, formula: str, texts: dict[int, str] | None = None,
                  odd: dict[int, str] | None = None) -> bytes:  # fmt: skip
    """``rows`` rows: A = the row number, B = ``texts`` by row, C = ``formula``
    (``{r}`` for the row) written out in every cell, as openpyxl fills a column
    down (no shared formulas); ``odd`` replaces a row's formula."""
    cells = []
    for r in range(1, rows + 1):
        text = (odd or {}).get(r, formula.format(r=r)).replace("&", "&amp;").replace("<", "&lt;")
        b = (texts or {}).get(r)
        b_cell = f'<c r="B{r}" t="inlineStr"><is><t>{b}</t></is></c>' if b else ""
        cells.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>{b_cell}<c r="C{r}"><f>{text}</f></c></row>')
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(cells) + "</sheetData></worksheet>"
    ).encode()  # fmt: skip


def test_filled_down_columns_are_checked_as_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column filled down cell by cell with one formula (R1C1-equal texts,
    as openpyxl writes it) is parsed and checked once when clean (400,000 such
    cells took validate 46 s); a row that breaks the run, a run with a finding
    and a keyword given as a cell reference are still reported at their own
    cells."""
    from hostile_files import minimal_xlsx

    parsed = _count_parses(monkeypatch)
    big = tmp_path / "big.xlsx"
    big.write_bytes(minimal_xlsx(_filled_sheet(5_000, 'TIERED(A{r},{{0,1;10,2}},"超额")')))
    assert validate(big).exit_code == 0
    assert parsed == ['TIERED(A1,{0,1;10,2},"超额")']

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(minimal_xlsx(_filled_sheet(6, 'TIERED(A{r},{{0,1;10,2}},"超额")', odd={3: "TIERED(A3)"})))
    hits = [p.cell for p in validate(broken).problems if p.code == "formula.arg-count"]
    assert hits == ["C3"]

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(minimal_xlsx(_filled_sheet(3, "TIERED(A{r})")))
    hits = [p.cell for p in validate(bad).problems if p.code == "formula.arg-count"]
    assert hits == ["C1", "C2", "C3"]

    words = tmp_path / "words.xlsx"
    words.write_bytes(minimal_xlsx(_filled_sheet(4, "TIERED(A{r},{{0,1;10,2}},B{r})", {3: "大约"})))
    hits = [p.cell for p in validate(words).problems if p.code == "formula.keyword"]
    assert hits == ["C3"]


def test_formula_blocks_keys() -> None:
    """One key per shared group offset or filled-down run; a run ends where its
    text changes, and where a relative row would pass the sheet's last row."""
    from addin.validate.formulas import FormulaBlocks
    from addin.xlsx.model import Formula, Sheet

    sheet = Sheet("S")
    for r in range(1, 6):
        sheet.formulas[(r, 3)] = Formula(f"A{r}*2" if r != 4 else "A4*3")
    last = 1_048_576
    for r in range(last - 6, last + 1):  # A{r+5}: past the last row from last-4 on
        sheet.formulas[(r, 5)] = Formula(f"A{r + 5}")
    blocks = FormulaBlocks()
    keys = {coord: blocks.key(sheet, coord, f) for coord, f in sheet.formulas.items()}
    assert keys[(1, 3)] == keys[(2, 3)] == keys[(3, 3)] is not None
    assert keys[(4, 3)] is None  # runs of one
    assert keys[(5, 3)] is None
    assert keys[(last - 6, 5)] == keys[(last - 5, 5)] is not None
    assert all(keys[(r, 5)] is None for r in range(last - 4, last + 1))
