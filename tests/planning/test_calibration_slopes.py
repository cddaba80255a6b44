"""The calibration's slopes: a straight line through the points the search ran near its best,
central differences only for an unknown those points do not spread, and a stop once the search
has settled."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from contactsim.planning import calibration
from contactsim.planning.calibration_intervals import local_slopes, spread
from contactsim.planning.targets import Target
from contactsim.planning.unknowns import Parameter

PATIENCE = Parameter("handling.101.patience.mean_s", ("handling",), 3000.0, 30000.0, 11000.0,
                     False)
HANDLE = Parameter("handling.101.handle_time.mean_s", ("handling",), 330.0, 430.0, 383.0, False)
#: each target's slope against each unknown (per unit of the unknown)
TRUE_SLOPES = np.array([[0.01, 2.0], [-1e-5, 0.003], [0.0, 0.0]])
BEST = (12000.0, 380.0)


def linear(values: tuple[float, ...]) -> np.ndarray:
    """The targets' means at ``values``: a plane through the best point (the third target no
    unknown moves)."""
    return np.array([209.0, 0.127, 341204.0]) + TRUE_SLOPES @ (np.array(values) - BEST)


class FakeRuns:
    """What :func:`calibration._slopes` reads of the search's runs, with means on a plane."""

    def __init__(self, points: list[tuple[float, ...]], screen: int, reps: int) -> None:
        self.parameters = [PATIENCE, HANDLE]
        self.fitted: list[Any] = [None, None, None]
        self.reps = reps
        self.per_rep = {v: pd.DataFrame([linear(v)] * (reps if v == BEST else screen))
                        for v in points}
        self.simulated: list[tuple[float, ...]] = []

    def means_at(self, values: tuple[float, ...]) -> tuple[float, ...]:
        self.simulated.append(values)
        return tuple(float(m) for m in linear(values))


def scattered(count: int, seed: int = 1) -> list[tuple[float, ...]]:
    """The best point and ``count`` others within a few per cent of the bounds around it."""
    rng = np.random.default_rng(seed)
    shares = rng.uniform(-0.08, 0.08, size=(count, 2))
    return [BEST] + [(round(BEST[0] + s * 27000, 1), round(BEST[1] + t * 100, 3))
                     for s, t in shares]


def test_local_slopes_recover_a_plane_and_a_target_no_unknown_moves_has_slope_0() -> None:
    rng = np.random.default_rng(3)
    shares = rng.uniform(0.3, 0.5, size=(12, 2))
    means = np.column_stack([5 + shares @ [2.0, -1.0], np.full(12, 7.25)])
    means[4, 0] = np.nan  # not measured there: fitted over the other points
    slopes = local_slopes(shares, means, np.array([0.4, 0.4]))
    assert slopes[0] == pytest.approx([2.0, -1.0])
    assert list(slopes[1]) == [0.0, 0.0]


def test_points_along_one_line_do_not_spread_either_unknown() -> None:
    line = np.array([[0.1 * k, 0.2 * k] for k in range(6)])
    assert spread(line) == pytest.approx([0, 0], abs=1e-20)
    square = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    assert spread(square) == pytest.approx([1.0, 1.0])  # four points at ±0.5: 4 × 0.25


def test_slopes_come_from_the_points_near_the_best_without_new_runs() -> None:
    runs = FakeRuns(scattered(12), screen=2, reps=4)
    # a point far from the best is left out: it would not lie on the local plane
    runs.per_rep[(29000.0, 430.0)] = pd.DataFrame([[1e6, 1e6, 341204.0]] * 2)
    slopes, spans = calibration._slopes(runs, BEST, 2, lambda _line: None)  # type: ignore[arg-type]
    assert runs.simulated == []
    assert slopes == pytest.approx(TRUE_SLOPES, rel=1e-6, abs=1e-12)
    assert spans[0][0] < BEST[0] < spans[0][1] and spans[1][0] < BEST[1] < spans[1][1]
    assert spans[0][1] < 29000.0


def test_an_unknown_the_points_do_not_spread_gets_central_differences() -> None:
    # the search moved the patience only: the handle time's slope needs runs of its own
    points = [BEST] + [(BEST[0] + d, BEST[1]) for d in (-2000.0, -1000.0, 1000.0, 2000.0)]
    runs = FakeRuns(points, screen=2, reps=4)
    lines: list[str] = []
    slopes, spans = calibration._slopes(runs, BEST, 2, lines.append)  # type: ignore[arg-type]
    assert runs.simulated == [(BEST[0], 385.0), (BEST[0], 375.0)]  # ±5% of the bounds' range
    assert spans[1] == (375.0, 380.0 + 5.0)
    assert slopes == pytest.approx(TRUE_SLOPES, rel=1e-6, abs=1e-12)
    assert any("straight line" in line for line in lines)


def test_too_few_points_near_the_best_fall_back_to_central_differences() -> None:
    runs = FakeRuns([BEST], screen=2, reps=4)
    slopes, _ = calibration._slopes(runs, BEST, 2, lambda _line: None)  # type: ignore[arg-type]
    assert len(runs.simulated) == 4
    assert slopes == pytest.approx(TRUE_SLOPES, rel=1e-6, abs=1e-12)


class BowlRuns:
    """What :func:`calibration._search` reads of the runs: one target, published as 0 with a
    tolerance of 1, whose mean is ``bottom`` at the point ``lowest`` (shares of the bounds)
    and grows with the distance from it."""

    def __init__(self, start: tuple[float, float], lowest: tuple[float, float],
                 bottom: float) -> None:
        self.parameters = [
            Parameter(p.field, p.path, p.low, p.high, p.low + s * (p.high - p.low), False)
            for p, s in zip((PATIENCE, HANDLE), start, strict=True)]
        self.fitted = [Target(line="101", kpi="asa_s", value=0, tolerance=1, source="bowl")]
        self.lowest, self.bottom = np.array(lowest), bottom
        self.evaluations: dict[tuple[float, ...], calibration.Evaluation] = {}

    def evaluate(self, values: tuple[float, ...]) -> calibration.Evaluation:
        shares = np.array([p.share(v) for p, v in zip(self.parameters, values, strict=True)])
        mean = self.bottom + 20 * float(((shares - self.lowest) ** 2).sum())
        made = calibration.Evaluation(len(self.evaluations) + 1, values, (mean,), mean**2, 2)
        self.evaluations[values] = made
        return made


def test_a_search_that_starts_at_the_bottom_and_meets_the_target_settles_early() -> None:
    runs = BowlRuns(start=(0.4, 0.6), lowest=(0.4, 0.6), bottom=0.5)
    lines: list[str] = []
    history = calibration._search(runs, 40, lines.append)  # type: ignore[arg-type]
    # the first simplex (3 runs), then 3 runs per corner with no gain of MIN_GAIN
    assert len(history) == 3 + calibration.SETTLED_RUNS_EACH * 3
    assert lines[-1].startswith("settled: every target met, and 9 runs without lowering")


def test_a_search_whose_best_misses_a_target_uses_its_whole_budget() -> None:
    runs = BowlRuns(start=(0.4, 0.6), lowest=(0.4, 0.6), bottom=1.5)
    history = calibration._search(runs, 30, lambda _line: None)  # type: ignore[arg-type]
    assert len(history) == 30


def test_a_search_from_afar_goes_on_while_it_gains() -> None:
    runs = BowlRuns(start=(0.9, 0.1), lowest=(0.4, 0.6), bottom=0.5)
    history = calibration._search(runs, 80, lambda _line: None)  # type: ignore[arg-type]
    best = min(history, key=lambda e: e.objective)
    assert 3 + calibration.SETTLED_RUNS_EACH * 3 < len(history) < 80
    # settled within a quarter of a tolerance of the bottom (0.25)
    assert best.objective < 0.25 + calibration.MIN_GAIN
