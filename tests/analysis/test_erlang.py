"""Tests of the Erlang C and Erlang A formulas in contactsim.analysis.erlang.

Reference values are derived independently inside the tests: Erlang C from the textbook
closed form in exact rational arithmetic, Erlang A from a brute-force generator matrix
and a "tagged caller" absorbing Markov chain solved with dense linear algebra and
matrix exponentials, which share no code or formula with the module.

This file: Erlang C and Erlang A against the references. The waiting-time distribution,
properties, staffing and bad inputs are in ``test_erlang_waits_and_inputs.py``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from contactsim.analysis.erlang import (
    QueueMeasures,
    erlang_a,
    erlang_c,
    wait_probability_erlang_c,
)
from helpers.queueing import per_hour

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
