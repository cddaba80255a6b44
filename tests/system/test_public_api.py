"""The public Python API, used as a planner's script would: only ``import contactsim`` and the
names it exports (load_scenario, run, compare, sweep, Scenario, RunResults, Comparison and the
errors) — no module inside the package is imported here (one test patches where a
comparison's simulations start, to check that a refused folder is refused before them)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import contactsim

WEEK = """\
name: api-week
horizon: {start: 2018-03-05, days: 2}
demand:
  "999": {rate_per_hour: 20}
  "101": {rate_per_hour: 30}
handling:
  "999": {handle_time: {dist: exponential, mean_s: 240}, patience: {dist: exponential, mean_s: 60}}
  "101": {handle_time: {dist: exponential, mean_s: 300}, patience: {dist: exponential, mean_s: 600}}
pools:
  - {name: emergency, skills: ["999"], staffing: {flat: 3}}
  - {name: blended, skills: ["999", "101"], staffing: {flat: 3}}
"""


@pytest.fixture
def week(tmp_path: Path) -> Path:
    path = tmp_path / "week.yaml"
    path.write_text(WEEK, encoding="utf-8")
    return path


def kpi(results: contactsim.RunResults, scope: str, name: str) -> float:
    summary = results.summary
    row = summary[(summary["scope"] == scope) & (summary["kpi"] == name)]
    assert len(row) == 1, (scope, name)
    return float(row["mean"].iloc[0])


def test_the_public_names_are_exported() -> None:
    assert set(contactsim.__all__) >= {"load_scenario", "run", "compare", "sweep", "Scenario",
                                       "RunResults"}
    for name in contactsim.__all__:
        assert getattr(contactsim, name) is not None
    assert set(contactsim.__all__) <= set(dir(contactsim))
    with pytest.raises(AttributeError, match="no attribute 'simulate'"):
        _ = contactsim.simulate  # type: ignore[attr-defined]


def test_importing_contactsim_loads_nothing_heavy() -> None:
    code = textwrap.dedent("""
        import sys, contactsim
        heavy = [m for m in ("pandas", "numpy", "simpy", "pydantic", "matplotlib")
                 if m in sys.modules]
        print(",".join(heavy))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_load_run_and_overrides(week: Path) -> None:
    scenario = contactsim.load_scenario(week)
    assert isinstance(scenario, contactsim.Scenario)
    assert scenario.name == "api-week"
    results = contactsim.run(scenario, reps=3, seed=7, workers=1)
    assert isinstance(results, contactsim.RunResults)
    assert results.seed == 7
    assert sorted(results.replications["replication"].unique()) == [0, 1, 2]
    # the same seed gives the same numbers, from the file or from the loaded scenario
    again = contactsim.run(week, reps=3, seed=7, workers=1)
    assert results.summary.equals(again.summary)
    # an override is the command line's --set; more operators answer sooner
    more = contactsim.load_scenario(week, ["pools.blended.staffing.flat=6"])
    assert more.pools[1].staffing.flat == 6
    busier = kpi(results, "101", "asa_s")
    calmer = kpi(contactsim.run(more, reps=3, seed=7, workers=1), "101", "asa_s")
    assert calmer < busier


def test_run_writes_a_results_folder_and_never_replaces_a_foreign_one(
    week: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results" / "week"
    results = contactsim.run(week, reps=2, seed=3, workers=1, out=out, plots=False)
    names = {p.name for p in out.iterdir()}
    assert {".contactsim-results", "summary.csv", "scenario.resolved.yaml"} <= names
    import pandas as pd

    saved = pd.read_csv(out / "summary.csv")
    assert saved["mean"].to_numpy() == pytest.approx(results.summary["mean"].to_numpy(),
                                                     nan_ok=True)
    # a folder contactsim did not make is never replaced
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("three years of work")
    with pytest.raises(contactsim.ContactsimError, match="not replaced"):
        contactsim.run(week, reps=2, seed=3, workers=1, out=foreign, plots=False)
    assert (foreign / "thesis.docx").read_text() == "three years of work"


def test_compare_pairs_scenarios_on_the_same_callers(week: Path) -> None:
    base = contactsim.load_scenario(week)
    more = contactsim.load_scenario(week, ["pools.blended.staffing.flat=6"])
    comparison = contactsim.compare([base, more], reps=3, seed=11, workers=1)
    assert isinstance(comparison, contactsim.Comparison)
    assert comparison.names == ["api-week", "api-week-2"]
    # the same callers: both scenarios were offered exactly the same 101 calls
    offered = [kpi(run, "101", "offered") for run in comparison.runs]
    assert offered[0] == offered[1]
    assert kpi(comparison.runs[1], "101", "asa_s") < kpi(comparison.runs[0], "101", "asa_s")


def test_sweep_runs_a_grid_and_resumes(week: Path, tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(textwrap.dedent(f"""\
        base: {week}
        reps: 2
        seed: 5
        grid:
          pools.blended.staffing.flat: [3, 5]
        """), encoding="utf-8")
    out = tmp_path / "sweep-out"
    table = contactsim.sweep(sweep_file, out, workers=1, plots=False)
    assert set(table["replication"]) == {0, 1}
    metas = sorted(out.glob("runs/p*/r*/meta.json"))
    assert len(metas) == 4  # two points × two replications, each run in its own folder
    written = {path: path.stat().st_mtime_ns for path in metas}
    again = contactsim.sweep(sweep_file, out, workers=1, plots=False)  # resumes: nothing to do
    assert again.equals(table)
    assert {path: path.stat().st_mtime_ns for path in metas} == written  # no run was redone


def test_a_bad_scenario_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(WEEK.replace("flat: 3}}\n", "flat: -1}}\n", 1), encoding="utf-8")
    with pytest.raises(contactsim.ScenarioError, match=r"pools\[0\]\.staffing\.flat"):
        contactsim.load_scenario(bad)


def test_compare_names_scenarios_by_the_keys_of_a_mapping(week: Path, tmp_path: Path) -> None:
    more = contactsim.load_scenario(week, ["pools.blended.staffing.flat=6"])
    out = tmp_path / "now-against-more"
    comparison = contactsim.compare({"now": week, "six blended": more}, reps=2, seed=11,
                                    workers=1, out=out, plots=False)
    assert comparison.names == ["now", "six blended"]
    assert [run.scenario.name for run in comparison.runs] == ["now", "six blended"]
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["now", "six_blended"]
    with pytest.raises(contactsim.ContactsimError, match="scenario name"):
        contactsim.compare({"..": week, "more": more}, reps=2, workers=1)


def test_compare_refuses_a_foreign_folder_before_simulating(week: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    ran: list[object] = []
    # the one place a comparison's simulations start (a check of order, not of the API)
    monkeypatch.setattr("contactsim.output.saved_runs.compare_scenarios",
                        lambda *args, **kwargs: ran.append(args))
    with pytest.raises(contactsim.ContactsimError, match="not replaced"):
        contactsim.compare([week, week], reps=2, workers=1, out=foreign, plots=False)
    assert ran == []
    assert (foreign / "notes.txt").read_text() == "keep me"
