"""Results folders: contactsim replaces only its own, and writes each one whole or not at all.

A planner points ``--out`` at a folder; a run, a comparison, a sweep, a calibration or a staffing
search fills it. So that no command ever deletes a planner's own files, every folder contactsim
makes carries a marker file (:data:`MARKER`) saying which command made it, when, in which
process, and what it holds; a folder is replaced only if it holds that marker (or is empty)
and nothing the marker does not list (:func:`check_replaceable`).

A results folder is written into a hidden temporary twin beside it (``.NAME.partial-TOKEN``)
and renamed into place only when everything has been written (:func:`folder_written_whole`,
and with the marker and checks, :func:`atomic_folder`): an interrupted command leaves the
previous results untouched, and the next one to the same folder clears what it left
(:func:`remove_leftovers`). Single files are written whole by :mod:`contactsim.data.files`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path

from contactsim.errors import ContactsimError, EnvironmentFault

__all__ = [
    "ADDED_LATER", "MARKER", "MAX_FOLDER_NAME_BYTES", "RESOLVED_SCENARIO", "atomic_folder",
    "check_replaceable", "files_in", "folder_written_whole", "marker_text", "read_marker",
    "remove_leftovers", "write_marker",
]

#: The file only contactsim writes, in every folder it makes: a folder is replaced only if it
#: holds this marker (or is empty), never because it holds files with familiar names.
MARKER = ".contactsim-results"

#: The scenario as run (after ``extends``, overrides and defaults, with its seed), in every
#: folder of results: running it again reproduces them.
RESOLVED_SCENARIO = "scenario.resolved.yaml"

#: Longest name of an output folder: its temporary twin's name adds 18 characters, and file
#: systems allow 255 bytes.
MAX_FOLDER_NAME_BYTES = 200

#: Files contactsim writes into a results folder after the folder was made.
ADDED_LATER = frozenset({"report.html"})


# --- the marker ------------------------------------------------------------------------------


def marker_text(command: str, about: Mapping[str, object] | None = None) -> str:
    """The marker's content: who made the folder, with what, and which process (so that a
    killed run's leftover can be told from a run still going); and ``about``, what the folder
    holds (the scenario's digest, seed, replications; see :mod:`contactsim.output.results`)."""
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


def files_in(folder: Path) -> list[str]:
    """Every file below ``folder`` (but the marker), as sorted relative paths."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*")
        if not path.is_dir() and path.name != MARKER
    )


# --- may contactsim replace this folder? -----------------------------------------------------


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


# --- writing a folder whole ------------------------------------------------------------------


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
def folder_written_whole(destination: str | Path) -> Iterator[Path]:
    """Yield a new, empty hidden folder beside ``destination`` (``.NAME.partial-TOKEN``, its
    parents made if need be) to write into. When the block ends without error the folder
    replaces ``destination``: any folder there is moved aside (``.NAME.old-TOKEN``), the new
    one renamed into place and the old one deleted, so ``destination`` always holds one whole
    set of files; if the renames fail, the old folder is put back. On error, or Ctrl-C, the
    temporary folder is deleted and ``destination`` is untouched.

    The one way contactsim writes a folder whole (:func:`contactsim.data.files.write_atomic`
    is the way for a single file).
    """
    destination = Path(destination)
    token = uuid.uuid4().hex[:8]
    temporary = destination.parent / f".{destination.name}.partial-{token}"
    try:
        temporary.mkdir(parents=True)
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


@contextlib.contextmanager
def atomic_folder(destination: str | Path, command: str = "run",
                  about: Mapping[str, object] | None = None) -> Iterator[Path]:
    """A results folder for ``command``, written whole (:func:`folder_written_whole`) once
    :func:`check_replaceable` allows it and a killed run's leftovers are cleared.

    The temporary folder carries contactsim's marker (with ``about``, what it will hold) from
    the start, so a run killed before the end leaves a folder the next run to the same
    destination recognises and removes; at the end the marker lists the files written, so that
    a file added later by someone else is never deleted with the folder.
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
    try:
        with folder_written_whole(destination) as temporary:
            write_marker(temporary, command, about)
            yield temporary
            write_marker(temporary, command, {**(about or {}), "files": files_in(temporary)})
    except BaseException:
        for folder in made:  # the folders made for it, innermost first, if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
