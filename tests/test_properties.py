"""Properties of the model on small random scenarios, checked with hypothesis.

Scenarios have one or two lines, one to three pools whose skills cover every line, flat or
two-step staffing, exponential or lognormal handle times, exponential patience or none, and
horizons of a few hours. Most checks read the per-call records, independently of the tallies the
KPIs are computed from, so that the two bookkeepings check each other.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.staffing import StaffingPlan
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine import ModelInputs, simulate
from contactsim.engine.records import CallRecord, RunTallies
from contactsim.runs.replication import run_tallies

#: Float slack for times rebuilt from records (arrival + wait): sums in another order than the
#: simulation clock's may differ in the last bits, never by anything close to a microsecond.
TIME_EPS_S = 1e-6

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(min_value=0, max_value=2**32 - 1)
replications = st.integers(min_value=0, max_value=20)


# --- random scenarios -------------------------------------------------------------------------


def duration(draw: st.DrawFn, low_s: float, high_s: float) -> dict[str, Any]:
    mean_s = draw(st.floats(low_s, high_s))
    if draw(st.booleans()):
        return {"dist": "exponential", "mean_s": mean_s}
    return {"dist": "lognormal", "mean_s": mean_s, "cv": draw(st.floats(0.2, 1.5))}


def staffing(draw: st.DrawFn, flat_only: bool, hours: int) -> dict[str, Any]:
    if flat_only or draw(st.booleans()):
        return {"flat": draw(st.integers(1, 4))}
    # Two steps on the horizon's first day (a Monday), so no shift of the day before spills in:
    # `before` operators until `change_h`, then `after`.
    change_h = draw(st.integers(1, hours - 1))
    before, after = draw(st.integers(0, 4)), draw(st.integers(1, 4))
    return {
        "shifts": [
            {"start": "00:00", "length_h": change_h, "days": ["mon"], "count": before},
            {
                "start": f"{change_h:02d}:00",
                "length_h": 24 - change_h,
                "days": ["mon"],
                "count": after,
            },
        ]
    }


@st.composite
def scenarios(draw: st.DrawFn, flat_only: bool = False) -> Scenario:
    """A small scenario: 1–2 lines, 1–3 pools covering every line, a few hours."""
    lines = draw(st.sampled_from([("999",), ("101",), ("999", "101")]))
    hours = draw(st.integers(2, 5))
    interval_minutes = draw(st.sampled_from([15, 30, 60]))
    warmup_hours = draw(st.sampled_from([0, 1]))
    demand: dict[str, Any] = {}
    handling: dict[str, Any] = {}
    for name in lines:
        demand[name] = {"rate_per_hour": draw(st.floats(2.0, 40.0))}
        if name == "101" and draw(st.booleans()):
            demand[name]["online_shift"] = draw(st.floats(0.0, 0.3))
        handling[name] = {"handle_time": duration(draw, 30.0, 600.0)}
        if draw(st.booleans()):
            handling[name]["patience"] = {
                "dist": "exponential",
                "mean_s": draw(st.floats(20.0, 900.0)),
            }
    skill_sets = st.lists(st.sampled_from(lines), min_size=1, unique=True).map(tuple)
    skills = draw(st.lists(skill_sets, min_size=1, max_size=3))
    uncovered = [name for name in lines if not any(name in s for s in skills)]
    skills[0] = (*skills[0], *uncovered)
    pools = [
        {"name": f"pool{i}", "skills": list(s), "staffing": staffing(draw, flat_only, hours)}
        for i, s in enumerate(skills)
    ]
    raw: dict[str, Any] = {
        "name": "property",
        "horizon": {
            "days": hours / 24,
            "warmup_hours": warmup_hours,
            "interval_minutes": interval_minutes,
        },
        "demand": demand,
        "handling": handling,
        "pools": pools,
    }
    if len(lines) == 2 and draw(st.booleans()):
        raw["routing"] = {"reserve": {"for_line": "999", "idle_operators": draw(st.integers(1, 2))}}
    return scenario_from_mapping(raw)


# --- running with the callers' patience kept -------------------------------------------------


@dataclass
class Run:
    tallies: RunTallies
    records: list[CallRecord]
    #: line -> {handle_s: patience_s} of every caller who rang (lines with patience only)
    patience: dict[str, dict[float, float]]
    plans: dict[str, StaffingPlan]
    skills: dict[str, tuple[str, ...]]

    def patience_of(self, record: CallRecord) -> float:
        """The patience drawn for the caller of ``record`` (inf on a line without one)."""
        if record.line not in self.patience:
            return math.inf
        return self.patience[record.line][record.handle_s]


def run_logged(scenario: Scenario, seed: int, replication: int) -> Run:
    """One replication as :func:`run_tallies` runs it, noting each caller's patience.

    The model draws a caller's handle time and then their patience when the caller rings, so
    each patience is paired here with the handle time drawn just before it. Records keep the
    handle time exactly as drawn, and continuous draws do not repeat, so it identifies the
    caller; arrival times would not, as the model's clock may differ from them in the last bit.
    """
    inputs = model_inputs(scenario, Streams(seed, replication), keep_records=True)
    lines, pools, model_settings = inputs.lines, inputs.pools, inputs.settings
    patience: dict[str, dict[float, float]] = {}
    logged = []
    for line in lines:
        if line.patience is None:
            logged.append(line)
            continue
        by_handle = patience[line.name] = {}
        last_handle: list[float] = []

        def handle_time(draw=line.handle_time, last=last_handle) -> float:
            last[:] = [draw()]
            return last[0]

        def patience_time(draw=line.patience, last=last_handle, out=by_handle) -> float:
            out[last[0]] = draw()
            return out[last[0]]

        logged.append(replace(line, handle_time=handle_time, patience=patience_time))
    tallies = simulate(ModelInputs(logged, pools, model_settings))
    assert tallies.records is not None
    return Run(
        tallies=tallies,
        records=tallies.records,
        patience=patience,
        plans={pool.name: pool.staffing for pool in pools},
        skills={pool.name: pool.skills for pool in pools},
    )


def counted(run: Run) -> list[CallRecord]:
    """Records of calls that arrived in the measured window."""
    return [r for r in run.records if r.arrival_s >= run.tallies.warmup_s]


def kpi_dict(tallies: RunTallies) -> dict[tuple[str, str], float]:
    return {(scope, name): value for scope, name, value in kpi_rows(tallies)}


def same_number(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


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
        # level of the plan bounds a two-step pool; a flat pool is bounded by its level
        assert max_in_service(run.records, name) <= max(plan.operators)
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


# --- reproducibility -----------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(scenarios(), seeds, replications)
def test_same_seed_same_numbers_other_replication_other_callers(
    scenario: Scenario, seed: int, replication: int
) -> None:
    first = run_tallies(scenario, seed, replication, keep_records=True)
    again = run_tallies(scenario, seed, replication, keep_records=True)
    rows, rows_again = kpi_rows(first), kpi_rows(again)
    assert [(s, k) for s, k, _ in rows] == [(s, k) for s, k, _ in rows_again]
    assert all(same_number(a, b) for (_, _, a), (_, _, b) in zip(rows, rows_again, strict=True))
    assert first.records == again.records
    # A tiny or saturated scenario can give two replications equal KPIs (no call in the
    # measured window; operators busy all along), so the callers themselves are compared:
    # continuous arrival and handle times never repeat unless the streams do.
    other = run_tallies(scenario, seed, replication + 1, keep_records=True)
    callers = {(r.arrival_s, r.handle_s) for r in first.records or []}
    callers_other = {(r.arrival_s, r.handle_s) for r in other.records or []}
    if callers or callers_other:
        assert callers.isdisjoint(callers_other)


def test_replications_of_a_busy_scenario_give_different_kpis() -> None:
    scenario = single_line(40.0, {"dist": "exponential", "mean_s": 240.0}, 3, 300.0)
    asa = [kpi_dict(run_tallies(scenario, 7, rep))[("101", "asa_s")] for rep in range(5)]
    assert len(set(asa)) == 5, asa
    again = kpi_rows(run_tallies(scenario, 7, 3))
    assert kpi_rows(run_tallies(scenario, 7, 3)) == again  # no NaN here: plain equality


# --- KPIs from the records -----------------------------------------------------------------


@FAST
@given(scenarios(), seeds, replications)
def test_kpis_from_records_equal_kpis_from_tallies(
    scenario: Scenario, seed: int, replication: int
) -> None:
    run = run_logged(scenario, seed, replication)
    values = kpi_dict(run.tallies)
    frame = pd.DataFrame(counted(run), columns=list(CallRecord._fields))
    for name, tally in run.tallies.lines.items():
        calls = frame[frame["line"] == name]
        answered = calls[calls["outcome"] == "answered"]
        n_answered = len(answered)
        n_abandoned = int((calls["outcome"] == "abandoned").sum())
        ended = n_answered + n_abandoned
        within = int((answered["wait_s"] <= tally.service_level_s).sum())
        expected = {
            "offered": len(calls),
            "answered": n_answered,
            "abandoned": n_abandoned,
            "waiting_end": int((calls["outcome"] == "waiting").sum()),
            "asa_s": answered["wait_s"].mean() if n_answered else math.nan,
            "abandon_rate": n_abandoned / ended if ended else math.nan,
            "service_level": within / ended if ended else math.nan,
        }
        for kpi, value in expected.items():
            got = values[(name, kpi)]
            assert (math.isnan(value) and math.isnan(got)) or math.isclose(
                got, value, rel_tol=1e-9, abs_tol=1e-9
            ), f"{name} {kpi}: tallies {got}, records {value}"


# --- more staff --------------------------------------------------------------------------


def single_line(
    rate_per_hour: float,
    handle: dict[str, Any],
    operators: int,
    patience_s: float | None,
    hours: int = 4,
) -> Scenario:
    handling: dict[str, Any] = {"handle_time": handle}
    if patience_s is not None:
        handling["patience"] = {"dist": "exponential", "mean_s": patience_s}
    return scenario_from_mapping(
        {
            "name": "more-staff",
            "horizon": {"days": hours / 24},
            "demand": {"101": {"rate_per_hour": rate_per_hour}},
            "handling": {"101": handling},
            "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": operators}}],
        }
    )


@st.composite
def moderate_loads(draw: st.DrawFn, min_operators: int = 1) -> tuple[float, dict[str, Any], int]:
    """n operators, 30–120 callers an hour, and a handle time making a 50–90% load on n."""
    operators = draw(st.integers(min_operators, 5))
    rate = draw(st.floats(30.0, 120.0))
    mean_s = draw(st.floats(0.5, 0.9)) * operators * 3600.0 / rate
    handle: dict[str, Any] = {"dist": "exponential", "mean_s": mean_s}
    if draw(st.booleans()):
        handle = {"dist": "lognormal", "mean_s": mean_s, "cv": draw(st.floats(0.2, 1.5))}
    return rate, handle, operators


@settings(max_examples=60, deadline=None)
@given(moderate_loads(), seeds)
def test_one_more_operator_never_makes_a_caller_wait_longer_without_abandonment(
    load: tuple[float, dict[str, Any], int], seed: int
) -> None:
    # With common random numbers the callers (arrival, handle time) are the same with n and
    # n + 1 operators. For one FCFS pool and no abandonment, the sorted Kiefer–Wolfowitz
    # workload vector with n + 1 operators stays, component by component, at or below the one
    # with n (padded with a zero): every caller's wait is no longer — exactly, caller by caller,
    # not just in expectation, so no tolerance is needed. ASA can still rise, but only through
    # the end of the horizon: a caller still waiting at the end with n may be answered with
    # n + 1 after a long wait and join the average. Splitting ASA(n + 1) into the callers
    # answered with n (each waiting no longer) and those extra callers gives the exact bound
    #   ASA(n + 1) <= ASA(n) + (sum of the extra callers' waits) / answered(n + 1).
    rate, handle, operators = load
    fewer = run_tallies(single_line(rate, handle, operators, None), seed, 0, keep_records=True)
    more = run_tallies(single_line(rate, handle, operators + 1, None), seed, 0, keep_records=True)
    assert fewer.records is not None and more.records is not None
    # one line, no online shift: call ids number the callers in arrival order in both runs
    with_more = {r.call_id: r for r in more.records}
    assert len(with_more) == len(fewer.records)
    extra_waits = []
    for r in fewer.records:
        other = with_more[r.call_id]
        assert (other.arrival_s, other.handle_s) == (r.arrival_s, r.handle_s)  # the same caller
        if r.outcome == "answered":
            assert other.outcome == "answered"
            assert other.wait_s <= r.wait_s + TIME_EPS_S
        elif other.outcome == "answered":
            extra_waits.append(other.wait_s)
    asa_fewer = kpi_dict(fewer)[("101", "asa_s")]
    asa_more = kpi_dict(more)[("101", "asa_s")]
    answered_more = kpi_dict(more)[("101", "answered")]
    if not math.isnan(asa_fewer):
        assert asa_more <= asa_fewer + sum(extra_waits) / answered_more + TIME_EPS_S


@settings(max_examples=40, deadline=None)
@given(moderate_loads(min_operators=2), st.floats(0.5, 3.0), seeds)
def test_one_more_operator_does_not_raise_mean_asa_with_abandonment(
    load: tuple[float, dict[str, Any], int], patience_per_handle: float, seed: int
) -> None:
    # With abandonment the exact argument above fails, and ASA can rise by chance:
    # - a caller who abandons with n operators may be answered with n + 1 and join the
    #   average with a wait close to their patience (ASA averages answered callers only);
    # - serving that caller can delay a later one (this happens in about 8% of replications);
    # - a caller still waiting at the end with n may be answered, late, with n + 1.
    # Each involves a handful of callers, so their weight in the mean falls with the number of
    # callers; with few callers they dominate: 4 h replications with one operator and
    # 600 s calls (~20 callers) showed rises of up to 20 s, and patience of 1/20 of the handle
    # time rises of up to 8% of the patience. Hence "moderate" here: 2–5 operators, 50–90%
    # load, 30–120 callers an hour over 8 h (240 or more callers a replication), patience
    # 0.5–3 times the handle time, ASA averaged over 3 replications. Over 3,000 such random
    # scenarios (corners included) the mean ASA never rose: it fell by 0.36 s or more. With
    # fewer callers (6 an hour and up, 3,800 scenarios) it rose once, by 0.36 s (11.5 s to
    # 11.8 s). A tolerance of 1 s + 5% of ASA(n) is well clear of both, and still fails if
    # the extra operator made callers wait longer in any real sense.
    rate, handle, operators = load
    patience_s = patience_per_handle * handle["mean_s"]
    asa = {}
    for n in (operators, operators + 1):
        scenario = single_line(rate, handle, n, patience_s, hours=8)
        values = [kpi_dict(run_tallies(scenario, seed, rep))[("101", "asa_s")] for rep in range(3)]
        asa[n] = float(np.mean(values))
    assert asa[operators + 1] <= asa[operators] + 1.0 + 0.05 * asa[operators]
