"""Benchmark (issue 15): what operators as individuals, shifts and breaks cost on the Erlang A
benchmark system.

The system of ``bench_erlang_a.py`` (n = 50, 9.5 calls a minute, exponential 5-minute handle
and 3-minute patience) three ways, each run through contactsim's whole pipeline with the same
callers, and the heapq loop of ``bench_erlang_a.py`` as the reference, all measured in the same
run (timings in turns, fastest kept):

- **flat**: 50 operators all the time (the Erlang A benchmark itself);
- **shifts**: three 8-hour shifts a day (00:00, 08:00, 16:00) of 50 people each, no breaks:
  people come and go by their own duty, with their operator-shifts counted;
- **shifts + breaks**: the same shifts, each person taking a 30-minute break 3 h in (starts
  spread over two hours) and a 15-minute one 6 h in (over an hour).

The figure of merit is the marginal cost per call (larger run minus smaller, per extra call),
as a ratio to the heapq loop's; the issue's limit on individual operators is that the flat
ratio moves by at most 5% from the one measured before them (1.95x in the README's table: a
different run, so compare on one machine, e.g. ``git stash`` and run this again). The shifts
rows show what a roster with breaks costs on top.

Run: ``python bench/bench_breaks.py [--calls 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

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
)
from contactsim.build.loading import scenario_from_mapping
from contactsim.runs.replication import run_tallies

BREAKS = [{"after_h": 3, "spread_min": 120, "length_min": 30},
          {"after_h": 6, "spread_min": 60, "length_min": 15}]


def staffing(kind: str) -> dict[str, Any]:
    """The pool's staffing for one of the three ways."""
    if kind == "flat":
        return {"flat": AGENTS}
    breaks = BREAKS if kind == "shifts + breaks" else []
    return {"shifts": [{"start": start, "length_h": 8, "count": AGENTS, "breaks": breaks}
                       for start in ("00:00", "08:00", "16:00")]}


def scenario(kind: str, calls: int) -> Any:
    """The benchmark system with ``kind`` of staffing, long enough for about ``calls``."""
    hours = max(1, round(calls / RATE_PER_HOUR))
    return scenario_from_mapping({
        "name": "bench-breaks",
        "horizon": {"days": hours / 24},
        "demand": {"101": {"rate_per_hour": RATE_PER_HOUR}},
        "handling": {"101": {
            "handle_time": {"dist": "exponential", "mean_s": HANDLE_S},
            "patience": {"dist": "exponential", "mean_s": PATIENCE_S},
        }},
        "pools": [{"name": "all", "skills": ["101"], "staffing": staffing(kind)}],
    })


def contactsim_run(kind: str, calls: int) -> Measurement:
    """A measurement of about ``calls`` arrivals with ``kind`` of staffing."""
    built = scenario(kind, calls)

    def measure(seed: int) -> tuple[float, int]:
        started = time.perf_counter()
        tallies = run_tallies(built, seed=seed, replication=0)
        elapsed = time.perf_counter() - started
        return elapsed, int(tallies.lines["101"].total("offered"))

    return measure


KINDS = ("flat", "shifts", "shifts + breaks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls in the larger run")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (best)")
    args = parser.parse_args()
    small = args.calls // 4
    runs: dict[str, Measurement] = {"heapq small": reference_run(small),
                                    "heapq large": reference_run(args.calls)}
    for kind in KINDS:
        runs[f"{kind} small"] = contactsim_run(kind, small)
        runs[f"{kind} large"] = contactsim_run(kind, args.calls)
    timings = interleaved(runs, args.repeat)
    reference = marginal_us_per_call(timings["heapq small"], timings["heapq large"])
    print(f"Erlang A system: n={AGENTS}, {RATE_PER_HOUR / 60:g} calls/min, handle "
          f"{HANDLE_S:g} s, patience {PATIENCE_S:g} s; best of {args.repeat}, taken in turns")
    print(f"{'staffing':<18} {'calls':>10} {'µs/call marginal':>17} {'÷ heapq':>8} "
          f"{'÷ flat':>7}")
    print(f"{'heapq loop':<18} {timings['heapq large'].calls:>10,} {reference:>17.2f} "
          f"{1.0:>8.2f} {'':>7}")
    flat = marginal_us_per_call(timings["flat small"], timings["flat large"])
    for kind in KINDS:
        cost = marginal_us_per_call(timings[f"{kind} small"], timings[f"{kind} large"])
        print(f"{kind:<18} {timings[f'{kind} large'].calls:>10,} {cost:>17.2f} "
              f"{cost / reference:>8.2f} {cost / flat:>7.2f}")


if __name__ == "__main__":
    main()
