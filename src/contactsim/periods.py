"""A line's KPIs over part of the horizon — a month, November and December, an hour of the
week — from the interval series a run writes.

Each KPI is computed per replication from the sums of its intervals (the ASA of July is the
wait of July's answered calls over their number, not a mean of hourly ASAs), with the same
definitions as the whole-run KPIs of :mod:`contactsim.kpis`, then summarised across
replications with a Student-t interval. Over every interval the values equal the run's own.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from contactsim.stats import t_interval

__all__ = ["PERIOD_KPIS", "by_hour_of_week", "by_month", "period_values", "summarise_by"]

#: the interval sums each KPI is made of
SUMS = ["offered", "answered", "abandoned", "answered_within", "wait_sum_s"]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype(float)


#: KPIs that can be computed over any set of intervals (see :mod:`contactsim.kpis`)
PERIOD_KPIS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "offered": lambda s: s["offered"].astype(float),
    "answered": lambda s: s["answered"].astype(float),
    "abandoned": lambda s: s["abandoned"].astype(float),
    "asa_s": lambda s: _ratio(s["wait_sum_s"], s["answered"]),
    "abandon_rate": lambda s: _ratio(s["abandoned"], s["answered"] + s["abandoned"]),
    "service_level": lambda s: _ratio(s["answered_within"], s["answered"] + s["abandoned"]),
}

Grouping = Callable[[pd.Series], pd.Series]  # interval starts -> a key per interval


def by_month(starts: pd.Series) -> pd.Series:
    """Key: the calendar month (1-12)."""
    return starts.dt.month


def by_hour_of_week(starts: pd.Series) -> pd.Series:
    """Key: the hour of the week, Monday 00:00-01:00 being 0."""
    return starts.dt.dayofweek * 24 + starts.dt.hour


def period_values(
    intervals: pd.DataFrame, line: str, kpi: str, months: tuple[int, ...] | None = None
) -> pd.Series:
    """One value per replication of ``kpi`` on ``line`` over ``months`` (None: every interval)."""
    if kpi not in PERIOD_KPIS:
        raise ValueError(f"{kpi!r} is not a KPI of a period; one of {sorted(PERIOD_KPIS)}")
    rows = intervals[intervals["line"] == line]
    if months is not None:
        rows = rows[rows["interval_start"].dt.month.isin(months)]
    sums = rows.groupby("replication")[SUMS].sum()
    return PERIOD_KPIS[kpi](sums)


def summarise_by(intervals: pd.DataFrame, line: str, kpi: str, key: Grouping) -> pd.DataFrame:
    """``kpi`` on ``line`` for each key (an hour of the week, a month): columns ``key, mean,
    ci_low, ci_high, reps`` (95% Student-t across replications)."""
    if kpi not in PERIOD_KPIS:
        raise ValueError(f"{kpi!r} is not a KPI of a period; one of {sorted(PERIOD_KPIS)}")
    rows = intervals[intervals["line"] == line]
    keys = key(rows["interval_start"]).rename("key")
    sums = rows.groupby([rows["replication"], keys])[SUMS].sum()
    values = PERIOD_KPIS[kpi](sums).rename("value").reset_index()
    out = []
    for group_key, group in values.groupby("key"):
        mean, low, high = t_interval(group["value"])
        out.append((group_key, mean, low, high, int(np.isfinite(group["value"]).sum())))
    return pd.DataFrame(out, columns=["key", "mean", "ci_low", "ci_high", "reps"])
