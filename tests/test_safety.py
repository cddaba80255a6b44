"""Never destroy a planner's files, never hang, never show a traceback (issue 12).

Each class of bad input or fault is driven through the command line: it must end with exit
status 2 (1 for a fault of the machine, such as a full disk), a message naming the file, field
and value, no traceback, and nothing written. Names from a planner's data must never place a
file outside the output folder (a hypothesis property over arbitrary text).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim import limits
from contactsim.cli.main import main
from contactsim.data.files import child, safe_component
from contactsim.data.folders import MARKER
from contactsim.errors import ContactsimError
from test_cli import TINY  # the tiny two-line centre the CLI tests share


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder of the test's own, holding tiny.yaml; results/ goes inside it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return tmp_path


def cli(*args: object) -> Result:
    """The command line, as a planner runs it (exceptions are not let through by the runner)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def files_under(folder: Path) -> set[Path]:
    """Every file and folder below ``folder``, as paths relative to it."""
    return {p.relative_to(folder) for p in folder.rglob("*")}


def refused(result: Result, *fragments: str, status: int = 2) -> None:
    """The command failed cleanly: the status, each fragment in the message, no traceback."""
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"an exception escaped: {result.exception!r}")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def scenario_file(folder: Path, body: str, name: str = "bad.yaml") -> Path:
    """A scenario extending tiny.yaml with ``body``."""
    path = folder / name
    path.write_text("extends: tiny.yaml\n" + textwrap.dedent(body), encoding="utf-8")
    return path


# --- 1. names become paths only through one function ------------------------------------------


@settings(max_examples=300, deadline=None)
@given(name=st.text(min_size=0, max_size=150))
def test_no_name_places_a_file_outside_its_folder(tmp_path_factory: pytest.TempPathFactory,
                                                  name: str) -> None:
    root = tmp_path_factory.getbasetemp() / "names-root"
    root.mkdir(exist_ok=True)
    try:
        path = child(root, name, "name", ".csv")
    except ContactsimError:
        return
    assert path.parent == root
    path.write_text("x")
    try:
        assert path.resolve().parent == root.resolve()
        assert not path.name.startswith((".", "-"))
    finally:
        path.unlink()


@given(name=st.text(alphabet="abc-_.0123456789", min_size=1, max_size=30))
def test_ordinary_names_are_kept_as_they_are(name: str) -> None:
    if name.lstrip(".-").rstrip(". ") == name and any(c.isalnum() for c in name):
        assert safe_component(name, "name") == name


@pytest.mark.parametrize("name", ["../../escape", "/tmp/absolute", "a/../../b", "..\\..\\w"])
def test_a_scenario_name_never_writes_outside_results(here: Path, name: str) -> None:
    before = files_under(here)
    result = cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--no-plots",
                 "--set", f"name={name}")
    assert result.exit_code == 0, result.output
    new = files_under(here) - before
    assert new and all(path.parts[0] == "results" for path in new)
    (folder,) = (here / "results").iterdir()
    assert (folder / MARKER).exists()


@pytest.mark.parametrize("name", [".", "..", "/", "...", "-"])
def test_a_name_that_cannot_be_a_folder_is_refused(here: Path, name: str) -> None:
    result = cli("run", "tiny.yaml", "--reps", 2, "--set", f"name='{name}'")
    refused(result, "name:", "it becomes a file or folder name")
    assert not (here / "results").exists()


def test_comparison_runs_stay_inside_the_comparison(here: Path) -> None:
    scenario_file(here, "name: ../../a\n", "a.yaml")
    scenario_file(here, "name: /b\n", "b.yaml")
    result = cli("compare", "a.yaml", "b.yaml", "--reps", 2, "--workers", 1, "--no-plots",
                 "--out", "results/cmp")
    assert result.exit_code == 0, result.output
    assert {p.parts[0] for p in files_under(here) if p.suffix != ".yaml"} == {"results"}
    assert sorted(p.name for p in (here / "results/cmp/runs").iterdir()) == ["_.._a", "_b"]
    # the comparison's plots read the runs back from the same folders
    assert cli("report", "results/cmp").exit_code == 0
    assert cli("report", "results/cmp/runs/_b").exit_code == 0  # each run is a run folder
    again = cli("compare", "a.yaml", "b.yaml", "--reps", 2, "--workers", 1, "--no-plots",
                "--out", "results/cmp")
    assert again.exit_code == 0, again.output  # its own report.html pages are not foreign


def test_pool_names_become_staffing_files_inside_the_folder(here: Path) -> None:
    scenario_file(here, """\
        name: pools
        pools:
          - {name: emergency, remove: true}
          - {name: ../../../p, skills: ["999"], staffing: {flat: 1}}
          - {name: blended, skills: ["999", "101"], staffing: {flat: 2}}
        """)
    (here / "p.csv").write_text("a planner's own file")
    result = cli("staff", "bad.yaml", "--target", "999: service_level >= 0.5", "--by", "all",
                 "--reps", 2, "--workers", 1, "--out", "results/staff")
    assert result.exit_code == 0, result.output
    assert (here / "p.csv").read_text() == "a planner's own file"
    assert sorted(p.name for p in (here / "results/staff/staffing").iterdir()) == [
        "_.._.._p.csv", "blended.csv"]
    # the staffed scenario refers to the files as written, and runs
    staffed = here / "results/staff/staffed.yaml"
    assert cli("validate", staffed).exit_code == 0


# --- 2. only contactsim's own folders are replaced ----------------------------------------------


@pytest.mark.parametrize("command", [
    ["run", "tiny.yaml", "--reps", "2"],
    ["compare", "tiny.yaml", "tiny.yaml", "--reps", "2"],
    ["staff", "tiny.yaml", "--target", "999: service_level >= 0.5", "--by", "all"],
])
def test_a_folder_without_the_marker_is_never_replaced(here: Path, command: list[str]) -> None:
    mine = here / "thesis"
    mine.mkdir()
    for name in ("summary.csv", "compare.csv", "scenario.resolved.yaml", "fit.csv"):
        (mine / name).write_text("looks like results")
    (mine / "thesis.docx").write_bytes(b"years of work")
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    refused(cli(*command, "--out", mine), str(mine), MARKER, "nothing in it is touched")
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before
    assert sorted(p.name for p in here.iterdir()) == ["thesis", "tiny.yaml"]


def test_a_sweep_folder_is_not_replaced_by_a_run(here: Path) -> None:
    sweep = here / "results" / "big-sweep"
    sweep.mkdir(parents=True)
    (sweep / MARKER).write_text('{"made_by": "contactsim", "command": "sweep"}')
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", sweep), "sweep")
    assert sorted(p.name for p in sweep.iterdir()) == [MARKER]


def test_a_killed_runs_leftovers_are_cleaned_by_the_next_run(here: Path) -> None:
    out = here / "results" / "tiny"
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = os.uname().nodename
    leftovers = {
        "dead": (".tiny.partial-dead0001", dead.pid, True),
        "alive": (".tiny.partial-live0001", os.getpid(), False),  # a run still going
    }
    for folder_name, pid, _ in leftovers.values():
        folder = out.parent / folder_name
        folder.mkdir(parents=True)
        (folder / MARKER).write_text(
            f'{{"made_by": "contactsim", "command": "run", "pid": {pid}, "host": "{host}"}}')
    stranger = out.parent / ".tiny.partial-notours"
    stranger.mkdir()  # no marker: not ours, left alone
    result = cli("run", "tiny.yaml", "--reps", 2, "--workers", 1, "--no-plots", "--out", out)
    assert result.exit_code == 0, result.output
    remaining = sorted(p.name for p in out.parent.iterdir())
    assert remaining == [".tiny.partial-live0001", ".tiny.partial-notours", "tiny"]


def test_an_out_folder_that_cannot_be_created_is_a_message(here: Path) -> None:
    (here / "afile").write_text("x")
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", "afile/sub/out"), "afile",
            "is a file")
    refused(cli("run", "tiny.yaml", "--reps", 2, "--out", "afile"), "'afile' is a file")
    assert (here / "afile").read_text() == "x"


# --- 3. limits, checked before any work ---------------------------------------------------------

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_an_alias_bomb_is_refused_at_once(here: Path) -> None:
    (here / "bomb.yaml").write_text(ALIAS_BOMB)
    started = time.perf_counter()
    refused(cli("validate", "bomb.yaml"), "bomb.yaml", "aliases")
    assert time.perf_counter() - started < 5


def test_aliases_within_the_budget_are_allowed(here: Path) -> None:
    scenario_file(here, """\
        name: shared
        handling:
          "999": {handle_time: &same {dist: exponential, mean_s: 240}}
          "101": {handle_time: *same}
        """)
    result = cli("validate", "bad.yaml")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("override", "fragments"), [
    ("horizon.days=1e9", ["horizon.days", f"less than or equal to {limits.MAX_HORIZON_DAYS}"]),
    ("demand.101={rate_per_hour: 1e12}", ["demand.101", "calls expected in one replication",
                                          f"{limits.MAX_CALLS_PER_REPLICATION:,}"]),
    ("pools.blended.staffing.flat=1000000000", ["pools[1].staffing.flat", "10000"]),
    ("pools.blended.staffing={shifts: [{start: '00:00', length_h: 24, count: 1000000000}]}",
     ["shifts[0].count", "10000"]),
    ("demand.999.growth=1e7", ["demand.999.growth", "less than or equal to 100"]),
    ("handling.101.handle_time={dist: lognormal, mean_s: 300, cv: 1e200}",
     ["handling.101.handle_time.cv", "less than or equal to 100"]),
    ("handling.101.handle_time={dist: gamma, mean_s: 300, cv: 1e-200}",
     ["handling.101.handle_time.cv", "greater than or equal to 0.01"]),
    ("handling.101.handle_time={dist: weibull, mean_s: 300, shape: 0.001}",
     ["handling.101.handle_time.shape", "greater than or equal to 0.05"]),
    ("handling.101.handle_time={dist: exponential, mean_s: 1e300}",
     ["handling.101.handle_time.mean_s", "less than or equal to"]),
])
def test_limits_are_checked_before_any_work(here: Path, override: str,
                                            fragments: list[str]) -> None:
    started = time.perf_counter()
    refused(cli("run", "tiny.yaml", "--reps", 2, "--set", override), *fragments)
    assert time.perf_counter() - started < 10
    assert not (here / "results").exists()


def test_operators_summed_over_overlapping_shifts_are_limited(here: Path) -> None:
    shifts = ", ".join(["{start: '00:00', length_h: 24, count: 6000}"] * 2)
    result = cli("validate", "tiny.yaml", "--set", f"pools.blended.staffing={{shifts: [{shifts}]}}")
    refused(result, "pools[1].staffing", "12,000 operators rostered at one time in blended")


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "missing"])
def test_extends_only_regular_files(here: Path, kind: str) -> None:
    target = {"device": "/dev/zero", "fifo": str(here / "pipe.yaml"),
              "folder": str(here / "folder.yaml"), "missing": str(here / "none.yaml")}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    if kind == "folder":
        os.mkdir(target)
    (here / "ext.yaml").write_text(f"name: x\nextends: {target}\n")
    started = time.perf_counter()
    result = cli("validate", "ext.yaml")
    assert time.perf_counter() - started < 5
    expected = "an existing file" if kind == "missing" else (
        "not a folder" if kind == "folder" else "regular file")
    refused(result, target, expected)


def test_an_extends_chain_is_limited(here: Path) -> None:
    depth = 1200
    for index in range(depth):
        (here / f"c{index}.yaml").write_text(f"name: c{index}\nextends: c{index + 1}.yaml\n")
    (here / f"c{depth}.yaml").write_text("extends: tiny.yaml\n")
    refused(cli("validate", "c0.yaml"), "extends",
            f"at most {limits.MAX_EXTENDS_DEPTH} files extending one another")


def test_a_huge_yaml_file_is_refused_unread(here: Path) -> None:
    (here / "huge.yaml").write_text("name: x\n" + "#" * (limits.MAX_YAML_BYTES + 1))
    refused(cli("validate", "huge.yaml"), "huge.yaml", f"at most {limits.MAX_YAML_BYTES:,}")


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

    monkeypatch.setattr("contactsim.runs.experiment.run_scenario", broken)
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
