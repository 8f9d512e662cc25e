"""Date and time functions."""

from __future__ import annotations

import calendar
import datetime as _dt
import math
from typing import Any

import numpy as np

from addin.refresh.functions import volatile
from addin.refresh.functions._core import (
    _EPOCH_1900,
    MISSING,
    CallContext,
    date_serial,
    iter_values,
    register,
    serial_date,
    text_to_number,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from addin.registry import PER_ROW, WHOLE
from udfs.errors import (
    NUM,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


@register("TIMEVALUE", PER_ROW)
def TIMEVALUE(text: Any) -> float:
    """TIMEVALUE(time_text): the fraction of a day a text time stands for; a
    number (a cell holding a time) is #VALUE! as in Excel."""
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


@register("DATE", PER_ROW, PER_ROW, PER_ROW, needs_context=True)
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


@register("YEAR", PER_ROW, needs_context=True)
def YEAR(ctx: CallContext, v: Any) -> float:
    """YEAR(serial_number)."""
    return float(serial_date(_date_arg(v, ctx), ctx.date1904)[0])


@register("MONTH", PER_ROW, needs_context=True)
def MONTH(ctx: CallContext, v: Any) -> float:
    """MONTH(serial_number)."""
    return float(serial_date(_date_arg(v, ctx), ctx.date1904)[1])


@register("DAY", PER_ROW, needs_context=True)
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


@register("EDATE", PER_ROW, PER_ROW, needs_context=True, no_lift=True)
def EDATE(ctx: CallContext, start: Any, months: Any) -> float:
    """EDATE(start_date, months)."""
    return _shift_months(ctx, start, months, False)


@register("EOMONTH", PER_ROW, PER_ROW, needs_context=True, no_lift=True)
def EOMONTH(ctx: CallContext, start: Any, months: Any) -> float:
    """EOMONTH(start_date, months)."""
    return _shift_months(ctx, start, months, True)


@register("DATEVALUE", PER_ROW, needs_context=True)
def DATEVALUE(ctx: CallContext, text: Any) -> float:
    """DATEVALUE(date_text): the serial of the day a text date names (a number is #VALUE!)."""
    if not isinstance(text, str):
        raise fail(VALUE, "DATEVALUE 需要文本 / DATEVALUE needs text")
    n = text_to_number(text, ctx.date1904)
    if n is None or (n < 1 and ":" not in text) or "%" in text:
        raise fail(VALUE, f"文本“{text}”不是日期 / {text!r} is not a date")
    return float(math.floor(n))


@register("TIME", PER_ROW, PER_ROW, PER_ROW)
def TIME(h: Any, m: Any, s: Any) -> float:
    """TIME(hour, minute, second): each truncated; past 24 hours wraps; below 0 is #NUM!."""
    hh, mm, ss = to_int(h), to_int(m), to_int(s)
    if max(hh, mm, ss) > 32767:
        raise fail(NUM, "时间参数过大 / time argument too large")
    total = hh * 3600 + mm * 60 + ss
    if total < 0:
        raise fail(NUM, "时间为负 / negative time")
    return (total % 86400) / 86400


def _seconds_of_day(ctx: CallContext, v: Any) -> int:
    x = _date_arg(v, ctx)
    secs = round((x - math.floor(x)) * 86400)
    return 0 if secs >= 86400 else secs


@register("HOUR", PER_ROW, needs_context=True)
def HOUR(ctx: CallContext, v: Any) -> float:
    """HOUR(serial_number): the time rounded to the second."""
    return float(_seconds_of_day(ctx, v) // 3600)


@register("MINUTE", PER_ROW, needs_context=True)
def MINUTE(ctx: CallContext, v: Any) -> float:
    """MINUTE(serial_number)."""
    return float(_seconds_of_day(ctx, v) // 60 % 60)


@register("SECOND", PER_ROW, needs_context=True)
def SECOND(ctx: CallContext, v: Any) -> float:
    """SECOND(serial_number)."""
    return float(_seconds_of_day(ctx, v) % 60)


def _dow_sun0(serial: float, date1904: bool) -> int:
    """Day of the week, Sunday 0 (serial 1 is a Sunday in Excel's 1900 system)."""
    n = math.floor(serial)
    return (n + 5) % 7 if date1904 else (n - 1) % 7


@register("WEEKDAY", PER_ROW, PER_ROW, min_args=1, needs_context=True)
def WEEKDAY(ctx: CallContext, v: Any, kind: Any = MISSING) -> float:
    """WEEKDAY(serial_number, [return_type=1]): types 1, 2, 3, 11–17."""
    d = _dow_sun0(_date_arg(v, ctx), ctx.date1904)
    t = 1 if kind is MISSING else to_int(kind)
    if t == 1:
        return float(d + 1)
    if t == 2:
        return float((d + 6) % 7 + 1)
    if t == 3:
        return float((d + 6) % 7)
    if 11 <= t <= 17:
        return float((d - (t - 10) % 7) % 7 + 1)
    raise fail(NUM, "return_type 无效 / invalid return_type")


@register("WEEKNUM", PER_ROW, PER_ROW, min_args=1, needs_context=True)
def WEEKNUM(ctx: CallContext, v: Any, kind: Any = MISSING) -> float:
    """WEEKNUM(serial_number, [return_type=1]): the week holding 1 January is
    week 1; weeks start on Sunday (1, 17), Monday (2, 11) … Saturday (16); 21 is ISO."""
    x = _date_arg(v, ctx)
    t = 1 if kind is MISSING else to_int(kind)
    if t == 21:
        return ISOWEEKNUM(ctx, x)
    starts = {1: 0, 2: 1, 11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 16: 6, 17: 0}
    if t not in starts:
        raise fail(NUM, "return_type 无效 / invalid return_type")
    y, _, _ = serial_date(x, ctx.date1904)
    jan1 = _serial_from_parts(y, 1, 1, ctx.date1904)
    offset = (_dow_sun0(jan1, ctx.date1904) - starts[t]) % 7
    return float((math.floor(x) - jan1 + offset) // 7 + 1)


@register("ISOWEEKNUM", PER_ROW, needs_context=True)
def ISOWEEKNUM(ctx: CallContext, v: Any) -> float:
    """ISOWEEKNUM(date): ISO 8601 week number."""
    y, m, d = serial_date(_date_arg(v, ctx), ctx.date1904)
    if d == 0:
        return 52.0  # 1900-01-00, a Saturday at the end of week 52 of 1899
    if (y, m, d) == (1900, 2, 29):
        return 9.0
    return float(_dt.date(y, m, d).isocalendar()[1])


@register("DAYS", PER_ROW, PER_ROW, needs_context=True)
def DAYS(ctx: CallContext, end: Any, start: Any) -> float:
    """DAYS(end_date, start_date): whole days between them."""
    return float(math.floor(_date_arg(end, ctx)) - math.floor(_date_arg(start, ctx)))


def _ymd(ctx: CallContext, v: Any) -> tuple[int, int, int]:
    return serial_date(_date_arg(v, ctx), ctx.date1904)


def _last_of_feb(y: int, m: int, d: int) -> bool:
    return m == 2 and d == (29 if calendar.isleap(y) or y == 1900 else 28)


@register("DAYS360", PER_ROW, PER_ROW, PER_ROW, min_args=2, needs_context=True)
def DAYS360(ctx: CallContext, start: Any, end: Any, method: Any = MISSING) -> float:
    """DAYS360(start_date, end_date, [method=FALSE]): US (NASD) or European 30/360."""
    y1, m1, d1 = _ymd(ctx, start)
    y2, m2, d2 = _ymd(ctx, end)
    european = False if method is MISSING else to_bool(method)
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        if d1 == 31 or _last_of_feb(y1, m1, d1):
            d1 = 30
        if d2 == 31:
            if d1 < 30:
                d2, m2 = 1, m2 + 1
            else:
                d2 = 30
    return float((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1))


@register("DATEDIF", PER_ROW, PER_ROW, PER_ROW, needs_context=True)
def DATEDIF(ctx: CallContext, start: Any, end: Any, unit: Any) -> float:
    """DATEDIF(start_date, end_date, unit): "Y", "M", "D", "MD", "YM", "YD"."""
    s, e = math.floor(_date_arg(start, ctx)), math.floor(_date_arg(end, ctx))
    if s > e:
        raise fail(NUM, "开始日期晚于结束日期 / start_date is after end_date")
    u = to_text(unit).upper()
    y1, m1, d1 = serial_date(s, ctx.date1904)
    y2, m2, d2 = serial_date(e, ctx.date1904)
    months = (y2 - y1) * 12 + (m2 - m1) - (1 if d2 < d1 else 0)
    if u == "D":
        return float(e - s)
    if u == "M":
        return float(months)
    if u == "Y":
        return float(months // 12)
    if u == "YM":
        return float(months % 12)
    if u == "MD":
        if d2 >= d1:
            return float(d2 - d1)
        py, pm = (y2, m2 - 1) if m2 > 1 else (y2 - 1, 12)
        return float(calendar.monthrange(py, pm)[1] - d1 + d2)
    if u == "YD":
        yy = y2 if (m1, d1) <= (m2, d2) else y2 - 1
        dd = min(d1, calendar.monthrange(yy, m1)[1])
        return float(e - _serial_from_parts(yy, m1, dd, ctx.date1904))
    raise fail(NUM, f"DATEDIF 单位无效 / invalid unit {u!r}")


def _yearfrac_actual(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int, days: int) -> float:
    """YEARFRAC basis 1 (actual/actual) as Excel computes it."""
    within_year = y1 == y2 or (y2 == y1 + 1 and (m1, d1) >= (m2, d2))
    if within_year:
        if y1 == y2:
            leap = calendar.isleap(y1)
        else:
            leap = (calendar.isleap(y1) and (m1, d1) <= (2, 29)) or (
                calendar.isleap(y2) and (m2, d2) >= (2, 29)
            )
        return days / (366 if leap else 365)
    span = sum(366 if calendar.isleap(y) else 365 for y in range(y1, y2 + 1))
    return days / (span / (y2 - y1 + 1))


@register("YEARFRAC", PER_ROW, PER_ROW, PER_ROW, min_args=2, needs_context=True, handles_errors=True)
def YEARFRAC(ctx: CallContext, start: Any, end: Any, basis: Any = MISSING) -> float:
    """YEARFRAC(start_date, end_date, [basis=0]): the fraction of a year between
    two dates. An invalid basis is #NUM! even when a date is an error (Excel
    checks the basis first, pycel yearfrac.xlsx!P3)."""
    if isinstance(basis, bool):
        raise fail(VALUE, "basis 不能是逻辑值 / basis cannot be TRUE/FALSE")
    b = 0 if basis is MISSING or basis is None else to_int(basis)
    if not 0 <= b <= 4:
        raise fail(NUM, "basis 无效 / invalid basis")
    for v in (start, end):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
    s, e = math.floor(_date_arg(start, ctx)), math.floor(_date_arg(end, ctx))
    if s > e:
        s, e = e, s
    y1, m1, d1 = serial_date(s, ctx.date1904)
    y2, m2, d2 = serial_date(e, ctx.date1904)
    if b == 0:
        if _last_of_feb(y1, m1, d1) and _last_of_feb(y2, m2, d2):
            d2 = 30
        if _last_of_feb(y1, m1, d1):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        if d1 == 31:
            d1 = 30
        return ((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1)) / 360
    if b == 4:
        d1, d2 = min(d1, 30), min(d2, 30)
        return ((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1)) / 360
    if b == 1:
        return _yearfrac_actual(y1, m1, max(d1, 1), y2, m2, max(d2, 1), e - s)
    return (e - s) / (360 if b == 2 else 365)


# ------------------------------------------------------------ working days

_EPOCH64 = np.datetime64("1899-12-30")
_EPOCH64_1904 = np.datetime64("1904-01-01")


def _weekmask(weekend: Any) -> list[bool]:
    """Working days Monday…Sunday of a weekend code (1–7, 11–17) or a "0000011" string."""
    if weekend is MISSING or weekend is None:
        return [True] * 5 + [False] * 2
    if isinstance(weekend, str):
        if len(weekend) != 7 or set(weekend) - {"0", "1"} or weekend == "1111111":
            raise fail(VALUE, "周末字符串无效 / invalid weekend string")
        return [ch == "0" for ch in weekend]
    k = to_int(weekend)
    mask = [True] * 7
    if 1 <= k <= 7:
        mask[(k + 4) % 7] = mask[(k + 5) % 7] = False
    elif 11 <= k <= 17:
        mask[(k - 12) % 7] = False
    else:
        raise fail(NUM, "周末代码无效 / invalid weekend number")
    return mask


def _day64(serial: float, date1904: bool) -> np.datetime64:
    n = math.floor(serial)
    if n > 2958465:
        raise fail(NUM, "日期序号超出范围 / date serial out of range")
    if not date1904 and n < 61:
        n += 1  # before Excel's phantom 1900-02-29
    return (_EPOCH64_1904 if date1904 else _EPOCH64) + np.timedelta64(n, "D")


def _serial64(day: np.datetime64, date1904: bool) -> float:
    n = int((day - (_EPOCH64_1904 if date1904 else _EPOCH64)) // np.timedelta64(1, "D"))
    return float(n - 1 if not date1904 and n <= 61 else n)


def _holidays(ctx: CallContext, holidays: Any) -> list[np.datetime64]:
    if holidays is MISSING:
        return []
    out = []
    for v, _ in iter_values((holidays,)):
        if v is None:
            continue
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        out.append(_day64(_date_arg(v, ctx), ctx.date1904))
    return out


def _networkdays(ctx: CallContext, start: Any, end: Any, weekend: Any, holidays: Any) -> float:
    mask = _weekmask(weekend)
    s = _day64(_date_arg(start, ctx), ctx.date1904)
    e = _day64(_date_arg(end, ctx), ctx.date1904)
    hol = _holidays(ctx, holidays)
    if s <= e:
        return float(np.busday_count(s, e + 1, weekmask=mask, holidays=hol))
    return -float(np.busday_count(e, s + 1, weekmask=mask, holidays=hol))


def _workday(ctx: CallContext, start: Any, days: Any, weekend: Any, holidays: Any) -> float:
    mask = _weekmask(weekend)
    s = _day64(_date_arg(start, ctx), ctx.date1904)
    k = to_int(days)
    if k == 0:
        return float(math.floor(_date_arg(start, ctx)))
    if abs(k) > 2958465:
        raise fail(NUM, "天数超出范围 / days out of range")
    hol = _holidays(ctx, holidays)
    roll = "backward" if k > 0 else "forward"
    day = np.busday_offset(s, k, roll=roll, weekmask=mask, holidays=hol)  # type: ignore[call-overload]
    return _serial64(day, ctx.date1904)


@register("NETWORKDAYS", PER_ROW, PER_ROW, WHOLE, min_args=2, needs_context=True)
def NETWORKDAYS(ctx: CallContext, start: Any, end: Any, holidays: Any = MISSING) -> float:
    """NETWORKDAYS(start_date, end_date, [holidays]): Monday–Friday, both ends counted."""
    return _networkdays(ctx, start, end, MISSING, holidays)


@register("NETWORKDAYS.INTL", PER_ROW, PER_ROW, PER_ROW, WHOLE, min_args=2, needs_context=True)
def NETWORKDAYS_INTL(
    ctx: CallContext, start: Any, end: Any, weekend: Any = MISSING, holidays: Any = MISSING
) -> float:
    """NETWORKDAYS.INTL(start_date, end_date, [weekend=1], [holidays])."""
    return _networkdays(ctx, start, end, weekend, holidays)


@register("WORKDAY", PER_ROW, PER_ROW, WHOLE, min_args=2, needs_context=True)
def WORKDAY(ctx: CallContext, start: Any, days: Any, holidays: Any = MISSING) -> float:
    """WORKDAY(start_date, days, [holidays])."""
    return _workday(ctx, start, days, MISSING, holidays)


@register("WORKDAY.INTL", PER_ROW, PER_ROW, PER_ROW, WHOLE, min_args=2, needs_context=True)
def WORKDAY_INTL(
    ctx: CallContext, start: Any, days: Any, weekend: Any = MISSING, holidays: Any = MISSING
) -> float:
    """WORKDAY.INTL(start_date, days, [weekend=1], [holidays])."""
    return _workday(ctx, start, days, weekend, holidays)


def _now_serial(ctx: CallContext, with_time: bool) -> float:
    n = volatile.now()
    day = date_serial(n.year, n.month, n.day, ctx.date1904)
    if not with_time:
        return float(day)
    return day + (n.hour * 3600 + n.minute * 60 + n.second) / 86400


@register("TODAY", needs_context=True)
def TODAY(ctx: CallContext) -> float:
    """TODAY(): the refresh's date (``jixiao refresh --today``)."""
    d = volatile.today()
    return float(date_serial(d.year, d.month, d.day, ctx.date1904))


@register("NOW", needs_context=True)
def NOW(ctx: CallContext) -> float:
    """NOW(): the refresh's date at the machine's time of day."""
    return _now_serial(ctx, True)
