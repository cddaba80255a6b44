"""The worst days and the worst hour of a line: what the bad day looks like.

Two views, because a run has several replications of the same calendar:

- **the worst calendar day** (and hour): the date whose service level, averaged over the
  replications, is the lowest — a day that is bad by design (a July Saturday, New Year's Eve):
  its mean comes with a Student-t interval across replications;
- **the worst day (and hour) of any replication**: the lowest service level any replication
  saw on any day — the tail the dice can bring; it grows worse with more replications, as the
  worst of more days does.

A day's service level is the registry's formula on the day's sums (see
:mod:`contactsim.analysis.days`); an hour's likewise on the hour's (the intervals in it). An
hour counts only with enough calls ended in it (:data:`MIN_HOUR_CALLS`, answered or
abandoned; for the calendar view on average over the replications): a service level of one
call in two is no measure of an hour.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile (lighter to import than scipy.stats)

from contactsim.analysis.days import present_sums
from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, OFFERED, SERVICE_LEVEL
from contactsim.analysis.kpis import KPIS
from contactsim.analysis.stats import kpi_interval

__all__ = ["MIN_HOUR_CALLS", "WORST_DAY_COLUMNS", "worst_day_any", "worst_days", "worst_hours"]

#: Calls ended (answered or abandoned) an hour needs to be a candidate for the worst hour.
MIN_HOUR_CALLS = 10
#: The sums whose total is the calls ended in an hour (the service level's denominator).
ENDED_SUMS = ("answered", "abandoned", "overflowed")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WORST_DAY_COLUMNS = [
    "line", "day", "weekday", SERVICE_LEVEL, "low", "high", OFFERED, "weekday_offered",
    "offered_vs_weekday", ASA_S, ABANDON_RATE, "reps",
]


def _mean_by_day(part: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per calendar day of one line's daily rows: the mean over replications of the service
    level with its Student-t interval (clipped to [0, 1]; NaN with fewer than two values, as
    :func:`~contactsim.analysis.stats.t_interval`), and of offered, ASA and abandon rate."""
    grouped = part.groupby("day", sort=True)
    level = grouped[SERVICE_LEVEL]
    count = level.count().to_numpy(dtype=float)
    mean = level.mean().to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = (stdtrit(np.maximum(count - 1, 1), 0.5 + confidence / 2)
                * level.std(ddof=1).to_numpy(dtype=float) / np.sqrt(count))
    half[count < 2] = np.nan
    table = grouped[[OFFERED, ASA_S, ABANDON_RATE]].mean().astype(float)
    table.insert(0, SERVICE_LEVEL, mean)
    table.insert(1, "low", np.clip(mean - half, 0.0, 1.0))
    table.insert(2, "high", np.clip(mean + half, 0.0, 1.0))
    table["reps"] = grouped["replication"].nunique().to_numpy()
    table = table.reset_index()
    table["day"] = pd.to_datetime(table["day"])
    return table


def worst_days(days: pd.DataFrame, line: str, count: int = 10) -> pd.DataFrame:
    """The ``count`` calendar days of ``line`` with the lowest service level on average over
    the replications (see the module), worst first: :data:`WORST_DAY_COLUMNS` — the day's
    mean service level with its interval (``low``, ``high``), calls offered against that
    weekday's average over the run (``weekday_offered``: every day of that weekday, every
    replication; ``offered_vs_weekday``: offered ÷ it − 1), the mean ASA and abandon rate,
    and the replications measured."""
    part = days[days["line"] == line]
    if part.empty:
        return pd.DataFrame(columns=WORST_DAY_COLUMNS)
    table = _mean_by_day(part)
    weekday = table["day"].dt.day_of_week
    by_weekday = part.groupby(pd.to_datetime(part["day"]).dt.day_of_week)[OFFERED].mean()
    table["weekday"] = [WEEKDAYS[d] for d in weekday]
    table["weekday_offered"] = weekday.map(by_weekday).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["offered_vs_weekday"] = table[OFFERED] / table["weekday_offered"] - 1.0
    table["line"] = line
    worst = table.sort_values([SERVICE_LEVEL, "day"], na_position="last").head(count)
    return worst[WORST_DAY_COLUMNS].reset_index(drop=True)


def worst_day_any(days: pd.DataFrame, line: str) -> dict[str, object]:
    """The day of any replication with the lowest service level on ``line``:
    ``replication, day, service_level`` (None for the day and NaN if no day has one)."""
    part = days[(days["line"] == line) & days[SERVICE_LEVEL].notna()]
    if part.empty:
        return {"replication": None, "day": None, SERVICE_LEVEL: math.nan}
    row = part.sort_values([SERVICE_LEVEL, "day", "replication"]).iloc[0]
    return {"replication": int(row["replication"]), "day": pd.Timestamp(row["day"]),
            SERVICE_LEVEL: float(row[SERVICE_LEVEL])}


def _hourly(intervals: pd.DataFrame, line: str) -> pd.DataFrame:
    """One row per replication and clock hour of ``line``: its sums, calls ended and service
    level."""
    part = intervals[intervals["line"] == line]
    hour = pd.to_datetime(part["interval_start"]).dt.floor("h")
    present = present_sums(part)
    sums = (part[["replication", *present]].assign(hour=hour.to_numpy())
            .groupby(["replication", "hour"], sort=True)[present].sum())
    ended = sum(sums[name] for name in ENDED_SUMS if name in sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = KPIS[SERVICE_LEVEL].from_sums(sums)
    return sums.assign(ended=ended, **{SERVICE_LEVEL: level}).reset_index()


def worst_hours(intervals: pd.DataFrame, line: str, min_calls: int = MIN_HOUR_CALLS
                ) -> dict[str, object]:
    """The worst hour of ``line``, both views (see the module): ``hour, service_level, low,
    high`` (the calendar hour with the lowest mean over replications, among hours with at
    least ``min_calls`` calls ended on average) and ``any_hour, any_replication,
    any_service_level`` (the lowest of any replication, among hours with ``min_calls`` calls
    ended); None and NaN where no hour has so many calls. Of hours equally bad, the one with
    most calls ended (then the earliest)."""
    found: dict[str, object] = {"hour": None, SERVICE_LEVEL: math.nan, "low": math.nan,
                                "high": math.nan, "any_hour": None, "any_replication": None,
                                "any_service_level": math.nan}
    hourly = _hourly(intervals, line)
    busy = hourly[(hourly["ended"] >= min_calls) & hourly[SERVICE_LEVEL].notna()]
    if not busy.empty:
        row = busy.sort_values([SERVICE_LEVEL, "ended", "hour", "replication"],
                               ascending=[True, False, True, True]).iloc[0]
        found.update(any_hour=pd.Timestamp(row["hour"]), any_replication=int(row["replication"]),
                     any_service_level=float(row[SERVICE_LEVEL]))
    by_hour = hourly.groupby("hour", sort=True).agg(
        ended=("ended", "mean"), level=(SERVICE_LEVEL, "mean"))
    candidates = by_hour[(by_hour["ended"] >= min_calls) & by_hour["level"].notna()]
    if not candidates.empty:
        hour = candidates.sort_values(["level", "ended"], ascending=[True, False],
                                      kind="stable").index[0]
        values = hourly.loc[hourly["hour"] == hour, SERVICE_LEVEL].to_numpy(dtype=float)
        mean, low, high = kpi_interval(values, SERVICE_LEVEL)
        found.update(hour=pd.Timestamp(hour), **{SERVICE_LEVEL: mean}, low=low, high=high)
    return found
