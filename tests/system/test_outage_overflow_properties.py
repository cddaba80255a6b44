"""Outages and overflow on small random scenarios (hypothesis): every call accounted for, no
call answered by a pool in its outage, overflow at after_s (never sooner; at exactly after_s
when the neighbour takes every call), the neighbour never holding more calls than its lines,
time on the phones and outage time within time on duty, and an overflow never due giving the
numbers without it.

The scenarios are ``helpers.random_centres``' with an outage on one of their pools and an
overflow rule on one of their lines added; the checks read the per-call records, apart from
the tallies.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.outages import outage_windows_s
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine.plan import ShiftRoster
from contactsim.runs.replication import run_tallies
from helpers.golden import reduce
from helpers.random_centres import FAST, TIME_EPS_S, replications, scenarios, seeds


@st.composite
def with_outage_and_overflow(draw: st.DrawFn) -> tuple[Scenario, dict[str, Any]]:
    """A random centre with one pool out for part of its horizon (whole minutes from its
    start, a Monday) and one line overflowing; and what was added."""
    base = draw(scenarios())
    raw = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    minutes = round(base.horizon.end_s / 60)
    begin = draw(st.integers(0, minutes - 1))
    end = draw(st.integers(begin + 1, minutes + 30))
    pool = draw(st.sampled_from([p.name for p in base.pools]))
    raw["outages"] = [{"name": "out", "pool": pool,
                       "from": f"2018-01-01T{begin // 60:02d}:{begin % 60:02d}",
                       "to": f"2018-01-01T{end // 60:02d}:{end % 60:02d}"}]
    line = draw(st.sampled_from(sorted(base.demand)))
    overflow: dict[str, Any] = {"after_s": draw(st.floats(0.0, 600.0))}
    if draw(st.booleans()):
        overflow["capacity"] = draw(st.integers(1, 3))
    raw["handling"][line]["overflow"] = overflow
    return scenario_from_mapping(raw), {"pool": pool, "line": line, **overflow}


@FAST
@given(with_outage_and_overflow(), seeds, replications)
def test_every_call_ends_one_way_and_outages_and_overflow_keep_their_rules(
    case: tuple[Scenario, dict[str, Any]], seed: int, replication: int
) -> None:
    scenario, added = case
    tallies = run_tallies(scenario, seed, replication, keep_records=True)
    assert tallies.records is not None
    for name, tally in tallies.lines.items():
        outcomes = Counter(r.outcome for r in tallies.records
                           if r.line == name and r.arrival_s >= tallies.warmup_s)
        assert set(outcomes) <= {"answered", "abandoned", "overflowed", "waiting"}
        assert outcomes["answered"] == tally.total("answered")
        assert outcomes["abandoned"] == tally.total("abandoned")
        assert outcomes["overflowed"] == tally.total("overflowed")
        assert outcomes["waiting"] == tally.waiting_end
        assert sum(outcomes.values()) == tally.total("offered")
        if name != added["line"]:
            assert sum(tally.overflowed) == 0
    # nobody of the pool out answers a call in its outage
    windows = outage_windows_s(scenario, added["pool"])
    for record in tallies.records:
        if record.outcome == "answered" and record.pool == added["pool"]:
            at_s = record.arrival_s + record.wait_s
            assert not any(b + TIME_EPS_S < at_s < e - TIME_EPS_S for b, e in windows), record
    # overflow at after_s, never sooner; exactly then with a neighbour taking every call
    after_s, capacity = added["after_s"], added.get("capacity")
    line = [r for r in tallies.records if r.line == added["line"]]
    for record in line:
        if record.outcome == "overflowed":
            assert record.wait_s >= after_s - TIME_EPS_S
            if capacity is None:
                assert abs(record.wait_s - after_s) <= TIME_EPS_S
        elif capacity is None and record.outcome in ("answered", "abandoned"):
            assert record.wait_s <= after_s + TIME_EPS_S
    # the neighbour never holds more calls than it has lines
    if capacity is not None:
        spans = sorted((r.arrival_s + r.wait_s, r.arrival_s + r.wait_s + r.handle_s)
                       for r in line if r.outcome == "overflowed")
        for index, (start, _) in enumerate(spans):
            assert sum(1 for b, e in spans[: index + 1] if b <= start < e - TIME_EPS_S) <= capacity
    # on the phones and off them for the outage: never more than the time on duty by the
    # plan, and people finishing a call after their duty's end (at most the call); off the
    # phones only in the windows, at most as many as the plan has on duty (4)
    pool = tallies.pools[added["pool"]]
    staffing = model_inputs(scenario, Streams(seed, replication)).pools[
        [p.name for p in scenario.pools].index(added["pool"])].staffing
    plan = staffing.on_duty(tallies.end_s) if isinstance(staffing, ShiftRoster) else staffing
    on_duty_s = plan.operator_hours(tallies.end_s, tallies.warmup_s) * 3600.0
    finishing_s = sum(r.handle_s for r in tallies.records
                      if r.outcome == "answered" and r.pool == added["pool"])
    assert pool.outage_s >= 0.0
    assert pool.staffed_s + pool.outage_s <= on_duty_s + finishing_s + TIME_EPS_S
    outage_s = sum(max(0.0, min(e, tallies.end_s) - max(b, tallies.warmup_s))
                   for b, e in windows)
    assert pool.outage_s <= 4 * outage_s + TIME_EPS_S


@FAST
@given(scenarios(), seeds, replications, st.integers(1, 3))
def test_an_overflow_never_due_gives_exactly_the_numbers_without_it(
    scenario: Scenario, seed: int, replication: int, capacity: int
) -> None:
    raw = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for handling in raw["handling"].values():
        handling["overflow"] = {"after_s": scenario.horizon.end_s, "capacity": capacity}
    never = scenario_from_mapping(raw)
    assert reduce(run_tallies(never, seed, replication)) == reduce(
        run_tallies(scenario, seed, replication))
