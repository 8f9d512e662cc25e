"""The refresh job apart from its command line (:mod:`addin.refresh.job`): a
frozen, picklable task carries the paths, the options, the day TODAY() stands
on and RAND()'s seed to whichever process runs it — nothing through the
environment."""

from __future__ import annotations

import dataclasses
import datetime
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from link_helpers import make_workbook

from addin.refresh.job import FileReport, RefreshOptions, RefreshTask, run_task
from addin.xlsx.workbook import read_workbook

DAY = datetime.date(2026, 3, 1)
SERIAL = float((DAY - datetime.date(1899, 12, 30)).days)


def _book(path: Path) -> Path:
    make_workbook(path, {"S": {"A1": "=TODAY()", "A2": "=RAND()", "A3": "=RANDBETWEEN(1,10^9)"}})
    return path


def _values(path: Path) -> tuple[object, ...]:
    values = read_workbook(path).sheets[0].values
    return values[(1, 1)], values[(2, 1)], values[(3, 1)]


def test_a_task_is_frozen_and_picklable(tmp_path: Path) -> None:
    task = RefreshTask(tmp_path / "a.xlsx", tmp_path / "b.xlsx", RefreshOptions(values_only=True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.seed = 3  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(task)) == task


def test_today_and_seed_travel_with_the_task(tmp_path: Path) -> None:
    """The day and the seed reach the file from the task, in this process and in
    a worker process alike, and the environment holds neither."""
    a, b = _book(tmp_path / "a.xlsx"), _book(tmp_path / "b.xlsx")
    here = run_task(RefreshTask(a, tmp_path / "a.out.xlsx", today=DAY, seed=7))
    with ProcessPoolExecutor(max_workers=1) as pool:
        there: FileReport = pool.submit(
            run_task, RefreshTask(b, tmp_path / "b.out.xlsx", today=DAY, seed=7)
        ).result()
    assert here.exit_code == there.exit_code == 0, (here.message, there.message)
    mine, theirs = _values(tmp_path / "a.out.xlsx"), _values(tmp_path / "b.out.xlsx")
    assert mine[0] == SERIAL
    assert mine == theirs  # each file starts its generator from the seed
    assert "JIXIAO_TODAY" not in os.environ
    assert "JIXIAO_SEED" not in os.environ


def test_options_of_a_task_reach_the_file(tmp_path: Path) -> None:
    src = _book(tmp_path / "a.xlsx")
    report = run_task(RefreshTask(src, src, RefreshOptions(in_place=True), today=DAY, seed=1))
    assert report.exit_code == 0, report.message
    assert report.backup is not None
    assert Path(report.backup).exists()
    assert _values(src)[0] == SERIAL
