"""The benchmark generator writes the same templates at any size."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from workbooks import generate
from workbooks.model import FIRST_ROW, DataSheet
from workbooks.templates import REGISTRY


@pytest.mark.parametrize("tid", list(REGISTRY))
def test_generate_small(tid: str, tmp_path: Path) -> None:
    """N = 240: same sheets and names as the template; spills cover every data row
    and the spare rows below."""
    out = tmp_path / "big.xlsx"
    assert generate.main([tid, "240", str(out)]) == 0
    t = generate.large_template(tid, 240)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == openpyxl.load_workbook(
        Path(__file__).resolve().parents[1] / "workbooks" / "templates" / REGISTRY[tid]().filename).sheetnames
    assert max(s.nrows for s in t.sheets if isinstance(s, DataSheet)) >= 200
    for s in t.sheets:
        if not isinstance(s, DataSheet):
            continue
        for i, c in enumerate(s.cols, start=1):
            if c.formula and c.spill:
                v = wb[s.name].cell(FIRST_ROW, i).value
                assert isinstance(v, ArrayFormula), (s.name, c.header)
                assert v.ref.endswith(str(s.end_row)), (s.name, c.header, v.ref)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["jixiao.template"] == tid


def test_generate_rejects_bad_n(tmp_path: Path) -> None:
    """N must be positive; unknown ids are refused by the argument parser."""
    with pytest.raises(SystemExit):
        generate.main(["t2-wangxiao", "0", str(tmp_path / "x.xlsx")])
    with pytest.raises(SystemExit):
        generate.main(["t9-nothing", "10", str(tmp_path / "x.xlsx")])
