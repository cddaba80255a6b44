"""Calibration: values of a scenario's unknowns that make it reproduce published figures.

The search runs the scenario at candidate values of the unknowns (a targets file names them,
with bounds; see :mod:`~contactsim.planning.targets`), always with the same seed, so every
evaluation sees the same callers (common random numbers): the objective then changes only
because the unknowns do, and a small change of an unknown gives a small, repeatable change of
the KPIs. It minimises (:mod:`~contactsim.planning.calibration_misses`)

    sum over value targets of ((mean - value) / tolerance)^2
  + sum over bound targets of (excess / (0.1 |bound|))^2 when the bound is broken

with Nelder-Mead on the unknowns scaled to [0, 1], from the scenario's own values, for at most
``max_evaluations`` runs at the screening replications (:func:`screen_reps`), all on one
executor kept open for the whole calibration, or fewer once the search has settled: when its
best point meets every target and :data:`SETTLED_RUNS_EACH` runs per corner of its simplex have
not lowered the objective by :data:`MIN_GAIN` (a quarter of one target's squared tolerance).
Smaller gains are below the screening's noise (on the 2018 baseline one point scored 1.01 at 2
replications, 0.40 at 4): the confirmation could not tell such points apart. A search whose
best point misses a target uses its whole budget, as before. The three best points are
confirmed at ``reps`` replications (their screening replications kept and added to); the best
of those is the answer. A final run at it with ``final_reps`` replications the search never saw
gives each target's mean and 95% interval, and why a target is not met
(:mod:`~contactsim.planning.calibration_verdicts`).

The unknowns' intervals come from the delta method
(:mod:`~contactsim.planning.calibration_intervals`), with the slopes of the value targets'
means from the runs the search made: a straight line by least squares through the points within
:data:`NEAR` of the best, over their screening replications (the same callers at every point,
so the points differ only by the unknowns). An unknown those points do not spread as well as
central differences would (:data:`SLOPE_STEP` either side at ``reps`` replications) gets
central differences, runs of its own, and its effect is taken out of the line's fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from contactsim.analysis.periods import period_values
from contactsim.build.loading import load_scenario
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.planning.calibration_intervals import (
    SLOPE_STEP,
    ParameterResult,
    central_difference,
    local_slopes,
    parameter_intervals,
    spread,
)
from contactsim.planning.calibration_misses import met, miss
from contactsim.planning.calibration_verdicts import TargetResult, target_results, with_reason
from contactsim.planning.targets import SearchSettings, Target, Targets
from contactsim.planning.unknowns import Parameter, check_against
from contactsim.runs.executors import Executor, given_or_own
from contactsim.runs.experiment import RunResults, run_scenario

__all__ = ["Calibration", "Evaluation", "calibrate"]

#: First simplex: each unknown moved this share of its bounds' range from the start.
FIRST_STEP = 0.25
#: Restarts: each round's simplex is half the last one's, down to this share.
LAST_STEP = 0.05
#: Runs a round of Nelder-Mead may make, per corner of its simplex, before a restart.
ROUND_RUNS_EACH = 6
#: The search has settled when this many runs per corner of its simplex (after the first
#: simplex) have brought no gain of :data:`MIN_GAIN`.
SETTLED_RUNS_EACH = 3
#: A gain of the objective worth searching on: a quarter of one target's squared tolerance.
MIN_GAIN = 0.25
#: The slopes' points: those within this share of every unknown's range from the best.
NEAR = 0.1

Report = Callable[[str], None]


@dataclass(frozen=True)
class Evaluation:
    """One simulation run of the search: the unknowns' values, each target's mean (NaN for a
    peak-month check) and the objective."""

    number: int
    values: tuple[float, ...]
    means: tuple[float, ...]
    objective: float
    reps: int = 0  # the replications the means are over


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
        """The evaluation with the smallest objective (the first of equals) among those at
        the most replications (the confirmations, after a screening search)."""
        most = max(e.reps for e in self.evaluations)
        return min((e for e in self.evaluations if e.reps == most),
                   key=lambda e: (e.objective, e.number))

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
    executor: Executor | None = None,
) -> Calibration:
    """Fit the targets file's unknowns so that the scenario reproduces its targets.

    ``overrides`` (``--set`` texts) apply before the unknowns. ``report`` receives one line per
    simulation run. Every run goes to ``executor`` if given (its owner opens and closes it),
    else to ``workers`` local processes started once for the whole calibration. Raises
    ScenarioError if the targets do not fit the scenario, and ContactsimError if the scenario
    cannot be run at some values of the unknowns.
    """
    with given_or_own(executor, workers) as runner:
        return _calibrate(Path(scenario_file), targets, seed, settings, overrides,
                          report or (lambda _line: None), runner)


def _calibrate(
    scenario_file: Path, targets: Targets, seed: int, settings: SearchSettings,
    overrides: Sequence[str], say: Report, executor: Executor,
) -> Calibration:
    base = load_scenario(scenario_file, overrides).scenario
    parameters = check_against(targets, scenario_file, base, overrides)
    screen = screen_reps(settings)
    say(f"calibrating {base.name} to {targets.spec.name}: at most {settings.max_evaluations} "
        f"evaluations of {screen} replications, seed {seed}")
    runs = _Runs(scenario_file, tuple(overrides), parameters,
                 [t for t in targets.spec.targets if t.in_objective], seed, executor, screen)
    history = _search(runs, settings.max_evaluations, say)
    out_of_runs = len(history) >= settings.max_evaluations
    if screen < settings.reps:
        history += _confirm(runs, history, settings.reps, say)
    best = min((e for e in history if e.reps == settings.reps),
               key=lambda e: (e.objective, e.number))
    # the final run sees callers the search never did: replications numbered after its own
    say(f"final run at the best point: {settings.final_reps} replications the search never "
        "saw")
    final, final_per_rep = runs.simulate(best.values, settings.final_reps,
                                         first_replication=settings.reps)
    slopes, spans = _slopes(runs, best.values, screen, say)
    notes: list[str] = []
    parameter_results = parameter_intervals(parameters, best.values, runs.fitted, slopes, spans,
                                            final_per_rep, settings.reps, notes)
    means = final_per_rep.mean().to_numpy(dtype=float)
    results = [with_reason(r, runs.fitted, means, slopes, parameter_results, len(history),
                           out_of_runs)
               for r in target_results(targets.spec.targets, runs.fitted, final, final_per_rep)]
    return Calibration(
        targets=targets, scenario_file=scenario_file, overrides=tuple(overrides), seed=seed,
        settings=settings, evaluations=history, parameters=parameter_results, results=results,
        notes=notes, scenario=runs.scenario_at(best.values),
    )


class _Runs:
    """Runs of the scenario at values of the unknowns, always with the same seed; the search's
    runs (at its replications) are kept, so a point is never run twice."""

    def __init__(self, scenario_file: Path, overrides: tuple[str, ...],
                 parameters: list[Parameter], fitted: list[Target], seed: int,
                 executor: Executor, reps: int) -> None:
        self.scenario_file, self.overrides, self.parameters = scenario_file, overrides, parameters
        self.fitted, self.seed, self.executor, self.reps = fitted, seed, executor, reps
        self.evaluations: dict[tuple[float, ...], Evaluation] = {}
        #: each point's fitted targets per replication, replications 0, 1, ... as run so far
        self.per_rep: dict[tuple[float, ...], pd.DataFrame] = {}

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
        results = run_scenario(self.scenario_at(values), reps, self.seed, executor=self.executor,
                               first_replication=first_replication)
        per_rep = pd.DataFrame({i: period_values(results.intervals, t.line, t.kpi, t.period)
                                for i, t in enumerate(self.fitted)})
        return results, per_rep

    def means_at(self, values: tuple[float, ...]) -> tuple[float, ...]:
        """Each fitted target's mean over the replications ``0 … reps-1`` (only those not yet
        run at ``values`` are run: a replication's numbers depend on the seed and its number
        alone, so more replications of a point add to the ones it has)."""
        have = self.per_rep.get(values)
        done = 0 if have is None else len(have)
        if done < self.reps:
            _, more = self.simulate(values, self.reps - done, first_replication=done)
            have = more if have is None else pd.concat([have, more])
            self.per_rep[values] = have
        assert have is not None
        per_rep = have.iloc[: self.reps]
        return tuple(float(per_rep[i].mean()) for i in range(len(self.fitted)))

    def evaluate(self, values: tuple[float, ...]) -> Evaluation:
        """The search's run at ``values`` (made once), with its objective."""
        if values not in self.evaluations:
            means = self.means_at(values)
            total = sum(miss(t, m) for t, m in zip(self.fitted, means, strict=True))
            self.evaluations[values] = Evaluation(len(self.evaluations) + 1, values, means, total,
                                                  self.reps)
        return self.evaluations[values]


class _BudgetSpent(Exception):
    """The search has used its simulation runs, or has settled."""


class _RoundSpent(Exception):
    """A round of the search has used its share of the runs: restart it."""


def _search(runs: _Runs, budget: int, say: Report) -> list[Evaluation]:
    """Nelder-Mead on the unknowns scaled to [0, 1], from their starting values, restarted
    from the best point with a smaller simplex whenever a round has used its share of the
    runs: rounded staffing makes the objective a staircase, on whose flat treads a simplex
    collapses and then crawls along the other unknowns only. Stops when settled: when the
    best point meets every target and :data:`SETTLED_RUNS_EACH` runs per corner have not
    lowered the objective by :data:`MIN_GAIN` below its level at the last such gain. Returns
    every evaluation."""
    parameters = runs.parameters
    round_runs, round_from = ROUND_RUNS_EACH * (len(parameters) + 1), 0
    settled_runs = SETTLED_RUNS_EACH * (len(parameters) + 1)
    level, gained_at = np.inf, len(parameters) + 1  # counted from the end of the first simplex

    def settled() -> bool:
        if len(runs.evaluations) < gained_at + settled_runs:
            return False
        best = min(runs.evaluations.values(), key=lambda e: e.objective)
        return all(met(t, m) for t, m in zip(runs.fitted, best.means, strict=True))

    def objective(shares: np.ndarray) -> float:
        nonlocal level, gained_at
        values = tuple(p.at(float(s)) for p, s in zip(parameters, shares, strict=True))
        if values not in runs.evaluations:
            if len(runs.evaluations) >= budget or settled():
                raise _BudgetSpent
            if len(runs.evaluations) - round_from >= round_runs:
                raise _RoundSpent
            made = runs.evaluate(values)
            if made.objective <= level - MIN_GAIN:
                level, gained_at = made.objective, max(gained_at, made.number)
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
    if len(runs.evaluations) < budget and settled():
        say(f"settled: every target met, and {settled_runs} runs without lowering the error "
            f"by {MIN_GAIN}")
    return sorted(runs.evaluations.values(), key=lambda e: e.number)


#: Points of a screening search confirmed at the full replications.
CONFIRMED_POINTS = 3


def screen_reps(settings: SearchSettings) -> int:
    """The replications of the search's evaluations: ``screen_reps`` if given, else half of
    ``reps`` (at least 2, at most ``reps``)."""
    if settings.screen_reps is not None:
        return min(settings.screen_reps, settings.reps)
    return min(settings.reps, max(2, settings.reps // 2))


def _confirm(runs: _Runs, history: list[Evaluation], reps: int, say: Report
             ) -> list[Evaluation]:
    """The :data:`CONFIRMED_POINTS` best points of a screening search at ``reps``
    replications (their screening replications and the rest): new evaluations, numbered on
    from the search's. Central differences, if any, are then taken at ``reps`` too."""
    best = sorted(history, key=lambda e: (e.objective, e.number))[:CONFIRMED_POINTS]
    runs.reps = reps
    confirmed = []
    for number, screened in enumerate(best, start=len(history) + 1):
        means = runs.means_at(screened.values)
        total = sum(miss(t, m) for t, m in zip(runs.fitted, means, strict=True))
        confirmed.append(Evaluation(number, screened.values, means, total, reps))
        say(f"confirming with {reps} replications: {_values_text(runs.parameters, screened.values)}"
            f" -> error {total:.3g} (screened: {screened.objective:.3g})")
    return confirmed


def _simplex(point: np.ndarray, step: float) -> np.ndarray:
    """A first simplex: the point, and the point moved ``step`` along each axis (inwards at
    the far side)."""
    corners = [point.copy()]
    for j in range(len(point)):
        corner = point.copy()
        corner[j] += step if point[j] + step <= 1 else -step
        corners.append(corner)
    return np.array(corners)


def _slopes(runs: _Runs, best: tuple[float, ...], screen: int, say: Report
            ) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Each fitted target's slope against each unknown at ``best``, and the (low, high) values
    each slope was taken over: the line through the points near the best (their first
    ``screen`` replications), central differences for the unknowns they spread too little
    (the least spread first, one at a time), as the module's docstring says."""
    parameters = runs.parameters
    ranges = np.array([p.high - p.low for p in parameters])
    centre = np.array([p.share(v) for p, v in zip(parameters, best, strict=True)])
    points = [v for v, rows in runs.per_rep.items() if len(rows) >= screen and max(
        abs(p.share(x) - c) for p, x, c in zip(parameters, v, centre, strict=True)) <= NEAR]
    shares = np.array([[p.share(x) for p, x in zip(parameters, v, strict=True)]
                       for v in points]).reshape(len(points), len(parameters))
    means = np.array([runs.per_rep[v].iloc[:screen].mean().to_numpy(dtype=float)
                      for v in points]).reshape(len(points), len(runs.fitted))
    least = 2 * SLOPE_STEP**2 * runs.reps / screen  # a central difference's, at `screen` reps
    slopes = np.zeros((len(runs.fitted), len(parameters)))
    spans = [(value, value) for value in best]
    rest = list(range(len(parameters)))
    while rest:
        spreads = spread(shares[:, rest]) if len(points) >= len(rest) + 2 else np.zeros(len(rest))
        if spreads.min() >= least:
            break
        j = rest.pop(int(np.argmin(spreads)))
        slopes[:, j], spans[j] = central_difference(
            parameters[j], best, j, len(runs.fitted), runs.means_at,
            f"{runs.reps} replications each", say)
        means = means - np.outer(shares[:, j] - centre[j], slopes[:, j] * ranges[j])
    if rest:
        say(f"slopes of {', '.join(parameters[j].label for j in rest)}: a straight line "
            f"through the {len(points)} points run near the best, {screen} replications each")
        slopes[:, rest] = local_slopes(shares[:, rest], means, centre[rest]) / ranges[rest]
        for j in rest:
            spans[j] = (min(v[j] for v in points), max(v[j] for v in points))
    return slopes, spans


def _values_text(parameters: Sequence[Parameter], values: Sequence[float]) -> str:
    return ", ".join(f"{p.label} {p.shown(v)}" for p, v in zip(parameters, values, strict=True))


