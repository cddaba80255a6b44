"""Judging a staffing: simulate it and say, at every key, whether each service target is met.

A target is judged at each key on the mean over the replications (and over the weeks or days
that key recurs in), or with a ``confidence`` on the whole Student-t interval at that
confidence; a target on a share of days on the days instead
(:mod:`~contactsim.planning.daily_targets`); an occupancy cap on its pool's busy time over its
time on the phones at the key.
"""

from __future__ import annotations

import pandas as pd

from contactsim.analysis.kpi_names import OFFERED
from contactsim.analysis.periods import pool_summaries_by, summaries_by
from contactsim.config.scenario import Scenario
from contactsim.planning.daily_targets import judge_on_days
from contactsim.planning.service_targets import ServiceTarget, measured_at_targets
from contactsim.planning.staffing_levels import GROUPINGS
from contactsim.runs.executors import Executor
from contactsim.runs.experiment import run_scenario

__all__ = ["evaluate"]


def evaluate(
    scenario: Scenario, targets: list[ServiceTarget], grouping: str, reps: int, seed: int,
    executor: Executor, confidence: float | None = None,
) -> pd.DataFrame:
    """Simulate and judge every target at every key: line (the pool, for an occupancy cap),
    kpi, key, target, mean, CI, met, certain. The interval is at ``confidence`` (95% if None);
    ``certain`` says whether it lies wholly on the target's side. ``met`` is judged on the
    mean, or with a ``confidence`` on the interval (met = certain). The replications run on
    ``executor``; the lines are measured within every threshold the targets name."""
    results = run_scenario(measured_at_targets(scenario, targets), reps, seed,
                           executor=executor)
    key_of, _ = GROUPINGS[grouping]
    level = confidence if confidence is not None else 0.95
    frames = []
    for target in targets:
        if target.share_of_days is not None:  # judged on the days, the driving keys marked
            frames.append(judge_on_days(results.intervals, target, key_of,
                                        scenario.horizon.interval_s, level, confidence))
            continue
        if target.of_pool:  # an occupancy cap: where nobody is on the phones, nobody is busy
            assert results.pool_intervals is not None
            table = pool_summaries_by(results.pool_intervals, target.line, (target.kpi,),
                                      key_of, level)[target.kpi]
            offered = table.assign(mean=0.0)
        else:
            summaries = summaries_by(results.intervals, target.line, (target.kpi, OFFERED),
                                     key_of, level)
            table, offered = summaries[target.kpi], summaries[OFFERED]
        table.insert(0, "kpi", target.kpi)
        table.insert(0, "line", target.line)
        table["target"] = str(target)
        judged = zip(table["mean"], table["ci_low"], table["ci_high"], offered["mean"],
                     strict=True)
        certain = [target.certainly_met_by(v, low, high, n) for v, low, high, n in judged]
        table["met"] = (certain if confidence is not None else
                        [target.met_by(v, n) for v, n in zip(table["mean"], offered["mean"],
                                                                strict=True)])
        table["certain"] = certain
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
