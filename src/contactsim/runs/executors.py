"""Where independent runs execute: worker processes on this machine, or a Dask cluster.

Every way of running replications (a run, a comparison, a sweep, the evaluations of a staffing
search or of a calibration) goes through one interface, :class:`Executor`: a function and a
list of argument tuples in, results out as the runs finish (the caller puts them in order),
with how far each run has got carried back to this process when asked. A run's numbers depend
only on its own seed and replication, so they are the same whichever executor runs it and on
how many workers.

Used as a context manager, an executor keeps its workers between batches of runs: a staffing
search or a calibration starts its worker processes once, not once an evaluation.

Local worker processes are *guarded*: they die with the process that started them (even one
killed with ``kill -9``), they ignore Ctrl-C (SIGINT) so that only the parent reacts to it, and
when the parent stops waiting for them (Ctrl-C, an error) it cancels the queued runs and
terminates the workers at once instead of waiting for every queued run. This module (with
:mod:`~contactsim.runs.dask_executor` for a local Dask cluster, and
:mod:`~contactsim.runs.warm_workers` for the workers a server keeps, built on this one's) is
the only place that starts processes.
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_module
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from multiprocessing.managers import SyncManager
from types import TracebackType
from typing import Any, Protocol, Self

#: How often a worker checks that the process that started it is still there.
PARENT_CHECK_S = 0.5

#: Seconds a terminated worker is given to go before it is killed.
TERMINATE_WAIT_S = 5.0

#: How often (seconds) the progress reported by local workers is passed on.
PROGRESS_EVERY_S = 0.25

#: Called in this process as runs report: (the run's place in the arguments, how far it has got).
CallProgress = Callable[[int, float], None]

#: What a run given progress receives as its last argument: call it with how far it has got.
#: ``None`` where the executor cannot carry progress out of a running call (Dask).
Reporter = Callable[[float], None] | None


class Executor(AbstractContextManager["Executor", None], Protocol):
    """Runs ``function(*args)`` for each args tuple, yielding results as they finish.

    Given ``progress``, each call gets one more argument, a :data:`Reporter` it may call with
    how far it has got (in its own unit: simulated seconds, say), and ``progress(index, done)``
    is called in this process, ``index`` being the call's place in ``arguments``. An executor
    that cannot carry progress out of a running call passes ``None`` instead of a reporter; the
    caller then learns of each call's end from its result.

    Used as a context manager (``with make_executor(4) as executor:``), an executor keeps its
    workers between calls of :meth:`as_completed`; used without, each call starts and ends its
    own. Interrupted (or closed before the end), :meth:`as_completed` cancels the calls not yet
    done and ends its workers at once.
    """

    def as_completed(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        progress: CallProgress | None = None,
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish."""
        ...


class KeptWorkers:
    """What every executor does as a context manager: inside the ``with`` block its workers
    are kept between calls of ``as_completed``; when the block ends they are closed, at once
    if it ended with an exception. A subclass says how in :meth:`_close`."""

    _kept = False

    def __enter__(self) -> Self:
        self._kept = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._kept = False
        self._close(at_once=kind is not None)

    def _close(self, at_once: bool) -> None:
        """End the workers: ``at_once`` without waiting for the calls still running."""
        raise NotImplementedError


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def guard_worker(parent_pid: int) -> None:
    """Initializer of every local worker process (and of the progress Manager's process):
    ignore SIGINT, and die when the process ``parent_pid`` that started this one is gone.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``; strictly, when
    the parent's thread that started this process ends: every worker and Manager here is
    started by the thread that runs the executor); everywhere a daemon thread also checks every
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


class GuardedPool(ProcessPoolExecutor):
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


class LocalExecutor(KeptWorkers):
    """Worker processes on this machine; ``workers`` = 1 runs every call in this process.

    The workers are guarded (see the module). Inside a ``with`` block, the pool of ``workers``
    processes (and the Manager that carries their progress) starts at first need and is kept
    until the block ends; outside one, each :meth:`as_completed` starts a pool sized to its
    calls and ends it when they are done.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)
        self._pool: GuardedPool | None = None
        self._manager: SyncManager | None = None

    def as_completed(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        progress: CallProgress | None = None,
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish (see :class:`Executor`)."""
        if self.workers == 1 or len(arguments) <= 1:
            yield from in_this_process(function, arguments, progress)
        elif self._kept:
            yield from self._on_workers(function, arguments, progress, self.workers)
        else:
            try:
                yield from self._on_workers(function, arguments, progress,
                                            min(self.workers, len(arguments)))
            finally:
                self._close(at_once=False)  # already ended at once if stopped early

    def _on_workers(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        progress: CallProgress | None,
        size: int,
    ) -> Iterator[Any]:
        try:
            messages = None
            if progress is not None:
                if self._manager is None:
                    self._manager = start_guarded_manager()
                messages = self._manager.Queue()
            if self._pool is None:
                self._pool = GuardedPool(max_workers=size, mp_context=get_context("spawn"),
                                          initializer=guard_worker, initargs=(os.getpid(),))
            pool = self._pool
            if messages is None:
                pending = {pool.submit(function, *args) for args in arguments}
            else:
                pending = {pool.submit(function, *args, _QueueReporter(messages, index))
                           for index, args in enumerate(arguments)}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED,
                                         timeout=None if messages is None else PROGRESS_EVERY_S)
                if messages is not None and progress is not None:
                    pass_on(messages, progress)
                for future in finished:
                    yield future.result()
        except BaseException:
            # Ctrl-C, an error, or the caller stopped waiting: nothing queued runs, and every
            # worker is gone before the exception goes on
            self._close(at_once=True)
            raise

    def _close(self, at_once: bool) -> None:
        """End the pool (waiting for its calls, or :func:`stop_pool` ``at_once``) and the
        Manager."""
        pool, manager = self._pool, self._manager
        self._pool = self._manager = None
        try:
            if pool is not None:
                if at_once:
                    stop_pool(pool)
                else:
                    pool.shutdown(wait=True)
        finally:
            if manager is not None:
                manager.shutdown()


@dataclass(frozen=True)
class _QueueReporter:
    """A worker's :data:`Reporter`: puts (the call's place, how far it has got) on the queue."""

    messages: Any
    index: int

    def __call__(self, done: float) -> None:
        self.messages.put((self.index, done))


def in_this_process(
    function: Callable[..., Any], arguments: Sequence[tuple[Any, ...]],
    progress: CallProgress | None,
) -> Iterator[Any]:
    """Every call in this process, one after another (with its reporter if ``progress``)."""
    for index, args in enumerate(arguments):
        if progress is None:
            yield function(*args)
        else:
            yield function(*args, partial(progress, index))


def pass_on(messages: Any, progress: CallProgress) -> None:
    """Hand every report waiting on the queue to ``progress``."""
    while True:
        try:
            index, done = messages.get_nowait()
        except queue_module.Empty:
            return
        progress(index, done)


def make_executor(
    workers: int = 1, scheduler: str | None = None, dask_local: int | None = None
) -> Executor:
    """The executor the command line asks for: Dask if given a scheduler or local workers
    (not both: :class:`~contactsim.errors.ContactsimError`), else ``workers`` local processes.
    Use it in a ``with`` block to keep its workers across several batches of runs."""
    if scheduler is not None or dask_local is not None:
        from contactsim.runs.dask_executor import DaskExecutor

        return DaskExecutor(scheduler=scheduler, local_workers=dask_local)
    return LocalExecutor(workers)


@contextlib.contextmanager
def given_or_own(executor: Executor | None, workers: int = 1) -> Iterator[Executor]:
    """``executor`` if given (its owner opened it and closes it), else local workers started
    for this block and ended after it: how a search or a comparison runs all its evaluations on
    one pool."""
    if executor is not None:
        yield executor
        return
    with make_executor(workers) as opened:
        yield opened
