"""The plain objects the SimPy model takes: lines, pools, redials, run settings, and
:class:`ModelInputs`, everything one replication's model takes, together.

Built from a validated scenario by :mod:`contactsim.build.model_inputs` (or by hand, in tests);
the model needs nothing else. Line names are the scenario's: the engine knows no line by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contactsim.engine.bursts import BurstInputs
from contactsim.engine.callback import CallbackInputs
from contactsim.engine.dropped_calls import CallBackInputs
from contactsim.engine.overflow import OverflowInputs
from contactsim.engine.plan import ShiftRoster, StaffingPlan
from contactsim.engine.resolution import RCInputs, TriageInputs
from contactsim.engine.sampler import Sampler


@dataclass(frozen=True)
class RedialInputs:
    """Callers of a line who abandon and ring again.

    A share ``switch_share`` of redials go to another line, ``switch_line`` (in the scenarios,
    the emergency line), instead of the one abandoned.
    """

    probability: float
    decide: Sampler  # uniform, one draw per abandonment that may redial
    delay: Sampler
    max_calls_per_caller: int
    switch_share: float = 0.0
    switch: Sampler | None = None  # uniform, one draw per redial
    switch_line: str | None = None

    def __post_init__(self) -> None:
        if self.switch is not None and self.switch_line is None:
            raise ValueError("redials that switch line need switch_line: the line they ring")


@dataclass(frozen=True)
class LineInputs:
    """One line as the model sees it.

    ``redial`` is how this line's abandoning callers ring again. A caller who redials into this
    line draws a new patience from ``redial_patience`` (required when the line has a patience
    and any line redials into it) and, if they came from another line, a handle time from
    ``redial_handle_time``; a caller redialling the same line keeps their handle time.
    Answered calls are counted within ``service_level_s`` and within each of ``also_within_s``.
    """

    name: str
    arrival_times_s: Iterator[float]
    handle_time: Sampler
    patience: Sampler | None
    service_level_s: float
    online_shift: float = 0.0
    deflection: Sampler | None = None
    redial: RedialInputs | None = None
    redial_handle_time: Sampler | None = None
    redial_patience: Sampler | None = None
    #: replayed logs: (caller id, the caller's call number) per arrival; None: all new callers
    arrival_callers: Iterator[tuple[int, int]] | None = None
    triage: TriageInputs | None = None
    #: more service-level thresholds (seconds) the line's answered calls are counted within
    also_within_s: tuple[float, ...] = ()
    #: calls queueing too long go to a neighbouring force (None: they never do)
    overflow: OverflowInputs | None = None
    #: a share of first calls bring a burst of duplicates (None: none do)
    bursts: BurstInputs | None = None
    #: silent and dropped calls called back (None: none are)
    call_backs: CallBackInputs | None = None

    def __post_init__(self) -> None:
        if self.redial is not None and self.patience is not None and self.redial_patience is None:
            raise ValueError(
                f"line {self.name}: redials need redial_patience, or they would never abandon"
            )


@dataclass(frozen=True)
class PoolInputs:
    """One pool as the model sees it: on a staffing plan (people on duty as a step function)
    or on shifts (each duty's people, with their breaks). An operator-shift whose occupancy is
    above ``high_occupancy`` is counted as a high-occupancy shift. ``outages_s`` are windows
    (begin, end), in time order and apart, in which the pool's people are off the phones (see
    :mod:`contactsim.engine.outage`)."""

    name: str
    skills: tuple[str, ...]
    staffing: StaffingPlan | ShiftRoster
    high_occupancy: float = 0.85
    outages_s: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        end_before = -1.0
        for begin_s, end_s in self.outages_s:
            if not (begin_s >= 0.0 and end_before < begin_s < end_s):
                raise ValueError(f"pool {self.name}: outage windows must be from 0 s on, in time "
                                 f"order and apart (merge those that touch); got {self.outages_s}")
            end_before = end_s


@dataclass(frozen=True)
class ModelSettings:
    """Horizon, routing and what to keep. Times in seconds from the horizon's start."""

    end_s: float
    warmup_s: float = 0.0
    interval_s: float = 3600.0
    priority: tuple[str, ...] = ()
    reserve_line: str | None = None
    reserve_idle: int = 0
    keep_records: bool = False
    observe_every_s: float | None = None

    def __post_init__(self) -> None:
        # KPIs are summed over whole intervals after the warm-up, while calls still waiting at
        # the end are counted by arrival time: the two agree only on an interval boundary
        if not (self.end_s > 0 and self.interval_s > 0 and 0 <= self.warmup_s < self.end_s):
            raise ValueError(
                f"need end_s > 0, interval_s > 0 and 0 <= warmup_s < end_s; got end_s="
                f"{self.end_s}, interval_s={self.interval_s}, warmup_s={self.warmup_s}"
            )
        if not float(self.interval_s).is_integer():
            # the model finds a call's interval by comparing with the next boundary, which is
            # exact (and agrees with floor division) for whole seconds
            raise ValueError(f"interval_s must be a whole number of seconds, got {self.interval_s}")
        intervals = self.warmup_s / self.interval_s
        if abs(intervals - round(intervals)) > 1e-9:
            raise ValueError(
                f"warmup_s ({self.warmup_s}) must be a whole number of intervals "
                f"({self.interval_s} s)"
            )


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model takes for one replication."""

    lines: Sequence[LineInputs]
    pools: Sequence[PoolInputs]
    settings: ModelSettings
    callback: CallbackInputs | None = None
    rc: RCInputs | None = None
