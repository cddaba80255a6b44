"""An estimate fitted from a log with its 95% interval, and the bootstrap that gives it.

Busyness and bursts are fitted by resampling the log's own units (weeks of days, incidents)
with replacement: the interval is the 2.5th to 97.5th percentile of the estimates of
:data:`RESAMPLES` resampled logs (the percentile bootstrap). The resampling is seeded, so a
fit of the same log prints the same interval every time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

#: Resampled logs per bootstrap interval: the percentiles then move by well under a tenth of
#: the interval's width from one seed to another.
RESAMPLES = 2000
#: The seed of every bootstrap of ``demand fit`` (a fit is the same each time it is run).
BOOTSTRAP_SEED = 20180101
#: The interval's coverage.
COVERAGE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A fitted value and its 95% interval (``low`` to ``high``)."""

    value: float
    low: float
    high: float

    def contains(self, planted: float) -> bool:
        """Whether ``planted`` lies in the interval (ends included)."""
        return self.low <= planted <= self.high

    def shown(self, digits: int = 3) -> str:
        """``0.123 [0.100, 0.150]``, for the console."""
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def percentile_interval(resampled: np.ndarray) -> tuple[float, float]:
    """The central :data:`COVERAGE` interval of ``resampled`` estimates (NaNs left out)."""
    finite = resampled[np.isfinite(resampled)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - COVERAGE) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def widened(estimate: float, low: float, high: float, units: int) -> tuple[float, float]:
    """A percentile interval from ``units`` resampled units, widened for a small sample: its
    distances from the estimate times ``t(units − 1) / z × sqrt(units / (units − 1))`` (the
    percentile bootstrap is as narrow as a normal interval with the biased variance; this makes
    it as wide as Student's). Hardly changes an interval from 50 units or more."""
    if units < 2:
        return low, high
    factor = float(scipy_stats.t.ppf(0.5 + COVERAGE / 2.0, units - 1)
                   / scipy_stats.norm.ppf(0.5 + COVERAGE / 2.0) * np.sqrt(units / (units - 1)))
    return estimate - (estimate - low) * factor, estimate + (high - estimate) * factor


def resample_counts(units: int, rng: np.random.Generator) -> np.ndarray:
    """How many times each of ``units`` is drawn in each of :data:`RESAMPLES` resampled logs
    (each log draws ``units`` units with replacement): an array of shape (RESAMPLES, units)."""
    return rng.multinomial(units, np.full(units, 1.0 / units), size=RESAMPLES)
