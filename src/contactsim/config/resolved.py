"""The scenario as run, written beside its results: after ``extends`` and defaults, every
default that depends on the lines written out, with the seed used. (The input files it names
are found by :func:`contactsim.data.portable.input_fields`, so that a results folder can keep
its own copies.)

The results folder holds this text as its resolved-scenario file
(:data:`contactsim.data.folders.RESOLVED_SCENARIO`); it reads back as the same scenario.
"""

from __future__ import annotations

from typing import Any

import yaml

from contactsim.config.loader import LoadedScenario
from contactsim.config.scenario import Scenario


def resolved_data(loaded: LoadedScenario | Scenario, seed: int | None) -> dict[str, Any]:
    """The scenario after ``extends`` and defaults, as plain data: every default that depends
    on the lines (service-level thresholds, the priority) written out, and the seed used (left
    out when ``seed`` is None)."""
    scenario = loaded.scenario if isinstance(loaded, LoadedScenario) else loaded
    data = scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
    data.pop("seed", None)
    if seed is not None:
        data["seed"] = seed
    for line in scenario.demand:
        data["handling"][line]["service_level_s"] = scenario.service_level_s(line)
    data["routing"]["priority"] = list(scenario.lines)
    return data


RESOLVED_HEADER = "# contactsim: the scenario as run, after extends and defaults, with its seed.\n"


def dump_resolved(loaded: LoadedScenario | Scenario, seed: int) -> str:
    """The scenario after ``extends`` and defaults, with the seed used, as YAML text."""
    data = resolved_data(loaded, seed)
    return RESOLVED_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
