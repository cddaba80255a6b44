"""A period's KPIs use the registry's formulas: over every interval of a run they equal the
run's own KPIs, and each interval row's ASA and service level are the formulas on its sums."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.analysis.intervals import interval_frame
from contactsim.analysis.kpis import kpi_rows
from contactsim.analysis.periods import PERIOD_KPIS, by_month, period_kpis
from contactsim.engine.records import LineTally, RunTallies

INTERVAL_S = 3600.0


@st.composite
def runs(draw: st.DrawFn) -> RunTallies:
    """One or two lines over a few hours (the first few in the warm-up); waits in seconds."""
    n = draw(st.integers(1, 8))
    warmup = draw(st.integers(0, n - 1))
    lines = {}
    for name in draw(st.sampled_from([("999",), ("999", "101")])):
        line = LineTally(name, 10.0, n, warmup)
        line.answered = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
        line.abandoned = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
        line.offered = [a + b + draw(st.integers(0, 3))
                        for a, b in zip(line.answered, line.abandoned, strict=True)]
        line.answered_within = [draw(st.integers(0, a)) for a in line.answered]
        line.wait_sum_s = [a * draw(st.floats(0.0, 600.0)) for a in line.answered]
        lines[name] = line
    return RunTallies(lines=lines, pools={}, interval_s=INTERVAL_S,
                      warmup_s=warmup * INTERVAL_S, end_s=n * INTERVAL_S)


@settings(max_examples=60, deadline=None)
@given(runs())
def test_a_period_covering_the_whole_run_gives_the_run_s_own_kpis(run: RunTallies) -> None:
    intervals = interval_frame(run, date(2026, 1, 1)).assign(replication=0)
    whole = period_kpis(intervals, pd.Series(0, index=intervals.index)).set_index("line")
    own = {(scope, kpi): value for scope, kpi, value in kpi_rows(run)}
    for line in run.lines:
        for kpi in PERIOD_KPIS:
            expected, got = own[(line, kpi)], float(whole.loc[line, kpi])
            assert (math.isnan(expected) and math.isnan(got)) or math.isclose(
                got, expected, rel_tol=1e-12, abs_tol=1e-12), (line, kpi)


@settings(max_examples=30, deadline=None)
@given(runs())
def test_each_interval_row_shows_asa_and_service_level_of_its_own_sums(run: RunTallies) -> None:
    # the definitions written out here, not taken from the registry the frame uses
    frame = interval_frame(run, date(2026, 1, 1))
    for row in frame.itertuples(index=False):
        ended = row.answered + row.abandoned
        asa = row.wait_sum_s / row.answered if row.answered else math.nan
        level = row.answered_within / ended if ended else math.nan
        for expected, got in ((asa, row.asa_s), (level, row.service_level)):
            assert (math.isnan(expected) and math.isnan(got)) or math.isclose(
                got, expected, rel_tol=1e-12)


def test_the_interval_series_keeps_its_columns() -> None:
    line = LineTally("999", 10.0, 2, 0)
    run = RunTallies({"999": line}, {}, INTERVAL_S, 0.0, 2 * INTERVAL_S)
    frame = interval_frame(run, date(2026, 1, 1))
    assert list(frame.columns) == [
        "interval_start", "line", "offered", "answered", "abandoned", "answered_within",
        "wait_sum_s", "overflowed", "asa_s", "service_level", "callbacks_offered",
        "callbacks_accepted",
        "callback_attempts", "callback_completions", "redials",
    ]
    assert frame["offered"].dtype == np.int64 and frame["wait_sum_s"].dtype == float


def test_a_month_s_asa_weighs_each_interval_by_its_calls() -> None:
    intervals = pd.DataFrame({
        "replication": 0, "line": "101",
        "interval_start": pd.to_datetime(["2026-07-01 09:00", "2026-07-01 10:00",
                                          "2026-08-01 09:00"]),
        "offered": [10, 1, 4], "answered": [10, 1, 4], "abandoned": [0, 0, 0],
        "answered_within": [10, 0, 4], "wait_sum_s": [100.0, 1000.0, 0.0],
    })
    table = period_kpis(intervals, by_month(intervals["interval_start"])).set_index("period")
    assert table.loc[7, "asa_s"] == 1100.0 / 11  # not the mean of 10 s and 1000 s
    assert table.loc[7, "service_level"] == 10 / 11
    assert table.loc[8, "asa_s"] == 0.0
