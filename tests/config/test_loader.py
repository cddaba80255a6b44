"""Scenario loading: YAML, ``extends`` and ``--set`` overrides.

The errors a planner sees are checked in ``test_loader_errors.py``; the staffing and demand
arrays built from a loaded scenario in ``tests/build/test_loaded_staffing_and_demand.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydantic
import pytest

from contactsim.build.loading import load_scenario
from contactsim.errors import ScenarioError
from helpers.loading import (
    TWO_LINES,
    load_error,
    scenario_of,
    unquoted_999,
    variant,
    write_profile,
)
from helpers.scenarios import CONTRACT, TINY_101, write

# --- reading ---------------------------------------------------------------------------------


def test_tiny_scenario_loads_into_a_frozen_pydantic_model(tmp_path: Path) -> None:
    scenario = scenario_of(TINY_101, tmp_path)
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
        variant(TINY_101, "rate_per_hour: 5", "annual_volume: 50000, profile: profiles/flat.csv"),
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
    path = write(tmp_path / "s.yaml", TINY_101)
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
