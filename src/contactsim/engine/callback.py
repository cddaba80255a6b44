"""Callbacks: the offer to a caller still queueing at the threshold, the callback queue, and the
attempts operators make to reach the caller again.

The :class:`CallbackDesk` keeps the requests and their outcomes; the callers' side of the model
offers the callback (:mod:`contactsim.engine.callers`), the operators' side makes the attempts
and keeps the hours (:mod:`contactsim.engine.service`), and routing decides, by the one
:class:`CallbackServe` policy, when an operator makes an attempt instead of taking a live call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from contactsim.engine.calls import Call, CallbackRequest
from contactsim.engine.records import LineTally
from contactsim.engine.sampler import Sampler


@dataclass(frozen=True)
class CallbackServe:
    """When an operator who could take a live call makes a callback attempt instead.

    ``above_live``: callbacks go before the callback line's own live calls (after any more
    urgent line's); otherwise after every live call the operator's pool serves.
    ``idle_at_least``: attempts are made only while at least this many operators who could make
    them are idle, the one choosing included (1: no such rule).
    """

    above_live: bool = False
    idle_at_least: int = 1


#: The scenario's three policies: after live calls, before them, after them and only when idle.
BELOW_LIVE = CallbackServe()
ABOVE_LIVE = CallbackServe(above_live=True)


def when_idle(at_least: int) -> CallbackServe:
    """Callbacks after live calls, made only while ``at_least`` operators are idle."""
    return CallbackServe(idle_at_least=at_least)


@dataclass(frozen=True)
class CallbackInputs:
    """The callback rule as the model sees it. Times in seconds, clock times in minutes."""

    line: str
    offer_after_s: float
    accept_probability: float
    accept: Sampler  # uniform draws, one per caller of the line, when the caller rings
    open_minute: int
    close_minute: int
    max_attempts: int
    attempt_gap_s: float
    answer_probability: float
    answer: Sampler  # uniform draws, one per attempt
    unanswered_attempt_s: float
    complete_within_s: float
    handle_time: Sampler | None  # None: the caller's own handle time
    serve: CallbackServe = BELOW_LIVE


class CallbackDesk:
    """The callback queue of one line and the tallies of what became of each request.

    ``ready`` holds requests due for an attempt, oldest first; a request waiting out the gap
    after an unanswered attempt is in none of the desk's queues until it is due again.
    """

    def __init__(
        self, inputs: CallbackInputs, tally: LineTally, clock: Callable[[], float]
    ) -> None:
        self.inputs = inputs
        self.tally = tally
        self.ready: deque[CallbackRequest] = deque()
        self._clock = clock
        # counted requests out of the ready queue and not yet ended: counted apart from the
        # outcome tallies, so that conservation at the end is a check, not an identity
        self._attempting_counted = 0
        self._in_gap_counted = 0

    @property
    def open(self) -> bool:
        """Whether callbacks are made now. Read from the clock, not kept as a flag: an event at
        the very moment of closing must not see the desk still open."""
        return self.is_open_at(self._clock())

    # --- the clock ---------------------------------------------------------------------------

    def is_open_at(self, now_s: float) -> bool:
        """Whether callbacks are offered and made at ``now_s`` (seconds from midnight, day 0)."""
        minute = (now_s / 60.0) % 1440.0
        return self.inputs.open_minute <= minute < self.inputs.close_minute

    def next_change_s(self, now_s: float) -> float:
        """When the desk next opens or closes, after ``now_s``."""
        day_s = (now_s // 86400.0) * 86400.0
        for minute in (self.inputs.open_minute, self.inputs.close_minute):
            at = day_s + minute * 60.0
            if at > now_s:
                return at
        return day_s + 86400.0 + self.inputs.open_minute * 60.0

    # --- offers and requests ---------------------------------------------------------------

    def offer(self, call: Call, now_s: float) -> CallbackRequest | None:
        """Offer a callback to ``call`` (still waiting, inside the hours): the request if the
        caller accepts (their acceptance was drawn when they rang), else None."""
        tally = self.tally
        tally.callbacks_offered[call.interval] += 1
        if call.accept_u >= self.inputs.accept_probability:
            return None
        tally.callbacks_accepted[call.interval] += 1
        counted = call.interval >= tally.first_counted_interval
        request = CallbackRequest(call, now_s, counted)
        self.ready.append(request)
        return request

    def begin_attempt(self, request: CallbackRequest, now_s: float, interval: int) -> tuple[
        float, bool
    ]:
        """Start an attempt: (how long it keeps the operator, whether the caller answered)."""
        inputs = self.inputs
        request.attempts += 1
        tally = self.tally
        tally.callback_attempts[interval] += 1
        answered = inputs.answer() < inputs.answer_probability
        if not answered:
            self._attempting_counted += request.counted
            return inputs.unanswered_attempt_s, False
        tally.callback_completions[interval] += 1
        if request.counted:
            wait_s = now_s - request.accepted_s
            tally.callbacks_completed += 1
            tally.callback_wait_sum_s += wait_s
            if wait_s <= inputs.complete_within_s:
                tally.callbacks_completed_within_target += 1
        handle = inputs.handle_time
        return (handle() if handle is not None else request.call.handle_s), True

    def after_unanswered(self, request: CallbackRequest) -> float | None:
        """Seconds until the next attempt, or None if that was the last (the request failed)."""
        self._attempting_counted -= request.counted
        if request.attempts < self.inputs.max_attempts:
            self._in_gap_counted += request.counted
            return self.inputs.attempt_gap_s
        if request.counted:
            self.tally.callbacks_failed += 1
        return None

    def due(self, request: CallbackRequest) -> None:
        """A request's gap after an unanswered attempt is over: it is ready again."""
        self._in_gap_counted -= request.counted
        self.ready.append(request)

    def pending(self) -> int:
        """Counted requests neither completed nor failed: ready, in an unanswered attempt, or
        waiting out the gap after one."""
        ready = sum(1 for request in self.ready if request.counted)
        return ready + self._attempting_counted + self._in_gap_counted
