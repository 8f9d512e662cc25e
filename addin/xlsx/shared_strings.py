"""The shared-strings part (``xl/sharedStrings.xml``): the table of texts that
cells with ``t="s"`` index, and the rich text of an ``<si>`` or an inline
``<is>`` (its runs joined, phonetic guides left out).
"""

from __future__ import annotations

from lxml import etree

from addin.xlsx.model import unreadable
from addin.xlsx.package import Package, iter_elements
from addin.xlsx.safexml import ROOT_HEAD, check_root, local_name
from addin.xlsx.sheetxml import decode_xstring

__all__ = ["read_shared_strings", "rich_text"]


def rich_text(el: etree._Element) -> str:
    """Text of a ``<si>`` / ``<is>``: its ``<t>`` plus the ``<t>`` of each run
    (phonetic ``<rPh>`` guides are not part of the value)."""
    out: list[str] = []
    for child in el:
        name = local_name(child.tag)
        runs = [child] if name == "t" else [t for t in child if local_name(t.tag) == "t"] if name == "r" else []
        for t in runs:
            if len(t):
                raise ValueError("an element inside a <t> text run")  # text only, says the schema
            out.append(t.text or "")
    return decode_xstring("".join(out))


def read_shared_strings(package: Package, part: str) -> list[str]:
    """The strings of the shared-strings part ``part``, in order (a cell's
    ``t="s"`` value indexes them), streamed one ``<si>`` at a time."""
    with package.open(part) as stream:
        check_root(stream.read(ROOT_HEAD), part, ("sst",))
    strings: list[str] = []
    for el in iter_elements(package, part, ("si",)):
        try:
            strings.append(rich_text(el))
        except ValueError as exc:
            raise unreadable(
                f"部件 {part} 第 {len(strings) + 1} 个共享字符串无效（文字中不应有元素）",
                f"part {part} shared string {len(strings) + 1} is invalid ({exc})",
            ) from None
        el.clear(keep_tail=False)
    return strings
