"""Build every template: ``python -m workbooks.build [--out DIR] [ID ...]``.

Writes, for each template, ``workbooks/templates/<file>.xlsx``, its structure
spec ``workbooks/specs/<id>.json``, its expected results
``workbooks/golden/<id>.json`` (from :mod:`workbooks.golden_reference`) and
the same as test cases beside the workbook, ``<file>.cases.toml``.
Deterministic: fixed seeds for sample data, fixed timestamps in the package.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbooks import writer
from workbooks.cases import EXAMPLES, cases_toml
from workbooks.golden_reference import golden
from workbooks.spec import build_spec
from workbooks.templates import REGISTRY

HERE = Path(__file__).resolve().parent
XLSX_DIR = HERE / "templates"
SPEC_DIR = HERE / "specs"
GOLDEN_DIR = HERE / "golden"


def dump_json(obj: object, path: Path) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def build(ids: list[str] | None = None, out: Path | None = None, extras: bool = True) -> list[Path]:
    """Build the templates ``ids`` (default all) into ``out`` (default the
    committed location); with ``extras`` also write specs and goldens."""
    written = []
    for tid in ids or list(REGISTRY):
        t = REGISTRY[tid]()
        target = (out or XLSX_DIR) / t.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(writer.save(t, target))
        if extras:
            SPEC_DIR.mkdir(exist_ok=True)
            GOLDEN_DIR.mkdir(exist_ok=True)
            dump_json(build_spec(t), SPEC_DIR / f"{t.id}.json")
            values = golden(t)
            dump_json({"template": t.id, "version": t.version, "values": values}, GOLDEN_DIR / f"{t.id}.json")
            target.with_name(f"{target.stem}.cases.toml").write_text(
                cases_toml(t.title, target.name, values, EXAMPLES.get(t.id, "")), encoding="utf-8"
            )
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="构建模板 / build the office templates")
    p.add_argument("ids", nargs="*", help="template ids (default: all)")
    p.add_argument("--out", type=Path, help="write the .xlsx files here instead (no specs/goldens)")
    a = p.parse_args(argv)
    for path in build(a.ids or None, a.out, extras=a.out is None):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
