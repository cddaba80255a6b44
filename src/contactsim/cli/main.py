"""The ``contactsim`` command: the group every command hangs from, and the last-resort handler
that turns whatever goes wrong into a short message and an exit status a planner's script can
act on — 2 when the input cannot be used, 1 when the machine failed (or contactsim did), 130
after Ctrl-C — never a traceback unless ``--debug`` (or ``CONTACTSIM_DEBUG``) asks for one.

Each command lives in a module of its own in this package (``run``, ``compare``, ``sweep``,
``staff``, ``roster``, ``calibrate``, ``report``, ``validate``, ``erlang``, ``demand``,
``schema``); the options they share are in :mod:`contactsim.cli.options`.
"""

from __future__ import annotations

import os
import sys
import warnings

import click

from contactsim.cli.calibrate import calibrate
from contactsim.cli.compare import compare
from contactsim.cli.demand import demand
from contactsim.cli.erlang import erlang_command
from contactsim.cli.report import report
from contactsim.cli.roster import roster
from contactsim.cli.run import run
from contactsim.cli.schema import schema
from contactsim.cli.serve import serve
from contactsim.cli.staff import staff
from contactsim.cli.sweep import sweep
from contactsim.cli.validate import validate
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError

#: Exit status when the input (a scenario, a targets file, an option) cannot be used.
EXIT_INPUT = 2
#: Exit status when the machine (disk, memory, a cluster) or contactsim itself failed.
EXIT_MACHINE = 1
#: Exit status after Ctrl-C, as a shell reports a process ended by SIGINT.
EXIT_INTERRUPTED = 130


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
                "earlier results in the folder are kept)", EXIT_INTERRUPTED)
    if isinstance(exc, ScenarioError):
        return f"error: the input cannot be used:\n{exc}", EXIT_INPUT
    if isinstance(exc, EnvironmentFault):
        return f"error: {exc}", EXIT_MACHINE
    if isinstance(exc, ContactsimError):
        return f"error: {exc}", EXIT_INPUT
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return (f"error: the system refused to read or write{where}: "
                f"{exc.strerror or exc} (nothing partial was written; earlier results are "
                "kept)", EXIT_MACHINE)
    if isinstance(exc, MemoryError):
        return ("error: out of memory; run fewer replications at once (--workers 1) or a "
                "shorter horizon", EXIT_MACHINE)
    return (f"error: contactsim failed unexpectedly ({type(exc).__name__}: {exc}).\n"
            "This is a bug in contactsim, not in your input: rerun with --debug "
            "(contactsim --debug COMMAND ...) to see where, and report it.", EXIT_MACHINE)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="contactsim")
@click.option("--debug", is_flag=True, default=False,
              help="Show the full traceback when something fails (for reporting a bug).")
def main(debug: bool) -> None:
    """contactsim: simulate a police 999/101 contact centre under alternative staffing."""
    if not debug:  # a warning reads as one line of ours, not Python's file:line: category
        warnings.formatwarning = _warning_line


def _warning_line(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  line: str | None = None) -> str:
    return f"warning: {message}\n"


for _command in (run, compare, sweep, report, validate, erlang_command, calibrate, staff, roster,
                 demand, serve, schema):
    main.add_command(_command)


if __name__ == "__main__":
    main()
