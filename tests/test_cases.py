"""``jixiao test``: cases in TOML beside a workbook, applied in memory and
recalculated by the refresh engine; comparisons (money to the fen, numbers to
1e-9 relative, text exactly, errors by kind); cell and name=value:column
addressing; exit codes 0/1/2; the explanation of a failing contract cell; the
pytest plugin; the cases shipped with the templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from office_workbook import build_office_workbook

from addin.cli import main
from addin.maintain.cases import load_cases, locate, matches
from addin.xlsx.a1 import to_a1
from addin.xlsx.workbook import read_workbook

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("*.xlsx"))

GOOD = """
[[case]]
name = "营业员 8 户：5×20+3×40"
[case.set]
"人员!D2" = 8
[case.expect]
"人员!E2" = 220
"工号=WX003:奖励" = 100
"工号=WX005:奖励" = { money = 380.004 }
"人员!B2" = "张三"

[[case]]
name = "户数填成文字：#VALUE!"
[case.set]
"工号=WX002:户数" = "三户"
[case.expect]
"工号=WX002:奖励" = "#VALUE!"
"汇总!B2" = { error = "#VALUE!" }
"""

WRONG = """
[[case]]
name = "错把 8 户写成 200 元"
[case.set]
"工号=WX001:户数" = 8
[case.expect]
"工号=WX001:奖励" = 200
"""


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The office workbook of our own making, in its own folder."""
    return build_office_workbook(tmp_path / "office.xlsx")


def test_cases_pass_and_the_workbook_is_not_written(office: Path) -> None:
    """Cell and name addressing, money, numbers, text and error kinds: exit 0;
    the workbook's bytes are unchanged."""
    office.with_name("office.cases.toml").write_text(GOOD, encoding="utf-8")
    before = office.read_bytes()
    res = CliRunner().invoke(main, ["test", str(office)])
    assert res.exit_code == 0, res.output
    assert "2 cases, 6 checks, 0 failed" in res.output
    assert office.read_bytes() == before


def test_a_wrong_case_fails_with_the_explanation(office: Path, tmp_path: Path) -> None:
    """A wrong expectation: exit 1, the cell, expected, got, and the TIERED
    breakdown band by band from the kernel (udfs.explain, from TIER_DETAIL)."""
    cases = tmp_path / "wrong.toml"
    cases.write_text(WRONG, encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(office), str(cases)])
    assert res.exit_code == 1, res.output
    assert "人员!E2 (工号=WX001:奖励)" in res.output
    assert "expected 200" in res.output
    assert "got 220" in res.output
    assert "TIERED(x=8, mode=超额) = 220" in res.output
    assert "第 2 档（表中第 2 行），因为 8 ≥ 起点 5" in res.output
    assert "0–5：数量 5 × 费率 20 = 100" in res.output
    assert "5–∞：数量 3 × 费率 40 = 120" in res.output
    js = CliRunner().invoke(main, ["test", str(office), str(cases), "--json"])
    assert json.loads(js.output)[0]["ok"] is False


BAD: dict[str, str] = {
    "not toml": "[[case]\nname=1",
    "no expect": '[[case]]\nname = "x"\n',
    "unknown key": '[[case]]\nname = "x"\nexpct = {}\n',
}

#: addresses that name nothing: that check fails, the rest of the run goes on
BAD_ADDRESSES: dict[str, str] = {
    "no such sheet": '"员工!A1" = 1',
    "no such person": '"工号=WX999:奖励" = 1',
    "no such column": '"工号=WX001:提成" = 1',
    "no such header": '"编号=WX001:奖励" = 1',
}


@pytest.mark.parametrize("case", BAD_ADDRESSES)
def test_a_bad_address_is_one_failed_check(case: str, office: Path, tmp_path: Path) -> None:
    """The bad address fails (exit 1) with its reason; the other checks and cases still run."""
    cases = tmp_path / "bad.toml"
    cases.write_text(
        f'[[case]]\nname = "坏地址"\n[case.expect]\n{BAD_ADDRESSES[case]}\n"人员!E2" = 220\n'
        '[[case]]\nname = "好用例"\n[case.expect]\n"工号=WX003:奖励" = 100\n'
        '[[case]]\nname = "坏输入"\n[case.set]\n"员工!D2" = 8\n[case.expect]\n"人员!E2" = 220\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["test", str(office), str(cases)])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert "地址无效 / bad address" in res.output
    assert "[失败 FAIL] 坏地址（1/2）" in res.output
    assert "[通过 PASS] 好用例（1/1）" in res.output
    assert "[失败 FAIL] 坏输入（0/1）" in res.output
    assert "3 个用例，4 项检查，2 项失败" in res.output


def test_header_addressing_without_a_defined_name(office: Path, tmp_path: Path) -> None:
    """``姓名=王五:户数`` finds the row under the header 姓名 (no name needed),
    and an empty cell is reported as 空白, not None."""
    wb = read_workbook(office)
    sheet, coord = locate(wb, "姓名=王五:户数")
    assert (sheet.name, to_a1(*coord)) == ("人员", "D4")
    cases = tmp_path / "blank.toml"
    cases.write_text('[[case]]\nname = "空"\n[case.expect]\n"人员!G2" = 5\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(office), str(cases)])
    assert res.exit_code == 1, res.output
    assert "实得 got 空白 blank" in res.output
    assert "None" not in res.output


@pytest.mark.parametrize("case", BAD)
def test_unreadable_cases_exit_2(case: str, office: Path, tmp_path: Path) -> None:
    """Cases that cannot be read or name nothing: exit 2 with a message, no traceback."""
    cases = tmp_path / "bad.toml"
    cases.write_text(BAD[case], encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(office), str(cases)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.output.strip()


def test_unreadable_workbook_exit_2(tmp_path: Path) -> None:
    """A missing workbook or one that is not a workbook: exit 2."""
    (tmp_path / "x.cases.toml").write_text(GOOD, encoding="utf-8")
    assert CliRunner().invoke(main, ["test", str(tmp_path / "x.xlsx")]).exit_code == 2
    (tmp_path / "x.xlsx").write_text("no", encoding="utf-8")
    assert CliRunner().invoke(main, ["test", str(tmp_path / "x.xlsx")]).exit_code == 2


def test_comparisons() -> None:
    """Money to the fen (half away from zero), numbers 1e-9 relative, text
    exactly, errors by kind."""
    from udfs.errors import ExcelError

    assert matches("money", 240, 240.004)
    assert not matches("money", 240, 240.005)
    assert matches("number", 1 / 3, 0.33333333333333337)
    assert not matches("number", 1.0, 1.000001)
    assert matches("text", "优", "优")
    assert not matches("text", "优", "优 ")
    assert not matches("number", 0, "")
    assert matches("error", "#N/A", ExcelError("#N/A", "why"))
    assert not matches("error", "#N/A", ExcelError("#VALUE!"))


def test_name_addressing(office: Path) -> None:
    """``工号=WX003:户数`` is the 户数 cell of WX003's row."""
    wb = read_workbook(office)
    sheet, coord = locate(wb, "工号=WX003:户数")
    assert (sheet.name, to_a1(*coord)) == ("人员", "D4")


def test_pytest_plugin_runs_the_cases_of_a_folder(office: Path) -> None:
    """``pytest`` in a folder with ``office.cases.toml``: one item per case;
    a failing case fails with its report and explanation."""
    office.with_name("office.cases.toml").write_text(GOOD + WRONG, encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(office.parent),
         str(office.parent)],
        cwd=office.parent, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 failed, 2 passed" in res.stdout
    assert "TIERED(x=8, mode=超额) = 220" in res.stdout


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.stem)
def test_shipped_cases_agree_with_golden(book: Path) -> None:
    """Every template ships NAME.cases.toml whose first case expects exactly
    its golden values, and ``jixiao test`` passes it."""
    cases, named = load_cases(book.with_name(f"{book.stem}.cases.toml"))
    assert named == book.name
    spec_id = next(p.stem for p in (ROOT / "workbooks" / "specs").glob("*.json")
                   if json.loads(p.read_text(encoding="utf-8"))["file"] == book.name)
    gold = json.loads((ROOT / "workbooks" / "golden" / f"{spec_id}.json").read_text(encoding="utf-8"))
    assert {e.address: e.value for e in cases[0].expect} == gold["values"]
    res = CliRunner().invoke(main, ["test", str(book)])
    assert res.exit_code == 0, res.output[-2000:]


def test_rank_prize_explanation_shows_the_tie_rule(tmp_path: Path) -> None:
    """A prize shared by a tie: the explanation gives the place, the people
    tied, the prizes of the places the tie takes and the share."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "竞赛"
    ws.append(["姓名", "成绩", "奖金", "", "起", "止", "每人"])
    for name, score in [("甲", 90), ("乙", 80), ("丙", 80), ("丁", 70)]:
        ws.append([name, score])
    for r, row in enumerate([(1, 1, 300), (2, 2, 200), (3, 3, 100)], start=2):
        for j, v in enumerate(row):
            ws.cell(r, 5 + j, v)
    ws["C2"] = ArrayFormula("C2:C5", '=RANK_PRIZE(B2:B5,$E$2:$G$4,,,"均分")')
    book = tmp_path / "rank.xlsx"
    wb.save(book)
    cases = tmp_path / "rank.cases.toml"
    cases.write_text('[[case]]\nname = "并列"\n[case.expect]\n"竞赛!C2" = 300\n"竞赛!C3" = 200\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(book)])
    assert res.exit_code == 1
    assert "竞赛!C3: 期望 expected 200，实得 got 150" in res.output
    assert "名次 2（共 4 人参与）" in res.output
    assert "与另外 1 人并列，占第 2–3 名" in res.output
    assert "名次 3 的奖金 100" in res.output
    assert "均分：(200 + 100) / 2 = 150" in res.output


def test_workbook_that_cannot_be_calculated_exit_2(tmp_path: Path) -> None:
    """A workbook the engine cannot calculate (an unknown function): exit 2
    with the engine's reason, no traceback."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B1"] = 1, "=FOOBAR(A1)"
    book = tmp_path / "odd.xlsx"
    wb.save(book)
    (tmp_path / "odd.cases.toml").write_text('[[case]]\n[case.expect]\n"Sheet!B1" = 1\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(book)])
    assert res.exit_code == 2, res.output
    assert "FOOBAR" in res.output
    assert "Traceback" not in res.output


def test_rankx_explanation_ranks_within_the_group(tmp_path: Path) -> None:
    """RANKX with groups and eligibility: the explanation is the kernel's, the
    place within the person's group and the people tied, counting only those
    who take part (the earlier explainer gave nothing for a narrowed ranking)."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "排名"
    ws.append(["姓名", "组", "成绩", "参与", "名次"])
    for row in [("甲", "A", 90, 1), ("乙", "A", 80, 1), ("丙", "B", 80, 1), ("丁", "A", 80, 1), ("戊", "A", 95, 0)]:
        ws.append(list(row))
    ws["E2"] = ArrayFormula("E2:E6", '=RANKX(C2:C6,,"并列",B2:B6,D2:D6)')
    book = tmp_path / "rankx.xlsx"
    wb.save(book)
    (tmp_path / "rankx.cases.toml").write_text(
        '[[case]]\nname = "组内"\n[case.expect]\n"排名!E3" = 3\n', encoding="utf-8"
    )
    res = CliRunner().invoke(main, ["test", str(book)])
    assert res.exit_code == 1, res.output
    assert "排名!E3: 期望 expected 3，实得 got 2" in res.output
    assert "名次 2（共 3 人参与）" in res.output
    assert "与另外 1 人并列，占第 2–3 名" in res.output


def test_one_language_with_lang(office: Path, tmp_path: Path) -> None:
    """``--lang en`` / ``--lang zh``: the report and the kernel's explanation in one language."""
    cases = tmp_path / "wrong.toml"
    cases.write_text(WRONG, encoding="utf-8")
    en = CliRunner().invoke(main, ["test", str(office), str(cases), "--lang", "en"])
    assert en.exit_code == 1, en.output
    assert "[FAIL]" in en.output
    assert "expected 200, got 220" in en.output
    assert "1 cases, 1 checks, 1 failed" in en.output
    assert "失败" not in en.output
    assert "档" not in en.output
    zh = CliRunner().invoke(main, ["test", str(office), str(cases), "--lang", "zh"])
    assert "[失败]" in zh.output
    assert "期望 200，实得 220" in zh.output
    assert "expected" not in zh.output
    assert "band" not in zh.output
