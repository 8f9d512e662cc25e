"""What the commands report (:mod:`addin.summary`): the ``--json`` document and
the one line each repair made as Excel makes it is said in."""

from __future__ import annotations

import doctest

import click
import pytest
from click.testing import CliRunner

import addin.summary as summary
from addin.language import language_option
from addin.xlsx.model import Repair

REPAIR = Repair("S", "A1", "公式 <f> 只有空白：已修复 / the formula <f> holds only whitespace: repaired")


def test_summary_doctests() -> None:
    result = doctest.testmod(summary, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh", "a.xlsx：S!A1：公式 <f> 只有空白：已修复"),
        ("en", "a.xlsx: S!A1: the formula <f> holds only whitespace: repaired"),
        ("zh-en", "a.xlsx：S!A1：公式 <f> 只有空白：已修复 / a.xlsx: S!A1: the formula <f> holds only whitespace: repaired"),
    ],
)
def test_a_repair_is_one_line_on_stderr_in_the_command_s_language(lang: str, line: str) -> None:
    @click.command()
    @language_option()
    def command(lang: str) -> None:
        summary.echo_repairs("folder/a.xlsx", [REPAIR])

    result = CliRunner().invoke(command, ["--lang", lang])
    assert result.exit_code == 0
    assert result.stderr == line + "\n"
    assert result.stdout == ""
