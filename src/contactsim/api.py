"""contactsim from Python: load a scenario, run it, compare scenarios, sweep a grid of changes.

The same steps as the command line, for a planner working in a notebook or a script::

    import contactsim

    baseline = contactsim.load_scenario("scenarios/baseline-2018.yaml")
    results = contactsim.run(baseline, reps=10)
    print(results.summary.query("kpi == 'service_level'"))

A scenario is a frozen :class:`~contactsim.config.scenario.Scenario`; a changed copy is
``scenario.model_copy(update={...})`` or, simpler, ``load_scenario(path, ["shrinkage=0.3"])``
with the command line's ``--set`` texts. Results folders written here (``out=``) are the same
as the command line's and follow its safety rules: only a folder that is empty or that
contactsim made is replaced, and nothing is left half-written.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from contactsim.build.loading import load_scenario as _load_checked
from contactsim.config.loader import LoadedScenario
from contactsim.config.scenario import Scenario
from contactsim.runs.defaults import DEFAULT_SEED, seed_for
from contactsim.runs.executors import make_executor
from contactsim.runs.experiment import (
    Comparison,
    RunResults,
    compare_scenarios,
    default_workers,
    run_scenario,
)

if TYPE_CHECKING:
    from contactsim.runs.precision import Rule, Stopping

#: What a function here accepts as a scenario: one already loaded, or its YAML file.
ScenarioLike = Scenario | str | Path


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read a scenario file: follow ``extends``, apply ``overrides`` (the command line's
    ``--set`` texts, such as ``"shrinkage=0.3"`` or ``"pools.blended.staffing.scale=1.1"``),
    validate every field and read every file it names once.

    Notices worth a planner's eye (a call log that had to be sorted, say) come as warnings.

    Raises
    ------
    contactsim.errors.ScenarioError
        Naming the file, the field, the value and what was expected.
    """
    return _loaded(path, overrides).scenario


def run(
    scenario: ScenarioLike,
    reps: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    out: str | Path | None = None,
    plots: bool = True,
    precision: Mapping[str, float | str] | None = None,
    max_reps: int | None = None,
) -> RunResults:
    """Simulate ``reps`` replications (default 10) of a scenario and return their results:
    ``summary`` (each KPI's mean and 95% interval by line, pool and Resolution Centre),
    ``replications`` (each replication's KPIs) and ``intervals`` (the interval series).

    ``seed`` defaults to the scenario's own seed, else the command line's default; the same
    seed gives the same numbers on any number of ``workers`` (default: every core). With
    ``out``, the results folder is written as ``contactsim run`` writes it (with its plots
    unless ``plots=False``).

    With ``precision`` (``{"101:asa_s": 5, "999:service_level": 0.005, "101:abandon_rate":
    "5%"}``: each KPI's 95% half-width, as ``--precision`` takes it), replications run in
    batches until every interval is that tight or ``max_reps`` (default 100) are run, ``reps``
    being the minimum (default 5); a target not met is a warning."""
    loaded = _loaded(scenario)
    seed_used = seed_for(seed, loaded.scenario.seed)
    n_workers = workers or default_workers()
    rule = _precision_rule(precision, reps, max_reps, [loaded.scenario])
    if out is None and rule is None:
        return run_scenario(loaded.scenario, reps or 10, seed_used, n_workers)
    from contactsim.output.saved_runs import run_into_folder
    from contactsim.runs.precise_runs import run_precise

    checks: list[Stopping] = []
    with make_executor(n_workers) as executor:
        if out is None and rule is not None:
            results, stopped = run_precise(loaded.scenario, seed_used, rule, executor)
            checks.append(stopped)
        else:
            results, _notes = run_into_folder(loaded, _first_reps(reps, rule), seed_used,
                                              out or "", executor, plots=plots,
                                              precision=rule, on_check=checks.append)
    _warn_if_not_met(checks)
    return results


def _precision_rule(precision: Mapping[str, float | str] | None, reps: int | None,
                    max_reps: int | None, scenarios: Sequence[Scenario]) -> Rule | None:
    """The stopping rule ``run(precision=...)`` or ``compare(precision=...)`` asks for (None
    without one), its targets checked against every scenario."""
    if not precision:
        return None
    from contactsim.runs.defaults import PRECISION_MAX_REPS, PRECISION_MIN_REPS
    from contactsim.runs.precision import Rule, check_targets, parse_targets

    targets = parse_targets([f"{key}={value}" for key, value in precision.items()],
                            "precision")
    for scenario in scenarios:
        check_targets(targets, scenario, "precision")
    minimum = reps or PRECISION_MIN_REPS
    return Rule(targets, min_reps=minimum,
                max_reps=max_reps or max(PRECISION_MAX_REPS, minimum))


def _first_reps(reps: int | None, rule: Rule | None) -> int:
    """The replications a folder's marker says it holds at the start, as the command line
    says them: the rule's minimum with a precision, else ``reps`` (default 10)."""
    return rule.min_reps if rule is not None else reps or 10


def _warn_if_not_met(checks: Sequence[Stopping]) -> None:
    """A warning, at the caller's line, naming each target the last check left unmet."""
    if checks and not checks[-1].met:
        from contactsim.runs.precision import describe

        warnings.warn("precision not met within max_reps: " + "; ".join(
            describe(r) for r in checks[-1].reached if not r.met), stacklevel=3)


def compare(
    scenarios: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    reps: int | None = None,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    out: str | Path | None = None,
    plots: bool = True,
    precision: Mapping[str, float | str] | None = None,
    max_reps: int | None = None,
) -> Comparison:
    """Run every scenario with the same callers (common random numbers) and compare each with
    the first: ``table`` holds each KPI's mean and interval per scenario and the paired
    difference from the first, with its interval; ``runs`` each scenario's
    :class:`~contactsim.runs.experiment.RunResults`. Given as a mapping, the scenarios are
    named by its keys (``{"now": baseline, "busier": busier}``); else by their own names. With
    ``out``, the comparison's folder is written as ``contactsim compare`` writes it.

    ``reps`` replications of each (default 10); with ``precision`` (as :func:`run` takes it),
    the targets apply to the paired differences from the first scenario, as ``contactsim
    compare --precision`` applies them: replications run in batches until each difference's
    interval is that tight or ``max_reps`` (default 100) are run, ``reps`` being the minimum
    (default 5). The replications taken are ``table``'s ``reps`` (and, with ``out``, the
    folder's ``precision.csv`` says each target's half-width); a target not met is a
    warning."""
    if isinstance(scenarios, Mapping):
        loaded = [_named(_loaded(item), name) for name, item in scenarios.items()]
    else:
        loaded = [_loaded(item) for item in scenarios]
    n_workers = workers or default_workers()
    chosen = [item.scenario for item in loaded]
    rule = _precision_rule(precision, reps, max_reps, chosen)
    if out is None and rule is None:
        return compare_scenarios(chosen, reps or 10, seed, n_workers)
    from contactsim.output.saved_runs import compare_into_folder
    from contactsim.runs.precise_runs import compare_precise

    checks: list[Stopping] = []
    with make_executor(n_workers) as executor:
        if out is None and rule is not None:
            comparison, stopped = compare_precise(chosen, seed, rule, executor)
            checks.append(stopped)
        else:
            comparison, _notes = compare_into_folder(loaded, _first_reps(reps, rule), seed,
                                                     out or "", executor, plots=plots,
                                                     precision=rule, on_check=checks.append)
    _warn_if_not_met(checks)
    return comparison


def sweep(sweep_file: str | Path, out: str | Path, workers: int | None = None,
          plots: bool = True) -> pd.DataFrame:
    """Run a sweep file (a base scenario over a grid of changes) into the folder ``out`` and
    return its tidy table (one row per point, replication, scope and KPI), as
    ``contactsim sweep`` does. Called again with the same folder, it redoes only the runs not
    yet finished."""
    from contactsim.output.planning_plots import plot_sweep
    from contactsim.runs.sweep import run_sweep
    from contactsim.runs.sweep_file import load_sweep

    spec = load_sweep(sweep_file)
    tidy = run_sweep(spec, out, workers=workers or default_workers())
    if plots and not tidy.empty:
        plot_sweep(Path(out), spec.plot_scope, spec.plot_kpi)
    return tidy


def _loaded(scenario: ScenarioLike, overrides: Sequence[str] = ()) -> LoadedScenario:
    """A scenario as the run functions take it; a file is loaded (with ``overrides``) and its
    notices given as warnings, pointing at the caller's line."""
    if isinstance(scenario, Scenario):
        return LoadedScenario(scenario=scenario, source=Path(f"<{scenario.name}>"))
    loaded = _load_checked(scenario, overrides)
    for notice in loaded.notices:
        warnings.warn(notice, stacklevel=3)
    return loaded


def _named(loaded: LoadedScenario, name: str) -> LoadedScenario:
    """``loaded`` under another name, checked as the scenario's own name would be."""
    from dataclasses import replace

    from contactsim.data.files import safe_component

    safe_component(name, "scenario name")
    return replace(loaded, scenario=loaded.scenario.model_copy(update={"name": name}))


