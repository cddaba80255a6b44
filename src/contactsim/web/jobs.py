"""The page's runs: each a comparison of a base and its what-ifs, run on the server's worker
processes while the page polls its progress.

A run is a :class:`Job` on a thread of its own. Every run goes to the server's one executor:
warm local workers shared by all runs (:class:`~contactsim.runs.warm_workers.WarmWorkers`,
started with the server, so a run starts at once), or the Dask cluster the server was given.
Two pages running at once both finish; cancelling one stops only its replications, at their
next progress report (within a simulated day of each), and leaves the workers warm for the
next run. A run that fails keeps the error's message for the page; only a bug in contactsim
keeps a traceback too, printed where the server was started.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contactsim.analysis.stats import compare_to_first
from contactsim.config.loader import LoadedScenario
from contactsim.errors import ContactsimError
from contactsim.runs.executors import Executor
from contactsim.runs.experiment import Comparison, run_together
from contactsim.runs.warm_workers import CallStopped
from contactsim.web.results_view import comparison_view
from contactsim.web.run_cache import KeptRun, RunCache, RunKey

#: Runs that may be under way at once (more are refused until one ends).
MAX_RUNNING = 4
#: Finished runs kept for their pages (the oldest are forgotten first).
MAX_KEPT = 20
#: Finished runs whose whole results (to save as a results folder) are kept.
KEPT_WHOLE = 4


class Busy(ContactsimError):
    """A run refused because the server already runs its most at once (answered 429)."""


class Cancelled(Exception):
    """Raised inside a run's progress report when the page asked to cancel it."""


@dataclass
class Job:
    """One run from the page: its scenarios, how far it has got and how it ended."""

    id: str
    names: list[str]
    loaded: list[LoadedScenario]
    reps: int
    seed: int
    texts: list[str]
    paths: list[Path]
    state: str = "queued"  # queued, running, done, failed, cancelled
    done_s: float = 0.0
    total_s: float = 1.0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    message: str = ""
    view: dict[str, Any] | None = None
    comparison: Comparison | None = None  # kept to save the results folder on request
    cancel_asked: threading.Event = field(default_factory=threading.Event)

    def status(self) -> dict[str, Any]:
        """What the page polls: state, progress (0-1), elapsed seconds, message, results."""
        end = self.ended if self.ended is not None else time.monotonic()
        return {
            "id": self.id, "state": self.state, "names": self.names, "reps": self.reps,
            "seed": self.seed, "progress": min(1.0, self.done_s / self.total_s),
            "elapsed_s": round(end - self.started, 1), "message": self.message,
            "results": self.view if self.state == "done" else None,
        }

    def note(self, done_s: float, total_s: float) -> None:
        """The executor's progress report; stops the run if a cancel was asked."""
        self.done_s, self.total_s = done_s, max(total_s, 1.0)
        if self.cancel_asked.is_set():
            raise Cancelled


class JobBoard:
    """The runs of one server: start, look up, cancel. Every run goes to ``executor``, which
    its owner keeps open (and may share between runs at once: see the module)."""

    def __init__(self, executor: Executor, max_running: int = MAX_RUNNING,
                 max_kept: int = MAX_KEPT) -> None:
        self._executor = executor
        self._cache = RunCache()
        self._max_running = max_running
        self._max_kept = max_kept
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self._count = itertools.count(1)

    def start(self, names: list[str], loaded: list[LoadedScenario], reps: int, seed: int,
              texts: list[str], paths: list[Path]) -> Job:
        """Start a run of the ``loaded`` scenarios (the base first; ``texts`` and ``paths``: each
        what-if's file, to save on request) on a thread; refused with
        :class:`Busy` while :data:`MAX_RUNNING` runs are under way."""
        with self._lock:
            running = [j for j in self._jobs.values() if j.state in ("queued", "running")]
            if len(running) >= self._max_running:
                raise Busy(
                    f"this server already has {len(running)} run(s) under way, the most it "
                    "runs at once; wait for one to finish or cancel one")
            job = Job(id=f"{next(self._count)}-{uuid.uuid4().hex[:12]}", names=names,
                      loaded=loaded, reps=reps, seed=seed, texts=texts,
                      paths=paths)
            self._jobs[job.id] = job
            self._forget_old()
            thread = threading.Thread(target=self._work, args=(job,), name=f"run-{job.id}",
                                      daemon=True)
            self._threads[job.id] = thread
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a run to stop; its workers end at their next progress report."""
        job = self.get(job_id)
        if job is not None and job.state in ("queued", "running"):
            job.cancel_asked.set()
        return job

    def stop_all(self, wait_s: float = 10.0) -> None:
        """Cancel every run and wait (up to ``wait_s``) for their workers to end."""
        with self._lock:
            jobs, threads = list(self._jobs.values()), list(self._threads.values())
        for job in jobs:
            job.cancel_asked.set()
        deadline = time.monotonic() + wait_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state not in ("queued", "running")]
        for job in finished[: max(0, len(self._jobs) - self._max_kept)]:
            del self._jobs[job.id]
            self._threads.pop(job.id, None)
        for job in finished[:-KEPT_WHOLE]:
            job.comparison = None  # a year's interval series: only the latest few are kept

    def _runs_of(self, job: Job) -> list[KeptRun]:
        """Every scenario's run: those made before (the same scenario, seed and replications)
        from the cache, the others run together now."""
        keys = [RunCache.key(item, job.seed, job.reps) for item in job.loaded]
        runs: dict[RunKey, KeptRun | None] = {key: self._cache.get(key) for key in keys}
        missing = {key: item for key, item in zip(keys, job.loaded, strict=True)
                   if runs[key] is None}
        if missing:
            made = run_together([item.scenario for item in missing.values()], job.reps,
                                job.seed, self._executor, progress=job.note)
            for key, run in zip(missing, made, strict=True):
                kept = KeptRun.of(run)
                runs[key] = kept
                self._cache.put(key, kept)
        return [kept for kept in (runs[key] for key in keys) if kept is not None]

    def _work(self, job: Job) -> None:
        job.state = "running"
        try:
            kept = self._runs_of(job)
            runs = [item.run for item in kept]
            table = compare_to_first([run.replications for run in runs], job.names)
            job.view = comparison_view(job.names, runs, table, [item.series for item in kept])
            job.comparison = Comparison(names=job.names, runs=runs, table=table)
            job.state = "done"
        except (Cancelled, CallStopped):
            job.state, job.message = "cancelled", "cancelled: its replications were stopped"
        except ContactsimError as exc:
            job.state, job.message = "failed", str(exc)
        except Exception as exc:  # a bug: the page gets the message, the terminal the trace
            traceback.print_exc(file=sys.stderr)
            job.state = "failed"
            job.message = f"the run failed ({type(exc).__name__}: {exc}); please report it"
        finally:
            job.ended = time.monotonic()
