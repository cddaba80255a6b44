"""``contactsim compare``: what a planner uses to choose between staffing plans — it runs two or
more scenarios with the same callers (common random numbers), so that the differences it prints
against the first are the plans' doing and not chance, and writes compare.csv, plots and each
scenario's own results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contactsim.analysis.kpi_names import (
    ABANDON_RATE,
    ASA_S,
    CALLBACKS_OFFERED,
    OCCUPANCY,
    RC_BACKLOG_END,
    SERVICE_LEVEL,
    SERVICE_LEVEL_AT,
)
from contactsim.cli.options import (
    check_out_or_exit,
    dask_local_option,
    default_folder,
    echo_check,
    echo_notes,
    load_or_exit,
    max_reps_option,
    opened_executor,
    plots_option,
    precision_minimum,
    precision_option,
    precision_rule,
    precision_words,
    scheduler_option,
    service_level_thresholds,
    set_option,
    warn_if_few,
    workers_option,
)
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import DEFAULT_SEED, PRECISION_MIN_REPS

if TYPE_CHECKING:
    from contactsim.runs.precision import Stopping

#: The KPIs ``compare`` prints (every KPI is in compare.csv).
COMPARE_SHOWN = (ASA_S, SERVICE_LEVEL, ABANDON_RATE, OCCUPANCY, CALLBACKS_OFFERED,
                 RC_BACKLOG_END)


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reps", default=10, show_default=True,
              type=click.IntRange(min=2, max=MAX_REPLICATIONS),
              help="Replications of each scenario (at least 2, for paired intervals; with "
                   f"--precision, the minimum: default {PRECISION_MIN_REPS}).")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True,
              help="Seed shared by every scenario (common random numbers).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Results folder [default: results/compare-FIRST-SECOND...]; replaced whole if "
                   "contactsim made it.")
@workers_option
@plots_option
@scheduler_option
@dask_local_option
@set_option
@precision_option
@max_reps_option
def compare(
    scenarios: tuple[str, ...], reps: int, seed: int, out: str | None, workers: int | None,
    plots: bool, scheduler: str | None, dask_local: int | None, overrides: tuple[str, ...],
    precision: tuple[str, ...], max_reps: int | None,
) -> None:
    """Compare scenarios, run with the same callers.

    Runs SCENARIOS with the same callers and compares each with the first: compare.csv (KPIs
    with 95% intervals, and paired differences against the first), plots, and each scenario's
    own results under runs/. With --precision, the targets apply to the paired differences:
    replications run in batches until each difference's interval is that tight."""
    from contactsim.data.files import safe_components
    from contactsim.output.results import compare_about, default_name, replacing_note
    from contactsim.output.saved_runs import compare_into_folder
    from contactsim.runs.experiment import unique_names
    from contactsim.runs.progress import ProgressBar

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios")
    loaded = [load_or_exit(path, overrides) for path in scenarios]
    rule = precision_rule(precision, precision_minimum(reps), max_reps,
                          [item.scenario for item in loaded])
    if rule is not None:
        reps = rule.min_reps
    # each scenario's results go to runs/NAME: two names on one folder are refused now, not
    # after the simulations
    safe_components(unique_names([i.scenario.name for i in loaded]), "scenario name")
    plain_name = "compare-" + "-".join(i.scenario.name for i in loaded[:3])
    own_name = default_name(plain_name, overrides, "comparison name")
    folder = Path(out) if out else default_folder(own_name, "comparison name")
    check_out_or_exit(folder, "compare")
    if not out and own_name != plain_name:
        click.echo(f"note: a comparison with --set writes to a folder of its own: {folder}/ "
                   f"(not {default_folder(plain_name, 'comparison name')}/; --out chooses "
                   "another)", err=True)
    about = compare_about(loaded, seed, reps, overrides)
    replacing = replacing_note(folder, about, "compare")
    if replacing:
        click.echo(f"note: {replacing}", err=True)
    started = time.perf_counter()
    checks: list[Stopping] = []  # the last check of a comparison to a precision

    def on_check(state: Stopping) -> None:
        checks[:] = [state]
        echo_check(state)

    what = f"{reps} replications" if rule is None else "replications to the precision asked"
    with (opened_executor(workers, scheduler, dask_local) as executor,
          ProgressBar(f"{len(loaded)} scenarios × {what}") as bar):
        comparison, notes = compare_into_folder(
            loaded, reps, seed, folder, executor, about=about, progress=bar.update, plots=plots,
            precision=rule, on_check=on_check,
        )
    echo_notes(notes)
    click.echo(comparison_table(comparison.table, comparison.names,
                                [item.scenario for item in loaded]))
    if checks:
        reps = checks[0].reached[0].reps
        click.echo("\n" + precision_words(checks[0]))
    click.echo(f"\n{len(loaded)} scenarios × {reps} replications in "
               f"{time.perf_counter() - started:.1f} s (seed {seed}); results in {folder}/")
    warn_if_few(reps)


def comparison_table(table: object, names: list[str], scenarios: list[object] | None = None
                     ) -> str:
    """Each scenario's mean of the main KPIs, a column headed by each scenario's full name,
    and each one's paired difference from the first with its 95% interval (shares' differences
    in percentage points)."""
    import pandas as pd

    from contactsim.output import tables

    assert isinstance(table, pd.DataFrame)
    thresholds = service_level_thresholds(scenarios) if scenarios else {}
    first = names[0]
    columns: list[str | tuple[str, str]] = ["line / pool", "KPI"]
    columns += [(f"{name}\nmean", "right") for name in names]
    columns += [(f"{name}\nminus {first}\npaired difference\n[95% interval]", "right")
                for name in names[1:]]
    out = tables.new_table(*columns)
    shown = table[table["kpi"].isin(COMPARE_SHOWN)
                  | table["kpi"].str.startswith(SERVICE_LEVEL_AT)]
    previous = None
    for (scope, kpi), group in shown.groupby(["scope", "kpi"], sort=False):
        rows = group.set_index("scenario").reindex(names)
        if not ((rows["mean"].fillna(0) != 0) | (rows["diff_mean"].fillna(0) != 0)).any():
            continue  # nothing to compare: a line without callbacks, say
        scope, kpi = str(scope), str(kpi)
        where = tables.scope_label(scope, kpi)
        cells = [where if where != previous else "", tables.kpi_label(kpi, thresholds.get(scope))]
        places = max(tables.decimals(kpi, r.mean, r.ci_low, r.ci_high)
                     for r in rows.itertuples())  # one precision across the row
        cells += [tables.mean_text(kpi, r.mean, places=places) for r in rows.itertuples()]
        cells += [tables.difference_text(kpi, r.diff_mean, r.diff_low, r.diff_high)
                  for r in rows.iloc[1:].itertuples()]
        out.add_row(*cells)
        previous = where
    return tables.render(out)
