"""Properties of whole runs on small random scenarios (hypothesis): the same seed gives the same
run, the KPIs agree with the per-call records, and more staff never makes waits longer (on the
same callers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.engine.records import CallRecord
from contactsim.runs.replication import run_tallies
from helpers.random_centres import (
    FAST,
    TIME_EPS_S,
    counted,
    replications,
    run_logged,
    same_number,
    scenarios,
    seeds,
)
from helpers.scenarios import one_line_101
from helpers.traces import all_kpis

# --- reproducibility -----------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(scenarios(), seeds, replications)
def test_same_seed_same_numbers_other_replication_other_callers(
    scenario: Scenario, seed: int, replication: int
) -> None:
    first = run_tallies(scenario, seed, replication, keep_records=True)
    again = run_tallies(scenario, seed, replication, keep_records=True)
    rows, rows_again = kpi_rows(first), kpi_rows(again)
    assert [(s, k) for s, k, _ in rows] == [(s, k) for s, k, _ in rows_again]
    assert all(same_number(a, b) for (_, _, a), (_, _, b) in zip(rows, rows_again, strict=True))
    assert first.records == again.records
    # A tiny or saturated scenario can give two replications equal KPIs (no call in the
    # measured window; operators busy all along), so the callers themselves are compared:
    # continuous arrival and handle times never repeat unless the streams do.
    other = run_tallies(scenario, seed, replication + 1, keep_records=True)
    callers = {(r.arrival_s, r.handle_s) for r in first.records or []}
    callers_other = {(r.arrival_s, r.handle_s) for r in other.records or []}
    if callers or callers_other:
        assert callers.isdisjoint(callers_other)


def test_replications_of_a_busy_scenario_give_different_kpis() -> None:
    scenario = single_line(40.0, {"dist": "exponential", "mean_s": 240.0}, 3, 300.0)
    asa = [all_kpis(run_tallies(scenario, 7, rep))[("101", "asa_s")] for rep in range(5)]
    assert len(set(asa)) == 5, asa
    again = kpi_rows(run_tallies(scenario, 7, 3))
    # the same numbers, NaN where nothing was measured (no breaks here) alike
    assert repr(kpi_rows(run_tallies(scenario, 7, 3))) == repr(again)


# --- KPIs from the records -----------------------------------------------------------------


@FAST
@given(scenarios(), seeds, replications)
def test_kpis_from_records_equal_kpis_from_tallies(
    scenario: Scenario, seed: int, replication: int
) -> None:
    run = run_logged(scenario, seed, replication)
    values = all_kpis(run.tallies)
    frame = pd.DataFrame(counted(run), columns=list(CallRecord._fields))
    for name, tally in run.tallies.lines.items():
        calls = frame[frame["line"] == name]
        answered = calls[calls["outcome"] == "answered"]
        n_answered = len(answered)
        n_abandoned = int((calls["outcome"] == "abandoned").sum())
        ended = n_answered + n_abandoned
        within = int((answered["wait_s"] <= tally.service_level_s).sum())
        expected = {
            "offered": len(calls),
            "answered": n_answered,
            "abandoned": n_abandoned,
            "waiting_end": int((calls["outcome"] == "waiting").sum()),
            "asa_s": answered["wait_s"].mean() if n_answered else math.nan,
            "abandon_rate": n_abandoned / ended if ended else math.nan,
            "service_level": within / ended if ended else math.nan,
        }
        for kpi, value in expected.items():
            got = values[(name, kpi)]
            assert (math.isnan(value) and math.isnan(got)) or math.isclose(
                got, value, rel_tol=1e-9, abs_tol=1e-9
            ), f"{name} {kpi}: tallies {got}, records {value}"


# --- more staff --------------------------------------------------------------------------


def single_line(
    rate_per_hour: float,
    handle: dict[str, Any],
    operators: int,
    patience_s: float | None,
    hours: int = 4,
) -> Scenario:
    """A 101 line for ``hours`` on ``operators``, handle times drawn from ``handle``."""
    return scenario_from_mapping(one_line_101(
        name="more-staff", rate_per_hour=rate_per_hour, handle_time=handle,
        patience_s=patience_s, operators=operators, days=hours / 24,
    ))


@st.composite
def moderate_loads(draw: st.DrawFn, min_operators: int = 1) -> tuple[float, dict[str, Any], int]:
    """n operators, 30–120 callers an hour, and a handle time making a 50–90% load on n."""
    operators = draw(st.integers(min_operators, 5))
    rate = draw(st.floats(30.0, 120.0))
    mean_s = draw(st.floats(0.5, 0.9)) * operators * 3600.0 / rate
    handle: dict[str, Any] = {"dist": "exponential", "mean_s": mean_s}
    if draw(st.booleans()):
        handle = {"dist": "lognormal", "mean_s": mean_s, "cv": draw(st.floats(0.2, 1.5))}
    return rate, handle, operators


@settings(max_examples=60, deadline=None)
@given(moderate_loads(), seeds)
def test_one_more_operator_never_makes_a_caller_wait_longer_without_abandonment(
    load: tuple[float, dict[str, Any], int], seed: int
) -> None:
    # With common random numbers the callers (arrival, handle time) are the same with n and
    # n + 1 operators. For one FCFS pool and no abandonment, the sorted Kiefer–Wolfowitz
    # workload vector with n + 1 operators stays, component by component, at or below the one
    # with n (padded with a zero): every caller's wait is no longer — exactly, caller by caller,
    # not just in expectation, so no tolerance is needed. ASA can still rise, but only through
    # the end of the horizon: a caller still waiting at the end with n may be answered with
    # n + 1 after a long wait and join the average. Splitting ASA(n + 1) into the callers
    # answered with n (each waiting no longer) and those extra callers gives the exact bound
    #   ASA(n + 1) <= ASA(n) + (sum of the extra callers' waits) / answered(n + 1).
    rate, handle, operators = load
    fewer = run_tallies(single_line(rate, handle, operators, None), seed, 0, keep_records=True)
    more = run_tallies(single_line(rate, handle, operators + 1, None), seed, 0, keep_records=True)
    assert fewer.records is not None and more.records is not None
    # one line, no online shift: call ids number the callers in arrival order in both runs
    with_more = {r.call_id: r for r in more.records}
    assert len(with_more) == len(fewer.records)
    extra_waits = []
    for r in fewer.records:
        other = with_more[r.call_id]
        assert (other.arrival_s, other.handle_s) == (r.arrival_s, r.handle_s)  # the same caller
        if r.outcome == "answered":
            assert other.outcome == "answered"
            assert other.wait_s <= r.wait_s + TIME_EPS_S
        elif other.outcome == "answered":
            extra_waits.append(other.wait_s)
    asa_fewer = all_kpis(fewer)[("101", "asa_s")]
    asa_more = all_kpis(more)[("101", "asa_s")]
    answered_more = all_kpis(more)[("101", "answered")]
    if not math.isnan(asa_fewer):
        assert asa_more <= asa_fewer + sum(extra_waits) / answered_more + TIME_EPS_S


@settings(max_examples=40, deadline=None)
@given(moderate_loads(min_operators=2), st.floats(0.5, 3.0), seeds)
def test_one_more_operator_does_not_raise_mean_asa_with_abandonment(
    load: tuple[float, dict[str, Any], int], patience_per_handle: float, seed: int
) -> None:
    # With abandonment the exact argument above fails, and ASA can rise by chance:
    # - a caller who abandons with n operators may be answered with n + 1 and join the
    #   average with a wait close to their patience (ASA averages answered callers only);
    # - serving that caller can delay a later one (this happens in about 8% of replications);
    # - a caller still waiting at the end with n may be answered, late, with n + 1.
    # Each involves a handful of callers, so their weight in the mean falls with the number of
    # callers; with few callers they dominate: 4 h replications with one operator and
    # 600 s calls (~20 callers) showed rises of up to 20 s, and patience of 1/20 of the handle
    # time rises of up to 8% of the patience. Hence "moderate" here: 2–5 operators, 50–90%
    # load, 30–120 callers an hour over 8 h (240 or more callers a replication), patience
    # 0.5–3 times the handle time, ASA averaged over 3 replications. Over 3,000 such random
    # scenarios (corners included) the mean ASA never rose: it fell by 0.36 s or more. With
    # fewer callers (6 an hour and up, 3,800 scenarios) it rose once, by 0.36 s (11.5 s to
    # 11.8 s). A tolerance of 1 s + 5% of ASA(n) is well clear of both, and still fails if
    # the extra operator made callers wait longer in any real sense.
    rate, handle, operators = load
    patience_s = patience_per_handle * handle["mean_s"]
    asa = {}
    for n in (operators, operators + 1):
        scenario = single_line(rate, handle, n, patience_s, hours=8)
        values = [all_kpis(run_tallies(scenario, seed, rep))[("101", "asa_s")] for rep in range(3)]
        asa[n] = float(np.mean(values))
    assert asa[operators + 1] <= asa[operators] + 1.0 + 0.05 * asa[operators]
