"""Replayed demand: bad rows in a call log are named by file, row and column; logs are sorted,
caller ids and time zones read as a planner means them; ``demand synth`` and ``demand fit``
write logs and profiles that recover what made them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.build.model_inputs import synthetic_log
from contactsim.cli.main import main
from contactsim.data.calllog import CallLog, read_replay
from contactsim.data.demand_profiles import read_profile
from contactsim.errors import ScenarioError
from contactsim.planning.fit import fit_log
from contactsim.runs.experiment import run_scenario
from contactsim.runs.replication import run_tallies
from helpers.data_files import HANDLING, replay_scenario, write_rows
from helpers.scenarios import SCENARIOS

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
    path = write_rows(tmp_path / "bad.csv", rows, columns)
    with pytest.raises(ScenarioError) as caught:
        read_replay(str(path))
    problem = caught.value.problems[0]
    assert (problem.field, problem.row, problem.file) == (field, row, str(path))
    assert expected in problem.expected
    if row is not None:
        assert f"row {row}" in str(caught.value)


def test_a_line_no_pool_serves_is_an_error_not_dropped(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
                    [("2018-07-02T09:00", "101", 60), ("2018-07-02T09:01", "112", 60)],
                    ("arrival_time", "line", "handle_s"))
    with pytest.raises(ScenarioError, match="'112'") as caught:
        scenario_from_mapping(replay_scenario(log))
    problem = caught.value.problems[0]
    assert "no pool serves" in problem.expected
    assert (problem.field, problem.row, problem.file) == ("line", 3, str(log))


def test_an_unsorted_log_is_sorted_with_a_notice(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
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
    log = write_rows(tmp_path / "log.csv", [("2018-07-02T09:00", "101")], ("arrival_time", "line"))
    raw = replay_scenario(log)
    raw["demand"]["handle_times"] = "logged"
    with pytest.raises(ScenarioError, match="handle_s column"):
        scenario_from_mapping(raw)
    raw["demand"]["handle_times"] = "scenario"
    assert scenario_from_mapping(raw).demand["101"].handle_times == "scenario"


def test_repeat_callers_in_a_log_count_as_redials(tmp_path: Path) -> None:
    log = write_rows(
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
    bad = write_rows(tmp_path / "bad.csv", [("yesterday", "101", 5)],
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
    log = write_rows(tmp_path / "log.csv",
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
    log = write_rows(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 1)],
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
    log = write_rows(
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
    log = write_rows(tmp_path / "log.csv",
                    [("2018-07-02T09:00:00+01:00", "101", 60), ("2018-07-02T10:00:00Z", "101", 60)],
                    ("arrival_time", "line", "handle_s"))
    times = read_replay(str(log)).lines["101"].arrivals
    assert [str(pd.Timestamp(t)) for t in times] == ["2018-07-02 09:00:00", "2018-07-02 10:00:00"]


def test_logged_callers_and_a_redial_rule_are_not_both_taken(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv", [("2018-07-02T09:00", "101", 60, "a")],
                    ("arrival_time", "line", "handle_s", "caller_id"))
    raw = replay_scenario(log)
    raw["handling"]["101"] = {**HANDLING["101"],
                              "patience": {"dist": "exponential", "mean_s": 60}}
    raw["redial"] = {"101": {"probability": 0.5, "delay": {"dist": "fixed", "value_s": 60}}}
    with pytest.raises(ScenarioError, match="one source of repeat calls"):
        scenario_from_mapping(raw)


def test_the_resolved_scenario_of_a_window_replay_runs_again(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
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
