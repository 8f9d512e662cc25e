"""Excel's number-format language, for TEXT(value, format_text).

A format has up to four sections ``positive;negative;zero;text``; a section may
open with a condition (``[<12]``), a colour (``[Red]``, ``[Color10]``: nothing
to show in text) or a locale/currency prefix (``[$-409]``, ``[$€-407]``: read
with Excel's default en-US names, the currency symbol kept). Number sections
have digit placeholders ``0 # ?``, a decimal point, thousands separators (a
``,`` after the last digit divides by 1,000), ``%``, exponents ``E+00``,
fractions ``# ?/?`` and literals (``"text"``, ``\\x``, ``_x`` padding as one
space, ``*x`` fill dropped). Date sections have ``y m d h s AM/PM A/P``,
elapsed ``[h] [m] [s]`` and fractional seconds ``ss.000``.

Where Excel differs by locale (month names, separators), Excel's default
en-US is used.
"""

from __future__ import annotations

import calendar
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from addin.refresh.functions._core import format_general, serial_date
from udfs.errors import VALUE, fail

_COND = re.compile(r"^\[(<=|>=|<>|<|>|=)\s*(-?[\d.]+(?:[eE][+-]?\d+)?)\]")
_BRACKET = re.compile(r"^\[[^\]]*\]")
_DATE_CHARS = re.compile(r"[ymdhsYMDHS]|AM/PM|A/P|\[[hms]+\]", re.IGNORECASE)


def split_sections(fmt: str) -> list[str]:
    """The sections of a format, split at ``;`` outside quotes, brackets, escapes."""
    out, cur, i, n = [], [], 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == '"':
            j = fmt.find('"', i + 1)
            j = n if j < 0 else j + 1
            cur.append(fmt[i:j])
            i = j
            continue
        if ch in "\\_*" and i + 1 < n:
            cur.append(fmt[i : i + 2])
            i += 2
            continue
        if ch == "[":
            j = fmt.find("]", i)
            j = n if j < 0 else j + 1
            cur.append(fmt[i:j])
            i = j
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _head(section: str) -> tuple[str, tuple[str, float] | None, str]:
    """(section without its bracket prefixes, its condition, currency text)."""
    cond = None
    currency = ""
    while section.startswith("["):
        m = _COND.match(section)
        if m:
            cond = (m.group(1), float(m.group(2)))
            section = section[m.end() :]
            continue
        m = _BRACKET.match(section)
        assert m is not None
        body = m.group(0)[1:-1]
        if re.fullmatch(r"[hHmMsS]+", body):
            break  # elapsed time: part of the section
        section = section[m.end() :]
        if body.startswith("$"):
            currency = body[1:].split("-")[0]
            if currency:
                section = '"' + currency + '"' + section
    return section, cond, currency


def _holds(cond: tuple[str, float], x: float) -> bool:
    op, v = cond
    return {
        "<": x < v,
        ">": x > v,
        "=": x == v,
        "<=": x <= v,
        ">=": x >= v,
        "<>": x != v,
    }[op]


def format_value(x: float | str, fmt: str, date1904: bool = False) -> str:
    """``x`` (a number, or a text) shown in the format ``fmt``, as TEXT does."""
    sections = split_sections(fmt)
    if len(sections) > 4:
        raise fail(VALUE, "格式的节过多 / too many sections in the format")
    heads = [_head(s) for s in sections]
    if isinstance(x, str):
        if len(heads) == 4:
            return _literal_text(heads[3][0], x)
        if len(heads) == 1 and "@" in _strip_literals(heads[0][0]):
            return _literal_text(heads[0][0], x)
        return x
    conds = [h[1] for h in heads]
    body, _, currency = heads[0]
    value, signed = x, True
    if any(conds):
        chosen = None
        for i, (b, c, cur) in enumerate(heads[:3]):
            if c is not None and _holds(c, x):
                chosen = (b, cur)
                # a negative number in a section for values below 0 shows no sign
                signed = not (c[0] in ("<", "<=") and c[1] <= 0)
                break
            if c is None and i > 0 and "@" not in b:
                chosen = (b, cur)
                signed = not (i == 1 and len(heads) > 2)
                break
        if chosen is None:
            return "#" * 10 if len(heads) < 3 else _number_or_date(x, *heads[-1][::2], date1904)
        body, currency = chosen
        return _number_or_date(value, body, currency, date1904, signed)
    n = len([h for h in heads if "@" not in h[0] or h is heads[0]])
    if x < 0 and n >= 2:
        body, _, currency = heads[1]
        value, signed = -x, False
    elif x == 0 and n >= 3:
        body, _, currency = heads[2]
    return _number_or_date(value, body, currency, date1904, signed)


def _strip_literals(section: str) -> str:
    return re.sub(r'"[^"]*"|\\.|_.|\*.', "", section)


def _literal_text(section: str, text: str) -> str:
    out = []
    for kind, tok in _tokens(section):
        if kind == "@":
            out.append(text)
        elif kind == "lit":
            out.append(tok)
    return "".join(out)


def _number_or_date(x: float, body: str, currency: str, date1904: bool, signed: bool = True) -> str:
    plain = _strip_literals(body)
    if "general" in plain.lower():
        return _general(body, x)
    if plain == "" and body == "":
        return ""
    dateish = re.sub(r"[eE][+-]|(?<=[sS])\.0+", "", plain)
    if _DATE_CHARS.search(dateish) and not re.search(r"[0#?]", dateish):
        if x < 0:
            raise fail(VALUE, "负数不能按日期格式显示 / a negative number in a date format")
        return _format_date(x, body, date1904)
    return _format_number(x, body, signed, currency)


def _general(body: str, x: float) -> str:
    out = []
    for kind, tok in _tokens(body):
        if kind == "general":
            out.append(format_general(x))
        elif kind == "lit":
            out.append(tok)
    return "".join(out)


def _tokens(section: str) -> list[tuple[str, str]]:
    """The section as (kind, text) tokens: lit, digit, dot, comma, pct, exp,
    slash, @, general, date."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(section)
    while i < n:
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = n if j < 0 else j
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < n:
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < n:
            out.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < n:
            i += 2
        elif ch == "[":
            j = section.find("]", i)
            j = n if j < 0 else j
            out.append(("bracket", section[i + 1 : j]))
            i = j + 1
        elif section[i : i + 7].lower() == "general":
            out.append(("general", section[i : i + 7]))
            i += 7
        elif ch in "0#?":
            out.append(("digit", ch))
            i += 1
        elif ch == ".":
            out.append(("dot", ch))
            i += 1
        elif ch == ",":
            out.append(("comma", ch))
            i += 1
        elif ch == "%":
            out.append(("pct", ch))
            i += 1
        elif ch in "eE" and i + 1 < n and section[i + 1] in "+-":
            out.append(("exp", section[i : i + 2]))
            i += 2
        elif ch == "/":
            out.append(("slash", ch))
            i += 1
        elif ch == "@":
            out.append(("@", ch))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _round_half_up(x: float, decimals: int) -> Decimal:
    d = Decimal(f"{x:.15g}") if x else Decimal(0)
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _format_number(x: float, body: str, signed: bool, currency: str) -> str:
    toks = _tokens(body)
    # thousands scaling: commas right after the last digit placeholder (before the
    # decimal part ends), not between placeholders
    kinds = [k for k, _ in toks]
    scale = 0
    grouping = False
    for i, (k, _) in enumerate(toks):
        if k != "comma":
            continue
        before = any(kk == "digit" for kk in kinds[:i])
        after_digit = next(
            (kk for kk in kinds[i + 1 :] if kk in ("digit", "dot", "exp", "slash")), None
        )
        if before and after_digit == "digit" and "dot" not in kinds[:i]:
            grouping = True
        elif (
            before
            and after_digit in (None, "dot", "exp", "slash")
            and (after_digit is None or after_digit != "digit")
        ):
            scale += 1
    value = abs(x) * 100 ** kinds.count("pct") / 1000**scale
    negative = x < 0 and signed
    if "slash" in kinds and any(k == "digit" for k in kinds):
        text = _format_fraction(value, toks)
    elif "exp" in kinds:
        text = _format_exponent(value, toks)
    else:
        text, is_zero = _format_fixed(value, toks, grouping)
        if is_zero:
            negative = False
    if currency:
        text = text.replace("\0cur", currency)
    return ("-" if negative else "") + text


def _format_fixed(value: float, toks: list[tuple[str, str]], grouping: bool) -> tuple[str, bool]:
    dot = next((i for i, (k, _) in enumerate(toks) if k == "dot"), None)
    int_slots = [i for i, (k, _) in enumerate(toks) if k == "digit" and (dot is None or i < dot)]
    dec_slots = [i for i, (k, _) in enumerate(toks) if k == "digit" and dot is not None and i > dot]
    r = _round_half_up(value, len(dec_slots))
    is_zero = r == 0
    s = f"{r:f}"
    ip, _, dp = s.partition(".")
    dp = dp.ljust(len(dec_slots), "0")
    digits = ip.lstrip("0")
    out: dict[int, str] = {}
    # integer digits fill the slots from the right; the leftmost slot takes the rest
    rem = digits
    for n, i in enumerate(reversed(int_slots)):
        ch = toks[i][1]
        last = n == len(int_slots) - 1
        if rem:
            take = rem if last else rem[-1]
            rem = "" if last else rem[:-1]
            out[i] = take
        else:
            out[i] = "0" if ch == "0" else (" " if ch == "?" else "")
    if grouping and int_slots:
        whole = "".join(out[i] for i in int_slots)
        lead = len(whole) - len(whole.lstrip(" "))
        core = whole.strip(" ")
        grouped = f"{int(core):,}" if core.isdigit() else core
        if core.startswith("0") and len(core) > 1:
            grouped = ",".join(_chunks(core))
        for i in int_slots:
            out[i] = ""
        out[int_slots[0]] = " " * lead + grouped
    # decimals: trailing zeros vanish under # and show as spaces under ?
    keep = len(dp.rstrip("0"))
    for n, i in enumerate(dec_slots):
        ch = toks[i][1]
        d = dp[n]
        if n < keep or ch == "0":
            out[i] = d
        else:
            out[i] = " " if ch == "?" else ""
    parts = []
    for i, (k, t) in enumerate(toks):
        if k == "digit":
            parts.append(out[i])
        elif k == "dot":
            parts.append(".")
        elif k in ("lit", "pct"):
            parts.append(t)
        elif k == "bracket" and t.startswith("$"):
            parts.append(t[1:].split("-")[0])
    if not int_slots and digits:
        # no integer placeholder: the integer part goes before the point
        at = next((n for n, (k, _) in enumerate(toks) if k == "dot"), None)
        if at is not None:
            prefix = sum(1 for k, _ in toks[:at] if k in ("lit", "pct", "bracket"))
            parts.insert(prefix, digits)
    return "".join(parts), is_zero


def _chunks(s: str) -> list[str]:
    head = len(s) % 3
    return ([s[:head]] if head else []) + [s[i : i + 3] for i in range(head, len(s), 3)]


def _format_exponent(value: float, toks: list[tuple[str, str]]) -> str:
    e_at = next(i for i, (k, _) in enumerate(toks) if k == "exp")
    mant_toks, exp_toks = toks[:e_at], toks[e_at + 1 :]
    int_slots = [t for k, t in mant_toks[: _dot_index(mant_toks)] if k == "digit"]
    step = len(int_slots) if len(int_slots) > 1 and int_slots[0] == "#" else 1
    decimals = sum(1 for k, _ in mant_toks[_dot_index(mant_toks) :] if k == "digit")
    if value == 0:
        exp = 0
    else:
        exp = math.floor(math.log10(value))
        exp = exp - (exp % step) if step > 1 else exp - (len(int_slots) - 1 if int_slots else 0)
    mant = value / 10**exp if value else 0.0
    r = _round_half_up(mant, decimals)
    if value and r >= 10 ** max(step, len(int_slots) or 1):
        exp += step
        mant = value / 10**exp
        r = _round_half_up(mant, decimals)
    mtext, _ = _format_fixed(float(r), mant_toks, False)
    sign_tok = toks[e_at][1]
    ndig = sum(1 for k, _ in exp_toks if k == "digit")
    etext = str(abs(exp)).rjust(ndig, "0")
    sign = "-" if exp < 0 else ("+" if sign_tok[1] == "+" else "")
    tail = "".join(t for k, t in exp_toks if k == "lit")
    return f"{mtext}{sign_tok[0]}{sign}{etext}{tail}"


def _dot_index(toks: list[tuple[str, str]]) -> int:
    return next((i for i, (k, _) in enumerate(toks) if k == "dot"), len(toks))


def _format_fraction(value: float, toks: list[tuple[str, str]]) -> str:
    """``# ?/?``-style sections: an optional whole part, then numerator/denominator
    (the denominator's digits bound it, or a written number fixes it)."""
    slash = next(i for i, (k, _) in enumerate(toks) if k == "slash")
    left, right = toks[:slash], toks[slash + 1 :]
    digits_left = [i for i, (k, _) in enumerate(left) if k == "digit"]
    num_end = digits_left[-1] + 1
    num_start = num_end
    while num_start > 0 and left[num_start - 1][0] == "digit":
        num_start -= 1
    whole_digits = [i for i in digits_left if i < num_start]
    has_whole = bool(whole_digits)
    prefix_end = whole_digits[0] if has_whole else num_start
    prefix = "".join(t for k, t in left[:prefix_end] if k == "lit")
    sep = "".join(t for k, t in left[whole_digits[-1] + 1 : num_start] if k == "lit") if has_whole else ""
    num_ph = "".join(t for k, t in left[num_start:num_end])
    den_ph, den_fixed, tail = "", "", []
    for k, t in right:
        if not tail and k == "digit" and not den_fixed:
            den_ph += t
        elif not tail and k == "lit" and t.isdigit() and not den_ph:
            den_fixed += t
        else:
            tail.append(t if k in ("lit", "pct") else "")
    suffix = "".join(tail)
    whole = math.floor(value) if has_whole else 0
    frac = value - whole
    if den_fixed and int(den_fixed) > 0:
        den = int(den_fixed)
        num = round(frac * den)
    else:
        f = Fraction(frac).limit_denominator(10 ** max(len(den_ph), 1) - 1)
        num, den = f.numerator, f.denominator
    if has_whole and num == den:
        whole, num = whole + 1, 0
    pad = "?" in num_ph + den_ph
    if has_whole and num == 0:
        width = len(sep) + len(num_ph) + 1 + max(len(den_ph), len(den_fixed))
        return prefix + str(whole) + (" " * width if pad else "") + suffix
    ntext = str(num).rjust(len(num_ph)) if "?" in num_ph else str(num)
    dtext = str(den) if den_fixed else (str(den).ljust(len(den_ph)) if "?" in den_ph else str(den))
    if has_whole and whole == 0:
        lead = ("0" + sep) if "0" in "".join(left[i][1] for i in whole_digits) else (
            " " * (len(sep) + 1) if "?" in "".join(left[i][1] for i in whole_digits) else ""
        )  # fmt: skip
    else:
        lead = f"{whole}{sep}" if has_whole else ""
    return f"{prefix}{lead}{ntext}/{dtext}{suffix}"


def _format_date(x: float, body: str, date1904: bool) -> str:
    toks = _date_tokens(body)
    decimals = max((len(t) - 1 for k, t in toks if k == "frac"), default=0)
    has_ampm = any(k == "ampm" for k, _ in toks)
    # round to what is shown: whole seconds, or the fractional digits
    total = round(x * 86400 * 10**decimals) / 10**decimals
    day = math.floor(total / 86400)
    secs = total - day * 86400
    y, mo, d = serial_date(day, date1904)
    hh, rem = divmod(int(secs), 3600)
    mi, ss = divmod(rem, 60)
    frac = secs - int(secs)
    # Monday 0, counted on serials as Excel does (serial 1 is a Sunday)
    weekday = (day + 4) % 7 if date1904 else (day + 5) % 7
    out = []
    minute_ctx = [False] * len(toks)
    for i, (k, t) in enumerate(toks):
        if k == "m" and len(t) <= 2:
            prev = next(
                (kk for kk, _ in reversed(toks[:i]) if kk in ("h", "s", "y", "d", "m", "eh")), None
            )
            nxt = next(
                (kk for kk, _ in toks[i + 1 :] if kk in ("h", "s", "y", "d", "m", "es")), None
            )
            minute_ctx[i] = prev in ("h", "eh") or nxt in ("s", "es")
    for i, (k, t) in enumerate(toks):
        low = t.lower()
        if k == "lit":
            out.append(t)
        elif k == "y":
            out.append(f"{y % 100:02d}" if len(t) <= 2 else f"{y:04d}")
        elif k == "m" and minute_ctx[i]:
            out.append(f"{mi:02d}" if len(t) == 2 else str(mi))
        elif k == "m":
            n = len(t)
            out.append(
                str(mo)
                if n == 1
                else f"{mo:02d}"
                if n == 2
                else calendar.month_abbr[mo]
                if n == 3
                else calendar.month_name[mo][0]
                if n == 5
                else calendar.month_name[mo]
            )
        elif k == "d":
            n = len(t)
            if n <= 2:
                out.append(str(d) if n == 1 else f"{d:02d}")
            else:
                out.append(calendar.day_abbr[weekday] if n == 3 else calendar.day_name[weekday])
        elif k == "h":
            h = (hh % 12 or 12) if has_ampm else hh
            out.append(f"{h:02d}" if len(t) >= 2 else str(h))
        elif k == "s":
            out.append(f"{ss:02d}" if len(t) >= 2 else str(ss))
        elif k == "frac":
            digits = f"{frac:.{len(t) - 1}f}"[1:] if len(t) > 1 else "."
            out.append(digits)
        elif k == "eh":
            out.append(str(math.floor(total / 3600)).rjust(len(t) - 2, "0"))
        elif k == "em":
            out.append(str(math.floor(total / 60)).rjust(len(t) - 2, "0"))
        elif k == "es":
            out.append(str(math.floor(total)).rjust(len(t) - 2, "0"))
        elif k == "ampm":
            if low == "a/p":
                out.append(
                    ("a" if t[0] == "a" else "A") if hh < 12 else ("p" if t[0] == "a" else "P")
                )
            else:
                out.append("AM" if hh < 12 else "PM")
    return "".join(out)


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|_.|\*.|\[(?:h+|m+|s+)\]|\[[^\]]*\]|AM/PM|A/P|y+|m+|d+|h+|s+|\.0+|e+|.',
    re.IGNORECASE,
)


def _date_tokens(body: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _DATE_TOKEN.finditer(body):
        t = m.group(0)
        low = t.lower()
        if t.startswith('"'):
            out.append(("lit", t[1:-1]))
        elif t.startswith("\\"):
            out.append(("lit", t[1]))
        elif t.startswith("_"):
            out.append(("lit", " "))
        elif t.startswith("*"):
            continue
        elif re.fullmatch(r"\[(h+|m+|s+)\]", low):
            out.append(("e" + low[1], t))
        elif t.startswith("["):
            continue
        elif low in ("am/pm", "a/p"):
            out.append(("ampm", t))
        elif low[0] in "ymdhs":
            out.append((low[0], t))
        elif low[0] == "e":
            out.append(("y", "yyyy"))
        elif t.startswith(".") and out and out[-1][0] in ("s", "es"):
            out.append(("frac", t))
        else:
            out.append(("lit", t))
    return out
