"""Hand-worked traces of the SimPy model: every wait below is worked out on paper first.

Each trace drives
:func:`~contactsim.engine.builder.simulate` with fixed arrival times, handle times and
patience, so the expected numbers follow from the routing rules alone. Times are in seconds.
Each caller's handle time and patience are drawn when the caller rings, in arrival order per
line, so the n-th entry of a line's ``handles`` and ``patiences`` belongs to its n-th arrival.
This file: first come first served, priorities and skills, abandonment, the warm-up, the KPIs
worked out by hand and the wait histogram; the reserve and staffing changes are in
``test_traces_reserve_and_staffing.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from contactsim.build.loading import scenario_from_mapping
from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings
from contactsim.runs.replication import run_tallies
from helpers.traces import NEVER, all_kpis, by_arrival, line, pool

# --- one operator, first come first served --------------------------------------------------


def test_one_operator_fixed_calls_exact_waits_and_ends() -> None:
    # One operator, calls at 0, 10, 20, 30 with handle times 100, 50, 20, 40, never abandoning:
    #   call 0: answered at   0, wait   0,        ends   0 + 100 = 100
    #   call 1: answered at 100, wait 100 - 10 =  90, ends 100 +  50 = 150
    #   call 2: answered at 150, wait 150 - 20 = 130, ends 150 +  20 = 170
    #   call 3: answered at 170, wait 170 - 30 = 140, ends 170 +  40 = 210
    # Busy 100 + 50 + 20 + 40 = 210 of 1000 staffed operator-seconds.
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0, 20.0, 30.0], [100.0, 50.0, 20.0, 40.0], [NEVER] * 4)],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, priority=("101",), keep_records=True),
    ))
    records = by_arrival(tallies, "101")
    assert [r.outcome for r in records] == ["answered"] * 4
    assert [r.wait_s for r in records] == [0.0, 90.0, 130.0, 140.0]
    ends = [r.arrival_s + r.wait_s + r.handle_s for r in records]
    assert ends == [100.0, 150.0, 170.0, 210.0]
    assert {r.pool for r in records} == {"all"}
    assert tallies.pools["all"].staffed_s == 1000.0
    assert tallies.pools["all"].busy_s == 210.0


def test_fcfs_within_a_line_whatever_the_handle_times() -> None:
    # Two operators; calls at 0 and 1 take both of them until 0 + 100 = 100 and 1 + 300 = 301.
    # Calls at 2, 3, 4 queue (a long, a short and a long call: FCFS must not pick by handle):
    #   t=100: operator A frees, takes call 2 (wait 100 - 2 = 98), busy until 100 + 500 = 600
    #   t=301: operator B frees, takes call 3 (wait 301 - 3 = 298), busy until 301 + 10 = 311
    #   t=311: operator B frees, takes call 4 (wait 311 - 4 = 307), busy until 311 + 500 = 811
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 1.0, 2.0, 3.0, 4.0], [100.0, 300.0, 500.0, 10.0, 500.0])],
        [pool("all", ("101",), 2)],
        ModelSettings(end_s=2000.0, keep_records=True),
    ))
    records = by_arrival(tallies, "101")
    assert [r.wait_s for r in records] == [0.0, 0.0, 98.0, 298.0, 307.0]
    answered_at = [r.arrival_s + r.wait_s for r in records]
    assert answered_at == sorted(answered_at)


# --- priority: 999 first; specialists first -----------------------------------------------


def test_waiting_999_call_overtakes_older_101_calls() -> None:
    # One multi-skilled operator. 101 calls at 0, 5, 10; a 999 call at 20; every handle 100.
    #   t=0:   101 call 0 answered (wait 0), ends 100
    #   t=100: waiting are 101@5, 101@10 and 999@20; the 999 call goes first:
    #          999 wait 100 - 20 = 80, ends 200
    #   t=200: 101@5  answered, wait 200 - 5  = 195, ends 300
    #   t=300: 101@10 answered, wait 300 - 10 = 290
    tallies = simulate(ModelInputs(
        [
            line("999", [20.0], [100.0], service_level_s=10.0),
            line("101", [0.0, 5.0, 10.0], [100.0, 100.0, 100.0]),
        ],
        [pool("multi", ("999", "101"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    assert [r.wait_s for r in by_arrival(tallies, "999")] == [80.0]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 195.0, 290.0]


def test_priority_follows_settings_not_the_order_of_lines_or_skills() -> None:
    # The same trace as above with lines and skills listed 101 first: priority is what counts.
    tallies = simulate(ModelInputs(
        [
            line("101", [0.0, 5.0, 10.0], [100.0, 100.0, 100.0]),
            line("999", [20.0], [100.0], service_level_s=10.0),
        ],
        [pool("multi", ("101", "999"), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    assert [r.wait_s for r in by_arrival(tallies, "999")] == [80.0]
    assert [r.wait_s for r in by_arrival(tallies, "101")] == [0.0, 195.0, 290.0]


def test_new_call_goes_to_idle_specialist_before_multi_skilled() -> None:
    # The multi-skilled pool is listed first, so only "fewer skills first" can send the 999
    # call to the specialist. 999 at 0 (handle 100), 101 at 10 (handle 100), 999 at 20:
    #   t=0:  both pools idle: 999 goes to the specialist ("emergency"), busy until 100
    #   t=10: only "blended" serves 101 and it is idle: 101 goes to it, busy until 110
    #   t=20: both busy: 999 queues; the specialist frees first, at 100: wait 100 - 20 = 80
    tallies = simulate(ModelInputs(
        [
            line("999", [0.0, 20.0], [100.0, 100.0], service_level_s=10.0),
            line("101", [10.0], [100.0]),
        ],
        [pool("blended", ("999", "101"), 1), pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    calls_999 = by_arrival(tallies, "999")
    assert [(r.pool, r.wait_s) for r in calls_999] == [("emergency", 0.0), ("emergency", 80.0)]
    assert [(r.pool, r.wait_s) for r in by_arrival(tallies, "101")] == [("blended", 0.0)]


def test_999_call_goes_to_multi_skilled_when_specialist_busy() -> None:
    # 999 at 0 takes the specialist until 100; 999 at 5 finds only "blended" idle: wait 0.
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0], [100.0, 100.0], service_level_s=10.0), line("101", [], [])],
        [pool("blended", ("999", "101"), 1), pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0, priority=("999", "101"), keep_records=True),
    ))
    assert [(r.pool, r.wait_s) for r in by_arrival(tallies, "999")] == [
        ("emergency", 0.0),
        ("blended", 0.0),
    ]


# --- abandonment ------------------------------------------------------------------------------


def test_abandonment_at_arrival_plus_patience_and_next_caller_moves_up() -> None:
    # One operator, every handle 100.
    #   call 0 at 0:  answered at once, ends 100
    #   call 1 at 10, patience 50:  queued, abandons at 10 + 50 = 60 (recorded wait 50)
    #   call 2 at 20, patience 200: moves up to the head; answered at 100, wait 80 < 200
    #   call 3 at 30, patience 175: answered at 200, wait 170 < 175, so it does not abandon
    # Sampling the queue every second (at 0.5, 1.5, ...) sees call 1 still waiting at 59.5
    # and gone at 60.5: it left at 60, not when the operator came free at 100.
    tallies = simulate(ModelInputs(
        [
            line(
                "101",
                [0.0, 10.0, 20.0, 30.0],
                [100.0] * 4,
                [NEVER, 50.0, 200.0, 175.0],
            )
        ],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True, observe_every_s=1.0),
    ))
    records = by_arrival(tallies, "101")
    assert [(r.outcome, r.wait_s) for r in records] == [
        ("answered", 0.0),
        ("abandoned", 50.0),
        ("answered", 80.0),
        ("answered", 170.0),
    ]
    observed = tallies.observations
    assert observed is not None
    waiting_at = dict(zip(observed.times_s, observed.waiting["101"], strict=True))
    # queued at 59.5: calls 1, 2, 3; at 60.5: calls 2 and 3
    assert waiting_at[59.5] == 3
    assert waiting_at[60.5] == 2
    assert tallies.lines["101"].total("abandoned") == 1
    # the abandoned call never reached an operator: busy 100 + 100 + 100 of 1000
    assert tallies.pools["all"].busy_s == 300.0


def test_caller_answered_at_the_last_moment_before_patience_does_not_abandon() -> None:
    # Call 1 at 10 with patience 89.5 would abandon at 99.5; the operator frees at 100, so it
    # abandons. Call 2 at 10.5, patience 90: the operator frees at 100 = 10.5 + 89.5, before its
    # patience runs out at 100.5, so it is answered with wait 89.5.
    tallies = simulate(ModelInputs(
        [line("101", [0.0, 10.0, 10.5], [100.0] * 3, [NEVER, 89.5, 90.0])],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))
    records = by_arrival(tallies, "101")
    assert [(r.outcome, r.wait_s) for r in records] == [
        ("answered", 0.0),
        ("abandoned", 89.5),
        ("answered", 89.5),
    ]



# --- warm-up and KPIs -------------------------------------------------------------------------


def test_calls_before_the_warm_up_are_not_counted() -> None:
    # Warm-up 200 s in 100 s intervals; one operator; no call abandons except call 2.
    #   call 0 at   0 (h 50):  answered at 0, ends 50                    -- warm-up, not counted
    #   call 1 at 150 (h 100): answered at 150, ends 250                 -- warm-up, not counted
    #   call 2 at 160, patience 50: abandons at 210, after the warm-up   -- still not counted
    #   call 3 at 220 (h 100): answered at 250, wait 30, ends 350        -- counted
    #   call 4 at 400 (h 100): answered at 400, wait 0, ends 500         -- counted
    # offered 2, answered 2, abandoned 0, ASA (30 + 0) / 2 = 15, service level 2 / 2.
    # Staffed 1 × (1000 - 200) = 800; busy (250 - 200) + 100 + 100 = 250 (the part of call 1
    # after the warm-up counts: the operator is busy then).
    tallies = simulate(ModelInputs(
        [
            line(
                "101",
                [0.0, 150.0, 160.0, 220.0, 400.0],
                [50.0, 100.0, 100.0, 100.0, 100.0],
                [NEVER, NEVER, 50.0, NEVER, NEVER],
            )
        ],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, warmup_s=200.0, interval_s=100.0, keep_records=True),
    ))
    values = all_kpis(tallies)
    assert values[("101", "offered")] == 2.0
    assert values[("101", "answered")] == 2.0
    assert values[("101", "abandoned")] == 0.0
    assert values[("101", "asa_s")] == 15.0
    assert values[("101", "service_level")] == 1.0
    assert tallies.pools["all"].staffed_s == 800.0
    assert tallies.pools["all"].busy_s == 250.0
    assert values[("all", "occupancy")] == 250.0 / 800.0
    # the records keep every call; the warm-up only filters the KPIs
    assert len(tallies.records or []) == 5


@pytest.mark.parametrize(
    ("warmup_s", "arrivals", "expected"),
    [
        # warm-up 250: the call at 210 (answered at once, one idle operator) rang during the
        # warm-up, so nothing is counted; round(2.5) = 2 makes interval 200..300 count instead
        (250.0, [210.0], {"offered": 0.0, "answered": 0.0, "waiting_end": 0.0}),
        # warm-up 150: call 0 holds the only operator from 0 to 0 + 1000 = the end, so the call
        # at 160 (after the warm-up) is still waiting at the end: offered 1, waiting 1
        (150.0, [0.0, 160.0], {"offered": 1.0, "answered": 0.0, "waiting_end": 1.0}),
    ],
)
def test_warm_up_ending_inside_an_interval_is_refused_or_counted_by_arrival_time(
    warmup_s: float, arrivals: list[float], expected: dict[str, float]
) -> None:
    # Scenarios are validated to whole intervals, but ModelSettings is public and accepts any
    # warm-up: it should either refuse it or count calls by when they rang, as DESIGN.md says.
    try:
        tallies = simulate(ModelInputs(
            [line("101", arrivals, [1000.0] * len(arrivals))],
            [pool("all", ("101",), 1)],
            ModelSettings(end_s=1000.0, warmup_s=warmup_s, interval_s=100.0),
        ))
    except ValueError:
        return
    values = all_kpis(tallies)
    assert {kpi: values[("101", kpi)] for kpi in expected} == expected


def test_service_level_asa_and_abandon_rate_by_hand() -> None:
    # One operator, service level threshold 60 s, every handle 100.
    #   call 0 at  0: answered at   0, wait   0            (within 60)
    #   call 1 at 40: answered at 100, wait  60            (within: "within" includes 60)
    #   call 2 at 45, patience 30: abandons at 75
    #   call 3 at 50: answered at 200, wait 150            (not within)
    #   call 4 at 900: the operator is free again from 200 + 100 = 300: wait 0
    # answered 4, abandoned 1: ASA (0 + 60 + 150 + 0) / 4 = 52.5;
    # service level 3 within / (4 + 1) = 0.6; abandon rate 1 / 5 = 0.2.
    # 90th percentile of {0, 0, 60, 150}: rank 0.9 × 4 = 3.6 falls on the 150 s wait, which
    # the one-second histogram places in [150, 151).
    tallies = simulate(ModelInputs(
        [
            line(
                "101",
                [0.0, 40.0, 45.0, 50.0, 900.0],
                [100.0] * 5,
                [NEVER, NEVER, 30.0, NEVER, NEVER],
                service_level_s=60.0,
            )
        ],
        [pool("all", ("101",), 1)],
        ModelSettings(end_s=1000.0, keep_records=True),
    ))
    values = all_kpis(tallies)
    assert values[("101", "offered")] == 5.0
    assert values[("101", "answered")] == 4.0
    assert values[("101", "abandoned")] == 1.0
    assert values[("101", "asa_s")] == 52.5
    assert values[("101", "service_level")] == 0.6
    assert values[("101", "abandon_rate")] == 0.2
    assert values[("101", "waiting_end")] == 0.0
    assert 150.0 <= values[("101", "wait_p90_s")] < 151.0


def test_999_service_level_uses_its_own_threshold() -> None:
    # Threshold 10 s on 999; one operator; every handle 20:
    #   call 0 at  0: wait 0, ends 20
    #   call 1 at  5: answered at 20, wait 15 (not within 10), ends 40
    #   call 2 at 30: answered at 40, wait 10 (within: exactly on the threshold)
    # Within 10 s: 2 of 3. ASA (0 + 15 + 10) / 3 = 25 / 3.
    tallies = simulate(ModelInputs(
        [line("999", [0.0, 5.0, 30.0], [20.0, 20.0, 20.0], service_level_s=10.0)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=1000.0),
    ))
    values = all_kpis(tallies)
    assert values[("999", "service_level")] == pytest.approx(2.0 / 3.0, rel=1e-15)
    assert values[("999", "asa_s")] == pytest.approx(25.0 / 3.0, rel=1e-15)


def test_ratios_with_nothing_to_divide_are_nan() -> None:
    # no call: a service level of 0 (or 1) would read as a real figure in a report; NaN does not
    tallies = simulate(ModelInputs(
        [line("101", [], [])], [pool("all", ("101",), 1)], ModelSettings(end_s=100.0)
    ))
    values = all_kpis(tallies)
    assert values[("101", "offered")] == 0.0
    assert math.isnan(values[("101", "asa_s")])
    assert math.isnan(values[("101", "service_level")])
    assert math.isnan(values[("101", "wait_p90_s")])


# --- the wait histogram against numpy -----------------------------------------------------


def test_wait_p90_from_histogram_matches_numpy_percentile_on_a_random_run() -> None:
    # A busy single line (load 9.5 Erlangs on 10 operators) so that many calls wait and the
    # 90th percentile is well inside the histogram. The histogram interpolates within a one-
    # second bin and numpy between order statistics: both land within a second of each other.
    scenario = scenario_from_mapping(
        {
            "name": "p90",
            "horizon": {"days": 1, "warmup_hours": 2},
            "demand": {"101": {"rate_per_hour": 57.0}},
            "handling": {
                "101": {
                    "handle_time": {"dist": "lognormal", "mean_s": 600, "cv": 0.8},
                    "patience": {"dist": "exponential", "mean_s": 900},
                }
            },
            "pools": [{"name": "all", "skills": ["101"], "staffing": {"flat": 10}}],
        }
    )
    tallies = run_tallies(scenario, seed=20180101, replication=0, keep_records=True)
    waits = [
        r.wait_s
        for r in tallies.records or []
        if r.outcome == "answered" and r.arrival_s >= tallies.warmup_s
    ]
    assert len(waits) > 500
    expected = float(np.percentile(waits, 90))
    assert expected > 10.0  # the run really queues
    assert all_kpis(tallies)[("101", "wait_p90_s")] == pytest.approx(expected, abs=1.0)
