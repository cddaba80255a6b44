"""Coming on and off duty, and breaks: the part of :class:`~contactsim.engine.service.Operators`
that follows a pool's staffing.

A pool on a staffing plan (``flat``, ``per_interval``) follows its level: when it rises, people
come on duty; when it falls, idle people go at once and the first busy ones to finish go next.
A person's operator-shift on such a plan is their day (cut at each midnight). A pool on shifts
(:class:`~contactsim.engine.plan.ShiftRoster`) has each duty's people come on duty at its start
and go at its end — each finishing the task in hand first — and take their own breaks:

- an operator free when a break comes due starts it at once; one busy starts it the moment the
  task in hand ends (late by the wait), and the break is never shortened;
- no task is taken on a break; a break due during another break starts when that one ends;
- a break still owed when the shift ends is *missed*; a shift that ends during a break ends it.

A pool's outages (people off the phones for a window) are :mod:`contactsim.engine.outage`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contactsim.engine.operator import Operator
from contactsim.engine.outage import OffThePhones
from contactsim.engine.plan import ShiftRoster

if TYPE_CHECKING:
    from contactsim.engine.calls import PoolState
    from contactsim.engine.kernel import Kernel


class OnAndOffDuty(OffThePhones):
    """People coming on and off duty, their breaks, and their operator-shifts counted.

    Mixed into :class:`~contactsim.engine.service.Operators`, which gives the clock, the
    window and :meth:`operator_free` (what a person newly free does).
    """

    kernel: Kernel
    warmup_s: float
    end_s: float
    _schedule_in: Callable[..., Any]
    operator_free: Callable[[Operator, float], None]

    def __init__(self) -> None:
        self._on_duty_begins = (self._duty_begins,)
        self._on_duty_ends = (self._duty_ends,)
        self._on_break_due = (self._break_due,)
        self._on_break_ends = (self._break_ends,)

    # --- coming on and off duty ----------------------------------------------------------------

    def set_staffing(self, pool: PoolState, operators: int) -> None:
        """The plan of ``pool`` changes to ``operators`` on duty: idle people going off duty
        go now, those joining start work."""
        now = self.kernel.now
        if pool.outage is not None and pool.outage.active:
            self.staffing_in_outage(pool, operators, now)
            return
        going, joining = pool.set_level(operators, now)
        for operator in going:
            self._go_off(operator, now)
        for _ in range(joining):
            operator = Operator(pool, now, now >= self.warmup_s)
            pool.staff[operator] = None
            self.operator_free(operator, now)

    def follow_roster(self, pool: PoolState, roster: ShiftRoster) -> None:
        """Bring each duty of ``roster`` on and off duty in turn, to the end of the horizon."""
        duties = roster.duties
        if duties and duties[0].begin_s < self.end_s:
            self._schedule_in(duties[0].begin_s - self.kernel.now, self._on_duty_begins,
                              (pool, duties, 0))

    def _duty_begins(self, event: Any) -> None:
        pool, duties, index = event.value
        duty = duties[index]
        if index + 1 < len(duties) and duties[index + 1].begin_s < self.end_s:
            self._schedule_in(duties[index + 1].begin_s - duty.begin_s, self._on_duty_begins,
                              (pool, duties, index + 1))
        now = event.due_s
        pool.clock_on_duty(now)
        people = []
        for breaks in duty.breaks_s:
            operator = Operator(pool, now, now >= self.warmup_s)
            pool.staff[operator] = None
            people.append(operator)
            for start_s, length_s in breaks:
                if start_s < self.end_s:
                    self._schedule_in(start_s - now, self._on_break_due,
                                      (operator, start_s, length_s))
        if duty.end_s < self.end_s:
            self._schedule_in(duty.end_s - now, self._on_duty_ends, people)
        for operator in people:
            self.free_or_out(operator, now)

    def _duty_ends(self, event: Any) -> None:
        """A duty's end: its free people and those on a break go now, busy ones when their
        task ends."""
        people: list[Operator] = event.value
        now = event.due_s
        people[0].pool.clock_on_duty(now)
        for operator in people:
            if not operator.on_duty:
                continue
            pool = operator.pool
            if operator.on_break:
                operator.on_break = False
                operator.break_s += now - operator.busy_until_s
                self._go_off(operator, now)
            elif pool.outage is not None and operator in pool.outage.out:
                pool.outage.bring_back(operator, now)
                self._go_off(operator, now)
            elif operator in pool.idle:
                pool.idle.remove(operator)
                self._go_off(operator, now)
            else:
                operator.off_after_task = operator.pending = True

    def _go_off(self, operator: Operator, now: float) -> None:
        """``operator`` goes off duty at ``now`` (the team's counts already changed): their
        operator-shift is counted, with any break still owed as missed."""
        operator.on_duty = False
        pool = operator.pool
        del pool.staff[operator]
        if operator.counted:
            pool.tally.breaks_missed += len(operator.owed_breaks)
        self.close_shift(operator, now)

    def close_shift(self, operator: Operator, now: float) -> None:
        """Count ``operator``'s operator-shift, ending at ``now``, in the pool's tally (if it
        began in the window). Task-seconds still to come (a call running on past a midnight that
        cuts a spell on duty in two) are left to the operator's next shift."""
        pool = operator.pool
        still_to_come_s = max(0.0, operator.busy_until_s - now) if not operator.on_break else 0.0
        worked_s = operator.busy_s - still_to_come_s
        pool.closed_busy_s += worked_s
        operator.busy_s = still_to_come_s
        # time off the phones for outages in this operator-shift (a spell running is counted)
        out_s = pool.outage.shift_out_s(operator, now) if pool.outage is not None else 0.0
        if not operator.counted:
            return
        tally = pool.tally
        longest = operator.longest_stretch_s
        if still_to_come_s > 0.0:  # busy at the cut: the stretch so far
            longest = max(longest, now - operator.stretch_from_s)
        on_phones_s = now - operator.shift_from_s - operator.break_s - out_s
        tally.shifts += 1
        if on_phones_s > 0 and worked_s > tally.high_occupancy * on_phones_s:
            tally.high_occupancy_shifts += 1
        tally.longest_stretch_sum_s += longest
        tally.longest_stretch_max_s = max(tally.longest_stretch_max_s, longest)

    def cut_shifts(self, pool: PoolState, now: float) -> None:
        """Midnight for a pool on a staffing plan: everyone on duty ends one operator-shift and
        begins the next (a busy stretch in progress carries on into it)."""
        counted = now >= self.warmup_s
        for operator in pool.staff:
            self.close_shift(operator, now)
            carried_s = operator.busy_s
            operator.start_shift(now, counted)
            operator.busy_s = carried_s
            if carried_s > 0.0:
                operator.stretch_from_s = now

    # --- breaks ------------------------------------------------------------------------------

    def _break_due(self, event: Any) -> None:
        operator, due_s, length_s = event.value
        if not operator.on_duty:
            return
        if operator.off_after_task:  # the shift has ended: the break is lost
            if operator.counted:
                operator.pool.tally.breaks_missed += 1
            return
        pool = operator.pool
        if not operator.on_break and operator in pool.idle:
            pool.clock_on_duty(due_s)
            pool.idle.remove(operator)
            self._start_break(operator, due_s, due_s, length_s)
        elif pool.outage is not None and operator in pool.outage.out:  # on time, in the outage
            pool.outage.bring_back(operator, due_s)
            self._start_break(operator, due_s, due_s, length_s)
        else:
            operator.owed_breaks.append((due_s, length_s))
            operator.pending = True

    def _start_break(self, operator: Operator, now: float, due_s: float, length_s: float
                     ) -> None:
        """``operator`` (off the team's counts, which are clocked) starts a break due at
        ``due_s``."""
        operator.on_break = True
        operator.busy_until_s = now  # while on a break: when it began
        if operator.counted:
            tally = operator.pool.tally
            tally.breaks_taken += 1
            late_s = now - due_s
            if late_s > 0.0:
                tally.breaks_late += 1
                tally.break_late_sum_s += late_s
                tally.break_late_max_s = max(tally.break_late_max_s, late_s)
        self._schedule_in(length_s, self._on_break_ends, operator)

    def _break_ends(self, event: Any) -> None:
        operator: Operator = event.value
        if not operator.on_duty:
            return  # the shift ended during the break
        now = event.due_s
        operator.on_break = False
        operator.break_s += now - operator.busy_until_s
        operator.busy_until_s = now
        if operator.owed_breaks:  # another came due meanwhile: taken now, late
            due_s, length_s = operator.owed_breaks.pop(0)
            operator.pending = bool(operator.owed_breaks) or operator.off_after_task
            self._start_break(operator, now, due_s, length_s)
            return
        operator.pending = operator.off_after_task
        operator.pool.clock_on_duty(now)
        operator.stretch_from_s = now
        self.free_or_out(operator, now)

