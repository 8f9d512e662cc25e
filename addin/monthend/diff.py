"""``jixiao diff OLD.xlsx NEW.xlsx``: what changed between two versions of a
pay workbook, person by person.

For each sheet present in both files, rows are matched by a key column: the
ID column of the template's spec (the first required text input of that
sheet, e.g. 工号), else the first column whose values are unique and
non-blank over the data rows, or ``--key`` (a header or a column letter).
Only formula results are compared (the columns holding formulas or the range
a dynamic array spills into): every person whose results changed is listed
with old, new and difference per column, plus the people added and removed,
and column totals old/new/difference. A sheet without a usable key column is
compared cell by cell.

Differences are decimal-exact: each float is taken at its shortest repr
(what Excel shows to 15 digits), so 1200.1 − 1000.05 is 200.05, not
200.04999999999995.

比较两版工资工作簿：按关键列（工号等）逐人列出公式结果的旧值、新值与差额，
以及新增、删除的人员和各列合计。退出码：0 无差异；1 有差异；2 文件无法读取。
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from addin.language import DEFAULT_LANG, pick
from addin.language import say as in_lang
from addin.monthend.values import Loaded, formula_cells, formula_columns, load, plain
from addin.textable import lines as table_lines
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.cell_keys import cols_of, distinct, member, rows_of
from addin.xlsx.model import CellValue, Coord
from addin.xlsx.recalculated import cell_keys, column_values
from udfs.errors import ExcelError
from udfs.explain import number_text

__all__ = ["Change", "People", "SheetDiff", "WorkbookDiff", "compare", "render", "render_lines"]

EXIT_SAME, EXIT_DIFFERENT = 0, 1

JSONValue = float | str | bool | None


@dataclass(slots=True)  # one per person and column: a million of them
class Change:
    """One column of one person: old, new and (for numbers) new − old."""

    column: str
    old: JSONValue
    new: JSONValue
    difference: float | None


@dataclass(slots=True)  # one per person and column: a million of them
class Person:
    """One row of a compared sheet: its key, a label (姓名) and its changes."""

    key: str
    label: str
    row_old: int | None
    row_new: int | None
    changes: list[Change] = field(default_factory=list)


class People(Sequence[Person]):
    """People added or removed, each made as it is read: their keys, rows,
    labels and values are kept as the columns the sheet was read in (shared
    with the totals), their :class:`Person` is built when asked for — a
    million people added cost their keys and values, not a million objects."""

    __slots__ = ("_at", "_columns", "_keys", "_labels", "_rows", "_side", "_values")

    def __init__(
        self, side: Literal["added", "removed"], at: list[int], keys: list[str], rows: list[int],
        labels: list[CellValue] | None, columns: list[str], values: list[list[CellValue]],
    ) -> None:  # fmt: skip
        """``at``: the people's positions in ``keys``, ``rows``, ``labels``
        (the column beside the key, if any) and each of ``values`` (one list
        per column of ``columns``)."""
        self._side, self._at, self._keys, self._rows = side, at, keys, rows
        self._labels, self._columns, self._values = labels, columns, values

    def __len__(self) -> int:
        return len(self._at)

    def _make(self, i: int) -> Person:
        label = _text(self._labels[i]) if self._labels is not None else ""
        changes = []
        if self._side == "added":
            for h, column in zip(self._columns, self._values, strict=True):
                v = column[i]
                # a number added: its difference is itself (what difference() gives), made directly
                changes.append(Change(h, None, v, v) if type(v) is float else Change(h, None, plain(v), difference(None, v)))
            return Person(self._keys[i], label, None, self._rows[i], changes)
        for h, column in zip(self._columns, self._values, strict=True):
            v = column[i]
            changes.append(Change(h, v, None, 0.0 - v) if type(v) is float else Change(h, plain(v), None, difference(v, None)))
        return Person(self._keys[i], label, self._rows[i], None, changes)

    @overload
    def __getitem__(self, i: int) -> Person: ...
    @overload
    def __getitem__(self, i: slice) -> list[Person]: ...
    def __getitem__(self, i: int | slice) -> Person | list[Person]:
        if isinstance(i, slice):
            return [self._make(j) for j in self._at[i]]
        return self._make(self._at[i])

    def __iter__(self) -> Iterator[Person]:
        make = self._make
        for i in self._at:
            yield make(i)


@dataclass
class SheetDiff:
    """The comparison of one sheet present in both workbooks."""

    sheet: str
    mode: str  # "rows" (matched by key) | "cells" (no key column)
    key: str | None = None
    label: str | None = None  # header of the column shown beside the key (姓名)
    columns: list[str] = field(default_factory=list)
    changed: list[Person] = field(default_factory=list)
    added: Sequence[Person] = field(default_factory=list)
    removed: Sequence[Person] = field(default_factory=list)
    #: column → (old total, new total, difference), numeric result columns only
    totals: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    #: column → the people (keys) whose cell holds an error value, old and new:
    #: left out of the totals, so they are counted and named beside them
    errors: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: mode "cells": every changed formula cell (address → change)
    cells: list[Change] = field(default_factory=list)

    @property
    def different(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.cells)

    def to_json(self) -> dict[str, Any]:
        """The comparison as :func:`dataclasses.asdict` gives it, people built one at a time."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("changed", "added", "removed", "cells"):
                out[f.name] = [asdict(p) for p in value]
            else:
                out[f.name] = deepcopy(value)
        return out


@dataclass
class WorkbookDiff:
    """The comparison of two workbooks."""

    old: str
    new: str
    sheets: list[SheetDiff] = field(default_factory=list)
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def different(self) -> bool:
        return any(s.different for s in self.sheets) or bool(self.only_old or self.only_new)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = [s.to_json() for s in value] if f.name == "sheets" else deepcopy(value)
        out["different"] = self.different
        return out


# ------------------------------------------------------------------ values


def exact(value: float) -> Decimal:
    """The decimal a float stands for in a pay sheet (its shortest repr)."""
    return Decimal(repr(value))


def _number(v: CellValue) -> float | None:
    if isinstance(v, float | int) and not isinstance(v, bool):
        return float(v)
    return None


def difference(old: CellValue, new: CellValue) -> float | None:
    """``new − old`` to the decimal when both are numbers (a blank counts 0)."""
    a = 0.0 if old is None else _number(old)
    b = 0.0 if new is None else _number(new)
    if a is None or b is None or (old is None and new is None):
        return None
    if old is None:  # a person added: the decimal of b is b's own shortest repr
        return b
    if new is None:
        return 0.0 - a  # 0.0, never -0.0, for a zero removed
    return float(exact(b) - exact(a))


def same(old: CellValue, new: CellValue) -> bool:
    """Whether two cell values are the same result (errors by kind)."""
    if isinstance(old, ExcelError) or isinstance(new, ExcelError):
        return str(old) == str(new)
    a, b = _number(old), _number(new)
    if a is not None and b is not None:
        return exact(a) == exact(b)
    return old == new


def _text(v: CellValue) -> str:
    return "" if v is None else number_text(v)


def _texts(values: list[CellValue]) -> list[str]:
    """:func:`_text` of each value, in one comprehension (a key column of a
    million people)."""
    return ["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values]


# ------------------------------------------------------------------ layout


@dataclass
class Layout:
    """Where a sheet's people are: header row, data rows, key and result columns."""

    header_row: int
    rows: list[int]
    key_col: int
    label_col: int | None
    result_cols: list[int]
    headers: dict[int, str]
    #: the key of each of ``rows`` as text (工号), read once
    keys: list[str] = field(default_factory=list)


def spec_key(spec: dict[str, Any] | None, sheet: str) -> tuple[int, int] | None:
    """(column, first data row) of the spec's ID column for ``sheet``: the
    first required text input of that sheet (工号, 企业编号 …)."""
    if not spec:
        return None
    for entry in spec.get("inputs", []):
        if (
            entry.get("sheet") == sheet
            and entry.get("kind") == "text"
            and entry.get("required")
        ):
            return from_a1(f"{entry['column']}1")[1], int(entry["first_row"])
    return None


def _header_row(values: Mapping[Coord, CellValue], present: np.ndarray, first_data: int) -> int:
    """The nearest row above ``first_data`` that holds text only (the headers);
    one pass over the cells present above it (``present``: the sheet's cell
    keys, :func:`~addin.xlsx.recalculated.cell_keys`), whatever the rows' numbers."""
    rows: dict[int, bool] = {}  # row → all its values are texts
    above = present[rows_of(present) < first_data]
    for r, c in zip(rows_of(above).tolist(), cols_of(above).tolist(), strict=True):
        rows[r] = rows.get(r, True) and isinstance(values.get((r, c)), str)
    texts = [r for r, only_text in rows.items() if only_text]
    return max(texts) if texts else first_data - 1


def _row_texts(values: Mapping[Coord, CellValue], present: np.ndarray, row: int) -> dict[int, str]:
    """The texts of the cells present in ``row``, by column (left to right)."""
    return {c: _text(values.get((row, c))) for c in cols_of(present[rows_of(present) == row]).tolist()}


def _unique_filled(values: list[CellValue], filled: int) -> list[str] | None:
    """The texts of ``values`` when all ``filled`` of them are present and
    distinct (a key column), else ``None``."""
    keys = _texts([v for v in values if v not in (None, "")])
    return keys if len(keys) == filled and len(set(keys)) == len(keys) and filled > 0 else None


def layout(
    loaded: Loaded, sheet_name: str, spec: dict[str, Any] | None, key: str | None,
    like: Layout | None = None,
) -> Layout | None:  # fmt: skip
    """The layout of ``sheet_name``, or ``None`` when no key column is found.

    A sheet without formulas (a ``--values`` copy) takes its result columns
    from ``like``, the other file's layout of the sheet, by header text.
    The sheet is read as cell keys and columns (the cells present, not a
    coordinate or value object per cell)."""
    wb = loaded.workbook
    values = wb.sheet(sheet_name).values
    results = formula_columns(wb, sheet_name)  # column → its first result row
    present = cell_keys(values, filled=False)
    if not results and like is not None:
        header_row = like.header_row
        headers = _row_texts(values, present, header_row)
        wanted = {like.headers.get(c) for c in like.result_cols} - {None, ""}
        result_cols = sorted(c for c, h in headers.items() if h in wanted)
        results = dict.fromkeys(result_cols, header_row + 1)
        if not result_cols:
            return None
    if not results:
        return None
    result_cols = sorted(results)
    from_spec = spec_key(spec, sheet_name)
    first = from_spec[1] if from_spec else min(results.values())
    header_row = _header_row(values, present, first)
    headers = _row_texts(values, present, header_row)
    # the columns and rows that hold input values: from the cells present, so a
    # lone cell at XFD1048576 costs one cell, not every row × column
    filled = cell_keys(values, filled=True)
    filled = filled[~member(cols_of(filled), np.array(result_cols, dtype=np.int64))]
    inputs: list[int] = distinct(cols_of(filled)).tolist()
    found = distinct(rows_of(filled))
    rows: list[int] = found[found > header_row].tolist()
    if not rows:
        return None
    # --key on the sheets that have that column; the others keep their own key
    key_col = _key_by_name(key, headers) if key else None
    keys: list[str] | None = None  # the key column's texts, when found by looking
    if key_col is not None:
        pass
    elif from_spec:
        key_col = from_spec[0]
    else:
        for c in inputs:
            keys = _unique_filled(column_values(values, c, rows), len(rows))
            if keys is not None:
                key_col = c
                break
    if key_col is None:
        return None
    if keys is None:  # every row has its key when found by looking: otherwise, the rows that have one
        got = column_values(values, key_col, rows)
        rows = [r for r, v in zip(rows, got, strict=True) if v not in (None, "")]
        keys = _texts([v for v in got if v not in (None, "")])
    label_col = key_col + 1 if key_col + 1 in inputs and key_col + 1 in headers else None
    return Layout(header_row, rows, key_col, label_col, result_cols, headers, keys)


def _key_by_name(key: str, headers: dict[int, str]) -> int | None:
    for c, h in headers.items():
        if h == key:
            return c
    if key.isalpha() and key.isascii() and len(key) <= 3:
        return from_a1(f"{key.upper()}1")[1]
    return None


# ----------------------------------------------------------------- compare


def _people(lay: Layout) -> dict[str, int]:
    """Each person's key and row (the first row of a key met twice)."""
    out: dict[str, int] = {}
    for k, r in zip(lay.keys, lay.rows, strict=True):
        out.setdefault(k, r)
    return out


def _header(lay: Layout, col: int) -> str:
    return lay.headers.get(col) or to_a1(1, col).rstrip("1")


@dataclass
class _Side:
    """One file's people on a compared sheet, read as columns: their keys and
    rows (in the sheet's order), the label beside the key, and the values of
    each compared column."""

    keys: list[str]
    rows: list[int]
    labels: list[CellValue] | None
    values: list[list[CellValue]]


def _side(values: Mapping[Coord, CellValue], lay: Layout, cols: list[int]) -> _Side:
    people = _people(lay)
    rows = list(people.values())
    labels = column_values(values, lay.label_col, rows) if lay.label_col else None
    return _Side(list(people), rows, labels, [column_values(values, c, rows) for c in cols])


def compare_sheet(
    old: Loaded, new: Loaded, sheet: str, spec: dict[str, Any] | None, key: str | None
) -> SheetDiff:
    """Compare one sheet present in both workbooks."""
    lay_new = layout(new, sheet, spec, key)
    lay_old = layout(old, sheet, spec, key, like=lay_new)
    if lay_new is None and lay_old is not None:  # the new file is a values copy
        lay_new = layout(new, sheet, spec, key, like=lay_old)
    if lay_new is None or lay_old is None:
        return _compare_cells(old, new, sheet)
    cols_new = {_header(lay_new, c): c for c in lay_new.result_cols}
    cols_old = {_header(lay_old, c): c for c in lay_old.result_cols}
    columns = [h for h in cols_new if h in cols_old]
    out = SheetDiff(sheet, "rows", key=_header(lay_new, lay_new.key_col), columns=columns)
    if lay_new.label_col is not None:
        out.label = _header(lay_new, lay_new.label_col)
    so = _side(old.workbook.sheet(sheet).values, lay_old, [cols_old[h] for h in columns])
    sn = _side(new.workbook.sheet(sheet).values, lay_new, [cols_new[h] for h in columns])
    at_old = {k: i for i, k in enumerate(so.keys)}
    matched = [False] * len(so.keys)
    added: list[int] = []
    for j, k in enumerate(sn.keys):
        i = at_old.get(k)
        if i is None:
            added.append(j)
            continue
        matched[i] = True
        changes = [
            Change(h, plain(a[i]), plain(b[j]), difference(a[i], b[j]))
            for h, a, b in zip(columns, so.values, sn.values, strict=True)
            if not same(a[i], b[j])
        ]
        if changes:
            label = _text(sn.labels[j]) if sn.labels is not None else ""
            out.changed.append(Person(k, label, so.rows[i], sn.rows[j], changes))
    out.added = People("added", added, sn.keys, sn.rows, sn.labels, columns, sn.values)
    gone = [i for i, m in enumerate(matched) if not m]
    out.removed = People("removed", gone, so.keys, so.rows, so.labels, columns, so.values)
    for h, a, b in zip(columns, so.values, sn.values, strict=True):
        t_old, t_new = _total(a), _total(b)
        if t_old is not None or t_new is not None:
            d_old, d_new = t_old or Decimal(0), t_new or Decimal(0)
            out.totals[h] = (float(d_old), float(d_new), float(d_new - d_old))
        e_old, e_new = _error_keys(so, a), _error_keys(sn, b)
        if e_old or e_new:
            out.errors[h] = (e_old, e_new)
    return out


def _error_keys(side: _Side, values: list[CellValue]) -> list[str]:
    """The people whose value in ``values`` (a column of ``side``) is an
    error value (key and name)."""
    out = []
    for i, v in enumerate(values):
        if isinstance(v, ExcelError):
            label = _text(side.labels[i]) if side.labels is not None else ""
            out.append(f"{side.keys[i]}（{label}）" if label else side.keys[i])
    return out


def _total(values: list[CellValue]) -> Decimal | None:
    """The column's exact total (``None`` when no value is a number): each
    number's decimal (:func:`exact`) added in turn.

    When every value is a float ``x`` below 2**45 whose cents ``c =
    round(x * 100)`` give it back (``c / 100 == x``) — a pay column — they are
    summed as whole cents at once: ``c / 100`` is then ``x``'s shortest repr
    (its rounding interval is narrower than a cent, so no other decimal of two
    places is in it, and a shorter one would be such a decimal), and every
    partial sum has at most 19 digits, so adding the decimals in turn never
    rounds either: the same total."""
    if values and all(type(v) is float for v in values):
        x = np.array(values, dtype=np.float64)
        cents = np.round(x * 100)
        if bool(((np.abs(x) < 2.0**45) & (cents / 100 == x)).all()) and float(np.abs(cents).sum()) < 2.0**62:
            return Decimal(int(cents.astype(np.int64).sum())).scaleb(-2)
    total, found = Decimal(0), False
    for v in values:
        n = _number(v)
        if n is not None:
            total += exact(n)
            found = True
    return total if found else None


def _compare_cells(old: Loaded, new: Loaded, sheet: str) -> SheetDiff:
    out = SheetDiff(sheet, "cells")
    so, sn = old.workbook.sheet(sheet), new.workbook.sheet(sheet)
    cells = formula_cells(old.workbook, sheet) | formula_cells(new.workbook, sheet)
    for coord in sorted(cells):
        a, b = so.values.get(coord), sn.values.get(coord)
        if not same(a, b):
            out.cells.append(Change(to_a1(*coord), plain(a), plain(b), difference(a, b)))
    return out


def compare(old_path: Path, new_path: Path, *, key: str | None = None) -> WorkbookDiff:
    """Compare two workbooks (read with :func:`addin.monthend.values.load`)."""
    from addin.validate import find_spec

    old, new = load(old_path, by_column=True), load(new_path, by_column=True)
    template = new.template_id or old.template_id
    spec = find_spec(template) if template else None
    out = WorkbookDiff(str(old_path), str(new_path))
    for loaded in (old, new):
        if loaded.recalculated:
            out.notes.append(
                f"{loaded.path.name} 缺少缓存值，已重算 / had no cached values: recalculated"
            )
    names_old = [s.name for s in old.workbook.sheets]
    names_new = [s.name for s in new.workbook.sheets]
    folded_old = {n.casefold() for n in names_old}
    folded_new = {n.casefold() for n in names_new}
    out.only_old = [n for n in names_old if n.casefold() not in folded_new]
    out.only_new = [n for n in names_new if n.casefold() not in folded_old]
    for name in names_new:
        if name.casefold() in folded_old:
            out.sheets.append(compare_sheet(old, new, name, spec, key))
    return out


# ----------------------------------------------------------------- display


def money(v: JSONValue) -> str:
    """A number as finance reads it (thousands, two decimals when not whole)."""
    if type(v) is float:
        if v and v.is_integer() and -1e15 < v < 1e15:  # a whole amount (most of a pay sheet), at once
            return f"{int(v):,}"
    elif isinstance(v, bool) or not isinstance(v, float | int):
        return "" if v is None else str(v)
    if v and float(v).is_integer() and abs(v) < 1e15:  # a whole amount: no decimal needed
        return f"{int(v):,}"
    d = exact(float(v))
    if d == d.to_integral_value():
        return f"{d:,.0f}"
    return f"{d:,.2f}" if d == d.quantize(Decimal("0.01")) else f"{d:,}"


def signed(v: float | None) -> str:
    if v is None:
        return ""
    return ("+" if v > 0 else "") + money(v)


def render(result: WorkbookDiff, lang: str = DEFAULT_LANG) -> str:
    """The terminal report in ``lang`` (see :mod:`addin.language`)."""
    return "\n".join(render_lines(result, lang))


def render_lines(result: WorkbookDiff, lang: str = DEFAULT_LANG) -> Iterator[str]:
    """The lines of :func:`render`, made as they are printed: a million people
    added cost one short text each while the table's widths are found, not the
    whole report at once."""

    def say(zh: str, en: str, sep: str = " / ") -> str:
        return in_lang(lang, zh, en, sep)

    def head(zh: str, en: str) -> str:  # a table heading: "旧值 Old"
        return say(zh, en, " ")

    yield f"{say('比较', 'compare')}: {Path(result.old).name} → {Path(result.new).name}"
    yield from (f"  {pick(n, lang)}" for n in result.notes)
    for n in result.only_old:
        yield say(f"工作表 {n} 只在旧文件中", f"sheet {n} only in the old file")
    for n in result.only_new:
        yield say(f"工作表 {n} 只在新文件中", f"sheet {n} only in the new file")
    kinds = {"变化": "changed", "新增": "added", "删除": "removed"}
    for s in result.sheets:
        if not s.different:
            continue
        yield ""
        if s.mode == "cells":
            yield f"【{s.sheet}】{say('按单元格比较', 'cell by cell')}: {len(s.cells)}"
            cells = ([c.column, money(c.old), money(c.new), signed(c.difference)] for c in s.cells)
            yield from table_lines([head("单元格", "Cell"), head("旧值", "Old"), head("新值", "New"),
                                    head("差额", "Diff")], cells, right=[False, True, True, True])
            continue
        zh = (f"【{s.sheet}】关键列 {s.key}；变化 {len(s.changed)} 人，新增 {len(s.added)}，删除 {len(s.removed)}")
        en = (f"【{s.sheet}】key {s.key}; changed {len(s.changed)}, added {len(s.added)}, removed {len(s.removed)}")
        if lang == "zh-en":
            yield (f"【{s.sheet}】关键列 / key: {s.key}；变化 {len(s.changed)} 人 / changed，"
                   f"新增 {len(s.added)} / added，删除 {len(s.removed)} / removed")
        else:
            yield zh if lang == "zh" else en
        touched: set[str] = set()

        def rows(s: SheetDiff = s, touched: set[str] = touched) -> Iterator[list[str]]:
            for tag, people in (("变化", s.changed), ("新增", s.added), ("删除", s.removed)):
                kind = say(tag, kinds[tag], " ")
                for p in people:
                    for c in p.changes:
                        touched.add(c.column)
                        new = money(c.new)
                        if c.difference is c.new and c.difference is not None:  # a number added: its own difference
                            diff = ("+" if c.difference > 0 else "") + new
                        else:
                            diff = signed(c.difference)
                        yield [kind, p.key, p.label, c.column, money(c.old), new, diff]

        # the table reads every row before its first line: touched is complete after it
        yield from table_lines(
            [head("类型", "Kind"), s.key or "", s.label or "", head("列", "Column"), head("旧值", "Old"),
             head("新值", "New"), head("差额", "Diff")],
            rows(),
            right=[False, False, False, False, True, True, True],
        )
        shown = [(h, t) for h, t in s.totals.items() if t[2] != 0 or h in touched or h in s.errors]
        if shown:
            yield say("合计（错误值不计入）", "totals (error values left out)", "/ ")
            yield from table_lines(
                [head("列", "Column"), head("旧合计", "Old"), head("新合计", "New"), head("差额", "Diff"),
                 head("错误值", "Errors")],
                [[h, money(a), money(b), signed(d), _error_count(s.errors.get(h))] for h, (a, b, d) in shown],
                right=[False, True, True, True, False],
            )
        for h, (e_old, e_new) in s.errors.items():
            for side_zh, side_en, keys in (("旧文件", "old", e_old), ("新文件", "new", e_new)):
                if keys:
                    zh = f"  {h}：{side_zh} {len(keys)} 个错误值，未计入合计"
                    en = f"  {h}: {len(keys)} error values in the {side_en} file, not in the total"
                    if lang == "zh-en":
                        zh = f"  {h}：{side_zh} / {side_en} {len(keys)} 个错误值，未计入合计 / error values not in the total"
                    yield (zh if lang != "en" else en) + ": " + "、".join(keys)
    if not result.different:
        yield say("两个文件的计算结果相同", "no difference in computed results")


def _error_count(errors: tuple[list[str], list[str]] | None) -> str:
    if not errors:
        return ""
    return f"{len(errors[0])} → {len(errors[1])}"
