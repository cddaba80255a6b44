"""``contactsim erlang``: what a planner uses for a quick first answer — the Erlang C (nobody
abandons) or Erlang A (callers abandon) figures of one stationary line for a number or range of
operators on the phones, without simulating: P(wait), P(abandon), ASA, service level and
occupancy. No priority, no multi-skilling, no callbacks: a simulation accounts for those."""

from __future__ import annotations

import math
import re

import click

from contactsim.cli.options import FiniteFloat

#: Most rows the table prints: a longer table is no use on a terminal.
MAX_TABLE_ROWS = 1000


@click.command(name="erlang")
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
    from contactsim.analysis import erlang
    from contactsim.config.lines import DEFAULT_SERVICE_LEVEL_OTHER_S, DEFAULT_SERVICE_LEVEL_S
    from contactsim.output import tables

    low, high = _agent_range(agents)
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


def _agent_range(agents: str) -> tuple[int, int]:
    """The fewest and most operators --agents asks for (``N`` or ``A-B``); anything else is a
    usage error naming --agents."""
    from contactsim.limits import MAX_OPERATORS_PER_POOL

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
    if high - low + 1 > MAX_TABLE_ROWS:
        raise click.BadParameter(
            f"{agents!r} asks for {high - low + 1:,} rows; the table has at most "
            f"{MAX_TABLE_ROWS:,} (e.g. {low}-{low + MAX_TABLE_ROWS - 1})", param_hint="--agents")
    return low, high
