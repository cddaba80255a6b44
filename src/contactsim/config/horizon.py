"""The simulated period: the first day, how many days, the warm-up left out of the results,
and the length of the reporting intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from contactsim import limits
from contactsim.config.clock import MINUTES_PER_DAY
from contactsim.config.fields import Frozen, NonNegativeFloat


def _whole_multiple(minutes: float, interval_minutes: int) -> bool:
    intervals = minutes / interval_minutes
    return abs(intervals - round(intervals)) < 1e-6


class Horizon(Frozen):
    """The simulated period. Time 0 is midnight at the start of ``start``."""

    start: date = date(2018, 1, 1)
    days: Annotated[float, Field(gt=0, le=limits.MAX_HORIZON_DAYS, allow_inf_nan=False)] = 7.0
    warmup_hours: NonNegativeFloat = 0.0
    interval_minutes: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)] = 60

    @field_validator("start")
    @classmethod
    def _representable(cls, value: date) -> date:
        if not limits.EARLIEST_START_YEAR <= value.year <= limits.LATEST_START_YEAR:
            raise ValueError(f"a start between {limits.EARLIEST_START_YEAR} and "
                             f"{limits.LATEST_START_YEAR}")
        return value

    @field_validator("interval_minutes")
    @classmethod
    def _divides_a_day(cls, value: int) -> int:
        if MINUTES_PER_DAY % value:
            raise ValueError("interval_minutes must divide a day (1440 minutes), e.g. 15, 30, 60")
        return value

    @model_validator(mode="after")
    def _warmup_fits(self) -> Horizon:
        if self.warmup_hours >= self.days * 24:
            raise ValueError(
                f"warmup_hours ({self.warmup_hours}) must be shorter than the horizon "
                f"({self.days} days = {self.days * 24} hours)"
            )
        if not _whole_multiple(self.warmup_hours * 60, self.interval_minutes):
            raise ValueError(
                f"warmup_hours ({self.warmup_hours}) must be a whole number of intervals "
                f"({self.interval_minutes} minutes)"
            )
        if not _whole_multiple(self.days * MINUTES_PER_DAY, self.interval_minutes):
            raise ValueError(
                f"days ({self.days}) must be a whole number of intervals "
                f"({self.interval_minutes} minutes)"
            )
        return self

    @property
    def end_s(self) -> float:
        """Length of the horizon in seconds."""
        return self.days * 86400.0

    @property
    def warmup_s(self) -> float:
        """Length of the warm-up in seconds."""
        return self.warmup_hours * 3600.0

    @property
    def interval_s(self) -> float:
        """Length of one reporting interval in seconds."""
        return self.interval_minutes * 60.0
