"""Which file gave each field of a scenario, so that a problem names the file to open.

A scenario may be spread over several files (``extends``) and ``--set`` overrides; as they are
merged, each field's dotted path is recorded with the file (or ``--set``) that gave it last.
Paths are tuples of text: ``("pools", "0", "staffing", "flat")``.
"""

from __future__ import annotations

from typing import Any

#: For each field's path (list entries by index, as text), the file that gave it.
Origins = dict[tuple[str, ...], str]


def origin(path: tuple[str | int, ...], origins: Origins, top_file: str) -> str:
    """The file that gave the field at ``path`` (or the nearest mapping holding it); the
    scenario file itself (``top_file``) if none is recorded."""
    text_path = tuple(str(part) for part in path)
    for end in range(len(text_path), 0, -1):
        if text_path[:end] in origins:
            return origins[text_path[:end]]
    return top_file


def split_field(dotted: str) -> tuple[str, ...]:
    """A field as problems name it (``pools[0].staffing``) as a path of text."""
    return tuple(p for p in dotted.replace("[", ".").replace("]", "").split(".") if p)


def shown(path: tuple[str, ...]) -> str:
    """A path of text as a dotted field (``pools.blended.staffing``), as ``--set`` names it."""
    return ".".join(path)


def note_origins(
    node: Any, prefix: tuple[str, ...], file: str | None, origins: Origins | None
) -> None:
    """Record ``file`` as the origin of ``node`` (set at ``prefix``) and of everything in it,
    forgetting what was recorded under ``prefix`` before."""
    if origins is None or file is None:
        return
    forget(prefix, origins)
    _record(node, prefix, file, origins)


def _record(node: Any, prefix: tuple[str, ...], file: str, origins: Origins) -> None:
    origins[prefix] = file
    if isinstance(node, dict):
        for key, value in node.items():
            _record(value, (*prefix, str(key)), file, origins)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _record(value, (*prefix, str(index)), file, origins)


def forget(path: tuple[str, ...], origins: Origins | None) -> None:
    """Drop the origins of ``path`` and of everything under it."""
    if origins is None:
        return
    for known in [p for p in origins if p[: len(path)] == path]:
        del origins[known]


def renumber(where: tuple[str, ...], moves: dict[int, int], origins: Origins | None) -> None:
    """Move the origins of a list's entries to their new positions (``moves``: old to new;
    an entry not in ``moves`` was removed)."""
    if origins is None:
        return
    depth = len(where)
    moved: Origins = {}
    for path in [p for p in origins if len(p) > depth and p[:depth] == where]:
        file = origins.pop(path)
        old = int(path[depth]) if path[depth].isdigit() else None
        if old in moves:
            moved[(*where, str(moves[old]), *path[depth + 1:])] = file
    origins.update(moved)
