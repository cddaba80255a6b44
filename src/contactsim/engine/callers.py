"""The callers' side of the contact centre: ringing, queueing, giving up, ringing again, and
accepting a callback.

A caller rings a line (:meth:`Callers.arrive`); every trait of the caller (handle time,
patience, triage grade, attitude to callbacks) is drawn then, whatever becomes of the call, so
two scenarios with the same seed see the same callers. The call is answered at once if routing
finds an idle operator, else it queues: the caller gives up when their patience runs out
(ignored if answered first), and may ring again later — the same line, or the line redials
switch to — and a caller still queueing at the callback threshold is offered a callback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from contactsim.engine.callback import CallbackDesk
from contactsim.engine.calls import ABANDONED, CALLBACK, WAITING, Call, LineQueue, PoolState
from contactsim.engine.inputs import LineInputs, ModelSettings
from contactsim.engine.kernel import Kernel
from contactsim.engine.records import CallRecord
from contactsim.engine.routing import PriorityRouting
from contactsim.engine.sampler import Sampler
from contactsim.engine.service import Operators


class Callers:
    """Every line's callers: arrivals, queueing, abandonment, redials and callback offers.

    ``records`` (shared with the rest of the model) gets a record per abandoned call and per
    accepted callback, if kept.
    """

    def __init__(
        self,
        kernel: Kernel,
        routing: PriorityRouting,
        operators: Operators,
        settings: ModelSettings,
        queues: Mapping[str, LineQueue],
        records: list[CallRecord] | None,
        desk: CallbackDesk | None = None,
        callback_accept: Sampler | None = None,
    ) -> None:
        self.kernel = kernel
        self.routing = routing
        self.queues = queues
        self.records = records
        self.desk = desk
        self.warmup_s = settings.warmup_s
        self.end_s = settings.end_s
        self.interval_s = settings.interval_s
        self._callback_line = routing.callback_line
        self._callback_accept: Sampler = callback_accept if callback_accept is not None else float
        self._offer_after_s = desk.inputs.offer_after_s if desk is not None else math.inf
        # functions kept on self (not methods of this class) are called through a local on the
        # paths every call takes: Python 3.11 specialises reading an attribute, but not
        # calling one that is not a method (``self._answer(...)`` takes the slow, generic way)
        self._answer = operators.answer
        self._on_call_done = operators.on_call_done
        self._schedule_again = kernel.schedule_again
        self._dispatch_callbacks = operators.dispatch_callbacks
        self._schedule_in = kernel.schedule_in
        # what runs when each kind of event comes due (tuples shared by all events of a kind)
        self._on_abandon = (self._abandon,)
        self._on_offer_callback = (self._offer_callback,)
        self._on_redial = (self._redial,)
        self._next_call_id = 0
        self._next_caller_id = 0
        # lines whose callers have no trait to draw but a handle time and a patience (no
        # triage, callback offer, replayed callers or online reporting): arrive's short path
        for queue in queues.values():
            queue.plain = (
                queue.inputs.triage is None and queue.inputs.arrival_callers is None
                and queue.inputs.deflection is None and queue is not self._callback_line
            )
        # the reporting interval of the latest arrival, and where it ends (arrivals come in time
        # order, so a comparison replaces a division for most calls)
        self._interval = 0
        self._interval_end_s = 0.0

    def choose_paths(self) -> None:
        """Mark the plain lines whose calls answered at once need no ``Call``: without per-call
        records, and with no rule at answer (the lines' rules are set after this object is
        made: the model calls this before the first arrival)."""
        for queue in self.queues.values():
            queue.answers_without_call = (
                queue.plain and self.records is None and queue.on_answer is None
            )

    def arrive(self, queue: LineQueue, now: float) -> None:
        """A caller rings ``queue``'s line at ``now`` (the kernel's arrival handler)."""
        line = queue.inputs
        handle_time = line.handle_time  # a sampler kept on the line: called from a local
        handle_s = handle_time()
        patience = line.patience
        patience_s = patience() if patience is not None else math.inf
        if now >= self._interval_end_s:  # the first arrival of a new reporting interval
            self._interval = int(now // self.interval_s)
            self._interval_end_s = (self._interval + 1) * self.interval_s
        interval = self._interval
        if not queue.plain:
            self._arrive_with_traits(queue, line, now, handle_s, patience_s, interval)
            return
        # a new caller with no other trait to draw (most lines): the path every call of
        # most centres takes, in as few steps as the model allows
        pool = queue.sole_pool
        if pool is None:
            pool = self.routing.pool_for_new_call(queue)
        elif not pool.idle:  # PriorityRouting.pool_for_new_call for a line with one pool
            pool = None
        if pool is not None and queue.answers_without_call:
            # answered at once, with no rule or record that needs the call: no Call made, and
            # no call or caller id taken (ids are seen only in records, and none are kept).
            # Operators.answer for a call answered at once, inlined: the longest free
            # operator takes it; it is counted once, in tally.answered_at_once (offered,
            # answered, within the service level and a zero wait when the run is settled)
            operator = pool.idle.popleft()
            operator.stretch_from_s = now
            pool.busy += 1
            queue.tally.answered_at_once[interval] += 1
            operator.busy_until_s = now + handle_s
            operator.busy_s += handle_s
            schedule_again = self._schedule_again
            schedule_again(handle_s, self._on_call_done, operator.call_end)
            return
        caller_id = self._next_caller_id
        self._next_caller_id = caller_id + 1
        call = Call(self._next_call_id, queue, now, handle_s, patience_s, interval, caller_id)
        if pool is not None:
            self._offer(call, pool)
            return
        # _offer for a call that queues on a line with no callback offer, inlined: the call
        # is counted and queued, to go to a neighbouring force or give up if still waiting
        self._next_call_id += 1
        queue.tally.offered[interval] += 1
        queue.queue.append(call)
        queue.waiting += 1
        overflow = queue.overflow
        if overflow is not None:
            schedule_in = self._schedule_in
            schedule_in(overflow.after_s, overflow.on_due, call)
        if patience_s != math.inf:  # the call is the event (see Call)
            schedule_again = self._schedule_again
            schedule_again(patience_s, self._on_abandon, call)

    def _arrive_with_traits(
        self, queue: LineQueue, line: LineInputs, now: float, handle_s: float,
        patience_s: float, interval: int,
    ) -> None:
        """:meth:`arrive` for a line whose callers have traits to draw (the handle time and
        patience drawn)."""
        traits = self._traits(queue, line, now)
        if traits is None:  # reported online instead
            return
        grade, accept_u, caller_id, attempt = traits
        call = Call(
            self._next_call_id, queue, now, handle_s, patience_s, interval, caller_id, attempt,
            grade, accept_u,
        )
        if attempt > 1:  # a logged caller ringing again
            queue.tally.redials[interval] += 1
        self._offer(call, self.routing.pool_for_new_call(queue))

    def _traits(
        self, queue: LineQueue, line: LineInputs, now: float
    ) -> tuple[int, float, int, int] | None:
        """The rest of a caller's traits, drawn after the handle time and patience and in this
        order — triage grade, attitude to callbacks, the logged caller (a replay), whether they
        report online instead — as ``(grade, accept_u, caller_id, attempt)``; None if the
        caller reports online (counted as deflected)."""
        triage = line.triage
        grade = triage.outcome() if triage is not None else -1
        accept_u = self._callback_accept() if queue is self._callback_line else 1.0
        callers = line.arrival_callers
        if callers is None:
            caller_id, attempt = self._next_caller_id, 1
        else:
            caller_id, attempt = next(callers)
        deflection = line.deflection
        if deflection is not None and deflection() < line.online_shift:
            if now >= self.warmup_s:
                queue.tally.deflected += 1
            return None
        if callers is None:
            self._next_caller_id = caller_id + 1
        return grade, accept_u, caller_id, attempt

    def ring(
        self, queue: LineQueue, now: float, handle_s: float, patience_s: float, grade: int
    ) -> Call:
        """A new caller the model itself brings (a burst's duplicate, see
        :mod:`contactsim.engine.bursts`) rings ``queue`` at ``now``, offered like any call;
        their traits are given. Returns the call."""
        call = Call(self._next_call_id, queue, now, handle_s, patience_s,
                    int(now // self.interval_s), self._next_caller_id, 1, grade)
        self._next_caller_id += 1
        self._offer(call, self.routing.pool_for_new_call(queue))
        return call

    def _offer(self, call: Call, pool: PoolState | None) -> None:
        """A call rings on its line: answered at once by an idle operator of ``pool``
        (routing's choice for a new call of the line), or queued if None."""
        queue = call.line
        self._next_call_id += 1
        queue.tally.offered[call.interval] += 1
        if pool is not None:
            # Operators.take_idle, inlined: the longest free operator takes the call
            operator = pool.idle.popleft()
            operator.stretch_from_s = now = call.arrival_s
            answer = self._answer  # a function kept on self is called from a local: see below
            answer(call, pool, operator, now)
            return
        queue.queue.append(call)  # LineQueue.push, inlined: this runs for every queued call
        queue.waiting += 1
        schedule_in = self._schedule_in
        if queue is self._callback_line and call.patience_s > self._offer_after_s:
            schedule_in(self._offer_after_s, self._on_offer_callback, call)
        overflow = queue.overflow
        if overflow is not None:  # to a neighbouring force if still queueing then
            schedule_in(overflow.after_s, overflow.on_due, call)
        if call.patience_s != math.inf:  # the call is the event (see Call)
            schedule_again = self._schedule_again
            schedule_again(call.patience_s, self._on_abandon, call)

    def _abandon(self, call: Call) -> None:
        """A queued caller's patience runs out (the call is its own event: see Call)."""
        if call.state != WAITING:
            return
        call.state = ABANDONED
        queue = call.line
        queue.waiting -= 1
        queue.tally.abandoned[call.interval] += 1
        if self.records is not None:
            self.records.append(
                CallRecord(call.call_id, queue.name, call.arrival_s, "abandoned", call.patience_s,
                           "", call.handle_s, call.caller_id, call.attempt)
            )
        on_abandon = queue.on_abandon  # dropped calls called back, duplicates: None on most
        if on_abandon is not None and not on_abandon(call):
            return  # a caller who rings no more (a burst's duplicate)
        redial = queue.inputs.redial
        # the decision is drawn for every abandonment, so a different cap shifts no draws
        if (
            redial is not None
            and redial.decide() < redial.probability
            and call.attempt < redial.max_calls_per_caller
        ):
            target = queue
            if redial.switch is not None and redial.switch() < redial.switch_share:
                assert redial.switch_line is not None
                target = self.queues[redial.switch_line]
            delay_s = redial.delay()
            if self.kernel.now + delay_s < self.end_s:
                self._schedule_in(delay_s, self._on_redial, (call, target))

    def _redial(self, event: Any) -> None:
        first, target = event.value
        now = self.kernel.now
        line = target.inputs
        if target is first.line:
            handle_s = first.handle_s  # the same caller with the same need
        else:
            assert line.redial_handle_time is not None
            handle_s = line.redial_handle_time()
        patience_s = line.redial_patience() if line.redial_patience is not None else math.inf
        interval = int(now // self.interval_s)
        # the same caller with the same incident: the same attitude to callbacks, and the same
        # grade on the same line (another line grades by its own rule, when answered)
        grade = first.grade if target is first.line else -1
        call = Call(
            self._next_call_id, target, now, handle_s, patience_s, interval, first.caller_id,
            first.attempt + 1, grade, first.accept_u,
        )
        target.tally.redials[interval] += 1
        if target is not first.line:
            first.line.tally.switched_to_999[interval] += 1  # the tally's name: see records
        self._offer(call, self.routing.pool_for_new_call(target))

    def _offer_callback(self, event: Any) -> None:
        call: Call = event.value
        desk = self.desk
        assert desk is not None
        now = self.kernel.now
        if call.state != WAITING or not desk.is_open_at(now):
            return
        request = desk.offer(call, now)
        if request is None:
            return
        call.state = CALLBACK
        call.line.waiting -= 1
        if self.records is not None:
            self.records.append(
                CallRecord(call.call_id, call.line.name, call.arrival_s, "callback",
                           now - call.arrival_s, "", call.handle_s, call.caller_id, call.attempt)
            )
        self._dispatch_callbacks()
