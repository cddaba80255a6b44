"""The page's runs on real worker processes: two at once both finish, and a cancel ends the
workers of its run at once."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time

import pytest

from contactsim.build.loading import load_scenario
from contactsim.errors import ContactsimError
from contactsim.runs.executors import LocalExecutor
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


def test_two_runs_at_once_both_finish_on_their_own_workers() -> None:
    board = JobBoard(lambda: LocalExecutor(2))
    scenarios = _week()
    first = board.start(["a", "b"], scenarios, 2, 1, ["", ""], [])
    second = board.start(["a", "b"], scenarios, 2, 1, ["", ""], [])
    for job in (first, second):
        _wait_for(job, ("done", "failed", "cancelled"))
        assert job.state == "done", job.message
    # the same seed gives the same numbers, whichever run they came from
    assert first.view is not None and second.view is not None
    assert first.view["kpis"] == second.view["kpis"]


def test_a_cancel_ends_the_runs_workers() -> None:
    board = JobBoard(lambda: LocalExecutor(2))
    loaded = load_scenario(SCENARIOS / "baseline-2018.yaml")
    job = board.start(["a", "b"], [loaded, loaded], 4, 1, ["", ""], [])
    deadline = time.monotonic() + 120
    while job.done_s <= 0:  # the workers have started and reported
        assert time.monotonic() < deadline and job.state == "running", job.message
        time.sleep(0.05)
    assert multiprocessing.active_children()
    asked = time.monotonic()
    board.cancel(job.id)
    _wait_for(job, ("done", "failed", "cancelled"), timeout_s=30)
    assert job.state == "cancelled"
    assert time.monotonic() - asked < 15  # a year's replication takes longer than this
    deadline = time.monotonic() + 10
    while multiprocessing.active_children():
        assert time.monotonic() < deadline, multiprocessing.active_children()
        time.sleep(0.1)


class _Held(LocalExecutor):
    """Local workers that start only once the test lets them."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__(1)
        self.release = release

    def __enter__(self) -> _Held:
        self.release.wait(30)
        return super().__enter__()


def test_more_runs_than_the_server_takes_at_once_are_refused() -> None:
    release = threading.Event()
    board = JobBoard(lambda: _Held(release), max_running=1)
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
    local = JobBoard(lambda: LocalExecutor(2)).start(["a", "b"], scenarios, 2, 3, ["", ""], [])
    dask = JobBoard(lambda: DaskExecutor(local_workers=2)).start(
        ["a", "b"], scenarios, 2, 3, ["", ""], [])
    for job in (local, dask):
        _wait_for(job, ("done", "failed", "cancelled"))
        assert job.state == "done", job.message
    assert local.view is not None and dask.view is not None
    assert local.view["kpis"] == dask.view["kpis"]
