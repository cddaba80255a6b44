"""Outages: windows in which a pool's people are off the phones — a site's power or network
down — while its calls go to the other pools that serve their lines.

When a pool's outage begins, its free people go off the phones at once, and people on a call
finish it first, then go; nobody of the pool takes a call or a callback until the outage ends
(routing finds no free operator there and sends new calls to the other pools, or queues them).
People coming on duty during it go straight off the phones. A break that comes due during the
outage is taken on time (counted as a break, not as outage); a person back from a break while
it lasts goes off the phones again. When it ends, everyone off the phones for it is back and
free at once. A shift that ends during the outage ends as usual.

Time off the phones for an outage is counted apart from breaks: it is not time on the phones
(``staffed_s``) and goes into the pool's ``outage_s`` — operator-seconds that people on duty
would otherwise have been on the phones. A pool without outages pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contactsim.engine.operator import Operator
from contactsim.engine.plan import change_on_duty

if TYPE_CHECKING:
    from contactsim.engine.calls import PoolState
    from contactsim.engine.kernel import Kernel
    from contactsim.engine.records import PoolTally


class PoolOutage:
    """One pool's outage windows and who is off the phones for them now.

    ``out`` maps each person off the phones to when their spell began; ``active`` is true
    inside a window. Spells are counted into the pool's ``tally.outage_s`` (after ``warmup_s``)
    and, per operator-shift, kept until the shift closes (:meth:`shift_out_s`), so that the
    operator-shift's time on the phones leaves them out.
    """

    def __init__(self, windows_s: tuple[tuple[float, float], ...], tally: PoolTally,
                 warmup_s: float) -> None:
        self.windows_s = windows_s
        self.tally = tally
        self.warmup_s = warmup_s
        self.active = False
        self.out: dict[Operator, float] = {}
        self._in_shift_s: dict[Operator, float] = {}

    def take_out(self, operator: Operator, now: float) -> None:
        """``operator`` (off the pool's counts) goes off the phones at ``now``."""
        self.out[operator] = now

    def bring_back(self, operator: Operator, now: float) -> None:
        """``operator``'s spell off the phones ends at ``now``: counted."""
        self._count(operator, self.out.pop(operator), now)

    def shift_out_s(self, operator: Operator, now: float) -> float:
        """Seconds ``operator`` was off the phones for outages in the operator-shift closing
        at ``now`` (a spell still running is counted to ``now`` and goes on)."""
        since = self.out.get(operator)
        if since is not None:
            self._count(operator, since, now)
            self.out[operator] = now
        return self._in_shift_s.pop(operator, 0.0)

    def _count(self, operator: Operator, since: float, now: float) -> None:
        counted_s = now - max(since, self.warmup_s)
        if counted_s > 0.0:
            self.tally.outage_s += counted_s
        self._in_shift_s[operator] = self._in_shift_s.get(operator, 0.0) + (now - since)


class OffThePhones:
    """Following each pool's outages: the part of
    :class:`~contactsim.engine.duty.OnAndOffDuty` that takes people off the phones and back.

    Given by the class it is mixed into: the clock, the window, :meth:`operator_free` (what a
    person newly free does) and :meth:`_go_off` (a person going off duty).
    """

    kernel: Kernel
    warmup_s: float
    end_s: float
    _schedule_in: Callable[..., Any]
    operator_free: Callable[[Operator, float], None]
    _go_off: Callable[[Operator, float], None]

    def follow_outages(self, pool: PoolState) -> None:
        """Schedule the beginning and end of each of ``pool``'s outages inside the horizon
        (call before anything else is scheduled, so that an outage beginning or ending at the
        moment a shift does comes first)."""
        outage = pool.outage
        assert outage is not None
        now = self.kernel.now
        for begin_s, end_s in outage.windows_s:
            if begin_s < self.end_s:
                self._schedule_in(begin_s - now, (self._outage_begins,), pool)
            if end_s < self.end_s:
                self._schedule_in(end_s - now, (self._outage_ends,), pool)

    def free_or_out(self, operator: Operator, now: float) -> None:
        """``operator`` is free at ``now``: does what routing says comes next, or goes off the
        phones if their pool's outage is on."""
        outage = operator.pool.outage
        if outage is not None and outage.active:
            outage.take_out(operator, now)
        else:
            self.operator_free(operator, now)

    def _outage_begins(self, event: Any) -> None:
        """Free people go off the phones now; busy ones when their task ends."""
        pool: PoolState = event.value
        outage = pool.outage
        assert outage is not None
        now = event.due_s
        pool.clock_on_duty(now)
        outage.active = True
        for operator in pool.idle:
            outage.take_out(operator, now)
        pool.idle.clear()
        for operator in pool.staff:
            if not operator.on_break and operator not in outage.out:
                operator.pending = True  # busy: the end of the task goes through task_done

    def _outage_ends(self, event: Any) -> None:
        """Everyone off the phones for the outage is back, free."""
        pool: PoolState = event.value
        outage = pool.outage
        assert outage is not None
        now = event.due_s
        pool.clock_on_duty(now)
        outage.active = False
        for operator in pool.staff:
            if not operator.on_break and operator not in outage.out:
                operator.pending = bool(operator.owed_breaks) or operator.off_after_task
        for operator in list(outage.out):
            outage.bring_back(operator, now)
            operator.stretch_from_s = now
            self.operator_free(operator, now)

    def staffing_in_outage(self, pool: PoolState, target: int, now: float) -> None:
        """A pool on a staffing plan changes to ``target`` on duty during its outage: people
        off the phones go first (the latest to go off, first), then busy ones as their task
        ends; people joining go straight off the phones."""
        outage = pool.outage
        assert outage is not None
        pool.clock_on_duty(now)
        kept, pool.leaving, joining = change_on_duty(len(outage.out), pool.busy, pool.leaving,
                                                     target)
        for _ in range(len(outage.out) - kept):
            operator = next(reversed(outage.out))
            outage.bring_back(operator, now)
            self._go_off(operator, now)
        for _ in range(joining):
            operator = Operator(pool, now, now >= self.warmup_s)
            pool.staff[operator] = None
            outage.take_out(operator, now)
