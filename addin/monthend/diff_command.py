"""``jixiao diff``: the command line of the comparison (:mod:`addin.monthend.diff`)
and its xlsx report (:mod:`addin.monthend.report`).

比较命令：逐人比较两版工作簿的计算结果，可写出 xlsx 报告。
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from addin.language import language_option
from addin.monthend.diff import EXIT_DIFFERENT, EXIT_SAME, compare, render_lines
from addin.monthend.report import write_report
from addin.monthend.values import readable_or_exit

__all__ = ["diff_command"]


# ----------------------------------------------------------------- command


@click.command("diff", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--key", help="关键列（表头或列字母）/ key column (header or column letter).")
@click.option(
    "--out", "out", type=click.Path(path_type=Path),
    help="写出 xlsx 比较报告 / write an xlsx report.",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / print JSON.")
@language_option()
def diff_command(old: Path, new: Path, key: str | None, out: Path | None, as_json: bool, lang: str) -> None:
    """逐人比较两版工作簿的计算结果。

    退出码：0 无差异，1 有差异，2 文件无法读取。

    Compare the computed results of two versions of a workbook, person by person.
    Exit codes: 0 no difference, 1 differences, 2 a file cannot be read.
    """
    with readable_or_exit(old, new):
        result = compare(old, new, key=key)
    if out is not None:
        write_report(result, out)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        chunk: list[str] = []
        for line in render_lines(result, lang):  # printed as made: no million-line string
            chunk.append(line)
            if len(chunk) >= 10_000:
                click.echo("\n".join(chunk))
                chunk = []
        click.echo("\n".join(chunk))
        if out is not None:
            click.echo(f"报告 / report: {out}")
    sys.exit(EXIT_DIFFERENT if result.different else EXIT_SAME)
