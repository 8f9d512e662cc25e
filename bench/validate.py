"""How long ``jixiao validate workbooks/`` takes, against the 2 s the issue allows.

The reference measured in the same run is reading the same packages with the
refresh engine's reader alone, so the ratio shows what the checks themselves
cost on top of parsing the files.

    .venv/bin/python bench/validate.py
"""

from __future__ import annotations

from pathlib import Path

from timing import best_of

from addin.validate import validate
from addin.validate.cli import iter_workbooks
from addin.xlsx.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def main() -> None:
    files = list(iter_workbooks((ROOT / "workbooks",)))

    def run_validate() -> None:
        reports = [validate(f) for f in files]
        bad = [r for r in reports if r.exit_code]
        if bad:
            raise SystemExit("\n".join(r.render_text() for r in bad))

    def run_read() -> None:
        for f in files:
            read_workbook(f)

    t_validate, _ = best_of(3, run_validate)
    t_read, _ = best_of(3, run_read)
    print(f"templates validated:        {len(files)}")
    print(
        f"jixiao validate workbooks/: {t_validate:.3f} s  (target < {TARGET_SECONDS:.1f} s: "
        f"{'met' if t_validate < TARGET_SECONDS else 'NOT met'})"
    )
    print(f"reading the same packages:  {t_read:.3f} s")
    print(f"validate / read ratio:      {t_validate / t_read:.1f}x")


if __name__ == "__main__":
    main()
