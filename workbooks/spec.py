"""The structure spec of a template, for ``jixiao validate`` (format: specs/README.md)."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from addin.validate.structure import contract_calls
from workbooks.model import FIRST_ROW, HEADER_ROW, DataSheet, FreeSheet, Slip, Template
from workbooks.params_layout import PARAM_SHEET, layout_params
from workbooks.writer import README_SHEET, defined_names

SPEC_FORMAT = 1


def build_spec(t: Template) -> dict[str, Any]:
    lay = layout_params(t)
    names = defined_names(t, lay)
    sheets = [README_SHEET, PARAM_SHEET] + [s.name for s in t.sheets]
    headers = [{"sheet": PARAM_SHEET, "cell": c, "text": h} for c, h in lay.header_cells]
    inputs: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for s in t.sheets:
        if isinstance(s, DataSheet):
            for i, c in enumerate(s.cols, start=1):
                letter = get_column_letter(i)
                headers.append({"sheet": s.name, "cell": f"{letter}{HEADER_ROW}", "text": c.header})
                # where the column is: the start of its input or result entry
                where = {"sheet": s.name, "column": letter, "header": c.header, "first_row": FIRST_ROW,
                        "last_row": s.last_row}
                if c.is_input:
                    inputs.append({
                        **where, "kind": c.kind,
                        "choices": list(c.choices) if c.choices else None,
                        "choices_name": c.choices_ref, "required": c.required, "name": c.name,
                    })
                elif c.is_covered:
                    results.append({**where, "formula": False, "spilled_into": True})
                else:
                    assert c.formula is not None
                    entry: dict[str, Any] = {
                        **where, "formula": True, "spill": c.spill, "name": c.name,
                        "functions": sorted(set(contract_calls(c.formula))),
                    }
                    if c.spill:
                        end = get_column_letter(i + c.span - 1)
                        entry["anchor"] = f"{letter}{FIRST_ROW}"
                        entry["ref"] = f"{letter}{FIRST_ROW}:{end}{s.end_row}"
                    results.append(entry)
        elif isinstance(s, FreeSheet):
            b = s.block
            for addr, v in b.values.items():
                if isinstance(v, str) and v.startswith("="):
                    e: dict[str, Any] = {"sheet": s.name, "cell": addr, "formula": True,
                                         "functions": sorted(set(contract_calls(v)))}
                    if addr in b.arrays:
                        e["spill"] = True
                        e["anchor"] = addr
                        e["ref"] = b.arrays[addr]
                    results.append(e)
                elif b.styles.get(addr) == "header" and isinstance(v, str):
                    headers.append({"sheet": s.name, "cell": addr, "text": v})
            for addr, kind in b.kinds.items():
                inputs.append({"sheet": s.name, "cell": addr, "kind": kind, "required": True})
            for addr, lst in b.choices.items():
                inputs.append({"sheet": s.name, "cell": addr, "kind": "choice", "choices_name": lst.lstrip("="),
                               "required": True})
    bands, weights, prizes, lists = [], [], [], []
    for tb in t.tables:
        rng = lay.table_ranges[tb.name]
        if tb.kind == "band":
            numeric = [j + 1 for j in range(len(tb.headers))
                       if all(isinstance(r[j], (int, float)) or (j > 0 and r[j] is None) for r in tb.rows)]
            bands.append({"name": tb.name, "range": f"{PARAM_SHEET}!{rng}", "columns": len(tb.headers),
                          "ascending": True, "side": tb.side or "lower", "numeric_columns": numeric})
        elif tb.kind == "prize":
            prizes.append({"name": tb.name, "range": f"{PARAM_SHEET}!{rng}"})
        elif tb.kind == "weights" and tb.total is not None:
            first = rng.split(":")[0]
            span = tb.total_span or len(tb.headers)
            row = "".join(ch for ch in first if ch.isdigit())
            weights.append({"name": tb.name, "range": f"{PARAM_SHEET}!A{row}:{get_column_letter(span)}{row}",
                            "total": tb.total})
        elif tb.kind == "list":
            lists.append({"name": tb.name, "range": f"{PARAM_SHEET}!{rng}"})
    params = [{"name": s.name, "sheet": PARAM_SHEET, "cell": lay.scalar_cells[s.name], "kind": s.kind,
               "choices": list(s.choices) if s.choices else None} for s in t.scalars]
    slip = {"slip": slip_entry(t, t.slip)} if t.slip is not None else {}
    return {
        "format": SPEC_FORMAT,
        "template": t.id,
        "version": t.version,
        "title": t.title,
        "file": t.filename,
        "properties": {"jixiao.template": t.id, "jixiao.version": t.version},
        "sheets": sheets,
        "names": names,
        "tables": [],
        "headers": headers,
        "parameters": params,
        "inputs": inputs,
        "results": results,
        "band_tables": bands,
        "weight_groups": weights,
        "prize_tables": prizes,
        "lists": lists,
        **slip,
    }


def slip_entry(t: Template, slip: Slip) -> dict[str, Any]:
    """The spec's ``slip`` entry (format: docs/spec-format.md) from the template's headers."""
    s = t.data_sheet(slip.sheet)
    shown = [c.header for c in s.cols if c.header not in slip.leave_out]
    return {
        "sheet": s.name, "header_row": HEADER_ROW, "first_row": FIRST_ROW, "last_row": s.last_row,
        "key": s.letter(slip.key), "name": s.letter(slip.name),
        "columns": [s.letter(h) for h in shown], "paid": [s.letter(h) for h in slip.paid],
    }
