"""The LibreOffice Calc add-in (addin.hosts.calc), built and run live in Calc.

The live tests build the ``.oxt`` with ``jixiao calc-addin``, install it into a
fresh private profile and run ONE headless LibreOffice (tests/calc_driver.py,
under the system Python that ``python3-uno`` belongs to) for everything:

* the eight shipped templates, opened unmodified and recalculated: every
  golden cell (workbooks/golden/*.json) as Calc holds it;
* every registry example typed into a new sheet (arguments as cells, the
  call as Calc's user types it), compared with the kernel;
* bad input (an unknown keyword, an error inside a range) gives an error value;
* text results are interned: ``=cell="B"``, COUNTIF and MATCH find them;
* a file in the classic spelling opens as calls, and so does one in the other
  spellings (``_xludf.``, ``_xldudf_JX_``, ``JX.``) once respelt by
  ``jixiao template --host classic``; Calc saves a typed call as ``TIERED(``.
"""

from __future__ import annotations

import json
import math
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from external import in_ci

from addin.cli import main as cli
from addin.hosts.calc import EXIT_MISSING_TOOL, UNOIDL_WRITE, build_oxt, idl
from addin.hosts.calc_functions import (
    compatibility_names,
    function_description,
    idl_parameter,
    result_type,
)
from addin.hosts.convert import CALC_ERROR_NUMBERS, calc_rows, call
from addin.hosts.template import convert_template
from addin.reference import excel_literal
from addin.refresh.libreoffice import SYSTEM_PYTHON
from addin.registry import FUNCTIONS, Example, FunctionSpec, by_name
from addin.xlsx.a1 import to_a1
from workbooks.model import DataSheet
from workbooks.templates import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).with_name("calc_driver.py")
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("t*.xlsx"))
GOLDEN = ROOT / "workbooks" / "golden"
CALC_ERRORS = {number: code for code, number in CALC_ERROR_NUMBERS.items()}


# ---------------------------------------------------------------------------
# Without LibreOffice
# ---------------------------------------------------------------------------


def test_idl_declares_one_method_per_function_with_any_arguments() -> None:
    text = idl()
    for spec in FUNCTIONS:
        params = ", ".join(f"[in] any {idl_parameter(a)}" for a in spec.args)
        assert f" {spec.name}({params});" in text
    assert text.count("sequence< sequence< string > >") == sum(s.text_result for s in FUNCTIONS) == 1
    assert result_type(by_name("FORCED_DIST")) == "sequence< sequence< string > >"
    assert result_type(by_name("TIER_DETAIL")) == "sequence< sequence< any > >"


def test_help_and_names_come_from_the_registry() -> None:
    spec = by_name("TIERED")
    zh, en = function_description(spec, True), function_description(spec, False)
    assert zh.startswith(spec.signature)
    assert spec.help_zh in zh
    assert spec.help_en in zh
    assert en.index(spec.help_en) < en.index(spec.help_zh)
    assert compatibility_names(spec) == ("TIERED",)


def test_results_are_rows_with_empty_values_and_errors_as_calc_encodes_them() -> None:
    """An empty cell is an empty value (None), never "" (Calc's "" is text)."""
    rows = calc_rows(call(by_name("RANKX"), ([[3.0], [""], [1.0]],), "calc"))
    assert rows == ((1.0,), (None,), (2.0,))
    bad = calc_rows(call(by_name("TIERED"), (100.0, [[0.0, 0.1]], "nonsense"), "calc"))
    assert math.isnan(bad[0][0])
    with pytest.raises(ValueError, match="error value"):
        calc_rows([[bad[0][0]]], text=True)


@pytest.mark.parametrize("module_name", ["addin.hosts.calc", "addin.hosts.calc_functions"])
def test_calc_doctests(module_name: str) -> None:
    """The examples in the docstrings hold (pytest collects doctests only under udfs/ and tests/)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_missing_build_tool_is_a_message_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    monkeypatch.setattr("addin.hosts.calc.UNOIDL_WRITE", str(tmp_path / "no-unoidl-write"))
    wheel = tmp_path / "numpy-2.4.6-cp311-cp311-manylinux_2_28_x86_64.whl"
    with zipfile.ZipFile(wheel, "w"):
        pass
    result = CliRunner().invoke(cli, ["calc-addin", str(tmp_path / "x.oxt"), "--numpy-wheel", str(wheel)])
    assert result.exit_code == EXIT_MISSING_TOOL
    assert "make libreoffice" in result.output
    assert not (tmp_path / "x.oxt").exists()


# ---------------------------------------------------------------------------
# Live in Calc: one build, one LibreOffice for all
# ---------------------------------------------------------------------------


def _cells(value: Any) -> list[list[Any]] | None:
    if isinstance(value, list | tuple):
        return [list(r) for r in value] if all(isinstance(r, list | tuple) for r in value) else [list(value)]
    return None


def example_sheet(spec: FunctionSpec, example: Example) -> tuple[dict[str, Any], tuple[tuple[Any, ...], ...]]:
    """The example typed into a sheet (ranges as cells, scalars inline) and what the kernel gives."""
    values: dict[str, Any] = {}
    params: list[str] = []
    col = 0
    for value in example.args:
        block = _cells(value)
        if block is None:
            params.append("" if value is None else excel_literal(value))
            continue
        width = max(len(r) for r in block)
        for r, row in enumerate(block):
            for c, v in enumerate(row):
                values[to_a1(r + 1, col + c + 1)] = v
        params.append(f"{to_a1(1, col + 1)}:{to_a1(len(block), col + width)}")
        col += width + 1
    while params and params[-1] == "":
        params.pop()
    expected = calc_rows(call(spec, example.args, "calc"), spec.text_result)
    top, left = 1, col + 2
    bottom, right = top + len(expected) - 1, left + len(expected[0]) - 1
    ref = to_a1(top, left) if (bottom, right) == (top, left) else f"{to_a1(top, left)}:{to_a1(bottom, right)}"
    read = [to_a1(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]
    formula = f"={spec.name}({';'.join(params)})"
    return {"values": values, "formulas": [{"ref": ref, "formula": formula}], "read": read}, expected


def _bad_inputs() -> dict[str, Any]:
    return {
        "values": {"A1": 3000, "B1": 0, "C1": 0.03, "B2": 3000, "C2": 0.1, "A3": 1, "A4": 0},
        "formulas": [
            {"ref": "E1", "formula": '=TIERED(A1;B1:C2;"不存在的口径")'},
            {"ref": "E2", "formula": "=MONEY(\"abc\")"},
            {"ref": "A5", "formula": "=A3/A4"},
            {"ref": "E3", "formula": "=WSCORE(A3:A5;A3:A5)"},
            {"ref": "E4", "formula": '=TIERED(A1;B1:C2;"超额")'},
        ],
        "read": ["E1", "E2", "E3", "E4"],
    }


def _interning() -> dict[str, Any]:
    """FORCED_DIST's labels, then formulas that find text only when it is interned."""
    spec = by_name("FORCED_DIST")
    sheet, expected = example_sheet(spec, spec.examples[0])
    result_ref = sheet["formulas"][0]["ref"]
    first = result_ref.split(":")[0]
    sheet["formulas"] += [
        {"ref": "Z1", "formula": f'={first}="A"'},
        {"ref": "Z2", "formula": f'=COUNTIF({result_ref};"B")'},
        {"ref": "Z3", "formula": f'=MATCH("C";{result_ref};0)'},
    ]
    sheet["read"] += ["Z1", "Z2", "Z3"]
    labels = [row[0] for row in expected]
    sheet["expected"] = [1.0, float(labels.count("B")), float(labels.index("C") + 1)]
    return sheet


SPELLED = ("TIERED", "_xludf.TIERED", "_xldudf_JX_TIERED", "JX.TIERED")


def _spellings_workbooks(folder: Path) -> tuple[Path, Path]:
    """A workbook calling TIERED in every spelling, and its respelling for Calc."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([3000, 0, 0.03])
    ws.append([None, 3000, 0.1])
    for i, spelling in enumerate(SPELLED, start=1):
        ws.cell(row=i, column=5, value=f'={spelling}(A1,B1:C2,"超额")')
    original, respelt = folder / "spellings.xlsx", folder / "spellings.classic.xlsx"
    wb.save(original)
    convert_template(original, respelt, "classic")
    return original, respelt


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the add-in, run everything in one LibreOffice; the driver's answer and the job."""
    if not Path(UNOIDL_WRITE).is_file():
        reason = f"{UNOIDL_WRITE} is missing: run `make libreoffice`"
        if in_ci():
            pytest.fail(f"CI must run the Calc add-in tests: {reason}", pytrace=False)
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("calc")
    oxt = build_oxt(tmp / "jixiao.oxt")
    examples = [(spec, ex, *example_sheet(spec, ex)) for spec in FUNCTIONS for ex in spec.examples]
    spellings, respelt = _spellings_workbooks(tmp)
    workbooks = [
        {"path": str(t), "cells": [*json.loads(_golden_file(t).read_text("utf-8"))["values"], *_spare_cells(t)]}
        for t in TEMPLATES
    ]
    workbooks += [
        {"path": str(p), "cells": [f"Sheet!E{i}" for i in range(1, len(SPELLED) + 1)]}
        for p in (spellings, respelt)
    ]
    sheets = [sheet for _spec, _ex, sheet, _expected in examples] + [_bad_inputs(), _interning()]
    job = {"oxt": str(oxt), "profile": str(tmp / "profile"), "workbooks": workbooks,
           "sheets": [{k: v for k, v in s.items() if k != "expected"} for s in sheets],
           "save": str(tmp / "typed.xlsx"), "describe": [spec.name for spec in FUNCTIONS]}  # fmt: skip
    (tmp / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [SYSTEM_PYTHON, str(DRIVER), str(tmp / "job.json")],
        capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout)
    return {"answer": answer, "examples": examples, "sheets": sheets, "oxt": oxt,
            "saved": tmp / "typed.xlsx", "spellings": str(spellings), "respelt": str(respelt)}  # fmt: skip


def _golden_file(template: Path) -> Path:
    return GOLDEN / (template.stem.replace("_", "-") + ".json")


def _spare_cells(template: Path) -> list[str]:
    """Result cells of the spare rows (nobody typed there), a sample of every result column:
    the first spare row, every seventh of the rest, and the last row the spills cover."""
    t = REGISTRY[template.stem.replace("_", "-")]()
    cells = []
    for s in t.sheets:
        if not isinstance(s, DataSheet) or s.empty_key is None or not s.spare:
            continue
        rows = sorted({*range(s.nrows, s.nrows + s.spare, max(1, s.spare // 7)), s.nrows + s.spare - 1})
        cells += [f"{s.name}!{s.cell(c.header, i)}" for c in s.cols if not c.is_input for i in rows]
    return cells


def _same(got: list[Any], want: Any) -> bool:
    kind, value = got
    if want is None or want == "":
        return kind == "empty" or (kind == "s" and value == "")
    if isinstance(want, str):
        return kind == "s" and value == want
    if isinstance(want, float) and math.isnan(want):
        return kind == "e"
    return kind == "n" and abs(value - float(want)) <= 1e-6 * max(1.0, abs(float(want)))


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_oxt_carries_component_types_kernel_and_numpy(calc: dict[str, Any]) -> None:
    names = set(zipfile.ZipFile(calc["oxt"]).namelist())
    assert {"META-INF/manifest.xml", "description.xml", "jixiao.components", "jixiao.rdb",
            "jixiao_calc.py", "pythonpath/udfs/bands.py", "pythonpath/addin/registry.py",
            "pythonpath/addin/hosts/convert.py", "pythonpath/addin/hosts/calc_functions.py",
            "pythonpath/numpy/__init__.py"} <= names  # fmt: skip
    assert calc["answer"]["version"].startswith("25.")


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_shipped_template_shows_every_golden_value_in_calc(calc: dict[str, Any], template: Path) -> None:
    """The file as shipped (TIERED( etc. as Excel stores them), recalculated by Calc."""
    golden = json.loads(_golden_file(template).read_text("utf-8"))["values"]
    held = calc["answer"]["workbooks"][str(template)]
    bad = [(cell, held[cell], want) for cell, want in golden.items() if not _same(held[cell], want)]
    assert not bad, f"{len(bad)} of {len(golden)} golden cells differ in Calc, first: {bad[:6]}"


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_spare_rows_stay_empty_in_calc(calc: dict[str, Any], template: Path) -> None:
    """The 500 spare rows under the sample show nothing in Calc: no error, no 0, in any result column
    (their contract calls' computed arguments are guarded, workbooks.model.guard_contract_arguments)."""
    cells = _spare_cells(template)
    held = calc["answer"]["workbooks"][str(template)]
    shown = [(cell, held[cell]) for cell in cells if not _same(held[cell], "")]
    assert cells
    assert not shown, f"{len(shown)} of {len(cells)} spare-row cells are not empty in Calc: {shown[:6]}"


@pytest.mark.libreoffice
@pytest.mark.slow
def test_every_registry_example_typed_in_calc_equals_the_kernel(calc: dict[str, Any]) -> None:
    bad = []
    for (spec, _example, sheet, expected), held in zip(calc["examples"], calc["answer"]["sheets"], strict=False):
        want = [cell for row in expected for cell in row]
        got = [held[a1] for a1 in sheet["read"]]
        if not all(_same(g, w) for g, w in zip(got, want, strict=True)):
            bad.append((spec.name, sheet["formulas"][0]["formula"], got[:4], want[:4]))
    assert len(calc["examples"]) >= len(FUNCTIONS)
    assert not bad, bad[:4]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_bad_input_gives_an_error_value(calc: dict[str, Any]) -> None:
    held = calc["answer"]["sheets"][len(calc["examples"])]
    assert CALC_ERRORS.get(held["E1"][1]) == "#VALUE!", held["E1"]  # unknown keyword
    assert held["E2"][0] == "e", held["E2"]  # text where a number belongs
    assert held["E3"] == ["e", 504], held["E3"]  # an error inside a range fails the call (Err:504)
    assert held["E4"] == ["n", 90.0]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_text_results_are_interned(calc: dict[str, Any]) -> None:
    """=cell="A", COUNTIF and MATCH find FORCED_DIST's labels (the string-pool bug avoided)."""
    sheet = calc["sheets"][-1]
    held = calc["answer"]["sheets"][-1]
    assert [held[a1] for a1 in ("Z1", "Z2", "Z3")] == [["n", v] for v in sheet["expected"]]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_classic_spelling_opens_as_calls_and_calc_saves_it(calc: dict[str, Any]) -> None:
    """TIERED( opens as the call; the other spellings do once `jixiao template --host classic`
    respelt them (Calc maps one compatibility name per function)."""
    assert calc["answer"]["workbooks"][calc["spellings"]]["Sheet!E1"] == ["n", 90.0]
    held = calc["answer"]["workbooks"][calc["respelt"]]
    assert held == {f"Sheet!E{i}": ["n", 90.0] for i in range(1, len(SPELLED) + 1)}
    with zipfile.ZipFile(calc["saved"]) as saved:
        text = "".join(
            saved.read(n).decode("utf-8") for n in saved.namelist() if n.startswith("xl/worksheets/")
        )
    assert "ORG.JIXIAO" not in text.upper()
    assert all(f"{spec.name}(" in text for spec, *_ in calc["examples"])


@pytest.mark.libreoffice
@pytest.mark.slow
def test_calc_lists_every_function_with_help_and_argument_names(calc: dict[str, Any]) -> None:
    """What the function wizard shows, as Calc's function list holds it (not the dialog itself)."""
    described = calc["answer"]["described"]
    assert set(described) == {spec.name for spec in FUNCTIONS}
    for spec in FUNCTIONS:
        entry = described[spec.name]
        assert spec.help_zh in entry["description"]
        assert spec.help_en in entry["description"]
        assert [a[0] for a in entry["arguments"]] == [a.name for a in spec.args]
        assert all(a.help_zh in d[1] and a.help_en in d[1] for a, d in zip(spec.args, entry["arguments"], strict=True))
