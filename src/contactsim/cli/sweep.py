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
    max_reps_option,
    one_cluster,
    opened_executor,
    precision_option,
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
@precision_option
@max_reps_option
def sweep(
    sweep_file: str, out: str | None, workers: int | None, scheduler: str | None,
    dask_local: int | None, precision: tuple[str, ...], max_reps: int | None,
) -> None:
    """Run a sweep: a scenario over a grid of changes.

    Runs every grid point and variant × replication once, each in its own folder; rerun the
    same command to resume after an interruption (finished runs are kept). With --precision
    (or precision in the sweep file), each point runs in batches until its intervals are that
    tight, its reps the minimum; precision.csv says how far each point got."""
    from tqdm import tqdm

    from contactsim.output.planning_plots import plot_sweep
    from contactsim.runs.sweep import SweepProgress, run_sweep
    from contactsim.runs.sweep_file import load_sweep, with_precision

    try:
        spec = load_sweep(sweep_file)
        if not precision and max_reps is not None:  # the file's targets, to another cap
            if spec.precision is None:
                raise click.UsageError("--max-reps goes with --precision (here or in the "
                                       "sweep file): the most replications a point may take")
            precision = tuple(str(target) for target in spec.precision.targets)
        if precision:  # the command line's targets in place of any the file gives
            spec = with_precision(spec, precision, max_reps)
    except ScenarioError as exc:
        fail(f"the sweep cannot be used:\n{exc}")
    except ContactsimError as exc:
        fail(str(exc))
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
    written = [name for name in ("sweep.parquet", "sweep_summary.csv", "precision.csv",
                                 "failures.csv") if (folder / name).exists()]
    written += [p.name for p in plots]
    if spec.precision is None:
        runs = len(spec.points) * spec.reps
        done = f"{len(spec.points)} points × {spec.reps} replications = {runs} runs"
    else:
        done = _precision_words(folder, len(spec.points), spec.precision.max_reps)
    click.echo(f"{done} in {time.perf_counter() - started:.1f} s; results in {folder}/ "
               f"({', '.join(written)})")
    if failures.exists():
        click.echo(f"some runs failed: see {failures}", err=True)
        sys.exit(1)


def _precision_words(folder: Path, points: int, max_reps: int) -> str:
    """What a sweep to a precision did, from its precision.csv: the replications the points
    took, and the points that missed a target (named, on standard error)."""
    import pandas as pd

    table = pd.read_csv(folder / "precision.csv", dtype={"scope": str})
    reps = table.groupby("point")["reps"].first()
    missed = table[~table["met"].astype(bool)]
    for (point, name), rows in missed.groupby(["point", "point_name"], sort=True):
        what = ", ".join(f"{r.scope} {r.kpi} ±{r.half_width:.3g} (target ±"
                         f"{r.required_half_width:.3g})" for r in rows.itertuples())
        click.echo(f"note: point {point} ({name}) missed its precision after {reps[point]} "
                   f"replications: {what}", err=True)
    met = points - missed["point"].nunique()
    return (f"{points} points to the precision asked ({met} met every target; "
            f"{reps.min()}–{reps.max()} replications a point, up to {max_reps}; "
            f"{int(reps.sum())} runs)")
