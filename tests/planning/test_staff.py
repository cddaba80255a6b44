"""contactsim staff: the staffing search against Erlang A, on a multi-skilled centre, and its
errors; the period KPIs it judges by."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from contactsim.analysis import erlang
from contactsim.analysis.periods import by_month, period_values, summarise_by
from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.cli.main import main
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.planning.service_targets import parse_target
from contactsim.planning.staffing_levels import erlang_start, rostered_for
from contactsim.planning.staffing_search import search_staffing
from contactsim.runs.experiment import run_scenario
from helpers.scenarios import REPO_ROOT, one_line_101


def single_line(rate_per_hour: float, handle_s: float, patience_s: float | None,
                days: float = 8, service_level_s: float = 20) -> Scenario:
    """A stationary 101 line as Erlang assumes it, on one operator (the search sets the rest)."""
    return scenario_from_mapping(one_line_101(
        name="stationary", rate_per_hour=rate_per_hour, handle_s=handle_s,
        patience_s=patience_s, operators=1, days=days, warmup_hours=24,
        service_level_s=service_level_s,
    ))


def erlang_value(kpi: str, rate: float, handle_s: float, patience_s: float | None, n: int,
                 service_level_s: float) -> float:
    q = (erlang.erlang_c(rate, handle_s, n, service_level_s) if patience_s is None
         else erlang.erlang_a(rate, handle_s, patience_s, n, service_level_s))
    return {"service_level": q.service_level, "asa_s": q.asa_s, "abandon_rate": q.p_abandon}[kpi]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rate", "handle_s", "patience_s", "target"),
    [
        (300.0, 300.0, 600.0, "101: service_level >= 0.80"),   # Erlang A, n* = 29
        (300.0, 300.0, 600.0, "101: asa_s <= 15"),
        (120.0, 240.0, 300.0, "101: abandon_rate <= 0.03"),
        (200.0, 180.0, None, "101: service_level >= 0.85"),    # Erlang C
    ],
)
def test_stationary_staffing_is_the_smallest_n_erlang_says_meets_the_target(
    rate: float, handle_s: float, patience_s: float | None, target: str
) -> None:
    scenario = single_line(rate, handle_s, patience_s)
    parsed = parse_target(target, scenario)
    result = search_staffing(scenario, [parsed], grouping="all", reps=5, seed=11)
    found = int(result.levels["all"][0])
    load = rate * handle_s / 3600.0  # Erlang C needs more agents than the load
    theory = next(
        n for n in range(1, 200)
        if (patience_s is not None or n > load)
        and parsed.met_by(erlang_value(parsed.kpi, rate, handle_s, patience_s, n, 20.0))
    )
    assert result.converged
    if found != theory:
        # allowed only where the simulation's interval straddles the target at the boundary:
        # Erlang's value for the n in question lies inside the simulated interval there
        assert abs(found - theory) == 1
        boundary = min(found, theory)
        simulated = next(k for levels, k in result.evaluations if levels["all"][0] == boundary)
        value = erlang_value(parsed.kpi, rate, handle_s, patience_s, boundary, 20.0)
        assert simulated["ci_low"].iloc[0] <= value <= simulated["ci_high"].iloc[0]
    # the search's own verdicts: met at the level found, missed one below
    by_level = {int(levels["all"][0]): k for levels, k in result.evaluations}
    assert bool(by_level[found]["met"].iloc[0])
    if found - 1 in by_level:
        assert not bool(by_level[found - 1]["met"].iloc[0])


def two_pool_centre(days: int = 15) -> Scenario:
    """999 and 101, a 999 team and a multi-skilled team, demand with a daily shape."""
    return scenario_from_mapping({
        "name": "two-pool", "horizon": {"start": "2018-07-02", "days": days, "warmup_hours": 24},
        "demand": {"999": {"rate_per_hour": 20}, "101": {"rate_per_hour": 40}},
        "handling": {
            "999": {"handle_time": {"dist": "exponential", "mean_s": 240},
                    "patience": {"dist": "exponential", "mean_s": 600}, "service_level_s": 10},
            "101": {"handle_time": {"dist": "exponential", "mean_s": 360},
                    "patience": {"dist": "exponential", "mean_s": 1800}},
        },
        "pools": [
            {"name": "emergency", "skills": ["999"], "staffing": {"flat": 3}},
            {"name": "blended", "skills": ["999", "101"], "staffing": {"flat": 5}},
        ],
        "shrinkage": 0.25,
    })


@pytest.mark.slow
def test_hour_of_day_search_on_a_multi_skilled_centre_meets_every_target_and_writes_a_plan(
    tmp_path: Path,
) -> None:
    scenario_file = tmp_path / "two-pool.yaml"
    scenario = two_pool_centre()
    scenario_file.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True)))
    out = tmp_path / "staff"
    result = CliRunner().invoke(main, [
        "staff", str(scenario_file), "--target", "999: service_level >= 0.90",
        "--target", "101: asa_s <= 60", "--by", "hour_of_day", "--reps", "3", "--seed", "5",
        "--workers", "1", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    for name in ("required.csv", "kpis.csv", "staffed.yaml", "staffing.png",
                 "staffing/emergency.csv", "staffing/blended.csv"):
        assert (out / name).exists(), name
    kpis = pd.read_csv(out / "kpis.csv")
    assert kpis["met"].all()
    required = pd.read_csv(out / "required.csv")
    # the search is in rostered operators; on the phones is what 25% absence leaves on average
    for _, row in required.iterrows():
        assert row["required_on_phones"] == pytest.approx(row["required_rostered"] * 0.75,
                                                          abs=0.01)
    # staffed.yaml runs as it is, with the same seed, and meets the targets by the hour
    staffed = load_scenario(out / "staffed.yaml").scenario
    assert staffed.pools[0].staffing.per_interval is not None
    results = run_scenario(staffed, 3, 5, 1)
    sl = summarise_by(results.intervals, "999", "service_level", lambda s: s.dt.hour)
    asa = summarise_by(results.intervals, "101", "asa_s", lambda s: s.dt.hour)
    assert (sl["mean"] >= 0.90).all()
    assert (asa["mean"] <= 60).all()


def test_infeasible_target_gives_a_clear_message_at_once(tmp_path: Path) -> None:
    scenario_file = tmp_path / "busy.yaml"
    scenario_file.write_text(yaml.safe_dump(
        single_line(600.0, 300.0, 600.0).model_dump(mode="json", exclude_none=True)
    ))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "staff", str(scenario_file), "--target", "101: service_level >= 0.8",
        "--max-operators", "20", "--out", str(out),
    ])
    assert result.exit_code == 2
    assert "cannot be met" in result.output and "--max-operators" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("999 service_level >= 0.9", "expected LINE: KPI >= VALUE"),
        ("111: asa_s <= 10", "line '111' is not in the scenario"),
        ("101: wait <= 10", "KPI 'wait'"),
        ("101: asa_s >= 10", "asa_s is a target of at most"),
        ("101: service_level >= 1.2", "strictly between 0 and 1"),
        ("101: asa_s <= ten", "is not a number"),
    ],
)
def test_bad_targets_are_refused_with_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ContactsimError, match=message):
        parse_target(text, single_line(100.0, 300.0, 600.0))


@pytest.mark.parametrize("shrinkage", [0.0, 0.1, 0.25, 0.3, 0.55])
def test_rostered_for_is_the_fewest_rostered_giving_the_operators_required(
    shrinkage: float,
) -> None:
    for required in range(0, 40):
        rostered = rostered_for(required, shrinkage)
        # the expected number on the phones: rostered x (1 - shrinkage)
        assert rostered * (1 - shrinkage) >= required - 1e-9
        assert rostered == 0 or (rostered - 1) * (1 - shrinkage) < required - 1e-9


def test_period_kpis_over_every_interval_equal_the_run_s_own() -> None:
    scenario = load_scenario(REPO_ROOT / "scenarios" / "quick-week.yaml").scenario
    results = run_scenario(scenario, 3, 1, 1)
    summary = results.summary.set_index(["scope", "kpi"])["mean"]
    for line in ("999", "101"):
        for kpi in ("offered", "asa_s", "abandon_rate", "service_level"):
            values = period_values(results.intervals, line, kpi)
            assert len(values) == 3
            assert values.mean() == pytest.approx(summary[(line, kpi)], rel=1e-12)
    # months: the one month of the week is the whole run; a month not run has no values
    july = summarise_by(results.intervals, "101", "asa_s", by_month)
    assert list(july["key"]) == [7]
    assert july["mean"].iloc[0] == pytest.approx(summary[("101", "asa_s")], rel=1e-12)
    assert period_values(results.intervals, "101", "asa_s", months=(1,)).empty
    assert np.isfinite(july[["ci_low", "ci_high"]].to_numpy()).all()


def test_a_target_missed_for_want_of_answered_calls_is_not_met() -> None:
    target = parse_target("101: asa_s <= 120", single_line(100.0, 300.0, 600.0))
    assert not target.met_by(float("nan"), offered=12.0)  # every caller gave up: missed
    assert target.met_by(float("nan"), offered=0.0)  # nobody rang: nothing to miss


def test_hours_need_intervals_that_divide_an_hour() -> None:
    scenario = single_line(100.0, 300.0, 600.0).model_copy(deep=True)
    horizon = scenario.horizon.model_copy(update={"interval_minutes": 120})
    two_hourly = scenario.model_copy(update={"horizon": horizon})
    target = parse_target("101: asa_s <= 120", two_hourly)
    with pytest.raises(ContactsimError, match="divide an hour"):
        search_staffing(two_hourly, [target], grouping="hour_of_day")


def test_staffed_yaml_is_the_searched_scenario_overrides_included(tmp_path: Path) -> None:
    scenario_file = tmp_path / "two-pool.yaml"
    scenario_file.write_text(
        yaml.safe_dump(two_pool_centre(days=4).model_dump(mode="json", exclude_none=True))
    )
    out = tmp_path / "staff"
    result = CliRunner().invoke(main, [
        "staff", str(scenario_file), "--target", "999: service_level >= 0.80", "--by", "all",
        "--reps", "2", "--seed", "3", "--workers", "1", "--out", str(out),
        "--set", "handling.101.patience=null", "--set", "horizon.days=3",
    ])
    assert result.exit_code == 0, result.output
    staffed = load_scenario(out / "staffed.yaml").scenario
    assert staffed.handling["101"].patience is None  # the override, not the file's patience
    assert staffed.horizon.days == 3
    required = pd.read_csv(out / "required.csv")
    # blended serves 999 too, so both pools were searched; a pool of 101 alone would keep its
    # staffing (none here)
    assert set(required["pool"]) == {"emergency", "blended"}
    assert staffed.pools[1].staffing.per_interval is not None


def test_pools_serving_no_line_with_a_target_keep_their_staffing() -> None:
    base = two_pool_centre(days=4)
    extra = base.pools[1].model_copy(update={"name": "non_emergency", "skills": ("101",)})
    scenario = base.model_copy(update={"pools": (*base.pools, extra)})
    target = parse_target("999: service_level >= 0.9", scenario)
    start = erlang_start(scenario, [target], "hour_of_day", 200)
    # 5 rostered, all day, as now (the search is in rostered operators)
    assert start["non_emergency"].tolist() == [5] * 24
    assert start["emergency"].sum() > 0


def test_a_target_erlang_cannot_start_from_is_refused_before_anything_runs() -> None:
    """An overflow rate is a line KPI a target may name elsewhere (``roster --verify``), but
    the staffing search starts from Erlang A, which has no overflow: refused with the KPIs it
    takes, not a KeyError."""
    scenario = single_line(120.0, 240.0, 300.0)
    target = parse_target("101: overflow_rate <= 0.05", scenario)
    with pytest.raises(ContactsimError, match=r"staff sizes for abandon_rate, asa_s, "
                                              r"service_level, .* not overflow_rate"):
        search_staffing(scenario, [target], grouping="all", reps=2)
