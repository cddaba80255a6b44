"""Loading a scenario to run: read and validate it (:mod:`contactsim.config`), then read every
file it names once (profiles, call logs, staffing tables, empirical samples) and refuse a
scenario too big to simulate, so that a bad file or an impossible size fails before any work.

:func:`load_scenario` is the way in for the command line, the planning tools and tests.
"""

from __future__ import annotations

import math
import typing
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from contactsim import limits
from contactsim.build.demand import check_replay, expected_line_callers
from contactsim.build.staffing import rostered
from contactsim.config.loader import (
    LoadedScenario,
    read_scenario,
    read_scenario_text,
    validate_mapping,
)
from contactsim.config.origins import Origins, origin, split_field
from contactsim.config.scenario import Scenario
from contactsim.data.demand_profiles import read_profile
from contactsim.data.empirical import read_empirical
from contactsim.errors import Problem, ScenarioError


def load_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> LoadedScenario:
    """Read a scenario file, follow ``extends``, apply ``--set`` overrides and validate it
    (see :func:`contactsim.config.loader.read_scenario`); then read each file it names and
    check that it is small enough to simulate.

    Raises
    ------
    ScenarioError
        If any file cannot be read, any field is wrong, or the scenario is too big.
    """
    loaded = read_scenario(path, overrides)
    top_file = str(loaded.source)
    notices = check_files(loaded.scenario, loaded.origins, top_file)
    check_size(loaded.scenario, loaded.origins, top_file)
    return replace(loaded, notices=notices)


def load_scenario_text(text: str, path: str | Path) -> LoadedScenario:
    """A scenario given as YAML ``text``, loaded as :func:`load_scenario` would load it from the
    file ``path`` (see :func:`contactsim.config.loader.read_scenario_text`)."""
    loaded = read_scenario_text(text, path)
    top_file = str(loaded.source)
    notices = check_files(loaded.scenario, loaded.origins, top_file)
    check_size(loaded.scenario, loaded.origins, top_file)
    return replace(loaded, notices=notices)


def scenario_from_mapping(raw: dict[str, Any], name_for_errors: str = "<mapping>") -> Scenario:
    """Validate a scenario given as a plain mapping (paths must already be absolute), read
    the files it names and check its size, as :func:`load_scenario` does for a file."""
    scenario = validate_mapping(raw, name_for_errors)
    check_files(scenario, {}, name_for_errors)
    check_size(scenario, {}, name_for_errors)
    return scenario


def check_files(scenario: Scenario, origins: Origins, top_file: str) -> tuple[str, ...]:
    """Read each file the scenario names once, so a bad file fails before anything runs.
    Returns the notices the files gave (a log sorted by time, say)."""
    problems: list[Problem] = []
    notices: list[str] = []

    def attempt(field: str, check: typing.Callable[[], object]) -> None:
        try:
            check()
        except ScenarioError as exc:
            for p in exc.problems:
                if p.file is None:
                    # the problem is the scenario's field (a missing file), not inside the file
                    file = origin(split_field(field), origins, top_file)
                    problems.append(Problem(field, p.value, p.expected, file, p.row))
                else:
                    problems.append(p)

    for line, line_demand in scenario.demand.items():
        if line_demand.profile is not None:
            attempt(f"demand.{line}.profile", partial(read_profile, line_demand.profile))
        if line_demand.replay is not None:
            attempt(
                f"demand.{line}.replay",
                partial(check_replay, line, line_demand, scenario.horizon, notices,
                        line in scenario.redial),
            )
    for field, spec in _distributions(scenario):
        if spec.dist == "empirical":
            attempt(f"{field}.file", partial(read_empirical, spec.file, spec.column))
    rc = scenario.resolution_centre
    if rc is not None:
        attempt("resolution_centre.staffing", partial(rostered, rc.staffing, scenario.horizon))
    for index, pool in enumerate(scenario.pools):
        plan = next(k for k in ("flat", "per_interval", "shifts")
                    if getattr(pool.staffing, k) is not None)
        attempt(f"pools[{index}].staffing.{plan}",
                partial(rostered, pool.staffing, scenario.horizon))
    if problems:
        raise ScenarioError(problems)
    return tuple(dict.fromkeys(notices))


def check_size(scenario: Scenario, origins: Origins, top_file: str) -> None:
    """Refuse, before any work, a scenario too big to simulate: more calls in one replication
    than :data:`~contactsim.limits.MAX_CALLS_PER_REPLICATION`, or more operators in one pool at
    one time than :data:`~contactsim.limits.MAX_OPERATORS_PER_POOL`."""
    problems: list[Problem] = []
    # a line with bursts: 1 + share x extra_calls calls per caller on average
    calls = {line: expected_line_callers(line, spec, scenario.horizon) * (
                 1.0 + spec.bursts.share * spec.bursts.extra_calls if spec.bursts else 1.0)
             for line, spec in scenario.demand.items()}
    total = sum(calls.values())
    if total > limits.MAX_CALLS_PER_REPLICATION:
        busiest = max(calls, key=lambda line: calls[line])
        problems.append(Problem(
            f"demand.{busiest}", f"{total:,.0f} calls expected in one replication",
            f"at most {limits.MAX_CALLS_PER_REPLICATION:,} calls in one replication, all lines "
            f"({scenario.horizon.days:g} days; line {busiest} brings {calls[busiest]:,.0f}): "
            "lower the demand or shorten horizon.days",
            origin(("demand", busiest), origins, top_file),
        ))
    rosters = [(f"pools[{i}].staffing", p.name, p.staffing) for i, p in enumerate(scenario.pools)]
    if scenario.resolution_centre is not None:
        rosters.append(("resolution_centre.staffing", "resolution_centre",
                        scenario.resolution_centre.staffing))
    for field, name, roster in rosters:
        most = math.ceil(max(rostered(roster, scenario.horizon)[1]) - 1e-9)
        if most > limits.MAX_OPERATORS_PER_POOL:
            problems.append(Problem(
                field, f"{most:,} operators rostered at one time in {name}",
                f"at most {limits.MAX_OPERATORS_PER_POOL:,} in one pool at one time",
                origin(split_field(field), origins, top_file),
            ))
    if problems:
        raise ScenarioError(problems)


def _distributions(scenario: Scenario) -> list[tuple[str, Any]]:
    """Every distribution the scenario names, with its dotted field."""
    found: list[tuple[str, Any]] = []
    for line, handling in scenario.handling.items():
        found.append((f"handling.{line}.handle_time", handling.handle_time))
        if handling.patience is not None:
            found.append((f"handling.{line}.patience", handling.patience))
    for line, handling in scenario.handling.items():
        if handling.call_backs is not None:
            rule = handling.call_backs
            found.append((f"handling.{line}.call_backs.handle_time", rule.handle_time))
            if rule.silent_handle_time is not None:
                found.append((f"handling.{line}.call_backs.silent_handle_time",
                              rule.silent_handle_time))
    for line, line_demand in scenario.demand.items():
        if line_demand.bursts is not None:
            found.append((f"demand.{line}.bursts.handle_time", line_demand.bursts.handle_time))
    for line, redial in scenario.redial.items():
        found.append((f"redial.{line}.delay", redial.delay))
    if scenario.callback is not None and scenario.callback.handle_time is not None:
        found.append(("callback.handle_time", scenario.callback.handle_time))
    if scenario.resolution_centre is not None:
        found.append(("resolution_centre.work_time", scenario.resolution_centre.work_time))
    return found
