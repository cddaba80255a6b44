"""Hand-worked traces of shifts and breaks: people coming on and off duty by their own duty,
breaks delayed by a call (never shortened), staggered breaks, breaks missed at the end of a
shift; and what each counts — time on the phones and busy per interval, the late and missed
breaks, the longest busy stretch of each operator-shift.

Each trace drives :func:`~contactsim.engine.builder.simulate` with fixed arrival and handle
times; every number is worked out on paper first. Times are in seconds.
"""

from __future__ import annotations

from datetime import date

import pytest

from contactsim.build.staffing import roster_from, staggered_breaks
from contactsim.config.horizon import Horizon
from contactsim.config.pools import Shift, Staffing
from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import ShiftDuty, ShiftRoster
from contactsim.engine.records import PoolTally, RunTallies
from helpers.traces import by_arrival, line


def run(duties: list[ShiftDuty], arrivals: list[float], handles: list[float], end_s: float,
        interval_s: float = 600.0, high_occupancy: float = 0.85) -> RunTallies:
    return simulate(ModelInputs(
        [line("101", arrivals, handles)],
        [PoolInputs("p", ("101",), ShiftRoster(tuple(duties)), high_occupancy)],
        ModelSettings(end_s=end_s, interval_s=interval_s, keep_records=True),
    ))


def pool_of(tallies: RunTallies) -> PoolTally:
    return tallies.pools["p"]


def test_a_break_due_during_a_call_starts_when_the_call_ends_and_is_not_shortened() -> None:
    # One operator on duty 0-3600, a 300 s break due at 600.
    #   t=500:  call A answered at once, ends 700
    #   t=600:  the break comes due; the operator is busy: owed
    #   t=650:  call B rings: nobody free, it queues
    #   t=700:  A ends: the break starts (100 s late), B still waits
    #   t=1000: the break ends (all 300 s): B answered, waited 1000 - 650 = 350, ends 1100
    tallies = run([ShiftDuty(0.0, 3600.0, (((600.0, 300.0),),))],
                  [500.0, 650.0], [200.0, 100.0], end_s=3600.0)
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 350.0]
    pool = pool_of(tallies)
    assert (pool.breaks_taken, pool.breaks_late, pool.break_late_sum_s,
            pool.break_late_max_s, pool.breaks_missed) == (1, 1, 100.0, 100.0, 0)
    # on the phones 3600 - 300 (the break); busy 200 + 100
    assert (pool.staffed_s, pool.busy_s) == (3300.0, 300.0)
    # per 600 s interval: busy 500-600 | 600-700 and 1000-1100 | nothing after
    assert pool.busy_s_by_interval == [100.0, 200.0, 0.0, 0.0, 0.0, 0.0]
    # on the phones: all of 0-600; 600-700 and 1000-1200 of the second; then whole intervals
    assert pool.staffed_s_by_interval == [600.0, 300.0, 600.0, 600.0, 600.0, 600.0]
    # one operator-shift; its longest unbroken busy stretch is A's 200 s (the break ends it)
    assert (pool.shifts, pool.longest_stretch_sum_s, pool.longest_stretch_max_s) == (
        1, 200.0, 200.0)
    assert pool.high_occupancy_shifts == 0  # 300 / 3300


def test_a_free_operator_breaks_on_time_and_takes_no_call_on_the_break() -> None:
    # Two operators 0-1200; op 1's break due at 100 (200 s), op 2's at 600 (200 s).
    #   t=100: op 1 is free: on break until 300 (on time)
    #   t=150: A rings: op 2 (the only free one) answers, ends 450
    #   t=200: B rings: op 1 is on a break, op 2 busy: B waits
    #   t=300: op 1 back: takes B, waited 100, ends 400
    #   t=600: op 2 free: breaks on time until 800
    tallies = run([ShiftDuty(0.0, 1200.0, (((100.0, 200.0),), ((600.0, 200.0),)))],
                  [150.0, 200.0], [300.0, 100.0], end_s=1200.0, interval_s=1200.0)
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 100.0]
    pool = pool_of(tallies)
    assert (pool.breaks_taken, pool.breaks_late, pool.breaks_missed) == (2, 0, 0)
    assert pool.staffed_s == 2 * 1200.0 - 2 * 200.0
    assert pool.shifts == 2


def test_people_go_at_the_end_of_their_own_duty_finishing_the_call_in_hand() -> None:
    # Duty 1: one person 0-3600; duty 2: one person 3600-7200.
    #   t=3500: A answered by person 1, ends 3800 (after their duty's end)
    #   t=3550: B rings: person 1 busy, person 2 not yet on: B waits
    #   t=3600: person 2 comes on and takes B (waited 50), ends 3700; person 1 stays on
    #   t=3800: person 1 ends A and goes
    tallies = run([ShiftDuty(0.0, 3600.0, ((),)), ShiftDuty(3600.0, 7200.0, ((),))],
                  [3500.0, 3550.0], [300.0, 100.0], end_s=7200.0, interval_s=3600.0)
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 50.0]
    pool = pool_of(tallies)
    assert pool.staffed_s == 3800.0 + 3600.0
    assert pool.staffed_s_by_interval == [3600.0, 3800.0]
    assert pool.busy_s_by_interval == [100.0, 300.0]  # A's 3500-3600; A's rest and B
    assert pool.shifts == 2


def test_a_break_still_owed_when_the_shift_ends_is_missed() -> None:
    # One person 0-1000, a 60 s break due at 900. A is answered at 850 and lasts until 1350:
    # the break is owed at 900, the shift ends at 1000, the person goes at 1350, break missed.
    tallies = run([ShiftDuty(0.0, 1000.0, (((900.0, 60.0),),))], [850.0], [500.0],
                  end_s=2000.0, interval_s=1000.0)
    pool = pool_of(tallies)
    assert (pool.breaks_taken, pool.breaks_missed) == (0, 1)
    assert pool.staffed_s == 1350.0
    assert pool.busy_s_by_interval == [150.0, 350.0]
    # one shift, busy 500 of 1350 on the phones (0.37): not a high-occupancy one at 0.85, but
    # it is at 0.3
    assert pool.high_occupancy_shifts == 0
    strict = pool_of(run([ShiftDuty(0.0, 1000.0, (((900.0, 60.0),),))], [850.0], [500.0],
                         end_s=2000.0, interval_s=1000.0, high_occupancy=0.3))
    assert strict.high_occupancy_shifts == 1


def test_back_to_back_calls_make_one_busy_stretch() -> None:
    # One person 0-3600, no break. A 100-400; B rings at 300 and waits; B 400-700 (answered as
    # A ends: the stretch goes on); free 700-1000; C 1000-1100. Longest stretch: 100-700.
    tallies = run([ShiftDuty(0.0, 3600.0, ((),))], [100.0, 300.0, 1000.0],
                  [300.0, 300.0, 100.0], end_s=3600.0, interval_s=3600.0)
    pool = pool_of(tallies)
    assert pool.longest_stretch_max_s == 600.0
    assert pool.busy_s == 700.0


def test_staggered_breaks_spread_evenly_over_the_window() -> None:
    # Three people on a 08:00 8-hour shift; a 30-minute break 2 h in, starts spread over 60
    # minutes: person 0 at 10:00, person 1 at 10:30, person 2 at 11:00.
    shift = Shift(start="08:00", length_h=8, count=3,
                  breaks=({"after_h": 2, "spread_min": 60, "length_min": 30},))
    at_8 = 8 * 3600.0
    assert staggered_breaks(shift, at_8, 3) == [
        [(10 * 3600.0, 1800.0)], [(10.5 * 3600.0, 1800.0)], [(11 * 3600.0, 1800.0)]]
    # one person alone takes it at the window's start; within a clock window, every break
    # ends inside it: 12:00-13:00 for 20-minute breaks gives starts 12:00, 12:20, 12:40
    assert staggered_breaks(shift, at_8, 1) == [[(10 * 3600.0, 1800.0)]]
    lunch = Shift(start="08:00", length_h=8, count=3,
                  breaks=({"within": ["12:00", "13:00"], "length_min": 20},))
    assert [b[0][0] / 60 for b in staggered_breaks(lunch, at_8, 3)] == [720.0, 740.0, 760.0]

    # in the model: nobody calls; the three breaks fall in the 10:00-11:00 and 11:00-12:00 hours
    roster = roster_from(Staffing(shifts=(shift,)), 0.0,
                         Horizon(start=date(2018, 1, 1), days=1), absence_key=0)
    assert [d.people for d in roster.duties] == [3]
    tallies = simulate(ModelInputs(
        [line("101", [], [])], [PoolInputs("p", ("101",), roster)],
        ModelSettings(end_s=86400.0, interval_s=3600.0),
    ))
    staffed = pool_of(tallies).staffed_s_by_interval
    # 10:00-11:00: person 0 on break 10:00-10:30, person 1 10:30-11:00: never two at once
    assert staffed[10] == 3 * 3600.0 - 1800.0 - 1800.0
    # 11:00-12:00: person 2 on break 11:00-11:30
    assert staffed[11] == 3 * 3600.0 - 1800.0
    assert staffed[8:10] == [3 * 3600.0] * 2 and staffed[12:16] == [3 * 3600.0] * 4
    assert staffed[:8] == [0.0] * 8 and staffed[16:] == [0.0] * 8
    assert pool_of(tallies).breaks_taken == 3


@pytest.mark.parametrize("within", [["15:50", "16:30"], ["07:00", "08:30"]])
def test_a_break_outside_its_shift_is_refused(within: list[str]) -> None:
    with pytest.raises(ValueError, match="inside the shift"):
        Shift(start="08:00", length_h=8, count=1,
              breaks=({"within": within, "length_min": 30},))
