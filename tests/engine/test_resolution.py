"""Triage and the Resolution Centre (RC): hand-worked traces.

The traces drive
:func:`~contactsim.engine.builder.simulate` with plain objects: fixed arrival and handle
times, and fixed uniform draws for triage, contact attempts and outcomes, so every number below
is worked out on paper first. Times are in seconds from the horizon's start (midnight).
A call's triage draw ``u`` picks the first outcome whose cumulative share exceeds ``u``; a
contact attempt reaches the victim when its draw < ``contact_probability``; a worked incident
is resolved when its draw < the resolved share, to the front line when below resolved +
front line, else to a partner. :class:`Draws` fails a trace whose model asks for more draws
than the trace gives.

Statistics and properties on whole runs are in ``tests/system/test_resolution_statistics.py``;
bad input in ``tests/config/test_resolution_input.py``; the command line's RC outputs in
``tests/cli/test_rc_command.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from contactsim.build.staffing import within_hours
from contactsim.engine.builder import simulate
from contactsim.engine.inputs import LineInputs, ModelInputs, ModelSettings, PoolInputs
from contactsim.engine.plan import StaffingPlan
from contactsim.engine.records import RunTallies
from contactsim.engine.resolution import RCInputs, ResolutionCentre, TriageInputs
from contactsim.errors import ConservationError
from helpers.traces import Draws, rc_kpis
from helpers.traces import draws_used as used

DAY_S = 86400.0
#: RC hours 08:00-22:00, in minutes after midnight
OPEN_MINUTE, CLOSE_MINUTE = 480, 1320
#: every triage draw in [0, 1) sends the call to the RC
ALL_TO_RC = (0.0, 0.0, 0.0, 0.0, 1.0)


def flat(operators: int) -> StaffingPlan:
    """A flat staffing plan."""
    return StaffingPlan(times_s=(0.0,), operators=(operators,))


def line(
    name: str, arrivals: Sequence[float], handles: Sequence[float], triage: TriageInputs
) -> LineInputs:
    """A line whose callers are given one by one and never abandon."""
    assert len(arrivals) == len(handles)
    return LineInputs(
        name=name, arrival_times_s=iter(arrivals), handle_time=Draws(handles), patience=None,
        service_level_s=60.0, triage=triage,
    )


def rc_inputs(
    staffing: StaffingPlan, work: Sequence[float], contacts: Sequence[float],
    outcomes: Sequence[float], **changes: Any,
) -> RCInputs:
    """The RC of the traces: victims reached half the time (the draws decide), two attempts
    1800 s apart, 300 s per unanswered attempt; 60% resolved, 30% front line, 10% partner."""
    fields: dict[str, Any] = {
        "staffing": staffing,
        "work_time": Draws(work),
        "contact_attempts": 2,
        "contact_probability": 0.5,
        "contact": Draws(contacts),
        "attempt_gap_s": 1800.0,
        "unanswered_attempt_s": 300.0,
        "outcome_cumulative": (0.6, 0.9, 1.0),
        "outcome": Draws(outcomes),
    }
    fields.update(changes)
    return RCInputs(**fields)


# --- hand-worked traces -------------------------------------------------------------------------

TRACE_END_S = 2 * DAY_S  # 172800: two days, no warm-up


def night_closing_trace() -> tuple[RunTallies, RCInputs]:
    """Six incidents, one investigator on duty 08:00-22:00 (28800-79200, 115200-165600).

    Calls (ample operators, so each is answered as it rings) and the incident each refers when
    its handling ends:

    ====  ==========  ======  ===========
    call  rings (s)   handle  referred (s)
    ====  ==========  ======  ===========
    A     1000        100     1100   (night: waits for 08:00)
    B     2000        100     2100   (night)
    C     75000       600     75600  (21:00, worked until after 22:00)
    D     79900       100     80000  (22:13, RC closed: waits for 08:00 next day)
    G     164000      1000    165000 (21:50 day 2, still worked at the end)
    F     169900      100     170000 (23:13 day 2, still waiting at the end)
    ====  ==========  ======  ===========
    """
    triage = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5] * 6))
    calls = line("101", [1000, 2000, 75000, 79900, 164000, 169900],
                 [100, 100, 600, 100, 1000, 100], triage)
    hours = within_hours(flat(1), OPEN_MINUTE, CLOSE_MINUTE, TRACE_END_S)
    rc = rc_inputs(
        hours,
        work=[3600, 1200, 7200, 10000],
        # A reached; B unanswered, then reached; C reached; D unanswered twice; G reached
        contacts=[0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.1],
        # A resolved (0.1 < 0.6); B partner (0.95 >= 0.9); C front line (0.6 <= 0.7 < 0.9)
        outcomes=[0.1, 0.95, 0.7],
    )
    pools = [PoolInputs("operators", ("101",), flat(10))]
    settings = ModelSettings(end_s=TRACE_END_S, keep_records=True)
    tallies = simulate(ModelInputs([calls], pools, settings, rc=rc))
    assert used(triage.draw) == 6
    return tallies, rc


def test_rc_hours_plan_is_on_duty_from_eight_to_ten() -> None:
    hours = within_hours(flat(1), OPEN_MINUTE, CLOSE_MINUTE, TRACE_END_S)
    assert hours.times_s == (0.0, 28800.0, 79200.0, 115200.0, 165600.0)
    assert hours.operators == (0, 1, 0, 1, 0)


def test_trace_rc_closing_for_the_night_retries_and_victims_never_reached() -> None:
    tallies, rc = night_closing_trace()
    # Day 1 (the investigator comes on at 28800):
    #   28800  A: reached, works 3600 -> 32400, resolved.   (32400 - 1100) / 3600 = 8.6944 h
    #   32400  B: unanswered, 300 s -> 32700; attempt 1 of 2, due again at 32700 + 1800 = 34500
    #   34500  B: reached, works 1200 -> 35700, partner.    (35700 - 2100) / 3600 = 9.3333 h
    #   75600  C: reached, works 7200 -> 82800. At 22:00 (79200) the investigator is busy and
    #          finishes C first, going off duty at 82800. C: front line. (82800-75600)/3600 = 2 h
    #   80000  D is referred while nobody is on duty: it waits for 08:00.
    # Day 2 (on at 115200):
    #   115200 D: unanswered -> 115500; due at 117300: unanswered -> 117600; two attempts, never
    #          reached: front line, with no outcome draw.  (117600 - 80000) / 3600 = 10.4444 h
    #   165000 G: reached, works 10000 -> 175000, past the end (172800): in progress at the end
    #   170000 F: referred after 22:00: waiting at the end.
    rc_tally = tallies.rc
    assert rc_tally is not None
    assert tallies.lines["101"].triaged == [0, 0, 0, 0, 6]
    assert rc_tally.incidents == 6
    assert rc_tally.outcomes == [1, 2, 1]  # resolved A; front line C, D; partner B
    hours = [(32400 - 1100) / 3600, (35700 - 2100) / 3600, 2.0, (117600 - 80000) / 3600]
    assert rc_tally.resolve_hours == pytest.approx(hours, abs=1e-12)
    assert (rc_tally.waiting_end, rc_tally.in_progress_end, rc_tally.open_end) == (1, 1, 2)
    # open incidents over time:
    #   1100-2100: 1 (1000)  2100-32400: 2 (60600)  32400-35700: 1 (3300)  75600-80000: 1 (4400)
    #   80000-82800: 2 (5600)  82800-117600: 1 (34800)  165000-170000: 1 (5000)
    #   170000-172800: 2 (5600)                                        total 120300 incident-s
    assert rc_tally.backlog_area == pytest.approx(120300.0)
    # open at midnight: none at 0; D alone at 86400 (C ended at 82800)
    assert rc_tally.daily_backlog == [0, 1]
    # busy: A 3600 + B 300 + 1200 + C 7200 + D 300 + 300 + G up to the end 7800 = 20700
    assert rc_tally.busy_s == pytest.approx(20700.0)
    # every draw given was needed, and no more: 4 work times (A, B, C, G), 7 contact attempts,
    # 3 outcome draws (A, B, C; D was never reached)
    assert (used(rc.work_time), used(rc.contact), used(rc.outcome)) == (4, 7, 3)

    values = rc_kpis(tallies)
    assert values["rc_incidents"] == 6.0
    assert (values["rc_resolved"], values["rc_front_line"], values["rc_partner"]) == (1, 2, 1)
    assert values["rc_share_of_incidents"] == 1.0  # 6 referred / 6 graded other than closed
    assert values["rc_backlog_end"] == 2.0
    assert values["rc_backlog_mean"] == pytest.approx(120300.0 / TRACE_END_S)
    assert values["rc_time_to_resolve_h"] == pytest.approx(sum(hours) / 4)  # 7.6181 h
    # p90 from one-minute bins: 120, 521.67, 560 and 626.67 min fall in bins 120, 521, 560 and
    # 626; rank 0.9 x 4 = 3.6 lies in the fourth value's bin, 0.6 of the way through it:
    # 626.6 min = 10.4433 h
    assert values["rc_time_to_resolve_p90_h"] == pytest.approx((626 + 0.6) / 60)


def test_trace_rc_staffed_time_and_occupancy() -> None:
    tallies, _ = night_closing_trace()
    rc_tally = tallies.rc
    assert rc_tally is not None
    # On duty 28800-82800 on day 1 (finishing C past 22:00 counts) = 54000, and 115200 to the
    # end on day 2 (on duty until 22:00, then finishing G) = 57600: 111600 s.
    assert rc_tally.staffed_s == pytest.approx(111600.0)
    assert rc_kpis(tallies)["occupancy"] == pytest.approx(20700.0 / 111600.0)


def test_trace_rc_serves_the_most_urgent_line_first_then_first_come_first_served() -> None:
    # One investigator on duty all day, every victim reached, all resolved. 999 before 101.
    # 101 incidents referred at 10, 30, 50 (ring 0, 20, 40; handle 10); a 999 one at 70.
    # 10: the first 101 is worked 10 -> 1010. At 1010 the 999 incident goes first (1010 -> 1110)
    # although referred last, then the 101 ones in the order they came: 1110 -> 1210 (referred
    # 30), 1210 -> 1310 (referred 50).
    t101 = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5] * 3))
    t999 = TriageInputs(cumulative=ALL_TO_RC, draw=Draws([0.5]))
    lines = [
        line("999", [60], [10], t999),
        line("101", [0, 20, 40], [10, 10, 10], t101),
    ]
    rc = rc_inputs(flat(1), work=[1000, 100, 100, 100], contacts=[0.1] * 4,
                   outcomes=[0.1] * 4)
    pools = [PoolInputs("operators", ("999", "101"), flat(10))]
    settings = ModelSettings(end_s=3600.0, keep_records=True)
    tallies = simulate(ModelInputs(lines, pools, settings, rc=rc))
    assert tallies.rc is not None
    assert tallies.rc.resolve_hours == pytest.approx(
        [(1010 - 10) / 3600, (1110 - 70) / 3600, (1210 - 30) / 3600, (1310 - 50) / 3600]
    )
    assert tallies.rc.outcomes == [4, 0, 0]
    # busy 1000 + 3 x 100; on duty the whole hour
    assert tallies.rc.busy_s == pytest.approx(1300.0)


def closed_extra_trace(extra_s: float) -> RunTallies:
    """One operator, four callers at 0, 10, 20, 30, each 100 s of handling; graded closed,
    grade 1, closed, grade 1 (draw < 0.5: closed, else grade 1)."""
    triage = TriageInputs(
        cumulative=(0.5, 1.0, 1.0, 1.0, 1.0), draw=Draws([0.2, 0.7, 0.2, 0.9]),
        closed_extra_handle_s=extra_s,
    )
    calls = line("101", [0, 10, 20, 30], [100] * 4, triage)
    settings_ = ModelSettings(end_s=3600.0, keep_records=True)
    return simulate(ModelInputs([calls], [PoolInputs("operators", ("101",), flat(1))], settings_))


def test_closed_extra_handle_time_lengthens_exactly_the_calls_graded_closed() -> None:
    # With 50 s extra for closed calls: 1st (closed) 0 -> 150; 2nd (grade 1) waits 150 - 10 =
    # 140, 150 -> 250; 3rd (closed) waits 250 - 20 = 230, 250 -> 400; 4th (grade 1) waits
    # 400 - 30 = 370, 400 -> 500. Without: waits 0, 90, 180, 270, busy 400.
    longer = closed_extra_trace(50.0)
    plain = closed_extra_trace(0.0)
    assert longer.records is not None and plain.records is not None
    assert [r.wait_s for r in longer.records] == [0.0, 140.0, 230.0, 370.0]
    assert [r.handle_s for r in longer.records] == [150.0, 100.0, 150.0, 100.0]
    assert [r.wait_s for r in plain.records] == [0.0, 90.0, 180.0, 270.0]
    assert longer.pools["operators"].busy_s == pytest.approx(500.0)
    assert plain.pools["operators"].busy_s == pytest.approx(400.0)
    assert longer.lines["101"].triaged == [2, 2, 0, 0, 0]
    assert longer.rc is None


def test_rc_conservation_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    close = ResolutionCentre.close

    def losing_one(self: ResolutionCentre) -> None:
        close(self)
        self.tally.waiting_end -= 1  # an incident goes missing

    monkeypatch.setattr(ResolutionCentre, "close", losing_one)
    with pytest.raises(ConservationError, match="resolution centre"):
        night_closing_trace()
