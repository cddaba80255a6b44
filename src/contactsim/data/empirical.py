"""Samples of durations a planner gives: a CSV column of seconds, drawn from as they are.

When no named distribution fits a duration well (a handle time with two humps, say), a scenario
may name a CSV file and a column of observed durations (``dist: empirical``): each draw picks
one of them at random. This module reads and checks that column, once per version of the file.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from contactsim.data.file_cache import read_once_per_version
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_MEAN_S, MAX_TABLE_BYTES

__all__ = ["read_empirical"]


@read_once_per_version()
def read_empirical(path: str, column: str = "seconds") -> np.ndarray:
    """The non-negative durations in seconds in one column of a CSV file.

    Raises
    ------
    ScenarioError
        If the file is missing, not a regular file, larger than
        :data:`~contactsim.limits.MAX_TABLE_BYTES` or not UTF-8, the column absent, or a
        value not a number of seconds from 0 to :data:`~contactsim.limits.MAX_MEAN_S`.
    """
    text = read_input_text(path, "CSV file of durations", MAX_TABLE_BYTES)
    values_s: list[float] = []
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise ScenarioError.single(
                "column", column, f"a column of the file (it has {reader.fieldnames})", path
            )
        for row_number, row in enumerate(reader, start=2):
            cell = (row[column] or "").strip()
            try:
                value_s = float(cell)
            except ValueError:
                value_s = math.nan
            if not math.isfinite(value_s) or not 0 <= value_s <= MAX_MEAN_S:
                raise ScenarioError.single(
                    column, cell, f"a number of seconds from 0 to {MAX_MEAN_S:,.0f} (30 days)",
                    path, row_number,
                )
            values_s.append(value_s)
    if not values_s:
        raise ScenarioError.single(column, "no rows", "at least one duration", path)
    return np.asarray(values_s, dtype=float)
