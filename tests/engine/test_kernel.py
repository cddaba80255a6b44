"""The kernel: SimPy's internals still have the shape it relies on, and its events and
arrivals run in exactly the order SimPy's own events would."""

from __future__ import annotations

import math
from typing import Any

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st
from simpy.events import Timeout

from contactsim.engine.kernel import Kernel, Scheduled, simpy_internals_problems


def test_simpy_internals_have_the_shape_the_kernel_relies_on() -> None:
    problems = simpy_internals_problems()
    assert not problems, (
        "the installed SimPy differs from what contactsim.engine.kernel relies on (its event "
        "heap, sequence counter, clock or event protocol); check the kernel against this "
        "release before changing the pin in pyproject.toml:\n- " + "\n- ".join(problems)
    )


def test_kernel_is_a_simpy_environment_that_timeouts_run_in() -> None:
    kernel = Kernel(end_s=100.0)
    seen: list[tuple[float, str]] = []
    Timeout(kernel, 3.0, "timeout").callbacks.append(lambda e: seen.append((kernel.now, e.value)))
    kernel.schedule_in(3.0, (lambda e: seen.append((kernel.now, e.value)),), "light")
    kernel.run()
    assert seen == [(3.0, "timeout"), (3.0, "light")]


def test_arrivals_interleave_with_events_as_if_scheduled_when_added() -> None:
    # An event at 5 scheduled before the stream is added goes before the arrival at 5; one
    # scheduled after goes after it. Arrivals at or after end_s (20) never come.
    kernel = Kernel(end_s=20.0)
    seen: list[tuple[float, str]] = []

    def note(event: Any) -> None:
        seen.append((kernel.now, event.value))

    kernel.schedule_in(5.0, (note,), "before")
    kernel.add_arrivals(iter([5.0, 7.0, 20.0, 25.0]), "line A")
    kernel.schedule_in(5.0, (note,), "after")
    kernel.add_arrivals(iter([7.0]), "line B")

    def arrive(target: Any, now: float) -> None:
        seen.append((now, f"arrival at {target}"))

    kernel.advance_to(10.0, arrive)
    assert seen == [
        (5.0, "before"), (5.0, "arrival at line A"), (5.0, "after"),
        # line A's arrival at 7 was keyed when its 5 came due, after line B's was added
        (7.0, "arrival at line B"), (7.0, "arrival at line A"),
    ]
    assert kernel.now == 10.0
    kernel.advance_to(30.0, arrive)
    assert len(seen) == 5  # the arrivals at 20 and 25 are past the end
    assert kernel.now == 30.0


def test_advance_to_leaves_events_at_the_stop_for_later() -> None:
    kernel = Kernel(end_s=10.0)
    seen: list[float] = []
    kernel.schedule_in(4.0, (lambda e: seen.append(kernel.now),), None)
    kernel.advance_to(4.0, lambda target, now: None)
    assert seen == [] and kernel.now == 4.0
    kernel.advance_to(5.0, lambda target, now: None)
    assert seen == [4.0]


def test_next_event_is_the_earliest_scheduled() -> None:
    kernel = Kernel(end_s=10.0)
    assert kernel.next_event() is None
    kernel.schedule_in(2.0, (), "late")
    kernel.schedule_in(1.0, (), "early")
    assert kernel.next_event().value == "early"


def test_advance_to_runs_every_callback_of_an_event_however_many() -> None:
    kernel = Kernel(end_s=10.0)
    seen: list[str] = []
    kernel.schedule_in(1.0, (lambda e: seen.append("one"),), None)
    kernel.schedule_in(2.0, (), None)
    kernel.schedule_in(3.0, (lambda e: seen.append("a"), lambda e: seen.append("b")), None)
    kernel.advance_to(10.0, lambda target, now: None)
    assert seen == ["one", "a", "b"]


def test_an_event_scheduled_again_runs_again_in_order_with_its_value() -> None:
    kernel = Kernel(end_s=100.0)
    seen: list[tuple[float, str]] = []

    def note(event: Any) -> None:
        seen.append((event.due_s, event.value))

    kernel.schedule_in(0.0, (lambda e: None,), None)
    kernel.advance_to(1.0, lambda target, now: None)
    recurring = Scheduled((), "again", 0.0)
    kernel.schedule_again(2.0, (note,), recurring)
    kernel.schedule_in(2.0, (note,), "new")  # the same time, scheduled after: runs after
    kernel.advance_to(5.0, lambda target, now: None)
    assert recurring.callbacks is None  # spent, as any processed event
    kernel.schedule_again(1.0, (note,), recurring)
    kernel.advance_to(10.0, lambda target, now: None)
    assert seen == [(3.0, "again"), (3.0, "new"), (6.0, "again")]


def _trace_with_kernel(streams: list[list[int]], delays: list[int], chunks: list[int],
                       end_s: float) -> list[tuple[float, str]]:
    """What runs when: arrivals of ``streams`` through the kernel, each scheduling an event
    ``delays[k]`` after the k-th arrival (every third a SimPy ``Timeout``), advanced to each
    of ``chunks`` in turn."""
    kernel = Kernel(end_s=end_s)
    seen: list[tuple[float, str]] = []
    count = iter(range(10**6))

    def note(event: Any) -> None:
        seen.append((kernel.now, event.value))

    def arrive(target: Any, now: float) -> None:
        k = next(count)
        seen.append((now, f"arrival {k} at {target}"))
        delay_s = float(delays[k % len(delays)])
        if k % 3:
            kernel.schedule_in(delay_s, (note,), f"event of {k}")
        else:  # SimPy's own events interleave with the kernel's
            Timeout(kernel, delay_s, f"event of {k}").callbacks.append(note)

    for index, times in enumerate(streams):
        kernel.add_arrivals(iter(float(t) for t in times), f"line {index}")
    for until in chunks:
        kernel.advance_to(float(until), arrive)
    return seen


def _trace_with_simpy(streams: list[list[int]], delays: list[int], until_s: float,
                      end_s: float) -> list[tuple[float, str]]:
    """The same, every arrival a SimPy ``Timeout`` scheduled when the stream's previous one
    came due (before its handler ran): the order the kernel must reproduce."""
    env = simpy.Environment()
    seen: list[tuple[float, str]] = []
    count = iter(range(10**6))

    def note(event: Any) -> None:
        seen.append((env.now, event.value))

    def schedule_next(times: Any, target: str) -> None:
        arrival = next(times, None)
        if arrival is None or arrival >= end_s:
            return
        timeout = Timeout(env, arrival - env.now, target)
        timeout.callbacks.append(lambda event: arrive(times, event.value))

    def arrive(times: Any, target: str) -> None:
        schedule_next(times, target)
        k = next(count)
        seen.append((env.now, f"arrival {k} at {target}"))
        Timeout(env, float(delays[k % len(delays)]), f"event of {k}").callbacks.append(note)

    for index, times in enumerate(streams):
        schedule_next(iter(float(t) for t in times), f"line {index}")
    env.run(until=until_s)
    return seen


@given(
    streams=st.lists(st.lists(st.integers(0, 30), max_size=12).map(sorted), max_size=4),
    delays=st.lists(st.integers(0, 6), min_size=1, max_size=5),
    chunks=st.lists(st.integers(1, 40), min_size=1, max_size=4).map(sorted),
    end_s=st.integers(5, 35),
)
def test_arrivals_of_many_streams_run_in_simpys_order_whatever_the_ties(
    streams: list[list[int]], delays: list[int], chunks: list[int], end_s: int
) -> None:
    # whole seconds make ties between streams, and between arrivals and events, common: the
    # kernel, which holds the first stream in locals and compares it with the heap of the
    # others only when needed, must still run everything in SimPy's own order, however the
    # run is cut into calls of advance_to
    assert _trace_with_kernel(streams, delays, chunks, float(end_s)) == _trace_with_simpy(
        streams, delays, float(chunks[-1]), float(end_s))


def test_an_exception_from_a_callback_leaves_the_kernel_whole() -> None:
    # advance_to puts an entry after every event on SimPy's heap and holds the first stream
    # apart while it runs: both are put back as they were when a callback raises
    kernel = Kernel(end_s=100.0)
    kernel.add_arrivals(iter([1.0, 2.0, 3.0]), "line A")
    seen: list[float] = []

    def fail(event: Any) -> None:
        raise ValueError("a callback failed")

    kernel.schedule_in(1.5, (fail,), None)
    with pytest.raises(ValueError, match="a callback failed"):
        kernel.advance_to(10.0, lambda target, now: seen.append(now))
    assert seen == [1.0] and kernel.now == 1.5
    assert kernel.peek() == math.inf and kernel.next_event() is None
    kernel.advance_to(10.0, lambda target, now: seen.append(now))
    assert seen == [1.0, 2.0, 3.0] and kernel.now == 10.0


def test_arrivals_cannot_be_added_while_the_kernel_advances() -> None:
    kernel = Kernel(end_s=100.0)

    def add_a_stream(event: Any) -> None:
        kernel.add_arrivals(iter([5.0]), "line B")

    kernel.schedule_in(1.0, (add_a_stream,), None)
    with pytest.raises(RuntimeError, match="cannot be added while the kernel advances"):
        kernel.advance_to(10.0, lambda target, now: None)
