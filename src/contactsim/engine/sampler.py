"""Samplers: where the engine takes its random draws from, one value per call.

A sampler is any callable returning the next draw (a handle time in seconds, a uniform on
[0, 1), ...). Which distribution and which random stream feed it is decided by
:mod:`contactsim.build.sampling`; the engine only calls it. :func:`sampler_from_blocks` draws
numpy blocks and hands their values out one by one, which keeps a draw's cost to one ``next`` on
a list iterator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from itertools import chain

import numpy as np

#: Values drawn at a time by :func:`sampler_from_blocks` unless told otherwise.
BLOCK_SIZE = 2048

#: The next draw of a random quantity, each time it is called.
Sampler = Callable[[], float]


def sampler_from_blocks(draw: Callable[[int], np.ndarray], block_size: int = BLOCK_SIZE) -> Sampler:
    """A callable returning successive values of ``draw(block_size)``, one block at a time."""
    return partial(next, _blocks(draw, block_size))


def _blocks(draw: Callable[[int], np.ndarray], size: int) -> Iterator[float]:
    # chain's next() takes values from a list without entering Python; the lambda runs once a
    # block (iter(f, None) calls f until it returns None, which a list never is)
    return chain.from_iterable(iter(lambda: draw(size).tolist(), None))
