"""Replications of a scenario: run them, put them in order, summarise them; and comparisons.

Every replication goes through an :class:`~contactsim.runs.executors.Executor`: this process
for small runs, worker processes on this machine, or a Dask cluster. Replication ``r`` of a run
with seed ``s`` always draws from the streams keyed by ``(s, r)``, whichever worker runs it and
in whatever order, so the same seed gives the same numbers on any executor and any number of
workers. Results are put back in replication order.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from contactsim.analysis.stats import compare_to_first, summarize
from contactsim.build.demand import expected_line_callers
from contactsim.config.scenario import Scenario
from contactsim.runs.executors import Executor, LocalExecutor, Reporter, given_or_own
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
    #: replication, interval_start, pool, staffed_s, busy_s, occupancy
    pool_intervals: pd.DataFrame | None = None


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
    """Run ``reps`` replications of ``scenario`` with ``seed`` on ``executor`` (a Dask cluster,
    or local workers kept across several runs), or else on up to ``workers`` local processes.

    On local processes, small runs (fewer than ``parallel_from_callers`` expected callers in
    all) stay in this process. The numbers are the same either way. With ``records_dir``, each
    replication streams its per-call records to a Parquet file there (on a cluster, a folder
    every worker can reach). Replications are numbered from ``first_replication`` (their random
    streams with them): a run from ``r`` sees callers none of the replications before ``r``
    saw. ``progress`` is told the simulated seconds done over all replications, as they run.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    numbers = range(first_replication, first_replication + reps)
    if records_dir is not None:  # a Dask worker writes here too, not in its own working folder
        records_dir = Path(records_dir).absolute()
    runner = executor if executor is not None else LocalExecutor(workers)
    if isinstance(runner, LocalExecutor) and (
        min(runner.workers, reps) == 1 or reps * expected_callers(scenario) < parallel_from_callers
    ):
        runner = LocalExecutor(1)  # starting processes would cost more than they save
    replication_s = scenario.horizon.end_s
    total_s = reps * replication_s
    done_s: dict[int, float] = {}  # simulated seconds done, by place in ``numbers``
    all_done_s = [0.0]

    def note(index: int, done: float) -> None:
        before = done_s.get(index, 0.0)
        if done > before and progress is not None:
            done_s[index] = done
            all_done_s[0] += done - before
            progress(all_done_s[0], total_s)

    results: list[ReplicationResult] = []
    for result in runner.as_completed(
        _replication, [(scenario, seed, r, records_dir) for r in numbers],
        progress=note if progress is not None else None,
    ):
        results.append(result)
        if progress is not None:
            note(result.replication - first_replication, replication_s)
    return summarise_replications(scenario, seed, results)


def run_together(
    scenarios: list[Scenario],
    reps: int,
    seed: int,
    executor: Executor,
    progress: ProgressReport | None = None,
) -> list[RunResults]:
    """Replications ``0 … reps-1`` of every scenario with ``seed`` (the same callers in each:
    common random numbers), all handed to ``executor`` at once so that no worker waits for one
    scenario to end before starting the next; each scenario's results as :func:`run_scenario`
    would give them. ``progress`` is told the simulated seconds done over all of them; a
    ``progress`` that raises stops the runs (the executor ends its workers at once)."""
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    arguments = [(scenario, seed, r, None) for scenario in scenarios for r in range(reps)]
    total_s = float(sum(reps * scenario.horizon.end_s for scenario in scenarios))
    done_s = [0.0] * len(arguments)

    def note(index: int, done: float) -> None:
        if done > done_s[index]:
            done_s[index] = done
            if progress is not None:
                progress(sum(done_s), total_s)

    finished: list[list[ReplicationResult]] = [[] for _ in scenarios]
    for result, index in executor.as_completed(_replication_at, [
        (index, *args) for index, args in enumerate(arguments)
    ], progress=note):
        finished[index // reps].append(result)
        note(index, arguments[index][0].horizon.end_s)
    return [summarise_replications(scenario, seed, results)
            for scenario, results in zip(scenarios, finished, strict=True)]


def _replication_at(
    index: int, scenario: Scenario, seed: int, replication: int, records_dir: Path | None,
    report: Reporter = None,
) -> tuple[ReplicationResult, int]:
    """:func:`_replication`, returned with its place among the runs."""
    return _replication(scenario, seed, replication, records_dir, report), index


def _replication(
    scenario: Scenario, seed: int, replication: int, records_dir: Path | None,
    report: Reporter = None,
) -> ReplicationResult:
    """One replication, where the executor runs it, reporting the simulated seconds done."""
    return run_replication(scenario, seed, replication, progress=report, records_dir=records_dir)


def expected_callers(scenario: Scenario) -> float:
    """Expected callers in one replication, all lines, before any online shift."""
    return sum(
        expected_line_callers(name, line, scenario.horizon)
        for name, line in scenario.demand.items()
    )


def summarise_replications(
    scenario: Scenario, seed: int, results: list[ReplicationResult]
) -> RunResults:
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
        pool_intervals=pd.concat([r.pool_intervals for r in results], ignore_index=True),
    )


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
    """Run every scenario with the same replication seeds and pair each with the first, on
    ``executor`` if given, else on ``workers`` local processes started once for them all."""
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    with given_or_own(executor, workers) as runner:
        return _compare(scenarios, reps, seed, progress, runner)


def _compare(scenarios: list[Scenario], reps: int, seed: int,
             progress: ProgressReport | None, executor: Executor) -> Comparison:
    """:func:`compare_scenarios` on ``executor``."""
    names = unique_names([scenario.name for scenario in scenarios])
    totals = [reps * scenario.horizon.end_s for scenario in scenarios]
    runs = []
    for index, scenario in enumerate(scenarios):
        before = sum(totals[:index])

        def report(done_s: float, _total_s: float, before: float = before) -> None:
            if progress is not None:
                progress(before + done_s, sum(totals))

        runs.append(run_scenario(scenario, reps, seed, progress=report, executor=executor))
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
