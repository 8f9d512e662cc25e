"""Bounded resources, and never exit 3 on input (issue 12, "Resources").

Each test reproduces one fault found with a fault-injection harness: formulas
Excel accepts that ended in RecursionError, formulas beyond Excel's limits,
attribute values that crashed the reader, a ROUND that raised, two sheets whose
names differ only in case, the phantom 29 February 1900 in TEXT.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from addin.cli import main
from addin.xlsx.package import read_workbook

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def run(command: str, *args: str | Path) -> Result:
    return CliRunner().invoke(main, [command, *map(str, args)])


def assert_clean(result: Result) -> None:
    """No traceback, no exit 3."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output


def one_formula(path: Path, formula: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws["A1"] = 1
    ws["B1"] = formula
    wb.save(path)
    return path


def edited(src: Path, dst: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of ``src`` with the first ``old`` in ``part`` replaced by ``new``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(part, info.filename):
                changed = re.sub(old, new, data, count=1)
                assert changed != data, (part, old)
                data = changed
            zout.writestr(info, data)
    return dst


def test_longest_formula_excel_accepts_is_computed(tmp_path: Path) -> None:
    """``=A1+A1+…`` at Excel's 8,192 characters (2,730 terms, a tree that deep)
    is computed, not a RecursionError."""
    src = one_formula(tmp_path / "long.xlsx", "=" + "+".join(["A1"] * 2730))
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    assert read_workbook(tmp_path / "long.refreshed.xlsx").sheets[0].values[(1, 2)] == 2730.0


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("=" + "ABS(" * 100 + "A1" + ")" * 100, "100 levels"),
        ("=" + "(" * 400 + "A1" + ")" * 400, "400 levels"),
        ("=" + "+".join(["A1"] * 3000), "more than Excel's 8192"),
    ],
    ids=["functions-100", "parentheses-400", "9000-characters"],
)
def test_formulas_beyond_excel_limits_fail_with_a_message(
    tmp_path: Path, formula: str, words: str
) -> None:
    """Deeper or longer than Excel allows: exit 2 naming the limit, nothing written;
    validate reports it as a formula problem."""
    src = one_formula(tmp_path / "deep.xlsx", formula)
    result = run("refresh", src, "--lang", "en")
    assert_clean(result)
    assert result.exit_code == 2
    assert words in result.output
    assert not (tmp_path / "deep.refreshed.xlsx").exists()
    checked = run("validate", src)
    assert_clean(checked)
    assert checked.exit_code == 1


def test_prefix_operator_chain_is_a_message_in_validate(tmp_path: Path) -> None:
    """8,000 minus signs: validate reports a formula problem instead of a traceback."""
    src = one_formula(tmp_path / "neg.xlsx", "=" + "-" * 8000 + "A1")
    result = run("validate", src, "--json")
    assert_clean(result)
    problems = json.loads(result.output)["files"][0]["problems"]
    assert any("nested too deeply" in p["en"] for p in problems)
    assert_clean(run("refresh", src))


def test_round_to_ten_billion_digits(tmp_path: Path) -> None:
    """``=ROUND(1,1E10)`` is 1 (it ended in exit 3)."""
    src = one_formula(tmp_path / "round.xlsx", "=ROUND(1,1E10)+ROUND(5,-1E10)")
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    assert read_workbook(tmp_path / "round.refreshed.xlsx").sheets[0].values[(1, 2)] == 1.0


def test_table_count_attribute_that_is_not_a_number(tmp_path: Path) -> None:
    """``headerRowCount="abc"``: exit 2 with the part and attribute named, in refresh
    and validate (it was exit 3 and a traceback)."""
    src = edited(
        SHARED / "excel-files" / "table10.xlsx",
        tmp_path / "hdr.xlsx",
        r"xl/tables/table\d+\.xml",
        rb"<table ",
        rb'<table headerRowCount="abc" ',
    )
    for command in ("refresh", "validate"):
        result = run(command, src)
        assert_clean(result)
        assert result.exit_code == 2
        assert "headerRowCount='abc'" in result.output


def test_sheet_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    """Sheets "S" and "s" (Excel cannot make this file): exit 2, nothing written
    (one sheet's formulas used to stay stale with exit 0)."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "S"
    first["A1"], first["B1"] = 3, "=A1*2"
    second = wb.create_sheet("T")
    second["A1"], second["B1"] = 5, "=A1*2"
    wb.save(tmp_path / "two.xlsx")
    src = edited(
        tmp_path / "two.xlsx", tmp_path / "case.xlsx", r"xl/workbook\.xml", rb'name="T"', rb'name="s"'
    )
    result = run("refresh", src, "--lang", "en")
    assert_clean(result)
    assert result.exit_code == 2
    assert "case-insensitively" in result.output
    assert not (tmp_path / "case.refreshed.xlsx").exists()


def test_text_of_the_phantom_leap_day(tmp_path: Path) -> None:
    """``TEXT(60, "dddd")`` — Excel's 29 February 1900 — is a Wednesday, not a
    crash (the corpus file sheetjs issue 2717 ended in exit 3)."""
    src = one_formula(tmp_path / "leap.xlsx", '=TEXT(60,"dddd yyyy-mm-dd")')
    result = run("refresh", src)
    assert result.exit_code == 0, result.output
    value = read_workbook(tmp_path / "leap.refreshed.xlsx").sheets[0].values[(1, 2)]
    assert value == "Wednesday 1900-02-29"
