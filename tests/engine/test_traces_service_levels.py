"""Hand-worked traces of a line measured at further service-level thresholds
(``also_within_s``: NENA's 90% in 15 s and 95% in 20 s beside the line's own 10 s), and the
same counts from a random run checked against the per-call records."""

from __future__ import annotations

import math
from datetime import date

import pytest

from contactsim.analysis.intervals import interval_frame
from contactsim.analysis.kpis import kpi_named, kpi_range
from contactsim.analysis.periods import period_values
from contactsim.build.loading import scenario_from_mapping
from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings
from contactsim.runs.replication import run_tallies
from helpers.traces import NEVER, all_kpis, line, pool


def test_service_levels_at_three_thresholds_by_hand() -> None:
    # One operator; threshold 10 s, also measured within 15 s and 20 s; every handle 20 s;
    # reporting intervals of 30 s.
    #   call 0 at  0: answered at  0, wait  0, ends 20
    #   call 1 at  5: answered at 20, wait 15, ends 40   (within 15: "within" includes 15)
    #   call 2 at 20: answered at 40, wait 20, ends 60   (within 20, not within 15)
    #   call 3 at 35: answered at 60, wait 25, ends 80   (within none)
    #   call 4 at 50, patience 5: abandons at 55
    # answered 4, abandoned 1: within 10 s 1 of 5 = 0.2, within 15 s 2 of 5 = 0.4, within
    # 20 s 3 of 5 = 0.6. By interval of arrival, [0, 30): calls 0-2; [30, 60): calls 3-4:
    # answered [3, 1], abandoned [0, 1], within 15 s [2, 0], within 20 s [3, 0].
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0, 20.0, 35.0, 50.0], [20.0] * 5, [NEVER] * 4 + [5.0],
              service_level_s=10.0, also_within_s=(15.0, 20.0))],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=120.0, interval_s=30.0, keep_records=True),
    ))
    values = all_kpis(tallies)
    assert values[("999", "service_level")] == 0.2
    assert values[("999", "service_level@15")] == 0.4
    assert values[("999", "service_level@20")] == 0.6
    frame = interval_frame(tallies, date(2018, 1, 1))
    assert frame["answered"].tolist()[:2] == [3, 1]
    assert frame["abandoned"].tolist()[:2] == [0, 1]
    assert frame["answered_within"].tolist()[:2] == [1, 0]
    assert frame["answered_within_15s"].tolist()[:2] == [2, 0]
    assert frame["answered_within_20s"].tolist()[:2] == [3, 0]
    # the summary's rows: the line's own service level, then the further ones, in order
    kpis = [kpi for scope, kpi in values if scope == "999"]
    at = kpis.index("service_level")
    assert kpis[at:at + 3] == ["service_level", "service_level@15", "service_level@20"]


def test_a_line_without_further_thresholds_counts_nothing_more() -> None:
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 1.0], [30.0, 30.0], service_level_s=60.0)],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=100.0),
    ))
    tally = tallies.lines["101"]
    assert tally.answered_after == [] and math.isinf(tally.after_from_s)
    assert not any(kpi.startswith("service_level@") for _, kpi in all_kpis(tallies))
    assert not any(c.startswith("answered_within_") for c in
                   interval_frame(tallies, date(2018, 1, 1)).columns)


def test_further_service_levels_of_a_random_run_match_the_call_records() -> None:
    # a busy line, so that waits spread over the thresholds; one threshold equal to the
    # line's own gives the same service level
    scenario = scenario_from_mapping({
        "name": "thresholds",
        "horizon": {"days": 1, "warmup_hours": 2},
        "demand": {"999": {"rate_per_hour": 57.0}},
        "handling": {"999": {
            "handle_time": {"dist": "lognormal", "mean_s": 600, "cv": 0.8},
            "patience": {"dist": "exponential", "mean_s": 900},
            "service_level_s": 10, "also_within_s": [60, 10, 15.5],
        }},
        "pools": [{"name": "all", "skills": ["999"], "staffing": {"flat": 10}}],
    })
    assert scenario.also_within_s("999") == (10.0, 15.5, 60.0)  # in order, each once
    tallies = run_tallies(scenario, seed=20180101, replication=0, keep_records=True)
    counted = [r for r in tallies.records or []
               if r.arrival_s >= tallies.warmup_s and r.outcome in ("answered", "abandoned")]
    answered = [r.wait_s for r in counted if r.outcome == "answered"]
    assert len(answered) > 500 and sum(w > 60 for w in answered) > 50
    values = all_kpis(tallies)
    for seconds, name in ((10.0, "service_level@10"), (15.5, "service_level@15.5"),
                          (60.0, "service_level@60")):
        within = sum(w <= seconds for w in answered)
        assert values[("999", name)] == pytest.approx(within / len(counted), rel=1e-12)
    assert values[("999", "service_level@10")] == values[("999", "service_level")]
    # over every interval, the period KPI is the run's own (sums, not a mean of intervals)
    intervals = interval_frame(tallies, scenario.horizon.start).assign(replication=0)
    assert period_values(intervals, "999", "service_level@15.5").iloc[0] == pytest.approx(
        values[("999", "service_level@15.5")], rel=1e-12)


def test_a_service_level_at_a_threshold_is_a_share_like_the_line_s_own() -> None:
    kpi = kpi_named("service_level@15")
    assert kpi is not None and kpi.unit == "share" and kpi.higher_is_better
    assert kpi.label == "Service level within 15 s" and kpi_range(kpi.name) == (0.0, 1.0)
    assert kpi.from_sums({"answered_within_15s": 9, "answered": 10, "abandoned": 2}) == 0.75
    assert kpi_named("service_level@soon") is None and kpi_named("service_level@-1") is None
