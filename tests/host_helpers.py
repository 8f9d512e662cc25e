"""How Excel hands a worksheet argument to our functions (test_hosts_classic, test_hosts_officejs),
and what a shipped Python bundle may import (test_hosts_lite, test_hosts_wps)."""

from __future__ import annotations

import ast
import sys
from typing import Any


def host_range(value: Any) -> Any:
    """An argument as a host hands it: a 2-D list; None if omitted.

    Classic xlwings UDFs (arguments declared ``ndim=2``) and Excel's
    custom-functions runtime (Office.js) both deliver a range, a row or a single
    value as a list of rows.
    """
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if all(isinstance(r, list | tuple) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def bundled_sources(bundle: str) -> dict[str, str]:
    """The modules a bundle built by :func:`addin.hosts.lite.bundle_source` carries:
    dotted name → source (read from its ``_SOURCES`` literal)."""
    for node in ast.parse(bundle).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_SOURCES":
            entries: dict[str, tuple[bool, str]] = ast.literal_eval(node.value)
            return {name: source for name, (_, source) in entries.items()}
    raise AssertionError("no _SOURCES in the bundle")


def assert_bundle_imports_only(bundle: str, allowed: set[str]) -> dict[str, str]:
    """Assert that the bundle and every module it carries import only the standard library,
    ``allowed`` top-level packages and carried ``udfs``/``addin`` modules; return the carried
    sources."""
    sources = bundled_sources(bundle)
    allowed_roots = set(sys.stdlib_module_names) | allowed | {"udfs", "addin"}
    for name, source in [("bundle", bundle), *sources.items()]:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed_roots, f"{name} imports {roots - allowed_roots}"
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and roots & {"udfs", "addin"}:
                assert module in sources or module in roots, f"{name} imports unbundled {module}"
    return sources
