"""Benchmark (issue 7, target 2): a full year of the baseline against the heapq loop, per call.

One replication of the scenario (by default the baseline: two lines with priority, three pools
with multi-skilling on shifts, triage, the Resolution Centre, interval series; callbacks and
redials where the scenario has them), from scenario to tallies, against the heapq Erlang A loop
(``bench/heapq_reference.py``) in the same run; timings taken in turns, fastest kept. Cost per
call is the replication's time over the calls offered (all lines, redials included). Target: at
most 4x the heapq loop's cost per call.

Run: ``python bench/bench_baseline.py [SCENARIO ...] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import Measurement, interleaved, reference_run, verdict
from contactsim.build.loading import load_scenario
from contactsim.runs.replication import run_tallies

TARGET = 4.0
ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "scenarios" / "baseline-2018.yaml", ROOT / "scenarios" / "callback-10min.yaml"]


def scenario_run(path: Path) -> Measurement:
    """A measurement of one replication of the scenario at ``path``."""
    scenario = load_scenario(path).scenario

    def measure(seed: int) -> tuple[float, int]:
        started = time.perf_counter()
        tallies = run_tallies(scenario, seed=seed, replication=0)
        elapsed = time.perf_counter() - started
        return elapsed, int(sum(line.total("offered") for line in tallies.lines.values()))

    return measure


def features(path: Path) -> str:
    """What of the model the scenario uses, in a few words."""
    scenario = load_scenario(path).scenario
    used = [f"{len(scenario.lines)} lines", f"{len(scenario.pools)} pools"]
    used += [name for name, on in (
        ("callbacks", scenario.callback is not None), ("redials", bool(scenario.redial)),
        ("triage", bool(scenario.triage)), ("RC", scenario.resolution_centre is not None),
    ) if on]
    return ", ".join(used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (best)")
    args = parser.parse_args()
    measurements: dict[str, Measurement] = {"heapq reference": reference_run(2_000_000)}
    for path in args.scenarios:
        measurements[path.stem] = scenario_run(path)
    timings = interleaved(measurements, args.repeat)
    reference = timings.pop("heapq reference")
    print(f"best of {args.repeat}, taken in turns")
    print(f"{'run':<18} {'calls':>10} {'seconds':>8} {'µs/call':>8} {'ratio':>6}  uses")
    print(f"{'heapq reference':<18} {reference.calls:>10,} {reference.seconds:>8.2f} "
          f"{reference.us_per_call:>8.2f} {1:>6.2f}  Erlang A, one line, one pool")
    for path in args.scenarios:
        timing = timings[path.stem]
        ratio = timing.us_per_call / reference.us_per_call
        print(f"{path.stem:<18} {timing.calls:>10,} {timing.seconds:>8.2f} "
              f"{timing.us_per_call:>8.2f} {ratio:>6.2f}  {features(path)}  "
              f"(target <= {TARGET:g}x: {verdict(ratio, TARGET)})")


if __name__ == "__main__":
    main()
