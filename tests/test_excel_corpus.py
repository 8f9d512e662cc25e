"""Agreement with Excel on the 306 workbooks Microsoft Excel saved (issue 14).

The external ``excel-corpus/`` holds workbooks from the test data of public
spreadsheet projects, each formula cell carrying the value Excel cached.
The external ``tools/excel_corpus_check.py`` blanks those values, refreshes the
copies with this checkout's ``jixiao`` and compares every cell. This test runs
it (one engine run for the whole folder, about half a minute on two cores) and
asserts that

- the reproduced cells never fall below :data:`REPRODUCED` and the refused
  ("unsupported") cells never rise above :data:`UNSUPPORTED`;
- no workbook ends in an internal error (exit 3): every file is refreshed
  (``ok``) or refused by name (exit 1, an answer); an exception inside the
  engine is an error value with its reason, never a crash (issue 24);
- every cell that still differs belongs to a file listed in
  :data:`ACCEPTED_DIFFERENCES`, with the reason, and no file has more differing
  cells than listed there (a fix shows up as a smaller count to write down).

Skipped, with the reason, in a checkout without the corpus; required in CI.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

#: Cells reproduced and cells refused at the last measurement:
#: ``external oracle: 24363/24408 Excel values reproduced (422 unsupported) in 306 files``
#: (issue 24 began at ``24084/24159 … (671 unsupported)``; before issue 14:
#: ``15990/16851 … (7979 unsupported)``).
REPRODUCED = 24363
UNSUPPORTED = 422

#: file → (most cells that may differ, why they differ).
ACCEPTED_DIFFERENCES: dict[str, tuple[int, str]] = {
    "koala__tests__excel__VDB.xlsx": (
        15,
        "VDB over fractional periods (13.5–14 …): Excel prorates the switch to straight "
        "line in a way not documented; whole periods agree",
    ),
    "ironcalc__calc_tests__FINANCIAL__XIRR.xlsx": (
        10,
        "XIRR: Excel's iteration stops at its own tolerance (results agree to 1e-8, not "
        "1e-9), and one row where Excel gives up that Newton's method solves near -1",
    ),
    "ironcalc__docs__TAN.xlsx": (
        4,
        "TAN next to π/2: Excel's own argument reduction gives 5.4415e15 where the "
        "correctly rounded value is 5.4437e15",
    ),
    "ironcalc__calc_tests__FINANCIAL__XNPV.xlsx": (3, "XIRR, as in the XIRR file"),
    "sheetjs__formula_stress_test.xlsx": (
        4,
        "XIRR's tolerance (and XNPV of that XIRR); CHAR/CODE above 127 in the Mac "
        "code page of the Excel that saved the file",
    ),
    "ironcalc__calc_tests__FINANCIAL__CUMPRINC_CUMIPMT.xlsx": (
        2,
        "CUMPRINC at rates of 70–80% a period: Excel's sum of PPMT differs in the 9th digit",
    ),
    "ironcalc__calc_tests__INFORMATION__ERROR.TYPE.xlsx": (
        2,
        "the error cells come from #CALC!/#SPILL! results of functions the engine "
        "answers with #VALUE!",
    ),
    "ironcalc__calc_tests__TEXT__T_VALUE_VALUETOTEXT.xlsx": (
        2,
        "VALUE of cells whose formulas the checker froze (ARRAYTOTEXT is not computed)",
    ),
    "ironcalc__calc_tests__DATE_AND_TIME__DAYS_DAYS360.xlsx": (
        1,
        "DAYS360 US method with the end date before the start on the 31st",
    ),
    "ironcalc__calc_tests__INFORMATION__FORMULATEXT.xlsx": (
        1,
        "FORMULATEXT of a cell refused as circular (Excel allows FORMULATEXT to read itself)",
    ),
    "ironcalc__calc_tests__LOOKUP_AND_REFERENCE__TRIMRANGE.xlsx": (
        1,
        "the spill of TRIMRANGE, which the engine does not compute",
    ),
}

_LAST = re.compile(
    r"external oracle: (\d+)/(\d+) Excel values reproduced \((\d+) unsupported\) in (\d+) files"
)


@pytest.fixture(scope="module")
def corpus_run(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The checker's output and its table of differing cells (one run per module)."""
    corpus = shared_dir / "excel-corpus"
    checker = shared_dir / "tools" / "excel_corpus_check.py"
    if not corpus.is_dir() or not checker.is_file():
        reason = f"the Excel corpus is not beside the checkout ({corpus})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the corpus test: {reason}")
        pytest.skip(reason)
    jixiao = Path(sys.executable).with_name("jixiao")
    assert jixiao.exists(), f"no jixiao beside {sys.executable}: install the project first"
    dump = tmp_path_factory.mktemp("corpus") / "differing.tsv"
    done = subprocess.run(
        [sys.executable, str(checker), str(jixiao), "--dump", str(dump), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, dump


def test_agreement_never_drops(corpus_run: tuple[str, Path]) -> None:
    """At least REPRODUCED cells agree, at most UNSUPPORTED are refused, ≥ 99.5%."""
    out, _ = corpus_run
    m = _LAST.search(out.strip().splitlines()[-1])
    assert m, out[-2000:]
    agree, total, unsupported, files = (int(g) for g in m.groups())
    assert files == 306
    assert agree >= REPRODUCED, out[-4000:]
    assert unsupported <= UNSUPPORTED, out[-4000:]
    assert agree / total >= 0.995


_FILE_ROW = re.compile(r"^(\S+\.xls[xm])\s+\d+\s+\d+\s+\d+\s+\d+\s+(.*)$")


def test_no_internal_error_on_any_file(corpus_run: tuple[str, Path]) -> None:
    """Each of the 306 workbooks is refreshed or refused by name; none ends in
    exit 3 (an internal error) or any other failure of the engine."""
    out, _ = corpus_run
    statuses = dict(m.groups() for m in map(_FILE_ROW.match, out.splitlines()) if m)
    assert len(statuses) == 306, out[:2000]
    failed = {f: s for f, s in statuses.items() if s != "ok" and not s.startswith("engine refused")}
    assert not failed, failed
    assert "(exit 3)" not in out


def test_every_difference_is_accepted(corpus_run: tuple[str, Path]) -> None:
    """Each differing cell is in a file of ACCEPTED_DIFFERENCES, within its count."""
    _, dump = corpus_run
    with dump.open(encoding="utf8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    per_file = Counter(r["file"] for r in rows)
    unexpected = {
        f: n
        for f, n in per_file.items()
        if f not in ACCEPTED_DIFFERENCES or n > ACCEPTED_DIFFERENCES[f][0]
    }
    examples = [f"{r['file']} {r['cell']} ={r['formula'][:60]} Excel {r['excel']} engine "
                f"{r['engine']}" for r in rows if r["file"] in unexpected][:20]  # fmt: skip
    assert not unexpected, "\n".join(examples)
