"""How Excel hands a worksheet argument to our functions, shared by test_hosts_classic and test_hosts_officejs."""

from __future__ import annotations

from typing import Any


def host_range(value: Any) -> Any:
    """An argument as a host hands it: a 2-D list; None if omitted.

    Classic xlwings UDFs (arguments declared ``ndim=2``) and Excel's
    custom-functions runtime (Office.js) both deliver a range, a row or a single
    value as a list of rows.
    """
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if all(isinstance(r, list | tuple) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]
