"""Each line's rules beyond queueing and counting, when a call is answered or its caller hangs
up: triage grading, a burst's duplicates (:mod:`contactsim.engine.bursts`), silent and dropped
calls and their call-backs (:mod:`contactsim.engine.dropped_calls`).

They are set on the line's queue as its ``on_answer`` and ``on_abandon`` rules
(:class:`~contactsim.engine.calls.LineQueue`): a plain line has neither and pays nothing for
them, a graded line only its grading (``Operators.grade``); a line with bursts or call-backs
has a :class:`LineRules`, which every answered and abandoned call of the line goes through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from contactsim.engine.bursts import DUPLICATE, Bursts, BurstTally
from contactsim.engine.callers import Callers
from contactsim.engine.calls import Call, LineQueue
from contactsim.engine.dropped_calls import CallBacks, CallBackTally
from contactsim.engine.kernel import Kernel
from contactsim.engine.records import LineTally
from contactsim.engine.routing import PriorityRouting
from contactsim.engine.service import Operators

__all__ = ["LineRules", "set_line_rules"]

#: A graded line's grading: ``(call, tally, counted, handle_s) -> handle time``.
Grade = Callable[[Call, LineTally, bool, float], float]


class LineRules:
    """The rules of one line with bursts or call-backs (or both), with its grading if any."""

    def __init__(
        self,
        kernel: Kernel,
        grade: Grade | None,
        bursts: Bursts | None,
        call_backs: CallBacks | None,
    ) -> None:
        self.kernel = kernel
        self.grade = grade
        self.bursts = bursts
        self.call_backs = call_backs
        silent_share = call_backs.inputs.silent_share if call_backs is not None else 0.0
        #: one uniform per answered call, silent below ``_silent_share`` (None: no silent calls)
        self._silent = call_backs.inputs.silent if call_backs is not None and silent_share else (
            None)
        self._silent_share = silent_share

    def answered(self, call: Call, tally: LineTally, counted: bool, handle_s: float) -> float:
        """A call of the line is answered now: its handle time — a silent call's own, else the
        call's — counting a duplicate apart and grading any other call, on a graded line."""
        if call.grade == DUPLICATE:
            assert self.bursts is not None
            self.bursts.answered(call, self.kernel.now)
            grade = None  # a duplicate makes no incident
        else:
            grade = self.grade
        silent = self._silent
        if silent is not None and silent() < self._silent_share:
            assert self.call_backs is not None
            return self.call_backs.silent_call(call)  # nobody speaks: no incident to grade
        return handle_s if grade is None else grade(call, tally, counted, handle_s)

    def abandoned(self, call: Call) -> bool:
        """A caller of the line hangs up before answer: called back if dropped calls are;
        whether they may ring again (a duplicate does not)."""
        if self.call_backs is not None:
            self.call_backs.abandoned(call, self.kernel.now)
        if call.grade == DUPLICATE:
            assert self.bursts is not None
            self.bursts.abandoned(call)
            return False
        return True

    def settle(self) -> None:
        """At the end of the run: count what is left and check that it is all accounted for."""
        if self.bursts is not None:
            self.bursts.settle()
        if self.call_backs is not None:
            self.call_backs.settle()


def set_line_rules(
    queues: Mapping[str, LineQueue],
    kernel: Kernel,
    routing: PriorityRouting,
    operators: Operators,
    callers: Callers,
    end_s: float,
) -> list[LineRules]:
    """Set each line's rules on its queue (and, on a line with bursts, read its first calls
    through the bursts; their tallies go on the line's). The :class:`LineRules` made, to
    settle at the end."""
    made = []
    for queue in queues.values():
        line = queue.inputs
        grade = operators.grade if line.triage is not None else None
        if line.bursts is None and line.call_backs is None:
            queue.on_answer = grade
            continue
        tally = queue.tally
        bursts = call_backs = None
        if line.bursts is not None:
            tally.bursts = BurstTally(tally.n_intervals, tally.first_counted_interval)
            bursts = Bursts(line.bursts, queue, kernel, callers.ring, tally.bursts, end_s)
            queue.inputs = replace(line, arrival_times_s=bursts.first_calls(line.arrival_times_s))
        if line.call_backs is not None:
            tally.call_backs = CallBackTally(tally.n_intervals, tally.first_counted_interval)
            call_backs = CallBacks(line.call_backs, queue, kernel, routing, operators.take_idle,
                                   operators.task_done, tally.call_backs)
        rules = LineRules(kernel, grade, bursts, call_backs)
        queue.on_answer = rules.answered
        queue.on_abandon = rules.abandoned
        made.append(rules)
    return made
