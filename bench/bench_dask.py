"""Benchmark (issue 18, item 5): a sweep on a Dask cluster of 2 worker processes against 2
local worker processes, with the same numbers.

The same sweep (by default the README's ``sweeps/staffing.yaml`` grid — 9 points of the
baseline's January — with ``--reps`` replications and without its callback variants) runs
three ways, each into a fresh folder:

- **local**: ``LocalExecutor(2)``, the two worker processes ``contactsim sweep --workers 2``
  starts (their start is part of the sweep's time, as it is for a planner);
- **LocalCluster**: a ``dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1)``
  started by this benchmark, the sweep sent to its scheduler's address;
- **dask CLI**: a cluster started as a user starts one on several machines, here all on
  127.0.0.1: ``dask scheduler`` and two ``dask worker ADDRESS --nthreads 1`` processes, the
  sweep sent to the scheduler's address (``contactsim sweep --scheduler tcp://...``).

A cluster is started before its sweep is timed (a user's is running already); its start-up is
shown apart. The ways are taken in turns (``--rounds``). In the first round every way's workers
start cold — each imports contactsim with its first run, as local workers do in every sweep —
and the figure of merit is taken there: runs a minute on Dask over runs a minute locally
(target: at least 0.9). The fastest round of each is shown too: a cluster kept up between
sweeps has its workers warm, so later sweeps on it skip that start.
Each way's ``sweep.parquet`` must be the same table: the numbers do not depend on where the
runs ran. Everything listens on and connects to 127.0.0.1 only, and the processes started here
are stopped at the end, on an error or Ctrl-C too (and a scheduler left by a killed benchmark
stops itself when idle, its workers after it).

Run: ``python bench/bench_dask.py [--reps 4] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dask.distributed import Client, LocalCluster

if TYPE_CHECKING:
    import pandas as pd

    from contactsim.runs.executors import Executor

# contactsim is imported in main(), not here: worker processes started by spawning import this
# module again, and a LocalCluster's workers would start with contactsim already loaded (warm)

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.9
WORKERS = 2
LOOPBACK = "127.0.0.1"
#: Seconds to wait for a cluster started here to be up.
START_TIMEOUT_S = 120.0
#: Seconds the processes started here get to stop before they are killed.
STOP_TIMEOUT_S = 10.0


def sweep_file(folder: Path, reps: int) -> Path:
    """The benchmark's sweep: ``sweeps/staffing.yaml``'s grid, ``reps`` replications."""
    path = folder / "bench-sweep.yaml"
    path.write_text(
        f"base: {ROOT / 'scenarios' / 'baseline-2018.yaml'}\nreps: {reps}\nseed: 2018\n"
        "grid:\n  horizon.days: [29]\n  shrinkage: [0.25, 0.30, 0.35]\n"
        "  pools.blended.staffing.shifts.0.count: [3, 4, 5]\n",
        encoding="utf-8",
    )
    return path


def dask_command() -> str:
    """The ``dask`` command of this interpreter's environment."""
    beside = Path(sys.executable).parent / "dask"
    return str(beside) if beside.exists() else "dask"


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """End the processes started here (each in a session of its own, so their process group
    holds what they started, such as a worker's nanny's child): SIGTERM, then SIGKILL."""
    for process in reversed(processes):  # the workers before the scheduler
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def cli_cluster(folder: Path) -> Iterator[str]:
    """A scheduler and ``WORKERS`` one-thread workers started by the ``dask`` command, on
    127.0.0.1; yields the scheduler's address, and stops them all when done."""
    dask = dask_command()
    scheduler_file = folder / "scheduler.json"
    processes: list[subprocess.Popen[bytes]] = []
    logs = []

    def start(name: str, *args: str) -> None:
        log = (folder / f"{name}.log").open("wb")
        logs.append(log)
        processes.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT,
                                          cwd=folder, start_new_session=True))

    try:
        start("scheduler", "scheduler", "--host", LOOPBACK, "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file), "--idle-timeout", "600s")
        deadline = time.monotonic() + START_TIMEOUT_S
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if processes[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start:\n"
                                   + (folder / "scheduler.log").read_text()[-2000:])
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for index in range(WORKERS):
            start(f"worker-{index}", "worker", address, "--nthreads", "1", "--nworkers", "1",
                  "--host", LOOPBACK, "--no-dashboard", "--death-timeout", "60s",
                  "--local-directory", str(folder / f"worker-{index}"))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        yield address
    finally:
        _stop(processes)
        for log in logs:
            log.close()


def timed_sweep(spec_path: Path, out: Path,
                executor: Callable[[], Executor]) -> tuple[float, float, pd.DataFrame]:
    """Seconds to run the sweep into ``out`` on an executor opened for it as ``contactsim
    sweep`` opens one (``with executor() as opened``), seconds until its first run was done,
    and its table."""
    from contactsim.runs.sweep import SweepProgress, run_sweep
    from contactsim.runs.sweep_file import load_sweep

    spec = load_sweep(spec_path)
    first: list[float] = []
    started = time.perf_counter()

    def note(state: SweepProgress) -> None:
        if state.done and not first:
            first.append(time.perf_counter() - started)

    with executor() as opened:
        table = run_sweep(spec, out, executor=opened, progress=note)
    return time.perf_counter() - started, first[0], table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4, help="replications a point (9 points)")
    parser.add_argument("--rounds", type=int, default=2, help="sweeps of each way (fastest)")
    args = parser.parse_args()
    from contactsim.runs.dask_executor import DaskExecutor
    from contactsim.runs.executors import LocalExecutor
    from contactsim.runs.sweep_file import load_sweep

    # SIGTERM ends the benchmark as Ctrl-C does, so that the clusters are stopped
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        spec_path = sweep_file(folder, args.reps)
        runs = len(load_sweep(spec_path).points) * args.reps
        started = time.perf_counter()
        with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                          host=LOOPBACK, dashboard_address=None) as cluster:
            local_cluster_s = time.perf_counter() - started
            started = time.perf_counter()
            with cli_cluster(folder) as cli_address:
                cli_cluster_s = time.perf_counter() - started
                ways: dict[str, Callable[[], Executor]] = {
                    "local": partial(LocalExecutor, WORKERS),
                    "LocalCluster": partial(DaskExecutor, scheduler=cluster.scheduler_address),
                    "dask CLI": partial(DaskExecutor, scheduler=cli_address),
                }
                cold: dict[str, float] = {}
                first_done: dict[str, float] = {}
                best: dict[str, float] = {}
                tables: dict[str, pd.DataFrame] = {}
                for round_ in range(args.rounds):
                    for way, executor in ways.items():
                        seconds, first, tables[way] = timed_sweep(
                            spec_path, folder / f"out-{way.replace(' ', '-')}-{round_}", executor)
                        cold.setdefault(way, seconds)
                        first_done.setdefault(way, first)
                        best[way] = min(best.get(way, seconds), seconds)
    same = all(table.equals(tables["local"]) for table in tables.values())
    print(f"sweep: {runs} runs (9 points of the baseline's January x {args.reps} "
          f"replications); {WORKERS} workers each way; {args.rounds} rounds, in turns")
    print(f"{'way':<14} {'cold s':>7} {'runs/min':>9} {'÷ local':>8} {'1st done':>8} "
          f"{'fastest s':>10} {'runs/min':>9} {'÷ local':>8}  cluster start-up")
    start_up = {"local": "(in the sweep)", "LocalCluster": f"{local_cluster_s:.1f} s",
                "dask CLI": f"{cli_cluster_s:.1f} s"}
    for way in ways:
        rate, fastest = runs / cold[way] * 60, runs / best[way] * 60
        ratio = rate / (runs / cold["local"] * 60)
        verdict = "" if way == "local" else (
            f"  target >= {TARGET:g} (cold): {'met' if ratio >= TARGET else 'NOT met'}")
        print(f"{way:<14} {cold[way]:>7.1f} {rate:>9.1f} {ratio:>8.2f} "
              f"{first_done[way]:>7.1f}s {best[way]:>10.1f} "
              f"{fastest:>9.1f} {fastest / (runs / best['local'] * 60):>8.2f}  "
              f"{start_up[way]}{verdict}")
    print(f"same sweep.parquet every way: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the clusters and workers started here are stopped by now
        sys.exit("interrupted: every process this benchmark started has been stopped")
