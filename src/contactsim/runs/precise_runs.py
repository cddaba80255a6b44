"""A run, and a comparison, made to a precision: replications in batches on one executor until
the stopping rule of :mod:`contactsim.runs.precision` is satisfied.

Each batch continues the replications' numbers where the last one ended
(``first_replication``), on the same executor (opened once by the caller, so local workers
are kept between batches), and the batches are put together in order at the end: the results
are exactly those of a fixed run (or comparison) of the final number of replications with the
same seed. A comparison applies the targets to the paired difference of every scenario from the
first; all its scenarios run the same replications, so they stop together. The points of a
sweep (:func:`run_points`) each stop on their own, run in rounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd

from contactsim.analysis.stats import compare_to_first, summarize
from contactsim.config.scenario import Scenario
from contactsim.runs.executors import Executor
from contactsim.runs.experiment import (
    Comparison,
    ProgressReport,
    RunResults,
    run_scenario,
    unique_names,
)
from contactsim.runs.precision import (
    Reached,
    Rule,
    Stopping,
    paired_reached,
    precision_table,
    reached_in,
)

__all__ = ["CheckReport", "compare_precise", "merged", "points_table", "run_points",
           "run_precise"]

PointT = TypeVar("PointT")
RunT = TypeVar("RunT")

#: Told where the rule stands after each check (its ``reached`` are that check's findings).
CheckReport = Callable[[Stopping], None]


def run_precise(
    scenario: Scenario,
    seed: int,
    rule: Rule,
    executor: Executor,
    progress: ProgressReport | None = None,
    on_check: CheckReport | None = None,
    records_dir: Path | None = None,
) -> tuple[RunResults, Stopping]:
    """Replications of ``scenario`` with ``seed``, in batches on ``executor``, until ``rule``
    stops: the results of all of them (as :func:`~contactsim.runs.experiment.run_scenario`
    gives a fixed number) and where the rule stopped. ``progress`` is told the simulated
    seconds done over the replications asked for so far (the total grows with each batch)."""
    state = Stopping(rule)
    batches: list[RunResults] = []
    end_s = scenario.horizon.end_s
    done = 0
    while not state.done:
        if state.reps > done:
            batches.append(run_scenario(
                scenario, state.reps - done, seed, executor=executor, records_dir=records_dir,
                first_replication=done,
                progress=_offset(progress, done * end_s, state.reps * end_s),
            ))
            done = state.reps
        table = pd.concat([batch.replications for batch in batches], ignore_index=True)
        state.check(reached_in(table, rule.targets, done))
        if on_check is not None:
            on_check(state)
    return merged(batches), state


def compare_precise(
    scenarios: Sequence[Scenario],
    seed: int,
    rule: Rule,
    executor: Executor,
    progress: ProgressReport | None = None,
    on_check: CheckReport | None = None,
) -> tuple[Comparison, Stopping]:
    """Every scenario run with the same replications (common random numbers), in batches on
    ``executor``, until ``rule`` stops on the paired differences from the first scenario: the
    comparison (as :func:`~contactsim.runs.experiment.compare_scenarios` gives one of a fixed
    number) and where the rule stopped."""
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    names = unique_names([scenario.name for scenario in scenarios])
    state = Stopping(rule)
    batches: list[list[RunResults]] = [[] for _ in scenarios]
    lengths = [scenario.horizon.end_s for scenario in scenarios]
    done = 0
    while not state.done:
        if state.reps > done:
            total = state.reps * sum(lengths)
            for index, scenario in enumerate(scenarios):
                before = done * sum(lengths) + (state.reps - done) * sum(lengths[:index])
                batches[index].append(run_scenario(
                    scenario, state.reps - done, seed, executor=executor,
                    first_replication=done, progress=_offset(progress, before, total),
                ))
            done = state.reps
        tables = [pd.concat([b.replications for b in runs], ignore_index=True)
                  for runs in batches]
        state.check(paired_reached(tables, names, rule.targets, done))
        if on_check is not None:
            on_check(state)
    runs = [merged(scenario_batches) for scenario_batches in batches]
    table = compare_to_first([run.replications for run in runs], names)
    return Comparison(names=names, runs=runs, table=table), state


def _offset(progress: ProgressReport | None, before_s: float, total_s: float
            ) -> ProgressReport | None:
    """``progress`` told a batch's simulated seconds after the ``before_s`` done before it, out
    of ``total_s`` asked for so far."""
    if progress is None:
        return None

    def report(done_s: float, _batch_total_s: float) -> None:
        progress(before_s + done_s, total_s)

    return report


def merged(batches: Sequence[RunResults]) -> RunResults:
    """Consecutive batches of one scenario's replications (each starting where the last
    ended) as one run, summarised anew: what a single run of them all would have given."""
    if len(batches) == 1:
        return batches[0]

    def joined(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
        present = [frame for frame in frames if frame is not None and len(frame)]
        return pd.concat(present, ignore_index=True) if present else None

    replications = pd.concat([b.replications for b in batches], ignore_index=True)
    intervals = pd.concat([b.intervals for b in batches], ignore_index=True)
    first = batches[0]
    return RunResults(
        first.scenario, first.seed, replications, intervals, summarize(replications),
        process_ids=tuple(pid for b in batches for pid in b.process_ids),
        rc_daily=joined([b.rc_daily for b in batches]),
        pool_intervals=(pd.concat([b.pool_intervals for b in batches], ignore_index=True)
                        if all(b.pool_intervals is not None for b in batches) else None),
    )


def run_points(
    points: Sequence[PointT],
    rule: Rule,
    run_of: Callable[[PointT, int], RunT],
    run_round: Callable[[list[RunT]], None],
    kpis_of: Callable[[RunT], pd.DataFrame | None],
) -> list[tuple[PointT, Stopping, list[RunT]]]:
    """Each point run to ``rule`` on its own, in rounds: every point not yet stopped gets the
    replications its next check needs (``run_of(point, replication)`` makes the run, once;
    ``run_round`` runs a round's new runs, skipping any already done), then each is judged on
    the KPI rows (``scope, kpi, value``) ``kpis_of`` reads from its runs ``0 … n−1``. A point
    one of whose runs failed (``kpis_of`` gives None) stops where it is, its targets unmet.
    Returns each point, where its rule stopped and the runs it kept, in order."""
    stops = [Stopping(rule) for _ in points]
    runs: dict[tuple[int, int], RunT] = {}
    found: dict[tuple[int, int], pd.DataFrame | None] = {}
    while going := [i for i, stopping in enumerate(stops) if not stopping.done]:
        new = []
        for i in going:
            for replication in range(stops[i].reps):
                if (i, replication) not in runs:
                    runs[i, replication] = run_of(points[i], replication)
                    new.append(runs[i, replication])
        run_round(new)
        for i in going:
            stopping = stops[i]
            for r in range(stopping.reps):
                if found.get((i, r)) is None:
                    table = kpis_of(runs[i, r])
                    found[i, r] = None if table is None else table.assign(replication=r)
            tables = [found[i, r] for r in range(stopping.reps)]
            if any(table is None for table in tables):
                stopping.reached = tuple(Reached(t, math.nan, math.nan, stopping.reps)
                                         for t in rule.targets)
                stopping.done = True
                continue
            stopping.check(reached_in(pd.concat(tables, ignore_index=True), rule.targets,
                                      stopping.reps))
    return [(point, stopping, [runs[i, r] for r in range(stopping.reached[0].reps)])
            for i, (point, stopping) in enumerate(zip(points, stops, strict=True))]


def points_table(stops: Sequence[tuple[int, str, Stopping]]) -> pd.DataFrame:
    """``precision.csv`` of a sweep: ``point, point_name`` and each point's
    :func:`~contactsim.runs.precision.precision_table`."""
    frames = [precision_table(stopping.reached).assign(point=index, point_name=name)
              for index, name, stopping in stops]
    table = pd.concat(frames, ignore_index=True)
    return table[["point", "point_name", *[c for c in table if c not in ("point", "point_name")]]]
