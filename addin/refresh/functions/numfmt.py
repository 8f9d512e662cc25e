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
en-US is used, except that a section's locale tag (``[$-804]``, ``[$-zh-CN]``,
``[$-411]``) names the weekdays of ``dddd``/``ddd`` and of the CJK codes
``aaaa``/``aaa`` (星期一/周一/一; without a tag English, as LibreOffice);
``上午/下午`` and ``午前/午後`` are AM/PM markers.

Edge rules (Excel's, checked on pycel's text.xlsx torture sheet):

- a comma groups thousands only directly between placeholders of the integer
  part; grouping is applied to the whole integer and literals between places
  keep their places counted from the right (``#,#"ZZ"#`` of 1234567 is
  ``1,234,56ZZ7``); a comma after a literal is shown, one after a placeholder
  with more placeholders to come in its part is dropped, one at the end of its
  part scales by 1,000 (see :func:`_commas`);
- ``@`` in a section applied to a number: with digit places #VALUE!, alone the
  number in General; in a four-section format only the fourth may hold ``@``;
- a date code (``y m d h s``) beside digit places is #VALUE!;
- a negative number in a date format is #VALUE! unless the format is a single
  elapsed part (``[h]`` of −1 is ``-24``); a calendar or clock part past
  9999-12-31 is #VALUE!, elapsed parts keep counting.
"""

from __future__ import annotations

import calendar
import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from addin.refresh.functions._core import format_general, serial_date
from udfs.errors import VALUE, fail

_COND = re.compile(r"^\[(<=|>=|<>|<|>|=)\s*(-?[\d.]+(?:[eE][+-]?\d+)?)\]")
_BRACKET = re.compile(r"^\[[^\]]*\]")
_DATE_CHARS = re.compile(r"[ymdhsYMDHS]|AM/PM|A/P|上午/下午|午前/午後|aaa|\[[hms]+\]", re.IGNORECASE)


#: The characters General shows of a number, its sign not counted: the width
#: of a standard column (Microsoft: "the General format uses scientific
#: notation for large numbers (12 or more digits)"; SheetJS's SSF, which was
#: written against Excel, fits the same 11 characters).
GENERAL_WIDTH = 11


def _plain_decimal(d: Decimal) -> str:
    """``d`` written out without an exponent, trailing zeros dropped."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _scientific(a: Decimal) -> str:
    """General's scientific form: six significant digits, zeros dropped, a
    two-digit exponent (``1.23457E+11``, ``1E-10``)."""
    mant, _, exp = format(a, ".5E").partition("E")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    e = int(exp)
    return f"{mant}E{'+' if e >= 0 else '-'}{abs(e):02d}"


def general_display(x: float) -> str:
    """``x`` in the number format General as Excel shows it (TEXT(x, "General"),
    a General section of a format): at most :data:`GENERAL_WIDTH` characters
    besides the sign, from the number's 15 significant digits rounded half up.

    - 0.0001 ≤ |x| < 1: nine decimals (``0.123456789``, ``0.000123457``);
    - 1 ≤ |x| < 1E+10 (and 1E-9 ≤ |x| < 1E-4 when it fits exactly): in full if
      it fits, else ten significant digits (``1.234567891``, ``123456789.1``);
    - integers up to 11 digits in full (``12345678901``);
    - everything else, or what does not fit, six significant digits in
      scientific form (``1.23457E+11``, ``1E+11``, ``1.23457E-07``).

    Unlike ``&`` and other text coercions (:func:`~addin.refresh.functions.format_general`,
    15 digits), General is a display format: ``TEXT(1/3,"General")`` is ``0.333333333``.
    """
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else format_general(x)
    d = Decimal(f"{x:.15g}")
    a = abs(d)
    v = a.adjusted()  # the exponent of the leading digit

    def fixed(decimals: int) -> str:
        return _plain_decimal(a.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))

    if -4 <= v <= -1:
        s = fixed(9)
    elif -9 <= v <= 9:
        s = fixed(12)
        if len(s) > GENERAL_WIDTH:
            s = fixed(9 - v) if v >= 0 else _scientific(a)
    elif v == 10:
        s = fixed(0)
    else:  # 12 digits or more, or below 1E-9: never fits
        s = ""
    if not s or len(s) > GENERAL_WIDTH or s == "0":
        s = _scientific(a)
    return "-" + s if d < 0 else s


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
    currency = tag = ""
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
            currency, _, locale = body[1:].partition("-")
            if currency:
                section = '"' + currency + '"' + section
            if locale:
                tag = locale
    if tag:
        section = f"[$-{tag}]" + section  # a locale: the date parts read it
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
    if len(heads) == 4 and any("@" in _strip_literals(h[0]) for h in heads[:3]):
        raise fail(VALUE, "@ 只能在第四节 / @ belongs in the fourth (text) section only")
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
            if len(heads) < 3:  # no section takes the number: shown as General
                return general_display(x)
            return _number_or_date(x, *heads[-1][::2], date1904)
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
    return re.sub(r'"[^"]*"|\\.|_.|\*.|\[\$[^\]]*\]', "", section)


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
        return "-" if x < 0 and signed else ""
    dateish = re.sub(r"[eE][+-]|(?<=[sS\]])\.0+", "", plain)
    placeholders = re.search(r"[0#?]", dateish)
    if "@" in plain:
        if placeholders:
            raise fail(VALUE, "数字格式中有 @ / @ inside a number format")
        return general_display(x) if signed else general_display(abs(x))
    if _DATE_CHARS.search(dateish) and not placeholders:
        parts = [k for k, _ in _date_tokens(body) if k not in ("lit", "locale")]
        elapsed_only = all(k in ("eh", "em", "es", "frac") for k in parts)
        if x < 0:
            if len(parts) == 1 and parts[0] in ("eh", "em", "es"):  # [h] alone, not [h]:mm
                return "-" + _format_date(-x, body, date1904)
            raise fail(VALUE, "负数不能按日期格式显示 / a negative number in a date format")
        if not elapsed_only and x >= _PAST_9999:
            raise fail(VALUE, "日期超出 9999-12-31 / a date after 9999-12-31")
        return _format_date(x, body, date1904)
    if _DATE_CHARS.search(re.sub(r"\[[^\]]*\]", "", dateish)):
        raise fail(VALUE, "数字格式中有日期代码 / a date code inside a number format")
    return _format_number(x, body, signed, currency)


#: The first serial past 9999-12-31 (the 1900 system; 1904 ends 1,462 days sooner,
#: which :func:`~addin.refresh.functions._core.serial_date` checks).
_PAST_9999 = 2958466


def _general(body: str, x: float) -> str:
    out = []
    for kind, tok in _tokens(body):
        if kind == "general":
            out.append(general_display(x))
        elif kind == "lit":
            out.append(tok)
    return "".join(out)


_PLACE_KINDS = {"0": "digit", "#": "digit", "?": "digit", ".": "dot", ",": "comma", "%": "pct",
                "/": "slash", "@": "@"}  # fmt: skip


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
        elif ch in "eE" and i + 1 < n and section[i + 1] in "+-":
            out.append(("exp", section[i : i + 2]))
            i += 2
        elif ch in _PLACE_KINDS:
            out.append((_PLACE_KINDS[ch], ch))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


_WIDE = Context(prec=700)  # room for every digit of a float written out in full


def _round_half_up(x: float, decimals: int) -> Decimal:
    d = Decimal(f"{x:.15g}") if x else Decimal(0)
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)


def _commas(toks: list[tuple[str, str]]) -> tuple[bool, int]:
    """Read the section's commas as Excel does; returns (grouping, thousands
    scale) and turns literal commas into literals in ``toks``.

    A comma that does not follow a digit placeholder (or such a comma) is shown
    as it is (``,#``, ``#x,0``, ``#.###x,##``). One that does: in the integer part
    and followed directly by a placeholder it groups thousands (``#,##0``); if no
    placeholder follows until the end of its part (decimal point, exponent,
    fraction or end) each comma of the run divides by 1,000 (``0,``, ``0.0,,"M"``);
    else it is dropped (``0,x#``, ``#.###,x##``, ``#,#.##.##,#``: pycel text.xlsx).
    """
    kinds = [k for k, _ in toks]
    grouping, scale = False, 0
    thousands = [False] * len(toks)
    for i, k in enumerate(kinds):
        if k != "comma":
            continue
        if not i or not (kinds[i - 1] == "digit" or thousands[i - 1]):
            toks[i] = ("lit", ",")
            continue
        thousands[i] = True
        j = i + 1
        while j < len(kinds) and kinds[j] == "comma":
            j += 1
        in_integer = "dot" not in kinds[:i]
        if in_integer and j < len(kinds) and kinds[j] == "digit" and j == i + 1:
            grouping = True
            continue
        rest = next((kk for kk in kinds[i + 1 :] if kk in ("digit", "dot", "exp", "slash")), None)
        if rest != "digit":
            scale += 1
    return grouping, scale


def _format_number(x: float, body: str, signed: bool, currency: str) -> str:
    toks = _tokens(body)
    grouping, scale = _commas(toks)
    kinds = [k for k, _ in toks]
    value = abs(x) * 100 ** kinds.count("pct") / 1000**scale
    negative = x < 0 and signed
    if "exp" in kinds and any(k == "digit" for k in kinds[: kinds.index("exp")]):
        text = _format_exponent(abs(x), toks)
    elif "slash" in kinds and any(k == "digit" for k in kinds):
        text = _format_fraction(value, toks)
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
        _group(out, int_slots)
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


def _group(out: dict[int, str], slots: list[int]) -> None:
    """Thousands separators in the integer places ``out[slots]``: the digits
    are grouped as one number, then handed back to the places from the right,
    so literals between places stay where they stand (``#,#"ZZ"#`` of 1234567
    is ``1,234,56ZZ7``). A separator goes with the digit on its left and shows
    as that place does: a digit, or a space under ``?``."""
    chars = "".join(out[i] for i in slots)
    grouped: list[str] = []
    for n, ch in enumerate(reversed(chars)):
        if n and n % 3 == 0:
            grouped.append("," if ch.isdigit() else " ")
        grouped.append(ch)
    rest = "".join(reversed(grouped))
    for i in reversed(slots[1:]):
        need, cut = len(out[i]), len(rest)  # one character, or none under an empty #
        while need and cut:
            cut -= 1
            need -= rest[cut] != ","
        out[i], rest = rest[cut:], rest[:cut]
    out[slots[0]] = rest


def _format_exponent(value: float, toks: list[tuple[str, str]]) -> str:
    """``0.00E+00``: the exponent a multiple of the number of integer placeholders
    (``##0.0E+0`` is engineering notation); ``%`` and ``,`` do not scale here."""
    e_at = next(i for i, (k, _) in enumerate(toks) if k == "exp")
    mant_toks, exp_toks = toks[:e_at], toks[e_at + 1 :]
    dot = _dot_index(mant_toks)
    step = max(1, sum(1 for k, _ in mant_toks[:dot] if k == "digit"))
    decimals = sum(1 for k, _ in mant_toks[dot:] if k == "digit")
    exp = 0 if value == 0 else (math.floor(math.log10(value)) // step) * step
    r = _round_half_up(value / 10.0**exp, decimals) if value else Decimal(0)
    if value and r >= 10**step:
        exp += step
        r = _round_half_up(value / 10.0**exp, decimals)
    grouping = any(
        k == "comma" and i > 0 and mant_toks[i - 1][0] == "digit"
        and i + 1 < len(mant_toks) and mant_toks[i + 1][0] == "digit"
        for i, (k, _) in enumerate(mant_toks)
    )  # fmt: skip
    mant = [t for t in mant_toks if t[0] != "comma"]
    if value == 0:  # Excel shows every integer place of a zero mantissa as 0
        d = _dot_index(mant)
        mant = [("digit", "0") if k == "digit" and i < d else (k, t) for i, (k, t) in enumerate(mant)]
    mtext, _ = _format_fixed(float(r), mant, grouping)
    letter, sign_tok = toks[e_at][1][0], toks[e_at][1][1]
    slots = [t for k, t in exp_toks if k == "digit"]
    sign = "-" if exp < 0 else ("+" if sign_tok == "+" else "")
    etext = "".join(_fill(abs(exp), slots, force_zero=True)) if slots else str(abs(exp))
    out, placed = [], False
    for k, t in exp_toks:
        if k == "digit":
            if not placed:
                out.append(sign + etext)
                placed = True
        elif k in ("lit", "pct"):
            out.append(t)
    if not placed:
        out.append(sign + etext)
    return f"{mtext}{letter}{''.join(out)}"


def _dot_index(toks: list[tuple[str, str]]) -> int:
    return next((i for i, (k, _) in enumerate(toks) if k == "dot"), len(toks))


def _fill(n: int, slots: list[str], force_zero: bool = False) -> list[str]:
    """The digits of ``n`` spread over digit placeholders from the right (the
    leftmost takes what is left); an empty place shows 0 for ``0``, a space for
    ``?``, nothing for ``#`` (``force_zero``: the last place shows 0 for n = 0)."""
    digits = str(n) if n else ""
    if "0" in slots:  # a place right of a 0 shows its digit too (#0# of 5 is 05)
        first = slots.index("0")
        slots = slots[:first] + ["0"] * (len(slots) - first)
    out = []
    for k in range(len(slots) - 1, -1, -1):
        ch = slots[k]
        if digits:
            take = digits if k == 0 else digits[-1]
            digits = "" if k == 0 else digits[:-1]
            out.append(take)
        elif force_zero and k == len(slots) - 1:
            out.append("0")
        else:
            out.append("0" if ch == "0" else " " if ch == "?" else "")
    return out[::-1]


def _render(toks: list[tuple[str, str]], n: int, force_zero: bool = False) -> str:
    """Tokens with their digit placeholders filled by ``n`` (literals kept in place)."""
    slots = [t for k, t in toks if k == "digit"]
    filled = iter(_fill(n, slots, force_zero))
    return "".join(next(filled) if k == "digit" else t if k in ("lit", "pct") else ""
                   for k, t in toks)  # fmt: skip


def _format_fraction(value: float, toks: list[tuple[str, str]]) -> str:
    """``# ?/?``-style sections: an optional whole part, then numerator/denominator
    (the denominator's placeholders bound it, or a written number fixes it);
    literals keep their places, as Excel shows them."""
    slash = next(i for i, (k, _) in enumerate(toks) if k == "slash")
    left, right = toks[:slash], toks[slash + 1 :]
    digits_left = [i for i, (k, _) in enumerate(left) if k == "digit"]
    num_end = digits_left[-1] + 1
    num_start = num_end
    while num_start > 0 and left[num_start - 1][0] == "digit":
        num_start -= 1
    num_toks, mid_left = left[num_start:num_end], left[num_end:]
    whole_digits = [i for i in digits_left if i < num_start]
    has_whole = bool(whole_digits)
    if has_whole:
        whole_toks = left[: whole_digits[-1] + 1]
        sep = "".join(t for k, t in left[whole_digits[-1] + 1 : num_start] if k == "lit")
    else:
        whole_toks, sep = left[:num_start], ""
    k = 0
    while k < len(right) and right[k][0] != "digit" and not right[k][1].isdigit():
        k += 1
    mid_right = "".join(t for kk, t in right[:k] if kk == "lit")
    den_fixed = ""
    den_toks: list[tuple[str, str]] = []
    while k < len(right) and (right[k][0] == "digit" or (right[k][1].isdigit() and not den_toks)):
        if right[k][0] == "digit" and not den_fixed:
            den_toks.append(right[k])
        elif right[k][0] == "lit" and not den_toks:
            den_fixed += right[k][1]
        else:
            break
        k += 1
    tail = "".join(t for kk, t in right[k:] if kk in ("lit", "pct"))
    num_ph = "".join(t for _, t in num_toks)
    den_ph = "".join(t for _, t in den_toks)
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
    mid = "".join(t for kk, t in mid_left if kk == "lit") + "/" + mid_right
    den_text = den_fixed if den_fixed else _den_text(den, den_ph)
    whole_ph = "".join(t for kk, t in whole_toks if kk == "digit")
    if num == 0 and has_whole and "0" not in num_ph:
        # a whole number: the fraction's places become spaces where a ? asks for them
        head = _render(whole_toks, whole, force_zero=True)
        width = len(sep) + len(num_ph) + len(mid) + len(den_text)
        return head + (" " * width if "?" in whole_ph + num_ph + den_ph else "") + tail
    if num == 0:
        den = 1
        den_text = den_fixed if den_fixed else _den_text(den, den_ph)
    if not has_whole:
        head = "".join(t for kk, t in whole_toks if kk == "lit")
    elif whole != 0 or "0" in whole_ph or (num == 0 and "?" in whole_ph):
        head = _render(whole_toks, whole, force_zero=num == 0)
    else:  # no whole part to show: its separator shows as spaces where a ? asks
        head = _render(whole_toks, 0)
        sep = " " * len(sep) if "?" in whole_ph + num_ph else ""
    return head + sep + _render(num_toks, num, force_zero=True) + mid + den_text + tail


def _den_text(den: int, ph: str) -> str:
    """A denominator in its placeholders: ``0`` pads with zeros on the left, ``?``
    with spaces on the right."""
    text = str(den)
    if len(text) < len(ph):
        zeros = ph.count("0")
        text = text.rjust(min(len(ph), max(zeros, len(text))), "0")
        if "?" in ph:
            text = text.ljust(len(ph))
    return text


def _format_date(x: float, body: str, date1904: bool) -> str:
    toks = _date_tokens(body)
    decimals = max((len(t) - 1 for k, t in toks if k == "frac"), default=0)
    has_ampm = any(k == "ampm" for k, _ in toks)
    # round to what is shown: whole seconds, or the fractional digits
    total = round(x * 86400 * 10**decimals) / 10**decimals
    day = math.floor(total / 86400)
    secs = total - day * 86400
    calendar_parts = any(k in ("y", "d") or (k == "m" and len(t) > 2) for k, t in toks)
    y, mo, d = serial_date(day, date1904) if calendar_parts or day <= 2958465 else (9999, 12, 31)
    hh, rem = divmod(int(secs), 3600)
    mi, ss = divmod(rem, 60)
    frac = secs - int(secs)
    # Monday 0, counted on serials as Excel does (serial 1 is a Sunday)
    weekday = (day + 4) % 7 if date1904 else (day + 5) % 7
    locale = _language(next((t for k, t in toks if k == "locale"), ""))
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
                out.append(_weekday_name(weekday, n >= 4, locale, "d"))
        elif k == "weekday":
            out.append(_weekday_name(weekday, len(t) >= 4, locale, "a"))
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
            if len(t) == 5 and not t.isascii():  # 上午/下午, 午前/午後
                out.append(t[:2] if hh < 12 else t[3:])
            elif low == "a/p":
                out.append(
                    ("a" if t[0] == "a" else "A") if hh < 12 else ("p" if t[0] == "a" else "P")
                )
            else:
                out.append("AM" if hh < 12 else "PM")
    return "".join(out)


#: Weekday names (Monday first) by language, for ``[$-804]aaaa``-style
#: formats: (full, short) for ``dddd``/``ddd`` and for ``aaaa``/``aaa``.
_WEEKDAYS = {
    "zh-Hans": (("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
                ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
                ("一", "二", "三", "四", "五", "六", "日")),
    "zh-Hant": (("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
                ("週一", "週二", "週三", "週四", "週五", "週六", "週日"),
                ("一", "二", "三", "四", "五", "六", "日")),
    "ja": (("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
           ("月", "火", "水", "木", "金", "土", "日"),
           ("月", "火", "水", "木", "金", "土", "日")),
}  # fmt: skip


def _language(locale: str) -> str:
    """The weekday language of a format's locale tag (``804``, ``zh-CN``,
    ``10804``: the low 16 bits are the Windows LCID); "" for English."""
    tag = locale.lower()
    if tag.startswith("zh"):
        return "zh-Hant" if tag.endswith(("tw", "hk", "mo", "hant")) else "zh-Hans"
    if tag.startswith("ja"):
        return "ja"
    try:
        lcid = int(tag, 16) & 0xFFFF
    except ValueError:
        return ""
    if lcid & 0x3FF == 0x04:  # Chinese: 0x0804 PRC, 0x1004 Singapore; else Traditional
        return "zh-Hans" if lcid in (0x0804, 0x1004) else "zh-Hant"
    return "ja" if lcid & 0x3FF == 0x11 else ""


def _weekday_name(weekday: int, full: bool, language: str, code: str) -> str:
    """``dddd``/``ddd`` (code "d") or ``aaaa``/``aaa`` (code "a"): English
    names unless the format names a Chinese or Japanese locale, where ``aaaa``
    is 星期一 and ``aaa`` 一 (ja 月曜日, 月)."""
    names = _WEEKDAYS.get(language)
    if names is None:
        return calendar.day_name[weekday] if full else calendar.day_abbr[weekday]
    if full:
        return names[0][weekday]
    return names[1][weekday] if code == "d" else names[2][weekday]


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|_.|\*.|\[(?:h+|m+|s+)\]|\[[^\]]*\]|AM/PM|A/P|上午/下午|午前/午後|a{3,4}'
    r"|y+|m+|d+|h+|s+|\.0+|e+|.",
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
        elif t.startswith("[$"):
            out.append(("locale", t[2:-1].partition("-")[2]))
        elif t.startswith("["):
            continue
        elif low in ("am/pm", "a/p", "上午/下午", "午前/午後"):
            out.append(("ampm", t))
        elif low in ("aaa", "aaaa"):
            out.append(("weekday", t))
        elif low[0] in "ymdhs":
            out.append((low[0], t))
        elif low[0] == "e":
            out.append(("y", "yyyy"))
        elif t.startswith(".") and out and out[-1][0] in ("s", "es"):
            out.append(("frac", t))
        else:
            out.append(("lit", t))
    return out
