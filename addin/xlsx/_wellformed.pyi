"""The compiled well-formedness check of an XML part (``_wellformed.c``); see :mod:`addin.xlsx.safexml`."""

def check(data: bytes, /) -> bool: ...

INTERFACE: int
