"""Tools for template maintainers: ``jixiao spec init`` (lock a workbook's
structure), ``jixiao test`` (run its cases), ``jixiao lint`` (find the
hand-written patterns our functions replace)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from addin.language import chosen_language, pick, say
from addin.summary import EXIT_NOT_WRITTEN
from addin.xlsx.model import UnreadableWorkbookError

__all__ = ["read_or_exit"]

T = TypeVar("T")


def read_or_exit(read: Callable[[Path], T], workbook: Path) -> T:
    """``read(workbook)``, or exit 2 with the reason (in the command's language)
    when it cannot be read."""
    lang = chosen_language()
    try:
        return read(workbook)
    except UnreadableWorkbookError as exc:
        click.echo(say(lang, f"{workbook}：无法读取：{pick(str(exc), 'zh')}", f"{workbook}: cannot be read: {pick(str(exc), 'en')}"), err=True)
    except FileNotFoundError:
        click.echo(say(lang, f"{workbook}：文件不存在", f"{workbook}: no such file"), err=True)
    sys.exit(EXIT_NOT_WRITTEN)
