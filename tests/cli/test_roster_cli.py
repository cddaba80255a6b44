"""``contactsim roster`` end to end: each source of the requirement, what it writes (a roster
usable in a scenario, the scenario on it, coverage and its plot), bad catalogues and
uncoverable requirements refused before anything is written, and --verify's record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from contactsim.config.loader import read_scenario
from contactsim.config.pools import Staffing
from helpers.cli import cli, ok
from helpers.scenarios import write

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

CATALOGUE = """\
shifts:
  - name: day8
    length_h: 8
    starts: ["00:00", "08:00", "16:00"]
    patterns: ["5-2"]
    breaks: [{after_h: 4, spread_min: 0, length_min: 30}]
  - name: long12
    length_h: 12
    starts: ["07:00", "19:00"]
    patterns: ["4-4"]
    pools: [blended]
pools:
  emergency: {max_heads: 30}
"""


def planner_csv(path: Path, levels: dict[str, int]) -> Path:
    """pool,hour_of_week,required: ``levels[pool]`` at every hour but 1 at night."""
    rows = ["pool,hour_of_week,required"]
    for pool, level in levels.items():
        rows += [f"{pool},{hour},{level if 8 <= hour % 24 < 22 else 1}" for hour in range(168)]
    return write(path, "\n".join(rows) + "\n")


def test_a_planners_requirement_becomes_a_roster_usable_in_the_scenario(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the summary fits a narrow terminal
    write(here / "catalogue.yaml", CATALOGUE)
    planner_csv(here / "need.csv", {"emergency": 2, "blended": 3})
    result = ok(cli("roster", "catalogue.yaml", "--required", "need.csv",
                    "--scenario", "tiny.yaml", "--time-limit", 10))
    out = here / "results" / "tiny-roster"
    for name in ("roster.yaml", "roster.csv", "coverage.csv", "coverage.png", "rostered.yaml",
                 ".contactsim-results"):
        assert (out / name).exists(), name
    assert (out / "coverage.png").read_bytes().startswith(PNG_MAGIC)
    table = result.output.splitlines()
    assert any(line.startswith("emergency ") for line in table)
    assert any(line.startswith("pool ") and "heads" in line for line in table)
    assert all(len(line) <= 80 for line in table if not line.startswith(("hours ", "gap")))
    coverage = pd.read_csv(out / "coverage.csv")
    assert (coverage["covered"] >= coverage["required"] - 1e-9).all()
    assert (coverage["under"] == 0).all()
    assert set(coverage["pool"]) == {"emergency", "blended"} and len(coverage) == 2 * 168
    # roster.yaml: a staffing block per pool, each a scenario's staffing as it is
    blocks = yaml.safe_load((out / "roster.yaml").read_text())
    table = pd.read_csv(out / "roster.csv")
    for pool in ("emergency", "blended"):
        staffing = Staffing.model_validate(blocks[pool]["staffing"])
        assert staffing.scale == 1 and staffing.changes == ()
        assert staffing.shifts is not None
        assert sum(s.count for s in staffing.shifts) == table.loc[table["pool"] == pool,
                                                                   "heads"].sum()
    # rostered.yaml: the scenario on the roster, read back as a scenario
    rostered = read_scenario(out / "rostered.yaml").scenario
    shifts = {pool.name: pool.staffing.shifts for pool in rostered.pools}
    assert shifts["emergency"] == Staffing.model_validate(
        blocks["emergency"]["staffing"]).shifts


def test_staffs_required_csv_by_hour_of_day_repeats_every_day(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE)
    rows = ["pool,key,when,required_rostered,required_on_phones"]
    rows += [f"{pool},{hour},{hour:02d}:00,{2 if hour >= 12 else 1},1" for pool in
             ("emergency", "blended") for hour in range(24)]
    write(here / "required.csv", "\n".join(rows) + "\n")
    ok(cli("roster", "catalogue.yaml", "--required", "required.csv", "--out", "out",
           "--time-limit", 10))
    coverage = pd.read_csv(here / "out" / "coverage.csv")
    blended = coverage[coverage["pool"] == "blended"].set_index("hour_of_week")
    assert blended.loc[24 * 3 + 13, "required"] == 2 and blended.loc[24 * 6 + 2, "required"] == 1
    assert not (here / "out" / "rostered.yaml").exists()  # no scenario given


def test_a_bad_catalogue_is_refused_and_nothing_is_written(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE.replace("length_h: 8", "length_h: 30"))
    planner_csv(here / "need.csv", {"emergency": 2, "blended": 3})
    result = cli("roster", "catalogue.yaml", "--required", "need.csv")
    assert result.exit_code == 2
    assert "shifts[0].length_h: got 30; expected a shift of at most 24 hours" in result.output
    assert "Traceback" not in result.output
    assert not (here / "results").exists()


def test_a_pool_the_requirement_lacks_is_refused(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE.replace("pools: [blended]", "pools: [blendid]"))
    planner_csv(here / "need.csv", {"emergency": 2, "blended": 3})
    result = cli("roster", "catalogue.yaml", "--required", "need.csv")
    assert result.exit_code == 2
    assert "shifts[1].pools: got 'blendid'; expected a pool of the requirement" in result.output
    assert not (here / "results").exists()


def test_an_uncoverable_requirement_names_its_hours_and_writes_nothing(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE.replace("max_heads: 30", "max_heads: 2"))
    planner_csv(here / "need.csv", {"emergency": 4, "blended": 3})
    result = cli("roster", "catalogue.yaml", "--required", "need.csv")
    assert result.exit_code == 2
    assert "for pool emergency: needs 4, the catalogue can cover at most" in result.output
    assert "max_heads 2 reached" in result.output
    assert not (here / "results").exists()
    # --allow-under writes the roster with the least shortfall, the hours marked
    ok(cli("roster", "catalogue.yaml", "--required", "need.csv", "--allow-under",
           "--out", "under"))
    coverage = pd.read_csv(here / "under" / "coverage.csv")
    assert (coverage.loc[coverage["pool"] == "emergency", "under"] > 0).any()


def test_the_options_must_make_sense_together(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE)
    planner_csv(here / "need.csv", {"emergency": 2, "blended": 3})
    both = cli("roster", "catalogue.yaml", "--required", "need.csv", "--erlang", "tiny.yaml",
               "--target", "999: service_level >= 0.9")
    assert both.exit_code == 2 and "one of them" in both.output
    loose = cli("roster", "catalogue.yaml", "--required", "need.csv",
                "--target", "999: service_level >= 0.9")
    assert loose.exit_code == 2 and "--target goes with --erlang or --verify" in loose.output
    bare = cli("roster", "catalogue.yaml", "--erlang", "tiny.yaml")
    assert bare.exit_code == 2 and "need at least one --target" in bare.output
    write(here / "other.yaml", (here / "tiny.yaml").read_text())
    two = cli("roster", "catalogue.yaml", "--erlang", "tiny.yaml", "--verify", "other.yaml",
              "--target", "999: service_level >= 0.9")
    assert two.exit_code == 2 and "the same scenario" in two.output
    assert not (here / "results").exists()


def test_a_folder_contactsim_did_not_make_is_refused_before_solving(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE)
    planner_csv(here / "need.csv", {"emergency": 2, "blended": 3})
    write(here / "mine" / "notes.txt", "a planner's own file\n")
    result = cli("roster", "catalogue.yaml", "--required", "need.csv", "--out", "mine")
    assert result.exit_code == 2 and "marker" in result.output
    assert sorted(p.name for p in (here / "mine").iterdir()) == ["notes.txt"]


def test_erlang_requirement_and_verify_write_the_rounds(here: Path) -> None:
    write(here / "catalogue.yaml", CATALOGUE)
    result = ok(cli("roster", "catalogue.yaml", "--erlang", "tiny.yaml", "--verify", "tiny.yaml",
                    "--target", "999: service_level >= 0.8", "--target", "101: asa_s <= 600",
                    "--reps", 2, "--workers", 1, "--max-rounds", 3, "--time-limit", 10))
    out = here / "results" / "tiny-roster"
    rounds = pd.read_csv(out / "verify.csv")
    assert list(rounds["round"]) == list(range(1, len(rounds) + 1))
    assert {"heads", "cost_per_week", "hours_missed", "worst_hour"} <= set(rounds.columns)
    assert (out / "kpis.csv").exists() and (out / "rostered.yaml").exists()
    assert "Erlang A on tiny" in result.output
    assert "verified by simulation" in result.output or "not verified" in result.output


def test_help_says_what_the_command_takes() -> None:
    result = ok(cli("roster", "--help"))
    for option in ("--required", "--erlang", "--verify", "--from", "--time-limit",
                   "--allow-under", "--max-rounds"):
        assert option in result.output


def test_cycles_count_from_the_date_given(here: Path) -> None:
    write(here / "catalogue.yaml", 'shifts:\n  - {name: s12, length_h: 12, starts: ["07:00"], '
                                   'patterns: ["4-4"]}\n')
    rows = ["pool,hour_of_week,required"]
    rows += [f"blended,{h},{1 if 7 <= h % 24 < 19 else 0}" for h in range(168)]
    write(here / "need.csv", "\n".join(rows) + "\n")
    ok(cli("roster", "catalogue.yaml", "--required", "need.csv", "--from", "2018-01-03",
           "--out", "out"))
    blocks = yaml.safe_load((here / "out" / "roster.yaml").read_text())
    starts = sorted(str(s["cycle"]["from"]) for s in blocks["blended"]["staffing"]["shifts"])
    # two people, four days apart, their cycles counted from 2018-01-03 plus their offset
    assert len(starts) == 2 and starts[0] >= "2018-01-03" and starts[1] <= "2018-01-10"
    first, second = (dt.date.fromisoformat(s) for s in starts)
    assert (second - first).days == 4
