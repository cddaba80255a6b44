"""The Erlang formulas beyond the headline measures: the waiting-time distribution against a
hypoexponential CDF computed independently, properties over random loads (hypothesis), the
staffing needed for a target, and bad inputs refused.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammainc, pdtrc

from contactsim.analysis.erlang import (
    agents_for_target,
    erlang_a,
    erlang_c,
    wait_probability_erlang_c,
)
from contactsim.analysis.queue_math import wait_cdf_by_position
from helpers.queueing import per_hour

# ------------------------------------------------------------------ hypoexponential CDF


def uniformized_hypoexponential_cdf(rates: np.ndarray, t: float) -> np.ndarray:
    """Reference P(sum_{i<=m} Exp(rates[i]) <= t) for every m, by uniformization.

    The pure-death chain is uniformized at L = max(rates); g_k[m], the chance of not yet
    being absorbed after k Poisson(L t) events, is propagated directly, so all terms are
    non-negative and nothing cancels. Shares nothing with the incomplete-beta formula.
    """
    lam_u = float(rates.max())
    mean = lam_u * t
    p_down = rates / lam_u
    g = np.ones(rates.size)
    survival = np.zeros(rates.size)
    shifted = np.zeros(rates.size)
    k = 0
    while True:
        weight = math.exp(k * math.log(mean) - mean - math.lgamma(k + 1.0))
        survival += weight * g
        if pdtrc(k, mean) * g[-1] < 1e-17:
            return 1.0 - survival
        shifted[1:] = g[:-1]
        g = (1.0 - p_down) * g + p_down * shifted
        k += 1


def stage_rates(n_mu: float, theta: float, size: int) -> np.ndarray:
    return n_mu + (np.arange(size) + 1.0) * theta


def test_wait_cdf_matches_matrix_exponential() -> None:
    # Distinct, closely spaced rates: the partial-fraction closed form cancels here.
    n_mu, theta, size, t = 50.0 / 300.0, 1.0 / 180.0, 301, 20.0
    rates = stage_rates(n_mu, theta, size)
    gen = np.diag(-rates) + np.diag(rates[1:], k=-1)
    survival = scipy.linalg.expm(gen * t) @ np.ones(size)
    np.testing.assert_allclose(
        wait_cdf_by_position(n_mu, theta, size, t), 1.0 - survival, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    ("n_mu", "theta", "size", "t"),
    [
        (50.0 / 300.0, 1.0 / 180.0, 300, 20.0),
        (0.1, 1e-8, 300, 50.0),  # beta = 1e7 exactly: where scipy's betainc goes wrong
        (0.2, 2e-10, 100, 60.0),  # beta = 1e9 exactly
        (0.05, 2.0, 500, 3.0),  # beta = 0.025: patience far below handle time
        (3.0, 0.5, 2000, 5.0),  # long queue, stiff rates
        (1000.0 / 300.0, 1.0 / 180.0, 400, 120.0),  # a thousand agents
    ],
)
def test_wait_cdf_matches_uniformization(n_mu: float, theta: float, size: int, t: float) -> None:
    expected = uniformized_hypoexponential_cdf(stage_rates(n_mu, theta, size), t)
    np.testing.assert_allclose(
        wait_cdf_by_position(n_mu, theta, size, t), expected, rtol=0, atol=1e-10
    )


def test_wait_cdf_without_service_is_maximum_of_exponentials() -> None:
    # With n mu = 0 the stage rates are theta, 2 theta, ...: by Renyi's representation the
    # sum is the maximum of m + 1 independent Exp(theta) variables.
    theta, t, size = 0.05, 30.0, 200
    m = np.arange(size)
    np.testing.assert_allclose(
        wait_cdf_by_position(0.0, theta, size, t),
        (-math.expm1(-theta * t)) ** (m + 1),
        rtol=1e-12,
        atol=1e-15,
    )


def test_wait_cdf_with_negligible_abandonment_is_erlang_distribution() -> None:
    # theta -> 0 leaves m + 1 stages of rate n mu: an Erlang(m + 1, n mu) wait.
    n_mu, t, size = 0.2, 40.0, 300
    m = np.arange(size)
    np.testing.assert_allclose(
        wait_cdf_by_position(n_mu, 1e-14, size, t), gammainc(m + 1, n_mu * t), atol=1e-10
    )


def test_wait_cdf_at_zero_time_is_zero() -> None:
    np.testing.assert_array_equal(wait_cdf_by_position(0.1, 0.01, 5, 0.0), 0.0)


# ------------------------------------------------------------------------- properties

loads = st.floats(min_value=0.2, max_value=2.0)
agent_counts = st.integers(min_value=1, max_value=60)
handles = st.floats(min_value=30.0, max_value=900.0)
patiences = st.floats(min_value=2.0, max_value=3000.0)
thresholds = st.floats(min_value=0.0, max_value=300.0)


@settings(max_examples=60, deadline=None)
@given(rho=loads, n=agent_counts, handle=handles, patience=patiences, t=thresholds)
def test_erlang_a_probabilities_are_ordered(
    rho: float, n: int, handle: float, patience: float, t: float
) -> None:
    q = erlang_a(per_hour(rho * n, handle), handle, patience, n, service_level_s=t)
    assert 0.0 <= q.p_abandon <= q.p_wait + 1e-12
    assert q.p_wait <= 1.0 + 1e-12
    assert 1.0 - q.p_wait - 1e-12 <= q.service_level <= 1.0 - q.p_abandon + 1e-12
    assert 0.0 <= q.occupancy <= 1.0 + 1e-12
    assert q.asa_s >= 0.0
    assert q.mean_wait_all_s >= 0.0


@settings(max_examples=60, deadline=None)
@given(
    rho=loads,
    n=agent_counts,
    handle=handles,
    patience=patiences,
    t1=thresholds,
    t2=thresholds,
)
def test_erlang_a_service_level_rises_with_threshold(
    rho: float, n: int, handle: float, patience: float, t1: float, t2: float
) -> None:
    lo, hi = sorted((t1, t2))
    rate_h = per_hour(rho * n, handle)
    sl_lo = erlang_a(rate_h, handle, patience, n, service_level_s=lo).service_level
    sl_hi = erlang_a(rate_h, handle, patience, n, service_level_s=hi).service_level
    assert sl_hi >= sl_lo - 1e-12


@settings(max_examples=60, deadline=None)
@given(rho=loads, n=agent_counts, handle=handles, patience=patiences, t=thresholds)
def test_erlang_a_more_agents_never_hurt(
    rho: float, n: int, handle: float, patience: float, t: float
) -> None:
    rate_h = per_hour(rho * n, handle)
    fewer = erlang_a(rate_h, handle, patience, n, service_level_s=t)
    more = erlang_a(rate_h, handle, patience, n + 1, service_level_s=t)
    assert more.p_abandon <= fewer.p_abandon * (1 + 1e-9) + 1e-15
    assert more.asa_s <= fewer.asa_s * (1 + 1e-9) + 1e-12
    assert more.p_wait <= fewer.p_wait * (1 + 1e-9) + 1e-15


@settings(max_examples=60, deadline=None)
@given(
    rho=st.floats(min_value=0.05, max_value=0.99),
    n=agent_counts,
    handle=handles,
    t=thresholds,
)
def test_erlang_c_properties(rho: float, n: int, handle: float, t: float) -> None:
    rate_h = per_hour(rho * n, handle)
    q = erlang_c(rate_h, handle, n, service_level_s=t)
    assert 0.0 < q.p_wait < 1.0
    assert 1.0 - q.p_wait - 1e-12 <= q.service_level <= 1.0
    more = erlang_c(rate_h, handle, n + 1, service_level_s=t)
    assert more.p_wait <= q.p_wait
    assert more.asa_s <= q.asa_s
    assert more.service_level >= q.service_level - 1e-12


# --------------------------------------------------------------------------- staffing


def test_agents_for_target_erlang_c_is_smallest_meeting_target() -> None:
    n = agents_for_target(570.0, 300.0, service_level_target=0.8, service_level_s=20.0)
    assert erlang_c(570.0, 300.0, n).service_level >= 0.8
    assert erlang_c(570.0, 300.0, n - 1).service_level < 0.8


def test_agents_for_target_erlang_a_asa_and_service_level() -> None:
    n = agents_for_target(
        570.0, 300.0, service_level_target=0.8, asa_target_s=5.0, patience_s=180.0
    )
    q, fewer = erlang_a(570.0, 300.0, 180.0, n), erlang_a(570.0, 300.0, 180.0, n - 1)
    assert q.service_level >= 0.8 and q.asa_s <= 5.0
    assert fewer.service_level < 0.8 or fewer.asa_s > 5.0


def test_agents_for_target_needs_a_target() -> None:
    with pytest.raises(ValueError, match="service_level_target or asa_target_s"):
        agents_for_target(570.0, 300.0)


def test_agents_for_target_reports_unreachable_target() -> None:
    with pytest.raises(ValueError, match="max_agents"):
        agents_for_target(570.0, 300.0, service_level_target=0.99, max_agents=50)


# ------------------------------------------------------------------------- bad inputs

GOOD_A = {
    "rate_per_hour": 114.0,
    "handle_s": 300.0,
    "patience_s": 180.0,
    "agents": 10,
    "service_level_s": 20.0,
}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rate_per_hour", 0.0),
        ("rate_per_hour", -5.0),
        ("rate_per_hour", math.nan),
        ("rate_per_hour", math.inf),
        ("handle_s", 0.0),
        ("handle_s", "300"),
        ("patience_s", 0.0),
        ("patience_s", math.inf),
        ("agents", 0),
        ("agents", 2.5),
        ("agents", True),
        ("service_level_s", -1.0),
        ("service_level_s", math.nan),
    ],
)
def test_erlang_a_rejects_bad_inputs_naming_the_argument(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=rf"^{name} .*{value!r}"):
        erlang_a(**{**GOOD_A, name: value})  # type: ignore[arg-type]
    if name != "patience_s":
        kwargs = {k: v for k, v in GOOD_A.items() if k != "patience_s"}
        with pytest.raises(ValueError, match=rf"^{name} "):
            erlang_c(**{**kwargs, name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("load", "agents", "name"),
    [(0.0, 2, "offered_load_erlangs"), (-1.0, 2, "offered_load_erlangs"), (1.0, 0, "agents")],
)
def test_wait_probability_rejects_bad_inputs(load: float, agents: int, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} "):
        wait_probability_erlang_c(load, agents)


def test_numpy_integer_agents_are_accepted() -> None:
    ten = np.int64(10)
    assert erlang_a(114.0, 300.0, 180.0, ten) == erlang_a(114.0, 300.0, 180.0, 10)  # type: ignore[arg-type]
