"""The zip layer of an Excel package (``.xlsx`` / ``.xlsm``): the input file,
the checks made before anything is inflated, bounded reads of its parts, and
the package's relationships.

:func:`open_package` checks that a file is a workbook package we can read
safely *before* anything is inflated: a zip (not ``.xls``, not an encrypted
OLE2 container, not truncated), with sane entry names (no path traversal, no
duplicates), stored or deflated entries only, and declared sizes within
:class:`Limits` (total, per entry, compression ratio) so a zip bomb is refused
up front. Reads go through :mod:`zipfile`, which never inflates an entry past
its declared size (and checks the CRC), and through :class:`_InflateGuard`,
which stops an entry the moment it inflates past the limits, so the sizes
really bound memory. XML parts are parsed safely (:mod:`addin.xlsx.safexml`):
entity resolution, DTD loading and network access off, ``huge_tree`` off, and
a ``<!DOCTYPE`` in a part refused outright (billion laughs, external
entities) — :func:`check_xml_prologs` checks every XML part's prolog, read or
only copied.

Reading the parts is one module per part: :mod:`addin.xlsx.workbook` (which
locates the sheets and orchestrates :func:`~addin.xlsx.workbook.read_workbook`),
:mod:`addin.xlsx.worksheets`, :mod:`addin.xlsx.shared_strings`,
:mod:`addin.xlsx.styles`, :mod:`addin.xlsx.metadata`,
:mod:`addin.xlsx.tables`, :mod:`addin.xlsx.external_links`.

Everything that goes wrong with the *file* becomes
:class:`~addin.xlsx.model.UnreadableWorkbookError` with a message in Chinese
and English; bugs in this module still surface as ordinary exceptions.
"""

from __future__ import annotations

import gc
import io
import os
import posixpath
import re
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from addin.xlsx.model import UnreadableWorkbookError, unreadable
from addin.xlsx.safexml import (
    MAIN_NS,
    MAX_PROLOG,
    SAFE_PARSING,
    check_prolog,
    local_name,
    safe_parser,
)

__all__ = [
    "CONTENT_TYPES",
    "CONTENT_TYPES_ROOT",
    "DEFAULT_LIMITS",
    "END_RECORD_SIG",
    "LOCAL_HEADER_SIG",
    "RELATIONSHIPS_ROOT",
    "InputFile",
    "Limits",
    "Package",
    "SheetPart",
    "check_workbook_file",
    "check_xml_prologs",
    "gc_paused",
    "iter_elements",
    "open_package",
    "read_input",
    "rels_part",
    "resolve_target",
]

#: the part naming every other part's content type (every package has one)
CONTENT_TYPES = "[Content_Types].xml"
#: the root element of ``[Content_Types].xml`` (OPC; the same in ISO strict)
CONTENT_TYPES_ROOT = "{http://schemas.openxmlformats.org/package/2006/content-types}Types"
#: the root element of every relationships part (OPC; the same in ISO strict)
RELATIONSHIPS_ROOT = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationships"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the signatures of a zip entry's local header and of the end record
LOCAL_HEADER_SIG = b"PK\x03\x04"
END_RECORD_SIG = b"PK\x05\x06"
_ZIP_MAGICS = (LOCAL_HEADER_SIG, END_RECORD_SIG)  # an empty zip starts with its end record
#: an XML Schema ID (an NCName): what a relationship's ``Id`` must be
_XML_ID = re.compile(r"[^\W\d][\w.\-]*")


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
    max_prolog: int = MAX_PROLOG  # bytes before an XML part's root element


DEFAULT_LIMITS = Limits()


#: what :mod:`zipfile` raises for a damaged archive: bad headers and CRCs, a
#: truncated stream, negative or impossible offsets (``ValueError``, ``OSError``
#: EINVAL from seek), an unknown version or method (``NotImplementedError``)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError)


@dataclass(frozen=True)
class SheetPart:
    """A worksheet as listed in ``workbook.xml``: its name and its zip entry."""

    name: str
    part: str  # zip entry name, e.g. "xl/worksheets/sheet1.xml"
    state: str = "visible"


class Package:
    """An opened, checked workbook package. Use :func:`open_package`, or
    :func:`addin.xlsx.workbook.open_workbook`, which also fills in where the
    workbook part, its relationships and its worksheets are
    (``workbook_part``, ``workbook_rels``, ``sheet_parts``).

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
            raise unreadable(f"工作簿缺少部件 {name}", f"the package has no part {name}") from None
        try:
            stream = self.zip.open(info)
        except _ZIP_ERRORS as exc:
            raise unreadable(
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
        check_prolog(data[: self.limits.max_prolog + 1024], name, self.limits.max_prolog)
        parser = safe_parser()
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise unreadable(
                f"部件 {name} 不是有效的 XML（{exc}）", f"part {name} is not valid XML ({exc})"
            ) from None

    def external_rels(self, part: str) -> frozenset[str]:
        """The ids of ``part``'s relationships that point outside the package
        (``TargetMode="External"``), which :meth:`rels` leaves out."""
        rels_name = rels_part(part)
        if not self.has(rels_name):
            return frozenset()
        return frozenset(
            rel.get("Id") or ""
            for rel in self.parse_rels(rels_name)
            if local_name(rel.tag) == "Relationship" and rel.get("TargetMode") == "External"
        )

    def parse_rels(self, rels_name: str) -> etree._Element:
        """A relationships part, refused naming it unless its root is OPC's
        ``<Relationships>``: read by local names alone, a part whose namespace
        is gone (``xmlns=""``) still found the workbook here, and the output
        carrying it unchanged opened neither in Excel nor LibreOffice (found
        by ``make fuzz``)."""
        root = self.parse(rels_name)
        if root.tag != RELATIONSHIPS_ROOT:
            raise unreadable(
                f"部件 {rels_name} 的根元素 {root.tag!r} 不是包关系 <Relationships>（命名空间错误），"
                "Excel 无法打开",
                f"part {rels_name}: its root {root.tag!r} is not the package's <Relationships> "
                "(wrong namespace); Excel cannot open it",
            )
        ids: set[str] = set()
        for rel in root:
            if not isinstance(rel.tag, str) or local_name(rel.tag) != "Relationship":
                continue
            rid = rel.get("Id") or ""
            if not _XML_ID.fullmatch(rid) or rid in ids:  # an xsd:ID, unique in its part
                raise unreadable(
                    f"部件 {rels_name} 的关系 Id={rid!r} 为空、无效或重复，Excel 无法打开",
                    f"part {rels_name}: relationship Id={rid!r} is empty, invalid or repeated; "
                    "Excel cannot open it",
                )
            ids.add(rid)
        return root

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part``: id → (type, resolved target part)."""
        folder = posixpath.dirname(part)
        rels_name = rels_part(part)
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self.parse_rels(rels_name):
            if local_name(rel.tag) != "Relationship":
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
        raise unreadable(
            f"部件 {name} 已损坏（{exc}）", f"part {name} is corrupt ({exc})"
        ) from None


def resolve_target(folder: str, target: str) -> str:
    """A relationship target relative to ``folder`` as a zip entry name."""
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == "..":
        raise unreadable(
            f"关系目标 {target} 指向包外",
            f"relationship target {target} points outside the package",
        )
    return normal


def check_workbook_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Check that ``path`` is a workbook package that is safe to read.

    Raises :class:`UnreadableWorkbookError` (Chinese and English message) for a
    missing file, an ``.xls`` or encrypted workbook, something that is not a
    zip, a truncated zip, hostile entry names or a zip bomb. Nothing is
    inflated. The validator calls this too.
    """
    with open_package(path, limits):
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
        raise unreadable(f"找不到文件 {path}", f"no such file: {path}") from None
    except OSError as exc:
        raise unreadable(
            f"无法打开 {path}（{exc.strerror}）", f"cannot open {path} ({exc.strerror})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise unreadable(f"{path} 是文件夹", f"{path} is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise unreadable(
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
        raise unreadable(
            f"{path.name} 有 {st.st_size} 字节，超过上限 {limits.max_total_size}",
            f"{path.name} has {st.st_size} bytes, more than the limit {limits.max_total_size}",
        )
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise unreadable(
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
    data: bytes | InputFile | None = None,
) -> Package:
    """Open and check a package as a zip; see :func:`check_workbook_file`.

    Its workbook part and sheets are not located
    (:func:`addin.xlsx.workbook.open_workbook` does that). With ``data`` the
    package is read from those bytes, or from the file :func:`read_input`
    opened, and ``path`` only names it in messages.
    """
    path = Path(path)
    if data is None:
        _regular_file(path)
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise unreadable(
                f"无法打开 {path}（{exc.strerror}）", f"cannot open {path} ({exc.strerror})"
            ) from None
    elif isinstance(data, InputFile):
        head = data.read_at(0, 8)
    else:
        head = data[:8]
    if head.startswith(_OLE2_MAGIC):
        raise _ole2_error(path)
    if not head.startswith(_ZIP_MAGICS):
        raise unreadable(
            f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm）",
            f"{path.name} is not an Excel workbook (.xlsx/.xlsm)",
        )
    try:
        source: Path | IO[bytes] = (
            path if data is None else data.reader() if isinstance(data, InputFile) else io.BytesIO(data)
        )
        zf = zipfile.ZipFile(source)
    except _ZIP_ERRORS as exc:
        raise unreadable(
            f"{path.name} 已损坏或不完整（{exc}）",
            f"{path.name} is corrupt or truncated ({exc})",
        ) from None
    package = Package(path, zf, limits)
    try:
        _check_entries(package)
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
        return unreadable(
            f"{path.name} 已加密（设有打开密码），请在 Excel 中取消密码后另存",
            f"{path.name} is encrypted (password to open); remove the password in Excel and save again",
        )
    return unreadable(
        f"{path.name} 是旧版 .xls（Excel 97-2003）格式，请在 Excel 中另存为 .xlsx",
        f"{path.name} is a legacy .xls (Excel 97-2003) file; save it as .xlsx in Excel",
    )


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _check_entries(package: Package) -> None:
    limits = package.limits
    name = package.path.name
    infos = package.infos
    if len(infos) > limits.max_entries:
        raise unreadable(
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
            raise unreadable(
                f"{name} 含有可疑的部件名 {entry!r}（路径穿越），拒绝读取",
                f"{name} has a suspicious entry name {entry!r} (path traversal); refused",
            )
        if entry in seen:
            raise unreadable(
                f"{name} 含有重复的部件 {entry!r}", f"{name} has a duplicate entry {entry!r}"
            )
        seen.add(entry)
        if info.flag_bits & 0x1:
            raise unreadable(
                f"{name} 的部件 {entry} 已加密", f"entry {entry} of {name} is encrypted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unreadable(
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
    if CONTENT_TYPES not in seen:
        raise unreadable(
            f"{name} 是 zip 文件，但不是 Excel 工作簿（缺少 [Content_Types].xml）",
            f"{name} is a zip file but not an Excel workbook (no [Content_Types].xml)",
        )
    _check_local_headers(package)


_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
#: the general-purpose flags that say an entry is encrypted (bit 0; bit 6, strong encryption)
_ENCRYPTED = 0x1 | 0x40


def _check_local_headers(package: Package) -> None:
    """Each entry's local header must agree with its central-directory record
    (name, compression, encryption, CRC and sizes, on disk 0). Readers that trust the
    central directory (zipfile, this reader) pass a header whose CRC or disk
    number was damaged, the writer copies that header with the entry, and the
    output opens nowhere (LibreOffice checks the local header; found by
    ``make fuzz``): such a package is refused naming the entry and field.
    Reads 30 bytes and a name per entry."""
    fh = package.zip.fp
    assert fh is not None  # an open ZipFile has its file
    name = package.path.name
    for info in package.infos:
        head = b""
        if info.header_offset >= 0:  # zipfile shifts offsets by a prefix it infers: may go below 0
            fh.seek(info.header_offset)
            head = fh.read(_LOCAL_HEADER.size)
        field = None
        if info.volume != 0:
            field = f"disk number {info.volume}"
        elif len(head) < _LOCAL_HEADER.size:
            field = f"local header offset {info.header_offset}"
        else:
            sig, _ver, flags, method, _t, _d, crc, csize, usize, n, _m = _LOCAL_HEADER.unpack(head)
            local_name = fh.read(n)
            wanted = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
            if sig != LOCAL_HEADER_SIG:
                field = "local header signature"
            elif local_name != wanted:
                field = "name"
            elif method != info.compress_type:
                field = "compression method"
            elif (flags ^ info.flag_bits) & _ENCRYPTED:  # LibreOffice then cannot read it
                field = "encryption flag"
            elif not flags & 0x8 and crc != info.CRC:
                field = "CRC"
            elif not flags & 0x8 and 0xFFFFFFFF not in (csize, usize) and (
                csize != info.compress_size or usize != info.file_size
            ):
                field = "size"
        if field is not None:
            raise unreadable(
                f"{name} 的部件 {info.filename} 已损坏：本地文件头与中央目录的 {field} 不一致",
                f"entry {info.filename} of {name} is corrupt: its local header and the central "
                f"directory disagree ({field})",
            )


def _read_as_xml(entry: str) -> bool:
    """Whether a command may hold part ``entry`` in memory to read it: the XML
    parts and relationships. Every other part (images, video, VBA projects) is
    only ever copied and checked a piece at a time, so the per-part budget
    ``max_entry_size`` bounds the XML parts up front; the others are bounded by
    the total budget (an honest 900 MB video in a workbook is refreshed)."""
    return entry.lower().endswith((".xml", ".rels"))


def _bomb(name: str, zh: str, en: str) -> UnreadableWorkbookError:
    return unreadable(
        f"{name} 疑似压缩炸弹：{zh}，拒绝读取", f"{name} looks like a zip bomb: {en}; refused"
    )


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (``xl/_rels/workbook.xml.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


#: parts whose first bytes are checked for a DTD whether or not a command reads
#: them (the writer copies them into its output as they are)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def check_xml_prologs(package: Package) -> None:
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
        check_prolog(head, info.filename, package.limits.max_prolog)


def _corrupt_part(part: str, exc: BaseException) -> UnreadableWorkbookError:
    return unreadable(f"部件 {part} 已损坏（{exc}）", f"part {part} is corrupt ({exc})")


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


_CHUNK = 1 << 20


def iter_elements(package: Package, part: str, names: tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the elements called ``names`` (local names) of an XML part.

    Memory stays proportional to one element, not the part: each wanted
    element is removed from the tree once the caller has had it, and so is
    every worksheet row (``<row>``, the bulk of a sheet part) as it ends,
    wanted or not — a tag filter alone leaves every other element in the tree:
    a million rows kept while looking for the data validations after them.
    """
    wanted = frozenset(f"{{{ns}}}{n}" for ns in MAIN_NS for n in names) | frozenset(names)
    bulk = [f"{{{ns}}}row" for ns in MAIN_NS] + ["row"]
    parser = etree.XMLPullParser(
        events=("end",),
        tag=sorted(wanted | frozenset(bulk)),
        remove_comments=True,
        **SAFE_PARSING,
    )
    with package.open(part) as stream:
        first = True
        while True:
            try:
                chunk = stream.read(_CHUNK)
            except _ZIP_ERRORS as exc:
                raise _corrupt_part(part, exc) from None
            if first:
                check_prolog(chunk[: package.limits.max_prolog + 1024], part, package.limits.max_prolog)
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
                raise unreadable(
                    f"部件 {part} 不是有效的 XML（{exc}）", f"part {part} is not valid XML ({exc})"
                ) from None
            if not chunk:
                return
