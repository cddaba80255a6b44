"""What the benchmarks share: timings interleaved between engines, and the heapq yardstick.

Timings of different engines are taken in turns (A, B, A, B, ...) and the fastest of each kept,
so a slow spell of the machine weighs on both sides of a ratio alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from heapq_reference import simulate_erlang_a

#: The Erlang A system of issue 7: n = 50, 9.5 calls a minute, exponential 5-minute handle time
#: and 3-minute patience (offered load 47.5 Erlangs).
RATE_PER_HOUR = 9.5 * 60
HANDLE_S = 300.0
PATIENCE_S = 180.0
AGENTS = 50


@dataclass(frozen=True)
class Timing:
    """The fastest of several runs of one measurement."""

    seconds: float
    calls: int

    @property
    def us_per_call(self) -> float:
        """Microseconds per call, over the whole run."""
        return self.seconds / self.calls * 1e6


Measurement = Callable[[int], tuple[float, int]]  # seed -> (seconds, calls)


def interleaved(measurements: dict[str, Measurement], repeat: int) -> dict[str, Timing]:
    """Run each measurement ``repeat`` times, in turns, and keep the fastest of each."""
    best: dict[str, tuple[float, int]] = {}
    for seed in range(repeat):
        for name, measure in measurements.items():
            seconds, calls = measure(seed)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, calls)
    return {name: Timing(seconds, calls) for name, (seconds, calls) in best.items()}


def reference_run(calls: int) -> Measurement:
    """A measurement of ``calls`` arrivals through the heapq reference."""

    def measure(seed: int) -> tuple[float, int]:
        started = time.perf_counter()
        result = simulate_erlang_a(RATE_PER_HOUR, HANDLE_S, PATIENCE_S, AGENTS, calls, seed)
        return time.perf_counter() - started, result.calls

    return measure


def marginal_us_per_call(small: Timing, large: Timing) -> float:
    """Microseconds per extra call between two runs: leaves out fixed start-up costs."""
    return (large.seconds - small.seconds) / (large.calls - small.calls) * 1e6


def verdict(ratio: float, target: float) -> str:
    """'met' or 'NOT met' for a ratio that must be at most ``target``."""
    return "met" if ratio <= target else "NOT met"
