"""Shift catalogues for ``contactsim roster``: the shipped one reads; each mistake a planner can
make is one problem naming the file, the field, the value and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsim.config.catalogue import (
    MAX_CYCLE_DAYS,
    Catalogue,
    check_pools,
    cycle_days,
    parse_pattern,
    read_catalogue,
)
from contactsim.config.loader import read_scenario
from contactsim.errors import Problem, ScenarioError
from helpers.scenarios import SCENARIOS, write

SHIPPED = SCENARIOS / "catalogues" / "shifts-8-10-12.yaml"

GOOD = """\
shifts:
  - name: early8
    length_h: 8
    starts: ["06:00", "07:00"]
    patterns: ["5-2"]
    breaks: [{after_h: 4, length_min: 30}]
pools:
  blended: {min_heads: 0, max_heads: 80, max_part_time_share: 0.25}
"""


def problem_of(tmp_path: Path, text: str) -> Problem:
    """The one problem reading ``text`` as a catalogue gives (it must give exactly one)."""
    path = write(tmp_path / "catalogue.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        read_catalogue(path)
    assert len(caught.value.problems) == 1, caught.value
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    return problem


def test_the_shipped_catalogue_reads_and_fits_the_baselines_pools() -> None:
    catalogue = read_catalogue(SHIPPED)
    baseline = read_scenario(SCENARIOS / "baseline-2018.yaml").scenario
    pools = [pool.name for pool in baseline.pools]
    check_pools(catalogue, pools, SHIPPED)
    assert {s.length_h for s in catalogue.shifts} == {8, 10, 12}
    assert all(shift.breaks for shift in catalogue.shifts)
    assert all(catalogue.shifts_for(pool) for pool in pools)


def test_a_good_catalogue_reads_with_its_defaults(tmp_path: Path) -> None:
    catalogue = read_catalogue(write(tmp_path / "c.yaml", GOOD))
    shift = catalogue.shifts[0]
    assert shift.cost_per_shift == 8  # paid hours by default
    assert shift.pools is None and not shift.part_time
    assert catalogue.limits_of("blended").max_heads == 80
    assert catalogue.limits_of("other").max_heads is None
    bare = Catalogue.model_validate({"shifts": [{"name": "a", "length_h": 8,
                                                 "starts": ["08:00"]}]})
    assert bare.shifts[0].patterns == ("7-0",)


def test_a_name_given_twice_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("pools:", "  - {name: early8, length_h: 10, starts: ['09:00']}\npools:")
    problem = problem_of(tmp_path, text)
    assert (problem.field, problem.value) == ("shifts[1].name", "early8")
    assert "shifts[0]" in problem.expected


def test_a_shift_over_24_hours_is_refused(tmp_path: Path) -> None:
    problem = problem_of(tmp_path, GOOD.replace("length_h: 8", "length_h: 25"))
    assert (problem.field, problem.value) == ("shifts[0].length_h", 25)
    assert "at most 24 hours" in problem.expected


def test_a_break_outside_the_shift_is_refused(tmp_path: Path) -> None:
    problem = problem_of(tmp_path, GOOD.replace("after_h: 4,", "after_h: 7.8,"))
    assert problem.field == "shifts[0].breaks"
    assert "06:00" in problem.expected and "past the end" in problem.expected


def test_a_break_outside_only_one_start_is_named_by_that_start(tmp_path: Path) -> None:
    # a break within clock times fits a shift from 07:00 but not one from 06:00 (it would
    # start after the 8-hour shift ends at 14:00)
    text = GOOD.replace("{after_h: 4, length_min: 30}", '{within: ["13:00", "15:00"], '
                        "length_min: 30}")
    problem = problem_of(tmp_path, text)
    assert "starting at 06:00" in problem.expected


@pytest.mark.parametrize("limits", [
    "{min_heads: 10, max_heads: 5}",
    "{max_part_time_share: 1.5}",
    "{max_part_time_share: -0.1}",
    "{min_heads: -1}",
])
def test_impossible_limits_are_refused(tmp_path: Path, limits: str) -> None:
    text = GOOD.replace("{min_heads: 0, max_heads: 80, max_part_time_share: 0.25}", limits)
    problem = problem_of(tmp_path, text)
    assert problem.field.startswith("pools.blended")


@pytest.mark.parametrize("pattern", ["5", "0-7", "5-2-1", "five-two", "29-1", "5-29"])
def test_a_pattern_not_n_days_on_m_off_is_refused(tmp_path: Path, pattern: str) -> None:
    problem = problem_of(tmp_path, GOOD.replace('"5-2"', f'"{pattern}"'))
    assert problem.field == "shifts[0].patterns"
    assert "days on" in problem.expected


@pytest.mark.parametrize(("old", "new", "field"), [
    ('["06:00", "07:00"]', '["06:00", "06:00"]', "shifts[0].starts"),
    ('["06:00", "07:00"]', '["6am"]', "shifts[0].starts"),
    ('["5-2"]', '["5-2", "5 - 2"]', "shifts[0].patterns"),
    ("length_h: 8", "length_h: 0", "shifts[0].length_h"),
    ("length_h: 8", "length_h: true", "shifts[0].length_h"),
    ("name: early8", "name: early8\n    colour: red", "shifts[0].colour"),
])
def test_other_mistakes_name_their_field(tmp_path: Path, old: str, new: str,
                                         field: str) -> None:
    assert problem_of(tmp_path, GOOD.replace(old, new)).field == field


def test_cycles_that_repeat_together_only_after_too_long_are_refused(tmp_path: Path) -> None:
    # 4-4 (8 days), 5-4 (9 days) and the week repeat together every 504 days
    problem = problem_of(tmp_path, GOOD.replace('["5-2"]', '["4-4", "5-4"]'))
    assert problem.field == "patterns" and str(MAX_CYCLE_DAYS) in problem.expected
    assert cycle_days([parse_pattern("4-4"), parse_pattern("5-4")]) == 504
    assert cycle_days([parse_pattern("5-2"), parse_pattern("4-3")]) == 7


def test_a_pool_the_requirement_does_not_have_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", GOOD.replace('patterns: ["5-2"]',
                                                   'patterns: ["5-2"]\n    pools: [blendid]'))
    catalogue = read_catalogue(path)
    with pytest.raises(ScenarioError) as caught:
        check_pools(catalogue, ["blended", "emergency"], path)
    fields = {(p.field, p.value) for p in caught.value.problems}
    assert fields == {("shifts[0].pools", "blendid")}
    with pytest.raises(ScenarioError, match=r"pools\.blended: got 'blended'"):
        check_pools(catalogue, ["blendid"], path)


def test_patterns_say_how_many_shifts_a_week() -> None:
    assert parse_pattern("5-2").weekly and parse_pattern("5-2").shifts_per_week == 5
    four_on_four_off = parse_pattern(" 4 - 4 ")
    assert not four_on_four_off.weekly and four_on_four_off.shifts_per_week == 3.5
    assert str(four_on_four_off) == "4-4"
