"""``extends``: a scenario written as changes to another one.

A file that says ``extends: base.yaml`` is merged over that file (and that file over its own
base): mappings key by key; a list of named things (pools, named shifts) by name, where
``{name: X, remove: true}`` removes the base's X; any other list, and a distribution or a
line's demand given by its source, replaces the base's whole; ``null`` removes a field. File
paths are made absolute against the folder of the file that names them, and a shifts file is
read in place. Each field's origin (the file that gave it) is recorded for messages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from contactsim import limits
from contactsim.config.origins import Origins, forget, note_origins, renumber, shown
from contactsim.config.yaml_reading import read_yaml
from contactsim.errors import ScenarioError

#: Keys whose text values are file paths, resolved against the folder of the file that sets them.
PATH_KEYS = frozenset({"profile", "per_interval", "file", "replay", "shifts"})

#: A line's demand sources, of which a line gives one.
DEMAND_SOURCES = frozenset({"rate_per_hour", "annual_volume", "replay"})
#: A mapping holding any of these keys replaces the base's mapping whole in ``extends``: a
#: distribution, and a line's demand given by its source.
REPLACE_WHOLE = frozenset({"dist"}) | DEMAND_SOURCES
#: A staffing plan's kinds: a mapping given one in ``extends`` drops the base's others (its
#: ``scale`` and ``changes`` merge key by key, as with ``--set``).
PLAN_KEYS = frozenset({"flat", "per_interval", "shifts"})
#: In a list merged by name, ``{name: X, remove: true}`` removes the base's entry X.
REMOVE = "remove"


def read_with_extends(path: Path, chain: tuple[Path, ...], origins: Origins) -> dict[str, Any]:
    """The scenario file ``path`` merged over the file it extends (and so on down its chain),
    paths made absolute, keys as text; ``chain`` holds the files that extend this one (to
    refuse a loop or a chain too long), ``origins`` is filled with each field's file."""
    path = path.resolve()
    if len(chain) >= limits.MAX_EXTENDS_DEPTH:
        raise ScenarioError.single(
            "extends", path.name,
            f"a chain of at most {limits.MAX_EXTENDS_DEPTH} files extending one another "
            f"(this one is longer, from {chain[0]})", str(chain[-1]),
        )
    if path in chain:
        folder = chain[0].parent
        cycle = " -> ".join(os.path.relpath(p, folder) for p in (*chain, path))
        raise ScenarioError.single(
            "extends", path.name,
            f"a chain of extends that never comes back to a file (this one loops: {cycle})",
            str(chain[-1]),
        )
    return document_with_extends(read_yaml(path)[1], path, chain, origins)


def document_with_extends(
    data: Any, path: Path, chain: tuple[Path, ...], origins: Origins
) -> dict[str, Any]:
    """What :func:`read_with_extends` does with a file's YAML once read: ``data``, as if it were
    the file ``path``, merged over the file it extends. The what-if page runs a scenario this
    way before it is saved, so that the saved file gives exactly what was run."""
    path = path.resolve()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError.single("", type(data).__name__, "a mapping of fields", str(path))
    data = text_keys(data)
    _resolve_paths(data, path.parent)
    base_name = data.pop("extends", None)
    if base_name is None:
        merged: dict[str, Any] = {}
    else:
        if not isinstance(base_name, str):
            raise ScenarioError.single("extends", base_name, "a file name", str(path))
        base_path = path.parent / base_name
        if not base_path.exists():
            raise ScenarioError.single(
                "extends", base_name, f"an existing file (looked for {base_path})", str(path)
            )
        merged = read_with_extends(base_path, (*chain, path), origins)
    return merge(merged, data, str(path), (), origins)


def text_keys(node: Any) -> Any:
    """Mapping keys as text: YAML reads an unquoted ``999:`` as a number, ``"999":`` as text."""
    if isinstance(node, dict):
        return {str(k) if isinstance(k, int) else k: text_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [text_keys(item) for item in node]
    return node


def merge(
    base: dict[str, Any], override: dict[str, Any], file: str | None = None,
    where: tuple[str, ...] = (), origins: Origins | None = None,
) -> dict[str, Any]:
    """``override`` (the mapping at ``where`` in ``file``) over ``base``, as ``extends`` does.

    Mappings merge key by key. A distribution (a mapping with ``dist``) replaces whole: a
    lognormal's ``cv`` must not survive into the exponential that overrides it. So does a line's
    demand given by its source (``rate_per_hour``, ``annual_volume`` or ``replay``: a replay does
    not inherit a profile). A staffing plan given (``flat``, ``per_interval`` or ``shifts``)
    drops the base's other kinds of plan; the rest of the staffing (``scale``, ``changes``)
    merges. A list whose entries are all mappings with a ``name`` merges with the base's list by
    name (see :func:`merge_named`); any other list replaces. A ``null`` removes what it
    overrides (the field is then as if never given: its default). ``origins`` records, for each
    field of the result, the file that gave it.
    """
    out = dict(base)
    for key, value in override.items():
        path = (*where, str(key))
        kept = out.get(key)
        if value is None:
            out.pop(key, None)
            note_origins(None, path, file, origins)
        elif isinstance(value, dict) and isinstance(kept, dict) and REPLACE_WHOLE.isdisjoint(value):
            plan = PLAN_KEYS.intersection(value)
            if plan:
                kept = {k: v for k, v in kept.items() if k not in PLAN_KEYS - plan}
                for other in PLAN_KEYS - plan:
                    forget((*path, other), origins)
            if origins is not None and file is not None:
                origins[path] = file
            out[key] = merge(kept, value, file, path, origins)
        elif isinstance(value, list) and isinstance(kept, list) and _named(value):
            out[key] = merge_named(kept, value, file, path, origins)
        else:
            if isinstance(value, list) and any(_is_removal(item) for item in value):
                entry = next(item for item in value if _is_removal(item))
                why = ("every entry of the list with a name, for it to merge by name (an "
                       "entry without one makes the list replace the base's whole)"
                       if isinstance(kept, list) else "a list in the base to remove from")
                raise ScenarioError.single(shown(path), entry.get("name"), why, file)
            out[key] = value
            note_origins(value, path, file, origins)
    return out


def _named(items: list[Any]) -> bool:
    """Whether a list is one of named things: every entry a mapping with a ``name``."""
    return bool(items) and all(
        isinstance(item, dict) and item.get("name") is not None for item in items
    )


def _is_removal(item: Any) -> bool:
    return isinstance(item, dict) and REMOVE in item


def merge_named(
    base: list[Any], entries: list[dict[str, Any]], file: str | None, where: tuple[str, ...],
    origins: Origins | None,
) -> list[Any]:
    """A list of named entries (``entries``, from ``file``) over the base's list at ``where``.

    An entry whose name the base has changes that entry, key by key as mappings merge; an entry
    with a new name is added at the end; ``{name: X, remove: true}`` removes the base's X. The
    base's other entries (and any without a name) stay where they were.
    """
    items = list(base)
    position: dict[str, int] = {}
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") is not None:
            name = str(item["name"])
            if name in position:
                raise ScenarioError.single(
                    f"{shown(where)}.{name}", name,
                    "a name given once in the base's list (the list is merged by name)", file,
                )
            position[name] = index
    seen: set[str] = set()
    removed: set[int] = set()
    for entry in entries:
        name = str(entry["name"])
        field = f"{shown(where)}.{name}"
        if name in seen:
            raise ScenarioError.single(
                field, name, "each name once in a list merged by name (the second entry would "
                "silently change the first)", file,
            )
        seen.add(name)
        if REMOVE in entry:
            if entry[REMOVE] is not True or set(entry) != {"name", REMOVE}:
                raise ScenarioError.single(
                    f"{field}.{REMOVE}", entry[REMOVE],
                    f"{{name: {name}, remove: true}} and nothing else, to remove the base's "
                    f"{name}", file,
                )
            if name not in position:
                raise ScenarioError.single(
                    field, name, f"a name the base gives, to remove (it gives {sorted(position)})",
                    file,
                )
            removed.add(position[name])
        elif name in position:
            index = position[name]
            items[index] = merge(items[index], entry, file, (*where, str(index)), origins)
        else:
            index = len(items)
            position[name] = index
            items.append(entry)
            note_origins(entry, (*where, str(index)), file, origins)
    if removed:
        kept = [index for index in range(len(items)) if index not in removed]
        renumber(where, {old: new for new, old in enumerate(kept)}, origins)
        items = [items[index] for index in kept]
    if origins is not None and file is not None:
        origins[where] = file
    return items


def _resolve_paths(node: Any, folder: Path) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PATH_KEYS and isinstance(value, str):
                if "\0" in value:
                    raise ScenarioError.single(key, value, "a file's path without NUL characters")
                node[key] = str((folder / value).resolve())
                if key == "shifts":
                    node[key] = _read_shift_file(Path(node[key]))
            else:
                _resolve_paths(value, folder)
    elif isinstance(node, list):
        for item in node:
            _resolve_paths(item, folder)


def _read_shift_file(path: Path) -> Any:
    data = read_yaml(path)[1]
    if isinstance(data, dict) and "shifts" in data:
        data = data["shifts"]
    if not isinstance(data, list):
        raise ScenarioError.single(
            "shifts", type(data).__name__, "a list of shifts (start, length_h, days, count)",
            str(path),
        )
    return data
