"""Closing the loop: prove a roster by simulation, and mend it where it falls short.

The roster covers a requirement worked out by Erlang A or by ``staff``; the simulation sees
what those do not (priority, multi-skilling, callbacks, absence, breaks). Each round simulates
the scenario on the roster with the same seed (common random numbers: a change in the roster,
not a change in callers, moves the KPIs) and judges every target at every hour of the week
exactly as ``staff`` does (:func:`~contactsim.planning.staffing_judging.evaluate`: on the mean
over replications, or with a confidence on the whole interval). If a target is missed, the
*worst hour* is the one missing by the most, measured against its target (a service level of
0.81 against 0.90 misses by 10%; an ASA of 150 s against 120 s by 25%; a KPI that cannot be
measured where calls were offered, by the most); one person is added on the option that
covers that hour at the least cost per person on the phones then, in a pool serving the
target's line (within the pool's max_heads and part-time share), and the next round simulates
again. For an occupancy cap (``"blended: occupancy <= 0.85"``) the person is added in the
capped pool itself: a cap can only be met by adding people. A second service-level point
(``"999: service_level@15 >= 0.90"``) is counted by the simulation and judged like the line's
own. A target on a share of days (``"999: service_level >= 0.90 on 95% of days"``) is judged
on each day's own figures; while it is missed, its worst hour is the hour holding most of the
calls short on the missed days (:mod:`~contactsim.planning.daily_targets`). The loop stops
when every target holds, after ``max_rounds`` rounds, or when no option
can cover the worst hour, and says which hours still miss and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactsim.config.catalogue import Catalogue
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.planning.daily_targets import day_target_miss
from contactsim.planning.roster import PoolRoster, Roster
from contactsim.planning.roster_files import rostered_scenario
from contactsim.planning.roster_shifts import hour_of_week
from contactsim.planning.service_targets import ServiceTarget
from contactsim.planning.staffing_judging import evaluate
from contactsim.planning.staffing_levels import key_label
from contactsim.runs.executors import Executor

__all__ = ["Verified", "verify_roster"]

#: Most missed hours a verdict lists.
SHOWN_MISSES = 8


@dataclass
class Verified:
    """The roster after the loop, a row per round, the last round's verdicts, and what still
    misses (empty when every target holds)."""

    roster: Roster
    rounds: pd.DataFrame
    kpis: pd.DataFrame
    still_missing: list[str]

    @property
    def met(self) -> bool:
        """Whether every target holds at every hour of the week."""
        return not self.still_missing


def _miss(target: ServiceTarget, mean: float) -> float:
    """How far ``mean`` misses ``target``, as a share of the target (inf: not measurable)."""
    if math.isnan(mean):
        return math.inf
    gap = target.value - mean if target.at_least else mean - target.value
    return gap / target.value


def _misses_of(missed: pd.DataFrame, by_text: dict[str, ServiceTarget]) -> list[float]:
    """How far each missed row misses its target (:func:`_miss`); a target on a share of days
    by its days' shortfall, led by the hour driving most of it
    (:func:`~contactsim.planning.daily_targets.day_target_miss`)."""
    misses = []
    for row in missed.itertuples():
        target = by_text[str(row.target)]
        if target.share_of_days is None:
            misses.append(_miss(target, float(row.mean)))
            continue
        most = float(missed.loc[missed["target"] == row.target, "short"].max())
        misses.append(day_target_miss(target, float(row.days_met), float(row.short), most))
    return misses


def _serving(scenario: Scenario, roster: Roster, line: str) -> list[str]:
    """Rostered pools that answer ``line`` (or the pool of that name, for a pool's target)."""
    return [pool.name for pool in scenario.pools
            if pool.name in roster.pools and (line in pool.skills or pool.name == line)]


def _add_cheapest(roster: Roster, catalogue: Catalogue, pools: list[str], key: int
                  ) -> tuple[str, str] | None:
    """Add one person on the option covering hour of week ``key`` in every week of its cycle
    at the least cost per person on the phones then, in one of ``pools`` within its limits;
    (pool, shift name) added, or None if no option can."""
    best: tuple[float, float, PoolRoster, int] | None = None
    for pool in pools:
        rostered = roster.pools[pool]
        limits = catalogue.limits_of(pool)
        if limits.max_heads is not None and rostered.heads >= limits.max_heads:
            continue
        part_time = sum(n for o, n in rostered.chosen if o.part_time)
        weeks = len(rostered.required) // 168
        at_key = np.flatnonzero(hour_of_week(roster.anchor, weeks * 7) == key)
        for index, option in enumerate(rostered.options):
            if option.part_time and part_time + 1 > limits.max_part_time_share * (
                    rostered.heads + 1) + 1e-9:
                continue
            least = float(option.column[at_key].min())
            if least <= 0:
                continue
            score = (option.cost_per_week / least, option.cost_per_week)
            if best is None or score < best[:2]:
                best = (*score, rostered, index)
    if best is None:
        return None
    _, _, rostered, index = best
    rostered.counts[index] += 1
    rostered.added += 1
    return rostered.pool, rostered.options[index].name


def verify_roster(
    roster: Roster, catalogue: Catalogue, scenario: Scenario, targets: list[ServiceTarget],
    reps: int, seed: int, executor: Executor, max_rounds: int = 20,
    confidence: float | None = None, note: Callable[[str], None] | None = None,
) -> Verified:
    """Simulate the scenario on ``roster`` and add shifts until every target holds (see the
    module). ``roster`` is changed in place; the replications run on ``executor``."""
    if not targets:
        raise ContactsimError("give at least one --target to verify against")
    if 60 % scenario.horizon.interval_minutes:
        raise ContactsimError(
            "--verify judges targets by hour of the week: it needs reporting intervals that "
            f"divide an hour; the scenario's are {scenario.horizon.interval_minutes} minutes")
    by_text = {str(t): t for t in targets}
    rows: list[dict[str, object]] = []
    still: list[str] = []
    kpis = pd.DataFrame()
    for round_number in range(1, max_rounds + 1):
        kpis = evaluate(rostered_scenario(scenario, roster), targets, "hour_of_week", reps,
                        seed, executor=executor, confidence=confidence)
        missed = kpis[~kpis["met"].astype(bool)].copy()
        missed["miss"] = _misses_of(missed, by_text)
        missing = int(missed["key"].nunique())
        row: dict[str, object] = {
            "round": round_number,
            "heads": sum(p.heads for p in roster.pools.values()),
            "cost_per_week": round(sum(p.cost_per_week for p in roster.pools.values()), 4),
            "hours_missed": missing,
        }
        for text, part in kpis.groupby("target", sort=False):
            worst = part.sort_values("mean", ascending=by_text[str(text)].at_least).iloc[0]
            row[f"{text} (worst hour)"] = round(float(worst["mean"]), 4)
            if by_text[str(text)].share_of_days is not None:
                row[f"{text} (share of days)"] = round(float(worst["days_met"]), 4)
        rows.append(row)
        if missed.empty:
            if note is not None:
                note(f"round {round_number}: every target met at every hour")
            break
        worst = missed.sort_values("miss", ascending=False).iloc[0]
        key, target = int(worst["key"]), by_text[str(worst["target"])]
        when = key_label("hour_of_week", key)
        row.update(worst_hour=when, worst_target=str(target),
                   worst_mean=round(float(worst["mean"]), 4))
        if round_number == max_rounds:
            still = _misses(missed, f"--max-rounds {max_rounds} reached")
            break
        added = _add_cheapest(roster, catalogue, _serving(scenario, roster, target.line), key)
        if added is None:
            where = (f"pool {target.line} (or it is not in the roster)" if target.of_pool
                     else f"the pools answering {target.line}")
            still = _misses(missed, f"no shift of the catalogue can add a person at {when} in "
                            f"{where} (none is on duty then, or max_heads is reached)")
            break
        row.update(added_pool=added[0], added_shift=added[1])
        if note is not None:
            note(f"round {round_number}: {missing} hour{'s miss' if missing != 1 else ' misses'}"
                 f" a target; worst "
                 f"{target} at {when} ({float(worst['mean']):.4g}): added one on "
                 f"{added[1]} ({added[0]})")
    columns = ["round", "heads", "cost_per_week", "hours_missed", "worst_hour", "worst_target",
               "worst_mean", "added_pool", "added_shift"]
    columns += [f"{text} (worst hour)" for text in by_text]
    columns += [f"{text} (share of days)" for text, target in by_text.items()
                if target.share_of_days is not None]
    return Verified(roster, pd.DataFrame(rows, columns=columns), kpis, still)


def _misses(missed: pd.DataFrame, why: str) -> list[str]:
    """The hours still missing a target, worst first, and why the loop stopped."""
    ordered = missed.sort_values("miss", ascending=False)
    out = [f"{row.target} at {key_label('hour_of_week', int(row.key))}: {row.mean:.4g}"
           for row in ordered.head(SHOWN_MISSES).itertuples()]
    if len(ordered) > SHOWN_MISSES:
        out.append(f"… and {len(ordered) - SHOWN_MISSES} more")
    out.append(f"stopped: {why}")
    return out
