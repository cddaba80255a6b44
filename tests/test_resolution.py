"""Triage and the Resolution Centre (RC): hand-worked traces, statistics, properties, bad input,
and the command line.

The traces drive
:func:`~contactsim.engine.model.simulate` with plain objects: fixed arrival and handle
times, and fixed uniform draws for triage, contact attempts and outcomes, so every number below
is worked out on paper first. Times are in seconds from the horizon's start (midnight).
A call's triage draw ``u`` picks the first outcome whose cumulative share exceeds ``u``; a
contact attempt reaches the victim when its draw < ``contact_probability``; a worked incident
is resolved when its draw < the resolved share, to the front line when below resolved +
front line, else to a partner. :class:`Draws` fails a trace whose model asks for more draws
than the trace gives.

The statistical checks use fixed seeds, so they are deterministic; their tolerances are stated
where they are set, and are wide enough for any seed but the rarest.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import RC_SCOPE, kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.staffing import within_hours
from contactsim.cli.main import main
from contactsim.config.scenario import Scenario
from contactsim.engine import LineInputs, ModelInputs, ModelSettings, PoolInputs, simulate
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import RunTallies
from contactsim.engine.resolution import RCInputs, ResolutionCentre, TriageInputs
from contactsim.errors import ConservationError, ScenarioError
from contactsim.runs.replication import run_tallies
from trace_helpers import Draws
from trace_helpers import draws_used as used

DAY_S = 86400.0
#: RC hours 08:00-22:00, in minutes after midnight
OPEN_MINUTE, CLOSE_MINUTE = 480, 1320
#: every triage draw in [0, 1) sends the call to the RC
ALL_TO_RC = (0.0, 0.0, 0.0, 0.0, 1.0)
#: two-sided 99.9% normal quantile, for binomial intervals and means of many incidents
Z_999 = 3.2905


def flat(operators: int) -> StaffingPlan:
    """A flat staffing plan."""
    return StaffingPlan(times_s=(0.0,), operators=(operators,))


def line(
    name: str, arrivals: Sequence[float], handles: Sequence[float], triage: TriageInputs
) -> LineInputs:
    """A line whose callers are given one by one and never abandon."""
    assert len(arrivals) == len(handles)
    return LineInputs(
        name=name, arrival_times_s=iter(arrivals), handle_time=Draws(handles), patience=None,
        service_level_s=60.0, triage=triage,
    )


def rc_inputs(
    staffing: StaffingPlan, work: Sequence[float], contacts: Sequence[float],
    outcomes: Sequence[float], **changes: Any,
) -> RCInputs:
    """The RC of the traces: victims reached half the time (the draws decide), two attempts
    1800 s apart, 300 s per unanswered attempt; 60% resolved, 30% front line, 10% partner."""
    fields: dict[str, Any] = {
        "staffing": staffing,
        "work_time": Draws(work),
        "contact_attempts": 2,
        "contact_probability": 0.5,
        "contact": Draws(contacts),
        "attempt_gap_s": 1800.0,
        "unanswered_attempt_s": 300.0,
        "outcome_cumulative": (0.6, 0.9, 1.0),
        "outcome": Draws(outcomes),
    }
    fields.update(changes)
    return RCInputs(**fields)


def rc_kpis(tallies: RunTallies) -> dict[str, float]:
    """The Resolution Centre's KPIs by name."""
    return {kpi: value for scope, kpi, value in kpi_rows(tallies) if scope == RC_SCOPE}


# --- hand-worked traces -------------------------------------------------------------------------

TRACE_END_S = 2 * DAY_S  # 172800: two days, no warm-up


def night_closing_trace() -> tuple[RunTallies, RCInputs]:
    """Six incidents, one investigator on duty 08:00-22:00 (28800-79200, 115200-165600).

    Calls (ample operators, so each is answered as it rings) and the incident each refers when
    its handling ends:

    ====  ==========  ======  ===========
    call  rings (s)   handle  referred (s)
    ====  ==========  ======  ===========
    A     1000        100     1100   (night: waits for 08:00)
    B     2000        100     2100   (night)
    C     75000       600     75600  (21:00, worked until after 22:00)
    D     79900       100     80000  (22:13, RC closed: waits for 08:00 next day)
    G     164000      1000    165000 (21:50 day 2, still worked at the end)
    F     169900      100     170000 (23:13 day 2, still waiting at the end)
    ====  ==========  ======  ===========
    """
    triage = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5] * 6))
    calls = line("101", [1000, 2000, 75000, 79900, 164000, 169900],
                 [100, 100, 600, 100, 1000, 100], triage)
    hours = within_hours(flat(1), OPEN_MINUTE, CLOSE_MINUTE, TRACE_END_S)
    rc = rc_inputs(
        hours,
        work=[3600, 1200, 7200, 10000],
        # A reached; B unanswered, then reached; C reached; D unanswered twice; G reached
        contacts=[0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.1],
        # A resolved (0.1 < 0.6); B partner (0.95 >= 0.9); C front line (0.6 <= 0.7 < 0.9)
        outcomes=[0.1, 0.95, 0.7],
    )
    pools = [PoolInputs("operators", ("101",), flat(10))]
    settings = ModelSettings(end_s=TRACE_END_S, keep_records=True)
    tallies = simulate(ModelInputs([calls], pools, settings, rc=rc))
    assert used(triage.draw) == 6
    return tallies, rc


def test_rc_hours_plan_is_on_duty_from_eight_to_ten() -> None:
    hours = within_hours(flat(1), OPEN_MINUTE, CLOSE_MINUTE, TRACE_END_S)
    assert hours.times_s == (0.0, 28800.0, 79200.0, 115200.0, 165600.0)
    assert hours.operators == (0, 1, 0, 1, 0)


def test_trace_rc_closing_for_the_night_retries_and_victims_never_reached() -> None:
    tallies, rc = night_closing_trace()
    # Day 1 (the investigator comes on at 28800):
    #   28800  A: reached, works 3600 -> 32400, resolved.   (32400 - 1100) / 3600 = 8.6944 h
    #   32400  B: unanswered, 300 s -> 32700; attempt 1 of 2, due again at 32700 + 1800 = 34500
    #   34500  B: reached, works 1200 -> 35700, partner.    (35700 - 2100) / 3600 = 9.3333 h
    #   75600  C: reached, works 7200 -> 82800. At 22:00 (79200) the investigator is busy and
    #          finishes C first, going off duty at 82800. C: front line. (82800-75600)/3600 = 2 h
    #   80000  D is referred while nobody is on duty: it waits for 08:00.
    # Day 2 (on at 115200):
    #   115200 D: unanswered -> 115500; due at 117300: unanswered -> 117600; two attempts, never
    #          reached: front line, with no outcome draw.  (117600 - 80000) / 3600 = 10.4444 h
    #   165000 G: reached, works 10000 -> 175000, past the end (172800): in progress at the end
    #   170000 F: referred after 22:00: waiting at the end.
    rc_tally = tallies.rc
    assert rc_tally is not None
    assert tallies.lines["101"].triaged == [0, 0, 0, 0, 6]
    assert rc_tally.incidents == 6
    assert rc_tally.outcomes == [1, 2, 1]  # resolved A; front line C, D; partner B
    hours = [(32400 - 1100) / 3600, (35700 - 2100) / 3600, 2.0, (117600 - 80000) / 3600]
    assert rc_tally.resolve_hours == pytest.approx(hours, abs=1e-12)
    assert (rc_tally.waiting_end, rc_tally.in_progress_end, rc_tally.open_end) == (1, 1, 2)
    # open incidents over time:
    #   1100-2100: 1 (1000)  2100-32400: 2 (60600)  32400-35700: 1 (3300)  75600-80000: 1 (4400)
    #   80000-82800: 2 (5600)  82800-117600: 1 (34800)  165000-170000: 1 (5000)
    #   170000-172800: 2 (5600)                                        total 120300 incident-s
    assert rc_tally.backlog_area == pytest.approx(120300.0)
    # open at midnight: none at 0; D alone at 86400 (C ended at 82800)
    assert rc_tally.daily_backlog == [0, 1]
    # busy: A 3600 + B 300 + 1200 + C 7200 + D 300 + 300 + G up to the end 7800 = 20700
    assert rc_tally.busy_s == pytest.approx(20700.0)
    # every draw given was needed, and no more: 4 work times (A, B, C, G), 7 contact attempts,
    # 3 outcome draws (A, B, C; D was never reached)
    assert (used(rc.work_time), used(rc.contact), used(rc.outcome)) == (4, 7, 3)

    values = rc_kpis(tallies)
    assert values["rc_incidents"] == 6.0
    assert (values["rc_resolved"], values["rc_front_line"], values["rc_partner"]) == (1, 2, 1)
    assert values["rc_share_of_incidents"] == 1.0  # 6 referred / 6 graded other than closed
    assert values["rc_backlog_end"] == 2.0
    assert values["rc_backlog_mean"] == pytest.approx(120300.0 / TRACE_END_S)
    assert values["rc_time_to_resolve_h"] == pytest.approx(sum(hours) / 4)  # 7.6181 h
    # p90 from one-minute bins: 120, 521.67, 560 and 626.67 min fall in bins 120, 521, 560 and
    # 626; rank 0.9 x 4 = 3.6 lies in the fourth value's bin, 0.6 of the way through it:
    # 626.6 min = 10.4433 h
    assert values["rc_time_to_resolve_p90_h"] == pytest.approx((626 + 0.6) / 60)


def test_trace_rc_staffed_time_and_occupancy() -> None:
    tallies, _ = night_closing_trace()
    rc_tally = tallies.rc
    assert rc_tally is not None
    # On duty 28800-82800 on day 1 (finishing C past 22:00 counts) = 54000, and 115200 to the
    # end on day 2 (on duty until 22:00, then finishing G) = 57600: 111600 s.
    assert rc_tally.staffed_s == pytest.approx(111600.0)
    assert rc_kpis(tallies)["occupancy"] == pytest.approx(20700.0 / 111600.0)


def test_trace_rc_serves_the_most_urgent_line_first_then_first_come_first_served() -> None:
    # One investigator on duty all day, every victim reached, all resolved. 999 before 101.
    # 101 incidents referred at 10, 30, 50 (ring 0, 20, 40; handle 10); a 999 one at 70.
    # 10: the first 101 is worked 10 -> 1010. At 1010 the 999 incident goes first (1010 -> 1110)
    # although referred last, then the 101 ones in the order they came: 1110 -> 1210 (referred
    # 30), 1210 -> 1310 (referred 50).
    t101 = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5] * 3))
    t999 = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5]))
    lines = [
        line("999", [60], [10], t999),
        line("101", [0, 20, 40], [10, 10, 10], t101),
    ]
    rc = rc_inputs(flat(1), work=[1000, 100, 100, 100], contacts=[0.1] * 4,
                   outcomes=[0.1] * 4)
    pools = [PoolInputs("operators", ("999", "101"), flat(10))]
    settings = ModelSettings(end_s=3600.0, keep_records=True)
    tallies = simulate(ModelInputs(lines, pools, settings, rc=rc))
    assert tallies.rc is not None
    assert tallies.rc.resolve_hours == pytest.approx(
        [(1010 - 10) / 3600, (1110 - 70) / 3600, (1210 - 30) / 3600, (1310 - 50) / 3600]
    )
    assert tallies.rc.outcomes == [4, 0, 0]
    # busy 1000 + 3 x 100; on duty the whole hour
    assert tallies.rc.busy_s == pytest.approx(1300.0)


def closed_extra_trace(extra_s: float) -> RunTallies:
    """One operator, four callers at 0, 10, 20, 30, each 100 s of handling; graded closed,
    grade 1, closed, grade 1 (draw < 0.5: closed, else grade 1)."""
    triage = TriageInputs(
        cumulative=(0.5, 1.0, 1.0, 1.0, 1.0), draw=Draws([0.2, 0.7, 0.2, 0.9]),
        closed_extra_handle_s=extra_s,
    )
    calls = line("101", [0, 10, 20, 30], [100] * 4, triage)
    settings_ = ModelSettings(end_s=3600.0, keep_records=True)
    return simulate(ModelInputs([calls], [PoolInputs("operators", ("101",), flat(1))], settings_))


def test_closed_extra_handle_time_lengthens_exactly_the_calls_graded_closed() -> None:
    # With 50 s extra for closed calls: 1st (closed) 0 -> 150; 2nd (grade 1) waits 150 - 10 =
    # 140, 150 -> 250; 3rd (closed) waits 250 - 20 = 230, 250 -> 400; 4th (grade 1) waits
    # 400 - 30 = 370, 400 -> 500. Without: waits 0, 90, 180, 270, busy 400.
    longer = closed_extra_trace(50.0)
    plain = closed_extra_trace(0.0)
    assert longer.records is not None and plain.records is not None
    assert [r.wait_s for r in longer.records] == [0.0, 140.0, 230.0, 370.0]
    assert [r.handle_s for r in longer.records] == [150.0, 100.0, 150.0, 100.0]
    assert [r.wait_s for r in plain.records] == [0.0, 90.0, 180.0, 270.0]
    assert longer.pools["operators"].busy_s == pytest.approx(500.0)
    assert plain.pools["operators"].busy_s == pytest.approx(400.0)
    assert longer.lines["101"].triaged == [2, 2, 0, 0, 0]
    assert longer.rc is None


def test_rc_conservation_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    close = ResolutionCentre.close

    def losing_one(self: ResolutionCentre) -> None:
        close(self)
        self.tally.waiting_end -= 1  # an incident goes missing

    monkeypatch.setattr(ResolutionCentre, "close", losing_one)
    with pytest.raises(ConservationError, match="resolution centre"):
        night_closing_trace()


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


# --- bad input ----------------------------------------------------------------------------------

GOOD: dict[str, Any] = {
    "name": "rc-input",
    "horizon": {"days": 1},
    "demand": {"101": {"rate_per_hour": 5}},
    "handling": {"101": {"handle_time": {"dist": "fixed", "value_s": 100}}},
    "pools": [{"name": "operators", "skills": ["101"], "staffing": {"flat": 2}}],
    "triage": {"101": {"closed": 0.5, "resolution_centre": 0.5}},
    "resolution_centre": {
        "staffing": {"flat": 1},
        "work_time": {"dist": "fixed", "value_s": 600},
        "outcomes": {"resolved": 0.9, "front_line": 0.08, "partner": 0.02},
    },
}


def test_good_input_is_accepted_with_the_default_hours() -> None:
    scenario = scenario_from_mapping(copy.deepcopy(GOOD))
    assert scenario.resolution_centre is not None
    assert scenario.resolution_centre.hours_minutes == (480, 1320)


def _set(path: str, value: Any) -> Any:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def _drop_rc(raw: dict[str, Any]) -> None:
    del raw["resolution_centre"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(_set("triage.101.closed", 0.4), "triage.101", id="triage-not-summing-to-1"),
        pytest.param(_set("resolution_centre.outcomes.partner", 0.1),
                     "resolution_centre.outcomes", id="rc-outcomes-not-summing-to-1"),
        pytest.param(_set("resolution_centre.work_time", {"dist": "fixed", "value_s": -600}),
                     "resolution_centre.work_time.value_s", id="negative-work-time"),
        pytest.param(_set("resolution_centre.work_time",
                          {"dist": "lognormal", "mean_s": -600, "cv": 1.0}),
                     "resolution_centre.work_time.mean_s", id="negative-mean-work-time"),
        pytest.param(_set("resolution_centre.hours", "8 till 10"), "resolution_centre.hours",
                     id="hours-not-parsing"),
        pytest.param(_set("resolution_centre.hours", "22:00-08:00"), "resolution_centre.hours",
                     id="hours-ending-before-they-start"),
        pytest.param(_set("triage.999", {"closed": 1.0}), "triage.999",
                     id="triage-of-a-line-without-demand"),
        pytest.param(_drop_rc, "triage.101.resolution_centre", id="rc-share-without-an-rc"),
    ],
)
def test_bad_input_is_refused_with_its_field(change: Any, field: str) -> None:
    raw = copy.deepcopy(GOOD)
    change(raw)
    with pytest.raises(ScenarioError) as caught:
        scenario_from_mapping(raw)
    assert caught.value.problems[0].field == field


# --- the command line ---------------------------------------------------------------------------

TINY_RC = """\
name: tiny-rc
horizon: {start: 2018-03-05, days: 2}
demand:
  "101": {rate_per_hour: 6}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}}
pools:
  - {name: operators, skills: ["101"], staffing: {flat: 3}}
triage:
  "101": {closed: 0.5, grade2: 0.2, resolution_centre: 0.3}
resolution_centre:
  staffing: {flat: 1}
  work_time: {dist: exponential, mean_s: 3600}
  outcomes: {resolved: 0.9, front_line: 0.08, partner: 0.02}
"""


def test_cli_run_writes_the_rc_daily_backlog_and_its_plot(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny-rc.yaml"
    scenario.write_text(TINY_RC, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(scenario), "--reps", "2", "--workers", "1", "--seed", "1",
               "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    daily = pd.read_parquet(out / "rc_daily.parquet")
    assert list(daily.columns) == ["replication", "day", "rc_backlog"]
    assert sorted(daily["replication"].unique()) == [0, 1]
    assert len(daily) == 2 * 2  # two replications, a count at each of the two midnights
    assert list(daily["day"].iloc[:2]) == [pd.Timestamp("2018-03-05"), pd.Timestamp("2018-03-06")]
    assert (daily["rc_backlog"] >= 0).all()
    assert (out / "rc_backlog.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str})
    rc_rows = set(summary.loc[summary["scope"] == RC_SCOPE, "kpi"])
    assert {"rc_incidents", "rc_resolved", "rc_backlog_end", "rc_time_to_resolve_h"} <= rc_rows
    assert {"triage_closed", "triage_resolution_centre"} <= set(
        summary.loc[summary["scope"] == "101", "kpi"]
    )
