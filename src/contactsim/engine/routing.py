"""Routing: what an operator who comes free does next, and which idle operator a new call or a
due callback goes to.

The policy (:class:`PriorityRouting`): lines in the scenario's priority order (the emergency
line first), first come first served within a line; a new call goes to an idle specialist
before an idle multi-skilled operator (pools with fewer skills first, then in the scenario's
order); an optional reserve keeps ``k`` multi-skilled operators free for one line: they take no
lower-priority call that would leave fewer than ``k`` of them idle; and callbacks take their
place among live calls by the one :class:`~contactsim.engine.callback.CallbackServe` policy.

Routing decides and returns its decision as a value; the model acts on it. The work it hands
out (a call from a line's queue, a request from the callback queue) is taken off its queue by
routing itself, so a decision is never half carried out.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from contactsim.engine.callback import BELOW_LIVE, CallbackServe
from contactsim.engine.calls import Call, CallbackRequest, LineQueue, PoolState

#: What an operator who has just come free does next: take this :class:`Call`, make an attempt
#: on this :class:`CallbackRequest`, or (None) go idle.
NextTask = Call | CallbackRequest | None


class CallbackQueue(Protocol):
    """What routing needs to know of the callback desk."""

    ready: deque[CallbackRequest]

    @property
    def open(self) -> bool:
        """Whether callbacks are made now."""
        ...


class PriorityRouting:
    """Priority routing with specialists first, an optional reserve for one line, and callbacks
    placed among live calls by their policy.

    Setting up routing sorts each pool's lines by priority and tells each line which pools take
    its new calls (``LineQueue.pools``) and each pool whether it holds the reserve and where
    callbacks stand among its lines.
    """

    def __init__(
        self,
        lines: list[LineQueue],
        pools: list[PoolState],
        reserve_line: LineQueue | None = None,
        reserve_idle: int = 0,
        callbacks: CallbackQueue | None = None,
        callback_line: LineQueue | None = None,
        callback_serve: CallbackServe = BELOW_LIVE,
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
        self.reserve_pools: list[PoolState] = []
        if self.reserve_idle > 0:
            self.reserve_pools = [
                pool for pool in pools if reserve_line in pool.lines and len(pool.lines) > 1
            ]
            for pool in self.reserve_pools:
                pool.holds_reserve = True
        for line in self.lines:
            line.sole_pool = (
                line.pools[0] if len(line.pools) == 1 and not line.pools[0].holds_reserve
                else None
            )
        self.callbacks = callbacks if callback_line is not None else None
        self.callback_line = callback_line if callbacks is not None else None
        self.callback_serve = callback_serve
        if self.callback_line is not None:
            for pool in self.callback_line.pools:
                pool.callback_slot = (
                    pool.lines.index(self.callback_line) if callback_serve.above_live
                    else len(pool.lines)
                )

    def serve_after(self, line: LineQueue, work: LineQueue) -> None:
        """Serve ``work``, a queue of outbound tasks of ``line`` (its call-backs), right after
        ``line``'s own live calls in every pool that serves ``line``: before the pool's less
        urgent lines and any callback requests placed among them. Work due while an operator
        is idle goes to the pools ``line``'s new calls go to, in the same order.

        ``work.priority`` is read by the reserve only: ``line.priority + 1`` is held back by a
        reserve kept for ``line`` or a more urgent line, not by one kept for a less urgent one.
        """
        work.pools = line.pools
        for pool in line.pools:
            index = pool.lines.index(line) + 1
            pool.lines.insert(index, work)
            if pool.callback_slot is not None and pool.callback_slot >= index:
                pool.callback_slot += 1

    # --- decisions ---------------------------------------------------------------------------

    def pool_for_new_call(self, line: LineQueue) -> PoolState | None:
        """The pool whose idle operator answers a call of ``line`` now, or None to queue it."""
        for pool in line.pools:
            if pool.idle and (
                not pool.holds_reserve or self._reserve_allows(pool, line, others_idle_offset=1)
            ):
                return pool
        return None

    def next_task(self, pool: PoolState) -> NextTask:
        """What an operator of ``pool`` who has just come free does next (see :data:`NextTask`).

        A call or callback request returned is taken off its queue.
        """
        if pool.callback_slot is not None:
            assert self.callbacks is not None
            if self.callbacks.ready:
                return self._next_task_with_callbacks(pool)
        for line in pool.lines:
            if line.waiting:
                if pool.holds_reserve and not self._reserve_allows(pool, line, 0):
                    return None
                return line.pop()
        return None

    def callback_for_idle_operator(self) -> tuple[PoolState, CallbackRequest] | None:
        """An idle operator's pool and the due request they make an attempt on now, or None.

        The request is taken off the callback queue; the operator is still counted idle.
        """
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
                assert self.callbacks is not None
                return pool, self.callbacks.ready.popleft()
        return None

    # --- the rules -----------------------------------------------------------------------------

    def _next_task_with_callbacks(self, pool: PoolState) -> NextTask:
        slot = pool.callback_slot
        assert self.callbacks is not None
        for index, line in enumerate(pool.lines):
            if index == slot and self._callback_allowed(pool, others_idle_offset=0):
                return self.callbacks.ready.popleft()
            if line.waiting:
                if not self._reserve_allows(pool, line, others_idle_offset=0):
                    return None
                return line.pop()
        if slot == len(pool.lines) and self._callback_allowed(pool, others_idle_offset=0):
            return self.callbacks.ready.popleft()
        return None

    def _reserve_allows(self, pool: PoolState, line: LineQueue, others_idle_offset: int) -> bool:
        """Whether the reserve lets an operator of ``pool`` take work of ``line``:
        ``others_idle_offset`` is 1 if the operator is counted among the idle, else 0."""
        if not pool.holds_reserve or line.priority <= self.reserve_priority:
            return True
        others_idle = sum(len(p.idle) for p in self.reserve_pools) - others_idle_offset
        return others_idle >= self.reserve_idle

    def _callback_allowed(self, pool: PoolState, others_idle_offset: int) -> bool:
        """Whether an operator of ``pool`` may make an attempt now, by hours, reserve and the
        policy's idle rule (the operator counted idle if ``others_idle_offset`` is 1)."""
        callbacks = self.callbacks
        if callbacks is None or not callbacks.ready or not callbacks.open:
            return False
        assert self.callback_line is not None
        if not self._reserve_allows(pool, self.callback_line, others_idle_offset):
            return False
        at_least = self.callback_serve.idle_at_least
        if at_least > 1:
            idle = sum(len(p.idle) for p in self.callback_line.pools) - others_idle_offset + 1
            return idle >= at_least
        return True
