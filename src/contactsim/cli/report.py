"""``contactsim report``: what a planner uses to share results — it turns a results folder (a
run, a comparison or a sweep) into report.html, one self-contained page to open and forward:
the scenario in words, KPI tables with intervals marked against targets, and the plots."""

from __future__ import annotations

import click

from contactsim.cli.options import fail
from contactsim.errors import ContactsimError, EnvironmentFault


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
def report(folder: str) -> None:
    """Write report.html, one page to open and forward.

    Writes it into FOLDER (a run, a comparison or a sweep): the scenario in words, KPI tables
    with intervals marked against targets, and the plots, in one file."""
    from contactsim.output.html import write_report

    try:
        path = write_report(folder)
    except EnvironmentFault as exc:
        fail(str(exc), status=1)
    except ContactsimError as exc:
        fail(str(exc))
    click.echo(f"wrote {path}")
