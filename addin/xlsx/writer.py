"""Write computed values back into a copy of the original package.

:func:`write_results` puts the parts together in one pass over the package:

* each worksheet part with results gets its values spliced in
  (:mod:`addin.xlsx.sheet_writer`: only cached values, spill cells and a
  dynamic array's ``ref`` change; the XML is never re-serialised);
* links to other workbooks (``Results.link_caches``): an ``externalLink`` part
  whose linked workbook was refreshed in the same run gets that workbook's
  fresh values in the cells it already caches
  (:func:`addin.xlsx.external_links.update_cached_values`);
* calculation state (``<calcPr>`` in ``workbook.xml``, the other part that
  may change): every formula was just calculated, so the output says so
  (:func:`~addin.xlsx.workbook.declare_calculated`): ``fullCalcOnLoad`` is
  removed and ``calcId`` is raised to Excel's current engine id, so a reader
  is not told to recalculate everything on open — which, without the add-in,
  would replace every contract-function value we wrote with ``#NAME?``. The
  formulas themselves are kept, so Excel still recalculates every dependent
  cell as soon as an input changes. ``calcChain.xml`` stays valid because no
  formula is added or removed (spill cells hold no formula). Callers that want
  Excel to recompute everything on open can ask for ``full_calc_on_load=True``
  instead. What each reader does with this is in ``docs/refresh-output.md``;
* with ``values_only``, every formula replaced by its value
  (:mod:`addin.xlsx.values_only`);
* the repairs the reader made as Excel makes them (``repairs``,
  :class:`~addin.xlsx.model.Repair`): those cells' formulas dropped and their
  values kept, as Excel repairs the file on opening, and ``calcChain.xml``
  (which may list them as formula cells) dropped — Excel rebuilds it — so the
  output needs no repair and LibreOffice reads the value, not ``Err:520``.

Every other entry is copied raw and the output written atomically
(:mod:`addin.xlsx.package_writer`, :mod:`addin.xlsx.atomic_write`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from addin.xlsx.external_links import update_cached_values
from addin.xlsx.model import Repair, Results
from addin.xlsx.package import DEFAULT_LIMITS, InputFile, Limits, gc_paused
from addin.xlsx.package_writer import Deflated, in_pieces, part_bytes, write_package
from addin.xlsx.shared_strings import read_shared_strings
from addin.xlsx.sheet_writer import splice_deflated, splice_sheet
from addin.xlsx.values_only import drop_calc_chain, repair_formulas, strip_formulas
from addin.xlsx.workbook import declare_calculated, open_workbook, set_full_calc_on_load

__all__ = ["WriteSummary", "write_results"]


@dataclass
class WriteSummary:
    """What the writer changed: cells rewritten and parts replaced."""

    cells_changed: int = 0
    parts_changed: tuple[str, ...] = ()


def write_results(
    source: str | Path,
    results: Results,
    dest: str | Path,
    *,
    full_calc_on_load: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    data: bytes | InputFile | None = None,
    before_replace: Callable[[], None] | None = None,
    values_only: bool = False,
    repairs: Sequence[Repair] = (),
) -> WriteSummary:
    """Write ``results`` into a copy of ``source`` at ``dest`` (atomically).

    ``dest`` may be ``source`` itself (in-place refresh; the caller keeps a
    backup). With ``data`` the copy is made from those bytes (the ones the
    engine read, :func:`~addin.xlsx.package.read_input`), not from the file.
    ``before_replace`` is called once the new package is complete, just before
    it replaces ``dest``; an exception from it leaves ``dest`` untouched (the
    refresh command checks there that the input did not change meanwhile).
    With ``values_only`` every formula is then replaced by its value
    (:func:`strip_formulas`, ``calcChain.xml`` dropped): the copy to send to
    people without the add-in. See the module docstring for exactly what changes.
    """
    source = Path(source)
    dest = Path(dest)
    with open_workbook(source, limits, data=data) as package, gc_paused():
        parts = {sp.name.casefold(): sp.part for sp in package.sheet_parts}
        strings: list[str] | None = None

        def shared_strings() -> list[str]:
            nonlocal strings
            if strings is None:
                strings = []
                for rel_type, target in package.workbook_rels.values():
                    if rel_type.endswith("/sharedStrings") and package.has(target):
                        strings = read_shared_strings(package, target)
            return strings

        changed: dict[str, bytes | Deflated] = {}
        cells = 0
        sheet_names = set(results.values) | set(results.spills)
        for name in sheet_names:
            part = parts.get(name.casefold())
            if part is None:
                raise KeyError(f"results for a sheet the workbook does not have: {name!r}")
            updates = results.values.get(name, {})
            spills = results.spills.get(name, {})
            if not updates and not spills:
                continue
            xml = package.read(part)
            new: bytes | Deflated
            deflated = package.names[part].compress_type == zipfile.ZIP_DEFLATED
            if deflated and in_pieces(len(xml)) and not values_only:
                new, n = splice_deflated(xml, updates, spills, shared_strings)
            else:
                new, n = splice_sheet(xml, updates, spills, shared_strings)
            del xml  # the input part is not held while the next one is made
            if n:
                changed[part] = new
                cells += n
        removed = repair_formulas(package, changed, repairs) if not values_only else frozenset()
        if values_only:
            for sp in package.sheet_parts:
                xml = part_bytes(package, changed, sp.part)
                stripped = strip_formulas(xml)
                if stripped != xml:
                    changed[sp.part] = stripped
            removed = drop_calc_chain(package, changed)
        if full_calc_on_load or changed:  # values that were already cached: nothing to declare
            wb_xml = package.read(package.workbook_part)
            new_wb = (set_full_calc_on_load if full_calc_on_load else declare_calculated)(wb_xml)
            if new_wb != wb_xml:
                changed[package.workbook_part] = new_wb
        for part, fresh in results.link_caches.items():
            if package.has(part):
                updated = update_cached_values(package.read(part), fresh)
                if updated is not None:
                    changed[part] = updated

        write_package(
            source,
            package,
            changed,
            dest,
            data=data,
            removed=removed,
            before_replace=before_replace,
        )
    return WriteSummary(
        cells, tuple(p for p in (i.filename for i in package.infos) if p in changed)
    )
