"""``jixiao test WORKBOOK [CASES]``: run a workbook's test cases (format:
docs/cases.md) with the refresh engine, in memory; the workbook is never written.

Exit codes: 0 every expectation met, 1 a case fails, 2 the workbook or the
cases cannot be read (or the workbook cannot be calculated).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from addin.language import DEFAULT_LANG, language_option, pick, say
from addin.maintain.cases import CasesError, Check, load_cases, run_case
from addin.summary import EXIT_NOT_WRITTEN, echo_repairs
from addin.xlsx.model import RefreshError, UnreadableWorkbookError, Workbook
from addin.xlsx.workbook import read_workbook
from udfs.explain import number_text

__all__ = ["cases_path", "run_file", "test_command"]


def cases_path(workbook: Path) -> Path:
    """``NAME.cases.toml`` beside ``NAME.xlsx``."""
    return workbook.with_name(f"{workbook.stem}.cases.toml")


def run_file(workbook: Path, cases: Path, explain_all: bool = False) -> list[Check]:
    """Every check of every case; raises :class:`CasesError` (or the reader's
    and engine's errors) when the workbook or the cases cannot be used."""
    loaded, _named = load_cases(cases)
    wb: Workbook = read_workbook(workbook)
    echo_repairs(workbook, wb.repairs)
    checks: list[Check] = []
    for case in loaded:
        checks.extend(run_case(wb, case, explain_all))
    return checks


def _say(lang: str, zh: str, en: str) -> str:
    """Short words (marks, labels) side by side without a slash."""
    return say(lang, zh, en, sep=" ")


def _show(v: Any, lang: str = DEFAULT_LANG) -> str:
    if v is None:
        return _say(lang, "空白", "blank")
    return repr(v) if isinstance(v, str) else number_text(v)


def render(checks: list[Check], verbose: bool = False, lang: str = DEFAULT_LANG) -> str:
    """One line per case, then one per failed (or, verbose, every) expectation;
    ``lang`` as :mod:`addin.language` says."""
    lines: list[str] = []
    by_case: dict[str, list[Check]] = {}
    for c in checks:
        by_case.setdefault(c.case, []).append(c)
    for name, items in by_case.items():
        bad = [c for c in items if not c.ok]
        mark = _say(lang, "通过", "PASS") if not bad else _say(lang, "失败", "FAIL")
        count = f"{len(items) - len(bad)}/{len(items)}"
        lines.append(f"[{mark}] {name}" + (f" ({count})" if lang == "en" else f"（{count}）"))
        for c in items if verbose else bad:
            where = c.where if c.address == c.where else f"{c.where} ({c.address})"
            if c.kind == "address":  # the address names no cell: its reason follows
                lines.append(f"  {where}: " + say(lang, "地址无效", "bad address"))
                lines.extend(f"    {pick(x, lang)}" for x in c.explanation)
                continue
            sep = "，" if lang != "en" else ", "
            lines.append(f"  {where}: {_say(lang, '期望', 'expected')} {_show(c.expected, lang)}{sep}"
                         f"{_say(lang, '实得', 'got')} {_show(c.got, lang)}  [{c.kind}]")
            lines.extend(f"    {pick(x, lang)}" for x in c.explanation)
    failed = sum(1 for c in checks if not c.ok)
    zh = f"{len(by_case)} 个用例，{len(checks)} 项检查，{failed} 项失败"
    en = f"{len(by_case)} cases, {len(checks)} checks, {failed} failed"
    lines.append(say(lang, zh, en))
    return "\n".join(lines)


@click.command("test")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("cases", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--explain", "explain_all", is_flag=True, help="每项都给出计算说明 / explain every check")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON for machines")
@language_option()
def test_command(workbook: Path, cases: Path | None, explain_all: bool, as_json: bool, lang: str) -> None:
    """运行工作簿的测试用例 / run a workbook's test cases (NAME.cases.toml).

    退出码 / exit code: 0 全部通过 all pass, 1 有用例失败 a case fails,
    2 工作簿或用例无法读取或无法计算 workbook or cases unreadable, or not calculable.
    """
    cases = cases or cases_path(workbook)
    try:
        checks = run_file(workbook, cases, explain_all)
    except (CasesError, UnreadableWorkbookError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    except FileNotFoundError as exc:
        click.echo(f"{exc.filename}: 文件不存在 / no such file", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    except RefreshError as exc:
        click.echo(f"{workbook}: 无法计算 / cannot be calculated: {exc}", err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    if as_json:
        click.echo(json.dumps([
            {"case": c.case, "address": c.address, "where": c.where, "kind": c.kind, "ok": c.ok,
             "expected": c.expected, "got": c.got if isinstance(c.got, str | float | bool | None) else str(c.got),
             "explanation": c.explanation}
            for c in checks
        ], ensure_ascii=False, indent=1, default=str))  # fmt: skip
    else:
        click.echo(render(checks, explain_all, lang))
    sys.exit(0 if all(c.ok for c in checks) else 1)
