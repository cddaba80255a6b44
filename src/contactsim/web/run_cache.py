"""The page's memory of runs already made: a planner trying what-if after what-if against one
base re-runs only what changed.

A run is kept under what decides its numbers: the scenario's digest (every resolved field, and
each file it names by its content, so an edited profile is a new scenario:
:func:`contactsim.output.results.scenario_digest`), the seed and the replications. The same
key gives the same numbers (a replication's draws depend only on the seed and its number), so
a kept run is exactly what running it again would give. The latest few are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from contactsim.config.loader import LoadedScenario
from contactsim.output.results import scenario_digest
from contactsim.runs.experiment import RunResults
from contactsim.web.results_view import RunSeries, run_series

#: Runs kept (a year's run of 10 replications holds about 30 MB of interval series).
RUNS_KEPT = 8

RunKey = tuple[str, int, int]


@dataclass(frozen=True)
class KeptRun:
    """A run and its plot series (worked out once)."""

    run: RunResults
    series: RunSeries

    @classmethod
    def of(cls, run: RunResults) -> KeptRun:
        return cls(run, run_series(run))


class RunCache:
    """The latest :data:`RUNS_KEPT` runs, by :func:`key`; safe to share between threads."""

    def __init__(self, kept: int = RUNS_KEPT) -> None:
        self._kept = kept
        self._runs: OrderedDict[RunKey, KeptRun] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(loaded: LoadedScenario, seed: int, reps: int) -> RunKey:
        """What decides a run's numbers."""
        return scenario_digest(loaded), seed, reps

    def get(self, key: RunKey) -> KeptRun | None:
        with self._lock:
            found = self._runs.get(key)
            if found is not None:
                self._runs.move_to_end(key)
            return found

    def put(self, key: RunKey, run: KeptRun) -> None:
        with self._lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            while len(self._runs) > self._kept:
                self._runs.popitem(last=False)
