"""Golden results: short runs of the shipped scenarios (frozen copies in
``tests/golden/scenarios``), reduced to the numbers that must not move.

``python tests/helpers/golden.py`` rewrites ``tests/golden/results.json``; do that only when a
change is meant to move the numbers (a new random stream, a fixed bug), and say so in the commit.
``tests/system/test_golden.py`` checks the code against the file: an optimisation must leave
every count the same and every time the same to 1e-9 s.
"""

from __future__ import annotations

import json
from pathlib import Path

from contactsim.build.loading import load_scenario
from contactsim.engine.records import RunTallies
from contactsim.runs.replication import run_tallies

#: frozen copies of the shipped scenarios as they were when the file was written, so that
#: recalibrating a shipped scenario does not move the golden numbers (the model is under test)
ROOT = Path(__file__).resolve().parents[1] / "golden"
GOLDEN = ROOT / "results.json"

#: (scenario file, overrides): every feature the model has, on a few weeks each
CASES: list[tuple[str, list[str]]] = [
    ("scenarios/quick-week.yaml", []),
    ("scenarios/callback-3min.yaml", ["horizon.days=14"]),
    ("scenarios/replay-week.yaml", []),
    ("scenarios/rc-expanded.yaml", ["horizon.days=21"]),
]
SEED = 7


def reduce(tallies: RunTallies) -> dict[str, float | str]:
    """The numbers a run is judged by: counts exactly, times rounded to 1e-9 s."""
    out: dict[str, float | str] = {}
    for name, line in sorted(tallies.lines.items()):
        for series in ("offered", "answered", "abandoned", "answered_within", "callbacks_offered",
                       "callbacks_accepted", "callback_attempts", "redials", "switched_to_999"):
            out[f"{name}.{series}"] = sum(getattr(line, series))
        out[f"{name}.wait_sum_s"] = round(sum(line.wait_sum_s), 9)
        out[f"{name}.wait_histogram_checksum"] = sum(
            i * count for i, count in enumerate(line.wait_histogram)
        )
        for field in ("deflected", "waiting_end", "callbacks_completed", "callbacks_failed",
                      "callbacks_pending_end", "zero_waits"):
            out[f"{name}.{field}"] = getattr(line, field)
        out[f"{name}.triaged"] = json.dumps(line.triaged)
    for name, pool in sorted(tallies.pools.items()):
        out[f"pool.{name}.busy_s"] = round(pool.busy_s, 6)
        out[f"pool.{name}.staffed_s"] = round(pool.staffed_s, 6)
    if tallies.rc is not None:
        out["rc.incidents"] = tallies.rc.incidents
        out["rc.outcomes"] = json.dumps(tallies.rc.outcomes)
        out["rc.busy_s"] = round(tallies.rc.busy_s, 6)
        out["rc.backlog_area"] = round(tallies.rc.backlog_area, 3)
    return out


def run_case(path: str, overrides: list[str]) -> dict[str, float | str]:
    """Reduce replication 0 of one case with the golden seed."""
    scenario = load_scenario(ROOT / path, overrides).scenario
    return reduce(run_tallies(scenario, seed=SEED, replication=0))


def case_key(path: str, overrides: list[str]) -> str:
    """The case's name in the golden file."""
    return " ".join([path, *overrides])


if __name__ == "__main__":
    results = {case_key(path, sets): run_case(path, sets) for path, sets in CASES}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
