"""What a scenario file may hold before the loader validates it, as JSON Schema: the forms
:mod:`~contactsim.config.json_schema` puts in place of the pydantic models' own.

The loader reads more than the models' types say: a line's name written ``999`` (YAML reads a
number), shift days such as ``Sat`` or a single day, shifts given as a YAML file's name, dates
as written (a date alone is its midnight), and a callback's ``serve`` as a name or a mapping.
Clock times, opening hours and the yearly ``MM-DD HH:MM`` become patterns, with the loader's
words (``patternErrorMessage``, which the YAML language server shows) when one does not match.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

__all__ = ["ANNOTATIONS", "DATA_KEYS", "Schema", "adapt_fields", "with_patterns"]

Schema = dict[str, Any]

#: Keys whose values are data (defaults, examples), never schemas to adapt.
DATA_KEYS = frozenset({"default", "examples", "const", "enum"})
#: Keys that say what a field is, without checking it.
ANNOTATIONS = ("title", "description", "default", "examples")

_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_CLOCK_OR_MIDNIGHT = rf"(?:{_CLOCK}|24:00)"
#: Opening hours ``HH:MM-HH:MM``, spaces anywhere (the loader drops them).
_SPACED_CLOCK = r"(?:(?:[01] *[0-9]|2 *[0-3]) *: *[0-5] *[0-9]|2 *4 *: *0 *0)"
_HOURS = rf"^ *{_SPACED_CLOCK} *- *{_SPACED_CLOCK} *$"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: A date-time as pydantic reads text (a date alone is its midnight; seconds and zone optional),
#: or as YAML reads a timestamp (seconds given; one-digit month, day and hour allowed).
_DATE_TIME = (
    rf"^(?:{_DATE}(?:[Tt_ ][0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}}(?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"
)
_DAY = r"^\s*(?:[Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]" \
       r"|[Ss][Uu][Nn])"


def _text(pattern: str, message: str, **more: Any) -> Schema:
    """A string of ``pattern``, with the loader's words when it does not match."""
    return {"type": "string", "pattern": pattern, "patternErrorMessage": message, **more}


CLOCK = _text(f"^{_CLOCK}$", "a 24-hour clock time HH:MM, in quotes: \"07:00\"")
CLOCK_OR_MIDNIGHT = _text(f"^{_CLOCK_OR_MIDNIGHT}$", "a clock time HH:MM (24:00 allowed)")
HOURS = _text(_HOURS, "hours as HH:MM-HH:MM, e.g. 08:00-22:00")
DATE = _text(f"^{_DATE}$", "a date YYYY-MM-DD, e.g. 2018-07-01")
DATE_TIME = _text(_DATE_TIME, "a date or date-time, e.g. 2018-07-14 or \"2018-07-14T18:00\"")
MONTH_DAY_TIME = _text(r"^\s*[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\s*$",
                       "MM-DD HH:MM, e.g. \"11-05 17:00\"")
DAY = _text(_DAY, "a day of the week: mon, tue, wed, thu, fri, sat or sun",
            examples=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
#: A line's name: YAML reads an unquoted 999 as a number, and the loader takes it as text.
LINE_TYPES = ["string", "integer"]


def _line(node: Schema) -> Schema:
    """``node`` with every ``string`` in it (a line's name) allowing a whole number too."""
    if node.get("type") == "string":
        node["type"] = list(LINE_TYPES)
    for member in node.get("anyOf", []):
        _line(member)
    if isinstance(node.get("items"), dict):
        _line(node["items"])
    return node


def _replace_string(node: Schema, by: Schema) -> Schema:
    """``node`` with its ``string`` member (or itself, if a string) replaced by ``by``."""
    if node.get("type") == "string":
        return {**{k: v for k, v in node.items() if k in ANNOTATIONS}, **copy.deepcopy(by)}
    if "anyOf" in node:
        node["anyOf"] = [_replace_string(m, by) for m in node["anyOf"]]
    return node


def _days(node: Schema) -> Schema:
    kept = {k: v for k, v in node.items() if k in ANNOTATIONS}
    return {**kept, "anyOf": [DAY, {"type": "array", "items": DAY}]}


def _within(node: Schema) -> Schema:
    for member in node["anyOf"]:
        if member.get("type") == "array":
            member.pop("prefixItems", None)
            member["items"] = CLOCK_OR_MIDNIGHT
    return node


def _shifts(node: Schema) -> Schema:
    node["anyOf"].insert(1, {"type": "string", "description": "a YAML file of shifts"})
    return node


def _serve(node: Schema) -> Schema:
    when_idle = {"type": "object", "additionalProperties": False,
                 "required": ["when_idle_at_least"],
                 "properties": {"when_idle_at_least": {"type": "integer", "minimum": 1}}}
    return {"default": node.get("default"),
            "anyOf": [{"enum": ["below_live", "above_live"]}, when_idle]}


#: How a field of a definition is adapted to what the loader reads (definition, field).
_FILE_FORMS: dict[tuple[str, str], Callable[[Schema], Schema]] = {
    ("Shift", "start"): lambda node: _replace_string(node, CLOCK),
    ("Shift", "days"): _days,
    ("Break", "within"): _within,
    ("Callback", "hours"): lambda node: _replace_string(node, HOURS),
    ("ResolutionCentre", "hours"): lambda node: _replace_string(node, HOURS),
    ("Callback", "serve"): _serve,
    ("Callback", "line"): _line,
    ("Reserve", "for_line"): _line,
    ("DemandEvent", "line"): _line,
    ("Pool", "skills"): _line,
    ("Routing", "priority"): _line,
    ("Staffing", "shifts"): _shifts,
    ("YearlyWindow", "from"): lambda node: _replace_string(node, MONTH_DAY_TIME),
    ("YearlyWindow", "to"): lambda node: _replace_string(node, MONTH_DAY_TIME),
}


def with_patterns(node: Any) -> Any:
    """Dates and date-times as patterns: editors check ``format: date-time`` as RFC 3339 (with
    seconds and a zone), which planners do not write."""
    if isinstance(node, list):
        return [with_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in DATA_KEYS else with_patterns(v)) for k, v in node.items()}
    kind = {"date-time": DATE_TIME, "date": DATE}.get(out.pop("format", ""))
    return {**out, **kind} if kind else out


def adapt_fields(defs: dict[str, Schema]) -> None:
    """Put in ``defs`` (pydantic's definitions, by model) the forms a file may give."""
    for (name, field), adapt in _FILE_FORMS.items():
        properties = defs[name]["properties"]
        properties[field] = adapt(properties[field])
