"""Day-to-day busyness fitted from a log: how much more the daily counts vary than the profile's
Poisson arrivals would make them.

contactsim's busyness (``demand.LINE.busyness_cv``) multiplies each day's rates by a gamma
factor of mean 1 and coefficient of variation cv, so a day of m expected calls has a count N
of variance m + cv² m². The fit compares each day's count with what the profile fitted to the
same log expects of it, and solves for cv² by the method of moments:
``cv² = Σ (r² − a) / Σ b`` over the days, where r = N − m is the day's residual and a + cv² b
its expected square. The profile is fitted from the same days, so it follows them a little
(its month factors take up part of each month's busyness, its weekday shape part of each
weekday's): a residual is smaller than the day's real deviation. The expected square says by
how much — for the profile's Poisson fit, ``a = m (1 − h)`` and ``b = m² (1 − 2h) + m² x'A
X'W²X A x`` with h the day's leverage — so cv is not biased low by the fit, and a log without
busyness gives cv near 0 (negative values of cv², sampling noise, are floored at 0).

Why not maximum likelihood (a negative binomial with a profile-likelihood interval)? It
assumes the busyness is gamma-shaped and the expected counts known, and a real log's busy
days (storms, holidays, a heatwave week) are neither gamma nor independent. The interval here
is a bootstrap over whole weeks (:mod:`contactsim.planning.fit_estimates`): it uses only the
variance, and busy days that come in runs widen it as they should.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from contactsim.planning.fit_estimates import (
    BOOTSTRAP_SEED,
    Estimate,
    percentile_interval,
    resample_counts,
    widened,
)

#: Fewest days a log must cover for busyness to be fitted: four whole weeks beyond the
#: profile's own weekday shape and month factors.
MIN_DAYS = 28
#: Days in a resampled block (a week keeps each weekday once and busy runs together).
BLOCK_DAYS = 7
#: Busiest days named (to spot an event the fit should leave out).
BUSIEST_SHOWN = 3
_IPF_ITERATIONS = 200
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class BusynessFit:
    """What a log says of a line's day-to-day busyness."""

    cv: Estimate  # the busyness factor's coefficient of variation, 95% interval
    days: int
    mean_calls_per_day: float
    #: variance of daily counts over Poisson's (1 without busyness), net of the profile
    dispersion: float
    #: correlation of a day's busyness with the day before's (the model draws days
    #: independently: near 0 if the log agrees)
    day_to_day_correlation: float
    #: the days furthest above their expected count: (day, relative excess), busiest first
    busiest: tuple[tuple[date, float], ...] = ()
    left_out: int = 0  # days left out of the fit (known events)


@dataclass(frozen=True)
class _Days:
    """Each day's count, expected count, and the pieces of its expected squared residual."""

    counts: np.ndarray
    expected: np.ndarray
    poisson_part: np.ndarray  # a: E[r²] = a + cv² b
    busyness_part: np.ndarray  # b


def daily_counts(arrivals: np.ndarray, first_day: pd.Timestamp, days: int) -> np.ndarray:
    """Calls on each day from ``first_day`` (midnight to midnight)."""
    offsets = (arrivals - np.datetime64(first_day, "ns")) // _DAY
    return np.bincount(offsets.astype(np.int64), minlength=days)[:days].astype(float)


def _design(first_day: pd.Timestamp, days: int) -> np.ndarray:
    """Indicators of each day's weekday and month (the profile's shape, day by day)."""
    dates = pd.date_range(first_day, periods=days, freq="D")
    x = np.zeros((days, 19))
    x[np.arange(days), dates.day_of_week.to_numpy()] = 1.0
    x[np.arange(days), 7 + dates.month.to_numpy() - 1] = 1.0
    return x


def _expected(counts: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each day's expected count under ``weekday factor × month factor``, fitted by maximum
    likelihood for Poisson counts (iterative proportional fitting: every weekday's and every
    month's expected total equals its observed total). The same expectations as the
    hour-of-week × month profile summed over each day."""
    factors = np.ones(x.shape[1])
    totals = counts @ x
    for _ in range(_IPF_ITERATIONS):
        before = factors.copy()
        for column in range(x.shape[1]):
            on = x[:, column] > 0
            fitted = np.prod(np.where(x[on] > 0, factors, 1.0), axis=1).sum()
            factors[column] = factors[column] * totals[column] / fitted if fitted > 0 else 0.0
        if np.allclose(factors, before, rtol=1e-12, atol=0.0):
            break
    return np.prod(np.where(x > 0, factors, 1.0), axis=1)


def _days(counts: np.ndarray, x: np.ndarray) -> _Days:
    m = _expected(counts, x)
    information = x.T @ (x * m[:, None])
    inverse = np.linalg.pinv(information)
    ax = x @ inverse  # row d: x_d' A
    leverage = m * np.einsum("dj,dj->d", ax, x)
    squared = x.T @ (x * (m**2)[:, None])  # X' W² X
    spread = np.einsum("dj,jk,dk->d", ax, squared, ax)
    return _Days(
        counts=counts, expected=m,
        poisson_part=m * (1.0 - leverage),
        busyness_part=m**2 * (1.0 - 2.0 * leverage) + m**2 * spread,
    )


def fit_busyness(
    arrivals: np.ndarray, first_day: pd.Timestamp, days: int,
    leave_out: Collection[date] = (), seed: int = BOOTSTRAP_SEED,
) -> BusynessFit | None:
    """The busyness cv of a line's calls ``arrivals`` over ``days`` days from ``first_day``,
    with a 95% interval from a bootstrap over weeks; None when the log is shorter than
    :data:`MIN_DAYS` or leaves too few days beyond the profile's shape. Days in ``leave_out``
    (known events: New Year's Eve, a storm) are left out of the fit."""
    dates = pd.date_range(first_day, periods=days, freq="D")
    kept = ~np.isin(dates.date, np.array(list(leave_out), dtype=object))
    counts = daily_counts(arrivals, first_day, days)
    x = _design(first_day, days)[kept]
    x = x[:, x.any(axis=0)]
    if kept.sum() < MIN_DAYS or kept.sum() - np.linalg.matrix_rank(x) < MIN_DAYS - 7:
        return None
    fitted = _days(counts[kept], x)
    deviation = fitted.counts - fitted.expected
    residual = deviation**2 - fitted.poisson_part
    weight = fitted.busyness_part
    block = np.flatnonzero(kept) // BLOCK_DAYS
    block = np.unique(block, return_inverse=True)[1]
    blocks = int(block.max()) + 1
    residual_by_block = np.bincount(block, weights=residual, minlength=blocks)
    weight_by_block = np.bincount(block, weights=weight, minlength=blocks)
    drawn = resample_counts(blocks, np.random.default_rng(seed))
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled = (drawn @ residual_by_block) / (drawn @ weight_by_block)
        relative = np.full(days, np.nan)
        relative[kept] = np.where(fitted.expected > 0, deviation / fitted.expected, np.nan)
    squared = float(residual.sum() / weight.sum())
    low, high = widened(squared, *percentile_interval(resampled), blocks)
    cv = Estimate(*(float(np.sqrt(max(v, 0.0))) for v in (squared, low, high)))
    ranked = np.argsort(-np.nan_to_num(relative, nan=-np.inf), kind="stable")[:BUSIEST_SHOWN]
    return BusynessFit(
        cv=cv, days=int(kept.sum()), mean_calls_per_day=float(fitted.counts.mean()),
        dispersion=float((deviation**2).sum() / fitted.poisson_part.sum()),
        day_to_day_correlation=_lag_one(relative),
        busiest=tuple((dates[i].date(), float(relative[i])) for i in ranked),
        left_out=int(days - kept.sum()),
    )


def _lag_one(relative: np.ndarray) -> float:
    """Correlation of each day's relative deviation from its expected count with the day
    before's (pairs of days both fitted)."""
    both = np.isfinite(relative[:-1]) & np.isfinite(relative[1:])
    before, after = relative[:-1][both], relative[1:][both]
    if before.size < 3 or before.std() == 0 or after.std() == 0:
        return float("nan")
    return float(np.corrcoef(before, after)[0, 1])


def busyness_columns(fit: BusynessFit | None) -> dict[str, object]:
    """The busyness columns of ``fit.csv`` (blank when not fitted)."""
    if fit is None:
        return dict.fromkeys(("busyness_cv", "busyness_cv_low", "busyness_cv_high",
                              "busyness_days", "busyness_dispersion",
                              "busyness_day_to_day_correlation"))
    return {
        "busyness_cv": round(fit.cv.value, 4), "busyness_cv_low": round(fit.cv.low, 4),
        "busyness_cv_high": round(fit.cv.high, 4), "busyness_days": fit.days,
        "busyness_dispersion": round(fit.dispersion, 3),
        "busyness_day_to_day_correlation": round(fit.day_to_day_correlation, 3),
    }
