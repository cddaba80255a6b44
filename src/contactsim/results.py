"""Results folders, written whole or not at all.

A run's files are written into a hidden temporary folder beside the destination, which is renamed
into place only when everything (plots included) has been written. An interrupted run leaves the
previous results, if any, untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from contactsim.errors import ContactsimError
from contactsim.experiment import Comparison, RunResults

SUMMARY = "summary.csv"
REPLICATIONS = "replications.parquet"
INTERVALS = "intervals.parquet"
RESOLVED = "scenario.resolved.yaml"
RC_DAILY = "rc_daily.parquet"
COMPARE = "compare.csv"
RUNS = "runs"
RECORDS = "records"  # per-call records, one Parquet file a replication (run --records)


#: Files that mark a folder as contactsim's own results, which a new run may replace.
RESULT_MARKERS = ("scenario.resolved.yaml", "summary.csv", "compare.csv", "fit.csv")


def check_replaceable(destination: str | Path) -> None:
    """Refuse a results folder that is not contactsim's to replace: the working folder or one
    above it, or a folder holding other files than a previous run's."""
    destination = Path(destination).resolve()
    here = Path.cwd().resolve()
    if destination == here or destination in here.parents:
        raise ContactsimError(
            f"--out {destination}: this is the working folder or one above it; results replace "
            "their folder whole, so give a folder of their own, e.g. results/my-run"
        )
    if destination.exists():
        if not destination.is_dir():
            raise ContactsimError(f"--out {destination}: a file of that name exists")
        if any(destination.iterdir()) and not any(
            (destination / marker).exists() for marker in RESULT_MARKERS
        ):
            raise ContactsimError(
                f"--out {destination}: the folder holds files that are not contactsim results; "
                "results replace their folder whole, so give an empty or new folder"
            )


@contextlib.contextmanager
def atomic_folder(destination: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``destination``, on error it vanishes."""
    destination = Path(destination)
    check_replaceable(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    temporary = destination.parent / f".{destination.name}.partial-{token}"
    temporary.mkdir()
    try:
        yield temporary
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
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
    for name, run, resolved in zip(comparison.names, comparison.runs, resolved_yamls, strict=True):
        run_folder = folder / RUNS / name
        run_folder.mkdir(parents=True)
        write_run(run, resolved, run_folder)


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """The comparison table of a saved comparison."""
    return pd.read_csv(Path(folder) / COMPARE, dtype={"scope": str, "scenario": str})
