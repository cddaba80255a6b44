"""The validated, frozen scenario: every figure a planner may change, with its unit in its name.

Reads no files: paths are kept as text (the loader has already made them absolute and checked
that they exist and parse). Field-level rules live on the fields; rules that tie fields together
(every line handled and staffed, priorities naming real lines) are in :func:`cross_check`, which
reports each problem with its dotted path.
"""

from __future__ import annotations

import re
import typing
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from contactsim import limits
from contactsim.data.files import safe_component
from contactsim.engine.records import RC_OUTCOMES, TRIAGE_OUTCOMES
from contactsim.errors import ContactsimError, Problem

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: A time distribution's mean (or fixed value): positive, at most limits.MAX_MEAN_S.
MeanSeconds = Annotated[float, Field(gt=0, le=limits.MAX_MEAN_S, allow_inf_nan=False)]
#: A lognormal's or gamma's coefficient of variation, where sampling neither over- nor underflows.
Variation = Annotated[float, Field(ge=limits.MIN_CV, le=limits.MAX_CV, allow_inf_nan=False)]
#: Operators rostered at one time in one pool.
Operators = Annotated[int, Field(ge=0, le=limits.MAX_OPERATORS_PER_POOL)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
ShareBelowOne = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]

#: Service-level thresholds used when a line's ``service_level_s`` is not given.
DEFAULT_SERVICE_LEVEL_S = {"999": 10.0}
DEFAULT_SERVICE_LEVEL_OTHER_S = 60.0

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Boolean:
    """A true/false given where a number was due: no number type accepts it."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"{str(self.value).lower()} (true/false, not a number)"


def _admits_bool(annotation: Any) -> bool:
    """Whether a field's type accepts true/false (or anything at all)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_admits_bool(arg) for arg in typing.get_args(annotation))


def _whole_multiple(minutes: float, interval_minutes: int) -> bool:
    intervals = minutes / interval_minutes
    return abs(intervals - round(intervals)) < 1e-6


class Frozen(BaseModel):
    """Base of every scenario object: unknown keys refused, nothing mutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        # pydantic reads true as 1 where a number is due: a planner who wrote
        # rate_per_hour: true meant something else. The value is wrapped so that the field's
        # own validation refuses it, at the field's path.
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            key: _Boolean(value) if isinstance(value, bool) and key in fields
            and not _admits_bool(fields[key].annotation) else value
            for key, value in data.items()
        }


# --- distributions -------------------------------------------------------------------------


class Exponential(Frozen):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mean_s: MeanSeconds


class Lognormal(Frozen):
    """Lognormal given by its mean and coefficient of variation (sd / mean)."""

    dist: Literal["lognormal"]
    mean_s: MeanSeconds
    cv: Variation


class Gamma(Frozen):
    """Gamma given by its mean and coefficient of variation (sd / mean)."""

    dist: Literal["gamma"]
    mean_s: MeanSeconds
    cv: Variation


class Weibull(Frozen):
    """Weibull given by its mean and shape (shape < 1: many short, a few very long)."""

    dist: Literal["weibull"]
    mean_s: MeanSeconds
    shape: Annotated[float, Field(ge=limits.MIN_WEIBULL_SHAPE, le=limits.MAX_WEIBULL_SHAPE,
                                  allow_inf_nan=False)]


class Fixed(Frozen):
    """Always the same value."""

    dist: Literal["fixed"]
    value_s: Annotated[float, Field(ge=0, le=limits.MAX_MEAN_S, allow_inf_nan=False)]


class Empirical(Frozen):
    """Resampled, with replacement, from the seconds in one column of a CSV file."""

    dist: Literal["empirical"]
    file: str
    column: str = "seconds"


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Weibull | Fixed | Empirical, Field(discriminator="dist")
]


# --- horizon and demand ----------------------------------------------------------------------


class Horizon(Frozen):
    """The simulated period. Time 0 is midnight at the start of ``start``."""

    start: date = date(2018, 1, 1)
    days: Annotated[float, Field(gt=0, le=limits.MAX_HORIZON_DAYS, allow_inf_nan=False)] = 7.0
    warmup_hours: NonNegativeFloat = 0.0
    interval_minutes: Annotated[int, Field(gt=0, le=1440)] = 60

    @field_validator("start")
    @classmethod
    def _representable(cls, value: date) -> date:
        if not limits.EARLIEST_START_YEAR <= value.year <= limits.LATEST_START_YEAR:
            raise ValueError(f"a start between {limits.EARLIEST_START_YEAR} and "
                             f"{limits.LATEST_START_YEAR}")
        return value

    @field_validator("interval_minutes")
    @classmethod
    def _divides_a_day(cls, value: int) -> int:
        if 1440 % value:
            raise ValueError("interval_minutes must divide a day (1440 minutes), e.g. 15, 30, 60")
        return value

    @model_validator(mode="after")
    def _warmup_fits(self) -> Horizon:
        if self.warmup_hours >= self.days * 24:
            raise ValueError(
                f"warmup_hours ({self.warmup_hours}) must be shorter than the horizon "
                f"({self.days} days = {self.days * 24} hours)"
            )
        if not _whole_multiple(self.warmup_hours * 60, self.interval_minutes):
            raise ValueError(
                f"warmup_hours ({self.warmup_hours}) must be a whole number of intervals "
                f"({self.interval_minutes} minutes)"
            )
        if not _whole_multiple(self.days * 1440, self.interval_minutes):
            raise ValueError(
                f"days ({self.days}) must be a whole number of intervals "
                f"({self.interval_minutes} minutes)"
            )
        return self

    @property
    def end_s(self) -> float:
        """Length of the horizon in seconds."""
        return self.days * 86400.0

    @property
    def warmup_s(self) -> float:
        """Length of the warm-up in seconds."""
        return self.warmup_hours * 3600.0

    @property
    def interval_s(self) -> float:
        """Length of one reporting interval in seconds."""
        return self.interval_minutes * 60.0


class LineDemand(Frozen):
    """Arrivals of one line: a constant rate, an annual volume shaped by a profile, or a replay.

    ``profile`` is a CSV of hour-of-week and month weights; omitted, the built-in police shape
    is used. ``replay`` is a call log or an interval-count file (CSV or Parquet); with a log,
    ``handle_times: logged`` uses its ``handle_s`` and ``scenario`` the line's distribution.
    ``from``/``to`` (date-times) set the horizon of a replay that gives none. ``growth``
    multiplies the demand (for a replay by seeded thinning or duplication); ``online_shift`` is
    the share of callers who report online or through IVR instead and never queue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    rate_per_hour: NonNegativeFloat | None = None
    annual_volume: NonNegativeFloat | None = None
    profile: str | None = None
    replay: str | None = None
    handle_times: Literal["logged", "scenario"] | None = None
    window_from: datetime | None = Field(default=None, alias="from")
    window_to: datetime | None = Field(default=None, alias="to")
    growth: Annotated[float, Field(ge=0, le=limits.MAX_GROWTH, allow_inf_nan=False)] = 1.0
    online_shift: ShareBelowOne = 0.0

    @field_validator("window_from", "window_to", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        # YAML reads 2018-07-01 as a date: the window then starts (or ends) at its midnight
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, datetime.min.time())
        return value

    @model_validator(mode="after")
    def _one_source(self) -> LineDemand:
        given = [k for k in ("rate_per_hour", "annual_volume", "replay")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of rate_per_hour, annual_volume or replay")
        if self.profile is not None and self.annual_volume is None:
            raise ValueError("a profile shapes an annual_volume; leave it out otherwise")
        replay_only = ("handle_times", "window_from", "window_to")
        if self.replay is None and any(getattr(self, k) is not None for k in replay_only):
            raise ValueError("handle_times, from and to go with replay")
        if self.window_from and self.window_to and self.window_from >= self.window_to:
            raise ValueError("from must be before to")
        return self


class LineHandling(Frozen):
    """How calls of one line are handled and how long their callers will wait.

    ``patience`` omitted means callers never abandon (the Erlang C assumption).
    """

    handle_time: Distribution
    patience: Distribution | None = None
    service_level_s: NonNegativeFloat | None = None


# --- pools and staffing ----------------------------------------------------------------------


class Shift(Frozen):
    """``count`` operators from ``start`` (HH:MM) for ``length_h`` hours on the given days."""

    #: optional: a named shift can be changed or removed by name in ``extends``
    name: Annotated[str, Field(min_length=1)] | None = None
    start: str
    length_h: Annotated[float, Field(gt=0, le=24)]
    days: tuple[str, ...] = DAY_NAMES
    count: Operators

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"start must be a 24-hour clock time HH:MM, not {value!r}")
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _day_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            out = []
            for day in value:
                name = str(day).strip().lower()[:3]
                if name not in DAY_NAMES:
                    raise ValueError(
                        f"days must be names among {', '.join(DAY_NAMES)}; not {day!r}"
                    )
                out.append(name)
            return tuple(out)
        return value

    @property
    def start_minute(self) -> int:
        """Minutes after midnight at which the shift starts."""
        hours, minutes = self.start.split(":")
        return int(hours) * 60 + int(minutes)


class StaffingChange(Frozen):
    """From midnight at the start of ``from``, the plan's rostered numbers are multiplied by
    ``scale`` (instead of the plan's own ``scale``): recruits joining, leavers not replaced."""

    starts: date = Field(alias="from")
    scale: Annotated[float, Field(ge=0, le=100)]


class Staffing(Frozen):
    """One staffing plan: ``flat`` operators, a ``per_interval`` CSV, or ``shifts``.

    Numbers are rostered operators; shrinkage is taken off afterwards. ``scale`` multiplies
    the rostered numbers (1.1: ten per cent more at every hour), with the same rounding;
    ``changes`` set another scale from given dates on.
    """

    flat: Operators | None = None
    per_interval: str | None = None
    shifts: tuple[Shift, ...] | None = None
    scale: Annotated[float, Field(gt=0, le=100)] = 1.0
    changes: tuple[StaffingChange, ...] = ()

    @field_validator("changes")
    @classmethod
    def _in_order(cls, value: tuple[StaffingChange, ...]) -> tuple[StaffingChange, ...]:
        starts = [change.starts for change in value]
        if starts != sorted(set(starts)):
            raise ValueError("changes must be in date order, one per date")
        return value

    @model_validator(mode="after")
    def _one_plan(self) -> Staffing:
        given = [k for k in ("flat", "per_interval", "shifts") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of flat, per_interval or shifts"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Pool(Frozen):
    """Operators with the same skills and staffing plan."""

    name: Annotated[str, Field(min_length=1)]
    skills: Annotated[tuple[str, ...], Field(min_length=1)]
    staffing: Staffing
    shrinkage: ShareBelowOne | None = None

    @field_validator("skills", mode="before")
    @classmethod
    def _skills_as_text(cls, value: Any) -> Any:
        return _line_names(value)

    @field_validator("skills")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("skills must not repeat a line")
        return value


class Reserve(Frozen):
    """Keep ``idle_operators`` multi-skilled operators free for ``for_line``.

    Operators of pools that serve ``for_line`` and other lines take no lower-priority call that
    would leave fewer than ``idle_operators`` of them idle.
    """

    for_line: str = "999"
    idle_operators: Annotated[int, Field(ge=0)] = 0

    @field_validator("for_line", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class Routing(Frozen):
    """Which waiting contact an idle operator takes.

    ``priority`` lists the lines, most urgent first; omitted, 999 comes first and the other
    lines follow in the order ``demand`` gives them.
    """

    priority: tuple[str, ...] | None = None
    reserve: Reserve | None = None

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_as_text(cls, value: Any) -> Any:
        return _line_names(value)


# --- callbacks and redials ---------------------------------------------------------------------

_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class WhenIdle(Frozen):
    """Make a callback only when at least ``when_idle_at_least`` operators who could make it are
    idle, this one included, and no live call of the operator's skills waits."""

    when_idle_at_least: Annotated[int, Field(ge=1)]


CALLBACK_SERVE_NAMES = ("below_live", "above_live")


class Callback(Frozen):
    """Callbacks offered to callers of one line who are still queueing after ``offer_after_s``.

    A caller still waiting at the threshold, inside ``hours``, is offered a callback once; one
    who accepts leaves the live queue. Operators make callback attempts inside ``hours`` when
    ``serve`` allows: ``below_live`` (only when no live call of their skills waits),
    ``above_live`` (before live calls of the callback's line, after more urgent lines) or
    ``{when_idle_at_least: k}``. An unanswered attempt takes ``unanswered_attempt_s`` of the
    operator's time and is retried after ``attempt_gap_s``; after ``max_attempts`` it has failed.
    """

    line: str = "101"
    offer_after_s: NonNegativeFloat
    accept_probability: Share
    hours: str = "08:00-22:00"
    max_attempts: Annotated[int, Field(ge=1)] = 3
    attempt_gap_s: NonNegativeFloat = 900.0
    answer_probability: Share = 1.0
    unanswered_attempt_s: NonNegativeFloat = 60.0
    complete_within_s: PositiveFloat = 3600.0
    handle_time: Distribution | None = None
    serve: Annotated[Any, Field(validate_default=True)] = "below_live"

    @field_validator("line", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("serve", mode="before")
    @classmethod
    def _serve(cls, value: Any) -> str | WhenIdle:
        # one clear message instead of one per member of a union
        if isinstance(value, WhenIdle) or value in CALLBACK_SERVE_NAMES:
            return value
        if isinstance(value, dict) and set(value) == {"when_idle_at_least"}:
            k = value["when_idle_at_least"]
            if isinstance(k, int) and not isinstance(k, bool) and k >= 1:
                return WhenIdle(when_idle_at_least=k)
        raise ValueError(
            "below_live, above_live, or {when_idle_at_least: k} with k a whole number >= 1"
        )

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        match = _HOURS.match(value.replace(" ", ""))
        if not match:
            raise ValueError("hours as HH:MM-HH:MM, e.g. 08:00-22:00")
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start_m > 59 or end_m > 59 or start > 1440 or end > 1440 or start >= end:
            raise ValueError(
                "hours as HH:MM-HH:MM within 00:00-24:00, the start before the end"
            )
        return value.replace(" ", "")

    @property
    def hours_minutes(self) -> tuple[int, int]:
        """Minutes after midnight at which callback hours open and close."""
        start, end = self.hours.split("-")
        return _minutes(start), _minutes(end)


class Redial(Frozen):
    """Callers of a line who abandon and call again.

    ``probability`` that an abandoning caller calls again, after ``delay``; a share
    ``switch_to_999`` of them call 999 instead; no caller makes more than
    ``max_calls_per_caller`` calls in all (the first included). The cap that applies is the
    one of the line the caller has just abandoned: a 101 caller who switched to 999 and
    abandons again redials by 999's rule.
    """

    probability: Share
    delay: Distribution
    switch_to_999: Share = 0.0
    max_calls_per_caller: Annotated[int, Field(ge=1)] = 3


# --- triage and the Resolution Centre ------------------------------------------------------

# the shares' names are the engine's outcomes, in the order its tallies count them


def _sums_to_one(model: BaseModel, names: tuple[str, ...]) -> None:
    total = sum(getattr(model, name) for name in names)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"the shares of {', '.join(names)} must add up to 1, not {total:g}")


class Triage(Frozen):
    """THRIVE grading of a line's answered calls (and completed callbacks): the share of each
    outcome. ``closed_extra_handle_s`` lengthens calls resolved at first contact."""

    closed: Share = 0.0
    grade1: Share = 0.0
    grade2: Share = 0.0
    scheduled: Share = 0.0
    resolution_centre: Share = 0.0
    closed_extra_handle_s: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _adds_up(self) -> Triage:
        _sums_to_one(self, TRIAGE_OUTCOMES)
        return self


class RCOutcomes(Frozen):
    """What becomes of the incidents the Resolution Centre works."""

    resolved: Share
    front_line: Share
    partner: Share

    @model_validator(mode="after")
    def _adds_up(self) -> RCOutcomes:
        _sums_to_one(self, RC_OUTCOMES)
        return self


class ResolutionCentre(Frozen):
    """Investigators who resolve incidents by phone instead of sending officers.

    Investigators work inside ``hours`` (their staffing counts only then). Each incident needs
    the victim on the phone: an attempt reaches them with ``contact_probability``; an
    unanswered one takes ``unanswered_attempt_s`` and is retried after ``attempt_gap_s``, up to
    ``contact_attempts``; an incident whose victim is never reached goes to the front line.
    A reached victim's incident takes ``work_time``, then ends by ``outcomes``.
    """

    staffing: Staffing
    hours: str = "08:00-22:00"
    shrinkage: ShareBelowOne | None = None
    work_time: Distribution
    contact_attempts: Annotated[int, Field(ge=1)] = 3
    contact_probability: Share = 1.0
    attempt_gap_s: NonNegativeFloat = 3600.0
    unanswered_attempt_s: NonNegativeFloat = 300.0
    outcomes: RCOutcomes

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        return Callback._hours(value)

    @property
    def hours_minutes(self) -> tuple[int, int]:
        """Minutes after midnight at which the Resolution Centre opens and closes."""
        start, end = self.hours.split("-")
        return _minutes(start), _minutes(end)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


# --- the scenario ----------------------------------------------------------------------------


class Scenario(Frozen):
    """A whole scenario, after ``extends`` and defaults."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    seed: Annotated[int, Field(ge=0)] | None = None
    horizon: Horizon = Horizon()
    demand: Annotated[dict[str, LineDemand], Field(min_length=1)]
    handling: dict[str, LineHandling]
    pools: Annotated[tuple[Pool, ...], Field(min_length=1)]
    shrinkage: ShareBelowOne = 0.0
    routing: Routing = Routing()
    callback: Callback | None = None
    redial: dict[str, Redial] = {}
    triage: dict[str, Triage] = {}
    resolution_centre: ResolutionCentre | None = None

    @field_validator("demand", "handling", "redial", "triage", mode="before")
    @classmethod
    def _line_keys_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 999 as a number; planners should not have to quote it.
        if isinstance(value, dict):
            return {str(k) if isinstance(k, int) else k: v for k, v in value.items()}
        return value

    @property
    def lines(self) -> tuple[str, ...]:
        """Line names, most urgent first."""
        if self.routing.priority is not None:
            return self.routing.priority
        names = list(self.demand)
        return tuple(sorted(names, key=lambda name: (name != "999", names.index(name))))

    def service_level_s(self, line: str) -> float:
        """The service-level threshold of a line, with its default filled in."""
        given = self.handling[line].service_level_s
        if given is not None:
            return given
        return DEFAULT_SERVICE_LEVEL_S.get(line, DEFAULT_SERVICE_LEVEL_OTHER_S)

    def pool_shrinkage(self, pool: Pool) -> float:
        """A pool's shrinkage: its own if given, else the scenario's."""
        return self.shrinkage if pool.shrinkage is None else pool.shrinkage


def cross_check(scenario: Scenario) -> list[Problem]:
    """Problems that tie fields together, each with its dotted path. Empty when consistent."""
    problems: list[Problem] = []
    lines = list(scenario.demand)
    line_text = ", ".join(repr(name) for name in lines)
    for name in scenario.handling:
        if name not in scenario.demand:
            problems.append(
                Problem(f"handling.{name}", name, f"a line that has demand (one of {line_text})")
            )
    for name in lines:
        if name not in scenario.handling:
            problems.append(
                Problem(f"handling.{name}", None, "a handling section for every line with demand")
            )
    problems += _names_usable_as_files(scenario)
    seen_pools: set[str] = set()
    for index, pool in enumerate(scenario.pools):
        if pool.name in seen_pools:
            problems.append(Problem(f"pools[{index}].name", pool.name, "a pool name used once"))
        if pool.name in scenario.demand or pool.name == "resolution_centre":
            problems.append(Problem(
                f"pools[{index}].name", pool.name,
                "a name that is not a line's nor resolution_centre (results are kept by name)",
            ))
        seen_pools.add(pool.name)
        for skill in pool.skills:
            if skill not in scenario.demand:
                problems.append(
                    Problem(f"pools[{index}].skills", skill, f"a line among {line_text}")
                )
    for name in lines:
        if not any(name in pool.skills for pool in scenario.pools):
            problems.append(
                Problem(f"demand.{name}", name, "at least one pool with this line in its skills")
            )
    priority = scenario.routing.priority
    if priority is not None and sorted(priority) != sorted(lines):
        problems.append(
            Problem("routing.priority", list(priority), f"each line once: {line_text}")
        )
    reserve = scenario.routing.reserve
    if reserve is not None and reserve.for_line not in scenario.demand:
        problems.append(
            Problem("routing.reserve.for_line", reserve.for_line, f"a line among {line_text}")
        )
    callback = scenario.callback
    if callback is not None and callback.line not in scenario.demand:
        problems.append(
            Problem("callback.line", callback.line, f"a line with demand, among {line_text}")
        )
    for name, triage in scenario.triage.items():
        if name not in scenario.demand:
            problems.append(Problem(f"triage.{name}", name, f"a line among {line_text}"))
        if triage.resolution_centre > 0 and scenario.resolution_centre is None:
            problems.append(
                Problem(f"triage.{name}.resolution_centre", triage.resolution_centre,
                        "0 unless the scenario has a resolution_centre section")
            )
    for name, redial in scenario.redial.items():
        if name not in scenario.demand:
            problems.append(Problem(f"redial.{name}", name, f"a line among {line_text}"))
        if redial.switch_to_999 > 0 and (name == "999" or "999" not in scenario.demand):
            problems.append(
                Problem(
                    f"redial.{name}.switch_to_999", redial.switch_to_999,
                    "0 unless the line is not 999 and the scenario has a 999 line",
                )
            )
    return problems


def _names_usable_as_files(scenario: Scenario) -> list[Problem]:
    """Names become file and folder names (results/<name>, staffing/<pool>.csv): each must
    give one (see contactsim.data.files.safe_component)."""
    named = [("name", scenario.name, "scenario name")]
    named += [(f"pools[{i}].name", pool.name, "pool name") for i, pool in enumerate(scenario.pools)]
    named += [(f"demand.{line}", line, "line name") for line in scenario.demand]
    problems = []
    for field, name, what in named:
        try:
            safe_component(name, what)
        except ContactsimError:
            problems.append(Problem(
                field, name, f"a name with at least one letter or digit and at most "
                f"{limits.MAX_NAME_CHARACTERS} characters (it becomes a file or folder name)"))
    return problems


def _line_names(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(str(v) if isinstance(v, int) else v for v in value)
    return value
