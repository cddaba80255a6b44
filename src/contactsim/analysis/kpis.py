"""The KPI registry: each KPI's name, label, unit, range and how it is computed from the tallies.

Line KPIs are computed over calls that arrived in the measured window (after the warm-up);
pool KPIs over staffed time in that window. Ratios with nothing to divide by are NaN, not 0.

A KPI's range follows from its unit (:data:`UNIT_RANGES`): a share lies in [0, 1]; counts,
times and hours are never negative. Summaries clip their intervals to it
(:func:`kpi_range`, :func:`difference_range`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from contactsim.engine.records import (
    CLOSED,
    RESOLVED,
    TO_FRONT_LINE,
    TO_PARTNER,
    TO_RESOLUTION_CENTRE,
    TRIAGE_OUTCOMES,
    LineTally,
    RCTally,
    RunTallies,
)

#: The answered wait percentile reported as ``wait_p90_s``.
WAIT_PERCENTILE = 0.90

#: The values a KPI of each unit can take, (lowest, highest): the one place that knows them.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),
    "calls": (0.0, math.inf),
    "callers": (0.0, math.inf),
    "incidents": (0.0, math.inf),
    "s": (0.0, math.inf),
    "h": (0.0, math.inf),
}


@dataclass(frozen=True)
class Kpi:
    """One key performance indicator."""

    name: str
    label: str
    unit: str
    scope: str  # "line" or "pool"
    definition: str
    compute: Callable[..., float]

    @property
    def value_range(self) -> tuple[float, float]:
        """(lowest, highest) value the KPI can take: [0, 1] for a share, else [0, inf)."""
        return UNIT_RANGES[self.unit]

    @property
    def difference_range(self) -> tuple[float, float]:
        """(lowest, highest) difference of two values of the KPI: [-1, 1] for a share;
        unbounded otherwise (a count or time may rise or fall by any amount)."""
        low, high = self.value_range
        return (low - high, high - low) if math.isfinite(high) else (-math.inf, math.inf)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _ended(t: LineTally) -> float:
    return t.total("answered") + t.total("abandoned")


LINE_KPIS: tuple[Kpi, ...] = (
    Kpi("offered", "Calls offered", "calls", "line",
        "calls that arrived in the measured window and queued (online shift excluded)",
        lambda t: float(t.total("offered"))),
    Kpi("answered", "Calls answered", "calls", "line", "offered calls an operator answered",
        lambda t: float(t.total("answered"))),
    Kpi("abandoned", "Calls abandoned", "calls", "line",
        "offered calls whose caller hung up while queueing", lambda t: float(t.total("abandoned"))),
    Kpi("abandon_rate", "Abandon rate", "share", "line", "abandoned ÷ (answered + abandoned)",
        lambda t: _ratio(t.total("abandoned"), _ended(t))),
    Kpi("asa_s", "Average speed of answer", "s", "line", "mean wait of answered calls",
        lambda t: _ratio(t.total("wait_sum_s"), t.total("answered"))),
    Kpi("wait_p90_s", "90th percentile wait", "s", "line",
        "90% of answered calls waited no longer (one-second resolution)",
        lambda t: t.wait_quantile_s(WAIT_PERCENTILE)),
    Kpi("service_level", "Service level", "share", "line",
        "answered within the line's service_level_s ÷ (answered + abandoned)",
        lambda t: _ratio(t.total("answered_within"), _ended(t))),
    Kpi("deflected", "Callers deflected online", "calls", "line",
        "callers who took the online/IVR route (online_shift) and never queued",
        lambda t: float(t.deflected)),
    Kpi("waiting_end", "Still waiting at the end", "calls", "line",
        "offered calls still queued when the horizon ended", lambda t: float(t.waiting_end)),
    Kpi("callbacks_offered", "Callbacks offered", "calls", "line",
        "callers still queueing at the callback threshold, inside the hours, offered a callback",
        lambda t: float(t.total("callbacks_offered"))),
    Kpi("callbacks_accepted", "Callbacks accepted", "calls", "line",
        "offered callbacks the caller accepted (they left the live queue)",
        lambda t: float(t.total("callbacks_accepted"))),
    Kpi("callbacks_completed", "Callbacks completed", "calls", "line",
        "accepted callbacks in which an operator reached the caller",
        lambda t: float(t.callbacks_completed)),
    Kpi("callbacks_failed", "Callbacks failed", "calls", "line",
        "accepted callbacks whose every attempt went unanswered",
        lambda t: float(t.callbacks_failed)),
    Kpi("callbacks_pending_end", "Callbacks pending at the end", "calls", "line",
        "accepted callbacks neither completed nor failed when the horizon ended",
        lambda t: float(t.callbacks_pending_end)),
    Kpi("callback_wait_s", "Callback wait", "s", "line",
        "mean time from accepting a callback to being reached, of completed callbacks",
        lambda t: _ratio(t.callback_wait_sum_s, t.callbacks_completed)),
    Kpi("callbacks_within_target", "Callbacks within target", "share", "line",
        "completed within the callback's complete_within_s ÷ (completed + failed)",
        lambda t: _ratio(
            t.callbacks_completed_within_target, t.callbacks_completed + t.callbacks_failed
        )),
    Kpi("redials", "Redials", "calls", "line",
        "offered calls made by a caller who had abandoned before (on this line or 101 → 999)",
        lambda t: float(t.total("redials"))),
    Kpi("unique_callers", "Unique callers", "callers", "line",
        "offered calls that were not redials: each caller counted once, at their first call",
        lambda t: float(t.total("offered") - t.total("redials"))),
    Kpi("switched_to_999", "Redials switched to 999", "calls", "line",
        "this line's abandoning callers who rang again on 999 instead",
        lambda t: float(t.total("switched_to_999"))),
)

POOL_KPIS: tuple[Kpi, ...] = (
    Kpi("occupancy", "Occupancy", "share", "pool", "busy time ÷ staffed time",
        lambda p: _ratio(p.busy_s, p.staffed_s)),
    Kpi("staffed_hours", "Staffed operator-hours", "h", "pool",
        "operator-hours on duty after shrinkage", lambda p: p.staffed_s / 3600.0),
    Kpi("busy_hours", "Busy operator-hours", "h", "pool", "operator-hours spent handling calls",
        lambda p: p.busy_s / 3600.0),
)

TRIAGE_KPIS: tuple[Kpi, ...] = tuple(
    Kpi(f"triage_{outcome}", f"Graded {outcome.replace('_', ' ')}", "calls", "line",
        f"answered calls and completed callbacks graded {outcome.replace('_', ' ')}",
        lambda t, index=index: float(t.triaged[index]))
    for index, outcome in enumerate(TRIAGE_OUTCOMES)
)

#: Scope of the Resolution Centre's KPIs in the results.
RC_SCOPE = "resolution_centre"


def _rc_share(run: RunTallies) -> float:
    referred = sum(t.triaged[TO_RESOLUTION_CENTRE] for t in run.lines.values())
    incidents = sum(sum(t.triaged) - t.triaged[CLOSED] for t in run.lines.values())
    return _ratio(referred, incidents)


def _rc(run: RunTallies) -> RCTally:
    assert run.rc is not None
    return run.rc


RC_KPIS: tuple[Kpi, ...] = (
    Kpi("rc_incidents", "RC incidents", "incidents", RC_SCOPE,
        "incidents that reached the Resolution Centre in the window",
        lambda r: float(_rc(r).incidents)),
    Kpi("rc_resolved", "RC resolved", "incidents", RC_SCOPE, "of those, resolved by the RC",
        lambda r: float(_rc(r).outcomes[RESOLVED])),
    Kpi("rc_front_line", "RC to front line", "incidents", RC_SCOPE,
        "passed to the front line (including victims never reached)",
        lambda r: float(_rc(r).outcomes[TO_FRONT_LINE])),
    Kpi("rc_partner", "RC to partner agencies", "incidents", RC_SCOPE,
        "passed to partner agencies", lambda r: float(_rc(r).outcomes[TO_PARTNER])),
    Kpi("rc_share_of_incidents", "RC share of incidents", "share", RC_SCOPE,
        "calls graded resolution_centre ÷ calls graded anything but closed", _rc_share),
    Kpi("rc_backlog_end", "RC backlog at the end", "incidents", RC_SCOPE,
        "incidents open (waiting or being worked) when the horizon ended",
        lambda r: float(_rc(r).open_end)),
    Kpi("rc_backlog_mean", "RC backlog, time average", "incidents", RC_SCOPE,
        "open incidents averaged over the measured window",
        lambda r: _rc(r).backlog_area / (r.end_s - r.warmup_s)),
    Kpi("rc_time_to_resolve_h", "RC time to resolve", "h", RC_SCOPE,
        "mean time from reaching the RC to its outcome, of incidents ended",
        lambda r: _rc(r).time_to_resolve_mean_h()),
    Kpi("rc_time_to_resolve_p90_h", "RC time to resolve, 90th percentile", "h", RC_SCOPE,
        "90% of ended incidents took no longer",
        lambda r: _rc(r).time_to_resolve_quantile_h(0.9)),
    Kpi("occupancy", "Occupancy", "share", RC_SCOPE, "investigators' busy ÷ on-duty time",
        lambda r: _ratio(_rc(r).busy_s, _rc(r).staffed_s)),
)

KPIS: dict[str, Kpi] = {
    kpi.name: kpi for kpi in (*LINE_KPIS, *TRIAGE_KPIS, *POOL_KPIS, *RC_KPIS)
}

# every KPI has a range: a new unit must be added to UNIT_RANGES (and a KPI named twice, like
# occupancy for pools and the RC, must mean the same kind of number both times)
for _kpi in (*LINE_KPIS, *TRIAGE_KPIS, *POOL_KPIS, *RC_KPIS):
    if _kpi.unit not in UNIT_RANGES or KPIS[_kpi.name].unit != _kpi.unit:
        raise AssertionError(f"KPI {_kpi.name}: unit {_kpi.unit!r} has no single range")
del _kpi


def kpi_range(name: str) -> tuple[float, float]:
    """(lowest, highest) value KPI ``name`` can take; unbounded for a name that is not a KPI."""
    kpi = KPIS.get(name)
    return kpi.value_range if kpi is not None else (-math.inf, math.inf)


def difference_range(name: str) -> tuple[float, float]:
    """(lowest, highest) difference of two values of KPI ``name`` ([-1, 1] for a share);
    unbounded for a name that is not a KPI."""
    kpi = KPIS.get(name)
    return kpi.difference_range if kpi is not None else (-math.inf, math.inf)


def kpi_rows(tallies: RunTallies) -> list[tuple[str, str, float]]:
    """``(scope, kpi, value)`` for every line and pool KPI of one replication."""
    rows: list[tuple[str, str, float]] = []
    graded = any(line.graded for line in tallies.lines.values())
    for name, line in tallies.lines.items():
        rows.extend((name, kpi.name, float(kpi.compute(line))) for kpi in LINE_KPIS)
        if graded:
            rows.extend((name, kpi.name, float(kpi.compute(line))) for kpi in TRIAGE_KPIS)
    for name, pool in tallies.pools.items():
        rows.extend((name, kpi.name, float(kpi.compute(pool))) for kpi in POOL_KPIS)
    if tallies.rc is not None:
        rows.extend((RC_SCOPE, kpi.name, float(kpi.compute(tallies))) for kpi in RC_KPIS)
    return rows


def rc_daily_frame(tallies: RunTallies, start: date) -> pd.DataFrame:
    """The Resolution Centre's open incidents at each midnight (empty without an RC)."""
    backlog = np.asarray(tallies.rc.daily_backlog if tallies.rc is not None else [], np.int64)
    day = np.arange(backlog.size)
    measured = day * 86400.0 >= tallies.warmup_s  # midnights after the warm-up
    days = pd.Timestamp(start) + pd.to_timedelta(day[measured], unit="D")
    return pd.DataFrame({"day": days, "rc_backlog": backlog[measured]})


def interval_frame(tallies: RunTallies, start: date) -> pd.DataFrame:
    """Per interval (after the warm-up) and line: offered, answered, abandoned, waits, SL."""
    frames = []
    origin = datetime.combine(start, datetime.min.time())
    for name, line in tallies.lines.items():
        first = line.first_counted_interval
        offered = np.asarray(line.offered[first:], dtype=np.int64)
        answered = np.asarray(line.answered[first:], dtype=np.int64)
        abandoned = np.asarray(line.abandoned[first:], dtype=np.int64)
        within = np.asarray(line.answered_within[first:], dtype=np.int64)
        wait_sum = np.asarray(line.wait_sum_s[first:], dtype=float)
        workload = {
            series: np.asarray(getattr(line, series)[first:], dtype=np.int64)
            for series in (
                "callbacks_offered", "callbacks_accepted", "callback_attempts",
                "callback_completions", "redials",
            )
        }
        ended = answered + abandoned
        with np.errstate(invalid="ignore", divide="ignore"):
            asa = np.where(answered > 0, wait_sum / np.maximum(answered, 1), np.nan)
            service_level = np.where(ended > 0, within / np.maximum(ended, 1), np.nan)
        starts = origin + pd.to_timedelta(
            (np.arange(first, first + offered.size) * tallies.interval_s), unit="s"
        )
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "line": name,
                    "offered": offered,
                    "answered": answered,
                    "abandoned": abandoned,
                    "answered_within": within,
                    "wait_sum_s": wait_sum,
                    "asa_s": asa,
                    "service_level": service_level,
                    **workload,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)

