"""Calls, the queues they wait in, the pools of operators who take them, and callback requests.

These are the things routing decides over: a :class:`LineQueue` per line (first come first
served), a :class:`PoolState` per pool of operators (its people, free and busy, with the lines
it serves), the :class:`Call` a caller makes, and the :class:`CallbackRequest`
of a caller who accepted a callback. Each is built whole by
:mod:`contactsim.engine.builder`; a line's queue and a pool carry the line's inputs and the
tallies they count into, so a call reaches them directly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contactsim.engine.plan import change_on_duty

if TYPE_CHECKING:
    from collections.abc import Callable

    from contactsim.engine.inputs import LineInputs
    from contactsim.engine.operator import Operator
    from contactsim.engine.outage import PoolOutage
    from contactsim.engine.overflow import NeighbourForce
    from contactsim.engine.records import LineTally, PoolTally

#: What has become of a call so far.
WAITING, ANSWERED, ABANDONED, CALLBACK = 0, 1, 2, 3
#: ... or sent to a neighbouring force (see :mod:`contactsim.engine.overflow`)
OVERFLOWED = 4


class Call:
    """One offered call. ``interval`` is the reporting interval it arrived in; ``caller_id``
    is shared by a caller's redials and ``attempt`` counts the caller's calls (first = 1).

    A queued call is also the kernel's event of its caller's patience running out
    (``callbacks`` and ``due_s``, set by ``Kernel.schedule_again``): no event is made for it."""

    __slots__ = (
        "accept_u", "arrival_s", "attempt", "call_id", "callbacks", "caller_id", "due_s", "grade",
        "handle_s", "interval", "line", "patience_s", "state",
    )

    def __init__(
        self,
        call_id: int,
        line: LineQueue,
        arrival_s: float,
        handle_s: float,
        patience_s: float,
        interval: int,
        caller_id: int,
        attempt: int = 1,
        grade: int = -1,
        accept_u: float = 1.0,
    ) -> None:
        self.call_id = call_id
        self.line = line
        self.arrival_s = arrival_s
        self.handle_s = handle_s
        self.patience_s = patience_s
        self.interval = interval
        self.caller_id = caller_id
        self.attempt = attempt
        self.grade = grade  # triage outcome drawn when the caller rang (-1: none)
        self.accept_u = accept_u  # uniform draw: accepts a callback offer if below the share
        self.state = WAITING


class CallbackRequest:
    """A caller who accepted a callback, and the attempts made to reach them."""

    __slots__ = ("accepted_s", "attempts", "call", "counted")

    def __init__(self, call: Call, accepted_s: float, counted: bool) -> None:
        self.call = call
        self.accepted_s = accepted_s
        self.attempts = 0
        self.counted = counted


@dataclass(eq=False)
class LineQueue:
    """The queue of one line. Abandoned calls are left in the deque and skipped when reached,
    so ``waiting`` (not ``len(queue)``) is the number still waiting.

    ``priority`` is the line's place in the routing order (0: the most urgent).
    """

    name: str
    priority: int
    #: the model's inputs and counts of this line (routing itself never reads them)
    inputs: LineInputs = field(repr=False)
    tally: LineTally = field(repr=False)
    queue: deque[Call] = field(default_factory=deque)
    waiting: int = 0
    #: pools that may take a new call of this line, specialists first (set by routing)
    pools: list[PoolState] = field(default_factory=list)
    #: the one pool of ``pools``, if the line has one and it keeps no reserve: an idle
    #: operator of it answers a new call, with nothing else to weigh (set by routing)
    sole_pool: PoolState | None = field(default=None, repr=False)
    #: whether the line's callers have no trait to draw but a handle time and a patience,
    #: and whether its calls answered at once need no ``Call`` (set by the callers' side)
    plain: bool = field(default=False, repr=False)
    answers_without_call: bool = field(default=False, repr=False)
    #: where calls queueing too long go, if the line overflows to a neighbouring force
    overflow: NeighbourForce | None = field(default=None, repr=False)
    #: the line's rule when a call is answered, ``(call, tally, counted, handle_s) -> the
    #: call's handle time``: triage grading, silent calls, duplicates (None: none of them)
    on_answer: Callable[[Call, LineTally, bool, float], float] | None = field(
        default=None, repr=False)
    #: the line's rule when a caller hangs up before answer, ``(call) -> whether the caller
    #: may ring again``: dropped calls called back, duplicates (None: none of them)
    on_abandon: Callable[[Call], bool] | None = field(default=None, repr=False)

    def push(self, call: Call) -> None:
        """Put a call at the back of the queue."""
        self.queue.append(call)
        self.waiting += 1

    def pop(self) -> Call:
        """Take the longest-waiting call still waiting (there must be one)."""
        queue = self.queue
        call = queue.popleft()
        while call.state != WAITING:
            call = queue.popleft()
        self.waiting -= 1
        return call


@dataclass(eq=False)
class PoolState:
    """Operators of one pool: who is idle, how many are busy (and, of those, due to go off
    duty), the lines the pool serves, and its on-duty clock.

    The people are :class:`~contactsim.engine.operator.Operator` objects: ``idle`` holds the
    free ones, the longest free first (the next call goes to them: its length is the idle
    count routing reads), and ``staff`` everyone on duty (free, busy or on a break).
    ``leaving`` counts busy people who go when their task ends, on a staffing plan that has
    fallen (on shifts, each person knows their own end). ``on_duty_s`` is the person-seconds on
    the phones (free or busy) after ``warmup_s``; ``closed_busy_s`` the task-seconds of
    operator-shifts already ended (see :meth:`busy_done_s`).
    """

    name: str
    #: lines this pool serves (routing sorts them most urgent first)
    lines: list[LineQueue]
    #: the model's counts of this pool
    tally: PoolTally = field(repr=False)
    #: whether this pool's idle operators count towards a line's reserve (set by routing)
    holds_reserve: bool = False
    #: where callbacks stand among this pool's lines (an index into ``lines``; len(lines) is
    #: after every live call); None if the pool makes no callbacks (set by routing)
    callback_slot: int | None = None
    idle: deque[Operator] = field(default_factory=deque, repr=False)
    busy: int = 0
    leaving: int = 0
    warmup_s: float = 0.0
    on_duty_s: float = 0.0
    _on_duty_since: float = 0.0
    #: a dict for its order (a set's would follow memory addresses: sums not reproducible)
    staff: dict[Operator, None] = field(default_factory=dict, repr=False)
    closed_busy_s: float = 0.0
    #: the pool's outage windows and who is off the phones for them (None: no outages)
    outage: PoolOutage | None = field(default=None, repr=False)

    def clock_on_duty(self, now: float) -> None:
        """Add the person-seconds on the phones since the last change; call before the number
        free or busy changes."""
        since = max(self._on_duty_since, self.warmup_s)
        if now > since:
            self.on_duty_s += (len(self.idle) + self.busy) * (now - since)
        self._on_duty_since = now

    def set_level(self, target: int, now: float) -> tuple[list[Operator], int]:
        """Move to ``target`` on the phones (a staffing plan's level): the idle people who go
        now (taken off idle), and how many come on duty (for the caller to set to work)."""
        self.clock_on_duty(now)
        idle, self.leaving, joining = change_on_duty(len(self.idle), self.busy, self.leaving,
                                                     target)
        going = [self.idle.pop() for _ in range(len(self.idle) - idle)]
        return going, joining

    def busy_done_s(self, now: float) -> float:
        """Task-seconds this pool's operators have worked by ``now``: every task started,
        less what is still to come of the tasks in hand."""
        done = self.closed_busy_s
        for operator in self.staff:
            done += operator.busy_s
            if operator.busy_until_s > now:
                done -= operator.busy_until_s - now
        return done
