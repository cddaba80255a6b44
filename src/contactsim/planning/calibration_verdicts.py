"""Each published figure against the calibrated scenario: met or not, and if not, why, in a
planner's words (an unknown at its bound, a trade-off with another target, the simulation's
noise, or the search's budget).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactsim.analysis.periods import by_month, summarise_by
from contactsim.analysis.stats import kpi_interval
from contactsim.planning.calibration_intervals import ParameterResult
from contactsim.planning.calibration_misses import met, miss, published_text, shown, signed_miss
from contactsim.planning.targets import Target
from contactsim.runs.experiment import RunResults

__all__ = ["TargetResult", "target_results", "with_reason"]


@dataclass(frozen=True)
class TargetResult:
    """A target against the final run: the simulated mean (for a peak-month check, the month
    of the simulated peak) with its 95% interval, whether it is met and, if not, why."""

    target: Target
    mean: float
    ci_low: float
    ci_high: float
    met: bool
    reason: str = ""


def target_results(
    targets: Sequence[Target], fitted: list[Target], final: RunResults, per_rep: pd.DataFrame
) -> list[TargetResult]:
    """Every target against the final run (``per_rep``: each fitted target's value per
    replication, a column each in the order of ``fitted``)."""
    out = []
    for target in targets:
        if target.kind == "peak_month":
            months = summarise_by(final.intervals, target.line, target.kpi, by_month)
            known = months.dropna(subset=["mean"])
            peak = float(known.loc[known["mean"].idxmax(), "key"]) if len(known) else math.nan
            out.append(TargetResult(target, peak, math.nan, math.nan, peak == target.peak_month))
            continue
        mean, low, high = kpi_interval(per_rep[fitted.index(target)].to_numpy(dtype=float),
                                       target.kpi)
        out.append(TargetResult(target, mean, low, high, met(target, mean)))
    return out


def with_reason(
    result: TargetResult, fitted: list[Target], means: np.ndarray, slopes: np.ndarray,
    parameters: list[ParameterResult], evaluations: int, out_of_runs: bool = True,
) -> TargetResult:
    """Why a target is not met, in a planner's words."""
    target = result.target
    if result.met:
        return result
    if target.kind == "peak_month":
        month = calendar.month_name[int(result.mean)] if not math.isnan(result.mean) else "none"
        published = calendar.month_name[target.peak_month or 1]
        reason = (f"the simulated peak is in {month}, not {published}: the month of the peak "
                  "comes mostly from the demand profile and the rosters; an unknown that moves "
                  "months apart (a staffing change from a date, say) may shift it")
        return TargetResult(target, result.mean, result.ci_low, result.ci_high, False, reason)
    t = fitted.index(target)
    if math.isnan(means[t]):
        return TargetResult(target, result.mean, result.ci_low, result.ci_high, False,
                            "nothing to measure: no call of the line ended in the period")
    slopes = np.nan_to_num(slopes)  # a KPI with nothing to measure at one end: no slope
    off_by = signed_miss(target, means[t])
    # which way the mean must go
    if target.kind == "value":
        wanted = -1.0 if off_by > 0 else 1.0
    else:
        wanted = -1.0 if target.kind == "at_most" else 1.0
    reasons = []
    direction = np.zeros(len(parameters))
    for j, item in enumerate(parameters):
        p = item.parameter
        helps = np.sign(slopes[t, j]) * wanted  # the way to move the unknown to help
        outward = {"upper": 1.0, "lower": -1.0}.get(item.at_bound, 0.0)
        if helps != 0 and helps == outward:
            bound = p.high if outward > 0 else p.low
            reasons.append(f"{p.label} hit its {item.at_bound} bound {p.shown(bound)}: widen the "
                           "bound or add an unknown")
        elif helps != 0:
            direction[j] = slopes[t, j] * (p.high - p.low) ** 2 * wanted
    if not slopes[t].any():
        reasons.append("no unknown moves it: it is set by fields not being fitted (demand, "
                       "handle times, other pools); add an unknown that moves it")
    elif direction.any():
        gap = (target.value if target.kind == "value" else target.bound) or 0.0
        rate = float(slopes[t] @ direction)
        change = direction * (gap - means[t]) / rate  # linear step onto the published figure
        for j, item in enumerate(parameters):
            p, reach = item.parameter, item.fitted + change[j]
            if reach > p.high or reach < p.low:
                side, bound = ("upper", p.high) if reach > p.high else ("lower", p.low)
                reasons.append(f"reaching it would take {p.label} to about {p.shown(reach)}, "
                               f"beyond its {side} bound {p.shown(bound)}: widen the bound or "
                               "add an unknown")
        worst = None
        for u, other in enumerate(fitted):
            if u == t or math.isnan(means[u]):
                continue
            moved = means[u] + float(slopes[u] @ change)
            worse = miss(other, moved) > miss(other, means[u]) + 0.25
            if worse and not met(other, moved) and (
                    worst is None or miss(other, moved) > worst[1]):
                worst = (u, miss(other, moved), moved)
        if worst is not None:
            u, _, moved = worst
            other = fitted[u]
            reasons.append(
                f"meeting it would push {other.label} "
                f"{'further off' if not met(other, means[u]) else 'off its target'} (to about "
                f"{shown(moved)} against {published_text(other)}): the best compromise leaves "
                f"{target.label} at {shown(means[t])} and {other.label} at {shown(means[u])}")
    if not reasons and _within_noise(result):
        reasons.append(f"the simulated interval [{shown(result.ci_low)}, {shown(result.ci_high)}]"
                       f" reaches {published_text(target)}: the miss is within the simulation's "
                       "noise; more replications (--reps, --final-reps) would tell")
    if not reasons and out_of_runs:
        reasons.append(f"the search did not reach it in {evaluations} evaluations: allow more "
                       "(--max-evaluations) or start nearer")
    if not reasons:
        reasons.append(f"the search settled after {evaluations} evaluations at a best compromise "
                       "that misses it: the unknowns may not be able to reach it together with "
                       "the other targets; try other unknowns, wider bounds or another start")
    return TargetResult(target, result.mean, result.ci_low, result.ci_high, False,
                        "; ".join(reasons))


def _within_noise(result: TargetResult) -> bool:
    """Whether the mean's 95% interval reaches the published figure's range."""
    target, low, high = result.target, result.ci_low, result.ci_high
    if math.isnan(low):
        return False
    if target.kind == "value":
        assert target.value is not None
        tolerance = target.absolute_tolerance
        return low <= target.value + tolerance and high >= target.value - tolerance
    assert target.bound is not None
    return low <= target.bound if target.kind == "at_most" else high >= target.bound
