"""Staffing plans as the engine follows them: how many people are on duty, as a step function
of time, and what a change of level does to a team that is partly busy.

Plans are worked out from the scenario's rosters, shrinkage and absence by
:mod:`contactsim.build.staffing`; the engine only follows them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


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
        index = int(np.searchsorted(self.times_s, time_s, side="right")) - 1
        return self.operators[index]

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
