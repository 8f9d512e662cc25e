"""Example test cases for a template, ``<file stem>.cases.toml`` beside its
workbook (format: docs/cases.md), written by ``python -m workbooks.build``
from the template's golden values: ``jixiao test`` (or ``pytest`` in the
templates folder) recalculates the sample data and checks every golden cell.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["EXAMPLES", "cases_toml"]

#: Hand-written example cases, by template id, written after the golden case:
#: what a maintainer adds (inputs changed, cells addressed by name and row).
EXAMPLES: dict[str, str] = {
    "t6-weixi": """
[[case]]
name = "营业员第二档每户奖励改为 50 元：8 户 = 5×20 + 3×50"
[case.set]
"参数!B18" = 50
[case.expect]
"工号=WX001:移动奖励" = 250
"人员!F4" = 250
""",
}


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(float(v)) if isinstance(v, float) else str(v)
    return json.dumps(str(v), ensure_ascii=False)


def cases_toml(title: str, workbook: str, values: dict[str, Any], examples: str = "") -> str:
    """The TOML text of one case expecting ``values`` (``{"sheet!A1": value}``)
    on the unchanged sample data of ``workbook``."""
    lines = [
        f"# {title}：样例数据的预期结果（由 python -m workbooks.build 从 golden 值生成，勿手改）。",
        "# Expected results of the sample data (generated from the golden values; do not edit).",
        "# 运行 / run: jixiao test " + workbook,
        "",
        f"workbook = {json.dumps(workbook, ensure_ascii=False)}",
        "",
        "[[case]]",
        'name = "样例数据 / sample data"',
        "[case.expect]",
    ]
    lines += [f"{json.dumps(k, ensure_ascii=False)} = {_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n" + examples
