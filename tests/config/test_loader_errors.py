"""Scenario loading: each kind of error a planner can make gives one problem naming the field,
the value and what was expected (with a did-you-mean hint for a misspelt key).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario
from contactsim.errors import ScenarioError
from helpers.loading import (
    TWO_LINES,
    line_field,
    load_error,
    only_problem,
    variant,
    write_profile,
)
from helpers.scenarios import TINY_101, write

# --- each kind of error ----------------------------------------------------------------------


def test_unknown_key_has_did_you_mean_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TINY_101 + "shrinkge: 0.3\n")
    with pytest.raises(ScenarioError, match=r"shrinkge.*did you mean 'shrinkage'\?") as caught:
        load_scenario(path)
    problem = only_problem(caught.value, "shrinkge")
    assert problem.file == str(path)
    assert problem.value == "shrinkge"
    assert "known field" in problem.expected


def test_unknown_key_deep_inside_names_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "{flat: 3}", "{flat: 3, flatt: 4}"))
    with pytest.raises(ScenarioError, match="did you mean 'flat'") as caught:
        load_scenario(path)
    assert only_problem(caught.value, "pools[0]").field == "pools[0].staffing.flatt"


def test_wrong_type_names_field_value_and_expected_type(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "flat: 3", "flat: many"))
    with pytest.raises(ScenarioError, match=r"pools\[0\]\.staffing\.flat: got 'many'") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("pools[0].staffing.flat", "many")
    assert problem.file == str(path)
    assert "integer" in problem.expected


def test_a_bad_pool_is_one_problem_only(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "flat: 3", "flat: many"))
    error = load_error(path)
    assert [p.field for p in error.problems] == ["pools[0].staffing.flat"]


def test_negative_time_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "mean_s: 300", "mean_s: -5"))
    with pytest.raises(ScenarioError, match=r"handle_time\.mean_s: got -5; expected greater than"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "handling.101.handle_time.mean_s"
    assert (problem.value, problem.file) == (-5, str(path))


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        ("horizon: {days: 2}", "horizon: {days: 2}\nshrinkage: 1.5", "shrinkage", 1.5),
        ("{rate_per_hour: 5}", "{rate_per_hour: 5, online_shift: 2}", "demand.101.online_shift", 2),
        ("{flat: 3}}", "{flat: 3}, shrinkage: 1.2}", "pools[0].shrinkage", 1.2),
    ],
)
def test_probability_above_one_is_refused(
    tmp_path: Path, old: str, new: str, field: str, value: float
) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, old, new))
    with pytest.raises(ScenarioError, match=rf"got {value}; expected less than 1") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert line_field(problem.field) == field
    assert (problem.value, problem.file) == (value, str(path))


def test_missing_profile_csv_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "rate_per_hour: 5", "annual_volume: 5000, profile: profiles/nope.csv"),
    )
    missing = str((tmp_path / "profiles" / "nope.csv").resolve())
    with pytest.raises(ScenarioError, match="an existing profile CSV") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.value, problem.file) == (missing, str(path))
    assert problem.field.endswith("profile")


def test_missing_per_interval_csv_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "flat: 3", "per_interval: staff/nope.csv"))
    missing = str((tmp_path / "staff" / "nope.csv").resolve())
    with pytest.raises(ScenarioError, match="an existing staffing CSV") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.value, problem.file) == (missing, str(path))
    assert problem.field.endswith("per_interval")


def test_missing_profile_named_in_a_base_blames_the_base(tmp_path: Path) -> None:
    base = write(
        tmp_path / "base" / "base.yaml",
        variant(TINY_101, "rate_per_hour: 5", "annual_volume: 5000, profile: nope.csv"),
    )
    child = write(tmp_path / "child.yaml", "extends: base/base.yaml\nname: child\n")
    problem = load_error(child).problems[0]
    assert problem.file == str(base.resolve())
    assert problem.value == str((tmp_path / "base" / "nope.csv").resolve())


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("rate_per_hour: 5", "annual_volume: 5000, profile: nope.csv", "demand.101.profile"),
        ("flat: 3", "per_interval: nope.csv", "pools[0].staffing.per_interval"),
    ],
)
def test_missing_file_problem_names_the_scenario_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, old, new))
    assert load_error(path).problems[0].field == field


def test_unknown_line_in_pool_skills(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, 'skills: ["101"]', 'skills: ["112"]'))
    with pytest.raises(ScenarioError, match=r"pools\[0\]\.skills: got '112'; expected a line"):
        load_scenario(path)
    problem = only_problem(load_error(path), "pools")
    assert (problem.value, problem.file) == ("112", str(path))
    assert "'101'" in problem.expected


def test_line_with_demand_but_no_pool(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TWO_LINES, 'skills: ["999", "101"]', 'skills: ["999"]'),
    )
    with pytest.raises(ScenarioError, match=r"demand\.101: .*at least one pool") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value, problem.file) == ("demand.101", "101", str(path))
    assert len(caught.value.problems) == 1


def test_line_with_demand_but_no_handling(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TWO_LINES, '  "101": {handle_time: {dist: lognormal, mean_s: 420, cv: 0.7}}\n', ""),
    )
    with pytest.raises(ScenarioError, match=r"handling\.101: .*a handling section") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value, problem.file) == ("handling.101", None, str(path))
    assert len(caught.value.problems) == 1


def test_both_rate_and_annual_volume(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "{rate_per_hour: 5}", "{rate_per_hour: 5, annual_volume: 1000}"),
    )
    with pytest.raises(ScenarioError, match="one of rate_per_hour, annual_volume or replay"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "demand.101"
    assert problem.value == {"rate_per_hour": 5, "annual_volume": 1000}
    assert problem.file == str(path)


def test_neither_rate_nor_annual_volume(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "{rate_per_hour: 5}", "{growth: 2}"))
    with pytest.raises(ScenarioError, match="one of rate_per_hour, annual_volume or replay"):
        load_scenario(path)


def test_bad_distribution_name(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "{dist: exponential, mean_s: 300}", "{dist: normal, mean_s: 300}"),
    )
    with pytest.raises(ScenarioError, match=r"'normal'.*'exponential', 'lognormal'"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "handling.101.handle_time"
    assert problem.value == {"dist": "normal", "mean_s": 300}
    assert problem.file == str(path)


def test_lognormal_without_cv(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "{dist: exponential, mean_s: 300}", "{dist: lognormal, mean_s: 300}"),
    )
    with pytest.raises(ScenarioError, match=r"handle_time\.cv: got None; expected this field"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "handling.101.handle_time.cv"
    assert problem.file == str(path)


def test_bad_shift_clock_time(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "flat: 3", 'shifts: [{start: "25:00", length_h: 8, count: 2}]'),
    )
    with pytest.raises(ScenarioError, match=r"24-hour clock time HH:MM, not '25:00'") as caught:
        load_scenario(path)
    problem = only_problem(caught.value, "pools[0].staffing")
    assert (problem.field, problem.value) == ("pools[0].staffing.shifts[0].start", "25:00")
    assert problem.file == str(path)


def test_bad_per_interval_row_names_the_row(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "interval_start,operators\n2018-01-01T00:00,4\n2018-01-01T08:00,6\n2018-01-01T16:00,-2\n",
    )
    path = write(tmp_path / "s.yaml", variant(TINY_101, "flat: 3", "per_interval: roster.csv"))
    with pytest.raises(ScenarioError, match=r"row 4: operators: got -2") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.value) == (str(roster.resolve()), 4, -2)
    assert "whole number >= 0" in problem.expected


def test_bad_profile_row_through_the_loader_names_the_row(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv", hour_weight=lambda hour: "x" if hour == 5 else 1)
    path = write(
        tmp_path / "s.yaml",
        variant(TINY_101, "rate_per_hour: 5", "annual_volume: 5000, profile: p.csv"),
    )
    with pytest.raises(ScenarioError, match="row 7") as caught:
        load_scenario(path)
    assert caught.value.problems[0].file == str(profile.resolve())


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = variant(variant(TINY_101, "mean_s: 300", "mean_s: -5"), "flat: 3", "flat: -1")
    path = write(tmp_path / "s.yaml", text + "shrinkge: 0.3\n")
    fields = {line_field(p.field) for p in load_error(path).problems}
    assert {"handling.101.handle_time.mean_s", "pools[0].staffing.flat", "shrinkge"} <= fields


def test_line_fields_are_dotted_like_set_paths(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY_101, "mean_s: 300", "mean_s: -5"))
    assert load_error(path).problems[0].field == "handling.101.handle_time.mean_s"
