"""``contactsim run``: what a planner uses to see how one staffing plan performs — it simulates
a scenario for a number of replications and writes the KPIs (with 95% intervals), the interval
series, the scenario as run and plots into one results folder, and prints the main KPIs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contactsim.analysis.kpi_names import (
    ABANDON_RATE,
    ASA_S,
    CALL_BACK_WAIT_S,
    CALL_BACKS_MADE,
    OCCUPANCY,
    OFFERED,
    SERVICE_LEVEL,
    SERVICE_LEVEL_AT,
    SERVICE_LEVEL_EXCLUDING_DUPLICATES,
    WAIT_P90_S,
)
from contactsim.cli.options import (
    check_out_or_exit,
    chosen_seed,
    dask_local_option,
    default_folder,
    echo_check,
    echo_notes,
    fail,
    load_or_exit,
    max_reps_option,
    opened_executor,
    plots_option,
    precision_minimum,
    precision_option,
    precision_rule,
    precision_words,
    scheduler_option,
    seed_option,
    service_level_thresholds,
    set_option,
    warn_if_few,
    workers_option,
)
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import PRECISION_MIN_REPS

if TYPE_CHECKING:
    from contactsim.runs.precision import Stopping

#: The KPIs ``run`` prints (every KPI is in summary.csv), and the service levels at a line's
#: further thresholds (``service_level@15``), if it has any.
RUN_SHOWN = (OFFERED, ASA_S, WAIT_P90_S, SERVICE_LEVEL, ABANDON_RATE, OCCUPANCY,
             # only lines with bursts, or with call-backs, have these
             SERVICE_LEVEL_EXCLUDING_DUPLICATES, CALL_BACKS_MADE, CALL_BACK_WAIT_S)


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--reps", default=10, show_default=True,
              type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Independent replications (with --precision, the minimum: default "
                   f"{PRECISION_MIN_REPS}).")
@seed_option
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Results folder [default: results/<scenario name>]; replaced whole if "
                   "contactsim made it.")
@workers_option
@plots_option
@scheduler_option
@dask_local_option
@set_option
@click.option("--records", is_flag=True, default=False,
              help="Also write every call's record to records/replication-NNN.parquet "
                   "(about 20 MB a replication of a year), streamed as the run goes.")
@click.option("--standard", "standards", multiple=True, metavar="'LINE: SHARE'",
              help="The share of a day's calls a line's service level must reach (within its "
                   "service_level_s): days below it are counted as missing it in days.csv and "
                   "bad_days.csv [default: '999: 0.90', the national standard]. Repeat.")
@precision_option
@max_reps_option
def run(
    scenario: str, reps: int, seed: int | None, out: str | None, workers: int | None,
    plots: bool, scheduler: str | None, dask_local: int | None, overrides: tuple[str, ...],
    records: bool, standards: tuple[str, ...], precision: tuple[str, ...],
    max_reps: int | None,
) -> None:
    """Run a scenario and write its results.

    Runs SCENARIO and writes summary.csv, replications.parquet, intervals.parquet,
    scenario.resolved.yaml, days.csv, bad_days.csv and plots into the results folder (and
    per-call records if asked). With --precision, replications run in batches until every
    interval named is that tight (or --max-reps), and precision.csv says how far each got."""
    from contactsim.errors import ContactsimError
    from contactsim.output.bad_days import bad_days_text, parse_standards, read_bad_days
    from contactsim.output.results import default_name, replacing_note, run_about
    from contactsim.output.saved_runs import run_into_folder
    from contactsim.runs.progress import ProgressBar

    loaded = load_or_exit(scenario, overrides)
    seed_used = chosen_seed(seed, loaded)
    try:
        judged_by = parse_standards(standards, loaded.scenario.lines)
    except ContactsimError as exc:
        fail(str(exc))
    rule = precision_rule(precision, precision_minimum(reps), max_reps, [loaded.scenario])
    if rule is not None:
        reps = rule.min_reps
    # a run with --set has a default folder of its own: it never replaces the scenario's
    own_name = default_name(loaded.scenario.name, overrides)
    folder = Path(out) if out else default_folder(own_name)
    check_out_or_exit(folder)
    if not out and own_name != loaded.scenario.name:
        click.echo(f"note: a run with --set writes to a folder of its own: {folder}/ (not "
                   f"{default_folder(loaded.scenario.name)}/; --out chooses another)", err=True)
    about = run_about(loaded, seed_used, reps, overrides)
    replacing = replacing_note(folder, about, "run")
    if replacing:
        click.echo(f"note: {replacing}", err=True)
    started = time.perf_counter()
    checks: list[Stopping] = []  # the last check of a run to a precision

    def on_check(state: Stopping) -> None:
        checks[:] = [state]
        echo_check(state)

    what = f"{reps} replications" if rule is None else "replications to the precision asked"
    with (opened_executor(workers, scheduler, dask_local) as executor,
          ProgressBar(f"{loaded.scenario.name}: {what}") as bar):
        results, notes = run_into_folder(
            loaded, reps, seed_used, folder, executor, about=about, progress=bar.update,
            plots=plots, records=records, standards=judged_by, precision=rule,
            on_check=on_check,
        )
    elapsed = time.perf_counter() - started
    echo_notes(notes)
    click.echo(summary_table(results.summary, loaded.scenario))
    bad_days = read_bad_days(folder)
    if bad_days is not None and (text := bad_days_text(bad_days)):
        click.echo("\n" + text)
    if checks:
        reps = checks[0].reached[0].reps
        click.echo("\n" + precision_words(checks[0]))
    click.echo(
        f"\n{reps} replications in {elapsed:.1f} s (seed {seed_used}); results in {folder}/"
    )
    warn_if_few(reps)


def summary_table(summary: object, scenario: object | None = None) -> str:
    """The run's main KPIs by line and pool: mean and 95% interval in their units (shares in
    %, times in seconds, counts with separators; see contactsim.output.tables)."""
    import pandas as pd

    from contactsim.output import tables

    assert isinstance(summary, pd.DataFrame)
    thresholds = service_level_thresholds([scenario]) if scenario is not None else {}
    table = tables.new_table("line / pool", "KPI", ("mean", "right"), "95% interval")
    previous = None
    shown = summary["kpi"].isin(RUN_SHOWN) | summary["kpi"].str.startswith(SERVICE_LEVEL_AT)
    for row in summary[shown].itertuples():
        scope, kpi = str(row.scope), str(row.kpi)
        where = tables.scope_label(scope, kpi)
        table.add_row(where if where != previous else "",
                      tables.kpi_label(kpi, thresholds.get(scope)),
                      tables.mean_text(kpi, row.mean, row.ci_low, row.ci_high),
                      tables.interval_text(kpi, row.mean, row.ci_low, row.ci_high))
        previous = where
    return tables.render(table)
