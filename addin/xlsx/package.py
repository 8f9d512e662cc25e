"""Safe reading of an Excel package (``.xlsx`` / ``.xlsm``) into the refresh model.

Two jobs, kept apart so the validator can reuse the first:

* :func:`open_package` checks that a file is a workbook package we can read
  safely *before* anything is inflated: a zip (not ``.xls``, not an encrypted
  OLE2 container, not truncated), with sane entry names (no path traversal,
  no duplicates), stored or deflated entries only, and declared sizes within
  :class:`Limits` (total, per entry, compression ratio) so a zip bomb is
  refused up front. Reads go through :mod:`zipfile`, which never inflates an
  entry past its declared size (and checks the CRC), so the declared sizes
  really bound memory. XML parts are parsed with entity resolution, DTD
  loading and network access off, ``huge_tree`` off, and a ``<!DOCTYPE`` in a
  part is refused outright (billion laughs, external entities).
* :func:`read_workbook` streams every worksheet's XML once and builds a
  :class:`~addin.xlsx.model.Workbook`: constants and cached values, formulas
  (shared formulas kept as groups — :class:`SharedGroup`, a child's own text
  worked out only when read —, legacy array formulas, dynamic arrays
  recognised through the cell metadata part), defined names, tables and the
  1904 date system. A large sheet is checked for well-formed XML by lxml on a
  second thread while the regular-expression scanner reads it; a refresh
  leaves out the values cached in formula cells (``formula_values=False``).

Everything that goes wrong with the *file* becomes
:class:`~addin.xlsx.model.UnreadableWorkbookError` with a message in Chinese
and English; bugs in this module still surface as ordinary exceptions.
"""

from __future__ import annotations

import datetime as _dt
import gc
import io
import os
import posixpath
import re
import stat
import threading
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from addin.xlsx.a1 import MAX_COL, MAX_ROW, col_letters, col_number, from_a1
from addin.xlsx.colscan import ColumnScan, scan_columns
from addin.xlsx.columns import CellValues
from addin.xlsx.model import (
    CellValue,
    Coord,
    DefinedName,
    ExternalLink,
    Formula,
    Sheet,
    Table,
    UnreadableWorkbookError,
    Workbook,
)
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
    "InputFile",
    "Limits",
    "Package",
    "SharedGroup",
    "SheetPart",
    "check_sheet_markup",
    "check_workbook_file",
    "excel_number",
    "open_package",
    "read_external_links",
    "read_input",
    "read_workbook",
    "shift_formula",
]

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # an empty zip starts with its end record

# Namespaces: transitional (what Excel writes) and ISO strict.
_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile packages from exhausting memory or time.

    The defaults admit a 1,000,000-row workbook (its sheet XML is a few hundred
    MB) and refuse classic zip bombs, whose entries inflate thousands of times.
    The size budgets keep every command under 1 GB: no part a command holds
    in memory (the XML parts) inflates past 512 MB, and all parts together past
    1 GB (150 sheets of 10.4 MB each, every one under the ratio check, took
    every command past 3 GB); a part only copied (media) is streamed, bounded
    by the total. The input file itself is read once and kept open, not held
    (:func:`read_input`). Declared sizes
    bound the inflated ones: :mod:`zipfile` never inflates an entry past its
    declared size, and :class:`_InflateGuard` checks as it inflates.
    """

    max_entries: int = 10_000
    max_total_size: int = 1024**3  # declared uncompressed bytes, all entries
    max_entry_size: int = 512 * 1024**2  # declared uncompressed bytes, one entry
    max_ratio: float = 200.0  # uncompressed / compressed, checked above ratio_floor
    ratio_floor: int = 10 * 1024**2  # small entries may compress as well as they like
    max_prolog: int = 64 * 1024  # bytes before an XML part's root element


DEFAULT_LIMITS = Limits()


#: what :mod:`zipfile` raises for a damaged archive: bad headers and CRCs, a
#: truncated stream, negative or impossible offsets (``ValueError``, ``OSError``
#: EINVAL from seek), an unknown version or method (``NotImplementedError``)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError)


def _unreadable(zh: str, en: str) -> UnreadableWorkbookError:
    return UnreadableWorkbookError(f"{zh} / {en}")


# ---------------------------------------------------------------------------
# The package: checks before inflating, bounded reads, safe XML parsing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetPart:
    """A worksheet as listed in ``workbook.xml``: its name and its zip entry."""

    name: str
    part: str  # zip entry name, e.g. "xl/worksheets/sheet1.xml"
    state: str = "visible"


class Package:
    """An opened, checked workbook package. Use :func:`open_package`.

    Holds the :class:`zipfile.ZipFile` open; close it with :meth:`close` or a
    ``with`` block.
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
        self.path = path
        self.zip = zf
        self.limits = limits
        self.infos: list[zipfile.ZipInfo] = zf.infolist()
        self.names: dict[str, zipfile.ZipInfo] = {i.filename: i for i in self.infos}
        self.workbook_part = "xl/workbook.xml"
        self.sheet_parts: list[SheetPart] = []
        self.workbook_rels: dict[str, tuple[str, str]] = {}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def open(self, name: str, *, held: bool = True) -> _InflateGuard:
        """A stream of one entry's inflated bytes, bounded as it inflates (see
        :class:`_InflateGuard`), not only by what the entry's header declares.

        ``held=False`` is for a caller that streams the part a piece at a time
        (the writer's copy and check of a part it does not change): the part is
        then bounded by the total budget, not by the budget of a part held in
        memory (``max_entry_size``)."""
        try:
            info = self.names[name]
        except KeyError:
            raise _unreadable(f"工作簿缺少部件 {name}", f"the package has no part {name}") from None
        try:
            stream = self.zip.open(info)
        except _ZIP_ERRORS as exc:
            raise _unreadable(
                f"部件 {name} 已损坏（{exc}）", f"part {name} is corrupt ({exc})"
            ) from None
        return _InflateGuard(stream, info, self.limits, self.path.name, held)

    def read(self, name: str) -> bytes:
        """One entry's bytes; corrupt data becomes :class:`UnreadableWorkbookError`."""
        with self.open(name) as stream:
            return _guarded_read(stream, name)

    def parse(self, name: str) -> etree._Element:
        """Parse a (small) XML part safely into a tree."""
        data = self.read(name)
        check_prolog(data[: self.limits.max_prolog + 1024], name, self.limits)
        parser = _safe_parser()
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise _unreadable(
                f"部件 {name} 不是有效的 XML（{exc}）", f"part {name} is not valid XML ({exc})"
            ) from None

    def external_rels(self, part: str) -> frozenset[str]:
        """The ids of ``part``'s relationships that point outside the package
        (``TargetMode="External"``), which :meth:`rels` leaves out."""
        rels_name = _rels_part(part)
        if not self.has(rels_name):
            return frozenset()
        return frozenset(
            rel.get("Id") or ""
            for rel in self.parse(rels_name)
            if _local(rel.tag) == "Relationship" and rel.get("TargetMode") == "External"
        )

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part``: id → (type, resolved target part)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self.parse(rels_name):
            if _local(rel.tag) != "Relationship":
                continue
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            out[rel.get("Id") or ""] = (rel.get("Type") or "", resolve_target(folder, target))
        return out


class _InflateGuard:
    """Reads one zip entry and stops it the moment it inflates past the limits,
    whatever its header claims: more than ``max_entry_size`` bytes (a part
    streamed rather than held: ``max_total_size``), or (above
    ``ratio_floor``) more than ``max_ratio`` times the compressed bytes the
    inflater has actually consumed so far — so padding the compressed data
    with junk the inflater never reaches does not buy a larger output.
    """

    _STEP = 4 * 1024 * 1024

    def __init__(
        self, stream: IO[bytes], info: zipfile.ZipInfo, limits: Limits, file: str, held: bool = True
    ) -> None:
        self.stream = stream
        self.info = info
        self.limits = limits
        self.file = file
        self.max_size = limits.max_entry_size if held else limits.max_total_size
        self.produced = 0
        self.deflated = info.compress_type == zipfile.ZIP_DEFLATED

    def __enter__(self) -> _InflateGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stream.close()

    def read(self, size: int = -1) -> bytes:
        if size is not None and size >= 0:
            return self._checked(self.stream.read(size))
        parts: list[bytes] = []
        while True:
            chunk = self._checked(self.stream.read(self._STEP))
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def _checked(self, chunk: bytes) -> bytes:
        self.produced += len(chunk)
        limits, entry = self.limits, self.info.filename
        if self.produced > self.max_size:
            raise _bomb(
                self.file,
                f"部件 {entry} 解压后超过 {self.max_size} 字节",
                f"entry {entry} inflates past {self.max_size} bytes",
            )
        if self.deflated and self.produced > limits.ratio_floor:
            # bytes read from the file minus what the inflater has not consumed yet
            left = getattr(self.stream, "_compress_left", 0)
            decompressor = getattr(self.stream, "_decompressor", None)
            unused = len(getattr(decompressor, "unconsumed_tail", b"")) + len(
                getattr(decompressor, "unused_data", b"")  # padding after the stream's end
            )
            consumed = max(self.info.compress_size - left - unused, 1)
            if self.produced > limits.max_ratio * consumed:
                raise _bomb(
                    self.file,
                    f"部件 {entry} 实际压缩比超过 {limits.max_ratio:.0f}:1",
                    f"entry {entry} actually inflates more than {limits.max_ratio:.0f}:1",
                )
        return chunk


def _guarded_read(stream: IO[bytes] | _InflateGuard, name: str) -> bytes:
    try:
        return stream.read()
    except _ZIP_ERRORS as exc:
        raise _unreadable(
            f"部件 {name} 已损坏（{exc}）", f"part {name} is corrupt ({exc})"
        ) from None


def resolve_target(folder: str, target: str) -> str:
    """A relationship target relative to ``folder`` as a zip entry name."""
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == "..":
        raise _unreadable(
            f"关系目标 {target} 指向包外",
            f"relationship target {target} points outside the package",
        )
    return normal


def _safe_parser(**kw: object) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        **kw,
    )


_DOCTYPE_MARKERS = (
    b"<!DOCTYPE",
    b"<!ENTITY",
    "<!DOCTYPE".encode("utf-16-le"),
    "<!DOCTYPE".encode("utf-16-be"),
)


def check_prolog(head: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an XML part whose prolog declares a DTD (entities, external refs).

    ``head`` is the first bytes of the part. A document type declaration can
    only stand before the root element, so only the prolog is examined; a
    prolog longer than ``limits.max_prolog`` is itself refused.
    """
    root_at = _root_start(head)
    prolog = head if root_at < 0 else head[:root_at]
    if any(m in prolog for m in _DOCTYPE_MARKERS):
        raise _unreadable(
            f"部件 {name} 含有 DTD/实体声明，出于安全原因拒绝读取",
            f"part {name} declares a DTD or entities; refused for safety",
        )
    if root_at < 0 and len(head) > limits.max_prolog:
        raise _unreadable(
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


def check_workbook_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Check that ``path`` is a workbook package that is safe to read.

    Raises :class:`UnreadableWorkbookError` (Chinese and English message) for a
    missing file, an ``.xls`` or encrypted workbook, something that is not a
    zip, a truncated zip, hostile entry names or a zip bomb. Nothing is
    inflated. The validator calls this too.
    """
    with open_package(path, limits, locate_sheets=False):
        pass


class InputFile:
    """A workbook file opened once and kept open: the engine and the writer
    both read through it, so what is written is computed from exactly the
    bytes that are copied, even if the path is meanwhile replaced or deleted —
    and the file is not held in memory (a workbook carrying a 900 MB video is
    copied a piece at a time). :meth:`changed` tells whether the file on disk
    has since been replaced or modified (a change in place, which an open file
    would see, is refused by the caller before anything replaces its output).

    Close it (or use ``with``) when done; :meth:`close` is also what lets the
    path itself be replaced on Windows, where an open file cannot be.
    """

    def __init__(self, path: Path, fh: IO[bytes], st: os.stat_result) -> None:
        self.path = path
        self.stat = st
        self._fh = fh
        self._lock = threading.Lock()

    def __enter__(self) -> InputFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def read_at(self, offset: int, size: int) -> bytes:
        """``size`` bytes from ``offset`` (fewer at the end of the file)."""
        with self._lock:
            self._fh.seek(offset)
            return self._fh.read(size)

    def reader(self) -> IO[bytes]:
        """A seekable stream of the file's bytes with its own position (several
        may be open at once, in several threads)."""
        return io.BufferedReader(_PinnedReader(self), 1 << 20)

    def copy_to(self, out: IO[bytes]) -> None:
        """Write the file's bytes to ``out``, a piece at a time."""
        offset = 0
        while chunk := self.read_at(offset, 1 << 20):
            out.write(chunk)
            offset += len(chunk)

    def changed(self) -> bool:
        """Whether ``path`` now names another file or its size or mtime moved."""
        try:
            now = os.stat(self.path)
        except OSError:
            return True
        before = self.stat
        return (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) != (
            before.st_dev,
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        )


class _PinnedReader(io.RawIOBase):
    """One reader of an :class:`InputFile`, with a position of its own."""

    def __init__(self, source: InputFile) -> None:
        self._source = source
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        else:
            self._pos = self._source.stat.st_size + offset
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read_at(self._pos, len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def _regular_file(path: Path) -> os.stat_result:
    """``stat`` of ``path`` (symlinks followed) if it is a regular file; a FIFO,
    device or socket would block or never end, so it is refused."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _unreadable(f"找不到文件 {path}", f"no such file: {path}") from None
    except OSError as exc:
        raise _unreadable(
            f"无法打开 {path}（{exc.strerror}）", f"cannot open {path} ({exc.strerror})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise _unreadable(f"{path} 是文件夹", f"{path} is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise _unreadable(
            f"{path} 不是普通文件（管道、设备或套接字），拒绝读取",
            f"{path} is not a regular file (a pipe, device or socket); refused",
        )
    return st


def read_input(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> InputFile:
    """Open a workbook file once (a regular file of at most ``max_total_size``
    bytes, the budget of all its parts), for :func:`read_workbook` and the
    writer to share; close the :class:`InputFile` when done."""
    path = Path(path)
    st = _regular_file(path)
    if st.st_size > limits.max_total_size:
        raise _unreadable(
            f"{path.name} 有 {st.st_size} 字节，超过上限 {limits.max_total_size}",
            f"{path.name} has {st.st_size} bytes, more than the limit {limits.max_total_size}",
        )
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise _unreadable(
            f"无法读取 {path}（{exc.strerror}）", f"cannot read {path} ({exc.strerror})"
        ) from None
    try:
        st = os.fstat(fh.fileno())  # of the file opened, whatever the path names next
    except BaseException:
        fh.close()
        raise
    return InputFile(path, fh, st)


def open_package(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    locate_sheets: bool = True,
    data: bytes | InputFile | None = None,
) -> Package:
    """Open and check a workbook package; see :func:`check_workbook_file`.

    With ``locate_sheets`` (the default) the workbook part and its worksheets
    are located too (``Package.sheet_parts`` in workbook order). With ``data``
    the package is read from those bytes, or from the file :func:`read_input`
    opened, and ``path`` only names it in messages.
    """
    path = Path(path)
    if data is None:
        _regular_file(path)
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise _unreadable(
                f"无法打开 {path}（{exc.strerror}）", f"cannot open {path} ({exc.strerror})"
            ) from None
    elif isinstance(data, InputFile):
        head = data.read_at(0, 8)
    else:
        head = data[:8]
    if head.startswith(_OLE2_MAGIC):
        raise _ole2_error(path)
    if not head.startswith(_ZIP_MAGICS):
        raise _unreadable(
            f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm）",
            f"{path.name} is not an Excel workbook (.xlsx/.xlsm)",
        )
    try:
        source: Path | IO[bytes] = (
            path if data is None else data.reader() if isinstance(data, InputFile) else io.BytesIO(data)
        )
        zf = zipfile.ZipFile(source)
    except _ZIP_ERRORS as exc:
        raise _unreadable(
            f"{path.name} 已损坏或不完整（{exc}）",
            f"{path.name} is corrupt or truncated ({exc})",
        ) from None
    package = Package(path, zf, limits)
    try:
        _check_entries(package)
        if locate_sheets:
            _locate_sheets(package)
    except BaseException:
        zf.close()
        raise
    return package


def _ole2_error(path: Path) -> UnreadableWorkbookError:
    """An OLE2 compound file: encrypted OOXML or a legacy ``.xls``."""
    with path.open("rb") as fh:
        data = fh.read(4 * 1024 * 1024)
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        return _unreadable(
            f"{path.name} 已加密（设有打开密码），请在 Excel 中取消密码后另存",
            f"{path.name} is encrypted (password to open); remove the password in Excel and save again",
        )
    return _unreadable(
        f"{path.name} 是旧版 .xls（Excel 97-2003）格式，请在 Excel 中另存为 .xlsx",
        f"{path.name} is a legacy .xls (Excel 97-2003) file; save it as .xlsx in Excel",
    )


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _check_entries(package: Package) -> None:
    limits = package.limits
    name = package.path.name
    infos = package.infos
    if len(infos) > limits.max_entries:
        raise _unreadable(
            f"{name} 含有 {len(infos)} 个部件，超过上限 {limits.max_entries}",
            f"{name} has {len(infos)} entries, more than the limit {limits.max_entries}",
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        entry = info.filename
        parts = entry.replace("\\", "/").split("/")
        if (
            entry.startswith(("/", "\\"))
            or ".." in parts
            or _DRIVE_RE.match(entry)
            or "\x00" in entry
        ):
            raise _unreadable(
                f"{name} 含有可疑的部件名 {entry!r}（路径穿越），拒绝读取",
                f"{name} has a suspicious entry name {entry!r} (path traversal); refused",
            )
        if entry in seen:
            raise _unreadable(
                f"{name} 含有重复的部件 {entry!r}", f"{name} has a duplicate entry {entry!r}"
            )
        seen.add(entry)
        if info.flag_bits & 0x1:
            raise _unreadable(
                f"{name} 的部件 {entry} 已加密", f"entry {entry} of {name} is encrypted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable(
                f"{name} 的部件 {entry} 使用了不支持的压缩方式 {info.compress_type}",
                f"entry {entry} of {name} uses unsupported compression {info.compress_type}",
            )
        size = info.file_size
        if size > limits.max_entry_size and _read_as_xml(entry):
            raise _bomb(
                name, f"部件 {entry} 解压后 {size} 字节", f"entry {entry} inflates to {size} bytes"
            )
        if size > limits.ratio_floor and size > limits.max_ratio * max(info.compress_size, 1):
            raise _bomb(
                name,
                f"部件 {entry} 压缩比 {size / max(info.compress_size, 1):.0f}:1",
                f"entry {entry} has a compression ratio of {size / max(info.compress_size, 1):.0f}:1",
            )
        total += size
        if total > limits.max_total_size:
            raise _bomb(
                name,
                f"解压后总计超过 {limits.max_total_size} 字节",
                f"inflates to more than {limits.max_total_size} bytes",
            )
    if "[Content_Types].xml" not in seen:
        raise _unreadable(
            f"{name} 是 zip 文件，但不是 Excel 工作簿（缺少 [Content_Types].xml）",
            f"{name} is a zip file but not an Excel workbook (no [Content_Types].xml)",
        )


def _read_as_xml(entry: str) -> bool:
    """Whether a command may hold part ``entry`` in memory to read it: the XML
    parts and relationships. Every other part (images, video, VBA projects) is
    only ever copied and checked a piece at a time, so the per-part budget
    ``max_entry_size`` bounds the XML parts up front; the others are bounded by
    the total budget (an honest 900 MB video in a workbook is refreshed)."""
    return entry.lower().endswith((".xml", ".rels"))


def _bomb(name: str, zh: str, en: str) -> UnreadableWorkbookError:
    return _unreadable(
        f"{name} 疑似压缩炸弹：{zh}，拒绝读取", f"{name} looks like a zip bomb: {en}; refused"
    )


_OFFICE_DOC = "/officeDocument"
_WORKSHEET_REL = "/worksheet"


#: relationship types whose target is a sheet Excel must find (its cells, chart …)
_SHEET_RELS = ("/worksheet", "/chartsheet", "/dialogsheet", "/xlMacrosheet", "/xlIntlMacrosheet")
#: characters Excel forbids in a sheet name
_SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")


def sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse ``name`` as a sheet name (English), or ``None``.

    >>> sheet_name_problem("工资 2024"), sheet_name_problem("a[1]"), sheet_name_problem("'x")
    (None, "a character Excel forbids ('[')", 'a quote at its start or end')
    """
    if not name:
        return "an empty name"
    if len(name) > 31:
        return f"{len(name)} characters (Excel allows 31)"
    bad = next((ch for ch in name if ch in _SHEET_NAME_FORBIDDEN or ord(ch) < 32), None)
    if bad is not None:
        return f"a character Excel forbids ({bad!r})"
    if name.startswith("'") or name.endswith("'"):
        return "a quote at its start or end"
    return None


def _locate_sheets(package: Package) -> None:
    """Find the workbook part and its sheets; a package whose structure Excel
    could not open (missing relationships or parts, a sheet held outside the
    package, a sheet id or name Excel forbids) is refused naming the part and
    attribute."""
    file = package.path.name
    if not package.has("_rels/.rels"):
        raise _unreadable(
            f"{file} 缺少部件 _rels/.rels（包的关系），Excel 无法打开",
            f"{file} has no part _rels/.rels (the package relationships); Excel cannot open it",
        )
    workbook_part = "xl/workbook.xml"
    for rel_type, target in package.rels("").values():
        if rel_type.endswith(_OFFICE_DOC):
            workbook_part = target
            break
    if not package.has(workbook_part):
        if package.has("xl/workbook.bin"):
            raise _unreadable(
                f"{file} 是二进制工作簿（.xlsb），请另存为 .xlsx",
                f"{file} is a binary workbook (.xlsb); save it as .xlsx",
            )
        raise _unreadable(
            f"{file} 不是 Excel 工作簿（缺少 {workbook_part}）",
            f"{file} is not an Excel workbook (no {workbook_part})",
        )
    package.workbook_part = workbook_part
    package.workbook_rels = package.rels(workbook_part)
    rels_part = _rels_part(workbook_part)
    external = package.external_rels(workbook_part)
    root = package.parse(workbook_part)
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for sheet in _children(root, "sheets", "sheet"):
        name = sheet.get("name") or ""
        where = f"{workbook_part} <sheet name={name!r}>"
        problem = sheet_name_problem(name)
        if problem is not None:
            raise _unreadable(
                f"部件 {where} 的工作表名无效（{problem}），Excel 无法打开",
                f"part {where}: the sheet name has {problem}; Excel cannot open it",
            )
        key = name.casefold()  # Excel compares sheet names without regard to case
        if key in seen:
            raise _unreadable(
                f"{file} 有两个同名工作表 {seen[key]!r} 和 {name!r}（Excel 不区分大小写）",
                f"{file} has two sheets named {seen[key]!r} and {name!r} "
                "(Excel compares sheet names case-insensitively)",
            )
        seen[key] = name
        sheet_id = sheet.get("sheetId") or ""
        if not sheet_id.isdigit() or not 1 <= int(sheet_id) <= 0xFFFFFFFF or sheet_id in ids:
            raise _unreadable(
                f"部件 {where} 的 sheetId={sheet_id!r} 无效或重复",
                f"part {where} has an invalid or repeated sheetId={sheet_id!r}",
            )
        ids.add(sheet_id)
        rid = _rel_id(sheet) or ""
        if rid in external:
            raise _unreadable(
                f"部件 {rels_part} 的关系 {rid}（工作表 {name!r}）指向包外（TargetMode=External）",
                f"part {rels_part}: relationship {rid} of sheet {name!r} points outside the "
                "package (TargetMode=External)",
            )
        if not rid:
            continue  # an Excel 4 macro sheet LibreOffice kept as a name only (r:id="")
        rel = package.workbook_rels.get(rid)
        if rel is None:
            missing = rels_part if not package.has(rels_part) else f"{rels_part} Id={rid!r}"
            raise _unreadable(
                f"工作表 {name!r} 的关系 r:id={rid!r} 不存在（{missing}）",
                f"sheet {name!r}: its relationship r:id={rid!r} is missing ({missing})",
            )
        if rel[0].endswith(_SHEET_RELS) and not package.has(rel[1]):
            raise _unreadable(
                f"工作表 {name!r} 的部件 {rel[1]} 不存在（{rels_part} Id={rid!r}）",
                f"sheet {name!r}: its part {rel[1]} is missing ({rels_part} Id={rid!r})",
            )
        if not rel[0].endswith(_WORKSHEET_REL):
            continue  # chartsheets, dialog and macro sheets hold no cells
        package.sheet_parts.append(SheetPart(name, rel[1], sheet.get("state") or "visible"))
    _check_defined_name_scopes(root, workbook_part, len(ids))
    _check_xml_prologs(package)


def _rels_part(part: str) -> str:
    """The relationships part of ``part`` (``xl/_rels/workbook.xml.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _check_defined_name_scopes(root: etree._Element, part: str, n_sheets: int) -> None:
    """``localSheetId`` must index a sheet (Excel refuses the file otherwise)."""
    for dn in _children(root, "definedNames", "definedName"):
        local = dn.get("localSheetId")
        if local is None:
            continue
        if not local.isdigit() or int(local) >= n_sheets:
            raise _unreadable(
                f"部件 {part} 的名称 {dn.get('name')!r} 的 localSheetId={local!r} 不指向任何工作表",
                f"part {part}: the name {dn.get('name')!r} has localSheetId={local!r}, "
                f"which is not one of its {n_sheets} sheets",
            )


#: parts whose first bytes are checked for a DTD whether or not a command reads
#: them (the writer copies them into its output as they are)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _check_xml_prologs(package: Package) -> None:
    """Refuse a DTD (entities, billion laughs) in any XML part, including the
    ones no command parses but every output carries (``[Content_Types].xml``,
    ``styles.xml`` …): only each part's prolog is inflated."""
    want = package.limits.max_prolog + 1024
    for info in package.infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or info.file_size == 0:
            continue
        with package.open(info.filename) as stream:
            try:
                head = stream.read(want)
            except _ZIP_ERRORS as exc:
                raise _corrupt_part(info.filename, exc) from None
        check_prolog(head, info.filename, package.limits)


def _corrupt_part(part: str, exc: BaseException) -> UnreadableWorkbookError:
    return _unreadable(f"部件 {part} 已损坏（{exc}）", f"part {part} is corrupt ({exc})")


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _children(root: etree._Element, *path: str) -> Iterator[etree._Element]:
    """Elements along ``path`` of local names below ``root``."""
    level = [root]
    for step in path:
        level = [c for el in level for c in el if _local(c.tag) == step]
    yield from level


def _rel_id(el: etree._Element) -> str | None:
    for ns in _REL_NS:
        value = el.get(f"{{{ns}}}id")
        if value is not None:
            return value
    return None


# ---------------------------------------------------------------------------
# Shared formulas: shift relative references
# ---------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<string>"(?:[^"]|"")*")
  | (?P<quoted>'(?:[^']|'')*')
  | (?P<bracket>\[(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*\])
  | (?P<colrange>(?<![\w.$])\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![\w.(!\[$]))
  | (?P<rowrange>(?<![\w.$])\$?\d+:\$?\d+(?![\w.(!\[$]))
  | (?P<number>\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?|\.\d+(?:[Ee][+-]?\d+)?)
  | (?P<word>[$A-Za-z_\\\u0080-\uffff][\w.$\\\u0080-\uffff]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CELL_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_COLPART_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROWPART_RE = re.compile(r"^(\$?)(\d+)$")

# A compiled shared formula: literal text and references to shift.
# Each reference part is (kind, col_abs, col, row_abs, row); kind "cell", "col", "row".
_RefPart = tuple[str, bool, int, bool, int]
_Template = list[str | _RefPart]


def _compile(text: str) -> _Template:
    parts: _Template = []
    lit: list[str] = []

    def ref(part: _RefPart) -> None:
        if lit:
            parts.append("".join(lit))
            lit.clear()
        parts.append(part)

    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        tok = m.group()
        if kind == "word":
            end = m.end()
            nxt = text[end : end + 1]
            cm = _CELL_RE.match(tok)
            if cm and nxt not in ("(", "!", "[") and not _after_bang_name(text, m.start()):
                col, row = col_number(cm.group(2)), int(cm.group(4))
                if col <= MAX_COL and 1 <= row <= MAX_ROW:
                    ref(("cell", cm.group(1) == "$", col, cm.group(3) == "$", row))
                    continue
            lit.append(tok)
        elif kind == "colrange":
            a, b = tok.split(":")
            ma, mb = _COLPART_RE.match(a), _COLPART_RE.match(b)
            assert ma is not None
            assert mb is not None
            ca, cb = col_number(ma.group(2)), col_number(mb.group(2))
            if ca > MAX_COL or cb > MAX_COL:
                lit.append(tok)
                continue
            ref(("col", ma.group(1) == "$", ca, False, 0))
            lit.append(":")
            ref(("col", mb.group(1) == "$", cb, False, 0))
        elif kind == "rowrange":
            a, b = tok.split(":")
            ra, rb = _ROWPART_RE.match(a), _ROWPART_RE.match(b)
            assert ra is not None
            assert rb is not None
            ref(("row", False, 0, ra.group(1) == "$", int(ra.group(2))))
            lit.append(":")
            ref(("row", False, 0, rb.group(1) == "$", int(rb.group(2))))
        else:
            lit.append(tok)
    if lit:
        parts.append("".join(lit))
    # fold references that never move (fully absolute) into the literal text
    folded: _Template = []
    for part in parts:
        if isinstance(part, tuple) and _is_fixed(part):
            part = _render(part, 0, 0)
        if isinstance(part, str) and folded and isinstance(folded[-1], str):
            folded[-1] += part
        else:
            folded.append(part)
    return folded


def _after_bang_name(text: str, start: int) -> bool:
    """True when the word at ``start`` follows a ``.`` (part of a dotted name)."""
    return start > 0 and text[start - 1] == "."


def _is_fixed(part: _RefPart) -> bool:
    kind, col_abs, _c, row_abs, _r = part
    if kind == "cell":
        return col_abs and row_abs
    if kind == "col":
        return col_abs
    return row_abs


_LETTERS: dict[int, str] = {}


def _letters(col: int) -> str:
    text = _LETTERS.get(col)
    if text is None:
        text = _LETTERS[col] = col_letters(col)
    return text


def _render(part: _RefPart, drow: int, dcol: int) -> str:
    kind, col_abs, col, row_abs, row = part
    if kind != "row" and not col_abs:
        col += dcol
        if not 1 <= col <= MAX_COL:
            return "#REF!"
    if kind != "col" and not row_abs:
        row += drow
        if not 1 <= row <= MAX_ROW:
            return "#REF!"
    if kind == "cell":
        return f"{'$' if col_abs else ''}{_letters(col)}{'$' if row_abs else ''}{row}"
    if kind == "col":
        return ("$" if col_abs else "") + _letters(col)
    return ("$" if row_abs else "") + str(row)


def _instantiate(template: _Template, drow: int, dcol: int) -> str:
    if len(template) == 1 and isinstance(template[0], str):
        return template[0]
    out = []
    for p in template:
        out.append(p if isinstance(p, str) else _render(p, drow, dcol))
    return "".join(out)


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """``text`` with its relative references moved ``drow`` rows and ``dcol`` columns.

    This is how Excel fills a shared formula: the master cell's text, with every
    reference not anchored by ``$`` shifted by the distance to the cell.
    Strings, sheet names, structured references and function names are left
    alone; a reference pushed off the sheet becomes ``#REF!``.

    >>> shift_formula("SUM(B2:C2)*$D$1+Sheet2!A1", 3, 1)
    'SUM(C5:D5)*$D$1+Sheet2!B4'
    >>> shift_formula('IF(A1="B2",LOG10(A$1),A:A)', 1, 1)
    'IF(B2="B2",LOG10(B$1),B:B)'
    """
    return _instantiate(_compile(text), drow, dcol)


# ---------------------------------------------------------------------------
# Strings and values
# ---------------------------------------------------------------------------

def _rich_text(el: etree._Element) -> str:
    """Text of a ``<si>`` / ``<is>``: its ``<t>`` plus the ``<t>`` of each run
    (phonetic ``<rPh>`` guides are not part of the value)."""
    out: list[str] = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            for t in child:
                if _local(t.tag) == "t":
                    out.append(t.text or "")
    return decode_xstring("".join(out))


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


# ---------------------------------------------------------------------------
# Reading the workbook
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class SharedGroup:
    """One shared formula of a sheet (``<f t="shared" si=…>``): the master cell
    (the one holding the text), the ``ref`` and ``si`` it declares, its text.

    The group is what a child cell's :class:`~addin.xlsx.model.Formula` points
    to; its text is worked out by :meth:`expand` only when read. ``ref`` is as
    written in the file and not trusted for anything: the group's cells are
    the cells that name its ``si``. Expanding 100,000 children one reference
    at a time is slow, so for each column offset the template is turned once
    into a format string whose placeholders are the relative row numbers; a
    child then costs one ``str.format``.
    """

    master: Coord
    si: str
    ref: str | None
    text: str
    template: _Template = field(repr=False)
    fast: dict[int, tuple[str, list[int], int, int] | None] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def of(cls, master: Coord, si: str, ref: str | None, text: str) -> SharedGroup:
        return cls(master, si, ref, text, _compile(text))

    def expand(self, coord: Coord) -> str:
        """The text of cell ``coord``: the master's, every relative reference
        moved by the distance (``#REF!`` where one leaves the sheet)."""
        drow, dcol = coord[0] - self.master[0], coord[1] - self.master[1]
        if dcol not in self.fast:
            self.fast[dcol] = _row_format(self.template, dcol)
        plan = self.fast[dcol]
        if plan is not None:
            fmt, bases, lo, hi = plan
            if lo + drow >= 1 and hi + drow <= MAX_ROW:
                return fmt.format(*[b + drow for b in bases])
        return _instantiate(self.template, drow, dcol)

    def rows_on_sheet(self, dcol: int) -> tuple[int, int] | None:
        """The row offsets from the master, ``(lo, hi)`` inclusive, at which
        the text moved ``dcol`` columns keeps every reference on the sheet
        (elsewhere :meth:`expand` writes ``#REF!``); ``None`` when a column
        leaves it at every row."""
        lo, hi = 1 - MAX_ROW, MAX_ROW - 1
        for part in self.template:
            if isinstance(part, str):
                continue
            kind, col_abs, col, row_abs, row = part
            if kind != "row" and not col_abs and not 1 <= col + dcol <= MAX_COL:
                return None
            if kind != "col" and not row_abs:
                lo, hi = max(lo, 1 - row), min(hi, MAX_ROW - row)
        return lo, hi


def _row_format(template: _Template, dcol: int) -> tuple[str, list[int], int, int] | None:
    """``template`` shifted ``dcol`` columns as a format string over its relative rows."""
    out: list[str] = []
    bases: list[int] = []
    for part in template:
        if isinstance(part, str):
            out.append(part.replace("{", "{{").replace("}", "}}"))
            continue
        kind, col_abs, col, row_abs, row = part
        if kind != "row":
            if not col_abs:
                col += dcol
                if not 1 <= col <= MAX_COL:
                    return None
            out.append(("$" if col_abs else "") + _letters(col))
        if kind != "col":
            if row_abs:
                out.append(f"${row}")
            else:
                out.append("{}")
                bases.append(row)
    if not bases:
        return None
    return "".join(out), bases, min(bases), max(bases)


@dataclass
class _SheetReader:
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


def read_workbook(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    data: bytes | InputFile | None = None,
    formula_values: bool = True,
) -> Workbook:
    """Read a workbook package into the refresh model (see the module docstring);
    from ``data`` when given (the bytes :func:`read_input` read from ``path``).
    With ``formula_values=False`` the values cached in formula cells are left
    out of ``Sheet.values`` (a refresh computes every one of them, so reading
    them is time and memory for nothing); the formulas are read the same.

    Raises :class:`UnreadableWorkbookError` for anything wrong with the file.
    """
    with open_package(path, limits, data=data) as package, gc_paused():
        try:
            return _read(package, formula_values)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _unreadable(
                f"{package.path.name} 已损坏（{exc}）", f"{package.path.name} is corrupt ({exc})"
            ) from None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Reading 100,000 rows allocates millions of tuples, floats and strings that
    never form cycles; the collector's repeated full passes over them cost more
    than the reading itself. Nested uses are fine; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(package: Package, formula_values: bool = True) -> Workbook:
    root = package.parse(package.workbook_part)
    date1904 = False
    for pr in _children(root, "workbookPr"):
        date1904 = (pr.get("date1904") or "").lower() in ("1", "true")
    strings: list[str] = []
    metadata_part: str | None = None
    for rel_type, target in package.workbook_rels.values():
        if rel_type.endswith("/sharedStrings") and package.has(target):
            strings = _read_shared_strings(package, target)
        elif rel_type.endswith("/sheetMetadata") and package.has(target):
            metadata_part = target
    dynamic_cm = _dynamic_cell_metadata(package, metadata_part) if metadata_part else frozenset()
    n_styles = _cell_format_count(package)

    sheets: list[Sheet] = []
    tables: list[Table] = []
    for sp in package.sheet_parts:
        sheet = Sheet(sp.name)
        if package.has(sp.part):
            reader = _SheetReader(
                sheet, strings, dynamic_cm, date1904, formula_values, part=sp.part,
                n_styles=n_styles,
            )  # fmt: skip
            _read_sheet(package, sp.part, reader)
        sheets.append(sheet)
        for rel_type, target in package.rels(sp.part).values():
            if rel_type.endswith("/table") and package.has(target):
                tables.append(_read_table(package, target, sp.name))

    names: list[DefinedName] = []
    all_sheets = sheets_all_names(root)
    for dn in _children(root, "definedNames", "definedName"):
        local = dn.get("localSheetId")
        scope: str | None = None
        if local is not None:
            try:
                scope = all_sheets[int(local)]
            except (ValueError, IndexError):
                continue  # a name scoped to a sheet that does not exist
        names.append(DefinedName(dn.get("name") or "", dn.text or "", scope))
    macros = any(t.endswith("/vbaProject") for t, _ in package.workbook_rels.values())
    return Workbook(
        sheets=sheets, names=names, tables=tables, date1904=date1904,
        external_links=read_external_links(package, root), macros=macros,
    )  # fmt: skip


def sheets_all_names(root: etree._Element) -> list[str]:
    """Every sheet name in ``workbook.xml`` order (``localSheetId`` indexes this)."""
    return [s.get("name") or "" for s in _children(root, "sheets", "sheet")]


def _read_shared_strings(package: Package, part: str) -> list[str]:
    strings: list[str] = []
    for el in _iter_elements(package, part, ("si",)):
        strings.append(_rich_text(el))
        el.clear(keep_tail=False)
    return strings


def _dynamic_cell_metadata(package: Package, part: str) -> frozenset[str]:
    """The ``cm`` values (1-based cellMetadata blocks) that mark dynamic arrays."""
    root = package.parse(part)
    type_names = [t.get("name") or "" for t in _children(root, "metadataTypes", "metadataType")]
    dynamic_future: set[int] = set()
    for fm in _children(root, "futureMetadata"):
        if fm.get("name") != "XLDAPR":
            continue
        for i, bk in enumerate(c for c in fm if _local(c.tag) == "bk"):
            for el in bk.iter():
                if _local(el.tag) == "dynamicArrayProperties" and el.get("fDynamic") in (
                    "1",
                    "true",
                ):
                    dynamic_future.add(i)
    out: set[str] = set()
    for i, bk in enumerate(_children(root, "cellMetadata", "bk"), start=1):
        for rc in bk:
            if _local(rc.tag) != "rc":
                continue
            try:
                t, v = int(rc.get("t") or 0), int(rc.get("v") or 0)
            except ValueError:
                continue
            if 1 <= t <= len(type_names) and type_names[t - 1] == "XLDAPR" and v in dynamic_future:
                out.add(str(i))
    return frozenset(out)


def _read_table(package: Package, part: str, sheet: str) -> Table:
    root = package.parse(part)
    ref = root.get("ref") or ""
    try:
        first, last = _parse_range(ref)
    except ValueError:
        raise _unreadable(
            f"表格部件 {part} 的区域 {ref!r} 无效", f"table part {part} has an invalid ref {ref!r}"
        ) from None
    columns = tuple(
        decode_xstring(c.get("name") or "") for c in _children(root, "tableColumns", "tableColumn")
    )
    return Table(
        name=root.get("displayName") or root.get("name") or "",
        sheet=sheet,
        first=first,
        last=last,
        columns=columns,
        header_rows=_count_attr(root, "headerRowCount", 1, part),
        totals_rows=_count_attr(root, "totalsRowCount", 0, part),
        filtered=any(True for _ in _children(root, "autoFilter", "filterColumn")),
    )


def _count_attr(el: etree._Element, name: str, default: int, part: str) -> int:
    """A small non-negative count attribute (``headerRowCount`` …), validated."""
    raw = el.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or int(raw) > MAX_ROW:
        raise _unreadable(
            f"部件 {part} 的 {name}={raw!r} 无效", f"part {part} has an invalid {name}={raw!r}"
        )
    return int(raw)


def _parse_range(ref: str) -> tuple[Coord, Coord]:
    a, _, b = ref.partition(":")
    first = from_a1(a)
    last = from_a1(b) if b else first
    return first, last


_CHUNK = 1 << 20


def _iter_elements(package: Package, part: str, names: tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the elements called ``names`` (local names) of an XML part.

    Memory stays proportional to one element, not the part: each wanted
    element is removed from the tree once the caller has had it, and so is
    every worksheet row (``<row>``, the bulk of a sheet part) as it ends,
    wanted or not — a tag filter alone leaves every other element in the tree:
    a million rows kept while looking for the data validations after them.
    """
    wanted = frozenset(f"{{{ns}}}{n}" for ns in _MAIN_NS for n in names) | frozenset(names)
    bulk = [f"{{{ns}}}row" for ns in _MAIN_NS] + ["row"]
    parser = etree.XMLPullParser(
        events=("end",),
        tag=sorted(wanted | frozenset(bulk)),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    with package.open(part) as stream:
        first = True
        while True:
            try:
                chunk = stream.read(_CHUNK)
            except _ZIP_ERRORS as exc:
                raise _corrupt_part(part, exc) from None
            if first:
                check_prolog(chunk[: package.limits.max_prolog + 1024], part, package.limits)
                first = False
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for _event, el in parser.read_events():
                    if el.tag in wanted:
                        yield el
                    parent = el.getparent()
                    if parent is not None:
                        parent.remove(el)
            except etree.XMLSyntaxError as exc:
                raise _unreadable(
                    f"部件 {part} 不是有效的 XML（{exc}）", f"part {part} is not valid XML ({exc})"
                ) from None
            if not chunk:
                return


_DIGITS = "0123456789"
_SCAN_SLICE = 4 * 1024 * 1024


def _read_sheet_tree(package: Package, part: str, rd: _SheetReader) -> None:
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
    for row in _iter_elements(package, part, ("row",)):
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
            for child in c:
                tag = child.tag
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
                t = c.get("t")
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


def _finish_sheet(rd: _SheetReader) -> None:
    """Shared-formula children seen before their master; array extents."""
    sheet = rd.sheet
    formulas = sheet.formulas
    for coord, si in rd.pending:
        group = rd.shared.get(si)
        if group is None:  # its formula is lost: computing it blank would be a wrong value
            raise _unreadable(
                f"部件 {rd.part} 单元格 {to_ref(coord)} 的共享公式 si={si!r} 没有主单元格",
                f"part {rd.part} cell {to_ref(coord)}: shared formula si={si!r} has no "
                "master cell (the cell that holds its text)",
            )
        formulas[coord] = Formula.shared(group, coord)
    # an array formula occupies its whole range even where no cell is written yet
    for f in formulas.values():
        if f.ref and ":" in f.ref:
            try:
                _first, last = _parse_range(f.ref.replace("$", ""))
            except ValueError:
                continue
            sheet.max_row = max(sheet.max_row, last[0])
            sheet.max_col = max(sheet.max_col, last[1])


class _NullTarget:
    """A parser target that keeps nothing: lxml checks well-formedness at C speed."""

    def close(self) -> None:
        return None


def _check_well_formed(data: bytes, part: str, limits: Limits) -> None:
    check_prolog(data[: limits.max_prolog + 1024], part, limits)
    parser = etree.XMLParser(
        target=_NullTarget(),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _unreadable(
            f"部件 {part} 不是有效的 XML（{exc}）", f"part {part} is not valid XML ({exc})"
        ) from None


#: Sheets at least this large are checked for well-formedness on a second
#: thread while the scanner reads them (lxml parses without the GIL).
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
        _check_well_formed(data, part, limits)
        yield
        return
    failure: list[Exception] = []

    def check() -> None:
        try:
            _check_well_formed(data, part, limits)
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


def _cell_format_count(package: Package) -> int:
    """How many cell formats (``cellXfs/xf``) the styles part defines; 1 (the
    default format Excel assumes) when the workbook has no styles part. A
    styles relationship whose part is missing is refused, naming it."""
    for rel_type, target in package.workbook_rels.values():
        if rel_type.endswith("/styles"):
            if not package.has(target):
                raise _unreadable(
                    f"{package.path.name} 缺少样式部件 {target}",
                    f"{package.path.name}: its styles part {target} is missing",
                )
            count = 0
            for _xf in _iter_elements(package, target, ("cellXfs",)):
                count = max(count, sum(1 for c in _xf if _local(c.tag) == "xf"))
                _xf.clear(keep_tail=False)
            return max(count, 1)
    return 1


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
    rb'<row r="([0-9]*[^0-9"][^"]*|[0-9]{8,}|' + _at_least(MAX_ROW + 1) + rb')"'
)
_ROW_R_ANY_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([^"]*)"')
_SPANS_BAD_RE = re.compile(rb' spans="([0-9: ]*[^0-9: "][^"]*)"')
_COL_RE = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")


def check_sheet_markup(data: bytes, part: str, n_styles: int) -> None:
    """Refuse a worksheet whose row numbers, ``spans``, ``<col>`` ranges or cell
    format indexes (``s``) are not what the schema says, naming part and attribute."""
    m = _ROW_R_BAD_RE.search(data)
    if m is None and data.count(b"row ") != data.count(b'row r="'):
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
    m = _SPANS_BAD_RE.search(data)
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
    m = re.search(
        rb' s="([0-9]{%d,}|[0-9]*[^0-9"][^"]*|%s)"' % (len(str(n_styles)) + 1, _at_least(n_styles)),
        data,
    )
    if m is not None:
        raise _bad_attribute(part, f"<c s> (the styles define {n_styles} cell formats)", m.group(1))


def _bad_attribute(part: str, what: str, raw: bytes) -> UnreadableWorkbookError:
    return _unreadable(
        f"部件 {part} 的 {what} 值 {raw[:40]!r} 无效", f"part {part}: {what} is invalid: {raw[:40]!r}"
    )


def _read_sheet(package: Package, part: str, rd: _SheetReader) -> None:
    """Read one worksheet part: the fast scanner when the XML has the shape every
    spreadsheet application writes, else the general element-by-element reader."""
    data = package.read(part)
    with _well_formed_meanwhile(data, part, package.limits):
        check_sheet_markup(data, part, rd.n_styles)
        _read_hidden_rows(data, rd.sheet)
        scanned = _scan_sheet(data, rd, part)
    if not scanned:
        rd.sheet.values.clear()
        rd.sheet.formulas.clear()
        rd.shared.clear()
        rd.pending.clear()
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
            (top, _), (bottom, _) = _parse_range(f.group(1).decode("ascii", "replace"))
        except ValueError:
            return
        sheet.filtered_rows = frozenset(r for r in hidden if top < r <= bottom)


def _scan_sheet(data: bytes, rd: _SheetReader, part: str) -> bool:
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
    if data.find(b"<!--", start, end) >= 0 or data.find(b"<![CDATA[", start, end) >= 0:
        return False
    expected = data.count(sc.start, start, end)
    if sc.odd_start.search(data, start, end) is not None:
        expected += sum(data.count(s, start, end) for s in sc.odd_starts)
    elif data.find(b"<?", start, end) < 0:
        scan = scan_columns(data, start, end, prefix, rd.strings, rd.formula_values)
        if scan is not None and len(scan.keys) == expected:
            if _scan_cells(data, rd, part, sc, scan.rest, start, end):
                _take_columns(rd, scan)
                return True
            rd.sheet.values.clear()
            rd.sheet.formulas.clear()
            rd.shared.clear()
            rd.pending.clear()
    return _scan_cells(data, rd, part, sc, None, start, end, expected)


def _take_columns(rd: _SheetReader, scan: ColumnScan) -> None:
    """Put what the column scanner read into the sheet beside the cells read
    one by one: the value columns, and the formulas written as their own
    text (the formulas kept in the file's order)."""
    sheet = rd.sheet
    cells = sheet.values
    assert isinstance(cells, dict)  # the reader's own, filled one by one
    sheet.values = CellValues(scan.columns, cells)
    last_row, last_col = scan.columns.extent()
    if scan.formulas:
        formulas = sheet.formulas
        mixed = bool(formulas)
        for coord, text in scan.formulas:
            formulas[coord] = Formula(text)
        if mixed:
            sheet.formulas = dict(sorted(formulas.items()))
        last_row = max(last_row, scan.formula_extent[0])
        last_col = max(last_col, scan.formula_extent[1])
    sheet.max_row = max(sheet.max_row, last_row)
    sheet.max_col = max(sheet.max_col, last_col)


def _scan_cells(
    data: bytes,
    rd: _SheetReader,
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
                im = inner_re.match(inner)
                assert im is not None  # every group is optional
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
        match = sc.scan_cell.match
        batch = []
        for offset in only:
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
    return _unreadable(
        f"部件 {part} 单元格 {to_ref(coord)} 的值 {raw[:40]!r} 无效",
        f"part {part} cell {to_ref(coord)} has an invalid value {raw[:40]!r}",
    )


def _bad_cell(part: str, ref: str) -> UnreadableWorkbookError:
    return _unreadable(
        f"部件 {part} 中的单元格地址 {ref!r} 无效",
        f"part {part} has an invalid cell address {ref!r}",
    )


def _read_formula(
    rd: _SheetReader, coord: Coord, c: etree._Element, f_el: etree._Element, part: str
) -> None:
    _add_formula(rd, coord, f_el.attrib, f_el.text or "", c.get("cm"))


def _add_formula(
    rd: _SheetReader, coord: Coord, fattrs: Mapping[str, str], text: str, cm: str | None
) -> None:
    """Record the formula of cell ``coord`` (``fattrs``: the ``<f>`` attributes)."""
    ftype = fattrs.get("t")
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
    # an empty <f ca="1"/> is what Excel writes into the spill cells of a volatile
    # dynamic array: the cell holds a spilled value, not a formula


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
        return to_ref(coord)
    try:
        first, last = _parse_range(ref.replace("$", ""))
    except ValueError:
        first = last = (0, 0)
    if first != coord or last[0] < first[0] or last[1] < first[1]:
        raise _unreadable(
            f"部件 {part} 单元格 {to_ref(coord)} 的数组公式区域 ref={ref[:40]!r} 无效",
            f"part {part} cell {to_ref(coord)}: the array formula's ref={ref[:40]!r} is not "
            "a range starting at that cell",
        )
    cells = (last[0] - first[0] + 1) * (last[1] - first[1] + 1)
    if cells > MAX_ARRAY_CELLS:
        raise _unreadable(
            f"部件 {part} 单元格 {to_ref(coord)} 的数组公式区域 {ref} 有 {cells:,} 个单元格，"
            f"超过上限 {MAX_ARRAY_CELLS:,}",
            f"part {part} cell {to_ref(coord)}: the array formula's range {ref} covers "
            f"{cells:,} cells, more than the limit of {MAX_ARRAY_CELLS:,}",
        )
    return ref


def to_ref(coord: Coord) -> str:
    return f"{col_letters(coord[1])}{coord[0]}"


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
                return _rich_text(is_el)
            return decode_xstring(v or "")
        if t == "b":
            return (v or "").strip() in ("1", "true")
        if t == "e":
            err = parse_error((v or "").strip())
            return err if err is not None else ExcelError("#VALUE!")
        if t == "d":
            return _iso_to_serial(v or "", date1904) if v else None
    except ValueError as exc:
        raise _unreadable(
            f"部件 {part} 单元格 {to_ref(coord)} 的值无效（{exc}）",
            f"part {part} cell {to_ref(coord)} has an invalid value ({exc})",
        ) from None
    raise _unreadable(
        f"部件 {part} 单元格 {to_ref(coord)} 的类型 {t!r} 未知",
        f"part {part} cell {to_ref(coord)} has an unknown type {t!r}",
    )


# ---------------------------------------------------------------------------
# Links to other workbooks (xl/externalLinks/externalLinkN.xml); the writer's
# side, updating their cached values, is addin.xlsx.external
# ---------------------------------------------------------------------------

_EXTERNAL_LINK_REL = "/externalLink"


def _external_target(package: Package, part: str) -> str:
    """The ``TargetMode="External"`` target of ``part``'s relationships."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if not package.has(rels):
        return ""
    for rel in package.parse(rels):
        if _local(rel.tag) == "Relationship" and rel.get("TargetMode") == "External":
            return rel.get("Target") or ""
    return ""


def _value(t: str | None, v: str | None) -> CellValue:
    if v is None:
        return None
    if t == "str" or t == "s" or t == "inlineStr":
        return decode_xstring(v)
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return parse_error(v.strip()) or ExcelError("#REF!")
    try:
        return float(v)
    except ValueError:
        return decode_xstring(v)


def read_external_links(package: Package, root: etree._Element) -> list[ExternalLink]:
    """The workbook's external links, ``index`` 1, 2 … in ``workbook.xml`` order:
    each ``<externalReference>`` (formulas write the N-th as ``[N]Sheet!A1``),
    its part, the linked file (the part's relationship with
    ``TargetMode="External"``), the linked sheets, the values Excel cached for
    the cells it read, and the linked book's defined names."""
    out: list[ExternalLink] = []
    for i, ref in enumerate(_children(root, "externalReferences", "externalReference"), start=1):
        rel = package.workbook_rels.get(_rel_id(ref) or "")
        if rel is None or not rel[0].endswith(_EXTERNAL_LINK_REL) or not package.has(rel[1]):
            continue
        part = rel[1]
        link_root = package.parse(part)
        sheets = tuple(
            s.get("val") or "" for s in _children(link_root, "externalBook", "sheetNames", "sheetName")
        )
        values: dict[str, dict[Coord, CellValue]] = {}
        for data in _children(link_root, "externalBook", "sheetDataSet", "sheetData"):
            try:
                sheet = sheets[int(data.get("sheetId") or "0")]
            except (ValueError, IndexError):
                continue
            cells = values.setdefault(sheet, {})
            for cell in (c for row in data for c in row if _local(c.tag) == "cell"):
                try:
                    coord = from_a1(cell.get("r") or "")
                except ValueError:
                    continue
                v = next((c.text for c in cell if _local(c.tag) == "v"), None)
                cells[coord] = _value(cell.get("t"), v)
        names = {
            dn.get("name") or "": (dn.get("refersTo") or "").lstrip("=")
            for dn in _children(link_root, "externalBook", "definedNames", "definedName")
        }
        out.append(ExternalLink(i, part, _external_target(package, part), sheets, values, names))
    return out
