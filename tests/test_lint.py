"""``jixiao lint``: each hand-written pattern our functions replace is found in
a workbook written by hand, at its cell, with a code, Chinese and English
messages and the replacement; the templates have none; exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import main
from addin.maintain.lint import lint

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("*.xlsx"))

ROWS = [("张三", 12, 95), ("李四", 7, 88), ("王五", 3, 95), ("赵六", 10, 70), ("钱七", 0, 55)]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An office workbook written by hand with every pattern once."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["姓名", "户数", "超额奖励", "等级", "全额奖励", "查表奖励", "提成", "成绩", "名次", "名次奖",
               "", "起点", "单价"])  # fmt: skip
    for i, (name, n, score) in enumerate(ROWS, start=2):
        rate = 0.06 if i == 4 else 0.05  # row 4 typed differently: the inconsistent formula
        ws.append([
            name, n,
            f"=IF(B{i}>10,(B{i}-10)*60+300,IF(B{i}>5,(B{i}-5)*40+100,B{i}*20))",
            f'=IF(H{i}>=90,"优",IF(H{i}>=80,"良",IF(H{i}>=60,"中","差")))',
            f"=IF(B{i}>=10,B{i}*50,IF(B{i}>=5,B{i}*40,B{i}*20))",
            f"=VLOOKUP(B{i},$L$2:$M$4,2,TRUE)",
            f"=B{i}*{rate}",
            score,
            f"=RANK(H{i},$H$2:$H$6)",
            f"=IF(I{i}<=1,500,0)",
        ])  # fmt: skip
    for r, (start, price) in enumerate([(0, 20), (10, 50), (5, 40)], start=2):
        ws.cell(r, 12, start)
        ws.cell(r, 13, price)
    out = tmp_path_factory.mktemp("lint") / "handmade.xlsx"
    wb.save(out)
    return out


def _find(path: Path, code: str) -> list[tuple[str, str, str]]:
    return [(p.cell or "", p.zh, p.en) for p in lint(path).problems if p.code == code]


def test_nested_if_marginal_is_tiered_excess(handmade: Path) -> None:
    """IF chain paying (x-10)*60+… over ">" thresholds → TIERED "超额", 上含,
    with the band table read off the chain."""
    cell, zh, en = _find(handmade, "lint.nested-if")[0]
    assert cell == "C2"
    assert 'TIERED(B2, 档位表, "超额", "上含")' in zh
    assert "0 → 20；5 → 40；10 → 60" in zh
    assert "marginal" in en


def test_nested_if_constants_is_band(handmade: Path) -> None:
    """IF chain of constants over ">=" thresholds → BAND (下含)."""
    hits = {c: zh for c, zh, _ in _find(handmade, "lint.nested-if")}
    assert "=BAND(H2, 档位表)" in hits["D2"]
    assert '0 → "差"；60 → "中"；80 → "良"；90 → "优"' in hits["D2"]


def test_nested_if_rate_times_x_is_tiered_whole(handmade: Path) -> None:
    """IF chain of x*rate → TIERED "全额"."""
    hits = {c: zh for c, zh, _ in _find(handmade, "lint.nested-if")}
    assert 'TIERED(B2, 档位表, "全额")' in hits["E2"]
    assert "0 → 20；5 → 40；10 → 50" in hits["E2"]


def test_vlookup_over_unsorted_table(handmade: Path) -> None:
    """VLOOKUP(…, TRUE) over 0, 10, 5: the row breaking the order is named and
    BAND is proposed."""
    hits = _find(handmade, "lint.vlookup-unsorted")
    assert hits[0][0] == "F2"
    assert "人员!L4" in hits[0][1]
    assert "=BAND(B2, $L$2:$M$4, 2)" in hits[0][1]


def test_literal_rate(handmade: Path) -> None:
    """A rate typed into the formula, once per filled-down run."""
    hits = {c: zh for c, zh, _ in _find(handmade, "lint.literal-rate")}
    assert "0.05" in hits["G2"]
    assert "0.06" in hits["G4"]
    assert not {"C2", "D2", "E2"} & set(hits)  # the IF chains are reported as such


def test_inconsistent_formula(handmade: Path) -> None:
    """The one row of a filled-down column with another formula, with the
    formula the rows around it imply."""
    hits = _find(handmade, "lint.inconsistent")
    assert [h[0] for h in hits] == ["G4"]
    assert "=B4*0.05" in hits[0][1]


def test_rank_ties_where_a_prize_is_paid(handmade: Path) -> None:
    """RANK over tied scores (95 twice) read by a prize formula."""
    hits = _find(handmade, "lint.rank-ties")
    assert hits[0][0] == "I2"
    assert "95" in hits[0][1]
    assert "RANK_PRIZE" in hits[0][2]


def test_cli_json_english_and_exit_codes(handmade: Path, tmp_path: Path) -> None:
    """--json lists every finding with code, sheet, cell, zh and en; exit 1 with
    findings, 2 for a file that is not a workbook."""
    res = CliRunner().invoke(main, ["lint", str(handmade), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    codes = {p["code"] for p in data["problems"]}
    assert codes == {"lint.nested-if", "lint.vlookup-unsorted", "lint.literal-rate", "lint.inconsistent",
                     "lint.rank-ties"}  # fmt: skip
    assert all(p["sheet"] == "人员" and p["cell"] and p["zh"] and p["en"] for p in data["problems"])
    en = CliRunner().invoke(main, ["lint", str(handmade), "--lang", "en"])
    assert "人员!C2  [lint.nested-if] 3 nested IFs" not in en.output
    assert "人员!C2  [lint.nested-if] 2 nested IFs" in en.output
    bad = tmp_path / "x.xlsx"
    bad.write_text("no", encoding="utf-8")
    assert CliRunner().invoke(main, ["lint", str(bad)]).exit_code == 2


@pytest.mark.parametrize("book", TEMPLATES, ids=lambda p: p.stem)
def test_templates_have_nothing_to_replace(book: Path) -> None:
    """Our templates already use the functions: lint finds nothing, exit 0."""
    res = CliRunner().invoke(main, ["lint", str(book)])
    assert res.exit_code == 0, res.output
