"""``jixiao new``: templates out of the installed package."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from addin.cli import main
from addin.new import find_template, shipped_templates

ROOT = Path(__file__).resolve().parents[1]


def test_every_template_is_listed_and_found_by_its_names() -> None:
    shipped = shipped_templates()
    assert len(shipped) == 8
    for t in shipped:
        assert (ROOT / "workbooks" / "templates" / t.file).is_file()
        for name in (t.id, t.id.split("-")[0], Path(t.file).stem, t.title):
            assert find_template(name) == t


def test_new_copies_the_template_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "奖金表.xlsx"
    result = CliRunner().invoke(main, ["new", "t1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (ROOT / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx").read_bytes()
    assert "jixiao refresh" in result.output
    again = CliRunner().invoke(main, ["new", "t1", "-o", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.output
    assert CliRunner().invoke(main, ["new", "t9"]).exit_code == 2
    listed = CliRunner().invoke(main, ["new", "--list"])
    assert listed.exit_code == 0
    assert "供销社" in listed.output
