"""``jixiao refresh DIR --scheduler local:N``: the same outputs as ``--jobs``,
one retry for a worker that dies, never a partial output (a LocalCluster)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cluster_helpers import always_die_on_b, die_once_on_b

from addin.cli import main
from addin.xlsx.workbook import read_workbook

pytest.importorskip("distributed")

TEMPLATES = Path(__file__).resolve().parents[1] / "workbooks" / "templates"
pytestmark = pytest.mark.slow


def _values(folder: Path) -> dict[str, object]:
    out = {}
    for path in sorted(folder.rglob("*.xlsx")):
        wb = read_workbook(path)
        out[str(path.relative_to(folder))] = {
            s.name: sorted((k, repr(v)) for k, v in s.values.items()) for s in wb.sheets
        }
    return out


def _reports(output: str) -> list[tuple[str, str, int, int]]:
    doc = json.loads(output)
    return [
        (Path(f["path"]).name, f["status"], f["cells_computed"], f["cells_written"])
        for f in doc["files"]
    ]


def test_local_cluster_gives_the_same_outputs_as_jobs(tmp_path: Path) -> None:
    """Three templates and a linked folder: --scheduler local:2 and --jobs 2
    write the same values and the same summaries."""
    from link_helpers import make_workbook

    src = tmp_path / "in"
    for name in ("t1_gongxiaoshe", "t5_xiaoshou", "t7_weixiu"):
        (src / "templates").mkdir(parents=True, exist_ok=True)
        shutil.copy(TEMPLATES / f"{name}.xlsx", src / "templates" / f"{name}.xlsx")
    make_workbook(src / "b1.xlsx", {"S": {"B2": 3, "B3": "=B2*2"}})
    make_workbook(src / "sum.xlsx", {"S": {"A1": "=[1]S!B3+1"}}, [("b1.xlsx", "S", {"B3": 0})])
    runner = CliRunner()
    jobs = runner.invoke(main, ["refresh", str(src), "--out", str(tmp_path / "jobs"), "-j", "2", "--json"])
    assert jobs.exit_code == 0, jobs.output
    dask = runner.invoke(
        main, ["refresh", str(src), "--out", str(tmp_path / "dask"), "--scheduler", "local:2", "--json"]
    )
    assert dask.exit_code == 0, dask.output
    assert _reports(dask.output) == _reports(jobs.output)
    assert _values(tmp_path / "dask") == _values(tmp_path / "jobs")
    assert read_workbook(tmp_path / "dask" / "sum.xlsx").sheets[0].values[(1, 1)] == 7.0


def _abc(folder: Path) -> Path:
    from link_helpers import make_workbook

    for name, n in (("a", 1), ("b", 2), ("c", 3)):
        make_workbook(folder / f"{name}.xlsx", {"S": {"A1": n, "A2": "=A1*10"}})
    return folder


def test_a_dead_worker_has_its_file_retried_once(tmp_path: Path) -> None:
    """The worker running b.xlsx dies once: b is retried and written, and the
    temporary file the dead worker left is gone."""
    from addin.refresh import cluster
    from addin.refresh.cli import _plan
    from addin.refresh.job import RefreshTask

    src = _abc(tmp_path / "in")
    out = tmp_path / "out"
    tasks = [RefreshTask(s, d) for s, d in _plan([src], out, False, False)]
    reports = cluster.execute(tasks, "local:2", runner=die_once_on_b)
    assert [r.status for r in reports] == ["ok", "ok", "ok"]
    assert (out / "b.died").exists()
    assert read_workbook(out / "b.xlsx").sheets[0].values[(2, 1)] == 20.0
    assert not list(out.glob(".~jixiao-*"))


def test_a_file_that_kills_twice_is_reported_and_not_written(tmp_path: Path) -> None:
    """Dying again on the retry: b is 'worker-died' (exit 2), no b output nor
    partial file; a and c are written."""
    from addin.refresh import cluster
    from addin.refresh.cli import _plan
    from addin.refresh.job import RefreshTask

    src = _abc(tmp_path / "in")
    out = tmp_path / "out"
    tasks = [RefreshTask(s, d) for s, d in _plan([src], out, False, False)]
    reports = cluster.execute(tasks, "local:2", runner=always_die_on_b)
    assert [r.status for r in reports] == ["ok", "worker-died", "ok"]
    assert reports[1].exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "c.xlsx"]


def test_bad_scheduler_address_is_exit_2(tmp_path: Path) -> None:
    """local:0 is refused with a message, exit 2, nothing written."""
    src = _abc(tmp_path / "in")
    result = CliRunner().invoke(main, ["refresh", str(src), "--out", str(tmp_path / "o"), "--scheduler", "local:0"])
    assert result.exit_code == 2
    assert "local:N" in result.output
    assert not (tmp_path / "o").exists()
