"""Hand-worked traces of outages: a pool's people off the phones for a window, its calls going
to the other pools; people on a call finish it first; breaks in the outage taken on time;
people coming on duty in it, and a staffing plan changing in it; and what each counts — time on
the phones, outage hours, the operator-shift's time on the phones.

Each trace drives :func:`~contactsim.engine.builder.simulate` with fixed arrival and handle
times; every number is worked out on paper first. Times are in seconds.
"""

from __future__ import annotations

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import ShiftDuty, ShiftRoster, StaffingPlan
from contactsim.engine.records import RunTallies
from helpers.traces import all_kpis, by_arrival, line

FLAT_ONE = StaffingPlan((0.0,), (1,))


def run(pools: list[PoolInputs], arrivals: list[float], handles: list[float], end_s: float,
        ) -> RunTallies:
    return simulate(ModelInputs(
        [line("101", arrivals, handles)], pools,
        ModelSettings(end_s=end_s, interval_s=end_s, keep_records=True),
    ))


def test_an_outage_sends_the_pool_s_calls_to_the_other_pool_after_the_call_in_hand() -> None:
    # Pools a and b, one operator each, both serving 101 (a listed first); a out 100-500.
    #   t=50:  A rings: a's operator (a first) answers, ends 150
    #   t=100: a's outage begins: its operator is on a call: finishes it first
    #   t=120: B rings: nobody free in a: b answers at once, ends 320
    #   t=150: A ends: a's operator goes off the phones
    #   t=200: C rings: a is out, b busy: C queues
    #   t=320: B ends: b takes C (waited 120), ends 420
    #   t=400: D rings: queues; t=420: b takes D (waited 20), ends 720
    #   t=500: the outage ends: a's operator is back, free
    #   t=600: E rings: a (listed first, free) answers at once, ends 650
    tallies = run(
        [PoolInputs("a", ("101",), FLAT_ONE, outages_s=((100.0, 500.0),)),
         PoolInputs("b", ("101",), FLAT_ONE)],
        [50.0, 120.0, 200.0, 400.0, 600.0], [100.0, 200.0, 100.0, 300.0, 50.0], end_s=1000.0)
    records = by_arrival(tallies, "101")
    assert [(r.pool, r.wait_s) for r in records] == [
        ("a", 0.0), ("b", 0.0), ("b", 120.0), ("b", 20.0), ("a", 0.0)]
    a, b = tallies.pools["a"], tallies.pools["b"]
    # a: off the phones 150-500 (350 s), not counted as on the phones; busy 100 + 50
    assert (a.staffed_s, a.outage_s, a.busy_s) == (650.0, 350.0, 150.0)
    assert (b.staffed_s, b.outage_s, b.busy_s) == (1000.0, 0.0, 600.0)
    kpis = all_kpis(tallies)
    assert kpis[("a", "outage_hours")] == pytest.approx(350.0 / 3600.0, rel=1e-12)
    assert kpis[("b", "outage_hours")] == 0.0
    assert kpis[("a", "occupancy")] == pytest.approx(150.0 / 650.0, rel=1e-12)
    assert (a.breaks_taken, a.breaks_missed) == (0, 0)  # an outage is not a break


def test_a_pool_out_with_nobody_else_for_its_line_queues_its_calls_until_it_ends() -> None:
    # One pool, one operator, out 100-400. A rings at 200, waits to 400, ends 450.
    tallies = run([PoolInputs("a", ("101",), FLAT_ONE, outages_s=((100.0, 400.0),))],
                  [200.0], [50.0], end_s=600.0)
    assert [(r.outcome, r.wait_s) for r in by_arrival(tallies, "101")] == [("answered", 200.0)]
    assert (tallies.pools["a"].staffed_s, tallies.pools["a"].outage_s) == (300.0, 300.0)


def test_breaks_in_an_outage_are_taken_on_time_and_people_coming_on_duty_stay_off() -> None:
    # Pool p on shifts: P1 on duty 0-1000 with a 100 s break due at 300; P2 on duty 400-1200.
    # Pool q: one operator throughout. p is out 200-600; both serve 101, p listed first.
    #   t=100: A rings: P1 answers, ends 250
    #   t=200: p's outage begins: P1 on a call
    #   t=250: A ends: P1 off the phones
    #   t=300: P1's break comes due: taken on time, 300-400 (a break, not outage)
    #   t=350: C rings: nobody free in p: q answers at once, ends 360
    #   t=400: P2 comes on duty: straight off the phones; P1 back from the break: off again
    #   t=600: the outage ends: P2 and P1 free (in the order they went off the phones)
    #   t=700: B rings: P2, free the longest (first back), answers, ends 800
    #   t=1000: P1's duty ends; t=1200: P2's (the horizon's end)
    p = ShiftRoster((ShiftDuty(0.0, 1000.0, (((300.0, 100.0),),)),
                     ShiftDuty(400.0, 1200.0, ((),))))
    tallies = run([PoolInputs("p", ("101",), p, outages_s=((200.0, 600.0),)),
                   PoolInputs("q", ("101",), FLAT_ONE)],
                  [100.0, 350.0, 700.0], [150.0, 10.0, 100.0], end_s=1200.0)
    assert [(r.pool, r.wait_s) for r in by_arrival(tallies, "101")] == [
        ("p", 0.0), ("q", 0.0), ("p", 0.0)]
    pool = tallies.pools["p"]
    # off the phones: P1 250-300 and 400-600 (250 s), P2 400-600 (200 s)
    assert pool.outage_s == 450.0
    # on the phones: P1 1000 - 100 (break) - 250 = 650; P2 800 - 200 = 600
    assert pool.staffed_s == 1250.0
    assert (pool.breaks_taken, pool.breaks_late, pool.breaks_missed) == (1, 0, 0)
    assert (pool.busy_s, pool.shifts) == (250.0, 2)


def test_an_operator_shift_busy_in_all_its_time_on_the_phones_is_high_occupancy() -> None:
    # One person on duty 0-1000, out 100-900: on the phones 0-100 and 900-1000 (200 s).
    # A call 0-100 and another 900-1000: busy 200 of 200 s on the phones: high occupancy
    # (counting the outage as time on the phones would make it 200 of 1000).
    roster = ShiftRoster((ShiftDuty(0.0, 1000.0, ((),)),))
    tallies = run([PoolInputs("p", ("101",), roster, outages_s=((100.0, 900.0),))],
                  [0.0, 900.0], [100.0, 100.0], end_s=1000.0)
    pool = tallies.pools["p"]
    assert (pool.staffed_s, pool.outage_s, pool.busy_s) == (200.0, 800.0, 200.0)
    assert (pool.shifts, pool.high_occupancy_shifts) == (1, 1)


def test_a_duty_ending_in_an_outage_ends_as_usual() -> None:
    # P1 on duty 0-300, out from 100 (free then): goes at 300, off the phones 100-300.
    roster = ShiftRoster((ShiftDuty(0.0, 300.0, ((),)),))
    tallies = run([PoolInputs("p", ("101",), roster, outages_s=((100.0, 500.0),))],
                  [], [], end_s=600.0)
    pool = tallies.pools["p"]
    assert (pool.staffed_s, pool.outage_s, pool.shifts) == (100.0, 200.0, 1)


def test_a_staffing_plan_changing_in_an_outage_lets_people_off_the_phones_go_first() -> None:
    # Pool p on a plan: 2 on duty from 0, 1 from 300, 3 from 500; out 100-600. q: one operator.
    #   t=50:  A rings: p's first operator O1 answers, ends 250
    #   t=100: the outage: O2 (free) off the phones; O1 on a call
    #   t=250: A ends: O1 off the phones
    #   t=300: the plan falls to 1: O1, the latest off the phones, goes off duty (out 50 s)
    #   t=500: the plan rises to 3: O3 and O4 come on duty, straight off the phones
    #   t=600: the outage ends: O2, O3 and O4 back
    # Off the phones: O2 100-600 (500), O1 250-300 (50), O3 and O4 500-600 (200): 750 s.
    # On duty 2 x 300 + 1 x 200 + 3 x 500 = 2300 operator-seconds, less 750 off the phones.
    plan = StaffingPlan((0.0, 300.0, 500.0), (2, 1, 3))
    tallies = run([PoolInputs("p", ("101",), plan, outages_s=((100.0, 600.0),)),
                   PoolInputs("q", ("101",), FLAT_ONE)],
                  [50.0, 700.0], [200.0, 10.0], end_s=1000.0)
    pool = tallies.pools["p"]
    assert (pool.outage_s, pool.staffed_s) == (750.0, 1550.0)
    assert [r.pool for r in by_arrival(tallies, "101")] == ["p", "p"]


def test_outage_time_in_the_warm_up_is_not_counted() -> None:
    # Out 0-300 with a warm-up of 200 s (intervals of 100 s): 100 s counted.
    tallies = simulate(ModelInputs(
        [line("101", [], [])],
        [PoolInputs("a", ("101",), FLAT_ONE, outages_s=((0.0, 300.0),))],
        ModelSettings(end_s=1000.0, warmup_s=200.0, interval_s=100.0),
    ))
    pool = tallies.pools["a"]
    assert (pool.outage_s, pool.staffed_s) == (100.0, 700.0)
    assert pool.staffed_s_by_interval == [0.0] * 3 + [100.0] * 7


@pytest.mark.parametrize("windows", [((300.0, 100.0),), ((0.0, 200.0), (200.0, 300.0)),
                                     ((-1.0, 100.0),)])
def test_outage_windows_out_of_order_touching_or_before_the_start_are_refused(
        windows: tuple[tuple[float, float], ...]) -> None:
    with pytest.raises(ValueError, match="outage windows"):
        PoolInputs("a", ("101",), FLAT_ONE, outages_s=windows)
