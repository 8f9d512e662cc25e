"""The modules every host add-in ships as source (addin.hosts.sources)."""

from __future__ import annotations

import ast
import doctest
import sys

from addin.hosts import sources
from addin.hosts.sources import PROJECT_ROOT, SHIPPED_MODULES, shipped_sources


def test_every_kernel_module_and_the_shipped_addin_modules_with_their_packages() -> None:
    shipped = {m.name: m for m in shipped_sources()}
    kernel = {f"udfs.{p.stem}" for p in (PROJECT_ROOT / "udfs").glob("*.py") if p.stem != "__init__"}
    assert kernel | {"udfs", "addin", "addin.hosts", *SHIPPED_MODULES} == set(shipped)
    assert all(m.is_package == m.path.endswith("/__init__.py") for m in shipped.values())
    names = [m.name for m in shipped_sources()]
    for name in names:  # a package comes before its modules
        parent = name.rpartition(".")[0]
        assert not parent or names.index(parent) < names.index(name)
    for m in shipped.values():
        assert (PROJECT_ROOT / m.path).read_text("utf-8") == m.source


def test_shipped_modules_import_only_numpy_the_stdlib_and_each_other() -> None:
    """What a host ships must run where only numpy is installed (Pyodide, LibreOffice's Python)."""
    shipped = {m.name for m in shipped_sources()}
    for m in shipped_sources():
        for node in ast.walk(ast.parse(m.source)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                root = module.split(".")[0]
                assert root in sys.stdlib_module_names or root == "numpy" or module in shipped, (
                    f"{m.name} imports {module}"
                )


def test_doctests() -> None:
    result = doctest.testmod(sources)
    assert result.attempted > 0
    assert result.failed == 0
