"""Fuzzing formula text: the engine answers every formula with a value or an
error value, or refuses it by name — it never raises (issue 24, point 1).

Hypothesis builds formulas from Excel's grammar — literals of every kind
(numbers from 1E-300 to 1E308, texts that look like numbers, ``--8``, ``1_000``,
dates and times, logicals, every error literal, array constants), references
(cells, ranges, whole columns and rows, other sheets, undefined names), signs
and percent, every operator, and calls of the functions the engine computes
with any number of arguments (empty ones too), nested — and also token soup
that need not parse. Each formula is computed in a normal cell, down a
filled block of three rows (the vectorised path), and as a dynamic array, over
a sheet that holds numbers, blanks, texts, logicals, errors, 1E308 and a text
of 32,767 characters. The invariant: :func:`addin.refresh.engine.calculate`
returns (each formula cell a number, text, logical or error value) or raises a
refusal (:class:`~addin.xlsx.model.RefreshError`: unreadable formula,
unsupported function, circular reference) — never another exception, which
would be exit 3.

Bounded here (``JIXIAO_FUZZ_EXAMPLES``, default 150 examples); ``make
fuzz-excel`` runs it long.
"""

from __future__ import annotations

import math
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.formula.translate import Translator

from addin.refresh.engine import calculate
from addin.refresh.functions import supported_functions
from addin.xlsx.model import Formula, RefreshError, Sheet, Workbook
from udfs.errors import ExcelError

EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("JIXIAO_FUZZ_RANDOM") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Functions that stay out of the fuzz: the volatile ones (their values are the
#: refresh's, tested elsewhere) and those reading the clock.
_SKIP = {"RAND", "RANDBETWEEN", "RANDARRAY", "NOW", "TODAY"}
FUNCTION_NAMES = [n for n in supported_functions() if n not in _SKIP and not n.startswith("_")]

NUMBERS = st.sampled_from(
    ["0", "1", "-1", "2", "0.5", "1E+308", "1E-300", "1E+15", "123456789012", "3.14159",
     "45292", "0.999999999999999", "32767", "2^27", "1E+20"]
)  # fmt: skip
TEXTS = st.sampled_from(
    ['""', '"a"', '"--8"', '"1_000"', '"1,000"', '" 12 "', '"12:30"', '"2024-01-31"',
     '"TRUE"', '"#N/A"', '"*"', '"?a"', '"~"', '"a,b;c"', '"0.0%"', '"[h]:mm"', '"yyyy"',
     '"@"', '"x\u00a0y"', '"中文"', '"€"', '"$-3"', '"(5)"', 'REPT("a",32767)']
)  # fmt: skip
ERRORS = st.sampled_from(["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NUM!", "#NAME?", "#NULL!"])
LOGICALS = st.sampled_from(["TRUE", "FALSE"])
ARRAYS = st.sampled_from(
    ["{1,2;3,4}", '{1,"a";TRUE,#N/A}', "{0}", '{""}', "{-1,0,1}", "{1;2;3}", '{"b","a","c"}']
)
REFS = st.sampled_from(
    ["A1", "A2", "B3", "$C$4", "A1:A6", "A1:C6", "B1:B6", "A:A", "1:1", "A1:A1",
     "T!A1", "T!A1:B3", "A2:C2", "C1:C6", "NoSuchName", "D1:D6", "A1:A6 B1:B6",
     "(A1:A2,B1:B2)", "F1"]
)  # fmt: skip
UNARY = st.sampled_from(["-", "+", "--", "-+"])
BINARY = st.sampled_from(["+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">="])


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(NUMBERS, TEXTS, ERRORS, LOGICALS, ARRAYS, REFS)


@st.composite
def _call(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    name = draw(st.sampled_from(FUNCTION_NAMES))
    n = draw(st.integers(0, 5))
    args = [draw(st.one_of(inner, st.just(""))) for _ in range(n)]
    return f"{name}({','.join(args)})"


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        _call(inner),
        st.tuples(UNARY, inner).map("".join),
        st.tuples(inner, st.just("%")).map("".join),
        st.tuples(inner, BINARY, inner).map("".join),
        inner.map(lambda s: f"({s})"),
    )


FORMULAS = st.recursive(_leaf(), _extend, max_leaves=8)

TOKENS = st.sampled_from(
    ["(", ")", ",", ";", ":", "!", "+", "-", "*", "/", "^", "&", "%", "=", "<", ">", "{", "}",
     '"', "1", "0.5", "E", "A1", "SUM", "IF", "#N/A", "TRUE", " ", "[", "]", "$", "'", "@", "#"]
)  # fmt: skip
SOUP = st.lists(TOKENS, min_size=1, max_size=12).map("".join)


def _cells() -> Sheet:
    """The sheet every fuzzed formula reads: each kind of value."""
    sh = Sheet("S")
    data: dict[tuple[int, int], Any] = {
        (1, 1): 1.0, (2, 1): -2.5, (3, 1): None, (4, 1): "7", (5, 1): "a", (6, 1): 1e308,
        (1, 2): True, (2, 2): ExcelError("#N/A"), (3, 2): 0.0, (4, 2): "", (5, 2): 45292.0,
        (6, 2): "a" * 32767, (1, 3): "--8", (2, 3): 3.0, (3, 3): ExcelError("#DIV/0!"),
        (4, 3): "1_000", (5, 3): -1e308, (6, 3): 1e-300,
    }  # fmt: skip
    for coord, v in data.items():
        if v is not None:
            sh.values[coord] = v
    return sh


def _shifted(text: str, rows: int) -> str | None:
    """``text`` filled down by ``rows`` as Excel fills it (``None`` if openpyxl
    cannot read the text; the block is then left out)."""
    try:
        moved = Translator("=" + text, origin="E1").translate_formula(f"E{1 + rows}")
    except Exception:  # openpyxl's tokenizer refuses token soup its own way
        return None
    return moved[1:] if moved.startswith("=") else None


def _answered(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    return v is None or isinstance(v, str | bool | ExcelError)


def check_formula(text: str) -> None:
    """Compute ``text`` in a cell, down a block and as a dynamic array."""
    sh = _cells()
    sh.formulas[(1, 5)] = Formula(text)
    for r in (1, 2):
        moved = _shifted(text, r)
        if moved is not None:
            sh.formulas[(1 + r, 5)] = Formula(moved)
    sh.formulas[(1, 8)] = Formula(text, "dynamic", "H1")
    other = Sheet("T")
    other.values[(1, 1)] = 5.0
    other.values[(2, 2)] = "x"
    try:
        res = calculate(Workbook([sh, other]))
    except RefreshError:
        return  # a refusal names the cell (exit 1), as designed
    for coord, v in res.values.get("S", {}).items():
        assert _answered(v), (text, coord, v)


@FUZZ
@given(FORMULAS)
def test_formulas_from_the_grammar_never_raise(text: str) -> None:
    check_formula(text)


@FUZZ
@given(SOUP)
def test_token_soup_never_raises(text: str) -> None:
    check_formula(text)


def test_known_hard_formulas() -> None:
    """Formulas that once raised inside the engine (exit 3)."""
    for text in ['EXP(--"--8")', "SUM(A6,A6)", 'A6&REPT("x",2)', "SIN(1E+20)", "B6&B6",
                 "STDEV(A6,C5)", "SUMPRODUCT(A6:C6)", "-(-A1)%%", "AVERAGE(A6,A6)"]:  # fmt: skip
        check_formula(text)
