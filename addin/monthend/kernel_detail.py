"""The kernel's explanation of one contract-function call for one row
(``jixiao explain``): which arguments are read for the row (``x``, ``score``,
``rate``), which whole (tables, the ranked field), then :mod:`udfs.explain`.

合同函数逐行说明：按行取参数，再调用内核的解释函数。
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Protocol

from addin import registry
from addin.monthend.values import plain
from addin.xlsx.formula import Func, Node
from udfs.explain import EXPLAINERS, RANKED

__all__ = ["ArgumentReader", "Place", "detail_for"]


class Place(Protocol):
    """Where the explained formula is evaluated: the row and column inside
    the array it fills and the array's height."""

    dr: int
    dc: int
    height: int


class ArgumentReader(Protocol):
    """How an argument is read for one row (``scalar``) or whole (``table``):
    the explainer of :mod:`addin.monthend.explain`."""

    def scalar(self, node: Node, here: Any) -> Any: ...

    def table(self, node: Node, here: Any) -> Any: ...


def detail_for(call: Func, ex: ArgumentReader, here: Place) -> dict[str, Any] | None:
    """The kernel's explanation of ``call`` at ``here``'s row, or ``None`` for a
    function without one. Raises ``LookupError`` when an argument cannot be
    read for the row (an expression the explainer does not evaluate)."""
    spec = registry.lookup(call.base_name)
    if spec is None or spec.name not in EXPLAINERS:
        return None
    explainer, kinds = EXPLAINERS[spec.name]
    args = [
        ex.scalar(a, here) if kind == "row" else ex.table(a, here)
        for a, kind in zip(call.args, kinds, strict=False)
    ]
    if spec.name in RANKED:
        d = explainer(*args, index=here.dr if here.height > 1 else here.dc)
    else:
        d = explainer(*args)
    out = asdict(d)
    out["result"] = plain(out["result"])
    return out
