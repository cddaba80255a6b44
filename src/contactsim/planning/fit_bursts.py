"""Bursts of calls for one incident, fitted from a log that links calls to incidents.

contactsim's bursts (``demand.LINE.bursts``): a ``share`` of incidents brings further calls —
a number drawn from a Poisson distribution of mean ``extra_calls`` (so a burst may bring none) —
one after another at exponential gaps of mean ``spread_s``, each a duplicate with a handle time
of its own (the call handler links it to the open incident).

A log with an ``incident_id`` column says which calls were one incident. Within a line, the
calls of one incident from the second caller on, within :data:`BURST_WINDOW_MIN` of its first
call, are its **duplicates**; a call from a caller already heard on the incident (a redial,
told by ``caller_id``) and a call after the window (an update, a report hours later) are
ordinary calls. The fit is then by maximum likelihood:

- each incident's duplicates X are 0 with probability 1 − share + share·e^(−λ) and k ≥ 1 with
  share·λ^k e^(−λ)/k! (a zero-inflated Poisson): λ solves ``λ / (1 − e^(−λ)) = mean X over
  incidents with X ≥ 1`` and ``share = (share of incidents with X ≥ 1) / (1 − e^(−λ))``
  (capped at 1, when λ is then the mean X over all incidents);
- ``spread_s`` is the mean gap between one call of a burst and the next: the time from each
  incident's first call to its last duplicate, summed, over the number of duplicates.

Intervals are a bootstrap over incidents (:mod:`contactsim.planning.fit_estimates`). Without
incident ids, witnesses cannot be told from unrelated callers (caller ids only tell a caller's
own redials): bursts are not fitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from contactsim.config.bursts import MAX_EXTRA_CALLS
from contactsim.planning.fit_estimates import (
    BOOTSTRAP_SEED,
    RESAMPLES,
    Estimate,
    percentile_interval,
    widened,
)

#: Calls of an incident later than this after its first call are not part of its burst.
BURST_WINDOW_MIN = 60.0


@dataclass(frozen=True)
class IncidentCalls:
    """A line's calls told apart by incident: which are duplicates, and each incident's
    duplicates and the time from its first call to its last duplicate."""

    duplicate: np.ndarray  # per call, in the log's order: True for a burst's further call
    extra: np.ndarray  # per incident: duplicates
    span_s: np.ndarray  # per incident: first call to last duplicate, s (0 without duplicates)


@dataclass(frozen=True)
class BurstFit:
    """What a log says of one line's bursts."""

    incidents: int
    bursts: int  # incidents with more than one call
    duplicates: int
    share: Estimate  # share of incidents that bring a burst (the model's share)
    extra_calls: Estimate  # mean further calls of a burst (Poisson mean, may draw 0)
    spread_s: Estimate  # mean gap between one call of a burst and the next, s
    window_min: float
    handle_mean_s: float | None = None  # the duplicates' handle time
    handle_cv: float | None = None

    @property
    def multi_share(self) -> float:
        """Share of incidents with more than one call (what the log shows)."""
        return self.bursts / self.incidents if self.incidents else float("nan")


def incident_calls(arrivals: np.ndarray, incidents: np.ndarray, callers: np.ndarray | None,
                   window_min: float = BURST_WINDOW_MIN) -> IncidentCalls:
    """Tell a line's duplicates (see the module) from its other calls."""
    order = np.lexsort((arrivals, incidents))
    incident = incidents[order]
    times = arrivals[order]
    first = np.r_[True, incident[1:] != incident[:-1]] if incident.size else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    start = times[first][group]
    within = (times - start) <= np.timedelta64(int(window_min * 60e9), "ns")
    repeated = np.zeros(times.size, dtype=bool)
    if callers is not None:
        pairs = incident.astype(np.int64) * (int(callers.max(initial=0)) + 1) + callers[order]
        _, first_of_pair = np.unique(pairs, return_index=True)
        repeated[:] = True
        repeated[first_of_pair] = False
    duplicate_sorted = ~first & within & ~repeated
    groups = int(group[-1]) + 1 if group.size else 0
    extra = np.bincount(group, weights=duplicate_sorted, minlength=groups).astype(np.int64)
    offset_s = (times - start).astype("timedelta64[ns]").astype(np.float64) / 1e9
    span = np.zeros(groups)
    np.maximum.at(span, group[duplicate_sorted], offset_s[duplicate_sorted])
    duplicate = np.empty_like(duplicate_sorted)
    duplicate[order] = duplicate_sorted
    return IncidentCalls(duplicate=duplicate, extra=extra, span_s=span)


def zero_inflated_poisson(incidents: int, bursts: int, duplicates: int) -> tuple[float, float]:
    """``(share, extra_calls)`` by maximum likelihood from the number of incidents, of those with
    at least one duplicate, and of duplicates (see the module)."""
    if bursts == 0:
        return 0.0, 0.0
    mean_of_bursts = duplicates / bursts
    if mean_of_bursts <= 1.0 + 1e-12:
        return 1.0, duplicates / incidents
    rate = brentq(lambda lam: lam - mean_of_bursts * -np.expm1(-lam), 1e-12, mean_of_bursts)
    share = bursts / incidents / -np.expm1(-rate)
    if share > 1.0:
        return 1.0, duplicates / incidents
    return float(share), float(rate)


def fit_bursts(calls: IncidentCalls, window_min: float = BURST_WINDOW_MIN,
               handle_s: np.ndarray | None = None, seed: int = BOOTSTRAP_SEED) -> BurstFit | None:
    """Fit a line's bursts from its calls told apart by incident (:func:`incident_calls`),
    with 95% intervals; None when no incident had a duplicate. ``handle_s`` is every call's
    handle time, in the log's order: the duplicates' give theirs."""
    extra = calls.extra
    n = int(extra.size)
    with_extra = np.flatnonzero(extra > 0)
    if with_extra.size == 0:
        return None
    share, rate = zero_inflated_poisson(n, with_extra.size, int(extra.sum()))
    spread = float(calls.span_s.sum() / extra.sum())
    rng = np.random.default_rng(seed)
    resampled = np.full((RESAMPLES, 3), np.nan)
    burst_extra, burst_span_s = extra[with_extra], calls.span_s[with_extra]
    for k, bursts in enumerate(rng.binomial(n, with_extra.size / n, size=RESAMPLES)):
        if bursts == 0:
            continue
        drawn = rng.integers(0, with_extra.size, size=bursts, dtype=np.int32)
        total = int(burst_extra[drawn].sum())
        resampled[k, :2] = zero_inflated_poisson(n, bursts, total)
        resampled[k, 2] = burst_span_s[drawn].sum() / total
    units = int(with_extra.size)
    estimates = []
    for column, value in enumerate((share, rate, spread)):
        low, high = widened(value, *percentile_interval(resampled[:, column]), units)
        estimates.append(Estimate(value, max(low, 0.0), min(high, 1.0) if column == 0 else high))
    mean = cv = None
    if handle_s is not None and calls.duplicate.sum() >= 2:
        own = handle_s[calls.duplicate]
        mean = float(own.mean())
        cv = float(own.std(ddof=1) / mean) if mean > 0 else float("nan")
    return BurstFit(
        incidents=n, bursts=int(with_extra.size), duplicates=int(extra.sum()),
        share=estimates[0], extra_calls=estimates[1], spread_s=estimates[2],
        window_min=window_min, handle_mean_s=mean, handle_cv=cv,
    )


def burst_snippet(fit: BurstFit, handle_time: Callable[[float, float | None], dict[str, object]]
                  ) -> dict[str, object]:
    """The line's ``bursts:`` for the scenario snippet; ``handle_time`` makes the duplicates'
    handle time from their mean and cv (left out when the log has no handle times: the
    snippet then says to add one)."""
    snippet: dict[str, object] = {
        "share": round(fit.share.value, 4),
        "extra_calls": round(min(fit.extra_calls.value, MAX_EXTRA_CALLS), 3),
        "spread_s": max(round(fit.spread_s.value, 1), 0.1),  # a scenario's must be above 0
    }
    if fit.handle_mean_s is not None:
        snippet["handle_time"] = handle_time(fit.handle_mean_s, fit.handle_cv)
    return snippet


def burst_columns(fit: BurstFit | None) -> dict[str, object]:
    """The burst columns of ``fit.csv`` (blank when not fitted)."""
    names = ("burst_incidents", "burst_multi_call_share", "burst_duplicates", "burst_share",
             "burst_share_low", "burst_share_high", "burst_extra_calls", "burst_extra_calls_low",
             "burst_extra_calls_high", "burst_spread_s", "burst_spread_s_low",
             "burst_spread_s_high", "duplicate_handle_mean_s", "duplicate_handle_cv")
    if fit is None:
        return dict.fromkeys(names)
    values = (fit.incidents, round(fit.multi_share, 5), fit.duplicates,
              *(round(v, 5) for v in (fit.share.value, fit.share.low, fit.share.high)),
              *(round(v, 4) for v in (fit.extra_calls.value, fit.extra_calls.low,
                                      fit.extra_calls.high)),
              *(round(v, 2) for v in (fit.spread_s.value, fit.spread_s.low, fit.spread_s.high)),
              fit.handle_mean_s, fit.handle_cv)
    return dict(zip(names, values, strict=True))
