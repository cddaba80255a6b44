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

import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.analysis import erlang
from contactsim.analysis.periods import by_hour_of_week, period_kpis, summarise_by
from contactsim.analysis.stats import kpi_interval
from contactsim.build import demand, staffing
from contactsim.build import sampling as distributions
from contactsim.config.scenario import Pool, Scenario, Staffing
from contactsim.data.files import child, safe_components
from contactsim.errors import ContactsimError
from contactsim.runs.experiment import run_scenario

__all__ = [
    "GROUPINGS", "ServiceTarget", "StaffingResult", "parse_target", "search_staffing",
]

#: KPIs a service target may name, and whether a larger value is better
TARGET_KPIS = {"service_level": True, "asa_s": False, "abandon_rate": False}


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

_TARGET = re.compile(
    r"^\s*(?P<line>[^:\s]+)\s*:\s*(?P<kpi>\w+)\s*(?P<op><=|>=)\s*(?P<value>\S+)\s*$"
)


@dataclass(frozen=True)
class ServiceTarget:
    """``line: kpi >= value`` (service level) or ``line: kpi <= value`` (ASA, abandon rate)."""

    line: str
    kpi: str
    at_least: bool
    value: float

    def met_by(self, simulated: float, offered: float = 0.0) -> bool:
        """Whether a simulated value meets the target. A value that cannot be computed (NaN)
        meets it only where no call was ``offered``: calls that all abandoned or took a
        callback, leaving no answered call to time, miss an ASA target."""
        if math.isnan(simulated):
            return offered == 0
        return simulated >= self.value if self.at_least else simulated <= self.value

    def certainly_met_by(self, mean: float, low: float, high: float, offered: float = 0.0
                         ) -> bool:
        """Whether an interval ``[low, high]`` around the simulated ``mean`` lies wholly on the
        target's side: its low end at or above a target of at least, its high end at or below
        a target of at most. Without an interval (fewer than two replications measured the
        KPI there) the mean decides, as in :meth:`met_by`."""
        if math.isnan(low) or math.isnan(high):
            return self.met_by(mean, offered)
        return low >= self.value if self.at_least else high <= self.value

    def __str__(self) -> str:
        return f"{self.line}: {self.kpi} {'>=' if self.at_least else '<='} {self.value:g}"


def parse_target(text: str, scenario: Scenario) -> ServiceTarget:
    """Read ``"999: service_level >= 0.90"``; raise ContactsimError naming what is wrong."""
    match = _TARGET.match(text)
    if match is None:
        raise ContactsimError(
            f"--target {text!r}: expected LINE: KPI >= VALUE or LINE: KPI <= VALUE, e.g. "
            "'999: service_level >= 0.90' or '101: asa_s <= 120'"
        )
    line, kpi, op = match["line"].strip("\"'"), match["kpi"], match["op"]
    if line not in scenario.lines:
        raise ContactsimError(
            f"--target {text!r}: line {line!r} is not in the scenario "
            f"(it has {list(scenario.lines)})"
        )
    if kpi not in TARGET_KPIS:
        raise ContactsimError(
            f"--target {text!r}: KPI {kpi!r}; expected one of {list(TARGET_KPIS)}"
        )
    if (op == ">=") != TARGET_KPIS[kpi]:
        better = "at least (>=)" if TARGET_KPIS[kpi] else "at most (<=)"
        raise ContactsimError(f"--target {text!r}: {kpi} is a target of {better}")
    try:
        value = float(match["value"])
    except ValueError:
        raise ContactsimError(f"--target {text!r}: {match['value']!r} is not a number") from None
    shares = kpi in ("service_level", "abandon_rate")
    if not math.isfinite(value) or value <= 0 or (shares and value >= 1):
        expected = "a share strictly between 0 and 1" if shares else "a positive number of seconds"
        raise ContactsimError(f"--target {text!r}: got {value:g}; expected {expected}")
    return ServiceTarget(line, kpi, op == ">=", value)


# --- the Erlang A start ------------------------------------------------------------------------


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
        rates = demand.rates_per_hour(spec, horizon)
    first = round(horizon.warmup_s / horizon.interval_s)
    keys = key_of(starts).to_numpy()[first:]
    measured = np.asarray(rates, dtype=float)[first:] * (1.0 - spec.online_shift)
    totals = np.bincount(keys, weights=measured, minlength=n_keys)
    hours = np.bincount(keys, minlength=n_keys)
    return np.divide(totals, hours, out=np.zeros(n_keys), where=hours > 0)


def erlang_need(
    targets: list[ServiceTarget], rate_per_hour: float, handle_s: float,
    patience_s: float | None, service_level_s: float, max_operators: int,
) -> int | None:
    """The smallest n meeting every target of one line at one rate (None: none up to the cap)."""
    if rate_per_hour <= 0:
        return 0

    def measures(n: int) -> erlang.QueueMeasures | None:
        if patience_s is None:
            if rate_per_hour * handle_s / 3600.0 >= n:
                return None  # Erlang C: the queue grows without end
            return erlang.erlang_c(rate_per_hour, handle_s, n, service_level_s)
        return erlang.erlang_a(rate_per_hour, handle_s, patience_s, n, service_level_s)

    def meets(n: int) -> bool:
        q = measures(n)
        if q is None:
            return False
        values = {"service_level": q.service_level, "asa_s": q.asa_s, "abandon_rate": q.p_abandon}
        return all(t.met_by(values[t.kpi]) for t in targets)

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


# --- the search --------------------------------------------------------------------------------


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
    as rostered operators (the need ÷ (1 − shrinkage), rounded up)."""
    _, n_keys = GROUPINGS[grouping]
    current = {pool.name: current_levels(scenario, pool, grouping) for pool in scenario.pools}
    levels = {pool.name: np.zeros(n_keys, dtype=np.int64) for pool in scenario.pools}
    for line in scenario.lines:
        line_targets = [t for t in targets if t.line == line]
        if not line_targets:
            continue
        handling = scenario.handling[line]
        handle_s = distributions.mean_s(handling.handle_time)
        patience_s = distributions.mean_s(handling.patience) if handling.patience else None
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
    return levels


def untargeted_pools(scenario: Scenario, targets: list[ServiceTarget]) -> list[Pool]:
    """Pools serving no line with a target: the search leaves them at their current staffing."""
    lines = {target.line for target in targets}
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


def _summarise_at(intervals: pd.DataFrame, line: str, kpi: str,
                  key_of: Callable[[pd.Series], pd.Series], confidence: float) -> pd.DataFrame:
    """As :func:`contactsim.analysis.periods.summarise_by`, with the interval at ``confidence``."""
    rows = intervals[intervals["line"] == line]
    table = period_kpis(rows, key_of(rows["interval_start"]))
    summary = [(key, *kpi_interval(group[kpi].to_numpy(dtype=float), kpi, confidence))
               for key, group in table.groupby("period", sort=True)]
    return pd.DataFrame(summary, columns=["key", "mean", "ci_low", "ci_high"])


def evaluate(
    scenario: Scenario, targets: list[ServiceTarget], grouping: str, reps: int, seed: int,
    workers: int, confidence: float | None = None,
) -> pd.DataFrame:
    """Simulate and judge every target at every key: line, kpi, key, target, mean, CI, met,
    certain. The interval is at ``confidence`` (95% if None); ``certain`` says whether it lies
    wholly on the target's side. ``met`` is judged on the mean, or with a ``confidence`` on the
    interval (met = certain)."""
    results = run_scenario(scenario, reps, seed, workers)
    key_of, _ = GROUPINGS[grouping]
    frames = []
    for target in targets:
        if confidence is None:
            table = summarise_by(results.intervals, target.line, target.kpi, key_of)
        else:
            table = _summarise_at(results.intervals, target.line, target.kpi, key_of, confidence)
        offered = summarise_by(results.intervals, target.line, "offered", key_of)
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
    one with fewest skills); None if every one is at the cap."""
    serving = [pool for pool in scenario.pools
               if line in pool.skills and levels[pool.name][key] < max_operators]
    if not serving:
        return None
    return max(serving, key=lambda p: (levels[p.name][key], -len(p.skills))).name


def search_staffing(
    scenario: Scenario,
    targets: list[ServiceTarget],
    grouping: str = "hour_of_week",
    reps: int = 4,
    seed: int = 2018,
    workers: int = 1,
    max_operators: int = 200,
    max_rounds: int = 40,
    note: ProgressNote | None = None,
    confidence: float | None = None,
) -> StaffingResult:
    """Find the fewest operators per pool per key meeting every target (see the module); with
    a ``confidence`` (e.g. 0.95), meeting it with the whole interval at that confidence."""
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
    keys = range(GROUPINGS[grouping][1])
    start = erlang_start(scenario, targets, grouping, max_operators)
    levels = {name: counts.copy() for name, counts in start.items()}
    # (pool, key) levels that must not fall again; pools serving no targeted line stay as they are
    kept: set[tuple[str, int]] = {
        (pool.name, key) for pool in untargeted_pools(scenario, targets) for key in keys
    }
    taken: list[tuple[str, int]] = []  # operators taken off in the last round
    best: tuple[dict[str, np.ndarray], pd.DataFrame] | None = None
    history = []
    seen: dict[bytes, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory(prefix="contactsim-staff-") as folder:
        for round_number in range(1, max_rounds + 1):
            signature = b"".join(levels[pool.name].tobytes() for pool in scenario.pools)
            if signature not in seen:  # the same levels with the same seed: the same KPIs
                candidate = staffed_scenario(scenario, levels, grouping, Path(folder),
                                             f"{round_number}")
                seen[signature] = evaluate(candidate, targets, grouping, reps, seed, workers,
                                           confidence)
            kpis = seen[signature]
            history.append(({n: c.copy() for n, c in levels.items()}, kpis))
            missed = kpis[~kpis["met"]]
            short_keys = sorted(set(missed["key"]))
            if note is not None:
                note(_round_note(round_number, grouping, len(short_keys), len(keys), levels))
            if not short_keys:
                best = ({n: c.copy() for n, c in levels.items()}, kpis)
                taken = _take_one_off(scenario, levels, kept, keys)
                if not taken:
                    break
                continue
            capped: list[str] = []
            for key in short_keys:
                back = [(p, k) for p, k in taken if k == key]
                if back:  # the operators just taken off this key go back, for good
                    for pool_name, _ in back:
                        levels[pool_name][key] += 1
                        kept.add((pool_name, key))
                    continue
                for line in sorted(set(missed[missed["key"] == key]["line"])):
                    adding = _pool_to_add(scenario, levels, line, key, max_operators)
                    if adding is None:
                        capped.append(f"{line} at {key_label(grouping, key)}")
                        continue
                    levels[adding][key] += 1
                    kept.add((adding, key))
            taken = []
            if capped:
                raise ContactsimError(
                    f"targets not met with up to {max_operators} operators per pool: "
                    f"{', '.join(capped[:6])}{' …' if len(capped) > 6 else ''}; raise "
                    "--max-operators or relax the targets"
                )
        else:
            if best is None:
                raise ContactsimError(
                    f"no staffing meeting every target found in {max_rounds} rounds; "
                    "raise --max-rounds"
                )
            taken = taken or [("", -1)]  # ran out of rounds while still taking operators off
    assert best is not None
    converged = not taken
    current = {pool.name: current_levels(scenario, pool, grouping) for pool in scenario.pools}
    return StaffingResult(grouping, best[0], start, current, best[1], history, converged,
                          confidence)


def _take_one_off(
    scenario: Scenario, levels: dict[str, np.ndarray], kept: set[tuple[str, int]], keys: range
) -> list[tuple[str, int]]:
    """Take one operator off each key, from its largest pool not kept; what was taken."""
    taken = []
    for key in keys:
        pools = [p for p in scenario.pools if levels[p.name][key] > 0 and (p.name, key) not in kept]
        if not pools:
            continue
        pool = max(pools, key=lambda p: (levels[p.name][key], len(p.skills)))
        levels[pool.name][key] -= 1
        taken.append((pool.name, key))
    return taken


def rostered_for(on_phones: int, shrinkage: float) -> int:
    """The fewest rostered operators whose expected number on the phones (rostered × (1 −
    shrinkage): see :mod:`contactsim.build.absence`) is at least ``on_phones``."""
    if on_phones <= 0:
        return 0
    return math.ceil(round(on_phones / (1.0 - shrinkage), 9))


# --- what the search writes --------------------------------------------------------------------

STAFFING_FOLDER = "staffing"


def required_table(result: StaffingResult, scenario: Scenario) -> pd.DataFrame:
    """Per pool and key: operators required and now, rostered and (expected) on the phones."""
    rows = []
    for pool in scenario.pools:
        shrinkage = scenario.pool_shrinkage(pool)
        for key, required in enumerate(result.levels[pool.name]):
            current = float(result.current[pool.name][key])
            rows.append({
                "pool": pool.name, "key": key, "when": key_label(result.grouping, key),
                "required_rostered": int(required),
                "required_on_phones": round(int(required) * (1.0 - shrinkage), 2),
                "current_rostered": round(current, 2),
                "current_on_phones": round(current * (1.0 - shrinkage), 2),
                "erlang_start_rostered": int(result.erlang_start[pool.name][key]),
            })
    return pd.DataFrame(rows)


def write_staffing(
    result: StaffingResult, scenario: Scenario, folder: Path, seed: int
) -> list[Path]:
    """Write the search's answer into ``folder``: ``staffing/<pool>.csv`` (rostered operators by
    hour of week, usable as ``per_interval`` staffing), ``required.csv``, ``kpis.csv`` and
    ``staffed.yaml``: the scenario searched (``--set`` overrides included, resolved whole, with
    the seed), on the staffing found."""
    from contactsim.config.loader import dump_resolved
    from contactsim.output.results import portable_resolved

    written = []
    table = required_table(result, scenario)
    (folder / STAFFING_FOLDER).mkdir()
    pools = []
    files = safe_components((pool.name for pool in scenario.pools), "pool name")
    for pool in scenario.pools:
        rows = table[table["pool"] == pool.name]
        path = child(folder / STAFFING_FOLDER, files[pool.name], "pool name", ".csv")
        write_hour_of_week(path, np.resize(rows["required_rostered"].to_numpy(),
                                           staffing.HOURS_PER_WEEK))
        written.append(path)
        # a path relative to staffed.yaml, so that the folder can be moved whole
        plan = Staffing(per_interval=f"{STAFFING_FOLDER}/{path.name}")
        pools.append(pool.model_copy(update={"staffing": plan}))
    table.to_csv(folder / "required.csv", index=False)
    kpis = result.kpis.assign(when=[key_label(result.grouping, k) for k in result.kpis["key"]])
    kpis.to_csv(folder / "kpis.csv", index=False)
    targets = ", ".join(sorted(set(result.kpis["target"])))
    staffed = scenario.model_copy(update={
        "name": f"{scenario.name}-staffed",
        "description": f"{scenario.name} on the staffing found by contactsim staff ({targets}).",
        "pools": tuple(pools),
    })
    header = (
        "# Written by contactsim staff: the scenario searched, on the staffing it found\n"
        "# (rostered operators by hour of week in staffing/, shrinkage as in the scenario).\n"
    )
    # profiles and other inputs copied into inputs/, so that the folder reruns when moved
    portable, _ = portable_resolved(dump_resolved(staffed, seed), folder, folder)
    (folder / "staffed.yaml").write_text(header + portable, encoding="utf-8")
    written += [folder / "required.csv", folder / "kpis.csv", folder / "staffed.yaml"]
    return written
