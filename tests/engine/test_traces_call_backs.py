"""Hand-worked traces of silent and dropped calls and the call-backs made to them.

Each trace drives :func:`~contactsim.engine.builder.simulate` with fixed arrival times, handle
times and patience, and fixed draws for the call-backs: ``silent`` (one uniform per answered
call of the line, when it is answered: silent when below ``silent_share``), each silent call's
``silent_handle`` and each call-back's ``handle`` (drawn when it is made). Every number below is
worked out on paper first; :class:`Draws` fails the trace if the model asks for a draw the
trace does not give. Times in seconds.
"""

from __future__ import annotations

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.dropped_calls import CallBackInputs, CallBacks
from contactsim.engine.inputs import ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import RunTallies
from contactsim.errors import ConservationError
from helpers.traces import NEVER, Draws, all_kpis, by_arrival, draws_used, line, pool


def call_backs(silent: list[float], silent_handle: list[float], handle: list[float],
               dropped: bool = True, silent_share: float = 0.5,
               silent_called_back: bool = True) -> CallBackInputs:
    """A call-back rule with fixed draws."""
    return CallBackInputs(silent_share=silent_share, silent=Draws(silent),
                          silent_handle_time=Draws(silent_handle), dropped=dropped,
                          handle_time=Draws(handle), silent_called_back=silent_called_back)


def priority_trace(rule: CallBackInputs | None) -> RunTallies:
    # One operator serving 999 and then 101. 999: A at 0 (handle 100), C at 20 (60), D at 30
    # (50), E at 40 (10, patience 20); 101: B at 10 (30). Silent draws, one per answered 999
    # call: A 0.9, C 0.0 (silent: 30 s), D 0.9. Call-backs take 40 s each.
    #   t=0:   A answered, not silent, busy until 100
    #   t=60:  E hangs up (40 + 20): a dropped call, its call-back due now; nobody is free
    #   t=100: C answered (wait 80), silent: 30 s instead of its 60, busy until 130
    #   t=130: C's call-back due (the silent call has ended); then the operator is free:
    #          D, a live 999 call, goes before both call-backs: wait 100, busy until 180
    #   t=180: E's call-back (due at 60, waited 120), busy until 220
    #   t=220: C's call-back (due at 130, waited 90), busy until 260
    #   t=260: B, the 101 call, only now: wait 250, busy until 290
    # Without call-backs: C takes its 60 s, D is answered at 160, B at 210 (wait 200).
    return simulate(ModelInputs(
        [line("999", [0.0, 20.0, 30.0, 40.0], [100.0, 60.0, 50.0, 10.0],
              [NEVER, NEVER, NEVER, 20.0], service_level_s=10.0, call_backs=rule),
         line("101", [10.0], [30.0], [NEVER])],
        [pool("blended", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))


def test_call_backs_go_after_live_999_calls_and_before_101() -> None:
    rule = call_backs(silent=[0.9, 0.0, 0.9], silent_handle=[30.0], handle=[40.0, 40.0])
    tallies = priority_trace(rule)
    assert [(r.outcome, r.wait_s, r.handle_s) for r in by_arrival(tallies, "999")] == [
        ("answered", 0.0, 100.0), ("answered", 80.0, 30.0), ("answered", 100.0, 50.0),
        ("abandoned", 20.0, 10.0)]
    assert [(r.outcome, r.wait_s) for r in by_arrival(tallies, "101")] == [("answered", 250.0)]
    kpis = all_kpis(tallies)
    assert kpis[("999", "silent_calls")] == 1
    assert kpis[("999", "call_backs_due")] == 2
    assert kpis[("999", "call_backs_made")] == 2
    assert kpis[("999", "call_backs_pending_end")] == 0
    assert kpis[("999", "call_back_wait_s")] == (120.0 + 90.0) / 2
    assert kpis[("999", "call_back_hours")] == 80.0 / 3600.0
    assert tallies.pools["blended"].busy_s == 290.0
    assert draws_used(rule.silent) == 3  # one per answered 999 call
    assert draws_used(rule.handle_time) == 2
    # call-back KPIs are the 999 line's only
    assert ("101", "call_backs_made") not in kpis


def test_without_call_backs_the_same_trace_has_no_silent_calls_and_no_call_backs() -> None:
    tallies = priority_trace(None)
    assert [(r.wait_s, r.handle_s) for r in by_arrival(tallies, "999")][:3] == [
        (0.0, 100.0), (80.0, 60.0), (130.0, 50.0)]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [200.0]
    assert ("999", "call_backs_made") not in all_kpis(tallies)


def test_only_silent_calls_are_called_back_unless_dropped_calls_are() -> None:
    # The same trace with dropped: false: E's hanging up brings no call-back; C's call-back
    # is made at 180 (waited 50), and B answered at 220 (wait 210).
    rule = call_backs(silent=[0.9, 0.0, 0.9], silent_handle=[30.0], handle=[40.0], dropped=False)
    tallies = priority_trace(rule)
    kpis = all_kpis(tallies)
    assert (kpis[("999", "call_backs_due")], kpis[("999", "call_back_wait_s")]) == (1, 50.0)
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [210.0]


def test_silent_calls_kept_but_nothing_called_back_is_what_call_backs_cost() -> None:
    # silent: false, dropped: false: C is still silent (30 s), but nobody is called back:
    # D answered at 130 (wait 100), B at 180 (wait 170) instead of 260 with call-backs made.
    rule = call_backs(silent=[0.9, 0.0, 0.9], silent_handle=[30.0], handle=[], dropped=False,
                      silent_called_back=False)
    tallies = priority_trace(rule)
    assert [r.wait_s for r in by_arrival(tallies, "999")][:3] == [0.0, 80.0, 100.0]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [170.0]
    kpis = all_kpis(tallies)
    assert (kpis[("999", "silent_calls")], kpis[("999", "call_backs_due")]) == (1, 0)


def test_a_call_back_due_while_an_operator_is_idle_is_made_at_once() -> None:
    # Two 999 operators. A at 0 is silent (draw 0.0; 30 s). At 30 its call-back is due while
    # the second operator is idle: made at once (wait 0), 40 s. Then the first goes idle.
    rule = call_backs(silent=[0.0], silent_handle=[30.0], handle=[40.0])
    tallies = simulate(ModelInputs(
        [line("999", [0.0], [100.0], service_level_s=10.0, call_backs=rule)],
        [pool("emergency", ("999",), 2)],
        ModelSettings(end_s=1000.0),
    ))
    kpis = all_kpis(tallies)
    assert (kpis[("999", "call_backs_made")], kpis[("999", "call_back_wait_s")]) == (1, 0.0)
    assert tallies.pools["emergency"].busy_s == 70.0


def reserve_trace(reserve_idle: int) -> RunTallies:
    # A 999 specialist pool and a multi-skilled pool (999 and 101) of one operator each, with a
    # reserve of ``reserve_idle`` idle multi-skilled operators kept for 999. A (999, at 0) goes
    # to the specialist (specialists first) and is silent (30 s): its call-back is due at 30,
    # when the specialist is still on it (the call-back comes due first, then the call ends)
    # and the multi-skilled operator is idle.
    rule = call_backs(silent=[0.0], silent_handle=[30.0], handle=[40.0])
    return simulate(ModelInputs(
        [line("999", [0.0], [100.0], service_level_s=10.0, call_backs=rule),
         line("101", [], [])],
        [pool("emergency", ("999",), 1), pool("blended", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), reserve_line="999",
                      reserve_idle=reserve_idle),
    ))


def test_a_reserve_kept_for_999_holds_call_backs_back_like_101_calls() -> None:
    # With the reserve of one, the multi-skilled operator may not make the call-back (it would
    # leave none idle): it waits until the specialist is free, at 30 too, who makes it
    # (wait 0, 40 s). Specialist busy 30 + 40 = 70, multi-skilled 0.
    held = reserve_trace(reserve_idle=1)
    assert all_kpis(held)[("999", "call_back_wait_s")] == 0.0
    assert (held.pools["emergency"].busy_s, held.pools["blended"].busy_s) == (70.0, 0.0)
    # Without the reserve, the idle multi-skilled operator makes it at once.
    free = reserve_trace(reserve_idle=0)
    assert (free.pools["emergency"].busy_s, free.pools["blended"].busy_s) == (30.0, 40.0)


def test_call_backs_still_due_at_the_end_are_pending() -> None:
    # One operator busy with A (0 to 1000); E at 5 hangs up at 15: its call-back is due but
    # nobody is free before the horizon ends at 500: due 1, made 0, pending 1.
    rule = call_backs(silent=[0.9], silent_handle=[], handle=[])
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0], [1000.0, 10.0], [NEVER, 10.0], service_level_s=10.0,
              call_backs=rule)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=500.0),
    ))
    kpis = all_kpis(tallies)
    assert [kpis[("999", kpi)] for kpi in ("call_backs_due", "call_backs_made",
                                           "call_backs_pending_end")] == [1, 0, 1]
    assert draws_used(rule.handle_time) == 0


def test_call_backs_of_the_warm_up_are_made_but_not_counted() -> None:
    # Warm-up 100 s (intervals of 100 s); one operator; call-backs 40 s; no silent calls
    # (draws 0.9 for the two answered calls, A and G).
    #   t=0:   A (50 s) answered, until 50
    #   t=15:  E (rang at 5, patience 10) hangs up: a call-back due, of a warm-up call
    #   t=50:  E's call-back made (waited 35), until 90: made, but counted nowhere
    #   t=140: G (100 s) answered at once, until 240
    #   t=160: F (rang at 150, patience 10) hangs up: a call-back due, counted
    #   t=240: F's call-back made, waited 80, until 280
    # Counted: 1 due, 1 made, wait 80; busy after the warm-up 100 + 40.
    rule = call_backs(silent=[0.9, 0.9], silent_handle=[], handle=[40.0, 40.0])
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0, 140.0, 150.0], [50.0, 10.0, 100.0, 10.0],
              [NEVER, 10.0, NEVER, 10.0], service_level_s=10.0, call_backs=rule)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0, warmup_s=100.0, interval_s=100.0),
    ))
    kpis = all_kpis(tallies)
    assert [kpis[("999", kpi)] for kpi in ("call_backs_due", "call_backs_made",
                                           "call_back_wait_s")] == [1, 1, 80.0]
    assert tallies.pools["emergency"].busy_s == 100.0 + 40.0  # after the warm-up


def test_call_back_conservation_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    settle = CallBacks.settle

    def losing_one(self: CallBacks) -> None:
        self.tally.call_backs_made[0] -= 1
        settle(self)

    monkeypatch.setattr(CallBacks, "settle", losing_one)
    with pytest.raises(ConservationError, match="call-backs due"):
        priority_trace(call_backs(silent=[0.9, 0.0, 0.9], silent_handle=[30.0],
                                  handle=[40.0, 40.0]))


def test_a_pool_on_a_staffing_plan_makes_call_backs_when_it_comes_on_duty() -> None:
    # Nobody on duty until 100. E at 5 hangs up at 15 (patience 10): its call-back waits;
    # at 100 the operator comes on duty and makes it (waited 85).
    rule = call_backs(silent=[], silent_handle=[], handle=[40.0])
    plan = StaffingPlan(times_s=(0.0, 100.0), operators=(0, 1))
    tallies = simulate(ModelInputs(
        [line("999", [5.0], [10.0], [10.0], service_level_s=10.0, call_backs=rule)],
        [PoolInputs("emergency", ("999",), plan)],
        ModelSettings(end_s=1000.0),
    ))
    kpis = all_kpis(tallies)
    assert (kpis[("999", "call_backs_made")], kpis[("999", "call_back_wait_s")]) == (1, 85.0)
