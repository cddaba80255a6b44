"""Interrupted commands leave no worker behind and stop promptly: real processes and signals.

``kill -9`` of a command's process: its worker processes (and the progress Manager's) die with
it. Ctrl-C (SIGINT to the process group, as a terminal sends it): the command is gone within
seconds, a sweep keeps its finished runs and resumes to the table an uninterrupted sweep makes,
a run leaves its results folder as it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from contactsim.errors import ContactsimError, EnvironmentFault
from contactsim.runs.dask_executor import DaskExecutor
from contactsim.runs.executors import make_executor
from contactsim.runs.sweep import run_sweep
from contactsim.runs.sweep_file import load_sweep
from helpers.scenarios import SCENARIOS

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds processes through /proc (Linux)")

# a year of the baseline: about 500,000 callers a replication, so 6 replications (over
# experiment.PARALLEL_FROM_CALLERS) go to worker processes, and take ~4 s each
YEAR = SCENARIOS / "baseline-2018.yaml"
# a short point (a week, ~0.1 s a run) and a long one (200 days, ~1.7 s a run): the sweep is
# caught with the short runs finished and the long ones under way
SWEEP = (f"base: {SCENARIOS / 'quick-week.yaml'}\n"
         "reps: 3\nseed: 11\ngrid:\n  horizon.days: [8, 200]\n")


def command(*args: str) -> list[str]:
    """The installed ``contactsim`` command (as a user runs it), else the module's main."""
    script = Path(sys.executable).parent / "contactsim"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from contactsim.cli.main import main; main()", *args]


def start(logs: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start a command in a process group of its own (its pid is the group's id), its output
    going to files in ``logs`` (a pipe would be held open by any worker that outlives it)."""
    logs.mkdir(exist_ok=True)
    with open(logs / "stdout", "wb") as stdout, open(logs / "stderr", "wb") as stderr:
        return subprocess.Popen(command(*args), start_new_session=True, stdout=stdout,
                                stderr=stderr)


def stderr_of(logs: Path) -> str:
    return (logs / "stderr").read_text(errors="replace")


def stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, or None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``, with its start time (to tell it from a reused pid)."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := stat(int(entry.name))) is not None:
            parents.setdefault(info[1], []).append(int(entry.name))
            starts[int(entry.name)] = info[2]
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def alive(pid: int, started: int) -> bool:
    """The same process is still there (a zombie nobody reaped counts as gone)."""
    info = stat(pid)
    return info is not None and info[2] == started and info[0] not in "ZX"


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_for_workers(process: subprocess.Popen[bytes], count: int,
                     timeout_s: float = 60) -> dict[int, int]:
    """The command's processes once ``count`` spawned workers (Manager included) are up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the command ended before its workers were seen"
        below = descendants(process.pid)
        if sum(is_worker(pid) for pid in below) >= count:
            return below
        time.sleep(0.05)
    raise AssertionError(f"no {count} worker processes after {timeout_s} s")


def survivors(processes: dict[int, int], within_s: float) -> list[int]:
    """The processes still alive after ``within_s`` seconds (empty as soon as all are gone)."""
    deadline = time.monotonic() + within_s
    while True:
        left = [pid for pid, started in processes.items() if alive(pid, started)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def clean_up(process: subprocess.Popen[bytes], processes: dict[int, int]) -> None:
    """After a test, passed or failed: SIGKILL the command and whatever of ``processes`` is
    left."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for pid, started in processes.items():
        if alive(pid, started):
            os.kill(pid, signal.SIGKILL)


def run_folders(out: Path) -> list[Path]:
    return sorted(out.glob("runs/p*/r*"))


@pytest.mark.parametrize("kind", [pytest.param("run", marks=pytest.mark.slow), "sweep"])
def test_workers_die_with_a_killed_command(tmp_path: Path, kind: str) -> None:
    """``kill -9`` of the command's process alone: every worker (and the Manager of a run's
    progress queue, and multiprocessing's resource tracker) is gone within seconds."""
    logs = tmp_path / "logs"
    if kind == "run":
        process = start(logs, "run", str(YEAR), "--reps", "6", "--workers", "2",
                        "--out", str(tmp_path / "out"), "--no-plots")
        expected = 3  # the progress Manager and two workers
    else:
        sweep_file = tmp_path / "sweep.yaml"
        sweep_file.write_text(SWEEP.replace("[8, 200]", "[200, 201]"))
        process = start(logs, "sweep", str(sweep_file), "--out", str(tmp_path / "out"),
                        "--workers", "2")
        expected = 2
    below: dict[int, int] = {}
    try:
        below = wait_for_workers(process, expected)
        os.kill(process.pid, signal.SIGKILL)  # the parent only, as `kill -9 PID` does
        process.wait()
        assert survivors(below, within_s=5) == []
    finally:
        clean_up(process, below)
    if kind == "run":
        # the killed run's temporary folder stays until the next run to the same --out
        assert len(list(tmp_path.glob(".out.partial-*"))) == 1
        again = subprocess.run(
            command("run", str(YEAR), "--reps", "2", "--set", "horizon.days=2", "--no-plots",
                    "--out", str(tmp_path / "out")), capture_output=True, check=False)
        assert again.returncode == 0, again.stderr
        assert list(tmp_path.glob(".out.*")) == []


@pytest.mark.slow
def test_ctrl_c_stops_a_sweep_which_then_resumes_to_the_uninterrupted_table(
    tmp_path: Path,
) -> None:
    """SIGINT to the sweep's process group: gone within seconds with status 130 and the way to
    resume; the runs kept are whole; the same command again finishes the sweep, and its table
    is that of a sweep never interrupted."""
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(SWEEP)
    out = tmp_path / "out"
    args = ("sweep", str(sweep_file), "--out", str(out), "--workers", "2")
    logs = tmp_path / "logs"
    process = start(logs, *args)
    below: dict[int, int] = {}
    try:
        below = wait_for_workers(process, 2)
        deadline = time.monotonic() + 60
        while len(list(out.glob("runs/p000/r*/meta.json"))) < 3 and time.monotonic() < deadline:
            assert process.poll() is None, stderr_of(logs)
            time.sleep(0.02)
        below.update(descendants(process.pid))
        interrupted = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal
        process.wait(timeout=10)
        stderr = stderr_of(logs)
        assert time.monotonic() - interrupted < 10
        assert process.returncode == 130, stderr
        assert "run the same command again to resume" in stderr
        assert survivors(below, within_s=3) == []
    finally:
        clean_up(process, below)
    kept = run_folders(out)
    assert 3 <= len(kept) < 6, "the sweep was not caught part way"
    assert f"{len(kept)} of 6 runs are finished" in stderr
    for folder in kept:
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["status"] == "ok" and (folder / "kpis.parquet").exists()
    assert not (out / "sweep.parquet").exists()  # nothing collated
    assert not list(out.glob("runs/*/.*.partial-*"))  # the runs stopped left nothing

    before = {folder: (folder / "meta.json").stat().st_mtime_ns for folder in kept}
    resumed = subprocess.run(command(*args), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert {f: (f / "meta.json").stat().st_mtime_ns for f in kept} == before  # not run again
    assert len(run_folders(out)) == 6
    assert not list(out.glob("runs/*/.*.partial-*"))
    whole = run_sweep(load_sweep(sweep_file), tmp_path / "whole", workers=1)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), whole)


@pytest.mark.slow
def test_ctrl_c_stops_a_run_and_leaves_its_results_folder_as_it_was(tmp_path: Path) -> None:
    """SIGINT to a run's process group while its workers stream records: gone within seconds
    with a failing status, no worker left, no temporary folder left (records included), and the
    results folder's earlier contents unchanged."""
    out = tmp_path / "out"
    earlier = subprocess.run(
        command("run", str(SCENARIOS / "quick-week.yaml"), "--reps", "2", "--out", str(out),
                "--no-plots"), capture_output=True, text=True, timeout=120)
    assert earlier.returncode == 0, earlier.stderr
    files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fresh = tmp_path / "fresh"
    for folder in (out, fresh):  # a run over earlier results, and one into a new folder
        logs = tmp_path / f"logs-{folder.name}"
        process = start(logs, "run", str(YEAR), "--reps", "6", "--workers", "2",
                        "--out", str(folder), "--no-plots", "--records")
        below: dict[int, int] = {}
        try:
            below = wait_for_workers(process, 3)
            # both workers are running replications: their records stream into the temporary
            # twin of the results folder
            records = f".{folder.name}.partial-*/records/*replication-*"
            deadline = time.monotonic() + 60
            while len(list(tmp_path.glob(records))) < 2 and time.monotonic() < deadline:
                assert process.poll() is None, stderr_of(logs)
                time.sleep(0.05)
            below.update(descendants(process.pid))
            interrupted = time.monotonic()
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=5)
            assert time.monotonic() - interrupted < 5
            assert process.returncode != 0, stderr_of(logs)
            assert survivors(below, within_s=3) == []
        finally:
            clean_up(process, below)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == files
    assert not fresh.exists()
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("logs-"))
    assert left == ["out"]  # no .out.partial-* nor .fresh.partial-* left


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_is_an_environment_fault(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    started = time.monotonic()
    with pytest.raises(EnvironmentFault, match=r"tcp://127\.0\.0\.1:1 could not be reached "
                                               r"within 10 s"):
        list(DaskExecutor(scheduler="tcp://127.0.0.1:1").as_completed(abs, [(-1,), (-2,)]))
    assert time.monotonic() - started < 15


def test_a_scheduler_and_local_dask_workers_together_are_refused() -> None:
    with pytest.raises(ContactsimError, match="give --scheduler or --dask-local, not both"):
        make_executor(2, scheduler="tcp://127.0.0.1:1", dask_local=2)
