"""Write computed values into one worksheet part, splicing its bytes.

What changes, and nothing else:

* the cached value of every formula cell and every cell a dynamic or array
  formula spills into: the ``<v>`` element (or ``<is>`` for a non-formula
  spill cell holding text) and the cell's ``t`` attribute. A cell whose cached
  value already equals the computed one is left byte for byte as it was
  (Excel's 17-digit ``0.82499999999999996`` stays, because it *is* 0.825).
  Where a value changes, the cell's ``vm`` attribute (rich-value metadata
  describing the *old* value, e.g. an error's details) is dropped with it.
* a spill cell that does not exist yet is created in its row, in column order
  (and the row too, in row order, if needed); when the engine reports a
  dynamic array's new extent (``Results.spills``) the formula's ``ref`` is
  updated and cells the old, larger spill covered are blanked (style kept).

The sheet XML is edited as bytes, splicing single ``<c>`` elements; it is
never re-serialised, so namespaces, attribute order and everything else stay
as the file had them. For speed, values going into formula cells of the usual
shape (``<c r=…><f…>…</f><v>…</v></c>``) are written in one ``re.sub`` pass
(matching formula cells only where no dynamic array spills, so input cells are
passed over at C speed; finite numbers by the compiled splice,
``_cellsplice.c``, where it is built); the rest (new spill cells, text needing
``xml:space``, unusual XML) is found by a byte search or, failing that, by
walking the rows in order. A large part the package stores deflated is
deflated while the first pass still splices the rest
(:func:`splice_deflated`, with :class:`~addin.xlsx.package_writer.Deflater`).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Mapping
from types import ModuleType

import numpy as np

from addin import native
from addin.xlsx.a1 import col_letters
from addin.xlsx.cell_keys import COL_BITS, COL_MASK, keys_of
from addin.xlsx.model import CellValue, Coord, SheetResults
from addin.xlsx.package_writer import Deflated, Deflater, deflate_level
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
from udfs.errors import ExcelError

#: the compiled splicer, or ``None`` (not built, or built for another interface:
#: 2 keys cells row * 2**15 + col): the values pass then writes them all
_cellsplice: ModuleType | None = native.load("addin.xlsx._cellsplice", 2)

__all__ = [
    "T_ATTR_RE",
    "T_VALUE_RE",
    "escape_text",
    "splice_deflated",
    "splice_sheet",
]


# A cell to blank because a shrunken spill no longer covers it.
_CLEAR = object()
# "use the general rewrite" from the fast path
_SLOW = object()
_INF = float("inf")
T_VALUE_RE = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")
T_ATTR_RE = re.compile(rb"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")


# ---------------------------------------------------------------------------
# Values as XML
# ---------------------------------------------------------------------------

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
        sink: Deflater | None = None,
    ) -> None:
        self.xml = xml
        #: deflates the first pass's output as it comes; ``streamed`` when that
        #: output was the whole result (nothing left for the second pass)
        self.sink = sink
        self.streamed = False
        self.given = updates
        self.spills = spills
        self.shared_strings = shared_strings
        self.changed = 0
        self.out: list[bytes] = []
        self.spill_refs: dict[Coord, bytes] = {}
        m = SHEETDATA_RE.search(xml)
        self.sheetdata = m
        #: the values still to write, taken out as they are written; when the
        #: compiled splicer takes the numbers first, only what it leaves is
        #: copied (a 700,000-entry copy of the results is 40 MB)
        self.compiled_first = (
            _cellsplice is not None and not spills and m is not None and not m.group(2)
        )
        self.updates: dict[Coord, object] = {} if self.compiled_first else dict(updates)
        self.tags = SheetGrammar.get((m.group(1) + b":") if m and m.group(1) else b"")

    # -- the pass over sheetData -------------------------------------------------

    def run(self) -> bytes:
        m = self.sheetdata
        if m is None or not self.given:
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
        others: dict[Coord, object] = {}
        given = self.given
        # a block computed at once comes as one float64 array: its keys made with numpy
        blocks = list(given.number_columns()) if isinstance(given, SheetResults) else []
        loose = given.other_items() if isinstance(given, SheetResults) else given.items()
        for (row, col), v in loose:
            if v.__class__ is float and v - v == 0.0:
                keys.append((row << COL_BITS) + col)
                values.append(v)
            else:
                others[(row, col)] = v
        key_parts = [np.frombuffer(keys, dtype=np.int64)]
        value_parts = [np.frombuffer(values, dtype=np.float64)]
        for row, col, numbers in blocks:
            key_parts.append(keys_of(np.arange(row, row + len(numbers)), col))
            value_parts.append(numbers)
        key_array = np.concatenate(key_parts)
        if not len(key_array):
            self.updates = others
            return None
        order = np.argsort(key_array, kind="stable")
        sorted_keys = key_array[order]
        del key_array, keys, key_parts
        key_bytes = sorted_keys.tobytes()
        value_bytes = np.concatenate(value_parts)[order].tobytes()
        del values, value_parts, order
        # every value a number: the new bytes go to the deflater slice by slice
        # as they are made (never the whole new sheet beside the old one)
        stream = self.sink if not others else None
        got = self._splice_slices(m, end, key_bytes, value_bytes, len(sorted_keys), stream)
        if got is None and stream is not None:  # a cell it could not take: again, kept
            stream.cancel()
            self.sink = None
            got = self._splice_slices(m, end, key_bytes, value_bytes, len(sorted_keys), None)
        if got is None:
            self.updates = dict(self.given)
            return None
        regions, done, changed = got
        for key in sorted_keys[~done].tolist():  # left for the Python passes
            coord = (key >> COL_BITS, key & COL_MASK)
            others[coord] = self.given[coord]
        self.updates = others
        self.changed += changed
        if stream is not None:
            self.streamed = True
        return regions

    def _splice_slices(
        self,
        m: re.Match[bytes],
        end: int,
        key_bytes: bytes,
        value_bytes: bytes,
        n: int,
        stream: Deflater | None,
    ) -> tuple[list[bytes], np.ndarray, int] | None:
        """The compiled splicer over the sheet data a slice of whole rows at a
        time: the new slices (none kept when they go to ``stream``, which
        also gets the bytes before the sheet data first and after it last),
        which keys it wrote and how many cells changed; ``None`` when it
        declines, or when ``stream`` is given and a value is left over."""
        assert _cellsplice is not None
        prefix = (m.group(1) + b":") if m.group(1) else b""
        row_end = self.tags.row_end
        done = np.zeros(n, dtype=bool)
        regions: list[bytes] = []
        changed = 0
        pos = m.end()
        if stream is not None:
            stream.add(self.xml[: m.end()])
        while pos < end:
            stop = self.xml.find(row_end, min(pos + _COMPILED_SLICE, end), end)
            stop = end if stop < 0 else stop + len(row_end)
            got = _cellsplice.splice(self.xml, pos, stop, prefix, key_bytes, value_bytes)
            if got is None:
                return None
            region, flags, k = got
            if stream is not None:
                stream.add(region)
            else:
                regions.append(region)
            done |= np.frombuffer(flags, dtype=np.bool_)
            changed += k
            pos = stop
        if stream is not None:
            if not done.all():
                return None
            stream.add(self.xml[end:])
        return regions, done, changed

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
        if self.compiled_first:
            regions = self._compiled_numbers(m, end)
            if self.streamed:  # every value written, the new part in the deflater
                return []
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
                tm = T_VALUE_RE.search(attrs)
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
                attrs = T_ATTR_RE.sub(b' t="' + t_new + b'"' if t_new else b"", attrs, count=1)
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


def splice_deflated(
    xml: bytes,
    updates: Mapping[Coord, CellValue],
    spills: Mapping[Coord, Coord],
    shared_strings: Callable[[], list[str]],
) -> tuple[bytes | Deflated, int]:
    """:func:`splice_sheet` for a large part the package stores deflated: when
    the first pass writes every value (the usual case), its output is deflated
    slice by slice while it is made and comes back as :class:`Deflated`."""
    sink = Deflater(deflate_level(len(xml)))
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
