"""Excel's worksheet functions with Excel's semantics, for the refresh engine.

One registry (:data:`FUNCTIONS`, keyed by Excel name) filled by the category
modules, as the ``formulas`` and ``pycel`` libraries lay theirs out:

- :mod:`._core` — values, coercions, operators and the calling machinery;
- :mod:`.logic` — logical and information functions;
- :mod:`.math` — sums, rounding, SUMPRODUCT, SUBTOTAL, SUMIF(S);
- :mod:`.stat` — counts, averages, extremes, the *IFS aggregations, ranks;
- :mod:`.regression` — least squares: SLOPE, CORREL, TREND, LINEST …;
- :mod:`.look` — lookup and reference;
- :mod:`.text` — text functions and TEXT's formats;
- :mod:`.date` — dates and times;
- :mod:`.criteria` — Excel's criteria language, shared by the *IF(S) functions.

Each function declares its parameters like its Excel signature, with the
registry's role names (:data:`addin.registry.PER_ROW`, :data:`~addin.registry.WHOLE`)
and :func:`._core.repeat` for the group a variadic function repeats:
``register("SUMIFS", WHOLE, WHOLE, PER_ROW, repeat(WHOLE, PER_ROW), min_args=3)``.
The engine reads them (what to intersect, lift, or take per row down a block),
and so does the validator (argument counts).
"""

from __future__ import annotations

# The category modules register their functions when imported.
from addin.refresh.functions import (  # noqa: F401
    criteria,
    database,
    date,
    dynamic,
    financial,
    logic,
    look,
    math,
    regression,
    stat,
    text,
)
from addin.refresh.functions._core import (
    FUNCTIONS,
    INTERNAL_ERRORS,
    MISSING,
    Area,
    CallContext,
    EngineFunction,
    MultiArea,
    as_array,
    binary_op,
    broadcast_get,
    call,
    compare,
    format_general,
    internal_error,
    intersect,
    lookup,
    round15,
    shared_work,
    supported_functions,
    text_to_number,
    to_bool,
    to_int,
    to_number,
    to_text,
    unary_op,
)

__all__ = [
    "FUNCTIONS",
    "INTERNAL_ERRORS",
    "MISSING",
    "Area",
    "CallContext",
    "EngineFunction",
    "MultiArea",
    "as_array",
    "binary_op",
    "broadcast_get",
    "call",
    "compare",
    "format_general",
    "internal_error",
    "intersect",
    "lookup",
    "round15",
    "shared_work",
    "supported_functions",
    "text_to_number",
    "to_bool",
    "to_int",
    "to_number",
    "to_text",
    "unary_op",
]
