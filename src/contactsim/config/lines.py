"""The lines callers ring (999, 101, ...): how many calls each brings (``demand``) and how
they are handled (``handling``: handle time, how long callers wait before hanging up, and the
service-level threshold); and which line is the emergency line (:data:`EMERGENCY_LINE`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from contactsim import limits
from contactsim.config.bursts import Bursts
from contactsim.config.clock import as_datetime
from contactsim.config.distributions import Distribution
from contactsim.config.dropped_calls import CallBacks
from contactsim.config.fields import Frozen, NonNegativeFloat, ShareBelowOne
from contactsim.config.overflow import Overflow

#: The emergency line: the one line contactsim treats apart from the others. It comes first
#: when the scenario gives no routing priority, it is the line a reserve of idle operators is
#: kept for unless the scenario names another, it has its own default service-level threshold
#: (10 s, the national standard), and it is the line a redialling caller who ``switch_to_999``
#: rings instead. The engine knows no line by name: these rules reach it as plain inputs.
EMERGENCY_LINE = "999"

#: Service-level thresholds used when a line's ``service_level_s`` is not given.
DEFAULT_SERVICE_LEVEL_S = {EMERGENCY_LINE: 10.0}
DEFAULT_SERVICE_LEVEL_OTHER_S = 60.0


#: The largest day-to-day busyness cv a line may have (a day at 3 times its cv above the mean
#: is then 7 times as busy: beyond that, a scenario is not describing a contact centre).
MAX_BUSYNESS_CV = 2.0


class LineDemand(Frozen):
    """Arrivals of one line: a constant rate, an annual volume shaped by a profile, or a replay.

    ``profile`` is a CSV of hour-of-week and month weights; omitted, the built-in police shape
    is used. ``replay`` is a call log or an interval-count file (CSV or Parquet); with a log,
    ``handle_times: logged`` uses its ``handle_s`` and ``scenario`` the line's distribution.
    ``from``/``to`` (date-times) set the horizon of a replay that gives none. ``growth``
    multiplies the demand (for a replay by seeded thinning or duplication); ``online_shift`` is
    the share of callers who report online or through IVR instead and never queue.
    ``busyness_cv`` makes days busier or quieter than the profile at random: each day's rates
    are multiplied by a factor drawn from a gamma distribution with mean 1 and this
    coefficient of variation (a Cox process: the daily count's variance is m + cv² m² for a
    day of m expected callers).
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
    #: day-to-day busyness: each day's rates times a gamma factor of mean 1 and this cv
    busyness_cv: Annotated[float, Field(ge=0, le=MAX_BUSYNESS_CV, allow_inf_nan=False)] | None = (
        None)
    #: a share of calls bring a burst of further calls (contactsim.config.bursts)
    bursts: Bursts | None = None

    @field_validator("window_from", "window_to", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        # YAML reads 2018-07-01 as a date: the window then starts (or ends) at its midnight;
        # text is left to pydantic, which says what it expected
        if isinstance(value, date) and not isinstance(value, datetime):
            return as_datetime(value)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> LineDemand:
        given = [k for k in ("rate_per_hour", "annual_volume", "replay")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of rate_per_hour, annual_volume or replay")
        if self.bursts is not None and self.replay is not None:
            raise ValueError("bursts go with rate_per_hour or annual_volume: a replayed log "
                             "already holds its duplicate calls")
        if self.profile is not None and self.annual_volume is None:
            raise ValueError("a profile shapes an annual_volume; leave it out otherwise")
        replay_only = ("handle_times", "window_from", "window_to")
        if self.replay is None and any(getattr(self, k) is not None for k in replay_only):
            raise ValueError("handle_times, from and to go with replay")
        if self.window_from and self.window_to and self.window_from >= self.window_to:
            raise ValueError("from must be before to")
        if self.replay is not None and self.busyness_cv is not None:
            raise ValueError("busyness_cv shapes synthesised demand; a replayed log already "
                             "has its own busy and quiet days")
        return self


class LineHandling(Frozen):
    """How calls of one line are handled and how long their callers will wait.

    ``patience`` omitted means callers never abandon (the Erlang C assumption).
    ``also_within_s`` gives more service-level thresholds the line is measured at, besides
    ``service_level_s`` (e.g. ``[15, 20]`` for NENA's 90% in 15 s and 95% in 20 s): each adds
    the KPI ``service_level@15`` (answered within 15 s ÷ (answered + abandoned)) to the
    results, and an ``answered_within_15s`` series to the intervals. Kept in order, each once.
    ``overflow`` sends calls queueing too long to a neighbouring force
    (:mod:`contactsim.config.overflow`).
    """

    handle_time: Distribution
    patience: Distribution | None = None
    service_level_s: NonNegativeFloat | None = None
    also_within_s: tuple[NonNegativeFloat, ...] | None = None
    overflow: Overflow | None = None
    #: silent and dropped calls called back (contactsim.config.dropped_calls)
    call_backs: CallBacks | None = None

    @field_validator("also_within_s", mode="after")
    @classmethod
    def _in_order_once(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if value is None else tuple(sorted(set(value)))
