"""The Resolution Centre's investigators as a team on a staffing plan, and following a plan.

A team counts how many of its people are idle, busy, and busy but due to go off duty, and keeps
the on-duty clock (person-seconds on duty after the warm-up). A plan is followed by
:func:`follow_plan` (by the RC and by pools on ``flat`` or ``per_interval`` staffing); when it
falls, idle people go at once and busy ones finish their task first
(:meth:`Team.finish_task`). Pools of operators are people, not counts:
:class:`~contactsim.engine.calls.PoolState`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contactsim.engine.plan import StaffingPlan, change_on_duty

if TYPE_CHECKING:
    from contactsim.engine.kernel import Kernel


@dataclass(eq=False, kw_only=True)
class Team:
    """Idle, busy and leaving people, and the person-seconds on duty after ``warmup_s``."""

    idle: int = 0
    busy: int = 0
    leaving: int = 0
    on_duty_s: float = 0.0
    warmup_s: float = 0.0
    _on_duty_since: float = 0.0

    def clock_on_duty(self, now: float) -> None:
        """Add the person-seconds on duty since the last change; call before it changes."""
        since = max(self._on_duty_since, self.warmup_s)
        if now > since:
            self.on_duty_s += (self.idle + self.busy) * (now - since)
        self._on_duty_since = now

    def set_level(self, target: int, now: float) -> int:
        """Move to ``target`` on duty; returns how many come on duty (to be set to work)."""
        self.clock_on_duty(now)
        self.idle, self.leaving, joining = change_on_duty(
            self.idle, self.busy, self.leaving, target
        )
        return joining

    def finish_task(self, now: float) -> bool:
        """A busy person finishes: True if they stay on duty (free for the next task), False
        if they were due to go off duty and now go."""
        if self.leaving:
            self.clock_on_duty(now)
            self.leaving -= 1
            self.busy -= 1
            return False
        self.busy -= 1
        return True


def follow_plan(
    kernel: Kernel, plan: StaffingPlan, end_s: float, on_level: Callable[[int], None]
) -> None:
    """Call ``on_level(people)`` at each change of ``plan`` before ``end_s``."""

    def change(event: Any) -> None:
        index = event.value
        if index + 1 < len(plan.times_s) and plan.times_s[index + 1] < end_s:
            kernel.schedule_in(plan.times_s[index + 1] - kernel.now, on_change, index + 1)
        on_level(plan.operators[index])

    on_change = (change,)
    kernel.schedule_in(plan.times_s[0] - kernel.now, on_change, 0)


def busy_seconds(start_s: float, duration_s: float, warmup_s: float, end_s: float) -> float:
    """The part of a task from ``start_s`` lasting ``duration_s`` inside the measured window."""
    return max(0.0, min(start_s + duration_s, end_s) - max(start_s, warmup_s))
