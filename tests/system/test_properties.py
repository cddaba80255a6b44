"""Properties of the model on small random scenarios, checked with hypothesis: every call
accounted for, waits and patience, operators never serving more calls than are on duty, and
routing by priority and skill.

The scenarios (``helpers.random_centres``) have one or two lines, one to three pools whose
skills cover every line, flat or two-step staffing, exponential or lognormal handle times,
exponential patience or none, and horizons of a few hours. Most checks read the per-call
records, independently of the tallies the KPIs are computed from, so that the two bookkeepings
check each other. Reproducibility, KPIs from the records and more staff are in
``test_properties_runs.py``.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings

from contactsim.config.scenario import Scenario
from contactsim.engine.plan import ShiftRoster
from contactsim.engine.records import CallRecord
from contactsim.runs.replication import run_tallies
from helpers.random_centres import (
    FAST,
    TIME_EPS_S,
    counted,
    replications,
    run_logged,
    scenarios,
    seeds,
)

# --- conservation and waits ---------------------------------------------------------------


@FAST
@given(scenarios(), seeds, replications)
def test_every_offered_call_ends_answered_abandoned_or_still_waiting(
    scenario: Scenario, seed: int, replication: int
) -> None:
    run = run_logged(scenario, seed, replication)
    ids = [r.call_id for r in run.records]
    assert len(ids) == len(set(ids)), "a call recorded twice"
    for name, tally in run.tallies.lines.items():
        offered = tally.total("offered")
        answered, abandoned = tally.total("answered"), tally.total("abandoned")
        assert offered == answered + abandoned + tally.waiting_end
        # the records, counted on their own, tell the same story
        outcomes = Counter(r.outcome for r in counted(run) if r.line == name)
        assert set(outcomes) <= {"answered", "abandoned", "waiting"}
        assert outcomes["answered"] == answered
        assert outcomes["abandoned"] == abandoned
        assert outcomes["waiting"] == tally.waiting_end
        assert sum(outcomes.values()) == offered
        # every call ever offered (warm-up included) has exactly one record
        assert sum(1 for r in run.records if r.line == name) == sum(tally.offered)


@settings(max_examples=10, deadline=None)
@given(scenarios(), seeds, replications)
def test_logging_patience_leaves_the_run_as_run_tallies_makes_it(
    scenario: Scenario, seed: int, replication: int
) -> None:
    # the properties below read logged runs; they must be the runs planners get
    run = run_logged(scenario, seed, replication)
    assert run.records == run_tallies(scenario, seed, replication, keep_records=True).records


@FAST
@given(scenarios(), seeds, replications)
def test_waits_are_non_negative_and_bounded_by_patience(
    scenario: Scenario, seed: int, replication: int
) -> None:
    run = run_logged(scenario, seed, replication)
    end_s = run.tallies.end_s
    for r in run.records:
        patience_s = run.patience_of(r)
        assert r.wait_s >= 0.0
        if r.outcome == "abandoned":
            assert r.wait_s == patience_s
            assert r.arrival_s + r.wait_s <= end_s + TIME_EPS_S
        elif r.outcome == "answered":
            assert r.wait_s <= patience_s + TIME_EPS_S
            assert r.pool and r.line in run.skills[r.pool]
        else:
            # still waiting at the end: patience had not run out yet
            assert r.wait_s == end_s - r.arrival_s
            assert r.wait_s <= patience_s + TIME_EPS_S


# --- operators ----------------------------------------------------------------------------


def max_in_service(records: list[CallRecord], pool_name: str) -> int:
    """Most calls a pool had in service at once, from the records' answer and end times.

    A call ending at the moment another is answered frees its operator first, so ends are put
    a hair earlier than starts at the same time.
    """
    changes = []
    for r in records:
        if r.outcome == "answered" and r.pool == pool_name:
            start_s = r.arrival_s + r.wait_s
            changes.append((start_s, 1))
            changes.append((start_s + r.handle_s - TIME_EPS_S, -1))
    changes.sort()
    level = peak = 0
    for _, step in changes:
        level += step
        peak = max(peak, level)
    return peak


@FAST
@given(scenarios(), seeds, replications)
def test_no_pool_serves_more_calls_than_it_has_operators(
    scenario: Scenario, seed: int, replication: int
) -> None:
    run = run_logged(scenario, seed, replication)
    for name, plan in run.plans.items():
        # with a step down, operators still on a call finish it first, so only the highest
        # level of the plan bounds a two-step pool; a flat pool is bounded by its level; on
        # shifts, each duty's people, who may stay on after its end to finish a call
        bound = plan
        if name in run.rosters:
            longest_s = max((r.handle_s for r in run.records if r.pool == name), default=0.0)
            bound = ShiftRoster(tuple(replace(duty, end_s=duty.end_s + longest_s + TIME_EPS_S)
                                      for duty in run.rosters[name].duties)).on_duty()
        assert max_in_service(run.records, name) <= max(bound.operators)
        pool = run.tallies.pools[name]
        assert pool.busy_s <= pool.staffed_s + TIME_EPS_S
        window_s = run.tallies.end_s - run.tallies.warmup_s
        if len(plan.operators) == 1:
            assert math.isclose(pool.staffed_s, plan.operators[0] * window_s, rel_tol=1e-12)
        else:
            planned_s = 3600.0 * plan.operator_hours(run.tallies.end_s, run.tallies.warmup_s)
            assert pool.staffed_s >= planned_s - TIME_EPS_S


@FAST
@given(scenarios(), seeds, replications)
def test_busy_time_matches_the_records(scenario: Scenario, seed: int, replication: int) -> None:
    run = run_logged(scenario, seed, replication)
    start_s, end_s = run.tallies.warmup_s, run.tallies.end_s
    for name, pool in run.tallies.pools.items():
        busy_s = 0.0
        for r in run.records:
            if r.outcome == "answered" and r.pool == name:
                answered_s = r.arrival_s + r.wait_s
                busy_s += max(0.0, min(answered_s + r.handle_s, end_s) - max(answered_s, start_s))
        assert math.isclose(pool.busy_s, busy_s, rel_tol=1e-9, abs_tol=TIME_EPS_S)


# --- routing -------------------------------------------------------------------------------


@FAST
@given(scenarios(flat_only=True), seeds, replications)
def test_no_operator_idles_while_a_call_it_may_take_waits(
    scenario: Scenario, seed: int, replication: int
) -> None:
    # Idle operators of a flat pool = its level − calls in service, which the records give.
    # Idle counts change only when a service starts or ends; between two such moments they are
    # constant, so checking just after each of them covers every instant of a wait. While a
    # call waits, no pool serving its line may have an idle operator — except that a reserve
    # pool may hold back a 101 call as long as the reserve pools have at most k idle between
    # them (with k + 1 idle, one of them could take it and still leave k).
    run = run_logged(scenario, seed, replication)
    reserve = scenario.routing.reserve
    k = reserve.idle_operators if reserve else 0
    reserve_line = reserve.for_line if reserve else None
    reserve_pools = [
        name
        for name, skills in run.skills.items()
        if k and reserve_line in skills and len(skills) > 1
    ]
    services: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in run.skills}
    for r in run.records:
        if r.outcome == "answered":
            starts, ends = services[r.pool]
            starts.append(r.arrival_s + r.wait_s)
            ends.append(r.arrival_s + r.wait_s + r.handle_s)
    changes = np.unique([0.0, *(t for pair in services.values() for ts in pair for t in ts)])
    after = changes + TIME_EPS_S
    idle = {}
    for name, (starts, ends) in services.items():
        in_service = np.searchsorted(np.sort(starts), after, side="right") - np.searchsorted(
            np.sort(ends), after, side="right"
        )
        idle[name] = run.plans[name].operators[0] - in_service
        assert (idle[name] >= 0).all()
    reserve_idle = sum((idle[name] for name in reserve_pools), np.zeros_like(changes))
    for r in run.records:
        end_of_wait = r.arrival_s + r.wait_s
        if r.wait_s <= 2 * TIME_EPS_S:
            continue
        first = np.searchsorted(changes, r.arrival_s, side="right") - 1
        last = np.searchsorted(changes, end_of_wait - TIME_EPS_S, side="left")
        for name, skills in run.skills.items():
            if r.line not in skills:
                continue
            if name in reserve_pools and r.line != reserve_line:
                assert (reserve_idle[first:last] <= k).all(), (r, name)
            else:
                assert (idle[name][first:last] == 0).all(), (r, name)


@FAST
@given(scenarios(), seeds, replications)
def test_fcfs_within_each_line(scenario: Scenario, seed: int, replication: int) -> None:
    run = run_logged(scenario, seed, replication)
    for name in run.tallies.lines:
        answered = sorted(
            (r for r in run.records if r.line == name and r.outcome == "answered"),
            key=lambda r: r.arrival_s,
        )
        answer_times = [r.arrival_s + r.wait_s for r in answered]
        assert all(a <= b + TIME_EPS_S for a, b in itertools.pairwise(answer_times))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), seeds, replications)
def test_no_101_call_answered_while_a_999_call_waits_for_the_same_pool(
    scenario: Scenario, seed: int, replication: int
) -> None:
    # A 999 call "waits" on the open interval (arrival, end of its wait): end of wait is the
    # answer, the abandonment or the end of the horizon, i.e. arrival + wait in every record.
    # Strict inequalities with a float margin leave out simultaneous events: a 999 call ringing
    # at the very moment an operator takes a 101 call is processed after it, and that is fair.
    run = run_logged(scenario, seed, replication)
    waits_999 = [(r.arrival_s, r.arrival_s + r.wait_s) for r in run.records if r.line == "999"]
    if not waits_999:
        return
    arrivals_999 = np.array([a for a, _ in waits_999])
    ends_999 = np.array([e for _, e in waits_999])
    for r in run.records:
        if r.line != "101" or r.outcome != "answered" or "999" not in run.skills[r.pool]:
            continue
        answered_s = r.arrival_s + r.wait_s
        overtaken = (arrivals_999 < answered_s - TIME_EPS_S) & (ends_999 > answered_s + TIME_EPS_S)
        assert not overtaken.any(), (
            f"pool {r.pool} answered 101 call {r.call_id} at {answered_s} while a 999 call "
            f"waited (arrived {arrivals_999[overtaken][0]})"
        )
