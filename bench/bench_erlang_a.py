"""Benchmark: contactsim's engine against a minimal heapq loop on the same Erlang A model.

The system: n = 50 operators, 9.5 calls a minute, exponential 5-minute handle and 3-minute
patience (load 0.95). Prints calls simulated per second for each, the ratio of their costs per
call, and the marginal ratio (time for the larger run minus the smaller, per extra call), which
leaves out fixed start-up costs. Both are measured in the same run, so the ratio is comparable
across machines; the absolute rates are not.

Run: ``python bench/bench_erlang_a.py [--calls 500000]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from contactsim.loader import scenario_from_mapping
from contactsim.replication import run_tallies
from heapq_reference import simulate_erlang_a

RATE_PER_HOUR = 9.5 * 60
HANDLE_S = 300.0
PATIENCE_S = 180.0
AGENTS = 50


def contactsim_run(calls: int, seed: int) -> tuple[float, int]:
    """Seconds to simulate about ``calls`` arrivals through contactsim's whole pipeline."""
    hours = max(1, round(calls / RATE_PER_HOUR))
    scenario = scenario_from_mapping(
        {
            "name": "bench-erlang-a",
            "horizon": {"days": hours / 24},
            "demand": {"101": {"rate_per_hour": RATE_PER_HOUR}},
            "handling": {
                "101": {
                    "handle_time": {"dist": "exponential", "mean_s": HANDLE_S},
                    "patience": {"dist": "exponential", "mean_s": PATIENCE_S},
                }
            },
            "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": AGENTS}}],
        }
    )
    started = time.perf_counter()
    tallies = run_tallies(scenario, seed=seed, replication=0)
    elapsed = time.perf_counter() - started
    return elapsed, int(tallies.lines["101"].total("offered"))


def reference_run(calls: int, seed: int) -> tuple[float, int]:
    """Seconds to simulate ``calls`` arrivals through the heapq reference."""
    started = time.perf_counter()
    result = simulate_erlang_a(RATE_PER_HOUR, HANDLE_S, PATIENCE_S, AGENTS, calls, seed)
    return time.perf_counter() - started, result.calls


def best_of(runs: int, measure, calls: int) -> tuple[float, int]:
    """The fastest of ``runs`` timings (the least disturbed by the rest of the machine)."""
    timings = [measure(calls, seed) for seed in range(runs)]
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000_000, help="calls in the larger run")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (best)")
    args = parser.parse_args()
    small = args.calls // 4
    rows = []
    for name, measure in (("heapq reference", reference_run), ("contactsim", contactsim_run)):
        t_small, n_small = best_of(args.repeat, measure, small)
        t_large, n_large = best_of(args.repeat, measure, args.calls)
        marginal = (t_large - t_small) / (n_large - n_small)
        rows.append((name, n_large, t_large, n_large / t_large, marginal))
    print(f"Erlang A: n={AGENTS}, {RATE_PER_HOUR / 60:g} calls/min, handle {HANDLE_S:g} s, "
          f"patience {PATIENCE_S:g} s")
    print(f"{'engine':<18} {'calls':>9} {'seconds':>8} {'calls/s':>10} {'µs/call (marginal)':>19}")
    for name, calls, seconds, rate, marginal in rows:
        print(f"{name:<18} {calls:>9,} {seconds:>8.2f} {rate:>10,.0f} {marginal * 1e6:>19.2f}")
    reference, ours = rows
    print(f"ratio contactsim / heapq: {reference[3] / ours[3]:.2f}× per call overall, "
          f"{ours[4] / reference[4]:.2f}× marginal")


if __name__ == "__main__":
    main()
