"""Problems the validator finds, and how they are reported.

A :class:`Problem` names the check that found it (a stable code such as
``formula.arg-count``), where (sheet and cell, when there is one) and what is
wrong, in Chinese and English. A :class:`Report` collects the problems of one
workbook and renders them as text (Chinese by default, ``lang="en"`` for
English) or as JSON for machines.

>>> r = Report("a.xlsx", template="t1", version="1.0")
>>> r.add("formula.ref-error", "结果", "C5", "公式含 #REF!", "formula contains #REF!")
>>> print(r.render_text())
a.xlsx (模板 t1 1.0): 1 个问题
  结果!C5  [formula.ref-error] 公式含 #REF!
>>> r.exit_code
1
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Lang", "Problem", "Report"]

from addin.language import Lang, say


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook."""

    code: str
    sheet: str | None
    cell: str | None
    zh: str
    en: str

    @property
    def where(self) -> str:
        """``结果!C5``, ``结果``, or empty for the whole file."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def text(self, lang: Lang = "zh") -> str:
        """The message in ``lang``."""
        return say(lang, self.zh, self.en)


@dataclass
class Report:
    """The outcome of validating one file.

    ``unreadable`` is set (with the reason in both languages) when the file
    could not be read at all: exit code 2. Otherwise the exit code is 1 when
    there are problems and 0 when the workbook is sound.
    """

    path: str
    template: str | None = None
    version: str | None = None
    problems: list[Problem] = field(default_factory=list)
    unreadable: tuple[str, str] | None = None
    #: what the reader should know that is not a problem (zh, en): e.g. that
    #: only formulas were checked for lack of a structure spec
    notes: list[tuple[str, str]] = field(default_factory=list)

    def note(self, zh: str, en: str) -> None:
        """Record a remark that does not change the exit code."""
        self.notes.append((zh, en))
    #: a bug met while validating this file (exit 3), one line
    internal: str | None = None

    def add(self, code: str, sheet: str | None, cell: str | None, zh: str, en: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(code, sheet, cell, zh, en))

    @property
    def exit_code(self) -> int:
        """0 sound, 1 problems found, 2 unreadable, 3 a bug."""
        if self.internal is not None:
            return 3
        if self.unreadable is not None:
            return 2
        return 1 if self.problems else 0

    def render_text(self, lang: Lang = "zh") -> str:
        """A human-readable report: a heading line, then one line per problem."""
        tpl = ""
        if self.template:
            word = say(lang, "模板", "template")
            tpl = f" ({word} {self.template} {self.version or ''})".replace(" )", ")")
        if self.internal is not None:
            head = say(lang, "内部错误（请报告）", "internal error (please report)")
            return f"{self.path}: {head}: {self.internal}"
        if self.unreadable is not None:
            reason = say(lang, self.unreadable[0], self.unreadable[1])
            head = say(lang, "无法读取", "cannot be read")
            return f"{self.path}: {head}: {reason}"
        notes = [f"  ({say(lang, zh, en)})" for zh, en in self.notes]
        if not self.problems:
            ok = say(lang, "结构完好", "sound")
            return "\n".join([f"{self.path}{tpl}: {ok}", *notes])
        n = len(self.problems)
        count = say(lang, f"{n} 个问题", f"{n} problem{'s' if n != 1 else ''}")
        lines = [f"{self.path}{tpl}: {count}", *notes]
        for p in self.problems:
            where = f"{p.where}  " if p.where else ""
            lines.append(f"  {where}[{p.code}] {p.text(lang)}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for ``--json`` (one entry of
        :func:`addin.summary.json_document`; status ``ok``, ``problems``,
        ``unreadable`` or ``internal``)."""
        status = {0: "ok", 1: "problems", 2: "unreadable", 3: "internal"}[self.exit_code]
        message = self.internal or (" / ".join(self.unreadable) if self.unreadable else "")
        return {
            "path": self.path,
            "status": status,
            "exit_code": self.exit_code,
            "message": message,
            "template": self.template,
            "version": self.version,
            "unreadable": (
                {"zh": self.unreadable[0], "en": self.unreadable[1]} if self.unreadable else None
            ),
            "problems": [asdict(p) | {"where": p.where} for p in self.problems],
            "notes": [{"zh": zh, "en": en} for zh, en in self.notes],
        }
