"""Surges (events) and day-to-day busyness: expected calls exact under events, the variance of
daily counts as the Cox process says, each feature off giving exactly the numbers without it,
and bad inputs refused."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from contactsim.build import surges
from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.streams import Streams
from contactsim.config.events import DemandEvent
from contactsim.errors import ScenarioError

RATE = 60.0  # callers an hour


def scenario(days: float = 7, events: list[dict[str, Any]] | None = None,
             busyness: dict[str, float] | None = None, interval_minutes: int = 60) -> Any:
    demand = {line: {"rate_per_hour": RATE} for line in ("999", "101")}
    for line, cv in (busyness or {}).items():
        demand[line]["busyness_cv"] = cv
    return scenario_from_mapping({
        "name": "surges",
        "horizon": {"start": "2018-12-30", "days": days,
                    "interval_minutes": interval_minutes},
        "demand": demand,
        "handling": {line: {"handle_time": {"dist": "fixed", "value_s": 60}}
                     for line in ("999", "101")},
        "pools": [{"name": "p", "skills": ["999", "101"], "staffing": {"flat": 5}}],
        "events": events or [],
    })


def arrivals(built: Any, seed: int = 1, replication: int = 0) -> dict[str, np.ndarray]:
    inputs = model_inputs(built, Streams(seed, replication))
    return {line.name: np.fromiter(line.arrival_times_s, float) for line in inputs.lines}


NEW_YEAR = {"name": "new-year", "line": "999", "from": "2018-12-31T21:00",
            "to": "2019-01-01T04:00", "factor": 2.0}


def test_a_factor_2_window_exactly_doubles_the_expected_calls_in_it() -> None:
    built = scenario(events=[NEW_YEAR])
    rates = surges.line_rates(built, "999")
    hours = np.arange(rates.size)  # hourly intervals from 2018-12-30 00:00
    window = (hours >= 24 + 21) & (hours < 48 + 4)
    assert np.array_equal(rates[window], np.full(window.sum(), 2 * RATE))
    assert np.array_equal(rates[~window], np.full((~window).sum(), RATE))
    assert np.array_equal(surges.line_rates(built, "101"), np.full(rates.size, RATE))


def test_a_window_inside_an_interval_counts_for_its_part_and_shapes_are_averaged() -> None:
    # 21:30-22:00 at factor 3 on hourly intervals: the 21:00 hour is half at 3, half at 1: 2
    half = dict(NEW_YEAR, **{"from": "2018-12-31T21:30", "to": "2018-12-31T22:00",
                             "factor": 3.0})
    rates = surges.line_rates(scenario(events=[half]), "999")
    assert rates[24 + 21] == pytest.approx(2 * RATE, rel=1e-12)
    assert rates[24 + 22] == RATE
    # a 2-hour window at factor 3 ramping up over its first hour and decaying over one after:
    # hour 1 averages 2 (1 to 3), hour 2 is 3, hour 3 averages 2 (3 back to 1); plus 10 an
    # hour added, in the same shape
    storm = {"name": "storm", "line": "999", "from": "2018-12-31T10:00",
             "to": "2018-12-31T12:00", "factor": 3.0, "add_per_hour": 10.0, "ramp_h": 1.0,
             "decay_h": 1.0}
    rates = surges.line_rates(scenario(events=[storm]), "999")
    assert rates[24 + 9] == RATE and rates[24 + 13] == RATE
    assert rates[24 + 10] == pytest.approx(2 * RATE + 5, rel=1e-12)
    assert rates[24 + 11] == pytest.approx(3 * RATE + 10, rel=1e-12)
    assert rates[24 + 12] == pytest.approx(2 * RATE + 5, rel=1e-12)


def test_a_yearly_event_comes_back_each_year_and_may_cross_new_year() -> None:
    event = DemandEvent.model_validate({"name": "nye", "factor": 2,
                                        "yearly": {"from": "12-31 21:00", "to": "01-01 04:00"}})
    windows = event.windows(datetime(2018, 12, 30), datetime(2020, 1, 5))
    assert (datetime(2018, 12, 31, 21), datetime(2019, 1, 1, 4)) in windows
    assert (datetime(2019, 12, 31, 21), datetime(2020, 1, 1, 4)) in windows
    yearly = dict(NEW_YEAR)
    del yearly["from"], yearly["to"]
    yearly["yearly"] = {"from": "12-31 21:00", "to": "01-01 04:00"}
    assert np.array_equal(surges.line_rates(scenario(events=[yearly]), "999"),
                          surges.line_rates(scenario(events=[NEW_YEAR]), "999"))


def test_the_expected_doubling_shows_in_the_counts() -> None:
    # 7 hours at 60 an hour: 420 expected, 840 with the event; over 40 replications the mean
    # count is inside 4 standard errors of the expected one (Poisson: variance = mean)
    window = (datetime(2018, 12, 31, 21) - datetime(2018, 12, 30)).total_seconds()
    counts = {False: [], True: []}
    for with_event in (False, True):
        built = scenario(days=3, events=[NEW_YEAR] if with_event else [])
        for replication in range(40):
            times = arrivals(built, 7, replication)["999"]
            counts[with_event].append(((times >= window) & (times < window + 7 * 3600)).sum())
    for with_event, expected in ((False, 420.0), (True, 840.0)):
        mean = float(np.mean(counts[with_event]))
        assert abs(mean - expected) < 4 * math.sqrt(expected / 40), (with_event, mean)


def test_the_variance_of_daily_counts_is_poisson_plus_mixing() -> None:
    # 1,440 expected callers a day (60 an hour); cv 0.2: Var = m + cv² m² = 1,440 + 82,944
    cv, m, days = 0.2, 24 * RATE, 1500
    built = scenario(days=days, busyness={"999": cv})
    times = arrivals(built, 3)["999"]
    daily = np.bincount((times // 86400).astype(int), minlength=days)[:days].astype(float)
    theory = m + cv**2 * m**2
    variance = daily.var(ddof=1)
    # the sample variance's standard error from the fourth central moment
    mu4 = np.mean((daily - daily.mean()) ** 4)
    se = math.sqrt(max(mu4 - variance**2 * (days - 3) / (days - 1), 0.0) / days)
    assert abs(variance - theory) < 3 * se, (variance, theory, se)
    assert abs(daily.mean() - m) < 3 * math.sqrt(theory / days)


def test_busyness_off_gives_exactly_the_arrivals_without_it_and_touches_no_other_line() -> None:
    plain = arrivals(scenario())
    assert all(np.array_equal(plain[k], v) for k, v in arrivals(scenario(busyness={"999": 0.0})
                                                                  ).items())
    busy = arrivals(scenario(busyness={"999": 0.3}))
    assert not np.array_equal(busy["999"], plain["999"])
    assert np.array_equal(busy["101"], plain["101"])  # its own streams: common random numbers
    # events off (none given) is the scenario without events; an event on 999 leaves 101 be
    assert np.array_equal(arrivals(scenario(events=[NEW_YEAR]))["101"], plain["101"])


def test_busy_days_multiply_whole_days() -> None:
    rates = np.full(48 * 4, 10.0)  # two days of 15-minute intervals
    out = surges.busy_days(rates, 0.5, 900.0, np.random.default_rng(0))
    factors = np.random.default_rng(0).gamma(4.0, 0.25, size=2)
    assert np.allclose(out[:96], 10.0 * factors[0]) and np.allclose(out[96:], 10.0 * factors[1])


@pytest.mark.parametrize(("events", "message"), [
    ([dict(NEW_YEAR, line="911")], "a line among"),
    ([NEW_YEAR, NEW_YEAR], "an event name used once"),
    ([dict(NEW_YEAR, factor=1.0)], "changes nothing"),
    ([dict(NEW_YEAR, ramp_h=8)], "longer than the window"),
    ([{"name": "x", "line": "999", "factor": 2, "from": "2018-12-31T21:00"}], "both needed"),
    ([{"name": "x", "line": "999", "factor": 2, "from": "2018-12-31T21:00",
       "to": "2019-01-01T04:00", "yearly": {"from": "12-31 21:00", "to": "01-01 04:00"}}],
     "give the window once"),
    ([{"name": "x", "factor": 2, "yearly": {"from": "31-12 21:00", "to": "01-01 04:00"}}],
     "MM-DD HH:MM"),
])
def test_bad_events_are_refused_saying_why(events: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario(events=events)


def test_busyness_on_a_replayed_line_is_refused() -> None:
    from contactsim.config.lines import LineDemand

    with pytest.raises(ValueError, match="replayed log already"):
        LineDemand.model_validate({"replay": "log.csv", "busyness_cv": 0.1})
