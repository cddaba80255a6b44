"""The coverage trials of precision on demand: independent runs of a stationary Erlang A line,
each to a relative precision on its ASA, and whether each run's 95% interval covers the exact
Erlang A value. A module of its own so that worker processes can import the trial."""

from __future__ import annotations

from contactsim.analysis import erlang
from contactsim.analysis.stats import t_interval
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.runs.executors import LocalExecutor
from contactsim.runs.precise_runs import run_precise
from contactsim.runs.precision import Rule, Target
from helpers.scenarios import one_line_101

#: 60 calls an hour, 5-minute handle (5 Erlangs), 3-minute patience, on 6 operators (load
#: 0.83), measured at 20 s: a day a replication after a 4-hour warm-up (about 1,200 calls)
RATE_PER_HOUR, HANDLE_S, PATIENCE_S, AGENTS, SERVICE_LEVEL_S = 60.0, 300.0, 180.0, 6, 20.0
DAYS, WARMUP_HOURS = 1, 4
#: ASA to ±15% of the mean: each run stops after 10 to 25 replications, most often 15 —
#: the middle ground where a stopping rule, stopping on a sample variance that happens to be
#: small, would bias its interval most (a looser target stops every run at its first chance,
#: a tighter one at the cap)
TARGET = Target("101", "asa_s", 0.15, relative=True)
#: The KPIs whose coverage is measured, and their exact Erlang A values' names.
MEASURED = {"asa_s": "asa_s", "service_level": "service_level", "abandon_rate": "p_abandon"}


def scenario() -> Scenario:
    """The stationary Erlang A line the trials run."""
    return scenario_from_mapping(one_line_101(
        name="erlang-a-precision", rate_per_hour=RATE_PER_HOUR, handle_s=HANDLE_S,
        patience_s=PATIENCE_S, operators=AGENTS, days=DAYS, warmup_hours=WARMUP_HOURS,
        service_level_s=SERVICE_LEVEL_S,
    ))


def exact() -> dict[str, float]:
    """The exact Erlang A value of each measured KPI."""
    measures = erlang.erlang_a(RATE_PER_HOUR, HANDLE_S, PATIENCE_S, AGENTS, SERVICE_LEVEL_S)
    return {kpi: float(getattr(measures, name)) for kpi, name in MEASURED.items()}


def trial(seed: int, look_ahead: int = 1) -> tuple[int, int, dict[str, bool]]:
    """One run to the precision, with ``seed``, in this process: (seed, replications it took,
    whether each measured KPI's 95% interval covers the exact value)."""
    rule = Rule((TARGET,), look_ahead=look_ahead)
    results, stopped = run_precise(scenario(), seed, rule, LocalExecutor(1))
    table = results.replications
    covered = {}
    for kpi, value in exact().items():
        values = table[(table["scope"] == "101") & (table["kpi"] == kpi)]["value"].to_numpy()
        _mean, low, high = t_interval(values)
        covered[kpi] = bool(low <= value <= high)
    return seed, stopped.reached[0].reps, covered
