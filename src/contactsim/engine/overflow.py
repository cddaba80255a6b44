"""Overflow to a neighbouring force: calls of a line still queueing ``after_s`` after they rang
leave the queue for a neighbour's control room, and count as overflowed, not answered here.

The neighbour is a sink with ``capacity`` lines (None: it takes every call). An overflowed call
holds one of its lines for the call's own handle time. A call that comes due while every line
is busy keeps waiting here — it may still be answered, abandon, or overflow later: when a line
frees, the longest-waiting such call (still waiting, and past ``after_s``) takes it.

Each queued call of a line with overflow gets one event, ``after_s`` after it rang, ignored if
the call was answered, abandoned or took a callback first; with a capacity, each overflowed call
one more, when it frees the neighbour's line. A line without overflow schedules nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contactsim.engine.calls import OVERFLOWED, WAITING, Call
from contactsim.engine.records import CallRecord


@dataclass(frozen=True)
class OverflowInputs:
    """A line's overflow rule: calls queueing ``after_s`` go to a neighbour with ``capacity``
    lines (None: unlimited)."""

    after_s: float
    capacity: int | None = None

    def __post_init__(self) -> None:
        if not self.after_s >= 0.0:
            raise ValueError(f"overflow after_s must be >= 0, got {self.after_s}")
        if self.capacity is not None and self.capacity < 1:
            raise ValueError(f"overflow capacity must be at least 1 line, got {self.capacity}")


class NeighbourForce:
    """The neighbouring force one line overflows to: its busy lines, and the calls of ours
    that came due while they were all busy (in the order they rang).

    ``schedule_in`` is the kernel's; ``records`` (shared with the model) gets a
    record per overflowed call, if kept.
    """

    def __init__(
        self,
        inputs: OverflowInputs,
        schedule_in: Callable[[float, Any, Any], None],
        records: list[CallRecord] | None,
    ) -> None:
        self.after_s = inputs.after_s
        self.capacity = inputs.capacity
        self.busy = 0
        self.blocked: deque[Call] = deque()
        self._schedule_in = schedule_in
        self.records = records
        #: what runs when a queued call comes due, and when a neighbour's line frees
        self.on_due = (self._due,)
        self._on_line_free = (self._line_free,)

    def _due(self, event: Any) -> None:
        """A queued call has waited ``after_s``: to the neighbour, if a line is free."""
        call: Call = event.value
        if call.state != WAITING:
            return
        if self.capacity is not None and self.busy >= self.capacity:
            self.blocked.append(call)
            return
        self._send(call, event.due_s)

    def _line_free(self, event: Any) -> None:
        """One of the neighbour's lines frees: the longest-waiting blocked call still waiting
        takes it."""
        self.busy -= 1
        blocked = self.blocked
        while blocked:
            call = blocked.popleft()
            if call.state == WAITING:
                self._send(call, event.due_s)
                return

    def _send(self, call: Call, now: float) -> None:
        call.state = OVERFLOWED
        queue = call.line
        queue.waiting -= 1
        queue.tally.overflowed[call.interval] += 1
        if self.capacity is not None:
            self.busy += 1
            self._schedule_in(call.handle_s, self._on_line_free, None)
        if self.records is not None:
            self.records.append(
                CallRecord(call.call_id, queue.name, call.arrival_s, "overflowed",
                           now - call.arrival_s, "", call.handle_s, call.caller_id, call.attempt)
            )
