"""Staffing levels by key: how a week is cut into the hours a level is set for, the operators
rostered now at each, Erlang A's first answer, and a scenario rostered at given levels.

A *key* is one staffing level's slot: an hour of the week (168 keys), an hour of the day (24),
or the whole horizon (one). Levels count **rostered** operators; the number on the phones is
rostered × (1 − shrinkage) (see :mod:`contactsim.build.absence`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.analysis import erlang
from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, SERVICE_LEVEL
from contactsim.analysis.periods import by_hour_of_week
from contactsim.build import demand, sampling, staffing, surges
from contactsim.config.pools import Pool, Staffing
from contactsim.config.scenario import Scenario
from contactsim.data.files import child, safe_components
from contactsim.errors import ContactsimError
from contactsim.planning.service_targets import ServiceTarget

__all__ = [
    "GROUPINGS", "current_levels", "erlang_need", "erlang_start", "erlang_value", "key_label",
    "rates_by_key", "rostered_for", "staffed_scenario", "untargeted_pools", "write_hour_of_week",
]


def _by_hour_of_day(starts: pd.Series) -> pd.Series:
    return starts.dt.hour


def _whole_horizon(starts: pd.Series) -> pd.Series:
    return pd.Series(0, index=starts.index)


#: how intervals are grouped into staffing levels: name -> (interval starts -> key, keys)
GROUPINGS: dict[str, tuple[Callable[[pd.Series], pd.Series], int]] = {
    "hour_of_week": (by_hour_of_week, staffing.HOURS_PER_WEEK),
    "hour_of_day": (_by_hour_of_day, 24),
    "all": (_whole_horizon, 1),
}


def rates_by_key(scenario: Scenario, line: str, grouping: str) -> np.ndarray:
    """Mean callers an hour of ``line`` that queue (online shift taken off), for each key."""
    horizon = scenario.horizon
    spec = scenario.demand[line]
    key_of, n_keys = GROUPINGS[grouping]
    n_intervals = round(horizon.end_s / horizon.interval_s)
    starts = pd.Series(
        pd.Timestamp(horizon.start) + pd.to_timedelta(
            np.arange(n_intervals) * horizon.interval_s, unit="s"
        )
    )
    if spec.replay is not None:
        arrivals = demand.replayed_line(line, spec, horizon, np.random.default_rng(0)).arrival_s
        counts = np.bincount((arrivals // horizon.interval_s).astype(int), minlength=n_intervals)
        rates = counts[:n_intervals] * 3600.0 / horizon.interval_s
    else:
        rates = surges.line_rates(scenario, line)  # events in; busyness is a mean-1 factor
    first = round(horizon.warmup_s / horizon.interval_s)
    keys = key_of(starts).to_numpy()[first:]
    measured = np.asarray(rates, dtype=float)[first:] * (1.0 - spec.online_shift)
    totals = np.bincount(keys, weights=measured, minlength=n_keys)
    hours = np.bincount(keys, minlength=n_keys)
    return np.divide(totals, hours, out=np.zeros(n_keys), where=hours > 0)


def erlang_value(target: ServiceTarget, rate_per_hour: float, handle_s: float,
                 patience_s: float | None, service_level_s: float, agents: int) -> float:
    """The KPI ``target`` names (a service level at its own threshold, else at
    ``service_level_s``; ASA; abandon rate) by Erlang A with ``agents`` on the phones, or
    Erlang C for callers who never hang up; its worst value (a service level of 0, an endless
    ASA, everyone abandoning) with nobody on the phones, or where Erlang C's queue grows
    without end."""
    threshold_s = target.within_s if target.within_s is not None else service_level_s
    kpi = SERVICE_LEVEL if target.within_s is not None else target.kpi
    worst = {SERVICE_LEVEL: 0.0, ASA_S: math.inf, ABANDON_RATE: 1.0}
    if agents < 1 or (patience_s is None and rate_per_hour * handle_s / 3600.0 >= agents):
        return worst[kpi]
    q = (erlang.erlang_c(rate_per_hour, handle_s, agents, threshold_s) if patience_s is None
         else erlang.erlang_a(rate_per_hour, handle_s, patience_s, agents, threshold_s))
    return {SERVICE_LEVEL: q.service_level, ASA_S: q.asa_s, ABANDON_RATE: q.p_abandon}[kpi]


def erlang_need(
    targets: list[ServiceTarget], rate_per_hour: float, handle_s: float,
    patience_s: float | None, service_level_s: float, max_operators: int,
) -> int | None:
    """The smallest n meeting every target of one line at one rate (None: none up to the cap)."""
    if rate_per_hour <= 0:
        return 0

    def meets(n: int) -> bool:
        return all(t.met_by(erlang_value(t, rate_per_hour, handle_s, patience_s,
                                         service_level_s, n)) for t in targets)

    if not meets(max_operators):
        return None
    low, high = 0, max_operators  # meets(high); not known for low
    while high - low > 1:
        middle = (low + high) // 2
        if middle >= 1 and meets(middle):
            high = middle
        else:
            low = middle
    return high


def current_levels(scenario: Scenario, pool: Pool, grouping: str) -> np.ndarray:
    """Mean operators a pool has rostered at each key over the measured horizon (times its
    scale)."""
    times, people = staffing.rostered(pool.staffing, scenario.horizon)
    plan_times = np.asarray(times)
    plan_people = np.asarray(people)

    def at(time_s: float) -> float:
        return float(plan_people[np.searchsorted(plan_times, time_s, side="right") - 1])

    horizon = scenario.horizon
    key_of, n_keys = GROUPINGS[grouping]
    first = round(horizon.warmup_s / 3600.0)
    hours = np.arange(first, math.ceil(horizon.end_s / 3600.0))
    # the mean over each hour, read at every quarter (shifts start on the quarter hour or hour)
    on_phones = np.array(
        [np.mean([at(h * 3600.0 + q * 900.0) for q in range(4)]) for h in hours]
    )
    starts = pd.Series(pd.Timestamp(horizon.start) + pd.to_timedelta(hours, unit="h"))
    keys = key_of(starts).to_numpy()
    totals = np.bincount(keys, weights=on_phones, minlength=n_keys)
    counts = np.bincount(keys, minlength=n_keys)
    return np.divide(totals, counts, out=np.zeros(n_keys), where=counts > 0)


def erlang_start(
    scenario: Scenario, targets: list[ServiceTarget], grouping: str, max_operators: int
) -> dict[str, np.ndarray]:
    """Step 1: each line's Erlang A need on the phones, shared among the pools that serve it,
    as rostered operators (the need ÷ (1 − shrinkage), rounded up); a pool with an occupancy
    cap raised to enough people for the load it would carry under its cap."""
    _, n_keys = GROUPINGS[grouping]
    current = {pool.name: current_levels(scenario, pool, grouping) for pool in scenario.pools}
    levels = {pool.name: np.zeros(n_keys, dtype=np.int64) for pool in scenario.pools}
    for line in scenario.lines:
        line_targets = [t for t in targets if t.line == line and not t.of_pool]
        if not line_targets:
            continue
        handling = scenario.handling[line]
        handle_s = sampling.mean_s(handling.handle_time)
        patience_s = sampling.mean_s(handling.patience) if handling.patience else None
        rates = rates_by_key(scenario, line, grouping)
        serving = [pool for pool in scenario.pools if line in pool.skills]
        for key in range(n_keys):
            need = erlang_need(line_targets, float(rates[key]), handle_s, patience_s,
                               scenario.service_level_s(line), max_operators * len(serving))
            if need is None:
                raise ContactsimError(
                    f"{line_targets[0].line}: {', '.join(map(str, line_targets))} cannot be met "
                    f"at {key_label(grouping, key)} ({rates[key]:.0f} calls an hour) with up to "
                    f"{max_operators} operators, even by Erlang A; raise --max-operators or "
                    "relax the target"
                )
            weights = np.array([current[pool.name][key] for pool in serving])
            if weights.sum() <= 0:
                weights = np.ones(len(serving))
            shares = np.ceil(need * weights / weights.sum()).astype(np.int64)
            for pool, share in zip(serving, shares, strict=True):
                rostered = rostered_for(int(share), scenario.pool_shrinkage(pool))
                levels[pool.name][key] = min(max_operators, levels[pool.name][key] + rostered)
    for pool in untargeted_pools(scenario, targets):  # they keep what they have now
        levels[pool.name] = np.ceil(current[pool.name] - 1e-9).astype(np.int64)
    _raise_to_caps(scenario, targets, grouping, levels, max_operators)
    return levels


def _raise_to_caps(scenario: Scenario, targets: list[ServiceTarget], grouping: str,
                   levels: dict[str, np.ndarray], max_operators: int) -> None:
    """Pools with an occupancy cap: at least as many on the phones at each key as the load
    they would carry ÷ the cap. A pool's load is its share of each of its lines' offered
    load (calls an hour × mean handle time; its share by its operators on the phones among
    the pools serving the line, as ``levels`` stand): a first answer, which the simulation
    refines."""
    caps = {target.line: target.value for target in targets if target.of_pool}
    if not caps:
        return
    on_phones = {pool.name: levels[pool.name] * (1.0 - scenario.pool_shrinkage(pool))
                 for pool in scenario.pools}
    needed = {name: np.zeros(len(levels[name])) for name in caps}
    for line in scenario.lines:
        serving = [pool.name for pool in scenario.pools if line in pool.skills]
        if not caps.keys() & set(serving):
            continue
        load = (rates_by_key(scenario, line, grouping)
                * sampling.mean_s(scenario.handling[line].handle_time) / 3600.0)
        together = sum(on_phones[name] for name in serving)
        for name in caps.keys() & set(serving):
            share = np.divide(on_phones[name], together, out=np.full(len(load), 1 / len(serving)),
                              where=together > 0)
            needed[name] += load * share
    for pool in scenario.pools:
        if pool.name in caps:
            people = np.ceil(np.round(needed[pool.name] / caps[pool.name], 9)).astype(np.int64)
            rostered = np.array([rostered_for(int(n), scenario.pool_shrinkage(pool))
                                 for n in people], dtype=np.int64)
            levels[pool.name] = np.minimum(max_operators,
                                           np.maximum(levels[pool.name], rostered))


def untargeted_pools(scenario: Scenario, targets: list[ServiceTarget]) -> list[Pool]:
    """Pools serving no line with a target: the search leaves them at their current staffing
    (with an occupancy cap, raised where the cap needs it: never lowered)."""
    lines = {target.line for target in targets if not target.of_pool}
    return [pool for pool in scenario.pools if not lines & set(pool.skills)]


def key_label(grouping: str, key: int) -> str:
    """A key in words: 'Mon 08:00', '08:00' or 'the whole horizon'."""
    if grouping == "hour_of_week":
        return f"{staffing.DAY_NAMES[key // 24].capitalize()} {key % 24:02d}:00"
    if grouping == "hour_of_day":
        return f"{key:02d}:00"
    return "the whole horizon"


def staffed_scenario(
    scenario: Scenario, levels: dict[str, np.ndarray], grouping: str, folder: Path, tag: str
) -> Scenario:
    """The scenario with each pool rostered at ``levels`` (its shrinkage, as absence, kept)."""
    pools = []
    files = safe_components((pool.name for pool in scenario.pools), "pool name")
    for pool in scenario.pools:
        counts = levels[pool.name]
        if grouping == "all":
            plan = Staffing(flat=int(counts[0]))
        else:
            per_hour = np.resize(counts, staffing.HOURS_PER_WEEK)
            path = child(folder, f"{files[pool.name]}-{tag}", "pool name", ".csv")
            write_hour_of_week(path, per_hour)
            plan = Staffing(per_interval=str(path))
        pools.append(pool.model_copy(update={"staffing": plan}))
    return scenario.model_copy(update={"pools": tuple(pools)})


def write_hour_of_week(path: Path, operators: np.ndarray) -> None:
    """A per_interval staffing CSV: ``hour_of_week,operators`` (168 rows)."""
    frame = pd.DataFrame({"hour_of_week": np.arange(staffing.HOURS_PER_WEEK),
                          "operators": np.asarray(operators, dtype=np.int64)})
    frame.to_csv(path, index=False)


def rostered_for(on_phones: int, shrinkage: float) -> int:
    """The fewest rostered operators whose expected number on the phones (rostered × (1 −
    shrinkage): see :mod:`contactsim.build.absence`) is at least ``on_phones``."""
    if on_phones <= 0:
        return 0
    return math.ceil(round(on_phones / (1.0 - shrinkage), 9))
