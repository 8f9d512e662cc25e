"""The hostile corpus: damaged and hostile workbooks generated here (no binaries
in the repository), every ``jixiao`` command that reads a workbook run on each,
and the table of what happened.

Each case is a builder writing one file, and the exit code ``refresh`` must give
(the other commands must give an exit code of their own documented set, never 3).
Every run is a child forked from one process that has imported every command
already (so a run costs its own work, not Python's start-up), with a time cap,
an address-space cap (``RLIMIT_AS``, a safety net) and its peak resident memory
measured (``ru_maxrss`` from ``wait4``; it includes the memory the parent had
when it forked, ~150 MB, so it is an upper bound). Every workbook a run writes
is opened in openpyxl, and all of them in one LibreOffice run (under a memory
and a time cap: :mod:`soffice_helpers`).

**Scale.** The size budgets of :class:`addin.xlsx.package.Limits` (1 GB in
all, 512 MB a part, the ratio check from 10 MB) are what the big cases cross.
``--scale N`` divides those budgets by N *in the children only* (the one
test-only setting: the shared ``DEFAULT_LIMITS`` is changed after the fork)
and divides the size of every size-bound case by N too, so each case still
crosses the same limit, at 1/N of the bytes. ``make test`` runs
``--scale 64`` (tests/test_hostile_corpus.py, about two minutes); ``make
fuzz`` runs ``--scale 1`` (1 GB bombs, 150 sheets of 10.4 MB, a 900 MB stored
part, a million shared-formula rows) plus mutants of bytes, XML and formula
text and of the structure (``--fuzz 100 --fuzz-kinds all``).

``python tests/hostile_corpus.py [--scale N] [--fuzz M]`` prints the table.

恶意与损坏文件语料：由本脚本生成，每个命令逐一运行，记录退出码、内存峰值与用时。
"""

from __future__ import annotations

import io
import os
import random
import re
import resource
import signal
import struct
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from hostile_files import (  # noqa: E402
    _CONTENT_TYPES,
    _ROOT_RELS,
    _SHEET,
    _WORKBOOK,
    _WORKBOOK_RELS,
    HOSTILE,
)

__all__ = ["CASES", "COMMANDS", "Case", "Run", "build", "run_corpus", "table"]

MB = 1024 * 1024
#: every run must stay under this peak resident memory …
MEMORY_CAP = 1024 * MB
#: … and finish within this many seconds (a hang is a failure, not a wait)
TIME_CAP = 120.0
#: the address-space limit each child runs under (a runaway is stopped, not the machine)
ADDRESS_SPACE = 6 * 1024 * MB

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def package(parts: dict[str, str | bytes | None], compresslevel: int | None = None) -> bytes:
    """A zip of ``parts`` (``None`` leaves a part out)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        for name, data in parts.items():
            if data is not None:
                z.writestr(name, data)
    return buf.getvalue()


BASE: dict[str, str | bytes | None] = {
    "[Content_Types].xml": _CONTENT_TYPES,
    "_rels/.rels": _ROOT_RELS,
    "xl/workbook.xml": _WORKBOOK,
    "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
    "xl/worksheets/sheet1.xml": _SHEET,
}


def sheet(inner: str | bytes, head: str = "") -> bytes:
    """A worksheet part around ``inner`` (the rows), after ``head`` (``<cols>`` …)."""
    body = inner.encode() if isinstance(inner, str) else inner
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">{head}<sheetData>'.encode()
        + body
        + b"</sheetData></worksheet>"
    )


#: short names of the parts a case replaces
PARTS = {
    "sheet": "xl/worksheets/sheet1.xml",
    "workbook": "xl/workbook.xml",
    "wbrels": "xl/_rels/workbook.xml.rels",
    "rootrels": "_rels/.rels",
    "ct": "[Content_Types].xml",
    "styles": "xl/styles.xml",
    "image": "xl/media/image1.png",
}


def variant(**parts: str | bytes | None) -> bytes:
    """The base workbook with some parts (by their :data:`PARTS` names) replaced."""
    merged = dict(BASE)
    for key, value in parts.items():
        merged[PARTS[key]] = value
    return package(merged)


def _one(formula: str, a1: str = "<v>1</v>") -> bytes:
    return sheet(f'<row r="1"><c r="A1">{a1}</c><c r="B1"><f>{formula}</f><v>0</v></c></row>')


def _names_chain(n: int) -> bytes:
    names = "".join(f'<definedName name="nm_{i}">nm_{i + 1}+1</definedName>' for i in range(n))
    names += f'<definedName name="nm_{n}">1</definedName>'
    return variant(
        workbook=_WORKBOOK.replace("</sheets>", f"</sheets><definedNames>{names}</definedNames>"),
        sheet=sheet('<row r="1"><c r="A1"><f>nm_0</f><v>0</v></c></row>'),
    )


def _inflating_sheet(inflated: int) -> bytes:
    """A sheet of ``inflated`` bytes that deflates about 150:1: under the ratio
    check (200:1), so only the size budgets stop it (one random number per
    ~2 KB of padding)."""
    rng = random.Random(153)
    pieces: list[bytes] = []
    size = 0
    while size < inflated:
        piece = b'<row r="1"><c r="A1"><v>%d</v></c></row>' % rng.randrange(10**12) + b" " * 1900
        pieces.append(piece)
        size += len(piece)
    return package({**BASE, "xl/worksheets/sheet1.xml": sheet(b"".join(pieces))}, 6)


def _spaces_sheet(inflated: int) -> bytes:
    return package(
        {**BASE, "xl/worksheets/sheet1.xml": sheet(b" " * inflated)}, compresslevel=9
    )


def _many_sheets(count: int, each: int) -> bytes:
    """``count`` sheets of ``each`` bytes each (every one under the ratio check)."""
    parts: dict[str, str | bytes | None] = dict(BASE)
    sheets = "".join(
        f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, count + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    parts["xl/workbook.xml"] = re.sub(r"<sheets>.*</sheets>", f"<sheets>{sheets}</sheets>", _WORKBOOK)
    parts["xl/_rels/workbook.xml.rels"] = re.sub(
        r"<Relationship .*?/>", rels, _WORKBOOK_RELS, count=1
    )
    body = sheet('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * each)
    for i in range(1, count + 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = body
    return package(parts, compresslevel=9)


def _stored_media(size: int) -> bytes:
    """A sound workbook carrying ``size`` bytes of stored (uncompressed) media."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in BASE.items():
            if data is not None:
                z.writestr(name, data)
        info = zipfile.ZipInfo("xl/media/video.bin")
        info.compress_type = zipfile.ZIP_STORED
        with z.open(info, "w", force_zip64=size > 0x7FFFFFFF) as fh:
            chunk = bytes(range(256)) * 4096
            left = size
            while left > 0:
                fh.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
    return buf.getvalue()


def _lying_size() -> bytes:
    """An unused part whose headers declare a size its data does not have."""
    data = bytearray(variant(image=b"\x89PNG" + bytes(5000)))
    name = b"xl/media/image1.png"
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            n_at = 26 if sig == b"PK\x03\x04" else 28
            n = struct.unpack("<H", data[pos + n_at : pos + n_at + 2])[0]
            head = 30 if sig == b"PK\x03\x04" else 46
            if data[pos + head : pos + head + n] == name:
                data[pos + at : pos + at + 4] = struct.pack("<I", 4000)  # really 5004
            pos += 4
    return bytes(data)


def _header_damage(sig: bytes, at: int, value: bytes, name: bytes = b"_rels/.rels") -> bytes:
    """The base workbook with bytes at offset ``at`` of ``name``'s local header
    (``sig`` PK\\3\\4) or central record (PK\\1\\2) replaced by ``value``."""
    data = bytearray(package(dict(BASE)))
    n_at, head = (26, 30) if sig == b"PK\x03\x04" else (28, 46)
    pos = 0
    while (pos := data.find(sig, pos)) >= 0:
        n = struct.unpack("<H", data[pos + n_at : pos + n_at + 2])[0]
        if data[pos + head : pos + head + n] == name:
            data[pos + at : pos + at + len(value)] = value
        pos += 4
    return bytes(data)


def _central_directory_moved() -> bytes:
    """The base workbook whose end record says the central directory starts 16 KB
    later than it does: zipfile infers a 16 KB prefix and every entry's offset
    goes below zero (make fuzz: exit 3, 'Invalid argument' seeking)."""
    data = bytearray(package(dict(BASE)))
    at = data.rfind(b"PK\x05\x06") + 16
    data[at : at + 4] = struct.pack("<I", struct.unpack("<I", data[at : at + 4])[0] + 16384)
    return bytes(data)


def _shared_rows(rows: int) -> bytes:
    """``rows`` rows of one shared formula (a validate-on-a-million-rows case)."""
    first = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B{0}" si="0">A1*2</f></c></row>'
    body = [first.format(rows).encode()]
    body += [
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><f t="shared" si="0"/></c></row>'
        % (r, r, r, r)
        for r in range(2, rows + 1)
    ]
    return package({**BASE, "xl/worksheets/sheet1.xml": sheet(b"".join(body))})


_PEOPLE_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _people(count: int) -> bytes:
    """``count`` people under a header row, each row with formulas of its own
    as openpyxl writes them (filled down cell by cell, no cached values, bold
    headers, money formatted): 工号, 姓名, 销售额, 提成 ``IF(C2>10000,C2*0.05,
    C2*0.03)``, 实发 ``ROUND(D2*0.9,2)``."""
    head = "".join(
        f'<c r="{c}1" s="1" t="inlineStr"><is><t>{h}</t></is></c>'
        for c, h in zip("ABCDE", ("工号", "姓名", "销售额", "提成", "实发"), strict=True)
    )
    body = [f'<row r="1">{head}</row>'.encode()]
    body += [
        (
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>E{r:07d}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>员工{r}</t></is></c>'
            f'<c r="C{r}" s="2"><v>{(r * 7919) % 30000}.5</v></c>'
            f'<c r="D{r}" s="2"><f>IF(C{r}&gt;10000,C{r}*0.05,C{r}*0.03)</f><v></v></c>'
            f'<c r="E{r}" s="2"><f>ROUND(D{r}*0.9,2)</f><v></v></c></row>'
        ).encode()
        for r in range(2, count + 2)
    ]
    styles_rel = (
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    styles_type = (
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    )
    return package({
        **BASE,
        "[Content_Types].xml": _CONTENT_TYPES.replace("</Types>", styles_type),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.replace("</Relationships>", styles_rel),
        "xl/styles.xml": _PEOPLE_STYLES,
        "xl/worksheets/sheet1.xml": sheet(b"".join(body), '<cols><col min="1" max="5" width="12" customWidth="1"/></cols>'),
    })  # fmt: skip


def _rich() -> bytes:
    """A sound two-sheet workbook with every part structural mutation can
    damage: shared strings, styles (``<xf>``), defined names, a shared formula,
    rows of several cells (the base of ``--fuzz-kinds structure``)."""
    people = zipfile.ZipFile(io.BytesIO(_people(4)))
    parts: dict[str, str | bytes | None] = {i.filename: people.read(i) for i in people.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(  # type: ignore[union-attr]
        b"</Types>",
        b'<Override PartName="/xl/worksheets/sheet2.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(  # type: ignore[union-attr]
        b"</Relationships>",
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        b'Target="worksheets/sheet2.xml"/>'
        b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>',
    )
    parts["xl/workbook.xml"] = _WORKBOOK.replace(
        "</sheets>",
        '<sheet name="汇总" sheetId="2" r:id="rId2"/></sheets><definedNames>'
        '<definedName name="rate">0.05</definedName>'
        '<definedName name="total" localSheetId="1">Sheet1!$E$2:$E$5</definedName></definedNames>',
    )
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_NS}" count="2" uniqueCount="2">'
        "<si><t>合计</t></si><si><t>提成率</t></si></sst>"
    )
    parts["xl/worksheets/sheet2.xml"] = sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><f>SUM(total)</f><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><f>rate</f><v>0.05</v></c></row>'
        '<row r="3"><c r="A3"><v>1</v></c><c r="B3"><f t="shared" ref="B3:B5" si="0">A3*rate</f><v>0.05</v></c></row>'
        '<row r="4"><c r="A4"><v>2</v></c><c r="B4"><f t="shared" si="0"/><v>0.1</v></c></row>'
        '<row r="5"><c r="A5"><v>3</v></c><c r="B5"><f t="shared" si="0"/><v>0.15</v></c></row>'
    )
    return package(parts)


@dataclass
class Case:
    """One corpus file: how it is built (at a scale: see the module docstring)
    and what ``refresh`` must answer."""

    name: str
    build: Callable[[int], bytes]
    refresh: frozenset[int]
    why: str
    #: what every command must say of the file (each text in its output, in
    #: either language): a repair made as Excel makes it is never silent
    says: tuple[str, ...] = ()


def _case(name: str, refresh: Iterable[int], why: str, says: tuple[str, ...] = ()) -> Callable[
    [Callable[[int], bytes]], Callable[[int], bytes]
]:
    def register(builder: Callable[[int], bytes]) -> Callable[[int], bytes]:
        CASES[name] = Case(name, builder, frozenset(refresh), why, says)
        return builder

    return register


CASES: dict[str, Case] = {}

_DAMAGE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "row-r-abc": ("<row r=\"abc\">", lambda: variant(
        sheet=sheet('<row r="abc"><c r="A1"><v>1</v></c></row>'))),
    "array-ref-abc": ("<f t=\"array\" ref=\"abc\">", lambda: variant(
        sheet=sheet('<row r="1"><c r="A1"><f t="array" ref="abc">1+1</f><v>2</v></c></row>'))),
    "array-whole-sheet": ("<f t=\"array\" ref=\"C1:XFD1048576\"> in a 1 KB file", lambda: variant(
        sheet=sheet('<row r="1"><c r="C1"><f t="array" ref="C1:XFD1048576">1+1</f><v>2</v></c></row>'))),
    "shared-no-master": ("a shared-formula cell without its master", lambda: variant(
        sheet=sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><f t="shared" si="0"/><v>3</v></c></row>'))),
    "style-99999": ("s=\"99999\"", lambda: variant(
        sheet=sheet('<row r="1"><c r="A1" s="99999"><v>1</v></c></row>'))),
    "formula-type-abc": ("<f t=\"abc\"> (read as a normal formula by guess)", lambda: variant(
        sheet=sheet('<row r="1"><c r="A1"><f t="abc">1+1</f><v>2</v></c></row>'))),
    "shared-strings-namespace": ("<sst> without its namespace (make fuzz structure: openpyxl IndexError on "
        "the output)", lambda: package({**BASE, "[Content_Types].xml": _CONTENT_TYPES.replace("</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.replace("</Relationships>", '<Relationship Id="rId9" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'),
        "xl/sharedStrings.xml": '<sst count="1" uniqueCount="1"><si><t>x</t></si></sst>',
        "xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')})),
    "shared-strings-untyped": ("a shared-strings part without its content type (make fuzz structure: "
        "openpyxl IndexError on the output)", lambda: package({**BASE,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.replace("</Relationships>", '<Relationship Id="rId9" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'),
        "xl/sharedStrings.xml": f'<sst xmlns="{_NS}" count="1" uniqueCount="1"><si><t>x</t></si></sst>',
        "xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')})),
    "sheet-namespace": ("a <worksheet> in no namespace (read by local names: cells nobody else sees)",
        lambda: variant(sheet=sheet('<row r="1"><c r="A1"><v>1</v></c></row>').replace(f' xmlns="{_NS}"'.encode(), b""))),
    "workbook-namespace": ("a <workbook> in another namespace", lambda: variant(
        workbook=_WORKBOOK.replace("spreadsheetml/2006/main", "spreadsheetml/2006/mian", 1))),
    "value-1_000": ("<v>1_000</v> (Python's float syntax)", lambda: variant(
        sheet=_one("A1*2", "<v>1_000</v>"))),
    "value-nan": ("<v>NaN</v>", lambda: variant(sheet=_one("A1*2", "<v>NaN</v>"))),
    "value-inf": ("<v>inf</v>", lambda: variant(sheet=_one("A1*2", "<v>-inf</v>"))),
    "row-spans": ("<row spans=\"abc\">", lambda: variant(
        sheet=sheet('<row r="1" spans="abc"><c r="A1"><v>1</v></c></row>'))),
    "bogus-col": ("<col min=\"5\" max=\"2\">", lambda: variant(
        sheet=sheet('<row r="1"><c r="A1"><v>1</v></c></row>', '<cols><col min="5" max="2" width="abc"/></cols>'))),
    "missing-sheet-part": ("a missing worksheet part", lambda: variant(sheet=None)),
    "missing-workbook-rels": ("a missing workbook.xml.rels", lambda: variant(
        wbrels=None)),
    "missing-root-rels": ("a missing _rels/.rels", lambda: variant(rootrels=None)),
    "external-sheet": ("a sheet relationship marked External", lambda: variant(
        wbrels=_WORKBOOK_RELS.replace('Target="worksheets/sheet1.xml"', 'Target="worksheets/sheet1.xml" TargetMode="External"'))),
    "sheet-no-rid": ("a <sheet> without r:id (make fuzz structure: the sheet dropped, exit 0)", lambda: variant(
        workbook=_WORKBOOK.replace(' r:id="rId1"', "", 1))),
    "no-sheets": ("<sheets> with no <sheet> (make fuzz structure: \"✓ 0 cells computed\")", lambda: variant(
        workbook=_WORKBOOK.replace('<sheet name="Sheet1" sheetId="1" r:id="rId1"/>', "", 1))),
    "sheetid-abc": ("sheetId=\"abc\"", lambda: variant(workbook=_WORKBOOK.replace('sheetId="1"', 'sheetId="abc"'))),
    "sheet-name-forbidden": ("a sheet name Excel forbids", lambda: variant(
        workbook=_WORKBOOK.replace('name="Sheet1"', 'name="a[b]:c"'))),
    "localsheetid-99": ("localSheetId=\"99\"", lambda: variant(workbook=_WORKBOOK.replace(
        "</sheets>", '</sheets><definedNames><definedName name="x" localSheetId="99">Sheet1!$A$1</definedName></definedNames>'))),
    "styles-missing": ("a styles relationship without its part", lambda: variant(
        wbrels=_WORKBOOK_RELS.replace("</Relationships>",
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'))),
    "style-xf-no-cell-style": ("a cell format whose xfId is past <cellStyleXfs> (make fuzz structure: "
        "openpyxl IndexError)", lambda: package({**BASE,
        "[Content_Types].xml": _CONTENT_TYPES.replace("</Types>", '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.replace("</Relationships>", '<Relationship Id="rId9" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": _PEOPLE_STYLES.replace('<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>', "", 1)})),
    "dtd-content-types": ("a DTD in [Content_Types].xml", lambda: variant(
        ct=_CONTENT_TYPES.replace("<Types", '<!DOCTYPE Types [<!ENTITY a "aaaa">]><Types', 1))),
    "content-types-bad-bytes": ("[Content_Types].xml not UTF-8 (make fuzz: copied into outputs nobody opens)",
        lambda: variant(ct=_CONTENT_TYPES.encode().replace(b"<Types ", b'<Types x="\xff" ', 1))),
    "content-types-workbook-elsewhere": (
        "[Content_Types].xml gives the workbook's type to a part that is not there (make fuzz: '1_000')",
        lambda: variant(ct=_CONTENT_TYPES.replace('PartName="/xl/workbook.xml"', 'PartName="1_000"', 1))),
    "content-types-workbook-mistyped": ("[Content_Types].xml gives the workbook another type", lambda: variant(
        ct=_CONTENT_TYPES.replace("sheet.main+xml", "sheet.mian+xml", 1))),
    "content-types-override-untyped": (
        "an <Override> without its ContentType (make fuzz structure: openpyxl TypeError, slips exit 3)",
        lambda: variant(ct=_CONTENT_TYPES.replace(
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"', "", 1))),
    "content-types-namespace": ("[Content_Types].xml in another namespace (make fuzz: xmlns=\"NaN\")",
        lambda: variant(ct=_CONTENT_TYPES.replace("/package/2006/content-types", "/NaN", 1))),
    "root-rels-namespace": ("_rels/.rels without its namespace (make fuzz: xmlns=\"\")", lambda: variant(
        rootrels=_ROOT_RELS.replace("http://schemas.openxmlformats.org/package/2006/relationships", "", 1))),
    "root-rels-no-workbook": ("_rels/.rels whose officeDocument type is gone (make fuzz)", lambda: variant(
        rootrels=_ROOT_RELS.replace("/relationships/officeDocument", "/relationships/XFD1048577", 1))),
    "sheet-rel-untyped": ("a sheet relationship with Type=\"\" (make fuzz: openpyxl IndexError)", lambda: variant(
        wbrels=_WORKBOOK_RELS.replace(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", "", 1))),
    "central-directory-moved": ("an end record placing the central directory 16 KB past it (make fuzz: exit 3)",
        _central_directory_moved),
    "row-r-empty": ("<row r=\"\"> (make fuzz: openpyxl cannot open the output)",
        lambda: variant(sheet=_one("A1*2").replace(b'<row r="1">', b'<row r="">'))),
    "cell-s-empty": ("<c s=\"\"> (an empty cell format index)",
        lambda: variant(sheet=_one("A1*2").replace(b'<c r="A1">', b'<c r="A1" s="">'))),
    "sheet-rid-other-namespace": ("a <sheet> whose r:id is in no relationships namespace (make fuzz: xmlns:r=\"NaN\")",
        lambda: variant(workbook=_WORKBOOK.replace(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships", "NaN", 1))),
    "content-types-no-workbook-type": ("[Content_Types].xml with no Override for the workbook (make fuzz structure)",
        lambda: variant(ct=re.sub(r'<Override PartName="/xl/workbook.xml"[^>]*/>', "", _CONTENT_TYPES))),
    "rel-id-empty": ("a relationship with Id=\"\" (make fuzz: LibreOffice cannot open the output)",
        lambda: variant(rootrels=_ROOT_RELS.replace('Id="rId1"', 'Id=""', 1))),
    "local-header-crc": ("an entry whose local header's CRC disagrees with the central directory (make fuzz)",
        lambda: _header_damage(b"PK\x03\x04", 14, b"\x00\x00\x00\x00")),
    "local-header-encrypted": ("an entry its local header calls encrypted, its central record not (make fuzz: "
        "copied by template, LibreOffice cannot open the output)", lambda: _header_damage(b"PK\x03\x04", 6, b"\xd3\x00")),
    "central-disk-number": ("an entry on 'disk 96' of a one-disk zip (make fuzz: copied, opened nowhere)",
        lambda: _header_damage(b"PK\x01\x02", 34, b"\x00\x60")),
    "dtd-styles": ("a billion-laughs DTD in styles.xml", lambda: variant(
        styles='<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        f'<styleSheet xmlns="{_NS}"/>')),
    "lying-size": ("an unused part with a lying size", _lying_size),
    "names-12000": ("a chain of 12,000 defined names", lambda: _names_chain(12_000)),
    "sum-overflow": ("=SUM(A1,A1) with A1 = 1E308", lambda: variant(
        sheet=_one("SUM(A1,A1)", "<v>1E308</v>"))),
}
for _name, (_why, _builder) in _DAMAGE.items():
    expected = {1} if _name == "sum-overflow" else {2}  # #NUM!, written with an error value
    CASES[_name] = Case(_name, lambda _scale, b=_builder: b(), frozenset(expected), _why)


@_case("sound", {0}, "a sound one-sheet workbook")
def _sound(_scale: int) -> bytes:
    return variant()


@_case("formula-whitespace", {0}, "<f> </f>: Excel drops the formula and keeps the value, "
       "and so does every command, saying so", ("Sheet1!A1", "<f> "))
def _formula_whitespace(_scale: int) -> bytes:
    return variant(sheet=_one("A1*2", "<f> </f><v>5</v>"))


@_case("formula-si-not-shared", {0}, "<f si=\"0\"/> without t=\"shared\": Excel drops the formula and "
       "keeps the value, and so does every command, saying so", ("Sheet1!A1", "<f si=…>"))
def _formula_si_not_shared(_scale: int) -> bytes:
    return variant(sheet=_one("A1*2", '<f si="0"/><v>5</v>'))


@_case("names-3000", {0}, "a chain of 3,000 defined names, computed right")
def _names_3000(_scale: int) -> bytes:
    return _names_chain(3_000)


@_case("far-cell", {0}, "one cell at XFD1048576 (diff must not walk rows × columns)")
def _far_cell(_scale: int) -> bytes:
    return variant(sheet=sheet(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))  # fmt: skip


@_case("deep-formula", {0}, "=A1+A1+… at Excel's 8,192 characters")
def _deep_formula(_scale: int) -> bytes:
    return variant(sheet=_one("+".join(["A1"] * 2730)))


# The size-bound cases: full size at scale 1, each crossing its limit at any scale.


@_case("inflate-153", {2}, "a sheet inflating 153:1 to 1 GB (past the 512 MB part budget)")
def _inflate(scale: int) -> bytes:
    return _inflating_sheet(1024 * MB // scale)


@_case("whitespace-sheet", {2}, "a 1 GB whitespace sheet")
def _whitespace(scale: int) -> bytes:
    return _spaces_sheet(1024 * MB // scale)


@_case("many-sheets", {2}, "150 sheets of 10.4 MB, each under the ratio check (past the 1 GB budget)")
def _many(scale: int) -> bytes:
    return _many_sheets(150, 10_400_000 // scale)


@_case("some-sheets", {0}, "12 sheets of 9 MB, each under the ratio check (under the budget)")
def _some(scale: int) -> bytes:
    return _many_sheets(12, 9_000_000 // scale)


@_case("stored-media", {0}, "a 900 MB stored media part refresh never reads (past the part budget)")
def _media(scale: int) -> bytes:
    return _stored_media(900 * MB // scale)


@_case("shared-rows", {0}, "1,000,000 rows of one shared formula (validate's bound)")
def _shared_many(scale: int) -> bytes:
    return _shared_rows(1_000_000 // scale)


@_case("people-200k", {0}, "200,000 people, each row's formulas its own as openpyxl writes them (a 600,000-row slip book)")
def _people_200k(scale: int) -> bytes:
    return _people(200_000 // scale)


def _legacy_case(name: str, builder: Callable[[Path], Path]) -> None:
    """The earlier hostile files (tests/hostile_files.py) join the corpus."""

    def build_bytes() -> bytes:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return builder(Path(folder)).read_bytes()

    CASES[f"legacy-{name}"] = Case(
        f"legacy-{name}", lambda _scale: build_bytes(), frozenset({2}), f"issue 12: {name}"
    )


for _legacy, _legacy_builder in HOSTILE.items():
    _legacy_case(_legacy, _legacy_builder)


# ---------------------------------------------------------------------------
# Mutation (make fuzz)
# ---------------------------------------------------------------------------


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One mutation of a package: its bytes, one XML part's text, or a formula."""
    kind = rng.choice(("bytes", "xml", "formula"))
    if kind == "bytes":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {i.filename: zin.read(i) for i in zin.infolist()}
    name = rng.choice([n for n in parts if n.endswith((".xml", ".rels"))])
    text = parts[name]
    if kind == "formula" and b"<f>" in text:
        pieces = [b"A1", b"+", b"(", b")", b"SUM(", b",", b"1E308", b'"x"', b"&", b"#REF!", b":", b"XFD1048576"]
        start = text.index(b"<f>") + 3
        text = text[:start] + b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) + text[start:]
    else:
        attrs = re.findall(rb'(\w+)="([^"]*)"', text)
        if attrs:
            key, _value = rng.choice(attrs)
            junk = rng.choice([b"abc", b"-1", b"99999", b"", b"1_000", b"NaN", b"XFD1048577", b"\xff"])
            text = re.sub(rb'\b' + key + rb'="[^"]*"', key + b'="' + junk + b'"', text, count=1)
    parts[name] = text
    return package(dict(parts.items()))


#: the elements structural mutation deletes, duplicates or moves
_ELEMENTS = (b"sheet", b"Relationship", b"Override", b"Default", b"row", b"c", b"definedName",
             b"xf", b"f", b"v", b"t", b"si", b"col", b"sheetData", b"cellXfs", b"definedNames")
#: text put into ``<v>``, ``<f>``, ``<t>`` and ``<definedName>``
_JUNK_TEXT = (b"1E309", b"-1E309", b"9" * 400, b"1e-400", b"\x01\x02", b"&#x1;", b"&#xD800;",
              b"&#xFFFE;", b"&#x0;", b"x" * 40_000, b"(" * 300, b"A1:" * 200, b"", b" ", b"#REF!",
              b"Sheet9!A1", b"&lt;&amp;", b"\xed\xa0\x80", b"TRUE", b"#N/A", b"=1")


def _elements(text: bytes, tag: bytes) -> list[re.Match[bytes]]:
    """Every ``<tag …/>`` or ``<tag …>…</tag>`` (not nested in itself) in ``text``."""
    pattern = rb"<%s(?=[\s/>])[^>]*?(?:/>|>.*?</%s>)" % (tag, tag)
    return list(re.finditer(pattern, text, re.DOTALL))


def mutate_structure(data: bytes, rng: random.Random) -> bytes:
    """One structural damage of a package, as a broken writer, a careless edit
    or an attacker leaves it: an element deleted, duplicated or moved out of
    its parent, an attribute removed, a part removed, renamed or truncated, or
    the text of a ``<v>``, ``<f>``, ``<t>``, ``<definedName>`` replaced by junk
    (huge numbers, control characters, unpaired surrogates, very long runs)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts: dict[str, str | bytes | None] = {i.filename: zin.read(i) for i in zin.infolist()}
    kind = rng.choice(("delete", "duplicate", "attribute", "part-remove", "part-rename",
                       "part-truncate", "text", "move"))  # fmt: skip
    name = rng.choice(sorted(parts))
    if kind == "part-remove":
        parts[name] = None
        return package(parts)
    if kind == "part-rename":
        value = parts.pop(name)
        parts[rng.choice((name.upper(), name + ".bak", "/" + name, name.replace("/", "\\"),
                          name.replace(".xml", ".XML"), "xl/" + name.rsplit("/", 1)[-1]))] = value
        return package(parts)
    text = parts[name]
    assert isinstance(text, bytes)
    if kind == "part-truncate":
        parts[name] = text[: rng.randrange(len(text))]
        return package(parts)
    found = [(tag, m) for tag in _ELEMENTS for m in _elements(text, tag)]
    if kind == "text":
        found = [(tag, m) for tag, m in found if tag in (b"v", b"f", b"t", b"definedName")]
    if kind == "attribute":
        attrs = list(re.finditer(rb'\s[\w:]+="[^"]*"', text))
        if attrs:
            m = rng.choice(attrs)
            parts[name] = text[: m.start()] + text[m.end() :]
        return package(parts)
    if not found:
        return package(parts)
    tag, m = rng.choice(found)
    element = m.group()
    if kind == "delete":
        text = text[: m.start()] + text[m.end() :]
    elif kind == "duplicate":
        text = text[: m.end()] + element + text[m.end() :]
    elif kind == "text":
        open_end = element.index(b">") + 1
        if element.endswith(b"/>"):
            element = element[:-2] + b">" + b"</" + tag + b">"
            open_end = len(element) - len(tag) - 3
        close = element.rindex(b"</")
        text = text[: m.start()] + element[:open_end] + rng.choice(_JUNK_TEXT) + element[close:] + text[m.end() :]
    else:  # move: the element out of its parent (after the parent's end) or swapped with a sibling
        rest = text[m.end() :]
        close = rest.find(b"</")
        end = rest.find(b">", close) + 1 if close >= 0 else 0
        if end > 0 and rng.random() < 0.5:
            text = text[: m.start()] + rest[:end] + element + rest[end:]
        else:
            siblings = [x for t, x in found if t == tag and x.start() >= m.end()]
            if siblings:
                other = siblings[0]
                text = (text[: m.start()] + other.group() + text[m.end() : other.start()]
                        + element + text[other.end() :])  # fmt: skip
    parts[name] = text
    return package(parts)


def fuzz_cases(count: int, seed: int = 27, kinds: str = "classic") -> dict[str, Case]:
    """``count`` mutants of the small cases (refresh may answer 0, 1 or 2).

    ``kinds`` is ``classic`` (bytes, one XML attribute's value, formula text:
    seed 27 gives the same mutants as it always did, named ``fuzz-NNN``),
    ``structure`` (:func:`mutate_structure` on the small cases and a richer
    two-sheet workbook, named ``fuzz-s-NNN``) or ``all`` (both, ``count`` each).
    """
    out: dict[str, Case] = {}
    if kinds in ("classic", "all"):
        rng = random.Random(seed)
        bases = [c for c in CASES.values() if c.name in (
            "sound", "far-cell", "deep-formula", "sum-overflow", "names-3000", "style-99999",
        )]  # fmt: skip
        for i in range(count):
            base = rng.choice(bases)
            data = base.build(1)
            mutant = mutate(data, random.Random(rng.random()))
            out[f"fuzz-{i:03d}"] = Case(
                f"fuzz-{i:03d}", lambda _scale, m=mutant: m, frozenset({0, 1, 2}), f"mutant of {base.name}"
            )
    if kinds in ("structure", "all"):
        rng = random.Random(seed)
        small = {n: CASES[n].build(1) for n in ("sound", "sum-overflow", "style-99999")}
        sources = {**small, "rich": _rich()}
        names = [*sorted(sources), "rich", "rich"]  # the richer base half the time
        for i in range(count):
            base_name = rng.choice(names)
            mutant = mutate_structure(sources[base_name], random.Random(rng.random()))
            out[f"fuzz-s-{i:03d}"] = Case(
                f"fuzz-s-{i:03d}", lambda _scale, m=mutant: m, frozenset({0, 1, 2}),
                f"structural mutant of {base_name}",
            )
    return out


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

#: the cases file ``jixiao test`` runs on every corpus file (the base sheet's B1 = A1*2)
CASES_TOML = """[[case]]
name = "B1 = A1 × 2"
[case.set]
"Sheet1!A1" = 21
[case.expect]
"Sheet1!B1" = 42
"""

#: command → the arguments after ``jixiao`` (FILE, OUT folder, BASE workbook; the
#: cases file is beside BASE), and the exit codes it documents for a file (3, a
#: bug, is never allowed). Every command that reads a workbook is here.
COMMANDS: dict[str, tuple[Callable[[Path, Path, Path], list[str]], frozenset[int]]] = {
    "refresh": (lambda f, o, b: ["refresh", str(f), "--out", str(o / f"{f.stem}.refreshed.xlsx")], frozenset({0, 1, 2})),
    "validate": (lambda f, o, b: ["validate", str(f)], frozenset({0, 1, 2})),
    "diff": (lambda f, o, b: ["diff", str(b), str(f), "--out", str(o / f"{f.stem}.diff.xlsx")], frozenset({0, 1, 2})),
    "explain": (lambda f, o, b: ["explain", str(f), "Sheet1!B1"], frozenset({0, 1, 2})),
    "lint": (lambda f, o, b: ["lint", str(f)], frozenset({0, 1, 2})),
    "spec": (lambda f, o, b: ["spec", "init", str(f), "-o", str(o / f"{f.stem}.spec.json")], frozenset({0, 2})),
    "test": (lambda f, o, b: ["test", str(f), str(b.with_name("cases.toml"))], frozenset({0, 1, 2})),
    "template": (lambda f, o, b: ["template", str(f), "--host", "lite", "--out", str(o / f"{f.stem}.lite.xlsx")], frozenset({0, 1, 2})),
    "slips": (lambda f, o, b: ["slips", str(f), "-o", str(o / f"{f.stem}.slips.xlsx"), "--sheet", "Sheet1", "--key", "A", "--header-row", "1"], frozenset({0, 1, 2})),
    "fix": (lambda f, o, b: ["fix", str(f), "--out", str(o / f"{f.stem}.fixed.xlsx")], frozenset({0, 2})),
}  # fmt: skip


@dataclass
class Run:
    """One command on one file."""

    case: str
    command: str
    exit_code: int
    peak_mb: float
    seconds: float
    output: str
    problems: list[str] = field(default_factory=list)


def build(folder: Path, cases: dict[str, Case], scale: int = 1) -> dict[str, Path]:
    """Write every case's file (at ``scale``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, case in cases.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(case.build(scale))
        paths[name] = path
    return paths


def scale_limits(scale: int) -> None:
    """Divide the size budgets every reader uses by ``scale`` — in a forked
    child only (see the module docstring): ``DEFAULT_LIMITS`` is the one
    instance every function defaults to, so it is changed in place."""
    from addin.xlsx.package import DEFAULT_LIMITS

    for name in ("max_total_size", "max_entry_size", "ratio_floor"):
        object.__setattr__(DEFAULT_LIMITS, name, getattr(DEFAULT_LIMITS, name) // scale)


def _child(args: list[str], log: Path, scale: int) -> None:
    """In the forked child: limits, then the command; never returns."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    if scale != 1:
        scale_limits(scale)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 3
    try:
        from addin.cli import main

        main(args, standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # a traceback the boundary let through
        import traceback

        traceback.print_exc()
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_one(args: list[str], log: Path, scale: int = 1) -> tuple[int, float, float]:
    """(exit code, peak MB, seconds) of ``jixiao ARGS`` in a forked child; a run
    past :data:`TIME_CAP` is killed (exit -9)."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(args, log, scale)
    deadline = started + TIME_CAP
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_maxrss / 1024, seconds


def _import_commands() -> None:
    """Import every command's module (and the engine) in the parent, so each
    forked run starts with them."""
    import click

    import addin.refresh.engine
    import addin.validate
    from addin.cli import COMMANDS as CLI_COMMANDS
    from addin.cli import main

    ctx = click.Context(main)
    for name in CLI_COMMANDS:
        main.get_command(ctx, name)
    import addin.monthend.slip_book  # noqa: F401  (openpyxl, imported when slips writes)


def run_corpus(
    folder: Path, cases: dict[str, Case], commands: Iterable[str] = COMMANDS, scale: int = 1
) -> list[Run]:
    """Every command on every case (built at ``scale``, run under budgets
    divided by ``scale``); the problems of each run listed in it."""
    _import_commands()
    files = build(folder / "in", cases, scale)
    base = folder / "base.xlsx"
    base.write_bytes(variant())
    (folder / "cases.toml").write_text(CASES_TOML, encoding="utf-8")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    runs: list[Run] = []
    for name, path in files.items():
        for command in commands:
            make_args, allowed = COMMANDS[command]
            log = folder / f"{name}.{command}.log"
            code, peak, seconds = run_one(make_args(path, out, base), log, scale)
            text = log.read_text(encoding="utf-8", errors="replace")
            run = Run(name, command, code, peak, seconds, text)
            if "Traceback" in text or code == 99:
                run.problems.append("traceback")
            if code == -9:
                run.problems.append(f"over {TIME_CAP:.0f} s")
            elif code not in allowed:
                run.problems.append(f"exit {code}")
            if command == "refresh" and code not in cases[name].refresh and code != -9:
                run.problems.append(f"refresh exit {code}, expected {sorted(cases[name].refresh)}")
            unsaid = [t for t in cases[name].says if t not in text]
            if unsaid:
                run.problems.append(f"silent: {', '.join(unsaid)} not said")
            if peak * MB > MEMORY_CAP:
                run.problems.append(f"{peak:.0f} MB")
            runs.append(run)
    return runs


def outputs_open(folder: Path, libreoffice: bool = True) -> tuple[int, list[str]]:
    """How many workbooks the runs wrote, and the problems with them: each must
    open in openpyxl, and (one LibreOffice run for all, under a memory and a
    time cap) in LibreOffice."""
    import openpyxl
    from soffice_helpers import SOFFICE, libreoffice_convert

    problems: list[str] = []
    written = sorted((folder / "out").glob("*.xlsx"))
    for path in written:
        try:
            openpyxl.load_workbook(path).close()
        except Exception as exc:
            problems.append(f"{path.name}: openpyxl cannot open it ({type(exc).__name__}: {exc})")
    if libreoffice and written:
        if SOFFICE is None:
            problems.append("LibreOffice is not installed: outputs not opened there")
            return len(written), problems
        # re-saved as ods: a csv of the far-cell case would be 17 billion commas,
        # and LibreOffice's own xlsx export crashes on a 3,000-name chain
        converted = libreoffice_convert(written, folder / "lo", "ods")
        problems += [f"{p.name}: LibreOffice cannot open it" for p in written if p not in converted]
    return len(written), problems


def table(runs: list[Run]) -> str:
    """The Markdown table: one row per case, one column per command, each cell
    ``exit · peak MB · seconds``; a problem is marked ✗ and listed below."""
    commands = list(dict.fromkeys(r.command for r in runs))
    by_case: dict[str, dict[str, Run]] = {}
    for r in runs:
        by_case.setdefault(r.case, {})[r.command] = r
    lines = [
        "| case | " + " | ".join(commands) + " |",
        "|---|" + "---|" * len(commands),
    ]
    for case, row in by_case.items():
        cells = []
        for c in commands:
            r = row.get(c)
            if r is None:
                cells.append("")
                continue
            mark = " ✗" if r.problems else ""
            cells.append(f"{r.exit_code} · {r.peak_mb:.0f} MB · {r.seconds:.1f} s{mark}")
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    bad = [r for r in runs if r.problems]
    if bad:
        lines.append("")
        lines += [f"- ✗ {r.case} / {r.command}: {', '.join(r.problems)}" for r in bad]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=int, default=1,
                        help="divide the size budgets and the big cases by this (make test: 64)")
    parser.add_argument("--fuzz", type=int, default=0, help="mutants of the small cases to add")
    parser.add_argument("--fuzz-kinds", choices=("classic", "structure", "all"), default="classic",
                        help="classic: bytes, attribute values, formula text; structure: elements "
                             "deleted, duplicated or moved, attributes removed, parts removed, "
                             "renamed or truncated, junk text; all: both")
    parser.add_argument("--fuzz-seed", type=int, default=27)
    parser.add_argument("--keep", type=Path, help="a folder to keep the files and logs in")
    parser.add_argument("--cases", help="only these cases (comma-separated names)")
    parser.add_argument("--no-libreoffice", action="store_true")
    ns = parser.parse_args(argv)
    cases = dict(CASES)
    if ns.cases:
        wanted = ns.cases.split(",")
        unknown = [n for n in wanted if n not in CASES]
        if unknown:
            parser.error(f"no such case: {', '.join(unknown)}")
        cases = {n: CASES[n] for n in wanted}
    if ns.fuzz:
        cases |= fuzz_cases(ns.fuzz, ns.fuzz_seed, ns.fuzz_kinds)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = ns.keep or Path(tmp)
        runs = run_corpus(folder, cases, scale=ns.scale)
        print(table(runs))
        written, problems = outputs_open(folder, libreoffice=not ns.no_libreoffice)
        for p in problems:
            print(f"- ✗ {p}")
    worst = sum(bool(r.problems) for r in runs) + len(problems)
    print(
        f"\n{len(runs)} runs ({len(COMMANDS)} commands × {len(cases)} files, scale 1/{ns.scale}), "
        f"{written} workbooks written and opened, {worst} problems, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
