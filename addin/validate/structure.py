"""Template structure: the sheets, defined names and header cells a template
declares are present and where they should be, and its result columns still
hold their formulas — not pasted numbers, not a formula that drifted in one row.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from addin import registry
from addin.validate.report import Report
from addin.validate.view import find_sheet, present_cells, ref_box
from addin.xlsx.a1 import col_number, from_a1, to_a1
from addin.xlsx.formula import FormulaSyntaxError, function_names, parse, r1c1_key
from addin.xlsx.model import Sheet, Workbook
from udfs.errors import ExcelError

__all__ = ["check_results", "check_spills", "check_structure", "contract_calls", "normalise_ref"]


def normalise_ref(text: str) -> str:
    """A reference as comparable text: no ``$``, no quotes, upper case."""
    return text.replace("$", "").replace("'", "").strip().upper()


def contract_calls(formula: str) -> list[str]:
    """Registry function names that ``formula`` calls, outermost first.

    Any spelling a file may use counts (``TIERED``, ``_xludf.TIERED``,
    ``_xldudf_JX_TIERED``, ``JX.TIERED``); raises :class:`FormulaSyntaxError`
    when the formula cannot be parsed. The template specs' ``functions`` lists
    are written with it, and :func:`check_results` checks them with it.

    >>> contract_calls('=MONEY(TIERED(A2, 档位, "超额")) + SUM(B2:B9)')
    ['MONEY', 'TIERED']
    """
    return [
        spec.name
        for f in function_names(parse(formula))
        if (spec := registry.lookup(f.name)) is not None
    ]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def check_structure(report: Report, wb: Workbook, spec: dict[str, Any]) -> set[str]:
    """Sheets, names and headers; returns the names of the sheets that are missing
    (later checks skip them rather than repeat the same finding)."""
    missing: set[str] = set()
    for name in spec.get("sheets", []):
        if find_sheet(wb, name) is None:
            missing.add(name)
            report.add(
                "structure.missing-sheet", name, None,
                f"缺少工作表“{name}”（被删除或改名）",
                f"sheet {name!r} is missing (deleted or renamed)",
            )  # fmt: skip

    present = {dn.name.casefold(): dn for dn in wb.names if dn.sheet is None}
    for name, target in spec.get("names", {}).items():
        dn = present.get(name.casefold())
        if dn is None:
            report.add(
                "structure.missing-name", None, None,
                f"缺少名称“{name}”（应指向 {target}）",
                f"defined name {name!r} is missing (should refer to {target})",
            )  # fmt: skip
            continue
        got = normalise_ref(dn.text)
        if "#REF!" in got:
            report.add(
                "structure.broken-name", None, None,
                f"名称“{name}”已失效：{dn.text}（应指向 {target}）",
                f"defined name {name!r} is broken: {dn.text} (should refer to {target})",
            )  # fmt: skip
        elif not _same_anchor(got, normalise_ref(target)):
            report.add(
                "structure.moved-name", None, None,
                f"名称“{name}”指向 {dn.text}，模板规定为 {target}",
                f"defined name {name!r} refers to {dn.text}; the template says {target}",
            )  # fmt: skip

    tables = {t.name.casefold(): t for t in wb.tables}
    for want in spec.get("tables", []):
        table = tables.get(str(want["name"]).casefold())
        if table is None:
            report.add(
                "structure.missing-table", want.get("sheet"), None,
                f"缺少表格“{want['name']}”", f"Excel table {want['name']!r} is missing",
            )  # fmt: skip
            continue
        lost = [c for c in want.get("columns", []) if c not in table.columns]
        if lost:
            report.add(
                "structure.table-columns", table.sheet, to_a1(*table.first),
                f"表格“{table.name}”缺少列：{'、'.join(lost)}",
                f"Excel table {table.name!r} lacks columns: {', '.join(lost)}",
            )  # fmt: skip

    for h in spec.get("headers", []):
        sheet_name, cell, want = h["sheet"], h["cell"], h["text"]
        if sheet_name in missing:
            continue
        sheet = find_sheet(wb, sheet_name)
        if sheet is None:
            continue
        got = _text(sheet.values.get(from_a1(cell)))
        if got == _text(want):
            continue
        found = _find_header(sheet, from_a1(cell)[0], _text(want))
        where = f"，在 {found}" if found else ""
        where_en = f"; found at {found}" if found else ""
        report.add(
            "structure.header", sheet_name, cell,
            f"表头应为“{want}”，实为“{got}”{where}",
            f"header should be {want!r}, found {got!r}{where_en}",
        )  # fmt: skip
    return missing


def _same_anchor(got: str, want: str) -> bool:
    """Same sheet and same top-left cell, and the same columns: rows may grow
    when a clerk inserts people, but the range may not move."""
    g_sheet, _, g_rng = got.rpartition("!")
    w_sheet, _, w_rng = want.rpartition("!")
    if g_sheet != w_sheet:
        return False
    g_first, _, g_last = g_rng.partition(":")
    w_first, _, w_last = w_rng.partition(":")
    if g_first != w_first:
        return False
    if not w_last:
        return not g_last
    try:
        return from_a1(g_last or g_first)[1] == from_a1(w_last)[1]
    except ValueError:
        return False


def _find_header(sheet: Sheet, row: int, text: str) -> str | None:
    for (r, c), v in sheet.values.items():
        if r == row and _text(v) == text:
            return to_a1(r, c)
    return None


def _last_row(sheet: Sheet, col: int, first: int) -> int:
    rows = [r for (r, c) in sheet.values if c == col and r >= first]
    rows += [r for (r, c) in sheet.formulas if c == col and r >= first]
    return max(rows, default=first - 1)


def check_results(report: Report, wb: Workbook, spec: dict[str, Any], missing: set[str]) -> None:
    """Result columns and result cells hold their formulas."""
    for res in spec.get("results", []):
        sheet = find_sheet(wb, res["sheet"])
        if sheet is None or res["sheet"] in missing:
            continue
        wanted = [f.upper() for f in res.get("functions", [])]
        if res.get("spilled_into"):
            continue  # filled by a spill anchored in another column
        if "cell" in res or res.get("spill"):
            spills = res.get("anchors") or [
                {"anchor": res.get("anchor") or res["cell"], "ref": res.get("ref")}
            ]
            for area in spills:
                _check_formula_cell(report, sheet, from_a1(area["anchor"]), wanted)
                if area.get("ref"):
                    _check_spill_area(report, sheet, area["anchor"], area["ref"])
            continue
        col = col_number(res["column"])
        first = int(res["first_row"])
        last = max(int(res["last_row"]), _last_row(sheet, col, first))
        keys: dict[int, str] = {}
        for row in range(first, last + 1):
            if _check_formula_cell(report, sheet, (row, col), wanted):
                keys[row] = r1c1_key(sheet.formulas[(row, col)].text, row, col)
        if len(keys) > 1 or (keys and res.get("r1c1")):
            # the spec's R1C1 form when it has one (jixiao spec init writes it), else the majority
            common = res.get("r1c1") or Counter(keys.values()).most_common(1)[0][0]
            for row, key in keys.items():
                if key != common:
                    cell = to_a1(row, col)
                    report.add(
                        "result.inconsistent", sheet.name, cell,
                        f"本行公式与“{res.get('header', '')}”列其他行不一致："
                        f"={sheet.formulas[(row, col)].text}",
                        f"formula differs from the rest of column {res.get('header', '')!r}: "
                        f"={sheet.formulas[(row, col)].text}",
                    )  # fmt: skip


def _check_formula_cell(
    report: Report, sheet: Sheet, coord: tuple[int, int], wanted: list[str]
) -> bool:
    """Whether the cell holds a formula; reports a pasted value or a formula
    that no longer calls the template's functions."""
    cell = to_a1(*coord)
    formula = sheet.formulas.get(coord)
    if formula is None:
        value = sheet.values.get(coord)
        if value is None:
            report.add(
                "result.missing-formula", sheet.name, cell,
                "结果单元格的公式被删除（单元格为空）",
                "the result formula was deleted (the cell is empty)",
            )  # fmt: skip
        else:
            report.add(
                "result.not-formula", sheet.name, cell,
                f"结果单元格应为公式，实为粘贴的值 {value!r}",
                f"result cell should hold a formula, holds the pasted value {value!r}",
            )  # fmt: skip
        return False
    if wanted:
        try:
            called = set(contract_calls(formula.text))
        except FormulaSyntaxError:
            return True  # the formula checks report the syntax error
        lost = [w for w in wanted if w not in called]
        if lost:
            report.add(
                "result.function-missing", sheet.name, cell,
                f"公式不再调用模板规定的 {'、'.join(lost)}：={formula.text}",
                f"formula no longer calls {', '.join(lost)} as the template does: ={formula.text}",
            )  # fmt: skip
    return True


def check_spills(report: Report, wb: Workbook) -> None:
    """Without a spec: the range each dynamic-array formula records in the file
    holds nothing typed over it."""
    for sheet in wb.sheets:
        for coord, f in sheet.formulas.items():
            if f.kind == "dynamic" and f.ref and ":" in f.ref:
                _check_spill_area(report, sheet, to_a1(*coord), f.ref)


def _inside(coord: tuple[int, int], ref: str | None) -> bool:
    box = ref_box(ref)
    return box is not None and box[0][0] <= coord[0] <= box[1][0] and box[0][1] <= coord[1] <= box[1][1]


def _check_spill_area(report: Report, sheet: Sheet, anchor: str, ref: str) -> None:
    """Typed-over cells inside a spill area block the spill (#SPILL!).

    A formula there always blocks. A value blocks unless it is the spill's own
    output cached by the last calculation: inside the range the anchor's
    formula records and with the anchor calculated (not ``#SPILL!``).
    """
    box = ref_box(ref)
    if box is None:
        return
    (r1, c1), (r2, c2) = box
    a = from_a1(anchor)
    stored = sheet.formulas.get(a)
    cached = sheet.values.get(a)
    output_ok = stored is not None and cached is not None and not (
        isinstance(cached, ExcelError) and cached.code == "#SPILL!"
    )
    for r, c in present_cells(sheet, r1, c1, r2, c2):
        if (r, c) == a:
            continue
        if (r, c) in sheet.formulas:
            blocker = f"公式 ={sheet.formulas[(r, c)].text}"
            blocker_en = f"formula ={sheet.formulas[(r, c)].text}"
        elif output_ok and stored is not None and _inside((r, c), stored.ref):
            continue  # the spill's own cached output
        else:
            value = sheet.values.get((r, c))
            blocker, blocker_en = f"手工填入的值 {value!r}", f"typed value {value!r}"
        report.add(
            "result.spill-blocked", sheet.name, to_a1(r, c),
            f"{anchor} 的溢出区域内有{blocker}，会导致 #SPILL!（请清除此单元格）",
            f"{blocker_en} inside the spill area of {anchor} causes #SPILL! (clear this cell)",
        )  # fmt: skip
