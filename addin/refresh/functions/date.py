"""Date and time functions."""

from __future__ import annotations

import calendar
import datetime as _dt
import math
from typing import Any

from addin.refresh.functions._core import (
    _EPOCH_1900,
    CallContext,
    date_serial,
    register,
    serial_date,
    text_to_number,
    to_int,
    to_number,
)
from udfs.errors import (
    NUM,
    VALUE,
    fail,
)


@register("TIMEVALUE", "S", 1, 1)
def TIMEVALUE(text: Any) -> float:
    """TIMEVALUE(time_text): the fraction of a day a text time stands for."""
    if not isinstance(text, str):
        raise fail(VALUE, "TIMEVALUE 需要文本 / TIMEVALUE needs text")
    n = text_to_number(text)
    if n is None or "%" in text:
        raise fail(VALUE, f"文本“{text}”不是时间 / {text!r} is not a time")
    return n - math.floor(n)


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
