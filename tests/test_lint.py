"""``jixiao lint``: each hand-written pattern our functions replace is found in
a workbook written by hand, at its cell, with a code, Chinese and English
messages and the replacement; the templates have none; exit codes 0/1/2."""

from __future__ import annotations

import itertools
import json
import re
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


# ---------------------------------------------------------------- lint proves its advice

#: nested IFs a maintainer writes, over 名次/户数 in column A; H is a per-row amount
CHAINS = {
    "B": "=IF(A{r}=1,500,IF(A{r}<=3,300,IF(A{r}<=10,100,0)))",  # equality branch: kept
    "C": "=IF(A{r}<=1,500,IF(A{r}<=3,300,IF(A{r}<=10,100,0)))",  # BAND, 上含
    "D": "=IF(A{r}>=10,H{r},IF(A{r}>=5,100,0))",  # a branch read from the row: kept
    "E": "=IF(A{r}>10,A{r}*60,IF(A{r}>5,(A{r}-5)*40+100,A{r}*20))",  # neither reading of TIERED: kept
    "F": "=ROUND(IF(A{r}>=10,A{r}*0.333,IF(A{r}>=5,A{r}*0.25,0)),2)",  # TIERED 全额 inside ROUND
    "G": "=IF(A{r}>=10,A{r}*0.333,IF(A{r}>=5,A{r}*0.25,0))",  # unrounded: TIERED's fen differs: kept
    "I": '=IF(A{r}>=$K$3,"优",IF(A{r}>=$K$2,"良","差"))',  # thresholds in parameter cells
}


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws["A1"], ws["H1"], ws["J2"], ws["K2"], ws["J3"], ws["K3"] = "名次", "额", "良", 5, "优", 10
    for r, n in enumerate([1, 2, 3, 5, 7, 10, 12], start=2):
        ws[f"A{r}"], ws[f"H{r}"] = n, 1000 + r
        for col, text in CHAINS.items():
            ws[f"{col}{r}"] = text.format(r=r)
    out = tmp_path_factory.mktemp("lint") / "chains.xlsx"
    wb.save(out)
    return out


def _by_cell(path: Path) -> dict[str, tuple[str, str, str]]:
    return {p.cell or "": (p.code, p.zh, p.en) for p in lint(path).problems if p.code.startswith("lint.nested-if")}


def test_equality_branch_is_not_dropped(chains: Path) -> None:
    """The issue's chain: rank 1 pays 500 by an equality test; a band table
    would pay it 300, so no rewrite is offered and the finding says why."""
    code, zh, en = _by_cell(chains)["B2"]
    assert code == "lint.nested-if-kept"
    assert "A2=1 → 500" in zh
    assert "等值" in zh
    assert "equality branch" in en
    assert "BAND" not in zh.split("：", 1)[1]


def test_non_constant_branch_and_wrong_reading_are_kept(chains: Path) -> None:
    """A branch read from the row (H2) cannot go in a table; a chain neither
    TIERED reading computes is shown differing at a value, with both amounts;
    an unrounded rate chain differs from TIERED's fen."""
    found = _by_cell(chains)
    assert found["D2"][0] == "lint.nested-if-kept"
    assert "H2" in found["D2"][1]
    code, zh, _en = found["E2"]
    assert code == "lint.nested-if-kept"
    assert "A2=12" in zh
    assert "得 420，原公式得 720" in zh
    assert found["G2"][0] == "lint.nested-if-kept"


def test_proven_rewrites(chains: Path) -> None:
    """Chains a table computes: a 上含 band whose first band reaches below 0,
    a TIERED inside the ROUND it was written in, thresholds from parameter cells."""
    found = _by_cell(chains)
    assert found["C2"][0] == "lint.nested-if"
    assert '=BAND(A2, 档位表, , "上含")' in found["C2"][1]
    assert "-1 → 500；1 → 300；3 → 100；10 → 0" in found["C2"][1]
    assert '=ROUND(TIERED(A2, 档位表, "全额"),2)' in found["F2"][1]
    assert '0 → "差"；5 → "良"；10 → "优"' in found["I2"][1]


def _table_value(text: str) -> float | str:
    """A table cell as the finding writes it: a number, "text", or a formula."""
    if text.startswith('"'):
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        return "=" + text


def _differences(
    path: Path, cell: str, suggestion: str, table: list[tuple[float, str]], sort_lookup: str | None = None
) -> list[tuple[float, object, object]]:
    """Compute the formula at 人员!``cell`` and ``suggestion`` (reading 档位表 =
    ``table``) side by side with the engine, on the column's own values of
    the suggestion's first argument and on each start ±1, ±0.01 and between;
    the values where they differ. ``sort_lookup`` sorts that range first
    (VLOOKUP's advice: sort, then BAND)."""
    from openpyxl.formula.translate import Translator
    from openpyxl.utils import column_index_from_string
    from openpyxl.workbook.defined_name import DefinedName

    from addin.maintain.lint_proof import same
    from addin.refresh.engine import calculate
    from addin.xlsx.workbook import read_workbook

    wb = openpyxl.load_workbook(path)
    ws = wb["人员"]
    if sort_lookup is not None:
        rows = list(ws[sort_lookup])
        block = sorted((tuple(c.value for c in row) for row in rows), key=lambda t: t[0])
        for row, values in zip(rows, block, strict=True):
            for c, v in zip(row, values, strict=True):
                c.value = v
    params = wb.create_sheet("档位_test")
    for i, (start, value) in enumerate(table, start=1):
        params.cell(i, 1, start)
        params.cell(i, 2, _table_value(value))
    wb.defined_names["档位表"] = DefinedName("档位表", attr_text=f"'档位_test'!$A$1:$B${len(table)}")
    match = re.search(r"(?:BAND|TIERED)\(\$?([A-Z]+)\$?\d+", suggestion)
    assert match is not None, suggestion
    x_col = match.group(1)
    col = cell.rstrip("0123456789")
    starts = [s for s, _ in table[1:]]
    tried = {c.value for c in ws[x_col][1:] if isinstance(c.value, int | float)}
    for t in starts:
        tried.update({t - 1, t - 0.01, t, t + 0.01, t + 1})
    tried.update((a + b) / 2 for a, b in itertools.pairwise(starts))
    probes = sorted(round(v, 10) for v in tried)
    base = ws.max_row + 10
    for k, v in enumerate(probes):
        r = base + k
        ws[f"{x_col}{r}"] = v
        ws[f"{col}{r}"] = Translator(ws[cell].value, origin=cell).translate_formula(f"{col}{r}")
        # the rewrite as it would stand in this row, held in a spare column
        ws[f"AZ{r}"] = Translator("=" + suggestion, origin=cell).translate_formula(f"{col}{r}")
    out = path.with_name(f"{path.stem}-{cell}-check.xlsx")
    wb.save(out)
    res = calculate(read_workbook(out)).values["人员"]
    here, there = column_index_from_string(col), column_index_from_string("AZ")
    got = [(v, res.get((base + k, here)), res.get((base + k, there))) for k, v in enumerate(probes)]
    return [g for g in got if not same(g[1], g[2])]


def _suggestion(zh: str) -> tuple[str, list[tuple[float, str]]]:
    formula = zh.split("公式改为 =", 1)[1].split("（已用引擎核对", 1)[0]
    table = zh.split("参数表（", 1)[1].split("），公式改为", 1)[0]
    rows = [(float(a), b) for a, b in (part.split(" → ", 1) for part in table.split("；"))]
    return formula, rows


@pytest.mark.parametrize("fixture", ["handmade", "chains"])
def test_every_suggestion_pays_what_the_formula_pays(fixture: str, request: pytest.FixtureRequest) -> None:
    """Each nested-IF rewrite lint offers, written into the workbook as the
    finding says (the table under the name 档位表) and computed by the
    engine beside the formula it replaces: equal on the column's values and
    at every start ±1, ±0.01 and between."""
    path: Path = request.getfixturevalue(fixture)
    suggestions = [p for p in lint(path).problems if p.code == "lint.nested-if"]
    assert suggestions
    for p in suggestions:
        assert p.sheet == "人员"
        formula, table = _suggestion(p.zh)
        assert _differences(path, p.cell or "", formula, table) == [], p.zh


def test_the_check_catches_the_rewrite_that_drops_a_branch(chains: Path) -> None:
    """The check above is not vacuous: the rewrite the issue saw offered for
    the equality chain (0 → 300; 3 → 100; 10 → 0, 上含) pays rank 1 300, not 500."""
    table = [(0.0, "300"), (3.0, "100"), (10.0, "0")]
    bad = _differences(chains, "B2", 'BAND(A2, 档位表, , "上含")', table)
    assert (1.0, 500.0, 300.0) in bad


def test_vlookup_advice_pays_what_the_sorted_lookup_pays(handmade: Path) -> None:
    """VLOOKUP's advice: once the table is sorted, the BAND offered returns
    what VLOOKUP returns, at every row's value and every start ±1, ±0.01."""
    p = next(p for p in lint(handmade).problems if p.code == "lint.vlookup-unsorted")
    formula = p.zh.split("排好序后改为 =", 1)[1].split("（BAND", 1)[0]
    table = [(0.0, "20"), (5.0, "40"), (10.0, "50")]  # the sorted starts, for the probes
    assert _differences(handmade, p.cell or "", formula, table, sort_lookup="L2:M4") == []
