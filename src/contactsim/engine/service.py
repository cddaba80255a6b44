"""The operators' side of the contact centre: answering calls, making callback attempts,
finishing tasks, taking breaks and coming on and off duty.

An operator who comes free — at the end of a call or an attempt, back from a break, or coming on
duty — asks routing what to do next
(:meth:`~contactsim.engine.routing.PriorityRouting.next_task`) and does it: takes the call,
makes the callback attempt or a silent or dropped call's call-back
(:mod:`contactsim.engine.dropped_calls`), or goes idle. Answering counts the wait and applies
the line's rule (``LineQueue.on_answer``): on a line with triage, the call's grade (an incident
for the Resolution Centre reaches it when the call ends); see
:mod:`contactsim.engine.line_rules`.

Operators are individuals (:class:`~contactsim.engine.operator.Operator`); how they come on
and off duty and take their breaks is :mod:`contactsim.engine.duty`.
"""

from __future__ import annotations

from typing import Any

from contactsim.engine.callback import CallbackDesk
from contactsim.engine.calls import ANSWERED, WAITING, Call, CallbackRequest, PoolState
from contactsim.engine.dropped_calls import CallBack
from contactsim.engine.duty import OnAndOffDuty
from contactsim.engine.inputs import ModelSettings
from contactsim.engine.kernel import Kernel
from contactsim.engine.operator import Operator
from contactsim.engine.records import (
    CLOSED,
    TO_RESOLUTION_CENTRE,
    WAIT_HISTOGRAM_S,
    CallRecord,
    LineTally,
)
from contactsim.engine.resolution import ResolutionCentre, TriageInputs
from contactsim.engine.routing import NextTask, PriorityRouting


class Operators(OnAndOffDuty):
    """Every pool's operators at work: what they take, how long it keeps them, what they count.

    ``records`` (shared with the rest of the model) gets a record per answered call, if kept.
    """

    def __init__(
        self,
        kernel: Kernel,
        routing: PriorityRouting,
        settings: ModelSettings,
        records: list[CallRecord] | None,
        desk: CallbackDesk | None = None,
        rc: ResolutionCentre | None = None,
    ) -> None:
        self.kernel = kernel
        self.routing = routing
        self.records = records
        self.desk = desk
        self.rc = rc
        self.warmup_s = settings.warmup_s
        self.end_s = settings.end_s
        self.interval_s = settings.interval_s
        # what runs when each kind of event comes due (tuples shared by all events of a kind;
        # the end of a call's is public: Callers.arrive answers a call at once itself)
        self.on_call_done = (self._call_done,)
        self._on_attempt_done = (self._callback_attempt_done,)
        self._on_callback_due = (self._callback_due,)
        self._on_callback_hours = (self._callback_hours,)
        self._schedule_in = kernel.schedule_in
        self._schedule_again = kernel.schedule_again
        OnAndOffDuty.__init__(self)

    # --- live calls ----------------------------------------------------------------------------

    def answer(self, call: Call, pool: PoolState, operator: Operator, now: float) -> None:
        """``operator`` of ``pool`` (already taken off idle) starts handling ``call``."""
        call.state = ANSWERED
        pool.busy += 1
        wait_s = now - call.arrival_s
        line = call.line
        tally = line.tally
        interval = call.interval
        tally.answered[interval] += 1
        counted = interval >= tally.first_counted_interval
        # the wait goes into the line's histogram (LineTally: answered at once counted apart,
        # one-second bins, long waits kept exactly); calls answered at once, the most common,
        # take the fewest steps (this runs for every answered call)
        if wait_s > 0.0:
            tally.wait_sum_s[interval] += wait_s
            if wait_s <= tally.service_level_s:
                tally.answered_within[interval] += 1
            if wait_s > tally.after_from_s:  # infinite unless also_within_s gives thresholds
                tally.count_answered_after(wait_s, interval)
            if counted:
                if wait_s < WAIT_HISTOGRAM_S:
                    tally.wait_histogram[int(wait_s)] += 1
                else:
                    tally.long_waits_s.append(wait_s)
        else:
            tally.answered_within[interval] += 1
            if counted:
                tally.zero_waits += 1
        handle_s = call.handle_s
        on_answer = line.on_answer  # grading, silent calls, duplicates: None on a plain line
        if on_answer is not None:
            handle_s = on_answer(call, tally, counted, handle_s)
        operator.busy_until_s = now + handle_s
        operator.busy_s += handle_s
        if self.records is not None:
            self.records.append(
                CallRecord(call.call_id, line.name, call.arrival_s, "answered", wait_s,
                           pool.name, handle_s, call.caller_id, call.attempt)
            )
        # the kernel's function, called from a local: Python 3.11 specialises reading an
        # attribute, not calling one that is not a method of the class
        schedule_again = self._schedule_again
        schedule_again(handle_s, self.on_call_done, operator.call_end)

    def grade(self, call: Call, tally: LineTally, counted: bool, handle_s: float) -> float:
        """Count the grade of a call an operator is taking on a line with triage (drawn when
        the caller rang); its handle time, longer if closed at first contact. A graded line's
        ``on_answer`` rule."""
        triage: TriageInputs = call.line.inputs.triage  # type: ignore[assignment]
        outcome = call.grade
        if outcome < 0:  # a caller who switched line brings no grade of this line: draw one
            outcome = triage.outcome()
        if counted:
            tally.triaged[outcome] += 1
        if outcome == CLOSED:
            return handle_s + triage.closed_extra_handle_s
        if outcome == TO_RESOLUTION_CENTRE and self.rc is not None:
            # the incident reaches the RC when the call ends
            referred_s = self.kernel.now + handle_s
            if referred_s < self.end_s:
                self._schedule_in(handle_s, (self.rc.refer,),
                                  (call.line.priority, referred_s >= self.warmup_s))
        return handle_s

    def _call_done(self, event: Any) -> None:
        """An operator ends a call (``event.value``: the operator)."""
        operator: Operator = event.value
        pool = operator.pool
        now = event.due_s
        if pool.leaving or operator.pending:
            self.task_done(operator, now)
            return
        # task_done's usual case, one call fewer, and operator_free inlined: this runs for
        # every call
        pool.busy -= 1
        task: NextTask
        if pool.callback_slot is None and not pool.holds_reserve:
            # PriorityRouting.next_task for a pool with no callbacks or reserve (its lines in
            # priority order, the first call still waiting) and LineQueue.pop, inlined
            for line in pool.lines:
                if line.waiting:
                    queue = line.queue
                    task = queue.popleft()
                    while task.state != WAITING:
                        task = queue.popleft()
                    line.waiting -= 1
                    break
            else:
                task = None
        else:
            task = self.routing.next_task(pool)
        if task is None:
            pool.idle.append(operator)
            stretch = now - operator.stretch_from_s  # Operator.end_stretch, inlined
            if stretch > operator.longest_stretch_s:
                operator.longest_stretch_s = stretch
        elif task.__class__ is Call:
            self.answer(task, pool, operator, now)
        else:
            self._other_task(task, operator, now)

    # --- operators between tasks -------------------------------------------------------------

    def task_done(self, operator: Operator, now: float) -> None:
        """``operator`` ends a task at ``now``: free for the next, unless their shift has
        ended, their pool's plan has fallen (the first busy to finish go), a break is owed or
        their pool's outage is on (off the phones until it ends)."""
        pool = operator.pool
        if not (pool.leaving or operator.pending):
            pool.busy -= 1
            self.operator_free(operator, now)
            return
        pool.clock_on_duty(now)
        pool.busy -= 1
        if operator.off_after_task:
            self._go_off(operator, now)
        elif pool.leaving:
            pool.leaving -= 1
            self._go_off(operator, now)
        elif operator.owed_breaks:
            due_s, length_s = operator.owed_breaks.pop(0)
            operator.pending = bool(operator.owed_breaks)
            operator.end_stretch(now)
            self._start_break(operator, now, due_s, length_s)
        else:  # the pool's outage (engine.outage) has set pending
            operator.pending = False
            operator.end_stretch(now)
            self.free_or_out(operator, now)

    def operator_free(self, operator: Operator, now: float) -> None:
        """``operator`` is free at ``now`` (the clock's time): does what routing says comes
        next."""
        pool = operator.pool
        task = self.routing.next_task(pool)
        if task is None:
            pool.idle.append(operator)
            # Operator.end_stretch, inlined: this runs for most calls
            stretch = now - operator.stretch_from_s
            if stretch > operator.longest_stretch_s:
                operator.longest_stretch_s = stretch
        elif task.__class__ is Call:
            self.answer(task, pool, operator, now)
        else:
            self._other_task(task, operator, now)

    def _other_task(self, task: NextTask, operator: Operator, now: float) -> None:
        """``operator`` (free at ``now``) takes ``task``, work that is not a live call."""
        if isinstance(task, CallBack):  # a silent or dropped call's call-back
            task.maker.make(task, operator, now)
        else:
            self.attempt_callback(task, operator)  # type: ignore[arg-type]

    def take_idle(self, pool: PoolState, now: float) -> Operator:
        """The operator of ``pool`` free the longest, taken off idle to start a task now."""
        operator = pool.idle.popleft()
        operator.stretch_from_s = now
        return operator

    # --- callback attempts ---------------------------------------------------------------------

    def dispatch_callbacks(self) -> None:
        """Idle operators whom the policy lets make callbacks take the due requests."""
        choose = self.routing.callback_for_idle_operator
        choice = choose()
        while choice is not None:
            pool, request = choice
            self.attempt_callback(request, self.take_idle(pool, self.kernel.now))
            choice = choose()

    def attempt_callback(self, request: CallbackRequest, operator: Operator) -> None:
        """``operator`` (already taken off idle) tries to reach a caller."""
        desk = self.desk
        assert desk is not None
        now = self.kernel.now
        pool = operator.pool
        pool.busy += 1
        duration_s, answered = desk.begin_attempt(request, now, int(now // self.interval_s))
        triage = request.call.line.inputs.triage
        if answered and triage is not None:
            duration_s = self.grade(request.call, desk.tally, request.counted, duration_s)
        operator.busy_until_s = now + duration_s
        operator.busy_s += duration_s
        self._schedule_in(duration_s, self._on_attempt_done, (operator, request, answered))

    def _callback_attempt_done(self, event: Any) -> None:
        operator, request, answered = event.value
        desk = self.desk
        assert desk is not None
        if not answered:
            gap_s = desk.after_unanswered(request)
            if gap_s is not None:
                self._schedule_in(gap_s, self._on_callback_due, request)
        self.task_done(operator, event.due_s)

    def _callback_due(self, event: Any) -> None:
        assert self.desk is not None
        self.desk.due(event.value)
        self.dispatch_callbacks()

    def keep_callback_hours(self) -> None:
        """Schedule the desk's next opening or closing (and so on, to the end)."""
        assert self.desk is not None
        at = self.desk.next_change_s(self.kernel.now)
        if at < self.end_s:
            self._schedule_in(at - self.kernel.now, self._on_callback_hours, None)

    def _callback_hours(self, event: Any) -> None:
        assert self.desk is not None
        self.keep_callback_hours()
        if self.desk.open:
            self.dispatch_callbacks()
