"""Benchmark (issue 7, target 4): sweep throughput on 2 worker processes against 1.

A sweep of the baseline year over shrinkage (8 points x 4 replications = 32 replication-years,
a small slice of a planner's overnight sweep) runs in a fresh folder with 1 worker, then with 2;
prints replications a minute for each, their ratio (target: at least 1.8x on 2 cores) and the
parts: the worker start-up a planner pays once a sweep, and the time per replication.

Run: ``python bench/bench_sweep.py [--points 8] [--reps 4]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from contactsim.runs.executors import LocalExecutor
from contactsim.runs.sweep import SweepProgress, run_sweep
from contactsim.runs.sweep_file import load_sweep

SCENARIOS = Path(__file__).parent.parent / "scenarios"
TARGET = 1.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8, help="shrinkage values in the grid")
    parser.add_argument("--reps", type=int, default=4, help="replications a point")
    args = parser.parse_args()
    shrinkages = [round(0.2 + 0.025 * i, 3) for i in range(args.points)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.yaml"
        path.write_text(
            f"base: {SCENARIOS / 'baseline-2018.yaml'}\nreps: {args.reps}\nseed: 1\n"
            f"grid:\n  shrinkage: {shrinkages}\n"
        )
        spec = load_sweep(path)
        runs = len(spec.points) * spec.reps
        rates = {}
        for workers in (1, 2):
            first_done: list[float] = []
            started = time.perf_counter()

            def note(state: SweepProgress, started: float = started,
                     first_done: list[float] = first_done) -> None:
                if state.done == 1 and not first_done:
                    first_done.append(time.perf_counter() - started)

            run_sweep(spec, Path(folder) / f"out{workers}", executor=LocalExecutor(workers),
                      progress=note)
            elapsed = time.perf_counter() - started
            rates[workers] = runs / elapsed * 60
            print(f"{workers} worker(s): {runs} replications in {elapsed:.1f} s = "
                  f"{rates[workers]:.1f} a minute (first finished after {first_done[0]:.1f} s)")
        ratio = rates[2] / rates[1]
        print(f"ratio 2 workers / 1 worker: {ratio:.2f}x (target >= {TARGET:g}x: "
              f"{'met' if ratio >= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
