"""Clock times and dates as a planner writes them in a scenario.

One reader for every ``HH:MM`` in a scenario (a shift's start, the callback and Resolution
Centre opening hours ``HH:MM-HH:MM``), and one for the dates and date-times that bound a
replayed call log (``from``/``to``). The schema and the loader both use these, so a clock time
means the same everywhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

MINUTES_PER_DAY = 1440

_CLOCK = re.compile(r"^([0-9]{2}):([0-9]{2})$")  # ASCII digits only


def _hours_and_minutes(text: str) -> tuple[int, int] | None:
    """The hours and minutes of text shaped as a clock time (two digits, a colon, two
    digits), not yet checked to be on the clock; None if it is not so shaped."""
    match = _CLOCK.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def clock_minute(text: str, *, end_of_day: bool = False) -> int | None:
    """Minutes after midnight of the 24-hour clock time ``text`` (``"08:30"`` → 510), or None
    if it is not one: two digits, a colon, two digits, 00:00 to 23:59. With ``end_of_day``,
    ``24:00`` (the end of the day, 1440) is a clock time too: an opening may close then."""
    parts = _hours_and_minutes(text)
    if parts is None:
        return None
    hours, minutes = parts
    minute = hours * 60 + minutes
    latest = MINUTES_PER_DAY if end_of_day else MINUTES_PER_DAY - 1
    if minutes > 59 or minute > latest:
        return None
    return minute


def opening_minutes(text: str) -> tuple[int, int]:
    """Minutes after midnight at which opening hours ``"HH:MM-HH:MM"`` open and close
    (``"08:00-22:00"`` → (480, 1320)); spaces are ignored. ValueError, in a planner's words,
    if ``text`` is not shaped so, or not within 00:00-24:00 with the start before the end."""
    start_text, dash, end_text = text.replace(" ", "").partition("-")
    if not dash or _hours_and_minutes(start_text) is None or _hours_and_minutes(end_text) is None:
        raise ValueError("hours as HH:MM-HH:MM, e.g. 08:00-22:00")
    start = clock_minute(start_text, end_of_day=True)
    end = clock_minute(end_text, end_of_day=True)
    if start is None or end is None or start >= end:
        raise ValueError("hours as HH:MM-HH:MM within 00:00-24:00, the start before the end")
    return start, end


def as_datetime(value: Any) -> datetime | None:
    """A date or date-time from a scenario as a date-time: a date (YAML reads ``2018-07-01``
    as one) is its midnight; text is read as ISO (``2018-07-01T06:00``). None if the value is
    neither."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
