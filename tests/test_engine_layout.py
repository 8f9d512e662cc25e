"""The engine's layout: a package of one module per job whose evaluator knows
no function by name — what a function needs of the engine is declared on its
spec, with the function (:mod:`addin.refresh.functions`)."""

from __future__ import annotations

import ast
from pathlib import Path

from addin import registry
from addin.refresh import engine
from addin.refresh.functions import FUNCTIONS

ENGINE = Path(engine.__file__).parent


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant of a module but its docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_engine_is_a_package_of_one_module_per_job() -> None:
    modules = {p.stem for p in ENGINE.glob("*.py")}
    assert {"grid", "blocks", "graph", "evaluate", "names", "spills"} <= modules
    for p in ENGINE.glob("*.py"):
        assert len(p.read_text(encoding="utf-8").splitlines()) < 800, p.name


def test_the_evaluator_dispatches_on_no_function_name() -> None:
    """No module of the engine holds a function's name as a string: a fast
    path, "returns a reference", "reads values only", LET's binding … are
    attributes of the function's spec, registered with the function."""
    names = set(FUNCTIONS) | {f"_XLFN.{n}" for n in FUNCTIONS} | {"LAMBDA"}
    names |= set(registry.names())  # the contract functions (TIERED, POINT_BONUS …)
    found = []
    for p in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for line, text in _string_literals(tree):
            if text in names or text.upper() in {"LET", "INDEX", "SINGLE", "ROW", "COLUMN"}:
                found.append(f"{p.name}:{line}: {text!r}")
    assert not found, found


def test_the_checker_sees_a_name_switch() -> None:
    """The check above finds a switch on a function's name."""
    tree = ast.parse('if spec.name == "VLOOKUP" or name in ("MATCH", "XMATCH"):\n    pass\n')
    literals = {text for _, text in _string_literals(tree)}
    assert {"VLOOKUP", "MATCH", "XMATCH"} <= literals <= set(FUNCTIONS)


def test_fast_paths_live_with_their_functions() -> None:
    """The column paths are declared on the specs of the functions they speed
    up, in the library's modules."""
    with_column = {name for name, spec in FUNCTIONS.items() if spec.column is not None}
    assert {"VLOOKUP", "HLOOKUP", "MATCH", "XMATCH", "RANK.EQ", "RANK.AVG", "RANK", "ROUND",
            "IF", "SUMPRODUCT", "SINGLE", "COUNTIFS", "SUMIFS"} <= with_column  # fmt: skip
    for name in with_column:
        module = FUNCTIONS[name].column.__module__  # type: ignore[union-attr]
        assert module.startswith("addin.refresh.functions."), (name, module)
    assert FUNCTIONS["INDEX"].returns_reference
    assert FUNCTIONS["INDEX"].array_first
    assert FUNCTIONS["LET"].binds_names
    assert FUNCTIONS["SUM"].values_only
    assert FUNCTIONS["ROW"].reads_position
