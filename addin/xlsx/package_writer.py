"""Write a package: a copy of the input zip with some parts replaced.

Every entry not replaced is copied *raw*: the same compressed bytes, names,
order, timestamps and attributes (VBA projects, charts, images, comments,
validations, styles, ``calcChain.xml``), a piece at a time, after checking it
inflates to what its header declares (:func:`check_copied_parts`). Changed
parts keep their name, position and compression method (re-deflated at level
6, or level 1 above 8 MB, where it is five times faster). A large part is
deflated in 1 MB pieces on the other cores (:func:`deflate`, :class:`Deflater`,
pigz's way: each piece primed with the 32 KB before it and ended by a sync
flush, so the pieces form one stream). A zip64 source, which the raw copier
does not handle, is rewritten entry by entry instead. The output goes through
:func:`~addin.xlsx.atomic_write.write_atomically`, so a failure leaves no
partial file. The reading side is :mod:`addin.xlsx.package`.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from addin.xlsx.atomic_write import write_atomically
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.package import CONTENT_TYPES, END_RECORD_SIG, LOCAL_HEADER_SIG, InputFile, Package
from addin.xlsx.safexml import check_well_formed

__all__ = [
    "Deflated",
    "Deflater",
    "check_copied_parts",
    "deflate",
    "deflate_level",
    "in_pieces",
    "part_bytes",
    "write_package",
]

#: the package part naming every part's content type

_CENTRAL_SIG = b"PK\x01\x02"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_DESCRIPTOR_SIG = b"PK\x07\x08"
_FAST_DEFLATE_ABOVE = 8 * 1024 * 1024


#: Parts at least twice this size are deflated in pieces of this size side by side.
_DEFLATE_PIECE = 1024 * 1024
_DEFLATE_WINDOW = 32 * 1024  # what a deflate back-reference can reach


def deflate_level(size: int) -> int:
    """Large sheets: fast deflate (5x faster, ~30 % larger than level 6)."""
    return 6 if size < _FAST_DEFLATE_ABOVE else 1


def _deflate_workers() -> int:
    return min(os.cpu_count() or 1, 8)


def in_pieces(size: int) -> bool:
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
    if not in_pieces(len(content)):
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


class Deflater:
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
        self.waited = 0  # the pieces before this one are deflated

    def add(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.crc = zlib.crc32(chunk, self.crc)
        self.size += len(chunk)
        self.pieces.append(self.pool.submit(_deflate_piece, chunk, self.tail, self.level, False))
        self.tail = chunk[-_DEFLATE_WINDOW:]
        # a producer faster than the deflating cores waits: the chunks queued
        # (each held until deflated) stay a few, not the whole new part
        while len(self.pieces) - self.waited > 2 * _deflate_workers():
            self.pieces[self.waited].result()
            self.waited += 1

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
    at = tail.rfind(END_RECORD_SIG)
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
    if header[:4] != LOCAL_HEADER_SIG:
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
                        data = deflate(content, deflate_level(size))
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
                zout.writestr(clone, part_bytes(package, changed, info.filename))
                continue
            clone.file_size = info.file_size  # decides the ZIP64 header up front
            with package.open(info.filename, held=False) as src, zout.open(clone, "w") as dst:
                while chunk := src.read(_COPY_CHUNK):
                    dst.write(chunk)


def part_bytes(package: Package, changed: Mapping[str, bytes | Deflated], name: str) -> bytes:
    """Part ``name`` as it will be written: changed, or as in the package."""
    new = changed.get(name)
    if new is None:
        return package.read(name)
    return new.content() if isinstance(new, Deflated) else new


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
