"""The contract functions (:mod:`addin.registry`, computed by the kernel
:mod:`udfs`) as the engine calls them: any spelling a file may use, arguments
as the kernel takes them, results as cells hold them, and the column path that
computes a block of rows in one kernel call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from addin import registry
from addin.refresh.functions._core import MISSING, Area, FunctionSpec
from addin.refresh.functions.columns import Rows, RowValues, is_rows
from udfs.errors import VALUE, ExcelError

__all__ = ["contract_column", "contract_function", "contract_spec"]


def contract_function(name: str) -> Callable[..., Any] | None:
    """The kernel function a formula's function name refers to, in any of the
    spellings a file may use (``TIERED``, ``_xludf.TIERED``,
    ``_xldudf_JX_TIERED``, ``JX.TIERED``); ``None`` if it is not one of ours."""
    spec = registry.lookup(name)
    if spec is None:
        return None
    lo, hi = spec.arg_counts
    kernel = spec.kernel

    def run(*args: Any) -> Any:
        if not lo <= len(args) <= hi:
            return VALUE.with_message(
                f"{spec.name} 参数个数不对 / {spec.name}: wrong number of arguments"
            )
        return kernel(*args, *([None] * (hi - len(args))))

    run.__name__ = spec.name
    return run


def _kernel_arg(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, Area):
        return v.value() if v.is_cell() else v.values()
    return v


def _kernel_result(r: Any) -> Any:
    if isinstance(r, np.ndarray):
        if r.ndim == 0:
            return _kernel_scalar(r.item())
        arr = r.reshape(1, -1) if r.ndim == 1 else r
        if arr.dtype.kind == "f" and np.isfinite(arr).all():
            out_f = np.empty(arr.shape, dtype=object)
            out_f[...] = (arr + 0.0).tolist()
            return out_f[0, 0] if out_f.shape == (1, 1) else out_f
        out = np.empty(arr.shape, dtype=object)
        for idx, x in np.ndenumerate(arr):
            out[idx] = _kernel_scalar(x)
        return out[0, 0] if out.shape == (1, 1) else out
    return _kernel_scalar(r)


def _kernel_scalar(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if x is None:
        return ""  # an empty result reaches Excel as empty text (addin.convert)
    if isinstance(x, bool | str | ExcelError):
        return x
    if isinstance(x, int | float):
        f = float(x)
        if math.isnan(f) or math.isinf(f):
            return ExcelError("#NUM!", "结果不是有限数 / result is not a finite number")
        return f
    return x


def contract_spec(name: str) -> FunctionSpec | None:
    """A contract function as the engine calls it: arguments as the kernel
    takes them, the argument roles from the registry (:mod:`addin.registry`)."""
    fn = contract_function(name)
    if fn is None:
        return None
    roles = registry.by_name(fn.__name__).roles

    def impl(*args: Any) -> Any:
        return _kernel_result(fn(*(_kernel_arg(a) for a in args)))

    return FunctionSpec(
        fn.__name__,
        impl,
        roles,
        0,
        None,
        handles_errors=True,
        kernel_broadcasts=True,
        column=contract_column if registry.PER_ROW in roles else None,
    )


def contract_column(spec: FunctionSpec, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
    """A contract function down the block in one kernel call: its per-row
    arguments (registry role ``row``, in any position) stacked into columns
    (or row blocks, one row of cells per row), the others passed once. The
    kernel broadcasts the per-row arguments and parses tables once."""
    n = bx.n
    stacked = list(args)
    for i, a in enumerate(args):
        row = spec.role(i) == registry.PER_ROW
        if not is_rows(a):
            if row and isinstance(a, Area | np.ndarray) and a.shape != (1, 1):
                return None  # a fixed range read as one per row: cell by cell
            continue
        if not row:
            return None  # a table or population that moves: cell by cell
        if isinstance(a, RowValues):
            col = a.v.reshape(n, 1) if a.v.dtype == np.float64 else np.empty((n, 1), object)
            if col.dtype == object:
                col[:, 0] = a.v
            stacked[i] = col
        elif a.bottom == a.top:
            stacked[i] = a.grid.block(a.top, a.left, a.top + n - 1, a.right).copy()
        else:
            return None
    res = spec.impl(*stacked)
    if isinstance(res, np.ndarray):
        if res.ndim == 2 and res.shape[0] == n:
            return RowValues(res[:, 0].copy())
        return None
    return res  # one value for every row (an error in a shared argument)
