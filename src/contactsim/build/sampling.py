"""Named distributions of durations, drawn over a given numpy ``Generator`` in blocks.

Each distribution is set by the planner's figures (a mean and a cv, or a mean and a shape), and
:func:`sampler` turns one into a callable that returns the next draw. Values are drawn a block
at a time, which keeps the per-call cost to one ``next`` on a list iterator.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from itertools import chain

import numpy as np

from contactsim.config.scenario import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Weibull,
)
from contactsim.data.files import read_input_text
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_MEAN_S, MAX_TABLE_BYTES

BLOCK_SIZE = 2048

Sampler = Callable[[], float]


def sampler(spec: Distribution, rng: np.random.Generator, block_size: int = BLOCK_SIZE) -> Sampler:
    """A callable returning successive draws, in seconds, of ``spec`` over ``rng``."""
    if isinstance(spec, Fixed):
        value = float(spec.value_s)
        return lambda: value
    return sampler_from_blocks(block_drawer(spec, rng), block_size)


def sampler_from_blocks(draw: Callable[[int], np.ndarray], block_size: int = BLOCK_SIZE) -> Sampler:
    """A callable returning successive values of ``draw(block_size)``, one block at a time."""
    return partial(next, _blocks(draw, block_size))


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


def _blocks(draw: Callable[[int], np.ndarray], size: int) -> Iterator[float]:
    # chain's next() takes values from a list without entering Python; the lambda runs once a
    # block (iter(f, None) calls f until it returns None, which a list never is)
    return chain.from_iterable(iter(lambda: draw(size).tolist(), None))


def read_empirical(path: str, column: str = "seconds") -> np.ndarray:
    """Read durations from a CSV column (see :func:`_read_empirical`), cached per file version."""
    from contactsim.data.calllog import file_version

    return _read_empirical(path, column, *file_version(path))


@lru_cache(maxsize=32)
def _read_empirical(path: str, column: str, mtime_ns: int, size: int) -> np.ndarray:
    """The non-negative durations in one column of a CSV file.

    Raises
    ------
    ScenarioError
        If the file is missing, not a regular file, larger than
        :data:`~contactsim.limits.MAX_TABLE_BYTES` or not UTF-8, the column absent, or a
        value not a number of seconds from 0 to :data:`~contactsim.limits.MAX_MEAN_S`.
    """
    text = read_input_text(path, "CSV file of durations", MAX_TABLE_BYTES)
    values: list[float] = []
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise ScenarioError.single(
                "column", column, f"a column of the file (it has {reader.fieldnames})", path
            )
        for row_number, row in enumerate(reader, start=2):
            text = (row[column] or "").strip()
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or not 0 <= value <= MAX_MEAN_S:
                raise ScenarioError.single(
                    column, text, f"a number of seconds from 0 to {MAX_MEAN_S:,.0f} (30 days)",
                    path, row_number,
                )
            values.append(value)
    if not values:
        raise ScenarioError.single(column, "no rows", "at least one duration", path)
    return np.asarray(values, dtype=float)
