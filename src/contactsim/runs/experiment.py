"""Replications of a scenario, run in this process or on a pool of worker processes.

Replication ``r`` of a run with seed ``s`` always draws from the streams keyed by ``(s, r)``,
whichever worker runs it and in whatever order, so the same seed gives the same numbers on any
number of workers. Results are put back in replication order.
"""

from __future__ import annotations

import os
import queue as queue_module
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from contactsim.analysis.stats import compare_to_first, summarize
from contactsim.build.demand import expected_line_callers
from contactsim.config.scenario import Scenario
from contactsim.runs.executors import Executor, guarded_pool, start_guarded_manager
from contactsim.runs.replication import ReplicationResult, run_replication

#: Below this many expected callers in all, replications run in this process: starting worker
#: processes (each imports numpy, pandas, scipy and pydantic) would cost more than it saves.
PARALLEL_FROM_CALLERS = 1_000_000

#: Called with (simulated seconds done over all replications, seconds to do in all).
ProgressReport = Callable[[float, float], None]


@dataclass(frozen=True)
class RunResults:
    """Every replication of one scenario, and their summary."""

    scenario: Scenario
    seed: int
    replications: pd.DataFrame  # replication, scope, kpi, value
    intervals: pd.DataFrame  # replication, interval_start, line, offered, ...
    summary: pd.DataFrame  # scope, kpi, mean, ci_low, ci_high, reps
    process_ids: tuple[int, ...] = ()  # the process that ran each replication
    rc_daily: pd.DataFrame | None = None  # replication, day, rc_backlog (with an RC)


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_scenario(
    scenario: Scenario,
    reps: int,
    seed: int,
    workers: int = 1,
    progress: ProgressReport | None = None,
    parallel_from_callers: float = PARALLEL_FROM_CALLERS,
    executor: Executor | None = None,
    records_dir: Path | None = None,
    first_replication: int = 0,
) -> RunResults:
    """Run ``reps`` replications of ``scenario`` with ``seed`` on up to ``workers`` processes,
    or on ``executor`` (a Dask cluster, say) when given.

    Small runs (fewer than ``parallel_from_callers`` expected callers) stay in this process.
    The numbers are the same either way. With ``records_dir``, each replication streams its
    per-call records to a Parquet file there (on a cluster, a folder every worker can reach).
    Replications are numbered from ``first_replication`` (their random streams with them): a
    run from ``r`` sees callers none of the replications before ``r`` saw.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    numbers = range(first_replication, first_replication + reps)
    if executor is not None:
        finished: list[ReplicationResult] = []
        for result in executor.as_completed(
            run_replication,
            [(scenario, seed, r, None, False, records_dir) for r in numbers],
        ):
            finished.append(result)
            if progress is not None:
                progress(len(finished) * scenario.horizon.end_s, reps * scenario.horizon.end_s)
        return collate(scenario, seed, finished)
    workers = max(1, min(workers, reps))
    if workers > 1 and reps * expected_callers(scenario) < parallel_from_callers:
        workers = 1
    total_s = reps * scenario.horizon.end_s
    if workers == 1:
        results = _run_here(scenario, numbers, seed, total_s, progress, records_dir)
    else:
        results = _run_on_processes(scenario, numbers, seed, workers, total_s, progress,
                                    records_dir)
    return collate(scenario, seed, results)


def expected_callers(scenario: Scenario) -> float:
    """Expected callers in one replication, all lines, before any online shift."""
    return sum(
        expected_line_callers(name, line, scenario.horizon)
        for name, line in scenario.demand.items()
    )


def collate(scenario: Scenario, seed: int, results: list[ReplicationResult]) -> RunResults:
    """Put replications in order and summarise them."""
    results = sorted(results, key=lambda r: r.replication)
    replications = pd.DataFrame(
        [(r.replication, scope, kpi, value) for r in results for scope, kpi, value in r.kpis],
        columns=["replication", "scope", "kpi", "value"],
    )
    intervals = pd.concat([r.intervals for r in results], ignore_index=True)
    daily = [r.rc_daily for r in results if r.rc_daily is not None and len(r.rc_daily)]
    return RunResults(
        scenario, seed, replications, intervals, summarize(replications),
        process_ids=tuple(r.process_id for r in results),
        rc_daily=pd.concat(daily, ignore_index=True) if daily else None,
    )


def _run_here(
    scenario: Scenario,
    numbers: range,
    seed: int,
    total_s: float,
    progress: ProgressReport | None,
    records_dir: Path | None = None,
) -> list[ReplicationResult]:
    results = []
    for done, replication in enumerate(numbers):
        finished_s = done * scenario.horizon.end_s

        def report(done_s: float, finished_s: float = finished_s) -> None:
            if progress is not None:
                progress(finished_s + done_s, total_s)

        results.append(
            run_replication(scenario, seed, replication, progress=report, records_dir=records_dir)
        )
    return results


def _replication_in_worker(
    scenario: Scenario, seed: int, replication: int, messages: Any, records_dir: Path | None
) -> ReplicationResult:
    def report(done_s: float) -> None:
        if messages is not None:
            messages.put((replication, done_s))

    return run_replication(scenario, seed, replication, progress=report, records_dir=records_dir)


def _run_on_processes(
    scenario: Scenario,
    numbers: range,
    seed: int,
    workers: int,
    total_s: float,
    progress: ProgressReport | None,
    records_dir: Path | None = None,
) -> list[ReplicationResult]:
    # the workers (and the Manager's process that carries their progress) die with this
    # process, ignore Ctrl-C, and are ended at once if this process stops waiting for them
    manager = start_guarded_manager() if progress is not None else None
    messages = manager.Queue() if manager is not None else None
    done_by_replication: dict[int, float] = {}
    try:
        with guarded_pool(workers) as pool:
            pending: set[Future[ReplicationResult]] = {
                pool.submit(_replication_in_worker, scenario, seed, r, messages, records_dir)
                for r in numbers
            }
            results = []
            while pending:
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    results.append(result)
                    done_by_replication[result.replication] = scenario.horizon.end_s
                if messages is not None and progress is not None:
                    _drain(messages, done_by_replication)
                    progress(sum(done_by_replication.values()), total_s)
            return results
    finally:
        if manager is not None:
            manager.shutdown()


def _drain(messages: Any, done_by_replication: dict[int, float]) -> None:
    while True:
        try:
            replication, done_s = messages.get_nowait()
        except queue_module.Empty:
            return
        done_by_replication[replication] = max(done_by_replication.get(replication, 0.0), done_s)


@dataclass(frozen=True)
class Comparison:
    """Scenarios run with the same seed, and each one's KPIs against the first's."""

    names: list[str]
    runs: list[RunResults]
    table: pd.DataFrame  # see contactsim.analysis.stats.compare_to_first


def compare_scenarios(
    scenarios: list[Scenario],
    reps: int,
    seed: int,
    workers: int = 1,
    progress: ProgressReport | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run every scenario with the same replication seeds and pair each with the first."""
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    names = unique_names([scenario.name for scenario in scenarios])
    totals = [reps * scenario.horizon.end_s for scenario in scenarios]
    runs = []
    for index, scenario in enumerate(scenarios):
        before = sum(totals[:index])

        def report(done_s: float, _total_s: float, before: float = before) -> None:
            if progress is not None:
                progress(before + done_s, sum(totals))

        runs.append(run_scenario(scenario, reps, seed, workers, progress=report,
                                 executor=executor))
    table = compare_to_first([run.replications for run in runs], names)
    return Comparison(names=names, runs=runs, table=table)


def unique_names(names: list[str]) -> list[str]:
    """The names, with a number added to repeats (``base``, ``base-2``)."""
    out: list[str] = []
    for name in names:
        candidate, number = name, 1
        while candidate in out or (candidate != name and candidate in names):
            number += 1
            candidate = f"{name}-{number}"
        out.append(candidate)
    return out
