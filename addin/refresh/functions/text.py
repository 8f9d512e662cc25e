"""Text functions and TEXT's number and date formats."""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP
from typing import Any

from addin.refresh.functions._core import (
    FUNCTIONS,
    MISSING,
    CallContext,
    FunctionSpec,
    format_general,
    iter_values,
    register,
    serial_date,
    text_to_number,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from addin.refresh.functions.math import _round_with
from udfs.errors import (
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


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
    frac = x - math.floor(x)
    secs = round(frac * 86400)
    if secs >= 86400:  # a hair before midnight rounds to the next day, as in Excel
        x, secs = math.floor(x) + 1.0, 0
    y, mo, d = serial_date(x, date1904)
    hh, rem = divmod(secs, 3600)
    mi, ss = divmod(rem, 60)
    if d == 0:
        weekday = None
    elif (y, mo, d) == (1900, 2, 29):  # Excel's phantom leap day, a Wednesday
        weekday = 2
    else:
        weekday = _dt.date(y, mo, d).weekday()
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
