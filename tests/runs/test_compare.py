"""Comparing scenarios: same callers, paired differences, files and plots."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from click.testing import CliRunner
from scipy import stats as scipy_stats

from contactsim.build.loading import scenario_from_mapping
from contactsim.cli.main import main
from contactsim.runs.experiment import compare_scenarios, run_scenario, unique_names
from helpers.scenarios import SCENARIOS, one_line_101


def single_line(operators: int) -> Any:
    """A busy 101 line (100 calls an hour, 5-minute calls and patience) on ``operators``."""
    return scenario_from_mapping(one_line_101(
        name=f"n{operators}", rate_per_hour=100, handle_s=300, patience_s=300,
        operators=operators, days=2, warmup_hours=2,
    ))


def asa(table: pd.DataFrame) -> np.ndarray:
    return table[(table.scope == "101") & (table.kpi == "asa_s")]["value"].to_numpy()


def test_common_random_numbers_pay() -> None:
    """One operator more: the paired interval of the ASA difference is narrower than the
    interval of the same difference from independent seeds."""
    reps = 8
    comparison = compare_scenarios([single_line(9), single_line(10)], reps, seed=3)
    row = comparison.table[(comparison.table.scenario == "n10") & (comparison.table.scope == "101")
                           & (comparison.table.kpi == "asa_s")].iloc[0]
    paired_half = (row["diff_high"] - row["diff_low"]) / 2
    a = asa(comparison.runs[0].replications)
    b = asa(run_scenario(single_line(10), reps, seed=4, workers=1).replications)
    independent_half = scipy_stats.t.ppf(0.975, 2 * reps - 2) * math.sqrt(
        a.var(ddof=1) / reps + b.var(ddof=1) / reps
    )
    assert row["diff_mean"] < 0  # one more operator answers faster
    assert paired_half < independent_half / 2, (paired_half, independent_half)


def test_the_first_scenario_differs_from_itself_by_nothing() -> None:
    comparison = compare_scenarios([single_line(9), single_line(10)], 3, seed=1)
    first = comparison.table[comparison.table.scenario == "n9"]
    assert (first["diff_mean"].fillna(0) == 0).all()
    columns = ["scenario", "scope", "kpi", "mean", "ci_low", "ci_high", "diff_mean", "diff_low",
               "diff_high", "reps"]
    assert list(comparison.table.columns) == columns
    # each scenario's numbers are those of a run on its own with the same seed
    alone = run_scenario(single_line(10), 3, seed=1, workers=1).replications
    pd.testing.assert_frame_equal(comparison.runs[1].replications, alone)


def test_repeated_names_are_told_apart() -> None:
    assert unique_names(["base", "base", "x", "base"]) == ["base", "base-2", "x", "base-3"]


def test_compare_command_writes_the_table_runs_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, [
        "compare", str(SCENARIOS / "callback-3min.yaml"), str(SCENARIOS / "callback-10min.yaml"),
        "--reps", "2", "--workers", "1", "--out", str(out), "--set", "horizon.days=3",
    ])
    assert result.exit_code == 0, result.output
    assert "difference" in result.output and "callback-10min" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".contactsim-results", "compare.csv", "compare_by_day.png",
                     "compare_by_hour.png", "compare_kpis.png", "runs"]
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["callback-10min", "callback-3min"]
    table = pd.read_csv(out / "compare.csv", dtype={"scope": str})
    # the same callers ring in both (their redials differ with the rule, so count callers)
    callers = table[(table.scope == "101") & (table.kpi == "unique_callers")]
    assert callers["diff_mean"].tolist() == [0.0, 0.0]


def test_compare_needs_two_scenarios(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(SCENARIOS / "quick-week.yaml")])
    assert result.exit_code == 2 and "at least two" in result.output
