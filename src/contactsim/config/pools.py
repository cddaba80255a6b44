"""Who answers: pools of operators with their skills (the lines they take), their staffing
plan (a flat number, a table per interval, or shifts), their shrinkage, and the routing rules
that say which waiting call an idle operator takes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from contactsim.config.clock import clock_minute
from contactsim.config.fields import Frozen, Operators, ShareBelowOne, line_name, line_names
from contactsim.config.lines import EMERGENCY_LINE

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Shift(Frozen):
    """``count`` operators from ``start`` (HH:MM) for ``length_h`` hours on the given days."""

    #: optional: a named shift can be changed or removed by name in ``extends``
    name: Annotated[str, Field(min_length=1)] | None = None
    start: str
    length_h: Annotated[float, Field(gt=0, le=24)]
    days: tuple[str, ...] = DAY_NAMES
    count: Operators

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if clock_minute(value) is None:
            raise ValueError(f"start must be a 24-hour clock time HH:MM, not {value!r}")
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _day_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            out = []
            for day in value:
                name = str(day).strip().lower()[:3]
                if name not in DAY_NAMES:
                    raise ValueError(
                        f"days must be names among {', '.join(DAY_NAMES)}; not {day!r}"
                    )
                out.append(name)
            return tuple(out)
        return value

    @property
    def start_minute(self) -> int:
        """Minutes after midnight at which the shift starts."""
        minute = clock_minute(self.start)
        assert minute is not None  # checked when the shift was read
        return minute


class StaffingChange(Frozen):
    """From midnight at the start of ``from``, the plan's rostered numbers are multiplied by
    ``scale`` (instead of the plan's own ``scale``): recruits joining, leavers not replaced."""

    starts: date = Field(alias="from")
    scale: Annotated[float, Field(ge=0, le=100)]


class Staffing(Frozen):
    """One staffing plan: ``flat`` operators, a ``per_interval`` CSV, or ``shifts``.

    Numbers are rostered operators; shrinkage is taken off afterwards. ``scale`` multiplies
    the rostered numbers (1.1: ten per cent more at every hour), with the same rounding;
    ``changes`` set another scale from given dates on.
    """

    flat: Operators | None = None
    per_interval: str | None = None
    shifts: tuple[Shift, ...] | None = None
    scale: Annotated[float, Field(gt=0, le=100)] = 1.0
    changes: tuple[StaffingChange, ...] = ()

    @field_validator("changes")
    @classmethod
    def _in_order(cls, value: tuple[StaffingChange, ...]) -> tuple[StaffingChange, ...]:
        starts = [change.starts for change in value]
        if starts != sorted(set(starts)):
            raise ValueError("changes must be in date order, one per date")
        return value

    @model_validator(mode="after")
    def _one_plan(self) -> Staffing:
        given = [k for k in ("flat", "per_interval", "shifts") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of flat, per_interval or shifts"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Pool(Frozen):
    """Operators with the same skills and staffing plan."""

    name: Annotated[str, Field(min_length=1)]
    skills: Annotated[tuple[str, ...], Field(min_length=1)]
    staffing: Staffing
    shrinkage: ShareBelowOne | None = None

    @field_validator("skills", mode="before")
    @classmethod
    def _skills_as_text(cls, value: Any) -> Any:
        return line_names(value)

    @field_validator("skills")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("skills must not repeat a line")
        return value


class Reserve(Frozen):
    """Keep ``idle_operators`` multi-skilled operators free for ``for_line``.

    Operators of pools that serve ``for_line`` and other lines take no lower-priority call that
    would leave fewer than ``idle_operators`` of them idle.
    """

    for_line: str = EMERGENCY_LINE
    idle_operators: Annotated[int, Field(ge=0)] = 0

    @field_validator("for_line", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return line_name(value)


class Routing(Frozen):
    """Which waiting contact an idle operator takes.

    ``priority`` lists the lines, most urgent first; omitted, 999 comes first and the other
    lines follow in the order ``demand`` gives them.
    """

    priority: tuple[str, ...] | None = None
    reserve: Reserve | None = None

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_as_text(cls, value: Any) -> Any:
        return line_names(value)
