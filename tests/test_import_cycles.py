"""No import cycles in ``addin/``: the static import graph, built with ``ast``
from every import statement — at module level, inside functions (a deferred
import hides a cycle, it does not remove it) and under ``TYPE_CHECKING`` —
has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import addin

ROOT = Path(addin.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ``addin`` it imports. ``from package import
    name`` reaches the submodule ``name`` when there is one, else the package;
    importing a module also runs its packages' ``__init__`` (an edge to each,
    but not to the importer's own packages, which are loaded first)."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in modules else base)
        for target in targets:
            if not target.startswith("addin"):
                continue
            found = known(target)
            parts = found.split(".") if found else []
            for k in range(1, len(parts) + 1):  # the module and the packages above it
                step = ".".join(parts[:k])
                if step in modules and step != module and not module.startswith(step + "."):
                    graph[module].add(step)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles, each as the path of modules that closes it (a depth-first
    walk: a module reached again while still open closes a cycle)."""
    found: list[list[str]] = []
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        path = [root]
        todo = [iter(sorted(graph[root]))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                done.add(path.pop())
                todo.pop()
            elif nxt in path:
                found.append(path[path.index(nxt) :])
            elif nxt not in done:
                path.append(nxt)
                todo.append(iter(sorted(graph.get(nxt, ()))))
    return found


def test_addin_has_no_import_cycle() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, [" → ".join([*cycle, cycle[0]]) for cycle in found]


def test_the_graph_sees_deferred_imports() -> None:
    """A cycle through an import inside a function is found."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b"]]
    edges = import_graph()
    assert "addin.refresh.job" in edges["addin.refresh.cli"]
    assert "addin.refresh.cli" not in edges["addin.refresh.links"]
