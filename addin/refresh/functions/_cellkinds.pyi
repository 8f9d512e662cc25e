"""Cell kinds at C speed (``_cellkinds.c``); see :mod:`addin.refresh.functions.cellkinds`."""

def kinds(cells: list[object], /) -> tuple[bytearray, bytearray]: ...

INTERFACE: int
