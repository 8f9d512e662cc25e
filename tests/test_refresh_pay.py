"""``jixiao refresh`` never says ✓ while someone goes unpaid or a cell would
show ``#NAME?`` in Excel: it runs validate's pay checks (people typed below
the rows the formulas read, required inputs left blank in a person's row,
newer functions stored without ``_xlfn.``), reports them with sheet!cell and
the fix, exits 1 whatever ``--allow-errors`` says; ``jixiao fix`` adds the
missing prefixes, after which the same workbook refreshes clean."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import assert_no_traceback, run_cli
from office_workbook import build_office_workbook

from addin.validate import validate
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "workbooks" / "templates"


def _doc(result_output: str) -> dict[str, object]:
    return json.loads(result_output)


def test_a_person_below_the_table_is_not_a_tick(tmp_path: Path) -> None:
    """A clerk types a person in the row under the last one (the names end a
    row above): refresh writes the file but exits 1 with the row named and the
    fix, also with --allow-errors; --json says status "problems"."""
    book = build_office_workbook(tmp_path / "office.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["人员"].append(["WX006", "孙八", "营业员", 4, "=TIERED(D7,奖励档,\"超额\")"])
    wb.save(book)
    for extra in ([], ["--allow-errors"]):
        res = run_cli("refresh", book, "--lang", "zh", *extra)
        assert_no_traceback(res)
        assert res.exit_code == 1, res.output
        assert "✓" not in res.output
        assert "人员!A7" in res.output
        assert "extent.beyond-range" in res.output
        assert "名称管理器" in res.output  # the fix
    doc = _doc(run_cli("refresh", book, "--json").output)
    entry = doc["files"][0]  # type: ignore[index]
    assert entry["status"] == "problems"
    assert entry["exit_code"] == 1
    assert [p["code"] for p in entry["problem_details"]] == ["extent.beyond-range"]


def test_required_input_blank_in_a_persons_row(tmp_path: Path) -> None:
    """A template's required input left blank in a row that holds a person
    (whatever template and column its spec declares first): exit 1 naming the
    cell; empty rows are nobody and are not reported."""
    template = TEMPLATES / "t6_weixi.xlsx"
    spec = json.loads((ROOT / "workbooks" / "specs" / "t6-weixi.json").read_text(encoding="utf-8"))
    entry = next(e for e in spec["inputs"] if "column" in e and e.get("required", True) and e["column"] != "A")
    cell = f"{entry['column']}{entry['first_row']}"
    wb = openpyxl.load_workbook(template)
    wb[entry["sheet"]][cell] = None
    book = tmp_path / "blank.xlsx"
    wb.save(book)
    res = run_cli("refresh", book, "--allow-errors", "--json")
    assert res.exit_code == 1, res.output
    details = _doc(res.output)["files"][0]["problem_details"]  # type: ignore[index]
    assert ("input.blank", entry["sheet"], cell) in [(p["code"], p["sheet"], p["cell"]) for p in details]
    assert all(p["code"] == "input.blank" for p in details)


def _unprefixed(path: Path, rows: int = 40) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "人员"
    ws.append(["姓名", "业绩", "名次", "档"])
    for r in range(2, rows + 2):
        ws.append([f"P{r}", (r * 37) % 101, f"=RANK.EQ(B{r},$B$2:$B${rows + 1})",
                   f'=IFERROR(IFS(B{r}>=60,"甲",TRUE,"乙"),"?")'])  # fmt: skip
    ws["F1"] = '="RANK.EQ(" & "x"'  # the name inside a string is text, not a call
    wb.save(path)
    return path


def test_missing_prefix_is_name_error_grouped_per_column(tmp_path: Path) -> None:
    """RANK.EQ / IFS stored without _xlfn.: the cells compute to #NAME? as in
    Excel (IFERROR catches it), one problem per column with the rows counted
    and the prefix to add, exit 1 even with --allow-errors."""
    book = _unprefixed(tmp_path / "rank.xlsx")
    res = run_cli("refresh", book, "--allow-errors", "--lang", "en")
    assert_no_traceback(res)
    assert res.exit_code == 1, res.output
    assert "人员!C2:C41 (40 cells) call RANK.EQ stored without its prefix (_xlfn.RANK.EQ" in res.output
    assert "人员!D2:D41 (40 cells) call IFS" in res.output
    assert "jixiao fix rank.xlsx" in res.output
    assert res.output.count("formula.missing-prefix") == 2
    values = read_workbook(tmp_path / "rank.refreshed.xlsx").sheet("人员").values
    assert values[(2, 3)] == ExcelError("#NAME?")
    assert values[(2, 4)] == "?"  # IFERROR(#NAME?, "?"), as Excel computes it
    assert values[(1, 6)] == "RANK.EQ(x"
    report = validate(book)
    grouped = [p for p in report.problems if p.code == "formula.missing-prefix"]
    assert [(p.sheet, p.cell) for p in grouped] == [("人员", "C2"), ("人员", "D2")]


def test_fix_adds_the_prefixes_and_changes_nothing_else(tmp_path: Path) -> None:
    """``jixiao fix`` writes NAME.fixed.xlsx with _xlfn. added (not inside the
    string), every other part byte for byte; that copy refreshes clean, exit 0,
    with the ranks computed. Nothing to repair: exit 0, nothing written;
    --in-place keeps a backup; an unreadable file is exit 2."""
    book = _unprefixed(tmp_path / "rank.xlsx")
    res = run_cli("fix", book)
    assert_no_traceback(res)
    assert res.exit_code == 0, res.output
    assert "_xlfn.RANK.EQ × 40" in res.output
    fixed = tmp_path / "rank.fixed.xlsx"
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(fixed) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert changed == ["xl/worksheets/sheet1.xml"]
        xml = b.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>_xlfn.RANK.EQ(B2,$B$2:$B$41)</f>" in xml
    assert '_xlfn.IFS(B2&gt;=60,"甲",TRUE,"乙")' in xml or '_xlfn.IFS(B2>=60,"甲",TRUE,"乙")' in xml
    assert '"RANK.EQ(" &amp; "x"' in xml
    again = run_cli("refresh", fixed, "--lang", "en")
    assert again.exit_code == 0, again.output
    values = read_workbook(tmp_path / "rank.fixed.refreshed.xlsx").sheet("人员").values
    assert isinstance(values[(2, 3)], float)
    assert values[(2, 4)] in ("甲", "乙")
    nothing = run_cli("fix", fixed)
    assert nothing.exit_code == 0
    assert not (tmp_path / "rank.fixed.fixed.xlsx").exists()
    inplace = tmp_path / "inplace.xlsx"
    shutil.copyfile(book, inplace)
    assert run_cli("fix", inplace, "--in-place").exit_code == 0
    assert (tmp_path / "inplace.bak.xlsx").read_bytes() == book.read_bytes()
    assert run_cli("refresh", inplace).exit_code == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_text("no", encoding="utf-8")
    res = run_cli("fix", bad)
    assert res.exit_code == 2
    assert_no_traceback(res)


@pytest.mark.parametrize("name", ["t1_gongxiaoshe", "t8_xiaoshoubu"])
def test_templates_have_no_pay_problems(name: str, tmp_path: Path) -> None:
    """The templates as shipped: no pay problem, ✓, exit 0."""
    res = run_cli("refresh", TEMPLATES / f"{name}.xlsx", "--out", tmp_path / "out.xlsx", "--json")
    assert res.exit_code == 0, res.output
    assert _doc(res.output)["files"][0]["problem_details"] == []  # type: ignore[index]


def test_broken_document_properties_do_not_stop_the_checks(tmp_path: Path) -> None:
    """A template whose docProps/custom.xml is not XML (the template id cannot
    be read): the refresh still writes, the checks that need no spec run, no
    internal error."""
    src = TEMPLATES / "t1_gongxiaoshe.xlsx"
    book = tmp_path / "props.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data[:50] if info.filename == "docProps/custom.xml" else data)
    res = run_cli("refresh", book)
    assert_no_traceback(res)
    assert res.exit_code == 0, res.output
