"""Every package ``jixiao refresh`` writes is a valid zip that other readers open,
and a ``--values`` copy shows its numbers where the add-in is missing.

Outputs come from the eight templates, every file of the external ``excel-files``
and a sample of the external ``excel-corpus`` (every producer: Excel, openpyxl,
LibreOffice, XlsxWriter, POI …). Each output must

* agree with itself at the zip level: each local header's CRC and sizes match
  the central directory, and a ZIP64 extra field in a local header repeats the
  same sizes (LibreOffice 25.2 refuses a package where they disagree, while
  Python's zipfile and ``unzip -t`` accept it);
* open in openpyxl;
* open in LibreOffice headless (converted to csv, all files in one ``soffice``
  run under a memory and a time cap: :mod:`soffice_helpers`).

The ``--values`` copies of the eight templates are converted sheet by sheet,
and every golden cell (``workbooks/golden``) must show its golden value in
LibreOffice's csv — not ``#NAME?``, which is what LibreOffice shows for the
contract functions in a refreshed copy that keeps its formulas.
"""

from __future__ import annotations

import csv
import json
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from external import SharedDir
from soffice_helpers import SOFFICE, libreoffice_convert

from addin.refresh.job import FileReport, load_engine, refresh_file
from addin.xlsx.a1 import from_a1

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("t*.xlsx"))
#: every n-th file of the corpus (sorted by name): all producers, a bounded run
CORPUS_STEP = 5


def corpus_sample(shared: Path) -> list[Path]:
    """A spread-out sample of the corpus, in name order."""
    files = sorted((shared / "excel-corpus").glob("*.xls[xm]"))
    return files[::CORPUS_STEP]


def zip_disagreements(path: Path) -> list[str]:
    """Where a local header disagrees with the central directory or with its own
    ZIP64 extra field (an empty list for a consistent package)."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            head = fh.read(30)
            if head[:4] != b"PK\x03\x04":
                problems.append(f"{info.filename}: no local header")
                continue
            crc, csize, usize = struct.unpack("<III", head[14:26])
            n, m = struct.unpack("<HH", head[26:30])
            fh.seek(n, 1)
            extra = fh.read(m)
            zip64 = _zip64_sizes(extra)
            if zip64 is not None:
                if (usize, csize) != (0xFFFFFFFF, 0xFFFFFFFF) and (usize, csize) != zip64:
                    problems.append(f"{info.filename}: sizes {usize},{csize} vs ZIP64 {zip64}")
                if usize == 0xFFFFFFFF:
                    usize, csize = zip64
            if info.flag_bits & 0x8:
                continue  # sizes in the data descriptor
            if (crc, csize, usize) != (info.CRC, info.compress_size, info.file_size):
                problems.append(f"{info.filename}: local header disagrees with central record")
    return problems


def _zip64_sizes(extra: bytes) -> tuple[int, int] | None:
    pos = 0
    while pos + 4 <= len(extra):
        field_id, size = struct.unpack("<HH", extra[pos : pos + 4])
        if field_id == 1 and size >= 16:
            usize, csize = struct.unpack("<QQ", extra[pos + 4 : pos + 20])
            return usize, csize
        pos += 4 + size
    return None


@pytest.fixture(scope="module")
def values_copies(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """``--values`` copies of the eight templates (built-in engine)."""
    out_dir = tmp_path_factory.mktemp("values")
    calculate = load_engine("builtin")
    copies = []
    for template in TEMPLATES:
        dest = out_dir / template.name
        report = refresh_file(template, dest, calculate, values_only=True)
        assert report.exit_code == 0, report
        copies.append(dest)
    return copies


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: SharedDir, values_copies: list[Path]
) -> list[Path]:
    """Refresh (built-in engine) every source; the outputs written, the
    templates' ``--values`` copies included."""
    out_dir = tmp_path_factory.mktemp("outputs")
    sources = (
        TEMPLATES
        + sorted((shared_dir / "excel-files").glob("*.xls[xm]"))
        + corpus_sample(shared_dir)
    )
    calculate = load_engine("builtin")
    written: list[Path] = []
    reports: list[FileReport] = []
    for i, source in enumerate(sources):
        dest = out_dir / f"{i:03d}-{source.name}"
        report = refresh_file(source, dest, calculate)
        reports.append(report)
        if report.output is not None:
            written.append(dest)
        if source.parent.name == "excel-files":  # and a --values copy (calcChain dropped)
            values = out_dir / f"{i:03d}-values-{source.name}"
            if refresh_file(source, values, calculate, values_only=True).output is not None:
                written.append(values)
    assert len([p for p in written if p.name[4:] in {t.name for t in TEMPLATES}]) == len(TEMPLATES)
    assert any("-values-" in p.name for p in written)
    assert len(written) >= len(sources) // 2, [(r.path, r.status) for r in reports]
    for template in TEMPLATES:  # --in-place twice: the output of an output, and its backups
        twice = out_dir / f"in-place-{template.name}"
        shutil.copyfile(template, twice)
        for _ in range(2):
            assert refresh_file(twice, twice, calculate, in_place=True).exit_code == 0
        written.append(twice)
    return written + values_copies


def test_local_headers_agree_with_central_directory(outputs: list[Path]) -> None:
    """No output has a local header whose sizes or ZIP64 extra disagree with the
    central directory (the fault that made LibreOffice refuse every template)."""
    bad = {p.name: zip_disagreements(p) for p in outputs}
    assert not {k: v for k, v in bad.items() if v}


def test_openpyxl_opens_every_output(outputs: list[Path]) -> None:
    """openpyxl loads every refreshed package."""
    for path in outputs:
        openpyxl.load_workbook(path, read_only=True).close()


#: LibreOffice's csv filter: comma, double quote, UTF-8, raw values (not as
#: shown), every sheet to ``<name>-<sheet>.csv`` (the last token, -1)
ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_output(outputs: list[Path], tmp_path: Path) -> None:
    """LibreOffice headless loads every refreshed package (converted to csv)."""
    converted = libreoffice_convert(outputs, tmp_path / "csv")
    assert sorted(p.name for p in outputs if p not in converted) == []


def _matches(shown: str, gold: Any) -> bool:
    if isinstance(gold, str):
        return shown == gold
    scale = 100.0 if shown.endswith("%") else 1.0  # LibreOffice keeps a percent format
    try:
        return abs(float(shown.rstrip("%")) / scale - float(gold)) <= 0.005 / scale
    except ValueError:
        return False


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_values_copies_show_golden_numbers_in_libreoffice(
    values_copies: list[Path], tmp_path: Path
) -> None:
    """Each template's ``--values`` copy, opened by LibreOffice (no add-in),
    shows every golden result: the formulas are gone, the numbers stay."""
    out_dir = tmp_path / "csv"
    libreoffice_convert(values_copies, out_dir, ALL_SHEETS)
    checked = 0
    for path in values_copies:
        tid = path.stem.replace("_", "-")
        gold = json.loads((ROOT / "workbooks" / "golden" / f"{tid}.json").read_text("utf-8"))
        grids: dict[str, list[list[str]]] = {}
        bad = []
        for key, value in gold["values"].items():
            sheet, _, cell = key.rpartition("!")
            if sheet not in grids:
                with (out_dir / f"{path.stem}-{sheet}.csv").open(encoding="utf-8") as fh:
                    grids[sheet] = list(csv.reader(fh))
            row, col = from_a1(cell)
            grid = grids[sheet]
            shown = grid[row - 1][col - 1] if row <= len(grid) and col <= len(grid[row - 1]) else ""
            if not _matches(shown, value):
                bad.append((key, shown, value))
            checked += 1
        assert not bad, f"{path.name}: {len(bad)} cells differ, first {bad[:5]}"
        with zipfile.ZipFile(path) as zf:
            assert not any(n.endswith("calcChain.xml") for n in zf.namelist())
            for sheet_part in (n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")):
                assert b"<f>" not in zf.read(sheet_part)
                assert b"<f " not in zf.read(sheet_part)
    assert checked > 1000
