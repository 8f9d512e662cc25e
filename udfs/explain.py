"""Why a contract function returned what it did, for one value (one row).

Each ``explain_*`` takes the same arguments as the worksheet function, for one
person (``x`` one value; for ``RANK_PRIZE`` the whole field and the person's
index), and returns a :class:`Detail`: the result and bilingual lines saying
which band was chosen and why (which start, 含 which side), the tier slices and
amounts, the gate applied, or the place, the ties and the prize share. The
results are the kernel's own: each explanation calls the function it explains,
so the lines can never disagree with the cell.

合同函数的解释：选中的档位及原因（起点、下含/上含）、分段金额、门槛、名次、并列与奖金分摊。
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from udfs.band_table import BandTable
from udfs.bands import band, point_bonus, tier_detail, tiered
from udfs.errors import ExcelError
from udfs.inputs import scalar_number
from udfs.keywords import METHOD, MODE, SIDE, TIES
from udfs.ranking import PrizeTable, Standing, rank_prize, rankx, standing

__all__ = [
    "EXPLAINERS",
    "RANKED",
    "Detail",
    "explain_band",
    "explain_point_bonus",
    "explain_rank_prize",
    "explain_rankx",
    "explain_tiered",
    "in_language",
    "number_text",
]

_SIDE_TEXT = {
    "lower": ("下含（等于起点归本档，≥ 起点）", "lower (a value equal to a start is in that band, ≥ start)"),
    "upper": ("上含（等于起点归上一档，> 起点）", "upper (a value equal to a start is in the band below, > start)"),
}


@dataclass
class Detail:
    """One row's explanation: the function, its result and what led to it."""

    function: str
    result: Any
    lines: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    #: for TIERED: the TIER_DETAIL rows (from, to, quantity, rate, amount)
    rows: list[list[Any]] = field(default_factory=list)


def number_text(v: Any) -> str:
    """A value as the explanations show it: whole floats without ".0"."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


#: a slash between the Chinese and the English of a bilingual line
_LANGUAGE_SPLIT = re.compile(r" ?/ ")


def in_language(line: str, lang: str) -> str:
    """One language of a bilingual explanation line "中文 / English" (``lang``
    "zh" or "en"); a line in one language only is returned as it is. The
    slash that turns English follows a Chinese character or comes before a
    word — not the "/ 2" of a division written in the Chinese part.

    >>> in_language("结果 / result: 150", "en")
    'result: 150'
    >>> in_language("均分：(200 + 100) / 2 = 150（到分）/ share: (200 + 100) / 2 = 150", "zh")
    '均分：(200 + 100) / 2 = 150（到分）'
    >>> in_language("  0–5：数量 5 × 费率 20 = 100 / quantity 5 × rate 20 = 100", "en")
    '  quantity 5 × rate 20 = 100'
    >>> in_language("97.5 分 × 40 = 3900（到分）/ 97.5 points × 40 = 3900", "zh")
    '97.5 分 × 40 = 3900（到分）'

    A label shared by both ("结果 / result: 35") keeps its value in Chinese:

    >>> in_language("结果 / result: 35", "zh")
    '结果：35'
    """
    for found in _LANGUAGE_SPLIT.finditer(line):
        before = line[: found.start()].rstrip()
        after = line[found.end():]
        if before and (not before[-1].isascii() or (after and not after[0].isdigit() and not after[0].isspace())):
            indent = line[: len(line) - len(line.lstrip())]
            if lang != "zh":
                return indent + after
            label, colon, value = after.partition(": ")
            if colon and label.replace(" ", "").isalpha() and label.isascii() and "：" not in before:
                return f"{before}：{value}"
            return before
    return line


def _scalar(result: Any) -> Any:
    arr = np.asarray(result, dtype=object)
    return arr.reshape(-1)[0] if arr.size == 1 else result


def _choose(x: float, table: BandTable, where: str, name: str) -> tuple[list[str], dict[str, Any]]:
    """Lines and facts for the band of ``table`` that ``x`` falls in."""
    k = int(table.locate(np.array([x]), where)[0])
    zh_side, en_side = _SIDE_TEXT[where]
    starts = [float(s) for s in table.starts]
    facts: dict[str, Any] = {"side": where, "band": k + 1 if k >= 0 else None}
    if k < 0:
        return [
            f"{name} = {number_text(x)} 低于第一个起点 {number_text(starts[0])}，不在任何档内 / "
            f"below the first start {number_text(starts[0])}: no band"
        ], facts
    op = "≥" if where == "lower" else ">"
    upper = starts[k + 1] if k + 1 < len(starts) else None
    facts.update(start=starts[k], next_start=upper, table_row=table.rows[k])
    until = (
        f"，且 {'<' if where == 'lower' else '≤'} 下一起点 {number_text(upper)}"
        if upper is not None
        else "（最后一档）"
    )
    until_en = (
        f" and {'<' if where == 'lower' else '≤'} the next start {number_text(upper)}"
        if upper is not None
        else " (the last band)"
    )
    return [
        f"{name} = {number_text(x)}：第 {k + 1} 档（表中第 {table.rows[k]} 行），"
        f"因为 {number_text(x)} {op} 起点 {number_text(starts[k])}{until}；边界规则：{zh_side} / "
        f"band {k + 1} (table row {table.rows[k]}) because {number_text(x)} {op} start "
        f"{number_text(starts[k])}{until_en}; edges: {en_side}"
    ], facts


def explain_band(x: object, table: object, column: object = None, side: object = None) -> Detail:
    """BAND for one value: the band chosen and why, and the looked-up cell.

    >>> d = explain_band(150000, [[0, 30], [100000, 32], [200000, 35]])
    >>> d.result, d.facts["band"], d.facts["start"]
    (32.0, 2, 100000.0)
    """
    result = _scalar(band(x, table, column, side))
    where = SIDE.parse(side, "side")
    xv = scalar_number(x, "x")
    lines, facts = _choose(xv, BandTable.parse(table, "table"), where, "x")
    lines.append(f"结果 / result: {number_text(result)}")
    return Detail("BAND", result, lines, facts)


def explain_tiered(x: object, table: object, mode: object, side: object = None) -> Detail:
    """TIERED for one value: the band, the mode and TIER_DETAIL's slices.

    >>> d = explain_tiered(13000, [[0, 0.03], [3000, 0.10], [12000, 0.20]], "超额")
    >>> d.result, [r[4] for r in d.rows]
    (1190.0, [90.0, 900.0, 200.0, 1190.0])
    """
    result = _scalar(tiered(x, table, mode, side))
    how, where = MODE.parse(mode, "mode"), SIDE.parse(side, "side")
    xv = scalar_number(x, "x")
    lines, facts = _choose(xv, BandTable.parse(table, "table"), where, "x")
    facts["mode"] = how
    lines.append(
        "计算方式：超额累进（每档只算落在该档的部分）/ mode: marginal (each band pays its slice)"
        if how == "marginal"
        else "计算方式：全额（全部数量按所在档费率）/ mode: whole (all of x at its band's rate)"
    )
    detail = tier_detail(x, table, mode, side)
    if isinstance(detail, ExcelError):
        return Detail("TIERED", detail, [*lines, f"{detail}"], facts)
    rows: list[list[Any]] = detail.tolist()
    for r in rows:
        if isinstance(r[0], str):
            lines.append(f"  {r[0]}：数量 {number_text(r[2])}，金额 {number_text(r[4])} / {r[0]}: amount {number_text(r[4])}")
        else:
            to = "∞" if r[1] is None else number_text(r[1])
            lines.append(
                f"  {number_text(r[0])}–{to}：数量 {number_text(r[2])} × 费率 {number_text(r[3])} = {number_text(r[4])} / "
                f"quantity {number_text(r[2])} × rate {number_text(r[3])} = {number_text(r[4])}"
            )
    return Detail("TIERED", result, lines, facts, rows)


def explain_point_bonus(
    score: object, rate: object, gates: object = None, side: object = None
) -> Detail:
    """POINT_BONUS for one score: the gate applied and the rate per point used.

    >>> d = explain_point_bonus(70, 40, [[0, 0], [60, 20], [80, None]])
    >>> d.result, d.facts["rate_used"]
    (1400.0, 20.0)
    """
    result = _scalar(point_bonus(score, rate, gates, side))
    sv, rv = scalar_number(score, "score"), scalar_number(rate, "rate")
    facts: dict[str, Any] = {"rate_used": rv}
    lines: list[str] = []
    if gates is not None:
        where = SIDE.parse(side, "side")
        table = BandTable.parse(gates, "gates")
        lines, facts = _choose(sv, table, where, "score")
        k = facts["band"]
        if k is None:
            facts["rate_used"] = 0.0
            lines.append("低于第一道门槛，不发 / below the first gate: pays 0")
        else:
            gate_rate = table.numeric_column(1, "gates", blank=np.nan)[k - 1]
            used = rv if np.isnan(gate_rate) else float(gate_rate)
            facts["rate_used"] = used
            lines.append(
                f"门槛费率{'为空，用参数 rate' if np.isnan(gate_rate) else ''} {number_text(used)} 元/分 / "
                f"rate per point {number_text(used)}" + (" (the gate's rate is blank: rate)" if np.isnan(gate_rate) else "")
            )
    lines.append(
        f"{number_text(sv)} 分 × {number_text(facts['rate_used'])} = {number_text(result)}（四舍五入到分）/ "
        f"{number_text(sv)} points × {number_text(facts['rate_used'])} = {number_text(result)} (to the fen)"
    )
    return Detail("POINT_BONUS", result, lines, facts)


def _field_error(function: str, error: ExcelError) -> Detail:
    """The whole ranking is one error (a bad argument): nobody has a place."""
    why = f"（{error.message}）" if error.message else ""
    return Detail(function, error, [f"整个排名出错，无人有名次 / the whole ranking is an error: {error}{why}"])


def _no_place(function: str, result: Any, st: Standing, facts: dict[str, Any]) -> Detail:
    reason = "有错误值" if st.error is not None else "不参与排名"
    return Detail(
        function,
        result,
        [f"此人{reason}（不合格或数值为空）/ takes no place (not eligible, blank or error)"],
        facts,
    )


def _place_lines(st: Standing, place: int, tied: int) -> list[str]:
    lines = [f"名次 {place}（共 {st.participants} 人参与）/ place {place} of {st.participants}"]
    if tied > 1:
        last = place + tied - 1
        lines.append(
            f"与另外 {tied - 1} 人并列，占第 {place}–{last} 名 / tied with {tied - 1} other{'s' if tied > 2 else ''} on places {place}–{last}"
        )
    return lines


def explain_rankx(
    values: object,
    order: object = None,
    method: object = None,
    groups: object = None,
    eligible: object = None,
    *,
    index: int,
) -> Detail:
    """RANKX for person ``index`` (0-based): the place of their tie block, the
    people tied, the field (their group) and the rank the tie rule gives.

    >>> d = explain_rankx([90, 80, 80, 70], method="平均", index=2)
    >>> d.result, d.facts["place"], d.facts["tied"]
    (2.5, 2, 2)
    """
    everyone = rankx(values, order, method, groups, eligible)
    if isinstance(everyone, ExcelError):
        return _field_error("RANKX", everyone)
    result = _scalar(np.asarray(everyone, dtype=object).reshape(-1)[index])
    how = METHOD.parse(method, "method")
    st = standing(values, order, groups, eligible, index)
    facts: dict[str, Any] = {"method": how}
    if st.place is None or st.tied is None:
        return _no_place("RANKX", result, st, facts)
    facts.update(place=st.place, tied=st.tied, participants=st.participants)
    lines = _place_lines(st, st.place, st.tied)
    if st.tied > 1:
        lines.append(f"并列规则 / tie rule: {how}")
    lines.append(f"结果 / result: {number_text(result)}")
    return Detail("RANKX", result, lines, facts)


def explain_rank_prize(
    values: object,
    prizes: object,
    eligible: object = None,
    order: object = None,
    ties: object = None,
    *,
    index: int,
) -> Detail:
    """RANK_PRIZE for person ``index`` (0-based) of the field: place, ties, the
    prize of each place the tie takes and how the tie rule turns them into the
    person's amount.

    >>> d = explain_rank_prize([90, 80, 80, 70], [[1, 1, 300], [2, 2, 200], [3, 3, 100]], index=1)
    >>> d.result, d.facts["place"], d.facts["tied"], d.facts["pool"]
    (150.0, 2, 2, 300.0)
    >>> d.lines[-2]
    '均分：(200 + 100) / 2 = 150（到分，余数给靠前的行）/ share: (200 + 100) / 2 = 150 to the fen'
    """
    everyone = rank_prize(values, prizes, eligible, order, ties)
    if isinstance(everyone, ExcelError):
        return _field_error("RANK_PRIZE", everyone)
    result = np.asarray(everyone, dtype=object).reshape(-1)[index]
    how = TIES.parse(ties, "ties")
    table = PrizeTable.parse(prizes)
    st = standing(values, order, None, eligible, index)
    facts: dict[str, Any] = {"ties": how}
    if st.place is None or st.tied is None:
        return _no_place("RANK_PRIZE", result, st, facts)
    place, size = st.place, st.tied
    last = place + size - 1
    each = [float(c) / 100 for c in table.at(np.arange(place, last + 1, dtype=np.int64))]
    pool = float(sum(each))
    facts.update(place=place, tied=size, places=[place, last], pool=pool, participants=st.participants)
    lines = _place_lines(st, place, size)
    if size > 1:
        lines += [f"  名次 {p} 的奖金 {number_text(a)} / prize of place {p}: {number_text(a)}" for p, a in enumerate(each, start=place)]
        if how == "share":
            total = " + ".join(number_text(a) for a in each)
            lines.append(
                f"均分：({total}) / {size} = {number_text(result)}（到分，余数给靠前的行）/ "
                f"share: ({total}) / {size} = {number_text(result)} to the fen"
            )
        else:
            lines.append(
                f"同奖：每人得第 {place} 名的奖金 {number_text(each[0])} / each: everyone gets place {place}'s prize"
            )
    else:
        lines.append(f"第 {place} 名的奖金 {number_text(pool)} / prize of place {place}: {number_text(pool)}")
    lines.append(f"结果 / result: {number_text(result)}")
    return Detail("RANK_PRIZE", result, lines, facts)


#: function → its explanation and, for each argument, ``"row"`` (the person's
#: own value, read in their row) or ``"whole"`` (a table or the ranked field,
#: read whole); the ranked functions (:data:`RANKED`) also take ``index``, the
#: person's position in the field. TIER_DETAIL is explained as the TIERED it details.
EXPLAINERS: dict[str, tuple[Callable[..., Detail], tuple[str, ...]]] = {
    "BAND": (explain_band, ("row", "whole", "row", "row")),
    "TIERED": (explain_tiered, ("row", "whole", "row", "row")),
    "TIER_DETAIL": (explain_tiered, ("row", "whole", "row", "row")),
    "POINT_BONUS": (explain_point_bonus, ("row", "row", "whole", "row")),
    "RANKX": (explain_rankx, ("whole", "whole", "row", "whole", "whole")),
    "RANK_PRIZE": (explain_rank_prize, ("whole", "whole", "whole", "whole", "row")),
}
RANKED = frozenset({"RANKX", "RANK_PRIZE"})
