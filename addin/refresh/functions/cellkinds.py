"""The kind of every cell of an object array — a float, a text, a blank or
anything else — and the floats' values, for the array paths of the criteria functions (a 1,048,575-row
column is tested several times per refresh).

Compiled (``_cellkinds.c``, built by ``pip install``) it costs a few
nanoseconds a cell instead of a Python call each; without a C compiler the
same kinds come from :func:`numpy.frompyfunc`.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from addin import native

#: the compiled helper, or ``None`` (not built, or built for another
#: interface): numpy then calls a Python function per cell
_cellkinds: ModuleType | None = native.load("addin.refresh.functions._cellkinds", 1)

__all__ = ["BLANK", "FLOAT", "OTHER", "TEXT", "cell_kinds", "kinds_and_floats"]

#: the kinds: exact types, as ``v.__class__`` says (a subclass is OTHER)
FLOAT, TEXT, BLANK, OTHER = 0, 1, 2, 3
_KINDS: dict[type, int] = {float: FLOAT, str: TEXT, type(None): BLANK}
_KIND_OF = np.frompyfunc(lambda v: _KINDS.get(v.__class__, OTHER), 1, 1)


def cell_kinds(flat: np.ndarray) -> np.ndarray:
    """The ``int8`` kind of each cell of the one-dimensional ``flat``."""
    return kinds_and_floats(flat)[0]


def kinds_and_floats(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``int8`` kind of each cell of the one-dimensional ``flat`` and the
    value of each float cell (0.0 elsewhere), as ``float64``."""
    if _cellkinds is not None and flat.dtype == object:
        kinds, floats = _cellkinds.kinds(flat.tolist())
        return np.frombuffer(kinds, dtype=np.int8), np.frombuffer(floats, dtype=np.float64)
    kinds = np.asarray(_KIND_OF(flat), dtype=np.int8).reshape(flat.shape)
    values = np.zeros(flat.shape, dtype=np.float64)
    where = np.flatnonzero(kinds == FLOAT)
    values[where] = flat[where].astype(np.float64)
    return kinds, values
