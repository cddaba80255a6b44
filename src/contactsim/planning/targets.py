"""Targets files: the published figures a scenario must reproduce, and the unknowns to fit.

A targets file (YAML, read with ``yaml.safe_load``) lists ``targets`` — a line's KPI over a
period with its published value and tolerance, a bound, or the month it must peak in, each
with the ``source`` it was taken from — and ``unknowns``: scenario fields (as ``--set`` names
them) with the bounds the search may move them in. :func:`load_targets` checks the file on its
own; :func:`~contactsim.planning.unknowns.check_against` checks it against the
scenario (lines exist, periods are measured, every unknown can be set at its bounds) and gives
each unknown its starting value. A target's KPI is one the registry of
:mod:`contactsim.analysis.kpis` computes over any period of intervals. Every problem
is a :class:`~contactsim.errors.ScenarioError` naming the file, the field, the value and what was
expected.
"""

from __future__ import annotations

import calendar
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contactsim.analysis.kpis import KPIS
from contactsim.analysis.periods import PERIOD_KPIS
from contactsim.config.yaml_reading import read_yaml_mapping
from contactsim.errors import Problem, ScenarioError
from contactsim.limits import MAX_EVALUATIONS, MAX_REPLICATIONS

__all__ = ["KPI_NAMES", "SearchSettings", "Target", "Targets", "Unknown", "load_targets"]

Month = Annotated[int, Field(ge=1, le=12)]
#: Figures, bounds and tolerances: finite and of a size a KPI or a scenario field can have
#: (beyond these the search's arithmetic over- or underflows).
LARGEST = 1e12
SMALLEST = 1e-9
Finite = Annotated[float, Field(ge=-LARGEST, le=LARGEST, allow_inf_nan=False)]
PositiveFinite = Annotated[float, Field(ge=SMALLEST, le=LARGEST, allow_inf_nan=False)]

#: How a target's KPI is named in tables and messages (the registry's short label).
KPI_NAMES = {name: KPIS[name].short_label for name in PERIOD_KPIS}
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
    #: the search's evaluations (default: half of ``reps``, at least 2); its best points are
    #: then confirmed at ``reps``
    screen_reps: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
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


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file on its own (see
    :func:`~contactsim.planning.unknowns.check_against` for the rest)."""
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
