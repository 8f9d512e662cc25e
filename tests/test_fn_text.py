"""Text functions by Excel's rules (addin/refresh/functions/text.py, numfmt.py;
issue 24): TEXT's General format, CHAR/CODE in Windows-1252, TEXTBEFORE and
TEXTAFTER. Expected values are from Microsoft's function reference pages
unless a comment says otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, one

from addin.refresh.functions.numfmt import format_value, general_display


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (0.0, "0"),
        (100.0, "100"),
        (1.23456789123, "1.234567891"),
        (-1.23456789123, "-1.234567891"),
        (1 / 3, "0.333333333"),
        (0.1 + 0.2, "0.3"),
        (12345678901.0, "12345678901"),
        (123456789012.0, "1.23457E+11"),
        (1e11, "1E+11"),
        (123456789.123, "123456789.1"),
        (0.0001234567, "0.000123457"),
        (0.001234567, "0.001234567"),
        (0.00001, "0.00001"),
        (1.234567e-5, "1.23457E-05"),
        (1.234567e-7, "1.23457E-07"),
        (1e-10, "1E-10"),
        (1e308, "1E+308"),
    ],
)
def test_general_shows_eleven_characters(x: float, shown: str) -> None:
    """General fits a standard column: 11 characters besides the sign, then
    six significant digits in scientific form."""
    assert general_display(x) == shown
    assert one(f'TEXT({x!r},"General")') == shown


def test_general_inside_a_format_and_as_fallback() -> None:
    assert format_value(1 / 3, '"x"General') == "x0.333333333"
    assert format_value(-2 / 3, "0.0;General") == "0.666666667"
    assert one('"a"&1/3') == "a0.333333333333333"  # & keeps 15 digits: not a format


@pytest.mark.parametrize(
    ("x", "fmt", "shown"),
    [
        (1.5, "[h]:mm", "36:00"),
        (1.5, '[h] "hours"', "36 hours"),
        (1.5, '"["[h]"]"', "[36]"),
        (1.5, "[m]", "2160"),
        (1.5, "[s]", "129600"),
        (3.2, '[h]" hours and "m" minutes"', "76 hours and 48 minutes"),
        (1.2345678912345, "0.000000000", "1.234567891"),
        (5.0, ";;;@", ""),
        ("abc", ";;;@", "abc"),
        ("abc", '0;0;0;"[" @ "]"', "[ abc ]"),
    ],
)
def test_elapsed_precision_and_text_sections(x: Any, fmt: str, shown: str) -> None:
    assert format_value(x, fmt) == shown


@pytest.mark.parametrize(
    ("x", "fmt", "shown"),
    [
        # commas: grouping only directly between placeholders of the integer part
        (1234567.89, '#,#"ZZ"#.0"YY"00', "1,234,56ZZ7.8YY90"),  # pycel text.xlsx
        (890123.456789, "#,0x#.00.0", "890,12x3.45.7"),
        (890123.456789, "#x,0,#.00.0", "890,1x,23.45.7"),  # x, after a literal is shown
        (890123.456789, "0,x#.00.0", "89012x3.45.7"),  # neither grouping nor scaling: dropped
        (890123.456789, "#.###,x##", "890123.456x79"),
        (890123.456789, "#.###x,##", "890123.456x,79"),
        (890123.456789, ",#.00.0", ",890123.45.7"),
        (1234567.0, "#,##0 ,", "1,234,567 ,"),  # LibreOffice agrees
        (12345.0, "#,##x#x##", "12,x3x45"),  # a separator goes with the digit on its left
        (1234567.89, '#,##0,"K"', "1,235K"),  # at the end of its part: scales
        (1234567.89, '0.0,,"M"', "1.2M"),
        (1234.5, '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)', " 1,234.50 "),
        # a text section applied to a number shows it in General (LibreOffice agrees)
        (5.0, "@", "5"),
        (-5.0, "@", "-5"),
        (1234.5, "@", "1234.5"),
        # elapsed time needs no calendar: past 9999-12-31 it still counts
        (2958466.0, "[h]", "71003184"),
        (-1.0, "[m]", "-1440"),
    ],
)
def test_number_format_grammar(x: Any, fmt: str, shown: str) -> None:
    assert format_value(x, fmt) == shown


@pytest.mark.parametrize(
    ("x", "fmt", "shown"),
    [
        (45292.0, "[$-804]aaaa", "星期一"),  # 2024-01-01, a Monday
        (45292.0, "[$-804]aaa", "一"),
        (45292.0, "[$-804]dddd", "星期一"),
        (45292.0, "[$-804]ddd", "周一"),
        (45292.0, "[$-404]ddd", "週一"),
        (45292.0, "[$-zh-CN]aaaa", "星期一"),
        (45292.0, "[$-411]aaaa", "月曜日"),
        (45292.0, "aaaa", "Monday"),  # no locale: en-US (LibreOffice agrees)
        (2.675, '上午/下午h"时"mm"分"', "下午4时12分"),
        (0.25, "[$-804]上午/下午h:mm", "上午6:00"),
        (45292.0, '[$-409]mmmm d, yyyy;@', "January 1, 2024"),
        (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"),
        (1234.5, "[$-409]#,##0.00", "1,234.50"),  # a locale has no digits to show
    ],
)
def test_locale_weekdays_and_am_pm(x: Any, fmt: str, shown: str) -> None:
    """A format's locale (``[$-804]``, the LCID of zh-CN) names the weekdays of
    ``aaaa``/``aaa``/``dddd``/``ddd``; 上午/下午 is the Chinese AM/PM."""
    assert format_value(x, fmt) == shown


@pytest.mark.parametrize(
    ("x", "fmt"),
    [
        (1234.5, "0@"),  # @ beside digit places (pycel text.xlsx TextNumbers!C3)
        (0.0, '#,#"ZZ"#.0Y00'),  # a date code inside a number format
        (0.0, "#.0y00"),
        ("X", ';-  ##.0;"ZERO"@;"X"'),  # @ outside the fourth section of four
        (2958466.0, "h"),  # a clock or calendar past 9999-12-31
        (2958466.0, "yy"),
        (-1.0, "[h]:m"),  # a negative time beside other parts
    ],
)
def test_number_format_errors(x: Any, fmt: str) -> None:
    """Formats Excel cannot apply are #VALUE! in TEXT (pycel text.xlsx)."""
    def quoted(t: str) -> str:
        return '"' + t.replace('"', '""') + '"'

    value = quoted(x) if isinstance(x, str) else repr(x)
    assert one(f"TEXT({value},{quoted(fmt)})") == E("#VALUE!")


@pytest.mark.parametrize(
    ("code", "char"),
    [(65, "A"), (128, "€"), (150, "–"), (153, "™"), (159, "Ÿ"), (129, "\x81"), (141, "\x8d"),
     (157, "\x9d"), (255, "ÿ")],
)  # fmt: skip
def test_char_and_code_are_windows_1252(code: int, char: str) -> None:
    """128–159 typographic, the five unassigned codes as C1 controls (Windows)."""
    assert one(f"CHAR({code})") == char
    assert one(f"CODE(CHAR({code}))") == float(code)


def test_char_and_code_edges() -> None:
    assert one("CHAR(0)") == E("#VALUE!")
    assert one("CHAR(256)") == E("#VALUE!")
    assert one("CHAR(65.9)") == "A"
    assert one('CODE("")') == E("#VALUE!")
    assert one('CODE("中")') == 63.0
    assert one("CODE(12)") == 49.0


RED = "\"Red riding hood's, red hood\""


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (f'TEXTBEFORE({RED},"hood")', "Red riding "),
        (f'TEXTBEFORE({RED},"red",2,1)', "Red riding hood's, "),
        (f'TEXTBEFORE({RED},"Red",2)', E("#N/A")),
        (f'TEXTAFTER({RED},"hood",-1)', ""),
        (f'TEXTAFTER({RED}," ",-2)', "red hood"),
        ('TEXTBEFORE("aaa","aa",-1)', "a"),  # searched from the end
        ('TEXTAFTER("a-b","-",2,,1)', ""),  # the end is one more delimiter
        ('TEXTAFTER("a-b","-",3,,1)', E("#N/A")),
        ('TEXTBEFORE("a-b","-",-2,,1)', ""),
        ('TEXTBEFORE("abc","x",,,,"none")', "none"),
        ('TEXTAFTER("abc","b",0)', E("#VALUE!")),
        ('TEXTAFTER("abc","b",9)', E("#VALUE!")),
        ('TEXTAFTER("abc","b",,2)', E("#VALUE!")),
        ('TEXTAFTER("a,b;c",{",",";"},2)', "c"),
        ('TEXTBEFORE("abc","")', ""),
        ('TEXTBEFORE("abc","",-1)', "abc"),
        ('TEXTAFTER("abc","")', "abc"),
        ("TEXTAFTER(#DIV/0!,\"a\")", E("#DIV/0!")),
    ],
)
def test_textbefore_textafter(formula: str, expected: Any) -> None:
    assert one(formula) == expected
