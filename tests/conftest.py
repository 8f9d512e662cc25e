"""Shared fixtures: where the shared reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# xlwings checks its licence key when it is first imported, and whichever test
# module a pytest worker happens to import first may import xlwings. The
# Office.js tests need xlwings.server (PRO code, free for non-commercial use),
# so the key is set for the whole test session, before any test module loads.
# Test-only: nothing in the add-in sets it.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout (FUNCTIONS.md, excel-oracle, excel-files)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the checkout ({SHARED})")
    return SHARED


_LIBREOFFICE_REASON: list[str | None] = []


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``libreoffice`` are skipped, with the reason, when LibreOffice
    >= 25.2 is absent — except in CI (``CI=true``), where absence is a failure."""
    if item.get_closest_marker("libreoffice") is None:
        return
    if not _LIBREOFFICE_REASON:
        from addin.refresh.libreoffice import unavailable_reason

        _LIBREOFFICE_REASON.append(unavailable_reason())
    reason = _LIBREOFFICE_REASON[0]
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the LibreOffice tests: {reason}", pytrace=False)
    pytest.skip(reason)
