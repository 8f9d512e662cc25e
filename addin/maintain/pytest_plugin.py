"""pytest plugin (entry point ``pytest11: jixiao``): ``pytest`` in a folder of
workbooks collects every ``NAME.cases.toml`` and runs each case as a test item
against ``NAME.xlsx`` beside it (or the file its ``workbook = …`` names),
exactly as ``jixiao test`` does: in memory, with the refresh engine.

A failing item reports each unmet expectation with sheet!cell, expected, got
and the explanation of a contract function's result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the engine is imported only when a cases file is collected
    from addin.maintain.cases import Case
    from addin.xlsx.model import Workbook

__all__ = ["CaseItem", "CasesFile", "pytest_collect_file"]

_SUFFIX = ".cases.toml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.cases.toml`` files."""
    if file_path.name.endswith(_SUFFIX):
        collector: CasesFile = CasesFile.from_parent(parent, path=file_path)
        return collector
    return None


class CaseFailedError(Exception):
    """A case whose expectations are not all met (the report is the message)."""


class CasesFile(pytest.File):
    """One cases file: one item per ``[[case]]``."""

    _workbook: Workbook | None = None

    def workbook_path(self, named: str | None) -> Path:
        if named:
            return self.path.parent / named
        return self.path.with_name(self.path.name[: -len(_SUFFIX)] + ".xlsx")

    def workbook(self, path: Path) -> Workbook:
        from addin.xlsx.workbook import read_workbook

        if self._workbook is None:
            self._workbook = read_workbook(path)
        return self._workbook

    def collect(self) -> Iterator[CaseItem]:
        from addin.maintain.cases import CasesError, load_cases

        try:
            cases, named = load_cases(self.path)
        except CasesError as exc:
            raise self.CollectError(str(exc)) from None
        path = self.workbook_path(named)
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, book=path)


class CaseItem(pytest.Item):
    """One case of a cases file."""

    def __init__(self, *, case: Case, book: Path, **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case
        self.book = book

    def runtest(self) -> None:
        from addin.maintain.cases import run_case
        from addin.maintain.testrun import render

        parent = self.parent
        assert isinstance(parent, CasesFile)
        checks = run_case(parent.workbook(self.book), self.case)
        if not all(c.ok for c in checks):
            raise CaseFailedError(render(checks))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from addin.maintain.cases import CasesError

        if isinstance(excinfo.value, CaseFailedError | CasesError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.book.name}: {self.case.name}"
