"""``jixiao validate PATH...``: validate workbooks and folders of workbooks."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from addin.language import Lang, language_option, say
from addin.summary import EXIT_NOT_WRITTEN, json_document
from addin.validate import validate
from addin.validate.report import Report
from addin.validate.specfile import SpecError, load_spec

__all__ = ["iter_workbooks", "validate_command"]

_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def iter_workbooks(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Files as given; folders searched recursively for workbooks (not Excel's
    ``~$`` lock files)."""
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in _SUFFIXES and not p.name.startswith("~$"):
                    yield p
        else:
            yield path


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@language_option()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON for machines")
@click.option(
    "--spec", "spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="用此结构说明代替按模板编号查找 / use this structure spec instead of the template's",
)  # fmt: skip
def validate_command(paths: tuple[Path, ...], lang: Lang, as_json: bool, spec_file: Path | None) -> None:
    """校验工作簿结构 / check that workbooks still have their template's structure.

    退出码 / exit code: 0 结构完好 sound, 1 发现问题 problems found, 2 无法读取 unreadable
    (工作簿或结构说明 workbook or spec), 3 内部错误 internal error.
    --json 与 refresh 同一格式 / --json prints the same document shape as refresh:
    {"command", "exit_code", "files": [{"path", "source", "status", "exit_code", "message",
    "problems": [[where, reason]], "problem_details": [{"code", "sheet", "cell", ...}]}]}.
    """
    try:
        spec = load_spec(spec_file) if spec_file else None
    except SpecError as exc:
        click.echo(exc.render(lang), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    reports: list[Report] = [_validate_one(p, spec) for p in iter_workbooks(paths)]
    if not reports:
        message = say(lang, "没有找到工作簿", "no workbooks found")
        click.echo(message, err=True)
        if as_json:
            document = json_document("validate", []) | {"exit_code": EXIT_NOT_WRITTEN, "message": message}
            click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        sys.exit(EXIT_NOT_WRITTEN)
    if as_json:
        document = json_document("validate", [r.as_dict() for r in reports])
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            click.echo(r.render_text(lang))
    sys.exit(max(r.exit_code for r in reports))


def _validate_one(path: Path, spec: dict[str, Any] | None) -> Report:
    """Validate one file; a bug becomes that file's report (exit 3, one line) so
    a folder run goes on and ``--json`` still prints its document."""
    try:
        return validate(path, spec)
    except Exception as exc:  # the per-file boundary: a bug is one line, not a traceback
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        return Report(str(path), internal=f"{type(exc).__name__}: {exc}")
