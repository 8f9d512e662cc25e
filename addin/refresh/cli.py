"""``jixiao refresh``: recalculate workbooks without Excel and write the values back.

Per file: read the package safely (:mod:`addin.xlsx.package`), calculate
(:mod:`addin.refresh.engine`, or LibreOffice with ``--engine libreoffice``),
write the cached values into a copy (:mod:`addin.xlsx.writer`) and print a
summary: cells computed, error values by kind with their cells, time.

Exit codes (the worst file decides):

* 0 — every file refreshed. Error *values* in computed cells (``#DIV/0!`` …)
  are results Excel would show too: reported, not a failure.
* 1 — a workbook uses a function or construct outside the supported list, or
  has a circular reference: each cell is named and nothing is written for it.
* 2 — a file cannot be read (not a workbook, ``.xls``, encrypted, corrupt,
  hostile), or the command line is wrong.
* 3 — an internal error (a bug): a one-line message instead of a traceback;
  set ``JIXIAO_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from addin.xlsx.model import (
    CircularReferenceError,
    RefreshError,
    Results,
    UnreadableWorkbookError,
    UnsupportedFormulaError,
    Workbook,
)

__all__ = [
    "FileReport",
    "default_output",
    "find_workbooks",
    "load_engine",
    "refresh_command",
    "refresh_file",
]

EXIT_OK, EXIT_UNSUPPORTED, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3
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
    """The ``calculate(workbook, source_path) -> Results`` of engine ``name``.

    Engines are imported only when used. ``builtin`` is
    :func:`addin.refresh.engine.calculate`; ``libreoffice`` is
    ``addin.refresh.libreoffice.calculate(workbook, source_path)``.
    """
    if name == "builtin":
        try:
            engine = importlib.import_module("addin.refresh.engine")
        except ModuleNotFoundError as exc:
            if exc.name != "addin.refresh.engine":
                raise
            raise EngineUnavailableError(
                "内置计算引擎（addin.refresh.engine）不可用 / the built-in engine "
                "(addin.refresh.engine) is not available"
            ) from None
        builtin: Callable[[Workbook], Results] = engine.calculate
        return lambda workbook, _source: builtin(workbook)
    if name == "libreoffice":
        try:
            module = importlib.import_module("addin.refresh.libreoffice")
        except ModuleNotFoundError as exc:
            if exc.name != "addin.refresh.libreoffice":
                raise
            raise EngineUnavailableError(
                "LibreOffice 引擎（addin.refresh.libreoffice）尚未提供，请改用 --engine builtin / "
                "the LibreOffice engine (addin.refresh.libreoffice) is not available; "
                "use --engine builtin"
            ) from None
        libre: Calculate = module.calculate
        return libre
    raise EngineUnavailableError(f"未知引擎 {name} / unknown engine {name}")


# ---------------------------------------------------------------------------
# One file
# ---------------------------------------------------------------------------


@dataclass
class FileReport:
    """The outcome of refreshing one workbook (picklable, JSON-able)."""

    source: str
    output: str | None = None
    status: str = "ok"  # ok | unsupported | circular | failed | unreadable
    exit_code: int = EXIT_OK
    message: str = ""
    cells_computed: int = 0
    cells_written: int = 0
    #: error kind ("#DIV/0!") → the cells holding it ("Sheet1!C5"), all of them
    error_values: dict[str, list[str]] = field(default_factory=dict)
    #: unsupported / circular: (cell, reason) for every cell named by the engine
    problems: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    backup: str | None = None


def default_output(source: Path) -> Path:
    """``工资.xlsx`` → ``工资.refreshed.xlsx`` beside it."""
    return source.with_name(f"{source.stem}.refreshed{source.suffix}")


def backup_path(source: Path) -> Path:
    """``工资.xlsx`` → ``工资.bak.xlsx`` beside it (kept by ``--in-place``)."""
    return source.with_name(f"{source.stem}.bak{source.suffix}")


def refresh_file(
    source: Path,
    output: Path,
    calculate: Calculate,
    *,
    in_place: bool = False,
    full_calc_on_load: bool = False,
) -> FileReport:
    """Refresh one workbook: read, calculate, write ``output`` (all or nothing).

    Unreadable files, unsupported functions and circular references become a
    report with the matching exit code and nothing is written.
    """
    from addin.xlsx.package import gc_paused

    started = time.perf_counter()
    with gc_paused():  # millions of acyclic objects: the collector only slows us down
        report = _refresh(source, output, calculate, in_place, full_calc_on_load)
    report.seconds = time.perf_counter() - started
    return report


def _refresh(
    source: Path, output: Path, calculate: Calculate, in_place: bool, full_calc_on_load: bool
) -> FileReport:
    from addin.xlsx.package import read_workbook
    from addin.xlsx.writer import write_atomically, write_results

    report = FileReport(str(source))
    try:
        workbook = read_workbook(source)
        results = calculate(workbook, source)
        if in_place:
            backup = backup_path(source)
            write_atomically(backup, lambda fh: _copy_into(source, fh), mode_from=source)
            report.backup = str(backup)
        summary = write_results(source, results, output, full_calc_on_load=full_calc_on_load)
    except UnreadableWorkbookError as exc:
        report.status, report.exit_code, report.message = "unreadable", EXIT_UNREADABLE, str(exc)
    except UnsupportedFormulaError as exc:
        _fail(report, "unsupported", exc)
    except CircularReferenceError as exc:
        _fail(report, "circular", exc)
    except RefreshError as exc:  # e.g. LibreOffice failed on this workbook
        _fail(report, "failed", exc)
    else:
        report.output = str(output)
        report.cells_computed = results.count()
        report.cells_written = summary.cells_changed
        report.error_values = _error_values(results)
    return report


def _copy_into(source: Path, fh: Any) -> None:
    with source.open("rb") as src:
        shutil.copyfileobj(src, fh, 1 << 20)


def _fail(report: FileReport, status: str, exc: RefreshError) -> None:
    from addin.xlsx.a1 import to_a1

    report.status = status
    report.exit_code = EXIT_UNSUPPORTED
    report.message = str(exc)
    sheet_order: dict[str, int] = {}
    for ref, _reason in exc.cells:
        sheet_order.setdefault(ref.sheet, len(sheet_order))
    cells = sorted(exc.cells, key=lambda p: (sheet_order[p[0].sheet], p[0].coord))
    report.problems = [
        (f"{_sheet_ref(ref.sheet)}!{to_a1(*ref.coord)}", reason) for ref, reason in cells
    ]


def _error_values(results: Results) -> dict[str, list[str]]:
    from addin.xlsx.a1 import to_a1
    from udfs.errors import ExcelError

    out: dict[str, list[str]] = {}
    for sheet, cells in results.values.items():
        for (row, col), value in sorted(cells.items()):
            if isinstance(value, ExcelError):
                out.setdefault(str(value), []).append(f"{_sheet_ref(sheet)}!{to_a1(row, col)}")
    return dict(sorted(out.items()))


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


def _plan(inputs: Sequence[Path], out: Path | None, in_place: bool) -> list[tuple[Path, Path]]:
    jobs = list(find_workbooks(inputs))
    several = len(jobs) > 1 or any(folder is not None for _f, folder in jobs)
    plan: list[tuple[Path, Path]] = []
    for source, folder in jobs:
        if in_place:
            dest = source
        elif out is None:
            dest = default_output(source)
        elif several or out.is_dir():
            relative = source.relative_to(folder) if folder is not None else Path(source.name)
            dest = out / relative
        else:
            dest = out
        plan.append((source, dest))
    targets = [d.resolve() for _s, d in plan]
    if len(set(targets)) != len(targets):
        raise click.UsageError(
            "多个输入会写到同一个输出文件，请分开运行或改用文件夹 / several inputs would be "
            "written to the same output file; run them separately"
        )
    return plan


def _run_one(args: tuple[Path, Path, str, bool, bool]) -> FileReport:
    source, dest, engine, in_place, full_calc = args
    dest.parent.mkdir(parents=True, exist_ok=True)
    return refresh_file(
        source, dest, load_engine(engine), in_place=in_place, full_calc_on_load=full_calc
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
    name = Path(report.source).name
    colon = "：" if say.lang == "zh" else ": "
    if report.status == "ok":
        out = Path(report.output or "").name
        lines = [
            f"✓ {name} → {out}{colon}"
            + say(
                f"计算 {report.cells_computed} 个单元格，写入 {report.cells_written} 个，"
                f"用时 {report.seconds:.2f} 秒",
                f"{report.cells_computed} cells computed, {report.cells_written} written "
                f"in {report.seconds:.2f} s",
            )
        ]
        for kind, cells in report.error_values.items():
            label = say("错误值", "error value")
            lines.append(f"  {label} {kind} × {len(cells)}{colon}{_cells(cells)}")
        if report.backup:
            lines.append("  " + say("原文件备份", "backup") + f"{colon}{Path(report.backup).name}")
        return lines
    if report.status == "unreadable":
        head = say("无法读取", "cannot be read")
        return [f"✗ {name} {head}{colon}{say.pick(report.message)}"]
    head = {
        "circular": say("含循环引用，未写出文件", "circular reference, nothing written"),
        "unsupported": say(
            "含不支持的函数或写法，未写出文件", "unsupported functions, nothing written"
        ),
    }.get(report.status, say("刷新失败，未写出文件", "refresh failed, nothing written"))
    lines = [f"✗ {name} {head}"]
    if report.message:
        lines.append("  " + say.pick(report.message))
    by_reason: dict[str, list[str]] = {}
    for cell, reason in report.problems:
        by_reason.setdefault(reason, []).append(cell)
    for reason, cells in by_reason.items():
        lines.append(f"  {say.pick(reason)} × {len(cells)}{colon}{_cells(cells)}")
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
    help="覆盖原文件，并保留备份 name.bak.xlsx / overwrite the input, keeping name.bak.xlsx.",
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
    engine: str,
    full_calc_on_load: bool,
    as_json: bool,
    today: datetime.datetime | None,
    seed: int | None,
    lang: str,
) -> None:
    """重算工作簿（无需 Excel），把结果写回文件副本。

    Recalculate workbooks without Excel and write the values into a copy.

    INPUTS 为文件或文件夹（递归查找 *.xlsx、*.xlsm）。默认输出到原文件旁的
    name.refreshed.xlsx。退出码：0 成功；1 含不支持的函数或循环引用（未写出）；
    2 文件无法读取。

    INPUTS are files or folders (searched recursively for *.xlsx, *.xlsm).
    Output defaults to name.refreshed.xlsx beside each input. Exit codes:
    0 ok; 1 unsupported functions or circular reference (nothing written);
    2 unreadable file.
    """
    say = _Say(lang)
    if out is not None and in_place:
        raise click.UsageError(
            say("--out 与 --in-place 不能同时使用", "--out and --in-place are exclusive")
        )
    try:
        check_engine(engine)  # fail early, once, if the engine is missing
        plan = _plan(inputs, out, in_place)
    except EngineUnavailableError as exc:
        click.echo(say.pick(str(exc)), err=True)
        sys.exit(EXIT_UNREADABLE)
    if not plan:
        click.echo(
            say("没有找到工作簿（*.xlsx、*.xlsm）", "no workbooks (*.xlsx, *.xlsm) found"), err=True
        )
        sys.exit(EXIT_UNREADABLE)
    tasks = [(s, d, engine, in_place, full_calc_on_load) for s, d in plan]
    from addin.refresh.functions import volatile

    day = today.date() if today is not None else datetime.date.today()
    volatile.configure(day, seed)
    try:
        reports = _execute(
            tasks, jobs, show_progress=len(tasks) > 1 and not as_json, volatile_args=(day, seed)
        )
    except Exception as exc:  # the CLI boundary: a bug becomes one line, not a traceback
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        click.echo(
            say(
                f"内部错误（请报告）：{type(exc).__name__}: {exc}",
                f"internal error (please report): {type(exc).__name__}: {exc}",
            ),
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    code = max((r.exit_code for r in reports), default=EXIT_OK)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "exit_code": code,
                    "today": day.isoformat(),
                    "seed": seed,
                    "files": [asdict(r) for r in reports],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for report in reports:
            for line in format_report(report, say):
                click.echo(line)
        click.echo(say(f"TODAY() 取 {day.isoformat()}", f"TODAY() is {day.isoformat()}"))
        if len(reports) > 1:
            ok = sum(r.status == "ok" for r in reports)
            click.echo(
                say(
                    f"共 {len(reports)} 个文件：{ok} 个成功，{len(reports) - ok} 个失败",
                    f"{len(reports)} files: {ok} refreshed, {len(reports) - ok} failed",
                )
            )
    sys.exit(code)


def _execute(
    tasks: list[tuple[Path, Path, str, bool, bool]],
    jobs: int,
    *,
    show_progress: bool,
    volatile_args: tuple[datetime.date, int | None] = (datetime.date.today(), None),
) -> list[FileReport]:
    if len(tasks) == 1:
        return [_run_one(tasks[0])]  # no progress bar (nor its import) for one file
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
            from addin.refresh.functions import volatile

            with ProcessPoolExecutor(
                max_workers=min(jobs, len(tasks)),
                initializer=volatile.configure,
                initargs=volatile_args,
            ) as pool:
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
