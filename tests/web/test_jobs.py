"""The page's runs on real worker processes, kept warm and shared: two runs at once both
finish, a cancel stops only its own replications at once and leaves the workers warm, and a
Dask cluster gives the numbers of local workers."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario
from contactsim.errors import ContactsimError
from contactsim.runs.executors import LocalExecutor
from contactsim.runs.warm_workers import WarmWorkers
from contactsim.web.jobs import Job, JobBoard
from helpers.scenarios import SCENARIOS


def _wait_for(job: Job, states: tuple[str, ...], timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while job.state not in states:
        assert time.monotonic() < deadline, f"{job.id} still {job.state} after {timeout_s} s"
        time.sleep(0.05)


def _week() -> list:
    loaded = load_scenario(SCENARIOS / "quick-week.yaml")
    more = loaded.scenario.model_copy(update={"name": "more", "shrinkage": 0.25})
    return [loaded, dataclasses.replace(loaded, scenario=more)]


def _cpu_s(pid: int) -> float:
    """Seconds of CPU a process has used (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


@pytest.fixture
def warm() -> Iterator[tuple[WarmWorkers, list[int]]]:
    workers = WarmWorkers(2)
    with workers:
        yield workers, workers.start()


def test_two_runs_at_once_both_finish_on_the_shared_warm_workers(
    warm: tuple[WarmWorkers, list[int]],
) -> None:
    executor, pids = warm
    assert len(pids) == 2
    board = JobBoard(executor)
    scenarios = _week()
    first = board.start(["a", "b"], scenarios, 2, 1, ["", ""], [])
    second = board.start(["a", "b"], scenarios, 2, 1, ["", ""], [])
    for job in (first, second):
        _wait_for(job, ("done", "failed", "cancelled"))
        assert job.state == "done", job.message
    # the same seed gives the same numbers, whichever run they came from
    assert first.view is not None and second.view is not None
    assert first.view["kpis"] == second.view["kpis"]
    alone = JobBoard(LocalExecutor(1)).start(["a", "b"], scenarios, 2, 1, ["", ""], [])
    _wait_for(alone, ("done", "failed", "cancelled"))
    assert alone.view is not None and alone.view["kpis"] == first.view["kpis"]


def test_a_cancel_stops_its_replications_at_once_and_the_workers_stay_warm(
    warm: tuple[WarmWorkers, list[int]],
) -> None:
    executor, pids = warm
    board = JobBoard(executor)
    loaded = load_scenario(SCENARIOS / "baseline-2018.yaml")
    job = board.start(["a", "b"], [loaded, loaded], 4, 1, ["", ""], [])
    other = board.start(["a", "b"], _week(), 2, 1, ["", ""], [])
    deadline = time.monotonic() + 120
    while job.done_s <= 0:  # the workers have started on it and reported
        assert time.monotonic() < deadline and job.state == "running", job.message
        time.sleep(0.05)
    asked = time.monotonic()
    board.cancel(job.id)
    _wait_for(job, ("done", "failed", "cancelled"), timeout_s=30)
    assert job.state == "cancelled", job.message
    assert time.monotonic() - asked < 10  # a year's replication takes longer than this
    _wait_for(other, ("done", "failed", "cancelled"))
    assert other.state == "done", other.message  # the run beside it was not disturbed
    used = [_cpu_s(pid) for pid in pids]
    time.sleep(1.0)
    assert [_cpu_s(pid) - before for pid, before in zip(pids, used, strict=True)] < [0.2, 0.2]
    again = board.start(["a", "b"], _week(), 2, 1, ["", ""], [])
    _wait_for(again, ("done", "failed", "cancelled"))
    assert again.state == "done" and executor.start() == pids  # the same warm workers


class _Held(LocalExecutor):
    """An executor whose runs wait until the test lets them go."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__(1)
        self.release = release

    def as_completed(self, *args: object, **kwargs: object) -> Iterator[object]:
        self.release.wait(30)
        yield from super().as_completed(*args, **kwargs)  # type: ignore[arg-type]


def test_more_runs_than_the_server_takes_at_once_are_refused() -> None:
    release = threading.Event()
    board = JobBoard(_Held(release), max_running=1)
    scenarios = _week()
    job = board.start(["a", "b"], scenarios, 1, 1, ["", ""], [])
    with pytest.raises(ContactsimError, match=r"already has 1 run\(s\) under way"):
        board.start(["a", "b"], scenarios, 1, 1, ["", ""], [])
    release.set()
    _wait_for(job, ("done", "failed", "cancelled"))
    assert job.state == "done"
    board.start(["a", "b"], scenarios, 1, 1, ["", ""], [])  # room again
    board.stop_all()


@pytest.mark.slow
def test_on_a_dask_cluster_a_run_gives_the_same_numbers_as_on_local_workers() -> None:
    pytest.importorskip("dask.distributed")
    from contactsim.runs.dask_executor import DaskExecutor

    scenarios = _week()
    local = JobBoard(LocalExecutor(1)).start(["a", "b"], scenarios, 2, 3, ["", ""], [])
    with DaskExecutor(local_workers=2) as cluster:
        dask = JobBoard(cluster).start(["a", "b"], scenarios, 2, 3, ["", ""], [])
        for job in (local, dask):
            _wait_for(job, ("done", "failed", "cancelled"))
            assert job.state == "done", job.message
    assert local.view is not None and dask.view is not None
    assert local.view["kpis"] == dask.view["kpis"]


def test_a_run_made_before_is_taken_from_memory_and_gives_the_same_numbers() -> None:
    board = JobBoard(LocalExecutor(1))
    base, more = _week()
    first = board.start(["a", "b"], [base, more], 2, 1, ["", ""], [])
    _wait_for(first, ("done", "failed", "cancelled"))
    fewer = dataclasses.replace(base, scenario=base.scenario.model_copy(
        update={"name": "fewer", "shrinkage": 0.35}))
    second = board.start(["a", "c"], [base, fewer], 2, 1, ["", ""], [])
    _wait_for(second, ("done", "failed", "cancelled"))
    assert second.state == "done", second.message
    assert second.total_s == fewer.scenario.horizon.end_s * 2  # only the new what-if ran
    assert first.view is not None and second.view is not None
    base_cells = [row["cells"][0] for row in first.view["kpis"]]
    assert [row["cells"][0] for row in second.view["kpis"]] == base_cells
