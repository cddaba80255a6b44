"""A targets file's unknowns checked against the scenario they calibrate: where each field
sits in the scenario, the bounds the search may move it in, whether it takes whole numbers only
(an operator count) and the value it starts from; and the months a scenario measures, which a
target's period must fall in.

:func:`check_against` is the entry point; every problem is a
:class:`~contactsim.errors.ScenarioError` naming the targets file, the field and the value.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contactsim.build.loading import load_scenario
from contactsim.config.scenario import Scenario
from contactsim.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from contactsim.planning.targets import Targets, Unknown

__all__ = ["Parameter", "check_against", "locate", "measured_months"]


@dataclass(frozen=True)
class Parameter:
    """An unknown checked against the scenario: its field, its place, bounds and start."""

    field: str
    path: tuple[str | int, ...]  # keys and list indexes into the scenario's mapping
    low: float
    high: float
    start: float
    whole: bool  # a whole-number field (an operator count): values are rounded
    name: str | None = None  # the targets file's label for it

    @property
    def label(self) -> str:
        """The unknown in a planner's words: ``101 patience mean``, ``blended staffing scale``."""
        if self.name:
            return self.name
        parts = self.field.split(".")
        if parts[0] in ("handling", "pools", "demand") and len(parts) > 2:
            parts = parts[1:]
        return " ".join(parts).removesuffix("_s").removesuffix("_h")

    @property
    def unit(self) -> str:
        """``s``, ``h`` or nothing, from the field's name."""
        for suffix in ("_s", "_h"):
            if self.field.endswith(suffix):
                return suffix[1:]
        return ""

    @property
    def digits(self) -> int:
        """Decimals worth keeping: a ten-thousandth of the bounds' range."""
        return 0 if self.whole else max(0, -math.floor(math.log10((self.high - self.low) / 1e4)))

    def at(self, share: float) -> float:
        """The value ``share`` (0-1) of the way from the low bound to the high one."""
        value = self.low + min(1.0, max(0.0, share)) * (self.high - self.low)
        return float(round(value)) if self.whole else round(value, self.digits)

    def share(self, value: float) -> float:
        """Where ``value`` lies between the bounds, 0-1."""
        return (value - self.low) / (self.high - self.low)

    def shown(self, value: float) -> str:
        """A value with its unit, e.g. ``2,950 s`` or ``1.04``."""
        if math.isnan(value):
            return "—"
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
        return f"{text} {self.unit}".strip()

    def override(self, value: float) -> str:
        """The ``--set`` text that gives the field ``value``."""
        return f"{self.field}={int(value) if self.whole else value!r}"


# --- against the scenario ----------------------------------------------------------------------


def check_against(
    targets: Targets, scenario_file: str | Path, scenario: Scenario,
    overrides: Sequence[str] = (),
) -> list[Parameter]:
    """Check the targets against the scenario they calibrate and return the unknowns with
    their starting values (the scenario's own, clipped into the bounds).

    Raises ScenarioError if a target names a line the scenario lacks or a month it does not
    measure, or if an unknown is not a number field the scenario can take at its bounds.
    """
    file = str(targets.source)
    problems: list[Problem] = []
    measured = measured_months(scenario)
    for index, target in enumerate(targets.spec.targets):
        if target.line not in scenario.lines:
            problems.append(Problem(f"targets[{index}].line", target.line,
                                    f"a line of the scenario ({', '.join(scenario.lines)})", file))
        wanted = target.period or ((target.peak_month,) if target.peak_month else ())
        missing = [m for m in wanted if m not in measured]
        if missing or (target.kind == "peak_month" and len(measured) < 2):
            problems.append(Problem(
                f"targets[{index}].{'peak_month' if target.peak_month else 'period'}",
                missing or target.peak_month,
                f"months the scenario measures ({_months_text(measured)}, after the warm-up)"
                + ("; a peak month needs at least two" if target.kind == "peak_month" else ""),
                file,
            ))
    data = scenario.model_dump(mode="json", by_alias=True)
    parameters = []
    for index, unknown in enumerate(targets.spec.unknowns):
        try:
            parameters.append(_parameter(unknown, data, scenario_file, overrides))
        except ScenarioError as exc:
            reasons = "; ".join(f"{p.field}: got {p.value!r}; expected {p.expected}"
                                for p in exc.problems)
            problems.append(Problem(f"unknowns[{index}].field", unknown.field,
                                    f"a number field of the scenario that --set can change, "
                                    f"at both bounds ({reasons})", file))
    if problems:
        raise ScenarioError(problems)
    return parameters


def _parameter(unknown: Unknown, data: dict[str, Any], scenario_file: str | Path,
               overrides: Sequence[str]) -> Parameter:
    path, current = locate(data, unknown.field)
    low, high = unknown.bounds
    if current is not None and (isinstance(current, bool)
                                or not isinstance(current, int | float)):
        raise ScenarioError.single(unknown.field, current, "a number")
    # a whole-number field (a flat staffing, a shift's count) takes whole values only: decided
    # from the schema, by trying a value between two whole numbers
    whole = low == int(low) and high == int(high) and not _takes_fractions(
        scenario_file, overrides, unknown.field, low
    )
    start = (low + high) / 2 if current is None else min(high, max(low, float(current)))
    parameter = Parameter(unknown.field, path, low, high, 0.0, whole, unknown.label)
    parameter = replace(parameter, start=parameter.at(parameter.share(start)))
    for value in (low, high):
        load_scenario(scenario_file, [*overrides, parameter.override(value)])
    if not path:  # not in the scenario before: find where --set put it
        data = load_scenario(scenario_file, [*overrides, parameter.override(start)]
                             ).scenario.model_dump(mode="json", by_alias=True)
        parameter = replace(parameter, path=locate(data, unknown.field)[0])
    return parameter


def _takes_fractions(
    scenario_file: str | Path, overrides: Sequence[str], field: str, value: float
) -> bool:
    """Whether the scenario accepts a value with a fraction at ``field`` (else: whole only)."""
    try:
        load_scenario(scenario_file, [*overrides, f"{field}={value + 0.5}"])
    except ScenarioError:
        return False
    return True


def locate(data: Any, field: str) -> tuple[tuple[str | int, ...], Any]:
    """The path (keys, list indexes) and value of a dotted field, pools picked by index or
    name as ``--set`` does; an empty path and None where the scenario does not hold it."""
    node: Any = data
    path: list[str | int] = []
    for part in field.split("."):
        key: str | int
        if isinstance(node, dict) and part in node:
            node, key = node[part], part
        elif isinstance(node, list):
            names = [i.get("name") if isinstance(i, dict) else None for i in node]
            if part in names:
                key = names.index(part)
            elif part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                key = int(part) % len(node)
            else:
                return (), None
            node = node[key]
        else:
            return (), None
        path.append(key)
    return tuple(path), node


def measured_months(scenario: Scenario) -> list[int]:
    """Calendar months (1-12) holding a measured interval (after the warm-up), in order."""
    horizon = scenario.horizon
    begin = datetime.combine(horizon.start, datetime.min.time())
    first = begin + timedelta(seconds=horizon.warmup_s)
    last = begin + timedelta(seconds=horizon.end_s - 1)
    months: list[int] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if month not in months:
            months.append(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _months_text(months: list[int]) -> str:
    return ", ".join(calendar.month_abbr[m] for m in months) or "none"
