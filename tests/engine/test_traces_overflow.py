"""Hand-worked traces of overflow to a neighbouring force: calls still queueing ``after_s``
after they rang go to the neighbour (at exactly ``after_s``; before a caller who would hang up
at that very moment), unless answered first; a neighbour with all its lines busy leaves them
waiting here until a line frees; and what each counts — overflowed, the service level and
abandon rate over calls answered, abandoned or overflowed, conservation.

Each trace drives :func:`~contactsim.engine.builder.simulate` with fixed arrival, handle and
patience times; every number is worked out on paper first. Times are in seconds.
"""

from __future__ import annotations

import math

import pytest

from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs, ModelSettings
from contactsim.engine.overflow import OverflowInputs
from contactsim.engine.records import RunTallies
from helpers.traces import NEVER, all_kpis, by_arrival, line, pool


def run(arrivals: list[float], handles: list[float], patiences: list[float],
        overflow: OverflowInputs | None, end_s: float = 1200.0) -> RunTallies:
    return simulate(ModelInputs(
        [line("999", arrivals, handles, patiences, service_level_s=10.0, overflow=overflow)],
        [pool("emergency", ("999",), 1)],
        ModelSettings(end_s=end_s, interval_s=end_s, keep_records=True),
    ))


def test_calls_queueing_after_s_overflow_at_exactly_after_s_unless_answered_first() -> None:
    # One operator; overflow after 30 s to a neighbour that takes every call.
    #   t=0:   A answered at once, ends 100
    #   t=5:   E queues, patience 30: at t=35 it would hang up and is due to overflow: it
    #          overflows (the overflow comes first)
    #   t=10:  B queues: overflows at 40 (waited 30); t=20: C queues: overflows at 50
    #   t=80:  D queues (due at 110); t=100: A ends: D answered (waited 20), its overflow void
    tallies = run([0.0, 5.0, 10.0, 20.0, 80.0], [100.0, 60.0, 70.0, 80.0, 90.0],
                  [NEVER, 30.0, NEVER, NEVER, NEVER], OverflowInputs(after_s=30.0))
    records = by_arrival(tallies, "999")
    assert [(r.outcome, r.wait_s) for r in records] == [
        ("answered", 0.0), ("overflowed", 30.0), ("overflowed", 30.0), ("overflowed", 30.0),
        ("answered", 20.0)]
    assert [r.handle_s for r in records if r.outcome == "overflowed"] == [60.0, 70.0, 80.0]
    line_tally = tallies.lines["999"]
    assert (line_tally.total("offered"), line_tally.total("answered"),
            line_tally.total("abandoned"), line_tally.total("overflowed")) == (5, 2, 0, 3)
    kpis = all_kpis(tallies)
    # A within 10 s; D not; E, B, C overflowed: not answered here in time
    assert kpis[("999", "service_level")] == pytest.approx(1 / 5, rel=1e-12)
    assert kpis[("999", "overflow_rate")] == pytest.approx(3 / 5, rel=1e-12)
    assert kpis[("999", "abandon_rate")] == 0.0
    assert kpis[("999", "overflowed")] == 3.0
    assert kpis[("999", "asa_s")] == pytest.approx(10.0, rel=1e-12)  # answered here only
    assert tallies.pools["emergency"].busy_s == 190.0  # the neighbour's time is not ours


def test_a_full_neighbour_leaves_calls_waiting_until_one_of_its_lines_frees() -> None:
    # One operator busy 0-1000 with A; overflow after 30 s to a neighbour with 1 line.
    #   t=40:  B (rang 10) overflows; the neighbour's line busy until 40 + 100 = 140
    #   t=50:  C (rang 20) due: the line is busy: C waits here
    #   t=90:  D (rang 60) due: waits; t=95: E (rang 65, patience 60) due: waits
    #   t=125: E hangs up
    #   t=140: the line frees: C overflows (waited 120), busy until 190
    #   t=190: D overflows (waited 130), busy until 260
    #   t=230: F (rang 200) due: waits
    #   t=260: the line frees: E is gone (skipped), F overflows (waited 60), busy until 1060
    #   t=980: G (rang 950) due: waits; t=1000: A ends: G answered here (waited 50)
    #   t=1060: the line frees: G was answered (skipped)
    tallies = run(
        [0.0, 10.0, 20.0, 60.0, 65.0, 200.0, 950.0],
        [1000.0, 100.0, 50.0, 70.0, 10.0, 800.0, 10.0],
        [NEVER, NEVER, NEVER, NEVER, 60.0, NEVER, NEVER],
        OverflowInputs(after_s=30.0, capacity=1))
    records = by_arrival(tallies, "999")
    assert [(r.outcome, r.wait_s) for r in records] == [
        ("answered", 0.0), ("overflowed", 30.0), ("overflowed", 120.0), ("overflowed", 130.0),
        ("abandoned", 60.0), ("overflowed", 60.0), ("answered", 50.0)]
    line_tally = tallies.lines["999"]
    assert (line_tally.total("offered"), line_tally.total("answered"),
            line_tally.total("abandoned"), line_tally.total("overflowed"),
            line_tally.waiting_end) == (7, 2, 1, 4, 0)


def test_calls_still_waiting_for_a_full_neighbour_at_the_end_are_waiting() -> None:
    # The neighbour's one line busy 40-1040 with B; C (rang 20) waits to the end at 600.
    tallies = run([0.0, 10.0, 20.0], [1000.0, 1000.0, 10.0], [NEVER] * 3,
                  OverflowInputs(after_s=30.0, capacity=1), end_s=600.0)
    assert [r.outcome for r in by_arrival(tallies, "999")] == [
        "answered", "overflowed", "waiting"]
    assert tallies.lines["999"].waiting_end == 1


def test_an_after_s_beyond_the_horizon_gives_exactly_the_numbers_without_overflow() -> None:
    arrivals = [0.0, 5.0, 10.0, 20.0, 80.0]
    handles = [100.0, 60.0, 70.0, 80.0, 90.0]
    patiences = [NEVER, 30.0, NEVER, NEVER, NEVER]
    without = run(arrivals, handles, patiences, None)
    never = run(arrivals, handles, patiences, OverflowInputs(after_s=1e7))
    assert without.records == never.records
    assert nan_as_text(all_kpis(without)) == nan_as_text(all_kpis(never))


def nan_as_text(kpis: dict[tuple[str, str], float]) -> dict[tuple[str, str], float | str]:
    """KPIs with NaN (nothing to divide by) as text, so that two runs compare equal."""
    return {key: "nan" if math.isnan(value) else value for key, value in kpis.items()}


@pytest.mark.parametrize(("after_s", "capacity"), [(-1.0, None), (30.0, 0)])
def test_an_overflow_rule_that_could_never_work_is_refused(after_s: float,
                                                          capacity: int | None) -> None:
    with pytest.raises(ValueError, match="overflow"):
        OverflowInputs(after_s=after_s, capacity=capacity)
