"""Calibration: values of a scenario's unknowns that make it reproduce published figures.

The search runs the scenario at candidate values of the unknowns (a targets file names them,
with bounds; see :mod:`~contactsim.planning.targets`), always with the same seed, so every
evaluation sees
the same callers (common random numbers): the objective then changes only because the unknowns
do, and a small change of an unknown gives a small, repeatable change of the KPIs. It minimises

    sum over value targets of ((mean - value) / tolerance)^2
  + sum over bound targets of (excess / (0.1 |bound|))^2 when the bound is broken

with Nelder-Mead on the unknowns scaled to [0, 1], from the scenario's own values, for at most
``max_evaluations`` simulation runs. A final run at the best point with ``final_reps``
replications gives each target's mean and 95% interval. The unknowns' intervals come from the
delta method: the slopes of the value targets' means (central differences at the search's
replications, same seed), the covariance of their per-replication values (from the final run)
over the search's replications (the noise in the means the search matched), weighted by
1 / tolerance^2, with a Student-t factor for a covariance estimated from few replications.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import stdtrit

from contactsim.analysis.periods import by_month, period_values, summarise_by
from contactsim.analysis.stats import kpi_interval
from contactsim.config.loader import load_scenario
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.planning.targets import Parameter, SearchSettings, Target, Targets, check_against
from contactsim.runs.experiment import RunResults, run_scenario

__all__ = ["Calibration", "Evaluation", "ParameterResult", "TargetResult", "calibrate",
           "published_text", "shown"]

#: Squared miss of a target with nothing to measure (no call answered in its period).
UNDEFINED_MISS = 1e4
#: First simplex: each unknown moved this share of its bounds' range from the start.
FIRST_STEP = 0.25
#: Restarts: each round's simplex is half the last one's, down to this share.
LAST_STEP = 0.05
#: Runs a round of Nelder-Mead may make, per corner of its simplex, before a restart.
ROUND_RUNS_EACH = 6
#: Central differences: each unknown moved this share of its range either side.
SLOPE_STEP = 0.05
#: An unknown within this share of its range from a bound is at the bound.
AT_BOUND = 0.005

Report = Callable[[str], None]


@dataclass(frozen=True)
class Evaluation:
    """One simulation run of the search: the unknowns' values, each target's mean (NaN for a
    peak-month check) and the objective."""

    number: int
    values: tuple[float, ...]
    means: tuple[float, ...]
    objective: float


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


@dataclass(frozen=True)
class Calibration:
    """Everything a calibration found, ready to be written or shown."""

    targets: Targets
    scenario_file: Path
    overrides: tuple[str, ...]
    seed: int
    settings: SearchSettings
    evaluations: list[Evaluation]
    parameters: list[ParameterResult]
    results: list[TargetResult]
    notes: list[str]
    scenario: Scenario  # the scenario at the fitted values

    @property
    def best(self) -> Evaluation:
        """The evaluation with the smallest objective (the first of equals)."""
        return min(self.evaluations, key=lambda e: (e.objective, e.number))

    @property
    def unmet(self) -> list[TargetResult]:
        """Targets the fitted scenario does not meet."""
        return [r for r in self.results if not r.met]


def calibrate(
    scenario_file: str | Path,
    targets: Targets,
    seed: int,
    settings: SearchSettings,
    overrides: Sequence[str] = (),
    workers: int = 1,
    report: Report | None = None,
) -> Calibration:
    """Fit the targets file's unknowns so that the scenario reproduces its targets.

    ``overrides`` (``--set`` texts) apply before the unknowns. ``report`` receives one line per
    simulation run. Raises ScenarioError if the targets do not fit the scenario, and
    ContactsimError if the scenario cannot be run at some values of the unknowns.
    """
    say = report or (lambda _line: None)
    scenario_file = Path(scenario_file)
    base = load_scenario(scenario_file, overrides).scenario
    parameters = check_against(targets, scenario_file, base, overrides)
    say(f"calibrating {base.name} to {targets.spec.name}: at most {settings.max_evaluations} "
        f"evaluations of {settings.reps} replications, seed {seed}")
    runs = _Runs(scenario_file, tuple(overrides), parameters,
                 [t for t in targets.spec.targets if t.in_objective], seed, workers,
                 settings.reps)
    history = _search(runs, settings.max_evaluations, say)
    best = min(history, key=lambda e: (e.objective, e.number))
    # the final run sees callers the search never did: replications numbered after its own
    say(f"final run at the best point: {settings.final_reps} replications the search never "
        "saw")
    final, final_per_rep = runs.simulate(best.values, settings.final_reps,
                                         first_replication=settings.reps)
    slopes, spans = _slopes(runs, best.values, say)
    notes: list[str] = []
    parameter_results = _intervals(parameters, best.values, runs.fitted, slopes, spans,
                                   final_per_rep, settings.reps, notes)
    means = final_per_rep.mean().to_numpy(dtype=float)
    out_of_runs = len(history) >= settings.max_evaluations
    results = [_with_reason(r, runs.fitted, means, slopes, parameter_results, len(history),
                            out_of_runs)
               for r in _target_results(targets.spec.targets, runs.fitted, final, final_per_rep)]
    return Calibration(
        targets=targets, scenario_file=scenario_file, overrides=tuple(overrides), seed=seed,
        settings=settings, evaluations=history, parameters=parameter_results, results=results,
        notes=notes, scenario=runs.scenario_at(best.values),
    )


class _Runs:
    """Runs of the scenario at values of the unknowns, always with the same seed; the search's
    runs (at its replications) are kept, so a point is never run twice."""

    def __init__(self, scenario_file: Path, overrides: tuple[str, ...],
                 parameters: list[Parameter], fitted: list[Target], seed: int, workers: int,
                 reps: int) -> None:
        self.scenario_file, self.overrides, self.parameters = scenario_file, overrides, parameters
        self.fitted, self.seed, self.workers, self.reps = fitted, seed, workers, reps
        self.evaluations: dict[tuple[float, ...], Evaluation] = {}

    def scenario_at(self, values: Sequence[float]) -> Scenario:
        """The scenario with the unknowns at ``values``."""
        texts = [p.override(v) for p, v in zip(self.parameters, values, strict=True)]
        try:
            return load_scenario(self.scenario_file, [*self.overrides, *texts]).scenario
        except ScenarioError as exc:
            where = _values_text(self.parameters, values)
            raise ContactsimError(f"the scenario cannot be run at {where}:\n{exc}") from None

    def simulate(
        self, values: Sequence[float], reps: int, first_replication: int = 0
    ) -> tuple[RunResults, pd.DataFrame]:
        """A run at ``values`` (replications from ``first_replication``), and each fitted
        target's value per replication (a column each, in the order of ``fitted``)."""
        results = run_scenario(self.scenario_at(values), reps, self.seed, self.workers,
                               first_replication=first_replication)
        per_rep = pd.DataFrame({i: period_values(results.intervals, t.line, t.kpi, t.period)
                                for i, t in enumerate(self.fitted)})
        return results, per_rep

    def means_at(self, values: tuple[float, ...]) -> tuple[float, ...]:
        """Each fitted target's mean over the search's replications."""
        if values in self.evaluations:
            return self.evaluations[values].means
        _, per_rep = self.simulate(values, self.reps)
        return tuple(float(per_rep[i].mean()) for i in range(len(self.fitted)))

    def evaluate(self, values: tuple[float, ...]) -> Evaluation:
        """The search's run at ``values`` (made once), with its objective."""
        if values not in self.evaluations:
            means = self.means_at(values)
            total = sum(_miss(t, m) for t, m in zip(self.fitted, means, strict=True))
            self.evaluations[values] = Evaluation(len(self.evaluations) + 1, values, means, total)
        return self.evaluations[values]


class _BudgetSpent(Exception):
    """The search has used its simulation runs."""


class _RoundSpent(Exception):
    """A round of the search has used its share of the runs: restart it."""


def _search(runs: _Runs, budget: int, say: Report) -> list[Evaluation]:
    """Nelder-Mead on the unknowns scaled to [0, 1], from their starting values, restarted
    from the best point with a smaller simplex whenever a round has used its share of the
    runs: rounded staffing makes the objective a staircase, on whose flat treads a simplex
    collapses and then crawls along the other unknowns only. Returns every evaluation."""
    parameters = runs.parameters
    round_runs, round_from = ROUND_RUNS_EACH * (len(parameters) + 1), 0

    def objective(shares: np.ndarray) -> float:
        values = tuple(p.at(float(s)) for p, s in zip(parameters, shares, strict=True))
        if values not in runs.evaluations:
            if len(runs.evaluations) >= budget:
                raise _BudgetSpent
            if len(runs.evaluations) - round_from >= round_runs:
                raise _RoundSpent
            made = runs.evaluate(values)
            say(f"evaluation {made.number}/{budget}: {_values_text(parameters, values)} "
                f"-> error {made.objective:.3g}")
        return runs.evaluations[values].objective

    point, step = np.array([p.share(p.start) for p in parameters]), FIRST_STEP
    objective(point)
    while len(runs.evaluations) < budget:
        before = min(e.objective for e in runs.evaluations.values())
        round_from = len(runs.evaluations)
        try:
            minimize(objective, point, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(point),
                     options={"initial_simplex": _simplex(point, step), "maxfev": 50 * budget,
                              "xatol": 1e-3, "fatol": 1e-3})
        except _RoundSpent:
            pass
        except _BudgetSpent:
            break
        best = min(runs.evaluations.values(), key=lambda e: (e.objective, e.number))
        if best.objective >= before and step <= LAST_STEP:
            break  # no better point even close by: done
        point = np.array([p.share(v) for p, v in zip(parameters, best.values, strict=True)])
        step = max(step / 2, LAST_STEP)
    return sorted(runs.evaluations.values(), key=lambda e: e.number)


def _simplex(point: np.ndarray, step: float) -> np.ndarray:
    """A first simplex: the point, and the point moved ``step`` along each axis (inwards at
    the far side)."""
    corners = [point.copy()]
    for j in range(len(point)):
        corner = point.copy()
        corner[j] += step if point[j] + step <= 1 else -step
        corners.append(corner)
    return np.array(corners)


def _slopes(runs: _Runs, best: tuple[float, ...], say: Report
            ) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Each fitted target's slope against each unknown at ``best`` (central differences, the
    search's replications and seed), and the (down, up) values each slope was taken over."""
    slopes = np.zeros((len(runs.fitted), len(runs.parameters)))
    spans = [(value, value) for value in best]
    for j, parameter in enumerate(runs.parameters):
        share = parameter.share(best[j])
        for widen in (1, 2, 4):  # rounded staffing can be flat over a short step: widen it
            up, down = list(best), list(best)
            up[j] = parameter.at(share + widen * SLOPE_STEP)
            down[j] = parameter.at(share - widen * SLOPE_STEP)
            if parameter.whole and up[j] == down[j]:
                up[j], down[j] = min(parameter.high, up[j] + 1), max(parameter.low, down[j] - 1)
            spans[j] = (down[j], up[j])
            if up[j] == down[j]:
                break
            say(f"slopes of {parameter.label}: {parameter.shown(down[j])} and "
                f"{parameter.shown(up[j])}, {runs.reps} replications each")
            ends = [np.array(runs.means_at(tuple(v))) for v in (up, down)]
            slopes[:, j] = (ends[0] - ends[1]) / (up[j] - down[j])
            if np.nan_to_num(slopes[:, j]).any():
                break
    return slopes, spans


def _miss(target: Target, mean: float) -> float:
    """The target's term of the objective (0 when met, for a bound)."""
    if math.isnan(mean):
        return UNDEFINED_MISS
    return (_signed_miss(target, mean)) ** 2


def _signed_miss(target: Target, mean: float) -> float:
    """How far the mean is off, in tolerances (a bound: in tenths of it; 0 inside it)."""
    if target.kind == "value":
        assert target.value is not None
        return (mean - target.value) / target.miss_scale
    bound = target.bound
    assert bound is not None
    excess = mean - bound if target.kind == "at_most" else bound - mean
    return max(0.0, excess) / target.miss_scale


def _met(target: Target, mean: float) -> bool:
    if math.isnan(mean):
        return False
    if target.kind == "value":
        assert target.value is not None
        return abs(mean - target.value) <= target.absolute_tolerance * (1 + 1e-9)
    return _signed_miss(target, mean) == 0


def _intervals(
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


def _target_results(
    targets: Sequence[Target], fitted: list[Target], final: RunResults, per_rep: pd.DataFrame
) -> list[TargetResult]:
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
        out.append(TargetResult(target, mean, low, high, _met(target, mean)))
    return out


def _with_reason(
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
    miss = _signed_miss(target, means[t])
    # which way the mean must go
    if target.kind == "value":
        wanted = -1.0 if miss > 0 else 1.0
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
            worse = _miss(other, moved) > _miss(other, means[u]) + 0.25
            if worse and not _met(other, moved) and (
                    worst is None or _miss(other, moved) > worst[1]):
                worst = (u, _miss(other, moved), moved)
        if worst is not None:
            u, _, moved = worst
            other = fitted[u]
            reasons.append(
                f"meeting it would push {other.label} "
                f"{'further off' if not _met(other, means[u]) else 'off its target'} (to about "
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


def _values_text(parameters: Sequence[Parameter], values: Sequence[float]) -> str:
    return ", ".join(f"{p.label} {p.shown(v)}" for p, v in zip(parameters, values, strict=True))


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
