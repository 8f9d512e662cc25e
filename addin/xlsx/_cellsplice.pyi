"""Numbers spliced into formula cells at C speed (``_cellsplice.c``); see :mod:`addin.xlsx.sheet_writer`."""

def splice(
    xml: bytes, start: int, end: int, prefix: bytes, keys: bytes, values: bytes, /
) -> tuple[bytes, bytearray, int] | None: ...

INTERFACE: int
