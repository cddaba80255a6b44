"""The data files a scenario names, continued: impossible values and growth beyond the limit are
refused with a message, ``demand fit`` names its files safely and ``demand synth`` writes what
its file ending says. Everything is driven through the command line, as a planner meets it.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from contactsim.build import demand
from contactsim.data.calllog import CallLog, read_replay
from contactsim.data.demand_profiles import read_profile
from contactsim.limits import MAX_CALLS_PER_REPLICATION
from helpers.cli import cli
from helpers.data_files import write_rows
from helpers.input_files import (
    GOOD,
    HOUR,
    refused,
    scenario,
    validate_and_run,
)

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
    refused(cli("validate", scenario(tmp_path, "replay-line", log)), str(log), *fragments)


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
    refused(cli("validate", path), str(path), "growth 100", f"{2 * calls:,} calls",
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
    result = cli("demand", "fit", log, "--out", out)
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
    refused(cli("demand", "fit", log, "--out", out), str(log), "'profile-a/b'",
            "'profile-a_b'")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_demand_fit_of_constant_handle_times_gives_a_snippet_that_loads(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "log.csv",
                     [(f"2018-03-0{5 + i % 3}T{9 + i % 7:02d}:00", "101", 60)
                      for i in range(30)], ("arrival_time", "line", "handle_s"))
    out = tmp_path / "fit"
    assert cli("demand", "fit", log, "--out", out).exit_code == 0
    snippet = yaml.safe_load((out / "scenario-snippet.yaml").read_text(encoding="utf-8"))
    assert snippet["handling"]["101"]["handle_time"] == {"dist": "fixed", "value_s": 60.0}
    snippet["name"] = "fitted"
    snippet["pools"] = [{"name": "all", "skills": ["101"], "staffing": {"flat": 1}}]
    scenario_file = out / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(snippet), encoding="utf-8")
    result = cli("validate", scenario_file)
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
    result = cli("demand", "synth", synth_scenario, "--out", out, "--seed", 3)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary left
    replay = read_replay(str(out))
    assert isinstance(replay, CallLog) and set(replay.lines) == {"101", "999"}
    # and it replays as written
    path = scenario(tmp_path, "replay-line", out)
    assert cli("validate", path).exit_code == 0


@pytest.mark.parametrize("name", ["log.txt", "log.gz", "log", "log.csv.zip"])
def test_demand_synth_refuses_an_ending_it_cannot_write(
    tmp_path: Path, synth_scenario: Path, name: str
) -> None:
    out = tmp_path / "out" / name
    refused(cli("demand", "synth", synth_scenario, "--out", out), name, ".csv, .csv.gz",
            ".parquet")
    assert not (tmp_path / "out").exists()


def test_demand_synth_refuses_a_folder_or_a_parent_that_is_a_file(
    tmp_path: Path, synth_scenario: Path
) -> None:
    folder = tmp_path / "logs.csv"
    folder.mkdir()
    result = cli("demand", "synth", synth_scenario, "--out", folder)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert list(folder.iterdir()) == []
    under_file = synth_scenario / "log.csv"
    refused(cli("demand", "synth", synth_scenario, "--out", under_file), str(synth_scenario),
            "is a file")
