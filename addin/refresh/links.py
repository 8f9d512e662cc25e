"""Refreshing a set of workbooks that link to each other (``jixiao refresh DIR``).

1. **Find the links.** Each workbook's external links
   (:func:`addin.xlsx.external_links.read_external_links`) are matched to the files
   being refreshed: first by the link's path relative to the linking workbook,
   then by file name within the set (case-insensitive, when unique).
2. **Order.** A linked workbook is refreshed before the workbooks linking to
   it; files of one level run in parallel. Workbooks linking to each other in a
   circle are refused (status ``link-cycle``, exit 2, nothing written) with the
   circle named.
3. **Compute.** A linking formula (``[1]汇总!B5``) reads the freshly computed
   values of the linked workbook's output. A link to a workbook outside the set
   (or one whose refresh failed) uses the values cached in the linking
   workbook, as Excel does when it does not update links, and the summary says
   so cell by cell with the file it would need.
4. **Cache.** The cached values inside the linking output's ``externalLink``
   parts are replaced by the fresh ones, so Excel shows the same numbers
   before it updates links — by the writer, in the same pass that writes the
   output (``Results.link_caches``).

工作簿之间的链接：按依赖顺序刷新，链接公式读取被链接工作簿的新值；
集合外的链接使用缓存值并逐个单元格说明；循环链接报告且不写出。
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from addin.refresh.job import FileReport, RefreshTask, run_linked
from addin.summary import EXIT_NOT_WRITTEN
from addin.xlsx.model import ExternalLink, UnreadableWorkbookError

__all__ = ["Item", "LinkPlan", "execute", "execute_with_pool", "links_of", "plan", "run_item"]

#: One file of a level: its task, link index → the output of the linked
#: workbook refreshed before it, link index → the file a link would need
#: (outside the set, or whose refresh failed).
Item = tuple[RefreshTask, dict[int, str], dict[int, str]]


def links_of(path: Path) -> list[ExternalLink]:
    """The external links of the workbook at ``path`` (none when unreadable:
    its own refresh reports that)."""
    from addin.xlsx.external_links import read_external_links
    from addin.xlsx.workbook import open_workbook

    try:
        with open_workbook(path) as package:
            return read_external_links(package, package.parse(package.workbook_part))
    except UnreadableWorkbookError:
        return []


def _target_parts(target: str) -> tuple[str, ...]:
    """A link target's path parts, whatever its spelling (``file:///C:\\a\\b.xlsx``,
    ``../b.xlsx``, ``/abs/b.xlsx``)."""
    text = re.sub(r"^file:/*", "/", target.strip())
    if "\\" in text or re.match(r"^/?[A-Za-z]:", text):
        return PureWindowsPath(text.lstrip("/")).parts
    return PurePosixPath(text).parts


@dataclass
class LinkPlan:
    """Which file of the set each link reads, in which order to refresh."""

    #: source → link index → the source of the linked workbook in the set
    inside: dict[Path, dict[int, Path]] = field(default_factory=dict)
    #: source → link index → the file it would need (outside the set)
    outside: dict[Path, dict[int, str]] = field(default_factory=dict)
    levels: list[list[Path]] = field(default_factory=list)
    cycles: list[list[Path]] = field(default_factory=list)

    @property
    def any_links(self) -> bool:
        return any(self.inside.values()) or any(self.outside.values())


def plan(sources: Sequence[Path]) -> LinkPlan:
    """Match every link of ``sources`` to a file of the set and order them."""
    resolved = {s.resolve(): s for s in sources}
    by_name: dict[str, list[Path]] = {}
    for s in sources:
        by_name.setdefault(s.name.casefold(), []).append(s)
    out = LinkPlan()
    for s in sources:
        inside: dict[int, Path] = {}
        outside: dict[int, str] = {}
        for link in links_of(s):
            parts = _target_parts(link.target)
            found = None
            if parts and not PurePosixPath(*parts).is_absolute() and ":" not in parts[0]:
                found = resolved.get((s.parent / Path(*parts)).resolve())
            if found is None and parts:
                named = by_name.get(parts[-1].casefold(), [])
                found = named[0] if len(named) == 1 else None
            if found is not None and found != s:
                inside[link.index] = found
            else:
                outside[link.index] = link.target
        out.inside[s], out.outside[s] = inside, outside
    out.levels, out.cycles = _levels(list(sources), out.inside)
    return out


def _levels(
    sources: list[Path], inside: dict[Path, dict[int, Path]]
) -> tuple[list[list[Path]], list[list[Path]]]:
    """Kahn's algorithm by levels. When it stalls, the circles among what is
    left are taken out (refused) and the files reading them go on with the
    cached values of those links."""
    needs = {s: set(inside.get(s, {}).values()) for s in sources}
    done: set[Path] = set()
    blocked: set[Path] = set()
    levels: list[list[Path]] = []
    cycles: list[list[Path]] = []
    while True:
        waiting = [s for s in sources if s not in done and s not in blocked]
        level = [s for s in waiting if needs[s] - blocked <= done]
        if level:
            levels.append(level)
            done.update(level)
            continue
        found = _cycles(waiting, needs)
        if not found:
            break
        cycles += found
        for cycle in found:
            blocked.update(cycle)
    return levels, cycles


def _cycles(left: list[Path], needs: dict[Path, set[Path]]) -> list[list[Path]]:
    """The circles among ``left`` (each file once), for the report."""
    cycles: list[list[Path]] = []
    seen: set[Path] = set()
    for start in left:
        if start in seen:
            continue
        path, node = [start], start
        while True:
            nxt = next((n for n in sorted(needs[node]) if n in left), None)
            if nxt is None:
                break
            if nxt in path:
                cycles.append(path[path.index(nxt) :])
                break
            path.append(nxt)
            node = nxt
        seen.update(path)
    return cycles


# ------------------------------------------------------------------ one file


def _cycle_report(source: Path, cycle: list[Path]) -> FileReport:
    circle = " → ".join(p.name for p in [*cycle, cycle[0]])
    return FileReport(
        str(source),
        status="link-cycle",
        exit_code=EXIT_NOT_WRITTEN,  # refused like a circular reference
        message=f"工作簿之间循环链接：{circle}，未写出 / workbooks link in a circle: {circle}; "
        "nothing written",
    )


# ------------------------------------------------------------------ the set


def execute(
    tasks: list[RefreshTask],
    link_plan: LinkPlan,
    submit_level: Callable[[list[Item]], list[Any]],
) -> list[Any]:
    """Refresh ``tasks`` level by level; ``submit_level`` runs one level's
    ``(task, linked outputs, outside links)`` and returns their reports in order
    (processes, a Dask cluster or in this process)."""
    by_source = {t.source: t for t in tasks}
    reports: dict[Path, Any] = {}
    for cycle in link_plan.cycles:
        for source in cycle:
            reports[source] = _cycle_report(source, cycle)
    for level in link_plan.levels:
        batch = []
        for source in level:
            linked: dict[int, str] = {}
            outside = dict(link_plan.outside.get(source, {}))
            for index, other in link_plan.inside.get(source, {}).items():
                rep = reports.get(other)
                if rep is not None and rep.output:
                    linked[index] = rep.output
                else:
                    outside[index] = other.name
            batch.append((by_source[source], linked, outside))
        for (task, _l, _o), report in zip(batch, submit_level(batch), strict=True):
            reports[task.source] = report
    return [reports[t.source] for t in tasks]


def run_item(item: Item) -> FileReport:
    """One file of a level (module-level, so a process pool can pickle it)."""
    task, linked, outside = item
    return run_linked(task, linked, outside)


def execute_with_pool(tasks: list[RefreshTask], link_plan: LinkPlan, jobs: int) -> list[Any]:
    """:func:`execute` with ``jobs`` local processes (in this process for 1)."""
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1:
        return execute(tasks, link_plan, lambda batch: [run_item(i) for i in batch])
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return execute(tasks, link_plan, lambda batch: list(pool.map(run_item, batch)))
