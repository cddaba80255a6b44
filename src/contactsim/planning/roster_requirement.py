"""Where a roster's requirement comes from: rostered operators each pool needs at each hour of
the week (168 values, Monday 00:00-01:00 first).

- ``staff``'s ``required.csv`` (columns ``pool, key, when, required_rostered, ...``): keys are
  hours of the week (0-167) after ``--by hour_of_week``, hours of the day (0-23, the same every
  day) after ``--by hour_of_day``, one key (the same at every hour) after ``--by all``;
- a planner's CSV ``pool,hour_of_week,required``: 168 rows a pool, Monday 00:00 is 0; a
  requirement may be fractional (3.5: three people, and a half-time one);
- Erlang A, from a scenario and service targets, as ``staff`` starts its search
  (:func:`~contactsim.planning.staffing_levels.erlang_start`): each line's need on the phones
  at each hour of the week, shared among the pools serving it, as rostered operators.

Every problem names the file, the row (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from contactsim.config.scenario import Scenario
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_OPERATORS_PER_POOL, MAX_TABLE_BYTES
from contactsim.planning.roster import Requirement
from contactsim.planning.service_targets import ServiceTarget
from contactsim.planning.staffing_levels import erlang_start

__all__ = ["erlang_requirement", "read_requirement"]

HOURS_PER_WEEK = 168
#: staff's required.csv: the columns it has, and how many keys each --by gives
STAFF_COLUMNS = ("pool", "key", "required_rostered")
PLANNER_COLUMNS = ("pool", "hour_of_week", "required")
_KEYS_TO_WEEK = {HOURS_PER_WEEK: 1, 24: 7, 1: HOURS_PER_WEEK}


def read_requirement(path: str | Path) -> Requirement:
    """The requirement in a CSV: ``staff``'s ``required.csv`` or a planner's
    ``pool,hour_of_week,required`` (see the module)."""
    file = str(path)
    text = read_input_text(path, "requirement CSV", MAX_TABLE_BYTES)
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        if set(STAFF_COLUMNS) <= columns:
            key_column, value_column = "key", "required_rostered"
        elif set(PLANNER_COLUMNS) <= columns:
            key_column, value_column = "hour_of_week", "required"
        else:
            raise ScenarioError.single(
                "columns", reader.fieldnames,
                "staff's required.csv (pool, key, required_rostered, ...) or "
                "pool,hour_of_week,required", file)
        values: dict[str, dict[int, float]] = {}
        for row_number, row in enumerate(reader, start=2):
            pool = str(row["pool"] or "").strip()
            if not pool:
                raise ScenarioError.single("pool", row["pool"], "a pool's name", file,
                                           row_number)
            key = _key(row[key_column], key_column, file, row_number)
            value = _people(row[value_column], value_column, file, row_number)
            if key in values.setdefault(pool, {}):
                raise ScenarioError.single(key_column, key, f"each {key_column} once for pool "
                                           f"{pool}", file, row_number)
            values[pool][key] = value
    if not values:
        raise ScenarioError.single("", "no rows", "a requirement for at least one pool", file)
    by_pool = {}
    for pool, by_key in values.items():
        n_keys = len(by_key)
        if key_column == "hour_of_week" and n_keys != HOURS_PER_WEEK:
            n_keys = -1
        if n_keys not in _KEYS_TO_WEEK or sorted(by_key) != list(range(n_keys)):
            expected = ("each hour of the week 0-167 once" if key_column == "hour_of_week" else
                        "keys 0-167 (--by hour_of_week), 0-23 (--by hour_of_day) or 0 (--by all)")
            raise ScenarioError.single(key_column, f"{len(by_key)} keys for pool {pool}",
                                       expected, file)
        levels = np.array([by_key[k] for k in range(len(by_key))])
        by_pool[pool] = np.tile(levels, _KEYS_TO_WEEK[len(by_key)])
    return Requirement(by_pool, f"{Path(file).name}")


def _key(text: str | None, column: str, file: str, row: int) -> int:
    try:
        key = int(str(text).strip())
    except ValueError:
        raise ScenarioError.single(column, text, "a whole number from 0", file, row) from None
    if not 0 <= key < HOURS_PER_WEEK:
        raise ScenarioError.single(column, key, "0-167 (Monday 00:00 is 0)", file, row)
    return key


def _people(text: str | None, column: str, file: str, row: int) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ScenarioError.single(column, text, "a number of people >= 0", file, row) from None
    if not math.isfinite(value) or not 0 <= value <= MAX_OPERATORS_PER_POOL:
        raise ScenarioError.single(column, value, f"a number of people from 0 to "
                                   f"{MAX_OPERATORS_PER_POOL:,}", file, row)
    return value


def erlang_requirement(scenario: Scenario, targets: list[ServiceTarget],
                       max_operators: int) -> Requirement:
    """Rostered operators per pool per hour of the week by Erlang A (as ``staff`` starts):
    each line's need at the hour's mean arrival rate, shared among the pools serving it, over
    (1 − shrinkage); pools serving no targeted line keep what they have now."""
    levels = erlang_start(scenario, targets, "hour_of_week", max_operators)
    words = ", ".join(map(str, targets))
    return Requirement({pool: np.asarray(levels[pool], dtype=float) for pool in levels},
                       f"Erlang A on {scenario.name} ({words})")
