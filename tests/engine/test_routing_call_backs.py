"""Where routing puts a line's call-backs (:meth:`PriorityRouting.serve_after`): right after the
line's own live calls in every pool serving it, before less urgent lines and the callback
requests placed among them; held back by a reserve kept for the line."""

from __future__ import annotations

from collections import deque

from contactsim.engine.callback import ABOVE_LIVE, BELOW_LIVE, CallbackServe
from contactsim.engine.calls import Call, CallbackRequest, LineQueue, PoolState
from contactsim.engine.inputs import LineInputs
from contactsim.engine.operator import Operator
from contactsim.engine.records import LineTally, PoolTally
from contactsim.engine.routing import PriorityRouting


def queue(name: str, priority: int) -> LineQueue:
    inputs = LineInputs(name, iter([]), float, None, 60.0)
    return LineQueue(name, priority, inputs, LineTally(name, 60.0, 1, 0))


def pool(name: str, lines: list[LineQueue], idle: int = 0) -> PoolState:
    state = PoolState(name=name, lines=list(lines), tally=PoolTally(name))
    state.idle = deque(Operator(state, 0.0, counted=False) for _ in range(idle))
    return state


def call(line: LineQueue, call_id: int) -> Call:
    return Call(call_id, line, float(call_id), 100.0, 1e9, 0, call_id)


class Desk:
    """The 101 callback queue as routing sees it: ``requests`` ready, open."""

    def __init__(self, line: LineQueue, requests: int) -> None:
        self.ready: deque[CallbackRequest] = deque(
            CallbackRequest(call(line, 100 + i), 0.0, True) for i in range(requests))
        self.open = True


def centre(serve: CallbackServe, requests: int = 0) -> tuple[
    PriorityRouting, list[LineQueue], list[PoolState], Desk
]:
    """999 and 101, a 999 specialist pool and a multi-skilled one, 101 callbacks served by
    ``serve``; 999's call-backs served after its live calls."""
    q999, q101 = queue("999", 0), queue("101", 1)
    emergency, blended = pool("emergency", [q999]), pool("blended", [q999, q101])
    desk = Desk(q101, requests)
    routing = PriorityRouting([q999, q101], [emergency, blended], callbacks=desk,
                              callback_line=q101, callback_serve=serve)
    work = queue("999 call-backs", q999.priority + 1)
    routing.serve_after(q999, work)
    return routing, [q999, work, q101], [emergency, blended], desk


def test_call_backs_stand_right_after_their_line_in_every_pool_serving_it() -> None:
    _, (q999, work, q101), (emergency, blended), _ = centre(ABOVE_LIVE)
    assert emergency.lines == [q999, work]
    assert blended.lines == [q999, work, q101]
    assert work.pools == q999.pools == [emergency, blended]  # specialists first
    # 101's callbacks above live 101, so after 999's call-backs
    assert blended.callback_slot == 2
    assert emergency.callback_slot is None


def test_callbacks_below_live_stay_after_everything() -> None:
    _, _, (_, blended), _ = centre(BELOW_LIVE)
    assert blended.callback_slot == len(blended.lines) == 3


def test_a_free_operator_takes_live_999_then_call_backs_then_101_callbacks_then_101() -> None:
    routing, (q999, work, q101), (_, blended), desk = centre(ABOVE_LIVE, requests=1)
    live_999, call_back, live_101 = call(q999, 1), call(work, 2), call(q101, 3)
    q999.push(live_999)
    work.push(call_back)
    q101.push(live_101)
    request = desk.ready[0]
    assert [routing.next_task(blended) for _ in range(5)] == [
        live_999, call_back, request, live_101, None]


def test_a_call_back_due_goes_to_an_idle_specialist_first() -> None:
    routing, (_, work, _), (emergency, blended), _ = centre(BELOW_LIVE)
    emergency.idle.append(Operator(emergency, 0.0, counted=False))
    blended.idle.append(Operator(blended, 0.0, counted=False))
    assert routing.pool_for_new_call(work) is emergency
