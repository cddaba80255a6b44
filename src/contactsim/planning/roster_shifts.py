"""The shifts a roster may choose from, and the coverage rule: how much of each hour one person
on a shift is on the phones.

**Coverage rule.** A person on a shift covers an hour by the fraction of the hour they are on
duty, less the expected fraction of it they spend on a break. A break of L minutes whose start
may fall anywhere in a window [a, b] (:meth:`~contactsim.config.pools.Break.window_min`) is
taken as starting uniformly over the window — the simulation spreads the starts of a shift's
people evenly over it (the staggering rule of :class:`~contactsim.config.pools.Break`) — so it
takes from each hour the expected minutes of the break inside it, over 60. With a = b it is
just the break's overlap with the hour. Over the hours of a shift a break takes L/60 in all.
A shift from 07:30 covers 07:00-08:00 by 0.5. Requirements count rostered people, so
shrinkage (absence) is already inside them and is not taken off here.

**Options.** Each catalogue shift, start time, pattern and rotation open to a pool is one
*option* (one variable of the program): a weekly pattern (days on + days off = 7) once for each
weekday it may begin on; any other cycle once for each day of the cycle it may begin on, its
``from`` date being the roster's anchor date plus that offset. The program's hours run over
the *cycle*: the days after which the week and every pattern repeat together (56 days for
4-4, 7 when every pattern is weekly), hour 0 being midnight at the start of the anchor date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from contactsim.config.catalogue import Catalogue, CatalogueShift, Pattern, catalogue_cycle_days
from contactsim.config.pools import DAY_NAMES, Break, DayCycle, Shift

__all__ = ["ShiftOption", "day_coverage", "hour_of_week", "shift_options"]

HOURS_PER_WEEK = 168


def _expected_minutes(start: np.ndarray, end: np.ndarray, earliest: float, latest: float,
                      length: float) -> np.ndarray:
    """Expected minutes of a ``length``-minute break inside each [start, end), its start
    uniform over [earliest, latest] (a point if they are equal)."""

    def integral(t: np.ndarray) -> np.ndarray:
        # the integral up to t of P(the break has started by t)
        if latest <= earliest:
            return np.maximum(0.0, t - earliest)
        spread = latest - earliest
        inside = (np.clip(t, earliest, latest) - earliest) ** 2 / (2.0 * spread)
        return inside + np.maximum(0.0, t - latest)

    return (integral(end) - integral(start)) - (integral(end - length) - integral(start - length))


def day_coverage(start_minute: int, length_h: float, breaks: tuple[Break, ...]) -> np.ndarray:
    """What one person on a shift starting ``start_minute`` after midnight covers of each hour
    of that day and the next (48 values, by the coverage rule of this module)."""
    hour_start = np.arange(48) * 60.0
    hour_end = hour_start + 60.0
    shift_end = start_minute + length_h * 60.0
    on_duty = np.clip(np.minimum(hour_end, shift_end) - np.maximum(hour_start, start_minute),
                      0.0, 60.0)
    for item in breaks:
        earliest, latest = item.window_min(start_minute)
        on_duty -= _expected_minutes(hour_start, hour_end, start_minute + earliest,
                                     start_minute + latest, item.length_min)
    return np.clip(on_duty / 60.0, 0.0, 1.0)


def hour_of_week(anchor: date, days: int) -> np.ndarray:
    """The hour of the week (Monday 00:00 is 0) of each hour of a cycle of ``days`` days that
    starts at midnight on ``anchor``."""
    return (anchor.weekday() * 24 + np.arange(days * 24)) % HOURS_PER_WEEK


@dataclass(frozen=True, eq=False)
class ShiftOption:
    """One way to roster a person in a pool: a catalogue shift from a start time, on a pattern
    begun on a given weekday (weekly patterns) or day of the cycle (others)."""

    pool: str
    source: CatalogueShift
    start: str
    pattern: Pattern
    #: the weekday (0 = Monday) a weekly pattern begins on; for a cycle, days after the anchor
    rotation: int
    anchor: date
    #: people on the phones per person rostered, at each hour of the roster's cycle
    column: np.ndarray = field(repr=False)

    @property
    def name(self) -> str:
        """The shift's name in a scenario: ``early8-0600-5on2off-mon``, ``long12-0700-4on4off-
        day3`` (the day of the cycle its pattern begins on), ``late8-1400-7on0off``."""
        stem = f"{self.source.name}-{self.start.replace(':', '')}-" \
               f"{self.pattern.on_days}on{self.pattern.off_days}off"
        if self.pattern.off_days == 0:
            return stem
        return f"{stem}-{DAY_NAMES[self.rotation]}" if self.pattern.weekly \
            else f"{stem}-day{self.rotation + 1}"

    @property
    def days(self) -> tuple[str, ...] | None:
        """The weekdays worked (a weekly pattern), in week order; None for a cycle."""
        if not self.pattern.weekly:
            return None
        worked = {(self.rotation + i) % 7 for i in range(self.pattern.on_days)}
        return tuple(DAY_NAMES[d] for d in range(7) if d in worked)

    @property
    def cycle(self) -> DayCycle | None:
        """The cycle of days on and off (not weekly patterns), from its first day on."""
        if self.pattern.weekly or self.pattern.off_days == 0:
            return None
        return DayCycle.model_validate({
            "on_days": self.pattern.on_days, "off_days": self.pattern.off_days,
            "from": self.anchor + timedelta(days=self.rotation)})

    @property
    def days_words(self) -> str:
        """The days worked in words: "mon tue wed thu fri", "4 on 4 off from 2018-01-03"."""
        if self.days is not None:
            return " ".join(self.days)
        if self.cycle is None:
            return "every day"
        return f"{self.pattern.on_days} on {self.pattern.off_days} off from " \
               f"{self.cycle.starts.isoformat()}"

    @property
    def part_time(self) -> bool:
        """Whether the catalogue marks the shift part-time."""
        return self.source.part_time

    @property
    def shifts_per_week(self) -> float:
        """Shifts a person on this option works in a week (on average, for a cycle)."""
        return self.pattern.shifts_per_week

    @property
    def paid_hours_per_week(self) -> float:
        """Hours a person on this option is paid for in a week (shifts × length)."""
        return self.shifts_per_week * self.source.length_h

    @property
    def cost_per_week(self) -> float:
        """What a person on this option costs a week (shifts × cost per shift)."""
        return self.shifts_per_week * self.source.cost_per_shift

    def shift(self, count: int) -> Shift:
        """``count`` people on this option, as a scenario's shift."""
        fields: dict[str, object] = {"name": self.name}
        if self.days is not None:
            fields["days"] = self.days
        if self.cycle is not None:
            fields["cycle"] = self.cycle
        return self.source.shift(self.start, count, **fields)


def _worked_days(pattern: Pattern, rotation: int, anchor: date, days: int) -> np.ndarray:
    """The days of the cycle (from the anchor) a person on the pattern works."""
    day = np.arange(days)
    if pattern.weekly:
        weekday = (anchor.weekday() + day) % 7
        return day[(weekday - rotation) % 7 < pattern.on_days]
    return day[(day - rotation) % pattern.length_days < pattern.on_days]


def shift_options(catalogue: Catalogue, pool: str, anchor: date) -> tuple[list[ShiftOption], int]:
    """Every option open to ``pool`` and the cycle's length in days. Options that would cover
    exactly the same hours at the same cost as an earlier one (every rotation of "7-0") are
    left out."""
    days = catalogue_cycle_days(catalogue, pool)
    hours = days * 24
    options = []
    seen: set[tuple[bytes, bool, float]] = set()
    for source in catalogue.shifts_for(pool):
        for start in source.starts:
            minute = int(start[:2]) * 60 + int(start[3:])
            profile = day_coverage(minute, source.length_h, source.breaks)
            for pattern in source.parsed_patterns:
                rotations = 7 if pattern.weekly else pattern.length_days
                for rotation in range(rotations):
                    column = np.zeros(hours)
                    for day in _worked_days(pattern, rotation, anchor, days):
                        np.add.at(column, (day * 24 + np.arange(48)) % hours, profile)
                    option = ShiftOption(pool, source, start, pattern, rotation, anchor, column)
                    key = (np.round(column, 9).tobytes(), source.part_time,
                           round(option.cost_per_week, 9))
                    if key not in seen:
                        seen.add(key)
                        options.append(option)
    return options, days
