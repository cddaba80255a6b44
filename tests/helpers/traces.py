"""Helpers for hand-worked traces: drive the model with fixed callers and fixed draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from contactsim.analysis.kpis import RC_SCOPE, kpi_rows
from contactsim.engine.inputs import LineInputs, PoolInputs
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import CallRecord, RunTallies

NEVER = 1e9  # a patience no trace here gets near


class Draws:
    """Fixed draws handed out in order; ``used`` counts them. Running out fails the trace."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = list(values)
        self.used = 0

    def __call__(self) -> float:
        assert self.used < len(self.values), f"the model asked for draw {self.used + 1}"
        value = self.values[self.used]
        self.used += 1
        return value


def draws_used(sampler: Callable[[], float] | object) -> int:
    """How many draws the model took from a :class:`Draws`."""
    assert isinstance(sampler, Draws)
    return sampler.used


def line(
    name: str,
    arrivals: Sequence[float],
    handles: Sequence[float],
    patiences: Sequence[float] | None = None,
    service_level_s: float = 60.0,
    **extra: Any,
) -> LineInputs:
    """A line whose callers are given one by one (``extra``: more LineInputs fields)."""
    assert len(handles) == len(arrivals)
    patience = None
    if patiences is not None:
        assert len(patiences) == len(arrivals)
        patience = Draws(patiences)
    return LineInputs(
        name=name,
        arrival_times_s=iter(arrivals),
        handle_time=Draws(handles),
        patience=patience,
        service_level_s=service_level_s,
        **extra,
    )


def pool(name: str, skills: tuple[str, ...], operators: int) -> PoolInputs:
    """A pool with a flat staffing level."""
    return PoolInputs(name, skills, StaffingPlan(times_s=(0.0,), operators=(operators,)))


def by_arrival(tallies: RunTallies, line_name: str) -> list[CallRecord]:
    """The records of one line in the order its callers rang."""
    assert tallies.records is not None
    return sorted((r for r in tallies.records if r.line == line_name), key=lambda r: r.arrival_s)


def all_kpis(tallies: RunTallies) -> dict[tuple[str, str], float]:
    """Every KPI of a run by (line or pool, KPI name)."""
    return {(scope, name): value for scope, name, value in kpi_rows(tallies)}


def rc_kpis(tallies: RunTallies) -> dict[str, float]:
    """The Resolution Centre's KPIs by name."""
    return {kpi: value for scope, kpi, value in kpi_rows(tallies) if scope == RC_SCOPE}
