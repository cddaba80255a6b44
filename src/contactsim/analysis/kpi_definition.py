"""What a KPI is: its name, label, unit and range, and how it is computed — from a tally, or as
a formula of sums (:class:`Kpi`); the sums of a tally by name (:class:`TallySums`); and ratios
that are NaN, not 0, with nothing to divide by. The registry of every KPI is
:mod:`contactsim.analysis.kpis`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

__all__ = ["UNIT_RANGES", "Formula", "Kpi", "Sums", "TallySums", "as_float", "formula_kpi",
           "ratio"]

#: The values a KPI of each unit can take, (lowest, highest): the one place that knows them.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),
    "calls": (0.0, math.inf),
    "callers": (0.0, math.inf),
    "incidents": (0.0, math.inf),
    "s": (0.0, math.inf),
    "h": (0.0, math.inf),
    "min": (0.0, math.inf),
    "shifts": (0.0, math.inf),
    "breaks": (0.0, math.inf),
}

class Sums(Protocol):
    """Sums by name: a tally's (:class:`TallySums`), or columns of intervals (a DataFrame)."""

    def __getitem__(self, name: str, /) -> Any: ...


#: How a KPI is computed from sums; it works alike on numbers, arrays and pandas Series.
Formula = Callable[[Sums], Any]


@dataclass(frozen=True)
class Kpi:
    """One key performance indicator."""

    name: str
    label: str
    unit: str
    scope: str  # "line", "pool" or RC_SCOPE
    definition: str
    compute: Callable[..., float]  # from a line's or pool's tally, or the run's (RC KPIs)
    sums: tuple[str, ...] = ()  # the sums ``formula`` reads
    formula: Formula | None = None  # None: computed from a replication's tallies only
    short: str = ""  # how tables and messages name it, when not its name with spaces
    better: str | None = None  # "higher" or "lower" when a target can be set on it

    @property
    def short_label(self) -> str:
        """The KPI in a table or a message: ``ASA (s)``, ``service level``."""
        return self.short or self.name.replace("_", " ")

    @property
    def higher_is_better(self) -> bool | None:
        """True if a larger value is better, False if a smaller one, None if neither."""
        return None if self.better is None else self.better == "higher"

    @property
    def value_range(self) -> tuple[float, float]:
        """(lowest, highest) value the KPI can take: [0, 1] for a share, else [0, inf)."""
        return UNIT_RANGES[self.unit]

    @property
    def difference_range(self) -> tuple[float, float]:
        """(lowest, highest) difference of two values of the KPI: [-1, 1] for a share;
        unbounded otherwise (a count or time may rise or fall by any amount)."""
        low, high = self.value_range
        return (low - high, high - low) if math.isfinite(high) else (-math.inf, math.inf)

    def from_sums(self, sums: Sums) -> Any:
        """The KPI from ``sums`` (numbers, arrays or Series: the result is of the same kind)."""
        if self.formula is None:
            raise ValueError(f"KPI {self.name!r} is not a formula of sums")
        return self.formula(sums)


class TallySums:
    """A tally's sums by name: a per-interval series summed over the measured window (after
    the warm-up), any other field (an end-of-run count, seconds staffed) as it is."""

    def __init__(self, tally: Any) -> None:
        self.tally = tally

    def __getitem__(self, name: str) -> Any:
        value = getattr(self.tally, name)
        return self.tally.total(name) if isinstance(value, list) else value


def ratio(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator``, NaN where the denominator is 0 (nothing to measure)."""
    if isinstance(denominator, pd.Series):
        return (numerator / denominator.where(denominator > 0)).astype(float)
    if isinstance(denominator, np.ndarray):
        return numerator / np.where(denominator > 0, denominator, np.nan)
    return numerator / denominator if denominator else math.nan


def as_float(value: Any) -> Any:
    return value.astype(float) if isinstance(value, pd.Series | np.ndarray) else float(value)


def formula_kpi(name: str, label: str, unit: str, scope: str, definition: str,
                sums: tuple[str, ...], formula: Formula, *, short: str = "",
                better: str | None = None) -> Kpi:
    """A KPI that is a formula of a line's or pool's sums."""
    return Kpi(name, label, unit, scope, definition,
               lambda tally: float(formula(TallySums(tally))), sums, formula, short, better)


