"""Logical and information functions (IF, IFS, AND, ISNUMBER …)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    MISSING,
    Area,
    EngineFunction,
    MultiArea,
    _type_rank,
    compare,
    iter_values,
    register,
    repeat,
    to_bool,
    to_number,
)
from addin.refresh.functions.columns import RowArea, Rows, RowValues
from addin.registry import PER_ROW, WHOLE
from udfs.errors import (
    NA,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)

_NOT_GIVEN = object()


def _if_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    """IF down a block whose condition differs by row: the branches chosen
    by a mask (plain values only; references and arrays go row by row)."""
    cond = args[0]
    if not isinstance(cond, RowValues) or len(args) < 2:
        return None
    branches = args[1:]
    if any(isinstance(a, RowArea | Area | np.ndarray) for a in branches):
        return None
    if any(a is MISSING for a in branches):
        return None
    c = cond.v
    if c.dtype == np.float64:
        mask = c != 0
    else:
        if not all(x.__class__ is bool for x in c):
            return None
        mask = c.astype(bool)
    n = len(c)
    yes = branches[0].v if isinstance(branches[0], RowValues) else branches[0]
    if len(branches) == 1:
        no: Any = False
    else:
        no = branches[1].v if isinstance(branches[1], RowValues) else branches[1]
    for val in (yes, no):
        if (
            isinstance(val, np.ndarray)
            and val.dtype == object
            and any(isinstance(v, Area | np.ndarray) or v is None for v in val)
        ):
            return None
    if (
        isinstance(yes, np.ndarray)
        and yes.dtype == np.float64
        and (isinstance(no, float) or (isinstance(no, np.ndarray) and no.dtype == np.float64))
    ):
        return RowValues(np.where(mask, yes, no))
    out = np.empty(n, dtype=object)
    ya = isinstance(yes, np.ndarray)
    na = isinstance(no, np.ndarray)
    for i in range(n):
        out[i] = (yes[i] if ya else yes) if mask[i] else (no[i] if na else no)
    return RowValues(out)


@register(
    "IF",
    PER_ROW,
    WHOLE,
    WHOLE,
    min_args=1,
    handles_errors=True,
    lift_all=True,
    returns_reference=True,
    column=_if_column,
)
def IF(cond: Any, yes: Any = _NOT_GIVEN, no: Any = _NOT_GIVEN) -> Any:
    """IF(condition, [value_if_true], [value_if_false]); the chosen value is
    returned as it is (a reference stays a reference)."""
    if isinstance(cond, ExcelError):
        return cond
    chosen = yes if to_bool(cond) else no
    if chosen is _NOT_GIVEN:
        return to_bool(cond) if yes is _NOT_GIVEN else False
    return 0.0 if chosen is MISSING else chosen


@register(
    "IFS", PER_ROW, PER_ROW, repeat(PER_ROW, PER_ROW), handles_errors=True, returns_reference=True
)
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


@register("IFERROR", PER_ROW, PER_ROW, handles_errors=True, returns_reference=True)
def IFERROR(value: Any, fallback: Any) -> Any:
    """IFERROR(value, value_if_error). A blank passes on as a blank (the cell
    holding the formula shows 0, ``IFERROR(A9,"x")&""`` is ``""``)."""
    if isinstance(value, ExcelError):
        return 0.0 if fallback is MISSING else fallback
    return 0.0 if value is MISSING else value


@register("IFNA", PER_ROW, PER_ROW, handles_errors=True, returns_reference=True)
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


@register("AND", WHOLE, repeat(WHOLE), values_only=True)
def AND(*args: Any) -> bool:
    """AND(logical1, …)."""
    return all(_logicals(args))


@register("OR", WHOLE, repeat(WHOLE), values_only=True)
def OR(*args: Any) -> bool:
    """OR(logical1, …)."""
    return any(_logicals(args))


@register("NOT", PER_ROW)
def NOT(v: Any) -> bool:
    """NOT(logical)."""
    return not to_bool(v)


@register("TRUE")
def TRUE() -> bool:
    """TRUE()."""
    return True


@register("FALSE")
def FALSE() -> bool:
    """FALSE()."""
    return False


@register("NA")
def NA_() -> ExcelError:
    """NA(): the #N/A error."""
    return NA


@register("ISBLANK", PER_ROW, handles_errors=True)
def ISBLANK(v: Any) -> bool:
    """ISBLANK(value): an empty cell."""
    return v is None


@register("ISNUMBER", PER_ROW, handles_errors=True)
def ISNUMBER(v: Any) -> bool:
    """ISNUMBER(value)."""
    return isinstance(v, float | int) and not isinstance(v, bool)


@register("ISTEXT", PER_ROW, handles_errors=True)
def ISTEXT(v: Any) -> bool:
    """ISTEXT(value)."""
    return isinstance(v, str)


@register("ISERROR", PER_ROW, handles_errors=True)
def ISERROR(v: Any) -> bool:
    """ISERROR(value)."""
    return isinstance(v, ExcelError)


@register("ISNA", PER_ROW, handles_errors=True)
def ISNA(v: Any) -> bool:
    """ISNA(value)."""
    return isinstance(v, ExcelError) and v.code == "#N/A"


@register(
    "SWITCH", PER_ROW, WHOLE, repeat(WHOLE), min_args=3, handles_errors=True, returns_reference=True
)
def SWITCH(expr: Any, *args: Any) -> Any:
    """SWITCH(expression, value1, result1, …, [default]): the first equal value's
    result, else the default, else #N/A."""
    if isinstance(expr, ExcelError):
        return expr
    pairs, default = (args, _NOT_GIVEN) if len(args) % 2 == 0 else (args[:-1], args[-1])
    for i in range(0, len(pairs), 2):
        v = pairs[i]
        if isinstance(v, Area):
            v = v.value() if v.is_cell() else VALUE
        if isinstance(v, ExcelError):
            return v
        if compare(expr, v) == 0 and _type_rank(expr) == _type_rank(v):
            r = pairs[i + 1]
            return 0.0 if r is MISSING else r
    if default is _NOT_GIVEN:
        return NA.with_message("SWITCH 没有匹配值 / no value matches")
    return 0.0 if default is MISSING else default


@register("XOR", WHOLE, repeat(WHOLE))
def XOR(*args: Any) -> bool:
    """XOR(logical1, …): TRUE when an odd number of the values are TRUE."""
    return sum(_logicals(args)) % 2 == 1


def _parity(v: Any) -> int:
    if isinstance(v, bool):
        raise fail(VALUE, "不接受逻辑值 / TRUE/FALSE is not a number here")
    return math.trunc(to_number(v)) % 2


@register("ISEVEN", PER_ROW)
def ISEVEN(v: Any) -> bool:
    """ISEVEN(number): the number truncated is even; TRUE/FALSE is #VALUE!."""
    return _parity(v) == 0


@register("ISODD", PER_ROW)
def ISODD(v: Any) -> bool:
    """ISODD(number)."""
    return _parity(v) == 1


@register("ISLOGICAL", PER_ROW, handles_errors=True)
def ISLOGICAL(v: Any) -> bool:
    """ISLOGICAL(value)."""
    return isinstance(v, bool)


@register("ISNONTEXT", PER_ROW, handles_errors=True)
def ISNONTEXT(v: Any) -> bool:
    """ISNONTEXT(value): not text (a blank is non-text)."""
    return not isinstance(v, str)


@register("ISERR", PER_ROW, handles_errors=True)
def ISERR(v: Any) -> bool:
    """ISERR(value): an error other than #N/A."""
    return isinstance(v, ExcelError) and v.code != "#N/A"


@register("ISREF", WHOLE, handles_errors=True)
def ISREF(v: Any) -> bool:
    """ISREF(value): a reference (a range, a union of ranges)."""
    return isinstance(v, Area | MultiArea)


@register("N", PER_ROW)
def N(v: Any) -> float:
    """N(value): a number as it is, TRUE 1, anything else 0; an error passes."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float | int):
        return float(v)
    return 0.0


@register("TYPE", WHOLE, handles_errors=True)
def TYPE(v: Any) -> float:
    """TYPE(value): 1 number (or blank), 2 text, 4 logical, 16 error, 64 array."""
    if isinstance(v, MultiArea):
        return 16.0
    if isinstance(v, Area):
        if not v.is_cell():
            return 64.0
        v = v.value()
    if isinstance(v, np.ndarray):
        return 64.0
    if isinstance(v, bool):
        return 4.0
    if isinstance(v, str):
        return 2.0
    if isinstance(v, ExcelError):
        return 16.0
    return 1.0


_ERROR_TYPES = {"#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6,
                "#N/A": 7, "#GETTING_DATA": 8, "#SPILL!": 9, "#CALC!": 14}  # fmt: skip


@register("ERROR.TYPE", PER_ROW, handles_errors=True)
def ERROR_TYPE(v: Any) -> Any:
    """ERROR.TYPE(error_val): the error's number; not an error is #N/A."""
    if isinstance(v, ExcelError) and v.code in _ERROR_TYPES:
        return float(_ERROR_TYPES[v.code])
    return NA.with_message("不是错误值 / not an error value")


def _formula_of(ref: Any) -> str | None:
    if isinstance(ref, MultiArea):
        ref = ref[0]
    if not isinstance(ref, Area):
        raise fail(NA, "需要引用 / needs a reference")
    text = getattr(ref.grid, "formula_text", None)
    return text(ref.top, ref.left) if text is not None else None


@register("ISFORMULA", WHOLE, handles_errors=True)
def ISFORMULA(ref: Any) -> Any:
    """ISFORMULA(reference): the cell holds a formula."""
    if isinstance(ref, ExcelError):
        return ref
    if not isinstance(ref, Area | MultiArea):
        raise fail(VALUE, "需要引用 / needs a reference")
    return _formula_of(ref) is not None


@register("FORMULATEXT", WHOLE, handles_errors=True)
def FORMULATEXT(ref: Any) -> Any:
    """FORMULATEXT(reference): the formula as text (storage prefixes such as
    ``_xlfn.`` dropped, as Excel shows it); no formula is #N/A."""
    if isinstance(ref, ExcelError):
        return ref
    text = _formula_of(ref)
    if text is None:
        raise fail(NA, "该单元格没有公式 / the cell holds no formula")
    return text
