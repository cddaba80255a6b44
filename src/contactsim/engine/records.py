"""What the model emits: per-call records (optional) and streaming tallies (always).

Tallies keep counts per reporting interval, each call counted in the interval it arrived in, so
line totals over the measured window are sums over the intervals after the warm-up, and memory
grows with the number of intervals only. Answered waits also go into a one-second histogram for
percentiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from contactsim.engine.bursts import BurstTally
    from contactsim.engine.dropped_calls import CallBackTally

#: Histogram of answered waits: one-second bins up to this many seconds; longer waits kept exactly.
WAIT_HISTOGRAM_S = 4 * 3600
#: Histogram of RC time to resolve: one-minute bins up to this many minutes (30 days).
RESOLVE_HISTOGRAM_MIN = 30 * 24 * 60


#: What triage makes of a graded call, in the order of :attr:`LineTally.triaged`: closed at
#: the call, a grade 1 or grade 2 deployment, a scheduled appointment, or referred to the
#: Resolution Centre.
TRIAGE_OUTCOMES = ("closed", "grade1", "grade2", "scheduled", "resolution_centre")
CLOSED, GRADE1, GRADE2, SCHEDULED, TO_RESOLUTION_CENTRE = range(len(TRIAGE_OUTCOMES))
#: What becomes of a Resolution Centre incident, in the order of :attr:`RCTally.outcomes`:
#: resolved by phone, sent to the front line, or passed to a partner agency.
RC_OUTCOMES = ("resolved", "front_line", "partner")
RESOLVED, TO_FRONT_LINE, TO_PARTNER = range(len(RC_OUTCOMES))


class CallRecord(NamedTuple):
    """How one offered call ended: ``outcome`` is answered, abandoned, callback (accepted a
    callback), overflowed (sent to a neighbouring force) or waiting (still queued at the end).
    ``caller_id`` is shared by a caller's redials; ``attempt`` counts that caller's calls, the
    first being 1."""

    call_id: int
    line: str
    arrival_s: float
    outcome: str
    wait_s: float
    pool: str
    handle_s: float
    caller_id: int = -1
    attempt: int = 1


@dataclass
class LineTally:
    """Counts of one line, per interval of arrival.

    Answered calls are counted within the line's ``service_level_s`` (``answered_within``)
    and, for each further threshold of ``also_within_s``, by those that waited longer than it
    (``answered_after``: within it are the answered less these, so that a call answered at
    once, the most common, costs nothing more).
    """

    name: str
    service_level_s: float
    n_intervals: int
    first_counted_interval: int
    offered: list[int] = field(init=False)
    answered: list[int] = field(init=False)
    abandoned: list[int] = field(init=False)
    answered_within: list[int] = field(init=False)
    wait_sum_s: list[float] = field(init=False)
    #: callbacks offered and accepted, by the interval the caller first rang in
    callbacks_offered: list[int] = field(init=False)
    callbacks_accepted: list[int] = field(init=False)
    #: callback workload: attempts started, and attempts that reached the caller, per interval
    callback_attempts: list[int] = field(init=False)
    callback_completions: list[int] = field(init=False)
    #: offered calls that were a redial, and redials of this line's callers made on the line
    #: redials switch to (RedialInputs.switch_line: the emergency line, 999, in the scenarios)
    redials: list[int] = field(init=False)
    switched_to_999: list[int] = field(init=False)
    #: offered calls sent to a neighbouring force after queueing too long (see
    #: contactsim.engine.overflow)
    overflowed: list[int] = field(init=False)
    #: calls answered at once on the engine's short path (no ``Call`` made), per interval:
    #: counted here alone while the run goes on (one count, not four), and added to
    #: ``offered``, ``answered``, ``answered_within`` and ``zero_waits`` by
    #: :meth:`settle_answered_at_once` at its end (then all zero)
    answered_at_once: list[int] = field(init=False, repr=False)
    deflected: int = 0
    waiting_end: int = 0
    #: outcomes of callbacks accepted by callers counted in the window
    callbacks_completed: int = 0
    callbacks_failed: int = 0
    callbacks_pending_end: int = 0
    callbacks_completed_within_target: int = 0
    callback_wait_sum_s: float = 0.0
    #: graded calls counted in the window: closed, grade1, grade2, scheduled, RC
    triaged: list[int] = field(default_factory=lambda: [0] * len(TRIAGE_OUTCOMES))
    graded: bool = False  # whether the line has a triage rule
    #: waits of calls answered in the window: answered at once (zero), one-second bins below
    #: WAIT_HISTOGRAM_S (bin i: i <= wait < i + 1), and longer waits kept exactly
    zero_waits: int = 0
    wait_histogram: list[int] = field(init=False)
    long_waits_s: list[float] = field(default_factory=list)
    also_within_s: tuple[float, ...] = ()
    #: per threshold of ``also_within_s``: calls answered after waiting longer, per interval
    answered_after: list[list[int]] = field(init=False)
    #: the smallest of ``also_within_s`` (infinite without any): a shorter wait counts nowhere
    after_from_s: float = field(init=False)
    #: a line with bursts: its duplicates, counted apart (see contactsim.engine.bursts)
    bursts: BurstTally | None = field(default=None, repr=False)
    #: a line whose silent or dropped calls are called back (contactsim.engine.dropped_calls)
    call_backs: CallBackTally | None = field(default=None, repr=False)
    _after: tuple[tuple[float, list[int]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.n_intervals
        self.answered_after = [[0] * n for _ in self.also_within_s]
        self.after_from_s = min(self.also_within_s, default=math.inf)
        self._after = tuple(zip(self.also_within_s, self.answered_after, strict=True))
        self.offered = [0] * n
        self.answered = [0] * n
        self.abandoned = [0] * n
        self.answered_within = [0] * n
        self.wait_sum_s = [0.0] * n
        self.callbacks_offered = [0] * n
        self.callbacks_accepted = [0] * n
        self.callback_attempts = [0] * n
        self.callback_completions = [0] * n
        self.redials = [0] * n
        self.switched_to_999 = [0] * n
        self.overflowed = [0] * n
        self.answered_at_once = [0] * n
        self.wait_histogram = [0] * WAIT_HISTOGRAM_S

    def total(self, series: str) -> float:
        """Sum of one per-interval series over the measured window (after the warm-up)."""
        return sum(getattr(self, series)[self.first_counted_interval :])

    def settle_answered_at_once(self) -> None:
        """Add the calls answered at once on the short path to the series they count in
        (offered, answered, answered within the service level, and zero waits in the window);
        called at the end of the run, before the tallies are read."""
        at_once = self.answered_at_once
        for series in (self.offered, self.answered, self.answered_within):
            for interval, count in enumerate(at_once):
                series[interval] += count
        self.zero_waits += sum(at_once[self.first_counted_interval :])
        self.answered_at_once = [0] * self.n_intervals

    def count_answered_after(self, wait_s: float, interval: int) -> None:
        """Count a call answered after ``wait_s`` against each threshold it waited longer than
        (called only for waits longer than :attr:`after_from_s`)."""
        for threshold_s, after in self._after:
            if wait_s > threshold_s:
                after[interval] += 1

    def answered_within_at(self, seconds: float) -> list[int]:
        """Calls answered within ``seconds`` (one of ``also_within_s``), per interval."""
        after = self.answered_after[self.also_within_s.index(seconds)]
        return [answered - late for answered, late in zip(self.answered, after, strict=True)]

    def wait_quantile_s(self, q: float) -> float:
        """The ``q`` quantile of answered waits, interpolated within one-second bins."""
        return histogram_quantile(q, self.zero_waits, self.wait_histogram, self.long_waits_s, 1.0)


def histogram_quantile(
    q: float, zeros: int, counts: list[int], beyond: list[float], bin_width: float
) -> float:
    """The ``q`` quantile of values kept as a histogram: ``zeros`` values of exactly 0,
    ``counts[i]`` values in ``[i, i + 1) x bin_width``, and the values ``beyond`` the last bin
    kept exactly. Interpolated linearly within a bin; NaN if there are no values."""
    bins = np.asarray(counts, dtype=float)
    n = zeros + bins.sum() + len(beyond)
    if n == 0:
        return math.nan
    rank = q * n
    if rank <= zeros:
        return 0.0
    cumulative = zeros + np.cumsum(bins)
    if rank <= cumulative[-1]:
        index = int(np.searchsorted(cumulative, rank, side="left"))
        before = cumulative[index - 1] if index else zeros
        return (index + (rank - before) / bins[index]) * bin_width
    tail = sorted(beyond)
    return tail[min(len(tail) - 1, math.ceil(rank - cumulative[-1]) - 1)]


@dataclass
class PoolTally:
    """One pool over the measured window: operator-seconds on the phones (``staffed_s``: on
    duty and not on a break) and busy, in total and per interval; and the load on its people,
    summed over the operator-shifts that began in the window (see
    :mod:`contactsim.engine.operator`).

    ``high_occupancy`` is the occupancy above which an operator-shift counts in
    ``high_occupancy_shifts``. Breaks are counted when taken or missed: ``breaks_late`` of the
    ``breaks_taken`` started after their due time, by ``break_late_sum_s`` in all (the most
    ``break_late_max_s``); ``breaks_missed`` came due but could not be taken before the shift
    ended.
    """

    name: str
    staffed_s: float = 0.0
    busy_s: float = 0.0
    high_occupancy: float = 0.85
    #: per interval of the horizon (every interval, the warm-up's included)
    staffed_s_by_interval: list[float] = field(default_factory=list)
    busy_s_by_interval: list[float] = field(default_factory=list)
    shifts: int = 0
    high_occupancy_shifts: int = 0
    longest_stretch_sum_s: float = 0.0
    longest_stretch_max_s: float = 0.0
    breaks_taken: int = 0
    breaks_late: int = 0
    break_late_sum_s: float = 0.0
    break_late_max_s: float = 0.0
    breaks_missed: int = 0
    #: operator-seconds off the phones for the pool's outages (after the warm-up): people on
    #: duty who would otherwise have been on the phones
    outage_s: float = 0.0


@dataclass
class RCTally:
    """The Resolution Centre over the measured window: incidents referred after the warm-up
    and what became of them; backlog (open incidents, waiting or in progress) over time."""

    incidents: int = 0
    outcomes: list[int] = field(default_factory=lambda: [0] * len(RC_OUTCOMES))  # RC_OUTCOMES
    #: time to resolve of incidents ended: their sum, and one-minute bins up to
    #: RESOLVE_HISTOGRAM_MIN (longer times kept exactly), so memory does not grow with the run
    resolve_sum_h: float = 0.0
    resolve_histogram: list[int] = field(default_factory=lambda: [0] * RESOLVE_HISTOGRAM_MIN)
    resolve_long_h: list[float] = field(default_factory=list)
    #: every time to resolve, in order of ending: kept only with per-call records (for checks)
    resolve_hours: list[float] | None = None
    waiting_end: int = 0
    in_progress_end: int = 0
    open_end: int = 0  # every open incident at the end, counted or not
    backlog_area: float = 0.0  # incident-seconds open after the warm-up
    daily_backlog: list[int] = field(default_factory=list)  # open incidents at each midnight
    staffed_s: float = 0.0
    busy_s: float = 0.0

    def add_time_to_resolve(self, hours: float) -> None:
        """Count the time to resolve of an incident that ended."""
        self.resolve_sum_h += hours
        minute = int(hours * 60.0)
        if minute < RESOLVE_HISTOGRAM_MIN:
            self.resolve_histogram[minute] += 1
        else:
            self.resolve_long_h.append(hours)
        if self.resolve_hours is not None:
            self.resolve_hours.append(hours)

    @property
    def resolved_count(self) -> int:
        """Incidents ended (with any outcome) in the measured window."""
        return sum(self.outcomes)

    def time_to_resolve_mean_h(self) -> float:
        """Mean time to resolve of the incidents ended, hours (NaN if none)."""
        n = self.resolved_count
        return self.resolve_sum_h / n if n else math.nan

    def time_to_resolve_quantile_h(self, q: float) -> float:
        """The ``q`` quantile of time to resolve, hours, interpolated within one-minute bins."""
        minutes = histogram_quantile(
            q, 0, self.resolve_histogram, [h * 60.0 for h in self.resolve_long_h], 1.0
        )
        return minutes / 60.0


@dataclass
class Observations:
    """Samples of the system's state at regular times (a check on Little's law, not a KPI)."""

    times_s: list[float] = field(default_factory=list)
    waiting: dict[str, list[int]] = field(default_factory=dict)
    busy: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class RunTallies:
    """Everything one replication of the model produced."""

    lines: dict[str, LineTally]
    pools: dict[str, PoolTally]
    interval_s: float
    warmup_s: float
    end_s: float
    records: list[CallRecord] | None = None
    observations: Observations | None = None
    rc: RCTally | None = None
