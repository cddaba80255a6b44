"""``contactsim calibrate``: what a planner uses to make a scenario match the centre's published
figures — it fits the unknowns a targets file names (patience, say, or the share of calls that
are repeats) so that the scenario reproduces them, running every evaluation with the same
callers, and writes the calibrated scenario with the fit and the search behind it."""

from __future__ import annotations

import time
from pathlib import Path

import click

from contactsim.cli.options import (
    check_out_or_exit,
    chosen_seed,
    fail,
    load_or_exit,
    opened_executor,
    set_option,
    workers_option,
)
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import DEFAULT_SEED


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--targets", "targets_file", required=True, type=click.Path(dir_okay=False),
              help="The targets file: published figures and the unknowns to fit (YAML).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Results folder; replaced whole if contactsim made it.")
@click.option("--reps", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications of the search's confirmed best points (and of any slope by "
                   "central differences) [default: the targets file's, else 4].")
@click.option("--screen-reps", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications of the search's evaluations; its best points are then "
                   "confirmed at --reps [default: the targets file's, else half of --reps, at "
                   "least 2; --screen-reps equal to --reps turns screening off].")
@click.option("--final-reps", type=click.IntRange(min=2, max=MAX_REPLICATIONS), default=None,
              help="Replications of the final run at the best point [default: the file's, "
                   "else 10].")
@click.option("--max-evaluations", type=click.IntRange(min=1), default=None,
              help="Simulation runs the search may make; it stops sooner once settled "
                   "[default: the file's, else 40].")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help=f"Seed of every run [default: the scenario's, else {DEFAULT_SEED}].")
@workers_option
@set_option
def calibrate(
    scenario: str, targets_file: str, out: str, reps: int | None, screen_reps: int | None,
    final_reps: int | None, max_evaluations: int | None, seed: int | None, workers: int | None,
    overrides: tuple[str, ...],
) -> None:
    """Fit a scenario's unknowns to published figures.

    Fits the unknowns a targets file names so that SCENARIO reproduces its published figures
    (same callers in every run); writes calibrated.yaml, calibration.csv, parameters.csv,
    search.csv, scenario.resolved.yaml and calibration.png."""
    from contactsim.data.folders import atomic_folder
    from contactsim.output.calibration_report import describe, write_calibration
    from contactsim.planning.calibration import calibrate as fit
    from contactsim.planning.targets import load_targets

    loaded = load_or_exit(scenario, overrides)
    seed_used = chosen_seed(seed, loaded)
    folder = Path(out)
    check_out_or_exit(folder, "calibrate")
    try:
        targets = load_targets(targets_file)
    except ScenarioError as exc:
        fail(f"the targets cannot be used:\n{exc}")
    given = {"reps": reps, "screen_reps": screen_reps, "final_reps": final_reps,
             "max_evaluations": max_evaluations}
    settings = targets.spec.search.model_copy(
        update={k: v for k, v in given.items() if v is not None})
    started = time.perf_counter()

    def show(line: str) -> None:
        click.echo(line, err=True)

    # one executor for every evaluation: its worker processes start once for the calibration
    with opened_executor(workers, None, None) as executor:
        try:
            calibration = fit(scenario, targets, seed_used, settings, overrides,
                              report=show, executor=executor)
        except ScenarioError as exc:
            fail(f"the targets cannot be used with {scenario}:\n{exc}")
        except ContactsimError as exc:
            fail(str(exc))
    with atomic_folder(folder, "calibrate") as temporary:
        write_calibration(calibration, temporary, folder)
    click.echo(describe(calibration))
    click.echo(f"\n{len(calibration.evaluations)} evaluations in "
               f"{time.perf_counter() - started:.1f} s (seed {seed_used}); results in {folder}/")
