"""Large copies of the templates for benchmarks (not committed).

``python -m workbooks.generate TEMPLATE_ID N OUT.xlsx`` writes the template
``TEMPLATE_ID`` with about ``N`` people on its main sheet: the same sheets,
names, formulas (one spilling formula per column) and parameters as the
committed template, with deterministic sample rows. Written with openpyxl's
write-only mode and cached styles, so 100,000 rows take seconds, not minutes.

What N means per template:

* t1 供销社: N 考核对象 over N·5/6 enterprises
* t2 网销, t6 客户维系 (plus about 5 orders per person), t7 维修部: N staff
* t3 呼叫中心: about N people: groups of 5 plus one 主管 per two groups and the 经理
* t4 保险竞赛: N agents over the 11 cities
* t5 销售员: N monthly rows (N // 12 staff × 12 months); a sheet holds at most
  1,048,576 rows, so N is rows, not people
* t8 销售部: N monthly rows (N // 12 staff × 12 months, one FORCED_DIST grouped by month)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbooks import writer
from workbooks.model import Template
from workbooks.templates import REGISTRY

SCALE: dict[str, Callable[[int], dict[str, Any]]] = {
    "t1-gongxiaoshe": lambda n: {"n_staff": n, "n_enterprises": max(30, n * 5 // 6)},
    "t2-wangxiao": lambda n: {"n_staff": n},
    "t3-hujiao": lambda n: {"n_groups": max(6, (n * 2 // 11) // 2 * 2)},
    "t4-baoxian": lambda n: {"n_agents": n},
    "t5-xiaoshou": lambda n: {"n_staff": max(1, n // 12)},
    "t6-weixi": lambda n: {"n_staff": n},
    "t7-weixiu": lambda n: {"n_staff": n},
    "t8-xiaoshoubu": lambda n: {"n_staff": max(2, n // 12)},
}


def large_template(template_id: str, n: int) -> Template:
    """The template ``template_id`` scaled to about ``n`` people."""
    if template_id not in REGISTRY:
        raise KeyError(template_id)
    return REGISTRY[template_id](**SCALE[template_id](n))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="生成大规模模板 / generate a large copy of a template")
    p.add_argument("template_id", choices=sorted(REGISTRY))
    p.add_argument("n", type=int, help="people (rows) on the main sheet, e.g. 10000 or 100000")
    p.add_argument("out", type=Path, help="output .xlsx")
    a = p.parse_args(argv)
    if a.n < 1:
        p.error("N 必须为正整数 / N must be positive")
    start = time.perf_counter()
    t = large_template(a.template_id, a.n)
    writer.save(t, a.out)
    rows = max(s.nrows for s in t.sheets if hasattr(s, "nrows"))
    print(f"{a.out}: {t.id}, {rows} rows on the largest sheet, {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
