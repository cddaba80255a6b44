"""Bursts of calls for one incident: a share of a line's first calls bring further calls, from
other people who saw the same incident, within minutes — duplicates of an incident already
reported.

A line with bursts reads its first calls through :meth:`Bursts.first_calls`. As the kernel
reads a first call's arrival time from the line's stream, one uniform decides whether it brings
a burst (below ``share``); if it does, the number of further calls is drawn (Poisson, mean
``extra_calls``) and each rings an exponential gap (mean ``spread_s``) after the one before, as
an event on the kernel's heap (not an arrival). The decision is made for every first call the
stream brings, whatever becomes of it: a caller who reports online instead (``online_shift``)
still brings the burst, since others saw the incident too.

A duplicate rings the line like any call: it queues, abandons with the line's patience, may
overflow to a neighbour. It differs in four ways: its handle time is its own (the handler links
it to the open incident), it is not triaged (no grade, no Resolution Centre referral), it never
redials and it never accepts a callback offer. Everything about bursts is drawn on the line's
own streams, so a line without bursts — or with ``share`` 0 — sees exactly the callers it would
see without them.

Duplicates count as the line's calls (offered, answered, abandoned, its service level), and
apart, per interval of arrival (:class:`BurstTally`), so that the service level can also be
given without them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contactsim.engine.calls import ABANDONED, ANSWERED, WAITING, Call, LineQueue
from contactsim.engine.kernel import Kernel
from contactsim.engine.sampler import Sampler
from contactsim.errors import ConservationError

__all__ = ["DUPLICATE", "BurstInputs", "BurstTally", "Bursts"]

#: The grade a duplicate carries: it is never triaged (a caller's own grade is 0 or more, and
#: -1 marks a caller still to be graded on the line).
DUPLICATE = -2

#: ``ring(queue, now, handle_s, patience_s, grade)``: a new caller rings ``queue`` now, offered
#: like any call (:meth:`~contactsim.engine.callers.Callers.ring`); returns the call.
Ring = Callable[[LineQueue, float, float, float, int], Call]


@dataclass(frozen=True)
class BurstInputs:
    """A line's bursts as the model sees them: the share of first calls that bring one, and
    the draws — each on a stream of its own."""

    share: float
    decide: Sampler  # uniform, one per first call
    size: Sampler  # Poisson counts of further calls, one per burst
    gap: Sampler  # exponential seconds from one call of a burst to the next, one per duplicate
    handle_time: Sampler  # one per duplicate, when it rings
    patience: Sampler | None = None  # one per duplicate, when it rings; None: never abandon

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"bursts share must be from 0 to 1, got {self.share}")


@dataclass
class BurstTally:
    """A line's duplicates per interval of arrival: offered, answered, answered within the
    line's service-level threshold, abandoned, and sent to a neighbouring force (counted at the
    end, from what became of each); and those still queueing at the end."""

    n_intervals: int
    first_counted_interval: int
    duplicates_offered: list[int] = field(init=False)
    duplicates_answered: list[int] = field(init=False)
    duplicates_answered_within: list[int] = field(init=False)
    duplicates_abandoned: list[int] = field(init=False)
    duplicates_overflowed: list[int] = field(init=False)
    duplicates_waiting_end: int = 0

    #: the per-interval series, in the order the interval frame shows them
    SERIES = ("duplicates_offered", "duplicates_answered", "duplicates_answered_within",
              "duplicates_abandoned", "duplicates_overflowed")

    def __post_init__(self) -> None:
        for series in self.SERIES:
            setattr(self, series, [0] * self.n_intervals)

    def total(self, series: str) -> int:
        """Sum of one per-interval series over the measured window (after the warm-up)."""
        return sum(getattr(self, series)[self.first_counted_interval:])


class Bursts:
    """The bursts of one line: deciding them as first calls are read, ringing the duplicates,
    and counting them (``tally``).

    ``ring`` offers a new caller on the line (see :data:`Ring`); ``service_level_s`` is the
    line's threshold, ``end_s`` the horizon's end (no duplicate rings at or after it).
    """

    def __init__(
        self,
        inputs: BurstInputs,
        queue: LineQueue,
        kernel: Kernel,
        ring: Ring,
        tally: BurstTally,
        end_s: float,
    ) -> None:
        self.inputs = inputs
        self.queue = queue
        self.kernel = kernel
        self.tally = tally
        self.end_s = end_s
        self._ring = ring
        self._service_level_s = queue.tally.service_level_s
        self._on_duplicate = (self._duplicate_rings,)
        #: the duplicates that rang in the measured window: what became of each is counted at
        #: the end (answered and abandoned ones are also counted as it happens: a check)
        self._counted: list[Call] = []

    def first_calls(self, times_s: Iterator[float]) -> Iterator[float]:
        """The line's first calls, ``times_s``, as the kernel reads them: each decides its
        burst, whose duplicates are scheduled before the time is handed on."""
        decide, share, end_s = self.inputs.decide, self.inputs.share, self.end_s
        for arrival_s in times_s:
            if arrival_s >= end_s:  # the kernel reads no further
                yield arrival_s
                return
            if decide() < share:
                self._burst(arrival_s)
            yield arrival_s

    def _burst(self, first_s: float) -> None:
        """Schedule the duplicates of a burst whose first call rings at ``first_s``."""
        inputs = self.inputs
        now = self.kernel.now
        at_s = first_s
        for _ in range(int(inputs.size())):
            at_s += inputs.gap()
            if at_s >= self.end_s:
                return
            self.kernel.schedule_in(at_s - now, self._on_duplicate, None)

    def _duplicate_rings(self, event: Any) -> None:
        inputs = self.inputs
        patience = inputs.patience
        call = self._ring(
            self.queue, event.due_s, inputs.handle_time(),
            patience() if patience is not None else math.inf, DUPLICATE,
        )
        self.tally.duplicates_offered[call.interval] += 1
        if call.interval >= self.tally.first_counted_interval:
            self._counted.append(call)

    # --- what the line's rules tell the bursts ---------------------------------------------

    def answered(self, call: Call, now: float) -> None:
        """A duplicate is answered at ``now``."""
        tally = self.tally
        tally.duplicates_answered[call.interval] += 1
        if now - call.arrival_s <= self._service_level_s:
            tally.duplicates_answered_within[call.interval] += 1

    def abandoned(self, call: Call) -> None:
        """A duplicate's caller hangs up before answer."""
        self.tally.duplicates_abandoned[call.interval] += 1

    def settle(self) -> None:
        """At the end: count the duplicates still queueing and those sent to a neighbour, and
        check that every duplicate counted is answered, abandoned, overflowed or waiting."""
        tally = self.tally
        answered = abandoned = 0
        for call in self._counted:
            if call.state == ANSWERED:
                answered += 1
            elif call.state == ABANDONED:
                abandoned += 1
            elif call.state == WAITING:
                tally.duplicates_waiting_end += 1
            else:  # a duplicate never takes a callback: it went to a neighbouring force
                tally.duplicates_overflowed[call.interval] += 1
        if (answered, abandoned) != (tally.total("duplicates_answered"),
                                     tally.total("duplicates_abandoned")):
            raise ConservationError(
                f"line {self.queue.name}: {answered} duplicates answered and {abandoned} "
                f"abandoned, but {tally.total('duplicates_answered')} and "
                f"{tally.total('duplicates_abandoned')} counted"
            )
        if len(self._counted) != tally.total("duplicates_offered"):
            raise ConservationError(
                f"line {self.queue.name}: {tally.total('duplicates_offered')} duplicates "
                f"offered but {len(self._counted)} rang"
            )
