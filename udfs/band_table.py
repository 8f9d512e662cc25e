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

For long columns, :meth:`BandTable.locate` does not round each value: it
compares the raw doubles with *edges*, the smallest double whose 12-digit
rounding reaches each start (found once per table by bisection), which gives
the same bands at a fraction of the cost.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.errors import ExcelError, fail
from udfs.inputs import as_block, is_blank, number_or_error
from udfs.rounding import round_sig, significant_unit

__all__ = ["COMPARE_DIGITS", "BandTable"]

#: Significant digits kept when comparing values with band starts and gates.
COMPARE_DIGITS = 12

#: From this many values on, :meth:`BandTable.locate` compares with edges.
_EDGE_MIN_SIZE = 64
#: Up to this many bands, edges are counted rather than binary-searched.
_COUNT_MAX_BANDS = 32

_SIGN = np.int64(-(2**63))

#: How many parsed tables :meth:`BandTable.parse` keeps (a workbook has a few).
_CACHE_SIZE = 32
#: Cell types whose equality is their identity as a cell value, so a table of
#: them can be looked up by value (an ExcelError compares by code only; and
#: ``True == 1``, so a table holding booleans has its types in the key; 1 and
#: 1.0 are the same number to every reader of the table).
_PLAIN = frozenset({type(None), str, int, float, bool})


def _ordered(d: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Doubles as int64 keys in the same order (−0.0 and 0.0 share a key)."""
    bits = d.view(np.int64)
    return np.where(bits < 0, -(bits & ~_SIGN), bits)


def _unordered(k: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Inverse of :func:`_ordered`."""
    return np.where(k < 0, (-k) | _SIGN, k).view(np.float64)


def _first_reaching(starts: npt.NDArray[np.float64], *, strict: bool) -> npt.NDArray[np.float64]:
    """Per start ``s``, the smallest double ``t`` with ``round_sig(t, 12) >= s``
    (``> s`` when ``strict``), by bisection over the doubles near ``s``.

    ``round_sig`` is non-decreasing, so ``x >= t`` exactly when the rounded
    ``x`` reaches ``s``. Starts are already 12-digit values, so ``s`` rounds to
    itself and ``s ± 2`` units of its 12th digit lie on either side.
    """
    s = starts.copy()
    zero = s == 0
    s[zero] = 1.0  # placeholder, replaced below
    step = 2.0 * significant_unit(s, COMPARE_DIGITS)
    lo, hi = (s, s + step) if strict else (s - step, s)
    lo_k, hi_k = _ordered(lo), _ordered(hi)
    while True:
        open_ = hi_k - lo_k > 1
        if not open_.any():
            break
        mid_k = lo_k + (hi_k - lo_k) // 2
        rounded = round_sig(_unordered(mid_k), COMPARE_DIGITS)
        reached = rounded > s if strict else rounded >= s
        hi_k = np.where(open_ & reached, mid_k, hi_k)
        lo_k = np.where(open_ & ~reached, mid_k, lo_k)
    out = _unordered(hi_k)
    out[zero] = np.nextafter(0.0, 1.0) if strict else 0.0
    return out


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
    _edges: dict[str, npt.NDArray[np.float64]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: What callers derive from the table once (rates, looked-up columns …),
    #: kept with it so a cached table brings them along.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def parse(cls, table: object, name: str = "table", *, min_columns: int = 2) -> BandTable:
        """Check and parse a band table argument.

        Rows that are entirely blank are skipped (a range selected a little
        larger than the table). A blank, text or error start, a start not above
        the one before it, or fewer than ``min_columns`` columns is ``#VALUE!``
        (an error cell in the start column is passed through).

        A table given as nested lists or tuples of plain cells (numbers, text,
        blanks, booleans), or as a numeric array, is parsed once and kept in a
        small LRU cache keyed by its value, so a column of per-cell calls
        (a UDF filled down in Excel) does not re-parse it for each cell.
        """
        key = _fingerprint(table)
        if key is None:
            return cls._parse(table, name, min_columns)
        key = (name, min_columns, key)
        found = _CACHE.get(key)
        if found is not None:
            with suppress(KeyError):  # another thread dropped it meanwhile
                _CACHE.move_to_end(key)
            return found
        parsed = cls._parse(table, name, min_columns)
        parsed.starts.setflags(write=False)
        parsed.columns.setflags(write=False)
        _CACHE[key] = parsed
        while len(_CACHE) > _CACHE_SIZE:
            with suppress(KeyError):
                _CACHE.popitem(last=False)
        return parsed

    @classmethod
    def _parse(cls, table: object, name: str, min_columns: int) -> BandTable:
        """:meth:`parse` without the cache."""
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
            what_en = (
                "duplicates the start above" if steps[k - 1] == 0 else "is below the start above"
            )
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
        digits first. (NaN, which the kernel only holds where an input cell is
        an error, gets an arbitrary index; callers lay the error over it.)
        """
        arr = np.asarray(x, dtype=np.float64)
        if arr.size >= _EDGE_MIN_SIZE and self._edges_exact():
            edges = self.edges(side)
            if edges.size > _COUNT_MAX_BANDS:
                return np.searchsorted(edges, arr, side="right") - 1
            # Few bands: counting the edges each value reaches beats a binary
            # search per value (one vectorised comparison per band, in int8).
            count = (arr >= edges[0]).view(np.int8).copy()
            for edge in edges[1:]:
                count += (arr >= edge).view(np.int8)
            return count.astype(np.intp) - 1
        xs = round_sig(arr, COMPARE_DIGITS)
        if side == "lower":
            return np.searchsorted(self.starts, xs, side="right") - 1
        idx = np.searchsorted(self.starts, xs, side="left") - 1
        return np.where(xs == self.starts[0], 0, idx)

    def locate_one(self, x: float, side: str) -> int:
        """:meth:`locate` for one finite value, in plain Python (the per-cell
        path): a bisection on the edges, the same comparison :meth:`locate`
        makes on long columns."""
        key = ("edges", side)
        if key not in self.memo:
            # None: a start within 1e-280 of 0 has no exact edge, numpy decides.
            self.memo[key] = self.edges(side).tolist() if self._edges_exact() else None
        edges: list[float] | None = self.memo[key]
        if edges is None:
            return int(self.locate(np.array([x]), side)[0])
        return bisect.bisect_right(edges, x) - 1

    def _edges_exact(self) -> bool:
        """Edges are exact unless a start is within 1e-280 of 0 (not 0 itself),
        where 12-digit rounding leaves values as they are."""
        s = np.abs(self.starts)
        return not bool(((s > 0) & (s < 1e-280)).any())

    def edges(self, side: str) -> npt.NDArray[np.float64]:
        """Per band, the smallest double that :meth:`locate` puts in it or above.

        ``x >= edges[k]`` exactly when ``x`` rounded to 12 significant digits
        is in band ``k`` or a later one, so ``searchsorted(edges, x, "right") - 1``
        is the band of ``x``. Computed once per table and side.

        >>> t = BandTable.parse([[0, 60], [1, 70], [1.1, 80]])
        >>> bool(t.edges("lower")[1] < 1.0 < t.edges("upper")[1])
        True
        """
        found = self._edges.get(side)
        if found is None:
            if side == "lower":
                found = _first_reaching(self.starts, strict=False)
            else:
                found = _first_reaching(self.starts, strict=True)
                found[0] = self.edges("lower")[0]  # the first start is in band 0 either way
            found.setflags(write=False)
            self._edges[side] = found
        return found

    def numeric_column(
        self, column: int, name: str, *, blank: float = 0.0
    ) -> npt.NDArray[np.float64]:
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


_CACHE: OrderedDict[Any, BandTable] = OrderedDict()


def _fingerprint(table: object) -> Any:
    """An immutable key for a table's value, or ``None`` when it has none
    (cells other than plain numbers, text, blanks and booleans; an error cell
    is never cached, its message would be the first one's)."""
    if isinstance(table, np.ndarray):
        if table.dtype.kind in "iuf":
            return (table.dtype.str, table.shape, table.tobytes())
        return None
    if not isinstance(table, list | tuple) or not table:
        return None
    if all(isinstance(r, list | tuple) for r in table):
        rows = tuple(map(tuple, table))
    else:
        rows = (tuple(table),)
    kinds = set(map(type, chain.from_iterable(rows)))
    if not kinds <= _PLAIN:
        return None
    if bool in kinds:  # True == 1: the types tell them apart
        return rows, tuple(type(c) for c in chain.from_iterable(rows))
    return rows
