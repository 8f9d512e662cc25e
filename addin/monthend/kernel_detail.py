"""The kernel's explanation of one contract-function call for one row
(``jixiao explain``): which arguments are read for the row (``x``, ``score``,
``rate``), which whole (tables, the ranked field), then :mod:`udfs.explain`.

合同函数逐行说明：按行取参数，再调用内核的解释函数。
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from udfs import explain as kernel

if TYPE_CHECKING:
    from addin.monthend.explain import _Explainer, _Here
    from addin.xlsx.formula import Func

__all__ = ["EXPLAINED", "detail_for"]

_PREFIXES = ("_XLUDF.", "_XLDUDF_JX_", "_XLDUDF_", "JX.")

#: function → for each argument, "row" (this row's value) or "whole"
EXPLAINED: dict[str, tuple[str, ...]] = {
    "BAND": ("row", "whole", "row", "row"),
    "TIERED": ("row", "whole", "row", "row"),
    "POINT_BONUS": ("row", "row", "whole", "row"),
    "RANK_PRIZE": ("whole", "whole", "whole", "whole", "row"),
}


def contract_name(name: str) -> str:
    """``_xludf.BAND`` / ``JX.BAND`` / ``BAND`` → ``BAND``."""
    upper = name.upper()
    for p in _PREFIXES:
        if upper.startswith(p):
            return upper[len(p) :]
    return upper


def detail_for(call: Func, ex: _Explainer, here: _Here) -> dict[str, Any] | None:
    """The kernel's explanation of ``call`` at ``here``'s row, or ``None`` for a
    function without one. Raises ``LookupError`` when an argument cannot be
    read for the row (an expression the explainer does not evaluate)."""
    name = contract_name(call.base_name)
    kinds = EXPLAINED.get(name)
    if kinds is None:
        return None
    args = [
        ex.scalar(a, here) if kind == "row" else ex.table(a, here)
        for a, kind in zip(call.args, kinds, strict=False)
    ]
    if name == "BAND":
        d = kernel.explain_band(*args)
    elif name == "TIERED":
        d = kernel.explain_tiered(*args)
    elif name == "POINT_BONUS":
        d = kernel.explain_point_bonus(*args)
    else:
        index = here.dr if here.height > 1 else here.dc
        d = kernel.explain_rank_prize(*args, index=index)
    out = asdict(d)
    out["result"] = _plain(out["result"])
    return out


def _plain(v: Any) -> Any:
    from udfs.errors import ExcelError

    return str(v) if isinstance(v, ExcelError) else v
