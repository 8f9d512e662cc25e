"""Session-wide fixtures and hooks: the external material (``shared_dir``, see
:mod:`external`), the LibreOffice tests, and the closing line of ``make test``."""

from __future__ import annotations

import os

import pytest
from external import MARKER, SHARED, SKIP_PREFIX, SharedDir, check_marked, in_ci

# xlwings checks its licence key when it is first imported, and whichever test
# module a pytest worker happens to import first may import xlwings. The
# Office.js tests need xlwings.server (PRO code, free for non-commercial use),
# so the key is set for the whole test session, before any test module loads.
# Test-only: nothing in the add-in sets it.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

# Run by the system Python that python3-uno belongs to (tests/test_hosts_calc.py),
# never imported here: it imports uno.
collect_ignore = ["calc_driver.py"]


@pytest.fixture
def both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in both languages (``JIXIAO_LANG=zh-en``, the tool's own switch),
    for tests that check a message's Chinese and its English at once; the
    default (Chinese) is checked by ``tests/test_language.py``."""
    monkeypatch.setenv("JIXIAO_LANG", "zh-en")


@pytest.fixture(scope="session")
def shared_dir() -> SharedDir:
    """The external material (``../shared`` or ``$JIXIAO_SHARED``): ``shared_dir /
    "excel-files"`` is that folder; the test is skipped, naming the folder, when it
    is absent (a failure under ``CI=true``)."""
    return SharedDir(SHARED)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of :func:`external.shared_files`' placeholder parameter."""
    config.addinivalue_line(
        "markers", f"{MARKER}(folder, patterns): needs files of that external folder"
    )


_LIBREOFFICE_REASON: list[str | None] = []


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A placeholder for absent external files is skipped (see :mod:`external`).
    Tests marked ``libreoffice`` are skipped, with the reason, when LibreOffice
    >= 25.2 is absent — except in CI (``CI=true``), where absence is a failure."""
    external = item.get_closest_marker(MARKER)
    if external is not None:
        check_marked(*external.args)
    if item.get_closest_marker("libreoffice") is None:
        return
    if not _LIBREOFFICE_REASON:
        from addin.refresh.libreoffice import unavailable_reason

        _LIBREOFFICE_REASON.append(unavailable_reason())
    reason = _LIBREOFFICE_REASON[0]
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"CI must run the LibreOffice tests: {reason}", pytrace=False)
    pytest.skip(reason)


_EXTERNAL_SKIPS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests skipped for want of external material (on the xdist
    controller too, which receives every worker's reports)."""
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple | list) else ""
    if report.skipped and str(reason).startswith(f"Skipped: {SKIP_PREFIX}"):
        _EXTERNAL_SKIPS.append(report.nodeid)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The closing line of the run: how many tests were skipped for want of the
    external material, so a plain-clone run is not mistaken for the full one."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or hasattr(config, "workerinput"):
        return
    n = len(set(_EXTERNAL_SKIPS))
    where = f"{SHARED} is absent" if not SHARED.is_dir() else f"from {SHARED}"
    reporter.write_line(
        f"外部材料 external material: {n} tests skipped for want of external material ({where})",
        yellow=n > 0,
        green=n == 0,
    )
