"""Every ``HH:MM`` in a scenario is read one way (contactsim.config.clock): a shift's start,
and the callback and Resolution Centre opening hours."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from contactsim.config.callbacks import Callback
from contactsim.config.clock import as_datetime, clock_minute, opening_minutes
from contactsim.config.pools import Shift


@pytest.mark.parametrize(("text", "minute"), [
    ("00:00", 0), ("08:30", 510), ("23:59", 1439),
])
def test_a_clock_time_is_minutes_after_midnight(text: str, minute: int) -> None:
    assert clock_minute(text) == minute


@pytest.mark.parametrize("text", [
    "24:00", "25:00", "8:30", "08:60", "0830", "08:30 ", "", "ab:cd",
    "\u0660\u0668:\u0663\u0660",  # 08:30 in Arabic-Indic digits: a clock time is ASCII
])
def test_what_is_not_a_clock_time(text: str) -> None:
    assert clock_minute(text) is None


def test_the_end_of_the_day_closes_an_opening() -> None:
    assert clock_minute("24:00", end_of_day=True) == 1440
    assert clock_minute("24:01", end_of_day=True) is None
    assert opening_minutes("08:00-24:00") == (480, 1440)
    assert opening_minutes(" 08:00 - 22:00 ") == (480, 1320)


@pytest.mark.parametrize(("text", "expected"), [
    ("8am-10pm", "hours as HH:MM-HH:MM, e.g. 08:00-22:00"),
    ("08:00", "hours as HH:MM-HH:MM, e.g. 08:00-22:00"),
    ("08:00-22:00-23:00", "hours as HH:MM-HH:MM, e.g. 08:00-22:00"),
    ("22:00-08:00", "within 00:00-24:00, the start before the end"),
    ("08:00-08:00", "within 00:00-24:00, the start before the end"),
    ("08:61-22:00", "within 00:00-24:00, the start before the end"),
    ("08:00-24:30", "within 00:00-24:00, the start before the end"),
])
def test_opening_hours_refused_in_a_planners_words(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        opening_minutes(text)


def test_shift_start_and_opening_hours_agree_with_the_one_reader() -> None:
    shift = Shift(start="07:45", length_h=8, count=3)
    assert shift.start_minute == clock_minute("07:45") == 465
    callback = Callback(offer_after_s=60, accept_probability=0.5, hours="07:45 - 24:00")
    assert callback.hours == "07:45-24:00"
    assert callback.hours_minutes == (465, 1440)
    with pytest.raises(ValidationError, match=r"24-hour clock time HH:MM, not '24:00'"):
        Shift(start="24:00", length_h=8, count=3)


def test_dates_and_date_times_of_a_replay_window() -> None:
    assert as_datetime(date(2018, 7, 1)) == datetime(2018, 7, 1)
    assert as_datetime(datetime(2018, 7, 1, 6)) == datetime(2018, 7, 1, 6)
    assert as_datetime("2018-07-01T06:00") == datetime(2018, 7, 1, 6)
    assert as_datetime("first of July") is None
