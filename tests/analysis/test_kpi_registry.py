"""The KPI registry, checked by hand: each formula on small tallies whose KPIs can be worked out
on paper, and the registry as the one place KPI names are defined."""

from __future__ import annotations

import math
from typing import Any

import pytest

from contactsim.analysis import kpi_names
from contactsim.analysis.kpis import (
    BURST_KPIS,
    CALL_BACK_KPIS,
    INTERVAL_SUMS,
    KPIS,
    LINE_KPIS,
    POOL_KPIS,
    RC_KPIS,
    RC_SCOPE,
    SERVICE_TARGET_KPIS,
    TRIAGE_KPIS,
    computable_from,
    kpi_rows,
    ratio,
)
from contactsim.analysis.periods import PERIOD_KPIS
from contactsim.engine.bursts import BurstTally
from contactsim.engine.dropped_calls import CallBackTally
from contactsim.engine.records import (
    RC_OUTCOMES,
    TRIAGE_OUTCOMES,
    LineTally,
    PoolTally,
    RCTally,
    RunTallies,
)
from contactsim.planning.targets import KPI_NAMES, Target


def small_line() -> LineTally:
    """Three intervals, the first in the warm-up (its calls must not count)."""
    line = LineTally(name="999", service_level_s=10.0, n_intervals=3, first_counted_interval=1)
    line.offered = [100, 10, 6]
    line.answered = [90, 7, 5]
    line.abandoned = [10, 2, 1]
    line.answered_within = [80, 6, 3]
    line.wait_sum_s = [999.0, 70.0, 50.0]
    line.callbacks_offered = [9, 2, 1]
    line.callbacks_accepted = [9, 1, 1]
    line.redials = [9, 1, 2]
    line.switched_to_999 = [9, 0, 1]
    line.overflowed = [5, 3, 1]
    line.deflected = 4
    line.waiting_end = 1
    line.callbacks_completed = 1
    line.callbacks_failed = 1
    line.callbacks_pending_end = 0
    line.callbacks_completed_within_target = 1
    line.callback_wait_sum_s = 300.0
    line.triaged = [1, 2, 3, 4, 2]  # in TRIAGE_OUTCOMES order
    line.graded = True
    line.zero_waits = 2
    line.wait_histogram[10] = 10  # ten answered waits between 10 s and 11 s
    return line


def small_run() -> RunTallies:
    rc = RCTally(incidents=5, outcomes=[2, 1, 1], open_end=3, backlog_area=7200.0,
                 staffed_s=3600.0, busy_s=900.0)
    for hours in (1.0, 2.0, 3.0, 6.0):
        rc.add_time_to_resolve(hours)
    pool = PoolTally("call takers", 7200.0, 5400.0, shifts=4, high_occupancy_shifts=1,
                     longest_stretch_sum_s=4 * 1500.0, longest_stretch_max_s=2400.0,
                     breaks_taken=6, breaks_late=2, break_late_sum_s=300.0,
                     break_late_max_s=240.0, breaks_missed=1, outage_s=1800.0)
    line = small_line()
    line.bursts = small_bursts()
    line.call_backs = small_call_backs()
    return RunTallies(lines={"999": line}, pools={"call takers": pool},
                      interval_s=900.0, warmup_s=900.0, end_s=900.0 + 4 * 3600.0, rc=rc)


def small_bursts() -> BurstTally:
    """The duplicates of ``small_line``'s calls (the first interval in the warm-up)."""
    bursts = BurstTally(n_intervals=3, first_counted_interval=1)
    bursts.duplicates_offered = [9, 3, 1]
    bursts.duplicates_answered = [9, 2, 1]
    bursts.duplicates_answered_within = [9, 1, 0]
    bursts.duplicates_abandoned = [0, 1, 0]
    return bursts


def small_call_backs() -> CallBackTally:
    """The silent and dropped calls of ``small_line`` and their call-backs."""
    call_backs = CallBackTally(n_intervals=3, first_counted_interval=1)
    call_backs.silent_calls = [5, 1, 2]
    call_backs.call_backs_due = [5, 2, 2]
    call_backs.call_backs_made = [5, 1, 2]
    call_backs.call_back_wait_sum_s = [100.0, 60.0, 30.0]
    call_backs.call_back_busy_s = [500.0, 120.0, 240.0]
    call_backs.call_backs_pending_end = 1
    return call_backs


#: Every KPI of ``small_run`` worked out by hand.
BY_HAND: dict[tuple[str, str], float] = {
    # 12 answered, 3 abandoned and 4 overflowed (3 + 1) ended: 19
    ("999", "offered"): 16, ("999", "answered"): 12, ("999", "abandoned"): 3,
    ("999", "abandon_rate"): 3 / 19, ("999", "asa_s"): 120 / 12,
    ("999", "overflowed"): 4, ("999", "overflow_rate"): 4 / 19,
    # 12 answered waits: 2 of 0 s, 10 in [10 s, 11 s); the 90% rank 10.8 is 0.88 into the bin
    ("999", "wait_p90_s"): 10.88,
    ("999", "service_level"): 9 / 19, ("999", "deflected"): 4, ("999", "waiting_end"): 1,
    ("999", "callbacks_offered"): 3, ("999", "callbacks_accepted"): 2,
    ("999", "callbacks_completed"): 1, ("999", "callbacks_failed"): 1,
    ("999", "callbacks_pending_end"): 0, ("999", "callback_wait_s"): 300.0,
    ("999", "callbacks_within_target"): 1 / 2, ("999", "redials"): 3,
    ("999", "unique_callers"): 13, ("999", "switched_to_999"): 1,
    **{("999", f"triage_{o}"): n for o, n in zip(TRIAGE_OUTCOMES, [1, 2, 3, 4, 2], strict=True)},
    # duplicates: 4 offered, 3 answered (1 within 10 s), 1 abandoned; without them 9 - 1 within
    # of (12 - 3) + (3 - 1) + (4 - 0) ended
    ("999", "duplicates_offered"): 4, ("999", "duplicates_answered"): 3,
    ("999", "duplicates_abandoned"): 1, ("999", "service_level_excluding_duplicates"): 8 / 15,
    # call-backs: 3 made, waiting 90 s in all, 360 s of operator time
    ("999", "silent_calls"): 3, ("999", "call_backs_due"): 4, ("999", "call_backs_made"): 3,
    ("999", "call_backs_pending_end"): 1, ("999", "call_back_wait_s"): 30.0,
    ("999", "call_back_hours"): 0.1,
    ("call takers", "occupancy"): 0.75, ("call takers", "staffed_hours"): 2.0,
    ("call takers", "busy_hours"): 1.5,
    # four operator-shifts, one above its high occupancy; longest stretches 25 min on average,
    # 40 at most; 2 of 6 breaks late by 300 s in all (150 s each on average), 240 s at most
    ("call takers", "operator_shifts"): 4, ("call takers", "high_occupancy_shifts"): 1 / 4,
    ("call takers", "longest_busy_stretch_min"): 25.0,
    ("call takers", "longest_busy_stretch_max_min"): 40.0,
    ("call takers", "late_breaks"): 2 / 6, ("call takers", "break_lateness_min"): 2.5,
    ("call takers", "break_lateness_max_min"): 4.0, ("call takers", "missed_breaks"): 1,
    ("call takers", "outage_hours"): 0.5,
    (RC_SCOPE, "rc_incidents"): 5, (RC_SCOPE, "rc_resolved"): 2, (RC_SCOPE, "rc_front_line"): 1,
    (RC_SCOPE, "rc_partner"): 1, (RC_SCOPE, "rc_share_of_incidents"): 2 / 11,
    (RC_SCOPE, "rc_backlog_end"): 3, (RC_SCOPE, "rc_backlog_mean"): 0.5,
    (RC_SCOPE, "rc_time_to_resolve_h"): 12 / 4,
    # four times, one a bin: the 90% rank 3.6 is 0.6 into the bin of 6 h (minute 360)
    (RC_SCOPE, "rc_time_to_resolve_p90_h"): 360.6 / 60,
    (RC_SCOPE, "occupancy"): 0.25,
}


def test_every_kpi_of_a_small_run_equals_the_hand_computed_value() -> None:
    rows = {(scope, kpi): value for scope, kpi, value in kpi_rows(small_run())}
    assert rows.keys() == BY_HAND.keys()
    for key, value in BY_HAND.items():
        assert rows[key] == pytest.approx(value, rel=1e-12), key


def test_the_hand_checks_cover_the_whole_registry() -> None:
    assert {kpi for _, kpi in BY_HAND} == set(KPIS)
    assert len(RC_OUTCOMES) == 3 and len(TRIAGE_OUTCOMES) == 5  # as the tallies above assume


def test_a_ratio_with_nothing_to_divide_is_nan_not_zero() -> None:
    empty = RunTallies(lines={"101": LineTally("101", 20.0, 2, 0)},
                       pools={"p": PoolTally("p")}, interval_s=900.0, warmup_s=0.0,
                       end_s=1800.0)
    rows = {kpi: value for _, kpi, value in kpi_rows(empty)}
    for kpi in ("abandon_rate", "asa_s", "wait_p90_s", "service_level", "callback_wait_s",
                "callbacks_within_target", "occupancy"):
        assert math.isnan(rows[kpi]), kpi
    assert rows["offered"] == 0.0 and rows["staffed_hours"] == 0.0


class _Recorder:
    """Sums that note which names a formula reads (every sum is 1)."""

    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return 1.0


@pytest.mark.parametrize("kpi", [k for k in (*LINE_KPIS, *BURST_KPIS, *CALL_BACK_KPIS,
                                            *POOL_KPIS, *RC_KPIS)
                                 if k.formula is not None], ids=lambda k: f"{k.scope}-{k.name}")
def test_a_formula_reads_exactly_the_sums_it_declares(kpi: Any) -> None:
    recorder = _Recorder()
    kpi.from_sums(recorder)
    assert recorder.read == set(kpi.sums)


def test_a_kpi_that_is_not_a_formula_of_sums_says_so() -> None:
    with pytest.raises(ValueError, match="wait_p90_s"):
        KPIS["wait_p90_s"].from_sums({})


def test_ratio_is_nan_where_the_denominator_is_zero_for_numbers_and_arrays() -> None:
    import numpy as np
    import pandas as pd

    assert math.isnan(ratio(1, 0)) and ratio(3, 4) == 0.75
    assert np.array_equal(ratio(np.array([3, 1]), np.array([4, 0])), [0.75, np.nan],
                          equal_nan=True)
    assert ratio(pd.Series([3, 1]), pd.Series([4, 0])).tolist()[0] == 0.75


# --- the registry is the only place KPI names are defined ----------------------------------


def test_every_name_constant_is_a_registry_kpi_and_every_kpi_has_a_constant() -> None:
    # the prefixes of KPIs made by a function (triage_kpi, service_level_at) are not KPIs
    constants = {value for key, value in vars(kpi_names).items()
                 if key.isupper() and key not in ("TRIAGE_PREFIX", "SERVICE_LEVEL_AT")}
    triage = {kpi_names.triage_kpi(outcome) for outcome in TRIAGE_OUTCOMES}
    assert constants | triage == set(KPIS)
    assert {k.name for k in TRIAGE_KPIS} == triage


def test_period_kpis_are_the_registry_formulas_of_the_interval_sums() -> None:
    period = computable_from(INTERVAL_SUMS)
    assert set(PERIOD_KPIS) == {k.name for k in period}
    assert set(PERIOD_KPIS) == {"offered", "answered", "abandoned", "abandon_rate", "asa_s",
                                "service_level", "overflowed", "overflow_rate"}
    for kpi in period:
        assert PERIOD_KPIS[kpi.name] == kpi.from_sums


def test_staffing_targets_are_the_period_kpis_with_a_better_direction() -> None:
    assert SERVICE_TARGET_KPIS == {"abandon_rate": False, "asa_s": False, "service_level": True,
                                   "overflow_rate": False}


def _target(kpi: str) -> Target:
    return Target.model_validate({"line": "999", "kpi": kpi, "value": 1.0, "tolerance": 0.1,
                                  "source": "test"})


@pytest.mark.parametrize("kpi", sorted(KPIS))
def test_a_targets_file_accepts_exactly_the_registry_period_kpis(kpi: str) -> None:
    if kpi in PERIOD_KPIS:
        assert _target(kpi).kpi == kpi
    else:
        with pytest.raises(ValueError, match="a KPI of a period"):
            _target(kpi)


def test_targets_name_their_kpis_with_the_registry_short_labels() -> None:
    assert {name: KPIS[name].short_label for name in PERIOD_KPIS} == KPI_NAMES
    assert KPI_NAMES["asa_s"] == "ASA (s)" and KPI_NAMES["service_level"] == "service level"
    assert _target("asa_s").label == "999 ASA (s), year"
