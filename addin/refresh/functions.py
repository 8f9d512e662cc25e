"""Excel's worksheet functions with Excel's semantics, for the refresh engine.

Values are the kernel's: ``float``, ``str``, ``bool``, :class:`ExcelError`,
``None`` for a blank cell; an :class:`Area` is a reference (a rectangle of one
sheet) and a 2-D ``numpy`` object array is an array value.

Every function is registered under its Excel name in :data:`FUNCTIONS` with a
parameter spec saying, per argument, whether it takes a single value (``S``:
a reference there is implicitly intersected with the formula's cell in a
normal formula, and arrays are *lifted*, the function applied element by
element, as Excel does) or a range/array as it is (``R``). Errors in ``S``
arguments propagate unless the function handles errors itself (``IFERROR``,
``ISERROR`` …). Excel's storage prefixes (``_xlfn.``) are aliases.

Inside an implementation an Excel error is *raised* with
:func:`udfs.errors.fail` and becomes the call's value in :func:`call`; any
other exception is a bug and propagates.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, Protocol

import numpy as np

from udfs.errors import (
    DIV0,
    NA,
    NUM,
    REF,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
    parse_error,
)

__all__ = [
    "FUNCTIONS",
    "MISSING",
    "Area",
    "CallContext",
    "FunctionSpec",
    "call",
    "compare",
    "supported_functions",
    "to_bool",
    "to_number",
    "to_text",
]


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
class FunctionSpec:
    """How to call one Excel function."""

    name: str
    impl: Impl
    params: str  # one letter per parameter, S or R; a trailing * repeats the last
    min_args: int
    max_args: int | None  # None: any number
    handles_errors: bool = False  # S arguments may be errors (IFERROR, ISERROR)
    array_args: bool = False  # arguments evaluated as arrays (SUMPRODUCT)
    needs_context: bool = False
    lift_all: bool = False  # when lifting, ranges in R arguments are lifted too (IF)
    no_lift: bool = False  # an array where one value is expected is #VALUE! (EDATE)

    def kind(self, i: int) -> str:
        p = self.params
        if "|" in p:  # fixed prefix | repeating group (SUMIFS: "R|RS")
            head, unit = p.split("|")
            return head[i] if i < len(head) else unit[(i - len(head)) % len(unit)]
        if p.endswith("*"):
            body = p[:-1]
            return body[i] if i < len(body) else body[-1]
        return p[i] if i < len(p) else "R"


FUNCTIONS: dict[str, FunctionSpec] = {}


def register(
    name: str,
    params: str,
    min_args: int,
    max_args: int | None = -1,
    *,
    handles_errors: bool = False,
    array_args: bool = False,
    needs_context: bool = False,
    lift_all: bool = False,
    no_lift: bool = False,
) -> Callable[[Impl], Impl]:
    """Register ``impl`` under ``name`` (and ``_XLFN.name``)."""

    def deco(impl: Impl) -> Impl:
        variadic = params.endswith("*") or "|" in params
        mx = (None if variadic else len(params)) if max_args == -1 else max_args
        spec = FunctionSpec(
            name,
            impl,
            params,
            min_args,
            mx,
            handles_errors,
            array_args,
            needs_context,
            lift_all,
            no_lift,
        )
        FUNCTIONS[name] = spec
        return impl

    return deco


# ------------------------------------------------------------------ coercions

_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DATE_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")
_DATE_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:\s*([AaPp][Mm]))?$")


def _text_date(t: str, date1904: bool) -> float | None:
    """Serial of a date written ``2024-01-31``, ``2024年1月31日`` or, as the
    Excel that computed the oracle read it, day first ``31/01/2024``/``26/08``."""
    m = _DATE_YMD.match(t) or _DATE_CN.match(t)
    if m:
        y, mo, d = (int(g) for g in m.groups())
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
    ampm = (m.group(4) or "").upper()
    if mi >= 60 or sec >= 60 or (ampm and not 1 <= h <= 12):
        return None
    if ampm:
        h = h % 12 + (12 if ampm == "PM" else 0)
    return (h * 3600 + mi * 60 + sec) / 86400


_NUMBER_STARTS = frozenset("0123456789+-.$¥￥(")


def text_to_number(text: str, date1904: bool = False) -> float | None:
    """The number a text reads as (Excel's VALUE: ``"1,200"``, ``"50%"``,
    ``"$3"``, ``"2024-01-31"``, ``"31/01/2024 02:00 AM"``, ``"12:30"``), else ``None``."""
    t = text.strip()
    if not t or t[0] not in _NUMBER_STARTS:
        return None
    neg = False
    if t.startswith("(") and t.endswith(")"):
        t, neg = t[1:-1].strip(), True
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    sign = ""
    if t[:1] in "+-":
        sign, t = t[0], t[1:].strip()
    if t[:1] in "$¥￥":
        t = t[1:].strip()
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


# --------------------------------------------------------------- operators


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
            return to_text(a) + to_text(b)
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


# ------------------------------------------------------------ calling helpers


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


def _broadcast_get(arr: np.ndarray, i: int, j: int) -> Any:
    h, w = arr.shape
    if h == 1:
        i = 0
    if w == 1:
        j = 0
    if i >= h or j >= w:
        return NA
    return arr[i, j]


def call(
    spec: FunctionSpec, args: list[Any], ctx: CallContext, target: tuple[int, int] | None = None
) -> Any:
    """Apply ``spec`` to evaluated arguments: coerce ``S`` arguments (implicit
    intersection or lifting), propagate their errors, call, and turn a raised
    Excel error into the value.

    ``target``: the range a legacy array formula fills, when this call is the
    formula's outermost; Excel then evaluates the function at every cell of the
    range, an argument array too small for it reading as #N/A there (so
    ``{=ISTEXT(A1:B1)}`` over three cells ends in FALSE, not #N/A)."""
    n = len(args)
    if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        return VALUE.with_message(
            f"{spec.name} 参数个数不对 / {spec.name}: wrong number of arguments ({n})"
        )
    lifted: list[int] = []
    vals = list(args)
    for i, v in enumerate(vals):
        if spec.kind(i) != "S":
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
            if spec.kind(i) == "R" and isinstance(v, Area | np.ndarray):
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
    spec: FunctionSpec,
    vals: list[Any],
    lifted: list[int],
    ctx: CallContext,
    target: tuple[int, int] | None = None,
) -> Any:
    """Apply ``spec`` element by element over the lifted arguments (Excel's
    broadcasting: a single row or column repeats, beyond an array is #N/A)."""
    h = max(vals[i].shape[0] for i in lifted)
    w = max(vals[i].shape[1] for i in lifted)
    if target is not None and spec.handles_errors and spec.params == "S":
        # only the value-testing functions can tell the padding apart
        h, w = max(h, target[0]), max(w, target[1])
    out = np.empty((h, w), dtype=object)
    row = list(vals)
    for r in range(h):
        for c in range(w):
            for i in lifted:
                row[i] = _broadcast_get(vals[i], r, c)
            v = _call_scalar(spec, row, ctx)
            if isinstance(v, Area):
                v = v.value()
            elif isinstance(v, np.ndarray):
                v = v[0, 0]
            out[r, c] = v
    return out


def _call_scalar(spec: FunctionSpec, vals: list[Any], ctx: CallContext) -> Any:
    if not spec.handles_errors:
        for i, v in enumerate(vals):
            if spec.kind(i) == "S" and isinstance(v, ExcelError):
                return v
    try:
        if spec.needs_context:
            return spec.impl(ctx, *vals)
        return spec.impl(*vals)
    except ExcelErrorRaised as exc:
        return exc.error


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


def _num_array(a: Any) -> np.ndarray:
    """A range/array as floats with NaN for non-numbers; raises the first error."""
    arr = as_array(a)
    out = np.full(arr.shape, np.nan)
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out[idx] = v
    return out


# ------------------------------------------------------------------- logical


_NOT_GIVEN = object()


@register("IF", "SRR", 1, 3, handles_errors=True, lift_all=True)
def IF(cond: Any, yes: Any = _NOT_GIVEN, no: Any = _NOT_GIVEN) -> Any:
    """IF(condition, [value_if_true], [value_if_false]); the chosen value is
    returned as it is (a reference stays a reference)."""
    if isinstance(cond, ExcelError):
        return cond
    chosen = yes if to_bool(cond) else no
    if chosen is _NOT_GIVEN:
        return to_bool(cond) if yes is _NOT_GIVEN else False
    return 0.0 if chosen is MISSING else chosen


@register("IFS", "|SS", 2, None, handles_errors=True)
def IFS(*args: Any) -> Any:
    """IFS(cond1, value1, …): the value of the first true condition, else #N/A."""
    if len(args) % 2:
        raise fail(VALUE, "IFS 参数须成对 / IFS needs condition/value pairs")
    for i in range(0, len(args), 2):
        c = args[i]
        if isinstance(c, ExcelError):
            return c
        if to_bool(c):
            v = args[i + 1]
            return 0.0 if v is None or v is MISSING else v
    return NA.with_message("IFS 没有为真的条件 / no condition is TRUE")


@register("IFERROR", "SS", 2, 2, handles_errors=True)
def IFERROR(value: Any, fallback: Any) -> Any:
    """IFERROR(value, value_if_error). A blank passes on as a blank (the cell
    holding the formula shows 0, ``IFERROR(A9,"x")&""`` is ``""``)."""
    if isinstance(value, ExcelError):
        return 0.0 if fallback is MISSING else fallback
    return 0.0 if value is MISSING else value


@register("IFNA", "SS", 2, 2, handles_errors=True)
def IFNA(value: Any, fallback: Any) -> Any:
    """IFNA(value, value_if_na). A blank passes on as a blank, as in IFERROR."""
    if isinstance(value, ExcelError) and value.code == "#N/A":
        return 0.0 if fallback is MISSING else fallback
    return 0.0 if value is MISSING else value


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    out: list[bool] = []
    for v, from_range in iter_values(args):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if from_range:
            if isinstance(v, bool):
                out.append(v)
            elif isinstance(v, float | int):
                out.append(v != 0)
        elif isinstance(v, str):
            u = v.strip().upper()
            if u in ("TRUE", "FALSE"):
                out.append(u == "TRUE")
        else:
            out.append(to_bool(v))
    if not out:
        raise fail(VALUE, "没有逻辑值 / no logical values")
    return out


@register("AND", "R*", 1, None)
def AND(*args: Any) -> bool:
    """AND(logical1, …)."""
    return all(_logicals(args))


@register("OR", "R*", 1, None)
def OR(*args: Any) -> bool:
    """OR(logical1, …)."""
    return any(_logicals(args))


@register("NOT", "S", 1, 1)
def NOT(v: Any) -> bool:
    """NOT(logical)."""
    return not to_bool(v)


@register("TRUE", "", 0, 0)
def TRUE() -> bool:
    """TRUE()."""
    return True


@register("FALSE", "", 0, 0)
def FALSE() -> bool:
    """FALSE()."""
    return False


# ------------------------------------------------------------ aggregation


@register("SUM", "R*", 1, None)
def SUM(*args: Any) -> float:
    """SUM(number1, …)."""
    return math.fsum(numbers_of(args)) if args else 0.0


@register("COUNT", "R*", 1, None)
def COUNT(*args: Any) -> float:
    """COUNT(value1, …): numbers in ranges; direct arguments that read as numbers."""
    n = 0
    for v, from_range in iter_values(args):
        if isinstance(v, bool):
            n += 0 if from_range else 1
        elif isinstance(v, float | int) or (
            isinstance(v, str) and not from_range and text_to_number(v) is not None
        ):
            n += 1
    return float(n)


@register("COUNTA", "R*", 1, None)
def COUNTA(*args: Any) -> float:
    """COUNTA(value1, …): non-blank values."""
    n = 0
    for a in args:
        if a is MISSING:
            n += 1
            continue
        for v, _ in iter_values((a,)):
            if v is not None:
                n += 1
    return float(n)


@register("COUNTBLANK", "R", 1, 1)
def COUNTBLANK(a: Any) -> float:
    """COUNTBLANK(range): blank cells and cells holding ""."""
    if isinstance(a, Area):
        arr = a.values()
        nonblank = sum(1 for v in arr.ravel() if not (v is None or v == ""))
        return float(a.size - nonblank)
    arr = as_array(a)
    return float(sum(1 for v in arr.ravel() if v is None or v == ""))


@register("AVERAGE", "R*", 1, None)
def AVERAGE(*args: Any) -> float:
    """AVERAGE(number1, …)."""
    nums = numbers_of(args)
    if not nums:
        raise fail(DIV0, "没有数值可平均 / nothing to average")
    return math.fsum(nums) / len(nums)


@register("MIN", "R*", 1, None)
def MIN(*args: Any) -> float:
    """MIN(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return min(nums) if nums else 0.0


@register("MAX", "R*", 1, None)
def MAX(*args: Any) -> float:
    """MAX(number1, …); 0 when there are no numbers."""
    nums = numbers_of(args)
    return max(nums) if nums else 0.0


@register("SUMPRODUCT", "R*", 1, None, array_args=True)
def SUMPRODUCT(*args: Any) -> float:
    """SUMPRODUCT(array1, …): non-numbers count as 0; shapes must agree."""
    arrays = [as_array(a) for a in args]
    shape = arrays[0].shape
    for arr in arrays:
        for v in arr.ravel():
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
    for arr in arrays:
        if arr.shape != shape:
            raise fail(VALUE, "SUMPRODUCT 各数组大小不同 / arrays differ in size")
    total = np.ones(shape)
    for arr in arrays:
        vals = np.zeros(shape)
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, ExcelError):
                raise ExcelErrorRaised(v)
            if isinstance(v, float | int) and not isinstance(v, bool):
                vals[idx] = v
        total = total * vals
    return math.fsum(total.ravel().tolist())


_SUBTOTAL_KINDS = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT",
                   7: "STDEV", 8: "STDEVP", 9: "SUM", 10: "VAR", 11: "VARP"}  # fmt: skip


@register("SUBTOTAL", "SR*", 2, None)
def SUBTOTAL(code: Any, *refs: Any) -> float:
    """SUBTOTAL(function_num, ref1, …) for codes 1–11 and 101–111.

    Differences from Excel: rows hidden by filtering or by hand are not known
    to the engine, so 101–111 count them like 1–11; SUBTOTAL cells inside the
    ranges are not skipped.
    """
    k = to_int(code)
    kind = _SUBTOTAL_KINDS.get(k % 100 if k > 100 else k)
    if kind is None or not (1 <= k <= 11 or 101 <= k <= 111):
        raise fail(VALUE, "SUBTOTAL 的函数编号无效 / invalid function_num")
    if kind == "COUNT":
        return COUNT(*refs)
    if kind == "COUNTA":
        return COUNTA(*refs)
    nums = numbers_of(refs)
    if kind == "SUM":
        return math.fsum(nums)
    if kind in ("MAX", "MIN"):
        return (max(nums) if kind == "MAX" else min(nums)) if nums else 0.0
    if kind == "PRODUCT":
        return math.prod(nums) if nums else 0.0
    if kind == "AVERAGE":
        if not nums:
            raise fail(DIV0, "没有数值可平均 / nothing to average")
        return math.fsum(nums) / len(nums)
    sample = kind in ("STDEV", "VAR")
    if len(nums) < (2 if sample else 1):
        raise fail(DIV0, "数值个数不足 / not enough numbers")
    mean = math.fsum(nums) / len(nums)
    var = math.fsum((x - mean) ** 2 for x in nums) / (len(nums) - (1 if sample else 0))
    return math.sqrt(var) if kind.startswith("STDEV") else var


@register("SINGLE", "R", 1, 1, needs_context=True)
def SINGLE(ctx: CallContext, v: Any) -> Any:
    """The ``@`` operator (stored as ``_xlfn.SINGLE``): implicit intersection of
    a range with the formula's row or column, the first value of an array."""
    if isinstance(v, Area):
        return intersect(v, ctx)
    if isinstance(v, MultiArea):
        return VALUE
    if isinstance(v, np.ndarray):
        return v[0, 0]
    return v


def supported_functions() -> list[str]:
    """The Excel functions the built-in engine computes (besides the contract
    functions of :mod:`addin.registry`), by Excel name."""
    return sorted(FUNCTIONS)


@register("NA", "", 0, 0)
def NA_() -> ExcelError:
    """NA(): the #N/A error."""
    return NA


@register("TIMEVALUE", "S", 1, 1)
def TIMEVALUE(text: Any) -> float:
    """TIMEVALUE(time_text): the fraction of a day a text time stands for."""
    if not isinstance(text, str):
        raise fail(VALUE, "TIMEVALUE 需要文本 / TIMEVALUE needs text")
    n = text_to_number(text)
    if n is None or "%" in text:
        raise fail(VALUE, f"文本“{text}”不是时间 / {text!r} is not a time")
    return n - math.floor(n)


# ----------------------------------------------------------------- criteria

_CRIT_OP = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.DOTALL)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Excel wildcards (``*``, ``?``, ``~`` escapes) as a case-insensitive regex."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def make_criterion(crit: Any) -> Callable[[Any], bool]:
    """COUNTIF-style criterion → a predicate on one cell value."""
    if isinstance(crit, ExcelError):
        return lambda v: isinstance(v, ExcelError) and v.code == crit.code
    if crit is None or crit is MISSING:
        crit = 0.0
    if isinstance(crit, bool):
        return lambda v: isinstance(v, bool) and v == crit
    if isinstance(crit, float | int):
        c = round15(float(crit))

        def eq_num(v: Any) -> bool:
            if isinstance(v, bool):
                return False
            if isinstance(v, float | int):
                return round15(float(v)) == c
            if isinstance(v, str):
                n = text_to_number(v)
                return n is not None and round15(n) == c
            return False

        return eq_num
    text = str(crit)
    m = _CRIT_OP.match(text)
    assert m is not None
    op, rhs = m.group(1) or "=", m.group(2)
    explicit = m.group(1) is not None
    num = text_to_number(rhs) if rhs.strip() else None
    up = rhs.upper()
    if rhs == "":
        if op == "=":
            return (lambda v: v is None) if explicit else (lambda v: v is None or v == "")
        if op == "<>":
            return lambda v: v is not None
    if up in ("TRUE", "FALSE"):
        b = up == "TRUE"
        if op == "=":
            return lambda v: isinstance(v, bool) and v == b
        if op == "<>":
            return lambda v: not (isinstance(v, bool) and v == b)
        btest = _CMP[op]
        return lambda v: isinstance(v, bool) and btest(int(v) - int(b))
    err = parse_error(rhs.strip())
    if err is not None and op in ("=", "<>"):
        if op == "=":
            return lambda v: isinstance(v, ExcelError) and v.code == err.code
        return lambda v: not (isinstance(v, ExcelError) and v.code == err.code)
    if num is not None:
        c = round15(num)
        test = _CMP[op]

        def num_pred(v: Any) -> bool:
            if isinstance(v, bool) or v is None:
                return op == "<>"
            if isinstance(v, float | int):
                x = round15(float(v))
                return test(0 if x == c else (-1 if x < c else 1))
            if isinstance(v, str) and op in ("=", "<>"):
                n = text_to_number(v)
                same = n is not None and round15(n) == c
                return same if op == "=" else not same
            return op == "<>"

        return num_pred
    if op in ("=", "<>"):
        rx = wildcard_regex(rhs)
        if op == "=":
            return lambda v: isinstance(v, str) and rx.match(v) is not None
        return lambda v: not (isinstance(v, str) and rx.match(v) is not None)
    test = _CMP[op]
    low = rhs.casefold()

    def text_pred(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        x = v.casefold()
        return test(0 if x == low else (-1 if x < low else 1))

    return text_pred


def _area_like(rng: Any, shape: tuple[int, int]) -> np.ndarray:
    """``sum_range`` resized to ``shape`` from its top-left cell (Excel's rule)."""
    if isinstance(rng, Area):
        top, left = rng.top, rng.left
        return _cached(
            rng,
            f"like:{shape}",
            lambda: rng.grid.block(top, left, top + shape[0] - 1, left + shape[1] - 1),
        )
    arr = as_array(rng)
    if arr.shape != shape:
        raise fail(VALUE, "区域大小不一致 / ranges differ in size")
    return arr


def _criteria_select(pairs: list[tuple[Any, Any]]) -> tuple[np.ndarray, tuple[int, int]]:
    """Flat positions (ascending) of the cells meeting every criterion, and the
    ranges' shape.

    Inside :func:`shared_work` (a function lifted over many criteria, or run
    down a block of rows), equality criteria use a hash index of their range
    and every criterion's cell mask is kept, so each further call costs about
    the size of its smallest hit list instead of a pass over the ranges."""
    shape: tuple[int, int] | None = None
    # per criterion: its hit list (equality criteria inside shared_work) and a
    # maker of its cell mask, built only when needed
    hit_lists: list[np.ndarray | None] = []
    mask_makers: list[Callable[[], np.ndarray]] = []
    for rng, crit in pairs:
        if not isinstance(rng, Area | np.ndarray):
            raise fail(VALUE, "条件区域须为区域 / criteria_range must be a range")
        arr = as_array(rng)
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            raise fail(VALUE, "条件区域大小不一致 / ranges differ in size")
        c = _scalar_crit(crit)
        key = _simple_criterion(c) if _SHARED else None
        index = (
            _when_reused(rng, "criteria-index", functools.partial(_equality_index, arr))
            if key is not None
            else None
        )
        if index is not None:
            hits = index.get(key, _NO_HITS)
            hit_lists.append(hits)
            mask_makers.append(
                functools.partial(
                    _cached,
                    rng,
                    f"criteria-mask:{key!r}",
                    functools.partial(_hit_mask, hits, arr.size),
                )
            )
        else:
            hit_lists.append(None)
            if _SHARED:
                tag = f"criteria-pred:{type(c).__name__}:{c!r}"
                mask_makers.append(
                    functools.partial(_cached, rng, tag, functools.partial(_predicate_mask, c, arr))
                )
            else:
                mask_makers.append(functools.partial(_predicate_mask, c, arr))
    assert shape is not None
    with_hits = [k for k, h in enumerate(hit_lists) if h is not None]
    if with_hits:
        first = min(with_hits, key=lambda k: len(hit_lists[k]))  # type: ignore[arg-type]
        sel = hit_lists[first]
        assert sel is not None
        for k, make in enumerate(mask_makers):
            if k != first and len(sel):
                sel = sel[make()[sel]]
        return sel, shape
    combined = mask_makers[0]()
    for make in mask_makers[1:]:
        combined = combined & make()
    return np.flatnonzero(combined), shape


_NO_HITS = np.zeros(0, dtype=np.intp)


def _hit_mask(hits: np.ndarray, size: int) -> np.ndarray:
    m = np.zeros(size, dtype=bool)
    m[hits] = True
    return m


def _predicate_mask(crit: Any, arr: np.ndarray) -> np.ndarray:
    pred = make_criterion(crit)
    return np.fromiter((pred(v) for v in arr.ravel()), dtype=bool, count=arr.size)


def _simple_criterion(c: Any) -> Any:
    """The equality key of a criterion that only tests equality with one value
    (``"张三"``, ``3``, ``"=3"``, ``TRUE``), else ``None``."""
    if isinstance(c, bool):
        return ("b", c)
    if isinstance(c, float | int):
        return ("n", round15(float(c)))
    if not isinstance(c, str):
        return None
    t = c[1:] if c.startswith("=") else c
    if not t or t[0] in "<>=" or any(ch in t for ch in "*?~"):
        return None
    if t.upper() in ("TRUE", "FALSE"):
        return ("b", t.upper() == "TRUE")
    if parse_error(t.strip()) is not None:
        return None
    n = text_to_number(t) if t.strip() else None
    if n is not None:
        return ("n", round15(n))
    return ("s", t.lower())


def _equality_index(arr: np.ndarray) -> dict[Any, np.ndarray]:
    """Flat positions of each cell value under the keys of
    :func:`_simple_criterion` (numeric text is found by number too)."""
    lists: dict[Any, list[int]] = {}
    for i, v in enumerate(arr.ravel().tolist()):
        if isinstance(v, bool):
            keys: tuple[Any, ...] = (("b", v),)
        elif isinstance(v, float | int):
            keys = (("n", round15(float(v))),)
        elif isinstance(v, str):
            n = text_to_number(v)
            keys = (("s", v.lower()),) if n is None else (("s", v.lower()), ("n", round15(n)))
        else:
            continue
        for k in keys:
            lists.setdefault(k, []).append(i)
    return {k: np.array(v, dtype=np.intp) for k, v in lists.items()}


def _scalar_crit(c: Any) -> Any:
    if isinstance(c, Area):
        return c.value()
    if isinstance(c, np.ndarray):
        return c.ravel()[0]
    return c


def _selected_numbers(arr: np.ndarray, selected: np.ndarray) -> list[float]:
    """The numbers at the ``selected`` flat positions (errors there raised)."""
    out = []
    flat = arr.ravel()
    for i in selected.tolist():
        v = flat[i]
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


@register("COUNTIF", "RS", 2, 2, handles_errors=True)
def COUNTIF(rng: Any, crit: Any) -> float:
    """COUNTIF(range, criteria)."""
    selected, _ = _criteria_select([(rng, crit)])
    return float(len(selected))


@register("COUNTIFS", "|RS", 2, None, handles_errors=True)
def COUNTIFS(*args: Any) -> float:
    """COUNTIFS(range1, criteria1, …)."""
    if len(args) % 2:
        raise fail(VALUE, "COUNTIFS 参数须成对 / needs range/criteria pairs")
    selected, _ = _criteria_select([(args[i], args[i + 1]) for i in range(0, len(args), 2)])
    return float(len(selected))


def _ifs_numbers(target: Any, pairs: tuple[Any, ...]) -> list[float]:
    if len(pairs) % 2 or not pairs:
        raise fail(VALUE, "参数须成对 / needs range/criteria pairs")
    selected, shape = _criteria_select([(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])
    arr = as_array(target)
    if arr.shape != shape:
        raise fail(VALUE, "区域大小不一致 / ranges differ in size")
    return _selected_numbers(arr, selected)


@register("SUMIF", "RSR", 2, 3, handles_errors=True)
def SUMIF(rng: Any, crit: Any, sum_range: Any = MISSING) -> float:
    """SUMIF(range, criteria, [sum_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if sum_range is MISSING else _area_like(sum_range, shape)
    return math.fsum(_selected_numbers(target, selected))


@register("SUMIFS", "R|RS", 3, None, handles_errors=True)
def SUMIFS(target: Any, *pairs: Any) -> float:
    """SUMIFS(sum_range, criteria_range1, criteria1, …)."""
    return math.fsum(_ifs_numbers(target, pairs))


@register("AVERAGEIF", "RSR", 2, 3, handles_errors=True)
def AVERAGEIF(rng: Any, crit: Any, avg_range: Any = MISSING) -> float:
    """AVERAGEIF(range, criteria, [average_range])."""
    selected, shape = _criteria_select([(rng, crit)])
    target = as_array(rng) if avg_range is MISSING else _area_like(avg_range, shape)
    nums = _selected_numbers(target, selected)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register("AVERAGEIFS", "R|RS", 3, None, handles_errors=True)
def AVERAGEIFS(target: Any, *pairs: Any) -> float:
    """AVERAGEIFS(average_range, criteria_range1, criteria1, …)."""
    nums = _ifs_numbers(target, pairs)
    if not nums:
        raise fail(DIV0, "没有满足条件的数值 / no numbers meet the criteria")
    return math.fsum(nums) / len(nums)


@register("MAXIFS", "R|RS", 3, None, handles_errors=True)
def MAXIFS(target: Any, *pairs: Any) -> float:
    """MAXIFS(max_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return max(nums) if nums else 0.0


@register("MINIFS", "R|RS", 3, None, handles_errors=True)
def MINIFS(target: Any, *pairs: Any) -> float:
    """MINIFS(min_range, criteria_range1, criteria1, …); 0 when nothing matches."""
    nums = _ifs_numbers(target, pairs)
    return min(nums) if nums else 0.0


# --------------------------------------------------------------------- math


def _decimal15(x: float) -> Decimal:
    return Decimal(f"{x:.15g}")


def _round_with(x: float, digits: int, mode: str) -> float:
    if x == 0:
        return 0.0
    d = _decimal15(x)
    q = Decimal(1).scaleb(-digits)
    try:
        r = d.quantize(q, rounding=mode)
    except ArithmeticError:
        return x
    return float(r)


@register("ROUND", "SS", 2, 2)
def ROUND(x: Any, digits: Any) -> float:
    """ROUND(number, num_digits): half away from zero on the 15-digit decimal."""
    return _round_with(to_number(x), to_int(digits), ROUND_HALF_UP)


@register("ROUNDUP", "SS", 2, 2)
def ROUNDUP(x: Any, digits: Any) -> float:
    """ROUNDUP(number, num_digits): away from zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_UP)


@register("ROUNDDOWN", "SS", 2, 2)
def ROUNDDOWN(x: Any, digits: Any) -> float:
    """ROUNDDOWN(number, num_digits): toward zero."""
    return _round_with(to_number(x), to_int(digits), ROUND_DOWN)


@register("INT", "S", 1, 1)
def INT(x: Any) -> float:
    """INT(number): rounded down to an integer."""
    return float(math.floor(to_number(x)))


@register("ABS", "S", 1, 1)
def ABS(x: Any) -> float:
    """ABS(number)."""
    return abs(to_number(x))


@register("MOD", "SS", 2, 2)
def MOD(n: Any, d: Any) -> float:
    """MOD(number, divisor): the remainder with the divisor's sign."""
    a, b = to_number(n), to_number(d)
    if b == 0:
        raise fail(DIV0, "MOD 除数为零 / MOD by zero")
    r = a - b * math.floor(a / b)
    if r != 0 and abs(r) < abs(b) * 1e-15:
        r = 0.0
    return r


# ------------------------------------------------------------------- lookup


def _lookup_key(v: Any, fold: bool = False) -> Any:
    """A hashable key equal for values Excel's exact match treats as equal
    (MATCH/VLOOKUP ignore case; XMATCH/XLOOKUP also fold ``ß`` to ``ss``)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, float | int):
        return ("n", round15(float(v)))
    if isinstance(v, str):
        return ("s", v.casefold() if fold else v.lower())
    return None


def exact_position(
    value: Any,
    items: list[Any],
    wildcards: bool,
    reverse: bool = False,
    fold: bool = False,
    owner: Any = None,
) -> int:
    """0-based position of the first (or last) exact match, -1 if none.

    ``owner``: the range object ``items`` come from; inside :func:`shared_work`
    a hash index of ``items`` is built once for it."""
    order = range(len(items) - 1, -1, -1) if reverse else range(len(items))
    has_wild = wildcards and isinstance(value, str) and any(ch in value for ch in "*?~")
    if owner is not None and _SHARED and not has_wild:

        def build() -> dict[Any, int]:
            idx: dict[Any, int] = {}
            for i in order:
                k = _lookup_key(items[i], fold)
                if k is not None and k not in idx:
                    idx[k] = i
            return idx

        index = _when_reused(owner, f"exact:{fold}:{reverse}:{len(items)}", build)
        if index is not None:
            return index.get(_lookup_key(value, fold), -1)
    if has_wild:
        rx = wildcard_regex(value)
        for i in order:
            v = items[i]
            if isinstance(v, str) and rx.match(v):
                return i
        return -1
    key = _lookup_key(value, fold)
    for i in order:
        if _lookup_key(items[i], fold) == key:
            return i
    return -1


def _xrank(v: Any) -> int:
    if v is None or v is MISSING:
        return 3
    return _type_rank(v)


def xcompare(a: Any, b: Any) -> int:
    """Ordering across types as Excel's lookups see it: numbers < text <
    logicals < a blank lookup value."""
    ra, rb = _xrank(a), _xrank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 3:
        return 0
    return compare(a, b)


def approx_position(value: Any, items: list[Any], descending: bool = False) -> int:
    """MATCH/VLOOKUP approximate match.

    Ascending (type 1): Excel's binary search for the last item <= value; an
    item of another type where the search lands counts as larger. Descending
    (type -1): a scan that stops at the first item of the value's type below
    it, skipping other types, and keeps the last item >= value.
    """
    rank = _type_rank(value)
    if descending:
        best = -1
        for i, v in enumerate(items):
            if v is None or isinstance(v, ExcelError) or _type_rank(v) != rank:
                continue
            if compare(v, value) < 0:
                break
            best = i
        return best
    lo, hi = 0, len(items) - 1
    best = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        v = items[mid]
        if v is None or isinstance(v, ExcelError) or _type_rank(v) != rank:
            # another type where the search lands: use the next item of the
            # value's type before ``hi`` instead (none: search the lower half)
            k = mid + 1
            while k <= hi and (
                items[k] is None or isinstance(items[k], ExcelError) or _type_rank(items[k]) != rank
            ):
                k += 1
            if k > hi:
                hi = mid - 1
                continue
            c = compare(items[k], value)
            if c > 0:
                hi = mid - 1
                continue
            mid, v = k, items[k]
        c = compare(v, value)
        if c == 0:
            # a match ends the search (at the last of a run of equal items)
            while (
                mid + 1 < len(items)
                and _type_rank(items[mid + 1]) == rank
                and (items[mid + 1] is not None and compare(items[mid + 1], value) == 0)
            ):
                mid += 1
            return mid
        if c < 0:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return best


def _binary_x(value: Any, items: list[Any], mode: int, descending: bool) -> int:
    """XMATCH's binary search (search_mode 2/-2) with cross-type ordering."""
    lo, hi = 0, len(items) - 1
    cand = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        v = items[mid]
        c = 1 if isinstance(v, ExcelError) else xcompare(v, value)
        if c == 0:
            return mid
        if c < 0:
            if mode == -1:
                cand = mid
            if descending:
                hi = mid - 1
            else:
                lo = mid + 1
        else:
            if mode == 1:
                cand = mid
            if descending:
                lo = mid + 1
            else:
                hi = mid - 1
    return cand


def _items_of(array: Any) -> list[Any]:
    """A one-row or one-column range as a list (cached inside :func:`shared_work`)."""
    return _cached(array, "items", lambda: _vector_items(as_array(array)))


def _vector_items(arr: np.ndarray) -> list[Any]:
    if arr.shape[0] != 1 and arr.shape[1] != 1:
        raise fail(NA, "查找区域须为单行或单列 / lookup_array must be one row or column")
    return list(arr.ravel())


@register("MATCH", "SRS", 2, 3)
def MATCH(value: Any, array: Any, match_type: Any = MISSING) -> float:
    """MATCH(lookup_value, lookup_array, [match_type=1])."""
    mt = 1 if match_type is MISSING else to_number(match_type)
    items = _items_of(array)
    if value is None or value is MISSING:
        if mt == 0:
            raise fail(NA, "查找值为空 / lookup value is blank")
        value = 0.0
    if mt == 0:
        pos = exact_position(value, items, wildcards=True, owner=items)
    else:
        pos = approx_position(value, items, descending=mt < 0)
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    return float(pos + 1)


def _mode_int(v: Any) -> int:
    """XMATCH/XLOOKUP's match_mode and search_mode are rounded down (-1.1 is -2),
    as Excel does (oracle LOOKUP!AH162:AW170)."""
    return math.floor(to_number(v))


def _xmatch_pos(value: Any, items: list[Any], mode: int, search: int, owner: Any = None) -> int:
    if mode not in (0, -1, 1, 2) or search not in (1, -1, 2, -2):
        raise fail(VALUE, "XMATCH/XLOOKUP 模式参数无效 / invalid match_mode or search_mode")
    if search in (2, -2):
        if mode == 2:
            raise fail(VALUE, "通配符不能用二分查找 / wildcards need a linear search")
        return _binary_x(value, items, mode, search == -2)
    if mode in (0, 2):
        if value is None:
            return -1
        return exact_position(
            value, items, wildcards=mode == 2, reverse=search == -1, fold=mode == 0, owner=owner
        )
    best, best_v = -1, None
    order = range(len(items) - 1, -1, -1) if search == -1 else range(len(items))
    for i in order:
        v = items[i]
        if v is None or isinstance(v, ExcelError):
            continue
        c = xcompare(v, value)
        if c == 0:
            return i
        if (mode == -1 and c < 0) or (mode == 1 and c > 0):
            if best_v is None:
                best, best_v = i, v
            else:
                cb = xcompare(v, best_v)
                if (mode == -1 and cb > 0) or (mode == 1 and cb < 0):
                    best, best_v = i, v
    return best


@register("XMATCH", "SRSS", 2, 4)
def XMATCH(value: Any, array: Any, mode: Any = MISSING, search: Any = MISSING) -> float:
    """XMATCH(lookup_value, lookup_array, [match_mode=0], [search_mode=1])."""
    items = _items_of(array)
    m = 0 if mode is MISSING else _mode_int(mode)
    s = 1 if search is MISSING else _mode_int(search)
    if value is MISSING:
        value = None
    pos = _xmatch_pos(value, items, m, s, items)
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    return float(pos + 1)


@register("XLOOKUP", "SRRRSS", 3, 6)
def XLOOKUP(
    value: Any,
    lookup: Any,
    result: Any,
    if_not_found: Any = MISSING,
    mode: Any = MISSING,
    search: Any = MISSING,
) -> Any:
    """XLOOKUP(lookup_value, lookup_array, return_array, [if_not_found], [match_mode], [search_mode])."""
    larr = as_array(lookup)
    items = _items_of(lookup)
    m = 0 if mode is MISSING else _mode_int(_scalar_crit(mode))
    s = 1 if search is MISSING else _mode_int(_scalar_crit(search))
    if value is MISSING:
        value = None
    pos = _xmatch_pos(value, items, m, s, items)
    if pos < 0:
        if if_not_found is MISSING:
            raise fail(NA, "找不到匹配值 / no match")
        return if_not_found
    rshape = result.shape if isinstance(result, Area | np.ndarray) else (1, 1)
    vertical = (larr.shape[1] == 1 and larr.shape[0] > 1) or larr.shape == (1, 1)
    if vertical:
        if rshape[0] != larr.shape[0]:
            raise fail(VALUE, "返回区域大小不符 / return_array size differs")
        return _take(result, pos, 0, pos, rshape[1] - 1)
    if rshape[1] != larr.shape[1]:
        raise fail(VALUE, "返回区域大小不符 / return_array size differs")
    return _take(result, 0, pos, rshape[0] - 1, pos)


def _take(src: Any, r0: int, c0: int, r1: int, c1: int) -> Any:
    if isinstance(src, Area):
        return src.sub(r0, c0, r1, c1)
    arr = as_array(src)
    part = arr[r0 : r1 + 1, c0 : c1 + 1]
    return part[0, 0] if part.shape == (1, 1) else part


def _line_lookup(value: Any, table: Any, index: Any, approx: Any, vertical: bool) -> Any:
    """VLOOKUP (``vertical``: search the first column, return column ``index``)
    and HLOOKUP (search the first row, return row ``index``)."""
    arr = as_array(table)
    if not vertical:
        arr = arr.T
    k = to_int(index)
    what = ("列号", "col_index_num") if vertical else ("行号", "row_index_num")
    if k < 1:
        raise fail(VALUE, f"{what[0]}小于 1 / {what[1]} is below 1")
    if k > arr.shape[1]:
        raise fail(REF, f"{what[0]}超出表格 / {what[1]} is beyond the table")
    is_approx = True if approx is MISSING else to_bool(approx)
    if value is None or value is MISSING:
        value = 0.0
    items = _cached(table, "col0" if vertical else "row0", lambda: list(arr[:, 0]))
    pos = (
        approx_position(value, items)
        if is_approx
        else exact_position(value, items, True, owner=items)
    )
    if pos < 0:
        raise fail(NA, "找不到匹配值 / no match")
    return arr[pos, k - 1]  # a blank stays blank; the cell's value makes it 0


@register("VLOOKUP", "SRSS", 3, 4)
def VLOOKUP(value: Any, table: Any, col: Any, approx: Any = MISSING) -> Any:
    """VLOOKUP(lookup_value, table_array, col_index_num, [range_lookup=TRUE])."""
    return _line_lookup(value, table, col, approx, vertical=True)


@register("HLOOKUP", "SRSS", 3, 4)
def HLOOKUP(value: Any, table: Any, row: Any, approx: Any = MISSING) -> Any:
    """HLOOKUP(lookup_value, table_array, row_index_num, [range_lookup=TRUE])."""
    return _line_lookup(value, table, row, approx, vertical=False)


@register("INDEX", "RSSS", 2, 4)
def INDEX(src: Any, row: Any, col: Any = MISSING, area: Any = MISSING) -> Any:
    """INDEX(array, row_num, [column_num]): a cell, or a whole row/column for 0."""
    k = 1 if area is MISSING else to_int(area)
    if isinstance(src, MultiArea):
        if not 1 <= k <= len(src):
            raise fail(REF, "INDEX 区域编号超出 / area_num out of range")
        src = src[k - 1]
    elif k != 1:
        raise fail(REF, "INDEX 区域编号超出 / area_num out of range")
    h, w = src.shape if isinstance(src, Area | np.ndarray) else (1, 1)
    r = 0 if row is MISSING or row is None else to_int(row)
    c = 0 if col is MISSING or col is None else to_int(col)
    if r < 0 or c < 0:
        raise fail(VALUE, "INDEX 行列号为负 / negative row or column")
    if col is MISSING and (h == 1 or w == 1) and not (h == 1 and w == 1):
        # one row or column: the single index runs along it
        if h == 1:
            r, c = 1, r
    elif col is MISSING and isinstance(src, Area) and h > 1 and w > 1:
        raise fail(REF, "二维区域须给出列号 / a 2-D range needs column_num")
    if r > h or c > w:
        raise fail(REF, "INDEX 超出区域 / index beyond the range")
    r0, r1 = (0, h - 1) if r == 0 else (r - 1, r - 1)
    c0, c1 = (0, w - 1) if c == 0 else (c - 1, c - 1)
    if not isinstance(src, Area | np.ndarray):
        return src
    return _take(src, r0, c0, r1, c1)


@register("CHOOSE", "SR*", 2, None, lift_all=True)
def CHOOSE(index: Any, *choices: Any) -> Any:
    """CHOOSE(index_num, value1, …)."""
    i = to_int(index)
    if i < 1 or i > len(choices):
        raise fail(VALUE, "CHOOSE 序号超出 / index_num out of range")
    v = choices[i - 1]
    return 0.0 if v is MISSING else v


@register("ROW", "R", 0, 1, needs_context=True)
def ROW(ctx: CallContext, ref: Any = MISSING) -> Any:
    """ROW([reference])."""
    if ref is MISSING:
        return float(ctx.row)
    if isinstance(ref, ExcelError):
        return ref
    if not isinstance(ref, Area):
        raise fail(VALUE, "ROW 需要引用 / ROW needs a reference")
    if ctx.array_mode and ref.height > 1:
        return np.arange(ref.top, ref.bottom + 1, dtype=float).astype(object).reshape(-1, 1)
    return float(ref.top)


@register("COLUMN", "R", 0, 1, needs_context=True)
def COLUMN(ctx: CallContext, ref: Any = MISSING) -> Any:
    """COLUMN([reference])."""
    if ref is MISSING:
        return float(ctx.col)
    if isinstance(ref, ExcelError):
        return ref
    if not isinstance(ref, Area):
        raise fail(VALUE, "COLUMN 需要引用 / COLUMN needs a reference")
    if ctx.array_mode and ref.width > 1:
        return np.arange(ref.left, ref.right + 1, dtype=float).astype(object).reshape(1, -1)
    return float(ref.left)


@register("ROWS", "R", 1, 1)
def ROWS(a: Any) -> float:
    """ROWS(array)."""
    if isinstance(a, ExcelError):
        return a  # type: ignore[return-value]
    if isinstance(a, MultiArea):
        raise fail(REF, "多区域引用 / a multi-area reference")
    return float(a.shape[0]) if isinstance(a, Area | np.ndarray) else 1.0


@register("COLUMNS", "R", 1, 1)
def COLUMNS(a: Any) -> float:
    """COLUMNS(array)."""
    if isinstance(a, ExcelError):
        return a  # type: ignore[return-value]
    if isinstance(a, MultiArea):
        raise fail(REF, "多区域引用 / a multi-area reference")
    return float(a.shape[1]) if isinstance(a, Area | np.ndarray) else 1.0


# ------------------------------------------------------------------ ranking


def _rank_numbers(ref: Any) -> list[float]:
    if not isinstance(ref, Area | np.ndarray):
        raise fail(VALUE, "RANK 的 ref 须为区域 / ref must be a range")
    out = []
    for v in as_array(ref).ravel():
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


def rank_of(x: float, nums: list[float], ascending: bool, average: bool) -> float:
    """Rank of ``x`` among ``nums`` (RANK.EQ, or RANK.AVG when ``average``)."""
    xr = round15(x)
    rounded = [round15(v) for v in nums]
    if xr not in rounded:
        raise fail(NA, "数值不在排名区域中 / the number is not in ref")
    before = sum(1 for v in rounded if (v < xr if ascending else v > xr))
    if not average:
        return float(before + 1)
    ties = sum(1 for v in rounded if v == xr)
    return before + (ties + 1) / 2


@register("RANK.EQ", "SRS", 2, 3)
def RANK_EQ(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.EQ(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, False)


@register("RANK.AVG", "SRS", 2, 3)
def RANK_AVG(x: Any, ref: Any, order: Any = MISSING) -> float:
    """RANK.AVG(number, ref, [order=0])."""
    asc = False if order is MISSING else to_number(order) != 0
    return rank_of(to_number(x), _rank_numbers(ref), asc, True)


FUNCTIONS["RANK"] = FunctionSpec("RANK", RANK_EQ, "SRS", 2, 3)


def _kth(array: Any, k: Any, largest: bool) -> float:
    """SMALL's k-th value, k truncated; LARGE's as SMALL's (n - k + 1)-th, also
    truncated, after k < 1 is refused — how Excel treats a fractional k
    (oracle: LARGE(…,2.2) is the 3rd largest, SMALL(…,2.2) the 2nd smallest)."""
    if isinstance(array, Area | np.ndarray):
        nums = sorted(_rank_numbers(array))
    else:
        nums = [to_number(array)]
    kk = to_number(k)
    n = len(nums)
    i = math.trunc(n - kk + 1) if largest else math.trunc(kk)
    if not nums or kk < 1 or i < 1 or i > n:
        raise fail(NUM, "k 超出范围 / k is out of range")
    return nums[i - 1]


@register("LARGE", "RS", 2, 2)
def LARGE(array: Any, k: Any) -> float:
    """LARGE(array, k)."""
    return _kth(array, k, True)


@register("SMALL", "RS", 2, 2)
def SMALL(array: Any, k: Any) -> float:
    """SMALL(array, k)."""
    return _kth(array, k, False)


# ---------------------------------------------------------------- information


@register("ISBLANK", "S", 1, 1, handles_errors=True)
def ISBLANK(v: Any) -> bool:
    """ISBLANK(value): an empty cell."""
    return v is None


@register("ISNUMBER", "S", 1, 1, handles_errors=True)
def ISNUMBER(v: Any) -> bool:
    """ISNUMBER(value)."""
    return isinstance(v, float | int) and not isinstance(v, bool)


@register("ISTEXT", "S", 1, 1, handles_errors=True)
def ISTEXT(v: Any) -> bool:
    """ISTEXT(value)."""
    return isinstance(v, str)


@register("ISERROR", "S", 1, 1, handles_errors=True)
def ISERROR(v: Any) -> bool:
    """ISERROR(value)."""
    return isinstance(v, ExcelError)


@register("ISNA", "S", 1, 1, handles_errors=True)
def ISNA(v: Any) -> bool:
    """ISNA(value)."""
    return isinstance(v, ExcelError) and v.code == "#N/A"


# --------------------------------------------------------------------- text


@register("LEN", "S", 1, 1)
def LEN(v: Any) -> float:
    """LEN(text)."""
    return float(len(to_text(v)))


@register("LEFT", "SS", 1, 2)
def LEFT(v: Any, n: Any = MISSING) -> str:
    """LEFT(text, [num_chars=1])."""
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise fail(VALUE, "字符数为负 / num_chars is negative")
    return to_text(v)[:k]


@register("RIGHT", "SS", 1, 2)
def RIGHT(v: Any, n: Any = MISSING) -> str:
    """RIGHT(text, [num_chars=1])."""
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise fail(VALUE, "字符数为负 / num_chars is negative")
    t = to_text(v)
    return t[len(t) - k :] if k else ""


@register("MID", "SSS", 3, 3)
def MID(v: Any, start: Any, n: Any) -> str:
    """MID(text, start_num, num_chars)."""
    s, k = to_int(start), to_int(n)
    if s < 1 or k < 0:
        raise fail(VALUE, "起始位置或字符数无效 / start_num or num_chars out of range")
    return to_text(v)[s - 1 : s - 1 + k]


@register("CONCAT", "R*", 1, None)
def CONCAT(*args: Any) -> str:
    """CONCAT(text1, …): ranges joined in reading order."""
    parts = []
    for v, _ in iter_values(args):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        parts.append(to_text(v))
    out = "".join(parts)
    if len(out) > 32767:
        raise fail(VALUE, "文本超过 32767 字符 / text longer than 32767 characters")
    return out


FUNCTIONS["CONCATENATE"] = FunctionSpec("CONCATENATE", CONCAT, "S*", 1, None)


@register("TEXTJOIN", "SSR*", 3, None)
def TEXTJOIN(delim: Any, ignore_empty: Any, *args: Any) -> str:
    """TEXTJOIN(delimiter, ignore_empty, text1, …)."""
    skip = to_bool(ignore_empty)
    d = to_text(delim)
    parts = []
    for v, _ in iter_values(args):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        t = to_text(v)
        if skip and t == "":
            continue
        parts.append(t)
    out = d.join(parts)
    if len(out) > 32767:
        raise fail(VALUE, "文本超过 32767 字符 / text longer than 32767 characters")
    return out


# --------------------------------------------------------------------- dates

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


def _serial_from_parts(y: int, m: int, d: int, date1904: bool) -> float:
    """DATE's arithmetic: months and days overflow into the next unit."""
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    if y < 0 or y > 9999:
        raise fail(NUM, "年份超出范围 / year out of range")
    if y < 1 or (date1904 and y < 1904):
        raise fail(NUM, "日期超出范围 / date out of range")
    base = date_serial(y, m, 1, date1904) if (y, m) != (1900, 1) or date1904 else 1
    # base is the serial of the 1st of the month; add the days
    if not date1904 and (y, m) <= (1900, 2):
        base = (_dt.date(y, m, 1) - _EPOCH_1900).days
    serial = base + d - 1
    # before March 1900 the count runs on through Excel's phantom 1900-02-29
    if serial < 0:
        raise fail(NUM, "日期早于起点 / date before the epoch")
    if serial > 2958465:
        raise fail(NUM, "日期超出范围 / date out of range")
    return float(serial)


@register("DATE", "SSS", 3, 3, needs_context=True)
def DATE(ctx: CallContext, year: Any, month: Any, day: Any) -> float:
    """DATE(year, month, day) as a serial number."""
    y, m, d = to_int(year), to_int(month), to_int(day)
    if y < 0 or y >= 10000:
        raise fail(NUM, "年份超出范围 / year out of range")
    if (y < 1900 and not ctx.date1904) or (y < 1904 and ctx.date1904):
        y += 1900
    return _serial_from_parts(y, m, d, ctx.date1904)


def _date_arg(v: Any, ctx: CallContext) -> float:
    x = to_number(v, ctx.date1904)
    if x < 0:
        raise fail(NUM, "日期为负 / negative date")
    return x


@register("YEAR", "S", 1, 1, needs_context=True)
def YEAR(ctx: CallContext, v: Any) -> float:
    """YEAR(serial_number)."""
    return float(serial_date(_date_arg(v, ctx), ctx.date1904)[0])


@register("MONTH", "S", 1, 1, needs_context=True)
def MONTH(ctx: CallContext, v: Any) -> float:
    """MONTH(serial_number)."""
    return float(serial_date(_date_arg(v, ctx), ctx.date1904)[1])


@register("DAY", "S", 1, 1, needs_context=True)
def DAY(ctx: CallContext, v: Any) -> float:
    """DAY(serial_number)."""
    return float(serial_date(_date_arg(v, ctx), ctx.date1904)[2])


def _shift_months(ctx: CallContext, start: Any, months: Any, end: bool) -> float:
    if isinstance(start, bool):
        raise fail(VALUE, "日期不能是逻辑值 / a date cannot be TRUE/FALSE")
    s = _date_arg(start, ctx)
    if isinstance(months, bool):
        raise fail(VALUE, "月数不能是逻辑值 / months cannot be TRUE/FALSE")
    k = to_int(months)
    y, m, d = serial_date(s, ctx.date1904)
    total = y * 12 + (m - 1) + k
    ny, nm = divmod(total, 12)
    nm += 1
    if ny < 1900 or ny > 9999:
        raise fail(NUM, "日期超出范围 / date out of range")
    last = calendar.monthrange(ny, nm)[1]
    if ny == 1900 and nm == 2 and not ctx.date1904:
        last = 29
    nd = last if end else min(d, last)
    return _serial_from_parts(ny, nm, nd, ctx.date1904)


@register("EDATE", "SS", 2, 2, needs_context=True, no_lift=True)
def EDATE(ctx: CallContext, start: Any, months: Any) -> float:
    """EDATE(start_date, months)."""
    return _shift_months(ctx, start, months, False)


@register("EOMONTH", "SS", 2, 2, needs_context=True, no_lift=True)
def EOMONTH(ctx: CallContext, start: Any, months: Any) -> float:
    """EOMONTH(start_date, months)."""
    return _shift_months(ctx, start, months, True)


# ---------------------------------------------------------------------- TEXT

_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM", re.IGNORECASE)


def _format_number(x: float, fmt: str) -> str:
    """Numeric format sections: 0, #, thousands, decimals, percent, literal text."""
    percent = fmt.count("%")
    value = x * (100**percent)
    m = re.search(r"[0#?][0#?,]*(\.[0#?]*)?", fmt)
    if not m:
        return fmt.replace('"', "")
    core = m.group(0)
    decimals = len(m.group(1)) - 1 if m.group(1) else 0
    comma = "," in core.split(".")[0]
    rounded = _round_with(abs(value), decimals, ROUND_HALF_UP)
    body = f"{rounded:,.{decimals}f}" if comma else f"{rounded:.{decimals}f}"
    int_part = core.split(".")[0].replace(",", "")
    if int_part and set(int_part) == {"#"} and body.startswith("0"):
        body = body[1:]
    zeros = int_part.count("0")
    if zeros > 1:
        head, _, tail = body.partition(".")
        head = head.zfill(zeros)
        body = head + ("." + tail if tail else "")
    prefix = fmt[: m.start()].replace('"', "").replace("\\", "")
    suffix = fmt[m.end() :].replace('"', "").replace("\\", "")
    sign = "-" if value < 0 and rounded != 0 else ""
    return sign + prefix + body + suffix


def _format_date(x: float, fmt: str, date1904: bool) -> str:
    y, mo, d = serial_date(x, date1904)
    frac = x - math.floor(x)
    secs = round(frac * 86400)
    hh, rem = divmod(secs, 3600)
    mi, ss = divmod(rem, 60)
    weekday = None if d == 0 else _dt.date(y, mo, d).weekday()
    has_ampm = "AM/PM" in fmt.upper()
    out: list[str] = []
    pos = 0
    prev_hour = False
    for tok in _DATE_TOKENS.finditer(fmt):
        out.append(fmt[pos : tok.start()].replace('"', "").replace("\\", ""))
        t = tok.group(0)
        low = t.lower()
        if low == "yyyy":
            out.append(f"{y:04d}")
        elif low == "yy":
            out.append(f"{y % 100:02d}")
        elif low in ("mm", "m") and prev_hour:
            out.append(f"{mi:02d}" if low == "mm" else str(mi))
        elif low == "mmmm":
            out.append(calendar.month_name[mo])
        elif low == "mmm":
            out.append(calendar.month_abbr[mo])
        elif low == "mm":
            out.append(f"{mo:02d}")
        elif low == "m":
            out.append(str(mo))
        elif low == "dddd":
            out.append(calendar.day_name[weekday] if weekday is not None else "")
        elif low == "ddd":
            out.append(calendar.day_abbr[weekday] if weekday is not None else "")
        elif low == "dd":
            out.append(f"{d:02d}")
        elif low == "d":
            out.append(str(d))
        elif low in ("hh", "h"):
            h = hh % 12 or 12 if has_ampm else hh
            out.append(f"{h:02d}" if low == "hh" else str(h))
        elif low in ("ss", "s"):
            out.append(f"{ss:02d}" if low == "ss" else str(ss))
        elif low == "am/pm":
            out.append("AM" if hh < 12 else "PM")
        prev_hour = low in ("hh", "h")
        pos = tok.end()
    out.append(fmt[pos:].replace('"', "").replace("\\", ""))
    return "".join(out)


@register("TEXT", "SS", 2, 2, needs_context=True)
def TEXT(ctx: CallContext, value: Any, fmt: Any) -> str:
    """TEXT(value, format_text) for the number and date formats templates use."""
    f = to_text(fmt)
    if isinstance(value, str):
        n = text_to_number(value, ctx.date1904)
        if n is None:
            return value
        x = n
    else:
        x = to_number(value, ctx.date1904)
    sections = f.split(";")
    if len(sections) > 1 and x < 0:
        f, x = sections[1], -x
    elif len(sections) > 2 and x == 0:
        f = sections[2]
    else:
        f = sections[0]
    if f.upper() in ("", "GENERAL", "G/通用格式"):
        return format_general(x)
    stripped = re.sub(r'"[^"]*"|\\.', "", f)
    if _DATE_TOKENS.search(stripped) and not re.search(r"[0#?]", stripped):
        return _format_date(x, f, ctx.date1904)
    if f == "@":
        return format_general(x)
    return _format_number(x, f)


# -------------------------------------------------------------- the registry


def lookup(name: str) -> FunctionSpec | None:
    """The spec of an Excel function by name (storage prefixes allowed)."""
    n = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if n.startswith(prefix):
            n = n[len(prefix) :]
            break
    return FUNCTIONS.get(n)
