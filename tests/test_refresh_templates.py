"""Every template refreshes to its golden results.

The golden values (``workbooks/golden/<id>.json``) were computed by a plain,
independent reading of each scheme's text, not by the kernel. Here the whole
pipeline is checked against them: the package reader, the calculation engine
(every formula of the template, contract functions and Excel's own), and the
writer — the refreshed file read back must hold the same values in its cache.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1
from addin.xlsx.workbook import read_workbook
from addin.xlsx.writer import write_results

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = sorted((ROOT / "workbooks" / "golden").glob("*.json"))


def _template(template_id: str) -> Path:
    spec = json.loads((ROOT / "workbooks" / "specs" / f"{template_id}.json").read_text("utf-8"))
    return next((ROOT / "workbooks").rglob(spec["file"]))


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float | int) and not isinstance(want, bool):
        return (
            isinstance(got, float | int)
            and not isinstance(got, bool)
            and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
        )
    return bool(got == want) and type(got) is type(want)


def _differences(values: dict[str, dict[Any, Any]], golden: dict[str, Any]) -> list[str]:
    out = []
    for key, want in golden.items():
        sheet, cell = key.rsplit("!", 1)
        got = values.get(sheet, {}).get(from_a1(cell))
        got = str(got) if hasattr(got, "code") else got  # errors compare by spelling
        if not _same(got, want):
            out.append(f"{key}: want {want!r}, got {got!r}")
    return out


@pytest.mark.parametrize("golden_path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_engine_reproduces_golden(golden_path: Path) -> None:
    """The built-in engine computes every golden cell of the template."""
    golden = json.loads(golden_path.read_text("utf-8"))
    results = calculate(read_workbook(_template(golden["template"])))
    assert _differences(results.values, golden["values"]) == []


@pytest.mark.parametrize("golden_path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_refreshed_file_caches_golden(golden_path: Path, tmp_path: Path) -> None:
    """After writing, the refreshed package's cached values are the golden ones."""
    golden = json.loads(golden_path.read_text("utf-8"))
    src = _template(golden["template"])
    out = tmp_path / "refreshed.xlsx"
    write_results(src, calculate(read_workbook(src)), out)
    cached = {s.name: s.values for s in read_workbook(out).sheets}
    assert _differences(cached, golden["values"]) == []
