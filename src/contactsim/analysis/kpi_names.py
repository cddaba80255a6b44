"""The names of the KPIs, as constants: what summary.csv, targets files and ``--target`` call them.

Import a name from here instead of spelling ``"service_level"`` again: a typo is then an
import error, not a KPI that silently never matches. The registry in
:mod:`contactsim.analysis.kpis` is the only place that says what each name means.
"""

from __future__ import annotations

# --- a line's calls: counted over calls that arrived after the warm-up
OFFERED = "offered"
ANSWERED = "answered"
ABANDONED = "abandoned"
ABANDON_RATE = "abandon_rate"
ASA_S = "asa_s"
WAIT_P90_S = "wait_p90_s"
SERVICE_LEVEL = "service_level"
#: a service level at another threshold than the line's own: ``service_level@15``
SERVICE_LEVEL_AT = SERVICE_LEVEL + "@"
DEFLECTED = "deflected"
WAITING_END = "waiting_end"
CALLBACKS_OFFERED = "callbacks_offered"
CALLBACKS_ACCEPTED = "callbacks_accepted"
CALLBACKS_COMPLETED = "callbacks_completed"
CALLBACKS_FAILED = "callbacks_failed"
CALLBACKS_PENDING_END = "callbacks_pending_end"
CALLBACK_WAIT_S = "callback_wait_s"
CALLBACKS_WITHIN_TARGET = "callbacks_within_target"
REDIALS = "redials"
UNIQUE_CALLERS = "unique_callers"
SWITCHED_TO_999 = "switched_to_999"
OVERFLOWED = "overflowed"
OVERFLOW_RATE = "overflow_rate"

# --- a line with bursts: its duplicate calls (further calls about one incident)
DUPLICATES_OFFERED = "duplicates_offered"
DUPLICATES_ANSWERED = "duplicates_answered"
DUPLICATES_ABANDONED = "duplicates_abandoned"
SERVICE_LEVEL_EXCLUDING_DUPLICATES = "service_level_excluding_duplicates"

# --- a line whose silent and dropped calls are called back (not the 101 callback desk's
# ``callbacks_*``: those are offered to callers still queueing)
SILENT_CALLS = "silent_calls"
CALL_BACKS_DUE = "call_backs_due"
CALL_BACKS_MADE = "call_backs_made"
CALL_BACKS_PENDING_END = "call_backs_pending_end"
CALL_BACK_WAIT_S = "call_back_wait_s"
CALL_BACK_HOURS = "call_back_hours"

# --- a line's triage: answered calls by the grade they were given (``triage_<outcome>``)
TRIAGE_PREFIX = "triage_"

# --- an operator pool (and the Resolution Centre's investigators, for occupancy)
OCCUPANCY = "occupancy"
STAFFED_HOURS = "staffed_hours"
BUSY_HOURS = "busy_hours"
# ... and the load on its people, over their operator-shifts
OPERATOR_SHIFTS = "operator_shifts"
HIGH_OCCUPANCY_SHIFTS = "high_occupancy_shifts"
LONGEST_BUSY_STRETCH_MIN = "longest_busy_stretch_min"
LONGEST_BUSY_STRETCH_MAX_MIN = "longest_busy_stretch_max_min"
LATE_BREAKS = "late_breaks"
BREAK_LATENESS_MIN = "break_lateness_min"
BREAK_LATENESS_MAX_MIN = "break_lateness_max_min"
MISSED_BREAKS = "missed_breaks"
OUTAGE_HOURS = "outage_hours"

# --- the Resolution Centre
RC_INCIDENTS = "rc_incidents"
RC_RESOLVED = "rc_resolved"
RC_FRONT_LINE = "rc_front_line"
RC_PARTNER = "rc_partner"
RC_SHARE_OF_INCIDENTS = "rc_share_of_incidents"
RC_BACKLOG_END = "rc_backlog_end"
RC_BACKLOG_MEAN = "rc_backlog_mean"
RC_TIME_TO_RESOLVE_H = "rc_time_to_resolve_h"
RC_TIME_TO_RESOLVE_P90_H = "rc_time_to_resolve_p90_h"


def triage_kpi(outcome: str) -> str:
    """The KPI counting a line's calls graded ``outcome`` (one of the engine's
    ``TRIAGE_OUTCOMES``), e.g. ``triage_grade1``."""
    return f"{TRIAGE_PREFIX}{outcome}"


def service_level_at(seconds: float) -> str:
    """The KPI of a line's service level within ``seconds`` (one of the line's
    ``also_within_s``), e.g. ``service_level@15``."""
    return f"{SERVICE_LEVEL_AT}{seconds:g}"


def answered_within_column(seconds: float) -> str:
    """The interval series counting calls answered within ``seconds``, e.g.
    ``answered_within_15s``: the sum :func:`service_level_at` is made of."""
    return f"answered_within_{seconds:g}s"


def within_seconds(kpi: str) -> float | None:
    """The threshold of a :func:`service_level_at` KPI (15.0 for ``service_level@15``); None
    for any other name, or a threshold that is not a number of seconds (0 or more)."""
    if not kpi.startswith(SERVICE_LEVEL_AT):
        return None
    text = kpi[len(SERVICE_LEVEL_AT):].removesuffix("s")
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds + 0.0 if 0 <= seconds < float("inf") else None  # + 0.0: never -0
