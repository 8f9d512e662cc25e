"""Band tables: starts ascending in the first column, what applies in the others.

Shared by ``BAND``, ``TIERED``, ``TIER_DETAIL`` and ``POINT_BONUS``
(FUNCTIONS.md, "Bands"). Starts and looked-up values are compared after
rounding both to 12 significant digits, so ``1150/1000`` lands in the band that
starts at ``115%``.

>>> t = BandTable.parse([[0, 30], [100000, 32], [200000, 35], [400000, 40]], "table")
>>> t.locate([450000, 100000, -1], "lower").tolist()
[3, 1, -1]
>>> t.locate([100000], "upper").tolist()
[0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs._inputs import as_block, is_blank, number_or_error
from udfs._numbers import round_sig
from udfs.errors import ExcelError, fail

__all__ = ["COMPARE_DIGITS", "BandTable"]

#: Significant digits kept when comparing values with band starts and gates.
COMPARE_DIGITS = 12


@dataclass(frozen=True)
class BandTable:
    """A parsed band table.

    Attributes
    ----------
    starts : ndarray of float
        Band starts, strictly ascending, rounded to 12 significant digits.
    columns : ndarray of object
        The table's cells after the start column, one row per band, as given
        (numbers, text, ``None`` for blanks, errors).
    rows : tuple of int
        For each band, its row number in the range as given (1-based), so
        messages can point at the cell.
    """

    starts: npt.NDArray[np.float64]
    columns: npt.NDArray[Any]
    rows: tuple[int, ...]

    @classmethod
    def parse(cls, table: object, name: str = "table", *, min_columns: int = 2) -> BandTable:
        """Check and parse a band table argument.

        Rows that are entirely blank are skipped (a range selected a little
        larger than the table). A blank, text or error start, a start not above
        the one before it, or fewer than ``min_columns`` columns is ``#VALUE!``
        (an error cell in the start column is passed through).
        """
        block = as_block(table, name)
        if block.shape[1] < min_columns:
            raise fail(
                "#VALUE!",
                f"参数 {name} 至少需要 {min_columns} 列（起点与取值） / "
                f"{name} needs at least {min_columns} columns (start, value)",
            )
        keep = [i for i in range(block.shape[0]) if not all(is_blank(c) for c in block[i])]
        if not keep:
            raise fail("#VALUE!", f"参数 {name} 为空 / {name} is empty")
        starts = np.empty(len(keep), dtype=np.float64)
        for k, i in enumerate(keep):
            cell = block[i, 0]
            if is_blank(cell):
                raise fail(
                    "#VALUE!",
                    f"参数 {name} 第 {i + 1} 行的起点为空 / {name} row {i + 1}: blank start",
                )
            v = number_or_error(cell, name)
            if isinstance(v, ExcelError):
                if v.code == "#VALUE!":
                    raise fail(
                        "#VALUE!",
                        f"参数 {name} 第 {i + 1} 行的起点不是数值 / {name} row {i + 1}: start is not a number",
                    )
                raise fail(v)
            starts[k] = v
        starts = round_sig(starts, COMPARE_DIGITS)
        steps = np.diff(starts)
        if (steps <= 0).any():
            k = int(np.argmax(steps <= 0)) + 1
            what = "重复" if steps[k - 1] == 0 else "未按升序排列"
            what_en = "duplicates the start above" if steps[k - 1] == 0 else "is below the start above"
            raise fail(
                "#VALUE!",
                f"参数 {name} 第 {keep[k] + 1} 行的起点{what} / {name} row {keep[k] + 1}: start {what_en}",
            )
        return cls(starts, block[keep, 1:], tuple(i + 1 for i in keep))

    def __len__(self) -> int:
        return int(self.starts.size)

    def locate(self, x: npt.ArrayLike, side: str) -> npt.NDArray[np.intp]:
        """Index of the band holding each value, ``-1`` below the first start.

        ``side="lower"``: a value equal to a start is in the band that starts
        there; ``"upper"``: in the band below. A value equal to the first start
        is in the first band either way. Values are rounded to 12 significant
        digits first.
        """
        xs = round_sig(np.asarray(x, dtype=np.float64), COMPARE_DIGITS)
        if side == "lower":
            return np.searchsorted(self.starts, xs, side="right") - 1
        idx = np.searchsorted(self.starts, xs, side="left") - 1
        return np.where(xs == self.starts[0], 0, idx)

    def numeric_column(self, column: int, name: str, *, blank: float = 0.0) -> npt.NDArray[np.float64]:
        """Column ``column`` (1 = first after the starts) as numbers.

        A blank cell is ``blank`` (pass NaN to detect blanks); text is
        ``#VALUE!``; an error cell is raised.
        """
        if not 1 <= column <= self.columns.shape[1]:
            raise fail(
                "#REF!",
                f"参数 {name} 只有 {self.columns.shape[1] + 1} 列 / {name} has only "
                f"{self.columns.shape[1] + 1} columns",
            )
        out = np.empty(len(self), dtype=np.float64)
        for k, cell in enumerate(self.columns[:, column - 1]):
            if is_blank(cell):
                out[k] = blank
                continue
            v = number_or_error(cell, name)
            if isinstance(v, ExcelError):
                if v.code == "#VALUE!":
                    raise fail(
                        "#VALUE!",
                        f"参数 {name} 第 {self.rows[k]} 行第 {column + 1} 列不是数值 / "
                        f"{name} row {self.rows[k]}, column {column + 1} is not a number",
                    )
                raise fail(v)
            out[k] = v
        return out
