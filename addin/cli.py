"""The ``jixiao`` command line.

Subcommands live in the modules that do the work and are imported only when
used, so ``jixiao --help`` answers at once and a broken optional dependency of
one command cannot break the others.

One error boundary serves every subcommand (:class:`LazyGroup`), present and
future, whatever module registers it:

* an unexpected exception (a bug) ends the command with exit code 3
  (:data:`~addin.summary.EXIT_INTERNAL`) and one line naming it, with a pointer
  to ``--debug`` (or ``JIXIAO_DEBUG=1``), which prints the traceback instead;
* Ctrl-C (``SIGINT``) ends it with exit code 130 (:data:`EXIT_INTERRUPTED`,
  the shell's 128 + 2) and one line saying nothing was written — not click's
  ``Aborted!`` with exit 1, which is refresh's code for "written with error
  values". The outputs are written to a temporary file renamed at the end
  (:func:`addin.xlsx.atomic_write.write_atomically`), so an interrupted run leaves no
  half-written output; its temporary file is removed on the way out.

Every subcommand accepts ``--debug`` (added here, so a new command gets it too).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any, NoReturn

import click

from addin.language import chosen_language, say
from addin.summary import EXIT_INTERNAL, EXIT_INTERRUPTED

__all__ = ["COMMANDS", "DEBUG_ENV", "LazyGroup", "main"]

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

#: set (to "1") by ``--debug``; the per-file boundaries of refresh and validate
#: read it too, and then let the exception through with its traceback.
DEBUG_ENV = "JIXIAO_DEBUG"


def debugging() -> bool:
    """Whether ``--debug`` or ``JIXIAO_DEBUG`` asked for tracebacks."""
    return bool(os.environ.get(DEBUG_ENV))


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        os.environ[DEBUG_ENV] = "1"


def _debug_option() -> click.Option:
    return click.Option(
        ["--debug"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help="出错时显示完整的 Python 回溯 / show the Python traceback of an internal error.",
    )


def _with_debug_option(command: click.Command) -> click.Command:
    """``command`` (and, for a group, its subcommands) with a ``--debug`` flag."""
    if not any(p.name == "debug" for p in command.params):
        command.params.append(_debug_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_debug_option(sub)
    return command


def _internal_error(exc: BaseException) -> NoReturn:
    """The one line a bug ends with (exit 3), or its traceback under ``--debug``."""
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    else:
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        click.echo(
            say(chosen_language(), f"内部错误（请报告），加 --debug 查看详情：{what}",
                f"internal error (please report; run again with --debug for the traceback): {what}"),
            err=True,
        )
    sys.exit(EXIT_INTERNAL)


def _interrupted() -> NoReturn:
    from addin.xlsx.atomic_write import remove_own_temp_files

    remove_own_temp_files()  # a refresh thread may still be writing one: it is dropped
    click.echo(
        say(chosen_language(), "已中断，未写出未完成的文件", "interrupted: nothing half-written was kept"), err=True
    )
    sys.exit(EXIT_INTERRUPTED)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use, and the error
    boundary of every one of them (see the module docstring)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return _with_debug_option(command)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise  # a decided outcome: an exit code, a usage error
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:  # MemoryError included: a bound we failed to set is a bug
            _internal_error(exc)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jixiao")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="出错时显示完整的 Python 回溯 / show the Python traceback of an internal error.",
)
def main() -> None:
    """jixiao 绩效奖金工具：刷新、校验、比较、解释工作簿，列出函数，模板、结构说明与测试用例。

    每个命令的退出码见其 --help（0 均为成功）；3 为内部错误（加 --debug 查看回溯），
    130 为 Ctrl-C 中断。

    jixiao incentive-pay tools: refresh, validate, compare and explain workbooks,
    list functions, templates, structure specs and test cases. Each command's
    --help gives its exit codes (0 is success throughout); 3 is an internal error
    (--debug shows the traceback), 130 an interrupt (Ctrl-C).
    """
