"""What the ``jixiao`` commands report: exit codes and the ``--json`` document.

One definition for ``refresh`` and ``validate`` (and later commands), so a
batch script reads every command the same way.

Exit codes (the worst file decides):

* 0 — done, and nothing is wrong;
* 1 — done, but something needs a person: ``refresh`` wrote the file but
  formula cells hold error values; ``validate`` found problems;
* 2 — nothing done for a file: it cannot be read, or (``refresh``) it cannot
  be calculated or written; also a wrong command line;
* 3 — a bug (one line instead of a traceback; ``JIXIAO_DEBUG=1`` shows it).

The ``--json`` document (:func:`json_document`)::

    {"command": "refresh" | "validate",
     "exit_code": 0 | 1 | 2 | 3,
     "files": [{"path": str, "status": str, "exit_code": int, "message": str,
                "problems": [{"code", "sheet", "cell", "where", "zh", "en"}],
                ...command-specific keys...}]}

plus ``"message"`` at the top when the command stopped before any file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["EXIT_ERRORS", "EXIT_INTERNAL", "EXIT_NOT_WRITTEN", "EXIT_OK", "json_document"]

EXIT_OK, EXIT_ERRORS, EXIT_NOT_WRITTEN, EXIT_INTERNAL = 0, 1, 2, 3


def json_document(command: str, files: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``--json`` document: the command, the overall exit code (the worst
    file's) and one entry per file.

    >>> json_document("validate", [{"path": "a.xlsx", "exit_code": 1}])["exit_code"]
    1
    """
    code = max((int(f["exit_code"]) for f in files), default=EXIT_OK)
    return {"command": command, "exit_code": code, "files": list(files)}
