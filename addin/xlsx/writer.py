"""Write computed values back into a copy of the original package.

What changes, and nothing else:

* in each worksheet part, the cached value of every formula cell and every
  cell a dynamic or array formula spills into: the ``<v>`` element (or
  ``<is>`` for a non-formula spill cell holding text) and the cell's ``t``
  attribute. A cell whose cached value already equals the computed one is left
  byte for byte as it was (Excel's 17-digit ``0.82499999999999996`` stays,
  because it *is* 0.825). Where a value changes, the cell's ``vm`` attribute
  (rich-value metadata describing the *old* value, e.g. an error's details)
  is dropped with it.
* a spill cell that does not exist yet is created in its row, in column order
  (and the row too, in row order, if needed); when the engine reports a
  dynamic array's new extent (``Results.spills``) the formula's ``ref`` is
  updated and cells the old, larger spill covered are blanked (style kept).

The sheet XML is edited as bytes, splicing single ``<c>`` elements; it is
never re-serialised, so namespaces, attribute order and everything else stay
as the file had them. For speed, values going into formula cells of the usual
shape (``<c r=…><f…>…</f><v>…</v></c>``) are written in one ``re.sub`` pass
(matching formula cells only where no dynamic array spills, so input cells are
passed over at C speed); the rest (new spill cells, text needing
``xml:space``, unusual XML) is found by a byte search or, failing that, by
walking the rows in order. Every other zip entry is copied *raw*: the same
compressed bytes, names, order, timestamps and attributes (VBA projects,
charts, images, comments, validations, styles, ``calcChain.xml``). Changed
parts keep their name, position and compression method (re-deflated at
level 6, or level 1 above 8 MB, where it is five times faster). A large part
is deflated in 1 MB pieces on the other cores while the first pass is still
splicing the rest (:class:`_Deflater`, pigz's way: each piece primed with the
32 KB before it and ended by a sync flush, so the pieces form one stream).

Links to other workbooks (``Results.link_caches``): an ``externalLink`` part
whose linked workbook was refreshed in the same run gets that workbook's fresh
values in the cells it already caches
(:func:`addin.xlsx.external_links.update_cached_values`), in this same one
pass over the package.

Calculation state (``<calcPr>`` in ``workbook.xml``, the other part that
may change): every formula was just calculated, so the output says so
(:func:`~addin.xlsx.workbook.declare_calculated`): ``fullCalcOnLoad`` is removed and ``calcId`` is
raised to Excel's current engine id, so a reader is not told to recalculate
everything on open — which, without the add-in, would replace every
contract-function value we wrote with ``#NAME?``. The formulas themselves are
kept, so Excel still recalculates every dependent cell as soon as an input
changes. ``calcChain.xml`` stays valid because no formula is added or removed
(spill cells hold no formula). Callers that want Excel to recompute
everything on open can ask for ``full_calc_on_load=True`` instead. What each
reader does with this is in ``docs/refresh-output.md``.

The output is written to a temporary file in the destination folder and
renamed over the destination, so a failure leaves no partial file.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO

import numpy as np

from addin.xlsx.a1 import col_letters
from addin.xlsx.external_links import update_cached_values
from addin.xlsx.model import CellValue, Coord, Results, UnreadableWorkbookError
from addin.xlsx.package import DEFAULT_LIMITS, InputFile, Limits, Package, gc_paused
from addin.xlsx.safexml import check_well_formed
from addin.xlsx.shared_strings import read_shared_strings
from addin.xlsx.sheetxml import (
    ADDRESS_RE,
    COLUMNS,
    SHEETDATA_RE,
    SheetGrammar,
    attribute,
    attributes,
    column,
    decode_xstring,
    format_number,
    xml_text,
)
from addin.xlsx.workbook import declare_calculated, open_workbook, set_full_calc_on_load
from udfs.errors import ExcelError

_cellsplice: ModuleType | None
try:
    from addin.xlsx import _cellsplice
except ImportError:  # not built (no C compiler): the values pass writes them all
    _cellsplice = None

__all__ = [
    "WriteSummary",
    "escape_text",
    "remove_own_temp_files",
    "remove_stale_temp_files",
    "splice_sheet",
    "temp_prefix",
    "write_atomically",
    "write_package",
    "write_results",
]


@dataclass
class WriteSummary:
    """What the writer changed: cells rewritten and parts replaced."""

    cells_changed: int = 0
    parts_changed: tuple[str, ...] = ()


# A cell to blank because a shrunken spill no longer covers it.
_CLEAR = object()
# "use the general rewrite" from the fast path
_SLOW = object()
_INF = float("inf")
_T_VALUE = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")
_T_ATTR = re.compile(rb"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")


# ---------------------------------------------------------------------------
# Values as XML
# ---------------------------------------------------------------------------

#: the package part naming every part's content type
CONTENT_TYPES = "[Content_Types].xml"
_XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Characters XML 1.0 cannot hold are written as OOXML ``_xHHHH_`` escapes,
# and a literal ``_xHHHH_`` gets its underscore escaped so it reads back as itself.
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def escape_text(text: str) -> str:
    """``text`` as the text of an element: ``&``,
    ``<``, ``>`` escaped, characters XML cannot hold as ``_xHHHH_``."""
    text = _BAD_XML_CHARS.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.translate(_XML_ESCAPES)


def _normalise(value: object) -> CellValue:
    """Engine output (possibly numpy scalars) as a plain cell value."""
    if value is None or isinstance(value, (str, ExcelError, bool)):
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_ without importing numpy
        return bool(value)
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            return ExcelError("#NUM!")
        return x
    raise TypeError(f"not a cell value: {value!r}")


# ---------------------------------------------------------------------------
# Splicing one worksheet part
# ---------------------------------------------------------------------------

_SPLICE_SLICE = 1024 * 1024
#: rows of a sheet the compiled splice writes at once (its output is sized for the worst case)
_COMPILED_SLICE = 8 * 1024 * 1024


def _unescape_text(raw: bytes) -> str:
    """Element text as an XML parser reports it (line ends normalised, entities
    and ``_xHHHH_`` escapes decoded)."""
    return decode_xstring(xml_text(raw))


def _keep(chunk: bytes) -> None:
    """No sink: the chunks are only joined."""


class _SheetSplicer:
    """Rewrites the cells of one worksheet part; see :func:`splice_sheet`."""

    def __init__(
        self,
        xml: bytes,
        updates: Mapping[Coord, object],
        spills: Mapping[Coord, Coord],
        shared_strings: Callable[[], list[str]],
        sink: _Deflater | None = None,
    ) -> None:
        self.xml = xml
        #: deflates the first pass's output as it comes; ``streamed`` when that
        #: output was the whole result (nothing left for the second pass)
        self.sink = sink
        self.streamed = False
        self.updates: dict[Coord, object] = dict(updates)
        self.spills = spills
        self.shared_strings = shared_strings
        self.changed = 0
        self.out: list[bytes] = []
        self.spill_refs: dict[Coord, bytes] = {}
        m = SHEETDATA_RE.search(xml)
        self.sheetdata = m
        self.tags = SheetGrammar.get((m.group(1) + b":") if m and m.group(1) else b"")

    # -- the pass over sheetData -------------------------------------------------

    def run(self) -> bytes:
        m = self.sheetdata
        if m is None or not self.updates:
            return self.xml
        if self.spills:
            self._plan_spill_changes()
        # pass 1: numbers into formula cells of the usual shape, at C speed
        if not m.group(2):
            chunks = self._values_pass(m)
            if not self.updates:
                if self.sink is not None:
                    self.streamed = True  # the sink holds the new part: never joined
                    return b""
                return b"".join(chunks)
            self.xml = b"".join(chunks)
            m = SHEETDATA_RE.search(self.xml)
            assert m is not None
        if self.sink is not None:  # the second pass changes the part: deflated later, whole
            self.sink.cancel()
            self.sink = None
        # pass 2: whatever is left (text, spills, unusual XML)
        done = self.changed
        fast = self._run_fast(m)
        if fast is not None:
            return fast
        self.changed = done
        self.out = []
        return self._run_general(m)

    def _compiled_numbers(self, m: re.Match[bytes], end: int) -> list[bytes] | None:
        """Write the finite numbers whose formula cells hold a number with the
        compiled splicer (``_cellsplice.c``: the cells and bytes the values
        pass below writes for them, at C speed), taking them out of
        ``self.updates``; the new bytes of the sheet data in slices of whole
        rows (the output is never made twice at once), or ``None`` when it
        declines (nothing taken)."""
        assert _cellsplice is not None
        # two flat arrays, not a tuple per cell (a 100,000-row sheet has 700,000)
        keys, values = array("q"), array("d")
        for (row, col), v in self.updates.items():
            if v.__class__ is float and v - v == 0.0:
                keys.append((row << 15) + col)  # 15 bits: column XFD is 16384
                values.append(v)
        if not keys:
            return None
        key_array = np.frombuffer(keys, dtype=np.int64)
        order = np.argsort(key_array, kind="stable")
        sorted_keys = key_array[order]
        key_bytes = sorted_keys.tobytes()
        value_bytes = np.frombuffer(values, dtype=np.float64)[order].tobytes()
        prefix = (m.group(1) + b":") if m.group(1) else b""
        row_end = self.tags.row_end
        done = np.zeros(len(sorted_keys), dtype=bool)
        regions: list[bytes] = []
        changed = 0
        pos = m.end()
        while pos < end:
            stop = self.xml.find(row_end, min(pos + _COMPILED_SLICE, end), end)
            stop = end if stop < 0 else stop + len(row_end)
            got = _cellsplice.splice(self.xml, pos, stop, prefix, key_bytes, value_bytes)
            if got is None:
                return None
            region, flags, n = got
            regions.append(region)
            done |= np.frombuffer(flags, dtype=np.bool_)
            changed += n
            pos = stop
        for key in sorted_keys[done].tolist():
            del self.updates[(key >> 15, key & 0x7FFF)]
        self.changed += changed
        return regions

    def _values_pass(self, m: re.Match[bytes]) -> list[bytes]:
        """Write, in one ``re.sub``, every value whose cell has the usual shape:
        ``<c r=…>`` with an optional ``<f>``, then an optional ``<v>`` (or a
        plain ``<is><t>``), nothing else, no rich-value metadata, not a moved
        spill anchor. Those cells are taken out of ``self.updates``; anything
        else (blanking, text needing ``xml:space`` in a formula cell, cells
        that do not exist yet) is left for the second pass."""
        xml = self.xml
        end = xml.find(b"</" + self.tags.el("sheetData") + b">", m.end())
        if end < 0:
            return [xml]
        if _cellsplice is not None and not self.spills:
            regions = self._compiled_numbers(m, end)
            if regions is not None and not self.updates:  # every value written
                chunks = [xml[: m.end()], *regions, xml[end:]]
                if self.sink is not None:
                    for chunk in chunks:
                        self.sink.add(chunk)
                return chunks
            if regions is not None:  # the rest by the pass below
                region = b"".join(regions)
                xml = self.xml = xml[: m.end()] + region + xml[end:]
                end = m.end() + len(region)
        updates = self.updates
        spill_refs = self.spill_refs
        columns = COLUMNS
        tags = self.tags
        c_open, v_open, v_close, c_close = (
            b"<" + tags.el("c"),
            b"<" + tags.el("v") + b">",
            b"</" + tags.el("v") + b">",
            b"</" + tags.el("c") + b">",
        )
        is_open, is_close = b"<" + tags.el("is") + b">", b"</" + tags.el("is") + b">"
        t_open, t_close = b"<" + tags.el("t"), b"</" + tags.el("t") + b">"

        c_open_r = c_open + b' r="'
        changed = 0

        def one(cm: re.Match[bytes]) -> bytes:
            nonlocal changed
            letters, digits, attrs, _closed, f_el, old_v, empty_v, old_is = cm.groups()
            col = columns.get(letters)
            if col is None:
                col = column(letters)
            coord = (int(digits), col)
            value = updates.get(coord, _SLOW)
            if value is _SLOW or b"vm=" in attrs or coord in spill_refs:
                return cm.group()
            if (
                value.__class__ is float
                and value - value == 0.0  # finite
                and f_el is not None
                and old_v
                and b"t=" not in attrs
            ):
                # the commonest update: a number into a formula cell holding a number
                del updates[coord]
                payload = format_number(value).encode()
                if old_v == payload:
                    return cm.group()
                try:
                    if float(old_v) == value:
                        return cm.group()
                except ValueError:
                    pass
                changed += 1
                return b'%s%s%s"%s>%s%s%s%s%s' % (
                    c_open_r,
                    letters,
                    digits,
                    attrs,
                    f_el,
                    v_open,
                    payload,
                    v_close,
                    c_close,
                )
            formula = f_el is not None
            kind = type(value)
            old: bytes | None = b"" if empty_v else old_v
            if kind is float:
                if value != value or value in (_INF, -_INF):
                    return cm.group()
                t_new = b""
                payload = format_number(value).encode()  # type: ignore[arg-type]
            elif kind is str:
                spaced = value != value.strip()  # type: ignore[attr-defined]
                payload = escape_text(value).encode("utf-8")  # type: ignore[arg-type]
                if formula:
                    if spaced:
                        return cm.group()  # <v xml:space="preserve">: the general path
                    t_new = b"str"
                else:
                    t_new = b"inlineStr"
                    old = old_is
            elif kind is bool:
                t_new, payload = b"b", (b"1" if value else b"0")
            elif kind is ExcelError:
                t_new, payload = b"e", str(value).encode()
            else:
                return cm.group()  # None / blanking: the general path
            del updates[coord]
            t_old = b""
            if b" t=" in attrs:
                tm = _T_VALUE.search(attrs)
                t_old = tm.group(1) if tm else b"?"
            if t_old == t_new and old is not None and (t_new != b"inlineStr" or old_is is not None):
                if old == payload:
                    return cm.group()
                if kind is float and old:
                    try:
                        if float(old) == value:
                            return cm.group()
                    except ValueError:
                        pass
            if t_old:
                attrs = _T_ATTR.sub(b' t="' + t_new + b'"' if t_new else b"", attrs, count=1)
            elif t_new:
                attrs += b' t="' + t_new + b'"'
            if t_new == b"inlineStr":
                space = b' xml:space="preserve"' if spaced else b""
                content = is_open + t_open + space + b">" + payload + t_close + is_close
            else:
                content = v_open + payload + v_close
            changed += 1
            return (
                c_open
                + b' r="'
                + letters
                + digits
                + b'"'
                + attrs
                + b">"
                + (f_el or b"")
                + content
                + c_close
            )

        # in slices of whole rows: the pieces re.sub collects stay small, not
        # one small bytes object per cell of the sheet at once; each slice
        # goes to the sink as soon as it is made
        add = self.sink.add if self.sink is not None else _keep
        chunks = [xml[: m.end()]]
        add(chunks[0])
        # with no dynamic array here, what changes is formula cells (a legacy
        # array formula's other cells, the rare exception, are left for pass 2)
        cells = tags.formula_value_cell if not self.spills else tags.value_cell
        sub, row_end = cells.sub, tags.row_end
        pos = m.end()
        while pos < end:
            stop = xml.find(row_end, min(pos + _SPLICE_SLICE, end), end)
            stop = end if stop < 0 else stop + len(row_end)
            chunks.append(sub(one, xml[pos:stop]))
            add(chunks[-1])
            pos = stop
        chunks.append(xml[end:])
        add(chunks[-1])
        self.changed += changed
        return chunks

    def _run_fast(self, m: re.Match[bytes]) -> bytes | None:
        """Splice when every cell to write already exists, written as Excel writes
        it (``<c r="B2"`` …, rows and cells in order): each one is found with a
        byte search instead of walking every cell. ``None`` when that does not
        hold; nothing is kept from the attempt."""
        if m.group(2):
            return None
        xml = self.xml
        tags = self.tags
        data_end = xml.find(b"</" + tags.el("sheetData") + b">", m.end())
        if data_end < 0:
            return None
        opener = b"<" + tags.el("c") + b' r="'
        cell_re = tags.cell
        letters: dict[int, bytes] = {}
        out: list[bytes] = []
        pos, cursor = 0, m.end()
        for coord in sorted(self.updates):
            value = self.updates[coord]
            row, col = coord
            col_text = letters.get(col)
            if col_text is None:
                col_text = letters[col] = col_letters(col).encode()
            idx = xml.find(opener + col_text + b'%d"' % row, cursor, data_end)
            if idx < 0:
                if value is None or value is _CLEAR:
                    continue  # nothing to blank
                return None
            cm = cell_re.match(xml, idx)
            if cm is None:
                return None
            new = self._rewrite_cell(attributes(cm.group(1)), cm.group(2), value, coord)
            if new is not None:
                out.append(xml[pos:idx])
                out.append(new)
                pos = cm.end()
            cursor = cm.end()
        out.append(xml[pos:])
        return b"".join(out)

    def _run_general(self, m: re.Match[bytes]) -> bytes:
        """Walk the rows and cells; creates missing cells and rows in order."""
        by_row: dict[int, dict[int, object]] = {}
        for (r, c), v in self.updates.items():
            by_row.setdefault(r, {})[c] = v
        pending_rows = sorted(by_row)
        xml = self.xml
        out = self.out
        tags = self.tags
        if m.group(2):  # <sheetData/>: nothing there yet
            out.append(xml[: m.start()])
            out.append(b"<" + tags.el("sheetData") + b">")
            for r in pending_rows:
                out.append(self._new_row(r, by_row[r]))
            out.append(b"</" + tags.el("sheetData") + b">")
            out.append(xml[m.end() :])
            return b"".join(out)
        end_tag = b"</" + tags.el("sheetData") + b">"
        data_end = xml.find(end_tag, m.end())
        if data_end < 0:
            raise ValueError("worksheet part has no </sheetData>")
        pos = m.end()
        out.append(xml[:pos])
        next_pending = 0
        row_no = 0
        row_re = tags.row_start
        while next_pending < len(pending_rows):
            rm = row_re.search(xml, pos, data_end)
            if rm is None:
                break
            attrs = attributes(rm.group(1))
            r_attr = attribute(attrs, b"r")
            row_no = int(r_attr) if r_attr is not None else row_no + 1
            self_closing = bool(rm.group(2))
            row_close = rm.end() if self_closing else xml.find(tags.row_end, rm.end(), data_end)
            if row_close < 0:
                raise ValueError(f"row {row_no} is not closed")
            # rows to create before this one
            while next_pending < len(pending_rows) and pending_rows[next_pending] < row_no:
                out.append(xml[pos : rm.start()])
                pos = rm.start()
                r = pending_rows[next_pending]
                out.append(self._new_row(r, by_row[r]))
                next_pending += 1
            if next_pending < len(pending_rows) and pending_rows[next_pending] == row_no:
                out.append(xml[pos : rm.start()])
                cells = by_row[row_no]
                if self_closing:
                    new_cells = b"".join(self._new_cell(row_no, c, cells[c]) for c in sorted(cells))
                    if new_cells:
                        out.append(rm.group()[:-2] + b">" + new_cells + tags.row_end)
                    else:
                        out.append(rm.group())
                    pos = rm.end()
                else:
                    out.append(rm.group())
                    self._splice_row(rm.end(), row_close, row_no, cells)
                    out.append(tags.row_end)
                    pos = row_close + len(tags.row_end)
                next_pending += 1
            else:
                end = rm.end() if self_closing else row_close + len(tags.row_end)
                out.append(xml[pos:end])
                pos = end
        out.append(xml[pos:data_end])
        while next_pending < len(pending_rows):
            r = pending_rows[next_pending]
            out.append(self._new_row(r, by_row[r]))
            next_pending += 1
        out.append(xml[data_end:])
        return b"".join(out)

    def _splice_row(self, start: int, end: int, row_no: int, cells: dict[int, object]) -> None:
        xml = self.xml
        out = self.out
        todo = sorted(cells)
        k = 0
        pos = start
        col_no = 0
        for cm in self.tags.cell.finditer(xml, start, end):
            attrs = attributes(cm.group(1))
            ref = attribute(attrs, b"r")
            if ref is not None:
                am = ADDRESS_RE.match(ref.encode())
                if am is None:
                    raise ValueError(f"invalid cell address {ref!r}")
                col_no = column(am.group(1))
            else:
                col_no += 1
            while k < len(todo) and todo[k] < col_no:
                out.append(xml[pos : cm.start()])
                pos = cm.start()
                out.append(self._new_cell(row_no, todo[k], cells[todo[k]]))
                k += 1
            if k < len(todo) and todo[k] == col_no:
                new = self._rewrite_cell(attrs, cm.group(2), cells[col_no], (row_no, col_no))
                if new is not None:
                    out.append(xml[pos : cm.start()])
                    out.append(new)
                    pos = cm.end()
                k += 1
            if k >= len(todo):
                break
        out.append(xml[pos:end])
        while k < len(todo):
            out.append(self._new_cell(row_no, todo[k], cells[todo[k]]))
            k += 1

    # -- cells ------------------------------------------------------------------

    def _new_row(self, row_no: int, cells: dict[int, object]) -> bytes:
        body = b"".join(self._new_cell(row_no, c, cells[c]) for c in sorted(cells))
        if not body:
            return b""
        return b"<" + self.tags.el("row") + b' r="%d">' % row_no + body + self.tags.row_end

    def _new_cell(self, row_no: int, col_no: int, value: object) -> bytes:
        if value is _CLEAR:
            return b""
        v = _normalise(value)
        if v is None:
            return b""
        t, inner = self._value_xml(v, formula=False)
        self.changed += 1
        ref = f"{col_letters(col_no)}{row_no}".encode()
        t_attr = b' t="' + t + b'"' if t else b""
        return (
            b"<"
            + self.tags.el("c")
            + b' r="'
            + ref
            + b'"'
            + t_attr
            + b">"
            + inner
            + b"</"
            + self.tags.el("c")
            + b">"
        )

    def _value_xml(self, v: CellValue, *, formula: bool) -> tuple[bytes, bytes]:
        """(``t`` attribute value or b"", value elements) for ``v``."""
        vt = self.tags.el("v")
        if isinstance(v, bool):
            return b"b", b"<" + vt + b">" + (b"1" if v else b"0") + b"</" + vt + b">"
        if isinstance(v, float):
            return b"", b"<" + vt + b">" + format_number(v).encode() + b"</" + vt + b">"
        if isinstance(v, ExcelError):
            return b"e", b"<" + vt + b">" + str(v).encode() + b"</" + vt + b">"
        assert isinstance(v, str)
        text = escape_text(v).encode("utf-8")
        space = b' xml:space="preserve"' if v != v.strip() else b""
        if formula:
            return b"str", b"<" + vt + space + b">" + text + b"</" + vt + b">"
        te, ise = self.tags.el("t"), self.tags.el("is")
        return (
            b"inlineStr",
            b"<" + ise + b"><" + te + space + b">" + text + b"</" + te + b"></" + ise + b">",
        )

    def _old_value(self, t: str | None, inner: bytes | None) -> tuple[bool, CellValue]:
        """(has a value, the cached value) of an existing cell."""
        if not inner:
            return False, None
        tags = self.tags
        vm = tags.v_el.search(inner)
        if t == "inlineStr":
            im = tags.is_el.search(inner)
            if im is None:
                if vm is None:
                    return False, None
                return True, _unescape_text(vm.group(1) or b"")
            return True, tags.inline_text(im.group(1) or b"")  # None: markup in a run (the reader refused it)
        if vm is None:
            return False, None
        raw = vm.group(1) or b""
        if t is None or t == "n":
            try:
                return True, float(raw)
            except ValueError:
                return True, None
        if t == "str":
            return True, _unescape_text(raw)
        if t == "b":
            return True, raw.strip() in (b"1", b"true")
        if t == "e":
            return True, ExcelError(raw.decode().strip()) if raw.strip() else None
        if t == "s":
            try:
                return True, self.shared_strings()[int(raw)]
            except (ValueError, IndexError):
                return True, None
        return True, None  # "d" and anything else: never equal, rewrite

    def _rewrite_cell(
        self,
        attrs: list[tuple[bytes, bytes, bytes]],
        inner: bytes | None,
        value: object,
        coord: Coord,
    ) -> bytes | None:
        tags = self.tags
        fm = tags.f_el.search(inner) if inner else None
        is_formula = fm is not None
        t_old = attribute(attrs, b"t")
        has_old, old = self._old_value(t_old, inner)
        new_ref: bytes | None = None
        if is_formula and coord in self.spill_refs:
            new_ref = self.spill_refs[coord]
        if value is _CLEAR:
            if is_formula or not has_old:
                return None
            v: CellValue = None
        else:
            v = _normalise(value)
            if (
                new_ref is None
                and has_old
                and _same(old, v)
                and not (isinstance(v, str) and not is_formula and t_old == "str")
            ):
                return None
            if new_ref is None and not has_old and v is None:
                return None
        t_new, v_xml = (b"", b"") if v is None else self._value_xml(v, formula=is_formula)
        # attributes: t replaced in place (or added), vm dropped with the old value
        keep_vm = has_old and _same(old, v)
        new_attrs: list[bytes] = []
        placed = False
        for sp, key, quoted in attrs:
            if key == b"t":
                if t_new:
                    new_attrs.append(sp + b't="' + t_new + b'"')
                placed = True
            elif key == b"vm" and not keep_vm:
                continue
            else:
                if key in (b"cm", b"vm") and not placed:
                    if t_new:
                        new_attrs.append(b' t="' + t_new + b'"')
                    placed = True
                new_attrs.append(sp + key + b"=" + quoted)
        if not placed and t_new:
            new_attrs.append(b' t="' + t_new + b'"')
        # content: keep <f> (with a new ref if the spill moved), replace <v>/<is>
        body = inner or b""
        if is_formula:
            assert fm is not None
            f_bytes = fm.group()
            if new_ref is not None:
                f_bytes = _set_ref(f_bytes, tags, new_ref)
            rest = body[fm.end() :]
            rest = tags.v_el.sub(b"", rest, count=1)
            body = body[: fm.start()] + f_bytes + v_xml + rest
        else:
            rest = tags.is_el.sub(b"", tags.v_el.sub(b"", body, count=1), count=1)
            body = v_xml + rest
        self.changed += 1
        c = tags.el("c")
        if not body:
            return b"<" + c + b"".join(new_attrs) + b"/>"
        return b"<" + c + b"".join(new_attrs) + b">" + body + b"</" + c + b">"

    # -- dynamic arrays whose extent changed --------------------------------------

    def _plan_spill_changes(self) -> None:
        """New ``ref`` for anchors whose spill moved; blank what the old spill left."""
        for anchor, last in self.spills.items():
            old_ref = self._anchor_ref(anchor)
            if old_ref is None:
                continue
            new_ref = _range_text(anchor, last)
            if old_ref == new_ref:
                continue
            self.spill_refs[anchor] = new_ref.encode()
            old_last = _range_last(old_ref)
            if old_last is None:
                continue
            for r in range(anchor[0], old_last[0] + 1):
                for c in range(anchor[1], old_last[1] + 1):
                    inside = r <= last[0] and c <= last[1]
                    if not inside and (r, c) not in self.updates:
                        self.updates[(r, c)] = _CLEAR

    def _anchor_ref(self, anchor: Coord) -> str | None:
        ref = f"{col_letters(anchor[1])}{anchor[0]}".encode()
        m = self.tags.find_cell(self.xml, ref)
        if m is None:
            return None
        fm = self.tags.f_start.search(m.group(1))
        if fm is None:
            return None
        return attribute(attributes(fm.group(1)), b"ref")


def _set_ref(f_bytes: bytes, tags: SheetGrammar, new_ref: bytes) -> bytes:
    sm = tags.f_start.match(f_bytes)
    if sm is None:
        return f_bytes
    start_attrs = sm.group(1)
    if re.search(rb"\sref\s*=", start_attrs):
        start_attrs = re.sub(
            rb"""(\sref\s*=\s*)("[^"]*"|'[^']*')""", rb'\1"' + new_ref + rb'"', start_attrs, count=1
        )
    else:
        start_attrs += b' ref="' + new_ref + b'"'
    return f_bytes[: sm.start(1)] + start_attrs + f_bytes[sm.end(1) :]


def _range_text(first: Coord, last: Coord) -> str:
    a = f"{col_letters(first[1])}{first[0]}"
    if first == last:
        return a
    return f"{a}:{col_letters(last[1])}{last[0]}"


def _range_last(ref: str) -> Coord | None:
    end = ref.partition(":")[2] or ref
    m = ADDRESS_RE.match(end.replace("$", "").encode())
    if m is None:
        return None
    return int(m.group(2)), column(m.group(1))


def _same(old: CellValue, new: CellValue) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, ExcelError) or isinstance(new, ExcelError):
        return isinstance(old, ExcelError) and isinstance(new, ExcelError) and old == new
    if isinstance(old, float) and isinstance(new, float):
        return old == new
    if isinstance(old, str) and isinstance(new, str):
        return old == new
    return old is None and new is None


def splice_sheet(
    xml: bytes,
    updates: Mapping[Coord, CellValue],
    spills: Mapping[Coord, Coord] | None = None,
    shared_strings: Callable[[], list[str]] | None = None,
) -> tuple[bytes, int]:
    """Write ``updates`` (coordinate → value) into one worksheet part's XML.

    Returns the new bytes and the number of cells rewritten or created; the
    input comes back unchanged (the same object) when no value differs.

    >>> xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>2</v></c>'
    ...        b'<c r="B1"><f>A1*2</f><v>0</v></c></row></sheetData></worksheet>')
    >>> new, n = splice_sheet(xml, {(1, 2): 4.0, (2, 2): "两"})
    >>> new.decode()
    '<worksheet><sheetData><row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c></row><row r="2"><c r="B2" t="inlineStr"><is><t>两</t></is></c></row></sheetData></worksheet>'
    >>> n
    2
    """
    splicer = _SheetSplicer(xml, updates, spills or {}, shared_strings or list)
    new = splicer.run()
    return (new if splicer.changed else xml), splicer.changed


def _splice_deflated(
    xml: bytes,
    updates: Mapping[Coord, CellValue],
    spills: Mapping[Coord, Coord],
    shared_strings: Callable[[], list[str]],
) -> tuple[bytes | Deflated, int]:
    """:func:`splice_sheet` for a large part the package stores deflated: when
    the first pass writes every value (the usual case), its output is deflated
    slice by slice while it is made and comes back as :class:`Deflated`."""
    sink = _Deflater(_deflate_level(len(xml)))
    splicer = _SheetSplicer(xml, updates, spills, shared_strings, sink)
    try:
        new = splicer.run()
    except BaseException:
        sink.cancel()
        raise
    if not splicer.streamed:
        return (new if splicer.changed else xml), splicer.changed
    if not splicer.changed:
        sink.cancel()
        return xml, 0
    return sink.finish(), splicer.changed


# ---------------------------------------------------------------------------
# The package: raw copy of untouched entries
# ---------------------------------------------------------------------------

_LOCAL_SIG = b"PK\x03\x04"
_CENTRAL_SIG = b"PK\x01\x02"
_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_DESCRIPTOR_SIG = b"PK\x07\x08"
_FAST_DEFLATE_ABOVE = 8 * 1024 * 1024


#: Parts at least twice this size are deflated in pieces of this size side by side.
_DEFLATE_PIECE = 1024 * 1024
_DEFLATE_WINDOW = 32 * 1024  # what a deflate back-reference can reach


def _deflate_level(size: int) -> int:
    """Large sheets: fast deflate (5x faster, ~30 % larger than level 6)."""
    return 6 if size < _FAST_DEFLATE_ABOVE else 1


def _deflate_workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _in_pieces(size: int) -> bool:
    """Whether a part of ``size`` bytes is deflated in pieces side by side: it
    is at least two pieces long and there is another core to take them."""
    return size >= 2 * _DEFLATE_PIECE and _deflate_workers() >= 2


def _deflate_piece(
    piece: bytes | memoryview, primer: bytes | memoryview, level: int, last: bool
) -> bytes:
    """One piece of a raw deflate stream: primed with the bytes before it (so
    it compresses as well as in one stream), ended on a byte boundary by a sync
    flush, or with the final block when it is the ``last``."""
    co = (
        zlib.compressobj(level, zlib.DEFLATED, -15, zdict=primer)
        if len(primer)
        else zlib.compressobj(level, zlib.DEFLATED, -15)
    )
    return co.compress(piece) + co.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflate(content: bytes, level: int) -> bytes:
    """``content`` as one raw deflate stream (what a zip entry holds).

    A large part is deflated in 1 MB pieces on all cores at once, the way pigz
    does it (:func:`_deflate_piece`): the pieces joined are one valid stream.
    zlib releases the GIL while it compresses.
    """
    if not _in_pieces(len(content)):
        return _deflate_piece(content, b"", level, True)
    view = memoryview(content)
    size = len(content)

    def piece(start: int) -> bytes:
        end = min(start + _DEFLATE_PIECE, size)
        primer = view[max(0, start - _DEFLATE_WINDOW) : start]
        return _deflate_piece(view[start:end], primer, level, end == size)

    with ThreadPoolExecutor(_deflate_workers(), thread_name_prefix="jixiao-deflate") as pool:
        return b"".join(pool.map(piece, range(0, size, _DEFLATE_PIECE)))


@dataclass(frozen=True)
class Deflated:
    """A changed part already deflated: the CRC-32 and size of its content and
    the raw deflate stream the zip entry stores."""

    crc: int
    data: bytes
    size: int

    def content(self) -> bytes:
        return zlib.decompress(self.data, -15)


class _Deflater:
    """Deflates a part's new bytes piece by piece while the splicer is still
    producing the rest, on the other cores (:func:`_deflate_piece`), so a
    large sheet is never held whole a second time and its compression costs
    the Python path nothing."""

    def __init__(self, level: int) -> None:
        self.level = level
        self.pool = ThreadPoolExecutor(_deflate_workers(), thread_name_prefix="jixiao-deflate")
        self.pieces: list[Future[bytes]] = []
        self.crc = 0
        self.size = 0
        self.tail = b""

    def add(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.crc = zlib.crc32(chunk, self.crc)
        self.size += len(chunk)
        self.pieces.append(self.pool.submit(_deflate_piece, chunk, self.tail, self.level, False))
        self.tail = chunk[-_DEFLATE_WINDOW:]

    def finish(self) -> Deflated:
        try:
            data = b"".join(f.result() for f in self.pieces)
        finally:
            self.pool.shutdown()
        return Deflated(self.crc, data + _deflate_piece(b"", self.tail, self.level, True), self.size)

    def cancel(self) -> None:
        self.pool.shutdown(cancel_futures=True)


class _RezipNeededError(Exception):
    """The source zip uses features the raw copier does not handle (zip64 …)."""


def _central_records(data_fh: IO[bytes], infos: list[zipfile.ZipInfo]) -> tuple[list[bytes], bytes]:
    """The raw central-directory records (one per entry) and the end record."""
    data_fh.seek(0, os.SEEK_END)
    size = data_fh.tell()
    tail_len = min(size, 65_535 + 22)
    data_fh.seek(size - tail_len)
    tail = data_fh.read(tail_len)
    at = tail.rfind(_EOCD_SIG)
    if at < 0:
        raise _RezipNeededError("no end of central directory")
    eocd = tail[at:]
    if at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR_SIG:
        raise _RezipNeededError("zip64")
    disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = struct.unpack(
        "<HHHHIIH", eocd[4:22]
    )
    if (
        disk
        or cd_disk
        or n_disk != n_total
        or n_total != len(infos)
        or 0xFFFFFFFF in (cd_size, cd_offset)
    ):
        raise _RezipNeededError("multi-disk or zip64 end record")
    eocd = eocd[: 22 + comment_len]
    data_fh.seek(cd_offset)
    cd = data_fh.read(cd_size)
    records: list[bytes] = []
    pos = 0
    for info in infos:
        if cd[pos : pos + 4] != _CENTRAL_SIG:
            raise _RezipNeededError("unexpected central directory layout")
        n, m, k = struct.unpack("<HHH", cd[pos + 28 : pos + 34])
        csize, usize = struct.unpack("<II", cd[pos + 20 : pos + 28])
        offset = struct.unpack("<I", cd[pos + 42 : pos + 46])[0]
        if 0xFFFFFFFF in (csize, usize, offset) or offset != info.header_offset:
            raise _RezipNeededError("zip64 entry or prefixed archive")
        records.append(cd[pos : pos + 46 + n + m + k])
        pos += 46 + n + m + k
    return records, eocd


#: the piece in which an entry's stored bytes are copied: an unchanged part is
#: never held whole (a 900 MB video in a workbook costs 1 MB of memory)
_COPY_CHUNK = 1 << 20


def _raw_entry(fh: IO[bytes], info: zipfile.ZipInfo) -> tuple[bytes, int, bytes]:
    """(local header, where its compressed data starts, data descriptor) of one
    entry, as stored."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if header[:4] != _LOCAL_SIG:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    n, m = struct.unpack("<HH", header[26:30])
    header += fh.read(n + m)
    start = info.header_offset + len(header)
    descriptor = b""
    if info.flag_bits & 0x8:
        fh.seek(start + info.compress_size)
        probe = fh.read(16)
        descriptor = probe if probe[:4] == _DESCRIPTOR_SIG else probe[:12]
    return header, start, descriptor


def _copy_stored(fh: IO[bytes], start: int, info: zipfile.ZipInfo, out: IO[bytes]) -> None:
    """Copy an entry's compressed bytes from ``start`` to ``out``, a piece at a time."""
    fh.seek(start)
    left = info.compress_size
    while left:
        chunk = fh.read(min(left, _COPY_CHUNK))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated entry {info.filename}")
        out.write(chunk)
        left -= len(chunk)


def _without_zip64_extra(head: bytes, fixed: int) -> bytes:
    """A local header (``fixed`` = 30) or central record (46) whose sizes were
    just rewritten as 32-bit numbers, without its ZIP64 extra field (id 1).

    The ZIP64 field repeats the sizes as 64-bit numbers; kept beside new 32-bit
    sizes it disagrees with them, and LibreOffice refuses such a package
    (openpyxl writes every sheet with a ZIP64 local extra). Other extra fields
    (timestamps, Unicode paths) are kept as they are.
    """
    at = 28 if fixed == 30 else 30  # where the extra field's length is
    name_len, extra_len = struct.unpack("<HH", head[at - 2 : at + 2])
    start = fixed + name_len
    extra = head[start : start + extra_len]
    kept: list[bytes] = []
    pos = 0
    while pos + 4 <= len(extra):
        field_id, size = struct.unpack("<HH", extra[pos : pos + 4])
        if pos + 4 + size > len(extra):
            raise _RezipNeededError("malformed extra field")
        if field_id != 0x0001:
            kept.append(extra[pos : pos + 4 + size])
        pos += 4 + size
    if pos != len(extra):
        raise _RezipNeededError("malformed extra field")
    new_extra = b"".join(kept)
    if len(new_extra) == len(extra):
        return head
    return (
        head[:at]
        + struct.pack("<H", len(new_extra))
        + head[at + 2 : start]
        + new_extra
        + head[start + extra_len :]
    )


def _write_raw(
    src: Path | bytes | InputFile,
    infos: list[zipfile.ZipInfo],
    changed: Mapping[str, bytes | Deflated],
    out: IO[bytes],
    removed: frozenset[str] = frozenset(),
) -> None:
    opened: IO[bytes] = (
        io.BytesIO(src) if isinstance(src, bytes)
        else src.reader() if isinstance(src, InputFile)
        else src.open("rb")
    )  # fmt: skip
    with opened as fh:
        records, eocd = _central_records(fh, infos)
        new_records: list[bytes] = []
        offset = 0
        for info, record in zip(infos, records, strict=True):
            if info.filename in removed:
                continue
            header, start, descriptor = _raw_entry(fh, info)
            data: bytes | None = None  # None: the stored bytes, copied from the source
            if info.filename in changed:
                content = changed[info.filename]
                if isinstance(content, Deflated) and info.compress_type == zipfile.ZIP_DEFLATED:
                    crc, data, size = content.crc, content.data, content.size
                else:
                    if isinstance(content, Deflated):
                        content = content.content()
                    crc, size = zlib.crc32(content), len(content)
                    if info.compress_type == zipfile.ZIP_DEFLATED:
                        data = deflate(content, _deflate_level(size))
                    else:
                        data = content
                if max(len(data), size) >= 0xFFFFFFFF:
                    raise _RezipNeededError("changed entry needs zip64")
                flags = info.flag_bits & ~0x8
                sizes = struct.pack("<III", crc, len(data), size)
                header = _without_zip64_extra(
                    header[:6] + struct.pack("<H", flags) + header[8:14] + sizes + header[26:], 30
                )
                descriptor = b""
                record = _without_zip64_extra(
                    record[:8] + struct.pack("<H", flags) + record[10:16] + sizes + record[28:], 46
                )
            if offset > 0xFFFFFFFF:
                raise _RezipNeededError("output needs zip64")
            new_records.append(record[:42] + struct.pack("<I", offset) + record[46:])
            out.write(header)
            if data is None:
                _copy_stored(fh, start, info, out)
            else:
                out.write(data)
            out.write(descriptor)
            offset += len(header) + (info.compress_size if data is None else len(data))
            offset += len(descriptor)
        cd = b"".join(new_records)
        out.write(cd)
        count = struct.pack("<HH", len(new_records), len(new_records))
        out.write(eocd[:8] + count + struct.pack("<II", len(cd), offset) + eocd[20:])


def _write_rezip(
    package: Package,
    changed: Mapping[str, bytes | Deflated],
    out: IO[bytes],
    removed: frozenset[str] = frozenset(),
) -> None:
    """Fallback for zip64 sources: same names, order, dates and methods,
    re-deflated; an unchanged part is inflated and deflated a piece at a time."""
    with zipfile.ZipFile(out, "w", allowZip64=True) as zout:
        for info in package.infos:
            if info.filename in removed:
                continue
            clone = zipfile.ZipInfo(info.filename, info.date_time)
            clone.compress_type = info.compress_type
            clone.external_attr = info.external_attr
            clone.internal_attr = info.internal_attr
            clone.create_system = info.create_system
            clone.comment = info.comment
            if info.filename in changed:
                zout.writestr(clone, _part_bytes(package, changed, info.filename))
                continue
            clone.file_size = info.file_size  # decides the ZIP64 header up front
            with package.open(info.filename, held=False) as src, zout.open(clone, "w") as dst:
                while chunk := src.read(_COPY_CHUNK):
                    dst.write(chunk)


# ---------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------


TEMP_PREFIX = ".~jixiao-"
TEMP_SUFFIX = ".tmp"
#: ``.~jixiao-<host>-<pid>-<random>.tmp``; the older ``.~jixiao-<pid>-<random>.tmp``
#: (no host) is still recognised
_TEMP_RE = re.compile(r"^\.~jixiao-(?:(?P<host>[A-Za-z0-9_.]+)-)?(?P<pid>\d+)-[^/]*\.tmp$")
#: a temporary file another host (or an unknown one) left is stale only after this
#: long untouched: its process cannot be asked whether it is alive
FOREIGN_TEMP_AGE = 24 * 3600.0

#: the temporary files this process is writing now (removed if it is interrupted)
_OWN_TEMP_FILES: set[Path] = set()


def _host_tag() -> str:
    """This machine's name as it appears in a temporary file's name."""
    import socket

    host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
    return host[:64]


def temp_prefix() -> str:
    """The prefix of this process's temporary files: ``.~jixiao-<host>-<pid>-``.
    Host and process together name the owner, so several machines writing into
    one shared folder (a Dask cluster over a network share) never take each
    other's files for stale."""
    return f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-"


def remove_stale_temp_files(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder``. A file is
    stale when it is provably so: written on this host by a process that no
    longer exists; one from another host, or without a host in its name, only
    when untouched for :data:`FOREIGN_TEMP_AGE`. The files removed."""
    import time

    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    here = _host_tag()
    now = time.time() if now is None else now
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None:
            continue
        if m.group("host") == here:
            if _process_alive(int(m.group("pid"))):
                continue
        else:
            try:
                age = now - (folder / name).stat().st_mtime
            except OSError:
                continue
            if age < FOREIGN_TEMP_AGE:
                continue
        try:
            (folder / name).unlink()
        except OSError:
            continue
        removed.append(folder / name)
    return removed


def remove_own_temp_files() -> None:
    """Remove the temporary files this process is writing (Ctrl-C: nothing
    half-written stays behind)."""
    for path in list(_OWN_TEMP_FILES):
        with contextlib.suppress(OSError):
            path.unlink()
        _OWN_TEMP_FILES.discard(path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def write_atomically(
    dest: Path, write: Callable[[IO[bytes]], None], mode_from: Path | None = None
) -> None:
    """Call ``write`` on a temporary file beside ``dest``, then rename it over ``dest``.

    On any failure the temporary file is removed and ``dest`` is untouched.
    With ``mode_from`` the new file gets that file's permission bits and, where
    the operating system allows it, its owner and group. (Renaming over
    ``dest`` gives it a new inode: other hard links to the old file keep the
    old content.)
    """
    dest = Path(dest)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(), suffix=TEMP_SUFFIX, dir=dest.parent)
    tmp = Path(tmp_name)
    _OWN_TEMP_FILES.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode_from is not None:
            st = mode_from.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                # only root may give a file away: then the owner is the caller's
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, st.st_uid, st.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _OWN_TEMP_FILES.discard(tmp)


_CALC_CHAIN_TYPE = "/calcChain"


def strip_formulas(xml: bytes) -> bytes:
    """A worksheet part with every formula removed and its cached value kept as
    a constant (``--values``): ``<f>`` elements go, so do the cells' ``cm``
    (dynamic-array metadata) attributes, and a formula's text result
    (``t="str"``, which only formula cells may carry) becomes an inline string.
    Styles, widths, merged cells, validations, conditional formats and sheet
    protection are outside ``<sheetData>`` or in other attributes: untouched.

    >>> strip_formulas(b'<worksheet><sheetData><row r="1"><c r="A1" s="2" cm="1">'
    ...     b'<f t="array" ref="A1">X()</f><v>3</v></c><c r="B1" t="str"><f>"a"</f>'
    ...     b'<v>a</v></c></row></sheetData></worksheet>').decode()
    '<worksheet><sheetData><row r="1"><c r="A1" s="2"><v>3</v></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">a</t></is></c></row></sheetData></worksheet>'
    """
    m = SHEETDATA_RE.search(xml)
    if m is None or m.group(2):
        return xml
    tags = SheetGrammar.get((m.group(1) + b":") if m.group(1) else b"")
    end = xml.find(tags.sheetdata_end, m.end())
    if end < 0:
        return xml
    body = tags.f_el.sub(b"", xml[m.end() : end])
    p = re.escape(tags.prefix)
    body = re.sub(rb"(<" + p + rb"c\b[^>]*?)\scm\s*=\s*(?:\"[^\"]*\"|'[^']*')", rb"\1", body)
    is_open, is_close = b"<" + tags.el("is") + b">", b"</" + tags.el("is") + b">"
    t_open, t_close = b"<" + tags.el("t") + b' xml:space="preserve">', b"</" + tags.el("t") + b">"

    def inline(cm: re.Match[bytes]) -> bytes:
        attrs, inner = cm.group(1), cm.group(2) or b""
        kind = _T_VALUE.search(attrs)
        if kind is None or kind.group(1) != b"str":
            return cm.group()
        vm = tags.v_el.search(inner)
        text = (vm.group(1) or b"") if vm else b""
        rest = tags.v_el.sub(b"", inner, count=1)
        attrs = _T_ATTR.sub(b' t="inlineStr"', attrs, count=1)
        c = tags.el("c")
        content = is_open + t_open + text + t_close + is_close + rest
        return b"<" + c + attrs + b">" + content + b"</" + c + b">"

    if b'"str"' in body or b"'str'" in body:
        body = tags.cell.sub(inline, body)
    return xml[: m.end()] + body + xml[end:]


def _part_bytes(package: Package, changed: Mapping[str, bytes | Deflated], name: str) -> bytes:
    """Part ``name`` as it will be written: changed, or as in the package."""
    new = changed.get(name)
    if new is None:
        return package.read(name)
    return new.content() if isinstance(new, Deflated) else new


def _drop_calc_chain(package: Package, changed: dict[str, bytes | Deflated]) -> frozenset[str]:
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
        rels = _part_bytes(package, changed, rels_name)
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


def write_package(
    source: Path,
    package: Package,
    changed: Mapping[str, bytes | Deflated],
    dest: Path,
    *,
    data: bytes | InputFile | None = None,
    removed: frozenset[str] = frozenset(),
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write ``source`` to ``dest`` (atomically) with the parts in ``changed``
    replaced and those in ``removed`` left out; every other entry is copied raw
    (see the module docstring). ``package`` is ``source`` opened; with ``data``
    the copy is made from those bytes instead of the file. ``before_replace`` is
    called once the new package is complete, just before it replaces ``dest``.
    Every part copied as it is is checked first (:func:`check_copied_parts`).
    """
    check_copied_parts(package, set(changed) | removed)
    # the one part every output carries that no reader parses: a mangled one
    # (bad bytes, standalone="1_000") made outputs neither openpyxl nor
    # LibreOffice opens (make fuzz)
    check_well_formed(package.read(CONTENT_TYPES), CONTENT_TYPES, package.limits.max_prolog)

    def write(out: IO[bytes]) -> None:
        try:
            _write_raw(source if data is None else data, package.infos, changed, out, removed)
        except _RezipNeededError:
            out.seek(0)
            out.truncate()
            _write_rezip(package, changed, out, removed)
        if before_replace is not None:
            before_replace()

    try:
        write_atomically(dest, write, mode_from=source)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:  # an entry we copy raw
        raise UnreadableWorkbookError(
            f"{source.name} 已损坏（{exc}） / {source.name} is corrupt ({exc})"
        ) from None


def check_copied_parts(package: Package, skipped: set[str] | frozenset[str]) -> None:
    """Inflate every part the output will carry as it is (all but ``skipped``),
    a chunk at a time, so one whose data does not match its declared size or
    CRC (a lying header) is refused naming it instead of being copied into an
    output nobody can open. Memory stays one chunk, so a part is bounded by
    the total budget and the ratio check of :class:`~addin.xlsx.package.Limits`
    as it inflates, not by the budget of a part held in memory."""
    for info in package.infos:
        if info.filename in skipped or info.is_dir():
            continue
        try:
            with package.open(info.filename, held=False) as stream:
                while stream.read(_COPY_CHUNK):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise UnreadableWorkbookError(
                f"部件 {info.filename} 已损坏（{exc}），未写出文件 / part {info.filename} is "
                f"corrupt ({exc}); nothing written"
            ) from None


def write_results(
    source: str | Path,
    results: Results,
    dest: str | Path,
    *,
    full_calc_on_load: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    data: bytes | InputFile | None = None,
    before_replace: Callable[[], None] | None = None,
    values_only: bool = False,
) -> WriteSummary:
    """Write ``results`` into a copy of ``source`` at ``dest`` (atomically).

    ``dest`` may be ``source`` itself (in-place refresh; the caller keeps a
    backup). With ``data`` the copy is made from those bytes (the ones the
    engine read, :func:`~addin.xlsx.package.read_input`), not from the file.
    ``before_replace`` is called once the new package is complete, just before
    it replaces ``dest``; an exception from it leaves ``dest`` untouched (the
    refresh command checks there that the input did not change meanwhile).
    With ``values_only`` every formula is then replaced by its value
    (:func:`strip_formulas`, ``calcChain.xml`` dropped): the copy to send to
    people without the add-in. See the module docstring for exactly what changes.
    """
    source = Path(source)
    dest = Path(dest)
    with open_workbook(source, limits, data=data) as package, gc_paused():
        parts = {sp.name.casefold(): sp.part for sp in package.sheet_parts}
        strings: list[str] | None = None

        def shared_strings() -> list[str]:
            nonlocal strings
            if strings is None:
                strings = []
                for rel_type, target in package.workbook_rels.values():
                    if rel_type.endswith("/sharedStrings") and package.has(target):
                        strings = read_shared_strings(package, target)
            return strings

        changed: dict[str, bytes | Deflated] = {}
        cells = 0
        sheet_names = set(results.values) | set(results.spills)
        for name in sheet_names:
            part = parts.get(name.casefold())
            if part is None:
                raise KeyError(f"results for a sheet the workbook does not have: {name!r}")
            updates = results.values.get(name, {})
            spills = results.spills.get(name, {})
            if not updates and not spills:
                continue
            xml = package.read(part)
            new: bytes | Deflated
            deflated = package.names[part].compress_type == zipfile.ZIP_DEFLATED
            if deflated and _in_pieces(len(xml)) and not values_only:
                new, n = _splice_deflated(xml, updates, spills, shared_strings)
            else:
                new, n = splice_sheet(xml, updates, spills, shared_strings)
            del xml  # the input part is not held while the next one is made
            if n:
                changed[part] = new
                cells += n
        removed: frozenset[str] = frozenset()
        if values_only:
            for sp in package.sheet_parts:
                xml = _part_bytes(package, changed, sp.part)
                stripped = strip_formulas(xml)
                if stripped != xml:
                    changed[sp.part] = stripped
            removed = _drop_calc_chain(package, changed)
        if full_calc_on_load or changed:  # values that were already cached: nothing to declare
            wb_xml = package.read(package.workbook_part)
            new_wb = (set_full_calc_on_load if full_calc_on_load else declare_calculated)(wb_xml)
            if new_wb != wb_xml:
                changed[package.workbook_part] = new_wb
        for part, fresh in results.link_caches.items():
            if package.has(part):
                updated = update_cached_values(package.read(part), fresh)
                if updated is not None:
                    changed[part] = updated

        write_package(
            source,
            package,
            changed,
            dest,
            data=data,
            removed=removed,
            before_replace=before_replace,
        )
    return WriteSummary(
        cells, tuple(p for p in (i.filename for i in package.infos) if p in changed)
    )
