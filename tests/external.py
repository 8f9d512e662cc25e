"""Where the external test material lives, and what a test does when it is absent.

Some tests read other projects' files that are not part of this repository
(Excel-saved workbooks, the Excel oracle, the source documents of the schemes,
the written formula contract). They live in one folder, ``../shared`` beside the
checkout, or wherever ``JIXIAO_SHARED`` points. They are read where they are,
never copied into the repository.

When a folder is absent a test that needs it is skipped with a reason naming the
folder — except under ``CI=true``, where CI has the material and its absence is a
failure. The reason starts with :data:`SKIP_PREFIX`, which is how ``conftest``
counts these skips for the closing line of ``make test``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The environment variable that overrides where the external material lives.
ENV = "JIXIAO_SHARED"

#: The one definition of where the external material lives.
SHARED = Path(os.environ[ENV]).expanduser().resolve() if os.environ.get(ENV) else ROOT.parent / "shared"

#: Every skip for want of external material starts with this text.
SKIP_PREFIX = "external material missing"

#: The marker a placeholder parameter carries when its folder is absent.
MARKER = "external"


def missing_reason(folder: str) -> str | None:
    """Why ``folder`` (a path under :data:`SHARED`) cannot be used, or None when it exists."""
    path = SHARED / folder
    if path.exists():
        return None
    return f"{SKIP_PREFIX}: {path} is absent (set {ENV} to the folder holding {folder})"


def in_ci() -> bool:
    """CI runs this suite (``CI=true``): what it needs must be there."""
    return os.environ.get("CI", "").lower() == "true"


def require(folder: str) -> Path:
    """``SHARED / folder``; skips the running test when it is absent (fails under ``CI=true``)."""
    reason = missing_reason(folder)
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must have the external material: {reason}", pytrace=False)
        pytest.skip(reason)
    return SHARED / folder


class SharedDir:
    """The external material folder as a test sees it: ``shared_dir / "excel-files"``
    is the path of that folder, and the test is skipped (with the folder named)
    when it is absent."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __truediv__(self, name: str) -> Path:
        return require(name)

    def __repr__(self) -> str:
        return f"SharedDir({self.root})"


def shared_files(folder: str, *patterns: str) -> list[Any]:
    """Parameters for a test run once per file of ``folder`` matching ``patterns``.

    When the folder is absent (or holds no such file) there is one parameter,
    ``None``, marked :data:`MARKER` so that the test is skipped with the reason
    instead of pytest collecting an empty parameter set.
    """
    path = SHARED / folder
    files = sorted({f for pattern in patterns for f in path.glob(pattern)}) if path.is_dir() else []
    if files:
        return [pytest.param(f, id=f.name) for f in files]
    mark = pytest.mark.external(folder, patterns)
    return [pytest.param(None, id=f"{folder}-absent", marks=mark)]


def check_marked(folder: str, patterns: tuple[str, ...]) -> None:
    """Setup of a placeholder parameter: skip (or, under CI, fail) when its folder
    is absent; when the folder is there but holds no matching file, fail — the
    material is not what the test was written for."""
    require(folder)
    pytest.fail(f"{SHARED / folder} holds no file matching {' '.join(patterns)}", pytrace=False)
