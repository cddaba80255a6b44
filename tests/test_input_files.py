"""The data files a scenario names never crash, hang or mislead: profiles, per_interval staffing,
empirical distributions and replayed logs that are not UTF-8, not regular files, hold blank
lines or impossible values; growth beyond the limit; and the files ``demand fit`` and
``demand synth`` write. Everything is driven through the command line, as a planner meets it."""

from __future__ import annotations

import gzip
import os
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from contactsim.build import demand
from contactsim.cli.main import main
from contactsim.data import calllog
from contactsim.data.calllog import CallLog, read_replay
from contactsim.data.demand_profiles import read_profile
from contactsim.limits import MAX_CALLS_PER_REPLICATION

HOUR = "2018-03-05T09"

#: A valid file of each kind the scenario names, by target.
GOOD = {
    "profile": "component,key,weight\n" + "".join(
        f"hour_of_week,{h},1\n" for h in range(168)) + "".join(
        f"month,{m},1\n" for m in range(1, 13)),
    "staffing": "hour_of_week,operators\n" + "".join(f"{h},1\n" for h in range(168)),
    "empirical": "seconds\n60\n120\n",
    "log": f"arrival_time,line,handle_s\n{HOUR}:00,101,60\n{HOUR}:10,101,60\n",
}
#: Each file with a byte that is not UTF-8 on its third line.
NOT_UTF8 = {
    "profile": b"component,key,weight\nhour_of_week,0,1\nmonth,1,caf\xe9\n",
    "staffing": b"hour_of_week,operators\n0,1\n\xe9,1\n",
    "empirical": b"seconds\n60\n12\xe9\n",
    "log": f"arrival_time,line,handle_s\n{HOUR}:00,101,60\n{HOUR}:10,10".encode()
    + b"\xe91,60\n",
}
#: Where each target is named, and the scenario's field for it.
TARGETS = ("profile", "staffing", "empirical", "replay-all", "replay-line")


# --- helpers -------------------------------------------------------------------------------------


def scenario(folder: Path, target: str = "", file: Path | str = "", **line: Any) -> Path:
    """A one-day scenario of line 101 naming ``file`` as its ``target`` (profile, staffing,
    empirical, replay-all: ``demand: {replay: FILE}``, or replay-line: ``"101": {replay:
    FILE}``); ``line`` adds to line 101's demand."""
    demand_101: dict[str, Any] = {"rate_per_hour": 4}
    staffing: dict[str, Any] = {"flat": 1}
    handle: dict[str, Any] = {"dist": "fixed", "value_s": 60}
    demand_spec: dict[str, Any] = {}
    if target == "profile":
        demand_101 = {"annual_volume": 5000, "profile": str(file)}
    elif target == "staffing":
        staffing = {"per_interval": str(file)}
    elif target == "empirical":
        handle = {"dist": "empirical", "file": str(file), "column": "seconds"}
    elif target == "replay-all":
        demand_spec = {"replay": str(file)}
    elif target == "replay-line":
        demand_101 = {"replay": str(file)}
    demand_spec.setdefault("101", None)
    if "replay" not in demand_spec:
        demand_spec["101"] = {**demand_101, **line}
    else:
        del demand_spec["101"]
    raw = {
        "name": "files",
        "horizon": {"start": "2018-03-05", "days": 1, "warmup_hours": 0},
        "demand": demand_spec,
        "handling": {"101": {"handle_time": handle}},
        "pools": [{"name": "all", "skills": ["101"], "staffing": staffing}],
    }
    path = folder / f"scenario-{target or 'plain'}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def kind_of(target: str) -> str:
    return "log" if target.startswith("replay") else target


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result: Result, *fragments: str) -> str:
    """Assert the command exited 2 with a message holding ``fragments`` and no traceback."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output and "unexpectedly" not in output, output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    return output


def validate_and_run(path: Path, tmp_path: Path, *fragments: str) -> None:
    """``validate`` and ``run`` both refuse ``path``, and ``run`` writes nothing."""
    refused(invoke("validate", path), *fragments)
    out = tmp_path / "results"
    refused(invoke("run", path, "--reps", 1, "--workers", 1, "--out", out), *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


@contextmanager
def released_after(pipe: Path, seconds: float = 20) -> Iterator[threading.Event]:
    """Watch a command that is given the FIFO ``pipe``: if it is still running after
    ``seconds``, open the FIFO's other end and close it again (and again), so that whatever
    blocks reading it sees its end and the test fails rather than hangs. The event says whether
    that had to be done. (An alarm would not do: a reader in C retries an interrupted open.)"""
    fired = threading.Event()
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        fired.set()
        while not done.is_set():
            with suppress(OSError):  # nobody is reading it at this moment
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield fired
    finally:
        done.set()
        watcher.join()


def write_rows(path: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> Path:
    table = pd.DataFrame(rows, columns=list(columns))
    if path.suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False)
    return path


# --- 1. not UTF-8 --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path, target: str) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(NOT_UTF8[kind_of(target)])
    validate_and_run(scenario(tmp_path, target, bad), tmp_path, str(bad), "not UTF-8",
                     "line 3", "0xe9")


def test_a_log_not_utf8_anywhere_is_refused_not_only_in_the_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_bytes(f"arrival_time,line,handle_s,notes\n{HOUR}:00,101,60,ok\n".encode()
                    + f"{HOUR}:10,101,60,caf".encode() + b"\xe9\n")
    refused(invoke("validate", scenario(tmp_path, "replay-line", bad)), str(bad), "not UTF-8",
            "line 3")


def test_a_compressed_log_not_utf8_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv.gz"
    bad.write_bytes(gzip.compress(NOT_UTF8["log"]))
    refused(invoke("validate", scenario(tmp_path, "replay-line", bad)), str(bad), "not UTF-8",
            "line 3")


# --- 2. regular files within their size ----------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_file_that_is_not_a_regular_file_is_refused_at_once(
    tmp_path: Path, target: str, kind: str
) -> None:
    if kind == "folder":
        path = tmp_path / "folder.csv"
        path.mkdir()
        expected = "not a folder"
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
        expected = "regular file"
    else:
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero here")
        path = tmp_path / "zero.csv"  # endless: a reader would never stop
        path.symlink_to("/dev/zero")
        expected = "regular file"
    watch = released_after(path) if kind == "fifo" else nullcontext(threading.Event())
    with watch as hung:
        # the loader resolves links: the message names the device the link leads to
        validate_and_run(scenario(tmp_path, target, path), tmp_path, str(path.resolve()),
                         expected)
    assert not hung.is_set(), "the command blocked on the FIFO"


def test_demand_fit_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    out = tmp_path / "fit"
    with released_after(pipe) as hung:
        refused(invoke("demand", "fit", pipe, "--out", out), str(pipe), "regular file")
    assert not hung.is_set(), "the command blocked on the FIFO"
    assert not out.exists()


@pytest.mark.parametrize(("target", "module"), [
    ("profile", "contactsim.data.demand_profiles"),
    ("staffing", "contactsim.data.staffing_table"), ("empirical", "contactsim.data.empirical"),
])
def test_a_table_over_its_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, module: str
) -> None:
    monkeypatch.setattr(f"{module}.MAX_TABLE_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text(GOOD[target], encoding="utf-8")
    refused(invoke("validate", scenario(tmp_path, target, path)), str(path), "at most 10 bytes")


def test_an_empirical_duration_beyond_30_days_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "durations.csv"
    path.write_text("seconds\n60\n1e300\n", encoding="utf-8")
    refused(invoke("validate", scenario(tmp_path, "empirical", path)), str(path), "row 3",
            "30 days")


def test_a_compressed_log_that_decompresses_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calllog, "MAX_LOG_BYTES", 2_000)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(
        ("arrival_time,line,handle_s\n" + f"{HOUR}:00,101,60\n" * 5_000).encode()))
    assert path.stat().st_size < 2_000
    refused(invoke("validate", scenario(tmp_path, "replay-line", path)), str(path),
            "once decompressed")


def test_a_truncated_compressed_log_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(GOOD["log"].encode() * 50)[:40])
    refused(invoke("validate", scenario(tmp_path, "replay-line", path)), str(path),
            "a readable CSV file")


# --- 3. blank line names -------------------------------------------------------------------------


@pytest.mark.parametrize("way", ["replay-all", "replay-line"])
@pytest.mark.parametrize(("blank", "suffix"), [
    ("", ".csv"), ("   ", ".csv"), ("NA", ".csv"), (None, ".parquet"),
])
def test_a_blank_line_name_is_refused_with_its_row(
    tmp_path: Path, way: str, blank: str | None, suffix: str
) -> None:
    log = write_rows(tmp_path / f"log{suffix}",
                     [(f"{HOUR}:00", "101", 60.0), (f"{HOUR}:10", blank, 60.0),
                      (f"{HOUR}:20", "101", 60.0)], ("arrival_time", "line", "handle_s"))
    refused(invoke("validate", scenario(tmp_path, way, log)), str(log), "row 3", "line",
            "1 blank rows")


def test_a_blank_line_in_interval_counts_is_refused_with_its_row(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "counts.csv",
                     [(f"{HOUR}:00", "101", 3), (f"{HOUR}:00", "", 2),
                      ("2018-03-05T10:00", "101", 1)],
                     ("interval_start", "line", "calls"))
    refused(invoke("validate", scenario(tmp_path, "replay-line", log)), str(log), "row 3",
            "line")


def test_blank_and_spaced_caller_ids_are_callers_of_their_own(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
                     [(f"{HOUR}:00", "101", 60, "a"), (f"{HOUR}:10", "101", 60, "  "),
                      (f"{HOUR}:20", "101", 60, None), (f"{HOUR}:30", "101", 60, " a ")],
                     ("arrival_time", "line", "handle_s", "caller_id"))
    replay = read_replay(str(log))
    assert isinstance(replay, CallLog)
    line = replay.lines["101"]
    assert line.attempts is not None and line.callers is not None
    assert line.attempts.tolist() == [1, 1, 1, 2]
    assert len(set(line.callers.tolist())) == 3


# --- 4. impossible values ------------------------------------------------------------------------


@pytest.mark.parametrize(("rows", "columns", "fragments"), [
    ([(f"{HOUR}:00", "101", 60), ("2018-02-30T09:10", "101", 60)],
     ("arrival_time", "line", "handle_s"), ("row 3", "arrival_time", "2018-02-30T09:10")),
    ([(f"{HOUR}:00", "101", 60), ("9999-01-01T00:00", "101", 60)],
     ("arrival_time", "line", "handle_s"), ("row 3", "arrival_time", "1678 to 2261")),
    ([(f"{HOUR}:00", "101", 60), (f"{HOUR}:10", "101", None)],
     ("arrival_time", "line", "handle_s"), ("row 3", "handle_s", "got ''")),
    ([(f"{HOUR}:00", "101", 60), (f"{HOUR}:10", "101", "1e300")],
     ("arrival_time", "line", "handle_s"), ("row 3", "handle_s", "30 days")),
    ([(f"{HOUR}:00", "101", 60), ("2018-13-01T09:00", "101", 60)],
     ("interval_start", "line", "calls"), ("row 3", "interval_start")),
    ([(f"{HOUR}:00", "101", 60), ("2018-03-05T10:00", "101", "1e30")],
     ("interval_start", "line", "calls"), ("row 3", "calls", "50,000,000")),
    ([(f"{HOUR}:00", "101", 30_000_000), ("2018-03-05T10:00", "101", 30_000_000)],
     ("interval_start", "line", "calls"), ("calls", "60,000,000 calls in all")),
])
def test_an_impossible_value_is_a_message_with_its_row(
    tmp_path: Path, rows: list[tuple[Any, ...]], columns: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    log = write_rows(tmp_path / "log.csv", rows, columns)
    refused(invoke("validate", scenario(tmp_path, "replay-line", log)), str(log), *fragments)


# --- 5. growth -----------------------------------------------------------------------------------


def test_growth_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(GOOD["log"], encoding="utf-8")
    path = scenario(tmp_path, "replay-line", log, growth=1e7)
    validate_and_run(path, tmp_path, str(path), "growth")


def test_growth_that_would_make_too_many_calls_is_refused_before_they_are_made(
    tmp_path: Path
) -> None:
    calls = MAX_CALLS_PER_REPLICATION // 100 // 2 + 1000  # × growth 100: over the limit
    log = write_rows(tmp_path / "counts.csv",
                     [(f"{HOUR}:00", "101", calls), ("2018-03-05T10:00", "101", calls)],
                     ("interval_start", "line", "calls"))
    path = scenario(tmp_path, "replay-line", log, growth=100)
    refused(invoke("validate", path), str(path), "growth 100", f"{2 * calls:,} calls",
            f"at most {MAX_CALLS_PER_REPLICATION:,}")


def test_replay_refuses_growth_past_the_limit_whatever_way_in(tmp_path: Path) -> None:
    # a LineDemand not checked by the schema still never makes growth × rows calls
    from contactsim.config.horizon import Horizon
    from contactsim.config.lines import LineDemand
    from contactsim.errors import ScenarioError

    log = tmp_path / "log.csv"
    log.write_text(GOOD["log"], encoding="utf-8")
    spec = LineDemand(replay=str(log)).model_copy(update={"growth": 1e7})  # not validated
    horizon = Horizon(start=date(2018, 3, 5), days=1, warmup_hours=0)
    with pytest.raises(ScenarioError, match="growth"):
        demand.replayed_line("101", spec, horizon, np.random.default_rng(0))


# --- 6. demand fit names its files safely --------------------------------------------------------


def test_demand_fit_writes_every_profile_inside_out(tmp_path: Path) -> None:
    lines = ["../../x", "/tmp/contactsim-y", "$a$", "101"]
    log = write_rows(tmp_path / "log.csv",
                     [(f"2018-03-0{5 + i % 2}T09:{i:02d}", lines[i % 4], 60 + i)
                      for i in range(16)], ("arrival_time", "line", "handle_s"))
    out = tmp_path / "deep" / "er" / "fit"
    out.parent.mkdir(parents=True)
    before = sorted(p for p in tmp_path.rglob("*") if out not in p.parents and p != out)
    result = invoke("demand", "fit", log, "--out", out)
    assert result.exit_code == 0, result.output
    after = sorted(p for p in tmp_path.rglob("*") if out not in p.parents and p != out)
    assert after == before  # nothing written outside --out
    assert not Path("/tmp/contactsim-y.csv").exists()
    assert not Path("/tmp/profile-contactsim-y.csv").exists()
    snippet = yaml.safe_load((out / "scenario-snippet.yaml").read_text(encoding="utf-8"))
    assert sorted(snippet["demand"]) == sorted(lines)
    for spec in snippet["demand"].values():
        profile = out / spec["profile"]
        assert profile.parent == out and profile.is_file()
        assert read_profile(str(profile)).hour_of_week.size == 168
    assert len({spec["profile"] for spec in snippet["demand"].values()}) == len(lines)


def test_demand_fit_refuses_lines_that_would_share_a_profile(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
                     [(f"{HOUR}:00", "a/b", 60), (f"{HOUR}:10", "a_b", 60)],
                     ("arrival_time", "line", "handle_s"))
    out = tmp_path / "fit"
    refused(invoke("demand", "fit", log, "--out", out), str(log), "'profile-a/b'",
            "'profile-a_b'")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_demand_fit_of_constant_handle_times_gives_a_snippet_that_loads(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
                     [(f"2018-03-0{5 + i % 3}T{9 + i % 7:02d}:00", "101", 60)
                      for i in range(30)], ("arrival_time", "line", "handle_s"))
    out = tmp_path / "fit"
    assert invoke("demand", "fit", log, "--out", out).exit_code == 0
    snippet = yaml.safe_load((out / "scenario-snippet.yaml").read_text(encoding="utf-8"))
    assert snippet["handling"]["101"]["handle_time"] == {"dist": "fixed", "value_s": 60.0}
    snippet["name"] = "fitted"
    snippet["pools"] = [{"name": "all", "skills": ["101"], "staffing": {"flat": 1}}]
    scenario_file = out / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(snippet), encoding="utf-8")
    result = invoke("validate", scenario_file)
    assert result.exit_code == 0, result.output


# --- 7. demand synth writes what its ending says -------------------------------------------------


@pytest.fixture
def synth_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "synth.yaml"
    path.write_text(textwrap.dedent("""\
        name: synth
        horizon: {start: 2018-03-05, days: 1}
        demand: {"101": {rate_per_hour: 4}, "999": {rate_per_hour: 2}}
        handling:
          "101": {handle_time: {dist: fixed, value_s: 60}}
          "999": {handle_time: {dist: fixed, value_s: 60}}
        pools: [{name: all, skills: ["101", "999"], staffing: {flat: 1}}]
        """), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "magic"), [
    ("log.csv", b"arrival_time,"), ("log.csv.gz", b"\x1f\x8b"), ("log.parquet", b"PAR1"),
    ("LOG.CSV.GZ", b"\x1f\x8b"),
])
def test_demand_synth_writes_the_format_of_its_ending(
    tmp_path: Path, synth_scenario: Path, name: str, magic: bytes
) -> None:
    out = tmp_path / "new" / "folder" / name  # a folder that does not exist yet is made
    result = invoke("demand", "synth", synth_scenario, "--out", out, "--seed", 3)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary left
    replay = read_replay(str(out))
    assert isinstance(replay, CallLog) and set(replay.lines) == {"101", "999"}
    # and it replays as written
    path = scenario(tmp_path, "replay-line", out)
    assert invoke("validate", path).exit_code == 0


@pytest.mark.parametrize("name", ["log.txt", "log.gz", "log", "log.csv.zip"])
def test_demand_synth_refuses_an_ending_it_cannot_write(
    tmp_path: Path, synth_scenario: Path, name: str
) -> None:
    out = tmp_path / "out" / name
    refused(invoke("demand", "synth", synth_scenario, "--out", out), name, ".csv, .csv.gz",
            ".parquet")
    assert not (tmp_path / "out").exists()


def test_demand_synth_refuses_a_folder_or_a_parent_that_is_a_file(
    tmp_path: Path, synth_scenario: Path
) -> None:
    folder = tmp_path / "logs.csv"
    folder.mkdir()
    result = invoke("demand", "synth", synth_scenario, "--out", folder)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert list(folder.iterdir()) == []
    under_file = synth_scenario / "log.csv"
    refused(invoke("demand", "synth", synth_scenario, "--out", under_file), str(synth_scenario),
            "is a file")
