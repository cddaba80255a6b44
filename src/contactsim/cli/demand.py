"""``contactsim demand``: what a planner uses to work with call logs — ``synth`` writes the log a
scenario's demand makes (to check it, or to feed another tool), and ``fit`` reads a real log and
fits the hour-of-week and month profiles, annual volume, handle times, day-to-day busyness and
(where the log links calls to incidents) bursts a scenario needs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contactsim.cli.options import (
    check_out_or_exit,
    chosen_seed,
    fail,
    load_or_exit,
    set_option,
)
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.runs.defaults import DEFAULT_SEED

if TYPE_CHECKING:
    from contactsim.config.loader import LoadedScenario


@click.group()
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
    from contactsim.build.model_inputs import synthetic_log
    from contactsim.data.calllog_writer import check_log_output, write_call_log

    try:
        check_log_output(out, replace)  # its ending says the format; refused before any work
    except ContactsimError as exc:
        fail(str(exc))
    loaded = load_or_exit(scenario, overrides)
    _never_an_input(Path(out), loaded)
    seed_used = chosen_seed(seed, loaded)
    log = synthetic_log(loaded.scenario, seed_used, replication)
    write_call_log(log, out, replace)
    counts = ", ".join(f"{line} {n:,}" for line, n in log["line"].value_counts(sort=False).items())
    click.echo(f"wrote {len(log):,} calls ({counts}) to {out} (seed {seed_used})")


def _never_an_input(out: Path, loaded: LoadedScenario) -> None:
    """Refuse to write over a file the scenario reads (its log, a profile, its own YAML)."""
    from contactsim.config.resolved import resolved_data
    from contactsim.data.portable import input_fields

    inputs = {loaded.source.resolve()}
    for mapping, key in input_fields(resolved_data(loaded, None)):
        inputs.add(Path(mapping[key]).resolve())
    if out.resolve() in inputs:
        raise ContactsimError(f"--out {out}: the scenario reads this file; give another --out")


@demand.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder for the profiles, fit.csv, scenario-snippet.yaml and fit.png.")
@click.option("--leave-out", "leave_out", multiple=True, type=click.DateTime(["%Y-%m-%d"]),
              help="A day (YYYY-MM-DD) left out of the busyness fit: a known event such as New "
                   "Year's Eve, given to the scenario as an event instead. Repeatable.")
@click.option("--burst-window-min", type=click.FloatRange(min=0, min_open=True),
              default=60.0, show_default=True,
              help="A burst's further calls come within this many minutes of its first call.")
def fit(log: str, out: str, leave_out: tuple[datetime, ...], burst_window_min: float) -> None:
    """Fit demand profiles, busyness, bursts and handle times to a log.

    Fits hour-of-week and month profiles, annual volume, the day-to-day busyness cv and
    lognormal handle times to LOG; and bursts of calls for one incident where LOG has an
    incident_id column."""
    from contactsim.data.calllog import CallLog, read_replay
    from contactsim.data.folders import atomic_folder
    from contactsim.planning.fit import fit_log, profile_files, write_fit
    from contactsim.planning.fit_words import variation_words

    check_out_or_exit(Path(out), "fit")
    try:
        replay = read_replay(log)
    except ScenarioError as exc:
        fail(f"the log cannot be used:\n{exc.in_file(log)}")
    if not isinstance(replay, CallLog):
        fail(f"{log}: fitting needs a call log (arrival_time, line), not interval counts")
    try:
        profile_files(replay.lines)  # each line's profile-LINE.csv, inside --out
    except ContactsimError as exc:
        fail(f"{log}: the lines' profiles cannot be written: {exc}")
    for notice in replay.notices:
        click.echo(f"notice: {notice}", err=True)
    fits = fit_log(replay, {day.date() for day in leave_out}, burst_window_min)
    with atomic_folder(out, "fit") as folder:
        write_fit(fits, log, folder)
    for name, line_fit in fits.items():
        handle = (f"; handle lognormal mean {line_fit.handle_mean_s:.0f} s, cv "
                  f"{line_fit.handle_cv:.2f} (KS distance {line_fit.handle_ks_distance:.3f})"
                  if line_fit.handle_mean_s is not None else "")
        click.echo(f"line {name}: {line_fit.calls:,} calls over {line_fit.days} days, "
                   f"annual volume {line_fit.annual_volume:,.0f}{handle}")
        for words in variation_words(line_fit, replay.lines[name].incidents is not None):
            click.echo(f"  {words}")
    if not any(line.incidents is not None for line in replay.lines.values()):
        click.echo("bursts: not fitted (the log has no incident_id column: caller ids tell a "
                   "caller's redials, not the witnesses of one incident)")
    click.echo(f"wrote profiles, fit.csv, scenario-snippet.yaml and fit.png to {out}/")
