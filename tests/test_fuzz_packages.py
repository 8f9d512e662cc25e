"""Fuzzing: real packages with mutated bytes never crash ``refresh`` or ``validate``.

A bounded hypothesis run mutates (a) the raw bytes of a package — the zip
structure, compressed data, headers — and (b) the XML of one of its parts,
re-zipped, so the reader, engine and writer see damaged content, not only a
failed CRC. For every mutant, run in-process: no exit 3, no traceback, and an
input that ``refresh`` refused (exit 2) leaves no output behind.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result
from external import SHARED, missing_reason
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: an openpyxl-made template (ZIP64 local extras) and, where the external
#: material is present (always in CI), an Excel-saved file
SOURCES = [ROOT / "workbooks" / "templates" / "t7_weixiu.xlsx"] + (
    [SHARED / "excel-files" / "types07.xlsx"] if missing_reason("excel-files") is None else []
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(data: bytes, folder: Path) -> None:
    """Refresh and validate ``data`` as a file; the invariants of the module docstring."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    src = folder / "mutant.xlsx"
    src.write_bytes(data)
    runner = CliRunner()
    for args in (["refresh", str(src), "--json"], ["validate", str(src), "--json"]):
        result: Result = runner.invoke(main, args)
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            repr(result.exception),
        )
        assert result.exit_code in (0, 1, 2), (args, result.output)
        if args[0] == "refresh" and result.exit_code == 2:
            assert sorted(p.name for p in folder.iterdir()) == ["mutant.xlsx"]


@st.composite
def raw_mutants(draw: st.DrawFn) -> bytes:
    """A package with a few bytes overwritten, a slice cut out, or truncated."""
    data = bytearray(SOURCES[draw(st.integers(0, len(SOURCES) - 1))].read_bytes())
    kind = draw(st.sampled_from(["overwrite", "cut", "truncate"]))
    if kind == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    if kind == "cut":
        start = draw(st.integers(0, len(data) - 1))
        return bytes(data[:start] + data[start + draw(st.integers(1, 64)) :])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def xml_mutants(draw: st.DrawFn) -> bytes:
    """A package re-zipped with one XML part's bytes mutated (overwrite, insert
    an XML-ish fragment, or cut)."""
    source = SOURCES[draw(st.integers(0, len(SOURCES) - 1))]
    with zipfile.ZipFile(source) as zin:
        infos = zin.infolist()
        parts = [i.filename for i in infos if i.filename.endswith((".xml", ".rels"))]
        target = draw(st.sampled_from(parts))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                content = zin.read(info)
                if info.filename == target:
                    content = _mutate_xml(draw, bytearray(content))
                zout.writestr(info, content)
    return out.getvalue()


_FRAGMENTS = [
    b"<", b">", b'"', b"&", b"&#0;", b"<!DOCTYPE x>", b'r="XFD1048577"', b'ref="abc"',
    b't="e"', b't="s"', b"<v>1E999</v>", b"<f>A1+</f>", b'count="-1"', b"\xff\xfe",
    b'headerRowCount="x"', b"<c/>", b"</row>", b'r="0"', b"<v>999999999</v>", b"\x00",
]  # fmt: skip


def _mutate_xml(draw: st.DrawFn, content: bytearray) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(content) - 1, 0)))
        kind = draw(st.sampled_from(["overwrite", "insert", "cut"]))
        if kind == "overwrite" and content:
            content[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            content[at:at] = draw(st.sampled_from(_FRAGMENTS))
        else:
            del content[at : at + draw(st.integers(1, 32))]
    return bytes(content)


@FUZZ
@given(data=raw_mutants())
def test_mutated_package_bytes_never_crash(data: bytes, tmp_path_factory: object) -> None:
    """Mutated zip bytes: refresh and validate end in 0, 1 or 2 with a message;
    a refused input leaves no output."""
    _check(data, Path(_tmp(tmp_path_factory)) / "raw")


@FUZZ
@given(data=xml_mutants())
def test_mutated_part_xml_never_crashes(data: bytes, tmp_path_factory: object) -> None:
    """Mutated XML inside a well-formed zip: the same invariants."""
    _check(data, Path(_tmp(tmp_path_factory)) / "xml")


def _tmp(factory: object) -> Path:
    path: Path = factory.getbasetemp() / "fuzz"  # type: ignore[attr-defined]
    return path
