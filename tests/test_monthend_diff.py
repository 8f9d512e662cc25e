"""``jixiao diff``: two versions of a pay workbook compared person by person."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import main
from addin.monthend.diff import compare

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

TEMPLATE = Path(__file__).resolve().parents[1] / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"


def _refreshed(src: Path, dest: Path) -> Path:
    # people removed from 人员 leave their 个人明细 lookups at #N/A: expected here
    result = CliRunner().invoke(main, ["refresh", str(src), "--out", str(dest), "--allow-errors"])
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The t1 template refreshed before and after the second band's rate
    (the 每分单价 of 收入档's second row) goes from 32 to 33 yuan."""
    tmp = tmp_path_factory.mktemp("diff")
    before = tmp / "before.xlsx"
    shutil.copy(TEMPLATE, before)
    wb = openpyxl.load_workbook(before)
    ((sheet, ref),) = wb.defined_names["收入档"].destinations
    rate = wb[sheet][ref.replace("$", "").split(":")[0]].offset(1, 1)
    assert rate.value == 32
    rate.value = 33
    wb.save(tmp / "after.xlsx")
    return (
        _refreshed(before, tmp / "before.refreshed.xlsx"),
        _refreshed(tmp / "after.xlsx", tmp / "after.refreshed.xlsx"),
    )


def _pay(path: Path) -> dict[str, Decimal]:
    """工号 → 年度奖金 as openpyxl reads the cached values (an independent reader)."""
    ws = openpyxl.load_workbook(path, data_only=True)["人员奖金"]
    pay = [c.value for c in ws[3]].index("年度奖金")
    return {
        str(r[0].value): Decimal(repr(float(r[pay].value)))
        for r in ws.iter_rows(min_row=4)
        if r[0].value and r[pay].value is not None
    }


def test_rate_change_lists_exactly_the_people_whose_pay_changed(
    versions: tuple[Path, Path],
) -> None:
    """Every person whose 年度奖金 changed, and only they, with new − old to the fen
    and the column totals."""
    old, new = versions
    pay_old, pay_new = _pay(old), _pay(new)
    expected = {k: pay_new[k] - pay_old[k] for k in pay_old if pay_new[k] != pay_old[k]}
    assert expected  # the rate change does move some payouts
    result = compare(old, new)
    sheet = next(s for s in result.sheets if s.sheet == "人员奖金")
    assert sheet.key == "工号"
    got = {
        p.key: Decimal(repr(c.difference))
        for p in sheet.changed
        for c in p.changes
        if c.column == "年度奖金"
    }
    assert got == expected
    assert not sheet.added
    assert not sheet.removed
    t_old, t_new, t_diff = sheet.totals["年度奖金"]
    assert Decimal(repr(t_old)) == sum(pay_old.values())
    assert Decimal(repr(t_new)) == sum(pay_new.values())
    assert Decimal(repr(t_diff)) == sum(expected.values())


def test_same_file_exit_0_and_changes_exit_1_with_json(versions: tuple[Path, Path]) -> None:
    """Exit 0 without differences, 1 with them; --json carries the people."""
    old, new = versions
    runner = CliRunner()
    same = runner.invoke(main, ["diff", str(old), str(old)])
    assert same.exit_code == 0, same.output
    assert "相同" in same.output
    changed = runner.invoke(main, ["diff", str(old), str(new), "--json"])
    assert changed.exit_code == 1, changed.output
    doc = json.loads(changed.output)
    assert doc["different"] is True
    keys = {p["key"] for s in doc["sheets"] for p in s["changed"]}
    assert "GX0009" in keys


def test_added_and_removed_people_by_explicit_key(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    """A person missing in the new version is removed, a new 工号 is added."""
    old, _new = versions
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb["人员奖金"]
    ws["A4"] = "GX9999"
    wb.save(tmp_path / "renamed.xlsx")
    new = _refreshed(tmp_path / "renamed.xlsx", tmp_path / "renamed.refreshed.xlsx")
    result = compare(old, new, key="工号")
    sheet = next(s for s in result.sheets if s.sheet == "人员奖金")
    assert [p.key for p in sheet.added] == ["GX9999"]
    assert [p.key for p in sheet.removed] == ["GX0001"]


def test_unreadable_file_exits_2(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    """A file that is not a workbook: exit 2 with a message naming it."""
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = CliRunner().invoke(main, ["diff", str(versions[0]), str(bad)])
    assert result.exit_code == 2
    missing = CliRunner().invoke(main, ["diff", str(versions[0]), str(tmp_path / "no.xlsx")])
    assert missing.exit_code == 2


@pytest.mark.libreoffice
def test_report_opens_in_libreoffice(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    """The --out report: totals row, frozen header, money format; LibreOffice converts it."""
    old, new = versions
    report = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--out", str(report)])
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(report)
    ws = wb["人员奖金"]
    assert ws.freeze_panes == "D2"
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "合计 Total"
    assert ws.cell(2, 13).number_format.startswith("#,##0.00")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    done = subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(report)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.csv").read_text(encoding="utf-8").startswith("旧文件 Old")


def _people_book(path: Path, n: int, rate: float, far: bool = False) -> Path:
    """n people with an id, a sale and a formula commission (cached values set
    by openpyxl are absent, so diff recalculates)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "提成"
    ws.append(["工号", "销售额", "提成"])
    for i in range(n):
        ws.append([f"E{i:05d}", 1000 + i, f"=B{i + 2}*{rate}"])
    if far:
        ws["XFD1048576"] = 1
    wb.save(path)
    return path


def _pay_book(path: Path, bases: list[float], *, error_for: str | None = None) -> Path:
    """A small pay sheet: 工号, 姓名, 基数 and a formula column 奖金 = 基数 × 1."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "奖金"
    ws.append(["工号", "姓名", "基数", "奖金"])
    for i, (key, name, base) in enumerate(zip(["A1", "A2", "A3"], ["张三", "李四", "王五"], bases, strict=True)):
        r = i + 2
        ws.append([key, name, base, "=1/0" if key == error_for else f"=C{r}*1"])
    wb.save(path)
    return path


def test_diff_against_a_far_cell_walks_the_cells_present(tmp_path: Path) -> None:
    """A workbook with one cell at XFD1048576: the layout is found from the
    cells present, not by visiting every row × column (it looped for hours)."""
    old = _people_book(tmp_path / "old.xlsx", 5, 0.1)
    new = _people_book(tmp_path / "new.xlsx", 5, 0.2, far=True)
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--json"])
    assert result.exit_code == 1, result.output
    sheet = json.loads(result.output)["sheets"][0]
    # the far cell's row has no id, so no column is a key: compared cell by cell
    assert sheet["mode"] == "cells"
    assert [c["column"] for c in sheet["cells"]] == [f"C{r}" for r in range(2, 7)]


def test_diff_report_never_asks_openpyxl_for_max_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--out`` counts its own rows: ``Worksheet.max_row`` walks every cell, so
    asking it per row made the report quadratic in the changes."""
    from openpyxl.worksheet.worksheet import Worksheet

    old = _people_book(tmp_path / "old.xlsx", 300, 0.1)
    new = _people_book(tmp_path / "new.xlsx", 300, 0.2)
    asked: list[int] = []
    real = Worksheet.max_row

    def counting(self: Worksheet) -> int:
        asked.append(1)
        return real.fget(self)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(Worksheet, "max_row", property(counting))
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--out", str(out)])
    assert result.exit_code == 1, result.output
    monkeypatch.undo()
    assert len(asked) < 10, len(asked)  # openpyxl's own save asks a few times per sheet
    report = openpyxl.load_workbook(out)
    page = report.worksheets[1]
    assert page.max_row == 1 + 300 + 1  # header, people, totals
    assert page.cell(2, 4).number_format == "#,##0.00;[Red]-#,##0.00"
    assert page.cell(302, 1).font.bold
def test_changes_that_cancel_keep_the_totals_and_errors_are_named(tmp_path: Path) -> None:
    """A +35 and a −35 net to 0 but the totals block stays; an error cell is
    counted and named beside the totals it is left out of."""
    old = _pay_book(tmp_path / "old.xlsx", [100, 200, 300])
    new = _pay_book(tmp_path / "new.xlsx", [135, 165, 300], error_for="A3")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert "合计（错误值不计入）/ totals" in result.output
    assert "+35" in result.output
    assert "-35" in result.output
    assert "新文件 / new 1 个错误值" in result.output
    assert "A3（王五）" in result.output
    sheet = compare(old, new).sheets[0]
    assert sheet.totals["奖金"] == (600.0, 300.0, -300.0)
    assert sheet.errors["奖金"] == ([], ["A3（王五）"])


def test_against_a_values_copy_people_keep_their_names(tmp_path: Path) -> None:
    """The new file is a --values copy (no formulas): still compared person by person."""
    old = _pay_book(tmp_path / "old.xlsx", [100, 200, 300])
    new = _pay_book(tmp_path / "new.xlsx", [100, 250, 300])
    done = CliRunner().invoke(main, ["refresh", str(new), "--values"])
    assert done.exit_code == 0, done.output
    values = tmp_path / "new.values.xlsx"
    assert values.is_file()
    sheet = compare(old, values).sheets[0]
    assert sheet.mode == "rows"
    assert [(p.key, p.label) for p in sheet.changed] == [("A2", "李四")]
    assert sheet.changed[0].changes[0].difference == 50.0


def test_one_language_with_lang(tmp_path: Path) -> None:
    """``--lang en`` / ``--lang zh``: the report in one language."""
    old = _pay_book(tmp_path / "old.xlsx", [100, 200, 300])
    new = _pay_book(tmp_path / "new.xlsx", [135, 165, 300], error_for="A3")
    en = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "en"])
    assert en.exit_code == 1, en.output
    assert "totals (error values left out)" in en.output
    assert "1 error values in the new file, not in the total" in en.output
    assert "合计" not in en.output
    assert "变化" not in en.output
    zh = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "zh"])
    assert "合计（错误值不计入）" in zh.output
    assert "新文件 1 个错误值" in zh.output
    assert "totals" not in zh.output
    assert "Old" not in zh.output


def test_a_column_total_in_cents_is_the_sum_of_the_decimals() -> None:
    """A pay column summed as whole cents at once gives the total that adding
    each number's decimal in turn gives; any other column is added in turn."""
    import random

    from addin.monthend.diff import _total, exact

    def by_decimals(values: list[object]) -> Decimal | None:
        total, found = Decimal(0), False
        for v in values:
            if isinstance(v, float | int) and not isinstance(v, bool):
                total += exact(float(v))
                found = True
        return total if found else None

    rng = random.Random(11)
    columns: list[list[object]] = [
        [],
        [None, "", "x"],
        [rng.randint(-10**9, 10**9) / 100 for _ in range(2000)],
        [round(rng.uniform(-1e6, 1e6), 2) for _ in range(2000)],
        [rng.uniform(-1e6, 1e6) for _ in range(500)],
        [0.1, 0.2, 0.3, -0.0, 1e-300, 2.0**45, 35_000_000_000_000.01, 1e20, float("inf")],
        [1.5, 2, True, None, "3", 4.25],
        [2.0**44 + 0.25] * 3,
        [9.99e13] * 10,
    ]
    for values in columns:
        want, got = by_decimals(values), _total(values)  # type: ignore[arg-type]
        assert (got is None) == (want is None)
        if want is not None and got is not None:
            assert got == want, values[:5]
            assert float(got) == float(want)
