"""Test cases for a workbook (``NAME.cases.toml``, format: docs/cases.md):
read them, apply each case's inputs to the workbook in memory, recalculate
with the refresh engine, compare each expectation.

Addresses are ``"sheet!cell"`` or ``"key=value:column"`` — the row whose
defined name ``key`` (or, without one, the column under the header ``key``)
holds ``value``, in the defined name (or the header) ``column`` — e.g.
``"工号=WX003:户数"``. An address that names nothing fails its check (or, in
``set``, its case) and the other cases still run.

Comparison: money (the cell's formula calls ``MONEY``, or ``{money = …}``) to
the fen, half away from zero; other numbers to 1e-9 relative; text exactly;
errors by kind (``"#N/A"``); ``{text = "…"}``, ``{number = …}``,
``{error = "…"}`` force a kind. Nothing is ever written to the workbook.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from addin.refresh.engine import calculate
from addin.validate.structure import contract_calls
from addin.validate.view import array_anchor, find_sheet, name_ref
from addin.xlsx.a1 import from_a1, to_a1
from addin.xlsx.formula import FormulaSyntaxError, Ref
from addin.xlsx.model import CellValue, Coord, Results, Sheet, Workbook
from udfs.errors import ERROR_CODES, ExcelError

__all__ = ["Case", "CasesError", "Check", "Expect", "load_cases", "locate", "matches", "run_case"]

_REL = 1e-9
_KINDS = ("money", "number", "text", "error")


class CasesError(ValueError):
    """Cases that cannot be read or do not fit the workbook (exit 2)."""


@dataclass(frozen=True)
class Expect:
    """One expectation: address as written, the value and how to compare."""

    address: str
    value: Any
    kind: str | None = None  # None: from the value and the cell's formula


@dataclass
class Case:
    name: str
    set: dict[str, Any] = field(default_factory=dict)
    expect: list[Expect] = field(default_factory=list)


@dataclass
class Check:
    """The outcome of one expectation."""

    case: str
    address: str
    where: str  # sheet!cell
    kind: str
    expected: Any
    got: CellValue
    ok: bool
    explanation: list[str] = field(default_factory=list)


def _expect(address: str, raw: Any) -> Expect:
    if isinstance(raw, dict):
        keys = [k for k in raw if k in _KINDS]
        if len(keys) != 1 or len(raw) != 1:
            raise CasesError(
                f"期望值 {address!r} 须写作 {{money = …}}、{{number = …}}、{{text = …}} 或 {{error = …}} / "
                f"expectation {address!r} must be one of {{money|number|text|error = …}}"
            )
        return Expect(address, raw[keys[0]], keys[0])
    return Expect(address, raw)


def load_cases(path: str | Path) -> tuple[list[Case], str | None]:
    """The cases of a TOML file, and the workbook it names (``workbook = …``)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CasesError(f"{path}: 无法读取 / cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CasesError(f"{path}: 不是有效的 TOML / not valid TOML: {exc}") from None
    unknown = set(data) - {"workbook", "case"}
    if unknown:
        raise CasesError(f"{path}: 未知的键 / unknown keys: {', '.join(sorted(unknown))} (allowed: workbook, case)")
    raw_cases = data.get("case", [])
    if not isinstance(raw_cases, list) or not raw_cases:
        raise CasesError(f"{path}: 没有 [[case]] / no [[case]] tables")
    cases = []
    for i, raw in enumerate(raw_cases, start=1):
        extra = set(raw) - {"name", "set", "expect"}
        if extra:
            raise CasesError(f"{path}: case {i}: 未知的键 / unknown keys: {', '.join(sorted(extra))} "
                             "(allowed: name, set, expect)")
        if not isinstance(raw.get("expect"), dict) or not raw["expect"]:
            raise CasesError(f"{path}: case {i}: 缺少 [case.expect] / missing [case.expect]")
        cases.append(Case(
            name=str(raw.get("name", f"case {i}")),
            set=dict(raw.get("set", {})),
            expect=[_expect(a, v) for a, v in raw["expect"].items()],
        ))  # fmt: skip
    workbook = data.get("workbook")
    return cases, str(workbook) if workbook is not None else None


def _same(cell: CellValue, text: str) -> bool:
    if isinstance(cell, float) and not isinstance(cell, bool):
        try:
            return cell == float(text)
        except ValueError:
            return False
    return cell is not None and str(cell).strip() == text.strip()


def locate(wb: Workbook, address: str) -> tuple[Sheet, Coord]:
    """The sheet and cell an address names (``人员!E4`` or ``工号=WX003:户数``)."""
    if "!" in address:
        sheet_name, _, cell = address.rpartition("!")
        sheet = find_sheet(wb, sheet_name.strip("'"))
        if sheet is None:
            raise CasesError(f"{address}: 没有工作表“{sheet_name}” / no sheet {sheet_name!r}")
        try:
            return sheet, from_a1(cell)
        except ValueError:
            raise CasesError(f"{address}: 不是单元格地址 / not a cell address") from None
    key, eq, rest = address.partition("=")
    value, colon, column = rest.rpartition(":")
    if not eq or not colon:
        raise CasesError(f"{address}: 地址应为“表!单元格”或“名称=值:列” / expected 'sheet!cell' or 'name=value:column'")
    key_ref = name_ref(wb, key.strip()) or _header_column(wb, key.strip(), value)
    if key_ref is None or key_ref.sheet is None:
        raise CasesError(f"{address}: 没有名称或表头“{key}” / no defined name or header {key!r}")
    sheet = find_sheet(wb, key_ref.sheet)
    if sheet is None:
        raise CasesError(f"{address}: 名称“{key}”指向的工作表不存在 / the sheet of {key!r} is missing")
    rows = [r for r in range(key_ref.top, min(key_ref.bottom, sheet.max_row) + 1)
            if _same(sheet.values.get((r, key_ref.left)), value)]
    if len(rows) != 1:
        many = "多行" if rows else "没有一行"
        raise CasesError(f"{address}: “{key}”中{many}等于 {value!r} / {len(rows)} rows of {key!r} hold {value!r}")
    return sheet, (rows[0], _column(wb, sheet, key_ref, column.strip(), address))


def _header_column(wb: Workbook, header: str, value: str) -> Ref | None:
    """The column under a header cell reading ``header`` (no defined name
    needed): the cells below it down to the sheet's last row. Of several such
    headers, the one with ``value`` below it; ``None`` when none has."""
    found: list[Ref] = []
    for sheet in wb.sheets:
        for (r, c), v in sheet.values.items():
            if isinstance(v, str) and v.strip() == header and r < sheet.max_row:
                found.append(Ref(sheet.name, r + 1, c, sheet.max_row, c))
    holding = [ref for ref in found
               if any(_same(wb.sheet(str(ref.sheet)).values.get((r, ref.left)), value)
                      for r in range(ref.top, ref.bottom + 1))]  # fmt: skip
    return holding[0] if len(holding) == 1 else None


def _column(wb: Workbook, sheet: Sheet, key_ref: Ref, column: str, address: str) -> int:
    ref = name_ref(wb, column)
    if ref is not None and (ref.sheet or sheet.name).casefold() == sheet.name.casefold():
        return ref.left
    header_row = key_ref.top - 1
    for (r, c), v in sheet.values.items():
        if r == header_row and isinstance(v, str) and v.strip() == column:
            return c
    raise CasesError(f"{address}: 没有名称或表头“{column}” / no defined name or header {column!r}")


def _cell_value(raw: Any, date1904: bool) -> CellValue:
    if isinstance(raw, bool | str):
        if isinstance(raw, str) and raw.upper() in ERROR_CODES:
            return ExcelError(raw.upper())
        return raw
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, dt.datetime | dt.date):
        base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        moment = raw if isinstance(raw, dt.datetime) else dt.datetime(raw.year, raw.month, raw.day)
        return (moment.replace(tzinfo=None) - base) / dt.timedelta(days=1)
    raise CasesError(f"不能写入单元格的值 / not a cell value: {raw!r}")


def apply_inputs(wb: Workbook, inputs: dict[str, Any]) -> Workbook:
    """A copy of ``wb`` with the case's inputs written (a formula typed over is
    replaced by the value, as in Excel)."""
    out = copy.deepcopy(wb)
    for address, raw in inputs.items():
        sheet, coord = locate(out, address)
        sheet.formulas.pop(coord, None)
        sheet.values[coord] = _cell_value(raw, out.date1904)
        sheet.max_row, sheet.max_col = max(sheet.max_row, coord[0]), max(sheet.max_col, coord[1])
    return out


def value_at(wb: Workbook, results: Results, sheet: Sheet, coord: Coord) -> CellValue:
    """The recalculated value of a cell (its constant when it holds no formula)."""
    computed = results.values.get(sheet.name, {})
    return computed[coord] if coord in computed else sheet.values.get(coord)


def _money(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _kind(expect: Expect, sheet: Sheet, coord: Coord, anchor: Coord | None) -> str:
    if expect.kind:
        return expect.kind
    v = expect.value
    if isinstance(v, str):
        return "error" if v.upper() in ERROR_CODES else "text"
    if isinstance(v, bool):
        return "text"
    formula = sheet.formulas.get(anchor or coord)
    if formula is not None:
        try:
            if "MONEY" in contract_calls(formula.text):
                return "money"
        except FormulaSyntaxError:
            pass
    return "number"


def matches(kind: str, expected: Any, got: CellValue) -> bool:
    """Whether ``got`` meets the expectation (see the module docstring)."""
    if kind == "error":
        return isinstance(got, ExcelError) and got.code == str(expected).upper()
    if kind == "text":
        if isinstance(expected, bool):
            return got is expected
        return isinstance(got, str) and got == str(expected)
    if isinstance(got, bool) or not isinstance(got, int | float) or isinstance(expected, bool):
        return False
    e = float(expected)
    if kind == "money":
        return _money(float(got)) == _money(e)
    return math.isclose(float(got), e, rel_tol=_REL, abs_tol=0.0 if e else 1e-12)


def run_case(wb: Workbook, case: Case, explain_all: bool = False) -> list[Check]:
    """Apply ``case`` to a copy of ``wb``, recalculate, compare every expectation.

    Raises :class:`CasesError` for an address that names nothing, and lets the
    engine's :class:`~addin.xlsx.model.RefreshError` through (exit 2 in the CLI).
    """
    from addin.maintain.explain import explain, plan

    try:
        work = apply_inputs(wb, case.set)
    except CasesError as exc:  # an input that names nothing: this case fails, the others run
        bad = next((a for a in case.set if _bad_address(wb, a)), "set")
        return [Check(case.name, bad, bad, "address", case.set.get(bad), None, False, [str(exc)])]
    targets = []
    checks = []
    for e in case.expect:
        try:
            targets.append((e, *locate(work, e.address)))
        except CasesError as exc:  # one bad address is one failed check, not the end of the run
            checks.append(Check(case.name, e.address, e.address, "address", e.value, None, False, [str(exc)]))
    scratch = plan(work, [(sheet, coord) for _e, sheet, coord in targets])
    from addin.refresh.deep_stack import with_deep_stack

    results = with_deep_stack(lambda: calculate(work))  # formulas as deep as Excel allows
    for expect, sheet, coord in targets:
        anchor = array_anchor(sheet, coord)
        kind = _kind(expect, sheet, coord, anchor)
        got = value_at(work, results, sheet, coord)
        ok = matches(kind, expect.value, got)
        lines = explain(work, results, scratch, sheet, coord, got) if (not ok or explain_all) else []
        checks.append(Check(case.name, expect.address, f"{sheet.name}!{to_a1(*coord)}", kind, expect.value,
                            got, ok, lines))
    return checks


def _bad_address(wb: Workbook, address: str) -> bool:
    try:
        locate(wb, address)
    except CasesError:
        return True
    return False
