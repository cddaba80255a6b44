"""Silent and dropped calls of a line, and the call-backs the force makes to each.

A share of a line's answered calls are *silent*: nobody speaks. Such a call takes a handle time
of its own (short), is not triaged, and when it ends the force calls the number back (unless
the line says silent calls are not called back). A caller who hangs up before answer — a
*dropped* call — is called back too, if the line says so, from the moment they hang up (whether
or not they ring again). Whether an answered call is silent is drawn when it is answered, one
uniform per answered call of the line on a stream of its own.

A call-back is an outbound task with its own handle time (reaching the caller or not), made by
an operator with the line's skill. Call-backs due wait, oldest first, in a queue of their own
that routing serves right after the line's own live calls (see
:meth:`~contactsim.engine.routing.PriorityRouting.serve_after`): before every less urgent
line's calls and the callback requests placed among them, and held back like them by a reserve
of idle operators kept for the line or a more urgent one. A call-back due while an operator who
may make it is idle is made at once.

Call-backs are counted by the interval the call they answer rang in (:class:`CallBackTally`):
due, made, the wait from due to made, and the operator time they took; those still waiting at
the end are pending. Due = made + pending is checked at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contactsim.engine.calls import WAITING, Call, LineQueue
from contactsim.engine.kernel import Kernel
from contactsim.engine.operator import Operator
from contactsim.engine.routing import PriorityRouting
from contactsim.engine.sampler import Sampler
from contactsim.errors import ConservationError

__all__ = ["CallBack", "CallBackInputs", "CallBackTally", "CallBacks"]


@dataclass(frozen=True)
class CallBackInputs:
    """A line's silent and dropped calls and their call-backs, as the model sees them."""

    silent_share: float
    silent: Sampler | None  # uniform, one per answered call; None when silent_share is 0
    silent_handle_time: Sampler | None  # one per silent call
    dropped: bool  # whether abandoned callers are called back
    handle_time: Sampler  # one per call-back made, when it is made
    silent_called_back: bool = True  # whether silent calls are called back

    def __post_init__(self) -> None:
        if not 0.0 <= self.silent_share <= 1.0:
            raise ValueError(f"silent_share must be from 0 to 1, got {self.silent_share}")
        if self.silent_share > 0 and (self.silent is None or self.silent_handle_time is None):
            raise ValueError("silent calls need the silent draws and their handle time")


@dataclass
class CallBackTally:
    """A line's silent calls and call-backs, per interval the call they answer rang in;
    ``call_backs_pending_end``: those of the measured window still to be made at the end."""

    n_intervals: int
    first_counted_interval: int
    silent_calls: list[int] = field(init=False)
    call_backs_due: list[int] = field(init=False)
    call_backs_made: list[int] = field(init=False)
    call_back_wait_sum_s: list[float] = field(init=False)
    call_back_busy_s: list[float] = field(init=False)
    call_backs_pending_end: int = 0

    #: the per-interval series, in the order the interval frame shows them
    SERIES = ("silent_calls", "call_backs_due", "call_backs_made", "call_back_wait_sum_s",
              "call_back_busy_s")

    def __post_init__(self) -> None:
        for series in self.SERIES:
            setattr(self, series, [0.0 if series.endswith("_s") else 0] * self.n_intervals)

    def total(self, series: str) -> float:
        """Sum of one per-interval series over the measured window (after the warm-up)."""
        return sum(getattr(self, series)[self.first_counted_interval:])


class CallBack(Call):
    """A call-back due: an outbound task for the caller of ``origin``, due since ``due_s``.

    It waits in the call-back queue, a :class:`~contactsim.engine.calls.LineQueue`, as a call
    does (only its ``state`` and ``interval`` are set of a call's fields); ``maker`` makes it.
    """

    __slots__ = ("counted", "due_s", "maker", "origin")

    def __init__(self, origin: Call, due_s: float, counted: bool, maker: CallBacks) -> None:
        self.origin = origin
        self.due_s = due_s
        self.counted = counted
        self.maker = maker
        self.interval = origin.interval
        self.state = WAITING


class CallBacks:
    """The silent and dropped calls of one line and the call-backs made to them.

    The call-back queue (``queue``) is placed among the pools' work by ``routing``; operators
    are taken off idle with ``take_idle`` and hand back with ``task_done`` (both
    :class:`~contactsim.engine.service.Operators`').
    """

    def __init__(
        self,
        inputs: CallBackInputs,
        line: LineQueue,
        kernel: Kernel,
        routing: PriorityRouting,
        take_idle: Callable[[Any, float], Operator],
        task_done: Callable[[Operator, float], None],
        tally: CallBackTally,
    ) -> None:
        self.inputs = inputs
        self.line = line
        self.kernel = kernel
        self.routing = routing
        self.tally = tally
        self._take_idle = take_idle
        self._task_done = task_done
        # the line's priority + 1: a reserve kept for the line (or a more urgent one) holds
        # call-backs back, one kept for a less urgent line does not (see serve_after)
        self.queue = LineQueue(name=f"{line.name} call-backs", priority=line.priority + 1,
                               inputs=line.inputs, tally=line.tally)
        routing.serve_after(line, self.queue)
        self._on_silent_ended = (self._silent_ended,)
        self._on_made = (self._made,)

    # --- what the line's rules tell the call-backs -------------------------------------------

    def silent_call(self, call: Call) -> float:
        """An answered call of the line is silent: its handle time; its call-back comes due
        when it ends, if silent calls are called back."""
        inputs = self.inputs
        assert inputs.silent_handle_time is not None
        handle_s = inputs.silent_handle_time()
        self.tally.silent_calls[call.interval] += 1
        if inputs.silent_called_back:
            self.kernel.schedule_in(handle_s, self._on_silent_ended, call)
        return handle_s

    def abandoned(self, call: Call, now: float) -> None:
        """A caller of the line hangs up before answer at ``now``: called back if dropped
        calls are."""
        if self.inputs.dropped:
            self._due(call, now)

    def _silent_ended(self, event: Any) -> None:
        self._due(event.value, event.due_s)

    # --- call-backs ----------------------------------------------------------------------------

    def _due(self, call: Call, now: float) -> None:
        """A call-back to ``call``'s caller comes due at ``now``: made at once by an idle
        operator who may make it, else queued."""
        tally = self.tally
        tally.call_backs_due[call.interval] += 1
        call_back = CallBack(call, now, call.interval >= tally.first_counted_interval, self)
        pool = self.routing.pool_for_new_call(self.queue)
        if pool is None:
            self.queue.push(call_back)
        else:
            self.make(call_back, self._take_idle(pool, now), now)

    def make(self, call_back: CallBack, operator: Operator, now: float) -> None:
        """``operator`` (already taken off idle) makes ``call_back`` at ``now``."""
        pool = operator.pool
        pool.busy += 1
        duration_s = self.inputs.handle_time()
        operator.busy_until_s = now + duration_s
        operator.busy_s += duration_s
        tally = self.tally
        interval = call_back.interval
        tally.call_backs_made[interval] += 1
        tally.call_back_wait_sum_s[interval] += now - call_back.due_s
        tally.call_back_busy_s[interval] += duration_s
        self.kernel.schedule_in(duration_s, self._on_made, operator)

    def _made(self, event: Any) -> None:
        self._task_done(event.value, event.due_s)

    def settle(self) -> None:
        """At the end: count the call-backs of the measured window still to be made, and check
        that every one due is made or pending."""
        tally = self.tally
        tally.call_backs_pending_end = sum(
            1 for call_back in self.queue.queue
            if call_back.state == WAITING and isinstance(call_back, CallBack) and call_back.counted
        )
        due, made = tally.total("call_backs_due"), tally.total("call_backs_made")
        if due != made + tally.call_backs_pending_end:
            raise ConservationError(
                f"line {self.line.name}: {due:g} call-backs due but made + pending is "
                f"{made + tally.call_backs_pending_end:g}"
            )
