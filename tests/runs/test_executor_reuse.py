"""One executor interface for every way of running: workers kept across batches, progress
carried out of running calls, and nothing left running after an error."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pandas as pd
import pytest

from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.runs.executors import LocalExecutor, make_executor
from contactsim.runs.experiment import run_scenario
from helpers.scenarios import one_line_101


def pid_after(pause_s: float) -> int:
    """The worker's process id, after a pause (so that both workers of a pool take a call)."""
    time.sleep(pause_s)
    return os.getpid()


def count_to(steps: int, report: Callable[[float], None] | None) -> int:
    """Report 1, 2, ..., ``steps``; the number of steps."""
    for step in range(1, steps + 1):
        if report is not None:
            report(float(step))
    return steps


def fail_on(value: int) -> int:
    if value == 2:
        raise ValueError("the second call fails")
    return value


def small_scenario() -> Scenario:
    """A quiet 101 line (30 calls an hour) on three operators, for two days."""
    return scenario_from_mapping(one_line_101(
        name="small", rate_per_hour=30, handle_s=200, patience_s=300, operators=3, days=2,
        warmup_hours=0,
    ))


def test_a_kept_pool_serves_every_batch_with_the_same_workers() -> None:
    with make_executor(2) as executor:
        first = set(executor.as_completed(pid_after, [(0.3,), (0.3,)]))
        second = set(executor.as_completed(pid_after, [(0.3,), (0.3,)]))
    assert os.getpid() not in first
    assert len(first) == 2 and second == first


def test_progress_is_carried_out_of_workers_and_out_of_this_process() -> None:
    for workers in (1, 2):
        seen: dict[int, float] = {}

        def note(index: int, done: float, seen: dict[int, float] = seen) -> None:
            seen[index] = max(seen.get(index, 0.0), done)

        with LocalExecutor(workers) as executor:
            results = list(executor.as_completed(count_to, [(3,), (5,)], progress=note))
        assert sorted(results) == [3, 5]
        assert seen == {0: 3.0, 1: 5.0}, f"{workers} workers"


def test_an_error_stops_the_workers_and_the_next_batch_gets_new_ones() -> None:
    with LocalExecutor(2) as executor:
        with pytest.raises(ValueError, match="the second call fails"):
            list(executor.as_completed(fail_on, [(1,), (2,), (3,)]))
        assert executor._pool is None  # stopped, not left running
        assert sorted(executor.as_completed(fail_on, [(1,), (3,)])) == [1, 3]
    assert executor._pool is None and executor._manager is None


def test_runs_on_a_kept_executor_give_the_numbers_of_a_run_in_this_process() -> None:
    scenario = small_scenario()
    here = run_scenario(scenario, reps=3, seed=4, workers=1)
    with LocalExecutor(2) as executor:
        small = run_scenario(scenario, reps=3, seed=4, executor=executor)
        spread = run_scenario(scenario, reps=3, seed=4, executor=executor,
                              parallel_from_callers=0)
    assert set(small.process_ids) == {os.getpid()}  # too small to be worth the workers
    assert os.getpid() not in set(spread.process_ids)
    for run in (small, spread):
        pd.testing.assert_frame_equal(run.replications, here.replications)
        pd.testing.assert_frame_equal(run.intervals, here.intervals)
