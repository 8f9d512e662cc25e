"""Scoring: weighted scores, deductions, runs of months and forced distributions.

The functions staff use to turn monthly marks into a score and a grade:

* ``WSCORE`` — Σ min(score, cap) × weight per person (weighted average or capped sum);
* ``DEDUCT`` — 扣分制: full marks less points per count, never below a floor;
* ``STREAK`` — the length of a run of months meeting a COUNTIF-style criterion
  ("连续三个月考核分低于70分"), or of equal neighbours (the same 小组长 three months running);
* ``FORCED_DIST`` — 强制比例分布: labels handed out by rank in fixed shares.

All are lifted: a block with one row per person gives one result per person,
and an error in one person's row is that person's result only.

>>> wscore([[85, 92], [70, 80]], [0.7, 0.3]).tolist()
[[87.1], [73.0]]
>>> streak([[75, 68, 69, 65, 80], [60, 65, 90, 50, None]], "<70").tolist()
[[3], [2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.errors import ExcelError, excel_function, fail, parse_error
from udfs.inputs import (
    Numbers,
    as_block,
    finish,
    floats,
    is_blank,
    is_omitted,
    number_or_error,
    spill,
    to_numbers,
)
from udfs.keywords import WHICH
from udfs.money import (
    _explain_cells,
    _explained,
    _first_error_raised,
    _guarded,
    apportion,
    exact_integers,
)
from udfs.ranking import read_groups
from udfs.rounding import round_sig
from udfs.wildcards import wildcard_matcher

__all__ = ["deduct", "forced_dist", "streak", "wscore"]

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

#: Significant digits kept when comparing numbers with criteria and neighbours.
COMPARE_DIGITS = 12


# ---------------------------------------------------------------- helpers


def _parameter_row(value: object, width: int, name: str, *, allow_single: bool = False) -> Numbers:
    """A per-column parameter (weights, caps, points) as one row of ``width``.

    Accepts a row or a column of exactly ``width`` cells (a parameter list may
    stand vertically on a settings sheet); with ``allow_single`` one number is
    used for every column. Anything else is ``#VALUE!``.
    """
    nums = to_numbers(value, name)
    rows, cols = nums.shape
    if nums.values.size == 1 and (allow_single or width == 1):
        vals = np.full((1, width), nums.values[0, 0])
        errs = None if nums.errors is None else np.full((1, width), nums.errors[0, 0], dtype=object)
        return Numbers(vals, errs)
    if (rows == 1 or cols == 1) and nums.values.size == width:
        vals = nums.values.reshape(1, width)
        errs = None if nums.errors is None else nums.errors.reshape(1, width)
        return Numbers(vals, errs)
    got = f"{rows}×{cols}"
    raise fail(
        "#VALUE!",
        f"参数 {name} 应为 {width} 个单元格的一行（与数据同宽），收到 {got} / "
        f"{name} must be one row of {width} cells (the data's width), got {got}",
    )


def _blank_mask(block: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """True where a cell is blank (``None`` or ``""``)."""
    if block.dtype.kind in "iufb":
        return np.zeros(block.shape, dtype=bool)
    return np.frompyfunc(is_blank, 1, 1)(block).astype(bool)


def _column(value: object, name: str, rows: int | None = None) -> Numbers:
    """A lifted numeric argument that is one number or one per row (a column).

    A 1-D sequence counts as a column here (one value per person).
    """
    if (
        isinstance(value, list | tuple)
        and value
        and not any(isinstance(v, list | tuple) for v in value)
    ):
        value = [[v] for v in value]
    elif isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.reshape(-1, 1)
    nums = to_numbers(value, name)
    if nums.shape[1] != 1:
        raise fail(
            "#VALUE!",
            f"参数 {name} 应为单个值或一列（每人一行），收到 {nums.shape[0]}×{nums.shape[1]} / "
            f"{name} must be one value or one column, got {nums.shape[0]}×{nums.shape[1]}",
        )
    return nums


def _first_errors(rows: int, *sources: ObjectArray | None) -> ObjectArray | None:
    """Per row, the first error among per-row error columns (earlier sources first).

    Each source has one entry per row, or a single entry used for every row.
    """
    out: ObjectArray | None = None
    for src in sources:
        if src is None:
            continue
        col = src.reshape(-1)
        if col.size == 1:
            col = np.full(rows, col[0], dtype=object)
        if out is None:
            out = np.full(rows, None, dtype=object)
        fill = np.array([e is not None for e in col]) & np.array([e is None for e in out])
        out[fill] = col[fill]
    return out


def _row_count(name_rows: dict[str, int]) -> int:
    """The number of people: each lifted argument has 1 row or the same n rows."""
    n = max(name_rows.values())
    for name, r in name_rows.items():
        if r not in (1, n):
            detail = "、".join(f"{k} {v} 行" for k, v in name_rows.items())
            detail_en = ", ".join(f"{k} {v} rows" for k, v in name_rows.items())
            raise fail(
                "#VALUE!",
                f"参数 {name} 的行数与其他参数不符（{detail}） / "
                f"{name} has a different number of rows ({detail_en})",
            )
    return n


# ---------------------------------------------------------------- WSCORE


@excel_function
def wscore(scores: object, weights: object, caps: object = None) -> Any:
    """Weighted score per person: Σ min(scoreᵢ, capᵢ) × weightᵢ.

    ``WSCORE(scores, weights, [caps])``. With weights such as 70% and 30% it is
    a weighted average ("日常工作考核得分×权重70% + 出勤×权重30%"); with weights
    of 1 and caps it is a capped sum of a score sheet (each item worth at most
    its points).

    Parameters
    ----------
    scores : range
        One row per person, one column per item; a single row gives one score.
        Blanks are 0; numeric text is read as its number.
    weights : range
        One weight per column: a row (or a column) as many cells wide as
        ``scores``. Used as given, not normalised.
    caps : range, optional
        The most each item may contribute before weighting, same width; a blank
        cap means no cap.

    Returns
    -------
    number or range
        One weighted score per row (a column that spills). Scores are not money:
        the result is not rounded to the fen, only cleaned of binary noise
        (15 significant digits, as Excel shows it).

    Keywords
    --------
    None.

    Errors
    ------
    Text or an error in a person's scores makes that person's result
    ``#VALUE!`` (or that error); other people are unaffected. Weights or caps of
    the wrong width, or with text or errors, make the whole result an error.

    Excel compatibility
    -------------------
    Per row this is ``SUMPRODUCT(scores, weights)`` (with caps,
    ``SUMPRODUCT((scores>caps)*caps + (scores<=caps)*scores, weights)``), but
    lifted over all rows in one formula, and a text cell is an error rather
    than silently 0.

    Examples
    --------
    >>> wscore([85, 92], [0.7, 0.3])
    87.1
    >>> wscore([35, 20], [1, 1], [30, 20])
    50.0
    >>> wscore([[35, 20, 9], [25, 22, 10]], [1, 1, 1], [30, 20, None]).tolist()
    [[59.0], [55.0]]
    >>> str(wscore([85, 92], [0.7, 0.2, 0.1]))
    '#VALUE!'
    """
    s = to_numbers(scores, "scores")
    width = s.shape[1]
    w = _parameter_row(weights, width, "weights")
    _first_error_raised(w, "weights")
    vals = s.values
    if not is_omitted(caps):
        cap_block = as_block(caps, "caps")
        blank = _blank_mask(cap_block)
        c = _parameter_row(cap_block, width, "caps")
        _first_error_raised(c, "caps")
        limit = np.where(blank.reshape(1, width), np.inf, c.values)
        vals = np.minimum(vals, limit)
    total = (vals * w.values).sum(axis=1, keepdims=True)
    errors = _explain_cells(s.row_errors(), "scores")
    return spill(finish(total, None if errors is None else errors.reshape(-1, 1)))


# ---------------------------------------------------------------- DEDUCT


@excel_function
def deduct(full: object, counts: object, points: object, floor: object = None) -> Any:
    """Deduction scoring (扣分制): full − Σ countᵢ × pointsᵢ, never below ``floor``.

    ``DEDUCT(full, counts, points, [floor])``: "满勤100分，缺勤1天扣4分",
    "每项扣5分，扣完为止".

    Parameters
    ----------
    full : number or column
        Full marks: one number for everybody, or one per person (a column; from
        Python a 1-D list is read as that column).
    counts : range
        How many times each item happened: one row per person, one column per
        item (a single row for one person). Blanks are 0; fractions are allowed
        (half days). A negative count is ``#VALUE!`` for that person.
    points : number or range
        Points off per count: one number for every item, or a row (or column)
        as wide as ``counts``. Must not be negative.
    floor : number or column, optional
        The lowest result (default 0: "扣完为止"), for everybody or per person.
        The result is ``max(full − Σ, floor)`` even if ``floor`` exceeds ``full``.

    Returns
    -------
    number or range
        One score per person (a column that spills), not rounded to the fen
        (scores are not money), cleaned of binary noise.

    Keywords
    --------
    None.

    Errors
    ------
    Text, a negative count or an error in a person's ``full``, ``counts`` or
    ``floor`` makes that person's result an error. Negative or non-numeric
    ``points``, or ``points`` of the wrong width, is ``#VALUE!`` for the whole
    result. ``full``/``floor`` columns must have one row or as many rows as
    ``counts`` (``counts`` of one row is used for every person of ``full``).

    Excel compatibility
    -------------------
    Per row this is ``MAX(floor, full - SUMPRODUCT(counts, points))``, lifted
    over all rows in one formula.

    Examples
    --------
    >>> deduct(100, 2, 4)
    92.0
    >>> deduct(30, [1, 1, 0, 0, 0, 0], 5)
    20.0
    >>> deduct(10, 7, 2)
    0.0
    >>> deduct(100, [[1, 0], [0, 3], [30, 1]], [4, 2], 40).tolist()
    [[96.0], [94.0], [40.0]]
    >>> str(deduct(100, -1, 4))
    '#VALUE!'
    """
    f = _column(full, "full")
    c = to_numbers(counts, "counts")
    width = c.shape[1]
    p = _parameter_row(points, width, "points", allow_single=True)
    _first_error_raised(p, "points")
    if (p.values < 0).any():
        raise fail(
            "#VALUE!",
            "参数 points 不能为负数（加分请另行相加） / points must not be negative "
            "(add bonus points separately)",
        )
    lo = None if is_omitted(floor) else _column(floor, "floor")
    rows = {"full": f.shape[0], "counts": c.shape[0]}
    if lo is not None:
        rows["floor"] = lo.shape[0]
    n = _row_count(rows)

    cvals = c.values
    negative = np.full(c.shape[0], None, dtype=object)
    bad_rows = np.flatnonzero((cvals < 0).any(axis=1))
    for i in bad_rows:
        negative[i] = ExcelError(
            "#VALUE!",
            f"参数 counts 第 {i + 1} 行有负数次数 / counts row {i + 1}: a count is negative",
        )
    taken = (cvals * p.values).sum(axis=1)
    result = f.values[:, 0] - taken if n == f.shape[0] else f.values[0, 0] - taken
    result = np.broadcast_to(result, (n,)).astype(np.float64)
    low = np.zeros(n) if lo is None else np.broadcast_to(lo.values[:, 0], (n,))
    result = np.maximum(result, low)

    errors = _first_errors(
        n,
        _explain_cells(f.errors, "full"),
        _explain_cells(c.row_errors(), "counts"),
        negative if bad_rows.size else None,
        None if lo is None else _explain_cells(lo.errors, "floor"),
    )
    return spill(finish(result.reshape(-1, 1), None if errors is None else errors.reshape(-1, 1)))


# ---------------------------------------------------------------- STREAK

_BLANK, _NUMBER, _TEXT, _BOOL, _ERROR = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class _Cells:
    """A block of cells sorted by type, for vectorised matching.

    ``kind`` is one of the ``_BLANK``… codes per cell; ``num`` holds numbers
    (rounded to 12 significant digits) and booleans (0/1); ``text`` holds the
    case-folded text of text cells (``None`` elsewhere), or is ``None`` when
    the block has no text at all.
    """

    kind: npt.NDArray[np.int8]
    num: FloatArray
    text: ObjectArray | None
    errors: ObjectArray | None  # per row, first error


_TYPE_KINDS: dict[type, int] = {
    float: _NUMBER,
    int: _NUMBER,
    bool: _BOOL,
    str: _TEXT,
    type(None): _BLANK,
}


def _kind_of_type(cell: object) -> int:
    """The kind of a cell by its exact type; -1 for types that need a closer look."""
    return _TYPE_KINDS.get(type(cell), -1)


def _classify(block: npt.NDArray[Any], name: str) -> _Cells:
    """Sort each cell of ``block`` into blank, number, text, boolean or error."""
    shape = block.shape
    if block.dtype.kind in "iuf":
        num = block.astype(np.float64)
        bad = ~np.isfinite(num)
        kind = np.where(bad, _ERROR, _NUMBER).astype(np.int8)
        row_err: ObjectArray | None = None
        if bad.any():
            row_err = np.full(shape[0], None, dtype=object)
            row_err[bad.any(axis=1)] = ExcelError(
                "#NUM!", f"参数 {name} 不是有限数 / {name} is not a finite number"
            )
            num = np.where(bad, 0.0, num)
        return _Cells(kind, round_sig(num, COMPARE_DIGITS), None, row_err)

    flat = block.reshape(-1)
    size = flat.size
    kinds = np.zeros(size, dtype=np.int8)
    nums = np.zeros(size, dtype=np.float64)
    raw = np.full(size, None, dtype=object)
    errs = np.full(size, None, dtype=object)
    # sort numbers, booleans and blanks by exact type in one C-level pass
    guess = np.frompyfunc(_kind_of_type, 1, 1)(flat).astype(np.int8)
    is_num = guess == _NUMBER
    is_bool = guess == _BOOL
    is_str = guess == _TEXT
    if is_num.any():
        nums[is_num] = floats(flat[is_num])
        kinds[is_num] = _NUMBER
    if is_bool.any():
        nums[is_bool] = flat[is_bool].astype(np.float64)
        kinds[is_bool] = _BOOL
    # strings (exact str) and anything else (numpy scalars, str subclasses,
    # errors) are the few cells looked at one by one
    for k in np.flatnonzero(is_str | (guess < 0)):
        cell = flat[k]
        if isinstance(cell, str):
            if cell == "":
                continue
            err = parse_error(str(cell)) if cell[0] == "#" else None
            if err is not None:
                kinds[k], errs[k] = _ERROR, err
            else:
                kinds[k], raw[k] = _TEXT, str(cell)
        elif isinstance(cell, bool | np.bool_):
            kinds[k], nums[k] = _BOOL, float(cell)
        elif isinstance(cell, int | float | np.integer | np.floating):
            kinds[k], nums[k] = _NUMBER, float(cell)
        elif isinstance(cell, ExcelError):
            kinds[k], errs[k] = _ERROR, cell
        else:
            kinds[k] = _ERROR
            errs[k] = ExcelError(
                "#VALUE!",
                f"参数 {name} 的值类型无法识别 / {name}: unsupported {type(cell).__name__}",
            )
    infinite = (kinds == _NUMBER) & ~np.isfinite(nums)
    if infinite.any():
        kinds[infinite] = _ERROR
        nums[infinite] = 0.0
        errs[infinite] = ExcelError(
            "#NUM!", f"参数 {name} 不是有限数 / {name} is not a finite number"
        )
    any_error = bool((kinds == _ERROR).any())
    any_text = bool((kinds == _TEXT).any())
    row_err = None
    if any_error:
        per_cell = errs.reshape(shape)
        row_err = np.full(shape[0], None, dtype=object)
        for i in np.flatnonzero((kinds.reshape(shape) == _ERROR).any(axis=1)):
            row_err[i] = next(e for e in per_cell[i] if e is not None)
    text: ObjectArray | None = None
    if any_text:
        is_text = kinds == _TEXT
        texts = raw[is_text].tolist()
        folded = {t: t.casefold() for t in set(texts)}
        flat_text = np.full(size, None, dtype=object)
        flat_text[is_text] = [folded[t] for t in texts]
        text = flat_text.reshape(shape)
    num_arr = np.where(kinds == _NUMBER, round_sig(nums, COMPARE_DIGITS), nums)
    return _Cells(kinds.reshape(shape), num_arr.reshape(shape), text, row_err)


_OPERATORS = (">=", "<=", "<>", "=", ">", "<")


@dataclass(frozen=True)
class _Criterion:
    """A COUNTIF criterion: an operator and a number, text, boolean or blank."""

    op: str
    kind: str  # "number" | "text" | "bool" | "blank"
    number: float = 0.0
    text: str = ""

    @classmethod
    def parse(cls, value: object) -> _Criterion | None:
        if is_omitted(value):
            return None
        block = as_block(value, "criteria")
        if block.size != 1:
            raise fail("#VALUE!", "参数 criteria 应为单个条件 / criteria must be one condition")
        cell = block.reshape(-1)[0]
        if isinstance(cell, ExcelError):
            raise fail(_explained(cell, "criteria"))
        if isinstance(cell, bool | np.bool_):
            return cls("=", "bool", float(cell))
        if not isinstance(cell, str):
            v = number_or_error(cell, "criteria")
            if isinstance(v, ExcelError):
                raise fail(_explained(v, "criteria"))
            return cls("=", "number", float(round_sig(v, COMPARE_DIGITS)))
        err = parse_error(cell)
        if err is not None:
            raise fail(_explained(err, "criteria"))
        op = next((o for o in _OPERATORS if cell.startswith(o)), "=")
        operand = cell[len(op) :] if cell.startswith(op) else cell
        if operand == "":
            if op in ("=", "<>"):
                return cls(op, "blank")
            return cls(op, "text", text="")
        if operand.strip().upper() in ("TRUE", "FALSE"):
            return cls(op, "bool", float(operand.strip().upper() == "TRUE"))
        v = number_or_error(operand, "criteria")
        if not isinstance(v, ExcelError):
            return cls(op, "number", float(round_sig(v, COMPARE_DIGITS)))
        return cls(op, "text", text=operand.casefold())

    def _compare(self, a: Any, b: Any) -> Any:
        if self.op == "<":
            return a < b
        if self.op == "<=":
            return a <= b
        if self.op == ">":
            return a > b
        if self.op == ">=":
            return a >= b
        return a == b

    def _text_cells(self, cells: _Cells, test: Any) -> npt.NDArray[np.bool_]:
        """``test`` applied to each distinct text once, spread back over the block."""
        out = np.zeros(cells.kind.shape, dtype=bool)
        if cells.text is None:
            return out
        is_text = cells.kind == _TEXT
        texts = cells.text[is_text].tolist()
        verdict = {t: bool(test(t)) for t in set(texts)}
        out[is_text] = [verdict[t] for t in texts]
        return out

    def match(self, cells: _Cells) -> npt.NDArray[np.bool_]:
        """Which cells meet the criterion (blank cells never do: they break runs)."""
        kind = cells.kind
        nonblank = kind != _BLANK
        if self.kind == "blank":
            return nonblank.copy() if self.op == "<>" else np.zeros(kind.shape, dtype=bool)
        if self.kind == "number":
            is_num = kind == _NUMBER
            if self.op in ("=", "<>"):
                equal = is_num & (cells.num == self.number)
                if self.op == "<>":
                    return nonblank & ~equal

                def numeric(text: str) -> bool:
                    v = number_or_error(text, "values")
                    return not isinstance(v, ExcelError) and bool(
                        round_sig(v, COMPARE_DIGITS) == self.number
                    )

                return equal | self._text_cells(cells, numeric)
            return is_num & self._compare(cells.num, self.number)
        if self.kind == "bool":
            is_bool = kind == _BOOL
            if self.op == "<>":
                return nonblank & ~(is_bool & (cells.num == self.number))
            return is_bool & self._compare(cells.num, self.number)
        # text
        if self.op in ("=", "<>"):
            hit = self._text_cells(cells, wildcard_matcher(self.text))
            return nonblank & ~hit if self.op == "<>" else hit

        def ordered(t: str) -> bool:
            return bool(self._compare(t, self.text))

        return self._text_cells(cells, ordered)


def _runs(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per cell, the length of the run of True cells ending there (0 where False)."""
    pos = np.arange(1, mask.shape[1] + 1, dtype=np.int64)
    breaks = np.where(mask, 0, pos)
    last_break = np.maximum.accumulate(breaks, axis=1)
    return np.where(mask, pos - last_break, 0)


def _equal_neighbour(cells: _Cells) -> npt.NDArray[np.bool_]:
    """True where a non-blank cell equals the cell to its left (Excel's ``=``)."""
    kind = cells.kind
    same = np.zeros(kind.shape, dtype=bool)
    if kind.shape[1] < 2:
        return same
    k0, k1 = kind[:, :-1], kind[:, 1:]
    both = (k0 == k1) & (k1 != _BLANK) & (k1 != _ERROR)
    eq = both & (k1 != _TEXT) & (cells.num[:, :-1] == cells.num[:, 1:])
    if cells.text is not None:
        t0, t1 = cells.text[:, :-1], cells.text[:, 1:]
        tt = both & (k1 == _TEXT)
        eq |= tt & (t0 == t1)
    same[:, 1:] = eq
    return same


@excel_function
def streak(values: object, criteria: object = None, which: object = None) -> Any:
    """Length of a run of consecutive cells per row (连续 N 个月).

    ``STREAK(values, [criteria], [which])``. With ``criteria`` it measures runs
    of cells that meet it ("连续三个月考核分低于70分" is ``STREAK(B2:M2,"<70")>=3``);
    without, runs of cells equal to their neighbour (the same 小组长 three
    months running).

    Parameters
    ----------
    values : range
        One row per person, one column per period; a single row gives one
        result. Numbers, text and booleans are all allowed. A blank cell breaks
        a run.
    criteria : number or text, optional
        COUNTIF syntax: ``"<70"``, ``">=90"``, ``"<>0"``, ``"=优"`` or ``"优"``,
        a number (equal to it), ``TRUE``; text may use the wildcards ``*`` and
        ``?`` (``~`` escapes them). ``"<>"`` alone is "not blank".
    which : text, optional
        Which run, see Keywords.

    Returns
    -------
    number or range
        One whole number per row (a column that spills); 0 where no cell
        qualifies or the row is blank. Without ``criteria`` a lone value is a
        run of 1.

    Keywords
    --------
    which : ``"最长"``/``"longest"`` (default): the longest run in the row;
        ``"末尾"``/``"last"``: the run that ends at the row's last non-blank cell
        (the current streak), 0 if that cell does not meet the criteria.
        Blank cells after the last value are ignored.

    Errors
    ------
    An error value in a row makes that row's result the error (a run cannot be
    measured across an unknown month); other rows are unaffected. More than
    one criteria cell, an error as criteria or an unknown ``which`` is an error
    for the whole result.

    Excel compatibility
    -------------------
    The criteria follow COUNTIF: text comparisons ignore case; numbers are
    compared at 12 significant digits. As in COUNTIF, a numeric criterion
    with ``=`` (or a bare number) also matches text that reads as that number
    (``"85"``), ``<``/``>``/``<=``/``>=`` with a number match numbers only
    (text such as ``"65"`` does not meet ``"<70"``), ``<>`` with a number
    matches every non-blank cell that is not that number, and a text criterion
    never matches a number. Text is ordered by Unicode code point after case
    folding, not by Excel's locale collation; dates written as text in a
    criterion (``">2024-01-01"``) are not recognised: use a number or
    ``">"&DATE(…)``. Without criteria, neighbours are compared like Excel's
    ``=``: text ignores case, and the number 85 is not equal to the text
    ``"85"``. Excel itself needs a helper row or ``FREQUENCY`` tricks for this.

    Examples
    --------
    >>> streak([75, 68, 69, 65, 80], "<70")
    3
    >>> streak(["张三", "李四", "李四", "李四"], None, "last")
    3
    >>> streak([[90, 65, 58, None], [61, 62, 63, 64]], "<70", "末尾").tolist()
    [[2], [4]]
    >>> streak(["优", "良", "优", "优"], "=优")
    2
    >>> str(streak([1, 2], "<3", "first"))
    '#VALUE!'
    """
    block = as_block(values, "values")
    crit = _Criterion.parse(criteria)
    mode = _guarded("which", lambda: WHICH.parse(which, "which"))
    cells = _classify(block, "values")
    if crit is None:
        runs = _runs(_equal_neighbour(cells)) + 1
        runs[(cells.kind == _BLANK) | (cells.kind == _ERROR)] = 0
    else:
        runs = _runs(crit.match(cells) & (cells.kind != _ERROR))
    if mode == "longest":
        result = runs.max(axis=1)
    else:
        filled = cells.kind != _BLANK
        last = filled.shape[1] - 1 - np.argmax(filled[:, ::-1], axis=1)
        result = np.where(filled.any(axis=1), runs[np.arange(runs.shape[0]), last], 0)
    row_errors = _explain_cells(cells.errors, "values")
    errors = None if row_errors is None else row_errors.reshape(-1, 1)
    return spill(finish(result.astype(np.int64).reshape(-1, 1), errors))


# ---------------------------------------------------------------- FORCED_DIST


def _people(value: object, name: str) -> npt.NDArray[Any]:
    """A one-dimensional argument (a row or a column) as a 2-D block."""
    block = as_block(value, name)
    if block.shape[0] != 1 and block.shape[1] != 1:
        raise fail(
            "#VALUE!",
            f"参数 {name} 应为一行或一列，收到 {block.shape[0]}×{block.shape[1]} / "
            f"{name} must be one row or one column, got {block.shape[0]}×{block.shape[1]}",
        )
    return block


def _order_flag(order: object) -> bool:
    """``order`` as in RANK.EQ: 0 or omitted = high first; any other number = low first."""
    if is_omitted(order):
        return False
    block = as_block(order, "order")
    if block.size != 1:
        raise fail("#VALUE!", "参数 order 应为单个值 / order must be a single value")
    cell = block.reshape(-1)[0]
    if isinstance(cell, bool | np.bool_):
        return bool(cell)
    v = number_or_error(cell, "order")
    if isinstance(v, ExcelError):
        raise fail(_explained(v, "order"))
    return v != 0


def _label(cell: object, k: int) -> object:
    """One label as a plain cell value: text, a boolean, or a number as a double.

    A blank label is ``#VALUE!``; an error is passed on; a number that is not
    finite (or an integer beyond a double) is ``#NUM!``: it could not be shown.
    """
    if isinstance(cell, ExcelError):
        raise fail(_explained(cell, "labels"))
    if is_blank(cell):
        raise fail("#VALUE!", f"参数 labels 第 {k + 1} 个为空 / labels item {k + 1} is blank")
    if isinstance(cell, str):
        err = parse_error(cell)
        if err is not None:
            raise fail(_explained(err, "labels"))
        return str(cell)
    if isinstance(cell, bool | np.bool_):
        return bool(cell)
    v = number_or_error(cell, "labels")
    if isinstance(v, ExcelError):
        if v.code == "#NUM!":
            raise fail(
                "#NUM!", f"参数 labels 第 {k + 1} 个不是有限数 / labels item {k + 1} is not finite"
            )
        raise fail(
            "#VALUE!",
            f"参数 labels 第 {k + 1} 个的值类型无法识别 / labels item {k + 1}: unsupported value",
        )
    return v


@excel_function
def forced_dist(
    scores: object, shares: object, labels: object, order: object = None, groups: object = None
) -> Any:
    """Forced distribution (强制比例分布): labels by rank in fixed shares.

    ``FORCED_DIST(scores, shares, labels, [order], [groups])``: "优秀 20%、合格 70%、
    待改进 10%". People are sorted by score; the first ``c₁`` get the first
    label, the next ``c₂`` the second, and so on, where the counts ``cₖ`` are
    ``shareₖ / Σshares × n`` rounded by largest remainder so they add up to
    ``n`` (equal remainders go to the earlier label). With ``groups`` all of
    this happens within each group key (department, month …) on its own:
    ``n`` is the group's number of people, places are counted in the group.

    Parameters
    ----------
    scores : range
        One score per person, a column or a row. A blank cell is nobody (an
        empty seat): it gets no label and does not count in ``n``.
    shares : range
        One share per label (a row or a column), ≥ 0, used relative to their
        sum (20%, 70%, 10% or 2, 7, 1). Blanks are 0.
    labels : range
        The labels, best first, as many as ``shares``: text or numbers.
    order : number, optional
        0 or omitted: the highest score is best; any other number: the lowest
        is best (as in ``RANK.EQ``).
    groups : range, optional
        One key per person (as many cells as ``scores``): people with the
        same key are distributed together, each group on its own, whatever its
        size and wherever its rows are. Keys compare as in ``RANKX``'s
        ``groups``: text case-insensitively, a number is not the text of that
        number, and blank keys form one group of their own. Omitted: everyone
        is one group.

    Returns
    -------
    range
        One label per person, in the shape of ``scores``; blank scores give an
        empty result.

    Keywords
    --------
    None (``order`` is a number, as in ``RANK.EQ``).

    Ties
    ----
    People with equal scores (at 12 significant digits) all get the label of
    the best place they share: a person's label is the one the place of their
    ``RANK.EQ`` rank gets (within their group). A tie across a cut therefore
    gives the better label to everyone tied, that label is handed out more
    than its count, and the labels after it are handed out fewer times (a
    label whose places a tie group takes entirely is not handed out at all).
    The total is always ``n``.

    Errors
    ------
    Text or an error in a person's score (or an error as a person's group key)
    makes that person's result the error; that person takes no place (like a
    blank). Shares or labels of different lengths, ``groups`` with another
    number of cells than ``scores``, a negative share, a blank label, or an
    error in ``shares``, ``labels`` or ``order`` is an error for the whole
    result (a numeric label that is not finite is ``#NUM!``); shares that add
    up to 0 are ``#DIV/0!``.

    Excel compatibility
    -------------------
    Excel has no built-in; the usual sheet formula is
    ``LOOKUP(RANK.EQ(x, scores), cumulative counts, labels)`` with counts
    rounded by hand, which can fail to add up to n (and per group, one such
    block of rows per group). This function applies the same RANK.EQ tie rule
    with exact largest-remainder counts, per group key.

    Examples
    --------
    >>> scores = [95, 90, 85, 80, 75, 70, 65, 60, 55, 50]
    >>> forced_dist(scores, [0.2, 0.7, 0.1], ["A", "B", "C"]).tolist()
    [['A', 'A', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'C']]
    >>> forced_dist([[90], [80], [80], [70]], [1, 1], ["上", "下"]).tolist()
    [['上'], ['上'], ['上'], ['下']]
    >>> forced_dist([[3], [None], [1]], [1, 1], ["好", "差"], 1).tolist()
    [['差'], [None], ['好']]
    >>> forced_dist([[90], [60], [80], [70]], [1, 1], ["上", "下"], None, [[1], [2], [1], [2]]).tolist()
    [['上'], ['下'], ['下'], ['上']]
    """
    block = _people(scores, "scores")
    share_block = _people(shares, "shares")
    label_block = _people(labels, "labels")
    if share_block.size != label_block.size:
        raise fail(
            "#VALUE!",
            f"参数 shares（{share_block.size} 个）与 labels（{label_block.size} 个）个数不同 / "
            f"shares has {share_block.size} cells but labels has {label_block.size}",
        )
    label_list = [_label(lab, k) for k, lab in enumerate(label_block.reshape(-1).tolist())]
    sh = to_numbers(share_block, "shares")
    _first_error_raised(sh, "shares")
    share_vals = sh.values.reshape(-1)
    if (share_vals < 0).any():
        k = int(np.argmax(share_vals < 0))
        raise fail("#VALUE!", f"参数 shares 第 {k + 1} 个为负数 / shares item {k + 1} is negative")
    if not (share_vals > 0).any():
        raise fail("#DIV/0!", "参数 shares 之和为 0 / shares add up to 0")
    low_first = _order_flag(order)
    if is_omitted(groups):
        group, group_errors = np.zeros(block.size, dtype=np.int64), None
    else:
        group, group_errors = read_groups(groups, block.size)

    blank = _blank_mask(block).reshape(-1)
    nums = to_numbers(block, "scores")
    explained = _explain_cells(nums.errors, "scores")
    errs = None if explained is None else explained.reshape(-1)
    if group_errors is not None:  # a score's own error first, then the key's
        for i in np.flatnonzero(group_errors != None):  # noqa: E711  (few: one by one)
            if errs is None:
                errs = np.full(block.size, None, dtype=object)
            if errs[i] is None:
                errs[i] = _explained(group_errors[i], "groups", int(i) + 1)
    takes_part = ~blank
    if errs is not None:
        takes_part &= np.array([e is None for e in errs])
    vals = round_sig(nums.values.reshape(-1)[takes_part], COMPARE_DIGITS)

    out = np.full(blank.size, None, dtype=object)
    if vals.size:
        weights, _ = exact_integers(share_vals)
        which_label = _label_index(-vals if not low_first else vals, group[takes_part], weights)
        label_arr = np.empty(len(label_list), dtype=object)
        label_arr[:] = label_list
        out[np.flatnonzero(takes_part)] = label_arr[which_label]
    if errs is not None:
        bad = ~blank & ~takes_part
        out[bad] = errs[bad]
    return spill(out.reshape(block.shape))


def _label_index(
    key: FloatArray, group: npt.NDArray[np.int64], weights: Any
) -> npt.NDArray[np.int64]:
    """Per participant, the index of their label: the best (smallest) ``key``
    first within each ``group``, ``RANK.EQ`` places, each group's label counts
    split from its size by largest remainder."""
    n = key.size
    by = np.lexsort((key, group))  # by group, then best first
    g, k = group[by], key[by]
    idx = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= k[1:] != k[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
    tie_start = np.maximum.accumulate(np.where(new_tie, idx, 0))
    place = tie_start - group_start  # RANK.EQ − 1 within the group
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, n))
    bounds_of = {
        int(m): np.cumsum(np.asarray(apportion(int(m), weights), dtype=np.int64))
        for m in np.unique(sizes)
    }
    bounds = np.stack([bounds_of[int(m)] for m in sizes])[
        np.cumsum(new_group) - 1
    ]  # per sorted person
    which = (bounds <= place[:, None]).sum(axis=1)
    out = np.empty(n, dtype=np.int64)
    out[by] = which
    return out
