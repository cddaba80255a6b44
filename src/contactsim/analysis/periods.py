"""A line's KPIs over part of the horizon — a month, November and December, an hour of the
week — from the interval series a run writes.

Each KPI is computed per replication from the sums of its intervals (the ASA of July is the
wait of July's answered calls over their number, not a mean of hourly ASAs: a busy hour weighs
more than a quiet one) with the very formulas of the whole-run KPIs, from the registry in
:mod:`contactsim.analysis.kpis`, then summarised across replications with a Student-t interval.
Over every interval the values equal the run's own.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from contactsim.analysis.intervals import POOL_INTERVAL_SUMS
from contactsim.analysis.kpi_definition import Formula
from contactsim.analysis.kpi_names import SERVICE_LEVEL_AT, within_seconds
from contactsim.analysis.kpis import (
    INTERVAL_SUMS,
    POOL_KPIS,
    computable_from,
    service_level_within,
)
from contactsim.analysis.stats import kpi_interval

__all__ = [
    "PERIOD_KPIS", "POOL_PERIOD_KPIS", "band", "by_hour_of_week", "by_month", "period_kpis",
    "period_values", "pool_summaries_by", "summaries_by", "summarise_by",
]

#: The sums a period's KPIs are made of: every interval row carries them.
SUMS = list(INTERVAL_SUMS)

#: KPIs that can be computed over any set of intervals: the registry's formulas of
#: :data:`~contactsim.analysis.kpis.INTERVAL_SUMS` (offered, answered, abandoned, ASA,
#: abandon rate, service level), by name.
PERIOD_KPIS: dict[str, Formula] = {
    kpi.name: kpi.from_sums for kpi in computable_from(INTERVAL_SUMS)
}
#: A pool's KPIs over any set of its intervals (occupancy, staffed and busy hours), by name.
POOL_PERIOD_KPIS: dict[str, Formula] = {
    kpi.name: kpi.from_sums for kpi in computable_from(POOL_INTERVAL_SUMS, POOL_KPIS)
}
#: How the interval series of a further threshold begins: ``answered_within_15s``.
WITHIN_PREFIX = "answered_within_"


def _within_kpis(intervals: pd.DataFrame) -> dict[str, str]:
    """The service levels at further thresholds the interval rows give: KPI name -> its
    ``answered_within_<N>s`` column (``service_level@15`` -> ``answered_within_15s``), for
    the columns some row counts."""
    found = {}
    for column in intervals.columns:
        if (str(column).startswith(WITHIN_PREFIX) and str(column).endswith("s")
                and intervals[column].notna().any()):
            seconds = within_seconds(SERVICE_LEVEL_AT + column[len(WITHIN_PREFIX):])
            if seconds is not None:
                found[service_level_within(seconds).name] = column
    return found


def by_month(starts: pd.Series) -> pd.Series:
    """Key: the calendar month (1-12)."""
    return starts.dt.month


def by_hour_of_week(starts: pd.Series) -> pd.Series:
    """Key: the hour of the week, Monday 00:00-01:00 being 0."""
    return starts.dt.day_of_week * 24 + starts.dt.hour


def period_kpis(intervals: pd.DataFrame, period: pd.Series) -> pd.DataFrame:
    """Every period KPI per replication, line and period (``period``: a key per interval row):
    columns ``replication, line, period`` and one per KPI; and the service level at each
    further threshold the rows count (``service_level@15``: NaN for a line not measured at
    it)."""
    within = _within_kpis(intervals)
    present = [s for s in SUMS if s in intervals]  # a series written before overflow: none
    sums = (
        intervals.assign(period=np.asarray(period))
        .groupby(["replication", "line", "period"], sort=True)[[*present, *within.values()]]
        .sum(min_count=1)  # a line not measured at a threshold keeps NaN there, not 0
    )
    kpis = {kpi: value(sums) for kpi, value in PERIOD_KPIS.items()}
    kpis.update({kpi: service_level_within(within_seconds(kpi) or 0.0).from_sums(sums)
                 for kpi in within})
    return pd.DataFrame(kpis).reset_index()


def band(
    per_replication: pd.DataFrame, value: str, keys: tuple[str, ...] = ("line", "period"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean and interval (95% unless ``confidence`` says otherwise) across replications of
    ``value`` (a KPI: the interval is clipped to its range), per combination of ``keys``:
    columns ``*keys, mean, low, high``."""
    rows = []
    for key, group in per_replication.groupby(list(keys), sort=True):
        mean, low, high = kpi_interval(group[value].to_numpy(dtype=float), value, confidence)
        rows.append((*(key if isinstance(key, tuple) else (key,)), mean, low, high))
    return pd.DataFrame(rows, columns=[*keys, "mean", "low", "high"])


def _check(kpi: str, table: pd.DataFrame | None = None) -> None:
    if kpi not in PERIOD_KPIS and within_seconds(kpi) is None:
        raise ValueError(f"{kpi!r} is not a KPI of a period; one of {sorted(PERIOD_KPIS)} or "
                         "service_level@SECONDS")
    if table is not None and kpi not in table:
        raise ValueError(f"{kpi!r}: the intervals do not count calls answered within "
                         f"{within_seconds(kpi):g} s (give the line also_within_s)")


def period_values(
    intervals: pd.DataFrame, line: str, kpi: str, months: tuple[int, ...] | None = None
) -> pd.Series:
    """One value per replication (indexed by it) of ``kpi`` on ``line`` over ``months``
    (None: every interval)."""
    _check(kpi)
    rows = intervals[intervals["line"] == line]
    if months is not None:
        rows = rows[rows["interval_start"].dt.month.isin(months)]
    table = period_kpis(rows, pd.Series(0, index=rows.index))
    return table.set_index("replication")[kpi]


def summarise_by(
    intervals: pd.DataFrame, line: str, kpi: str, key: Callable[[pd.Series], pd.Series],
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``kpi`` on ``line`` for each key (``key`` maps interval starts to an hour of the week, a
    month, ...): columns ``key, mean, ci_low, ci_high`` (Student-t across replications, at
    ``confidence``)."""
    return summaries_by(intervals, line, (kpi,), key, confidence)[kpi]


def summaries_by(
    intervals: pd.DataFrame, line: str, kpis: tuple[str, ...],
    key: Callable[[pd.Series], pd.Series], confidence: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """:func:`summarise_by` for each of ``kpis``, from one pass over the interval series."""
    for kpi in kpis:
        _check(kpi)
    rows = intervals[intervals["line"] == line]
    table = period_kpis(rows, key(rows["interval_start"]))
    for kpi in kpis:
        _check(kpi, table)
    return _bands(table, kpis, confidence)


def _bands(table: pd.DataFrame, kpis: tuple[str, ...], confidence: float
           ) -> dict[str, pd.DataFrame]:
    return {
        kpi: band(table, kpi, keys=("period",), confidence=confidence).rename(
            columns={"period": "key", "low": "ci_low", "high": "ci_high"})
        for kpi in kpis
    }


def pool_summaries_by(
    pool_intervals: pd.DataFrame, pool: str, kpis: tuple[str, ...],
    key: Callable[[pd.Series], pd.Series], confidence: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """A pool's KPIs (of :data:`POOL_PERIOD_KPIS`) for each key, from the pools' interval
    series: per replication from the sums of the key's intervals (the occupancy of Mondays at
    08:00 is their busy time over their time on the phones, never a mean of hourly
    occupancies), then mean and Student-t interval across replications; columns ``key, mean,
    ci_low, ci_high``."""
    for kpi in kpis:
        if kpi not in POOL_PERIOD_KPIS:
            raise ValueError(f"{kpi!r} is not a pool's KPI of a period; one of "
                             f"{sorted(POOL_PERIOD_KPIS)}")
    rows = pool_intervals[pool_intervals["pool"] == pool]
    sums = (rows.assign(period=np.asarray(key(rows["interval_start"])))
            .groupby(["replication", "period"], sort=True)[list(POOL_INTERVAL_SUMS)].sum())
    table = pd.DataFrame({kpi: value(sums) for kpi, value in POOL_PERIOD_KPIS.items()})
    return _bands(table.reset_index(), kpis, confidence)
