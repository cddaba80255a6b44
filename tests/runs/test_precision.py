"""Precision on demand: targets read and checked, the sequential stopping rule on numbers made
up for it, runs and comparisons to a precision giving a fixed run's numbers, sweeps to a
precision that resume honestly, the commands, and the rule's coverage on Erlang A."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from contactsim.analysis.stats import t_interval
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.runs.executors import LocalExecutor
from contactsim.runs.experiment import compare_scenarios, run_scenario
from contactsim.runs.precise_runs import compare_precise, run_points, run_precise
from contactsim.runs.precision import (
    Rule,
    Stopping,
    Target,
    check_targets,
    parse_target,
    parse_targets,
    precision_table,
)
from contactsim.runs.sweep import SweepProgress, run_sweep
from contactsim.runs.sweep_file import load_sweep, with_precision
from helpers.cli import cli, ok
from helpers.precision_trials import TARGET, exact, trial
from helpers.scenarios import TINY_CENTRE, write

# --- targets -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "target"), [
    ("101:asa_s=5", Target("101", "asa_s", 5.0)),
    ("999:service_level=0.005", Target("999", "service_level", 0.005)),
    ("101:asa_s=5%", Target("101", "asa_s", 0.05, relative=True)),
    (" '999' : abandon_rate = 2.5 % ", Target("999", "abandon_rate", 0.025, relative=True)),
    ("101:service_level@15=0.01", Target("101", "service_level@15", 0.01)),
    ("blended:occupancy=0.02", Target("blended", "occupancy", 0.02)),
])
def test_a_target_is_read(text: str, target: Target) -> None:
    assert parse_target(text) == target
    assert parse_target(str(target)) == target  # and written back as it reads


@pytest.mark.parametrize(("text", "words"), [
    ("asa_s=5", "expected SCOPE:KPI=HALF_WIDTH, e.g. 101:asa_s=5"),
    ("101:asa_s", "expected SCOPE:KPI=HALF_WIDTH"),
    ("101:asa=5", "'asa' is not a KPI (did you mean asa_s?)"),
    ("101:asa_s=abc", "'abc' is not a half-width; expected a number above 0 in the KPI's unit (s)"),
    ("101:asa_s=0", "'0' is not a half-width"),
    ("101:asa_s=-3", "'-3' is not a half-width"),
    ("101:asa_s=nan", "'nan' is not a half-width"),
    ("101:asa_s=0%", "'0%' is not a share of the mean; expected a percentage above 0"),
    ("101:asa_s=150%", "'150%' is not a share of the mean"),
    ("999:service_level=5", "service_level is a share, so its half-width is a fraction below 1 "
                            "(0.005 is half a percentage point); for a share of the mean write 5%"),
])
def test_a_bad_target_is_refused_naming_the_text_and_what_was_expected(
        text: str, words: str) -> None:
    with pytest.raises(ContactsimError) as error:
        parse_target(text)
    assert str(error.value).startswith(f"--precision {text!r}: ")
    assert words in str(error.value)


def test_a_kpi_given_twice_is_refused() -> None:
    with pytest.raises(ContactsimError, match=r"101:asa_s is given twice \(101:asa_s=5 and 10%\)"):
        parse_targets(["101:asa_s=5", "101:asa_s=10%"])


@pytest.mark.parametrize(("text", "words"), [
    ("102:asa_s=5", "'102' is not a line or pool of tiny (lines: 999, 101; pools: emergency, "
                    "blended)"),
    ("blended:asa_s=5", "asa_s is a KPI of a line, and blended is a pool"),
    ("101:occupancy=0.01", "occupancy is a KPI of a pool and of the Resolution Centre, and 101 "
                           "is a line"),
    ("101:service_level@15=0.01", "line 101 is not measured within 15 s: add 15 to "
                                  "handling.101.also_within_s"),
    ("101:duplicates_offered=2", "line 101 has no bursts"),
    ("101:call_backs_made=2", "line 101 has no call-backs"),
])
def test_a_target_must_fit_the_scenario(text: str, words: str) -> None:
    with pytest.raises(ContactsimError, match=r"^--precision ") as error:
        check_targets(parse_targets([text]), tiny())
    assert words in str(error.value)


def test_a_relative_target_allows_gamma_over_one_plus_gamma_of_the_mean() -> None:
    # Law & Kelton: a relative error of at most γ needs half-width/|mean| <= γ/(1+γ)
    target = Target("101", "asa_s", 0.10, relative=True)
    assert target.required(-44.0) == pytest.approx(0.10 / 1.10 * 44.0)
    assert target.met(44.0, 4.0) and not target.met(44.0, 4.01)
    assert not target.met(44.0, math.nan) and not target.met(math.nan, 1.0)
    assert Target("101", "asa_s", 4.0).required(44.0) == 4.0


@pytest.mark.parametrize(("minimum", "cap", "words"), [
    (2, 100, "starts from at least 3 replications (--reps, or a sweep's reps); got 2"),
    (10, 8, "must be at least its minimum (10) and at most 10,000; got 8"),
])
def test_a_rule_needs_a_sound_minimum_and_cap(minimum: int, cap: int, words: str) -> None:
    with pytest.raises(ContactsimError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Rule((TARGET,), min_reps=minimum, max_reps=cap)


# --- the stopping rule, on numbers made up for it ------------------------------------------

#: A replication's made-up value: the same spread from the first replication to the last, so
#: the interval's half-width shrinks with every replication (no randomness: a fixed sequence)
def made_up(replication: int) -> float:
    return 50.0 + 20.0 * (-1) ** replication + 0.5 * (replication % 3)


def half_width(reps: int) -> float:
    _mean, low, high = t_interval([made_up(r) for r in range(reps)])
    return (high - low) / 2


def stopped_at(rule: Rule, value: object = made_up) -> tuple[Stopping, list[int]]:
    """The rule driven over one point whose replication ``r`` gives ``value(r)`` (its KPI
    rows made as a run's are); returns where it stopped and every replication asked for."""
    asked: list[int] = []

    def rows(replication: int) -> pd.DataFrame:
        return pd.DataFrame({"scope": ["101"], "kpi": ["asa_s"],
                             "value": [value(replication)]})  # type: ignore[operator]

    [(_point, stopping, kept)] = run_points(
        ["point"], rule, lambda _point, replication: replication,
        lambda runs: asked.extend(runs), rows)
    assert kept == list(range(stopping.reached[0].reps))
    return stopping, asked


def test_the_made_up_numbers_narrow_with_every_batch() -> None:
    widths = [half_width(n) for n in (5, 10, 15, 20, 25)]
    assert widths == sorted(widths, reverse=True)


def test_the_rule_stops_at_the_first_check_meeting_the_target() -> None:
    between = (half_width(10) + half_width(15)) / 2  # met from 15 replications on
    rule = Rule((Target("101", "asa_s", between),), look_ahead=0)
    stopping, asked = stopped_at(rule)
    assert stopping.done and stopping.met and stopping.reached[0].reps == 15
    assert asked == list(range(15))  # 5, then batches of 5, each replication once, in order
    assert stopping.reached[0].half_width == pytest.approx(half_width(15))


def test_with_the_look_ahead_the_target_must_still_be_met_one_batch_later() -> None:
    between = (half_width(10) + half_width(15)) / 2
    stopping, _asked = stopped_at(Rule((Target("101", "asa_s", between),)))  # look-ahead 1
    assert stopping.met and stopping.reached[0].reps == 20


def test_a_target_met_and_then_lost_starts_the_look_ahead_again() -> None:
    # the 8th replication is far off: met at 5, lost at 10 and 15, met again at 20 and 25
    def jumpy(replication: int) -> float:
        return 50.0 + (400.0 if replication == 7 else math.sin(replication))

    def width(reps: int) -> float:
        _mean, low, high = t_interval([jumpy(r) for r in range(reps)])
        return (high - low) / 2

    target = (width(15) + width(20)) / 2
    assert width(5) < target < width(10)
    stopping, _asked = stopped_at(Rule((Target("101", "asa_s", target),)), jumpy)
    assert stopping.met and stopping.reached[0].reps == 25


@pytest.mark.parametrize("minimum", [3, 5, 7])
def test_the_rule_never_stops_below_its_minimum(minimum: int) -> None:
    rule = Rule((Target("101", "asa_s", 1e6),), min_reps=minimum, look_ahead=0)
    stopping, asked = stopped_at(rule)
    assert stopping.met and stopping.reached[0].reps == minimum and asked == list(range(minimum))


def test_the_rule_stops_at_its_cap_and_says_the_target_was_not_met() -> None:
    rule = Rule((Target("101", "asa_s", 0.01),), max_reps=23)  # checks at 5, 10, 15, 20, 23
    stopping, asked = stopped_at(rule)
    assert stopping.done and not stopping.met
    assert stopping.reached[0].reps == 23 and asked == list(range(23))
    assert stopping.reached[0].half_width == pytest.approx(half_width(23))
    row = precision_table(stopping.reached).iloc[0]
    assert (row["reps"], bool(row["met"]), row["target"]) == (23, False, "0.01")


def test_each_point_stops_on_its_own_and_a_failed_run_stops_its_point() -> None:
    rule = Rule((Target("101", "asa_s", (half_width(10) + half_width(15)) / 2),), look_ahead=0)
    spreads = {"calm": 0.1, "usual": 1.0, "broken": 1.0}

    def rows(run: tuple[str, int]) -> pd.DataFrame | None:
        point, replication = run
        if point == "broken" and replication == 7:
            return None  # this run failed
        value = 50.0 + spreads[point] * (made_up(replication) - 50.0)
        return pd.DataFrame({"scope": ["101"], "kpi": ["asa_s"], "value": [value]})

    rounds: list[list[tuple[str, int]]] = []
    stops = run_points(list(spreads), rule, lambda point, r: (point, r), rounds.append, rows)
    reps = {point: stopping.reached[0].reps for point, stopping, _kept in stops}
    assert reps == {"calm": 5, "usual": 15, "broken": 10}
    assert [stopping.met for _point, stopping, _kept in stops] == [True, True, False]
    assert [len(round_) for round_ in rounds] == [15, 10, 5]  # only what each round needed


# --- runs and comparisons to a precision give a fixed run's numbers -------------------------


def tiny(**changes: object) -> Scenario:
    """The tiny two-line centre (``helpers.scenarios.TINY_CENTRE``), with ``changes``."""
    return scenario_from_mapping({**yaml.safe_load(TINY_CENTRE), **changes})


def test_a_run_to_a_precision_has_the_numbers_of_a_fixed_run_of_as_many() -> None:
    scenario = tiny()
    rule = Rule(parse_targets(["101:asa_s=25%"]))
    with LocalExecutor(2) as executor:
        results, stopped = run_precise(scenario, 11, rule, executor)
    reps = stopped.reached[0].reps
    assert stopped.met and reps > 10 and reps % 5 == 0  # several batches
    fixed = run_scenario(scenario, reps, 11, workers=1)
    for name in ("replications", "intervals", "summary", "pool_intervals"):
        pd.testing.assert_frame_equal(getattr(results, name), getattr(fixed, name))
    values = fixed.replications.query("scope == '101' and kpi == 'asa_s'")["value"]
    mean, low, high = t_interval(values.to_numpy())
    assert stopped.reached[0].mean == pytest.approx(mean)
    assert stopped.reached[0].half_width == pytest.approx((high - low) / 2)


def test_a_comparison_to_a_precision_judges_the_paired_differences() -> None:
    one = tiny()
    two = tiny(name="more", pools=[
        {"name": "emergency", "skills": ["999"], "staffing": {"flat": 1}},
        {"name": "blended", "skills": ["999", "101"], "staffing": {"flat": 3}}])
    rule = Rule(parse_targets(["101:asa_s=2"]))
    with LocalExecutor(1) as executor:
        comparison, stopped = compare_precise([one, two], 3, rule, executor)
    [reached] = stopped.reached
    reps = reached.reps
    assert (reached.versus, reached.first) == ("more", "tiny") and reached.met
    fixed = compare_scenarios([one, two], reps, 3)
    pd.testing.assert_frame_equal(comparison.table, fixed.table)
    row = fixed.table.query("scenario == 'more' and scope == '101' and kpi == 'asa_s'").iloc[0]
    assert reached.mean == pytest.approx(row["diff_mean"])
    assert reached.half_width == pytest.approx((row["diff_high"] - row["diff_low"]) / 2)


# --- sweeps to a precision ------------------------------------------------------------------


def precision_sweep(folder: Path) -> Path:
    write(folder / "tiny.yaml", TINY_CENTRE)
    return write(folder / "sweep.yaml", """\
        base: tiny.yaml
        reps: 3
        seed: 5
        grid:
          pools.blended.staffing.flat: [2, 3, 4]
        precision: ["101:asa_s=30%"]
        max_reps: 18
        """)


def test_each_point_of_a_sweep_runs_to_its_own_precision(tmp_path: Path) -> None:
    spec = load_sweep(precision_sweep(tmp_path))
    assert spec.precision is not None and spec.precision.min_reps == 3
    tidy = run_sweep(spec, tmp_path / "out", workers=2)
    table = pd.read_csv(tmp_path / "out" / "precision.csv", dtype={"scope": str})
    assert list(table.columns) == ["point", "point_name", "scope", "kpi", "target",
                                   "required_half_width", "mean", "half_width", "reps", "met"]
    reps = dict(zip(table["point"], table["reps"], strict=True))
    assert len(set(reps.values())) > 1  # the points stopped apart
    assert tidy.groupby("point")["replication"].nunique().to_dict() == reps
    # a point's numbers are its scenario's, replication by replication, 0 … n−1
    for point, n in reps.items():
        mine = tidy[(tidy.point == point) & (tidy.scope == "101") & (tidy.kpi == "asa_s")]
        assert sorted(mine["replication"]) == list(range(n))
        _mean, low, high = t_interval(mine["value"].to_numpy())
        row = table[table.point == point].iloc[0]
        assert row["half_width"] == pytest.approx((high - low) / 2)
        assert bool(row["met"]) == (row["half_width"] <= row["required_half_width"])


def test_an_interrupted_precision_sweep_resumes_to_the_same_tables(tmp_path: Path) -> None:
    spec = load_sweep(precision_sweep(tmp_path))
    whole = run_sweep(spec, tmp_path / "whole", workers=1)
    runs = len(whole[["point", "replication"]].drop_duplicates())

    def stop_after_ten(state: SweepProgress) -> None:
        if state.done >= 10:  # in the second round
            raise KeyboardInterrupt

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, workers=1, progress=stop_after_ten)
    assert not (out / "sweep.parquet").exists()
    kept = {p: p.stat().st_mtime_ns for p in out.glob("runs/*/*/meta.json")}
    assert len(kept) == 10
    seen: list[SweepProgress] = []
    again = run_sweep(spec, out, workers=1, progress=seen.append)
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # nothing finished was rerun
    assert seen[-1].done == runs - 10  # and only what was not finished ran
    pd.testing.assert_frame_equal(again, whole)
    for name in ("precision.csv", "sweep_summary.csv"):
        assert (out / name).read_text() == (tmp_path / "whole" / name).read_text()


def test_the_command_line_sets_a_sweeps_precision(tmp_path: Path) -> None:
    spec = load_sweep(precision_sweep(tmp_path))
    changed = with_precision(spec, ["101:service_level=0.05", "blended:occupancy=3%"], 40)
    assert changed.precision is not None
    assert [str(t) for t in changed.precision.targets] == ["101:service_level=0.05",
                                                           "blended:occupancy=3%"]
    assert (changed.precision.min_reps, changed.precision.max_reps) == (3, 40)
    assert changed.fingerprint == spec.fingerprint  # the same runs: a rerun keeps them
    with pytest.raises(ContactsimError, match="'nine' is not a line or pool of tiny"):
        with_precision(spec, ["nine:asa_s=3"], None)


def test_a_bad_precision_in_a_sweep_file_names_the_file(tmp_path: Path) -> None:
    path = precision_sweep(tmp_path)
    path.write_text(path.read_text().replace("asa_s=30%", "asa=30%"))
    with pytest.raises(ContactsimError, match=r"sweep.yaml: precision '101:asa=30%': 'asa' is "
                                              r"not a KPI \(did you mean asa_s\?\)"):
        load_sweep(path)


def test_a_sweep_file_to_a_precision_needs_three_replications_to_start(tmp_path: Path) -> None:
    path = precision_sweep(tmp_path)
    path.write_text(path.read_text().replace("reps: 3", "reps: 2"))
    with pytest.raises(ContactsimError, match=r"sweep.yaml: precision: a run to a precision "
                                              r"starts from at least 3 replications"):
        load_sweep(path)


def test_the_progress_bar_lengthens_as_batches_are_added() -> None:
    from contactsim.runs.progress import ProgressBar

    with ProgressBar("test") as bar:
        bar.update(86400.0, 5 * 86400.0)
        bar.update(5 * 86400.0, 10 * 86400.0)
        assert bar._bar is not None and (bar._bar.total, bar._bar.n) == (10.0, 5.0)


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture
def here(working_folder: Path, tiny_centre_file: Path) -> Path:
    """A working folder of the test's own, holding tiny.yaml; results/ goes inside it."""
    return working_folder


def test_run_with_precision_says_how_many_replications_and_writes_precision_csv(
        here: Path) -> None:
    result = ok(cli("run", "tiny.yaml", "--precision", "101:asa_s=25%", "--precision",
                    "999:service_level=0.05", "--no-plots", "--workers", "1"))
    assert "precision, 5 replications: 101 asa_s ±" in result.stderr
    table = pd.read_csv(here / "results" / "tiny" / "precision.csv", dtype={"scope": str})
    reps = int(table["reps"].iloc[0])
    assert table["met"].all() and reps > 5
    assert f"precision after {reps} replications (95% intervals):" in result.stdout
    assert f"{reps} replications in " in result.stdout
    summary = pd.read_csv(here / "results" / "tiny" / "summary.csv", dtype={"scope": str})
    assert (summary["reps"] <= reps).all() and summary["reps"].max() == reps


def test_run_with_a_cap_says_which_target_was_not_met(here: Path) -> None:
    result = ok(cli("run", "tiny.yaml", "--precision", "101:asa_s=0.01", "--reps", "4",
                    "--max-reps", "6", "--no-plots", "--workers", "1"))
    assert "precision, 4 replications" in result.stderr
    assert "stopping at --max-reps 6" in result.stderr
    assert "1 of 1 precision targets not met within --max-reps 6" in result.stderr
    assert "precision after 6 replications" in result.stdout and "not met" in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["--precision", "101:asa=5"], "error: --precision '101:asa=5': 'asa' is not a KPI"),
    (["--precision", "pool:asa_s=5"], "'pool' is not a line or pool of tiny"),
    (["--precision", "101:asa_s=5", "--reps", "2"], "starts from at least 3 replications"),
    (["--max-reps", "20"], "--max-reps goes with --precision"),
])
def test_run_refuses_a_bad_precision_before_running(here: Path, args: list[str],
                                                    words: str) -> None:
    result = cli("run", "tiny.yaml", "--no-plots", *args)
    assert result.exit_code == 2 and words in result.output
    assert not (here / "results").exists()


def test_compare_with_precision_judges_the_paired_differences(here: Path) -> None:
    write(here / "more.yaml", TINY_CENTRE.replace("name: tiny", "name: more")
          .replace("staffing: {flat: 2}", "staffing: {flat: 3}"))
    result = ok(cli("compare", "tiny.yaml", "more.yaml", "--precision", "101:asa_s=2",
                    "--no-plots", "--workers", "1", "--out", "cmp"))
    assert "101 asa_s (more − tiny) ±" in result.stdout
    table = pd.read_csv(here / "cmp" / "precision.csv", dtype={"scope": str})
    assert list(table["versus"]) == ["more"] and table["met"].all()
    compared = pd.read_csv(here / "cmp" / "compare.csv", dtype={"scope": str})
    assert (compared["reps"].max(), table["reps"].iloc[0]) == (table["reps"].iloc[0],) * 2


def test_sweep_with_precision_reports_the_points(here: Path) -> None:
    precision_sweep(here)
    result = ok(cli("sweep", "sweep.yaml", "--precision", "101:asa_s=40%", "--max-reps", "12",
                    "--workers", "1", "--out", "sw"))
    assert "3 points to the precision asked" in result.stdout
    assert "precision.csv" in result.stdout
    table = pd.read_csv(here / "sw" / "precision.csv", dtype={"scope": str})
    assert set(table["target"]) == {"40%"} and (table["reps"] <= 12).all()


def test_sweep_max_reps_alone_caps_the_sweep_files_own_targets(here: Path) -> None:
    precision_sweep(here)
    result = ok(cli("sweep", "sweep.yaml", "--max-reps", "4", "--workers", "1", "--out", "sw"))
    assert "up to 4" in result.stdout
    table = pd.read_csv(here / "sw" / "precision.csv", dtype={"scope": str})
    assert set(table["target"]) == {"30%"} and (table["reps"] <= 4).all()
    (here / "plain.yaml").write_text("base: tiny.yaml\nreps: 2\n")
    refused = cli("sweep", "plain.yaml", "--max-reps", "4", "--out", "plain")
    assert refused.exit_code == 2 and "--max-reps goes with --precision" in refused.output


def test_the_python_api_runs_to_a_precision(here: Path) -> None:
    import contactsim

    results = contactsim.run(tiny(), precision={"101:asa_s": "25%"}, workers=1, seed=11)
    reps = results.replications["replication"].nunique()
    fixed = run_scenario(tiny(), reps, 11, workers=1)
    pd.testing.assert_frame_equal(results.summary, fixed.summary)
    with pytest.warns(UserWarning, match="precision not met within max_reps"):
        contactsim.run(tiny(), precision={"101:asa_s": 0.01}, max_reps=6, workers=1)



def test_the_python_api_compares_to_a_precision_as_the_command_line_does(here: Path) -> None:
    import contactsim

    write(here / "more.yaml", TINY_CENTRE.replace("name: tiny", "name: more")
          .replace("staffing: {flat: 2}", "staffing: {flat: 3}"))
    ok(cli("compare", "tiny.yaml", "more.yaml", "--precision", "101:asa_s=2", "--seed", "7",
           "--no-plots", "--workers", "1", "--out", "cmp"))
    on_command_line = pd.read_csv(here / "cmp" / "precision.csv", dtype={"scope": str})
    reps = int(on_command_line["reps"].iloc[0])
    assert on_command_line["met"].all() and reps > 5  # not met at the first check
    comparison = contactsim.compare(["tiny.yaml", "more.yaml"], precision={"101:asa_s": 2},
                                    seed=7, workers=1)
    assert comparison.table["reps"].max() == reps  # it stopped where the command line did
    assert all(run.replications["replication"].nunique() == reps for run in comparison.runs)
    pd.testing.assert_frame_equal(comparison.table, compare_scenarios(
        [run.scenario for run in comparison.runs], reps, 7).table)
    contactsim.compare(["tiny.yaml", "more.yaml"], precision={"101:asa_s": 2}, seed=7,
                       workers=1, out="api", plots=False)
    pd.testing.assert_frame_equal(
        pd.read_csv(here / "api" / "precision.csv", dtype={"scope": str}), on_command_line)
    with pytest.warns(UserWarning, match="precision not met within max_reps: 101 asa_s"):
        capped = contactsim.compare(["tiny.yaml", "more.yaml"], precision={"101:asa_s": 0.01},
                                    reps=3, max_reps=4, workers=1)
    assert capped.table["reps"].max() == 4


# --- coverage on Erlang A ---------------------------------------------------------------------

TRIALS = 200


@pytest.mark.slow
def test_the_rule_covers_the_exact_erlang_a_value_at_its_nominal_rate() -> None:
    """200 independent runs (seeds 0 … 199) of a stationary Erlang A line, each to ±15% of its
    ASA; the 95% interval each run ends with must cover the exact Erlang A ASA in at least 93%
    of them. Measured: 95.5% (191 of 200; service level and abandon rate, which no target
    named, 95.5% and 95%), the runs taking 10–25 replications. Without the look-ahead the same
    seeds give 92.5%, and over seeds 0–999 the two rules give 93.4% and 96.2% (see the README,
    "Precision on demand")."""
    with LocalExecutor(2) as executor:
        found = list(executor.as_completed(trial, [(seed,) for seed in range(TRIALS)]))
    assert sorted(seed for seed, _reps, _covered in found) == list(range(TRIALS))
    reps = np.array([n for _seed, n, _covered in found])
    assert reps.min() >= 10 and np.median(reps) >= 15  # the target is not met at once
    covered = {kpi: sum(c[kpi] for *_, c in found) / TRIALS for kpi in exact()}
    assert covered[TARGET.kpi] >= 0.93, covered
