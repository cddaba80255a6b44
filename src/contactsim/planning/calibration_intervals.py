"""How sure a calibration is of each unknown: a 95% interval by the delta method.

The slopes of the value targets' means against the unknowns (:func:`local_slopes`, a straight
line by least squares through the points the search ran near its best, where :func:`spread`
says they spread the unknowns enough; else :func:`central_difference`), and the covariance of
the targets' per-replication values over the search's replications (the noise in the means the
search matched), weighted by 1 / tolerance²: Cov = A S A' with A = (J'WJ)⁻¹ J'W, and a
Student-t factor for a covariance estimated from few replications. An unknown no target moves,
or that the targets cannot tell from another, gets no interval and a note saying why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from contactsim.planning.targets import Target
from contactsim.planning.unknowns import Parameter

__all__ = ["AT_BOUND", "SLOPE_STEP", "ParameterResult", "central_difference", "local_slopes",
           "parameter_intervals", "spread"]

#: An unknown within this share of its range from a bound is at the bound.
AT_BOUND = 0.005
#: Central differences: each unknown moved this share of its range either side.
SLOPE_STEP = 0.05


@dataclass(frozen=True)
class ParameterResult:
    """An unknown's fitted value and 95% interval (NaN where the targets cannot set it)."""

    parameter: Parameter
    fitted: float
    ci_low: float
    ci_high: float

    @property
    def at_bound(self) -> str:
        """``lower``, ``upper`` or empty."""
        p = self.parameter
        if self.fitted - p.low <= AT_BOUND * (p.high - p.low):
            return "lower"
        return "upper" if p.high - self.fitted <= AT_BOUND * (p.high - p.low) else ""


def parameter_intervals(
    parameters: list[Parameter], fitted: tuple[float, ...], targets: list[Target],
    slopes: np.ndarray, spans: list[tuple[float, float]], per_rep: pd.DataFrame,
    search_reps: int, notes: list[str],
) -> list[ParameterResult]:
    """Delta-method intervals: Cov = A S A' with A = (J'WJ)^-1 J'W over the value targets."""
    # value targets measured in every replication (a KPI with no call to measure is left out)
    rows = [i for i, t in enumerate(targets) if t.kind == "value"
            and np.isfinite(slopes[i]).all() and np.isfinite(per_rep[i].to_numpy(float)).all()]
    if not rows:
        notes.append("no target with a value and tolerance was measured: the unknowns' "
                     "intervals need some")
        return [ParameterResult(p, fitted[j], math.nan, math.nan)
                for j, p in enumerate(parameters)]
    tolerance = np.array([targets[i].miss_scale for i in rows])
    jacobian = slopes[rows]
    # an unknown is moved if some value target changes across its difference step
    steps = np.array([up - down for down, up in spans])
    effect = np.abs(jacobian) * steps / tolerance[:, None]
    usable = [j for j in range(len(parameters)) if effect[:, j].max() > 1e-9]
    for j in sorted(set(range(len(parameters))) - set(usable)):
        p = parameters[j]
        rounding = (" (a staffing scale moves whole operators only)"
                    if p.field.endswith("scale") else "")
        notes.append(f"no value target moves {p.label} between {p.shown(spans[j][0])} and "
                     f"{p.shown(spans[j][1])}{rounding}: its interval cannot be "
                     "set, and the targets do not pin it down (fix it, or add a target it moves)")
    ranges = np.array([p.high - p.low for p in parameters])
    weight = np.diag(1 / tolerance**2)
    while usable:
        scaled = (jacobian[:, usable] * ranges[usable]) / tolerance[:, None]
        singular = np.linalg.svd(scaled, compute_uv=False)
        if len(singular) == len(usable) and singular.min() > 1e-6 * singular.max():
            break
        null = np.linalg.svd(scaled)[2][-1]
        tangled = [usable[i] for i in range(len(usable)) if abs(null[i]) > 0.2] or usable
        notes.append(
            "the value targets cannot tell " + " and ".join(parameters[j].label for j in tangled)
            + " apart (they move the targets in the same proportions, or there are fewer value "
            "targets than unknowns): their intervals cannot be set; fix one, or add a target "
            "that separates them")
        usable = [j for j in usable if j not in tangled]
    sd = np.full(len(parameters), math.nan)
    if usable:
        values = per_rep[rows].to_numpy(dtype=float)
        covariance = np.atleast_2d(np.cov(values, rowvar=False)) / search_reps
        moved = jacobian[:, usable]
        spread = np.linalg.solve(moved.T @ weight @ moved, moved.T @ weight)
        parameter_cov = spread @ covariance @ spread.T
        sd[usable] = np.sqrt(np.clip(np.diag(parameter_cov), 0, None))
    # Student t, not 1.96: the covariance is estimated from the final run's few replications
    half = float(stdtrit(len(per_rep) - 1, 0.975)) * sd
    # the unknown lives inside its bounds (a patience is never negative)
    return [ParameterResult(p, fitted[j], max(p.low, fitted[j] - half[j]),
                            min(p.high, fitted[j] + half[j])) if j in usable else
            ParameterResult(p, fitted[j], math.nan, math.nan)
            for j, p in enumerate(parameters)]


def local_slopes(shares: np.ndarray, means: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Each target's slope against each unknown (per share of its range) by least squares,
    ``mean = a + slopes . (share - best)``, over points ``shares`` (a row each) with their
    targets' ``means`` (a row each); a target not measured at some point is fitted over the
    others (NaN if too few are left), and one the same at every point has slopes 0."""
    design = np.column_stack([np.ones(len(shares)), shares - best])
    slopes = np.full((means.shape[1], shares.shape[1]), math.nan)
    for t in range(means.shape[1]):
        known = np.isfinite(means[:, t])
        values = means[known, t]
        if known.sum() <= design.shape[1]:
            continue
        if np.ptp(values) <= 1e-12 * max(1.0, float(np.abs(values).max())):
            slopes[t] = 0.0  # the same at every point: no unknown moves it (not rounding noise)
        else:
            slopes[t] = np.linalg.lstsq(design[known], values, rcond=None)[0][1:]
    return slopes


def spread(shares: np.ndarray) -> np.ndarray:
    """How far points spread each unknown apart from the others: the residual sum of squares
    of its shares regressed on the other unknowns' (and a constant). A slope by least squares
    is as precise as one from two points ``2 d`` apart, with as many replications, when this
    is ``2 d^2``; 0 where the points do not move the unknown independently."""
    out = np.zeros(shares.shape[1])
    for j in range(shares.shape[1]):
        others = np.column_stack([np.ones(len(shares)), np.delete(shares, j, axis=1)])
        fitted = others @ np.linalg.lstsq(others, shares[:, j], rcond=None)[0]
        out[j] = float(((shares[:, j] - fitted) ** 2).sum())
    return out


def central_difference(
    parameter: Parameter, best: tuple[float, ...], j: int, targets: int,
    means_at: Callable[[tuple[float, ...]], tuple[float, ...]], runs_text: str,
    say: Callable[[str], None],
) -> tuple[np.ndarray, tuple[float, float]]:
    """Each of ``targets`` targets' slope against unknown ``j`` (``parameter``) at ``best`` by
    central differences of ``means_at``, widened where rounded staffing is flat, and the
    (down, up) values it was taken over."""
    column, share, span = np.zeros(targets), parameter.share(best[j]), (best[j], best[j])
    for widen in (1, 2, 4):  # rounded staffing can be flat over a short step: widen it
        up, down = list(best), list(best)
        up[j] = parameter.at(share + widen * SLOPE_STEP)
        down[j] = parameter.at(share - widen * SLOPE_STEP)
        if parameter.whole and up[j] == down[j]:
            up[j], down[j] = min(parameter.high, up[j] + 1), max(parameter.low, down[j] - 1)
        span = (down[j], up[j])
        if up[j] == down[j]:
            break
        say(f"slopes of {parameter.label}: {parameter.shown(down[j])} and "
            f"{parameter.shown(up[j])}, {runs_text}")
        ends = [np.array(means_at(tuple(v))) for v in (up, down)]
        column = (ends[0] - ends[1]) / (up[j] - down[j])
        if np.nan_to_num(column).any():
            break
    return column, span
