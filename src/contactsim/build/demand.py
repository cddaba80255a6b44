"""Arrival sources: when callers ring, per line.

Synthetic demand is a piecewise-constant non-homogeneous Poisson process: a rate per
reporting interval, from a constant ``rate_per_hour`` or from an ``annual_volume`` shaped by a
profile (hour-of-week weights × month-of-year factors). Arrival times are made by inverting the
cumulative rate: a unit-rate Poisson stream is mapped through it, which is exact, needs no
rejection, and keeps the same callers in the same order when only the level of demand changes.

An arrival source is an iterator of arrival times in seconds from the horizon's start; the model
takes any such iterator, so replayed call logs plug in beside the synthetic ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

import numpy as np

from contactsim.config.horizon import Horizon
from contactsim.config.lines import LineDemand
from contactsim.data.calllog import CallLog, read_replay
from contactsim.data.demand_profiles import (
    HOURS_PER_WEEK,
    Profile,
    default_profile_path,
    read_profile,
)
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_CALLS_PER_REPLICATION, MAX_GROWTH

DAYS_PER_PROFILE_YEAR = 365
ARRIVAL_BLOCK = 4096


def interval_calendar(horizon: Horizon, n_intervals: int) -> tuple[np.ndarray, np.ndarray]:
    """Hour of week (0–167) and month (1–12) of the start of each interval."""
    first = np.datetime64(horizon.start, "m")
    starts = first + np.arange(n_intervals) * horizon.interval_minutes
    hours = (starts - first).astype("timedelta64[h]").astype(np.int64)
    hour_of_week = (horizon.start.weekday() * 24 + hours) % HOURS_PER_WEEK
    months = starts.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return hour_of_week, months


def rates_per_hour(line: LineDemand, horizon: Horizon) -> np.ndarray:
    """Expected callers per hour in each interval of the horizon, growth included.

    ``online_shift`` is not taken off here: those callers still arrive and are turned away
    before they queue, so that changing the share keeps every other caller the same.

    An ``annual_volume`` is the expected number of callers in the 365 days from the horizon's
    start, before growth: the profile's weights are scaled so that they add up to it.
    """
    n_intervals = round(horizon.end_s / horizon.interval_s)
    if line.rate_per_hour is not None:
        return np.full(n_intervals, line.rate_per_hour * line.growth)
    assert line.annual_volume is not None
    profile = read_profile(line.profile or default_profile_path())
    weights = _profile_weights(profile, horizon, n_intervals)
    year_hours = DAYS_PER_PROFILE_YEAR * 24
    hourly = Horizon(
        start=horizon.start, days=DAYS_PER_PROFILE_YEAR, interval_minutes=60, warmup_hours=0
    )
    year_weight = _profile_weights(profile, hourly, year_hours).sum()
    return weights * (line.annual_volume / year_weight) * line.growth


def _profile_weights(profile: Profile, horizon: Horizon, n_intervals: int) -> np.ndarray:
    hour_of_week, months = interval_calendar(horizon, n_intervals)
    return profile.hour_of_week[hour_of_week] * profile.month[months - 1]


def poisson_arrivals(
    rates_per_hour: np.ndarray,
    interval_s: float,
    rng: np.random.Generator,
    block: int = ARRIVAL_BLOCK,
) -> Iterator[float]:
    """Arrival times (s) of a Poisson process with a constant rate within each interval.

    The unit-rate stream is drawn ``block`` gaps at a time and mapped through the inverse of the
    cumulative rate; intervals with rate zero get no arrivals. The times are handed out from
    lists (``next`` on the result does not enter Python but once a block).
    """
    rates_per_s = np.asarray(rates_per_hour, dtype=float) / 3600.0
    if np.any(rates_per_s < 0) or not np.all(np.isfinite(rates_per_s)):
        raise ValueError("arrival rates must be finite and non-negative")
    return chain.from_iterable(_arrival_blocks(rates_per_s, interval_s, rng, block))


def _arrival_blocks(
    rates_per_s: np.ndarray, interval_s: float, rng: np.random.Generator, block: int
) -> Iterator[list[float]]:
    cumulative = np.concatenate(([0.0], np.cumsum(rates_per_s * interval_s)))
    total = cumulative[-1]
    position = 0.0
    first = 0  # the interval of the latest point so far: no later point lies before it
    while True:
        points = position + np.cumsum(rng.exponential(1.0, block))
        position = float(points[-1])
        points = points[points < total]
        if points.size:
            # each point's interval, searched for among the intervals the block spans (the
            # same as searching them all, since the points only grow)
            last = first + int(np.searchsorted(cumulative[first:], points[-1], side="right"))
            index = np.searchsorted(cumulative[first:last], points, side="right") - 1 + first
            first = int(index[-1])
            times = index * interval_s + (points - cumulative[index]) / rates_per_s[index]
            yield times.tolist()
        if position >= total:
            return


def expected_line_callers(line: str, spec: LineDemand, horizon: Horizon) -> float:
    """Expected callers of one line over the horizon, before any online shift."""
    if spec.replay is not None:
        unshifted = replayed_line(line, spec, horizon, np.random.default_rng(0)).arrival_s.size
        return float(unshifted)
    return float(rates_per_hour(spec, horizon).sum()) * horizon.interval_s / 3600.0


# --- replayed demand ---------------------------------------------------------------------------

#: Caller ids of replayed callers start here, clear of the ids the model gives new callers.
LOGGED_CALLER_ID_BASE = 1 << 40


@dataclass(frozen=True)
class ReplayedLine:
    """The arrivals of one line as replay makes them: seconds from the horizon's start, and
    per arrival the logged handle time and (caller id, call number) where the log has them."""

    arrival_s: np.ndarray
    handle_s: np.ndarray | None
    callers: np.ndarray | None
    attempts: np.ndarray | None


def check_replay(
    line: str, spec: LineDemand, horizon: Horizon, notices: list[str], redials: bool = False
) -> None:
    """Read a line's replay file and check it can be replayed over the horizon (``redials``:
    whether the scenario also has a redial rule for the line)."""
    assert spec.replay is not None
    replay = read_replay(spec.replay)
    notices.extend(getattr(replay, "notices", ()))
    if line not in replay.lines:
        raise ScenarioError.single(
            "line", line, f"calls of this line in the file (it has {sorted(replay.lines)})",
            spec.replay,
        )
    if spec.handle_times == "logged" and (
        not isinstance(replay, CallLog) or replay.lines[line].handle_s is None
    ):
        raise ScenarioError.single(
            "handle_times", "logged", "a call log with a handle_s column, or handle_times: "
            "scenario", spec.replay,
        )
    if redials and isinstance(replay, CallLog) and replay.lines[line].callers is not None:
        raise ScenarioError.single(
            "caller_id", "a log with caller ids and a redial rule",
            f"one source of repeat calls for line {line}: the log's caller_id column already "
            "holds its callers' redials; drop the redial rule for this line, or the column",
            spec.replay,
        )
    kept = replayed_line(line, spec, horizon, np.random.default_rng(0)).arrival_s.size
    if kept == 0:
        notices.append(f"{spec.replay}: no calls of line {line} fall inside the horizon")


def uses_logged_handle_times(line: str, spec: LineDemand) -> bool:
    """Whether a replayed line takes its handle times from the log: ``handle_times: logged``,
    or by default when the log has them."""
    if spec.replay is None or spec.handle_times == "scenario":
        return False
    replay = read_replay(spec.replay)
    return isinstance(replay, CallLog) and replay.lines[line].handle_s is not None


def replayed_line(
    line: str, spec: LineDemand, horizon: Horizon, rng: np.random.Generator
) -> ReplayedLine:
    """The calls of ``line`` in its replay file that fall inside the horizon, with growth.

    Interval counts are spread within each interval as a Poisson process conditioned on the
    count (uniformly, then sorted). Growth below 1 keeps each call with probability ``growth``;
    above 1, each call gets ``floor(growth) - 1`` copies and one more with probability
    ``growth - floor(growth)``, each copy at a uniformly random time in the same hour (copies
    are new callers with the original's logged handle time). All from ``rng``.
    """
    assert spec.replay is not None
    replay = read_replay(spec.replay)
    origin = np.datetime64(horizon.start, "ns")
    if isinstance(replay, CallLog):
        logged = replay.lines[line]
        seconds = (logged.arrivals - origin) / np.timedelta64(1, "s")
        handle, callers, attempts = logged.handle_s, logged.callers, logged.attempts
    else:
        starts = (replay.starts[line] - origin) / np.timedelta64(1, "s")
        width = replay.interval / np.timedelta64(1, "s")
        counts = replay.calls[line]
        seconds = np.repeat(starts, counts) + rng.random(int(counts.sum())) * width
        seconds.sort(kind="stable")
        handle = callers = attempts = None
    inside = (seconds >= 0) & (seconds < horizon.end_s)
    second = np.timedelta64(1, "s")
    if spec.window_from is not None:
        inside &= seconds >= (np.datetime64(spec.window_from, "ns") - origin) / second
    if spec.window_to is not None:
        inside &= seconds < (np.datetime64(spec.window_to, "ns") - origin) / second
    keep = np.flatnonzero(inside)
    _check_growth(line, spec, keep.size)
    replayed = ReplayedLine(
        arrival_s=seconds[keep],
        handle_s=handle[keep] if handle is not None else None,
        callers=callers[keep] + LOGGED_CALLER_ID_BASE if callers is not None else None,
        attempts=attempts[keep] if attempts is not None else None,
    )
    return _grow(replayed, spec.growth, horizon.end_s, rng) if spec.growth != 1.0 else replayed


def _check_growth(line: str, spec: LineDemand, calls: int) -> None:
    """Refuse growth that would make more calls than one replication may hold, before they are
    made (the scenario's schema bounds growth too; this guards every other way in)."""
    if not 0 <= spec.growth <= MAX_GROWTH:
        raise ScenarioError.single(
            "growth", spec.growth, f"a growth factor from 0 to {MAX_GROWTH:g}"
        )
    if calls * spec.growth > MAX_CALLS_PER_REPLICATION:
        raise ScenarioError.single(
            "growth", spec.growth,
            f"at most {MAX_CALLS_PER_REPLICATION:,} calls in one replication: growth "
            f"{spec.growth:g} × the {calls:,} calls of line {line} replayed from {spec.replay} "
            f"would make {calls * spec.growth:,.0f}",
        )


def _grow(replayed: ReplayedLine, growth: float, end_s: float, rng: np.random.Generator) -> (
    ReplayedLine
):
    n = replayed.arrival_s.size
    if growth < 1.0:
        keep = np.flatnonzero(rng.random(n) < growth)
        return ReplayedLine(
            replayed.arrival_s[keep],
            *(a[keep] if a is not None else None
              for a in (replayed.handle_s, replayed.callers, replayed.attempts)),
        )
    whole = int(np.floor(growth))
    copies = np.full(n, whole - 1) + (rng.random(n) < growth - whole)
    source = np.repeat(np.arange(n), copies)
    hour_start = np.floor(replayed.arrival_s[source] / 3600.0) * 3600.0
    copy_s = np.minimum(hour_start + rng.random(source.size) * 3600.0, np.nextafter(end_s, 0))
    arrival_s = np.concatenate((replayed.arrival_s, copy_s))
    order = np.argsort(arrival_s, kind="stable")
    handle = (
        np.concatenate((replayed.handle_s, replayed.handle_s[source]))[order]
        if replayed.handle_s is not None else None
    )
    callers = attempts = None
    if replayed.callers is not None and replayed.attempts is not None:
        # copies are new callers: ids past every logged one, each on a first call
        fresh = replayed.callers.max(initial=LOGGED_CALLER_ID_BASE) + 1 + np.arange(source.size)
        callers = np.concatenate((replayed.callers, fresh))[order]
        attempts = np.concatenate((replayed.attempts, np.ones(source.size, np.int64)))[order]
    return ReplayedLine(arrival_s[order], handle, callers, attempts)
