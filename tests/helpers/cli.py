"""The command line as the tests drive it, through click's CliRunner."""

from __future__ import annotations

from click.testing import CliRunner, Result

from contactsim.cli.main import main


def invoke(*args: object) -> Result:
    """Run the command line with ``args`` (paths made text); an exception fails the test."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def cli(*args: object) -> Result:
    """Run the command line as a planner does: an exception is caught, so that a test can check
    that none escaped (no traceback)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(result: Result) -> Result:
    """``result``, after checking the command succeeded (its output shown if not)."""
    assert result.exit_code == 0, result.output
    return result
