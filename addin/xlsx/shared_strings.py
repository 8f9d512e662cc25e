"""The shared-strings part (``xl/sharedStrings.xml``): the table of texts that
cells with ``t="s"`` index, and the rich text of an ``<si>`` or an inline
``<is>`` (its runs joined, phonetic guides left out).
"""

from __future__ import annotations

from lxml import etree

from addin.xlsx.package import Package, iter_elements
from addin.xlsx.safexml import local_name
from addin.xlsx.sheetxml import decode_xstring

__all__ = ["read_shared_strings", "rich_text"]


def rich_text(el: etree._Element) -> str:
    """Text of a ``<si>`` / ``<is>``: its ``<t>`` plus the ``<t>`` of each run
    (phonetic ``<rPh>`` guides are not part of the value)."""
    out: list[str] = []
    for child in el:
        name = local_name(child.tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            for t in child:
                if local_name(t.tag) == "t":
                    out.append(t.text or "")
    return decode_xstring("".join(out))


def read_shared_strings(package: Package, part: str) -> list[str]:
    """The strings of the shared-strings part ``part``, in order (a cell's
    ``t="s"`` value indexes them), streamed one ``<si>`` at a time."""
    strings: list[str] = []
    for el in iter_elements(package, part, ("si",)):
        strings.append(rich_text(el))
        el.clear(keep_tail=False)
    return strings
