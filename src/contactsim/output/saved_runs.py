"""A run or a comparison written into its results folder: simulate, save the files and plots,
all or nothing.

These are the steps ``contactsim run`` and ``contactsim compare`` take once their options are
read, and what :func:`contactsim.run` and :func:`contactsim.compare` take from Python: one
routine each, so a folder made from Python is the same as one made on the command line. The
folder is replaced only as :func:`~contactsim.data.folders.atomic_folder` allows (empty, or
made by contactsim and holding nothing else); a run that fails or is interrupted leaves it as
it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from contactsim.config.loader import LoadedScenario
from contactsim.config.resolved import dump_resolved
from contactsim.data.folders import atomic_folder, check_replaceable
from contactsim.output.results import (
    RECORDS,
    compare_about,
    run_about,
    write_comparison,
    write_run,
)
from contactsim.runs.executors import Executor
from contactsim.runs.experiment import (
    Comparison,
    ProgressReport,
    RunResults,
    compare_scenarios,
    run_scenario,
)
from contactsim.runs.precise_runs import CheckReport, compare_precise, run_precise
from contactsim.runs.precision import Rule, Stopping, precision_table

#: What a run or comparison made to a precision writes beside its other files: per target,
#: what was asked and the half-width reached, with the replications run.
PRECISION = "precision.csv"


def plot_run(folder: Path) -> list[Path]:
    """A run's plots (:func:`contactsim.output.report.plot_run`); matplotlib is loaded here,
    when plots are asked for, not by every command that writes results."""
    from contactsim.output.report import plot_run as draw

    return draw(folder)


def plot_comparison(folder: Path) -> list[Path]:
    """A comparison's plots (:func:`contactsim.output.report.plot_comparison`), loading
    matplotlib only then."""
    from contactsim.output.report import plot_comparison as draw

    return draw(folder)


def run_into_folder(
    loaded: LoadedScenario,
    reps: int,
    seed: int,
    folder: str | Path,
    executor: Executor,
    *,
    about: Mapping[str, object] | None = None,
    progress: ProgressReport | None = None,
    plots: bool = True,
    records: bool = False,
    standards: Mapping[str, float] | None = None,
    precision: Rule | None = None,
    on_check: CheckReport | None = None,
) -> tuple[RunResults, list[str]]:
    """Run ``reps`` replications of ``loaded`` with ``seed`` and write its results folder
    (summary.csv, replications.parquet, intervals.parquet, the scenario as run with its input
    files, days.csv and bad_days.csv judged by ``standards`` (None: 999's national standard),
    plots, and per-call records if ``records``).

    With a ``precision`` rule (:mod:`contactsim.runs.precision`; ``reps`` is then ignored: the
    rule's ``min_reps`` is the minimum), replications run in batches until the rule stops,
    ``on_check`` is told after each check, and the folder also holds ``precision.csv``
    (:data:`PRECISION`: each target, the half-width reached and the replications run).

    The simulation happens inside the folder's temporary twin, so records stream there and an
    interrupted run leaves nothing behind. Returns the results and the notes worth showing a
    planner (an input file too large to copy beside the results, say). ``about`` is what the
    folder's marker says it holds (:func:`~contactsim.output.results.run_about`; made here if
    not given)."""
    folder = Path(folder)
    about = dict(about if about is not None else run_about(loaded, seed, reps))
    with atomic_folder(folder, "run", about) as temporary:
        records_dir = temporary / RECORDS if records else None
        if precision is None:
            results = run_scenario(loaded.scenario, reps, seed, progress=progress,
                                   executor=executor, records_dir=records_dir)
        else:
            results, stopped = run_precise(loaded.scenario, seed, precision, executor,
                                           progress=progress, on_check=on_check,
                                           records_dir=records_dir)
            write_precision(stopped, temporary, about)
        notes = write_run(results, dump_resolved(loaded, seed), temporary, folder,
                          standards=standards)
        if plots:
            plot_run(temporary)
    return results, notes


def compare_into_folder(
    loaded: Sequence[LoadedScenario],
    reps: int,
    seed: int,
    folder: str | Path,
    executor: Executor,
    *,
    about: Mapping[str, object] | None = None,
    progress: ProgressReport | None = None,
    plots: bool = True,
    precision: Rule | None = None,
    on_check: CheckReport | None = None,
) -> tuple[Comparison, list[str]]:
    """Run every scenario of ``loaded`` with the same callers (the same ``seed``), compare each
    with the first, and write the comparison's folder: compare.csv, plots, and each scenario's
    own results under ``runs/``. Returns the comparison and the notes worth showing; ``about``
    as for :func:`run_into_folder`. A folder that may not be replaced is refused before the
    simulations, not after them. With a ``precision`` rule, as for :func:`run_into_folder`,
    its targets judged on the paired differences from the first scenario."""
    folder = Path(folder)
    check_replaceable(folder, "compare")
    about = dict(about if about is not None else compare_about(list(loaded), seed, reps))
    scenarios = [item.scenario for item in loaded]
    if precision is None:
        comparison = compare_scenarios(scenarios, reps, seed, progress=progress,
                                       executor=executor)
        stopped = None
    else:
        comparison, stopped = compare_precise(scenarios, seed, precision, executor,
                                              progress=progress, on_check=on_check)
    return comparison, save_comparison(comparison, loaded, seed, folder, about, plots,
                                       stopped)


def save_comparison(
    comparison: Comparison, loaded: Sequence[LoadedScenario], seed: int, folder: str | Path,
    about: Mapping[str, object], plots: bool = True, stopped: Stopping | None = None,
) -> list[str]:
    """Write a comparison already run (of ``loaded``, with ``seed``) into its folder, as
    :func:`compare_into_folder` does (with ``precision.csv`` if it ran to a precision and
    ``stopped`` says where); returns the notes worth showing."""
    folder = Path(folder)
    about = dict(about)
    with atomic_folder(folder, "compare", about) as temporary:
        if stopped is not None:
            write_precision(stopped, temporary, about)
        notes = write_comparison(comparison, [dump_resolved(item, seed) for item in loaded],
                                 temporary, folder)
        if plots:
            plot_comparison(temporary)
    return notes


def write_precision(stopped: Stopping, folder: Path, about: dict[str, object]) -> None:
    """``precision.csv`` (:func:`~contactsim.runs.precision.precision_table`) into ``folder``;
    the marker's ``about`` records the replications run and the targets."""
    precision_table(stopped.reached).to_csv(folder / PRECISION, index=False)
    about["reps"] = stopped.reached[0].reps if stopped.reached else about.get("reps")
    about["precision"] = [str(target) for target in stopped.rule.targets]
