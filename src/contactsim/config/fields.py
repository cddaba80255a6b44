"""What every part of a scenario shares: unknown keys refused, nothing changeable once read,
numbers in their allowed ranges, and line names as text.

The number types carry their limits (see :mod:`contactsim.limits`), so a planner who writes a
mean of a year, a negative share or ``true`` where a number is due is told at that field.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from contactsim import limits
from contactsim.config.clock import opening_minutes

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: A time distribution's mean (or fixed value): positive, at most limits.MAX_MEAN_S.
MeanSeconds = Annotated[float, Field(gt=0, le=limits.MAX_MEAN_S, allow_inf_nan=False)]
#: A lognormal's or gamma's coefficient of variation, where sampling neither over- nor underflows.
Variation = Annotated[float, Field(ge=limits.MIN_CV, le=limits.MAX_CV, allow_inf_nan=False)]
#: Operators rostered at one time in one pool.
Operators = Annotated[int, Field(ge=0, le=limits.MAX_OPERATORS_PER_POOL)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
ShareBelowOne = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]


def _opening_hours(value: str) -> str:
    opening_minutes(value)
    return value.replace(" ", "")


#: Opening hours ``HH:MM-HH:MM`` (see :func:`~contactsim.config.clock.opening_minutes`),
#: kept without spaces.
OpeningHours = Annotated[str, AfterValidator(_opening_hours)]


class _Boolean:
    """A true/false given where a number was due: no number type accepts it."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"{str(self.value).lower()} (true/false, not a number)"


def _admits_bool(annotation: Any) -> bool:
    """Whether a field's type accepts true/false (or anything at all)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_admits_bool(arg) for arg in typing.get_args(annotation))


class Frozen(BaseModel):
    """Base of every scenario object: unknown keys refused, nothing mutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        # pydantic reads true as 1 where a number is due: a planner who wrote
        # rate_per_hour: true meant something else. The value is wrapped so that the field's
        # own validation refuses it, at the field's path.
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            key: _Boolean(value) if isinstance(value, bool) and key in fields
            and not _admits_bool(fields[key].annotation) else value
            for key, value in data.items()
        }


def line_name(value: Any) -> Any:
    """A line's name as text: YAML reads an unquoted 999 as a number; planners should not have
    to quote it."""
    return str(value) if isinstance(value, int) else value


def line_names(value: Any) -> Any:
    """A list of line names as a tuple of text (see :func:`line_name`)."""
    if isinstance(value, list | tuple):
        return tuple(line_name(v) for v in value)
    return value


class Opens(Frozen):
    """A scenario object open only inside its ``hours`` (an :data:`OpeningHours` field of the
    subclass)."""

    if TYPE_CHECKING:
        hours: str

    @property
    def hours_minutes(self) -> tuple[int, int]:
        """Minutes after midnight at which the ``hours`` open and close."""
        return opening_minutes(self.hours)
