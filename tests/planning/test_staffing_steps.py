"""Erlang-corrected steps: a simulated value read back on Erlang's curve, and the operators a key
needs or can spare, worked by hand on a stationary line where the simulation and Erlang agree."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.analysis import erlang
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.planning.service_targets import ServiceTarget, parse_target
from contactsim.planning.staffing_rounds import Rounds
from contactsim.planning.staffing_steps import ErlangSteps
from contactsim.runs.executors import LocalExecutor
from helpers.scenarios import one_line_101

RATE, HANDLE_S, PATIENCE_S = 300.0, 300.0, 600.0  # 25 Erlangs offered


def stationary(patience_s: float | None = PATIENCE_S) -> Scenario:
    return scenario_from_mapping(one_line_101(
        name="stationary", rate_per_hour=RATE, handle_s=HANDLE_S, patience_s=patience_s,
        operators=1, days=2, warmup_hours=0, service_level_s=20))


def kpis_at(target: ServiceTarget, mean: float, low: float = math.nan,
            high: float = math.nan, key: int = 0) -> pd.DataFrame:
    """One row of the search's evaluation, as staffing_judging.evaluate makes it."""
    return pd.DataFrame({"line": [target.line], "kpi": [target.kpi], "key": [key],
                         "target": [str(target)], "mean": [mean], "ci_low": [low],
                         "ci_high": [high], "met": [True], "certain": [True]})


def erlang_sl(n: int) -> float:
    return erlang.erlang_a(RATE, HANDLE_S, PATIENCE_S, n, 20).service_level


def erlang_asa(n: int) -> float:
    return erlang.erlang_a(RATE, HANDLE_S, PATIENCE_S, n, 20).asa_s


def smallest_meeting(meets: Callable[[int], bool]) -> int:
    return next(n for n in range(1, 200) if meets(n))


@pytest.mark.parametrize(("target", "value_at", "meets"), [
    ("101: service_level >= 0.80", erlang_sl, lambda n: erlang_sl(n) >= 0.80),
    ("101: asa_s <= 15", erlang_asa, lambda n: erlang_asa(n) <= 15),
])
@pytest.mark.parametrize("n", [24, 27, 29, 33, 40])
def test_where_the_simulation_agrees_with_erlang_the_step_is_erlangs_own(
    target: str, value_at: Callable[[int], float], meets: Callable[[int], bool], n: int
) -> None:
    """A simulated value equal to Erlang's at n is read back as exactly n; Erlang's smallest
    n* meeting the target is read as a point between n* - 1 and n*, so the need is n* - n
    less a fraction of one operator: the whole operators to add (n < n*) round up to
    n* - n, the whole ones to spare (n > n*) round down to n - n*."""
    scenario = stationary()
    service = parse_target(target, scenario)
    steps = ErlangSteps(scenario, [service], "all", confidence=None)
    need = steps.needs(kpis_at(service, value_at(n)))[("101", 0)]
    best = smallest_meeting(meets)
    assert best - n - 1 < need <= best - n
    assert math.ceil(need) == best - n if n < best else math.floor(-need) == n - best


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=80))
def test_a_value_read_back_on_the_curve_is_the_operators_that_give_it(n: int) -> None:
    """Erlang's value at n reads back as n, or where the curve is flat (a service level of 1
    to the last bit) as the fewest operators that give it."""
    scenario = stationary()
    service = parse_target("101: service_level >= 0.80", scenario)
    steps = ErlangSteps(scenario, [service], "all", confidence=None)
    curve = steps._curves[("101", 0)][0]
    fewest = smallest_meeting(lambda m: erlang_sl(m) >= erlang_sl(n))
    assert curve.operators_for(erlang_sl(n), 1000) == pytest.approx(fewest, abs=1e-9)


def test_with_a_confidence_the_interval_end_on_the_wrong_side_is_read() -> None:
    """Judged with a confidence, a service level is read at its interval's low end and an ASA
    at its high end: what the target is judged on."""
    scenario = stationary()
    sl = parse_target("101: service_level >= 0.80", scenario)
    asa = parse_target("101: asa_s <= 15", scenario)
    by_mean = ErlangSteps(scenario, [sl, asa], "all", confidence=None)
    by_interval = ErlangSteps(scenario, [sl, asa], "all", confidence=0.95)
    frame = pd.concat([kpis_at(sl, erlang_sl(30), erlang_sl(28), erlang_sl(32)),
                       kpis_at(asa, erlang_asa(30), erlang_asa(32), erlang_asa(28))])
    # the need is the larger of the two targets', each read at 30 by the mean, 28 by the interval
    assert by_interval.needs(frame)[("101", 0)] == pytest.approx(
        by_mean.needs(frame)[("101", 0)] + 2)


def test_a_value_that_cannot_be_read_leaves_the_key_to_the_one_at_a_time_rules() -> None:
    scenario = stationary()
    service = parse_target("101: asa_s <= 15", scenario)
    steps = ErlangSteps(scenario, [service], "all", confidence=None)
    assert steps.needs(kpis_at(service, math.nan)) == {}


def test_erlang_c_lines_read_an_overloaded_count_as_the_worst_value() -> None:
    """Without patience, fewer operators than the load (25 Erlangs) never meet a target: a
    simulated value as bad as can be is read at or below that point."""
    scenario = stationary(patience_s=None)
    service = parse_target("101: service_level >= 0.80", scenario)
    steps = ErlangSteps(scenario, [service], "all", confidence=None)
    best = smallest_meeting(
        lambda n: n > 25 and erlang.erlang_c(RATE, HANDLE_S, n, 20).service_level >= 0.80)
    assert steps.needs(kpis_at(service, 0.0))[("101", 0)] >= best - 26


@pytest.mark.slow
def test_a_key_far_above_its_need_gets_there_in_one_erlang_step() -> None:
    """On a stationary line (where the simulation is Erlang A's queue) started six operators
    above the answer, the rounds take the six off in one round, try one more and put it back:
    the answer Erlang gives, in four rounds where one operator a round would take eight."""
    scenario = scenario_from_mapping(one_line_101(
        name="stationary", rate_per_hour=RATE, handle_s=HANDLE_S, patience_s=PATIENCE_S,
        operators=1, days=8, warmup_hours=24, service_level_s=20))
    target = parse_target("101: service_level >= 0.80", scenario)
    answer = smallest_meeting(lambda n: erlang_sl(n) >= 0.80)
    rounds = Rounds(scenario, [target], "all", seed=11, max_operators=200, max_rounds=10,
                    note=None, confidence=None, executor=LocalExecutor(1))
    with tempfile.TemporaryDirectory() as folder:
        levels, kpis, converged = rounds.run({"all": np.array([answer + 6])}, set(), reps=3,
                                             folder=Path(folder), big_steps=True, phase="")
    tried = [int(levels_then["all"][0]) for levels_then, _ in rounds.history]
    assert converged
    assert tried == [answer + 6, answer, answer - 1, answer]
    assert int(levels["all"][0]) == answer
    assert bool(kpis["met"].iloc[0])
