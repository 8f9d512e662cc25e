"""The refresh job: one workbook read, calculated and written, apart from the
command line (:mod:`addin.refresh.cli` keeps the options and the printing).

- :class:`RefreshTask` — a frozen task: paths, :class:`RefreshOptions`, the
  date TODAY() stands on and RAND()'s seed (set in the process that runs the
  task, never passed through the environment);
- :func:`refresh_file` — read, calculate, write one file, all or nothing,
  into a :class:`FileReport`;
- :func:`run_linked` — the same for a workbook of a linked set, its links read
  from the outputs refreshed before it (:mod:`addin.refresh.links` orders the
  set; :mod:`addin.refresh.cluster` runs it on Dask);
- :func:`run_task` — one task with a bug turned into its report (exit 3).

See :mod:`addin.refresh.cli` for the exit codes and the report's fields.

刷新作业：读、算、写一个工作簿（全部成功或不写出），与命令行分开。
"""

from __future__ import annotations

import datetime
import errno
import importlib
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from addin.refresh.deep_stack import with_deep_stack
from addin.refresh.functions import volatile
from addin.summary import EXIT_ERRORS, EXIT_INTERNAL, EXIT_NOT_WRITTEN, EXIT_OK
from addin.xlsx.model import (
    CellValue,
    CircularReferenceError,
    Coord,
    Formula,
    RefreshError,
    Results,
    UnreadableWorkbookError,
    UnsupportedFormulaError,
    Workbook,
)
from addin.xlsx.package import InputFile

__all__ = [
    "Calculate",
    "EngineUnavailableError",
    "ErrorCell",
    "FileReport",
    "RefreshOptions",
    "RefreshTask",
    "check_engine",
    "default_output",
    "keep_backup",
    "load_engine",
    "refresh_file",
    "run_linked",
    "run_task",
    "sheet_ref",
]

Calculate = Callable[[Workbook, Path], Results]


# ---------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------


class EngineUnavailableError(Exception):
    """The chosen calculation engine is not installed (exit 2)."""


def check_engine(name: str) -> None:
    """Raise :class:`EngineUnavailableError` when engine ``name`` cannot run here
    (checked once per command, before any file is read)."""
    load_engine(name)
    if name == "libreoffice":
        module = importlib.import_module("addin.refresh.libreoffice")
        reason = module.unavailable_reason()
        if reason is not None:
            raise EngineUnavailableError(
                f"LibreOffice 引擎无法运行：{reason} / the LibreOffice engine cannot run: {reason}"
            )


def load_engine(name: str) -> Calculate:
    """The ``calculate(workbook, source_path) -> Results`` of engine ``name``,
    imported only when used: ``builtin`` is :func:`addin.refresh.engine.calculate`,
    ``libreoffice`` is :func:`addin.refresh.libreoffice.calculate`. (Tests
    replace this function to run the command with a stand-in engine.)"""
    if name == "builtin":
        from addin.refresh.engine import calculate

        return lambda workbook, _source: calculate(workbook)
    if name == "libreoffice":
        from addin.refresh.libreoffice import calculate as libreoffice

        return libreoffice
    raise EngineUnavailableError(f"未知引擎 {name} / unknown engine {name}")


# ---------------------------------------------------------------------------
# One file
# ---------------------------------------------------------------------------


@dataclass
class ErrorCell:
    """A formula cell whose computed value is an Excel error."""

    where: str  # "Sheet1!C5"
    sheet: str
    cell: str  # "C5"
    error: str  # "#REF!"
    function: str | None  # the outermost function of the cell's formula, if any
    reason: str  # the kernel's explanation ("中文 / English"), empty when it gave none


@dataclass
class FileReport:
    """The outcome of refreshing one workbook (picklable, JSON-able; see the
    module docstring for the fields)."""

    path: str
    output: str | None = None
    status: str = "ok"
    exit_code: int = EXIT_OK
    message: str = ""
    cells_computed: int = 0
    cells_written: int = 0
    #: error kind ("#DIV/0!") → the cells holding it ("Sheet1!C5"), all of them
    error_values: dict[str, list[str]] = field(default_factory=dict)
    error_cells: list[ErrorCell] = field(default_factory=list)
    #: unsupported / circular cells, or the pay problems of a written file:
    #: {"code", "sheet", "cell", "where", "zh", "en"}
    problems: list[dict[str, str | None]] = field(default_factory=list)
    seconds: float = 0.0
    backup: str | None = None
    #: links to other workbooks that used cached values: (cell, reason)
    links: list[tuple[str, str]] = field(default_factory=list)
    #: what the reader repaired as Excel does on opening: (cell, reason)
    #: (:attr:`addin.xlsx.model.Workbook.repairs`)
    repairs: list[tuple[str, str]] = field(default_factory=list)
    #: a volatile function (TODAY, NOW, RAND, RANDBETWEEN) was computed
    volatile: bool = False
    #: the file as the command shows it: relative to the folder given
    shown: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for ``--json``."""
        return asdict(self)


class InputChangedError(RefreshError):
    """The input file changed while it was being refreshed (exit 2)."""


class RefusedError(RefreshError):
    """The input may not be overwritten (Excel has it open …) (exit 2)."""


def default_output(source: Path, values_only: bool = False) -> Path:
    """``工资.xlsx`` → ``工资.refreshed.xlsx`` (``工资.values.xlsx`` for a
    values-only copy) beside it."""
    tag = "values" if values_only else "refreshed"
    return source.with_name(f"{source.stem}.{tag}{source.suffix}")


def backup_path(source: Path, number: int = 1) -> Path:
    """``工资.xlsx`` → ``工资.bak.xlsx``, then ``工资.bak.2.xlsx``, ``工资.bak.3.xlsx`` …"""
    tag = "bak" if number == 1 else f"bak.{number}"
    return source.with_name(f"{source.stem}.{tag}{source.suffix}")


def keep_backup(source: Path, data: InputFile) -> Path:
    """Copy ``data`` (the original as :func:`~addin.xlsx.package.read_input`
    opened it) to the first backup name not yet taken; an existing file is
    never overwritten, even by a run in parallel (the name is claimed with
    exclusive creation)."""
    for number in range(1, 10_000):
        candidate = backup_path(source, number)
        try:
            fh = candidate.open("xb")
        except FileExistsError:
            continue
        try:
            with fh:
                data.copy_to(fh)
                fh.flush()
                os.fsync(fh.fileno())
            shutil.copymode(source, candidate)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return candidate
    raise FileExistsError(errno.EEXIST, "no free backup name", str(source))


def owner_files(source: Path) -> list[Path]:
    """Excel's owner ("lock") files that say ``source`` is open: ``~$name.xlsx``,
    or for longer names ``~$`` over the first two characters."""
    names = {f"~${source.name}", f"~${source.name[2:]}"}
    return [source.with_name(n) for n in sorted(names) if source.with_name(n).exists()]


def refresh_file(
    source: Path,
    output: Path,
    calculate: Calculate,
    options: RefreshOptions | None = None,
    **flags: Any,
) -> FileReport:
    """Refresh one workbook: read, calculate, write ``output`` (all or nothing).

    Unreadable files, unsupported functions, circular references, an input
    that changes during the run and an output that cannot be written become a
    report with exit code 2 and nothing is written; error values in formula
    cells give exit code 1 (0 with ``allow_errors``).

    ``options`` are the :class:`RefreshOptions` (its ``engine`` is not read:
    ``calculate`` is the engine); ``flags`` replace single ones of them
    (``refresh_file(src, out, calculate, values_only=True)``).
    """
    opts = replace(options or RefreshOptions(), **flags)
    from addin.xlsx.package import gc_paused

    started = time.perf_counter()
    volatile.watch()
    with gc_paused():  # millions of acyclic objects: the collector only slows us down
        report = with_deep_stack(
            lambda: _refresh(
                source, output, calculate, opts.in_place, opts.full_calc_on_load, opts.values_only
            )
        )
    report.volatile = volatile.was_read()
    if report.error_cells:
        report.status = "errors"
        if not opts.allow_errors:
            report.exit_code = EXIT_ERRORS
    if report.output is not None and report.problems:
        # someone unpaid or a cell Excel shows as #NAME?: never ✓, whatever --allow-errors says
        report.status = "errors" if report.error_cells else "problems"
        report.exit_code = EXIT_ERRORS
    report.seconds = time.perf_counter() - started
    return report


def _refresh(
    source: Path,
    output: Path,
    calculate: Calculate,
    in_place: bool,
    full_calc_on_load: bool,
    values_only: bool,
) -> FileReport:
    from addin.xlsx.atomic_write import remove_stale_temp_files
    from addin.xlsx.package import read_input
    from addin.xlsx.workbook import read_workbook
    from addin.xlsx.writer import write_results

    report = FileReport(str(source))
    original: InputFile | None = None
    try:
        if in_place:
            given, source = source, source.resolve()  # a symlink is refreshed through
            output = source
            locks = owner_files(given) + [p for p in owner_files(source) if given != source]
            if locks:
                raise RefusedError(
                    f"{source.name} 正在被 Excel 打开（{locks[0].name}），请关闭后再原地刷新 / "
                    f"{source.name} is open in Excel ({locks[0].name}); close it before "
                    "refreshing in place"
                )
        original = read_input(source)
        workbook = read_workbook(source, data=original, formula_values=False)
        repairs = workbook.repairs
        report.repairs = [(r.where, r.reason) for r in repairs]
        results = calculate(workbook, source)
        pay_problems = _pay_problems(workbook, source, original)
        error_cells = _error_cells(results, workbook)
        # the read model is not needed for writing: freed here, not beside the writer's work
        del workbook

        def unchanged() -> None:
            if original is not None and original.changed():
                raise InputChangedError(
                    f"{source.name} 在刷新期间被修改，未写出文件 / {source.name} changed "
                    "while it was being refreshed; nothing written"
                )

        def before_replace() -> None:
            unchanged()
            if original is not None:
                original.close()  # everything is copied; and Windows replaces no open file

        unchanged()
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temp_files(output.parent)
            if in_place:
                report.backup = str(keep_backup(source, original))
            summary = write_results(
                source,
                results,
                output,
                full_calc_on_load=full_calc_on_load,
                data=original,
                before_replace=before_replace,
                values_only=values_only,
                repairs=repairs,
            )
        except BaseException:
            if report.backup:  # nothing was replaced: the backup is a spare copy
                Path(report.backup).unlink(missing_ok=True)
                report.backup = None
            raise
    except UnreadableWorkbookError as exc:
        _fail(report, "unreadable", exc)
    except UnsupportedFormulaError as exc:
        _fail(report, "unsupported", exc)
    except CircularReferenceError as exc:
        _fail(report, "circular", exc)
    except InputChangedError as exc:
        _fail(report, "changed", exc)
    except RefusedError as exc:
        _fail(report, "refused", exc)
    except RefreshError as exc:  # e.g. LibreOffice failed on this workbook
        _fail(report, "failed", exc)
    except OSError as exc:  # reading turns these into UnreadableWorkbookError: the output side
        report.status, report.exit_code = "output", EXIT_NOT_WRITTEN
        report.message = _os_message(exc, output)
    else:
        report.output = str(output)
        report.cells_computed = results.count()
        report.cells_written = summary.cells_changed
        report.error_values = _error_values(results)
        report.error_cells = error_cells
        report.problems = pay_problems
    finally:
        if original is not None:
            original.close()
    return report


def _pay_problems(
    workbook: Workbook, source: Path, data: InputFile
) -> list[dict[str, str | None]]:
    """The structural problems that change who is paid (:mod:`addin.validate.pay`):
    rows no formula reads, required inputs left blank, functions Excel shows as #NAME?."""
    from addin.validate import find_spec
    from addin.validate.pay import pay_problems
    from addin.validate.view import read_properties

    try:
        template = read_properties(source, data).get("jixiao.template")
    except UnreadableWorkbookError:  # a broken docProps part: no template to check against
        template = None
    spec = find_spec(template) if template else None
    found = pay_problems(workbook, spec, source)
    return [
        {"code": p.code, "sheet": p.sheet, "cell": p.cell, "where": p.where, "zh": p.zh, "en": p.en}
        for p in found.problems
    ]


def _os_message(exc: OSError, output: Path) -> str:
    """The output path, always, and the operating system's reason — naming the
    path it concerns when that is another (a parent folder that is a file)."""
    reason = exc.strerror or type(exc).__name__
    if exc.filename and str(exc.filename) != str(output):
        reason = f"{reason}: {exc.filename}"
    return f"无法写出 {output}（{reason}）/ cannot write {output} ({reason})"


def _fail(report: FileReport, status: str, exc: RefreshError) -> None:
    from addin.xlsx.a1 import to_a1

    report.status = status
    report.exit_code = EXIT_NOT_WRITTEN
    report.message = str(exc)
    sheet_order: dict[str, int] = {}
    for ref, _reason in exc.cells:
        sheet_order.setdefault(ref.sheet, len(sheet_order))
    cells = sorted(exc.cells, key=lambda p: (sheet_order[p[0].sheet], p[0].coord))
    for ref, reason in cells:
        zh, _, en = reason.partition(" / ")
        cell = to_a1(*ref.coord)
        report.problems.append(
            {
                "code": f"refresh.{status}",
                "sheet": ref.sheet,
                "cell": cell,
                "where": f"{sheet_ref(ref.sheet)}!{cell}",
                "zh": zh,
                "en": en or zh,
            }
        )


def _error_values(results: Results) -> dict[str, list[str]]:
    from addin.xlsx.a1 import to_a1
    from udfs.errors import ExcelError

    out: dict[str, list[str]] = {}
    for sheet, cells in results.values.items():
        errors = sorted((c, v) for c, v in cells.items() if isinstance(v, ExcelError))
        for (row, col), value in errors:
            out.setdefault(str(value), []).append(f"{sheet_ref(sheet)}!{to_a1(row, col)}")
    return dict(sorted(out.items()))


_FUNCTION_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


def _error_cells(results: Results, workbook: Workbook) -> list[ErrorCell]:
    """Every computed error value, sheet by sheet in workbook order, with the
    outermost function of its formula (a spill cell: its anchor's) and the
    kernel's reason."""
    from addin.xlsx.a1 import to_a1
    from udfs.errors import ExcelError

    order = {s.name: i for i, s in enumerate(workbook.sheets)}
    sheets = {s.name: s for s in workbook.sheets}
    out: list[ErrorCell] = []
    for name in sorted(results.values, key=lambda n: order.get(n, len(order))):
        errors = sorted(
            (c, v) for c, v in results.values[name].items() if isinstance(v, ExcelError)
        )  # the few errors sorted, not every computed cell
        if not errors:
            continue
        sheet = sheets.get(name)
        formulas = sheet.formulas if sheet is not None else {}
        anchors = _spill_anchors(results.spills.get(name, {}), formulas, [c for c, _v in errors])
        for coord, value in errors:
            formula = formulas.get(anchors.get(coord, coord))
            cell = to_a1(*coord)
            out.append(
                ErrorCell(
                    f"{sheet_ref(name)}!{cell}",
                    name,
                    cell,
                    str(value),
                    _outer_function(formula.text) if formula else None,
                    value.message,
                )
            )
    return out


def _spill_anchors(
    spills: Mapping[Coord, Coord], formulas: Mapping[Coord, Formula], cells: list[Coord]
) -> dict[Coord, Coord]:
    """The anchor of each of ``cells`` that holds no formula but lies in a spill
    or array range (bounded work: a pathological mix is left unattributed)."""
    from addin.xlsx.a1 import from_a1

    loose = [c for c in cells if c not in formulas]
    if not loose:
        return {}
    ranges = dict(spills)
    for anchor, formula in formulas.items():
        if formula.ref and ":" in formula.ref and anchor not in ranges:
            try:
                ranges[anchor] = from_a1(formula.ref.split(":")[1].replace("$", ""))
            except ValueError:
                continue
    if len(loose) * len(ranges) > 5_000_000:
        return {}
    found: dict[Coord, Coord] = {}
    for anchor, (last_row, last_col) in ranges.items():
        for coord in loose:
            if anchor[0] <= coord[0] <= last_row and anchor[1] <= coord[1] <= last_col:
                found.setdefault(coord, anchor)
    return found


def _outer_function(text: str) -> str | None:
    """The first (outermost) function a formula calls, without storage prefixes."""
    m = _FUNCTION_RE.search(re.sub(r'"(?:[^"]|"")*"', '""', text))
    if m is None:
        return None
    return m.group(1).upper().removeprefix("_XLFN.").removeprefix("_XLWS.")


def sheet_ref(name: str) -> str:
    if name.replace("_", "a").isalnum():
        return name
    return "'" + name.replace("'", "''") + "'"


# ---------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshOptions:
    """How to refresh a file (the command line's options)."""

    engine: str = "builtin"  # "builtin" or "libreoffice" (:func:`load_engine`)
    in_place: bool = False  # overwrite the input, keeping a backup
    full_calc_on_load: bool = False  # ask Excel to recalculate everything on open
    allow_errors: bool = False  # error values in formula cells still exit 0
    values_only: bool = False  # write a copy with every formula replaced by its value


@dataclass(frozen=True)
class RefreshTask:
    """One workbook to refresh: where from, where to, how, and what the
    volatile functions read (TODAY()/NOW()'s date, RAND()'s seed). Picklable,
    so a process pool or a Dask worker runs it as it is: nothing travels
    through the environment."""

    source: Path
    output: Path
    options: RefreshOptions = RefreshOptions()
    today: datetime.date | None = None  # None: the machine's date
    seed: int | None = None  # None: seeded from the system


def run_task(task: RefreshTask) -> FileReport:
    """Refresh one task; a bug becomes that file's report (exit 3) so a folder
    run goes on and reports every file. With the built-in engine, the file's
    links to other workbooks read the values cached in it (:func:`run_linked`
    with no linked outputs: every link points outside the set)."""
    try:
        if task.options.engine == "builtin":
            return run_linked(task, {}, None)
        volatile.configure(task.today, task.seed)
        return refresh_file(
            task.source, task.output, load_engine(task.options.engine), task.options
        )
    except Exception as exc:  # the per-file boundary: a bug is one line, not a traceback
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        return FileReport(
            str(task.source),
            status="internal",
            exit_code=EXIT_INTERNAL,
            message=f"内部错误（请报告，加 --debug 查看详情）/ internal error (please report; "
            f"--debug shows the traceback): "
            f"{type(exc).__name__}: {exc}",
        )


# ---------------------------------------------------------------------------
# A file of a linked set
# ---------------------------------------------------------------------------


def _fresh_values(output: Path) -> dict[str, dict[Coord, CellValue]]:
    from addin.xlsx.workbook import read_workbook

    return {s.name: dict(s.values) for s in read_workbook(output).sheets}


def _linking_cells(wb: Workbook, index: int) -> list[str]:
    """Formula cells reading link ``index`` (directly or through a defined name)."""
    from addin.xlsx.a1 import to_a1

    marker = f"[{index}]"
    names = {dn.name.casefold() for dn in wb.names if marker in dn.text}
    name_re = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE) if names else None
    cells = []
    for s in wb.sheets:
        for coord, f in sorted(s.formulas.items()):
            if marker in f.text or (name_re is not None and name_re.search(f.text)):
                cells.append(f"{s.name}!{to_a1(*coord)}")
    return cells


def run_linked(
    task: RefreshTask, linked: dict[int, str], outside: dict[int, str] | None
) -> FileReport:
    """Refresh one workbook of a linked set.

    ``linked``: link index → the output of the linked workbook (already
    refreshed); ``outside``: link index → the file it would need, or None for
    a workbook refreshed on its own (every link then points outside the set,
    and the file is read only once). The report gets one ``links`` note per
    cell that read a cached value.
    """
    volatile.configure(task.today, task.seed)
    base = load_engine(task.options.engine)
    fresh: dict[int, dict[str, dict[Coord, CellValue]]] = {}
    alone = outside is None
    stale = dict(outside or {})
    for index, output in linked.items():
        try:
            fresh[index] = _fresh_values(Path(output))
        except UnreadableWorkbookError:
            stale[index] = Path(output).name
    notes: list[tuple[str, str]] = []
    parts: dict[str, dict[str, dict[Coord, CellValue]]] = {}

    def calculate(wb: Workbook, src: Path) -> Any:
        links = []
        for link in wb.external_links:
            values = fresh.get(link.index)
            folded = {k.casefold(): v for k, v in (values or {}).items()}
            missing = [n for n in link.sheets if n.casefold() not in folded]
            if values is not None and not missing:
                mine = {n: folded[n.casefold()] for n in link.sheets}
                parts[link.part] = mine
                link = replace(link, values=mine)
            elif alone or link.index in stale or missing:
                # the file outside the set, or the sheet the linked file lacks
                need = (
                    link.target
                    if alone
                    else stale.get(link.index) or f"{Path(linked[link.index]).name}!{missing[0]}"
                )
                for cell in _linking_cells(wb, link.index):
                    notes.append(
                        (
                            cell,
                            f"外部链接 [{link.index}] 不在本次刷新的文件中，使用缓存值（需要 {need}）/ "
                            f"link [{link.index}] is outside the refreshed set: cached value used "
                            f"(needs {need})",
                        )
                    )
            links.append(link)
        results = base(replace(wb, external_links=links), src)
        results.link_caches.update(parts)  # the writer updates them in its one pass
        return results

    report = refresh_file(task.source, task.output, calculate, task.options)
    report.links = notes
    return report
