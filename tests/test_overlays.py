"""Overlays and results folders a planner can trust (issue 13, items 2, 3 and 8).

- ``extends`` merges lists of named things by name: an overlay naming one pool changes that
  pool and keeps the others; a new name is added; ``{name: X, remove: true}`` removes one;
  ``--set`` appends to a list with ``FIELD.+=VALUE``; ``validate`` lists what an overlay and
  ``--set`` change.
- A run with ``--set`` writes to a default folder of its own and says where; replacing the
  results of a different scenario says so.
- A results folder holds copies of its inputs and reruns, moved anywhere, to the same numbers.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.config.overlays import overlay_changes
from contactsim.data.folders import MARKER
from contactsim.errors import ScenarioError

BASE = """\
name: base
horizon: {start: 2018-03-05, days: 2}
demand:
  "999": {rate_per_hour: 3}
  "101": {rate_per_hour: 5}
handling:
  "999": {handle_time: {dist: exponential, mean_s: 240}, patience: {dist: exponential, mean_s: 60}}
  "101": {handle_time: {dist: lognormal, mean_s: 300, cv: 0.6}}
pools:
  - {name: emergency, skills: ["999"], staffing: {flat: 1}}
  - name: blended
    skills: ["999", "101"]
    staffing:
      shifts:
        - {name: early, start: "07:00", length_h: 10, count: 2}
        - {name: late, start: "15:00", length_h: 10, count: 2}
      scale: 1.5
  - {name: non_emergency, skills: ["101"], staffing: {flat: 1}, shrinkage: 0.1}
shrinkage: 0.2
"""


# --- helpers ---------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Write ``text`` (dedented) to ``path``, making its folder, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def overlay(folder: Path, body: str, name: str = "overlay.yaml") -> Path:
    """base.yaml in ``folder`` and an overlay extending it with ``body``."""
    write(folder / "base.yaml", BASE)
    return write(folder / name, "extends: base.yaml\n" + textwrap.dedent(body))


def cli(*args: object) -> Result:
    """The command line as a planner runs it."""
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder of the test's own, holding base.yaml; results/ goes inside it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "base.yaml", BASE)
    return tmp_path


# --- extends: lists of named things merge by name ----------------------------------------------


def test_an_overlay_naming_one_pool_keeps_the_others(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: non_emergency, staffing: {flat: 4}}\n")
    scenario = load_scenario(path).scenario
    assert [p.name for p in scenario.pools] == ["emergency", "blended", "non_emergency"]
    changed = scenario.pools[2]
    assert changed.staffing.flat == 4
    assert (changed.skills, changed.shrinkage) == (("101",), 0.1)  # the rest of the pool kept
    base = load_scenario(tmp_path / "base.yaml").scenario
    assert scenario.pools[:2] == base.pools[:2]


def test_a_pool_of_a_new_name_is_added_at_the_end(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: extra, skills: ['101'], staffing: {flat: 3}}\n")
    pools = load_scenario(path).scenario.pools
    assert [p.name for p in pools] == ["emergency", "blended", "non_emergency", "extra"]
    assert pools[3].staffing.flat == 3


def test_a_pool_is_removed_by_name(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: non_emergency, remove: true}\n")
    assert [p.name for p in load_scenario(path).scenario.pools] == ["emergency", "blended"]


@pytest.mark.parametrize(("body", "field", "expected"), [
    ("pools:\n  - {name: nobody, remove: true}\n", "pools.nobody",
     "a name the base gives, to remove"),
    ("pools:\n  - {name: blended, remove: yes, skills: ['101']}\n", "pools.blended.remove",
     "and nothing else"),
    ("pools:\n  - {name: extra, skills: ['101'], staffing: {flat: 1}}\n"
     "  - {name: extra, skills: ['999'], staffing: {flat: 1}}\n", "pools.extra", "each name once"),
])
def test_a_removal_or_a_name_that_cannot_be_meant_is_refused(
    tmp_path: Path, body: str, field: str, expected: str
) -> None:
    path = overlay(tmp_path, body)
    with pytest.raises(ScenarioError, match=expected) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.field == field
    assert problem.file == str(path.resolve())


def test_named_shifts_merge_by_name_and_the_staffing_keeps_its_scale(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        pools:
          - name: blended
            staffing:
              shifts:
                - {name: late, count: 3}
                - {name: evening, start: "18:00", length_h: 6, count: 1}
        """)
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert [(s.name, s.start, s.count) for s in staffing.shifts or ()] == [
        ("early", "07:00", 2), ("late", "15:00", 3), ("evening", "18:00", 1)]
    assert staffing.scale == 1.5


def test_shifts_without_names_replace_whole(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        pools:
          - name: blended
            staffing:
              shifts: [{start: "08:00", length_h: 8, count: 4}]
        """)
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert [(s.start, s.count) for s in staffing.shifts or ()] == [("08:00", 4)]
    assert staffing.scale == 1.5


def test_a_staffing_plan_of_another_kind_takes_the_place_of_the_base_s(tmp_path: Path) -> None:
    path = overlay(tmp_path, "pools:\n  - {name: blended, staffing: {flat: 6}}\n")
    staffing = load_scenario(path).scenario.pools[1].staffing
    assert (staffing.flat, staffing.shifts, staffing.scale) == (6, None, 1.5)


def test_a_problem_is_blamed_on_the_file_that_gave_the_pool(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", BASE.replace("staffing: {flat: 1}, shrinkage: 0.1",
                                               "staffing: {flat: many}"))
    path = write(tmp_path / "overlay.yaml", "extends: base.yaml\npools:\n"
                 "  - {name: emergency, remove: true}\n"
                 "  - {name: extra, skills: ['999'], staffing: {flat: lots}}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    blamed = {p.field: p.file for p in caught.value.problems}
    # emergency removed: non_emergency is now pools[1], extra pools[2]
    assert blamed == {"pools[1].staffing.flat": str((tmp_path / "base.yaml").resolve()),
                      "pools[2].staffing.flat": str(path.resolve())}


# --- --set appends ----------------------------------------------------------------------------


def test_set_appends_a_shift_and_a_pool(tmp_path: Path) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    scenario = load_scenario(path, [
        'pools.blended.staffing.shifts.+={start: "20:00", length_h: 8, count: 5}',
        "pools.+={name: extra, skills: ['101'], staffing: {flat: 2}}",
    ]).scenario
    shifts = scenario.pools[1].staffing.shifts or ()
    assert [(s.start, s.count) for s in shifts] == [("07:00", 2), ("15:00", 2), ("20:00", 5)]
    assert [p.name for p in scenario.pools] == ["emergency", "blended", "non_emergency", "extra"]


def test_set_null_removes_a_list_entry(tmp_path: Path) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    scenario = load_scenario(path, ["pools.non_emergency=null",
                                    "pools.blended.staffing.shifts.early=null"]).scenario
    assert [p.name for p in scenario.pools] == ["emergency", "blended"]
    assert [s.name for s in scenario.pools[1].staffing.shifts or ()] == ["late"]


@pytest.mark.parametrize(("override", "expected"), [
    ("pools.blended.staffing.shifts.5={start: '08:00', length_h: 8, count: 5}",
     r"an index below 2 or a name among \['early', 'late'\] \(or "
     r"pools\.blended\.staffing\.shifts\.\+=VALUE to append"),
    ("shrinkage.+=0.1", "shrinkage to be a list to append to"),
    ("pools.+.name=x", r"\+ only at the end"),
])
def test_set_tells_how_to_append(tmp_path: Path, override: str, expected: str) -> None:
    path = write(tmp_path / "base.yaml", BASE)
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(path, [override])


# --- validate says what an overlay changes ----------------------------------------------------


def test_overlay_changes_lists_added_changed_and_removed_fields(tmp_path: Path) -> None:
    path = overlay(tmp_path, """\
        name: variant
        shrinkage: 0.25
        pools:
          - {name: non_emergency, remove: true}
          - name: blended
            staffing:
              shifts: [{name: evening, start: "18:00", length_h: 6, count: 1}]
        """)
    changes = overlay_changes(path, ["pools.blended.staffing.scale=1.2"])
    assert changes.base == (tmp_path / "base.yaml").resolve()
    shown = [str(change) for change in changes.from_base]
    assert shown == [
        "changed name: base → variant",
        "added   pools.blended.staffing.shifts.evening: {start: '18:00', length_h: 6, count: 1}",
        "removed pools.non_emergency",
        "changed shrinkage: 0.2 → 0.25",
    ]
    assert [str(c) for c in changes.from_overrides] == [
        "changed pools.blended.staffing.scale: 1.5 → 1.2"]


def test_validate_prints_what_an_overlay_and_set_change(here: Path) -> None:
    write(here / "overlay.yaml", "extends: base.yaml\npools:\n"
          "  - {name: non_emergency, staffing: {flat: 3}}\n")
    result = ok(cli("validate", "overlay.yaml", "--set", "shrinkage=0.3"))
    lines = result.output.splitlines()
    assert lines[0].startswith("overlay.yaml: ok — base:")
    assert "pools emergency, blended, non_emergency" in lines[0]
    assert lines[1:] == [
        "  1 change against base.yaml (extends):",
        "    changed pools.non_emergency.staffing.flat: 1 → 3",
        "  1 change by --set:",
        "    changed shrinkage: 0.2 → 0.3",
    ]
    # a file without extends, without --set: one line, as before
    assert len(ok(cli("validate", "base.yaml")).output.splitlines()) == 1


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
