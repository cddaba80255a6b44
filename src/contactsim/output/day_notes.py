"""What happened on a day, in words, for the report's list of worst days: the hook that names
a scenario's dated windows touching the day — its surges (``events:``) and outages
(``outages:``).

:func:`day_notes` takes the resolved scenario as saved with the results (a mapping: the report
is made from the folder's files only) and reads the windows tolerantly: an item it cannot read
is left out, never an error, so that a report of any results folder can be written. To name
something else on a day (a burst of calls, an overflow), add a function to :data:`NOTE_MAKERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["NOTE_MAKERS", "day_notes"]

#: A note maker: (resolved scenario, line, day) -> notes on that day.
NoteMaker = Callable[[Mapping[str, Any], str, date], list[str]]


def _moment(value: Any) -> datetime | None:
    """A date-time as YAML gives it (a datetime, a date or ISO text); None if it is not one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _yearly(text: Any, year: int) -> datetime | None:
    """``"11-05 17:00"`` in ``year``; None if it is not that."""
    try:
        return datetime.strptime(f"{year}-{str(text).strip()}", "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _windows(item: Mapping[str, Any], day: date) -> Iterator[tuple[datetime, datetime]]:
    """The item's windows (``from``..``to``, or ``yearly: {from, to}`` in the day's year and
    the one before, a ``to`` before its ``from`` ending a year later) that may touch ``day``."""
    yearly = item.get("yearly")
    if isinstance(yearly, Mapping):
        for year in (day.year - 1, day.year):
            start, end = _yearly(yearly.get("from"), year), _yearly(yearly.get("to"), year)
            if start is not None and end is not None:
                yield start, end if end > start else end.replace(year=end.year + 1)
        return
    start, end = _moment(item.get("from")), _moment(item.get("to"))
    if start is not None and end is not None:
        yield start, end


def _touching(items: Any, day: date) -> Iterator[tuple[Mapping[str, Any], datetime, datetime]]:
    """The items of a list of dated windows that overlap ``day``, with the window."""
    first = datetime.combine(day, datetime.min.time())
    last = first + timedelta(days=1)
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping):
            for start, end in _windows(item, day):
                if start < last and end > first:
                    yield item, start, end


def _span(start: datetime, end: datetime) -> str:
    return f"{start:%d %b %H:%M}–{end:%d %b %H:%M}"


def _events(scenario: Mapping[str, Any], line: str, day: date) -> list[str]:
    """Surges on ``line`` (or on every line) touching ``day``."""
    notes = []
    for item, start, end in _touching(scenario.get("events"), day):
        if item.get("line") is not None and str(item.get("line")) != line:
            continue
        change = []
        factor, added = item.get("factor"), item.get("add_per_hour")
        if isinstance(factor, int | float) and factor != 1:
            change.append(f"demand ×{factor:g}")
        if isinstance(added, int | float) and added:
            change.append(f"+{added:g} calls an hour")
        what = f" ({', '.join(change)})" if change else ""
        notes.append(f"event {item.get('name', '?')}{what}, {_span(start, end)}")
    return notes


def _outages(scenario: Mapping[str, Any], line: str, day: date) -> list[str]:
    """Pools out of action touching ``day`` (every line: a pool's calls go to the others)."""
    return [f"outage {item.get('name', '?')} (pool {item.get('pool', '?')}), "
            f"{_span(start, end)}" for item, start, end in _touching(scenario.get("outages"), day)]


#: Every maker of notes on a day, in the order their notes are listed.
NOTE_MAKERS: list[NoteMaker] = [_events, _outages]


def day_notes(scenario: Mapping[str, Any], line: str, day: date) -> list[str]:
    """What the scenario planned for ``day`` that concerns ``line``: the notes of every
    :data:`NOTE_MAKERS` (empty if nothing)."""
    return [note for make in NOTE_MAKERS for note in make(scenario, line, day)]
