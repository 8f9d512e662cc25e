"""Shared look of all templates: fonts, fills, number formats, by style key.

Input cells are pale yellow and unlocked; formula cells are white and locked;
headers are bold on blue-grey. Styles are built once and reused, so 100,000-row
copies write quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

FONT_NAME = "等线"

MONEY = "¥#,##0.00"
PERCENT = "0.00%"
DATE = "yyyy-mm-dd"
NUMBER = "#,##0.00"
INT = "0"
SCORE = "0.00"

KIND_FORMATS = {
    "money": MONEY,
    "percent": PERCENT,
    "date": DATE,
    "number": NUMBER,
    "int": INT,
    "text": "@",
    "choice": "General",
}

_thin = Side(style="thin", color="B7B7B7")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
RESULT_FILL = PatternFill("solid", fgColor="E2EFDA")


@dataclass(frozen=True)
class Style:
    """Font, fill, alignment, number format and lock state of one kind of cell."""

    font: Font
    fill: PatternFill | None
    alignment: Alignment
    number_format: str
    locked: bool
    border: bool = True


def _font(**kw: object) -> Font:
    return Font(name=FONT_NAME, size=kw.pop("size", 10), **kw)


STYLES: dict[str, Style] = {
    "title": Style(_font(size=14, bold=True), None, Alignment(vertical="center"), "General", True, False),
    "note": Style(_font(size=9, color="595959"), None, Alignment(vertical="top", wrap_text=False), "General", True, False),
    "header": Style(_font(bold=True), HEADER_FILL, Alignment(horizontal="center", vertical="center", wrap_text=True), "General", True),
    "h2": Style(_font(size=11, bold=True), None, Alignment(vertical="center"), "General", True, False),
    "para": Style(_font(size=10), None, Alignment(vertical="top", wrap_text=True), "General", True, False),
    "quote": Style(_font(size=10, color="1F4E79"), None, Alignment(vertical="top", wrap_text=True), "General", True, False),
    "label": Style(_font(), None, Alignment(vertical="center"), "General", True),
}
for _kind, _fmt in KIND_FORMATS.items():
    STYLES[f"in_{_kind}"] = Style(_font(), INPUT_FILL, Alignment(vertical="center"), _fmt, False)
    STYLES[f"out_{_kind}"] = Style(_font(), None, Alignment(vertical="center"), _fmt, True)
    STYLES[f"res_{_kind}"] = Style(_font(bold=True), RESULT_FILL, Alignment(vertical="center"), _fmt, True)
STYLES["in_score"] = Style(_font(), INPUT_FILL, Alignment(vertical="center"), SCORE, False)
STYLES["out_score"] = Style(_font(), None, Alignment(vertical="center"), SCORE, True)
STYLES["res_score"] = Style(_font(bold=True), RESULT_FILL, Alignment(vertical="center"), SCORE, True)


def apply(cell: object, key: str, fmt: str | None = None) -> None:
    """Give ``cell`` the style ``key`` (optionally another number format)."""
    st = STYLES[key]
    cell.font = st.font  # type: ignore[attr-defined]
    if st.fill is not None:
        cell.fill = st.fill  # type: ignore[attr-defined]
    cell.alignment = st.alignment  # type: ignore[attr-defined]
    cell.number_format = fmt or st.number_format  # type: ignore[attr-defined]
    cell.protection = Protection(locked=st.locked)  # type: ignore[attr-defined]
    if st.border:
        cell.border = BORDER  # type: ignore[attr-defined]
