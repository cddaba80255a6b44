"""A run's bad days as files, plot, console lines and report section: days.csv and
bad_days.csv written and read back, the calendar heat map, --standard, and what happened on
the worst days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contactsim.analysis.days import daily_kpis
from contactsim.build.loading import scenario_from_mapping
from contactsim.data.folders import atomic_folder
from contactsim.errors import ContactsimError
from contactsim.output.bad_days import (
    BAD_DAYS,
    DAYS,
    parse_standards,
    read_bad_days,
    read_days,
    saved_standards,
)
from contactsim.output.bad_days_html import bad_days_section
from contactsim.output.day_notes import day_notes
from contactsim.output.days_plots import DAYS_HEATMAP, calendar_grid, plot_days_heatmap
from contactsim.output.report import plot_run
from contactsim.output.results import write_run
from contactsim.runs.experiment import run_scenario
from helpers.cli import cli, ok


def two_lines(days: float, warmup_hours: float) -> dict[str, object]:
    """999 and 101 on a 999 team and a blended pool, busy enough to have bad days."""
    return {
        "name": "two-lines", "horizon": {"days": days, "warmup_hours": warmup_hours},
        "demand": {"999": {"rate_per_hour": 20}, "101": {"rate_per_hour": 40}},
        "handling": {
            "999": {"handle_time": {"dist": "lognormal", "mean_s": 240, "cv": 0.7},
                    "patience": {"dist": "exponential", "mean_s": 600}},
            "101": {"handle_time": {"dist": "gamma", "mean_s": 360, "cv": 0.8},
                    "patience": {"dist": "weibull", "mean_s": 900, "shape": 0.8}},
        },
        "pools": [{"name": "emergency", "skills": ["999"], "staffing": {"flat": 1}},
                  {"name": "blended", "skills": ["999", "101"], "staffing": {"flat": 5}}],
    }


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A busy centre run for four days after a half-day warm-up (three whole days), written
    with its plots; and its interval series."""
    scenario = scenario_from_mapping(two_lines(days=4.5, warmup_hours=12))
    results = run_scenario(scenario, reps=3, seed=4, workers=1)
    folder = tmp_path_factory.mktemp("bad-days") / "run"
    with atomic_folder(folder) as temporary:
        write_run(results, "name: x\n", temporary, standards={"999": 0.8, "101": 0.5})
        plot_run(temporary)
    return folder, results.intervals


def test_days_are_written_and_read_back(written: tuple[Path, pd.DataFrame]) -> None:
    folder, intervals = written
    days = read_days(folder)
    assert days is not None
    expected = daily_kpis(intervals, 3600.0)
    assert len(days) == len(expected) == 3 * 3 * 2  # 3 whole days (not the warm-up's)
    for column in ("offered", "service_level", "asa_s", "abandon_rate"):
        np.testing.assert_allclose(days[column], expected[column].astype(float))
    assert set(days["weekday"]) <= {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    missed = days[days["line"] == "999"]
    assert list(missed["missed_standard"]) == ["yes" if v < 0.8 else "no"
                                               for v in missed["service_level"]]
    summary = read_bad_days(folder)
    assert summary is not None and list(summary["line"]) == ["999", "101"]
    assert saved_standards(folder) == {"999": 0.8, "101": 0.5}
    row = summary.set_index("line").loc["999"]
    share = (missed["service_level"] < 0.8).mean()
    assert row["share_missed"] == pytest.approx(share)
    assert row["days_missed_a_year"] == pytest.approx(share * 365)
    assert row["days_measured"] == 3


def test_the_calendar_heat_map_is_drawn(written: tuple[Path, pd.DataFrame]) -> None:
    folder, _ = written
    png = (folder / DAYS_HEATMAP).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
    days = read_days(folder)
    assert days is not None
    assert plot_days_heatmap(days.iloc[0:0], folder / "none.png") is None


def test_the_calendar_puts_weeks_in_columns_and_mondays_on_top() -> None:
    means = pd.Series([0.5, 0.6, 0.7], index=pd.to_datetime(
        ["2018-07-01", "2018-07-02", "2018-07-09"]))  # a Sunday, then two Mondays
    grid, first_monday = calendar_grid(means)
    assert first_monday == pd.Timestamp("2018-06-25")
    assert grid.shape == (7, 3)
    assert grid[6, 0] == 0.5 and grid[0, 1] == 0.6 and grid[0, 2] == 0.7
    assert np.isnan(grid).sum() == 21 - 3


def test_standards_default_to_the_national_one_and_are_checked() -> None:
    lines = ("999", "101")
    assert parse_standards([], lines) == {"999": 0.9}
    assert parse_standards(["999: 0.95", "101: service_level >= 0.8"], lines) == {
        "999": 0.95, "101": 0.8}
    assert parse_standards([], ("101",)) == {}
    for text, why in (("999 0.9", "expected LINE: SHARE"), ("111: 0.9", "not in the scenario"),
                      ("999: 90", "strictly between 0 and 1"), ("999: x", "strictly between")):
        with pytest.raises(ContactsimError, match=why):
            parse_standards([text], lines)


def test_run_prints_the_bad_days_and_the_standard_changes_only_them(
        working_folder: Path, tiny_centre_file: Path) -> None:
    here = working_folder
    args = ["run", "tiny.yaml", "--set", "horizon.days=3", "--reps", "2", "--workers", "1",
            "--no-plots"]
    plain = ok(cli(*args, "--out", "results/plain"))
    assert "bad days" in plain.output and "standard 90% within 10 s missed on" in plain.output
    strict = ok(cli(*args, "--out", "results/strict", "--standard", "999: 0.5"))
    assert "standard 50% within 10 s" in strict.output
    # the standard judges the days; it changes no number of the run
    for name in ("summary.csv", DAYS):
        one = pd.read_csv(here / "results/plain" / name)
        other = pd.read_csv(here / "results/strict" / name)
        same = [c for c in one.columns if c != "missed_standard"]
        pd.testing.assert_frame_equal(one[same], other[same])
    assert read_bad_days(here / "results/strict")["standard"].tolist()[0] == 0.5  # type: ignore[index]
    refused = cli(*args, "--standard", "999: 1.5")
    assert refused.exit_code == 2 and "strictly between 0 and 1" in refused.output
    # a run measuring no whole day writes no days
    part = ok(cli("run", "tiny.yaml", "--set", "horizon.days=0.5", "--reps", "2",
                  "--workers", "1", "--no-plots", "--out", "results/half"))
    assert "bad days" not in part.output and not (here / "results/half" / BAD_DAYS).exists()


def test_notes_name_the_surges_and_outages_of_a_day() -> None:
    scenario = {
        "events": [
            {"name": "new-year", "line": "999", "from": "2018-12-31T21:00",
             "to": "2019-01-01T04:00", "factor": 2.5},
            {"name": "bonfire", "yearly": {"from": "11-05 17:00", "to": "11-06 00:30"},
             "add_per_hour": 20},
            {"name": "unreadable", "from": "soon"},
        ],
        "outages": [{"name": "power", "pool": "blended", "from": "2018-11-05T18:00",
                     "to": "2018-11-05T22:00"}],
    }
    assert day_notes(scenario, "999", date(2019, 1, 1)) == [
        "event new-year (demand ×2.5), 31 Dec 21:00–01 Jan 04:00"]
    assert day_notes(scenario, "101", date(2019, 1, 1)) == []  # a surge on 999 only
    assert day_notes(scenario, "101", date(2018, 11, 5)) == [
        "event bonfire (+20 calls an hour), 05 Nov 17:00–06 Nov 00:30",
        "outage power (pool blended), 05 Nov 18:00–05 Nov 22:00"]
    assert day_notes(scenario, "101", date(2018, 11, 6)) == [
        "event bonfire (+20 calls an hour), 05 Nov 17:00–06 Nov 00:30"]
    assert day_notes({}, "999", date(2018, 11, 5)) == []


def test_the_report_lists_the_worst_days_with_what_happened(
        written: tuple[Path, pd.DataFrame]) -> None:
    folder, _ = written
    days = read_days(folder)
    assert days is not None
    worst = days[days["line"] == "999"].groupby("day")["service_level"].mean().idxmin()
    event = {"name": "storm", "line": "999", "from": f"{worst:%Y-%m-%d}T10:00",
             "to": f"{worst:%Y-%m-%d}T14:00", "factor": 2}
    page = bad_days_section(folder, {"events": [event]})
    assert "<h2>Bad days</h2>" in page and "Worst days on line 999" in page
    first_row = page.split("Worst days on line 999")[1].split("<tr>")[2]
    assert f"{worst:%a %d %b %Y}" in first_row and "event storm (demand ×2)" in first_row
    assert "standard" in page and "80% within 10 s" in page
    assert bad_days_section(folder.parent, {}) == ""  # a folder without days.csv
