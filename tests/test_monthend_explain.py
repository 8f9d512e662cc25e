"""``jixiao explain``: a payout's chain down to the inputs, with the kernel's
own explanation of contract-function rows."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import main
from addin.monthend.explain import Step, explain

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

TEMPLATES = Path(__file__).resolve().parents[1] / "workbooks" / "templates"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """t1 (BAND), t4 (RANK_PRIZE) and t5 (TIERED), refreshed."""
    tmp = tmp_path_factory.mktemp("explain")
    out = {}
    for name in ("t1_gongxiaoshe", "t4_baoxian", "t5_xiaoshou"):
        dest = tmp / f"{name}.xlsx"
        result = CliRunner().invoke(main, ["refresh", str(TEMPLATES / f"{name}.xlsx"), "--out", str(dest)])
        assert result.exit_code == 0, result.output
        out[name] = dest
    return out


def _inputs(step: Step) -> list[Step]:
    found = [step] if step.kind == "input" else []
    for child in step.children:
        found += _inputs(child)
    return found


def test_band_cell_names_the_band_and_reaches_the_revenue(refreshed: dict[str, Path]) -> None:
    """企业评分!M7 = BAND(企业年收入, 收入档) at row 4: the band, its start, the
    side, and the chain to the row's revenue cell and the band table."""
    step = explain(refreshed["t1_gongxiaoshe"], "企业评分!M7")
    wb = openpyxl.load_workbook(refreshed["t1_gongxiaoshe"], data_only=True)
    revenue = wb["企业评分"]["C7"].value
    assert step.value == wb["企业评分"]["M7"].value
    (detail,) = step.details
    assert detail["function"] == "BAND"
    ((sheet, ref),) = wb.defined_names["收入档"].destinations
    starts = [row[0].value for row in wb[sheet][ref.replace("$", "")]]
    band = max(i for i, s in enumerate(starts) if revenue >= s)
    assert detail["facts"]["band"] == band + 1
    assert detail["facts"]["start"] == starts[band]
    assert detail["facts"]["side"] == "lower"
    assert detail["result"] == step.value
    leaves = {s.ref: s.value for s in _inputs(step)}
    assert leaves["企业评分!C7"] == revenue
    table = next(c for c in step.children if c.via == "收入档")
    assert table.kind == "range"
    assert table.summary is not None
    assert table.summary["values"][band] == [starts[band], step.value]


def test_tiered_cell_shows_the_slices(refreshed: dict[str, Path]) -> None:
    """杂志征订!D6 = TIERED(征订份数, 杂志提成表, 杂志提成口径, "上含"): the
    mode, the side and TIER_DETAIL's rows, whose total is the cell."""
    step = explain(refreshed["t5_xiaoshou"], "杂志征订!D6")
    (detail,) = step.details
    assert detail["function"] == "TIERED"
    assert detail["facts"]["side"] == "upper"
    assert detail["rows"][-1][0] == "合计"
    assert detail["rows"][-1][4] == step.value
    assert "杂志征订!C6" in {s.ref for s in _inputs(step)}
    wb = openpyxl.load_workbook(refreshed["t5_xiaoshou"])
    ((sheet, ref),) = wb.defined_names["杂志提成口径"].destinations
    assert f"{sheet}!{ref.replace('$', '')}" in {s.ref for s in _inputs(step)}


def test_rank_prize_cell_shows_place_and_share(refreshed: dict[str, Path]) -> None:
    """个人竞赛!H6 = RANK_PRIZE(...): the place among the participants and the
    prize of that place (every eligible person with a higher premium is ahead)."""
    path = refreshed["t4_baoxian"]
    step = explain(path, "个人竞赛!H6", depth=1)
    (detail,) = step.details
    ws = openpyxl.load_workbook(path, data_only=True)["个人竞赛"]
    rows = [r for r in ws.iter_rows(min_row=4) if r[5].value == "是" and r[3].value is not None]
    mine = ws["D6"].value
    assert detail["facts"]["place"] == 1 + sum(r[3].value > mine for r in rows)
    assert detail["facts"]["tied"] == sum(r[3].value == mine for r in rows)
    assert detail["result"] == step.value == ws["H6"].value
    assert any(line.startswith("名次") for line in detail["lines"])


def test_vlookup_cell_recalculates_and_follows_the_match(tmp_path: Path) -> None:
    """A VLOOKUP in a workbook without cached values (openpyxl-written): it is
    recalculated, and the tree leads through the matched table cell to inputs."""
    wb = openpyxl.Workbook()
    rates = wb.active
    rates.title = "费率"
    for row in (["级别", "单价"], ["A", 50], ["B", 40], ["C", 30]):
        rates.append(row)
    people = wb.create_sheet("人员")
    people.append(["工号", "级别", "件数", "奖金"])
    people.append(["P1", "B", 12, "=VLOOKUP(B2,费率!$A$2:$B$4,2,FALSE)*C2"])
    wb.save(tmp_path / "v.xlsx")
    step = explain(tmp_path / "v.xlsx", "人员!D2")
    assert step.value == 480
    assert step.note is not None
    assert "重算" in step.note
    refs = {s.ref: s for s in _inputs(step)}
    assert refs["费率!B3"].value == 40
    assert "VLOOKUP" in (refs["费率!B3"].via or "")
    assert refs["人员!B2"].value == "B"
    assert refs["人员!C2"].value == 12


def test_cli_text_json_and_bad_cell(refreshed: dict[str, Path]) -> None:
    """The command prints the tree (Chinese first), --json the same tree; a
    missing sheet is exit 1 with a message, a missing file exit 2."""
    path = str(refreshed["t1_gongxiaoshe"])
    runner = CliRunner()
    text = runner.invoke(main, ["explain", path, "人员奖金!J12"])
    assert text.exit_code == 0, text.output
    assert "公式 / formula" in text.output
    assert "POINT_BONUS" in text.output
    doc = runner.invoke(main, ["explain", path, "人员奖金!J12", "--json", "--depth", "1"])
    assert doc.exit_code == 0
    tree = json.loads(doc.output)
    assert tree["details"][0]["function"] == "POINT_BONUS"
    assert all(not c["children"] for c in tree["children"])
    bad = runner.invoke(main, ["explain", path, "无此表!A1"])
    assert bad.exit_code == 1
    assert "无此表" in bad.output
    assert runner.invoke(main, ["explain", "nope.xlsx", "A!A1"]).exit_code == 2


@pytest.fixture(scope="module")
def by_post(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """IF(岗位="营业员", TIERED(…, 营业员档), TIERED(…, 经理档)), and an IFS."""
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    p = wb.active
    p.title = "参数"
    for row in ([0, 0.01], [10000, 0.02], [0, 0.03], [5000, 0.05]):
        p.append(row)
    wb.defined_names["营业员档"] = DefinedName("营业员档", attr_text="参数!$A$1:$B$2")
    wb.defined_names["经理档"] = DefinedName("经理档", attr_text="参数!$A$3:$B$4")
    s = wb.create_sheet("人员")
    s.append(["姓名", "岗位", "销售额", "提成", "等级"])
    for i, (name, post, x) in enumerate([("张三", "营业员", 12000), ("李四", "经理", 8000)], start=2):
        s.append([name, post, x, f'=IF(B{i}="营业员",TIERED(C{i},营业员档,"超额"),TIERED(C{i},经理档,"超额"))',
                  f'=_xlfn.IFS(C{i}>=10000,"甲",C{i}>=5000,"乙",TRUE,"丙")'])
    out = tmp_path_factory.mktemp("branches") / "by_post.xlsx"
    wb.save(out)
    return out


def test_if_marks_the_branch_taken(by_post: Path) -> None:
    """The manager's row takes the second TIERED: the IF line says so, the
    营业员 TIERED's explanation and its table are marked as not taken, the
    manager's are not; the salesperson's row is the other way round."""
    step = explain(by_post, "人员!D3")
    assert step.value == 300
    assert "FALSE" in step.branches[0]
    assert "采用第 2 个分支" in step.branches[0]
    tiered = [d for d in step.details if d["function"] == "TIERED"]
    assert [d.get("taken", True) for d in tiered] == [False, True]
    assert tiered[1]["result"] == 300
    tables = {c.ref: c.taken for c in step.children if c.kind == "range"}
    assert tables == {"参数!A1:B2": False, "参数!A3:B4": True}
    other = explain(by_post, "人员!D2")
    assert "采用第 1 个分支" in other.branches[0]
    assert [d.get("taken", True) for d in other.details if d["function"] == "TIERED"] == [True, False]
    text = CliRunner().invoke(main, ["explain", str(by_post), "人员!D3"])
    assert "✗【TIERED】未采用的分支 / branch not taken" in text.output
    assert "营业员档 → 参数!A1:B2" in text.output
    assert "\x1b[" not in text.output  # greyed only on a terminal
    doc = json.loads(CliRunner().invoke(main, ["explain", str(by_post), "人员!D3", "--json"]).output)
    assert [c["taken"] for c in doc["children"] if c["kind"] == "range"] == [False, True]


def test_ifs_marks_the_condition_that_holds(by_post: Path) -> None:
    """IFS: the first condition that holds is named; the row's value is its branch."""
    step = explain(by_post, "人员!E3")
    assert step.value == "乙"
    assert "第 2 个条件" in step.branches[0]


def test_totals_only_where_a_sum_means_something(refreshed: dict[str, Path]) -> None:
    """A band table (starts beside rates) shows no 合计; a column of amounts does."""
    from addin.monthend.explain import render, summarise

    step = explain(refreshed["t1_gongxiaoshe"], "企业评分!M7")
    table = next(c for c in step.children if c.via == "收入档")
    assert table.summary is not None
    assert "sum" not in table.summary
    text = "\n".join(render(step))
    assert "收入档" in text
    assert "合计" not in text
    assert summarise([[100.1], [200.2], [None]])["sum"] == 300.3


def test_one_language_with_lang(refreshed: dict[str, Path]) -> None:
    """``--lang en`` / ``--lang zh``: the tree, its edges and the kernel's lines in one language."""
    book = str(refreshed["t1_gongxiaoshe"])
    en = CliRunner().invoke(main, ["explain", book, "企业评分!M7", "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "formula: =" in en.output
    assert "band" in en.output
    assert "(this row)" in en.output
    assert "边界规则" not in en.output
    assert "因为" not in en.output
    zh = CliRunner().invoke(main, ["explain", book, "企业评分!M7", "--lang", "zh"])
    assert "公式: =" in zh.output
    assert "的本行" in zh.output
    assert "this row" not in zh.output
    assert "band" not in zh.output
