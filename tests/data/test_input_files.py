"""The data files a scenario names never crash, hang or mislead: profiles, per_interval staffing,
empirical distributions and replayed logs that are not UTF-8, not regular files, hold blank
lines or impossible values; growth beyond the limit; and the files ``demand fit`` and
``demand synth`` write. Everything is driven through the command line, as a planner meets it.

This file: files that are not UTF-8, not regular files or too large, and blank line names.
Impossible values, growth, ``demand fit`` and ``demand synth`` are in
``test_input_values_and_demand_files.py``.
"""

from __future__ import annotations

import gzip
import os
import threading
from contextlib import nullcontext
from pathlib import Path

import pytest

from contactsim.data import calllog
from contactsim.data.calllog import CallLog, read_replay
from helpers.cli import cli
from helpers.data_files import write_rows
from helpers.input_files import (
    GOOD,
    HOUR,
    NOT_UTF8,
    TARGETS,
    kind_of,
    refused,
    released_after,
    scenario,
    validate_and_run,
)

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
    refused(cli("validate", scenario(tmp_path, "replay-line", bad)), str(bad), "not UTF-8",
            "line 3")


def test_a_compressed_log_not_utf8_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv.gz"
    bad.write_bytes(gzip.compress(NOT_UTF8["log"]))
    refused(cli("validate", scenario(tmp_path, "replay-line", bad)), str(bad), "not UTF-8",
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
        refused(cli("demand", "fit", pipe, "--out", out), str(pipe), "regular file")
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
    refused(cli("validate", scenario(tmp_path, target, path)), str(path), "at most 10 bytes")


def test_an_empirical_duration_beyond_30_days_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "durations.csv"
    path.write_text("seconds\n60\n1e300\n", encoding="utf-8")
    refused(cli("validate", scenario(tmp_path, "empirical", path)), str(path), "row 3",
            "30 days")


def test_a_compressed_log_that_decompresses_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calllog, "MAX_LOG_BYTES", 2_000)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(
        ("arrival_time,line,handle_s\n" + f"{HOUR}:00,101,60\n" * 5_000).encode()))
    assert path.stat().st_size < 2_000
    refused(cli("validate", scenario(tmp_path, "replay-line", path)), str(path),
            "once decompressed")


def test_a_truncated_compressed_log_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(GOOD["log"].encode() * 50)[:40])
    refused(cli("validate", scenario(tmp_path, "replay-line", path)), str(path),
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
    refused(cli("validate", scenario(tmp_path, way, log)), str(log), "row 3", "line",
            "1 blank rows")


def test_a_blank_line_in_interval_counts_is_refused_with_its_row(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "counts.csv",
                     [(f"{HOUR}:00", "101", 3), (f"{HOUR}:00", "", 2),
                      ("2018-03-05T10:00", "101", 1)],
                     ("interval_start", "line", "calls"))
    refused(cli("validate", scenario(tmp_path, "replay-line", log)), str(log), "row 3",
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
