"""What the ``jixiao`` commands report: exit codes and the ``--json`` document.

One definition for ``refresh`` and ``validate`` (and later commands), so a
batch script reads every command the same way.

Exit codes (the worst file decides):

* 0 — done, and nothing is wrong;
* 1 — done, but something needs a person: ``refresh`` wrote the file but
  formula cells hold error values; ``validate`` found problems;
* 2 — nothing done for a file: it cannot be read, or (``refresh``) it cannot
  be calculated or written; also a wrong command line;
* 3 — a bug (one line instead of a traceback; ``--debug`` or ``JIXIAO_DEBUG=1``
  shows it);
* 130 — interrupted (Ctrl-C): nothing half-written is kept.

The ``--json`` document (:func:`json_document`)::

    {"command": "refresh" | "validate",
     "exit_code": 0 | 1 | 2 | 3,
     "files": [{"path": str, "source": str, "status": str, "exit_code": int,
                "message": str,
                "problems": [[where, reason], ...],
                "problem_details": [{"code", "sheet", "cell", "where", "zh", "en"}],
                ...command-specific keys...}]}

plus ``"message"`` at the top when the command stopped before any file.

``source`` (the same as ``path``) and ``problems`` as ``[where, "中文 / English"]``
pairs are the refresh document's first published form, which batch scripts and
the Excel-corpus checker read; ``problem_details`` holds the same problems with
their code, sheet and cell apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from addin.language import chosen_language, pick, say
from addin.xlsx.model import Repair

__all__ = [
    "EXIT_ERRORS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_WRITTEN",
    "EXIT_OK",
    "echo_repairs",
    "json_document",
    "repair_lines",
    "repair_note",
]

EXIT_OK, EXIT_ERRORS, EXIT_NOT_WRITTEN, EXIT_INTERNAL = 0, 1, 2, 3
#: Ctrl-C: the shell's 128 + SIGINT
EXIT_INTERRUPTED = 130


def json_document(command: str, files: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``--json`` document: the command, the overall exit code (the worst
    file's) and one entry per file.

    >>> json_document("validate", [{"path": "a.xlsx", "exit_code": 1}])["exit_code"]
    1
    """
    code = max((int(f["exit_code"]) for f in files), default=EXIT_OK)
    return {"command": command, "exit_code": code, "files": [_entry(f) for f in files]}


def _entry(file: Mapping[str, Any]) -> dict[str, Any]:
    """One file's entry: ``source`` beside ``path``, problems as pairs and in detail.

    >>> e = _entry({"path": "a.xlsx", "exit_code": 2, "problems": [
    ...     {"code": "unsupported", "sheet": "S", "cell": "A1", "where": "S!A1",
    ...      "zh": "不支持的函数 X", "en": "unsupported function X"}]})
    >>> e["source"], e["problems"]
    ('a.xlsx', [['S!A1', '不支持的函数 X / unsupported function X']])
    """
    details = list(file.get("problems", []))
    pairs = [[str(p.get("where") or ""), f"{p.get('zh', '')} / {p.get('en', '')}"] for p in details]
    return {**file, "source": file.get("path"), "problems": pairs, "problem_details": details}


def repair_note(where: str, reason: str) -> tuple[str, str]:
    """One repair the reader made as Excel does (a
    :class:`~addin.xlsx.model.Repair`'s ``where`` and ``reason``) as a Chinese
    and an English line: the sheet and cell, what was wrong and what was done.

    >>> repair_note("S!A1", "公式只有空白 / the formula is only whitespace")
    ('S!A1：公式只有空白', 'S!A1: the formula is only whitespace')
    """
    return f"{where}：{pick(reason, 'zh')}", f"{where}: {pick(reason, 'en')}"


def repair_lines(path: str | Path, repairs: Sequence[tuple[str, str]], lang: str) -> list[str]:
    """:func:`repair_note` of each repair, after the file's name, in ``lang``.

    >>> repair_lines("d/a.xlsx", [("S!A1", "公式只有空白 / the formula is only whitespace")], "zh-en")
    ['a.xlsx：S!A1：公式只有空白 / a.xlsx: S!A1: the formula is only whitespace']
    """
    name = Path(path).name
    lines = []
    for where, reason in repairs:
        zh, en = repair_note(where, reason)
        lines.append(say(lang, f"{name}：{zh}", f"{name}: {en}"))
    return lines


def echo_repairs(path: str | Path, repairs: Sequence[Repair]) -> None:
    """Print :func:`repair_lines` to standard error, in the command's language:
    what every command that reads a workbook says of the repairs it made."""
    pairs = [(r.where, r.reason) for r in repairs]
    for line in repair_lines(path, pairs, chosen_language()):
        click.echo(line, err=True)
