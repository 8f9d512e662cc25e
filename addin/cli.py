"""The ``jixiao`` command line.

Subcommands live in the modules that do the work and are imported only when
used, so ``jixiao --help`` answers at once and a broken optional dependency of
one command cannot break the others.
"""

from __future__ import annotations

import importlib

import click

#: subcommand name → "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "refresh": "addin.refresh.cli:refresh_command",
    "validate": "addin.validate.cli:validate_command",
    "functions": "addin.reference:functions_command",
    "lite-bundle": "addin.hosts.lite:lite_bundle_command",
    "calc-addin": "addin.hosts.calc:calc_addin_command",
    "wps-addin": "addin.hosts.wps:wps_addin_command",
    "template": "addin.hosts.template:template_command",
    "diff": "addin.monthend.diff_command:diff_command",
    "explain": "addin.monthend.explain:explain_command",
    "slips": "addin.monthend.slips:slips_command",
    "new": "addin.new:new_command",
    "spec": "addin.maintain.spec_init:spec_command",
    "test": "addin.maintain.testrun:test_command",
    "lint": "addin.maintain.lint:lint_command",
    "fix": "addin.maintain.fix:fix_command",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jixiao")
def main() -> None:
    """jixiao 绩效奖金工具：刷新、校验、比较、解释工作簿，列出函数，模板、结构说明与测试用例。

    每个命令的退出码见其 --help（0 均为成功）。

    jixiao incentive-pay tools: refresh, validate, compare and explain workbooks,
    list functions, templates, structure specs and test cases. Each command's
    --help gives its exit codes (0 is success throughout).
    """
