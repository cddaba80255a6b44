"""Shrinkage as absence: which of the rostered people are on the phones.

Shrinkage is the share of rostered time lost to sickness, leave, training and the like. It is
modelled as what it is — people absent — rather than as a fraction rounded off every hour:

- each rostered person's **duty** is present whole or absent whole, absent with probability
  ``shrinkage``, independently of every other duty;
- with ``shifts``, a duty is one person's shift on one day; with ``flat`` or ``per_interval``
  staffing, a duty is one person's day (midnight to midnight): the k-th person on duty at any
  time of a day is the same person all that day;
- a fractional person (a ``scale`` of 1.1 on 5 rostered is 5.5) is present with probability
  (its fraction) × (1 − shrinkage).

So the expected number on the phones is exactly rostered × scale × (1 − shrinkage), at every
time, and one more rostered person always adds 1 − shrinkage of a person on average.

Whether a duty is present is decided by a uniform number that depends only on the pool's random
key (one draw from its named stream ``absence/POOL``), the day, the shift (its place in the
list, or its ``name`` if it has one) and the person's place in the shift
(:func:`duty_uniforms`): adding a person to a shift, a shift to the end of the list, or an
operator to an hour, decides the new people's presence and leaves every other duty as it was,
so two scenarios compared with the same seed differ by the staffing change alone (common random
numbers). Name shifts to keep that when shifts are removed or inserted before them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def duty_uniforms(
    key: int, day: np.ndarray, slot: np.ndarray, person: np.ndarray
) -> np.ndarray:
    """A uniform number in [0, 1) for each (day, slot, person), a function of ``key`` and of
    those three only (SplitMix64's finaliser over their packed value)."""
    packed = (
        (day.astype(np.uint64) << np.uint64(40))
        | (slot.astype(np.uint64) << np.uint64(20))
        | person.astype(np.uint64)
    )
    with np.errstate(over="ignore"):
        z = packed * _GOLDEN + np.uint64(key)
        z = (z ^ (z >> np.uint64(30))) * _MIX_1
        z = (z ^ (z >> np.uint64(27))) * _MIX_2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def present_in_duties(
    people: Sequence[float], days: Sequence[int], slots: Sequence[int], presence: float,
    key: int,
) -> np.ndarray:
    """How many of each duty's ``people`` are present: each whole person with probability
    ``presence``, the fraction of a person with (fraction × ``presence``)."""
    people_array = np.asarray(people, dtype=float)
    whole = np.floor(people_array + 1e-9).astype(np.int64)
    fraction = np.clip(people_array - whole, 0.0, 1.0)
    seats = whole + (fraction > 1e-9)  # the people of each duty, a fractional one included
    owner = np.repeat(np.arange(len(people_array)), seats)
    place = np.arange(owner.size) - np.repeat(np.cumsum(seats) - seats, seats)
    u = duty_uniforms(key, np.asarray(days)[owner], np.asarray(slots)[owner], place + 1)
    threshold = np.where(place < whole[owner], presence, fraction[owner] * presence)
    return np.bincount(owner, weights=u < threshold, minlength=len(people_array)).astype(
        np.int64)


def present_by_day(
    times_s: Sequence[float], people: Sequence[float], end_s: float, presence: float, key: int,
) -> tuple[list[float], list[int]]:
    """A step function of rostered ``people`` (from each of ``times_s`` to the next), as people
    present: the k-th person on duty is one duty per day, present whole or absent whole."""
    day_edges = [86400.0 * d for d in range(1, math.ceil(end_s / 86400.0))]
    times = sorted({*times_s, *day_edges})
    index = np.searchsorted(np.asarray(times_s), times, side="right") - 1
    levels = np.asarray(people, dtype=float)[index]
    days = (np.asarray(times) // 86400.0).astype(np.int64)
    whole = np.floor(levels + 1e-9).astype(np.int64)
    fraction = np.clip(levels - whole, 0.0, 1.0)
    # present[d][k]: how many of the day's first k people are present, for k up to the most
    # on duty that day (plus one, for a fractional person)
    most = np.zeros(days.max() + 1, dtype=np.int64)
    np.maximum.at(most, days, whole + 1)
    offsets = np.concatenate(([0], np.cumsum(most)))
    day_of_seat = np.repeat(np.arange(most.size), most)
    place = np.arange(offsets[-1]) - offsets[day_of_seat]
    u = duty_uniforms(key, day_of_seat, np.zeros_like(day_of_seat), place + 1)
    here = u < presence
    counted = np.concatenate(([0], np.cumsum(here)))
    first_k = counted[offsets[days] + whole] - counted[offsets[days]]
    extra = u[offsets[days] + whole] < fraction * presence  # the next person, in part
    return times, (first_k + extra).tolist()
