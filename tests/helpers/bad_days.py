"""A made-up interval series for the bad-day tests, small enough to work by hand."""

from __future__ import annotations

import pandas as pd

from contactsim.analysis.kpis import INTERVAL_SUMS

SIX_HOURS_S = 6 * 3600.0
COLUMNS = ("offered", "answered", "abandoned", "answered_within", "wait_sum_s")


def frame(rows: list[tuple[int, str, str, int, int, int, int, float]]) -> pd.DataFrame:
    """Interval rows ``(replication, start, line, offered, answered, abandoned, within,
    wait_sum_s)``; any other sum of the series is 0."""
    table = pd.DataFrame(rows, columns=["replication", "interval_start", "line", *COLUMNS])
    table["interval_start"] = pd.to_datetime(table["interval_start"])
    for name in INTERVAL_SUMS:
        if name not in table:
            table[name] = 0
    return table


# six-hour intervals: four a day. Replication 0 has two whole days and half of a third (left
# out); replication 1 the same two whole days.
HAND = frame([
    # day 1: offered 70, answered 65, abandoned 5, within 53, waited 665 s
    (0, "2018-01-01 00:00", "999", 10, 9, 1, 8, 45.0),
    (0, "2018-01-01 06:00", "999", 20, 18, 2, 15, 180.0),
    (0, "2018-01-01 12:00", "999", 30, 28, 2, 20, 420.0),
    (0, "2018-01-01 18:00", "999", 10, 10, 0, 10, 20.0),
    # day 2: offered 70, answered 69, abandoned 1, within 67, waited 225 s
    (0, "2018-01-02 00:00", "999", 10, 10, 0, 10, 10.0),
    (0, "2018-01-02 06:00", "999", 20, 20, 0, 19, 60.0),
    (0, "2018-01-02 12:00", "999", 30, 29, 1, 28, 150.0),
    (0, "2018-01-02 18:00", "999", 10, 10, 0, 10, 5.0),
    # day 3, half measured: not a whole day
    (0, "2018-01-03 00:00", "999", 10, 0, 10, 0, 0.0),
    (0, "2018-01-03 06:00", "999", 10, 0, 10, 0, 0.0),
    # replication 1: day 1 within 60 of 70 ended, day 2 within 62 of 70
    (1, "2018-01-01 00:00", "999", 10, 10, 0, 9, 20.0),
    (1, "2018-01-01 06:00", "999", 20, 20, 0, 16, 60.0),
    (1, "2018-01-01 12:00", "999", 30, 30, 0, 26, 90.0),
    (1, "2018-01-01 18:00", "999", 10, 10, 0, 9, 30.0),
    (1, "2018-01-02 00:00", "999", 10, 10, 0, 10, 10.0),
    (1, "2018-01-02 06:00", "999", 20, 20, 0, 18, 40.0),
    (1, "2018-01-02 12:00", "999", 30, 30, 0, 25, 100.0),
    (1, "2018-01-02 18:00", "999", 10, 10, 0, 9, 50.0),
])
