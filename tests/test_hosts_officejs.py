"""Office.js custom functions (xlwings Server / Lite): metadata and calls as Excel makes them.

xlwings' Office.js machinery is PRO code: it needs ``XLWINGS_LICENSE_KEY``
(``noncommercial`` here, test-only) before ``xlwings.server`` is first imported,
and ``XLWINGS_ON_SERVER=true`` before ``xlwings`` is first imported for
``xw.func`` to be the Office.js decorator. :mod:`addin.hosts.officejs` takes its
decorators from ``xlwings.server`` directly, so it does not depend on which test
module imported ``xlwings`` first; the variables are set here before the first
``import xlwings.server`` of this process, and
:func:`test_metadata_in_a_fresh_interpreter` checks the exact documented order
(both set before the first ``import xlwings``) in a clean subprocess.

Regenerate the golden metadata after a reviewed registry change with
``.venv/bin/python tests/test_hosts_officejs.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import asyncio
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xlwings
import xlwings.server
from host_helpers import host_range

from addin.hosts import officejs
from addin.registry import FUNCTIONS, NAMESPACE, FunctionSpec, by_name
from udfs.errors import ExcelError

GOLDEN = Path(__file__).resolve().parent / "golden" / "officejs_meta.json"
ROOT = Path(__file__).resolve().parents[1]

#: Office.js errorType of each error Microsoft lists as a custom-function output
#: (CustomFunctions.ErrorCode minus the input-only #NAME? and #REF!), written out independently.
ERROR_TYPES = {
    "#NULL!": "Null",
    "#DIV/0!": "Div0",
    "#VALUE!": "Value",
    "#NUM!": "Num",
    "#N/A": "NotAvailable",
}
#: Every other error reaches Excel as #VALUE!.
NOT_OUTPUTS = ("#REF!", "#NAME?", "#SPILL!", "#CALC!", "#GETTING_DATA")

EXAMPLES = [(spec.name, i) for spec in FUNCTIONS for i in range(len(spec.examples))]
KEYWORD_ARGS = [(spec.name, a.name) for spec in FUNCTIONS for a in spec.args if a.keyword is not None]


def metadata() -> dict[str, Any]:
    """The custom-functions metadata xlwings Server serves for addin.hosts.officejs."""
    meta: dict[str, Any] = xlwings.server.custom_functions_meta(officejs)
    return meta


def payload(name: str, *args: Any, runtime: str = "1.4") -> dict[str, Any]:
    """The request body the xlwings custom-functions JavaScript posts for one call."""
    return {
        "func_name": name,
        "args": [host_range(a) for a in args],
        "caller_address": "Office.js[Book1.xlsx]Sheet1!B2",
        "content_language": "zh-CN",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": runtime,
        "culture_info_name": "zh-CN",
        "date_format": "yyyy/m/d",
    }


def excel_call(name: str, *args: Any, runtime: str = "1.4") -> Any:
    """Call a function through xlwings.server.custom_functions_call, as Excel would."""
    return asyncio.run(xlwings.server.custom_functions_call(payload(name, *args, runtime=runtime), officejs))


def expected_cell(value: Any) -> Any:
    """What Excel should receive for one kernel result cell (runtime 1.4)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, ExcelError):
        return {"type": "Error", "errorType": ERROR_TYPES.get(value.code, "Value")}
    if isinstance(value, float) and not math.isfinite(value):
        return {"type": "Error", "errorType": "Num"}
    return value


def expected(result: Any) -> list[list[Any]]:
    """A kernel result as the 2-D list custom_functions_call returns."""
    if isinstance(result, np.ndarray):
        rows = result.reshape(1, -1) if result.ndim == 1 else result
        return [[expected_cell(c) for c in row] for row in rows.tolist()]
    return [[expected_cell(result)]]


def kernel(spec: FunctionSpec, *args: Any) -> Any:
    """The kernel's own result for Python arguments (None = omitted)."""
    return spec(*args)


def test_metadata_matches_golden() -> None:
    """custom_functions_meta equals the reviewed golden JSON (compared parsed)."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert metadata() == golden


def test_metadata_lists_every_registry_function() -> None:
    """Every registry function is listed as JX.NAME with its parameters, optionality and help."""
    meta = metadata()
    assert meta["allowErrorForDataTypeAny"] is True
    funcs = {f["id"]: f for f in meta["functions"]}
    assert set(funcs) == {s.name for s in FUNCTIONS}
    for spec in FUNCTIONS:
        f = funcs[spec.name]
        assert f["name"] == f"{NAMESPACE}.{spec.name}"
        assert f["description"].startswith(f"{spec.signature} {spec.help_zh}")
        assert f["result"] == {"dimensionality": "matrix", "type": "any"}
        params = f["parameters"]
        assert [p["name"] for p in params] == [a.name for a in spec.args]
        for p, a in zip(params, spec.args, strict=True):
            assert p.get("optional", False) is a.optional
            assert p["dimensionality"] == "matrix"
            assert p["description"].startswith(a.help_zh)
            assert len(p["description"]) <= 128


def test_metadata_in_a_fresh_interpreter() -> None:
    """With both variables set before the first import of xlwings (the documented order),
    a fresh interpreter lists every function."""
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    code = (
        "import json, xlwings, xlwings.server, addin.hosts.officejs as m\n"
        "print(json.dumps([f['name'] for f in xlwings.server.custom_functions_meta(m)['functions']]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert sorted(json.loads(out.stdout)) == sorted(f"{NAMESPACE}.{s.name}" for s in FUNCTIONS)


@pytest.mark.parametrize(("name", "index"), EXAMPLES)
def test_examples_through_excel_runtime(name: str, index: int) -> None:
    """Each registry example called as Excel calls it equals the kernel's result."""
    spec = by_name(name)
    example = spec.examples[index]
    got = excel_call(name, *example.args)
    assert got == expected(kernel(spec, *example.args))
    assert got == expected(np.array(example.result, dtype=object) if isinstance(example.result, list) else example.result)


def test_spills_keep_their_shape() -> None:
    """A column in gives a column out (RANKX), a row of weights a row (ALLOCATE)."""
    ranks = excel_call("RANKX", [[90], [80], [80], [70]], None, "中国式")
    assert ranks == [[1.0], [2.0], [2.0], [3.0]]
    shares = excel_call("ALLOCATE", 100, [[1, 1, 1]])
    assert shares == [[33.34, 33.33, 33.33]]
    labels = excel_call("FORCED_DIST", [[95], [90], [85], [80], [75]], [[0.2, 0.8]], [["A", "B"]])
    assert labels == expected(kernel(by_name("FORCED_DIST"), [[95], [90], [85], [80], [75]], [[0.2, 0.8]], [["A", "B"]]))
    assert len(labels) == 5


def test_blank_cells_and_omitted_arguments() -> None:
    """Blank cells (null or "") are blanks; an optional argument omitted (null) or pointing
    at a blank cell ([[""]] / [[None]]) takes its default."""
    got = excel_call("MONEY", [[2.675], [None], [""], [1.005]])
    assert got == expected(kernel(by_name("MONEY"), [[2.675], [None], [None], [1.005]]))
    assert got[1] == [0.0]
    for omitted in (None, [[""]], [[None]]):
        assert excel_call("MONEY", 2.675, omitted, omitted) == [[2.68]]
        assert excel_call("RANKX", [[3], [1], [2]], omitted, omitted, omitted, omitted) == [[1.0], [3.0], [2.0]]


def test_error_inputs_pass_through() -> None:
    """An error cell (Office.js error value) in one row gives that row the error; an error as a
    whole one-cell argument is returned; an error spelled as text counts as the error."""
    na = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    div0 = {"type": "Error", "basicType": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}
    got = excel_call("MONEY", [[1.234], [na], [div0]])
    assert got == [[1.23], [{"type": "Error", "errorType": "NotAvailable"}], [{"type": "Error", "errorType": "Div0"}]]
    assert excel_call("MONEY", na) == [[{"type": "Error", "errorType": "NotAvailable"}]]
    spec = by_name("WSCORE")
    got = excel_call("WSCORE", [[85, 92], [na, 90]], [[0.7, 0.3]])
    assert got == expected(kernel(spec, [[85, 92], [ExcelError("#N/A"), 90]], [[0.7, 0.3]]))
    assert got[1] == [{"type": "Error", "errorType": "NotAvailable"}]
    assert excel_call("MONEY", "#N/A") == [[{"type": "Error", "errorType": "NotAvailable"}]]


@pytest.mark.parametrize("code", NOT_OUTPUTS)
def test_errors_excel_cannot_return_become_value(code: str) -> None:
    """#REF!/#NAME? (input-only for custom functions) and #SPILL!/#CALC!/#GETTING_DATA (not in
    CustomFunctions.ErrorCode) reach Excel as #VALUE!, alone or in one row of a spill."""
    assert excel_call("MONEY", code) == [[{"type": "Error", "errorType": "Value"}]]
    assert excel_call("MONEY", [[1.234], [code]]) == [[1.23], [{"type": "Error", "errorType": "Value"}]]


def test_kernel_errors_are_error_values_not_text() -> None:
    """Weights adding up to 0 give #DIV/0! as an Office.js error value."""
    assert excel_call("ALLOCATE", 100, [[0, 0]]) == [[{"type": "Error", "errorType": "Div0"}]]


def test_older_runtime_gets_error_spellings() -> None:
    """Before custom-functions runtime 1.4 xlwings sends errors as their spelling."""
    assert excel_call("ALLOCATE", 100, [[0, 0]], runtime="1.3") == [["#DIV/0!"]]


def _valid_args(spec: FunctionSpec) -> list[Any]:
    """A valid argument list for ``spec`` (its first example, or TIERED's for TIER_DETAIL)."""
    source = spec if spec.examples else by_name("TIERED")
    args = list(source.examples[0].args)
    return args + [None] * (len(spec.args) - len(args))


@pytest.mark.parametrize(("name", "arg_name"), KEYWORD_ARGS)
def test_bad_keywords_raise_the_kernels_reason(name: str, arg_name: str) -> None:
    """An unknown keyword fails the whole call: custom_functions_call raises XlwingsError
    whose text is the kernel's reason (Chinese, then English), which xlwings Server sends as
    the HTTP error body its JavaScript turns into CustomFunctions.Error(invalidValue, text)."""
    spec = by_name(name)
    args = _valid_args(spec)
    position = [a.name for a in spec.args].index(arg_name)
    args[position] = "不存在的关键字"
    kernel_result = kernel(spec, *args)
    assert isinstance(kernel_result, ExcelError)
    assert kernel_result.code == "#VALUE!"
    with pytest.raises(xlwings.XlwingsError) as caught:
        excel_call(name, *args)
    text = str(caught.value)
    assert text == f"{name}: {kernel_result.message}"
    zh, sep, en = kernel_result.message.partition(" / ")
    assert sep
    assert en
    assert "不存在的关键字" in zh
    assert zh.startswith("参数")


def test_functions_belong_to_the_defining_module() -> None:
    """Each function's __module__ is addin.hosts.officejs, so inspect.getmodule finds the module
    xlwings Server serves (not the generator addin.hosts.convert)."""
    assert {getattr(officejs, s.name).__module__ for s in FUNCTIONS} == {"addin.hosts.officejs"}


def test_whole_call_errors_raise_per_row_errors_stay_values() -> None:
    """An unsorted table or a wrong shape raises with its reason; #DIV/0! (no custom message
    allowed by Microsoft) and an input error in one row stay error values."""
    with pytest.raises(xlwings.XlwingsError, match=r"TIERED: .*table"):
        excel_call("TIERED", 8, [[5, 40], [0, 20]], "超额")
    assert excel_call("ALLOCATE", 100, [[0, 0]]) == [[{"type": "Error", "errorType": "Div0"}]]
    assert excel_call("MONEY", [[1.5], ["#N/A"]]) == [[1.5], [{"type": "Error", "errorType": "NotAvailable"}]]


@pytest.mark.parametrize(("name", "arg_name"), KEYWORD_ARGS)
def test_keywords_accept_every_spelling(name: str, arg_name: str) -> None:
    """Every accepted spelling of a keyword, in upper case too, gives the canonical result."""
    spec = by_name(name)
    args = _valid_args(spec)
    position = [a.name for a in spec.args].index(arg_name)
    argument = spec.argument(arg_name)
    assert argument.keyword is not None
    for canonical, synonyms in argument.choices.items():
        args[position] = canonical
        want = excel_call(name, *args)
        for word in (*synonyms, canonical.upper()):
            args[position] = word
            assert excel_call(name, *args) == want


def write_golden() -> None:
    """Write tests/golden/officejs_meta.json from the current registry (review the diff!)."""
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_golden()
