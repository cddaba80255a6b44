"""The SimPy contact centre: arrivals, queues, operators, abandonment, staffing changes.

Calls are driven by event callbacks, not generator processes: a call costs at most two SimPy
events — the end of its handling and, if it has to queue, the moment its caller's patience runs
out (ignored if the call was answered first) — as light events pushed on SimPy's own heap
(:mod:`contactsim.engine.kernel`). Arrivals are taken from each line's time-ordered stream between
SimPy's steps, in exactly the order their events would have had (:meth:`ContactCentre._run_until`).
Random numbers come from samplers that draw numpy blocks. Every caller's handle time and
patience are drawn when the caller rings, whether needed or not, so two scenarios with the same
seed see the same callers.

The model takes plain objects (arrival iterators, samplers, staffing plans) and returns
:class:`~contactsim.engine.records.RunTallies`; it reads no files and computes no report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from heapq import heappop, heappush, heapreplace
from typing import Any

import simpy
from simpy.events import NORMAL

from contactsim.build.sampling import Sampler
from contactsim.engine.callback import CallbackDesk, CallbackInputs, CallbackRequest
from contactsim.engine.inputs import LineInputs, ModelSettings, PoolInputs, RedialInputs
from contactsim.engine.kernel import Scheduled, event_heap, schedule_in
from contactsim.engine.records import (
    WAIT_HISTOGRAM_S,
    CallRecord,
    LineTally,
    Observations,
    PoolTally,
    RCTally,
    RunTallies,
)
from contactsim.engine.resolution import (
    CLOSED,
    RESOLUTION_CENTRE,
    RCInputs,
    ResolutionCentre,
    TriageInputs,
)
from contactsim.engine.routing import (
    ABANDONED,
    ANSWERED,
    CALLBACK,
    WAITING,
    Call,
    LineQueue,
    PoolState,
    PriorityRouting,
)
from contactsim.engine.team import busy_seconds, follow_plan
from contactsim.errors import ConservationError

__all__ = [
    "ContactCentre", "LineInputs", "ModelSettings", "PoolInputs", "ProgressCallback",
    "RedialInputs", "simulate",
]


ProgressCallback = Callable[[float], None]
#: Takes a batch of call records (a simulated day's) when the model streams them out.
RecordSink = Callable[[list[CallRecord]], None]

#: A line's next arrival: (time, priority, sequence number, the line's queue), the key its event
#: would have on SimPy's heap.
_Arrival = tuple[float, int, int, LineQueue]
_NO_ARRIVAL: _Arrival = (math.inf, NORMAL, -1, None)  # type: ignore[assignment]


class ContactCentre:
    """One replication of the contact centre. Build it, then call :meth:`run` once."""

    def __init__(
        self,
        lines: Sequence[LineInputs],
        pools: Sequence[PoolInputs],
        settings: ModelSettings,
        callback: CallbackInputs | None = None,
        rc: RCInputs | None = None,
        record_sink: RecordSink | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.settings = settings
        self.end_s = settings.end_s
        self.warmup_s = settings.warmup_s
        self.interval_s = settings.interval_s
        n_intervals = math.ceil(settings.end_s / settings.interval_s)
        first_counted = round(settings.warmup_s / settings.interval_s)
        priority = list(settings.priority) or [line.name for line in lines]

        self.inputs = {line.name: line for line in lines}
        self._triage = {line.name: line.triage for line in lines if line.triage is not None}
        self.rc: ResolutionCentre | None = None
        if rc is not None:
            self.rc = ResolutionCentre(
                self.env, rc,
                RCTally(resolve_hours=[] if settings.keep_records and not record_sink else None),
                len(lines), settings.warmup_s, settings.end_s,
            )
        switching = any(line.redial and line.redial.switch for line in lines)
        emergency = self.inputs.get("999")
        if switching and (
            emergency is None
            or emergency.redial_handle_time is None
            or (emergency.patience is not None and emergency.redial_patience is None)
        ):
            raise ValueError(
                "redials that switch to 999 need a 999 line with redial_handle_time (and "
                "redial_patience if 999 callers abandon)"
            )
        self.queues = {
            line.name: LineQueue(name=line.name, priority=priority.index(line.name))
            for line in lines
        }
        self.tallies = {
            line.name: LineTally(line.name, line.service_level_s, n_intervals, first_counted)
            for line in lines
        }
        for name in self._triage:
            self.tallies[name].graded = True
        for line in lines:
            self.queues[line.name].inputs = line
            self.queues[line.name].tally = self.tallies[line.name]
        self.pools = [
            PoolState(name=pool.name, lines=[self.queues[s] for s in pool.skills],
                      warmup_s=settings.warmup_s)
            for pool in pools
        ]
        self.pool_inputs = {pool.name: pool for pool in pools}
        self.pool_tallies = {pool.name: PoolTally(pool.name) for pool in pools}
        for pool_state in self.pools:
            pool_state.tally = self.pool_tallies[pool_state.name]
        reserve = self.queues.get(settings.reserve_line) if settings.reserve_line else None
        self.callback_desk: CallbackDesk | None = None
        if callback is not None:
            self.callback_desk = CallbackDesk(
                callback, self.tallies[callback.line], clock=lambda: self.env.now
            )
        self.routing = PriorityRouting(
            list(self.queues.values()),
            self.pools,
            reserve,
            settings.reserve_idle,
            callbacks=self.callback_desk,
            callback_line=self.queues[callback.line] if callback else None,
            callback_serve=callback.serve if callback else "below_live",
            callback_idle_at_least=callback.idle_at_least if callback else 1,
        )
        self._callback_accept: Sampler = callback.accept if callback is not None else float
        self._callback_line = self.routing.callback_line
        # what runs when each kind of event comes due (tuples shared by all events of a kind)
        self._on_handled = (self._handled,)
        self._on_abandon = (self._abandon,)
        self._on_offer_callback = (self._offer_callback,)
        self._heap = event_heap(self.env)  # SimPy's heap and sequence (engine.kernel)
        self._eid = self.env._eid
        #: each line's next arrival, earliest first, over a sentinel at infinity (see _run_until)
        self._arrivals: list[_Arrival] = [_NO_ARRIVAL]
        # records are kept if asked for, or handed to the sink a simulated day at a time
        self.records: list[CallRecord] | None = (
            [] if settings.keep_records or record_sink is not None else None
        )
        self._record_sink = record_sink
        self.observations: Observations | None = None
        self._next_call_id = 0
        # the reporting interval of the latest arrival, and where it ends (arrivals come in time
        # order, so a comparison replaces a division for most calls)
        self._interval = 0
        self._interval_end_s = 0.0
        self._next_caller_id = 0
        self._ran = False

    # --- running -------------------------------------------------------------------------------

    def run(self, progress: ProgressCallback | None = None, chunk_s: float = 86400.0) -> RunTallies:
        """Simulate the whole horizon and return the tallies.

        ``progress`` is called with the simulated seconds done after each ``chunk_s``.
        """
        if self._ran:
            raise RuntimeError("a ContactCentre runs once; build a new one")
        self._ran = True
        env = self.env
        for pool in self.pools:
            follow_plan(env, self.pool_inputs[pool.name].staffing, self.end_s,
                        partial(self._set_staffing, pool))
        for queue in self.queues.values():
            first = self._following_arrival(queue, env.now)
            if first is not None:
                heappush(self._arrivals, first)
        if self.callback_desk is not None:
            self._schedule_callback_hours()
        if self.rc is not None:
            self.rc.start()
        if self.settings.observe_every_s:
            self._start_observing(self.settings.observe_every_s)
        done = 0.0
        while done < self.end_s:
            done = min(self.end_s, done + chunk_s)
            self._run_until(done)
            if self._record_sink is not None:
                self._hand_over_records()
            if progress is not None:
                progress(done)
        tallies = self._finish()
        if self._record_sink is not None:
            self._hand_over_records()  # the calls still waiting at the end
            tallies.records = None
        return tallies

    def _hand_over_records(self) -> None:
        assert self._record_sink is not None and self.records is not None
        self._record_sink(self.records)
        self.records.clear()

    def _run_until(self, until_s: float) -> None:
        """Process, in time order, every event and arrival before ``until_s``.

        Events are processed by SimPy's own ``Environment.step``. Arrivals are not events: each
        line's next arrival waits in :attr:`_arrivals` under the same key an event would have
        (time, priority NORMAL, sequence number), and is taken between steps when it comes
        first. Order and numbers are exactly those of scheduling each arrival as an event (and
        of ``Environment.run(until=...)``, which stops before events at ``until_s``); a call
        costs one event fewer and a heap push and pop on a heap of one entry per line.
        """
        env = self.env
        events = self._heap
        arrivals = self._arrivals  # never empty: a sentinel at infinity stays at the bottom
        step = env.step
        end_s = self.end_s
        eid = self._eid
        while True:
            arrival = arrivals[0]
            now = arrival[0]
            stop_s = now if now < until_s else until_s
            # SimPy's events due before the next arrival (and before until_s); at the arrival's
            # very time, the full keys decide (time, priority, sequence: never equal)
            while events:
                first = events[0]
                at_s = first[0]
                if at_s < stop_s or (at_s == now < until_s and first < arrival):
                    step()
                else:
                    break
            if now >= until_s:
                env._now = until_s
                return
            env._now = now
            queue = arrival[3]
            # the line's following arrival (_following_arrival, inlined: once a call)
            arrival_s = next(queue.inputs.arrival_times_s, None)
            if arrival_s is None or arrival_s >= end_s:
                heappop(arrivals)
            else:
                heapreplace(arrivals, (now + (arrival_s - now), NORMAL, next(eid), queue))
            self._arrive(queue, now)

    def _following_arrival(self, queue: LineQueue, now: float) -> _Arrival | None:
        """The next arrival of ``queue``'s line, keyed as its event would be, or None."""
        arrival_s = next(queue.inputs.arrival_times_s, None)
        if arrival_s is None or arrival_s >= self.end_s:
            return None
        # the delay from now added back, as a Timeout would: the same time to the last bit
        return (now + (arrival_s - now), NORMAL, next(self._eid), queue)

    def _finish(self) -> RunTallies:
        for pool in self.pools:
            pool.clock_on_duty(self.end_s)
            self.pool_tallies[pool.name].staffed_s = pool.on_duty_s
        first_counted_s = self.warmup_s
        for name, queue in self.queues.items():
            tally = self.tallies[name]
            still = [c for c in queue.queue if c.state == WAITING]
            tally.waiting_end = sum(1 for c in still if c.arrival_s >= first_counted_s)
            if self.records is not None:
                self.records.extend(
                    CallRecord(c.call_id, name, c.arrival_s, "waiting", self.end_s - c.arrival_s,
                               "", c.handle_s, c.caller_id, c.attempt)
                    for c in still
                )
            offered = tally.total("offered")
            ended = (
                tally.total("answered") + tally.total("abandoned")
                + tally.total("callbacks_accepted") + tally.waiting_end
            )
            if offered != ended:
                raise ConservationError(
                    f"line {name}: offered {offered} but answered + abandoned + callbacks "
                    f"accepted + still waiting is {ended}"
                )
        desk = self.callback_desk
        if desk is not None:
            tally = desk.tally
            tally.callbacks_pending_end = desk.pending()
            accepted = tally.total("callbacks_accepted")
            ended = tally.callbacks_completed + tally.callbacks_failed + tally.callbacks_pending_end
            if accepted != ended:
                raise ConservationError(
                    f"line {tally.name}: {accepted} callbacks accepted but completed + failed + "
                    f"pending is {ended}"
                )
        rc_tally = None
        if self.rc is not None:
            self.rc.close()
            rc_tally = self.rc.tally
            ended = sum(rc_tally.outcomes) + rc_tally.waiting_end + rc_tally.in_progress_end
            if rc_tally.incidents != ended:
                raise ConservationError(
                    f"resolution centre: {rc_tally.incidents} incidents but resolved + front "
                    f"line + partner + waiting + in progress is {ended}"
                )
        return RunTallies(
            rc=rc_tally,
            lines=self.tallies,
            pools=self.pool_tallies,
            interval_s=self.interval_s,
            warmup_s=self.warmup_s,
            end_s=self.end_s,
            records=self.records,
            observations=self.observations,
        )

    # --- arrivals ------------------------------------------------------------------------------

    def _arrive(self, queue: LineQueue, now: float) -> None:
        """A caller rings ``queue``'s line at ``now``."""
        line = queue.inputs
        # every trait of the caller is drawn now, whatever becomes of the call, so that two
        # scenarios with the same seed see the same callers (common random numbers)
        handle_s = line.handle_time()
        patience = line.patience
        patience_s = patience() if patience is not None else math.inf
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
            return
        if callers is None:
            self._next_caller_id = caller_id + 1
        if now >= self._interval_end_s:  # the first arrival of a new reporting interval
            self._interval = int(now // self.interval_s)
            self._interval_end_s = (self._interval + 1) * self.interval_s
        interval = self._interval
        call = Call(
            self._next_call_id, queue, now, handle_s, patience_s, interval, caller_id, attempt,
            grade, accept_u,
        )
        if attempt > 1:  # a logged caller ringing again
            queue.tally.redials[interval] += 1
        self._offer(call)

    def _offer(self, call: Call) -> None:
        """A call rings on its line: answered at once by an idle operator, or queued."""
        queue = call.line
        self._next_call_id += 1
        queue.tally.offered[call.interval] += 1
        pool = self.routing.pool_for_new_call(queue)
        if pool is not None:
            pool.idle -= 1
            self._answer(call, pool, call.arrival_s)
            return
        queue.push(call)
        desk = self.callback_desk
        if (
            desk is not None
            and queue is self._callback_line
            and call.patience_s > desk.inputs.offer_after_s
        ):
            # schedule_in(), inlined here and below: this runs for every queued call
            heappush(self._heap, (self.env._now + desk.inputs.offer_after_s, NORMAL,
                                  next(self._eid), Scheduled(self._on_offer_callback, call)))
        if call.patience_s != math.inf:
            heappush(self._heap, (self.env._now + call.patience_s, NORMAL, next(self._eid),
                                  Scheduled(self._on_abandon, call)))

    def _abandon(self, event: Any) -> None:
        call: Call = event.value
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
        redial = queue.inputs.redial
        # the decision is drawn for every abandonment, so a different cap shifts no draws
        if (
            redial is not None
            and redial.decide() < redial.probability
            and call.attempt < redial.max_calls_per_caller
        ):
            target = queue
            if redial.switch is not None and redial.switch() < redial.switch_to_999:
                target = self.queues["999"]
            delay_s = redial.delay()
            if self.env.now + delay_s < self.end_s:
                schedule_in(self.env, delay_s, (self._redial,), (call, target))

    def _redial(self, event: Any) -> None:
        first, target = event.value
        now = self.env.now
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
            first.line.tally.switched_to_999[interval] += 1
        self._offer(call)

    # --- callbacks -----------------------------------------------------------------------------

    def _offer_callback(self, event: Any) -> None:
        call: Call = event.value
        desk = self.callback_desk
        assert desk is not None
        now = self.env.now
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

    def _dispatch_callbacks(self) -> None:
        """Idle operators whom the policy lets make callbacks take the due requests."""
        desk = self.callback_desk
        assert desk is not None
        while desk.ready and desk.open:
            pool = self.routing.pool_for_callback()
            if pool is None:
                return
            pool.idle -= 1
            self._attempt_callback(desk.ready.popleft(), pool)

    def _attempt_callback(self, request: CallbackRequest, pool: PoolState) -> None:
        desk = self.callback_desk
        assert desk is not None
        now = self.env.now
        pool.busy += 1
        duration_s, answered = desk.begin_attempt(request, now, int(now // self.interval_s))
        triage = self._triage.get(desk.tally.name)
        if answered and triage is not None:
            duration_s = self._grade(request.call, triage, desk.tally, request.counted, duration_s)
        pool.tally.busy_s += busy_seconds(now, duration_s, self.warmup_s, self.end_s)
        schedule_in(self.env, duration_s, (self._callback_attempt_done,), (pool, request, answered))

    def _callback_attempt_done(self, event: Any) -> None:
        pool, request, answered = event.value
        desk = self.callback_desk
        assert desk is not None
        if not answered:
            gap_s = desk.after_unanswered(request)
            if gap_s is not None:
                schedule_in(self.env, gap_s, (self._callback_due,), request)
        self._operator_done(pool)

    def _callback_due(self, event: Any) -> None:
        desk = self.callback_desk
        assert desk is not None
        desk.due(event.value)
        self._dispatch_callbacks()

    def _schedule_callback_hours(self) -> None:
        desk = self.callback_desk
        assert desk is not None
        at = desk.next_change_s(self.env.now)
        if at < self.end_s:
            schedule_in(self.env, at - self.env.now, (self._callback_hours,), None)

    def _callback_hours(self, event: Any) -> None:
        desk = self.callback_desk
        assert desk is not None
        self._schedule_callback_hours()
        if desk.open:
            self._dispatch_callbacks()

    # --- operators -----------------------------------------------------------------------------

    def _answer(self, call: Call, pool: PoolState, now: float) -> None:
        """An operator of ``pool`` (already taken off idle) starts handling ``call``."""
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
        triage = line.inputs.triage
        if triage is not None:
            handle_s = self._grade(call, triage, tally, counted, handle_s)
        # busy_seconds() and schedule_in(), inlined; the same arithmetic, to the last bit
        done_s = now + handle_s
        if self.warmup_s <= now and done_s <= self.end_s:
            pool.tally.busy_s += done_s - now
        else:
            pool.tally.busy_s += busy_seconds(now, handle_s, self.warmup_s, self.end_s)
        if self.records is not None:
            self.records.append(
                CallRecord(call.call_id, line.name, call.arrival_s, "answered", wait_s,
                           pool.name, handle_s, call.caller_id, call.attempt)
            )
        heappush(self._heap, (done_s, NORMAL, next(self._eid), Scheduled(self._on_handled, pool)))

    def _grade(
        self, call: Call, triage: TriageInputs, tally: LineTally, counted: bool, handle_s: float
    ) -> float:
        """Count the grade of a call an operator is taking (drawn when the caller rang); its
        handle time, longer if closed at first contact."""
        outcome = call.grade
        if outcome < 0:  # a caller who switched line brings no grade of this line: draw one
            outcome = triage.outcome()
        line = call.line
        if counted:
            tally.triaged[outcome] += 1
        if outcome == CLOSED:
            return handle_s + triage.closed_extra_handle_s
        if outcome == RESOLUTION_CENTRE and self.rc is not None:
            # the incident reaches the RC when the call ends
            referred_s = self.env.now + handle_s
            if referred_s < self.end_s:
                schedule_in(self.env, handle_s, (self.rc.refer,),
                            (line.priority, referred_s >= self.warmup_s))
        return handle_s

    def _handled(self, event: Scheduled) -> None:
        """An operator ends a call (``event.value``: the operator's pool)."""
        pool: PoolState = event.value
        if pool.leaving:
            self._operator_done(pool)
        else:  # the usual case, in one call fewer: this runs for every answered call
            pool.busy -= 1
            self._operator_free(pool)

    def _operator_done(self, pool: PoolState) -> None:
        """An operator of ``pool`` ends a task: free for the next, unless going off duty."""
        if not pool.leaving:  # the usual case, kept off Team.finish_task's call
            pool.busy -= 1
            self._operator_free(pool)
        elif pool.finish_task(self.env._now):
            self._operator_free(pool)

    def _operator_free(self, pool: PoolState) -> None:
        """An operator of ``pool`` is free: take the next waiting call or callback, or go idle."""
        call = self.routing.call_for_free_operator(pool)
        if call is not None:
            self._answer(call, pool, self.env._now)
        elif pool.callback_slot is not None and self.routing.makes_callback(pool):
            assert self.callback_desk is not None
            self._attempt_callback(self.callback_desk.ready.popleft(), pool)
        else:
            pool.idle += 1

    # --- staffing ------------------------------------------------------------------------------

    def _set_staffing(self, pool: PoolState, operators: int) -> None:
        for _ in range(pool.set_level(operators, self.env.now)):
            self._operator_free(pool)

    # --- observation (for checks, off by default) ------------------------------------------------

    def _start_observing(self, every_s: float) -> None:
        observations = Observations(
            waiting={name: [] for name in self.queues},
            busy={pool.name: [] for pool in self.pools},
        )
        self.observations = observations

        def observe(event: Any) -> None:
            now = self.env.now
            if now >= self.warmup_s:
                observations.times_s.append(now)
                for name, queue in self.queues.items():
                    observations.waiting[name].append(queue.waiting)
                for pool in self.pools:
                    observations.busy[pool.name].append(pool.busy)
            if now + every_s < self.end_s:
                schedule_in(self.env, every_s, (observe,), None)

        schedule_in(self.env, every_s / 2, (observe,), None)


def simulate(
    lines: Sequence[LineInputs],
    pools: Sequence[PoolInputs],
    settings: ModelSettings,
    progress: ProgressCallback | None = None,
    callback: CallbackInputs | None = None,
    rc: RCInputs | None = None,
    record_sink: RecordSink | None = None,
) -> RunTallies:
    """Build a :class:`ContactCentre` and run it over the whole horizon."""
    return ContactCentre(lines, pools, settings, callback, rc, record_sink).run(progress=progress)
