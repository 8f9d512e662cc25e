"""``jixiao spec init`` → edit → ``jixiao validate --spec`` on a workbook of our
own making (not one of the templates), and the spec's JSON Schema: the
committed and generated specs pass it; a malformed spec is a message naming
the key, exit 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from office_workbook import build_office_workbook

from addin.cli import main
from addin.validate import validate
from addin.validate.specfile import check_spec, load_spec
from workbooks.spec import build_spec
from workbooks.templates import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def locked(tmp_path: Path) -> tuple[Path, Path]:
    """The office workbook and the spec ``spec init`` wrote for it, edited as a
    maintainer would (a title and a note)."""
    book = build_office_workbook(tmp_path / "office.xlsx")
    spec_path = tmp_path / "office.spec.json"
    res = CliRunner().invoke(main, ["spec", "init", str(book), "-o", str(spec_path)])
    assert res.exit_code == 0, res.output
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    spec["title"] = "营业员奖励"
    spec["$comment-maintainer"] = "2026-12 锁定"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return book, spec_path


def test_init_recognises_the_workbook(locked: tuple[Path, Path]) -> None:
    """The spec names the sheets, the names, the headers, the input kinds
    (choice from the validation list), the filled-down result column by its
    R1C1 form, the spilled list and the band table with its numeric columns."""
    _book, spec_path = locked
    spec = load_spec(spec_path)
    assert spec["sheets"] == ["参数", "人员", "汇总"]
    assert spec["names"]["工号"] == "'人员'!$A$2:$A$6"
    inputs = {(e["sheet"], e.get("column")): e for e in spec["inputs"]}
    assert inputs[("人员", "D")]["kind"] == "number"
    assert inputs[("人员", "C")]["kind"] == "choice"
    assert inputs[("人员", "C")]["choices_name"] == "岗位表"
    result = next(r for r in spec["results"] if r.get("column") == "E" and r["sheet"] == "人员")
    assert result["functions"] == ["TIERED"]
    assert result["r1c1"] == 'TIERED(R[0]C[-1],奖励档,"超额")'
    spill = next(r for r in spec["results"] if r["sheet"] == "汇总" and r.get("spill"))
    assert spill["ref"] == "A2:A6"
    assert spec["band_tables"] == [{"name": "奖励档", "range": "参数!A2:B3", "columns": 2, "ascending": True,
                                    "side": "lower", "numeric_columns": [1, 2]}]


def test_locked_workbook_is_sound(locked: tuple[Path, Path]) -> None:
    """The workbook the spec was made from validates clean against it."""
    book, spec_path = locked
    res = CliRunner().invoke(main, ["validate", "--spec", str(spec_path), str(book)])
    assert res.exit_code == 0, res.output


def _rename(w: Any) -> None:
    w["人员"].title = "员工"


def _move_header(w: Any) -> None:
    w["人员"]["F1"], w["人员"]["D1"] = w["人员"]["D1"].value, None


def _more_people(w: Any) -> None:
    w["人员"].append(["WX006", "孙八", "营业员", 4])


MUTATIONS: dict[str, tuple[Callable[[Any], None], str, str | None, str | None]] = {
    "renamed sheet": (_rename, "structure.missing-sheet", "人员", None),
    "deleted result formula": (lambda w: setattr(w["人员"]["E4"], "value", None),
                               "result.missing-formula", "人员", "E4"),
    "moved header": (_move_header, "structure.header", "人员", "D1"),
    "text in a number column": (lambda w: setattr(w["人员"]["D3"], "value", "三户"), "input.kind", "人员", "D3"),
    "rows beyond a named range": (_more_people, "extent.beyond-range", "人员", "A7"),
    "value in a spill range": (lambda w: setattr(w["汇总"]["A4"], "value", "WX999"),
                               "result.spill-blocked", "汇总", "A4"),
}  # fmt: skip


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_validate_spec_catches(mutation: str, locked: tuple[Path, Path], tmp_path: Path) -> None:
    """Each thing a clerk does to a locked workbook is caught at its cell."""
    book, spec_path = locked
    apply, code, sheet, cell = MUTATIONS[mutation]
    wb = openpyxl.load_workbook(book)
    apply(wb)
    out = tmp_path / "changed.xlsx"
    wb.save(out)
    report = validate(out, load_spec(spec_path))
    assert (code, sheet, cell) in [(p.code, p.sheet, p.cell) for p in report.problems], report.render_text()
    res = CliRunner().invoke(main, ["validate", "--spec", str(spec_path), str(out)])
    assert res.exit_code == 1


@pytest.mark.parametrize("tid", sorted(REGISTRY))
def test_generated_specs_pass_the_schema(tid: str) -> None:
    """What workbooks/build.py writes for every template passes the schema,
    and so does the committed file."""
    assert check_spec(json.loads(json.dumps(build_spec(REGISTRY[tid]())))) == []
    for path in (ROOT / "workbooks" / "specs").glob("*.json"):
        assert check_spec(json.loads(path.read_text(encoding="utf-8"))) == [], path


BAD: dict[str, tuple[str, str]] = {
    "not json": ('{"sheets": ["人员"],}', "line 1 column"),
    "misspelt key": ('{"sheets": [], "inputs": [{"sheet": "人员", "colum": "B", "first_row": 2}]}',
                     "inputs[0]: unknown key 'colum'"),
    "missing key": ('{"sheets": [], "headers": [{"sheet": "人员", "cell": "A1"}]}',
                    "headers[0]: missing required key 'text'"),
    "wrong type": ('{"sheets": "人员"}', "sheets: expected a list"),
    "bad kind": ('{"sheets": [], "inputs": [{"sheet": "人员", "cell": "B2", "kind": "amount"}]}',
                 'inputs[0].kind: "amount" is not one of'),
    "unknown top key": ('{"sheet": []}', "unknown key 'sheet'"),
    "bad spill ref": ('{"sheets": [], "results": [{"sheet": "汇总", "cell": "A2", "spill": true, "ref": "A2-A6"}]}',
                      "results[0].ref: badly formed: 'A2-A6' (expected like C4:C35)"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_malformed_spec_is_exit_2_with_the_key(case: str, tmp_path: Path) -> None:
    """A malformed spec is refused before any workbook is read: exit 2, the
    file, the key and what was expected, in both languages, no traceback."""
    text, want = BAD[case]
    spec = tmp_path / "bad.json"
    spec.write_text(text, encoding="utf-8")
    book = build_office_workbook(tmp_path / "office.xlsx")
    res = CliRunner().invoke(main, ["validate", "--lang", "en", "--spec", str(spec), str(book)])
    assert res.exit_code == 2
    assert want in res.output
    assert "Traceback" not in res.output
    zh = CliRunner().invoke(main, ["validate", "--spec", str(spec), str(book)])
    assert "结构说明文件" in zh.output


def test_init_refuses_an_unreadable_workbook(tmp_path: Path) -> None:
    """``spec init`` on a file that is not a workbook: exit 2, no spec written."""
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    res = CliRunner().invoke(main, ["spec", "init", str(bad)])
    assert res.exit_code == 2
    assert not (tmp_path / "x.spec.json").exists()


@pytest.mark.parametrize("tid", sorted(REGISTRY))
def test_init_on_every_template_locks_it_soundly(tid: str, tmp_path: Path) -> None:
    """``spec init`` on each template writes a spec that passes the schema and
    under which the template itself validates clean."""
    t = REGISTRY[tid]()
    book = next((ROOT / "workbooks").rglob(t.filename))
    spec_path = tmp_path / "t.spec.json"
    res = CliRunner().invoke(main, ["spec", "init", str(book), "-o", str(spec_path)])
    assert res.exit_code == 0, res.output
    report = validate(book, load_spec(spec_path))
    assert report.problems == [], report.render_text()


def test_init_refuses_to_overwrite_a_reviewed_spec(locked: tuple[Path, Path]) -> None:
    """A spec the maintainer edited is not overwritten: exit 2 with the way
    out (--force, or -o); with --force it is written again."""
    book, spec_path = locked
    before = spec_path.read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["spec", "init", str(book), "-o", str(spec_path)])
    assert res.exit_code == 2
    assert "--force" in res.output
    assert "Traceback" not in res.output
    assert spec_path.read_text(encoding="utf-8") == before
    res = CliRunner().invoke(main, ["spec", "init", str(book), "-o", str(spec_path), "--force"])
    assert res.exit_code == 0, res.output
    assert "营业员奖励" not in spec_path.read_text(encoding="utf-8")


def test_init_warns_about_an_inconsistent_column_and_keeps_its_check(tmp_path: Path) -> None:
    """One row typed differently in a filled-down result column: spec init
    names the row and the formula it should hold, records the column by its
    majority form, and validate --spec then catches a changed formula in that
    column (it no longer turns into unchecked separate cells)."""
    book = build_office_workbook(tmp_path / "office.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["人员"]["E4"] = '=TIERED(D4,奖励档,"全额")'
    wb.save(book)
    spec_path = tmp_path / "office.spec.json"
    res = CliRunner().invoke(main, ["spec", "init", str(book), "-o", str(spec_path)])
    assert res.exit_code == 0, res.output
    assert "人员!E4" in res.output
    assert '=TIERED(D4,奖励档,"超额")' in res.output
    spec = load_spec(spec_path)
    column = next(r for r in spec["results"] if r["sheet"] == "人员" and r.get("column") == "E")
    assert column["r1c1"] == 'TIERED(R[0]C[-1],奖励档,"超额")'
    wb = openpyxl.load_workbook(book)
    wb["人员"]["E5"] = "=D5*20"  # a changed formula elsewhere in the column
    wb.save(book)
    cells = {(p.code, p.cell) for p in validate(book, spec).problems}
    assert ("result.inconsistent", "E4") in cells
    assert ("result.inconsistent", "E5") in cells
