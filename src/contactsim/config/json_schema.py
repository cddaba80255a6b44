"""The JSON Schema of a scenario file, for editors: with it, VS Code (and any editor that speaks
the YAML language server) completes field names, shows each field's help from the field
reference (:mod:`~contactsim.config.field_reference`) and flags a mistake as it is typed.

It is made from the scenario's pydantic models (:class:`~contactsim.config.scenario.Scenario`),
adapted to what a *file* may hold before the loader validates it:

- what the loader reads before validation (:mod:`~contactsim.config.json_schema_forms`: a
  line written ``999`` or ``"999"``, clock times, dates as written, shift days such as ``Sat``,
  shifts given as a YAML file's name), ``demand: {replay: FILE}`` for every line, ``extends``,
  and ``null`` for a top-level field (the field's default);
- a file that ``extends`` another (an *overlay*) need give no required field: its variant of
  every definition (``…Overlay``) is made from the full one by dropping ``required``,
  allowing ``null`` (which removes the base's field) and, in a list of named entries,
  ``{name: X, remove: true}``. A distribution given with its ``dist`` replaces the base's whole,
  so it is checked in full there too.

Draft-07, the draft the YAML language server validates, with nothing beside a ``$ref``.
Rules that tie fields together (one demand source, one staffing plan, shares adding to 1, a
break inside its shift, names used once, lines that exist) are the loader's alone.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from contactsim.config.distributions import DISTRIBUTION_KINDS
from contactsim.config.field_reference import DETAIL_FIELDS, FIELD_REFERENCE, FieldRow
from contactsim.config.json_schema_forms import (
    ANNOTATIONS,
    DATA_KEYS,
    Schema,
    adapt_fields,
    with_patterns,
)
from contactsim.config.scenario import Scenario

__all__ = ["SCHEMA_FILE_NAME", "scenario_schema", "schema_comment", "schema_text"]

#: The schema's file name beside the shipped scenarios (``scenarios/scenario.schema.json``).
SCHEMA_FILE_NAME = "scenario.schema.json"
#: The draft the schema is written in: the one the YAML language server validates.
DRAFT = "http://json-schema.org/draft-07/schema#"

_DEFS = "definitions"
_REF = f"#/{_DEFS}/"
#: The definition pydantic makes for each kind of distribution, by its ``dist``.
_DISTRIBUTIONS = {kind: kind.capitalize() for kind in DISTRIBUTION_KINDS}
_OVERLAY = "Overlay"

# --- the whole scenario ----------------------------------------------------------------------


def _distributions(node: Any) -> Any:
    """Each union of distributions (pydantic's ``oneOf`` with a discriminator) as a reference
    to the one definition :func:`_distribution` makes."""
    if isinstance(node, list):
        return [_distributions(item) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("discriminator"), dict) and node["discriminator"].get(
            "propertyName") == "dist":
        kept = {k: v for k, v in node.items() if k in ANNOTATIONS}
        return {**kept, "$ref": f"{_REF}Distribution"}
    return {k: (v if k in DATA_KEYS else _distributions(v)) for k, v in node.items()}


def _distribution() -> Schema:
    """A distribution: its ``dist`` says which definition checks the rest."""
    return {
        "title": "Distribution", "type": "object", "required": ["dist"],
        "properties": {"dist": {"enum": list(_DISTRIBUTIONS)}},
        "allOf": [{"if": {"properties": {"dist": {"const": kind}}, "required": ["dist"]},
                   "then": {"$ref": _REF + name}} for kind, name in _DISTRIBUTIONS.items()],
    }


def _full(defs: dict[str, Schema]) -> Schema:
    """The pydantic schema adapted to a file that extends none (the root is ``Scenario``)."""
    adapt_fields(defs)
    defs["Distribution"] = _distribution()
    root = defs["Scenario"]
    for name, node in root["properties"].items():
        if name not in root["required"]:  # a null top-level field is dropped: its default
            root["properties"][name] = _nullable(node)
    root["properties"]["extends"] = {"type": ["string", "null"]}
    demand = root["properties"]["demand"]
    line = defs["LineDemand"]["properties"]
    demand["properties"] = {key: copy.deepcopy(line[key])
                            for key in ("replay", "handle_times", "from", "to")}
    return defs


# --- the overlay: a file that extends another -----------------------------------------------

REMOVAL = {
    "title": "Removal", "type": "object", "additionalProperties": False,
    "required": ["name", "remove"],
    "properties": {"name": {"type": "string", "minLength": 1}, "remove": {"const": True}},
}


def _admits_null(node: Schema) -> bool:
    kinds = node.get("type")
    return (kinds == "null" or (isinstance(kinds, list) and "null" in kinds)
            or any(_admits_null(m) for m in node.get("anyOf", [])))


def _nullable(node: Schema) -> Schema:
    """``node``, or ``null``."""
    if _admits_null(node):
        return node
    kept = {k: v for k, v in node.items() if k in ANNOTATIONS}
    core = {k: v for k, v in node.items() if k not in ANNOTATIONS}
    if list(core) == ["anyOf"]:
        return {**kept, "anyOf": [*core["anyOf"], {"type": "null"}]}
    return {**kept, "anyOf": [core, {"type": "null"}]}


def _overlay_ref(ref: str) -> str:
    name = ref.removeprefix(_REF)
    if name in _DISTRIBUTIONS.values():
        return ref  # reached only once a dist is given: a distribution replaces whole
    return f"{_REF}{name}{_OVERLAY}"


def _loosen(node: Any, defs: dict[str, Schema]) -> Any:
    """``node`` as an overlay may give it: nothing required, ``null`` anywhere, named entries
    removable."""
    if isinstance(node, list):
        return [_loosen(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key in ("required", "minProperties"):
            continue
        if key in DATA_KEYS:
            out[key] = value
        elif key == "$ref":
            out[key] = _overlay_ref(value)
        elif key == "properties":
            out[key] = {name: _nullable(_loosen(v, defs)) for name, v in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _nullable(_loosen(value, defs))
        elif key == "items" and isinstance(value, dict) and _named(value, defs):
            out[key] = {"anyOf": [{"$ref": f"{_REF}Removal"}, _loosen(value, defs)]}
        else:
            out[key] = _loosen(value, defs)
    return out


def _named(items: Schema, defs: dict[str, Schema]) -> bool:
    """Whether a list's entries are named things (merged by name in ``extends``)."""
    target = defs.get(items.get("$ref", "").removeprefix(_REF), {})
    return "name" in target.get("properties", {})


def _distribution_overlay(defs: dict[str, Schema]) -> Schema:
    """A distribution in an overlay: given with its ``dist``, whole; without, its fields merge
    with the base's, each optional."""
    fields: Schema = {}
    for name in _DISTRIBUTIONS.values():
        for field, node in defs[name]["properties"].items():
            if field != "dist":
                fields.setdefault(field, _nullable(copy.deepcopy(node)))
    return {"title": "Distribution", "type": "object",
            "properties": {"dist": {"enum": list(_DISTRIBUTIONS)}},
            "if": {"required": ["dist"]}, "then": {"$ref": f"{_REF}Distribution"},
            "else": {"properties": fields, "additionalProperties": False}}


def _overlay(defs: dict[str, Schema]) -> dict[str, Schema]:
    """The overlay's variant of each definition (distributions aside)."""
    out = {f"{name}{_OVERLAY}": _loosen(node, defs) for name, node in defs.items()
           if name != "Distribution" and name not in _DISTRIBUTIONS.values()}
    out[f"Distribution{_OVERLAY}"] = _distribution_overlay(defs)
    out["Removal"] = REMOVAL
    return out


# --- help from the field reference ----------------------------------------------------------

#: Fields whose help is another field's: an all-lines replay's options are each line's.
_SAME_AS = {f"demand.{key}": f"demand.*.{key}" for key in ("replay", "handle_times", "from", "to")}


def _rows() -> dict[str, FieldRow]:
    """Each path of the field reference (its README rows and its details) with its row."""
    rows: dict[str, FieldRow] = {}
    for row in FIELD_REFERENCE + DETAIL_FIELDS:
        for path in row.paths:
            if path in rows:
                raise ValueError(f"the field reference gives {path} twice")
            rows[path] = row
    return rows


def _row_for(path: str, rows: dict[str, FieldRow]) -> FieldRow | None:
    """The row that describes the field at ``path`` (a list's own row, ``x[]``, describes
    the list; ``…x`` any path ending in ``x``)."""
    path = _SAME_AS.get(path, path)
    for exact in (path, f"{path}[]"):
        if exact in rows:
            return rows[exact]
    for key, row in rows.items():
        if key.startswith("…") and (path == key[1:] or path.endswith(f".{key[1:]}")):
            return row
    return None


def _describe(node: Any, path: str, defs: dict[str, Schema], rows: dict[str, FieldRow],
              seen: set[tuple[str, str]]) -> None:
    """Give each field reached from ``node`` (at the dotted ``path``) its row's help."""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref is not None and (ref, path) not in seen:
        seen.add((ref, path))
        _describe(defs[ref.removeprefix(_REF)], path, defs, rows, seen)
    for member in [*node.get("allOf", []), *node.get("anyOf", []), *node.get("oneOf", [])]:
        _describe(member, path, defs, rows, seen)
    for branch in ("then", "else"):
        _describe(node.get(branch), path, defs, rows, seen)
    for name, field in node.get("properties", {}).items():
        field_path = f"{path}.{name}" if path else name
        row = _row_for(field_path, rows)
        if row is not None:
            field.setdefault("description", row.description())
        _describe(field, field_path, defs, rows, seen)
    _describe(node.get("additionalProperties"), f"{path}.*", defs, rows, seen)
    _describe(node.get("items"), f"{path}[]", defs, rows, seen)


def _plain(docstring: str) -> str:
    """A model's docstring as help: Sphinx roles and double backticks as plain backticks, each
    paragraph on one line."""
    text = re.sub(r":[a-z]+:`~?(?:[\w.]+\.)?(\w+)`", r"`\1`", docstring).replace("``", "`")
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def _untitled(node: Any) -> Any:
    """Without pydantic's titles of fields (``Rate Per Hour``): the help says more."""
    if isinstance(node, list):
        return [_untitled(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in DATA_KEYS else _untitled(v)) for k, v in node.items()}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: {k: v for k, v in field.items() if k != "title"}
                             for name, field in out["properties"].items()}
    return out


def _lone_refs(node: Any) -> Any:
    """Draft-07 ignores what stands beside a ``$ref``: such a node becomes an ``allOf``."""
    if isinstance(node, list):
        return [_lone_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in DATA_KEYS else _lone_refs(v)) for k, v in node.items()}
    if "$ref" in out and len(out) > 1:
        out["allOf"] = [{"$ref": out.pop("$ref")}, *out.get("allOf", [])]
    return out


# --- the schema ------------------------------------------------------------------------------


def scenario_schema() -> Schema:
    """The JSON Schema (draft-07) of a scenario file: a file with ``extends`` is checked as an
    overlay (nothing required), any other as a whole scenario."""
    pydantic_schema = Scenario.model_json_schema(by_alias=True, ref_template=_REF + "{model}")
    defs: dict[str, Schema] = pydantic_schema.pop("$defs")
    defs["Scenario"] = pydantic_schema
    defs = _full(_distributions(with_patterns(_untitled(defs))))
    defs.update(_overlay(defs))
    for node in defs.values():
        if "description" in node:
            node["description"] = _plain(node["description"])
    defs["Scenario"]["description"] = defs[f"Scenario{_OVERLAY}"]["description"] = (
        "A contactsim scenario: the lines callers ring, how their calls are handled, and the "
        "pools of operators who answer them.")
    root: Schema = {
        "$schema": DRAFT,
        "title": "contactsim scenario",
        "description": "A contactsim scenario file. One with `extends` gives only what it "
                       "changes in the file it extends.",
        "type": "object",
        "if": {"properties": {"extends": {"type": "string"}}, "required": ["extends"]},
        "then": {"$ref": f"{_REF}Scenario{_OVERLAY}"},
        "else": {"$ref": f"{_REF}Scenario"},
        _DEFS: dict(sorted(defs.items())),
    }
    _describe(root, "", defs, _rows(), set())
    result: Schema = _lone_refs(root)
    return result


def schema_text() -> str:
    """:func:`scenario_schema` as the file ``contactsim schema`` writes: JSON, keys sorted,
    two-space indents, a newline at the end."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_comment(schema_path_relative: str) -> str:
    """The first line of a scenario file that ties it to the schema, for the YAML language
    server (VS Code's YAML extension and others): ``# yaml-language-server:
    $schema=scenario.schema.json``. ``schema_path_relative`` is the schema's path from the
    scenario's folder, with ``/`` between folders. Returned without a newline."""
    if not schema_path_relative or re.search(r"\s", schema_path_relative):
        raise ValueError(f"a schema path without spaces or line breaks, not "
                         f"{schema_path_relative!r}")
    return f"# yaml-language-server: $schema={schema_path_relative}"
