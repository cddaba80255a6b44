"""Replayed demand: call logs and interval counts give the waits worked out by hand, growth
thins or duplicates a log, and a log's window sets the horizon. Bad data, synth and fit are in
``test_replay_data_and_fit.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contactsim.analysis.intervals import interval_frame
from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import synthetic_log
from contactsim.errors import ScenarioError
from contactsim.runs.replication import run_tallies
from helpers.data_files import HANDLING, replay_scenario, write_rows

# --- exact traces ------------------------------------------------------------------------------


def test_a_hand_made_log_gives_the_waits_worked_out_by_hand(tmp_path: Path) -> None:
    # One operator, handle times from the log, nobody abandons:
    #   09:00:00 h 120: answered at once, busy until 09:02:00          wait   0
    #   09:01:00 h  60: waits for 09:02:00, busy until 09:03:00        wait  60
    #   09:02:00 h  30: waits for 09:03:00, busy until 09:03:30        wait  60
    #   09:10:00 h  45: the operator has been free since 09:03:30      wait   0
    log = write_rows(
        tmp_path / "log.csv",
        [("2018-07-02T09:00:00", "101", 120), ("2018-07-02T09:01:00", "101", 60),
         ("2018-07-02T09:02:00", "101", 30), ("2018-07-02T09:10:00", "101", 45)],
        ("arrival_time", "line", "handle_s"),
    )
    scenario = scenario_from_mapping(replay_scenario(log, horizon={"start": "2018-07-02",
                                                                   "days": 1}))
    tallies = run_tallies(scenario, seed=1, replication=0, keep_records=True)
    assert tallies.records is not None
    answered = sorted((r.arrival_s, r.wait_s, r.handle_s) for r in tallies.records)
    nine = 9 * 3600.0
    assert answered == [
        (nine, 0.0, 120.0), (nine + 60, 60.0, 60.0), (nine + 120, 60.0, 30.0),
        (nine + 600, 0.0, 45.0),
    ]
    assert tallies.pools["all"].busy_s == 255.0


def test_offered_per_line_and_hour_equals_the_log(tmp_path: Path) -> None:
    """With abandonment, callbacks and a busy centre, offered still equals the log's counts."""
    scenario = scenario_from_mapping(
        {
            "name": "synth", "horizon": {"start": "2018-07-02", "days": 2},
            "demand": {"999": {"rate_per_hour": 12}, "101": {"rate_per_hour": 30}},
            "handling": HANDLING,
            "pools": [{"name": "all", "skills": ["999", "101"], "staffing": {"flat": 3}}],
        }
    )
    log = synthetic_log(scenario, seed=4)
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    patient = {"patience": {"dist": "exponential", "mean_s": 120}}
    replayed = scenario_from_mapping(
        {
            "name": "replayed", "demand": {"replay": str(path)},
            "handling": {line: {**spec, **patient} for line, spec in HANDLING.items()},
            "pools": [{"name": "all", "skills": ["999", "101"], "staffing": {"flat": 3}}],
            "callback": {"offer_after_s": 60, "accept_probability": 0.5},
        }
    )
    assert (replayed.horizon.start.isoformat(), replayed.horizon.days) == ("2018-07-02", 2.0)
    tallies = run_tallies(replayed, seed=9, replication=0)
    series = interval_frame(tallies, replayed.horizon.start)
    assert series["abandoned"].sum() > 0 and series["callbacks_accepted"].sum() > 0
    expected = log.assign(interval_start=log["arrival_time"].dt.floor("h")).groupby(
        ["interval_start", "line"]
    ).size()
    offered = series[series["offered"] > 0]
    got = {(pd.Timestamp(t), line): n for t, line, n in
           zip(offered["interval_start"], offered["line"], offered["offered"], strict=True)}
    assert got == {(pd.Timestamp(t), line): n for (t, line), n in expected.items()}


def test_replaying_a_synthetic_log_repeats_the_synthetic_run(tmp_path: Path) -> None:
    """Same arrivals, same logged handle times, same patience stream: the same numbers."""
    raw = {
        "name": "synth", "horizon": {"start": "2018-07-02", "days": 2},
        "demand": {"101": {"rate_per_hour": 30}},
        "handling": {"101": {**HANDLING["101"],
                             "patience": {"dist": "exponential", "mean_s": 200}}},
        "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": 2}}],
    }
    synthetic = scenario_from_mapping(raw)
    path = tmp_path / "log.parquet"
    synthetic_log(synthetic, seed=6).to_parquet(path)
    replayed = scenario_from_mapping({**raw, "demand": {"replay": str(path)}})
    a = dict(((s, k), v) for s, k, v in kpi_rows(run_tallies(synthetic, 6, 0)))
    b = dict(((s, k), v) for s, k, v in kpi_rows(run_tallies(replayed, 6, 0)))
    assert a.keys() == b.keys()
    for key, value in a.items():
        assert b[key] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), key


def test_interval_counts_offer_exactly_the_counts(tmp_path: Path) -> None:
    rows = [(f"2018-07-02T{h:02d}:{m:02d}", line, (h * 7 + m + len(line)) % 9)
            for h in range(24) for m in (0, 30) for line in ("999", "101")]
    path = write_rows(tmp_path / "counts.csv", rows, ("interval_start", "line", "calls"))
    scenario = scenario_from_mapping(
        {
            "name": "counts", "demand": {"replay": str(path)},
            "handling": HANDLING,
            "horizon": {"start": "2018-07-02", "days": 1, "interval_minutes": 30},
            "pools": [{"name": "all", "skills": ["999", "101"], "staffing": {"flat": 2}}],
        }
    )
    for replication in range(2):
        series = interval_frame(run_tallies(scenario, 3, replication), scenario.horizon.start)
        got = {(pd.Timestamp(t), line): n for t, line, n in
               zip(series["interval_start"], series["line"], series["offered"], strict=True)}
        assert got == {(pd.Timestamp(t), line): n for t, line, n in rows}


# --- growth -------------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", [0.5, 1.0, 1.3, 2.25])
def test_growth_thins_or_duplicates_the_log(tmp_path: Path, growth: float) -> None:
    n = 4000
    times = pd.Timestamp("2018-07-02") + pd.to_timedelta(np.linspace(0, 86000, n), unit="s")
    path = tmp_path / "log.parquet"
    pd.DataFrame({"arrival_time": times, "line": "101", "handle_s": 1.0}).to_parquet(path)
    spec = {"replay": str(path), "growth": growth}
    raw = replay_scenario(path, demand={"101": spec},
                          horizon={"start": "2018-07-02", "days": 1})
    offered = [
        kpi_rows(run_tallies(scenario_from_mapping(raw), 1, r))[0][2] for r in range(3)
    ]
    if growth == 1.0:
        assert offered == [n, n, n]
        return
    # each call kept (or copied) independently: a binomial count, within 5 sd of its mean
    frac = growth - np.floor(growth) if growth > 1 else growth
    mean = n * growth
    sd = np.sqrt(n * frac * (1 - frac))
    assert all(abs(o - mean) <= 5 * sd for o in offered)
    assert len(set(offered)) > 1  # seeded per replication, not fixed


# --- the horizon from the window ----------------------------------------------------------------


def test_from_and_to_set_the_horizon_and_the_window(tmp_path: Path) -> None:
    rows = [(f"2018-07-{d:02d}T12:00:00", "101", 60) for d in range(1, 11)]
    log = write_rows(tmp_path / "log.csv", rows, ("arrival_time", "line", "handle_s"))
    raw = replay_scenario(log)
    raw["demand"] = {"replay": str(log), "from": "2018-07-03", "to": "2018-07-06T06:00"}
    scenario = scenario_from_mapping(raw)
    assert scenario.horizon.start.isoformat() == "2018-07-03"
    assert scenario.horizon.days == 4.0  # to the end of the day holding "to"
    offered = dict(((s, k), v) for s, k, v in kpi_rows(run_tallies(scenario, 1, 0)))
    assert offered[("101", "offered")] == 3  # the 3rd, 4th and 5th at noon


def test_without_a_window_the_log_sets_the_horizon(tmp_path: Path) -> None:
    rows = [("2018-07-02T23:00:00", "101", 60), ("2018-07-04T01:00:00", "101", 60)]
    log = write_rows(tmp_path / "log.csv", rows, ("arrival_time", "line", "handle_s"))
    scenario = scenario_from_mapping(replay_scenario(log))
    assert (scenario.horizon.start.isoformat(), scenario.horizon.days) == ("2018-07-02", 3.0)


def test_a_horizon_and_a_window_together_are_refused(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 1)],
                    ("arrival_time", "line", "handle_s"))
    raw = replay_scenario(log, horizon={"days": 1})
    raw["demand"]["from"] = "2018-07-02"
    with pytest.raises(ScenarioError, match="as horizon, or as from/to"):
        scenario_from_mapping(raw)
