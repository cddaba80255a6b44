"""Bursts of calls for one incident: a share of a line's calls are about an incident that many
people see, and bring further calls within minutes (duplicates of the incident already
reported).

```yaml
demand:
  "999":
    annual_volume: 171800
    bursts:
      share: 0.04         # share of first calls whose incident brings further calls
      extra_calls: 3.0    # mean further calls per burst (Poisson)
      spread_s: 180       # mean gap from one call of the burst to the next (exponential), s
      handle_time: {dist: lognormal, mean_s: 90, cv: 0.6}   # a duplicate's own handle time
```

The further calls queue and abandon like any call of the line (with its patience), but take
their own handle time (the handler links them to the open incident), are not triaged and never
ring again. A replayed call log already holds its duplicates: bursts go with ``rate_per_hour``
or ``annual_volume`` only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contactsim.config.distributions import Distribution
from contactsim.config.fields import Frozen, MeanSeconds, Share

__all__ = ["MAX_EXTRA_CALLS", "Bursts"]

#: Most further calls a burst may bring on average: a burst is a handful of witnesses, and
#: beyond this a typing slip would multiply the line's calls many times over.
MAX_EXTRA_CALLS = 100.0


class Bursts(Frozen):
    """A line's bursts: ``share`` of first calls bring a Poisson number (mean ``extra_calls``)
    of further calls, each ``spread_s`` on average (exponential) after the one before, each
    handled in ``handle_time``."""

    share: Share
    extra_calls: Annotated[float, Field(ge=0, le=MAX_EXTRA_CALLS, allow_inf_nan=False)]
    spread_s: MeanSeconds
    handle_time: Distribution
