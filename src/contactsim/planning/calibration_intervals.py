"""How sure a calibration is of each unknown: a 95% interval by the delta method.

The slopes of the value targets' means against the unknowns (central differences), and the
covariance of the targets' per-replication values over the search's replications (the noise in
the means the search matched), weighted by 1 / tolerance²: Cov = A S A' with
A = (J'WJ)⁻¹ J'W, and a Student-t factor for a covariance estimated from few replications. An
unknown no target moves, or that the targets cannot tell from another, gets no interval and a
note saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from contactsim.planning.targets import Target
from contactsim.planning.unknowns import Parameter

__all__ = ["AT_BOUND", "ParameterResult", "parameter_intervals"]

#: An unknown within this share of its range from a bound is at the bound.
AT_BOUND = 0.005


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
