"""The lightweight events (engine.kernel) run in exactly the order SimPy's Timeouts would.

The model's results depend on the order of simultaneous events, so these checks run on the
installed SimPy: a release that changed its event protocol would fail here, not in the numbers.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from simpy.events import Timeout

from contactsim.engine.kernel import Kernel, Scheduled


def _order(delays: list[float], light: list[bool], until: float | None) -> list[tuple[float, int]]:
    """Schedule one event per delay (a Timeout or a Scheduled) and return (time, index) as run."""
    env = Kernel(end_s=1e9)
    seen: list[tuple[float, int]] = []

    def note(event: Any) -> None:
        seen.append((env.now, event.value))

    for index, (delay, is_light) in enumerate(zip(delays, light, strict=True)):
        if is_light:
            env.schedule_in(delay, (note,), index)
        else:
            Timeout(env, delay, index).callbacks.append(note)
    if until is not None:
        env.run(until=until)
        env.run()  # the rest, after a stop in between
    else:
        env.run()
    return seen


def _timeouts_only(delays: list[float], until: float | None) -> list[tuple[float, int]]:
    return _order(delays, [False] * len(delays), until)


@given(
    st.lists(st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0]), min_size=1, max_size=30).flatmap(
        lambda delays: st.tuples(
            st.just(delays), st.lists(st.booleans(), min_size=len(delays), max_size=len(delays))
        )
    ),
    st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.0])),
)
def test_scheduled_events_run_in_the_order_timeouts_would(
    case: tuple[list[float], list[bool]], until: float | None
) -> None:
    delays, light = case
    assert _order(delays, light, until) == _timeouts_only(delays, until)


def test_events_at_the_same_time_run_in_the_order_they_were_scheduled() -> None:
    assert _order([1.0, 1.0, 1.0, 0.0], [True, False, True, True], None) == [
        (0.0, 3), (1.0, 0), (1.0, 1), (1.0, 2)
    ]


def test_an_event_runs_every_callback_with_itself_and_is_then_spent() -> None:
    env = Kernel(end_s=1e9)
    calls: list[tuple[str, object]] = []
    env.schedule_in(2.0, (lambda e: calls.append(("a", e.value)),
                          lambda e: calls.append(("b", e.value))), "x")
    event = env.next_event()
    assert isinstance(event, Scheduled)
    env.run()
    assert calls == [("a", "x"), ("b", "x")]
    assert event.callbacks is None  # SimPy marks a processed event so
    assert env.now == 2.0
