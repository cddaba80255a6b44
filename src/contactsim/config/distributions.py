"""How long things take: handle times, patience, redial delays and Resolution Centre work,
each a distribution given by its mean in seconds (and its spread), or resampled from a file.

``dist`` names the kind; a planner's file gives, for instance,
``handle_time: {dist: lognormal, mean_s: 240, cv: 0.6}``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from contactsim import limits
from contactsim.config.fields import Frozen, MeanSeconds, Variation


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

#: The kinds of distribution, as ``dist`` names them.
DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "weibull", "fixed", "empirical")
