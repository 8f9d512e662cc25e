"""The workbook part (``xl/workbook.xml``) and reading a whole workbook.

:func:`open_workbook` opens a package (:mod:`addin.xlsx.package`) and locates
its workbook part and sheets through the relationships, refusing a structure
Excel could not open (missing relationships or parts, a sheet held outside
the package, a sheet id or name Excel forbids, a defined name scoped to no
sheet) and a DTD in any XML part.

:func:`read_workbook` builds the :class:`~addin.xlsx.model.Workbook`: the 1904
date system and defined names from the workbook part, then each part through
its own reader — shared strings (:mod:`addin.xlsx.shared_strings`), cell
metadata (:mod:`addin.xlsx.metadata`), styles (:mod:`addin.xlsx.styles`),
worksheets (:mod:`addin.xlsx.worksheets`), tables (:mod:`addin.xlsx.tables`)
and external links (:mod:`addin.xlsx.external_links`).

Writing: the workbook part's calculation state (``<calcPr>``), which the
writer sets on every output (:func:`declare_calculated`, or
:func:`set_full_calc_on_load` when asked), edited as bytes like the sheets.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from addin.xlsx.external_links import read_external_links
from addin.xlsx.metadata import dynamic_cell_metadata
from addin.xlsx.model import DefinedName, Repair, Sheet, Table, Workbook, unreadable
from addin.xlsx.package import (
    CONTENT_TYPES,
    CONTENT_TYPES_ROOT,
    DEFAULT_LIMITS,
    InputFile,
    Limits,
    Package,
    SheetPart,
    check_xml_prologs,
    gc_paused,
    open_package,
    rels_part,
)
from addin.xlsx.safexml import check_root, children, local_name, rel_id
from addin.xlsx.shared_strings import read_shared_strings
from addin.xlsx.styles import cell_format_count
from addin.xlsx.tables import read_table
from addin.xlsx.worksheets import SheetReader, read_sheet

__all__ = [
    "EXCEL_CALC_ID", "declare_calculated", "locate_sheets", "open_workbook", "read_workbook",
    "set_full_calc_on_load", "sheet_name_problem", "sheets_all_names",
]  # fmt: skip


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


def open_workbook(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    data: bytes | InputFile | None = None,
) -> Package:
    """Open and check a workbook package (:func:`~addin.xlsx.package.open_package`)
    and locate its workbook part and worksheets (:func:`locate_sheets`):
    ``Package.sheet_parts`` in workbook order. With ``data`` the package is
    read from those bytes, or from the file
    :func:`~addin.xlsx.package.read_input` opened, and ``path`` only names it
    in messages."""
    package = open_package(path, limits, data=data)
    try:
        locate_sheets(package)
    except BaseException:
        package.close()
        raise
    return package


def locate_sheets(package: Package) -> None:
    """Find the workbook part and its sheets; a package whose structure Excel
    could not open (missing relationships or parts, a sheet held outside the
    package, a sheet id or name Excel forbids) is refused naming the part and
    attribute."""
    file = package.path.name
    if not package.has("_rels/.rels"):
        raise unreadable(
            f"{file} 缺少部件 _rels/.rels（包的关系），Excel 无法打开",
            f"{file} has no part _rels/.rels (the package relationships); Excel cannot open it",
        )
    workbook_part = next(
        (target for rel_type, target in package.rels("").values() if rel_type.endswith(_OFFICE_DOC)),
        None,
    )
    found = workbook_part is not None and package.has(workbook_part)
    # a binary workbook: its xl/workbook.bin is there and no XML workbook part is
    xml_workbook = workbook_part if found and not str(workbook_part).endswith(".bin") else None
    if package.has("xl/workbook.bin") and xml_workbook is None:
        raise unreadable(
            f"{file} 是二进制工作簿（.xlsb），请另存为 .xlsx",
            f"{file} is a binary workbook (.xlsb); save it as .xlsx",
        )
    if workbook_part is None:
        # Excel and LibreOffice find the workbook only by this relationship's type
        raise unreadable(
            f"{file} 的部件 _rels/.rels 没有 officeDocument 类型的关系（工作簿无从找到），Excel 无法打开",
            f"{file}: part _rels/.rels has no relationship of type officeDocument (nothing "
            "leads to the workbook); Excel cannot open it",
        )
    if not found:
        raise unreadable(
            f"{file} 不是 Excel 工作簿（缺少 {workbook_part}）",
            f"{file} is not an Excel workbook (no {workbook_part})",
        )
    _check_workbook_content_type(package, workbook_part)
    package.workbook_part = workbook_part
    package.workbook_rels = package.rels(workbook_part)
    rels_name = rels_part(workbook_part)
    external = package.external_rels(workbook_part)
    root = package.parse(workbook_part)
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for sheet in children(root, "sheets", "sheet"):
        name = sheet.get("name") or ""
        where = f"{workbook_part} <sheet name={name!r}>"
        problem = sheet_name_problem(name)
        if problem is not None:
            raise unreadable(
                f"部件 {where} 的工作表名无效（{problem}），Excel 无法打开",
                f"part {where}: the sheet name has {problem}; Excel cannot open it",
            )
        key = name.casefold()  # Excel compares sheet names without regard to case
        if key in seen:
            raise unreadable(
                f"{file} 有两个同名工作表 {seen[key]!r} 和 {name!r}（Excel 不区分大小写）",
                f"{file} has two sheets named {seen[key]!r} and {name!r} "
                "(Excel compares sheet names case-insensitively)",
            )
        seen[key] = name
        sheet_id = sheet.get("sheetId") or ""
        if not sheet_id.isdigit() or not 1 <= int(sheet_id) <= 0xFFFFFFFF or sheet_id in ids:
            raise unreadable(
                f"部件 {where} 的 sheetId={sheet_id!r} 无效或重复",
                f"part {where} has an invalid or repeated sheetId={sheet_id!r}",
            )
        ids.add(sheet_id)
        found_rid = rel_id(sheet)
        if found_rid is None:
            # r:id is required (the schema; openpyxl drops the sheet, the cells read nothing)
            raise unreadable(
                f"部件 {where} 缺少 r:id 属性（工作表的部件无从找到），Excel 无法打开",
                f"part {where} has no r:id (nothing leads to the sheet's part); "
                "Excel cannot open it",
            )
        rid = found_rid
        if rid in external:
            raise unreadable(
                f"部件 {rels_name} 的关系 {rid}（工作表 {name!r}）指向包外（TargetMode=External）",
                f"part {rels_name}: relationship {rid} of sheet {name!r} points outside the "
                "package (TargetMode=External)",
            )
        if not rid:
            continue  # an Excel 4 macro sheet LibreOffice kept as a name only (r:id="")
        rel = package.workbook_rels.get(rid)
        if rel is None:
            missing = rels_name if not package.has(rels_name) else f"{rels_name} Id={rid!r}"
            raise unreadable(
                f"工作表 {name!r} 的关系 r:id={rid!r} 不存在（{missing}）",
                f"sheet {name!r}: its relationship r:id={rid!r} is missing ({missing})",
            )
        if rel[0].endswith(_SHEET_RELS) and not package.has(rel[1]):
            raise unreadable(
                f"工作表 {name!r} 的部件 {rel[1]} 不存在（{rels_name} Id={rid!r}）",
                f"sheet {name!r}: its part {rel[1]} is missing ({rels_name} Id={rid!r})",
            )
        if not rel[0].endswith(_SHEET_RELS):
            raise unreadable(
                f"工作表 {name!r} 的关系类型 {rel[0]!r} 不是工作表类型（{rels_name} Id={rid!r} Type），"
                "Excel 无法打开",
                f"sheet {name!r}: its relationship's type {rel[0]!r} is not a sheet's "
                f"({rels_name} Id={rid!r} Type); Excel cannot open it",
            )
        if not rel[0].endswith(_WORKSHEET_REL):
            continue  # chartsheets, dialog and macro sheets hold no cells
        package.sheet_parts.append(SheetPart(name, rel[1], sheet.get("state") or "visible"))
    if not ids:
        # Excel needs at least one sheet (it refuses the file); refreshing it would
        # say "✓ 0 cells computed" of a workbook whose sheets were lost
        raise unreadable(
            f"部件 {workbook_part} 的 <sheets> 中没有任何 <sheet>（工作簿至少要有一个工作表），Excel 无法打开",
            f"part {workbook_part}: <sheets> holds no <sheet> (a workbook has at least one "
            "sheet); Excel cannot open it",
        )
    _check_defined_name_scopes(root, workbook_part, len(ids))
    check_xml_prologs(package)


#: the content types of a workbook's main part: .xlsx, .xlsm, .xltx, .xltm
WORKBOOK_TYPES = frozenset(
    "application/vnd." + t
    for t in (
        "openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "ms-excel.sheet.macroEnabled.main+xml",
        "openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "ms-excel.template.macroEnabled.main+xml",
    )
)


def _check_workbook_content_type(package: Package, workbook_part: str) -> None:
    """``[Content_Types].xml`` must not give the workbook's type to another
    part, nor the workbook part another type by its ``Override``: applications
    find the workbook by its type, so an output carrying such a table unchanged
    opens nowhere (openpyxl: "no item named …"; found by ``make fuzz``). The
    workbook part must have a workbook's type, by its ``Override`` or by the
    ``Default`` of its extension: with none (packages written by hand, or an
    ``Override`` deleted) neither openpyxl nor LibreOffice opens the package,
    nor an output carrying it."""
    root = package.parse(CONTENT_TYPES)
    if root.tag != CONTENT_TYPES_ROOT:
        raise unreadable(
            f"部件 {CONTENT_TYPES} 的根元素 {root.tag!r} 不是 <Types>（命名空间错误），Excel 无法打开",
            f"part {CONTENT_TYPES}: its root {root.tag!r} is not <Types> (wrong namespace); "
            "Excel cannot open it",
        )
    entries = [el for el in root if isinstance(el.tag, str)]
    for el in entries:
        key = {"Default": "Extension", "Override": "PartName"}.get(local_name(el.tag))
        for attr in (key, "ContentType") if key else ():
            if not el.get(attr):
                shown = "".join(f' {k}="{v}"' for k, v in el.attrib.items())[:120]
                raise unreadable(
                    f"部件 {CONTENT_TYPES} 的 <{local_name(el.tag)}{shown}/> 缺少 {attr}，Excel 无法打开",
                    f"part {CONTENT_TYPES}: <{local_name(el.tag)}{shown}/> has no {attr}; "
                    "Excel cannot open it",
                )
    overrides = {
        (el.get("PartName") or "").casefold(): el.get("ContentType") or ""
        for el in entries
        if local_name(el.tag) == "Override"
    }
    name = "/" + workbook_part.casefold()
    for part, kind in overrides.items():
        if kind in WORKBOOK_TYPES and part != name:
            raise unreadable(
                f"部件 {CONTENT_TYPES} 把工作簿类型给了 {part!r}，而工作簿是 /{workbook_part}",
                f"part {CONTENT_TYPES} gives the workbook's type to {part!r}, but the workbook is "
                f"/{workbook_part}",
            )
    kind = _content_type(entries, workbook_part)
    if kind not in WORKBOOK_TYPES:
        given = f"the type {kind!r}" if kind else "no type"
        raise unreadable(
            f"部件 {CONTENT_TYPES} 给 /{workbook_part} 的类型 {kind or '（无）'!r} 不是工作簿类型，"
            "Excel 无法打开",
            f"part {CONTENT_TYPES} gives /{workbook_part} {given}, not a workbook's; "
            "Excel cannot open it",
        )


def _content_type(entries: list[etree._Element], part: str) -> str | None:
    """The content type ``[Content_Types].xml`` (its ``entries``) gives
    ``part``: its ``Override``, else the ``Default`` of its extension."""
    name = "/" + part.casefold()
    extension = posixpath.splitext(name)[1].lstrip(".")
    found: str | None = None
    for el in entries:
        kind = local_name(el.tag)
        if kind == "Override" and (el.get("PartName") or "").casefold() == name:
            return el.get("ContentType") or ""
        if kind == "Default" and found is None and (el.get("Extension") or "").casefold() == extension:
            found = el.get("ContentType") or ""
    return found


#: the content type of the shared-strings part
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _check_shared_strings_type(package: Package, part: str) -> None:
    """The shared-strings part must have its content type: applications find
    the table by its type, so with another one (its ``Override`` deleted, the
    ``Default`` ``application/xml`` left) every ``t="s"`` cell indexed a table
    openpyxl does not see and could not open the output (``IndexError``;
    found by ``make fuzz``'s structural mutants)."""
    entries = [el for el in package.parse(CONTENT_TYPES) if isinstance(el.tag, str)]
    kind = _content_type(entries, part)
    if kind != SHARED_STRINGS_TYPE:
        raise unreadable(
            f"部件 {CONTENT_TYPES} 给共享字符串部件 /{part} 的类型 {kind or '（无）'!r} 不是共享字符串类型，"
            "Excel 无法读取",
            f"part {CONTENT_TYPES} gives the shared strings /{part} "
            f"{f'the type {kind!r}' if kind else 'no type'}, not a shared-strings table's; "
            "Excel cannot read it",
        )


def _check_defined_name_scopes(root: etree._Element, part: str, n_sheets: int) -> None:
    """``localSheetId`` must index a sheet (Excel refuses the file otherwise)."""
    for dn in children(root, "definedNames", "definedName"):
        local = dn.get("localSheetId")
        if local is None:
            continue
        if not local.isdigit() or int(local) >= n_sheets:
            raise unreadable(
                f"部件 {part} 的名称 {dn.get('name')!r} 的 localSheetId={local!r} 不指向任何工作表",
                f"part {part}: the name {dn.get('name')!r} has localSheetId={local!r}, "
                f"which is not one of its {n_sheets} sheets",
            )


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

    Raises :class:`~addin.xlsx.model.UnreadableWorkbookError` for anything
    wrong with the file.
    """
    with open_workbook(path, limits, data=data) as package, gc_paused():
        try:
            return _read(package, formula_values)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise unreadable(
                f"{package.path.name} 已损坏（{exc}）", f"{package.path.name} is corrupt ({exc})"
            ) from None


def _read(package: Package, formula_values: bool = True) -> Workbook:
    root = package.parse(package.workbook_part)
    check_root(root, package.workbook_part, ("workbook",))
    date1904 = False
    for pr in children(root, "workbookPr"):
        date1904 = (pr.get("date1904") or "").lower() in ("1", "true")
    strings: list[str] = []
    metadata_part: str | None = None
    for rel_type, target in package.workbook_rels.values():
        if rel_type.endswith("/sharedStrings") and package.has(target):
            _check_shared_strings_type(package, target)
            strings = read_shared_strings(package, target)
        elif rel_type.endswith("/sheetMetadata") and package.has(target):
            metadata_part = target
    dynamic_cm = dynamic_cell_metadata(package, metadata_part) if metadata_part else frozenset()
    n_styles = cell_format_count(package)

    sheets: list[Sheet] = []
    tables: list[Table] = []
    repairs: list[Repair] = []
    for sp in package.sheet_parts:
        sheet = Sheet(sp.name)
        if package.has(sp.part):
            reader = SheetReader(
                sheet, strings, dynamic_cm, date1904, formula_values, part=sp.part,
                n_styles=n_styles,
            )  # fmt: skip
            read_sheet(package, sp.part, reader)
            repairs += reader.repairs
        sheets.append(sheet)
        for rel_type, target in package.rels(sp.part).values():
            if rel_type.endswith("/table") and package.has(target):
                tables.append(read_table(package, target, sp.name))

    names: list[DefinedName] = []
    all_sheets = sheets_all_names(root)
    for dn in children(root, "definedNames", "definedName"):
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
        external_links=read_external_links(package, root), macros=macros, repairs=repairs,
    )  # fmt: skip


def sheets_all_names(root: etree._Element) -> list[str]:
    """Every sheet name in ``workbook.xml`` order (``localSheetId`` indexes this)."""
    return [s.get("name") or "" for s in children(root, "sheets", "sheet")]


# ---------------------------------------------------------------------------
# Writing: the calculation state
# ---------------------------------------------------------------------------

_CALCPR_RE = re.compile(rb"<(?:(\w+):)?calcPr\b([^>]*?)(/?)>")

#: the ``calcId`` Excel 2019 and Microsoft 365 write: the newest calculation engine
EXCEL_CALC_ID = 191029


def _edit_calc_pr(workbook_xml: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """``workbook.xml`` with ``edit`` applied to the attributes of ``<calcPr>``
    (the element is added, in schema order, if missing)."""
    m = _CALCPR_RE.search(workbook_xml)
    if m is not None:
        return workbook_xml[: m.start(2)] + edit(m.group(2)) + workbook_xml[m.end(2) :]
    root = re.search(rb"<(?:(\w+):)?workbook\b", workbook_xml)
    prefix = (root.group(1) + b":") if root and root.group(1) else b""
    for name in (b"definedNames", b"externalReferences", b"functionGroups", b"sheets"):
        end = re.search(rb"</" + re.escape(prefix + name) + rb">", workbook_xml)
        if end is not None:
            at = end.end()
            element = b"<" + prefix + b"calcPr" + edit(b"") + b"/>"
            return workbook_xml[:at] + element + workbook_xml[at:]
    return workbook_xml


def _set_attr(attrs: bytes, name: bytes, value: bytes) -> bytes:
    pattern = rb"(\s" + name + rb"\s*=\s*)(\"[^\"]*\"|'[^']*')"
    if re.search(pattern, attrs):
        return re.sub(pattern, lambda m: m.group(1) + b'"' + value + b'"', attrs, count=1)
    return attrs + b" " + name + b'="' + value + b'"'


def set_full_calc_on_load(workbook_xml: bytes) -> bytes:
    """``workbook.xml`` with ``fullCalcOnLoad="1"`` on ``<calcPr>`` (added if missing)."""
    return _edit_calc_pr(workbook_xml, lambda attrs: _set_attr(attrs, b"fullCalcOnLoad", b"1"))


def declare_calculated(workbook_xml: bytes) -> bytes:
    """``workbook.xml`` declaring that every cached value is current: no
    ``fullCalcOnLoad``, and ``calcId`` at least :data:`EXCEL_CALC_ID`.

    ECMA-376 Part 1, 18.2.2 (``calcPr``): ``fullCalcOnLoad`` asks the
    application to recalculate every formula when the file is opened, and
    ``calcId`` names the engine that last calculated it; Excel recalculates
    everything on load when ``calcId`` is older than its own engine ([MS-XLS]
    RecalcId record says the same of the binary format). Either would throw a
    workbook we just calculated into a full recalculation, and on a machine
    without the add-in every contract function would become ``#NAME?``.
    """

    def edit(attrs: bytes) -> bytes:
        attrs = re.sub(rb"""\sfullCalcOnLoad\s*=\s*("[^"]*"|'[^']*')""", b"", attrs)
        m = re.search(rb"""\scalcId\s*=\s*["'](\d+)["']""", attrs)
        if m is not None and int(m.group(1)) >= EXCEL_CALC_ID:
            return attrs
        return _set_attr(attrs, b"calcId", str(EXCEL_CALC_ID).encode())

    return _edit_calc_pr(workbook_xml, edit)
