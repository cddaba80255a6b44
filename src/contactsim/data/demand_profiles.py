"""Demand profiles: the shape of a year's calls by hour of the week and month of the year.

A line's ``annual_volume`` is spread over the year by a profile: a CSV of relative weights,
``component,key,weight``, with one weight for each hour of the week (``hour_of_week``, keys
0–167, Monday 00:00 is 0) and each month (``month``, keys 1–12). Only the shape matters. A
profile of a police force's demand ships with contactsim (:func:`default_profile_path`; the
files are in the ``profiles/`` folder beside this module). This module reads and checks a
profile, once per version of the file; spreading calls over a horizon is
:mod:`contactsim.build.demand`'s work.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

from contactsim.data.file_cache import read_once_per_version
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_TABLE_BYTES

__all__ = ["HOURS_PER_WEEK", "PROFILE_WEIGHT_RANGE", "Profile", "default_profile_path",
           "read_profile"]

#: Hours in a week: rows of an hour-of-week profile or staffing table (Monday 00:00 is 0).
HOURS_PER_WEEK = 168

#: Smallest and largest positive weight of a profile: beyond them the weights' products
#: over- or underflow.
PROFILE_WEIGHT_RANGE = (1e-9, 1e9)


@dataclass(frozen=True)
class Profile:
    """Relative weights: by hour of week (0 = Monday 00:00–01:00) and by month (January first)."""

    hour_of_week: np.ndarray
    month: np.ndarray


def default_profile_path() -> str:
    """The built-in police demand shape shipped with contactsim."""
    return str(resources.files("contactsim.data") / "profiles" / "police.csv")


@read_once_per_version()
def read_profile(path: str) -> Profile:
    """Read a profile CSV with columns ``component,key,weight``.

    ``component`` is ``hour_of_week`` (keys 0–167, Monday 00:00 is 0) or ``month`` (keys
    1–12). Weights are relative: only their shape matters. Every key must be given once. The
    file must be a regular file of at most :data:`~contactsim.limits.MAX_TABLE_BYTES`, in UTF-8.
    """
    text = read_input_text(path, "profile CSV", MAX_TABLE_BYTES)
    hour = np.full(HOURS_PER_WEEK, np.nan)
    month = np.full(12, np.nan)
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"component", "key", "weight"} - set(reader.fieldnames or ())
        if missing:
            raise ScenarioError.single(
                "columns", reader.fieldnames, "columns component, key, weight", path
            )
        for row_number, row in enumerate(reader, start=2):
            component = (row["component"] or "").strip()
            if component not in ("hour_of_week", "month"):
                raise ScenarioError.single(
                    "component", component, "hour_of_week or month", path, row_number
                )
            target, low = (hour, 0) if component == "hour_of_week" else (month, 1)
            try:
                key = int(row["key"])
                weight = float(row["weight"])
            except (TypeError, ValueError):
                raise ScenarioError.single(
                    "key/weight", [row["key"], row["weight"]], "a whole key and a number",
                    path, row_number,
                ) from None
            if not low <= key < low + len(target):
                raise ScenarioError.single(
                    "key", key, f"{low}..{low + len(target) - 1} for {component}", path, row_number
                )
            if not (weight == 0 or PROFILE_WEIGHT_RANGE[0] <= weight <= PROFILE_WEIGHT_RANGE[1]):
                raise ScenarioError.single(
                    "weight", weight, "0, or a number from 1e-9 to 1e9 (only the shape matters: "
                    "scale the weights if need be)", path, row_number
                )
            target[key - low] = weight
    for name, weights, low in (("hour_of_week", hour, 0), ("month", month, 1)):
        absent = [int(i) + low for i in np.flatnonzero(np.isnan(weights))]
        if absent:
            raise ScenarioError.single(
                name, f"no weight for keys {absent[:6]}{'...' if len(absent) > 6 else ''}",
                f"a weight for every {name} key", path,
            )
        if weights.sum() <= 0:
            raise ScenarioError.single(name, "all zero", "some positive weight", path)
    return Profile(hour_of_week=hour, month=month)
