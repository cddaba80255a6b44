"""Hand-worked traces of bursts: a first call that brings further calls about its incident.

Each trace drives :func:`~contactsim.engine.builder.simulate` with fixed arrival times, handle
times and patience, and fixed draws for the bursts: ``decide`` (one uniform per first call, as
the kernel reads its arrival time: a burst when below ``share``), ``size`` (the number of
further calls), ``gap`` (seconds from one call of the burst to the next), and each duplicate's
``handle`` and ``patience`` (drawn when it rings). Every number below is worked out on paper
first; :class:`Draws` fails the trace if the model asks for a draw the trace does not give —
so a duplicate that were triaged, or drew a redial decision, would fail it. Times in seconds.
"""

from __future__ import annotations

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.bursts import BurstInputs, Bursts
from contactsim.engine.inputs import ModelInputs, ModelSettings, RedialInputs
from contactsim.engine.records import RunTallies
from contactsim.engine.resolution import TriageInputs
from contactsim.errors import ConservationError
from helpers.traces import NEVER, Draws, all_kpis, by_arrival, draws_used, line, pool

#: triage shares of the traces: a draw below 0.5 grades the call closed, which adds 50 s
CLOSED_ADDS_50_S = (0.5, 0.6, 0.7, 0.8, 1.0)


def bursts(decide: list[float], size: list[float], gap: list[float], handle: list[float],
           patience: list[float] | None = None, share: float = 0.5) -> BurstInputs:
    """A burst rule with fixed draws."""
    return BurstInputs(share=share, decide=Draws(decide), size=Draws(size), gap=Draws(gap),
                       handle_time=Draws(handle),
                       patience=Draws(patience) if patience is not None else None)


def burst_trace() -> tuple[RunTallies, BurstInputs, TriageInputs, RedialInputs]:
    # One operator, one 999 line (service level 10 s), triage (a draw below 0.5: closed, +50 s)
    # and a redial rule that would redial every abandoning caller (probability 1).
    # First calls: A at 0 (handle 100), B at 200 (handle 20); triage draws 0.1, 0.1: closed.
    # Burst decisions, one per first call as the kernel reads it: A 0.0 < 0.5 (a burst), B 0.9.
    # A's burst: 2 further calls, gaps 10 and 20: duplicates at 10 and 30, with handle times 5
    # and 7 and patience NEVER and 40.
    #   t=0:   A answered at once, graded closed: 100 + 50 = 150 s, busy until 150
    #   t=10:  duplicate 1 rings, queues
    #   t=30:  duplicate 2 rings, queues
    #   t=70:  duplicate 2 hangs up (30 + 40): abandoned, and it draws no redial decision
    #   t=150: duplicate 1 answered, wait 140, not triaged: its own 5 s, busy until 155
    #   t=200: B answered at once, graded closed: 20 + 50 = 70 s, busy until 270
    # Offered 4, answered 3, abandoned 1; within 10 s: A and B.
    # Service level 2 / (3 + 1) = 0.5; without duplicates 2 / (2 + 0) = 1.
    # Busy 150 + 5 + 70 = 225.
    rule = bursts(decide=[0.0, 0.9], size=[2], gap=[10.0, 20.0], handle=[5.0, 7.0],
                  patience=[NEVER, 40.0])
    triage = TriageInputs(CLOSED_ADDS_50_S, draw=Draws([0.1, 0.1]), closed_extra_handle_s=50.0)
    redial = RedialInputs(probability=1.0, decide=Draws([]), delay=Draws([]),
                          max_calls_per_caller=5)
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 200.0], [100.0, 20.0], [NEVER, NEVER], service_level_s=10.0,
              triage=triage, bursts=rule, redial=redial, redial_patience=Draws([]))],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))
    return tallies, rule, triage, redial


def test_a_burst_brings_duplicates_with_their_own_handle_time_and_no_triage() -> None:
    tallies, rule, triage, redial = burst_trace()
    records = by_arrival(tallies, "999")
    assert [(r.arrival_s, r.outcome, r.wait_s, r.handle_s) for r in records] == [
        (0.0, "answered", 0.0, 150.0),
        (10.0, "answered", 140.0, 5.0),
        (30.0, "abandoned", 40.0, 7.0),
        (200.0, "answered", 0.0, 70.0),
    ]
    # each duplicate is a caller of its own, ringing once
    assert len({r.caller_id for r in records}) == 4
    assert {r.attempt for r in records} == {1}
    line_tally = tallies.lines["999"]
    assert line_tally.triaged == [2, 0, 0, 0, 0]  # A and B only
    assert draws_used(triage.draw) == 2
    assert draws_used(redial.decide) == 0  # the duplicate that hung up never rings again
    assert [draws_used(d) for d in (rule.decide, rule.size, rule.gap, rule.handle_time)] == [
        2, 1, 2, 2]
    assert tallies.pools["emergency"].busy_s == 225.0


def test_a_burst_is_counted_with_the_line_and_apart() -> None:
    tallies, *_ = burst_trace()
    kpis = all_kpis(tallies)
    assert kpis[("999", "offered")] == 4
    assert kpis[("999", "answered")] == 3
    assert kpis[("999", "abandoned")] == 1
    assert kpis[("999", "duplicates_offered")] == 2
    assert kpis[("999", "duplicates_answered")] == 1
    assert kpis[("999", "duplicates_abandoned")] == 1
    assert kpis[("999", "service_level")] == 0.5
    assert kpis[("999", "service_level_excluding_duplicates")] == 1.0
    duplicates = tallies.lines["999"].bursts
    assert duplicates is not None
    assert duplicates.duplicates_answered_within[0] == 0  # duplicate 1 waited 140 s
    assert duplicates.duplicates_waiting_end == 0


def test_duplicates_due_after_the_horizon_never_ring() -> None:
    # One first call at 0 (handle 10) brings 2 further calls, gaps 30 and 80: at 30 and 110.
    # The horizon ends at 100: the second is never rung (nor its handle time drawn).
    rule = bursts(decide=[0.0], size=[2], gap=[30.0, 80.0], handle=[5.0])
    tallies = simulate(ModelInputs(
        [line("999", [0.0], [10.0], service_level_s=10.0, bursts=rule)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=100.0, keep_records=True),
    ))
    assert [(r.arrival_s, r.wait_s) for r in by_arrival(tallies, "999")] == [(0.0, 0.0),
                                                                            (30.0, 0.0)]
    assert draws_used(rule.handle_time) == 1


def test_duplicates_still_queueing_at_the_end_are_counted_waiting() -> None:
    # A at 0 (handle 500) brings one further call at 10 (handle 5); the horizon ends at 100
    # with the duplicate still queueing: waiting at the end, for the line and for the bursts.
    rule = bursts(decide=[0.0], size=[1], gap=[10.0], handle=[5.0])
    tallies = simulate(ModelInputs(
        [line("999", [0.0], [500.0], service_level_s=10.0, bursts=rule)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=100.0),
    ))
    line_tally = tallies.lines["999"]
    assert line_tally.waiting_end == 1
    assert line_tally.bursts is not None
    assert line_tally.bursts.duplicates_waiting_end == 1


def test_a_first_call_without_a_burst_draws_only_the_decision() -> None:
    rule = bursts(decide=[0.5, 0.7], size=[], gap=[], handle=[])
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0], [10.0, 10.0], service_level_s=10.0, bursts=rule)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=100.0),
    ))
    assert tallies.lines["999"].total("offered") == 2
    assert draws_used(rule.decide) == 2  # 0.5 is not below the share 0.5: no burst


def test_duplicate_conservation_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    answered = Bursts.answered

    def counting_twice(self: Bursts, call: object, now: float) -> None:
        answered(self, call, now)  # type: ignore[arg-type]
        answered(self, call, now)  # type: ignore[arg-type]

    monkeypatch.setattr(Bursts, "answered", counting_twice)
    with pytest.raises(ConservationError, match="duplicates answered"):
        burst_trace()
