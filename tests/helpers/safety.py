"""What the safety tests check of a command a planner runs on bad input: it failed cleanly
(status, message, no traceback) and wrote nothing; and a scenario extending the tiny centre."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import Result


def files_under(folder: Path) -> set[Path]:
    """Every file and folder below ``folder``, as paths relative to it."""
    return {p.relative_to(folder) for p in folder.rglob("*")}


def refused(result: Result, *fragments: str, status: int = 2) -> None:
    """The command failed cleanly: the status, each fragment in the message, no traceback."""
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"an exception escaped: {result.exception!r}")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def scenario_file(folder: Path, body: str, name: str = "bad.yaml") -> Path:
    """A scenario extending tiny.yaml with ``body``."""
    path = folder / name
    path.write_text("extends: tiny.yaml\n" + textwrap.dedent(body), encoding="utf-8")
    return path
