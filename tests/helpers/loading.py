"""Loading scenario files in tests: the two-line centre the loader tests extend, text variants
that must change something, profile files, and the one problem a bad scenario gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario
from contactsim.config.scenario import Scenario
from contactsim.errors import Problem, ScenarioError
from helpers.scenarios import write

#: two lines for two days: an emergency pool and a blended one
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
