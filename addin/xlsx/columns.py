"""A sheet's cell values as typed columns, not one Python object per cell.

The worksheet reader (:mod:`addin.xlsx.worksheets`) decodes the plain value cells of
a worksheet — numbers, shared strings, inline strings — with a whole-sheet
scanner (:mod:`addin.xlsx.colscan`) into a :class:`SheetColumns`: parallel
numpy arrays of row, column, kind, number and text index. The engine builds
its grids from those arrays directly (:meth:`SheetColumns.objects`), so a
1,048,575-row log costs a few arrays, not millions of tuples, floats and dict
entries.

``Sheet.values`` stays a mapping ``Coord → CellValue`` for every other reader
(validator, diff, reports): :class:`CellValues` holds the columns plus the
cells decoded one by one (formula cells, rare shapes) and builds the plain
dict only when someone reads it as a mapping.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np

from addin.xlsx.cell_keys import COL_BITS, COL_MASK, distinct, keys_of, member
from addin.xlsx.model import CellValue, Coord, overlay

__all__ = ["INLINE", "NUMBER", "SHARED", "CellValues", "MergedOnChange", "SheetColumns", "mapping_keys"]

#: the kinds of a column cell: a number, a shared string (index into the
#: workbook's table), an inline string (index into the sheet's own table)
NUMBER, SHARED, INLINE = 0, 1, 2


@dataclass(frozen=True)
class SheetColumns:
    """The value cells of one sheet in file order: ``rows[i]``, ``cols[i]``
    (1-based), ``kinds[i]`` (:data:`NUMBER`, :data:`SHARED`, :data:`INLINE`),
    ``numbers[i]`` (the number; 0 for text) and ``texts[i]`` (the index into
    ``shared`` or ``inline``; -1 for numbers)."""

    rows: np.ndarray
    cols: np.ndarray
    kinds: np.ndarray
    numbers: np.ndarray
    texts: np.ndarray
    shared: list[str]
    inline: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    def coords(self) -> np.ndarray:
        """The cells' ``(n, 2)`` (row, col) array."""
        return np.stack([self.rows, self.cols], axis=1).astype(np.intp, copy=False)

    def objects(self) -> np.ndarray:
        """The cells' values as an object array (``float`` and ``str``), built
        at C speed: numbers boxed in one pass, text taken from the tables."""
        return self.values_at(np.arange(len(self.rows)))

    def values_at(self, at: np.ndarray) -> np.ndarray:
        """The values of the cells at positions ``at`` as an object array
        (``float`` and ``str``), as :meth:`objects` gives them."""
        kinds = self.kinds[at]
        out = self.numbers[at].astype(object)
        for kind, table in ((SHARED, self.shared), (INLINE, self.inline)):
            where = np.flatnonzero(kinds == kind)
            if len(where):
                strings = np.empty(len(table), dtype=object)
                strings[:] = table
                out[where] = strings[self.texts[at][where]]
        return out

    def blank(self) -> np.ndarray:
        """Which cells hold the empty text ``""`` (a number never is blank)."""
        out = np.zeros(len(self.rows), dtype=bool)
        for kind, table in ((SHARED, self.shared), (INLINE, self.inline)):
            empty = np.array([t == "" for t in table], dtype=bool)
            if empty.any():
                of_kind = self.kinds == kind
                out[of_kind] = empty[self.texts[of_kind]]
        return out

    def extent(self) -> tuple[int, int]:
        """The last row and column holding a value (0, 0 when none)."""
        if not len(self.rows):
            return (0, 0)
        return (int(self.rows.max()), int(self.cols.max()))


class MergedOnChange(MutableMapping[Coord, CellValue]):
    """A sheet's values kept in more than one store, read without merging
    them: iterated or changed, they become one plain dict first
    (:meth:`merged`, built once), and every later read goes to it."""

    __slots__ = ()

    def merged(self) -> dict[Coord, CellValue]:
        """Every cell as one plain dict (built on first use)."""
        raise NotImplementedError

    def __setitem__(self, key: Coord, value: CellValue) -> None:
        self.merged()[key] = value

    def __delitem__(self, key: Coord) -> None:
        del self.merged()[key]

    def __iter__(self) -> Iterator[Coord]:
        return iter(self.merged())


class CellValues(MergedOnChange):
    """``Sheet.values`` for a sheet read into columns: the columns
    (:attr:`columns`) and the cells decoded one by one (:attr:`cells`). One
    cell is read or tested (``in``, ``get``) without merging; iterated or
    changed, the two are merged into one dict on first use (and the columns
    dropped); the engine reads :attr:`columns` and :attr:`cells` without it."""

    __slots__ = ("_keys", "_merged", "cells", "columns")

    def __init__(self, columns: SheetColumns, cells: dict[Coord, CellValue]) -> None:
        self.columns: SheetColumns | None = columns
        self.cells = cells
        self._merged: dict[Coord, CellValue] | None = None
        self._keys: np.ndarray | None = None  # the columns' sorted cell keys, once looked up

    def _lookup_keys(self) -> np.ndarray | None:
        """The columns' cell keys (``row * 2**15 + col``) for looking one cell
        up by binary search — a 1,048,575-row log is 4 million cells, too many
        for a dict just to test a few — or ``None`` once merged. Cells are
        ascending in file order as the scanner reads them (checked here once:
        otherwise the dict is built and used)."""
        if self._merged is not None or self.columns is None:
            return None
        if self._keys is None:
            c = self.columns
            keys = keys_of(c.rows, c.cols)
            if len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
                self.merged()
                return None
            self._keys = keys
        return self._keys

    def column(self, col: int, rows: np.ndarray) -> np.ndarray:
        """The values of column ``col`` at ``rows`` (an object array in the
        order of ``rows``, ``None`` for a cell not present): looked up together
        by binary search in the columns, the cells decoded one by one over
        them, as one cell is read — no dict of the sheet built."""
        keys = self._lookup_keys()
        rows = np.asarray(rows, dtype=np.int64)
        out = np.full(len(rows), None, dtype=object)
        if keys is None:
            merged = self.merged()
            out[:] = [merged.get((r, col)) for r in rows.tolist()]
            return out
        if len(keys) and len(rows):
            want = keys_of(rows, col)
            at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
            found = np.flatnonzero(keys[at] == want)
            if len(found):
                assert self.columns is not None
                out[found] = self.columns.values_at(at[found])
        overlay(out, self.cells, col, rows)
        return out

    def cell_keys(self, *, filled: bool) -> np.ndarray:
        """The cells present as sorted keys ``row * 2**15 + col`` (int64); with
        ``filled``, only those holding a value other than ``None`` and ``""``."""
        c = self.columns
        if self._merged is not None or c is None:
            return mapping_keys(self.merged(), filled=filled)
        keys = keys_of(c.rows, c.cols)
        if filled:
            keys = keys[~c.blank()]
        if self.cells:
            own = mapping_keys(self.cells, filled=filled)
            keys = np.concatenate([keys[~member(keys, mapping_keys(self.cells, filled=False))], own])
        return distinct(keys)

    def merged(self) -> dict[Coord, CellValue]:
        """Every cell as one plain dict (built once)."""
        if self._merged is None:
            merged: dict[Coord, CellValue] = {}
            c = self.columns
            if c is not None and len(c):
                merged = dict(zip(map(tuple, c.coords().tolist()), c.objects().tolist(), strict=True))
            merged.update(self.cells)
            self._merged, self.columns = merged, None
            self.cells = merged
        return self._merged

    def __getitem__(self, key: Coord) -> CellValue:
        keys = self._lookup_keys()
        if keys is None:
            return self.merged()[key]
        if key in self.cells:
            return self.cells[key]
        i = _position(keys, key)
        if i < 0:
            raise KeyError(key)
        c = self.columns
        assert c is not None
        kind = int(c.kinds[i])
        if kind == NUMBER:
            return float(c.numbers[i])
        return (c.shared if kind == SHARED else c.inline)[int(c.texts[i])]

    def __contains__(self, key: object) -> bool:
        keys = self._lookup_keys()
        if keys is None:
            return key in self.merged()
        return key in self.cells or _position(keys, key) >= 0

    def __len__(self) -> int:
        if self._merged is None and self.columns is not None:
            return len(self.columns) + len(self.cells)  # the scanner keeps them apart
        return len(self.merged())

    def __bool__(self) -> bool:
        return len(self) > 0

    def __repr__(self) -> str:
        return f"CellValues({len(self)} cells)"


def mapping_keys(cells: Mapping[Coord, CellValue], *, filled: bool) -> np.ndarray:
    """The sorted keys ``row * 2**15 + col`` of the cells of a plain mapping
    (with ``filled``, those holding a value other than ``None`` and ``""``)."""
    held = [coord for coord, v in cells.items() if not filled or (v is not None and not (isinstance(v, str) and v == ""))]
    rows = np.array([r for r, _c in held], dtype=np.int64)
    return distinct(keys_of(rows, np.array([c for _r, c in held], dtype=np.int64)))


def _position(keys: np.ndarray, key: object) -> int:
    """Where the cell ``key`` (a (row, col) tuple) is in the ascending ``keys``
    (``row * 2**15 + col``), or -1."""
    if not isinstance(key, tuple) or len(key) != 2:
        return -1
    row, col = _whole(key[0]), _whole(key[1])
    if row is None or col is None or row < 1 or not 0 < col <= COL_MASK:
        return -1
    want = (row << COL_BITS) + col
    i = int(np.searchsorted(keys, want))
    return i if i < len(keys) and int(keys[i]) == want else -1


def _whole(x: object) -> int | None:
    """``x`` as the int a dict key equal to it would be (``2``, ``np.int64(2)``,
    ``2.0``), or ``None``."""
    if isinstance(x, float):
        return int(x) if x.is_integer() else None
    try:
        return operator.index(x)  # type: ignore[arg-type]
    except TypeError:
        return None
