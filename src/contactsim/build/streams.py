"""Named random streams: one numpy ``Generator`` per random source, looked up by name.

Every stream of a replication is spawned from one ``SeedSequence`` keyed by the run's seed, the
replication's number and a stable hash of the stream's name. A new random source therefore
leaves every other stream as it was, and two scenarios run with the same seed see the same
callers (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big")


class Streams:
    """The random streams of one replication.

    >>> streams = Streams(seed=1, replication=0)
    >>> a = streams["arrivals/999"].random()
    >>> a == Streams(seed=1, replication=0)["arrivals/999"].random()
    True
    """

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        generator = self._generators.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(
                entropy=self.seed, spawn_key=(self.replication, _name_key(name))
            )
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._generators[name] = generator
        return generator

    def names(self) -> list[str]:
        """The names of the streams used so far."""
        return sorted(self._generators)
