"""``jixiao wps-addin``: the WPS 表格 add-in is complete, its JS runs every registry call.

WPS cannot run here. The add-in's own JavaScript runs under Node instead
(tests/js/wps_in_node.mjs) against a stand-in ``wps`` object whose type is
et-jsapi-declare's (tests/js/wps_standin.js, checked with ``tsc --checkJs``,
as is the generated main.js), with Pyodide and numpy copied into the add-in as
for an offline install. Every registry example is called as a cell calls it —
synchronously — and must equal CPython's answer and the registry's result.
Pyodide is loaded once for the module.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from host_helpers import assert_bundle_imports_only
from pyodide_helpers import JS, NODE_MODULES, ROOT, pinned, require_pyodide, run_node, wheel

from addin.cli import main as cli
from addin.hosts.convert import call
from addin.hosts.wps import (
    PYODIDE_FILES,
    PYODIDE_VERSION,
    addin_folder_name,
    build_functions_json,
    build_python,
)
from addin.registry import FUNCTIONS, NAMESPACE, by_name

#: The Pyodide tests share one xdist worker (``make test`` runs ``--dist loadgroup``), so
#: each module's module-scoped run loads Pyodide once.
PYODIDE_GROUP = pytest.mark.xdist_group("pyodide")

#: Every registry example, then a blank cell in a range, a bad keyword and an empty weight.
CALLS: list[tuple[str, list[Any]]] = [
    (spec.name, list(ex.args)) for spec in FUNCTIONS for ex in spec.examples
] + [
    ("MONEY", [[[1.005], [None]]]),
    ("TIERED", [8, [[0, 20], [5, 40]], "不存在"]),
    ("ALLOCATE", [100, [[0, 0]]]),
]


def cpython(name: str, args: list[Any]) -> Any:
    """What the same call gives in CPython through the WPS conversion (JSON round trip)."""
    return json.loads(json.dumps(call(by_name(name), args, "wps")))


def test_command_writes_a_complete_addin(tmp_path: Path) -> None:
    """Without --pyodide: publish.xml and the add-in folder, Pyodide from its CDN."""
    result = CliRunner().invoke(cli, ["wps-addin", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / addin_folder_name()
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        "functions.json", "index.html", "jixiao_python.js", "jixiao_wps.py", "main.js", "manifest.xml", "ribbon.xml",
    ])
    manifest = ET.parse(folder / "manifest.xml").getroot()
    assert manifest.findtext("Functions/Namespace") == NAMESPACE
    assert manifest.findtext("Functions/Uri") == "/functions.json"
    plugin = ET.parse(tmp_path / "publish.xml").getroot().find("jsplugin")
    assert plugin is not None
    assert (plugin.get("url"), plugin.get("type")) == (folder.name, "et")
    functions = json.loads((folder / "functions.json").read_text("utf-8"))["functions"]
    assert [f["name"] for f in functions] == [s.name for s in FUNCTIONS]
    for spec, entry in zip(FUNCTIONS, functions, strict=True):
        assert spec.help_zh in entry["description"]
        assert [p["name"] for p in entry["parameters"]] == [a.name for a in spec.args]
        assert all(p["type"].endswith("?") == a.optional for p, a in zip(entry["parameters"], spec.args, strict=True))
    assert f"pyodide/v{PYODIDE_VERSION}/full/pyodide.js" in (folder / "index.html").read_text("utf-8")
    js = (folder / "jixiao_python.js").read_text("utf-8")
    assert json.loads(js.removeprefix("var JIXIAO_PYTHON = ").rstrip().removesuffix(";")) == build_python()
    assert (folder / "jixiao_wps.py").read_text("utf-8") == build_python()


def test_pyodide_version_is_the_pinned_one() -> None:
    """The add-in's Pyodide is the one package.json pins (and the tests run)."""
    assert pinned("pyodide") == PYODIDE_VERSION


def test_half_an_offline_runtime_is_refused(tmp_path: Path) -> None:
    """--pyodide without --numpy-wheel is exit 2 with a reason, nothing half written."""
    result = CliRunner().invoke(cli, ["wps-addin", str(tmp_path / "out"), "--pyodide", str(tmp_path)])
    assert result.exit_code == 2
    assert "--numpy-wheel" in result.output
    assert not (tmp_path / "out").exists()


def test_python_bundle_has_no_xlwings() -> None:
    """The Python part imports only the stdlib, numpy and the bundled modules."""
    sources = assert_bundle_imports_only(build_python(), {"numpy"})
    assert {"udfs", "addin.registry", "addin.hosts.convert"} <= set(sources)


@pytest.fixture(scope="module")
def offline_addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An offline add-in: Pyodide from node_modules and the pinned numpy wheel copied in."""
    require_pyodide()
    out = tmp_path_factory.mktemp("wps")
    result = CliRunner().invoke(cli, [
        "wps-addin", str(out), "--pyodide", str(NODE_MODULES / "pyodide"), "--numpy-wheel", str(wheel("numpy-")),
    ])
    assert result.exit_code == 0, result.output
    folder = out / addin_folder_name()
    assert sorted(p.name for p in (folder / "pyodide").iterdir()) == sorted([*PYODIDE_FILES, wheel("numpy-").name])
    return folder


@pytest.fixture(scope="module")
def wps_run(offline_addin: Path) -> Any:
    """The add-in's JS run once under Node against the stand-in, every call made."""
    return run_node("wps_in_node.mjs", offline_addin, payload=CALLS)


@pytest.mark.slow
@PYODIDE_GROUP
def test_every_function_is_registered_at_start_with_its_metadata(wps_run: Any) -> None:
    """All functions are registered before Python is ready, in namespace JX, with the
    metadata of functions.json; a call before then says Python is loading."""
    registered = wps_run["registered"]
    assert [(r["namespace"], r["name"]) for r in registered] == [(NAMESPACE, s.name) for s in FUNCTIONS]
    assert [{"name": r["name"], **r["metadata"]} for r in registered] == build_functions_json()["functions"]
    assert wps_run["beforeReady"].startswith("#N/A jixiao 正在加载 Python")
    assert wps_run["calculations"] == 1  # one recalculation once Python is ready


@pytest.mark.slow
@PYODIDE_GROUP
def test_every_call_equals_cpython_and_the_registry(wps_run: Any) -> None:
    """Every registry example answers in WPS's JS what CPython answers and what the
    registry documents; errors are text with the reason."""
    results = wps_run["results"]
    assert len(results) == len(CALLS)
    for (name, args), got in zip(CALLS, results, strict=True):
        assert got == cpython(name, args), name
    examples = [ex for spec in FUNCTIONS for ex in spec.examples]
    for example, got in zip(examples, results, strict=False):
        expected = example.result
        if isinstance(expected, list):
            expected = [["" if c is None else c for c in row] for row in expected]
        assert got == expected, example.formula
    assert results[-3] == [[1.01], [0]]  # a blank rounds to 0, as ROUND does
    assert results[-2].startswith("#VALUE! 参数 mode")


@pytest.mark.slow
@PYODIDE_GROUP
def test_standin_and_addin_js_follow_et_jsapi_declare(offline_addin: Path) -> None:
    """tsc --checkJs: the stand-in and the generated main.js type-check against
    et-jsapi-declare's declarations of ``wps`` (and Pyodide's of loadPyodide)."""
    files = [
        NODE_MODULES / "et-jsapi-declare" / "index.d.ts",
        JS / "wps_globals.d.ts",
        JS / "wps_standin.js",
        offline_addin / "jixiao_python.js",
        offline_addin / "main.js",
    ]
    proc = subprocess.run(
        ["node", str(NODE_MODULES / "typescript" / "bin" / "tsc"), "--noEmit", "--allowJs", "--checkJs",
         "--skipLibCheck", "--target", "es2022", "--lib", "es2022,dom", "--module", "commonjs",
         "--moduleResolution", "node", *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
