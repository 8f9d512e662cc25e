"""Classic Windows UDF module: imports anywhere, plain callables giving the kernel's results."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from host_helpers import host_range

from addin.hosts import classic
from addin.hosts.convert import CLASSIC_HELP_LIMIT, argument_help, function_help, to_host
from addin.registry import FUNCTIONS, by_name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [(spec.name, i) for spec in FUNCTIONS for i in range(len(spec.examples))]

#: VBA keywords an argument name must not be (xlwings writes them into a VBA Function).
VBA_RESERVED = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "const", "currency",
    "date", "declare", "dim", "do", "double", "each", "else", "elseif", "empty", "end",
    "enum", "eqv", "erase", "error", "event", "exit", "false", "for", "friend", "function",
    "get", "global", "gosub", "goto", "if", "imp", "implements", "in", "integer", "is",
    "let", "like", "long", "loop", "me", "mod", "new", "next", "not", "nothing", "null",
    "object", "on", "option", "optional", "or", "paramarray", "preserve", "private",
    "property", "public", "raiseevent", "redim", "resume", "return", "select", "set",
    "single", "static", "step", "stop", "string", "sub", "then", "to", "true", "type",
    "until", "variant", "wend", "while", "with", "xor",
}  # fmt: skip


def test_module_exports_every_registry_function_as_plain_callables() -> None:
    """Every registry function is a module attribute and an ordinary Python function."""
    exported = list(classic.EXPORTED)
    assert exported == [s.name for s in FUNCTIONS]
    for spec in FUNCTIONS:
        f = getattr(classic, spec.name)
        assert inspect.isfunction(f)
        assert list(inspect.signature(f).parameters) == [a.name for a in spec.args]


def test_decorators_do_nothing_on_linux() -> None:
    """In a fresh interpreter without xlwings' server switch, xw.func leaves the functions bare."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    code = (
        "import addin.hosts.classic as c\n"
        "f = c.TIERED\n"
        "assert not hasattr(f, '__xlfunc__'), f.__xlfunc__\n"
        "print(f(8, [[0, 20], [5, 40]], '超额'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "220.0"


@pytest.mark.parametrize(("name", "index"), EXAMPLES)
def test_examples_equal_kernel_results(name: str, index: int) -> None:
    """Called with ranges as xlwings passes them (2-D lists), results equal the kernel's."""
    spec = by_name(name)
    example = spec.examples[index]
    got = getattr(classic, name)(*[host_range(a) for a in example.args])
    assert got == to_host(spec(*example.args), "classic")
    if isinstance(example.result, list):
        assert got == [["" if c is None else c for c in row] for row in example.result]
    else:
        assert got == example.result


def test_results_are_python_values() -> None:
    """Spilled results are lists of Python floats, not numpy values."""
    out = classic.ALLOCATE([[6000]], [[1, 0.5, 0.5]])
    assert out == [[3000.0, 1500.0, 1500.0]]
    assert all(type(c) is float for c in out[0])
    assert not isinstance(out, np.ndarray)


def test_errors_are_spellings_with_reasons_never_tracebacks() -> None:
    """A bad keyword and a kernel error come back as text: the Excel spelling, then the
    kernel's reason (Chinese, then English), so =COUNTIF(range,"#*") still finds them; an
    error input passes through with the row it came from."""
    bad = classic.TIERED([[8]], [[0, 20], [5, 40]], [["按月"]])
    assert bad.startswith("#VALUE! 参数 mode")
    assert "按月" in bad
    assert " / " in bad
    assert classic.TIERED([[8]], [[0, 20], [5, 40]], None).startswith("#VALUE! ")
    assert classic.ALLOCATE([[100]], [[0, 0]]).startswith("#DIV/0!")
    rows = classic.MONEY([[1.005], ["#N/A"], [None]])
    assert rows[0] == [1.01]
    assert rows[2] == [0.0]
    assert rows[1][0].startswith("#N/A ")
    assert "第 2 行" in rows[1][0]


def test_functions_belong_to_the_defining_module() -> None:
    """Each function's __module__ is addin.hosts.classic (the module xlwings imports), not the
    generator's."""
    assert {getattr(classic, s.name).__module__ for s in FUNCTIONS} == {"addin.hosts.classic"}


def test_dates_arrive_as_serials() -> None:
    """A date cell (pywin32 gives datetime) is its Excel serial number."""
    import datetime as dt

    assert classic.MONEY([[dt.datetime(2024, 1, 31, 12)]], [[0]]) == 45323.0


def test_wizard_help_fits_excel_limit() -> None:
    """Function and argument descriptions and categories are at most 255 characters,
    so xlwings' own [:255] cut never cuts them; Chinese comes first."""
    for spec in FUNCTIONS:
        f = getattr(classic, spec.name)
        assert f.__doc__ == function_help(spec, CLASSIC_HELP_LIMIT)
        assert len(f.__doc__) <= CLASSIC_HELP_LIMIT
        assert f.__doc__.startswith(f"{spec.signature} {spec.help_zh[:20]}")
        assert len(spec.category) <= CLASSIC_HELP_LIMIT
        for a in spec.args:
            text = argument_help(a, CLASSIC_HELP_LIMIT)
            assert 0 < len(text) <= CLASSIC_HELP_LIMIT
            assert text.startswith(a.help_zh)


def test_argument_names_are_valid_vba() -> None:
    """Argument names become VBA parameter names: identifiers, not VBA keywords."""
    for spec in FUNCTIONS:
        for a in spec.args:
            assert a.name.isidentifier()
            assert a.name.lower() not in VBA_RESERVED, f"{spec.name}.{a.name}"
