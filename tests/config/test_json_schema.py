"""The JSON Schema editors use (issue 17, item 5): every shipped scenario validates against it and
names it on its first line, the committed file is what ``contactsim schema`` writes, every row of
the field reference gives a field its help, the README holds the field reference as the code
renders it, and the schema flags what the loader refuses (and passes what it reads) — in a
whole scenario and in one that ``extends`` another."""

from __future__ import annotations

import datetime
import os
import string
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.config.extends import text_keys
from contactsim.config.field_reference import (
    DETAIL_FIELDS,
    FIELD_REFERENCE,
    WILDCARD,
    render_markdown,
)
from contactsim.config.json_schema import (
    DRAFT,
    SCHEMA_FILE_NAME,
    scenario_schema,
    schema_comment,
    schema_text,
)
from contactsim.config.loader import read_scenario_text
from contactsim.config.yaml_reading import read_yaml
from contactsim.errors import ScenarioError
from helpers.cli import invoke, ok
from helpers.scenarios import REPO_ROOT, SCENARIOS, write

SCHEMA = scenario_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
SCHEMA_FILE = SCENARIOS / SCHEMA_FILE_NAME
SHIPPED = sorted(SCENARIOS.glob("*.yaml")) + sorted((REPO_ROOT / "bench").glob("*.yaml"))

#: a whole scenario as a planner writes it (lines unquoted), one top-level field a block
CENTRE = {
    "name": "name: centre",
    "horizon": "horizon: {start: 2018-03-05, days: 1}",
    "demand": "demand:\n  999: {rate_per_hour: 3}\n  101: {rate_per_hour: 5}",
    "handling": "handling:\n"
                "  999: {handle_time: {dist: exponential, mean_s: 240}, patience: {dist: "
                "exponential, mean_s: 60}}\n"
                "  101: {handle_time: {dist: lognormal, mean_s: 300, cv: 0.6}, "
                "service_level_s: 30}",
    "pools": "pools:\n  - {name: emergency, skills: [999], staffing: {flat: 1}}\n"
             "  - {name: blended, skills: [999, 101], staffing: {flat: 2}}",
    "callback": "callback: {line: 101, offer_after_s: 60, accept_probability: 0.5}",
}


def centre(snippet: str = "") -> str:
    """The centre's file, with the top-level fields ``snippet`` gives in place of its own."""
    given = yaml.safe_load(snippet) or {}
    kept = [block for key, block in CENTRE.items() if key not in given]
    return "\n".join([*kept, snippet]).strip("\n") + "\n"


def editor_view(data: Any) -> Any:
    """What an editor's YAML reader makes of a file contactsim read: keys as text, and dates
    and date-times as the text they were written as."""
    data = text_keys(data)
    if isinstance(data, dict):
        return {key: editor_view(value) for key, value in data.items()}
    if isinstance(data, list):
        return [editor_view(item) for item in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


class _TimestampsAsText(yaml.SafeLoader):
    """YAML read as an editor reads it (YAML 1.2): ``2018-7-1 6:00:00`` is text, not a date."""


_TimestampsAsText.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def problems(data: Any) -> list[str]:
    """The schema's complaints about ``data`` (what a scenario file holds), each with its path."""
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in VALIDATOR.iter_errors(data)]


def loads(text: str, folder: Path) -> bool:
    """Whether the loader accepts ``text`` as the scenario file ``folder/x.yaml``."""
    try:
        read_scenario_text(text, folder / "x.yaml")
    except ScenarioError:
        return False
    return True


# --- the schema, its file and the first lines that name it ----------------------------------


def test_the_schema_is_a_draft_07_schema_without_an_id() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == DRAFT and SCHEMA["title"] and "$id" not in SCHEMA


def test_the_committed_schema_is_what_contactsim_schema_writes() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "run `contactsim schema --out scenarios/scenario.schema.json`")


def test_there_are_shipped_scenarios_to_check() -> None:
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_scenario_validates(path: Path) -> None:
    assert problems(editor_view(read_yaml(path)[1])) == []
    assert problems(text_keys(yaml.load(path.read_text("utf-8"), _TimestampsAsText))) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_scenario_names_the_schema_on_its_first_line(path: Path) -> None:
    relative = Path(os.path.relpath(SCHEMA_FILE, path.parent)).as_posix()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema_comment(relative)
    assert (path.parent / first.split("$schema=")[1]).resolve() == SCHEMA_FILE


def test_the_schema_comment_is_the_yaml_language_server_s() -> None:
    assert schema_comment(SCHEMA_FILE_NAME) == (
        "# yaml-language-server: $schema=scenario.schema.json")
    for bad in ("", "my schema.json", "x.json\nname: injected"):
        with pytest.raises(ValueError):
            schema_comment(bad)


# --- the field reference: in the README, and on the schema's fields --------------------------


def test_the_readme_holds_the_field_reference_as_rendered() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Field reference\n\n", 1)[1]
    table = section.split("\n\nEach pool's staffing gives", 1)[0]
    assert table == render_markdown(), (
        "the README's Field reference must be `contactsim schema --markdown`: change the rows "
        "in src/contactsim/config/field_reference.py and paste the tables")


def field_paths(node: Any, path: str = "", seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every field the schema describes, by dotted path as the field reference writes it
    (``*`` for a line's name, ``[]`` for a list's entries)."""
    found: dict[str, Any] = {}
    if not isinstance(node, dict):
        return found
    ref = node.get("$ref")
    if ref is not None and ref not in seen:
        target = SCHEMA["definitions"][ref.rsplit("/", 1)[1]]
        found.update(field_paths(target, path, seen | {ref}))
    for member in [*node.get("allOf", []), *node.get("anyOf", []), node.get("then"),
                   node.get("else")]:
        found.update(field_paths(member, path, seen))
    for name, field in node.get("properties", {}).items():
        field_path = f"{path}.{name}" if path else name
        found[field_path] = field
        found.update(field_paths(field, field_path, seen))
    found.update(field_paths(node.get("additionalProperties"), f"{path}.{WILDCARD}", seen))
    found.update(field_paths(node.get("items"), f"{path}[]", seen))
    return found


def test_every_field_reference_row_lands_on_a_field_with_its_help() -> None:
    fields = field_paths(SCHEMA)
    for row in FIELD_REFERENCE + DETAIL_FIELDS:
        for path in row.paths:
            if path.startswith("…"):
                landed = [f for p, f in fields.items() if p.endswith(f".{path[1:]}")]
            else:
                landed = [f for p in (path, path.removesuffix("[]")) if (f := fields.get(p))]
            assert landed, f"{row.field} ({path}) names no field of the schema"
            assert any(f.get("description") == row.description() for f in landed), row.field


def test_every_field_has_help() -> None:
    def undescribed(node: Any, where: str) -> list[str]:
        if isinstance(node, list):
            return [m for i, item in enumerate(node) for m in undescribed(item, f"{where}/{i}")]
        if not isinstance(node, dict):
            return []
        missing = []
        for key, value in node.items():
            if key in ("default", "examples", "const", "enum", "if"):
                continue
            if key == "properties":
                missing += [f"{where}/{name}" for name, field in value.items()
                            if not field.get("description")]
            missing += undescribed(value, f"{where}/{key}")
        return missing

    assert undescribed(SCHEMA, "") == []


def test_a_field_s_help_gives_its_meaning_unit_and_default() -> None:
    rate = SCHEMA["definitions"]["LineDemand"]["properties"]["rate_per_hour"]["description"]
    assert rate == "constant arrival rate (give this or `annual_volume`) — unit: calls/h"
    shrinkage = SCHEMA["definitions"]["Scenario"]["properties"]["shrinkage"]["description"]
    assert shrinkage.endswith("— unit: share 0–1; default: 0")


# --- what the schema flags, and what it passes -----------------------------------------------

MISTAKES = {
    "a misspelt field": ("pools:\n  - {name: p, skils: [999], skills: [999], staffing: {flat: 1}}",
                         "skils"),
    "a misspelt top-level field": ("shrinkge: 0.3", "shrinkge"),
    "text where a number is due": ("horizon: {days: seven}", "seven"),
    "true where a number is due": ("shrinkage: true", "True"),
    "a negative mean": ("handling:\n  999: {handle_time: {dist: exponential, mean_s: -5}}", "-5"),
    "an unknown distribution": (
        "handling:\n  999: {handle_time: {dist: lognormall, mean_s: 5, cv: 1}}", "lognormall"),
    "a distribution missing a field": (
        "handling:\n  999: {handle_time: {dist: lognormal, mean_s: 5}}", "cv"),
    "a pool without skills": ("pools:\n  - {name: p, staffing: {flat: 1}}", "skills"),
    "a clock time off the clock": (
        "pools:\n  - {name: p, skills: [999], staffing: {shifts: [{start: \"25:00\", length_h: "
        "8, count: 1}]}}", "25:00"),
    "opening hours not HH:MM-HH:MM": (
        "callback: {offer_after_s: 60, accept_probability: 0.5, hours: 8-22}", "8-22"),
    "an unknown callback rule": (
        "callback: {offer_after_s: 60, accept_probability: 0.5, serve: sometimes}", "sometimes"),
    "an unknown day": (
        "pools:\n  - {name: p, skills: [999], staffing: {shifts: [{start: \"08:00\", length_h: "
        "8, count: 1, days: [funday]}]}}", "funday"),
    "a share above 1": ("pools:\n  - {name: p, skills: [999], staffing: {flat: 1}, "
                        "high_occupancy: 1.5}", "1.5"),
}


@pytest.mark.parametrize("what", MISTAKES)
def test_a_mistake_is_flagged_as_the_loader_refuses_it(what: str, tmp_path: Path) -> None:
    snippet, shown = MISTAKES[what]
    text = centre(snippet)
    assert not loads(text, tmp_path)
    found = problems(editor_view(yaml.safe_load(text)))
    assert found and any(shown in problem for problem in found), found


@pytest.mark.parametrize("what", ["a misspelt field", "text where a number is due",
                                  "a negative mean", "an unknown distribution",
                                  "a distribution missing a field", "an unknown callback rule"])
def test_a_mistake_is_flagged_in_an_overlay_too(what: str) -> None:
    overlay = editor_view(yaml.safe_load(f"extends: base.yaml\n{MISTAKES[what][0]}"))
    assert problems(overlay)


OVERLAYS = {
    "one pool changed": "pools:\n  - {name: blended, staffing: {scale: 1.1}}",
    "one pool removed": "pools:\n  - {name: emergency, remove: true}",
    "a pool added": "pools:\n  - {name: extra, skills: [101], staffing: {flat: 1}}",
    "a field removed": "shrinkage: null\ncallback: null\nhandling:\n  999: {patience: null}",
    "a distribution's mean alone": "handling:\n  101: {handle_time: {mean_s: 200}}",
    "a distribution replaced": "handling:\n  999: {handle_time: {dist: fixed, value_s: 90}}",
    "a line's demand alone": "demand:\n  101: {online_shift: 0.1}",
}


@pytest.mark.parametrize("what", OVERLAYS)
def test_an_overlay_gives_only_what_it_changes(what: str, tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", centre())
    text = f"extends: base.yaml\n{OVERLAYS[what]}\n"
    assert loads(text, tmp_path)
    assert problems(editor_view(yaml.safe_load(text))) == []


@pytest.mark.parametrize("snippet", [
    "pools:\n  - {name: blended, remove: true, skills: [101]}",
    "pools:\n  - {name: blended, remove: false}",
    "handling:\n  999: {handle_time: {dist: lognormal, mean_s: 200}}",
])
def test_an_overlay_s_mistakes_are_flagged(snippet: str, tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", centre())
    text = f"extends: base.yaml\n{snippet}\n"
    assert not loads(text, tmp_path)
    assert problems(editor_view(yaml.safe_load(text)))


READ_FORMS = {
    "days as one day, any case": "pools:\n  - {name: emergency, skills: [999], staffing: "
                                 "{shifts: [{start: \"08:00\", length_h: 8, count: 1, days: "
                                 "Saturday}]}}\n  - {name: blended, skills: [999, 101], "
                                 "staffing: {shifts: [{start: \"22:00\", length_h: 10, count: "
                                 "2, days: [Mon, TUE, sun], cycle: {on_days: 4, off_days: 4, "
                                 "from: 2018-01-01}, breaks: [{within: [\"23:00\", \"24:00\"], "
                                 "length_min: 30}]}]}}",
    "lines unquoted": "routing: {priority: [999, 101], reserve: {for_line: 999, "
                      "idle_operators: 1}}",
    "events and outages": "events:\n  - {name: storm, line: 999, from: 2018-03-05 18:00, "
                          "to: \"2018-03-05T21:00\", factor: 2}\n  - {name: bonfire, yearly: "
                          "{from: \"11-05 17:00\", to: \"11-06 00:30\"}, add_per_hour: 3}\n"
                          "outages:\n  - {name: power, pool: blended, from: 2018-3-5 6:00:00, "
                          "to: 2018-03-06}",
    "hours with spaces and a callback rule": "callback: {line: 101, offer_after_s: 60, "
                                             "accept_probability: 0.5, hours: \" 08:00 - "
                                             "24:00\", serve: {when_idle_at_least: 2}}",
    "staffing changes": "pools:\n  - {name: emergency, skills: [999], staffing: {flat: 1, "
                        "changes: [{from: 2018-03-05, scale: 1.5}]}}\n  - {name: blended, "
                        "skills: [999, 101], staffing: {flat: 2}}",
}


@pytest.mark.parametrize("what", READ_FORMS)
def test_what_the_loader_reads_validates(what: str, tmp_path: Path) -> None:
    text = centre(READ_FORMS[what])
    assert loads(text, tmp_path), what
    assert problems(editor_view(read_yaml(write(tmp_path / "f.yaml", text))[1])) == []
    assert problems(text_keys(yaml.load(text, _TimestampsAsText))) == []


def test_a_shifts_file_and_every_line_replayed_validate(tmp_path: Path) -> None:
    write(tmp_path / "shifts.yaml", 'shifts:\n  - {start: "07:00", length_h: 10, count: 3}\n')
    log = (SCENARIOS / "data" / "calls-2018-07-week.csv").as_posix()
    text = centre(f"horizon: null\ndemand: {{replay: {log}, handle_times: scenario, "
                  "from: 2018-07-02, to: \"2018-07-03T12:00\"}\n"
                  "pools:\n  - {name: emergency, skills: [999], staffing: {shifts: shifts.yaml}}\n"
                  "  - {name: blended, skills: [999, 101], staffing: {flat: 2}}")
    assert loads(text, tmp_path)
    assert problems(editor_view(yaml.safe_load(text))) == []


# --- the schema agrees with the loader, one field at a time ----------------------------------

#: Fields no rule ties to another: for these, the schema's verdict is the loader's.
LONE_FIELDS = [
    ("shrinkage",), ("seed",), ("handling", "999", "handle_time", "mean_s"),
    ("handling", "999", "patience", "mean_s"), ("handling", "101", "service_level_s"),
    ("demand", "101", "online_shift"), ("demand", "999", "growth"),
    ("pools", 1, "high_occupancy"), ("pools", 0, "shrinkage"), ("pools", 0, "staffing", "scale"),
    ("callback", "accept_probability"), ("callback", "max_attempts"),
]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**9),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(LONE_FIELDS), value=VALUES)
def test_the_schema_and_the_loader_agree_on_one_field(
    field: tuple[str | int, ...], value: Any, tmp_path: Path
) -> None:
    data = text_keys(yaml.safe_load(centre()))
    node = data
    for part in field[:-1]:
        node = node[part]
    node[field[-1]] = value
    by_loader = loads(yaml.safe_dump(data), tmp_path)
    found = problems(editor_view(data))
    assert (not found) == by_loader, (field, value, found)


# --- the command ----------------------------------------------------------------------------


def test_contactsim_schema_prints_writes_and_renders(tmp_path: Path) -> None:
    assert ok(invoke("schema")).stdout == schema_text()
    out = tmp_path / "mine" / SCHEMA_FILE_NAME
    out.parent.mkdir()
    ok(invoke("schema", "--out", out))
    assert out.read_text(encoding="utf-8") == schema_text()
    assert ok(invoke("schema", "--markdown")).stdout == render_markdown() + "\n"
