"""Worksheet parts (``xl/worksheets/sheetN.xml``): cells, formulas, hidden and
filtered rows, and the checks of the markup the reader does not use but every
output carries.

:func:`read_sheet` reads one part into a :class:`SheetReader`'s sheet:
constants and cached values, formulas (shared formulas kept as groups —
:class:`~addin.xlsx.model.SharedGroup`, a child's own text worked out only
when read —, legacy array formulas, dynamic arrays recognised through the
cell metadata part, what-if data tables). The plain value cells go to typed
columns (:func:`addin.xlsx.colscan.scan_columns`), the others are read by a
regular-expression scanner; a sheet in a shape the scanner does not know is
read element by element with lxml. A large sheet is checked for well-formed
XML (:func:`addin.xlsx.safexml.check_well_formed`) on a second thread while
the scanner reads it. A refresh leaves
out the values cached in formula cells (``formula_values=False``).
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_letters, parse_range, to_a1
from addin.xlsx.colscan import ColumnScan, markup_facts, scan_columns, whole_sheet_scanner
from addin.xlsx.columns import CellValues
from addin.xlsx.model import (
    CellValue,
    Coord,
    Formula,
    Repair,
    SharedGroup,
    Sheet,
    UnreadableWorkbookError,
    unreadable,
)
from addin.xlsx.package import Limits, Package, iter_elements
from addin.xlsx.safexml import ROOT_HEAD, check_root, check_well_formed
from addin.xlsx.shared_strings import rich_text
from addin.xlsx.sheetxml import (
    COLUMNS,
    SHEETDATA_RE,
    SheetGrammar,
    attribute,
    attributes,
    column,
    decode_xstring,
    xml_text,
)
from udfs.errors import ExcelError, parse_error

__all__ = [
    "MAX_ARRAY_CELLS", "SheetReader", "check_sheet_markup", "excel_number", "read_sheet", "style_index_bad_re",
]  # fmt: skip


def _iso_to_serial(text: str, date1904: bool) -> float:
    """An ISO 8601 ``t="d"`` cell value as a date serial number."""
    text = text.strip()
    if "T" not in text and ":" in text:  # a bare time
        stamp = _dt.datetime.fromisoformat("1899-12-31T" + text)
        base = _dt.datetime(1899, 12, 31)
        return (stamp - base).total_seconds() / 86400.0
    stamp = _dt.datetime.fromisoformat(text.replace("Z", ""))
    if date1904:
        return (stamp - _dt.datetime(1904, 1, 1)).total_seconds() / 86400.0
    serial = (stamp - _dt.datetime(1899, 12, 31)).total_seconds() / 86400.0
    return serial + 1 if serial >= 60 else serial  # Excel's phantom 1900-02-29


@dataclass
class SheetReader:
    """What reading one worksheet part needs and builds: the sheet, the
    workbook's shared strings, dynamic-array ``cm`` values and date system,
    and the shared-formula groups met so far."""

    sheet: Sheet
    strings: list[str]
    dynamic_cm: frozenset[str]
    date1904: bool
    formula_values: bool = True  # keep the values cached in formula cells
    shared: dict[str, SharedGroup] = field(default_factory=dict)
    pending: list[tuple[Coord, str]] = field(default_factory=list)
    part: str = ""
    #: how many cell formats ``styles.xml`` defines (``s`` must index one)
    n_styles: int = 1
    #: the repairs made as Excel makes them (:attr:`~addin.xlsx.model.Workbook.repairs`)
    repairs: list[Repair] = field(default_factory=list)


_DIGITS = "0123456789"
_SCAN_SLICE = 4 * 1024 * 1024
#: formula and rare-shape cells matched per batch when the column scanner read the rest
_ONLY_BATCH = 8192


def _read_sheet_tree(package: Package, part: str, rd: SheetReader) -> None:
    """The general reader (any well-formed sheet XML), element by element."""
    sheet = rd.sheet
    values = sheet.values
    strings = rd.strings
    n_strings = len(strings)
    date1904 = rd.date1904
    max_row = max_col = 0
    row_no = 0
    c_tag = v_tag = f_tag = is_tag = ""
    ns_of = ""
    for row in iter_elements(package, part, ("row",)):
        ns = row.tag[:-3]  # "{namespace}" of this row (or "")
        if ns != ns_of:
            ns_of = ns
            c_tag, v_tag, f_tag, is_tag = ns + "c", ns + "v", ns + "f", ns + "is"
        r_attr = row.get("r")
        if r_attr is None:
            row_no += 1
        elif r_attr.strip().isdigit() and 1 <= int(r_attr) <= MAX_ROW:
            row_no = int(r_attr)
        else:
            raise _bad_attribute(part, "<row r>", r_attr.encode())
        col_no = 0
        for c in row:
            if c.tag != c_tag:
                continue
            ref = c.get("r")
            if ref is not None:
                letters = ref.rstrip(_DIGITS)
                col_no = column(letters.encode())
                digits = ref[len(letters) :]
                rno = int(digits) if digits.isdigit() else 0
            else:
                col_no += 1
                rno = row_no
            if not (1 <= rno <= MAX_ROW and 1 <= col_no <= MAX_COL):
                raise _bad_cell(part, ref or f"{col_letters(col_no)}{rno}")
            coord = (rno, col_no)
            v_text: str | None = None
            f_el = None
            is_el = None
            if c.text and not c.text.isspace():
                raise _bad_content(part, coord, None)
            seen: set[str] = set()
            for child in c:
                tag = child.tag
                if not isinstance(tag, str) or tag in seen or tag not in (f_tag, v_tag, is_tag, ns + "extLst"):
                    raise _bad_content(part, coord, etree.QName(child).localname if isinstance(tag, str) else "!--")
                seen.add(tag)
                if child.tail and not child.tail.isspace():
                    raise _bad_content(part, coord, None)
                if tag == v_tag:
                    v_text = child.text or ""
                elif tag == f_tag:
                    f_el = child
                elif tag == is_tag:
                    is_el = child
            if f_el is not None:
                _read_formula(rd, coord, c, f_el, part)
                if rno > max_row:
                    max_row = rno
                if col_no > max_col:
                    max_col = col_no
                if not rd.formula_values and coord in sheet.formulas:
                    continue
            if v_text is not None or is_el is not None:
                t = c.get("t") or None  # t="" is the default type, as the scanners read it
                if t is None and v_text:
                    try:
                        value: CellValue = excel_number(v_text)
                    except ValueError:
                        value = _cell_value(
                            t, v_text, is_el, strings, n_strings, date1904, part, coord
                        )
                else:
                    value = _cell_value(t, v_text, is_el, strings, n_strings, date1904, part, coord)
                if value is not None:
                    values[coord] = value
                    if rno > max_row:
                        max_row = rno
                    if col_no > max_col:
                        max_col = col_no
        row.clear(keep_tail=False)
    sheet.max_row = max_row
    sheet.max_col = max_col


def _finish_sheet(rd: SheetReader) -> None:
    """Shared-formula children seen before their master; array extents."""
    sheet = rd.sheet
    formulas = sheet.formulas
    for coord, si in rd.pending:
        group = rd.shared.get(si)
        if group is None:  # its formula is lost: computing it blank would be a wrong value
            raise unreadable(
                f"部件 {rd.part} 单元格 {to_a1(*coord)} 的共享公式 si={si!r} 没有主单元格",
                f"part {rd.part} cell {to_a1(*coord)}: shared formula si={si!r} has no "
                "master cell (the cell that holds its text)",
            )
        formulas[coord] = Formula.shared(group, coord)
    # an array formula occupies its whole range even where no cell is written yet
    for f in formulas.distinct():  # a run's cells are normal formulas, without a range
        if f.ref and ":" in f.ref:
            try:
                _first, last = parse_range(f.ref.replace("$", ""))
            except ValueError:
                continue
            sheet.max_row = max(sheet.max_row, last[0])
            sheet.max_col = max(sheet.max_col, last[1])


#: Sheets at least this large are checked for well-formedness on a second
#: thread while the scanner reads them (the check runs without the GIL).
_CHECK_ASIDE_ABOVE = 1024 * 1024


@contextmanager
def _well_formed_meanwhile(data: bytes, part: str, limits: Limits) -> Iterator[None]:
    """Check ``data`` is well-formed XML while the body reads it.

    A small part is checked first. A large one is checked on another thread at
    C speed beside the Python scanner (the two cores of an office PC both work);
    the check's refusal wins over whatever the body raised, as if it had run
    first, so malformed XML is reported as such and nothing read from it is kept.
    """
    if len(data) < _CHECK_ASIDE_ABOVE:
        check_well_formed(data, part, limits.max_prolog)
        yield
        return
    failure: list[Exception] = []

    def check() -> None:
        try:
            check_well_formed(data, part, limits.max_prolog)
        except Exception as exc:  # carried to the reading thread and raised there
            failure.append(exc)

    checker = threading.Thread(target=check, name="jixiao-xml-check", daemon=True)
    checker.start()
    try:
        yield
    finally:
        checker.join()
        if failure:
            raise failure[0]


def _at_least(n: int) -> bytes:
    """A regular expression for the numbers of ``len(str(n))`` digits that are at
    least ``n`` (no leading zeros), so one search finds an out-of-range index.

    >>> [x for x in range(1200) if re.fullmatch(_at_least(1049), str(x).encode())][:3]
    [1049, 1050, 1051]
    """
    top = str(n)
    options = [top]
    for i, ch in enumerate(top):
        if ch != "9":
            rest = len(top) - i - 1
            options.append(f"{top[:i]}[{int(ch) + 1}-9][0-9]{{{rest}}}")
    return "|".join(options).encode()


#: markup the scanner does not read but an output carries: a bad value here
#: makes a file Excel repairs and LibreOffice or openpyxl refuse. Each search
#: starts at a literal and matches only a *bad* value, so a sound sheet costs a
#: few C-level passes (rows written in another attribute order, or with a
#: namespace prefix, are checked one by one).
_ROW_R_BAD_RE = re.compile(
    rb'<row r="(0*|[0-9]*[^0-9"][^"]*|[0-9]{8,}|' + _at_least(MAX_ROW + 1) + rb')"'
)
_ROW_R_ANY_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([^"]*)"')
_SPANS_BAD_RE = re.compile(rb' spans="([0-9: ]*[^0-9: "][^"]*)"')
_COL_RE = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")


def _search_from(
    pattern: re.Pattern[bytes], data: bytes, facts: tuple[int, ...] | None, which: int
) -> re.Match[bytes] | None:
    """``pattern``'s first match in ``data``, searched from where the compiled
    scanner found it (``facts[which]``; -1: none) or, unbuilt, from the start."""
    if facts is None:
        return pattern.search(data)
    return pattern.search(data, facts[which]) if facts[which] >= 0 else None


def style_index_bad_re(n_styles: int) -> re.Pattern[bytes]:
    """What refuses a cell format index ``s`` when the styles define
    ``n_styles`` cell formats: empty, not digits, or ``n_styles`` and above."""
    return re.compile(
        rb' s="(|[0-9]{%d,}|[0-9]*[^0-9"][^"]*|%s)"' % (len(str(n_styles)) + 1, _at_least(n_styles))
    )


def check_sheet_markup(data: bytes, part: str, n_styles: int) -> None:
    """Refuse a worksheet whose row numbers, ``spans``, ``<col>`` ranges or cell
    format indexes (``s``) are not what the schema says, naming part and attribute."""
    facts = markup_facts(data, n_styles)  # where the expressions below would match, if built
    if facts is None:
        m = _ROW_R_BAD_RE.search(data)
        differ = m is None and data.count(b"row ") != data.count(b'row r="')
    else:
        m = _search_from(_ROW_R_BAD_RE, data, facts, 0)
        differ = m is None and facts[3] != facts[4]
    if differ:
        m = next(
            (
                x
                for x in _ROW_R_ANY_RE.finditer(data)
                if not (x.group(1).isdigit() and 1 <= int(x.group(1)) <= MAX_ROW)
            ),
            None,
        )
    if m is not None:
        raise _bad_attribute(part, "<row r>", m.group(1))
    m = _search_from(_SPANS_BAD_RE, data, facts, 1)
    if m is not None:
        raise _bad_attribute(part, "<row spans>", m.group(1))
    cols_end = data.find(b"sheetData")
    for col in _COL_RE.finditer(data, 0, cols_end if cols_end > 0 else len(data)):
        attrs = {k: v[1:-1] for _s, k, v in attributes(col.group(1))}
        lo, hi = attrs.get(b"min", b""), attrs.get(b"max", b"")
        width = attrs.get(b"width")
        sound = lo.isdigit() and hi.isdigit() and 1 <= int(lo) <= int(hi) <= MAX_COL
        if sound and width is not None:
            try:
                sound = 0 <= excel_number(width) <= 255
            except ValueError:
                sound = False
        if not sound:
            raise _bad_attribute(part, "<col>", col.group(1).strip().rstrip(b"/").strip())
    m = _search_from(style_index_bad_re(n_styles), data, facts, 2)
    if m is not None:
        raise _bad_attribute(part, f"<c s> (the styles define {n_styles} cell formats)", m.group(1))


def _bad_attribute(part: str, what: str, raw: bytes) -> UnreadableWorkbookError:
    return unreadable(
        f"部件 {part} 的 {what} 值 {raw[:40]!r} 无效", f"part {part}: {what} is invalid: {raw[:40]!r}"
    )


def read_sheet(package: Package, part: str, rd: SheetReader) -> None:
    """Read one worksheet part: the fast scanner when the XML has the shape every
    spreadsheet application writes, else the general element-by-element reader."""
    data = package.read(part)
    check_root(data[:ROOT_HEAD], part)
    with _well_formed_meanwhile(data, part, package.limits):
        check_sheet_markup(data, part, rd.n_styles)
        _read_hidden_rows(data, rd.sheet)
        scanned = _scan_sheet(data, rd, part)
    if not scanned:
        rd.sheet.values.clear()
        rd.sheet.formulas.clear()
        rd.shared.clear()
        rd.pending.clear()
        rd.repairs.clear()
        del data
        _read_sheet_tree(package, part, rd)
    _finish_sheet(rd)


_HIDDEN_ROW_RE = re.compile(rb"""<(?:\w+:)?row\b[^>]*?\shidden\s*=\s*["'](?:1|true)["'][^>]*>""")
_ROW_NO_RE = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_AUTOFILTER_RE = re.compile(rb"""<(?:\w+:)?autoFilter\b[^>]*?\sref\s*=\s*["']([^"']+)["']""")


def _filters(data: bytes, start: int) -> bool:
    """Whether the ``<autoFilter>`` tag whose attributes end near ``start``
    filters a column: only then are the hidden rows in its range filtered out
    (rows hidden by hand under filter buttons that filter nothing are just
    hidden, and SUBTOTAL 1–11 counts them, as Excel does)."""
    tag_end = data.find(b">", start)
    if tag_end < 0 or data[tag_end - 1 : tag_end] == b"/":
        return False
    close = data.find(b"autoFilter>", tag_end)
    return data.find(b"filterColumn", tag_end, close if close > 0 else len(data)) >= 0


def _read_hidden_rows(data: bytes, sheet: Sheet) -> None:
    """The rows the sheet hides, and which of them an AutoFilter hides."""
    if data.find(b"hidden") < 0:  # the common case, at the speed of a byte search
        return
    hidden = set()
    for m in _HIDDEN_ROW_RE.finditer(data):
        r = _ROW_NO_RE.search(m.group(0))
        if r is not None:
            hidden.add(int(r.group(1)))
    if not hidden:
        return
    sheet.hidden_rows = frozenset(hidden)
    f = _AUTOFILTER_RE.search(data)
    if f is not None and _filters(data, f.end()):
        try:
            (top, _), (bottom, _) = parse_range(f.group(1).decode("ascii", "replace"))
        except ValueError:
            return
        sheet.filtered_rows = frozenset(r for r in hidden if top < r <= bottom)


def _scan_sheet(data: bytes, rd: SheetReader, part: str) -> bool:
    """Read the cells of a well-formed worksheet: the plain value cells as
    typed columns (:func:`addin.xlsx.colscan.scan_columns`) and the others —
    formulas, rare shapes — one by one with regular expressions; or all one by
    one when the columns scanner does not read the sheet's shape.

    Returns ``False`` (having read nothing reliable) when the XML is not in the
    shape the scanner knows: a cell without ``r`` as its first attribute, single
    quotes, comments or CDATA in the sheet data. The caller then falls back to
    the element-by-element reader.
    """
    m = SHEETDATA_RE.search(data)
    if m is None or m.group(2):
        return True  # no cells
    prefix = (m.group(1) + b":") if m.group(1) else b""
    sc = SheetGrammar.get(prefix)
    start = m.end()
    end = data.find(sc.sheetdata_end, start)
    if end < 0:
        return False
    whole = whole_sheet_scanner()
    if whole:  # it sees every tag: refuses comments, CDATA, instructions and odd cell starts itself
        scan = scan_columns(data, start, end, prefix, rd.strings, rd.formula_values)
        if scan is not None and _read_rest(data, rd, part, sc, scan, start, end):
            return True
    if data.find(b"<!--", start, end) >= 0 or data.find(b"<![CDATA[", start, end) >= 0:
        return False
    expected = data.count(sc.start, start, end)
    if sc.odd_start.search(data, start, end) is not None:
        expected += sum(data.count(s, start, end) for s in sc.odd_starts)
    elif not whole and data.find(b"<?", start, end) < 0:
        scan = scan_columns(data, start, end, prefix, rd.strings, rd.formula_values)
        if (
            scan is not None
            and len(scan.keys) == expected
            and _read_rest(data, rd, part, sc, scan, start, end)
        ):
            return True
    return _scan_cells(data, rd, part, sc, None, start, end, expected)


def _read_rest(
    data: bytes, rd: SheetReader, part: str, sc: SheetGrammar, scan: ColumnScan, start: int, end: int
) -> bool:
    """Read the cells the column scanner handed back one by one and take its
    columns; ``False``, with nothing kept, when one of them is not in the
    shape the one-by-one scanner reads."""
    if _scan_cells(data, rd, part, sc, scan.rest, start, end):
        _take_columns(rd, scan)
        return True
    rd.sheet.values.clear()
    rd.sheet.formulas.clear()
    rd.shared.clear()
    rd.pending.clear()
    rd.repairs.clear()
    return False


def _take_columns(rd: SheetReader, scan: ColumnScan) -> None:
    """Put what the column scanner read into the sheet beside the cells read
    one by one: the value columns, and the formulas written as their own
    text (the formulas kept in the file's order)."""
    sheet = rd.sheet
    cells = sheet.values
    assert isinstance(cells, dict)  # the reader's own, filled one by one
    sheet.values = CellValues(scan.columns, cells)
    last_row, last_col = scan.columns.extent()
    if scan.formulas:
        if sheet.formulas:  # beside formulas read one by one
            for coord, f in scan.formulas.items():
                sheet.formulas[coord] = f
        else:
            sheet.formulas = scan.formulas
        last_row = max(last_row, scan.formula_extent[0])
        last_col = max(last_col, scan.formula_extent[1])
    sheet.max_row = max(sheet.max_row, last_row)
    sheet.max_col = max(sheet.max_col, last_col)


def _scan_cells(
    data: bytes,
    rd: SheetReader,
    part: str,
    sc: SheetGrammar,
    only: list[int] | None,
    start: int,
    end: int,
    expected: int = -1,
) -> bool:
    """Read the cells of the sheet data ``data[start:end]`` one by one — all of
    them, or ``only`` those starting at these offsets — into ``rd``; ``False``
    when a cell is not in a shape the scanner knows (or, reading all, when
    fewer cells matched than the ``expected`` cell tags)."""
    prefix = sc.prefix
    sheet = rd.sheet
    values = sheet.values
    formulas = sheet.formulas
    strings = rd.strings
    n_strings = len(strings)
    date1904 = rd.date1904
    inner_re = sc.inner
    columns = COLUMNS
    shared = rd.shared
    shared_formula = Formula.shared
    formula_values = rd.formula_values
    texts: dict[bytes, str] = {}
    max_row = max_col = 0
    seen = 0
    last_digits, last_row = b"", 0
    for cells in _cell_batches(data, sc, only, start, end):
        if cells is None:
            return False  # a cell the pattern does not read
        seen += len(cells)
        for (
            letters,
            digits,
            attrs,
            closed,
            v_plain,
            child_si,
            child_v,
            inline,
            f_plain,
            f_v,
            inner,
        ) in cells:
            if closed:
                continue  # a styled blank
            col = columns.get(letters)
            if col is None:
                col = column(letters)
            if digits != last_digits:  # one int per row, shared by its cells' keys
                last_digits, last_row = digits, int(digits)
            row = last_row
            if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
                raise _bad_cell(part, letters.decode() + digits.decode())
            coord = (row, col)
            v_raw: bytes | None
            if v_plain:
                if not attrs or b"t=" not in attrs:
                    try:
                        x = float(v_plain)
                    except ValueError:
                        raise _bad_value(part, coord, v_plain) from None
                    if x - x or b"_" in v_plain:  # NaN, ±inf, 1_000: Python's syntax, not Excel's
                        raise _bad_value(part, coord, v_plain)
                    values[coord] = x
                    if row > max_row:
                        max_row = row
                    if col > max_col:
                        max_col = col
                    continue
                if attrs.endswith(b' t="s"') and b"t=" not in attrs[:-5]:
                    # a shared string, the commonest text cell in files Excel saves
                    index = int(v_plain) if v_plain.isdigit() else -1
                    if not 0 <= index < n_strings:
                        raise _bad_value(part, coord, v_plain)
                    values[coord] = strings[index]
                    if row > max_row:
                        max_row = row
                    if col > max_col:
                        max_col = col
                    continue
                v_raw, v_present, is_raw = v_plain, True, None
            elif child_si:
                group = shared.get(child_si.decode())
                if group is None:
                    rd.pending.append((coord, child_si.decode()))
                else:
                    formulas[coord] = shared_formula(group, coord)
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
                if not child_v or (not formula_values and group is not None):
                    continue
                if not attrs or b"t=" not in attrs:
                    try:
                        x = float(child_v)
                    except ValueError:
                        raise _bad_value(part, coord, child_v) from None
                    if x - x or b"_" in child_v:  # NaN, ±inf, 1_000: Python's syntax, not Excel's
                        raise _bad_value(part, coord, child_v)
                    values[coord] = x
                    continue
                v_raw, v_present, is_raw = child_v, True, None
            elif f_plain:
                # a formula filled down as its own text (no attributes) with a value
                text = (
                    xml_text(f_plain) if b"&" in f_plain or b"\r" in f_plain else f_plain.decode()
                )
                is_formula = bool(text.strip())
                if is_formula:
                    formulas[coord] = Formula(text)
                else:
                    _drop_empty_formula(rd, coord, {}, text)
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
                if is_formula and not formula_values:
                    continue
                if not attrs or b"t=" not in attrs:
                    try:
                        x = float(f_v)
                    except ValueError:
                        raise _bad_value(part, coord, f_v) from None
                    if x - x or b"_" in f_v:  # NaN, ±inf, 1_000: Python's syntax, not Excel's
                        raise _bad_value(part, coord, f_v)
                    values[coord] = x
                    continue
                v_raw, v_present, is_raw = f_v, True, None
            elif inline and b'"inlineStr"' in attrs:
                # one str per distinct text (key columns repeat theirs): less
                # memory, and later lookups meet the same object
                text = texts.get(inline)
                if text is None:
                    text = texts[inline] = inline.decode("utf-8")
                values[coord] = text
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
                continue
            else:
                if not inner:
                    if inline:  # <is><t>…</t></is> on a cell whose type is not inlineStr
                        inner = _cells_inner(prefix, inline)
                    else:
                        continue  # <c ...></c>
                im = inner_re.fullmatch(inner)
                if im is None:  # not the schema's content: the general reader names the cell
                    return False
                fattrs, ftext, v_el, v_raw, is_raw = im.groups()
                v_present = v_el is not None
                if fattrs is not None or ftext is not None:
                    fa = {k.decode(): xml_text(q[1:-1]) for _s, k, q in attributes(fattrs or b"")}
                    cell_meta = None
                    if b"cm=" in attrs:
                        cell_meta = attribute(attributes(attrs), b"cm") or None
                    _add_formula(rd, coord, fa, xml_text(ftext) if ftext else "", cell_meta)
                    if row > max_row:
                        max_row = row
                    if col > max_col:
                        max_col = col
                    if not formula_values and coord in formulas:
                        continue
                if not v_present and is_raw is None:
                    continue
            t: str | None = None
            if b"t=" in attrs:
                t = attribute(attributes(attrs), b"t") or None
            value: CellValue
            if t is None and v_raw:
                try:
                    value = excel_number(v_raw)
                except ValueError:
                    raise _bad_value(part, coord, v_raw) from None
            elif t == "s" and v_raw:
                index = int(v_raw) if v_raw.strip().isdigit() else -1
                if not 0 <= index < n_strings:
                    raise _bad_value(part, coord, v_raw)
                value = strings[index]
            elif t == "inlineStr" and is_raw is not None:
                value = sc.inline_text(is_raw)
                if value is None:
                    return False
            else:
                text = xml_text(v_raw or b"") if v_present else None
                value = _cell_value(t, text, None, strings, n_strings, date1904, part, coord)
            if value is not None:
                values[coord] = value
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
    if only is None and seen != expected:
        return False
    sheet.max_row = max(sheet.max_row, max_row)
    sheet.max_col = max(sheet.max_col, max_col)
    return True


def _cell_batches(
    data: bytes, sc: SheetGrammar, only: list[int] | None, start: int, end: int
) -> Iterator[list[Any] | None]:
    """The scanner's cell tuples in batches: ``findall`` over slices of whole
    rows (C-speed matching, bounded memory), or the cells at the offsets
    ``only`` (``None`` for one the pattern does not match)."""
    if only is not None:
        # in batches too: a million formula cells as one list of match tuples
        # was a quarter of a gigabyte held at once
        match = sc.scan_cell.match
        for first in range(0, len(only), _ONLY_BATCH):
            batch = []
            for offset in only[first : first + _ONLY_BATCH]:
                m = match(data, offset, end)
                if m is None:
                    yield None
                    return
                batch.append(m.groups())
            yield batch
        return
    pos = start
    while pos < end:
        stop = data.find(sc.row_end, min(pos + _SCAN_SLICE, end), end)
        stop = end if stop < 0 else stop + len(sc.row_end)
        yield sc.scan_cell.findall(data, pos, stop)
        pos = stop


def excel_number(raw: str | bytes) -> float:
    """A cell's ``<v>`` as a number, in the syntax of XML Schema's ``xs:double``
    that Excel writes — not Python's: ``1_000`` is not a number there, and
    NaN and ±infinity are not values a cell can hold (ValueError for all three).

    >>> excel_number(b" 1.5E3 "), excel_number("-0.25")
    (1500.0, -0.25)
    >>> for bad in ("1_000", "nan", "inf", b"-Infinity"):
    ...     try:
    ...         excel_number(bad)
    ...     except ValueError:
    ...         print("refused", bad)
    refused 1_000
    refused nan
    refused inf
    refused b'-Infinity'
    """
    x = float(raw)
    if x - x or ("_" in raw if isinstance(raw, str) else b"_" in raw):
        raise ValueError(f"not a number Excel can hold: {raw[:40]!r}")
    return x


def _cells_inner(prefix: bytes, text: bytes) -> bytes:
    """The ``<is>`` content the cell pattern captured as text, rebuilt for the
    general path."""
    return (
        b"<" + prefix + b"is><" + prefix + b"t>" + text + b"</" + prefix + b"t></" + prefix + b"is>"
    )


def _bad_value(part: str, coord: Coord, raw: bytes) -> UnreadableWorkbookError:
    return unreadable(
        f"部件 {part} 单元格 {to_a1(*coord)} 的值 {raw[:40]!r} 无效",
        f"part {part} cell {to_a1(*coord)} has an invalid value {raw[:40]!r}",
    )


def _bad_content(part: str, coord: Coord, element: str | None) -> UnreadableWorkbookError:
    """A cell whose content the schema does not allow (CT_Cell: ``f``, ``v``,
    ``is``, ``extLst``, each at most once, and no text; ``element`` the one out
    of place, ``None`` for text): each reader would take a different part of
    it, so none is taken."""
    zh, en = ("文字", "text") if element is None else (f"<{element}>", f"<{element}>")
    return unreadable(
        f"部件 {part} 单元格 {to_a1(*coord)} 的内容不合规范：{zh} 不应出现在此处或重复出现",
        f"part {part} cell {to_a1(*coord)}: content the schema does not allow ({en} out of place or repeated)",
    )


def _bad_cell(part: str, ref: str) -> UnreadableWorkbookError:
    return unreadable(
        f"部件 {part} 中的单元格地址 {ref!r} 无效",
        f"part {part} has an invalid cell address {ref!r}",
    )


def _read_formula(
    rd: SheetReader, coord: Coord, c: etree._Element, f_el: etree._Element, part: str
) -> None:
    _add_formula(rd, coord, f_el.attrib, f_el.text or "", c.get("cm"))


#: the formula types of the schema (ST_CellFormulaType), ``None`` for none given
#: (``normal``): any other ``t`` would be read as one of them by guess
FORMULA_TYPES = frozenset({None, "normal", "shared", "array", "dataTable"})


def _add_formula(
    rd: SheetReader, coord: Coord, fattrs: Mapping[str, str], text: str, cm: str | None
) -> None:
    """Record the formula of cell ``coord`` (``fattrs``: the ``<f>`` attributes)."""
    ftype = fattrs.get("t")
    if ftype not in FORMULA_TYPES:
        raise _bad_attribute(rd.part, f"{to_a1(*coord)} <f t>", (ftype or "").encode())
    formulas = rd.sheet.formulas
    if ftype == "shared":
        si = fattrs.get("si") or ""
        if text:
            # the master cell: its text is the group's template
            master = rd.shared[si] = SharedGroup.of(coord, si, fattrs.get("ref"), text)
            formulas[coord] = Formula.shared(master, coord, text)
        else:
            group = rd.shared.get(si)
            if group is None:
                rd.pending.append((coord, si))
            else:
                formulas[coord] = Formula.shared(group, coord)
    elif ftype == "array":
        dynamic = cm is not None and cm in rd.dynamic_cm
        ref = _array_ref(fattrs.get("ref"), coord, rd.part)
        formulas[coord] = Formula(text, "dynamic" if dynamic else "array", ref)
    elif ftype == "dataTable":
        # a what-if data table, as Excel shows it: {=TABLE(row_input, column_input)}, the
        # unused input of a one-variable table left empty (dtr="1": r1 is the row input)
        r1, r2 = fattrs.get("r1") or "", fattrs.get("r2") or ""
        if fattrs.get("dt2D") in ("1", "true"):
            args = f"{r1},{r2}"
        else:
            args = f"{r1}," if fattrs.get("dtr") in ("1", "true") else f",{r1}"
        ref = _array_ref(fattrs.get("ref"), coord, rd.part)
        formulas[coord] = Formula(f"TABLE({args})", "array", ref)
    elif text.strip():
        formulas[coord] = Formula(text)
    else:
        _drop_empty_formula(rd, coord, fattrs, text)


def _drop_empty_formula(rd: SheetReader, coord: Coord, fattrs: Mapping[str, str], text: str) -> None:
    """A normal formula without text is no formula: the cell holds its cached value.

    An empty ``<f ca="1"/>`` is what Excel itself writes into the spill cells of
    a volatile dynamic array, and is read so without a word. A formula whose
    text is only whitespace (``<f> </f>``), or an empty one carrying a shared
    or array formula's ``si``/``ref`` without its ``t`` (``<f si="0"/>``), is
    damage: Excel repairs the file on opening by dropping the formula and
    keeping the value, and the same repair is said here
    (:attr:`SheetReader.repairs`).
    """
    if text:
        zh, en = "公式 <f> 只有空白", "the formula <f> holds only whitespace"
    elif "si" in fattrs or "ref" in fattrs:
        attr = "si" if "si" in fattrs else "ref"
        zh = f"公式 <f {attr}=…> 没有文字，又没有 t 说明它是共享或数组公式"
        en = f"the formula <f {attr}=…> has no text and no t making it a shared or array formula"
    else:
        return
    rd.repairs.append(
        Repair(
            rd.sheet.name,
            to_a1(*coord),
            f"{zh}：已照 Excel 的修复删去公式，保留缓存的值（部件 {rd.part}） / "
            f"{en}: repaired as Excel repairs it, the formula dropped and the cached value "
            f"kept (part {rd.part})",
        )
    )


#: the most cells an array formula's range (``<f t="array" ref>``) may cover:
#: each is a computed value held in memory (about 100 bytes), so a range of
#: 17 billion cells (``C1:XFD1048576``) in a 1 KB file is refused naming its
#: cell instead of exhausting memory. Excel's own spilled ranges in real
#: workbooks are far smaller.
MAX_ARRAY_CELLS = 2_000_000


def _array_ref(ref: str | None, coord: Coord, part: str) -> str:
    """The checked range of an array formula at ``coord``: a valid A1 range
    that starts at its cell and covers at most :data:`MAX_ARRAY_CELLS`."""
    if not ref:
        return to_a1(*coord)
    try:
        first, last = parse_range(ref.replace("$", ""))
    except ValueError:
        first = last = (0, 0)
    if first != coord or last[0] < first[0] or last[1] < first[1]:
        raise unreadable(
            f"部件 {part} 单元格 {to_a1(*coord)} 的数组公式区域 ref={ref[:40]!r} 无效",
            f"part {part} cell {to_a1(*coord)}: the array formula's ref={ref[:40]!r} is not "
            "a range starting at that cell",
        )
    cells = (last[0] - first[0] + 1) * (last[1] - first[1] + 1)
    if cells > MAX_ARRAY_CELLS:
        raise unreadable(
            f"部件 {part} 单元格 {to_a1(*coord)} 的数组公式区域 {ref} 有 {cells:,} 个单元格，"
            f"超过上限 {MAX_ARRAY_CELLS:,}",
            f"part {part} cell {to_a1(*coord)}: the array formula's range {ref} covers "
            f"{cells:,} cells, more than the limit of {MAX_ARRAY_CELLS:,}",
        )
    return ref


def _cell_value(
    t: str | None,
    v: str | None,
    is_el: etree._Element | None,
    strings: list[str],
    n_strings: int,
    date1904: bool,
    part: str,
    coord: Coord,
) -> CellValue:
    try:
        if t is None or t == "n":
            if not v:
                return None
            return excel_number(v)
        if t == "s":
            if v is None or v == "":
                return None
            i = int(v)
            if not 0 <= i < n_strings:
                raise ValueError(f"shared string {i} out of range")
            return strings[i]
        if t == "str":
            return decode_xstring(v or "")
        if t == "inlineStr":
            if is_el is not None:
                return rich_text(is_el)
            return decode_xstring(v or "")
        if t == "b":
            return (v or "").strip() in ("1", "true")
        if t == "e":
            err = parse_error((v or "").strip())
            return err if err is not None else ExcelError("#VALUE!")
        if t == "d":
            return _iso_to_serial(v or "", date1904) if v else None
    except ValueError as exc:
        raise unreadable(
            f"部件 {part} 单元格 {to_a1(*coord)} 的值无效（{exc}）",
            f"part {part} cell {to_a1(*coord)} has an invalid value ({exc})",
        ) from None
    raise unreadable(
        f"部件 {part} 单元格 {to_a1(*coord)} 的类型 {t!r} 未知",
        f"part {part} cell {to_a1(*coord)} has an unknown type {t!r}",
    )
