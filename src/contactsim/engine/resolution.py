"""Triage after the call, and the Resolution Centre that works incidents by phone.

Every answered call (and completed callback) is graded when an operator takes it: closed at
first contact, Grade 1, Grade 2, scheduled, or sent to the Resolution Centre (RC). A call closed
at first contact takes longer by the line's ``closed_extra_handle_s``. An RC incident reaches the
RC when the call ends and waits, by the urgency of the line that raised it and then first come
first served, for an investigator on duty; the investigator tries to reach the victim, works the
incident, and it ends resolved, passed to the front line or to a partner agency.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import TO_FRONT_LINE, TO_PARTNER, TO_RESOLUTION_CENTRE, RCTally
from contactsim.engine.sampler import Sampler, sampler_from_blocks
from contactsim.engine.team import Team, busy_seconds, follow_plan

if TYPE_CHECKING:
    from contactsim.engine.kernel import Kernel


@dataclass(frozen=True)
class TriageInputs:
    """One line's triage: cumulative shares of closed, grade1, grade2, scheduled, RC.

    A graded call's outcome is the first whose cumulative share exceeds a uniform draw. The
    draws come from ``uniforms`` (a function ``size -> array``, mapped a block at a time: the
    fast way, used by the replications) or one at a time from ``draw``; either way the same
    uniforms give the same outcomes. :attr:`outcome` returns the next graded call's outcome.
    """

    cumulative: tuple[float, ...]
    draw: Sampler | None = None  # uniform, one draw per graded call
    closed_extra_handle_s: float = 0.0
    uniforms: Callable[[int], np.ndarray] | None = None
    #: the next graded call's outcome (an index into the five outcomes)
    outcome: Callable[[], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.draw is None) == (self.uniforms is None):
            raise ValueError("triage needs exactly one of draw and uniforms")
        cumulative = self.cumulative
        if self.uniforms is not None:
            uniforms = self.uniforms
            bounds = np.asarray(cumulative, dtype=float)

            def outcomes(size: int) -> np.ndarray:
                return np.minimum(
                    np.searchsorted(bounds, uniforms(size), side="right"), TO_RESOLUTION_CENTRE
                )

            outcome: Callable[[], int] = sampler_from_blocks(outcomes)  # type: ignore[assignment]
        else:
            draw = self.draw
            assert draw is not None

            def outcome() -> int:
                return min(bisect.bisect_right(cumulative, draw()), TO_RESOLUTION_CENTRE)

        object.__setattr__(self, "outcome", outcome)


@dataclass(frozen=True)
class RCInputs:
    """The Resolution Centre as the model sees it."""

    staffing: StaffingPlan  # investigators on duty, already restricted to the RC's hours
    work_time: Sampler
    contact_attempts: int
    contact_probability: float
    contact: Sampler  # uniform, one draw per attempt
    attempt_gap_s: float
    unanswered_attempt_s: float
    outcome_cumulative: tuple[float, float, float]
    outcome: Sampler  # uniform, one draw per worked incident


class Incident:
    """One incident sent to the RC."""

    __slots__ = ("attempts", "counted", "queue", "referred_s")

    def __init__(self, referred_s: float, queue: int, counted: bool) -> None:
        self.referred_s = referred_s
        self.queue = queue
        self.counted = counted
        self.attempts = 0


class ResolutionCentre:
    """The RC's queue and investigators, driven by SimPy event callbacks."""

    def __init__(
        self,
        kernel: Kernel,
        inputs: RCInputs,
        tally: RCTally,
        n_queues: int,
        warmup_s: float,
        end_s: float,
    ) -> None:
        self.kernel = kernel
        self.inputs = inputs
        self.tally = tally
        self.queues: list[deque[Incident]] = [deque() for _ in range(n_queues)]
        self.waiting = 0
        self.open_incidents = 0
        self.team = Team(warmup_s=warmup_s)  # the investigators
        self.warmup_s = warmup_s
        self.end_s = end_s
        self._backlog_since = 0.0
        # counted incidents being worked, or between contact attempts: counted apart from the
        # outcome tallies, so that conservation at the end is a check, not an identity
        self._working_counted = 0
        self._in_gap_counted = 0

    def start(self) -> None:
        """Schedule the staffing plan and the daily backlog count."""
        follow_plan(self.kernel, self.inputs.staffing, self.end_s, self._set_staffing)
        self.kernel.schedule_in(0.0, (self._count_backlog,), None)

    # --- incidents -----------------------------------------------------------------------------

    def refer(self, event: Any) -> None:
        """An incident arrives (``event.value``: its queue, whether it is counted)."""
        queue, counted = event.value
        now = self.kernel.now
        self._advance_backlog(now)
        self.open_incidents += 1
        incident = Incident(now, queue, counted)
        if counted:
            self.tally.incidents += 1
        self.queues[queue].append(incident)
        self.waiting += 1
        self._dispatch()

    def _dispatch(self) -> None:
        team = self.team
        while team.idle and self.waiting:
            team.idle -= 1
            self._work(self._next_incident())

    def _next_incident(self) -> Incident:
        self.waiting -= 1
        for queue in self.queues:
            if queue:
                return queue.popleft()
        raise RuntimeError("no incident waits")  # pragma: no cover - guarded by waiting

    def _work(self, incident: Incident) -> None:
        inputs = self.inputs
        now = self.kernel.now
        self.team.busy += 1
        self._working_counted += incident.counted
        incident.attempts += 1
        reached = inputs.contact() < inputs.contact_probability
        duration_s = inputs.work_time() if reached else inputs.unanswered_attempt_s
        self.tally.busy_s += busy_seconds(now, duration_s, self.warmup_s, self.end_s)
        self.kernel.schedule_in(duration_s, (self._worked,), (incident, reached))

    def _worked(self, event: Any) -> None:
        incident, reached = event.value
        inputs = self.inputs
        self._working_counted -= incident.counted
        if reached:
            outcome = min(bisect.bisect_right(inputs.outcome_cumulative, inputs.outcome()),
                          TO_PARTNER)
            self._finish(incident, outcome)
        elif incident.attempts < inputs.contact_attempts:
            self._in_gap_counted += incident.counted
            self.kernel.schedule_in(inputs.attempt_gap_s, (self._due,), incident)
        else:
            self._finish(incident, TO_FRONT_LINE)  # the victim was never reached
        if not self.team.finish_task(self.kernel.now):
            return  # went off duty
        if self.waiting:
            self._work(self._next_incident())
        else:
            self.team.idle += 1

    def _due(self, event: Any) -> None:
        incident: Incident = event.value
        self._in_gap_counted -= incident.counted
        self.queues[incident.queue].append(incident)
        self.waiting += 1
        self._dispatch()

    def _finish(self, incident: Incident, outcome: int) -> None:
        now = self.kernel.now
        self._advance_backlog(now)
        self.open_incidents -= 1
        if incident.counted:
            tally = self.tally
            tally.outcomes[outcome] += 1
            tally.add_time_to_resolve((now - incident.referred_s) / 3600.0)

    # --- investigators -------------------------------------------------------------------------

    def _set_staffing(self, investigators: int) -> None:
        joining = self.team.set_level(investigators, self.kernel.now)
        self.team.idle += joining
        self._dispatch()

    # --- clocks --------------------------------------------------------------------------------

    def _advance_backlog(self, now: float) -> None:
        since = max(self._backlog_since, self.warmup_s)
        if now > since:
            self.tally.backlog_area += self.open_incidents * (now - since)
        self._backlog_since = now

    def _count_backlog(self, event: Any) -> None:
        now = self.kernel.now
        self.tally.daily_backlog.append(self.open_incidents)
        if now + 86400.0 < self.end_s:
            self.kernel.schedule_in(86400.0, (self._count_backlog,), None)

    def close(self) -> None:
        """At the end of the horizon: settle the clocks and count what is still open."""
        self.team.clock_on_duty(self.end_s)
        self.tally.staffed_s = self.team.on_duty_s
        self._advance_backlog(self.end_s)
        tally = self.tally
        tally.open_end = self.open_incidents
        tally.waiting_end = sum(1 for queue in self.queues for i in queue if i.counted)
        tally.in_progress_end = self._working_counted + self._in_gap_counted
