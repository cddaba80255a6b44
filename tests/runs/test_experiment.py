"""Replications, workers, summaries and results folders."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from contactsim.analysis.stats import summarize, t_interval
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.data.folders import atomic_folder
from contactsim.output.report import plot_run
from contactsim.output.results import (
    read_intervals,
    read_pool_intervals,
    read_summary,
    write_run,
)
from contactsim.runs.experiment import run_scenario


def two_line_scenario(**horizon: float) -> Scenario:
    return scenario_from_mapping(
        {
            "name": "two-lines",
            "horizon": {"days": 2, "warmup_hours": 2, **horizon},
            "demand": {"999": {"rate_per_hour": 20}, "101": {"rate_per_hour": 40}},
            "handling": {
                "999": {
                    "handle_time": {"dist": "lognormal", "mean_s": 240, "cv": 0.7},
                    "patience": {"dist": "exponential", "mean_s": 600},
                },
                "101": {
                    "handle_time": {"dist": "gamma", "mean_s": 360, "cv": 0.8},
                    "patience": {"dist": "weibull", "mean_s": 900, "shape": 0.8},
                },
            },
            "pools": [
                {"name": "emergency", "skills": ["999"], "staffing": {"flat": 1}},
                {"name": "blended", "skills": ["999", "101"], "staffing": {"flat": 5}},
            ],
        }
    )


def test_same_numbers_on_one_and_two_workers() -> None:
    scenario = two_line_scenario()
    one = run_scenario(scenario, reps=4, seed=5, workers=1)
    seen: list[tuple[float, float]] = []
    two = run_scenario(
        scenario, reps=4, seed=5, workers=2, parallel_from_callers=0,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert set(two.process_ids) - {os.getpid()}, "the replications did not run in workers"
    assert seen and seen[-1][0] == seen[-1][1] == 4 * 2 * 86400
    pd.testing.assert_frame_equal(one.replications, two.replications)
    pd.testing.assert_frame_equal(one.intervals, two.intervals)
    pd.testing.assert_frame_equal(one.summary, two.summary)


def test_replication_does_not_depend_on_how_many_others_run() -> None:
    scenario = two_line_scenario()
    three = run_scenario(scenario, reps=3, seed=5, workers=1).replications
    five = run_scenario(scenario, reps=5, seed=5, workers=1).replications
    pd.testing.assert_frame_equal(three, five[five.replication < 3].reset_index(drop=True))


def test_replications_numbered_from_a_later_one_are_those_replications() -> None:
    scenario = two_line_scenario()
    five = run_scenario(scenario, reps=5, seed=7, workers=1).replications
    later = run_scenario(scenario, reps=2, seed=7, workers=2, first_replication=3,
                         parallel_from_callers=0).replications
    assert sorted(set(later["replication"])) == [3, 4]
    expected = five[five["replication"] >= 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(later.reset_index(drop=True), expected)


def test_different_seeds_give_different_callers() -> None:
    scenario = two_line_scenario()
    a = run_scenario(scenario, reps=1, seed=1, workers=1).replications
    b = run_scenario(scenario, reps=1, seed=2, workers=1).replications
    assert not a["value"].equals(b["value"])


def test_summary_is_a_student_t_interval() -> None:
    values = [3.0, 5.0, 4.0, 8.0]
    table = pd.DataFrame(
        {"replication": range(4), "scope": "101", "kpi": "asa_s", "value": values}
    )
    row = summarize(table).iloc[0]
    half = scipy_stats.t.ppf(0.975, 3) * np.std(values, ddof=1) / 2
    assert row["mean"] == pytest.approx(5.0)
    assert row["ci_low"] == pytest.approx(5.0 - half)
    assert row["ci_high"] == pytest.approx(5.0 + half)
    assert row["reps"] == 4


def test_interval_leaves_out_replications_with_nothing_to_measure() -> None:
    mean, low, high = t_interval([math.nan, 2.0, 4.0])
    assert mean == 3.0 and low < 3.0 < high
    assert all(math.isnan(v) for v in t_interval([math.nan]))
    assert math.isnan(t_interval([7.0])[1])


def test_summary_columns_and_scopes() -> None:
    results = run_scenario(two_line_scenario(), reps=2, seed=1, workers=1)
    summary = results.summary
    assert list(summary.columns) == ["scope", "kpi", "mean", "ci_low", "ci_high", "reps"]
    scopes = set(summary["scope"])
    assert scopes == {"999", "101", "emergency", "blended"}
    for kpi in ("offered", "answered", "abandoned", "abandon_rate", "asa_s", "wait_p90_s",
                "service_level"):
        assert {"999", "101"} <= set(summary[summary.kpi == kpi]["scope"])
    assert set(summary[summary.kpi == "occupancy"]["scope"]) == {"emergency", "blended"}


def test_intervals_add_up_to_the_line_totals() -> None:
    results = run_scenario(two_line_scenario(), reps=2, seed=3, workers=1)
    intervals, table = results.intervals, results.replications
    for (replication, line), group in intervals.groupby(["replication", "line"]):
        for kpi in ("offered", "answered", "abandoned"):
            total = table[
                (table.replication == replication) & (table.scope == line) & (table.kpi == kpi)
            ]["value"].item()
            assert group[kpi].sum() == total
    # the warm-up (2 hours) is left out of the series: 46 hourly intervals per line remain
    assert len(intervals) == 2 * 2 * 46
    assert intervals["interval_start"].min() == pd.Timestamp("2018-01-01 02:00")


def test_pool_intervals_add_up_to_the_pool_totals_and_give_occupancy() -> None:
    results = run_scenario(two_line_scenario(), reps=2, seed=3, workers=1)
    pools, table = results.pool_intervals, results.replications
    assert pools is not None and len(pools) == 2 * 2 * 46  # reps x pools x measured hours
    for (replication, pool), group in pools.groupby(["replication", "pool"]):
        def kpi(name: str, rep: int = replication, scope: str = pool) -> float:
            return table[(table.replication == rep) & (table.scope == scope)
                         & (table.kpi == name)]["value"].item()

        assert math.isclose(group["busy_s"].sum() / 3600, kpi("busy_hours"), rel_tol=1e-9)
        assert math.isclose(group["staffed_s"].sum() / 3600, kpi("staffed_hours"),
                            rel_tol=1e-9)
        # a flat pool is on the phones all of every hour
        flat = {"emergency": 1, "blended": 5}[pool]
        assert (group["staffed_s"] == flat * 3600.0).all()
        assert np.allclose(group["occupancy"], group["busy_s"] / group["staffed_s"])
        # without shifts, an operator-shift is a person's day: days begun after the warm-up
        assert kpi("operator_shifts") == flat


def test_atomic_folder_leaves_nothing_when_interrupted(tmp_path: Path) -> None:
    destination = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_folder(destination) as temporary:
        (temporary / "summary.csv").write_text("half")
        raise RuntimeError("interrupted")
    assert not destination.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_keeps_old_results_until_new_ones_are_whole(tmp_path: Path) -> None:
    destination = tmp_path / "out"
    with atomic_folder(destination) as temporary:
        (temporary / "summary.csv").write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_folder(destination) as temporary:
        (temporary / "summary.csv").write_text("new")
        raise KeyboardInterrupt
    assert (destination / "summary.csv").read_text() == "old"
    with atomic_folder(destination) as temporary:
        (temporary / "scenario.resolved.yaml").write_text("new")
    assert sorted(p.name for p in destination.iterdir()) == [
        ".contactsim-results", "scenario.resolved.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_folder_that_is_not_results_is_never_replaced(tmp_path: Path, monkeypatch) -> None:
    from contactsim.errors import ContactsimError

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "plan.txt").write_text("mine")
    (notes / "summary.csv").write_text("a file with a results-like name is not a marker")
    with pytest.raises(ContactsimError, match="did not make"), atomic_folder(notes):
        pass
    assert (notes / "plan.txt").read_text() == "mine"
    monkeypatch.chdir(notes)
    with pytest.raises(ContactsimError, match="working folder"), atomic_folder(tmp_path):
        pass


def test_written_run_reads_back_and_plots(tmp_path: Path) -> None:
    results = run_scenario(two_line_scenario(), reps=2, seed=1, workers=1)
    with atomic_folder(tmp_path / "run") as folder:
        write_run(results, "name: x\n", folder)
        paths = plot_run(folder)
    summary = read_summary(tmp_path / "run")
    pd.testing.assert_frame_equal(summary, results.summary, check_dtype=False)
    # intervals.parquet holds the lines' rows and the pools' (occupancy per pool and interval);
    # each reads back as it was
    pd.testing.assert_frame_equal(read_intervals(tmp_path / "run"), results.intervals)
    assert results.pool_intervals is not None
    pd.testing.assert_frame_equal(read_pool_intervals(tmp_path / "run"),
                                  results.pool_intervals)
    names = sorted(p.name for p in paths)
    # the second day is measured whole (the first lost two hours to the warm-up): its calendar
    assert names == ["days_heatmap.png", "kpis_by_day.png", "kpis_by_hour.png",
                     "occupancy_by_hour.png"]
    for path in paths:
        png = (tmp_path / "run" / path.name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_replications() -> None:
    pytest.importorskip("dask.distributed")
    from contactsim.runs.dask_executor import DaskExecutor

    scenario = two_line_scenario()
    here = run_scenario(scenario, reps=3, seed=5, workers=1)
    on_dask = run_scenario(scenario, reps=3, seed=5, executor=DaskExecutor(local_workers=2))
    pd.testing.assert_frame_equal(here.replications, on_dask.replications)
    pd.testing.assert_frame_equal(here.intervals, on_dask.intervals)
