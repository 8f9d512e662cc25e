"""``jixiao refresh DIR`` over workbooks that link to each other: link order,
fresh values across files, cached values (and a note) for links outside the
set, link cycles refused, the externalLink caches updated."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from link_helpers import make_workbook

from addin.cli import main
from addin.refresh.external_refs import quote_external
from addin.xlsx.workbook import read_workbook


def _branch(path: Path, bonus: float) -> Path:
    return make_workbook(path, {"汇总": {"A2": "奖金", "B2": bonus, "B3": "=B2*2"}})


def _folder(root: Path, nanchang: float) -> Path:
    """Two branches and a summary linking to both (and to one file not in the folder)."""
    _branch(root / "branches" / "南昌.xlsx", nanchang)
    _branch(root / "branches" / "九江.xlsx", 50)
    make_workbook(
        root / "总部.xlsx",
        {"Sheet1": {"A1": "=[1]汇总!B3+'[2]汇总'!B3", "A2": "=[3]Sheet1!A1*1"}},
        [
            ("branches/南昌.xlsx", "汇总", {"B3": 200}),
            ("branches/九江.xlsx", "汇总", {"B3": 100}),
            ("上海.xlsx", "Sheet1", {"A1": 7}),
        ],
    )
    return root


def _value(path: Path, sheet: str, ref: str) -> object:
    return openpyxl.load_workbook(path, data_only=True)[sheet][ref].value


def test_summary_follows_a_branch_in_one_refresh(tmp_path: Path) -> None:
    """南昌 changes from 100 to 150: one refresh of the folder gives the summary
    300 + 100; the link outside the folder keeps its cached 7, said per cell;
    the summary's externalLink cache holds the fresh 300."""
    root = _folder(tmp_path / "in", 150)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["refresh", str(root), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    names = [Path(f["path"]).name for f in doc["files"]]
    assert names.index("总部.xlsx") > names.index("南昌.xlsx")
    assert _value(out / "总部.xlsx", "Sheet1", "A1") == 400
    assert _value(out / "总部.xlsx", "Sheet1", "A2") == 7
    summary = next(f for f in doc["files"] if f["path"].endswith("总部.xlsx"))
    assert [cell for cell, _why in summary["links"]] == ["Sheet1!A2"]
    assert "上海.xlsx" in summary["links"][0][1]
    (link1, link2, link3) = read_workbook(out / "总部.xlsx").external_links
    assert link1.values == {"汇总": {(3, 2): 300.0}}
    assert link2.values == {"汇总": {(3, 2): 100.0}}
    assert link3.values == {"Sheet1": {(1, 1): 7.0}}


def _raw_entries(path: Path) -> dict[str, bytes]:
    """Each entry's compressed bytes as stored in the zip, by name, in order."""
    out = {}
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            head = fh.read(30)
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = fh.read(info.compress_size)
    return out


def test_link_cache_is_updated_in_the_writers_one_pass(tmp_path: Path) -> None:
    """The summary's output differs from its input only in the parts the
    refresh changes — the sheet, ``workbook.xml`` (calculation state) and the
    externalLink part whose cache took the fresh value —; every other entry is
    the input's compressed bytes, in the same order (no second pass re-zips the
    package). The input is deflated as another tool would (here: zlib level 0),
    so re-deflating an entry would show."""
    root = _folder(tmp_path / "in", 150)
    summary = root / "总部.xlsx"
    with zipfile.ZipFile(summary) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(summary, "w", zipfile.ZIP_DEFLATED, compresslevel=0) as zf:
        for info, data in entries:
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=0)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["refresh", str(root), "--out", str(out)]).exit_code == 0
    before, after = _raw_entries(summary), _raw_entries(out / "总部.xlsx")
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
        "xl/externalLinks/externalLink1.xml",
    }


def test_text_summary_names_the_cell_and_the_file_needed(tmp_path: Path) -> None:
    """The terminal summary says which cell used a cached value and why."""
    root = _folder(tmp_path / "in", 100)
    result = CliRunner().invoke(main, ["refresh", str(root), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Sheet1!A2" in result.output
    assert "需要 上海.xlsx" in result.output


def test_refreshing_the_summary_alone_uses_cached_values(tmp_path: Path) -> None:
    """Outside the set every link uses the cached values (200 + 100)."""
    root = _folder(tmp_path / "in", 150)
    out = tmp_path / "s.xlsx"
    result = CliRunner().invoke(main, ["refresh", str(root / "总部.xlsx"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _value(out, "Sheet1", "A1") == 300


def test_link_cycle_is_reported_and_nothing_written(tmp_path: Path) -> None:
    """a ↔ b link in a circle: both refused (exit 2), the circle named; c,
    reading a, goes on with a's cached value and says so."""
    make_workbook(tmp_path / "a.xlsx", {"S": {"A1": "=[1]S!A1+1"}}, [("b.xlsx", "S", {"A1": 1})])
    make_workbook(tmp_path / "b.xlsx", {"S": {"A1": "=[1]S!A1+1"}}, [("a.xlsx", "S", {"A1": 2})])
    make_workbook(tmp_path / "c.xlsx", {"S": {"A1": "=[1]S!A1*10"}}, [("a.xlsx", "S", {"A1": 2})])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["refresh", str(tmp_path), "--out", str(out), "--json"])
    assert result.exit_code == 2, result.output
    files = {Path(f["path"]).name: f for f in json.loads(result.output)["files"]}
    for name in ("a.xlsx", "b.xlsx"):
        assert files[name]["status"] == "link-cycle"
        assert "a.xlsx → b.xlsx → a.xlsx" in files[name]["message"]
        assert not (out / name).exists()
    assert files["c.xlsx"]["status"] == "ok"
    assert _value(out / "c.xlsx", "S", "A1") == 20
    assert files["c.xlsx"]["links"][0][0] == "S!A1"


def test_parallel_jobs_give_the_same_outputs(tmp_path: Path) -> None:
    """--jobs 2 refreshes level by level with the same values."""
    root = _folder(tmp_path / "in", 150)
    result = CliRunner().invoke(main, ["refresh", str(root), "--out", str(tmp_path / "o"), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert _value(tmp_path / "o" / "总部.xlsx", "Sheet1", "A1") == 400


def test_quote_external_leaves_strings_and_quoted_names() -> None:
    """Only unquoted ``[N]Sheet!`` outside string literals is rewritten."""
    assert quote_external("[1]S!A1&\"[1]S!\"&'[2]x y'!B2", {}) == "'[1]S'!A1&\"[1]S!\"&'[2]x y'!B2"


@pytest.mark.libreoffice
def test_output_with_updated_link_cache_opens_in_libreoffice(tmp_path: Path) -> None:
    """The summary whose externalLink part was rewritten is a valid workbook."""
    root = _folder(tmp_path / "in", 150)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["refresh", str(root), "--out", str(out)]).exit_code == 0
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    done = subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(out / "总部.xlsx")],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "总部.csv").read_text(encoding="utf-8").split() == ["400", "7"]


def test_link_to_a_sheet_the_linked_file_no_longer_has_keeps_the_cache(tmp_path: Path) -> None:
    """The linked workbook is in the set but its sheet 汇总 was renamed: the
    linking cell keeps the cached value and the summary says which sheet is missing."""
    make_workbook(tmp_path / "b.xlsx", {"改名": {"B3": 5}})
    make_workbook(tmp_path / "s.xlsx", {"S": {"A1": "=[1]汇总!B3"}}, [("b.xlsx", "汇总", {"B3": 9})])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["refresh", str(tmp_path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert _value(out / "s.xlsx", "S", "A1") == 9
    files = {Path(f["path"]).name: f for f in json.loads(result.output)["files"]}
    (cell, why), = files["s.xlsx"]["links"]
    assert cell == "S!A1"
    assert "汇总" in why


def test_names_pointing_into_another_workbook_read_the_link() -> None:
    """``=利润`` where 利润 is ``[1]Sheet1!$A$1`` and ``=[1]!总额`` (a name of the
    linked book, defined there as ``Sheet1!$B$1``) both read the linked values; a
    linked-book name without its definition stays unsupported."""
    from addin.refresh.engine import calculate
    from addin.xlsx.model import (
        DefinedName,
        ExternalLink,
        Formula,
        Sheet,
        UnsupportedFormulaError,
        Workbook,
    )

    link = ExternalLink(
        1, "xl/externalLinks/externalLink1.xml", "b.xlsx", ("Sheet1",),
        {"Sheet1": {(1, 1): 2.0, (1, 2): 30.0}}, {"总额": "Sheet1!$B$1", "无定义": ""},
    )  # fmt: skip
    sheet = Sheet("S", {}, {(1, 1): Formula("利润*10"), (2, 1): Formula("[1]!总额+1")}, 2, 1)
    wb = Workbook([sheet], [DefinedName("利润", "[1]Sheet1!$A$1")], external_links=[link])
    assert calculate(wb).values["S"] == {(1, 1): 20.0, (2, 1): 31.0}
    sheet.formulas[(3, 1)] = Formula("[1]!无定义")
    with pytest.raises(UnsupportedFormulaError):
        calculate(wb)
