"""Replayed demand: call logs and interval counts, growth, data errors, synth and fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.analysis.intervals import interval_frame
from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.cli.main import main
from contactsim.data.calllog import CallLog, read_replay
from contactsim.data.demand_profiles import read_profile
from contactsim.errors import ScenarioError
from contactsim.planning.fit import fit_log
from contactsim.runs.experiment import run_scenario
from contactsim.runs.replication import run_tallies, synthetic_log

SCENARIOS = Path(__file__).parent.parent / "scenarios"

HANDLING = {
    "999": {"handle_time": {"dist": "exponential", "mean_s": 200}},
    "101": {"handle_time": {"dist": "exponential", "mean_s": 300}},
}


def write_log(path: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> Path:
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def replay_scenario(log: Path, **extra: Any) -> dict[str, Any]:
    return {
        "name": "replay",
        "demand": {"replay": str(log)},
        "handling": {"101": HANDLING["101"]},
        "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": 1}}],
        **extra,
    }


# --- exact traces ------------------------------------------------------------------------------


def test_a_hand_made_log_gives_the_waits_worked_out_by_hand(tmp_path: Path) -> None:
    # One operator, handle times from the log, nobody abandons:
    #   09:00:00 h 120: answered at once, busy until 09:02:00          wait   0
    #   09:01:00 h  60: waits for 09:02:00, busy until 09:03:00        wait  60
    #   09:02:00 h  30: waits for 09:03:00, busy until 09:03:30        wait  60
    #   09:10:00 h  45: the operator has been free since 09:03:30      wait   0
    log = write_log(
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
    path = write_log(tmp_path / "counts.csv", rows, ("interval_start", "line", "calls"))
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
    log = write_log(tmp_path / "log.csv", rows, ("arrival_time", "line", "handle_s"))
    raw = replay_scenario(log)
    raw["demand"] = {"replay": str(log), "from": "2018-07-03", "to": "2018-07-06T06:00"}
    scenario = scenario_from_mapping(raw)
    assert scenario.horizon.start.isoformat() == "2018-07-03"
    assert scenario.horizon.days == 4.0  # to the end of the day holding "to"
    offered = dict(((s, k), v) for s, k, v in kpi_rows(run_tallies(scenario, 1, 0)))
    assert offered[("101", "offered")] == 3  # the 3rd, 4th and 5th at noon


def test_without_a_window_the_log_sets_the_horizon(tmp_path: Path) -> None:
    rows = [("2018-07-02T23:00:00", "101", 60), ("2018-07-04T01:00:00", "101", 60)]
    log = write_log(tmp_path / "log.csv", rows, ("arrival_time", "line", "handle_s"))
    scenario = scenario_from_mapping(replay_scenario(log))
    assert (scenario.horizon.start.isoformat(), scenario.horizon.days) == ("2018-07-02", 3.0)


def test_a_horizon_and_a_window_together_are_refused(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 1)],
                    ("arrival_time", "line", "handle_s"))
    raw = replay_scenario(log, horizon={"days": 1})
    raw["demand"]["from"] = "2018-07-02"
    with pytest.raises(ScenarioError, match="as horizon, or as from/to"):
        scenario_from_mapping(raw)


# --- bad data -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "columns", "field", "row", "expected"),
    [
        ([("2018-07-02T09:00", "101", 60), ("2018-07-02 25:00", "101", 60)],
         ("arrival_time", "line", "handle_s"), "arrival_time", 3, "ISO date-time"),
        ([("2018-07-02T09:00", "101", 60), ("2018-07-02T09:05", "101", -4)],
         ("arrival_time", "line", "handle_s"), "handle_s", 3, ">= 0"),
        ([("2018-07-02T09:00", "101", "x")], ("arrival_time", "line", "handle_s"),
         "handle_s", 2, ">= 0"),
        ([("2018-07-02T09:00", "101")], ("arrival_time", "queue"), "columns", None,
         "a call log (arrival_time, line"),
        ([("2018-07-02T09:00", "101", 2.5), ("2018-07-02T10:00", "101", 1)],
         ("interval_start", "line", "calls"), "calls", 2, "whole number"),
    ],
)
def test_bad_rows_name_the_file_row_and_column(
    tmp_path: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...], field: str,
    row: int | None, expected: str,
) -> None:
    path = write_log(tmp_path / "bad.csv", rows, columns)
    with pytest.raises(ScenarioError) as caught:
        read_replay(str(path))
    problem = caught.value.problems[0]
    assert (problem.field, problem.row, problem.file) == (field, row, str(path))
    assert expected in problem.expected
    if row is not None:
        assert f"row {row}" in str(caught.value)


def test_a_line_no_pool_serves_is_an_error_not_dropped(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv",
                    [("2018-07-02T09:00", "101", 60), ("2018-07-02T09:01", "112", 60)],
                    ("arrival_time", "line", "handle_s"))
    with pytest.raises(ScenarioError, match="'112'") as caught:
        scenario_from_mapping(replay_scenario(log))
    problem = caught.value.problems[0]
    assert "no pool serves" in problem.expected
    assert (problem.field, problem.row, problem.file) == ("line", 3, str(log))


def test_an_unsorted_log_is_sorted_with_a_notice(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv",
                    [("2018-07-02T09:05", "101", 60), ("2018-07-02T09:00", "101", 60)],
                    ("arrival_time", "line", "handle_s"))
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(
        "name: s\ndemand: {replay: log.csv}\nhandling: {'101': {handle_time: "
        "{dist: fixed, value_s: 10}}}\npools: [{name: a, skills: ['101'], staffing: {flat: 1}}]\n"
    )
    loaded = load_scenario(scenario_file)
    assert any("not in time order" in notice for notice in loaded.notices)
    replay = read_replay(str(log))
    times = replay.lines["101"].arrivals
    assert list(times) == sorted(times)


def test_logged_handle_times_need_the_column(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [("2018-07-02T09:00", "101")], ("arrival_time", "line"))
    raw = replay_scenario(log)
    raw["demand"]["handle_times"] = "logged"
    with pytest.raises(ScenarioError, match="handle_s column"):
        scenario_from_mapping(raw)
    raw["demand"]["handle_times"] = "scenario"
    assert scenario_from_mapping(raw).demand["101"].handle_times == "scenario"


def test_repeat_callers_in_a_log_count_as_redials(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "log.csv",
        [("2018-07-02T09:00", "101", 60, "A"), ("2018-07-02T09:30", "101", 60, "B"),
         ("2018-07-02T10:00", "101", 60, "A")],
        ("arrival_time", "line", "handle_s", "caller_id"),
    )
    values = dict(((s, k), v) for s, k, v in kpi_rows(
        run_tallies(scenario_from_mapping(replay_scenario(log)), 1, 0)))
    assert (values[("101", "redials")], values[("101", "unique_callers")]) == (1, 2)


# --- synth and fit -------------------------------------------------------------------------------


@pytest.mark.slow
def test_fitting_a_synthesised_year_recovers_the_profile(tmp_path: Path) -> None:
    """Synthesise a year of 101 from the shipped profile and fit it back.

    Each hour-of-week weight is estimated from about 2,000 calls a year (341,204 / 168), so
    its relative standard error is about 1/sqrt(2,000) = 2.2%; each month factor from about
    28,000 calls, 0.6%. The test allows 4.5 standard errors per weight — with 180 weights the
    chance that honest sampling noise breaks it is about 0.1% — and the annual volume within
    4.5 standard errors of a Poisson count (±2,600 calls).
    """
    scenario = scenario_from_mapping(
        {
            "name": "year", "horizon": {"start": "2018-01-01", "days": 365},
            "demand": {"101": {"annual_volume": 341204,
                               "profile": str(SCENARIOS / "profiles" / "101.csv")}},
            "handling": {"101": {"handle_time": {"dist": "lognormal", "mean_s": 390, "cv": 0.9}}},
            "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": 1}}],
        }
    )
    path = tmp_path / "year.parquet"
    synthetic_log(scenario, seed=7).to_parquet(path)
    replay = read_replay(str(path))
    assert isinstance(replay, CallLog)
    fit = fit_log(replay)["101"]
    truth = read_profile(str(SCENARIOS / "profiles" / "101.csv"))
    true_how = truth.hour_of_week / truth.hour_of_week.mean()
    true_month = truth.month / truth.month.mean()
    calls_per_how = 341204 * true_how / true_how.sum()
    assert np.all(np.abs(fit.hour_of_week / true_how - 1) <= 4.5 / np.sqrt(calls_per_how))
    calls_per_month = 341204 / 12 * true_month
    assert np.all(np.abs(fit.month / true_month - 1) <= 4.5 / np.sqrt(calls_per_month))
    assert abs(fit.annual_volume - 341204) <= 4.5 * np.sqrt(341204)
    assert fit.handle_mean_s == pytest.approx(390, rel=0.01)
    assert fit.handle_cv == pytest.approx(0.9, rel=0.03)
    assert fit.handle_ks_distance is not None and fit.handle_ks_distance < 0.01


def test_demand_synth_and_fit_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    log = tmp_path / "week.csv"
    result = runner.invoke(main, ["demand", "synth", str(SCENARIOS / "quick-week.yaml"),
                                  "--out", str(log), "--seed", "5"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(log, dtype={"line": str})
    assert list(table.columns) == ["arrival_time", "line", "handle_s", "caller_id"]
    assert set(table["line"]) == {"999", "101"}
    out = tmp_path / "fit"
    result = runner.invoke(main, ["demand", "fit", str(log), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".contactsim-results", "fit.csv", "fit.png", "profile-101.csv",
                     "profile-999.csv", "scenario-snippet.yaml"]
    assert read_profile(str(out / "profile-101.csv")).hour_of_week.size == 168
    # a July week: the other months are unobserved, and the snippet says so
    assert "does not cover every month" in (out / "scenario-snippet.yaml").read_text()


def test_demand_fit_refuses_a_bad_log(tmp_path: Path) -> None:
    bad = write_log(tmp_path / "bad.csv", [("yesterday", "101", 5)],
                    ("arrival_time", "line", "handle_s"))
    out = tmp_path / "fit"
    result = CliRunner().invoke(main, ["demand", "fit", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "row 2" in result.output
    assert not out.exists()


def test_the_shipped_replay_scenario_runs() -> None:
    scenario = load_scenario(SCENARIOS / "replay-week.yaml").scenario
    results = run_scenario(scenario, reps=2, seed=1, workers=1).replications
    offered = results[(results.scope == "101") & (results.kpi == "offered")]["value"]
    assert offered.nunique() == 1 and offered.iloc[0] > 6000


def test_a_window_overrides_an_inherited_horizon(tmp_path: Path) -> None:
    # 101 replayed from a log, 999 still synthetic from the base
    log = write_log(tmp_path / "log.csv",
                    [(f"2018-07-{d:02d}T09:00", "101", 60) for d in range(1, 31)],
                    ("arrival_time", "line", "handle_s"))
    child = tmp_path / "child.yaml"
    child.write_text(
        f"name: child\nextends: {SCENARIOS / 'baseline-2018.yaml'}\n"
        f"demand: {{'101': {{replay: {log}, from: 2018-07-10, to: 2018-07-20}}}}\n"
    )
    scenario = load_scenario(child).scenario
    assert (scenario.horizon.start.isoformat(), scenario.horizon.days) == ("2018-07-10", 10.0)
    assert scenario.horizon.warmup_hours == 24.0  # inherited: the window's first day warms up
    base = load_scenario(SCENARIOS / "baseline-2018.yaml").scenario
    assert scenario.demand["999"] == base.demand["999"]  # 999 still the base's
    assert scenario.demand["101"].profile is None  # a replay does not inherit the profile
    values = dict(((s, k), v) for s, k, v in kpi_rows(run_tallies(scenario, 1, 0)))
    assert values[("101", "offered")] == 9  # the 11th to the 19th: the 10th is warm-up


def test_a_window_beside_a_horizon_in_one_file_is_refused(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 1)],
                    ("arrival_time", "line", "handle_s"))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"name: s\nhorizon: {{start: 2018-07-01, days: 3}}\n"
        f"demand: {{replay: {log}, from: 2018-07-02}}\n"
        "handling: {'101': {handle_time: {dist: fixed, value_s: 5}}}\n"
        "pools: [{name: a, skills: ['101'], staffing: {flat: 1}}]\n"
    )
    with pytest.raises(ScenarioError, match="given once") as caught:
        load_scenario(scenario)
    assert caught.value.problems[0].file == str(scenario.resolve())


def test_blank_caller_ids_are_callers_of_their_own(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "log.csv",
        [("2018-07-02T09:00", "101", 60, "a"), ("2018-07-02T09:10", "101", 60, ""),
         ("2018-07-02T09:20", "101", 60, ""), ("2018-07-02T09:30", "101", 60, "a")],
        ("arrival_time", "line", "handle_s", "caller_id"),
    )
    replay = read_replay(str(log))
    assert isinstance(replay, CallLog)
    line = replay.lines["101"]
    assert line.attempts is not None and line.callers is not None
    assert line.attempts.tolist() == [1, 1, 1, 2]
    assert len(set(line.callers.tolist())) == 3


def test_a_time_zone_offset_keeps_the_local_clock_time(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv",
                    [("2018-07-02T09:00:00+01:00", "101", 60), ("2018-07-02T10:00:00Z", "101", 60)],
                    ("arrival_time", "line", "handle_s"))
    times = read_replay(str(log)).lines["101"].arrivals
    assert [str(pd.Timestamp(t)) for t in times] == ["2018-07-02 09:00:00", "2018-07-02 10:00:00"]


def test_logged_callers_and_a_redial_rule_are_not_both_taken(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 60, "a")],
                    ("arrival_time", "line", "handle_s", "caller_id"))
    raw = replay_scenario(log)
    raw["handling"]["101"] = {**HANDLING["101"],
                              "patience": {"dist": "exponential", "mean_s": 60}}
    raw["redial"] = {"101": {"probability": 0.5, "delay": {"dist": "fixed", "value_s": 60}}}
    with pytest.raises(ScenarioError, match="one source of repeat calls"):
        scenario_from_mapping(raw)


def test_the_resolved_scenario_of_a_window_replay_runs_again(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv",
                    [(f"2018-07-{d:02d}T12:00:00", "101", 60) for d in range(1, 11)],
                    ("arrival_time", "line", "handle_s"))
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(
        f"name: s\ndemand: {{replay: {log}, from: 2018-07-03, to: 2018-07-06}}\n"
        "handling: {'101': {handle_time: {dist: fixed, value_s: 5}}}\n"
        "pools: [{name: a, skills: ['101'], staffing: {flat: 1}}]\n"
    )
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["run", str(scenario_file), "--reps", "2", "--out", str(out),
                                 "--no-plots", "--workers", "1"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["run", str(out / "scenario.resolved.yaml"), "--reps", "2",
                                 "--out", str(tmp_path / "again"), "--no-plots", "--workers", "1"])
    assert again.exit_code == 0, again.output
    assert (out / "summary.csv").read_text() == (tmp_path / "again" / "summary.csv").read_text()
