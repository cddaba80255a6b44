"""Properties of callbacks and redials on small random scenarios (hypothesis): every call and
callback accounted for, redials counted once each and capped, waits never negative, callbacks
offered, made and completed as their rule and serving policy say.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine.builder import build_centre
from contactsim.engine.callback import (
    BELOW_LIVE,
)
from contactsim.engine.calls import PoolState
from contactsim.engine.inputs import ModelInputs
from contactsim.engine.operator import Operator
from contactsim.engine.records import CallRecord, RunTallies
from contactsim.runs.replication import run_tallies

TIME_EPS_S = 1e-6  # float slack for times rebuilt from records (arrival + wait)

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

    def watched_attempt(request: Any, operator: Operator) -> None:
        nonlocal attempts
        attempts += 1
        assert desk.open and desk.is_open_at(centre.kernel.now)
        assert may_call_back(operator.pool, sum(len(p.idle) for p in callback_pools)), (
            centre.kernel.now)
        make_attempt(request, operator)

    step = centre.kernel.step

    def watched_step() -> None:
        step()
        if centre.kernel.peek() == centre.kernel.now:
            # more events at this instant (the desk's opening among them, perhaps, after the
            # run's daily stop event): the state is checked once the instant is over
            return
        for queue in centre.queues.values():
            if queue.waiting:
                assert all(not p.idle for p in queue.pools), (centre.kernel.now, queue.name)
        if desk.open and desk.ready:
            idle = sum(len(p.idle) for p in callback_pools)
            for pool in callback_pools:
                assert not (pool.idle and may_call_back(pool, idle - 1)), (
                    f"t={centre.kernel.now}: an idle operator of {pool.name} leaves "
                    f"{len(desk.ready)} ready callbacks waiting"
                )

    centre.operators.attempt_callback = watched_attempt  # type: ignore[method-assign]
    centre.kernel.step = watched_step  # type: ignore[method-assign]
    tallies = centre.run()
    assert attempts == sum(tallies.lines[scenario.callback.line].callback_attempts)
