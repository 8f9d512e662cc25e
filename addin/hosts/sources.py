"""The project's own modules a host add-in carries as source files.

A host that runs Python away from this installation — xlwings Lite's
``main.py``, the LibreOffice ``.oxt``, the WPS add-in — ships the kernel (every
``udfs`` module), the registry and the value conversion, each package with its
own ``__init__.py``. :func:`shipped_sources` lists them, so every host ships
the same set and a module added to it reaches them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROJECT_ROOT", "SHIPPED_MODULES", "ModuleSource", "shipped_sources"]

#: The folder holding the ``udfs`` and ``addin`` packages.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Modules of ``addin`` a host ships, besides every ``udfs`` module; they import
#: only numpy, the standard library and each other.
SHIPPED_MODULES: tuple[str, ...] = ("addin.registry", "addin.hosts.convert")


@dataclass(frozen=True)
class ModuleSource:
    """One shipped module: its dotted name, whether it is a package, its path and text."""

    name: str
    is_package: bool
    #: Path relative to :data:`PROJECT_ROOT`, with ``/`` (``udfs/bands.py``).
    path: str
    source: str


def _read(name: str, is_package: bool) -> ModuleSource:
    parts = name.split(".")
    rel = "/".join([*parts, "__init__.py"]) if is_package else "/".join(parts) + ".py"
    return ModuleSource(name, is_package, rel, (PROJECT_ROOT / rel).read_text("utf-8"))


def shipped_sources() -> list[ModuleSource]:
    """Every module a host ships, packages before their modules.

    >>> [m.path for m in shipped_sources()][:1]
    ['udfs/__init__.py']
    >>> "addin/hosts/__init__.py" in [m.path for m in shipped_sources()]
    True
    """
    out = [_read("udfs", True)]
    out += [
        _read(f"udfs.{path.stem}", False)
        for path in sorted((PROJECT_ROOT / "udfs").glob("*.py"))
        if path.name != "__init__.py"
    ]
    packages: list[str] = []
    for name in SHIPPED_MODULES:
        parts = name.split(".")
        packages += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) not in packages]
    out += [_read(p, True) for p in packages]
    out += [_read(name, False) for name in SHIPPED_MODULES]
    return out
