"""``jixiao refresh``: recalculate workbooks without Excel and write the values back.

This module is the command line (options, the plan of inputs and outputs,
the printed or ``--json`` summary); the work on each file is the refresh job,
:mod:`addin.refresh.job`.

Per file: read the package safely (:mod:`addin.xlsx.workbook`), calculate
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
``extent.beyond-range``, ``input.blank``, ``formula.missing-prefix``); refresh adds ``links``, ``repairs`` (``[[where, "中文 / English"], ...]``: what was read as Excel repairs it) and ``output``, ``backup``,
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
import json
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from addin.language import Say, language_option
from addin.refresh import cluster, links
from addin.refresh.job import (
    EngineUnavailableError,
    FileReport,
    RefreshOptions,
    RefreshTask,
    check_engine,
    default_output,
    run_task,
    sheet_ref,
)
from addin.summary import EXIT_NOT_WRITTEN, EXIT_OK, json_document, repair_lines

__all__ = ["find_workbooks", "format_report", "refresh_command"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: how many cells to name per error kind / per reason in the text summary
SHOW_CELLS = 5

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


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


def _cells(cells: Sequence[str]) -> str:
    shown = ", ".join(cells[:SHOW_CELLS])
    if len(cells) > SHOW_CELLS:
        shown += f", … (+{len(cells) - SHOW_CELLS})"
    return shown


def format_report(report: FileReport, say: Say) -> list[str]:
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
                f"    {sheet_ref(sheet)} {error}{detail} × {len(cells)}{colon}"
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
        lines += ["  " + line for line in repair_lines(report.path, report.repairs, say.lang)]
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
    lines += ["  " + line for line in repair_lines(report.path, report.repairs, say.lang)]
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
@language_option()
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
    say = Say(lang)
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
    day = today.date() if today is not None else datetime.date.today()
    options = RefreshOptions(engine, in_place, full_calc_on_load, allow_errors, values_only)
    tasks = [RefreshTask(s, d, options, day, seed) for s, d in plan]
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


def _execute_on_cluster(
    tasks: list[RefreshTask], scheduler: str, say: Say, as_json: bool
) -> list[FileReport]:
    """``--scheduler``: the tasks on a Dask cluster (:mod:`addin.refresh.cluster`)."""
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


def _execute(tasks: list[RefreshTask], jobs: int, *, show_progress: bool) -> list[FileReport]:
    if len(tasks) > 1 and tasks[0].options.engine == "builtin":  # linked workbooks: in link order
        link_plan = links.plan([t.source for t in tasks])
        if link_plan.any_links:
            return links.execute_with_pool(tasks, link_plan, jobs)
    if len(tasks) == 1:  # one file: the time it has taken so far, on a terminal
        with _elapsed(tasks[0].source.name, enabled=show_progress and sys.stderr.isatty()):
            return [run_task(tasks[0])]
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
            reports = _execute_in_pool(tasks, jobs, bar.update)
        else:
            for task in tasks:
                reports.append(run_task(task))
                bar.update()
    finally:
        bar.close()
    return reports


def _execute_in_pool(tasks: list[RefreshTask], jobs: int, done: Callable[[], object]) -> list[FileReport]:
    """``--jobs N``: the tasks on N worker processes. A worker that dies (killed,
    out of memory) breaks the pool: every file left unfinished is tried once
    more, each alone in a fresh worker, as the Dask path retries
    (:mod:`addin.refresh.cluster`); a file whose worker dies again is reported
    ``worker-died`` (exit 2, nothing written — outputs are renamed into place
    only when complete). Every file is reported, in the order given."""
    # here, not at the top: the process pool's machinery (~40 ms of imports)
    # serves --jobs N only, not the one-file refresh
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    reports: dict[int, FileReport] = {}
    broken: list[int] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = {pool.submit(run_task, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                reports[i] = future.result()
            except BrokenProcessPool:
                broken.append(i)
                continue
            done()
    # the retry: each file alone in its own worker, so one that kills its worker
    # again cannot take the others down with it
    for i in sorted(broken):
        try:
            with ProcessPoolExecutor(max_workers=1) as alone:
                reports[i] = alone.submit(run_task, tasks[i]).result()
        except BrokenProcessPool:
            reports[i] = FileReport(
                str(tasks[i].source),
                status="worker-died",
                exit_code=EXIT_NOT_WRITTEN,
                message="计算进程两次中途退出，未写出文件 / the worker process died twice on "
                "this file; nothing written",
            )
        done()
    return [reports[i] for i in range(len(tasks))]
