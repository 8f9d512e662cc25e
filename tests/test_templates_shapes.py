"""Every template on offices of other shapes than its sample.

An office fills a template with its own people: 1, 2, 5, 29, 31, 300 or 3,000
of them, departments of unequal size, rows in any order, empty rows left in the
middle, ties on every cut, people missing in some months, a person typed under
the last row. Each shape is built into the template's input sheets, refreshed by
the engine, and every result cell is compared with the independent model
:mod:`workbooks.golden_reference` (plain loops and Decimal, written from the
documents' words — never the kernel). Empty rows must give empty results.

Shapes are drawn from a seeded generator (hypothesis-style, but reproducible
and bounded so ``make test`` takes seconds per template); ``make fuzz`` sets
``JIXIAO_SHAPE_SEEDS`` to draw many more, and adds the 3,000-person offices.
"""

from __future__ import annotations

import copy
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_refresh_templates import _differences

from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1
from addin.xlsx.workbook import read_workbook
from workbooks import writer
from workbooks.golden_reference import golden
from workbooks.model import DataSheet, Template
from workbooks.templates import REGISTRY

#: Template factory arguments for an office of about ``k`` people.
SIZE: dict[str, Callable[[int], dict[str, int]]] = {
    "t1-gongxiaoshe": lambda k: {"n_staff": k, "n_enterprises": max(1, k * 5 // 6)},
    "t2-wangxiao": lambda k: {"n_staff": k},
    "t3-hujiao": lambda k: {"n_groups": max(6, k // 5)},
    "t4-baoxian": lambda k: {"n_agents": k},
    "t5-xiaoshou": lambda k: {"n_staff": k},
    "t6-weixi": lambda k: {"n_staff": k},
    "t7-weixiu": lambda k: {"n_staff": k},
    "t8-xiaoshoubu": lambda k: {"n_staff": k},
}

#: Where the sample generator cannot make so few people, the sample is cut to
#: its first people on these sheets (others list what these refer to).
CUT: dict[str, tuple[str, ...]] = {"t5-xiaoshou": ("月度考核", "年度考核")}

#: Sheets whose numbers must not be copied between rows: t4's agents' premiums
#: add up to each city's total, against which the typed dates 达成起始/预算 are
#: facts (ties there are the readings test's t4-ties-* cases).
NO_TIES: dict[str, tuple[str, ...]] = {"t4-baoxian": ("个人竞赛",)}

SEEDS = int(os.environ.get("JIXIAO_SHAPE_SEEDS", "1"))
BIG = os.environ.get("JIXIAO_SHAPE_BIG") == "1"


def _sheets(t: Template) -> list[DataSheet]:
    """The sheets an office fills with its own rows (those with an empty-row key)."""
    return [s for s in t.sheets if isinstance(s, DataSheet) and s.empty_key is not None]


def _rows(s: DataSheet) -> list[list[Any]]:
    return [list(r) for r in s.iter_rows()]


def _key_index(s: DataSheet) -> int:
    heads = [c for c in s.cols if c.is_input]
    return next(i for i, c in enumerate(heads) if c.name == s.empty_key)


def _set_rows(s: DataSheet, rows: list[list[Any]]) -> None:
    s.rows = rows
    s.nrows = len(rows)


def _office(tid: str, k: int) -> Template:
    """The template with about ``k`` people: the sample generator at that size
    where it makes one, else the sample cut to its first ``k`` keys per sheet."""
    try:
        return REGISTRY[tid](**SIZE[tid](k))
    except (IndexError, ValueError):
        t = REGISTRY[tid]()
        for s in _sheets(t):
            if tid in CUT and s.name not in CUT[tid]:
                continue
            j = _key_index(s)
            keys: list[Any] = []
            for r in s.iter_rows():
                if r[j] not in keys:
                    keys.append(r[j])
            keep = set(keys[:k])
            _set_rows(s, [r for r in _rows(s) if r[j] in keep])
        return t


def _numeric(s: DataSheet) -> list[int]:
    """Positions (among the inputs) of the numeric input columns that are
    measurements (scores, money), not keys or counts such as 月份."""
    ins = [c for c in s.cols if c.is_input]
    return [i for i, c in enumerate(ins) if c.kind in ("number", "money", "percent")]


def _shape(t: Template, rng: random.Random) -> None:
    """Reorder every filled sheet, copy the numbers of some rows onto others
    (ties at every cut the data reaches), drop some rows of sheets with several
    rows per key (people missing in some months), leave empty rows between."""
    for s in _sheets(t):
        rows = _rows(s)
        j = _key_index(s)
        numeric = _numeric(s)
        several = len({r[j] for r in rows}) < len(rows)
        if several and len(rows) > 3:
            rows = [r for r in rows if rng.random() > 0.15]
        if numeric and len(rows) > 1 and s.name not in NO_TIES.get(t.id, ()):
            for _ in range(max(1, len(rows) // 4)):
                a, b = rng.sample(range(len(rows)), 2)
                for c in numeric:
                    rows[b][c] = rows[a][c]
        rng.shuffle(rows)
        width = len(rows[0]) if rows else len([c for c in s.cols if c.is_input])
        for _ in range(rng.randint(1, 3)):
            rows.insert(rng.randint(0, len(rows)), [None] * width)
        _set_rows(s, rows)


def _refresh(t: Template, tmp_path: Path) -> dict[str, dict[Any, Any]]:
    path = tmp_path / t.filename
    writer.save(t, path)
    return calculate(read_workbook(path)).values


def _empty_rows_empty(t: Template, values: dict[str, dict[Any, Any]]) -> list[str]:
    """Result cells of the spare rows (nobody typed there) that are not empty."""
    bad = []
    for s in _sheets(t):
        for i in range(s.nrows, s.nrows + s.spare, max(1, s.spare // 7)):
            for c in s.cols:
                if c.is_input:
                    continue
                got = values.get(s.name, {}).get(from_a1(s.cell(c.header, i)))
                if got not in (None, ""):
                    bad.append(f"{s.name}!{s.cell(c.header, i)}: {got!r}")
    return bad


def _check(t: Template, tmp_path: Path) -> None:
    want = golden(t)
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []
    assert _empty_rows_empty(t, values) == []


CASES = [(tid, k, seed) for tid in REGISTRY for k in (1, 2, 5, 29, 31) for seed in range(SEEDS)]


@pytest.mark.parametrize(("tid", "k", "seed"), CASES, ids=[f"{t}-{k}-{s}" for t, k, s in CASES])
def test_office_of_any_shape_refreshes_to_golden(tid: str, k: int, seed: int, tmp_path: Path) -> None:
    """An office of ``k`` people, rows shuffled, numbers tied, rows missing,
    empty rows between: the engine's results are the reference's, cell by cell."""
    t = _office(tid, k)
    _shape(t, random.Random(f"{tid}-{k}-{seed}"))
    _check(t, tmp_path)


BIG_SIZES = (300, 3000) if BIG else (300,)


LARGE = list(REGISTRY)


@pytest.mark.parametrize("k", BIG_SIZES)
@pytest.mark.parametrize("tid", LARGE)
def test_large_office_refreshes_to_golden(tid: str, k: int, tmp_path: Path) -> None:
    """A large office, shuffled with empty rows between: still the reference's results."""
    t = _office(tid, k if tid != "t8-xiaoshoubu" else k // 12)  # t8: k monthly rows
    _shape(t, random.Random(f"{tid}-{k}"))
    _check(t, tmp_path)


def test_person_typed_below_the_last_row_is_computed(tmp_path: Path) -> None:
    """A clerk types one more person under the last row of every filled sheet:
    the file's names are the same as before (the spare rows were already
    covered) and that person's results are the reference's."""
    for tid in REGISTRY:
        t = REGISTRY[tid]()
        before = writer.defined_names(t)
        grown = copy.deepcopy(t)
        for s in _sheets(grown):
            rows = _rows(s)
            extra = list(rows[-1])
            j = _key_index(s)
            if isinstance(extra[j], str):
                extra[j] = extra[j] + "新"
            _set_rows(s, [*rows, extra])
            s.spare -= 1
        assert writer.defined_names(grown) == before, tid
        _check(grown, tmp_path)


def test_t4_speed_prize_split_among_any_number_per_city(tmp_path: Path) -> None:
    """「奖励对象为市分公司销管部经理及销管部相关工作人员」 with coefficients 1 and 0.5, no
    number of people: a winning city with one person, one with five, a city with none,
    rows of the cities interleaved — each city's prize is split among its own rows and adds up."""
    t = REGISTRY["t4-baoxian"]()
    al = t.data_sheet("速度奖分配")
    want0 = golden(t)
    cities = t.data_sheet("城市业绩")
    winners = [r[0] for i, r in enumerate(_rows(cities)) if want0[f"城市业绩!{cities.cell('速度奖', i)}"] not in ("", 0)]
    assert len(winners) >= 3
    rows = [r for r in _rows(al) if r[0] not in winners[:3]]
    rows.append([winners[0], "独一人", "相关工作人员"])
    rows += [[winners[1], f"五人{k}", "销管部经理" if k == 0 else "相关工作人员"] for k in range(5)]
    random.Random("t4-cities").shuffle(rows)
    rows.insert(3, [None, None, None])
    _set_rows(al, rows)
    want = golden(t)
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []
    assert _empty_rows_empty(t, values) == []
    prize = {r[0]: want0[f"城市业绩!{cities.cell('速度奖', i)}"] for i, r in enumerate(_rows(cities))}
    paid: dict[str, float] = {}
    for i, r in enumerate(rows):
        if r[0] is not None:
            paid[r[0]] = paid.get(r[0], 0) + want[f"速度奖分配!{al.cell('分得奖金', i)}"]
    assert round(paid[winners[0]], 2) == prize[winners[0]]
    assert round(paid[winners[1]], 2) == prize[winners[1]]
    assert winners[2] not in paid  # nobody listed for that city: 汇总 shows the prize as not split
    assert want["汇总!B12"] == prize[winners[2]] > 0


def test_t4_city_without_its_date_takes_no_speed_place(tmp_path: Path) -> None:
    """「按照任务保费目标完成先后顺序前三名入围」: the first-placed city with its budget date
    left blank takes no place and no prize (not the first place a blank date would sort
    into), says so in 日期核对, and the next city moves up."""
    t = REGISTRY["t4-baoxian"]()
    cs = t.data_sheet("城市业绩")
    before = golden(t)
    first = next(i for i in range(cs.nrows) if before[f"城市业绩!{cs.cell('速度奖名次', i)}"] == 1)
    second = next(i for i in range(cs.nrows) if before[f"城市业绩!{cs.cell('速度奖名次', i)}"] == 2)
    rows = _rows(cs)
    assert rows[first][2] is not None  # reached the budget, ordered by its budget date
    rows[first][2] = None
    _set_rows(cs, rows)
    want = golden(t)
    assert want[f"城市业绩!{cs.cell('速度奖名次', first)}"] == ""
    assert want[f"城市业绩!{cs.cell('速度奖', first)}"] == ""
    assert want[f"城市业绩!{cs.cell('日期核对', first)}"] == "未填达成日期：不参加速度奖"
    assert want[f"城市业绩!{cs.cell('速度奖名次', second)}"] == 1
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []


def test_t3_group_and_supervisor_added_below_are_computed(tmp_path: Path) -> None:
    """A seventh group typed under the last group, led by a fourth supervisor typed under
    the last supervisor, and five people moved into it: its totals, ranks, prize and cut,
    the supervisor's totals and demotion count, and the people's group cut are the reference's."""
    t = REGISTRY["t3-hujiao"]()
    ps, gs, ss = t.data_sheet("人员业绩"), t.data_sheet("小组"), t.data_sheet("主管")
    before = writer.defined_names(t)
    _set_rows(ss, [*_rows(ss), ["新主管"]])
    ss.spare -= 1
    _set_rows(gs, [*_rows(gs), ["7组", "新主管"]])
    gs.spare -= 1
    people = _rows(ps)
    members = [r for r in people if r[3]][:5]
    for r in members:
        r[3] = "7组"
    _set_rows(ps, people)
    assert writer.defined_names(t) == before
    want = golden(t)
    assert want[f"小组!{gs.cell('本月小组名次', gs.nrows - 1)}"] != ""
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []
    assert _empty_rows_empty(t, values) == []


def test_t8_small_department_month_by_month(tmp_path: Path) -> None:
    """「根据部门内考核得分情况,按照强制比例分布」: five people over three months,
    entered person by person (not month by month): each month's grades are that
    month's distribution of five — 1/1/2/1/0 by largest remainder of 10/20/40/20/10 %."""
    t = REGISTRY["t8-xiaoshoubu"]()
    ms = t.data_sheet("月度评估")
    staff = [r for r in _rows(ms) if r[2] == 1][:5]
    rows = []
    for p, person in enumerate(staff):
        for m in (1, 2, 3):
            r = list(person)
            r[2] = m
            r[3:6] = [90 - 5 * p - m, 90 - 5 * p, 90 - 5 * p]
            rows.append(r)
    _set_rows(ms, rows)
    ys = t.data_sheet("年度评估")
    _set_rows(ys, [[r[0], r[1]] for r in staff])
    want = golden(t)
    grades = [want[f"月度评估!{ms.cell('月度等级', i)}"] for i in range(len(rows))]
    # person p, month m at index 3p + m - 1: the best gets 优秀 every month, the worst 基本合格
    assert grades[0::3] == ["优秀", "良好", "合格", "合格", "基本合格"]
    assert grades[1::3] == grades[0::3]
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []


def test_t8_fine_in_a_month_without_pay_is_shown(tmp_path: Path) -> None:
    """「罚款在违规日期所在月份的工资中扣除」: the July joiner fined in March has no
    March pay row; the ledger says 未扣 and 年度评估 shows the amount as 未扣罚款."""
    t = REGISTRY["t8-xiaoshoubu"]()
    es, ys = t.data_sheet("扣款登记"), t.data_sheet("年度评估")
    joiner = _rows(ys)[-1][0]
    rows = _rows(es)
    rows[0] = [rows[0][0].replace(month=3), joiner, "擅自离岗", 1, ""]
    _set_rows(es, rows)
    want = golden(t)
    assert want[f"扣款登记!{es.cell('扣除情况', 0)}"] == "未扣：当月无工资行"
    assert want[f"年度评估!{ys.cell('未扣罚款', ys.nrows - 1)}"] == 500
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []


def test_t8_cell_by_cell_engine_agrees(tmp_path: Path) -> None:
    """The engine's reference path (``vectorise=False``: every block one row)
    gives the grouped grades and pay the vectorised path gives, on a shaped office."""
    t = _office("t8-xiaoshoubu", 5)
    _shape(t, random.Random("t8-cell-by-cell"))
    path = tmp_path / t.filename
    writer.save(t, path)
    fast = calculate(read_workbook(path)).values
    slow = calculate(read_workbook(path), vectorise=False).values
    want = golden(t)
    assert _differences(fast, want) == []
    assert _differences(slow, want) == []


@pytest.mark.parametrize(("tid", "monthly", "yearly"),
                         [("t5-xiaoshou", "月度考核", "年度考核"), ("t8-xiaoshoubu", "月度评估", "年度评估")])
def test_listed_person_without_any_month(tid: str, monthly: str, yearly: str, tmp_path: Path) -> None:
    """A person on the year sheet with no monthly row at all (joined in
    December, not yet appraised): the reference's results, and no error value
    anywhere in their year row."""
    t = REGISTRY[tid]()
    ms, ys = t.data_sheet(monthly), t.data_sheet(yearly)
    who = _rows(ys)[0][0]
    _set_rows(ms, [r for r in _rows(ms) if r[_key_index(ms)] != who])
    want = golden(t)
    values = _refresh(t, tmp_path)
    assert _differences(values, want) == []
    row = [values[yearly].get(from_a1(ys.cell(c.header, 0))) for c in ys.cols if not c.is_input]
    assert not [v for v in row if hasattr(v, "code")], row
