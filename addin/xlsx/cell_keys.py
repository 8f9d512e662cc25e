"""Cells as int64 keys ``row * 2**15 + col``: one number per cell, so the
cells of a sheet are an array that sorts, searches and compares at C speed
(a column is at most 16,384 < 2**15, a row at most 1,048,576).

Sets of keys are kept as sorted arrays without repeats (:func:`distinct`),
and membership asked by binary search (:func:`member`): numpy's ``unique`` and
``isin`` hash int64 keys, which takes seconds for a few million.

单元格键：行 × 2**15 + 列，一个整数表示一个单元格，便于整列排序、查找。
"""

from __future__ import annotations

import numpy as np

__all__ = ["COL_BITS", "COL_MASK", "cols_of", "distinct", "keys_of", "member", "rows_of"]

#: how many low bits of a key hold the column (column XFD is 16,384 < 2**15);
#: ``addin/xlsx/_cellsplice.c`` makes its keys the same way
COL_BITS = 15
#: the bits of a key that hold the column
COL_MASK = (1 << COL_BITS) - 1


def keys_of(rows: np.ndarray, cols: np.ndarray | int) -> np.ndarray:
    """The keys of the cells at ``rows`` and ``cols`` (a column or one for all)."""
    return (np.asarray(rows, dtype=np.int64) << COL_BITS) + cols


def rows_of(keys: np.ndarray) -> np.ndarray:
    """The rows of ``keys``."""
    return keys >> COL_BITS


def cols_of(keys: np.ndarray) -> np.ndarray:
    """The columns of ``keys``."""
    return keys & COL_MASK


def distinct(keys: np.ndarray) -> np.ndarray:
    """``keys`` sorted, each once (what ``np.unique`` gives, by sorting)."""
    out = np.sort(np.asarray(keys, dtype=np.int64))
    if len(out) > 1:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out


def member(keys: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which of ``keys`` are in ``among`` (sorted, as :func:`distinct` gives)."""
    keys = np.asarray(keys, dtype=np.int64)
    if not len(among) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(among, keys), len(among) - 1)
    return np.asarray(among[at] == keys)
