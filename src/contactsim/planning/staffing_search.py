"""Staffing search: the fewest operators per pool per interval that meet every service target.

A planner states targets per line (``"999: service_level >= 0.90"``, ``"101: asa_s <= 120"``).
The search works in rostered operators, one level per pool per key —
the hour of the week by default, the hour of the day, or one level for the whole horizon:

1. **Erlang A start.** For each line and key, the smallest n that Erlang A (Erlang C for a line
   whose callers never hang up) says meets the line's targets at the key's mean arrival rate,
   mean handle time and mean patience; each line's n is shared among the pools that serve it
   in proportion to their current staffing at that key (equally if none is rostered).
2. **Refinement by simulation**, every evaluation with the same seed (common random numbers),
   so that a change in staffing, not a change in callers, moves the KPIs. Priority, multi-skill
   and callbacks are in the simulation, not in Erlang A. Each round
   (:mod:`~contactsim.planning.staffing_rounds`) simulates the levels and, at once: where a
   target is missed (the mean across replications on the wrong side), operators taken off
   that key in the last round go back (kept, if it was one), or operators are added to the
   pool serving the line with the most operators there below ``max_operators`` (specialists
   first on a tie) and kept; where every target is met, operators are taken off the key's
   largest pools not kept. How many at a time comes from Erlang's curve at the key corrected
   by the simulation (:mod:`~contactsim.planning.staffing_steps`): as many as the simulated
   value's distance from the target along the curve says the key needs or can spare — so the
   hours where the simulation and Erlang agree move by Erlang's step, and only where they
   disagree does the simulation's own reading decide — at least one, at most
   :data:`~contactsim.planning.staffing_steps.MAX_STEP`, and one at a time at a key that has
   already missed after giving operators up. The search ends with a round that meets every
   target and can take nobody off: every operator still taken off had its key miss a target
   when it went. That is a local answer, not a proven minimum: two lines short at the same key
   may each get an operator where one would do, and a key that missed only because its
   neighbour lost an operator in the same round keeps its own.
3. **Screen, then confirm.** The rounds first run at ``screen_reps`` replications (half of
   ``reps`` by default), until no operator can be taken off. From the screened levels the
   rounds run again at ``reps`` replications, every key tried again one operator at a time
   (operators are still added as many as a key needs): the answer meets every
   target at ``reps`` (the same replications' callers, the screening's among them: common
   random numbers throughout) and no operator can be taken off it there.

An **occupancy cap** on a pool (``"blended: occupancy <= 0.85"``) is judged like the others,
on the pool's busy time over its time on the phones at that key (sums over the key's intervals,
never a mean of hourly occupancies); Erlang A starts the pool at its share of its lines' load ÷
the cap, a missed cap adds an operator to that pool at that key, and an operator taken off whose
key then breaks the cap goes back. A cap can only be met by adding people. A service level at
a further threshold (``"999: service_level@15 >= 0.90"``) is counted by the simulation from
the start (the line's ``also_within_s``) and judged like ``service_level``.

A target **on a share of days** (``"999: service_level >= 0.90 on 95% of days"``) is judged on
the days instead: met when that share of days (every whole day of every replication) meets it
on the day's own figures; where it is not, the keys that drive the missed days — the hours
holding most of the calls short on them — count as missing it, and get the operators (see
:mod:`~contactsim.planning.daily_targets`).

A target is judged at each key on the mean over the replications (and over the weeks or days
that key recurs in); with a ``confidence`` (``--confidence 0.95``), on the whole Student-t
interval at that confidence instead: a key meets the target only where the interval lies on
the target's side (at or above a service-level target, at or below an ASA or abandonment one):
a stricter test than the mean, which the mean always passes when the interval does, so the
search keeps more operators where the replications disagree. Pools that serve no line with a
target keep their current staffing.
Every evaluation simulates the rostered levels with the pool's shrinkage as absence (see
:mod:`~contactsim.build.absence`): the staffing found meets the targets with the days on which
some of
the rostered are absent, not only with the average number on the phones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, SERVICE_LEVEL
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.planning.service_targets import ServiceTarget
from contactsim.planning.staffing_judging import evaluate
from contactsim.planning.staffing_levels import (
    GROUPINGS,
    current_levels,
    erlang_start,
    untargeted_pools,
)
from contactsim.planning.staffing_rounds import Rounds
from contactsim.runs.defaults import DEFAULT_SEED
from contactsim.runs.executors import Executor, given_or_own

__all__ = ["StaffingResult", "evaluate", "search_staffing"]

#: the line KPIs a staffing target may name: those Erlang A gives
ERLANG_KPIS = frozenset({SERVICE_LEVEL, ASA_S, ABANDON_RATE})


@dataclass
class StaffingResult:
    """What the search found: operators rostered per pool per key, the KPIs there."""

    grouping: str
    levels: dict[str, np.ndarray]  # pool -> operators rostered at each key
    erlang_start: dict[str, np.ndarray]
    current: dict[str, np.ndarray]  # pool -> mean operators rostered now, at each key
    kpis: pd.DataFrame  # line, kpi, key, target, mean, ci_low, ci_high, met
    evaluations: list[tuple[dict[str, np.ndarray], pd.DataFrame]] = field(default_factory=list)
    #: False if the rounds ran out before no operator could be taken off (levels then met every
    #: target but may not be the fewest)
    converged: bool = True
    #: the confidence a target was met with at every key (None: met by the mean; the intervals
    #: in ``kpis`` are then 95%)
    confidence: float | None = None


ProgressNote = Callable[[str], None]


def search_staffing(
    scenario: Scenario,
    targets: list[ServiceTarget],
    grouping: str = "hour_of_week",
    reps: int = 4,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    max_operators: int = 200,
    max_rounds: int = 40,
    note: ProgressNote | None = None,
    confidence: float | None = None,
    executor: Executor | None = None,
    screen_reps: int | None = None,
) -> StaffingResult:
    """Find the fewest operators per pool per key meeting every target (see the module); with
    a ``confidence`` (e.g. 0.95), meeting it with the whole interval at that confidence.
    Candidates are screened at ``screen_reps`` replications (default: half of ``reps``, at
    least 2 unless ``reps`` is 1) and the answer searched again from there at ``reps``.

    Every evaluation runs on ``executor`` if given (its owner opens and closes it), else on
    ``workers`` local processes started once for the whole search."""
    if not targets:
        raise ContactsimError("give at least one --target")
    for target in targets:  # Erlang A starts the search: it models these KPIs alone
        if not (target.of_pool or target.within_s is not None or target.kpi in ERLANG_KPIS):
            raise ContactsimError(
                f"--target {str(target)!r}: staff sizes for {', '.join(sorted(ERLANG_KPIS))}, "
                f"service_level@SECONDS or a pool's occupancy, not {target.kpi}")
    if confidence is not None and not 0 < confidence < 1:
        raise ContactsimError(f"--confidence {confidence:g}: expected a level between 0 and 1, "
                              "e.g. 0.95")
    if grouping != "all" and 60 % scenario.horizon.interval_minutes:
        raise ContactsimError(
            f"--by {grouping} needs reporting intervals that divide an hour; the scenario's are "
            f"{scenario.horizon.interval_minutes} minutes (set horizon.interval_minutes to 60, "
            "or use --by all)"
        )
    screen = min(reps, max(2, reps // 2)) if screen_reps is None else min(screen_reps, reps)
    with given_or_own(executor, workers) as runner:
        return _search(scenario, targets, grouping, reps, seed, max_operators, max_rounds,
                       note, confidence, runner, screen)


def _search(
    scenario: Scenario, targets: list[ServiceTarget], grouping: str, reps: int, seed: int,
    max_operators: int, max_rounds: int, note: ProgressNote | None, confidence: float | None,
    executor: Executor, screen_reps: int,
) -> StaffingResult:
    """The rounds of :func:`search_staffing`, every evaluation on ``executor``: screening at
    ``screen_reps`` replications, then (if fewer than ``reps``) the search again from the
    screened levels at ``reps``."""
    keys = range(GROUPINGS[grouping][1])
    start = erlang_start(scenario, targets, grouping, max_operators)
    # (pool, key) levels that must not fall again; pools serving no targeted line stay as they are
    untargeted = {(pool.name, key) for pool in untargeted_pools(scenario, targets) for key in keys}
    history: list[tuple[dict[str, np.ndarray], pd.DataFrame]] = []
    search = Rounds(scenario, targets, grouping, seed, max_operators, max_rounds, note,
                    confidence, executor, history)
    with tempfile.TemporaryDirectory(prefix="contactsim-staff-") as folder:
        levels = {name: counts.copy() for name, counts in start.items()}
        kept = set(untargeted)  # grows with every operator found needed
        if screen_reps < reps:
            levels, _, _ = search.run(levels, kept, screen_reps, Path(folder), big_steps=True,
                                      phase=f"screening, {screen_reps} reps", screening=True)
            levels = {name: counts.copy() for name, counts in levels.items()}
            kept = set(untargeted)  # every key tried again at the full replications
        best_levels, best_kpis, converged = search.run(
            levels, kept, reps, Path(folder), big_steps=screen_reps >= reps,
            phase=f"confirming, {reps} reps" if screen_reps < reps else "")
    current = {pool.name: current_levels(scenario, pool, grouping) for pool in scenario.pools}
    return StaffingResult(grouping, best_levels, start, current, best_kpis, history, converged,
                          confidence)
