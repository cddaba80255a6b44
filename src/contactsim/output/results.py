"""Results folders, written whole or not at all, and portable.

A run's files are written into a hidden temporary folder beside the destination, which is renamed
into place only when everything (plots included) has been written. An interrupted run leaves the
previous results, if any, untouched.

Every folder carries a marker saying what made it; a run's marker also holds a digest of the
resolved scenario, so that a run about to replace another scenario's results can say so
(:func:`replacing_note`). A run with ``--set`` overrides has a default folder of its own
(:func:`default_name`). The input files a scenario names are copied into the folder's
``inputs/`` and ``scenario.resolved.yaml`` names them there (:func:`portable_resolved`), so the
folder reruns wherever it is moved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from contactsim.config.loader import RESOLVED_HEADER, LoadedScenario, input_fields, resolved_data
from contactsim.config.scenario import Scenario
from contactsim.data.files import child, safe_component, safe_components
from contactsim.errors import ContactsimError, EnvironmentFault
from contactsim.limits import MAX_NAME_CHARACTERS
from contactsim.runs.experiment import Comparison, RunResults

SUMMARY = "summary.csv"
REPLICATIONS = "replications.parquet"
INTERVALS = "intervals.parquet"
RESOLVED = "scenario.resolved.yaml"
RC_DAILY = "rc_daily.parquet"
COMPARE = "compare.csv"
RUNS = "runs"
RECORDS = "records"  # per-call records, one Parquet file a replication (run --records)
INPUTS = "inputs"  # copies of the input files the resolved scenario names

#: Input files (profiles, staffing tables, samples, call logs) up to this size are copied into a
#: results folder's inputs/; a larger one (a year's call log) is named by its path relative to
#: the results folder instead.
MAX_COPIED_INPUT_BYTES = 50_000_000


#: The file only contactsim writes, in every folder it makes: a folder is replaced only if it
#: holds this marker (or is empty), never because it holds files with familiar names.
MARKER = ".contactsim-results"


def marker_text(command: str, about: Mapping[str, object] | None = None) -> str:
    """The marker's content: who made the folder, with what, and which process (so that a
    killed run's leftover can be told from a run still going); and ``about``, what the folder
    holds (:func:`run_about`, :func:`compare_about`: the scenario's digest, seed, replications)."""
    try:
        version = metadata.version("contactsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        version = "unknown"
    return json.dumps({
        "made_by": "contactsim", "version": version, "command": command,
        "created": dt.datetime.now().isoformat(timespec="seconds"), "pid": os.getpid(),
        "host": socket.gethostname(), **(about or {}),
    }, indent=2) + "\n"


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of ``folder`` if it has one that contactsim wrote, else None."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("made_by") == "contactsim" else None


def write_marker(folder: Path, command: str, about: Mapping[str, object] | None = None) -> None:
    """Mark ``folder`` as made by contactsim's ``command`` (holding ``about``)."""
    (folder / MARKER).write_text(marker_text(command, about), encoding="utf-8")


# --- what a folder holds: the scenario's digest, the default folder, the replacing note --------


def scenario_digest(scenario: LoadedScenario | Scenario) -> str:
    """A digest of the resolved scenario (after extends, overrides and defaults; seed aside)
    that does not depend on where its input files are: each file counts by its content (by its
    size, time and name if larger than :data:`MAX_COPIED_INPUT_BYTES`). A scenario and the
    ``scenario.resolved.yaml`` of its results, moved anywhere, have the same digest."""
    data = resolved_data(scenario, None)
    for mapping, key in list(input_fields(data)):
        mapping[key] = _fingerprint(Path(mapping[key]))
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _fingerprint(path: Path) -> str:
    try:
        info = path.stat()
        if info.st_size > MAX_COPIED_INPUT_BYTES:
            return f"{path.name}:{info.st_size}:{info.st_mtime_ns}"
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return "sha256:" + digest.hexdigest()
    except OSError:
        return str(path)


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


def check_replaceable(destination: str | Path, command: str = "run") -> None:
    """Refuse an output folder that is not contactsim's to replace, before any work is done.

    Refused: the working folder or one above it; a file; a folder holding anything without
    contactsim's marker; a sweep's folder (hours of runs) for anything but that sweep; and a
    folder that cannot be created (a file in the way, no permission).
    """
    given = Path(destination)
    if given.is_symlink():
        raise ContactsimError(
            f"--out {given}: a symbolic link; give the folder itself (results replace their "
            "folder whole, and a link would be replaced, not what it points to)"
        )
    if len(given.name.encode("utf-8")) > MAX_FOLDER_NAME_BYTES:
        raise ContactsimError(
            f"--out {given}: the folder's name is {len(given.name.encode('utf-8'))} bytes long; "
            f"give one of at most {MAX_FOLDER_NAME_BYTES} (a temporary name beside it is longer)"
        )
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
        foreign = _not_written_by_contactsim(destination, marker)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            raise ContactsimError(
                f"--out {given}: contactsim made this folder, but it now also holds files it did "
                f"not write ({shown}), so it is not replaced and nothing in it is touched; move "
                "them out, or give another folder"
            )
        if marker is not None and marker.get("command") == "sweep" and command != "sweep":
            raise ContactsimError(
                f"--out {given}: the folder holds a sweep's runs; give another folder (or delete "
                "it yourself if the sweep is no longer wanted)"
            )
    _check_creatable(given, destination)


#: Longest name of an output folder: its temporary twin's name adds 18 characters, and file
#: systems allow 255 bytes.
MAX_FOLDER_NAME_BYTES = 200

#: Files contactsim writes into a results folder after the folder was made.
ADDED_LATER = frozenset({"report.html"})


def files_in(folder: Path) -> list[str]:
    """Every file below ``folder`` (but the marker), as sorted relative paths."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*")
        if not path.is_dir() and path.name != MARKER
    )


def _not_written_by_contactsim(folder: Path, marker: Mapping[str, object] | None) -> list[str]:
    """Files in a marked folder that its marker does not list (none if it lists none: a sweep's
    folder, or one made before markers listed their files)."""
    listed = marker.get("files") if marker is not None else None
    if not isinstance(listed, list):
        return []
    known = set(listed)
    return [name for name in files_in(folder)
            if name not in known and name.rsplit("/", 1)[-1] not in ADDED_LATER and not any(
        part.startswith(".") and ".partial" in part for part in name.split("/"))]


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
        pattern = f".{glob.escape(destination.name)}.{kind}-*"
        for leftover in sorted(destination.parent.glob(pattern)):
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
def atomic_folder(destination: str | Path, command: str = "run",
                  about: Mapping[str, object] | None = None) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``destination``, on error it vanishes.

    The temporary folder carries contactsim's marker (with ``about``, what it will hold) from
    the start, so a run killed before the end leaves a folder the next run to the same
    destination recognises and removes.
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
        write_marker(temporary, command, about)
        yield temporary
        # the marker lists what was written, so that a file added later by someone else is
        # never deleted with the folder (check_replaceable)
        write_marker(temporary, command, {**(about or {}), "files": files_in(temporary)})
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


def write_run(results: RunResults, resolved_yaml: str, folder: Path,
              destination: Path | None = None) -> list[str]:
    """Write a run's tables and resolved scenario into ``folder`` (which must exist: the
    temporary twin of ``destination``, the folder the results will have), the scenario's input
    files copied into ``inputs/`` (:func:`portable_resolved`). Returns notes for the planner
    (an input too large to copy)."""
    results.summary.to_csv(folder / SUMMARY, index=False)
    results.replications.to_parquet(folder / REPLICATIONS, index=False)
    results.intervals.to_parquet(folder / INTERVALS, index=False)
    if results.rc_daily is not None:
        results.rc_daily.to_parquet(folder / RC_DAILY, index=False)
    text, notes = portable_resolved(resolved_yaml, folder, destination or folder)
    (folder / RESOLVED).write_text(text, encoding="utf-8")
    return notes


def portable_resolved(resolved_yaml: str, folder: Path, destination: Path) -> tuple[str, list[str]]:
    """``resolved_yaml`` (:func:`~contactsim.config.loader.dump_resolved`) with every input file it
    names copied into ``folder/inputs/`` and named there by a path relative to the folder
    (``inputs/101.csv``), so that the results folder reruns wherever it is moved; and notes.

    A file larger than :data:`MAX_COPIED_INPUT_BYTES` is not copied: it is named by its path
    relative to ``destination`` (the folder the results will have), and a note says so. Two
    files of the same name are kept apart (``101.csv``, ``101-2.csv``); a file named twice is
    copied once. Text naming no file is returned as it is.
    """
    data = yaml.safe_load(resolved_yaml)
    if not isinstance(data, dict):
        return resolved_yaml, []
    inputs = folder / INPUTS
    placed: dict[Path, str] = {}  # a source file and how the resolved scenario now names it
    taken: set[str] = set()
    notes: list[str] = []
    for mapping, key in list(input_fields(data)):
        source = Path(mapping[key])
        if not source.is_absolute() or not source.is_file():
            continue
        source = source.resolve()
        if source not in placed:
            size = source.stat().st_size
            if size <= MAX_COPIED_INPUT_BYTES:
                inputs.mkdir(exist_ok=True)
                copy = _input_path(inputs, source.name, taken)
                shutil.copyfile(source, copy)
                placed[source] = f"{INPUTS}/{copy.name}"
            else:
                try:
                    placed[source] = Path(os.path.relpath(source, destination.resolve())).as_posix()
                except ValueError:  # pragma: no cover - another drive, on Windows
                    placed[source] = str(source)
                notes.append(
                    f"{source.name} ({size:,} bytes) is larger than "
                    f"{MAX_COPIED_INPUT_BYTES // 1_000_000} MB and was not copied into "
                    f"{destination}/{INPUTS}/: {RESOLVED} names it as {placed[source]}, relative "
                    "to the results folder (move the folder with it, or copy it in yourself)")
        mapping[key] = placed[source]
    if not placed:
        return resolved_yaml, notes
    header = "".join(line + "\n" for line in resolved_yaml.splitlines() if line.startswith("#")
                     ) or RESOLVED_HEADER
    header += (f"# Input files are copied into {INPUTS}/ beside this file, and paths are relative\n"
               "# to it: the results folder reruns wherever it is moved.\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), notes


def _input_path(inputs: Path, name: str, taken: set[str]) -> Path:
    """Where the copy of an input file called ``name`` goes in ``inputs``: its own name made
    safe (contactsim.data.files), numbered if another input already has it."""
    stem, dot, extension = name.partition(".")
    stem, extension = stem[:60] or "input", extension[:20]
    number = 1
    while True:
        candidate = f"{stem}{'-' + str(number) if number > 1 else ''}{dot}{extension}"
        component = safe_component(candidate, "input file name")
        if component.lower() not in taken:  # the same file on a case-insensitive system
            taken.add(component.lower())
            return child(inputs, component, "input file name")
        number += 1


def read_summary(folder: str | Path) -> pd.DataFrame:
    """The summary table of a saved run."""
    return pd.read_csv(Path(folder) / SUMMARY, dtype={"scope": str})


def read_intervals(folder: str | Path) -> pd.DataFrame:
    """The interval series of a saved run."""
    return pd.read_parquet(Path(folder) / INTERVALS)


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
