"""Outages and overflow from a scenario: the fields as a planner writes them, bad ones refused,
outage windows clipped and merged, each feature off giving exactly the numbers without it,
common random numbers before an outage, and every call accounted for with both on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contactsim.analysis.kpis import kpi_rows
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.outages import outage_windows_s
from contactsim.config.scenario import Scenario
from contactsim.engine.records import RunTallies
from contactsim.errors import ScenarioError
from contactsim.output.scenario_words import scenario_in_words
from contactsim.runs.replication import run_tallies
from helpers.golden import reduce

#: Two lines for two days from Saturday 14 July 2018: a 999 pool and a blended pool.
BASE: dict[str, Any] = {
    "name": "outages",
    "horizon": {"start": "2018-07-14", "days": 2, "interval_minutes": 60},
    "demand": {"999": {"rate_per_hour": 20.0}, "101": {"rate_per_hour": 15.0}},
    "handling": {
        "999": {"handle_time": {"dist": "lognormal", "mean_s": 270, "cv": 0.8},
                "patience": {"dist": "exponential", "mean_s": 300}},
        "101": {"handle_time": {"dist": "lognormal", "mean_s": 390, "cv": 0.9},
                "patience": {"dist": "exponential", "mean_s": 900}},
    },
    "pools": [
        {"name": "emergency", "skills": ["999"], "staffing": {"flat": 2}},
        {"name": "blended", "skills": ["999", "101"],
         "staffing": {"shifts": [{"start": "07:00", "length_h": 12, "count": 3,
                                  "breaks": [{"after_h": 4, "length_min": 30}]},
                                 {"start": "19:00", "length_h": 12, "count": 2}]}},
    ],
}
OUTAGE = {"name": "site-a-power", "pool": "blended", "from": "2018-07-14T18:00",
          "to": "2018-07-14T22:00"}
SEED = 11


def scenario(**fields: Any) -> Scenario:
    raw = copy.deepcopy(BASE)
    overflow = fields.pop("overflow", None)
    if overflow is not None:
        raw["handling"]["999"]["overflow"] = overflow
    raw.update(fields)
    return scenario_from_mapping(raw)


def run(built: Scenario, keep_records: bool = False) -> RunTallies:
    return run_tallies(built, seed=SEED, replication=0, keep_records=keep_records)


def kpis(tallies: RunTallies) -> dict[tuple[str, str], float | str]:
    return {(scope, kpi): "nan" if value != value else value
            for scope, kpi, value in kpi_rows(tallies)}


# --- the fields -------------------------------------------------------------------------------


def test_outages_and_overflow_are_read_as_a_planner_writes_them() -> None:
    built = scenario(outages=[OUTAGE, {"name": "day", "pool": "emergency",
                                       "from": "2018-07-15", "to": "2018-07-15T01:30"}],
                     overflow={"after_s": 30, "capacity": 5})
    assert [(o.name, o.pool) for o in built.outages] == [("site-a-power", "blended"),
                                                        ("day", "emergency")]
    # a date alone is its midnight; seconds from the horizon's start (14 July, midnight)
    assert outage_windows_s(built, "blended") == ((18 * 3600.0, 22 * 3600.0),)
    assert outage_windows_s(built, "emergency") == ((86400.0, 86400.0 + 5400.0),)
    overflow = built.handling["999"].overflow
    assert overflow is not None and (overflow.after_s, overflow.capacity) == (30.0, 5)
    unlimited = scenario(overflow={"after_s": 30}).handling["999"].overflow
    assert unlimited is not None and unlimited.capacity is None


def test_outage_windows_are_clipped_to_the_horizon_and_merged_where_they_meet() -> None:
    built = scenario(outages=[
        {"name": "before", "pool": "blended", "from": "2018-07-13T20:00",
         "to": "2018-07-14T02:00"},
        {"name": "b", "pool": "blended", "from": "2018-07-14T05:00", "to": "2018-07-14T06:00"},
        {"name": "a", "pool": "blended", "from": "2018-07-14T04:00", "to": "2018-07-14T05:00"},
        {"name": "c", "pool": "blended", "from": "2018-07-14T05:30", "to": "2018-07-14T08:00"},
        {"name": "after", "pool": "blended", "from": "2018-07-15T23:00",
         "to": "2018-07-16T03:00"},
        {"name": "outside", "pool": "blended", "from": "2018-08-01", "to": "2018-08-02"},
    ])
    hour = 3600.0
    assert outage_windows_s(built, "blended") == (
        (0.0, 2 * hour), (4 * hour, 8 * hour), (47 * hour, 48 * hour))
    assert outage_windows_s(built, "emergency") == ()


@pytest.mark.parametrize(("fields", "where", "expected"), [
    ({"outages": [dict(OUTAGE, pool="nobody")]}, "outages[0].pool", "a pool among"),
    ({"outages": [OUTAGE, OUTAGE]}, "outages[1].name", "an outage name used once"),
    ({"outages": [dict(OUTAGE, to="2018-07-14T18:00")]}, "outages[0]",
     "from must be before to"),
    ({"outages": [dict(OUTAGE, until="2018-07-14T19:00")]}, "outages[0].until",
     "a known field (name, pool, from, to)"),
    ({"overflow": {"after_s": 30, "capacity": 0}}, "handling.999.overflow.capacity",
     "greater than or equal to 1"),
    ({"overflow": {"after_s": -1}}, "handling.999.overflow.after_s", "greater than or equal"),
    ({"overflow": {"capacity": 3}}, "handling.999.overflow.after_s", "given"),
])
def test_bad_outages_and_overflow_rules_are_refused_at_their_field(
        fields: dict[str, Any], where: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario(**fields)
    text = str(caught.value)
    assert f": {where}: " in text and expected in text, text


def test_the_scenario_in_words_says_who_is_off_the_phones_when_and_where_calls_overflow(
) -> None:
    built = scenario(outages=[OUTAGE], overflow={"after_s": 30, "capacity": 5})
    words = scenario_in_words(built.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert ("blended off the phones 18:00 Sat 14 Jul 2018 to 22:00 Sat 14 Jul 2018 "
            "(site-a-power)") in words
    assert "line 999: calls queueing 30 s go to a neighbouring force (5 lines)" in words


# --- each off gives exactly the numbers without it ----------------------------------------------


def test_no_outage_in_the_horizon_and_an_overflow_never_due_give_exactly_today_s_numbers(
) -> None:
    today = run(scenario())
    outside = run(scenario(outages=[dict(OUTAGE, **{"from": "2018-09-01", "to": "2018-09-02"})]))
    never = run(scenario(overflow={"after_s": 10 * 86400.0, "capacity": 1}))
    empty = run(scenario(outages=[]))
    for other in (outside, never, empty):
        assert reduce(other) == reduce(today)
        assert kpis(other) == kpis(today)


def test_an_outage_leaves_everything_before_it_as_it_was() -> None:
    # the same callers (common random numbers): every interval before 18:00 is the same
    today, out = run(scenario()), run(scenario(outages=[OUTAGE]))
    for name in ("999", "101"):
        for series in ("offered", "answered", "abandoned", "answered_within", "wait_sum_s"):
            before = getattr(today.lines[name], series)[:18]
            assert getattr(out.lines[name], series)[:18] == before
        assert out.lines[name].offered == today.lines[name].offered  # the same callers ring
    assert out.pools["blended"].staffed_s_by_interval[:18] == (
        today.pools["blended"].staffed_s_by_interval[:18])
    # 18:00-22:00: blended's people on a call at 18:00 finish it, then nobody is on the
    # phones; three people on duty 18:00-19:00 and two 19:00-22:00 (no breaks then) are off
    # the phones the rest of the time
    blended = out.pools["blended"]
    finishing_s = blended.staffed_s_by_interval[18]
    assert 0.0 < finishing_s < today.pools["blended"].staffed_s_by_interval[18]
    assert blended.staffed_s_by_interval[19:22] == [0.0] * 3
    assert blended.outage_s == pytest.approx(9 * 3600.0 - finishing_s, rel=1e-12)
    assert out.pools["emergency"].outage_s == 0.0


# --- both on: every call accounted for ------------------------------------------------------------


def test_with_an_outage_and_overflow_every_call_ends_one_way_and_the_records_agree() -> None:
    tallies = run(scenario(outages=[OUTAGE], overflow={"after_s": 20, "capacity": 2}),
                  keep_records=True)
    assert tallies.records is not None
    line = tallies.lines["999"]
    # the model's own check passed (offered = answered + abandoned + callbacks accepted +
    # overflowed + still waiting); the records tell the same story
    outcomes = [r.outcome for r in tallies.records if r.line == "999"]
    assert outcomes.count("overflowed") == line.total("overflowed") > 0
    assert len(outcomes) == line.total("offered")
    for record in tallies.records:
        if record.outcome == "overflowed":
            assert record.wait_s >= 20.0 - 1e-9
        if record.pool == "blended" and record.outcome == "answered":
            answered_at = record.arrival_s + record.wait_s
            assert not 18 * 3600.0 <= answered_at < 22 * 3600.0
    # at most two calls on the neighbour's lines at once
    spans = sorted((r.arrival_s + r.wait_s, r.arrival_s + r.wait_s + r.handle_s)
                   for r in tallies.records if r.outcome == "overflowed")
    for index, (start, _) in enumerate(spans):
        assert sum(1 for begin, end in spans[: index + 1] if begin <= start < end) <= 2
