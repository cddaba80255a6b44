"""Arrival times of a Poisson process whose rate is constant within each interval
(``contactsim.build.demand.poisson_arrivals``): each block of the unit-rate stream is mapped
through the inverse of the cumulative rate, its intervals searched for among those the block
spans only."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.build.demand import poisson_arrivals


def _searching_every_interval(rates_per_hour: np.ndarray, interval_s: float, seed: int,
                              block: int) -> list[float]:
    """The same mapping with each point's interval searched for among all of them."""
    rng = np.random.default_rng(seed)
    rates_per_s = rates_per_hour / 3600.0
    cumulative = np.concatenate(([0.0], np.cumsum(rates_per_s * interval_s)))
    times: list[float] = []
    position = 0.0
    while position < cumulative[-1]:
        points = position + np.cumsum(rng.exponential(1.0, block))
        position = float(points[-1])
        points = points[points < cumulative[-1]]
        index = np.searchsorted(cumulative, points, side="right") - 1
        times += (index * interval_s + (points - cumulative[index]) / rates_per_s[index]).tolist()
    return times


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(st.one_of(st.just(0.0), st.floats(0.01, 500.0)), min_size=1, max_size=300),
    block=st.sampled_from([1, 2, 7, 64, 4096]),
    seed=st.integers(0, 2**32 - 1),
)
def test_arrivals_are_those_of_searching_every_interval(
    rates: list[float], block: int, seed: int
) -> None:
    # intervals with no calls (rate 0) make runs of equal cumulative values: the windowed
    # search must place points exactly as the search over every interval does
    rates_per_hour = np.array(rates)
    arrivals = list(poisson_arrivals(rates_per_hour, 900.0, np.random.default_rng(seed), block))
    assert arrivals == _searching_every_interval(rates_per_hour, 900.0, seed, block)


def test_arrivals_keep_to_each_interval_at_its_rate() -> None:
    # 30 intervals alternating 0 and 360 calls an hour: no arrival in a closed interval, and
    # the count in the open ones is Poisson (mean 90 each, 1,350 in all; 4 sd is about 147)
    rates = np.array([0.0, 360.0] * 15)
    arrivals = np.array(list(poisson_arrivals(rates, 900.0, np.random.default_rng(7), 64)))
    assert np.all(np.diff(arrivals) > 0)
    assert np.all((arrivals // 900.0) % 2 == 1)
    assert abs(arrivals.size - 1350) < 147
