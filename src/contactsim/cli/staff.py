"""``contactsim staff``: what a planner uses to size a roster — it finds the fewest operators per
pool for each hour (of the week, of the day, or overall) that meet every service target, first
by Erlang A and then refined by simulation with the same callers each round, and writes the
staffing tables (usable as a scenario's per-interval staffing), the KPIs reached and a plot."""

from __future__ import annotations

import time
from pathlib import Path

import click

from contactsim.cli.options import (
    FiniteFloat,
    check_out_or_exit,
    chosen_seed,
    default_folder,
    fail,
    load_or_exit,
    opened_executor,
    seed_option,
    set_option,
    workers_option,
)
from contactsim.errors import ContactsimError
from contactsim.limits import MAX_REPLICATIONS


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--target", "targets", multiple=True, required=True, metavar="'LINE: KPI OP VALUE'",
              help="A target each hour must meet, e.g. '999: service_level >= 0.90' or "
                   "'101: asa_s <= 120' (KPIs: service_level, asa_s, abandon_rate); a second "
                   "service-level point, '999: service_level@15 >= 0.90' (answered within "
                   "15 s); or an occupancy cap on a pool, 'blended: occupancy <= 0.85' (below "
                   "1; a cap can only be met by adding people). Judged on the mean over "
                   "replications and weeks, or with --confidence on the whole interval. "
                   "Ending 'on 95% of days' ('999: service_level >= 0.90 on 95% of days'), "
                   "judged on each day's own figures instead: operators go to the hours that "
                   "drive the missed days. Repeat.")
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
@click.option("--screen-reps", default=None, type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Replications of the screening rounds, before the answer is searched again "
                   "at --reps [default: half of --reps, at least 2; --reps turns screening off].")
@seed_option
@click.option("--max-operators", default=200, show_default=True, type=click.IntRange(min=1),
              help="The most operators one pool may have rostered at one time.")
@click.option("--max-rounds", default=40, show_default=True, type=click.IntRange(min=1),
              help="Simulation rounds before the search gives up (each: screening, then "
                   "confirming).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Results folder [default: results/<scenario name>-staff]; replaced whole if "
                   "contactsim made it.")
@workers_option
@set_option
def staff(
    scenario: str, targets: tuple[str, ...], confidence: float | None, grouping: str, reps: int,
    screen_reps: int | None, seed: int | None, max_operators: int, max_rounds: int,
    out: str | None,
    workers: int | None, overrides: tuple[str, ...],
) -> None:
    """Size the staffing that meets service targets.

    Finds the fewest operators per pool per interval that meet every --target: Erlang A
    first, then refined by simulation with common random numbers (priority, multi-skilling and
    callbacks included). Writes staffing/<pool>.csv (rostered, usable as per_interval
    staffing), required.csv, kpis.csv, staffed.yaml and staffing.png."""
    from contactsim.data.folders import atomic_folder
    from contactsim.output.planning_plots import plot_staffing
    from contactsim.planning.service_targets import measured_at_targets, parse_target
    from contactsim.planning.staffing_files import required_table, write_staffing
    from contactsim.planning.staffing_search import search_staffing

    if confidence is not None and confidence >= 1:
        raise click.BadParameter(f"{confidence:g}: expected a level below 1, e.g. 0.95",
                                 param_hint="--confidence")
    loaded = load_or_exit(scenario, overrides)
    seed_used = chosen_seed(seed, loaded)
    folder = Path(out) if out else default_folder(f"{loaded.scenario.name}-staff")
    check_out_or_exit(folder, "staff")
    started = time.perf_counter()
    # one executor for every evaluation: its worker processes start once for the whole search
    with opened_executor(workers, None, None) as executor:
        try:
            parsed = [parse_target(text, loaded.scenario) for text in targets]
            # measured within every threshold a target names (written so in staffed.yaml)
            searched = measured_at_targets(loaded.scenario, parsed)
            result = search_staffing(
                searched, parsed, grouping, reps, seed_used,
                max_operators=max_operators, max_rounds=max_rounds,
                note=lambda text: click.echo(text, err=True),
                confidence=confidence, executor=executor, screen_reps=screen_reps,
            )
        except ContactsimError as exc:
            fail(str(exc))
    with atomic_folder(folder, "staff") as temporary:
        write_staffing(result, searched, temporary, seed_used)
        plot_staffing(required_table(result, searched), grouping, temporary / "staffing.png")
    click.echo(staffing_summary(result, searched))
    if not result.converged:
        click.echo("note: the rounds ran out while still taking operators off; every target is "
                   "met, but fewer may do (raise --max-rounds)")
    click.echo(f"\nsearched in {time.perf_counter() - started:.0f} s (seed {seed_used}); "
               f"results in {folder}/")


def _pool_words(pool: object, lines: tuple[str, ...]) -> str:
    """A pool's name and what it answers: "blended (multi-skilled: 999 and 101)"."""
    from contactsim.config.pools import Pool
    from contactsim.output.tables import skills_words

    assert isinstance(pool, Pool)
    return f"{pool.name} ({skills_words(list(pool.skills), list(lines))})"


def staffing_summary(result: object, scenario: object) -> str:
    """The staffing found against now, per pool, and each target's verdict: met on the mean
    (and at what confidence the intervals agree), with the closest hour."""
    from contactsim.config.scenario import Scenario
    from contactsim.output import tables
    from contactsim.planning.daily_targets import day_target_verdict
    from contactsim.planning.staffing_files import required_table
    from contactsim.planning.staffing_levels import key_label
    from contactsim.planning.staffing_search import StaffingResult

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
        if "days_met" in rows and rows["days_met"].notna().any():  # "on 95% of days"
            lines.append(f"{target}: {day_target_verdict(rows, result.confidence)}")
            continue
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
