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
   and callbacks are in the simulation, not in Erlang A. Each round: where a target is missed
   (the mean across replications on the wrong side), one operator is added at that key to the
   pool serving the line with the most operators there below ``max_operators`` (specialists
   first on a tie); when every target is met, one operator is taken off at each key from its
   largest pool, and taken-off operators whose key then misses are put back and kept. The
   search ends when no operator can be taken off: every operator still taken off had its key
   miss a target when it went. That is a local answer, not a proven minimum: two lines short at
   the same key may each get an operator where one would do, and a key that missed only because
   its neighbour lost an operator in the same round keeps its own.
3. **Screen, then confirm.** The rounds first run at ``screen_reps`` replications (half of
   ``reps`` by default), where a key that met after giving up operators gives up twice as many
   the next time (1, 2, 4, up to :data:`MAX_STEP`; one that then misses gets them back and
   goes on one at a time), so a key far above its need gets there in a few rounds, not one
   operator a round. From the screened levels the rounds run again at ``reps`` replications,
   one operator at a time: the answer meets every target at ``reps`` (the same replications'
   callers, the screening's among them: common random numbers throughout) and no operator can
   be taken off it there.

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

from contactsim.analysis.kpi_names import OFFERED
from contactsim.analysis.periods import pool_summaries_by, summaries_by
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.planning.daily_targets import judge_on_days
from contactsim.planning.service_targets import ServiceTarget, measured_at_targets
from contactsim.planning.staffing_levels import (
    GROUPINGS,
    current_levels,
    erlang_start,
    key_label,
    staffed_scenario,
    untargeted_pools,
)
from contactsim.runs.defaults import DEFAULT_SEED
from contactsim.runs.executors import Executor, given_or_own
from contactsim.runs.experiment import run_scenario

__all__ = ["StaffingResult", "evaluate", "search_staffing"]


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


def _round_note(
    round_number: int, grouping: str, short: int, n_keys: int, levels: dict[str, np.ndarray]
) -> str:
    total = sum(int(counts.sum()) for counts in levels.values())
    if grouping == "all":
        state = "a target missed" if short else "every target met"
        return f"round {round_number}: {total} operators: {state}"
    per = "week" if grouping == "hour_of_week" else "day"
    return (f"round {round_number}: {total:,} operator-hours a {per}; "
            f"{short} of {n_keys} hours short of a target")


def _pool_to_add(
    scenario: Scenario, levels: dict[str, np.ndarray], line: str, key: int, max_operators: int
) -> str | None:
    """The pool serving ``line`` with most operators at ``key`` below the cap (on a tie, the
    one with fewest skills); ``line`` itself if it names a pool (an occupancy cap missed); None
    if every one is at the cap."""
    serving = [pool for pool in scenario.pools
               if (line in pool.skills or pool.name == line)
               and levels[pool.name][key] < max_operators]
    if not serving:
        return None
    return max(serving, key=lambda p: (levels[p.name][key], -len(p.skills))).name


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
    search = _Rounds(scenario, targets, grouping, seed, max_operators, max_rounds, note,
                     confidence, executor, history)
    with tempfile.TemporaryDirectory(prefix="contactsim-staff-") as folder:
        levels = {name: counts.copy() for name, counts in start.items()}
        if screen_reps < reps:
            levels, _, _ = search.run(levels, set(untargeted), screen_reps, Path(folder),
                                      doubling=True, phase=f"screening, {screen_reps} reps")
            levels = {name: counts.copy() for name, counts in levels.items()}
        best_levels, best_kpis, converged = search.run(
            levels, set(untargeted), reps, Path(folder), doubling=screen_reps >= reps,
            phase=f"confirming, {reps} reps" if screen_reps < reps else "")
    current = {pool.name: current_levels(scenario, pool, grouping) for pool in scenario.pools}
    return StaffingResult(grouping, best_levels, start, current, best_kpis, history, converged,
                          confidence)


#: The most operators a round takes off one key (doubling from one while it keeps meeting).
MAX_STEP = 8


@dataclass
class _Rounds:
    """The search's rounds at one number of replications (see the module)."""

    scenario: Scenario
    targets: list[ServiceTarget]
    grouping: str
    seed: int
    max_operators: int
    max_rounds: int
    note: ProgressNote | None
    confidence: float | None
    executor: Executor
    history: list[tuple[dict[str, np.ndarray], pd.DataFrame]]

    def run(self, levels: dict[str, np.ndarray], kept: set[tuple[str, int]], reps: int,
            folder: Path, doubling: bool, phase: str
            ) -> tuple[dict[str, np.ndarray], pd.DataFrame, bool]:
        """Rounds from ``levels`` until no operator can be taken off (or the rounds run out):
        the fewest levels met, their KPIs, and whether the search ended by itself. With
        ``doubling``, a key that met after operators were taken off gives up twice as many
        the next time (up to :data:`MAX_STEP`), and one that then misses gets them back and
        tries one at a time."""
        scenario, grouping = self.scenario, self.grouping
        keys = range(GROUPINGS[grouping][1])
        step = dict.fromkeys(keys, 1)
        taken: list[tuple[str, int]] = []  # operators taken off in the last round
        best: tuple[dict[str, np.ndarray], pd.DataFrame] | None = None
        seen: dict[bytes, pd.DataFrame] = {}
        for round_number in range(1, self.max_rounds + 1):
            signature = b"".join(levels[pool.name].tobytes() for pool in scenario.pools)
            if signature not in seen:  # the same levels with the same seed: the same KPIs
                candidate = staffed_scenario(scenario, levels, grouping, folder,
                                             f"{reps}-{round_number}")
                seen[signature] = evaluate(candidate, self.targets, grouping, reps, self.seed,
                                           self.executor, self.confidence)
            kpis = seen[signature]
            self.history.append(({n: c.copy() for n, c in levels.items()}, kpis))
            missed = kpis[~kpis["met"]]
            short_keys = sorted(set(missed["key"]))
            if self.note is not None:
                text = _round_note(round_number, grouping, len(short_keys), len(keys), levels)
                self.note(f"{text} ({phase})" if phase else text)
            if not short_keys:
                best = ({n: c.copy() for n, c in levels.items()}, kpis)
                if doubling:
                    for key in {k for _, k in taken}:
                        step[key] = min(step[key] * 2, MAX_STEP)
                taken = _take_off(scenario, levels, kept, keys, step)
                if not taken:
                    return best[0], best[1], True
                continue
            self._mend(levels, kept, taken, missed, short_keys, step)
            taken = []
        if best is None:
            raise ContactsimError(
                f"no staffing meeting every target found in {self.max_rounds} rounds; "
                "raise --max-rounds")
        return best[0], best[1], False  # ran out of rounds while still taking operators off

    def _mend(self, levels: dict[str, np.ndarray], kept: set[tuple[str, int]],
              taken: list[tuple[str, int]], missed: pd.DataFrame, short_keys: list[int],
              step: dict[int, int]) -> None:
        """Put back what was just taken off a key that now misses (for good if it was one
        operator; else try one at a time), and add one operator where a key misses anyway."""
        capped: list[str] = []
        for key in short_keys:
            back = [(p, k) for p, k in taken if k == key]
            if back:
                for pool_name, _ in back:
                    levels[pool_name][key] += 1
                    if len(back) == 1:
                        kept.add((pool_name, key))
                step[key] = 1
                continue
            for line in sorted(set(missed[missed["key"] == key]["line"])):
                adding = _pool_to_add(self.scenario, levels, line, key, self.max_operators)
                if adding is None:
                    capped.append(f"{line} at {key_label(self.grouping, key)}")
                    continue
                levels[adding][key] += 1
                kept.add((adding, key))
        if capped:
            raise ContactsimError(
                f"targets not met with up to {self.max_operators} operators per pool: "
                f"{', '.join(capped[:6])}{' …' if len(capped) > 6 else ''}; raise "
                "--max-operators or relax the targets"
            )


def _take_off(
    scenario: Scenario, levels: dict[str, np.ndarray], kept: set[tuple[str, int]], keys: range,
    step: dict[int, int],
) -> list[tuple[str, int]]:
    """Take ``step[key]`` operators off each key, one at a time from its largest pool not
    kept; what was taken."""
    taken = []
    for key in keys:
        for _ in range(step[key]):
            pools = [p for p in scenario.pools
                     if levels[p.name][key] > 0 and (p.name, key) not in kept]
            if not pools:
                break
            pool = max(pools, key=lambda p: (levels[p.name][key], len(p.skills)))
            levels[pool.name][key] -= 1
            taken.append((pool.name, key))
    return taken
