"""Overflowed calls in a line's KPIs over periods: counted in every interval row, taken as not
answered in time by the service level of a month or an hour, and read as none from an interval
series written before overflow was modelled."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from contactsim.analysis.intervals import interval_frame
from contactsim.analysis.periods import by_month, period_kpis
from contactsim.engine.records import LineTally, RunTallies

ROWS = {
    "replication": 0, "line": "999",
    "interval_start": pd.to_datetime(["2018-07-01 18:00", "2018-07-01 19:00"]),
    "offered": [10, 10], "answered": [8, 6], "abandoned": [1, 1], "answered_within": [7, 3],
    "wait_sum_s": [20.0, 90.0],
}


def test_a_period_s_service_level_counts_its_overflowed_calls_as_not_answered_in_time() -> None:
    frame = pd.DataFrame({**ROWS, "overflowed": [1, 3]})
    table = period_kpis(frame, by_month(frame["interval_start"])).set_index("period")
    # 10 answered within of 14 answered + 2 abandoned + 4 overflowed
    assert table.loc[7, "service_level"] == pytest.approx(10 / 20, rel=1e-12)
    assert table.loc[7, "abandon_rate"] == pytest.approx(2 / 20, rel=1e-12)
    assert table.loc[7, "overflow_rate"] == pytest.approx(4 / 20, rel=1e-12)
    assert table.loc[7, "overflowed"] == 4


def test_an_interval_series_without_overflow_reads_as_none_overflowed() -> None:
    frame = pd.DataFrame(ROWS)
    table = period_kpis(frame, by_month(frame["interval_start"])).set_index("period")
    assert table.loc[7, "service_level"] == pytest.approx(10 / 16, rel=1e-12)
    assert table.loc[7, "overflowed"] == 0.0 and table.loc[7, "overflow_rate"] == 0.0


def test_each_interval_row_carries_its_overflowed_calls_and_its_own_service_level() -> None:
    line = LineTally("999", 10.0, 2, 0)
    line.answered, line.answered_within, line.overflowed = [4, 2], [4, 1], [4, 0]
    frame = interval_frame(RunTallies({"999": line}, {}, 3600.0, 0.0, 7200.0),
                           date(2018, 7, 1))
    assert frame["overflowed"].tolist() == [4, 0]
    assert frame["service_level"].tolist() == [0.5, 0.5]
