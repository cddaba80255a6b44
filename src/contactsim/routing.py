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

WAITING, ANSWERED, ABANDONED = 0, 1, 2


class Call:
    """One offered call. ``interval`` is the reporting interval it arrived in."""

    __slots__ = ("arrival_s", "call_id", "handle_s", "interval", "line", "patience_s", "state")

    def __init__(
        self,
        call_id: int,
        line: LineQueue,
        arrival_s: float,
        handle_s: float,
        patience_s: float,
        interval: int,
    ) -> None:
        self.call_id = call_id
        self.line = line
        self.arrival_s = arrival_s
        self.handle_s = handle_s
        self.patience_s = patience_s
        self.interval = interval
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
    """Operators of one pool: how many are idle, busy, and busy but due to go off duty."""

    name: str
    #: lines this pool serves, most urgent first
    lines: list[LineQueue]
    holds_reserve: bool = False
    idle: int = 0
    busy: int = 0
    leaving: int = 0


class PriorityRouting:
    """Priority routing with specialists first and an optional reserve for one line."""

    def __init__(
        self,
        lines: list[LineQueue],
        pools: list[PoolState],
        reserve_line: LineQueue | None = None,
        reserve_idle: int = 0,
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

    def _reserve_allows(self, pool: PoolState, line: LineQueue, others_idle_offset: int) -> bool:
        if not pool.holds_reserve or line.priority <= self.reserve_priority:
            return True
        others_idle = sum(p.idle for p in self.reserve_pools) - others_idle_offset
        return others_idle >= self.reserve_idle

    def pool_for_new_call(self, line: LineQueue) -> PoolState | None:
        """The pool whose idle operator answers a call of ``line`` now, or None to queue it."""
        for pool in line.pools:
            if pool.idle and self._reserve_allows(pool, line, others_idle_offset=1):
                return pool
        return None

    def call_for_free_operator(self, pool: PoolState) -> Call | None:
        """The waiting call an operator of ``pool`` who has just come free takes, if any."""
        for line in pool.lines:
            if line.waiting:
                if not self._reserve_allows(pool, line, others_idle_offset=0):
                    return None
                return line.pop()
        return None
