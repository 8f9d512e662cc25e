"""``jixiao refresh DIR --scheduler ADDRESS``: each workbook is one task on a
Dask distributed cluster (``pip install 'jixiao[cluster]'``).

* ``ADDRESS`` is a running scheduler (``tcp://10.0.0.5:8786``);
  ``local:N`` starts a ``LocalCluster`` of N worker processes on this machine.
* Files are read and written on a filesystem every worker sees (the paths
  given on the command line must mean the same file on every worker).
* Workbooks linking to each other run in link order
  (:mod:`addin.refresh.links`): one batch of tasks per level.
* Each task is exactly what ``--jobs`` runs in a local process, so results,
  errors and summaries come back the same.
* A worker that dies (killed, out of memory) has its file retried once on
  another worker (the scheduler's ``allowed-failures`` is set to 1 for a local
  cluster; set ``distributed.scheduler.allowed-failures: 1`` on a remote
  scheduler). A second death marks the file ``worker-died`` (exit 2, nothing
  written). Outputs are written atomically (a temporary file renamed over the
  output), so a death never leaves a partial output; the temporary files a
  killed worker left behind are removed.

Dask 分布式刷新：每个工作簿一个任务；本地集群 ``local:N``；工作进程死亡时重试一次；不留下半个输出文件。
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from addin.refresh import links
from addin.refresh.job import FileReport, RefreshTask

__all__ = ["ClusterUnavailableError", "execute"]

WORKER_DIED_EXIT = 2
_TEMP_GLOB = ".~jixiao-*.tmp"



class ClusterUnavailableError(Exception):
    """dask.distributed is not installed, or the scheduler cannot be reached (exit 2)."""


def _distributed() -> tuple[Any, Any]:
    """The ``dask`` and ``distributed`` modules, or :class:`ClusterUnavailableError`
    naming the extra to install (the only place they are imported)."""
    try:
        import dask
        import distributed
    except ImportError as exc:  # not installed, or installed without what it needs
        raise ClusterUnavailableError(
            f"未安装 dask.distributed（{exc}），请运行 pip install 'jixiao[cluster]' / "
            f"dask.distributed is not installed ({exc}): pip install 'jixiao[cluster]'"
        ) from None
    return dask, distributed


@contextmanager
def client_for(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address`` (``local:N`` starts and stops a
    LocalCluster of N single-threaded worker processes)."""
    dask, distributed = _distributed()
    if address.startswith("local:"):
        try:
            n = int(address.partition(":")[2])
        except ValueError:
            n = 0
        if n < 1:
            raise ClusterUnavailableError(
                f"local:N 中的 N 应为正整数：{address} / N in local:N must be a positive integer"
            )
        with (
            dask.config.set({"distributed.scheduler.allowed-failures": 1}),
            distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(address, timeout="30s")
    except OSError as exc:
        raise ClusterUnavailableError(
            f"无法连接调度器 {address}（{exc}）/ cannot reach the scheduler {address} ({exc})"
        ) from None
    with client:
        yield client


def sweep(tasks: list[RefreshTask], started: float) -> None:
    """Remove the temporary files killed workers left beside this run's outputs
    (created since ``started``; every write of the run has finished by now).
    Two refreshes writing into one folder at the same time are not supported."""
    for folder in {t.output.parent for t in tasks}:
        for tmp in folder.glob(_TEMP_GLOB) if folder.is_dir() else ():
            try:
                if tmp.stat().st_mtime >= started - 1:
                    tmp.unlink()
            except FileNotFoundError:
                pass


def _died(item: links.Item, exc: BaseException) -> FileReport:
    return FileReport(
        str(item[0].source),
        status="worker-died",
        exit_code=WORKER_DIED_EXIT,
        message=f"计算节点两次中途退出，未写出文件（{type(exc).__name__}）/ the worker died twice "
        f"on this file; nothing written ({type(exc).__name__})",
    )


def execute(
    tasks: list[RefreshTask],
    address: str,
    *,
    runner: Callable[[links.Item], Any] = links.run_item,
) -> list[Any]:
    """Refresh ``tasks`` on the cluster at ``address``; the reports in task order.

    ``runner`` runs one item on a worker (tests pass one that kills its worker).
    """
    killed_worker = _distributed()[1].KilledWorker
    builtin = bool(tasks) and tasks[0].options.engine == "builtin"
    link_plan = links.plan([t.source for t in tasks]) if builtin else links.LinkPlan()
    if not link_plan.levels:
        link_plan.levels = [[t.source for t in tasks]]
    started = time.time()
    with client_for(address) as client:

        def submit(batch: list[links.Item]) -> list[Any]:
            futures = client.map(runner, batch, pure=False, retries=0)
            out = []
            for item, future in zip(batch, futures, strict=True):
                try:
                    out.append(future.result())
                except killed_worker as exc:
                    out.append(_died(item, exc))
            return out

        try:
            return links.execute(tasks, link_plan, submit)
        finally:
            sweep(tasks, started)
