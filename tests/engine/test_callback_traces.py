"""Hand-worked traces of callbacks: the offer at the threshold, callback hours and attempts.

Each trace drives
:func:`~contactsim.engine.builder.simulate` with fixed arrival times, handle times and
patience, and with fixed uniform draws for the callback and redial decisions, so every number
below is worked out on paper first. Times are in seconds. Draws are handed out in the order the
model asks for them. Every caller of the callback line draws their acceptance when they ring,
in arrival order, whether or not they are ever offered a callback (common random numbers), so
the ``accepts`` of a trace hold one draw per caller of 101, in the order they ring; an offer is
accepted when that caller's draw < ``accept_probability``, and a redial keeps the caller's draw.
Callers who are never offered are given a draw that would accept, so that a wrong offer shows.
An attempt is answered when its draw < ``answer_probability``; every abandonment of a line with
a redial rule draws the redial decision, even a capped caller's, and the caller redials when
their draw < ``probability`` and the cap allows; they switch to 999 when their draw <
``switch_to_999``. :class:`Draws` fails the trace if the model asks for more draws than the
trace gives.

Redial rules the model refuses are at the end. Serving policies, handle times and redials
are in ``test_callback_policies.py``; properties on random scenarios in
``tests/system/test_callback_properties.py``.
"""

from __future__ import annotations

import math

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.inputs import (
    LineInputs,
    ModelInputs,
    ModelSettings,
    PoolInputs,
    RedialInputs,
)
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import RunTallies
from helpers.callback_traces import callback_rule, kpis, outcomes, run_101
from helpers.traces import NEVER, Draws, by_arrival, draws_used, line, pool

# --- the offer at the threshold ---------------------------------------------------------------


def test_caller_waiting_at_threshold_is_offered_and_leaves_the_queue_if_accepting() -> None:
    # One operator, threshold 60 s, below_live.
    # Acceptance draws, one per caller when they ring: A 0.1, B 0.2, C 0.7.
    #   A at  0 (h 300): answered at once (never offered, though its draw would accept),
    #                    busy until 300
    #   B at 10 (h 100): still waiting at 10 + 60 = 70: offered, draw 0.2 < 0.5: accepts and
    #                    leaves the live queue (record "callback", wait 60)
    #   C at 20 (h  50): still waiting at 20 + 60 = 80: offered, draw 0.7 >= 0.5: declines
    #   t=300: the operator frees; C is now the head of the live queue (B left): C answered,
    #          wait 300 - 20 = 280, busy until 350 (without the callback, C would wait for B)
    #   t=350: no live call waits: the callback to B, answer draw 0.1 < 0.5: reached.
    #          Callback wait 350 - 70 = 280 (acceptance to the attempt that reached B); B's own
    #          handle time 100 keeps the operator busy until 450.
    # Busy 300 + 50 + 100 = 450.
    rule = callback_rule(accepts=[0.1, 0.2, 0.7], answers=[0.1])
    tallies = run_101([0.0, 10.0, 20.0], [300.0, 100.0, 50.0], [NEVER] * 3, rule)
    assert outcomes(tallies, "101") == [("answered", 0.0), ("callback", 60.0), ("answered", 280.0)]
    tally = tallies.lines["101"]
    assert tally.total("callbacks_offered") == 2
    assert tally.total("callbacks_accepted") == 1
    assert tally.total("callback_attempts") == 1
    assert tally.total("callback_completions") == 1
    assert tally.callbacks_completed == 1
    assert tally.callback_wait_sum_s == 280.0
    assert tally.callbacks_completed_within_target == 1
    assert tallies.pools["all"].busy_s == 450.0
    values = kpis(tallies)
    assert values["callbacks_offered"] == 2.0
    assert values["callbacks_accepted"] == 1.0
    assert values["callbacks_completed"] == 1.0
    assert values["callback_wait_s"] == 280.0
    assert values["callbacks_within_target"] == 1.0
    # B is not answered as a live call: 2 answered, the ASA is C's and A's waits only
    assert values["answered"] == 2.0
    assert values["asa_s"] == 140.0
    # one acceptance draw per caller (3), one answer draw per attempt (1)
    assert draws_used(rule.accept) == 3 and draws_used(rule.answer) == 1


def test_first_operator_to_come_free_makes_the_callback() -> None:
    # Two operators; A at 0 (h 100) and B at 1 (h 100) take both. C at 2 (h 50) waits.
    # Acceptance draws A 0.1, B 0.1, C 0.1, D 0.1 (only C is ever offered).
    #   t=62: C accepts (draw 0.1). Both operators busy: nothing happens yet.
    #   t=100: operator 1 frees, no live call: calls C back, answered (0.1): wait 100 - 62 = 38,
    #          busy until 150.
    # Then D at 120 (h 30) finds operator 2 (free since 101) idle: wait 0.
    rule = callback_rule(accepts=[0.1] * 4, answers=[0.1])
    tallies = run_101([0.0, 1.0, 2.0, 120.0], [100.0, 100.0, 50.0, 30.0], [NEVER] * 4, rule, 2)
    assert outcomes(tallies, "101") == [
        ("answered", 0.0), ("answered", 0.0), ("callback", 60.0), ("answered", 0.0)
    ]
    assert tallies.lines["101"].callback_wait_sum_s == 38.0
    assert tallies.lines["101"].total("callbacks_offered") == 1
    assert tallies.pools["all"].busy_s == 100.0 + 100.0 + 50.0 + 30.0


def test_callers_answered_or_abandoned_before_the_threshold_are_never_offered() -> None:
    # One operator, threshold 60 s. Acceptance draws, one per caller when they ring:
    # A 0.1, B 0.1, C 0.1, D 0.9 (A, B and C would accept, were they offered):
    #   A at  0 (h 50): answered at once, until 50
    #   B at 10 (h 50): answered at 50, wait 40 < 60: never offered; until 100
    #   C at 20, patience 25: abandons at 45, before its threshold at 80: never offered
    #   D at 30 (h 10): still waiting at 30 + 60 = 90: offered, declines (0.9);
    #                   answered at 100, wait 70
    # Four acceptance draws (one per caller) but one offer, and no acceptance: an offer to B or
    # C would have been accepted.
    rule = callback_rule(accepts=[0.1, 0.1, 0.1, 0.9], answers=[])
    tallies = run_101([0.0, 10.0, 20.0, 30.0], [50.0, 50.0, 50.0, 10.0],
                      [NEVER, NEVER, 25.0, NEVER], rule)
    assert outcomes(tallies, "101") == [
        ("answered", 0.0), ("answered", 40.0), ("abandoned", 25.0), ("answered", 70.0)
    ]
    assert draws_used(rule.accept) == 4
    assert tallies.lines["101"].total("callbacks_offered") == 1
    assert tallies.lines["101"].total("callbacks_accepted") == 0


def test_callbacks_are_offered_on_their_line_only() -> None:
    # The rule is for 101: a 999 caller waiting far past 60 s is never offered.
    #   one multi-skilled operator; 999 A at 0 (h 500), 999 B at 10 (h 10): B waits 490
    rule = callback_rule(accepts=[], answers=[])
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 10.0], [500.0, 10.0], [NEVER] * 2, 10.0), line("101", [], [], [])],
        [pool("multi", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
        callback=rule,
    ))
    assert outcomes(tallies, "999") == [("answered", 0.0), ("answered", 490.0)]
    assert tallies.lines["999"].total("callbacks_offered") == 0
    assert draws_used(rule.accept) == 0


def test_caller_turned_away_online_still_draws_their_acceptance() -> None:
    # online_shift 0.5; deflection draws A 0.9, B 0.1, C 0.9: B (< 0.5) is turned away online.
    # Acceptance draws A 0.1, B 0.1, C 0.9: B draws when ringing, before being turned away, so
    # C gets the third draw.
    #   A at  0 (h 300): answered at once, busy until 300
    #   B at 10: turned away online (its handle time, patience and acceptance are drawn all
    #            the same)
    #   C at 20 (h 50): offered at 80, draw 0.9 >= 0.5: declines; answered at 300, wait 280
    # Had B drawn no acceptance, C would have drawn 0.1 and accepted.
    rule = callback_rule(accepts=[0.1, 0.1, 0.9], answers=[])
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0, 20.0], [300.0, 100.0, 50.0], [NEVER] * 3, online_shift=0.5,
              deflection=Draws([0.9, 0.1, 0.9]))],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True),
        callback=rule,
    ))
    assert outcomes(tallies, "101") == [("answered", 0.0), ("answered", 280.0)]
    assert kpis(tallies)["deflected"] == 1.0
    tally = tallies.lines["101"]
    assert (tally.total("callbacks_offered"), tally.total("callbacks_accepted")) == (1, 0)
    assert draws_used(rule.accept) == 3


def test_redial_keeps_the_callers_acceptance_draw() -> None:
    # One operator busy with A (0..1000). Redial probability 0.5, at most 3 calls a caller.
    # Acceptance draws A 0.9, B 0.1: one per caller when they first ring, none for a redial.
    #   B at 10 (h 70), patience 20: abandons at 30, before its threshold at 70: not offered;
    #          decision 0.1 < 0.5: redials after 100 s
    #   t=130: B's call 2, redial patience never: still waiting at 130 + 60 = 190: offered, and
    #          B's own draw 0.1 < 0.5: accepts (record "callback", wait 60, attempt 2)
    #   t=1000: the operator frees: the callback to B, answered (0.1): callback wait
    #          1000 - 190 = 810, B's handle 70 until 1070.
    # Busy 1000 + 70 = 1070.
    redial = RedialInputs(
        probability=0.5, decide=Draws([0.1]), delay=Draws([100.0]), max_calls_per_caller=3,
    )
    rule = callback_rule(accepts=[0.9, 0.1], answers=[0.1])
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0], [1000.0, 70.0], [NEVER, 20.0], redial=redial,
              redial_patience=Draws([NEVER]))],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=2000.0, keep_records=True),
        callback=rule,
    ))
    records = by_arrival(tallies, "101")
    assert [(r.arrival_s, r.outcome, r.wait_s, r.attempt) for r in records] == [
        (0.0, "answered", 0.0, 1), (10.0, "abandoned", 20.0, 1), (130.0, "callback", 60.0, 2),
    ]
    tally = tallies.lines["101"]
    assert (tally.total("callbacks_offered"), tally.callbacks_completed) == (1, 1)
    assert tally.callback_wait_sum_s == 810.0
    assert tallies.pools["all"].busy_s == 1070.0
    assert draws_used(rule.accept) == 2 and draws_used(redial.decide) == 1


# --- hours --------------------------------------------------------------------------------------


def test_no_offer_outside_the_hours_neither_at_the_threshold_nor_later() -> None:
    # Callback hours 00:10-00:20, i.e. from 600 to 1200 s. One operator busy with A (0..1300).
    # Acceptance draws A 0.1, B 0.1, C 0.1: each caller draws when they ring, and B and C
    # would accept, were they offered.
    #   B at  500: threshold at 560, before the hours open: no offer; the desk opens at 600
    #              while B still waits, and B is still not offered. Answered at 1300, wait 800.
    #   C at 1150: threshold at 1210, after closing: no offer. Answered at 1400, wait 250.
    rule = callback_rule(accepts=[0.1] * 3, answers=[], open_minute=10, close_minute=20)
    tallies = run_101([0.0, 500.0, 1150.0], [1300.0, 100.0, 100.0], [NEVER] * 3, rule)
    assert outcomes(tallies, "101") == [("answered", 0.0), ("answered", 800.0),
                                        ("answered", 250.0)]
    assert tallies.lines["101"].total("callbacks_offered") == 0
    assert draws_used(rule.accept) == 3  # drawn when they rang, offered or not


def test_request_accepted_just_before_closing_waits_for_the_next_opening() -> None:
    # Callback hours 00:10-00:20 (600..1200 s). One operator busy with A (0..2000).
    # Acceptance draws A 0.1, B 0.1, C 0.1 (only B is ever offered).
    #   B at 1100 (h 100): threshold at 1160, inside the hours: offered, accepts (0.1).
    #   t=1200: the desk closes. t=2000: the operator frees but may not call back: idle.
    #   C at 5000 (h 100): answered at once (the operator is idle): live calls go on at night.
    #   t=86400 + 600 = 87000: the desk opens on day 2: the callback to B, answered (0.1):
    #        callback wait 87000 - 1160 = 85840 > 3600: completed, not within the target.
    # Busy 2000 + 100 + 100 = 2200.
    rule = callback_rule(accepts=[0.1] * 3, answers=[0.1], open_minute=10, close_minute=20)
    tallies = run_101([0.0, 1100.0, 5000.0], [2000.0, 100.0, 100.0], [NEVER] * 3, rule,
                      end_s=90_000.0)
    assert outcomes(tallies, "101") == [("answered", 0.0), ("callback", 60.0), ("answered", 0.0)]
    tally = tallies.lines["101"]
    assert tally.callbacks_completed == 1
    assert tally.callback_wait_sum_s == 85840.0
    assert tally.callbacks_completed_within_target == 0
    assert tally.callback_attempts[87000 // 3600] == 1  # the attempt is made on day 2, 00:10
    assert tallies.pools["all"].busy_s == 2200.0
    values = kpis(tallies)
    assert values["callback_wait_s"] == 85840.0
    assert values["callbacks_within_target"] == 0.0


def test_retry_falling_due_after_closing_waits_for_the_next_opening() -> None:
    # Hours 00:00-00:05 (0..300 s), one operator, gap 100, 10 s per unanswered attempt.
    #   A at 0 (h 200), acceptance draw 0.1 but never offered; B at 10 (h 50) accepts at 70
    #   (0.1).
    #   t=200: attempt 1 to B, unanswered (0.9): until 210; due again at 310, after closing.
    #   t=86400: the desk opens: attempt 2, answered (0.1): wait 86400 - 70 = 86330, h 50.
    # Busy 200 + 10 + 50 = 260.
    rule = callback_rule(accepts=[0.1, 0.1], answers=[0.9, 0.1], open_minute=0, close_minute=5)
    tallies = run_101([0.0, 10.0], [200.0, 50.0], [NEVER] * 2, rule, end_s=90_000.0)
    tally = tallies.lines["101"]
    assert tally.callbacks_completed == 1
    assert tally.callback_wait_sum_s == 86330.0
    assert tally.total("callback_attempts") == 2
    assert tallies.pools["all"].busy_s == 260.0


# --- attempts -----------------------------------------------------------------------------------


def attempts_trace(answers: list[float], end_s: float = 10_000.0) -> RunTallies:
    # One operator, two attempts at most, 100 s apart, 10 s per unanswered attempt:
    #   A at 0 (h 100), acceptance draw 0.1 but never offered; B at 10 (h 50) accepts at 70
    #   (draw 0.1).
    #   t=100: attempt 1 to B; unanswered: the operator is busy until 110, B is due at 210.
    #   t=210: attempt 2.
    rule = callback_rule(accepts=[0.1, 0.1], answers=answers, max_attempts=2)
    return run_101([0.0, 10.0], [100.0, 50.0], [NEVER] * 2, rule, end_s=end_s)


def test_unanswered_attempt_is_retried_after_the_gap() -> None:
    # Attempt 1 at 100 unanswered (0.9), busy until 110; attempt 2 at 110 + 100 = 210 answered
    # (0.1): callback wait 210 - 70 = 140, B's handle 50 until 260.
    # Busy 100 + 10 + 50 = 160.
    tallies = attempts_trace([0.9, 0.1])
    tally = tallies.lines["101"]
    assert tally.total("callback_attempts") == 2
    assert tally.total("callback_completions") == 1
    assert (tally.callbacks_completed, tally.callbacks_failed) == (1, 0)
    assert tally.callback_wait_sum_s == 140.0
    assert tallies.pools["all"].busy_s == 160.0


def test_callback_failed_after_its_last_unanswered_attempt() -> None:
    # Attempts at 100 and 210 both unanswered (0.9, 0.8): after the second (the last of 2),
    # at 220, the callback has failed. Busy 100 + 10 + 10 = 120. No callback reached anyone:
    # the mean callback wait is NaN and the share within target 0 / (0 + 1) = 0.
    tallies = attempts_trace([0.9, 0.8])
    tally = tallies.lines["101"]
    assert tally.total("callback_attempts") == 2
    assert (tally.callbacks_completed, tally.callbacks_failed, tally.callbacks_pending_end) == (
        0, 1, 0
    )
    assert tallies.pools["all"].busy_s == 120.0
    values = kpis(tallies)
    assert math.isnan(values["callback_wait_s"])
    assert values["callbacks_within_target"] == 0.0
    assert values["callbacks_failed"] == 1.0


def test_callback_in_its_gap_at_the_end_is_pending() -> None:
    # The run ends at 150: attempt 1 (100..110) unanswered, the request is in its gap until 210.
    # Pending 1, neither completed nor failed. Busy 100 + 10 = 110.
    tallies = attempts_trace([0.9], end_s=150.0)
    tally = tallies.lines["101"]
    assert (tally.callbacks_completed, tally.callbacks_failed, tally.callbacks_pending_end) == (
        0, 0, 1
    )
    assert kpis(tallies)["callbacks_pending_end"] == 1.0
    assert tallies.pools["all"].busy_s == 110.0


def test_callback_never_attempted_at_the_end_is_pending() -> None:
    # A at 0 holds the only operator past the end (h 500, end 300); B at 10 accepts at 70
    # (acceptance draws A 0.1, never offered, B 0.1) and waits in the callback queue until the
    # end: pending, with no attempt.
    rule = callback_rule(accepts=[0.1, 0.1], answers=[])
    tallies = run_101([0.0, 10.0], [500.0, 50.0], [NEVER] * 2, rule, end_s=300.0)
    tally = tallies.lines["101"]
    assert tally.callbacks_pending_end == 1
    assert tally.total("callback_attempts") == 0


# --- redial rules the model refuses ----------------------------------------------------------


def test_model_inputs_refuse_redials_that_could_never_abandon() -> None:
    def draws() -> float:
        return 0.5

    redial = RedialInputs(probability=1.0, decide=draws, delay=draws, max_calls_per_caller=2)
    with pytest.raises(ValueError, match="redial_patience"):
        LineInputs("101", iter([]), draws, draws, 60.0, redial=redial)
    switching = RedialInputs(
        probability=1.0, decide=draws, delay=draws, max_calls_per_caller=2,
        switch_share=0.5, switch=draws, switch_line="999",
    )
    switching_line = LineInputs("101", iter([]), draws, None, 60.0, redial=switching)
    one_pool = PoolInputs("all", ("101",), StaffingPlan((0.0,), (1,)))
    with pytest.raises(ValueError, match="switch to 999"):
        simulate(ModelInputs([switching_line], [one_pool], ModelSettings(end_s=60.0)))
