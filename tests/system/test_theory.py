"""The simulator against queueing theory on stationary single-line scenarios.

For Erlang A (M/M/n+M) and Erlang C (M/M/n) the analytic probability of abandoning, ASA,
service level and occupancy must lie inside the simulation's 99% Student-t interval across
independent replications, and Little's law must hold on the simulated output. Seeds are fixed,
so these tests are deterministic; a failure means a bias, not bad luck, and should be
investigated as one rather than re-seeded away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from contactsim.analysis import erlang
from contactsim.analysis.stats import t_interval
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.runs.experiment import run_scenario
from contactsim.runs.replication import run_tallies
from helpers.scenarios import one_line_101

CONFIDENCE = 0.99
SERVICE_LEVEL_S = 20.0


@dataclass(frozen=True)
class Case:
    """One stationary single-line system."""

    label: str
    rate_per_hour: float
    handle_s: float
    agents: int
    patience_s: float | None
    days: float = 10.0
    reps: int = 20

    @property
    def load(self) -> float:
        return self.rate_per_hour * self.handle_s / 3600 / self.agents


def stationary(case: Case) -> Scenario:
    """A one-line scenario with exponential handle times and patience, as Erlang assumes."""
    return scenario_from_mapping(one_line_101(
        name=case.label, rate_per_hour=case.rate_per_hour, handle_s=case.handle_s,
        patience_s=case.patience_s, operators=case.agents, days=case.days, warmup_hours=24,
        service_level_s=SERVICE_LEVEL_S,
    ))


def theory(case: Case) -> erlang.QueueMeasures:
    if case.patience_s is None:
        return erlang.erlang_c(case.rate_per_hour, case.handle_s, case.agents, SERVICE_LEVEL_S)
    return erlang.erlang_a(
        case.rate_per_hour, case.handle_s, case.patience_s, case.agents, SERVICE_LEVEL_S
    )


def assert_theory_inside_interval(case: Case, seed: int) -> None:
    results = run_scenario(stationary(case), reps=case.reps, seed=seed, workers=1)
    expected = theory(case)
    table = results.replications
    checks = {
        ("101", "abandon_rate"): expected.p_abandon,
        ("101", "asa_s"): expected.asa_s,
        ("101", "service_level"): expected.service_level,
        ("all", "occupancy"): expected.occupancy,
    }
    failures = []
    for (scope, kpi), value in checks.items():
        values = table[(table.scope == scope) & (table.kpi == kpi)]["value"].to_numpy()
        _, low, high = t_interval(values, CONFIDENCE)
        if case.patience_s is None and kpi == "abandon_rate":
            # nobody abandons without patience: exactly zero, not a statistical statement
            assert np.all(values == 0.0)
            continue
        if not low <= value <= high:
            failures.append(f"{kpi}: theory {value:.6g} outside [{low:.6g}, {high:.6g}]")
    assert not failures, f"{case.label} (load {case.load:.2f}): " + "; ".join(failures)


# Erlang A: 114 calls an hour, 5-minute handle (9.5 Erlangs), 3-minute patience, by staffing
ERLANG_A_CASES = [
    Case("erlang-a light", 114, 300, 13, 180),
    Case("erlang-a moderate", 114, 300, 10, 180),
    Case("erlang-a heavy", 114, 300, 9, 180),
    Case("erlang-a overloaded", 114, 300, 7, 180),  # load 1.36: stable only through abandonment
]

ERLANG_C_CASES = [
    Case("erlang-c small", 100, 180, 6, None),  # load 0.83
    Case("erlang-c busy", 114, 300, 11, None, days=20),  # load 0.86
]


@pytest.mark.slow
@pytest.mark.parametrize("case", ERLANG_A_CASES, ids=lambda c: c.label)
def test_erlang_a_inside_99_percent_interval(case: Case) -> None:
    assert_theory_inside_interval(case, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("case", ERLANG_C_CASES, ids=lambda c: c.label)
def test_erlang_c_inside_99_percent_interval(case: Case) -> None:
    assert_theory_inside_interval(case, seed=12)


@pytest.mark.slow
def test_contract_scenario_large_erlang_a() -> None:
    """The issue's benchmark system (n=50, 9.5 calls a minute) at two staffing levels."""
    for agents in (46, 50):
        case = Case(f"erlang-a n={agents}", 570, 300, agents, 180, days=4, reps=12)
        assert_theory_inside_interval(case, seed=13)


def test_moderate_erlang_a_quick() -> None:
    """A short version of the moderate case that runs in the fast suite."""
    case = Case("erlang-a quick", 114, 300, 10, 180, days=5, reps=10)
    assert_theory_inside_interval(case, seed=14)


def test_theory_check_detects_a_wrong_system() -> None:
    """The check can fail: one operator fewer than simulated is caught."""
    case = Case("erlang-a quick", 114, 300, 10, 180, days=5, reps=10)
    wrong = Case("erlang-a quick", 114, 300, 9, 180, days=5, reps=10)
    results = run_scenario(stationary(case), reps=case.reps, seed=14, workers=1)
    table = results.replications
    values = table[(table.scope == "101") & (table.kpi == "asa_s")]["value"].to_numpy()
    _, low, high = t_interval(values, CONFIDENCE)
    assert not low <= theory(wrong).asa_s <= high


@pytest.mark.parametrize("agents", [10, 8])
def test_littles_law(agents: int) -> None:
    """Time-average number waiting (sampled each minute, independently of the call records)
    equals the arrival rate times the mean time in queue of all callers; likewise for the
    number of busy operators and the answered calls' handle times."""
    case = Case("little", 114, 300, agents, 180, days=4)
    scenario = stationary(case)
    queue_gap, busy_gap = [], []
    for replication in range(8):
        tallies = run_tallies(
            scenario, seed=21, replication=replication, keep_records=True, observe_every_s=60.0
        )
        assert tallies.records is not None and tallies.observations is not None
        window_s = tallies.end_s - tallies.warmup_s
        counted = [r for r in tallies.records if r.arrival_s >= tallies.warmup_s]
        arrival_rate = len(counted) / window_s
        mean_time_in_queue = np.mean([r.wait_s for r in counted])
        mean_waiting = np.mean(tallies.observations.waiting["101"])
        queue_gap.append(mean_waiting - arrival_rate * mean_time_in_queue)
        answered = [r for r in counted if r.outcome == "answered"]
        busy_rate = len(answered) / window_s * np.mean([r.handle_s for r in answered])
        busy_gap.append(np.mean(tallies.observations.busy["all"]) - busy_rate)
    for gaps in (queue_gap, busy_gap):
        _, low, high = t_interval(gaps, CONFIDENCE)
        assert low <= 0.0 <= high, (low, high)
