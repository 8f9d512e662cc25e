"""One language policy for every command (``addin/language.py``): Chinese by
default, ``--lang en`` English, ``--lang zh-en`` both; ``JIXIAO_LANG`` changes
the default; an explicit ``--lang`` wins."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from addin import language
from addin.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "templates" / "t1_gongxiaoshe.xlsx"


def _leaf_commands() -> Iterator[tuple[str, click.Command]]:
    group = main
    ctx = click.Context(group)
    for name in COMMANDS:
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


def _reference_option() -> dict[str, object]:
    @language.language_option()
    def probe(lang: str) -> None:  # pragma: no cover - never called
        del lang

    params: list[click.Parameter] = probe.__click_params__  # type: ignore[attr-defined]
    return params[0].to_info_dict()


@pytest.mark.parametrize(("name", "command"), list(_leaf_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_takes_the_one_language_option(name: str, command: click.Command) -> None:
    options = [p for p in command.params if "--lang" in p.opts]
    assert len(options) == 1, f"jixiao {name} has no --lang"
    assert options[0].to_info_dict() == _reference_option()


def test_no_module_words_its_own_language_option() -> None:
    for path in sorted((ROOT / "addin").rglob("*.py")):
        if path.name == "language.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '"--lang"' not in text, f"{path.relative_to(ROOT)} declares --lang itself; use language_option()"


def test_default_is_chinese_and_the_environment_changes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(language.LANG_ENV, raising=False)
    assert language.default_language() == "zh"
    monkeypatch.setenv(language.LANG_ENV, "EN")
    assert language.default_language() == "en"
    monkeypatch.setenv(language.LANG_ENV, "klingon")
    assert language.default_language() == "zh"


def test_say_and_pick() -> None:
    assert language.say("zh", "已写出", "wrote") == "已写出"
    assert language.say("en", "已写出", "wrote") == "wrote"
    assert language.say("zh-en", "已写出", "wrote") == "已写出 / wrote"
    text = "结构完好 / sound\n均分：(200 + 100) / 2 = 150 / share: 150"
    assert language.pick(text, "zh") == "结构完好\n均分：(200 + 100) / 2 = 150"
    assert language.pick(text, "en") == "sound\nshare: 150"
    assert language.pick(text, "zh-en") == text


_CJK_MESSAGE = re.compile(r"[\u4e00-\u9fff]")
#: how long a run took differs between runs: "用时 0.74 秒", "in 0.74 s"
_TIMING = re.compile(r"\d+(?:\.\d+)? ?(?:秒|s\b)")


def _runs(tmp_path: Path) -> list[tuple[str, list[str]]]:
    book = tmp_path / "奖金表.xlsx"
    shutil.copyfile(TEMPLATE, book)
    other = tmp_path / "奖金表2.xlsx"
    shutil.copyfile(TEMPLATE, other)
    return [
        ("functions", ["functions"]),
        ("functions (unknown)", ["functions", "NO_SUCH"]),
        ("new", ["new", "--list"]),
        ("validate", ["validate", str(book)]),
        ("validate (missing file)", ["validate", str(tmp_path / "无此文件.xlsx")]),
        ("lint", ["lint", str(book)]),
        ("refresh", ["refresh", str(book), "--out", str(tmp_path / "out.xlsx")]),
        ("diff", ["diff", str(book), str(other)]),
        ("fix", ["fix", str(book), "--out", str(tmp_path / "fixed.xlsx")]),
        ("template", ["template", str(book), "--host", "lite", "--out", str(tmp_path / "lite.xlsx")]),
    ]


def _run(args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> str:
    for leftover in ("out.xlsx", "fixed.xlsx", "lite.xlsx"):
        (tmp_path / leftover).unlink(missing_ok=True)
    result = CliRunner().invoke(main, args, env={language.LANG_ENV: "", **(env or {})})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return _TIMING.sub("<t>", result.output)


def test_every_command_speaks_the_chosen_language(tmp_path: Path) -> None:
    for what, args in _runs(tmp_path):
        default = _run(args, tmp_path)
        zh = _run([*args, "--lang", "zh"], tmp_path)
        en = _run([*args, "--lang", "en"], tmp_path)
        both = _run([*args, "--lang", "zh-en"], tmp_path)
        by_env = _run(args, tmp_path, {language.LANG_ENV: "en"})
        over_env = _run([*args, "--lang", "zh"], tmp_path, {language.LANG_ENV: "en"})
        assert default == zh == over_env, what
        assert by_env == en, what
        assert en != zh, what
        assert both not in (zh, en), what
        assert " / " not in zh, f"{what}: a message in both languages\n{zh}"
        assert " / " not in en, f"{what}: a message in both languages\n{en}"
        assert _CJK_MESSAGE.search(zh), what
        # English output holds Chinese only where the workbook's own words are quoted
        # (file, sheet and header names), never a Chinese message word.
        for word in ("已写出", "无法", "结构完好", "问题", "下一步", "没有", "比较", "刷新", "注意"):
            assert word not in en, f"{what}: {word!r} in the English output\n{en}"
