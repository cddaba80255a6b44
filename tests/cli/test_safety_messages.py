"""Bad input and faults give a message, not a traceback, and nothing written (issue 12): files
that are not UTF-8, impossible dates, a full disk, unexpected failures, values that would be
silently wrong (true for a number, a key given twice), and what a hostile review of the first
version found. Driven through the command line, as in ``test_safety.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsim import limits
from contactsim.cli.main import main
from contactsim.data.folders import MARKER
from helpers.cli import cli
from helpers.safety import refused, scenario_file

# --- 4. messages, not tracebacks --------------------------------------------------------------


def test_a_scenario_that_is_not_utf8_is_a_message(here: Path) -> None:
    (here / "latin.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    refused(cli("run", "latin.yaml"), "latin.yaml", "UTF-8", "line 1")
    (here / "ext.yaml").write_text("extends: latin.yaml\nname: x\n")
    refused(cli("validate", "ext.yaml"), "latin.yaml", "UTF-8")


def test_an_impossible_date_is_a_message(here: Path) -> None:
    scenario_file(here, "horizon: {start: 2018-02-30, days: 1}\n")
    refused(cli("validate", "bad.yaml"), "bad.yaml: line 2, column 18: got '2018-02-30'",
            "a real date")


def test_a_full_disk_is_an_environment_fault(here: Path) -> None:
    disk = here / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(disk)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        out = disk / "results"
        result = cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--out", out)
        refused(result, "No space left on device", status=1)
        assert os.listdir(disk) == []  # nothing partial left behind
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_keeps_the_earlier_results(here: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = here / "results" / "tiny"
    assert cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--no-plots",
               "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "intervals.parquet")

    monkeypatch.setattr("pandas.DataFrame.to_parquet", full)
    refused(cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--no-plots", "--out", out),
            "No space left on device", "earlier results are kept", status=1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny"]


def test_scheduler_and_local_dask_together_are_refused(here: Path) -> None:
    refused(cli("run", "tiny.yaml", "--scheduler", "tcp://127.0.0.1:1", "--dask-local", 2),
            "--scheduler", "--dask-local", "not both")
    assert not (here / "results").exists()


def test_an_unexpected_failure_is_one_line_and_debug_shows_it(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("somewhere deep")

    monkeypatch.setattr("contactsim.output.saved_runs.run_scenario", broken)
    refused(cli("run", "tiny.yaml", "--reps", 2), "failed unexpectedly", "somewhere deep",
            "--debug", status=1)
    result = CliRunner().invoke(main, ["--debug", "run", "tiny.yaml", "--reps", "2"])
    assert isinstance(result.exception, ZeroDivisionError)
    assert not (here / "results").exists()


# --- 7. silently wrong ------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ('demand: {"101": {rate_per_hour: true}}\n', "demand.101.rate_per_hour"),
    # a pool of a new name is added after tiny.yaml's two (pools merge by name in extends)
    ("pools: [{name: e, skills: ['999', '101'], staffing: {flat: yes}}]\n",
     "pools[2].staffing.flat"),
    ("horizon: {days: false}\n", "horizon.days"),
])
def test_true_or_false_is_not_a_number(here: Path, body: str, field: str) -> None:
    scenario_file(here, body)
    refused(cli("validate", "bad.yaml"), field, "not a number")


def test_a_key_given_twice_names_both_lines(here: Path) -> None:
    scenario_file(here, """\
        name: twice
        shrinkage: 0.2
        shrinkage: 0.3
        """)
    refused(cli("validate", "bad.yaml"), "bad.yaml", "'shrinkage' twice", "lines 3 and 4")
    scenario_file(here, 'handling:\n  999: {service_level_s: 5}\n  "999": {service_level_s: 9}\n')
    refused(cli("validate", "bad.yaml"), "'999' twice", "lines 3 and 4")


@pytest.mark.slow
def test_an_unreachable_scheduler_is_an_environment_fault(here: Path) -> None:
    started = time.perf_counter()
    refused(cli("run", "tiny.yaml", "--reps", 2, "--scheduler", "tcp://127.0.0.1:1"),
            "tcp://127.0.0.1:1", "could not be reached", status=1)
    assert time.perf_counter() - started < 30
    assert not (here / "results").exists()


def test_replications_are_limited_and_few_are_flagged(here: Path) -> None:
    refused(cli("run", "tiny.yaml", "--reps", limits.MAX_REPLICATIONS + 1), "--reps")
    result = cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--no-plots")
    assert result.exit_code == 0
    assert "with 2 replications the 95% intervals are unreliable" in result.output
    result = cli("run", "tiny.yaml", "--reps", 5, "--workers", 1, "--no-plots")
    assert "unreliable" not in result.output


def test_a_sweep_folder_is_marked_and_a_run_folder_is_not_a_sweep(here: Path) -> None:
    (here / "sweep.yaml").write_text("base: tiny.yaml\nreps: 2\ngrid: {shrinkage: [0.1]}\n")
    assert cli("run", "tiny.yaml", "--reps", 2, "--no-plots", "--out", "results/r").exit_code == 0
    refused(cli("sweep", "sweep.yaml", "--out", "results/r", "--workers", 1), "holds no sweep")
    result = cli("sweep", "sweep.yaml", "--out", "results/s", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert '"command": "sweep"' in (here / "results/s" / MARKER).read_text()


# --- found by a hostile review of the first version ---------------------------------------------


@pytest.mark.parametrize(("content", "fragment"), [
    ("name: &a [*a]\n", "an alias inside the value it names"),
    ("# a bell \x07 in a comment\nname: x\n", "special characters are not allowed"),
])
def test_yaml_that_loops_or_holds_control_characters_is_a_message(
    here: Path, content: str, fragment: str
) -> None:
    (here / "odd.yaml").write_text(content)
    refused(cli("validate", "odd.yaml"), "odd.yaml", fragment)


def test_set_values_are_read_within_the_same_limits(here: Path) -> None:
    bomb = "[" + ",".join(["&a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]) + "]"
    started = time.perf_counter()
    refused(cli("validate", "tiny.yaml", "--set", f"description={bomb}"), "--set", "aliases")
    assert time.perf_counter() - started < 5
    refused(cli("validate", "tiny.yaml", "--set", "horizon.start=2018-02-30"), "a real date")


def test_a_path_with_a_nul_character_is_a_message(here: Path) -> None:
    scenario_file(here, 'pools: [{name: p, skills: ["999", "101"], '
                        'staffing: {per_interval: "a\\0b.csv"}}]\n')
    refused(cli("validate", "bad.yaml"), "NUL")


def test_a_horizon_must_start_in_a_year_dates_can_hold(here: Path) -> None:
    refused(cli("validate", "tiny.yaml", "--set", "horizon.start=9999-12-20"),
            "horizon.start", "between 1900 and 2200")


def test_a_file_added_to_a_results_folder_is_never_deleted(here: Path) -> None:
    out = here / "results" / "base"
    assert cli("run", "tiny.yaml", "--reps", 2, "--no-plots", "--out", out).exit_code == 0
    (out / "thesis.docx").write_text("work")
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", out), "thesis.docx",
            "did not write")
    assert (out / "thesis.docx").read_text() == "work"
    assert cli("report", out).exit_code == 0  # report.html is contactsim's own
    (out / "thesis.docx").unlink()
    assert cli("run", "tiny.yaml", "--reps", 2, "--no-plots", "--out", out).exit_code == 0


def test_an_out_that_is_a_link_or_too_long_a_name_is_refused(here: Path) -> None:
    (here / "real").mkdir()
    (here / "link").symlink_to(here / "real")
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", "link"), "symbolic link")
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", "x" * 250), "bytes long")
    assert sorted(p.name for p in here.iterdir()) == ["link", "real", "tiny.yaml"]


def test_demand_synth_never_writes_over_a_file_without_being_asked(here: Path) -> None:
    (here / "log.csv").write_text("arrival_time,line\n")
    refused(cli("demand", "synth", "tiny.yaml", "--out", "log.csv"), "exists", "--replace")
    assert (here / "log.csv").read_text() == "arrival_time,line\n"
    assert cli("demand", "synth", "tiny.yaml", "--out", "log.csv", "--replace").exit_code == 0
    # a file the scenario reads is never written over, even when asked
    (here / "replay.yaml").write_text("name: r\nextends: tiny.yaml\ndemand: {replay: log.csv}\n")
    before = (here / "log.csv").read_bytes()
    refused(cli("demand", "synth", "replay.yaml", "--out", "log.csv", "--replace"),
            "the scenario reads this file")
    assert (here / "log.csv").read_bytes() == before


def test_compare_refuses_names_that_share_a_folder_before_any_run(here: Path) -> None:
    scenario_file(here, "name: a/b\n", "a.yaml")
    scenario_file(here, "name: a_b\n", "b.yaml")
    started = time.perf_counter()
    refused(cli("compare", "a.yaml", "b.yaml", "--reps", 2), "'a/b' and 'a_b'")
    assert time.perf_counter() - started < 5
    assert not (here / "results").exists()


def test_a_sweep_base_must_be_a_regular_file(here: Path) -> None:
    os.mkfifo(here / "pipe.yaml")
    (here / "sweep.yaml").write_text("base: pipe.yaml\ngrid: {shrinkage: [0.1]}\n")
    started = time.perf_counter()
    refused(cli("sweep", "sweep.yaml", "--workers", 1), "base", "regular file")
    assert time.perf_counter() - started < 5


def test_a_malformed_scheduler_address_is_a_message(here: Path) -> None:
    refused(cli("run", "tiny.yaml", "--reps", 2, "--scheduler", "http://x"),
            "not a Dask scheduler address")


def test_a_staffing_time_with_a_time_zone_is_a_message(here: Path) -> None:
    (here / "staff.csv").write_text("interval_start,operators\n2018-03-05T00:00+01:00,3\n")
    scenario_file(here, 'pools: [{name: p, skills: ["999", "101"], '
                        'staffing: {per_interval: staff.csv}}]\n')
    refused(cli("validate", "bad.yaml"), "staff.csv", "without a time zone")


def test_profile_weights_must_be_of_a_usable_size(here: Path) -> None:
    rows = [f"hour_of_week,{h},1e308" for h in range(168)] + [f"month,{m},1" for m in range(1, 13)]
    (here / "profile.csv").write_text("component,key,weight\n" + "\n".join(rows) + "\n")
    scenario_file(here, 'demand: {"101": {annual_volume: 1000, profile: profile.csv}}\n')
    refused(cli("validate", "bad.yaml"), "profile.csv", "from 1e-9 to 1e9")


def test_a_targets_file_cannot_ask_for_endless_replications(here: Path) -> None:
    (here / "targets.yaml").write_text(textwrap.dedent("""\
        name: t
        targets: [{line: "101", kpi: asa_s, value: 100, tolerance: 10, source: s}]
        unknowns: [{field: handling.101.handle_time.mean_s, bounds: [100, 500]}]
        search: {reps: 100000}
        """))
    refused(cli("calibrate", "tiny.yaml", "--targets", "targets.yaml", "--out", "results/c"),
            "search.reps", str(limits.MAX_REPLICATIONS))


def test_report_writes_only_into_contactsim_folders_and_reads_nothing_odd(here: Path) -> None:
    mine = here / "mine"
    mine.mkdir()
    (mine / "summary.csv").write_text("scope,kpi,mean,ci_low,ci_high,reps\n")
    (mine / "report.html").write_text("my own page")
    refused(cli("report", mine), "no .contactsim-results marker")
    assert (mine / "report.html").read_text() == "my own page"
    out = here / "results" / "run"
    assert cli("run", "tiny.yaml", "--reps", 2, "--no-plots", "--out", out).exit_code == 0
    (out / "summary.csv").unlink()
    os.mkfifo(out / "summary.csv")
    started = time.perf_counter()
    refused(cli("report", out), "summary.csv", "regular file")
    assert time.perf_counter() - started < 5


def test_a_staff_folder_reruns_after_being_moved(here: Path, tmp_path_factory) -> None:
    rows = [f"hour_of_week,{h},1" for h in range(168)] + [f"month,{m},1" for m in range(1, 13)]
    (here / "week.csv").write_text("component,key,weight\n" + "\n".join(rows) + "\n")
    scenario_file(here, 'demand: {"101": {annual_volume: 40000, profile: week.csv}}\n')
    result = cli("staff", "bad.yaml", "--target", "999: service_level >= 0.5", "--by", "all",
                 "--reps", 2, "--workers", 1, "--out", "results/staff")
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path_factory.mktemp("mailed") / "staff"
    shutil.move(str(here / "results" / "staff"), elsewhere)
    (here / "week.csv").unlink()  # the project is gone too
    assert cli("validate", elsewhere / "staffed.yaml").exit_code == 0
