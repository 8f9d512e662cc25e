"""``jixiao new TEMPLATE [-o FILE]``: a copy of one of the eight templates,
taken from the installed package (they ship as package data beside their
structure specs), so a user who installed the wheel needs no source checkout.
``jixiao new --list`` lists them.

从已安装的包中取出模板：``jixiao new --list`` 列出八个模板，``jixiao new t1 -o 奖金表.xlsx`` 复制一份。
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import click

from addin.language import language_option, say
from addin.summary import EXIT_NOT_WRITTEN, EXIT_OK

__all__ = ["ShippedTemplate", "find_template", "new_command", "shipped_templates"]


@dataclass(frozen=True)
class ShippedTemplate:
    """A template as installed: its id, title and file name."""

    id: str
    title: str
    file: str

    def data(self) -> bytes:
        return resources.files("workbooks").joinpath("templates", self.file).read_bytes()


def shipped_templates() -> list[ShippedTemplate]:
    """The templates in the installed package, read from their specs."""
    out = []
    specs = resources.files("workbooks").joinpath("specs")
    for entry in sorted(specs.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            spec = json.loads(entry.read_text(encoding="utf-8"))
            out.append(ShippedTemplate(str(spec["template"]), str(spec["title"]), str(spec["file"])))
    return out


def find_template(given: str) -> ShippedTemplate | None:
    """By id (``t1-gongxiaoshe``), its short form (``t1``), file name or title."""
    key = given.strip().casefold().removesuffix(".xlsx")
    for t in shipped_templates():
        names = {t.id.casefold(), t.id.split("-")[0].casefold(), Path(t.file).stem.casefold(), t.title.casefold()}
        if key in names:
            return t
    return None


@click.command("new", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("template", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="写到此文件（默认当前文件夹中的模板文件名）/ write here (default: the template's file name)")
@click.option("--list", "list_only", is_flag=True, help="列出模板 / list the templates")
@click.option("--force", is_flag=True, help="覆盖已有文件 / overwrite an existing file")
@language_option()
def new_command(template: str | None, output: Path | None, list_only: bool, force: bool, lang: str) -> None:
    """从安装的包中复制一个模板 / copy a template out of the installed package.

    退出码 / exit code: 0 已写出 written (or listed), 2 没有此模板或文件已存在 no such
    template, or the file exists (--force overwrites).
    """
    templates = shipped_templates()
    if list_only or template is None:
        for t in templates:
            click.echo(f"{t.id.split('-')[0]:<4} {t.id:<16} {t.file:<20} {t.title}")
        hint = say(lang, "用 jixiao new t1 -o 奖金表.xlsx 复制一份", "copy one with: jixiao new t1 -o bonus.xlsx")
        click.echo(hint)
        sys.exit(EXIT_OK)
    found = find_template(template)
    if found is None:
        known = ", ".join(t.id for t in templates)
        click.echo(say(lang, f"没有模板 {template}（可用：{known}）", f"no template {template} (known: {known})"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    output = output or Path(found.file)
    if output.exists() and not force:
        click.echo(say(lang, f"{output} 已存在；用 --force 覆盖", f"{output} exists; --force overwrites it"), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    output.write_bytes(found.data())
    click.echo(say(lang, f"{output}：{found.title}（{found.id}）", f"{output}: {found.title} ({found.id})"))
    refreshed = output.with_name(f"{output.stem}.refreshed{output.suffix}")
    click.echo(say(lang, f"下一步：jixiao refresh {output}，再 jixiao slips {refreshed}",
                   f"next: jixiao refresh {output}, then jixiao slips {refreshed}"))
    sys.exit(EXIT_OK)
