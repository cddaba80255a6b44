"""Staffing plans: how many operators of a pool can take calls, as a step function of time.

A plan is built from one of three rosters — ``flat``, ``per_interval`` (a CSV by hour of week or
by date-time) or ``shifts`` — times its ``scale`` (and any dated ``changes`` of scale); then
shrinkage is taken off as absence: each rostered person's shift (or, without shifts, day) is
lost whole with probability ``shrinkage`` (see :mod:`contactsim.build.absence`). The expected number
on the phones is exactly rostered × scale × (1 − shrinkage).
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from contactsim.build import absence
from contactsim.config.horizon import Horizon
from contactsim.config.pools import DAY_NAMES, Pool, Shift, Staffing
from contactsim.config.scenario import Scenario
from contactsim.data.demand_profiles import HOURS_PER_WEEK
from contactsim.data.staffing_table import StaffingTable, read_per_interval
from contactsim.engine.plan import ShiftDuty, ShiftRoster, StaffingPlan
from contactsim.errors import ScenarioError

#: Slots of named shifts (see :func:`_shift_slots`) lie in [NAMED_SLOTS, 2 × NAMED_SLOTS), clear
#: of the places of unnamed ones.
NAMED_SLOTS = 1 << 19


def within_hours(plan: StaffingPlan, open_minute: int, close_minute: int, end_s: float) -> (
    StaffingPlan
):
    """The plan with nobody on duty outside the daily hours ``[open_minute, close_minute)``."""
    edges = set(plan.times_s)
    for day in range(math.ceil(end_s / 86400.0) + 1):
        for minute in (open_minute, close_minute):
            at = day * 86400.0 + minute * 60.0
            if at < end_s:
                edges.add(at)
    times = sorted(edges)
    levels = []
    for time in times:
        clock_minute = (time / 60.0) % 1440.0
        levels.append(plan.at(time) if open_minute <= clock_minute < close_minute else 0)
    return _compress(times, levels)


def plan_for(pool: Pool, scenario: Scenario, absence_key: int) -> StaffingPlan | ShiftRoster:
    """The operators of ``pool`` over the scenario's horizon: its roster, with each duty
    absent with probability = its shrinkage, decided by ``absence_key`` (one draw from the
    replication's ``absence/POOL`` stream). A pool on shifts gets each duty's people present and
    their breaks (:func:`roster_from`); any other, the people on duty as a step function."""
    shrinkage = scenario.pool_shrinkage(pool)
    if pool.staffing.shifts is not None:
        return roster_from(pool.staffing, shrinkage, scenario.horizon, absence_key)
    return plan_from(pool.staffing, shrinkage, scenario.horizon, absence_key)


def people_on_duty(pool: Pool, scenario: Scenario, absence_key: int) -> StaffingPlan:
    """The people of ``pool`` on duty (on a break or not) as a step function of time: what
    :func:`plan_for` gives, for a pool on shifts as a count."""
    plan = plan_for(pool, scenario, absence_key)
    return plan.on_duty(scenario.horizon.end_s) if isinstance(plan, ShiftRoster) else plan


def roster_from(
    staffing: Staffing, shrinkage: float, horizon: Horizon, absence_key: int
) -> ShiftRoster:
    """Every duty of a shift roster with the people present on it (shrinkage as absence, as
    :func:`plan_from` counts them) and each person's breaks, staggered
    (:func:`staggered_breaks`)."""
    duties = shift_duties(staffing, horizon)
    present = absence.present_in_duties(
        [d.people for d in duties], [d.day for d in duties], [d.slot for d in duties],
        1.0 - shrinkage, absence_key,
    )
    roster = []
    for duty, people in zip(duties, present.tolist(), strict=True):
        if people == 0 or duty.end_s <= duty.begin_s:
            continue
        breaks = staggered_breaks(duty.shift, duty.shift_start_s, people)
        roster.append(ShiftDuty(duty.begin_s, duty.end_s, tuple(
            tuple((start_s, length_s) for start_s, length_s in person
                  if duty.begin_s <= start_s < duty.end_s)
            for person in breaks
        )))
    roster.sort(key=lambda d: d.begin_s)
    return ShiftRoster(tuple(roster))


def staggered_breaks(
    shift: Shift, shift_start_s: float, people: int
) -> list[list[tuple[float, float]]]:
    """Each of ``people``'s breaks on one duty of ``shift`` starting at ``shift_start_s``, as
    (start s, length s): person ``k`` of ``n`` starts each break ``k / (n - 1)`` of the way
    through its window of starts (:meth:`~contactsim.config.pools.Break.window_min`), whole
    seconds; a person alone starts at the window's beginning."""
    out: list[list[tuple[float, float]]] = [[] for _ in range(people)]
    for item in shift.breaks:
        earliest, latest = item.window_min(shift.start_minute)
        for k in range(people):
            share = k / (people - 1) if people > 1 else 0.0
            start_s = shift_start_s + math.floor((earliest + share * (latest - earliest)) * 60.0)
            out[k].append((float(start_s), item.length_min * 60.0))
    return out


def plan_from(
    staffing: Staffing, shrinkage: float, horizon: Horizon, absence_key: int
) -> StaffingPlan:
    """The people of a roster on duty over the horizon, shrinkage taken off as absence."""
    presence = 1.0 - shrinkage
    if staffing.shifts is not None:
        duties = shift_duties(staffing, horizon)
        present = absence.present_in_duties(
            [d.people for d in duties], [d.day for d in duties], [d.slot for d in duties],
            presence, absence_key,
        )
        return _compress(*_levels_of(duties, present.tolist(), horizon.end_s))
    times, people = rostered(staffing, horizon)
    return _compress(*absence.present_by_day(times, people, horizon.end_s, presence,
                                             absence_key))


def rostered(staffing: Staffing, horizon: Horizon) -> tuple[list[float], list[float]]:
    """The people rostered (times the scale in force: a float) as a step function: change
    times in seconds from the horizon's start, and the level from each to the next."""
    if staffing.shifts is not None:
        duties = shift_duties(staffing, horizon)
        return _levels_of(duties, [d.people for d in duties], horizon.end_s)
    if staffing.flat is not None:
        times, counts = [0.0], [staffing.flat]
    else:
        assert staffing.per_interval is not None
        times, counts = _from_table(read_per_interval(staffing.per_interval), horizon)
    change_s, scales = _scale_changes(staffing, horizon)
    edges = sorted({*times, *(t for t in change_s if 0.0 < t < horizon.end_s)})
    in_force = np.asarray(scales)[np.searchsorted(change_s, edges, side="right")]
    level = np.asarray(counts, dtype=float)[np.searchsorted(times, edges, side="right") - 1]
    return edges, (level * in_force).tolist()


def _scale_changes(staffing: Staffing, horizon: Horizon) -> tuple[list[float], list[float]]:
    """When each dated change of scale starts (s from the horizon's start), and the scales in
    force: the plan's own before the first change, then each change's."""
    origin = datetime.combine(horizon.start, datetime.min.time())
    change_s = [(datetime.combine(c.starts, datetime.min.time()) - origin).total_seconds()
                for c in staffing.changes]
    return change_s, [staffing.scale, *(c.scale for c in staffing.changes)]


def _from_table(table: StaffingTable, horizon: Horizon) -> tuple[list[float], list[int]]:
    if table.hour_of_week is not None:
        hours = math.ceil(horizon.end_s / 3600)
        first = horizon.start.weekday() * 24
        levels = [table.operators[(first + h) % HOURS_PER_WEEK] for h in range(hours)]
        return [3600.0 * h for h in range(hours)], levels
    assert table.starts is not None
    origin = datetime.combine(horizon.start, datetime.min.time())
    offsets = [(start - origin).total_seconds() for start in table.starts]
    if offsets[0] > 0:
        raise ScenarioError.single(
            "interval_start", table.starts[0].isoformat(),
            f"a first row at or before the horizon's start ({origin.isoformat()})", table.path,
        )
    covering = max(i for i, offset in enumerate(offsets) if offset <= 0)
    times = [0.0] + [o for o in offsets[covering + 1 :] if o < horizon.end_s]
    levels = list(table.operators[covering : covering + len(times)])
    return times, levels


@dataclass(frozen=True)
class Duty:
    """People on one shift on one day: from ``begin_s`` to ``end_s`` (clipped to the horizon),
    ``people`` of them (the shift's count times the scale in force when it starts). ``day`` and
    ``slot`` (the day from the horizon's start, plus one; the shift's place in the list, from
    one, or a number from its name: :func:`_shift_slots`) name the duty for
    :mod:`contactsim.build.absence`."""

    begin_s: float
    end_s: float
    people: float
    day: int
    slot: int
    shift: Shift
    shift_start_s: float  # when the shift starts (before begin_s if the horizon clips it)


def shift_duties(staffing: Staffing, horizon: Horizon) -> list[Duty]:
    """Every shift of the roster that is on duty within the horizon (worked out once per
    process for each roster and horizon: every replication of a scenario uses the same)."""
    return list(_shift_duties(staffing, horizon))


#: Rosters whose duties a worker process keeps (a staffing search tries many).
KEPT_ROSTERS = 64


@functools.lru_cache(maxsize=KEPT_ROSTERS)
def _shift_duties(staffing: Staffing, horizon: Horizon) -> tuple[Duty, ...]:
    assert staffing.shifts is not None
    change_s, scales = _scale_changes(staffing, horizon)
    slots = _shift_slots(staffing.shifts)
    duties = []
    end_s = horizon.end_s
    first_weekday = horizon.start.weekday()
    # a shift starting the day before the horizon may still be on duty at its start
    for day in range(-1, math.ceil(horizon.days) + 1):
        weekday = DAY_NAMES[(first_weekday + day) % 7]
        on_date = horizon.start + timedelta(days=day)
        for slot, shift in zip(slots, staffing.shifts, strict=True):
            if weekday not in shift.days or shift.count == 0:
                continue
            if shift.cycle is not None and not shift.cycle.works_on(on_date):
                continue
            begin = day * 86400.0 + shift.start_minute * 60.0
            finish = begin + shift.length_h * 3600.0
            if finish <= 0 or begin >= end_s:
                continue
            in_force = scales[int(np.searchsorted(change_s, begin, side="right"))]
            duties.append(Duty(max(begin, 0.0), min(finish, end_s), shift.count * in_force,
                               day + 1, slot, shift, begin))
    return tuple(duties)


def _shift_slots(shifts: tuple[Shift, ...]) -> list[int]:
    """Each shift's ``slot`` for :mod:`~contactsim.build.absence`: its place in the list (from
    one), or
    for a named shift a number drawn from its name, so that a named shift keeps its people's
    absences when shifts before it are added or removed."""
    slots = list(range(1, len(shifts) + 1))
    named = {}
    for index, shift in enumerate(shifts):
        if shift.name is not None:
            named[index] = NAMED_SLOTS + zlib.crc32(shift.name.encode()) % NAMED_SLOTS
    if len(set(named.values())) == len(named):  # two names on one number: keep places
        slots = [named.get(index, slot) for index, slot in enumerate(slots)]
    return slots


def _levels_of(
    duties: list[Duty], people: list[float] | list[int], end_s: float
) -> tuple[list[float], list[float]]:
    """The step function of ``people`` on the duties, each from its begin to its end."""
    changes: dict[float, float] = {0.0: 0}
    for duty, count in zip(duties, people, strict=True):
        changes[duty.begin_s] = changes.get(duty.begin_s, 0) + count
        if duty.end_s < end_s:
            changes[duty.end_s] = changes.get(duty.end_s, 0) - count
    times = sorted(changes)
    levels = np.cumsum([changes[t] for t in times])
    return times, [round(float(level), 9) for level in levels]


def _compress(times: list[float], levels: list[int] | list[float]) -> StaffingPlan:
    kept_times: list[float] = []
    kept_levels: list[int] = []
    for time, level in zip(times, levels, strict=True):
        if kept_levels and kept_levels[-1] == level:
            continue
        kept_times.append(float(time))
        kept_levels.append(int(level))
    return StaffingPlan(times_s=tuple(kept_times), operators=tuple(kept_levels))
