"""Triage and the Resolution Centre (RC) on whole runs: triage and outcome shares, the backlog
and the contact attempts against their expected values, and conservation of calls and
incidents on random scenarios (hypothesis).

The statistical checks use fixed seeds, so they are deterministic; their tolerances are stated
where they are set, and are wide enough for any seed but the rarest.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.runs.replication import run_tallies
from helpers.traces import rc_kpis

#: two-sided 99.9% normal quantile, for binomial intervals and means of many incidents
Z_999 = 3.2905


# --- statistics ---------------------------------------------------------------------------------


def rc_scenario(
    days: float, rate_101: float, rc: dict[str, Any], triage_101: dict[str, float],
    rate_999: float | None = None, triage_999: dict[str, float] | None = None,
) -> Scenario:
    """Lines answered at once (ample operators, nobody abandons), graded, and an RC."""
    demand: dict[str, Any] = {"101": {"rate_per_hour": rate_101}}
    handling: dict[str, Any] = {"101": {"handle_time": {"dist": "fixed", "value_s": 60}}}
    triage: dict[str, Any] = {"101": triage_101}
    if rate_999 is not None:
        demand["999"] = {"rate_per_hour": rate_999}
        handling["999"] = {"handle_time": {"dist": "fixed", "value_s": 60}}
        triage["999"] = triage_999
    return scenario_from_mapping({
        "name": "rc-statistics",
        "horizon": {"days": days},
        "demand": demand,
        "handling": handling,
        "pools": [{"name": "operators", "skills": list(demand), "staffing": {"flat": 50}}],
        "triage": triage,
        "resolution_centre": rc,
    })


def binomial_ok(successes: int, trials: int, p: float) -> bool:
    """Whether ``successes`` of ``trials`` lie in the 99.9% normal interval of Binomial(n, p)."""
    half_width = Z_999 * math.sqrt(trials * p * (1 - p)) + 0.5  # continuity correction
    return abs(successes - trials * p) <= half_width


def test_shares_of_grades_and_rc_outcomes_match_the_probabilities() -> None:
    # 10 days: about 24,000 graded 101 calls, 14,400 999 calls, 4,800 RC incidents.
    triage_101 = {"closed": 0.45, "grade2": 0.10, "scheduled": 0.25, "resolution_centre": 0.20}
    triage_999 = {"closed": 0.25, "grade1": 0.30, "grade2": 0.35, "scheduled": 0.10}
    rc = {
        "staffing": {"flat": 60}, "hours": "00:00-24:00",
        "work_time": {"dist": "exponential", "mean_s": 3600},
        "contact_attempts": 2, "contact_probability": 0.8,
        "attempt_gap_s": 600, "unanswered_attempt_s": 60,
        "outcomes": {"resolved": 0.7, "front_line": 0.2, "partner": 0.1},
    }
    scenario = rc_scenario(10, 100, rc, triage_101, rate_999=60, triage_999=triage_999)
    tallies = run_tallies(scenario, seed=11, replication=0)
    outcomes = ("closed", "grade1", "grade2", "scheduled", "resolution_centre")
    for name, shares in (("101", triage_101), ("999", triage_999)):
        triaged = tallies.lines[name].triaged
        graded = sum(triaged)
        assert graded == tallies.lines[name].total("answered")
        for index, outcome in enumerate(outcomes):
            p = shares.get(outcome, 0.0)
            assert binomial_ok(triaged[index], graded, p), (name, outcome, triaged, graded)

    rc_tally = tallies.rc
    assert rc_tally is not None
    ended = sum(rc_tally.outcomes)
    assert ended > 4000
    # a victim is never reached with probability 0.2 ** 2 = 0.04 (front line); the others
    # (0.96) end by the outcome shares.
    never = 0.2**2
    expected = (0.96 * 0.7, 0.96 * 0.2 + never, 0.96 * 0.1)
    for count, p in zip(rc_tally.outcomes, expected, strict=True):
        assert binomial_ok(count, ended, p), (rc_tally.outcomes, expected)

    values = rc_kpis(tallies)
    referred = sum(t.triaged[4] for t in tallies.lines.values())
    not_closed = sum(sum(t.triaged[1:]) for t in tallies.lines.values())
    assert values["rc_share_of_incidents"] == pytest.approx(referred / not_closed)
    # expected share of incidents: 101's RC calls / every call graded other than closed
    expected_share = 100 * 0.20 / (100 * 0.55 + 60 * 0.75)
    assert values["rc_share_of_incidents"] == pytest.approx(expected_share, abs=0.01)


BACKLOG_DAYS = 60
DEMAND_PER_DAY = 72.0  # 101 at 3 calls an hour, every one to the RC


@pytest.mark.parametrize(
    ("hours", "work_s", "capacity_per_day"),
    [
        ("00:00-24:00", 3600, 48.0),  # 2 investigators x 24 h / 1 h each
        ("08:00-22:00", 1800, 56.0),  # 2 investigators x 14 h / 0.5 h each
    ],
)
def test_backlog_grows_by_demand_minus_capacity(
    hours: str, work_s: float, capacity_per_day: float
) -> None:
    rc = {
        "staffing": {"flat": 2}, "hours": hours,
        "work_time": {"dist": "fixed", "value_s": work_s},
        "outcomes": {"resolved": 1.0, "front_line": 0.0, "partner": 0.0},
    }
    scenario = rc_scenario(BACKLOG_DAYS, 3, rc, {"resolution_centre": 1.0})
    tallies = run_tallies(scenario, seed=5, replication=0)
    rc_tally = tallies.rc
    assert rc_tally is not None
    growth_per_day = DEMAND_PER_DAY - capacity_per_day
    # Once the queue never runs dry the investigators complete exactly capacity x time
    # (fixed work times; a task ending at 22:00 ends as the RC closes), so the backlog at the
    # end is the incidents referred less capacity x time, give or take the tasks in progress at
    # the end and the capacity left idle in the first day or so, while the queue may run dry:
    # a handful of incidents, 12 at most.
    completed_at_capacity = capacity_per_day * BACKLOG_DAYS
    assert 0 <= rc_tally.open_end - (rc_tally.incidents - completed_at_capacity) <= 12
    # Against the expected demand the randomness is the Poisson number of incidents, sd
    # sqrt(72 x 60) = 66: 4 sd (a 1 in 15,000 miss) plus the same 12.
    expected_end = growth_per_day * BACKLOG_DAYS  # 1440 or 960
    arrivals_sd = math.sqrt(DEMAND_PER_DAY * BACKLOG_DAYS)
    assert abs(rc_tally.open_end - expected_end) <= 4 * arrivals_sd + 12
    # The time-average backlog is half the end backlog (linear growth); the integral of the
    # arrivals' Poisson noise over the horizon has sd sqrt(rate x horizon / 3) = 38 incidents.
    values = rc_kpis(tallies)
    assert values["rc_backlog_end"] == rc_tally.open_end
    assert abs(values["rc_backlog_mean"] - expected_end / 2) <= (
        4 * math.sqrt(DEMAND_PER_DAY * BACKLOG_DAYS / 3) + 12
    )
    # one count per midnight, rising (the last one with the same tolerance as the end's)
    assert len(rc_tally.daily_backlog) == BACKLOG_DAYS
    last_day = BACKLOG_DAYS - 1
    assert abs(rc_tally.daily_backlog[-1] - growth_per_day * last_day) <= (
        4 * math.sqrt(DEMAND_PER_DAY * last_day) + 12
    )


def attempt_moments(
    p: float, attempts: int, unanswered_s: float, gap_s: float, work_mean_s: float,
    work_second_moment_s2: float,
) -> tuple[float, float]:
    """Mean and variance (s, s^2) of the time to resolve of an incident that never waits.

    The victim is first reached on attempt j (j = 1..k) with probability q^(j-1) p, q = 1 - p,
    after j - 1 unanswered attempts and gaps: T = (j-1)(u + g) + W. Never reached (probability
    q^k): T = k u + (k-1) g, the end of the last attempt, and no work. So

        E[T]   = sum_j q^(j-1) p ((j-1)(u+g) + E[W])  +  q^k (k u + (k-1) g)
        E[T^2] = sum_j q^(j-1) p ((j-1)^2 (u+g)^2 + 2 (j-1)(u+g) E[W] + E[W^2])
                 + q^k (k u + (k-1) g)^2
    """
    q = 1.0 - p
    mean = second = 0.0
    for j in range(1, attempts + 1):
        weight = q ** (j - 1) * p
        before = (j - 1) * (unanswered_s + gap_s)
        mean += weight * (before + work_mean_s)
        second += weight * (before**2 + 2 * before * work_mean_s + work_second_moment_s2)
    never = attempts * unanswered_s + (attempts - 1) * gap_s
    mean += q**attempts * never
    second += q**attempts * never**2
    return mean, second - mean**2


@pytest.mark.parametrize("contact_probability", [1.0, 0.5])
def test_with_ample_capacity_time_to_resolve_is_work_time_plus_attempt_gaps(
    contact_probability: float,
) -> None:
    # 60 investigators round the clock for about 10 incidents an hour that each keep one busy
    # for some 1.5 h: 15 busy on average, and 60 busy (a wait) practically never.
    days, rate, work_mean_s = 30, 10.0, 5400.0
    rc = {
        "staffing": {"flat": 60}, "hours": "00:00-24:00",
        "work_time": {"dist": "exponential", "mean_s": work_mean_s},
        "contact_attempts": 3, "contact_probability": contact_probability,
        "attempt_gap_s": 3600, "unanswered_attempt_s": 300,
        "outcomes": {"resolved": 0.9, "front_line": 0.05, "partner": 0.05},
    }
    scenario = rc_scenario(days, rate, rc, {"resolution_centre": 1.0})
    tallies = run_tallies(scenario, seed=3, replication=0, keep_records=True)
    # exponential work: E[W^2] = 2 mean^2. With p = 1, E[T] = E[W] = 1.5 h. With p = 0.5,
    # k = 3, u = 300, g = 3600: 0.5 x 5400 + 0.25 x (3900 + 5400) + 0.125 x (7800 + 5400)
    # + 0.125 x (900 + 7200) = 2700 + 2325 + 1650 + 1012.5 = 7687.5 s = 2.135 h.
    mean_s, variance_s2 = attempt_moments(
        contact_probability, 3, 300.0, 3600.0, work_mean_s, 2 * work_mean_s**2
    )
    if contact_probability == 0.5:
        assert mean_s == pytest.approx(7687.5)
    else:
        assert mean_s == pytest.approx(work_mean_s)
    mean_h, variance_h2 = mean_s / 3600, variance_s2 / 3600**2
    hours = tallies.rc.resolve_hours if tallies.rc is not None else []
    n = len(hours)
    assert n > 0.95 * rate * days * 24
    # Tolerance: 99.9% normal interval of a mean of n incidents, plus the bias of leaving out
    # the incidents still open at the end: those referred s hours before the end are left out
    # when T > s, which drops rate x E[T] incidents summing rate x E[T^2] hours, and lowers
    # the mean by about Var(T) / horizon (0.003 h when p = 1).
    horizon_h = days * 24
    tolerance_h = Z_999 * math.sqrt(variance_h2 / n) + variance_h2 / horizon_h
    measured_h = rc_kpis(tallies)["rc_time_to_resolve_h"]
    assert measured_h == pytest.approx(float(np.mean(hours)))
    assert abs(measured_h - mean_h) <= tolerance_h, (measured_h, mean_h, tolerance_h)


# --- conservation on random scenarios -----------------------------------------------------------

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRIAGE_SHARES = [
    {"resolution_centre": 1.0},
    {"closed": 0.5, "resolution_centre": 0.5},
    {"closed": 0.2, "grade1": 0.2, "grade2": 0.2, "scheduled": 0.2, "resolution_centre": 0.2},
    {"grade2": 0.3, "resolution_centre": 0.7, "closed_extra_handle_s": 120},
]
RC_OUTCOME_SHARES = [
    {"resolved": 1.0, "front_line": 0.0, "partner": 0.0},
    {"resolved": 0.977, "front_line": 0.020, "partner": 0.003},
    {"resolved": 0.2, "front_line": 0.5, "partner": 0.3},
]


@st.composite
def rc_scenarios(draw: st.DrawFn) -> Scenario:
    """A small scenario of 1-3 days: 101 alone or with 999, graded, callers who may abandon,
    and an RC with random hours, staffing (flat or shifts), attempts and work times."""
    lines = draw(st.sampled_from([("101",), ("999", "101")]))
    days = draw(st.sampled_from([0.5, 1, 2, 3]))
    demand = {name: {"rate_per_hour": draw(st.floats(2.0, 20.0))} for name in lines}
    handling = {
        name: {
            "handle_time": {"dist": "exponential", "mean_s": draw(st.floats(60.0, 600.0))},
            "patience": {"dist": "exponential", "mean_s": draw(st.floats(30.0, 900.0))},
        }
        for name in lines
    }
    triage = {name: draw(st.sampled_from(TRIAGE_SHARES)) for name in lines}
    if draw(st.booleans()):
        rc_staffing: dict[str, Any] = {"flat": draw(st.sampled_from([1, 2, 3, 0]))}
    else:
        rc_staffing = {"shifts": [
            {"start": draw(st.sampled_from(["07:00", "00:00", "18:30"])),
             "length_h": draw(st.sampled_from([10, 24, 3])), "count": draw(st.integers(1, 3))},
        ]}
    rc = {
        "staffing": rc_staffing,
        "hours": draw(st.sampled_from(
            ["08:00-22:00", "00:00-24:00", "00:00-01:00", "06:30-09:00", "20:00-24:00"]
        )),
        "shrinkage": draw(st.sampled_from([0.0, 0.3])),
        "work_time": {"dist": "exponential",
                      "mean_s": draw(st.sampled_from([3600.0, 600.0, 14400.0]))},
        "contact_attempts": draw(st.integers(1, 3)),
        "contact_probability": draw(st.sampled_from([0.5, 1.0, 0.0])),
        "attempt_gap_s": draw(st.sampled_from([1800.0, 0.0, 7200.0])),
        "unanswered_attempt_s": draw(st.sampled_from([300.0, 0.0, 900.0])),
        "outcomes": draw(st.sampled_from(RC_OUTCOME_SHARES)),
    }
    return scenario_from_mapping({
        "name": "rc-property",
        "horizon": {"days": days, "warmup_hours": draw(st.sampled_from([0, 1, 6]))},
        "demand": demand,
        "handling": handling,
        "pools": [{"name": "operators", "skills": list(lines),
                   "staffing": {"flat": draw(st.integers(1, 3))}}],
        "triage": triage,
        "resolution_centre": rc,
    })


@PROPERTY
@given(rc_scenarios(), st.integers(min_value=0, max_value=2**32 - 1))
def test_property_rc_incidents_are_conserved(scenario: Scenario, seed: int) -> None:
    tallies = run_tallies(scenario, seed, 0, keep_records=True)
    rc_tally = tallies.rc
    assert rc_tally is not None and rc_tally.resolve_hours is not None
    resolved, front_line, partner = rc_tally.outcomes
    assert rc_tally.incidents == (
        resolved + front_line + partner + rc_tally.in_progress_end + rc_tally.waiting_end
    )
    assert min(rc_tally.in_progress_end, rc_tally.waiting_end) >= 0
    # open at the end also counts incidents referred in the warm-up
    assert rc_tally.open_end >= rc_tally.in_progress_end + rc_tally.waiting_end
    if scenario.horizon.warmup_hours == 0:
        assert rc_tally.open_end == rc_tally.in_progress_end + rc_tally.waiting_end
        # every incident was graded resolution_centre; some graded ones end after the horizon
        assert rc_tally.incidents <= sum(t.triaged[4] for t in tallies.lines.values())
    assert len(rc_tally.resolve_hours) == resolved + front_line + partner
    assert all(hours >= 0 for hours in rc_tally.resolve_hours)
    # the streaming histogram holds exactly the times kept in full
    binned = sum(rc_tally.resolve_histogram) + len(rc_tally.resolve_long_h)
    assert binned == len(rc_tally.resolve_hours)
    assert rc_tally.resolve_sum_h == pytest.approx(sum(rc_tally.resolve_hours))
    if scenario.resolution_centre is not None and (
        scenario.resolution_centre.contact_probability == 0
    ):
        assert resolved == partner == 0  # nobody reached: all to the front line
    assert len(rc_tally.daily_backlog) == math.ceil(scenario.horizon.days)
    values = rc_kpis(tallies)
    assert values["rc_incidents"] == rc_tally.incidents
    assert values["rc_backlog_end"] == rc_tally.open_end
    assert values["rc_backlog_mean"] >= 0
