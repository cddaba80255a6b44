"""Staffing plans as the engine follows them: how many people are on duty, as a step function
of time, and what a change of level does to a team that is partly busy.

Plans are worked out from the scenario's rosters, shrinkage and absence by
:mod:`contactsim.build.staffing`; the engine only follows them.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffingPlan:
    """Operators available from each change time (s from the horizon's start) to the next."""

    times_s: tuple[float, ...]
    operators: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.times_s or self.times_s[0] != 0.0:
            raise ValueError("a staffing plan starts at time 0")
        if len(self.times_s) != len(self.operators):
            raise ValueError("one operator count per change time")

    def at(self, time_s: float) -> int:
        """Operators available at ``time_s``."""
        return self.operators[bisect.bisect_right(self.times_s, time_s) - 1]

    def operator_hours(self, end_s: float, start_s: float = 0.0) -> float:
        """Operator-hours available between ``start_s`` and ``end_s``."""
        edges = [*self.times_s, math.inf]
        total = 0.0
        for level, begin, finish in zip(self.operators, edges[:-1], edges[1:], strict=True):
            overlap = min(finish, end_s) - max(begin, start_s)
            if overlap > 0:
                total += level * overlap
        return total / 3600.0


def change_on_duty(idle: int, busy: int, leaving: int, target: int) -> tuple[int, int, int]:
    """Move a team to ``target`` on duty: the new ``(idle, leaving, joining)``.

    Busy people due to go off duty (``leaving``) stay on when the plan rises again; beyond
    them, ``joining`` people come on duty (the caller sets them to work). When the plan falls,
    idle people go at once and busy ones finish their task first (they become ``leaving``).
    """
    on_duty = idle + busy - leaving
    if target >= on_duty:
        stay = min(leaving, target - on_duty)
        return idle, leaving - stay, target - on_duty - stay
    surplus = on_duty - target
    going_now = min(idle, surplus)
    return idle - going_now, leaving + surplus - going_now, 0


@dataclass(frozen=True)
class ShiftDuty:
    """The people present on one shift on one day: on duty from ``begin_s`` to ``end_s`` (s from
    the horizon's start), each with their breaks as ``(start_s, length_s)`` in time order.

    Each person is one operator for the whole duty: they come on duty at ``begin_s`` and go at
    ``end_s`` (finishing a call first), and take their own breaks.
    """

    begin_s: float
    end_s: float
    breaks_s: tuple[tuple[tuple[float, float], ...], ...]

    def __post_init__(self) -> None:
        if not self.end_s > self.begin_s >= 0.0:
            raise ValueError(f"a duty needs 0 <= begin_s < end_s; got {self.begin_s}, "
                             f"{self.end_s}")
        for person in self.breaks_s:
            for start_s, length_s in person:
                if not (self.begin_s <= start_s < self.end_s and length_s > 0):
                    raise ValueError(f"a break at {start_s} s ({length_s} s) lies outside its "
                                     f"duty [{self.begin_s}, {self.end_s})")

    @property
    def people(self) -> int:
        """How many people are on this duty."""
        return len(self.breaks_s)


@dataclass(frozen=True)
class ShiftRoster:
    """A pool staffed by shifts: every duty of the horizon, in order of starting."""

    duties: tuple[ShiftDuty, ...]

    def __post_init__(self) -> None:
        begins = [duty.begin_s for duty in self.duties]
        if begins != sorted(begins):
            raise ValueError("a roster's duties are in order of starting")

    def on_duty(self, end_s: float = math.inf) -> StaffingPlan:
        """People on duty (on a break or not) as a step function of time, to ``end_s``."""
        changes: dict[float, int] = {0.0: 0}
        for duty in self.duties:
            changes[duty.begin_s] = changes.get(duty.begin_s, 0) + duty.people
            if duty.end_s < end_s:
                changes[duty.end_s] = changes.get(duty.end_s, 0) - duty.people
        times: list[float] = []
        levels: list[int] = []
        level = 0
        for time_s in sorted(changes):
            level += changes[time_s]
            if not levels or levels[-1] != level:
                times.append(time_s)
                levels.append(level)
        return StaffingPlan(tuple(times), tuple(levels))
