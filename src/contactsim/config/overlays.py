"""What an overlay changes: the fields a scenario file adds, changes and removes against the
file it ``extends``, and what ``--set`` overrides change on top, named as ``--set`` names them.
"""

from __future__ import annotations

import copy
import os
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contactsim.config.extends import read_with_extends
from contactsim.config.origins import shown
from contactsim.config.overrides import apply_override
from contactsim.config.yaml_reading import read_yaml
from contactsim.errors import ScenarioError


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
    before defaults. ScenarioError as :func:`~contactsim.config.loader.read_scenario` if a
    file or override is wrong."""
    source = Path(path)
    full = read_with_extends(source, (), {})
    top = read_yaml(source)[1]
    base_path: Path | None = None
    from_base: tuple[Change, ...] = ()
    if isinstance(top, dict) and isinstance(top.get("extends"), str):
        base_path = source.resolve().parent / top["extends"]
        base = read_with_extends(base_path, (source.resolve(),), {})
        from_base = tuple(diff_fields(base, full))
    after = copy.deepcopy(full)
    for text in overrides:
        try:
            apply_override(after, text, {})
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
                found.append(Change("removed", shown(path), old=old[key]))
            elif key not in old:
                found.append(Change("added", shown(path), new=new[key]))
            else:
                found += diff_fields(old[key], new[key], path)
        return found
    if _entries(old) and _entries(new):
        return diff_fields(_by_label(old), _by_label(new), where)
    if old != new:
        return [Change("changed", shown(where), old, new)]
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
