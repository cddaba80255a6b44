"""Worker processes kept warm for a server: started once, with contactsim's run code imported,
and shared by the runs that come and go (the what-if page's).

A command's executor (:class:`~contactsim.runs.executors.LocalExecutor` in a ``with`` block)
already keeps its workers across the evaluations of one staffing search or calibration; what a
server adds is runs that overlap and that a planner may cancel one by one. So here:

- :meth:`WarmWorkers.start` starts every worker (and the Manager that carries progress) at
  once, from the thread that will outlive them (Linux ends a guarded worker when the thread that
  started it ends), and has each import the run code, so the first run pays nothing;
- several threads may wait on :meth:`~WarmWorkers.as_completed` at once;
- a caller that stops waiting (a cancel: its progress report raises) stops only its own calls:
  the queued ones are cancelled and the running ones stop at their next progress report
  (within a simulated day), raising :class:`CallStopped` in the worker. The workers stay, warm.
  A call that does not stop within :data:`STOP_WAIT_S` ends the workers after all (they are
  started again at the next run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from contactsim.errors import EnvironmentFault
from contactsim.runs.executors import (
    PROGRESS_EVERY_S,
    CallProgress,
    GuardedPool,
    LocalExecutor,
    guard_worker,
    in_this_process,
    pass_on,
    start_guarded_manager,
)

#: Seconds a stopped run's calls are given to reach their next progress report.
STOP_WAIT_S = 30.0


class CallStopped(Exception):
    """Raised in a worker by the progress report of a call whose caller stopped waiting."""


@dataclass(frozen=True)
class _StoppableReporter:
    """A worker's progress report that also stops the call once its caller has asked."""

    messages: Any
    index: int
    stop: Any  # a Manager Event

    def __call__(self, done: float) -> None:
        if self.stop.is_set():
            raise CallStopped("the run was cancelled")
        self.messages.put((self.index, done))


def _import_run_code() -> int:
    """Run in each worker at start: import what a replication needs; the worker's pid."""
    import contactsim.runs.experiment  # noqa: F401  (pandas, numpy, the engine)

    time.sleep(0.05)  # hold this worker so the next warm-up call starts another
    return os.getpid()


class WarmWorkers(LocalExecutor):
    """``workers`` local processes started once (:meth:`start`) and shared by overlapping
    runs, each of which can be stopped alone (see the module). With one worker, runs go in
    the calling thread, as :class:`LocalExecutor` does."""

    def start(self) -> list[int]:
        """Start the workers and the progress Manager now; the workers' pids."""
        self._kept = True
        if self.workers == 1:
            return []
        if self._manager is None:
            self._manager = start_guarded_manager()
        if self._pool is None:
            self._pool = GuardedPool(max_workers=self.workers, mp_context=get_context("spawn"),
                                      initializer=guard_worker, initargs=(os.getpid(),))
        started = [self._pool.submit(_import_run_code) for _ in range(self.workers)]
        return sorted({future.result() for future in started})

    def as_completed(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        progress: CallProgress | None = None,
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish; see the module for stopping."""
        if self.workers == 1:
            yield from in_this_process(function, arguments, progress)
            return
        if self._pool is None or self._manager is None:
            raise EnvironmentFault(
                "the worker processes are not running (never started, or ended after a run "
                "that would not stop); restart contactsim serve")
        pool, manager = self._pool, self._manager
        stop = manager.Event()
        messages = manager.Queue() if progress is not None else None
        if messages is None:
            pending: set[Future[Any]] = {pool.submit(function, *args) for args in arguments}
        else:
            pending = {pool.submit(function, *args, _StoppableReporter(messages, index, stop))
                       for index, args in enumerate(arguments)}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED,
                                         timeout=PROGRESS_EVERY_S)
                if messages is not None and progress is not None:
                    pass_on(messages, progress)
                for future in finished:
                    yield future.result()
        except BaseException:
            self._stop_calls(stop, pending)
            raise

    def _stop_calls(self, stop: Any, pending: set[Future[Any]]) -> None:
        """Stop one caller's calls: cancel the queued, ask the running to stop, and end the
        workers only if one does not."""
        stop.set()
        for future in pending:
            future.cancel()
        _done, still = wait(pending, timeout=STOP_WAIT_S)
        if still:
            self._close(at_once=True)
