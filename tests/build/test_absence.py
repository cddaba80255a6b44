"""Shrinkage as absence: rostered people are on the phones or absent, a whole duty at a time.

The rule (build.absence): each duty — a person's shift, or without shifts a person's day —
is absent with probability = shrinkage, so the expected number on the phones is exactly
rostered × scale × (1 − shrinkage), and adding one person changes that person's presence only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.build import absence, staffing
from contactsim.config.scenario import Scenario
from contactsim.engine.plan import StaffingPlan
from helpers.scenarios import SCENARIOS

HOUR = 3600.0
DAY = 86400.0


def scenario_with(roster: str, shrinkage: float = 0.0, days: int = 7) -> Scenario:
    """A one-pool scenario over ``days`` from Monday 1 January 2018."""
    return Scenario.model_validate({
        "name": "absence",
        "horizon": {"start": "2018-01-01", "days": days},
        "demand": {"101": {"rate_per_hour": 1}},
        "handling": {"101": {"handle_time": {"dist": "fixed", "value_s": 60}}},
        "pools": [{"name": "p", "skills": ["101"], "staffing": yaml.safe_load(roster)}],
        "shrinkage": shrinkage,
    })


def plan(scenario: Scenario, key: int = 7) -> StaffingPlan:
    return staffing.people_on_duty(scenario.pools[0], scenario, absence_key=key)


def levels_at(plan_: StaffingPlan, times: np.ndarray) -> np.ndarray:
    return np.array([plan_.at(t) for t in times])


def test_uniforms_depend_on_the_key_and_the_duty_only() -> None:
    day, slot, person = np.array([3, 3, 4]), np.array([1, 1, 1]), np.array([1, 2, 1])
    first = absence.duty_uniforms(11, day, slot, person)
    assert np.array_equal(first, absence.duty_uniforms(11, day, slot, person))
    assert len(set(first.tolist())) == 3
    assert not np.array_equal(first, absence.duty_uniforms(12, day, slot, person))
    # a duty's number does not depend on which other duties are asked for alongside it
    alone = absence.duty_uniforms(11, day[1:2], slot[1:2], person[1:2])
    assert alone[0] == first[1]
    many = absence.duty_uniforms(5, np.arange(200_000) // 100, np.ones(200_000, dtype=int),
                                 np.arange(200_000) % 100 + 1)
    assert many.min() >= 0.0 and many.max() < 1.0
    assert abs(many.mean() - 0.5) < 0.005  # 4.5 standard errors of a uniform's mean


def test_without_shrinkage_the_plan_is_the_roster() -> None:
    for roster in ("{flat: 9}", "{shifts: [{start: '22:00', length_h: 10, count: 4}]}"):
        scenario = scenario_with(roster)
        times, people = staffing.rostered(scenario.pools[0].staffing, scenario.horizon)
        drawn = plan(scenario)
        probe = np.arange(0.0, scenario.horizon.end_s, 900.0)
        expected = np.array(people)[np.searchsorted(times, probe, side="right") - 1]
        assert np.array_equal(levels_at(drawn, probe), expected)


def test_a_shift_is_present_or_absent_whole_and_a_flat_roster_by_the_day() -> None:
    shifts = plan(scenario_with("{shifts: [{start: '07:00', length_h: 10, count: 6}]}",
                                shrinkage=0.3, days=60))
    for day in range(60):
        during = levels_at(shifts, day * DAY + np.arange(7 * HOUR, 17 * HOUR, 600.0))
        assert len(set(during.tolist())) == 1  # nobody leaves or joins mid-shift
    flat = plan(scenario_with("{flat: 8}", shrinkage=0.3, days=60))
    assert all(t % DAY == 0 for t in flat.times_s)  # it changes only at midnight


@pytest.mark.parametrize(("roster", "shrinkage", "rostered"), [
    ("{flat: 10}", 0.25, 10.0),
    ("{flat: 5, scale: 1.1}", 0.0, 5.5),
    ("{flat: 7, scale: 0.95}", 0.3, 6.65),
    ("{shifts: [{start: '08:00', length_h: 8, count: 5}]}", 0.35, 5.0),
])
def test_the_expected_number_on_the_phones_is_exact(roster: str, shrinkage: float,
                                                     rostered: float) -> None:
    """Mean over 2,000 days (each a duty of its own) within 4.5 standard errors of rostered x
    (1 - shrinkage); the standard error from the binomial variance of a day's count."""
    scenario = scenario_with(roster, shrinkage=shrinkage, days=2000)
    drawn = plan(scenario, key=2018)
    on_duty = 9 * HOUR  # inside the shift, if any
    daily = levels_at(drawn, np.arange(2000) * DAY + on_duty)
    expected = rostered * (1 - shrinkage)
    whole, fraction = math.floor(rostered), rostered - math.floor(rostered)
    p = 1 - shrinkage
    variance = whole * p * (1 - p) + fraction * p * (1 - fraction * p)
    standard_error = math.sqrt(variance / 2000)
    assert abs(daily.mean() - expected) < 4.5 * max(standard_error, 1e-12)


def test_one_more_person_changes_that_person_only() -> None:
    """Common random numbers: with one more on the shift, each day has the same people present
    plus, on about (1 - shrinkage) of the days, the new one."""
    shrinkage, days = 0.3, 3000
    probe = np.arange(days) * DAY + 9 * HOUR
    before = levels_at(plan(scenario_with(
        "{shifts: [{start: '08:00', length_h: 8, count: 4}]}", shrinkage, days)), probe)
    after = levels_at(plan(scenario_with(
        "{shifts: [{start: '08:00', length_h: 8, count: 5}]}", shrinkage, days)), probe)
    added = after - before
    assert set(added.tolist()) <= {0, 1}
    share = added.mean()
    assert abs(share - (1 - shrinkage)) < 4.5 * math.sqrt(0.21 / days)
    # and a second shift added to the list leaves the first shift's people as they were
    both = plan(scenario_with(
        "{shifts: [{start: '08:00', length_h: 8, count: 4}, "
        "{start: '20:00', length_h: 8, count: 3}]}", shrinkage, days))
    assert np.array_equal(levels_at(both, probe), before)


def test_one_more_operator_in_one_hour_of_a_table_changes_only_that_hour(tmp_path) -> None:
    rows = "".join(f"{hour},{6 if hour % 24 >= 8 else 2}\n" for hour in range(168))
    base = tmp_path / "base.csv"
    base.write_text("hour_of_week,operators\n" + rows)
    more = tmp_path / "more.csv"
    more.write_text("hour_of_week,operators\n" + rows.replace("10,6\n", "10,7\n", 1))
    probe = np.arange(0.0, 14 * DAY, 1800.0)
    a = levels_at(plan(scenario_with(f"{{per_interval: {base}}}", 0.3, 14)), probe)
    b = levels_at(plan(scenario_with(f"{{per_interval: {more}}}", 0.3, 14)), probe)
    changed = probe[a != b] % (7 * DAY)
    assert np.all((changed >= 10 * HOUR) & (changed < 11 * HOUR))  # Mondays 10:00 only
    assert np.all(b - a >= 0)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 30), min_size=1, max_size=3),
    starts=st.lists(st.integers(0, 23), min_size=3, max_size=3),
    scale=st.floats(0.5, 2.0),
    shrinkage=st.floats(0.0, 0.95),
    key=st.integers(0, 2**63 - 1),
)
def test_never_more_on_the_phones_than_rostered(counts: list[int], starts: list[int],
                                                scale: float, shrinkage: float,
                                                key: int) -> None:
    shifts = ", ".join(f"{{start: '{start:02d}:00', length_h: 9, count: {count}}}"
                       for count, start in zip(counts, starts, strict=False))
    scenario = scenario_with(f"{{shifts: [{shifts}], scale: {scale}}}", shrinkage, days=3)
    times, people = staffing.rostered(scenario.pools[0].staffing, scenario.horizon)
    drawn = plan(scenario, key)
    probe = np.arange(0.0, scenario.horizon.end_s, 900.0)
    rostered = np.array(people)[np.searchsorted(times, probe, side="right") - 1]
    got = levels_at(drawn, probe)
    # each shift's people, a fractional one included, are at most ceil(count x scale)
    ceiling = sum(math.ceil(c * scale - 1e-9) for c in counts)
    assert np.all(got >= 0) and np.all(got <= ceiling)
    assert np.all(got <= np.ceil(rostered - 1e-9) + len(counts))


@pytest.mark.slow
def test_one_more_rostered_operator_shortens_101_waits_on_the_baseline() -> None:
    """The planner's check (issue 13): one more multi-skilled operator on the first shift of
    the baseline's first eight weeks shortens 101 waits, by more than the paired interval."""

    from contactsim.build.loading import load_scenario
    from contactsim.runs.experiment import compare_scenarios

    baseline = SCENARIOS / "baseline-2018.yaml"
    short = ["horizon.days=57"]
    base = load_scenario(baseline, short).scenario
    count = base.pools[1].staffing.shifts[0].count
    more = load_scenario(baseline, [*short, f"pools.blended.staffing.shifts.0.count={count + 1}"])
    comparison = compare_scenarios([base, more.scenario], reps=5, seed=2018, workers=2)
    table = comparison.table.set_index(["scenario", "scope", "kpi"])
    row = table.loc[(comparison.names[1], "101", "asa_s")]
    assert row["diff_high"] < 0, row  # shorter waits, the whole interval below zero
    occupancy = table.loc[(comparison.names[1], "blended", "occupancy")]
    assert occupancy["diff_high"] < 0  # the work spread over more people


def test_a_named_shift_keeps_its_absences_when_a_shift_before_it_goes() -> None:
    probe = np.arange(300) * DAY + 21 * HOUR
    late = "{name: late, start: '20:00', length_h: 8, count: 5}"
    with_early = plan(scenario_with(
        f"{{shifts: [{{name: early, start: '06:00', length_h: 8, count: 4}}, {late}]}}",
        0.3, 300))
    without = plan(scenario_with(f"{{shifts: [{late}]}}", 0.3, 300))
    assert np.array_equal(levels_at(with_early, probe), levels_at(without, probe))
    # unnamed, the late shift's people would be other people once it moves up the list
    unnamed = "{start: '20:00', length_h: 8, count: 5}"
    moved = plan(scenario_with(f"{{shifts: [{unnamed}]}}", 0.3, 300))
    second = plan(scenario_with(
        f"{{shifts: [{{start: '06:00', length_h: 8, count: 4}}, {unnamed}]}}", 0.3, 300))
    assert not np.array_equal(levels_at(moved, probe), levels_at(second, probe))
