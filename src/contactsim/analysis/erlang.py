"""Erlang C (M/M/n) and Erlang A (M/M/n+M, Palm's model) steady-state measures.

These are the analytic yardsticks for one line served by ``n`` identical agents with
Poisson arrivals and exponential handle times. Erlang A adds exponential patience: a
waiting call abandons at rate ``1 / patience_s``. Both are used to sanity-check the
simulator and to give planners a quick first staffing estimate.

All times are seconds, arrival rates are calls per hour, loads are Erlangs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from contactsim.analysis.queue_math import (
    agent_count,
    erlang_a_stationary,
    nonnegative_finite,
    positive_finite,
    probability,
    wait_cdf_by_position,
)

__all__ = [
    "QueueMeasures",
    "agents_for_target",
    "erlang_a",
    "erlang_c",
    "wait_probability_erlang_c",
]

_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class QueueMeasures:
    """Steady-state measures of one line served by n identical agents.

    Attributes
    ----------
    agents : int
        Number of agents ``n``.
    offered_load_erlangs : float
        Arrival rate times mean handle time.
    p_wait : float
        Probability that an arriving call finds all agents busy and so waits (> 0).
    p_abandon : float
        Probability that an arriving call abandons before being answered (0 for Erlang C).
    asa_s : float
        Average speed of answer: mean queue wait of answered calls, in seconds.
    mean_wait_all_s : float
        Mean time in queue over all calls, answered and abandoned, in seconds.
    service_level : float
        Fraction of all offered calls answered within ``service_level_s`` seconds,
        i.e. answered within T divided by (answered + abandoned).
    occupancy : float
        Mean fraction of agents busy, ``lambda * (1 - p_abandon) * handle / n``.
    mean_queue_length : float
        Mean number of calls waiting.
    service_level_s : float
        The service-level threshold T, in seconds.
    """

    agents: int
    offered_load_erlangs: float
    p_wait: float
    p_abandon: float
    asa_s: float
    mean_wait_all_s: float
    service_level: float
    occupancy: float
    mean_queue_length: float
    service_level_s: float


def _checked_line(
    rate_per_hour: float, handle_s: float, agents: int, service_level_s: float,
    *patience_s: float,
) -> tuple[float, float, int, float, float]:
    """A line's arguments checked, in the order :func:`erlang_a` takes them (the first wrong
    one is named), as (arrivals per second, mean handle time, agents, service-level threshold,
    abandonment rate ``1 / patience_s`` per second, 0 if no patience is given)."""
    rate_h = positive_finite("rate_per_hour", rate_per_hour)
    handle = positive_finite("handle_s", handle_s)
    theta = 1.0 / positive_finite("patience_s", patience_s[0]) if patience_s else 0.0
    n = agent_count("agents", agents)
    t_sl = nonnegative_finite("service_level_s", service_level_s)
    return rate_h / _SECONDS_PER_HOUR, handle, n, t_sl, theta


# ----------------------------------------------------------------------------- Erlang C


def wait_probability_erlang_c(offered_load_erlangs: float, agents: int) -> float:
    """Erlang C formula: probability that an arrival waits in an M/M/n queue.

    Parameters
    ----------
    offered_load_erlangs : float
        Offered load ``a = lambda / mu`` in Erlangs; must satisfy ``0 < a < agents``.
    agents : int
        Number of agents ``n >= 1``.

    Returns
    -------
    float
        ``C(n, a)``, the probability that an arriving call finds all agents busy.

    Raises
    ------
    ValueError
        If an argument is invalid or the queue is unstable (``a >= n``).

    Notes
    -----
    Erlang B is built by the recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``,
    which never forms ``a**n`` or ``n!`` and so cannot overflow; then
    ``C = n B / (n - a (1 - B))``.
    """
    a = positive_finite("offered_load_erlangs", offered_load_erlangs)
    n = agent_count("agents", agents)
    if a >= n:
        raise ValueError(
            f"Erlang C needs offered load < agents, but offered load is {a:g} Erlangs "
            f"with {n} agents: the queue is unstable and grows without bound"
        )
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1.0 - b))


def erlang_c(
    rate_per_hour: float,
    handle_s: float,
    agents: int,
    service_level_s: float = 20.0,
) -> QueueMeasures:
    """Steady-state measures of an M/M/n queue without abandonment (Erlang C).

    Parameters
    ----------
    rate_per_hour : float
        Poisson arrival rate, calls per hour (> 0).
    handle_s : float
        Mean (exponential) handle time, seconds (> 0).
    agents : int
        Number of agents ``n >= 1``.
    service_level_s : float, default 20.0
        Service-level threshold T, seconds (>= 0).

    Returns
    -------
    QueueMeasures
        With ``p_abandon = 0`` and ``mean_wait_all_s == asa_s`` since every call is
        answered.

    Raises
    ------
    ValueError
        If an argument is invalid, or the offered load is not below ``agents``.

    Notes
    -----
    ``ASA = C / (n mu - lambda)`` and ``SL = 1 - C exp(-(n mu - lambda) T)``: the wait of a
    delayed call is exponential with rate ``n mu - lambda``.
    """
    lam, handle, n, t_sl, _ = _checked_line(rate_per_hour, handle_s, agents, service_level_s)
    mu = 1.0 / handle
    a = lam * handle
    c = wait_probability_erlang_c(a, n)
    drain_per_s = n * mu - lam
    asa = c / drain_per_s
    return QueueMeasures(
        agents=n,
        offered_load_erlangs=a,
        p_wait=c,
        p_abandon=0.0,
        asa_s=asa,
        mean_wait_all_s=asa,
        service_level=1.0 - c * math.exp(-drain_per_s * t_sl),
        occupancy=a / n,
        mean_queue_length=lam * asa,
        service_level_s=t_sl,
    )


# ----------------------------------------------------------------------------- Erlang A


def erlang_a(
    rate_per_hour: float,
    handle_s: float,
    patience_s: float,
    agents: int,
    service_level_s: float = 20.0,
) -> QueueMeasures:
    """Steady-state measures of an M/M/n+M queue with exponential patience (Erlang A).

    Parameters
    ----------
    rate_per_hour : float
        Poisson arrival rate, calls per hour (> 0).
    handle_s : float
        Mean (exponential) handle time, seconds (> 0).
    patience_s : float
        Mean (exponential) patience of a waiting caller, seconds (> 0, finite).
    agents : int
        Number of agents ``n >= 1``.
    service_level_s : float, default 20.0
        Service-level threshold T, seconds (>= 0).

    Returns
    -------
    QueueMeasures
        Exact up to a truncated tail mass below 1e-15. Overloaded lines (offered load
        >= agents) are allowed: abandonment keeps them stable.

    Raises
    ------
    ValueError
        If an argument is invalid, or the queue would need more than two million states
        (overloaded with near-infinite patience).

    Notes
    -----
    The number in system is a birth-death chain with birth rate ``lambda`` and death rate
    ``mu min(k, n) + theta max(k - n, 0)``, ``theta = 1 / patience_s``. By PASTA an arrival
    sees the stationary distribution. A call with m calls ahead of it in the queue moves
    from i ahead to i - 1 at rate ``r_i = n mu + i theta`` and abandons at rate theta, so
    stage i lasts ``Exp(r_i + theta)`` whichever event ends it, and it survives the stage
    with probability ``r_i / (r_i + theta)``. Hence

    * ``P(served | m) = prod_{i=0..m} r_i / (r_i + theta) = n mu / (n mu + (m + 1) theta)``
      (the product telescopes);
    * ``E[wait | served, m] = sum_{i=0..m} 1 / (n mu + (i + 1) theta)``;
    * ``P(served, wait <= T | m) = P(served | m) P(sum_{i=0..m} Exp(r_i + theta) <= T)``,
      a hypoexponential CDF which, because the rates are linear in i, equals a
      regularized incomplete beta function (see
      :func:`~contactsim.analysis.queue_math.wait_cdf_by_position`).

    ``p_abandon = theta E[Q] / lambda`` and ``mean_wait_all_s = E[Q] / lambda`` (Little).
    """
    lam, handle, n, t_sl, theta = _checked_line(
        rate_per_hour, handle_s, agents, service_level_s, patience_s
    )
    mu = 1.0 / handle
    a = lam * handle

    pi = erlang_a_stationary(lam, mu, theta, n)
    pi_queue = pi[n:]  # arrival sees m = 0, 1, ... calls already waiting
    m = np.arange(pi_queue.size, dtype=float)
    p_wait = float(pi_queue.sum())
    mean_queue = float(m @ pi_queue)
    p_abandon = theta * mean_queue / lam

    stage_rates = n * mu + (m + 1.0) * theta  # r_i + theta for stage i = m
    served_given_m = n * mu / stage_rates
    served_weight = pi_queue * served_given_m
    wait_given_served_m = np.cumsum(1.0 / stage_rates)
    p_served_after_wait = float(served_weight.sum())
    p_served = (1.0 - p_wait) + p_served_after_wait
    asa = float(served_weight @ wait_given_served_m) / p_served

    within_t = wait_cdf_by_position(n * mu, theta, pi_queue.size, t_sl)
    service_level = (1.0 - p_wait) + float(served_weight @ within_t)

    return QueueMeasures(
        agents=n,
        offered_load_erlangs=a,
        p_wait=p_wait,
        p_abandon=p_abandon,
        asa_s=asa,
        mean_wait_all_s=mean_queue / lam,
        service_level=service_level,
        occupancy=a * (1.0 - p_abandon) / n,
        mean_queue_length=mean_queue,
        service_level_s=t_sl,
    )


# ----------------------------------------------------------------------------- staffing


def agents_for_target(
    rate_per_hour: float,
    handle_s: float,
    *,
    service_level_target: float | None = None,
    service_level_s: float = 20.0,
    asa_target_s: float | None = None,
    patience_s: float | None = None,
    max_agents: int = 100_000,
) -> int:
    """Smallest number of agents meeting a service-level and/or ASA target.

    Uses Erlang A when ``patience_s`` is given, otherwise Erlang C.

    Parameters
    ----------
    rate_per_hour : float
        Poisson arrival rate, calls per hour (> 0).
    handle_s : float
        Mean handle time, seconds (> 0).
    service_level_target : float, optional
        Required fraction of calls answered within ``service_level_s``, in (0, 1).
    service_level_s : float, default 20.0
        Service-level threshold T, seconds (>= 0).
    asa_target_s : float, optional
        Required maximum average speed of answer, seconds (> 0).
    patience_s : float, optional
        Mean caller patience, seconds; selects Erlang A.
    max_agents : int, default 100000
        Give up beyond this many agents.

    Returns
    -------
    int
        The smallest ``n`` meeting every target given.

    Raises
    ------
    ValueError
        If no target is given, an argument is invalid, or no ``n <= max_agents`` meets
        the targets (e.g. a service level above ``1 - p_abandon`` for every n reachable).

    Notes
    -----
    Assumes service level rises and ASA falls as agents are added (true of both models
    over the ranges tested), so a galloping search followed by bisection finds the
    smallest n in O(log n) model evaluations.
    """
    if service_level_target is None and asa_target_s is None:
        raise ValueError("agents_for_target needs service_level_target or asa_target_s")
    rate_h = positive_finite("rate_per_hour", rate_per_hour)
    handle = positive_finite("handle_s", handle_s)
    t_sl = nonnegative_finite("service_level_s", service_level_s)
    sl_target = (
        None
        if service_level_target is None
        else probability("service_level_target", service_level_target)
    )
    asa_target = None if asa_target_s is None else positive_finite("asa_target_s", asa_target_s)
    patience = None if patience_s is None else positive_finite("patience_s", patience_s)
    n_max = agent_count("max_agents", max_agents)
    load = rate_h * handle / _SECONDS_PER_HOUR

    def meets(n: int) -> bool:
        if patience is None:
            q = erlang_c(rate_h, handle, n, t_sl)
        else:
            q = erlang_a(rate_h, handle, patience, n, t_sl)
        ok_sl = sl_target is None or q.service_level >= sl_target
        ok_asa = asa_target is None or q.asa_s <= asa_target
        return ok_sl and ok_asa

    if patience is None:
        lower = math.floor(load) + 1  # Erlang C is unstable below this
    elif sl_target is not None:
        # SL <= 1 - p_abandon <= n / load, so fewer agents can never reach the target.
        lower = max(1, math.ceil(sl_target * load))
    else:
        lower = 1
    if lower > n_max:
        raise ValueError(f"max_agents {n_max} is below the minimum feasible {lower} agents")

    if meets(lower):
        return lower
    fail, gap = lower, 1
    while True:
        candidate = min(fail + gap, n_max)
        if meets(candidate):
            ok = candidate
            break
        if candidate == n_max:
            raise ValueError(f"no number of agents up to max_agents={n_max} meets the target")
        fail, gap = candidate, gap * 2
    while ok - fail > 1:
        mid = (ok + fail) // 2
        if meets(mid):
            ok = mid
        else:
            fail = mid
    return ok
