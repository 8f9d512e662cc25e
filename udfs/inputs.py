"""What Excel hands a function, turned into numpy arrays the kernel can compute on.

Every public kernel function accepts what a spreadsheet passes: numbers, text,
booleans, ``None`` for a blank, :class:`~udfs.errors.ExcelError` values, and
ranges as 2-D nested lists or numpy arrays. This module is the one place that
decides what those mean (FUNCTIONS.md, "Inputs"):

* a blank in a numeric argument is 0; text that reads as a number ("85",
  " 1,200 ", "85%") is that number; other text is ``#VALUE!``; a boolean in a
  numeric argument is ``#VALUE!`` (booleans are for flags);
* an error passed in is passed through, per cell where the function is lifted;
* a 1-D sequence is one row, like Excel's ``{1,2,3}``.

>>> nums = to_numbers([[1, None], ["2.5", "x"]], "x")
>>> nums.values.tolist()
[[1.0, 0.0], [2.5, nan]]
>>> [str(e) for e in nums.errors.ravel() if e is not None]
['#VALUE!']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.errors import NUM, VALUE, ExcelError, fail, parse_error
from udfs.rounding import round_sig

__all__ = [
    "OUT_OF_RANGE",
    "Numbers",
    "as_block",
    "error_mask",
    "finish",
    "floats",
    "is_blank",
    "is_omitted",
    "lay_errors",
    "merge_errors",
    "number_or_error",
    "one_cell",
    "overflow_errors",
    "scalar_number",
    "spill",
    "to_flags",
    "to_numbers",
]

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


def is_blank(value: object) -> bool:
    """A blank cell: ``None`` or the empty string."""
    return value is None or (isinstance(value, str) and value == "")


def is_omitted(value: object) -> bool:
    """An optional argument left out or left empty (``=RANKX(A2:A9,,"dense")``)."""
    if isinstance(value, np.ndarray):
        return value.size == 1 and is_blank(value.reshape(-1)[0])
    if isinstance(value, list | tuple):
        flat = list(_flatten(value))
        return len(flat) == 1 and is_blank(flat[0])
    return is_blank(value)


def _flatten(value: Sequence[Any]) -> Any:
    for item in value:
        if isinstance(item, list | tuple):
            yield from _flatten(item)
        else:
            yield item


def as_block(value: object, name: str) -> npt.NDArray[Any]:
    """Any argument as a 2-D array: a scalar is 1×1, a 1-D sequence one row.

    Raises ``#VALUE!`` for ragged nested lists and for more than two dimensions.
    An empty range is ``#VALUE!`` as well: there is nothing to compute on.
    """
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, list | tuple):
        if len(value) and all(isinstance(r, list | tuple) for r in value):
            widths = {len(r) for r in value}
            if len(widths) != 1:
                raise fail("#VALUE!", f"参数 {name} 各行长度不一 / rows of {name} differ in length")
            arr = np.empty((len(value), widths.pop()), dtype=object)
            for i, row in enumerate(value):
                for j, cell in enumerate(row):
                    arr[i, j] = cell
        elif any(isinstance(r, list | tuple) for r in value):
            raise fail("#VALUE!", f"参数 {name} 混合了行与单元格 / {name} mixes rows and cells")
        else:
            arr = np.empty((1, len(value)), dtype=object)
            arr[0, :] = list(value)
    else:
        arr = np.empty((1, 1), dtype=object)
        arr[0, 0] = value
    return _two_d(arr, name)


def _two_d(arr: npt.NDArray[Any], name: str) -> npt.NDArray[Any]:
    """``arr`` as a 2-D block (a scalar is 1×1, 1-D is one row); more than two
    dimensions or no cells at all is ``#VALUE!``."""
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    elif arr.ndim > 2:
        raise fail("#VALUE!", f"参数 {name} 超过二维 / {name} has more than two dimensions")
    if arr.size == 0:
        raise fail("#VALUE!", f"参数 {name} 为空区域 / {name} is an empty range")
    return arr


def _text_number(text: str) -> float | None:
    """The number a text reads as, as Excel's VALUE would, else ``None``."""
    t = text.strip().replace(",", "").replace("，", "")
    if not t:
        return None
    scale = 1.0
    if t.endswith(("%", "％")):
        t, scale = t[:-1].strip(), 0.01
    if t[:1] in "¥￥$":
        t = t[1:]
    if "_" in t:  # Python reads "1_000" as 1000; Excel's VALUE does not
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    if not np.isfinite(v):
        return None
    return v * scale


def floats(cells: npt.NDArray[Any]) -> FloatArray:
    """Numeric cells (an object array of ints, floats, numpy numbers) as doubles.

    Vectorised ``astype``; a Python int too large for a double (``10**400``)
    becomes ±inf instead of raising, so the caller's non-finite check makes it
    ``#NUM!`` like any other overflow.

    >>> floats(np.array([1, 2.5, 10**400], dtype=object)).tolist()
    [1.0, 2.5, inf]
    """
    try:
        return np.asarray(cells.astype(np.float64))
    except OverflowError:
        out = np.empty(cells.shape, dtype=np.float64)
        for idx, cell in np.ndenumerate(cells):
            try:
                out[idx] = float(cell)
            except OverflowError:
                out[idx] = math.inf if cell > 0 else -math.inf
        return out


def number_or_error(value: object, name: str) -> float | ExcelError:
    """One cell as a number under the kernel's input rules, or the error it is."""
    if isinstance(value, ExcelError):
        return value
    if value is None:
        return 0.0
    if isinstance(value, bool | np.bool_):
        return ExcelError(
            "#VALUE!", f"参数 {name} 需要数值，收到逻辑值 / {name} needs a number, got a boolean"
        )
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            v = float(value)
        except OverflowError:  # a Python int beyond a double (10**400)
            v = math.inf
        if np.isnan(v) or np.isinf(v):
            return ExcelError("#NUM!", f"参数 {name} 不是有限数 / {name} is not a finite number")
        return v
    if isinstance(value, str):
        if value == "":
            return 0.0
        err = parse_error(value)
        if err is not None:
            return err
        v2 = _text_number(value)
        if v2 is None:
            return ExcelError(
                "#VALUE!", f"参数 {name} 含文本“{value}” / {name} holds the text {value!r}"
            )
        return v2
    return ExcelError(
        "#VALUE!", f"参数 {name} 的值类型无法识别 / {name}: unsupported {type(value).__name__}"
    )


@dataclass(frozen=True)
class Numbers:
    """A numeric argument: ``values`` (NaN where an error is) and ``errors``.

    ``errors`` is ``None`` when no cell holds an error, else an object array of
    the same shape holding an :class:`ExcelError` or ``None`` per cell.
    """

    values: FloatArray
    errors: ObjectArray | None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    def first_error(self) -> ExcelError | None:
        """The first error in reading order, or ``None``."""
        if self.errors is None:
            return None
        for e in self.errors.ravel():
            if e is not None:
                return e
        return None

    def row_errors(self) -> ObjectArray | None:
        """Per row, the first error in that row (``None`` where the row is clean)."""
        if self.errors is None:
            return None
        out = np.empty(self.values.shape[0], dtype=object)
        for i, row in enumerate(self.errors):
            out[i] = next((e for e in row if e is not None), None)
        return out


def to_numbers(value: object, name: str) -> Numbers:
    """A numeric argument as a 2-D float array plus its per-cell errors."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        arr = _two_d(value.astype(np.float64, copy=False), name)
        bad = ~np.isfinite(arr)
        if not bad.any():
            return Numbers(arr, None)
        errors = np.full(arr.shape, None, dtype=object)
        errors[bad] = NUM.with_message(f"参数 {name} 不是有限数 / {name} is not a finite number")
        vals = arr.copy()
        vals[bad] = np.nan
        return Numbers(vals, errors)
    block = as_block(value, name)
    vals = np.empty(block.shape, dtype=np.float64)
    errors = np.full(block.shape, None, dtype=object)
    any_error = False
    for idx, cell in np.ndenumerate(block):
        v = number_or_error(cell, name)
        if isinstance(v, ExcelError):
            vals[idx] = np.nan
            errors[idx] = v
            any_error = True
        else:
            vals[idx] = v
    return Numbers(vals, errors if any_error else None)


def broadcast_numbers(**args: Numbers) -> list[Numbers]:
    """Per-row arguments broadcast against each other, numpy style: each is one
    value, one per row (a column), one per column (a row) or the full shape,
    and one of them has the full shape (a row against a column is no outer
    product). Errors stay in their cells. Shapes that do not fit are
    ``#VALUE!`` naming them.

    >>> a, b = broadcast_numbers(score=to_numbers(85, "score"), rate=to_numbers([[40], [30]], "rate"))
    >>> a.values.ravel().tolist(), b.values.ravel().tolist()
    ([85.0, 85.0], [40.0, 30.0])
    """
    shapes = [a.shape for a in args.values()]
    try:
        shape = np.broadcast_shapes(*shapes)
        if shape not in shapes:  # a row against a column: no outer products
            raise ValueError(shape)
    except ValueError:
        shown = ", ".join(f"{k} {v.shape[0]}×{v.shape[1]}" for k, v in args.items())
        raise fail(
            "#VALUE!",
            f"参数形状不一致（每个应为单个值、一列或同形状）：{shown} / "
            f"the shapes do not fit (each one value, a column or the same shape): {shown}",
        ) from None
    return [
        a
        if a.shape == shape
        else Numbers(
            np.broadcast_to(a.values, shape),
            None if a.errors is None else np.broadcast_to(a.errors, shape),
        )
        for a in args.values()
    ]


def one_cell(value: object) -> tuple[bool, object]:
    """Whether ``value`` is one cell — a scalar, or a 1×1 range as xlwings'
    classic bridge hands every argument over (``[[85]]``) — and that cell."""
    if isinstance(value, list | tuple):
        if len(value) != 1:
            return False, value
        inner = value[0]
        if isinstance(inner, list | tuple):
            if len(inner) != 1:
                return False, value
            inner = inner[0]
        return not isinstance(inner, list | tuple | np.ndarray), inner
    if isinstance(value, np.ndarray):
        if value.size == 1 and value.ndim <= 2:
            return True, value.reshape(-1)[0]
        return False, value
    return True, value


def scalar_number(value: object, name: str, default: float | None = None) -> float:
    """A one-cell numeric argument; omitted takes ``default`` when one is given.

    A range of more than one cell is ``#VALUE!``; an error passed in is raised.
    """
    if default is not None and is_omitted(value):
        return default
    block = as_block(value, name)
    if block.size != 1:
        raise fail("#VALUE!", f"参数 {name} 应为单个值 / {name} must be a single value")
    v = number_or_error(block.reshape(-1)[0], name)
    if isinstance(v, ExcelError):
        raise fail(v)
    return v


_TRUE_TEXT = {"TRUE", "是", "Y", "YES", "1", "真"}
_FALSE_TEXT = {"FALSE", "否", "N", "NO", "0", "假"}


def to_flags(value: object, name: str) -> tuple[npt.NDArray[np.bool_], ObjectArray | None]:
    """A flag argument (``eligible``): booleans, numbers (non-zero is true; NaN
    or infinity, which no cell holds, is ``#NUM!``), ``"TRUE"``/``"是"``/
    ``"FALSE"``/``"否"``; a blank is false.

    Returns the flags and the per-cell errors (``None`` when there are none).
    """
    block = as_block(value, name)
    flags = np.zeros(block.shape, dtype=bool)
    errors = np.full(block.shape, None, dtype=object)
    any_error = False
    for idx, cell in np.ndenumerate(block):
        if isinstance(cell, ExcelError):
            errors[idx], any_error = cell, True
        elif cell is None:
            flags[idx] = False
        elif isinstance(cell, bool | np.bool_):
            flags[idx] = bool(cell)
        elif isinstance(cell, int | float | np.integer | np.floating):
            v = number_or_error(cell, name)  # NaN or inf (of any float type) is #NUM!
            if isinstance(v, ExcelError):
                errors[idx], any_error = v, True
            else:
                flags[idx] = v != 0
        elif isinstance(cell, str):
            t = cell.strip().upper()
            err = parse_error(t)
            if err is not None:
                errors[idx], any_error = err, True
            elif t in _TRUE_TEXT:
                flags[idx] = True
            elif t in _FALSE_TEXT or t == "":
                flags[idx] = False
            else:
                errors[idx], any_error = (
                    VALUE.with_message(
                        f"参数 {name} 应为是/否或 TRUE/FALSE，收到“{cell}” / "
                        f"{name} must be TRUE/FALSE, got {cell!r}"
                    ),
                    True,
                )
        else:
            errors[idx], any_error = (
                VALUE.with_message(f"参数 {name} 的值类型无法识别 / {name}: unsupported value"),
                True,
            )
    return flags, (errors if any_error else None)


#: What a result that overflows a double (or is NaN) becomes.
OUT_OF_RANGE = NUM.with_message("计算结果超出数值范围 / the result is beyond the range of numbers")


def error_mask(errors: ObjectArray) -> npt.NDArray[np.bool_]:
    """Where a per-cell error array holds an error (not ``None``)."""
    not_equal: Any = np.not_equal  # elementwise `is not None` on objects, in C
    return np.asarray(not_equal(errors, None), dtype=np.bool_)


def merge_errors(first: ObjectArray | None, second: ObjectArray | None) -> ObjectArray | None:
    """Per cell, the error of ``first`` if any, else that of ``second``."""
    if first is None:
        return second
    if second is None:
        return first
    return np.where(error_mask(first), first, second)


def overflow_errors(values: FloatArray) -> ObjectArray | None:
    """:data:`OUT_OF_RANGE` where a float result is not a finite number (a cell
    cannot hold NaN or infinity), ``None`` elsewhere; ``None`` when all are finite."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    out = np.full(values.shape, None, dtype=object)
    out[bad] = OUT_OF_RANGE
    return out


def lay_errors(values: npt.NDArray[Any], errors: ObjectArray | None) -> npt.NDArray[Any]:
    """``values`` with the per-cell errors laid over them; stays the same array
    (no copy, float dtype) when there is no error."""
    if errors is None:
        return values
    mask = error_mask(errors)
    if not mask.any():
        return values
    out = values.astype(object)
    out[mask] = errors[mask]
    return out


def finish(values: npt.NDArray[Any], errors: ObjectArray | None = None) -> npt.NDArray[Any]:
    """Merge computed values with per-cell errors into one result array.

    Float results are cleaned to 15 significant digits (Excel's precision, so
    ``85*0.7+92*0.3`` is 87.1, not 87.10000000000001). A float result that is
    not a finite number (an overflow such as ``1e308*10``, or ``inf-inf``) where
    no error is given is ``#NUM!``, as in Excel: a cell cannot hold NaN or
    infinity. Without errors the result stays a float array; with them it
    becomes an object array.

    >>> finish(np.array([[1e308 * 10], [2.5]])).ravel().tolist()
    [ExcelError('#NUM!', '计算结果超出数值范围 / the result is beyond the range of numbers'), 2.5]
    """
    if values.dtype.kind == "f":
        values = round_sig(values, 15)
        errors = merge_errors(errors, overflow_errors(values))
    return lay_errors(values, errors)


def spill(result: npt.NDArray[Any]) -> Any:
    """A result as Excel shows it: a 1×1 array is its one value, else a 2-D array.

    Scalars come back as plain Python values (``float``, ``str``, ``None`` or an
    :class:`ExcelError`), never numpy scalars.
    """
    if result.shape == (1, 1):
        v = result[0, 0]
        return v.item() if isinstance(v, np.generic) else v
    return result
