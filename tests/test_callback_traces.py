"""Hand-worked traces of callbacks and redials, and properties of them on random scenarios.

Each trace drives
:func:`~contactsim.engine.model.simulate` with fixed arrival times, handle times and
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
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine import ModelInputs, ModelSettings, RedialInputs, build_centre, simulate
from contactsim.engine.callback import (
    ABOVE_LIVE,
    BELOW_LIVE,
    CallbackInputs,
    CallbackServe,
    when_idle,
)
from contactsim.engine.calls import PoolState
from contactsim.engine.records import CallRecord, RunTallies
from contactsim.runs.replication import run_tallies
from trace_helpers import NEVER, Draws, draws_used, line, pool

TIME_EPS_S = 1e-6  # float slack for times rebuilt from records (arrival + wait)


def callback_rule(accepts: Sequence[float], answers: Sequence[float], **changes: Any) -> (
    CallbackInputs
):
    """The callback rule of the traces: threshold 60 s, accepted and answered half the time
    (the draws decide: ``accepts`` one per caller of 101 in arrival order, ``answers`` one per
    attempt), open all day, 3 attempts 100 s apart, 10 s per unanswered attempt,
    target one hour, the caller's own handle time, served below live calls."""
    rule: dict[str, Any] = {
        "line": "101",
        "offer_after_s": 60.0,
        "accept_probability": 0.5,
        "accept": Draws(accepts),
        "open_minute": 0,
        "close_minute": 1440,
        "max_attempts": 3,
        "attempt_gap_s": 100.0,
        "answer_probability": 0.5,
        "answer": Draws(answers),
        "unanswered_attempt_s": 10.0,
        "complete_within_s": 3600.0,
        "handle_time": None,
        "serve": BELOW_LIVE,
    }
    rule.update(changes)
    return CallbackInputs(**rule)


def by_arrival(tallies: RunTallies, line_name: str) -> list[CallRecord]:
    """The records of one line in the order its callers rang."""
    assert tallies.records is not None
    return sorted((r for r in tallies.records if r.line == line_name), key=lambda r: r.arrival_s)


def outcomes(tallies: RunTallies, line_name: str) -> list[tuple[str, float]]:
    """(outcome, wait) of each call of one line, in the order its callers rang."""
    return [(r.outcome, r.wait_s) for r in by_arrival(tallies, line_name)]


def kpis(tallies: RunTallies, scope: str = "101") -> dict[str, float]:
    """The KPIs of one line or pool by name."""
    return {name: value for s, name, value in kpi_rows(tallies) if s == scope}


def run_101(
    arrivals: Sequence[float],
    handles: Sequence[float],
    patiences: Sequence[float],
    callback: CallbackInputs,
    operators: int = 1,
    end_s: float = 10_000.0,
) -> RunTallies:
    """One 101 line on one pool of ``operators``, with ``callback``."""
    return simulate(ModelInputs(
        [line("101", arrivals, handles, patiences)],
        [pool("all", ("101",), operators)],
        ModelSettings(end_s=end_s, keep_records=True),
        callback=callback,
    ))


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


# --- properties on random scenarios -------------------------------------------------------------

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def callback_scenarios(draw: st.DrawFn) -> Scenario:
    """A small busy scenario with a callback on 101 and redials: 101 alone or with 999, one or
    two pools (flat, or one step up or down), 2-4 or 26 hours, and callback hours that may open
    or close inside the run."""
    lines = draw(st.sampled_from([("101",), ("999", "101")]))
    # 26 hours: callback hours that close on day 1 open again on day 2
    hours = draw(st.sampled_from([2, 3, 4, 26]))
    demand: dict[str, Any] = {}
    handling: dict[str, Any] = {}
    for name in lines:
        demand[name] = {"rate_per_hour": draw(st.floats(5.0, 30.0))}
        handling[name] = {
            "handle_time": {"dist": "exponential", "mean_s": draw(st.floats(60.0, 400.0))},
            "patience": {"dist": "exponential", "mean_s": draw(st.floats(30.0, 900.0))},
        }
    if len(lines) == 1 or draw(st.booleans()):
        staffing: dict[str, Any] = {"flat": draw(st.integers(1, 4))}
        if draw(st.booleans()):
            # on duty from midnight, then a step (possibly to nobody) during the run, on the
            # horizon's first day (a Monday)
            change_h = draw(st.integers(1, min(hours - 1, 23)))
            before, after = draw(st.integers(1, 4)), draw(st.integers(0, 4))
            staffing = {"shifts": [
                {"start": "00:00", "length_h": change_h, "days": ["mon"], "count": before},
                {"start": f"{change_h:02d}:00", "length_h": 24 - change_h, "days": ["mon"],
                 "count": after},
            ]}
        pools = [{"name": "multi", "skills": list(lines), "staffing": staffing}]
    else:
        pools = [
            {"name": "emergency", "skills": ["999"], "staffing": {"flat": draw(st.integers(1, 2))}},
            {"name": "blended", "skills": ["999", "101"],
             "staffing": {"flat": draw(st.integers(1, 3))}},
        ]
    open_h = draw(st.integers(0, 2))
    close_h = draw(st.sampled_from([24, open_h + 1, open_h + 2]))
    serve = draw(st.sampled_from(
        ["below_live", "above_live", {"when_idle_at_least": 1}, {"when_idle_at_least": 2}]
    ))
    callback = {
        "line": "101",
        "offer_after_s": draw(st.floats(0.0, 300.0)),
        "accept_probability": draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        "hours": f"{open_h:02d}:00-{close_h:02d}:00",
        "max_attempts": draw(st.integers(1, 3)),
        "attempt_gap_s": draw(st.floats(0.0, 900.0)),
        "answer_probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "unanswered_attempt_s": draw(st.floats(0.0, 60.0)),
        "complete_within_s": draw(st.floats(60.0, 3600.0)),
        "serve": serve,
    }
    if draw(st.booleans()):
        callback["handle_time"] = {"dist": "exponential", "mean_s": 120.0}
    redial: dict[str, Any] = {}
    for name in lines:
        if draw(st.booleans()):
            redial[name] = {
                "probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
                "delay": {"dist": "exponential", "mean_s": draw(st.floats(10.0, 900.0))},
                "max_calls_per_caller": draw(st.integers(1, 4)),
            }
            if name == "101" and "999" in lines:
                redial[name]["switch_to_999"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    return scenario_from_mapping(
        {
            "name": "callback-property",
            "horizon": {
                "days": hours / 24,
                "warmup_hours": draw(st.sampled_from([0, 1])),
                "interval_minutes": draw(st.sampled_from([15, 60])),
            },
            "demand": demand,
            "handling": handling,
            "pools": pools,
            "callback": callback,
            "redial": redial,
        }
    )


seeds = st.integers(min_value=0, max_value=2**32 - 1)


def counted_records(tallies: RunTallies) -> list[CallRecord]:
    """Records of calls that rang in the measured window (after the warm-up)."""
    assert tallies.records is not None
    return [r for r in tallies.records if r.arrival_s >= tallies.warmup_s]


@PROPERTY
@given(callback_scenarios(), seeds)
def test_property_conservation_with_callbacks(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed, 0, keep_records=True)
    records = counted_records(tallies)
    for name, tally in tallies.lines.items():
        mine = [r for r in records if r.line == name]
        by_outcome = {o: sum(1 for r in mine if r.outcome == o) for o in
                      ("answered", "abandoned", "callback", "waiting")}
        assert sum(by_outcome.values()) == len(mine) == tally.total("offered")
        assert by_outcome["answered"] == tally.total("answered")
        assert by_outcome["abandoned"] == tally.total("abandoned")
        assert by_outcome["callback"] == tally.total("callbacks_accepted")
        assert by_outcome["waiting"] == tally.waiting_end
        assert tally.total("offered") == (
            tally.total("answered") + tally.total("abandoned") + tally.total("callbacks_accepted")
            + tally.waiting_end
        )
        assert tally.total("callbacks_accepted") == (
            tally.callbacks_completed + tally.callbacks_failed + tally.callbacks_pending_end
        )
        assert tally.total("callbacks_accepted") <= tally.total("callbacks_offered")
        assert tally.callbacks_completed_within_target <= tally.callbacks_completed
        if name != "101":
            assert tally.total("callbacks_offered") == 0
    assert tallies.records is not None
    ids = [r.call_id for r in tallies.records]
    assert len(ids) == len(set(ids))
    for pool_tally in tallies.pools.values():
        assert pool_tally.busy_s <= pool_tally.staffed_s + TIME_EPS_S


@PROPERTY
@given(callback_scenarios(), seeds)
def test_property_redials_counted_once_each_and_capped(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed, 0, keep_records=True)
    assert tallies.records is not None
    values = {(s, k): v for s, k, v in kpi_rows(tallies)}
    counted = counted_records(tallies)
    for name in tallies.lines:
        redials = sum(1 for r in counted if r.line == name and r.attempt > 1)
        assert values[(name, "redials")] == redials
        assert values[(name, "unique_callers")] == values[(name, "offered")] - redials
    calls: dict[int, list[CallRecord]] = defaultdict(list)
    for r in tallies.records:
        calls[r.caller_id].append(r)
    switched = 0
    for caller_calls in calls.values():
        caller_calls.sort(key=lambda r: r.attempt)
        # attempts 1..k, one call each, in time order
        assert [r.attempt for r in caller_calls] == list(range(1, len(caller_calls) + 1))
        for before, after in itertools.pairwise(caller_calls):
            assert before.outcome == "abandoned"
            assert after.arrival_s >= before.arrival_s + before.wait_s - TIME_EPS_S
            rule = scenario.redial.get(before.line)
            assert rule is not None, "a redial from a line without redials"
            # the cap of the line the caller abandoned counts the calls made so far
            assert after.attempt <= rule.max_calls_per_caller
            if after.line != before.line:
                assert (before.line, after.line) == ("101", "999")
                if after.arrival_s >= tallies.warmup_s:
                    switched += 1
    cap = max((rule.max_calls_per_caller for rule in scenario.redial.values()), default=1)
    assert all(len(caller_calls) <= cap for caller_calls in calls.values())
    assert values[("101", "switched_to_999")] == switched


@PROPERTY
@given(callback_scenarios(), seeds)
def test_property_waits_are_non_negative(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed, 0, keep_records=True)
    assert tallies.records is not None
    offer_after_s = scenario.callback.offer_after_s if scenario.callback else math.inf
    for r in tallies.records:
        assert r.wait_s >= 0.0
        assert r.arrival_s + r.wait_s <= tallies.end_s + TIME_EPS_S
        if r.outcome == "callback":
            # accepted at the threshold, never later
            assert r.wait_s == pytest.approx(offer_after_s, abs=TIME_EPS_S)
    for tally in tallies.lines.values():
        assert tally.callback_wait_sum_s >= 0.0
        completed = tally.callbacks_completed
        if completed:
            assert tally.callback_wait_sum_s <= completed * (tallies.end_s + TIME_EPS_S)


@PROPERTY
@given(callback_scenarios(), seeds)
def test_property_callbacks_follow_their_rule(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed, 0, keep_records=True)
    assert tallies.records is not None and scenario.callback is not None
    rule = scenario.callback
    open_s, close_s = (60.0 * minute for minute in rule.hours_minutes)
    tally = tallies.lines[rule.line]
    # every acceptance (arrival + threshold) falls inside the hours
    for r in tallies.records:
        if r.outcome == "callback":
            assert open_s <= (r.arrival_s + r.wait_s) % 86400.0 < close_s
    # the hours are whole hours and intervals divide an hour: no attempt starts in an interval
    # outside them
    for index, attempts in enumerate(tally.callback_attempts):
        start_s = (index * tallies.interval_s) % 86400.0
        if not open_s <= start_s < close_s:
            assert attempts == 0, (index, attempts)
    accepted_ever = sum(tally.callbacks_accepted)
    offered_ever = sum(tally.callbacks_offered)
    assert sum(tally.callback_attempts) <= rule.max_attempts * accepted_ever
    assert sum(tally.callback_completions) <= accepted_ever
    if rule.accept_probability == 1.0:
        assert accepted_ever == offered_ever
    if rule.accept_probability == 0.0:
        assert accepted_ever == 0
    if rule.answer_probability == 1.0:
        assert tally.callbacks_failed == 0
    if rule.answer_probability == 0.0:
        assert sum(tally.callback_completions) == 0


@PROPERTY
@given(callback_scenarios(), seeds)
def test_property_callbacks_made_as_the_policy_says_and_never_left_waiting(
    scenario: Scenario, seed: int
) -> None:
    # The model is watched from outside, after every event and at every attempt it starts:
    # - an attempt starts only inside the hours, with no live call of the operator's skills
    #   waiting (below_live, when_idle) or none of a more urgent line (above_live), and, for
    #   when_idle, with at least k operators who could make it idle, the one making it included;
    # - after every event, no operator who may make a ready callback stays idle, and no
    #   operator stays idle while a live call of its skills waits (no reserve here).
    assert scenario.callback is not None
    inputs = model_inputs(scenario, Streams(seed, 0))
    centre = build_centre(ModelInputs(inputs.lines, inputs.pools, inputs.settings, inputs.callback))
    desk, routing = centre.callback_desk, centre.routing
    assert desk is not None and routing.callback_line is not None
    callback_pools = routing.callback_line.pools
    serve = inputs.callback.serve if inputs.callback else BELOW_LIVE
    k = serve.idle_at_least
    attempts = 0

    # live lines that go before callbacks: the more urgent ones (above_live), or all of them
    first = scenario.lines
    if serve.above_live:
        first = scenario.lines[: scenario.lines.index(scenario.callback.line)]

    def may_call_back(pool: PoolState, idle_besides: int) -> bool:
        """Whether an operator of ``pool`` may make a ready callback now, with ``idle_besides``
        other operators of the callback pools idle."""
        if any(line.waiting for line in pool.lines if line.name in first):
            return False
        return idle_besides + 1 >= k

    make_attempt = centre.operators.attempt_callback

    def watched_attempt(request: Any, pool: PoolState) -> None:
        nonlocal attempts
        attempts += 1
        assert desk.open and desk.is_open_at(centre.kernel.now)
        assert may_call_back(pool, sum(p.idle for p in callback_pools)), centre.kernel.now
        make_attempt(request, pool)

    step = centre.kernel.step

    def watched_step() -> None:
        step()
        if centre.kernel.peek() == centre.kernel.now:
            # more events at this instant (the desk's opening among them, perhaps, after the
            # run's daily stop event): the state is checked once the instant is over
            return
        for queue in centre.queues.values():
            if queue.waiting:
                assert all(p.idle == 0 for p in queue.pools), (centre.kernel.now, queue.name)
        if desk.open and desk.ready:
            idle = sum(p.idle for p in callback_pools)
            for pool in callback_pools:
                assert not (pool.idle and may_call_back(pool, idle - 1)), (
                    f"t={centre.kernel.now}: an idle operator of {pool.name} leaves "
                    f"{len(desk.ready)} ready callbacks waiting"
                )

    centre.operators.attempt_callback = watched_attempt  # type: ignore[method-assign]
    centre.kernel.step = watched_step  # type: ignore[method-assign]
    tallies = centre.run()
    assert attempts == sum(tallies.lines[scenario.callback.line].callback_attempts)
