"""The compiled worksheet cell scanner (``_cellscan.c``); see :mod:`addin.xlsx.colscan`."""

def scan(
    data: bytes, start: int, end: int, prefix: bytes, n_shared: int, formula_values: bool, /
) -> tuple[bytearray, ...] | None: ...
def markup(data: bytes, top: bytes, /) -> tuple[int, int, int, int, int]: ...

INTERFACE: int
