"""Results folders of overlaid scenarios a planner can trust (issue 13, items 3 and 8).

- A run with ``--set`` writes to a default folder of its own and says where; replacing the
  results of a different scenario says so.
- A results folder holds copies of its inputs and reruns, moved anywhere, to the same numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from contactsim.build.loading import load_scenario
from contactsim.data.folders import MARKER
from helpers.cli import cli, ok
from helpers.scenarios import write

# --- results folders: a run with --set has its own; replacing another scenario's is said ------


def test_a_run_with_set_writes_to_its_own_folder_and_says_where(here: Path) -> None:
    ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots"))
    plain = (here / "results/base/summary.csv").read_bytes()
    result = ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots",
                    "--set", "shrinkage=0.5"))
    (own,) = [p for p in (here / "results").iterdir() if p.name != "base"]
    assert own.name.startswith("base-set-") and len(own.name) == len("base-set-") + 6
    assert f"results in results/{own.name}/" in result.stdout
    assert f"a folder of its own: results/{own.name}/" in result.stderr
    assert (here / "results/base/summary.csv").read_bytes() == plain  # untouched
    # the same overrides go to the same folder; others to another
    ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots",
           "--set", "shrinkage=0.5"))
    ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots",
           "--set", "shrinkage=0.4"))
    assert len(list((here / "results").iterdir())) == 3


def test_a_compare_with_set_writes_to_its_own_folder(here: Path) -> None:
    write(here / "other.yaml", "extends: base.yaml\nname: other\nshrinkage: 0.3\n")
    result = ok(cli("compare", "base.yaml", "other.yaml", "--reps", 2, "--workers", 1,
                    "--no-plots", "--set", "horizon.days=1"))
    (folder,) = (here / "results").iterdir()
    assert folder.name.startswith("compare-base-other-set-")
    assert f"results in results/{folder.name}/" in result.stdout


def test_the_marker_records_the_scenario_s_digest_seed_and_reps(here: Path) -> None:
    ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots", "--seed", 4,
           "--out", "results/r"))
    marker = json.loads((here / "results/r" / MARKER).read_text())
    assert marker["made_by"] == "contactsim" and marker["command"] == "run"
    assert (marker["scenario"], marker["seed"], marker["reps"]) == ("base", 4, 2)
    assert len(marker["scenario_digest"]) == 16


def test_replacing_a_different_scenario_s_results_says_so(here: Path) -> None:
    run = ("run", "--reps", 2, "--workers", 1, "--no-plots", "--out", "results/x")
    ok(cli(run[0], "base.yaml", *run[1:]))
    # the same scenario again (another seed, more replications): nothing to say
    again = ok(cli(run[0], "base.yaml", *run[1:], "--seed", 9))
    assert "replacing" not in again.output
    write(here / "other.yaml", "extends: base.yaml\nname: other\n")
    other = ok(cli(run[0], "other.yaml", *run[1:]))
    assert ("note: replacing results/x/, which holds the results of a different scenario "
            "(base; seed 9, 2 replications;") in other.stderr
    assert "Ctrl-C before then keeps them" in other.stderr
    # a --set that changes the scenario counts as a different one, and is named
    ok(cli(run[0], "other.yaml", *run[1:], "--set", "shrinkage=0.4"))
    last = ok(cli(run[0], "other.yaml", *run[1:]))
    assert "different scenario (other with --set shrinkage=0.4; seed 2018" in last.stderr


def test_a_compare_replacing_a_run_says_so(here: Path) -> None:
    ok(cli("run", "base.yaml", "--reps", 2, "--workers", 1, "--no-plots", "--out", "results/x"))
    result = ok(cli("compare", "base.yaml", "base.yaml", "--reps", 2, "--workers", 1,
                    "--no-plots", "--out", "results/x"))
    assert "replacing results/x/, which holds the results of contactsim run" in result.stderr


# --- a results folder reruns wherever it is moved ---------------------------------------------


def profile(path: Path, evening: float) -> Path:
    rows = ["component,key,weight"]
    rows += [f"hour_of_week,{h},{evening if h % 24 >= 18 else 1.0}" for h in range(168)]
    rows += [f"month,{m},1" for m in range(1, 13)]
    return write(path, "\n".join(rows) + "\n")


@pytest.fixture
def with_inputs(tmp_path: Path) -> Path:
    """A scenario naming a profile per line (two files both called 101.csv), a per_interval
    staffing CSV and an empirical sample, in folders of their own."""
    data = tmp_path / "project"
    profile(data / "profiles" / "101.csv", 3.0)
    profile(data / "other" / "101.csv", 0.5)  # the same file name: must not collide
    write(data / "staffing" / "blended.csv", "hour_of_week,operators\n"
          + "".join(f"{h},{2 + (h % 24 >= 8)}\n" for h in range(168)))
    write(data / "samples" / "handle.csv",
          "seconds\n" + "".join(f"{120 + 7 * i}\n" for i in range(40)))
    return write(data / "scenarios" / "inputs.yaml", """\
        name: inputs
        horizon: {start: 2018-03-05, days: 2}
        demand:
          "101": {annual_volume: 40000, profile: ../profiles/101.csv}
          "999": {annual_volume: 20000, profile: ../other/101.csv}
        handling:
          "101": {handle_time: {dist: empirical, file: ../samples/handle.csv}}
          "999": {handle_time: {dist: exponential, mean_s: 240},
                  patience: {dist: exponential, mean_s: 120}}
        pools:
          - {name: emergency, skills: ["999"], staffing: {flat: 1}}
          - name: blended
            skills: ["999", "101"]
            staffing: {per_interval: ../staffing/blended.csv}
        shrinkage: 0.2
        """)


def test_a_moved_results_folder_reruns_to_the_same_numbers(
    with_inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results" / "inputs"
    ok(cli("run", with_inputs, "--reps", 3, "--workers", 1, "--no-plots", "--out", out))
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["demand"]["101"]["profile"] == "inputs/101.csv"
    assert resolved["demand"]["999"]["profile"] == "inputs/101-2.csv"
    assert resolved["pools"][1]["staffing"]["per_interval"] == "inputs/blended.csv"
    assert resolved["handling"]["101"]["handle_time"]["file"] == "inputs/handle.csv"
    assert sorted(p.name for p in (out / "inputs").iterdir()) == [
        "101-2.csv", "101.csv", "blended.csv", "handle.csv"]
    assert str(tmp_path) not in (out / "scenario.resolved.yaml").read_text()  # no absolute path
    # mail it: the folder moves elsewhere, and the project's files are gone
    elsewhere = tmp_path / "colleague"
    elsewhere.mkdir()
    moved = Path(shutil.move(str(out), str(elsewhere / "inputs-run")))
    shutil.rmtree(with_inputs.parent.parent)
    again = tmp_path / "again"
    ok(cli("run", moved / "scenario.resolved.yaml", "--reps", 3, "--workers", 1, "--no-plots",
           "--out", again))
    assert (again / "summary.csv").read_text() == (moved / "summary.csv").read_text()
    # and the rerun's own folder reruns too (its inputs are copied from the moved folder)
    assert sorted(p.name for p in (again / "inputs").iterdir()) == [
        "101-2.csv", "101.csv", "blended.csv", "handle.csv"]


def test_rerunning_the_moved_scenario_into_its_own_folder_is_the_same_scenario(
    with_inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results" / "inputs"
    ok(cli("run", with_inputs, "--reps", 2, "--workers", 1, "--no-plots", "--out", out))
    moved = Path(shutil.move(str(out), str(tmp_path / "moved")))
    result = ok(cli("run", moved / "scenario.resolved.yaml", "--reps", 2, "--workers", 1,
                    "--no-plots", "--out", moved))
    assert "different scenario" not in result.output  # the digest counts files by content
    assert (moved / "inputs" / "101.csv").exists()


def test_a_large_input_is_named_relative_to_the_folder_not_copied(
    with_inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contactsim.data.portable.MAX_COPIED_INPUT_BYTES", 1000)  # profiles: ~4 kB
    out = tmp_path / "results" / "inputs"
    result = ok(cli("run", with_inputs, "--reps", 2, "--workers", 1, "--no-plots",
                    "--out", out))
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["demand"]["101"]["profile"] == "../../project/profiles/101.csv"
    assert resolved["handling"]["101"]["handle_time"]["file"] == "inputs/handle.csv"
    assert "101.csv (" in result.stderr and "was not copied" in result.stderr
    # the folder and the project move together: it still reruns
    moved = tmp_path / "moved"
    moved.mkdir()
    for part in ("project", "results"):
        shutil.move(str(tmp_path / part), str(moved / part))
    again = moved / "again"
    ok(cli("run", moved / "results/inputs/scenario.resolved.yaml", "--reps", 2, "--workers", 1,
           "--no-plots", "--out", again))
    assert (again / "summary.csv").read_text() == (
        moved / "results/inputs/summary.csv").read_text()


def test_a_comparison_keeps_each_run_s_inputs(with_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    ok(cli("compare", with_inputs, with_inputs, "--reps", 2, "--workers", 1, "--no-plots",
           "--set", "horizon.days=1", "--out", out))
    for run in (out / "runs").iterdir():
        assert (run / "inputs" / "blended.csv").exists()
        assert load_scenario(run / "scenario.resolved.yaml").scenario.pools[1].staffing \
            .per_interval == str((run / "inputs" / "blended.csv").resolve())
