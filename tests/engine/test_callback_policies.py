"""Hand-worked traces of callbacks and redials: the serving policies (below live calls, above
101, when operators are idle), the callback's handle time, redials (the cap, the end of the
run, switching to 999) and conservation of calls and callbacks on one trace with every outcome.

The draws work as in ``test_callback_traces.py`` (its docstring says how); times are in seconds.
"""

from __future__ import annotations

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.callback import (
    ABOVE_LIVE,
    BELOW_LIVE,
    CallbackServe,
    when_idle,
)
from contactsim.engine.inputs import ModelInputs, ModelSettings, RedialInputs
from contactsim.engine.records import RunTallies
from helpers.callback_traces import callback_rule, kpis, outcomes, run_101
from helpers.traces import NEVER, Draws, by_arrival, draws_used, line, pool

# --- serving policies -----------------------------------------------------------------------


def policy_trace(serve: CallbackServe) -> RunTallies:
    # One multi-skilled operator, every 999 and 101 caller patient.
    # Acceptance draws of the 101 callers: A 0.1 (never offered), B 0.1, C 0.9; 999 callers
    # draw none.
    #   101 A at 0 (h 200): answered at once, busy until 200
    #   101 B at 10 (h 100): accepts at 70 (0.1)
    #   101 C at 20 (h 100): declines at 80 (0.9), stays in the live queue
    #   999 D at 150 (h 50): queues
    # At 200 the operator frees with a 999 call, a live 101 call and a callback all waiting.
    rule = callback_rule(accepts=[0.1, 0.1, 0.9], answers=[0.1], serve=serve)
    return simulate(ModelInputs(
        [
            line("999", [150.0], [50.0], [NEVER], 10.0),
            line("101", [0.0, 10.0, 20.0], [200.0, 100.0, 100.0], [NEVER] * 3),
        ],
        [pool("multi", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
        callback=rule,
    ))


def test_below_live_serves_live_calls_first() -> None:
    # t=200: 999 D (wait 50) until 250; t=250: live 101 C (wait 230) until 350;
    # t=350: callback to B: wait 350 - 70 = 280.
    tallies = policy_trace(BELOW_LIVE)
    assert outcomes(tallies, "999") == [("answered", 50.0)]
    assert outcomes(tallies, "101")[2] == ("answered", 230.0)
    assert tallies.lines["101"].callback_wait_sum_s == 280.0


def test_above_live_serves_callbacks_before_101_but_never_before_999() -> None:
    # t=200: 999 D first even so (wait 50) until 250; t=250: the callback to B before the live
    # 101 call: wait 250 - 70 = 180, until 350; t=350: C, wait 350 - 20 = 330.
    tallies = policy_trace(ABOVE_LIVE)
    assert outcomes(tallies, "999") == [("answered", 50.0)]
    assert outcomes(tallies, "101")[2] == ("answered", 330.0)
    assert tallies.lines["101"].callback_wait_sum_s == 180.0


def test_above_live_at_once_when_a_101_only_operator_frees() -> None:
    # The same callers on a 101-only pool (one operator) and a 999-only pool (one operator):
    # D goes to the 999 operator at once (wait 0). At 200 the 101 operator takes the callback
    # before C: callback wait 200 - 70 = 130; C answered at 300, wait 280. Acceptance draws
    # as in the policy trace: A 0.1, B 0.1, C 0.9.
    rule = callback_rule(accepts=[0.1, 0.1, 0.9], answers=[0.1], serve=ABOVE_LIVE)
    tallies = simulate(ModelInputs(
        [
            line("999", [150.0], [50.0], [NEVER], 10.0),
            line("101", [0.0, 10.0, 20.0], [200.0, 100.0, 100.0], [NEVER] * 3),
        ],
        [pool("nonemergency", ("101",), 1), pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
        callback=rule,
    ))
    assert outcomes(tallies, "999") == [("answered", 0.0)]
    assert outcomes(tallies, "101")[2] == ("answered", 280.0)
    assert tallies.lines["101"].callback_wait_sum_s == 130.0


def when_idle_trace(serve: CallbackServe) -> RunTallies:
    # Two 101 operators. A at 0 (h 200) and B at 1 (h 500) take both; C at 10 (h 100) accepts
    # at 70 (0.1); D at 310 (h 100) is a live call. Acceptance draws A, B, C, D all 0.1: only C
    # is ever offered.
    rule = callback_rule(accepts=[0.1] * 4, answers=[0.1], serve=serve)
    return run_101([0.0, 1.0, 10.0, 310.0], [200.0, 500.0, 100.0, 100.0], [NEVER] * 4, rule, 2)


def test_when_idle_waits_for_k_idle_operators() -> None:
    # k = 2:
    #   t=200: operator 1 frees: idle operators who could call back, this one included: 1 < 2:
    #          it goes idle.
    #   t=310: D takes the idle operator 1 at once (wait 0), until 410.
    #   t=410: operator 1 frees: 1 idle (itself) < 2: idle again.
    #   t=501: operator 2 frees: 1 idle + itself = 2 >= 2: it calls C back: wait 501 - 70 = 431.
    tallies = when_idle_trace(when_idle(2))
    assert outcomes(tallies, "101")[3] == ("answered", 0.0)
    assert tallies.lines["101"].callback_wait_sum_s == 431.0
    # with k = 1 it is below_live: operator 1 calls back at 200 (wait 130), until 300, and D
    # finds operator 1 free again at 310: wait 0
    for serve in (when_idle(1), BELOW_LIVE):
        tallies = when_idle_trace(serve)
        assert tallies.lines["101"].callback_wait_sum_s == 130.0
        assert outcomes(tallies, "101")[3] == ("answered", 0.0)


@pytest.mark.parametrize(
    ("arrivals", "handles", "wait_s"),
    [
        # both operators idle when the retry falls due at 211: attempt 2 at 211:
        # wait 211 - 62 = 149
        ([0.0, 1.0, 2.0], [100.0, 100.0, 50.0], 149.0),
        # D at 150 (h 100) holds one of them until 250: at 211 only 1 is idle (< 2), so the
        # retry waits for the next operator to come free, at 250: wait 250 - 62 = 188
        ([0.0, 1.0, 2.0, 150.0], [100.0, 100.0, 50.0, 100.0], 188.0),
    ],
)
def test_when_idle_counts_idle_operators_when_a_request_falls_due(
    arrivals: list[float], handles: list[float], wait_s: float
) -> None:
    # Two 101 operators, k = 2, retries 100 s apart, 10 s per unanswered attempt.
    #   A at 0 (h 100) and B at 1 (h 100) take both; C at 2 (h 50) accepts at 62 (0.1).
    #   Every caller draws 0.1 for acceptance when they ring; only C is ever offered.
    #   t=100: operator 1 frees: 1 idle (itself) < 2: idle.
    #   t=101: operator 2 frees: 1 idle + itself = 2: attempt 1, unanswered (0.9), until 111;
    #          due again at 211. t=111: operator 2 idle.
    rule = callback_rule(accepts=[0.1] * len(arrivals), answers=[0.9, 0.1], serve=when_idle(2))
    tallies = run_101(arrivals, handles, [NEVER] * len(arrivals), rule, 2)
    tally = tallies.lines["101"]
    assert tally.total("callback_attempts") == 2
    assert tally.callbacks_completed == 1
    assert tally.callback_wait_sum_s == wait_s


def test_when_idle_no_callback_while_a_live_call_waits() -> None:
    # One operator, k = 1: the callback to B (accepted at 70) waits behind the live calls C and
    # E, exactly as below_live: A until 200; C (wait 180) until 300; E at 250 (wait 50) until
    # 400; callback at 400: wait 330. Acceptance draws A 0.1, B 0.1, C 0.9, E 0.1 (A and E,
    # answered within the threshold, are never offered).
    rule = callback_rule(accepts=[0.1, 0.1, 0.9, 0.1], answers=[0.1], serve=when_idle(1))
    tallies = run_101([0.0, 10.0, 20.0, 250.0], [200.0, 100.0, 100.0, 100.0], [NEVER] * 4, rule)
    assert [w for _, w in outcomes(tallies, "101")] == [0.0, 60.0, 180.0, 50.0]
    assert tallies.lines["101"].callback_wait_sum_s == 330.0


# --- handle time of the callback -----------------------------------------------------------


@pytest.mark.parametrize(
    ("given_handle_s", "busy_s", "wait_of_c"),
    [
        # the caller's own: B's 300 s; the operator is busy 100..400; C at 200 is offered a
        # callback at 260, declines (0.9), and waits 200
        (None, 100.0 + 300.0 + 10.0, 200.0),
        # given: 40 s; busy 100..140; C at 200 finds the operator idle: wait 0
        (40.0, 100.0 + 40.0 + 10.0, 0.0),
    ],
)
def test_callback_handle_time_given_or_the_callers_own(
    given_handle_s: float | None, busy_s: float, wait_of_c: float
) -> None:
    # One operator: A at 0 (h 100); B at 10 (h 300) accepts at 70; C at 200 (h 10) is live.
    # Acceptance draws A 0.1 (never offered), B 0.1, C 0.9.
    # t=100: callback to B, answered (wait 30): the operator is busy for the callback's handle
    # time.
    handle_time = None if given_handle_s is None else Draws([given_handle_s])
    rule = callback_rule(accepts=[0.1, 0.1, 0.9], answers=[0.1], handle_time=handle_time)
    tallies = run_101([0.0, 10.0, 200.0], [100.0, 300.0, 10.0], [NEVER] * 3, rule)
    assert tallies.pools["all"].busy_s == busy_s
    assert outcomes(tallies, "101")[2] == ("answered", wait_of_c)
    assert tallies.lines["101"].callback_wait_sum_s == 30.0


def test_given_handle_time_is_not_drawn_for_an_unanswered_attempt() -> None:
    # As the retry trace: attempt 1 at 100 unanswered (10 s), attempt 2 at 210 answered and
    # handled for the given 40 s: busy 100 + 10 + 40 = 150; one draw of the handle time.
    # Acceptance draws A 0.1 (never offered), B 0.1.
    handle_time = Draws([40.0])
    rule = callback_rule(accepts=[0.1, 0.1], answers=[0.9, 0.1], handle_time=handle_time)
    tallies = run_101([0.0, 10.0], [100.0, 50.0], [NEVER] * 2, rule)
    assert tallies.pools["all"].busy_s == 150.0
    assert handle_time.used == 1


# --- redials --------------------------------------------------------------------------------


def test_abandoning_caller_redials_with_the_same_caller_id_until_the_cap() -> None:
    # One operator busy with A (0..1000). Redial probability 0.5, at most 3 calls a caller.
    #   B at 10 (h 70), patience 20: abandons at 30; draw 0.1 < 0.5: redials after 100 s
    #   t=130: B's call 2 (same handle 70), redial patience 40: abandons at 170; draw 0.2:
    #          redials after 200 s
    #   t=370: B's call 3, patience 50: abandons at 420; the decision is drawn all the same,
    #          0.3 < 0.5, but 3 calls is the cap: no redial (and no delay drawn)
    # Offered 1 + 3 = 4, of which 2 redials: unique callers 2. Three decisions drawn, one per
    # abandonment.
    redial = RedialInputs(
        probability=0.5, decide=Draws([0.1, 0.2, 0.3]), delay=Draws([100.0, 200.0]),
        max_calls_per_caller=3,
    )
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0], [1000.0, 70.0], [NEVER, 20.0], redial=redial,
              redial_patience=Draws([40.0, 50.0]))],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=2000.0, keep_records=True),
    ))
    records = by_arrival(tallies, "101")
    assert [(r.arrival_s, r.outcome, r.wait_s) for r in records] == [
        (0.0, "answered", 0.0), (10.0, "abandoned", 20.0), (130.0, "abandoned", 40.0),
        (370.0, "abandoned", 50.0),
    ]
    b_calls = records[1:]
    assert len({r.caller_id for r in b_calls}) == 1
    assert b_calls[0].caller_id != records[0].caller_id
    assert [r.attempt for r in b_calls] == [1, 2, 3]
    assert {r.handle_s for r in b_calls} == {70.0}
    assert len({r.call_id for r in records}) == 4
    assert draws_used(redial.decide) == 3
    assert draws_used(redial.delay) == 2
    values = kpis(tallies)
    assert values["offered"] == 4.0
    assert values["redials"] == 2.0
    assert values["unique_callers"] == 2.0
    assert values["abandoned"] == 3.0


def test_redial_that_would_ring_after_the_end_is_not_offered() -> None:
    # B abandons at 30 and would ring again at 30 + 1000 = 1030, after the end at 1000.
    redial = RedialInputs(probability=0.5, decide=Draws([0.1]), delay=Draws([1000.0]),
                          max_calls_per_caller=3)
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0], [2000.0, 70.0], [NEVER, 20.0], redial=redial,
              redial_patience=Draws([]))],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))
    values = kpis(tallies)
    assert (values["offered"], values["redials"], values["unique_callers"]) == (2.0, 0.0, 2.0)


def test_redial_switched_to_999_is_offered_on_999_and_counted_on_101() -> None:
    # One multi-skilled operator busy with 101 A (0..500).
    #   101 B at 10 (h 300), patience 20: abandons at 30; redial draw 0.1 < 0.5; switch draw
    #       0.3 < 0.5: calls 999 after 100 s
    #   t=130: 999 call, attempt 2, a 999 handle time (80) and a 999 patience (never); the only
    #          call on 999: at 500 it is answered before anything else, wait 370, until 580
    # 101: offered 2, abandoned 1, switched_to_999 1, redials 0, unique 2.
    # 999: offered 1, redials 1, unique 0 (the caller was counted on 101 at their first call).
    redial = RedialInputs(
        probability=0.5, decide=Draws([0.1]), delay=Draws([100.0]), max_calls_per_caller=3,
        switch_share=0.5, switch_line="999", switch=Draws([0.3]),
    )
    tallies = simulate(ModelInputs(
        [
            line("999", [], [], [], 10.0, redial_handle_time=Draws([80.0]),
                 redial_patience=Draws([NEVER])),
            # no redial stays on 101 here, so no 101 redial patience is drawn
            line("101", [0.0, 10.0], [500.0, 300.0], [NEVER, 20.0], redial=redial,
                 redial_patience=Draws([])),
        ],
        [pool("multi", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    (call_999,) = by_arrival(tallies, "999")
    first = by_arrival(tallies, "101")[1]
    assert (call_999.arrival_s, call_999.outcome, call_999.wait_s) == (130.0, "answered", 370.0)
    assert (call_999.caller_id, call_999.attempt) == (first.caller_id, 2)
    assert call_999.handle_s == 80.0
    on_101, on_999 = kpis(tallies, "101"), kpis(tallies, "999")
    assert (on_101["offered"], on_101["switched_to_999"], on_101["redials"]) == (2.0, 1.0, 0.0)
    assert on_101["unique_callers"] == 2.0
    assert (on_999["offered"], on_999["redials"], on_999["unique_callers"]) == (1.0, 1.0, 0.0)
    assert on_999["switched_to_999"] == 0.0


def test_redial_not_switched_stays_on_its_line() -> None:
    # As above with switch draw 0.7 >= 0.5: the caller rings 101 again at 130 with their own
    # handle time (300) and a redial patience (never); answered at 500, wait 370.
    redial = RedialInputs(
        probability=0.5, decide=Draws([0.1]), delay=Draws([100.0]), max_calls_per_caller=3,
        switch_share=0.5, switch_line="999", switch=Draws([0.7]),
    )
    tallies = simulate(ModelInputs(
        [
            line("999", [], [], [], 10.0, redial_handle_time=Draws([]),
                 redial_patience=Draws([])),
            line("101", [0.0, 10.0], [500.0, 300.0], [NEVER, 20.0], redial=redial,
                 redial_patience=Draws([NEVER])),
        ],
        [pool("multi", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    assert [(r.outcome, r.attempt, r.handle_s, r.wait_s) for r in by_arrival(tallies, "101")] == [
        ("answered", 1, 500.0, 0.0), ("abandoned", 1, 300.0, 20.0),
        ("answered", 2, 300.0, 370.0),
    ]
    assert kpis(tallies, "101")["switched_to_999"] == 0.0
    assert kpis(tallies, "101")["redials"] == 1.0


# --- conservation on one trace with every outcome ---------------------------------------------


def test_conservation_of_calls_and_callbacks_by_hand() -> None:
    # One operator; threshold 60; accept and answer half the time; 2 attempts, 150 s apart.
    # Every caller draws their acceptance when they ring (A, B, C, D, E, G, H, I); A, C and G
    # are never offered and draw 0.1, which would accept.
    #   A at   0 (h  200): answered at once, until 200
    #   B at  10 (h   50): at 70 accepts (0.1)
    #   C at  20, patience 30: abandons at 50, before its threshold
    #   D at  30 (h  100): at 90 accepts (0.2)
    #   E at  40 (h  100): at 100 declines (0.9)
    #   t=200: live E first: wait 160, until 300
    #   t=300: callback B (oldest): unanswered (0.9), until 310; due again at 460
    #   t=310: callback D: answered (0.1), wait 310 - 90 = 220, until 410
    #   t=410: nothing due: idle
    #   t=460: callback B, attempt 2: unanswered (0.8), until 470: failed
    #   G at 480 (h 1000): answered at once, busy past the end (1000)
    #   H at 490 (h  100): at 550 accepts (0.3): pending at the end
    #   I at 600 (h  100): at 660 declines (0.95): still waiting at the end
    # Offered 8 = answered 3 (A, E, G) + abandoned 1 (C) + accepted 3 (B, D, H) + waiting 1 (I).
    # Accepted 3 = completed 1 (D) + failed 1 (B) + pending 1 (H).
    # Offers 5 (B, D, E, H, I). Busy 200 + 100 + 10 + 100 + 10 + (1000 - 480) = 940.
    rule = callback_rule(
        accepts=[0.1, 0.1, 0.1, 0.2, 0.9, 0.1, 0.3, 0.95], answers=[0.9, 0.1, 0.8],
        max_attempts=2,
        attempt_gap_s=150.0,
    )
    tallies = run_101(
        [0.0, 10.0, 20.0, 30.0, 40.0, 480.0, 490.0, 600.0],
        [200.0, 50.0, 50.0, 100.0, 100.0, 1000.0, 100.0, 100.0],
        [NEVER, NEVER, 30.0, NEVER, NEVER, NEVER, NEVER, NEVER],
        rule,
        end_s=1000.0,
    )
    assert [r.outcome for r in by_arrival(tallies, "101")] == [
        "answered", "callback", "abandoned", "callback", "answered", "answered", "callback",
        "waiting",
    ]
    values = kpis(tallies)
    assert values["offered"] == 8.0
    assert (values["answered"], values["abandoned"], values["waiting_end"]) == (3.0, 1.0, 1.0)
    assert (values["callbacks_offered"], values["callbacks_accepted"]) == (5.0, 3.0)
    assert values["offered"] == (
        values["answered"] + values["abandoned"] + values["callbacks_accepted"]
        + values["waiting_end"]
    )
    done = (values["callbacks_completed"], values["callbacks_failed"],
            values["callbacks_pending_end"])
    assert done == (1.0, 1.0, 1.0)
    assert values["callbacks_accepted"] == sum(done)
    assert values["callback_wait_s"] == 220.0
    assert values["callbacks_within_target"] == 0.5  # 1 within / (1 completed + 1 failed)
    assert tallies.lines["101"].total("callback_attempts") == 3
    assert tallies.pools["all"].busy_s == 940.0


def test_callbacks_of_callers_who_rang_in_the_warm_up_are_not_counted() -> None:
    # Warm-up 100 s, intervals of 100 s. One operator busy with A (0..300).
    # Acceptance draws A 0.1 (never offered), B 0.1, C 0.1.
    #   B at 10 accepts at 70: rang in the warm-up: none of its callback figures count
    #   C at 150 accepts at 210: counted. At 300 B is called back (answered, h 50) until 350,
    #   then C at 350 (answered): wait 350 - 210 = 140.
    rule = callback_rule(accepts=[0.1, 0.1, 0.1], answers=[0.1, 0.1])
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0, 150.0], [300.0, 50.0, 50.0], [NEVER] * 3)],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, warmup_s=100.0, interval_s=100.0, keep_records=True),
        callback=rule,
    ))
    values = kpis(tallies)
    assert (values["offered"], values["callbacks_offered"], values["callbacks_accepted"]) == (
        1.0, 1.0, 1.0
    )
    assert values["callbacks_completed"] == 1.0
    assert values["callback_wait_s"] == 140.0
