"""``contactsim sweep``: what a planner uses to map how the KPIs move across a grid of changes —
staffing levels, shrinkage, demand growth — from one scenario: every grid point and replication
runs once in its own folder, an interrupted sweep resumes where it stopped, and the tidy table
and plots gather them all."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from contactsim.cli.options import (
    dask_local_option,
    default_folder,
    fail,
    one_cluster,
    opened_executor,
    scheduler_option,
    workers_option,
)
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError


@click.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Sweep folder [default: results/sweep-NAME]; rerun to resume.")
@workers_option
@scheduler_option
@dask_local_option
def sweep(
    sweep_file: str, out: str | None, workers: int | None, scheduler: str | None,
    dask_local: int | None,
) -> None:
    """Run a sweep: a scenario over a grid of changes.

    Runs every grid point and variant × replication once, each in its own folder; rerun the
    same command to resume after an interruption (finished runs are kept)."""
    from tqdm import tqdm

    from contactsim.output.planning_plots import plot_sweep
    from contactsim.runs.sweep import SweepProgress, run_sweep
    from contactsim.runs.sweep_file import load_sweep

    try:
        spec = load_sweep(sweep_file)
    except ScenarioError as exc:
        fail(f"the sweep cannot be used:\n{exc}")
    one_cluster(scheduler, dask_local)
    folder = Path(out) if out else default_folder(f"sweep-{Path(sweep_file).stem}", "sweep name")
    bar = tqdm(total=0, unit="run", desc="sweep", file=sys.stderr, dynamic_ncols=True)
    last: list[SweepProgress] = []  # the latest counts, for the message if interrupted

    def show(state: SweepProgress) -> None:
        last[:] = [state]
        bar.total = state.total - state.skipped
        bar.n = state.done
        bar.set_postfix(failed=state.failed, kept=state.skipped)
        bar.refresh()

    started = time.perf_counter()
    try:
        with opened_executor(workers, scheduler, dask_local) as executor:
            tidy = run_sweep(spec, folder, progress=show, executor=executor)
    except KeyboardInterrupt:
        # run_sweep has stopped its workers; every finished run's folder is whole and kept
        bar.close()
        if last:
            kept = last[0].skipped + last[0].done - last[0].failed
            finished = f"{kept} of {last[0].total} runs are finished and kept"
        else:
            finished = "the runs finished before are kept"
        click.echo(f"\ninterrupted: {finished} in {folder}/; run the same command again to "
                   "resume", err=True)
        sys.exit(130)
    except EnvironmentFault:  # e.g. an unreachable Dask scheduler: main's message, status 1
        bar.close()
        raise
    except ContactsimError as exc:
        bar.close()
        fail(str(exc))
    bar.close()
    plots = plot_sweep(folder, spec.plot_scope, spec.plot_kpi) if not tidy.empty else []
    failures = folder / "failures.csv"
    runs = len(spec.points) * spec.reps
    written = [name for name in ("sweep.parquet", "sweep_summary.csv", "failures.csv")
               if (folder / name).exists()] + [p.name for p in plots]
    click.echo(f"{len(spec.points)} points × {spec.reps} replications = {runs} runs in "
               f"{time.perf_counter() - started:.1f} s; results in {folder}/ "
               f"({', '.join(written)})")
    if failures.exists():
        click.echo(f"some runs failed: see {failures}", err=True)
        sys.exit(1)
