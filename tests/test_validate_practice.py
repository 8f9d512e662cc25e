"""``jixiao validate`` sees what goes wrong in practice (issue 16, "Why"):
people added below the named ranges, text in a band table's rate column, a
value typed into a spill range, a circular reference, a refreshed file whose
results are error values, names and validations over ``$A:$XFD``, and a
workbook without a spec told what was (not) checked.

Mutations are made on every template through its spec, so a new template is
covered without new test code.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from addin.validate import validate
from addin.validate.cli import validate_command

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "workbooks" / "specs").glob("*.json"))


def _spec(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _template(spec: dict[str, Any]) -> Path:
    return next((ROOT / "workbooks").rglob(spec["file"]))


def _codes(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.sheet, p.cell) for p in validate(path).problems]


def _split(cell: str) -> tuple[str, int]:
    return "".join(ch for ch in cell if ch.isalpha()), int("".join(ch for ch in cell if ch.isdigit()))


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Fails a run that hangs (not a timing assertion: 60 s is 60x the target)."""

    def _stop(*_: object) -> None:
        raise TimeoutError("validate did not finish in 60 s")

    old = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_rows_below_named_ranges_are_not_paid(spec_path: Path, tmp_path: Path) -> None:
    """Three people typed below the last row the named ranges of a data sheet
    cover (its spare rows included) are reported once, naming the rows, the
    names and the fix."""
    spec = _spec(spec_path)
    entry = next(e for e in spec["inputs"] if "column" in e and e.get("name"))
    sheet_name = entry["sheet"]
    wb = openpyxl.load_workbook(_template(spec))
    # where the names end: the data rows and the spare rows under them
    last = int(wb.defined_names[entry["name"]].attr_text.rsplit("$", 1)[1])
    ws = wb[sheet_name]
    cols = [e["column"] for e in spec["inputs"] if e.get("sheet") == sheet_name and "column" in e]
    # the names end under empty spare rows: copy the last person actually entered
    source = max(r for r in range(1, last + 1) if any(ws[f"{c}{r}"].value not in (None, "") for c in cols))
    for k in range(1, 4):
        for col in cols:
            ws[f"{col}{last + k}"] = ws[f"{col}{source}"].value
    out = tmp_path / "more-people.xlsx"
    wb.save(out)
    hits = [p for p in validate(out).problems if p.code == "extent.beyond-range"]
    assert [(p.sheet, p.cell) for p in hits] == [(sheet_name, f"A{last + 1}")], hits
    assert f"{last + 1}–{last + 3}" in hits[0].zh
    assert entry["name"] in hits[0].zh
    assert "Name Manager" in hits[0].en
    assert f"insert rows above row {last}" in hits[0].en


BANDS = [(p, b) for p in SPECS for b in _spec(p)["band_tables"] if 2 in b.get("numeric_columns", [])]


@pytest.mark.parametrize(("spec_path", "band"), BANDS, ids=lambda x: getattr(x, "stem", None) or x["name"])
def test_text_in_a_band_rate_column(spec_path: Path, band: dict[str, Any], tmp_path: Path) -> None:
    """``"40元"`` typed into the rate column of a band table is reported at
    its cell (not only the start column is checked)."""
    spec = _spec(spec_path)
    sheet_name, rng = band["range"].rsplit("!", 1)
    first_col, first_row = _split(rng.split(":")[0])
    cell = f"{chr(ord(first_col) + 1)}{first_row}"
    wb = openpyxl.load_workbook(_template(spec))
    wb[sheet_name][cell] = "40元"
    out = tmp_path / "rate-text.xlsx"
    wb.save(out)
    assert ("table.band-value", sheet_name, cell) in _codes(out)


SPILLS = [
    (p, r) for p in SPECS for r in _spec(p)["results"]
    if r.get("spill") and r.get("ref") and ":" in r["ref"]
]  # fmt: skip


@pytest.mark.parametrize(("spec_path", "res"), SPILLS[:6], ids=lambda x: getattr(x, "stem", None) or x["ref"])
def test_value_typed_into_a_spill_range(spec_path: Path, res: dict[str, Any], tmp_path: Path) -> None:
    """A number typed into a spill range (which blocks the spill) is reported
    at its cell, as a typed value."""
    spec = _spec(spec_path)
    first, last = res["ref"].split(":")
    col, row = _split(first)
    cell = f"{col}{row + 1}"
    assert _split(last)[1] > row
    wb = openpyxl.load_workbook(_template(spec))
    wb[res["sheet"]][cell] = 123
    out = tmp_path / "spill.xlsx"
    wb.save(out)
    hit = next(p for p in validate(out).problems if p.cell == cell and p.code == "result.spill-blocked")
    assert "123" in hit.zh
    assert "#SPILL!" in hit.en


@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_circular_reference(spec_path: Path, tmp_path: Path) -> None:
    """A parameter cell (or, in a template without single-cell parameters, the
    first input cell) made to read itself is a circular reference, reported at
    the cell."""
    spec = _spec(spec_path)
    if spec["parameters"]:
        sheet, cell = spec["parameters"][0]["sheet"], spec["parameters"][0]["cell"]
    else:
        first = spec["inputs"][0]
        sheet, cell = first["sheet"], f"{first['column']}{first['first_row']}"
    wb = openpyxl.load_workbook(_template(spec))
    wb[sheet][cell] = f"={cell}+1"
    out = tmp_path / "circular.xlsx"
    wb.save(out)
    assert ("formula.circular", sheet, cell) in _codes(out)


def test_refreshed_file_with_error_results_is_not_sound(tmp_path: Path) -> None:
    """t6 with text for the broadband price, refreshed by the engine: its
    broadband columns hold #VALUE!, reported once per column with the count
    and the first addresses, and the exit code is 1."""
    from addin.refresh.cli import refresh_command

    spec = _spec(ROOT / "workbooks" / "specs" / "t6-weixi.json")
    wb = openpyxl.load_workbook(_template(spec))
    wb["参数"]["B4"] = "二十元"  # 宽带单价
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    out = tmp_path / "broken.refreshed.xlsx"
    CliRunner().invoke(refresh_command, [str(broken), "--out", str(out)])
    assert out.exists()
    hits = [p for p in validate(out).problems if p.code == "result.error-value"]
    assert hits, validate(out).render_text()
    assert any(p.sheet == "人员" and p.cell == "K4" and "#VALUE!" in p.zh and "K4, K5" in p.zh for p in hits)
    res = CliRunner().invoke(validate_command, [str(out)])
    assert res.exit_code == 1


def test_whole_sheet_names_and_validations_stay_bounded(tmp_path: Path, hang_guard: None) -> None:
    """A defined name and a validation list over ``$A:$XFD`` cost what the
    sheet holds (measured well under a second here, checked only for not
    hanging); the validation is still applied to the cells present."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["A1"], ws["A2"], ws["B5"] = "是", "否", "也许"
    wb.defined_names["全表"] = DefinedName("全表", attr_text="'名单'!$A:$XFD")
    dv = DataValidation(type="list", formula1="全表")
    dv.sqref = openpyxl.worksheet.cell_range.MultiCellRange("A1:XFD1048576")
    ws.add_data_validation(dv)
    ws["C1"] = "=COUNTA(全表)"
    out = tmp_path / "whole.xlsx"
    wb.save(out)
    started = time.perf_counter()
    report = validate(out)
    elapsed = time.perf_counter() - started
    print(f"validate over $A:$XFD: {elapsed:.2f} s")
    assert report.unreadable is None
    assert not [p for p in report.problems if p.code.startswith("extent.")]


def test_no_spec_says_only_formulas_were_checked(tmp_path: Path) -> None:
    """A workbook made by hand (no template id, no spec) is sound but told that
    only formulas and ranges were checked and how to make a spec; the note
    does not change the exit code."""
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 1, "=A1*2"
    out = tmp_path / "hand.xlsx"
    wb.save(out)
    res = CliRunner().invoke(validate_command, [str(out)])
    assert res.exit_code == 0, res.output
    assert "只检查了公式" in res.output
    assert "jixiao spec init" in res.output
    en = CliRunner().invoke(validate_command, [str(out), "--lang", "en", "--json"])
    assert "only formulas" in json.loads(en.output)["files"][0]["notes"][0]["en"]


def test_rows_below_an_excel_table_and_a_range_a_spill_reads(tmp_path: Path) -> None:
    """Rows typed right below an Excel table, and below a fixed range an array
    formula reads, are reported naming the table and the formula; the next
    table after a blank row is not taken for more rows."""
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "明细"
    ws.append(["工号", "金额"])
    ws.append(["A1", 10])
    ws.append(["A2", 20])
    ws.add_table(Table(displayName="明细表", ref="A1:B3"))
    ws.append(["A3", 30])  # typed below the table
    ws["D1"], ws["D2"] = "份数", 1
    ws["D3"], ws["D4"], ws["D5"] = 2, 3, 4  # D5 below what E2 reads
    ws["E2"] = ArrayFormula("E2:E4", "=$D$2:$D$4*2")
    ws["D7"] = "另一张表"  # after a blank row: not more data
    out = tmp_path / "table.xlsx"
    wb.save(out)
    hits = {p.cell: p for p in validate(out).problems if p.code == "extent.beyond-range"}
    assert set(hits) == {"A4", "D5"}, hits
    assert "明细表" in hits["A4"].zh
    assert "明细!E2" in hits["D5"].zh
    assert "D2:D4 read by 明细!E2" in hits["D5"].en


def test_a_totals_row_below_the_data_is_not_unpaid_people(tmp_path: Path) -> None:
    """A 合计 row right below the named range, adding it up, is not reported;
    a person typed below the 合计 row is not reported either (the first
    totals row ends the data), but one typed in place of the totals is."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["工号", "奖金"])
    ws.append(["A1", 10])
    ws.append(["A2", 20])
    wb.defined_names["奖金"] = DefinedName("奖金", attr_text="'人员'!$B$2:$B$3")
    ws.append(["合计", "=SUM(奖金)"])
    out = tmp_path / "totals.xlsx"
    wb.save(out)
    assert not [p for p in validate(out).problems if p.code == "extent.beyond-range"]
    ws["B4"] = 30
    ws["A4"] = "A3"
    wb.save(out)
    assert [p.cell for p in validate(out).problems if p.code == "extent.beyond-range"] == ["B4"]
