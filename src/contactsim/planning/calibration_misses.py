"""How far a simulated KPI is from a published figure, and how both are shown to a planner.

A *value* target (``209 ± 20.9``) misses by (mean − value) / tolerance; a *bound* target
(``at most 120``) misses only when broken, by the excess over a tenth of the bound. The
calibration's objective is the sum of the squared misses.
"""

from __future__ import annotations

import calendar
import math

from contactsim.planning.targets import Target

__all__ = ["UNDEFINED_MISS", "met", "miss", "published_text", "shown", "signed_miss"]

#: Squared miss of a target with nothing to measure (no call answered in its period).
UNDEFINED_MISS = 1e4


def miss(target: Target, mean: float) -> float:
    """The target's term of the objective (0 when met, for a bound)."""
    if math.isnan(mean):
        return UNDEFINED_MISS
    return (signed_miss(target, mean)) ** 2


def signed_miss(target: Target, mean: float) -> float:
    """How far the mean is off, in tolerances (a bound: in tenths of it; 0 inside it)."""
    if target.kind == "value":
        assert target.value is not None
        return (mean - target.value) / target.miss_scale
    bound = target.bound
    assert bound is not None
    excess = mean - bound if target.kind == "at_most" else bound - mean
    return max(0.0, excess) / target.miss_scale


def met(target: Target, mean: float) -> bool:
    """Whether the mean meets the target (within its tolerance, or inside its bound)."""
    if math.isnan(mean):
        return False
    if target.kind == "value":
        assert target.value is not None
        return abs(mean - target.value) <= target.absolute_tolerance * (1 + 1e-9)
    return signed_miss(target, mean) == 0


def shown(value: float) -> str:
    """A KPI value for a table: thousands with commas, rates with three figures."""
    if math.isnan(value):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def published_text(target: Target) -> str:
    """The published figure as a planner reads it: ``209 ± 20.9``, ``at most 120``, ``July``."""
    if target.kind == "value":
        assert target.value is not None
        return f"{shown(target.value)} ± {shown(target.absolute_tolerance)}"
    if target.kind == "peak_month":
        return calendar.month_name[target.peak_month or 1]
    return f"{target.kind.replace('_', ' ')} {shown(target.bound or 0.0)}"
