"""The command line end to end, through click's CliRunner: run, validate, erlang, --help."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from contactsim.analysis import erlang
from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.config.scenario import Scenario
from helpers.cli import invoke
from helpers.scenarios import CONTRACT, TINY_CENTRE, write

RESULT_FILES = {
    ".contactsim-results",
    "summary.csv",
    "replications.parquet",
    "intervals.parquet",
    "scenario.resolved.yaml",
    "days.csv",  # the tiny centre's one day is measured whole: its bad days
    "bad_days.csv",
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- helpers ---------------------------------------------------------------------------------


def run_tiny(scenario: Path, out: Path, *extra: object) -> Result:
    """``contactsim run`` with two replications on one worker."""
    result = invoke("run", scenario, "--reps", 2, "--workers", 1, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return result


def leftovers(out: Path) -> list[str]:
    """Hidden temporary folders of ``out`` left in its parent."""
    if not out.parent.exists():
        return []
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def with_defaults_and_seed(scenario: Scenario, seed: int) -> Scenario:
    """``scenario`` with the defaults a resolved file spells out, and ``seed``."""
    handling = {
        line: spec.model_copy(update={"service_level_s": scenario.service_level_s(line)})
        for line, spec in scenario.handling.items()
    }
    routing = scenario.routing.model_copy(update={"priority": scenario.lines})
    return scenario.model_copy(update={"seed": seed, "handling": handling, "routing": routing})


def table_rows(output: str) -> dict[int, list[float]]:
    """The numeric rows of an ``erlang`` table, by number of agents (shares, printed in %, as
    fractions)."""
    rows = {}
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0].isdigit() and len(cells) == 6:
            rows[int(cells[0])] = [float(cell[:-1]) / 100 if cell.endswith("%") else float(cell)
                                   for cell in cells[1:]]
    return rows


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """One run of the tiny scenario with plots and seed 7: (scenario file, results, result)."""
    folder = tmp_path_factory.mktemp("tiny")
    scenario = write(folder / "tiny.yaml", TINY_CENTRE)
    out = folder / "results" / "tiny"
    result = run_tiny(scenario, out, "--seed", 7)
    return scenario, out, result


# --- run -------------------------------------------------------------------------------------


def test_run_writes_exactly_the_result_files_and_plots(tiny_run: tuple[Path, Path, Result]) -> None:
    _, out, result = tiny_run
    names = {p.name for p in out.iterdir()}
    pngs = {name for name in names if name.endswith(".png")}
    assert names - pngs == RESULT_FILES
    assert pngs  # at least one plot
    for name in pngs:
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
    assert leftovers(out) == []
    assert str(out) in result.stdout
    assert "seed 7" in result.stdout


def test_run_summary_csv(tiny_run: tuple[Path, Path, Result]) -> None:
    _, out, _ = tiny_run
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str})
    assert list(summary.columns) == ["scope", "kpi", "mean", "ci_low", "ci_high", "reps"]
    assert {"999", "101", "emergency", "blended"} <= set(summary["scope"])
    line_kpis = set(summary.loc[summary["scope"] == "101", "kpi"])
    assert {"offered", "answered", "abandoned", "abandon_rate", "asa_s", "wait_p90_s",
            "service_level"} <= line_kpis
    assert "occupancy" in set(summary.loc[summary["scope"] == "blended", "kpi"])
    offered = summary[summary["kpi"] == "offered"].set_index("scope")
    assert (offered.loc[["999", "101"], "reps"] == 2).all()
    assert (offered["ci_low"] <= offered["mean"]).all()
    assert (offered["mean"] <= offered["ci_high"]).all()


def test_run_replications_parquet_agrees_with_the_summary(
    tiny_run: tuple[Path, Path, Result],
) -> None:
    _, out, _ = tiny_run
    replications = pd.read_parquet(out / "replications.parquet")
    assert list(replications.columns) == ["replication", "scope", "kpi", "value"]
    assert set(replications["replication"]) == {0, 1}
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str})
    offered = replications[replications["kpi"] == "offered"].groupby("scope")["value"].mean()
    means = summary[summary["kpi"] == "offered"].set_index("scope")["mean"]
    for line in ("999", "101"):
        assert means[line] == pytest.approx(offered[line])
        # about 5 or 3 calls an hour for 24 hours, well away from zero
        assert 0 < offered[line] < 24 * 20


def test_run_intervals_parquet(tiny_run: tuple[Path, Path, Result]) -> None:
    _, out, _ = tiny_run
    intervals = pd.read_parquet(out / "intervals.parquet")
    expected = {"replication", "interval_start", "line", "offered", "answered", "abandoned",
                "asa_s", "service_level"}
    assert expected <= set(intervals.columns)
    # the lines' rows, then each pool's: time on the phones, busy, occupancy
    lines = intervals[intervals["line"].notna()]
    assert len(lines) == 2 * 24 * 2  # replications × hours × lines
    assert set(lines["line"].astype(str)) == {"999", "101"}
    pools = intervals[intervals["pool"].notna()]
    assert len(pools) == 2 * 24 * intervals["pool"].nunique()
    assert {"staffed_s", "busy_s", "occupancy"} <= set(pools.columns)
    assert (pools["busy_s"] <= pools["staffed_s"] + 1e-6).all()
    starts = pd.to_datetime(intervals["interval_start"])
    assert starts.min() == pd.Timestamp("2018-03-05 00:00")
    assert starts.max() == pd.Timestamp("2018-03-05 23:00")


def test_resolved_scenario_loads_again_to_an_equal_scenario_with_the_seed(
    tiny_run: tuple[Path, Path, Result],
) -> None:
    scenario_path, out, _ = tiny_run
    resolved_path = out / "scenario.resolved.yaml"
    assert yaml.safe_load(resolved_path.read_text())["seed"] == 7
    original = load_scenario(scenario_path).scenario
    reloaded = load_scenario(resolved_path).scenario
    assert reloaded.seed == 7
    assert reloaded == with_defaults_and_seed(original, 7)
    assert reloaded.service_level_s("999") == 10.0  # the default, written out
    assert reloaded.service_level_s("101") == 30.0


def test_resolved_scenario_reproduces_the_run(
    tiny_run: tuple[Path, Path, Result], tmp_path: Path
) -> None:
    _, out, _ = tiny_run
    again = tmp_path / "again"
    run_tiny(out / "scenario.resolved.yaml", again, "--no-plots")
    first = pd.read_parquet(out / "replications.parquet")
    second = pd.read_parquet(again / "replications.parquet")
    pd.testing.assert_frame_equal(first, second)


def test_run_with_no_plots_writes_no_png(tmp_path: Path, tiny_centre_file: Path) -> None:
    scenario = tiny_centre_file
    out = tmp_path / "out"
    run_tiny(scenario, out, "--no-plots")
    assert {p.name for p in out.iterdir()} == RESULT_FILES


def test_rerun_into_the_same_folder_replaces_it(tmp_path: Path, tiny_centre_file: Path) -> None:
    scenario = tiny_centre_file
    out = tmp_path / "out"
    run_tiny(scenario, out, "--seed", 1)  # with plots: files the next run does not write
    assert any(p.suffix == ".png" for p in out.iterdir())
    run_tiny(scenario, out, "--no-plots", "--seed", 2)
    assert {p.name for p in out.iterdir()} == RESULT_FILES
    assert load_scenario(out / "scenario.resolved.yaml").scenario.seed == 2
    assert leftovers(out) == []


def test_failed_rerun_leaves_the_previous_results_whole(
    tmp_path: Path, tiny_centre_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tiny_centre_file
    out = tmp_path / "out"
    run_tiny(scenario, out, "--no-plots", "--seed", 1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_plots(folder: Path) -> None:
        raise RuntimeError("plotting failed")

    monkeypatch.setattr("contactsim.output.saved_runs.plot_run", broken_plots)
    result = CliRunner().invoke(main, ["run", str(scenario), "--reps", "2", "--workers", "1",
                                       "--seed", "2", "--out", str(out)])
    assert result.exit_code == 1  # an unexpected failure: a bug, shown without a traceback
    assert "failed unexpectedly (RuntimeError: plotting failed)" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(out) == []


@pytest.mark.parametrize(
    ("old", "new", "overrides", "expected"),
    [
        ("{flat: 1}", "{flat: many}", [], r"pools\[0\]\.staffing\.flat: got 'many'"),
        ("name: tiny", "name: tiny\nshrinkge: 0.3", [], "did you mean 'shrinkage'"),
        ("name: tiny", "name: tiny", ["--set", "pools.nosuch.staffing.flat=3"], r"pools\.nosuch"),
        ("{flat: 1}", "{per_interval: nope.csv}", [], "an existing staffing CSV"),
    ],
)
def test_run_with_a_bad_scenario_exits_2_and_writes_nothing(
    tmp_path: Path, old: str, new: str, overrides: list[str], expected: str
) -> None:
    assert old in TINY_CENTRE
    scenario = write(tmp_path / "bad.yaml", TINY_CENTRE.replace(old, new))
    out = tmp_path / "results" / "bad"
    result = invoke("run", scenario, "--reps", 2, "--workers", 1, "--out", out, *overrides)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: the scenario cannot be used" in result.stderr
    assert re.search(expected, result.stderr), result.stderr
    if not overrides:
        assert str(scenario) in result.stderr
    assert not out.exists()
    assert leftovers(out) == []


def test_run_refuses_a_python_tag_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "hacked"
    evil = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    scenario = write(tmp_path / "evil.yaml", evil)
    out = tmp_path / "out"
    result = invoke("run", scenario, "--reps", 1, "--workers", 1, "--out", out)
    assert result.exit_code == 2
    assert not marker.exists()
    assert not out.exists()
    assert leftovers(out) == []


def test_run_of_a_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", tmp_path / "nowhere.yaml", "--out", out)
    assert result.exit_code == 2
    assert "an existing scenario file" in result.stderr
    assert not out.exists()


# --- the contract scenario -------------------------------------------------------------------


def test_contract_scenario_runs_as_written(tmp_path: Path, contract_file: Path) -> None:
    scenario = contract_file
    out = tmp_path / "out"
    result = run_tiny(scenario, out, "--set", "horizon.days=3", "--no-plots")
    assert "101" in result.stdout
    resolved = load_scenario(out / "scenario.resolved.yaml").scenario
    assert (resolved.horizon.days, resolved.horizon.warmup_hours) == (3.0, 24.0)
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str}).set_index(["scope", "kpi"])
    # 114 calls an hour over the 48 measured hours, 2 replications: about 5472 ± 52
    assert summary.loc[("101", "offered"), "mean"] == pytest.approx(114 * 48, rel=0.05)
    # 9.5 Erlangs on 50 operators: nearly nobody waits, occupancy about 9.5 / 50
    assert summary.loc[("101", "service_level"), "mean"] > 0.99
    assert summary.loc[("all", "occupancy"), "mean"] == pytest.approx(9.5 / 50, abs=0.02)
    replications = pd.read_parquet(out / "replications.parquet")
    line = replications[replications["scope"] == "101"].pivot(
        index="replication", columns="kpi", values="value"
    )
    assert len(line) == 2
    ended = line["answered"] + line["abandoned"] + line["waiting_end"]
    assert (line["offered"] == ended).all()


# --- validate --------------------------------------------------------------------------------


def test_validate_all_valid_exits_0(tmp_path: Path) -> None:
    first = write(tmp_path / "tiny.yaml", TINY_CENTRE)
    second = write(tmp_path / "contract.yaml", CONTRACT)
    result = invoke("validate", first, second)
    assert result.exit_code == 0, result.output
    assert f"{first}: ok" in result.stdout
    assert f"{second}: ok" in result.stdout
    assert "INVALID" not in result.output
    assert set(tmp_path.iterdir()) == {first, second}  # validating writes nothing


def test_validate_any_invalid_exits_2_and_names_it(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", TINY_CENTRE)
    bad = write(tmp_path / "bad.yaml",
                TINY_CENTRE.replace("{flat: 2}}", "{flat: 2}, shrinkage: 1.5}"))
    result = invoke("validate", good, bad)
    assert result.exit_code == 2
    assert f"{good}: ok" in result.stdout
    assert f"{bad}: INVALID" in result.stderr
    assert "pools[1].shrinkage: got 1.5" in result.stderr
    assert f"{good}: INVALID" not in result.output


def test_validate_applies_set_overrides(tiny_centre_file: Path) -> None:
    scenario = tiny_centre_file
    assert invoke("validate", scenario, "--set", "shrinkage=0.3").exit_code == 0
    result = invoke("validate", scenario, "--set", "shrinkage=3")
    assert result.exit_code == 2
    assert "shrinkage: got 3" in result.stderr


# --- erlang ----------------------------------------------------------------------------------


def test_erlang_a_prints_a_table_for_an_agent_range() -> None:
    result = invoke("erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", "48-50",
                    "--patience-s", 180)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Erlang A")
    rows = table_rows(result.stdout)
    assert sorted(rows) == [48, 49, 50]
    for agents, (p_wait, p_abandon, asa_s, service_level, occupancy) in rows.items():
        assert occupancy == pytest.approx(9.5 / agents, abs=1e-4)
        assert 0 <= p_abandon <= p_wait < 1e-3
        assert asa_s < 0.1
        assert service_level > 0.999


def test_erlang_a_table_matches_the_library() -> None:
    result = invoke("erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", "9-11",
                    "--patience-s", 180, "--service-level-s", 15)
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert sorted(rows) == [9, 10, 11]
    for agents, printed in rows.items():
        m = erlang.erlang_a(114, 300, 180, agents, 15)
        expected = [m.p_wait, m.p_abandon, m.asa_s, m.service_level, m.occupancy]
        assert printed == pytest.approx(expected, abs=0.051)
        assert printed[1] > 0.01  # callers do abandon here


def erlang_c_by_hand(rate_per_hour: float, handle_s: float, agents: int,
                     threshold_s: float) -> tuple[float, float, float]:
    """P(wait), ASA and service level of M/M/n, from the textbook formula."""
    load = rate_per_hour * handle_s / 3600
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    p_wait = top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)
    asa_s = p_wait * handle_s / (agents - load)
    service_level = 1 - p_wait * math.exp(-(agents - load) * threshold_s / handle_s)
    return p_wait, asa_s, service_level


def test_erlang_c_without_patience() -> None:
    result = invoke("erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", "9-12")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Erlang C")
    assert "unstable" in result.stdout  # 9 agents for 9.5 Erlangs
    rows = table_rows(result.stdout)
    assert sorted(rows) == [10, 11, 12]
    for agents, (p_wait, p_abandon, asa_s, service_level, occupancy) in rows.items():
        # no --line: a line other than 999, whose threshold is 60 s as in a scenario
        want_wait, want_asa, want_sl = erlang_c_by_hand(114, 300, agents, 60)
        assert p_wait == pytest.approx(want_wait, abs=1e-4)
        assert asa_s == pytest.approx(want_asa, abs=0.051)
        assert service_level == pytest.approx(want_sl, abs=1e-4)
        assert p_abandon == 0
        assert occupancy == pytest.approx(9.5 / agents, abs=1e-4)


def test_erlang_single_agent_count() -> None:
    result = invoke("erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", "12")
    assert result.exit_code == 0
    assert sorted(table_rows(result.stdout)) == [12]


def test_erlang_bad_agents_is_a_usage_error() -> None:
    result = invoke("erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", "many")
    assert result.exit_code == 2
    assert "--agents" in result.stderr


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ([], ["run", "validate", "erlang"]),
        (["run"], ["--reps", "--seed", "--out", "--workers", "--no-plots", "--set"]),
        (["validate"], ["SCENARIOS", "--set"]),
        (["erlang"], ["--rate-per-hour", "--handle-s", "--agents", "--patience-s"]),
    ],
)
def test_help_works_for_each_command(command: list[str], mentions: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage:")
    for text in mentions:
        assert text in result.stdout


def test_a_warning_reads_as_one_line_of_ours(
    tiny_centre_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warning raised while a command runs (a Dask worker on another version, say) is
    printed as ``warning: …``, not as Python's ``file:line: UserWarning`` with the source line
    under it; with --debug, as Python prints it."""
    import warnings

    python_s = warnings.formatwarning
    monkeypatch.setattr(warnings, "formatwarning", python_s)  # put back after the test
    debug = CliRunner().invoke(main, ["--debug", "validate", str(tiny_centre_file)])
    assert debug.exit_code == 0, debug.output
    assert warnings.formatwarning is python_s
    plain = CliRunner().invoke(main, ["validate", str(tiny_centre_file)])
    assert plain.exit_code == 0, plain.output
    shown = warnings.formatwarning(UserWarning("two Dask workers run another version"),
                                   UserWarning, "dask_executor.py", 185)
    assert shown == "warning: two Dask workers run another version\n"
