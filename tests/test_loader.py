"""Scenario loading: YAML, ``extends``, ``--set`` overrides, the errors a planner sees, and the
staffing and demand arrays built from a loaded scenario."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pydantic
import pytest
import yaml

from contactsim.build import demand, staffing
from contactsim.build.loading import load_scenario
from contactsim.config.horizon import Horizon
from contactsim.config.lines import LineDemand
from contactsim.config.scenario import Scenario
from contactsim.errors import Problem, ScenarioError

TINY = """\
name: tiny
horizon: {days: 2}
demand:
  "101": {rate_per_hour: 5}
handling:
  "101":
    handle_time: {dist: exponential, mean_s: 300}
    patience: {dist: exponential, mean_s: 180}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 3}}
"""

TWO_LINES = """\
name: two-lines
horizon: {days: 2}
demand:
  "999": {rate_per_hour: 4}
  "101": {rate_per_hour: 6}
handling:
  "999": {handle_time: {dist: exponential, mean_s: 300}}
  "101": {handle_time: {dist: lognormal, mean_s: 420, cv: 0.7}}
pools:
  - {name: emergency, skills: ["999"], staffing: {flat: 5}}
  - {name: blended, skills: ["999", "101"], staffing: {flat: 8}}
"""

CONTRACT = """\
name: erlang-a-check
horizon: {days: 30, warmup_hours: 24}
demand:
  "101": {rate_per_hour: 114}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}, patience: {dist: exponential, mean_s: 180}, service_level_s: 20}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 50}}
"""  # noqa: E501  (the contract is kept exactly as the planner writes it)


# --- helpers ---------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Write ``text`` (dedented) to ``path``, making its folder, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def variant(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; ``old`` must be there (no silent no-op)."""
    assert old in text, f"{old!r} not in the scenario text"
    return text.replace(old, new)


def write_profile(
    path: Path,
    hour_weight: Callable[[int], object] = lambda hour: 1.0,
    month_weight: Callable[[int], object] = lambda month: 1.0,
) -> Path:
    """A profile CSV (component,key,weight): 168 hour-of-week rows, then 12 month rows."""
    rows = ["component,key,weight"]
    rows += [f"hour_of_week,{hour},{hour_weight(hour)}" for hour in range(168)]
    rows += [f"month,{month},{month_weight(month)}" for month in range(1, 13)]
    return write(path, "\n".join(rows) + "\n")


def load_error(path: Path, overrides: tuple[str, ...] = ()) -> ScenarioError:
    """The ScenarioError that loading ``path`` raises."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return caught.value


def only_problem(error: ScenarioError, field_start: str) -> Problem:
    """The one problem of ``error`` whose field starts with ``field_start``."""
    found = [p for p in error.problems if p.field.startswith(field_start)]
    assert len(found) == 1, error.problems
    return found[0]


def line_field(field: str) -> str:
    """A problem's field with line keys written with dots (``handling.101.x``).

    Line names are digits, and the loader currently renders them like list indexes
    (``handling[101].x``); ``test_line_fields_are_dotted_like_set_paths`` pins the dotted form.
    """
    for line in ("101", "999"):
        field = field.replace(f"[{line}]", f".{line}")
    return field


def unquoted_999(text: str) -> str:
    """``text`` with its line key 999 unquoted in demand and handling (YAML reads a number)."""
    return variant(variant(text, '"999": {rate', "999: {rate"), '"999": {handle', "999: {handle")


def scenario_of(text: str, tmp_path: Path) -> Scenario:
    """Load scenario ``text`` written to a file in ``tmp_path``."""
    return load_scenario(write(tmp_path / "scenario.yaml", text)).scenario


# --- reading ---------------------------------------------------------------------------------


def test_tiny_scenario_loads_into_a_frozen_pydantic_model(tmp_path: Path) -> None:
    scenario = scenario_of(TINY, tmp_path)
    assert isinstance(scenario, pydantic.BaseModel)
    assert scenario.name == "tiny"
    assert scenario.horizon.days == 2.0
    assert scenario.demand["101"].rate_per_hour == 5.0
    assert scenario.pools[0].staffing.flat == 3
    with pytest.raises(pydantic.ValidationError):
        scenario.shrinkage = 0.5  # type: ignore[misc]


def test_contract_scenario_loads_as_written(tmp_path: Path) -> None:
    scenario = scenario_of(CONTRACT, tmp_path)
    assert scenario.name == "erlang-a-check"
    assert (scenario.horizon.days, scenario.horizon.warmup_hours) == (30.0, 24.0)
    assert scenario.demand["101"].rate_per_hour == 114.0
    handling = scenario.handling["101"]
    assert (handling.handle_time.dist, handling.handle_time.mean_s) == ("exponential", 300.0)
    assert handling.patience is not None and handling.patience.mean_s == 180.0
    assert scenario.service_level_s("101") == 20.0
    assert [(p.name, p.skills, p.staffing.flat) for p in scenario.pools] == [("all", ("101",), 50)]


def test_unquoted_999_line_key_is_read_as_text(tmp_path: Path) -> None:
    text = unquoted_999(TWO_LINES)
    scenario = scenario_of(text, tmp_path)
    assert set(scenario.demand) == {"999", "101"}
    assert scenario.lines == ("999", "101")


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        'name: !!python/object/apply:os.system ["touch {marker}"]',
        "name: !!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "hacked"
    path = write(tmp_path / "evil.yaml", tagged.format(marker=marker) + "\n")
    error = load_error(path)
    assert not marker.exists()
    problem = error.problems[0]
    assert problem.file == str(path)
    assert "python/" in str(problem.value)
    assert "valid YAML" in str(error)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", "name: broken\nhorizon: {days: 2}\npools: [x\n")
    with pytest.raises(ScenarioError, match=r"line \d+") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    # the unclosed flow sequence opened on line 3 is found at the end of the text (line 4)
    assert problem.field.startswith("line 4")
    assert str(path) in str(caught.value)


def test_missing_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError, match="an existing scenario file") as caught:
        load_scenario(missing)
    assert caught.value.problems[0].value == str(missing.resolve())


# --- extends ---------------------------------------------------------------------------------


def test_extends_merges_mappings_key_by_key_and_lists_by_name(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", TWO_LINES)
    child = write(
        tmp_path / "child.yaml",
        """\
        extends: base.yaml
        name: child
        handling:
          "101": {handle_time: {mean_s: 500}}
        pools:
          - {name: blended, skills: ["101"]}
          - {name: only, skills: ["999", "101"], staffing: {flat: 20}}
        """,
    )
    scenario = load_scenario(child).scenario
    assert scenario.name == "child"
    # mappings merge: the child's mean_s over the base's lognormal, cv kept
    handle_time = scenario.handling["101"].handle_time
    assert (handle_time.dist, handle_time.mean_s, handle_time.cv) == ("lognormal", 500.0, 0.7)
    assert scenario.handling["999"].handle_time.mean_s == 300.0
    assert scenario.demand["999"].rate_per_hour == 4.0
    # pools merge by name (issue 13.3; they used to replace whole, dropping the base's pools):
    # a known name changes that pool key by key, a new name is added at the end
    assert [pool.name for pool in scenario.pools] == ["emergency", "blended", "only"]
    blended = scenario.pools[1]
    assert blended.staffing.flat == 8  # kept from the base
    # a list without names (skills) still replaces whole
    assert blended.skills == ("101",)


def test_extends_null_removes_what_the_base_gave(tmp_path: Path) -> None:
    base = write(tmp_path / "base.yaml", CONTRACT)
    with_patience = load_scenario(base).scenario
    assert with_patience.handling["101"].patience is not None
    child = write(
        tmp_path / "child.yaml",
        """\
        extends: base.yaml
        handling:
          "101": {patience: null}
        """,
    )
    scenario = load_scenario(child).scenario
    assert scenario.handling["101"].patience is None  # the default: callers never hang up
    assert scenario.handling["101"].handle_time == with_patience.handling["101"].handle_time


def test_extends_chain_of_two_levels_with_paths_relative_to_each_file(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "base" / "profiles" / "flat.csv")
    roster = write(
        tmp_path / "middle" / "staff" / "roster.csv",
        "interval_start,operators\n2018-01-01T00:00,9\n",
    )
    write(
        tmp_path / "base" / "base.yaml",
        variant(TINY, "rate_per_hour: 5", "annual_volume: 50000, profile: profiles/flat.csv"),
    )
    write(
        tmp_path / "middle" / "middle.yaml",
        """\
        extends: ../base/base.yaml
        name: middle
        shrinkage: 0.1
        pools:
          - {name: all, skills: ["101"], staffing: {per_interval: staff/roster.csv}}
        """,
    )
    top = write(tmp_path / "top.yaml", "extends: middle/middle.yaml\nname: top\n")
    scenario = load_scenario(top).scenario
    assert scenario.name == "top"
    assert scenario.shrinkage == 0.1
    assert scenario.demand["101"].annual_volume == 50000.0
    assert scenario.demand["101"].profile == str(profile.resolve())
    assert scenario.pools[0].staffing.per_interval == str(roster.resolve())


def test_extends_cycle_is_refused_naming_the_cycle(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "extends: b.yaml\nname: a\n")
    second = write(tmp_path / "b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="never comes back") as caught:
        load_scenario(first)
    problem = caught.value.problems[0]
    assert problem.field == "extends"
    # the file blamed is the one whose extends closes the loop
    assert problem.file == str(second.resolve())
    assert problem.value == "a.yaml"
    assert "a.yaml -> b.yaml -> a.yaml" in problem.expected


def test_extends_cycle_of_a_file_with_itself(tmp_path: Path) -> None:
    path = write(tmp_path / "self.yaml", "extends: self.yaml\nname: self\n")
    problem = load_error(path).problems[0]
    assert problem.field == "extends"
    assert "self.yaml -> self.yaml" in problem.expected


def test_extends_cycle_message_shows_the_whole_cycle(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios" / "force-planning-2018"
    first = write(folder / "a.yaml", "extends: b.yaml\nname: a\n")
    write(folder / "b.yaml", "extends: a.yaml\nname: b\n")
    message = str(load_error(first))
    assert re.search(r"a\.yaml -> \S*b\.yaml -> \S*a\.yaml", message), message


def test_extends_missing_base_names_the_file_looked_for(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "extends: nope.yaml\nname: child\n")
    with pytest.raises(ScenarioError, match="an existing file") as caught:
        load_scenario(child)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("extends", "nope.yaml")
    assert problem.file is not None and Path(problem.file) == child.resolve()
    assert str((tmp_path / "nope.yaml").resolve()) in problem.expected


def test_extends_merges_unquoted_and_quoted_line_keys(tmp_path: Path) -> None:
    base = unquoted_999(TWO_LINES)
    write(tmp_path / "base.yaml", base)
    child = write(tmp_path / "child.yaml", 'extends: base.yaml\ndemand:\n  "999": {growth: 2}\n')
    scenario = load_scenario(child).scenario
    assert scenario.demand["999"].rate_per_hour == 4.0
    assert scenario.demand["999"].growth == 2.0


# --- overrides -------------------------------------------------------------------------------


def test_set_parses_numbers_as_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES)
    scenario = load_scenario(
        path, ["horizon.days=3", "shrinkage=0.3", "demand.101.growth=1.5", "name=other"]
    ).scenario
    assert scenario.horizon.days == 3.0
    assert scenario.shrinkage == 0.3
    assert scenario.demand["101"].growth == 1.5
    assert scenario.name == "other"


def test_set_addresses_pools_by_name_and_by_index(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES)
    scenario = load_scenario(
        path, ["pools.blended.staffing.flat=20", "pools.0.staffing.flat=7"]
    ).scenario
    flat = {pool.name: pool.staffing.flat for pool in scenario.pools}
    assert flat == {"emergency": 7, "blended": 20}
    assert isinstance(flat["blended"], int)


def test_set_applies_after_extends(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", TWO_LINES)
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nshrinkage: 0.2\n")
    scenario = load_scenario(child, ["shrinkage=0.25"]).scenario
    assert scenario.shrinkage == 0.25


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("pools.nosuch.staffing.flat=20", r"pools\.nosuch: an index below 2 or a name among"),
        ("pools.5.staffing.flat=20", r"pools\.5: an index below 2"),
        ("horizon.days", r"dotted\.path=value"),
        ("=3", r"a field path before '='"),
    ],
)
def test_set_bad_path_is_a_clear_error(tmp_path: Path, override: str, expected: str) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES)
    with pytest.raises(ScenarioError, match=expected) as caught:
        load_scenario(path, [override])
    problem = caught.value.problems[0]
    assert problem.field == "--set"
    assert problem.value == override


def test_set_unknown_field_gets_a_did_you_mean_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TINY)
    with pytest.raises(ScenarioError, match="did you mean 'days'") as caught:
        load_scenario(path, ["horizon.dayz=3"])
    problem = caught.value.problems[0]
    assert (problem.field, problem.value, problem.file) == ("horizon.dayz", "dayz", "--set")


def test_set_reaches_unquoted_line_keys(tmp_path: Path) -> None:
    text = unquoted_999(TWO_LINES)
    path = write(tmp_path / "s.yaml", text)
    scenario = load_scenario(path, ["demand.999.growth=2"]).scenario
    assert scenario.demand["999"].rate_per_hour == 4.0
    assert scenario.demand["999"].growth == 2.0


# --- each kind of error ----------------------------------------------------------------------


def test_unknown_key_has_did_you_mean_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TINY + "shrinkge: 0.3\n")
    with pytest.raises(ScenarioError, match=r"shrinkge.*did you mean 'shrinkage'\?") as caught:
        load_scenario(path)
    problem = only_problem(caught.value, "shrinkge")
    assert problem.file == str(path)
    assert problem.value == "shrinkge"
    assert "known field" in problem.expected


def test_unknown_key_deep_inside_names_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "{flat: 3}", "{flat: 3, flatt: 4}"))
    with pytest.raises(ScenarioError, match="did you mean 'flat'") as caught:
        load_scenario(path)
    assert only_problem(caught.value, "pools[0]").field == "pools[0].staffing.flatt"


def test_wrong_type_names_field_value_and_expected_type(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "flat: 3", "flat: many"))
    with pytest.raises(ScenarioError, match=r"pools\[0\]\.staffing\.flat: got 'many'") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("pools[0].staffing.flat", "many")
    assert problem.file == str(path)
    assert "integer" in problem.expected


def test_a_bad_pool_is_one_problem_only(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "flat: 3", "flat: many"))
    error = load_error(path)
    assert [p.field for p in error.problems] == ["pools[0].staffing.flat"]


def test_negative_time_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "mean_s: 300", "mean_s: -5"))
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
    path = write(tmp_path / "s.yaml", variant(TINY, old, new))
    with pytest.raises(ScenarioError, match=rf"got {value}; expected less than 1") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert line_field(problem.field) == field
    assert (problem.value, problem.file) == (value, str(path))


def test_missing_profile_csv_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY, "rate_per_hour: 5", "annual_volume: 5000, profile: profiles/nope.csv"),
    )
    missing = str((tmp_path / "profiles" / "nope.csv").resolve())
    with pytest.raises(ScenarioError, match="an existing profile CSV") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.value, problem.file) == (missing, str(path))
    assert problem.field.endswith("profile")


def test_missing_per_interval_csv_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "flat: 3", "per_interval: staff/nope.csv"))
    missing = str((tmp_path / "staff" / "nope.csv").resolve())
    with pytest.raises(ScenarioError, match="an existing staffing CSV") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.value, problem.file) == (missing, str(path))
    assert problem.field.endswith("per_interval")


def test_missing_profile_named_in_a_base_blames_the_base(tmp_path: Path) -> None:
    base = write(
        tmp_path / "base" / "base.yaml",
        variant(TINY, "rate_per_hour: 5", "annual_volume: 5000, profile: nope.csv"),
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
    path = write(tmp_path / "s.yaml", variant(TINY, old, new))
    assert load_error(path).problems[0].field == field


def test_unknown_line_in_pool_skills(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, 'skills: ["101"]', 'skills: ["112"]'))
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
        variant(TINY, "{rate_per_hour: 5}", "{rate_per_hour: 5, annual_volume: 1000}"),
    )
    with pytest.raises(ScenarioError, match="one of rate_per_hour, annual_volume or replay"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "demand.101"
    assert problem.value == {"rate_per_hour": 5, "annual_volume": 1000}
    assert problem.file == str(path)


def test_neither_rate_nor_annual_volume(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "{rate_per_hour: 5}", "{growth: 2}"))
    with pytest.raises(ScenarioError, match="one of rate_per_hour, annual_volume or replay"):
        load_scenario(path)


def test_bad_distribution_name(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY, "{dist: exponential, mean_s: 300}", "{dist: normal, mean_s: 300}"),
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
        variant(TINY, "{dist: exponential, mean_s: 300}", "{dist: lognormal, mean_s: 300}"),
    )
    with pytest.raises(ScenarioError, match=r"handle_time\.cv: got None; expected this field"):
        load_scenario(path)
    problem = load_error(path).problems[0]
    assert line_field(problem.field) == "handling.101.handle_time.cv"
    assert problem.file == str(path)


def test_bad_shift_clock_time(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        variant(TINY, "flat: 3", 'shifts: [{start: "25:00", length_h: 8, count: 2}]'),
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
    path = write(tmp_path / "s.yaml", variant(TINY, "flat: 3", "per_interval: roster.csv"))
    with pytest.raises(ScenarioError, match=r"row 4: operators: got -2") as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.value) == (str(roster.resolve()), 4, -2)
    assert "whole number >= 0" in problem.expected


def test_bad_profile_row_through_the_loader_names_the_row(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv", hour_weight=lambda hour: "x" if hour == 5 else 1)
    path = write(
        tmp_path / "s.yaml",
        variant(TINY, "rate_per_hour: 5", "annual_volume: 5000, profile: p.csv"),
    )
    with pytest.raises(ScenarioError, match="row 7") as caught:
        load_scenario(path)
    assert caught.value.problems[0].file == str(profile.resolve())


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = variant(variant(TINY, "mean_s: 300", "mean_s: -5"), "flat: 3", "flat: -1")
    path = write(tmp_path / "s.yaml", text + "shrinkge: 0.3\n")
    fields = {line_field(p.field) for p in load_error(path).problems}
    assert {"handling.101.handle_time.mean_s", "pools[0].staffing.flat", "shrinkge"} <= fields


def test_line_fields_are_dotted_like_set_paths(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", variant(TINY, "mean_s: 300", "mean_s: -5"))
    assert load_error(path).problems[0].field == "handling.101.handle_time.mean_s"


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


def plan_of(scenario: Scenario) -> staffing.StaffingPlan:
    """The plan of the scenario's only pool (absences decided by key 1: see test_absence.py)."""
    return staffing.plan_for(scenario.pools[0], scenario, absence_key=1)


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
    assert staffing.plan_for(pool, scenario, absence_key=3).operators == (10,)


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
        staffing.read_per_interval(str(roster))


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
        staffing.read_per_interval(str(roster))
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
        demand.read_profile(str(profile))
    problem = caught.value.problems[0]
    assert (problem.field, problem.value, problem.row) == ("weight", -1.0, 172)
    assert problem.file == str(profile)


def test_read_profile_unknown_component_names_the_row(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv")
    lines = profile.read_text().splitlines()
    lines[3] = lines[3].replace("hour_of_week", "day")
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=r"row 4: component: got 'day'"):
        demand.read_profile(str(profile))


def test_read_profile_missing_keys_are_named(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.csv")
    lines = [line for line in profile.read_text().splitlines() if line != "month,12,1.0"]
    assert len(lines) == 180
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=r"no weight for keys \[12\]"):
        demand.read_profile(str(profile))


def test_a_child_distribution_replaces_the_base_one_whole(tmp_path: Path) -> None:
    # key-by-key merging would keep the base's cv and refuse the exponential
    write(tmp_path / "base.yaml", TWO_LINES)
    child = write(
        tmp_path / "child.yaml",
        'extends: base.yaml\nhandling:\n  "101": {handle_time: {dist: exponential, mean_s: 300}}\n',
    )
    spec = load_scenario(child).scenario.handling["101"].handle_time
    assert (spec.dist, spec.mean_s) == ("exponential", 300.0)


def test_set_errors_name_the_scenario_file(tmp_path: Path) -> None:
    path = write(tmp_path / "two.yaml", TWO_LINES)
    problem = load_error(path, ("pools.nosuch.staffing.flat=3",)).problems[0]
    assert problem.file == str(path)
    assert "nosuch" in str(problem) and "emergency" in problem.expected


def test_set_a_flat_staffing_replaces_the_shifts(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(TWO_LINES.replace(
        "staffing: {flat: 8}", "staffing: {shifts: [{start: '08:00', length_h: 8, count: 3}]}"))
    scenario = load_scenario(base, ["pools.blended.staffing.flat=12"]).scenario
    assert scenario.pools[1].staffing.flat == 12 and scenario.pools[1].staffing.shifts is None
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\npools:\n  - {name: emergency, skills: ['999'], "
                     "staffing: {flat: 5}}\n  - {name: blended, skills: ['999', '101'], "
                     "staffing: {flat: 9}}\n")
    assert load_scenario(child).scenario.pools[1].staffing.flat == 9


def test_a_seed_of_zero_is_a_seed_and_a_negative_one_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES + "seed: 0\n")
    assert load_scenario(path).scenario.seed == 0
    path = write(tmp_path / "s.yaml", TWO_LINES + "seed: -3\n")
    assert load_error(path).problems[0].field == "seed"


def test_a_pool_may_not_take_a_line_name(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES.replace("name: emergency", "name: '999'"))
    assert "not a line's" in load_error(path).problems[0].expected


def test_a_missing_file_anywhere_is_found_at_load(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", TWO_LINES + (
        "callback: {offer_after_s: 60, accept_probability: 0.5, "
        "handle_time: {dist: empirical, file: nowhere.csv}}\n"))
    problem = load_error(path).problems[0]
    assert problem.field == "callback.handle_time.file"
