"""Demand that is not the average day: surges (dated or yearly events that multiply or add to a
line's rate) and day-to-day busyness (each day's rates times a random factor).

Both change a line's expected rates per interval before its Poisson arrivals are drawn
(:func:`contactsim.build.demand.poisson_arrivals`): events deterministically, so the expected
calls in a window of factor 2 are exactly twice the profile's; busyness by a gamma factor per
day of mean 1, drawn on the line's own stream (``busyness/LINE``), so a line without it draws
nothing and gives exactly the numbers it gave before. Arrivals become a Cox process: a day of
m expected callers has a count of variance m + cv² m².
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np

from contactsim.build.demand import rates_per_hour
from contactsim.config.events import DemandEvent
from contactsim.config.horizon import Horizon
from contactsim.config.scenario import Scenario

__all__ = ["busy_days", "event_shape", "line_rates", "with_events"]

SECONDS_PER_DAY = 86400.0


def line_rates(scenario: Scenario, line: str) -> np.ndarray:
    """Expected callers per hour of ``line`` in each interval: its profile or rate, growth and
    events (busyness, a factor of mean 1, left out)."""
    rates = rates_per_hour(scenario.demand[line], scenario.horizon)
    return with_events(rates, line, scenario.events, scenario.horizon)


def with_events(rates_per_hour: np.ndarray, line: str, events: Iterable[DemandEvent],
                horizon: Horizon) -> np.ndarray:
    """``rates_per_hour`` with every event on ``line`` (or on every line) applied: inside an
    event, rate × (1 + (factor − 1) × shape) + add_per_hour × shape, where the shape is 1 in the
    window, rising over ``ramp_h`` and falling over ``decay_h`` (:func:`event_shape`); events
    multiply one another. Averaged to the minute over each interval: the expected calls in
    every interval are exact."""
    mine = [e for e in events if e.line is None or e.line == line]
    if not mine:
        return rates_per_hour
    n_intervals = rates_per_hour.size
    interval_min = round(horizon.interval_s / 60.0)
    origin = datetime.combine(horizon.start, datetime.min.time())
    end = origin + timedelta(minutes=n_intervals * interval_min)
    # only the intervals some event touches are worked to the minute: a year's minutes for a
    # few evenings would cost every replication tens of milliseconds
    touched: set[int] = set()
    for event in mine:
        reach = timedelta(hours=event.decay_h)
        for begin, finish in event.windows(origin, end):
            first = max(0, int((begin - origin).total_seconds() // 60 // interval_min))
            last = min(n_intervals, -int(-((finish + reach - origin).total_seconds() // 60)
                                          // interval_min))
            touched.update(range(first, last))
    if not touched:
        return rates_per_hour
    intervals = np.array(sorted(touched))
    minutes = ((intervals[:, None] * interval_min + np.arange(interval_min)).ravel()
               + 0.5)  # each minute's middle
    factor = np.ones(minutes.size)
    added = np.zeros(minutes.size)
    for event in mine:
        shape = event_shape(event, origin, minutes)
        factor *= 1.0 + (event.factor - 1.0) * shape
        added += event.add_per_hour * shape
    out = np.array(rates_per_hour, dtype=float)
    out[intervals] = (out[intervals] * factor.reshape(-1, interval_min).mean(axis=1)
                      + added.reshape(-1, interval_min).mean(axis=1))
    return out


def event_shape(event: DemandEvent, origin: datetime, minutes: np.ndarray) -> np.ndarray:
    """How much of ``event`` is in force at each of ``minutes`` (from ``origin``): 0 outside,
    1 in the window, linear over its ramp (from the window's start) and decay (after its
    end)."""
    shape = np.zeros(minutes.size)
    last = origin + timedelta(minutes=float(minutes[-1]) if minutes.size else 0.0)
    ramp, decay = event.ramp_h * 60.0, event.decay_h * 60.0
    for begin, end in event.windows(origin, last):
        a = (begin - origin).total_seconds() / 60.0
        b = (end - origin).total_seconds() / 60.0
        inside = (minutes >= a) & (minutes < b)
        rising = np.clip((minutes - a) / ramp, 0.0, 1.0) if ramp > 0 else 1.0
        shape = np.where(inside, np.maximum(shape, rising), shape)
        if decay > 0:
            after = (minutes >= b) & (minutes < b + decay)
            shape = np.where(after, np.maximum(shape, 1.0 - (minutes - b) / decay), shape)
    return shape


def busy_days(rates_per_hour: np.ndarray, cv: float, interval_s: float,
              rng: np.random.Generator) -> np.ndarray:
    """``rates_per_hour`` with each day's intervals multiplied by a gamma factor of mean 1 and
    coefficient of variation ``cv`` (shape 1/cv², scale cv²), one draw per day in order."""
    if cv <= 0:
        return rates_per_hour
    day = (np.arange(rates_per_hour.size) * interval_s // SECONDS_PER_DAY).astype(np.int64)
    factors = rng.gamma(1.0 / cv**2, cv**2, size=int(day[-1]) + 1 if day.size else 0)
    return rates_per_hour * factors[day]
