"""Properties of shifts and breaks over random rosters and random callers: in every interval a
pool is never busier than its time on the phones (a person on a break takes no call, a person
off duty none either), every break due is taken or missed exactly once, the per-interval
series add up to the totals, and every call is accounted for (the model's own check)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import ShiftDuty, ShiftRoster
from helpers.traces import line

EPS_S = 1e-6
END_S = 4 * 3600.0
INTERVAL_S = 900.0


@st.composite
def duties(draw: st.DrawFn) -> ShiftDuty:
    begin = draw(st.floats(0.0, END_S - 900.0))
    end = draw(st.floats(begin + 300.0, min(begin + 3 * 3600.0, END_S - 1.0)))
    people = draw(st.integers(1, 3))
    breaks = []
    for _ in range(people):
        n = draw(st.integers(0, 2))
        starts = sorted(draw(st.lists(st.floats(begin, end - 1.0), min_size=n, max_size=n)))
        lengths = draw(st.lists(st.floats(30.0, 900.0), min_size=n, max_size=n))
        breaks.append(tuple(zip(starts, lengths, strict=True)))
    return ShiftDuty(begin, end, tuple(breaks))


@settings(max_examples=60, deadline=None)
@given(st.lists(duties(), min_size=1, max_size=5),
       st.lists(st.floats(0.0, END_S - 1.0), max_size=80),
       st.lists(st.floats(10.0, 900.0), min_size=80, max_size=80),
       st.sampled_from([0.0, 1800.0]))
def test_busy_never_exceeds_time_on_the_phones_and_breaks_are_counted_once(
    roster: list[ShiftDuty], arrivals: list[float], handles: list[float], warmup_s: float
) -> None:
    arrivals = sorted(arrivals)
    tallies = simulate(ModelInputs(
        [line("101", arrivals, handles[: len(arrivals)], patiences=[600.0] * len(arrivals))],
        [PoolInputs("p", ("101",), ShiftRoster(tuple(sorted(roster, key=lambda d: d.begin_s))))],
        ModelSettings(end_s=END_S, warmup_s=warmup_s, interval_s=INTERVAL_S),
    ))
    pool = tallies.pools["p"]
    n = math.ceil(END_S / INTERVAL_S)
    assert len(pool.busy_s_by_interval) == len(pool.staffed_s_by_interval) == n
    first = round(warmup_s / INTERVAL_S)
    for busy, staffed in zip(pool.busy_s_by_interval[first:], pool.staffed_s_by_interval[first:],
                             strict=True):
        assert -EPS_S <= busy <= staffed + EPS_S
        assert staffed <= sum(d.people for d in roster) * INTERVAL_S + EPS_S
    assert math.isclose(sum(pool.busy_s_by_interval[first:]), pool.busy_s, abs_tol=EPS_S)
    assert math.isclose(sum(pool.staffed_s_by_interval[first:]), pool.staffed_s,
                        abs_tol=EPS_S)
    # breaks of the duties that began in the window (and ended before the horizon did): each
    # taken or missed, once
    due = sum(len(person) for d in roster if d.begin_s >= warmup_s for person in d.breaks_s)
    assert pool.breaks_taken + pool.breaks_missed == due
    assert pool.breaks_late <= pool.breaks_taken
    assert pool.shifts == sum(d.people for d in roster if d.begin_s >= warmup_s)
    assert pool.high_occupancy_shifts <= pool.shifts
    assert pool.longest_stretch_max_s <= END_S
