"""Callbacks and redials: common random numbers, expected directions, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.analysis.stats import t_interval
from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.cli.main import main
from contactsim.errors import ScenarioError
from contactsim.runs.experiment import run_scenario
from helpers.scenarios import SCENARIOS

CALLBACK = {
    "line": "101",
    "offer_after_s": 180,
    "accept_probability": 0.6,
    "answer_probability": 0.8,
    "attempt_gap_s": 600,
}
REDIAL = {"probability": 0.4, "delay": {"dist": "exponential", "mean_s": 600}, "switch_to_999": 0.1}


def busy_centre(**extra: Any) -> dict[str, Any]:
    """Two lines on one multi-skilled pool, busy enough for 101 callers to wait minutes."""
    return {
        "name": "busy",
        "horizon": {"days": 3, "warmup_hours": 6},
        "demand": {"999": {"rate_per_hour": 10}, "101": {"rate_per_hour": 40}},
        "handling": {
            "999": {
                "handle_time": {"dist": "exponential", "mean_s": 240},
                "patience": {"dist": "exponential", "mean_s": 600},
            },
            "101": {
                "handle_time": {"dist": "lognormal", "mean_s": 360, "cv": 0.8},
                "patience": {"dist": "exponential", "mean_s": 900},
            },
        },
        "pools": [{"name": "blended", "skills": ["999", "101"], "staffing": {"flat": 5}}],
        **extra,
    }


def run(raw: dict[str, Any], reps: int = 4, seed: int = 9) -> pd.DataFrame:
    return run_scenario(scenario_from_mapping(raw), reps=reps, seed=seed, workers=1).replications


def values(table: pd.DataFrame, scope: str, kpi: str) -> np.ndarray:
    return table[(table.scope == scope) & (table.kpi == kpi)]["value"].to_numpy()


# --- common random numbers -------------------------------------------------------------------


def test_a_callback_never_offered_changes_nothing() -> None:
    """A threshold longer than any wait: every number equals the run without callbacks."""
    without = run(busy_centre())
    never = run(busy_centre(callback={**CALLBACK, "offer_after_s": 10 * 86400}))
    assert values(never, "101", "callbacks_offered").sum() == 0
    pd.testing.assert_frame_equal(without, never)


def test_a_redial_probability_of_zero_changes_nothing() -> None:
    without = run(busy_centre())
    never = run(busy_centre(redial={"101": {**REDIAL, "probability": 0.0}}))
    assert values(never, "101", "redials").sum() == 0
    pd.testing.assert_frame_equal(without, never)


def test_callbacks_change_the_results_when_offered() -> None:
    """The check above can fail: with a real threshold the numbers move."""
    without = run(busy_centre())
    offered = run(busy_centre(callback=CALLBACK))
    assert values(offered, "101", "callbacks_accepted").sum() > 0
    assert not without["value"].equals(offered["value"])


def test_redials_add_offered_calls_and_switch_some_to_999() -> None:
    table = run(busy_centre(redial={"101": REDIAL}))
    redials, switched = values(table, "101", "redials"), values(table, "101", "switched_to_999")
    assert redials.sum() > 0 and switched.sum() > 0
    assert np.all(values(table, "999", "redials") == switched)
    unique = values(table, "101", "unique_callers")
    assert np.all(unique == values(table, "101", "offered") - redials)


# --- directions -------------------------------------------------------------------------------


def test_a_lower_threshold_offers_more_callbacks() -> None:
    """In expectation, and with common random numbers in every replication here."""
    low = run(busy_centre(callback={**CALLBACK, "offer_after_s": 120}), reps=6)
    high = run(busy_centre(callback={**CALLBACK, "offer_after_s": 600}), reps=6)
    difference = values(low, "101", "callbacks_offered") - values(high, "101", "callbacks_offered")
    _, lower, _ = t_interval(difference, 0.99)
    assert lower > 0


@pytest.mark.slow
def test_three_against_ten_minutes_on_the_baseline() -> None:
    """The README's comparison, on July 2018: at 10 minutes fewer callers are offered a callback
    and fewer accept, so fewer callbacks jump the live queue (the baseline makes them above live
    calls) and live waits are shorter; each difference's paired 95% interval clear of zero."""
    july = ["horizon.start=2018-06-30", "horizon.days=32", "horizon.warmup_hours=24"]
    three = load_scenario(SCENARIOS / "callback-3min.yaml", july).scenario
    ten = load_scenario(SCENARIOS / "callback-10min.yaml", july).scenario
    a = run_scenario(three, reps=5, seed=3, workers=1).replications
    b = run_scenario(ten, reps=5, seed=3, workers=1).replications
    for kpi, sign in (("callbacks_offered", -1), ("callbacks_accepted", -1), ("asa_s", -1),
                      ("wait_p90_s", -1)):
        _, low, high = t_interval(values(b, "101", kpi) - values(a, "101", kpi))
        assert (low > 0) if sign > 0 else (high < 0), (kpi, low, high)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"accept_probability": 1.5}, "callback.accept_probability", "less than or equal to 1"),
        ({"answer_probability": -0.1}, "callback.answer_probability", "greater than or equal"),
        ({"hours": "8am-10pm"}, "callback.hours", "HH:MM-HH:MM"),
        ({"hours": "22:00-08:00"}, "callback.hours", "start before the end"),
        ({"serve": "sometimes"}, "callback.serve", "below_live, above_live"),
        ({"serve": {"when_idle_at_least": 0}}, "callback.serve", "when_idle_at_least"),
        ({"line": "112"}, "callback.line", "a line with demand"),
        ({"max_attempts": 0}, "callback.max_attempts", "greater than or equal to 1"),
        ({"offer_after_s": -60}, "callback.offer_after_s", "greater than or equal to 0"),
        ({"offer_after": 60}, "callback.offer_after", "did you mean 'offer_after_s'"),
    ],
)
def test_bad_callback_is_refused(change: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_mapping(busy_centre(callback={**CALLBACK, **change}))
    problem = caught.value.problems[0]
    assert problem.field == field
    assert expected in problem.expected


@pytest.mark.parametrize(
    ("line", "change", "field"),
    [
        ("101", {"probability": 2}, "redial.101.probability"),
        ("112", {}, "redial.112"),
        ("999", {"switch_to_999": 0.5}, "redial.999.switch_to_999"),
        ("101", {"max_calls_per_caller": 0}, "redial.101.max_calls_per_caller"),
    ],
)
def test_bad_redial_is_refused(line: str, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_mapping(busy_centre(redial={line: {**REDIAL, **change}}))
    assert caught.value.problems[0].field == field


def test_cli_refuses_a_bad_callback_and_writes_nothing(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(
        "name: bad\nextends: " + str(SCENARIOS / "callback-10min.yaml") + "\n"
        "callback: {hours: '25:00-26:00'}\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--reps", "1"])
    assert result.exit_code == 2
    assert "callback.hours" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [scenario]


def test_shipped_callback_scenarios_differ_only_in_the_threshold() -> None:
    three = load_scenario(SCENARIOS / "callback-3min.yaml").scenario
    ten = load_scenario(SCENARIOS / "callback-10min.yaml").scenario
    assert three.callback is not None and ten.callback is not None
    assert (three.callback.offer_after_s, ten.callback.offer_after_s) == (180, 600)
    assert three.callback.model_copy(update={"offer_after_s": 600}) == ten.callback
    assert three.pools == ten.pools and three.demand == ten.demand


def test_a_run_with_callbacks_plots_the_callback_workload(tmp_path: Path) -> None:
    from contactsim.data.folders import atomic_folder
    from contactsim.output.report import plot_run
    from contactsim.output.results import write_run

    results = run_scenario(scenario_from_mapping(busy_centre(callback=CALLBACK)), 2, 1, 1)
    with atomic_folder(tmp_path / "run") as folder:
        write_run(results, "name: x\n", folder)
        names = sorted(p.name for p in plot_run(folder))
    assert "callbacks_by_hour.png" in names
    intervals = results.intervals
    for column in ("callbacks_offered", "callbacks_accepted", "callback_attempts",
                   "callback_completions", "redials"):
        assert column in intervals
    table = results.replications
    assert intervals["callback_attempts"].sum() >= values(table, "101", "callbacks_completed").sum()
