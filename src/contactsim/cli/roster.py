"""``contactsim roster``: turn hourly requirements into shifts people can work — the cheapest
set of shifts from a catalogue (lengths, start times, patterns of days on and off, breaks,
costs, per-pool limits) that covers, at every hour of the week, the rostered operators each
pool needs; and with ``--verify``, prove it by simulation, adding shifts where a target is
missed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contactsim.cli.options import (
    FiniteFloat,
    check_out_or_exit,
    chosen_seed,
    default_folder,
    load_or_exit,
    opened_executor,
    seed_option,
    set_option,
    workers_option,
)
from contactsim.errors import ContactsimError
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import DEFAULT_SEED

if TYPE_CHECKING:
    from contactsim.planning.roster import Roster
    from contactsim.planning.roster_verify import Verified

#: The anchor of the patterns' cycles when neither --from nor a scenario gives one.
DEFAULT_ANCHOR = dt.date(2018, 1, 1)
#: The solver's default time limit (planning.roster.DEFAULT_TIME_LIMIT_S, not imported here
#: so that ``contactsim --help`` stays quick).
TIME_LIMIT_S = 45.0


@click.command()
@click.argument("catalogue", type=click.Path(dir_okay=False))
@click.option("--required", "required_file", type=click.Path(dir_okay=False), default=None,
              metavar="CSV",
              help="The requirement: staff's required.csv, or a CSV pool,hour_of_week,required "
                   "(rostered operators; Monday 00:00 is hour 0).")
@click.option("--erlang", "erlang_scenario", type=click.Path(dir_okay=False), default=None,
              metavar="SCENARIO",
              help="The requirement by Erlang A for this scenario and the --target(s), per "
                   "hour of the week, in rostered operators (as staff starts).")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False), default=None,
              help="Write rostered.yaml: this scenario on the roster [default: the --erlang or "
                   "--verify scenario].")
@click.option("--verify", "verify_scenario", type=click.Path(dir_okay=False), default=None,
              metavar="SCENARIO",
              help="Simulate this scenario on the roster and add the cheapest shift at the "
                   "worst hour until every --target holds at every hour of the week.")
@click.option("--target", "targets", multiple=True, metavar="'LINE: KPI OP VALUE'",
              help="With --erlang or --verify: a target each hour must meet, e.g. "
                   "'999: service_level >= 0.90', '101: asa_s <= 120', a second "
                   "service-level point '999: service_level@15 >= 0.90' (answered within "
                   "15 s), or an occupancy cap on a pool, 'blended: occupancy <= 0.85' (below "
                   "1; a cap can only be met by adding people: --verify adds a shift of that "
                   "pool). With --verify, a target may end 'on 95% of days': judged on each "
                   "day's own figures, shifts added at the hours that drive the missed days. "
                   "Repeat.")
@click.option("--from", "anchor", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD",
              help="The date cycles other than weekly ones (4-4) count from [default: the "
                   f"scenario's horizon start, else {DEFAULT_ANCHOR}].")
@click.option("--time-limit", "time_limit_s", type=FiniteFloat(min=1), default=TIME_LIMIT_S,
              show_default=True, metavar="SECONDS",
              help="Longest the solver may take, all pools together; the best roster found "
                   "by then is used and its gap to the cheapest possible printed.")
@click.option("--allow-under", is_flag=True, default=False,
              help="Where the catalogue cannot cover an hour, write the roster with the least "
                   "shortfall anyway (the hours are listed) instead of refusing.")
@click.option("--max-operators", default=200, show_default=True, type=click.IntRange(min=1),
              help="With --erlang: the most operators one pool may need at one time.")
@click.option("--reps", default=4, show_default=True,
              type=click.IntRange(min=2, max=MAX_REPLICATIONS),
              help="With --verify: replications per round (the same seed each round).")
@seed_option
@click.option("--max-rounds", default=20, show_default=True, type=click.IntRange(min=1),
              help="With --verify: simulation rounds before the loop gives up.")
@click.option("--confidence", type=FiniteFloat(min=0, min_open=True), default=None,
              metavar="LEVEL",
              help="With --verify: an hour meets a target only if the whole interval at this "
                   "level does [default: the mean decides].")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Results folder [default: results/<scenario or catalogue name>-roster]; "
                   "replaced whole if contactsim made it.")
@workers_option
@set_option
def roster(
    catalogue: str, required_file: str | None, erlang_scenario: str | None,
    scenario_file: str | None, verify_scenario: str | None, targets: tuple[str, ...],
    anchor: dt.datetime | None, time_limit_s: float, allow_under: bool, max_operators: int,
    reps: int, seed: int | None, max_rounds: int, confidence: float | None, out: str | None,
    workers: int | None, overrides: tuple[str, ...],
) -> None:
    """Build the cheapest roster of shifts covering a requirement.

    CATALOGUE is a YAML shift catalogue (shifts with lengths, start times, patterns such as
    5-2 or 4-4, breaks and costs; per-pool limits on heads and part-time share). The
    requirement comes from --required CSV or --erlang SCENARIO. A person covers an hour by
    the share of it they are on duty, less their expected share of it on a break. Writes
    roster.yaml (a staffing block per pool, usable in a scenario), roster.csv, coverage.csv,
    coverage.png and, given a scenario, rostered.yaml; with --verify, verify.csv."""
    from contactsim.config.catalogue import check_pools, read_catalogue
    from contactsim.data.folders import atomic_folder
    from contactsim.output.roster_plots import plot_coverage
    from contactsim.planning.roster import solve_roster
    from contactsim.planning.roster_files import coverage_table, write_roster
    from contactsim.planning.roster_requirement import erlang_requirement, read_requirement
    from contactsim.planning.service_targets import measured_at_targets, parse_target

    if (required_file is None) == (erlang_scenario is None):
        raise click.UsageError("give the requirement: --required CSV or --erlang SCENARIO, "
                               "one of them")
    scenario_path = _one_scenario(erlang_scenario, scenario_file, verify_scenario)
    if targets and not (erlang_scenario or verify_scenario):
        raise click.UsageError("--target goes with --erlang or --verify")
    if (erlang_scenario or verify_scenario) and not targets:
        raise click.UsageError("--erlang and --verify need at least one --target")
    if overrides and scenario_path is None:
        raise click.UsageError("--set changes a scenario: give one (--erlang, --scenario or "
                               "--verify)")
    if confidence is not None and confidence >= 1:
        raise click.BadParameter(f"{confidence:g}: expected a level below 1, e.g. 0.95",
                                 param_hint="--confidence")
    shifts = read_catalogue(catalogue)
    loaded = load_or_exit(scenario_path, overrides) if scenario_path else None
    scenario = loaded.scenario if loaded else None
    parsed = [parse_target(text, scenario) for text in targets] if scenario else []
    if scenario is not None:  # measured within every threshold a target names
        scenario = measured_at_targets(scenario, parsed)
    if required_file is not None:
        requirement = read_requirement(required_file)
    else:
        assert scenario is not None  # --erlang gave it
        requirement = erlang_requirement(scenario, parsed, max_operators)
    check_pools(shifts, requirement.by_pool, catalogue)
    if scenario is not None:
        unknown = [p for p in requirement.by_pool if p not in {q.name for q in scenario.pools}]
        if unknown:
            raise ContactsimError(f"the requirement names pools the scenario {scenario.name} "
                                  f"does not have: {', '.join(unknown)}")
    first_day = (anchor.date() if anchor else scenario.horizon.start if scenario
                 else DEFAULT_ANCHOR)
    name = scenario.name if scenario else Path(catalogue).stem
    folder = Path(out) if out else default_folder(f"{name}-roster")
    check_out_or_exit(folder, "roster")
    seed_used = chosen_seed(seed, loaded) if loaded else (seed or DEFAULT_SEED)
    started = time.perf_counter()
    built = solve_roster(requirement, shifts, first_day, time_limit_s, allow_under)
    click.echo(f"roster built in {time.perf_counter() - started:.1f} s", err=True)
    verified = None
    if verify_scenario is not None:
        from contactsim.planning.roster_verify import verify_roster

        assert scenario is not None
        with opened_executor(workers, None, None) as executor:
            verified = verify_roster(built, shifts, scenario, parsed, reps, seed_used,
                                     executor, max_rounds, confidence,
                                     note=lambda text: click.echo(text, err=True))
    with atomic_folder(folder, "roster") as temporary:
        write_roster(built, temporary, scenario, seed_used)
        plot_coverage(coverage_table(built), temporary / "coverage.png")
        if verified is not None:
            verified.rounds.to_csv(temporary / "verify.csv", index=False)
            verified.kpis.to_csv(temporary / "kpis.csv", index=False)
    click.echo(roster_summary(built))
    if verified is not None:
        click.echo(_verdict(verified))
    click.echo(f"\nresults in {folder}/")


def _one_scenario(*paths: str | None) -> str | None:
    """The one scenario --erlang, --scenario and --verify name (they may repeat it)."""
    given = {str(Path(p).resolve()): p for p in paths if p is not None}
    if len(given) > 1:
        raise click.UsageError("--erlang, --scenario and --verify must name the same scenario "
                               f"(got {', '.join(given.values())})")
    return next(iter(given.values()), None)


def roster_summary(built: Roster) -> str:
    """Per pool: heads, paid hours and cost a week, hours short and over-staffed, the gap."""
    from contactsim.output import tables
    from contactsim.planning.roster_files import OVER_STAFFED_PEOPLE, coverage_table

    coverage = coverage_table(built)
    added = any(rostered.added for rostered in built.pools.values())
    table = tables.new_table(
        "pool", ("heads", "right"), ("paid h\na week", "right"), ("cost\na week", "right"),
        ("hours\nshort", "right"), (f"hours\n{OVER_STAFFED_PEOPLE:g}+ spare", "right"),
        ("spare\nperson-h", "right"), ("gap", "right"),
        *([("added by\n--verify", "right")] if added else []))
    for pool, rostered in built.pools.items():
        rows = coverage[coverage["pool"] == pool]
        gap = "-" if rostered.gap is None else f"{rostered.gap * 100:.2f}%"
        table.add_row(pool, f"{rostered.heads:,}", f"{rostered.paid_hours_per_week:,.0f}",
                      f"{rostered.cost_per_week:,.0f}", f"{int((rows['under'] > 1e-9).sum())}",
                      f"{int((rows['over'] >= OVER_STAFFED_PEOPLE).sum())}",
                      f"{rows['over'].sum():,.0f}", gap,
                      *([f"{rostered.added:,}"] if added else []))
    lines = [tables.render(table), f"requirement: {built.requirement.source}",
             f"hours {OVER_STAFFED_PEOPLE:g}+ spare: hours of the week with a whole person or more "
             "over the requirement; spare person-h: their sum over the week; gap: how much "
             "dearer than the cheapest possible the built roster may be (0: proven cheapest)"
             + ("; before --verify added people" if added else "")]
    if built.shortfalls:
        lines.append(f"note: {len(built.shortfalls)} hours left short (--allow-under):")
        lines += [f"  {s}" for s in built.shortfalls[:8]]
    return "\n".join(lines)


def _verdict(verified: Verified) -> str:
    rounds = len(verified.rounds)
    if verified.met:
        on_days = ("days_met" in verified.kpis and verified.kpis["days_met"].notna().any())
        where = ("at every hour of the week (a target on a share of days, on that share of "
                 "days)" if on_days else "at every hour of the week")
        return (f"verified by simulation: every target met {where} after "
                f"{rounds} round{'s' if rounds != 1 else ''} (verify.csv)")
    return "\n".join([f"not verified after {rounds} rounds; still missing:",
                      *(f"  {text}" for text in verified.still_missing)])
