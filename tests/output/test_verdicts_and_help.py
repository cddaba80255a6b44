"""What a planner reads (issue 13, items 7 and 9): staffing verdicts that do not overclaim, and
help and defaults that agree with the scenarios and the README.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from contactsim.analysis import erlang
from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.config.lines import DEFAULT_SERVICE_LEVEL_OTHER_S, DEFAULT_SERVICE_LEVEL_S
from contactsim.planning.service_targets import parse_target
from contactsim.runs.sweep import run_sweep
from contactsim.runs.sweep_file import load_sweep
from helpers.cli import invoke
from helpers.scenarios import REPO_ROOT, SCENARIOS, write

SWEEP = REPO_ROOT / "sweeps" / "staffing.yaml"

# --- item 7: verdicts that do not overclaim ------------------------------------------------------


STATIONARY = """\
name: stationary
horizon: {days: 4, warmup_hours: 24}
demand:
  "101": {rate_per_hour: 60}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}, patience: {dist: exponential, mean_s: 600}, service_level_s: 20}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 1}}
"""  # noqa: E501


def test_an_interval_decides_only_when_asked() -> None:
    scenario = load_scenario(SCENARIOS / "quick-week.yaml").scenario
    asa = parse_target("101: asa_s <= 120", scenario)
    assert asa.met_by(82.5) and not asa.certainly_met_by(82.5, 37.8, 127.0)
    assert asa.certainly_met_by(82.5, 60.0, 110.0)
    level = parse_target("999: service_level >= 0.9", scenario)
    assert level.met_by(0.92) and not level.certainly_met_by(0.92, 0.88, 0.96)
    assert level.certainly_met_by(0.95, 0.91, 0.99)
    assert level.certainly_met_by(0.95, math.nan, math.nan)  # no interval: the mean decides


def test_confidence_keeps_every_hour_s_interval_on_the_target_s_side(tmp_path: Path) -> None:
    scenario = write(tmp_path / "stationary.yaml", STATIONARY)
    common = ["--target", "101: asa_s <= 30", "--by", "hour_of_day", "--reps", 4, "--seed", 7,
              "--workers", 1]
    plain = invoke("staff", scenario, *common, "--out", tmp_path / "mean")
    sure = invoke("staff", scenario, *common, "--confidence", 0.95, "--out", tmp_path / "sure")
    assert plain.exit_code == 0, plain.output
    assert sure.exit_code == 0, sure.output

    mean_kpis = pd.read_csv(tmp_path / "mean" / "kpis.csv")
    sure_kpis = pd.read_csv(tmp_path / "sure" / "kpis.csv")
    # without --confidence, the mean meets the target at every hour, and the verdict says
    # where the interval still crosses it
    assert (mean_kpis["mean"] <= 30).all()
    crossing = int((mean_kpis["ci_high"] > 30).sum())
    assert crossing > 0  # a search on the mean leaves hours not certain
    assert (f"met (mean) at every hour of the day; not certain at 95% at {crossing} hours"
            in plain.stdout), plain.stdout
    # with it, every hour's whole interval is at or below the target
    assert (sure_kpis["ci_high"] <= 30).all()
    assert sure_kpis["met"].all() and sure_kpis["certain"].all()
    assert "met with 95% confidence at every hour of the day" in sure.stdout
    # and that takes at least the operators the mean needed, hour by hour
    mean_need = pd.read_csv(tmp_path / "mean" / "required.csv")["required_rostered"]
    sure_need = pd.read_csv(tmp_path / "sure" / "required.csv")["required_rostered"]
    assert (sure_need.to_numpy() >= mean_need.to_numpy()).all()
    assert sure_need.sum() > mean_need.sum()


def test_confidence_must_be_a_level_below_one(tmp_path: Path) -> None:
    scenario = write(tmp_path / "stationary.yaml", STATIONARY)
    result = CliRunner().invoke(main, ["staff", str(scenario), "--target", "101: asa_s <= 30",
                                       "--confidence", "1.5", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--confidence" in result.output
    assert not (tmp_path / "x").exists()


# --- item 9: help and defaults ------------------------------------------------------------------


@pytest.mark.parametrize("group", [[], ["demand"]])
def test_no_command_summary_is_cut_in_help(group: list[str]) -> None:
    result = invoke(*group, "--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:")[1]
    summaries = [line for line in commands.splitlines() if line.strip()]
    assert summaries
    for line in summaries:
        assert not line.rstrip().endswith(("...", "…")), line


def readme_sweep() -> dict[str, object]:
    """The sweep file the README's "Sweeps" section shows."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# sweeps/staffing\.yaml\n.*?)```", text, re.S)
    assert block, "the README shows sweeps/staffing.yaml"
    return yaml.safe_load(block.group(1))


def test_the_shipped_sweep_is_the_readme_s_and_validates() -> None:
    shipped = yaml.safe_load(SWEEP.read_text(encoding="utf-8"))
    shown = readme_sweep()
    for key in ("base", "reps", "seed", "variants", "plot"):
        assert shipped[key] == shown[key], key
    for field, values in shown["grid"].items():  # type: ignore[attr-defined]
        assert shipped["grid"][field] == values, field
    spec = load_sweep(SWEEP)
    assert spec.base == (SCENARIOS / "baseline-2018.yaml").resolve()
    assert len(spec.points) == 18 and spec.reps == 5


def test_the_shipped_sweep_runs_with_a_short_horizon(tmp_path: Path) -> None:
    spec = load_sweep(SWEEP)
    short = [replace(point, changes={**point.changes, "horizon.days": 2})
             for point in spec.points[:3]]
    tidy = run_sweep(replace(spec, points=short, reps=1), tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "failures.csv").exists()
    assert sorted(tidy["point"].unique()) == [0, 1, 2]
    assert {"101", "999", "blended"} <= set(tidy["scope"])


def test_erlang_s_threshold_defaults_to_the_line_s_as_in_a_scenario() -> None:
    assert DEFAULT_SERVICE_LEVEL_S["999"] == 10 and DEFAULT_SERVICE_LEVEL_OTHER_S == 60
    args = ["erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", 12]
    for line, threshold in (("999", 10.0), ("101", 60.0), (None, 60.0)):
        result = invoke(*args, *(["--line", line] if line else []))
        assert result.exit_code == 0, result.output
        assert f"answered within {threshold:g} s" in result.stdout
        level = erlang.erlang_c(114, 300, 12, threshold).service_level
        assert f"{100 * level:.2f}%" in result.stdout
    given = invoke(*args, "--line", "999", "--service-level-s", 20)
    assert "answered within 20 s" in given.stdout
    assert f"{100 * erlang.erlang_c(114, 300, 12, 20).service_level:.2f}%" in given.stdout
    help_text = " ".join(invoke("erlang", "--help").stdout.split())
    assert "10 s for line 999, 60 s for any other line" in help_text
