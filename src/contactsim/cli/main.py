"""The command line: parse, call one library function, print."""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import click

from contactsim.analysis import erlang
from contactsim.config.loader import LoadedScenario, load_scenario
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.executors import Executor
from contactsim.runs.experiment import default_workers

DEFAULT_SEED = 2018

workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Worker processes [default: all cores].",
)
plots_option = click.option(
    "--plots/--no-plots", default=True, show_default=True, help="Write PNG plots."
)
scheduler_option = click.option(
    "--scheduler", default=None, metavar="ADDRESS",
    help="Run on an existing Dask cluster, e.g. tcp://head:8786 (contactsim[dask]).",
)
dask_local_option = click.option(
    "--dask-local", type=click.IntRange(min=1), default=None, metavar="N",
    help="Start a local Dask cluster of N worker processes for this command.",
)

set_option = click.option(
    "--set", "overrides", multiple=True, metavar="FIELD=VALUE",
    help="Override a scenario field, e.g. --set shrinkage=0.3 --set pools.blended.staffing.flat=20",
)


class FiniteFloat(click.ParamType):
    """A finite number — never NaN or infinite, which click's FloatRange lets through — at
    least ``min`` (above it if ``min_open``) when ``min`` is given."""

    name = "float"

    def __init__(self, min: float | None = None, min_open: bool = False) -> None:
        self.min = min
        self.min_open = min_open

    def expected(self) -> str:
        """What the option takes, in words."""
        if self.min is None:
            return "a finite number"
        return f"a finite number {'above' if self.min_open else 'at least'} {self.min:g}"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        if isinstance(value, bool):
            self.fail(f"{value!r}: expected {self.expected()}", param, ctx)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number; expected {self.expected()}", param, ctx)
        if not math.isfinite(number) or (self.min is not None and (
                number < self.min or (self.min_open and number == self.min))):
            self.fail(f"{value!r}: expected {self.expected()}", param, ctx)
        return number


class _Commands(click.Group):
    """The command group, with the last-resort handler: whatever escapes a command becomes a
    short message and an exit status, never a traceback (``--debug`` shows it)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BaseException as exc:  # the last resort
            if ctx.params.get("debug") or os.environ.get("CONTACTSIM_DEBUG"):
                raise
            message, status = _explain(exc)
            click.echo(message, err=True)
            sys.exit(status)


def _explain(exc: BaseException) -> tuple[str, int]:
    """A planner's message and the exit status for an exception no command handled."""
    if isinstance(exc, KeyboardInterrupt):
        return ("interrupted: nothing was written (results are written whole or not at all; "
                "earlier results in the folder are kept)", 130)
    if isinstance(exc, ScenarioError):
        return f"error: the input cannot be used:\n{exc}", 2
    if isinstance(exc, EnvironmentFault):
        return f"error: {exc}", 1
    if isinstance(exc, ContactsimError):
        return f"error: {exc}", 2
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return (f"error: the system refused to read or write{where}: "
                f"{exc.strerror or exc} (nothing partial was written; earlier results are "
                "kept)", 1)
    if isinstance(exc, MemoryError):
        return ("error: out of memory; run fewer replications at once (--workers 1) or a "
                "shorter horizon", 1)
    return (f"error: contactsim failed unexpectedly ({type(exc).__name__}: {exc}).\n"
            "This is a bug in contactsim, not in your input: rerun with --debug "
            "(contactsim --debug COMMAND ...) to see where, and report it.", 1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="contactsim")
@click.option("--debug", is_flag=True, default=False,
              help="Show the full traceback when something fails (for reporting a bug).")
def main(debug: bool) -> None:
    """contactsim: simulate a police 999/101 contact centre under alternative staffing."""


def _seed(given: int | None, loaded: LoadedScenario) -> int:
    """The seed to run with: --seed, else the scenario's, else the default (0 is a seed)."""
    if given is not None:
        return given
    return loaded.scenario.seed if loaded.scenario.seed is not None else DEFAULT_SEED


def _dask(scheduler: str | None, dask_local: int | None) -> Executor | None:
    """A Dask executor if the command was given a scheduler or local Dask workers."""
    if scheduler is None and dask_local is None:
        return None
    _one_cluster(scheduler, dask_local)
    from contactsim.runs.executors import DaskExecutor

    return DaskExecutor(scheduler=scheduler, local_workers=dask_local)


def _one_cluster(scheduler: str | None, dask_local: int | None) -> None:
    if scheduler is not None and dask_local is not None:
        raise click.UsageError("give --scheduler (an existing cluster) or --dask-local (a "
                               "cluster started here), not both")


def _check_out_or_exit(folder: Path, command: str = "run") -> None:
    from contactsim.output.results import check_replaceable

    try:
        check_replaceable(folder, command)
    except ContactsimError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _default_folder(name: str, what: str = "scenario name") -> Path:
    """``results/<name>``, the name made a safe folder name (see contactsim.data.files), cut to the
    longest a name may be (a default made of several names may be longer)."""
    from contactsim.data.files import child, safe_component
    from contactsim.limits import MAX_NAME_CHARACTERS

    return child(Path("results"), safe_component(name, what)[:MAX_NAME_CHARACTERS], what)


def _load_or_exit(path: str, overrides: tuple[str, ...]) -> LoadedScenario:
    try:
        loaded = load_scenario(path, overrides)
    except ScenarioError as exc:
        click.echo(f"error: the scenario cannot be used:\n{exc}", err=True)
        sys.exit(2)
    for notice in loaded.notices:
        click.echo(f"notice: {notice}", err=True)
    return loaded


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--reps", default=10, show_default=True,
              type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Independent replications.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help=f"Seed of the random streams [default: the scenario's, else {DEFAULT_SEED}].")
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
def run(
    scenario: str, reps: int, seed: int | None, out: str | None, workers: int | None,
    plots: bool, scheduler: str | None, dask_local: int | None, overrides: tuple[str, ...],
    records: bool,
) -> None:
    """Run a scenario and write its results.

    Runs SCENARIO and writes summary.csv, replications.parquet, intervals.parquet,
    scenario.resolved.yaml and plots into the results folder (and per-call records if
    asked)."""
    from contactsim.config.loader import dump_resolved
    from contactsim.output.report import plot_run
    from contactsim.output.results import (
        RECORDS,
        atomic_folder,
        default_name,
        replacing_note,
        run_about,
        write_run,
    )
    from contactsim.runs.progress import ProgressBar

    loaded = _load_or_exit(scenario, overrides)
    chosen_seed = _seed(seed, loaded)
    # a run with --set has a default folder of its own: it never replaces the scenario's
    own_name = default_name(loaded.scenario.name, overrides)
    folder = Path(out) if out else _default_folder(own_name)
    _check_out_or_exit(folder)
    if not out and own_name != loaded.scenario.name:
        click.echo(f"note: a run with --set writes to a folder of its own: {folder}/ (not "
                   f"{_default_folder(loaded.scenario.name)}/; --out chooses another)", err=True)
    about = run_about(loaded, chosen_seed, reps, overrides)
    replacing = replacing_note(folder, about, "run")
    if replacing:
        click.echo(f"note: {replacing}", err=True)
    executor = _dask(scheduler, dask_local)
    n_workers = workers or default_workers()
    started = time.perf_counter()
    # the run happens inside the results folder's temporary twin: records stream there, and an
    # interrupted run leaves nothing behind
    with atomic_folder(folder, "run", about) as temporary:
        with ProgressBar(f"{loaded.scenario.name}: {reps} replications") as bar:
            from contactsim.runs.experiment import run_scenario

            results = run_scenario(
                loaded.scenario, reps, chosen_seed, n_workers, progress=bar.update,
                executor=executor,
                records_dir=temporary / RECORDS if records else None,
            )
        notes = write_run(results, dump_resolved(loaded, chosen_seed), temporary, folder)
        if plots:
            plot_run(temporary)
    elapsed = time.perf_counter() - started
    for text in notes:
        click.echo(f"note: {text}", err=True)
    click.echo(_summary_table(results.summary, loaded.scenario))
    click.echo(
        f"\n{reps} replications in {elapsed:.1f} s (seed {chosen_seed}); results in {folder}/"
    )
    _warn_if_few(reps)


def _warn_if_few(reps: int) -> None:
    from contactsim.analysis.stats import few_replications_warning

    warning = few_replications_warning(reps)
    if warning:
        click.echo(f"note: {warning}", err=True)


#: The KPIs ``run`` prints (every KPI is in summary.csv).
RUN_SHOWN = ("offered", "asa_s", "wait_p90_s", "service_level", "abandon_rate", "occupancy")
#: The KPIs ``compare`` prints (every KPI is in compare.csv).
COMPARE_SHOWN = ("asa_s", "service_level", "abandon_rate", "occupancy", "callbacks_offered",
                 "rc_backlog_end")


def _thresholds(scenarios: list[object]) -> dict[str, float]:
    """Each line's service-level threshold (seconds), where every scenario agrees on it."""
    from contactsim.config.scenario import Scenario

    found: dict[str, set[float]] = {}
    for scenario in scenarios:
        assert isinstance(scenario, Scenario)
        for line in scenario.lines:
            found.setdefault(line, set()).add(scenario.service_level_s(line))
    return {line: next(iter(values)) for line, values in found.items() if len(values) == 1}


def _summary_table(summary: object, scenario: object | None = None) -> str:
    """The run's main KPIs by line and pool: mean and 95% interval in their units (shares in
    %, times in seconds, counts with separators; see contactsim.output.tables)."""
    import pandas as pd

    from contactsim.output import tables

    assert isinstance(summary, pd.DataFrame)
    thresholds = _thresholds([scenario]) if scenario is not None else {}
    table = tables.new_table("line / pool", "KPI", ("mean", "right"), "95% interval")
    previous = None
    for row in summary[summary["kpi"].isin(RUN_SHOWN)].itertuples():
        scope, kpi = str(row.scope), str(row.kpi)
        where = tables.scope_label(scope, kpi)
        table.add_row(where if where != previous else "",
                      tables.kpi_label(kpi, thresholds.get(scope)),
                      tables.mean_text(kpi, row.mean, row.ci_low, row.ci_high),
                      tables.interval_text(kpi, row.mean, row.ci_low, row.ci_high))
        previous = where
    return tables.render(table)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reps", default=10, show_default=True,
              type=click.IntRange(min=2, max=MAX_REPLICATIONS),
              help="Replications of each scenario (at least 2, for paired intervals).")
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
def compare(
    scenarios: tuple[str, ...], reps: int, seed: int, out: str | None, workers: int | None,
    plots: bool, scheduler: str | None, dask_local: int | None, overrides: tuple[str, ...],
) -> None:
    """Compare scenarios, run with the same callers.

    Runs SCENARIOS with the same callers and compares each with the first: compare.csv (KPIs
    with 95% intervals, and paired differences against the first), plots, and each scenario's
    own results under runs/."""
    from contactsim.config.loader import dump_resolved
    from contactsim.output.report import plot_comparison
    from contactsim.output.results import (
        atomic_folder,
        compare_about,
        default_name,
        replacing_note,
        write_comparison,
    )
    from contactsim.runs.experiment import compare_scenarios
    from contactsim.runs.progress import ProgressBar

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios")
    loaded = [_load_or_exit(path, overrides) for path in scenarios]
    from contactsim.data.files import safe_components
    from contactsim.runs.experiment import unique_names

    # each scenario's results go to runs/NAME: two names on one folder are refused now, not
    # after the simulations
    safe_components(unique_names([i.scenario.name for i in loaded]), "scenario name")
    plain_name = "compare-" + "-".join(i.scenario.name for i in loaded[:3])
    own_name = default_name(plain_name, overrides, "comparison name")
    folder = Path(out) if out else _default_folder(own_name, "comparison name")
    _check_out_or_exit(folder, "compare")
    if not out and own_name != plain_name:
        click.echo(f"note: a comparison with --set writes to a folder of its own: {folder}/ "
                   f"(not {_default_folder(plain_name, 'comparison name')}/; --out chooses "
                   "another)", err=True)
    about = compare_about(loaded, seed, reps, overrides)
    replacing = replacing_note(folder, about, "compare")
    if replacing:
        click.echo(f"note: {replacing}", err=True)
    executor = _dask(scheduler, dask_local)
    started = time.perf_counter()
    with ProgressBar(f"{len(loaded)} scenarios × {reps} replications") as bar:
        comparison = compare_scenarios(
            [item.scenario for item in loaded], reps, seed, workers or default_workers(),
            progress=bar.update, executor=executor,
        )
    with atomic_folder(folder, "compare", about) as temporary:
        notes = write_comparison(comparison, [dump_resolved(item, seed) for item in loaded],
                                 temporary, folder)
        if plots:
            plot_comparison(temporary)
    for text in notes:
        click.echo(f"note: {text}", err=True)
    click.echo(_comparison_table(comparison.table, comparison.names,
                                 [item.scenario for item in loaded]))
    click.echo(f"\n{len(loaded)} scenarios × {reps} replications in "
               f"{time.perf_counter() - started:.1f} s (seed {seed}); results in {folder}/")
    _warn_if_few(reps)


def _comparison_table(table: object, names: list[str], scenarios: list[object] | None = None
                      ) -> str:
    """Each scenario's mean of the main KPIs, a column headed by each scenario's full name,
    and each one's paired difference from the first with its 95% interval (shares' differences
    in percentage points)."""
    import pandas as pd

    from contactsim.output import tables

    assert isinstance(table, pd.DataFrame)
    thresholds = _thresholds(scenarios) if scenarios else {}
    first = names[0]
    columns: list[str | tuple[str, str]] = ["line / pool", "KPI"]
    columns += [(f"{name}\nmean", "right") for name in names]
    columns += [(f"{name}\nminus {first}\npaired difference\n[95% interval]", "right")
                for name in names[1:]]
    out = tables.new_table(*columns)
    shown = table[table["kpi"].isin(COMPARE_SHOWN)]
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


@main.command()
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

    from contactsim.errors import EnvironmentFault
    from contactsim.output.report import plot_sweep
    from contactsim.runs.executors import make_executor
    from contactsim.runs.sweep import SweepProgress, load_sweep, run_sweep

    try:
        spec = load_sweep(sweep_file)
    except ScenarioError as exc:
        click.echo(f"error: the sweep cannot be used:\n{exc}", err=True)
        sys.exit(2)
    _one_cluster(scheduler, dask_local)
    folder = Path(out) if out else _default_folder(f"sweep-{Path(sweep_file).stem}", "sweep name")
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
        executor = make_executor(workers or default_workers(), scheduler, dask_local)
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
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
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


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
def report(folder: str) -> None:
    """Write report.html, one page to open and forward.

    Writes it into FOLDER (a run, a comparison or a sweep): the scenario in words, KPI tables
    with intervals marked against targets, and the plots, in one file."""
    from contactsim.output.html import write_report

    try:
        path = write_report(folder)
    except EnvironmentFault as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except ContactsimError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@set_option
def validate(scenarios: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Check scenarios without running them.

    Checks SCENARIOS (with any --set) and says what each is; exit status 2 if any cannot be
    used."""
    from contactsim.config.loader import overlay_changes

    most = 40  # changes listed for one file and one source; the rest are counted
    failed = False
    for path in scenarios:
        try:
            loaded = load_scenario(path, overrides)
            changes = overlay_changes(path, overrides)
        except ScenarioError as exc:
            failed = True
            click.echo(f"{path}: INVALID\n{exc}", err=True)
            continue
        s = loaded.scenario
        click.echo(
            f"{path}: ok — {s.name}: lines {', '.join(s.lines)}; "
            f"pools {', '.join(p.name for p in s.pools)}; {s.horizon.days:g} days from "
            f"{s.horizon.start}"
        )
        sources = []
        if changes.base is not None:
            sources.append((f"against {os.path.relpath(changes.base)} (extends)",
                            changes.from_base))
        if overrides:
            sources.append(("by --set", changes.from_overrides))
        for source, found in sources:
            if not found:
                click.echo(f"  no change {source}")
                continue
            click.echo(f"  {len(found)} change{'s' if len(found) != 1 else ''} {source}:")
            for change in found[:most]:
                click.echo(f"    {change}")
            if len(found) > most:
                click.echo(f"    … and {len(found) - most} more")
    if failed:
        sys.exit(2)


@main.command(name="erlang")
@click.option("--rate-per-hour", type=FiniteFloat(min=0, min_open=True), required=True,
              help="Calls arriving per hour.")
@click.option("--handle-s", type=FiniteFloat(min=0, min_open=True), required=True,
              help="Mean handle time (talk + wrap-up), seconds.")
@click.option("--agents", required=True, metavar="N or A-B",
              help="Operators answering, or a range such as 40-55 for a table.")
@click.option("--patience-s", type=FiniteFloat(min=0, min_open=True), default=None,
              help="Mean patience, seconds: Erlang A. Omitted: Erlang C (nobody abandons).")
@click.option("--line", default=None, metavar="LINE",
              help="The line the calls ring on, e.g. 999 or 101: it sets the service-level "
                   "threshold as a scenario does (10 s for 999, 60 s for any other line) "
                   "[default: a line other than 999].")
@click.option("--service-level-s", type=FiniteFloat(min=0), default=None,
              help="Service-level threshold, seconds [default: the line's, as in a scenario: "
                   "10 for 999, else 60].")
def erlang_command(
    rate_per_hour: float, handle_s: float, agents: str, patience_s: float | None,
    line: str | None, service_level_s: float | None,
) -> None:
    """Erlang C or A figures for one stationary line.

    P(wait), P(abandon), ASA, service level and occupancy of one stationary line (no priority,
    no multi-skilling, no callbacks), for a number or range of operators on the phones. The
    service level's threshold is the line's, as in a scenario: 10 s for line 999, 60 s for
    any other line (--line; --service-level-s to set it)."""
    import re

    from contactsim.config.scenario import DEFAULT_SERVICE_LEVEL_OTHER_S, DEFAULT_SERVICE_LEVEL_S
    from contactsim.limits import MAX_OPERATORS_PER_POOL
    from contactsim.output import tables

    max_rows = 1000  # a longer table is no use on a terminal
    found = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", agents)
    if found is None:
        raise click.BadParameter(
            f"{agents!r}: expected N or A-B, whole numbers of operators from 1 (e.g. 12 or "
            "40-55)", param_hint="--agents")
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) is not None else low
    if low < 1:
        raise click.BadParameter(f"{agents!r}: expected at least 1 operator",
                                 param_hint="--agents")
    if high < low:
        raise click.BadParameter(f"{agents!r}: expected A-B with A no more than B (e.g. "
                                 f"{high}-{low})", param_hint="--agents")
    if high > MAX_OPERATORS_PER_POOL:
        raise click.BadParameter(
            f"{agents!r}: expected at most {MAX_OPERATORS_PER_POOL:,} operators",
            param_hint="--agents")
    if high - low + 1 > max_rows:
        raise click.BadParameter(
            f"{agents!r} asks for {high - low + 1:,} rows; the table has at most {max_rows:,} "
            f"(e.g. {low}-{low + max_rows - 1})", param_hint="--agents")
    load = rate_per_hour * handle_s / 3600
    if not math.isfinite(load):
        raise click.UsageError(
            f"--rate-per-hour {rate_per_hour:g} × --handle-s {handle_s:g} is an offered load "
            "too large to compute; expected a finite number of Erlangs")
    if service_level_s is None:
        service_level_s = DEFAULT_SERVICE_LEVEL_S.get(line or "", DEFAULT_SERVICE_LEVEL_OTHER_S)
        whose = (f"line {line}'s default" if line is not None else
                 "the default for a line other than 999")
        threshold = f"{service_level_s:g} s ({whose}; --service-level-s to change)"
    else:
        threshold = f"{service_level_s:g} s"
    model = "Erlang A" if patience_s is not None else "Erlang C"
    click.echo(f"{model}: {rate_per_hour:g} calls/h × {handle_s:g} s = {load:.2f} Erlangs"
               + (f", patience {patience_s:g} s" if patience_s is not None else "")
               + f"; service level: answered within {threshold}")
    table = tables.new_table(("agents", "right"), ("P(wait)", "right"), ("P(abandon)", "right"),
                             ("ASA (s)", "right"), ("service level", "right"),
                             ("occupancy", "right"))
    notes = []
    for n in range(low, high + 1):
        try:
            if patience_s is not None:
                m = erlang.erlang_a(rate_per_hour, handle_s, patience_s, n, service_level_s)
            else:
                m = erlang.erlang_c(rate_per_hour, handle_s, n, service_level_s)
        except (ValueError, ArithmeticError) as exc:
            notes.append(f"{n} agents: {exc}")
            continue
        shares = [f"{tables.number(100 * share, 2)}%" for share in
                  (m.p_wait, m.p_abandon, m.service_level, m.occupancy)]
        table.add_row(str(n), *shares[:2], tables.number(m.asa_s, 1), *shares[2:])
    click.echo(tables.render(table))
    for note in notes:
        click.echo(note)


# --- calibrate (contactsim.planning.calibration) ----------------------------------------


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--targets", "targets_file", required=True, type=click.Path(dir_okay=False),
              help="The targets file: published figures and the unknowns to fit (YAML).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Results folder; replaced whole if contactsim made it.")
@click.option("--reps", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications of each evaluation and of the slopes [default: the targets "
                   "file's, else 4].")
@click.option("--final-reps", type=click.IntRange(min=2, max=MAX_REPLICATIONS), default=None,
              help="Replications of the final run at the best point [default: the file's, "
                   "else 10].")
@click.option("--max-evaluations", type=click.IntRange(min=1), default=None,
              help="Simulation runs the search may make [default: the file's, else 40].")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help=f"Seed of every run [default: the scenario's, else {DEFAULT_SEED}].")
@workers_option
@set_option
def calibrate(
    scenario: str, targets_file: str, out: str, reps: int | None, final_reps: int | None,
    max_evaluations: int | None, seed: int | None, workers: int | None,
    overrides: tuple[str, ...],
) -> None:
    """Fit a scenario's unknowns to published figures.

    Fits the unknowns a targets file names so that SCENARIO reproduces its published figures
    (same callers in every run); writes calibrated.yaml, calibration.csv, parameters.csv,
    search.csv, scenario.resolved.yaml and calibration.png."""
    from contactsim.output.calibration_report import describe, write_calibration
    from contactsim.output.results import atomic_folder
    from contactsim.planning.calibration import calibrate as fit
    from contactsim.planning.targets import load_targets

    loaded = _load_or_exit(scenario, overrides)
    chosen_seed = _seed(seed, loaded)
    folder = Path(out)
    _check_out_or_exit(folder, "calibrate")
    try:
        targets = load_targets(targets_file)
    except ScenarioError as exc:
        click.echo(f"error: the targets cannot be used:\n{exc}", err=True)
        sys.exit(2)
    given = {"reps": reps, "final_reps": final_reps, "max_evaluations": max_evaluations}
    settings = targets.spec.search.model_copy(
        update={k: v for k, v in given.items() if v is not None})
    started = time.perf_counter()

    def show(line: str) -> None:
        click.echo(line, err=True)

    try:
        calibration = fit(scenario, targets, chosen_seed, settings, overrides,
                          workers or default_workers(), report=show)
    except ScenarioError as exc:
        click.echo(f"error: the targets cannot be used with {scenario}:\n{exc}", err=True)
        sys.exit(2)
    except ContactsimError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    with atomic_folder(folder, "calibrate") as temporary:
        write_calibration(calibration, temporary, folder)
    click.echo(describe(calibration))
    click.echo(f"\n{len(calibration.evaluations)} evaluations in "
               f"{time.perf_counter() - started:.1f} s (seed {chosen_seed}); results in {folder}/")


# --- staff (contactsim.planning.staffing_search) ----------------------------------------


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--target", "targets", multiple=True, required=True, metavar="'LINE: KPI OP VALUE'",
              help="A target each hour must meet, e.g. '999: service_level >= 0.90' or "
                   "'101: asa_s <= 120' (KPIs: service_level, asa_s, abandon_rate). Judged on "
                   "the mean over replications and weeks, or with --confidence on the whole "
                   "interval. Repeat.")
@click.option("--confidence", type=FiniteFloat(min=0, min_open=True), default=None,
              metavar="LEVEL",
              help="Require each target to be met with this confidence, e.g. 0.95: an hour "
                   "meets it only if the whole interval at this level is on the target's side "
                   "[default: the mean decides].")
@click.option("--by", "grouping", type=click.Choice(["hour_of_week", "hour_of_day", "all"]),
              default="hour_of_week", show_default=True,
              help="One staffing level per pool for each hour of the week, each hour of the "
                   "day, or one for the whole horizon.")
@click.option("--reps", default=4, show_default=True,
              type=click.IntRange(min=2, max=MAX_REPLICATIONS),
              help="Replications per evaluation (the same seed each time).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help=f"Seed of the random streams [default: the scenario's, else {DEFAULT_SEED}].")
@click.option("--max-operators", default=200, show_default=True, type=click.IntRange(min=1),
              help="The most operators one pool may have rostered at one time.")
@click.option("--max-rounds", default=40, show_default=True, type=click.IntRange(min=1),
              help="Simulation rounds before the search gives up.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Results folder [default: results/<scenario name>-staff]; replaced whole if "
                   "contactsim made it.")
@workers_option
@set_option
def staff(
    scenario: str, targets: tuple[str, ...], confidence: float | None, grouping: str, reps: int,
    seed: int | None, max_operators: int, max_rounds: int, out: str | None,
    workers: int | None, overrides: tuple[str, ...],
) -> None:
    """Size the staffing that meets service targets.

    Finds the fewest operators per pool per interval that meet every --target: Erlang A
    first, then refined by simulation with common random numbers (priority, multi-skilling and
    callbacks included). Writes staffing/<pool>.csv (rostered, usable as per_interval
    staffing), required.csv, kpis.csv, staffed.yaml and staffing.png."""
    from contactsim.output.report import plot_staffing
    from contactsim.output.results import atomic_folder
    from contactsim.planning.staffing_search import (
        parse_target,
        required_table,
        search_staffing,
        write_staffing,
    )

    if confidence is not None and confidence >= 1:
        raise click.BadParameter(f"{confidence:g}: expected a level below 1, e.g. 0.95",
                                 param_hint="--confidence")
    loaded = _load_or_exit(scenario, overrides)
    chosen_seed = _seed(seed, loaded)
    folder = Path(out) if out else _default_folder(f"{loaded.scenario.name}-staff")
    _check_out_or_exit(folder, "staff")
    started = time.perf_counter()
    try:
        parsed = [parse_target(text, loaded.scenario) for text in targets]
        result = search_staffing(
            loaded.scenario, parsed, grouping, reps, chosen_seed, workers or default_workers(),
            max_operators, max_rounds, note=lambda text: click.echo(text, err=True),
            confidence=confidence,
        )
    except ContactsimError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    with atomic_folder(folder, "staff") as temporary:
        write_staffing(result, loaded.scenario, temporary, chosen_seed)
        plot_staffing(required_table(result, loaded.scenario), grouping, temporary / "staffing.png")
    click.echo(_staffing_summary(result, loaded.scenario))
    if not result.converged:
        click.echo("note: the rounds ran out while still taking operators off; every target is "
                   "met, but fewer may do (raise --max-rounds)")
    click.echo(f"\nsearched in {time.perf_counter() - started:.0f} s (seed {chosen_seed}); "
               f"results in {folder}/")


def _pool_words(pool: object, lines: tuple[str, ...]) -> str:
    """A pool's name and what it answers: "blended (multi-skilled: 999 and 101)"."""
    from contactsim.config.scenario import Pool
    from contactsim.output.tables import skills_words

    assert isinstance(pool, Pool)
    return f"{pool.name} ({skills_words(list(pool.skills), list(lines))})"


def _staffing_summary(result: object, scenario: object) -> str:
    """The staffing found against now, per pool, and each target's verdict: met on the mean
    (and at what confidence the intervals agree), with the closest hour."""
    from contactsim.config.scenario import Scenario
    from contactsim.output import tables
    from contactsim.planning.staffing_search import StaffingResult, key_label, required_table

    assert isinstance(result, StaffingResult) and isinstance(scenario, Scenario)
    table = required_table(result, scenario)
    per = {"hour_of_week": "a week", "hour_of_day": "a day", "all": "at a time"}[result.grouping]
    unit = "operators" if result.grouping == "all" else "operator-hours"
    staffing = tables.new_table(
        "pool", (f"required\n({unit} rostered {per})", "right"), ("now\n(rostered)", "right"),
        ("required\n(on the phones)", "right"), ("now\n(on the phones)", "right"))
    pools = {pool.name: pool for pool in scenario.pools}
    for pool, rows in table.groupby("pool", sort=False):
        staffing.add_row(_pool_words(pools[str(pool)], scenario.lines),
                         f"{rows['required_rostered'].sum():,.0f}",
                         f"{rows['current_rostered'].sum():,.0f}",
                         f"{rows['required_on_phones'].sum():,.0f}",
                         f"{rows['current_on_phones'].sum():,.0f}")
    level = result.confidence if result.confidence is not None else 0.95
    sure = f"{level * 100:g}%"
    everywhere = {"hour_of_week": "at every hour of the week",
                  "hour_of_day": "at every hour of the day",
                  "all": "over the whole horizon"}[result.grouping]
    lines = [tables.render(staffing), "",
             "on the phones: rostered less shrinkage (absence), on average"]
    for target, rows in result.kpis.groupby("target", sort=False):
        kpi = str(rows["kpi"].iloc[0])
        # closest to the target: by the mean, or with a confidence by the interval's near end
        at_least = ">=" in str(target)
        near = "mean" if result.confidence is None else "ci_low" if at_least else "ci_high"
        worst = rows.sort_values(near, ascending=at_least).iloc[0]
        when = ("" if result.grouping == "all" else
                f" {key_label(result.grouping, int(worst['key']))}:")
        mean, low, high = worst["mean"], worst["ci_low"], worst["ci_high"]
        closest = (f"closest{when} {tables.mean_text(kpi, mean, low, high)} "
                   f"{tables.interval_text(kpi, mean, low, high)} ({sure} interval)")
        uncertain = int((~rows["certain"].astype(bool)).sum()) if "certain" in rows else 0
        if result.confidence is not None:
            verdict = f"met with {sure} confidence {everywhere}"
        elif uncertain == 0:
            verdict = f"met {everywhere}, the whole {sure} interval on the target's side"
        else:
            where = (f"at {uncertain} hour{'s' if uncertain != 1 else ''}"
                     if result.grouping != "all" else "")
            verdict = (f"met (mean) {everywhere}; not certain at {sure} {where}".rstrip()
                       + f" (--confidence {level:g} requires it)")
        lines.append(f"{target}: {verdict}; {closest}")
    return "\n".join(lines)


@main.group()
def demand() -> None:
    """Call logs: synthesise one, or fit profiles to one."""


@demand.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The log to write: .csv, .csv.gz or .parquet.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help=f"Seed [default: the scenario's, else {DEFAULT_SEED}].")
@click.option("--replication", type=click.IntRange(min=0), default=0, show_default=True,
              help="Which replication's callers to write.")
@click.option("--replace", is_flag=True, default=False,
              help="Write over an existing --out file (never over a file the scenario reads).")
@set_option
def synth(
    scenario: str, out: str, seed: int | None, replication: int, replace: bool,
    overrides: tuple[str, ...],
) -> None:
    """Write the call log a scenario's demand makes.

    Writes the calls SCENARIO's demand produces: arrival_time, line, handle_s, caller_id (the
    format a replayed log must have)."""
    from contactsim.data.calllog import check_log_output, write_call_log
    from contactsim.runs.replication import synthetic_log

    try:
        check_log_output(out, replace)  # its ending says the format; refused before any work
    except ContactsimError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    loaded = _load_or_exit(scenario, overrides)
    _never_an_input(Path(out), loaded)
    chosen_seed = _seed(seed, loaded)
    log = synthetic_log(loaded.scenario, chosen_seed, replication)
    write_call_log(log, out, replace)
    counts = ", ".join(f"{line} {n:,}" for line, n in log["line"].value_counts(sort=False).items())
    click.echo(f"wrote {len(log):,} calls ({counts}) to {out} (seed {chosen_seed})")


def _never_an_input(out: Path, loaded: LoadedScenario) -> None:
    """Refuse to write over a file the scenario reads (its log, a profile, its own YAML)."""
    from contactsim.config.loader import input_fields, resolved_data

    inputs = {loaded.source.resolve()}
    for mapping, key in input_fields(resolved_data(loaded, None)):
        inputs.add(Path(mapping[key]).resolve())
    if out.resolve() in inputs:
        raise ContactsimError(f"--out {out}: the scenario reads this file; give another --out")


@demand.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder for the profiles, fit.csv, scenario-snippet.yaml and fit.png.")
def fit(log: str, out: str) -> None:
    """Fit demand profiles and handle times to a log.

    Fits hour-of-week and month profiles, annual volume and lognormal handle times to LOG."""
    from contactsim.data.calllog import CallLog, read_replay
    from contactsim.output.results import atomic_folder
    from contactsim.planning.fit import fit_log, profile_files, write_fit

    _check_out_or_exit(Path(out), "fit")
    try:
        replay = read_replay(log)
    except ScenarioError as exc:
        click.echo(f"error: the log cannot be used:\n{exc.in_file(log)}", err=True)
        sys.exit(2)
    if not isinstance(replay, CallLog):
        click.echo(f"error: {log}: fitting needs a call log (arrival_time, line), not interval "
                   "counts", err=True)
        sys.exit(2)
    try:
        profile_files(replay.lines)  # each line's profile-LINE.csv, inside --out
    except ContactsimError as exc:
        click.echo(f"error: {log}: the lines' profiles cannot be written: {exc}", err=True)
        sys.exit(2)
    for notice in replay.notices:
        click.echo(f"notice: {notice}", err=True)
    fits = fit_log(replay)
    with atomic_folder(out, "fit") as folder:
        write_fit(fits, log, folder)
    for name, line_fit in fits.items():
        handle = (f"; handle lognormal mean {line_fit.handle_mean_s:.0f} s, cv "
                  f"{line_fit.handle_cv:.2f} (KS distance {line_fit.handle_ks_distance:.3f})"
                  if line_fit.handle_mean_s is not None else "")
        click.echo(f"line {name}: {line_fit.calls:,} calls over {line_fit.days} days, "
                   f"annual volume {line_fit.annual_volume:,.0f}{handle}")
    click.echo(f"wrote profiles, fit.csv, scenario-snippet.yaml and fit.png to {out}/")


if __name__ == "__main__":
    main()
