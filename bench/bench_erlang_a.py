"""Benchmark (issue 7, target 1): contactsim's engine against a minimal heapq event loop.

The system: n = 50 operators, 9.5 calls a minute, exponential 5-minute handle and 3-minute
patience (load 0.95), through contactsim's whole pipeline (scenario, streams, interval tallies,
histogram, conservation check). The figure of merit is the marginal cost per call: the time for
the larger run minus the smaller one, per extra call, which leaves out start-up costs; it must
be at most 2x the heapq loop's, measured in the same run (timings taken in turns, fastest kept).
The absolute rates depend on the machine; the ratio much less.

Run: ``python bench/bench_erlang_a.py [--calls 2000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    AGENTS,
    HANDLE_S,
    PATIENCE_S,
    RATE_PER_HOUR,
    Measurement,
    interleaved,
    marginal_us_per_call,
    reference_run,
    verdict,
)
from contactsim.build.loading import scenario_from_mapping
from contactsim.runs.replication import run_tallies

TARGET = 2.0


def erlang_a_scenario(calls: int):
    """The benchmark system as a contactsim scenario, long enough for about ``calls`` arrivals."""
    hours = max(1, round(calls / RATE_PER_HOUR))
    return scenario_from_mapping(
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


def contactsim_run(calls: int) -> Measurement:
    """A measurement of about ``calls`` arrivals through contactsim, scenario to tallies."""

    def measure(seed: int) -> tuple[float, int]:
        started = time.perf_counter()
        tallies = run_tallies(erlang_a_scenario(calls), seed=seed, replication=0)
        elapsed = time.perf_counter() - started
        return elapsed, int(tallies.lines["101"].total("offered"))

    return measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000_000, help="calls in the larger run")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (best)")
    args = parser.parse_args()
    small = args.calls // 4
    timings = interleaved(
        {
            "heapq small": reference_run(small),
            "contactsim small": contactsim_run(small),
            "heapq large": reference_run(args.calls),
            "contactsim large": contactsim_run(args.calls),
        },
        args.repeat,
    )
    print(f"Erlang A: n={AGENTS}, {RATE_PER_HOUR / 60:g} calls/min, handle {HANDLE_S:g} s, "
          f"patience {PATIENCE_S:g} s; best of {args.repeat}, taken in turns")
    print(f"{'engine':<16} {'calls':>10} {'seconds':>8} {'calls/s':>10} {'µs/call':>8} "
          f"{'µs/call marginal':>17}")
    marginal = {}
    for engine in ("heapq", "contactsim"):
        small_t, large_t = timings[f"{engine} small"], timings[f"{engine} large"]
        marginal[engine] = marginal_us_per_call(small_t, large_t)
        for label, timing in (("small", small_t), ("large", large_t)):
            extra = f"{marginal[engine]:>17.2f}" if label == "large" else ""
            print(f"{engine + ' ' + label:<16} {timing.calls:>10,} {timing.seconds:>8.2f} "
                  f"{timing.calls / timing.seconds:>10,.0f} {timing.us_per_call:>8.2f} {extra}")
    ratio = marginal["contactsim"] / marginal["heapq"]
    overall = timings["contactsim large"].us_per_call / timings["heapq large"].us_per_call
    print(f"ratio contactsim / heapq: {ratio:.2f}x marginal (target <= {TARGET:g}x: "
          f"{verdict(ratio, TARGET)}); {overall:.2f}x per call over the larger run")


if __name__ == "__main__":
    main()
