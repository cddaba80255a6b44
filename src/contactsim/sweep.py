"""Sweeps: a base scenario run over a grid of changes, every point × replication once, resumable.

A sweep file names a base scenario, ``reps`` and ``seed``, a ``grid`` of dotted fields to value
lists (their full product) and/or a list of named ``variants`` (each a set of changes). Each
run (point × replication) writes its own folder — resolved scenario, KPIs and ``meta.json``
(seed, code version, run time, and any error) — to a temporary name, renamed when whole. A
sweep restarted in the same folder skips every run whose folder is complete and whose
fingerprint (resolved scenario, code version, seed, replication) matches, and refuses a folder
made by a different sweep. A run that fails is recorded and the sweep goes on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from contactsim.errors import ContactsimError, ScenarioError
from contactsim.executors import Executor, LocalExecutor
from contactsim.kpis import kpi_rows
from contactsim.loader import dump_resolved, load_scenario, read_yaml_mapping
from contactsim.replication import run_tallies
from contactsim.scenario import Scenario
from contactsim.stats import summarize

SWEEP_FILE = "sweep.json"
META = "meta.json"
KPIS = "kpis.parquet"


@dataclass(frozen=True)
class Point:
    """One point of the sweep: a name and the ``--set`` changes that make it."""

    index: int
    name: str
    changes: dict[str, Any]

    @property
    def overrides(self) -> list[str]:
        """The changes as ``dotted.path=value`` texts."""
        # JSON is YAML: numbers, quoted text, lists and mappings all read back as given
        return [f"{key}={json.dumps(value, default=str)}" for key, value in self.changes.items()]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    source: Path
    base: Path
    reps: int
    seed: int
    points: list[Point]
    plot_scope: str | None = None
    plot_kpi: str | None = None
    text: str = ""

    @property
    def fingerprint(self) -> str:
        """What makes two sweeps the same sweep: the file's content and the base scenario's."""
        digest = hashlib.sha256(self.text.encode())
        digest.update(self.base.read_bytes())
        return digest.hexdigest()[:16]


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file (YAML, loaded safely)."""
    source = Path(path)
    file = str(source)
    text, data = read_yaml_mapping(source, "sweep file")
    known = {"base", "reps", "seed", "grid", "variants", "plot"}
    for key in data:
        if key not in known:
            raise ScenarioError.single(str(key), key, f"a known field ({', '.join(sorted(known))})",
                                       file)
    if not isinstance(data.get("base"), str):
        raise ScenarioError.single("base", data.get("base"), "the base scenario's file", file)
    base = (source.parent / data["base"]).resolve()
    if not base.exists():
        raise ScenarioError.single("base", data["base"], f"an existing file ({base})", file)
    reps = data.get("reps", 5)
    seed = data.get("seed", 2018)
    for name, value in (("reps", reps), ("seed", seed)):
        if not isinstance(value, int) or isinstance(value, bool) or value < (1 if name == "reps"
                                                                              else 0):
            raise ScenarioError.single(name, value, "a whole number" +
                                       (" >= 1" if name == "reps" else " >= 0"), file)
    grid = data.get("grid") or {}
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise ScenarioError.single("grid", grid, "dotted.field: [value, value, ...]", file)
    variants = data.get("variants") or [{"name": "", "set": {}}]
    if not isinstance(variants, list):
        raise ScenarioError.single("variants", variants, "a list of {name, set}", file)
    for index, variant in enumerate(variants):
        if not (isinstance(variant, dict) and set(variant) <= {"name", "set"}
                and isinstance(variant.get("set", {}), dict)):
            raise ScenarioError.single(f"variants[{index}]", variant,
                                       "{name: TEXT, set: {dotted.field: value}}", file)
    points: list[Point] = []
    keys = list(grid)
    for values in itertools.product(*(grid[key] for key in keys)):
        for variant in variants:
            changes = {**dict(zip(keys, values, strict=True)), **(variant.get("set") or {})}
            label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, values,
                                                                         strict=True))
            name = " / ".join(part for part in (variant.get("name", ""), label) if part)
            points.append(Point(len(points), name or "base", changes))
    plot = data.get("plot") or {}
    return SweepSpec(
        source=source, base=base, reps=reps, seed=seed, points=points,
        plot_scope=str(plot["scope"]) if "scope" in plot else None,
        plot_kpi=plot.get("kpi"), text=text,
    )


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version and a digest of its source: edited code is a different version
    (read once a process: a running sweep's code does not change under it)."""
    digest = hashlib.sha256()
    for file in sorted(Path(__file__).parent.glob("*.py")):
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
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("fingerprint") == fingerprint and meta.get("status") == "ok" and (
        folder / KPIS
    ).exists()


def execute(task: Task, seed: int) -> tuple[str, float]:
    """Run one task and write its folder whole: (status, seconds). Failures are recorded."""
    started = time.perf_counter()
    temporary = task.folder.parent / f".{task.folder.name}.partial-{uuid.uuid4().hex[:8]}"
    temporary.mkdir(parents=True)
    status, error = "ok", task.error
    try:
        if task.scenario is None:
            raise ContactsimError(task.error or "the point's scenario is invalid")
        # the KPIs only: a sweep keeps no interval series, so none is built
        tallies = run_tallies(task.scenario, seed, task.replication)
        table = pd.DataFrame(kpi_rows(tallies), columns=["scope", "kpi", "value"])
        table.to_parquet(temporary / KPIS, index=False)
    except Exception:  # a failed run is recorded; the sweep goes on
        status, error = "failed", traceback.format_exc(limit=8)
    elapsed = time.perf_counter() - started
    (temporary / "scenario.resolved.yaml").write_text(task.resolved, encoding="utf-8")
    meta = {
        "point": task.point.index, "name": task.point.name, "changes": task.point.changes,
        "replication": task.replication, "seed": seed, "code_version": code_version(),
        "fingerprint": task.fingerprint, "run_time_s": round(elapsed, 3), "status": status,
        "error": error,
    }
    (temporary / META).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    if task.folder.exists():
        shutil.rmtree(task.folder)
    os.replace(temporary, task.folder)
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

    Returns the tidy table written to ``sweep.parquet``.
    """
    out = Path(out)
    _claim(out, spec)
    for stale in out.glob("runs/*/.*.partial-*"):  # left by a sweep killed mid-write
        shutil.rmtree(stale, ignore_errors=True)
    tasks = _tasks(spec, out)
    state = SweepProgress(total=len(tasks))
    pending = [task for task in tasks if not is_complete(task.folder, task.fingerprint)]
    state.skipped = len(tasks) - len(pending)
    if progress is not None:
        progress(state)

    def record(result: tuple[str, float]) -> None:
        status, seconds = result
        state.done += 1
        state.failed += status != "ok"
        state.seconds.append(seconds)
        if progress is not None:
            progress(state)

    runner = executor if executor is not None else LocalExecutor(workers)
    for result in runner.as_completed(execute, [(task, spec.seed) for task in pending]):
        record(result)
    return collate(spec, out, tasks)


def _claim(out: Path, spec: SweepSpec) -> None:
    marker = out / SWEEP_FILE
    if marker.exists():
        made_by = json.loads(marker.read_text()).get("fingerprint")
        if made_by != spec.fingerprint:
            raise ContactsimError(
                f"{out}: this folder holds another sweep's runs (made from a different sweep "
                "file or base scenario); give a new --out, or delete the folder to start over"
            )
        return
    if out.exists() and any(out.iterdir()):
        raise ContactsimError(f"{out}: the folder is not empty and holds no sweep")
    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(marker, json.dumps({"fingerprint": spec.fingerprint,
                                      "sweep_file": str(spec.source)}, indent=2))


def _tasks(spec: SweepSpec, out: Path) -> list[Task]:
    tasks = []
    for point in spec.points:
        scenario, resolved, error = None, "", None
        try:
            loaded = load_scenario(spec.base, point.overrides)
            scenario, resolved = loaded.scenario, dump_resolved(loaded, spec.seed)
        except ScenarioError as exc:
            error = f"the point's changes make an invalid scenario:\n{exc}"
            resolved = f"# invalid: {point.changes}\n"
        for replication in range(spec.reps):
            tasks.append(Task(
                point=point, replication=replication,
                folder=_run_folder(out, point, replication), scenario=scenario,
                resolved=resolved, error=error,
                fingerprint=run_fingerprint(resolved, spec.seed, replication),
            ))
    return tasks


def collate(spec: SweepSpec, out: Path, tasks: list[Task]) -> pd.DataFrame:
    """Gather every successful run into ``sweep.parquet`` and ``sweep_summary.csv``; list the
    failed ones in ``failures.csv``."""
    frames, failures = [], []
    for task in tasks:
        if is_complete(task.folder, task.fingerprint):
            table = pd.read_parquet(task.folder / KPIS)
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
    _write_atomic_frame(tidy, out / "sweep.parquet")
    if not tidy.empty:
        keys = ["point", "point_name"]
        rows = []
        for (point, name), group in tidy.groupby(keys, sort=True):
            summary = summarize(group[["replication", "scope", "kpi", "value"]])
            summary.insert(0, "point_name", name)
            summary.insert(0, "point", point)
            rows.append(summary)
        summary_table = pd.concat(rows, ignore_index=True)
        _write_atomic(out / "sweep_summary.csv", summary_table.to_csv(index=False))
    failed = out / "failures.csv"
    if failures:
        _write_atomic(failed, pd.DataFrame(failures).to_csv(index=False))
    elif failed.exists():
        failed.unlink()
    return tidy


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _write_atomic_frame(table: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    table.to_parquet(temporary, index=False)
    os.replace(temporary, path)
