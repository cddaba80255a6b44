"""What every command shares: the options a planner gives again and again (seed, replications'
workers, --set, --scheduler / --dask-local, --out) and the helpers that turn them into a scenario,
a results folder and the executor the runs go to.

Nothing heavy is imported here at module level (no pandas, no engine, no pydantic), so that
``contactsim --help`` stays quick; each helper imports what it needs when called.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from contactsim.errors import ContactsimError, ScenarioError
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import (
    DEFAULT_SEED,
    PRECISION_BATCH,
    PRECISION_MAX_REPS,
    PRECISION_MIN_REPS,
    seed_for,
)

if TYPE_CHECKING:
    from contactsim.config.loader import LoadedScenario
    from contactsim.config.scenario import Scenario
    from contactsim.runs.executors import Executor
    from contactsim.runs.precision import Rule, Stopping

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
#: The seed option of commands that run a scenario: its own seed unless one is given.
seed_option = click.option(
    "--seed", type=click.IntRange(min=0), default=None,
    help=f"Seed of the random streams [default: the scenario's, else {DEFAULT_SEED}].",
)
set_option = click.option(
    "--set", "overrides", multiple=True, metavar="FIELD=VALUE",
    help="Override a scenario field, e.g. --set shrinkage=0.3 --set pools.blended.staffing.flat=20",
)
#: Precision on demand (run, compare, sweep): see contactsim.runs.precision.
precision_option = click.option(
    "--precision", "precision", multiple=True, metavar="SCOPE:KPI=HALF_WIDTH",
    help=f"Run replications in batches of {PRECISION_BATCH} until this KPI's 95% interval is "
         "this tight (and still is a batch later): "
         "101:asa_s=5 (±5 s), 999:service_level=0.005 (±half a point) or 101:asa_s=5% (of "
         "the mean). Repeat for more KPIs; the replications given (--reps, a sweep's reps) "
         f"are then the minimum [default: {PRECISION_MIN_REPS}].",
)
max_reps_option = click.option(
    "--max-reps", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
    help=f"With --precision: the most replications to run [default: {PRECISION_MAX_REPS}, "
         "or the minimum if more].",
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


def fail(message: str, status: int = 2) -> NoReturn:
    """Print ``error: message`` and stop with ``status`` (2: the input; 1: the machine)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def chosen_seed(given: int | None, loaded: LoadedScenario) -> int:
    """The seed to run with: --seed, else the scenario's, else the default (0 is a seed)."""
    return seed_for(given, loaded.scenario.seed)


def chosen_workers(given: int | None) -> int:
    """The worker processes to use: --workers, else every core this process may use."""
    from contactsim.runs.experiment import default_workers

    return given or default_workers()


def one_cluster(scheduler: str | None, dask_local: int | None) -> None:
    """Refuse --scheduler together with --dask-local, before any work."""
    if scheduler is not None and dask_local is not None:
        raise click.UsageError("give --scheduler (an existing cluster) or --dask-local (a "
                               "cluster started here), not both")


@contextlib.contextmanager
def opened_executor(
    workers: int | None, scheduler: str | None, dask_local: int | None
) -> Iterator[Executor]:
    """Where this command's runs go — local worker processes, or a Dask cluster with
    --scheduler / --dask-local — opened once for the whole command and closed after it.

    The one way the command line builds an executor
    (:func:`contactsim.runs.executors.make_executor`)."""
    one_cluster(scheduler, dask_local)
    from contactsim.runs.executors import make_executor

    with make_executor(chosen_workers(workers), scheduler, dask_local) as executor:
        yield executor


def check_out_or_exit(folder: Path, command: str = "run") -> None:
    """Refuse, before any work, a results folder contactsim may not replace."""
    from contactsim.data.folders import check_replaceable

    try:
        check_replaceable(folder, command)
    except ContactsimError as exc:
        fail(str(exc))


def default_folder(name: str, what: str = "scenario name") -> Path:
    """``results/<name>``, the name made a safe folder name (see contactsim.data.files), cut to the
    longest a name may be (a default made of several names may be longer)."""
    from contactsim.data.files import child, safe_component
    from contactsim.limits import MAX_NAME_CHARACTERS

    return child(Path("results"), safe_component(name, what)[:MAX_NAME_CHARACTERS], what)


def load_or_exit(path: str, overrides: tuple[str, ...]) -> LoadedScenario:
    """The scenario at ``path`` with its --set changes, its notices printed; a scenario that
    cannot be used is a message and exit status 2."""
    from contactsim.build.loading import load_scenario

    try:
        loaded = load_scenario(path, overrides)
    except ScenarioError as exc:
        fail(f"the scenario cannot be used:\n{exc}")
    for notice in loaded.notices:
        click.echo(f"notice: {notice}", err=True)
    return loaded


def warn_if_few(reps: int) -> None:
    """A note when too few replications were run for the intervals to mean much."""
    from contactsim.analysis.stats import few_replications_warning

    warning = few_replications_warning(reps)
    if warning:
        click.echo(f"note: {warning}", err=True)


def echo_notes(notes: Iterable[str]) -> None:
    """Each note on standard error, as ``note: ...``."""
    for text in notes:
        click.echo(f"note: {text}", err=True)


def service_level_thresholds(scenarios: list[object]) -> dict[str, float]:
    """Each line's service-level threshold (seconds), where every scenario agrees on it: the
    tables print it in the service level's label ("answered within 10 s")."""
    from contactsim.config.scenario import Scenario

    found: dict[str, set[float]] = {}
    for scenario in scenarios:
        assert isinstance(scenario, Scenario)
        for line in scenario.lines:
            found.setdefault(line, set()).add(scenario.service_level_s(line))
    return {line: next(iter(values)) for line, values in found.items() if len(values) == 1}


def precision_rule(texts: tuple[str, ...], minimum: int, max_reps: int | None,
                   scenarios: list[Scenario]) -> Rule | None:
    """The stopping rule --precision and --max-reps ask for, from ``minimum`` replications
    (None without --precision); a target that does not fit every scenario is a message and
    exit status 2."""
    if not texts:
        if max_reps is not None:
            raise click.UsageError("--max-reps goes with --precision: the most replications "
                                   "a run to a precision may take")
        return None
    from contactsim.runs.precision import Rule, check_targets, parse_targets

    try:
        targets = parse_targets(texts)
        for scenario in scenarios:
            check_targets(targets, scenario)
        cap = max_reps if max_reps is not None else max(PRECISION_MAX_REPS, minimum)
        return Rule(targets, min_reps=minimum, max_reps=cap)
    except ContactsimError as exc:
        fail(str(exc))


def precision_minimum(reps: int) -> int:
    """With --precision, the replications before the first check: --reps if given on the
    command line, else :data:`~contactsim.runs.defaults.PRECISION_MIN_REPS`."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source("reps")
    return PRECISION_MIN_REPS if source in (None, ParameterSource.DEFAULT) else reps


def echo_check(state: Stopping) -> None:
    """A line on standard error (on a terminal, above the progress bar) for each check of a
    run to a precision: the replications so far, each target's half-width, and what comes
    next."""
    from tqdm import tqdm

    from contactsim.runs.precision import describe

    reps = state.reached[0].reps if state.reached else state.reps
    if state.done:
        after = "done" if state.met else f"stopping at --max-reps {state.rule.max_reps}"
    elif state.met:
        after = f"{state.reps - reps} more, to check it holds"
    else:
        after = f"{state.reps - reps} more"
    line = (f"precision, {reps} replications: "
            + "; ".join(describe(r) for r in state.reached) + f" → {after}")
    if sys.stderr.isatty():  # above the progress bar, which is drawn again below it
        tqdm.write(line, file=sys.stderr)
    else:
        click.echo(line, err=True)


def precision_words(state: Stopping) -> str:
    """What a run to a precision reached, to print after its table; a note on standard error
    if a target was not met."""
    from contactsim.runs.precision import describe

    reps = state.reached[0].reps if state.reached else state.reps
    unmet = [r for r in state.reached if not r.met]
    if unmet:
        echo_notes([f"{len(unmet)} of {len(state.reached)} precision targets not met within "
                    f"--max-reps {state.rule.max_reps}; raise it, or loosen the target "
                    "(precision.csv has the half-widths reached)"])
    lines = [f"precision after {reps} replications (95% intervals):"]
    return "\n".join(lines + [f"  {describe(r)}" for r in state.reached])
