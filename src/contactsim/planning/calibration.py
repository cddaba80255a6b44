"""Calibration: values of a scenario's unknowns that make it reproduce published figures.

The search runs the scenario at candidate values of the unknowns (a targets file names them,
with bounds; see :mod:`~contactsim.planning.targets`), always with the same seed, so every
evaluation sees the same callers (common random numbers): the objective then changes only
because the unknowns do, and a small change of an unknown gives a small, repeatable change of
the KPIs. It minimises (:mod:`~contactsim.planning.calibration_misses`)

    sum over value targets of ((mean - value) / tolerance)^2
  + sum over bound targets of (excess / (0.1 |bound|))^2 when the bound is broken

with Nelder-Mead on the unknowns scaled to [0, 1], from the scenario's own values, for at most
``max_evaluations`` simulation runs, every run on one executor kept open for the whole
calibration. A final run at the best point with ``final_reps`` replications gives each
target's mean and 95% interval, and why a target is not met
(:mod:`~contactsim.planning.calibration_verdicts`). The unknowns' intervals come from the delta
method, with the slopes of the value targets' means taken here by central differences at the
search's replications and seed (:mod:`~contactsim.planning.calibration_intervals`).
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
from contactsim.planning.calibration_intervals import ParameterResult, parameter_intervals
from contactsim.planning.calibration_misses import miss
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
#: Central differences: each unknown moved this share of its range either side.
SLOPE_STEP = 0.05

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
    slopes, spans = _slopes(runs, best.values, say)
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
    from the search's. The slopes are then taken at ``reps`` too."""
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


def _values_text(parameters: Sequence[Parameter], values: Sequence[float]) -> str:
    return ", ".join(f"{p.label} {p.shown(v)}" for p, v in zip(parameters, values, strict=True))


