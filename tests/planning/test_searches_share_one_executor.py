"""A staffing search and a calibration open one executor for all their evaluations (or use the
one they are given, and leave it open), instead of starting workers for each evaluation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest
import yaml

from contactsim.build.loading import scenario_from_mapping
from contactsim.planning import calibration, staffing_search
from contactsim.planning.service_targets import parse_target
from contactsim.planning.targets import SearchSettings, load_targets
from contactsim.runs.executors import CallProgress, LocalExecutor
from helpers.scenarios import one_line_101


class CountingExecutor:
    """Runs in this process, counting batches and how often it is opened and closed."""

    def __init__(self, workers: int = 1) -> None:
        self.inner = LocalExecutor(1)
        self.batches = 0
        self.opened = 0
        self.closed = 0

    def __enter__(self) -> Self:
        self.opened += 1
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.closed += 1

    def as_completed(self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]],
                     progress: CallProgress | None = None) -> Iterator[Any]:
        self.batches += 1
        return self.inner.as_completed(function, arguments, progress)


def one_line(days: float = 1) -> dict[str, Any]:
    """A 101 line of 120 calls an hour on eight operators."""
    return one_line_101(rate_per_hour=120, handle_s=240, patience_s=300, operators=8,
                        days=days, warmup_hours=2, start="2018-03-05")


def test_the_staffing_search_opens_one_executor_for_every_evaluation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[CountingExecutor] = []

    def make(workers: int = 1) -> CountingExecutor:
        made.append(CountingExecutor(workers))
        return made[-1]

    monkeypatch.setattr("contactsim.runs.executors.make_executor", make)
    scenario = scenario_from_mapping(one_line())
    targets = [parse_target("101: service_level >= 0.8", scenario)]
    result = staffing_search.search_staffing(scenario, targets, grouping="all", reps=2, seed=3,
                                             workers=2)
    assert len(made) == 1 and made[0].opened == made[0].closed == 1
    assert made[0].batches == len({sig.tobytes() for levels, _ in result.evaluations
                                   for sig in levels.values()}) >= 2

    given = CountingExecutor()
    again = staffing_search.search_staffing(scenario, targets, grouping="all", reps=2, seed=3,
                                            executor=given)
    assert len(made) == 1  # nothing opened: the given executor is used, and left open
    assert given.batches == made[0].batches and given.opened == given.closed == 0
    assert (again.levels["all"] == result.levels["all"]).all()


def test_a_calibration_opens_one_executor_for_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[CountingExecutor] = []

    def make(workers: int = 1) -> CountingExecutor:
        made.append(CountingExecutor(workers))
        return made[-1]

    monkeypatch.setattr("contactsim.runs.executors.make_executor", make)
    scenario = tmp_path / "one-line.yaml"
    scenario.write_text(yaml.safe_dump(one_line(days=0.5)), encoding="utf-8")
    targets_file = tmp_path / "targets.yaml"
    targets_file.write_text(yaml.safe_dump({
        "name": "patience",
        "targets": [{"line": "101", "kpi": "abandon_rate", "value": 0.1, "tolerance": 0.02,
                     "source": "planted"}],
        "unknowns": [{"field": "handling.101.patience.mean_s", "bounds": [60, 900]}],
    }), encoding="utf-8")
    fitted = calibration.calibrate(scenario, load_targets(targets_file), seed=2,
                                   settings=SearchSettings(reps=2, final_reps=2,
                                                           max_evaluations=4), workers=2)
    assert len(made) == 1 and made[0].opened == made[0].closed == 1
    # the search's runs, the final run and the slopes' runs: all on the one executor
    assert made[0].batches >= len(fitted.evaluations) + 1
    # given an executor, the calibration uses it and leaves it open for its owner
    given = CountingExecutor(2)
    again = calibration.calibrate(scenario, load_targets(targets_file), seed=2,
                                  settings=SearchSettings(reps=2, final_reps=2,
                                                          max_evaluations=4), executor=given)
    assert len(made) == 1  # nothing opened
    assert given.batches == made[0].batches and given.opened == given.closed == 0
    assert [e.values for e in again.evaluations] == [e.values for e in fitted.evaluations]
