"""The calls the xlwings Lite tests make, as Office.js hands them to xlwings, and the
same calls answered by this project's own :mod:`addin.hosts.officejs` (the reference)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from host_helpers import host_range

from addin.registry import FUNCTIONS

#: Every registry example, then a blank and an error in a range, a bad keyword
#: (a whole-call error) and an allocation with no weight.
CALLS: list[tuple[str, list[Any]]] = [
    (spec.name, list(ex.args)) for spec in FUNCTIONS for ex in spec.examples
] + [
    ("MONEY", [[[1.005], [None], [{"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}]], None, None]),
    ("TIERED", [8, [[0, 20], [5, 40]], "不存在", None]),
    ("ALLOCATE", [100, [[0, 0]], None]),
]


def lite_payload(name: str, args: list[Any], version: str) -> dict[str, Any]:
    """What Excel's custom-functions runtime sends xlwings for ``=JX.name(args…)``."""
    return {
        "func_name": name,
        "args": [host_range(a) for a in args],
        "caller_address": "Office.js[Book1.xlsx]Sheet1!A1",
        "version": version,
        "client": "Office.js",
        "runtime": "1.4",
    }


def here_call(payload: dict[str, Any]) -> Any:
    """``payload`` answered by :mod:`addin.hosts.officejs` in CPython, errors caught as Lite does
    (a JSON round trip, as the results of a Lite run arrive)."""
    import xlwings
    import xlwings.server

    from addin.hosts import officejs

    try:
        result = asyncio.run(xlwings.server.custom_functions_call(payload, officejs))
    except xlwings.XlwingsError as e:
        result = {"error": str(e)}
    return json.loads(json.dumps(result))
