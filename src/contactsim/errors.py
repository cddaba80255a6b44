"""Errors that speak to a planner: which file, which field, what value, what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what it holds and what was expected."""

    field: str
    value: object
    expected: str
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.row is not None:
            where += f", row {self.row}"
        field = f": {self.field}" if self.field else ""
        return f"{where}{field}: got {_show(self.value)}; expected {self.expected}"


class ContactsimError(Exception):
    """Base class of every error contactsim raises on purpose."""


class ScenarioError(ContactsimError):
    """A scenario, or a file it names, cannot be used. Holds one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(
        cls,
        field: str,
        value: object,
        expected: str,
        file: str | None = None,
        row: int | None = None,
    ) -> ScenarioError:
        """Build an error holding one problem."""
        return cls([Problem(field=field, value=value, expected=expected, file=file, row=row)])

    def in_file(self, file: str) -> ScenarioError:
        """The same problems, each attributed to ``file`` where it names none."""
        return ScenarioError(
            [
                Problem(p.field, p.value, p.expected, p.file or file, p.row)
                for p in self.problems
            ]
        )


class EnvironmentFault(ContactsimError):
    """Something outside the planner's input failed: a full disk, a folder that cannot be
    written, a Dask scheduler that cannot be reached. The command line exits with status 1."""


class ConservationError(ContactsimError):
    """The model lost or invented calls: a bug in contactsim, never in the input."""


def _show(value: object) -> str:
    # text (a file's path above all) is shown whole unless it is very long; a large list or
    # mapping is cut short
    text = repr(value)
    limit = 300 if isinstance(value, str) else 120
    return text if len(text) <= limit else text[: limit - 3] + "..."
