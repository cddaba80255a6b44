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
from contactsim.output.report import plot_comparison, plot_run
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
) -> tuple[RunResults, list[str]]:
    """Run ``reps`` replications of ``loaded`` with ``seed`` and write its results folder
    (summary.csv, replications.parquet, intervals.parquet, the scenario as run with its input
    files, days.csv and bad_days.csv judged by ``standards`` (None: 999's national standard),
    plots, and per-call records if ``records``).

    The simulation happens inside the folder's temporary twin, so records stream there and an
    interrupted run leaves nothing behind. Returns the results and the notes worth showing a
    planner (an input file too large to copy beside the results, say). ``about`` is what the
    folder's marker says it holds (:func:`~contactsim.output.results.run_about`; made here if
    not given)."""
    folder = Path(folder)
    if about is None:
        about = run_about(loaded, seed, reps)
    with atomic_folder(folder, "run", about) as temporary:
        results = run_scenario(
            loaded.scenario, reps, seed, progress=progress, executor=executor,
            records_dir=temporary / RECORDS if records else None,
        )
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
) -> tuple[Comparison, list[str]]:
    """Run every scenario of ``loaded`` with the same callers (the same ``seed``), compare each
    with the first, and write the comparison's folder: compare.csv, plots, and each scenario's
    own results under ``runs/``. Returns the comparison and the notes worth showing; ``about``
    as for :func:`run_into_folder`. A folder that may not be replaced is refused before the
    simulations, not after them."""
    folder = Path(folder)
    check_replaceable(folder, "compare")
    if about is None:
        about = compare_about(list(loaded), seed, reps)
    comparison = compare_scenarios(
        [item.scenario for item in loaded], reps, seed, progress=progress, executor=executor,
    )
    return comparison, save_comparison(comparison, loaded, seed, folder, about, plots)


def save_comparison(
    comparison: Comparison, loaded: Sequence[LoadedScenario], seed: int, folder: str | Path,
    about: Mapping[str, object], plots: bool = True,
) -> list[str]:
    """Write a comparison already run (of ``loaded``, with ``seed``) into its folder, as
    :func:`compare_into_folder` does; returns the notes worth showing."""
    folder = Path(folder)
    with atomic_folder(folder, "compare", about) as temporary:
        notes = write_comparison(comparison, [dump_resolved(item, seed) for item in loaded],
                                 temporary, folder)
        if plots:
            plot_comparison(temporary)
    return notes
