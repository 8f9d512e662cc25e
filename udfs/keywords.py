"""Text keywords in Chinese or English, case-insensitive (FUNCTIONS.md, "Keywords").

Each keyword argument has a canonical English value and its synonyms; an
unknown keyword is ``#VALUE!`` with a message listing what is accepted.

>>> SIDE.parse("上含", "side")
'upper'
>>> SIDE.parse(None, "side")
'lower'
>>> MODE.parse("Excess", "mode")
'marginal'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from udfs.errors import ExcelError, fail
from udfs.inputs import as_block, is_omitted

__all__ = ["METHOD", "MODE", "ROUNDING", "SIDE", "TIES", "WHICH", "Keyword"]


@dataclass(frozen=True)
class Keyword:
    """One keyword argument: canonical values, their synonyms, and the default.

    ``choices`` maps each canonical (English) value to its synonyms; the
    canonical value itself is always accepted. ``default`` is ``None`` for a
    keyword that must be given (``TIERED``'s ``mode``).
    """

    choices: dict[str, tuple[str, ...]]
    default: str | None = None
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for canonical, synonyms in self.choices.items():
            for word in (canonical, *synonyms):
                lookup[word.casefold()] = canonical
        object.__setattr__(self, "_lookup", lookup)

    def spellings(self) -> list[str]:
        """Every accepted spelling, canonical first within each choice."""
        return [w for c, syn in self.choices.items() for w in (*syn, c)]

    def parse(self, value: object, name: str) -> str:
        """The canonical value of ``value``; omitted gives the default."""
        word = value
        if type(word) is list and len(word) == 1 and type(word[0]) is list and len(word[0]) == 1:
            word = word[0][0]  # a 1×1 range, as xlwings' classic bridge passes it
        if type(word) is str and word:  # one keyword, the common case: no array
            found = self._lookup.get(word.strip().casefold())
            if found is not None:
                return found
        elif word is None and self.default is not None:
            return self.default
        if is_omitted(value):
            if self.default is None:
                raise fail(
                    "#VALUE!",
                    f"参数 {name} 必须填写，可选：{'、'.join(self.spellings())} / "
                    f"{name} is required",
                )
            return self.default
        block = as_block(value, name)
        if block.size != 1:
            raise fail("#VALUE!", f"参数 {name} 应为单个关键字 / {name} must be one keyword")
        word = block.reshape(-1)[0]
        if isinstance(word, ExcelError):
            raise fail(word)
        if isinstance(word, str):
            found = self._lookup.get(word.strip().casefold())
            if found is not None:
                return found
        raise fail(
            "#VALUE!",
            f"参数 {name} 的关键字“{word}”无效，可选：{'、'.join(self.spellings())} / "
            f"unknown {name} keyword {word!r}",
        )


SIDE = Keyword({"lower": ("下含",), "upper": ("上含",)}, default="lower")
MODE = Keyword({"marginal": ("超额", "excess"), "whole": ("全额", "retro")})
WHICH = Keyword({"longest": ("最长",), "last": ("末尾",)}, default="longest")
METHOD = Keyword(
    {
        "competition": ("并列",),
        "dense": ("中国式",),
        "average": ("平均",),
        "ordinal": ("顺序",),
    },
    default="competition",
)
TIES = Keyword({"share": ("均分",), "each": ("同奖",)}, default="share")
ROUNDING = Keyword({"half-up": ("四舍五入",), "half-even": ("四舍六入",)}, default="half-up")
