"""Where independent runs execute: worker processes on this machine, or a Dask cluster.

Both take a function and a list of argument tuples and hand back results as runs finish; the
caller puts them in order. A run's numbers depend only on its own seed and replication, so they
are the same whichever executor runs it and on how many workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any, Protocol


class Executor(Protocol):
    """Runs ``function(*args)`` for each args tuple, yielding results as they finish."""

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish."""
        ...


class LocalExecutor:
    """Worker processes on this machine (``workers`` = 1 runs in this process)."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish."""
        if self.workers == 1 or len(arguments) <= 1:
            for args in arguments:
                yield function(*args)
            return
        context = get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            pending = {pool.submit(function, *args) for args in arguments}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()


class DaskExecutor:
    """A Dask distributed cluster: an existing scheduler's address, or a local cluster of
    ``local_workers`` processes started (and stopped) here. Needs ``contactsim[dask]``."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None) -> None:
        if (scheduler is None) == (local_workers is None):
            raise ValueError("give a scheduler address or a number of local workers, not both")
        self.scheduler = scheduler
        self.local_workers = local_workers

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish."""
        try:
            from dask.distributed import Client, LocalCluster
            from dask.distributed import as_completed as dask_completed
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "Dask is not installed: pip install 'contactsim[dask]'"
            ) from exc
        cluster = None
        if self.local_workers is not None:
            cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
        client = Client(cluster if cluster is not None else self.scheduler)
        try:
            futures = [client.submit(function, *args, pure=False) for args in arguments]
            for future in dask_completed(futures):
                yield future.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_executor(
    workers: int = 1, scheduler: str | None = None, dask_local: int | None = None
) -> Executor:
    """The executor the command line asks for: Dask if given a scheduler or local workers."""
    if scheduler is not None or dask_local is not None:
        return DaskExecutor(scheduler=scheduler, local_workers=dask_local)
    return LocalExecutor(workers)
