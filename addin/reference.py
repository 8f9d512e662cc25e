"""The function reference, generated from the registry.

``jixiao functions`` prints the list of worksheet functions (Chinese help
first); ``jixiao functions TIERED`` prints one function's full reference;
``jixiao functions --markdown`` prints ``docs/functions.md``, which the test
suite keeps identical to what :func:`markdown` generates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import click

from addin.language import DEFAULT_LANG, language_option, pick, say
from addin.registry import FUNCTIONS, NAMESPACE, Argument, FunctionSpec, lookup

__all__ = ["KIND_LABELS", "excel_literal", "functions_command", "markdown", "summary"]

#: How each argument kind is called in the reference (Chinese, English).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "number": ("数值", "number"),
    "range": ("数值或区域", "value or range"),
    "table": ("表", "table"),
    "keyword": ("关键字", "keyword"),
    "criterion": ("条件", "criterion"),
    "flag": ("是/否", "flag"),
}


def excel_literal(value: Any) -> str:
    """A value as Excel writes it in a formula: ``87.1``, ``"A"``, ``{1,2;3,4}``.

    >>> excel_literal([[3000.0, 1500.0]])
    '{3000,1500}'
    >>> excel_literal([["A"], ["B"]])
    '{"A";"B"}'
    """
    if isinstance(value, list | tuple):
        rows = value if all(isinstance(r, list | tuple) for r in value) else [value]
        return "{" + ";".join(",".join(excel_literal(c) for c in row) for row in rows) + "}"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _by_category() -> Iterator[tuple[str, list[FunctionSpec]]]:
    """Runs of registry functions that share a category, with its heading ("计分 / Scoring")."""
    for _zh, run in itertools.groupby(FUNCTIONS, key=lambda f: f.category_zh):
        specs = list(run)
        yield f"{specs[0].category_zh} / {specs[0].category_en}", specs


def _default_text(arg: Argument) -> str:
    if not arg.optional:
        return "—"
    if arg.default is None:
        return "（省略）/ (omitted)"
    return f"`{excel_literal(arg.default)}`"


def _function_section(spec: FunctionSpec) -> list[str]:
    out = [
        f"### `{spec.signature}`",
        "",
        spec.help_zh,
        "",
        spec.help_en,
        "",
        "文件中的写法 / spellings in files: "
        + "、".join(f"`{s}(`" for s in spec.spellings)
        + f"；Office.js 中显示为 / shown in Office.js as `{NAMESPACE}.{spec.name}`.",
        "",
        "| 参数 Argument | 类型 Kind | 必填 Required | 默认 Default | 说明 | Description |",
        "|---|---|---|---|---|---|",
    ]
    for a in spec.args:
        zh, en = KIND_LABELS[a.kind]
        required = "否 no" if a.optional else "是 yes"
        out.append(
            f"| `{a.name}` | {zh} {en} | {required} | {_default_text(a)} | {a.help_zh} | {a.help_en} |"
        )
    added = [f"`{a.name}`" for a in spec.args if a.extension]
    if added:
        out += [
            "",
            f"{'、'.join(added)} 是 jixiao 在书面合同（FUNCTIONS.md）之后增加的可选参数，写在合同参数之后；"
            "按合同写的公式不受影响。 / "
            f"{', '.join(added)}: optional, added by jixiao after the arguments of the written "
            "contract (FUNCTIONS.md); a formula written to the contract is unaffected.",
        ]
    keywords = [a for a in spec.args if a.keyword is not None]
    if keywords:
        out += ["", "关键字（不区分大小写）/ Keywords (case-insensitive):", ""]
        for a in keywords:
            choices = "；".join(
                f"`{canonical}` = " + "、".join(f"`{s}`" for s in synonyms)
                for canonical, synonyms in a.choices.items()
            )
            default = f"（默认 / default `{a.default}`）" if a.default is not None else "（必填 / required）"
            out.append(f"- `{a.name}`: {choices} {default}")
    if spec.examples:
        out += ["", "示例 / Examples:", ""]
        for ex in spec.examples:
            note = f" — {ex.note_zh} / {ex.note_en}" if ex.note_zh else ""
            out.append(f"- `={ex.formula}` → `{excel_literal(ex.result)}`{note}")
    out.append("")
    return out


def markdown() -> str:
    """The text of ``docs/functions.md``."""
    out = [
        "# 函数参考 / Function reference",
        "",
        "本文件由 `addin/registry.py` 生成（`jixiao functions --markdown > docs/functions.md`），请勿手工修改。",
        "This file is generated from `addin/registry.py` "
        "(`jixiao functions --markdown > docs/functions.md`); do not edit it by hand.",
        "",
        "通用约定：空白单元格按 0；非数字文本为 `#VALUE!`；输入中的错误值原样传出；"
        "省略或留空的可选参数取默认值；关键字可用中文或英文，不区分大小写，未知关键字为 `#VALUE!`。",
        "Shared rules: a blank cell in a numeric argument is 0; text that is not a number is `#VALUE!`; "
        "an error in an input is passed through; an optional argument left out or empty takes its "
        "default; keywords are Chinese or English, case-insensitive, and an unknown keyword is `#VALUE!`.",
        "",
        "| 函数 Function | 说明 | Summary |",
        "|---|---|---|",
    ]
    out += [f"| `{f.name}` | {f.help_zh} | {f.help_en} |" for f in FUNCTIONS]
    out.append("")
    for heading, specs in _by_category():
        out += [f"## {heading}", ""]
        for spec in specs:
            # the target of spec.help_url (an explicit anchor: headings hold brackets)
            out += [f'<a id="{spec.help_url.partition("#")[2]}"></a>', ""]
            out += _function_section(spec)
    return "\n".join(out).rstrip("\n") + "\n"


def summary(lang: str = DEFAULT_LANG) -> str:
    """The functions with their one-line help in ``lang``, grouped by category:
    what ``jixiao functions`` prints."""
    lines: list[str] = []
    for heading, specs in _by_category():
        if lines:
            lines.append("")
        lines.append(pick(heading, lang))
        for spec in specs:
            lines.append(f"  {spec.signature}")
            lines += [f"      {text}" for text in say(lang, spec.help_zh, spec.help_en, sep="\n").split("\n")]
    return "\n".join(lines) + "\n"


@click.command("functions")
@click.argument("name", required=False)
@click.option("--markdown", "as_markdown", is_flag=True, help="输出 docs/functions.md / print docs/functions.md")
@language_option()
def functions_command(name: str | None, as_markdown: bool, lang: str) -> None:
    """列出工作表函数（或一个函数的详细说明）。

    退出码：0 成功，1 没有这个函数。

    List the worksheet functions, or show one function (NAME, any spelling
    such as TIERED or JX.TIERED) in full. Exit codes: 0 shown, 1 no such function.
    The list follows --lang; one function's page and --markdown are the
    reference (docs/functions.md) and stay in both languages.
    """
    if as_markdown:
        click.echo(markdown(), nl=False)
        return
    if name is None:
        click.echo(summary(lang), nl=False)
        return
    spec = lookup(name)
    if spec is None:
        names = [f.name for f in FUNCTIONS]
        raise click.ClickException(
            say(lang, f"没有名为 {name} 的函数，可用：{'、'.join(names)}",
                f"no function called {name} (known: {', '.join(names)})")
        )
    click.echo("\n".join([*_function_section(spec), f"帮助 / help: {spec.help_url}", ""]))
