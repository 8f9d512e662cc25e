"""The xlwings Lite bundle in Pyodide: imported as Lite imports it, every call through xlwings.

``jixiao lite-bundle`` writes main.py and requirements.txt; tests/js/lite_in_pyodide.mjs
loads them into Pyodide under Node (the requirements from the wheels pinned by
sha256 in scripts/pyodide-wheels.json), imports ``main`` and sends every registry
example, plus a blank, an error, a bad keyword and an empty weight, through
``xlwings.server.custom_functions_call`` — the path Excel's custom-functions
runtime takes in Lite. Each answer must equal the one CPython gives through
:mod:`addin.hosts.officejs`.

Pyodide 0.28.3 (Python 3.13, numpy 2.2.5) stands for the xlwings Lite of 2025;
today's Lite runs Pyodide 314, for which no numpy wheel is reachable from the
registries this project may use (see docs/excel-office-js.md). Pyodide is loaded
once, for all calls.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import json
from typing import Any

import pytest
import xlwings
import xlwings.server
from lite_helpers import CALLS, here_call, lite_payload
from pyodide_helpers import WHEELS, pinned, require_pyodide, run_node, wheel

from addin.hosts import officejs
from addin.hosts.lite import XLWINGS_TESTED, write_bundle
from addin.registry import FUNCTIONS

# One xdist worker runs the Pyodide tests (make test: --dist loadgroup): Pyodide loads once here.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pyodide")]


@pytest.fixture(scope="module")
def lite_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Any]:
    """The payloads and what the bundle answered in Pyodide (Pyodide loaded once)."""
    require_pyodide()
    out = tmp_path_factory.mktemp("lite") / "bundle"
    write_bundle(out)
    payloads = [lite_payload(name, args, XLWINGS_TESTED) for name, args in CALLS]
    return payloads, run_node("lite_in_pyodide.mjs", out, WHEELS, payload=payloads)


def test_runs_in_the_pinned_pyodide_with_the_pinned_wheels(lite_run: tuple[list[Any], Any]) -> None:
    """It really ran in Pyodide (emscripten), with the versions this project pins."""
    _, got = lite_run
    assert got["pyodide"] == pinned("pyodide") == "0.28.3"
    assert got["versions"]["platform"] == "emscripten"
    assert got["versions"]["python"].startswith("3.13.")
    assert f"numpy-{got['versions']['numpy']}-" in wheel("numpy-").name
    assert got["versions"]["xlwings"] == XLWINGS_TESTED


def test_every_call_equals_cpython(lite_run: tuple[list[Any], Any]) -> None:
    """Every registry example (and the error cases) answers in Pyodide what CPython answers."""
    payloads, got = lite_run
    assert len(got["results"]) == len(payloads) == sum(len(s.examples) for s in FUNCTIONS) + 3
    for payload, result in zip(payloads, got["results"], strict=True):
        assert result == here_call(payload), payload["func_name"]
    bad_keyword = got["results"][-2]
    assert bad_keyword["error"].startswith("TIERED: 参数 mode")


def test_functions_and_help_are_the_ones_excel_gets(lite_run: tuple[list[Any], Any]) -> None:
    """The bundle defines every registry function in ``main`` with the metadata Excel reads."""
    _, got = lite_run
    assert got["exported"] == [s.name for s in FUNCTIONS]
    assert got["modules"] == ["main"]
    assert got["meta"] == json.loads(json.dumps(xlwings.server.custom_functions_meta(officejs)))


def test_examples_equal_the_registry(lite_run: tuple[list[Any], Any]) -> None:
    """The examples' answers in Pyodide are the registry's documented results."""
    _, got = lite_run
    results = iter(got["results"])
    for spec in FUNCTIONS:
        for example in spec.examples:
            result = next(results)
            expected = example.result
            if isinstance(expected, list):
                expected = [["" if c is None else c for c in row] for row in expected]
            else:
                expected = [[expected]]
            assert result == expected, example.formula

