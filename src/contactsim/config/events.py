"""Surges: dated windows in which a line's demand is multiplied (or added to) — New Year's Eve,
bonfire night, a storm.

An event gives its window either once, as date-times (``from``, ``to``), or every year, as
``MM-DD HH:MM`` (``yearly: {from: "11-05 17:00", to: "11-06 00:30"}``). Inside it, the line's
rate is multiplied by ``factor`` and ``add_per_hour`` callers an hour are added; a storm-like
shape ramps up over ``ramp_h`` from the window's start (from no change to the full factor)
and decays over ``decay_h`` after its end (from the full factor back to none). Events apply to
synthesised demand (a rate or an annual volume), not to a replayed log, which has its own.
Several events on one line multiply.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from contactsim.config.clock import as_datetime
from contactsim.config.fields import Frozen, NonNegativeFloat, line_name

__all__ = ["DemandEvent", "YearlyWindow", "parse_month_day_time"]

_MONTH_DAY_TIME = re.compile(r"^(\d{2})-(\d{2}) (\d{2}):(\d{2})$")
#: The largest factor an event may multiply a line's rate by.
MAX_EVENT_FACTOR = 100.0


def parse_month_day_time(text: str, year: int) -> datetime:
    """``"11-05 17:00"`` in ``year``; ValueError if it is not a day of that year and a time."""
    match = _MONTH_DAY_TIME.match(text.strip())
    if match is None:
        raise ValueError(f"expected MM-DD HH:MM, e.g. \"11-05 17:00\"; not {text!r}")
    month, day, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError as error:
        raise ValueError(f"expected MM-DD HH:MM, e.g. \"11-05 17:00\"; {text!r} is not a day "
                         f"and time ({error})") from None


class YearlyWindow(Frozen):
    """A window that comes back every year: ``from`` and ``to`` as ``MM-DD HH:MM``; a ``to``
    before the ``from`` ends in the next year (New Year's Eve into New Year's Day)."""

    starts: str = Field(alias="from")
    ends: str = Field(alias="to")

    @field_validator("starts", "ends")
    @classmethod
    def _month_day_time(cls, value: str) -> str:
        parse_month_day_time(value, 2000)  # a leap year: 02-29 is a day
        return value

    def in_year(self, year: int) -> tuple[datetime, datetime]:
        """The window starting in ``year``."""
        begin = parse_month_day_time(self.starts, year)
        end = parse_month_day_time(self.ends, year)
        if end <= begin:
            end = parse_month_day_time(self.ends, year + 1)
        return begin, end


class DemandEvent(Frozen):
    """A surge on one line (or every line, if ``line`` is omitted)."""

    name: Annotated[str, Field(min_length=1)]
    line: str | None = None
    starts: datetime | None = Field(default=None, alias="from")
    ends: datetime | None = Field(default=None, alias="to")
    yearly: YearlyWindow | None = None
    factor: Annotated[float, Field(ge=0, le=MAX_EVENT_FACTOR, allow_inf_nan=False)] = 1.0
    add_per_hour: NonNegativeFloat = 0.0
    ramp_h: Annotated[float, Field(ge=0, le=24 * 7)] = 0.0
    decay_h: Annotated[float, Field(ge=0, le=24 * 7)] = 0.0

    @field_validator("line", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return None if value is None else line_name(value)

    @field_validator("starts", "ends", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        # YAML reads 2018-07-14 as a date: the window then starts (or ends) at its midnight
        return as_datetime(value) if isinstance(value, date) else value

    @model_validator(mode="after")
    def _one_window(self) -> DemandEvent:
        dated = self.starts is not None or self.ends is not None
        if dated == (self.yearly is not None):
            raise ValueError("give the window once, as from and to (date-times), or every "
                             "year, as yearly: {from: \"MM-DD HH:MM\", to: \"MM-DD HH:MM\"}")
        if dated and (self.starts is None or self.ends is None or self.starts >= self.ends):
            raise ValueError("from and to are both needed, from before to")
        begin, end = ((self.starts, self.ends) if dated else
                      self.yearly.in_year(2000) if self.yearly is not None else (None, None))
        assert begin is not None and end is not None
        if self.ramp_h * 3600.0 > (end - begin).total_seconds():
            raise ValueError(f"ramp_h ({self.ramp_h:g}) is longer than the window "
                             f"({(end - begin).total_seconds() / 3600:g} h): the surge would "
                             "never reach its factor")
        if self.factor == 1.0 and self.add_per_hour == 0.0:
            raise ValueError("an event changes nothing with factor 1 and add_per_hour 0")
        return self

    def windows(self, first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
        """The event's windows (from, to) that may touch ``first``..``last``, decay included."""
        if self.starts is not None and self.ends is not None:
            return [(self.starts, self.ends)]
        assert self.yearly is not None
        margin = timedelta(hours=self.decay_h + self.ramp_h) + timedelta(days=366)
        years = range((first - margin).year, (last + margin).year + 1)
        windows = []
        for year in years:
            try:
                windows.append(self.yearly.in_year(year))
            except ValueError:  # 02-29 outside a leap year: no window that year
                continue
        return windows
