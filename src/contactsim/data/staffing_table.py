"""Staffing tables a planner gives: operators rostered by hour of the week, or from given times.

A pool's ``per_interval`` staffing names a CSV of rostered operators, either by hour of the week
(``hour_of_week,operators``: 168 rows, Monday 00:00 is 0) or from dated times
(``interval_start,operators``: each count holds until the next row). This module reads and
checks such a file, once per version of it, into a :class:`StaffingTable`; turning the table
into a staffing plan over a scenario's horizon is :mod:`contactsim.build.staffing`'s work.
Every error names the file, the row (the header is row 1, as in a spreadsheet), the column,
the value and what was expected.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from contactsim.data.demand_profiles import HOURS_PER_WEEK
from contactsim.data.file_cache import read_once_per_version
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_OPERATORS_PER_POOL, MAX_TABLE_BYTES

__all__ = ["StaffingTable", "read_per_interval"]


@dataclass(frozen=True)
class StaffingTable:
    """A per-interval staffing file: by hour of week, or by date-time."""

    path: str
    hour_of_week: tuple[int, ...] | None = None
    starts: tuple[datetime, ...] | None = None
    operators: tuple[int, ...] = ()


@read_once_per_version()
def read_per_interval(path: str) -> StaffingTable:
    """Read a staffing CSV: ``hour_of_week,operators`` (168 rows, Monday 00:00 is 0) or
    ``interval_start,operators`` (ISO date-times; each count holds until the next row). The
    file must be a regular file of at most :data:`~contactsim.limits.MAX_TABLE_BYTES`, in UTF-8;
    a count may be at most :data:`~contactsim.limits.MAX_OPERATORS_PER_POOL`.
    """
    text = read_input_text(path, "staffing CSV", MAX_TABLE_BYTES)
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        by_hour = {"hour_of_week", "operators"} <= columns
        by_time = {"interval_start", "operators"} <= columns
        if not (by_hour or by_time):
            raise ScenarioError.single(
                "columns", reader.fieldnames,
                "columns hour_of_week,operators or interval_start,operators", path,
            )
        keys: list[int] = []
        starts: list[datetime] = []
        counts: list[int] = []
        for row_number, row in enumerate(reader, start=2):
            count = _whole(row["operators"], "operators", path, row_number)
            if count > MAX_OPERATORS_PER_POOL:
                raise ScenarioError.single(
                    "operators", count, f"at most {MAX_OPERATORS_PER_POOL:,} operators",
                    path, row_number,
                )
            counts.append(count)
            if by_hour:
                key = _whole(row["hour_of_week"], "hour_of_week", path, row_number)
                if key >= HOURS_PER_WEEK:
                    raise ScenarioError.single(
                        "hour_of_week", key, "0..167 (Monday 00:00 is 0)", path, row_number
                    )
                keys.append(key)
            else:
                starts.append(_date_time(row["interval_start"], path, row_number))
    if by_hour:
        if sorted(keys) != list(range(HOURS_PER_WEEK)):
            missing = sorted(set(range(HOURS_PER_WEEK)) - set(keys))
            raise ScenarioError.single(
                "hour_of_week", f"missing or repeated hours (missing: {missing[:6]})",
                "each hour of the week 0..167 exactly once", path,
            )
        ordered = [count for _, count in sorted(zip(keys, counts, strict=True))]
        return StaffingTable(path=path, hour_of_week=tuple(range(HOURS_PER_WEEK)),
                             operators=tuple(ordered))
    if not starts:
        raise ScenarioError.single("interval_start", "no rows", "at least one row", path)
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return StaffingTable(
        path=path,
        starts=tuple(starts[i] for i in order),
        operators=tuple(counts[i] for i in order),
    )


def _whole(text: str | None, column: str, path: str, row: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ScenarioError.single(column, text, "a whole number >= 0", path, row) from None
    if value < 0:
        raise ScenarioError.single(column, value, "a whole number >= 0", path, row)
    return value


def _date_time(text: str | None, path: str, row: int) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ScenarioError.single(
            "interval_start", text, "an ISO date-time such as 2018-01-01T07:00", path, row
        ) from None
    if when.tzinfo is not None:
        raise ScenarioError.single(
            "interval_start", text, "a local date-time without a time zone (the horizon is in "
            "local clock time), such as 2018-07-01T07:00", path, row)
    return when
