"""A run's and a comparison's results: the files written into their folder, and read back.

A run's folder holds its KPI summary with confidence intervals (``summary.csv``), every
replication's KPIs, the interval series, the Resolution Centre's daily backlog, and the
scenario as run (:data:`~contactsim.data.folders.RESOLVED_SCENARIO`, its input files copied
beside it by :func:`~contactsim.data.portable.portable_resolved`, so the folder reruns wherever
it is moved). A comparison's folder holds ``compare.csv`` and each scenario's own run folder
under ``runs/``. The folders are written whole by :func:`~contactsim.data.folders.atomic_folder`.

Every folder's marker says what it holds (:func:`run_about`, :func:`compare_about`): a digest
of the resolved scenario, so that a run about to replace another scenario's results can say so
(:func:`replacing_note`). A run with ``--set`` overrides has a default folder of its own
(:func:`default_name`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from contactsim.analysis.intervals import WORKLOAD_SERIES
from contactsim.analysis.kpis import INTERVAL_SUMS
from contactsim.config.loader import LoadedScenario
from contactsim.config.resolved import RESOLVED_HEADER, resolved_data
from contactsim.config.scenario import Scenario
from contactsim.data.files import child, safe_component, safe_components
from contactsim.data.folders import RESOLVED_SCENARIO, files_in, read_marker, write_marker
from contactsim.data.portable import input_fields, input_fingerprint, portable_resolved
from contactsim.limits import MAX_NAME_CHARACTERS
from contactsim.output.bad_days import write_bad_days
from contactsim.runs.experiment import Comparison, RunResults

SUMMARY = "summary.csv"
REPLICATIONS = "replications.parquet"
INTERVALS = "intervals.parquet"
#: The columns of a pool's rows in intervals.parquet, beside replication, interval_start, pool.
POOL_COLUMNS = ("staffed_s", "busy_s", "occupancy")
RC_DAILY = "rc_daily.parquet"
COMPARE = "compare.csv"
RUNS = "runs"
RECORDS = "records"  # per-call records, one Parquet file a replication (run --records)

# --- what a folder holds: the scenario's digest, the default folder, the replacing note --------


def scenario_digest(scenario: LoadedScenario | Scenario) -> str:
    """A digest of the resolved scenario (after extends, overrides and defaults; seed aside)
    that does not depend on where its input files are: each file counts by what
    :func:`~contactsim.data.portable.input_fingerprint` makes of it (its content, or its size,
    time and name if too large to copy). A scenario and the resolved scenario of its results,
    moved anywhere, have the same digest."""
    data = resolved_data(scenario, None)
    for mapping, key in list(input_fields(data)):
        mapping[key] = input_fingerprint(Path(mapping[key]))
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def run_about(scenario: LoadedScenario | Scenario, seed: int, reps: int,
              overrides: Sequence[str] = ()) -> dict[str, object]:
    """What a run's folder holds, for its marker."""
    actual = scenario.scenario if isinstance(scenario, LoadedScenario) else scenario
    return {"scenario": actual.name, "scenario_digest": scenario_digest(actual), "seed": seed,
            "reps": reps, "overrides": list(overrides)}


def compare_about(scenarios: Sequence[LoadedScenario | Scenario], seed: int, reps: int,
                  overrides: Sequence[str] = ()) -> dict[str, object]:
    """What a comparison's folder holds, for its marker: the scenarios in order."""
    actual = [s.scenario if isinstance(s, LoadedScenario) else s for s in scenarios]
    digests = "\n".join(scenario_digest(s) for s in actual)
    return {"scenarios": [s.name for s in actual],
            "scenario_digest": hashlib.sha256(digests.encode("utf-8")).hexdigest()[:16],
            "seed": seed, "reps": reps, "overrides": list(overrides)}


def overrides_digest(overrides: Sequence[str]) -> str:
    """Six hexadecimal digits that tell one set of ``--set`` overrides from another."""
    text = "\n".join(text.strip() for text in overrides)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def default_name(name: str, overrides: Sequence[str], what: str = "scenario name") -> str:
    """The default results folder's name: the scenario's ``name``; with ``--set`` overrides,
    ``NAME-set-DIGEST`` (:func:`overrides_digest`), so that a variant run never replaces the
    scenario's own results. Overrides that only rename the scenario (``name=...``) need none."""
    if all(text.split("=", 1)[0].strip() == "name" for text in overrides):
        return name
    suffix = f"-set-{overrides_digest(overrides)}"
    return safe_component(name, what)[: MAX_NAME_CHARACTERS - len(suffix)] + suffix


def replacing_note(destination: str | Path, about: Mapping[str, object],
                   command: str = "run") -> str | None:
    """What to tell a planner before results replace ``destination``, if it holds something
    else: another command's results, or another scenario's (told apart by the marker's
    digest). None if it holds nothing, or the same scenario's results."""
    folder = Path(destination)
    marker = read_marker(folder)
    if marker is None:
        return None
    shown = f"{folder}/"
    ending = f", when this {command} ends (Ctrl-C before then keeps them)"
    made = f"made {marker['created']}" if marker.get("created") else "made by contactsim"
    if marker.get("command") != command:
        return (f"replacing {shown}, which holds the results of contactsim "
                f"{marker.get('command')} ({made}){ending}")
    if "scenario_digest" not in marker:
        return (f"replacing {shown}, whose marker does not record which scenario it holds "
                f"({made}, by an earlier contactsim){ending}")
    if marker.get("scenario_digest") == about.get("scenario_digest"):
        return None
    return (f"replacing {shown}, which holds the results of a different scenario "
            f"({_described(marker)}; {made}){ending}")


def _described(marker: Mapping[str, Any]) -> str:
    names = marker.get("scenarios") or [marker.get("scenario", "?")]
    text = " vs ".join(str(name) for name in names) if isinstance(names, list) else str(names)
    overrides = marker.get("overrides")
    if isinstance(overrides, list) and overrides:
        text += " with " + " ".join(f"--set {o}" for o in overrides)
    if marker.get("seed") is not None:
        text += f"; seed {marker['seed']}"
    if marker.get("reps") is not None:
        text += f", {marker['reps']} replications"
    return text


def write_run(results: RunResults, resolved_yaml: str, folder: Path,
              destination: Path | None = None,
              standards: Mapping[str, float] | None = None) -> list[str]:
    """Write a run's tables and resolved scenario into ``folder`` (which must exist: the
    temporary twin of ``destination``, the folder the results will have), the scenario's input
    files copied into ``inputs/`` (:func:`~contactsim.data.portable.portable_resolved`), and its
    bad days judged by ``standards`` (line -> share of a day's calls within its service level;
    None: 999's national standard; see :mod:`contactsim.output.bad_days`). Returns
    notes for the planner
    (an input too large to copy)."""
    results.summary.to_csv(folder / SUMMARY, index=False)
    results.replications.to_parquet(folder / REPLICATIONS, index=False)
    intervals_file(results.intervals, results.pool_intervals).to_parquet(
        folder / INTERVALS, index=False)
    write_bad_days(results.intervals, results.scenario, standards, folder)
    if results.rc_daily is not None:
        results.rc_daily.to_parquet(folder / RC_DAILY, index=False)
    text, notes = portable_resolved(resolved_yaml, folder, destination or folder,
                                    RESOLVED_HEADER)
    (folder / RESOLVED_SCENARIO).write_text(text, encoding="utf-8")
    return notes


def read_summary(folder: str | Path) -> pd.DataFrame:
    """The summary table of a saved run."""
    return pd.read_csv(Path(folder) / SUMMARY, dtype={"scope": str})


def intervals_file(lines: pd.DataFrame, pools: pd.DataFrame | None) -> pd.DataFrame:
    """What ``intervals.parquet`` holds: the lines' rows (``line`` set, ``pool`` empty), then
    the pools' (``pool`` set: operator-seconds on the phones and busy, and occupancy)."""
    if pools is None or pools.empty:
        return lines
    return pd.concat([lines.assign(pool=None), pools.assign(line=None)], ignore_index=True)


def read_intervals(folder: str | Path) -> pd.DataFrame:
    """The lines' interval series of a saved run."""
    table = pd.read_parquet(Path(folder) / INTERVALS)
    if "pool" not in table:
        return table
    lines = table[table["line"].notna()].drop(columns=["pool", *POOL_COLUMNS], errors="ignore")
    # counts were floats in the file, where the pools' rows had none
    counts = [c for c in (*INTERVAL_SUMS, *WORKLOAD_SERIES) if not c.endswith("_s")]
    return lines.astype({c: "int64" for c in counts if c in lines}).reset_index(drop=True)


def read_pool_intervals(folder: str | Path) -> pd.DataFrame:
    """The pools' interval series of a saved run (empty if it has none)."""
    table = pd.read_parquet(Path(folder) / INTERVALS)
    if "pool" not in table:
        return pd.DataFrame(columns=["replication", "interval_start", "pool", *POOL_COLUMNS])
    pools = table[table["pool"].notna()]
    return pools[["replication", "interval_start", "pool", *POOL_COLUMNS]].reset_index(drop=True)


def write_comparison(comparison: Comparison, resolved_yamls: list[str], folder: Path,
                     destination: Path | None = None) -> list[str]:
    """Write ``compare.csv`` and each scenario's own results under ``runs/NAME/`` (inputs
    copied into each, as :func:`write_run`); ``folder`` is the temporary twin of
    ``destination``. Returns notes for the planner."""
    comparison.table.to_csv(folder / COMPARE, index=False)
    safe_components(comparison.names, "scenario name")  # two names must not share a folder
    notes: list[str] = []
    for name, run, resolved in zip(comparison.names, comparison.runs, resolved_yamls, strict=True):
        run_folder = comparison_run_folder(folder, name)
        run_folder.mkdir(parents=True)
        notes += write_run(run, resolved, run_folder,
                           comparison_run_folder(destination or folder, name))
        # each scenario's own results are a run folder too: report can be given it
        write_marker(run_folder, "run", {"files": files_in(run_folder)})
    return list(dict.fromkeys(notes))


def comparison_run_folder(folder: str | Path, name: str) -> Path:
    """Where a comparison keeps the results of its scenario ``name``."""
    return child(Path(folder) / RUNS, name, "scenario name")


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """The comparison table of a saved comparison."""
    return pd.read_csv(Path(folder) / COMPARE, dtype={"scope": str, "scenario": str})
