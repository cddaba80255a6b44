"""YAML → ``extends`` merge → overrides → validation → a
:class:`~contactsim.config.scenario.Scenario`.

``extends`` merges mappings key by key and lists of named things (pools, named shifts) by name
(:func:`_merge`); :func:`overlay_changes` says what a file and ``--set`` change against the base.

Every problem is reported as a :class:`~contactsim.errors.ScenarioError` naming the file, the
dotted field path, the value and what was expected. YAML is read with PyYAML's safe loader only:
nothing in a scenario is ever run as code.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from contactsim import limits
from contactsim.config.scenario import Scenario, cross_check
from contactsim.data.files import read_input_text
from contactsim.errors import Problem, ScenarioError

#: Keys whose text values are file paths, resolved against the folder of the file that sets them.
PATH_KEYS = frozenset({"profile", "per_interval", "file", "replay", "shifts"})

Origins = dict[tuple[str, ...], str]

#: A mapping holding any of these keys replaces the base's mapping whole in ``extends``: a
#: distribution, and a line's demand given by its source.
REPLACE_WHOLE = frozenset({"dist", "rate_per_hour", "annual_volume", "replay"})
#: A staffing plan's kinds: a mapping given one in ``extends`` drops the base's others (its
#: ``scale`` and ``changes`` merge key by key, as with ``--set``).
PLAN_KEYS = frozenset({"flat", "per_interval", "shifts"})
#: In a list merged by name, ``{name: X, remove: true}`` removes the base's entry X.
REMOVE = "remove"
#: ``FIELD.+=VALUE`` in ``--set`` appends VALUE to the list FIELD.
APPEND = "+"
#: Keys of which a mapping holds one: setting one with --set removes the others.
EXCLUSIVE_KEYS = (
    frozenset({"flat", "per_interval", "shifts"}),
    frozenset({"rate_per_hour", "annual_volume", "replay"}),
)
#: A line's demand source: an all-lines replay drops these from the line's inherited entry.
DEMAND_SOURCE_KEYS = ("rate_per_hour", "annual_volume", "profile")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, the file it came from, and notices worth a planner's eye (a call
    log that had to be sorted, say)."""

    scenario: Scenario
    source: Path
    notices: tuple[str, ...] = ()


def load_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> LoadedScenario:
    """Read a scenario file, follow ``extends``, apply ``--set`` overrides and validate it.

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        ``dotted.path=value`` texts; the value is read as YAML (``180``, ``0.3``, ``[1, 2]``).
        A list item is picked by index (``pools.0``) or by name (``pools.blended``);
        ``dotted.path.+=value`` appends to a list; ``null`` removes a field or a list item.

    Raises
    ------
    ScenarioError
        If any file cannot be read or any field is wrong.
    """
    source = Path(path)
    origins: Origins = {}
    raw = _read_with_extends(source, chain=(), origins=origins)
    for text in overrides:
        try:
            _apply_override(raw, text, origins)
        except ScenarioError as exc:
            raise exc.in_file(str(source)) from None
    _prepare_replay(raw, origins, str(source))
    scenario = _validate(raw, origins, str(source))
    notices = _check_files(scenario, origins, str(source))
    _check_size(scenario, origins, str(source))
    return LoadedScenario(scenario=scenario, source=source, notices=notices)


def scenario_from_mapping(raw: dict[str, Any], name_for_errors: str = "<mapping>") -> Scenario:
    """Validate a scenario given as a plain mapping (paths must already be absolute)."""
    origins: Origins = {}
    raw = _text_keys(raw)
    _prepare_replay(raw, origins, name_for_errors)
    scenario = _validate(raw, origins, name_for_errors)
    _check_files(scenario, origins, name_for_errors)
    _check_size(scenario, origins, name_for_errors)
    return scenario


# --- reading and merging ---------------------------------------------------------------------


def read_yaml(path: Path, what: str = "scenario file") -> tuple[str, Any]:
    """The text of a YAML file (a scenario, a sweep, a targets file: ``what``) and what it holds,
    loaded safely. ScenarioError naming the file if it is missing, not a regular file, larger
    than :data:`~contactsim.limits.MAX_YAML_BYTES`, not UTF-8, not YAML, holds a key twice, an
    impossible date, or expands through its aliases beyond
    :data:`~contactsim.limits.MAX_YAML_NODES` nodes."""
    text = read_input_text(path, what, limits.MAX_YAML_BYTES, file=str(path))
    return text, parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> Any:
    """What YAML ``text`` holds, loaded safely and within the limits (see :func:`read_yaml`);
    problems are attributed to ``file`` (a path, or ``--set``)."""
    loader = None
    try:
        loader = _PlannerLoader(text)
        loader.file_for_errors = file
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, Path(file))
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError.single(where, problem, "valid YAML", file=file) from None
    except RecursionError:
        raise ScenarioError.single(
            "", "YAML nested too deeply to read", "a scenario's few levels of nesting",
            file=file,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


class _PlannerLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with an impossible date (2018-02-30) reported where it stands."""

    file_for_errors: str | None = None

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ScenarioError.single(
                f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}",
                node.value, f"a real date ({exc})", self.file_for_errors,
            ) from None


_PlannerLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _PlannerLoader.construct_yaml_timestamp
)


def _check_nodes(root: yaml.Node, path: Path) -> None:
    """Refuse a document that holds a key twice in one mapping, or whose aliases expand it
    beyond the node budget (a "billion laughs" file), before any of it is built."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:  # an alias: the same node again, counted again in full
            if known < 0:
                raise ScenarioError.single(
                    f"line {node.start_mark.line + 1}", "an alias inside the value it names",
                    "values that do not contain themselves", file=str(path),
                )
            return known
        sizes[id(node)] = -1  # being counted: met again inside itself, it is a loop
        total = 1
        if isinstance(node, yaml.MappingNode):
            _no_duplicate_keys(node, path)
            for key, value in node.value:
                total += size(key) + size(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        sizes[id(node)] = total
        if total > limits.MAX_YAML_NODES:
            raise ScenarioError.single(
                f"line {node.start_mark.line + 1}",
                f"over {limits.MAX_YAML_NODES:,} values once its aliases (*name) are expanded",
                "a scenario-sized document (aliases are allowed, but not to build a huge one)",
                file=str(path),
            )
        return total

    size(root)


def _no_duplicate_keys(node: yaml.MappingNode, path: Path) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:  # 999 and "999" are the same line once read
            raise ScenarioError.single(
                f"lines {seen[key.value]} and {line}", f"the key {key.value!r} twice",
                "each key once in a mapping (the second would silently replace the first)",
                file=str(path),
            )
        seen[key.value] = line


def read_yaml_mapping(path: Path, what: str) -> tuple[str, dict[str, Any]]:
    """As :func:`read_yaml`, for a file that must hold a mapping of fields (empty: none)."""
    text, data = read_yaml(path, what)
    if data is None:
        return text, {}
    if not isinstance(data, dict):
        raise ScenarioError.single("", type(data).__name__, "a mapping of fields", str(path))
    return text, data


def _read_yaml(path: Path) -> Any:
    return read_yaml(path)[1]


def _read_with_extends(path: Path, chain: tuple[Path, ...], origins: Origins) -> dict[str, Any]:
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
    data = _read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError.single("", type(data).__name__, "a mapping of fields", str(path))
    data = _text_keys(data)
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
        merged = _read_with_extends(base_path, (*chain, path), origins)
    return _merge(merged, data, str(path), (), origins)


def _text_keys(node: Any) -> Any:
    """Mapping keys as text: YAML reads an unquoted ``999:`` as a number, ``"999":`` as text."""
    if isinstance(node, dict):
        return {str(k) if isinstance(k, int) else k: _text_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_text_keys(item) for item in node]
    return node


def _merge(
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
    name (see :func:`_merge_named`); any other list replaces. A ``null`` removes what it
    overrides (the field is then as if never given: its default). ``origins`` records, for each
    field of the result, the file that gave it.
    """
    out = dict(base)
    for key, value in override.items():
        path = (*where, str(key))
        kept = out.get(key)
        if value is None:
            out.pop(key, None)
            _note_origins(None, path, file, origins)
        elif isinstance(value, dict) and isinstance(kept, dict) and REPLACE_WHOLE.isdisjoint(value):
            plan = PLAN_KEYS.intersection(value)
            if plan:
                kept = {k: v for k, v in kept.items() if k not in PLAN_KEYS - plan}
                for other in PLAN_KEYS - plan:
                    _forget((*path, other), origins)
            if origins is not None and file is not None:
                origins[path] = file
            out[key] = _merge(kept, value, file, path, origins)
        elif isinstance(value, list) and isinstance(kept, list) and _named(value):
            out[key] = _merge_named(kept, value, file, path, origins)
        else:
            if isinstance(value, list) and any(_is_removal(item) for item in value):
                entry = next(item for item in value if _is_removal(item))
                why = ("every entry of the list with a name, for it to merge by name (an "
                       "entry without one makes the list replace the base's whole)"
                       if isinstance(kept, list) else "a list in the base to remove from")
                raise ScenarioError.single(_shown(path), entry.get("name"), why, file)
            out[key] = value
            _note_origins(value, path, file, origins)
    return out


def _named(items: list[Any]) -> bool:
    """Whether a list is one of named things: every entry a mapping with a ``name``."""
    return bool(items) and all(
        isinstance(item, dict) and item.get("name") is not None for item in items
    )


def _is_removal(item: Any) -> bool:
    return isinstance(item, dict) and REMOVE in item


def _merge_named(
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
                    f"{_shown(where)}.{name}", name,
                    "a name given once in the base's list (the list is merged by name)", file,
                )
            position[name] = index
    seen: set[str] = set()
    removed: set[int] = set()
    for entry in entries:
        name = str(entry["name"])
        field = f"{_shown(where)}.{name}"
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
            items[index] = _merge(items[index], entry, file, (*where, str(index)), origins)
        else:
            index = len(items)
            position[name] = index
            items.append(entry)
            _note_origins(entry, (*where, str(index)), file, origins)
    if removed:
        kept = [index for index in range(len(items)) if index not in removed]
        _renumber(where, {old: new for new, old in enumerate(kept)}, origins)
        items = [items[index] for index in kept]
    if origins is not None and file is not None:
        origins[where] = file
    return items


def _renumber(where: tuple[str, ...], moves: dict[int, int], origins: Origins | None) -> None:
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


def _forget(path: tuple[str, ...], origins: Origins | None) -> None:
    """Drop the origins of ``path`` and of everything under it."""
    if origins is None:
        return
    for known in [p for p in origins if p[: len(path)] == path]:
        del origins[known]


def _shown(path: tuple[str, ...]) -> str:
    return ".".join(path)


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
    data = _read_yaml(path)
    if isinstance(data, dict) and "shifts" in data:
        data = data["shifts"]
    if not isinstance(data, list):
        raise ScenarioError.single(
            "shifts", type(data).__name__, "a list of shifts (start, length_h, days, count)",
            str(path),
        )
    return data


def _note_origins(
    node: Any, prefix: tuple[str, ...], file: str | None, origins: Origins | None
) -> None:
    """Record ``file`` as the origin of ``node`` (set at ``prefix``) and of everything in it,
    forgetting what was recorded under ``prefix`` before."""
    if origins is None or file is None:
        return
    _forget(prefix, origins)
    _record(node, prefix, file, origins)


def _record(node: Any, prefix: tuple[str, ...], file: str, origins: Origins) -> None:
    origins[prefix] = file
    if isinstance(node, dict):
        for key, value in node.items():
            _record(value, (*prefix, str(key)), file, origins)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _record(value, (*prefix, str(index)), file, origins)


# --- overrides -------------------------------------------------------------------------------


def _apply_override(raw: dict[str, Any], text: str, origins: Origins) -> None:
    """Apply one ``dotted.path=value`` override to ``raw``: a list entry is picked by index or
    name; ``FIELD.+=VALUE`` appends VALUE to the list FIELD; ``null`` removes a field, or a
    list entry."""
    where = "--set"
    if "=" not in text:
        raise ScenarioError.single(where, text, "dotted.path=value, e.g. shrinkage=0.3")
    dotted, value_text = text.split("=", 1)
    parts = [p for p in dotted.strip().split(".") if p]
    if not parts:
        raise ScenarioError.single(where, text, "a field path before '='")
    if APPEND in parts[:-1]:
        raise ScenarioError.single(
            where, text, "+ only at the end of the path, to append: FIELD.+=VALUE")
    try:
        value = parse_yaml(value_text, where)
    except ScenarioError as exc:
        if not any("valid YAML" in p.expected for p in exc.problems):
            raise  # within the limits, or a real date: refused as in a file
        value = value_text  # not YAML: the text as it is
    value = _text_keys(value)
    node: Any = raw
    real: list[str] = []  # the path with list entries as their index, as problems name them
    for depth, part in enumerate(parts[:-1]):
        node, key = _step(node, part, parts[: depth + 1], text, parts[depth + 1] == APPEND)
        real.append(key)
    last = parts[-1]
    if last == APPEND:
        if not isinstance(node, list):
            raise ScenarioError.single(
                where, text, f"{'.'.join(parts[:-1]) or 'the path'} to be a list to append to "
                "(such as pools, or a pool's staffing.shifts)")
        if value is None:
            raise ScenarioError.single(where, text, "a value to append after '+='")
        node.append(value)
        real.append(str(len(node) - 1))
    elif isinstance(node, list):
        index = _list_index(node, last, parts, text)
        if value is None:  # --set pools.x=null removes the entry
            del node[index]
            _renumber(tuple(real), {old: old - (old > index) for old in range(len(node) + 1)
                                    if old != index}, origins)
            origins[tuple(real)] = "--set"
            return
        node[index % len(node)] = value
        real.append(str(index % len(node)))
    elif isinstance(node, dict):
        for group in EXCLUSIVE_KEYS:
            # --set pools.x.staffing.flat=20 replaces the plan's shifts, as extends would
            if last in group:
                for other in group - {last}:
                    node.pop(other, None)
        node[last] = value
        real.append(last)
    else:
        raise ScenarioError.single(where, text, f"{'.'.join(parts[:-1])} to hold fields")
    _forget(tuple(real), origins)
    origins[tuple(real)] = "--set"


def _step(
    node: Any, part: str, so_far: list[str], text: str, list_next: bool
) -> tuple[Any, str]:
    """The field ``part`` of ``node`` (made if missing: a list if it is to be appended to) and
    its key as problems name it (a list entry by its index)."""
    if isinstance(node, dict):
        if list_next and part in node and not isinstance(node[part], list):
            raise ScenarioError.single(
                "--set", text, f"{'.'.join(so_far)} to be a list to append to (such as pools, "
                "or a pool's staffing.shifts)")
        if part not in node or not isinstance(node[part], dict | list):
            node[part] = [] if list_next else {}
        return node[part], part
    if isinstance(node, list):
        index = _list_index(node, part, so_far, text) % len(node)
        return node[index], str(index)
    raise ScenarioError.single("--set", text, f"{'.'.join(so_far[:-1])} to hold fields")


def _list_index(items: list[Any], part: str, so_far: list[str], text: str) -> int:
    if part.lstrip("-").isdigit():
        index = int(part)
        if -len(items) <= index < len(items):
            return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") is not None and str(item["name"]) == part:
            return index
    names = [str(i.get("name")) for i in items if isinstance(i, dict) and "name" in i]
    choices = f"an index below {len(items)}" + (f" or a name among {names}" if names else "")
    raise ScenarioError.single(
        "--set", text, f"{'.'.join(so_far)}: {choices} (or {'.'.join(so_far[:-1])}.+=VALUE to "
        "append an entry)")


# --- replayed demand --------------------------------------------------------------------------

#: Keys of ``demand`` that, beside ``replay``, apply to every line of an all-lines replay.
REPLAY_OPTIONS = ("replay", "handle_times", "from", "to")


def _prepare_replay(raw: dict[str, Any], origins: Origins, top_file: str) -> None:
    """Expand ``demand: {replay: FILE}`` into one entry per line of the file, and give a
    replay without a horizon the horizon of its window (``from``/``to``) or of the file."""
    from contactsim.data.calllog import first_row, read_replay

    demand = raw.get("demand")
    if not isinstance(demand, dict):
        return
    if isinstance(demand.get("replay"), str):
        file = _origin(("demand", "replay"), origins, top_file)
        try:
            replay = read_replay(demand["replay"])
        except ScenarioError as exc:
            raise exc.in_file(file) from None
        shared = {k: demand.pop(k) for k in REPLAY_OPTIONS if k in demand}
        for key in shared:  # the options now stand on each line: keep where they came from
            if ("demand", key) in origins:
                origins.update({("demand", line, key): origins[("demand", key)]
                                for line in replay.lines})
        lines = replay.lines if isinstance(replay.lines, list) else list(replay.lines)
        handling = raw.get("handling")
        handled: dict[str, Any] = handling if isinstance(handling, dict) else {}
        for line in lines:
            if line not in handled:
                raise ScenarioError([Problem(
                    "line", line,
                    f"a line the scenario handles and staffs ({sorted(handled)}): calls whose "
                    f"line no pool serves are not dropped silently (replayed from {file})",
                    shared["replay"], first_row(replay, line),
                )])
            entry = demand.get(line)
            own = entry if isinstance(entry, dict) else {}
            kept = {k: v for k, v in own.items() if k not in DEMAND_SOURCE_KEYS}
            demand[line] = {**shared, **kept}
    replayed = {k: v for k, v in demand.items() if isinstance(v, dict) and "replay" in v}
    if not replayed:
        return
    window_paths = [("demand", line, key) for line, v in replayed.items() for key in ("from", "to")
                    if key in v]
    horizon = raw.get("horizon")
    if not window_paths and isinstance(horizon, dict) and {"start", "days"} & set(horizon):
        return
    window = _replay_window(list(replayed.values()), origins, top_file)
    if window_paths and isinstance(horizon, dict):
        # a window overrides an inherited horizon, but not one given beside it (unless they
        # agree, as in a scenario.resolved.yaml, which holds both)
        window_files = {_origin(p, origins, top_file) for p in window_paths}
        horizon_files = {_origin(("horizon", k), origins, top_file)
                         for k in ("start", "days") if k in horizon}
        agree = (str(horizon.get("start")) == window["start"]
                 and float(horizon.get("days", 0)) == window["days"])
        if window_files & horizon_files and not agree:
            raise ScenarioError.single(
                "demand.from", "both horizon start/days and from/to",
                "the replay window given once: as horizon, or as from/to",
                sorted(window_files & horizon_files)[0],
            )
    raw["horizon"] = {**(horizon if isinstance(horizon, dict) else {}), **window}


def _replay_window(replayed: list[dict[str, Any]], origins: Origins, top_file: str) -> dict[
    str, Any
]:
    import datetime as dt

    import numpy as np

    from contactsim.data.calllog import read_replay

    starts, ends = [], []
    for entry in replayed:
        begin, finish = entry.get("from"), entry.get("to")
        if begin is None or finish is None:
            try:
                replay = read_replay(str(entry["replay"]))
            except ScenarioError as exc:
                raise exc.in_file(top_file) from None
            first = replay.first.astype("datetime64[s]").item()
            last = replay.last.astype("datetime64[s]").item()
            begin = begin if begin is not None else first
            finish = finish if finish is not None else last + dt.timedelta(seconds=1)
        starts.append(_as_datetime(begin))
        ends.append(_as_datetime(finish))
    start = min(starts)
    day = dt.datetime.combine(start.date(), dt.time())
    days = float(np.ceil((max(ends) - day).total_seconds() / 86400.0))
    return {"start": day.date().isoformat(), "days": max(days, 1.0)}


def _as_datetime(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError.single(
            "demand.from", value, "an ISO date or date-time such as 2018-07-01"
        ) from None


# --- validation ------------------------------------------------------------------------------


def _validate(raw: dict[str, Any], origins: Origins, top_file: str) -> Scenario:
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        # a tuple's min_length counts only the items that validated: "pools: at least 1 item"
        # beside an error inside a pool is noise
        errors = [
            err for err in errors
            if not (err["type"] == "too_short" and any(
                other is not err and tuple(other["loc"][: len(err["loc"])]) == tuple(err["loc"])
                for other in errors
            ))
        ]
        raise ScenarioError(
            [_problem_from_pydantic(err, origins, top_file) for err in errors]
        ) from None
    problems = cross_check(scenario)
    if problems:
        raise ScenarioError(
            [
                Problem(p.field, p.value, p.expected, _origin(_split(p.field), origins, top_file))
                for p in problems
            ]
        )
    return scenario


def _problem_from_pydantic(err: Any, origins: Origins, top_file: str) -> Problem:
    path = _clean_loc(tuple(err["loc"]))
    kind = err["type"]
    message = err["msg"]
    if kind == "extra_forbidden":
        known = _known_fields(path[:-1])
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        expected = f"a known field ({', '.join(known)}){hint}" if known else "a known field"
        value: Any = path[-1]
    elif kind == "missing":
        expected, value = "this field to be given", None
    else:
        expected = _expected_from_message(message)
        value = err.get("input")
    return Problem(_dotted(path), value, expected, _origin(path, origins, top_file))


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # Pydantic adds the union member (the distribution's tag, or 'function-after[...]') to the
    # location; a planner's path does not have it. List indexes stay numbers, keys stay text.
    tags = {"exponential", "lognormal", "gamma", "weibull", "fixed", "empirical"}
    return tuple(p for p in loc if isinstance(p, int) or (p not in tags and "[" not in p))


def _expected_from_message(message: str) -> str:
    for prefix in ("Value error, ", "Input should be ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def _known_fields(path: tuple[str | int, ...]) -> list[str]:
    model: Any = Scenario
    for part in path:
        if isinstance(part, int):
            continue
        model = _field_model(model, part)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _field_model(model: Any, part: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    if part not in model.model_fields:
        # a dict key (a line name) or list index: descend into the value type
        return model
    return _unwrap(model.model_fields[part].annotation)


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else None
    if origin in (dict,):
        return _unwrap(typing.get_args(annotation)[1])
    if origin in (tuple, list):
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(p for p in dotted.replace("[", ".").replace("]", "").split(".") if p)



def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _origin(path: tuple[str | int, ...], origins: Origins, top_file: str) -> str:
    text_path = tuple(str(part) for part in path)
    for end in range(len(text_path), 0, -1):
        if text_path[:end] in origins:
            return origins[text_path[:end]]
    return top_file


# --- files named by the scenario --------------------------------------------------------------


def _check_files(scenario: Scenario, origins: Origins, top_file: str) -> tuple[str, ...]:
    """Read each file the scenario names once, so a bad file fails before anything runs.
    Returns the notices the files gave (a log sorted by time, say)."""
    from contactsim.build import demand, staffing
    from contactsim.build import sampling as distributions

    problems: list[Problem] = []
    notices: list[str] = []

    def attempt(field: str, check: typing.Callable[[], object]) -> None:
        try:
            check()
        except ScenarioError as exc:
            for p in exc.problems:
                if p.file is None:
                    # the problem is the scenario's field (a missing file), not inside the file
                    file = _origin(_split(field), origins, top_file)
                    problems.append(Problem(field, p.value, p.expected, file, p.row))
                else:
                    problems.append(p)

    for line, line_demand in scenario.demand.items():
        if line_demand.profile is not None:
            attempt(f"demand.{line}.profile", partial(demand.read_profile, line_demand.profile))
        if line_demand.replay is not None:
            attempt(
                f"demand.{line}.replay",
                partial(demand.check_replay, line, line_demand, scenario.horizon, notices,
                        line in scenario.redial),
            )
    for field, spec in _distributions(scenario):
        if spec.dist == "empirical":
            attempt(f"{field}.file", partial(distributions.read_empirical, spec.file, spec.column))
    rc = scenario.resolution_centre
    if rc is not None:
        attempt("resolution_centre.staffing",
                partial(staffing.rostered, rc.staffing, scenario.horizon))
    for index, pool in enumerate(scenario.pools):
        plan = next(k for k in ("flat", "per_interval", "shifts")
                    if getattr(pool.staffing, k) is not None)
        attempt(f"pools[{index}].staffing.{plan}",
                partial(staffing.rostered, pool.staffing, scenario.horizon))
    if problems:
        raise ScenarioError(problems)
    return tuple(dict.fromkeys(notices))


def _check_size(scenario: Scenario, origins: Origins, top_file: str) -> None:
    """Refuse, before any work, a scenario too big to simulate: more calls in one replication
    than :data:`~contactsim.limits.MAX_CALLS_PER_REPLICATION`, or more operators in one pool at
    one time than :data:`~contactsim.limits.MAX_OPERATORS_PER_POOL`."""
    from contactsim.build import demand, staffing

    problems: list[Problem] = []
    calls = {line: demand.expected_line_callers(line, spec, scenario.horizon)
             for line, spec in scenario.demand.items()}
    total = sum(calls.values())
    if total > limits.MAX_CALLS_PER_REPLICATION:
        busiest = max(calls, key=lambda line: calls[line])
        problems.append(Problem(
            f"demand.{busiest}", f"{total:,.0f} calls expected in one replication",
            f"at most {limits.MAX_CALLS_PER_REPLICATION:,} calls in one replication, all lines "
            f"({scenario.horizon.days:g} days; line {busiest} brings {calls[busiest]:,.0f}): "
            "lower the demand or shorten horizon.days",
            _origin(("demand", busiest), origins, top_file),
        ))
    rosters = [(f"pools[{i}].staffing", p.name, p.staffing) for i, p in enumerate(scenario.pools)]
    if scenario.resolution_centre is not None:
        rosters.append(("resolution_centre.staffing", "resolution_centre",
                        scenario.resolution_centre.staffing))
    for field, name, roster in rosters:
        most = math.ceil(max(staffing.rostered(roster, scenario.horizon)[1]) - 1e-9)
        if most > limits.MAX_OPERATORS_PER_POOL:
            problems.append(Problem(
                field, f"{most:,} operators rostered at one time in {name}",
                f"at most {limits.MAX_OPERATORS_PER_POOL:,} in one pool at one time",
                _origin(_split(field), origins, top_file),
            ))
    if problems:
        raise ScenarioError(problems)


def _distributions(scenario: Scenario) -> list[tuple[str, Any]]:
    """Every distribution the scenario names, with its dotted field."""
    found: list[tuple[str, Any]] = []
    for line, handling in scenario.handling.items():
        found.append((f"handling.{line}.handle_time", handling.handle_time))
        if handling.patience is not None:
            found.append((f"handling.{line}.patience", handling.patience))
    for line, redial in scenario.redial.items():
        found.append((f"redial.{line}.delay", redial.delay))
    if scenario.callback is not None and scenario.callback.handle_time is not None:
        found.append(("callback.handle_time", scenario.callback.handle_time))
    if scenario.resolution_centre is not None:
        found.append(("resolution_centre.work_time", scenario.resolution_centre.work_time))
    return found


def resolved_data(loaded: LoadedScenario | Scenario, seed: int | None) -> dict[str, Any]:
    """The scenario after ``extends`` and defaults, as plain data: every default that depends
    on the lines (service-level thresholds, the priority) written out, and the seed used (left
    out when ``seed`` is None)."""
    scenario = loaded.scenario if isinstance(loaded, LoadedScenario) else loaded
    data = scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
    data.pop("seed", None)
    if seed is not None:
        data["seed"] = seed
    for line in scenario.demand:
        data["handling"][line]["service_level_s"] = scenario.service_level_s(line)
    data["routing"]["priority"] = list(scenario.lines)
    return data


RESOLVED_HEADER = "# contactsim: the scenario as run, after extends and defaults, with its seed.\n"


def dump_resolved(loaded: LoadedScenario | Scenario, seed: int) -> str:
    """The scenario after ``extends`` and defaults, with the seed used, as YAML text."""
    data = resolved_data(loaded, seed)
    return RESOLVED_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


#: Fields of a resolved scenario whose text is an input file's path (shifts are read inline).
INPUT_KEYS = frozenset({"profile", "per_interval", "file", "replay"})


def input_fields(node: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (mapping, key) of resolved scenario data (:func:`resolved_data`) whose value is an
    input file's path: profiles, staffing tables, empirical samples, replayed logs."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in INPUT_KEYS and isinstance(value, str):
                yield node, key
            else:
                yield from input_fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from input_fields(item)


# --- what an overlay changes ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field an overlay (or ``--set``) added, changed or removed, named as ``--set`` names
    it (list entries by name where they have one, else by index)."""

    kind: typing.Literal["added", "changed", "removed"]
    field: str
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind == "changed":
            return f"changed {self.field}: {compact(self.old, 60)} → {compact(self.new, 60)}"
        if self.kind == "added":
            return f"added   {self.field}: {compact(self.new)}"
        was = "" if isinstance(self.old, dict | list) else f" (was {compact(self.old)})"
        return f"removed {self.field}{was}"


@dataclass(frozen=True)
class OverlayChanges:
    """What a scenario file changes against the file it extends (``base``; None without
    ``extends``), and what ``--set`` overrides change on top."""

    base: Path | None
    from_base: tuple[Change, ...]
    from_overrides: tuple[Change, ...]


def overlay_changes(path: str | Path, overrides: typing.Sequence[str] = ()) -> OverlayChanges:
    """The fields the scenario file ``path`` adds, changes and removes against its base (the
    file it ``extends``, with that file's own chain), and those ``overrides`` change on top;
    before defaults. ScenarioError as :func:`load_scenario` if a file or override is wrong."""
    source = Path(path)
    full = _read_with_extends(source, (), {})
    top = _read_yaml(source)
    base_path: Path | None = None
    from_base: tuple[Change, ...] = ()
    if isinstance(top, dict) and isinstance(top.get("extends"), str):
        base_path = source.resolve().parent / top["extends"]
        base = _read_with_extends(base_path, (source.resolve(),), {})
        from_base = tuple(diff_fields(base, full))
    after = copy.deepcopy(full)
    for text in overrides:
        try:
            _apply_override(after, text, {})
        except ScenarioError as exc:
            raise exc.in_file(str(source)) from None
    return OverlayChanges(base_path, from_base, tuple(diff_fields(full, after)))


def diff_fields(old: Any, new: Any, where: tuple[str, ...] = ()) -> list[Change]:
    """The fields added, changed and removed from ``old`` to ``new`` (scenario data): mappings
    key by key, lists of mappings entry by entry (by name where an entry has one, else by
    index), anything else as a whole value."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[Change] = []
        for key in [*old, *(k for k in new if k not in old)]:
            path = (*where, str(key))
            if key not in new:
                found.append(Change("removed", _shown(path), old=old[key]))
            elif key not in old:
                found.append(Change("added", _shown(path), new=new[key]))
            else:
                found += diff_fields(old[key], new[key], path)
        return found
    if _entries(old) and _entries(new):
        return diff_fields(_by_label(old), _by_label(new), where)
    if old != new:
        return [Change("changed", _shown(where), old, new)]
    return []


def _entries(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _by_label(items: list[dict[str, Any]]) -> dict[str, Any]:
    """List entries by their name (left out of the entry), or by index if they have none."""
    out: dict[str, Any] = {}
    for index, item in enumerate(items):
        if item.get("name") is not None and str(item["name"]) not in out:
            out[str(item["name"])] = {k: v for k, v in item.items() if k != "name"}
        else:
            out[str(index)] = item
    return out


def compact(value: Any, width: int = 90) -> str:
    """``value`` as one line of YAML, paths relative to the working folder, cut at ``width``."""
    text = yaml.safe_dump(_short_paths(value), default_flow_style=True, sort_keys=False,
                          width=10**9, allow_unicode=True).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")].strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def _short_paths(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _short_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short_paths(v) for v in value]
    if isinstance(value, str) and os.path.isabs(value) and os.path.exists(value):
        try:
            return os.path.relpath(value)
        except ValueError:  # pragma: no cover - another drive, on Windows
            return value
    return value
