"""Results folders, written whole or not at all.

A run's files are written into a hidden temporary folder beside the destination, which is renamed
into place only when everything (plots included) has been written. An interrupted run leaves the
previous results, if any, untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pandas as pd

from contactsim.errors import ContactsimError, EnvironmentFault
from contactsim.experiment import Comparison, RunResults
from contactsim.files import child, safe_components

SUMMARY = "summary.csv"
REPLICATIONS = "replications.parquet"
INTERVALS = "intervals.parquet"
RESOLVED = "scenario.resolved.yaml"
RC_DAILY = "rc_daily.parquet"
COMPARE = "compare.csv"
RUNS = "runs"
RECORDS = "records"  # per-call records, one Parquet file a replication (run --records)


#: The file only contactsim writes, in every folder it makes: a folder is replaced only if it
#: holds this marker (or is empty), never because it holds files with familiar names.
MARKER = ".contactsim-results"


def marker_text(command: str) -> str:
    """The marker's content: who made the folder, with what, and which process (so that a
    killed run's leftover can be told from a run still going)."""
    try:
        version = metadata.version("contactsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        version = "unknown"
    return json.dumps({
        "made_by": "contactsim", "version": version, "command": command,
        "created": dt.datetime.now().isoformat(timespec="seconds"), "pid": os.getpid(),
        "host": socket.gethostname(),
    }, indent=2) + "\n"


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of ``folder`` if it has one that contactsim wrote, else None."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("made_by") == "contactsim" else None


def write_marker(folder: Path, command: str) -> None:
    """Mark ``folder`` as made by contactsim's ``command``."""
    (folder / MARKER).write_text(marker_text(command), encoding="utf-8")


def check_replaceable(destination: str | Path, command: str = "run") -> None:
    """Refuse an output folder that is not contactsim's to replace, before any work is done.

    Refused: the working folder or one above it; a file; a folder holding anything without
    contactsim's marker; a sweep's folder (hours of runs) for anything but that sweep; and a
    folder that cannot be created (a file in the way, no permission).
    """
    given = Path(destination)
    destination = given.resolve()
    here = Path.cwd().resolve()
    if destination == here or destination in here.parents:
        raise ContactsimError(
            f"--out {given}: this is the working folder or one above it; results replace "
            "their folder whole, so give a folder of their own, e.g. results/my-run"
        )
    if destination.exists() or destination.is_symlink():
        if not destination.is_dir():
            raise ContactsimError(f"--out {given}: a file of that name exists; give a folder")
        marker = read_marker(destination)
        if marker is None and any(destination.iterdir()):
            raise ContactsimError(
                f"--out {given}: the folder holds files that contactsim did not make (it has no "
                f"{MARKER} marker), so it is not replaced and nothing in it is touched; give a "
                "new or empty folder (results written before contactsim had the marker have "
                "none: delete such a folder yourself)"
            )
        if marker is not None and marker.get("command") == "sweep" and command != "sweep":
            raise ContactsimError(
                f"--out {given}: the folder holds a sweep's runs; give another folder (or delete "
                "it yourself if the sweep is no longer wanted)"
            )
    _check_creatable(given, destination)


def _check_creatable(given: Path, destination: Path) -> None:
    ancestor = destination.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ContactsimError(f"--out {given}: cannot be created, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ContactsimError(
            f"--out {given}: cannot be created, {ancestor} is not writable by you"
        )


def remove_leftovers(destination: Path) -> None:
    """Delete what a killed run to ``destination`` left beside it: ``.NAME.partial-*`` and
    ``.NAME.old-*`` folders holding contactsim's marker whose process is gone on this host.

    A leftover of a run that died between its two renames (the old results moved aside, the
    new ones not yet in place) is put back rather than deleted.
    """
    host = socket.gethostname()
    for kind in ("old", "partial"):
        for leftover in sorted(destination.parent.glob(f".{destination.name}.{kind}-*")):
            marker = read_marker(leftover)
            if marker is None or marker.get("host") != host or _alive(marker.get("pid")):
                continue
            if kind == "old" and not destination.exists():
                os.replace(leftover, destination)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextlib.contextmanager
def atomic_folder(destination: str | Path, command: str = "run") -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``destination``, on error it vanishes.

    The temporary folder carries contactsim's marker from the start, so a run killed before
    the end leaves a folder the next run to the same destination recognises and removes.
    """
    destination = Path(destination)
    check_replaceable(destination, command)
    made = [p for p in (destination.parent, *destination.parent.parents) if not p.exists()]
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentFault(
            f"--out {destination}: cannot create {destination.parent} ({exc.strerror})"
        ) from None
    remove_leftovers(destination)
    token = uuid.uuid4().hex[:8]
    temporary = destination.parent / f".{destination.name}.partial-{token}"
    try:
        temporary.mkdir()
        write_marker(temporary, command)
        yield temporary
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        for folder in made:  # the folders made for it, innermost first, if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    old = destination.parent / f".{destination.name}.old-{token}"
    try:
        if destination.exists():
            os.replace(destination, old)
        os.replace(temporary, destination)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        if old.exists() and not destination.exists():
            os.replace(old, destination)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_run(results: RunResults, resolved_yaml: str, folder: Path) -> None:
    """Write a run's tables and resolved scenario into ``folder`` (which must exist)."""
    results.summary.to_csv(folder / SUMMARY, index=False)
    results.replications.to_parquet(folder / REPLICATIONS, index=False)
    results.intervals.to_parquet(folder / INTERVALS, index=False)
    if results.rc_daily is not None:
        results.rc_daily.to_parquet(folder / RC_DAILY, index=False)
    (folder / RESOLVED).write_text(resolved_yaml, encoding="utf-8")


def read_summary(folder: str | Path) -> pd.DataFrame:
    """The summary table of a saved run."""
    return pd.read_csv(Path(folder) / SUMMARY, dtype={"scope": str})


def read_intervals(folder: str | Path) -> pd.DataFrame:
    """The interval series of a saved run."""
    return pd.read_parquet(Path(folder) / INTERVALS)


def write_comparison(comparison: Comparison, resolved_yamls: list[str], folder: Path) -> None:
    """Write ``compare.csv`` and each scenario's own results under ``runs/NAME/``."""
    comparison.table.to_csv(folder / COMPARE, index=False)
    safe_components(comparison.names, "scenario name")  # two names must not share a folder
    for name, run, resolved in zip(comparison.names, comparison.runs, resolved_yamls, strict=True):
        run_folder = comparison_run_folder(folder, name)
        run_folder.mkdir(parents=True)
        write_run(run, resolved, run_folder)


def comparison_run_folder(folder: str | Path, name: str) -> Path:
    """Where a comparison keeps the results of its scenario ``name``."""
    return child(Path(folder) / RUNS, name, "scenario name")


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """The comparison table of a saved comparison."""
    return pd.read_csv(Path(folder) / COMPARE, dtype={"scope": str, "scenario": str})
