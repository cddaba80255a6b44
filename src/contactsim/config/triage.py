"""What happens after a call is answered: THRIVE grading of a line's calls (closed at first
contact, graded for officers, scheduled, or passed to the Resolution Centre), and the
Resolution Centre's investigators, their hours and what becomes of the incidents they work."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from contactsim.config.distributions import Distribution
from contactsim.config.fields import (
    Frozen,
    NonNegativeFloat,
    OpeningHours,
    Opens,
    Share,
    ShareBelowOne,
)
from contactsim.config.pools import Staffing
from contactsim.engine.records import RC_OUTCOMES, TRIAGE_OUTCOMES

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


class ResolutionCentre(Opens):
    """Investigators who resolve incidents by phone instead of sending officers.

    Investigators work inside ``hours`` (their staffing counts only then). Each incident needs
    the victim on the phone: an attempt reaches them with ``contact_probability``; an
    unanswered one takes ``unanswered_attempt_s`` and is retried after ``attempt_gap_s``, up to
    ``contact_attempts``; an incident whose victim is never reached goes to the front line.
    A reached victim's incident takes ``work_time``, then ends by ``outcomes``.
    """

    staffing: Staffing
    hours: OpeningHours = "08:00-22:00"
    shrinkage: ShareBelowOne | None = None
    work_time: Distribution
    contact_attempts: Annotated[int, Field(ge=1)] = 3
    contact_probability: Share = 1.0
    attempt_gap_s: NonNegativeFloat = 3600.0
    unanswered_attempt_s: NonNegativeFloat = 300.0
    outcomes: RCOutcomes

    @field_validator("staffing")
    @classmethod
    def _no_breaks(cls, value: Staffing) -> Staffing:
        for shift in value.shifts or ():
            if shift.breaks:
                raise ValueError(
                    "breaks are modelled for call handlers' shifts only; the Resolution "
                    "Centre's investigators work inside its hours: take breaks off through "
                    "its shrinkage")
        return value

