"""Drive a private headless LibreOffice Calc with the jixiao add-in installed.

Run by the *system* Python (``python3-uno`` is built for it), by
tests/test_hosts_calc.py::

    /usr/bin/python3 tests/calc_driver.py JOB.json

JOB.json: ``{"oxt": PATH, "profile": DIR, "workbooks": [{"path": P, "cells":
["Sheet!A1", …]}], "sheets": [{"values": {"A1": v, …}, "formulas": [{"ref":
"F1" | "F1:F10", "formula": "=…"}], "read": ["F1", …]}], "save": PATH,
"describe": [NAME, …]}``.

1. Starts ``soffice`` on the fresh profile DIR and installs the ``.oxt``
   through the ExtensionManager (``unopkg add`` refuses a per-user install as
   root), then stops it: LibreOffice reads an extension's type library only
   when it starts.
2. Starts it again (the only start that computes), sets "always recalculate
   on load", opens each workbook unmodified, recalculates it and reads the
   cells; then types each sheet of ``sheets`` into one new document (values
   as constants, formulas as typed in the API grammar, a range ``ref`` as an
   array formula), reads the cells and saves the document as .xlsx to
   ``save``; reads what Calc's function list (the function wizard's source)
   holds for each function of ``describe``.

Prints one JSON object: ``{"version": …, "workbooks": {PATH: {CELL: [kind,
value]}}, "sheets": [{CELL: [kind, value]}], "described": {NAME: {"category",
"description", "arguments": [[name, description, optional]]}}}`` where kind is ``n`` (number),
``s`` (text), ``e`` (error; value is LibreOffice's error number) or
``empty`` (an empty cell, an empty result or the empty text: Calc's data
array does not tell them apart). The add-in object itself never crosses to this process: the
client's UNO bridge does not know the add-in's types.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import uno
import unohelper
from com.sun.star.task import XInteractionHandler
from com.sun.star.ucb import XCommandEnvironment

# The refresh engine's LibreOffice worker: one private soffice and its UNO connection.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addin" / "refresh" / "lo_bridge"))
from worker import Office as Soffice
from worker import prop


class Approve(unohelper.Base, XInteractionHandler):
    """Answers the ExtensionManager's questions (licence, replace) with "approve"."""

    def handle(self, request: Any) -> None:
        approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")
        for continuation in request.getContinuations():
            if continuation.queryInterface(approve):
                continuation.select()
                return


class Environment(unohelper.Base, XCommandEnvironment):
    def getInteractionHandler(self) -> Any:
        return Approve()

    def getProgressHandler(self) -> Any:
        return None


class Office(Soffice):
    """The worker's soffice, able to install an extension into its profile."""

    def install(self, oxt: Path) -> None:
        manager = self.ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        manager.addExtension(oxt.resolve().as_uri(), (), "user", manager.createAbortChannel(), Environment())


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _position(a1: str) -> tuple[int, int]:
    """(column, row), 0-based, of ``B7``."""
    letters = a1.rstrip("0123456789").replace("$", "")
    return _column(letters.upper()), int(a1[len(letters):]) - 1


def read_many(sheet: Any, cells: list[str]) -> dict[str, list[Any]]:
    """Many cells of one sheet in one call (``getDataArray`` over their bounding box).

    The data array holds a number, a text, ``""`` for an empty cell, ``0`` for
    an empty element of an array result (told apart by the cell showing
    nothing) and nothing for an error, whose number is then read cell by cell.
    """
    if not cells:
        return {}
    where = {a1: _position(a1) for a1 in cells}
    c0 = min(c for c, _ in where.values())
    r0 = min(r for _, r in where.values())
    c1 = max(c for c, _ in where.values())
    r1 = max(r for _, r in where.values())
    data = sheet.getCellRangeByPosition(c0, r0, c1, r1).getDataArray()
    out: dict[str, list[Any]] = {}
    for a1, (c, r) in where.items():
        value = data[r - r0][c - c0]
        if value is None:
            out[a1] = ["e", sheet.getCellByPosition(c, r).getError()]
        elif isinstance(value, str):
            out[a1] = ["empty", None] if value == "" else ["s", value]
        elif value == 0 and sheet.getCellByPosition(c, r).getString() == "":
            out[a1] = ["empty", None]  # an empty result: the data array says 0, the cell shows nothing
        else:
            out[a1] = ["n", float(value)]
    return out


def read_workbook(office: Office, path: str, cells: list[str]) -> dict[str, list[Any]]:
    doc = office.desktop.loadComponentFromURL(  # read-only: no lock file beside the template
        Path(path).resolve().as_uri(), "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True))
    )
    try:
        doc.calculateAll()
        sheets = doc.getSheets()
        by_sheet: dict[str, list[str]] = {}
        for ref in cells:
            sheet, a1 = ref.rsplit("!", 1)
            by_sheet.setdefault(sheet, []).append(a1)
        out = {}
        for sheet, a1s in by_sheet.items():
            held = read_many(sheets.getByName(sheet.strip("'")), a1s)
            out.update({f"{sheet}!{a1}": value for a1, value in held.items()})
        return out
    finally:
        doc.close(True)


def type_sheets(office: Office, jobs: list[dict[str, Any]], save: str | None) -> list[dict[str, Any]]:
    doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    try:
        sheets = doc.getSheets()
        for i in range(len(jobs)):
            if i >= sheets.getCount():
                sheets.insertNewByName(f"S{i + 1}", i)
        for i, job in enumerate(jobs):
            sheet = sheets.getByIndex(i)
            for a1, value in job["values"].items():
                cell = sheet.getCellRangeByName(a1)
                if isinstance(value, str):
                    cell.setString(value)
                elif value is not None:
                    cell.setValue(float(value))
            for f in job["formulas"]:
                target = sheet.getCellRangeByName(f["ref"])
                if ":" in f["ref"]:
                    target.setArrayFormula(f["formula"])
                else:
                    target.setFormula(f["formula"])
        doc.calculateAll()
        out = [read_many(sheets.getByIndex(i), job["read"]) for i, job in enumerate(jobs)]
        if save:
            doc.storeToURL(
                Path(save).resolve().as_uri(),
                (prop("FilterName", "Calc Office Open XML"), prop("Overwrite", True)),
            )
        return out
    finally:
        doc.close(True)


def describe(office: Office, names: list[str]) -> dict[str, Any]:
    """What Calc's function list (the wizard's source) holds for each of ``names``."""
    descriptions = office.smgr.createInstanceWithContext(
        "com.sun.star.sheet.FunctionDescriptions", office.ctx
    )
    out: dict[str, Any] = {}
    for i in range(descriptions.getCount()):
        entry = {p.Name: p.Value for p in descriptions.getByIndex(i)}
        if entry["Name"] in names:
            out[entry["Name"]] = {
                "category": entry["Category"],
                "description": entry["Description"],
                "arguments": [[a.Name, a.Description, a.IsOptional] for a in entry["Arguments"]],
            }
    return out


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    profile = Path(job["profile"])
    office = Office(profile)
    try:
        office.install(Path(job["oxt"]))
    finally:
        office.stop()
    office = Office(profile)
    try:
        office.configure()  # recalculate on load
        result = {
            "version": office.version(),
            "workbooks": {
                w["path"]: read_workbook(office, w["path"], w["cells"]) for w in job.get("workbooks", [])
            },
            "sheets": type_sheets(office, job.get("sheets", []), job.get("save")),
            "described": describe(office, job.get("describe", [])),
        }
    finally:
        office.stop()
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
