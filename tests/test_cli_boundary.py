"""One error boundary for every command (issue 27, point 1): a bug is exit 3 with
one line and a pointer to ``--debug``; ``--debug`` shows the traceback; Ctrl-C is
exit 130 with nothing half-written — for every subcommand, present and future."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from cli_helpers import run_cli, small_workbook
from click.testing import CliRunner

import addin.cli as cli
from addin.summary import EXIT_INTERNAL, EXIT_INTERRUPTED

# these tests read both languages of each message (the default, Chinese, is checked in test_language.py)
pytestmark = pytest.mark.usefixtures("both_languages")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _debug_not_left_on() -> object:
    """``--debug`` sets JIXIAO_DEBUG in this process: never for the next test."""
    yield
    os.environ.pop(cli.DEBUG_ENV, None)


@pytest.fixture
def broken_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """A subcommand ``boom`` that raises what ``--what`` names, registered the way
    a new command is (a module attribute named in COMMANDS)."""

    @click.command("boom")
    @click.option("--what", default="bug")
    def boom(what: str) -> None:
        if what == "interrupt":
            raise KeyboardInterrupt
        if what == "memory":
            raise MemoryError
        raise ZeroDivisionError("bug in a new command")

    monkeypatch.setattr(sys.modules[__name__], "boom_command", boom, raising=False)
    monkeypatch.setitem(cli.COMMANDS, "boom", f"{__name__}:boom_command")
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)


@pytest.mark.usefixtures("broken_command")
def test_a_bug_in_any_command_is_one_line_and_exit_3() -> None:
    result = CliRunner().invoke(cli.main, ["boom"])
    assert result.exit_code == EXIT_INTERNAL
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "ZeroDivisionError: bug in a new command" in lines[0]
    assert "--debug" in lines[0]
    memory = CliRunner().invoke(cli.main, ["boom", "--what", "memory"])
    assert memory.exit_code == EXIT_INTERNAL
    assert "MemoryError" in memory.output


@pytest.mark.usefixtures("broken_command")
def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (["boom", "--debug"], ["--debug", "boom"]):
        monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
        result = CliRunner().invoke(cli.main, args)
        assert result.exit_code == EXIT_INTERNAL
        assert "Traceback" in result.output
        assert "ZeroDivisionError" in result.output


@pytest.mark.usefixtures("broken_command")
def test_an_interrupt_is_exit_130_not_aborted() -> None:
    result = CliRunner().invoke(cli.main, ["boom", "--what", "interrupt"])
    assert result.exit_code == EXIT_INTERRUPTED
    assert "Aborted!" not in result.output
    assert "interrupted" in result.output


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_has_debug(name: str) -> None:
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert "--debug" in result.output


def test_a_bug_inside_diff_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real command: a bug raised deep inside ``diff`` reaches the boundary."""
    import addin.monthend.diff_command as diff

    def broken(*_a: object, **_k: object) -> None:
        raise KeyError("deep")

    monkeypatch.setattr(diff, "compare", broken)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    src = small_workbook("a.xlsx", tmp_path)
    result = run_cli("diff", src, src)
    assert result.exit_code == EXIT_INTERNAL
    assert "KeyError" in result.output
    assert "Traceback" not in result.output


def test_ctrl_c_during_a_refresh_leaves_nothing_behind(tmp_path: Path) -> None:
    """SIGINT to a real ``jixiao refresh`` process while it computes: exit 130,
    no output, no temporary file, no ``Aborted!``."""
    src = small_workbook("a.xlsx", tmp_path)
    # The child starts with Ctrl-C as a terminal gives it: under pytest-xdist the
    # worker that launches it can have SIGINT blocked or ignored, and a child
    # inherits both (CI saw the refresh run to its end and exit 0).
    script = (
        "import signal, sys, time\n"
        "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "import addin.refresh.job as rc\n"
        "real = rc.load_engine\n"
        "def slow(name):\n"
        "    calc = real(name)\n"
        "    def run(wb, path):\n"
        "        print('computing', flush=True)\n"
        "        time.sleep(30)\n"
        "        return calc(wb, path)\n"
        "    return run\n"
        "rc.load_engine = slow\n"
        "from addin.cli import main\n"
        "main(['refresh', sys.argv[1], '--engine', 'builtin'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(cli.DEBUG_ENV, None)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(src)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "computing"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, out + err
    assert "Aborted!" not in out + err
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
