"""The simulation clock and event list: SimPy's own, with the two shortcuts the model needs.

A simulated day of a busy control room has hundreds of thousands of moments where something
happens: a caller rings, an operator finishes a call, a queueing caller gives up. The model's
speed is therefore the cost of those moments. :class:`Kernel` is a ``simpy.Environment`` (as in
desmod) that adds two cheaper ways to make them happen, and is the only code in contactsim that
touches SimPy's private state (its event heap ``_queue``, its sequence counter ``_eid`` and its
clock ``_now``):

- :attr:`Kernel.schedule_in` puts a slotted :class:`Scheduled` event, with a shared, read-only
  tuple of callbacks, straight onto SimPy's heap under the key SimPy itself uses (time, priority
  NORMAL, the next sequence number). It is a ``Timeout`` with its callbacks appended, without
  the checks and the list: the order of events is exactly SimPy's, and ordinary SimPy events
  (``Timeout``, ``Environment.run(until=...)``) interleave with these as usual.
  :attr:`Kernel.schedule_again` schedules a spent :class:`Scheduled` anew, under the same key:
  an operator's end of a call is one event, made once and scheduled again for each call.
- Arrivals are not events at all. Each line's time-ordered arrival stream is given to
  :meth:`Kernel.add_arrivals`; :meth:`Kernel.advance_to` keeps each stream's next arrival under
  the key its event would have had, and takes it between SimPy's steps when it comes first. The
  order and numbers are exactly those of scheduling every arrival as an event; a call costs one
  event fewer. The stream whose arrival comes first is held apart from the others while
  ``advance_to`` runs, so a stream's arrivals that keep coming before every other stream's touch
  no heap.

What ``Environment.step`` needs of an event is ``callbacks`` (iterated once, then set to None)
and ``_ok`` (True: the event succeeded). SimPy is pinned to 4.1.x in ``pyproject.toml``;
``tests/engine/test_kernel.py`` fails loudly, naming what changed, if a release reshapes these
internals, and ``tests/engine/test_events.py`` checks the ordering against ``Timeout``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from heapq import heapify, heappop, heappush, heappushpop
from itertools import chain
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = [
    "ArrivalStream", "Callbacks", "EventHeap", "Kernel", "Scheduled", "simpy_internals_problems",
]

#: What runs when an event is processed: each is called with the event.
Callbacks = tuple[Callable[[Any], None], ...]
#: SimPy's event heap: (time, priority, sequence number, event), earliest first.
EventHeap = list[tuple[float, int, int, Any]]


class Scheduled:
    """An event already scheduled: SimPy calls each of ``callbacks`` with it, in order, when
    the clock reaches ``due_s`` (so a callback knows the time without asking the clock)."""

    __slots__ = ("callbacks", "due_s", "value")
    _ok = True  # read by Environment.step: the event succeeded

    def __init__(self, callbacks: Callbacks, value: Any, due_s: float) -> None:
        self.callbacks: Callbacks | None = callbacks
        self.value = value
        self.due_s = due_s


#: :attr:`Kernel.schedule_in` and :attr:`Kernel.schedule_again`
ScheduleIn = Callable[[float, Callbacks, Any], None]
ScheduleAgain = Callable[[float, Callbacks, Any], None]


class ArrivalStream:
    """The arrivals still to come at one ``target`` (a line), earliest first."""

    __slots__ = ("target", "times_s")

    def __init__(self, times_s: Iterator[float], target: Any) -> None:
        # ended by infinity, which comes after every end: no end of the iterator to check for
        self.times_s = chain(times_s, _NEVER)
        self.target = target


#: A stream's next arrival: (time, priority, sequence number, stream), the key its event would
#: have on SimPy's heap.
_Arrival = tuple[float, int, int, ArrivalStream]
_NO_ARRIVAL: _Arrival = (math.inf, NORMAL, -1, None)  # type: ignore[assignment]
#: What follows a stream's last arrival.
_NEVER = (math.inf,)
#: An entry put on SimPy's heap while :meth:`Kernel.advance_to` runs, after every event (and
#: taken off before it returns): the loop then never finds the heap empty. (The model's
#: callbacks never call SimPy's ``step`` or ``run``, which would take it as an event.)
_NO_EVENT = (math.inf, NORMAL + 1, -1, None)


def simpy_internals_problems() -> list[str]:
    """What, if anything, about the installed SimPy differs from what :class:`Kernel` relies
    on (empty if nothing does). Checked by ``tests/engine/test_kernel.py``, so that a SimPy
    release that reshapes its internals fails the suite, saying what changed, rather than
    moving the results."""
    problems: list[str] = []
    if not simpy.__version__.startswith("4.1."):
        problems.append(f"SimPy {simpy.__version__} is installed; the kernel was checked on 4.1.x")
    if NORMAL != 1 or not isinstance(NORMAL, int):
        problems.append(f"simpy.events.NORMAL is {NORMAL!r}, not the int 1")
    env = simpy.Environment(initial_time=5.0)
    if getattr(env, "_now", None) != 5.0:
        problems.append("Environment has no _now clock holding the current time")
    queue = getattr(env, "_queue", None)
    if not isinstance(queue, list) or queue:
        problems.append("Environment has no _queue list (its event heap), or it starts non-empty")
        return problems
    eid = getattr(env, "_eid", None)
    if eid is None or not hasattr(eid, "__next__"):
        problems.append("Environment has no _eid counter (an iterator of sequence numbers)")
        return problems
    timeout = simpy.Timeout(env, 2.0, "value")
    entry = queue[0] if queue else None
    if (
        not isinstance(entry, tuple)
        or len(entry) != 4
        or entry[0] != 7.0
        or entry[1] != NORMAL
        or not isinstance(entry[2], int)
        or entry[3] is not timeout
    ):
        problems.append(
            f"a Timeout's heap entry is {entry!r}, not (time, NORMAL, sequence number, event)"
        )
    if next(eid) != (entry[2] + 1 if isinstance(entry, tuple) and len(entry) == 4 else None):
        problems.append("_eid does not count up by one per scheduled event")
    if not isinstance(timeout.callbacks, list) or getattr(timeout, "_ok", None) is not True:
        problems.append("an Event has no callbacks list, or no _ok flag True on success")
    seen: list[Any] = []
    timeout.callbacks.append(seen.append)
    env.step()
    if env.now != 7.0 or seen != [timeout] or timeout.callbacks is not None:
        problems.append(
            "Environment.step no longer pops the heap, sets _now, calls each callback with the "
            "event and sets its callbacks to None"
        )
    return problems


class Kernel(simpy.Environment):
    """SimPy's environment with light events and arrival streams; arrivals stop at ``end_s``."""

    def __init__(self, end_s: float) -> None:
        super().__init__()
        self.end_s = end_s
        #: SimPy's own heap, typed to take :class:`Scheduled` events too
        self._heap: EventHeap = self._queue  # type: ignore[assignment]
        #: each stream's next arrival, earliest first, over a sentinel at infinity
        self._arrivals: list[_Arrival] = [_NO_ARRIVAL]
        #: whether advance_to is running (streams cannot be added then)
        self._advancing = False
        #: ``schedule_in(delay_s, callbacks, value)``: run ``callbacks`` with an event carrying
        #: ``value`` ``delay_s`` seconds from now — a ``Timeout(self, delay_s, value)`` with the
        #: callbacks appended, at a fraction of its cost. ``delay_s`` must be non-negative (not
        #: checked: the model's callers guarantee it). A closure over SimPy's heap and sequence
        #: counter, since the model schedules an event or two a call.
        self.schedule_in: ScheduleIn
        #: ``schedule_again(delay_s, callbacks, event)``: schedule ``event``, a
        #: :class:`Scheduled` made once and spent (or never scheduled), anew ``delay_s`` seconds
        #: from now with ``callbacks`` (its value kept): :attr:`schedule_in` without making an
        #: event, for one that recurs (an operator's end of a call). ``event`` may be any object
        #: with ``callbacks`` and ``due_s`` attributes (a queued ``Call`` is its own event of
        #: patience running out); the callbacks are called with it. The same key as
        #: :attr:`schedule_in`'s; the event must not be on the heap already (not checked).
        self.schedule_again: ScheduleAgain
        self.schedule_in, self.schedule_again = self._schedulers()

    def _schedulers(self) -> tuple[ScheduleIn, ScheduleAgain]:
        """:attr:`schedule_in` and :attr:`schedule_again`: push a :class:`Scheduled` event on
        SimPy's heap under the key SimPy itself uses (time, NORMAL, the next sequence
        number)."""
        heap, eid, push, normal = self._heap, self._eid, heappush, NORMAL
        new, light = object.__new__, Scheduled
        kernel = self

        def schedule_in(delay_s: float, callbacks: Callbacks, value: Any) -> None:
            due_s = kernel._now + delay_s
            # Scheduled(callbacks, value, due_s), without the call to __init__ (a third of
            # the cost of making the event: one is made a call or two)
            event = new(light)
            event.callbacks = callbacks
            event.value = value
            event.due_s = due_s
            push(heap, (due_s, normal, next(eid), event))

        def schedule_again(delay_s: float, callbacks: Callbacks, event: Any) -> None:
            due_s = kernel._now + delay_s
            event.callbacks = callbacks
            event.due_s = due_s
            push(heap, (due_s, normal, next(eid), event))

        return schedule_in, schedule_again

    def next_event(self) -> Any:
        """The event that will be processed next (None if none is scheduled): for checks."""
        return self._heap[0][3] if self._heap else None

    def add_arrivals(self, times_s: Iterator[float], target: Any) -> None:
        """Arrivals at ``target`` at each of ``times_s`` (ascending) before :attr:`end_s`.

        The first is keyed now, as its event would be if scheduled now: streams added at the
        same moment, and events scheduled around them, keep the order they were added in.
        Streams are added between calls of :meth:`advance_to` (the model adds every line's
        before the first), not by an event while it runs: that raises RuntimeError.
        """
        if self._advancing:
            raise RuntimeError("arrivals cannot be added while the kernel advances (from an "
                               "event's callback); add them before advance_to")
        stream = ArrivalStream(times_s, target)
        arrival_s = next(stream.times_s)
        if arrival_s < self.end_s:
            now = self._now
            # the delay from now added back, as a Timeout would: the same time to the last bit
            heappush(self._arrivals, (now + (arrival_s - now), NORMAL, next(self._eid), stream))

    def _run_first(self) -> None:
        """Process the first event on the heap (:meth:`advance_to`'s loop, for an event at the
        very time of an arrival)."""
        event = self._heap[0][3]
        callbacks = event.callbacks
        if callbacks.__class__ is tuple:
            self._now = heappop(self._heap)[0]
            event.callbacks = None
            for callback in callbacks:
                callback(event)
        else:
            self.step()

    def advance_to(self, until_s: float, on_arrival: Callable[[Any, float], None]) -> None:
        """Process, in time order, every event and arrival before ``until_s``; the clock then
        reads ``until_s``. ``on_arrival(target, now)`` is called for each arrival.

        The kernel's :class:`Scheduled` events (their callbacks a tuple) are processed as
        SimPy's :meth:`step` would, without the call; SimPy's own events (a list) are put back
        under their key for ``step`` to take. Arrivals are taken between events when they come
        first; at an arrival's very time the full keys decide (time, priority, sequence: never
        equal), one event at a time (:meth:`_run_first`). As with
        ``Environment.run(until=...)``, events at ``until_s`` itself are left for later.
        """
        events = self._heap
        events.append(_NO_EVENT)  # still a heap: nothing comes after it
        self._advancing = True
        try:
            self._advance(until_s, on_arrival)
        finally:
            self._advancing = False
            if _NO_EVENT in events:  # a callback calling SimPy's step or run may have taken it
                events.remove(_NO_EVENT)
                heapify(events)

    def _advance(self, until_s: float, on_arrival: Callable[[Any, float], None]) -> None:
        """:meth:`advance_to`, with :data:`_NO_EVENT` on the heap."""
        events = self._heap
        arrivals = self._arrivals  # never empty: a sentinel at infinity stays at the bottom
        step = self.step
        end_s = self.end_s
        eid = self._eid
        # the stream whose arrival comes first is held in locals, off the heap, while this
        # runs: its next arrival is compared with the heap of the others only when it is no
        # earlier than theirs (every arrival, with a single stream, costs no heap operation)
        arrival_s, _, sequence, stream = heappop(arrivals) if len(arrivals) > 1 else _NO_ARRIVAL
        others_s = arrivals[0][0]
        stop_s = arrival_s if arrival_s < until_s else until_s
        try:
            while True:
                # the events before the next arrival (and before until_s)
                while events[0][0] < stop_s:
                    at_s, priority, key, event = heappop(events)
                    callbacks = event.callbacks
                    if callbacks.__class__ is tuple:
                        # one of the kernel's own events: Environment.step, inlined (they always
                        # succeed and their callbacks never stop the simulation): the clock set,
                        # each callback called with the event
                        self._now = at_s
                        event.callbacks = None
                        try:  # the model's events have one callback: called without a loop
                            (callback,) = callbacks
                        except ValueError:
                            for callback in callbacks:
                                callback(event)
                        else:
                            callback(event)
                    else:  # a SimPy event: back under its key, for SimPy's own step
                        heappush(events, (at_s, priority, key, event))
                        step()
                if arrival_s >= until_s:
                    self._now = until_s
                    return
                # an event at the arrival's very time: the full keys decide (never equal)
                if events[0][0] == arrival_s and events[0] < (arrival_s, NORMAL, sequence):
                    self._run_first()
                    continue
                self._now = now = arrival_s
                target = stream.target
                # the stream's following arrival (infinity after its last)
                following_s = next(stream.times_s)
                if following_s < end_s:
                    arrival_s = now + (following_s - now)  # as a Timeout would: see add_arrivals
                    sequence = next(eid)
                    if arrival_s >= others_s:  # another stream's may come first: the full keys
                        arrival_s, _, sequence, stream = heappushpop(
                            arrivals, (arrival_s, NORMAL, sequence, stream))
                        others_s = arrivals[0][0]
                elif len(arrivals) > 1:  # the stream has ended: the next one's turn
                    arrival_s, _, sequence, stream = heappop(arrivals)
                    others_s = arrivals[0][0]
                else:
                    arrival_s, _, sequence, stream = _NO_ARRIVAL
                stop_s = arrival_s if arrival_s < until_s else until_s
                on_arrival(target, now)
        finally:  # the stream in hand back on the heap, under its key (even on an exception)
            if stream is not None:
                heappush(arrivals, (arrival_s, NORMAL, sequence, stream))
