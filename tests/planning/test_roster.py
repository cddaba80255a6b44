"""contactsim roster's integer program: the coverage rule worked by hand, optima worked by hand,
the pool limits, infeasible catalogues in words, and the property that a roster returned never
under-covers the requirement it was given (checked on the scenario shifts it writes, by an
independent count over the days of the cycle)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.config.catalogue import Catalogue
from contactsim.config.pools import Break, Shift
from contactsim.errors import ContactsimError
from contactsim.planning.roster import Requirement, Roster, solve_roster
from contactsim.planning.roster_files import coverage_table
from contactsim.planning.roster_shifts import day_coverage, hour_of_week

MONDAY = date(2018, 1, 1)
WEDNESDAY = date(2018, 1, 3)


def catalogue(*shifts: dict[str, Any], pools: dict[str, Any] | None = None) -> Catalogue:
    return Catalogue.model_validate({"shifts": list(shifts), "pools": pools or {}})


def every_day(hours: dict[int, float]) -> np.ndarray:
    """168 values: ``hours`` (hour of the day -> people) on each day of the week."""
    week = np.zeros(168)
    for day in range(7):
        for hour, people in hours.items():
            week[day * 24 + hour] = people
    return week


def solve(requirement: np.ndarray, shifts: Catalogue, anchor: date = MONDAY, **kw: Any
          ) -> Roster:
    return solve_roster(Requirement({"p": requirement}, "test"), shifts, anchor, 20.0, **kw)


# --- the coverage rule ------------------------------------------------------------------------


def test_a_shift_covers_each_hour_by_the_share_of_it_on_duty() -> None:
    cover = day_coverage(7 * 60 + 30, 8, ())
    assert cover[7] == 0.5 and cover[15] == 0.5
    assert list(cover[8:15]) == [1.0] * 7
    assert cover.sum() == 8
    night = day_coverage(22 * 60, 10, ())  # crosses midnight: hours 22, 23, then 0-7 next day
    assert list(np.flatnonzero(night)) == [22, 23, *range(24, 32)]


def test_a_break_at_a_fixed_time_takes_its_overlap() -> None:
    fixed = Break(after_h=4, spread_min=0, length_min=30)
    cover = day_coverage(8 * 60, 8, (fixed,))  # the break is 12:00-12:30
    assert cover[12] == 0.5
    assert cover.sum() == 7.5


def test_a_spread_break_takes_its_expected_minutes_from_each_hour() -> None:
    # a 45-minute break starting uniformly between 12:00 and 13:00 (4 h into a shift from
    # 08:00, spread over the default hour). Worked by hand: in 12:00-13:00 a break starting
    # s minutes after 12:00 spends min(45, 60 - s) minutes, whose mean over s in [0, 60] is
    # (15 × 45 + 45²/2) / 60 = 28.125; the rest of its 45 minutes, 16.875, fall after 13:00.
    spread = Break(after_h=4, length_min=45)
    cover = day_coverage(8 * 60, 8, (spread,))
    assert cover[12] == pytest.approx(1 - 28.125 / 60)
    assert cover[13] == pytest.approx(1 - 16.875 / 60)
    assert cover.sum() == pytest.approx(8 - 45 / 60)
    # and by brute force: the mean over 6001 evenly spread starts
    starts = np.linspace(0, 60, 6001)
    inside = np.minimum(45, 60 - starts).mean()
    assert cover[12] == pytest.approx(1 - inside / 60, abs=1e-4)


def test_hours_of_the_cycle_map_to_hours_of_the_week() -> None:
    assert hour_of_week(MONDAY, 7)[0] == 0
    on_wednesday = hour_of_week(WEDNESDAY, 14)
    assert on_wednesday[0] == 48 and on_wednesday[5 * 24] == 0  # the next Monday
    assert len(on_wednesday) == 14 * 24


# --- optima worked by hand ----------------------------------------------------------------


def test_two_by_day_and_one_by_evening_is_two_plus_one() -> None:
    # 2 people 08:00-16:00 and 1 person 16:00-24:00 every day; 8-hour shifts at 08:00 and
    # 16:00 worked every day at cost 1: the day shift needs 2, the evening 1, and nothing less
    # covers
    requirement = every_day({h: 2 for h in range(8, 16)} | {h: 1 for h in range(16, 24)})
    roster = solve(requirement, catalogue({"name": "s8", "length_h": 8, "cost": 1,
                                           "starts": ["08:00", "16:00"], "patterns": ["7-0"]}))
    chosen = {option.start: count for option, count in roster.pools["p"].chosen}
    assert chosen == {"08:00": 2, "16:00": 1}
    assert roster.pools["p"].cost_per_week == 21  # 3 people × 7 shifts
    assert roster.pools["p"].gap == pytest.approx(0, abs=1e-6)


def test_five_days_on_two_off_needs_two_people_for_one_every_day() -> None:
    # 1 person 09:00-17:00 every day, one 8-hour shift from 09:00 on 5-2 (cost 1 a shift).
    # Every day needs a person: 7 person-days a week. One person works 5 (< 7), so at least
    # two are needed; two whose 5-day runs begin 2 to 5 days apart (Mon-Fri and Wed-Sun, say)
    # between them work every day. The cheapest roster: 2 people, 10 shifts a week.
    requirement = every_day({h: 1 for h in range(9, 17)})
    roster = solve(requirement, catalogue({"name": "s8", "length_h": 8, "cost": 1,
                                           "starts": ["09:00"], "patterns": ["5-2"]}))
    pool = roster.pools["p"]
    assert pool.heads == 2 and pool.cost_per_week == 10
    worked = [set(option.days or ()) for option, count in pool.chosen for _ in range(count)]
    assert set().union(*worked) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def test_four_on_four_off_needs_two_people_a_cycle_apart() -> None:
    # 1 person 07:00-19:00 every day, one 12-hour shift from 07:00 on 4-4: each person works 4
    # days in 8, so two are needed, their cycles 4 days apart: between them exactly one on
    # every day. Anchored on a Wednesday, their cycles count from that Wednesday plus their
    # offset; the rostered shifts say so, and work on exactly one person a day.
    requirement = every_day({h: 1 for h in range(7, 19)})
    roster = solve(requirement, catalogue({"name": "s12", "length_h": 12, "starts": ["07:00"],
                                           "patterns": ["4-4"]}), anchor=WEDNESDAY)
    shifts = roster.pools["p"].shifts()
    assert sum(s.count for s in shifts) == 2
    for day in range(56):
        when = WEDNESDAY + timedelta(days=day)
        assert sum(s.count for s in shifts if s.works_on(when)) == 1, when
    assert roster.pools["p"].cost_per_week == pytest.approx(2 * 3.5 * 12)


def test_the_cheaper_of_two_covering_shifts_is_chosen() -> None:
    requirement = every_day({h: 3 for h in range(8, 16)})
    roster = solve(requirement, catalogue(
        {"name": "dear", "length_h": 8, "starts": ["08:00"], "cost": 9},
        {"name": "cheap", "length_h": 8, "starts": ["08:00"], "cost": 7}))
    assert [(o.source.name, n) for o, n in roster.pools["p"].chosen] == [("cheap", 3)]


# --- the pools' limits ----------------------------------------------------------------------


def test_min_heads_are_rostered_even_where_nothing_is_required() -> None:
    roster = solve(np.zeros(168), catalogue({"name": "a", "length_h": 8, "starts": ["08:00"]},
                                            pools={"p": {"min_heads": 2}}))
    assert roster.pools["p"].heads == 2


def test_part_time_heads_stay_within_their_share() -> None:
    # the part-time shift is cheaper per hour covered, so the program uses as many as the
    # share allows: at most a quarter of the heads
    requirement = every_day({h: 8 for h in range(8, 16)})
    roster = solve(requirement, catalogue(
        {"name": "full", "length_h": 8, "starts": ["08:00"], "cost": 10},
        {"name": "part", "length_h": 8, "starts": ["08:00"], "cost": 6, "part_time": True},
        pools={"p": {"max_part_time_share": 0.25}}))
    pool = roster.pools["p"]
    part_time = sum(n for o, n in pool.chosen if o.part_time)
    assert part_time == 2 and pool.heads == 8  # 2 <= 0.25 × 8


def test_hours_no_shift_covers_and_a_heads_limit_are_named_not_dumped() -> None:
    requirement = np.zeros(168)
    requirement[3] = 4  # Mon 03:00: no shift then
    requirement[10] = 2  # Mon 10:00: needs 2, max_heads 1
    shifts = catalogue({"name": "s8", "length_h": 8, "starts": ["08:00"]},
                       pools={"p": {"max_heads": 1}})
    with pytest.raises(ContactsimError) as caught:
        solve(requirement, shifts)
    text = str(caught.value)
    assert "Mon 03:00 for pool p: needs 4, the catalogue can cover at most 0 (no shift" in text
    assert "Mon 10:00 for pool p: needs 2, the catalogue can cover at most 1 (max_heads 1 " \
           "reached)" in text
    assert "status" not in text.lower() and "highs" not in text.lower()
    # allowed under: the roster with the least shortfall, its hours listed
    roster = solve(requirement, shifts, allow_under=True)
    assert roster.pools["p"].heads == 1
    assert [s.when for s in roster.shortfalls] == ["Mon 03:00", "Mon 10:00"]
    table = coverage_table(roster)
    assert list(table.loc[table["under"] > 0, "hour_of_week"]) == [3, 10]


# --- never under-covers -------------------------------------------------------------------


def covered_by_shifts(shifts: tuple[Shift, ...], anchor: date, days: int) -> np.ndarray:
    """People on duty (fixed breaks taken off) at each hour of ``days`` days from ``anchor``,
    counted minute by minute from the scenario shifts alone (their days, cycles and breaks);
    the roster repeats, so a shift running past the last day covers the first."""
    minutes = np.zeros(days * 1440)
    for shift in shifts:
        for day in range(days):
            if not shift.works_on(anchor + timedelta(days=day)):
                continue
            begin = day * 1440 + shift.start_minute
            duty = np.arange(begin, begin + round(shift.length_h * 60))
            np.add.at(minutes, duty % len(minutes), shift.count)
            for item in shift.breaks:
                earliest, latest = item.window_min(shift.start_minute)
                assert earliest == latest  # fixed breaks only: their minutes are exact
                away = np.arange(begin + round(earliest), begin + round(earliest + item.length_min))
                np.add.at(minutes, away % len(minutes), -shift.count)
    return minutes.reshape(days * 24, 60).sum(axis=1) / 60.0


shift_strategy = st.fixed_dictionaries({
    "length_h": st.sampled_from([4, 6, 8, 10, 12]),
    "starts": st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True).map(
        lambda hours: [f"{h:02d}:00" for h in hours]),
    "patterns": st.lists(st.sampled_from(["7-0", "5-2", "4-3", "4-4", "2-2"]), min_size=1,
                         max_size=2, unique=True),
    "cost": st.integers(1, 20),
    "with_break": st.booleans(),
    "part_time": st.booleans(),
})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shifts=st.lists(shift_strategy, min_size=1, max_size=3),
    levels=st.lists(st.integers(0, 3), min_size=24, max_size=24),
    weekend=st.integers(0, 2),
    anchor_day=st.integers(0, 6),
    share=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_a_roster_returned_never_under_covers(
    shifts: list[dict[str, Any]], levels: list[int], weekend: int, anchor_day: int,
    share: float,
) -> None:
    entries = []
    for index, drawn in enumerate(shifts):
        entry = {k: v for k, v in drawn.items() if k != "with_break"}
        entry["name"] = f"s{index}"
        if drawn["with_break"]:  # a fixed 30-minute break in the middle
            entry["breaks"] = [{"after_h": drawn["length_h"] / 2, "spread_min": 0,
                                "length_min": 30}]
        entries.append(entry)
    shifts_catalogue = catalogue(*entries, pools={"p": {"max_part_time_share": share}})
    requirement = np.tile(np.array(levels, dtype=float), 7)
    requirement[5 * 24:] = np.minimum(requirement[5 * 24:], weekend)  # quieter weekends
    anchor = MONDAY + timedelta(days=anchor_day)
    try:
        roster = solve(requirement, shifts_catalogue, anchor=anchor)
    except ContactsimError as exc:  # no roster: it must say which hours, in words
        assert "for pool p: needs" in str(exc) or "min_heads" in str(exc)
        return
    pool = roster.pools["p"]
    days = len(pool.required) // 24
    counted = covered_by_shifts(pool.shifts(), anchor, days)
    needed = requirement[hour_of_week(anchor, days)]
    assert np.all(counted >= needed - 1e-9)
    assert np.allclose(counted, pool.covered)
    assert (coverage_table(roster)["under"] == 0).all()
    part_time = sum(n for o, n in pool.chosen if o.part_time)
    assert part_time <= share * pool.heads + 1e-9
