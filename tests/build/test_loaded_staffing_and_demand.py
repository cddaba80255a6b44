"""The staffing and demand arrays built from a loaded scenario: scales and dated changes,
shrinkage, shifts across midnight and by day, per-interval tables by hour of week or by start
time, annual volumes shaped by profiles, growth.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pydantic
import pytest
import yaml

from contactsim.build import demand, staffing
from contactsim.config.horizon import Horizon
from contactsim.config.lines import LineDemand
from contactsim.config.scenario import Scenario
from contactsim.data.demand_profiles import read_profile
from contactsim.data.staffing_table import read_per_interval
from contactsim.engine.plan import StaffingPlan
from contactsim.errors import ScenarioError
from helpers.loading import (
    write_profile,
)
from helpers.scenarios import write

# --- staffing --------------------------------------------------------------------------------


def staffing_scenario(
    staffing_yaml: str, start: str = "2018-01-01", days: int = 2, shrinkage: float = 0.0
) -> Scenario:
    """A one-pool scenario with the given staffing (YAML text), validated without the loader."""
    return Scenario.model_validate(
        {
            "name": "staffing",
            "horizon": {"start": start, "days": days},
            "demand": {"101": {"rate_per_hour": 1}},
            "handling": {"101": {"handle_time": {"dist": "fixed", "value_s": 60}}},
            "pools": [{"name": "p", "skills": ["101"], "staffing": yaml.safe_load(staffing_yaml)}],
            "shrinkage": shrinkage,
        }
    )


def plan_of(scenario: Scenario) -> StaffingPlan:
    """The plan of the scenario's only pool (absences decided by key 1: see test_absence.py)."""
    return staffing.people_on_duty(scenario.pools[0], scenario, absence_key=1)


HOUR = 3600.0


@pytest.mark.parametrize(
    ("staffing_yaml", "expected"),
    [
        ("{flat: 10, scale: 1.2}", [12.0]),
        ("{flat: 10, scale: 0.9}", [9.0]),
        ("{flat: 10, scale: 1.0}", [10.0]),
        # shifts scale at every hour: 4 x 1.5 = 6 people on the shift, none off it
        ("{shifts: [{start: '08:00', length_h: 8, count: 4}], scale: 1.5}", [0.0, 6.0, 0.0]),
    ],
)
def test_staffing_scale_multiplies_the_rostered_numbers(
    staffing_yaml: str, expected: list[float]
) -> None:
    scenario = staffing_scenario(staffing_yaml, shrinkage=0.25)
    _, people = staffing.rostered(scenario.pools[0].staffing, scenario.horizon)
    assert people[: len(expected)] == pytest.approx(expected)


def test_staffing_changes_set_the_scale_from_their_dates() -> None:
    # 10 rostered; from 3 Jan x 1.2 (12), from 4 Jan x 0.5 (5)
    scenario = staffing_scenario(
        "{flat: 10, changes: [{from: 2018-01-03, scale: 1.2}, {from: 2018-01-04, scale: 0.5}]}",
        start="2018-01-01", days=4, shrinkage=0.25,
    )
    times, people = staffing.rostered(scenario.pools[0].staffing, scenario.horizon)
    assert times == [0.0, 2 * 86400.0, 3 * 86400.0]
    assert people == pytest.approx([10.0, 12.0, 5.0])
    shift_scenario = staffing_scenario(
        "{shifts: [{start: '08:00', length_h: 8, count: 10}], "
        "changes: [{from: 2018-01-02, scale: 0.5}]}", start="2018-01-01", days=2,
    )
    plan = plan_of(shift_scenario)
    assert plan.at(9 * HOUR) == 10 and plan.at(33 * HOUR) == 5


def test_staffing_changes_must_be_in_date_order() -> None:
    with pytest.raises(pydantic.ValidationError, match="date order"):
        staffing_scenario(
            "{flat: 10, changes: [{from: 2018-01-04, scale: 1.2}, {from: 2018-01-03, scale: 1}]}"
        )


def test_staffing_scale_must_be_positive() -> None:
    with pytest.raises(pydantic.ValidationError, match="scale"):
        staffing_scenario("{flat: 10, scale: 0}", shrinkage=0.25)


def test_pool_shrinkage_overrides_the_scenario_s() -> None:
    scenario = staffing_scenario("{flat: 10}", shrinkage=0.5)
    pool = scenario.pools[0].model_copy(update={"shrinkage": 0.0})
    assert staffing.people_on_duty(pool, scenario, absence_key=3).operators == (10,)


def test_shift_crossing_midnight_and_started_the_day_before_is_on_duty_at_zero() -> None:
    # 2018-01-01 is a Monday; Sunday's night shift is still on duty at the horizon's start
    plan = plan_of(staffing_scenario('{shifts: [{start: "22:00", length_h: 8, count: 3}]}'))
    assert plan.times_s == (0.0, 6 * HOUR, 22 * HOUR, 30 * HOUR, 46 * HOUR)
    assert plan.operators == (3, 0, 3, 0, 3)


def test_shift_of_the_day_before_only_is_on_duty_at_zero() -> None:
    plan = plan_of(
        staffing_scenario('{shifts: [{start: "20:00", length_h: 12, count: 4, days: [sun]}]}')
    )
    assert plan.at(0.0) == 4
    assert plan.at(8 * HOUR - 1) == 4
    assert plan.at(8 * HOUR) == 0
    assert plan.at(44 * HOUR) == 0  # Tuesday evening: not a Sunday


def test_shift_days_filter() -> None:
    plan = plan_of(staffing_scenario(
        '{shifts: [{start: "09:00", length_h: 8, count: 5, days: [Monday, wed]}]}', days=3
    ))
    assert plan.at(10 * HOUR) == 5  # Monday
    assert plan.at(17 * HOUR) == 0
    assert plan.at(34 * HOUR) == 0  # Tuesday 10:00
    assert plan.at(58 * HOUR) == 5  # Wednesday 10:00


def test_overlapping_shifts_sum_their_counts() -> None:
    plan = plan_of(staffing_scenario(
        '{shifts: [{start: "07:00", length_h: 10, count: 6}, '
        '{start: "12:00", length_h: 8, count: 4}]}',
        days=1,
    ))
    assert plan.at(0.0) == 0
    assert plan.at(8 * HOUR) == 6
    assert plan.at(13 * HOUR) == 10
    assert plan.at(18 * HOUR) == 4
    assert plan.at(21 * HOUR) == 0


def write_hour_of_week(path: Path) -> Path:
    """A staffing CSV by hour of week whose count is the hour of week itself, rows shuffled."""
    hours = np.random.default_rng(1).permutation(168)
    rows = "".join(f"{hour},{hour}\n" for hour in hours)
    return write(path, "hour_of_week,operators\n" + rows)


def test_per_interval_by_hour_of_week_from_a_wednesday(tmp_path: Path) -> None:
    roster = write_hour_of_week(tmp_path / "week.csv")
    scenario = staffing_scenario(f"{{per_interval: {roster}}}", start="2018-01-03", days=2)
    assert scenario.horizon.start.weekday() == 2
    plan = plan_of(scenario)
    assert plan.at(0.0) == 48  # Wednesday 00:00
    assert plan.at(5 * HOUR + 1) == 53
    assert plan.at(48 * HOUR - 1) == 95  # Thursday 23:00
    assert len(plan.times_s) == 48


def test_per_interval_by_hour_of_week_wraps_sunday_to_monday(tmp_path: Path) -> None:
    roster = write_hour_of_week(tmp_path / "week.csv")
    plan = plan_of(staffing_scenario(f"{{per_interval: {roster}}}", start="2018-01-07", days=2))
    assert plan.at(0.0) == 144  # Sunday 00:00
    assert plan.at(23 * HOUR) == 167
    assert plan.at(24 * HOUR) == 0  # Monday 00:00
    assert plan.at(25 * HOUR) == 1


def test_per_interval_by_hour_of_week_needs_every_hour(tmp_path: Path) -> None:
    rows = "".join(f"{hour},1\n" for hour in range(167))
    roster = write(tmp_path / "week.csv", "hour_of_week,operators\n" + rows)
    with pytest.raises(ScenarioError, match=r"missing: \[167\]"):
        read_per_interval(str(roster))


def test_per_interval_by_interval_start(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "interval_start,operators\n"
        "2018-01-01T20:30,6\n"
        "2017-12-31T22:00,4\n"  # before the horizon: it holds at time 0
        "2018-01-01T08:00,12\n"
        "2018-01-05T00:00,99\n",  # after the horizon: never used
    )
    plan = plan_of(staffing_scenario(f"{{per_interval: {roster}}}", days=2))
    assert plan.times_s == (0.0, 8 * HOUR, 20.5 * HOUR)
    assert plan.operators == (4, 12, 6)


def test_per_interval_starting_after_the_horizon_is_refused(tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.csv", "interval_start,operators\n2018-01-01T08:00,5\n")
    with pytest.raises(ScenarioError, match="at or before the horizon's start"):
        plan_of(staffing_scenario(f"{{per_interval: {roster}}}"))


def test_per_interval_bad_date_time_names_the_row(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv", "interval_start,operators\n2018-01-01T00:00,5\nsoon,3\n"
    )
    with pytest.raises(ScenarioError, match="row 3") as caught:
        read_per_interval(str(roster))
    assert (caught.value.problems[0].field, caught.value.problems[0].value) == (
        "interval_start", "soon"
    )


# --- demand ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "interval_minutes"),
    [(date(2018, 1, 1), 60), (date(2018, 1, 1), 15), (date(2019, 7, 3), 30)],
)
def test_annual_volume_with_default_profile_integrates_to_the_volume(
    start: date, interval_minutes: int
) -> None:
    horizon = Horizon(start=start, days=365, interval_minutes=interval_minutes)
    rates = demand.rates_per_hour(LineDemand(annual_volume=173676), horizon)
    assert rates.shape == (365 * 24 * 60 // interval_minutes,)
    assert np.all(rates > 0)
    assert rates.std() > 0  # the default profile is not flat
    total = float(np.sum(rates * interval_minutes / 60))
    assert total == pytest.approx(173676, rel=1e-9)


def test_growth_multiplies_demand() -> None:
    horizon = Horizon(days=365)
    plain = demand.rates_per_hour(LineDemand(annual_volume=50000), horizon)
    grown = demand.rates_per_hour(LineDemand(annual_volume=50000, growth=1.2), horizon)
    np.testing.assert_allclose(grown, 1.2 * plain, rtol=1e-12)
    assert float(grown.sum()) == pytest.approx(60000, rel=1e-9)


def test_rate_per_hour_is_constant_and_grows() -> None:
    horizon = Horizon(days=3, interval_minutes=30)
    rates = demand.rates_per_hour(LineDemand(rate_per_hour=12, growth=1.5), horizon)
    assert rates.shape == (3 * 48,)
    assert np.all(rates == 18.0)


def test_profile_shapes_rates_by_hour_of_week_and_month(tmp_path: Path) -> None:
    profile = write_profile(
        tmp_path / "p.csv", hour_weight=lambda hour: 1 + hour, month_weight=lambda month: month
    )
    start = date(2018, 1, 31)  # a Wednesday, the day before February
    horizon = Horizon(start=start, days=2)
    rates = demand.rates_per_hour(LineDemand(annual_volume=1e6, profile=str(profile)), horizon)
    origin = datetime.combine(start, datetime.min.time())
    moments = [origin + timedelta(hours=h) for h in range(48)]
    weights = np.array([(1 + m.weekday() * 24 + m.hour) * m.month for m in moments], dtype=float)
    ratio = rates / weights
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)


def test_read_profile_bad_weight_names_the_row(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv", month_weight=lambda month: -1 if month == 3 else 1)
    with pytest.raises(ScenarioError, match="row 172") as caught:
        read_profile(str(profile))
    problem = caught.value.problems[0]
    assert (problem.field, problem.value, problem.row) == ("weight", -1.0, 172)
    assert problem.file == str(profile)


def test_read_profile_unknown_component_names_the_row(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv")
    lines = profile.read_text().splitlines()
    lines[3] = lines[3].replace("hour_of_week", "day")
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=r"row 4: component: got 'day'"):
        read_profile(str(profile))


def test_read_profile_missing_keys_are_named(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv")
    lines = [line for line in profile.read_text().splitlines() if line != "month,12,1.0"]
    assert len(lines) == 180
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=r"no weight for keys \[12\]"):
        read_profile(str(profile))
