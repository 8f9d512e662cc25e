"""The function reference: docs/functions.md is what the registry generates; `jixiao functions`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from addin.cli import main as cli
from addin.reference import excel_literal, functions_command, markdown, summary
from addin.registry import FUNCTIONS

DOC = Path(__file__).resolve().parents[1] / "docs" / "functions.md"


def test_committed_reference_is_up_to_date() -> None:
    """docs/functions.md equals the generated text (regenerate: jixiao functions --markdown)."""
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/functions.md is stale: run `.venv/bin/jixiao functions --markdown > docs/functions.md`"
    )


def test_reference_covers_every_function_argument_keyword_and_example() -> None:
    """Every function, argument, keyword spelling and example appears in the reference."""
    text = markdown()
    for spec in FUNCTIONS:
        assert f"### `{spec.signature}`" in text
        assert spec.help_zh in text
        assert spec.help_en in text
        for a in spec.args:
            assert f"| `{a.name}` |" in text
            for word in a.spellings:
                assert f"`{word}`" in text
        for ex in spec.examples:
            assert f"`={ex.formula}` → `{excel_literal(ex.result)}`" in text
    assert text.index("## 计分 / Scoring") < text.index("## 金额 / Money")


def test_functions_lists_everything_chinese_first() -> None:
    """`jixiao functions --lang zh-en` prints every signature, its Chinese help, then
    the English; by default only the Chinese."""
    chinese = CliRunner().invoke(cli, ["functions"], env={"JIXIAO_LANG": ""})
    assert chinese.exit_code == 0, chinese.output
    assert chinese.output == summary("zh")
    assert all(spec.help_zh in chinese.output and spec.help_en not in chinese.output for spec in FUNCTIONS)
    result = CliRunner().invoke(cli, ["functions", "--lang", "zh-en"])
    assert result.exit_code == 0, result.output
    assert result.output == summary("zh-en")
    for spec in FUNCTIONS:
        i = result.output.index(spec.signature)
        assert i < result.output.index(spec.help_zh, i) < result.output.index(spec.help_en, i)


def test_functions_shows_one_function_in_any_spelling() -> None:
    """`jixiao functions jx.tiered` prints TIERED's full section."""
    result = CliRunner().invoke(functions_command, ["jx.tiered"])
    assert result.exit_code == 0
    assert "### `TIERED(x, table, mode, [side])`" in result.output
    assert "`超额`" in result.output


def test_unknown_function_is_a_clear_error() -> None:
    """An unknown name exits non-zero with a Chinese-first message, no traceback."""
    result = CliRunner().invoke(functions_command, ["NOPE"])
    assert result.exit_code == 1
    assert "没有名为 NOPE 的函数" in result.output
    assert "Traceback" not in result.output


def test_markdown_option_prints_the_reference() -> None:
    """`jixiao functions --markdown` prints exactly the generated reference."""
    result = CliRunner().invoke(functions_command, ["--markdown"])
    assert result.exit_code == 0
    assert result.output == markdown()


def test_excel_literal() -> None:
    """Results are written as Excel writes values: integers without .0, text quoted, arrays."""
    assert excel_literal(87.1) == "87.1"
    assert excel_literal(50.0) == "50"
    assert excel_literal('a"b') == '"a""b"'
    assert excel_literal(True) == "TRUE"
    assert excel_literal([[1.0, 2.0], [3.0, None]]) == "{1,2;3,}"


def test_help_url_points_at_the_functions_section() -> None:
    """Each function's help_url is docs/functions.md#<name>; that anchor is in the shipped
    reference, right before the function's own heading; `jixiao functions NAME` prints it."""
    text = DOC.read_text(encoding="utf-8")
    root = DOC.parents[1]
    for spec in FUNCTIONS:
        path, _, anchor = spec.help_url.partition("#")
        assert root / path == DOC
        assert f'<a id="{anchor}"></a>\n\n### `{spec.signature}`' in text
        result = CliRunner().invoke(functions_command, [spec.name])
        assert f"帮助 / help: {spec.help_url}" in result.output
