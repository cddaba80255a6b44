"""Routing: which waiting call an operator who comes free takes, and which idle operator a new
call goes to.

The policy (:class:`PriorityRouting`): lines in priority order (999 first), first come first
served within a line; a new call goes to an idle specialist before an idle multi-skilled
operator (pools with fewer skills first, then in the scenario's order); and an optional reserve
keeps ``k`` multi-skilled operators free for one line: they take no lower-priority call that
would leave fewer than ``k`` of them idle. The queues and idle counts it decides over are kept
here too, so the model only moves calls and clocks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from contactsim.engine.team import Team

if TYPE_CHECKING:
    from contactsim.engine.inputs import LineInputs
    from contactsim.engine.records import LineTally, PoolTally

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


@dataclass(eq=False)
class LineQueue:
    """The queue of one line. Abandoned calls are left in the deque and skipped when reached,
    so ``waiting`` (not ``len(queue)``) is the number still waiting."""

    name: str
    priority: int
    queue: deque[Call] = field(default_factory=deque)
    waiting: int = 0
    #: pools that may take a new call of this line, specialists first
    pools: list[PoolState] = field(default_factory=list)
    #: the model's inputs and counts of this line, hung here so a call reaches them directly
    #: (set by the model before it runs; routing itself never reads them)
    inputs: LineInputs = field(default=None, repr=False)  # type: ignore[assignment]
    tally: LineTally = field(default=None, repr=False)  # type: ignore[assignment]

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
    #: lines this pool serves, most urgent first
    lines: list[LineQueue]
    holds_reserve: bool = False
    #: where callbacks stand among this pool's lines (an index into ``lines``; len(lines) is
    #: after every live call); None if the pool makes no callbacks
    callback_slot: int | None = None
    #: the model's counts of this pool, hung here so an answered call reaches them directly
    tally: PoolTally = field(default=None, repr=False)  # type: ignore[assignment]


class CallbackQueue(Protocol):
    """What routing needs to know of the callback desk."""

    ready: deque[Any]

    @property
    def open(self) -> bool:
        """Whether callbacks are made now."""
        ...


class PriorityRouting:
    """Priority routing with specialists first, an optional reserve for one line, and callbacks
    placed among live calls by their policy (``below_live``, ``above_live``, ``when_idle``)."""

    def __init__(
        self,
        lines: list[LineQueue],
        pools: list[PoolState],
        reserve_line: LineQueue | None = None,
        reserve_idle: int = 0,
        callbacks: CallbackQueue | None = None,
        callback_line: LineQueue | None = None,
        callback_serve: str = "below_live",
        callback_idle_at_least: int = 1,
    ) -> None:
        self.lines = sorted(lines, key=lambda line: line.priority)
        for pool in pools:
            pool.lines.sort(key=lambda line: line.priority)
        order = {id(pool): index for index, pool in enumerate(pools)}
        for line in self.lines:
            line.pools = sorted(
                (pool for pool in pools if line in pool.lines),
                key=lambda pool: (len(pool.lines), order[id(pool)]),
            )
        self.reserve_idle = reserve_idle if reserve_line is not None else 0
        self.reserve_priority = reserve_line.priority if reserve_line is not None else -1
        self.reserve_pools = []
        if self.reserve_idle > 0:
            self.reserve_pools = [
                pool for pool in pools if reserve_line in pool.lines and len(pool.lines) > 1
            ]
            for pool in self.reserve_pools:
                pool.holds_reserve = True
        self._callback_chosen = False
        self.callbacks = callbacks
        self.callback_line = callback_line
        self.callback_serve = callback_serve
        self.callback_idle_at_least = callback_idle_at_least
        if callbacks is not None and callback_line is not None:
            for pool in callback_line.pools:
                above = callback_serve == "above_live"
                pool.callback_slot = pool.lines.index(callback_line) if above else len(pool.lines)

    def _reserve_allows(self, pool: PoolState, line: LineQueue, others_idle_offset: int) -> bool:
        if not pool.holds_reserve or line.priority <= self.reserve_priority:
            return True
        others_idle = sum(p.idle for p in self.reserve_pools) - others_idle_offset
        return others_idle >= self.reserve_idle

    def pool_for_new_call(self, line: LineQueue) -> PoolState | None:
        """The pool whose idle operator answers a call of ``line`` now, or None to queue it."""
        for pool in line.pools:
            if pool.idle and (
                not pool.holds_reserve or self._reserve_allows(pool, line, others_idle_offset=1)
            ):
                return pool
        return None

    def call_for_free_operator(self, pool: PoolState) -> Call | None:
        """The waiting call an operator of ``pool`` who has just come free takes, if any.

        Returns None both when nothing waits and when the operator should make a callback
        instead; :meth:`makes_callback` tells which.
        """
        if pool.callback_slot is not None:
            if self.callbacks is not None and self.callbacks.ready:
                return self._work_with_callbacks(pool)
            self._callback_chosen = False  # no callback is due: live calls only, as below
        for line in pool.lines:
            if line.waiting:
                if not self._reserve_allows(pool, line, others_idle_offset=0):
                    return None
                return line.pop()
        return None

    def _work_with_callbacks(self, pool: PoolState) -> Call | None:
        self._callback_chosen = False
        slot = pool.callback_slot
        for index, line in enumerate(pool.lines):
            if index == slot and self._callback_allowed(pool, others_idle_offset=0):
                self._callback_chosen = True
                return None
            if line.waiting:
                if not self._reserve_allows(pool, line, others_idle_offset=0):
                    return None
                return line.pop()
        if slot == len(pool.lines) and self._callback_allowed(pool, others_idle_offset=0):
            self._callback_chosen = True
        return None

    def makes_callback(self, pool: PoolState) -> bool:
        """After :meth:`call_for_free_operator` returned None: make a callback attempt?"""
        return pool.callback_slot is not None and self._callback_chosen

    def _callback_allowed(self, pool: PoolState, others_idle_offset: int) -> bool:
        callbacks = self.callbacks
        if callbacks is None or not callbacks.ready or not callbacks.open:
            return False
        assert self.callback_line is not None
        if not self._reserve_allows(pool, self.callback_line, others_idle_offset):
            return False
        if self.callback_serve == "when_idle":
            idle = sum(p.idle for p in self.callback_line.pools) - others_idle_offset + 1
            return idle >= self.callback_idle_at_least
        return True

    def pool_for_callback(self) -> PoolState | None:
        """The pool whose idle operator makes a callback attempt now, or None."""
        line = self.callback_line
        if line is None:
            return None
        for pool in line.pools:
            if not pool.idle:
                continue
            slot = pool.callback_slot
            assert slot is not None
            # the operator is idle, so nothing it may take waits before the slot, unless the
            # reserve holds it back; below the slot, live calls come first
            if any(other.waiting for other in pool.lines[:slot]):
                continue
            if self._callback_allowed(pool, others_idle_offset=1):
                return pool
        return None
