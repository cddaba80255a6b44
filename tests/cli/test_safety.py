"""Never destroy a planner's files, never hang, never show a traceback (issue 12).

Each class of bad input or fault is driven through the command line: it must end with exit
status 2 (1 for a fault of the machine, such as a full disk), a message naming the file, field
and value, no traceback, and nothing written. Names from a planner's data must never place a
file outside the output folder (a hypothesis property over arbitrary text).

This file: names that become paths, replacing only contactsim's own folders, and limits checked
before any work. Messages instead of tracebacks, inputs that would be silently wrong and what a
hostile review found are in ``test_safety_messages.py``.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim import limits
from contactsim.data.files import child, safe_component
from contactsim.data.folders import MARKER
from contactsim.errors import ContactsimError
from helpers.cli import cli
from helpers.safety import files_under, refused, scenario_file

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
