"""Routing decisions, worked by hand: priority between lines, first come first served within a
line, specialists before multi-skilled operators, the reserve, and where callbacks stand."""

from __future__ import annotations

from collections import deque

from contactsim.engine.callback import ABOVE_LIVE, BELOW_LIVE, CallbackServe, when_idle
from contactsim.engine.calls import ABANDONED, Call, CallbackRequest, LineQueue, PoolState
from contactsim.engine.inputs import LineInputs
from contactsim.engine.operator import Operator
from contactsim.engine.records import LineTally, PoolTally
from contactsim.engine.routing import PriorityRouting


def queue(name: str, priority: int) -> LineQueue:
    inputs = LineInputs(name, iter([]), float, None, 60.0)
    return LineQueue(name, priority, inputs, LineTally(name, 60.0, 1, 0))


def pool(name: str, lines: list[LineQueue], idle: int = 0) -> PoolState:
    state = PoolState(name=name, lines=list(lines), tally=PoolTally(name))
    set_idle(state, idle)
    return state


def set_idle(state: PoolState, idle: int) -> None:
    """Make ``idle`` people of the pool free (routing reads only how many)."""
    state.idle = deque(Operator(state, 0.0, counted=False) for _ in range(idle))


def call(line: LineQueue, call_id: int) -> Call:
    return Call(call_id, line, float(call_id), 100.0, 1e9, 0, call_id)


def waiting(line: LineQueue, *call_ids: int) -> list[Call]:
    calls = [call(line, i) for i in call_ids]
    for c in calls:
        line.push(c)
    return calls


class Desk:
    """The callback queue as routing sees it."""

    def __init__(self, requests: int, open_: bool = True) -> None:
        self.ready: deque[CallbackRequest] = deque(
            CallbackRequest(call(queue("101", 1), 100 + i), 0.0, True) for i in range(requests)
        )
        self.is_open = open_

    @property
    def open(self) -> bool:
        return self.is_open


def test_lines_by_priority_then_first_come_first_served() -> None:
    q999, q101 = queue("999", 0), queue("101", 1)
    both = pool("both", [q101, q999])
    routing = PriorityRouting([q101, q999], [both])
    assert both.lines == [q999, q101]  # sorted most urgent first
    a, b = waiting(q101, 1, 2)
    c, d = waiting(q999, 3, 4)
    assert [routing.next_task(both) for _ in range(5)] == [c, d, a, b, None]
    assert q999.waiting == q101.waiting == 0


def test_abandoned_calls_are_skipped_in_the_queue() -> None:
    q101 = queue("101", 0)
    one = pool("one", [q101])
    routing = PriorityRouting([q101], [one])
    a, b, c = waiting(q101, 1, 2, 3)
    a.state = ABANDONED
    q101.waiting -= 1
    assert routing.next_task(one) is b
    assert routing.next_task(one) is c
    assert routing.next_task(one) is None


def test_a_new_call_goes_to_a_specialist_before_a_multi_skilled_operator() -> None:
    q999, q101 = queue("999", 0), queue("101", 1)
    multi = pool("multi", [q999, q101], idle=1)
    specialist = pool("specialist", [q101], idle=1)
    other = pool("other 101", [q101], idle=1)
    routing = PriorityRouting([q999, q101], [multi, specialist, other])
    # fewer skills first, then the scenario's order
    assert q101.pools == [specialist, other, multi]
    assert q999.pools == [multi]
    assert routing.pool_for_new_call(q101) is specialist
    set_idle(specialist, 0)
    assert routing.pool_for_new_call(q101) is other
    set_idle(other, 0)
    assert routing.pool_for_new_call(q101) is multi
    set_idle(multi, 0)
    assert routing.pool_for_new_call(q101) is None  # the call queues


def test_the_reserve_keeps_k_multi_skilled_operators_for_its_line() -> None:
    # k = 2 kept free for 999: a 101 call is answered by a multi-skilled operator only if two
    # others stay idle; 999 calls always
    q999, q101 = queue("999", 0), queue("101", 1)
    multi = pool("multi", [q999, q101], idle=2)
    routing = PriorityRouting([q999, q101], [multi], reserve_line=q999, reserve_idle=2)
    assert multi.holds_reserve
    assert routing.pool_for_new_call(q101) is None  # would leave 1 < 2 idle
    assert routing.pool_for_new_call(q999) is multi
    set_idle(multi, 3)
    assert routing.pool_for_new_call(q101) is multi  # leaves 2
    # an operator coming free (not counted idle) with 2 others idle takes 101; with 1, goes idle
    (a,) = waiting(q101, 1)
    set_idle(multi, 1)
    assert routing.next_task(multi) is None
    assert q101.waiting == 1
    set_idle(multi, 2)
    assert routing.next_task(multi) is a


def test_specialists_do_not_hold_the_reserve() -> None:
    q999, q101 = queue("999", 0), queue("101", 1)
    multi = pool("multi", [q999, q101])
    specialist = pool("101 only", [q101], idle=1)
    routing = PriorityRouting([q999, q101], [multi, specialist], reserve_line=q999,
                              reserve_idle=5)
    assert not specialist.holds_reserve
    assert routing.pool_for_new_call(q101) is specialist


def callback_routing(
    serve: CallbackServe, desk: Desk, idle: int = 0
) -> tuple[PriorityRouting, LineQueue, LineQueue, PoolState]:
    q999, q101 = queue("999", 0), queue("101", 1)
    both = pool("both", [q999, q101], idle=idle)
    routing = PriorityRouting([q999, q101], [both], callbacks=desk, callback_line=q101,
                              callback_serve=serve)
    return routing, q999, q101, both


def test_below_live_callbacks_wait_for_every_live_call() -> None:
    desk = Desk(requests=1)
    routing, _, q101, both = callback_routing(BELOW_LIVE, desk)
    assert both.callback_slot == 2
    (a,) = waiting(q101, 1)
    assert routing.next_task(both) is a
    request = desk.ready[0]
    assert routing.next_task(both) is request  # nothing live waits: the attempt
    assert not desk.ready
    assert routing.next_task(both) is None  # nothing at all: idle


def test_above_live_callbacks_go_before_101_calls_but_after_999_calls() -> None:
    desk = Desk(requests=2)
    routing, q999, q101, both = callback_routing(ABOVE_LIVE, desk)
    assert both.callback_slot == 1
    (a,) = waiting(q101, 1)
    (b,) = waiting(q999, 2)
    assert routing.next_task(both) is b
    first, second = desk.ready
    assert routing.next_task(both) is first
    assert routing.next_task(both) is second
    assert routing.next_task(both) is a


def test_no_callback_attempts_while_the_desk_is_closed() -> None:
    desk = Desk(requests=1, open_=False)
    routing, _, q101, both = callback_routing(ABOVE_LIVE, desk, idle=1)
    (a,) = waiting(q101, 1)
    assert routing.next_task(both) is a
    assert routing.next_task(both) is None
    assert routing.callback_for_idle_operator() is None
    assert len(desk.ready) == 1


def test_when_idle_counts_the_operator_choosing() -> None:
    # k = 2: an operator coming free makes the attempt only if one other is idle
    desk = Desk(requests=1)
    routing, _, _, both = callback_routing(when_idle(2), desk)
    assert routing.next_task(both) is None
    set_idle(both, 1)
    request = desk.ready[0]
    assert routing.next_task(both) is request
    assert not desk.ready


def test_an_idle_operator_is_handed_a_due_callback() -> None:
    desk = Desk(requests=1)
    routing, _, _, both = callback_routing(BELOW_LIVE, desk)
    assert routing.callback_for_idle_operator() is None  # nobody idle
    set_idle(both, 1)
    request = desk.ready[0]
    assert routing.callback_for_idle_operator() == (both, request)
    assert not desk.ready
    assert len(both.idle) == 1  # the model takes the operator off idle
    assert routing.callback_for_idle_operator() is None  # nothing more due


def test_when_idle_hands_a_due_callback_only_to_k_idle_operators() -> None:
    desk = Desk(requests=1)
    routing, _, _, both = callback_routing(when_idle(2), desk, idle=1)
    assert routing.callback_for_idle_operator() is None
    set_idle(both, 2)
    request = desk.ready[0]
    assert routing.callback_for_idle_operator() == (both, request)


def test_the_reserve_holds_back_callback_attempts_too() -> None:
    # one multi-skilled operator kept free for 999: a callback (a 101 call) may not take the
    # last one, whether the operator is coming free or already idle
    desk = Desk(requests=1)
    q999, q101 = queue("999", 0), queue("101", 1)
    both = pool("both", [q999, q101])
    routing = PriorityRouting([q999, q101], [both], reserve_line=q999, reserve_idle=1,
                              callbacks=desk, callback_line=q101, callback_serve=BELOW_LIVE)
    assert routing.next_task(both) is None  # nobody else idle: the reserve would be gone
    set_idle(both, 1)
    assert routing.callback_for_idle_operator() is None  # the idle one is the reserve
    request = desk.ready[0]
    assert routing.next_task(both) is request  # another is idle and stays the reserve
    desk.ready.append(request)
    set_idle(both, 2)
    assert routing.callback_for_idle_operator() == (both, request)
