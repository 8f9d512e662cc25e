"""The whole-sheet scanner: a worksheet's plain value cells decoded into typed
columns with numpy over the sheet's bytes — no Python object per cell.

Measured on this machine (2 cores, shared): a compiled regular expression
costs about 1.5 µs a cell (one match object or tuple each) and lxml's
``iterparse`` more; numpy comparisons over the bytes find every cell tag,
``t`` attribute and ``<v>`` at a few nanoseconds a byte, and the numbers and
string indices are parsed by numpy's own bytes-to-number casts. So the cells
are located and decoded as arrays:

1. every ``<c r="…"`` start (the address first, as every writer puts it),
   its tag's end, and whether it closes at once (``/>``);
2. the address letters and digits from a fixed window after ``r="``;
3. the ``t`` attribute inside the tag;
4. the content: ``<v>text</v>``, ``<is><t>text</t></is>`` or empty is decoded
   here; anything else (a formula, rich text, ``<v>`` with attributes) is
   handed back as a cell for the reader's one-cell-at-a-time path.

Whenever the sheet is not in that shape — a cell without ``r`` first, cells
out of order or repeated, a number the file's syntax does not allow, a value
too long for the window — :func:`scan_columns` returns ``None`` and the reader
uses its general scanner, which decides (and names the cell when refusing).
So this path changes nothing a file means; it only reads the common shapes
faster.

The same scan is compiled (``_cellscan.c``, built by ``pip install``): one pass
over the bytes in C, the same shapes taken, the same cells handed back, the same
refusals. :func:`scan_columns` uses it when it was built and these numpy passes
otherwise; the tests run both against the one-by-one reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
from lxml import etree
from numpy.lib.stride_tricks import sliding_window_view

from addin import native
from addin.xlsx.a1 import MAX_COL, MAX_ROW
from addin.xlsx.columns import INLINE, NUMBER, SHARED, SheetColumns
from addin.xlsx.model import Formula, SheetFormulas
from addin.xlsx.sheetxml import decode_xstring, xml_text

#: the compiled scanner, or ``None`` (not built, or built for another interface):
#: the numpy passes then read the same cells
_cellscan: ModuleType | None = native.load("addin.xlsx._cellscan", 2)

__all__ = ["ColumnScan", "markup_facts", "scan_columns", "whole_sheet_scanner"]

#: rows of sheet bytes decoded at once (bounded memory: a few arrays of this size)
CHUNK = 1 << 25
#: formula texts decoded in one XML parse at a time
DECODE_BATCH = 8192
#: the longest ``<v>`` text decoded as an array (longer ones go one by one)
VALUE_WIDTH = 32
#: the longest inline string decoded as an array
INLINE_WIDTH = 96


@dataclass
class ColumnScan:
    """What :func:`scan_columns` found: the value ``columns`` and the byte
    offsets of the cells left for the one-by-one path (``rest``)."""

    columns: SheetColumns
    rest: list[int]
    #: every cell's (row, col) key as ``row * 2**14 + col`` in file order,
    #: value cells and the rest alike (the reader checks the order with it)
    keys: np.ndarray
    #: the formulas written as their own text (``<f>text</f>``), decoded
    #: (filled-down columns kept as runs)
    formulas: SheetFormulas
    #: the last row and column of those formulas (0, 0 when none)
    formula_extent: tuple[int, int] = (0, 0)


def _find(b: np.ndarray, needle: bytes) -> np.ndarray:
    """Offsets in ``b`` where ``needle`` starts (never in the padding)."""
    n = len(needle)
    if len(b) < n:
        return np.empty(0, dtype=np.int64)
    hit = b[: len(b) - n + 1] == needle[0]
    for i in range(1, n):
        hit &= b[i : len(b) - n + 1 + i] == needle[i]
    return np.flatnonzero(hit)


#: zero bytes after a chunk, so that every window fits
PAD = 128


def _window(b: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """``width`` bytes from each of ``starts`` (``b`` ends in :data:`PAD` zeros):
    rows of a sliding view taken at once, a contiguous copy per row."""
    return sliding_window_view(b, width)[starts]


def _strings(b: np.ndarray, start: np.ndarray, stop: np.ndarray, width: int) -> np.ndarray:
    """The byte strings ``b[start:stop]`` as one fixed-width ``S`` array."""
    w = _window(b, start, width)
    w[np.arange(width) >= (stop - start)[:, None]] = 0
    return np.ascontiguousarray(w).view(f"S{width}").ravel()


def whole_sheet_scanner() -> bool:
    """Whether :func:`scan_columns` is the compiled scanner, which walks every
    tag of the sheet data: it refuses (``None``) a comment, CDATA, processing
    instruction or a cell start tag it does not read, and its keys count every
    cell, so the reader needs no passes of its own to find those."""
    return _cellscan is not None


def markup_facts(data: bytes, n_styles: int) -> tuple[int, int, int, int, int] | None:
    """What the sheet-markup check's regular expressions look for, found by the
    compiled scanner in one pass over the part's spaces: the offsets of the
    first ``<row r="`` value, ``spans`` value and cell ``s`` value the check
    refuses (-1 when none) and the counts of ``row `` and ``row r="``; ``None``
    when the scanner was not built (the check searches with its expressions)."""
    if _cellscan is None:
        return None
    facts: tuple[int, int, int, int, int] = _cellscan.markup(data, str(n_styles).encode())
    return facts


def scan_columns(
    data: bytes,
    start: int,
    end: int,
    prefix: bytes,
    shared: list[str],
    formula_values: bool = True,
) -> ColumnScan | None:
    """The value cells of the sheet data in ``data[start:end]`` (elements with
    namespace ``prefix``) as columns, and the formulas written as their own
    text; ``None`` when the sheet is not in the shape this scanner reads (see
    the module docstring). With ``formula_values=False`` the values cached in
    formula cells are left out, as the reader's option says."""
    if _cellscan is not None:
        return _scan_compiled(data, start, end, prefix, shared, formula_values)
    return scan_columns_numpy(data, start, end, prefix, shared, formula_values)


def _scan_compiled(
    data: bytes, start: int, end: int, prefix: bytes, shared: list[str], formula_values: bool
) -> ColumnScan | None:
    """:func:`scan_columns` by the compiled scanner."""
    assert _cellscan is not None
    got = _cellscan.scan(data, start, end, prefix, len(shared), formula_values)
    if got is None:
        return None
    keys_b, rows_b, cols_b, kinds_b, numbers_b, texts_b, rest_b, inline_b, forms_b = got
    keys = np.frombuffer(keys_b, dtype=np.int64)
    texts = np.frombuffer(texts_b, dtype=np.int32)
    keep: np.ndarray | None = None  # the value cells kept (formulas handed back lose theirs)
    rest = np.frombuffer(rest_b, dtype=np.int64).tolist()
    inline: list[str] = []
    spans = np.frombuffer(inline_b, dtype=np.int64).reshape(-1, 3)
    if len(spans):
        index: dict[bytes, int] = {}
        ids = [
            index.setdefault(data[a : a + n], len(index))
            for a, n in zip(spans[:, 1].tolist(), spans[:, 2].tolist(), strict=True)
        ]
        texts[spans[:, 0]] = ids
        inline = [decode_xstring(xml_text(raw)) for raw in index]
    formulas = SheetFormulas()
    extent = (0, 0)
    forms = np.frombuffer(forms_b, dtype=np.int64).reshape(-1, 6)
    if len(forms):
        # decoded and kept a slice at a time: the parse tree of 100,000s of texts
        # is never whole, and a column filled down becomes a run as it is read
        # (no text, key or Formula kept per cell of a run)
        real = np.ones(len(forms), dtype=bool)  # "<f> </f>" is no formula
        for at in range(0, len(forms), DECODE_BATCH):
            batch = forms[at : at + DECODE_BATCH]
            got_texts = _decode([data[a : a + n] for a, n in batch[:, 2:4].tolist()])
            if got_texts is None:
                real[at : at + len(batch)] = False
                continue
            blank = [i for i, text in enumerate(got_texts) if not text.strip()]
            if blank:
                real[at + np.array(blank)] = False
                got_texts = [t for t in got_texts if t.strip()]
            ok = real[at : at + len(batch)]
            formulas.add_texts(batch[ok, 0].tolist(), batch[ok, 1].tolist(), got_texts)
        if not real.all():  # handed back whole, value and all
            rest = sorted(rest + forms[~real, 5].tolist())
            slots = forms[~real, 4]
            keep = np.ones(len(texts), dtype=bool)
            keep[slots[slots >= 0]] = False
        if real.any():
            extent = (int(forms[real, 0].max()), int(forms[real, 1].max()))
    arrays: list[np.ndarray] = [
        np.frombuffer(rows_b, dtype=np.int32),
        np.frombuffer(cols_b, dtype=np.int32),
        np.frombuffer(kinds_b, dtype=np.uint8),
        np.frombuffer(numbers_b, dtype=np.float64),
        texts,
    ]
    if keep is not None:
        arrays = [a[keep] for a in arrays]
    rows, cols, kinds, numbers, texts = arrays
    columns = SheetColumns(rows, cols, kinds, numbers, texts, shared, inline)
    return ColumnScan(columns, rest, keys, formulas, extent)


def scan_columns_numpy(
    data: bytes,
    start: int,
    end: int,
    prefix: bytes,
    shared: list[str],
    formula_values: bool = True,
) -> ColumnScan | None:
    """:func:`scan_columns` by numpy passes over the bytes (the compiled
    scanner's stand-in where it was not built)."""
    parts: list[tuple[np.ndarray, ...]] = []
    formulas: list[tuple[tuple[int, int], str]] = []
    rest: list[int] = []
    keys: list[np.ndarray] = []
    inline_index: dict[bytes, int] = {}
    row_end = b"</" + prefix + b"row>"
    pos = start
    while pos < end:
        stop = data.find(row_end, min(pos + CHUNK, end), end)
        stop = end if stop < 0 else stop + len(row_end)
        got = _scan_chunk(data, pos, stop, prefix, len(shared), inline_index, formula_values)
        if got is None:
            return None
        part, chunk_rest, chunk_keys, chunk_formulas = got
        formulas.extend(chunk_formulas)
        parts.append(part)
        rest.extend(chunk_rest)
        keys.append(chunk_keys)
        pos = stop
    all_keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    if len(all_keys) > 1 and not bool(np.all(all_keys[1:] > all_keys[:-1])):
        return None  # cells out of order or repeated: the general reader decides
    if parts:
        rows, cols, kinds, numbers, texts = (np.concatenate(p) for p in zip(*parts, strict=True))
    else:
        rows = cols = texts = np.empty(0, dtype=np.int32)
        kinds, numbers = np.empty(0, dtype=np.uint8), np.empty(0)
    inline = [""] * len(inline_index)
    for raw, i in inline_index.items():
        inline[i] = decode_xstring(xml_text(raw))
    columns = SheetColumns(rows, cols, kinds, numbers, texts, shared, inline)
    extent = (0, 0)
    if formulas:
        extent = (max(r for (r, _c), _t in formulas[-1:]), max(c for (_r, c), _t in formulas))
    kept = SheetFormulas((coord, Formula(text)) for coord, text in formulas)
    return ColumnScan(columns, rest, all_keys, kept, extent)


def _scan_chunk(
    data: bytes,
    lo: int,
    hi: int,
    prefix: bytes,
    n_shared: int,
    inline_index: dict[bytes, int],
    formula_values: bool,
) -> tuple[tuple[np.ndarray, ...], list[int], np.ndarray, list[tuple[tuple[int, int], str]]] | None:
    """:func:`scan_columns` on whole rows ``data[lo:hi]``."""
    b = np.zeros(hi - lo + PAD, dtype=np.uint8)
    b[: hi - lo] = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    cell = b"<" + prefix + b"c "
    lt = np.flatnonzero(b == ord("<"))  # where every tag starts: the cells are among them
    starts = lt
    for i, ch in enumerate(cell[1:], 1):
        starts = starts[b[starts + i] == ch]
    n = len(starts)
    empty = np.empty(0, dtype=np.int64)
    if not n:
        return (empty, empty, empty, np.empty(0), empty), [], empty, []
    # 1. the address: r="LETTERS DIGITS" right after "<c "
    at = starts + len(cell)
    head = _window(b, at, 14)
    if not bool(np.all((head[:, 0] == ord("r")) & (head[:, 1] == ord("=")) & (head[:, 2] == 34))):
        return None
    addr = head[:, 3:]
    upper = (addr >= 65) & (addr <= 90)
    n_letters = np.argmin(upper, axis=1)
    digit = (addr >= 48) & (addr <= 57)
    j = np.arange(addr.shape[1])
    is_letter = j < n_letters[:, None]
    after = ~is_letter & np.logical_and.accumulate(digit | is_letter, axis=1)
    n_digits = after.sum(axis=1)
    quote = addr[np.arange(n), np.minimum(n_letters + n_digits, addr.shape[1] - 1)]
    if not bool(
        np.all((n_letters >= 1) & (n_letters <= 3) & (n_digits >= 1) & (n_digits <= 7) & (quote == 34))
    ):
        return None
    a = addr[:, :3].astype(np.int64) - 64
    col = np.where(
        n_letters == 1, a[:, 0], np.where(n_letters == 2, a[:, 0] * 26 + a[:, 1], (a[:, 0] * 26 + a[:, 1]) * 26 + a[:, 2])
    )
    digits = np.take_along_axis(addr, n_letters[:, None] + np.arange(7), axis=1).astype(np.int64) - 48
    power = n_digits[:, None] - 1 - np.arange(7)
    row = (digits * np.where(power >= 0, 10 ** np.maximum(power, 0), 0)).sum(axis=1)
    if not bool(np.all((row >= 1) & (row <= MAX_ROW) & (col >= 1) & (col <= MAX_COL))):
        return None  # the general scanner names the cell
    keys = row * (1 << 14) + col
    # 2. the tag's end, just before the next tag (whitespace between tags, or
    # ">" inside an attribute's value: the general scanner), and whether it closes at once
    following = np.searchsorted(lt, at)
    if not bool(np.all(following < len(lt))):
        return None
    tag_end = lt[following] - 1
    if not bool(np.all(b[tag_end] == ord(">"))):
        return None
    closed = b[tag_end - 1] == ord("/")
    # 3. the type: ' t="…"' inside the tag
    t_at = np.flatnonzero((b[1:-3] == ord("t")) & (b[2:-2] == ord("="))) + 1
    t_at = t_at[(b[t_at - 1] == ord(" ")) & (b[t_at + 2] == 34)] - 1
    owner = np.searchsorted(starts, t_at, side="right") - 1
    inside = (owner >= 0) & (t_at < tag_end[np.maximum(owner, 0)])
    t_at, owner = t_at[inside], owner[inside]
    if len(owner) > 1 and not bool(np.all(owner[1:] > owner[:-1])):
        return None  # two t attributes in one tag
    tcode = np.zeros(n, dtype=np.uint8)  # 0: none or "n", 1: "s", 2: "inlineStr", 3: other
    tw = _window(b, t_at + 4, 10)
    is_n = (tw[:, 0] == ord("n")) & (tw[:, 1] == 34)
    is_s = (tw[:, 0] == ord("s")) & (tw[:, 1] == 34)
    is_inline = np.all(tw[:, :10] == np.frombuffer(b'inlineStr"', dtype=np.uint8), axis=1)
    tcode[owner] = np.where(is_n, 0, np.where(is_s, 1, np.where(is_inline, 2, 3)))
    # a tab or line end between the attributes (the ' t="' search would miss
    # one after it): the cell goes to the one-by-one path, as the compiled scanner has it
    spaces = np.flatnonzero((b == 9) | (b == 10) | (b == 13))
    owner = np.searchsorted(starts, spaces, side="right") - 1
    odd = np.zeros(n, dtype=bool)
    odd[owner[(owner >= 0) & (spaces < tag_end[np.maximum(owner, 0)])]] = True
    # the start tag really ends where the next tag begins: a '>' in an attribute's
    # value, or text with a '>' in the cell, hands the cell to the one-by-one path
    gt = np.flatnonzero(b == ord(">"))
    odd |= gt[np.minimum(np.searchsorted(gt, at), len(gt) - 1)] != tag_end
    # 4. the content
    body = tag_end + 1
    v_open = b"<" + prefix + b"v>"
    v_close = b"</" + prefix + b"v></" + prefix + b"c>"
    c_close = b"</" + prefix + b"c>"
    is_open = b"<" + prefix + b"is><" + prefix + b"t>"
    is_close = b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>"
    lead = _window(b, body, max(len(v_open), len(is_open), len(c_close)))

    def starts_with(token: bytes, window: np.ndarray | None = None) -> np.ndarray:
        t = np.frombuffer(token, dtype=np.uint8)
        w = lead if window is None else window
        return np.all(w[:, : len(t)] == t, axis=1)

    lt = np.flatnonzero(b == ord("<"))
    has_v = ~closed & starts_with(v_open)
    has_is = ~closed & starts_with(is_open)
    blank = closed | (~closed & starts_with(c_close))
    text_at = np.where(has_v, body + len(v_open), body + len(is_open))
    text_end = lt[np.minimum(np.searchsorted(lt, text_at), len(lt) - 1)]
    tail = _window(b, text_end, max(len(v_close), len(is_close)))
    v_ok = np.all(tail[:, : len(v_close)] == np.frombuffer(v_close, dtype=np.uint8), axis=1)
    is_ok = np.all(tail[:, : len(is_close)] == np.frombuffer(is_close, dtype=np.uint8), axis=1)
    length = text_end - text_at
    number = has_v & v_ok & (tcode == 0) & (length >= 1) & (length <= VALUE_WIDTH)
    # a shared string's index of at most 12 digits (a longer one: the one-by-one path names the cell)
    shared = has_v & v_ok & (tcode == 1) & (length >= 1) & (length <= min(VALUE_WIDTH, 12))
    inline = has_is & is_ok & (tcode == 2) & (length <= INLINE_WIDTH)
    # an empty <v></v> of a number or shared string is a blank, as the general reader has it
    blank |= has_v & v_ok & (length == 0) & (tcode <= 1)
    number, shared, inline, blank = number & ~odd, shared & ~odd, inline & ~odd, blank & ~odd
    # formulas written as their own text, then no value, an empty one or a number
    f_tag = b"<" + prefix + b"f"
    formula = ~closed & ~odd & (starts_with(f_tag + b">") | starts_with(f_tag + b" "))
    chunk_formulas: list[tuple[tuple[int, int], str]] = []
    if formula.any():
        fi = np.flatnonzero(formula)
        ok, f_text, f_text_end, value_at, value_end, empty_value = _formula_shapes(
            b, prefix, body[fi] + len(f_tag), lt
        )
        has_value = value_at >= 0
        if formula_values:  # the cached value kept: only numbers here
            ok &= ~has_value | ((tcode[fi] == 0) & (value_end - value_at <= VALUE_WIDTH))
            # an empty <v/> is a blank for a number or shared string, but the
            # empty text for t="str" (and an error for t="e"): the one-by-one path
            ok &= ~empty_value | (tcode[fi] <= 1)
        fi, f_text, f_text_end = fi[ok], f_text[ok], f_text_end[ok]
        value_at, value_end, has_value = value_at[ok], value_end[ok], has_value[ok]
        texts_ = _decode([data[lo + a : lo + e] for a, e in zip(f_text.tolist(), f_text_end.tolist(), strict=True)])
        if texts_ is None:
            fi = fi[:0]
        else:
            real = np.array([bool(t.strip()) for t in texts_], dtype=bool)  # "<f> </f>" is no formula
            fi, value_at, value_end, has_value = fi[real], value_at[real], value_end[real], has_value[real]
            coords = zip(row[fi].tolist(), col[fi].tolist(), strict=True)
            kept = (t for t, r in zip(texts_, real.tolist(), strict=True) if r)
            chunk_formulas = list(zip(coords, kept, strict=True))
        formula[:] = False
        formula[fi] = True
        if formula_values:
            with_value = fi[has_value & (value_end > value_at)]
            text_at[with_value] = value_at[has_value & (value_end > value_at)]
            text_end[with_value] = value_end[has_value & (value_end > value_at)]
            number[with_value] = True
    done = number | shared | inline | blank | formula
    rest = (starts[~done] + lo).tolist()

    kinds = np.full(n, NUMBER, dtype=np.uint8)
    numbers = np.zeros(n)
    texts = np.full(n, -1, dtype=np.int32)
    if number.any():
        raw = _strings(b, text_at[number], text_end[number], VALUE_WIDTH)
        try:
            x = raw.astype(np.float64)
        except ValueError:
            return None  # not a number: the general scanner names the cell
        if not bool(np.all(np.isfinite(x))):
            return None  # NaN and ±infinity are no values a cell holds
        if np.char.find(raw, b"_").max(initial=-1) >= 0:
            return None  # 1_000 is Python's syntax, not the file's
        numbers[number] = x
    if shared.any():
        raw = _strings(b, text_at[shared], text_end[shared], VALUE_WIDTH)
        if not bool(np.all(np.char.isdigit(raw))):
            return None  # " 2 ": the cell scanner decides
        index = raw.astype(np.int64)
        if not bool(np.all((index >= 0) & (index < n_shared))):
            return None
        kinds[shared] = SHARED
        texts[shared] = index
    if inline.any():
        raw = _strings(b, text_at[inline], text_end[inline], INLINE_WIDTH)
        distinct, back = np.unique(raw, return_inverse=True)
        ids = np.array(
            [inline_index.setdefault(bytes(t), len(inline_index)) for t in distinct.tolist()],
            dtype=np.int32,
        )
        kinds[inline] = INLINE
        texts[inline] = ids[back.ravel()]
    value = number | shared | inline
    part = (
        row[value].astype(np.int32),
        col[value].astype(np.int32),
        kinds[value],
        numbers[value],
        texts[value],
    )
    return part, rest, keys, chunk_formulas


#: the ``<f>`` attributes read as a plain formula: none, or ones that change
#: nothing the reader takes (LibreOffice's ``aca``, Excel's volatile ``ca``)
PLAIN_FORMULA_ATTRIBUTES = (b"", b' aca="false"', b' aca="true"', b' ca="1"', b' ca="true"')


def _formula_shapes(
    b: np.ndarray, prefix: bytes, attr_at: np.ndarray, lt: np.ndarray
) -> tuple[np.ndarray, ...]:
    """For cells whose content starts ``<f`` (attributes from ``attr_at``):
    whether it is ``<f>text</f>`` followed by ``</c>``, an empty ``<v>`` or
    ``<v>value</v></c>``; the text's span, the value's (``-1`` when none) and
    whether the value is an empty ``<v>``."""
    ok = np.zeros(len(attr_at), dtype=bool)
    f_end = np.zeros(len(attr_at), dtype=attr_at.dtype)
    width = max(len(a) for a in PLAIN_FORMULA_ATTRIBUTES) + 1
    attrs = _window(b, attr_at, width)
    for plain in PLAIN_FORMULA_ATTRIBUTES:
        token = np.frombuffer(plain + b">", dtype=np.uint8)
        match = np.all(attrs[:, : len(token)] == token, axis=1)
        ok |= match
        f_end = np.where(match, attr_at + len(plain), f_end)
    text_at = f_end + 1
    text_end = lt[np.minimum(np.searchsorted(lt, text_at), len(lt) - 1)]
    ok &= text_end > text_at
    f_close = b"</" + prefix + b"f>"
    c_close = b"</" + prefix + b"c>"
    v_open, v_close = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
    shapes = [c_close, v_open + v_close + c_close, b"<" + prefix + b"v/>" + c_close]
    width = max(len(f_close) + max(len(s) for s in shapes), len(f_close) + len(v_open))
    after = _window(b, text_end, width)

    def at(offset: int, token: bytes) -> np.ndarray:
        t = np.frombuffer(token, dtype=np.uint8)
        return np.all(after[:, offset : offset + len(t)] == t, axis=1)

    ok &= at(0, f_close)
    no_value = np.zeros(len(attr_at), dtype=bool)
    for shape in shapes:
        no_value |= at(len(f_close), shape)
    value_at = text_end + len(f_close) + len(v_open)
    value_end = lt[np.minimum(np.searchsorted(lt, value_at), len(lt) - 1)]
    closes = _window(b, value_end, len(v_close) + len(c_close))
    tail = np.frombuffer(v_close + c_close, dtype=np.uint8)
    valued = ~no_value & at(len(f_close), v_open) & np.all(closes == tail, axis=1)
    ok &= no_value | valued
    value_at = np.where(valued, value_at, -1)
    value_end = np.where(valued, value_end, -1)
    empty_value = no_value & ~at(len(f_close), c_close)
    return ok, text_at, text_end, value_at, value_end, empty_value


def _decode(raws: list[bytes]) -> list[str] | None:
    """Element texts as an XML parser reports them (entities and character
    references decoded, line ends normalised), all in one parse; ``None`` when
    a text is not well-formed on its own (the one-by-one path decides)."""
    if not raws:
        return []
    if not any(b"&" in r or b"\r" in r for r in raws):
        return [r.decode("utf-8") for r in raws]
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(b"<r><f>" + b"</f><f>".join(raws) + b"</f></r>", parser)
    except etree.XMLSyntaxError:
        return None
    texts = [el.text or "" for el in root]
    return texts if len(texts) == len(raws) else None
