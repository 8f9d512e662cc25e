"""addin/native.py: a compiled helper is used only when it was built for the
interface its caller speaks (a stale build of the splicer once wrote each
value into the next cell)."""

from __future__ import annotations

import sys
import types

import pytest

from addin import native


def _fake(monkeypatch: pytest.MonkeyPatch, interface: int | None) -> str:
    module = types.ModuleType("jixiao_fake_native")
    if interface is not None:
        module.INTERFACE = interface  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module.__name__


def test_a_build_for_the_callers_interface_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    name = _fake(monkeypatch, 3)
    assert native.load(name, 3) is sys.modules[name]


@pytest.mark.parametrize("built_for", [2, 4, None])
def test_a_build_for_another_interface_is_not_used(monkeypatch: pytest.MonkeyPatch, built_for: int | None) -> None:
    assert native.load(_fake(monkeypatch, built_for), 3) is None


def test_a_module_not_built_is_none() -> None:
    assert native.load("addin.xlsx._no_such_helper", 1) is None
