"""``jixiao template``: every template, converted for every host, keeps working.

Each template under ``workbooks/templates`` is converted for classic, lite and
server: the result calls the contract functions only in that host's spelling,
as often as the original; it still validates, and it refreshes to the golden
values; converting back gives the original parts byte for byte.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_refresh_templates import _differences

from addin.cli import main as cli
from addin.hosts.template import HOSTS, Host, host_spelling, respell, spellings_in
from addin.refresh.engine import calculate
from addin.registry import lookup
from addin.validate import validate
from addin.xlsx.workbook import read_workbook
from addin.xlsx.writer import write_results

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("*.xlsx"))
CASES = [(t, h) for t in TEMPLATES for h in HOSTS]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _golden(template: Path) -> dict[str, object] | None:
    """The golden values of the template stored in ``template``'s file, if any."""
    for path in (ROOT / "workbooks" / "golden").glob("*.json"):
        golden: dict[str, object] = json.loads(path.read_text("utf-8"))
        spec = json.loads(
            (ROOT / "workbooks" / "specs" / f"{golden['template']}.json").read_text("utf-8")
        )
        if spec["file"] == template.name:
            return golden
    return None


def _convert(template: Path, host: Host, out: Path) -> None:
    result = CliRunner().invoke(cli, ["template", str(template), "--host", host, "--out", str(out)])
    assert result.exit_code == 0, result.output


def test_every_template_has_a_golden_file() -> None:
    """The loop below covers refresh for every template (none is skipped silently)."""
    assert TEMPLATES
    assert all(_golden(t) is not None for t in TEMPLATES)


@pytest.mark.parametrize(("template", "host"), CASES, ids=[f"{t.stem}-{h}" for t, h in CASES])
def test_converted_template_has_only_host_spellings_validates_and_refreshes(
    template: Path, host: Host, tmp_path: Path
) -> None:
    """Only ``host``'s spelling is left, as many calls as before; validate finds the
    structure sound; the refreshed copy caches the golden values."""
    out = tmp_path / f"{template.stem}.{host}.xlsx"
    _convert(template, host, out)
    before, after = spellings_in(template), spellings_in(out)
    assert sum(after.values()) == sum(before.values()) > 0
    for spelling in after:
        spec = lookup(spelling)
        assert spec is not None
        assert spelling == host_spelling(spec, host), spelling
    report = validate(out)
    assert report.exit_code == 0, report.render_text("en")
    golden = _golden(template)
    assert golden is not None
    refreshed = tmp_path / "refreshed.xlsx"
    write_results(out, calculate(read_workbook(out)), refreshed)
    cached = {s.name: s.values for s in read_workbook(refreshed).sheets}
    assert _differences(cached, golden["values"]) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.stem for t in TEMPLATES])
def test_round_trip_restores_every_part(template: Path, tmp_path: Path) -> None:
    """server → lite → classic gives back the original's parts byte for byte: only
    function names change, nothing else in the package."""
    server, lite, classic = (tmp_path / f"{h}.xlsx" for h in ("server", "lite", "classic"))
    _convert(template, "server", server)
    _convert(server, "lite", lite)
    _convert(lite, "classic", classic)
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(classic) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def test_respell_leaves_strings_sheet_names_and_other_functions() -> None:
    """A string literal, a quoted sheet name and a defined name that merely contain
    a function name are not calls; every spelling a file may hold is respelt."""
    formula = "SUM('TIERED(1)'!A1,LEN(\"MONEY(\"),_xludf.MONEY(B2),jx.money(B3),MONEY_TOTAL)"
    new, n = respell(formula, "server")
    assert n == 2
    assert new == (
        "SUM('TIERED(1)'!A1,LEN(\"MONEY(\"),_xldudf_XLWINGS_JX_MONEY(B2),"
        "_xldudf_XLWINGS_JX_MONEY(B3),MONEY_TOTAL)"
    )
    assert respell(new, "server") == (new, 0)


def test_defined_names_are_respelt(tmp_path: Path) -> None:
    """A defined name whose formula calls a contract function is rewritten too."""
    src = tmp_path / "names.xlsx"
    with (
        zipfile.ZipFile(TEMPLATES[0]) as zin,
        zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(
                    b"</definedNames>",
                    b'<definedName name="\xe5\x90\x88\xe8\xae\xa1">MONEY(SUM(1,2)&amp;"")</definedName></definedNames>',
                )
                assert b"MONEY(SUM" in data
            zout.writestr(info, data)
    out = tmp_path / "names.lite.xlsx"
    _convert(src, "lite", out)
    with zipfile.ZipFile(out) as z:
        assert b'_xldudf_JX_MONEY(SUM(1,2)&amp;"")</definedName>' in z.read("xl/workbook.xml")


def test_cli_refuses_to_overwrite_and_reports_unreadable(tmp_path: Path) -> None:
    """The original is never the output (exit 2); a non-workbook is exit 2 with its name;
    without --out the copy is written beside the input as NAME.HOST.xlsx."""
    src = tmp_path / "t.xlsx"
    src.write_bytes(TEMPLATES[0].read_bytes())
    same = CliRunner().invoke(cli, ["template", str(src), "--host", "lite", "--out", str(src)])
    assert same.exit_code == 2
    assert src.read_bytes() == TEMPLATES[0].read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = CliRunner().invoke(cli, ["template", str(bad), "--host", "lite"])
    assert result.exit_code == 2
    assert "bad.xlsx" in result.output
    assert CliRunner().invoke(cli, ["template", str(src), "--host", "server"]).exit_code == 0
    assert (tmp_path / "t.server.xlsx").is_file()


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_converted_spelling(tmp_path: Path) -> None:
    """LibreOffice (the reference for "the file is valid") opens the template converted for
    each host and saves it again."""
    assert SOFFICE is not None
    template = TEMPLATES[0]
    for host in HOSTS:
        out = tmp_path / f"{host}.xlsx"
        _convert(template, host, out)
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
             "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(out)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        assert zipfile.is_zipfile(tmp_path / "lo" / out.name)


def test_local_headers_agree_with_the_central_directory(tmp_path: Path) -> None:
    """Respelt parts change size; each local header (and its zip64 extra field, which
    Python's zipfile writes for streamed entries) must give the new sizes, or LibreOffice
    refuses the file."""
    out = tmp_path / "lite.xlsx"
    _convert(TEMPLATES[0], "lite", out)
    with zipfile.ZipFile(out) as z, out.open("rb") as fh:
        for info in z.infolist():
            fh.seek(info.header_offset)
            header = fh.read(30)
            csize, usize = struct.unpack("<II", header[18:26])
            n, m = struct.unpack("<HH", header[26:30])
            extra = fh.read(n + m)[n:]
            if extra[:2] == b"\x01\x00":
                usize, csize = struct.unpack("<QQ", extra[4:20])
            assert (csize, usize) == (info.compress_size, info.file_size), info.filename


def test_unreadable_formula_names_sheet_and_cell(tmp_path: Path) -> None:
    """A formula that calls one of our functions but cannot be read stops the conversion
    with exit 1, naming file, sheet!cell and the formula; nothing is written."""
    src = tmp_path / "broken.xlsx"
    broken = 0
    with (
        zipfile.ZipFile(TEMPLATES[0]) as zin,
        zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/") and not broken:
                # an unclosed string literal right after the function's "("
                data, broken = re.subn(
                    rb'(<c r="[A-Z]+\d+"[^>]*><f[^>]*>)([A-Z_]+)\(', rb'\1\2("', data, count=1
                )
            zout.writestr(info, data)
    assert broken == 1
    out = tmp_path / "broken.lite.xlsx"
    result = CliRunner().invoke(cli, ["template", str(src), "--host", "lite", "--out", str(out)])
    assert result.exit_code == 1
    assert "broken.xlsx" in result.output
    assert re.search(r'![A-Z]+\d+: =[A-Z_]+\("', result.output), result.output
    assert not out.exists()
