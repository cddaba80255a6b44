"""How a scenario's problems are told to a planner: the file, the dotted field, the value
found and what was expected.

Pydantic's errors are turned into those words (its union tags and "Input should be" left out;
an unknown field answered with the known ones and the nearest spelling), and the rules that tie
fields together (:func:`~contactsim.config.scenario.cross_check`) are reported the same way.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from contactsim.config.distributions import DISTRIBUTION_KINDS
from contactsim.config.origins import Origins, origin, split_field
from contactsim.config.scenario import Scenario, cross_check
from contactsim.errors import Problem, ScenarioError


def validate(raw: dict[str, Any], origins: Origins, top_file: str) -> Scenario:
    """The scenario ``raw`` (merged, overridden) holds, validated; ScenarioError listing every
    problem, each naming the file that gave the field (``origins``; else ``top_file``)."""
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
        raise ScenarioError([
            Problem(p.field, p.value, p.expected, origin(split_field(p.field), origins, top_file))
            for p in problems
        ])
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
    return Problem(_dotted(path), value, expected, origin(path, origins, top_file))


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # Pydantic adds the union member (the distribution's tag, or 'function-after[...]') to the
    # location; a planner's path does not have it. List indexes stay numbers, keys stay text.
    return tuple(
        p for p in loc if isinstance(p, int) or (p not in DISTRIBUTION_KINDS and "[" not in p)
    )


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
        # as the planner writes them: ``from``, not the field's name in the code
        return [field.alias or name for name, field in model.model_fields.items()]
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


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out
