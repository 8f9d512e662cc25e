"""Database functions: DSUM, DAVERAGE, DCOUNT, DCOUNTA, DGET, DMAX, DMIN,
DPRODUCT, DSTDEV, DSTDEVP, DVAR, DVARP.

``database`` is a range whose first row names the fields; ``field`` is a name
(case-insensitive) or a 1-based column number; ``criteria`` is a range whose
first row names fields and whose later rows are alternatives (OR), the cells of
one row all required (AND), each in the criteria language of COUNTIF except
that a plain text matches the texts beginning with it (as Excel's advanced
filter reads criteria). An empty criteria cell accepts anything. A heading
names the first field whose text equals it, ignoring case (TRUE and "true").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from addin.refresh.functions._core import as_array, register, text_to_number, to_text
from addin.refresh.functions.criteria import make_criterion
from addin.refresh.functions.stat import variance
from addin.registry import PER_ROW, WHOLE
from udfs.errors import DIV0, NUM, VALUE, ExcelError, ExcelErrorRaised, fail


def _column(headers: list[Any], field: Any) -> int:
    if isinstance(field, ExcelError):
        raise ExcelErrorRaised(field)
    if isinstance(field, float | int) and not isinstance(field, bool):
        k = math.trunc(field)
        if not 1 <= k <= len(headers):
            raise fail(VALUE, "field 超出范围 / field out of range")
        return k - 1
    return _named_column(headers, field)


def _named_column(headers: list[Any], heading: Any) -> int:
    """The first field whose heading reads as ``heading``, compared as text
    ignoring case: "true" names a TRUE heading, a criteria heading 1 the
    heading 1 (ironcalc DMIN_DMAX_DAVERAGE_DSUM.xlsx rows 57–58) — a number
    here is a name, not a column number as in ``field``."""
    name = _heading(heading)
    for i, h in enumerate(headers):
        if h is not None and _heading(h) == name:
            return i
    raise fail(VALUE, f"没有字段“{heading}” / no field {heading!r}")


def _heading(v: Any) -> str:
    return to_text(v).strip().casefold()


def _database_criterion(v: Any) -> Callable[[Any], bool]:
    """A criteria cell as the database functions read it (Excel's advanced
    filter): a text without a comparison operator matches the texts that
    *begin* with it (``b`` matches ``B``, ``balpha``; ``Berlin`` matches
    ``Berlino``), ``=text`` only the equal text; numbers, logicals and
    ``<``/``>`` comparisons as in COUNTIF."""
    if isinstance(v, str) and v and v[0] not in "=<>" and text_to_number(v) is None:
        return make_criterion(v + "*")
    return make_criterion(v)


def _matching_rows(db: np.ndarray, criteria: Any) -> list[int]:
    headers = list(db[0, :])
    crit = as_array(criteria)
    if crit.shape[0] < 2:
        raise fail(VALUE, "条件区域须有标题行与条件行 / criteria need a header and a row")
    tests: list[list[tuple[int, Callable[[Any], bool]]]] = []
    for r in range(1, crit.shape[0]):
        row: list[tuple[int, Callable[[Any], bool]]] = []
        for c in range(crit.shape[1]):
            v = crit[r, c]
            if v is None:
                continue
            if crit[0, c] is None:  # a condition under no field name: nothing matches
                row.append((-1, lambda _v: False))
                continue
            row.append((_named_column(headers, crit[0, c]), _database_criterion(v)))
        tests.append(row)
    return [
        i
        for i in range(1, db.shape[0])
        if any(all(t(db[i, col] if col >= 0 else None) for col, t in row) for row in tests)
    ]


def _values(database: Any, field: Any, criteria: Any) -> list[Any]:
    db = as_array(database)
    if db.shape[0] < 2:
        raise fail(VALUE, "数据库没有记录 / the database has no records")
    col = _column(list(db[0, :]), field)
    return [db[i, col] for i in _matching_rows(db, criteria)]


def _numbers(vals: list[Any]) -> list[float]:
    out = []
    for v in vals:
        if isinstance(v, ExcelError):
            raise ExcelErrorRaised(v)
        if isinstance(v, float | int) and not isinstance(v, bool):
            out.append(float(v))
    return out


def _register(name: str, reduce: Callable[[list[Any]], float], doc: str) -> None:
    def impl(database: Any, field: Any, criteria: Any) -> Any:
        return reduce(_values(database, field, criteria))

    impl.__doc__ = f"{name}(database, field, criteria): {doc}"
    register(name, WHOLE, PER_ROW, WHOLE)(impl)


def _average(vals: list[Any]) -> float:
    nums = _numbers(vals)
    if not nums:
        raise fail(DIV0, "没有数值可平均 / nothing to average")
    return math.fsum(nums) / len(nums)


def _get(vals: list[Any]) -> Any:
    if not vals:
        raise fail(VALUE, "没有符合条件的记录 / no record matches")
    if len(vals) > 1:
        raise fail(NUM, "多条记录符合条件 / several records match")
    return 0.0 if vals[0] is None else vals[0]


_register("DSUM", lambda v: math.fsum(_numbers(v)), "the sum of the matching numbers.")
_register("DAVERAGE", _average, "the average of the matching numbers.")
_register("DCOUNT", lambda v: float(len(_numbers(v))), "how many matching numbers.")
_register("DCOUNTA", lambda v: float(sum(1 for x in v if x is not None)), "non-blank matches.")
_register("DGET", _get, "the one matching value (none #VALUE!, several #NUM!).")
_register("DMAX", lambda v: max(_numbers(v), default=0.0), "the largest matching number.")
_register("DMIN", lambda v: min(_numbers(v), default=0.0), "the smallest matching number.")
_register("DPRODUCT", lambda v: float(math.prod(_numbers(v))) if _numbers(v) else 0.0,
          "the product of the matching numbers.")  # fmt: skip
_register("DSTDEV", lambda v: math.sqrt(variance(_numbers(v), True)), "sample standard deviation.")
_register("DSTDEVP", lambda v: math.sqrt(variance(_numbers(v), False)), "population deviation.")
_register("DVAR", lambda v: variance(_numbers(v), True), "sample variance.")
_register("DVARP", lambda v: variance(_numbers(v), False), "population variance.")
