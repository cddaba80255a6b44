"""A shift catalogue: the shifts a planner may roster, for ``contactsim roster``.

A catalogue is a YAML file a planner writes::

    shifts:
      - name: early8                # each name once
        length_h: 8                 # over 0, at most 24 hours
        starts: ["06:00", "07:00"]  # clock times the shift may start at
        patterns: ["5-2"]           # days on - days off (default "7-0": every day)
        breaks: [{after_h: 4, length_min: 30}]   # as a scenario shift's breaks
        cost: 8.0                   # per shift worked (default: its paid hours, length_h)
        pools: [blended]            # pools it may be rostered in (default: every pool)
        part_time: false
    pools:
      blended: {min_heads: 0, max_heads: 80, max_part_time_share: 0.25}

A pattern ``N-M`` is N days on then M days off. When N + M is 7 it repeats every week, and
each weekday it may begin on is a rotation of its own ("5-2" from Monday works Monday to Friday;
from Wednesday, Wednesday to Sunday). Any other length (4-4: 8 days) is a cycle, rostered in a
scenario as the shift's ``cycle`` from a date; each day of the cycle it may begin on is an
offset of its own.

Every problem is a :class:`~contactsim.errors.ScenarioError` naming the file, the field, the
value and what was expected, before anything is written. Breaks are checked by building a
scenario :class:`~contactsim.config.pools.Shift` for each start, so a catalogue accepts exactly
the breaks a scenario does.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator

from contactsim import limits
from contactsim.config.clock import clock_minute
from contactsim.config.fields import Frozen, Share
from contactsim.config.pools import Break, Shift
from contactsim.config.yaml_reading import read_yaml_mapping
from contactsim.errors import Problem, ScenarioError

__all__ = [
    "MAX_CYCLE_DAYS", "Catalogue", "CatalogueShift", "Pattern", "PoolLimits",
    "catalogue_cycle_days", "check_pools", "cycle_days", "parse_pattern", "read_catalogue",
]

#: The longest span, in days, over which a catalogue's patterns (and the week) repeat
#: together: the least common multiple of 7 and every cycle's length. 4-4 with 7 is 56 days;
#: 4-4 with 6-6 (12 days) is 168. A longer span makes the program too large to solve quickly.
MAX_CYCLE_DAYS = 168
#: The most days on, or off, in one pattern (as a scenario's DayCycle).
MAX_PATTERN_DAYS = 28

_PATTERN = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class Pattern:
    """Days on, then days off, repeated: ``5-2``, ``4-4``."""

    on_days: int
    off_days: int

    @property
    def length_days(self) -> int:
        """Days before the pattern repeats."""
        return self.on_days + self.off_days

    @property
    def weekly(self) -> bool:
        """Whether it repeats every week (then each weekday is a rotation: Shift.days)."""
        return self.length_days == 7

    @property
    def shifts_per_week(self) -> float:
        """Shifts a person on this pattern works in a week (on average, for a cycle)."""
        return 7.0 * self.on_days / self.length_days

    def __str__(self) -> str:
        return f"{self.on_days}-{self.off_days}"


def parse_pattern(text: str) -> Pattern:
    """``"5-2"`` as a Pattern; ValueError in a planner's words if it is not ``N-M`` with
    1 <= N <= 28 and 0 <= M <= 28."""
    match = _PATTERN.match(str(text))
    if match is None:
        raise ValueError(f"patterns as days on - days off, e.g. '5-2' or '4-4'; not {text!r}")
    on_days, off_days = int(match.group(1)), int(match.group(2))
    if not 1 <= on_days <= MAX_PATTERN_DAYS or off_days > MAX_PATTERN_DAYS:
        raise ValueError(f"patterns N-M with N from 1 to {MAX_PATTERN_DAYS} days on and M from "
                         f"0 to {MAX_PATTERN_DAYS} days off; not {text!r}")
    return Pattern(on_days, off_days)


class CatalogueShift(Frozen):
    """A shift the roster may use: its length, the times it may start, its patterns of days
    on and off, its breaks, its cost per shift worked and the pools it may be rostered in."""

    name: Annotated[str, Field(min_length=1)]
    length_h: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    starts: Annotated[tuple[str, ...], Field(min_length=1)]
    patterns: Annotated[tuple[str, ...], Field(min_length=1)] = ("7-0",)
    breaks: tuple[Break, ...] = ()
    cost: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    pools: Annotated[tuple[str, ...], Field(min_length=1)] | None = None
    part_time: bool = False

    @field_validator("length_h")
    @classmethod
    def _at_most_a_day(cls, value: float) -> float:
        if value > 24:
            raise ValueError("a shift of at most 24 hours (a longer duty is two shifts)")
        return value

    @field_validator("starts", mode="before")
    @classmethod
    def _clock_times(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list | tuple):
            for text in values:
                if not isinstance(text, str) or clock_minute(text) is None:
                    raise ValueError(f"starts as 24-hour clock times \"HH:MM\" (quoted); "
                                     f"not {text!r}")
            if len(set(values)) != len(values):
                raise ValueError("each start time once")
            return tuple(values)
        return value

    @field_validator("patterns", mode="before")
    @classmethod
    def _patterns(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list | tuple):
            parsed = [str(parse_pattern(text)) for text in values]
            if len(set(parsed)) != len(parsed):
                raise ValueError("each pattern once")
            return tuple(parsed)
        return value

    @field_validator("pools", mode="before")
    @classmethod
    def _pool_names(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _breaks_fit_every_start(self) -> CatalogueShift:
        for start in self.starts:
            self.shift(start, 0)  # raises ValueError if a break falls outside the shift
        return self

    @property
    def cost_per_shift(self) -> float:
        """What one shift worked costs: ``cost``, else its paid hours (``length_h``)."""
        return self.length_h if self.cost is None else self.cost

    @property
    def parsed_patterns(self) -> tuple[Pattern, ...]:
        """The patterns, read."""
        return tuple(parse_pattern(text) for text in self.patterns)

    def shift(self, start: str, count: int, **fields: Any) -> Shift:
        """This shift from ``start`` as a scenario's Shift of ``count`` people (``fields``:
        name, days, cycle); ValueError in a planner's words if its breaks do not fit."""
        try:
            return Shift.model_validate({"start": start, "length_h": self.length_h,
                                         "count": count, "breaks": self.breaks, **fields})
        except ValidationError as exc:
            first = exc.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ValueError(f"breaks that fit the shift starting at {start} ({message})"
                             ) from None


class PoolLimits(Frozen):
    """What a pool's roster must respect: its heads (people rostered) between ``min_heads``
    and ``max_heads``, and at most ``max_part_time_share`` of them part-time."""

    min_heads: Annotated[int, Field(ge=0, le=limits.MAX_OPERATORS_PER_POOL)] = 0
    max_heads: Annotated[int, Field(ge=0, le=limits.MAX_OPERATORS_PER_POOL)] | None = None
    max_part_time_share: Share = 1.0

    @model_validator(mode="after")
    def _possible(self) -> PoolLimits:
        if self.max_heads is not None and self.min_heads > self.max_heads:
            raise ValueError(f"min_heads ({self.min_heads}) at most max_heads "
                             f"({self.max_heads})")
        return self


class Catalogue(Frozen):
    """The shifts a roster may use, and each pool's limits."""

    description: str = ""
    shifts: Annotated[tuple[CatalogueShift, ...], Field(min_length=1)]
    pools: dict[str, PoolLimits] = Field(default_factory=dict)

    @field_validator("pools", mode="before")
    @classmethod
    def _pool_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(key): ({} if limits_ is None else limits_)
                    for key, limits_ in value.items()}
        return value

    def limits_of(self, pool: str) -> PoolLimits:
        """The pool's limits (none given: any number of heads, any part-time share)."""
        return self.pools.get(pool, PoolLimits())

    def shifts_for(self, pool: str) -> list[CatalogueShift]:
        """The catalogue's shifts that may be rostered in ``pool``."""
        return [s for s in self.shifts if s.pools is None or pool in s.pools]


def cycle_days(patterns: Iterable[Pattern]) -> int:
    """Days after which the week and every pattern repeat together (a multiple of 7)."""
    days = 7
    for pattern in patterns:
        days = math.lcm(days, pattern.length_days)
    return days


def catalogue_cycle_days(catalogue: Catalogue, pool: str | None = None) -> int:
    """:func:`cycle_days` of every pattern of the catalogue (of the shifts open to ``pool``)."""
    shifts = catalogue.shifts if pool is None else catalogue.shifts_for(pool)
    return cycle_days(p for s in shifts for p in s.parsed_patterns)


def read_catalogue(path: str | Path) -> Catalogue:
    """Read and check a shift catalogue; ScenarioError listing every problem, each naming the
    file, the field (``shifts[2].length_h``), the value and what was expected."""
    file = str(path)
    _, data = read_yaml_mapping(Path(path), "shift catalogue")
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # "shifts: at least 1 item" beside an error inside a shift is noise: a tuple's
        # min_length counts only the items that validated
        errors = [err for err in errors if not (err["type"] == "too_short" and any(
            other is not err and tuple(other["loc"][:len(err["loc"])]) == tuple(err["loc"])
            for other in errors))]
        raise ScenarioError([_problem(err, file) for err in errors]) from None
    problems = []
    first: dict[str, int] = {}
    for index, shift in enumerate(catalogue.shifts):
        if shift.name in first:
            problems.append(Problem(f"shifts[{index}].name", shift.name,
                                    f"a name used once (shifts[{first[shift.name]}] has it)",
                                    file))
        first.setdefault(shift.name, index)
    together = catalogue_cycle_days(catalogue)
    if together > MAX_CYCLE_DAYS:
        lengths = sorted({p.length_days for s in catalogue.shifts for p in s.parsed_patterns})
        problems.append(Problem(
            "patterns", f"cycles of {', '.join(map(str, lengths))} days",
            f"cycles that repeat together with the week within {MAX_CYCLE_DAYS} days (these "
            f"repeat only every {together} days): use fewer cycle lengths", file))
    if problems:
        raise ScenarioError(problems)
    return catalogue


def check_pools(catalogue: Catalogue, pools: Iterable[str], file: str | Path) -> None:
    """Refuse a catalogue naming a pool the requirement does not have (in a shift's ``pools``
    or in its ``pools`` limits), and a pool of the requirement no shift may be rostered in."""
    known = list(pools)
    shown = ", ".join(known)
    problems = []
    for index, shift in enumerate(catalogue.shifts):
        for name in shift.pools or ():
            if name not in known:
                problems.append(Problem(f"shifts[{index}].pools", name,
                                        f"a pool of the requirement ({shown})", str(file)))
    for name in catalogue.pools:
        if name not in known:
            problems.append(Problem(f"pools.{name}", name,
                                    f"a pool of the requirement ({shown})", str(file)))
    if problems:
        raise ScenarioError(problems)


def _model_at(loc: tuple[Any, ...]) -> type[Frozen]:
    """The part of a catalogue at ``loc`` (for the fields it knows)."""
    names = [part for part in loc if isinstance(part, str) and "[" not in part]
    if names[:1] == ["shifts"]:
        return Break if "breaks" in names else CatalogueShift
    if names[:1] == ["pools"] and len(names) > 1:
        return PoolLimits
    return Catalogue


def _problem(err: Any, file: str) -> Problem:
    """A pydantic error as a planner's problem: the dotted field, the value, what was
    expected."""
    field = ""
    for part in err["loc"]:
        if isinstance(part, int):
            field += f"[{part}]"
        elif "[" not in str(part):  # pydantic's own tags ('function-after[...]')
            field += ("." if field else "") + str(part)
    kind, message = err["type"], str(err["msg"])
    for prefix in ("Value error, ", "Input should be ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind == "extra_forbidden":
        known = list(_model_at(tuple(err["loc"][:-1])).model_fields)
        close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return Problem(field, str(err["loc"][-1]), f"a known field ({', '.join(known)}){hint}",
                       file)
    if kind == "missing":
        return Problem(field, None, "this field to be given", file)
    value = err.get("input")
    if message.startswith("breaks that fit") and isinstance(value, dict):
        field, value = f"{field}.breaks", value.get("breaks")
    return Problem(field, value, message, file)
