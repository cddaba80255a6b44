"""Benchmark (issue 18, target 3): a quick-week what-if on the page's warm workers against a cold
``contactsim run``.

Cold: ``contactsim run scenarios/quick-week.yaml --reps 10`` as a planner types it (a new
process: imports, worker start-up if any, the run, its results folder and plots). Warm: the
what-if page's application in this process, its workers started once beforehand (as
``contactsim serve`` starts them), answering a planner's next what-if on the quick week — one
what-if against the base already run, 10 replications, with the same callers — from the post to
the finished results (KPI table with paired differences, plot series). Each is timed in turns,
the fastest of ``--repeat`` kept; prints both and the ratio (target: warm <= 25% of cold), and
the first what-if on the base (base and what-if both run) for comparison.

Run: ``python bench/bench_whatif.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from contactsim.web.app import Settings, make_app

SCENARIOS = Path(__file__).parent.parent / "scenarios"
TARGET = 0.25
REPS = 10


def cold_run(out: Path) -> float:
    """Seconds of a whole ``contactsim run`` process on the quick week."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "contactsim.cli.main", "run",
                    str(SCENARIOS / "quick-week.yaml"), "--reps", str(REPS), "--out", str(out)],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def warm_whatif(client: TestClient, staff_percent: int) -> float:
    """Seconds from posting a what-if on the quick week (blended staff at ``staff_percent``)
    to its finished results."""
    started = time.perf_counter()
    answer = client.post("/api/runs", headers={"Content-Type": "application/json"},
                         content=json.dumps({
                             "base": "quick-week.yaml", "reps": REPS,
                             "whatifs": [{"name": "blended-plus-10",
                                          "values": {"pools.blended.staff_percent":
                                                     staff_percent}}]}))
    answer.raise_for_status()
    job = answer.json()["id"]
    while True:
        status = client.get(f"/api/runs/{job}").json()
        if status["state"] == "done":
            return time.perf_counter() - started
        if status["state"] not in ("queued", "running"):
            raise RuntimeError(status["message"])
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings of each, in turns")
    parser.add_argument("--workers", type=int, default=2, help="the page's worker processes")
    args = parser.parse_args()
    settings = Settings(scenarios=SCENARIOS, results=Path(tempfile.mkdtemp()) / "results",
                        workers=args.workers)
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as folder, TestClient(
            make_app(settings), base_url="http://127.0.0.1") as client:  # starts the workers
        first = warm_whatif(client, 105)
        for attempt in range(args.repeat):
            cold.append(cold_run(Path(folder) / f"cold-{attempt}"))
            warm.append(warm_whatif(client, 110 + attempt))
    ratio = min(warm) / min(cold)
    print(f"cold contactsim run (quick week, {REPS} reps):                {min(cold):6.2f} s")
    print(f"first what-if on the page (base + what-if, {REPS} reps): {first:6.2f} s")
    print(f"next what-if on the page (the base kept, {REPS} reps):    {min(warm):6.2f} s")
    print(f"warm / cold: {ratio:.2f} (target <= {TARGET:.2f}) "
          f"{'met' if ratio <= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
