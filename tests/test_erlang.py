"""Tests of the Erlang C and Erlang A formulas in contactsim.analysis.erlang.

Reference values are derived independently inside the tests: Erlang C from the textbook
closed form in exact rational arithmetic, Erlang A from a brute-force generator matrix
and a "tagged caller" absorbing Markov chain solved with dense linear algebra and
matrix exponentials, which share no code or formula with the module.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammainc, pdtrc

from contactsim.analysis.erlang import (
    QueueMeasures,
    agents_for_target,
    erlang_a,
    erlang_c,
    wait_probability_erlang_c,
)
from contactsim.analysis.queue_math import wait_cdf_by_position

# ------------------------------------------------------------------------ reference code


def erlang_c_exact(a: Fraction, n: int) -> Fraction:
    """Textbook closed form C = (a^n/n! * n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! * n/(n-a))."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def brute_force_erlang_a(
    lam: float, mu: float, theta: float, n: int, t_s: float, cap: int = 250
) -> dict[str, float]:
    """Erlang A measures from a truncated generator matrix and a tagged-caller chain."""
    size = n + cap + 1
    gen = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            gen[k, k + 1] = lam
        if k > 0:
            gen[k, k - 1] = mu * min(k, n) + theta * max(k - n, 0)
        gen[k, k] = -gen[k].sum()
    # pi Q = 0 with sum(pi) = 1: the balance equations are rank-deficient by one, so one
    # of them is swapped for the normalisation.
    lhs = gen.T.copy()
    lhs[-1] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(lhs, rhs)
    in_system = np.arange(size)
    queue = np.maximum(in_system - n, 0)
    mean_queue = float(queue @ pi)
    p_wait = float(pi[n:].sum())

    # Tagged caller with i callers ahead: i -> i-1 (or answered from i=0) at n mu + i theta,
    # abandons at theta. Transient states 0..cap-1; exits to "answered" or "abandoned".
    m_states = cap
    q_t = np.zeros((m_states, m_states))
    to_answer = np.zeros(m_states)
    to_abandon = np.full(m_states, theta)
    for i in range(m_states):
        advance = n * mu + i * theta
        if i == 0:
            to_answer[i] = advance
        else:
            q_t[i, i - 1] = advance
        q_t[i, i] = -(advance + theta)
    inv = np.linalg.inv(q_t)
    p_answer_m = -inv @ to_answer
    # E[tau 1{exit via r}] = int t e^{Qt} r dt = Q^{-2} r.
    wait_answer_m = inv @ inv @ to_answer
    wait_abandon_m = inv @ inv @ to_abandon

    # P(answered by t | m): the same chain with explicit absorbing states, via expm.
    full = np.zeros((m_states + 2, m_states + 2))
    full[:m_states, :m_states] = q_t
    full[:m_states, m_states] = to_answer
    full[:m_states, m_states + 1] = to_abandon
    answered_by_t = scipy.linalg.expm(full * t_s)[:m_states, m_states]

    sees = pi[n : n + m_states]
    p_answered = (1.0 - p_wait) + float(sees @ p_answer_m)
    return {
        "p_wait": p_wait,
        "mean_queue": mean_queue,
        "p_abandon": 1.0 - p_answered,
        "busy": float(np.minimum(in_system, n) @ pi),
        "asa": float(sees @ wait_answer_m) / p_answered,
        "wait_abandoners_total": float(sees @ wait_abandon_m),
        "wait_answered_total": float(sees @ wait_answer_m),
        "service_level": (1.0 - p_wait) + float(sees @ answered_by_t),
    }


def per_hour(load_erlangs: float, handle_s: float) -> float:
    return load_erlangs * 3600.0 / handle_s


# ----------------------------------------------------------------------------- Erlang C


def test_erlang_c_two_agents_one_erlang_is_one_third() -> None:
    assert wait_probability_erlang_c(1.0, 2) == pytest.approx(1.0 / 3.0, rel=1e-14)


@pytest.mark.parametrize(
    ("a", "n"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(2), 3),
        (Fraction(5), 6),
        (Fraction(19, 2), 10),
        (Fraction(10), 11),
        (Fraction(40), 50),
        (Fraction(95, 2), 50),
        (Fraction(950), 1000),
    ],
)
def test_erlang_c_matches_exact_closed_form(a: Fraction, n: int) -> None:
    assert wait_probability_erlang_c(float(a), n) == pytest.approx(
        float(erlang_c_exact(a, n)), rel=1e-11
    )


def test_erlang_c_single_agent_is_mm1() -> None:
    lam, mu, t = 0.6 / 60.0, 1.0 / 60.0, 20.0
    q = erlang_c(lam * 3600.0, 60.0, 1, service_level_s=t)
    rho = lam / mu
    assert q.p_wait == pytest.approx(rho, rel=1e-13)
    assert q.asa_s == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert q.service_level == pytest.approx(1.0 - rho * math.exp(-(mu - lam) * t), rel=1e-12)
    assert q.mean_queue_length == pytest.approx(rho**2 / (1.0 - rho), rel=1e-12)
    assert q.occupancy == pytest.approx(rho, rel=1e-13)


def test_erlang_c_full_measures_by_hand() -> None:
    # 100 calls/h, 180 s handle: a = 5 Erlangs on 6 agents; n mu - lambda = 1/180 per s.
    q = erlang_c(100.0, 180.0, 6, service_level_s=20.0)
    c = float(erlang_c_exact(Fraction(5), 6))
    assert isinstance(q, QueueMeasures)
    assert q.agents == 6
    assert q.offered_load_erlangs == pytest.approx(5.0, rel=1e-14)
    assert q.p_wait == pytest.approx(c, rel=1e-12)
    assert q.p_abandon == 0.0
    assert q.asa_s == pytest.approx(180.0 * c, rel=1e-12)
    assert q.mean_wait_all_s == q.asa_s
    assert q.service_level == pytest.approx(1.0 - c * math.exp(-20.0 / 180.0), rel=1e-12)
    assert q.occupancy == pytest.approx(5.0 / 6.0, rel=1e-14)
    assert q.mean_queue_length == pytest.approx(c * 5.0 / (6.0 - 5.0), rel=1e-12)
    assert q.service_level_s == 20.0


def test_erlang_c_large_n_is_stable() -> None:
    c = wait_probability_erlang_c(4900.0, 5000)
    assert 0.0 < c < 1.0
    assert math.isfinite(erlang_c(per_hour(4900.0, 300.0), 300.0, 5000).asa_s)


@pytest.mark.parametrize(("a", "n"), [(2.0, 2), (10.5, 10), (3.0, 1)])
def test_erlang_c_unstable_load_is_rejected(a: float, n: int) -> None:
    with pytest.raises(ValueError, match=rf"load < agents.*{a:g} Erlangs.*{n} agents"):
        wait_probability_erlang_c(a, n)
    with pytest.raises(ValueError, match="Erlang C needs offered load < agents"):
        erlang_c(per_hour(a, 300.0), 300.0, n)


# ----------------------------------------------------------------------------- Erlang A

BRUTE_CASES = [
    # (rate_per_hour, handle_s, patience_s, agents, service_level_s)
    (30.0, 300.0, 120.0, 1, 20.0),
    (50.0, 240.0, 60.0, 3, 15.0),
    (114.0, 300.0, 180.0, 10, 20.0),
    (156.0, 300.0, 90.0, 10, 30.0),  # overloaded: a = 13 on 10 agents
    (20.0, 600.0, 400.0, 2, 60.0),  # a = 3.33 on 2 agents
    (40.0, 120.0, 5.0, 2, 2.0),  # very impatient callers
]


@pytest.mark.parametrize("case", BRUTE_CASES)
def test_erlang_a_matches_brute_force_chain(case: tuple[float, ...]) -> None:
    rate_h, handle, patience, n, t = case
    n = int(n)
    lam, mu, theta = rate_h / 3600.0, 1.0 / handle, 1.0 / patience
    ref = brute_force_erlang_a(lam, mu, theta, n, t)
    q = erlang_a(rate_h, handle, patience, n, service_level_s=t)

    assert q.agents == n
    assert q.offered_load_erlangs == pytest.approx(lam / mu, rel=1e-14)
    assert q.p_wait == pytest.approx(ref["p_wait"], rel=1e-10)
    assert q.mean_queue_length == pytest.approx(ref["mean_queue"], rel=1e-10)
    # p_abandon from the module is theta E[Q] / lambda; the reference counts callers who
    # leave the tagged chain via abandonment, so agreement checks both.
    assert q.p_abandon == pytest.approx(ref["p_abandon"], rel=1e-8, abs=1e-12)
    assert q.occupancy == pytest.approx(ref["busy"] / n, rel=1e-9)
    assert q.asa_s == pytest.approx(ref["asa"], rel=1e-8)
    assert q.service_level == pytest.approx(ref["service_level"], rel=1e-10, abs=1e-12)
    # Total queueing time splits into answered and abandoned callers' waits.
    total_wait = ref["wait_answered_total"] + ref["wait_abandoners_total"]
    assert q.mean_wait_all_s == pytest.approx(total_wait, rel=1e-8)
    assert q.asa_s * (1.0 - q.p_abandon) == pytest.approx(ref["wait_answered_total"], rel=1e-8)


@pytest.mark.parametrize("case", BRUTE_CASES[1:4])
def test_erlang_a_asa_is_integral_of_unanswered_fraction(case: tuple[float, ...]) -> None:
    # E[W 1{answered}] = int_0^inf P(answered, W > t) dt = int (1 - p_ab - SL(t)) dt.
    # This ties the ASA (exact sums) to the service level (uniformization) code paths.
    rate_h, handle, patience, n, _ = case
    q0 = erlang_a(rate_h, handle, patience, int(n), service_level_s=0.0)
    answered = 1.0 - q0.p_abandon

    def unanswered_yet(t: float) -> float:
        sl = erlang_a(rate_h, handle, patience, int(n), service_level_s=t).service_level
        return answered - sl

    integral, err = scipy.integrate.quad(unanswered_yet, 0.0, np.inf, epsabs=1e-10, limit=200)
    assert err < 1e-6
    assert integral == pytest.approx(q0.asa_s * answered, rel=1e-8)


@pytest.mark.parametrize("case", BRUTE_CASES)
def test_erlang_a_service_level_limits(case: tuple[float, ...]) -> None:
    rate_h, handle, patience, n, _ = case
    at_zero = erlang_a(rate_h, handle, patience, int(n), service_level_s=0.0)
    assert at_zero.service_level == pytest.approx(1.0 - at_zero.p_wait, abs=1e-14)
    far = erlang_a(rate_h, handle, patience, int(n), service_level_s=1e6)
    assert far.service_level == pytest.approx(1.0 - far.p_abandon, abs=1e-11)


def test_erlang_a_answered_and_abandoned_partition_arrivals() -> None:
    # lambda = lambda (1 - p_ab) + theta E[Q]; occupancy from Little equals E[busy]/n.
    rate_h, handle, patience, n = 700.0, 300.0, 120.0, 55
    q = erlang_a(rate_h, handle, patience, n)
    lam = rate_h / 3600.0
    assert lam * q.p_abandon == pytest.approx(q.mean_queue_length / patience, rel=1e-12)
    assert q.mean_wait_all_s == pytest.approx(q.mean_queue_length / lam, rel=1e-12)
    assert q.mean_wait_all_s >= (1.0 - q.p_abandon) * q.asa_s


@pytest.mark.parametrize(
    ("load", "n", "handle"),
    [(0.5, 1, 300.0), (8.0, 10, 240.0), (47.5, 50, 300.0), (90.0, 100, 180.0)],
)
def test_erlang_a_with_long_patience_approaches_erlang_c(
    load: float, n: int, handle: float
) -> None:
    rate_h = per_hour(load, handle)
    c = erlang_c(rate_h, handle, n, service_level_s=20.0)
    a = erlang_a(rate_h, handle, 1e10, n, service_level_s=20.0)
    assert a.p_abandon < 1e-6
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)
    assert a.mean_wait_all_s == pytest.approx(c.mean_wait_all_s, rel=1e-5)
    assert a.mean_queue_length == pytest.approx(c.mean_queue_length, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.occupancy == pytest.approx(c.occupancy, rel=1e-5)


def test_erlang_a_patience_sequence_converges_monotonically_to_erlang_c() -> None:
    c = erlang_c(per_hour(9.0, 300.0), 300.0, 10)
    gaps = [
        abs(erlang_a(per_hour(9.0, 300.0), 300.0, p, 10).asa_s - c.asa_s)
        for p in (60.0, 600.0, 6e3, 6e4, 6e5, 6e8)
    ]
    assert all(later < earlier for earlier, later in itertools.pairwise(gaps))
    # The gap shrinks like 1 / patience; this line needs ~6e8 s to get within 1e-5.
    assert gaps[-1] < 2e-5 * c.asa_s


@pytest.mark.parametrize(("n", "patience"), [(10, 180.0), (50, 60.0), (200, 600.0)])
def test_erlang_a_overloaded_is_finite_and_bounded(n: int, patience: float) -> None:
    load = 1.3 * n
    q = erlang_a(per_hour(load, 300.0), 300.0, patience, n)
    for value in (q.p_wait, q.p_abandon, q.asa_s, q.service_level, q.mean_queue_length):
        assert math.isfinite(value)
    # At most n calls are in service, so at least 1 - n/a of the offered load is lost.
    assert q.p_abandon >= 1.0 - n / load - 1e-12
    assert q.p_abandon < 1.0
    assert q.occupancy <= 1.0 + 1e-12
    assert q.service_level <= 1.0 - q.p_abandon + 1e-12
    assert q.asa_s > 0.0


def test_erlang_a_thousand_agents_heavily_overloaded() -> None:
    n, load = 1000, 1300.0
    q = erlang_a(per_hour(load, 300.0), 300.0, 180.0, n, service_level_s=20.0)
    # Essentially every agent is always busy, so losses are exactly the excess load.
    assert q.p_abandon == pytest.approx(1.0 - n / load, rel=1e-9)
    assert q.mean_queue_length == pytest.approx((load - n) / 300.0 * 180.0, rel=1e-9)
    assert 0.0 < q.service_level < 1e-3


def test_erlang_a_huge_overloaded_queue() -> None:
    # a = 1550 Erlangs on 692 agents with 949 s patience: ~29,000 callers queue. Speed is a
    # benchmark's business, not a test's: this checks only that the answer is sane.
    q = erlang_a(per_hour(1551.3, 28.15), 28.15, 949.1, 692, service_level_s=526.0)
    assert q.p_abandon >= 1.0 - 692 / 1551.3 - 1e-12
    assert 0.0 <= q.service_level <= 1.0 - q.p_abandon + 1e-12


def test_reference_numbers_are_pinned() -> None:
    # Regression anchors for the figures quoted in design notes; all three have been
    # cross-checked above against independent computations.
    q = erlang_a(570.0, 300.0, 180.0, 50, service_level_s=20.0)
    assert q.p_wait == pytest.approx(0.334411728440698, rel=1e-9)
    assert q.p_abandon == pytest.approx(0.041815614140516, rel=1e-9)
    assert q.asa_s == pytest.approx(7.026277112542287, rel=1e-9)
    assert q.service_level == pytest.approx(0.821554958711815, rel=1e-9)
    q = erlang_a(114.0, 300.0, 180.0, 10, service_level_s=20.0)
    assert q.p_abandon == pytest.approx(0.119811334970063, rel=1e-9)
    assert q.service_level == pytest.approx(0.654495610928562, rel=1e-9)


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
