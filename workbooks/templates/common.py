"""Pieces several templates share: the per-person explanation sheet, names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbooks import styling
from workbooks.model import Block, Col, DataSheet, FreeSheet, ParamTable

YES_NO = ("是", "否")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉婷雪琳晶燕红建国文斌宁波凯浩宇欣怡子轩梓涵一诺雨萱思远俊杰佳琪海峰晓东春梅志刚"


def person_name(i: int) -> str:
    """A plausible, deterministic Chinese name for sample row ``i``."""
    s = SURNAMES[(i * 7) % len(SURNAMES)]
    g1 = GIVEN[(i * 13 + 5) % len(GIVEN)]
    g2 = GIVEN[(i * 29 + 11) % len(GIVEN)]
    return s + g1 + ("" if i % 3 == 0 else g2)


def xlookup(key: str, keys: str, values: str) -> str:
    """``_xlfn.XLOOKUP`` (Excel 2021+; the ``_xlfn.`` prefix is how files store it)."""
    return f"_xlfn.XLOOKUP({key},{keys},{values})"


def chosen(col: str, id_name: str = "工号") -> str:
    """``col`` of the person chosen in an :func:`explain_sheet` (whose id is in B4),
    found by ``id_name`` (the named id column)."""
    return xlookup("$B$4", id_name, col)


def summary_block(title: str, note: str, headers: list[str], widths: dict[str, float]) -> Block:
    """The top of a result sheet laid out by hand: title (A1), note (A2) and a
    header row on row 3; the template fills the rows below."""
    b = Block(widths=widths)
    b.values["A1"], b.styles["A1"] = title, "title"
    b.values["A2"], b.styles["A2"] = note, "note"
    for col, header in zip("ABCDEFG", headers, strict=False):
        b.values[f"{col}3"], b.styles[f"{col}3"] = header, "header"
    return b


@dataclass
class Detail:
    """A spilled explanation block under a header row (e.g. TIER_DETAIL)."""

    title: str
    headers: list[str]
    formula: str  # without "="
    rows: int  # rows the spill may fill (bands + total)


def explain_sheet(
    name: str,
    title: str,
    id_header: str,
    id_name: str,
    first_id: str,
    lines: list[tuple[str, str, str]],
    details: list[Detail] | None = None,
) -> FreeSheet:
    """A 个人明细 sheet: pick a person in B4, see every step of their pay.

    ``lines``: (label, formula without "=", style kind) where ``$B$4`` is the
    chosen id.
    """
    b = Block()
    b.widths = {"A": 26, "B": 18, "C": 14, "D": 14, "E": 14, "F": 14}
    b.values["A1"] = title
    b.styles["A1"] = "title"
    b.values["A2"] = f"在 B4 选择{id_header}，下面逐项列出此人的计算过程（公式与结果表相同）。"
    b.styles["A2"] = "note"
    b.values["A4"] = f"选择{id_header}"
    b.styles["A4"] = "header"
    b.values["B4"] = first_id
    b.styles["B4"] = "in_text"
    b.unlocked.add("B4")
    b.choices["B4"] = "=" + id_name
    r = 6
    b.values[f"A{r}"] = "项目"
    b.values[f"B{r}"] = "数值"
    b.styles[f"A{r}"] = b.styles[f"B{r}"] = "header"
    for label, formula, kind in lines:
        r += 1
        b.values[f"A{r}"] = label
        b.styles[f"A{r}"] = "label"
        # text lookups get &"" so a blank source shows blank, not 0
        b.values[f"B{r}"] = "=" + formula + ('&""' if kind == "text" else "")
        b.styles[f"B{r}"] = f"res_{kind}" if kind.startswith("money") else f"out_{kind}"
    for d in details or []:
        r += 2
        b.values[f"A{r}"] = d.title
        b.styles[f"A{r}"] = "h2"
        r += 1
        for j, h in enumerate(d.headers):
            col = "ABCDEFG"[j]
            b.values[f"{col}{r}"] = h
            b.styles[f"{col}{r}"] = "header"
        r += 1
        last_col = "ABCDEFG"[len(d.headers) - 1]
        b.values[f"A{r}"] = "=" + d.formula
        b.arrays[f"A{r}"] = f"A{r}:{last_col}{r + d.rows - 1}"
        for k in range(d.rows):
            for j in range(len(d.headers)):
                col = "ABCDEFG"[j]
                b.styles.setdefault(f"{col}{r + k}", "out_number")
        r += d.rows
    return FreeSheet(name=name, block=b, kind="explain", freeze=None)


#: Empty rows left below the data of a sheet of people or events: the names,
#: spills and validations cover them, so rows a clerk adds are computed (a row
#: typed below them is reported by refresh and validate as beyond the range).
SPARE_ROWS = 500

#: Defined names of a deductions ledger (one per workbook), used in formulas elsewhere.
LEDGER_ID, LEDGER_KIND, LEDGER_COUNT, LEDGER_MONTH, LEDGER_AMOUNT = "事项工号", "事项", "事项次数", "事项月份", "扣款金额"
KINDS, EACH = "扣款事项", "扣款单价"


def deductions_table(title: str, rows: Sequence[tuple[str, float, str]], note: str = "") -> ParamTable:
    """The 参数 table behind a ledger: 事项, amount per occurrence, the clause it comes from."""
    return ParamTable("扣款标准", title, ["事项", "每次扣款（元）", "原文"], [list(r) for r in rows], "lookup",
                      fmts=[None, styling.MONEY, None], note=note, col_names={0: KINDS, 1: EACH})


def deductions_ledger(rows: list[list[Any]], id_header: str, id_ref: str, each: str | None = None,
                      title: str = "违规与扣款事项登记") -> DataSheet:
    """A sheet of events, one per row — 日期, id (from the list ``id_ref``), 事项 (from
    :func:`deductions_table`), 次数, 说明 — with the month, the amount per occurrence
    (``each``, default the 事项's amount in the table) and the amount deducted.
    Other sheets sum ``扣款金额`` by person (and month) with SUMIFS."""
    return DataSheet(
        name="扣款登记",
        title=title,
        note="每发生一次记一行：日期、" + id_header + "、事项（从列表选）、次数。每次金额按参数「扣款标准」。",
        cols=[
            Col("日期", "date", name="事项日期", width=11),
            Col(id_header, "choice", name=LEDGER_ID, choices_ref=id_ref, width=9),
            Col("事项", "choice", name=LEDGER_KIND, choices_ref=KINDS, width=24),
            Col("次数", "int", name=LEDGER_COUNT, width=6),
            Col("说明", "text", name="事项说明", required=False, width=22),
            Col("月份", "int", name=LEDGER_MONTH, width=6, formula="MONTH(事项日期)"),
            Col("每次扣款", "money", name="每次扣款", width=10, formula=each or xlookup(LEDGER_KIND, KINDS, EACH)),
            Col("扣款金额", "money", name=LEDGER_AMOUNT, width=11, formula=f"MONEY({LEDGER_COUNT}*每次扣款)"),
        ],
        rows=rows,
        nrows=len(rows),
        landscape=False,
        spare=SPARE_ROWS,
        empty_key="事项日期",
    )


def month_pivot(months: int, missing: str) -> list[Col]:
    """Columns 1月…N月 filled by ONE formula spilling N columns: the person's (工号)
    月度得分 in each month (月份序号) of the monthly sheet (月度工号, 月份), and
    ``missing`` (a formula text) where the person has no record that month."""
    pivot = (f"IF(COUNTIFS(月度工号,工号,月份,月份序号)>0,SUMIFS(月度得分,月度工号,工号,月份,月份序号),{missing})")
    return [Col(f"{m}月", "number", fmt=styling.SCORE, width=7, formula=pivot if m == 1 else "",
                span=months if m == 1 else 1) for m in range(1, months + 1)]
