"""Second chances for callers who wait too long: callbacks offered to callers still queueing,
and redials by callers who hung up (some of them dialling 999 instead)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from contactsim.config.distributions import Distribution
from contactsim.config.fields import (
    Frozen,
    NonNegativeFloat,
    OpeningHours,
    Opens,
    PositiveFloat,
    Share,
    line_name,
)


class WhenIdle(Frozen):
    """Make a callback only when at least ``when_idle_at_least`` operators who could make it are
    idle, this one included, and no live call of the operator's skills waits."""

    when_idle_at_least: Annotated[int, Field(ge=1)]


CALLBACK_SERVE_NAMES = ("below_live", "above_live")


class Callback(Opens):
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
    hours: OpeningHours = "08:00-22:00"
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
        return line_name(value)

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
