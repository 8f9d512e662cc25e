"""The values-only copy (``--values``): every formula replaced by its value.

Each worksheet part loses its formulas (:func:`strip_formulas`) and the
package loses ``calcChain.xml`` (:func:`drop_calc_chain`): the copy to send
to people without the add-in. The same done to single cells is the repair
Excel makes of a formula it drops on opening (:func:`repair_formulas`), which
every output of a repaired workbook carries.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from addin.xlsx.model import Repair
from addin.xlsx.package import CONTENT_TYPES, Package
from addin.xlsx.package_writer import Deflated, part_bytes
from addin.xlsx.sheet_writer import T_ATTR_RE, T_VALUE_RE
from addin.xlsx.sheetxml import SHEETDATA_RE, SheetGrammar, attribute, attributes

__all__ = ["drop_calc_chain", "repair_formulas", "strip_formulas"]

_CALC_CHAIN_TYPE = "/calcChain"


def strip_formulas(xml: bytes, cells: frozenset[str] | None = None) -> bytes:
    """A worksheet part with every formula removed and its cached value kept as
    a constant (``--values``): ``<f>`` elements go, so do the cells' ``cm``
    (dynamic-array metadata) attributes, and a formula's text result
    (``t="str"``, which only formula cells may carry) becomes an inline string.
    Styles, widths, merged cells, validations, conditional formats and sheet
    protection are outside ``<sheetData>`` or in other attributes: untouched.
    With ``cells`` (A1 addresses) only those cells lose their formula: the
    repair Excel makes of a formula it drops on opening
    (:class:`~addin.xlsx.model.Repair`).

    >>> strip_formulas(b'<worksheet><sheetData><row r="1"><c r="A1" s="2" cm="1">'
    ...     b'<f t="array" ref="A1">X()</f><v>3</v></c><c r="B1" t="str"><f>"a"</f>'
    ...     b'<v>a</v></c></row></sheetData></worksheet>').decode()
    '<worksheet><sheetData><row r="1"><c r="A1" s="2"><v>3</v></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">a</t></is></c></row></sheetData></worksheet>'
    >>> strip_formulas(b'<worksheet><sheetData><row r="1"><c r="A1"><f> </f><v>5</v></c>'
    ...     b'<c r="B1"><f>A1*2</f><v>10</v></c></row></sheetData></worksheet>', frozenset({"A1"})).decode()
    '<worksheet><sheetData><row r="1"><c r="A1"><v>5</v></c><c r="B1"><f>A1*2</f><v>10</v></c></row></sheetData></worksheet>'
    """
    m = SHEETDATA_RE.search(xml)
    if m is None or m.group(2):
        return xml
    tags = SheetGrammar.get((m.group(1) + b":") if m.group(1) else b"")
    end = xml.find(tags.sheetdata_end, m.end())
    if end < 0:
        return xml
    body = xml[m.end() : end]
    if cells is None:
        body = _valued(body, tags)
    else:

        def chosen(cm: re.Match[bytes]) -> bytes:
            at = attribute(attributes(cm.group(1)), b"r")
            return _valued(cm.group(), tags) if at in cells else cm.group()

        body = tags.cell.sub(chosen, body)
    return xml[: m.end()] + body + xml[end:]


def _valued(body: bytes, tags: SheetGrammar) -> bytes:
    """``body`` (cells) with their formulas removed and their values kept
    (:func:`strip_formulas`)."""
    body = tags.f_el.sub(b"", body)
    p = re.escape(tags.prefix)
    body = re.sub(rb"(<" + p + rb"c\b[^>]*?)\scm\s*=\s*(?:\"[^\"]*\"|'[^']*')", rb"\1", body)
    is_open, is_close = b"<" + tags.el("is") + b">", b"</" + tags.el("is") + b">"
    t_open, t_close = b"<" + tags.el("t") + b' xml:space="preserve">', b"</" + tags.el("t") + b">"

    def inline(cm: re.Match[bytes]) -> bytes:
        attrs, inner = cm.group(1), cm.group(2) or b""
        kind = T_VALUE_RE.search(attrs)
        if kind is None or kind.group(1) != b"str":
            return cm.group()
        vm = tags.v_el.search(inner)
        text = (vm.group(1) or b"") if vm else b""
        rest = tags.v_el.sub(b"", inner, count=1)
        attrs = T_ATTR_RE.sub(b' t="inlineStr"', attrs, count=1)
        c = tags.el("c")
        content = is_open + t_open + text + t_close + is_close + rest
        return b"<" + c + attrs + b">" + content + b"</" + c + b">"

    if b'"str"' in body or b"'str'" in body:
        body = tags.cell.sub(inline, body)
    return body


def repair_formulas(
    package: Package, changed: dict[str, bytes | Deflated], repairs: Sequence[Repair]
) -> frozenset[str]:
    """The repairs the reader made as Excel makes them on opening
    (:class:`~addin.xlsx.model.Repair`) made in the parts as they will be
    written (``changed``, updated): each repaired cell's formula dropped and
    its value kept (:func:`strip_formulas`), and ``calcChain.xml``, which may
    list it as a formula cell, dropped (:func:`drop_calc_chain`; Excel builds
    it again). The output then needs no repair, and LibreOffice (which reads
    such a formula as ``Err:520``) shows the value. Returns the parts removed.
    """
    cells: dict[str, frozenset[str]] = {}
    for r in repairs:
        cells[r.sheet.casefold()] = cells.get(r.sheet.casefold(), frozenset()) | {r.cell}
    if not cells:
        return frozenset()
    for sp in package.sheet_parts:
        drop = cells.get(sp.name.casefold())
        if drop and package.has(sp.part):
            changed[sp.part] = strip_formulas(part_bytes(package, changed, sp.part), drop)
    return drop_calc_chain(package, changed)


def drop_calc_chain(package: Package, changed: dict[str, bytes | Deflated]) -> frozenset[str]:
    """Remove ``calcChain.xml`` (it lists formula cells; a values-only copy has
    none) with its relationship and content-type entry; the parts removed."""
    chain = [
        (rid, target)
        for rid, (rel_type, target) in package.workbook_rels.items()
        if rel_type.endswith(_CALC_CHAIN_TYPE) and package.has(target)
    ]
    if not chain:
        return frozenset()
    folder, base = posixpath.split(package.workbook_part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if package.has(rels_name):
        rels = part_bytes(package, changed, rels_name)
        for rid, _target in chain:
            rels = re.sub(
                rb"<Relationship\b[^>]*?\bId=[\"']" + re.escape(rid.encode()) + rb"[\"'][^>]*?/>",
                b"",
                rels,
            )
        changed[rels_name] = rels
    types = package.read(CONTENT_TYPES)
    for _rid, target in chain:
        types = re.sub(
            rb"<Override\b[^>]*?\bPartName=[\"']/" + re.escape(target.encode()) + rb"[\"'][^>]*?/>",
            b"",
            types,
        )
    changed[CONTENT_TYPES] = types
    return frozenset(target for _rid, target in chain)
