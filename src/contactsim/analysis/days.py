"""Days: a line's KPIs day by day, how they spread over the days, and the days a line misses
its standard.

The national standard for 999 (90% answered within 10 s) is reported day by day and month by
month, and it is missed on the bad days, not on the average one. This module turns the interval
series of a run into one row per replication, day and line (:func:`daily_kpis`): the day's
sums and its service level, ASA and abandon rate by the registry's formulas on those sums (the
ASA of a day is its answered calls' wait over their number, never a mean of hourly ASAs).
Only **whole days** count: a day part of which fell in the warm-up (or after the end of the
horizon) is left out, so that every day weighs a full 24 hours.

From those rows:

- :func:`day_percentiles`: per line, the median day and the bad days' percentiles over every
  day of every replication — for the ASA and the abandon rate the 90th and 99th (higher is
  worse), for the service level the **10th and 1st** (lower is worse): the service level one
  day in ten, and one day in a hundred, falls below;
- :func:`days_missed`: per line with a standard, the days a year its service level is below
  the standard — each replication's days missed over its days measured, times 365 (a year
  run whole gives the count itself) — with a Student-t interval across replications.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, SERVICE_LEVEL
from contactsim.analysis.kpis import INTERVAL_SUMS, KPIS
from contactsim.analysis.stats import clip, t_interval

__all__ = [
    "DAYS_A_YEAR", "DAY_KPIS", "PERCENTILES", "bad_end_percentiles", "daily_kpis",
    "day_percentiles", "days_missed", "missed_standard", "percentile_column", "present_sums",
]

SECONDS_A_DAY = 86400.0
#: Days a year the days missed are scaled to (a whole year run: the count itself).
DAYS_A_YEAR = 365.0
#: The KPIs of a day.
DAY_KPIS = (SERVICE_LEVEL, ASA_S, ABANDON_RATE)
#: The bad-day percentiles: the median day, one day in ten, one day in a hundred.
PERCENTILES = (50, 90, 99)


def present_sums(intervals: pd.DataFrame) -> list[str]:
    """The :data:`INTERVAL_SUMS` the interval rows carry (a series saved before a sum was
    added lacks it: the registry's formulas then count it as none)."""
    return [name for name in INTERVAL_SUMS if name in intervals]


def daily_kpis(intervals: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """One row per replication, whole day and line (``interval_s``: the length of an interval
    of the series): ``replication, day, line``, the day's :data:`INTERVAL_SUMS` and its
    :data:`DAY_KPIS` from them (NaN where nothing was there to measure: a service level or
    abandon rate with no call ended, an ASA with none answered). Days not measured whole are
    left out."""
    present = present_sums(intervals)
    columns = ["replication", "day", "line", *present, *DAY_KPIS]
    if intervals.empty:
        return pd.DataFrame(columns=columns)
    day = pd.to_datetime(intervals["interval_start"]).dt.normalize()
    grouped = (intervals[["replication", "line", *present]]
               .assign(day=day.to_numpy())
               .groupby(["replication", "day", "line"], sort=True))
    sums = grouped[present].sum()
    whole = grouped.size() * interval_s >= SECONDS_A_DAY - 1e-6
    sums = sums[whole.to_numpy()]
    with np.errstate(invalid="ignore", divide="ignore"):
        kpis = {kpi: KPIS[kpi].from_sums(sums) for kpi in DAY_KPIS}
    table = sums.assign(**kpis).reset_index()[columns]
    # the lines in the series' own order (999 first), not alphabetical
    order = {line: place for place, line in enumerate(pd.unique(intervals["line"]))}
    table = table.assign(_order=table["line"].map(order))
    return (table.sort_values(["replication", "day", "_order"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def lower_is_worse(kpi: str) -> bool:
    """Whether a low value of ``kpi`` is the bad end (a service level), not a high one."""
    return bool(KPIS[kpi].higher_is_better)


def bad_end_percentiles(kpi: str) -> tuple[int, ...]:
    """The percentiles of ``kpi`` reported for :data:`PERCENTILES`: the same for a KPI whose
    high values are bad; 50, 10, 1 for one whose low values are (a service level)."""
    return tuple(100 - p for p in PERCENTILES) if lower_is_worse(kpi) else PERCENTILES


def percentile_column(kpi: str, percentile: int) -> str:
    """``service_level_p10``, ``asa_s_p90``: the column of a percentile of a daily KPI."""
    return f"{kpi}_p{percentile:g}"


def day_percentiles(days: pd.DataFrame) -> pd.DataFrame:
    """Per line: the days counted (every replication's whole days with a value) and, for each
    KPI of :data:`DAY_KPIS`, its percentiles over those days at the bad end
    (:func:`bad_end_percentiles`: ``service_level_p50, service_level_p10, service_level_p1,
    asa_s_p50, asa_s_p90, asa_s_p99, abandon_rate_p50, ...``), linear interpolation between
    days."""
    rows = []
    for line, part in days.groupby("line", sort=False):
        row: dict[str, object] = {"line": line, "days_counted": len(part)}
        for kpi in DAY_KPIS:
            values = part[kpi].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            for percentile in bad_end_percentiles(kpi):
                row[percentile_column(kpi, percentile)] = (
                    float(np.percentile(values, percentile)) if values.size else math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def missed_standard(days: pd.DataFrame, standard: float) -> pd.Series:
    """Whether each day's service level is below ``standard``; a day with no call ended (no
    service level) does not miss it."""
    return days[SERVICE_LEVEL].to_numpy(dtype=float) < standard


def days_missed(days: pd.DataFrame, standards: Mapping[str, float],
                confidence: float = 0.95) -> pd.DataFrame:
    """Per line with a standard (line -> the share of calls its service level must reach on
    a day) that has days measured: ``line, standard, days_measured`` (whole days per
    replication), ``days_missed`` (mean per replication, as counted), ``share_missed``, and
    ``days_missed_a_year`` with its Student-t interval ``low, high`` across replications
    (each replication's days missed ÷ its days measured × 365, clipped to [0, 365])."""
    rows = []
    for line, standard in standards.items():
        part = days[days["line"] == line]
        if part.empty:
            continue
        per_rep = (part.assign(missed=missed_standard(part, standard))
                   .groupby("replication")["missed"].agg(["sum", "size"]))
        share = (per_rep["sum"] / per_rep["size"]).to_numpy(dtype=float)
        mean, low, high = clip(t_interval(share * DAYS_A_YEAR, confidence), (0.0, DAYS_A_YEAR))
        rows.append({
            "line": line, "standard": standard,
            "days_measured": float(per_rep["size"].mean()),
            "days_missed": float(per_rep["sum"].mean()),
            "share_missed": float(share.mean()),
            "days_missed_a_year": mean, "days_missed_low": low, "days_missed_high": high,
        })
    return pd.DataFrame(rows, columns=[
        "line", "standard", "days_measured", "days_missed", "share_missed",
        "days_missed_a_year", "days_missed_low", "days_missed_high"])
