"""``jixiao fix WORKBOOK``: the repairs that change nothing a formula means,
written into a copy (``NAME.fixed.xlsx``, or ``--out``; ``--in-place`` keeps a
backup as refresh does).

Today one repair: functions newer than Excel 2007 stored without the prefix
Excel writes (``RANK.EQ(`` → ``_xlfn.RANK.EQ(``, ``SORT(`` →
``_xlfn._xlws.SORT(``). Tools that write formula text by hand store them so;
Excel and LibreOffice then show ``#NAME?`` and ``jixiao refresh`` computes
``#NAME?`` too. The formula text of every worksheet (``<f>`` elements, shared
masters included) and of every defined name is rewritten outside string
literals; every other byte of the package is copied as it was (the splicing
writer), so the cached values stay until the next refresh.

Why a command of its own and not ``lint --fix``: lint's findings are advice a
maintainer weighs (a rewrite of a pay rule); this is a storage defect with one
mechanical repair that finance meets on pay day, when ``jixiao refresh``
reports it — the command the refresh message names must not need judgement.

Exit codes: 0 repaired (or nothing to repair, said so), 2 not written
(unreadable workbook, output not writable, an output that is the input
without ``--in-place``).

修复：为缺少 _xlfn. 前缀的新函数补上前缀，写入副本（或 --in-place 原地并留备份），其余内容不变。
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from addin.language import language_option, pick, say
from addin.refresh.job import keep_backup
from addin.summary import EXIT_NOT_WRITTEN, EXIT_OK, echo_repairs
from addin.xlsx.excel_names import add_prefixes, stored_name
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.package import read_input
from addin.xlsx.package_writer import Deflated, write_package
from addin.xlsx.sheetxml import rewrite_formulas
from addin.xlsx.values_only import repair_formulas
from addin.xlsx.workbook import open_workbook, read_workbook

__all__ = ["fix_command", "fix_workbook"]

def fix_workbook(source: Path, dest: Path) -> dict[str, int]:
    """Write the repaired copy of ``source`` to ``dest`` (atomically) when
    anything needs repair; how many calls of each function were repaired.
    Raises :class:`~addin.xlsx.model.UnreadableWorkbookError` and ``OSError``."""
    counts: dict[str, int] = {}
    with read_input(source) as original, open_workbook(source, data=original) as package:
        # refresh's reader: what it refuses is refused here too, before anything is written
        repairs = read_workbook(source, data=original, formula_values=False).repairs
        echo_repairs(source, repairs)
        changed: dict[str, bytes | Deflated] = {}
        for part in [package.workbook_part, *(sp.part for sp in package.sheet_parts)]:
            if not package.has(part):
                continue
            xml = package.read(part)
            new = rewrite_formulas(xml, lambda text: add_prefixes(text, counts))
            if new != xml:
                changed[part] = new
        if changed:
            removed = repair_formulas(package, changed, repairs)  # as Excel would on opening
            write_package(source, package, changed, dest, data=original, removed=removed)
    return counts


@click.command("fix")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（默认 工作簿名.fixed.xlsx）/ output file (default NAME.fixed.xlsx)")
@click.option("--in-place", is_flag=True,
              help="覆盖原文件（先留备份 NAME.bak.xlsx）/ overwrite the workbook, keeping a backup")
@language_option()
def fix_command(workbook: Path, out: Path | None, in_place: bool, lang: str) -> None:
    """修复不改变公式含义的存储问题（为新函数补上 _xlfn. 前缀）/ repair what changes no
    formula's meaning (add the _xlfn. prefix newer functions need).

    退出码 / exit code: 0 已修复或无需修复 repaired or nothing to repair, 2 未写出 not written.
    """
    if in_place and out is not None:
        click.echo(say(lang, "--in-place 与 --out 不能同时使用", "--in-place and --out exclude each other"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    dest = workbook if in_place else out or workbook.with_name(f"{workbook.stem}.fixed{workbook.suffix}")
    if not in_place and dest.exists() and workbook.exists() and dest.samefile(workbook):
        click.echo(say(lang, f"{dest}：输出就是输入；要覆盖原文件请用 --in-place",
                       f"{dest}: the output is the input; use --in-place"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    try:
        backup = None
        if in_place:
            with read_input(workbook) as original:
                backup = keep_backup(workbook, original)
        counts = fix_workbook(workbook, dest)
        if backup is not None and not counts:
            backup.unlink()
            backup = None
    except UnreadableWorkbookError as exc:
        click.echo(say(lang, f"{workbook}：无法读取：{pick(str(exc), 'zh')}", f"{workbook}: cannot be read: {pick(str(exc), 'en')}"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    except FileNotFoundError:
        click.echo(say(lang, f"{workbook}：文件不存在", f"{workbook}: no such file"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    except OSError as exc:
        click.echo(say(lang, f"{dest}：无法写出（{exc.strerror}）", f"{dest}: cannot write ({exc.strerror})"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    if not counts:
        click.echo(say(lang, f"{workbook}：无需修复，未写出文件", f"{workbook}: nothing to repair, nothing written"))
        sys.exit(EXIT_OK)
    done = "、".join(f"{stored_name(n)} × {k}" for n, k in sorted(counts.items()))
    done_en = ", ".join(f"{stored_name(n)} × {k}" for n, k in sorted(counts.items()))
    kept = f"（原文件备份 {backup.name}）" if backup is not None else ""
    kept_en = f" (backup {backup.name})" if backup is not None else ""
    click.echo(say(
        lang,
        f"✓ {workbook.name} → {dest.name}：补上前缀 {done}{kept}；请再运行 jixiao refresh",
        f"✓ {workbook.name} → {dest.name}: prefixes added: {done_en}{kept_en}; now run jixiao refresh",
        sep="\n",
    ))
    sys.exit(EXIT_OK)
