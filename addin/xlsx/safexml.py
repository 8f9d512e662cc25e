"""Safe XML for the package's parts: the parser settings, the prolog check that
refuses a DTD (billion laughs, external entities) before anything is parsed,
a well-formedness check at C speed, and the element helpers every part reader
shares (local names, paths of children, relationship ids).

>>> root = etree.fromstring(b'<w xmlns="urn:x"><a><b/><b/></a></w>', safe_parser())
>>> [local_name(el.tag) for el in children(root, "a", "b")]
['b', 'b']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import ModuleType

from lxml import etree

from addin import native
from addin.xlsx.model import unreadable

#: the compiled well-formedness check (``_wellformed.c``), or ``None`` (not
#: built, or built for another interface): lxml then checks every part
_wellformed: ModuleType | None = native.load("addin.xlsx._wellformed", 1)

__all__ = [
    "MAIN_NS",
    "MAX_PROLOG",
    "REL_NS",
    "ROOT_HEAD",
    "SAFE_PARSING",
    "check_prolog",
    "check_root",
    "check_well_formed",
    "children",
    "local_name",
    "rel_id",
    "safe_parser",
]

# Namespaces: transitional (what Excel writes) and ISO strict.
MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


#: the most bytes an XML part may carry before its root element (the default
#: of :attr:`addin.xlsx.package.Limits.max_prolog`)
MAX_PROLOG = 64 * 1024


#: what every lxml parser of a part is told: resolve no entities, load no DTD,
#: reach no network, and keep lxml's own bounds on a tree (no ``huge_tree``)
SAFE_PARSING: dict[str, bool] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
}


def safe_parser(**kw: object) -> etree.XMLParser:
    """An lxml parser with :data:`SAFE_PARSING`, no DTD validation, comments dropped."""
    return etree.XMLParser(**SAFE_PARSING, dtd_validation=False, remove_comments=True, **kw)


_DOCTYPE_MARKERS = (
    b"<!DOCTYPE",
    b"<!ENTITY",
    "<!DOCTYPE".encode("utf-16-le"),
    "<!DOCTYPE".encode("utf-16-be"),
)


def check_prolog(head: bytes, name: str, max_prolog: int = MAX_PROLOG) -> None:
    """Refuse an XML part whose prolog declares a DTD (entities, external refs).

    ``head`` is the first bytes of the part. A document type declaration can
    only stand before the root element, so only the prolog is examined; a
    prolog longer than ``max_prolog`` bytes is itself refused.
    """
    root_at = _root_start(head)
    prolog = head if root_at < 0 else head[:root_at]
    if any(m in prolog for m in _DOCTYPE_MARKERS):
        raise unreadable(
            f"部件 {name} 含有 DTD/实体声明，出于安全原因拒绝读取",
            f"part {name} declares a DTD or entities; refused for safety",
        )
    if root_at < 0 and len(head) > max_prolog:
        raise unreadable(
            f"部件 {name} 的 XML 开头过长", f"part {name} has an oversized XML prolog"
        )


_ROOT_RE = re.compile(rb"<[A-Za-z_]")


def _root_start(head: bytes) -> int:
    """Offset of the root element's ``<`` in ``head`` (UTF-8), or -1."""
    pos = 0
    while True:
        m = _ROOT_RE.search(head, pos)
        if m is None:
            return -1
        # skip a match that sits inside a comment or processing instruction
        before = head[: m.start()]
        if before.count(b"<!--") > before.count(b"-->"):
            end = head.find(b"-->", m.start())
            if end < 0:
                return -1
            pos = end + 3
            continue
        return m.start()


#: how much of a part's start :func:`check_root` reads to find its root element
ROOT_HEAD = 64 * 1024


def check_root(head: bytes | etree._Element, name: str, roots: tuple[str, ...] = ()) -> None:
    """Refuse a SpreadsheetML part (workbook, worksheet, shared strings,
    styles) whose root element is not in SpreadsheetML's namespace
    (:data:`MAIN_NS`), or not one of ``roots`` when given. ``head``: the part's
    first bytes (:data:`ROOT_HEAD`), or its parsed root.

    Read by local names, a part whose namespace is gone (``xmlns=""``) still
    gave its cells and strings here, while Excel, LibreOffice and openpyxl,
    which read by namespace, find none: the output carried a shared-strings
    part openpyxl cannot open (``IndexError``), sheets they show empty (found
    by ``make fuzz``'s structural mutants). A head without its root (a prolog
    longer than it) is left to :func:`check_prolog`, XML that is not well-formed
    to the parser that reads the part.
    """
    if isinstance(head, bytes):
        parser = etree.XMLPullParser(events=("start",), **SAFE_PARSING)
        try:
            parser.feed(head)
            first = next(iter(parser.read_events()), None)
        except etree.XMLSyntaxError:
            return
        if first is None:
            return
        tag = first[1].tag
    else:
        tag = head.tag
    if not isinstance(tag, str):
        return
    namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    if namespace not in MAIN_NS or (roots and local not in roots):
        want = f"<{'/'.join(roots)}>" if roots else "an element"
        zh_want = f"<{'/'.join(roots)}>" if roots else "元素"
        raise unreadable(
            f"部件 {name} 的根元素 {tag[:120]!r} 不是 SpreadsheetML 命名空间中的{zh_want}，Excel 无法读取",
            f"part {name}: its root {tag[:120]!r} is not {want} in SpreadsheetML's namespace; "
            "Excel cannot read it",
        )


def local_name(tag: object) -> str:
    """An element's tag without its namespace (``""`` for a comment or PI)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(root: etree._Element, *path: str) -> Iterator[etree._Element]:
    """Elements along ``path`` of local names below ``root``."""
    level = [root]
    for step in path:
        level = [c for el in level for c in el if local_name(c.tag) == step]
    yield from level


def rel_id(el: etree._Element) -> str | None:
    """The ``r:id`` of ``el`` in either relationships namespace."""
    for ns in REL_NS:
        value = el.get(f"{{{ns}}}id")
        if value is not None:
            return value
    return None


class _NullTarget:
    """A parser target that keeps nothing: lxml checks well-formedness at C speed."""

    def close(self) -> None:
        return None


def check_well_formed(data: bytes, part: str, max_prolog: int = MAX_PROLOG) -> None:
    """Refuse ``data`` (part ``part``) unless it is well-formed XML with no DTD.

    The compiled check (``_wellformed.c``, one pass over the bytes, several
    times faster than lxml on a large sheet) vouches for the parts in the
    subset every spreadsheet writer produces; whatever it does not vouch for
    — malformed, or outside that subset — lxml decides, so every refusal and
    its wording are lxml's."""
    check_prolog(data[: max_prolog + 1024], part, max_prolog)
    if _wellformed is not None and _wellformed.check(data):
        return
    parser = etree.XMLParser(target=_NullTarget(), **SAFE_PARSING)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise unreadable(
            f"部件 {part} 不是有效的 XML（{exc}）", f"part {part} is not valid XML ({exc})"
        ) from None
