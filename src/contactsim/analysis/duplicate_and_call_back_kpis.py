"""The KPIs of a line's bursts (its duplicate calls) and of its silent and dropped calls'
call-backs; reported only for the lines that have them.

A line's duplicates count in its usual KPIs (offered, answered, service level, ...) and apart:
``duplicates_offered``, ``duplicates_answered``, ``duplicates_abandoned``, and
``service_level_excluding_duplicates`` — the registry's own service-level formula over the
line's sums less its duplicates' (:func:`burst_kpis`). Call-backs: ``silent_calls``,
``call_backs_due``, ``call_backs_made``, ``call_backs_pending_end``, ``call_back_wait_s`` (from
the call's end or abandonment to the call-back) and ``call_back_hours`` (operator time).

Every figure is counted by the interval the call rang in, after the warm-up, like the line's
own; their per-interval series go into the interval frame (:func:`extra_interval_series`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contactsim.analysis.kpi_definition import Formula, Kpi, Sums, TallySums, as_float, ratio
from contactsim.analysis.kpi_names import (
    CALL_BACK_HOURS,
    CALL_BACK_WAIT_S,
    CALL_BACKS_DUE,
    CALL_BACKS_MADE,
    CALL_BACKS_PENDING_END,
    DUPLICATES_ABANDONED,
    DUPLICATES_ANSWERED,
    DUPLICATES_OFFERED,
    SERVICE_LEVEL_EXCLUDING_DUPLICATES,
    SILENT_CALLS,
)
from contactsim.engine.records import LineTally

__all__ = ["CALL_BACK_KPIS", "LineSums", "burst_kpis", "extra_interval_series"]

#: The line sums a duplicate has a share of (``duplicates_<sum>``): the line's figure less the
#: duplicates' is that of its other calls.
DUPLICATE_SUMS = ("offered", "answered", "answered_within", "abandoned", "overflowed")
SECONDS_PER_HOUR = 3600.0


class LineSums:
    """A line tally's sums by name (:class:`TallySums`), its duplicates' and call-backs'
    included."""

    def __init__(self, tally: LineTally) -> None:
        self.parts = [part for part in (tally, tally.bursts, tally.call_backs) if part is not None]

    def __getitem__(self, name: str) -> Any:
        for part in self.parts:
            if hasattr(part, name):
                return TallySums(part)[name]
        raise KeyError(name)


class _NetOfDuplicates:
    """Sums of a line's calls other than its duplicates: each of :data:`DUPLICATE_SUMS` less
    the duplicates' share (none where the sums have no duplicates' figure)."""

    def __init__(self, sums: Sums) -> None:
        self.sums = sums

    def __getitem__(self, name: str) -> Any:
        value = self.sums[name]
        if name not in DUPLICATE_SUMS:
            return value
        try:
            return value - self.sums[f"duplicates_{name}"]
        except (KeyError, AttributeError):
            return value


def _line_kpi(name: str, label: str, unit: str, definition: str, sums: tuple[str, ...],
              formula: Formula, better: str | None = None) -> Kpi:
    """A line KPI that is a formula of the line's sums, duplicates' and call-backs' included."""
    return Kpi(name, label, unit, "line", definition,
               lambda tally: float(formula(LineSums(tally))), sums, formula, better=better)


def _count(name: str, label: str, definition: str, series: str = "") -> Kpi:
    series = series or name
    return _line_kpi(name, label, "calls", definition, (series,), lambda s: as_float(s[series]))


def burst_kpis(service_level: Kpi) -> tuple[Kpi, ...]:
    """The KPIs of a line with bursts; ``service_level`` is the registry's (its formula, over
    sums net of the duplicates, gives the service level without them)."""
    assert service_level.formula is not None
    formula = service_level.formula

    def excluding_duplicates(s: Sums) -> Any:
        return formula(_NetOfDuplicates(s))

    return (
        _count(DUPLICATES_OFFERED, "Duplicate calls offered",
               "further calls about an incident already reported (a burst), offered: counted "
               "in the line's offered calls too"),
        _count(DUPLICATES_ANSWERED, "Duplicate calls answered",
               "duplicate calls an operator answered (in their own handle time; not triaged)"),
        _count(DUPLICATES_ABANDONED, "Duplicate calls abandoned",
               "duplicate calls whose caller hung up while queueing (they never ring again)"),
        _line_kpi(SERVICE_LEVEL_EXCLUDING_DUPLICATES, "Service level excluding duplicates",
                  "share", "the line's service level over its calls other than duplicates: "
                  "each of its sums less the duplicates'",
                  (*service_level.sums, *(f"duplicates_{name}" for name in DUPLICATE_SUMS
                                          if name in service_level.sums)),
                  excluding_duplicates, better="higher"),
    )


CALL_BACK_KPIS: tuple[Kpi, ...] = (
    _count(SILENT_CALLS, "Silent calls", "answered calls in which nobody spoke (each called back)"),
    _count(CALL_BACKS_DUE, "Call-backs due",
           "silent calls ended and dropped calls (callers who hung up before answer) to call "
           "back"),
    _count(CALL_BACKS_MADE, "Call-backs made", "call-backs due that an operator made"),
    _count(CALL_BACKS_PENDING_END, "Call-backs pending at the end",
           "call-backs due still to be made when the horizon ended"),
    _line_kpi(CALL_BACK_WAIT_S, "Call-back wait", "s",
              "mean time from a silent call's end, or a caller hanging up, to the call-back",
              ("call_back_wait_sum_s", "call_backs_made"),
              lambda s: ratio(s["call_back_wait_sum_s"], s["call_backs_made"]), better="lower"),
    _line_kpi(CALL_BACK_HOURS, "Call-back operator-hours", "h",
              "operator-hours spent making call-backs", ("call_back_busy_s",),
              lambda s: s["call_back_busy_s"] / SECONDS_PER_HOUR),
)


def extra_interval_series(line: LineTally) -> dict[str, np.ndarray]:
    """A line's duplicates' and call-backs' series per interval after the warm-up (none for a
    line without them)."""
    first = line.first_counted_interval
    series: dict[str, np.ndarray] = {}
    for part in (line.bursts, line.call_backs):
        if part is not None:
            for name in part.SERIES:
                series[name] = np.asarray(getattr(part, name)[first:],
                                          dtype=float if name.endswith("_s") else np.int64)
    return series
