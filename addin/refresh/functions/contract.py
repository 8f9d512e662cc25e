"""The contract functions (:mod:`addin.registry`, computed by the kernel
:mod:`udfs`) as the engine calls them: any spelling a file may use, arguments
as the kernel takes them, results as cells hold them, and the column path that
computes a block of rows in one kernel call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from addin import registry
from addin.hosts.convert import kernel_result
from addin.refresh.functions._core import MISSING, Area, EngineFunction
from addin.refresh.functions.columns import Rows, RowValues, is_rows
from udfs.errors import VALUE

__all__ = ["contract_column", "contract_spec"]


def contract_spec(name: str) -> EngineFunction | None:
    """A contract function as the engine calls it, in any of the spellings a
    file may use (``TIERED``, ``_xludf.TIERED``, ``_xldudf_JX_TIERED``,
    ``JX.TIERED``; ``None`` if it is not one of ours): the registry's entry
    (:class:`addin.registry.FunctionSpec`, looked up once here) adapted to the
    engine's :class:`~addin.refresh.functions.EngineFunction` — arguments as the
    kernel takes them, omitted ones as ``None``, the argument roles from the
    registry, results normalised as every host normalises them
    (:func:`addin.hosts.convert.kernel_result`)."""
    contract = registry.lookup(name)
    if contract is None:
        return None
    lo, hi = contract.arg_counts
    kernel = contract.kernel
    wrong = VALUE.with_message(
        f"{contract.name} 参数个数不对 / {contract.name}: wrong number of arguments"
    )

    def impl(*args: Any) -> Any:
        if not lo <= len(args) <= hi:
            return wrong
        values = [_kernel_arg(a) for a in args]
        result = kernel_result(kernel(*values, *([None] * (hi - len(args)))))
        if isinstance(result, np.ndarray) and result.shape == (1, 1):
            return result[0, 0]
        return result

    roles = contract.roles
    return EngineFunction(
        contract.name,
        impl,
        roles,
        0,
        None,
        handles_errors=True,
        kernel_broadcasts=True,
        column=contract_column if registry.PER_ROW in roles else None,
    )


def _kernel_arg(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, Area):
        return v.value() if v.is_cell() else v.values()
    return v


def contract_column(spec: EngineFunction, args: list[Any], bx: Rows, memo: dict[Any, Any]) -> Any:
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
