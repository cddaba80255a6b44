"""The KPI registry: every KPI a run reports, defined once — its name, label, unit, range and
how it is computed.

A planner reads each KPI's ``definition``; the code reads its ``formula``. Most KPIs are
formulas of *sums* (calls answered, seconds waited, ...), so one formula serves a whole run's
tallies, one interval's row of the interval series, and a period of intervals (a month, an hour
of the week) alike: the ASA of July is July's wait over July's answered calls, never a mean of
hourly ASAs. The few that are not (a percentile wait, the Resolution Centre's backlog) are
computed from a replication's tallies only.

A line measured at further service-level thresholds (its ``also_within_s``) also has a KPI
for each, ``service_level@15``, made by :func:`service_level_within` with the formula of
``service_level`` (:func:`kpi_named` finds the registry's KPIs and these alike).

Line KPIs are computed over calls that arrived in the measured window (after the warm-up);
pool KPIs over staffed time in that window. Ratios with nothing to divide by are NaN, not 0.

A KPI's range follows from its unit (:data:`UNIT_RANGES`): a share lies in [0, 1]; counts,
times and hours are never negative. Summaries clip their intervals to it
(:func:`kpi_range`, :func:`difference_range`). The names are constants of
:mod:`contactsim.analysis.kpi_names`: import them from there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from contactsim.analysis.duplicate_and_call_back_kpis import CALL_BACK_KPIS, burst_kpis
from contactsim.analysis.kpi_definition import (
    UNIT_RANGES,
    Kpi,
    Sums,
    TallySums,
    as_float,
    formula_kpi,
    ratio,
)
from contactsim.analysis.kpi_names import (
    ABANDON_RATE,
    ABANDONED,
    ANSWERED,
    ASA_S,
    BREAK_LATENESS_MAX_MIN,
    BREAK_LATENESS_MIN,
    BUSY_HOURS,
    CALLBACK_WAIT_S,
    CALLBACKS_ACCEPTED,
    CALLBACKS_COMPLETED,
    CALLBACKS_FAILED,
    CALLBACKS_OFFERED,
    CALLBACKS_PENDING_END,
    CALLBACKS_WITHIN_TARGET,
    DEFLECTED,
    HIGH_OCCUPANCY_SHIFTS,
    LATE_BREAKS,
    LONGEST_BUSY_STRETCH_MAX_MIN,
    LONGEST_BUSY_STRETCH_MIN,
    MISSED_BREAKS,
    OCCUPANCY,
    OFFERED,
    OPERATOR_SHIFTS,
    RC_BACKLOG_END,
    RC_BACKLOG_MEAN,
    RC_FRONT_LINE,
    RC_INCIDENTS,
    RC_PARTNER,
    RC_RESOLVED,
    RC_SHARE_OF_INCIDENTS,
    RC_TIME_TO_RESOLVE_H,
    RC_TIME_TO_RESOLVE_P90_H,
    REDIALS,
    SERVICE_LEVEL,
    STAFFED_HOURS,
    SWITCHED_TO_999,
    UNIQUE_CALLERS,
    WAIT_P90_S,
    WAITING_END,
    answered_within_column,
    service_level_at,
    triage_kpi,
    within_seconds,
)
from contactsim.analysis.overflow_and_outage_kpis import OUTAGE_KPIS, OVERFLOW_KPIS, ended
from contactsim.engine.records import (
    CLOSED,
    RESOLVED,
    TO_FRONT_LINE,
    TO_PARTNER,
    TO_RESOLUTION_CENTRE,
    TRIAGE_OUTCOMES,
    RCTally,
    RunTallies,
)

__all__ = [
    "BURST_KPIS", "CALL_BACK_KPIS", "INTERVAL_SUMS", "KPIS", "LINE_KPIS", "POOL_KPIS", "RC_KPIS",
    "RC_SCOPE", "SERVICE_TARGET_KPIS", "TRIAGE_KPIS", "UNIT_RANGES", "Kpi", "TallySums",
    "computable_from", "difference_range", "kpi_named", "kpi_range", "kpi_rows", "ratio",
    "service_level_within",
]

#: The answered wait percentile reported as ``wait_p90_s``.
WAIT_PERCENTILE = 0.90
#: The Resolution Centre's time-to-resolve percentile reported as ``rc_time_to_resolve_p90_h``.
RESOLVE_PERCENTILE = 0.90
SECONDS_PER_HOUR = 3600.0

#: The sums every row of the interval series carries (see
#: :func:`~contactsim.analysis.intervals.interval_frame`): a KPI made
#: of these alone can be computed over any set of intervals — a month, an hour of the week.
#: (``overflowed`` came last: series written before it have none, read as 0.)
INTERVAL_SUMS = ("offered", "answered", "abandoned", "answered_within", "wait_sum_s",
                 "overflowed")


_kpi = formula_kpi


def _count(name: str, label: str, unit: str, definition: str, series: str = "") -> Kpi:
    """A line KPI that is one sum (``series``, by default the KPI's own name) as it is."""
    series = series or name
    return _kpi(name, label, unit, "line", definition, (series,),
                lambda s: as_float(s[series]))


_ended = ended  # answered + abandoned + overflowed: see overflow_and_outage_kpis


def _occupancy(s: Sums) -> Any:
    return ratio(s["busy_s"], s["staffed_s"])


LINE_KPIS: tuple[Kpi, ...] = (
    _count(OFFERED, "Calls offered", "calls",
           "calls that arrived in the measured window and queued (online shift excluded)"),
    _count(ANSWERED, "Calls answered", "calls", "offered calls an operator answered"),
    _count(ABANDONED, "Calls abandoned", "calls",
           "offered calls whose caller hung up while queueing"),
    _kpi(ABANDON_RATE, "Abandon rate", "share", "line",
         "abandoned ÷ (answered + abandoned + overflowed)",
         ("abandoned", "answered", "overflowed"), lambda s: ratio(s["abandoned"], _ended(s)),
         better="lower"),
    _kpi(ASA_S, "Average speed of answer", "s", "line", "mean wait of answered calls",
         ("wait_sum_s", "answered"), lambda s: ratio(s["wait_sum_s"], s["answered"]),
         short="ASA (s)", better="lower"),
    Kpi(WAIT_P90_S, "90th percentile wait", "s", "line",
        "90% of answered calls waited no longer (one-second resolution)",
        lambda t: t.wait_quantile_s(WAIT_PERCENTILE), short="90th percentile wait (s)"),
    _kpi(SERVICE_LEVEL, "Service level", "share", "line",
         "answered within the line's service_level_s ÷ (answered + abandoned + overflowed): "
         "a call sent to a neighbouring force was not answered here in time",
         ("answered_within", "answered", "abandoned", "overflowed"),
         lambda s: ratio(s["answered_within"], _ended(s)), better="higher"),
    _count(DEFLECTED, "Callers deflected online", "calls",
           "callers who took the online/IVR route (online_shift) and never queued"),
    _count(WAITING_END, "Still waiting at the end", "calls",
           "offered calls still queued when the horizon ended"),
    _count(CALLBACKS_OFFERED, "Callbacks offered", "calls",
           "callers still queueing at the callback threshold, inside the hours, offered a "
           "callback"),
    _count(CALLBACKS_ACCEPTED, "Callbacks accepted", "calls",
           "offered callbacks the caller accepted (they left the live queue)"),
    _count(CALLBACKS_COMPLETED, "Callbacks completed", "calls",
           "accepted callbacks in which an operator reached the caller"),
    _count(CALLBACKS_FAILED, "Callbacks failed", "calls",
           "accepted callbacks whose every attempt went unanswered"),
    _count(CALLBACKS_PENDING_END, "Callbacks pending at the end", "calls",
           "accepted callbacks neither completed nor failed when the horizon ended"),
    _kpi(CALLBACK_WAIT_S, "Callback wait", "s", "line",
         "mean time from accepting a callback to being reached, of completed callbacks",
         ("callback_wait_sum_s", "callbacks_completed"),
         lambda s: ratio(s["callback_wait_sum_s"], s["callbacks_completed"]), better="lower"),
    _kpi(CALLBACKS_WITHIN_TARGET, "Callbacks within target", "share", "line",
         "completed within the callback's complete_within_s ÷ (completed + failed)",
         ("callbacks_completed_within_target", "callbacks_completed", "callbacks_failed"),
         lambda s: ratio(s["callbacks_completed_within_target"],
                         s["callbacks_completed"] + s["callbacks_failed"]), better="higher"),
    _count(REDIALS, "Redials", "calls",
           "offered calls made by a caller who had abandoned before (on this line or 101 → 999)"),
    _kpi(UNIQUE_CALLERS, "Unique callers", "callers", "line",
         "offered calls that were not redials: each caller counted once, at their first call",
         ("offered", "redials"), lambda s: as_float(s["offered"] - s["redials"])),
    _count(SWITCHED_TO_999, "Redials switched to 999", "calls",
           "this line's abandoning callers who rang again on 999 instead"),
    *OVERFLOW_KPIS,
)

POOL_KPIS: tuple[Kpi, ...] = (
    _kpi(OCCUPANCY, "Occupancy", "share", "pool", "busy time ÷ staffed time",
         ("busy_s", "staffed_s"), _occupancy),
    _kpi(STAFFED_HOURS, "Staffed operator-hours", "h", "pool",
         "operator-hours on duty after shrinkage", ("staffed_s",),
         lambda s: s["staffed_s"] / SECONDS_PER_HOUR),
    _kpi(BUSY_HOURS, "Busy operator-hours", "h", "pool", "operator-hours spent handling calls",
         ("busy_s",), lambda s: s["busy_s"] / SECONDS_PER_HOUR),
    # the load on the pool's people, over the operator-shifts that began in the window (a
    # person's shift on one day; on flat or per-interval staffing, a person's day)
    _kpi(OPERATOR_SHIFTS, "Operator-shifts", "shifts", "pool",
         "shifts worked, one per person per shift (or day, without shifts)", ("shifts",),
         lambda s: as_float(s["shifts"])),
    _kpi(HIGH_OCCUPANCY_SHIFTS, "High-occupancy shifts", "share", "pool",
         "operator-shifts busy more than the pool's high_occupancy of their time on the phones "
         "÷ operator-shifts", ("high_occupancy_shifts", "shifts"),
         lambda s: ratio(s["high_occupancy_shifts"], s["shifts"]), better="lower"),
    _kpi(LONGEST_BUSY_STRETCH_MIN, "Longest busy stretch", "min", "pool",
         "each operator-shift's longest unbroken busy stretch (calls back to back), averaged "
         "over operator-shifts", ("longest_stretch_sum_s", "shifts"),
         lambda s: ratio(s["longest_stretch_sum_s"], s["shifts"]) / 60.0, better="lower"),
    _kpi(LONGEST_BUSY_STRETCH_MAX_MIN, "Longest busy stretch, most", "min", "pool",
         "the longest unbroken busy stretch of any operator-shift", ("longest_stretch_max_s",),
         lambda s: s["longest_stretch_max_s"] / 60.0),
    _kpi(LATE_BREAKS, "Late breaks", "share", "pool",
         "breaks started after they were due (the operator was on a call) ÷ breaks taken",
         ("breaks_late", "breaks_taken"), lambda s: ratio(s["breaks_late"], s["breaks_taken"]),
         better="lower"),
    _kpi(BREAK_LATENESS_MIN, "Break lateness", "min", "pool",
         "how late a late break started, on average", ("break_late_sum_s", "breaks_late"),
         lambda s: ratio(s["break_late_sum_s"], s["breaks_late"]) / 60.0),
    _kpi(BREAK_LATENESS_MAX_MIN, "Break lateness, most", "min", "pool",
         "the latest any break started after it was due", ("break_late_max_s",),
         lambda s: s["break_late_max_s"] / 60.0),
    _kpi(MISSED_BREAKS, "Missed breaks", "breaks", "pool",
         "breaks still owed when the operator's shift ended", ("breaks_missed",),
         lambda s: as_float(s["breaks_missed"]), better="lower"),
    *OUTAGE_KPIS,
)

TRIAGE_KPIS: tuple[Kpi, ...] = tuple(
    Kpi(triage_kpi(outcome), f"Graded {outcome.replace('_', ' ')}", "calls", "line",
        f"answered calls and completed callbacks graded {outcome.replace('_', ' ')}",
        lambda t, index=index: float(t.triaged[index]))
    for index, outcome in enumerate(TRIAGE_OUTCOMES)
)

#: Scope of the Resolution Centre's KPIs in the results.
RC_SCOPE = "resolution_centre"


def _rc_share(run: RunTallies) -> float:
    referred = sum(t.triaged[TO_RESOLUTION_CENTRE] for t in run.lines.values())
    incidents = sum(sum(t.triaged) - t.triaged[CLOSED] for t in run.lines.values())
    return float(ratio(referred, incidents))


def _rc(run: RunTallies) -> RCTally:
    assert run.rc is not None
    return run.rc


RC_KPIS: tuple[Kpi, ...] = (
    Kpi(RC_INCIDENTS, "RC incidents", "incidents", RC_SCOPE,
        "incidents that reached the Resolution Centre in the window",
        lambda r: float(_rc(r).incidents)),
    Kpi(RC_RESOLVED, "RC resolved", "incidents", RC_SCOPE, "of those, resolved by the RC",
        lambda r: float(_rc(r).outcomes[RESOLVED])),
    Kpi(RC_FRONT_LINE, "RC to front line", "incidents", RC_SCOPE,
        "passed to the front line (including victims never reached)",
        lambda r: float(_rc(r).outcomes[TO_FRONT_LINE])),
    Kpi(RC_PARTNER, "RC to partner agencies", "incidents", RC_SCOPE,
        "passed to partner agencies", lambda r: float(_rc(r).outcomes[TO_PARTNER])),
    Kpi(RC_SHARE_OF_INCIDENTS, "RC share of incidents", "share", RC_SCOPE,
        "calls graded resolution_centre ÷ calls graded anything but closed", _rc_share),
    Kpi(RC_BACKLOG_END, "RC backlog at the end", "incidents", RC_SCOPE,
        "incidents open (waiting or being worked) when the horizon ended",
        lambda r: float(_rc(r).open_end)),
    Kpi(RC_BACKLOG_MEAN, "RC backlog, time average", "incidents", RC_SCOPE,
        "open incidents averaged over the measured window",
        lambda r: _rc(r).backlog_area / (r.end_s - r.warmup_s)),
    Kpi(RC_TIME_TO_RESOLVE_H, "RC time to resolve", "h", RC_SCOPE,
        "mean time from reaching the RC to its outcome, of incidents ended",
        lambda r: _rc(r).time_to_resolve_mean_h()),
    Kpi(RC_TIME_TO_RESOLVE_P90_H, "RC time to resolve, 90th percentile", "h", RC_SCOPE,
        "90% of ended incidents took no longer",
        lambda r: _rc(r).time_to_resolve_quantile_h(RESOLVE_PERCENTILE)),
    # the pools' occupancy formula, over the investigators' sums
    Kpi(OCCUPANCY, "Occupancy", "share", RC_SCOPE, "investigators' busy ÷ on-duty time",
        lambda r: float(_occupancy(TallySums(_rc(r)))), ("busy_s", "staffed_s"), _occupancy),
)

#: KPIs of a line with bursts (its duplicates) and of one whose silent and dropped calls are
#: called back: reported for those lines only
BURST_KPIS = burst_kpis(next(kpi for kpi in LINE_KPIS if kpi.name == SERVICE_LEVEL))

KPIS: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (*LINE_KPIS, *TRIAGE_KPIS, *BURST_KPIS, *CALL_BACK_KPIS, *POOL_KPIS, *RC_KPIS)
}

# every KPI has a range: a new unit must be added to UNIT_RANGES (and a KPI named twice, like
# occupancy for pools and the RC, must mean the same kind of number both times)
for _kpi_checked in (*LINE_KPIS, *TRIAGE_KPIS, *BURST_KPIS, *CALL_BACK_KPIS, *POOL_KPIS,
                     *RC_KPIS):
    if (_kpi_checked.unit not in UNIT_RANGES
            or KPIS[_kpi_checked.name].unit != _kpi_checked.unit):
        raise AssertionError(f"KPI {_kpi_checked.name}: unit {_kpi_checked.unit!r} has no "
                             "single range")
del _kpi_checked


def computable_from(sums: Iterable[str], kpis: Iterable[Kpi] = LINE_KPIS) -> tuple[Kpi, ...]:
    """The KPIs of ``kpis`` whose formula reads only ``sums`` (e.g. :data:`INTERVAL_SUMS`:
    the KPIs of a period of intervals)."""
    available = set(sums)
    return tuple(k for k in kpis if k.formula is not None and set(k.sums) <= available)


#: The KPIs a staffing target may name (``999: service_level >= 0.9``): those computed over
#: any period of intervals that have a better direction; True where higher is better.
SERVICE_TARGET_KPIS: dict[str, bool] = {
    kpi.name: kpi.higher_is_better for kpi in computable_from(INTERVAL_SUMS)
    if kpi.higher_is_better is not None
}


def service_level_within(seconds: float) -> Kpi:
    """The service level of a line within ``seconds``, one of its ``also_within_s`` thresholds
    (``service_level@15``): the formula of ``service_level`` over the calls answered within
    that threshold (the sum ``answered_within_15s``)."""
    within = answered_within_column(seconds)

    def formula(s: Sums) -> Any:
        return ratio(s[within], _ended(s))

    def compute(tally: Any) -> float:  # a LineTally measured at ``seconds``
        first = tally.first_counted_interval
        return float(formula({within: sum(tally.answered_within_at(seconds)[first:]),
                              "answered": tally.total("answered"),
                              "abandoned": tally.total("abandoned"),
                              "overflowed": tally.total("overflowed")}))

    return Kpi(service_level_at(seconds), f"Service level within {seconds:g} s", "share",
               "line", f"answered within {seconds:g} s ÷ (answered + abandoned + overflowed)",
               compute, (within, "answered", "abandoned", "overflowed"), formula,
               f"service level within {seconds:g} s", "higher")


def kpi_named(name: str) -> Kpi | None:
    """The KPI called ``name``: the registry's, or a service level at a further threshold
    (``service_level@15``); None for a name that is neither."""
    found = KPIS.get(name)
    if found is None and (seconds := within_seconds(name)) is not None:
        return service_level_within(seconds)
    return found


def kpi_range(name: str) -> tuple[float, float]:
    """(lowest, highest) value KPI ``name`` can take; unbounded for a name that is not a KPI."""
    kpi = kpi_named(name)
    return kpi.value_range if kpi is not None else (-math.inf, math.inf)


def difference_range(name: str) -> tuple[float, float]:
    """(lowest, highest) difference of two values of KPI ``name`` ([-1, 1] for a share);
    unbounded for a name that is not a KPI."""
    kpi = kpi_named(name)
    return kpi.difference_range if kpi is not None else (-math.inf, math.inf)


def kpi_rows(tallies: RunTallies) -> list[tuple[str, str, float]]:
    """``(scope, kpi, value)`` for every line and pool KPI of one replication; a line measured
    at further thresholds has their service levels right after its own."""
    rows: list[tuple[str, str, float]] = []
    graded = any(line.graded for line in tallies.lines.values())
    for name, line in tallies.lines.items():
        for kpi in LINE_KPIS:
            rows.append((name, kpi.name, float(kpi.compute(line))))
            if kpi.name == SERVICE_LEVEL:
                rows.extend((name, within.name, within.compute(line)) for within in
                            map(service_level_within, line.also_within_s))
        if graded:
            rows.extend((name, kpi.name, float(kpi.compute(line))) for kpi in TRIAGE_KPIS)
        if line.bursts is not None:
            rows.extend((name, kpi.name, float(kpi.compute(line))) for kpi in BURST_KPIS)
        if line.call_backs is not None:
            rows.extend((name, kpi.name, float(kpi.compute(line))) for kpi in CALL_BACK_KPIS)
    for name, pool in tallies.pools.items():
        rows.extend((name, kpi.name, float(kpi.compute(pool))) for kpi in POOL_KPIS)
    if tallies.rc is not None:
        rows.extend((RC_SCOPE, kpi.name, float(kpi.compute(tallies))) for kpi in RC_KPIS)
    return rows
