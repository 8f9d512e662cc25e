"""Every package ``jixiao refresh`` writes is a valid zip that other readers open.

Outputs come from the seven templates, every file of ``../shared/excel-files``
and a sample of ``../shared/excel-corpus`` (every producer: Excel, openpyxl,
LibreOffice, XlsxWriter, POI …). Each output must

* agree with itself at the zip level: each local header's CRC and sizes match
  the central directory, and a ZIP64 extra field in a local header repeats the
  same sizes (LibreOffice 25.2 refuses a package where they disagree, while
  Python's zipfile and ``unzip -t`` accept it);
* open in openpyxl;
* open in LibreOffice headless (converted to csv, all files in one ``soffice``
  run: a start per file would take minutes on a shared machine).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.refresh.cli import FileReport, load_engine, refresh_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("t*.xlsx"))
#: every n-th file of the corpus (sorted by name): all producers, a bounded run
CORPUS_STEP = 5
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


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
def outputs(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> list[Path]:
    """Refresh (built-in engine) every source; the outputs written."""
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
    assert len([p for p in written if p.name[4:] in {t.name for t in TEMPLATES}]) == len(TEMPLATES)
    assert len(written) >= len(sources) // 2, [(r.source, r.status) for r in reports]
    return written


def test_local_headers_agree_with_central_directory(outputs: list[Path]) -> None:
    """No output has a local header whose sizes or ZIP64 extra disagree with the
    central directory (the fault that made LibreOffice refuse every template)."""
    bad = {p.name: zip_disagreements(p) for p in outputs}
    assert not {k: v for k, v in bad.items() if v}


def test_openpyxl_opens_every_output(outputs: list[Path]) -> None:
    """openpyxl loads every refreshed package."""
    for path in outputs:
        openpyxl.load_workbook(path, read_only=True).close()


def convert_to_csv(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Convert ``paths`` to csv (first sheet) in one LibreOffice run; the csv of
    each file LibreOffice could load."""
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{out_dir / 'profile'}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ],
        check=False,
        capture_output=True,
        timeout=900,
    )
    found = {p: out_dir / (p.stem + ".csv") for p in paths}
    return {p: csv for p, csv in found.items() if csv.is_file()}


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_output(outputs: list[Path], tmp_path: Path) -> None:
    """LibreOffice headless loads every refreshed package (converted to csv)."""
    converted = convert_to_csv(outputs, tmp_path / "csv")
    assert sorted(p.name for p in outputs if p not in converted) == []
