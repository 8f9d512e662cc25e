"""Benchmark the built-in refresh engine against LibreOffice on the 10,000-row workbook.

The workbook is ``bench/refresh.py``'s (``generate``: TIERED, RANK.EQ, VLOOKUP
and SUMPRODUCT columns filled down as shared formulas). Both engines refresh it
end to end — read, calculate, write the values into a copy with our writer —
in the same run; LibreOffice's time excludes starting ``soffice`` (printed
apart), so the ratio is the engines' own. Target from the LibreOffice issue:
built-in at least 20× faster.

Usage::

    .venv/bin/python bench/refresh_libreoffice.py            # 10,000 rows
    .venv/bin/python bench/refresh_libreoffice.py --rows 2000

``bench/refresh.py`` can add the column with :func:`libreoffice_line`.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 20.0


def _refresh_bench() -> ModuleType:
    """``bench/refresh.py`` as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_refresh", HERE / "refresh.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_libreoffice(path: Path) -> dict[str, Any]:
    """Refresh ``path`` through LibreOffice; seconds for start-up and for the refresh."""
    from addin.refresh.libreoffice import LibreOffice, calculate_with_libreoffice
    from addin.xlsx.writer import write_results

    t0 = time.perf_counter()
    with LibreOffice() as office:
        t1 = time.perf_counter()
        results = calculate_with_libreoffice(path, office)
        write_results(path, results, path.with_name(path.stem + ".libreoffice.xlsx"))
        t2 = time.perf_counter()
    return {"startup": t1 - t0, "total": t2 - t1, "cells": results.count(), "results": results}


def _disagreements(path: Path, libre: Any) -> int:
    """How many formula cells LibreOffice computed differently from the built-in engine."""
    import math

    from addin.refresh.engine import calculate
    from addin.xlsx.workbook import read_workbook

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return str(a) == str(b)

    builtin = calculate(read_workbook(path))
    return sum(
        not same(v, libre.values.get(sheet, {}).get(coord))
        for sheet, cells in builtin.values.items()
        for coord, v in cells.items()
    )


def libreoffice_line(
    path: Path, builtin_total: float, target: float = TARGET_RATIO
) -> tuple[str, bool]:
    """The LibreOffice row of the benchmark for ``path`` and whether the ratio
    built-in/LibreOffice meets the target; a note instead when LibreOffice is absent."""
    from addin.refresh.libreoffice import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return f"LibreOffice: skipped ({reason})", True
    r = time_libreoffice(path)
    ratio = r["total"] / builtin_total
    differ = _disagreements(path, r["results"])
    ok = ratio >= target
    return (
        f"LibreOffice: total {r['total']:.2f} s for {r['cells']:,} cells "
        f"(+ {r['startup']:.1f} s to start soffice, not counted); built-in is {ratio:.0f}× faster "
        f"(target ≥ {target:g}×: {'ok' if ok else 'MISSED'}); "
        f"{'all cells agree' if not differ else f'{differ:,} cells DIFFER'} with the built-in engine",
        ok and not differ,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    bench = _refresh_bench()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-lo-") as tmp:
        path = bench.generate(Path(tmp) / f"bench-{args.rows}.xlsx", args.rows)
        builtin = bench.run_child("builtin", path, timeout=600)
        print(f"built-in    {args.rows:>7,} rows: total {builtin['total']:.2f} s, "
              f"{builtin['cells']:,} cells")
        line, ok = libreoffice_line(path, builtin["total"])
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
