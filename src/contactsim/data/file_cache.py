"""A planner's files read once per version: the one cache of what a file reader made.

A sweep or a staffing search runs hundreds of replications of scenarios that name the same
profile, staffing table, sample of durations or call log; each file is read and checked once,
and every replication shares what was read. The cache knows a file by its path *and its
version* — its modification time and size — so a long-lived process (a notebook, a sweep) that
is given a file the planner has since edited reads the new version, never an old one.

Use :func:`read_once_per_version` as the decorator of every reader of a planner's file.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar

__all__ = ["CachedReader", "file_version", "read_once_per_version"]

Parameters = ParamSpec("Parameters")
Read = TypeVar("Read")

#: Versions of files kept by each reader: a scenario names a few files, a sweep the same few.
DEFAULT_FILES_KEPT = 32


def file_version(path: str) -> tuple[int, int]:
    """(modification time in ns, size in bytes) of a file, (0, 0) if it is absent: a key that
    changes when the file is edited."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # absent, unreadable, or a NUL in the path: the reader says
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


class CachedReader(Generic[Parameters, Read]):
    """A reader of a file whose results are kept per (path, arguments, file version)."""

    def __init__(self, reader: Callable[Concatenate[str, Parameters], Read],
                 files_kept: int) -> None:
        self.reader = reader
        functools.update_wrapper(self, reader)

        @functools.lru_cache(maxsize=files_kept)
        def cached(version: tuple[int, int], path: str, *args: object, **kwargs: object) -> Read:
            return reader(path, *args, **kwargs)  # type: ignore[arg-type]

        self._cached = cached

    def __call__(self, path: str, /, *args: Parameters.args,
                 **kwargs: Parameters.kwargs) -> Read:
        """What the reader makes of ``path`` (and the arguments), read again only if the file
        changed since the last read."""
        return self._cached(file_version(path), path, *args, **kwargs)  # type: ignore[arg-type]

    def read_anew(self, path: str, /, *args: Parameters.args,
                  **kwargs: Parameters.kwargs) -> Read:
        """The reader's result, read now whatever the cache holds (for timing a reader)."""
        return self.reader(path, *args, **kwargs)

    def cache_clear(self) -> None:
        """Forget every file read."""
        self._cached.cache_clear()

    def reads(self) -> int:
        """How many times the file was actually read (cache misses), for tests."""
        return self._cached.cache_info().misses


def read_once_per_version(files_kept: int = DEFAULT_FILES_KEPT) -> Callable[
    [Callable[Concatenate[str, Parameters], Read]], CachedReader[Parameters, Read]
]:
    """Decorate a reader whose first argument is a file's path so that it reads each version of
    a file once: a call with the same path, arguments and file version returns what the first
    call made (so the result must not be changed by its users)."""

    def decorate(
        reader: Callable[Concatenate[str, Parameters], Read],
    ) -> CachedReader[Parameters, Read]:
        return CachedReader(reader, files_kept)

    return decorate
