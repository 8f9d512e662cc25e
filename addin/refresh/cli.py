"""``jixiao refresh``: recalculate workbooks without Excel and write the values back.

Per file: read the package safely (:mod:`addin.xlsx.package`), calculate
(:mod:`addin.refresh.engine`, or LibreOffice with ``--engine libreoffice``),
write the cached values into a copy (:mod:`addin.xlsx.writer`) and print a
summary: cells computed, error values by kind with their cells, time.

Exit codes (the worst file decides; a folder run reports every file and goes on):

* 0 — every file written, no formula cell holds an error value and nothing
  that affects pay was found.
* 1 — written, but formula cells hold error values (``#REF!``, ``#NAME?``,
  ``#VALUE!``, ``#SPILL!`` …): the summary lists them by sheet with their
  cells, the function and the kernel's reason. ``--allow-errors`` makes this 0
  for workbooks where error values are expected. Also 1, whatever
  ``--allow-errors`` says, when the checks of :mod:`addin.validate.pay` find
  something that changes who is paid: people typed below the rows a name,
  table or range covers (nobody computes them), a required input left blank in
  a person's row, a newer function stored without its ``_xlfn.`` prefix (Excel
  shows ``#NAME?``; so does the engine) — each with sheet!cell and the fix.
* 2 — nothing written for a file: it cannot be read (not a workbook, ``.xls``,
  encrypted, corrupt, hostile, not a regular file), it uses a function or
  construct outside the supported list, it has a circular reference, it
  changed while it was being refreshed, or the output cannot be written (the
  message names the path and the operating system's reason); also a wrong
  command line.
* 3 — an internal error (a bug): a one-line message instead of a traceback;
  set ``JIXIAO_DEBUG=1`` to see the traceback.

``--json`` prints one document, the same shape as ``jixiao validate --json``
(:mod:`addin.summary`)::

    {"command": "refresh", "exit_code": 1, "files": [FILE, ...]}

Each FILE has ``path``, ``source``, ``status``, ``exit_code``, ``message``
(``中文 / English``), ``problems`` (``[[where, "中文 / English"], ...]``) and
``problem_details`` (``[{"code", "sheet", "cell", "where", "zh", "en"}]``; for
refresh the unsupported or circular cells, code ``refresh.unsupported`` /
``refresh.circular``, or for a written file the pay problems, codes
``extent.beyond-range``, ``input.blank``, ``formula.missing-prefix``); refresh adds ``links`` and ``output``, ``backup``,
``cells_computed``, ``cells_written``, ``seconds``, ``error_values`` (error
kind → cells) and ``error_cells`` (``[{"where", "sheet", "cell", "error",
"function", "reason"}]``). ``status`` is one of ``ok``, ``errors`` (written,
with error values), ``problems`` (written, with pay problems and no error
values), ``unreadable``, ``unsupported``, ``circular``,
``failed`` (the engine gave up), ``changed`` (the input changed during the
run), ``refused`` (the input may not be overwritten), ``output`` (the output
cannot be written), ``internal``, and for sets of files ``link-cycle`` and
``worker-died`` (:mod:`addin.refresh.links`, :mod:`addin.refresh.cluster`).
"""

from __future__ import annotations

import datetime
import errno
import importlib
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from addin.summary import EXIT_ERRORS, EXIT_INTERNAL, EXIT_NOT_WRITTEN, EXIT_OK, json_document
from addin.xlsx.model import (
    CircularReferenceError,
    Coord,
    Formula,
    RefreshError,
    Results,
    UnreadableWorkbookError,
    UnsupportedFormulaError,
    Workbook,
)

__all__ = [
    "ErrorCell",
    "FileReport",
    "default_output",
    "find_workbooks",
    "keep_backup",
    "load_engine",
    "refresh_command",
    "refresh_file",
    "with_deep_stack",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: how many cells to name per error kind / per reason in the text summary
SHOW_CELLS = 5

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


def keep_backup(source: Path, data: bytes) -> Path:
    """Write ``data`` (the original's bytes) to the first backup name not yet
    taken; an existing file is never overwritten, even by a run in parallel
    (the name is claimed with exclusive creation)."""
    for number in range(1, 10_000):
        candidate = backup_path(source, number)
        try:
            fh = candidate.open("xb")
        except FileExistsError:
            continue
        try:
            with fh:
                fh.write(data)
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
    *,
    in_place: bool = False,
    full_calc_on_load: bool = False,
    allow_errors: bool = False,
    values_only: bool = False,
) -> FileReport:
    """Refresh one workbook: read, calculate, write ``output`` (all or nothing).

    Unreadable files, unsupported functions, circular references, an input
    that changes during the run and an output that cannot be written become a
    report with exit code 2 and nothing is written; error values in formula
    cells give exit code 1 (0 with ``allow_errors``).
    """
    from addin.refresh.functions import volatile
    from addin.xlsx.package import gc_paused

    started = time.perf_counter()
    volatile.watch()
    with gc_paused():  # millions of acyclic objects: the collector only slows us down
        report = with_deep_stack(
            lambda: _refresh(source, output, calculate, in_place, full_calc_on_load, values_only)
        )
    report.volatile = volatile.was_read()
    if report.error_cells:
        report.status = "errors"
        if not allow_errors:
            report.exit_code = EXIT_ERRORS
    if report.output is not None and report.problems:
        # someone unpaid or a cell Excel shows as #NAME?: never ✓, whatever --allow-errors says
        report.status = "errors" if report.error_cells else "problems"
        report.exit_code = EXIT_ERRORS
    report.seconds = time.perf_counter() - started
    return report


#: A formula Excel accepts (8,192 characters) can be a chain of ~2,700 binary
#: operators, a tree that deep; the engine walks trees recursively. The work runs
#: in a thread with a large stack under this raised, bounded recursion limit.
RECURSION_LIMIT = 25_000
STACK_SIZE = 512 * 1024**2

_T = TypeVar("_T")


def with_deep_stack(work: Callable[[], _T]) -> _T:
    """``work()`` in a thread with a :data:`STACK_SIZE` stack and at least
    :data:`RECURSION_LIMIT` Python frames; its result, or its exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the calling thread unchanged
            outcome.append((False, exc))

    with _deep_stack_lock:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size(STACK_SIZE)
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            # a daemon: Ctrl-C ends the command at once (the next run removes its temp file)
            worker = threading.Thread(target=run, name="jixiao-refresh", daemon=True)
            worker.start()
            worker.join()
        finally:
            threading.stack_size(old_stack)
            sys.setrecursionlimit(old_limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    result: _T = value
    return result


_deep_stack_lock = threading.Lock()


def _refresh(
    source: Path,
    output: Path,
    calculate: Calculate,
    in_place: bool,
    full_calc_on_load: bool,
    values_only: bool,
) -> FileReport:
    from addin.xlsx.package import read_input, read_workbook
    from addin.xlsx.writer import remove_stale_temp_files, write_results

    report = FileReport(str(source))
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
        workbook = read_workbook(source, data=original.data, formula_values=False)
        results = calculate(workbook, source)

        def unchanged() -> None:
            if original.changed():
                raise InputChangedError(
                    f"{source.name} 在刷新期间被修改，未写出文件 / {source.name} changed "
                    "while it was being refreshed; nothing written"
                )

        unchanged()
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temp_files(output.parent)
            if in_place:
                report.backup = str(keep_backup(source, original.data))
            summary = write_results(
                source,
                results,
                output,
                full_calc_on_load=full_calc_on_load,
                data=original.data,
                before_replace=unchanged,
                values_only=values_only,
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
        report.error_cells = _error_cells(results, workbook)
        report.problems = _pay_problems(workbook, source, original.data)
    return report


def _pay_problems(workbook: Workbook, source: Path, data: bytes) -> list[dict[str, str | None]]:
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
    where = exc.filename if exc.filename else output
    reason = exc.strerror or type(exc).__name__
    return f"无法写出 {where}（{reason}）/ cannot write {where} ({reason})"


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
                "where": f"{_sheet_ref(ref.sheet)}!{cell}",
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
            out.setdefault(str(value), []).append(f"{_sheet_ref(sheet)}!{to_a1(row, col)}")
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
                    f"{_sheet_ref(name)}!{cell}",
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


def _sheet_ref(name: str) -> str:
    if name.replace("_", "a").isalnum():
        return name
    return "'" + name.replace("'", "''") + "'"


# ---------------------------------------------------------------------------
# Inputs and outputs
# ---------------------------------------------------------------------------


def _is_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.suffix.lower() in WORKBOOK_SUFFIXES
        and not name.startswith(("~$", ".~jixiao-"))
        and ".refreshed." not in name
        and ".values." not in name
        and ".bak." not in name
    )


def find_workbooks(inputs: Iterable[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(workbook, folder it was found in or ``None``) for files and folders.

    Folders are searched recursively for ``*.xlsx`` / ``*.xlsm``, skipping
    Excel's lock files (``~$…``), our temporary files, our own outputs
    (``*.refreshed.*``) and backups (``*.bak.*``). Named files are taken as given.
    """
    for path in inputs:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and _is_candidate(found):
                    yield found, path
        else:
            yield path, None


def display_name(source: Path, folder: Path | None) -> str:
    """How a report names a file: its path inside the folder given
    (``东区/奖金表.xlsx`` and ``西区/奖金表.xlsx`` stay apart), else its name."""
    if folder is not None:
        try:
            return source.relative_to(folder).as_posix()
        except ValueError:
            pass
    return source.name


def _plan(
    inputs: Sequence[Path], out: Path | None, in_place: bool, values_only: bool = False
) -> list[tuple[Path, Path]]:
    jobs = list(find_workbooks(inputs))
    several = len(jobs) > 1 or any(folder is not None for _f, folder in jobs)
    plan: list[tuple[Path, Path]] = []
    for source, folder in jobs:
        if in_place:
            dest = source
        elif out is None:
            dest = default_output(source, values_only)
        elif several or out.is_dir():
            relative = source.relative_to(folder) if folder is not None else Path(source.name)
            dest = out / relative
        else:
            dest = out
        plan.append((source, dest))
    if not in_place:
        for source, dest in plan:
            if dest.exists() and _same_file(source, dest):
                raise click.UsageError(
                    f"输出 {dest} 就是输入本身；要覆盖原文件请用 --in-place（会保留备份）/ "
                    f"the output {dest} is the input itself; use --in-place to overwrite "
                    "the original (a backup is kept)"
                )
    targets = [d.resolve() for _s, d in plan]
    if len(set(targets)) != len(targets):
        raise click.UsageError(
            "多个输入会写到同一个输出文件，请分开运行或改用文件夹 / several inputs would be "
            "written to the same output file; run them separately"
        )
    return plan


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


Task = tuple[Path, Path, str, bool, bool, bool, bool]


def _run_one(args: Task) -> FileReport:
    """Refresh one planned file; a bug becomes that file's report (exit 3) so a
    folder run goes on and reports every file."""
    source, dest, engine, in_place, full_calc, allow_errors, values_only = args
    try:
        if engine == "builtin":  # any link of a file refreshed alone points outside the set
            from addin.refresh import links

            report: FileReport = links.run_linked(args, {}, None, refresh_file)
            return report
        return refresh_file(
            source,
            dest,
            load_engine(engine),
            in_place=in_place,
            full_calc_on_load=full_calc,
            allow_errors=allow_errors,
            values_only=values_only,
        )
    except Exception as exc:  # the per-file boundary: a bug is one line, not a traceback
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        return FileReport(
            str(source),
            status="internal",
            exit_code=EXIT_INTERNAL,
            message=f"内部错误（请报告）/ internal error (please report): "
            f"{type(exc).__name__}: {exc}",
        )


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


class _Say:
    """Bilingual text: ``zh / en`` by default, one language with ``--lang``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, zh: str, en: str) -> str:
        if self.lang == "zh":
            return zh
        if self.lang == "en":
            return en
        return f"{zh} / {en}"

    def pick(self, message: str) -> str:
        """One side of a ``中文 / English`` message from the model's errors."""
        if self.lang in ("zh", "en") and " / " in message:
            zh, _, en = message.partition(" / ")
            return zh if self.lang == "zh" else en
        return message


def _cells(cells: Sequence[str]) -> str:
    shown = ", ".join(cells[:SHOW_CELLS])
    if len(cells) > SHOW_CELLS:
        shown += f", … (+{len(cells) - SHOW_CELLS})"
    return shown


def format_report(report: FileReport, say: _Say) -> list[str]:
    """The human summary of one file (a few lines)."""
    name = report.shown or Path(report.path).name
    colon = "：" if say.lang == "zh" else ": "
    if report.output is not None:
        out = Path(report.output).name
        mark = (
            "✓"
            if not report.error_cells and not report.problems
            else ("!" if report.exit_code == EXIT_OK else "✗")
        )
        lines = [
            f"{mark} {name} → {out}{colon}"
            + say(
                f"计算 {report.cells_computed} 个单元格，写入 {report.cells_written} 个，"
                f"用时 {report.seconds:.2f} 秒",
                f"{report.cells_computed} cells computed, {report.cells_written} written "
                f"in {report.seconds:.2f} s",
            )
        ]
        if report.error_cells:
            lines.append(
                "  "
                + say(
                    f"{len(report.error_cells)} 个公式单元格的结果是错误值：",
                    f"{len(report.error_cells)} formula cells hold error values:",
                )
            )
        groups: dict[tuple[str, str, str | None, str], list[str]] = {}
        for e in report.error_cells:
            groups.setdefault((e.sheet, e.error, e.function, e.reason), []).append(e.cell)
        for (sheet, error, function, reason), cells in groups.items():
            detail = f" {function}" if function else ""
            why = f" — {say.pick(reason)}" if reason else ""
            lines.append(
                f"    {_sheet_ref(sheet)} {error}{detail} × {len(cells)}{colon}"
                f"{_cells(cells)}{why}"
            )
        if report.problems:
            lines.append(
                "  "
                + say(
                    f"{len(report.problems)} 个会影响发放的问题（不会因 --allow-errors 而忽略）：",
                    f"{len(report.problems)} problems that affect pay (--allow-errors does not hide them):",
                )
            )
            lines += [
                f"    {problem['where']}  [{problem['code']}] {say(str(problem['zh']), str(problem['en']))}"
                for problem in report.problems
            ]
        if report.backup:
            lines.append("  " + say("原文件备份", "backup") + f"{colon}{Path(report.backup).name}")
        lines += [f"  {cell}{colon}{say.pick(reason)}" for cell, reason in report.links]
        return lines
    head = {
        "unreadable": say("无法读取，未写出文件", "cannot be read, nothing written"),
        "circular": say("含循环引用，未写出文件", "circular reference, nothing written"),
        "unsupported": say(
            "含不支持的函数或写法，未写出文件", "unsupported functions, nothing written"
        ),
        "worker-died": say("计算节点中途退出，未写出文件", "the worker died, nothing written"),
        "link-cycle": say("工作簿循环链接，未写出文件", "workbooks link in a circle, nothing written"),
        "changed": say("刷新期间被修改，未写出文件", "changed during the run, nothing written"),
        "refused": say("拒绝覆盖，未写出文件", "refused, nothing written"),
        "output": say("输出无法写入，未写出文件", "output cannot be written, nothing written"),
        "internal": say("内部错误，未写出文件", "internal error, nothing written"),
    }.get(report.status, say("刷新失败，未写出文件", "refresh failed, nothing written"))
    lines = [f"✗ {name} {head}"]
    if report.message:
        lines.append("  " + say.pick(report.message))
    by_reason: dict[str, list[str]] = {}
    for problem in report.problems:
        reason = say(str(problem["zh"]), str(problem["en"]))
        by_reason.setdefault(reason, []).append(str(problem["where"]))
    for reason, cells in by_reason.items():
        lines.append(f"  {reason} × {len(cells)}{colon}{_cells(cells)}")
    return lines


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


@click.command("refresh", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="输出文件（单个输入）或文件夹（多个输入）/ output file (one input) or folder (several).",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="覆盖原文件，并保留备份 name.bak.xlsx（已有则 name.bak.2.xlsx …）/ overwrite the "
    "input, keeping a backup name.bak.xlsx (name.bak.2.xlsx … if taken).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="并行进程数（文件夹）/ worker processes for several files.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="在 Dask 集群上刷新（地址，或 local:N 启动本机 N 个进程）/ refresh on a Dask "
    "cluster: a scheduler address, or local:N for a local cluster of N workers.",
)
@click.option(
    "--engine",
    type=click.Choice(["builtin", "libreoffice"]),
    default="builtin",
    show_default=True,
    help="计算引擎 / calculation engine.",
)
@click.option(
    "--full-calc-on-load",
    is_flag=True,
    help="让 Excel 打开时全部重算（无加载项时自定义函数会变 #NAME?）/ "
    "make Excel recalculate everything on open (UDFs become #NAME? without the add-in).",
)
@click.option(
    "--values",
    "values_only",
    is_flag=True,
    help="另存一份只有数值的副本 name.values.xlsx（公式换成结果，格式、列宽、数据验证、"
    "工作表保护不变），发给没有加载项的人 / write a values-only copy name.values.xlsx "
    "(every formula replaced by its value; styles, widths, validations and protection "
    "kept) for people without the add-in.",
)
@click.option(
    "--allow-errors",
    is_flag=True,
    help="公式得出错误值时仍以 0 退出（错误值照样列出）/ exit 0 even when formula cells "
    "hold error values (they are still listed).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出摘要 / print the summary as JSON."
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="TODAY()/NOW() 所取的日期（默认今天）/ the date TODAY() and NOW() return "
    "(default: the machine's today).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="RAND()/RANDBETWEEN() 的随机种子 / seed for RAND() and RANDBETWEEN().",
)
@click.option(
    "--lang",
    type=click.Choice(["zh-en", "zh", "en"]),
    default="zh-en",
    show_default=True,
    help="消息语言 / message language.",
)
def refresh_command(
    inputs: tuple[Path, ...],
    out: Path | None,
    in_place: bool,
    jobs: int,
    scheduler: str | None,
    engine: str,
    full_calc_on_load: bool,
    values_only: bool,
    allow_errors: bool,
    as_json: bool,
    today: datetime.datetime | None,
    seed: int | None,
    lang: str,
) -> None:
    """重算工作簿（无需 Excel），把结果写回文件副本。

    Recalculate workbooks without Excel and write the values into a copy.

    INPUTS 为文件或文件夹（递归查找 *.xlsx、*.xlsm）。默认输出到原文件旁的
    name.refreshed.xlsx。退出码：0 已写出且没有公式得出错误值；1 已写出，
    但有公式单元格是错误值（逐一列出；--allow-errors 时为 0）；2 未写出
    （无法读取、不支持的函数、循环引用、刷新期间文件被改、输出无法写入）；
    3 内部错误。

    INPUTS are files or folders (searched recursively for *.xlsx, *.xlsm).
    Output defaults to name.refreshed.xlsx beside each input. Exit codes:
    0 written, no formula holds an error value; 1 written, but formula cells
    hold error values (each listed; 0 with --allow-errors); 2 nothing written
    (unreadable input, unsupported function, circular reference, input changed
    during the run, output cannot be written); 3 internal error.
    """
    say = _Say(lang)
    if out is not None and in_place:
        _stop(say("--out 与 --in-place 不能同时使用", "--out and --in-place are exclusive"), as_json)
    if values_only and in_place:
        _stop(
            say(
                "--values 会去掉公式，不能用 --in-place 覆盖原文件",
                "--values removes the formulas: it cannot overwrite the input (--in-place)",
            ),
            as_json,
        )
    try:
        check_engine(engine)  # fail early, once, if the engine is missing
        plan = _plan(inputs, out, in_place, values_only)
    except (EngineUnavailableError, click.UsageError) as exc:
        _stop(say.pick(exc.message if isinstance(exc, click.UsageError) else str(exc)), as_json)
    if not plan:
        _stop(say("没有找到工作簿（*.xlsx、*.xlsm）", "no workbooks (*.xlsx, *.xlsm) found"), as_json)
    tasks = [
        (s, d, engine, in_place, full_calc_on_load, allow_errors, values_only) for s, d in plan
    ]
    from addin.refresh.functions import volatile

    day = today.date() if today is not None else datetime.date.today()
    volatile.configure(day, seed)  # inherited by the worker processes (see volatile)
    if scheduler:
        reports = _execute_on_cluster(tasks, scheduler, say, as_json)
    else:
        reports = _execute(tasks, jobs, show_progress=not as_json)
    shown = {str(s): display_name(s, folder) for s, folder in find_workbooks(inputs)}
    for report in reports:
        report.shown = shown.get(report.path)
    document = json_document("refresh", [r.as_dict() for r in reports]) | {
        "today": day.isoformat(),
        "seed": seed,
    }
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            for line in format_report(report, say):
                click.echo(line)
        if any(r.volatile for r in reports):
            click.echo(say(f"TODAY() 取 {day.isoformat()}", f"TODAY() is {day.isoformat()}"))
        if len(reports) > 1:
            ok = sum(r.output is not None for r in reports)
            click.echo(
                say(
                    f"共 {len(reports)} 个文件：{ok} 个已写出，{len(reports) - ok} 个未写出",
                    f"{len(reports)} files: {ok} written, {len(reports) - ok} not written",
                )
            )
    sys.exit(document["exit_code"])


def _stop(message: str, as_json: bool) -> NoReturn:
    """Nothing to do (wrong command line, no engine, no workbooks): exit 2, with
    a ``--json`` document too when one was asked for."""
    click.echo(message, err=True)
    if as_json:
        document = json_document("refresh", []) | {
            "exit_code": EXIT_NOT_WRITTEN,
            "message": message,
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    sys.exit(EXIT_NOT_WRITTEN)


def _execute_on_cluster(tasks: list[Task], scheduler: str, say: _Say, as_json: bool) -> list[FileReport]:
    """``--scheduler``: the tasks on a Dask cluster (:mod:`addin.refresh.cluster`)."""
    from addin.refresh import cluster

    try:
        return cluster.execute(tasks, scheduler)
    except cluster.ClusterUnavailableError as exc:
        _stop(say.pick(str(exc)), as_json)


@contextmanager
def _elapsed(name: str, *, enabled: bool) -> Iterator[None]:
    """``refresh 奖金表.xlsx 12s`` redrawn each half second on standard error
    while one big file is refreshed; nothing at all when not on a terminal."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    bar = tqdm(total=None, desc=f"refresh {name}", file=sys.stderr, bar_format="{desc} {elapsed}", leave=False)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=tick, name="jixiao-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()
        bar.close()


def _execute(tasks: list[Task], jobs: int, *, show_progress: bool) -> list[FileReport]:
    if len(tasks) > 1 and tasks[0][2] == "builtin":  # workbooks linking each other: in link order
        from addin.refresh import links

        link_plan = links.plan([t[0] for t in tasks])
        if link_plan.any_links:
            return links.execute_with_pool(tasks, link_plan, jobs)
    if len(tasks) == 1:  # one file: the time it has taken so far, on a terminal
        with _elapsed(tasks[0][0].name, enabled=show_progress and sys.stderr.isatty()):
            return [_run_one(tasks[0])]
    from tqdm import tqdm

    bar = tqdm(
        total=len(tasks),
        file=sys.stderr,
        disable=not (show_progress and sys.stderr.isatty()),
        unit="file",
        desc="refresh",
    )
    reports: list[FileReport] = []
    try:
        if jobs > 1 and len(tasks) > 1:
            with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
                for report in pool.map(_run_one, tasks):
                    reports.append(report)
                    bar.update()
        else:
            for task in tasks:
                reports.append(_run_one(task))
                bar.update()
    finally:
        bar.close()
    return reports
