"""Who answers: pools of operators with their skills (the lines they take), their staffing
plan (a flat number, a table per interval, or shifts), their shrinkage, and the routing rules
that say which waiting call an idle operator takes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from contactsim.config.clock import clock_minute
from contactsim.config.fields import (
    Frozen,
    Operators,
    Share,
    ShareBelowOne,
    line_name,
    line_names,
)
from contactsim.config.lines import EMERGENCY_LINE

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How far the people of one shift spread the start of a break given by ``after_h``, when the
#: break does not say (its ``spread_min``).
DEFAULT_BREAK_SPREAD_MIN = 60.0
#: The longest break a shift may give (minutes).
MAX_BREAK_MIN = 240.0


class Break(Frozen):
    """A break every person on a shift takes, ``length_min`` minutes long.

    Where it falls is a *window*, given either as ``after_h`` (hours into the shift) with an
    optional ``spread_min`` (default :data:`DEFAULT_BREAK_SPREAD_MIN`): the people's breaks
    start between ``after_h`` and ``after_h`` + ``spread_min``; or as ``within: [HH:MM, HH:MM]``
    clock times: every break starts and ends inside them. The people of one shift on one day
    take their breaks at evenly spread times in the window (the staggering rule: with ``n``
    present, person ``k`` of them starts ``k/(n-1)`` of the way from the earliest start to
    the latest; one person starts at the earliest), so they never all break at once.
    """

    after_h: Annotated[float, Field(ge=0, lt=24)] | None = None
    spread_min: Annotated[float, Field(ge=0, le=24 * 60)] | None = None
    within: tuple[str, str] | None = None
    length_min: Annotated[float, Field(gt=0, le=MAX_BREAK_MIN)]

    @field_validator("within")
    @classmethod
    def _clocks(cls, value: tuple[str, str] | None) -> tuple[str, str] | None:
        if value is not None:
            for text in value:
                if clock_minute(text, end_of_day=True) is None:
                    raise ValueError(f"within takes two clock times HH:MM, not {text!r}")
        return value

    @model_validator(mode="after")
    def _one_window(self) -> Break:
        if (self.after_h is None) == (self.within is None):
            raise ValueError("give after_h (hours into the shift) or within: [HH:MM, HH:MM], "
                             "one of them")
        if self.within is not None and self.spread_min is not None:
            raise ValueError("spread_min goes with after_h; within already says the window")
        return self

    def window_min(self, shift_start_minute: int) -> tuple[float, float]:
        """(earliest, latest) start of this break, minutes after the shift's start."""
        if self.after_h is not None:
            spread = DEFAULT_BREAK_SPREAD_MIN if self.spread_min is None else self.spread_min
            earliest = self.after_h * 60.0
            return earliest, earliest + spread
        assert self.within is not None
        opens, closes = (clock_minute(t, end_of_day=True) for t in self.within)
        assert opens is not None and closes is not None
        earliest = (opens - shift_start_minute) % 1440
        window = (closes - opens) % 1440
        return float(earliest), float(earliest + window - self.length_min)


class DayCycle(Frozen):
    """A cycle of days on and off (4 on, 4 off; 5 on, 2 off), counted from the date ``from``
    (a first day on)."""

    on_days: Annotated[int, Field(ge=1, le=28)]
    off_days: Annotated[int, Field(ge=0, le=28)]
    starts: date = Field(alias="from")

    def works_on(self, day: date) -> bool:
        """Whether the cycle has this date as a day on."""
        return (day - self.starts).days % (self.on_days + self.off_days) < self.on_days


class Shift(Frozen):
    """``count`` operators from ``start`` (HH:MM) for ``length_h`` hours on the given days (and,
    with a ``cycle``, only on its days on), each taking the ``breaks``."""

    #: optional: a named shift can be changed or removed by name in ``extends``
    name: Annotated[str, Field(min_length=1)] | None = None
    start: str
    length_h: Annotated[float, Field(gt=0, le=24)]
    days: tuple[str, ...] = DAY_NAMES
    cycle: DayCycle | None = None
    count: Operators
    breaks: tuple[Break, ...] = ()

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

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        """Every break lies inside the shift, in order, none overlapping the next."""
        length_min = self.length_h * 60.0
        previous_end = 0.0
        for index, item in enumerate(self.breaks):
            earliest, latest = item.window_min(self.start_minute)
            where = f"breaks[{index}]"
            if latest < earliest:
                raise ValueError(f"{where}: a {item.length_min:g}-minute break does not fit in "
                                 f"its window {item.within[0]}-{item.within[1]}"
                                 if item.within else f"{where}: the window is empty")
            if earliest + 1e-9 < previous_end:
                raise ValueError(f"{where} starts before the break before it ends: give "
                                 "breaks in time order, not overlapping")
            if latest + item.length_min > length_min + 1e-9:
                raise ValueError(
                    f"{where} runs past the end of the {self.length_h:g}-hour shift (its "
                    f"latest start is {latest / 60:g} h in, and it lasts {item.length_min:g} "
                    "min): breaks must lie inside the shift")
            previous_end = latest + item.length_min
        return self

    def works_on(self, day: date) -> bool:
        """Whether the shift is worked on this date (its days, and its cycle's days on)."""
        return DAY_NAMES[day.weekday()] in self.days and (
            self.cycle is None or self.cycle.works_on(day))

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
    #: an operator-shift busier than this share of its time on the phones counts as a
    #: high-occupancy shift (a wellbeing measure: see the README's "Load on operators")
    high_occupancy: Share = 0.85

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
