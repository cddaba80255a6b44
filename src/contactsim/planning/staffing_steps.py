"""Erlang-corrected steps: how many operators a key needs, or can spare, read from how far the
simulation's value there lies from the target along Erlang A's curve at that key.

For a line at a key, Erlang A (Erlang C for a line whose callers never hang up) at the key's
mean arrival rate, mean handle time and mean patience gives each target's KPI as a function
``E(n)`` of the operators on the phones, monotone in n. The simulation's value v at the key —
which has priority, multi-skill, callbacks, absence and the hours either side in it, as
Erlang does not — is read back on that curve as the number of operators ``x(v)`` with which
Erlang would give v (linear between whole numbers), and the target as the number ``x*`` with
which Erlang would just meet it. Their difference ``x* - x(v)`` is the operators on the phones
the key needs (positive) or can spare (negative) if the simulation moves along Erlang's curve
from where it stands: Erlang corrected by the simulation's own offset from it. Where the two
agree the step is Erlang's; where they disagree it is the simulation that places the key on
the curve, and only the curve's slope is Erlang's. (Erlang alone starts the 2018 centre at
about 2,900 operator-hours a week; the simulation needs about 2,250.)

The staffing search (:mod:`~contactsim.planning.staffing_search`) takes these steps instead of
one operator a round: a key that meets every target gives up as many operators as its lines
can spare (at least one, at most :data:`MAX_STEP`), a key that misses gets as many as its
lines need (at least one). A value the simulation could not compute (no calls, or none
answered) leaves its key to the search's one-at-a-time rules; a line with a target on a share
of days is not read at all here, and the search
(:mod:`~contactsim.planning.staffing_rounds`) takes no Erlang steps anywhere when a target is
on a share of days (judged on whole days, not keys) or is an occupancy cap (on a pool, where
these steps read lines).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from contactsim.build import sampling
from contactsim.config.scenario import Scenario
from contactsim.planning.service_targets import ServiceTarget
from contactsim.planning.staffing_levels import erlang_value, rates_by_key

__all__ = ["MAX_STEP", "ErlangSteps", "reads"]

#: The most operators one round moves at one key.
MAX_STEP = 8
#: Erlang's curve is read up to this many operators on the phones beyond the target's point.
_READ_BEYOND = 4 * MAX_STEP


@dataclass
class _Curve:
    """One target's KPI by Erlang at one key, as a function of operators on the phones, with
    the sign that makes a better value larger (service level +1; ASA and abandonment -1)."""

    target: ServiceTarget
    rate_per_hour: float
    handle_s: float
    patience_s: float | None
    service_level_s: float  # the line's own threshold (a target at another says its own)
    values: dict[int, float] = field(default_factory=dict)

    def better(self, n: int) -> float:
        """The KPI with ``n`` on the phones, signed so that larger is better."""
        if n not in self.values:
            self.values[n] = self._kpi(n)
        value = self.values[n]
        return value if self.target.at_least else -value

    def _kpi(self, n: int) -> float:
        return erlang_value(self.target, self.rate_per_hour, self.handle_s, self.patience_s,
                            self.service_level_s, n)

    def operators_for(self, value: float, most: int) -> float:
        """``x(value)``: the operators on the phones with which Erlang gives ``value``, linear
        between whole numbers (0 below the curve; ``most`` if it takes more than ``most``)."""
        goal = value if self.target.at_least else -value
        if self.better(1) >= goal:
            return self._between(0, 1, goal)
        low, high = 1, 2  # better(low) < goal; find high with better(high) >= goal
        while self.better(high) < goal:
            if high >= most:
                return float(most)
            low, high = high, min(high * 2, most)
        while high - low > 1:
            middle = (low + high) // 2
            if self.better(middle) >= goal:
                high = middle
            else:
                low = middle
        return self._between(low, high, goal)

    def _between(self, low: int, high: int, goal: float) -> float:
        below, above = self.better(low), self.better(high)
        if not math.isfinite(below) or above <= below:
            return float(high)
        return low + (goal - below) / (above - below)


def reads(targets: list[ServiceTarget]) -> bool:
    """Whether Erlang steps can read every one of ``targets``: none an occupancy cap (on a pool,
    where the steps read lines) or on a share of days (judged on whole days, not keys)."""
    return not any(t.of_pool or t.share_of_days is not None for t in targets)


class ErlangSteps:
    """Each key's need (positive) or spare (negative) operators on the phones per line, from
    the simulation's KPIs at the key and Erlang's curves there (see the module)."""

    def __init__(self, scenario: Scenario, targets: list[ServiceTarget], grouping: str,
                 confidence: float | None) -> None:
        """Erlang's curves for ``targets``, each on a line and judged at every key (see
        :func:`reads`)."""
        if not reads(targets):
            raise ValueError("Erlang steps read targets on a line at every key only")
        self.confidence = confidence
        self._curves: dict[tuple[str, int], list[_Curve]] = {}
        for line in sorted({t.line for t in targets}):
            handling = scenario.handling[line]
            handle_s = sampling.mean_s(handling.handle_time)
            patience_s = sampling.mean_s(handling.patience) if handling.patience else None
            rates = rates_by_key(scenario, line, grouping)
            for key, rate in enumerate(rates):
                self._curves[(line, key)] = [
                    _Curve(t, float(rate), handle_s, patience_s, scenario.service_level_s(line))
                    for t in targets if t.line == line]

    def needs(self, kpis: pd.DataFrame) -> dict[tuple[str, int], float]:
        """(line, key) -> operators on the phones the line needs there (negative: can spare),
        the most any of its targets needs; only where every one of its targets could be read.
        ``kpis`` is the staffing search's evaluation (line, kpi, key, target, mean, CI)."""
        out: dict[tuple[str, int], float] = {}
        unread: set[tuple[str, int]] = set()
        for row in kpis.itertuples(index=False):
            place = (str(row.line), int(row.key))
            curve = next((c for c in self._curves.get(place, []) if str(c.target) == row.target),
                         None)
            value = (None if curve is None else
                     self._judged(curve.target, row.mean, row.ci_low, row.ci_high))
            if curve is None or value is None or curve.rate_per_hour <= 0:
                unread.add(place)
                continue
            target_at = curve.operators_for(curve.target.value, 1 << 12)
            most = math.ceil(target_at) + _READ_BEYOND
            need = target_at - curve.operators_for(value, most)
            out[place] = max(out.get(place, -math.inf), need)
        return {place: need for place, need in out.items() if place not in unread}

    def _judged(self, target: ServiceTarget, mean: float, low: float, high: float
                ) -> float | None:
        """The value the target is judged on: the mean, or with a confidence the interval's
        end on the wrong side (None if it cannot be read)."""
        value = mean
        if self.confidence is not None and not (np.isnan(low) or np.isnan(high)):
            value = low if target.at_least else high
        return None if np.isnan(value) else float(value)
