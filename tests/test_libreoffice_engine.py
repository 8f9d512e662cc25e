"""``--engine libreoffice``: the bridge's pieces, and the engine end to end.

The formula rewriting and the generated Basic wrappers are checked without
LibreOffice; the tests marked ``libreoffice`` run a private headless soffice.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from addin import registry
from addin.refresh import libreoffice as lo
from addin.refresh.engine import calculate
from addin.xlsx.a1 import from_a1
from addin.xlsx.model import RefreshError
from addin.xlsx.workbook import read_workbook
from udfs.errors import ExcelError

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"


# ---------------------------------------------------------------------------
# Without LibreOffice
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["TIERED", "tiered", "_xludf.TIERED", "_xldudf_JX_TIERED", "JX.TIERED"]
)
def test_every_spelling_calls_the_wrapper(spelling: str) -> None:
    """Each spelling a file may use becomes a call of the Basic wrapper JX_TIERED."""
    out = lo.rewrite_formula(f'1+{spelling}(B2,参数!$A$2:$B$6,"超额")')
    assert out == '1+JX_TIERED(B2,参数!$A$2:$B$6,"超额")'


def test_rewrite_leaves_other_text_alone() -> None:
    """Text in strings and quoted sheet names, Excel's own functions and
    functions that merely contain a contract name are not touched."""
    for text in (
        'IF(A1>0,"TIERED(x)","")',
        "'MONEY(1)'!A1+SUM(A1:A3)",
        "MONEYX(A1)+XMONEY(A1)",
        "VLOOKUP(A2,参数!$A$2:$B$5,2,TRUE)",
    ):
        assert lo.rewrite_formula(text) == text


def test_nested_calls_and_empty_arguments() -> None:
    """Calls inside calls are both rewritten; an empty argument becomes "" (omitted
    for the kernel), and a call without arguments keeps none."""
    out = lo.rewrite_formula('MONEY(TIERED(A1,T,"超额"),,"银行家")')
    assert out == 'JX_MONEY(JX_TIERED(A1,T,"超额"),"","银行家")'
    assert 'JX_RANKX(A2:A9,"","dense")' in lo.rewrite_formula('RANKX(A2:A9,,"dense")')


def test_basic_module_wraps_every_registry_function() -> None:
    """One Basic wrapper per registry function, taking up to its most arguments."""
    source = lo.basic_module(lo.contract_functions())
    for name in registry.names():
        most = registry.by_name(name).arg_counts[1]
        params = ", ".join(f"Optional a{i}" for i in range(most))
        assert f"Function JX_{name}({params})" in source
        assert f'JX_{name} = JixiaoCall("{name}", v)' in source


def test_spill_padding_is_trimmed() -> None:
    """LibreOffice pads a dynamic array smaller than its saved range with #N/A;
    those rows and columns are not part of the result."""
    na = ExcelError("#N/A")
    values = {(1, 1): 1.0, (1, 2): na, (2, 1): 2.0, (2, 2): na, (3, 1): na, (3, 2): na}
    assert lo._spill_end((1, 1), (3, 2), values) == (2, 1)
    real_na = {(1, 1): na}
    assert lo._spill_end((1, 1), (1, 1), real_na) == (1, 1)


def test_missing_libreoffice_is_a_clear_refresh_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without soffice the engine says what to install, as a RefreshError (no traceback)."""
    monkeypatch.setenv("PATH", "/nonexistent")
    reason = lo.unavailable_reason()
    assert reason is not None
    assert "make libreoffice" in reason
    with pytest.raises(RefreshError, match="make libreoffice"):
        lo.LibreOffice()


# ---------------------------------------------------------------------------
# With LibreOffice
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def office() -> Iterator[lo.LibreOffice]:
    """One private headless LibreOffice for the module."""
    with lo.LibreOffice() as office:
        yield office


@pytest.mark.libreoffice
def test_version_is_recent(office: lo.LibreOffice) -> None:
    """The LibreOffice running is at least 25.2 (XLOOKUP, LET)."""
    major, minor = (int(x) for x in office.version.split(".")[:2])
    assert (major, minor) >= lo.MIN_VERSION


@pytest.mark.libreoffice
def test_contract_errors_cross_the_bridge_by_kind(office: lo.LibreOffice, tmp_path: Path) -> None:
    """Errors from the kernel reach LibreOffice's cells as the same error kind,
    and later formulas see them as errors; input errors pass through."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    for r, (start, rate) in enumerate([(0, 0.01), (100, 0.02), (200, 0.03)], start=1):
        ws.cell(r, 1, start)
        ws.cell(r, 2, rate)
        ws.cell(r, 6, 300 - start)  # F1:G3 starts descending
        ws.cell(r, 7, rate)
    ws["D1"] = "=BAND(-5,A1:B3,2)"  # below the first start: #N/A
    ws["D2"] = "=ISNA(D1)"
    ws["D3"] = '=TIERED(150,F1:G3,"全额")'  # starts not ascending: #VALUE!
    ws["D4"] = "=MONEY(1/0)"  # an input error passes through
    ws["D5"] = '=_xludf.TIERED(150,A1:B3,"超额")'
    ws["D6"] = "=MONEY(2.675,2)"
    ws["H1"], ws["H2"] = 5, "x"
    ws["D7"] = "=INDEX(RANKX(H1:H2),2)"  # an error inside an array result
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    values = lo.calculate_with_libreoffice(path, office).values["S"]
    assert values[from_a1("D1")] == ExcelError("#N/A")
    assert values[from_a1("D2")] in (True, 1.0)
    assert values[from_a1("D3")] == ExcelError("#VALUE!")
    assert values[from_a1("D4")] == ExcelError("#DIV/0!")
    assert values[from_a1("D5")] == pytest.approx(100 * 0.01 + 50 * 0.02)
    assert values[from_a1("D6")] == pytest.approx(2.68)
    assert values[from_a1("D7")] == ExcelError("#VALUE!")
    builtin = calculate(read_workbook(path)).values["S"]
    for cell in ("D1", "D3", "D4", "D5", "D6", "D7"):
        assert str(builtin[from_a1(cell)]) == str(values[from_a1(cell)])


@pytest.mark.libreoffice
def test_cli_refresh_with_engine_libreoffice(tmp_path: Path) -> None:
    """``jixiao refresh --engine libreoffice`` refreshes a template; the cached
    values equal the built-in engine's and the input is left unchanged."""
    from addin.refresh.cli import refresh_command

    src = tmp_path / TEMPLATE.name
    shutil.copyfile(TEMPLATE, src)
    before = src.read_bytes()
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        refresh_command, [str(src), "--out", str(out), "--engine", "libreoffice"]
    )
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before
    cached = {s.name: s.values for s in read_workbook(out).sheets}
    builtin = calculate(read_workbook(src))
    for sheet, cells in builtin.values.items():
        for coord, value in cells.items():
            got = cached[sheet].get(coord)
            if isinstance(value, float):
                assert got == pytest.approx(value, rel=1e-9), (sheet, coord)
            elif value not in ("", None):
                assert str(got) == str(value), (sheet, coord)
