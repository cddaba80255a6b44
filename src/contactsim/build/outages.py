"""A pool's outages as the engine takes them: windows in seconds from the horizon's start,
clipped to the horizon, in time order, those that overlap or touch made one."""

from __future__ import annotations

from datetime import datetime

from contactsim.config.scenario import Scenario

__all__ = ["outage_windows_s"]


def outage_windows_s(scenario: Scenario, pool: str) -> tuple[tuple[float, float], ...]:
    """``pool``'s outage windows (begin s, end s) inside the horizon, merged."""
    horizon = scenario.horizon
    origin = datetime.combine(horizon.start, datetime.min.time())
    windows = sorted(
        (max(0.0, (o.starts - origin).total_seconds()),
         min(horizon.end_s, (o.ends - origin).total_seconds()))
        for o in scenario.outages if o.pool == pool
    )
    merged: list[tuple[float, float]] = []
    for begin_s, end_s in windows:
        if end_s <= begin_s:  # outside the horizon
            continue
        if merged and begin_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_s))
        else:
            merged.append((begin_s, end_s))
    return tuple(merged)
