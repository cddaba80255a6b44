"""Sweeps: a base scenario run over a grid of changes, every point × replication once, resumable.

A sweep file (:mod:`~contactsim.runs.sweep_file`) names a base scenario, ``reps`` and ``seed``,
and the points to run: a ``grid`` of changes and/or named ``variants``. Each run (point ×
replication) writes its own folder — resolved scenario, KPIs and ``meta.json`` (seed, code
version, run time, and any error) — whole or not at all
(:func:`~contactsim.data.folders.folder_written_whole`). A sweep restarted in the same folder
skips every run whose folder is complete and whose fingerprint (resolved scenario, code
version, seed, replication) matches, and refuses a folder made by a different sweep. A run
that fails is recorded and the sweep goes on. The runs go to an
:class:`~contactsim.runs.executors.Executor` (local processes or a Dask cluster);
:func:`write_sweep_tables` gathers the finished ones into the sweep's tables.

A sweep run to a precision (``precision`` in its file, or ``--precision``; see
:mod:`contactsim.runs.precision`) runs in rounds: every point not yet stopped gets the
replications its next check needs, then each such point is judged on its own replications
``0 … n−1``, and stops or asks for a batch more. The runs are the same runs as a fixed sweep's
(one folder and fingerprint per point and replication, which the precision does not change),
and a point's decisions depend only on its own replications' KPIs: a precision sweep stopped
part way and started again keeps every finished run, judges each point again from them — the
same decisions as before — and runs only what was not finished, ending with the same tables as
one never interrupted. The points' replications and targets go to ``precision.csv``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from contactsim.analysis.kpis import kpi_rows
from contactsim.analysis.stats import summarize
from contactsim.build.loading import load_scenario
from contactsim.config.resolved import dump_resolved
from contactsim.config.scenario import Scenario
from contactsim.data.files import write_atomic, write_text_atomic
from contactsim.data.folders import (
    MARKER,
    RESOLVED_SCENARIO,
    check_replaceable,
    folder_written_whole,
    write_marker,
)
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError
from contactsim.runs.executors import Executor, LocalExecutor, given_or_own
from contactsim.runs.precise_runs import points_table, run_points
from contactsim.runs.precision import Rule
from contactsim.runs.replication import run_tallies
from contactsim.runs.sweep_file import Point, SweepSpec

SWEEP_FILE = "sweep.json"
META_FILE = "meta.json"
KPIS_FILE = "kpis.parquet"
#: A sweep run to a precision: per point and target, the half-width reached and replications.
PRECISION_FILE = "precision.csv"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version and a digest of its source: edited code is a different version
    (read once a process: a running sweep's code does not change under it)."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    try:
        version = metadata.version("contactsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        version = "unknown"
    return f"{version}+{digest.hexdigest()[:12]}"


def run_fingerprint(resolved_yaml: str, seed: int, replication: int) -> str:
    """What a finished run must match to be reused."""
    text = f"{resolved_yaml}\n{code_version()}\n{seed}\n{replication}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Task:
    """One run to do: a point's scenario and a replication."""

    point: Point
    replication: int
    folder: Path
    scenario: Scenario | None
    resolved: str
    fingerprint: str
    error: str | None = None


def _run_folder(out: Path, point: Point, replication: int) -> Path:
    return out / "runs" / f"p{point.index:03d}" / f"r{replication:03d}"


def is_complete(folder: Path, fingerprint: str) -> bool:
    """A run folder that holds a successful run with this fingerprint."""
    meta = _read_meta(folder)
    return (meta is not None and meta.get("fingerprint") == fingerprint
            and meta.get("status") == "ok" and (folder / KPIS_FILE).exists())


def execute(task: Task, seed: int) -> tuple[str, float]:
    """Run one task and write its folder whole: (status, seconds). Failures are recorded; a
    run stopped (Ctrl-C) leaves nothing behind and the task's folder as it was."""
    started = time.perf_counter()
    with folder_written_whole(task.folder) as temporary:
        status, error = "ok", task.error
        try:
            if task.scenario is None:
                raise ContactsimError(task.error or "the point's scenario is invalid")
            # the KPIs only: a sweep keeps no interval series, so none is built
            tallies = run_tallies(task.scenario, seed, task.replication)
            table = pd.DataFrame(kpi_rows(tallies), columns=["scope", "kpi", "value"])
            table.to_parquet(temporary / KPIS_FILE, index=False)
        except ContactsimError as exc:  # the point's input: the planner's message, no traceback
            status, error = "failed", str(exc)
        except Exception:  # a failed run is recorded; the sweep goes on
            status, error = "failed", traceback.format_exc(limit=8)
        elapsed = time.perf_counter() - started
        (temporary / RESOLVED_SCENARIO).write_text(task.resolved, encoding="utf-8")
        meta = {
            "point": task.point.index, "name": task.point.name, "changes": task.point.changes,
            "replication": task.replication, "seed": seed, "code_version": code_version(),
            "fingerprint": task.fingerprint, "run_time_s": round(elapsed, 3), "status": status,
            "error": error,
        }
        (temporary / META_FILE).write_text(json.dumps(meta, indent=2, default=str),
                                           encoding="utf-8")
    return status, elapsed


@dataclass
class SweepProgress:
    """Counts the parent shows while a sweep runs."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    seconds: list[float] = field(default_factory=list)


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    workers: int = 1,
    progress: Callable[[SweepProgress], None] | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Run every point × replication not already done in ``out`` and collate them, on
    ``executor`` (default: ``workers`` local processes). With a Dask cluster, ``out`` must be
    on a file system every worker sees.

    Returns the tidy table written to ``sweep.parquet``. Interrupted (KeyboardInterrupt), it
    stops the runs under way at once, keeps every finished run's folder (each is written whole),
    collates nothing and lets the KeyboardInterrupt go on: the same call again resumes.
    """
    out = Path(out).absolute()  # a Dask worker elsewhere writes here too, not in its own folder
    _claim(out, spec)
    _remove_partial_runs(out)  # left by a sweep killed mid-write
    state = SweepProgress(total=0)
    if spec.precision is not None:
        with given_or_own(executor, workers) as runner:  # its workers kept between rounds
            tasks, table = _run_to_precision(spec, spec.precision, out, runner, state,
                                             progress)
        write_text_atomic(out / PRECISION_FILE, table.to_csv(index=False))
    else:
        tasks = _tasks(spec, out)
        runner = executor if executor is not None else LocalExecutor(workers)
        _run_tasks(tasks, spec.seed, out, runner, state, progress)
        (out / PRECISION_FILE).unlink(missing_ok=True)  # a precision sweep's, run before
    return write_sweep_tables(spec, out, tasks)


def _run_tasks(tasks: list[Task], seed: int, out: Path, runner: Executor,
               state: SweepProgress, progress: Callable[[SweepProgress], None] | None) -> None:
    """Run the tasks not already complete, counting them in ``state``; stopped early, stop
    the runs under way at once and let the exception go on (see :func:`run_sweep`)."""
    pending = [task for task in tasks if not is_complete(task.folder, task.fingerprint)]
    state.total += len(tasks)
    state.skipped += len(tasks) - len(pending)
    done_before, failed_before = state.done, state.failed
    if progress is not None:
        progress(state)

    def record(result: tuple[str, float]) -> None:
        status, seconds = result
        state.done += 1
        state.failed += status != "ok"
        state.seconds.append(seconds)
        if progress is not None:
            progress(state)

    results = runner.as_completed(execute, [(task, seed) for task in pending])
    try:
        for result in results:
            record(result)
    except BaseException as stopped:
        # stopped early: the executor cancels what is queued and ends its workers
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if isinstance(stopped, KeyboardInterrupt):
            _remove_partial_runs(out)  # the runs that were under way leave nothing
            _recount(state, pending, done_before, failed_before)
            if progress is not None:
                progress(state)
        raise


def _run_to_precision(
    spec: SweepSpec, rule: Rule, out: Path, runner: Executor, state: SweepProgress,
    progress: Callable[[SweepProgress], None] | None,
) -> tuple[list[Task], pd.DataFrame]:
    """Rounds of runs until every point's rule has stopped (see the module and
    :func:`~contactsim.runs.precise_runs.run_points`): the tasks of the replications each
    point kept, in order, and ``precision.csv``'s table."""
    def kpis(task: Task) -> pd.DataFrame | None:
        if not is_complete(task.folder, task.fingerprint):
            return None
        return pd.read_parquet(task.folder / KPIS_FILE)

    stops = run_points(
        _points(spec), rule, lambda point, replication: point.task(out, spec.seed, replication),
        lambda tasks: _run_tasks(tasks, spec.seed, out, runner, state, progress), kpis)
    table = points_table([(p.point.index, p.point.name, stopping) for p, stopping, _ in stops])
    return [task for _point, _stopping, kept in stops for task in kept], table


def _remove_partial_runs(out: Path) -> None:
    """Clear what runs that never finished left beside their folders (see
    :func:`~contactsim.data.folders.folder_written_whole`): a ``.rNNN.partial-*`` folder is
    deleted; a ``.rNNN.old-*`` one (an earlier run of the task, moved aside by a run killed
    between its two renames) is put back if the task has no folder, else deleted."""
    for partial in out.glob("runs/*/.*.partial-*"):
        shutil.rmtree(partial, ignore_errors=True)
    for old in out.glob("runs/*/.*.old-*"):
        folder = old.parent / old.name[1:].rsplit(".old-", 1)[0]
        if not folder.exists():
            os.replace(old, folder)
        else:
            shutil.rmtree(old, ignore_errors=True)


def _recount(state: SweepProgress, pending: list[Task], done_before: int = 0,
             failed_before: int = 0) -> None:
    """Count the runs done from their folders (after the ``done_before`` and ``failed_before``
    of earlier rounds): a worker may have finished a run (its folder is whole) whose result had
    not reached this process when the sweep was interrupted."""
    done = [meta for meta, task in ((_read_meta(task.folder), task) for task in pending)
            if meta is not None and meta.get("fingerprint") == task.fingerprint]
    state.done = done_before + len(done)
    state.failed = failed_before + sum(meta.get("status") != "ok" for meta in done)


def _claim(out: Path, spec: SweepSpec) -> None:
    """Make ``out`` this sweep's folder, or check that it already is: a folder holding another
    sweep, or anything contactsim did not make, is refused before any run."""
    marker = out / SWEEP_FILE
    if marker.exists():
        try:
            made_by = json.loads(marker.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError, AttributeError):
            raise ContactsimError(
                f"{marker}: not a sweep's record (unreadable); give a new --out"
            ) from None
        if made_by != spec.fingerprint:
            raise ContactsimError(
                f"{out}: this folder holds another sweep's runs (made from a different sweep "
                "file or base scenario); give a new --out, or delete the folder to start over"
            )
        if not (out / MARKER).exists():  # made before the marker existed
            write_marker(out, "sweep")
        return
    check_replaceable(out, "sweep")
    if out.exists() and any(out.iterdir()):
        raise ContactsimError(f"{out}: the folder is not empty and holds no sweep; give a new "
                              "or empty folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentFault(f"--out {out}: cannot be created ({exc.strerror})") from None
    write_marker(out, "sweep")
    write_text_atomic(marker, json.dumps({"fingerprint": spec.fingerprint,
                                          "sweep_file": str(spec.source)}, indent=2))


@dataclass(frozen=True)
class _LoadedPoint:
    """A point's scenario, loaded once (None, with the error, if its changes make it invalid),
    from which its tasks are made."""

    point: Point
    scenario: Scenario | None
    resolved: str
    error: str | None

    def task(self, out: Path, seed: int, replication: int) -> Task:
        """The run of this point's ``replication``."""
        return Task(point=self.point, replication=replication,
                    folder=_run_folder(out, self.point, replication), scenario=self.scenario,
                    resolved=self.resolved, error=self.error,
                    fingerprint=run_fingerprint(self.resolved, seed, replication))


def _points(spec: SweepSpec) -> list[_LoadedPoint]:
    points = []
    for point in spec.points:
        scenario, resolved, error = None, "", None
        try:
            loaded = load_scenario(spec.base, point.overrides)
            scenario, resolved = loaded.scenario, dump_resolved(loaded, spec.seed)
        except ScenarioError as exc:
            error = f"the point's changes make an invalid scenario:\n{exc}"
            resolved = f"# invalid: {point.changes}\n"
        points.append(_LoadedPoint(point, scenario, resolved, error))
    return points


def _tasks(spec: SweepSpec, out: Path) -> list[Task]:
    return [point.task(out, spec.seed, replication) for point in _points(spec)
            for replication in range(spec.reps)]


def write_sweep_tables(spec: SweepSpec, out: Path, tasks: list[Task]) -> pd.DataFrame:
    """Gather every successful run into ``sweep.parquet`` and ``sweep_summary.csv``; list the
    failed ones in ``failures.csv``."""
    frames, failures = [], []
    for task in tasks:
        if is_complete(task.folder, task.fingerprint):
            table = pd.read_parquet(task.folder / KPIS_FILE)
            table.insert(0, "replication", task.replication)
            table.insert(0, "point_name", task.point.name)
            table.insert(0, "point", task.point.index)
            for key, value in task.point.changes.items():
                table[key] = str(value) if isinstance(value, list | dict) else value
            frames.append(table)
        else:
            meta = _read_meta(task.folder)
            failures.append({"point": task.point.index, "point_name": task.point.name,
                             "replication": task.replication,
                             "error": (meta or {}).get("error") or "not run"})
    tidy = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    write_atomic(out / "sweep.parquet", lambda path: tidy.to_parquet(path, index=False))
    if not tidy.empty:
        keys = ["point", "point_name"]
        rows = []
        for (point, name), group in tidy.groupby(keys, sort=True):
            summary = summarize(group[["replication", "scope", "kpi", "value"]])
            summary.insert(0, "point_name", name)
            summary.insert(0, "point", point)
            rows.append(summary)
        summary_table = pd.concat(rows, ignore_index=True)
        write_text_atomic(out / "sweep_summary.csv", summary_table.to_csv(index=False))
    failed = out / "failures.csv"
    if failures:
        write_text_atomic(failed, pd.DataFrame(failures).to_csv(index=False))
    elif failed.exists():
        failed.unlink()
    return tidy


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / META_FILE).read_text())
    except (OSError, ValueError):
        return None
