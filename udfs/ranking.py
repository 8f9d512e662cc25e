"""Ranking and prizes: ``RANKX`` and ``RANK_PRIZE`` (FUNCTIONS.md, "Ranking and prizes").

Both functions rank a list of people by one or more keys, with sorts rather than
comparisons between every pair, so a column of a million rows ranks in well under
a second (``np.lexsort`` once, then cumulative tricks over the sorted order to
find tie blocks, group starts and places).

Who is ranked (the "participants") is decided the same way in both functions:

* ``eligible`` false (blank, 0, FALSE, 否) → no place, empty result (``None``);
* an error in ``eligible`` → that error for the row;
* text or an error in ``values`` → ``#VALUE!`` (with the row number) or the error
  passed in, for that row; the row takes no place;
* a blank in the first key column → no place, empty result (RANK.EQ ignores
  blanks); a blank in a tie-break column (second onward) sorts after every
  number in that column, whichever the order (a city that has not reached its
  target yet has no date, and comes after those that have);
* everyone else takes part and is ranked within their group.

Keys are compared after rounding to 12 significant digits, so ``0.1+0.2`` ties
with ``0.3``.

>>> rankx([[90], [80], [80], [70]]).ravel().tolist()
[1.0, 2.0, 2.0, 4.0]
>>> rank_prize([90, 80, 80, 70], [[1, 1, 300], [2, 2, 200], [3, 3, 100]]).tolist()
[[300.0, 150.0, 150.0, 0.0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.errors import NUM, VALUE, ExcelError, excel_function, fail
from udfs.inputs import (
    as_block,
    error_mask,
    floats,
    is_blank,
    is_omitted,
    number_or_error,
    spill,
    to_flags,
)
from udfs.keywords import METHOD, TIES
from udfs.rounding import round_decimal, round_sig

__all__ = ["rank_prize", "rankx"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

#: Significant digits kept when comparing keys (FUNCTIONS.md, "Exactness").
COMPARE_DIGITS = 12

#: Largest prize amount per person accepted, in yuan (十亿): keeps every sum of fen
#: over a worksheet's million rows exact in int64.
MAX_AMOUNT = 1e9


# --------------------------------------------------------------------------- inputs


#: Kind codes of cells, by Python type (looked up in C through ``np.frompyfunc``).
_NUMBER, _NONE, _TEXT, _BOOL, _OTHER = 1, 2, 3, 4, 0
_KIND_OF_TYPE: dict[type, int] = {
    float: _NUMBER,
    int: _NUMBER,
    np.float64: _NUMBER,
    np.float32: _NUMBER,
    np.int64: _NUMBER,
    np.int32: _NUMBER,
    type(None): _NONE,
    str: _TEXT,
    bool: _BOOL,
    np.bool_: _BOOL,
    np.str_: _TEXT,
}
_type_of: Any = np.frompyfunc(type, 1, 1)
_kind_of: Any = np.frompyfunc(_KIND_OF_TYPE.get, 2, 1)


def _cell_kinds(flat: ObjectArray) -> npt.NDArray[np.int8]:
    """Per cell: number, ``None``, text, boolean or other (errors …).

    The common types are looked up by exact type without a Python loop; the
    few cells of other types (errors, numpy scalars such as ``np.int8`` or
    ``np.float16``, ``str`` subclasses) are then sorted by ``isinstance``.
    Booleans are not numbers here (``type(True)`` is ``bool``), as Excel wants.
    """
    kinds = np.asarray(_kind_of(_type_of(flat), _OTHER), dtype=np.int8)
    for i in np.flatnonzero(kinds == _OTHER):
        cell = flat[i]
        if isinstance(cell, bool | np.bool_):
            kinds[i] = _BOOL
        elif isinstance(cell, int | float | np.integer | np.floating):
            kinds[i] = _NUMBER
        elif isinstance(cell, str):
            kinds[i] = _TEXT
    return kinds


def _label(i: int, orientation: str) -> tuple[str, str]:
    """('第 3 行', 'row 3') or ('第 3 列', 'column 3'): where person ``i`` sits in the input."""
    if orientation == "row":
        return f"第 {i + 1} 列", f"column {i + 1}"
    return f"第 {i + 1} 行", f"row {i + 1}"


@dataclass(frozen=True)
class _Keys:
    """The ``values`` argument read as people × keys.

    ``keys`` holds the numbers rounded to 12 significant digits (0 where blank or
    an error), ``blank`` marks blank cells, ``errors`` holds per person the first
    error of their row (or ``None``), ``orientation`` is ``"row"`` when the input
    was a single row (the result is then a row too) and ``"column"`` otherwise.
    """

    keys: FloatArray
    blank: BoolArray
    errors: ObjectArray | None
    orientation: str

    @property
    def n(self) -> int:
        return int(self.keys.shape[0])

    @property
    def width(self) -> int:
        return int(self.keys.shape[1])


def _read_cells(
    block: npt.NDArray[Any], name: str
) -> tuple[FloatArray, BoolArray, ObjectArray | None]:
    """Numbers, blank mask and per-cell errors (``None`` if there are none) of a 2-D block.

    Vectorised for numbers and blanks; only text, booleans and errors are read
    one by one.
    """
    shape = block.shape
    if block.dtype.kind in "iuf":
        vals = block.astype(np.float64)
        blank = np.zeros(shape, dtype=bool)
        bad = ~np.isfinite(vals)
        if not bad.any():
            return vals, blank, None
        errors = np.full(shape, None, dtype=object)
        errors[bad] = NUM.with_message(f"参数 {name} 不是有限数 / {name} is not a finite number")
        vals[bad] = 0.0
        return vals, blank, errors
    flat = block.astype(object).ravel()
    vals_flat = np.zeros(flat.size, dtype=np.float64)
    blank_flat = np.zeros(flat.size, dtype=bool)
    err_flat = np.full(flat.size, None, dtype=object)
    any_error = False
    kinds = _cell_kinds(flat)
    number, none = kinds == _NUMBER, kinds == _NONE
    if number.any():
        vals_flat[number] = floats(flat[number])
        bad = number & ~np.isfinite(vals_flat)
        if bad.any():
            err_flat[bad] = NUM.with_message(
                f"参数 {name} 不是有限数 / {name} is not a finite number"
            )
            vals_flat[bad] = 0.0
            any_error = True
    blank_flat[none] = True
    for i in np.flatnonzero(~number & ~none):  # text, booleans, errors: the rare cells
        cell = flat[i]
        if is_blank(cell):
            blank_flat[i] = True
            continue
        v = number_or_error(cell, name)
        if isinstance(v, ExcelError):
            err_flat[i], any_error = v, True
        else:
            vals_flat[i] = v
    errors_out = err_flat.reshape(shape) if any_error else None
    return vals_flat.reshape(shape), blank_flat.reshape(shape), errors_out


def _read_values(values: object) -> _Keys:
    """Read ``values``: a single row or column is a list of people, a block is people × keys."""
    block = as_block(values, "values")
    rows, cols = block.shape
    orientation = "row" if rows == 1 and cols > 1 else "column"
    if orientation == "row":
        block = block.reshape(cols, 1)
    vals, blank, cell_errors = _read_cells(block, "values")
    errors: ObjectArray | None = None
    if cell_errors is not None:
        has_error = error_mask(cell_errors)
        errors = np.full(vals.shape[0], None, dtype=object)
        for i in np.flatnonzero(has_error.any(axis=1)):
            j = int(np.flatnonzero(has_error[i])[0])
            err = cell_errors[i, j]
            if err == VALUE and not isinstance(block[i, j], ExcelError):
                zh, en = _label(int(i), orientation)
                where_zh = zh if vals.shape[1] == 1 else f"{zh}第 {j + 1} 个键"
                where_en = en if vals.shape[1] == 1 else f"{en}, key {j + 1}"
                err = VALUE.with_message(
                    f"参数 values {where_zh}不是数值（“{block[i, j]}”），不参与排名 / "
                    f"values {where_en} is not a number ({block[i, j]!r}); it takes no place"
                )
            errors[i] = err
    keys = round_sig(vals, COMPARE_DIGITS)
    keys[blank] = 0.0
    return _Keys(keys, blank, errors, orientation)


def _as_line(value: object, n: int, name: str) -> npt.NDArray[Any]:
    """A per-person argument (``groups``, ``eligible``) as a 1-D array of ``n`` cells.

    It must be a single row or column with one cell per person.
    """
    block = as_block(value, name)
    rows, cols = block.shape
    if block.size != n or (rows != 1 and cols != 1):
        raise fail(
            "#VALUE!",
            f"参数 {name} 应为与 values 人数相同（{n}）的一行或一列，收到 {rows}×{cols} / "
            f"{name} must be one row or column of {n} cells (one per person), got {rows}×{cols}",
        )
    return block.reshape(-1)


def _read_eligible(eligible: object, n: int) -> tuple[BoolArray, ObjectArray | None]:
    """Who takes part: all when omitted; flags and their per-person errors otherwise."""
    if is_omitted(eligible):
        return np.ones(n, dtype=bool), None
    line = _as_line(eligible, n, "eligible")
    if line.dtype.kind in "biuf":
        nums = line.astype(np.float64)
        bad = ~np.isfinite(nums)  # NaN or infinity: no cell holds one
        flags = (nums != 0) & ~bad
        if not bad.any():
            return flags, None
        nan_errors = np.full(n, None, dtype=object)
        nan_errors[bad] = NUM.with_message(
            "参数 eligible 不是有限数 / eligible is not a finite number"
        )
        return flags, nan_errors
    flat = line.astype(object)
    kinds = _cell_kinds(flat)
    number, flag = kinds == _NUMBER, kinds == _BOOL
    flags = np.zeros(n, dtype=bool)
    errors: ObjectArray | None = None
    if number.any():
        nums = floats(flat[number])
        bad = ~np.isfinite(nums)
        flags[number] = (nums != 0) & ~bad
        if bad.any():
            errors = np.full(n, None, dtype=object)
            errors[np.flatnonzero(number)[bad]] = NUM.with_message(
                "参数 eligible 不是有限数 / eligible is not a finite number"
            )
    flags[flag] = flat[flag].astype(bool)
    rest = np.flatnonzero((kinds == _TEXT) | (kinds == _OTHER))  # text and errors: by the rules
    if rest.size:
        rest_flags, rest_errors = to_flags(flat[rest].reshape(1, -1), "eligible")
        flags[rest] = rest_flags.reshape(-1)
        if rest_errors is not None:
            if errors is None:
                errors = np.full(n, None, dtype=object)
            errors[rest] = rest_errors.reshape(-1)
    return flags, errors


def read_groups(groups: object, n: int) -> tuple[IntArray, ObjectArray | None]:
    """Group labels as integer codes; blank labels form one group of their own.

    Numbers and text are different labels (``1`` is not ``"1"``, as in Excel's
    ``=``); text is compared case-insensitively. An error label is that row's
    result.
    """
    line = _as_line(groups, n, "groups")
    codes = np.zeros(n, dtype=np.int64)
    errors: ObjectArray | None = None
    if line.dtype.kind in "biuf":
        nums = line.astype(np.float64)
        bad = ~np.isfinite(nums)
        if bad.any():
            errors = np.full(n, None, dtype=object)
            errors[bad] = NUM.with_message("参数 groups 不是有限数 / groups is not a finite number")
            nums[bad] = 0.0
        _, inverse = np.unique(nums, return_inverse=True)
        return inverse.astype(np.int64).reshape(-1), errors
    flat = line.astype(object)
    kinds = _cell_kinds(flat)
    number, none, text = kinds == _NUMBER, kinds == _NONE, kinds == _TEXT
    empty = np.zeros(n, dtype=bool)
    empty[text] = np.char.str_len(flat[text].astype(str)) == 0
    text &= ~empty
    blank = none | empty
    other = ~number & ~text & ~blank  # booleans and errors
    offset = 0
    if number.any():
        nums = floats(flat[number])
        bad = ~np.isfinite(nums)
        if bad.any():
            errors = np.full(n, None, dtype=object)
            errors[np.flatnonzero(number)[bad]] = NUM.with_message(
                "参数 groups 不是有限数 / groups is not a finite number"
            )
            nums[bad] = 0.0
        _, inv = np.unique(nums, return_inverse=True)
        codes[number] = inv.reshape(-1)
        offset = int(inv.max()) + 1
    if text.any():
        lowered = np.char.lower(flat[text].astype(str))
        _, inv = np.unique(lowered, return_inverse=True)
        codes[text] = inv.reshape(-1) + offset
        offset += int(inv.max()) + 1
    codes[blank] = offset
    offset += 1
    if other.any():  # booleans and errors: rare, one by one
        seen: dict[bool, int] = {}
        for i in np.flatnonzero(other):
            cell = flat[i]
            if isinstance(cell, bool | np.bool_):
                codes[i] = seen.setdefault(bool(cell), offset + len(seen))
                continue
            if errors is None:
                errors = np.full(n, None, dtype=object)
            errors[i] = (
                cell
                if isinstance(cell, ExcelError)
                else VALUE.with_message(
                    f"参数 groups 第 {i + 1} 个值无法识别 / groups item {i + 1}: unsupported value"
                )
            )
    return codes, errors


def _read_order(order: object, width: int) -> BoolArray:
    """Per key column, ``True`` where smallest comes first.

    Like RANK.EQ: 0, FALSE or blank is largest first, any other number (or
    TRUE) smallest first.
    One value applies to every key; otherwise one value per key column.
    """
    if is_omitted(order):
        return np.zeros(width, dtype=bool)
    block = as_block(order, "order")
    if block.size == 1:
        cells = [block.reshape(-1)[0]] * width
    elif block.size == width and 1 in block.shape:
        cells = list(block.reshape(-1))
    else:
        raise fail(
            "#VALUE!",
            f"参数 order 应为一个值或每个排序列一个值（{width} 个） / "
            f"order must be one value or one per key column ({width})",
        )
    ascending = np.zeros(width, dtype=bool)
    for j, cell in enumerate(cells):
        if is_blank(cell):
            continue
        if isinstance(cell, bool | np.bool_):  # RANK.EQ takes TRUE as 1
            ascending[j] = bool(cell)
            continue
        v = number_or_error(cell, "order")
        if isinstance(v, ExcelError):
            raise fail(
                v,
                ""
                if not isinstance(cell, str) or cell.startswith("#")
                else f"参数 order 应为 0（从大到小）或 1（从小到大），收到“{cell}” / "
                f"order must be 0 (largest first) or 1 (smallest first), got {cell!r}",
            )
        ascending[j] = v != 0
    return ascending


@dataclass(frozen=True)
class _Field:
    """Everything both functions know about the people before ranking them.

    ``part`` marks participants; ``errors`` holds per person the error that is
    their result (or ``None``); ``group`` holds group codes (all 0 without groups).
    """

    keys: _Keys
    ascending: BoolArray
    part: BoolArray
    errors: ObjectArray | None
    group: IntArray


def _field(values: object, order: object, groups: object, eligible: object) -> _Field:
    keys = _read_values(values)
    n = keys.n
    ascending = _read_order(order, keys.width)
    flags, eligible_errors = _read_eligible(eligible, n)
    if is_omitted(groups):
        group = np.zeros(n, dtype=np.int64)
        group_errors = None
    else:
        group, group_errors = read_groups(groups, n)
    # Which error (if any) is a person's result: eligible's first, then values', then groups'.
    errors: ObjectArray | None = None
    if eligible_errors is not None or keys.errors is not None or group_errors is not None:
        errors = np.full(n, None, dtype=object)
        if group_errors is not None:
            errors = np.where(error_mask(group_errors), group_errors, errors)
        if keys.errors is not None:
            errors = np.where(error_mask(keys.errors), keys.errors, errors)
        errors[~flags] = None  # who takes no part gets an empty result, whatever they hold
        if eligible_errors is not None:
            errors = np.where(error_mask(eligible_errors), eligible_errors, errors)
    part = flags & ~keys.blank[:, 0]
    if errors is not None:
        part &= ~error_mask(errors)
    return _Field(keys, ascending, part, errors, group)


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class _Places:
    """Participants in ranked order and where tie blocks and groups start.

    ``people`` are row indices in ranked order; for each of them ``block_start``
    and ``group_start`` are the positions (in that order) where their tie block
    and their group begin, and ``new_block`` is true at each block's first person.
    """

    people: IntArray
    new_block: BoolArray
    block_start: IntArray
    group_start: IntArray


def _places(f: _Field) -> _Places:
    """Sort the participants once (stable, so ties keep their row order) and mark blocks."""
    people = np.flatnonzero(f.part)
    p = people.size
    keys = f.keys.keys[people]
    blank = f.keys.blank[people]
    group = f.group[people]
    sort_keys: list[npt.NDArray[Any]] = []  # least significant first, for np.lexsort
    for j in range(f.keys.width - 1, -1, -1):
        col = keys[:, j] if f.ascending[j] else -keys[:, j]
        sort_keys.append(col)
        if j > 0 and blank[:, j].any():
            sort_keys.append(blank[:, j])  # blanks after numbers, whichever the order
    has_groups = bool(p) and bool(np.any(group != group[0]))
    if has_groups:
        sort_keys.append(group)
    if len(sort_keys) == 1:
        order = np.argsort(sort_keys[0], kind="stable")
    else:
        order = np.lexsort(sort_keys)
    people = people[order]
    keys, blank, group = keys[order], blank[order], group[order]
    pos = np.arange(p, dtype=np.int64)
    if p == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Places(people, np.zeros(0, dtype=bool), empty, empty)
    new_group = np.empty(p, dtype=bool)
    new_group[0] = True
    new_group[1:] = group[1:] != group[:-1] if has_groups else False
    new_block = new_group.copy()
    new_block[1:] |= np.any(keys[1:] != keys[:-1], axis=1)
    if f.keys.width > 1:
        new_block[1:] |= np.any(blank[1:] != blank[:-1], axis=1)
    block_start = np.maximum.accumulate(np.where(new_block, pos, 0))
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    return _Places(people, new_block, block_start, group_start)


def _block_sizes(pl: _Places) -> IntArray:
    """For each ranked person, how many people share their tie block."""
    block_id = np.cumsum(pl.new_block) - 1
    return np.bincount(block_id)[block_id].astype(np.int64)


def _rank_numbers(pl: _Places, method: str) -> FloatArray:
    """The rank of each person in ranked order, by ``method``."""
    pos = np.arange(pl.people.size, dtype=np.int64)
    if method == "ordinal":
        return (pos - pl.group_start + 1).astype(np.float64)
    if method == "dense":
        count = np.cumsum(pl.new_block, dtype=np.int64)
        return np.asarray(count - count[pl.group_start] + 1, dtype=np.float64)
    competition = (pl.block_start - pl.group_start + 1).astype(np.float64)
    if method == "average":
        return competition + (_block_sizes(pl) - 1) / 2.0
    return competition


@dataclass(frozen=True)
class Standing:
    """Where one person stands, for explanations (:mod:`udfs.explain`).

    ``place`` is the best place of their tie block within their group (1-based,
    competition ranking: RANKX's ``"并列"``) and ``tied`` the people in that
    block; both ``None`` when the person takes no place, ``error`` then holding
    their error value if that is why. ``participants`` counts their group's
    ranked people (everyone ranked when they take no place).
    """

    place: int | None
    tied: int | None
    participants: int
    error: object = None


def standing(values: object, order: object, groups: object, eligible: object, index: int) -> Standing:
    """The place, tie block and field of person ``index`` (0-based), ranked as
    :func:`rankx` and :func:`rank_prize` rank them (``#VALUE!`` arguments raise
    the same :class:`~udfs.errors.ExcelErrorRaised` those functions report)."""
    f = _field(values, order, groups, eligible)
    pl = _places(f)
    at = np.flatnonzero(pl.people == index)
    if at.size == 0:
        error = f.errors[index] if f.errors is not None else None
        return Standing(None, None, int(pl.people.size), error)
    pos = int(at[0])
    in_group = int(np.count_nonzero(pl.group_start == pl.group_start[pos]))
    place = int(pl.block_start[pos] - pl.group_start[pos]) + 1
    return Standing(place, int(_block_sizes(pl)[pos]), in_group)


def _result(
    n: int,
    people: IntArray,
    numbers: FloatArray,
    errors: ObjectArray | None,
    orientation: str,
) -> Any:
    """Scatter per-person numbers back into input order; ``None`` where no number.

    Float array when everyone has a number, object array (numbers, ``None`` and
    errors) otherwise; oriented like the input and spilled.
    """
    out = np.zeros(n, dtype=np.float64)
    out[people] = numbers
    filled = np.zeros(n, dtype=bool)
    filled[people] = True
    has_error = errors is not None and bool(error_mask(errors).any())
    if not filled.all() or has_error:
        obj = out.astype(object)
        obj[~filled] = None
        if errors is not None:
            mask = error_mask(errors)
            obj[mask] = errors[mask]
        result: npt.NDArray[Any] = obj
    else:
        result = out
    shape = (1, n) if orientation == "row" else (n, 1)
    return spill(result.reshape(shape))


@excel_function
def rankx(
    values: object,
    order: object = None,
    method: object = None,
    groups: object = None,
    eligible: object = None,
) -> Any:
    """Rank per person, with a choice of tie rule, groups and eligibility (RANKX).

    Parameters
    ----------
    values : column, row or block
        A single column or row is a list of people (a 1-D list is a row). A block
        of two or more rows and columns has one row per person and one column per
        key; later columns break ties among people equal on earlier ones.
    order : number or row, optional
        0 or blank: largest first (the default, like RANK.EQ); any other number:
        smallest first. A row (or column) gives each key column its own order,
        e.g. ``{0,1}``: more first, then earlier date first.
    method : str, optional
        How tied people are ranked (see Keywords). Default ``"并列"``.
    groups : column or row, optional
        One label per person (text or number); people are ranked within their
        group. Blank labels form one group of their own; text labels are
        compared case-insensitively; ``1`` and ``"1"`` are different labels.
    eligible : column or row, optional
        One flag per person: TRUE/1/是 take part; FALSE/0/否/blank take no place
        and get an empty result. Default: everyone takes part.

    Returns
    -------
    number or 2-D array
        One rank per person, oriented like ``values`` (a row in gives a row out,
        a column or block gives a column). ``None`` (an empty cell) for people
        who take no place: not eligible, or blank in the first key column.
        ``#VALUE!`` for a row whose values hold text; an error passed in, in
        ``values``, ``groups`` or ``eligible``, is that row's result. Bad
        arguments as a whole (unknown method, ``groups``/``eligible`` of another
        length, an empty range) give ``#VALUE!`` with a message.

    Keywords
    --------
    method
        ``"并列"``/``"competition"`` (1,2,2,4, like RANK.EQ),
        ``"中国式"``/``"dense"`` (1,2,2,3), ``"平均"``/``"average"`` (1,2.5,2.5,4,
        like RANK.AVG), ``"顺序"``/``"ordinal"`` (1,2,3,4: ties by position,
        the earlier row first).

    Excel compatibility
    -------------------
    ``"competition"`` is ``RANK.EQ(x, values, order)`` and ``"average"`` is
    ``_xlfn.RANK.AVG``; ``"dense"`` matches the usual
    ``SUMPRODUCT((values>x)/COUNTIF(values,values))+1`` construction. Unlike
    RANK.EQ, values are compared at 12 significant digits (``0.1+0.2`` ties
    with ``0.3``), text in ``values`` is ``#VALUE!`` for that row instead of
    being ignored, and several key columns, groups and eligibility are built in
    (in Excel: COUNTIFS constructions). A blank in a tie-break column sorts
    after every number in that column.

    Examples
    --------
    >>> rankx([90, 80, 80, 70]).tolist()
    [[1.0, 2.0, 2.0, 4.0]]
    >>> rankx([90, 80, 80, 70], 0, "中国式").tolist()
    [[1.0, 2.0, 2.0, 3.0]]
    >>> rankx([90, 80, 80, 70], None, "average").tolist()
    [[1.0, 2.5, 2.5, 4.0]]
    >>> rankx([[90], [80], [85]], groups=[["A"], ["B"], ["A"]]).ravel().tolist()
    [1.0, 1.0, 2.0]
    >>> rankx([[1, 45100], [1, 45090], [0, None]], [0, 1]).ravel().tolist()
    [2.0, 1.0, 3.0]
    >>> rankx([90, None, 70, 60], eligible=[1, 1, 0, 1]).tolist()
    [[1.0, None, None, 2.0]]
    """
    how = METHOD.parse(method, "method")
    f = _field(values, order, groups, eligible)
    pl = _places(f)
    return _result(f.keys.n, pl.people, _rank_numbers(pl, how), f.errors, f.keys.orientation)


# --------------------------------------------------------------------------- prizes


@dataclass(frozen=True)
class PrizeTable:
    """A checked prize table: non-overlapping rank ranges sorted by their start.

    ``first``/``last`` are the places a row covers (inclusive), ``cents`` the
    amount per person in fen.
    """

    first: IntArray
    last: IntArray
    cents: IntArray

    @classmethod
    def parse(cls, prizes: object) -> PrizeTable:
        """Check ``prizes``: rows of (from rank, to rank, amount per person).

        Fully blank rows are skipped. A blank, text or non-integer rank, a rank
        below 1, ``from > to``, a blank or text amount, or two rows whose ranks
        overlap is ``#VALUE!`` naming the row; an error cell is passed through.
        Rows may come in any order. Amounts are rounded to the fen (half up).
        """
        block = as_block(prizes, "prizes")
        if block.shape[1] != 3:
            raise fail(
                "#VALUE!",
                f"参数 prizes 应为 3 列（起始名次、截止名次、每人金额），收到 {block.shape[1]} 列 / "
                f"prizes needs 3 columns (from rank, to rank, amount per person), "
                f"got {block.shape[1]}",
            )
        starts: list[float] = []
        ends: list[float] = []
        amounts: list[float] = []
        rows: list[int] = []
        names = (("起始名次", "from rank"), ("截止名次", "to rank"), ("金额", "amount"))
        for i in range(block.shape[0]):
            if all(is_blank(c) for c in block[i]):
                continue
            cells: list[float] = []
            for j, (zh, en) in enumerate(names):
                cell = block[i, j]
                if is_blank(cell):
                    raise fail(
                        "#VALUE!",
                        f"参数 prizes 第 {i + 1} 行的{zh}为空 / prizes row {i + 1}: {en} is blank",
                    )
                v = number_or_error(cell, "prizes")
                if isinstance(v, ExcelError):
                    if isinstance(cell, ExcelError):
                        raise fail(v)
                    if v.code != "#VALUE!":
                        raise fail(v, f"参数 prizes 第 {i + 1} 行的{zh}：{v.message}")
                    raise fail(
                        "#VALUE!",
                        f"参数 prizes 第 {i + 1} 行的{zh}不是数值（{cell!r}） / "
                        f"prizes row {i + 1}: {en} is not a number ({cell!r})",
                    )
                cells.append(v)
            lo, hi, amount = cells
            for v, (zh, en) in ((lo, names[0]), (hi, names[1])):
                if v < 1 or v != np.floor(v):
                    raise fail(
                        "#VALUE!",
                        f"参数 prizes 第 {i + 1} 行的{zh}应为不小于 1 的整数，收到 {v:g} / "
                        f"prizes row {i + 1}: {en} must be a whole number ≥ 1, got {v:g}",
                    )
            if lo > hi:
                raise fail(
                    "#VALUE!",
                    f"参数 prizes 第 {i + 1} 行的起始名次 {lo:g} 大于截止名次 {hi:g} / "
                    f"prizes row {i + 1}: from rank {lo:g} is after to rank {hi:g}",
                )
            if abs(amount) > MAX_AMOUNT:
                raise fail(
                    "#NUM!",
                    f"参数 prizes 第 {i + 1} 行的金额过大 / prizes row {i + 1}: amount too large",
                )
            starts.append(lo)
            ends.append(hi)
            amounts.append(amount)
            rows.append(i + 1)
        if not rows:
            raise fail("#VALUE!", "参数 prizes 为空 / prizes is empty")
        lo_arr = np.array(starts)
        hi_arr = np.array(ends)
        order = np.argsort(lo_arr, kind="stable")
        lo_arr, hi_arr = lo_arr[order], hi_arr[order]
        row_no = [rows[k] for k in order]
        clash = np.flatnonzero(lo_arr[1:] <= hi_arr[:-1])
        if clash.size:
            k = int(clash[0])
            a, b = sorted((row_no[k], row_no[k + 1]))
            raise fail(
                "#VALUE!",
                f"参数 prizes 第 {a} 行与第 {b} 行的名次范围重叠 / "
                f"prizes rows {a} and {b}: their rank ranges overlap",
            )
        cents = np.rint(round_decimal(np.array(amounts)[order], 2) * 100).astype(np.int64)
        big = float(2**62)
        return cls(
            np.minimum(lo_arr, big).astype(np.int64),
            np.minimum(hi_arr, big).astype(np.int64),
            cents,
        )

    def cumulative(self, place: IntArray) -> IntArray:
        """Fen paid to places 1 … ``place`` together (one person per place)."""
        count = np.maximum(np.minimum(self.last, place.max(initial=0)) - self.first + 1, 0)
        before = np.concatenate(([0], np.cumsum(count * self.cents)))
        row = np.searchsorted(self.first, place, side="right") - 1
        inside = row >= 0
        r = np.where(inside, row, 0)
        partial = (np.minimum(place, self.last[r]) - self.first[r] + 1) * self.cents[r]
        return np.where(inside, before[r] + partial, 0).astype(np.int64)

    def at(self, place: IntArray) -> IntArray:
        """Fen paid to one person at ``place``."""
        row = np.searchsorted(self.first, place, side="right") - 1
        r = np.where(row >= 0, row, 0)
        hit = (row >= 0) & (place <= self.last[r])
        return np.where(hit, self.cents[r], 0).astype(np.int64)


@excel_function
def rank_prize(
    values: object,
    prizes: object,
    eligible: object = None,
    order: object = None,
    ties: object = None,
) -> Any:
    """Prize per person by rank, from a table of places and amounts (RANK_PRIZE).

    People are ranked as ``RANKX(values, order, "并列", , eligible)`` does; the
    person at place *k* gets the amount of the ``prizes`` row covering *k*.

    Parameters
    ----------
    values : column, row or block
        As in :func:`rankx`: a list of people, or a block of people × keys.
    prizes : block of 3 columns
        Rows of (from rank, to rank, amount per person), e.g.
        ``{1,1,5000;2,2,4000;3,3,3000;4,15,2000;16,35,1000}``. Ranks are whole
        numbers ≥ 1 with from ≤ to; rows may come in any order but must not
        overlap; fully blank rows are skipped. Amounts are rounded to the fen;
        negative amounts are penalties (末位处罚: use ``order`` 1 so the lowest
        values take places 1, 2 …).
    eligible : column or row, optional
        As in :func:`rankx`: who takes part.
    order : number or row, optional
        As in :func:`rankx`: 0 largest first (default), 1 smallest first, or one
        value per key column.
    ties : str, optional
        How people tied on a place are paid (see Keywords). Default ``"均分"``.

    Returns
    -------
    number or 2-D array
        One amount per person, to the fen, oriented like ``values``. People who
        take part but whose place has no prize get 0; people who take no part
        (not eligible, blank value) get an empty result (``None``); errors per
        row as in :func:`rankx`. A malformed prize table or an unknown ``ties``
        is ``#VALUE!`` with a message naming the row.

    Keywords
    --------
    ties
        ``"均分"``/``"share"``: the *m* people tied on places *k* … *k+m−1* pool
        those places' amounts and split the pool equally to the fen by largest
        remainder (the spare fen go to the earlier rows), so the total paid is
        exactly the table's amounts for the places occupied and never more.
        ``"同奖"``/``"each"``: everyone tied gets the amount of place *k*, the
        best place they share (the total can then exceed the table).

    Excel compatibility
    -------------------
    No single Excel function; it replaces a ``RANK.EQ`` column plus a lookup
    into the prize table (``"each"``) or a ``SUMIFS`` of the places a tie
    block spans divided by ``COUNTIF`` (``"share"``, which Excel cannot split
    to the fen without helper columns). Ranking follows :func:`rankx` (12
    significant digits, blanks take no place).

    Examples
    --------
    >>> table = [[1, 1, 300], [2, 2, 200], [3, 3, 100]]
    >>> rank_prize([90, 80, 80, 70], table).tolist()
    [[300.0, 150.0, 150.0, 0.0]]
    >>> rank_prize([90, 80, 80, 70], table, ties="同奖").tolist()
    [[300.0, 200.0, 200.0, 0.0]]
    >>> rank_prize([90, 80, 80, 80], table).tolist()
    [[300.0, 100.0, 100.0, 100.0]]
    >>> rank_prize([50, 40, 60], [[1, 1, -200]], order=1).tolist()
    [[0.0, -200.0, 0.0]]
    """
    how = TIES.parse(ties, "ties")
    table = PrizeTable.parse(prizes)
    f = _field(values, order, None, eligible)
    pl = _places(f)
    place = (pl.block_start + 1).astype(np.int64)
    if how == "each":
        cents = table.at(place)
    else:
        size = _block_sizes(pl)
        pool = table.cumulative(place + size - 1) - table.cumulative(place - 1)
        base, spare = np.divmod(np.abs(pool), size)
        nth = np.arange(place.size, dtype=np.int64) - pl.block_start
        cents = np.sign(pool) * (base + (nth < spare))
    amounts = cents.astype(np.float64) / 100.0
    return _result(f.keys.n, pl.people, amounts, f.errors, f.keys.orientation)
