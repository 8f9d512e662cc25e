"""Logical and information functions (IF, IFS, AND, ISNUMBER …)."""

from __future__ import annotations

from typing import Any

from addin.refresh.functions._core import MISSING, iter_values, register, to_bool
from udfs.errors import (
    NA,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)

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


@register("NA", "", 0, 0)
def NA_() -> ExcelError:
    """NA(): the #N/A error."""
    return NA


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
