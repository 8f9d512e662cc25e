"""What the package reader and the writer both know of worksheet XML as bytes:
where the cells start (``<sheetData>``, with the part's namespace prefix) and
element text as an XML parser reports it. One definition each, so the reader's
scanner and the writer's splicer read a cell the same way.

>>> xml_text(b"a&amp;b&#13;\\r\\nc")
'a&b\\r\\nc'
"""

from __future__ import annotations

import re

__all__ = ["SHEETDATA_RE", "xml_text"]

#: ``<sheetData …>`` (group 1: the namespace prefix, group 2: ``/`` when empty)
SHEETDATA_RE = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")

_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED_ENTITIES[name]
    return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))


def xml_text(raw: bytes) -> str:
    """Element content as an XML parser reports it: line ends normalised to
    ``\\n`` first, then entities and character references decoded (so ``&#13;``
    stays a carriage return, as the XML specification says)."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY_RE.sub(_entity, text)
    return text
