"""Teams on a staffing plan, worked by hand: who comes and goes when the plan changes, busy
people leaving after their task, the on-duty clock, and following a plan in time."""

from __future__ import annotations

import pytest

from contactsim.engine.kernel import Kernel
from contactsim.engine.plan import StaffingPlan, change_on_duty
from contactsim.engine.team import Team, busy_seconds, follow_plan


@pytest.mark.parametrize(
    ("idle", "busy", "leaving", "target", "expected"),
    [
        (2, 3, 0, 7, (2, 0, 2)),  # rise: two join
        (2, 3, 0, 4, (1, 0, 0)),  # fall by one: an idle one goes at once
        (1, 3, 0, 1, (0, 2, 0)),  # fall by three: the idle one goes, two busy ones leave later
        (0, 3, 2, 2, (0, 1, 0)),  # rise by one with two leaving: one of them stays on
        (0, 3, 2, 4, (0, 0, 1)),  # rise by three: both stay on, and one more joins
        (0, 3, 0, 3, (0, 0, 0)),  # no change
    ],
)
def test_change_on_duty(
    idle: int, busy: int, leaving: int, target: int, expected: tuple[int, int, int]
) -> None:
    assert change_on_duty(idle, busy, leaving, target) == expected


def test_busy_people_leave_after_their_task() -> None:
    team = Team(idle=1, busy=2)
    assert team.set_level(1, now=0.0) == 0
    assert (team.idle, team.busy, team.leaving) == (0, 2, 1)
    assert team.finish_task(now=10.0) is False  # the one leaving goes
    assert (team.idle, team.busy, team.leaving) == (0, 1, 0)
    assert team.finish_task(now=20.0) is True  # stays on: free for the next task
    assert (team.idle, team.busy, team.leaving) == (0, 0, 0)


def test_the_on_duty_clock_counts_after_the_warm_up() -> None:
    # 3 on duty from 0; warm-up 100; down to 1 at 200 (2 busy: 1 leaves at 250).
    # On duty after the warm-up: 3 x 100 (100..200) + 2 x 50 (200..250) + 1 x 50 (250..300)
    team = Team(idle=1, busy=2, warmup_s=100.0)
    team.set_level(1, now=200.0)
    assert (team.idle, team.busy, team.leaving) == (0, 2, 1)
    team.finish_task(now=250.0)
    team.clock_on_duty(300.0)
    assert team.on_duty_s == 300.0 + 100.0 + 50.0


def test_follow_plan_changes_level_at_each_time_before_the_end() -> None:
    kernel = Kernel(end_s=300.0)
    plan = StaffingPlan(times_s=(0.0, 100.0, 200.0, 300.0), operators=(2, 5, 1, 9))
    seen: list[tuple[float, int]] = []
    follow_plan(kernel, plan, 300.0, lambda people: seen.append((kernel.now, people)))
    kernel.run()
    assert seen == [(0.0, 2), (100.0, 5), (200.0, 1)]  # the change at the end never comes


def test_staffing_plan_level_and_hours() -> None:
    plan = StaffingPlan(times_s=(0.0, 3600.0), operators=(2, 4))
    assert (plan.at(0.0), plan.at(3599.0), plan.at(3600.0)) == (2, 2, 4)
    assert plan.operator_hours(end_s=7200.0) == 6.0
    assert plan.operator_hours(end_s=7200.0, start_s=1800.0) == 1.0 + 4.0
    with pytest.raises(ValueError, match="starts at time 0"):
        StaffingPlan(times_s=(10.0,), operators=(1,))


def test_busy_seconds_inside_the_measured_window() -> None:
    assert busy_seconds(50.0, 100.0, warmup_s=100.0, end_s=1000.0) == 50.0
    assert busy_seconds(950.0, 100.0, warmup_s=100.0, end_s=1000.0) == 50.0
    assert busy_seconds(10.0, 50.0, warmup_s=100.0, end_s=1000.0) == 0.0
