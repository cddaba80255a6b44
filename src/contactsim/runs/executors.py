"""Where independent runs execute: worker processes on this machine, or a Dask cluster.

Both take a function and a list of argument tuples and hand back results as runs finish; the
caller puts them in order. A run's numbers depend only on its own seed and replication, so they
are the same whichever executor runs it and on how many workers.

Local worker processes are *guarded* (:func:`guarded_pool`): they die with the process that
started them (even one killed with ``kill -9``), they ignore Ctrl-C (SIGINT) so that only the
parent reacts to it, and when the parent stops waiting for them (Ctrl-C, an error) it cancels
the queued runs and terminates the workers at once instead of waiting for every queued run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from multiprocessing.managers import SyncManager
from typing import Any, Protocol

from contactsim.errors import ContactsimError, EnvironmentFault

#: How often a worker checks that the process that started it is still there.
PARENT_CHECK_S = 0.5

#: Seconds a terminated worker is given to go before it is killed.
TERMINATE_WAIT_S = 5.0

#: Seconds to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT_S = 10.0

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class Executor(Protocol):
    """Runs ``function(*args)`` for each args tuple, yielding results as they finish."""

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish."""
        ...


def guard_worker(parent_pid: int) -> None:
    """Initializer of every local worker process (and of the progress Manager's process):
    ignore SIGINT, and die when the process ``parent_pid`` that started this one is gone.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``; strictly, when
    the parent's thread that started this process ends: the pools here are started and ended by
    one call, in one thread); everywhere a daemon thread also checks every
    :data:`PARENT_CHECK_S` seconds whether this process has been handed to another parent, and
    exits if so.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked while this process was started: see below
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _kill_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the kernel was told to watch it
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="contactsim-parent-watch",
                     daemon=True).start()


def _kill_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies; nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (ImportError, OSError, AttributeError):  # pragma: no cover - no prctl here
        pass


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent_pid:
            os._exit(1)


@contextlib.contextmanager
def guarded_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` spawned processes guarded by :func:`guard_worker`.

    Leaving the block normally waits for the pool as usual; leaving it by any exception
    (KeyboardInterrupt included) or by closing a generator that holds it cancels every queued
    call and terminates the workers (:func:`stop_pool`) before the exception goes on.
    """
    pool = _GuardedPool(max_workers=workers, mp_context=get_context("spawn"),
                        initializer=guard_worker, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


class _GuardedPool(ProcessPoolExecutor):
    """A pool whose workers are started with SIGINT blocked (``submit`` starts them): a Ctrl-C
    while a worker is still starting up waits, in that worker, until :func:`guard_worker` has
    set it to be ignored, instead of printing a traceback from the worker's start-up. In this
    process it is delivered as soon as ``submit`` returns."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        with _sigint_blocked():
            return super().submit(fn, *args, **kwargs)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the pool's queued calls and end its workers now, not after the queued calls:
    SIGTERM, then SIGKILL for any still there after :data:`TERMINATE_WAIT_S` seconds. Returns
    when every worker is gone (so nothing they write outlives this call)."""
    # ProcessPoolExecutor has no public way to end its workers before Python 3.14
    # (terminate_workers()), and even that one does not wait for them: the processes are only
    # reachable through the private _processes. Kept here, in one place.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # Python 3.14+
        terminate()
    else:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(ValueError, ProcessLookupError):  # closed or already gone
                process.terminate()
    deadline = time.monotonic() + TERMINATE_WAIT_S
    for process in processes:
        with contextlib.suppress(ValueError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def start_guarded_manager() -> SyncManager:
    """A started multiprocessing Manager (for queues the workers report progress on) whose
    server process is guarded like the workers: it dies with this process and ignores SIGINT.
    Shut it down when done."""
    manager = SyncManager(ctx=get_context("spawn"))
    with _sigint_blocked():
        manager.start(guard_worker, (os.getpid(),))
    return manager


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back in this thread (and so in any process started meanwhile, which inherits
    the mask until :func:`guard_worker` unblocks it); delivered when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on POSIX
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class LocalExecutor:
    """Worker processes on this machine (``workers`` = 1 runs in this process)."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish. Interrupted (or closed before the
        end), it cancels the calls not yet done and ends its workers at once."""
        if self.workers == 1 or len(arguments) <= 1:
            for args in arguments:
                yield function(*args)
            return
        with guarded_pool(min(self.workers, len(arguments))) as pool:
            pending = {pool.submit(function, *args) for args in arguments}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()


class DaskExecutor:
    """A Dask distributed cluster: an existing scheduler's address, or a local cluster of
    ``local_workers`` processes started (and stopped) here. Needs ``contactsim[dask]``.

    A scheduler that does not answer within ``connect_timeout_s`` seconds raises
    :class:`~contactsim.errors.EnvironmentFault`.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        local_workers: int | None = None,
        connect_timeout_s: float = DASK_CONNECT_TIMEOUT_S,
    ) -> None:
        if scheduler is not None and local_workers is not None:
            raise ContactsimError(
                "give --scheduler or --dask-local, not both: the runs go to an existing Dask "
                "cluster or to a local one started for this command"
            )
        if scheduler is None and local_workers is None:
            raise ValueError("give a scheduler address or a number of local workers")
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.connect_timeout_s = connect_timeout_s

    def as_completed(
        self, function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish. Interrupted (or closed before the
        end), it cancels the calls not yet done before closing the client."""
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
        try:
            client = self._connect(Client, cluster)
        except BaseException:
            if cluster is not None:
                cluster.close()
            raise
        futures: list[Any] = []
        try:
            futures = [client.submit(function, *args, pure=False) for args in arguments]
            for future in dask_completed(futures):
                yield future.result()
        except BaseException:
            if futures:
                with contextlib.suppress(Exception):  # the cluster may be gone already
                    client.cancel(futures)
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _connect(self, client_type: Any, cluster: Any) -> Any:
        timeout = f"{self.connect_timeout_s:g}s"
        if cluster is not None:
            return client_type(cluster, timeout=timeout)
        try:
            return client_type(self.scheduler, timeout=timeout)
        except (ValueError, TypeError) as exc:  # not an address Dask can read
            raise ContactsimError(
                f"--scheduler {self.scheduler!r}: not a Dask scheduler address; give one such as "
                "tcp://head:8786"
            ) from exc
        except (OSError, TimeoutError) as exc:
            raise EnvironmentFault(
                f"the Dask scheduler at {self.scheduler} could not be reached within "
                f"{self.connect_timeout_s:g} s; check the address "
                "and that the scheduler is running"
            ) from exc


def make_executor(
    workers: int = 1, scheduler: str | None = None, dask_local: int | None = None
) -> Executor:
    """The executor the command line asks for: Dask if given a scheduler or local workers
    (not both: :class:`~contactsim.errors.ContactsimError`)."""
    if scheduler is not None or dask_local is not None:
        return DaskExecutor(scheduler=scheduler, local_workers=dask_local)
    return LocalExecutor(workers)
