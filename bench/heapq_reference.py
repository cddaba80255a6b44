"""A minimal heapq event loop of the Erlang A model: the yardstick contactsim is measured against.

Same model as contactsim's (Poisson arrivals, FCFS, n agents, abandonment when patience runs
out while queued) and the same random draws per call (an inter-arrival gap, a handle time and a
patience, drawn in numpy blocks when the caller rings), but none of contactsim's bookkeeping:
no intervals, no histogram, no routing, no staffing plans. Kept deliberately lean: it is the
floor a Python event loop can reach, not a simulator.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from itertools import chain

import numpy as np

ARRIVAL, DEPARTURE, ABANDON = 0, 1, 2
BLOCK = 2048


@dataclass(frozen=True)
class ReferenceResult:
    """Counts and waits of a reference run."""

    calls: int
    answered: int
    abandoned: int
    wait_sum_s: float


def _blocks(draw, size=BLOCK):
    # values taken from lists without entering Python; draw runs once a block
    return chain.from_iterable(iter(lambda: draw(size).tolist(), None))


def simulate_erlang_a(
    rate_per_hour: float, handle_s: float, patience_s: float, agents: int, calls: int, seed: int
) -> ReferenceResult:
    """Simulate ``calls`` arrivals of an M/M/n+M queue with a heapq event list."""
    rng = np.random.default_rng(seed)
    gaps = _blocks(lambda k: rng.exponential(3600.0 / rate_per_hour, k))
    handles = _blocks(lambda k: rng.exponential(handle_s, k))
    patiences = _blocks(lambda k: rng.exponential(patience_s, k))
    events: list[tuple[float, int, int, int]] = [(next(gaps), 0, ARRIVAL, 0)]
    sequence = 1
    idle = agents
    queue: deque[int] = deque()
    arrival_of: dict[int, float] = {}
    handle_of: dict[int, float] = {}
    waiting: set[int] = set()
    arrived = answered = abandoned = 0
    wait_sum = 0.0
    push, pop = heapq.heappush, heapq.heappop
    while events:
        now, _, kind, call = pop(events)
        if kind == ARRIVAL:
            arrived += 1
            if arrived < calls:
                push(events, (now + next(gaps), sequence, ARRIVAL, arrived))
                sequence += 1
            handle = next(handles)
            patience = next(patiences)
            if idle:
                idle -= 1
                answered += 1
                push(events, (now + handle, sequence, DEPARTURE, call))
            else:
                arrival_of[call] = now
                handle_of[call] = handle
                waiting.add(call)
                queue.append(call)
                push(events, (now + patience, sequence, ABANDON, call))
            sequence += 1
        elif kind == DEPARTURE:
            while queue and queue[0] not in waiting:
                queue.popleft()
            if queue:
                nxt = queue.popleft()
                waiting.discard(nxt)
                answered += 1
                wait_sum += now - arrival_of.pop(nxt)
                push(events, (now + handle_of.pop(nxt), sequence, DEPARTURE, nxt))
                sequence += 1
            else:
                idle += 1
        elif call in waiting:
            waiting.discard(call)
            abandoned += 1
            del arrival_of[call], handle_of[call]
    return ReferenceResult(
        calls=arrived, answered=answered, abandoned=abandoned, wait_sum_s=wait_sum
    )
