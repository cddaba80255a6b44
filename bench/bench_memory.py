"""Benchmark (issue 7, target 3): peak memory of a replication, for 1 and 4 simulated years.

Each horizon runs in a fresh process: one replication of the baseline without per-call
records, traced by ``tracemalloc`` (Python objects and numpy arrays). Prints the peak traced
memory of the run, the size of the interval series (the tallies' counts per interval and the
inputs' demand rates and staffing plans per interval, which must grow with the horizon), and
what grows beyond them, per call. Target: memory does not grow with the horizon beyond the
interval series.

Run: ``python bench/bench_memory.py [--years 1 4] [--scenario PATH]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, tracemalloc
from contactsim.build.loading import load_scenario
from contactsim.build.model_inputs import model_inputs
from contactsim.runs.replication import run_tallies
from contactsim.engine.records import LineTally
from contactsim.build.streams import Streams

path, days = sys.argv[1], int(sys.argv[2])
scenario = load_scenario(path, [f"horizon.days={days}"]).scenario
# the model's inputs per interval (demand rates, staffing plans), measured on their own
tracemalloc.start()
inputs = model_inputs(scenario, Streams(seed=1, replication=0))
inputs_bytes = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
del inputs
tracemalloc.start()
tallies = run_tallies(scenario, seed=1, replication=0)
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()

def series_bytes(line: LineTally) -> int:
    # per-interval lists: 8 bytes a slot, plus 24 bytes a float that is not shared
    size = 0
    for name in ("offered", "answered", "abandoned", "answered_within", "callbacks_offered",
                 "callbacks_accepted", "callback_attempts", "callback_completions", "redials",
                 "switched_to_999"):
        size += 8 * len(getattr(line, name))
    return size + 32 * len(line.wait_sum_s)

series = sum(series_bytes(line) for line in tallies.lines.values()) + inputs_bytes
calls = sum(line.total("offered") for line in tallies.lines.values())
print(json.dumps({"peak": peak, "retained": current, "series": series, "calls": calls}))
"""


def measure(scenario: Path, years: int) -> dict[str, float]:
    """Peak and retained traced memory of one replication of ``years`` simulated years."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(scenario), str(365 * years + 1)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline-2018.yaml")
    args = parser.parse_args()
    mib = 1024 * 1024
    rows = {years: measure(args.scenario, years) for years in args.years}
    print(f"{args.scenario.name}, one replication without records (tracemalloc)")
    print("series: the tallies' per-interval counts and the inputs' per-interval rates and plans")
    print(f"{'years':>5} {'calls':>11} {'peak MiB':>9} {'retained MiB':>13} {'series MiB':>11}")
    for years, row in rows.items():
        print(f"{years:>5} {row['calls']:>11,.0f} {row['peak'] / mib:>9.1f} "
              f"{row['retained'] / mib:>13.1f} {row['series'] / mib:>11.1f}")
    if len(rows) > 1:
        first, last = rows[min(rows)], rows[max(rows)]
        growth = (last["peak"] - first["peak"]) / mib
        series_growth = (last["series"] - first["series"]) / mib
        print(f"peak grows {growth:.1f} MiB from {min(rows)} to {max(rows)} years; the interval "
              f"series {series_growth:.1f} MiB; beyond them: {growth - series_growth:.1f} MiB "
              f"({(growth - series_growth) * mib / (last['calls'] - first['calls']):.2f} bytes "
              "a call)")


if __name__ == "__main__":
    main()
