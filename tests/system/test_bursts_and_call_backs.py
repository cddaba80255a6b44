"""Bursts of duplicate calls and call-backs of silent and dropped calls, on whole scenarios:
off (or at their neutral values) they give exactly the numbers without them; on, every other
caller stays the same (common random numbers); the offered count and the silent share agree
with theory within their intervals; and on random small scenarios everything is conserved.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.errors import ScenarioError
from contactsim.runs.replication import run_tallies
from helpers.golden import reduce
from helpers.scenarios import SCENARIOS

BURSTS = {"share": 0.04, "extra_calls": 3.0, "spread_s": 180,
          "handle_time": {"dist": "lognormal", "mean_s": 90, "cv": 0.6}}
CALL_BACKS = {"silent_share": 0.05, "silent_handle_time": {"dist": "fixed", "value_s": 30},
              "dropped": True, "handle_time": {"dist": "lognormal", "mean_s": 120, "cv": 0.7}}


def baseline_days(days: int, *overrides: str) -> Scenario:
    """The shipped baseline over ``days`` days of July (a day of warm-up), with overrides."""
    sets = ["horizon.start=2018-07-01", f"horizon.days={days}", "horizon.warmup_hours=24",
            *overrides]
    return load_scenario(SCENARIOS / "baseline-2018.yaml", sets).scenario


def flow(value: dict[str, Any]) -> str:
    """A mapping as a YAML flow value for ``--set`` (JSON is YAML)."""
    return json.dumps(value)


# --- off gives today's numbers -----------------------------------------------------------------


@pytest.mark.parametrize("neutral", [
    [f"demand.999.bursts={flow({**BURSTS, 'share': 0})}"],
    [f"demand.999.bursts={flow({**BURSTS, 'extra_calls': 0})}"],
    [f"handling.999.call_backs={flow({**CALL_BACKS, 'silent_share': 0, 'dropped': False})}"],
    [f"demand.999.bursts={flow({**BURSTS, 'share': 0})}",
     f"handling.999.call_backs={flow({**CALL_BACKS, 'silent_share': 0, 'dropped': False})}"],
], ids=["no-burst-share", "no-extra-calls", "nothing-called-back", "both"])
def test_at_their_neutral_values_the_baseline_gives_exactly_its_numbers(
    neutral: list[str],
) -> None:
    without = run_tallies(baseline_days(4), seed=11, replication=0)
    with_neutral = run_tallies(baseline_days(4, *neutral), seed=11, replication=0)
    assert reduce(with_neutral) == reduce(without)
    # the usual KPIs, bit for bit (NaN, a ratio with nothing to divide, as text)
    rows = {(scope, kpi): repr(value) for scope, kpi, value in kpi_rows(without)}
    rows_neutral = {(scope, kpi): repr(value) for scope, kpi, value in kpi_rows(with_neutral)}
    assert {key: rows_neutral[key] for key in rows} == rows


def test_without_the_fields_no_burst_or_call_back_kpi_is_reported() -> None:
    rows = kpi_rows(run_tallies(baseline_days(2), seed=3, replication=0))
    assert not [kpi for _, kpi, _ in rows if "duplicates" in kpi or "call_back" in kpi]


def ample_centre(**line_999: Any) -> Scenario:
    """999 and 101 on pools of their own, so many operators that nobody queues: every caller's
    fate is their own draws'."""
    return scenario_from_mapping({
        "name": "ample",
        "horizon": {"start": "2018-07-02", "days": 3, "warmup_hours": 24},
        "demand": {"999": {"rate_per_hour": 40, **line_999.pop("demand", {})},
                   "101": {"rate_per_hour": 60}},
        "handling": {
            "999": {"handle_time": {"dist": "lognormal", "mean_s": 270, "cv": 0.8},
                    "patience": {"dist": "exponential", "mean_s": 800}, **line_999},
            "101": {"handle_time": {"dist": "lognormal", "mean_s": 380, "cv": 0.9},
                    "patience": {"dist": "exponential", "mean_s": 600}},
        },
        "pools": [{"name": "emergency", "skills": ["999"], "staffing": {"flat": 80}},
                  {"name": "non_emergency", "skills": ["101"], "staffing": {"flat": 80}}],
        "triage": {"999": {"closed": 0.25, "grade1": 0.35, "grade2": 0.33, "scheduled": 0.07}},
    })


def test_bursts_on_leave_every_first_caller_as_they_were() -> None:
    off = run_tallies(ample_centre(), seed=5, replication=0, keep_records=True)
    on = run_tallies(ample_centre(demand={"bursts": {**BURSTS, "share": 0.3}}), seed=5,
                     replication=0, keep_records=True)
    assert off.records is not None and on.records is not None

    def callers(records: list[Any], line: str) -> list[tuple[float, float, str]]:
        return sorted((r.arrival_s, r.handle_s, r.outcome) for r in records if r.line == line)

    first_on = callers(on.records, "999")
    for first in callers(off.records, "999"):  # every first caller is there, unchanged
        assert first in first_on
    duplicates = on.lines["999"].bursts
    assert duplicates is not None
    assert len(first_on) == len(callers(off.records, "999")) + sum(duplicates.duplicates_offered)
    assert on.lines["999"].triaged == off.lines["999"].triaged  # duplicates are not graded
    assert reduce(on)["101.wait_sum_s"] == reduce(off)["101.wait_sum_s"]
    assert callers(on.records, "101") == callers(off.records, "101")


def test_call_backs_on_leave_the_other_line_and_the_callers_as_they_were() -> None:
    off = run_tallies(ample_centre(), seed=5, replication=0, keep_records=True)
    on = run_tallies(ample_centre(call_backs=CALL_BACKS), seed=5, replication=0,
                     keep_records=True)
    assert off.records is not None and on.records is not None
    kept = {(r.arrival_s, r.handle_s) for r in on.records if r.line == "999"}
    changed = [r for r in off.records if r.line == "999" and (r.arrival_s, r.handle_s) not in kept]
    call_backs = on.lines["999"].call_backs
    assert call_backs is not None
    assert len(changed) == sum(call_backs.silent_calls)  # only the silent calls' handle times
    for series in ("offered", "answered", "abandoned"):
        assert on.lines["999"].total(series) == off.lines["999"].total(series)
    assert reduce(on)["101.wait_sum_s"] == reduce(off)["101.wait_sum_s"]


def test_without_making_call_backs_the_same_calls_are_silent() -> None:
    on = run_tallies(ample_centre(call_backs=CALL_BACKS), seed=9, replication=0)
    kept = run_tallies(ample_centre(call_backs={**CALL_BACKS, "silent": False,
                                                "dropped": False}), seed=9, replication=0)
    made, not_made = on.lines["999"].call_backs, kept.lines["999"].call_backs
    assert made is not None and not_made is not None
    assert made.silent_calls == not_made.silent_calls
    assert made.total("call_backs_made") > 0 == not_made.total("call_backs_due")


# --- theory ------------------------------------------------------------------------------------


def t_interval(values: list[float]) -> tuple[float, float]:
    """The 95% Student-t interval of the mean of ``values``."""
    sample = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, sample.size - 1) * sample.std(ddof=1) / math.sqrt(sample.size)
    return sample.mean() - half, sample.mean() + half


@pytest.mark.slow
def test_offered_calls_of_a_line_with_bursts_match_theory() -> None:
    # first calls Poisson at 100 an hour over 30 measured days; 30% bring a Poisson(2) burst:
    # 1 + 0.3 x 2 = 1.6 offered calls per first call on average (duplicates that would ring
    # after the end are as many as those of the warm-up's first calls that ring after it)
    share, extra, rate, days = 0.3, 2.0, 100.0, 30
    scenario = scenario_from_mapping({
        "name": "bursts-theory",
        "horizon": {"days": days + 1, "warmup_hours": 24},
        "demand": {"999": {"rate_per_hour": rate, "bursts": {
            "share": share, "extra_calls": extra, "spread_s": 180,
            "handle_time": {"dist": "exponential", "mean_s": 60}}}},
        "handling": {"999": {"handle_time": {"dist": "exponential", "mean_s": 60}}},
        "pools": [{"name": "all", "skills": ["999"], "staffing": {"flat": 30}}],
    })
    offered, per_first = [], []
    for replication in range(12):
        tally = run_tallies(scenario, seed=17, replication=replication).lines["999"]
        assert tally.bursts is not None
        duplicates = tally.bursts.total("duplicates_offered")
        offered.append(tally.total("offered"))
        per_first.append(tally.total("offered") / (tally.total("offered") - duplicates))
    low, high = t_interval(offered)
    assert low <= rate * 24 * days * (1 + share * extra) <= high
    low, high = t_interval(per_first)
    assert low <= 1 + share * extra <= high


@pytest.mark.slow
def test_silent_calls_are_their_share_of_answered_calls_and_all_are_called_back() -> None:
    scenario = ample_centre(call_backs={**CALL_BACKS, "silent_share": 0.2})
    shares = []
    for replication in range(10):
        tally = run_tallies(scenario, seed=23, replication=replication).lines["999"]
        call_backs = tally.call_backs
        assert call_backs is not None
        silent = call_backs.total("silent_calls")
        shares.append(silent / tally.total("answered"))
        # every dropped call and every silent call ended is due; nobody waits for a free
        # operator here, so all are made (a silent call still going on at the end is not due)
        assert call_backs.total("call_backs_due") <= silent + tally.total("abandoned")
        assert call_backs.total("call_backs_due") >= silent + tally.total("abandoned") - 3
        assert call_backs.total("call_backs_made") == call_backs.total("call_backs_due")
    low, high = t_interval(shares)
    assert low <= 0.2 <= high


# --- conservation on random small scenarios ----------------------------------------------------


@st.composite
def bursting_centres(draw: st.DrawFn) -> Scenario:
    """999 with bursts and call-backs (and maybe 101, triage, redials, a reserve), a few
    hours on 1–3 operators."""
    with_101 = draw(st.booleans())
    patience = {"dist": "exponential", "mean_s": draw(st.floats(20.0, 600.0))}
    raw: dict[str, Any] = {
        "name": "bursting",
        "horizon": {"days": draw(st.integers(2, 6)) / 24,
                    "warmup_hours": draw(st.sampled_from([0, 1])), "interval_minutes": 30},
        "demand": {"999": {"rate_per_hour": draw(st.floats(5.0, 40.0)), "bursts": {
            "share": draw(st.floats(0.0, 1.0)), "extra_calls": draw(st.floats(0.0, 5.0)),
            "spread_s": draw(st.floats(10.0, 600.0)),
            "handle_time": {"dist": "exponential", "mean_s": draw(st.floats(20.0, 200.0))}}}},
        "handling": {"999": {
            "handle_time": {"dist": "exponential", "mean_s": draw(st.floats(30.0, 400.0))},
            "patience": patience,
            "call_backs": {
                "silent_share": draw(st.floats(0.0, 1.0)),
                "silent_handle_time": {"dist": "fixed", "value_s": draw(st.floats(0.0, 60.0))},
                "dropped": draw(st.booleans()),
                "handle_time": {"dist": "exponential", "mean_s": draw(st.floats(10.0, 300.0))},
            }}},
        "pools": [{"name": "emergency", "skills": ["999"],
                   "staffing": {"flat": draw(st.integers(0, 2))}}],
    }
    if draw(st.booleans()):
        raw["triage"] = {"999": {"closed": 0.5, "grade1": 0.5}}
    if draw(st.booleans()):
        raw["redial"] = {"999": {"probability": 0.5,
                                 "delay": {"dist": "exponential", "mean_s": 60}}}
    if with_101:
        raw["demand"]["101"] = {"rate_per_hour": draw(st.floats(5.0, 40.0))}
        raw["handling"]["101"] = {"handle_time": {"dist": "exponential", "mean_s": 200},
                                  "patience": patience}
        raw["pools"].append({"name": "blended", "skills": ["999", "101"],
                             "staffing": {"flat": draw(st.integers(1, 2))}})
        if draw(st.booleans()):
            raw["routing"] = {"reserve": {"for_line": "999", "idle_operators": 1}}
    return scenario_from_mapping(raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=bursting_centres(), seed=st.integers(0, 2**16))
def test_duplicates_and_call_backs_are_conserved(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed=seed, replication=0)  # the model checks, at its end
    line = tallies.lines["999"]
    duplicates, call_backs = line.bursts, line.call_backs
    assert duplicates is not None and call_backs is not None
    assert duplicates.total("duplicates_offered") == (
        duplicates.total("duplicates_answered") + duplicates.total("duplicates_abandoned")
        + duplicates.total("duplicates_overflowed") + duplicates.duplicates_waiting_end)
    assert duplicates.total("duplicates_offered") <= line.total("offered")
    assert duplicates.total("duplicates_answered_within") <= duplicates.total(
        "duplicates_answered")
    assert call_backs.total("call_backs_due") == (
        call_backs.total("call_backs_made") + call_backs.call_backs_pending_end)
    dropped = scenario.handling["999"].call_backs
    assert dropped is not None
    abandoned = line.total("abandoned") if dropped.dropped else 0
    assert abandoned <= call_backs.total("call_backs_due") <= (
        abandoned + call_backs.total("silent_calls"))
    assert call_backs.total("call_back_wait_sum_s") >= 0.0
    for pool in tallies.pools.values():
        assert pool.busy_s <= pool.staffed_s + 1e-6


# --- the scenario's fields ---------------------------------------------------------------------


def test_bursts_are_refused_on_a_replayed_line() -> None:
    with pytest.raises(ScenarioError, match="bursts go with rate_per_hour or annual_volume"):
        load_scenario(SCENARIOS / "replay-week.yaml",
                      [f"demand.999.bursts={flow(BURSTS)}"])


def test_silent_calls_need_their_handle_time() -> None:
    rule = {k: v for k, v in CALL_BACKS.items() if k != "silent_handle_time"}
    with pytest.raises(ScenarioError, match="silent_handle_time"):
        baseline_days(2, f"handling.999.call_backs={flow(rule)}")


def test_a_scenario_whose_bursts_would_bring_too_many_calls_is_refused() -> None:
    # 999's 171,800 callers a year, 101 times over (every call a burst of 100), for 3 years
    huge = {**BURSTS, "share": 1.0, "extra_calls": 100.0}
    with pytest.raises(ScenarioError, match="calls expected in one replication"):
        baseline_days(3 * 365, f"demand.999.bursts={flow(huge)}")


def test_the_files_of_burst_and_call_back_distributions_are_checked_before_running() -> None:
    missing = {"dist": "empirical", "file": "no-such-durations.csv"}
    with pytest.raises(ScenarioError, match=r"bursts\.handle_time\.file"):
        baseline_days(2, f"demand.999.bursts={flow({**BURSTS, 'handle_time': missing})}")
    with pytest.raises(ScenarioError, match=r"call_backs\.handle_time\.file"):
        baseline_days(2, f"handling.999.call_backs={flow({**CALL_BACKS, 'handle_time': missing})}")
