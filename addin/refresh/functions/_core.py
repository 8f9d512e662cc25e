"""The core of the function library: values, coercions, operators, calling.

Excel's worksheet functions with Excel's semantics, for the refresh engine.

Values are the kernel's: ``float``, ``str``, ``bool``, :class:`ExcelError`,
``None`` for a blank cell; an :class:`Area` is a reference (a rectangle of one
sheet) and a 2-D ``numpy`` object array is an array value.

Every function is registered under its Excel name in :data:`FUNCTIONS` with
its parameters' roles, named as the registry's (:mod:`addin.registry`):
``register("VLOOKUP", PER_ROW, WHOLE, PER_ROW, PER_ROW, min_args=3)``. A
:data:`PER_ROW` argument takes a single value (a reference there is implicitly intersected
with the formula's cell in a normal formula, and arrays are *lifted*, the
function applied element by element, as Excel does; down a filled block, one
value per row); a :data:`WHOLE` one a range/array as it is; :func:`repeat`
marks the group a variadic function repeats. Errors in ``PER_ROW``
arguments propagate unless the function handles errors itself (``IFERROR``,
``ISERROR`` …). Excel's storage prefixes (``_xlfn.``) are aliases.

Inside an implementation an Excel error is *raised* with
:func:`udfs.errors.fail` and becomes the call's value in :func:`call`. An
arithmetic or conversion exception (:data:`INTERNAL_ERRORS`: an overflow past
±1E308, a float conversion Python refuses …) becomes an error value with its
reason (:func:`internal_error`), as Excel answers a cell rather than stopping:
#NUM! for an overflow, #VALUE! naming the exception otherwise. A range too
large to hold, recursion and memory errors still propagate (the engine refuses
the formula, naming the cell).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from addin.registry import PER_ROW, WHOLE, ArgumentRole
from addin.xlsx.excel_names import is_excel_function, needs_prefix
from udfs.errors import (
    DIV0,
    NA,
    NAME,
    NUM,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


class _Missing:
    """An argument left empty (``=IF(A1,,1)``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class Grid(Protocol):
    """What an :class:`Area` reads cells from (one sheet of the engine)."""

    name: str

    def get(self, row: int, col: int) -> Any: ...

    def block(self, top: int, left: int, bottom: int, right: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Area:
    """A reference to a rectangle of one sheet (1-based, inclusive)."""

    grid: Grid
    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @property
    def size(self) -> int:
        return self.height * self.width

    def is_cell(self) -> bool:
        return self.top == self.bottom and self.left == self.right

    def values(self) -> np.ndarray:
        """The cells as a 2-D object array (blank = ``None``); whole columns are
        cut at the workbook's used extent, which changes no function's result."""
        return self.grid.block(self.top, self.left, self.bottom, self.right)

    def value(self) -> Any:
        """The one cell's value (top-left)."""
        return self.grid.get(self.top, self.left)

    def sub(self, top: int, left: int, bottom: int, right: int) -> Area:
        """A rectangle inside this one, offsets 0-based relative to the top-left."""
        return Area(
            self.grid, self.top + top, self.left + left, self.top + bottom, self.left + right
        )


class MultiArea(tuple):
    """A union of references, ``(A1:A3,C1:C3)``: each item an :class:`Area`."""

    __slots__ = ()


@dataclass
class CallContext:
    """Where a formula is evaluated: its sheet and cell, array or normal mode."""

    grid: Grid
    row: int
    col: int
    array_mode: bool = False
    date1904: bool = False


Impl = Callable[..., Any]


@dataclass(frozen=True)
class Repeat:
    """The last group of a function's parameters, repeated as often as the call
    needs (SUM's ``number1, [number2], …``; SUMIFS's ``criteria_range, criteria``
    pairs). Written with :func:`repeat` at the end of a declaration."""

    roles: tuple[ArgumentRole, ...]


def repeat(*roles: ArgumentRole) -> Repeat:
    """``register("SUMIFS", WHOLE, WHOLE, PER_ROW, repeat(WHOLE, PER_ROW), min_args=3)``:
    the parameters given last (here the pair ``criteria_range, criteria``)
    repeat after the declared ones."""
    if not roles:
        raise ValueError("repeat() needs at least one role")
    return Repeat(roles)


@dataclass(frozen=True)
class EngineFunction:
    """How the engine calls one worksheet function: an Excel built-in
    registered here, or a contract function of :mod:`addin.registry` (whose
    entries are :class:`addin.registry.FunctionSpec`: names, help, kernel)
    adapted by :func:`addin.refresh.functions.contract.contract_spec`.

    ``params`` is each declared parameter's role in the registry's vocabulary
    (:data:`addin.registry.ArgumentRole`): :data:`PER_ROW` one value (in a normal
    formula a reference there is implicitly intersected with the formula's
    row or column and an array is *lifted*, the function applied element by
    element, as Excel does; down a filled block, one value per row) or
    :data:`WHOLE` (a range or array read as it is, by every row). ``repeat``
    is the group that repeats after them (empty: none); a position beyond both
    reads as :data:`WHOLE`. Inspired by pycel's
    ``pycel.lib.function_helpers.excel_helper(cse_params=…, number_params=…)``,
    which lists by index the parameters an array lifts; here the role stands
    at each parameter's place, so a declaration reads like the signature."""

    name: str
    impl: Impl
    params: tuple[ArgumentRole, ...]
    min_args: int
    max_args: int | None  # None: any number
    handles_errors: bool = False  # PER_ROW arguments may be errors (IFERROR, ISERROR)
    array_args: bool = False  # arguments evaluated as arrays (SUMPRODUCT)
    needs_context: bool = False
    lift_all: bool = False  # when lifting, ranges in WHOLE arguments are lifted too (IF)
    no_lift: bool = False  # an array where one value is expected is #VALUE! (EDATE)
    repeat: tuple[ArgumentRole, ...] = ()  # the trailing group that repeats
    kernel_broadcasts: bool = False  # contract functions: arguments reach the kernel as they are
    # What the engine needs to know of a function, declared here so that the
    # evaluator never asks for a function by name:
    returns_reference: bool = False  # the value may be a reference (INDEX, IF, OFFSET …)
    values_only: bool = False  # reads its WHOLE arguments' values only (SUM, VLOOKUP's table)
    binds_names: bool = False  # LET: the engine binds the names, the arguments are no values
    array_first: bool = False  # a computed first argument is read as an array (INDEX)
    reads_position: bool = False  # with no arguments, the formula's own row/column (ROW())
    intersects: bool = False  # the ``@`` operator: its range argument read per row
    #: Positions of Excel's array-type parameters: evaluated as arrays in a normal
    #: formula too, the others as usual (LOOKUP's vectors: the last-row idiom
    #: ``LOOKUP(2,1/(A:A<>""),ROW(A:A))`` needs no array formula in Excel).
    array_params: tuple[int, ...] = ()
    #: The function down a block of rows in one pass (the *column path*):
    #: ``column(spec, args, rows, memo)`` with the arguments evaluated for the
    #: block (:class:`addin.refresh.functions.columns.RowValues` where they
    #: differ by row), ``rows`` the block (its ``n`` rows, ``one(i)`` its row
    #: ``i`` as a call context) and ``memo`` what the block derives from shared
    #: ranges; it returns the per-row values, one value for every row, or
    #: ``None`` to leave the block to the function row by row. With
    #: ``array_args`` it is called with the block's references as evaluated.
    column: Callable[..., Any] | None = None
    #: Criteria that may differ over the cells of a lifted array (the *IF(S)
    #: family): ``grouped(name, args, per_cell, n)`` computes the cells in one
    #: pass grouped by the distinct criteria, ``None`` for a cell it leaves to
    #: the function (:func:`addin.refresh.functions.criteria.grouped_ifs`).
    grouped: Callable[..., list[Any]] | None = None

    def role(self, i: int) -> ArgumentRole:
        """The role of argument ``i``: its declared one, the repeated group's
        beyond them, :data:`WHOLE` beyond everything declared."""
        if i < len(self.params):
            return self.params[i]
        if self.repeat:
            return self.repeat[(i - len(self.params)) % len(self.repeat)]
        return WHOLE

    def accepts(self, n: int) -> bool:
        """Whether a call may pass ``n`` arguments (Excel refuses to enter any
        other count; the engine answers #VALUE!, the validator names the cell)."""
        return self.min_args <= n and (self.max_args is None or n <= self.max_args)

    def empty_argument(self) -> Any:
        """What an argument written empty passes (``VLOOKUP(a,t,2,)``,
        ``MATCH(x,r,)``, ``IF(c,,1)``, ``COUNT(1,,2)``): to the functions of
        Excel 2007 and before a blank value — 0, FALSE or "" as the parameter
        reads it, so ``VLOOKUP(a,t,2,)`` is an exact match, ``MATCH(x,r,)``
        match type 0, ``LEFT(t,)`` "", ``FIND(a,b,)`` #VALUE! (LibreOffice
        agrees); to the newer ones (``SORT(r,,-1)``, ``XLOOKUP(…,,2)``,
        ``SEQUENCE(5,,10)``) and the contract functions the parameter's default,
        as if it were left out (:data:`MISSING`)."""
        if self.kernel_broadcasts or needs_prefix(self.name) or not is_excel_function(self.name):
            return MISSING
        return None

    def lifts(self, i: int) -> bool:
        """Whether :func:`call` takes argument ``i`` as one value (implicit
        intersection or lifting, its errors propagated): a :data:`PER_ROW`
        argument of a built-in function. A contract function's per-row
        arguments reach its kernel as they are, the kernel broadcasting them."""
        return self.role(i) == PER_ROW and not self.kernel_broadcasts


FUNCTIONS: dict[str, EngineFunction] = {}


def register(
    name: str,
    *params: ArgumentRole | Repeat,
    min_args: int | None = None,
    max_args: int | None = -1,
    handles_errors: bool = False,
    array_args: bool = False,
    needs_context: bool = False,
    lift_all: bool = False,
    no_lift: bool = False,
    returns_reference: bool = False,
    values_only: bool = False,
    binds_names: bool = False,
    array_first: bool = False,
    reads_position: bool = False,
    intersects: bool = False,
    array_params: tuple[int, ...] = (),
    column: Callable[..., Any] | None = None,
    grouped: Callable[..., list[Any]] | None = None,
) -> Callable[[Impl], Impl]:
    """Register ``impl`` under ``name`` (and ``_XLFN.name``) with its
    parameters' roles in order, a :func:`repeat` group last if the function
    takes any number of them. ``min_args`` defaults to the declared
    parameters, ``max_args`` to them too (any number with a repeated group).
    The other keywords are the :class:`EngineFunction` fields of the same names:
    what the engine must know of the function, and its column path."""
    fixed = tuple(p for p in params if not isinstance(p, Repeat))
    groups = [p for p in params if isinstance(p, Repeat)]
    if groups and (len(groups) > 1 or params[-1] is not groups[0]):
        raise ValueError(f"{name}: only the last parameters repeat")
    group = groups[0].roles if groups else ()
    least = len(fixed) if min_args is None else min_args
    most = (None if group else len(fixed)) if max_args == -1 else max_args

    def deco(impl: Impl) -> Impl:
        FUNCTIONS[name] = EngineFunction(
            name,
            impl,
            fixed,
            least,
            most,
            handles_errors,
            array_args,
            needs_context,
            lift_all,
            no_lift,
            group,
            returns_reference=returns_reference,
            values_only=values_only,
            binds_names=binds_names,
            array_first=array_first,
            reads_position=reads_position,
            intersects=intersects,
            array_params=array_params,
            column=column,
            grouped=grouped,
        )
        return impl

    return deco


#: An unsigned decimal numeral as Excel reads one in text: ASCII digits only
#: (Python's float() also takes ``1_000``, ``١٢`` and ``inf``, Excel does not),
#: thousands separators in threes, an exponent. The sign is read before it, once.
_NUM_RE = re.compile(r"^(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")

#: The longest text a cell holds (Excel's specification and limits): a longer
#: result of ``&`` or of any text function is #VALUE!.
TEXT_LIMIT = 32767


def text_too_long() -> ExcelErrorRaised:
    """The #VALUE! of a text longer than :data:`TEXT_LIMIT`."""
    return fail(VALUE, f"文本超过 {TEXT_LIMIT} 字符 / text longer than {TEXT_LIMIT} characters")


_DATE_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}  # fmt: skip
_DATE_DMONY = re.compile(r"^(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]+(\d{2,4})$")
_DATE_MONDY = re.compile(r"^([A-Za-z]{3,9})\.?[-\s](\d{1,2}),?[-\s]+(\d{2,4})$")


def _month_name_date(t: str) -> tuple[int, int, int] | None:
    """(year, month, day) of ``29-Feb-1900``, ``1 Mar 2024``, ``June 9, 1969``."""
    m = _DATE_DMONY.match(t)
    if m:
        d, name, y = m.group(1), m.group(2), m.group(3)
    else:
        m = _DATE_MONDY.match(t)
        if not m:
            return None
        name, d, y = m.group(1), m.group(2), m.group(3)
    mo = _MONTHS.get(name[:3].lower())
    full = calendar.month_name[mo].lower() if mo else ""
    if mo is None or not (len(name) == 3 or full.startswith(name.lower())):
        return None
    year = int(y)
    if len(y) == 2:
        year += 2000 if year < 30 else 1900
    return year, mo, int(d)


_DATE_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


_TIME = re.compile(r"^(\d{1,4}):(\d{1,4})(?::(\d{1,4}(?:\.\d*)?))?(\.\d*)?(?:\s*([AaPp][Mm]))?$")


def _text_date(t: str, date1904: bool) -> float | None:
    """Serial of a date written ``2024-01-31``, ``2024年1月31日`` or, as the
    Excel that computed the oracle read it, day first ``31/01/2024``/``26/08``."""
    m = _DATE_YMD.match(t) or _DATE_CN.match(t)
    named = None if m else _month_name_date(t)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif named is not None:
        y, mo, d = named
    else:
        m = _DATE_DMY.match(t)
        if not m:
            return None
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else _dt.date.today().year
        if m.group(3) and len(m.group(3)) == 2:
            y += 2000 if y < 30 else 1900
    if (y, mo, d) == (1900, 2, 29) and not date1904:
        return 60.0
    try:
        _dt.date(y, mo, d)
    except ValueError:
        return None
    if y < (1904 if date1904 else 1900):
        return None
    return float(date_serial(y, mo, d, date1904))


def _text_time(t: str) -> float | None:
    m = _TIME.match(t)
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    sec = float(m.group(3) or 0)
    if m.group(4) and len(m.group(4)) > 1 and m.group(3) is None:
        # "23:59.5" is minutes:seconds.fraction
        h, mi, sec = 0, h, mi + float(m.group(4))
        if mi >= 60:
            return None
    elif h > 24 or (m.group(3) is not None and mi >= 60) or (h == 24 and (mi or sec)):
        return None
    # only the last part may run past 59 ("23:99" is 24:39), as Excel reads it
    ampm = (m.group(5) or "").upper()
    if ampm and not 1 <= h <= 12:
        return None
    if ampm:
        h = h % 12 + (12 if ampm == "PM" else 0)
    return (h * 3600 + mi * 60 + sec) / 86400


_NUMBER_STARTS = frozenset("0123456789+-.$¥￥(")


def text_to_number(text: str, date1904: bool = False) -> float | None:
    """The number a text reads as (Excel's VALUE: ``"1,200"``, ``"50%"``,
    ``"$3"``, ``"2024-01-31"``, ``"31/01/2024 02:00 AM"``, ``"12:30"``), else ``None``."""
    t = text.strip()
    if not t:
        return None
    if t[0] not in _NUMBER_STARTS:
        if t[:3].isalpha() and t[-1].isdigit():  # "June 9, 1969" (a month's name, 3+ letters)
            return _text_date(t, date1904)
        return None
    neg = False
    if t.startswith("(") and t.endswith(")"):
        t, neg = t[1:-1].strip(), True
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    sign = ""
    if t.startswith(("+", "-")):  # startswith: "" (all of "¥" or "()" stripped) is no sign
        sign, t = t[0], t[1:].strip()
    if t.startswith(("$", "¥", "￥")):
        t = t[1:].strip()
        if not sign and t.startswith(("+", "-")):  # "$-3"
            sign, t = t[0], t[1:].strip()
    if _NUM_RE.match(t):
        v = float(sign + t.replace(",", "")) * scale
        if not math.isfinite(v):
            return None
        return -v if neg else v
    if scale != 1.0 or sign or neg:
        return None
    day = _text_date(t, date1904)
    if day is not None:
        return day
    tm = _text_time(t)
    if tm is not None:
        return tm
    parts = t.split(None, 1)
    if len(parts) == 2:
        day = _text_date(parts[0], date1904)
        tm = _text_time(parts[1])
        if day is not None and tm is not None:
            return day + tm
    return None


def to_number(v: Any, date1904: bool = False) -> float:
    """A single value as a number (Excel's arithmetic coercion); raises the error."""
    if v.__class__ is float:
        return v
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, ExcelError):
        raise ExcelErrorRaised(v)
    if isinstance(v, str):
        n = text_to_number(v, date1904)
        if n is None:
            raise fail(VALUE, f"文本“{v}”不是数值 / text {v!r} is not a number")
        return n
    raise fail(VALUE, f"无法作为数值 / not a number: {type(v).__name__}")


def format_general(x: float) -> str:
    """A number as Excel turns it into text (General format, 15 digits)."""
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.15g}"
    if "e" in s:
        mant, exp = s.split("e")
        e = int(exp)
        if -10 < e < 0:
            # Excel writes small numbers out in full where they fit
            d = Decimal(s).normalize()
            return format(d, "f")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        return f"{mant}E{'+' if e >= 0 else '-'}{abs(e):02d}"
    return s


def to_text(v: Any) -> str:
    """A single value as text (``&``, text functions); raises the error."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float | np.integer | np.floating):
        return format_general(float(v))
    if v is None or v is MISSING:
        return ""
    if isinstance(v, ExcelError):
        raise ExcelErrorRaised(v)
    raise fail(VALUE, f"无法作为文本 / not text: {type(v).__name__}")


def to_bool(v: Any) -> bool:
    """A single value as a logical (``IF``'s condition); raises the error."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v) != 0
    if v is None or v is MISSING:
        return False
    if isinstance(v, ExcelError):
        raise ExcelErrorRaised(v)
    if isinstance(v, str):
        u = v.strip().upper()
        if u == "TRUE":
            return True
        if u == "FALSE":
            return False
        raise fail(VALUE, f"文本“{v}”不是逻辑值 / text {v!r} is not TRUE/FALSE")
    raise fail(VALUE, "不是逻辑值 / not a logical value")


def to_int(v: Any) -> int:
    """A number truncated toward zero (argument positions, digits)."""
    return math.trunc(to_number(v))


def _type_rank(v: Any) -> int:
    if isinstance(v, bool):
        return 2
    if isinstance(v, str):
        return 1
    return 0


def round15(x: float) -> float:
    """``x`` rounded to 15 significant digits (how Excel compares numbers)."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.15g}")


def compare(a: Any, b: Any) -> int:
    """Excel's ordering of two single values: numbers < text < logicals; text
    case-insensitive; a blank is 0, "" or FALSE to match the other side.
    Errors must be handled by the caller."""
    if a is None or a is MISSING:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None or b is MISSING:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)
    ra, rb = _type_rank(a), _type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 1:
        x, y = a.casefold(), b.casefold()
    elif ra == 2:
        x, y = bool(a), bool(b)
    else:
        x, y = round15(float(a)), round15(float(b))
    return 0 if x == y else (-1 if x < y else 1)


def _first_error(*vals: Any) -> ExcelError | None:
    for v in vals:
        if isinstance(v, ExcelError):
            return v
    return None


def op_add(a: float, b: float) -> float:
    r = a + b
    if r != 0 and abs(r) < max(abs(a), abs(b)) * 1e-15:
        return 0.0
    return r


def op_sub(a: float, b: float) -> float:
    r = a - b
    if r != 0 and abs(r) < max(abs(a), abs(b)) * 1e-15:
        return 0.0
    return r


def op_div(a: float, b: float) -> float:
    if b == 0:
        raise fail(DIV0, "除数为零 / division by zero")
    return a / b


def op_pow(a: float, b: float) -> float:
    if a == 0 and b == 0:
        raise fail(NUM, "0^0 无定义 / 0^0 is undefined")
    if a == 0 and b < 0:
        raise fail(DIV0, "零的负数次幂 / zero to a negative power")
    if a < 0 and b != int(b):
        raise fail(NUM, "负数的非整数次幂 / negative number to a fractional power")
    try:
        r = a**b
    except OverflowError:
        raise fail(NUM, "结果溢出 / result overflows") from None
    if isinstance(r, complex):
        raise fail(NUM, "负数的非整数次幂 / negative number to a fractional power")
    return float(r)


_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": op_add,
    "-": op_sub,
    "*": lambda a, b: a * b,
    "/": op_div,
    "^": op_pow,
}


_CMP: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def binary_op(op: str, a: Any, b: Any, date1904: bool = False) -> Any:
    """One binary operator on two single values, Excel's way."""
    err = _first_error(a, b)
    if err is not None:
        return err
    try:
        if op in _ARITH:
            r = _ARITH[op](to_number(a, date1904), to_number(b, date1904))
            if not math.isfinite(r):
                return NUM.with_message("结果溢出 / result overflows")
            return r
        if op == "&":
            joined = to_text(a) + to_text(b)
            if len(joined) > TEXT_LIMIT:
                raise text_too_long()
            return joined
        return _CMP[op](compare(a, b))
    except ExcelErrorRaised as exc:
        return exc.error


def unary_op(op: str, a: Any, date1904: bool = False) -> Any:
    """Unary minus/plus or percent on a single value."""
    if isinstance(a, ExcelError):
        return a
    if op == "+":
        return 0.0 if a is None else a
    try:
        x = to_number(a, date1904)
    except ExcelErrorRaised as exc:
        return exc.error
    return -x if op == "-" else x / 100


def intersect(area: Area, ctx: CallContext) -> Any:
    """Implicit intersection: the cell of ``area`` in the formula's row or column."""
    if area.is_cell():
        return area.value()
    if area.left == area.right and area.top <= ctx.row <= area.bottom:
        return area.grid.get(ctx.row, area.left)
    if area.top == area.bottom and area.left <= ctx.col <= area.right:
        return area.grid.get(area.top, ctx.col)
    return VALUE.with_message(
        "区域无法隐式交叉到本单元格 / the range does not intersect the formula's row or column"
    )


_SHARED: list[dict[tuple[Any, str], tuple[Any, Any]]] = []


_USES: list[dict[tuple[Any, str], int]] = []


@contextmanager
def shared_work() -> Iterator[None]:
    """While a function is applied many times to the same ranges (lifted over an
    array, or down a block of rows), cache what is derived from those ranges:
    their values, hash indexes for exact lookups and equality criteria."""
    _SHARED.append({})
    _USES.append({})
    try:
        yield
    finally:
        _SHARED.pop()
        _USES.pop()


def _cached(owner: Any, tag: str, build: Callable[[], Any]) -> Any:
    """``build()`` once per ``owner`` inside :func:`shared_work` (the outermost
    one: the engine opens one for a whole calculation).

    Only work asked for a second time is kept (a range read once, such as each
    row's ``$A$1:A7`` in a running count, is not worth the memory). A reference
    (:class:`Area`) is keyed by its value: the engine reads a range only after
    every cell in it is final, so what is derived from it stays true. Other
    owners (arrays, lists) are keyed by identity and kept alive with the entry."""
    if not _SHARED:
        return build()
    cache = _SHARED[0]
    is_area = isinstance(owner, Area)
    key = (owner if is_area else id(owner), tag)
    hit = cache.get(key)
    if hit is not None and (is_area or hit[0] is owner):
        return hit[1]
    uses = _USES[0]
    n = uses.get(key, 0) + 1
    uses[key] = n
    value = build()
    if n >= 2:
        cache[key] = (owner, value)
    return value


def _when_reused(owner: Any, tag: str, build: Callable[[], Any]) -> Any:
    """Like :func:`_cached`, but ``None`` (build nothing) the first time: for
    indexes that only pay off when a range is searched again."""
    if not _SHARED:
        return None
    is_area = isinstance(owner, Area)
    key = (owner if is_area else id(owner), tag)
    hit = _SHARED[0].get(key)
    if hit is not None and (is_area or hit[0] is owner):
        return hit[1]
    if _USES[0].get(key, 0) == 0:
        _USES[0][key] = 1
        return None
    return _cached(owner, tag, build)


def as_array(v: Any) -> np.ndarray:
    """Any value as a 2-D object array."""
    if isinstance(v, MultiArea):
        raise fail(VALUE, "此处不能使用多区域引用 / a multi-area reference is not allowed here")
    if isinstance(v, Area):
        return _cached(v, "values", v.values) if _SHARED else v.values()
    if isinstance(v, np.ndarray):
        return v
    out = np.empty((1, 1), dtype=object)
    out[0, 0] = v
    return out


def broadcast_get(arr: np.ndarray, i: int, j: int) -> Any:
    h, w = arr.shape
    if h == 1:
        i = 0
    if w == 1:
        j = 0
    if i >= h or j >= w:
        return NA
    return arr[i, j]


def call(
    spec: EngineFunction, args: list[Any], ctx: CallContext, target: tuple[int, int] | None = None
) -> Any:
    """Apply ``spec`` to evaluated arguments: coerce ``PER_ROW`` arguments (implicit
    intersection or lifting), propagate their errors, call, and turn a raised
    Excel error into the value.

    ``target``: the range a legacy array formula fills, when this call is the
    formula's outermost; Excel then evaluates the function at every cell of the
    range, an argument array too small for it reading as #N/A there (so
    ``{=ISTEXT(A1:B1)}`` over three cells ends in FALSE, not #N/A)."""
    n = len(args)
    if not spec.accepts(n):
        return VALUE.with_message(
            f"{spec.name} 参数个数不对 / {spec.name}: wrong number of arguments ({n})"
        )
    lifted: list[int] = []
    vals = list(args)
    for i, v in enumerate(vals):
        if not spec.lifts(i):
            continue
        if isinstance(v, MultiArea):
            v = vals[i] = VALUE
        if isinstance(v, Area):
            if ctx.array_mode and not v.is_cell():
                v = v.values()
            else:
                v = v.value() if v.is_cell() else intersect(v, ctx)
            vals[i] = v
        if isinstance(v, np.ndarray):
            lifted.append(i)  # even a 1×1 array lifts (INDEX({2,3;4,5},{1}) is {2})
    if lifted and spec.lift_all:
        for i, v in enumerate(vals):
            if not spec.lifts(i) and isinstance(v, Area | np.ndarray):
                arr = as_array(v)
                if arr.shape == (1, 1):
                    vals[i] = arr[0, 0]
                else:
                    vals[i] = arr
                    lifted.append(i)
    if lifted and spec.no_lift:
        return VALUE.with_message(f"{spec.name} 不接受数组 / {spec.name} does not take arrays")
    if lifted:
        with shared_work():
            return _lift(spec, vals, lifted, ctx, target)
    return _call_scalar(spec, vals, ctx)


def _lift(
    spec: EngineFunction,
    vals: list[Any],
    lifted: list[int],
    ctx: CallContext,
    target: tuple[int, int] | None = None,
) -> Any:
    """Apply ``spec`` element by element over the lifted arguments (Excel's
    broadcasting: a single row or column repeats, beyond an array is #N/A)."""
    h = max(vals[i].shape[0] for i in lifted)
    w = max(vals[i].shape[1] for i in lifted)
    if target is not None and spec.handles_errors and spec.params == (PER_ROW,) and not spec.repeat:
        # only the value-testing functions can tell the padding apart
        h, w = max(h, target[0]), max(w, target[1])
    out = np.empty((h, w), dtype=object)
    if spec.grouped is not None:
        # criteria that vary over the array: one grouped pass, as down a block
        per_cell = {
            i: [broadcast_get(vals[i], r, c) for r in range(h) for c in range(w)] for i in lifted
        }
        grouped = spec.grouped(spec.name, vals, per_cell, h * w)
        if all(v is not None for v in grouped):
            out[...] = np.array(grouped, dtype=object).reshape(h, w)
            return out
    row = list(vals)
    for r in range(h):
        for c in range(w):
            for i in lifted:
                row[i] = broadcast_get(vals[i], r, c)
            v = _call_scalar(spec, row, ctx)
            if isinstance(v, Area):
                v = v.value()
            elif isinstance(v, np.ndarray):
                v = v[0, 0]
            out[r, c] = v
    return out


def _call_scalar(spec: EngineFunction, vals: list[Any], ctx: CallContext) -> Any:
    if not spec.handles_errors:
        for i, v in enumerate(vals):
            if spec.lifts(i) and isinstance(v, ExcelError):
                return v
    try:
        r = spec.impl(ctx, *vals) if spec.needs_context else spec.impl(*vals)
    except ExcelErrorRaised as exc:
        return exc.error
    except INTERNAL_ERRORS as exc:
        return internal_error(spec.name, exc)
    if r.__class__ is str and len(r) > TEXT_LIMIT:
        return text_too_long().error
    if r.__class__ is float and not math.isfinite(r):
        return internal_error(spec.name, OverflowError())
    return r


#: What a function's arithmetic or a conversion can raise that is an answer
#: for the cell, not a reason to stop the refresh. Engine refusals, a range
#: too large to hold, recursion and memory errors are not among them.
INTERNAL_ERRORS = (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError)


def internal_error(where: str, exc: BaseException) -> ExcelError:
    """The Excel error value a cell gets when computing it raised ``exc``:
    an overflow is #NUM! as in Excel (±1E308), a division by zero #DIV/0!, a
    math domain error #NUM!; anything else #VALUE!, its reason naming the
    function and the exception so that the cell explains itself (the refresh
    goes on; the error value and its reason reach the report)."""
    if isinstance(exc, OverflowError):
        return NUM.with_message(f"{where}: 结果溢出 / result overflows (±1E308)")
    if isinstance(exc, ZeroDivisionError):
        return DIV0.with_message(f"{where}: 除数为零 / division by zero")
    if isinstance(exc, ArithmeticError) or (
        isinstance(exc, ValueError) and "domain" in str(exc)
    ):
        return NUM.with_message(f"{where}: 数值无效 / {exc}")
    return VALUE.with_message(
        f"{where}: 无法计算 / cannot be computed ({type(exc).__name__}: {str(exc)[:120]})"
    )


def iter_values(args: tuple[Any, ...]) -> Iterator[tuple[Any, bool]]:
    """Each value of each argument, with whether it came from a reference/array
    (``True``) or was given directly (``False``). Missing arguments are skipped."""
    for a in args:
        if a is MISSING:
            continue
        if isinstance(a, MultiArea):
            for part in a:
                for v in part.values().ravel():
                    yield v, True
            continue
        if isinstance(a, Area | np.ndarray):
            arr = as_array(a)
            for v in arr.ravel():
                yield v, True
        else:
            yield a, False


def numbers_of(args: tuple[Any, ...], date1904: bool = False) -> list[float]:
    """Numbers of SUM-like arguments: numbers in ranges/arrays (text, logicals
    and blanks there ignored); direct arguments coerced; errors raised."""
    out: list[float] = []
    for a in args:
        if a is MISSING:
            continue
        if isinstance(a, Area | np.ndarray):
            flat = as_array(a).ravel().tolist()
            nums = [v for v in flat if isinstance(v, float)]
            if len(nums) != len(flat):
                for v in flat:
                    if isinstance(v, ExcelError):
                        raise ExcelErrorRaised(v)
                nums = [
                    float(v) for v in flat if isinstance(v, float | int) and not isinstance(v, bool)
                ]
            out.extend(nums)
            continue
        for v, from_range in iter_values((a,)):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if from_range:
                if isinstance(v, float | int) and not isinstance(v, bool):
                    out.append(float(v))
            else:
                out.append(to_number(v, date1904))
    return out


def supported_functions() -> list[str]:
    """The Excel functions the built-in engine computes (besides the contract
    functions of :mod:`addin.registry`), by Excel name."""
    return sorted(FUNCTIONS)


_EPOCH_1900 = _dt.date(1899, 12, 31)


_EPOCH_1904 = _dt.date(1904, 1, 1)


def date_serial(y: int, m: int, d: int, date1904: bool = False) -> int:
    """Serial number of a valid calendar date (1900 system with Excel's
    1900-02-29, or the 1904 system)."""
    day = _dt.date(y, m, d)
    if date1904:
        return (day - _EPOCH_1904).days
    n = (day - _EPOCH_1900).days
    return n + 1 if n >= 60 else n


def serial_date(serial: float, date1904: bool = False) -> tuple[int, int, int]:
    """(year, month, day) of a serial number; 0 is 1900-01-00, 60 is 1900-02-29."""
    n = math.floor(serial)
    if n < 0 or n > 2958465:
        raise fail(NUM, "日期序号超出范围 / date serial out of range")
    if date1904:
        day = _EPOCH_1904 + _dt.timedelta(days=n)
        return day.year, day.month, day.day
    if n == 0:
        return 1900, 1, 0
    if n == 60:
        return 1900, 2, 29
    if n > 60:
        n -= 1
    day = _EPOCH_1900 + _dt.timedelta(days=n)
    return day.year, day.month, day.day


def _stored_without_prefix(*_args: Any) -> ExcelError:
    return NAME.with_message(
        "函数缺少 _xlfn. 前缀，Excel 显示 #NAME?（jixiao fix 可补上）/ "
        "a newer function stored without its _xlfn. prefix: Excel shows #NAME? (jixiao fix adds it)"
    )


#: a function newer than Excel 2007 written without the prefix a file must
#: store it with (``RANK.EQ(`` for ``_xlfn.RANK.EQ(``): Excel does not know
#: the name and the call is #NAME?, whatever its arguments
STORED_WITHOUT_PREFIX = EngineFunction(
    "#NAME?", _stored_without_prefix, (), 0, None, handles_errors=True
)


def lookup(name: str) -> EngineFunction | None:
    """The spec of an Excel function by name as stored in a file: with its
    storage prefix (``_xlfn.RANK.EQ``), or without one for the functions that
    never had it (``RANK``); a newer function stored without its prefix is
    :data:`STORED_WITHOUT_PREFIX`, as Excel reads it."""
    n = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if n.startswith(prefix):
            return FUNCTIONS.get(n[len(prefix) :])
    if needs_prefix(n):
        return STORED_WITHOUT_PREFIX
    return FUNCTIONS.get(n)
