"""Targets files: the published figures a scenario must reproduce, and the unknowns to fit.

A targets file (YAML, read with ``yaml.safe_load``) lists ``targets`` — a line's KPI over a
period with its published value and tolerance, a bound, or the month it must peak in, each
with the ``source`` it was taken from — and ``unknowns``: scenario fields (as ``--set`` names
them) with the bounds the search may move them in. :func:`load_targets` checks the file on its
own; :func:`check_against` checks it against the scenario (lines exist, periods are measured,
every unknown can be set at its bounds) and gives each unknown its starting value. Every problem
is a :class:`~contactsim.errors.ScenarioError` naming the file, the field, the value and what was
expected.
"""

from __future__ import annotations

import calendar
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contactsim.analysis.periods import PERIOD_KPIS
from contactsim.config.loader import load_scenario, read_yaml_mapping
from contactsim.config.scenario import Scenario
from contactsim.errors import Problem, ScenarioError
from contactsim.limits import MAX_EVALUATIONS, MAX_REPLICATIONS

__all__ = [
    "Parameter", "SearchSettings", "Target", "Targets", "check_against", "load_targets", "locate",
    "measured_months",
]

Month = Annotated[int, Field(ge=1, le=12)]
#: Figures, bounds and tolerances: finite and of a size a KPI or a scenario field can have
#: (beyond these the search's arithmetic over- or underflows).
LARGEST = 1e12
SMALLEST = 1e-9
Finite = Annotated[float, Field(ge=-LARGEST, le=LARGEST, allow_inf_nan=False)]
PositiveFinite = Annotated[float, Field(ge=SMALLEST, le=LARGEST, allow_inf_nan=False)]

#: How a KPI is named in tables and messages.
KPI_NAMES = {
    "offered": "offered", "answered": "answered", "abandoned": "abandoned",
    "asa_s": "ASA (s)", "abandon_rate": "abandon rate", "service_level": "service level",
}
PERIOD_TEXT = "year, {month: M} or {months: [M, ...]} with months 1-12"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """One published figure: a value with a tolerance, a bound, or the month of the peak."""

    line: str
    kpi: str
    period: tuple[int, ...] | None = None  # months measured; None: every measured interval
    value: Finite | None = None
    tolerance: PositiveFinite | None = None
    tolerance_pct: PositiveFinite | None = None
    at_most: Finite | None = None
    at_least: Finite | None = None
    peak_month: Month | None = None
    source: Annotated[str, Field(min_length=1)]

    @field_validator("line", mode="before")
    @classmethod
    def _line_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("kpi")
    @classmethod
    def _period_kpi(cls, value: str) -> str:
        if value not in PERIOD_KPIS:
            raise ValueError(f"a KPI of a period: one of {', '.join(PERIOD_KPIS)}")
        return value

    @field_validator("period", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        if value is None or value == "year":
            return None
        if isinstance(value, dict) and len(value) == 1:
            months = value.get("month", value.get("months"))
            if "month" in value and isinstance(months, int):
                months = [months]
            if isinstance(months, list) and months and all(
                isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in months
            ) and len(set(months)) == len(months):
                return tuple(sorted(months))
        raise ValueError(PERIOD_TEXT)

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        kinds = [k for k in ("value", "at_most", "at_least", "peak_month")
                 if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("exactly one of value (with tolerance or tolerance_pct), at_most, "
                             f"at_least or peak_month (got {', '.join(kinds) or 'none'})")
        given_tolerances = (self.tolerance is not None) + (self.tolerance_pct is not None)
        if self.value is not None and given_tolerances != 1:
            raise ValueError("a value needs exactly one of tolerance (absolute) or "
                             "tolerance_pct (percent of the value)")
        if self.value is None and given_tolerances:
            raise ValueError("tolerance and tolerance_pct go with value only")
        if self.value == 0 and self.tolerance_pct is not None:
            raise ValueError("a tolerance in percent of a value of 0: give tolerance instead")
        if self.bound is not None and abs(self.bound) < SMALLEST:
            raise ValueError("a bound other than 0 (a miss is measured in tenths of it)")
        if self.peak_month is not None and self.period is not None:
            raise ValueError("peak_month compares every measured month: leave period out")
        return self

    @property
    def kind(self) -> str:
        """``value``, ``at_most``, ``at_least`` or ``peak_month``."""
        return next(k for k in ("value", "at_most", "at_least", "peak_month")
                    if getattr(self, k) is not None)

    @property
    def in_objective(self) -> bool:
        """Whether the search fits this target (a peak month is a check only)."""
        return self.kind != "peak_month"

    @property
    def bound(self) -> float | None:
        """The bound of an ``at_most`` or ``at_least`` target."""
        return self.at_most if self.at_most is not None else self.at_least

    @property
    def absolute_tolerance(self) -> float:
        """The tolerance of a value target, in the KPI's own unit."""
        if self.tolerance is not None:
            return self.tolerance
        assert self.value is not None and self.tolerance_pct is not None
        return abs(self.value) * self.tolerance_pct / 100.0

    @property
    def miss_scale(self) -> float:
        """What one unit of miss is, in the KPI's unit: the tolerance, or a tenth of the bound."""
        if self.kind == "value":
            return self.absolute_tolerance
        assert self.bound is not None
        return 0.1 * abs(self.bound)

    @property
    def period_text(self) -> str:
        """The period as a CSV cell: ``year``, ``7`` or ``11,12``."""
        return "year" if self.period is None else ",".join(str(m) for m in self.period)

    @property
    def label(self) -> str:
        """The target in a planner's words, e.g. ``101 ASA (s), Dec``."""
        name = f"{self.line} {KPI_NAMES[self.kpi]}"
        if self.kind == "peak_month":
            return f"{name}, month of the peak"
        if self.period is None:
            return f"{name}, year"
        return f"{name}, {'+'.join(calendar.month_abbr[m] for m in self.period)}"


class Unknown(_Strict):
    """A scenario field the search may move, within ``bounds``."""

    field: Annotated[str, Field(min_length=1)]
    bounds: tuple[Finite, Finite]
    label: str | None = None  # how tables name it; default: from the field

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[1] - value[0] < SMALLEST * max(1.0, abs(value[0]), abs(value[1])):
            raise ValueError("[low, high] with low below high")
        return value


class SearchSettings(_Strict):
    """How hard to search (the command line's options override these)."""

    reps: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 4
    final_reps: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] = 10
    max_evaluations: Annotated[int, Field(ge=1, le=MAX_EVALUATIONS)] = 40


class TargetsFile(_Strict):
    """The whole file."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    targets: Annotated[tuple[Target, ...], Field(min_length=1)]
    unknowns: Annotated[tuple[Unknown, ...], Field(min_length=1)]
    search: SearchSettings = SearchSettings()

    @model_validator(mode="after")
    def _fit_something(self) -> TargetsFile:
        if all(t.kind == "peak_month" for t in self.targets):
            raise ValueError("at least one target with a value or a bound: peak_month targets "
                             "are checks, and give the search nothing to fit")
        fields = [u.field for u in self.unknowns]
        if len(set(fields)) != len(fields):
            raise ValueError(f"each unknown once (fields: {fields})")
        return self


@dataclass(frozen=True)
class Targets:
    """A checked targets file and where it came from."""

    spec: TargetsFile
    source: Path


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


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file on its own (see :func:`check_against` for the rest)."""
    source = Path(path)
    file = str(source)
    _, data = read_yaml_mapping(source, "targets file")
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # "at least 1 item" beside an error inside an item is noise: the item did not validate
        errors = [err for err in errors if not (err["type"] == "too_short" and any(
            other is not err and tuple(other["loc"][: len(err["loc"])]) == tuple(err["loc"])
            for other in errors))]
        raise ScenarioError([_problem(err, file) for err in errors]) from None
    return Targets(spec=spec, source=source)


def _problem(err: Any, file: str) -> Problem:
    loc = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in p)
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    message = str(err["msg"])
    for prefix in ("Value error, ", "Input should be "):
        message = message.removeprefix(prefix)
    if err["type"] == "extra_forbidden":
        known = list(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return Problem(field, loc[-1], f"a known field ({', '.join(known)}){hint}", file)
    if err["type"] == "missing":
        return Problem(field, None, "this field to be given", file)
    return Problem(field, err.get("input"), message, file)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    models: dict[str, type[BaseModel]] = {
        "targets": Target, "unknowns": Unknown, "search": SearchSettings
    }
    named = [p for p in loc if isinstance(p, str)]
    return models.get(named[0], TargetsFile) if named else TargetsFile


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
