"""A sheet's values after a recalculation, read by column: the values in the
file with the engine's results over them, without merging the two.

The file's values (:class:`~addin.xlsx.columns.CellValues`) are typed columns
and the engine's (:class:`~addin.xlsx.model.SheetResults`) are arrays per
block; :class:`Recalculated` answers one cell (``get``) from the results, else
the file, and a column at many rows (:func:`column_values`) as a few array
operations — ``jixiao diff`` reads a million people's values this way, not as
a dict of two million cells. Iterated (``items()``), it merges the two into
one dict on first use, in the order the file's cells and then the results
give, as writing each result into the file's values did.

Any other mapping (a plain dict of cells) is read by :func:`column_values`
and :func:`cell_keys` one cell at a time.

重算后的工作表数值：文件中的值与引擎结果叠加，按列读取，不合并成一个字典。
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from addin.xlsx.cell_keys import distinct, member
from addin.xlsx.columns import CellValues, MergedOnChange, mapping_keys
from addin.xlsx.model import CellValue, Coord, SheetResults, overlay

__all__ = ["Recalculated", "cell_keys", "column_values"]


class Recalculated(MergedOnChange):
    """The values of a sheet: ``file`` (the values read) with ``results`` (the
    engine's, a ``None`` result a blank) over them. A cell set or deleted
    merges them first (as :class:`~addin.xlsx.columns.CellValues` does)."""

    __slots__ = ("_merged", "file", "results")

    def __init__(self, file: Mapping[Coord, CellValue], results: Mapping[Coord, CellValue]) -> None:
        self.file = file
        self.results = results
        self._merged: dict[Coord, CellValue] | None = None

    def merged(self) -> dict[Coord, CellValue]:
        """Every cell as one plain dict (built once): the file's cells in their
        order, each result replacing its cell or added after them, a ``None``
        result taking its cell out. The file's own dict is used (its
        :class:`~addin.xlsx.columns.CellValues` merged, or the plain dict
        given), not copied: after this, read the cells here."""
        if self._merged is None:
            file = self.file
            merged = file.merged() if isinstance(file, CellValues) else file if isinstance(file, dict) else dict(file)
            for coord, value in self.results.items():
                if value is None:
                    merged.pop(coord, None)
                else:
                    merged[coord] = value
            self._merged = merged
        return self._merged

    def __getitem__(self, key: Coord) -> CellValue:
        if self._merged is not None:
            return self._merged[key]
        if key in self.results:
            value = self.results[key]
            if value is None:
                raise KeyError(key)
            return value
        return self.file[key]

    def __contains__(self, key: object) -> bool:
        if self._merged is not None:
            return key in self._merged
        if key in self.results:
            return self.results[key] is not None  # type: ignore[index]
        return key in self.file

    def __len__(self) -> int:
        return len(self.merged())

    def __repr__(self) -> str:
        return f"Recalculated({len(self.file)} cells read, {len(self.results)} computed)"

    def column(self, col: int, rows: np.ndarray) -> np.ndarray:
        """The values of column ``col`` at ``rows`` (an object array in the
        order of ``rows``, ``None`` for a blank)."""
        if self._merged is not None:
            return _mapping_column(self._merged, col, rows)
        out = _column(self.file, col, rows)
        if isinstance(self.results, SheetResults):
            values, present = self.results.column(col, rows)
            out[present] = values[present]
        else:
            overlay(out, self.results, col, np.asarray(rows, dtype=np.int64))
        return out

    def cell_keys(self, *, filled: bool) -> np.ndarray:
        """The cells holding a value as sorted keys (:mod:`addin.xlsx.cell_keys`)
        (with ``filled``, a value other than ``""`` too)."""
        if self._merged is not None:
            return mapping_keys(self._merged, filled=filled)
        results = self.results
        if isinstance(results, SheetResults):
            given, own = results.cell_keys(given=True), results.cell_keys(filled=filled)
        else:
            given = mapping_keys(results, filled=False)
            held = {coord: v for coord, v in results.items() if v is not None}  # a None result: a blank
            own = mapping_keys(held, filled=filled)
        file = cell_keys(self.file, filled=filled)
        return distinct(np.concatenate([file[~member(file, given)], own]))


def column_values(values: Mapping[Coord, CellValue], col: int, rows: np.ndarray | list[int]) -> list[CellValue]:
    """The values of column ``col`` at ``rows`` of a sheet's ``values`` (in
    the order of ``rows``, ``None`` for a blank): read as columns from a
    :class:`Recalculated` or :class:`~addin.xlsx.columns.CellValues`, one cell
    at a time from any other mapping."""
    rows = np.asarray(rows, dtype=np.int64)
    out: list[CellValue] = _column(values, col, rows).tolist()
    return out


def cell_keys(values: Mapping[Coord, CellValue], *, filled: bool) -> np.ndarray:
    """The cells of a sheet's ``values`` as sorted keys (:mod:`addin.xlsx.cell_keys`)
    (int64; with ``filled``, only those holding a value other than ``None``
    and ``""``)."""
    if isinstance(values, Recalculated | CellValues):
        return values.cell_keys(filled=filled)
    return mapping_keys(values, filled=filled)


def _column(values: Mapping[Coord, CellValue], col: int, rows: np.ndarray) -> np.ndarray:
    if isinstance(values, Recalculated | CellValues):
        return values.column(col, rows)
    return _mapping_column(values, col, rows)


def _mapping_column(values: Mapping[Coord, CellValue], col: int, rows: np.ndarray) -> np.ndarray:
    out = np.full(len(rows), None, dtype=object)
    out[:] = [values.get((r, col)) for r in np.asarray(rows, dtype=np.int64).tolist()]
    return out
