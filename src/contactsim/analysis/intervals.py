"""The interval series a run writes (intervals.parquet): per line and interval after the
warm-up, the calls offered, answered and abandoned, the waits, and the interval's own ASA and
service level; and the Resolution Centre's backlog at each midnight (rc_daily.parquet).

The interval rows carry the sums of :data:`~contactsim.analysis.kpis.INTERVAL_SUMS`, so that
any period of them (a month, an hour of the week: :mod:`contactsim.analysis.periods`) gives
its KPIs with the registry's own formulas.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from contactsim.analysis.duplicate_and_call_back_kpis import extra_interval_series
from contactsim.analysis.kpi_names import (
    ASA_S,
    OCCUPANCY,
    SERVICE_LEVEL,
    answered_within_column,
)
from contactsim.analysis.kpis import INTERVAL_SUMS, KPIS
from contactsim.engine.records import LineTally, RunTallies

__all__ = ["INTERVAL_KPIS", "POOL_INTERVAL_SUMS", "WORKLOAD_SERIES", "interval_frame",
           "pool_interval_frame", "rc_daily_frame"]


def rc_daily_frame(tallies: RunTallies, start: date) -> pd.DataFrame:
    """The Resolution Centre's open incidents at each midnight (empty without an RC)."""
    backlog = np.asarray(tallies.rc.daily_backlog if tallies.rc is not None else [], np.int64)
    day = np.arange(backlog.size)
    measured = day * 86400.0 >= tallies.warmup_s  # midnights after the warm-up
    days = pd.Timestamp(start) + pd.to_timedelta(day[measured], unit="D")
    return pd.DataFrame({"day": days, "rc_backlog": backlog[measured]})


#: Workload series the interval series carries beside the sums (callbacks and redials).
WORKLOAD_SERIES = ("callbacks_offered", "callbacks_accepted", "callback_attempts",
                   "callback_completions", "redials")
#: The KPIs each interval row shows, computed from its own sums.
INTERVAL_KPIS = (ASA_S, SERVICE_LEVEL)


def _line_intervals(line: LineTally) -> dict[str, np.ndarray]:
    first = line.first_counted_interval
    return {
        series: np.asarray(getattr(line, series)[first:],
                           dtype=float if series.endswith("_s") else np.int64)
        for series in (*INTERVAL_SUMS, *WORKLOAD_SERIES)
    }


def _within_intervals(line: LineTally) -> dict[str, np.ndarray]:
    """``answered_within_<N>s`` for each of the line's further thresholds N."""
    first = line.first_counted_interval
    return {answered_within_column(seconds):
            np.asarray(line.answered_within_at(seconds)[first:], dtype=np.int64)
            for seconds in line.also_within_s}


def interval_frame(tallies: RunTallies, start: date) -> pd.DataFrame:
    """Per interval (after the warm-up) and line: the :data:`INTERVAL_SUMS`, the interval's
    ASA and service level (from those sums, as for the whole run) and the workload series;
    for a line measured at further thresholds (``also_within_s``), its calls answered within
    each, ``answered_within_<N>s``; for a line with bursts or call-backs, their series
    (``duplicates_offered``, ``call_backs_made``, ...: empty on the rows of other lines)."""
    frames = []
    origin = datetime.combine(start, datetime.min.time())
    for name, line in tallies.lines.items():
        first = line.first_counted_interval
        series = _line_intervals(line)
        with np.errstate(invalid="ignore", divide="ignore"):
            kpis = {kpi: KPIS[kpi].from_sums(series) for kpi in INTERVAL_KPIS}
        starts = origin + pd.to_timedelta(
            np.arange(first, first + series["offered"].size) * tallies.interval_s, unit="s"
        )
        frames.append(pd.DataFrame({
            "interval_start": starts,
            "line": name,
            **{s: series[s] for s in INTERVAL_SUMS},
            **kpis,
            **{s: series[s] for s in WORKLOAD_SERIES},
            **_within_intervals(line),
            **extra_interval_series(line),
        }))
    return pd.concat(frames, ignore_index=True)


#: The sums each pool's interval row carries: operator-seconds on the phones and busy.
POOL_INTERVAL_SUMS = ("staffed_s", "busy_s")


def pool_interval_frame(tallies: RunTallies, start: date) -> pd.DataFrame:
    """Per interval (after the warm-up) and pool: operator-seconds on the phones (on duty and
    not on a break) and busy in it, and the interval's occupancy (busy ÷ on the phones, by the
    registry's formula; NaN where nobody was on the phones)."""
    origin = datetime.combine(start, datetime.min.time())
    first = round(tallies.warmup_s / tallies.interval_s)
    frames = []
    for name, pool in tallies.pools.items():
        sums = {"staffed_s": np.asarray(pool.staffed_s_by_interval[first:], dtype=float),
                "busy_s": np.asarray(pool.busy_s_by_interval[first:], dtype=float)}
        with np.errstate(invalid="ignore", divide="ignore"):
            occupancy = KPIS[OCCUPANCY].from_sums(sums)
        starts = origin + pd.to_timedelta(
            np.arange(first, first + sums["busy_s"].size) * tallies.interval_s, unit="s")
        frames.append(pd.DataFrame({"interval_start": starts, "pool": name, **sums,
                                    OCCUPANCY: occupancy}))
    return pd.concat(frames, ignore_index=True)
