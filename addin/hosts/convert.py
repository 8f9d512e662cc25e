"""Values between Excel hosts and the kernel, and the wrappers built from the registry.

Each host hands a worksheet function something a little different:

* **classic** (xlwings on Windows, COM): with ``ndim=2`` every range is a 2-D
  list; blanks are ``None``; with ``err_to_str=True`` a cell error arrives as
  its spelling (``"#N/A"``); dates arrive as ``datetime``.
* **officejs** (xlwings Server and xlwings Lite): each argument is a 2-D list
  (xlwings turns a 1×1 into a scalar); blanks are ``None``/``""`` (Pyodide's
  ``JsNull`` too); errors arrive as ``"#N/A"`` (``err_to_str=True``) or as a
  data-type dict ``{"type": "Error", "basicValue": "#N/A", ...}``; dates
  arrive as serial numbers.

:func:`from_host` turns such a value into what the kernel accepts (``None``
for a blank, :class:`~udfs.errors.ExcelError` for an error, an Excel serial
for a date). :func:`to_host` turns a kernel result back: a scalar or a 2-D
list of plain Python values, ``""`` for an empty cell, NaN/inf as ``#NUM!``,
and kernel errors as the error value each host can show:

* classic: the error's spelling followed by the kernel's reason, as text
  (``"#VALUE! 参数 mode … / mode …"``). xlwings' classic UDF bridge cannot
  return a real COM error value (xlwings issue #776) and turns a raised
  exception into the VBA ``Err.Description`` text (xlwings ``udfs.py``,
  ``generate_vba_wrapper``: ``NAME = Err.Description``), i.e. a traceback in
  the cell; so the reason is written after the spelling instead: the text
  still starts with ``#`` (``COUNTIF(range,"#*")`` finds it) and says why.
* wps (WPS 表格 JS add-in, :mod:`addin.hosts.wps`): as classic — the spelling
  and the reason as text. WPS's custom-function API (``wps.AddCustomFunction``,
  npm ``et-jsapi-declare``) documents no way to return an error value, so the
  text is what every WPS shows (see docs/wps.md).
* officejs: a call that fails as a whole with ``#VALUE!`` and a reason
  (bad keyword, unsorted table, wrong shape) raises the host's error class
  (``xlwings.XlwingsError``) with the reason, Chinese then English: xlwings
  Server answers it with HTTP 500 and the message, which its custom-functions
  JavaScript throws as ``CustomFunctions.Error(invalidValue, message)``, and
  xlwings Lite reports a raised exception the same way — Excel shows
  ``#VALUE!`` with the reason on the cell's error flag. Other errors, and
  errors in single cells of a spilled result, are error values: only the
  five Microsoft lists as custom-function *outputs* (``#DIV/0!``, ``#N/A``,
  ``#NULL!``, ``#NUM!``, ``#VALUE!``; "Handle and return errors from your
  custom function", learn.microsoft.com/office/dev/add-ins/excel/
  custom-functions-errors) are returned as themselves; ``#NAME?`` and ``#REF!``
  (input-only there), ``#SPILL!``, ``#CALC!`` and ``#GETTING_DATA`` (not in
  ``CustomFunctions.ErrorCode``) become ``#VALUE!``. xlwings turns each
  spelling into ``{"type": "Error", "errorType": …}`` (runtime ≥ 1.4) or
  leaves it as text (older runtimes).

* calc (LibreOffice Calc, :mod:`addin.hosts.calc`): an argument is a number,
  a text or, for a range or an inline array, rows of cells (a blank cell of a
  range is ``""``, a blank single cell ``0.0``, TRUE/FALSE are 1/0). A result
  is rows of cells (:func:`calc_rows`): an empty cell is an empty value
  (``None``, never ``""``, which Calc would hold as text), and an error is
  LibreOffice's own encoding of a formula error — a NaN whose low bits hold
  the error number (:func:`calc_error`) — which Calc shows as that error, in a
  cell or inside an array. The kernel's reason does not reach the cell.

This module imports only numpy and the kernel, so the xlwings Lite bundle
(:mod:`addin.hosts.lite`) can ship it unchanged. :func:`bind` applies a host's
``func``/``arg`` decorators to wrappers generated from the registry; it is
the one generator behind :mod:`addin.hosts.classic`, :mod:`addin.hosts.officejs` and the
Lite ``main.py``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import struct
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, Literal

import numpy as np

from addin.registry import FUNCTIONS, NAMESPACE, Argument, FunctionSpec
from udfs.errors import NUM, ExcelError, parse_error

__all__ = [
    "CALC_ERROR_NUMBERS",
    "CLASSIC_HELP_LIMIT",
    "OFFICEJS_ARG_HELP_LIMIT",
    "OFFICEJS_HELP_LIMIT",
    "Host",
    "bind",
    "calc_error",
    "calc_rows",
    "call",
    "cut_help",
    "excel_serial",
    "from_host",
    "host_error",
    "kernel_cell",
    "kernel_result",
    "make_wrapper",
    "to_host",
]

Host = Literal["classic", "officejs", "calc", "wps"]

#: Excel's limit for a function's and an argument's description in the wizard
#: (``Application.MacroOptions``).
CLASSIC_HELP_LIMIT = 255
#: Office.js custom-function metadata: an argument description is at most 128
#: characters in the add-in schema; function descriptions are kept to 255.
OFFICEJS_ARG_HELP_LIMIT = 128
OFFICEJS_HELP_LIMIT = 255

#: Kinds whose one-cell value is handed to the kernel as a scalar.
_SCALAR_KINDS = frozenset({"number", "keyword", "criterion"})

#: Office.js ``errorType`` of each Excel error (Excel.ErrorCellValueType).
_OFFICEJS_ERROR_TYPES: dict[str, str] = {
    "#NULL!": "Null",
    "#DIV/0!": "Div0",
    "#VALUE!": "Value",
    "#REF!": "Ref",
    "#NAME?": "Name",
    "#NUM!": "Num",
    "#N/A": "NotAvailable",
    "#GETTING_DATA": "GettingData",
    "#SPILL!": "Spill",
    "#CALC!": "Calc",
}
_ERRORS_BY_OFFICEJS_TYPE = {v: k for k, v in _OFFICEJS_ERROR_TYPES.items()}
#: Errors Microsoft documents as custom-function outputs (``CustomFunctions.ErrorCode``
#: minus the input-only ``#NAME?`` and ``#REF!``); xlwings maps their spellings itself.
_OFFICEJS_OUTPUT_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NULL!", "#NUM!", "#VALUE!"})

#: LibreOffice's FormulaError number of each Excel error (include/formula/errorcodes.hxx);
#: an error LibreOffice has no number for becomes #VALUE!.
CALC_ERROR_NUMBERS: dict[str, int] = {
    "#NULL!": 521,
    "#DIV/0!": 532,
    "#VALUE!": 519,
    "#REF!": 524,
    "#NAME?": 525,
    "#NUM!": 503,
    "#N/A": 32767,
}

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# ---------------------------------------------------------------------------
# Host → kernel
# ---------------------------------------------------------------------------


def excel_serial(value: dt.date | dt.datetime | dt.time) -> float:
    """A date, date-time or time as Excel's serial number (1900 date system).

    >>> excel_serial(dt.date(2024, 1, 31))
    45322.0
    >>> excel_serial(dt.datetime(2024, 1, 31, 12))
    45322.5
    """
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
        delta = naive - _EXCEL_EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if isinstance(value, dt.date):
        return float((value - _EXCEL_EPOCH.date()).days)
    return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400


def _is_js_null(value: object) -> bool:
    """Pyodide ≥ 0.28 passes JavaScript ``null`` as a ``JsNull`` sentinel."""
    return type(value).__name__ == "JsNull"


def _cell_from_host(value: object) -> Any:
    """One cell as the kernel reads it."""
    if value is None or _is_js_null(value):
        return None
    if isinstance(value, str):
        if value == "":
            return None
        err = parse_error(value)
        return err if err is not None else value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | ExcelError):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return excel_serial(value)
    if isinstance(value, dict):
        return _data_type_from_host(value)
    return value


def _data_type_from_host(value: dict[str, Any]) -> Any:
    """An Office.js cell value dict (error, formatted number, …) as a plain value."""
    if value.get("type") == "Error":
        err = parse_error(value.get("basicValue"))
        if err is None:
            err = parse_error(_ERRORS_BY_OFFICEJS_TYPE.get(str(value.get("errorType")), "#VALUE!"))
        return err
    if "basicValue" in value:
        return _cell_from_host(value["basicValue"])
    return value


def from_host(value: object, kind: str = "range") -> Any:
    """A host argument as the kernel takes it.

    Ranges stay 2-D lists (a flat list is one row); a one-cell argument of a
    scalar kind (number, keyword, criterion) becomes its value; blanks are
    ``None``; error spellings and Office.js error dicts become
    :class:`~udfs.errors.ExcelError`; dates become Excel serials.

    >>> from_host([[1, None], ["#N/A", ""]])
    [[1, None], [ExcelError('#N/A'), None]]
    >>> from_host([["超额"]], "keyword")
    '超额'
    >>> from_host({"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"})
    ExcelError('#DIV/0!')
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        if not value:
            return None
        rows: Sequence[Any] = (
            value if all(isinstance(r, list | tuple) for r in value) else [value]
        )
        block = [[_cell_from_host(c) for c in row] for row in rows]
        if kind in _SCALAR_KINDS and len(block) == 1 and len(block[0]) == 1:
            return block[0][0]
        return block
    return _cell_from_host(value)


# ---------------------------------------------------------------------------
# Kernel → host
# ---------------------------------------------------------------------------


def host_error(error: ExcelError, host: Host) -> str:
    """The error value ``host`` shows for a kernel error (see the module docs).

    >>> host_error(ExcelError("#SPILL!"), "officejs")
    '#VALUE!'
    >>> host_error(ExcelError("#N/A", "低于第一档 / below the first band"), "classic")
    '#N/A 低于第一档 / below the first band'
    """
    if host in ("classic", "wps"):
        return f"{error.code} {error.message}" if error.message else error.code
    return error.code if error.code in _OFFICEJS_OUTPUT_ERRORS else "#VALUE!"


def calc_error(error: ExcelError) -> float:
    """``error`` as LibreOffice encodes a formula error in a double.

    A quiet NaN whose low 32 bits hold the FormulaError number
    (``formula::CreateDoubleError``); Calc reads such a double back as that
    error, in a cell or inside an array.

    >>> import struct
    >>> hex(struct.unpack("<Q", struct.pack("<d", calc_error(ExcelError("#DIV/0!"))))[0])
    '0x7ff8000000000214'
    """
    code = CALC_ERROR_NUMBERS.get(error.code, CALC_ERROR_NUMBERS["#VALUE!"])
    return float(struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000000 | code))[0])


#: What a kernel result that is not a finite number becomes in a cell.
NOT_FINITE = NUM.with_message("结果不是有限数 / result is not a finite number")


def kernel_cell(value: Any, empty: Any = "") -> Any:
    """One cell of a kernel result as every host and the engine hold it: a
    plain Python value (numbers as ``float``), ``empty`` for an empty cell
    (``""``: Excel shows empty text; Calc takes ``None``), an
    :class:`~udfs.errors.ExcelError` kept as it is (NaN and infinities become
    #NUM! with the reason), a date as its Excel serial.

    >>> kernel_cell(np.int64(3)), kernel_cell(None), kernel_cell(float("nan")).code
    (3.0, '', '#NUM!')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return empty
    if isinstance(value, bool | str | ExcelError):
        return value
    if isinstance(value, int | float):
        f = float(value)  # a UNO hyper is no number to Calc; Excel's numbers are doubles
        return f if math.isfinite(f) else NOT_FINITE
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return excel_serial(value)
    return value


def kernel_result(result: Any, empty: Any = "") -> Any:
    """A kernel result as cells hold it (:func:`kernel_cell`): a scalar, or a
    2-D object array (a 1-D result is one row) — the one normaliser of kernel
    values, for every host (:func:`to_host`) and the refresh engine.

    >>> kernel_result(np.array([1.5, 2.0])).tolist()
    [[1.5, 2.0]]
    """
    if isinstance(result, np.ndarray):
        if result.ndim == 0:
            return kernel_cell(result.item(), empty)
        arr = result.reshape(1, -1) if result.ndim == 1 else result
        out = np.empty(arr.shape, dtype=object)
        if arr.dtype.kind == "f" and np.isfinite(arr).all():
            out[...] = (arr + 0.0).tolist()  # the common case at C speed (-0.0 as 0.0)
        else:
            for idx, x in np.ndenumerate(arr):
                out[idx] = kernel_cell(x, empty)
        return out
    if isinstance(result, list | tuple):
        rows = result if all(isinstance(r, list | tuple) for r in result) else [result]
        return [[kernel_cell(c, empty) for c in row] for row in rows]
    return kernel_cell(result, empty)


def _cell_to_host(value: Any, host: Host) -> Any:
    if isinstance(value, ExcelError):
        return calc_error(value) if host == "calc" else host_error(value, host)
    return value


def to_host(result: Any, host: Host) -> Any:
    """A kernel result as ``host`` takes it: a scalar or a 2-D list
    (:func:`kernel_result`, errors as ``host`` shows them).

    >>> to_host(np.array([[1.5, np.nan]]), "officejs")
    [[1.5, '#NUM!']]
    >>> to_host(ExcelError("#VALUE!", "参数 mode …"), "officejs")
    '#VALUE!'
    >>> to_host(None, "classic")
    ''
    """
    cells = kernel_result(result, None if host == "calc" else "")
    if isinstance(cells, np.ndarray):
        cells = cells.tolist()
    if isinstance(cells, list):
        return [[_cell_to_host(c, host) for c in row] for row in cells]
    return _cell_to_host(cells, host)


def calc_rows(result: Any, text: bool = False) -> tuple[tuple[Any, ...], ...]:
    """A ``"calc"`` host result as the rows a Calc add-in function returns.

    A scalar becomes one row of one cell. With ``text`` (a function whose
    results are labels, :attr:`~addin.registry.FunctionSpec.text_result`)
    every cell becomes text, as Calc takes ``sequence<sequence<string>>``: an
    empty cell ``""`` and a number as Calc's General format writes it. Such a
    result cannot hold an error value: an error in it raises
    :class:`ValueError` (the add-in's call then fails as a whole: ``#VALUE!``).

    >>> calc_rows(2.5)
    ((2.5,),)
    >>> calc_rows([["A"], [None], [3.0]], text=True)
    (('A',), ('',), ('3',))
    """
    rows = result if isinstance(result, list) else [[result]]
    if not text:
        return tuple(tuple(row) for row in rows)
    return tuple(tuple(_calc_text(cell) for cell in row) for row in rows)


def _calc_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if math.isnan(cell):
            raise ValueError("an error value in a text result")
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)


def call(
    spec: FunctionSpec,
    args: Sequence[Any],
    host: Host,
    raise_as: Callable[[str], Exception] | None = None,
) -> Any:
    """Call ``spec``'s kernel function with host arguments; return a host result.

    Arguments left out are omitted (``None``). Only errors the kernel returns
    are turned into error values; a bug in the kernel is not hidden. With
    ``raise_as`` (the host's error class), a call that fails as a whole with
    ``#VALUE!`` and a reason raises ``raise_as(reason)`` so the host shows it.
    """
    _, most = spec.arg_counts
    given = list(args) + [None] * (most - len(args))
    kernel_args = [from_host(v, a.kind) for v, a in zip(given, spec.args, strict=True)]
    result = spec.kernel(*kernel_args)
    if raise_as is not None and isinstance(result, ExcelError) and result.code == "#VALUE!" and result.message:
        raise raise_as(f"{spec.name}: {result.message}")
    return to_host(result, host)


# ---------------------------------------------------------------------------
# Wrappers and help text
# ---------------------------------------------------------------------------

_BREAKS = "。；;！？!?"


def cut_help(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a sentence end.

    Cuts after the last full stop (。；. etc.) that fits; failing that, at the
    last comma or space and adds "…". Text that fits is returned unchanged.

    >>> cut_help("第一句。第二句很长很长。", 8)
    '第一句。'
    >>> len(cut_help("x" * 300, 255))
    255
    """
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(c) for c in _BREAKS)
    dot = head.rfind(". ")
    if dot >= 0 and dot + 1 > stop:
        stop = dot
    if stop >= limit // 3:
        return head[: stop + 1].rstrip()
    head = text[: limit - 1]
    soft = max(head.rfind(c) for c in "，, ")
    if soft >= limit // 3:
        head = head[:soft]
    return head.rstrip() + "…"


def _help(zh: str, en: str, limit: int) -> str:
    """Chinese then English when both fit; else Chinese alone, cut to ``limit``."""
    both = f"{zh} / {en}"
    return both if len(both) <= limit else cut_help(zh, limit)


def function_help(spec: FunctionSpec, limit: int) -> str:
    """The function's wizard description within ``limit`` characters."""
    return _help(f"{spec.signature} {spec.help_zh}", spec.help_en, limit)


def argument_help(arg: Argument, limit: int) -> str:
    """An argument's description within ``limit`` characters.

    Chinese first; keyword arguments list their accepted spellings; English
    follows where it fits (in that order of preference).
    """
    zh = arg.help_zh
    if arg.keyword is not None:
        words = f"{zh}（可选值：{'、'.join(arg.spellings)}）"
        for candidate in (f"{words} / {arg.help_en}", f"{zh} / {arg.help_en}", words):
            if len(candidate) <= limit:
                return candidate
    return _help(zh, arg.help_en, limit)


def make_wrapper(
    spec: FunctionSpec,
    host: Host,
    module: str | None = None,
    raise_as: Callable[[str], Exception] | None = None,
) -> Callable[..., Any]:
    """A plain function ``spec.name(arg1, arg2, …)`` converting for ``host``.

    Its signature lists the registry's arguments (optional ones default to
    ``None``), so xlwings derives the Excel-facing parameters from it.
    ``module`` becomes its ``__module__`` (the module that defines it as an
    attribute); ``raise_as`` is passed to :func:`call`.
    """

    def worksheet_function(*args: Any) -> Any:
        return call(spec, args, host, raise_as)

    params = [
        inspect.Parameter(
            a.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None if a.optional else inspect.Parameter.empty,
        )
        for a in spec.args
    ]
    worksheet_function.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    worksheet_function.__name__ = spec.name
    worksheet_function.__qualname__ = spec.name
    if module is not None:
        worksheet_function.__module__ = module
    limit = OFFICEJS_HELP_LIMIT if host == "officejs" else CLASSIC_HELP_LIMIT
    worksheet_function.__doc__ = function_help(spec, limit)
    return worksheet_function


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def bind(
    target: MutableMapping[str, Any],
    host: Host,
    func: Callable[..., Any],
    arg: Callable[..., Decorator],
    functions: Sequence[FunctionSpec] = FUNCTIONS,
    raise_as: Callable[[str], Exception] | None = None,
) -> list[str]:
    """Define one decorated worksheet function per registry entry in ``target``.

    ``func`` and ``arg`` are the host's xlwings decorators (classic ``xw.func``
    / ``xw.arg`` or ``xlwings.server.func`` / ``arg``). Every argument is read
    as a 2-D range (``ndim=2``) with cell errors as their spelling
    (``err_to_str=True``), so a one-cell range and a column arrive in the same
    shape as a block. Each function's ``__module__`` is ``target["__name__"]``
    (the module defining it); ``raise_as`` is the host's error class for
    whole-call errors (see :func:`call`). Returns the names defined.
    """
    arg_limit = OFFICEJS_ARG_HELP_LIMIT if host == "officejs" else CLASSIC_HELP_LIMIT
    defined = []
    for spec in functions:
        f = make_wrapper(spec, host, target.get("__name__"), raise_as)
        for a in reversed(spec.args):
            f = arg(a.name, ndim=2, err_to_str=True, doc=argument_help(a, arg_limit))(f)
        options = {"category": spec.category} if host == "classic" else {"namespace": NAMESPACE}
        f = func(**options)(f)
        target[spec.name] = f
        defined.append(spec.name)
    return defined
