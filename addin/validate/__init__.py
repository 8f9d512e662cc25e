"""``jixiao validate``: prove a workbook still has the structure its formulas rely on.

:func:`validate` reads a workbook (never writing to it), finds the template it
was made from by the id stored in its document properties, and runs every
check against that template's structure spec (``workbooks/specs/<id>.json``):
structure, result formulas, formulas in general, parameter tables and inputs.
A workbook that is not from one of our templates gets the checks that need no
spec (formulas, rows beyond named ranges, spills, circular references, error
values) and a note saying how to lock its structure with ``jixiao spec init``.
A values-only copy (no formula left, as ``jixiao refresh --values`` writes it)
gets one note instead of a problem per result cell.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from addin.summary import repair_note
from addin.validate.calc import check_circular, check_error_values
from addin.validate.extents import check_extents
from addin.validate.formulas import check_formulas
from addin.validate.inputs import check_inputs
from addin.validate.pay import check_missing_prefixes
from addin.validate.report import Report
from addin.validate.structure import check_results, check_spills, check_structure
from addin.validate.tables import check_tables
from addin.validate.view import load_view
from addin.xlsx.model import UnreadableWorkbookError

__all__ = ["Report", "find_spec", "validate"]


def find_spec(template_id: str) -> dict[str, Any] | None:
    """The structure spec of a template shipped in ``workbooks/specs/``."""
    if not template_id or not all(ch.isalnum() or ch in "-_." for ch in template_id):
        return None
    path = resources.files("workbooks").joinpath("specs", f"{template_id}.json")
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def validate(path: str | Path, spec: dict[str, Any] | None = None) -> Report:
    """Validate one workbook; ``spec`` overrides the one found by template id."""
    report = Report(str(path))
    try:
        view = load_view(path)
    except UnreadableWorkbookError as exc:
        zh, _, en = str(exc).partition(" / ")
        report.unreadable = (zh, en or zh)
        return report
    report.template = view.template_id
    report.version = view.template_version
    for repair in view.workbook.repairs:
        report.note(*repair_note(repair.where, repair.reason))
    if spec is None and view.template_id:
        spec = find_spec(view.template_id)
        if spec is None:
            report.add(
                "template.unknown", None, None,
                f"文件声明的模板 {view.template_id} 不存在，只检查了公式",
                f"the file names template {view.template_id!r}, which is unknown; only formulas were checked",
            )  # fmt: skip
    if spec is not None:
        if report.template is None:
            report.template, report.version = spec.get("template"), spec.get("version")
        elif view.template_version and spec.get("version") != view.template_version:
            report.add(
                "template.version", None, None,
                f"文件来自模板 {view.template_id} {view.template_version} 版，"
                f"校验依据为 {spec.get('version')} 版",
                f"the file comes from template version {view.template_version}; "
                f"checked against version {spec.get('version')}",
            )  # fmt: skip
        missing = check_structure(report, view.workbook, spec)
        if spec.get("results") and not any(sheet.formulas for sheet in view.workbook.sheets):
            # every result is a value and not one formula is left: the copy
            # `jixiao refresh --values` writes for people without the add-in
            report.note(
                "这是只有数值、没有公式的副本（jixiao refresh --values 生成的那种）：结果公式不检查；"
                "要校验可用的工作簿，请校验原文件",
                "a values-only copy with no formulas (as jixiao refresh --values writes): result formulas "
                "were not checked; to check the working workbook, validate the original",
            )  # fmt: skip
        else:
            check_results(report, view.workbook, spec, missing)
        check_tables(report, view.workbook, spec)
        check_inputs(report, view, spec, missing)
    else:
        check_spills(report, view.workbook)
        report.note(
            "没有结构说明，只检查了公式与数据范围；要锁定结构，运行 jixiao spec init 工作簿.xlsx -o 说明.json，"
            "再用 jixiao validate --spec 说明.json 校验",
            "no structure spec: only formulas and data ranges were checked; to lock the structure run "
            "`jixiao spec init WORKBOOK.xlsx -o SPEC.json`, then `jixiao validate --spec SPEC.json`",
        )  # fmt: skip
    check_formulas(report, view.workbook)
    check_missing_prefixes(report, view.workbook, view.path.name)
    check_extents(report, view.workbook)
    check_circular(report, view.workbook)
    check_error_values(report, view.workbook)
    return report
