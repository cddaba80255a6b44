"""One operator as an individual: which pool they are in, what they are doing, and their
operator-shift so far (for the load each person carries, not only the pool's).

An *operator-shift* is one person's time on duty: with ``shifts`` staffing, one person on one
shift on one day; with ``flat`` or ``per_interval`` staffing, one person's day (a spell on duty
is cut at each midnight). Over it the model keeps the time on the phones and busy, the
longest *unbroken busy stretch* (from taking a task while free to next being free: back-to-back
calls make one stretch), and the breaks due, taken (and how late) and missed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contactsim.engine.kernel import Scheduled

if TYPE_CHECKING:
    from contactsim.engine.calls import PoolState


class Operator:
    """One person on duty in ``pool``.

    ``busy_until_s`` is when the task in hand ends (in the past when free); ``busy_s`` the
    task-seconds started in this operator-shift; ``stretch_from_s`` when the busy stretch in
    progress began. ``owed_breaks`` are breaks come due while busy (or on another break), taken
    as soon as the task in hand ends; ``off_after_task`` is set when the shift has ended while
    busy. ``pending`` is true when either is (so the usual end of a call checks one flag).
    ``call_end`` is the event of the end of each call they take, made once (its value: the
    operator) and scheduled again for each call.
    """

    __slots__ = (
        "break_s", "busy_s", "busy_until_s", "call_end", "counted", "longest_stretch_s",
        "off_after_task", "on_break", "on_duty", "owed_breaks", "pending", "pool",
        "shift_from_s", "stretch_from_s",
    )

    def __init__(self, pool: PoolState, now: float, counted: bool) -> None:
        self.pool = pool
        self.on_duty = True
        self.on_break = False
        self.off_after_task = False
        self.pending = False
        self.owed_breaks: list[tuple[float, float]] = []
        self.busy_until_s = now
        self.stretch_from_s = now
        self.call_end = Scheduled((), self, now)
        self.start_shift(now, counted)

    def start_shift(self, now: float, counted: bool) -> None:
        """Begin a new operator-shift at ``now``; ``counted`` if it is inside the measured
        window (it begins after the warm-up)."""
        self.shift_from_s = now
        self.counted = counted
        self.busy_s = 0.0
        self.break_s = 0.0
        self.longest_stretch_s = 0.0

    def end_stretch(self, now: float) -> None:
        """The busy stretch in progress ends at ``now`` (the operator is free)."""
        stretch = now - self.stretch_from_s
        if stretch > self.longest_stretch_s:
            self.longest_stretch_s = stretch
