"""Calls, the queues they wait in, the pools of operators who take them, and callback requests.

These are the things routing decides over: a :class:`LineQueue` per line (first come first
served), a :class:`PoolState` per pool of operators (a :class:`~contactsim.engine.team.Team`
with the lines it serves), the :class:`Call` a caller makes, and the :class:`CallbackRequest`
of a caller who accepted a callback. Each is built whole by
:mod:`contactsim.engine.builder`; a line's queue and a pool carry the line's inputs and the
tallies they count into, so a call reaches them directly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contactsim.engine.team import Team

if TYPE_CHECKING:
    from contactsim.engine.inputs import LineInputs
    from contactsim.engine.records import LineTally, PoolTally

#: What has become of a call so far.
WAITING, ANSWERED, ABANDONED, CALLBACK = 0, 1, 2, 3


class Call:
    """One offered call. ``interval`` is the reporting interval it arrived in; ``caller_id``
    is shared by a caller's redials and ``attempt`` counts the caller's calls (first = 1)."""

    __slots__ = (
        "accept_u", "arrival_s", "attempt", "call_id", "caller_id", "grade", "handle_s",
        "interval", "line", "patience_s", "state",
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
class PoolState(Team):
    """Operators of one pool: a team (idle, busy, leaving) and the lines it serves."""

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
