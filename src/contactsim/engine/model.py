"""One replication of the contact centre, put together: its clock, lines, pools, callers,
operators, callback desk and Resolution Centre; running it over the horizon; and the checks
that every call is accounted for at the end.

Calls are driven by event callbacks, not generator processes: a call costs at most two events
— the end of its handling and, if it has to queue, the moment its caller's patience runs out
(ignored if the call was answered first; on a line that overflows to a neighbouring force,
one more: the moment it would go there) — as light events on SimPy's own heap, and arrivals
are taken from each line's time-ordered stream between SimPy's steps
(:mod:`contactsim.engine.kernel`). The callers' side is :mod:`contactsim.engine.callers`, the
operators' side :mod:`contactsim.engine.service`; :mod:`contactsim.engine.builder` builds the
whole model from :class:`~contactsim.engine.inputs.ModelInputs`.

The model takes plain objects (arrival iterators, samplers, staffing plans) and returns
:class:`~contactsim.engine.records.RunTallies`; it reads no files and computes no report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from contactsim.engine.callback import CallbackDesk
from contactsim.engine.callers import Callers
from contactsim.engine.calls import WAITING, LineQueue, PoolState
from contactsim.engine.inputs import ModelSettings, PoolInputs
from contactsim.engine.kernel import Kernel
from contactsim.engine.line_rules import LineRules
from contactsim.engine.plan import ShiftRoster
from contactsim.engine.records import CallRecord, Observations, PoolTally, RunTallies
from contactsim.engine.resolution import ResolutionCentre
from contactsim.engine.routing import PriorityRouting
from contactsim.engine.service import Operators
from contactsim.engine.team import follow_plan
from contactsim.errors import ConservationError

#: Told the simulated seconds done, after each chunk of the run (a simulated day).
ProgressCallback = Callable[[float], None]
#: Takes a batch of call records (a simulated day's) when the model streams them out.
RecordSink = Callable[[list[CallRecord]], None]


class ContactCentre:
    """One replication of the contact centre, built whole by
    :func:`~contactsim.engine.builder.build_centre`; call :meth:`run` once."""

    def __init__(
        self,
        kernel: Kernel,
        settings: ModelSettings,
        queues: Mapping[str, LineQueue],
        pools: Sequence[tuple[PoolState, PoolInputs]],
        routing: PriorityRouting,
        operators: Operators,
        callers: Callers,
        records: list[CallRecord] | None,
        record_sink: RecordSink | None = None,
        callback_desk: CallbackDesk | None = None,
        rc: ResolutionCentre | None = None,
        line_rules: Sequence[LineRules] = (),
    ) -> None:
        self.kernel = kernel
        self.settings = settings
        self.end_s = settings.end_s
        self.queues = queues
        self.pools = [pool for pool, _ in pools]
        self._plans = [(pool, inputs.staffing) for pool, inputs in pools]
        #: each pool's busy and on-the-phones seconds at the last interval's end
        self._interval_marks = [[0.0, 0.0] for _ in self.pools]
        self.routing = routing
        self.operators = operators
        self.callers = callers
        #: the records kept if asked for, or handed to the sink a simulated day at a time
        self.records = records
        self._record_sink = record_sink
        self.callback_desk = callback_desk
        self.rc = rc
        #: the rules of lines with bursts or call-backs, settled at the end
        self.line_rules = line_rules
        self.observations: Observations | None = None
        self._ran = False

    def run(self, progress: ProgressCallback | None = None, chunk_s: float = 86400.0) -> RunTallies:
        """Simulate the whole horizon and return the tallies.

        ``progress`` is called with the simulated seconds done after each ``chunk_s``.
        """
        if self._ran:
            raise RuntimeError("a ContactCentre runs once; build a new one")
        self._ran = True
        kernel = self.kernel
        # the order things are first scheduled in is the order of simultaneous events
        for pool in self.pools:
            if pool.outage is not None:
                self.operators.follow_outages(pool)
        for pool, plan in self._plans:
            if isinstance(plan, ShiftRoster):
                self.operators.follow_roster(pool, plan)
            else:
                follow_plan(kernel, plan, self.end_s, partial(self.operators.set_staffing, pool))
                self._cut_shifts_at_midnight(pool)
        self._count_intervals()
        self.callers.choose_paths()
        for queue in self.queues.values():
            kernel.add_arrivals(queue.inputs.arrival_times_s, queue)
        if self.callback_desk is not None:
            self.operators.keep_callback_hours()
        if self.rc is not None:
            self.rc.start()
        if self.settings.observe_every_s:
            self._start_observing(self.settings.observe_every_s)
        arrive = self.callers.arrive
        done = 0.0
        while done < self.end_s:
            done = min(self.end_s, done + chunk_s)
            kernel.advance_to(done, arrive)
            if self._record_sink is not None:
                self._hand_over_records()
            if progress is not None:
                progress(done)
        tallies = self._finish()
        if self._record_sink is not None:
            self._hand_over_records()  # the calls still waiting at the end
            tallies.records = None
        return tallies

    def _cut_shifts_at_midnight(self, pool: PoolState) -> None:
        """On a staffing plan, a person's operator-shift is their day: cut at each midnight."""
        kernel = self.kernel

        def cut(event: Any) -> None:
            self.operators.cut_shifts(pool, event.due_s)
            if event.due_s + 86400.0 < self.end_s:
                kernel.schedule_in(86400.0, on_midnight, None)

        on_midnight = (cut,)
        if self.end_s > 86400.0:
            kernel.schedule_in(86400.0, on_midnight, None)

    def _count_intervals(self) -> None:
        """At the end of each interval, each pool's operator-seconds on the phones and busy in
        it (the last interval is counted by :meth:`_finish`)."""
        kernel = self.kernel
        interval_s = self.settings.interval_s

        def interval_ends(event: Any) -> None:
            self._count_interval(event.due_s)
            if event.due_s + interval_s < self.end_s:
                kernel.schedule_in(interval_s, on_interval_end, None)

        on_interval_end = (interval_ends,)
        if interval_s < self.end_s:
            kernel.schedule_in(interval_s, on_interval_end, None)

    def _count_interval(self, now: float) -> None:
        for pool, marks in zip(self.pools, self._interval_marks, strict=True):
            pool.clock_on_duty(now)
            busy_s = pool.busy_done_s(now)
            pool.tally.busy_s_by_interval.append(busy_s - marks[0])
            pool.tally.staffed_s_by_interval.append(pool.on_duty_s - marks[1])
            marks[:] = [busy_s, pool.on_duty_s]

    def _hand_over_records(self) -> None:
        assert self._record_sink is not None and self.records is not None
        self._record_sink(self.records)
        self.records.clear()

    def _finish(self) -> RunTallies:
        """Settle the clocks, count what is still waiting, and check that every call, callback
        and incident is accounted for."""
        self._count_interval(self.end_s)
        first_counted = round(self.settings.warmup_s / self.settings.interval_s)
        for pool in self.pools:
            for operator in list(pool.staff):  # operator-shifts cut by the horizon's end
                if operator.off_after_task and operator.counted:  # past their shift's end
                    pool.tally.breaks_missed += len(operator.owed_breaks)
                self.operators.close_shift(operator, self.end_s)
            pool.tally.staffed_s = pool.on_duty_s
            pool.tally.busy_s = sum(pool.tally.busy_s_by_interval[first_counted:])
        for name, queue in self.queues.items():
            tally = queue.tally
            tally.settle_answered_at_once()
            still = [c for c in queue.queue if c.state == WAITING]
            tally.waiting_end = sum(1 for c in still if c.arrival_s >= self.settings.warmup_s)
            if self.records is not None:
                self.records.extend(
                    CallRecord(c.call_id, name, c.arrival_s, "waiting", self.end_s - c.arrival_s,
                               "", c.handle_s, c.caller_id, c.attempt)
                    for c in still
                )
            offered = tally.total("offered")
            ended = (
                tally.total("answered") + tally.total("abandoned")
                + tally.total("callbacks_accepted") + tally.total("overflowed")
                + tally.waiting_end
            )
            if offered != ended:
                raise ConservationError(
                    f"line {name}: offered {offered} but answered + abandoned + callbacks "
                    f"accepted + overflowed + still waiting is {ended}"
                )
        for rules in self.line_rules:  # duplicates and call-backs: counted and checked
            rules.settle()
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
            lines={name: queue.tally for name, queue in self.queues.items()},
            pools=self.pool_tallies,
            interval_s=self.settings.interval_s,
            warmup_s=self.settings.warmup_s,
            end_s=self.end_s,
            records=self.records,
            observations=self.observations,
        )

    @property
    def pool_tallies(self) -> dict[str, PoolTally]:
        """Each pool's tallies, by name."""
        return {pool.name: pool.tally for pool in self.pools}

    # --- observation (for checks, off by default) ------------------------------------------------

    def _start_observing(self, every_s: float) -> None:
        observations = Observations(
            waiting={name: [] for name in self.queues},
            busy={pool.name: [] for pool in self.pools},
        )
        self.observations = observations
        kernel = self.kernel

        def observe(event: Any) -> None:
            now = kernel.now
            if now >= self.settings.warmup_s:
                observations.times_s.append(now)
                for name, queue in self.queues.items():
                    observations.waiting[name].append(queue.waiting)
                for pool in self.pools:
                    observations.busy[pool.name].append(pool.busy)
            if now + every_s < self.end_s:
                kernel.schedule_in(every_s, (observe,), None)

        kernel.schedule_in(every_s / 2, (observe,), None)
