"""Fuzzing the kernel through the registry: hostile input never raises, invariants hold.

Two halves:

* **Hostile input.** Every function in :data:`addin.registry.FUNCTIONS` is called
  through its kernel callable with arguments of every shape a host can hand over
  (scalars of every type, blanks, error values, 1-D/2-D/ragged/empty lists, numpy
  arrays of every dtype and dimension, keywords spelt oddly …), biased towards
  plausible values of each argument's kind so the calls reach deep code paths.
  Whatever comes in, the result must be an Excel value: no exception, a plain
  scalar or a 2-D array of plain values, no NaN or infinity, every error with a
  message (unless it is an error passed in unchanged, FUNCTIONS.md "Inputs"), and
  the inputs left as they were. A function added to the registry is fuzzed here
  without new code.
* **Invariants on valid data** with edge cases (ties, blanks, values exactly on
  band starts and at the 12-significant-digit boundary, negatives): lifted
  functions on a column equal the function row by row (also across the
  64-value threshold where band lookups switch to precomputed edges); BAND
  agrees with a 12-digit reference; ALLOCATE adds up exactly; RANK_PRIZE never
  pays out more than the table; RANKX (one key or two, groups, eligibility)
  agrees with a brute-force count; TIER_DETAIL adds up to TIERED; FORCED_DIST
  never gives a better score a worse label.

A function call passes the checks only if no numpy RuntimeWarning escapes either
(under ``python -W error`` that would be a traceback). The same functions are
also called the way each host calls them (:func:`addin.hosts.convert.call`, classic
and Office.js values in and out). The last section holds regression tests for
bugs the fuzz found.
"""

from __future__ import annotations

import datetime
import itertools
import math
import os
import pickle
import warnings
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from addin.registry import FUNCTIONS, Argument, FunctionSpec
from udfs.errors import ERROR_CODES, ExcelError, parse_error

# --------------------------------------------------------------------------- settings

#: Examples per registry function in the hostile-input fuzz; the invariant tests
#: run a third of that (at least 30). Kept small so the file runs in seconds;
#: for a deep run set JIXIAO_FUZZ_EXAMPLES (e.g. 5000).
HOSTILE_EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=HOSTILE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ONE_ARGUMENT = settings(max_examples=max(30, HOSTILE_EXAMPLES // 2), deadline=None)
THROUGH_HOSTS = settings(max_examples=max(15, HOSTILE_EXAMPLES // 4), deadline=None)
INVARIANT = settings(
    max_examples=max(30, HOSTILE_EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --------------------------------------------------------------------------- scalars

_ODD_FLOATS = [
    0.0,
    -0.0,
    1e308,
    -1e308,
    1.7976931348623157e308,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e-300,
    0.1 + 0.2,
    1e15,
    123456789012.5,
    999999999999.5,
    0.125,
    2.675,
    -1.005,
    1e-12,
    4.35,
]
_NONFINITE = [math.nan, math.inf, -math.inf]
_HUGE_INTS = [2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**20, 10**400, -(10**400)]
_TEXTS = [
    "",
    " ",
    "\u3000",
    "\t",
    "85",
    " 85 ",
    "85%",
    "８５",
    "１，２００",
    "1,200",
    "-3.5",
    "1e5",
    "1e400",
    "1e-400",
    "nan",
    "inf",
    "-Infinity",
    "1_000",
    "0x10",
    "¥100",
    "%",
    "¥",
    "#N/A",
    "#n/a",
    "#VALUE!",
    "#DIV/0!",
    "#REF",
    "#",
    "N/A",
    "张三",
    "优",
    "是",
    "否",
    "TRUE",
    "false",
    "<70",
    ">=",
    "<>",
    "=",
    "*",
    "~",
    "合计",
]
_ERRORS = [ExcelError(code) for code in ERROR_CODES] + [
    ExcelError(code, f"上游错误 {code} / upstream error") for code in ("#N/A", "#VALUE!", "#REF!")
]


#: Python values no host hands over but a careless caller might: #VALUE!, never a crash.
_OTHER_OBJECTS = [
    datetime.date(2024, 1, 31),
    datetime.datetime(2024, 1, 31, 8, 30),
    Decimal("2.675"),
    Fraction(1, 3),
    complex(1, 1),
    b"85",
    {"type": "Error", "basicValue": "#N/A"},
]


def _numpy_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(np.float64),
        st.floats(width=32, allow_nan=True, allow_infinity=True).map(np.float32),
        st.integers(-(2**63), 2**63 - 1).map(np.int64),
        st.integers(-128, 127).map(np.int8),
        st.just(np.uint64(2**64 - 1)),
        st.booleans().map(np.bool_),
        st.sampled_from(_TEXTS).map(np.str_),
        st.sampled_from([1.5, 1e4000, -1e4000]).map(np.longdouble),
    )


def scalars() -> st.SearchStrategy[Any]:
    """Any one value a cell (or a Python caller) may hand over."""
    return st.one_of(
        st.none(),
        st.sampled_from(_ODD_FLOATS + _NONFINITE),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-1000, 1000),
        st.sampled_from(_HUGE_INTS),
        st.booleans(),
        st.sampled_from(_TEXTS),
        st.text(max_size=4),
        st.sampled_from(_ERRORS),
        _numpy_scalars(),
        st.sampled_from(_OTHER_OBJECTS),
    )


# --------------------------------------------------------------------------- shapes


@st.composite
def _rect(draw: st.DrawFn, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    """Rectangular 2-D nested lists, including ``[]`` and ``[[]]``."""
    r = draw(st.integers(0, 4))
    c = draw(st.integers(0 if r <= 1 else 1, 4))
    return [[draw(cells) for _ in range(c)] for _ in range(r)]


_DTYPES = ["float", "int", "bool", "object", "str"]
_SHAPES: list[tuple[int, ...]] = [
    (),
    (0,),
    (1,),
    (3,),
    (0, 0),
    (1, 0),
    (1, 1),
    (2, 3),
    (4, 1),
    (1, 4),
    (2, 2, 2),
    (1, 1, 1),
]


@st.composite
def numpy_arrays(draw: st.DrawFn, cells: st.SearchStrategy[Any]) -> npt.NDArray[Any]:
    """numpy arrays of dtype float/int/bool/object/str, 0-d to 3-d, empty ones too."""
    dtype = draw(st.sampled_from(_DTYPES))
    shape = draw(st.sampled_from(_SHAPES))
    size = int(np.prod(shape)) if shape else 1
    if dtype == "float":
        flat = draw(
            st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=size, max_size=size)
        )
        return np.array(flat, dtype=np.float64).reshape(shape)
    if dtype == "int":
        flat = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=size, max_size=size))
        return np.array(flat, dtype=np.int64).reshape(shape)
    if dtype == "bool":
        flat = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        return np.array(flat, dtype=bool).reshape(shape)
    if dtype == "str":
        flat = draw(st.lists(st.sampled_from(_TEXTS), min_size=size, max_size=size))
        return np.array(flat, dtype=str).reshape(shape)
    arr = np.empty(size, dtype=object)
    for i in range(size):
        arr[i] = draw(cells)
    return arr.reshape(shape)


def hostile(cells: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """Anything a host may hand to one argument."""
    c = scalars() if cells is None else cells
    return st.one_of(
        c,
        st.lists(c, max_size=5),
        _rect(c),
        st.lists(st.lists(c, max_size=3), min_size=2, max_size=3),  # ragged (sometimes)
        st.lists(st.one_of(c, st.lists(c, max_size=2)), min_size=1, max_size=3),  # mixed
        st.sampled_from([[], [[]], [[], []], [[[]]], ()]),
        st.lists(c, max_size=3).map(tuple),
        numpy_arrays(c),
    )


HOSTILE = hostile()


# --------------------------------------------------------------------------- plausible values per kind


def _numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-5, 120),
        st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from(_ODD_FLOATS),
        st.sampled_from([0, 1, 2, 3, 5, 60, 80, 100, 0.5, 0.05]),
    )


def _cells() -> st.SearchStrategy[Any]:
    """Mostly numbers, sometimes a blank, text, boolean, error or non-finite value."""
    return st.one_of(_numbers(), _numbers(), _numbers(), _numbers(), scalars())


CELLS = _cells()
SCALARS = scalars()


@st.composite
def band_table(draw: st.DrawFn) -> Any:
    """A band table: ascending starts, then 1–3 columns of what applies."""
    k = draw(st.integers(1, 5))
    starts = sorted(draw(st.sets(st.integers(-3, 200), min_size=k, max_size=k)))
    scale = draw(st.sampled_from([1, 0.01, 1000, 1.15]))
    cols = draw(st.integers(1, 3))
    table = [
        [
            s * scale,
            *(
                draw(st.one_of(_numbers(), st.none(), st.sampled_from(["优", ""])))
                for _ in range(cols)
            ),
        ]
        for s in starts
    ]
    if draw(st.integers(0, 3)) == 0:  # one hostile cell somewhere
        i, j = draw(st.integers(0, k - 1)), draw(st.integers(0, cols))
        table[i][j] = draw(SCALARS)
    if draw(st.booleans()):
        table.append([None] * (cols + 1))  # a range selected a little larger
    return table


@st.composite
def prize_table(draw: st.DrawFn) -> Any:
    """(from rank, to rank, amount) rows, mostly valid."""
    rows = []
    place = 1
    for _ in range(draw(st.integers(1, 4))):
        width = draw(st.integers(0, 3))
        amount = draw(st.one_of(st.integers(-500, 5000), st.floats(-1e3, 1e4), st.just(0.005)))
        rows.append([place, place + width, amount])
        place += width + 1
    if draw(st.integers(0, 9)) == 0:
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 2))
        rows[i][j] = draw(SCALARS)
    return rows


def _perturbed(word: str) -> st.SearchStrategy[str]:
    """A keyword in odd case and with surrounding whitespace."""
    return st.tuples(
        st.sampled_from(["", " ", "\u3000", "\t", "  "]),
        st.lists(st.booleans(), min_size=len(word), max_size=len(word)),
        st.sampled_from(["", " ", "\u3000", "\n"]),
    ).map(
        lambda t: (
            t[0]
            + "".join(ch.upper() if up else ch.lower() for ch, up in zip(word, t[1], strict=True))
            + t[2]
        )
    )


def keyword_values(arg: Argument) -> st.SearchStrategy[Any]:
    """Valid spellings (odd case, whitespace), unknown words, numbers, errors, ranges."""
    words = list(arg.spellings)
    return st.one_of(
        st.sampled_from(words).flatmap(_perturbed),
        st.sampled_from(words).map(lambda w: [[w]]),
        st.sampled_from(words).map(lambda w: np.array([w])),
        st.sampled_from(["first", "bankers", "上下含", "全", "", "  ", "#N/A", "None"]),
        st.sampled_from(words).map(lambda w: [w, w]),
        st.integers(-2, 3),
        st.sampled_from(_ERRORS),
        st.none(),
    )


_CRITERIA = [
    "<70",
    ">=90",
    "=优",
    "优",
    "<>",
    "",
    "=",
    "<>0",
    "*",
    "?优",
    "~*",
    ">abc",
    "<=TRUE",
    "=85",
    "85",
    "8?",
    "<1e400",
    ">-0",
    "<>#N/A",
    "=#N/A",
    ">",
    "<=",
    "<>优",
]


_FLAGS = st.one_of(
    st.booleans(), st.sampled_from([0, 1, "是", "否", None, "", "TRUE", 0.5]), SCALARS
)
_NUMBER_ARGS = st.one_of(_numbers(), st.none(), st.sampled_from([[[3]], "2", 1e300, -1e300]))
_CRITERION_ARGS = st.one_of(st.sampled_from(_CRITERIA), _numbers(), st.booleans())
_KEYWORD_ARGS: dict[str, st.SearchStrategy[Any]] = {}


def _rows(draw: st.DrawFn, rows: int, width: int, cells: st.SearchStrategy[Any]) -> list[Any]:
    """``rows`` rows of ``width`` cells; a long block repeats a few drawn rows
    (cheap to generate, still past the 64-row threshold of the band lookups)."""
    drawn = min(rows, 5)
    block = [[draw(cells) for _ in range(width)] for _ in range(drawn)]
    return [list(block[i % drawn]) for i in range(rows)]


def plausible(draw: st.DrawFn, arg: Argument, spec: FunctionSpec, rows: int, width: int) -> Any:
    """A value of ``arg``'s kind that mostly passes the argument checks."""
    if arg.kind == "keyword":
        if arg.name not in _KEYWORD_ARGS:
            _KEYWORD_ARGS[arg.name] = keyword_values(arg)
        return draw(_KEYWORD_ARGS[arg.name])
    if arg.kind == "number":
        return draw(_NUMBER_ARGS)
    if arg.kind == "criterion":
        return draw(_CRITERION_ARGS)
    if arg.kind == "flag":
        return _rows(draw, rows, 1, _FLAGS)
    if arg.kind == "table":
        return draw(prize_table() if spec.name == "RANK_PRIZE" else band_table())
    shape = draw(st.sampled_from(["column", "block", "row", "cell", "none"]))
    if shape == "column":
        return _rows(draw, rows, 1, CELLS)
    if shape == "block":
        return _rows(draw, rows, width, CELLS)
    if shape == "row":
        return _rows(draw, 1, width, CELLS)[0]
    return draw(CELLS) if shape == "cell" else None


@st.composite
def call_args(draw: st.DrawFn, spec: FunctionSpec) -> list[Any]:
    """1 … max arguments for ``spec``; required ones left out arrive as ``None``."""
    lo, hi = spec.arg_counts
    n = draw(st.integers(1, hi))
    rows = draw(st.sampled_from([1, 1, 2, 3, 5, 70]))
    width = draw(st.sampled_from([1, 2, 3]))
    args = []
    for arg in spec.args[:n]:
        if draw(st.integers(0, 9)) < 7:
            # mostly the same number of rows and width for every argument; now and
            # then another, so mismatched shapes between arguments are tried too
            r, w = rows, width
            if draw(st.integers(0, 4)) == 0:
                r, w = draw(st.sampled_from([1, 2, 3, 70])), draw(st.sampled_from([1, 2, 4]))
            args.append(plausible(draw, arg, spec, r, w))
        else:
            args.append(draw(HOSTILE))
    return args + [None] * max(0, lo - n)


# --------------------------------------------------------------------------- checks

_PLAIN = (float, int, str, bool, type(None), ExcelError)


def _input_errors(value: Any, found: list[Any]) -> list[Any]:
    """Every error value an input holds (also spelt as text), to allow them through unchanged."""
    if isinstance(value, ExcelError):
        found.append(value)
    elif isinstance(value, str):
        err = parse_error(value.strip().upper()) or parse_error(value)
        if err is not None:
            found.append(err)
    elif isinstance(value, list | tuple):
        for v in value:
            _input_errors(v, found)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "OU":
        for v in value.reshape(-1).tolist():
            _input_errors(v, found)
    return found


def check_cell(cell: Any, passed_in: Sequence[Any], where: str) -> None:
    """One result value: plain, finite, an error that explains itself (or one passed in)."""
    assert isinstance(cell, _PLAIN), f"{where}: {type(cell).__name__} {cell!r} is not a plain value"
    if isinstance(cell, float):
        assert math.isfinite(cell), f"{where}: {cell!r} in a result (should be #NUM!)"
    if isinstance(cell, int) and not isinstance(cell, bool):
        assert abs(cell) < 2**53, f"{where}: integer {cell} beyond a double"
    if isinstance(cell, ExcelError):
        assert cell.message or any(cell is e for e in passed_in), (
            f"{where}: {cell!r} has no message and was not passed in"
        )


def check_result(result: Any, args: Sequence[Any]) -> None:
    """What a kernel function returns is something Excel can show."""
    passed_in = _input_errors(list(args), [])
    if isinstance(result, np.ndarray):
        assert result.ndim == 2, f"result has {result.ndim} dimensions"
        assert result.size > 0, "empty result array"
        assert result.dtype.kind in "fiubO", f"result dtype {result.dtype}"
        for idx, cell in np.ndenumerate(result):
            if result.dtype.kind != "O":
                cell = cell.item()
            check_cell(cell, passed_in, f"cell {idx}")
    else:
        assert not isinstance(result, np.generic), f"numpy scalar {result!r} returned"
        check_cell(result, passed_in, "result")


def call_checked(func: Callable[..., Any], args: Sequence[Any]) -> Any:
    """Call ``func``; fail on an exception, a runtime warning, a changed input or a bad result."""
    before = pickle.dumps(args)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = func(*args)
    assert pickle.dumps(args) == before, "the kernel modified its input"
    check_result(result, args)
    return result


# --------------------------------------------------------------------------- hostile-input fuzz


@pytest.mark.parametrize("spec", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
@FUZZ
@given(data=st.data())
def test_hostile_input_gives_excel_values(spec: FunctionSpec, data: st.DataObject) -> None:
    """Whatever a host hands over, a registry function returns an Excel value, never raises."""
    args = data.draw(call_args(spec), label="args")
    call_checked(spec.kernel, args)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
@ONE_ARGUMENT
@given(data=st.data())
def test_one_hostile_argument_among_valid_ones(spec: FunctionSpec, data: st.DataObject) -> None:
    """A registry example with one argument swapped for anything still gives an Excel value."""
    example = data.draw(st.sampled_from(spec.examples), label="example")
    args = list(example.args) + [None] * (len(spec.args) - len(example.args))
    k = data.draw(st.integers(0, len(args) - 1), label="argument")
    arg = spec.args[k]
    args[k] = data.draw(keyword_values(arg) if arg.kind == "keyword" else HOSTILE, label="value")
    call_checked(spec.kernel, args)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
def test_registry_examples_pass_the_checks(spec: FunctionSpec) -> None:
    """The checks themselves accept every registry example (so they test what they claim)."""
    for example in spec.examples:
        result = call_checked(spec.kernel, list(example.args))
        assert not isinstance(result, ExcelError), (example.formula, result)


# --------------------------------------------------------------------------- through the hosts

_HOST_CELLS: dict[str, list[Any]] = {
    # classic xlwings (COM): blanks None, errors as their spelling, dates as datetime
    "classic": [None, "#N/A", "#DIV/0!", datetime.datetime(2024, 1, 31), "", "85%"],
    # Office.js (xlwings Server/Lite): blanks None or "", errors spelt or as a dict
    "officejs": [
        None,
        "",
        "#N/A",
        {"type": "Error", "basicValue": "#REF!", "errorType": "Ref"},
        {"type": "Error", "errorType": "Div0"},
        {"type": "Double", "basicValue": 0.25},
    ],
}


@st.composite
def host_args(draw: st.DrawFn, spec: FunctionSpec, host: str) -> list[Any]:
    """Arguments as a host hands them over: every range a 2-D list (Office.js
    turns a 1×1 into its value), cells of the host's own kinds among plausible ones."""
    lo, hi = spec.arg_counts
    n = draw(st.integers(lo, hi))
    rows = draw(st.sampled_from([1, 2, 3, 70]))
    width = draw(st.sampled_from([1, 2, 3]))
    cells = st.one_of(CELLS, st.sampled_from(_HOST_CELLS[host]))
    args = []
    for arg in spec.args[:n]:
        value = plausible(draw, arg, spec, rows, width)
        if not isinstance(value, list):
            value = [[value]]
        elif value and not isinstance(value[0], list):
            value = [value]
        value = [[c if draw(st.integers(0, 5)) else draw(cells) for c in row] for row in value]
        if host == "officejs" and len(value) == 1 and len(value[0]) == 1:
            value = value[0][0]
        args.append(value)
    return args


def _check_host_cell(cell: Any, host: str) -> None:
    if host == "officejs" and isinstance(cell, dict):
        assert cell.get("type") == "Error", cell
        return
    assert type(cell) in (float, int, str, bool), f"{type(cell).__name__} {cell!r} to {host}"
    if isinstance(cell, float):
        assert math.isfinite(cell), cell


@pytest.mark.parametrize("host", ["classic", "officejs"])
@pytest.mark.parametrize("spec", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
@THROUGH_HOSTS
@given(data=st.data())
def test_host_calls_give_host_values(spec: FunctionSpec, host: str, data: st.DataObject) -> None:
    """Through addin.hosts.convert (host value → kernel → host value) every call gives
    what the host can show: a scalar or a 2-D list of numbers, text, booleans and
    error spellings (or Office.js error dicts); "" for an empty cell, never None."""
    from addin.hosts.convert import call

    args = data.draw(host_args(spec, host), label="args")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = call(spec, args, host)  # type: ignore[arg-type]
    if isinstance(result, list):
        assert result, "empty spill"
        assert all(isinstance(row, list) and len(row) == len(result[0]) for row in result)
        for row in result:
            for cell in row:
                _check_host_cell(cell, host)
    else:
        _check_host_cell(result, host)


# --------------------------------------------------------------------------- invariants: helpers


def _flat(result: Any) -> list[Any]:
    """A result's cells in reading order, as Python values."""
    if isinstance(result, np.ndarray):
        return list(result.ravel().tolist())
    return [result]


def _same(a: Any, b: Any) -> bool:
    """Two result cells agree: equal values, or errors of the same code (a lifted
    call's messages name rows, so they legitimately differ)."""
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return isinstance(a, ExcelError) and isinstance(b, ExcelError) and a.code == b.code
    return bool(type(a) is type(b) and a == b)


def _twelve(x: float) -> float:
    """Reference rounding to 12 significant digits (Python's own formatting)."""
    return float(f"{x:.12g}")


def _dec(x: float) -> Decimal:
    """A double as its 15-significant-digit decimal."""
    return Decimal(f"{x:.15g}")


#: Offsets from a start in units of its 12th significant digit: inside the
#: 12-digit rounding (±0.49), just outside it (±0.51) and a whole unit away.
_HAIRS = [0.49, -0.49, 0.51, -0.51, 1.0, -1.0, 3.0]


def _twelfth_digit(x: float) -> float:
    """The place value of the 12th significant digit of ``x`` (1e-11 for 1.15)."""
    return 10.0 ** (math.floor(math.log10(abs(x))) - 11) if x else 1e-300


def _near(starts: Sequence[float]) -> st.SearchStrategy[float]:
    """Values on a start, a hair either side (inside and outside the 12-digit
    rounding), a fen either side, or anywhere; negatives included."""
    on = st.sampled_from(list(starts))
    return st.one_of(
        on,
        st.tuples(on, st.sampled_from(_HAIRS)).map(lambda t: t[0] + t[1] * _twelfth_digit(t[0])),
        on.map(lambda s: s + 0.01),
        on.map(lambda s: s - 0.01),
        st.floats(-1e4, 1e6, allow_nan=False),
        st.integers(-10, 1000).map(float),
    )


@st.composite
def valid_band_table(draw: st.DrawFn) -> list[list[Any]]:
    """Ascending starts (12-digit values such as 1.15 or 100000, negatives too) and rates."""
    k = draw(st.integers(1, 5))
    starts = sorted(draw(st.sets(st.integers(-3, 300), min_size=k, max_size=k)))
    scale = draw(st.sampled_from([1, 0.01, 1000, 1.15, 0.05]))
    rates = draw(
        st.lists(st.sampled_from([0, 0.03, 0.1, 0.2, 1, 20, 40, 2.5]), min_size=k, max_size=k)
    )
    return [[round(s * scale, 10), r] for s, r in zip(starts, rates, strict=True)]


_ODD_CELLS = [None, "", "x", "85", ExcelError("#N/A"), True, math.nan]


def _column(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """A column's cells: mostly ``values``, with blanks, text and errors among them."""
    cell = st.one_of(values, values, values, st.sampled_from(_ODD_CELLS))
    return st.lists(cell, min_size=1, max_size=8)


def _padded(cells: list[Any], long: bool, filler: Any) -> list[Any]:
    """``cells``, padded with ``filler`` past 64 cells when ``long``: the length
    where band lookups switch from rounding each value to precomputed edges."""
    return cells + [filler] * (70 - len(cells)) if long else cells


# --------------------------------------------------------------------------- invariants: lifting


@INVARIANT
@given(table=valid_band_table(), data=st.data(), side=st.sampled_from(["lower", "upper"]))
def test_cell_functions_lift_cell_by_cell(
    table: list[list[Any]], data: st.DataObject, side: str
) -> None:
    """BAND, TIERED (both modes), POINT_BONUS (one rate, a rate per person) and
    MONEY on a column give, cell by cell, what they give for each cell alone:
    at and around band starts, with blanks, text and errors, short and long."""
    from udfs.bands import band, point_bonus, tiered
    from udfs.money import money

    starts = [row[0] for row in table]
    long = data.draw(st.booleans(), label="long")
    xs = _padded(data.draw(_column(_near(starts)), label="x"), long, starts[-1])
    rates = _padded(
        data.draw(st.lists(_numbers(), min_size=len(xs), max_size=len(xs)), label="rates"),
        long,
        40,
    )[: len(xs)]
    column = [[x] for x in xs]
    rate_column = [[r] for r in rates]
    method = "half-even" if side == "upper" else None
    calls: list[tuple[Callable[..., Any], Callable[[int], tuple[Any, ...]], tuple[Any, ...]]] = [
        (band, lambda i: (table, None, side), (table, None, side)),
        (tiered, lambda i: (table, "超额", side), (table, "超额", side)),
        (tiered, lambda i: (table, "全额", side), (table, "全额", side)),
        (point_bonus, lambda i: (40, table, side), (40, table, side)),
        (point_bonus, lambda i: (rates[i], table, side), (rate_column, table, side)),
        (money, lambda i: (2, method), (2, method)),
    ]
    for func, alone, whole in calls:
        result = _flat(call_checked(func, [column, *whole]))
        assert len(result) == len(xs)
        for i, x in enumerate(xs[:9]):  # the drawn cells, and one filler
            expected = func(x, *alone(i))
            assert _same(result[i], expected), (func.__name__, i, x, result[i], expected)
        assert all(_same(r, result[min(8, len(xs) - 1)]) for r in result[9:])


@INVARIANT
@given(table=valid_band_table(), data=st.data(), side=st.sampled_from(["lower", "upper"]))
def test_band_lookup_matches_a_twelve_digit_reference(
    table: list[list[Any]], data: st.DataObject, side: str
) -> None:
    """BAND puts each value in the band a 12-digit reference says: on a start →
    that band ("lower") or the one below ("upper"; the first start is in the
    first band either way), below the first start → #N/A."""
    from udfs.bands import band

    starts = [row[0] for row in table]
    indexed = [[s, float(k)] for k, s in enumerate(starts)]
    xs = data.draw(st.lists(_near(starts), min_size=1, max_size=8), label="x")
    if data.draw(st.booleans(), label="long"):  # past 64 values: the edges path
        xs = [xs[i % len(xs)] for i in range(70)]
    result = _flat(call_checked(band, [[[x] for x in xs], indexed, None, side]))
    for x, got in zip(xs, result, strict=True):
        r = _twelve(x)
        if side == "lower" or r == starts[0]:
            k = max((j for j, s in enumerate(starts) if s <= r), default=-1)
        else:
            k = max((j for j, s in enumerate(starts) if s < r), default=-1)
        if k < 0:
            assert isinstance(got, ExcelError), (x, got)
            assert got.code == "#N/A"
        else:
            assert got == float(k), (x, r, got, k)


def _block(width: int, values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[list[Any]]]:
    cell = st.one_of(values, values, values, values, st.sampled_from(_ODD_CELLS))
    return st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=7)


@INVARIANT
@given(data=st.data(), width=st.integers(1, 4))
def test_row_functions_lift_row_by_row(data: st.DataObject, width: int) -> None:
    """WSCORE, DEDUCT (full and floor per person) and STREAK on a block give, row
    by row, what they give for each row alone; an error stays in its row."""
    from udfs.scoring import deduct, streak, wscore

    marks = st.one_of(
        st.integers(0, 100), st.sampled_from([59.5, 60, 69.99999999999, 0.1 + 0.2, -1])
    )
    block = data.draw(_block(width, marks), label="block")
    n = len(block)
    weights = data.draw(
        st.lists(st.sampled_from([0.7, 0.3, 1, 0.5, 0]), min_size=width, max_size=width)
    )
    caps = data.draw(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from([None, 30, 60, 100]), min_size=width, max_size=width),
        )
    )
    fulls = data.draw(st.lists(st.sampled_from([100, 30, 10, None]), min_size=n, max_size=n))
    floors = data.draw(st.lists(st.sampled_from([0, 40, None, -5]), min_size=n, max_size=n))
    points = data.draw(
        st.one_of(
            st.sampled_from([4, 0.5, 0]),
            st.lists(st.sampled_from([1, 2, 5]), min_size=width, max_size=width),
        )
    )
    criteria = data.draw(st.sampled_from([None, "<70", ">=60", 60, "<>0", "=100"]))
    which = data.draw(st.sampled_from([None, "last", "末尾", "longest"]))

    cases: list[tuple[Callable[..., Any], list[Any], Callable[[int], list[Any]]]] = [
        (wscore, [block, weights, caps], lambda i: [[block[i]], weights, caps]),
        (
            deduct,
            [[[f] for f in fulls], block, points, [[f] for f in floors]],
            lambda i: [fulls[i], [block[i]], points, floors[i]],
        ),
        (streak, [block, criteria, which], lambda i: [[block[i]], criteria, which]),
    ]
    for func, whole, alone in cases:
        result = _flat(call_checked(func, whole))
        assert len(result) == n, (func.__name__, result)
        for i in range(n):
            expected = func(*alone(i))
            assert _same(result[i], expected), (func.__name__, i, block[i], result[i], expected)


# --------------------------------------------------------------------------- invariants: money


_WEIGHTS = [0, 0, 1, 1, 0.5, 0.3, 1 / 3, 2, 0.1 + 0.2, 1e-9, 1e9, 7, 5e-324, 1e-320, 1e308]


@INVARIANT
@given(
    units=st.one_of(st.integers(-(10**6), 10**8), st.sampled_from([0, 1, 10**13, -(10**12)])),
    unit=st.sampled_from([0.01, 1, 0.05, 100, 0.1, 0.5]),
    weights=st.lists(st.sampled_from(_WEIGHTS), min_size=1, max_size=9),
    shape=st.sampled_from(["row", "column", "block", "array"]),
)
def test_allocate_adds_up_exactly(
    units: int, unit: float, weights: list[float], shape: str
) -> None:
    """ALLOCATE's shares are whole units, each within one unit of its exact quota,
    equal weights get shares a unit apart at most (the earlier the larger), and
    they add up to the amount exactly, in the weights' shape."""
    from udfs.money import allocate

    assume(any(w > 0 for w in weights))
    amount_dec = Decimal(units) * _dec(unit)
    amount = float(amount_dec)
    arg: Any = [weights]
    if shape == "column":
        arg = [[w] for w in weights]
    elif shape == "block" and len(weights) % 2 == 0:
        arg = [weights[: len(weights) // 2], weights[len(weights) // 2 :]]
    elif shape == "array":
        arg = np.array(weights)
    result = call_checked(allocate, [amount, arg, unit])
    shares = _flat(result)
    expected_shape = (
        np.asarray(arg)
        .reshape((1, -1) if np.asarray(arg).ndim == 1 else np.asarray(arg).shape)
        .shape
    )
    if isinstance(result, np.ndarray):
        assert result.shape == expected_shape
    else:
        assert expected_shape == (1, 1)
    share_dec = [_dec(s) for s in shares]
    assert sum(share_dec) == amount_dec
    step = _dec(unit)
    total_w = sum(Fraction(_dec(w)) for w in weights)
    for s, w in zip(share_dec, weights, strict=True):
        assert (s / step) == (s / step).to_integral_value(), (s, unit)
        quota = Fraction(amount_dec) * Fraction(_dec(w)) / total_w
        assert abs(Fraction(s) - quota) < Fraction(step), (s, quota)
    for i, j in itertools.combinations(range(len(weights)), 2):
        if weights[i] == weights[j] and weights[i] > 0:
            gap = abs(share_dec[i]) - abs(share_dec[j])
            assert Decimal(0) <= gap <= step, (share_dec[i], share_dec[j])


# --------------------------------------------------------------------------- invariants: ranking


def _rank_values() -> st.SearchStrategy[list[Any]]:
    """A column with ties (also 0.1+0.2 against 0.3), blanks and negatives."""
    v = st.one_of(
        st.integers(-3, 6).map(float),
        st.sampled_from([0.1 + 0.2, 0.3, 1e-13, -0.0, 85.5, 85.50000000000004]),
        st.none(),
    )
    return st.lists(v, min_size=1, max_size=12)


def _reference_ranks(
    keys: list[float | None], part: list[bool], groups: list[Any], low_first: bool
) -> dict[str, list[float | None]]:
    """Every method's rank by brute force: count who is better in the same group."""
    out: dict[str, list[float | None]] = {
        m: [] for m in ("competition", "dense", "average", "ordinal")
    }
    for i, ki in enumerate(keys):
        if not part[i] or ki is None:
            for m in out:
                out[m].append(None)
            continue
        rivals = [
            (j, kj)
            for j, kj in enumerate(keys)
            if part[j] and kj is not None and groups[j] == groups[i]
        ]
        better = [kj for _, kj in rivals if (kj < ki if low_first else kj > ki)]
        tied = [j for j, kj in rivals if kj == ki]
        out["competition"].append(1.0 + len(better))
        out["dense"].append(1.0 + len(set(better)))
        out["average"].append(1.0 + len(better) + (len(tied) - 1) / 2)
        out["ordinal"].append(1.0 + len(better) + sum(1 for j in tied if j < i))
    return out


@INVARIANT
@given(
    values=_rank_values(),
    data=st.data(),
    low_first=st.booleans(),
    method=st.sampled_from(["competition", "dense", "average", "ordinal"]),
)
def test_rankx_matches_a_brute_force_count(
    values: list[Any], data: st.DataObject, low_first: bool, method: str
) -> None:
    """RANKX equals counting, per person, the better participants of their group
    (values compared at 12 significant digits; blanks and ineligible take no place)."""
    from udfs.ranking import rankx

    n = len(values)
    eligible = data.draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n)))
    groups = data.draw(
        st.one_of(st.none(), st.lists(st.sampled_from(["A", "b", "B", 1]), min_size=n, max_size=n))
    )
    part = [True] * n if eligible is None else eligible
    grp: list[Any] = (
        [0] * n if groups is None else [g.lower() if isinstance(g, str) else g for g in groups]
    )
    keys = [None if v is None else _twelve(v) for v in values]
    expected = _reference_ranks(keys, part, grp, low_first)[method]
    result = call_checked(
        rankx,
        [
            [[v] for v in values],
            1 if low_first else 0,
            method,
            None if groups is None else [[g] for g in groups],
            None if eligible is None else [[e] for e in eligible],
        ],
    )
    assert _flat(result) == expected


@st.composite
def valid_prizes(draw: st.DrawFn) -> list[list[Any]]:
    """Non-overlapping (from, to, amount) rows, with gaps, in any order."""
    rows = []
    place = draw(st.integers(1, 2))
    for _ in range(draw(st.integers(1, 4))):
        width = draw(st.integers(0, 3))
        amount = draw(
            st.one_of(
                st.integers(0, 5000),
                st.sampled_from([0.01, 100.005, 333.33, 0.1 + 0.2, -200, -0.01, -100.005]),
            )
        )
        rows.append([place, place + width, amount])
        place += width + 1 + draw(st.integers(0, 1))
    return draw(st.permutations(rows))


def _prize_cents(prizes: list[list[Any]], place: int) -> int:
    """Fen for one person at ``place`` (amounts rounded to the fen, half up)."""
    for lo, hi, amount in prizes:
        if lo <= place <= hi:
            return int(_dec(float(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    return 0


@INVARIANT
@given(values=_rank_values(), prizes=valid_prizes(), data=st.data(), low_first=st.booleans())
def test_rank_prize_never_pays_more_than_the_table(
    values: list[Any], prizes: list[list[Any]], data: st.DataObject, low_first: bool
) -> None:
    """ "share": each tie block pools the prizes of the places it spans and splits
    them a fen apart at most, so the total paid is exactly the table's amounts for
    the places taken (never more than the table). "each": every person gets the
    prize of their RANK.EQ place."""
    from udfs.ranking import rank_prize, rankx

    n = len(values)
    eligible = data.draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n)))
    args = [
        [[v] for v in values],
        prizes,
        None if eligible is None else [[e] for e in eligible],
        1 if low_first else 0,
    ]
    shared = _flat(call_checked(rank_prize, [*args, "share"]))
    each = _flat(call_checked(rank_prize, [*args, "同奖"]))
    ranks = _flat(rankx(args[0], args[3], None, None, args[2]))
    taken = sum(r is not None for r in ranks)
    cents = [None if s is None else round(s * 100) for s in shared]
    table_total = sum(_prize_cents(prizes, k) for k in range(1, taken + 1))
    assert sum(c for c in cents if c is not None) == table_total
    if all(amount >= 0 for _, _, amount in prizes):  # penalties (negative) pay less, not more
        last = max(hi for _, hi, _ in prizes)
        everything = sum(_prize_cents(prizes, k) for k in range(1, last + 1))
        assert sum(c for c in cents if c is not None) <= everything
    for rank in {r for r in ranks if r is not None}:
        block = [c for c, r in zip(cents, ranks, strict=True) if r == rank]
        pool = sum(_prize_cents(prizes, int(rank) + k) for k in range(len(block)))
        assert sum(block) == pool
        assert max(block) - min(block) <= 1
    for r, paid in zip(ranks, each, strict=True):
        if r is None:
            assert paid is None
        else:
            assert round(paid * 100) == _prize_cents(prizes, int(r))


def _better(a: Sequence[float | None], b: Sequence[float | None], low_first: Sequence[bool]) -> int:
    """-1 if key row ``a`` ranks before ``b``, 1 if after, 0 if tied: column by
    column, a blank after every number whatever the order."""
    for x, y, low in zip(a, b, low_first, strict=True):
        if x == y:
            continue
        if x is None:
            return 1
        if y is None:
            return -1
        return -1 if (x < y if low else x > y) else 1
    return 0


@INVARIANT
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.integers(1, 3).map(float), st.none()),
            st.one_of(st.sampled_from([0.1 + 0.2, 0.3, 45100.0, 45090.0, -1.0]), st.none()),
        ),
        min_size=1,
        max_size=10,
    ),
    orders=st.tuples(st.booleans(), st.booleans()),
    method=st.sampled_from(["competition", "dense", "average", "ordinal"]),
)
def test_rankx_tie_break_columns_match_a_brute_force_count(
    rows: list[tuple[float | None, float | None]], orders: tuple[bool, bool], method: str
) -> None:
    """RANKX with two key columns and an order per column: later columns break
    ties; a blank first key takes no place, a blank tie-break sorts last."""
    from udfs.ranking import rankx

    keys = [(a, None if b is None else _twelve(b)) for a, b in rows]
    expected: list[float | None] = []
    for i, ki in enumerate(keys):
        if ki[0] is None:
            expected.append(None)
            continue
        others = [(j, kj) for j, kj in enumerate(keys) if kj[0] is not None]
        better = [kj for _, kj in others if _better(kj, ki, orders) < 0]
        tied = [j for j, kj in others if _better(kj, ki, orders) == 0]
        expected.append(
            {
                "competition": 1.0 + len(better),
                "dense": 1.0 + len(set(better)),
                "average": 1.0 + len(better) + (len(tied) - 1) / 2,
                "ordinal": 1.0 + len(better) + sum(1 for j in tied if j < i),
            }[method]
        )
    block = [list(r) for r in rows]
    if len(block) == 1:  # one row of two cells would be read as two people
        block.append([None, None])
        expected.append(None)
    result = call_checked(rankx, [block, [int(o) for o in orders], method])
    assert _flat(result) == expected


# --------------------------------------------------------------------------- invariants: explanations and grades


@INVARIANT
@given(
    table=valid_band_table(),
    data=st.data(),
    mode=st.sampled_from(["超额", "全额"]),
    side=st.sampled_from(["lower", "upper"]),
)
def test_tier_detail_adds_up_to_tiered(
    table: list[list[Any]], data: st.DataObject, mode: str, side: str
) -> None:
    """TIER_DETAIL's total row is TIERED's result and its amount column adds up to it."""
    from udfs.bands import tier_detail, tiered

    x = data.draw(_near([row[0] for row in table]), label="x")
    detail = call_checked(tier_detail, [x, table, mode, side])
    total = call_checked(tiered, [x, table, mode, side])
    assert isinstance(detail, np.ndarray), detail
    rows = detail.tolist()
    assert rows[-1][0] == "合计"
    assert rows[-1][4] == total
    assert sum(_dec(r[4]) for r in rows[:-1]) == _dec(total)


@INVARIANT
@given(
    scores=st.lists(
        st.one_of(st.integers(50, 60).map(float), st.none(), st.just(0.1 + 0.2)),
        min_size=1,
        max_size=15,
    ),
    shares=st.lists(st.sampled_from([0, 0.1, 0.2, 0.7, 1, 3]), min_size=1, max_size=4),
    low_first=st.booleans(),
)
def test_forced_dist_labels_follow_the_scores(
    scores: list[Any], shares: list[float], low_first: bool
) -> None:
    """FORCED_DIST: blanks get nothing, everyone else a label; a better score never
    gets a worse label, equal scores get the same one."""
    from udfs.scoring import forced_dist

    assume(sum(shares) > 0)
    labels = [f"L{k}" for k in range(len(shares))]
    out = _flat(call_checked(forced_dist, [[[s] for s in scores], shares, labels, int(low_first)]))
    for s, lab in zip(scores, out, strict=True):
        assert (lab is None) == (s is None)
    people = [(s, labels.index(lab)) for s, lab in zip(scores, out, strict=True) if s is not None]
    for s1, l1 in people:
        for s2, l2 in people:
            better = s1 < s2 if low_first else s1 > s2
            if better:
                assert l1 <= l2, (s1, l1, s2, l2)
            if s1 == s2:
                assert l1 == l2


# --------------------------------------------------------------------------- regressions


def test_floating_point_warnings_never_escape() -> None:
    """Regression: overflowing inputs (WSCORE({1e308,1e308},{10,1}), DEDUCT of
    ±1e308) made numpy emit RuntimeWarnings, which a host running with warnings
    as errors (python -W error) turns into a traceback. excel_function silences
    numpy's floating-point warnings; the result is #NUM! with a message."""
    from udfs.scoring import deduct, wscore

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = wscore([[1e308, 1e308], [1, 2]], [10, 1])
        assert _flat(result)[1] == 12.0
        assert isinstance(_flat(result)[0], ExcelError)
        assert deduct(-1e308, 1, 1e308, -1e308) == -1e308


def test_money_many_digits_of_a_tiny_value() -> None:
    """Regression: MONEY(2e-16, 60) raised decimal.InvalidOperation: the exact
    path for tiny values quantizes to 10**-60 in a 28-digit decimal context
    (udfs/rounding.py decimal_reference). Keeping more decimals than a value has
    leaves it as it is."""
    from udfs.money import money

    assert call_checked(money, [2e-16, 60]) == 2e-16
    assert call_checked(money, [-9.181431e-31, 97]) == -9.181431e-31
    assert call_checked(money, [[[1e-30], [0.125]], 97, "half-even"]).ravel().tolist() == [
        1e-30,
        0.125,
    ]


def test_band_huge_integer_in_the_looked_up_column() -> None:
    """Regression: BAND(50, {0, 10^400}) raised OverflowError: the looked-up cell,
    a Python int beyond a double, went through float(). It is #NUM! like any
    number beyond a double."""
    from udfs.bands import band

    result = call_checked(band, [50, [[0, 10**400], [100, 2]]])
    assert isinstance(result, ExcelError)
    assert result.code == "#NUM!"
    assert call_checked(band, [150, [[0, 10**400], [100, 2]]]) == 2.0


def test_band_looked_up_cell_of_an_unknown_type() -> None:
    """Regression: BAND returned a looked-up cell of a type no cell holds (a
    complex number, a dict, a date object from a careless caller) as it was, so
    the result was not an Excel value. Such a cell is #VALUE! with a message."""
    from udfs.bands import band

    for odd in (complex(1, 1), {"type": "Error"}, datetime.date(2024, 1, 31)):
        result = call_checked(band, [5, [[0, odd]]])
        assert isinstance(result, ExcelError)
        assert result.code == "#VALUE!"


def test_typed_thirteen_digit_tie_reaches_the_start() -> None:
    """Regression (tests/test_bands.py found it): round_sig rounded a value's
    binary double, so 2500029.678085 (typed; a tie at 12 digits, the double a
    hair below) was 2500029.67808 and missed the band starting at 2500029.67809.
    It now rounds the 15-digit reading, as Excel shows the number, on the short
    path and on the edges path of long columns alike."""
    from udfs.bands import band
    from udfs.rounding import round_sig

    assert float(round_sig(2500029.678085, 12)) == 2500029.67809
    table = [[0, "below"], [2500029.67809, "in"]]
    assert call_checked(band, [2500029.678085, table]) == "in"
    column = [[2500029.678085]] * 70
    assert set(_flat(call_checked(band, [column, table]))) == {"in"}
    assert call_checked(band, [2500029.678084, table]) == "below"
