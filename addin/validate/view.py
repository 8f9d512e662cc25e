"""What the validator reads from a workbook: the refresh model plus the parts
only the validator needs (data validations, sheet protection, custom document
properties carrying the template id).

Reading goes through :mod:`addin.xlsx.workbook`, so the validator refuses
exactly what the refresh engine refuses (not a zip, ``.xls``, encrypted, zip
or XML bombs) with the same messages, and never writes to the file.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from addin.xlsx.a1 import from_a1
from addin.xlsx.formula import FormulaSyntaxError, Ref, parse
from addin.xlsx.model import Coord, Sheet, Workbook
from addin.xlsx.package import InputFile, Package, iter_elements
from addin.xlsx.workbook import open_workbook, read_workbook

__all__ = [
    "DataValidation", "WorkbookView", "array_anchor", "find_sheet", "load_view", "name_ref", "present_cells",
    "ref_box",
]  # fmt: skip

_CUSTOM_PROPS = "docProps/custom.xml"


def find_sheet(wb: Workbook, name: str) -> Sheet | None:
    """The sheet called ``name`` (case-insensitive), or ``None`` when the workbook
    has no such sheet (deleted or renamed: the structure check reports that once)."""
    try:
        return wb.sheet(name)
    except KeyError:
        return None


def name_ref(wb: Workbook, name: str) -> Ref | None:
    """The range a defined name refers to (first match, any scope), or ``None``
    when there is no such name or it is not a plain reference."""
    for dn in wb.names:
        if dn.name.casefold() == name.casefold():
            try:
                node = parse(dn.text)
            except FormulaSyntaxError:
                return None
            return node if isinstance(node, Ref) else None
    return None


def ref_box(ref: str | None) -> tuple[Coord, Coord] | None:
    """The corners of a range as a file stores it (``"C4:D9"``, ``"C4"``), or
    ``None`` when there is none or it cannot be read (never an exception)."""
    if not ref:
        return None
    first, _, last = ref.replace("$", "").partition(":")
    try:
        return from_a1(first), from_a1(last or first)
    except ValueError:
        return None


def array_anchor(sheet: Sheet, coord: Coord) -> Coord | None:
    """The formula cell whose value is shown at ``coord``: the cell itself, or
    the anchor of the array or spill range holding it."""
    if coord in sheet.formulas:
        return coord
    for anchor, f in sheet.formulas.items():
        box = ref_box(f.ref) if f.kind != "normal" else None
        if box and box[0][0] <= coord[0] <= box[1][0] and box[0][1] <= coord[1] <= box[1][1]:
            return anchor
    return None


def present_cells(sheet: Sheet, top: int, left: int, bottom: int, right: int) -> list[Coord]:
    """The non-empty cells (values or formulas) of a rectangle, row by row.

    Bounded by the cells present, not by the rectangle: a name or a validation
    over ``$A:$XFD`` (17 billion cells) costs what the sheet holds.
    """
    max_row, max_col = sheet.max_row, sheet.max_col
    if not (max_row and max_col):  # not known from the reader: from the cells
        cells = (*sheet.values, *sheet.formulas)
        max_row = max_row or max((r for r, _ in cells), default=0)
        max_col = max_col or max((c for _, c in cells), default=0)
    bottom, right = min(bottom, max_row), min(right, max_col)
    if top > bottom or left > right:
        return []
    if (bottom - top + 1) * (right - left + 1) <= len(sheet.values) + len(sheet.formulas):
        # cell by cell: a sheet read into columns answers each without a dict of all
        return [
            (r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)
            if (r, c) in sheet.values or (r, c) in sheet.formulas
        ]  # fmt: skip
    cells = (*sheet.values, *sheet.formulas)
    found = {
        coord for coord in cells
        if top <= coord[0] <= bottom and left <= coord[1] <= right
    }  # fmt: skip
    return sorted(found)


@dataclass(frozen=True)
class DataValidation:
    """One ``<dataValidation>``: the cells it covers and what it allows."""

    ranges: tuple[tuple[Coord, Coord], ...]
    type: str  # list, whole, decimal, date, textLength, custom, none
    formula1: str
    allow_blank: bool

    def covers(self, coord: Coord) -> bool:
        """Whether the cell at ``coord`` is under this validation."""
        r, c = coord
        return any(a[0] <= r <= b[0] and a[1] <= c <= b[1] for a, b in self.ranges)


@dataclass
class WorkbookView:
    """A workbook as the validator sees it."""

    path: Path
    workbook: Workbook
    validations: dict[str, list[DataValidation]] = field(default_factory=dict)
    protected: dict[str, bool] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def template_id(self) -> str | None:
        """The template this workbook was made from (``jixiao.template``)."""
        return self.properties.get("jixiao.template")

    @property
    def template_version(self) -> str | None:
        """The template's version (``jixiao.version``)."""
        return self.properties.get("jixiao.version")


def _parse_sqref(sqref: str) -> tuple[tuple[Coord, Coord], ...]:
    out = []
    for part in sqref.split():
        a, _, b = part.partition(":")
        first = from_a1(a)
        out.append((first, from_a1(b) if b else first))
    return tuple(out)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


#: the tags :func:`_read_sheet_extras` reads; a part that never names them has none
_EXTRAS = (b"dataValidation", b"sheetProtection")
_STREAM_CHUNK = 1 << 20


def _mentions(package: Package, part: str, words: tuple[bytes, ...]) -> bool:
    """Whether the part's bytes hold any of ``words`` — a byte search as the part
    inflates, at a fraction of the cost of parsing a million rows (the reader
    has checked the part is well-formed XML already)."""
    keep = max(len(w) for w in words) - 1
    tail = b""
    try:
        with package.open(part, held=False) as stream:
            while True:
                chunk = stream.read(_STREAM_CHUNK)
                if not chunk:
                    return False
                window = tail + chunk
                if any(w in window for w in words):
                    return True
                tail = window[-keep:]
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        return True  # the part changed or broke since it was read: the parser names it


def _read_sheet_extras(package: Package, part: str) -> tuple[list[DataValidation], bool]:
    validations: list[DataValidation] = []
    protected = False
    if not _mentions(package, part, _EXTRAS):
        return validations, protected
    for el in iter_elements(package, part, ("dataValidation", "sheetProtection")):
        if _local(el.tag) == "sheetProtection":
            protected = el.get("sheet") in ("1", "true")
        else:
            formula1 = ""
            for child in el:
                if _local(child.tag) == "formula1":
                    formula1 = child.text or ""
            try:
                ranges = _parse_sqref(el.get("sqref") or "")
            except ValueError:
                ranges = ()
            validations.append(
                DataValidation(
                    ranges=ranges,
                    type=el.get("type") or "none",
                    formula1=formula1,
                    allow_blank=el.get("allowBlank") in ("1", "true"),
                )
            )
        el.clear(keep_tail=False)
    return validations, protected


def _read_properties(package: Package) -> dict[str, str]:
    if not package.has(_CUSTOM_PROPS):
        return {}
    root = package.parse(_CUSTOM_PROPS)
    props: dict[str, str] = {}
    for prop in root:
        if not isinstance(prop.tag, str) or _local(prop.tag) != "property":
            continue
        value = "".join(child.text or "" for child in prop)
        props[prop.get("name") or ""] = value
    return props


def read_properties(path: str | Path, data: bytes | InputFile | None = None) -> dict[str, str]:
    """The custom document properties of the workbook at ``path`` (read from
    ``data`` when given): ``jixiao.template`` names the template it came from."""
    with open_workbook(Path(path), data=data) as package:
        return _read_properties(package)


def load_view(path: str | Path) -> WorkbookView:
    """Read ``path`` for validation.

    Raises :class:`~addin.xlsx.model.UnreadableWorkbookError` for a file that
    cannot be read safely; nothing is ever written.
    """
    path = Path(path)
    workbook = read_workbook(path)
    view = WorkbookView(path, workbook)
    with open_workbook(path) as package:
        view.properties = _read_properties(package)
        for sp in package.sheet_parts:
            if package.has(sp.part):
                dvs, protected = _read_sheet_extras(package, sp.part)
                view.validations[sp.name] = dvs
                view.protected[sp.name] = protected
    return view

