"""The lightest events SimPy's own loop will process: a time, callbacks and a value.

A call in the model costs up to three events (its arrival, the end of its handling, the moment
its caller's patience runs out), so the event is the unit of the model's cost. SimPy's
``Timeout`` checks its delay, builds a callbacks list and goes through ``Environment.schedule``;
here a slotted :class:`Scheduled` with a shared, read-only callbacks tuple is pushed straight
onto the environment's heap by :func:`schedule_in`, with the same key SimPy uses (time,
priority NORMAL, a sequence number from the environment's own counter). The order of events is
therefore exactly SimPy's: events at the same time run in the order they were scheduled, and
``Environment.run(until=...)`` and ordinary SimPy events interleave with these as usual.

What ``Environment.step`` needs of an event is ``callbacks`` (iterated once, then set to None)
and ``_ok`` (True: the event succeeded). Both are part of SimPy's documented event protocol
since 3.0; ``tests/test_events.py`` checks the ordering against ``Timeout`` on the installed
SimPy, so an incompatible release fails the suite rather than the results.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["Callbacks", "EventHeap", "Scheduled", "event_heap", "schedule_in"]

#: What runs when an event is processed: each is called with the event.
Callbacks = tuple[Callable[[Any], None], ...]
#: SimPy's event heap: (time, priority, sequence number, event), earliest first.
EventHeap = list[tuple[float, int, int, Any]]


class Scheduled:
    """An event already scheduled: SimPy calls each of ``callbacks`` with it, in order."""

    __slots__ = ("callbacks", "value")
    _ok = True  # read by Environment.step: the event succeeded

    def __init__(self, callbacks: Callbacks, value: Any) -> None:
        self.callbacks: Callbacks | None = callbacks
        self.value = value


def event_heap(env: simpy.Environment) -> EventHeap:
    """The environment's event heap, typed to take :class:`Scheduled` events too."""
    return env._queue  # type: ignore[return-value]


def schedule_in(env: simpy.Environment, delay_s: float, callbacks: Callbacks, value: Any) -> None:
    """Run ``callbacks`` with an event carrying ``value`` ``delay_s`` seconds from now.

    Equivalent to ``Timeout(env, delay_s, value)`` with the callbacks appended, at a fraction of
    its cost. ``delay_s`` must be non-negative (not checked: the model's callers guarantee it).
    """
    heappush(
        event_heap(env), (env._now + delay_s, NORMAL, next(env._eid), Scheduled(callbacks, value))
    )

