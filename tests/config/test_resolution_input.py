"""Triage and the Resolution Centre (RC) in a scenario: bad input is refused with a message
naming the field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contactsim.build.loading import scenario_from_mapping
from contactsim.errors import ScenarioError

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
