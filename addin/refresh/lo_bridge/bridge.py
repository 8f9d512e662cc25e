"""The contract functions, as seen from inside LibreOffice.

This file is copied into a private LibreOffice profile
(``user/Scripts/python/jixiao_bridge.py``) and runs in LibreOffice's embedded
Python. Generated Basic wrappers (one per contract function, see
:func:`addin.refresh.libreoffice.basic_module`) call :func:`call` through the
script provider with the function's name and its arguments.

Environment (set by :mod:`.worker` for ``soffice``):

* ``JIXIAO_PYTHONPATH`` — extra ``sys.path`` entries: the checkout and the
  project venv's ``site-packages`` (for numpy; same CPython minor version).
* ``JIXIAO_FUNCTIONS`` — a JSON file ``{NAME: [module, attr, max_args]}``.

Values crossing Basic: a range arrives as rows of values (``((1.0,), (2.0,))``),
an empty optional argument as ``None``. Basic has no error values, but Calc
stores a formula error as a double — a NaN whose low bits hold the error
number — and reads such a double back as that error, in a cell or inside an
array: an error result is returned in that form
(:func:`addin.hosts.convert.calc_error`, shared with the Calc add-in). A boolean becomes 1/0
(LibreOffice has no boolean type), ``None`` (no result) empty text.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

_FUNCTIONS: dict[str, Any] = {}


def _setup() -> None:
    for entry in reversed(os.environ.get("JIXIAO_PYTHONPATH", "").split(os.pathsep)):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)
    with open(os.environ["JIXIAO_FUNCTIONS"], encoding="utf-8") as fh:
        table = json.load(fh)
    for name, (module, attr, _most) in table.items():
        _FUNCTIONS[name] = getattr(importlib.import_module(module), attr)


def _argument(value: Any) -> Any:
    if isinstance(value, tuple):
        return [[_argument(x) for x in row] if isinstance(row, tuple) else _argument(row)
                for row in value]
    return value


def _scalar(value: Any) -> Any:
    from addin.hosts.convert import calc_error
    from udfs.errors import ExcelError

    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, ExcelError):
        return calc_error(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return value


def _result(value: Any) -> Any:
    if hasattr(value, "ndim") and hasattr(value, "tolist") and value.ndim > 0:
        rows = value.reshape(1, -1) if value.ndim == 1 else value
        if rows.shape == (1, 1):
            return _scalar(rows[0, 0])
        return tuple(tuple(_scalar(x) for x in row) for row in rows)
    return _scalar(value)


def call(name: str, args: tuple[Any, ...]) -> Any:
    """Run contract function ``name`` on ``args`` (as Basic hands them over)."""
    if not _FUNCTIONS:
        _setup()
    return _result(_FUNCTIONS[name](*[_argument(a) for a in args]))


g_exportedScripts = (call,)  # noqa: N816 (the name LibreOffice looks for)
