"""Host ⇄ kernel value conversion, help cutting and the generated wrappers."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import numpy as np
import pytest

from addin.hosts import convert
from addin.hosts.convert import (
    CLASSIC_HELP_LIMIT,
    OFFICEJS_ARG_HELP_LIMIT,
    argument_help,
    bind,
    call,
    cut_help,
    excel_serial,
    from_host,
    function_help,
    host_error,
    make_wrapper,
    to_host,
)
from addin.registry import FUNCTIONS, NAMESPACE, by_name
from udfs.errors import ERROR_CODES, ExcelError


class JsNull:
    """Stands in for Pyodide's ``JsNull`` sentinel (matched by type name)."""


def test_blank_cells_become_none() -> None:
    """None, "" and Pyodide's JsNull are all a blank cell (None) for the kernel."""
    assert from_host([[None, "", JsNull()]]) == [[None, None, None]]
    assert from_host("") is None
    assert from_host(None) is None


def test_error_spellings_and_office_js_error_values_become_excel_errors() -> None:
    """"#N/A" text, Office.js error dicts (with or without basicValue) become ExcelError."""
    block = from_host(
        [
            ["#N/A", "#div/0!"],
            [{"type": "Error", "basicValue": "#REF!", "errorType": "Ref"}, {"type": "Error", "errorType": "Num"}],
        ]
    )
    assert block == [[ExcelError("#N/A"), ExcelError("#DIV/0!")], [ExcelError("#REF!"), ExcelError("#NUM!")]]
    assert all(isinstance(c, ExcelError) for row in block for c in row)
    assert from_host("#VALUE!", "number") == ExcelError("#VALUE!")
    assert from_host("#N/A 不是错误") == "#N/A 不是错误"


def test_other_office_js_cell_values_give_their_basic_value() -> None:
    """A formatted number (e.g. a date with a format) arrives as its basic value."""
    formatted = {"type": "FormattedNumber", "basicValue": 45322.0, "numberFormat": "yyyy/m/d"}
    assert from_host([[formatted]]) == [[45322.0]]


def test_dates_become_excel_serials() -> None:
    """Dates and date-times become Excel serial numbers (1900 system), times a day fraction."""
    assert excel_serial(dt.date(1900, 3, 1)) == 61.0
    assert excel_serial(dt.date(2024, 1, 31)) == 45322.0
    assert excel_serial(dt.datetime(2024, 1, 31, 18)) == 45322.75
    assert excel_serial(dt.time(6)) == 0.25
    assert from_host([[dt.datetime(2024, 1, 31, 12), dt.date(2024, 2, 1)]]) == [[45322.5, 45323.0]]


def test_booleans_numbers_and_numpy_scalars() -> None:
    """Booleans stay booleans (flags); numpy scalars become Python values."""
    out = from_host([[True, np.float64(1.5), np.int64(2), 3]])
    assert out == [[True, 1.5, 2, 3]]
    assert [type(c) for c in out[0]] == [bool, float, int, int]


def test_shapes() -> None:
    """A flat list is one row; scalar kinds unwrap a 1×1; ranges stay 2-D; [] is omitted."""
    assert from_host([1, 2, 3]) == [[1, 2, 3]]
    assert from_host([[5]], "number") == 5
    assert from_host([["超额"]], "keyword") == "超额"
    assert from_host([["<70"]], "criterion") == "<70"
    assert from_host([[5]], "range") == [[5]]
    assert from_host([[5]], "table") == [[5]]
    assert from_host([[None]], "keyword") is None
    assert from_host([]) is None
    assert from_host(np.array([[1.0, 2.0]])) == [[1.0, 2.0]]


def test_results_become_plain_python_2d_lists() -> None:
    """numpy results become lists of Python floats; 1-D is one row; 0-D a scalar."""
    out = to_host(np.array([[1.0, 2.5], [3.0, 4.0]]), "officejs")
    assert out == [[1.0, 2.5], [3.0, 4.0]]
    assert all(type(c) is float for row in out for c in row)
    assert to_host(np.array([1.0, 2.0]), "classic") == [[1.0, 2.0]]
    assert to_host(np.array(7.0), "classic") == 7.0
    assert type(to_host(np.float64(7.0), "classic")) is float
    assert to_host([1, 2], "classic") == [[1, 2]]
    assert to_host(True, "officejs") is True
    assert to_host("A", "officejs") == "A"


def test_empty_results_are_empty_strings() -> None:
    """None (an empty result, e.g. an ineligible row's rank) is "" for both hosts."""
    assert to_host(None, "classic") == ""
    assert to_host(np.array([[1.0, None]], dtype=object), "officejs") == [[1.0, ""]]


@pytest.mark.parametrize("host", ["classic", "officejs"])
def test_nan_and_infinity_are_num_errors(host: convert.Host) -> None:
    """NaN and ±inf in a result are #NUM!, never a number or a blank; the
    classic host writes the reason after it, as for every kernel error, and
    the engine holds the same error (one normaliser, ``kernel_result``)."""
    num = convert.host_error(convert.NOT_FINITE, host)
    assert num == ("#NUM! 结果不是有限数 / result is not a finite number" if host == "classic"
                   else "#NUM!")  # fmt: skip
    out = to_host(np.array([[np.nan, np.inf, -np.inf, 1.0]]), host)
    assert out == [[num, num, num, 1.0]]
    assert to_host(float("nan"), host) == num


def test_classic_errors_are_their_spelling_and_reason() -> None:
    """Classic xlwings UDFs return every kernel error as text: its spelling, then its reason
    when it has one (no COM error type exists; a raised exception would show a traceback)."""
    for code in ERROR_CODES:
        assert host_error(ExcelError(code, "消息 / message"), "classic") == f"{code} 消息 / message"
        assert host_error(ExcelError(code), "classic") == code


def test_office_js_errors() -> None:
    """Office.js: the five errors Microsoft lists as custom-function outputs as spellings
    (xlwings maps them to error values); every other error as #VALUE!."""
    outputs = {"#DIV/0!", "#N/A", "#NULL!", "#NUM!", "#VALUE!"}
    for code in ERROR_CODES:
        assert host_error(ExcelError(code), "officejs") == (code if code in outputs else "#VALUE!")


def test_round_trip_of_office_js_error_types() -> None:
    """Every error dict we produce reads back as the same ExcelError."""
    for code in ERROR_CODES:
        produced = convert._OFFICEJS_ERROR_TYPES[code]
        assert from_host({"type": "Error", "errorType": produced}) == ExcelError(code)


def test_cut_help() -> None:
    """Help longer than the limit is cut at a sentence end, else at a comma with "…"."""
    assert cut_help("短。", 255) == "短。"
    sentence = "这一句说明用途和参数的含义。"
    text = sentence * 30
    cut = cut_help(text, 255)
    assert cut == sentence * (255 // len(sentence))
    early_stop = "短句。" + "很长" * 200
    cut_early = cut_help(early_stop, 255)
    assert len(cut_early) == 255
    assert cut_early.endswith("…")
    no_stop = "甲，" * 200
    cut2 = cut_help(no_stop, 255)
    assert len(cut2) <= 255
    assert cut2.endswith("…")
    assert len(cut_help("x" * 1000, 128)) == 128


@pytest.mark.parametrize("limit", [CLASSIC_HELP_LIMIT, OFFICEJS_ARG_HELP_LIMIT, 60])
def test_generated_help_fits_and_is_chinese_first(limit: int) -> None:
    """Function and argument help fit the limit and start with the Chinese text."""
    for spec in FUNCTIONS:
        text = function_help(spec, limit)
        assert len(text) <= limit
        assert text.startswith(spec.name)
        for a in spec.args:
            help_text = argument_help(a, limit)
            assert len(help_text) <= limit
            assert help_text.startswith(a.help_zh[: min(len(a.help_zh), limit - 1)])


def test_keyword_argument_help_lists_spellings_when_room() -> None:
    """A keyword argument's help names the accepted spellings when they fit."""
    mode = by_name("TIERED").argument("mode")
    text = argument_help(mode, CLASSIC_HELP_LIMIT)
    for word in mode.spellings:
        assert word in text
    assert text.endswith(mode.help_en)


@pytest.mark.parametrize("host", ["classic", "officejs"])
def test_wrapper_signature_name_and_doc(host: convert.Host) -> None:
    """Wrappers carry the registry's argument names (optional ones default None), name and help."""
    for spec in FUNCTIONS:
        f = make_wrapper(spec, host)
        assert f.__name__ == spec.name
        params = inspect.signature(f).parameters
        assert list(params) == [a.name for a in spec.args]
        for a in spec.args:
            expected = None if a.optional else inspect.Parameter.empty
            assert params[a.name].default is expected
        assert f.__doc__ == function_help(spec, 255)


def test_call_passes_errors_through_per_row_and_reports_bad_keywords() -> None:
    """An error in one input row stays in that row; an unknown keyword is #VALUE!, raised
    with its reason when the host gives an error class."""
    money = by_name("MONEY")
    out = call(money, [[[2.675], ["#N/A"], [None]]], "classic")
    assert out[0] == [2.68]
    assert out[2] == [0.0]
    assert out[1][0].startswith("#N/A ")
    assert call(money, [[[1.0]], None, [["四舍七入"]]], "classic").startswith("#VALUE! ")
    assert call(money, [[[1.0]], None, [["四舍七入"]]], "officejs") == "#VALUE!"
    with pytest.raises(LookupError, match=r"^MONEY: .*四舍七入"):
        call(money, [[[1.0]], None, [["四舍七入"]]], "officejs", raise_as=LookupError)


def test_bind_decorates_every_function() -> None:
    """bind() passes ndim=2, err_to_str and a doc for each argument, and the category or
    namespace to func, then defines each function under its Excel name."""
    recorded: dict[str, dict[str, Any]] = {}

    def fake_arg(name: str, **options: Any) -> Any:
        def deco(f: Any) -> Any:
            recorded.setdefault(f.__name__, {})[name] = options
            return f

        return deco

    def fake_func(**options: Any) -> Any:
        def deco(f: Any) -> Any:
            recorded.setdefault(f.__name__, {})["__func__"] = options
            return f

        return deco

    for host, limit in (("classic", 255), ("officejs", 128)):
        recorded.clear()
        target: dict[str, Any] = {}
        names = bind(target, host, fake_func, fake_arg)  # type: ignore[arg-type]
        assert names == [s.name for s in FUNCTIONS]
        assert set(target) == set(names)
        for spec in FUNCTIONS:
            seen = recorded[spec.name]
            if host == "classic":
                assert seen["__func__"] == {"category": spec.category}
            else:
                assert seen["__func__"] == {"namespace": NAMESPACE}
            for a in spec.args:
                assert seen[a.name]["ndim"] == 2
                assert seen[a.name]["err_to_str"] is True
                assert 0 < len(seen[a.name]["doc"]) <= limit


@pytest.mark.parametrize("module_name", ["addin.hosts.convert", "addin.registry", "addin.reference"])
def test_addin_doctests(module_name: str) -> None:
    """The examples in the add-in modules' docstrings hold (pytest collects doctests only
    under udfs/ and tests/)."""
    import doctest
    import importlib

    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
