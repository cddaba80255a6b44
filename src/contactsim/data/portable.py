"""Results that rerun wherever they are moved: the input files a scenario names, kept with them.

A results folder holds the scenario as run (:data:`~contactsim.data.folders.RESOLVED_SCENARIO`).
That scenario names input files — demand profiles, staffing tables, samples of durations, call
logs — by where they were on the planner's machine. So that a folder copied to a colleague, or
archived, still reruns, each input file is copied into the folder's ``inputs/`` and the
resolved scenario names it there, by a path relative to the folder (:func:`portable_resolved`).
A file too large to copy (a year's call log) is named by its path relative to the folder
instead, and the planner is told.

This module also says what makes an input file the same file wherever it is
(:func:`input_fingerprint`), so that a scenario and its moved results have one digest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from contactsim.data.files import child, safe_component
from contactsim.data.folders import RESOLVED_SCENARIO

__all__ = ["INPUTS", "INPUT_KEYS", "MAX_COPIED_INPUT_BYTES", "input_fields",
           "input_fingerprint", "portable_resolved"]

#: The folder, inside a results folder, holding copies of the input files its scenario names.
INPUTS = "inputs"

#: Input files (profiles, staffing tables, samples, call logs) up to this size are copied into a
#: results folder's inputs/; a larger one (a year's call log) is named by its path relative to
#: the results folder instead.
MAX_COPIED_INPUT_BYTES = 50_000_000

#: Fields of a resolved scenario whose text is an input file's path (shifts are read inline).
INPUT_KEYS = frozenset({"profile", "per_interval", "file", "replay"})


def input_fields(node: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (mapping, key) of resolved scenario data (plain YAML data: mappings, lists, text)
    whose value is an input file's path: profiles, staffing tables, empirical samples, replayed
    logs."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in INPUT_KEYS and isinstance(value, str):
                yield node, key
            else:
                yield from input_fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from input_fields(item)


def input_fingerprint(path: Path) -> str:
    """What makes an input file the same file wherever it is: its content's digest (or, for a
    file larger than :data:`MAX_COPIED_INPUT_BYTES`, its name, size and time); the path as
    given if it cannot be read."""
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


def portable_resolved(resolved_yaml: str, folder: Path, destination: Path,
                      default_header: str = "") -> tuple[str, list[str]]:
    """``resolved_yaml`` (a resolved scenario's text) with every input file it names copied
    into ``folder/inputs/`` and named there by a path relative to the folder
    (``inputs/101.csv``), so that the results folder reruns wherever it is moved; and notes.

    A file larger than :data:`MAX_COPIED_INPUT_BYTES` is not copied: it is named by its path
    relative to ``destination`` (the folder the results will have), and a note says so. Two
    files of the same name are kept apart (``101.csv``, ``101-2.csv``); a file named twice is
    copied once. Text naming no file is returned as it is. The text's comment lines are kept
    (``default_header`` is written if it has none), with a line saying where the inputs are.
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
                    f"{destination}/{INPUTS}/: {RESOLVED_SCENARIO} names it as "
                    f"{placed[source]}, relative to the results folder (move the folder with "
                    "it, or copy it in yourself)")
        mapping[key] = placed[source]
    if not placed:
        return resolved_yaml, notes
    header = "".join(line + "\n" for line in resolved_yaml.splitlines() if line.startswith("#")
                     ) or default_header
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
