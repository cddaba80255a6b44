"""Calibration: planted values recovered, targets files checked, unmet targets explained, the
command end to end, and the shipped 2018 targets against the baseline."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.analysis.periods import period_values
from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.errors import ScenarioError
from contactsim.planning.calibration import calibrate
from contactsim.planning.targets import SearchSettings, load_targets
from contactsim.planning.unknowns import check_against
from contactsim.runs.experiment import run_scenario
from helpers.scenarios import REPO_ROOT, one_line_101, write_yaml

PLANTED_PATIENCE_S = 240.0


def one_line(patience_s: float, scale: float, operators: int = 200,
             rate_per_hour: float = 2400, days: float = 0.25) -> dict[str, Any]:
    """A busy stationary 101 line (Erlang A): exponential handle and patience, one pool."""
    return one_line_101(
        rate_per_hour=rate_per_hour, handle_s=300, patience_s=patience_s, operators=operators,
        scale=scale, days=days, warmup_hours=2, start="2018-03-05",
    )


def target(kpi: str, value: float, tolerance: float, **more: Any) -> dict[str, Any]:
    return {"line": "101", "kpi": kpi, "value": value, "tolerance": tolerance,
            "source": "planted", **more}


PATIENCE = {"field": "handling.101.patience.mean_s", "bounds": [60, 900]}
SCALE = {"field": "pools.all.staffing.scale", "bounds": [0.8, 1.25]}


# --- recovery ----------------------------------------------------------------------------------


def test_planted_patience_and_staffing_are_recovered_from_the_wrong_start(tmp_path: Path) -> None:
    truth = load_scenario(write_yaml(tmp_path / "truth.yaml",
                                     one_line(PLANTED_PATIENCE_S, 1.0))).scenario
    published = run_scenario(truth, 40, seed=1).intervals
    asa = float(period_values(published, "101", "asa_s").mean())
    abandon = float(period_values(published, "101", "abandon_rate").mean())
    wrong = write_yaml(tmp_path / "wrong.yaml", one_line(600, 1.15))
    targets = load_targets(write_yaml(tmp_path / "targets.yaml", {
        "name": "planted",
        "targets": [target("asa_s", asa, 0.02 * asa),
                    target("abandon_rate", abandon, 0.02 * abandon)],
        "unknowns": [PATIENCE, SCALE],
    }))
    # a different seed: the published figures are not this run's own callers
    result = calibrate(wrong, targets, seed=2,
                       settings=SearchSettings(reps=3, final_reps=8, max_evaluations=50))
    patience, scale = result.parameters
    assert patience.ci_low <= PLANTED_PATIENCE_S <= patience.ci_high
    assert scale.ci_low <= 1.0 <= scale.ci_high
    assert patience.fitted == pytest.approx(PLANTED_PATIENCE_S, rel=0.15)
    assert scale.fitted == pytest.approx(1.0, abs=0.03)
    screening = [e for e in result.evaluations if e.reps == 2]  # half of 3, at least 2
    assert len(screening) <= 50  # the budget; the confirmations at 3 come on top
    assert {e.reps for e in result.evaluations} == {2, 3} and result.best.reps == 3
    # the search settled: both figures matched within a few tolerances
    assert result.best.objective < 10


# --- targets files -----------------------------------------------------------------------------


def scenario_file(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "scenario.yaml", one_line(240, 1.0, operators=20,
                                                            rate_per_hour=200))


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda t: t["targets"][0].update(colour="red"), "targets[0].colour", "known field"),
    (lambda t: t["targets"][0].pop("source"), "targets[0].source", "to be given"),
    (lambda t: t["targets"][0].update(at_most=20), "targets[0]", "exactly one of"),
    (lambda t: t["targets"][0].update(tolerance_pct=5), "targets[0]", "exactly one of tolerance"),
    (lambda t: t["targets"][0].update(kpi="occupancy"), "targets[0].kpi", "KPI of a period"),
    (lambda t: t["targets"][0].update(period={"month": 13}), "targets[0].period", "months 1-12"),
    (lambda t: t["unknowns"][0].update(bounds=[900, 60]), "unknowns[0].bounds", "low below"),
    (lambda t: t.update(search={"reps": 0}), "search.reps", "greater than or equal to 1"),
])
def test_a_bad_targets_file_names_the_file_and_the_field(
    tmp_path: Path, change: Any, field: str, words: str
) -> None:
    data = {"name": "t", "targets": [target("asa_s", 10, 1)], "unknowns": [copy.deepcopy(PATIENCE)]}
    change(data)
    path = write_yaml(tmp_path / "targets.yaml", data)
    with pytest.raises(ScenarioError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert f"{path}: {field}:" in message and words in message


@pytest.mark.parametrize(("target_change", "unknown", "field", "words"), [
    ({"line": "999"}, PATIENCE, "targets[0].line", "a line of the scenario (101)"),
    ({"period": {"month": 7}}, PATIENCE, "targets[0].period", "months the scenario measures"),
    ({}, {"field": "handling.101.patiense.mean_s", "bounds": [60, 900]}, "unknowns[0].field",
     "patiense"),
    ({}, {"field": "pools.nobody.staffing.scale", "bounds": [0.8, 1.2]}, "unknowns[0].field",
     "name among ['all']"),
    ({}, {"field": "handling.101.patience.mean_s", "bounds": [-5, 900]}, "unknowns[0].field",
     "greater than 0"),
    ({}, {"field": "name", "bounds": [1, 2]}, "unknowns[0].field", "a number"),
])
def test_targets_that_do_not_fit_the_scenario_name_the_file_and_the_field(
    tmp_path: Path, target_change: dict[str, Any], unknown: dict[str, Any], field: str,
    words: str,
) -> None:
    path = write_yaml(tmp_path / "targets.yaml", {
        "name": "t", "targets": [target("asa_s", 10, 1, **target_change)], "unknowns": [unknown]})
    scenario = scenario_file(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        check_against(load_targets(path), scenario, load_scenario(scenario).scenario)
    message = str(caught.value)
    assert f"{path}: {field}:" in message and words in message


# --- targets that cannot be met --------------------------------------------------------------


def test_a_target_out_of_reach_is_not_met_and_the_bound_is_named(tmp_path: Path) -> None:
    targets = load_targets(write_yaml(tmp_path / "targets.yaml", {
        "name": "out-of-reach",
        "targets": [
            target("asa_s", 0.01, 0.005),            # no staffing in the bounds answers at once
            target("offered", 10_000, 100),          # staffing does not change who rings
            {"line": "101", "kpi": "asa_s", "at_most": 1_000, "source": "planted"},
        ],
        "unknowns": [SCALE],
    }))
    result = calibrate(scenario_file(tmp_path), targets, seed=3,
                       settings=SearchSettings(reps=2, final_reps=3, max_evaluations=12))
    asa, offered, bound = result.results
    # rounded staffing is flat over the last stretch below the bound: the reason names the
    # bound whether the search stopped on it or just before
    assert not asa.met and "upper bound" in asa.reason and "1.25" in asa.reason
    assert not offered.met and "no unknown moves" in offered.reason
    assert bound.met and bound.reason == ""


def test_targets_pulling_apart_are_reported_as_a_trade_off(tmp_path: Path) -> None:
    targets = load_targets(write_yaml(tmp_path / "targets.yaml", {
        "name": "trade-off",
        # long waits want fewer operators, almost nobody abandoning wants more
        "targets": [target("asa_s", 60, 5), target("abandon_rate", 0.002, 0.001)],
        "unknowns": [SCALE],
    }))
    result = calibrate(scenario_file(tmp_path), targets, seed=3,
                       settings=SearchSettings(reps=2, final_reps=3, max_evaluations=12))
    asa, abandon = result.results
    # the tighter abandonment target wins the search (judged in the final run, on callers the
    # search never saw, it may still miss by noise); the ASA's reason names what meeting it
    # would cost
    assert not asa.met
    assert abs(abandon.mean - 0.002) / 0.001 < abs(asa.mean - 60) / 5
    assert "meeting it would push 101 abandon rate, year" in asa.reason
    assert "the best compromise leaves 101 ASA (s), year at" in asa.reason


# --- the command -------------------------------------------------------------------------------


def test_calibrate_writes_its_files_and_the_calibrated_scenario_runs(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    scenario = write_yaml(tmp_path / "scenarios" / "tiny.yaml",
                          one_line(240, 1.0, operators=20, rate_per_hour=200))
    targets = write_yaml(tmp_path / "targets.yaml", {
        "name": "tiny",
        "targets": [target("asa_s", 12, 3), target("abandon_rate", 0.04, 0.01),
                    {"line": "101", "kpi": "asa_s", "period": {"month": 3}, "at_most": 60,
                     "source": "planted"}],
        "unknowns": [{**PATIENCE, "label": "patience"}, SCALE],
        "search": {"reps": 2, "final_reps": 3, "max_evaluations": 4},
    })
    out = tmp_path / "results" / "cal"
    result = CliRunner().invoke(main, ["calibrate", str(scenario), "--targets", str(targets),
                                       "--out", str(out), "--seed", "4", "--workers", "1",
                                       "--set", "horizon.days=0.5"])
    assert result.exit_code == 0, result.output
    assert "evaluation 4/4: patience" in result.output
    assert {p.name for p in out.iterdir()} == {
        ".contactsim-results", "calibrated.yaml", "scenario.resolved.yaml", "calibration.csv",
        "parameters.csv", "search.csv", "calibration.png"}
    table = pd.read_csv(out / "calibration.csv")
    assert list(table["kind"]) == ["value", "value", "at_most"]
    assert set(table["source"]) == {"planted"}
    assert len(pd.read_csv(out / "search.csv")) == 4
    parameters = pd.read_csv(out / "parameters.csv")
    assert list(parameters["unknown"]) == [PATIENCE["field"], SCALE["field"]]
    # the overlay extends the original, keeps the --set, holds the fitted values, and runs
    text = (out / "calibrated.yaml").read_text()
    assert "extends: \"../../scenarios/tiny.yaml\"" in text and "95% interval" in text
    calibrated = load_scenario(out / "calibrated.yaml").scenario
    fitted = dict(zip(parameters["unknown"], parameters["fitted"], strict=True))
    assert calibrated.horizon.days == 0.5
    patience = calibrated.handling["101"].patience
    assert patience is not None and patience.mean_s == pytest.approx(
        fitted[PATIENCE["field"]])
    assert calibrated.pools[0].staffing.scale == pytest.approx(fitted[SCALE["field"]])
    assert not math.isnan(run_scenario(calibrated, 1, seed=4).summary["mean"].iloc[0])
    assert (out / "calibration.png").read_bytes()[:4] == b"\x89PNG"


def test_a_list_field_unknown_is_written_into_a_calibrated_yaml_that_reproduces_it(
    tmp_path: Path,
) -> None:
    # the strength from a date on (a list item), on a staffing file named relative to the
    # scenario: the pools list is written whole, its file path must stay relative
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "roster.csv").write_text(
        "hour_of_week,operators\n" + "".join(f"{hour},20\n" for hour in range(168))
    )
    line = one_line(240, 1.0, operators=20, rate_per_hour=200, days=1)
    line["pools"][0]["staffing"] = {
        "per_interval": "roster.csv", "changes": [{"from": "2018-03-05", "scale": 1.0}],
    }
    scenario = write_yaml(tmp_path / "scenarios" / "dated.yaml", line)
    changes = {"field": "pools.all.staffing.changes.0.scale", "bounds": [0.8, 1.25]}
    targets = write_yaml(tmp_path / "targets.yaml", {
        "name": "dated", "targets": [target("asa_s", 12, 3)], "unknowns": [changes],
        "search": {"reps": 2, "final_reps": 2, "max_evaluations": 3},
    })
    out = tmp_path / "results" / "cal"
    result = CliRunner().invoke(main, ["calibrate", str(scenario), "--targets", str(targets),
                                       "--out", str(out), "--seed", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    fitted = pd.read_csv(out / "parameters.csv")["fitted"].iloc[0]
    calibrated = load_scenario(out / "calibrated.yaml").scenario
    assert calibrated.pools[0].staffing.changes[0].scale == pytest.approx(fitted)
    assert "per_interval: \"../../scenarios/roster.csv\"" in (out / "calibrated.yaml").read_text()
    # no absolute path in the overlay: the folder moves with the scenarios it extends
    text = (out / "calibrated.yaml").read_text()
    assert not [line for line in text.splitlines()
                if str(tmp_path) in line and not line.startswith("#")]


def test_calibrate_refuses_a_bad_targets_file_with_status_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    targets = write_yaml(tmp_path / "targets.yaml", {
        "name": "t", "targets": [target("asa_s", 10, 1, line="999")], "unknowns": [PATIENCE]})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["calibrate", str(scenario_file(tmp_path)), "--targets",
                                       str(targets), "--out", str(out)])
    assert result.exit_code == 2
    assert "targets[0].line" in result.output and not out.exists()


# --- the shipped 2018 targets ----------------------------------------------------------------


def test_the_2018_targets_fit_the_baseline() -> None:
    targets = load_targets(REPO_ROOT / "targets" / "2018.yaml")
    baseline = REPO_ROOT / "scenarios" / "baseline-2018.yaml"
    parameters = check_against(targets, baseline, load_scenario(baseline).scenario)
    assert [p.field for p in parameters] == [u.field for u in targets.spec.unknowns]
    assert all(t.source for t in targets.spec.targets)
    for parameter in parameters:
        assert parameter.low <= parameter.start <= parameter.high
