"""Text functions and TEXT's number and date formats."""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP
from typing import Any

import numpy as np

from addin.refresh.functions._core import (
    MISSING,
    TEXT_LIMIT,
    Area,
    CallContext,
    as_array,
    iter_values,
    register,
    repeat,
    serial_date,
    text_to_number,
    text_too_long,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from addin.refresh.functions.math import _round_with
from addin.refresh.functions.numfmt import format_value, general_display
from addin.registry import PER_ROW, WHOLE
from udfs.errors import (
    CALC,
    NA,
    VALUE,
    ExcelError,
    ExcelErrorRaised,
    fail,
)


@register("LEN", PER_ROW)
def LEN(v: Any) -> float:
    """LEN(text)."""
    return float(len(to_text(v)))


@register("LEFT", PER_ROW, PER_ROW, min_args=1)
def LEFT(v: Any, n: Any = MISSING) -> str:
    """LEFT(text, [num_chars=1])."""
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise fail(VALUE, "字符数为负 / num_chars is negative")
    return to_text(v)[:k]


@register("RIGHT", PER_ROW, PER_ROW, min_args=1)
def RIGHT(v: Any, n: Any = MISSING) -> str:
    """RIGHT(text, [num_chars=1])."""
    k = 1 if n is MISSING else to_int(n)
    if k < 0:
        raise fail(VALUE, "字符数为负 / num_chars is negative")
    t = to_text(v)
    return t[max(0, len(t) - k) :] if k else ""


@register("MID", PER_ROW, PER_ROW, PER_ROW)
def MID(v: Any, start: Any, n: Any) -> str:
    """MID(text, start_num, num_chars)."""
    s, k = to_int(start), to_int(n)
    if s < 1 or k < 0:
        raise fail(VALUE, "起始位置或字符数无效 / start_num or num_chars out of range")
    return to_text(v)[s - 1 : s - 1 + k]


@register("CONCAT", WHOLE, repeat(WHOLE), values_only=True)
def CONCAT(*args: Any) -> str:
    """CONCAT(text1, …): ranges joined in reading order."""
    parts = []
    for v, _ in iter_values(args):
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        parts.append(to_text(v))
    out = "".join(parts)
    if len(out) > TEXT_LIMIT:
        raise text_too_long()
    return out


register("CONCATENATE", PER_ROW, repeat(PER_ROW))(CONCAT)


@register("TEXTJOIN", PER_ROW, PER_ROW, WHOLE, repeat(WHOLE), values_only=True)
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
    if len(out) > TEXT_LIMIT:
        raise text_too_long()
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


@register("TEXT", PER_ROW, PER_ROW, needs_context=True)
def TEXT(ctx: CallContext, value: Any, fmt: Any) -> str:
    """TEXT(value, format_text) in Excel's number-format language
    (:mod:`addin.refresh.functions.numfmt`); a text that reads as a number is
    formatted as that number, other text goes through the text section."""
    f = to_text(fmt)
    x: float | str
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        n = text_to_number(value, ctx.date1904)
        x = value if n is None else n
    else:
        x = to_number(value, ctx.date1904)
    if isinstance(x, float) and f.upper() in ("GENERAL", "G/通用格式"):
        return general_display(x)
    return format_value(x, f, ctx.date1904)


# ---------------------------------------------------------- finding and cleaning text


def _start(start: Any) -> int:
    s = 1 if start is MISSING else to_int(start)
    if s < 1:
        raise fail(VALUE, "起始位置小于 1 / start_num is below 1")
    return s


@register("FIND", PER_ROW, PER_ROW, PER_ROW, min_args=2)
def FIND(needle: Any, hay: Any, start: Any = MISSING) -> float:
    """FIND(find_text, within_text, [start_num=1]): case-sensitive, no wildcards."""
    n, h, s = to_text(needle), to_text(hay), _start(start)
    if s > len(h) + (1 if n == "" else 0):
        raise fail(VALUE, "起始位置超出文本 / start_num beyond the text")
    i = h.find(n, s - 1)
    if i < 0:
        raise fail(VALUE, f"找不到“{n}” / {n!r} not found")
    return float(i + 1)


def _search_regex(pattern: str) -> re.Pattern[str]:
    """SEARCH's wildcards (``*``, ``?``, ``~`` escapes) as an unanchored regex."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~":  # escapes the next character (a trailing ~ matches nothing)
            out.append(re.escape(pattern[i + 1 : i + 2]))
            i += 2
            continue
        out.append(".*?" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


@register("SEARCH", PER_ROW, PER_ROW, PER_ROW, min_args=2)
def SEARCH(needle: Any, hay: Any, start: Any = MISSING) -> float:
    """SEARCH(find_text, within_text, [start_num=1]): any case, ``*``/``?``/``~`` wildcards."""
    n, h, s = to_text(needle), to_text(hay), _start(start)
    if s > len(h) + (1 if n == "" else 0):
        raise fail(VALUE, "起始位置超出文本 / start_num beyond the text")
    if n == "":
        return float(s)
    m = _search_regex(n).search(h, s - 1)
    if m is None:
        raise fail(VALUE, f"找不到“{n}” / {n!r} not found")
    return float(m.start() + 1)


@register("SUBSTITUTE", PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=3)
def SUBSTITUTE(v: Any, old: Any, new: Any, nth: Any = MISSING) -> str:
    """SUBSTITUTE(text, old_text, new_text, [instance_num]): every instance, or the n-th."""
    t, o, n = to_text(v), to_text(old), to_text(new)
    if o == "":
        return t
    if nth is MISSING:
        return t.replace(o, n)
    k = to_int(nth)
    if k < 1:
        raise fail(VALUE, "instance_num 小于 1 / instance_num is below 1")
    i = -1
    for _ in range(k):
        i = t.find(o, i + 1)
        if i < 0:
            return t
    return t[:i] + n + t[i + len(o) :]


@register("REPLACE", PER_ROW, PER_ROW, PER_ROW, PER_ROW)
def REPLACE(v: Any, start: Any, n: Any, new: Any) -> str:
    """REPLACE(old_text, start_num, num_chars, new_text)."""
    t, s, k = to_text(v), to_int(start), to_int(n)
    if s < 1 or k < 0:
        raise fail(VALUE, "起始位置或字符数无效 / start_num or num_chars out of range")
    return t[: s - 1] + to_text(new) + t[s - 1 + k :]


@register("UPPER", PER_ROW)
def UPPER(v: Any) -> str:
    """UPPER(text)."""
    return to_text(v).upper()


@register("LOWER", PER_ROW)
def LOWER(v: Any) -> str:
    """LOWER(text)."""
    return to_text(v).lower()


@register("PROPER", PER_ROW)
def PROPER(v: Any) -> str:
    """PROPER(text): a letter after a non-letter upper-cased, every other lower-cased."""
    out, prev = [], False
    for ch in to_text(v):
        out.append(ch.lower() if prev else ch.upper())
        prev = ch.isalpha()
    return "".join(out)


@register("TRIM", PER_ROW)
def TRIM(v: Any) -> str:
    """TRIM(text): spaces (U+0020 only) at the ends removed, runs inside made one."""
    return " ".join(p for p in to_text(v).split(" ") if p)


@register("CLEAN", PER_ROW)
def CLEAN(v: Any) -> str:
    """CLEAN(text): the control characters 0–31 removed."""
    return "".join(ch for ch in to_text(v) if ord(ch) >= 32)


@register("VALUE", PER_ROW, needs_context=True)
def VALUE_(ctx: CallContext, v: Any) -> float:
    """VALUE(text): a number, or a text that reads as a number, date or time."""
    if isinstance(v, str):
        n = text_to_number(v, ctx.date1904)
        if n is None:
            raise fail(VALUE, f"文本“{v}”不是数值 / text {v!r} is not a number")
        return n
    if isinstance(v, bool):
        raise fail(VALUE, "VALUE 不接受逻辑值 / VALUE of TRUE/FALSE")
    return to_number(v)


@register("NUMBERVALUE", PER_ROW, PER_ROW, PER_ROW, min_args=1)
def NUMBERVALUE(v: Any, dec: Any = MISSING, group: Any = MISSING) -> float:
    """NUMBERVALUE(text, [decimal_separator="."], [group_separator=","])."""
    if not isinstance(v, str):
        return to_number(v)
    d = "." if dec is MISSING else to_text(dec)[:1]
    g = "," if group is MISSING else to_text(group)[:1]
    t = "".join(v.split())
    if t == "":
        return 0.0
    pct = len(t) - len(t.rstrip("%"))
    t = t.rstrip("%")
    head, sep, tail = t.partition(d) if d else (t, "", "")
    if g and g in tail:
        raise fail(VALUE, f"文本“{v}”不是数值 / text {v!r} is not a number")
    t = head.replace(g, "") if g else head
    t += ("." + tail) if sep else ""
    try:
        x = float(t)
    except ValueError:
        raise fail(VALUE, f"文本“{v}”不是数值 / text {v!r} is not a number") from None
    return x / 100**pct


#: Windows code page 1252 as Windows decodes it (Excel's CHAR/CODE on Windows):
#: 128–159 are typographic characters (128 €, 150 –, 153 ™), and the five codes
#: the code page leaves unassigned (129, 141, 143, 144, 157) stand for the C1
#: control of the same number, as MultiByteToWideChar maps them — Python's
#: codec refuses those five.
_UNASSIGNED_1252 = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _cp1252(n: int) -> str:
    if n < 128 or n in _UNASSIGNED_1252:
        return chr(n)
    return bytes([n]).decode("cp1252")


@register("CHAR", PER_ROW)
def CHAR(v: Any) -> str:
    """CHAR(number): the character of code 1–255 in Windows code page 1252
    (CHAR(128) is €, CHAR(150) –, CHAR(129) the control U+0081).

    The number is truncated (CHAR(65.9) is A); below 1 or above 255 is #VALUE!;
    a blank is 0 (#VALUE!); a text number converts; an error argument is
    that error; an array is applied to each element."""
    n = to_int(v)
    if not 1 <= n <= 255:
        raise fail(VALUE, "字符代码须在 1 到 255 / code must be 1 to 255")
    return _cp1252(n)


@register("CODE", PER_ROW)
def CODE(v: Any) -> float:
    """CODE(text): the code (Windows code page 1252) of the first character.

    CHAR's inverse over 1–255 (the unassigned 129, 141, 143, 144, 157 too);
    a character outside the code page is 63 (``?``), as Excel converts it.
    A number is read as its General text (CODE(12) is 49); a blank or ""
    is #VALUE!; an error argument is that error; an array is applied to each
    element."""
    t = to_text(v)
    if not t:
        raise fail(VALUE, "空文本 / empty text")
    ch = t[0]
    if ord(ch) < 128 or ord(ch) in _UNASSIGNED_1252:
        return float(ord(ch))
    try:
        return float(ch.encode("cp1252")[0])
    except UnicodeEncodeError:
        return 63.0  # "?" as Excel shows a character outside the code page


@register("UNICHAR", PER_ROW)
def UNICHAR(v: Any) -> str:
    """UNICHAR(number)."""
    n = to_int(v)
    if not 1 <= n <= 0x10FFFF or 0xD800 <= n <= 0xDFFF:
        raise fail(VALUE, "无效的码位 / invalid code point")
    return chr(n)


@register("UNICODE", PER_ROW)
def UNICODE(v: Any) -> float:
    """UNICODE(text): the code point of the first character."""
    t = to_text(v)
    if not t:
        raise fail(VALUE, "空文本 / empty text")
    return float(ord(t[0]))


@register("REPT", PER_ROW, PER_ROW)
def REPT(v: Any, n: Any) -> str:
    """REPT(text, number_times)."""
    k = to_int(n)
    t = to_text(v)
    if k < 0:
        raise fail(VALUE, "重复次数无效 / number_times out of range")
    if len(t) * k > TEXT_LIMIT:
        raise text_too_long()
    return t * k


@register("EXACT", PER_ROW, PER_ROW)
def EXACT(a: Any, b: Any) -> bool:
    """EXACT(text1, text2): case-sensitive equality."""
    return to_text(a) == to_text(b)


@register("T", PER_ROW)
def T(v: Any) -> str:
    """T(value): the text, or ""."""
    return v if isinstance(v, str) else ""


def _fixed(x: float, decimals: int, commas: bool) -> str:
    r = _round_with(x, decimals, ROUND_HALF_UP)
    body = f"{abs(r):,.{max(decimals, 0)}f}" if commas else f"{abs(r):.{max(decimals, 0)}f}"
    return ("-" if r < 0 else "") + body


@register("FIXED", PER_ROW, PER_ROW, PER_ROW, min_args=1)
def FIXED(v: Any, decimals: Any = MISSING, no_commas: Any = MISSING) -> str:
    """FIXED(number, [decimals=2], [no_commas=FALSE])."""
    d = 2 if decimals is MISSING else to_int(decimals)
    if d > 127:
        raise fail(VALUE, "小数位数过大 / too many decimals")
    nc = False if no_commas is MISSING else to_bool(no_commas)
    return _fixed(to_number(v), d, not nc)


@register("DOLLAR", PER_ROW, PER_ROW, min_args=1)
def DOLLAR(v: Any, decimals: Any = MISSING) -> str:
    """DOLLAR(number, [decimals=2]) in Excel's default (en-US) currency format."""
    d = 2 if decimals is MISSING else to_int(decimals)
    if d > 127:
        raise fail(VALUE, "小数位数过大 / too many decimals")
    s = _fixed(to_number(v), d, True)
    return f"(${s[1:]})" if s.startswith("-") else f"${s}"


def _lower_in_place(t: str) -> str:
    """``t`` in lower case, character for character (``İ`` stays: its lower
    case is two characters, which would move every position after it)."""
    low = t.lower()
    return low if len(low) == len(t) else "".join(c if len(c.lower()) != 1 else c.lower() for c in t)


def _split_at(t: str, delims: list[str], n: int, fold: bool, match_end: bool) -> tuple[int, int] | None:
    """(start, end) of the n-th delimiter from the start, or — when n < 0 —
    of the |n|-th from the end, searched from the end (so in ``aaa`` the last
    ``aa`` starts at 1). At each place the longest delimiter of the list that
    matches there wins; with ``match_end`` the end of the text (the start,
    searching from the end) counts as one more delimiter."""
    hay = _lower_in_place(t) if fold else t
    ds = sorted({_lower_in_place(d) if fold else d for d in delims if d != ""}, key=len, reverse=True)
    count = 0
    if n > 0:
        i = 0
        while i <= len(hay):
            best = min(
                ((j, j + len(d)) for d in ds if (j := hay.find(d, i)) >= 0),
                key=lambda h: (h[0], -h[1]),
                default=None,
            )
            if best is None:
                break
            count += 1
            if count == n:
                return best
            i = best[1]
        return (len(t), len(t)) if match_end and count == n - 1 else None
    i = len(hay)
    while i >= 0:
        best = max(
            ((j, j + len(d)) for d in ds if (j := hay.rfind(d, 0, i)) >= 0),
            key=lambda h: (h[0], h[1]),
            default=None,
        )
        if best is None:
            break
        count += 1
        if count == -n:
            return best
        i = best[0]
    return (0, 0) if match_end and count == -n - 1 else None


def _delims(d: Any) -> list[str]:
    if isinstance(d, Area | np.ndarray):
        return [to_text(x) for x in as_array(d).ravel()]
    return [to_text(d)]


def _flag(v: Any, name: str) -> bool:
    """A 0/1 switch (match_mode, match_end): blank or omitted is 0; other numbers #VALUE!."""
    if v is MISSING or v is None:
        return False
    k = to_int(v)
    if k not in (0, 1):
        raise fail(VALUE, f"{name} 须为 0 或 1 / {name} must be 0 or 1")
    return k == 1


def _text_around(v: Any, d: Any, n: Any, mode: Any, end: Any, nf: Any, before: bool) -> Any:
    """TEXTBEFORE/TEXTAFTER (Microsoft's reference): the text before/after the
    ``n``-th delimiter (from the end when negative, searched from the end).

    - ``instance_num`` 0, or beyond the text's length, is #VALUE!; a blank
      ``instance_num`` is 1;
    - ``delimiter`` may be an array of delimiters (the longest matching at a
      place wins); an empty delimiter matches at once: TEXTBEFORE gives "" from
      the start and the whole text from the end, TEXTAFTER the reverse;
    - ``match_mode`` 1 ignores case, ``match_end`` 1 makes the end (the start,
      from the end) one more delimiter; other values #VALUE!;
    - not found: ``if_not_found`` if given (a blank cell there is 0, as any
      reference value), else #N/A;
    - an error in text or an instance/mode argument is that error; an array
      of texts is applied to each."""
    t = to_text(v)
    k = 1 if n is MISSING or n is None else to_int(n)
    fold = _flag(mode, "match_mode")
    match_end = _flag(end, "match_end")
    if k == 0 or abs(k) > len(t) + 1:
        raise fail(VALUE, "instance_num 无效 / instance_num out of range")
    delims = _delims(d)
    if "" in delims:
        return "" if (k > 0) == before else t
    hit = _split_at(t, delims, k, fold, match_end)
    if hit is None:
        if nf is MISSING:
            raise fail(NA, "找不到分隔符 / delimiter not found")
        return nf
    return t[: hit[0]] if before else t[hit[1] :]


@register("TEXTBEFORE", PER_ROW, WHOLE, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=2)
def TEXTBEFORE(v: Any, d: Any, n: Any = MISSING, mode: Any = MISSING, end: Any = MISSING,
               nf: Any = MISSING) -> Any:  # fmt: skip
    """TEXTBEFORE(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found])."""
    return _text_around(v, d, n, mode, end, nf, True)


@register("TEXTAFTER", PER_ROW, WHOLE, PER_ROW, PER_ROW, PER_ROW, PER_ROW, min_args=2)
def TEXTAFTER(v: Any, d: Any, n: Any = MISSING, mode: Any = MISSING, end: Any = MISSING,
              nf: Any = MISSING) -> Any:  # fmt: skip
    """TEXTAFTER(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found])."""
    return _text_around(v, d, n, mode, end, nf, False)


def _split_all(t: str, delims: list[str], fold: bool) -> list[str]:
    parts, start, i = [], 0, 0
    hay = t.lower() if fold else t
    ds = [d.lower() if fold else d for d in delims if d != ""]
    while i < len(t) and ds:
        hit = next((d for d in sorted(ds, key=len, reverse=True) if hay.startswith(d, i)), None)
        if hit is None:
            i += 1
            continue
        parts.append(t[start:i])
        i += len(hit)
        start = i
    parts.append(t[start:])
    return parts


@register("TEXTSPLIT", PER_ROW, WHOLE, WHOLE, PER_ROW, PER_ROW, PER_ROW, min_args=2)
def TEXTSPLIT(v: Any, col_d: Any, row_d: Any = MISSING, ignore: Any = MISSING,
              mode: Any = MISSING, pad: Any = MISSING) -> Any:  # fmt: skip
    """TEXTSPLIT(text, col_delimiter, [row_delimiter], [ignore_empty], [match_mode],
    [pad_with=#N/A]): the text cut into a grid of pieces."""
    t = to_text(v)
    fold = False if mode is MISSING else to_int(mode) == 1
    skip = False if ignore is MISSING else to_bool(ignore)
    cols = [] if col_d is MISSING else _delims(col_d)
    rows_d = [] if row_d is MISSING else _delims(row_d)
    if not any(cols) and not any(rows_d):
        raise fail(VALUE, "没有分隔符 / no delimiter")
    rows = _split_all(t, rows_d, fold) if rows_d else [t]
    grid = [_split_all(r, cols, fold) if cols else [r] for r in rows]
    if skip:
        grid = [[c for c in r if c != ""] for r in grid]
        grid = [r for r in grid if r]
    if not grid:
        raise fail(CALC, "结果为空 / the result is empty")
    w = max(len(r) for r in grid)
    out = np.empty((len(grid), w), dtype=object)
    filler = NA if pad is MISSING else pad
    for i, r in enumerate(grid):
        for j in range(w):
            out[i, j] = r[j] if j < len(r) else filler
    return out


@register("VALUETOTEXT", PER_ROW, PER_ROW, min_args=1, handles_errors=True)
def VALUETOTEXT(v: Any, fmt: Any = MISSING) -> str:
    """VALUETOTEXT(value, [format=0]): the value as text; format 1 (strict) quotes
    text. An error becomes its code."""
    strict = False if fmt is MISSING else to_int(fmt) == 1
    if isinstance(fmt, ExcelError):
        raise ExcelErrorRaised(fmt)
    if isinstance(v, ExcelError):
        return v.code
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"' if strict else v
    return to_text(v)
