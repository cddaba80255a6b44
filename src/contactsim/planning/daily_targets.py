"""Targets met on a share of days: ``"999: service_level >= 0.90 on 95% of days"``.

The national standard is reported day by day and month by month, so a planner who asks for
"90% in 10 s on 95% of days" means the **day's** service level — the day's calls answered
within 10 s over the day's calls ended — at or above 90% on at least 95% of days. That is what
is judged here: over every whole day of every replication (see
:mod:`contactsim.analysis.days`), the share of days whose value of the target's KPI, by the
registry's formula on the day's sums, is on the target's side (a day with no call offered
meets any target), then its mean across replications with a Student-t interval. With no
``confidence`` the mean decides; with one, the whole interval must be at or above the share.

It is a weaker demand than meeting the target at every hour (a quiet night hour may fall below
90% if the day as a whole does not) and a stronger one where days differ more than hours do
(busy days, surges).

Where the days fall short, the staffing search needs to know *where* to add people: the hours
that drive the missed days. For each key (hour of the week, of the day, or the whole horizon)
the calls **short** of the target on the missed days are summed: in each missed day's hours at
that key, ``target × calls ended − calls answered within`` for a service level (for an ASA,
the seconds waited beyond ``target × calls answered``; for an abandon rate, the calls
abandoned beyond ``target × calls ended``), counted where positive. The keys holding the
largest shortfalls, taken in order until they hold half of it all, are marked as missing the
target (at least the largest); the others as meeting it.

A target on days alone lets the search thin out an hour, even to nobody, as long as the days
still hold (a day's calls absorb one bad hour): give an hourly floor beside it where that
matters, e.g. ``--target "999: service_level >= 0.6"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from contactsim.analysis.days import SECONDS_A_DAY
from contactsim.analysis.kpi_names import (
    ABANDON_RATE,
    ASA_S,
    OFFERED,
    SERVICE_LEVEL,
    answered_within_column,
)
from contactsim.analysis.kpis import INTERVAL_SUMS, kpi_named
from contactsim.analysis.periods import summaries_by
from contactsim.analysis.stats import clip, t_interval
from contactsim.analysis.worst import ENDED_SUMS
from contactsim.errors import ContactsimError
from contactsim.planning.service_targets import ServiceTarget

__all__ = ["DRIVING_SHARE", "day_shares", "day_target_miss", "day_target_verdict",
           "judge_on_days"]

#: The share of the calls short on missed days the keys marked as missing hold (at least).
DRIVING_SHARE = 0.5


def _parts(target: ServiceTarget) -> tuple[str, tuple[str, ...]]:
    """The target KPI as ``numerator ÷ sum of denominators`` of the interval sums."""
    if target.within_s is not None:
        return answered_within_column(target.within_s), ENDED_SUMS
    return {SERVICE_LEVEL: ("answered_within", ENDED_SUMS), ASA_S: ("wait_sum_s", ("answered",)),
            ABANDON_RATE: ("abandoned", ENDED_SUMS)}[target.kpi]


def _sums(rows: pd.DataFrame, target: ServiceTarget, keys: list[str]) -> pd.DataFrame:
    """The interval sums the target's KPI needs (and offered), summed by ``keys``."""
    numerator, denominators = _parts(target)
    wanted = list(dict.fromkeys([c for c in (*INTERVAL_SUMS, numerator, *denominators)
                                 if c in rows]))
    return rows.groupby(keys, sort=True)[wanted].sum()


def _with_days(intervals: pd.DataFrame, target: ServiceTarget, key_of: Callable[[pd.Series],
               pd.Series], interval_s: float) -> pd.DataFrame:
    """The line's interval rows on whole days, with their ``day`` and ``key``."""
    rows = intervals[intervals["line"] == target.line]
    starts = pd.to_datetime(rows["interval_start"])
    rows = rows.assign(day=starts.dt.normalize().to_numpy(), key=np.asarray(key_of(starts)))
    count = rows.groupby(["replication", "day"])["day"].transform("size")
    return rows[(count * interval_s >= SECONDS_A_DAY - 1e-6).to_numpy()]


def day_shares(intervals: pd.DataFrame, target: ServiceTarget, interval_s: float,
               key_of: Callable[[pd.Series], pd.Series] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per replication and whole day: the target KPI's value and whether the day ``meets``
    it; and the rows of the line on those days (with ``day`` and ``key``)."""
    rows = _with_days(intervals, target, key_of or (lambda s: pd.Series(0, index=s.index)),
                      interval_s)
    if rows.empty:
        raise ContactsimError(f"--target {str(target)!r}: no whole day was measured; a target "
                              "on a share of days needs a horizon of whole days after the "
                              "warm-up")
    sums = _sums(rows, target, ["replication", "day"])
    kpi = kpi_named(target.kpi)
    assert kpi is not None
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.asarray(kpi.from_sums(sums), dtype=float)
    meets = [target.met_by(v, n) for v, n in zip(values, sums[OFFERED], strict=True)]
    days = sums.assign(value=values, meets=meets).reset_index()
    return days, rows


def _shortfall(sums: pd.DataFrame, target: ServiceTarget) -> np.ndarray:
    """Calls (or seconds) short of the target in each row of sums, where positive."""
    numerator, denominators = _parts(target)
    base = sum(sums[c] for c in denominators if c in sums)
    gap = (target.value * base - sums[numerator] if target.at_least
           else sums[numerator] - target.value * base)
    return np.maximum(np.asarray(gap, dtype=float), 0.0)


def _driving_keys(rows: pd.DataFrame, days: pd.DataFrame, target: ServiceTarget
                  ) -> pd.Series:
    """The shortfall at each key over the missed days (see the module)."""
    missed = days.loc[~days["meets"], ["replication", "day"]]
    failing = rows.merge(missed, on=["replication", "day"])
    sums = _sums(failing, target, ["replication", "day", "key"])
    short = pd.Series(_shortfall(sums, target), index=sums.index)
    return short.groupby(level="key").sum()


def _marked(short: pd.Series) -> set[int]:
    """Keys holding :data:`DRIVING_SHARE` of the shortfall, largest first (at least one)."""
    ordered = short[short > 0].sort_values(ascending=False, kind="stable")
    if ordered.empty:
        return {int(k) for k in short.index}  # nothing measurably short: every key of the days
    held = ordered.cumsum() / ordered.sum()
    count = int(np.searchsorted(held.to_numpy(), DRIVING_SHARE - 1e-12)) + 1
    return {int(k) for k in ordered.index[:count]}


def judge_on_days(
    intervals: pd.DataFrame, target: ServiceTarget, key_of: Callable[[pd.Series], pd.Series],
    interval_s: float, level: float, confidence: float | None,
) -> pd.DataFrame:
    """Judge ``target`` (one on a share of days) as the staffing search judges a target at
    each key: ``line, kpi, key, mean, ci_low, ci_high`` (the KPI at the key, for the record),
    ``target, met, certain``, and ``days_met, days_met_low, days_met_high`` (the share of
    days meeting it, with its interval at ``level``: the same on every row) and ``short``
    (calls short of the target on the missed days at the key). Every key meets the target when
    the days do; otherwise the keys that drive the missed days miss it (see the module)."""
    assert target.share_of_days is not None
    summaries = summaries_by(intervals, target.line, (target.kpi, OFFERED), key_of, level)
    table = summaries[target.kpi]
    table.insert(0, "kpi", target.kpi)
    table.insert(0, "line", target.line)
    table["target"] = str(target)
    days, rows = day_shares(intervals, target, interval_s, key_of)
    shares = days.groupby("replication")["meets"].mean().to_numpy(dtype=float)
    mean, low, high = clip(t_interval(shares, level), (0.0, 1.0))
    wanted = target.share_of_days
    certain = bool(mean >= wanted if math.isnan(low) else low >= wanted)
    met = certain if confidence is not None else mean >= wanted
    short = _driving_keys(rows, days, target) if not met else pd.Series(dtype=float)
    marked = _marked(short) if not met else set()
    table["met"] = [int(k) not in marked for k in table["key"]]
    table["certain"] = certain
    table["days_met"], table["days_met_low"], table["days_met_high"] = mean, low, high
    table["short"] = [float(short.get(k, 0.0)) for k in table["key"]]
    return table


def day_target_miss(target: ServiceTarget, days_met: float, short: float, most_short: float
                    ) -> float:
    """How far a key misses a target on a share of days, for ranking the worst hour beside
    targets judged at every hour: the days' shortfall as a share of the days wanted, weighted
    by the key's part of the largest shortfall (so that the key driving most leads)."""
    assert target.share_of_days is not None
    gap = (target.share_of_days - days_met) / target.share_of_days
    return gap * (short / most_short if most_short > 0 else 1.0)


def day_target_verdict(rows: pd.DataFrame, confidence: float | None) -> str:
    """A target on a share of days in words: met or not, on what share of days (with its
    interval), and with what confidence."""
    first = rows.iloc[0]
    mean, low, high = (float(first[c]) for c in ("days_met", "days_met_low", "days_met_high"))
    level = confidence if confidence is not None else 0.95
    interval = ("" if math.isnan(low) else
                f" [{low * 100:.1f}, {high * 100:.1f}] ({level * 100:g}% interval)")
    met = bool(rows["met"].all())
    how = (f"met with {level * 100:g}% confidence" if met and confidence is not None else
           "met" if met else "not met")
    return f"{how}: on {mean * 100:.1f}% of days{interval}"
