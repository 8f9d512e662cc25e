"""The committed templates are exactly what ``workbooks/build.py`` builds, open
cleanly, call only known functions and hard-code no scheme numbers.

Formula literal rule (no scheme number in a formula): after removing string
literals, sheet names and cell references, a formula may contain only the
numbers 0, 1 and 2 (match modes, sort orders, flags, "average of two"), and an
integer of any size only as a *column index* — the 3rd argument of ``BAND`` or
the 2nd/3rd argument of ``INDEX``. Every rate, band, gate, prize, weight,
threshold and count of months lives on the 参数 sheet.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from external import SharedDir
from openpyxl.worksheet.formula import ArrayFormula

from addin import registry
from workbooks import build as wbuild
from workbooks.golden_reference import golden
from workbooks.spec import build_spec
from workbooks.templates import REGISTRY

IDS = list(REGISTRY)
ROOT = Path(__file__).resolve().parents[1]

#: Excel functions the templates may call besides the contract (with the
#: prefix files store them with).
EXCEL_FUNCTIONS = {
    "IF", "SUM", "SUMIF", "SUMIFS", "COUNTIF", "COUNTIFS", "ROUNDUP", "INDEX", "MATCH",
    "MIN", "MAX", "AND", "OR", "_xlfn.XLOOKUP", "AVERAGEIFS", "ABS", "MONTH",
}
#: Functions newer than Excel 2007 that must carry ``_xlfn.``.
NEWER = {"XLOOKUP", "XMATCH", "FILTER", "SORT", "UNIQUE", "LET", "SEQUENCE", "RANK.EQ", "CONCAT", "IFS"}

TOKEN = re.compile(
    r'"(?:[^"]|"")*"'  # string literal
    r"|'(?:[^']|'')*'!"  # quoted sheet prefix
    r"|(?P<ref>\$?[A-Z]{1,3}\$?\d+(?![\w(.]))"  # A1 reference
    r"|(?P<name>[^\W\d][\w.]*)(?P<call>\()?"  # name or function call
    r"|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%?)"
    r"|(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<other>.)",
    re.S,
)
COLUMN_ARGS = {"BAND": {2}, "INDEX": {1, 2}}


def literal_violations(formula: str) -> list[str]:
    """Numbers in ``formula`` that break the literal rule (module docstring)."""
    stack: list[list[Any]] = []
    bad = []
    for m in TOKEN.finditer(formula.lstrip("=")):
        if m.group("call"):
            stack.append([m.group("name"), 0])
        elif m.group("open"):
            stack.append([None, 0])
        elif m.group("close") and stack:
            stack.pop()
        elif m.group("comma") and stack:
            stack[-1][1] += 1
        elif m.group("num"):
            text = m.group("num")
            if text in ("0", "1", "2"):
                continue
            if stack and stack[-1][0] in COLUMN_ARGS and stack[-1][1] in COLUMN_ARGS[stack[-1][0]] \
                    and text.isdigit():
                continue
            bad.append(text)
    return bad


def function_calls(formula: str) -> list[str]:
    return [m.group("name") for m in TOKEN.finditer(formula.lstrip("=")) if m.group("call")]


def formulas(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula text) of every formula in the workbook."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, ArrayFormula):
                    out.append((ws.title, c.coordinate, v.text))
                elif isinstance(v, str) and v.startswith("="):
                    out.append((ws.title, c.coordinate, v))
    return out


def committed(tid: str) -> Path:
    return wbuild.XLSX_DIR / REGISTRY[tid]().filename


def canonical_parts(path: Path) -> dict[str, str]:
    """Every part of the package, XML parts parsed and canonicalised."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith((".xml", ".rels")):
                out[name] = ET.canonicalize(data.decode("utf-8"), strip_text=True)
            else:
                out[name] = data.hex()
    return out


def test_literal_rule_examples() -> None:
    """The literal checker itself: scheme numbers are caught, structure is not."""
    assert literal_violations('=IF(A4>=80,B4*40,0)') == ["80", "40"]
    assert literal_violations("=BAND(收入,收入档,3)") == []
    assert literal_violations('=STREAK(块,"<70")') == []
    assert literal_violations("=(X+Y)/2") == []
    assert literal_violations("=ROUND(A4*0.35,2)") == ["0.35"]
    assert literal_violations("=INDEX(表,3,4)") == []


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rebuilt")
    wbuild.build(None, out, extras=False)
    return out


@pytest.mark.parametrize("tid", IDS)
def test_committed_file_matches_build(tid: str, rebuilt: Path) -> None:
    """Rebuilding gives the committed workbook part for part (cells, formulas,
    names, validations, styles, protection, properties), compared as parsed XML."""
    name = REGISTRY[tid]().filename
    old, new = canonical_parts(committed(tid)), canonical_parts(rebuilt / name)
    assert sorted(old) == sorted(new), f"{name}: package parts differ; run python -m workbooks.build"
    changed = [p for p in old if old[p] != new[p]]
    assert not changed, f"{name}: {changed} differ from the build; run python -m workbooks.build"


@pytest.mark.parametrize("tid", IDS)
def test_spec_and_golden_files_are_current(tid: str) -> None:
    """The committed spec and golden JSON are what the build source generates."""
    t = REGISTRY[tid]()
    spec = json.loads((wbuild.SPEC_DIR / f"{tid}.json").read_text(encoding="utf-8"))
    assert spec == json.loads(json.dumps(build_spec(t), ensure_ascii=False))
    gold = json.loads((wbuild.GOLDEN_DIR / f"{tid}.json").read_text(encoding="utf-8"))
    assert gold["values"] == json.loads(json.dumps(golden(t)))


@pytest.mark.parametrize("tid", IDS)
def test_opens_and_declares_identity(tid: str) -> None:
    """openpyxl opens the file; the template id and version are in its custom properties."""
    wb = openpyxl.load_workbook(committed(tid))
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    t = REGISTRY[tid]()
    assert props == {"jixiao.template": t.id, "jixiao.version": t.version}
    assert wb.sheetnames[:2] == ["说明", "参数"]


@pytest.mark.parametrize("tid", IDS)
def test_formulas_use_known_functions(tid: str) -> None:
    """Every call is a contract function or a listed Excel function; newer
    Excel functions carry ``_xlfn.``."""
    allowed = set(registry.names()) | EXCEL_FUNCTIONS
    for sheet, cell, f in formulas(committed(tid)):
        for fn in function_calls(f):
            assert fn.removeprefix("_xlfn.") not in NEWER or fn.startswith("_xlfn."), f"{sheet}!{cell}: {fn}"
            assert fn in allowed, f"{sheet}!{cell}: unknown function {fn} in {f}"


def test_every_contract_function_is_used_by_a_template() -> None:
    """Each function of the contract is called by at least one template's
    formulas, so each is exercised end to end on a real scheme."""
    used = {fn for tid in IDS for _s, _c, f in formulas(committed(tid)) for fn in function_calls(f)}
    assert set(registry.names()) - used == set()


@pytest.mark.parametrize("tid", IDS)
def test_no_scheme_numbers_in_formulas(tid: str) -> None:
    """No rate, band, gate or count is typed into a formula (literal rule above)."""
    found = [(s, c, f, literal_violations(f)) for s, c, f in formulas(committed(tid))]
    assert [x for x in found if x[3]] == []
    assert found, "template has no formulas"


@pytest.mark.parametrize("tid", IDS)
def test_spec_matches_workbook(tid: str) -> None:
    """Names, headers, result formulas and spill anchors of the spec are in the file."""
    path = committed(tid)
    spec = build_spec(REGISTRY[tid]())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == spec["sheets"]
    for name, target in spec["names"].items():
        assert wb.defined_names[name].attr_text == target
    for h in spec["headers"]:
        assert wb[h["sheet"]][h["cell"]].value == h["text"], h
    with zipfile.ZipFile(path) as z:
        sheet_xml = {n: z.read(f"xl/worksheets/sheet{i}.xml").decode() for i, n in enumerate(wb.sheetnames, 1)}
        assert "xl/metadata.xml" in z.namelist()
    for r in spec["results"]:
        ws = wb[r["sheet"]]
        if r.get("spilled_into"):
            assert ws[f"{r['column']}{r['first_row']}"].value is None
            continue
        spills = r.get("anchors") or ([{"anchor": r["anchor"], "ref": r["ref"]}] if r.get("spill") else [])
        for a in spills:
            v = ws[a["anchor"]].value
            assert isinstance(v, ArrayFormula), (r, a)
            assert v.ref == a["ref"]
            assert re.search(f'<c r="{a["anchor"]}"[^>]* cm="1"', sheet_xml[r["sheet"]]), f"{a} lacks cm=1"
        if not spills:
            cells = [r["cell"]] if "cell" in r else [
                f"{r['column']}{row}" for row in range(r["first_row"], r["last_row"] + 1)]
            for cell in cells:
                v = ws[cell].value
                assert isinstance(v, str), (r, cell)
                assert v.startswith("="), (r, cell)


@pytest.mark.parametrize("tid", IDS)
def test_protection_and_inputs(tid: str) -> None:
    """Every sheet is protected (no password); input cells are unlocked and
    validated; formula cells are locked."""
    spec = build_spec(REGISTRY[tid]())
    wb = openpyxl.load_workbook(committed(tid))
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
    for col in (i for i in spec["inputs"] if "column" in i):
        ws = wb[col["sheet"]]
        c = ws[f"{col['column']}{col['first_row']}"]
        assert c.protection.locked is False, col
        if col["kind"] in ("choice", "number", "money", "percent", "int", "date"):
            covered = [dv for dv in ws.data_validations.dataValidation if c.coordinate in dv.sqref]
            assert covered, f"{ws.title}!{c.coordinate} has no validation"
    for r in spec["results"]:
        cell = r.get("anchor") or r.get("cell") or f"{r['column']}{r['first_row']}"
        assert wb[r["sheet"]][cell].protection.locked is True, r
    for p in spec["parameters"]:
        assert wb["参数"][p["cell"]].protection.locked is False


#: Templates whose source document is in simplified characters (seeds/000, 001, 004):
#: their quoted clauses must appear verbatim. (002 and 003 are traditional-character
#: documents; the templates quote them transcribed to simplified characters.)
SIMPLIFIED_SOURCES = {"t1-gongxiaoshe": "000", "t2-wangxiao": "000", "t3-hujiao": "000",
                      "t6-weixi": "004", "t7-weixiu": "004", "t8-xiaoshoubu": "001"}
PUNCT = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})


@pytest.mark.parametrize("tid", sorted(SIMPLIFIED_SOURCES))
def test_readme_quotes_are_verbatim(tid: str, shared_dir: SharedDir) -> None:
    """Every 「quoted」 clause on the 说明 sheet appears in the source document
    (pieces split at ……; full- and half-width punctuation and spaces ignored)."""

    def norm(s: str) -> str:
        return re.sub(r"\s+", "", s.translate(PUNCT))

    seed = next((shared_dir / "seeds").glob(f"{SIMPLIFIED_SOURCES[tid]}_*.txt"))
    text = norm(seed.read_text(encoding="utf-8"))
    quotes = [q for head, paras in REGISTRY[tid]().readme if head.startswith("原文")
              for p in paras for q in re.findall(r"「(.*?)」", p)]
    assert quotes
    missing = [piece for q in quotes for piece in re.split(r"……", q) if norm(piece) not in text]
    assert missing == []


def _block(wb: Any, ref: str) -> list[list[Any]]:
    from openpyxl.utils.cell import range_boundaries

    sheet, a1 = ref.split("!")
    c1, r1, c2, r2 = range_boundaries(a1)
    ws = wb[sheet]
    return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


@pytest.mark.parametrize("tid", IDS)
def test_templates_satisfy_their_spec_tables(tid: str) -> None:
    """Band starts ascend without duplicates and declared columns are numeric;
    weight groups add up to their total; prize rows don't overlap."""
    spec = build_spec(REGISTRY[tid]())
    wb = openpyxl.load_workbook(committed(tid))
    for band in spec["band_tables"]:
        rows = _block(wb, band["range"])
        starts = [r[0] for r in rows]
        assert all(isinstance(x, (int, float)) for x in starts), band
        assert all(a < b for a, b in itertools.pairwise(starts)), band
        for j in band["numeric_columns"]:
            assert all(r[j - 1] is None or isinstance(r[j - 1], (int, float)) for r in rows), (band, j)
    for group in spec["weight_groups"]:
        cells = _block(wb, group["range"])[0]
        assert sum(cells) == pytest.approx(group["total"]), group
    for prize in spec["prize_tables"]:
        rows = sorted(_block(wb, prize["range"]))
        assert all(lo <= hi for lo, hi, _ in rows), prize
        assert all(a[1] < b[0] for a, b in itertools.pairwise(rows)), prize


@pytest.mark.parametrize("tid", IDS)
def test_sample_sizes(tid: str) -> None:
    """At least 30 people on the sample sheets."""
    t = REGISTRY[tid]()
    assert max(s.nrows for s in t.sheets if hasattr(s, "nrows")) >= 30
