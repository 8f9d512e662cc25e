"""Excel's wildcards (``*``, ``?``, ``~`` escapes): the one matcher of the
kernel's criteria (STREAK) and the refresh engine's (COUNTIF, MATCH …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def wildcard_tokens(pattern: str) -> list[str | None]:
    """A pattern as tokens: ``None`` is ``*`` (any text), ``""`` is ``?`` (one
    character), anything else a literal character (``~`` escapes the next one).

    >>> wildcard_tokens("a*?~*")
    ['a', None, '', '*']
    """
    out: list[str | None] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append(None if ch == "*" else "" if ch == "?" else ch)
        i += 1
    return out


def glob_match(tokens: Sequence[str | None], text: str) -> bool:
    """Whether all of ``text`` matches wildcard ``tokens`` (see :func:`wildcard_tokens`).

    Greedy with one backtrack point (the last ``*``), so it takes at most
    len(text) × len(tokens) steps; a regular expression built from the pattern
    can take exponential time on criteria such as ``"*?*?*?*?*?*?*?*?*?*?b"``.
    """
    i = j = 0
    star, resume = -1, 0
    while i < len(text):
        if j < len(tokens) and tokens[j] is not None and tokens[j] in ("", text[i]):
            i, j = i + 1, j + 1
        elif j < len(tokens) and tokens[j] is None:
            star, resume = j, i
            j += 1
        elif star >= 0:
            resume += 1
            i, j = resume, star + 1
        else:
            return False
    while j < len(tokens) and tokens[j] is None:
        j += 1
    return j == len(tokens)


def wildcard_matcher(pattern: str) -> Callable[[str], bool]:
    """A case-insensitive test of a whole text against ``pattern``, as Excel's
    COUNTIF and MATCH compare: letter by letter in lower case (Excel does not
    fold ``ß`` to ``ss``: ``XMATCH("ß?", {"ssa"}, 2)`` is ``#N/A``).

    >>> wildcard_matcher("ß?")("ssa")
    False
    >>> m = wildcard_matcher("张*~?")
    >>> m("张三?"), m("张三"), m("李四?")
    (True, False, False)
    >>> wildcard_matcher("*?*?*?*?*?*?b")("a" * 60)
    False
    """
    tokens = wildcard_tokens(pattern.lower())

    def match(text: str) -> bool:
        return glob_match(tokens, text.lower())

    return match
