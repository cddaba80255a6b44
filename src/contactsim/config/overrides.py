"""``--set FIELD=VALUE``: changing one field of a scenario from the command line.

The value is read as YAML (``180``, ``0.3``, ``[1, 2]``; text that is not YAML stays text). A
list entry is picked by index (``pools.0``) or by name (``pools.blended``); ``FIELD.+=VALUE``
appends to the list FIELD; ``FIELD=null`` removes a field, or a list entry. Setting one kind of
staffing plan or demand source drops the others, as ``extends`` does.
"""

from __future__ import annotations

from typing import Any

from contactsim.config.extends import DEMAND_SOURCES, PLAN_KEYS, text_keys
from contactsim.config.origins import Origins, forget, renumber
from contactsim.config.yaml_reading import parse_yaml
from contactsim.errors import ScenarioError

#: ``FIELD.+=VALUE`` in ``--set`` appends VALUE to the list FIELD.
APPEND = "+"
#: Keys of which a mapping holds one: setting one with --set removes the others.
EXCLUSIVE_KEYS = (PLAN_KEYS, DEMAND_SOURCES)


def apply_override(raw: dict[str, Any], text: str, origins: Origins) -> None:
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
    value = text_keys(value)
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
            renumber(tuple(real), {old: old - (old > index) for old in range(len(node) + 1)
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
    forget(tuple(real), origins)
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
