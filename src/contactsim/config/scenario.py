"""The validated, frozen scenario: every figure a planner may change, with its unit in its name.

Reads no files: paths are kept as text (the loader has already made them absolute; the files
themselves are read by :mod:`contactsim.build.loading` before a run). Field-level rules live on
the fields, in the modules of each part of a scenario (:mod:`~contactsim.config.horizon`,
:mod:`~contactsim.config.lines`, :mod:`~contactsim.config.pools`,
:mod:`~contactsim.config.callbacks`, :mod:`~contactsim.config.triage`, and the time
:mod:`~contactsim.config.distributions`); rules that tie fields together (every line handled
and staffed, priorities naming real lines) are in :func:`cross_check`, which reports each
problem with its dotted path.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from contactsim import limits
from contactsim.config.callbacks import Callback, Redial
from contactsim.config.events import DemandEvent
from contactsim.config.fields import Frozen, ShareBelowOne, line_name
from contactsim.config.horizon import Horizon
from contactsim.config.lines import (
    DEFAULT_SERVICE_LEVEL_OTHER_S,
    DEFAULT_SERVICE_LEVEL_S,
    EMERGENCY_LINE,
    LineDemand,
    LineHandling,
)
from contactsim.config.outages import Outage, outage_problems
from contactsim.config.pools import Pool, Routing
from contactsim.config.triage import ResolutionCentre, Triage
from contactsim.data.files import safe_component
from contactsim.errors import ContactsimError, Problem

__all__ = ["Scenario", "cross_check"]


class Scenario(Frozen):
    """A whole scenario, after ``extends`` and defaults."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    seed: Annotated[int, Field(ge=0)] | None = None
    horizon: Horizon = Horizon()
    demand: Annotated[dict[str, LineDemand], Field(min_length=1)]
    handling: dict[str, LineHandling]
    pools: Annotated[tuple[Pool, ...], Field(min_length=1)]
    shrinkage: ShareBelowOne = 0.0
    routing: Routing = Routing()
    callback: Callback | None = None
    redial: dict[str, Redial] = Field(default_factory=dict)
    triage: dict[str, Triage] = Field(default_factory=dict)
    resolution_centre: ResolutionCentre | None = None
    #: surges: dated or yearly windows that multiply (or add to) a line's demand
    events: tuple[DemandEvent, ...] = ()
    #: pools off the phones for a window (a site's power or network down)
    outages: tuple[Outage, ...] = ()

    @field_validator("demand", "handling", "redial", "triage", mode="before")
    @classmethod
    def _line_keys_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 999 as a number; planners should not have to quote it.
        if isinstance(value, dict):
            return {line_name(k): v for k, v in value.items()}
        return value

    @property
    def lines(self) -> tuple[str, ...]:
        """Line names, most urgent first: the routing's priority if given, else the emergency
        line first and the others in the order ``demand`` gives them."""
        if self.routing.priority is not None:
            return self.routing.priority
        names = list(self.demand)
        return tuple(sorted(names, key=lambda name: (name != EMERGENCY_LINE, names.index(name))))

    def service_level_s(self, line: str) -> float:
        """The service-level threshold of a line, with its default filled in."""
        given = self.handling[line].service_level_s
        if given is not None:
            return given
        return DEFAULT_SERVICE_LEVEL_S.get(line, DEFAULT_SERVICE_LEVEL_OTHER_S)

    def also_within_s(self, line: str) -> tuple[float, ...]:
        """A line's further service-level thresholds (seconds; none if not given)."""
        return self.handling[line].also_within_s or ()

    def pool_shrinkage(self, pool: Pool) -> float:
        """A pool's shrinkage: its own if given, else the scenario's."""
        return self.shrinkage if pool.shrinkage is None else pool.shrinkage


def cross_check(scenario: Scenario) -> list[Problem]:
    """Problems that tie fields together, each with its dotted path. Empty when consistent."""
    problems: list[Problem] = []
    lines = list(scenario.demand)
    line_text = ", ".join(repr(name) for name in lines)
    for name in scenario.handling:
        if name not in scenario.demand:
            problems.append(
                Problem(f"handling.{name}", name, f"a line that has demand (one of {line_text})")
            )
    for name in lines:
        if name not in scenario.handling:
            problems.append(
                Problem(f"handling.{name}", None, "a handling section for every line with demand")
            )
    problems += _names_usable_as_files(scenario)
    seen_pools: set[str] = set()
    for index, pool in enumerate(scenario.pools):
        if pool.name in seen_pools:
            problems.append(Problem(f"pools[{index}].name", pool.name, "a pool name used once"))
        if pool.name in scenario.demand or pool.name == "resolution_centre":
            problems.append(Problem(
                f"pools[{index}].name", pool.name,
                "a name that is not a line's nor resolution_centre (results are kept by name)",
            ))
        seen_pools.add(pool.name)
        for skill in pool.skills:
            if skill not in scenario.demand:
                problems.append(
                    Problem(f"pools[{index}].skills", skill, f"a line among {line_text}")
                )
    for name in lines:
        if not any(name in pool.skills for pool in scenario.pools):
            problems.append(
                Problem(f"demand.{name}", name, "at least one pool with this line in its skills")
            )
    priority = scenario.routing.priority
    if priority is not None and sorted(priority) != sorted(lines):
        problems.append(
            Problem("routing.priority", list(priority), f"each line once: {line_text}")
        )
    reserve = scenario.routing.reserve
    if reserve is not None and reserve.for_line not in scenario.demand:
        problems.append(
            Problem("routing.reserve.for_line", reserve.for_line, f"a line among {line_text}")
        )
    callback = scenario.callback
    if callback is not None and callback.line not in scenario.demand:
        problems.append(
            Problem("callback.line", callback.line, f"a line with demand, among {line_text}")
        )
    for name, triage in scenario.triage.items():
        if name not in scenario.demand:
            problems.append(Problem(f"triage.{name}", name, f"a line among {line_text}"))
        if triage.resolution_centre > 0 and scenario.resolution_centre is None:
            problems.append(
                Problem(f"triage.{name}.resolution_centre", triage.resolution_centre,
                        "0 unless the scenario has a resolution_centre section")
            )
    for name, redial in scenario.redial.items():
        if name not in scenario.demand:
            problems.append(Problem(f"redial.{name}", name, f"a line among {line_text}"))
        if redial.switch_to_999 > 0 and (
            name == EMERGENCY_LINE or EMERGENCY_LINE not in scenario.demand
        ):
            problems.append(
                Problem(
                    f"redial.{name}.switch_to_999", redial.switch_to_999,
                    f"0 unless the line is not {EMERGENCY_LINE} and the scenario has a "
                    f"{EMERGENCY_LINE} line",
                )
            )
    seen: set[str] = set()
    for index, event in enumerate(scenario.events):
        if event.name in seen:
            problems.append(Problem(f"events[{index}].name", event.name, "an event name used once"))
        seen.add(event.name)
        lines = [event.line] if event.line is not None else list(scenario.demand)
        if event.line is not None and event.line not in scenario.demand:
            problems.append(Problem(f"events[{index}].line", event.line,
                                    f"a line among {line_text}"))
            continue
        for line in lines:
            if scenario.demand[line].replay is not None and event.line is not None:
                problems.append(Problem(
                    f"events[{index}].line", event.line,
                    "a line whose demand is synthesised (a rate or an annual volume): a "
                    "replayed log has its own surges"))
    problems += outage_problems(scenario.outages, scenario.pools)
    return problems


def _names_usable_as_files(scenario: Scenario) -> list[Problem]:
    """Names become file and folder names (results/<name>, staffing/<pool>.csv): each must
    give one (see contactsim.data.files.safe_component)."""
    named = [("name", scenario.name, "scenario name")]
    named += [(f"pools[{i}].name", pool.name, "pool name") for i, pool in enumerate(scenario.pools)]
    named += [(f"demand.{line}", line, "line name") for line in scenario.demand]
    problems = []
    for field, name, what in named:
        try:
            safe_component(name, what)
        except ContactsimError:
            problems.append(Problem(
                field, name, f"a name with at least one letter or digit and at most "
                f"{limits.MAX_NAME_CHARACTERS} characters (it becomes a file or folder name)"))
    return problems
