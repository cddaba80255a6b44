"""Hand-worked traces of the reserve of idle multi-skilled operators for 999 and of staffing
changes (operators coming on and going off duty): every wait is worked out on paper first.

As in ``test_traces.py``, each trace drives :func:`~contactsim.engine.builder.simulate` with
fixed arrival times, handle times and patience; times are in seconds.
"""

from __future__ import annotations

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import RunTallies
from helpers.traces import all_kpis, by_arrival, line, pool

# --- reserve of idle multi-skilled operators for 999 ---------------------------------------


def reserve_trace(reserve_idle: int) -> RunTallies:
    return simulate(ModelInputs(
        [
            line("999", [50.0, 120.0], [100.0, 100.0], service_level_s=10.0),
            line("101", [0.0, 10.0, 20.0], [100.0, 100.0, 100.0]),
        ],
        [pool("multi", ("999", "101"), 2)],
        ModelSettings(
            end_s=1000.0,
            priority=("999", "101"),
            reserve_line="999",
            reserve_idle=reserve_idle,
            keep_records=True,
        ),
    ))


def test_reserve_holds_back_101_calls_to_keep_an_operator_idle_for_999() -> None:
    # Two multi-skilled operators, one kept idle for 999 (a 101 call is taken only if at least
    # one *other* operator stays idle). Every handle 100.
    #   t=0:   101 A: 2 idle, answering leaves 1 idle >= 1: answered by op1 (wait 0), ends 100
    #   t=10:  101 B: 1 idle, answering would leave 0: queued
    #   t=20:  101 C: queued
    #   t=50:  999 D: the reserve is for it: op2 answers (wait 0), ends 150; 0 idle
    #   t=100: op1 frees; 101 waiting but 0 others idle: op1 goes idle (holds the reserve)
    #   t=120: 999 E: op1 answers at once (wait 0), ends 220; 0 idle
    #   t=150: op2 frees; 0 others idle: op2 goes idle
    #   t=220: op1 frees; op2 idle (1 >= 1): op1 takes B, wait 220 - 10 = 210, ends 320
    #   t=320: op1 frees; op2 still idle: takes C, wait 320 - 20 = 300, ends 420
    tallies = reserve_trace(reserve_idle=1)
    assert [r.wait_s for r in by_arrival(tallies, "999")] == [0.0, 0.0]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 210.0, 300.0]


def test_without_reserve_the_same_calls_make_999_wait() -> None:
    # The same callers with no reserve:
    #   t=0: 101 A op1 until 100; t=10: 101 B op2 until 110; t=20: 101 C queued
    #   t=50:  999 D queued
    #   t=100: op1 takes D (999 first), wait 100 - 50 = 50, until 200
    #   t=110: op2 takes C, wait 110 - 20 = 90, until 210
    #   t=120: 999 E queued; t=200: op1 takes E, wait 200 - 120 = 80
    tallies = reserve_trace(reserve_idle=0)
    assert [r.wait_s for r in by_arrival(tallies, "999")] == [50.0, 80.0]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 0.0, 90.0]


def test_specialist_pool_ignores_the_reserve() -> None:
    # Only pools serving 999 and other lines hold the reserve: a 101-only pool of one operator
    # answers 101 calls freely even with reserve_idle=1 (100 + 100 back to back).
    tallies = simulate(ModelInputs(
        [line("999", [], []), line("101", [0.0, 10.0], [100.0, 100.0])],
        [pool("nonemergency", ("101",), 1), pool("emergency", ("999",), 1)],
        ModelSettings(
            end_s=1000.0,
            priority=("999", "101"),
            reserve_line="999",
            reserve_idle=1,
            keep_records=True,
        ),
    ))
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 90.0]


# --- staffing changes -------------------------------------------------------------------------


def staffing_trace(plan: StaffingPlan) -> RunTallies:
    return simulate(ModelInputs(
        [line("101", [0.0, 10.0, 50.0, 60.0], [150.0, 120.0, 100.0, 100.0])],
        [PoolInputs("all", ("101",), plan)],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))


def test_busy_operator_finishes_the_call_then_goes_off_duty() -> None:
    # Two operators until 100, one after. Calls at 0 (150), 10 (120), 50 (100), 60 (100):
    #   t=0:   op1 takes call 0 until 150;  t=10: op2 takes call 1 until 130
    #   t=50, 60: both busy, calls 2 and 3 queue
    #   t=100: the plan drops to 1; both are busy, so one of them is due to go when free
    #   t=130: op2 frees and goes off duty: call 2, waiting, is NOT taken
    #   t=150: op1 frees, takes call 2: wait 150 - 50 = 100, until 250
    #   t=250: op1 takes call 3: wait 250 - 60 = 190, until 350
    # Staffed: 2 × 100 (0..100) + 2 × 30 (100..130, the leaver is still on the phone)
    #          + 1 × 870 (130..1000) = 200 + 60 + 870 = 1130 operator-seconds.
    # Busy: 150 + 120 + 100 + 100 = 470.
    tallies = staffing_trace(StaffingPlan(times_s=(0.0, 100.0), operators=(2, 1)))
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 0.0, 100.0, 190.0]
    assert tallies.pools["all"].staffed_s == 1130.0
    assert tallies.pools["all"].busy_s == 470.0
    assert all_kpis(tallies)[("all", "occupancy")] == pytest.approx(470.0 / 1130.0, rel=1e-12)


def test_operator_due_to_leave_stays_when_the_plan_rises_again() -> None:
    # As above, but the plan is back to 2 at 120, before anyone has freed: the pending
    # departure is cancelled, so op2 stays on at 130 and takes call 2.
    #   t=130: op2 takes call 2: wait 130 - 50 = 80, until 230
    #   t=150: op1 takes call 3: wait 150 - 60 = 90, until 250
    # Staffed: 2 operators on duty all along: 2 × 1000 = 2000.
    tallies = staffing_trace(StaffingPlan(times_s=(0.0, 100.0, 120.0), operators=(2, 1, 2)))
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 0.0, 80.0, 90.0]
    assert tallies.pools["all"].staffed_s == 2000.0


def test_new_operator_takes_the_longest_waiting_call_at_once() -> None:
    # One operator until 100, two after. Calls at 0 (150), 10 (120), 50 (100), 60 (100):
    #   t=0: op1 takes call 0 until 150; calls 1, 2, 3 queue
    #   t=100: op2 comes on and takes call 1: wait 100 - 10 = 90, until 220
    #   t=150: op1 takes call 2: wait 150 - 50 = 100, until 250
    #   t=220: op2 takes call 3: wait 220 - 60 = 160
    # Staffed: 1 × 100 + 2 × 900 = 1900.
    tallies = staffing_trace(StaffingPlan(times_s=(0.0, 100.0), operators=(1, 2)))
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 90.0, 100.0, 160.0]
    assert tallies.pools["all"].staffed_s == 1900.0
    assert tallies.pools["all"].busy_s == 470.0


def test_idle_operators_go_off_duty_at_once() -> None:
    # Two operators until 100, none after; nobody is busy at 100, so staffed time stops there:
    # 2 × 100 = 200. A call at 150 is never answered and is still waiting at the end (1000):
    # recorded wait 1000 - 150 = 850.
    tallies = simulate(ModelInputs(
        [line("101", [150.0], [100.0])],
        [PoolInputs("all", ("101",), StaffingPlan(times_s=(0.0, 100.0), operators=(2, 0)))],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))
    assert tallies.pools["all"].staffed_s == 200.0
    assert [(r.outcome, r.wait_s) for r in by_arrival(tallies, "101")] == [("waiting", 850.0)]
    assert all_kpis(tallies)[("101", "waiting_end")] == 1.0
