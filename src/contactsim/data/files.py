"""Files a planner gives and files contactsim writes: the one place that decides either.

- :func:`safe_component` is the only way a name that came from a planner's data (a scenario,
  pool, line or run name) becomes part of a path: it maps the name to one harmless path
  component, or refuses it. :func:`child` joins it to a folder and proves the result stays inside.
- :func:`check_input_file` and :func:`read_input_text` read what a planner names only if it is a
  regular file within its stated size, and turn a file that is not UTF-8 into a message.
- :func:`file_written_whole` (and :func:`write_atomic`, :func:`write_text_atomic`) writes a file
  under a temporary name and renames it when whole; a folder is written whole by
  :mod:`contactsim.data.folders`.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from contactsim.errors import ContactsimError, ScenarioError
from contactsim.limits import MAX_NAME_CHARACTERS

#: Characters kept as they are in a path component; anything else becomes ``_``.
_KEPT = re.compile(r"[^\w.+-]", flags=re.ASCII)
#: Names Windows reserves for devices, whatever the extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def safe_component(name: object, what: str) -> str:
    """``name`` as a single, harmless file or folder name.

    Letters, digits, ``_``, ``.``, ``+`` and ``-`` are kept (so ``baseline-2018``, ``999`` and
    ``non_emergency`` are unchanged); every other character, a path separator above all, becomes
    ``_``; leading dots and dashes and trailing dots and spaces go, so the result is never
    ``.``, ``..``, hidden or mistaken for an option. ``what`` says what the name is, for the
    message: a name left with no letter or digit, or longer than
    :data:`~contactsim.limits.MAX_NAME_CHARACTERS`, is refused with :class:`ContactsimError`.
    """
    text = unicodedata.normalize("NFKC", str(name))
    component = _KEPT.sub("_", text).lstrip(".-").rstrip(". ")
    if not any(character.isalnum() for character in component):
        raise ContactsimError(
            f"{what} {text!r} cannot name a file or folder: give it at least one letter or digit"
        )
    if len(component) > MAX_NAME_CHARACTERS:
        raise ContactsimError(
            f"{what} {text[:40]!r}... is {len(component)} characters long; a name that becomes "
            f"a file or folder name may have at most {MAX_NAME_CHARACTERS}"
        )
    if component.split(".")[0].lower() in _RESERVED:
        component = "_" + component
    return component


def child(folder: str | Path, name: object, what: str, suffix: str = "") -> Path:
    """``folder / safe_component(name) + suffix``, checked to lie directly inside ``folder``."""
    folder = Path(folder)
    path = folder / (safe_component(name, what) + suffix)
    if path.parent != folder or path.name in ("", ".", ".."):  # pragma: no cover - by design
        raise ContactsimError(f"{what} {name!r} would be written outside {folder}")
    return path


def safe_components(names: Iterable[object], what: str) -> dict[str, str]:
    """Each name's :func:`safe_component`; two names that would share a file are refused."""
    taken: dict[str, str] = {}
    out: dict[str, str] = {}
    for name in names:
        component = safe_component(name, what)
        key = component.lower()  # the same file on a case-insensitive file system
        if key in taken and taken[key] != str(name):
            raise ContactsimError(
                f"{what}s {taken[key]!r} and {str(name)!r} would both be written as "
                f"{component!r}; give them names that differ in their letters or digits"
            )
        taken[key] = str(name)
        out[str(name)] = component
    return out


# --- reading what a planner gives ------------------------------------------------------------


def check_input_file(
    path: str | Path, what: str, max_bytes: int, file: str | None = None
) -> int:
    """The size of ``path`` if it is a regular file of at most ``max_bytes``; else a
    :class:`ScenarioError` saying why (missing, a folder, a device or pipe, too large).

    ``file`` is the file to blame in the message; ``None`` leaves it to the caller (the
    scenario's field that named the path, say).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError.single("", str(path), f"an existing {what}", file) from None
    except ValueError:  # a NUL character in the path
        raise ScenarioError.single("", str(path), f"a {what}'s path without NUL characters",
                                   file) from None
    except OSError as exc:
        raise ScenarioError.single(
            "", str(path), f"a readable {what} ({exc.strerror})", file
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError.single("", str(path), f"a {what}, not a folder", file)
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError.single(
            "", str(path), f"a {what} that is a regular file (not a device, pipe or socket)",
            file,
        )
    if info.st_size > max_bytes:
        raise ScenarioError.single(
            "", str(path),
            f"a {what} of at most {max_bytes:,} bytes (this one has {info.st_size:,})", file,
        )
    return info.st_size


def read_input_text(
    path: str | Path, what: str, max_bytes: int, file: str | None = None
) -> str:
    """The text of a planner's file, checked by :func:`check_input_file` and decoded as UTF-8
    (a byte-order mark, as spreadsheets write, is dropped)."""
    check_input_file(path, what, max_bytes, file)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ScenarioError.single(
            "", str(path), f"a readable {what} ({exc.strerror})", file
        ) from None
    if len(data) > max_bytes:  # grew since it was checked
        raise ScenarioError.single("", str(path), f"a {what} of at most {max_bytes:,} bytes",
                                   file)
    return decode_utf8(data, path, what, file)


def decode_utf8(data: bytes, path: str | Path, what: str, file: str | None = None) -> str:
    """``data`` as UTF-8 text, or a message giving the line and the byte that is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError.single(
            "", str(path),
            f"a {what} in UTF-8 text (line {line} holds byte 0x{data[exc.start]:02x}, which is "
            "not UTF-8: save the file as UTF-8)", file,
        ) from None


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def file_written_whole(path: str | Path) -> Iterator[Path]:
    """Yield a temporary name beside ``path`` (``.NAME.partial-TOKEN``) to write to; when the
    block ends without error it is renamed to ``path``, on error (or Ctrl-C) it is deleted: a
    reader sees the old file or the new one, never half of one.

    The one way contactsim writes a file whole; for a folder, see
    :func:`contactsim.data.folders.folder_written_whole`.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a temporary name beside ``path``, then rename it to ``path``
    (:func:`file_written_whole`)."""
    with file_written_whole(path) as temporary:
        write(temporary)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all."""
    write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
