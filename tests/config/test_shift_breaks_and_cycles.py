"""Breaks and day cycles on a scenario's shifts: what is accepted, what is refused with which
message, and which days a cycle works."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from contactsim.build.staffing import shift_duties
from contactsim.config.horizon import Horizon
from contactsim.config.pools import Break, DayCycle, Shift, Staffing


def shift(**breaks_and_more: object) -> Shift:
    fields: dict[str, object] = {"start": "08:00", "length_h": 8, "count": 2}
    fields.update(breaks_and_more)
    return Shift.model_validate(fields)


def test_a_break_window_is_relative_to_the_shift_start() -> None:
    assert Break(after_h=2, length_min=30).window_min(480) == (120.0, 180.0)  # 60 min spread
    assert Break(after_h=2, spread_min=0, length_min=30).window_min(480) == (120.0, 120.0)
    # a clock window: starts from 12:00 until 13:00 less the break's length
    assert Break(within=("12:00", "13:00"), length_min=20).window_min(480) == (240.0, 280.0)
    # a night shift: 22:00 start, break between 02:00 and 03:00
    assert Break(within=("02:00", "03:00"), length_min=30).window_min(22 * 60) == (240.0,
                                                                                      270.0)


@pytest.mark.parametrize(("breaks", "message"), [
    ([{"after_h": 7.5, "length_min": 30}], "runs past the end"),
    ([{"within": ["15:45", "16:30"], "length_min": 30}], "runs past the end"),
    ([{"within": ["07:00", "08:30"], "length_min": 30}], "inside the shift"),
    ([{"within": ["12:00", "12:20"], "length_min": 30}], "does not fit"),
    ([{"after_h": 2, "length_min": 30}, {"after_h": 2.5, "length_min": 15}], "not overlapping"),
    ([{"length_min": 30}], "after_h .* or within"),
    ([{"after_h": 2, "within": ["10:00", "11:00"], "length_min": 30}], "one of them"),
    ([{"within": ["10:00", "11:00"], "spread_min": 10, "length_min": 30}], "spread_min"),
    ([{"after_h": 2, "length_min": 0}], "greater than 0"),
    ([{"within": ["10:00", "25:00"], "length_min": 30}], "clock times"),
])
def test_bad_breaks_are_refused_saying_why(breaks: list[dict[str, object]], message: str
                                           ) -> None:
    with pytest.raises(ValidationError, match=message):
        shift(breaks=breaks)


def test_good_breaks_are_kept_in_order() -> None:
    kept = shift(breaks=[{"after_h": 2, "length_min": 15},
                         {"within": ["12:00", "13:30"], "length_min": 30}])
    assert [b.length_min for b in kept.breaks] == [15, 30]


def test_a_day_cycle_works_its_days_on_from_its_first_day() -> None:
    cycle = DayCycle.model_validate({"on_days": 4, "off_days": 4, "from": "2018-01-03"})
    days = [cycle.works_on(date(2018, 1, 3) + timedelta(days=d)) for d in range(-2, 10)]
    assert days == [False, False, True, True, True, True, False, False, False, False, True,
                    True]


def test_a_shift_on_a_cycle_is_on_duty_only_on_its_days_on() -> None:
    # 4 on, 4 off from Wednesday 3 January 2018, over the first 16 days of 2018
    staffing = Staffing.model_validate({"shifts": [{
        "start": "07:00", "length_h": 12, "count": 1,
        "cycle": {"on_days": 4, "off_days": 4, "from": "2018-01-03"},
    }]})
    duties = shift_duties(staffing, Horizon(start=date(2018, 1, 1), days=16))
    worked = [int(d.begin_s // 86400) for d in duties]
    assert worked == [2, 3, 4, 5, 10, 11, 12, 13]


def test_the_resolution_centre_takes_no_breaks_on_its_shifts() -> None:
    from contactsim.config.triage import ResolutionCentre

    with pytest.raises(ValidationError, match="call handlers' shifts only"):
        ResolutionCentre.model_validate({
            "staffing": {"shifts": [{"start": "08:00", "length_h": 8, "count": 1,
                                     "breaks": [{"after_h": 4, "length_min": 30}]}]},
            "work_time": {"dist": "fixed", "value_s": 60},
            "outcomes": {"resolved": 1, "front_line": 0, "partner": 0},
        })
