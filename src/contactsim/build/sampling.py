"""Named distributions of durations, drawn over a given numpy ``Generator`` in blocks.

Each distribution is set by the planner's figures (a mean and a cv, or a mean and a shape), and
:func:`sampler` turns one into a callable that returns the next draw. Values are drawn a block
at a time, which keeps the per-call cost to one ``next`` on a list iterator.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from contactsim.config.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Weibull,
)
from contactsim.data.empirical import read_empirical
from contactsim.engine.sampler import BLOCK_SIZE, Sampler, sampler_from_blocks


def sampler(spec: Distribution, rng: np.random.Generator, block_size: int = BLOCK_SIZE) -> Sampler:
    """A callable returning successive draws, in seconds, of ``spec`` over ``rng``."""
    if isinstance(spec, Fixed):
        value = float(spec.value_s)
        return lambda: value
    return sampler_from_blocks(block_drawer(spec, rng), block_size)


def block_drawer(spec: Distribution, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    """A function ``size -> array`` of independent draws of ``spec`` in seconds."""
    if isinstance(spec, Exponential):
        return lambda size: rng.exponential(spec.mean_s, size)
    if isinstance(spec, Lognormal):
        sigma2 = math.log1p(spec.cv**2)
        mu = math.log(spec.mean_s) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda size: rng.lognormal(mu, sigma, size)
    if isinstance(spec, Gamma):
        shape = 1.0 / spec.cv**2
        scale = spec.mean_s / shape
        return lambda size: rng.gamma(shape, scale, size)
    if isinstance(spec, Weibull):
        scale = spec.mean_s / math.gamma(1.0 + 1.0 / spec.shape)
        return lambda size: scale * rng.weibull(spec.shape, size)
    if isinstance(spec, Fixed):
        return lambda size: np.full(size, float(spec.value_s))
    if isinstance(spec, Empirical):
        samples = read_empirical(spec.file, spec.column)
        return lambda size: rng.choice(samples, size)
    raise TypeError(f"unknown distribution {spec!r}")


def mean_s(spec: Distribution) -> float:
    """The mean of a distribution, in seconds."""
    if isinstance(spec, Fixed):
        return spec.value_s
    if isinstance(spec, Empirical):
        return float(np.mean(read_empirical(spec.file, spec.column)))
    return spec.mean_s
