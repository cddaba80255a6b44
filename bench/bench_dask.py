"""Benchmark (issue 18, item 5): a sweep on a Dask cluster of 2 worker processes against 2
local worker processes, with the same numbers.

The same sweep (by default the README's ``sweeps/staffing.yaml`` grid — 9 points of the
baseline's January — with ``--reps`` replications and without its callback variants) runs
three ways, each into a fresh folder:

- **local**: ``LocalExecutor(2)``, the two worker processes ``contactsim sweep --workers 2``
  starts (their start, and their import of contactsim, is part of every sweep's time, as it is
  for a planner);
- **LocalCluster**: a ``dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1)``
  started by this benchmark, without contactsim: the executor has each worker load the run code
  when it connects (a call per worker before the runs), inside the sweep's time;
- **dask CLI**: a cluster started as the README tells a user to start one on several machines,
  here all on 127.0.0.1: ``dask scheduler`` and two ``dask worker ADDRESS --nthreads 1
  --preload contactsim.runs.dask_executor`` processes (each loads the run code as it starts),
  the sweep sent to the scheduler's address (``contactsim sweep --scheduler tcp://...``).

A cluster is started before its sweep is timed (a user's is running already); its start-up is
shown apart. The ways are taken in turns (``--rounds``). The figure of merit is the first round:
the first sweep on each cluster just started, against a sweep on local workers (whose workers
start cold in every sweep): runs a minute on Dask over runs a minute locally (target: at least
0.9). The fastest round of each is shown too: a cluster kept up between sweeps has its workers
warm whichever way it was started.
Beside the wall-clock figures, each way's CPU seconds a run (this process, the way's worker,
nanny and scheduler processes, and the local workers once a sweep has ended them): on a machine
shared with other work, where a sweep's wall time depends on what else runs meanwhile, what
each way costs. Every process started here stays in this benchmark's session, so that on such a
machine each way's workers get the same share of the CPU (Linux shares it out by session).
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
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
from dask.distributed import Client, LocalCluster

if TYPE_CHECKING:
    import pandas as pd

    from contactsim.runs.executors import Executor

# contactsim is imported in main(), not here: worker processes started by spawning import this
# module again, and a LocalCluster's workers would start with contactsim already loaded

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.9
WORKERS = 2
#: What ``dask worker`` is told to preload (the README's command): the run code.
PRELOAD = "contactsim.runs.dask_executor"
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
    """End the processes started here (each in a process group of its own, which holds what
    it started, such as a worker's nanny's child): SIGTERM, then SIGKILL."""
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


def cpu_s(started_here: list[psutil.Process]) -> float:
    """CPU seconds (user + system) used so far by this process, by its children that have
    ended (the local workers, once their sweep is over), and by the processes
    ``started_here`` (a cluster's) with their descendants."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for top in started_here:
        with contextlib.suppress(psutil.NoSuchProcess):
            for process in [top, *top.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system
    return total


@contextlib.contextmanager
def cli_cluster(folder: Path) -> Iterator[tuple[str, list[psutil.Process]]]:
    """A scheduler and ``WORKERS`` one-thread workers started by the ``dask`` command as the
    README says (preloading contactsim's run code), on 127.0.0.1; yields the scheduler's
    address and the processes started, and stops them all when done."""
    dask = dask_command()
    scheduler_file = folder / "scheduler.json"
    processes: list[subprocess.Popen[bytes]] = []
    logs = []

    def start(name: str, *args: str) -> None:
        # a process group of its own (to stop it whole), but this benchmark's session: Linux
        # shares the CPU out between sessions (autogroups), and a session of its own would give
        # each worker a share of its own on a busy machine, not the share local workers get
        log = (folder / f"{name}.log").open("wb")
        logs.append(log)
        processes.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT,
                                          cwd=folder, process_group=0))

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
                  "--preload", PRELOAD, "--host", LOOPBACK, "--no-dashboard",
                  "--death-timeout", "60s",
                  "--local-directory", str(folder / f"worker-{index}"))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(WORKERS, timeout=START_TIMEOUT_S)
        yield address, [psutil.Process(process.pid) for process in processes]
    finally:
        _stop(processes)
        for log in logs:
            log.close()


def timed_sweep(spec_path: Path, out: Path, executor: Callable[[], Executor],
                processes: list[psutil.Process]) -> tuple[float, float, float, pd.DataFrame]:
    """Seconds to run the sweep into ``out`` on an executor opened for it as ``contactsim
    sweep`` opens one (``with executor() as opened``), seconds until its first run was done,
    CPU seconds used (:func:`cpu_s` of the cluster's ``processes``), and its table."""
    from contactsim.runs.sweep import SweepProgress, run_sweep
    from contactsim.runs.sweep_file import load_sweep

    spec = load_sweep(spec_path)
    first: list[float] = []
    cpu_before = cpu_s(processes)
    started = time.perf_counter()

    def note(state: SweepProgress) -> None:
        if state.done and not first:
            first.append(time.perf_counter() - started)

    with executor() as opened:
        table = run_sweep(spec, out, executor=opened, progress=note)
    seconds = time.perf_counter() - started
    return seconds, first[0], cpu_s(processes) - cpu_before, table


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
            # the LocalCluster's processes: this one's children now (its nannies)
            local_cluster = psutil.Process().children()
            started = time.perf_counter()
            with cli_cluster(folder) as (cli_address, cli_processes):
                cli_cluster_s = time.perf_counter() - started
                ways: dict[str, tuple[Callable[[], Executor], list[psutil.Process]]] = {
                    "local": (partial(LocalExecutor, WORKERS), []),
                    "LocalCluster": (partial(DaskExecutor, scheduler=cluster.scheduler_address),
                                     local_cluster),
                    "dask CLI": (partial(DaskExecutor, scheduler=cli_address), cli_processes),
                }
                first_round: dict[str, float] = {}
                first_done: dict[str, float] = {}
                first_cpu: dict[str, float] = {}
                best: dict[str, float] = {}
                tables: dict[str, pd.DataFrame] = {}
                for round_ in range(args.rounds):
                    for way, (executor, processes) in ways.items():
                        seconds, first, cpu, tables[way] = timed_sweep(
                            spec_path, folder / f"out-{way.replace(' ', '-')}-{round_}", executor,
                            processes)
                        first_round.setdefault(way, seconds)
                        first_done.setdefault(way, first)
                        first_cpu.setdefault(way, cpu)
                        best[way] = min(best.get(way, seconds), seconds)
    same = all(table.equals(tables["local"]) for table in tables.values())
    print(f"sweep: {runs} runs (9 points of the baseline's January x {args.reps} "
          f"replications); {WORKERS} workers each way; {args.rounds} rounds, in turns")
    print(f"{'way':<14} {'first s':>7} {'runs/min':>9} {'÷ local':>8} {'1st done':>8} "
          f"{'fastest s':>10} {'runs/min':>9} {'÷ local':>8} {'CPU s/run':>9} "
          f"{'local ÷':>8}  cluster start-up")
    start_up = {"local": "(in the sweep)", "LocalCluster": f"{local_cluster_s:.1f} s",
                "dask CLI": f"{cli_cluster_s:.1f} s"}
    for way in ways:
        rate, fastest = runs / first_round[way] * 60, runs / best[way] * 60
        ratio = rate / (runs / first_round["local"] * 60)
        verdict = "" if way == "local" else (
            f"  target >= {TARGET:g} (first): {'met' if ratio >= TARGET else 'NOT met'}")
        print(f"{way:<14} {first_round[way]:>7.1f} {rate:>9.1f} {ratio:>8.2f} "
              f"{first_done[way]:>7.1f}s {best[way]:>10.1f} "
              f"{fastest:>9.1f} {fastest / (runs / best['local'] * 60):>8.2f} "
              f"{first_cpu[way] / runs:>9.3f} {first_cpu['local'] / first_cpu[way]:>8.2f}  "
              f"{start_up[way]}{verdict}")
    print("CPU s/run: first round, all the way's processes; local ÷: local's CPU over the "
          "way's (above 1: the way costs less)")
    print(f"same sweep.parquet every way: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the clusters and workers started here are stopped by now
        sys.exit("interrupted: every process this benchmark started has been stopped")
