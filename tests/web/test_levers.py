"""The what-if page's levers: what a base offers, the overlay file a set of values makes, and
that the file loads to exactly the base with those fields changed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.build.loading import load_scenario
from contactsim.config.extends import text_keys
from contactsim.config.json_schema import scenario_schema
from contactsim.errors import ContactsimError
from contactsim.web.levers import levers_of, overlay_for
from contactsim.web.whatif_files import PAGE_MARK, base_fields, load_whatif, whatif_for
from helpers.scenarios import SCENARIOS, TINY_CENTRE

BASELINE = SCENARIOS / "baseline-2018.yaml"


def _dump(scenario: object) -> dict:
    dumped = scenario.model_dump()  # type: ignore[attr-defined]
    dumped.pop("name")
    dumped.pop("description")
    return dumped


def test_the_baseline_offers_the_levers_the_issue_names() -> None:
    keys = {lever.key for lever in levers_of(base_fields(BASELINE))}
    assert {"pools.blended.staff_percent", "pools.blended.shifts.0.count", "shrinkage",
            "callback.on", "callback.offer_after_min", "callback.accept_probability",
            "demand.101.online_shift", "demand.999.growth", "demand.101.growth",
            "resolution_centre.staff_percent"} <= keys
    assert "demand.999.online_shift" not in keys  # 999 callers never go online instead


def test_levers_not_moved_write_nothing() -> None:
    raw = base_fields(BASELINE)
    same = {lever.key: lever.value for lever in levers_of(raw)}
    assert overlay_for(raw, same) == {}


def test_shown_units_are_written_exactly() -> None:
    raw = base_fields(BASELINE)
    overlay = overlay_for(raw, {"callback.offer_after_min": 10, "callback.accept_probability": 7,
                                "shrinkage": 25, "demand.101.growth": 110})
    assert overlay == {"callback": {"offer_after_s": 600, "accept_probability": 0.07},
                       "shrinkage": 0.25, "demand": {"101": {"growth": 1.1}}}


def test_staff_percent_scales_the_plan_and_each_dated_change() -> None:
    raw = base_fields(BASELINE)
    blended = overlay_for(raw, {"pools.blended.staff_percent": 110})["pools"][0]
    assert blended["name"] == "blended"
    assert blended["staffing"]["scale"] == pytest.approx(1.12 * 1.1)
    assert [c["scale"] for c in blended["staffing"]["changes"]] == [pytest.approx(1.13 * 1.1)]


def test_a_shift_count_of_unnamed_shifts_rewrites_the_list_and_named_ones_merge(
    tmp_path: Path,
) -> None:
    raw = base_fields(BASELINE)
    shifts = overlay_for(raw, {"pools.blended.shifts.1.count": 6})["pools"][0]["staffing"]["shifts"]
    assert [s["count"] for s in shifts] == [4, 6, 3, 3, 2]  # unnamed: replaced whole
    named = tmp_path / "named.yaml"
    named.write_text(TINY_CENTRE.replace(
        "{name: emergency, skills: [\"999\"], staffing: {flat: 1}}",
        "{name: emergency, skills: [\"999\"], staffing: {shifts: ["
        "{name: early, start: \"07:00\", length_h: 10, count: 3}, "
        "{name: late, start: \"14:00\", length_h: 10, count: 4}]}}"))
    raw = base_fields(named)
    overlay = overlay_for(raw, {"pools.emergency.shifts.1.count": 5})
    assert overlay == {"pools": [{"name": "emergency",
                                  "staffing": {"shifts": [{"name": "late", "count": 5}]}}]}


def test_switching_callbacks_off_and_on() -> None:
    raw = base_fields(BASELINE)
    assert overlay_for(raw, {"callback.on": 0}) == {"callback": None}
    without = dict(raw, callback=None)
    without.pop("callback")
    assert overlay_for(without, {"callback.on": 1}) == {
        "callback": {"offer_after_s": 600.0, "accept_probability": 0.5}}


@pytest.mark.parametrize(("values", "words"), [
    ({"no.such.lever": 1}, "not a lever"),
    ({"shrinkage": 100}, "expected a value from 0 to 99.9"),
    ({"demand.101.growth": -5}, "expected a value from 0"),
    ({"shrinkage": "lots"}, "expected a number"),
])
def test_a_bad_value_is_refused_by_name(values: dict, words: str) -> None:
    with pytest.raises(ContactsimError, match=words):
        overlay_for(base_fields(BASELINE), values)


def test_the_file_says_where_it_came_from_and_how_to_get_its_numbers(tmp_path: Path) -> None:
    whatif = whatif_for(BASELINE, SCENARIOS, "more blended", {"shrinkage": 25}, 7, 11)
    assert whatif.path == SCENARIOS / "more_blended.yaml"
    assert PAGE_MARK in whatif.text
    assert whatif.text.startswith("# yaml-language-server: $schema=scenario.schema.json\n")
    assert "contactsim run more_blended.yaml --reps 7 --seed 11" in whatif.text
    document = yaml.safe_load(whatif.text)
    assert document["extends"] == "baseline-2018.yaml"
    assert document["shrinkage"] == 0.25
    assert "Shrinkage" in document["description"] and "30 → 25" in document["description"]


lever_moves = st.fixed_dictionaries({}, optional={
    "pools.blended.staff_percent": st.integers(50, 200),
    "pools.emergency.shifts.2.count": st.integers(0, 9),
    "shrinkage": st.sampled_from([0, 12.5, 25, 30, 45]),
    "callback.on": st.sampled_from([0, 1]),
    "callback.offer_after_min": st.sampled_from([0.5, 3, 10, 15]),
    "callback.accept_probability": st.integers(0, 100),
    "demand.101.online_shift": st.sampled_from([0, 5, 10.5]),
    "demand.999.growth": st.integers(80, 130),
    "resolution_centre.staff_percent": st.integers(50, 150),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=lever_moves)
def test_the_whatif_file_loads_to_the_base_with_exactly_those_fields_changed(
    values: dict,
) -> None:
    whatif = whatif_for(BASELINE, SCENARIOS, "property", values, 10, 2018)
    loaded = load_whatif(whatif).scenario
    base = load_scenario(BASELINE).scenario
    expected = _dump(base)
    callback_on = values.get("callback.on", 1)
    for key, shown in values.items():
        if key == "pools.blended.staff_percent":
            staffing = expected["pools"][1]["staffing"]
            staffing["scale"] = pytest.approx(1.12 * shown / 100)
            staffing["changes"][0]["scale"] = pytest.approx(1.13 * shown / 100)
        elif key == "pools.emergency.shifts.2.count":
            expected["pools"][0]["staffing"]["shifts"][2]["count"] = shown
        elif key == "shrinkage":
            expected["shrinkage"] = shown / 100
        elif key == "demand.101.online_shift":
            expected["demand"]["101"]["online_shift"] = shown / 100
        elif key == "demand.999.growth":
            expected["demand"]["999"]["growth"] = shown / 100
        elif key == "resolution_centre.staff_percent":
            expected["resolution_centre"]["staffing"]["scale"] = pytest.approx(shown / 100)
        elif key == "callback.offer_after_min" and callback_on:
            expected["callback"]["offer_after_s"] = shown * 60
        elif key == "callback.accept_probability" and callback_on:
            expected["callback"]["accept_probability"] = shown / 100
    if not callback_on:
        expected["callback"] = None
    assert _dump(loaded) == expected


def test_a_saved_whatif_passes_the_editors_schema() -> None:
    validator = jsonschema.Draft7Validator(scenario_schema())
    values = {"pools.blended.staff_percent": 120, "pools.blended.shifts.1.count": 5,
              "callback.on": 0, "demand.101.online_shift": 5}
    read = yaml.safe_load(whatif_for(BASELINE, SCENARIOS, "x", values, 10, 1).text)
    document = json.loads(json.dumps(text_keys(read), default=str))  # dates as the editor's text
    assert [error.message for error in validator.iter_errors(document)] == []
