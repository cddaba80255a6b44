"""Benchmark: sweep throughput on 2 worker processes against 1, on the same grid.

A 4-point × 2-replication sweep of 120 days from July (the baseline's staffing) runs in a fresh
folder with 1 worker, then with 2; prints runs per minute for each and their ratio (the issue's
target: at least 1.8× on 2 cores). Start-up of the worker processes is included, as a planner
pays it.

Run: ``python bench/bench_sweep.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from contactsim.executors import LocalExecutor
from contactsim.sweep import load_sweep, run_sweep

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.yaml"
        path.write_text(
            f"base: {SCENARIOS / 'baseline-2018.yaml'}\nreps: 2\nseed: 1\n"
            "grid:\n"
            "  shrinkage: [0.25, 0.3, 0.35, 0.4]\n"
        )
        spec = load_sweep(path)
        runs = len(spec.points) * spec.reps
        rates = {}
        for workers in (1, 2):
            started = time.perf_counter()
            run_sweep(spec, Path(folder) / f"out{workers}", executor=LocalExecutor(workers))
            elapsed = time.perf_counter() - started
            rates[workers] = runs / elapsed * 60
            print(f"{workers} worker(s): {runs} runs in {elapsed:.1f} s = "
                  f"{rates[workers]:.0f} runs/min")
        print(f"ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}×")


if __name__ == "__main__":
    main()
