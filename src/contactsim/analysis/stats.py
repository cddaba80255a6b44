"""Summaries across replications: means with Student-t confidence intervals, clipped to the
KPI's range.

With few replications a Student-t interval can leave the values a KPI can take (an ASA below
0 s, an occupancy above 1): :func:`summarize` and :func:`compare_to_first` clip each interval
to the KPI's range, as :mod:`contactsim.analysis.kpis` states it, and never move a mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile (lighter to import than scipy.stats)

from contactsim.analysis.kpis import difference_range, kpi_range
from contactsim.limits import MIN_RELIABLE_REPS


def t_interval(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of independent replications.

    NaN values (a KPI with nothing to measure in a replication) are left out. With a single
    value the interval is undefined and returned as NaN.

    >>> t_interval([1.0, 2.0, 3.0])[0]
    2.0
    """
    data = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if data.size == 1:
        return mean, math.nan, math.nan
    half = float(
        stdtrit(data.size - 1, 0.5 + confidence / 2)
        * data.std(ddof=1)
        / math.sqrt(data.size)
    )
    return mean, mean - half, mean + half


def clip(interval: tuple[float, float, float], bounds: tuple[float, float]
         ) -> tuple[float, float, float]:
    """``(mean, low, high)`` with ``low`` and ``high`` clipped to ``bounds``; the mean, and
    any NaN, as they are.

    >>> clip((0.1, -0.2, 0.4), (0.0, 1.0))
    (0.1, 0.0, 0.4)
    """
    mean, low, high = interval
    lowest, highest = bounds
    return (
        mean,
        low if math.isnan(low) else min(max(low, lowest), highest),
        high if math.isnan(high) else min(max(high, lowest), highest),
    )


def kpi_interval(values: Iterable[float], kpi: str, confidence: float = 0.95
                 ) -> tuple[float, float, float]:
    """Mean and interval of a KPI's replications: Student t, clipped to the KPI's range
    (:func:`~contactsim.analysis.kpis.kpi_range`: a share to [0, 1], a count or time to 0 and
    above)."""
    return clip(t_interval(values, confidence), kpi_range(kpi))


def few_replications_warning(reps: int) -> str | None:
    """A warning to show when a summary rests on fewer than
    :data:`~contactsim.limits.MIN_RELIABLE_REPS` replications; None when it does not."""
    if reps >= MIN_RELIABLE_REPS:
        return None
    if reps <= 1:
        return (f"with {reps} replication{'' if reps == 1 else 's'} there are no 95% "
                f"intervals; use {MIN_RELIABLE_REPS} or more")
    return (f"with {reps} replications the 95% intervals are unreliable; use "
            f"{MIN_RELIABLE_REPS} or more")


def summarize(replications: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per (scope, kpi): ``mean, ci_low, ci_high, reps`` from a long replications table
    with columns ``replication, scope, kpi, value``. Rows keep the table's first-seen order.

    The interval is Student t, clipped to the KPI's range (see :func:`kpi_interval`); ``reps``
    counts the replications that measured the KPI (not NaN)."""
    rows = []
    for (scope, kpi), group in replications.groupby(["scope", "kpi"], sort=False):
        values = group["value"].to_numpy(dtype=float)
        mean, low, high = kpi_interval(values, str(kpi), confidence)
        rows.append(
            {
                "scope": scope,
                "kpi": kpi,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "reps": int(np.count_nonzero(~np.isnan(values))),
            }
        )
    return pd.DataFrame(rows, columns=["scope", "kpi", "mean", "ci_low", "ci_high", "reps"])


def compare_to_first(replications: list[pd.DataFrame], names: list[str],
                     confidence: float = 0.95) -> pd.DataFrame:
    """Each scenario's KPIs beside the first's, with the paired difference.

    ``replications`` are long tables (``replication, scope, kpi, value``) run with the same
    seed, so replication ``r`` of every scenario saw the same callers (common random numbers):
    the difference is taken replication by replication and its Student-t interval is the
    policy's effect without most of the dice's.

    Each scenario's interval is Student t, clipped to the KPI's range; a difference's is
    Student t, clipped to the range of a difference (a share's to [-1, 1], others unclipped).

    Returns one row per (scenario, scope, kpi): ``scenario, scope, kpi, mean, ci_low,
    ci_high, diff_mean, diff_low, diff_high, reps``; the first scenario's differences are 0.
    """
    first_keys, first_reps, first_values = _by_kpi(replications[0])
    first_row = {key: index for index, key in enumerate(first_keys)}
    rows = []
    for name, table in zip(names, replications, strict=True):
        keys, reps, values = _by_kpi(table)
        # where each of this table's replications is among the first's (-1: not there)
        in_first = pd.Index(first_reps).get_indexer(reps)
        for (scope, kpi), row in zip(keys, values, strict=True):
            mean, low, high = kpi_interval(row, str(kpi), confidence)
            base_row = first_row.get((scope, kpi))
            if base_row is None:
                diff = (math.nan, math.nan, math.nan)
            else:
                base = np.where(in_first >= 0, first_values[base_row][in_first], np.nan)
                paired = row - base
                diff = clip(t_interval(paired[~np.isnan(paired)], confidence),
                            difference_range(str(kpi)))
            rows.append({
                "scenario": name, "scope": scope, "kpi": kpi, "mean": mean, "ci_low": low,
                "ci_high": high, "diff_mean": diff[0], "diff_low": diff[1], "diff_high": diff[2],
                "reps": int(np.count_nonzero(~np.isnan(row))),
            })
    return pd.DataFrame(rows)


def _by_kpi(table: pd.DataFrame) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    """A long table of replications as one row of values per (scope, kpi), in the order the
    table first gives each, with a column per replication (in order; NaN where a replication
    has no value): the keys, the replications, the values."""
    keys = list(dict.fromkeys(zip(table["scope"], table["kpi"], strict=True)))
    wide = (table.set_index(["scope", "kpi", "replication"])["value"].unstack("replication")
            .reindex(pd.MultiIndex.from_tuples(keys, names=["scope", "kpi"])))
    return keys, wide.columns.to_numpy(), wide.to_numpy(dtype=float)
