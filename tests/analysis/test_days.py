"""Bad days: daily KPIs from the interval series worked by hand, the bad-day percentiles and
the days a year a standard is missed against a direct computation, the worst days and hours."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contactsim.analysis.days import daily_kpis, day_percentiles, days_missed
from contactsim.analysis.worst import worst_day_any, worst_days, worst_hours
from helpers.bad_days import COLUMNS, HAND, SIX_HOURS_S, frame


def test_daily_figures_worked_by_hand() -> None:
    days = daily_kpis(HAND, SIX_HOURS_S)
    assert len(days) == 4  # day 3 of replication 0 was not measured whole
    first = days[(days["replication"] == 0) & (days["day"] == "2018-01-01")].iloc[0]
    assert (first["offered"], first["answered"], first["abandoned"]) == (70, 65, 5)
    assert first["service_level"] == pytest.approx(53 / 70)
    assert first["asa_s"] == pytest.approx(665 / 65)
    assert first["abandon_rate"] == pytest.approx(5 / 70)
    # the day's sums, not a mean of its intervals' service levels (0.8042 here)
    assert first["service_level"] != pytest.approx((8 / 10 + 15 / 20 + 20 / 30 + 10 / 10) / 4)
    second = days[(days["replication"] == 0) & (days["day"] == "2018-01-02")].iloc[0]
    assert second["service_level"] == pytest.approx(67 / 70)
    assert second["asa_s"] == pytest.approx(225 / 69)


def test_days_missed_and_their_interval_by_hand() -> None:
    days = daily_kpis(HAND, SIX_HOURS_S)
    table = days_missed(days, {"999": 0.90}).iloc[0]
    # replication 0: 53/70 missed, 67/70 met; replication 1: 60/70 and 62/70 both missed
    per_rep = np.array([1 / 2, 2 / 2]) * 365
    assert table["days_measured"] == 2
    assert table["days_missed"] == pytest.approx(1.5)
    assert table["share_missed"] == pytest.approx(0.75)
    assert table["days_missed_a_year"] == pytest.approx(per_rep.mean())
    half = stats.t.ppf(0.975, 1) * per_rep.std(ddof=1) / math.sqrt(2)
    assert table["days_missed_low"] == pytest.approx(max(0.0, per_rep.mean() - half))
    assert table["days_missed_high"] == pytest.approx(min(365.0, per_rep.mean() + half))
    # a line without a standard has no row; a standard met every day misses none
    assert days_missed(days, {"999": 0.5})["days_missed_a_year"].tolist() == [0.0]
    assert days_missed(days, {"101": 0.9}).empty


def test_worst_days_by_hand() -> None:
    days = daily_kpis(HAND, SIX_HOURS_S)
    worst = worst_days(days, "999", 2)
    # 1 Jan: (53/70 + 60/70) / 2 = 0.807; 2 Jan: (67/70 + 62/70) / 2 = 0.921
    assert list(worst["day"].dt.strftime("%Y-%m-%d")) == ["2018-01-01", "2018-01-02"]
    assert worst["service_level"].iloc[0] == pytest.approx((53 / 70 + 60 / 70) / 2)
    assert worst["weekday"].iloc[0] == "Mon"
    # each date is the only one of its weekday: offered equals that weekday's average
    assert worst["offered_vs_weekday"].tolist() == pytest.approx([0.0, 0.0])
    assert worst["reps"].tolist() == [2, 2]
    any_day = worst_day_any(days, "999")
    assert (any_day["replication"], any_day["service_level"]) == (0, pytest.approx(53 / 70))


def random_intervals(seed: int, reps: int = 3, days: int = 30) -> pd.DataFrame:
    """Hourly intervals of two lines with made-up counts (waits and answers consistent)."""
    rng = np.random.default_rng(seed)
    rows = []
    starts = pd.date_range("2018-07-02", periods=24 * days, freq="h")
    for rep in range(reps):
        for line, rate in (("999", 20), ("101", 6)):
            offered = rng.poisson(rate, starts.size)
            abandoned = rng.binomial(offered, 0.05)
            answered = offered - abandoned
            within = rng.binomial(answered, rng.uniform(0.6, 1.0, starts.size))
            waited = answered * rng.gamma(2.0, 5.0, starts.size)
            rows += [(rep, start, line, *counts) for start, *counts in
                     zip(starts, offered, answered, abandoned, within, waited, strict=True)]
    return frame(rows)


def direct_daily(intervals: pd.DataFrame) -> dict[tuple[int, str, str], dict[str, float]]:
    """Each (replication, line, day)'s sums, one row at a time."""
    sums: dict[tuple[int, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in intervals.itertuples():
        key = (row.replication, row.line, f"{row.interval_start:%Y-%m-%d}")
        for name in COLUMNS:
            sums[key][name] += getattr(row, name)
    return sums


def test_percentiles_and_days_missed_against_a_direct_computation() -> None:
    intervals = random_intervals(5)
    sums = direct_daily(intervals)
    days = daily_kpis(intervals, 3600.0)
    table = day_percentiles(days).set_index("line")
    for line in ("999", "101"):
        mine = {key: s for key, s in sums.items() if key[1] == line}
        levels = [s["answered_within"] / (s["answered"] + s["abandoned"]) for s in mine.values()]
        asas = [s["wait_sum_s"] / s["answered"] for s in mine.values()]
        abandon = [s["abandoned"] / (s["answered"] + s["abandoned"]) for s in mine.values()]
        row = table.loc[line]
        assert row["days_counted"] == len(mine) == 90
        # service level: the low end is bad (10th and 1st percentiles)
        assert [row["service_level_p50"], row["service_level_p10"], row["service_level_p1"]] == (
            pytest.approx(list(np.percentile(levels, [50, 10, 1]))))
        assert [row["asa_s_p50"], row["asa_s_p90"], row["asa_s_p99"]] == (
            pytest.approx(list(np.percentile(asas, [50, 90, 99]))))
        assert row["abandon_rate_p99"] == pytest.approx(np.percentile(abandon, 99))
        # days missed: counted one by one, per replication, scaled from 30 days to a year
        standard = float(np.median(levels))
        counts = [sum(1 for (rep, _, _), s in mine.items() if rep == r
                      and s["answered_within"] / (s["answered"] + s["abandoned"]) < standard)
                  for r in range(3)]
        missed = days_missed(days, {line: standard}).iloc[0]
        assert missed["days_missed"] == pytest.approx(np.mean(counts))
        assert missed["days_missed_a_year"] == pytest.approx(np.mean(counts) / 30 * 365)


def test_worst_hour_against_a_direct_computation() -> None:
    intervals = random_intervals(8, days=7)
    line = intervals[intervals["line"] == "101"].copy()
    line["ended"] = line["answered"] + line["abandoned"]
    line["level"] = line["answered_within"] / line["ended"]
    found = worst_hours(intervals, "101", min_calls=8)
    enough = line[line["ended"] >= 8]
    lowest = enough["level"].min()
    candidates = enough[enough["level"] == lowest].sort_values("ended", ascending=False)
    assert found["any_service_level"] == pytest.approx(lowest)
    assert found["any_hour"] == candidates["interval_start"].iloc[0]
    by_hour = line.groupby("interval_start").agg(ended=("ended", "mean"), level=("level", "mean"))
    calendar = by_hour[by_hour["ended"] >= 8]["level"]
    assert found["service_level"] == pytest.approx(calendar.min())
    assert found["hour"] == calendar.idxmin()
    assert found["low"] <= found["service_level"] <= found["high"]
    # no hour with so many calls: nothing found
    assert worst_hours(intervals, "101", min_calls=10_000)["hour"] is None


def test_a_series_without_a_whole_day_has_no_days() -> None:
    part = HAND[HAND["interval_start"] >= "2018-01-03"]
    assert daily_kpis(part, SIX_HOURS_S).empty
    assert daily_kpis(HAND.iloc[0:0], SIX_HOURS_S).empty
