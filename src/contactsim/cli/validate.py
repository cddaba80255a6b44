"""``contactsim validate``: what a planner uses to check scenario files before a long run — each
file (with any --set) is read and checked, summarised in a line (lines, pools, horizon), and
what it changes against the file it extends and by --set is listed; exit status 2 if any file
cannot be used."""

from __future__ import annotations

import os
import sys

import click

from contactsim.cli.options import set_option
from contactsim.errors import ScenarioError

#: Changes listed for one file and one source; the rest are counted.
MOST_CHANGES_LISTED = 40


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@set_option
def validate(scenarios: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Check scenarios without running them.

    Checks SCENARIOS (with any --set) and says what each is; exit status 2 if any cannot be
    used."""
    from contactsim.build.loading import load_scenario
    from contactsim.config.overlays import overlay_changes

    most = MOST_CHANGES_LISTED
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
