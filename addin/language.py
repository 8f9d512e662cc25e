"""The one language policy of every ``jixiao`` command.

Staff read the output, so it is **Chinese by default**; ``--lang en`` gives
English (for maintainers and bug reports) and ``--lang zh-en`` both, Chinese
first. ``JIXIAO_LANG`` sets the default for a machine or a CI job; an explicit
``--lang`` wins. Every command takes the option from :func:`language_option`
and words its messages with :func:`say` (a message written in both languages)
or :func:`pick` (one side of a ``中文 / English`` text made elsewhere, such as a
kernel explanation or a model error). ``tests/test_language.py`` checks that
every command has the option and keeps to it.

The chosen language is also left in the click context's shared ``meta``, so
the error boundary of :mod:`addin.cli` words an internal error in it too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, TypeVar, cast, get_args

import click

from udfs.explain import in_language

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "LANG_ENV",
    "Lang",
    "Say",
    "chosen_language",
    "default_language",
    "language_option",
    "pick",
    "say",
]

#: "zh" Chinese, "en" English, "zh-en" both (Chinese first).
Lang = Literal["zh", "en", "zh-en"]
LANGUAGES: tuple[Lang, ...] = cast("tuple[Lang, ...]", get_args(Lang))
#: what staff see when nothing else is asked for.
DEFAULT_LANG: Lang = "zh"
#: the environment variable that changes the default.
LANG_ENV = "JIXIAO_LANG"
#: the key of the chosen language in ``click.Context.meta`` (shared by a group and its commands).
_META_KEY = "jixiao.lang"

_F = TypeVar("_F", bound=Callable[..., object])


def default_language() -> Lang:
    """``JIXIAO_LANG`` when it names a language, else Chinese."""
    value = os.environ.get(LANG_ENV, "").strip().lower()
    return cast("Lang", value) if value in LANGUAGES else DEFAULT_LANG


def chosen_language(ctx: click.Context | None = None) -> Lang:
    """The language of the running command (its ``--lang``), else the default."""
    ctx = ctx if ctx is not None else click.get_current_context(silent=True)
    found = ctx.meta.get(_META_KEY) if ctx is not None else None
    return cast("Lang", found) if found in LANGUAGES else default_language()


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> Lang:
    lang = cast("Lang", value) if value in LANGUAGES else default_language()
    ctx.meta[_META_KEY] = lang
    return lang


def language_option() -> Callable[[_F], _F]:
    """The ``--lang`` option, the same on every command (value passed as ``lang``)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        callback=_remember,
        is_eager=True,
        help=f"输出语言：zh 中文（默认）、en 英文、zh-en 中英并列；环境变量 {LANG_ENV} 可改默认 / "
        f"output language: zh Chinese (default), en English, zh-en both; {LANG_ENV} changes the default",
    )


def say(lang: str, zh: str, en: str, sep: str = " / ") -> str:
    """``zh`` or ``en`` as ``lang`` asks, or both joined by ``sep`` (Chinese first)."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh}{sep}{en}"


def pick(text: str, lang: str) -> str:
    """One language of a bilingual ``中文 / English`` text (each line on its own);
    the text as it is for ``zh-en`` or when it is written in one language only."""
    if lang not in ("zh", "en"):
        return text
    return "\n".join(in_language(line, lang) for line in text.split("\n"))


class Say:
    """:func:`say` and :func:`pick` bound to one language, for modules that word
    many messages (``say = Say(lang)``; ``say("中文", "English")``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, zh: str, en: str) -> str:
        return say(self.lang, zh, en)

    def pick(self, text: str) -> str:
        """One side of a ``中文 / English`` text from elsewhere (a model error, a reason)."""
        return pick(text, self.lang)
